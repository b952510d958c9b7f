//! `meso verify` as an auditor uses it (issue 14, item 9): a trace re-saved by another tool
//! (keys reordered, whitespace gone, `1.0` written `1`) still verifies; tampered facts are
//! named one by one with their old and new values; the facts file is found beside the
//! trace, and when it cannot be found the error says how to pass it.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::process::Command;

use serde_json::Value as Json;

mod common;

use common::{meso_in, out, root, temp_dir};

/// The shipped rules in `dir/rules` and Gamarra's facts in `dir/case/gamarra.yaml`.
fn workspace() -> tempfile::TempDir {
    let dir = temp_dir();
    std::fs::create_dir_all(dir.path().join("rules")).unwrap();
    std::fs::create_dir_all(dir.path().join("case")).unwrap();
    for entry in std::fs::read_dir(root().join("rules")).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, dir.path().join("rules").join(p.file_name().unwrap())).unwrap();
    }
    std::fs::copy(
        root().join("examples/facts/gamarra.yaml"),
        dir.path().join("case/gamarra.yaml"),
    )
    .unwrap();
    dir
}

/// `meso explain case/gamarra.yaml --format json --out case/t.json`, run in `dir`.
fn make_trace(dir: &Path) {
    let made = meso_in(
        dir,
        &[
            "explain",
            "case/gamarra.yaml",
            "--format",
            "json",
            "--out",
            "case/t.json",
        ],
    );
    assert_eq!(made.status.code(), Some(0), "{}", out(&made));
}

/// What a tool that re-saves JSON does to it: every object's keys in reverse order, numbers
/// with a zero fraction written as integers (`1.0` → `1`, as jq 1.6 does), no whitespace.
fn resave(v: &Json) -> Json {
    match v {
        Json::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.reverse();
            Json::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), resave(&m[k])))
                    .collect(),
            )
        }
        Json::Array(a) => Json::Array(a.iter().map(resave).collect()),
        Json::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e15 =>
            {
                #[allow(clippy::cast_possible_truncation)]
                Json::from(f as i64)
            }
            _ => v.clone(),
        },
        other => other.clone(),
    }
}

#[test]
fn a_trace_resaved_with_other_key_order_whitespace_and_number_forms_verifies() {
    let dir = workspace();
    make_trace(dir.path());
    let file = dir.path().join("case/t.json");
    let text = std::fs::read_to_string(&file).unwrap();
    let json: Json = serde_json::from_str(&text).unwrap();
    let resaved = serde_json::to_string(&resave(&json)).unwrap();
    assert_ne!(resaved, text, "the bytes differ");
    assert!(
        text.contains(".0,") || text.contains(".0\n"),
        "the trace has numbers written with `.0`, so the test re-saves them differently"
    );
    std::fs::write(&file, resaved).unwrap();
    let o = meso_in(dir.path(), &["verify", "case/t.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    assert!(out(&o).contains("verified"), "{}", out(&o));
}

#[test]
fn a_trace_resaved_by_jq_verifies() {
    if Command::new("jq").arg("--version").output().is_err() {
        eprintln!("SKIPPED: jq not found; install it with `apt-get install -y jq`");
        return;
    }
    let dir = workspace();
    make_trace(dir.path());
    for flags in [&["."][..], &["-c", "."][..], &["-S", "."][..]] {
        let o = Command::new("jq")
            .args(flags)
            .arg(dir.path().join("case/t.json"))
            .output()
            .unwrap();
        assert!(o.status.success());
        std::fs::write(dir.path().join("case/t2.json"), &o.stdout).unwrap();
        let v = meso_in(dir.path(), &["verify", "case/t2.json"]);
        assert_eq!(v.status.code(), Some(0), "jq {flags:?}: {}", out(&v));
    }
}

#[test]
fn a_changed_value_in_a_resaved_trace_is_still_found() {
    let dir = workspace();
    make_trace(dir.path());
    let file = dir.path().join("case/t.json");
    let mut json: Json = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let types = json["types"].as_array_mut().unwrap();
    let survival = types
        .iter_mut()
        .find(|t| t["type"] == "survival_cluster")
        .unwrap();
    survival["score"] = Json::from(0.5);
    std::fs::write(&file, serde_json::to_string(&resave(&json)).unwrap()).unwrap();
    let o = meso_in(dir.path(), &["verify", "case/t.json"]);
    let report = out(&o);
    assert_eq!(o.status.code(), Some(1), "{report}");
    assert!(
        report.contains("a result changed at types › survival_cluster › score: was 0.5, is now 1"),
        "{report}"
    );
}

#[test]
fn tampered_facts_are_named_with_old_and_new_values() {
    let dir = workspace();
    make_trace(dir.path());
    let facts = dir.path().join("case/gamarra.yaml");
    let text = std::fs::read_to_string(&facts).unwrap();
    let tampered = text
        .replace("share_large: 0.001", "share_large: 0.05")
        .replace("trust: low ", "trust: high")
        .replace("state_owned_core: false", "");
    std::fs::write(&facts, tampered).unwrap();
    let o = meso_in(dir.path(), &["verify", "case/t.json"]);
    let report = out(&o);
    assert_eq!(o.status.code(), Some(1), "{report}");
    assert!(report.contains("the facts changed"), "{report}");
    for line in [
        "`share_large`: was 0.001, is now 0.05",
        "`trust`: was low, is now high",
        "`state_owned_core`: was false, is now missing",
    ] {
        assert!(report.contains(line), "{line} in:\n{report}");
    }
    assert!(
        !report.contains("`firms`"),
        "unchanged facts are not listed: {report}"
    );
}

#[test]
fn the_facts_file_is_found_beside_the_trace() {
    let dir = workspace();
    // Made inside the case folder: the trace names the facts `gamarra.yaml`.
    let made = meso_in(
        &dir.path().join("case"),
        &[
            "explain",
            "gamarra.yaml",
            "-r",
            "../rules",
            "--format",
            "json",
            "--out",
            "t.json",
        ],
    );
    assert_eq!(made.status.code(), Some(0), "{}", out(&made));
    // Verified from the folder above: `gamarra.yaml` is not here but beside the trace.
    let o = meso_in(dir.path(), &["verify", "case/t.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    assert!(out(&o).contains("verified"), "{}", out(&o));
}

#[test]
fn a_facts_file_found_nowhere_is_an_error_that_says_how_to_pass_it() {
    let dir = workspace();
    make_trace(dir.path());
    std::fs::rename(
        dir.path().join("case/gamarra.yaml"),
        dir.path().join("elsewhere.yaml"),
    )
    .unwrap();
    let o = meso_in(dir.path(), &["verify", "case/t.json"]);
    let report = out(&o);
    assert_eq!(o.status.code(), Some(2), "{report}");
    assert!(report.contains("`case/gamarra.yaml`"), "{report}");
    assert!(report.contains("--facts PATH"), "{report}");
    let o = meso_in(
        dir.path(),
        &["verify", "case/t.json", "--facts", "elsewhere.yaml"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
}
