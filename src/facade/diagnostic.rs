//! The facade's diagnostics: every problem meso finds (in rule files, facts, arguments) as
//! plain data an embedder can show in its own way — code, severity, file, line, column,
//! message, labels, help — and as the same rendering the command line prints.
//!
//! Input: any `miette::Diagnostic` of the stages. Output: [`Diagnostic`] values and the
//! [`Error`] that carries them.

use std::fmt;

use miette::SourceCode;
use serde::Serialize;

use crate::render::diagnostics::{render, ErrorFormat};

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Keeps the rule set or the facts from being used
    Error,
    /// Worth fixing; the rule set or facts still work (lints, unknown facts allowed)
    Warning,
    /// Information only
    Advice,
}

impl Severity {
    /// `error`, `warning` or `advice`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Advice => "advice",
        }
    }
}

/// A place in a source text that a diagnostic points at, with what it says there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    /// What is wrong (or what is relevant) here, if the diagnostic says
    pub message: Option<String>,
    /// The file (a rule file's display name, or the facts' name)
    pub file: Option<String>,
    /// 1-based line
    pub line: usize,
    /// 1-based column, in characters
    pub column: usize,
    /// Byte offset of the start in the file
    pub offset: usize,
    /// Length in bytes
    pub length: usize,
}

/// One problem, as data.
///
/// ```
/// let err = meso::Rules::from_sources([("bad.meso", "fact firms: count\nfact firms: count\n")])
///     .unwrap_err();
/// let d = &err.diagnostics()[0];
/// assert_eq!(d.code.as_deref(), Some("meso::check::duplicate_name"));
/// assert_eq!(d.severity, meso::Severity::Error);
/// assert_eq!((d.file.as_deref(), d.line), (Some("bad.meso"), Some(2)));
/// assert!(d.rendered.contains("bad.meso:2"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable code, e.g. `meso::check::unknown_fact` (listed in docs/diagnostics.md)
    pub code: Option<String>,
    /// Error, warning or advice
    pub severity: Severity,
    /// One line, lowercase, user text in backticks
    pub message: String,
    /// The file of the primary label, if the diagnostic points into one
    pub file: Option<String>,
    /// 1-based line of the primary label
    pub line: Option<usize>,
    /// 1-based column of the primary label
    pub column: Option<usize>,
    /// Every place the diagnostic points at; the primary one first
    pub labels: Vec<Label>,
    /// How to fix it (including "did you mean ...?")
    pub help: Option<String>,
    /// The diagnostic as the command line prints it (no colour): source excerpt,
    /// underlines, labels and help
    pub rendered: String,
}

impl Diagnostic {
    /// The data of one diagnostic; related diagnostics (the problems gathered under a
    /// summary, e.g. every problem of one facts file) become diagnostics of their own.
    pub(crate) fn collect(source: &dyn miette::Diagnostic, out: &mut Vec<Diagnostic>) {
        let related: Vec<&dyn miette::Diagnostic> =
            source.related().map(Iterator::collect).unwrap_or_default();
        if !related.is_empty() && source.labels().is_none() {
            // A summary ("facts file `x` has 3 problems"): its parts are the diagnostics.
            for r in related {
                Diagnostic::collect(r, out);
            }
            return;
        }
        out.push(Diagnostic::from_miette(source));
    }

    /// The data of one diagnostic, without its related ones.
    pub(crate) fn from_miette(source: &dyn miette::Diagnostic) -> Diagnostic {
        let labels: Vec<Label> = match (source.labels(), source.source_code()) {
            (Some(labels), code) => {
                let mut labels: Vec<miette::LabeledSpan> = labels.collect();
                // The primary label first, the others in their order.
                labels.sort_by_key(|l| !l.primary());
                labels.iter().map(|l| label_data(l, code)).collect()
            }
            (None, _) => Vec::new(),
        };
        let first = labels.first();
        Diagnostic {
            code: source.code().map(|c| c.to_string()),
            severity: match source.severity() {
                Some(miette::Severity::Warning) => Severity::Warning,
                Some(miette::Severity::Advice) => Severity::Advice,
                Some(miette::Severity::Error) | None => Severity::Error,
            },
            message: source.to_string(),
            file: first.and_then(|l| l.file.clone()),
            line: first.map(|l| l.line),
            column: first.map(|l| l.column),
            help: source.help().map(|h| h.to_string()),
            rendered: render(source, ErrorFormat::Human, false),
            labels,
        }
    }
}

fn label_data(label: &miette::LabeledSpan, code: Option<&dyn SourceCode>) -> Label {
    let span = label.inner();
    let place = code.and_then(|c| c.read_span(span, 0, 0).ok());
    Label {
        message: label.label().map(str::to_string),
        file: place.as_ref().and_then(|p| p.name().map(str::to_string)),
        line: place.as_ref().map_or(0, |p| p.line()) + 1,
        column: place.as_ref().map_or(0, |p| p.column()) + 1,
        offset: span.offset(),
        length: span.len(),
    }
}

/// What kind of input an [`Error`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Rule files that cannot be read (missing, too large, not UTF-8)
    RulesSource,
    /// Rule files that do not parse or do not check (parameter overrides included)
    Rules,
    /// Facts that do not parse or do not fit the rule set's vocabulary
    Facts,
}

/// Why a rule set or facts could not be loaded: every problem found, as data and rendered.
///
/// `Display` gives the rendering the command line prints; [`Error::diagnostics`] the data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    diagnostics: Vec<Diagnostic>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, diagnostics: Vec<Diagnostic>) -> Error {
        Error { kind, diagnostics }
    }

    pub(crate) fn from_diagnostic(kind: ErrorKind, source: &dyn miette::Diagnostic) -> Error {
        let mut diagnostics = Vec::new();
        Diagnostic::collect(source, &mut diagnostics);
        Error { kind, diagnostics }
    }

    /// What the error is about.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Every problem found (errors, and the warnings found alongside them), in the order
    /// they were found: files in load order, places in file order.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for d in &self.diagnostics {
            if !first {
                f.write_str("\n")?;
            }
            first = false;
            f.write_str(d.rendered.trim_end())?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}
