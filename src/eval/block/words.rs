//! Evaluation, block layer, the work: a block's facts → columns → words of records (bit r is
//! record r) for every leaf, tape step, type and policy → the block's rows. Comparisons are
//! vector comparisons over a column (`wide`: SSE2, AVX or NEON as the machine has), the
//! lanes' sign bits gathered by one instruction.

use super::layout::{BlockPlan, Scores, TypeWords, WordStep};
use super::rows::{span_from, Open, Rows};
use super::{Lane, Lanes, BLOCK};
use crate::eval::compiled::plan::{Plan, LEVEL_SPAN};
use crate::eval::compiled::run::value_step;
use crate::eval::reference::run::score_of;
use crate::eval::summary::bitwise::classification;
use crate::eval::summary::direct::Holds;
use crate::eval::summary::{self, OutcomeSummary, TypeSummary};
use crate::facts::Facts;
use crate::ir::Program;
use crate::value::{Truth, Value};
use crate::vocab::TypeStatus;
use wide::{f64x4, i16x8, i32x8, u8x16, CmpEq, CmpGe, CmpGt, CmpLe, CmpLt};

/// A level column's mark for "not a level": no position word has it.
const NOT_A_LEVEL: u8 = u8::MAX;

/// A flag column's codes, for facts read by `is known` or as booleans.
const FLAG_FALSE: u8 = 0;
const FLAG_TRUE: u8 = 1;
const FLAG_OTHER: u8 = 2;
const FLAG_UNKNOWN: u8 = 3;

/// The two words of the records of a number column for which each of two tests holds:
/// four records at a time, each test one vector comparison whose lanes' sign bits are
/// gathered by one instruction (`wide` picks the instructions for the machine).
#[inline(always)]
fn number_words(column: &[f64; BLOCK], test: impl Fn(f64x4) -> (f64x4, f64x4)) -> (u64, u64) {
    let (mut first, mut second) = (0u64, 0u64);
    for (i, quad) in column.chunks_exact(4).enumerate() {
        let quad: [f64; 4] = quad.try_into().unwrap_or([f64::NAN; 4]);
        let (a, b) = test(f64x4::from(quad));
        first |= (a.move_mask() as u64 & 0xF) << (4 * i);
        second |= (b.move_mask() as u64 & 0xF) << (4 * i);
    }
    (first, second)
}

/// The word of the records of a byte column equal to `b`, sixteen records at a time.
#[inline(always)]
fn byte_word(column: &[u8; BLOCK], b: u8) -> u64 {
    let b = u8x16::splat(b);
    column
        .chunks_exact(16)
        .enumerate()
        .fold(0u64, |word, (i, sixteen)| {
            let sixteen: [u8; 16] = sixteen.try_into().unwrap_or([NOT_A_LEVEL; 16]);
            let equal = u8x16::from(sixteen).cmp_eq(b).move_mask() as u64 & 0xFFFF;
            word | (equal << (16 * i))
        })
}

/// A level column from a lane whose values are the levels in order (value `p` is
/// `Value::Level(p)`, `levels` of them, fewer than [`NOT_A_LEVEL`]): each record's bucket
/// its index (past `last`: `last`), or `NOT_A_LEVEL` past the values, sixteen records at a
/// time. The same as looking each record's value up.
#[inline(always)]
fn level_positions(column: &mut [u8; BLOCK], at: &[u32; BLOCK], levels: usize, last: u32) {
    // Indexes as 16-bit lanes: those past `i16::MAX` (as `i32`, negative or not) saturate
    // to a lane past the values.
    let sixteen_bits = |eight: &[u32]| {
        let eight: [u32; 8] = eight.try_into().unwrap_or([u32::MAX; 8]);
        i16x8::from_i32x8_saturate(i32x8::from(eight.map(|i| i as i32)))
    };
    let (none, levels) = (i16x8::splat(-1), i16x8::splat(levels as i16));
    let (last, not_a_level) = (
        i16x8::splat(last as i16),
        i16x8::splat(i16::from(NOT_A_LEVEL)),
    );
    let bucket = |i: i16x8| {
        let level = i.cmp_gt(none) & i.cmp_lt(levels);
        level.blend(i.min(last), not_a_level)
    };
    for (out, at) in column.chunks_exact_mut(16).zip(at.chunks_exact(16)) {
        let (low, high) = at.split_at(8);
        let bytes = u8x16::narrow_i16x8(bucket(sixteen_bits(low)), bucket(sixteen_bits(high)));
        out.copy_from_slice(&bytes.to_array());
    }
}

/// Whether bit `r` of `word` is set.
#[inline(always)]
fn bit(word: u64, r: usize) -> bool {
    (word >> (r % BLOCK)) & 1 == 1
}

/// The records of one block and what their steps run record by record read.
pub(super) struct Block<'a> {
    pub(super) program: &'a Program,
    pub(super) plan: &'a Plan,
    pub(super) records: &'a [Facts],
}

/// What one block's evaluation found, kept from block to block.
#[derive(Clone, Debug, Default)]
pub(super) struct Words {
    /// Columns, one per fact read (the records of the block, in order)
    numbers: Vec<[f64; BLOCK]>,
    levels: Vec<[u8; BLOCK]>,
    flags: Vec<[u8; BLOCK]>,
    /// Per level column: the records in each bucket (`LEVEL_SPAN` words a column)
    buckets: Vec<u64>,
    /// Per level column: the records in any of its buckets (those whose value is a level)
    level_known: Vec<u64>,
    /// Per slot: the records where it holds, where it fails (neither: unknown)
    holds: Vec<u64>,
    fails: Vec<u64>,
    /// Per type (by `TypeId`): matched, not matched, matched with no matched child type
    matched: Vec<u64>,
    not_matched: Vec<u64>,
    leading: Vec<u64>,
    /// Per policy (output order): the records it applies to
    applies: Vec<u64>,
    /// Records with a type or policy undetermined
    pub(super) open: u64,
    /// The same turned around, a byte per record (see [`planes`]): per eight types, which
    /// lead; per type (in `BlockPlan::types` order), which indicative
    /// criteria hold; per eight policies, which apply
    leading_planes: Vec<[u8; BLOCK]>,
    patterns: Vec<[u8; BLOCK]>,
    policy_planes: Vec<[u8; BLOCK]>,
    /// Per record: its leading types (a set of `TypeId` indexes) and its applicable
    /// policies (a set of positions in the output order)
    record_leading: Vec<u64>,
    record_applies: Vec<u64>,
    /// Per record: its derived values (only for plans with steps run record by record)
    derived: Vec<Vec<Value>>,
    /// A level column's bucket per distinct value of its lane (see `fill_lanes`)
    bucket_of: BucketOf,
}

/// Entries of a level column's table of buckets by index of its lane's values: any index
/// clamped to the last one reads an entry, with no bounds check.
const BUCKET_OF: usize = 256;

/// A level column's bucket per index of its lane's values (`NOT_A_LEVEL` past them).
#[derive(Clone, Debug)]
struct BucketOf(Box<[u8; BUCKET_OF]>);

impl Default for BucketOf {
    fn default() -> Self {
        BucketOf(Box::new([NOT_A_LEVEL; BUCKET_OF]))
    }
}

/// Per record, the set made of its bytes of `planes` (plane g gives bits 8g to 8g + 7).
fn record_sets(planes: &[[u8; BLOCK]], sets: &mut Vec<u64>) {
    sets.clear();
    sets.resize(BLOCK, 0);
    for (g, bytes) in planes.iter().enumerate().take(8) {
        for (set, &b) in sets.iter_mut().zip(bytes) {
            *set |= u64::from(b) << (8 * g);
        }
    }
}

/// `SPREAD[v]`: the eight bits of `v` as eight bytes of 0 or 1 (bit i to byte i).
// Indexing in a constant is checked when compiling: it cannot panic at run time.
#[allow(clippy::indexing_slicing)]
const SPREAD: [u64; 256] = {
    let mut table = [0u64; 256];
    let mut v = 0;
    while v < 256 {
        let mut i = 0;
        while i < 8 {
            table[v] |= ((v as u64 >> i) & 1) << (8 * i);
            i += 1;
        }
        v += 1;
    }
    table
};

/// Up to eight words of records turned into a byte per record: bit j of record r's byte
/// is bit r of the j-th word.
fn planes(words: impl Iterator<Item = u64>) -> [u8; BLOCK] {
    let mut lanes = [0u64; 8];
    for (j, w) in words.take(8).enumerate() {
        for (c, lane) in lanes.iter_mut().enumerate() {
            let eight = SPREAD.get(((w >> (8 * c)) & 0xFF) as usize).copied();
            *lane |= eight.unwrap_or(0) << j;
        }
    }
    let mut bytes = [0u8; BLOCK];
    for (chunk, lane) in bytes.chunks_exact_mut(8).zip(lanes) {
        chunk.copy_from_slice(&lane.to_le_bytes());
    }
    bytes
}

/// Record `r`'s byte of `bytes` (see [`planes`]).
#[inline(always)]
fn byte(bytes: &[u8; BLOCK], r: usize) -> usize {
    usize::from(bytes.get(r % BLOCK).copied().unwrap_or(0))
}

impl Words {
    /// One column per fact the plan reads, of each kind.
    #[inline(always)]
    fn size_for(&mut self, bp: &BlockPlan) {
        self.numbers
            .resize(bp.number_facts.len(), [f64::NAN; BLOCK]);
        self.levels
            .resize(bp.level_columns.len(), [NOT_A_LEVEL; BLOCK]);
        self.flags
            .resize(bp.flag_facts.len(), [FLAG_UNKNOWN; BLOCK]);
    }

    /// Copy the facts the plan reads into the columns (at most `BLOCK` records).
    // `fill` and `run` are kept out of line: inlined into the block loop they ran about 8%
    // slower (eval_workload block, 21 against 23 ns/record).
    #[inline(never)]
    pub(super) fn fill(&mut self, bp: &BlockPlan, records: &[Facts]) {
        self.size_for(bp);
        // Column by column: each loop is short and the same for every record.
        for (&f, column) in bp.number_facts.iter().zip(&mut self.numbers) {
            for (cell, facts) in column.iter_mut().zip(records) {
                *cell = match facts.values.get(f) {
                    Some(Value::Number(x)) => *x,
                    _ => f64::NAN,
                };
            }
        }
        for (c, column) in bp.level_columns.iter().zip(&mut self.levels) {
            // At most `LEVEL_SPAN` buckets, so the last fits a byte below `NOT_A_LEVEL`.
            let (f, last) = (
                c.fact,
                (c.buckets.saturating_sub(1) % LEVEL_SPAN as usize) as u32,
            );
            for (cell, facts) in column.iter_mut().zip(records) {
                *cell = match facts.values.get(f) {
                    // Positions past the declared levels share the last bucket.
                    Some(Value::Level(x)) => (*x).min(last) as u8,
                    _ => NOT_A_LEVEL,
                };
            }
        }
        for (&f, column) in bp.flag_facts.iter().zip(&mut self.flags) {
            for (cell, facts) in column.iter_mut().zip(records) {
                *cell = match facts.values.get(f) {
                    Some(Value::Bool(false)) => FLAG_FALSE,
                    Some(Value::Bool(true)) => FLAG_TRUE,
                    Some(Value::Unknown) | None => FLAG_UNKNOWN,
                    Some(_) => FLAG_OTHER,
                };
            }
        }
    }

    /// As [`Words::fill`], from a block given column by column (`len` records): the same
    /// columns as the records `lanes.record` builds would give.
    #[inline(never)]
    pub(super) fn fill_lanes(&mut self, bp: &BlockPlan, lanes: &impl Lanes, len: usize) {
        let len = len.min(BLOCK);
        self.size_for(bp);
        for (&f, column) in bp.number_facts.iter().zip(&mut self.numbers) {
            match lanes.lane(f) {
                Lane::Numbers(xs) => column.copy_from_slice(xs),
                Lane::Values(values, at) => {
                    for (cell, &i) in column.iter_mut().take(len).zip(at) {
                        *cell = match values.get(i as usize) {
                            Some(Value::Number(x)) => *x,
                            _ => f64::NAN,
                        };
                    }
                }
                Lane::Unknown | Lane::Bools(_) => column.fill(f64::NAN),
            }
        }
        for (c, column) in bp.level_columns.iter().zip(&mut self.levels) {
            let last = (c.buckets.saturating_sub(1) % LEVEL_SPAN as usize) as u32;
            match lanes.lane(c.fact) {
                Lane::Values(values, at) => {
                    // Positions past the declared levels share the last bucket.
                    let bucket = |v: &Value| match v {
                        Value::Level(x) => (*x).min(last) as u8,
                        _ => NOT_A_LEVEL,
                    };
                    let in_order = values.len() < usize::from(NOT_A_LEVEL)
                        && values
                            .iter()
                            .zip(0u32..)
                            .all(|(v, p)| matches!(v, Value::Level(x) if *x == p));
                    if in_order {
                        // Each record's index is its level's position (the decoder's levels).
                        level_positions(column, at, values.len(), last);
                    } else if values.len() < BUCKET_OF {
                        // Each distinct value's bucket once, then one load a record from
                        // a table that any index (clamped to its last entry, past every
                        // value) has an entry in.
                        let of = &mut *self.bucket_of.0;
                        of.fill(NOT_A_LEVEL);
                        for (o, v) in of.iter_mut().zip(values) {
                            *o = bucket(v);
                        }
                        // Every record of the block: those past `len` are never read.
                        for (cell, &i) in column.iter_mut().zip(at) {
                            let i = i.min(BUCKET_OF as u32 - 1) as usize;
                            *cell = of.get(i).copied().unwrap_or(NOT_A_LEVEL);
                        }
                    } else {
                        for (cell, &i) in column.iter_mut().take(len).zip(at) {
                            *cell = values.get(i as usize).map_or(NOT_A_LEVEL, bucket);
                        }
                    }
                }
                Lane::Unknown | Lane::Numbers(_) | Lane::Bools(_) => column.fill(NOT_A_LEVEL),
            }
        }
        for (&f, column) in bp.flag_facts.iter().zip(&mut self.flags) {
            let column = column.iter_mut().take(len);
            match lanes.lane(f) {
                Lane::Unknown => column.for_each(|cell| *cell = FLAG_UNKNOWN),
                Lane::Numbers(xs) => {
                    for (cell, x) in column.zip(xs) {
                        *cell = if x.is_nan() { FLAG_UNKNOWN } else { FLAG_OTHER };
                    }
                }
                Lane::Bools(bs) => {
                    for (cell, &b) in column.zip(bs) {
                        *cell = match b {
                            0 => FLAG_FALSE,
                            1 => FLAG_TRUE,
                            _ => FLAG_UNKNOWN,
                        };
                    }
                }
                Lane::Values(values, at) => {
                    for (cell, &i) in column.zip(at) {
                        *cell = match values.get(i as usize) {
                            Some(Value::Bool(false)) => FLAG_FALSE,
                            Some(Value::Bool(true)) => FLAG_TRUE,
                            Some(Value::Unknown) | None => FLAG_UNKNOWN,
                            Some(_) => FLAG_OTHER,
                        };
                    }
                }
            }
        }
    }

    /// Decide every slot, type and policy for the block's records (`block.records`, those
    /// in `valid`).
    #[inline(never)]
    pub(super) fn run(&mut self, bp: &BlockPlan, valid: u64, block: &Block<'_>) {
        self.holds.clear();
        self.holds.resize(bp.slots, 0);
        self.fails.clear();
        self.fails.resize(bp.slots, 0);
        self.open = 0;
        if bp.record_steps {
            // Each record's derived values, for the steps run record by record.
            self.derived.resize_with(BLOCK, Vec::new);
            for values in &mut self.derived {
                values.clear();
                values.resize(bp.n_derived, Value::Unknown);
            }
        }
        self.leaves(bp, valid);
        self.tape(bp, valid, block);
        self.types(bp, valid);
        self.policies(bp);
    }

    fn leaves(&mut self, bp: &BlockPlan, valid: u64) {
        let get = |v: &[u64], s: usize| v.get(s).copied().unwrap_or(0);
        let mut slot = 0;
        let mut set = |holds: u64, known: u64, this: &mut Self| {
            if let (Some(h), Some(f)) = (this.holds.get_mut(slot), this.fails.get_mut(slot)) {
                *h = holds & known & valid;
                *f = !holds & known & valid;
            }
            slot += 1;
        };
        for t in &bp.numbers {
            // Number leaves take the first slots, in order: an earlier one is set already.
            if let Some(earlier) = t.opposite_of {
                let (h, f) = (get(&self.holds, earlier), get(&self.fails, earlier));
                set(f, h | f, self);
                continue;
            }
            // INVARIANT: `fill` makes one column per fact of `bp.number_facts`, where
            // `BlockPlan::new` found each test's column.
            let Some(column) = self.numbers.get(t.column) else {
                set(0, 0, self);
                continue;
            };
            // Each test and its opposite are false for NaN (unknown, or not a number),
            // which is then neither true nor false.
            let k = f64x4::splat(t.k);
            let (holds, fails) = match t.holds {
                Holds::Less => number_words(column, |x| (x.cmp_lt(k), x.cmp_ge(k))),
                Holds::LessOrEqual => number_words(column, |x| (x.cmp_le(k), x.cmp_gt(k))),
                Holds::Greater => number_words(column, |x| (x.cmp_gt(k), x.cmp_le(k))),
                Holds::GreaterOrEqual => number_words(column, |x| (x.cmp_ge(k), x.cmp_lt(k))),
                // Not `x != k`, which is true for NaN.
                Holds::Equal => number_words(column, |x| (x.cmp_eq(k), x.cmp_lt(k) | x.cmp_gt(k))),
                Holds::Unequal => {
                    number_words(column, |x| (x.cmp_lt(k) | x.cmp_gt(k), x.cmp_eq(k)))
                }
                // `x == x` is false only for NaN.
                Holds::Never => number_words(column, |x| (f64x4::ZERO, x.cmp_eq(x))),
                Holds::Always => number_words(column, |x| (x.cmp_eq(x), f64x4::ZERO)),
            };
            set(holds, holds | fails, self);
        }
        // Records per bucket of each level column, then each leaf as a union of buckets.
        self.buckets.clear();
        self.buckets
            .resize(bp.level_columns.len() * LEVEL_SPAN as usize, 0);
        self.level_known.clear();
        self.level_known.resize(bp.level_columns.len(), 0);
        for (((c, column), buckets), known) in bp
            .level_columns
            .iter()
            .zip(&self.levels)
            .zip(self.buckets.chunks_exact_mut(LEVEL_SPAN as usize))
            .zip(&mut self.level_known)
        {
            // Only the buckets a leaf names; a record is in one of the column's buckets
            // when its byte is a level's (every other byte is `NOT_A_LEVEL`).
            *known = !byte_word(column, NOT_A_LEVEL);
            let mut named = c.named;
            while named != 0 {
                let b = named.trailing_zeros() as usize;
                named &= named - 1;
                if let (Some(records), true) = (buckets.get_mut(b), b < c.buckets) {
                    *records = byte_word(column, b as u8);
                }
            }
        }
        for t in &bp.levels {
            let buckets = self
                .buckets
                .get(t.column * LEVEL_SPAN as usize..)
                .unwrap_or_default();
            let known = self.level_known.get(t.column).copied().unwrap_or(0);
            // The buckets the leaf holds in, one load each (most leaves name one or two
            // levels): all in use (`BlockPlan::new` sets no bit past them; a bucket not
            // gathered is empty, as the words were cleared above).
            let mut positions = t.positions;
            let mut holds = 0u64;
            while positions != 0 {
                let b = positions.trailing_zeros() as usize;
                positions &= positions - 1;
                holds |= buckets.get(b).copied().unwrap_or(0);
            }
            set(holds, known, self);
        }
    }

    fn tape(&mut self, bp: &BlockPlan, valid: u64, block: &Block<'_>) {
        let get = |v: &[u64], s: usize| v.get(s).copied().unwrap_or(0);
        let flag = |this: &Self, f: usize, code: u8| {
            this.flags
                .get(f)
                .map_or(0, |column| byte_word(column, code))
                & valid
        };
        for step in &bp.steps {
            let (out, h, f) = match *step {
                WordStep::And { out, a, b } => (
                    out,
                    get(&self.holds, a) & get(&self.holds, b),
                    get(&self.fails, a) | get(&self.fails, b),
                ),
                WordStep::Or { out, a, b } => (
                    out,
                    get(&self.holds, a) | get(&self.holds, b),
                    get(&self.fails, a) & get(&self.fails, b),
                ),
                WordStep::Not { out, a } => (out, get(&self.fails, a), get(&self.holds, a)),
                WordStep::Const { out, truth } => match truth {
                    Truth::True => (out, valid, 0),
                    Truth::False => (out, 0, valid),
                    Truth::Unknown => (out, 0, 0),
                },
                WordStep::Known {
                    out,
                    flag: f,
                    negated,
                } => {
                    let known = !flag(self, f, FLAG_UNKNOWN) & valid;
                    let yes = if negated { !known & valid } else { known };
                    (out, yes, !yes & valid)
                }
                WordStep::Boolean { out, flag: f } => {
                    (out, flag(self, f, FLAG_TRUE), flag(self, f, FLAG_FALSE))
                }
                WordStep::DerivedOf { id, slot } => {
                    let (h, f) = (get(&self.holds, slot), get(&self.fails, slot));
                    for (r, values) in self.derived.iter_mut().enumerate() {
                        let truth = match (bit(h, r), bit(f, r)) {
                            (true, _) => Truth::True,
                            (_, true) => Truth::False,
                            _ => Truth::Unknown,
                        };
                        if let Some(v) = values.get_mut(id) {
                            *v = truth.to_value();
                        }
                    }
                    continue;
                }
                WordStep::Record(step) => {
                    let (mut out, mut h, mut f) = (None, 0u64, 0u64);
                    let each = block.records.iter().zip(self.derived.iter_mut());
                    for (r, (facts, derived)) in each.enumerate().take(BLOCK) {
                        let Some((slot, truth)) = value_step(
                            block.program,
                            block.plan,
                            &block.program.params,
                            &facts.values,
                            derived,
                            &step,
                        ) else {
                            continue;
                        };
                        out = Some(slot as usize);
                        h |= u64::from(truth == Truth::True) << r;
                        f |= u64::from(truth == Truth::False) << r;
                    }
                    match out {
                        Some(out) => (out, h, f),
                        // A derived value, kept in `derived`.
                        None => continue,
                    }
                }
            };
            if let (Some(hs), Some(fs)) = (self.holds.get_mut(out), self.fails.get_mut(out)) {
                (*hs, *fs) = (h, f);
            }
        }
    }

    /// Statuses of every type, and the records a type leaves undetermined.
    fn types(&mut self, bp: &BlockPlan, valid: u64) {
        let n = bp.n_types;
        for v in [&mut self.matched, &mut self.not_matched, &mut self.leading] {
            v.clear();
            v.resize(n, 0);
        }
        let get = |v: &[u64], s: usize| v.get(s).copied().unwrap_or(0);
        for t in &bp.types {
            // Kleene `and` of the required criteria, `not` of the excluding ones and the
            // parent's status: the records where all hold, those where one fails.
            let (mut holds, mut fails) = (valid, 0u64);
            for &s in &t.required {
                holds &= get(&self.holds, s);
                fails |= get(&self.fails, s);
            }
            for &s in &t.excluding {
                holds &= get(&self.fails, s);
                fails |= get(&self.holds, s);
            }
            if let Some(p) = t.parent {
                holds &= get(&self.matched, p);
                fails |= get(&self.not_matched, p);
                // A parent with a matched child is not a candidate for the classification.
                if let Some(l) = self.leading.get_mut(p) {
                    *l &= !holds;
                }
            }
            self.open |= valid & !holds & !fails;
            if let (Some(m), Some(f), Some(l)) = (
                self.matched.get_mut(t.index),
                self.not_matched.get_mut(t.index),
                self.leading.get_mut(t.index),
            ) {
                (*m, *f, *l) = (holds, fails, holds);
            }
        }
        self.leading_planes.clear();
        self.leading_planes
            .extend(self.leading.chunks(8).map(|w| planes(w.iter().copied())));
        record_sets(&self.leading_planes, &mut self.record_leading);
        self.patterns.clear();
        for t in &bp.types {
            self.patterns.push(match t.scores {
                Scores::Table(_) => planes(t.indicative.iter().map(|&s| get(&self.holds, s))),
                Scores::Sum { .. } => [0; BLOCK],
            });
        }
    }

    /// The records each policy applies to, and those a policy leaves undetermined.
    fn policies(&mut self, bp: &BlockPlan) {
        self.applies.clear();
        let get = |v: &[u64], s: usize| v.get(s).copied().unwrap_or(0);
        for p in &bp.policies {
            // Records whose types are undetermined are open already; for the others, a
            // `for` type matched or none did.
            let active = p
                .for_types
                .iter()
                .fold(0, |w, &t| w | get(&self.matched, t));
            let (holds, fails) = match p.condition {
                Some(s) => (get(&self.holds, s), get(&self.fails, s)),
                None => (u64::MAX, 0),
            };
            self.open |= active & !holds & !fails;
            self.applies.push(active & holds);
        }
        self.policy_planes.clear();
        self.policy_planes
            .extend(self.applies.chunks(8).map(|w| planes(w.iter().copied())));
        record_sets(&self.policy_planes, &mut self.record_applies);
    }

    /// The rows of this block's records (`records`, evaluated by [`Words::run`]) appended
    /// to `rows`; a record with something undetermined is evaluated on its own. With
    /// `whole`, every record's types are written into its row; without, only those of the
    /// records evaluated on their own are, the others being read from the words
    /// ([`Words::type_column`]) as the block's rows are read column by column (`rows` then
    /// holds one block).
    pub(super) fn rows(
        &self,
        block: &Block<'_>,
        bp: &BlockPlan,
        (single, scratch): (&mut OutcomeSummary, &mut summary::Scratch),
        rows: &mut Rows,
        whole: bool,
    ) {
        let records = block.records;
        let n = bp.n_types;
        let base = rows.len();
        let len = records.len().min(BLOCK);
        // Every entry is written below; the placeholder is all zero bytes, which the
        // compiler lays down as a plain memset.
        let placeholder = TypeSummary {
            status: TypeStatus::Matched,
            score: 0.0,
        };
        let leading = self.record_leading.get(..len).unwrap_or_default();
        if whole {
            rows.types.resize((base + len) * n, placeholder);
            let block_types = rows.types.get_mut(base * n..).unwrap_or_default();
            // Type by type: the status and score of every record.
            for (t, pattern) in bp.types.iter().zip(&self.patterns) {
                let matched = self.matched.get(t.index).copied().unwrap_or(0);
                let score = |r| self.score(t, pattern, r);
                type_into_rows(block_types, n, t.index, matched, score);
            }
            // Record by record: classification and applicable policies, read from the words.
            for (r, &leading) in leading.iter().enumerate() {
                let row = rows.types.get((base + r) * n..).unwrap_or_default();
                let score = |t: usize| row.get(t).map_or(0.0, |s| s.score);
                rows.classification.push(classification(leading, score));
            }
        } else {
            rows.in_words = true;
            for (r, &leading) in leading.iter().enumerate() {
                let score = |t: usize| self.type_record(bp, t, r).score;
                rows.classification.push(classification(leading, score));
            }
        }
        let applies = self.record_applies.get(..len).unwrap_or_default();
        rows.applies.extend_from_slice(applies);
        // The records with something undetermined, one at a time (a record past the end
        // of `rows.open` has nothing open: a block with no such record leaves it as it is).
        let mut open = self.open & low_bits(len);
        if open != 0 {
            rows.open.resize(base + len, Open::default());
            // Room for the rows of the records evaluated on their own.
            rows.types.resize((base + len) * n, placeholder);
        }
        while open != 0 {
            let r = open.trailing_zeros() as usize;
            open &= open - 1;
            // INVARIANT: `open` is cut to the low `len` bits above and `len` is at most
            // `records.len()`, so every record it names is there.
            let Some(facts) = records.get(r) else {
                continue;
            };
            summary::evaluate_in_full(block.program, block.plan, facts, single, scratch);
            let i = base + r;
            if let Some(row) = rows.types.get_mut(i * n..(i + 1) * n) {
                row.copy_from_slice(single.types.get(..n).unwrap_or_default());
            }
            if let Some(c) = rows.classification.get_mut(i) {
                *c = single.classification;
            }
            if let Some(set) = rows.applies.get_mut(i) {
                *set = single.applicable.iter().fold(0, |set, id| {
                    let position = bp.policy_position.get(id.index()).copied();
                    set | position.map_or(0, |p| 1u64.checked_shl(p).unwrap_or(0))
                });
            }
            let start = rows.unknown_facts.len();
            rows.unknown_facts.extend_from_slice(&single.unknown_facts);
            let unknown = span_from(start, &rows.unknown_facts);
            let start = rows.provisional_list.len();
            rows.provisional_list
                .extend_from_slice(&single.provisional_policies);
            if let Some(open) = rows.open.get_mut(i) {
                *open = Open {
                    unknown,
                    policies: span_from(start, &rows.provisional_list),
                    lead: single.provisional,
                };
            }
        }
    }
}

impl Words {
    /// Type `t`'s (a `TypeId` index) status and score in the last block, as
    /// [`Words::rows`] writes them into the rows of the records with nothing undetermined:
    /// the records it matched (bit r for record r), and the scores of records
    /// `0..scores.len()` written into `scores`.
    pub(super) fn type_column(&self, bp: &BlockPlan, t: usize, scores: &mut [f64]) -> u64 {
        let Some((tw, pattern)) = self.type_words(bp, t) else {
            scores.fill(0.0);
            return 0;
        };
        match &tw.scores {
            // A table's loop on its own, with no match per record.
            Scores::Table(table) => {
                for (x, &b) in scores.iter_mut().zip(pattern) {
                    *x = table_score(table, usize::from(b));
                }
            }
            Scores::Sum { .. } => {
                for (r, x) in scores.iter_mut().enumerate() {
                    *x = self.score(tw, pattern, r);
                }
            }
        }
        self.matched.get(t).copied().unwrap_or(0)
    }

    /// Type `t`'s status and score for record `r` of the last block (see
    /// [`Words::type_column`]).
    pub(super) fn type_record(&self, bp: &BlockPlan, t: usize, r: usize) -> TypeSummary {
        let matched = self.matched.get(t).is_some_and(|&m| bit(m, r));
        TypeSummary {
            status: if matched {
                TypeStatus::Matched
            } else {
                TypeStatus::NotMatched
            },
            score: self
                .type_words(bp, t)
                .map_or(0.0, |(tw, pattern)| self.score(tw, pattern, r)),
        }
    }

    /// Type `t`'s (a `TypeId` index) layout and its record's patterns of indicative
    /// criteria in the last block.
    fn type_words<'a>(
        &'a self,
        bp: &'a BlockPlan,
        t: usize,
    ) -> Option<(&'a TypeWords, &'a [u8; BLOCK])> {
        let k = bp.types.iter().position(|x| x.index == t)?;
        Some((bp.types.get(k)?, self.patterns.get(k)?))
    }

    /// The score of type `tw` for record `r` of the last block (`pattern`: the type's
    /// patterns): from its table by the record's pattern, or its weights added.
    #[inline(always)]
    fn score(&self, tw: &TypeWords, pattern: &[u8; BLOCK], r: usize) -> f64 {
        match &tw.scores {
            Scores::Table(table) => table_score(table, byte(pattern, r)),
            Scores::Sum { weights, total } => {
                summed_score(&self.holds, &tw.indicative, weights, *total, r)
            }
        }
    }
}

/// The score a table gives the pattern `b` (a byte) of indicative criteria.
#[inline(always)]
fn table_score(table: &[f64; 256], b: usize) -> f64 {
    table.get(b & 0xFF).copied().unwrap_or(1.0)
}

/// The bits of `word` as bytes of 0 or 1, bit r to `bytes[r]` (as many as `bytes` has,
/// at most 64): eight at a time, by table.
pub(crate) fn spread_bits(word: u64, bytes: &mut [u8]) {
    for (c, chunk) in bytes.chunks_mut(8).enumerate().take(8) {
        let eight = SPREAD.get(((word >> (8 * c)) & 0xFF) as usize).copied();
        for (b, x) in chunk.iter_mut().zip(eight.unwrap_or(0).to_le_bytes()) {
            *b = x;
        }
    }
}

/// The records `0..len` of a block as a word.
pub(super) fn low_bits(len: usize) -> u64 {
    match len {
        BLOCK.. => u64::MAX,
        n => (1u64 << n) - 1,
    }
}

/// Write type `index`'s status (from `matched`) and score (`score(r)`) into each record's
/// row of `types` (`n` types a row).
#[inline(always)]
fn type_into_rows(
    types: &mut [TypeSummary],
    n: usize,
    index: usize,
    matched: u64,
    score: impl Fn(usize) -> f64,
) {
    for (r, row) in types.chunks_exact_mut(n.max(1)).enumerate() {
        let status = if bit(matched, r) {
            TypeStatus::Matched
        } else {
            TypeStatus::NotMatched
        };
        if let Some(slot) = row.get_mut(index) {
            *slot = TypeSummary {
                status,
                score: score(r),
            };
        }
    }
}

/// A type's score for record `r` when it has too many criteria for a table: the met
/// weights added in declaration order, over the total.
fn summed_score(holds: &[u64], slots: &[usize], weights: &[f64], total: f64, r: usize) -> f64 {
    let criteria = slots.iter().zip(weights);
    score_of(
        criteria.map(|(&s, &w)| (w, holds.get(s).is_some_and(|&h| bit(h, r)))),
        total,
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]

    use super::{level_positions, BLOCK, NOT_A_LEVEL};

    /// Bit r of the word is byte r, for every length of a block's rows.
    #[test]
    fn bits_spread_to_bytes_one_by_one() {
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        for len in 0..=BLOCK {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let mut bytes = [7u8; BLOCK + 1];
            super::spread_bits(x, &mut bytes[..len]);
            for (r, &b) in bytes.iter().enumerate() {
                let want = if r < len { (x >> r & 1) as u8 } else { 7 };
                assert_eq!(b, want, "{len} {r}");
            }
        }
    }

    /// Sixteen records at a time, each record's bucket is what looking its index up one
    /// by one gives: the index clamped to `last` when it names a level, else no level
    /// (indexes around every width the vector lanes saturate at).
    #[test]
    fn level_positions_are_the_indexes_looked_up_one_by_one() {
        let edges = [
            0,
            1,
            2,
            30,
            31,
            32,
            253,
            254,
            255,
            256,
            32_767,
            32_768,
            65_535,
            65_536,
            i32::MAX as u32,
            1 << 31,
            u32::MAX - 1,
            u32::MAX,
        ];
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for _ in 0..500 {
            let levels = next(255);
            let last = next(32) as u32;
            let mut at = [0u32; BLOCK];
            for i in &mut at {
                *i = if next(2) == 0 {
                    edges[next(edges.len())]
                } else {
                    next(levels + 2) as u32
                };
            }
            let mut column = [0u8; BLOCK];
            level_positions(&mut column, &at, levels, last);
            for (r, (&got, &i)) in column.iter().zip(&at).enumerate() {
                let want = if (i as usize) < levels {
                    i.min(last) as u8
                } else {
                    NOT_A_LEVEL
                };
                assert_eq!(
                    got, want,
                    "record {r}: index {i} of {levels} levels, last {last}"
                );
            }
        }
    }
}
