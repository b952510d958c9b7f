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
    };
    if result.is_err() {
        out = format!("{diagnostic}\n");
    }
    if format == ErrorFormat::Json && !out.ends_with('\n') {
        out.push('\n');
    }
    out
}
