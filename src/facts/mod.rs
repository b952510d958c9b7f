//! Facts stage: a facts file (JSON, YAML, TOML) → `Facts`, validated against the
//! rule set's fact declarations.
//!
//! Input: `ir::Program` (fact declarations = slot layout and validation rules) and bytes.
//! Output: `Facts`, one `Value` slot per declared fact, with where each value came from.

pub mod error;

pub use error::FactsError;

use crate::value::Value;

/// Where a fact value came from, for traces and error messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FactOrigin {
    /// Facts file name (or `test "name"`, `--set`, ...)
    pub source: String,
    /// Key path inside the file, e.g. `facts.trust`
    pub key: String,
    /// 1-based line, where the format tells it
    pub line: Option<usize>,
}

/// The facts about one cluster: one slot per declared fact, `Value::Unknown` when missing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facts {
    /// Slot i holds the value of `FactId(i)`
    pub values: Vec<Value>,
    /// Where each slot's value came from (None: missing)
    pub origins: Vec<Option<FactOrigin>>,
}

impl Facts {
    /// All facts unknown, for a program with `n` declared facts.
    pub fn unknown(n: usize) -> Self {
        Facts {
            values: vec![Value::Unknown; n],
            origins: vec![None; n],
        }
    }

    /// The value of a fact (Unknown when out of range).
    pub fn get(&self, id: crate::ir::FactId) -> &Value {
        self.values.get(id.index()).unwrap_or(&Value::Unknown)
    }
}
mod stub;
pub use stub::*;
