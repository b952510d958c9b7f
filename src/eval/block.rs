//! Evaluation stage, many records at once: `ir::Program` + a run of records' `Facts` → one
//! [`OutcomeSummary`] per record, the same as [`evaluate_summary_into`] gives one record at
//! a time, with every condition decided for [`BLOCK`] records together.
//!
//! The records are taken 64 at a time, and bit r of a word stands for record r. Each fact
//! the conditions read is first copied into a column (numbers as floats, NaN when unknown;
//! levels as positions), so that a comparison is one test per record into a word with no
//! branch, which the compiler runs on several records at once. Leaves on one level fact
//! share a word per position: "records at this level", one pass over the column each. The
//! tape (`and`, `or`, `not`, `is known`, boolean facts), the types and the policies are then
//! word operations for the whole block, and each record's row is read out of the words.
//! Scores come from a table per type indexed by which indicative criteria hold, filled when
//! the plan is made by adding the weights in declaration order as the interpreter does, so
//! they are equal to the last bit.
//!
//! A record with a type or policy undetermined is evaluated on its own with
//! [`evaluate_summary_into`], so its unknown facts are found as everywhere else. Plans whose
//! conditions need more than comparisons and logic (arithmetic, comparisons of two facts,
//! derived values read as values) are evaluated one record at a time the same way. Tested
//! against the one-record path on random facts (`tests/plan_agrees.rs`).

use crate::eval::direct::Holds;
use crate::eval::engine::SCORE_EPSILON;
use crate::eval::plan::{Leaf, Plan, Step, LEVEL_SPAN};
use crate::eval::summary::{evaluate_summary_into, Applicable, OutcomeSummary, Row, TypeSummary};
use crate::eval::TypeStatus;
use crate::facts::Facts;
use crate::ir::{FactId, FactType, PolicyId, Program, TypeId};
use crate::value::{Truth, Value};
use wide::{f64x4, u8x16, CmpEq, CmpGe, CmpGt, CmpLe, CmpLt};

/// Records evaluated together: the bits of a word.
pub const BLOCK: usize = 64;

/// Types with at most this many indicative criteria get a score table (2^n entries, indexed
/// by a byte per record); the others add their weights record by record.
const MAX_TABLE_CRITERIA: usize = 8;

/// A level column's mark for "not a level": no position word has it.
const NOT_A_LEVEL: u8 = u8::MAX;

/// A flag column's codes, for facts read by `is known` or as booleans.
const FLAG_FALSE: u8 = 0;
const FLAG_TRUE: u8 = 1;
const FLAG_OTHER: u8 = 2;
const FLAG_UNKNOWN: u8 = 3;

/// A number fact against a constant.
#[derive(Clone, Copy, Debug)]
struct NumberTest {
    column: usize,
    k: f64,
    holds: Holds,
    /// An earlier test on the same column and constant that is this one's opposite
    /// (`x < k` and `x >= k`): its words swapped, with no pass over the column
    opposite_of: Option<usize>,
}

/// The test that holds exactly where `holds` fails (both false for NaN).
fn opposite(holds: Holds) -> Holds {
    match holds {
        Holds::Less => Holds::GreaterOrEqual,
        Holds::GreaterOrEqual => Holds::Less,
        Holds::LessOrEqual => Holds::Greater,
        Holds::Greater => Holds::LessOrEqual,
        Holds::Equal => Holds::Unequal,
        Holds::Unequal => Holds::Equal,
        Holds::Never => Holds::Always,
        Holds::Always => Holds::Never,
    }
}

/// A level fact against level constants: bit b of `positions` says whether the leaf holds
/// for the records in bucket b of its column.
#[derive(Clone, Copy, Debug)]
struct LevelTest {
    column: usize,
    positions: u64,
    /// Buckets of its column
    buckets: usize,
}

/// A level fact's column: its fact and how many buckets it has (one per declared level,
/// and one for every position past them, where every leaf answers alike).
#[derive(Clone, Copy, Debug)]
struct LevelColumn {
    fact: usize,
    buckets: usize,
}

/// A tape step on words of records; slots index the per-slot words.
#[derive(Clone, Copy, Debug)]
enum WordStep {
    And {
        out: usize,
        a: usize,
        b: usize,
    },
    Or {
        out: usize,
        a: usize,
        b: usize,
    },
    Not {
        out: usize,
        a: usize,
    },
    Const {
        out: usize,
        truth: Truth,
    },
    Known {
        out: usize,
        flag: usize,
        negated: bool,
    },
    Boolean {
        out: usize,
        flag: usize,
    },
}

/// How a type's score is found for a record.
#[derive(Clone, Debug)]
enum Scores {
    /// Indexed by the set of indicative criteria that hold (bit i = criterion i)
    Table(Box<[f64; 256]>),
    /// Too many criteria for a table: weights added in declaration order, then divided
    Sum { weights: Vec<f64>, total: f64 },
}

#[derive(Clone, Debug)]
struct TypeWords {
    index: usize,
    parent: Option<usize>,
    required: Vec<usize>,
    excluding: Vec<usize>,
    /// Slots of the indicative criteria, in declaration order
    indicative: Vec<usize>,
    scores: Scores,
}

#[derive(Clone, Debug)]
struct PolicyWords {
    for_types: Vec<usize>,
    condition: Option<usize>,
}

/// A plan laid out for blocks of records (at most 64 types and 64 policies).
#[derive(Clone, Debug)]
pub(crate) struct BlockPlan {
    number_facts: Vec<usize>,
    level_columns: Vec<LevelColumn>,
    /// Facts read by `is known` or as booleans
    flag_facts: Vec<usize>,
    /// Leaves in slot order: numbers, then levels (as in the plan)
    numbers: Vec<NumberTest>,
    levels: Vec<LevelTest>,
    steps: Vec<WordStep>,
    /// With every parent before its children
    types: Vec<TypeWords>,
    /// In output order
    policies: Vec<PolicyWords>,
    /// The policies in output order (a record's applicable set is of positions here), and
    /// each one's position (by `PolicyId`)
    policy_order: Vec<PolicyId>,
    policy_position: Vec<u32>,
    slots: usize,
    n_types: usize,
}

/// The position of `fact` in `list`, added if new.
fn column_of(list: &mut Vec<usize>, fact: usize) -> usize {
    list.iter().position(|&f| f == fact).unwrap_or_else(|| {
        list.push(fact);
        list.len() - 1
    })
}

/// A score table: for each set of criteria that hold, the met weight (added in declaration
/// order, as the interpreter adds it) over the total.
fn score_table(weights: &[f64], total: f64) -> Box<[f64; 256]> {
    let mut table = Box::new([1.0; 256]);
    for (set, score) in table.iter_mut().enumerate() {
        let met = weights.iter().enumerate().fold(0.0, |met, (i, &w)| {
            met + if set >> i & 1 == 1 { w } else { 0.0 }
        });
        if total > 0.0 {
            *score = met / total;
        }
    }
    table
}

impl BlockPlan {
    /// The block layout of `plan`, or `None` when its conditions need more than comparisons
    /// of facts with constants and logic.
    pub(crate) fn new(program: &Program, plan: &Plan) -> Option<Self> {
        // A record's types and its applicable policies are read out as one word each.
        if program.types.len() > 64 || program.policy_order.len() > 64 {
            return None;
        }
        let mut number_facts = Vec::new();
        let mut numbers: Vec<NumberTest> = Vec::with_capacity(plan.num_const.len());
        for l in &plan.num_const {
            let column = column_of(&mut number_facts, l.fact as usize);
            let holds = Holds::of_table(l.table);
            let opposite_of = numbers.iter().position(|t| {
                t.column == column && t.k.to_bits() == l.k.to_bits() && t.holds == opposite(holds)
            });
            numbers.push(NumberTest {
                column,
                k: l.k,
                holds,
                opposite_of,
            });
        }
        let mut level_facts = Vec::new();
        let mut level_columns: Vec<LevelColumn> = Vec::new();
        let mut levels = Vec::with_capacity(plan.level_const.len());
        for l in &plan.level_const {
            let fact = l.fact as usize;
            let declared = match &program.facts.get(fact)?.ty {
                FactType::Level { levels, .. } => levels.len(),
                _ => return None,
            };
            // One bucket per declared level and one for all positions past them, which
            // must all answer as the first of them does (constants name declared levels).
            let past = declared.min(LEVEL_SPAN as usize - 1);
            let truth = |x: usize| (l.table >> (2 * x)) & 3;
            if (past..LEVEL_SPAN as usize).any(|x| truth(x) != truth(past)) {
                return None;
            }
            let column = column_of(&mut level_facts, fact);
            if column == level_columns.len() {
                level_columns.push(LevelColumn {
                    fact,
                    buckets: past + 1,
                });
            }
            let positions = (0..=past).fold(0u64, |set, x| set | (u64::from(truth(x) == 2) << x));
            levels.push(LevelTest {
                column,
                positions,
                buckets: past + 1,
            });
        }
        let mut flag_facts = Vec::new();
        let mut steps = Vec::with_capacity(plan.tape.len());
        for step in &plan.tape {
            let slot = |s: u32| s as usize;
            steps.push(match *step {
                Step::And { out, a, b } => WordStep::And {
                    out: slot(out),
                    a: slot(a),
                    b: slot(b),
                },
                Step::Or { out, a, b } => WordStep::Or {
                    out: slot(out),
                    a: slot(a),
                    b: slot(b),
                },
                Step::Not { out, a } => WordStep::Not {
                    out: slot(out),
                    a: slot(a),
                },
                Step::Const { out, truth } => WordStep::Const {
                    out: slot(out),
                    truth,
                },
                Step::Known { out, fact, negated } => WordStep::Known {
                    out: slot(out),
                    flag: column_of(&mut flag_facts, fact as usize),
                    negated,
                },
                Step::Read {
                    out,
                    leaf: Leaf::Fact(fact),
                } => WordStep::Boolean {
                    out: slot(out),
                    flag: column_of(&mut flag_facts, fact as usize),
                },
                // A derived value computed as a condition is in its slot already; one that
                // is not a condition is read only by steps refused below.
                Step::Derived { .. } => continue,
                Step::Read { .. } | Step::Compare { .. } | Step::General { .. } => return None,
            });
        }
        let mut types = Vec::with_capacity(program.types.len());
        for &i in &plan.type_order {
            let (tp, ty) = (plan.types.get(i)?, program.types.get(i)?);
            let scores = if tp.weights.len() <= MAX_TABLE_CRITERIA {
                Scores::Table(score_table(&tp.weights, tp.total_weight))
            } else {
                Scores::Sum {
                    weights: tp.weights.clone(),
                    total: tp.total_weight,
                }
            };
            let slots = |list: &[u32]| list.iter().map(|&s| s as usize).collect::<Vec<_>>();
            types.push(TypeWords {
                index: i,
                parent: ty.parent.map(|p| p.index()),
                required: slots(&tp.required),
                excluding: slots(&tp.excluding),
                indicative: slots(&tp.indicative),
                scores,
            });
        }
        let mut policies = Vec::with_capacity(program.policy_order.len());
        for &id in &program.policy_order {
            let policy = program.policy(id)?;
            policies.push(PolicyWords {
                for_types: policy.for_types.iter().map(|t| t.index()).collect(),
                condition: plan
                    .conditions
                    .get(id.index())
                    .copied()
                    .flatten()
                    .map(|s| s as usize),
            });
        }
        let mut policy_position = vec![u32::MAX; program.policies.len()];
        for (i, id) in program.policy_order.iter().enumerate() {
            if let Some(p) = policy_position.get_mut(id.index()) {
                *p = u32::try_from(i).ok()?;
            }
        }
        Some(BlockPlan {
            number_facts,
            level_columns,
            flag_facts,
            numbers,
            levels,
            steps,
            types,
            policies,
            policy_order: program.policy_order.clone(),
            policy_position,
            slots: plan.slots,
            n_types: program.types.len(),
        })
    }
}

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

/// Whether bit `r` of `word` is set.
#[inline(always)]
fn bit(word: u64, r: usize) -> bool {
    (word >> (r % BLOCK)) & 1 == 1
}

/// What one block's evaluation found, kept from block to block.
#[derive(Clone, Debug, Default)]
struct Words {
    /// Columns, one per fact read (the records of the block, in order)
    numbers: Vec<[f64; BLOCK]>,
    levels: Vec<[u8; BLOCK]>,
    flags: Vec<[u8; BLOCK]>,
    /// Per level column: the records in each bucket (`LEVEL_SPAN` words a column)
    buckets: Vec<u64>,
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
    open: u64,
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
    /// Copy the facts the plan reads into the columns (at most `BLOCK` records).
    #[inline(never)]
    fn fill(&mut self, bp: &BlockPlan, records: &[Facts]) {
        self.numbers
            .resize(bp.number_facts.len(), [f64::NAN; BLOCK]);
        self.levels
            .resize(bp.level_columns.len(), [NOT_A_LEVEL; BLOCK]);
        self.flags
            .resize(bp.flag_facts.len(), [FLAG_UNKNOWN; BLOCK]);
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

    /// Decide every slot, type and policy for the records in `valid`.
    #[inline(never)]
    fn run(&mut self, bp: &BlockPlan, valid: u64) {
        self.holds.clear();
        self.holds.resize(bp.slots, 0);
        self.fails.clear();
        self.fails.resize(bp.slots, 0);
        self.open = 0;
        self.leaves(bp, valid);
        self.tape(bp, valid);
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
        for ((c, column), buckets) in bp
            .level_columns
            .iter()
            .zip(&self.levels)
            .zip(self.buckets.chunks_exact_mut(LEVEL_SPAN as usize))
        {
            for (b, records) in buckets.iter_mut().enumerate().take(c.buckets) {
                let b = b as u8;
                *records = byte_word(column, b);
            }
        }
        for t in &bp.levels {
            let buckets = self
                .buckets
                .get(t.column * LEVEL_SPAN as usize..)
                .unwrap_or_default();
            let (mut holds, mut known) = (0u64, 0u64);
            for (b, &records) in buckets.iter().take(t.buckets).enumerate() {
                known |= records;
                holds |= records & 0u64.wrapping_sub((t.positions >> b) & 1);
            }
            set(holds, known, self);
        }
    }

    fn tape(&mut self, bp: &BlockPlan, valid: u64) {
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
    /// to `rows`; a record with something undetermined is evaluated on its own.
    fn rows(
        &self,
        program: &Program,
        bp: &BlockPlan,
        records: &[Facts],
        single: &mut OutcomeSummary,
        rows: &mut Rows,
    ) {
        let n = bp.n_types;
        let base = rows.len();
        let len = records.len().min(BLOCK);
        // Every entry is written below; the placeholder is all zero bytes, which the
        // compiler lays down as a plain memset.
        rows.types.resize(
            (base + len) * n,
            TypeSummary {
                status: TypeStatus::Matched,
                score: 0.0,
            },
        );
        let block_types = rows.types.get_mut(base * n..).unwrap_or_default();
        // Type by type: the status and score of every record.
        for (t, pattern) in bp.types.iter().zip(&self.patterns) {
            let matched = self.matched.get(t.index).copied().unwrap_or(0);
            match &t.scores {
                Scores::Table(table) => type_column(block_types, n, t.index, matched, |r| {
                    table.get(byte(pattern, r) & 0xFF).copied().unwrap_or(1.0)
                }),
                Scores::Sum { weights, total } => {
                    type_column(block_types, n, t.index, matched, |r| {
                        summed_score(&self.holds, &t.indicative, weights, *total, r)
                    })
                }
            }
        }
        // Record by record: classification and applicable policies, read from the words.
        let leading = self.record_leading.get(..len).unwrap_or_default();
        for (r, &leading) in leading.iter().enumerate() {
            let row = rows.types.get((base + r) * n..).unwrap_or_default();
            rows.classification.push(classification(leading, row));
        }
        let applies = self.record_applies.get(..len).unwrap_or_default();
        rows.applies.extend_from_slice(applies);
        let none = span_from(rows.unknown_facts.len(), &rows.unknown_facts);
        rows.unknown_spans.resize(base + len, none);
        // The records with something undetermined, one at a time.
        let mut open = self.open & low_bits(len);
        while open != 0 {
            let r = open.trailing_zeros() as usize;
            open &= open - 1;
            let Some(facts) = records.get(r) else {
                continue;
            };
            evaluate_summary_into(program, facts, single);
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
            if let Some(span) = rows.unknown_spans.get_mut(i) {
                *span = span_from(start, &rows.unknown_facts);
            }
        }
    }
}

/// The records `0..len` of a block as a word.
fn low_bits(len: usize) -> u64 {
    match len {
        BLOCK.. => u64::MAX,
        n => (1u64 << n) - 1,
    }
}

/// Write type `index`'s status (from `matched`) and score (`score(r)`) into each record's
/// row of `types` (`n` types a row).
#[inline(always)]
fn type_column(
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
    let met = slots.iter().zip(weights).fold(0.0, |met, (&s, &w)| {
        met + if holds.get(s).is_some_and(|&h| bit(h, r)) {
            w
        } else {
            0.0
        }
    });
    if total > 0.0 {
        met / total
    } else {
        1.0
    }
}

/// The classification among the `leading` types (matched, with no matched child), given
/// the record's type rows: best score first, ties to declaration order. Mostly one type
/// leads, which decides it at once.
fn classification(leading: u64, types: &[TypeSummary]) -> Option<TypeId> {
    if leading & leading.wrapping_sub(1) == 0 {
        return (leading != 0).then(|| TypeId::from_index(leading.trailing_zeros() as usize));
    }
    let mut best: Option<(usize, f64)> = None;
    let mut candidates = leading;
    while candidates != 0 {
        let i = candidates.trailing_zeros() as usize;
        candidates &= candidates - 1;
        let score = types.get(i).map_or(0.0, |t| t.score);
        if best.is_none_or(|(_, s)| score > s + SCORE_EPSILON) {
            best = Some((i, score));
        }
    }
    best.map(|(i, _)| TypeId::from_index(i))
}

/// `start..` the end of `list`, as a pair of positions.
fn span_from<T>(start: usize, list: &[T]) -> (u32, u32) {
    (start as u32, list.len() as u32)
}

/// The rows of the records last evaluated, laid out flat, record after record.
#[derive(Clone, Debug, Default)]
struct Rows {
    n_types: usize,
    /// `n_types` a record
    types: Vec<TypeSummary>,
    classification: Vec<Option<TypeId>>,
    /// Applicable policies: per record a set of positions in `order` (block evaluation),
    /// or, when `lists` is set, a span of `list`
    applies: Vec<u64>,
    order: Vec<PolicyId>,
    lists: bool,
    list: Vec<PolicyId>,
    list_spans: Vec<(u32, u32)>,
    /// Missing facts: a span of `unknown_facts` per record
    unknown_facts: Vec<FactId>,
    unknown_spans: Vec<(u32, u32)>,
}

impl Rows {
    /// Start a run: rows of `n_types` types, applicable policies as sets of positions in
    /// `order` or, with `None`, as lists.
    fn clear(&mut self, n_types: usize, order: Option<&[PolicyId]>) {
        self.n_types = n_types;
        self.types.clear();
        self.classification.clear();
        self.applies.clear();
        self.lists = order.is_none();
        if let Some(order) = order {
            if self.order != order {
                self.order = order.to_vec();
            }
        }
        self.list.clear();
        self.list_spans.clear();
        self.unknown_facts.clear();
        self.unknown_spans.clear();
    }

    /// Append a row evaluated on its own (a run of lists).
    fn push(&mut self, summary: &OutcomeSummary) {
        self.types.extend_from_slice(&summary.types);
        self.classification.push(summary.classification);
        let start = self.list.len();
        self.list.extend_from_slice(&summary.applicable);
        self.list_spans.push(span_from(start, &self.list));
        let start = self.unknown_facts.len();
        self.unknown_facts.extend_from_slice(&summary.unknown_facts);
        self.unknown_spans
            .push(span_from(start, &self.unknown_facts));
    }

    fn len(&self) -> usize {
        self.classification.len()
    }

    #[inline]
    fn get(&self, i: usize) -> Option<Row<'_>> {
        let span = |(start, end): (u32, u32)| start as usize..end as usize;
        let n = self.n_types;
        let applicable = if self.lists {
            Applicable::List(self.list.get(span(*self.list_spans.get(i)?))?)
        } else {
            Applicable::Set {
                order: &self.order,
                set: *self.applies.get(i)?,
            }
        };
        Some(Row {
            types: self.types.get(i * n..(i + 1) * n)?,
            classification: *self.classification.get(i)?,
            applicable,
            unknown_facts: self.unknown_facts.get(span(*self.unknown_spans.get(i)?))?,
        })
    }
}

/// Evaluates runs of records, a block at a time; keeps the compiled plan and its buffers
/// from call to call. The rows of the last run are read with [`BlockEvaluator::row`].
#[derive(Clone, Debug, Default)]
pub struct BlockEvaluator {
    plan: Option<(Box<Plan>, Option<BlockPlan>)>,
    words: Words,
    /// For records evaluated one at a time
    single: OutcomeSummary,
    rows: Rows,
}

impl BlockEvaluator {
    /// A new evaluator (the plan is compiled on first use).
    pub fn new() -> Self {
        Self::default()
    }

    /// Evaluate every record of `records`: afterwards [`BlockEvaluator::row`] gives each
    /// one's row, the same as [`evaluate_summary_into`] gives record by record.
    pub fn evaluate(&mut self, program: &Program, records: &[Facts]) {
        if !self.plan.as_ref().is_some_and(|(p, _)| p.is_for(program)) {
            let plan = Box::new(Plan::new(program, &program.params));
            let block = BlockPlan::new(program, &plan);
            self.plan = Some((plan, block));
        }
        let block = self.plan.as_ref().and_then(|(_, b)| b.as_ref());
        let order = block.map(|bp| bp.policy_order.as_slice());
        self.rows.clear(program.types.len(), order);
        let Some((_, Some(bp))) = &self.plan else {
            for facts in records {
                evaluate_summary_into(program, facts, &mut self.single);
                self.rows.push(&self.single);
            }
            return;
        };
        for records in records.chunks(BLOCK) {
            self.words.fill(bp, records);
            self.words.run(bp, low_bits(records.len()));
            self.words
                .rows(program, bp, records, &mut self.single, &mut self.rows);
        }
    }

    /// Records of the last run.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the last run had no record.
    pub fn is_empty(&self) -> bool {
        self.rows.len() == 0
    }

    /// The row of record `i` of the last run.
    #[inline]
    pub fn row(&self, i: usize) -> Option<Row<'_>> {
        self.rows.get(i)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::{BlockEvaluator, BlockPlan, BLOCK};
    use crate::eval::plan::Plan;
    use crate::facts::Facts;
    use crate::ir::Program;
    use crate::value::Value;

    fn program(path: &str) -> Program {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        let sources = crate::ruleset::read_sources(&dir).unwrap();
        crate::ruleset::load(sources, &[])
            .map_err(|f| f.errors.len())
            .unwrap()
            .program
    }

    #[test]
    fn comparisons_and_logic_are_evaluated_in_blocks_and_arithmetic_is_not() {
        for (path, in_blocks) in [
            ("benches/workload/typology.meso", true),
            ("tests/cases/logic", true),
            ("rules", false),
            ("examples/rulesets/suzigan", false),
        ] {
            let program = program(path);
            let plan = Plan::new(&program, &program.params);
            assert_eq!(
                BlockPlan::new(&program, &plan).is_some(),
                in_blocks,
                "{path}"
            );
        }
    }

    #[test]
    fn records_left_undetermined_are_open_and_the_others_are_not() {
        let program = program("benches/workload/typology.meso");
        let known = |firms: f64| {
            let mut facts = Facts::unknown(program.facts.len());
            for (v, f) in facts.values.iter_mut().zip(&program.facts) {
                *v = match &f.ty {
                    crate::ir::FactType::Level { .. } => Value::Level(0),
                    _ => Value::Number(firms),
                };
            }
            facts
        };
        // Every third record knows nothing: its types are undetermined.
        let records: Vec<Facts> = (0..BLOCK)
            .map(|r| {
                if r % 3 == 0 {
                    Facts::unknown(program.facts.len())
                } else {
                    known(r as f64)
                }
            })
            .collect();
        let mut block = BlockEvaluator::new();
        block.evaluate(&program, &records);
        let open = block.words.open;
        assert_eq!(block.len(), BLOCK);
        for r in 0..BLOCK {
            assert_eq!(open >> r & 1 == 1, r % 3 == 0, "record {r}");
            let row = block.row(r).unwrap();
            assert_eq!(row.unknown_facts.is_empty(), r % 3 != 0, "record {r}");
        }
    }
}
