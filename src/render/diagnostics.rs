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
        ErrorFormat::Json => JSONReportHandler::new().render_report(&mut out, diagnostic),
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
