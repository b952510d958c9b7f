//! Evaluation, summary layer, by word operations: the plan's truth array →
//! statuses, scores, applicable policies and classification, for plans of at most
//! `64 x WORDS` truth slots and 64 types (every rule set shipped, and the reference workload).
//!
//! The truths are packed into two bit sets (which slots hold, which fail; a slot in neither
//! is unknown). A type's required criteria then hold when all their bits are in the first
//! set and fail when any is in the second: a mask test per word its criteria touch instead
//! of a loop over them. Scores add the weights of the indicative criteria whose bit is set,
//! in declaration order as the interpreter adds them (so the sums are equal to the last
//! bit). Larger rule sets take the general walk in `walk.rs`. The two walks are tested
//! against each other (`summary/mod.rs`) and against the full outcome (`tests/plan_agrees.rs`).

use super::TypeSummary;
use crate::eval::compiled::Plan;
use crate::eval::reference::run::{score_of, SCORE_EPSILON};
use crate::ir::{PolicyId, Program, TypeId};
use crate::value::Truth;
use crate::vocab::TypeStatus;

// The byte codes `pack` reads.
const _: () =
    assert!(Truth::False as u8 == 0 && Truth::Unknown as u8 == 1 && Truth::True as u8 == 2);

/// Words of truth bits: at most `64 x WORDS` slots.
const WORDS: usize = 4;

/// A set of truth slots, `N` words of bits.
type Bits<const N: usize> = [u64; N];

/// The set of `slots` (slots past `N` words are left out; the caller checks the size).
fn bits_of<const N: usize>(slots: &[u32]) -> Bits<N> {
    let mut set = [0u64; N];
    for &slot in slots {
        if let Some(w) = set.get_mut(slot as usize / 64) {
            *w |= 1 << (slot % 64);
        }
    }
    set
}

/// Whether `a` and `b` share a slot.
#[inline(always)]
fn meets<const N: usize>(a: &Bits<N>, b: &Bits<N>) -> bool {
    a.iter().zip(b).any(|(a, b)| a & b != 0)
}

/// Whether every slot of `part` is in `set`.
#[inline(always)]
fn within<const N: usize>(part: &Bits<N>, set: &Bits<N>) -> bool {
    part.iter().zip(set).all(|(p, s)| p & s == *p)
}

/// One slot: its word and its bit there.
#[derive(Clone, Copy, Debug)]
struct Slot {
    word: usize,
    bit: u64,
}

impl Slot {
    fn new(slot: u32) -> Self {
        Slot {
            word: slot as usize / 64,
            bit: 1 << (slot % 64),
        }
    }

    #[inline(always)]
    fn is_in<const N: usize>(self, set: &Bits<N>) -> bool {
        set.get(self.word).is_some_and(|w| w & self.bit != 0)
    }
}

/// One type: masks over the truth slots and its parent's bit in the type set.
#[derive(Clone, Debug)]
struct TypeMasks<const N: usize> {
    index: usize,
    /// Its own bit in the type set
    bit: u64,
    /// Bit of the parent type (0: no parent)
    parent: u64,
    required: Bits<N>,
    excluding: Bits<N>,
    /// Indicative criteria in declaration order: their slot and weight
    weights: Vec<(Slot, f64)>,
    total_weight: f64,
}

/// One policy, in output order.
#[derive(Clone, Debug)]
struct PolicyMasks {
    id: PolicyId,
    /// Bits of its `for` types
    for_types: u64,
    /// Its condition's slot (None: no condition)
    condition: Option<Slot>,
}

/// A plan's types and policies as masks of `N` words.
#[derive(Clone, Debug)]
pub(crate) struct MasksOf<const N: usize> {
    /// With every parent before its children
    types: Vec<TypeMasks<N>>,
    policies: Vec<PolicyMasks>,
    n_types: usize,
}

/// A plan's masks: one word when its slots fit (the common case, the cheapest test), else
/// `WORDS`. `None` from [`Masks::new`] when it does not fit at all.
#[derive(Clone, Debug)]
pub(crate) enum Masks {
    One(MasksOf<1>),
    Many(MasksOf<WORDS>),
}

/// Bit `i` of the type set.
fn type_bit(i: usize) -> u64 {
    u32::try_from(i)
        .ok()
        .and_then(|i| 1u64.checked_shl(i))
        .unwrap_or(0)
}

impl Masks {
    /// The masks of `plan`, or `None` when it has more than `64 x WORDS` truth slots or more
    /// than 64 types.
    pub(crate) fn new(program: &Program, plan: &Plan) -> Option<Self> {
        if program.types.len() > 64 {
            return None;
        }
        match plan.slots {
            0..=64 => MasksOf::new(program, plan).map(Masks::One),
            65..=256 => MasksOf::new(program, plan).map(Masks::Many),
            _ => None,
        }
    }
}

impl<const N: usize> MasksOf<N> {
    fn new(program: &Program, plan: &Plan) -> Option<Self> {
        let mut types = Vec::with_capacity(program.types.len());
        for &i in &plan.type_order {
            let (tp, ty) = (plan.types.get(i)?, program.types.get(i)?);
            let weights = tp
                .indicative
                .iter()
                .zip(&tp.weights)
                .map(|(&slot, &w)| (Slot::new(slot), w))
                .collect();
            types.push(TypeMasks {
                index: i,
                bit: type_bit(i),
                parent: ty.parent.map_or(0, |p| type_bit(p.index())),
                required: bits_of(&tp.required),
                excluding: bits_of(&tp.excluding),
                weights,
                total_weight: tp.total_weight,
            });
        }
        let mut policies = Vec::with_capacity(program.policy_order.len());
        for &id in &program.policy_order {
            let policy = program.policy(id)?;
            let for_types = policy
                .for_types
                .iter()
                .fold(0, |m, t| m | type_bit(t.index()));
            let condition = plan.conditions.get(id.index()).copied().flatten();
            policies.push(PolicyMasks {
                id,
                for_types,
                condition: condition.map(Slot::new),
            });
        }
        Some(MasksOf {
            types,
            policies,
            n_types: program.types.len(),
        })
    }
}

/// Low bit of every byte.
const BYTE_LOW_BITS: u64 = 0x0101_0101_0101_0101;

/// Multiplying eight bytes of 0 or 1 by this gathers them, byte i to bit 56 + i.
const GATHER_BYTES: u64 = 0x0102_0408_1020_4080;

/// The truths as two bit sets: slots that hold, slots that fail. Eight truths at a time,
/// as the bytes of one word (`False` 0, `Unknown` 1, `True` 2).
#[inline(always)]
pub(crate) fn pack<const N: usize>(truths: &[Truth]) -> (Bits<N>, Bits<N>) {
    let truths = truths.get(..64 * N).unwrap_or(truths);
    let (mut holds, mut fails) = ([0u64; N], [0u64; N]);
    let mut add = |i: usize, bytes: [u8; 8]| {
        let word = u64::from_le_bytes(bytes);
        let hold_bytes = (word >> 1) & BYTE_LOW_BITS;
        let fail_bytes = ((word | (word >> 1)) & BYTE_LOW_BITS) ^ BYTE_LOW_BITS;
        let shift = 8 * (i % 8);
        if let (Some(h), Some(f)) = (holds.get_mut(i / 8), fails.get_mut(i / 8)) {
            *h |= (hold_bytes.wrapping_mul(GATHER_BYTES) >> 56) << shift;
            *f |= (fail_bytes.wrapping_mul(GATHER_BYTES) >> 56) << shift;
        }
    };
    // Whole chunks are one load each (the plan run pads the truths to whole chunks); a
    // rest is padded with unknowns (neither set).
    let chunks = truths.chunks_exact(8);
    let (n, rest) = (chunks.len(), chunks.remainder());
    for (i, chunk) in chunks.enumerate() {
        add(
            i,
            std::array::from_fn(|j| chunk.get(j).map_or(1, |&t| t as u8)),
        );
    }
    if !rest.is_empty() {
        add(
            n,
            std::array::from_fn(|j| rest.get(j).map_or(1, |&t| t as u8)),
        );
    }
    (holds, fails)
}

/// What [`summarize`] fills.
pub(crate) struct Summary<'a> {
    pub types: &'a mut Vec<TypeSummary>,
    pub applicable: &'a mut Vec<PolicyId>,
    pub classification: &'a mut Option<TypeId>,
}

/// Statuses, scores, applicable list and classification; false when a type or policy is
/// undetermined (the caller then evaluates in full).
pub(crate) fn summarize(masks: &Masks, truths: &[Truth], out: Summary<'_>) -> bool {
    match masks {
        Masks::One(m) => {
            let (holds, fails) = pack::<1>(truths);
            summarize_words(m, &holds, &fails, out)
        }
        Masks::Many(m) => {
            let (holds, fails) = pack::<WORDS>(truths);
            summarize_words(m, &holds, &fails, out)
        }
    }
}

/// The same from truths already packed (see `direct.rs`): `holds` and `fails` are the
/// slots that hold and fail.
pub(crate) fn summarize_bits(masks: &MasksOf<1>, holds: u64, fails: u64, out: Summary<'_>) -> bool {
    summarize_words(masks, &[holds], &[fails], out)
}

#[inline(never)]
fn summarize_words<const N: usize>(
    masks: &MasksOf<N>,
    holds: &Bits<N>,
    fails: &Bits<N>,
    out: Summary<'_>,
) -> bool {
    let (holds, fails) = (*holds, *fails);
    let n = masks.n_types;
    out.types.resize(
        n,
        TypeSummary {
            status: TypeStatus::NotMatched,
            score: 1.0,
        },
    );
    out.types.truncate(n);
    out.applicable.clear();
    *out.classification = None;
    let mut matched = 0u64;
    let mut has_matched_child = 0u64;
    for t in &masks.types {
        // Kleene `and` of the required criteria, `not` of the excluding ones and the parent:
        // false when any is false, else true when all are true, else unknown.
        let fails_here = meets(&t.required, &fails)
            || meets(&t.excluding, &holds)
            || (t.parent != 0 && matched & t.parent == 0);
        let holds_here = within(&t.required, &holds) && within(&t.excluding, &fails);
        if !fails_here && !holds_here {
            return false;
        }
        let criteria = t.weights.iter().map(|&(slot, w)| (w, slot.is_in(&holds)));
        let score = score_of(criteria, t.total_weight);
        let status = if fails_here {
            TypeStatus::NotMatched
        } else {
            matched |= t.bit;
            has_matched_child |= t.parent;
            TypeStatus::Matched
        };
        if let Some(slot) = out.types.get_mut(t.index) {
            *slot = TypeSummary { status, score };
        }
    }
    for p in &masks.policies {
        if matched & p.for_types == 0 {
            // No type is undetermined here, so the policy does not apply.
            continue;
        }
        match p.condition {
            None => out.applicable.push(p.id),
            Some(c) if c.is_in(&holds) => out.applicable.push(p.id),
            Some(c) if c.is_in(&fails) => {}
            Some(_) => return false,
        }
    }
    let score = |t: usize| out.types.get(t).map_or(0.0, |s| s.score);
    *out.classification = classification(matched & !has_matched_child, score);
    true
}

/// The classification among the `leading` types (bit i: `TypeId` i is matched and has no
/// matched child), given each type's score (`score(i)` for `TypeId` i): best score first,
/// ties to declaration order (the order of the bits). Mostly one type leads, which decides
/// it at once (and no score is read).
pub(crate) fn classification(leading: u64, score: impl Fn(usize) -> f64) -> Option<TypeId> {
    if leading & leading.wrapping_sub(1) == 0 {
        return (leading != 0).then(|| TypeId::from_index(leading.trailing_zeros() as usize));
    }
    let mut best: Option<(usize, f64)> = None;
    let mut candidates = leading;
    while candidates != 0 {
        let i = candidates.trailing_zeros() as usize;
        candidates &= candidates - 1;
        let score = score(i);
        if best.is_none_or(|(_, s)| score > s + SCORE_EPSILON) {
            best = Some((i, score));
        }
    }
    best.map(|(i, _)| TypeId::from_index(i))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]

    use super::pack;
    use crate::value::Truth;

    #[test]
    fn packing_keeps_every_truth_in_place() {
        let all = [Truth::False, Truth::Unknown, Truth::True];
        for n in [0usize, 1, 7, 8, 9, 27, 63, 64, 69, 130, 255, 256] {
            let truths: Vec<Truth> = (0..n).map(|i| all[(i * 7 + i / 3) % 3]).collect();
            let (holds, fails) = pack::<4>(&truths);
            let bit = |set: &[u64; 4], i: usize| set[i / 64] >> (i % 64) & 1 == 1;
            for i in 0..256 {
                let t = truths.get(i).copied().unwrap_or(Truth::Unknown);
                assert_eq!(bit(&holds, i), t == Truth::True, "slot {i} of {n}");
                assert_eq!(bit(&fails, i), t == Truth::False, "slot {i} of {n}");
            }
        }
    }
}
