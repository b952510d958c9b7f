//! Reference workload, meso side of the harness: the typology loaded from typology.meso,
//! records written into fact slots, and an `Outcome` read back as the workload's output.
//!
//! Input: `Record`s (record.rs) and the checked typology. Output: `Facts` per record (all
//! slots filled before any timing starts) and the same summary line the hand-written rules
//! give, so the two can be compared record by record.

use std::path::Path;

use meso::eval::Outcome;
use meso::facts::Facts;
use meso::ir::{FactId, FactType, PolicyId, Program, TypeId};
use meso::value::Value;

use super::handwritten::{format_summary, POLICIES, TYPES};
use super::record::Record;

/// Load, check and compile `benches/workload/typology.meso`.
pub fn load_typology() -> Result<meso::eval::Compiled, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/workload/typology.meso");
    let sources = meso::ruleset::read_sources(&path).map_err(|e| e.to_string())?;
    meso::ruleset::load(sources, &[])
        .map(|rs| rs.compiled)
        .map_err(|f| format!("{} errors in typology.meso", f.errors.len()))
}

/// Reads a number field of a record.
type NumberField = fn(&Record) -> f64;
/// Reads a level field of a record, by name.
type LevelField = fn(&Record) -> &'static str;

/// Where each field of a record goes in the program's fact slots.
pub struct Slots {
    n: usize,
    numbers: Vec<(FactId, NumberField)>,
    levels: Vec<(FactId, LevelField, Vec<String>)>,
    types: Vec<(TypeId, &'static str)>,
    policies: Vec<(PolicyId, &'static str)>,
}

impl Slots {
    /// Look up the workload's facts, types and policies in `program`.
    pub fn new(program: &Program) -> Result<Self, String> {
        let fact = |name: &str| program.fact_id(name).ok_or(format!("no fact `{name}`"));
        let numbers: Vec<(&str, NumberField)> = vec![
            ("firms", |r| r.firms as f64),
            ("share_micro_small", |r| r.share_micro_small),
            ("share_large", |r| r.share_large),
            ("foreign_output_share", |r| r.foreign_output_share),
            ("export_share", |r| r.export_share),
            ("interfirm_linkage_ratio", |r| r.interfirm_linkage_ratio),
            ("specialization_lq", |r| r.specialization_lq),
            ("informality", |r| r.informality),
        ];
        let levels: Vec<(&str, LevelField)> = vec![
            ("main_market", |r| r.main_market.as_str()),
            ("barriers_to_entry", |r| r.barriers_to_entry.as_str()),
            ("tech_complexity", |r| r.tech_complexity.as_str()),
            ("interfirm_cooperation", |r| {
                r.interfirm_cooperation.as_str()
            }),
            ("trust", |r| r.trust.as_str()),
            ("local_rd", |r| r.local_rd.as_str()),
            ("origin", |r| r.origin.as_str()),
        ];
        let mut slots = Slots {
            n: program.facts.len(),
            numbers: Vec::new(),
            levels: Vec::new(),
            types: Vec::new(),
            policies: Vec::new(),
        };
        for (name, get) in numbers {
            slots.numbers.push((fact(name)?, get));
        }
        for (name, get) in levels {
            let id = fact(name)?;
            let Some(FactType::Level { levels, .. }) = program.fact(id).map(|f| &f.ty) else {
                return Err(format!("fact `{name}` is not a level"));
            };
            slots.levels.push((id, get, levels.clone()));
        }
        for name in TYPES {
            let id = program.type_id(name).ok_or(format!("no type `{name}`"))?;
            slots.types.push((id, name));
        }
        for name in POLICIES {
            let id = program
                .policy_id(name)
                .ok_or(format!("no policy `{name}`"))?;
            slots.policies.push((id, name));
        }
        Ok(slots)
    }

    /// The record's facts in the program's slot layout.
    pub fn facts(&self, r: &Record) -> Facts {
        let mut facts = Facts::unknown(self.n);
        for (id, get) in &self.numbers {
            if let Some(slot) = facts.values.get_mut(id.index()) {
                *slot = Value::Number(get(r));
            }
        }
        for (id, get, names) in &self.levels {
            let name = get(r);
            let pos = names.iter().position(|n| n == name);
            if let (Some(slot), Some(pos)) = (facts.values.get_mut(id.index()), pos) {
                *slot = Value::Level(pos as u32);
            }
        }
        facts
    }

    /// The workload's output line for an outcome (same format as `handwritten::summary`).
    pub fn summary(&self, out: &Outcome) -> String {
        self.line(
            |i| out.types.get(i).map(|t| (t.status, t.score)),
            meso::eval::Applicable::List(&out.applicable),
        )
    }

    /// The workload's output line for the lean batch result (`evaluate_summary_into`).
    pub fn lean_summary(&self, out: meso::eval::Row<'_>) -> String {
        self.line(
            |i| out.types.get(i).map(|t| (t.status, t.score)),
            out.applicable,
        )
    }

    fn line(
        &self,
        type_of: impl Fn(usize) -> Option<(meso::vocab::TypeStatus, f64)>,
        applicable: meso::eval::Applicable<'_>,
    ) -> String {
        let types: Vec<(&str, f64)> = self
            .types
            .iter()
            .filter_map(|(id, name)| {
                let (status, score) = type_of(id.index())?;
                (status == meso::vocab::TypeStatus::Matched).then_some((*name, score))
            })
            .collect();
        let mut policies: Vec<&str> = self
            .policies
            .iter()
            .filter(|(id, _)| applicable.contains(*id))
            .map(|(_, name)| *name)
            .collect();
        policies.sort_unstable();
        format_summary(&types, &policies)
    }
}
