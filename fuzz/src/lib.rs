//! The fuzz targets' bodies, shared by the libFuzzer binaries (`fuzz_targets/`) and the
//! corpus replay test (`tests/replay.rs`), so that the same code runs with or without
//! cargo-fuzz.
//!
//! Input: arbitrary bytes. Output: nothing; a panic, an abort, a hang or a failed
//! assertion is a finding.

use std::sync::OnceLock;

use meso::facts::{self, FactsFormat, LoadOptions};
use meso::render::diagnostics::{render, ErrorFormat};
use meso::ruleset::{self, RuleOrigin, RuleSet, RuleSources, RuleText};
use meso::source::{FileId, SourceFile};

fn source(text: &str) -> SourceFile {
    SourceFile {
        name: "fuzz.meso".into(),
        text: text.into(),
    }
}

/// Parse arbitrary text as a rule file; errors must render.
pub fn parse(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = meso::syntax::parse_file(FileId(0), &source(text)) {
        let _ = render(&e, ErrorFormat::Human, false);
        let _ = render(&e, ErrorFormat::Json, false);
    }
}

/// Parse and check arbitrary text as a one-file rule set; evaluate it on unknown facts when
/// it checks, and render every diagnostic.
pub fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let sources = RuleSources {
        origin: RuleOrigin::Embedded,
        files: vec![RuleText {
            relative: "fuzz.meso".into(),
            display: "fuzz.meso".into(),
            text: text.into(),
        }],
    };
    match ruleset::load(sources, &[]) {
        Ok(rules) => {
            for w in &rules.warnings {
                let _ = render(w, ErrorFormat::Human, false);
            }
            let unknown = facts::Facts::unknown(rules.program.facts.len());
            let _ = meso::eval::evaluate(&rules.program, &unknown);
            let _ = meso::eval::testing::run_tests(&rules.program);
        }
        Err(failure) => {
            for e in &failure.errors {
                let _ = render(e, ErrorFormat::Human, false);
                let _ = render(e, ErrorFormat::Plain, false);
            }
        }
    }
}

fn shipped() -> Option<&'static RuleSet> {
    static RULES: OnceLock<Option<RuleSet>> = OnceLock::new();
    RULES
        .get_or_init(|| ruleset::load(ruleset::embedded_sources(), &[]).ok())
        .as_ref()
}

/// Load arbitrary bytes as a facts file for the shipped rule set and evaluate it. The
/// first byte picks the format (JSON, YAML, TOML); the rest is the file.
pub fn eval_facts(data: &[u8]) {
    let (Some(&selector), Some(rules)) = (data.first(), shipped()) else {
        return;
    };
    let Ok(text) = std::str::from_utf8(data.get(1..).unwrap_or_default()) else {
        return;
    };
    let format = match selector % 3 {
        0 => FactsFormat::Json,
        1 => FactsFormat::Yaml,
        _ => FactsFormat::Toml,
    };
    let opts = LoadOptions {
        allow_unknown_facts: selector & 0x80 != 0,
    };
    match facts::load_facts(&rules.program, "fuzz", text, format, &opts) {
        Ok(loaded) => {
            let outcome = meso::eval::evaluate(&rules.program, &loaded.facts);
            let report = meso::render::EvalReport::new(rules, "fuzz", &loaded.facts, &outcome);
            let _ = meso::render::json::render_reports(std::slice::from_ref(&report));
            let _ = meso::render::table::render_reports(std::slice::from_ref(&report));
        }
        Err(errors) => {
            let _ = render(&errors, ErrorFormat::Human, false);
        }
    }
}

/// Format a rule file that parses: formatting must succeed (the formatter re-parses its
/// output and refuses a change of meaning) and be idempotent.
pub fn fmt_roundtrip(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let src = source(text);
    if meso::syntax::parse_file(FileId(0), &src).is_err() {
        return;
    }
    let once = match meso::syntax::fmt::format_source(&src) {
        Ok(t) => t,
        Err(e) => panic!("a file that parses does not format: {e}\n---\n{text}"),
    };
    let twice = match meso::syntax::fmt::format_source(&source(&once)) {
        Ok(t) => t,
        Err(e) => panic!("formatted output does not format again: {e}\n---\n{once}"),
    };
    assert_eq!(once, twice, "fmt is not idempotent for:\n{text}");
}
