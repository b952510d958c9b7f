//! Authoring tools around the language: `meso init`, shell completions, the man page and
//! the editor grammar in `editors/`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

mod common;

use common::{meso, stderr, stdout, temp_dir};

#[test]
fn init_creates_a_rule_set_that_checks_and_passes_its_tests() {
    let tmp = temp_dir();
    let dir = tmp.path().join("my-rules");
    let dir_arg = dir.to_str().expect("utf-8 path");

    let o = meso(&["init", dir_arg]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for file in ["README.md", "examples/example.yaml"] {
        assert!(dir.join(file).is_file(), "{file} missing");
    }

    let o = meso(&["check", dir_arg, "--deny-warnings"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("no problems found"), "{}", stderr(&o));
    assert!(stderr(&o).contains("1 type, 2 policies"), "{}", stderr(&o));

    let o = meso(&["fmt", "--check", dir_arg]);
    assert_eq!(o.status.code(), Some(0), "not formatted: {}", stdout(&o));

    let o = meso(&["test", dir_arg]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains(" passed, 0 failed"), "{}", stdout(&o));

    // The facts example fits the rule set's schema.
    let o = meso(&["schema", "-r", dir_arg]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let schema: Value = serde_json::from_slice(&o.stdout).expect("JSON schema");
    let example = std::fs::read_to_string(dir.join("examples/example.yaml")).expect("example");
    let example: Value = serde_saphyr::from_str(&example).expect("YAML");
    assert!(jsonschema::is_valid(&schema, &example), "{example}");
}

#[test]
fn init_refuses_a_directory_that_is_not_empty() {
    let tmp = temp_dir();
    std::fs::write(tmp.path().join("notes.txt"), "mine").expect("write");
    let o = meso(&["init", tmp.path().to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is not empty"), "{}", stderr(&o));
    assert_eq!(std::fs::read_dir(tmp.path()).expect("dir").count(), 1);
}

const SUBCOMMANDS: &[&str] = &[
    "check",
    "test",
    "eval",
    "rules",
    "schema",
    "init",
    "lsp",
    "completions",
    "man",
];

#[test]
fn completions_mention_every_command() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = meso(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        for command in SUBCOMMANDS {
            assert!(script.contains(command), "{shell}: `{command}` missing");
        }
        assert!(
            script.contains("error-format"),
            "{shell}: `--error-format` missing"
        );
    }
    let o = meso(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn man_page_renders() {
    let o = meso(&["man"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = stdout(&o);
    assert!(
        page.starts_with(".ie") || page.contains(".TH meso 1"),
        "{page}"
    );
    assert!(page.contains(".TH meso 1"), "{page}");
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH OPTIONS", ".SH SUBCOMMANDS"] {
        assert!(page.contains(section), "{section} missing");
    }
    for command in SUBCOMMANDS {
        assert!(page.contains(command), "`{command}` missing");
    }

    let tmp = temp_dir();
    let o = meso(&["man", "--out", tmp.path().to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for page in [
        "meso.1",
        "meso-check.1",
        "meso-schema.1",
        "meso-rules-export.1",
    ] {
        let body = std::fs::read_to_string(tmp.path().join(page)).expect(page);
        assert!(body.contains(".SH NAME"), "{page}");
    }
}

/// Every keyword of the grammar: the words quoted in grammar/meso.pest.
fn grammar_keywords() -> BTreeSet<String> {
    let grammar = std::fs::read_to_string("grammar/meso.pest").expect("grammar");
    let mut words = BTreeSet::new();
    for line in grammar.lines() {
        let code = line.split("//").next().unwrap_or("");
        for (i, part) in code.split('"').enumerate() {
            let quoted = i % 2 == 1;
            if quoted && part.len() > 1 && part.chars().all(|c| c.is_ascii_lowercase()) {
                words.insert(part.to_string());
            }
        }
    }
    words
}

/// Every word in a `match` regex of the TextMate grammar.
fn textmate_words(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                if key == "match" || key == "begin" {
                    if let Some(regex) = v.as_str() {
                        for word in regex.split(|c: char| !c.is_ascii_alphanumeric()) {
                            out.insert(word.to_string());
                        }
                    }
                } else {
                    textmate_words(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| textmate_words(v, out)),
        _ => {}
    }
}

#[test]
fn textmate_grammar_parses_and_covers_every_keyword() {
    let path = Path::new("editors/vscode/syntaxes/meso.tmLanguage.json");
    let grammar: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("grammar")).expect("JSON");
    assert_eq!(grammar["scopeName"], "source.meso");
    let mut words = BTreeSet::new();
    textmate_words(&grammar, &mut words);
    let keywords = grammar_keywords();
    assert!(keywords.len() > 40, "{keywords:?}");
    let missing: Vec<_> = keywords.difference(&words).collect();
    assert!(missing.is_empty(), "not highlighted: {missing:?}");

    for file in ["package.json", "language-configuration.json"] {
        let text = std::fs::read_to_string(Path::new("editors/vscode").join(file)).expect(file);
        let json: Value = serde_json::from_str(&text).expect(file);
        assert!(json.is_object(), "{file}");
    }
    let config: Value = serde_json::from_str(
        &std::fs::read_to_string("editors/vscode/language-configuration.json").expect("config"),
    )
    .expect("JSON");
    assert_eq!(config["comments"]["lineComment"], "#");
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string("editors/vscode/package.json").expect("manifest"),
    )
    .expect("JSON");
    assert_eq!(
        manifest["contributes"]["grammars"][0]["path"],
        "./syntaxes/meso.tmLanguage.json"
    );
}
