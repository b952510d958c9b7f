//! Shared test helpers: parse text, render diagnostics deterministically, and run the `meso`
//! binary (in the crate root or a directory of its own) and read what it wrote.
#![allow(dead_code, clippy::result_large_err, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

/// The crate root, where `rules/`, `examples/` and `tests/cases/` are.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A command that runs the `meso` binary built for these tests, without colour; callers add
/// arguments, a working directory or pipes.
pub fn meso_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_meso"));
    command.env("NO_COLOR", "1");
    command
}

/// Run `meso` with `args` in the crate root and wait for it.
pub fn meso(args: &[&str]) -> Output {
    meso_in(&root(), args)
}

/// Run `meso` with `args` in `dir` and wait for it.
pub fn meso_in(dir: &Path, args: &[&str]) -> Output {
    meso_command()
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run meso: {e}"))
}

/// What a run printed on standard output.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// What a run printed on standard error.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Standard output followed by standard error.
pub fn out(o: &Output) -> String {
    format!("{}{}", stdout(o), stderr(o))
}

/// The exit code of a run (-1 when killed by a signal).
pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// A file's text; a missing or unreadable file fails the test with its path.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// A fresh temporary directory, removed when dropped.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("cannot make a temporary directory: {e}"))
}

/// A CSV cell as a decimal-comma export writes it: a number's `.` becomes `,`, anything
/// else stays as it is.
pub fn with_decimal_comma(cell: &str) -> String {
    if cell.parse::<f64>().is_ok() {
        cell.replace('.', ",")
    } else {
        cell.to_string()
    }
}
