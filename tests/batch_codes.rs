//! Every `meso::batch::*` code is reached from the command line: whole-run errors exit 2
//! with the code on stderr; record problems go to the reject file with their code.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::Path;

mod common;

use common::{code, meso_in, root, stderr, temp_dir};

/// Run `meso` in `dir` with the shipped rules; returns (exit code, stderr, rejects file
/// contents).
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let rules = root().join("rules");
    let rules = rules.to_string_lossy();
    let o = meso_in(dir, &[args, &["-r", &rules]].concat());
    let rejects = fs::read_to_string(dir.join("out.csv.rejects.csv")).unwrap_or_default();
    (code(&o), stderr(&o), rejects)
}

fn run_error(files: &[(&str, &str)], args: &[&str], code: &str) {
    let dir = temp_dir();
    for (name, text) in files {
        fs::write(dir.path().join(name), text).unwrap();
    }
    let (exit, stderr, _) = run(dir.path(), args);
    assert_eq!(exit, 2, "{args:?}: {stderr}");
    assert!(
        stderr.contains(code),
        "{args:?} should report {code}: {stderr}"
    );
}

fn run_reject(files: &[(&str, &str)], args: &[&str], code: &str) {
    let dir = temp_dir();
    for (name, text) in files {
        fs::write(dir.path().join(name), text).unwrap();
    }
    let (_, stderr, rejects) = run(dir.path(), args);
    assert!(
        rejects.contains(code),
        "{args:?} should reject with {code}: {rejects}\n{stderr}"
    );
}

#[test]
fn whole_run_errors_have_their_codes() {
    let out = ["--out", "out.csv"];
    let with = |extra: &[&'static str]| -> Vec<&'static str> {
        let mut v: Vec<&str> = extra.to_vec();
        v.extend_from_slice(&out);
        v
    };
    run_error(&[], &with(&["batch", "missing.csv"]), "meso::batch::io");
    run_error(
        &[("data.txt2", "id\n")],
        &with(&["batch", "data.txt2"]),
        "meso::batch::unknown_format",
    );
    run_error(
        &[("d.csv", "id,frims\na,1\n")],
        &with(&["batch", "d.csv"]),
        "meso::batch::unknown_column",
    );
    run_error(
        &[
            ("d.csv", "id,firms,FIRMS\na,1,2\n"),
            ("map.toml", "FIRMS = \"firms\"\n"),
        ],
        &with(&["batch", "d.csv", "--columns", "map.toml"]),
        "meso::batch::duplicate_column",
    );
    run_error(
        &[("d.json", "{\"id\": 1}")],
        &with(&["batch", "d.json"]),
        "meso::batch::malformed",
    );
    run_error(
        &[("d.csv", "id,firms\na,1\n"), ("map.toml", "firms = 3\n")],
        &with(&["batch", "d.csv", "--columns", "map.toml"]),
        "meso::batch::column_map",
    );
    run_error(
        &[("d.csv", "id,firms\na,1\n")],
        &with(&["batch", "-", "--input-format", "xlsx"]),
        "meso::batch::bad_option",
    );
}

#[test]
fn record_problems_go_to_the_reject_file_with_their_codes() {
    let out = ["--out", "out.csv"];
    let with = |extra: &[&'static str]| -> Vec<&'static str> {
        let mut v: Vec<&str> = extra.to_vec();
        v.extend_from_slice(&out);
        v
    };
    run_reject(
        &[("d.csv", "id,firms\na,1,2\n")],
        &with(&["batch", "d.csv"]),
        "meso::batch::cell_count",
    );
    run_reject(
        &[("d.jsonl", "{\"id\": [1], \"firms\": 3}\n")],
        &with(&["batch", "d.jsonl"]),
        "meso::batch::bad_id",
    );
    run_reject(
        &[("d.jsonl", "{\"id\": \"a\", \"firms\": }\n")],
        &with(&["batch", "d.jsonl"]),
        "meso::batch::json",
    );
    run_reject(
        &[("d.csv", "id,firms,\na,1,2\n")],
        &with(&["batch", "d.csv"]),
        "meso::batch::no_header",
    );
}
