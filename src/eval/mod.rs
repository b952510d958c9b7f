//! Evaluation stage: `ir::Program` + `Facts` → `Outcome`.
//!
//! Three-valued (Kleene) logic throughout: a missing fact is unknown, never false or zero.

use crate::ir::{FactId, PolicyId, TypeId};
use crate::value::{Truth, Value};

/// Whether a cluster type fits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TypeStatus {
    /// All required criteria hold (own and inherited), no excluding criterion holds
    Matched,
    /// A required criterion fails, or an excluding one holds
    NotMatched,
    /// Unknown facts keep it open
    Undetermined,
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

/// Whether a policy or avoid item applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyStatus {
    /// A `for` type matched and the condition holds
    Applies,
    /// No `for` type matched, or the condition fails
    DoesNotApply,
    /// Unknown facts keep it open
    Undetermined,
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
#[derive(Clone, Debug, PartialEq)]
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
}
mod stub;
pub use stub::*;
