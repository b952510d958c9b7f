//! Shared test helpers: parse text, render diagnostics deterministically.
#![allow(dead_code, clippy::result_large_err)]

use meso::source::{FileId, SourceFile};
use meso::syntax::{ast, ParseError};

/// Render a diagnostic as miette would show it to a person, without colour, 100 columns wide.
pub fn render_diagnostic(d: &dyn miette::Diagnostic) -> String {
    let mut out = String::new();
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(100);
    if handler.render_report(&mut out, d).is_err() {
        out.push_str("<rendering failed>");
    }
    out
}

/// A source file named `name` with `text`.
pub fn source(name: &str, text: &str) -> SourceFile {
    SourceFile {
        name: name.to_string(),
        text: text.into(),
    }
}

/// Parse `text` as a file named `test.meso`.
pub fn parse_str(text: &str) -> Result<ast::RuleFile, ParseError> {
    meso::syntax::parse_file(FileId(0), &source("test.meso", text))
}
