//! Evaluation, the reference layer (the bottom one): `ir::Program` + `Facts` → [`Outcome`],
//! every expression through the interpreter. This is the semantics; every faster layer
//! above (compiled, summary, block) is held to its answers by tests.
//!
//! Three-valued (Kleene) logic throughout: a missing fact is unknown, never false or zero.
//! `run.rs` runs a program (derived values, criteria, type statuses through `extends`,
//! policies, the applicable list, classification) and holds the parts the layers above
//! share (the score formula, the tail that finds unknown facts and decides policies);
//! `expr.rs` evaluates one expression node; `missing.rs` finds the missing facts that would
//! decide an unknown condition; `observer.rs` is what traces watch the run through.

pub(crate) mod expr;
pub(crate) mod missing;
mod observer;
mod provisional;
mod settle;
pub use provisional::verdict;
pub(crate) mod run;

pub use observer::{NoObserver, Observer, UnknownReason};

use crate::facts::Facts;
use crate::ir::{ExprId, FactId, PolicyId, Program, TypeId};
use crate::value::{Truth, Value};
use crate::vocab::{PolicyStatus, TypeStatus};

/// Evaluate a checked program against the facts about one cluster, every expression through
/// the interpreter (the reference semantics; many records are evaluated faster by the
/// compiled program a rule set holds).
pub fn evaluate(program: &Program, facts: &Facts) -> Outcome {
    evaluate_observed(program, facts, &mut NoObserver)
}

/// Evaluate while reporting every expression node, short circuit and derived value to
/// `observer` (for traces and explanations).
pub fn evaluate_observed<O: Observer>(
    program: &Program,
    facts: &Facts,
    observer: &mut O,
) -> Outcome {
    let mut out = Outcome::default();
    run::run(program, &program.params, facts, &mut out, observer);
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
    id: ExprId,
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

impl Outcome {
    /// Forget the provisional lead (`--strict-unknowns`: only what the facts settle).
    pub fn drop_provisional(&mut self) {
        self.provisional = None;
        self.provisional_alternatives.clear();
        self.provisional_policies.clear();
    }
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
    /// Missing facts that would not change the result: every value they could take gives
    /// this status, so it is not undetermined (see `settle.rs`)
    pub settled_facts: Vec<FactId>,
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

/// Everything evaluation says about one cluster. Only results: reusing one for the next
/// record (the compiled evaluator's `evaluate_into`) only saves its buffers.
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
    /// When missing facts leave the most specific types that could still match undetermined
    /// (below the classification, if any): the one that leads, by score. Never certain.
    pub provisional: Option<TypeId>,
    /// The other such types, best first
    pub provisional_alternatives: Vec<TypeId>,
    /// Policies and avoid items that would apply if the provisional lead were confirmed, in
    /// output order (undetermined now; their condition, if any, holds)
    pub provisional_policies: Vec<PolicyId>,
}
