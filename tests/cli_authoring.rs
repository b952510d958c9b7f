//! `meso fmt` and `meso test --coverage` end to end: exit codes, what is written, reports.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{code, meso, stdout, temp_dir};

const MESSY: &str = "# the vocabulary\nfact firms: count { unit \"firms\" }   # how many\ntype c { cite \"§2\" required { big: firms >= min_firms } }\nparam min_firms = 10 { cite \"§2\" }\n";

#[test]
fn fmt_check_lists_unformatted_files_and_writes_nothing() {
    let dir = temp_dir();
    let file = dir.path().join("a.meso");
    std::fs::write(&file, MESSY).unwrap();
    let o = meso(&["fmt", "--check", dir.path().to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("a.meso"), "{}", stdout(&o));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), MESSY);
}

#[test]
fn fmt_rewrites_files_and_then_check_passes() {
    let dir = temp_dir();
    let file = dir.path().join("a.meso");
    std::fs::write(&file, MESSY).unwrap();
    let o = meso(&["fmt", file.to_str().unwrap()]);
    assert_eq!(code(&o), 0);
    let formatted = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        formatted,
        "# the vocabulary\nfact firms: count {\n  unit \"firms\"\n}  # how many\n\ntype c {\n  cite \"§2\"\n  required {\n    big: firms >= min_firms\n  }\n}\n\nparam min_firms = 10 {\n  cite \"§2\"\n}\n"
    );
    let again = meso(&["fmt", "--check", file.to_str().unwrap()]);
    assert_eq!(code(&again), 0);
}

#[test]
fn fmt_refuses_a_file_that_does_not_parse() {
    let dir = temp_dir();
    let file = dir.path().join("bad.meso");
    std::fs::write(&file, "fact firms count\n").unwrap();
    let o = meso(&["fmt", file.to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "fact firms count\n"
    );
}

#[test]
fn shipped_rules_are_formatted() {
    let o = meso(&["fmt", "--check", "rules", "examples/rulesets"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
}

#[test]
fn coverage_lists_what_no_test_reaches() {
    let dir = temp_dir();
    let file = dir.path().join("r.meso");
    std::fs::write(
        &file,
        "fact firms: count\nparam min_firms = 10 { cite \"§2\" }\n\
         type c { cite \"§2\" required { big: firms >= min_firms } }\n\
         policy p { for c advice \"a\" cite \"§4\" }\n\
         test \"big\" { given { firms = 20 } expect c is matched }\n",
    )
    .unwrap();
    let o = meso(&["test", file.to_str().unwrap(), "--coverage"]);
    assert_eq!(code(&o), 0);
    let out = stdout(&o);
    assert!(out.contains("3: c required `big`: never false"), "{out}");
    assert!(
        out.contains("4: policy `p`: never not recommended"),
        "{out}"
    );
    assert!(
        out.contains("coverage: criteria: 100% true, 0% false;"),
        "{out}"
    );
    let json = meso(&[
        "test",
        file.to_str().unwrap(),
        "--coverage",
        "--format",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["tests"]["passed"], 1);
    assert_eq!(doc["criteria"][0]["seen"]["true"], 1);
    assert_eq!(doc["criteria"][0]["seen"]["false"], 0);
    assert_eq!(doc["summary"]["policies"]["percent_applied"], 100);
}
