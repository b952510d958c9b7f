//! Regressions: inputs that once crashed or hung meso (found by hand or by fuzzing, see
//! docs/robustness.md), kept so they never come back. Limit-related finds live in
//! tests/limits.rs; the fuzz corpora replay in `fuzz/` (`cargo test` there).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use meso::render::diagnostics::{render, ErrorFormat};

/// `meso::fmt::changed_meaning` cannot be triggered by any known input (it guards against
/// formatter bugs); this pins its code and message.
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
