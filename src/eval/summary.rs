//! Evaluation stage, the lean result for batches: `ir::Program` + `Facts` → [`OutcomeSummary`], what
//! one output row of `meso batch` needs (each type's status and score, the classification,
//! the applicable policies in output order, and the unknown facts when something is
//! undetermined), the same values as the full [`Outcome`](crate::eval::Outcome).
//!
//! The plan's truth array is read directly: no per-type or per-policy vectors are filled.
//! When a type or policy comes out undetermined, the record is evaluated again in full
//! (`evaluate_into`) and the summary is taken from that outcome, so unknown facts are found
//! exactly as everywhere else.

use crate::eval::engine::SCORE_EPSILON;
use crate::eval::plan::Plan;
use crate::eval::{evaluate_into, fast, Outcome, PolicyStatus, TypeStatus};
use crate::facts::Facts;
use crate::ir::{FactId, PolicyId, Program, TypeId};
use crate::value::Truth;

/// A type's status and score in a [`OutcomeSummary`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TypeSummary {
    /// Matched, not matched or undetermined (through `extends`)
    pub status: TypeStatus,
    /// Met indicative weight / total weight; 1 with no indicative criteria
    pub score: f64,
}

/// What a batch row needs from one evaluation; reused between records.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OutcomeSummary {
    /// Per type (by `TypeId`)
    pub types: Vec<TypeSummary>,
    /// The most specific matched type with the highest score (ties: declaration order)
    pub classification: Option<TypeId>,
    /// Policies and avoid items that apply, in output order
    pub applicable: Vec<PolicyId>,
    /// Missing facts that left a type or policy undetermined, sorted, no repeats (empty when
    /// everything is decided)
    pub unknown_facts: Vec<FactId>,
    /// The full outcome: plan cache, derived values, and the result when something is open
    full: Outcome,
    /// Scratch: which types have a matched child type
    has_matched_child: Vec<bool>,
}

/// Evaluate into a reused [`OutcomeSummary`]: the same statuses, scores, classification and
/// applicable policies as [`evaluate_into`], without building the full outcome unless a
/// type or policy is undetermined.
pub fn evaluate_summary_into(program: &Program, facts: &Facts, out: &mut OutcomeSummary) {
    let mut cache = std::mem::take(&mut out.full.plan);
    let plan = match cache.plan.take() {
        Some(plan) if plan.is_for(program) => plan,
        _ => Box::new(Plan::new(program, &program.params)),
    };
    fast::conditions(
        program,
        &plan,
        &program.params,
        facts,
        &mut cache.truths,
        &mut out.full.derived,
    );
    let decided = summarize(program, &plan, &cache.truths, out);
    cache.plan = Some(plan);
    out.full.plan = cache;
    if !decided {
        evaluate_into(program, facts, &mut out.full);
        from_outcome(&out.full, &mut out.types, &mut out.applicable);
        out.classification = out.full.classification;
        unknown_facts(&out.full, &mut out.unknown_facts);
    }
}

/// Statuses, scores, applicable list and classification from the truth array; false when
/// something is undetermined (the caller then evaluates in full).
fn summarize(program: &Program, plan: &Plan, truths: &[Truth], out: &mut OutcomeSummary) -> bool {
    let get = |slot: &u32| {
        truths
            .get(*slot as usize)
            .copied()
            .unwrap_or(Truth::Unknown)
    };
    let n = program.types.len();
    out.types.resize(
        n,
        TypeSummary {
            status: TypeStatus::NotMatched,
            score: 1.0,
        },
    );
    out.types.truncate(n);
    out.applicable.clear();
    out.unknown_facts.clear();
    out.classification = None;
    for &i in &plan.type_order {
        let (Some(tp), Some(ty)) = (plan.types.get(i), program.types.get(i)) else {
            continue;
        };
        let mut own = tp.required.iter().map(get).fold(Truth::True, Truth::and);
        let excluded = tp.excluding.iter().map(get).fold(Truth::False, Truth::or);
        own = own.and(excluded.not());
        if let Some(p) = ty.parent.and_then(|p| out.types.get(p.index())) {
            own = own.and(match p.status {
                TypeStatus::Matched => Truth::True,
                TypeStatus::NotMatched => Truth::False,
                TypeStatus::Undetermined => Truth::Unknown,
            });
        }
        if own == Truth::Unknown {
            return false;
        }
        let mut met = 0.0;
        for (slot, w) in tp.indicative.iter().zip(&tp.weights) {
            if get(slot) == Truth::True {
                met += w;
            }
        }
        let score = if tp.total_weight > 0.0 {
            met / tp.total_weight
        } else {
            1.0
        };
        if let Some(t) = out.types.get_mut(i) {
            *t = TypeSummary {
                status: if own == Truth::True {
                    TypeStatus::Matched
                } else {
                    TypeStatus::NotMatched
                },
                score,
            };
        }
    }
    let matched =
        |t: TypeId| out.types.get(t.index()).map(|t| t.status) == Some(TypeStatus::Matched);
    for &id in &program.policy_order {
        let Some(policy) = program.policy(id) else {
            continue;
        };
        if !policy.for_types.iter().any(|&t| matched(t)) {
            // No type is undetermined here, so the policy does not apply.
            continue;
        }
        let condition = plan
            .conditions
            .get(id.index())
            .copied()
            .flatten()
            .map_or(Truth::True, |slot| get(&slot));
        match condition {
            Truth::True => out.applicable.push(id),
            Truth::Unknown => return false,
            Truth::False => {}
        }
    }
    // Classification: the most specific matched types (no matched child), best score first.
    out.has_matched_child.clear();
    out.has_matched_child.resize(n, false);
    for (ty, t) in program.types.iter().zip(&out.types) {
        if let (TypeStatus::Matched, Some(p)) = (t.status, ty.parent) {
            if let Some(mark) = out.has_matched_child.get_mut(p.index()) {
                *mark = true;
            }
        }
    }
    let mut best: Option<(usize, f64)> = None;
    for (i, (t, child)) in out.types.iter().zip(&out.has_matched_child).enumerate() {
        if t.status != TypeStatus::Matched || *child {
            continue;
        }
        if best.is_none_or(|(_, s)| t.score > s + SCORE_EPSILON) {
            best = Some((i, t.score));
        }
    }
    out.classification = best.map(|(i, _)| TypeId::from_index(i));
    true
}

fn from_outcome(full: &Outcome, types: &mut Vec<TypeSummary>, applicable: &mut Vec<PolicyId>) {
    types.clear();
    types.extend(full.types.iter().map(|t| TypeSummary {
        status: t.status,
        score: t.score,
    }));
    applicable.clear();
    applicable.extend_from_slice(&full.applicable);
}

/// The facts whose absence left a type or policy undetermined, sorted, without repeats.
fn unknown_facts(outcome: &Outcome, list: &mut Vec<FactId>) {
    list.clear();
    for t in &outcome.types {
        if t.status == TypeStatus::Undetermined {
            list.extend_from_slice(&t.unknown_facts);
        }
    }
    for p in &outcome.policies {
        if p.status == PolicyStatus::Undetermined {
            list.extend_from_slice(&p.unknown_facts);
        }
    }
    list.sort_unstable();
    list.dedup();
}
