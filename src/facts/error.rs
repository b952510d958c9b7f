//! Facts errors: a facts file that cannot be read or does not fit the fact declarations.

use miette::Diagnostic;
use thiserror::Error;

/// A facts file that cannot be used.
#[derive(Debug, Error, Diagnostic)]
pub enum FactsError {
    /// A key that the rule set does not declare as a fact.
    #[error("unknown fact `{key}`")]
    #[diagnostic(code(meso::facts::unknown_fact))]
    UnknownFact {
        /// The key
        key: String,
        /// How to fix it
        #[help]
        help: Option<String>,
    },
}
