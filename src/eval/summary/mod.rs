//! Evaluation, the summary layer: the lean result for batches. A compiled plan + `Facts` →
//! [`OutcomeSummary`], what one output row of `meso batch` needs (each type's status and
//! score, the classification, the applicable policies in output order, and the unknown
//! facts when something is undetermined), the same values as the full `Outcome`.
//!
//! [`SummaryPlan`] holds the compiled plan and this layer's layouts of it, built once: the
//! plan's truth array is read directly, and no per-type or per-policy vectors are filled.
//! Two walks do it: by word operations on the truths packed into bit sets (`bitwise.rs`, for
//! plans of up to 256 slots and 64 types) and, for larger plans, the general walk over a
//! flat layout (`walk.rs`). Small plans of comparisons and logic skip the truth array
//! altogether: `direct.rs` evaluates the facts straight into the bit sets. A test below
//! holds all of them to the same answers. When a type or policy comes out undetermined, the
//! record is evaluated again in full by the compiled layer and the summary is taken from
//! that outcome, so unknown facts are found exactly as everywhere else. Imports only the
//! layers under it (compiled, reference).

pub(crate) mod bitwise;
pub(crate) mod direct;
mod walk;

use crate::eval::compiled::{self, Plan};
use crate::eval::reference::Outcome;
use crate::facts::Facts;
use crate::ir::{FactId, PolicyId, Program, TypeId};
use crate::vocab::{PolicyStatus, TypeStatus};

/// A type's status and score in a [`OutcomeSummary`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TypeSummary {
    /// Matched, not matched or undetermined (through `extends`)
    pub status: TypeStatus,
    /// Met indicative weight / total weight; 1 with no indicative criteria
    pub score: f64,
}

/// What a batch row needs from one evaluation; reused between records (only results: the
/// working space is the evaluator's).
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
    /// The provisional lead when something is undetermined (see `Outcome::provisional`)
    pub provisional: Option<TypeId>,
    /// Policies and avoid items that would apply if the lead were confirmed, in output order
    pub provisional_policies: Vec<PolicyId>,
}

/// One record's batch row: what an [`OutcomeSummary`] holds, borrowed (from a summary, or
/// from the rows of the block evaluator).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Row<'a> {
    /// Per type (by `TypeId`)
    pub types: &'a [TypeSummary],
    /// The most specific matched type with the highest score (ties: declaration order)
    pub classification: Option<TypeId>,
    /// Policies and avoid items that apply, in output order
    pub applicable: Applicable<'a>,
    /// Missing facts that left a type or policy undetermined, sorted, no repeats
    pub unknown_facts: &'a [FactId],
    /// The provisional lead when something is undetermined (see `Outcome::provisional`)
    pub provisional: Option<TypeId>,
    /// Policies and avoid items that would apply if the lead were confirmed, in output order
    pub provisional_policies: &'a [PolicyId],
}

/// The policies and avoid items that apply to a record, in output order: a list, or (from
/// the block evaluator) a set of positions in the program's policy order.
#[derive(Clone, Copy, Debug)]
pub enum Applicable<'a> {
    /// Their ids, in output order
    List(&'a [PolicyId]),
    /// Bit i set: `order[i]` applies (`order` is the output order, at most 64 policies)
    Set { order: &'a [PolicyId], set: u64 },
}

impl<'a> Applicable<'a> {
    /// The ids, in output order.
    pub fn iter(&self) -> ApplicableIter<'a> {
        match *self {
            Applicable::List(ids) => ApplicableIter::List(ids.iter()),
            Applicable::Set { order, set } => ApplicableIter::Set { order, set },
        }
    }

    /// How many apply.
    pub fn len(&self) -> usize {
        match self {
            Applicable::List(ids) => ids.len(),
            Applicable::Set { set, .. } => set.count_ones() as usize,
        }
    }

    /// Whether none applies.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether `id` applies.
    pub fn contains(&self, id: PolicyId) -> bool {
        self.iter().any(|p| p == id)
    }

    /// The ids, in output order, as a vector.
    pub fn to_vec(&self) -> Vec<PolicyId> {
        self.iter().collect()
    }
}

impl PartialEq for Applicable<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

/// The ids of an [`Applicable`], in output order.
#[derive(Clone, Debug)]
pub enum ApplicableIter<'a> {
    List(std::slice::Iter<'a, PolicyId>),
    Set { order: &'a [PolicyId], set: u64 },
}

impl Iterator for ApplicableIter<'_> {
    type Item = PolicyId;

    fn next(&mut self) -> Option<PolicyId> {
        match self {
            ApplicableIter::List(ids) => ids.next().copied(),
            ApplicableIter::Set { order, set } => loop {
                if *set == 0 {
                    return None;
                }
                let i = set.trailing_zeros() as usize;
                *set &= *set - 1;
                if let Some(&id) = order.get(i) {
                    return Some(id);
                }
            },
        }
    }
}

impl OutcomeSummary {
    /// This summary as a row.
    pub fn row(&self) -> Row<'_> {
        Row {
            types: &self.types,
            classification: self.classification,
            applicable: Applicable::List(&self.applicable),
            unknown_facts: &self.unknown_facts,
            provisional: self.provisional,
            provisional_policies: &self.provisional_policies,
        }
    }
}

/// A compiled plan with the summary layer's layouts of it, built once.
#[derive(Clone, Debug)]
pub(crate) struct SummaryPlan {
    /// The compiled plan (the truth slots the layouts point into)
    pub(crate) plan: Plan,
    /// How the truths are walked to a row
    walk: Walk,
    /// The plan laid out for evaluation straight to bits, when it allows (see `direct.rs`)
    direct: Option<direct::Direct>,
}

/// The walk from a plan's truths to a row: one or the other, whichever fits.
#[derive(Clone, Debug)]
enum Walk {
    /// The plan's types and policies as masks, when it is small enough (see `bitwise.rs`)
    Words(bitwise::Masks),
    /// Laid out flat for the general walk, for plans too large for masks (see `walk.rs`)
    Flat(walk::Layout),
}

impl SummaryPlan {
    /// The layouts of `plan`, compiled from `program`.
    pub(crate) fn new(program: &Program, plan: Plan) -> Self {
        let walk = match bitwise::Masks::new(program, &plan) {
            Some(masks) => Walk::Words(masks),
            None => Walk::Flat(walk::Layout::new(program, &plan)),
        };
        let direct = direct::Direct::new(&plan);
        SummaryPlan { plan, walk, direct }
    }
}

/// Working space of the one-record paths, kept between records.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scratch {
    /// The compiled plan's truth array
    pub(crate) plan: compiled::Scratch,
    /// The full outcome: derived values, and the result when something is open
    full: Outcome,
    /// Which types have a matched child type (general walk)
    has_matched_child: Vec<bool>,
}

/// Evaluate into a reused [`OutcomeSummary`]: the same statuses, scores, classification and
/// applicable policies as the full evaluation, without building the full outcome unless a
/// type or policy is undetermined. `sp` is compiled from `program`.
pub(crate) fn evaluate_into(
    program: &Program,
    sp: &SummaryPlan,
    facts: &Facts,
    out: &mut OutcomeSummary,
    scratch: &mut Scratch,
) {
    let decided = match (&sp.direct, &sp.walk) {
        // Small plans of comparisons and logic: straight from the facts to bit sets.
        (Some(direct), Walk::Words(bitwise::Masks::One(masks))) => {
            let (holds, fails) = direct.run(&facts.values);
            bitwise::summarize_bits(masks, holds, fails, word_parts(out))
        }
        _ => {
            compiled::run::conditions(
                program,
                &sp.plan,
                &program.params,
                facts,
                &mut scratch.plan,
                &mut scratch.full.derived,
            );
            let truths = &scratch.plan.truths;
            match &sp.walk {
                Walk::Words(masks) => bitwise::summarize(masks, truths, word_parts(out)),
                Walk::Flat(layout) => walk::summarize(
                    layout,
                    program.types.len(),
                    truths,
                    out,
                    &mut scratch.has_matched_child,
                ),
            }
        }
    };
    if !decided {
        evaluate_in_full(program, &sp.plan, facts, out, scratch);
    }
}

/// The summary taken from the full outcome: for a record known to leave a type or policy
/// undetermined (the block evaluator knows it from its words), with no quicker attempt.
pub(crate) fn evaluate_in_full(
    program: &Program,
    plan: &Plan,
    facts: &Facts,
    out: &mut OutcomeSummary,
    scratch: &mut Scratch,
) {
    let full = &mut scratch.full;
    compiled::run::run_plan(
        program,
        plan,
        &program.params,
        facts,
        full,
        &mut scratch.plan,
    );
    from_outcome(full, &mut out.types, &mut out.applicable);
    out.classification = full.classification;
    unknown_facts(full, &mut out.unknown_facts);
    out.provisional = full.provisional;
    out.provisional_policies.clear();
    out.provisional_policies
        .extend_from_slice(&full.provisional_policies);
}

/// The parts of `out` the word-operation walks fill, its unknown facts cleared (they are
/// found only by the full evaluation).
fn word_parts(out: &mut OutcomeSummary) -> bitwise::Summary<'_> {
    out.unknown_facts.clear();
    out.provisional = None;
    out.provisional_policies.clear();
    bitwise::Summary {
        types: &mut out.types,
        applicable: &mut out.applicable,
        classification: &mut out.classification,
    }
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

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )]

    use super::walk::{summarize, Layout};
    use super::{bitwise, word_parts, OutcomeSummary, SummaryPlan};
    use crate::eval::compiled::run::conditions;
    use crate::eval::compiled::{Plan, Scratch};
    use crate::eval::test_program as program;
    use crate::facts::Facts;
    use crate::ir::{FactType, Program};
    use crate::value::Value;

    /// Random facts (xorshift), a share of them unknown, numbers near round thresholds.
    fn facts(program: &Program, state: &mut u64, unknown_in: u64) -> Facts {
        let mut next = || {
            *state ^= *state << 13;
            *state ^= *state >> 7;
            *state ^= *state << 17;
            *state
        };
        let mut facts = Facts::unknown(program.facts.len());
        for (slot, fact) in facts.values.iter_mut().zip(&program.facts) {
            if next() % unknown_in == 0 {
                continue;
            }
            let r = next();
            *slot = match &fact.ty {
                FactType::Number | FactType::Integer => Value::Number((r % 2000) as f64 / 4.0),
                FactType::Ratio => Value::Number((r % 21) as f64 / 20.0),
                FactType::Boolean => Value::Bool(r % 2 == 0),
                FactType::Level { levels, .. } => Value::Level((r % levels.len() as u64) as u32),
                FactType::Set { members } => {
                    Value::Set(r & (1u64 << members.len().min(63)).wrapping_sub(1))
                }
                _ => continue,
            };
        }
        facts
    }

    /// The word-operation walk and the general walk give the same summary, and both stop
    /// (leaving the case to the full evaluation) on the same records; where the plan goes
    /// straight to bits, it finds the same bits as the truth array.
    #[test]
    fn both_walks_agree_where_the_masks_fit() {
        for path in [
            "rules",
            "examples/rulesets/suzigan",
            "benches/workload/typology.meso",
        ] {
            let program = program(path);
            let sp = SummaryPlan::new(&program, Plan::new(&program, &program.params));
            let plan = &sp.plan;
            // Every rule set here fits (the shipped one has 69 slots, over one word).
            let super::Walk::Words(masks) = &sp.walk else {
                panic!("{path}: the masks fit");
            };
            // The plan lays out the general walk only when the masks do not fit: here, for
            // the comparison.
            let layout = Layout::new(&program, plan);
            let (mut scratch, mut derived) = (Scratch::default(), Vec::new());
            let mut has_matched_child = Vec::new();
            let mut state = 0x9e37_79b9_7f4a_7c15u64;
            let (mut decided, mut open, mut direct_records) = (0, 0, 0);
            for i in 0..4000 {
                let facts = facts(&program, &mut state, [1_000_000, 30, 3][i % 3]);
                let params = &program.params;
                conditions(&program, plan, params, &facts, &mut scratch, &mut derived);
                let mut general = OutcomeSummary::default();
                let by_walk = summarize(
                    &layout,
                    program.types.len(),
                    &scratch.truths,
                    &mut general,
                    &mut has_matched_child,
                );
                let mut words = OutcomeSummary::default();
                let by_words = bitwise::summarize(masks, &scratch.truths, word_parts(&mut words));
                assert_eq!(by_walk, by_words, "{path}, record {i}");
                if let Some(direct) = &sp.direct {
                    // Straight to bits: the same bit sets as packing the truth array.
                    let packed = bitwise::pack::<1>(&scratch.truths);
                    let (holds, fails) = direct.run(&facts.values);
                    assert_eq!(([holds], [fails]), packed, "{path}, record {i}");
                    direct_records += 1;
                }
                if by_walk {
                    decided += 1;
                    assert_eq!(general.types, words.types, "{path}, record {i}");
                    assert_eq!(general.applicable, words.applicable, "{path}, record {i}");
                    assert_eq!(
                        general.classification, words.classification,
                        "{path}, record {i}"
                    );
                } else {
                    open += 1;
                }
            }
            assert!(
                decided > 1000 && open > 200,
                "{path}: {decided} decided, {open} open"
            );
            // Plans of comparisons and logic go straight to bits; the shipped rules and the
            // Suzigan rule set compute with arithmetic.
            let direct = path.starts_with("benches") || path.starts_with("tests");
            let expected = if direct { 4000 } else { 0 };
            assert_eq!(direct_records, expected, "{path}");
        }
    }
}
