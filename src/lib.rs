//! meso: a rules engine with a small declarative language for cluster policy typologies.
//!
//! A rule set (`.meso` files) declares the facts a cluster is described by, cited
//! parameters, cluster types with required, indicative and excluding criteria, and the
//! policies that fit each type, in order. meso applies it to the facts about a cluster and
//! says which type the cluster is, how well it fits each type, which policies apply in
//! which order, and why — with a trace an auditor can follow back to rule source lines.
//!
//! # Five minutes with the library
//!
//! ```
//! use meso::{FactsFormat, Rules, TraceFormat};
//!
//! // 1. Load a rule set: the shipped one (Altenburg & Meyer-Stamer 1999), a directory
//! //    (`Rules::from_path`) or files held in memory (`Rules::from_sources`).
//! let rules = Rules::embedded()?;
//!
//! // 2. Load the facts about one cluster (JSON, YAML or TOML text, or a map of values).
//! let facts = rules.facts_from_str("gamarra.yaml", r#"
//! firms: 6800
//! share_micro_small: 0.98
//! trust: low
//! "#, FactsFormat::Yaml)?;
//!
//! // 3. Evaluate: the type, each type's fit, the policies in order.
//! let verdict = rules.evaluate(&facts);
//! for t in verdict.types() {
//!     println!("{:<25} {:?} {:.2}", t.name, t.status, t.score);
//! }
//! let json = verdict.to_json(); // what `meso eval --format json` prints
//!
//! // 4. Explain: why, why not, with rule source lines and the facts read.
//! let why = rules.explain(&facts).render(TraceFormat::Markdown);
//!
//! // 5. Many clusters at once, 64 at a time: a slice of facts, or columns (`Columns`).
//! let verdicts = rules.evaluate_many(&[facts]);
//! assert_eq!(verdicts.len(), 1);
//! # let _ = (json, why);
//! # Ok::<(), meso::Error>(())
//! ```
//!
//! Problems in rule files or facts come back as an [`Error`] holding every
//! [`Diagnostic`] found, as data (code, severity, file, line, column, labels, help) and as
//! the rendering the command line prints.
//!
//! A [`Rules`] is immutable, `Send + Sync` and cheap to clone: load it once and share it
//! across threads.
//!
//! # Features
//!
//! `cli` (default) adds the command line and what only it needs (argument parsing,
//! terminal tables, progress bars, the language server, spreadsheets, threads). Without
//! it (`default-features = false`) the core — syntax, check, evaluation, traces and the
//! text, JSON, Markdown and HTML renderers — builds for `wasm32-unknown-unknown`.
//!
//! # Layout
//!
//! Pipeline: source → `syntax` (pest → ast) → `check` → `ir::Program` → `eval` (with
//! `facts`) → `Outcome` → `trace` → `render`; docs/architecture.md describes every module.

#![warn(missing_docs)]

pub use facade::rule_sources;
pub use facade::VerdictBlock;
pub use facade::{
    format, Bitmap, Column, Columns, Diagnostic, Error, ErrorKind, Evaluation, ExplainOptions,
    Explanation, Facts, FactsFormat, Keys, Label, Offsets, Rules, RulesBuilder, Severity,
    TraceFormat, Verdict, VerdictColumns, Verdicts,
};
pub use facade::{Parameter, TestFailure, TestOutcome};
pub use ir::ParamOverride;
pub use render::report::{
    EvalReport, PolicyReport, ProvisionalReport, TypeReport, UndeterminedPolicy,
};
pub use trace::model::Deciding;
pub use vocab::{PolicyKind, PolicyStatus, TypeStatus, VerdictKind};

// The stages behind the facade. `vocab` is documented API (results are written in its
// words). The others are public only so that the project's own tests, benchmarks, fuzzers
// and examples can reach inside a stage: hidden from the documentation, not API, free to
// change with any commit. What nothing outside the crate needs is crate-private.
#[cfg(feature = "cli")]
pub(crate) mod atomic;
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod batch;
#[doc(hidden)]
pub mod check;
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli;
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod dataset;
#[cfg(feature = "cli")]
pub(crate) mod diff;
#[doc(hidden)]
pub mod eval;
mod facade;
#[doc(hidden)]
pub mod facts;
#[doc(hidden)]
pub mod ir;
#[doc(hidden)]
pub mod limits;
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod lsp;
#[doc(hidden)]
pub mod render;
#[doc(hidden)]
pub mod ruleset;
#[doc(hidden)]
pub mod schema;
#[doc(hidden)]
pub mod source;
pub(crate) mod suggest;
#[doc(hidden)]
pub mod syntax;
#[doc(hidden)]
pub mod trace;
#[doc(hidden)]
pub mod value;
pub mod vocab;

/// The examples of docs/library.md, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../docs/library.md")]
struct LibraryGuide;

/// The meso version, as recorded in outputs and traces.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
