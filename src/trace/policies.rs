//! Trace stage, policies: one policy or avoid item's result → [`PolicyTrace`] with its
//! `for` types, condition tree, explanation and, when it does not apply, what kept it out.
//!
//! Input: a recorded run through [`Ctx`] and the `Outcome`. Output: `PolicyTrace`.

use crate::eval::Outcome;
use crate::ir::PolicyId;
use crate::trace::build::policy_kind;
use crate::trace::flip::changes;
use crate::trace::model::{PolicyTrace, PolicyWhyNot, TypeLine};
use crate::trace::tree::Ctx;
use crate::trace::values::Names;
use crate::trace::whynot::{fact_names, missing_facts};
use crate::value::round4;
use crate::value::Truth;
use crate::vocab::{PolicyStatus, TypeStatus};

/// The trace of one policy (None for an id outside the program).
pub fn policy_trace(ctx: &Ctx<'_>, outcome: &Outcome, id: PolicyId) -> Option<PolicyTrace> {
    let program = ctx.program;
    let p = program.policy(id)?;
    let o = outcome.policies.get(id.index())?;
    let for_types: Vec<TypeLine> = p
        .for_types
        .iter()
        .filter_map(|t| {
            let ty = program.cluster_type(*t)?;
            let to = outcome.types.get(t.index())?;
            Some(TypeLine {
                name: ty.name.clone(),
                status: to.status,
                score: round4(to.score),
            })
        })
        .collect();
    let any_matched = for_types.iter().any(|t| t.status == TypeStatus::Matched);
    let describe_types = || {
        for_types
            .iter()
            .map(|t| format!("`{}` {}", t.name, t.status.words()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let condition_text = p.condition.map(|c| ctx.expr_text(c)).unwrap_or_default();
    let explanation = match o.status {
        PolicyStatus::Applies => match o.condition {
            Some(_) => format!(
                "applies: {} and its condition `{condition_text}` holds",
                matched_list(&for_types)
            ),
            None => format!("applies: {}", matched_list(&for_types)),
        },
        PolicyStatus::DoesNotApply if !any_matched => {
            format!(
                "does not apply: none of its types is matched ({})",
                describe_types()
            )
        }
        PolicyStatus::DoesNotApply => {
            format!("does not apply: its condition `{condition_text}` is false")
        }
        PolicyStatus::Undetermined if any_matched => format!(
            "undetermined: {} but its condition `{condition_text}` is unknown",
            matched_list(&for_types)
        ),
        PolicyStatus::Undetermined => {
            format!(
                "undetermined: no type is matched yet ({})",
                describe_types()
            )
        }
    };
    let why_not = (o.status != PolicyStatus::Applies).then(|| {
        let condition_false = o.condition == Some(Truth::False);
        let mut unknown = Vec::new();
        if let (Some(Truth::Unknown), Some(c)) = (o.condition, p.condition) {
            missing_facts(ctx, c, &mut unknown, &mut Vec::new());
        }
        if o.status == PolicyStatus::Undetermined {
            unknown.extend_from_slice(&o.unknown_facts);
        }
        PolicyWhyNot {
            no_type_matched: !any_matched,
            condition_false,
            changes: match p.condition {
                Some(c) if o.condition != Some(Truth::True) => changes(ctx, c, true, "the policy"),
                _ => Vec::new(),
            },
            unknown_facts: fact_names(ctx, unknown),
        }
    });
    Some(PolicyTrace {
        policy: p.name.clone(),
        kind: policy_kind(p.kind),
        label: p.meta.label.clone(),
        location: ctx.location(p.span),
        phase: p.phase,
        after: p
            .after
            .iter()
            .filter_map(|a| program.policy(*a).map(|a| a.name.clone()))
            .collect(),
        status: o.status,
        order: outcome
            .applicable
            .iter()
            .position(|a| *a == id)
            .map(|i| i + 1),
        for_types,
        condition_value: o.condition,
        condition: p.condition.map(|c| ctx.node(c, Names::None)),
        explanation,
        why_not,
        advice: p.advice.clone(),
        rationale: p.rationale.clone(),
        cite: p.meta.cite.clone(),
        excerpt: ctx.raw(p.span),
    })
}

fn matched_list(types: &[TypeLine]) -> String {
    let matched: Vec<String> = types
        .iter()
        .filter(|t| t.status == TypeStatus::Matched)
        .map(|t| format!("`{}`", t.name))
        .collect();
    match matched.as_slice() {
        [one] => format!("{one} is matched"),
        many => format!("{} are matched", many.join(", ")),
    }
}
