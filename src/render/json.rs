//! JSON output of `meso eval`: one object per cluster (an array for several), stable field
//! order, documented in docs/cli.md.

use super::report::EvalReport;

/// One report as pretty JSON.
pub fn render_report(report: &EvalReport) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// Several reports: one object for one, an array for more.
#[cfg(feature = "cli")]
pub fn render_reports(reports: &[EvalReport]) -> String {
    match reports {
        [one] => render_report(one),
        many => {
            serde_json::to_string_pretty(many).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
        }
    }
}
