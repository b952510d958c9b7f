//! Evaluation, summary layer, straight to bits: a record's facts → the two bit sets of its truth
//! slots (which hold, which fail) that `bitwise.rs` decides types and policies from, with no
//! truth array in between. For plans of at most 64 slots whose tape is only logic (`and`,
//! `or`, `not`, constants, `is known`, boolean facts): typologies written as comparisons of
//! facts with thresholds and levels, as the reference workload is.
//!
//! Number leaves are compared one by one as in the compiled layer's run and set their slot's bit. Leaves
//! on one level fact are taken together: for each position of the fact, the bits of all its
//! leaves that hold and that fail are precomputed, so one table read sets them all. Tape
//! steps combine bits. Tested against the truth-array path (`summary/mod.rs`) and the full
//! outcome (`tests/plan_agrees.rs`).

use crate::eval::compiled::plan::{Leaf, Plan, Step, LEVEL_SPAN};
use crate::value::{Truth, Value};

/// Which orderings of the fact against the constant a number leaf holds for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Holds {
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Equal,
    Unequal,
    Never,
    Always,
}

impl Holds {
    /// From an ordering table (see `plan.rs`): bits 2-3 less, 4-5 equal, 6-7 greater.
    pub(crate) fn of_table(table: u8) -> Self {
        let at = |ordering: u8| (table >> (2 * ordering)) & 2 != 0;
        match (at(1), at(2), at(3)) {
            (true, false, false) => Holds::Less,
            (true, true, false) => Holds::LessOrEqual,
            (false, false, true) => Holds::Greater,
            (false, true, true) => Holds::GreaterOrEqual,
            (false, true, false) => Holds::Equal,
            (true, false, true) => Holds::Unequal,
            (false, false, false) => Holds::Never,
            (true, true, true) => Holds::Always,
        }
    }
}

/// A number leaf: its fact, constant and slot (its comparison is its group's).
#[derive(Clone, Copy, Debug)]
struct NumberBit {
    fact: usize,
    k: f64,
    slot: u32,
}

/// The number leaves of one comparison: run by one loop with that comparison fixed, so no
/// leaf chooses its comparison at run time.
#[derive(Clone, Debug)]
struct NumberGroup {
    holds: Holds,
    leaves: Vec<NumberBit>,
}

/// The slots among `leaves` that hold and that fail, the comparison being `test`.
#[inline(always)]
fn compare_all(
    leaves: &[NumberBit],
    facts: &[Value],
    test: impl Fn(f64, f64) -> bool,
) -> (u64, u64) {
    let (mut holds, mut fails) = (0u64, 0u64);
    for n in leaves {
        let x = match facts.get(n.fact) {
            Some(Value::Number(x)) => *x,
            _ => f64::NAN,
        };
        // NaN (and a fact that is not a number) is neither: unknown, as in `compiled/run.rs`.
        let known = !x.is_nan();
        let yes = test(x, n.k);
        holds |= u64::from(known & yes) << n.slot;
        fails |= u64::from(known & !yes) << n.slot;
    }
    (holds, fails)
}

/// Every level leaf on one fact: per position, the slots that hold and the slots that fail.
#[derive(Clone, Debug)]
struct LevelGroup {
    fact: usize,
    holds: [u64; LEVEL_SPAN as usize],
    fails: [u64; LEVEL_SPAN as usize],
}

/// A tape step on slot bits.
#[derive(Clone, Copy, Debug)]
enum BitStep {
    And {
        out: u32,
        a: u32,
        b: u32,
    },
    Or {
        out: u32,
        a: u32,
        b: u32,
    },
    Not {
        out: u32,
        a: u32,
    },
    Const {
        out: u32,
        truth: Truth,
    },
    Known {
        out: u32,
        fact: usize,
        negated: bool,
    },
    Boolean {
        out: u32,
        fact: usize,
    },
}

/// A plan laid out for evaluation straight to bits.
#[derive(Clone, Debug)]
pub(crate) struct Direct {
    numbers: Vec<NumberGroup>,
    levels: Vec<LevelGroup>,
    steps: Vec<BitStep>,
}

impl Direct {
    /// The layout of `plan`, or `None` when it has more than 64 slots or a tape step other
    /// than logic.
    pub(crate) fn new(plan: &Plan) -> Option<Self> {
        if plan.slots > 64 {
            return None;
        }
        let id = |i: usize| u32::try_from(i).ok();
        let mut numbers: Vec<NumberGroup> = Vec::new();
        for (i, l) in plan.num_const.iter().enumerate() {
            let holds = Holds::of_table(l.table);
            let leaf = NumberBit {
                fact: l.fact as usize,
                k: l.k,
                slot: id(i)?,
            };
            match numbers.iter_mut().find(|g| g.holds == holds) {
                Some(group) => group.leaves.push(leaf),
                None => numbers.push(NumberGroup {
                    holds,
                    leaves: vec![leaf],
                }),
            }
        }
        let mut levels: Vec<LevelGroup> = Vec::new();
        for (i, l) in plan.level_const.iter().enumerate() {
            let slot = 1u64 << (plan.num_const.len() + i);
            let fact = l.fact as usize;
            let group = match levels.iter().position(|g| g.fact == fact) {
                Some(g) => levels.get_mut(g)?,
                None => {
                    levels.push(LevelGroup {
                        fact,
                        holds: [0; LEVEL_SPAN as usize],
                        fails: [0; LEVEL_SPAN as usize],
                    });
                    levels.last_mut()?
                }
            };
            for (x, (h, f)) in group.holds.iter_mut().zip(&mut group.fails).enumerate() {
                // The leaf's truth at position x: bits 2x and 2x+1 of its table (true or false).
                if (l.table >> (2 * x)) & 2 != 0 {
                    *h |= slot;
                } else {
                    *f |= slot;
                }
            }
        }
        let mut steps = Vec::with_capacity(plan.tape.len());
        for step in &plan.tape {
            steps.push(match *step {
                Step::And { out, a, b } => BitStep::And { out, a, b },
                Step::Or { out, a, b } => BitStep::Or { out, a, b },
                Step::Not { out, a } => BitStep::Not { out, a },
                Step::Const { out, truth } => BitStep::Const { out, truth },
                Step::Known { out, fact, negated } => BitStep::Known {
                    out,
                    fact: fact as usize,
                    negated,
                },
                Step::Read {
                    out,
                    leaf: Leaf::Fact(fact),
                } => BitStep::Boolean {
                    out,
                    fact: fact as usize,
                },
                // A derived value computed as a condition is in its slot already; one that
                // is not a condition is read only by steps refused below.
                Step::Derived { .. } => continue,
                Step::Read { .. } | Step::Compare { .. } | Step::General { .. } => return None,
            });
        }
        Some(Direct {
            numbers,
            levels,
            steps,
        })
    }

    /// The slots that hold and the slots that fail for these facts.
    #[inline(never)]
    pub(crate) fn run(&self, facts: &[Value]) -> (u64, u64) {
        let value = |f: usize| facts.get(f);
        let (mut holds, mut fails) = (0u64, 0u64);
        for g in &self.numbers {
            let (h, f) = match g.holds {
                Holds::Less => compare_all(&g.leaves, facts, |x, k| x < k),
                Holds::LessOrEqual => compare_all(&g.leaves, facts, |x, k| x <= k),
                Holds::Greater => compare_all(&g.leaves, facts, |x, k| x > k),
                Holds::GreaterOrEqual => compare_all(&g.leaves, facts, |x, k| x >= k),
                Holds::Equal => compare_all(&g.leaves, facts, |x, k| x == k),
                Holds::Unequal => compare_all(&g.leaves, facts, |x, k| x != k),
                Holds::Never => compare_all(&g.leaves, facts, |_, _| false),
                Holds::Always => compare_all(&g.leaves, facts, |_, _| true),
            };
            holds |= h;
            fails |= f;
        }
        for g in &self.levels {
            if let Some(Value::Level(x)) = value(g.fact) {
                let x = (*x).min(LEVEL_SPAN - 1) as usize;
                holds |= g.holds.get(x).copied().unwrap_or(0);
                fails |= g.fails.get(x).copied().unwrap_or(0);
            }
        }
        for step in &self.steps {
            let at = |set: u64, slot: u32| (set >> slot) & 1;
            let (out, h, f) = match *step {
                BitStep::And { out, a, b } => (
                    out,
                    at(holds, a) & at(holds, b),
                    at(fails, a) | at(fails, b),
                ),
                BitStep::Or { out, a, b } => (
                    out,
                    at(holds, a) | at(holds, b),
                    at(fails, a) & at(fails, b),
                ),
                BitStep::Not { out, a } => (out, at(fails, a), at(holds, a)),
                BitStep::Const { out, truth } => (
                    out,
                    u64::from(truth == Truth::True),
                    u64::from(truth == Truth::False),
                ),
                BitStep::Known { out, fact, negated } => {
                    let known = value(fact).is_some_and(Value::is_known) != negated;
                    (out, u64::from(known), u64::from(!known))
                }
                BitStep::Boolean { out, fact } => match value(fact) {
                    Some(Value::Bool(b)) => (out, u64::from(*b), u64::from(!*b)),
                    _ => (out, 0, 0),
                },
            };
            holds |= h << out;
            fails |= f << out;
        }
        (holds, fails)
    }
}
