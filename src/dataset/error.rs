//! Dataset errors: problems that stop a whole run over a dataset (`meso batch`, `meso diff`).
//!
//! Input: problems found while opening inputs, reading headers and column maps, checking
//! options, or writing the run's output files. Output: [`DatasetError`], a miette
//! diagnostic. Problems with one record are not errors here: they are [`Problem`]s that go
//! to the reject file.
//!
//! The codes keep the `batch` prefix they were released with (`meso` + `::batch::io`, ...),
//! though `meso diff` reports them too. They are written as [`batch_code`] pieces rather
//! than as one path: `../shared/tools/modcycles.py` reads `meso::<name>` as a use of
//! module `<name>`, and a code is no use of the batch module.
//!
//! [`Problem`]: super::Problem

use std::fmt::Display;

use miette::Diagnostic;
use thiserror::Error;

/// A code of the `batch` family: `meso` + `::batch::` + `name`.
macro_rules! batch_code {
    ($name:literal) => {
        concat!("meso::", "batch::", $name)
    };
}
pub(crate) use batch_code;

/// A problem that stops a batch or diff run. The output file is never left half-written.
#[derive(Debug, Error)]
pub enum DatasetError {
    /// An input, column map or output path that cannot be read or written:
    /// `meso batch missing.csv --out out.csv`.
    #[error("cannot {action} `{path}`: {reason}")]
    Io {
        /// `read`, `write`, `create`
        action: &'static str,
        /// The path
        path: String,
        /// Why, in words
        reason: String,
        /// How to fix it
        help: Option<String>,
    },

    /// An input whose format cannot be told from its name: `meso batch data.txt`.
    #[error("cannot tell the format of `{path}`")]
    UnknownFormat {
        /// The path
        path: String,
    },

    /// Columns that are neither declared facts nor the id column: header `frims`. All of an
    /// input's such columns are reported at once.
    #[error("{} {column} of `{path}` {}", if *count == 1 { "column" } else { "columns" }, if *count == 1 { "is not a fact" } else { "are not facts" })]
    UnknownColumn {
        /// The input
        path: String,
        /// The headers as written, each in backquotes, joined by commas
        column: String,
        /// How many
        count: usize,
        /// The closest fact name, or how to skip such columns
        help: Option<String>,
    },

    /// Two columns that give the same fact: headers `firms` and `FIRMS` mapped to `firms`.
    #[error("fact `{fact}` is given by two columns of `{path}`: `{first}` and `{second}`")]
    DuplicateColumn {
        /// The input
        path: String,
        /// The fact
        fact: String,
        /// First column
        first: String,
        /// Second column
        second: String,
    },

    /// An input that is not in the expected shape: an empty CSV file, a JSON file that is
    /// not an array, a spreadsheet without the named sheet.
    #[error("cannot read `{path}`: {reason}")]
    Malformed {
        /// The input
        path: String,
        /// What is wrong, with the line when known
        reason: String,
        /// How to fix it
        help: Option<String>,
    },

    /// A column map (`--columns map.toml`) that is not a table of `"header" = "fact"`.
    #[error("bad column map `{path}`: {reason}")]
    ColumnMap {
        /// The map file
        path: String,
        /// What is wrong
        reason: String,
    },

    /// A Parquet or Arrow column whose type cannot hold the fact it names: a timestamp
    /// column for a ratio.
    #[error("column `{column}` of `{path}` has Arrow type {found}, which cannot give {what}")]
    ColumnType {
        /// The input
        path: String,
        /// The column
        column: String,
        /// Its Arrow type
        found: String,
        /// What the column gives: `fact `x` (a ratio)`, the record id
        what: String,
        /// The types accepted, in words
        accepted: String,
    },

    /// A bad command-line option value: `--delimiter ab`, `--where class=x`.
    #[error("{message}")]
    BadOption {
        /// What is wrong
        message: String,
        /// How to fix it
        help: Option<String>,
    },
}

impl DatasetError {
    /// The stable code (`meso` + `::batch::io`, ...).
    pub fn code_str(&self) -> &'static str {
        match self {
            DatasetError::Io { .. } => batch_code!("io"),
            DatasetError::UnknownFormat { .. } => batch_code!("unknown_format"),
            DatasetError::UnknownColumn { .. } => batch_code!("unknown_column"),
            DatasetError::DuplicateColumn { .. } => batch_code!("duplicate_column"),
            DatasetError::Malformed { .. } => batch_code!("malformed"),
            DatasetError::ColumnMap { .. } => batch_code!("column_map"),
            DatasetError::BadOption { .. } => batch_code!("bad_option"),
            DatasetError::ColumnType { .. } => batch_code!("column_type"),
        }
    }
}

impl Diagnostic for DatasetError {
    fn code<'a>(&'a self) -> Option<Box<dyn Display + 'a>> {
        Some(Box::new(self.code_str()))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn Display + 'a>> {
        match self {
            DatasetError::Io { help, .. } => help.as_ref().map(|h| Box::new(h) as Box<dyn Display>),
            DatasetError::UnknownFormat { .. } => Some(Box::new("name the file `.csv`, `.tsv`, `.jsonl`, `.json`, `.xlsx`, `.ods`, `.parquet` or `.arrow`, or pass `--input-format`")),
            DatasetError::UnknownColumn { help, .. } => help.as_ref().map(|h| Box::new(h) as Box<dyn Display>),
            DatasetError::DuplicateColumn { .. } => Some(Box::new("keep one of the columns, or map one of them to another fact in `--columns`")),
            DatasetError::Malformed { help, .. } => help.as_ref().map(|h| Box::new(h) as Box<dyn Display>),
            DatasetError::ColumnMap { .. } => Some(Box::new("write one `\"census header\" = \"fact_name\"` per line")),
            DatasetError::BadOption { help, .. } => help.as_ref().map(|h| Box::new(h) as Box<dyn Display>),
            DatasetError::ColumnType { accepted, .. } => Some(Box::new(format!("accepted: {accepted}; cast the column when writing the file, or map another column to the fact with `--columns`"))),
        }
    }
}

impl DatasetError {
    /// The error for a failure writing (or renaming into place) the output file `path`.
    pub(crate) fn write(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> Self + '_ {
        move |e| Self::io("write", path, &e)
    }

    /// An I/O failure on `path`.
    pub(crate) fn io(action: &'static str, path: &std::path::Path, err: &std::io::Error) -> Self {
        let help = match err.kind() {
            std::io::ErrorKind::NotFound if action == "read" => Some("check the path".into()),
            std::io::ErrorKind::NotFound => {
                Some("the directory must exist; create it first".into())
            }
            _ => None,
        };
        DatasetError::Io {
            action,
            path: path.display().to_string(),
            reason: match err.kind() {
                std::io::ErrorKind::NotFound => "no such file or directory".into(),
                std::io::ErrorKind::PermissionDenied => "permission denied".into(),
                _ => err.to_string().to_lowercase(),
            },
            help,
        }
    }
}
