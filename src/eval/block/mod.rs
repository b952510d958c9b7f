//! Evaluation, the block layer (the top one): many records at once. A compiled plan laid out
//! for blocks ([`BlockPlan`], built once from the compiled plan) + a run of records' `Facts`
//! → one row per record ([`Row`]), the same as the summary layer gives one record at a time,
//! with every condition decided for [`BLOCK`] records together.
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
//! a time by the summary layer. Tested against the one-record path on random facts
//! (`tests/plan_agrees.rs`).
//!
//! `layout.rs` lays a plan out for blocks, `words.rs` evaluates a block into words and
//! rows, `rows.rs` keeps the rows of a run. Imports only the layers under it (summary,
//! compiled, reference).

mod layout;
mod rows;
mod words;

use crate::eval::summary::{self, OutcomeSummary, Row, SummaryPlan};
use crate::facts::Facts;
use crate::ir::{PolicyId, Program};
use crate::value::Value;
pub(crate) use layout::BlockPlan;
pub(crate) use rows::BlockRows;
use rows::Rows;
pub(crate) use words::spread_bits;
use words::{low_bits, Block, Words};

/// Records evaluated together: the bits of a word.
pub const BLOCK: usize = 64;

/// The working space and results of the block evaluation, kept from run to run: what a run
/// of records is evaluated into.
#[derive(Clone, Debug, Default)]
pub(crate) struct Blocks {
    words: Words,
    /// For records evaluated one at a time
    single: OutcomeSummary,
    scratch: summary::Scratch,
    rows: Rows,
    /// The records of the last run with something undetermined (bit r: record r), when
    /// the run was one block evaluated in words; `None`: unknown (read from the rows)
    open: Option<u64>,
}

impl Blocks {
    /// Evaluate every record of `records` (`sp` and `bp` compiled from `program`; `bp` `None`
    /// for plans too large for blocks): afterwards [`Blocks::row`] gives each one's row,
    /// the same as [`summary::evaluate_into`] gives record by record.
    pub(crate) fn evaluate(
        &mut self,
        program: &Program,
        sp: &SummaryPlan,
        bp: Option<&BlockPlan>,
        records: &[Facts],
    ) {
        self.rows.clear(program.types.len(), bp.is_none());
        self.open = None;
        let Some(bp) = bp else {
            for facts in records {
                summary::evaluate_into(program, sp, facts, &mut self.single, &mut self.scratch);
                self.rows.push(&self.single);
            }
            return;
        };
        for records in records.chunks(BLOCK) {
            self.words.fill(bp, records);
            let block = Block {
                program,
                plan: &sp.plan,
                records,
            };
            self.words.run(bp, low_bits(records.len()), &block);
            let single = (&mut self.single, &mut self.scratch);
            self.words.rows(&block, bp, single, &mut self.rows, true);
        }
        if records.len() <= BLOCK {
            self.open = Some(self.words.open & low_bits(records.len()));
        }
    }

    /// Evaluate one block of `records.len()` (at most [`BLOCK`]) records given column by
    /// column (`lanes`): the plan's columns are filled straight from the lanes, and a
    /// record is built (`lanes.record`) only when it must be read as a whole — a record
    /// left undetermined, or every record when the plan has steps run record by record.
    /// Afterwards [`Blocks::results`] reads each one's row, the same as
    /// [`Blocks::evaluate`] gives for the built records, and with `whole` so does
    /// [`Blocks::row`] (without, the types of records with nothing undetermined stay in
    /// the words, where `results` reads them: not written record by record).
    pub(crate) fn evaluate_lanes(
        &mut self,
        program: &Program,
        sp: &SummaryPlan,
        bp: Option<&BlockPlan>,
        lanes: &mut impl Lanes,
        records: &mut [Facts],
        whole: bool,
    ) {
        let records = records
            .get_mut(..records.len().min(BLOCK))
            .unwrap_or_default();
        let bp = match bp {
            Some(bp) if !bp.record_steps => bp,
            _ => {
                for (r, facts) in records.iter_mut().enumerate() {
                    lanes.record(r, facts);
                }
                return self.evaluate(program, sp, bp, records);
            }
        };
        self.rows.clear(program.types.len(), false);
        self.open = None;
        self.words.fill_lanes(bp, lanes, records.len());
        let valid = low_bits(records.len());
        self.words.run(
            bp,
            valid,
            &Block {
                program,
                plan: &sp.plan,
                records: &[],
            },
        );
        let mut open = self.words.open & valid;
        while open != 0 {
            let r = open.trailing_zeros() as usize;
            open &= open - 1;
            if let Some(facts) = records.get_mut(r) {
                lanes.record(r, facts);
            }
        }
        let block = Block {
            program,
            plan: &sp.plan,
            records,
        };
        let single = (&mut self.single, &mut self.scratch);
        self.words.rows(&block, bp, single, &mut self.rows, whole);
        self.open = Some(self.words.open & valid);
    }

    /// Records of the last run.
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// The row of record `i` of the last run; `order` is the block plan's policy order
    /// (what a record's set of applicable policies counts positions in).
    #[inline]
    pub(crate) fn row<'a>(&'a self, i: usize, order: &'a [PolicyId]) -> Option<Row<'a>> {
        self.rows.get(i, order)
    }

    /// The rows of the last run, read column by column; `order` as for [`Blocks::row`],
    /// `bp` the block plan of the run.
    pub(crate) fn results<'a>(
        &'a self,
        order: &'a [PolicyId],
        bp: Option<&'a BlockPlan>,
    ) -> BlockRows<'a> {
        let words = bp.map(|bp| (&self.words, bp));
        BlockRows::new(&self.rows, order, self.open, words)
    }
}

/// One fact's cells in a block given column by column (rows past the block's records are
/// never read).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Lane<'a> {
    /// No column: unknown in every record
    Unknown,
    /// Numbers (NaN: unknown)
    Numbers(&'a [f64; BLOCK]),
    /// Truth values: 0 false, 1 true, anything else unknown
    Bools(&'a [u32; BLOCK]),
    /// Per record an index into `values` (past its end: unknown)
    Values(&'a [Value], &'a [u32; BLOCK]),
}

/// A block of records given column by column, as a table's decoder reads them.
pub(crate) trait Lanes {
    /// Fact `fact`'s cells of the block's records.
    fn lane(&self, fact: usize) -> Lane<'_>;
    /// Record `r` of the block in full: every slot of a fact with a lane written (the
    /// others are left as they are).
    fn record(&self, r: usize, facts: &mut Facts);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::{BlockPlan, Blocks, Lane, Lanes, BLOCK};
    use crate::eval::compiled::Plan;
    use crate::eval::summary::{self, OutcomeSummary, SummaryPlan};
    use crate::eval::test_program as program;
    use crate::facts::Facts;
    use crate::ir::Program;
    use crate::value::Value;
    use crate::vocab::TypeStatus;

    /// The summary and block plans of `program`.
    fn plans(program: &Program) -> (SummaryPlan, BlockPlan) {
        let sp = SummaryPlan::new(program, Plan::new(program, &program.params));
        let bp = BlockPlan::new(program, &sp.plan).unwrap();
        (sp, bp)
    }

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
        let (sp, bp) = plans(&program);
        let mut block = Blocks::default();
        block.evaluate(&program, &sp, Some(&bp), &records);
        let open = block.words.open;
        assert_eq!(block.len(), BLOCK);
        for r in 0..BLOCK {
            assert_eq!(open >> r & 1 == 1, r % 3 == 0, "record {r}");
            let row = block.row(r, &bp.policy_order).unwrap();
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
        let (sp, bp) = plans(&program);
        let mut block = Blocks::default();
        block.evaluate(&program, &sp, Some(&bp), &records);
        let (mut single, mut scratch) = (OutcomeSummary::default(), summary::Scratch::default());
        for (r, facts) in records.iter().enumerate() {
            summary::evaluate_into(&program, &sp, facts, &mut single, &mut scratch);
            let row = block.row(r, &bp.policy_order).unwrap();
            assert_eq!(row, single.row(), "record {r}");
        }
    }

    /// A block of records given as lanes: fact f's values, record by record.
    struct ByFact {
        values: Vec<Vec<Value>>,
        at: [u32; BLOCK],
    }

    impl Lanes for ByFact {
        fn lane(&self, fact: usize) -> Lane<'_> {
            match self.values.get(fact) {
                Some(values) => Lane::Values(values, &self.at),
                None => Lane::Unknown,
            }
        }
        fn record(&self, r: usize, facts: &mut Facts) {
            for (slot, values) in facts.values.iter_mut().zip(&self.values) {
                *slot = values[r].clone();
            }
        }
    }

    #[test]
    fn records_given_as_lanes_answer_as_whole_records() {
        let mut open = 0;
        for path in [
            "benches/workload/typology.meso",
            "tests/cases/wide",
            "rules",
        ] {
            let program = program(path);
            // Every kind of value in every fact, some unknown, so that some records are
            // left undetermined and built whole.
            let records: Vec<Facts> = (0..BLOCK)
                .map(|r| {
                    let mut facts = Facts::unknown(program.facts.len());
                    for (i, (v, f)) in facts.values.iter_mut().zip(&program.facts).enumerate() {
                        *v = match ((r * 7 + i * 3) % 5, &f.ty) {
                            (0, _) => Value::Unknown,
                            (1, _) => Value::Bool(r % 2 == 0),
                            (_, crate::ir::FactType::Level { .. }) => Value::Level((r % 4) as u32),
                            (_, crate::ir::FactType::Boolean) => Value::Bool(r % 3 == 0),
                            _ => {
                                Value::Number((r % 9) as f64 * 0.125 * 100f64.powi((i % 3) as i32))
                            }
                        };
                    }
                    facts
                })
                .collect();
            let mut lanes = ByFact {
                values: (0..program.facts.len())
                    .map(|f| records.iter().map(|r| r.values[f].clone()).collect())
                    .collect(),
                at: std::array::from_fn(|r| r as u32),
            };
            let (sp, bp) = plans(&program);
            let (mut whole, mut by_lanes) = (Blocks::default(), Blocks::default());
            whole.evaluate(&program, &sp, Some(&bp), &records);
            let mut built = vec![Facts::unknown(program.facts.len()); BLOCK];
            by_lanes.evaluate_lanes(&program, &sp, Some(&bp), &mut lanes, &mut built, true);
            open |= whole.words.open;
            let order = &bp.policy_order;
            for r in 0..BLOCK {
                assert_eq!(
                    by_lanes.row(r, order),
                    whole.row(r, order),
                    "{path}: record {r}"
                );
            }
            // Read column by column, the types left in the words: the same types.
            let mut in_words = Blocks::default();
            let mut built = vec![Facts::unknown(program.facts.len()); BLOCK];
            in_words.evaluate_lanes(&program, &sp, Some(&bp), &mut lanes, &mut built, false);
            let results = in_words.results(order, Some(&bp));
            let n = program.types.len();
            let undetermined = results.open_records(BLOCK);
            for t in 0..n {
                let mut scores = [f64::NAN; BLOCK];
                // (Plans with steps run record by record are evaluated as whole records.)
                let matched = results.type_column(t, &mut scores);
                assert_eq!(matched.is_none(), bp.record_steps, "{path}");
                for (r, score) in scores.iter().enumerate() {
                    let want = whole.row(r, order).unwrap().types[t];
                    assert_eq!(results.type_summary(t, r), Some(want), "{path}: {t} {r}");
                    if let (Some(matched), 0) = (matched, undetermined >> r & 1) {
                        assert_eq!(matched >> r & 1 == 1, want.status == TypeStatus::Matched);
                        assert_eq!(score.to_bits(), want.score.to_bits(), "{path}");
                    }
                }
                assert_eq!(results.type_summary(t, BLOCK), None);
            }
            assert_eq!(results.type_summary(n, 0), None);
            assert_eq!(undetermined, whole.words.open);
            for r in 0..BLOCK {
                let want = whole.row(r, order).unwrap();
                assert_eq!(
                    results.classification(r),
                    want.classification,
                    "{path}: {r}"
                );
            }
        }
        // Some records were left undetermined, and built whole.
        assert_ne!(open, 0);
    }
}
