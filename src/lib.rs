//! meso: a rules engine with a small declarative language for cluster policy typologies.
//!
//! Pipeline: source → `syntax` (pest → ast) → `check` (resolve, type, lower) → `ir::Program`
//! → `eval` (with `facts`) → `Outcome` → `render`.

pub mod check;
pub mod eval;
pub mod facts;
pub mod ir;
pub mod source;
pub mod syntax;
pub mod value;
