//! The evaluation report: one serializable model of an outcome, from which the JSON and
//! table formats are drawn. Field order here is the order in the JSON output.

use indexmap::IndexMap;
use serde::Serialize;

use crate::eval::Outcome;
use crate::facts::{self, Facts};
use crate::ir::{FactId, PolicyId, Program, TypeId, ValueType};
use crate::ruleset::RuleSet;
use crate::trace::model::Provisional;
use crate::value::{round4, Value};
use crate::vocab::{PolicyStatus, TypeStatus};

/// What `meso eval` says about one cluster.
#[derive(Clone, Debug, Serialize)]
pub struct EvalReport {
    /// meso version that produced it
    pub meso_version: String,
    /// Fingerprint of the rule set
    pub rules_fingerprint: String,
    /// Where the rule set came from (its path, `the shipped rule set`, ...), for the text
    /// output; not in the JSON, which stays independent of where the files sit
    #[serde(skip)]
    pub rules_source: String,
    /// Fingerprint of the facts
    pub facts_fingerprint: String,
    /// Facts file as given on the command line
    pub facts_file: String,
    /// Parameters changed with `--param` (they change results)
    pub params: IndexMap<String, serde_json::Value>,
    /// Primary classification: most specific matched type with the highest score
    pub classification: Option<String>,
    /// Its label
    pub classification_label: Option<String>,
    /// Other most specific matched types with the same score (tie broken by declaration order)
    pub tied: Vec<String>,
    /// Other most specific matched types with lower scores (a hybrid cluster)
    pub hybrids: Vec<String>,
    /// Every type, in declaration order
    pub types: Vec<TypeReport>,
    /// Policies and avoid items that apply, in order (phase, `after`, declaration)
    pub policies: Vec<PolicyReport>,
    /// Policies and avoid items that unknown facts leave open
    pub undetermined_policies: Vec<UndeterminedPolicy>,
    /// Declared facts the facts file leaves unknown
    pub unknown_facts: Vec<String>,
    /// When missing facts leave the most specific types that could still match open: the
    /// one that leads, never certain, what would settle it, and the policies that would
    /// apply if it were confirmed (null when nothing leads, or with `--strict-unknowns`)
    pub provisional: Option<ProvisionalReport>,
}

/// A provisional classification in `meso eval`'s report: the trace's summary of it, with
/// the policies it would bring in told in full.
pub type ProvisionalReport = Provisional<PolicyReport>;

/// One type's result.
#[derive(Clone, Debug, Serialize)]
pub struct TypeReport {
    /// Type name
    #[serde(rename = "type")]
    pub name: String,
    /// Human label
    pub label: Option<String>,
    /// Parent type
    pub extends: Option<String>,
    /// matched / not_matched / undetermined
    pub status: TypeStatus,
    /// Met indicative weight / total weight, rounded to 4 decimals
    pub score: f64,
    /// The score if every unknown indicative criterion held
    pub score_max: f64,
    /// Sum of met indicative weights
    pub met_weight: f64,
    /// Sum of all indicative weights
    pub total_weight: f64,
    /// Own required criteria that do not hold
    pub failed_required: Vec<String>,
    /// Own excluding criteria that hold
    pub excluded_by: Vec<String>,
    /// Missing facts that would decide an undetermined result
    pub unknown_facts: Vec<String>,
    /// Missing facts that would not change the status (every value gives it)
    pub settled_facts: Vec<String>,
}

/// A policy or avoid item that applies.
#[derive(Clone, Debug, Serialize)]
pub struct PolicyReport {
    /// Position in the recommended sequence (1-based, over both kinds)
    pub order: usize,
    /// Policy name
    pub policy: String,
    /// recommend / avoid
    pub kind: &'static str,
    /// Phase
    pub phase: i64,
    /// Human label
    pub label: Option<String>,
    /// Matched types that brought it in
    pub for_types: Vec<String>,
    /// Prerequisites
    pub after: Vec<String>,
    /// The recommendation or warning
    pub advice: Option<String>,
    /// Why
    pub rationale: Option<String>,
    /// Source
    pub cite: Option<String>,
}

/// A policy left open by unknown facts.
#[derive(Clone, Debug, Serialize)]
pub struct UndeterminedPolicy {
    /// Policy name
    pub policy: String,
    /// recommend / avoid
    pub kind: &'static str,
    /// Missing facts that would decide it
    pub unknown_facts: Vec<String>,
}

/// A value as JSON, with levels and set members by name.
pub fn value_json(value: &Value, ty: &ValueType) -> serde_json::Value {
    match (value, ty) {
        (Value::Unknown, _) => serde_json::Value::Null,
        (Value::Number(n), _) => serde_json::Number::from_f64(*n)
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        (Value::Bool(b), _) => serde_json::Value::Bool(*b),
        (Value::Text(s), _) => serde_json::Value::String(s.to_string()),
        (Value::Level(i), ValueType::Level { levels, .. }) => levels
            .get(*i as usize)
            .map_or(serde_json::Value::Null, |l| {
                serde_json::Value::String(l.clone())
            }),
        (Value::Set(mask), ValueType::Set { members }) => serde_json::Value::Array(
            members
                .iter()
                .enumerate()
                .filter(|(i, _)| *i < 64 && mask & (1u64 << i) != 0)
                .map(|(_, m)| serde_json::Value::String(m.clone()))
                .collect(),
        ),
        (Value::Level(i), _) => serde_json::Value::from(*i),
        (Value::Set(m), _) => serde_json::Value::from(*m),
    }
}

impl EvalReport {
    /// Build the report for one cluster.
    pub fn new(rules: &RuleSet, facts_file: &str, facts: &Facts, outcome: &Outcome) -> Self {
        let program = &rules.program;
        let type_name = |id: TypeId| {
            program
                .cluster_type(id)
                .map(|t| t.name.clone())
                .unwrap_or_default()
        };
        let fact_names = |ids: &[FactId]| -> Vec<String> {
            ids.iter()
                .filter_map(|f| program.fact(*f).map(|f| f.name.clone()))
                .collect()
        };
        let params = program
            .params
            .iter()
            .filter(|p| p.overridden)
            .map(|p| (p.name.clone(), value_json(&p.value, &p.ty)))
            .collect();
        let types = program
            .types
            .iter()
            .zip(&outcome.types)
            .map(|(t, o)| {
                let total = t.total_weight();
                let met: f64 = t
                    .indicative
                    .iter()
                    .zip(&o.indicative)
                    .filter(|(_, truth)| **truth == crate::value::Truth::True)
                    .map(|(c, _)| c.weight)
                    .sum::<f64>()
                    + 0.0;
                TypeReport {
                    name: t.name.clone(),
                    label: t.meta.label.clone(),
                    extends: t.parent.map(type_name),
                    status: o.status,
                    score: round4(o.score),
                    score_max: round4(o.score_max),
                    met_weight: met,
                    total_weight: total,
                    failed_required: t
                        .required
                        .iter()
                        .zip(&o.required)
                        .filter(|(_, truth)| **truth == crate::value::Truth::False)
                        .map(|(c, _)| c.name.clone())
                        .collect(),
                    excluded_by: t
                        .excluding
                        .iter()
                        .zip(&o.excluding)
                        .filter(|(_, truth)| **truth == crate::value::Truth::True)
                        .map(|(c, _)| c.name.clone())
                        .collect(),
                    unknown_facts: if o.status == TypeStatus::Undetermined {
                        fact_names(&o.unknown_facts)
                    } else {
                        Vec::new()
                    },
                    settled_facts: fact_names(&o.settled_facts),
                }
            })
            .collect();
        let policies = outcome
            .applicable
            .iter()
            .enumerate()
            .filter_map(|(i, id)| policy_report(program, outcome, *id, i + 1))
            .collect();
        let undetermined_policies = program
            .policy_order
            .iter()
            .filter_map(|id| {
                let o = outcome.policies.get(id.index())?;
                let p = program.policy(*id)?;
                (o.status == PolicyStatus::Undetermined).then(|| UndeterminedPolicy {
                    policy: p.name.clone(),
                    kind: p.kind.code(),
                    unknown_facts: fact_names(&o.unknown_facts),
                })
            })
            .collect();
        let unknown_facts = program
            .facts
            .iter()
            .zip(&facts.values)
            .filter(|(_, v)| !v.is_known())
            .map(|(f, _)| f.name.clone())
            .collect();
        EvalReport {
            meso_version: crate::VERSION.to_string(),
            rules_fingerprint: rules.fingerprint.clone(),
            rules_source: rules.origin.describe(),
            facts_fingerprint: facts::fingerprint(program, facts),
            facts_file: facts_file.to_string(),
            params,
            classification: outcome.classification.map(type_name),
            classification_label: outcome
                .classification
                .and_then(|id| program.cluster_type(id))
                .and_then(|t| t.meta.label.clone()),
            tied: outcome.tied.iter().map(|id| type_name(*id)).collect(),
            hybrids: outcome.hybrids.iter().map(|id| type_name(*id)).collect(),
            types,
            policies,
            undetermined_policies,
            unknown_facts,
            provisional: crate::trace::provisional::of_outcome(rules, facts, outcome).map(|p| {
                Provisional {
                    policies: provisional_policies(program, outcome),
                    name: p.name,
                    label: p.label,
                    score: p.score,
                    score_max: p.score_max,
                    explanation: p.explanation,
                    deciding: p.deciding,
                    unknown_facts: p.unknown_facts,
                    alternatives: p.alternatives,
                }
            }),
        }
    }
}

/// The policies the provisional lead would bring in, each `for` the lead or the ancestors
/// of it that brought it in.
fn provisional_policies(program: &Program, outcome: &Outcome) -> Vec<PolicyReport> {
    let lineage: Vec<TypeId> = outcome
        .provisional
        .map(|lead| program.lineage(lead).collect())
        .unwrap_or_default();
    outcome
        .provisional_policies
        .iter()
        .enumerate()
        .filter_map(|(i, id)| {
            let mut report = policy_report(program, outcome, *id, i + 1)?;
            report.for_types = program
                .policy(*id)?
                .for_types
                .iter()
                .filter(|t| lineage.contains(t))
                .filter_map(|t| program.cluster_type(*t).map(|t| t.name.clone()))
                .collect();
            Some(report)
        })
        .collect()
}

fn policy_report(
    program: &Program,
    outcome: &Outcome,
    id: PolicyId,
    order: usize,
) -> Option<PolicyReport> {
    let p = program.policy(id)?;
    let o = outcome.policies.get(id.index())?;
    Some(PolicyReport {
        order,
        policy: p.name.clone(),
        kind: p.kind.code(),
        phase: p.phase,
        label: p.meta.label.clone(),
        for_types: o
            .matched_types
            .iter()
            .filter_map(|t| program.cluster_type(*t).map(|t| t.name.clone()))
            .collect(),
        after: p
            .after
            .iter()
            .filter_map(|a| program.policy(*a).map(|a| a.name.clone()))
            .collect(),
        advice: p.advice.clone(),
        rationale: p.rationale.clone(),
        cite: p.meta.cite.clone(),
    })
}
