//! Facts stage: a facts file (JSON, YAML, TOML) → `Facts`, validated against the
//! rule set's fact declarations.
//!
//! Input: `ir::Program` (fact declarations = slot layout and validation rules) and text.
//! Output: `Facts`, one `Value` slot per declared fact, with where each value came from,
//! or `FactsErrors` holding every problem of the file.
//!
//! Each format reader (`json`, `yaml`, `toml`) turns text into the common `node` tree
//! with byte spans; `validate` checks it against the declarations (`check` does one value).

mod canonical;
mod check;
pub(crate) mod error;
mod json;
mod node;
mod toml;
mod validate;
pub(crate) mod value_check;
mod yaml;

pub use canonical::{facts_to_json, fingerprint};
pub use error::{FactsError, FactsErrors};

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use miette::NamedSource;

use crate::ir::{FactId, Program};
use crate::limits;
use crate::value::Value;
use check::{Ctx, Syntax};
use node::{Node, NodeKind};

/// The format of a facts file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FactsFormat {
    /// `.json`
    Json,
    /// `.yaml` / `.yml`
    Yaml,
    /// `.toml`
    Toml,
}

impl FactsFormat {
    /// The format a file name's extension stands for (`.json`, `.yaml`, `.yml`, `.toml`,
    /// any case); `None` for other extensions.
    pub fn from_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        ext.parse().ok()
    }

    /// `json`, `yaml` or `toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            FactsFormat::Json => "json",
            FactsFormat::Yaml => "yaml",
            FactsFormat::Toml => "toml",
        }
    }

    fn syntax(self) -> Syntax {
        match self {
            FactsFormat::Json => Syntax::Json,
            FactsFormat::Yaml => Syntax::Yaml,
            FactsFormat::Toml => Syntax::Toml,
        }
    }
}

impl fmt::Display for FactsFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FactsFormat {
    type Err = String;

    /// `json`, `yaml`, `yml` or `toml` (any case); the error is a user message.
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "json" => Ok(FactsFormat::Json),
            "yaml" | "yml" => Ok(FactsFormat::Yaml),
            "toml" => Ok(FactsFormat::Toml),
            _ => Err(format!(
                "unknown facts format `{s}`: use `json`, `yaml` or `toml`"
            )),
        }
    }
}

/// How strictly facts files are checked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Undeclared keys are warnings instead of errors (`--allow-unknown-facts`)
    pub allow_unknown_facts: bool,
}

/// Facts loaded from a file that passed validation.
#[derive(Debug)]
pub struct Loaded {
    /// The facts, one slot per declared fact
    pub facts: Facts,
    /// Warnings (unknown keys when they are allowed), in file order
    pub warnings: Vec<FactsError>,
}

/// Read and validate facts from text. `name` names the source in diagnostics and origins
/// (usually the file path). Every problem in the file is reported at once.
pub fn load_facts(
    program: &Program,
    name: &str,
    text: &str,
    format: FactsFormat,
    opts: &LoadOptions,
) -> Result<Loaded, FactsErrors> {
    if text.len() as u64 > limits::MAX_FACTS_FILE_BYTES {
        return Err(FactsErrors::single(
            name,
            FactsError::TooLarge {
                path: name.to_string(),
                limit_mib: limits::MAX_FACTS_FILE_BYTES / (1024 * 1024),
            },
        ));
    }
    // Editors on Windows may start files with a byte-order mark; no format needs it.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let src = NamedSource::new(name, text.to_string());
    let (root, issues) = match format {
        FactsFormat::Json => split(json::parse(text)),
        FactsFormat::Yaml => split(yaml::parse(text)),
        FactsFormat::Toml => toml::parse(text),
    };
    let report = validate::validate(program, &src, format.syntax(), root.as_ref(), &issues, opts);
    if report.problems.iter().any(|(_, warning)| !warning) {
        return Err(FactsErrors {
            name: name.to_string(),
            errors: report.problems.into_iter().map(|(e, _)| e).collect(),
        });
    }
    Ok(Loaded {
        facts: report.facts,
        warnings: report.problems.into_iter().map(|(e, _)| e).collect(),
    })
}

fn split(result: Result<Node, node::SyntaxIssue>) -> (Option<Node>, Vec<node::SyntaxIssue>) {
    match result {
        Ok(node) => (Some(node), Vec::new()),
        Err(issue) => (None, vec![issue]),
    }
}

/// Read a facts file from disk and validate it. The format comes from `format`, else from
/// the file's extension. A missing or unreadable file, a directory or non-UTF-8 text give
/// `meso::facts::io`; an unknown extension without `format` gives `meso::facts::unknown_format`.
pub fn load_facts_file(
    program: &Program,
    path: &Path,
    format: Option<FactsFormat>,
    opts: &LoadOptions,
) -> Result<Loaded, FactsErrors> {
    let name = path.display().to_string();
    let io_error = |reason: &str, help: Option<&str>| {
        FactsErrors::single(
            &name,
            FactsError::Io {
                path: name.clone(),
                reason: reason.into(),
                help: help.map(Into::into),
            },
        )
    };
    if path.is_dir() {
        return Err(io_error(
            "it is a directory",
            Some("give the path of a facts file (.json, .yaml or .toml)"),
        ));
    }
    let text = read_capped(path).map_err(|err| match err.kind() {
        std::io::ErrorKind::FileTooLarge => FactsErrors::single(
            &name,
            FactsError::TooLarge {
                path: name.clone(),
                limit_mib: limits::MAX_FACTS_FILE_BYTES / (1024 * 1024),
            },
        ),
        std::io::ErrorKind::NotFound => io_error("no such file", Some("check the path")),
        std::io::ErrorKind::PermissionDenied => io_error("permission denied", None),
        std::io::ErrorKind::InvalidData => {
            io_error("it is not UTF-8 text", Some("save the file as UTF-8"))
        }
        _ => io_error(&err.to_string().to_lowercase(), None),
    })?;
    let Some(format) = format.or_else(|| FactsFormat::from_path(path)) else {
        return Err(FactsErrors::single(
            &name,
            FactsError::unknown_format(&name),
        ));
    };
    load_facts(program, &name, &text, format, opts)
}

/// Read a file as UTF-8 text, at most `MAX_FACTS_FILE_BYTES` of it (so that `/dev/zero`
/// or a runaway export cannot exhaust memory); a longer file is `FileTooLarge`.
pub fn read_capped(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(limits::MAX_FACTS_FILE_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limits::MAX_FACTS_FILE_BYTES {
        return Err(std::io::ErrorKind::FileTooLarge.into());
    }
    String::from_utf8(bytes).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// Parse one fact value written on the command line (`--set trust=medium`,
/// `--set markets_served=local,domestic`, `--set share=17%`), with the same checks as facts
/// files. `unknown` (or `null`) gives the unknown value; sets are comma-separated names
/// (optionally in `[...]`, empty for the empty set). The error is a user message.
pub fn parse_fact_value(program: &Program, fact: FactId, text: &str) -> Result<Value, String> {
    let Some(decl) = program.fact(fact) else {
        return Err(format!("no fact with id {}", fact.0));
    };
    fact_value_from_text(decl, text).map_err(|errors| {
        let messages: Vec<String> = errors
            .iter()
            .map(|e| match miette::Diagnostic::help(e) {
                Some(help) => format!("{e}; {help}"),
                None => e.to_string(),
            })
            .collect();
        messages.join("\n")
    })
}

/// What separates a set's members written as text (`local,domestic`, `local|domestic`,
/// `local; domestic`): member names are identifiers, which hold none of them.
pub(crate) const SET_SEPARATORS: [char; 3] = [',', '|', ';'];

/// One value of `decl` written as text, as `--set` and the library's text columns take it
/// (`17%`, `true` in any case, a level name, set members separated by `,`, `|` or `;`,
/// `unknown`), with the same checks and diagnostics as facts files.
pub(crate) fn fact_value_from_text(
    decl: &crate::ir::Fact,
    text: &str,
) -> Result<Value, Vec<FactsError>> {
    let trimmed = text.trim();
    if trimmed == "unknown" || trimmed == "null" {
        return Ok(Value::Unknown);
    }
    let span = 0..text.len();
    let kind = match &decl.ty {
        crate::ir::FactType::Number | crate::ir::FactType::Integer | crate::ir::FactType::Ratio => {
            let number = match trimmed.strip_suffix('%') {
                Some(pct) => pct.trim().parse::<f64>().ok().map(|n| n / 100.0),
                None => trimmed.parse::<f64>().ok(),
            };
            number.map_or_else(|| NodeKind::Str(text.to_string()), NodeKind::Number)
        }
        // As CSV cells read them: `TRUE`, `False` from spreadsheets and pandas.
        crate::ir::FactType::Boolean if trimmed.eq_ignore_ascii_case("true") => {
            NodeKind::Bool(true)
        }
        crate::ir::FactType::Boolean if trimmed.eq_ignore_ascii_case("false") => {
            NodeKind::Bool(false)
        }
        crate::ir::FactType::Boolean => NodeKind::Str(text.to_string()),
        crate::ir::FactType::Text => NodeKind::Str(text.to_string()),
        crate::ir::FactType::Level { .. } => NodeKind::Str(trimmed.to_string()),
        crate::ir::FactType::Set { .. } => {
            let inner = trimmed
                .strip_prefix('[')
                .and_then(|t| t.strip_suffix(']'))
                .unwrap_or(trimmed);
            NodeKind::List(
                inner
                    .split(SET_SEPARATORS)
                    .map(str::trim)
                    .filter(|m| !m.is_empty())
                    .map(|m| Node::new(NodeKind::Str(m.to_string()), span.clone()))
                    .collect(),
            )
        }
    };
    let src = NamedSource::new("--set", text.to_string());
    let ctx = Ctx {
        src: &src,
        syntax: Syntax::Cli,
    };
    check::check_value(decl, &Node::new(kind, span), &ctx)
}

/// Where a fact value came from, for traces and error messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FactOrigin {
    /// Facts file name (or `test "name"`, `--set`, ...)
    pub source: String,
    /// Key path inside the file, e.g. `facts.trust`
    pub key: String,
    /// 1-based line, where the format tells it
    pub line: Option<usize>,
}

/// The facts about one cluster: one slot per declared fact, `Value::Unknown` when missing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facts {
    /// Slot i holds the value of `FactId(i)`
    pub values: Vec<Value>,
    /// Where each slot's value came from (None: missing)
    pub origins: Vec<Option<FactOrigin>>,
}

impl Facts {
    /// All facts unknown, for a program with `n` declared facts.
    pub fn unknown(n: usize) -> Self {
        Facts {
            values: vec![Value::Unknown; n],
            origins: vec![None; n],
        }
    }

    /// The value of a fact (Unknown when out of range).
    pub fn get(&self, id: crate::ir::FactId) -> &Value {
        self.values.get(id.index()).unwrap_or(&Value::Unknown)
    }
}
