//! Evaluation, reference layer, the provisional lead: when missing facts leave the most
//! specific types that could still match undetermined, which of them leads, and which
//! policies would apply if it were confirmed.
//!
//! Analysts' facts always have gaps; a verdict that goes silent on the first missing fact
//! is of no use to them. The lead is chosen as the classification is, among the types that
//! can still match: the most specific undetermined types (no undetermined child), below the
//! firm classification when there is one, with some evidence for them (a defining criterion
//! settled in their favour, or an indicative one met); the one whose defining criteria the
//! facts settle most in its favour leads, then the highest score, then the score if every
//! unknown indicative criterion held, then declaration order. It is never certain: every
//! output shows it apart from the firm classification, with the facts that would settle it.
//! Runs after the policies are decided, on every layer's full outcome (the batch layers
//! take the full outcome for any record with something undetermined).

use super::run::SCORE_EPSILON;
use super::Outcome;
use crate::ir::{Program, TypeId};
use crate::value::Truth;
use crate::vocab::{PolicyStatus, TypeStatus, VerdictKind};

/// Fill `out.provisional`, `out.provisional_alternatives` and `out.provisional_policies`.
pub(crate) fn lead(program: &Program, out: &mut Outcome) {
    out.provisional = None;
    out.provisional_alternatives.clear();
    out.provisional_policies.clear();
    let open = |i: usize| out.types.get(i).map(|t| t.status) == Some(TypeStatus::Undetermined);
    if !(0..out.types.len()).any(open) {
        return;
    }
    // Collected in the outcome's own list (reused from record to record, so nothing is
    // allocated once it has grown); the first after sorting is the lead.
    let mut candidates = std::mem::take(&mut out.provisional_alternatives);
    // A type with an open child type is not the most specific that can still match.
    let has_open_child = |i: usize| {
        program
            .types
            .iter()
            .enumerate()
            .any(|(j, t)| open(j) && t.parent.is_some_and(|p| p.index() == i))
    };
    let below_firm = |i: usize| match out.classification {
        None => true,
        Some(firm) => descends_from(program, TypeId::from_index(i), firm),
    };
    // Only a type with some evidence for it leads (a required criterion that holds, or an
    // indicative one met; an excluding criterion that does not hold is no evidence, as most
    // are false while their facts are missing): a record with no facts has no lead.
    let evidence = |i: usize| {
        required_holding(program, out, i) || out.types.get(i).is_some_and(|t| t.score > 0.0)
    };
    candidates.extend(
        (0..out.types.len())
            .filter(|&i| open(i) && !has_open_child(i) && below_firm(i) && evidence(i))
            .map(TypeId::from_index),
    );
    let key = |t: &TypeId| {
        let (score, max) = out
            .types
            .get(t.index())
            .map_or((0.0, 0.0), |t| (t.score, t.score_max));
        let support = support(program, out, t.index());
        [support * score, support, score, max]
    };
    // The best fit weighed by how settled it is first (the share of its defining criteria
    // settled in its favour times its score: a type that fits the ideal type well but whose
    // defining criteria are all open does not beat one that fits as well and is nearly
    // settled), then that share, then the highest score, then the best possible score (each
    // within rounding), then declaration order (the sort is stable).
    candidates.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        ka.iter()
            .zip(&kb)
            .find(|(x, y)| (*x - *y).abs() > SCORE_EPSILON)
            .map_or(std::cmp::Ordering::Equal, |(x, y)| y.total_cmp(x))
    });
    let Some(&leader) = candidates.first() else {
        out.provisional_alternatives = candidates;
        return;
    };
    candidates.remove(0);
    out.provisional_alternatives = candidates;
    out.provisional = Some(leader);
    // The policies that would apply once the lead is confirmed: left open only because a
    // type they are for is undetermined, for the lead or one of its ancestors, and with a
    // condition that holds (an unknown condition stays among the undetermined policies).
    for &id in &program.policy_order {
        let (Some(policy), Some(o)) = (program.policy(id), out.policies.get(id.index())) else {
            continue;
        };
        if o.status != PolicyStatus::Undetermined
            || !matches!(o.condition, None | Some(Truth::True))
        {
            continue;
        }
        if policy
            .for_types
            .iter()
            .any(|&t| descends_from(program, leader, t))
        {
            out.provisional_policies.push(id);
        }
    }
}

/// The share of the defining criteria of type `i` and its ancestors (required ones that
/// must hold, excluding ones that must not) that the facts already settle in its favour.
fn support(program: &Program, out: &Outcome, i: usize) -> f64 {
    let (mut settled, mut total) = (0u32, 0u32);
    for id in program.lineage(TypeId::from_index(i)) {
        let Some(t) = out.types.get(id.index()) else {
            break;
        };
        for truth in &t.required {
            total += 1;
            settled += u32::from(*truth == Truth::True);
        }
        for truth in &t.excluding {
            total += 1;
            settled += u32::from(*truth == Truth::False);
        }
    }
    if total == 0 {
        1.0
    } else {
        f64::from(settled) / f64::from(total)
    }
}

/// Whether a required criterion of type `i` or of an ancestor holds.
fn required_holding(program: &Program, out: &Outcome, i: usize) -> bool {
    program
        .lineage(TypeId::from_index(i))
        .filter_map(|id| out.types.get(id.index()))
        .any(|t| t.required.contains(&Truth::True))
}

/// How settled a cluster's verdict is, from its firm classification, its provisional lead
/// and its types' statuses (`status_of(i)` is type i's): the one judgement behind `meso
/// batch`'s `verdict` column and the library's `verdict()`. Missing facts count only where
/// the verdict is decided: below the firm classification (a more specific type could still
/// match), or anywhere when there is none.
pub fn verdict(
    program: &Program,
    status_of: impl Fn(usize) -> TypeStatus,
    classification: Option<TypeId>,
    provisional: Option<TypeId>,
) -> VerdictKind {
    let open = (0..program.types.len()).any(|i| {
        status_of(i) == TypeStatus::Undetermined
            && classification.is_none_or(|c| descends_from(program, TypeId::from_index(i), c))
    });
    VerdictKind::of(classification.is_some(), provisional.is_some(), open)
}

/// Whether `ty` is `ancestor` or one of its descendants.
fn descends_from(program: &Program, ty: TypeId, ancestor: TypeId) -> bool {
    program.lineage(ty).any(|t| t == ancestor)
}
