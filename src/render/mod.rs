//! Render stage: outcomes and diagnostics → text for people and machines.
//!
//! Input: a loaded rule set, facts and the `eval::Outcome`. Output: strings (JSON, tables,
//! rendered diagnostics). No evaluation happens here: [`report::EvalReport`] is the one
//! model every format is drawn from.

pub mod diagnostics;
#[cfg(feature = "cli")]
pub mod diff;
pub mod json;
pub mod report;
#[cfg(feature = "cli")]
pub mod table;
#[cfg(feature = "cli")]
mod wrap;

pub use report::EvalReport;
