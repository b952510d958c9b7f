//! Evaluation, block layer, the layout: a compiled plan (`compiled/plan.rs`) laid out for
//! blocks of records (`BlockPlan`, built once): which facts become columns, each leaf's
//! test on its column, the tape on words (steps that read values run record by record),
//! each type's criteria and score table, each policy's types and condition. `None` for
//! plans with more than 64 types or 64 policies.

use crate::eval::compiled::plan::{Leaf, Plan, Step, LEVEL_SPAN};
use crate::eval::reference::run::score_of;
use crate::eval::summary::direct::Holds;
use crate::ir::{FactType, PolicyId, Program};
use crate::value::Truth;

/// Types with at most this many indicative criteria get a score table (2^n entries, indexed
/// by a byte per record); the others add their weights record by record.
pub(super) const MAX_TABLE_CRITERIA: usize = 8;

/// A number fact against a constant.
#[derive(Clone, Copy, Debug)]
pub(super) struct NumberTest {
    pub(super) column: usize,
    pub(super) k: f64,
    pub(super) holds: Holds,
    /// An earlier test on the same column and constant that is this one's opposite
    /// (`x < k` and `x >= k`): its words swapped, with no pass over the column
    pub(super) opposite_of: Option<usize>,
}

/// The test that holds exactly where `holds` fails (both false for NaN).
pub(super) fn opposite(holds: Holds) -> Holds {
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
pub(super) struct LevelTest {
    pub(super) column: usize,
    pub(super) positions: u64,
}

/// A level fact's column: its fact, how many buckets it has (one per declared level,
/// and one for every position past them, where every leaf answers alike), and which of
/// them its leaves name (bit b: bucket b is in some leaf's `positions`).
#[derive(Clone, Copy, Debug)]
pub(super) struct LevelColumn {
    pub(super) fact: usize,
    pub(super) buckets: usize,
    pub(super) named: u64,
}

/// A tape step on words of records; slots index the per-slot words.
#[derive(Clone, Copy, Debug)]
pub(super) enum WordStep {
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
    /// A step that reads values (arithmetic, a comparison of two operands, a read of a
    /// parameter or derived value, a sub-expression for the interpreter): run record by
    /// record, as the one-record tape runs it
    Record(Step),
    /// Derived value `id` of each record = the truth in `slot` (kept only when `Record`
    /// steps may read it)
    DerivedOf {
        id: usize,
        slot: usize,
    },
}

/// How a type's score is found for a record.
#[derive(Clone, Debug)]
pub(super) enum Scores {
    /// Indexed by the set of indicative criteria that hold (bit i = criterion i)
    Table(Box<[f64; 256]>),
    /// Too many criteria for a table: weights added in declaration order, then divided
    Sum { weights: Vec<f64>, total: f64 },
}

#[derive(Clone, Debug)]
pub(super) struct TypeWords {
    pub(super) index: usize,
    pub(super) parent: Option<usize>,
    pub(super) required: Vec<usize>,
    pub(super) excluding: Vec<usize>,
    /// Slots of the indicative criteria, in declaration order
    pub(super) indicative: Vec<usize>,
    pub(super) scores: Scores,
}

#[derive(Clone, Debug)]
pub(super) struct PolicyWords {
    pub(super) for_types: Vec<usize>,
    pub(super) condition: Option<usize>,
}

/// A plan laid out for blocks of records (at most 64 types and 64 policies).
#[derive(Clone, Debug)]
pub(crate) struct BlockPlan {
    pub(super) number_facts: Vec<usize>,
    pub(super) level_columns: Vec<LevelColumn>,
    /// Facts read by `is known` or as booleans
    pub(super) flag_facts: Vec<usize>,
    /// Leaves in slot order: numbers, then levels (as in the plan)
    pub(super) numbers: Vec<NumberTest>,
    pub(super) levels: Vec<LevelTest>,
    pub(super) steps: Vec<WordStep>,
    /// With every parent before its children
    pub(super) types: Vec<TypeWords>,
    /// In output order
    pub(super) policies: Vec<PolicyWords>,
    /// The policies in output order (a record's applicable set is of positions here), and
    /// each one's position (by `PolicyId`)
    pub(super) policy_order: Vec<PolicyId>,
    pub(super) policy_position: Vec<u32>,
    pub(super) slots: usize,
    pub(super) n_types: usize,
    /// Derived values of the program, kept per record when `steps` has `Record` steps
    pub(super) n_derived: usize,
    pub(super) record_steps: bool,
}

/// The position of `fact` in `list`, added if new.
pub(super) fn column_of(list: &mut Vec<usize>, fact: usize) -> usize {
    list.iter().position(|&f| f == fact).unwrap_or_else(|| {
        list.push(fact);
        list.len() - 1
    })
}

/// A score table: for each set of criteria that hold, the met weight (added in declaration
/// order, as the interpreter adds it) over the total.
pub(super) fn score_table(weights: &[f64], total: f64) -> Box<[f64; 256]> {
    let mut table = Box::new([1.0; 256]);
    for (set, score) in table.iter_mut().enumerate() {
        let criteria = weights
            .iter()
            .enumerate()
            .map(|(i, &w)| (w, set >> i & 1 == 1));
        *score = score_of(criteria, total);
    }
    table
}

impl BlockPlan {
    /// The policies in output order: a record's applicable set counts positions here.
    pub(crate) fn policy_order(&self) -> &[PolicyId] {
        &self.policy_order
    }

    /// The block layout of `plan`, or `None` when it has more than 64 types or 64 policies
    /// (or a level leaf answers differently past its fact's levels, which a checked program
    /// never gives).
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
            let column = match level_columns.iter().position(|c| c.fact == fact) {
                Some(column) => column,
                None => {
                    level_columns.push(LevelColumn {
                        fact,
                        buckets: past + 1,
                        named: 0,
                    });
                    level_columns.len() - 1
                }
            };
            let positions = (0..=past).fold(0u64, |set, x| set | (u64::from(truth(x) == 2) << x));
            if let Some(c) = level_columns.get_mut(column) {
                c.named |= positions;
            }
            levels.push(LevelTest { column, positions });
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
                // A derived value computed as a condition is in its slot already; it is
                // kept as a value only for the steps run record by record.
                Step::Derived {
                    id,
                    root: Some(slot),
                    ..
                } => WordStep::DerivedOf {
                    id: id as usize,
                    slot: slot as usize,
                },
                Step::Derived { root: None, .. }
                | Step::Read { .. }
                | Step::Compare { .. }
                | Step::General { .. } => WordStep::Record(*step),
            });
        }
        let record_steps = steps.iter().any(|s| matches!(s, WordStep::Record(_)));
        if !record_steps {
            steps.retain(|s| !matches!(s, WordStep::DerivedOf { .. }));
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
            n_derived: program.derived.len(),
            record_steps,
        })
    }
}
