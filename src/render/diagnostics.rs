//! Rendering diagnostics (parse, check, facts errors) for the terminal, plain text or JSON.

use std::io::IsTerminal;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, JSONReportHandler, NarratableReportHandler,
};

/// How diagnostics are printed (`--error-format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum ErrorFormat {
    /// Source excerpts with underlines (colour on a terminal unless NO_COLOR is set)
    #[default]
    Human,
    /// Plain sentences, one diagnostic per paragraph (for logs and screen readers)
    Plain,
    /// One JSON object per diagnostic, one per line
    Json,
    /// One line per diagnostic, `file:line:column: severity[code]: message` (for editors,
    /// `grep` and long lists of warnings)
    Short,
}

/// Whether to use colour on stderr: a terminal, and NO_COLOR unset.
pub fn stderr_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

/// Render one diagnostic.
pub fn render(diagnostic: &dyn Diagnostic, format: ErrorFormat, color: bool) -> String {
    let mut out = String::new();
    let result = match format {
        ErrorFormat::Human => {
            let theme = if color {
                GraphicalTheme::unicode()
            } else {
                GraphicalTheme::unicode_nocolor()
            };
            GraphicalReportHandler::new_themed(theme)
                .with_width(100)
                .render_report(&mut out, diagnostic)
        }
        ErrorFormat::Plain => NarratableReportHandler::new().render_report(&mut out, diagnostic),
        ErrorFormat::Json => JSONReportHandler::new()
            .render_report(&mut out, diagnostic)
            .map(|()| out = with_lines_and_columns(&out, diagnostic)),
        ErrorFormat::Short => {
            out = short(diagnostic);
            Ok(())
        }
    };
    if result.is_err() {
        out = format!("{diagnostic}\n");
    }
    if format == ErrorFormat::Json && !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// miette's JSON with the 1-based `line` and `column` (in characters) of every label added
/// beside its byte `span`, and those of the first label at the top level: editors and CI
/// annotations want places, not offsets. Related diagnostics are enriched the same way.
fn with_lines_and_columns(json: &str, diagnostic: &dyn Diagnostic) -> String {
    let Ok(mut value) = serde_json::from_str::<serde_json::Value>(json) else {
        return json.to_string();
    };
    add_places(&mut value, diagnostic);
    serde_json::to_string(&value).unwrap_or_else(|_| json.to_string())
}

fn add_places(value: &mut serde_json::Value, diagnostic: &dyn Diagnostic) {
    let places: Vec<(usize, usize)> = match (diagnostic.source_code(), diagnostic.labels()) {
        (Some(src), Some(labels)) => labels
            .map(|label| {
                src.read_span(label.inner(), 0, 0)
                    .map_or((0, 0), |span| (span.line() + 1, span.column() + 1))
            })
            .collect(),
        _ => Vec::new(),
    };
    if let Some(labels) = value.get_mut("labels").and_then(|l| l.as_array_mut()) {
        for (label, (line, column)) in labels.iter_mut().zip(&places) {
            if let Some(object) = label.as_object_mut() {
                object.insert(String::from("line"), (*line).into());
                object.insert(String::from("column"), (*column).into());
            }
        }
    }
    if let (Some(object), Some((line, column))) = (value.as_object_mut(), places.first()) {
        object.insert(String::from("line"), (*line).into());
        object.insert(String::from("column"), (*column).into());
    }
    if let (Some(related), Some(inner)) = (
        value.get_mut("related").and_then(|r| r.as_array_mut()),
        diagnostic.related(),
    ) {
        for (value, diagnostic) in related.iter_mut().zip(inner) {
            add_places(value, diagnostic);
        }
    }
}

/// `file:line:column: warning[code]: message (help)` on one line; without a source place,
/// `warning[code]: message`.
fn short(diagnostic: &dyn Diagnostic) -> String {
    let severity = match diagnostic.severity() {
        Some(miette::Severity::Warning) => "warning",
        Some(miette::Severity::Advice) => "note",
        _ => "error",
    };
    let code = diagnostic
        .code()
        .map(|c| c.to_string())
        .map(|c| c.rsplit("::").next().unwrap_or_default().to_string())
        .map_or(String::new(), |c| format!("[{c}]"));
    let place = diagnostic
        .source_code()
        .zip(diagnostic.labels().and_then(|mut l| l.next()))
        .and_then(|(src, label)| {
            let span = src.read_span(label.inner(), 0, 0).ok()?;
            let name = span.name().unwrap_or("<rules>").to_string();
            Some(format!(
                "{name}:{}:{}: ",
                span.line() + 1,
                span.column() + 1
            ))
        })
        .unwrap_or_default();
    let help = diagnostic
        .help()
        .map_or(String::new(), |h| format!(" (help: {h})"));
    let message = format!("{place}{severity}{code}: {diagnostic}{help}");
    format!(
        "{}\n",
        message.split_whitespace().collect::<Vec<_>>().join(" ")
    )
}
