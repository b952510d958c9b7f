//! Render stage, trace as JSON: [`Trace`] → pretty JSON (`trace_version` 1), the format
//! `meso verify` reads back. Schema: docs/trace.schema.json; fields: docs/traces.md.

use crate::trace::Trace;

/// The trace as pretty JSON with a final newline; byte-identical for identical inputs.
pub fn render(trace: &Trace) -> String {
    // The stored form is the model's own (`meso verify` compares its bytes): one spelling.
    trace.to_json_text()
}
