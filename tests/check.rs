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
