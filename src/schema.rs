//! JSON Schema of a facts file, generated from a rule set's fact declarations.
//!
//! Input: a checked `ir::Program` (its `facts`). Output: a JSON Schema (draft 2020-12) as a
//! `serde_json::Value`, so that editors can validate facts files (YAML or JSON) while typing,
//! without running meso. The schema mirrors the facts loader's rules: only declared facts,
//! whole numbers for counts and integers, ratios from 0 to 1, declared ranges, declared level
//! and member names; `null` is always allowed and means unknown.

use serde_json::{json, Map, Number, Value};

use crate::ir::{Fact, FactType, Program};

/// The `$schema` URI of JSON Schema draft 2020-12.
pub const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";

/// The JSON Schema of a facts file for this program.
///
/// `title` names the rule set (e.g. its path) in the schema's title.
pub fn facts_schema(program: &Program, title: &str) -> Value {
    let mut properties = Map::new();
    for fact in &program.facts {
        properties.insert(fact.name.clone(), fact_schema(fact));
    }
    json!({
        "$schema": DRAFT_2020_12,
        "title": format!("meso facts for {title}"),
        "description": "Facts about one cluster. Every key is a fact declared by the rule set; \
                        a missing key or `null` means the fact is unknown.",
        "type": "object",
        "additionalProperties": false,
        "properties": Value::Object(properties),
    })
}

/// The schema of one fact's value.
fn fact_schema(fact: &Fact) -> Value {
    let mut schema = Map::new();
    if let Some(label) = &fact.meta.label {
        schema.insert("title".into(), Value::String(label.clone()));
    }
    schema.insert("description".into(), Value::String(description(fact)));
    match &fact.ty {
        FactType::Number | FactType::Integer | FactType::Ratio => {
            let json_type = if fact.ty == FactType::Integer {
                "integer"
            } else {
                "number"
            };
            schema.insert("type".into(), json!([json_type, "null"]));
            if let Some(min) = fact.minimum.and_then(number) {
                schema.insert("minimum".into(), Value::Number(min));
            }
            if let Some(max) = fact.maximum.and_then(number) {
                schema.insert("maximum".into(), Value::Number(max));
            }
        }
        FactType::Boolean => {
            schema.insert("type".into(), json!(["boolean", "null"]));
        }
        FactType::Text => {
            schema.insert("type".into(), json!(["string", "null"]));
        }
        FactType::Level { levels, .. } => {
            let mut names: Vec<Value> = levels.iter().cloned().map(Value::String).collect();
            names.push(Value::Null);
            schema.insert("enum".into(), Value::Array(names));
        }
        FactType::Set { members } => {
            schema.insert("type".into(), json!(["array", "null"]));
            schema.insert("items".into(), json!({ "enum": members }));
            schema.insert("uniqueItems".into(), Value::Bool(true));
        }
    }
    schema.insert("x-meso-type".into(), Value::String(fact.ty.describe()));
    if let Some(unit) = &fact.meta.unit {
        schema.insert("x-meso-unit".into(), Value::String(unit.clone()));
    }
    if let Some(cite) = &fact.meta.cite {
        schema.insert("x-meso-cite".into(), Value::String(cite.clone()));
    }
    Value::Object(schema)
}

/// The description shown by editors: the declared description, the type, unit and cite.
fn description(fact: &Fact) -> String {
    let mut text = fact.meta.description.clone().unwrap_or_default();
    let mut extra = vec![fact.ty.describe()];
    if let Some(unit) = &fact.meta.unit {
        extra.push(format!("unit: {unit}"));
    }
    if let Some(cite) = &fact.meta.cite {
        extra.push(format!("cite: {cite}"));
    }
    if text.is_empty() {
        text = extra.join("; ");
    } else {
        text.push_str(&format!(" ({})", extra.join("; ")));
    }
    text
}

/// A JSON number, written as an integer when the value is whole.
fn number(x: f64) -> Option<Number> {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        // INVARIANT: |x| < 2^53, so the conversion is exact.
        return Some(Number::from(x as i64));
    }
    Number::from_f64(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_bounds_are_written_as_integers() {
        assert_eq!(number(0.0).map(|n| n.to_string()).as_deref(), Some("0"));
        assert_eq!(number(1.25).map(|n| n.to_string()).as_deref(), Some("1.25"));
        assert_eq!(number(f64::NAN), None);
    }
}
