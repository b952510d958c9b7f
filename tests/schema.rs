//! `meso schema`: the JSON Schema generated from a rule set's fact declarations accepts
//! every shipped facts example and rejects files the facts loader would reject.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use serde_json::{json, Value};

use meso::ruleset;

mod common;

use common::{meso_command, temp_dir};

fn schema_of(path: &Path) -> Value {
    let sources = ruleset::read_sources(path).expect("rules readable");
    let rules = ruleset::load(sources, &[]).expect("rules check");
    meso::schema::facts_schema(&rules.program, &path.display().to_string())
}

fn validator(schema: &Value) -> jsonschema::Validator {
    assert!(
        jsonschema::meta::is_valid(schema),
        "the generated schema is not a valid JSON Schema"
    );
    jsonschema::draft202012::new(schema).expect("schema compiles")
}

fn yaml_file(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("readable");
    serde_saphyr::from_str::<Value>(&text).expect("valid YAML")
}

fn yaml_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("examples readable")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    files
}

fn errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn every_shipped_example_validates_against_the_schema_of_the_shipped_rules() {
    let validator = validator(&schema_of(Path::new("rules")));
    let files = yaml_files(Path::new("examples/facts"));
    assert!(files.len() >= 10, "examples not found");
    for file in files {
        let facts = yaml_file(&file);
        let errors = errors(&validator, &facts);
        assert!(errors.is_empty(), "{}: {errors:#?}", file.display());
    }
}

#[test]
fn suzigan_examples_validate_against_the_suzigan_schema() {
    let dir = Path::new("examples/rulesets/suzigan");
    let validator = validator(&schema_of(dir));
    let files = yaml_files(&dir.join("facts"));
    for file in files {
        let errors = errors(&validator, &yaml_file(&file));
        assert!(errors.is_empty(), "{}: {errors:#?}", file.display());
    }
}

/// Gamarra's facts with one change.
fn gamarra_with(key: &str, value: Value) -> Value {
    let mut facts = yaml_file(Path::new("examples/facts/gamarra.yaml"));
    facts
        .as_object_mut()
        .expect("an object")
        .insert(key.into(), value);
    facts
}

#[test]
fn wrong_facts_do_not_validate() {
    let validator = validator(&schema_of(Path::new("rules")));
    let cases = [
        ("unknown key", gamarra_with("firm_count", json!(12))),
        (
            "ratio above 1",
            gamarra_with("share_micro_small", json!(1.7)),
        ),
        ("negative ratio", gamarra_with("export_share", json!(-0.1))),
        (
            "undeclared level",
            gamarra_with("trust", json!("very_high")),
        ),
        ("level as a number", gamarra_with("trust", json!(2))),
        ("string for a count", gamarra_with("firms", json!("many"))),
        ("fraction for a count", gamarra_with("firms", json!(12.5))),
        ("negative count", gamarra_with("firms", json!(-3))),
        (
            "number for a boolean",
            gamarra_with("state_owned_core", json!(1)),
        ),
        (
            "undeclared alternative",
            gamarra_with("main_market", json!("global")),
        ),
        ("a list that is not an object", json!([1, 2])),
    ];
    for (what, facts) in cases {
        assert!(
            !validator.is_valid(&facts),
            "{what}: accepted by the schema"
        );
    }
    assert!(
        validator.is_valid(&gamarra_with("trust", Value::Null)),
        "null is unknown"
    );
    assert!(validator.is_valid(&json!({})), "every fact may be missing");
}

const SMALL_RULES: &str = r#"
fact firms: count { description "Number of firms" unit "firms" }
fact age: integer { minimum 1800 maximum 2100 label "Founding year" }
fact share_small: ratio { cite "§2" }
fact lq: number { minimum 0 }
fact exports: boolean
fact country: text
fact trust: level low < medium < high { description "Trust between firms" }
fact market: one of local, domestic, international
fact served: set of local, domestic, international
param min_firms = 50 { cite "§2" }
param min_share = 90% { cite "§2" }
param min_lq = 1.25 { cite "§2" }
param first_year = 1900 { cite "§2" }
type cluster {
  cite "§2"
  required { sizable: firms >= min_firms and share_small >= min_share and lq >= min_lq }
  indicative {
    old: age <= first_year
    exporting: exports
    trusting: trust >= medium
    domestic: market == domestic
    wide: served contains international
    peruvian: country == "Peru"
  }
}
"#;

#[test]
fn schema_of_a_small_rule_set() {
    let dir = temp_dir();
    std::fs::write(dir.path().join("small.meso"), SMALL_RULES).expect("write");
    let sources = ruleset::read_sources(&dir.path().join("small.meso")).expect("read");
    let rules = ruleset::load(sources, &[]).expect("rules check");
    let schema = meso::schema::facts_schema(&rules.program, "small.meso");
    validator(&schema);
    insta::assert_snapshot!(serde_json::to_string_pretty(&schema).expect("JSON"));
}

#[test]
fn schema_command_writes_the_schema() {
    let dir = temp_dir();
    let out = dir.path().join("facts.schema.json");
    let status = meso_command()
        .args(["schema", "-r", "rules", "--out"])
        .arg(&out)
        .output()
        .expect("meso runs");
    assert_eq!(
        status.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("written")).expect("JSON");
    assert_eq!(written, schema_of(Path::new("rules")));
}
