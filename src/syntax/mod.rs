//! Syntax stage: rule file text → syntax tree (`ast`), and back (`fmt`).

pub mod ast;
pub mod error;
pub mod parser;

pub use error::ParseError;
pub use parser::{parse_file, parse_rule_set};
