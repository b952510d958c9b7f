//! Evaluation stage, many records at once: `ir::Program` + a run of records' `Facts` → one
//! row per record ([`Row`]), the same as [`evaluate_summary_into`] gives one record at
//! a time, with every condition decided for [`BLOCK`] records together.
//!
//! The records are taken 64 at a time, and bit r of a word stands for record r. Each fact
//! the conditions read is first copied into a column (numbers as floats, NaN when unknown;
//! levels as positions), so that a comparison is a vector comparison of a few records at a
//! time whose answers land in the word with no branch. Leaves on one level fact share a
//! word per position: "records at this level", one pass over the column each. The
//! tape (`and`, `or`, `not`, `is known`, boolean facts), the types and the policies are then
//! word operations for the whole block, and each record's row is read out of the words.
//! Scores come from a table per type indexed by which indicative criteria hold, filled when
//! the plan is made by adding the weights in declaration order as the interpreter does, so
//! they are equal to the last bit.
//!
//! Steps that read values rather than truths (arithmetic, comparisons of two operands, text,
//! derived values read as values: what the one-record tape hands to the interpreter) run
//! record by record inside the block, through the same code as the one-record tape, with
//! each record's derived values kept beside the words. A record with a type or policy
//! undetermined is evaluated on its own in full, so its unknown facts are found as
//! everywhere else. Plans with more than 64 types or 64 policies are evaluated one record at
//! a time with [`evaluate_summary_into`]. Tested against the one-record path on random facts
//! (`tests/plan_agrees.rs`).
//!
//! `layout.rs` lays a plan out for blocks, `words.rs` evaluates a block into words and
//! rows, `rows.rs` keeps the rows of a run.

mod layout;
mod rows;
mod words;

use crate::eval::plan::Plan;
use crate::eval::summary::{evaluate_summary_into, OutcomeSummary, Row};
use crate::facts::Facts;
use crate::ir::Program;
use layout::BlockPlan;
use rows::Rows;
use words::{low_bits, Block, Words};

/// Records evaluated together: the bits of a word.
pub const BLOCK: usize = 64;

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
            if let Some(bp) = &block {
                self.rows.order.clone_from(&bp.policy_order);
            }
            self.plan = Some((plan, block));
        }
        let in_blocks = self.plan.as_ref().is_some_and(|(_, b)| b.is_some());
        self.rows.clear(program.types.len(), !in_blocks);
        let Some((plan, Some(bp))) = &self.plan else {
            for facts in records {
                evaluate_summary_into(program, facts, &mut self.single);
                self.rows.push(&self.single);
            }
            return;
        };
        for records in records.chunks(BLOCK) {
            self.words.fill(bp, records);
            let block = Block {
                program,
                plan,
                records,
            };
            self.words.run(bp, low_bits(records.len()), &block);
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
    use crate::eval::{evaluate_summary_into, test_program as program, OutcomeSummary};
    use crate::facts::Facts;
    use crate::value::Value;

    #[test]
    fn rule_sets_are_evaluated_in_blocks_and_arithmetic_record_by_record() {
        for (path, record_steps) in [
            ("benches/workload/typology.meso", false),
            ("tests/cases/logic", false),
            ("tests/cases/wide", false),
            ("rules", true),
            ("examples/rulesets/suzigan", true),
        ] {
            let program = program(path);
            let plan = Plan::new(&program, &program.params);
            let block = BlockPlan::new(&program, &plan).unwrap();
            assert_eq!(block.record_steps, record_steps, "{path}");
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

    #[test]
    fn level_positions_past_the_declared_levels_answer_as_one_at_a_time() {
        let program = program("tests/cases/wide");
        let grade = program
            .facts
            .iter()
            .position(|f| f.name == "grade")
            .unwrap();
        // Positions 0..8 of a fact with three levels, every other fact known.
        let records: Vec<Facts> = (0..BLOCK)
            .map(|r| {
                let mut facts = Facts::unknown(program.facts.len());
                for (v, f) in facts.values.iter_mut().zip(&program.facts) {
                    *v = match &f.ty {
                        crate::ir::FactType::Level { .. } => Value::Level((r % 3) as u32),
                        crate::ir::FactType::Boolean => Value::Bool(r % 2 == 0),
                        _ => Value::Number((r % 7) as f64 * 25.0),
                    };
                }
                facts.values[grade] = Value::Level((r % 9) as u32);
                facts
            })
            .collect();
        let mut block = BlockEvaluator::new();
        block.evaluate(&program, &records);
        let mut single = OutcomeSummary::default();
        for (r, facts) in records.iter().enumerate() {
            evaluate_summary_into(&program, facts, &mut single);
            assert_eq!(block.row(r).unwrap(), single.row(), "record {r}");
        }
    }
}
