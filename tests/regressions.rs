//! Regressions: inputs that once crashed or hung meso (found by hand or by fuzzing, see
//! docs/robustness.md), kept so they never come back. Limit-related finds live in
//! tests/limits.rs; the fuzz corpora replay in `fuzz/` (`cargo test` there).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use meso::render::diagnostics::{render, ErrorFormat};

/// `meso::fmt::changed_meaning` guards against formatter bugs; this pins its code and
/// message.
#[test]
fn fmt_changed_meaning_is_a_diagnostic_with_its_code() {
    let e = meso::syntax::fmt::FmtError::ChangedMeaning {
        file: "a.meso".into(),
        what: "its rules".into(),
    };
    let r = render(&e, ErrorFormat::Human, false);
    assert!(r.contains("meso::fmt::changed_meaning"), "{r}");
    assert!(r.contains("the file was left as it is"), "{r}");
}

/// Fuzzing (`eval_facts`, see docs/robustness.md) reported a 10 s timeout on a TOML facts
/// file with 99 problems; it replays in 0.3 s under the sanitizer, so it was the loaded
/// machine, but the file stays as a regression case (tests assert behaviour, never time:
/// a hang here shows as a test that does not finish).
#[test]
fn facts_file_with_99_problems_is_loaded_and_rendered() {
    let text =
        std::fs::read_to_string("tests/cases/regressions/fuzz_eval_facts_timeout_99_problems.toml")
            .unwrap();
    let rules = meso::ruleset::load(meso::ruleset::embedded_sources(), &[]).unwrap();
    let errors = meso::facts::load_facts(
        &rules.program,
        "t.toml",
        &text,
        meso::facts::FactsFormat::Toml,
        &meso::facts::LoadOptions::default(),
    )
    .unwrap_err();
    let rendered = render(&errors, ErrorFormat::Human, false);
    assert!(rendered.contains("meso::facts::syntax"), "{rendered}");
}

/// Fuzzing (`fmt_roundtrip`, 29 Nov, see docs/robustness.md) found a file that parses but
/// that the formatter cannot lay out without changing its rules: carriage returns standing
/// alone (not before a newline) inside a text block and between tokens. The formatter's
/// guard catches it: `meso fmt` refuses with `meso::fmt::changed_meaning` and leaves the file
/// as it is, so nothing is lost; formatting such a file correctly is still to do.
#[test]
fn lone_carriage_returns_are_refused_by_fmt_not_reformatted_wrongly() {
    let text =
        std::fs::read_to_string("tests/cases/regressions/fuzz_fmt_lone_carriage_returns.meso")
            .unwrap();
    let source = meso::source::SourceFile {
        name: "fuzz.meso".into(),
        text: text.as_str().into(),
    };
    assert!(meso::syntax::parse_file(meso::source::FileId(0), &source).is_ok());
    match meso::syntax::fmt::format_source(&source) {
        Err(e @ meso::syntax::fmt::FmtError::ChangedMeaning { .. }) => {
            let r = render(&e, ErrorFormat::Human, false);
            assert!(r.contains("meso::fmt::changed_meaning"), "{r}");
        }
        other => panic!("expected the changed-meaning refusal, got {other:?}"),
    }
}
