//! Text edge cases in rule files and facts files: CRLF line endings, a UTF-8 byte-order
//! mark, tabs, non-ASCII names and strings (`Sarchí`, `Itajaí`), invalid UTF-8, empty files
//! and files of only comments. Each diagnostic must point at the right line and column: the
//! tests read the `[file:line:col]` header of the rendered diagnostic and the underlined text.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use meso::facts::{self, FactsFormat, LoadOptions};
use meso::render::diagnostics::{render, ErrorFormat};
use meso::ruleset::{self, RuleOrigin, RuleSources, RuleText, RulesFailure};

fn sources(text: &str) -> RuleSources {
    RuleSources {
        origin: RuleOrigin::Embedded,
        files: vec![RuleText {
            relative: "t.meso".into(),
            display: "t.meso".into(),
            text: text.into(),
        }],
    }
}

fn failure(text: &str) -> RulesFailure {
    match ruleset::load(sources(text), &[]) {
        Ok(_) => panic!("expected errors for:\n{text}"),
        Err(f) => f,
    }
}

/// The rendered first error, its code, and the `line:col` miette shows.
fn first_error(text: &str) -> (String, String) {
    let f = failure(text);
    let e = f.errors.first().unwrap();
    let code = miette::Diagnostic::code(e).unwrap().to_string();
    (code, render(e, ErrorFormat::Human, false))
}

/// Asserts that `rendered` shows `file:line:col` and underlines `underlined` on that line.
fn assert_points_at(rendered: &str, location: &str, underlined: &str) {
    assert!(
        rendered.contains(&format!("[{location}]")),
        "expected [{location}] in:\n{rendered}"
    );
    let lines: Vec<&str> = rendered.lines().collect();
    // The source line holding the text and the underline below it start at the same column.
    let (i, src) = lines
        .iter()
        .enumerate()
        .find(|(_, l)| {
            l.contains(underlined)
                && l.contains('│')
                && l.trim_start().starts_with(|c: char| c.is_ascii_digit())
        })
        .unwrap_or_else(|| panic!("no source line with `{underlined}` in:\n{rendered}"));
    let under = lines.get(i + 1).unwrap();
    let col_chars = src
        .find(underlined)
        .map(|b| src.get(..b).unwrap().chars().count())
        .unwrap();
    let mark_chars = under
        .char_indices()
        .position(|(_, c)| c == '─' || c == '┬' || c == '^')
        .unwrap_or_else(|| panic!("no underline below `{src}` in:\n{rendered}"));
    assert_eq!(
        col_chars, mark_chars,
        "underline does not start under `{underlined}`:\n{rendered}"
    );
}

const FACT: &str = "fact firms: count { description \"Number of firms\" }\n";

#[test]
fn crlf_line_endings_keep_line_and_column() {
    let text = format!("{FACT}fact trust: level low < high\r\nderived x = trust >= hihg\r\n");
    let text = text.replace('\n', "\r\n").replace("\r\r\n", "\r\n");
    let (code, rendered) = first_error(&text);
    assert_eq!(code, "meso::check::unknown_level");
    assert_points_at(&rendered, "t.meso:3:22", "hihg");
}

#[test]
fn byte_order_mark_does_not_shift_the_column() {
    let text = format!("\u{feff}{FACT}derived x = firmz >= 1\n");
    let (code, rendered) = first_error(&text);
    assert_eq!(code, "meso::check::undefined_name");
    assert_points_at(&rendered, "t.meso:2:13", "firmz");
}

#[test]
fn a_byte_order_mark_alone_is_an_empty_rule_file() {
    let rules = ruleset::load(sources("\u{feff}"), &[]).unwrap();
    assert!(rules.program.facts.is_empty());
}

#[test]
fn tabs_count_as_one_column() {
    let text = format!("{FACT}derived x =\t\tfirmz >= 1\n");
    let (_, rendered) = first_error(&text);
    // A tab is one byte, so the header says column 14; miette draws tabs as spaces.
    assert!(rendered.contains("[t.meso:2:14]"), "{rendered}");
    assert!(rendered.contains("firmz"), "{rendered}");
}

#[test]
fn non_ascii_names_and_strings_point_at_the_right_character() {
    let text =
        "fact región: one of Sarchí, Itajaí, Gamarra { description \"Región del clúster\" }\n\
                derived en_brasil = región == Itajaí\n\
                derived en_costa_rica = región == Sarchi\n";
    let f = failure(text);
    let e = f.errors.first().unwrap();
    let rendered = render(e, ErrorFormat::Human, false);
    assert_eq!(
        miette::Diagnostic::code(e).unwrap().to_string(),
        "meso::check::unknown_level"
    );
    // The underline is under `Sarchi` (character 35); miette's header counts the column in
    // bytes, so the two-byte `ó` before it makes it 36 (see docs/robustness.md).
    assert_points_at(&rendered, "t.meso:3:36", "Sarchi");
    assert!(
        rendered.contains("`Sarchí`"),
        "suggests the accented name:\n{rendered}"
    );
}

#[test]
fn non_ascii_parse_error_column_counts_characters() {
    let (code, rendered) = first_error("param lugar = \"Itajaí\" )\n");
    assert_eq!(code, "meso::parse::unexpected_token");
    // `)` is character 24, byte 25 after the two-byte `í`: the underline is under it and the
    // header (bytes, as miette counts) says 25.
    assert_points_at(&rendered, "t.meso:1:25", ")");
}

#[test]
fn empty_and_comment_only_rule_files_load_as_empty_rule_sets() {
    for text in [
        "",
        "\n\n",
        "# only a comment\n# and another",
        "#\r\n#\r\n",
        "\u{feff}# bom",
    ] {
        let rules = ruleset::load(sources(text), &[])
            .unwrap_or_else(|f| panic!("{text:?} should load: {:?}", f.errors));
        assert!(rules.program.types.is_empty());
    }
}

#[test]
fn invalid_utf8_in_a_rule_file_is_a_diagnostic_with_the_byte_offset() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin1.meso");
    // `Sarchí` saved as Latin-1: the `í` is the single byte 0xED, at byte offset 25.
    std::fs::write(&path, b"# ok\nparam lugar = \"Sarch\xed\"\n").unwrap();
    let err = ruleset::read_sources(dir.path()).unwrap_err();
    assert_eq!(
        miette::Diagnostic::code(&err).unwrap().to_string(),
        "meso::rules::not_utf8"
    );
    let message = err.to_string();
    assert!(message.contains("offset 25"), "{message}");
    assert!(message.contains("line 2"), "{message}");
}

// -- facts files ------------------------------------------------------------------------

fn program() -> std::sync::Arc<meso::ir::Program> {
    let text = "fact firms: count\nfact trust: level low < medium < high\n\
                fact region: one of Sarchí, Itajaí\nfact remark: text\n\
                type t { required { a: firms >= 1 and trust >= low and region == Sarchí } }\n";
    ruleset::load(sources(text), &[])
        .unwrap_or_else(|f| panic!("{:?}", f.errors))
        .program
}

fn facts_error(text: &str, format: FactsFormat) -> String {
    let program = program();
    match facts::load_facts(&program, "f", text, format, &LoadOptions::default()) {
        Ok(_) => panic!("expected a facts error for {text:?}"),
        Err(errors) => errors
            .errors
            .iter()
            .map(|e| render(e, ErrorFormat::Human, false))
            .collect(),
    }
}

fn facts_ok(text: &str, format: FactsFormat) -> facts::Facts {
    let program = program();
    match facts::load_facts(&program, "f", text, format, &LoadOptions::default()) {
        Ok(l) => l.facts,
        Err(e) => panic!(
            "{text:?} should load: {}",
            render(&e, ErrorFormat::Human, false)
        ),
    }
}

#[test]
fn facts_with_crlf_point_at_the_right_line() {
    let r = facts_error("firms: 10\r\ntrust: hihg\r\n", FactsFormat::Yaml);
    assert_points_at(&r, "f:2:8", "hihg");
    let r = facts_error("firms = 10\r\ntrust = \"hihg\"\r\n", FactsFormat::Toml);
    assert_points_at(&r, "f:2:9", "\"hihg\"");
    let r = facts_error(
        "{\r\n  \"firms\": 10,\r\n  \"trust\": \"hihg\"\r\n}",
        FactsFormat::Json,
    );
    assert_points_at(&r, "f:3:12", "\"hihg\"");
}

#[test]
fn facts_with_a_byte_order_mark_load() {
    for (text, format) in [
        ("\u{feff}firms: 3\n", FactsFormat::Yaml),
        ("\u{feff}firms = 3\n", FactsFormat::Toml),
        ("\u{feff}{\"firms\": 3}", FactsFormat::Json),
    ] {
        let f = facts_ok(text, format);
        assert_eq!(f.values.first(), Some(&meso::value::Value::Number(3.0)));
    }
}

#[test]
fn facts_with_tabs_and_accents_point_at_the_right_column() {
    let r = facts_error("{\"region\":\t\"Sarchi\"}", FactsFormat::Json);
    assert!(r.contains("`Sarchí`"), "{r}");
    assert!(r.contains("[f:1:12]"), "{r}");
    let r = facts_error("remark: \"Itajaí\"\nregion: Itajai\n", FactsFormat::Yaml);
    assert_points_at(&r, "f:2:9", "Itajai");
}

#[test]
fn accented_facts_values_load() {
    let f = facts_ok(
        "region: Itajaí\nremark: \"Sarchí, Costa Rica\"\n",
        FactsFormat::Yaml,
    );
    assert!(f.values.iter().any(|v| v.is_known()));
}

#[test]
fn empty_and_comment_only_facts_files() {
    // YAML and TOML: an empty document is an empty mapping (every fact unknown).
    for (text, format) in [
        ("", FactsFormat::Yaml),
        ("# nothing known yet\n", FactsFormat::Yaml),
        ("", FactsFormat::Toml),
        ("# nothing known yet\n", FactsFormat::Toml),
        ("{}", FactsFormat::Json),
    ] {
        let f = facts_ok(text, format);
        assert!(f.values.iter().all(|v| !v.is_known()));
    }
    // JSON has no comments and no empty document: a syntax error at the end.
    let r = facts_error("", FactsFormat::Json);
    assert!(r.contains("meso::facts::syntax"), "{r}");
}

#[test]
fn invalid_utf8_in_a_facts_file_is_a_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin1.yaml");
    std::fs::write(&path, b"region: Itaja\xed\n").unwrap();
    let program = program();
    let err = facts::load_facts_file(&program, &path, None, &LoadOptions::default()).unwrap_err();
    let r = render(&err, ErrorFormat::Human, false);
    assert!(r.contains("meso::facts::io"), "{r}");
    assert!(r.contains("not UTF-8"), "{r}");
}
