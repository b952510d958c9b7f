//! The library facade as an embedder uses it: the same answers as the command line, byte
//! for byte; diagnostics as data; a rule set shared across threads.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::Path;

use common::{meso, root, stdout};
use meso::{ErrorKind, FactsFormat, Rules, Severity, TraceFormat};

/// Every shipped example cluster, as (path relative to the repository root, text).
fn examples() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let dir = root().join("examples/facts");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    entries.sort();
    for p in entries {
        let name = format!(
            "examples/facts/{}",
            p.file_name().unwrap().to_string_lossy()
        );
        out.push((name, std::fs::read_to_string(&p).unwrap()));
    }
    assert!(out.len() >= 10, "the shipped examples are missing");
    out
}

/// `meso ARGS` run at the repository root: its standard output.
fn meso_stdout(args: &[&str]) -> String {
    stdout(&meso(args))
}

#[test]
fn evaluation_json_is_the_cli_json_on_every_shipped_example() {
    let rules = Rules::from_path(root().join("rules")).unwrap();
    for (name, text) in examples() {
        let facts = rules
            .facts_from_str(&name, &text, FactsFormat::Yaml)
            .unwrap();
        let cli = meso_stdout(&["eval", &name, "--format", "json"]);
        assert_eq!(rules.evaluate(&facts).to_json(), cli.trim_end(), "{name}");
    }
}

#[test]
fn explanations_are_the_cli_traces_in_every_format() {
    let rules = Rules::from_path(root().join("rules")).unwrap();
    for (name, text) in examples().into_iter().take(4) {
        let facts = rules
            .facts_from_str(&name, &text, FactsFormat::Yaml)
            .unwrap();
        let why = rules.explain(&facts);
        for (format, flag) in [
            (TraceFormat::Json, "json"),
            (TraceFormat::Text, "text"),
            (TraceFormat::Markdown, "markdown"),
            (TraceFormat::Html, "html"),
        ] {
            let cli = meso_stdout(&["explain", &name, "--format", flag]);
            assert_eq!(
                why.render(format).trim_end(),
                cli.trim_end(),
                "{name} {flag}"
            );
        }
    }
}

#[test]
fn embedded_path_and_memory_sources_are_the_same_rule_set() {
    let dir = root().join("rules");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "meso"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    files.reverse(); // order given does not matter
    let embedded = Rules::embedded().unwrap();
    let on_disk = Rules::from_path(&dir).unwrap();
    let in_memory = Rules::from_sources(files).unwrap();
    assert_eq!(embedded.fingerprint(), on_disk.fingerprint());
    assert_eq!(embedded.fingerprint(), in_memory.fingerprint());
    assert!(embedded.warnings().is_empty());
    let (name, text) = &examples()[0];
    let verdicts: Vec<String> = [&embedded, &on_disk, &in_memory]
        .iter()
        .map(|r| {
            let f = r.facts_from_str(name, text, FactsFormat::Yaml).unwrap();
            r.evaluate(&f).to_json()
        })
        .collect();
    assert_eq!(verdicts[0], verdicts[1]);
    assert_eq!(verdicts[0], verdicts[2]);
}

#[test]
fn rule_errors_come_back_as_data_with_places_and_help() {
    let err = Rules::from_sources([(
        "typology.meso",
        "fact trust: level low < medium < high { description \"Trust\" }\n\
         type t {\n  label \"T\"\n  cite \"x\"\n  required { ok: trust >= hgih }\n}\n",
    )])
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rules);
    let d = err
        .diagnostics()
        .iter()
        .find(|d| d.severity == Severity::Error)
        .unwrap();
    assert_eq!(d.code.as_deref(), Some("meso::check::unknown_level"));
    assert_eq!(d.file.as_deref(), Some("typology.meso"));
    assert_eq!(d.line, Some(5));
    assert!(d.column.unwrap() > 1);
    assert!(d.help.as_deref().unwrap().contains("did you mean `high`?"));
    assert!(!d.labels.is_empty() && d.labels[0].length > 0);
    assert!(err.to_string().contains("typology.meso:5:"), "{err}");
}

#[test]
fn facts_errors_list_every_problem_of_the_input() {
    let rules = Rules::embedded().unwrap();
    let err = rules
        .facts_from_str(
            "bad.json",
            r#"{"firms": "many", "trsut": "high", "share_micro_small": 3}"#,
            FactsFormat::Json,
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Facts);
    assert_eq!(err.diagnostics().len(), 3, "{err}");
    assert!(err
        .diagnostics()
        .iter()
        .all(|d| d.file.as_deref() == Some("bad.json") && d.code.is_some()));
    let allowed = rules
        .facts_from_str_allowing_unknown(
            "ok.json",
            r#"{"firms": 40, "trsut": "high"}"#,
            FactsFormat::Json,
        )
        .unwrap();
    assert_eq!(allowed.warnings().len(), 1);
}

#[test]
fn parameter_overrides_change_the_verdict_and_are_reported() {
    let rules = Rules::builder()
        .param("min_cluster_firms", "100000")
        .embedded()
        .unwrap();
    let (name, text) = &examples()[0];
    let facts = rules.facts_from_str(name, text, FactsFormat::Yaml).unwrap();
    let json = rules.evaluate(&facts).to_json();
    assert!(json.contains("\"min_cluster_firms\": 100000"), "{json}");
    let bad = Rules::builder().param("no_such_param", "1").embedded();
    assert_eq!(
        bad.unwrap_err().diagnostics()[0].code.as_deref(),
        Some("meso::check::invalid_param")
    );
}

#[test]
fn facts_from_a_map_equal_the_same_facts_from_text() {
    let rules = Rules::embedded().unwrap();
    let text = r#"{"firms": 1200, "trust": "low", "share_micro_small": 0.95}"#;
    let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text).unwrap();
    let a = rules.facts_from_map("c", &map).unwrap();
    let b = rules.facts_from_str("c", text, FactsFormat::Json).unwrap();
    assert_eq!(a.fingerprint(), b.fingerprint());
    assert_eq!(rules.evaluate(&a).to_json(), rules.evaluate(&b).to_json());
}

#[test]
fn one_rule_set_is_shared_by_threads_with_the_same_answers() {
    fn send_sync<T: Send + Sync + Clone>() {}
    send_sync::<Rules>();
    let rules = Rules::embedded().unwrap();
    let examples = examples();
    let alone: Vec<String> = examples
        .iter()
        .map(|(n, t)| {
            let f = rules.facts_from_str(n, t, FactsFormat::Yaml).unwrap();
            rules.evaluate(&f).to_json()
        })
        .collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let rules = rules.clone();
                let examples = &examples;
                s.spawn(move || {
                    examples
                        .iter()
                        .map(|(n, t)| {
                            let f = rules.facts_from_str(n, t, FactsFormat::Yaml).unwrap();
                            rules.evaluate(&f).to_json()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), alone);
        }
    });
}

#[test]
fn a_missing_rule_directory_is_a_source_error() {
    let err = Rules::from_path(Path::new("/no/such/rules")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RulesSource);
    assert_eq!(
        err.diagnostics()[0].code.as_deref(),
        Some("meso::rules::io")
    );
}

#[test]
fn facts_schema_is_what_meso_schema_prints() {
    // Tests run at the package root, as the command below does.
    let rules = Rules::from_path("rules").unwrap();
    let cli = meso_stdout(&["schema", "-r", "rules"]);
    let cli: serde_json::Value = serde_json::from_str(&cli).unwrap();
    assert_eq!(rules.facts_schema(), cli);
}

#[test]
fn format_keeps_the_shipped_rules_as_they_are_and_reports_parse_errors() {
    for entry in std::fs::read_dir(root().join("rules")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        assert_eq!(meso::format(&name, &text).unwrap(), text, "{name}");
    }
    let err = meso::format("broken.meso", "type t {\n  label\n}\n").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rules);
    assert!(err.diagnostics()[0]
        .code
        .as_deref()
        .is_some_and(|c| c.starts_with("meso::parse::")));
    // `label` wants a string: the parser stops at the `}` on line 3.
    assert_eq!(err.diagnostics()[0].line, Some(3));
}

/// A verdict of the many-cluster path as comparable data: classification, each type's
/// status and score (4 decimals, as reports show them), policies, unknown facts.
type Flat = (
    Option<String>,
    Vec<(String, String, f64)>,
    Vec<String>,
    Vec<String>,
);

fn flat_many(v: &meso::Verdict<'_>) -> Flat {
    (
        v.classification().map(str::to_string),
        v.types()
            .map(|(n, s, score)| {
                (
                    n.to_string(),
                    s.code().to_string(),
                    (score * 1e4).round() / 1e4,
                )
            })
            .collect(),
        v.policies().map(str::to_string).collect(),
        v.unknown_facts().map(str::to_string).collect(),
    )
}

fn flat_one(e: &meso::Evaluation) -> Flat {
    let mut unknown: Vec<String> = Vec::new();
    for t in e.types() {
        if t.status == meso::TypeStatus::Undetermined {
            unknown.extend(t.unknown_facts.iter().cloned());
        }
    }
    for p in e.undetermined_policies() {
        unknown.extend(p.unknown_facts.iter().cloned());
    }
    (
        e.classification().map(str::to_string),
        e.types()
            .iter()
            .map(|t| (t.name.clone(), t.status.code().to_string(), t.score))
            .collect(),
        e.policies().iter().map(|p| p.policy.clone()).collect(),
        unknown,
    )
}

#[test]
fn many_at_once_agrees_with_one_at_a_time_across_blocks() {
    let rules = Rules::embedded().unwrap();
    let mut all = Vec::new();
    // 15 examples x 9 = 135 rows: two full blocks of 64 and a partial one.
    for round in 0..9 {
        for (name, text) in examples() {
            let facts = rules
                .facts_from_str(&format!("{round}/{name}"), &text, FactsFormat::Yaml)
                .unwrap();
            all.push(facts);
        }
    }
    let verdicts = rules.evaluate_many(&all);
    assert_eq!(verdicts.len(), all.len());
    for (facts, many) in all.iter().zip(verdicts.iter()) {
        let one = rules.evaluate(facts);
        let (c1, t1, p1, u1) = flat_one(&one);
        let (c2, t2, p2, u2) = flat_many(&many);
        assert_eq!((c1, t1, p1), (c2, t2, p2), "{}", facts.name());
        // The many path names each open fact once, in declaration order.
        for f in &u2 {
            assert!(u1.contains(f), "{}: {f}", facts.name());
        }
        assert_eq!(u1.is_empty(), u2.is_empty(), "{}", facts.name());
        assert!(many.problems().is_empty());
    }
}

#[test]
fn columns_give_the_verdicts_of_the_same_facts_and_bad_cells_stay_in_their_row() {
    use meso::{Column, Columns};
    let rules = Rules::embedded().unwrap();
    let firms = [Some(2500.0), Some(900.0), Some(-3.0), None];
    let share = [Some(0.97), Some(0.4), Some(0.5), Some(0.9)];
    let trust = [Some("low"), Some("hgih"), Some("high"), None];
    let markets = [Some("domestic"), Some("export"), None, Some("local")];
    let columns = Columns::new(4)
        .with("firms", Column::Numbers(&firms))
        .with("share_micro_small", Column::Numbers(&share))
        .with("trust", Column::Texts(&trust))
        .with("main_market", Column::Texts(&markets));
    let verdicts = rules.evaluate_columns(&columns).unwrap();
    assert_eq!(verdicts.len(), 4);
    // Row 1 and 4 are fine: the same as the facts written as JSON.
    for (row, json) in [
        (
            0,
            r#"{"firms": 2500, "share_micro_small": 0.97, "trust": "low", "main_market": "domestic"}"#,
        ),
        (3, r#"{"share_micro_small": 0.9, "main_market": "local"}"#),
    ] {
        let facts = rules
            .facts_from_str("row", json, FactsFormat::Json)
            .unwrap();
        let one = rules.evaluate(&facts);
        let many = verdicts.get(row).unwrap();
        let (c1, t1, p1, _) = flat_one(&one);
        let (c2, t2, p2, _) = flat_many(&many);
        assert_eq!((c1, t1, p1), (c2, t2, p2), "row {row}");
        assert!(many.problems().is_empty());
    }
    // Row 2: a misspelt level and a market that is not an alternative, both reported.
    let bad = verdicts.get(1).unwrap();
    let codes: Vec<_> = bad
        .problems()
        .iter()
        .map(|d| d.code.clone().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["meso::facts::unknown_level", "meso::facts::unknown_level"]
    );
    assert!(bad.problems()[0].message.starts_with("row 2: "));
    assert_eq!(bad.classification(), None);
    // Row 3: a negative count.
    let neg = verdicts.get(2).unwrap();
    assert_eq!(
        neg.problems()[0].code.as_deref(),
        Some("meso::facts::out_of_range")
    );
}

#[test]
fn columns_that_do_not_fit_the_rule_set_are_reported_together() {
    use meso::{Column, Columns};
    let rules = Rules::embedded().unwrap();
    let numbers = [Some(1.0), Some(2.0)];
    let short = [Some(1.0)];
    let texts = [Some("a"), Some("b")];
    let columns = Columns::new(2)
        .with("frims", Column::Numbers(&numbers))
        .with("employment", Column::Numbers(&short))
        .with("firms", Column::Numbers(&numbers))
        .with("firms", Column::Numbers(&numbers))
        .with("trust", Column::Numbers(&numbers));
    let _ = texts;
    let err = rules.evaluate_columns(&columns).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Facts);
    let messages: Vec<&str> = err
        .diagnostics()
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(messages.len(), 4, "{messages:?}");
    assert_eq!(
        err.diagnostics()[0].help.as_deref(),
        Some("did you mean `firms`?")
    );
    assert!(messages[1].contains("has 1 cells, the table has 2 rows"));
    assert!(messages[2].contains("two columns"));
    assert!(messages[3].contains("fact `trust` is"));
}

#[test]
fn set_facts_take_comma_separated_members_from_text_cells() {
    use meso::{Column, Columns};
    let rules = Rules::from_sources([(
        "t.meso",
        "fact markets: set of local, domestic, export { description \"Markets\" }\n\
         type exporter {\n  label \"Exporter\"\n  cite \"x\"\n  required { exports: markets contains export }\n}\n",
    )])
    .unwrap();
    let markets = [
        Some("local, export"),
        Some("[local,domestic]"),
        Some(""),
        Some("local,abroad"),
    ];
    let verdicts = rules
        .evaluate_columns(&Columns::new(4).with("markets", Column::Texts(&markets)))
        .unwrap();
    let classes: Vec<Option<&str>> = verdicts.iter().map(|v| v.classification()).collect();
    assert_eq!(classes, [Some("exporter"), None, None, None]);
    assert!(verdicts.get(2).unwrap().problems().is_empty());
    assert_eq!(
        verdicts.get(3).unwrap().problems()[0].code.as_deref(),
        Some("meso::facts::unknown_level")
    );
}
