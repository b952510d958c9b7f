//! Evaluation, the compiled layer: `ir::Program` → [`Plan`], lowered once; a plan + `Facts`
//! → `Outcome`, the same answer as the reference layer's interpreter, for the untraced
//! one-record path.
//!
//! `plan.rs` lowers a program's conditions into one array of truth slots (comparison leaves
//! in tables, the rest a tape of steps; a sub-expression of any other shape runs the
//! reference interpreter, so both agree by construction). `run.rs` runs a plan for one
//! record and finishes with the reference layer's shared tail (unknown facts, policies,
//! classification). Imports only the reference layer.

pub(crate) mod plan;
pub(crate) mod run;

pub(crate) use plan::Plan;
pub(crate) use run::Scratch;
