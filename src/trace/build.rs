//! Trace stage, assembly: a loaded rule set + facts + options → [`Trace`].
//!
//! Input: `RuleSet`, `Facts`, [`TraceOptions`]. Output: the trace model. Evaluation runs
//! once with a recorder (see `record`); everything else reads what it saw.

use crate::eval::Outcome;
use crate::facts::{self, Facts};
use crate::ir::ParamOverride;
use crate::ir::{FactId, Program, TypeId};
use crate::ruleset::{RuleOrigin, RuleSet};
use crate::trace::model::{
    CriterionTrace, DerivedTrace, FactTrace, FactsHeader, Header, Options, ParamTrace, PolicyLine,
    Provisional, RulesHeader, Section, Stamp, Summary, Trace, TypeLine, TypeTrace, TRACE_VERSION,
};
use crate::trace::record::record;
use crate::trace::tree::Ctx;
use crate::trace::values::{display, to_json, Names};
use crate::trace::{policies, whynot};
use crate::value::round4;
use crate::value::Truth;
use crate::vocab::{PolicyKind, PolicyStatus, TypeStatus};

/// What a trace records besides the rules and facts themselves.
#[derive(Clone, Debug, Default)]
pub struct TraceOptions {
    /// The facts file as named in the trace (see [`crate::trace::facts_label`])
    pub facts_label: String,
    /// `--param` overrides the rule set was loaded with, as written
    pub params: Vec<ParamOverride>,
    /// `--allow-unknown-facts`
    pub allow_unknown_facts: bool,
    /// Only this type (and its ancestors)
    pub only_type: Option<String>,
    /// Only this policy
    pub only_policy: Option<String>,
    /// Time and absolute paths (`--stamp`)
    pub stamp: Option<Stamp>,
    /// `--strict-unknowns`: no provisional classification, only what the facts settle
    pub strict_unknowns: bool,
}

/// Evaluate `facts` against `rules` and explain every result.
pub fn explain(rules: &RuleSet, facts: &Facts, opts: &TraceOptions) -> Trace {
    let program = &rules.program;
    let (mut outcome, rec) = record(program, facts);
    if opts.strict_unknowns {
        outcome.drop_provisional();
    }
    let files: Vec<String> = rules.files.iter().map(|f| f.path.clone()).collect();
    let ctx = Ctx {
        program,
        rec: &rec,
        facts,
        files: &files,
        facts_label: &opts.facts_label,
    };
    let type_name = |id: TypeId| {
        program
            .cluster_type(id)
            .map(|t| t.name.clone())
            .unwrap_or_default()
    };
    let wanted_types = selected_types(program, opts.only_type.as_deref());
    let types = program
        .types
        .iter()
        .enumerate()
        .filter(|(i, _)| wanted_types.get(*i).copied().unwrap_or(false))
        .map(|(i, _)| type_trace(&ctx, &outcome, TypeId::from_index(i)))
        .collect();
    let policies = program
        .policy_order
        .iter()
        .filter(|id| {
            opts.only_policy
                .as_deref()
                .is_none_or(|only| program.policy(**id).is_some_and(|p| p.name == only))
        })
        .filter_map(|id| policies::policy_trace(&ctx, &outcome, *id))
        .collect();
    Trace {
        trace_version: TRACE_VERSION,
        header: header(rules, facts, opts),
        summary: summary(
            program,
            &outcome,
            &type_name,
            crate::trace::provisional::provisional(&ctx, &outcome),
        ),
        types,
        policies,
        derived: derived(&ctx, &outcome),
        params: params(&ctx),
        facts: fact_table(&ctx),
    }
}

/// Which types a `--type` selection keeps: the type and its ancestors (all without one).
fn selected_types(program: &Program, only: Option<&str>) -> Vec<bool> {
    let Some(name) = only else {
        return vec![true; program.types.len()];
    };
    let mut keep = vec![false; program.types.len()];
    let mut at = program.type_id(name);
    for _ in 0..program.types.len() {
        let Some(id) = at else { break };
        if let Some(k) = keep.get_mut(id.index()) {
            *k = true;
        }
        at = program.cluster_type(id).and_then(|t| t.parent);
    }
    keep
}

fn header(rules: &RuleSet, facts: &Facts, opts: &TraceOptions) -> Header {
    Header {
        meso_version: crate::VERSION.to_string(),
        rules: RulesHeader {
            origin: match rules.origin {
                RuleOrigin::Embedded => "embedded".into(),
                RuleOrigin::Path(_) => "path".into(),
                RuleOrigin::Memory => "memory".into(),
            },
            fingerprint: rules.fingerprint.clone(),
            files: rules.files.clone(),
        },
        facts: FactsHeader {
            file: opts.facts_label.clone(),
            fingerprint: facts::fingerprint(&rules.program, facts),
        },
        options: Options {
            params: opts
                .params
                .iter()
                .map(|p| (p.name.clone(), p.value.clone()))
                .collect(),
            allow_unknown_facts: opts.allow_unknown_facts,
            only_type: opts.only_type.clone(),
            only_policy: opts.only_policy.clone(),
            strict_unknowns: opts.strict_unknowns,
        },
        stamp: opts.stamp.clone(),
    }
}

/// `recommend` or `avoid`.
pub(crate) fn policy_kind(kind: PolicyKind) -> &'static str {
    kind.code()
}

fn summary(
    program: &Program,
    outcome: &Outcome,
    type_name: &dyn Fn(TypeId) -> String,
    provisional: Option<Provisional>,
) -> Summary {
    let score = |id: TypeId| outcome.types.get(id.index()).map_or(0.0, |t| t.score);
    let explanation = match outcome.classification {
        Some(id) => {
            let mut s = format!(
                "`{}` is the most specific matched type with the highest score ({:.2})",
                type_name(id),
                score(id)
            );
            if !outcome.tied.is_empty() {
                let tied: Vec<String> = outcome.tied.iter().map(|t| type_name(*t)).collect();
                s.push_str(&format!(
                    "; tied with {} and chosen as declared first",
                    tied.join(", ")
                ));
            }
            if !outcome.hybrids.is_empty() {
                let h: Vec<String> = outcome
                    .hybrids
                    .iter()
                    .map(|t| format!("{} ({:.2})", type_name(*t), score(*t)))
                    .collect();
                s.push_str(&format!(
                    "; also matched with a lower score: {}",
                    h.join(", ")
                ));
            }
            if let Some(p) = &provisional {
                s.push_str(&format!(
                    "; missing facts leave the more specific `{}` open, and it leads provisionally",
                    p.name
                ));
            }
            s
        }
        None => match &provisional {
            Some(p) => format!(
                "no type is matched for certain: missing facts leave `{}` open, and it leads provisionally",
                p.name
            ),
            None => "no type is matched".to_string(),
        },
    };
    let mut policies = Vec::new();
    for (i, id) in outcome.applicable.iter().enumerate() {
        if let Some(p) = program.policy(*id) {
            policies.push(PolicyLine {
                order: i + 1,
                policy: p.name.clone(),
                kind: p.kind.code(),
                phase: p.phase,
                label: p.meta.label.clone(),
            });
        }
    }
    Summary {
        classification: outcome.classification.map(type_name),
        classification_label: outcome
            .classification
            .and_then(|id| program.cluster_type(id))
            .and_then(|t| t.meta.label.clone()),
        explanation,
        tied: outcome.tied.iter().map(|t| type_name(*t)).collect(),
        hybrids: outcome.hybrids.iter().map(|t| type_name(*t)).collect(),
        types: program
            .types
            .iter()
            .zip(&outcome.types)
            .map(|(t, o)| TypeLine {
                name: t.name.clone(),
                status: o.status,
                score: round4(o.score),
            })
            .collect(),
        policies,
        undetermined_policies: program
            .policy_order
            .iter()
            .filter(|id| {
                outcome.policies.get(id.index()).map(|p| p.status)
                    == Some(PolicyStatus::Undetermined)
            })
            .filter_map(|id| program.policy(*id).map(|p| p.name.clone()))
            .collect(),
        provisional,
    }
}

/// The ancestors of a type, root first.
pub(crate) fn ancestors(program: &Program, id: TypeId) -> Vec<TypeId> {
    let mut out = Vec::new();
    let mut at = program.cluster_type(id).and_then(|t| t.parent);
    for _ in 0..program.types.len() {
        let Some(p) = at else { break };
        out.push(p);
        at = program.cluster_type(p).and_then(|t| t.parent);
    }
    out.reverse();
    out
}

fn type_trace(ctx: &Ctx<'_>, outcome: &Outcome, id: TypeId) -> TypeTrace {
    let program = ctx.program;
    let mut criteria = Vec::new();
    for owner in ancestors(program, id).into_iter().chain([id]) {
        let inherited = owner != id;
        let (Some(ty), Some(o)) = (
            program.cluster_type(owner),
            outcome.types.get(owner.index()),
        ) else {
            continue;
        };
        let mut lists = vec![
            (Section::Required, &ty.required, &o.required),
            (Section::Excluding, &ty.excluding, &o.excluding),
        ];
        if !inherited {
            lists.insert(1, (Section::Indicative, &ty.indicative, &o.indicative));
        }
        for (section, list, truths) in lists {
            for (c, truth) in list.iter().zip(truths) {
                criteria.push(CriterionTrace {
                    name: c.name.clone(),
                    section,
                    weight: (section == Section::Indicative).then_some(c.weight),
                    note: c.note.clone(),
                    value: *truth,
                    location: ctx.location(c.span),
                    source: ctx.expr_text(c.expr),
                    inherited_from: inherited.then(|| ty.name.clone()),
                    tree: (!inherited).then(|| ctx.node(c.expr, Names::None)),
                });
            }
        }
    }
    let ty = program.cluster_type(id);
    let o = outcome.types.get(id.index());
    let status = o.map_or(TypeStatus::NotMatched, |o| o.status);
    let met: f64 = ty
        .map(|t| {
            t.indicative
                .iter()
                .zip(o.map(|o| o.indicative.as_slice()).unwrap_or(&[]))
                .filter(|(_, truth)| **truth == Truth::True)
                .map(|(c, _)| c.weight)
                .sum()
        })
        .unwrap_or(0.0);
    let why_not = (status != TypeStatus::Matched).then(|| whynot::type_why_not(ctx, outcome, id));
    TypeTrace {
        name: ty.map(|t| t.name.clone()).unwrap_or_default(),
        label: ty.and_then(|t| t.meta.label.clone()),
        cite: ty.and_then(|t| t.meta.cite.clone()),
        extends: ty
            .and_then(|t| t.parent)
            .and_then(|p| program.cluster_type(p))
            .map(|p| p.name.clone()),
        location: ctx.location(ty.map(|t| t.span).unwrap_or_default()),
        status,
        score: round4(o.map_or(1.0, |o| o.score)),
        score_max: round4(o.map_or(1.0, |o| o.score_max)),
        met_weight: met,
        total_weight: ty.map_or(0.0, |t| t.total_weight()),
        explanation: whynot::type_explanation(ctx, outcome, id, &criteria),
        settled_facts: o.map_or_else(Vec::new, |o| {
            whynot::fact_names(ctx, o.settled_facts.clone())
        }),
        criteria,
        why_not,
        excerpt: ctx.raw(ty.map(|t| t.span).unwrap_or_default()),
    }
}

fn derived(ctx: &Ctx<'_>, outcome: &Outcome) -> Vec<DerivedTrace> {
    ctx.program
        .derived
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let value = outcome.derived.get(i).cloned().unwrap_or_default();
            let names = Names::of_type(&d.ty);
            DerivedTrace {
                name: d.name.clone(),
                value: to_json(&value, names),
                display: display(&value, names),
                location: ctx.location(d.span),
                tree: ctx.node(d.expr, names),
            }
        })
        .collect()
}

fn params(ctx: &Ctx<'_>) -> Vec<ParamTrace> {
    ctx.program
        .params
        .iter()
        .map(|p| {
            let names = Names::of_type(&p.ty);
            ParamTrace {
                name: p.name.clone(),
                value: to_json(&p.value, names),
                display: display(&p.value, names),
                overridden: p.overridden,
                location: ctx.location(p.span),
                cite: p.meta.cite.clone(),
            }
        })
        .collect()
}

fn fact_table(ctx: &Ctx<'_>) -> Vec<FactTrace> {
    ctx.program
        .facts
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let id = FactId::from_index(i);
            let value = ctx.facts.get(id);
            let names = Names::of_fact(&f.ty);
            FactTrace {
                name: f.name.clone(),
                ty: f.ty.describe(),
                value: to_json(value, names),
                display: display(value, names),
                unit: f.meta.unit.clone(),
                origin: ctx.origin(id),
            }
        })
        .collect()
}
