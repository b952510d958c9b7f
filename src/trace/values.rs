//! Trace stage, values: runtime `Value`s → JSON and display text, with level and set
//! member names found from the declarations an expression reads.
//!
//! Input: a value and a [`Names`] hint (which level list or member list it belongs to).
//! Output: `serde_json::Value` (null for unknown) and the text meso prints.

use crate::ir::{Expr, ExprId, FactType, Program, ValueType};
use crate::value::{format_number, Value};

/// Which names a level or set value is spelled with.
#[derive(Clone, Copy, Debug, Default)]
pub enum Names<'a> {
    /// Not a level or set, or not known
    #[default]
    None,
    /// Levels or alternatives, by position
    Levels(&'a [String]),
    /// Set members, by bit
    Members(&'a [String]),
}

impl<'a> Names<'a> {
    /// The names of a fact's type.
    pub fn of_fact(ty: &'a FactType) -> Self {
        match ty {
            FactType::Level { levels, .. } => Names::Levels(levels),
            FactType::Set { members } => Names::Members(members),
            _ => Names::None,
        }
    }

    /// The names of a parameter's or derived value's type.
    pub fn of_type(ty: &'a ValueType) -> Self {
        match ty {
            ValueType::Level { levels, .. } => Names::Levels(levels),
            ValueType::Set { members } => Names::Members(members),
            _ => Names::None,
        }
    }

    /// The names a node's own declaration gives (facts, parameters, derived values).
    pub fn of_expr(program: &'a Program, id: ExprId) -> Self {
        match program.expr(id) {
            Some(Expr::Fact(f)) => program
                .fact(*f)
                .map_or(Names::None, |f| Names::of_fact(&f.ty)),
            Some(Expr::Param(p)) => program
                .params
                .get(p.index())
                .map_or(Names::None, |p| Names::of_type(&p.ty)),
            Some(Expr::Derived(d)) => program
                .derived
                .get(d.index())
                .map_or(Names::None, |d| Names::of_type(&d.ty)),
            _ => Names::None,
        }
    }

    /// This hint, or `other` when this one knows nothing.
    pub fn or(self, other: Names<'a>) -> Names<'a> {
        match self {
            Names::None => other,
            known => known,
        }
    }

    /// Set members used as levels (the item of `contains`).
    pub fn as_levels(self) -> Names<'a> {
        match self {
            Names::Members(m) => Names::Levels(m),
            other => other,
        }
    }

    fn level(self, i: u32) -> Option<&'a str> {
        match self {
            Names::Levels(l) | Names::Members(l) => l.get(i as usize).map(String::as_str),
            Names::None => None,
        }
    }

    fn members(self, mask: u64) -> Option<Vec<&'a str>> {
        match self {
            Names::Members(m) | Names::Levels(m) => Some(
                m.iter()
                    .enumerate()
                    .filter(|(i, _)| *i < 64 && mask & (1u64 << i) != 0)
                    .map(|(_, n)| n.as_str())
                    .collect(),
            ),
            Names::None => None,
        }
    }
}

/// A value as JSON: null for unknown, levels and members by name.
pub fn to_json(value: &Value, names: Names<'_>) -> serde_json::Value {
    match value {
        Value::Unknown => serde_json::Value::Null,
        Value::Number(n) => serde_json::Number::from_f64(*n)
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Text(t) => serde_json::Value::String(t.to_string()),
        Value::Level(i) => match names.level(*i) {
            Some(n) => serde_json::Value::String(n.to_string()),
            None => serde_json::Value::from(*i),
        },
        Value::Set(mask) => match names.members(*mask) {
            Some(list) => serde_json::Value::Array(
                list.into_iter()
                    .map(|m| serde_json::Value::String(m.to_string()))
                    .collect(),
            ),
            None => serde_json::Value::from(*mask),
        },
    }
}

/// A value as meso prints it: `0.82`, `true`, `medium`, `"Peru"`, `[local, domestic]`,
/// `unknown`.
pub fn display(value: &Value, names: Names<'_>) -> String {
    match value {
        Value::Unknown => "unknown".into(),
        Value::Number(n) => format_number(*n),
        Value::Bool(b) => b.to_string(),
        Value::Text(t) => format!("\"{t}\""),
        Value::Level(i) => names
            .level(*i)
            .map_or_else(|| format!("level {i}"), str::to_string),
        Value::Set(mask) => match names.members(*mask) {
            Some(list) => format!("[{}]", list.join(", ")),
            None => format!("set {mask:#x}"),
        },
    }
}

/// A JSON value (as stored in a trace) as meso prints it.
pub fn display_json(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "unknown".into(),
        serde_json::Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), format_number),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(display_json).collect();
            format!("[{}]", parts.join(", "))
        }
        other => other.to_string(),
    }
}
