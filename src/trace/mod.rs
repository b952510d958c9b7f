//! Trace stage: a rule set + facts → a [`Trace`] that explains every result (types,
//! criteria, policies, down to each fact read) and can be reproduced byte for byte.
//!
//! Input: a loaded `RuleSet`, validated `Facts` and [`TraceOptions`]. Output: the [`Trace`]
//! model (see `model`), which the render stage shows (text, JSON, Markdown, HTML); this
//! stage renders nothing. `verify` checks a stored JSON trace against a fresh one,
//! `whatif` compares two runs.
//! Recording goes through the evaluator's `Observer` hook, so untraced evaluation is
//! unchanged.

mod build;
mod flip;
pub mod model;
mod policies;
pub(crate) mod provisional;
mod record;
mod tree;
mod values;
#[cfg(feature = "cli")]
pub(crate) mod verify;
#[cfg(feature = "cli")]
pub(crate) mod whatif;
mod whynot;

pub use build::{explain, TraceOptions};
pub use model::{Trace, TRACE_VERSION};
pub use record::{record, Recorder, Seen};
pub use values::display_json;

use std::path::Path;

/// How a facts file is named in a trace: the path as given when it is relative, the file
/// name alone when it is absolute (absolute paths only appear with `--stamp`).
pub fn facts_label(path: &Path) -> String {
    if path.is_absolute() {
        path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().to_string(),
        )
    } else {
        path.display().to_string().replace('\\', "/")
    }
}

/// The current UTC time as `YYYY-MM-DDTHH:MM:SSZ` (for `--stamp`).
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
