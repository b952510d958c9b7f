//! Where the CLI writes: results to stdout, diagnostics and summaries to stderr.

use miette::Diagnostic;

use crate::render::diagnostics::{self, ErrorFormat};
use crate::ruleset::{RuleSet, RulesFailure};

/// Printing settings for one run.
pub struct Output {
    pub format: ErrorFormat,
    pub color: bool,
    /// Diagnostics printed so far (rendering one costs time in the size of its file)
    shown: std::cell::Cell<usize>,
}

impl Output {
    pub fn new(format: ErrorFormat) -> Self {
        Output {
            format,
            color: diagnostics::stderr_color(),
            shown: std::cell::Cell::new(0),
        }
    }

    /// Print one diagnostic to stderr.
    /// Past `MAX_DIAGNOSTICS_SHOWN`, diagnostics are counted in summaries but not printed.
    pub fn diagnostic(&self, d: &dyn Diagnostic) {
        let shown = self.shown.get();
        self.shown.set(shown.saturating_add(1));
        if shown < crate::limits::MAX_DIAGNOSTICS_SHOWN {
            eprint!("{}", diagnostics::render(d, self.format, self.color));
        } else if shown == crate::limits::MAX_DIAGNOSTICS_SHOWN {
            self.note(&format!(
                "note: only the first {} diagnostics are shown; fix them and run again",
                crate::limits::MAX_DIAGNOSTICS_SHOWN
            ));
        }
    }

    /// A one-line message to stderr (suppressed in JSON mode, where only diagnostics go out).
    pub fn note(&self, message: &str) {
        if self.format != ErrorFormat::Json {
            eprintln!("{message}");
        }
    }

    /// Print every problem of a rule set that failed to load.
    pub fn rules_failure(&self, failure: &RulesFailure) {
        for e in &failure.errors {
            self.diagnostic(e);
        }
        for w in &failure.warnings {
            self.diagnostic(w);
        }
        self.note(&format!(
            "error: the rule set has {}{}",
            count(failure.errors.len(), "error", "errors"),
            match failure.warnings.len() {
                0 => String::new(),
                n => format!(" and {}", count(n, "warning", "warnings")),
            }
        ));
    }
}

/// A short name for where the rules came from, for summaries.
pub fn rules_name(rules: &RuleSet) -> String {
    rules.origin.describe()
}

pub use crate::render::count;
