//! Trace stage, why not: a type that is not matched → what kept it out (failed required
//! criteria, holding excluding ones, its parent), the smallest single-fact changes that
//! would flip each, and the missing facts that would decide an undetermined result.
//!
//! Input: a recorded run through [`Ctx`] and the `Outcome`. Output: [`WhyNot`] and the
//! one-sentence explanations of type statuses.

use crate::eval::Outcome;
use crate::ir::{Expr, ExprId, FactId, TypeId};
use crate::trace::build::ancestors;
use crate::trace::flip::changes;
use crate::trace::model::{Blocker, CriterionTrace, Section, WhyNot};
use crate::trace::tree::Ctx;
use crate::value::Truth;
use crate::vocab::TypeStatus;

/// Why the type `id` is not matched.
pub fn type_why_not(ctx: &Ctx<'_>, outcome: &Outcome, id: TypeId) -> WhyNot {
    let program = ctx.program;
    let own = outcome.types.get(id.index());
    let parent_not_matched = match (
        own.and_then(|o| o.parent_status),
        program.cluster_type(id).and_then(|t| t.parent),
    ) {
        (Some(TypeStatus::NotMatched), Some(p)) => program.cluster_type(p).map(|p| p.name.clone()),
        _ => None,
    };
    let mut blockers = Vec::new();
    for owner in ancestors(program, id).into_iter().chain([id]) {
        let (Some(ty), Some(o)) = (
            program.cluster_type(owner),
            outcome.types.get(owner.index()),
        ) else {
            continue;
        };
        let inherited_from = (owner != id).then(|| ty.name.clone());
        let lists = [
            (Section::Required, &ty.required, &o.required, true),
            (Section::Excluding, &ty.excluding, &o.excluding, false),
        ];
        for (section, list, truths, want) in lists {
            for (c, truth) in list.iter().zip(truths) {
                if *truth == Truth::from_bool(want) {
                    continue;
                }
                let mut unknown = Vec::new();
                if *truth == Truth::Unknown {
                    missing_facts(ctx, c.expr, &mut unknown, &mut Vec::new());
                }
                let unknown_facts = fact_names(ctx, unknown);
                let explanation = match (section, truth) {
                    (Section::Excluding, Truth::True) => {
                        format!("excluding criterion `{}` holds", c.name)
                    }
                    (Section::Excluding, _) => format!(
                        "excluding criterion `{}` is unknown (missing: {})",
                        c.name,
                        list_or_none(&unknown_facts)
                    ),
                    (_, Truth::False) => format!("required criterion `{}` is false", c.name),
                    _ => format!(
                        "required criterion `{}` is unknown (missing: {})",
                        c.name,
                        list_or_none(&unknown_facts)
                    ),
                };
                blockers.push(Blocker {
                    criterion: c.name.clone(),
                    section,
                    inherited_from: inherited_from.clone(),
                    value: *truth,
                    source: ctx.expr_text(c.expr),
                    location: ctx.location(c.span),
                    changes: changes(ctx, c.expr, want, "the type"),
                    unknown_facts,
                    explanation,
                });
            }
        }
    }
    let unknown_facts = match own {
        Some(o) if o.status == TypeStatus::Undetermined => fact_names(ctx, o.unknown_facts.clone()),
        _ => Vec::new(),
    };
    WhyNot {
        parent_not_matched,
        blockers,
        unknown_facts,
    }
}

fn list_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

/// Names of fact ids, sorted by declaration and deduplicated.
pub fn fact_names(ctx: &Ctx<'_>, mut ids: Vec<FactId>) -> Vec<String> {
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter()
        .filter_map(|f| ctx.program.fact(f).map(|f| f.name.clone()))
        .collect()
}

/// Missing facts read by the unknown parts of `id` (through derived values too). Known
/// sub-expressions stay known whatever a missing fact turns out to be, so they are skipped.
pub fn missing_facts(ctx: &Ctx<'_>, id: ExprId, out: &mut Vec<FactId>, seen: &mut Vec<usize>) {
    if ctx.value(id).is_known() {
        return;
    }
    match ctx.program.expr(id) {
        Some(Expr::Fact(f)) if !ctx.facts.get(*f).is_known() => out.push(*f),
        Some(Expr::Fact(_)) => {}
        Some(Expr::Derived(d)) => {
            if seen.contains(&d.index()) {
                return;
            }
            seen.push(d.index());
            if let Some(decl) = ctx.program.derived.get(d.index()) {
                missing_facts(ctx, decl.expr, out, seen);
            }
        }
        Some(e) => {
            for c in crate::trace::record::children(e) {
                missing_facts(ctx, c, out, seen);
            }
        }
        None => {}
    }
}

/// One sentence: why a type has its status.
pub fn type_explanation(
    ctx: &Ctx<'_>,
    outcome: &Outcome,
    id: TypeId,
    criteria: &[CriterionTrace],
) -> String {
    let Some(o) = outcome.types.get(id.index()) else {
        return String::new();
    };
    if !o.settled_facts.is_empty() {
        let facts = fact_names(ctx, o.settled_facts.clone());
        return format!(
            "{}: decided case by case: the missing {} would not change the result (every value {} could take gives this status)",
            o.status.words(),
            facts.join(", "),
            if facts.len() == 1 { "it" } else { "they" }
        );
    }
    let parent = ctx
        .program
        .cluster_type(id)
        .and_then(|t| t.parent)
        .and_then(|p| ctx.program.cluster_type(p))
        .map(|p| p.name.as_str());
    let named = |section: Section, value: Truth| -> Vec<String> {
        criteria
            .iter()
            .filter(|c| c.section == section && c.value == value)
            .map(|c| format!("`{}`", c.name))
            .collect()
    };
    match o.status {
        TypeStatus::Matched => {
            let n = criteria
                .iter()
                .filter(|c| c.section == Section::Required)
                .count();
            let mut s = format!(
                "{}: all {n} required criteria hold and no excluding criterion holds",
                o.status.words()
            );
            if let Some(p) = parent {
                s.push_str(&format!(" (including those inherited from `{p}`)"));
            }
            s
        }
        TypeStatus::NotMatched => {
            let mut parts = Vec::new();
            if let (Some(TypeStatus::NotMatched), Some(p)) = (o.parent_status, parent) {
                parts.push(format!(
                    "its parent type `{p}` is {}",
                    TypeStatus::NotMatched.words()
                ));
            }
            let failed = named(Section::Required, Truth::False);
            if !failed.is_empty() {
                parts.push(format!("required {} false", is_are(&failed)));
            }
            let excluded = named(Section::Excluding, Truth::True);
            if !excluded.is_empty() {
                parts.push(format!("excluded by {}", excluded.join(", ")));
            }
            format!("{}: {}", o.status.words(), parts.join("; "))
        }
        TypeStatus::Undetermined => {
            let mut open = named(Section::Required, Truth::Unknown);
            open.extend(named(Section::Excluding, Truth::Unknown));
            let facts = fact_names(ctx, o.unknown_facts.clone());
            format!(
                "{}: {} unknown; missing facts that would decide it: {}",
                o.status.words(),
                is_are(&open),
                list_or_none(&facts)
            )
        }
    }
}

fn is_are(names: &[String]) -> String {
    match names {
        [one] => format!("{one} is"),
        many => format!("{} are", many.join(", ")),
    }
}
