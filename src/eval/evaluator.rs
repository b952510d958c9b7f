//! Evaluation, the compiled value and its evaluators (on top of every layer): `ir::Program`
//! → [`Compiled`], every layer's plan built once; [`Compiled`] + `Facts` → `Outcome`,
//! `OutcomeSummary` or block rows, through an evaluator that holds only working space.
//!
//! A [`Compiled`] is immutable and shared (`&Compiled` across threads): evaluating again
//! compiles nothing and checks nothing. The working space of a run is the caller's: an
//! [`Evaluator`] for one record at a time, a [`BlockEvaluator`] for runs of records, each
//! reused from record to record so that nothing is allocated once its buffers have grown.

use std::sync::Arc;

use crate::eval::block::{BlockPlan, Blocks};
use crate::eval::compiled::{self, Plan};
use crate::eval::reference::Outcome;
use crate::eval::summary::{self, OutcomeSummary, Row, SummaryPlan};
use crate::facts::Facts;
use crate::ir::{PolicyId, Program};

/// A checked program compiled for evaluation, once: the compiled plan of its conditions,
/// the summary layer's layouts of it and the block layout. Immutable; `Send + Sync`, so one
/// serves every thread (share it by reference, or in an `Arc`).
#[derive(Clone, Debug)]
pub struct Compiled {
    program: Arc<Program>,
    /// The compiled plan and the summary layer's layouts of it
    summary: SummaryPlan,
    /// The block layout (`None`: more than 64 types or policies, evaluated one at a time)
    block: Option<BlockPlan>,
}

impl Compiled {
    /// Compile `program` (with its parameter values) for every evaluation path.
    pub fn new(program: impl Into<Arc<Program>>) -> Self {
        let program = program.into();
        let plan = Plan::new(&program, &program.params);
        let summary = SummaryPlan::new(&program, plan);
        let block = BlockPlan::new(&program, &summary.plan);
        Compiled {
            program,
            summary,
            block,
        }
    }

    /// The program this was compiled from.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// The full outcome for one record (allocates it; for many records reuse an
    /// [`Evaluator`] and an `Outcome`). The same as the reference [`evaluate`](super::evaluate).
    pub fn evaluate(&self, facts: &Facts) -> Outcome {
        let mut out = Outcome::default();
        Evaluator::new(self).evaluate_into(facts, &mut out);
        out
    }
}

/// Evaluates one record at a time with a [`Compiled`] program; holds only working space,
/// kept from record to record.
#[derive(Clone, Debug)]
pub struct Evaluator<'c> {
    compiled: &'c Compiled,
    scratch: summary::Scratch,
}

impl<'c> Evaluator<'c> {
    /// An evaluator for `compiled` (its working space grows on first use).
    pub fn new(compiled: &'c Compiled) -> Self {
        Evaluator {
            compiled,
            scratch: summary::Scratch::default(),
        }
    }

    /// Evaluate into an existing `Outcome`, reusing its buffers (after the first record
    /// nothing is allocated unless a type or policy is undetermined): the same outcome as the
    /// reference [`evaluate`](super::evaluate).
    pub fn evaluate_into(&mut self, facts: &Facts, out: &mut Outcome) {
        let c = self.compiled;
        let program = &*c.program;
        compiled::run::run_plan(
            program,
            &c.summary.plan,
            &program.params,
            facts,
            out,
            &mut self.scratch.plan,
        );
    }

    /// Evaluate into a reused [`OutcomeSummary`]: the same statuses, scores, classification
    /// and applicable policies as [`Evaluator::evaluate_into`], without building the full
    /// outcome unless a type or policy is undetermined.
    pub fn evaluate_summary_into(&mut self, facts: &Facts, out: &mut OutcomeSummary) {
        let c = self.compiled;
        summary::evaluate_into(&c.program, &c.summary, facts, out, &mut self.scratch);
    }
}

/// Evaluates runs of records with a [`Compiled`] program, a block of
/// [`BLOCK`](super::BLOCK) at a time; holds only working space and the rows of the last
/// run, read with [`BlockEvaluator::row`].
#[derive(Clone, Debug)]
pub struct BlockEvaluator<'c> {
    compiled: &'c Compiled,
    /// The block plan's policy order (what a row's applicable set counts positions in)
    order: &'c [PolicyId],
    blocks: Blocks,
}

impl<'c> BlockEvaluator<'c> {
    /// An evaluator for `compiled` (its working space grows on first use).
    pub fn new(compiled: &'c Compiled) -> Self {
        BlockEvaluator {
            compiled,
            order: match &compiled.block {
                Some(bp) => bp.policy_order(),
                None => &[],
            },
            blocks: Blocks::default(),
        }
    }

    /// Evaluate every record of `records`: afterwards [`BlockEvaluator::row`] gives each
    /// one's row, the same as [`Evaluator::evaluate_summary_into`] gives record by record.
    pub fn evaluate(&mut self, records: &[Facts]) {
        let c = self.compiled;
        self.blocks
            .evaluate(&c.program, &c.summary, c.block.as_ref(), records);
    }

    /// Evaluate one block of records given column by column (at most
    /// [`BLOCK`](super::BLOCK); see [`super::Lanes`]), building into `records` only those
    /// that must be read whole: afterwards [`BlockEvaluator::results`] reads each one's
    /// row (column by column: [`BlockEvaluator::row`] has none, the types being read
    /// where the block evaluator keeps them).
    pub(crate) fn evaluate_lanes(&mut self, lanes: &mut impl super::Lanes, records: &mut [Facts]) {
        let c = self.compiled;
        let bp = c.block.as_ref();
        self.blocks
            .evaluate_lanes(&c.program, &c.summary, bp, lanes, records, false);
    }

    /// Records of the last run.
    pub fn len(&self) -> usize {
        self.blocks.len()
    }

    /// Whether the last run had no record.
    pub fn is_empty(&self) -> bool {
        self.blocks.len() == 0
    }

    /// The row of record `i` of the last run.
    #[inline]
    pub fn row(&self, i: usize) -> Option<Row<'_>> {
        self.blocks.row(i, self.order)
    }

    /// The rows of the last run, read column by column (no row made per record).
    pub(crate) fn results(&self) -> super::BlockRows<'_> {
        self.blocks
            .results(self.order, self.compiled.block.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::{BlockEvaluator, Compiled, Evaluator};

    /// One compiled program serves every thread; evaluators can move to a thread.
    #[test]
    fn the_compiled_value_is_shared_between_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<Compiled>();
        shared::<Evaluator<'static>>();
        shared::<BlockEvaluator<'static>>();
    }
}
