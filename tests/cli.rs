//! The `meso` binary end to end: exit codes, stdout and stderr, golden outputs for the
//! shipped rule set and examples.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

mod common;

use common::{code, meso, stderr, stdout, temp_dir};

#[test]
fn check_shipped_rules_reports_no_problems() {
    let o = meso(&["check", "rules", "--deny-warnings"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("no problems found"), "{}", stderr(&o));
}

#[test]
fn test_shipped_rules_pass() {
    let o = meso(&["test", "rules"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let out = stdout(&o);
    let summary = out.lines().last().unwrap_or_default();
    assert!(summary.ends_with(" passed, 0 failed"), "{summary}");
}

#[test]
fn test_filter_runs_matching_tests_only() {
    let o = meso(&["test", "rules", "--filter", "Gamarra"]);
    assert_eq!(code(&o), 0);
    let out = stdout(&o);
    assert!(out.contains("Gamarra"), "{out}");
    assert!(out.contains("filtered out"), "{out}");
}

#[test]
fn failing_rule_test_exits_1_and_says_why() {
    let dir = temp_dir();
    let rules = dir.path().join("r.meso");
    std::fs::write(
        &rules,
        "fact firms: count\nparam min_firms = 50 { cite \"§2\" }\n\
         type cluster { cite \"§2\" required { sizable: firms >= min_firms } }\n\
         test \"too small\" { given { firms = 10 } expect cluster is matched }\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = meso(&["test", rules.to_str().unwrap_or_default()]);
    assert_eq!(code(&o), 1);
    insta::assert_snapshot!(stdout(&o).replace(rules.to_str().unwrap_or_default(), "RULES"));
}

#[test]
fn rule_errors_exit_1() {
    let o = meso(&["check", "tests/cases/check/err/unknown_level.meso"]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("meso::check::unknown_level"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn missing_rules_path_exits_2() {
    let o = meso(&["check", "no/such/rules"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("meso::rules::io"), "{}", stderr(&o));
}

#[test]
fn usage_error_exits_2() {
    let o = meso(&["eval"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn error_format_json_gives_machine_readable_diagnostics() {
    let o = meso(&[
        "--error-format",
        "json",
        "check",
        "tests/cases/check/err/unknown_level.meso",
    ]);
    assert_eq!(code(&o), 1);
    let first = stderr(&o).lines().next().unwrap_or_default().to_string();
    let v: serde_json::Value =
        serde_json::from_str(&first).unwrap_or_else(|e| panic!("{e}: {first}"));
    assert_eq!(v["code"], "meso::check::unknown_level");
    assert_eq!(v["severity"], "error");
    // Places as editors and CI annotations want them: line and column beside the offsets,
    // for the diagnostic and for each of its labels.
    let (line, column) = (v["line"].as_u64(), v["column"].as_u64());
    assert!(
        line.is_some_and(|l| l > 1) && column.is_some_and(|c| c > 1),
        "{first}"
    );
    assert_eq!(v["labels"][0]["line"].as_u64(), line, "{first}");
    assert_eq!(v["labels"][0]["column"].as_u64(), column, "{first}");
    assert!(v["labels"][0]["span"]["offset"].is_u64(), "{first}");
}

#[test]
fn error_format_json_places_an_unclosed_block_at_the_clause_that_comes_too_early() {
    let o = meso(&[
        "--error-format",
        "json",
        "check",
        "tests/cases/parse/err/required_block_not_closed.meso",
    ]);
    assert_eq!(code(&o), 1);
    let first = stderr(&o).lines().next().unwrap_or_default().to_string();
    let v: serde_json::Value =
        serde_json::from_str(&first).unwrap_or_else(|e| panic!("{e}: {first}"));
    assert_eq!(v["code"], "meso::parse::unclosed");
    assert_eq!(
        (v["line"].as_u64(), v["column"].as_u64()),
        (Some(9), Some(3)),
        "{first}"
    );
    assert_eq!(v["labels"][1]["line"].as_u64(), Some(6), "{first}");
}

#[test]
fn eval_table_golden_for_gamarra() {
    let o = meso(&["eval", "examples/facts/gamarra.yaml", "-r", "rules"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    insta::assert_snapshot!(stdout(&o));
}

#[test]
fn eval_json_golden_for_each_example() {
    insta::glob!("../examples/facts", "*.yaml", |path| {
        let p = path
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap_or(path);
        let o = meso(&[
            "eval",
            p.to_str().unwrap_or_default(),
            "-r",
            "rules",
            "--format",
            "json",
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        insta::assert_snapshot!(stdout(&o));
    });
}

#[test]
fn eval_json_is_byte_identical_across_runs() {
    let args = [
        "eval",
        "examples/facts/leon.yaml",
        "examples/facts/puebla-auto.yaml",
        "-r",
        "rules",
        "--format",
        "json",
    ];
    let a = meso(&args);
    let b = meso(&args);
    assert_eq!(code(&a), 0);
    assert_eq!(a.stdout, b.stdout);
    let v: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v.as_array().map(Vec::len), Some(2));
}

#[test]
fn facts_fingerprint_ignores_key_order_and_format() {
    let dir = temp_dir();
    let yaml = dir.path().join("a.yaml");
    let json = dir.path().join("b.json");
    std::fs::write(&yaml, "firms: 120\ntrust: low\nshare_micro_small: 0.95\n")
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        &json,
        r#"{"share_micro_small": 0.95, "trust": "low", "firms": 120}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let fp = |p: &Path| {
        let o = meso(&[
            "eval",
            p.to_str().unwrap_or_default(),
            "-r",
            "rules",
            "--format",
            "json",
        ]);
        let v: serde_json::Value =
            serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
        v["facts_fingerprint"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let (a, b) = (fp(&yaml), fp(&json));
    assert!(a.starts_with("sha256:"), "{a}");
    assert_eq!(a, b);
}

#[test]
fn bad_facts_exit_2_but_good_files_are_still_evaluated() {
    let dir = temp_dir();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "firms: 120\ntrust: very_low\nshare_micro_small: 1.7\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = meso(&[
        "eval",
        bad.to_str().unwrap_or_default(),
        "examples/facts/sarchi.yaml",
        "-r",
        "rules",
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(err.contains("very_low") && err.contains("1.7"), "{err}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["classification"], "survival_cluster");
}

#[test]
fn param_override_changes_the_result_and_is_reported() {
    let o = meso(&[
        "eval",
        "examples/facts/gamarra.yaml",
        "-r",
        "rules",
        "--format",
        "json",
        "--param",
        "survival_min_share_micro_small=0.99",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["params"]["survival_min_share_micro_small"], 0.99);
    assert_ne!(v["classification"], "survival_cluster");
}

#[test]
fn unknown_param_is_a_rule_error_with_suggestion() {
    let o = meso(&[
        "eval",
        "examples/facts/gamarra.yaml",
        "-r",
        "rules",
        "--param",
        "survival_min_share_micro=0.9",
    ]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("did you mean"), "{}", stderr(&o));
}

#[test]
fn stdin_needs_a_facts_format() {
    let o = meso(&["eval", "-", "-r", "rules"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--facts-format"), "{}", stderr(&o));
}

#[test]
fn exported_rules_check_and_match_the_embedded_fingerprint() {
    let dir = temp_dir();
    let target = dir.path().join("exported");
    let o = meso(&["rules", "export", target.to_str().unwrap_or_default()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = meso(&[
        "check",
        target.to_str().unwrap_or_default(),
        "--deny-warnings",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Exporting again without --force refuses to overwrite.
    let o = meso(&["rules", "export", target.to_str().unwrap_or_default()]);
    assert_eq!(code(&o), 2);
    // The shipped set on disk and the embedded copy have the same fingerprint.
    let run = |rules: &str| {
        let o = meso(&[
            "eval",
            "examples/facts/leon.yaml",
            "-r",
            rules,
            "--format",
            "json",
        ]);
        let v: serde_json::Value =
            serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
        v["rules_fingerprint"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(run("rules"), run(target.to_str().unwrap_or_default()));
}

#[test]
fn second_typology_checks_and_passes_its_tests() {
    let o = meso(&["check", "examples/rulesets/suzigan", "--deny-warnings"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = meso(&["test", "examples/rulesets/suzigan"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
}

#[test]
fn help_lists_exit_codes() {
    let o = meso(&["--help"]);
    assert!(stdout(&o).contains("Exit codes"), "{}", stdout(&o));
}

/// Counts are written in the right number, and `fmt --check` names the path in its fix.
#[test]
fn summaries_count_in_the_right_number_and_fixes_name_the_path() {
    let o = meso(&["check", "-r", "tests/cases/logic"]);
    assert!(
        stderr(&o).contains("1 file, 7 facts, 1 parameter, 1 derived value, 4 types"),
        "{}",
        stderr(&o)
    );
    let dir = temp_dir();
    let file = dir.path().join("t.meso");
    std::fs::write(&file, "fact firms: count {description \"Firms\"}\n").unwrap();
    let path = file.to_str().unwrap();
    let o = meso(&["fmt", "--check", path]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!(
            "1 of 1 file is not formatted; run `meso fmt {path}` to fix"
        )),
        "{}",
        stderr(&o)
    );
}

/// Inside a project made by `meso init`, commands find its rules (from any folder below it)
/// and say which rule set they used; a broken `meso.toml` is an error, never skipped.
#[test]
fn commands_find_the_project_rules_and_name_them() {
    let tmp = temp_dir();
    let project = tmp.path().join("proj");
    let made = common::meso_in(tmp.path(), &["init", "proj"]);
    assert_eq!(code(&made), 0, "{}", stderr(&made));
    assert!(project.join("meso.toml").is_file());
    let deeper = project.join("data/2026");
    std::fs::create_dir_all(&deeper).unwrap();
    // The project's rules, not the embedded paper rules.
    let here = common::meso_in(&project, &["eval", "examples/example.yaml"]);
    assert_eq!(code(&here), 0, "{}", stderr(&here));
    let text = stdout(&here);
    assert!(text.contains("\nRules: . (sha256:"), "{text}");
    let below = common::meso_in(&deeper, &["check"]);
    assert_eq!(code(&below), 0, "{}", stderr(&below));
    assert!(stderr(&below).starts_with("../..: "), "{}", stderr(&below));
    // The embedded rules elsewhere, named as such.
    let elsewhere = common::meso_in(tmp.path(), &["eval", "proj/examples/example.yaml"]);
    assert!(stdout(&elsewhere).contains("Rules: the shipped rule set (sha256:"));
    // A marker naming no rules is an error with its code.
    std::fs::write(project.join("meso.toml"), "rules = \"nowhere\"\n").unwrap();
    let broken = common::meso_in(&deeper, &["check"]);
    assert_eq!(code(&broken), 2);
    assert!(
        stderr(&broken).contains("meso::rules::project"),
        "{}",
        stderr(&broken)
    );
    assert!(stderr(&broken).contains("does not exist"));
}

/// Warnings: `meso check` shows them in full and counts them by code, `--error-format short`
/// gives one line each, `--allow CODE` silences a code for the run (an unknown code is
/// refused with a suggestion), and `meso test` counts them instead of reprinting them.
#[test]
fn warnings_are_counted_grouped_shortened_and_silenced() {
    let tmp = temp_dir();
    let rules = tmp.path().join("r.meso");
    std::fs::write(
        &rules,
        "fact firms: count\nfact trust: level low < high\nfact unused_one: count\nfact unused_two: count\n\
         type a {\n  cite \"x\"\n  required {\n    big: firms >= 10\n  }\n}\n\
         type b {\n  cite \"x\"\n  required {\n    trusting: trust == high\n  }\n}\n",
    )
    .unwrap();
    let r = rules.to_str().unwrap();
    let full = meso(&["check", r]);
    let err = stderr(&full);
    assert!(
        err.contains("4 warnings (2 unused_fact, 1 literal_threshold, 1 overlapping_types)"),
        "{err}"
    );
    assert!(err.contains("`--error-format short` lists them one line each"));
    let short = meso(&["check", r, "--error-format", "short"]);
    let lines: Vec<String> = stderr(&short)
        .lines()
        .filter(|l| l.contains("unused_fact]"))
        .map(str::to_string)
        .collect();
    assert_eq!(lines.len(), 2, "{}", stderr(&short));
    assert!(
        lines[0].contains("r.meso:3:6: warning[unused_fact]: "),
        "{lines:?}"
    );
    let allowed = meso(&[
        "check",
        r,
        "--allow",
        "unused_fact",
        "--allow",
        "overlapping_types",
        "--allow",
        "meso::check::literal_threshold",
    ]);
    assert_eq!(code(&allowed), 0);
    assert!(stderr(&allowed).contains("no problems found"));
    assert!(stderr(&allowed).contains("(4 warnings silenced with --allow)"));
    let wrong = meso(&["check", r, "--allow", "unused_facts"]);
    assert_eq!(code(&wrong), 2);
    assert!(
        stderr(&wrong).contains("did you mean `unused_fact`?"),
        "{}",
        stderr(&wrong)
    );
    let test = meso(&["test", r]);
    let err = stderr(&test);
    assert!(
        err.contains("4 warnings in the rule set (run `meso check` to see them)"),
        "{err}"
    );
    assert!(!err.contains("unused_one"), "{err}");
}

/// `meso --version` names the commit the binary was built from, so that a result can be
/// traced to the code that produced it.
#[test]
fn version_names_the_commit() {
    let out = meso(&["--version"]);
    let text = stdout(&out);
    assert!(text.starts_with("meso 0."), "{text}");
    assert!(text.contains(" (commit "), "{text}");
}
