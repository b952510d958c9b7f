//! Syntax stage: rule file text → syntax tree (`ast`).
//!
//! Input: `SourceFile`s of a rule set. Output: one `ast::RuleFile` per file, or `ParseError`s.

pub mod ast;
pub(crate) mod error;
pub mod fmt;
mod lexical;
pub(crate) mod parser;

pub use error::ParseError;
pub use parser::{parse_file, parse_rule_set};
