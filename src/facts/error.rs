//! Facts errors: a facts file that cannot be read or does not fit the fact declarations.
//!
//! Input: problems found by the format readers and by validation. Output: [`FactsError`]
//! (one problem, a miette diagnostic pointing into the facts file) and [`FactsErrors`]
//! (every problem of one file, so that all can be fixed in one go).

use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

/// One problem with a facts file. The snippets below are YAML facts for the rules
/// `fact firms: count`, `fact share: ratio`, `fact trust: level low < medium < high`,
/// `fact markets_served: set of local, domestic`.
#[derive(Debug, Error, Diagnostic)]
pub enum FactsError {
    /// The file is not valid JSON, YAML or TOML: `firms: [12`.
    #[error("cannot read `{name}` as {format}: {message}")]
    #[diagnostic(code(meso::facts::syntax), help("{hint}"))]
    Syntax {
        /// File name
        name: String,
        /// `JSON`, `YAML` or `TOML`
        format: &'static str,
        /// What the parser says
        message: String,
        /// How facts are written in this format
        hint: &'static str,
        /// The file
        #[source_code]
        src: NamedSource<String>,
        /// Where parsing stopped
        #[label("{message}")]
        span: SourceSpan,
    },

    /// A key that the rule set does not declare as a fact: `frims: 12`.
    #[error("unknown fact `{key}`")]
    #[diagnostic(code(meso::facts::unknown_fact))]
    UnknownFact {
        /// The key
        key: String,
        /// The file
        #[source_code]
        src: NamedSource<String>,
        /// The key
        #[label("not declared in the rules")]
        span: SourceSpan,
        /// How to fix it
        #[help]
        help: Option<String>,
    },

    /// An unknown key, ignored because unknown facts are allowed
    /// (`--allow-unknown-facts`): `frims: 12`.
    #[error("unknown fact `{key}` is ignored")]
    #[diagnostic(code(meso::facts::unknown_fact), severity(Warning))]
    IgnoredFact {
        /// The key
        key: String,
        /// The file
        #[source_code]
        src: NamedSource<String>,
        /// The key
        #[label("not declared in the rules")]
        span: SourceSpan,
        /// How to fix it
        #[help]
        help: Option<String>,
    },

    /// A value of the wrong kind: `firms: "many"`, `markets_served: local`.
    #[error("wrong type for `{key}`: expected {expected}, found {found}")]
    #[diagnostic(code(meso::facts::wrong_type))]
    WrongType {
        /// The fact
        key: String,
        /// The declared type, described
        expected: String,
        /// What was written, described
        found: String,
        /// The file
        #[source_code]
        src: NamedSource<String>,
        /// The value
        #[label("expected {expected}")]
        span: SourceSpan,
        /// How to fix it
        #[help]
        help: Option<String>,
    },

    /// A count or integer with a fraction: `firms: 12.5`.
    #[error("`{key}` must be a whole number, found `{value}`")]
    #[diagnostic(code(meso::facts::not_whole_number))]
    NotWholeNumber {
        /// The fact
        key: String,
        /// The number written
        value: String,
        /// The file
        #[source_code]
        src: NamedSource<String>,
        /// The value
        #[label("not a whole number")]
        span: SourceSpan,
        /// How to fix it
        #[help]
        help: Option<String>,
    },

    /// A number outside the declared range: `share: 17`, `firms: -3`.
    #[error("`{key}` must be {bound}, found `{value}`")]
    #[diagnostic(code(meso::facts::out_of_range))]
    OutOfRange {
        /// The fact
        key: String,
        /// The number written
        value: String,
        /// The allowed range: `at least 0`, `from 0 to 1`
        bound: String,
        /// The file
        #[source_code]
        src: NamedSource<String>,
        /// The value
        #[label("out of range")]
        span: SourceSpan,
        /// How to fix it
        #[help]
        help: Option<String>,
    },

    /// NaN or infinity: `share: .nan`.
    #[error("`{key}` must be a finite number, found `{value}`")]
    #[diagnostic(
        code(meso::facts::not_finite),
        help("write a number, or `null` when the value is unknown")
    )]
    NotFinite {
        /// The fact
        key: String,
        /// `nan`, `inf` or `-inf`
        value: String,
        /// The file
        #[source_code]
        src: NamedSource<String>,
        /// The value
        #[label("not a finite number")]
        span: SourceSpan,
    },

    /// A level, alternative or set member the fact does not declare: `trust: medum`.
    #[error("`{name}` is not {what} of `{key}`")]
    #[diagnostic(code(meso::facts::unknown_level))]
    UnknownLevel {
        /// The fact
        key: String,
        /// The name written
        name: String,
        /// `a level`, `an alternative` or `a member`
        what: &'static str,
        /// The file
        #[source_code]
        src: NamedSource<String>,
        /// The name
        #[label("not declared")]
        span: SourceSpan,
        /// The allowed names and the closest one
        #[help]
        help: Option<String>,
    },

    /// The same key twice: `firms: 12` and later `firms: 13`.
    #[error("fact `{key}` is given more than once")]
    #[diagnostic(
        code(meso::facts::duplicate_key),
        help("keep one `{key}` and remove the others")
    )]
    DuplicateKey {
        /// The key
        key: String,
        /// The file
        #[source_code]
        src: NamedSource<String>,
        /// The repeated key
        #[label("given again here")]
        span: SourceSpan,
        /// The first occurrence, where known
        #[label("first given here")]
        first: Option<SourceSpan>,
    },

    /// The file is not a mapping from fact names to values: `- firms: 12`.
    #[error("facts must be a mapping from fact names to values, found {found}")]
    #[diagnostic(code(meso::facts::not_a_mapping))]
    NotAMapping {
        /// What the file holds, described
        found: String,
        /// The file
        #[source_code]
        src: NamedSource<String>,
        /// The top-level value
        #[label("expected a mapping")]
        span: SourceSpan,
        /// An example of the expected form
        #[help]
        help: Option<String>,
    },

    /// The file cannot be read: missing, a directory, not UTF-8 text.
    #[error("cannot read facts file `{path}`: {reason}")]
    #[diagnostic(code(meso::facts::io))]
    Io {
        /// The path as given
        path: String,
        /// Why, in words
        reason: String,
        /// How to fix it
        #[help]
        help: Option<String>,
    },

    /// A facts file larger than the limit (64 MiB).
    #[error("facts file `{path}` is larger than {limit_mib} MiB")]
    #[diagnostic(
        code(meso::facts::too_large),
        help("a facts file describes one cluster; split a large export into one file per cluster")
    )]
    TooLarge {
        /// The path as given
        path: String,
        /// The limit, in MiB
        limit_mib: u64,
    },

    /// The file name does not tell the format and none was given: `facts.txt`.
    #[error("cannot tell the format of facts file `{path}`")]
    #[diagnostic(code(meso::facts::unknown_format))]
    UnknownFormat {
        /// The path as given
        path: String,
        /// How to fix it: name the file, pass the format, or (for a table of many
        /// clusters) use `meso batch`
        #[help]
        help: String,
    },
}

impl FactsError {
    /// The error for a facts file whose name does not tell its format; a table of many
    /// clusters (`.csv`, `.jsonl`, a spreadsheet) is pointed to `meso batch`.
    pub fn unknown_format(path: &str) -> Self {
        let ext = std::path::Path::new(path)
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        let help = match ext.as_deref() {
            Some(ext @ ("csv" | "tsv" | "jsonl" | "ndjson" | "xlsx" | "xls" | "ods")) => format!(
                "a `.{ext}` file holds a table of many clusters: evaluate it with `meso batch {path} --out results.csv`; `meso eval` reads one cluster's facts as `.json`, `.yaml` or `.toml`"
            ),
            _ => "name the file `.json`, `.yaml`, `.yml` or `.toml`, or pass `--facts-format json`, `yaml` or `toml`".to_string(),
        };
        FactsError::UnknownFormat {
            path: path.to_string(),
            help,
        }
    }
}

/// Every problem found in one facts file (errors, and warnings found alongside them).
#[derive(Debug, Error, Diagnostic)]
#[error("{}", summary(&self.name, self.errors.len()))]
pub struct FactsErrors {
    /// The facts file
    pub name: String,
    /// The problems, in the order they appear in the file
    #[related]
    pub errors: Vec<FactsError>,
}

fn summary(name: &str, n: usize) -> String {
    if n == 1 {
        format!("facts file `{name}` has a problem")
    } else {
        format!("facts file `{name}` has {n} problems")
    }
}

impl FactsErrors {
    /// A single problem.
    pub fn single(name: &str, error: FactsError) -> Self {
        FactsErrors {
            name: name.to_string(),
            errors: vec![error],
        }
    }
}
