//! Evaluation stage: `ir::Program` + `Facts` → `Outcome`.
//!
//! Three-valued (Kleene) logic throughout: a missing fact is unknown, never false or zero.
//! [`evaluate`] is the entry point; [`evaluate_into`] reuses an `Outcome` for batches;
//! [`evaluate_observed`] reports every expression node to an [`Observer`] for traces.
//! [`testing::run_tests`] runs the tests written in rule files.

mod bitwise;
mod block;
pub mod coverage;
mod direct;
mod engine;
mod expr;
mod fast;
mod missing;
mod observer;
mod plan;
mod summary;
pub mod testing;
#[cfg(test)]
mod tests;

/// For the unit tests of the evaluation stage: the checked program of a rule set in the
/// repository (`path` from its root).
#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) fn test_program(path: &str) -> Program {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let sources = crate::ruleset::read_sources(&dir).unwrap();
    crate::ruleset::load(sources, &[])
        .map_err(|f| f.errors.len())
        .unwrap()
        .program
}

pub use block::{BlockEvaluator, BLOCK};
pub use observer::{NoObserver, Observer, UnknownReason};
pub use summary::{
    evaluate_summary_into, Applicable, ApplicableIter, OutcomeSummary, Row, TypeSummary,
};

use crate::facts::Facts;
use crate::ir::{FactId, PolicyId, Program, TypeId};
use crate::value::{Truth, Value};
use crate::vocab::{PolicyStatus, TypeStatus};

/// Evaluate a checked program against the facts about one cluster.
pub fn evaluate(program: &Program, facts: &Facts) -> Outcome {
    let mut out = Outcome::default();
    evaluate_into(program, facts, &mut out);
    out
}

/// Evaluate into an existing `Outcome`, reusing its buffers (batch mode: after the first
/// record nothing is allocated unless a type or policy is undetermined).
///
/// The first call compiles the program's conditions into a plan that the `Outcome` keeps
/// for the calls after it with the same program.
pub fn evaluate_into(program: &Program, facts: &Facts, out: &mut Outcome) {
    let mut cache = std::mem::take(&mut out.plan);
    let plan = match cache.plan.take() {
        Some(plan) if plan.is_for(program) => plan,
        _ => Box::new(plan::Plan::new(program, &program.params)),
    };
    fast::run_plan(
        program,
        &plan,
        &program.params,
        facts,
        out,
        &mut cache.scratch,
    );
    cache.plan = Some(plan);
    out.plan = cache;
}

/// Evaluate while reporting every expression node, short circuit and derived value to
/// `observer` (for traces and explanations).
pub fn evaluate_observed<O: Observer>(
    program: &Program,
    facts: &Facts,
    observer: &mut O,
) -> Outcome {
    let mut out = Outcome::default();
    engine::run(program, &program.params, facts, &mut out, observer);
    out
}

/// Evaluate one expression node (and everything under it) against the facts, the current
/// parameter values and already computed derived values, reporting each node to `observer`.
/// For traces: sub-expressions the evaluator skipped by short-circuiting are evaluated here,
/// after the run, for display. Not used on the evaluation path.
pub fn evaluate_expr_observed<O: Observer>(
    program: &Program,
    facts: &Facts,
    derived: &[Value],
    id: crate::ir::ExprId,
    observer: &mut O,
) -> Value {
    expr::Evaluator {
        exprs: &program.exprs,
        facts: &facts.values,
        params: &program.params,
        derived,
        obs: observer,
        why: None,
    }
    .eval(id)
    .to_value()
}

/// The result for one cluster type.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeOutcome {
    /// Matched, not matched or undetermined
    pub status: TypeStatus,
    /// Status of the parent type (`extends`), if any
    pub parent_status: Option<TypeStatus>,
    /// Own required criteria, in declaration order
    pub required: Vec<Truth>,
    /// Own indicative criteria, in declaration order
    pub indicative: Vec<Truth>,
    /// Own excluding criteria, in declaration order
    pub excluding: Vec<Truth>,
    /// Met indicative weight / total weight (unknown criteria count as not met); 1 with no indicative criteria
    pub score: f64,
    /// The score if every unknown indicative criterion held
    pub score_max: f64,
    /// Facts that are missing and read by a criterion that came out unknown
    pub unknown_facts: Vec<FactId>,
}

/// The result for one policy or avoid item.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyOutcome {
    /// Applies, does not apply, or undetermined
    pub status: PolicyStatus,
    /// The `for` types that matched
    pub matched_types: Vec<TypeId>,
    /// The `when` condition (None: no condition)
    pub condition: Option<Truth>,
    /// Missing facts that would decide it
    pub unknown_facts: Vec<FactId>,
}

/// Everything evaluation says about one cluster.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    /// Value of each derived value (by `DerivedId`)
    pub derived: Vec<Value>,
    /// Result per type (by `TypeId`)
    pub types: Vec<TypeOutcome>,
    /// The primary classification: the most specific matched type with the highest score
    pub classification: Option<TypeId>,
    /// Other most specific matched types with the same score as the classification (a tie, broken by declaration order)
    pub tied: Vec<TypeId>,
    /// Other most specific matched types with a lower score (the cluster is a hybrid)
    pub hybrids: Vec<TypeId>,
    /// Result per policy (by `PolicyId`)
    pub policies: Vec<PolicyOutcome>,
    /// Policies and avoid items that apply, in output order (phase, `after`, declaration)
    pub applicable: Vec<PolicyId>,
    /// The compiled plan of the program last evaluated into this outcome
    plan: PlanCache,
}

/// Keeps a compiled plan with an `Outcome` between evaluations. Not part of the result:
/// it compares equal to any other and is not shown.
#[derive(Clone, Default)]
struct PlanCache {
    plan: Option<Box<plan::Plan>>,
    /// Working space of the plan run
    scratch: fast::Scratch,
}

impl PartialEq for PlanCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for PlanCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("..")
    }
}
