//! Trace stage, the provisional lead: an `Outcome` whose most specific open types lead
//! provisionally (see `eval`'s provisional layer) → [`Provisional`], with the unknown
//! criteria that decide it and the single-fact conditions that would confirm or refute it.
//!
//! Input: a recorded run through [`Ctx`] and the `Outcome`. Output: the summary's
//! `provisional` part, shared by the trace and by `meso eval`'s report.

use crate::eval::Outcome;
use crate::facts::Facts;
use crate::ir::{ExprId, PolicyId, TypeId};
use crate::ruleset::RuleSet;
use crate::trace::build::ancestors;
use crate::trace::flip::changes;
use crate::trace::model::{Deciding, PolicyLine, Provisional, Section};
use crate::trace::record::record;
use crate::trace::tree::Ctx;
use crate::trace::whynot::{fact_names, missing_facts};
use crate::value::{round4, Truth};

/// The provisional lead of `outcome` (evaluated from `facts` with `rules`), if one leads:
/// for reports that do not carry a whole trace (`meso eval`). The run is recorded again
/// only when something leads, so settled clusters cost nothing more.
pub fn of_outcome(rules: &RuleSet, facts: &Facts, outcome: &Outcome) -> Option<Provisional> {
    outcome.provisional?;
    let (_, rec) = record(&rules.program, facts);
    let files: Vec<String> = rules.files.iter().map(|f| f.path.clone()).collect();
    let ctx = Ctx {
        program: &rules.program,
        rec: &rec,
        facts,
        files: &files,
        facts_label: "",
    };
    provisional(&ctx, outcome)
}

/// The provisional lead of `outcome`, if one leads.
pub fn provisional(ctx: &Ctx<'_>, outcome: &Outcome) -> Option<Provisional> {
    let program = ctx.program;
    let id = outcome.provisional?;
    let ty = program.cluster_type(id)?;
    let o = outcome.types.get(id.index())?;
    let mut deciding = Vec::new();
    for owner in ancestors(program, id).into_iter().chain([id]) {
        let (Some(owner_ty), Some(owner_o)) = (
            program.cluster_type(owner),
            outcome.types.get(owner.index()),
        ) else {
            continue;
        };
        let inherited_from = (owner != id).then(|| owner_ty.name.clone());
        let lists = [
            (Section::Required, &owner_ty.required, &owner_o.required),
            (Section::Excluding, &owner_ty.excluding, &owner_o.excluding),
        ];
        for (section, list, truths) in lists {
            for (c, truth) in list.iter().zip(truths) {
                if *truth != Truth::Unknown {
                    continue;
                }
                let mut unknown = Vec::new();
                missing_facts(ctx, c.expr, &mut unknown, &mut Vec::new());
                let holds = section == Section::Required;
                deciding.push(Deciding {
                    criterion: c.name.clone(),
                    section,
                    inherited_from: inherited_from.clone(),
                    source: ctx.expr_text(c.expr),
                    location: ctx.location(c.span),
                    unknown_facts: fact_names(ctx, unknown),
                    confirm: conditions(ctx, c.expr, holds),
                    refute: conditions(ctx, c.expr, !holds),
                });
            }
        }
    }
    let unknown_facts = fact_names(ctx, o.unknown_facts.clone());
    let type_name = |t: &TypeId| program.cluster_type(*t).map(|t| t.name.clone());
    Some(Provisional {
        name: ty.name.clone(),
        label: ty.meta.label.clone(),
        score: round4(o.score),
        score_max: round4(o.score_max),
        explanation: explanation(&ty.name, o.score, &deciding),
        deciding,
        unknown_facts,
        alternatives: outcome
            .provisional_alternatives
            .iter()
            .filter_map(type_name)
            .collect(),
        policies: policy_lines(ctx, &outcome.provisional_policies),
    })
}

/// What makes the criterion `expr` come out `want`: the single-fact changes that do it
/// (`employment >= 500 (min_cluster_employment)`), or, when no single missing fact decides
/// it alone, the condition itself.
fn conditions(ctx: &Ctx<'_>, expr: ExprId, want: bool) -> Vec<String> {
    // Only the missing facts settle it: the known ones are facts, not open questions.
    let found: Vec<String> = changes(ctx, expr, want, "it")
        .into_iter()
        .filter(|c| c.current.is_null())
        .map(|c| match c.param {
            Some(p) => format!("{} {} ({p})", c.fact, c.requirement),
            None => format!("{} {}", c.fact, c.requirement),
        })
        .collect();
    if !found.is_empty() {
        return found;
    }
    let text = ctx.expr_text(expr);
    vec![if want {
        format!("`{text}` holds")
    } else {
        format!("`{text}` does not hold")
    }]
}

/// "provisionally `t` (score 0.86), not certain: facts are missing; confirmed if a and b;
/// refuted if c or d".
fn explanation(name: &str, score: f64, deciding: &[Deciding]) -> String {
    let mut s =
        format!("provisionally `{name}` (score {score:.2}), not certain: facts are missing");
    if let Some(confirm) = confirm_text(deciding) {
        s.push_str(&format!("; confirmed if {confirm}"));
    }
    if let Some(refute) = refute_text(deciding) {
        s.push_str(&format!("; refuted if {refute}"));
    }
    s
}

fn policy_lines(ctx: &Ctx<'_>, ids: &[PolicyId]) -> Vec<PolicyLine> {
    ids.iter()
        .filter_map(|id| ctx.program.policy(*id))
        .enumerate()
        .map(|(i, p)| PolicyLine {
            order: i + 1,
            policy: p.name.clone(),
            kind: p.kind.code(),
            phase: p.phase,
            label: p.meta.label.clone(),
        })
        .collect()
}

/// What confirms a provisional classification: every deciding criterion settled its way,
/// each by any one of its conditions (None when nothing is listed).
pub(crate) fn confirm_text(deciding: &[Deciding]) -> Option<String> {
    let parts: Vec<String> = deciding
        .iter()
        .filter(|d| !d.confirm.is_empty())
        .map(|d| match d.confirm.as_slice() {
            [one] => one.clone(),
            many => format!("({})", many.join(" or ")),
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(" and "))
}

/// What refutes it: any one condition of any deciding criterion.
pub(crate) fn refute_text(deciding: &[Deciding]) -> Option<String> {
    let parts: Vec<&str> = deciding
        .iter()
        .flat_map(|d| d.refute.iter().map(String::as_str))
        .collect();
    (!parts.is_empty()).then(|| parts.join(" or "))
}
