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
