//! The library's front door: load a rule set, load facts, evaluate, explain, evaluate many,
//! diagnostics as data. Every other module is the machinery behind it; the command line,
//! the Python package and the browser playground all go through here.

mod block;
mod columns;
mod diagnostic;
mod evaluation;
mod facts;
mod format;
mod many;
mod parameters;
mod rules;
mod sources;
mod testing;

pub use block::VerdictBlock;
pub use columns::{Bitmap, Column, Columns, Keys, Offsets};
pub use diagnostic::{Diagnostic, Error, ErrorKind, Label, Severity};
pub use evaluation::{Evaluation, ExplainOptions, Explanation, TraceFormat};
pub use facts::{Facts, FactsFormat};
pub use format::format;
pub use many::{Verdict, VerdictColumns, Verdicts};
pub use parameters::Parameter;
pub use rules::{Rules, RulesBuilder};
pub use sources::rule_sources;
pub use testing::{TestFailure, TestOutcome};
