//! Parse errors: every way rule file text can fail to parse, as miette diagnostics.
//!
//! Input: built by `syntax::parser` from pest failures and from checks made while building
//! the syntax tree. Output: `ParseError` values rendered by miette (codes `meso::parse::*`).

use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

/// Words that can never be names.
pub const RESERVED_WORDS: &[&str] = &[
    "and", "or", "not", "in", "between", "is", "true", "false", "contains", "weight", "note",
    "unknown",
];

/// A rule file that does not parse.
#[derive(Debug, Error, Diagnostic)]
pub enum ParseError {
    /// Something other than what the grammar allows at this point.
    ///
    /// ```meso
    /// fact firms count
    /// ```
    #[error("unexpected {found}, expected {expected}")]
    #[diagnostic(code(meso::parse::unexpected_token))]
    UnexpectedToken {
        /// What was found: a word or character in backticks, or `end of file`
        found: String,
        /// What would have been accepted, in words
        expected: String,
        /// The file
        #[source_code]
        src: NamedSource<String>,
        /// Where
        #[label("{label}")]
        span: SourceSpan,
        /// Text of the primary label
        label: String,
        /// A `{` that is never closed, when the file ends too early
        #[label("this `{{` is never closed")]
        unclosed: Option<SourceSpan>,
        /// How to fix it
        #[help]
        help: Option<String>,
    },

    /// A string whose closing quote is missing.
    ///
    /// ```meso
    /// param region = "Sinos valley
    /// ```
    #[error("unterminated string")]
    #[diagnostic(code(meso::parse::unterminated_string))]
    UnterminatedString {
        /// The file
        #[source_code]
        src: NamedSource<String>,
        /// From the opening quote to the end of its line
        #[label("this string is never closed")]
        span: SourceSpan,
        /// How to fix it
        #[help]
        help: String,
    },

    /// A number that is not a finite value, or digits run into letters.
    ///
    /// ```meso
    /// param huge = 1e999
    /// ```
    #[error("invalid number `{text}`")]
    #[diagnostic(code(meso::parse::invalid_number))]
    InvalidNumber {
        /// The number as written
        text: String,
        /// The file
        #[source_code]
        src: NamedSource<String>,
        /// The number
        #[label("{reason}")]
        span: SourceSpan,
        /// What is wrong with it
        reason: String,
        /// How to fix it
        #[help]
        help: String,
    },

    /// A `{`, `(` or `[` still open where something else begins: a clause or declaration
    /// written before the block it follows was closed, or a `}` closing a block while a
    /// parenthesis in it is still open.
    ///
    /// ```meso
    /// type cluster {
    ///   required {
    ///     sizable: firms >= 10
    ///   indicative { trusting: trust is high }
    /// }
    /// ```
    #[error("`{opener}` is not closed before {before}")]
    #[diagnostic(code(meso::parse::unclosed))]
    Unclosed {
        /// The opening as written: `required {`, `type cluster {`, `(`
        opener: String,
        /// What comes where the closing was due: `` `indicative` ``, `` `}` ``
        before: String,
        /// The file
        #[source_code]
        src: NamedSource<String>,
        /// Where the closing was due
        #[label("{label}")]
        span: SourceSpan,
        /// Text of the primary label
        label: String,
        /// The opening `{`, `(` or `[`
        #[label("opened here, never closed")]
        open: SourceSpan,
        /// How to fix it
        #[help]
        help: String,
    },

    /// A backslash escape other than `\"`, `\\`, `\n` and `\t` in a string.
    ///
    /// ```meso
    /// param path = "C:\data"
    /// ```
    #[error("invalid escape `{escape}` in a string")]
    #[diagnostic(
        code(meso::parse::invalid_escape),
        help("the escapes are `\\\"`, `\\\\`, `\\n` and `\\t`; write `\\\\` for a backslash")
    )]
    InvalidEscape {
        /// The escape as written
        escape: String,
        /// The file
        #[source_code]
        src: NamedSource<String>,
        /// The escape
        #[label("unknown escape")]
        span: SourceSpan,
    },

    /// A clause written twice in one declaration.
    ///
    /// ```meso
    /// type cluster { label "Cluster" label "Agglomeration" }
    /// ```
    #[error("`{clause}` is given twice in `{declaration}`")]
    #[diagnostic(code(meso::parse::duplicate_clause))]
    DuplicateClause {
        /// Clause keyword
        clause: String,
        /// Name of the declaration holding it
        declaration: String,
        /// The file
        #[source_code]
        src: NamedSource<String>,
        /// The second occurrence
        #[label("`{clause}` given again here")]
        span: SourceSpan,
        /// The first occurrence
        #[label("first given here")]
        first: SourceSpan,
        /// How to fix it
        #[help]
        help: String,
    },

    /// A reserved word used as a name.
    ///
    /// ```meso
    /// fact note: text
    /// ```
    #[error("`{word}` is a reserved word and cannot be a name")]
    #[diagnostic(code(meso::parse::reserved_word))]
    ReservedWord {
        /// The word
        word: String,
        /// The file
        #[source_code]
        src: NamedSource<String>,
        /// Where it was used as a name
        #[label("reserved word used as a name")]
        span: SourceSpan,
        /// How to fix it
        #[help]
        help: String,
    },

    /// A string or text block longer than the limit (64 KiB).
    ///
    /// ```meso
    /// param notes = "... 70,000 characters ..."
    /// ```
    #[error("string is longer than {limit_kib} KiB")]
    #[diagnostic(
        code(meso::parse::string_too_long),
        help(
            "keep long texts outside the rule file and cite them, e.g. `cite \"Author Year, §2\"`"
        )
    )]
    StringTooLong {
        /// The limit, in KiB
        limit_kib: usize,
        /// The file
        #[source_code]
        src: NamedSource<String>,
        /// The opening quote
        #[label("this string is too long")]
        span: SourceSpan,
    },

    /// An expression nested so deeply that later stages could not process it safely.
    ///
    /// ```meso
    /// derived x = ((((((((((((((((((((((((((((((((((((((((1))))))))))))))))))))))))))))))))))))))))
    /// ```
    #[error("expression is nested too deeply")]
    #[diagnostic(
        code(meso::parse::too_deep),
        help("split the expression into `derived` values; at most {limit} levels of nesting are allowed")
    )]
    TooDeep {
        /// The nesting limit
        limit: u32,
        /// The file
        #[source_code]
        src: NamedSource<String>,
        /// The expression
        #[label("too deeply nested")]
        span: SourceSpan,
    },
}

impl ParseError {
    /// The stable diagnostic code, e.g. `meso::parse::unexpected_token`.
    pub fn code_str(&self) -> &'static str {
        match self {
            ParseError::UnexpectedToken { .. } => "meso::parse::unexpected_token",
            ParseError::UnterminatedString { .. } => "meso::parse::unterminated_string",
            ParseError::InvalidNumber { .. } => "meso::parse::invalid_number",
            ParseError::InvalidEscape { .. } => "meso::parse::invalid_escape",
            ParseError::DuplicateClause { .. } => "meso::parse::duplicate_clause",
            ParseError::ReservedWord { .. } => "meso::parse::reserved_word",
            ParseError::TooDeep { .. } => "meso::parse::too_deep",
            ParseError::StringTooLong { .. } => "meso::parse::string_too_long",
            ParseError::Unclosed { .. } => "meso::parse::unclosed",
        }
    }

    /// The primary span, as byte offsets into the file.
    pub fn span(&self) -> SourceSpan {
        match self {
            ParseError::UnexpectedToken { span, .. }
            | ParseError::UnterminatedString { span, .. }
            | ParseError::InvalidNumber { span, .. }
            | ParseError::InvalidEscape { span, .. }
            | ParseError::DuplicateClause { span, .. }
            | ParseError::ReservedWord { span, .. }
            | ParseError::TooDeep { span, .. }
            | ParseError::StringTooLong { span, .. }
            | ParseError::Unclosed { span, .. } => *span,
        }
    }
}

/// The list of reserved words, each in backticks, for help texts.
pub(crate) fn reserved_list() -> String {
    let words: Vec<String> = RESERVED_WORDS.iter().map(|w| format!("`{w}`")).collect();
    words.join(", ")
}
