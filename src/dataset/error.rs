//! Dataset errors: problems that stop a whole run over a dataset (`meso batch`, `meso diff`).
//!
//! Input: problems found while opening inputs, reading headers and column maps, checking
//! options, or writing the run's output files. Output: [`DatasetError`], a miette
//! diagnostic. Problems with one record are not errors here: they are [`Problem`]s that go
//! to the reject file. The codes keep the `meso::batch::` prefix they were released with.
//!
//! [`Problem`]: super::Problem

use miette::Diagnostic;
use thiserror::Error;

/// A problem that stops a batch or diff run. The output file is never left half-written.
#[derive(Debug, Error, Diagnostic)]
pub enum DatasetError {
    /// An input, column map or output path that cannot be read or written:
    /// `meso batch missing.csv --out out.csv`.
    #[error("cannot {action} `{path}`: {reason}")]
    #[diagnostic(code(meso::batch::io))]
    Io {
        /// `read`, `write`, `create`
        action: &'static str,
        /// The path
        path: String,
        /// Why, in words
        reason: String,
        /// How to fix it
        #[help]
        help: Option<String>,
    },

    /// An input whose format cannot be told from its name: `meso batch data.txt`.
    #[error("cannot tell the format of `{path}`")]
    #[diagnostic(
        code(meso::batch::unknown_format),
        help("name the file `.csv`, `.tsv`, `.jsonl`, `.json`, `.xlsx` or `.ods`, or pass `--input-format`")
    )]
    UnknownFormat {
        /// The path
        path: String,
    },

    /// A column that is neither a declared fact nor the id column: header `frims`.
    #[error("column `{column}` of `{path}` is not a fact")]
    #[diagnostic(code(meso::batch::unknown_column))]
    UnknownColumn {
        /// The input
        path: String,
        /// The header as written
        column: String,
        /// The closest fact name, or how to skip such columns
        #[help]
        help: Option<String>,
    },

    /// Two columns that give the same fact: headers `firms` and `FIRMS` mapped to `firms`.
    #[error("fact `{fact}` is given by two columns of `{path}`: `{first}` and `{second}`")]
    #[diagnostic(
        code(meso::batch::duplicate_column),
        help("keep one of the columns, or map one of them to another fact in `--columns`")
    )]
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
    #[diagnostic(code(meso::batch::malformed))]
    Malformed {
        /// The input
        path: String,
        /// What is wrong, with the line when known
        reason: String,
        /// How to fix it
        #[help]
        help: Option<String>,
    },

    /// A column map (`--columns map.toml`) that is not a table of `"header" = "fact"`.
    #[error("bad column map `{path}`: {reason}")]
    #[diagnostic(
        code(meso::batch::column_map),
        help("write one `\"census header\" = \"fact_name\"` per line")
    )]
    ColumnMap {
        /// The map file
        path: String,
        /// What is wrong
        reason: String,
    },

    /// A bad command-line option value: `--delimiter ab`, `--where class=x`.
    #[error("{message}")]
    #[diagnostic(code(meso::batch::bad_option))]
    BadOption {
        /// What is wrong
        message: String,
        /// How to fix it
        #[help]
        help: Option<String>,
    },
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
