//! Traces end to end: golden traces (text, JSON, Markdown) of shipped examples, JSON traces
//! valid against docs/trace.schema.json, byte-identical reruns, `meso verify`, why-not
//! answers at threshold edges, `meso what-if` and `meso eval --explain`.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use meso::facts::{load_facts, load_facts_file, FactsFormat, LoadOptions};
use meso::render;
use meso::ruleset::{self, RuleOrigin, RuleSet, RuleSources, RuleText};
use meso::trace::{self, Trace, TraceOptions};

mod common;

use common::{meso_in, out, root, temp_dir};

fn shipped_rules() -> RuleSet {
    let sources = ruleset::read_sources(&root().join("rules")).unwrap();
    ruleset::load(sources, &[]).unwrap()
}

/// The trace of a shipped example, named as on a command line run from the repository.
fn example_trace(rules: &RuleSet, name: &str) -> Trace {
    let rel = format!("examples/facts/{name}");
    let loaded = load_facts_file(
        &rules.program,
        &root().join(&rel),
        None,
        &LoadOptions::default(),
    )
    .unwrap();
    let opts = TraceOptions {
        facts_label: rel,
        ..TraceOptions::default()
    };
    trace::explain(rules, &loaded.facts, &opts)
}

const GOLDEN: [&str; 4] = [
    "gamarra.yaml",
    "leon.yaml",
    "puebla-auto.yaml",
    "epz-garment-assembly.yaml",
];

#[test]
fn golden_text_traces_of_examples() {
    let rules = shipped_rules();
    for name in GOLDEN {
        let t = example_trace(&rules, name);
        insta::assert_snapshot!(
            format!("text_{name}"),
            render::trace::text::render(&t, false)
        );
    }
}

#[test]
fn golden_markdown_traces_of_examples() {
    let rules = shipped_rules();
    for name in ["gamarra.yaml", "puebla-auto.yaml"] {
        let t = example_trace(&rules, name);
        insta::assert_snapshot!(
            format!("markdown_{name}"),
            render::trace::markdown::render(&t)
        );
    }
}

#[test]
fn golden_json_trace_of_gamarra() {
    let rules = shipped_rules();
    let t = example_trace(&rules, "gamarra.yaml");
    insta::assert_snapshot!("json_gamarra.yaml", render::trace::json::render(&t));
}

#[test]
fn json_traces_of_every_example_match_the_published_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("docs/trace.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let rules = shipped_rules();
    let mut checked = 0;
    // The full examples and the v1-only ones (examples/facts/v1/, partial facts).
    let v1 = std::fs::read_dir(root().join("examples/facts/v1")).unwrap();
    let entries = std::fs::read_dir(root().join("examples/facts"))
        .unwrap()
        .chain(v1)
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"));
    for path in entries {
        let name = path
            .strip_prefix(root().join("examples/facts"))
            .unwrap()
            .to_string_lossy()
            .to_string();
        let t = example_trace(&rules, &name);
        let json: serde_json::Value =
            serde_json::from_str(&render::trace::json::render(&t)).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .take(5)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
        checked += 1;
    }
    assert!(checked >= 20);
}

#[test]
fn traces_are_byte_identical_across_runs() {
    let rules = shipped_rules();
    for name in GOLDEN {
        let a = render::trace::json::render(&example_trace(&rules, name));
        let b = render::trace::json::render(&example_trace(&shipped_rules(), name));
        assert_eq!(a, b, "{name}");
    }
    let dir = root();
    let args = [
        "explain",
        "examples/facts/leon.yaml",
        "-r",
        "rules",
        "--format",
        "html",
    ];
    let first = meso_in(&dir, &args);
    let second = meso_in(&dir, &args);
    assert_eq!(first.status.code(), Some(0), "{}", out(&first));
    assert_eq!(first.stdout, second.stdout);
}

/// Copy the shipped rules and one example into a fresh directory.
fn workspace() -> tempfile::TempDir {
    let dir = temp_dir();
    std::fs::create_dir_all(dir.path().join("rules")).unwrap();
    for entry in std::fs::read_dir(root().join("rules")).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, dir.path().join("rules").join(p.file_name().unwrap())).unwrap();
    }
    std::fs::copy(
        root().join("examples/facts/gamarra.yaml"),
        dir.path().join("gamarra.yaml"),
    )
    .unwrap();
    dir
}

#[test]
fn verify_passes_on_an_untouched_trace_and_names_a_changed_rule_file() {
    let dir = workspace();
    let made = meso_in(
        dir.path(),
        &[
            "explain",
            "gamarra.yaml",
            "--format",
            "json",
            "--out",
            "t.json",
        ],
    );
    assert_eq!(made.status.code(), Some(0), "{}", out(&made));
    let ok = meso_in(dir.path(), &["verify", "t.json"]);
    assert_eq!(ok.status.code(), Some(0), "{}", out(&ok));
    assert!(out(&ok).contains("verified"), "{}", out(&ok));

    // One character: a comment letter in one rule file.
    let file = dir.path().join("rules/policies-tnc.meso");
    let text = std::fs::read_to_string(&file).unwrap();
    let changed = text.replacen("# ", "#!", 1);
    assert_eq!(changed.len(), text.len());
    std::fs::write(&file, changed).unwrap();
    let bad = meso_in(dir.path(), &["verify", "t.json"]);
    assert_eq!(bad.status.code(), Some(1), "{}", out(&bad));
    let report = out(&bad);
    assert!(report.contains("not verified"), "{report}");
    assert!(
        report.contains("the rules changed: `policies-tnc.meso` (changed)"),
        "{report}"
    );
}

#[test]
fn verify_reports_changed_facts_and_the_first_changed_result() {
    let dir = workspace();
    meso_in(
        dir.path(),
        &[
            "explain",
            "gamarra.yaml",
            "--format",
            "json",
            "--out",
            "t.json",
        ],
    );
    let facts = dir.path().join("gamarra.yaml");
    let text = std::fs::read_to_string(&facts).unwrap();
    std::fs::write(
        &facts,
        text.replace("share_large: 0.001", "share_large: 0.05"),
    )
    .unwrap();
    let bad = meso_in(dir.path(), &["verify", "t.json"]);
    let report = out(&bad);
    assert_eq!(bad.status.code(), Some(1), "{report}");
    assert!(report.contains("the facts changed"), "{report}");
    assert!(
        report.contains("a result changed at types › mass_production_cluster › status"),
        "{report}"
    );
    assert!(!report.contains("the rules changed"), "{report}");
}

#[test]
fn verify_rejects_a_file_that_is_not_a_trace() {
    let dir = workspace();
    std::fs::write(dir.path().join("x.json"), "{\"a\": 1}").unwrap();
    let o = meso_in(dir.path(), &["verify", "x.json"]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(out(&o).contains("trace_version"), "{}", out(&o));
}

/// A small rule set for threshold edge cases.
const EDGE_RULES: &str = r#"
fact share: ratio
fact firms: count
fact trust: level low < medium < high
fact foreign: ratio
param min_share = 90%
param min_firms = 50
derived foreign_led = foreign >= 50%
type small_firms {
  required {
    mostly_small: share >= min_share
    enough_firms: firms > min_firms
    some_trust: trust <= medium
  }
  excluding { led_from_abroad: foreign_led }
}
policy help_small { for small_firms when trust == low advice "a" cite "b" }
"#;

fn edge_trace(facts_json: &str) -> Trace {
    let sources = RuleSources {
        origin: RuleOrigin::Path(PathBuf::from("edge")),
        files: vec![RuleText {
            relative: "edge.meso".into(),
            display: "edge.meso".into(),
            text: EDGE_RULES.into(),
        }],
    };
    let rules = ruleset::load(sources, &[]).unwrap_or_else(|f| panic!("{:?}", f.errors));
    let loaded = load_facts(
        &rules.program,
        "facts.json",
        facts_json,
        FactsFormat::Json,
        &LoadOptions::default(),
    )
    .unwrap();
    let opts = TraceOptions {
        facts_label: "facts.json".into(),
        ..TraceOptions::default()
    };
    trace::explain(&rules, &loaded.facts, &opts)
}

fn sentences(t: &Trace) -> Vec<String> {
    let w = t.types[0].why_not.as_ref().expect("a why-not");
    w.blockers
        .iter()
        .flat_map(|b| b.changes.iter().map(|c| c.sentence.clone()))
        .collect()
}

#[test]
fn why_not_just_below_a_threshold_names_the_smallest_change() {
    let t = edge_trace(r#"{"share": 0.89, "firms": 50, "trust": "high", "foreign": 0.6}"#);
    assert_eq!(t.types[0].status, meso::vocab::TypeStatus::NotMatched);
    assert_eq!(
        sentences(&t),
        [
            "share is 0.89; the type requires >= 0.9 (min_share)",
            "firms is 50; the type requires > 50 (min_firms)",
            "trust is high; the type requires <= medium",
            "foreign is 0.6; the type requires < 0.5",
        ]
    );
    let w = t.types[0].why_not.as_ref().unwrap();
    let suggested: Vec<Option<serde_json::Value>> = w
        .blockers
        .iter()
        .map(|b| b.changes[0].suggested.clone())
        .collect();
    // >= on a ratio: the threshold itself; > on a count: the next whole number; a level: the
    // nearest one; < on a ratio: no single closest value.
    assert_eq!(
        suggested,
        [
            Some(serde_json::json!(0.9)),
            Some(serde_json::json!(51.0)),
            Some(serde_json::json!("medium")),
            None
        ]
    );
    let p = &t.policies[0];
    assert!(
        p.explanation.contains("none of its types is matched"),
        "{}",
        p.explanation
    );
}

#[test]
fn at_the_threshold_the_type_matches_without_a_why_not() {
    let t = edge_trace(r#"{"share": 0.9, "firms": 51, "trust": "medium", "foreign": 0.49}"#);
    assert_eq!(t.types[0].status, meso::vocab::TypeStatus::Matched);
    assert!(t.types[0].why_not.is_none());
    let p = &t.policies[0];
    let w = p.why_not.as_ref().expect("the condition is false");
    assert!(w.condition_false);
    assert_eq!(
        w.changes[0].sentence,
        "trust is medium; the policy requires == low"
    );
}

#[test]
fn unknown_facts_are_named_with_what_the_type_requires() {
    let t = edge_trace(r#"{"firms": 51, "trust": "low", "foreign": 0.1}"#);
    let ty = &t.types[0];
    assert_eq!(ty.status, meso::vocab::TypeStatus::Undetermined);
    let w = ty.why_not.as_ref().unwrap();
    assert_eq!(w.unknown_facts, ["share"]);
    assert_eq!(w.blockers.len(), 1);
    assert_eq!(w.blockers[0].unknown_facts, ["share"]);
    assert_eq!(
        w.blockers[0].changes[0].sentence,
        "share is unknown; the type requires >= 0.9 (min_share)"
    );
    let leaf = &ty.criteria[0].tree.as_ref().unwrap().children[0];
    assert_eq!(leaf.origin.as_ref().unwrap().status, "missing");
    assert!(
        ty.explanation.starts_with("undetermined"),
        "{}",
        ty.explanation
    );
}

#[test]
fn short_circuited_operands_are_marked_not_evaluated() {
    let t = edge_trace(r#"{"share": 0.95, "firms": 60, "trust": "low", "foreign": 0.1}"#);
    let derived = t.derived.iter().find(|d| d.name == "foreign_led").unwrap();
    assert!(derived.tree.evaluated);
    let rules = "fact a: boolean\nfact b: boolean\ntype t { required { both: a and b } }\n";
    let sources = RuleSources {
        origin: RuleOrigin::Path(PathBuf::from("x")),
        files: vec![RuleText {
            relative: "x.meso".into(),
            display: "x.meso".into(),
            text: rules.into(),
        }],
    };
    let rules = ruleset::load(sources, &[]).unwrap_or_else(|f| panic!("{:?}", f.errors));
    let facts = load_facts(
        &rules.program,
        "f.json",
        r#"{"a": false}"#,
        FactsFormat::Json,
        &LoadOptions::default(),
    )
    .unwrap();
    let t = trace::explain(&rules, &facts.facts, &TraceOptions::default());
    let tree = t.types[0].criteria[0].tree.as_ref().unwrap();
    assert!(matches!(
        tree.why,
        Some(trace::model::Why::ShortCircuit { decided_by: 0, .. })
    ));
    let skipped = &tree.children[1];
    assert!(!skipped.evaluated);
    assert_eq!(skipped.display, "unknown");
    assert!(matches!(
        skipped.why,
        Some(trace::model::Why::NotEvaluated { .. })
    ));
}

#[test]
fn what_if_shows_before_after_and_why() {
    let o = meso_in(
        &root(),
        &[
            "what-if",
            "examples/facts/gamarra.yaml",
            "-r",
            "rules",
            "--set",
            "share_large=0.05",
        ],
    );
    let text = out(&o);
    assert_eq!(o.status.code(), Some(0), "{text}");
    assert!(
        text.contains("What if share_large = 0.05 (was 0.001)?"),
        "{text}"
    );
    assert!(
        text.contains("mass_production_cluster  not matched 0.55      matched 0.55   ← changed"),
        "{text}"
    );
    assert!(text.contains("+ benchmarking  (now applies)"), "{text}");
    assert!(text.contains("because share_large: 0.001 → 0.05"), "{text}");
    let bad = meso_in(
        &root(),
        &[
            "what-if",
            "examples/facts/gamarra.yaml",
            "--set",
            "trusst=low",
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(out(&bad).contains("did you mean `trust`?"), "{}", out(&bad));
}

#[test]
fn eval_explain_prints_the_trace_instead_of_the_table() {
    let o = meso_in(
        &root(),
        &[
            "eval",
            "--explain",
            "--format",
            "json",
            "examples/facts/leon.yaml",
            "-r",
            "rules",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["trace_version"], 1);
    assert_eq!(json["summary"]["classification"], "mass_production_cluster");
}

#[test]
fn explain_one_type_keeps_its_ancestors_only() {
    let o = meso_in(
        &root(),
        &[
            "explain",
            "examples/facts/leon.yaml",
            "-r",
            "rules",
            "--type",
            "mass_production_cluster",
            "--format",
            "json",
        ],
    );
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let names: Vec<&str> = json["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["type"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["cluster", "mass_production_cluster"]);
    let bad = meso_in(
        &root(),
        &[
            "explain",
            "examples/facts/leon.yaml",
            "--type",
            "mass_production",
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        out(&bad).contains("did you mean `mass_production_cluster`?"),
        "{}",
        out(&bad)
    );
}

#[test]
fn every_schema_field_is_documented_in_traces_md() {
    fn fields(schema: &serde_json::Value, out: &mut Vec<String>) {
        match schema {
            serde_json::Value::Object(map) => {
                if let Some(serde_json::Value::Object(props)) = map.get("properties") {
                    out.extend(props.keys().cloned());
                }
                map.values().for_each(|v| fields(v, out));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| fields(v, out)),
            _ => {}
        }
    }
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("docs/trace.schema.json")).unwrap(),
    )
    .unwrap();
    let docs = std::fs::read_to_string(root().join("docs/traces.md")).unwrap();
    let mut names = Vec::new();
    fields(&schema, &mut names);
    let missing: Vec<&String> = names
        .iter()
        .filter(|n| !docs.contains(&format!("| `{n}` |")))
        .collect();
    assert!(missing.is_empty(), "undocumented fields: {missing:?}");
}
