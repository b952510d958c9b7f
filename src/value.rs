//! Runtime values shared by facts, parameters and the evaluator.
//!
//! Levels and alternatives are small integers (their position in the declaration),
//! sets are bit masks over the declared members, so evaluation needs no string look-ups.

use std::fmt;
use std::sync::Arc;

/// A value during evaluation. `Unknown` is a first-class value: three-valued logic.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Value {
    /// Missing or undeterminable
    #[default]
    Unknown,
    /// Any number (counts, ratios and integers too)
    Number(f64),
    /// true / false
    Bool(bool),
    /// Position of a level or alternative in its fact's declaration
    Level(u32),
    /// Free text
    Text(Arc<str>),
    /// Members of a `set of` fact, bit i = member i
    Set(u64),
}

impl Value {
    /// True unless `Unknown`.
    pub fn is_known(&self) -> bool {
        !matches!(self, Value::Unknown)
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, if this is one.
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }
}

/// Three-valued truth: the result of a criterion or condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Truth {
    /// Does not hold
    False,
    /// Cannot be decided from the facts given
    Unknown,
    /// Holds
    True,
}

impl Truth {
    /// From a boolean.
    pub fn from_bool(b: bool) -> Self {
        if b {
            Truth::True
        } else {
            Truth::False
        }
    }

    /// From a value: booleans map to true/false, anything else is unknown.
    pub fn from_value(v: &Value) -> Self {
        match v {
            Value::Bool(b) => Truth::from_bool(*b),
            _ => Truth::Unknown,
        }
    }

    /// Back to a value.
    pub fn to_value(self) -> Value {
        match self {
            Truth::True => Value::Bool(true),
            Truth::False => Value::Bool(false),
            Truth::Unknown => Value::Unknown,
        }
    }

    /// Kleene negation.
    #[allow(
        clippy::should_implement_trait,
        reason = "reads as the rule language's `not`; `std::ops::Not` is implemented too"
    )]
    pub fn not(self) -> Self {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }

    /// Kleene conjunction: false wins, then unknown.
    pub fn and(self, other: Truth) -> Truth {
        self.min(other)
    }

    /// Kleene disjunction: true wins, then unknown.
    pub fn or(self, other: Truth) -> Truth {
        self.max(other)
    }

    /// `true`, `false` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Truth::True => "true",
            Truth::False => "false",
            Truth::Unknown => "unknown",
        }
    }
}

impl std::ops::Not for Truth {
    type Output = Truth;

    fn not(self) -> Truth {
        Truth::not(self)
    }
}

impl fmt::Display for Truth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Format a number the way meso prints it: integers without a fraction, others in
/// the shortest form that reads back to the same value.
pub fn format_number(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// A score or share rounded to 4 decimals, as every output shows it.
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}
