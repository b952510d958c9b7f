//! Evaluation, the summary layer's general walk: a compiled plan's truth array → a batch
//! row ([`OutcomeSummary`]), for plans too large for the word operations of `bitwise.rs`.
//! The plan is laid out once ([`Layout`]: types with every parent first, policies in output
//! order, their slots in flat lists) so no record looks anything up through the program.

use super::{OutcomeSummary, TypeSummary};
use crate::eval::compiled::Plan;
use crate::eval::reference::run::{score_of, SCORE_EPSILON};
use crate::ir::{PolicyId, Program, TypeId};
use crate::value::Truth;
use crate::vocab::TypeStatus;

/// A half-open range into one of [`Layout`]'s flat lists.
#[derive(Clone, Copy, Debug, Default)]
struct Span {
    start: u32,
    end: u32,
}

impl Span {
    /// Append `items` to `list` and return where they are.
    fn push<T: Copy>(list: &mut Vec<T>, items: &[T]) -> Span {
        let start = list.len();
        list.extend_from_slice(items);
        Span {
            start: id(start),
            end: id(list.len()),
        }
    }

    fn of<T>(self, list: &[T]) -> &[T] {
        list.get(self.start as usize..self.end as usize)
            .unwrap_or_default()
    }
}

fn id(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// No parent type, no condition.
const NONE: u32 = u32::MAX;

/// One type's part of the summary layout.
#[derive(Clone, Debug)]
struct TypeEntry {
    /// The type (`TypeId` index)
    index: u32,
    /// Its parent type, or `NONE`
    parent: u32,
    /// Truth slots of its required and excluding criteria (in `Layout::slots`)
    required: Span,
    excluding: Span,
    /// Truth slots of its indicative criteria (in `Layout::slots`) and their weights (the
    /// same positions in `Layout::weights`)
    indicative: Span,
    total_weight: f64,
}

/// One policy's part of the summary layout.
#[derive(Clone, Debug)]
struct PolicyEntry {
    id: PolicyId,
    /// Its `for` types (in `Layout::for_types`)
    for_types: Span,
    /// Truth slot of its `when` condition, or `NONE`
    condition: u32,
}

/// What [`summarize`] walks, laid out once per plan: types with every parent first, policies
/// in output order, their slots in flat lists (no lookups through the program per record).
#[derive(Clone, Debug, Default)]
pub(super) struct Layout {
    types: Vec<TypeEntry>,
    policies: Vec<PolicyEntry>,
    slots: Vec<u32>,
    weights: Vec<f64>,
    for_types: Vec<u32>,
}

impl Layout {
    /// The layout of `plan`, made from `program`.
    pub(super) fn new(program: &Program, plan: &Plan) -> Self {
        let mut layout = Layout::default();
        for &i in &plan.type_order {
            // INVARIANT: `plan` was compiled from `program` (`Compiled::new` builds every
            // layout from the plan it has just made); `type_order` places every type index
            // of the program once and the plan has one `TypePlan` per type (`Plan::new`),
            // so neither look-up fails (tested in `compiled/plan.rs`).
            let (Some(tp), Some(ty)) = (plan.types.get(i), program.types.get(i)) else {
                continue;
            };
            let required = Span::push(&mut layout.slots, &tp.required);
            let excluding = Span::push(&mut layout.slots, &tp.excluding);
            let indicative = Span::push(&mut layout.slots, &tp.indicative);
            // Weights sit at the same positions as the indicative slots.
            layout.weights.resize(indicative.start as usize, 0.0);
            layout.weights.extend_from_slice(&tp.weights);
            layout.types.push(TypeEntry {
                index: id(i),
                parent: ty.parent.map_or(NONE, |p| id(p.index())),
                required,
                excluding,
                indicative,
                total_weight: tp.total_weight,
            });
        }
        for &pid in &program.policy_order {
            // INVARIANT: the checker builds `policy_order` from the program's own policies.
            let Some(policy) = program.policy(pid) else {
                continue;
            };
            let types: Vec<u32> = policy.for_types.iter().map(|t| id(t.index())).collect();
            layout.policies.push(PolicyEntry {
                id: pid,
                for_types: Span::push(&mut layout.for_types, &types),
                condition: plan
                    .conditions
                    .get(pid.index())
                    .copied()
                    .flatten()
                    .unwrap_or(NONE),
            });
        }
        layout
    }
}

/// Statuses, scores, applicable list and classification from the truth array; false when
/// something is undetermined (the caller then evaluates in full).
#[inline(never)]
pub(super) fn summarize(
    layout: &Layout,
    n_types: usize,
    truths: &[Truth],
    out: &mut OutcomeSummary,
    has_matched_child: &mut Vec<bool>,
) -> bool {
    let get = |slot: u32| truths.get(slot as usize).copied().unwrap_or(Truth::Unknown);
    out.types.resize(
        n_types,
        TypeSummary {
            status: TypeStatus::NotMatched,
            score: 1.0,
        },
    );
    out.types.truncate(n_types);
    out.applicable.clear();
    out.unknown_facts.clear();
    out.provisional = None;
    out.provisional_policies.clear();
    out.classification = None;
    has_matched_child.clear();
    has_matched_child.resize(n_types, false);
    for entry in &layout.types {
        let mut own = entry
            .required
            .of(&layout.slots)
            .iter()
            .fold(Truth::True, |acc, &s| acc.min(get(s)));
        let excluded = entry
            .excluding
            .of(&layout.slots)
            .iter()
            .fold(Truth::False, |acc, &s| acc.max(get(s)));
        own = own.min(excluded.not());
        if let Some(parent) = out.types.get(entry.parent as usize) {
            own = own.min(match parent.status {
                TypeStatus::Matched => Truth::True,
                TypeStatus::NotMatched => Truth::False,
                TypeStatus::Undetermined => Truth::Unknown,
            });
        }
        if own == Truth::Unknown {
            return false;
        }
        let slots = entry.indicative.of(&layout.slots);
        let weights = entry.indicative.of(&layout.weights);
        let criteria = slots
            .iter()
            .zip(weights)
            .map(|(&s, &w)| (w, get(s) == Truth::True));
        let score = score_of(criteria, entry.total_weight);
        let matched = own == Truth::True;
        if let Some(t) = out.types.get_mut(entry.index as usize) {
            *t = TypeSummary {
                status: if matched {
                    TypeStatus::Matched
                } else {
                    TypeStatus::NotMatched
                },
                score,
            };
        }
        if matched {
            if let Some(mark) = has_matched_child.get_mut(entry.parent as usize) {
                *mark = true;
            }
        }
    }
    let types = &out.types;
    let matched = |t: &u32| types.get(*t as usize).map(|t| t.status) == Some(TypeStatus::Matched);
    for entry in &layout.policies {
        if !entry.for_types.of(&layout.for_types).iter().any(matched) {
            // No type is undetermined here, so the policy does not apply.
            continue;
        }
        let condition = if entry.condition == NONE {
            Truth::True
        } else {
            get(entry.condition)
        };
        match condition {
            Truth::True => out.applicable.push(entry.id),
            Truth::Unknown => return false,
            Truth::False => {}
        }
    }
    // Classification: the most specific matched types (no matched child), best score first.
    let mut best: Option<(usize, f64)> = None;
    for (i, (t, child)) in out.types.iter().zip(has_matched_child.iter()).enumerate() {
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
