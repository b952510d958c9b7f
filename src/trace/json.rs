//! Trace rendering, JSON: [`Trace`] → pretty JSON (`trace_version` 1), the format
//! `meso verify` reads back. Schema: docs/trace.schema.json; fields: docs/traces.md.

use crate::trace::Trace;

/// The trace as pretty JSON with a final newline; byte-identical for identical inputs.
pub fn render(trace: &Trace) -> String {
    let mut out =
        serde_json::to_string_pretty(trace).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    out.push('\n');
    out
}
