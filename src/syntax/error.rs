//! Parse errors: every way rule file text can fail to parse, as miette diagnostics.

use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

/// A rule file that does not parse.
#[derive(Debug, Error, Diagnostic)]
pub enum ParseError {
    /// Something other than what the grammar allows at this point.
    #[error("unexpected {found}, expected {expected}")]
    #[diagnostic(code(meso::parse::unexpected_token))]
    UnexpectedToken {
        /// What was found
        found: String,
        /// What would have been accepted
        expected: String,
        /// The file
        #[source_code]
        src: NamedSource<String>,
        /// Where
        #[label("{found} here")]
        span: SourceSpan,
        /// How to fix it
        #[help]
        help: Option<String>,
    },
}
