//! Checker diagnostics: each file in tests/cases/check/err/ triggers the diagnostic it is
//! named after (its rendered output is snapshotted), and the shipped rule set and the
//! files in tests/cases/check/ok/ check with no errors and no warnings.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use miette::Diagnostic;

use meso::render::diagnostics::{render, ErrorFormat};
use meso::ruleset;

/// Every diagnostic of a rule set, rendered without colour, plus their codes.
fn diagnostics_of(path: &Path) -> (String, Vec<String>) {
    let sources = match ruleset::read_sources(path) {
        Ok(s) => s,
        Err(e) => {
            let code = e.code().map(|c| c.to_string()).unwrap_or_default();
            return (render(&e, ErrorFormat::Human, false), vec![code]);
        }
    };
    let mut out = String::new();
    let mut codes = Vec::new();
    let mut add = |d: &dyn miette::Diagnostic| {
        out.push_str(&render(d, ErrorFormat::Human, false));
        out.push('\n');
        if let Some(code) = d.code() {
            codes.push(code.to_string());
        }
    };
    match ruleset::load(sources, &[]) {
        Ok(rules) => rules.warnings.iter().for_each(|w| add(w)),
        Err(failure) => {
            failure.errors.iter().for_each(|e| add(e));
            failure.warnings.iter().for_each(|w| add(w));
        }
    }
    (out, codes)
}

#[test]
fn each_error_case_reports_its_diagnostic() {
    insta::glob!("cases/check/err/*.meso", |path| {
        // Relative to the crate, so snapshots do not depend on where the checkout is.
        let path = path
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap_or(path);
        let (rendered, codes) = diagnostics_of(path);
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        if stem != "several_errors_reported_together" {
            let expected = format!("meso::check::{stem}");
            assert!(
                codes.contains(&expected),
                "{} should report {expected}, got {codes:?}",
                path.display()
            );
        }
        insta::assert_snapshot!(rendered);
    });
}

#[test]
fn several_errors_are_all_reported() {
    let (_, codes) = diagnostics_of(Path::new(
        "tests/cases/check/err/several_errors_reported_together.meso",
    ));
    for expected in [
        "unknown_level",
        "not_ordered",
        "undefined_name",
        "unknown_type",
    ] {
        assert!(
            codes.iter().any(|c| c.ends_with(expected)),
            "missing {expected} in {codes:?}"
        );
    }
}

#[test]
fn clean_rule_sets_have_no_diagnostics() {
    for dir in ["rules", "tests/cases/check/ok"] {
        let (rendered, codes) = diagnostics_of(Path::new(dir));
        assert!(codes.is_empty(), "{dir} should check cleanly:\n{rendered}");
    }
}

#[test]
fn param_override_must_name_a_parameter() {
    let sources = ruleset::read_sources(Path::new("tests/cases/check/err/unused_param.meso"))
        .map_err(|e| e.to_string())
        .unwrap_or_else(|e| panic!("{e}"));
    let overrides = ["min_firm=3"
        .parse()
        .unwrap_or_else(|e: String| panic!("{e}"))];
    let Err(failure) = ruleset::load(sources, &overrides) else {
        panic!("an unknown --param must fail");
    };
    let rendered: Vec<String> = failure
        .errors
        .iter()
        .map(|e| render(e, ErrorFormat::Human, false))
        .collect();
    assert!(
        rendered
            .iter()
            .any(|r| r.contains("did you mean `min_firms`?")),
        "{rendered:?}"
    );
}

/// Load a rule set from text.
fn load_text(text: &str) -> meso::ruleset::RuleSet {
    let sources = ruleset::RuleSources {
        origin: ruleset::RuleOrigin::Embedded,
        files: vec![ruleset::RuleText {
            relative: "t.meso".into(),
            display: "t.meso".into(),
            text: text.into(),
        }],
    };
    match ruleset::load(sources, &[]) {
        Ok(r) => r,
        Err(f) => panic!(
            "{}",
            f.errors
                .iter()
                .map(|e| render(e, ErrorFormat::Human, false))
                .collect::<String>()
        ),
    }
}

#[test]
fn policies_are_ordered_by_phase_then_prerequisites_then_declaration() {
    let rules = load_text(
        r#"
fact firms: count
param min_firms = 50 { cite "c" }
type cluster { cite "c" required { sizable: firms >= min_firms } }
policy late      { for cluster phase 3 advice "a" cite "c" }
policy third     { for cluster phase 1 after second advice "a" cite "c" }
policy first     { for cluster phase 1 advice "a" cite "c" }
policy second    { for cluster phase 1 after first advice "a" cite "c" }
policy unphased  { for cluster advice "a" cite "c" }
policy middle    { for cluster phase 2 after first advice "a" cite "c" }
avoid  early_err { for cluster phase 0 advice "a" cite "c" }
"#,
    );
    let order: Vec<&str> = rules
        .program
        .policy_order
        .iter()
        .filter_map(|id| rules.program.policy(*id).map(|p| p.name.as_str()))
        .collect();
    assert_eq!(
        order,
        [
            "early_err",
            "first",
            "second",
            "third",
            "unphased",
            "middle",
            "late"
        ]
    );
}

#[test]
fn level_parameters_take_their_levels_from_first_use() {
    let rules = load_text(
        r#"
fact trust: level low < medium < high
param max_trust = medium { cite "c" }
type cluster { cite "c" required { low_trust: trust <= max_trust } }
"#,
    );
    let p = &rules.program.params[0];
    assert_eq!(p.value, meso::value::Value::Level(1));
}

/// An `after` loop through two files is reported at the `after` written last (the one that
/// closed the loop), with the other entries of the loop beside it or named in the help.
#[test]
fn after_cycle_points_at_the_after_that_closes_it() {
    let file = |relative: &str, text: &str| ruleset::RuleText {
        relative: relative.into(),
        display: relative.into(),
        text: text.into(),
    };
    let sources = ruleset::RuleSources {
        origin: ruleset::RuleOrigin::Embedded,
        files: vec![
            file(
                "a.meso",
                "fact firms: count\nparam min_firms = 50 { cite \"§2\" }\n\
                 type cluster { cite \"§2\" required { sizable: firms >= min_firms } }\n\
                 policy dialogue {\n  for cluster\n  after showcase\n  advice \"talk\"\n  cite \"§4\"\n}\n\
                 policy brokerage {\n  for cluster\n  after dialogue\n  advice \"broker\"\n  cite \"§4\"\n}\n",
            ),
            file(
                "b.meso",
                "policy showcase {\n  for cluster\n  after brokerage\n  advice \"show\"\n  cite \"§4\"\n}\n",
            ),
        ],
    };
    let Err(failure) = ruleset::load(sources, &[]) else {
        panic!("an `after` loop must fail");
    };
    let cycle = failure
        .errors
        .iter()
        .find(|e| {
            e.code()
                .is_some_and(|c| c.to_string() == "meso::check::after_cycle")
        })
        .unwrap_or_else(|| panic!("no after_cycle"));
    let json = render(cycle, ErrorFormat::Json, false);
    let v: serde_json::Value =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
    assert_eq!(v["filename"], "b.meso", "{json}");
    assert_eq!(
        (v["line"].as_u64(), v["column"].as_u64()),
        (Some(3), Some(9)),
        "{json}"
    );
    assert!(
        v["labels"][0]["label"]
            .as_str()
            .unwrap_or_default()
            .contains("`showcase` after `brokerage` closes the loop"),
        "{json}"
    );
    let help = v["help"].as_str().unwrap_or_default();
    assert!(
        help.contains("`dialogue` after `showcase` at a.meso:6:9"),
        "{help}"
    );
    assert!(
        help.contains("`brokerage` after `dialogue` at a.meso:12:9"),
        "{help}"
    );
}
