//! meso: a rules engine with a small declarative language for cluster policy typologies.
//!
//! Pipeline: source → `syntax` (pest → ast) → `check` (resolve, type, lower) → `ir::Program`
//! → `eval` (with `facts`) → `Outcome` → `render`. [`ruleset`] ties the first stages
//! together for a directory of rule files; the CLI in `main.rs` only dispatches.

pub mod atomic;
pub mod batch;
pub mod check;
pub mod eval;
pub mod facts;
pub mod ir;
pub mod limits;
pub mod lsp;
pub mod render;
pub mod ruleset;
pub mod schema;
pub mod source;
pub mod suggest;
pub mod syntax;
pub mod trace;
pub mod value;
pub mod vocab;

/// The meso version, as recorded in outputs and traces.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
