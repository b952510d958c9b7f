//! Render stage: every output meso shows people and machines, in one place, so that a
//! change of wording or style is made once. Earlier stages build data (`eval::Outcome`,
//! the `trace::Trace` model, test failures, coverage, verdicts); this stage only turns it
//! into text and bytes. It imports the models it shows (ir, eval, trace, vocab) and no
//! stage imports it back except the front ends and batch (which writes rows).
//!
//! Which file renders what:
//! - `report`: an outcome → `EvalReport`, the one model `meso eval` draws from;
//!   `table` shows it as tables for a terminal, `json` as JSON.
//! - [`diagnostics`]: parse, check and facts errors for a terminal, plain text or JSON.
//! - [`trace`]: a trace as text, JSON, Markdown or HTML (`meso explain`, `meso batch
//!   --explain-dir`), with the pieces those formats share.
//! - `whatif`: a what-if comparison side by side (`meso what-if`).
//! - `verify`: the verdict of `meso verify`.
//! - `test_report`: the sentence of each failed rule-file test expectation (`meso test`),
//!   as the `Display` of `eval::testing::Failed`.
//! - `coverage`: what the rule-file tests exercise (`meso test --coverage`), text or JSON.
//! - `rows`: batch output rows (CSV, JSON lines, JSON) and reject rows, written as bytes
//!   (a hot path).
//! - `wrap`: word wrapping for terminal text.

#[cfg(feature = "cli")]
pub(crate) mod coverage;
pub mod diagnostics;
#[cfg(feature = "cli")]
pub(crate) mod diff;
pub mod json;
pub(crate) mod report;
#[cfg(feature = "cli")]
pub(crate) mod rows;
#[cfg(feature = "cli")]
pub mod table;
mod test_report;
pub mod trace;
#[cfg(feature = "cli")]
pub(crate) mod verify;
#[cfg(feature = "cli")]
pub(crate) mod whatif;
#[cfg(feature = "cli")]
mod wrap;

pub use report::EvalReport;

/// `1 file`, `2 files`: a number with the word in the right number.
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}
