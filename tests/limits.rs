//! Resource limits (src/limits.rs, docs/robustness.md): hostile input past each limit gets
//! its diagnostic, quickly, instead of a stack overflow, minutes of CPU or all the memory.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use meso::facts::{self, FactsFormat, LoadOptions};
use meso::limits;
use meso::render::diagnostics::{render, ErrorFormat};
use meso::ruleset::{self, RuleOrigin, RuleSources, RuleText};

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

/// The codes of every error loading `text` as a rule set (empty when it loads).
fn error_codes(text: &str) -> Vec<String> {
    match ruleset::load(sources(text), &[]) {
        Ok(_) => Vec::new(),
        Err(f) => f
            .errors
            .iter()
            .filter_map(|e| miette::Diagnostic::code(e).map(|c| c.to_string()))
            .collect(),
    }
}

fn source_error_code(path: &Path) -> String {
    let err = ruleset::read_sources(path).unwrap_err();
    let code = miette::Diagnostic::code(&err).unwrap().to_string();
    code
}

// -- rule files -------------------------------------------------------------------------

#[test]
fn rule_file_over_8_mib_is_too_large() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.meso");
    let line = "# padding padding padding padding padding padding padding padding\n";
    let n = (limits::MAX_RULE_FILE_BYTES as usize) / line.len() + 1;
    std::fs::write(&path, line.repeat(n)).unwrap();
    assert_eq!(source_error_code(&path), "meso::rules::too_large");
    assert_eq!(source_error_code(dir.path()), "meso::rules::too_large");
}

#[cfg(unix)]
#[test]
fn an_endless_rule_file_is_too_large_not_out_of_memory() {
    assert_eq!(
        source_error_code(Path::new("/dev/zero")),
        "meso::rules::too_large"
    );
}

#[test]
fn more_than_10000_rule_files_are_too_many() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..=limits::MAX_RULE_FILES {
        std::fs::write(dir.path().join(format!("r{i:05}.meso")), "").unwrap();
    }
    let err = ruleset::read_sources(dir.path()).unwrap_err();
    assert_eq!(
        miette::Diagnostic::code(&err).unwrap().to_string(),
        "meso::rules::too_many_files"
    );
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_loop_is_a_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.meso"), "").unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).unwrap();
    let err = ruleset::read_sources(dir.path()).unwrap_err();
    assert_eq!(
        miette::Diagnostic::code(&err).unwrap().to_string(),
        "meso::rules::io"
    );
    assert!(err.to_string().contains("nested more than"), "{err}");
}

#[test]
fn string_over_64_kib_is_too_long() {
    let long = "x".repeat(limits::MAX_STRING_BYTES + 1);
    assert_eq!(
        error_codes(&format!("param p = \"{long}\"\n")),
        ["meso::parse::string_too_long"]
    );
    assert_eq!(
        error_codes(&format!("param p = \"\"\"{long}\"\"\"\n")),
        ["meso::parse::string_too_long"]
    );
    let fits = "x".repeat(limits::MAX_STRING_BYTES);
    assert!(
        !error_codes(&format!("param p = \"{fits}\" {{ cite \"x\" }}\n"))
            .iter()
            .any(|c| c.contains("string_too_long"))
    );
}

#[test]
fn numbers_beyond_f64_in_rules_are_invalid() {
    for text in [
        "param p = 1e400\n",
        "param p = -1e400\n",
        "fact f: number\nderived d = f > 1e309\n",
    ] {
        assert_eq!(error_codes(text), ["meso::parse::invalid_number"], "{text}");
    }
}

#[test]
fn deeply_nested_expressions_are_too_deep_in_the_parser() {
    for text in [
        format!(
            "derived x = {}1{}",
            "(".repeat(100_000),
            ")".repeat(100_000)
        ),
        format!("derived x = {}true", "not ".repeat(100_000)),
        format!("derived x = {}1", "- ".repeat(100_000)),
        format!(
            "derived x = {}1{}",
            "min(".repeat(10_000),
            ")".repeat(10_000)
        ),
        format!("derived x = {}", vec!["1"; 100_000].join(" + ")),
    ] {
        assert_eq!(error_codes(&text), ["meso::parse::too_deep"]);
    }
}

/// A chain of `n` derived values, `d{i} = d{i-1} + 1`, declared first to last or reversed.
fn derived_chain(n: usize, reversed: bool) -> String {
    let mut lines: Vec<String> = (1..=n)
        .map(|i| format!("derived d{i} = d{} + 1", i - 1))
        .collect();
    if reversed {
        lines.reverse();
    }
    format!(
        "fact f: number\nderived d0 = f\n{}\ntype t {{ required {{ a: d{n} > 1 }} cite \"x\" }}\n",
        lines.join("\n")
    )
}

#[test]
fn long_derived_chains_are_too_deep_in_either_order() {
    // Found by hand: 2,000 derived values declared last-first overflowed the checker's stack,
    // and a forward chain overflowed the evaluator's search for missing facts.
    for reversed in [false, true] {
        assert_eq!(
            error_codes(&derived_chain(20_000, reversed)),
            ["meso::check::too_deep"],
            "reversed: {reversed}"
        );
    }
    // Each link adds two levels (`+` and the name), the criterion two more and `d0` one:
    // 198 links make 399 levels, 199 make 401.
    for reversed in [false, true] {
        assert!(error_codes(&derived_chain(198, reversed)).is_empty());
        assert_eq!(
            error_codes(&derived_chain(199, reversed)),
            ["meso::check::too_deep"]
        );
    }
}

#[test]
fn the_deepest_accepted_rule_set_evaluates_on_a_small_stack() {
    // Four derived values 99 levels deep each around the one before, read by a criterion
    // itself nested 96 levels: about 400 levels counting through them, just within the limit.
    let mut text = String::from("fact f: number\nderived d0 = f\n");
    for i in 1..4 {
        text.push_str(&format!("derived d{i} = {}d{}\n", "- ".repeat(98), i - 1));
    }
    text.push_str(&format!(
        "type t {{ required {{ a: {}d3 > 1 }} cite \"x\" }}\n",
        "not ".repeat(95)
    ));
    // Run in a thread with a 1 MiB stack (half the test default) to leave a safety margin.
    let handle = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(move || {
            let rules = ruleset::load(sources(&text), &[]).unwrap_or_else(|f| {
                panic!(
                    "{:?}",
                    f.errors.iter().map(|e| e.to_string()).collect::<Vec<_>>()
                )
            });
            let facts = meso::facts::Facts::unknown(rules.program.facts.len());
            let outcome = meso::eval::evaluate(&rules.program, &facts);
            outcome.types.len()
        })
        .unwrap();
    assert_eq!(handle.join().unwrap(), 1);
}

#[test]
fn too_deep_extends_chains_are_refused_quickly() {
    let text = std::fs::read_to_string("tests/cases/limits/too_deep_extends.meso").unwrap();
    assert_eq!(error_codes(&text), ["meso::check::too_deep"]);
    // Found by hand: 5,000 generations took minutes and gigabytes before the limit.
    let mut long = String::from("fact f: number\ntype t0 { required { a: f > 1 } cite \"x\" }\n");
    for i in 1..5000 {
        long.push_str(&format!(
            "type t{i} extends t{} {{ required {{ a{i}: f > {i} }} cite \"x\" }}\n",
            i - 1
        ));
    }
    assert!(error_codes(&long).contains(&"meso::check::too_deep".to_string()));
}

#[test]
fn thousands_of_warnings_share_one_copy_of_the_source() {
    // Found by hand: each warning held its own copy of the file (5,000 types: 1.3 GB).
    let mut text = String::from("fact f: number\n");
    for i in 0..5000 {
        text.push_str(&format!("type t{i} {{ required {{ a: f > {i} }} }}\n"));
    }
    // Found after a merge: the pairwise `overlapping_types` lint took minutes on 5,000 types;
    // it is skipped past `MAX_TYPES_FOR_OVERLAPS`.
    let rules = ruleset::load(sources(&text), &[]).unwrap();
    assert!(rules.warnings.len() >= 5000);
    let first = rules.warnings.first().unwrap();
    let last = rules.warnings.last().unwrap();
    assert!(std::ptr::eq(
        first.src.inner().as_ptr(),
        last.src.inner().as_ptr()
    ));
}

// -- facts files ------------------------------------------------------------------------

fn program() -> std::sync::Arc<meso::ir::Program> {
    let text = "fact firms: count\nfact share: ratio\nfact sizes: set of small, large\n\
                type t { required { a: firms >= 1 and share > 0.5 and sizes contains small } }\n";
    ruleset::load(sources(text), &[]).unwrap().program
}

fn facts_codes(text: &str, format: FactsFormat) -> Vec<String> {
    match facts::load_facts(&program(), "f", text, format, &LoadOptions::default()) {
        Ok(_) => Vec::new(),
        Err(e) => e
            .errors
            .iter()
            .filter_map(|e| miette::Diagnostic::code(e).map(|c| c.to_string()))
            .collect(),
    }
}

#[test]
fn facts_over_64_mib_are_too_large() {
    let text = " ".repeat(limits::MAX_FACTS_FILE_BYTES as usize + 1);
    assert_eq!(
        facts_codes(&text, FactsFormat::Json),
        ["meso::facts::too_large"]
    );
    #[cfg(unix)]
    {
        let err = facts::load_facts_file(
            &program(),
            Path::new("/dev/zero"),
            Some(FactsFormat::Json),
            &LoadOptions::default(),
        )
        .unwrap_err();
        assert!(render(&err, ErrorFormat::Plain, false).contains("meso::facts::too_large"));
    }
}

#[test]
fn numbers_beyond_f64_and_nan_in_facts_are_not_finite() {
    for (text, format) in [
        ("{\"share\": 1e400}", FactsFormat::Json),
        ("share: 1e400", FactsFormat::Yaml),
        ("share: .nan", FactsFormat::Yaml),
        ("share: -.inf", FactsFormat::Yaml),
        ("share = nan", FactsFormat::Toml),
        ("share = inf", FactsFormat::Toml),
        ("share = 1e400", FactsFormat::Toml),
    ] {
        assert_eq!(
            facts_codes(text, format),
            ["meso::facts::not_finite"],
            "{text}"
        );
    }
}

#[test]
fn counts_beyond_2_pow_53_are_out_of_range() {
    for (text, format) in [
        ("{\"firms\": 9007199254740994}", FactsFormat::Json),
        ("firms: 1e20", FactsFormat::Yaml),
        ("firms = 123456789012345678901", FactsFormat::Toml),
    ] {
        assert_eq!(
            facts_codes(text, format),
            ["meso::facts::out_of_range"],
            "{text}"
        );
    }
    assert!(facts_codes("{\"firms\": 9007199254740992}", FactsFormat::Json).is_empty());
}

#[test]
fn deep_nesting_in_facts_is_a_syntax_error_not_a_stack_overflow() {
    // Found by hand: 10,000 nested JSON lists overflowed the stack of the span scanner.
    let n = 100_000;
    for (text, format) in [
        (
            format!("{{\"sizes\": {}{}}}", "[".repeat(n), "]".repeat(n)),
            FactsFormat::Json,
        ),
        (
            format!("sizes: {}{}", "[".repeat(n), "]".repeat(n)),
            FactsFormat::Yaml,
        ),
        (
            format!("sizes = {}{}", "[".repeat(n), "]".repeat(n)),
            FactsFormat::Toml,
        ),
        (
            format!("sizes = {}1{}", "{a=".repeat(10_000), "}".repeat(10_000)),
            FactsFormat::Toml,
        ),
    ] {
        assert_eq!(facts_codes(&text, format), ["meso::facts::syntax"]);
    }
    let just_over = limits::MAX_FACTS_NESTING + 1;
    let text = format!(
        "{{\"sizes\": {}{}}}",
        "[".repeat(just_over),
        "]".repeat(just_over)
    );
    assert_eq!(
        facts_codes(&text, FactsFormat::Json),
        ["meso::facts::syntax"]
    );
}

#[test]
fn yaml_billion_laughs_is_refused_quickly() {
    let mut text = String::from("a0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let codes = facts_codes(&text, FactsFormat::Yaml);
    assert_eq!(
        codes.first().map(String::as_str),
        Some("meso::facts::syntax")
    );
}
