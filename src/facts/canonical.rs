//! Canonical forms of a set of facts: a fingerprint and a JSON object for output.
//!
//! Input: `ir::Program` (fact declarations: order, level and member names) and [`Facts`].
//! Output: `sha256:<hex>` over a canonical text, and a JSON map of the known facts. Both
//! depend only on the values, never on the file format or key order they came from.

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use super::Facts;
use crate::ir::{FactType, Program};
use crate::value::{format_number, Value};

/// Fingerprint of the known facts: `sha256:` and 64 hex digits over the lines
/// `name=<canonical value>\n`, in declaration order. Numbers as meso prints them, levels
/// and set members by name (members in declaration order), text JSON-escaped.
pub fn fingerprint(program: &Program, facts: &Facts) -> String {
    let mut canonical = String::new();
    for (fact, value) in program.facts.iter().zip(&facts.values) {
        if let Some(text) = canonical_value(&fact.ty, value) {
            let _ = writeln!(canonical, "{}={text}", fact.name);
        }
    }
    let digest = Sha256::digest(canonical.as_bytes());
    let mut out = String::from("sha256:");
    for byte in digest.iter() {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

fn canonical_value(ty: &FactType, value: &Value) -> Option<String> {
    Some(match value {
        Value::Unknown => return None,
        Value::Number(n) => format_number(*n),
        Value::Bool(b) => b.to_string(),
        Value::Text(t) => serde_json::Value::String(t.to_string()).to_string(),
        Value::Level(i) => level_name(ty, *i),
        Value::Set(bits) => format!("[{}]", member_names(ty, *bits).join(",")),
    })
}

fn level_name(ty: &FactType, i: u32) -> String {
    match ty {
        FactType::Level { levels, .. } => levels.get(i as usize).cloned(),
        _ => None,
    }
    .unwrap_or_else(|| format!("#{i}"))
}

fn member_names(ty: &FactType, bits: u64) -> Vec<String> {
    let FactType::Set { members } = ty else {
        return Vec::new();
    };
    members
        .iter()
        .enumerate()
        .filter(|(i, _)| u32::try_from(*i).is_ok_and(|i| bits.checked_shr(i).unwrap_or(0) & 1 == 1))
        .map(|(_, m)| m.clone())
        .collect()
}

/// The known facts as JSON, by name in declaration order: numbers (whole ones as
/// integers), booleans, text, levels as their names, sets as arrays of member names.
pub fn facts_to_json(
    program: &Program,
    facts: &Facts,
) -> serde_json::Map<String, serde_json::Value> {
    use serde_json::Value as Json;
    let mut map = serde_json::Map::new();
    for (fact, value) in program.facts.iter().zip(&facts.values) {
        let json = match value {
            Value::Unknown => continue,
            Value::Number(n) => number_to_json(*n),
            Value::Bool(b) => Json::Bool(*b),
            Value::Text(t) => Json::String(t.to_string()),
            Value::Level(i) => Json::String(level_name(&fact.ty, *i)),
            Value::Set(bits) => Json::Array(
                member_names(&fact.ty, *bits)
                    .into_iter()
                    .map(Json::String)
                    .collect(),
            ),
        };
        map.insert(fact.name.clone(), json);
    }
    map
}

fn number_to_json(n: f64) -> serde_json::Value {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        serde_json::Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(serde_json::Value::Null, serde_json::Value::Number)
    }
}
