//! Render stage: outcomes and diagnostics → text for people and machines.
//!
//! Input: a loaded rule set, facts and the `eval::Outcome`. Output: strings (JSON, tables,
//! rendered diagnostics). No evaluation happens here: [`report::EvalReport`] is the one
//! model every format is drawn from.

pub mod coverage;
pub mod diagnostics;
pub mod json;
pub mod report;
pub mod rows;
pub mod table;
mod test_report;
pub mod trace;
pub mod verify;
pub mod whatif;
mod wrap;

pub use report::EvalReport;
