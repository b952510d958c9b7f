//! Rule sets: find the rule files (a directory, one file, or the set embedded in the
//! binary), parse and check them together, and fingerprint them.
//!
//! Input: a path (or none) and `--param` overrides. Output: [`RuleSet`] (checked program,
//! warnings, fingerprints) or every problem found, as diagnostics.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::Diagnostic;
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::check::{self, CheckError};
use crate::eval;
use crate::ir::ParamOverride;
use crate::ir::Program;
use crate::limits;
use crate::source::SourceMap;
use crate::syntax::{self, ParseError};

include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

/// Where a rule set comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleOrigin {
    /// A directory of `.meso` files, or one file
    Path(PathBuf),
    /// The rule set shipped inside the binary
    Embedded,
    /// Files held in memory, given by an embedder (`Rules::from_sources`)
    Memory,
}

impl RuleOrigin {
    /// Where the rules came from, for summaries and titles: the path, `the shipped rule
    /// set` or `rule files held in memory`.
    pub fn describe(&self) -> String {
        match self {
            RuleOrigin::Path(p) => p.display().to_string(),
            RuleOrigin::Embedded => "the shipped rule set".into(),
            RuleOrigin::Memory => "rule files held in memory".into(),
        }
    }
}

/// The text of a rule set's files, before parsing.
#[derive(Clone, Debug)]
pub struct RuleSources {
    /// Where the files came from
    pub origin: RuleOrigin,
    /// (path relative to the rule set root, display name, text), sorted by relative path
    pub files: Vec<RuleText>,
}

/// One rule file's text.
#[derive(Clone, Debug)]
pub struct RuleText {
    /// Path relative to the rule set root, with `/` separators (part of the fingerprint)
    pub relative: String,
    /// Name shown in diagnostics and traces
    pub display: String,
    /// Contents
    pub text: String,
}

/// A rule file of a loaded rule set, with its own hash.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RuleFileInfo {
    /// Path relative to the rule set root
    pub path: String,
    /// `sha256:<hex>` of the contents
    pub sha256: String,
}

/// A parsed and checked rule set.
#[derive(Debug)]
pub struct RuleSet {
    /// What evaluation runs on
    pub program: Arc<Program>,
    /// The program compiled for evaluation, once (every caller evaluates with this)
    pub compiled: eval::Compiled,
    /// Warnings from the checker
    pub warnings: Vec<CheckError>,
    /// `sha256:<hex>` over the sorted relative paths and contents of all files
    pub fingerprint: String,
    /// Each file with its hash
    pub files: Vec<RuleFileInfo>,
    /// Where the files came from
    pub origin: RuleOrigin,
}

/// A rule set whose files cannot be found or read.
#[derive(Debug, Error, Diagnostic)]
pub enum SourceError {
    /// The rule path does not exist or cannot be read.
    #[error("cannot read rules at `{path}`: {reason}")]
    #[diagnostic(
        code(meso::rules::io),
        help("pass a directory of `.meso` files or one `.meso` file with `-r`")
    )]
    Io {
        /// The path
        path: String,
        /// What went wrong
        reason: String,
    },
    /// A project marker (`meso.toml`) that cannot be read or names no rules.
    #[error("cannot use the project file `{path}`: {reason}")]
    #[diagnostic(
        code(meso::rules::project),
        help("fix it (`rules = \"rules\"` names the rule folder, relative to the file; `.` is the file's own folder), or pass the rules with `-r`")
    )]
    Project {
        /// The marker file
        path: String,
        /// What is wrong
        reason: String,
    },
    /// A rule file larger than the limit (8 MiB).
    #[error("rule file `{path}` is larger than {limit_mib} MiB")]
    #[diagnostic(
        code(meso::rules::too_large),
        help("split it into several `.meso` files in one directory, or check that `-r` names the right file")
    )]
    TooLarge {
        /// The file
        path: String,
        /// The limit, in MiB
        limit_mib: u64,
    },
    /// More rule files below a directory than the limit (10,000).
    #[error("more than {limit} `.meso` files below `{path}`")]
    #[diagnostic(
        code(meso::rules::too_many_files),
        help("point `-r` at the rule set's own directory, not at a parent of many projects")
    )]
    TooManyFiles {
        /// The directory
        path: String,
        /// The limit
        limit: usize,
    },
    /// A rule file that is not UTF-8 text.
    #[error(
        "rule file `{path}` is not valid UTF-8 (first bad byte at offset {offset}, line {line})"
    )]
    #[diagnostic(
        code(meso::rules::not_utf8),
        help("save the file as UTF-8; most editors offer it under \"save with encoding\"")
    )]
    NotUtf8 {
        /// The file
        path: String,
        /// Byte offset of the first byte that is not UTF-8
        offset: usize,
        /// 1-based line of that byte
        line: usize,
    },
    /// A directory without rule files.
    #[error("no `.meso` files in `{path}`")]
    #[diagnostic(code(meso::rules::empty), help("a rule set is a directory of `.meso` files; `meso init DIR` or `meso rules export DIR` creates one"))]
    Empty {
        /// The directory
        path: String,
    },
}

/// A problem in a rule set's text that keeps it from loading.
#[derive(Debug, Error, Diagnostic)]
pub enum RulesError {
    /// A rule file that does not parse.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Parse(#[from] ParseError),
    /// A rule set that does not check.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Check(#[from] CheckError),
}

/// Everything that kept a rule set from loading, plus the warnings found.
#[derive(Debug)]
pub struct RulesFailure {
    /// Errors (at least one)
    pub errors: Vec<RulesError>,
    /// Warnings
    pub warnings: Vec<CheckError>,
}

/// The shipped rule set's files.
pub fn embedded_sources() -> RuleSources {
    RuleSources {
        origin: RuleOrigin::Embedded,
        files: EMBEDDED_RULES
            .iter()
            .map(|(rel, text)| RuleText {
                relative: (*rel).to_string(),
                display: format!("<embedded>/{rel}"),
                text: (*text).to_string(),
            })
            .collect(),
    }
}

/// Read the rule files at `path`: every `.meso` file below a directory (sorted, hidden
/// files skipped), or one file.
pub fn read_sources(path: &Path) -> Result<RuleSources, SourceError> {
    let io = |e: std::io::Error| SourceError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let meta = fs::metadata(path).map_err(io)?;
    let mut files = Vec::new();
    if meta.is_dir() {
        let mut found = Vec::new();
        collect_meso_files(path, path, 0, &mut found)?;
        for file in found {
            let text = read_text(&file)?;
            let relative = file
                .strip_prefix(path)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_else(|_| file.display().to_string());
            files.push(RuleText {
                relative,
                display: file.display().to_string(),
                text,
            });
        }
        files.sort_by(|a, b| a.relative.cmp(&b.relative));
        if files.is_empty() {
            return Err(SourceError::Empty {
                path: path.display().to_string(),
            });
        }
    } else {
        let text = read_text(path)?;
        let relative = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().to_string(),
        );
        files.push(RuleText {
            relative,
            display: path.display().to_string(),
            text,
        });
    }
    Ok(RuleSources {
        origin: RuleOrigin::Path(path.to_path_buf()),
        files,
    })
}

/// Read a rule file as text, refusing files over the size limit (read with a cap, so that
/// `/dev/zero` or a file growing while it is read cannot exhaust memory).
fn read_text(path: &Path) -> Result<String, SourceError> {
    let io = |e: std::io::Error| SourceError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let file = fs::File::open(path).map_err(io)?;
    if file.metadata().map_err(io)?.is_dir() {
        return Err(SourceError::Io {
            path: path.display().to_string(),
            reason: "it is a directory".into(),
        });
    }
    let mut bytes = Vec::new();
    file.take(limits::MAX_RULE_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limits::MAX_RULE_FILE_BYTES {
        return Err(SourceError::TooLarge {
            path: path.display().to_string(),
            limit_mib: limits::MAX_RULE_FILE_BYTES / (1024 * 1024),
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let line = e
            .as_bytes()
            .get(..offset)
            .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count())
            + 1;
        SourceError::NotUtf8 {
            path: path.display().to_string(),
            offset,
            line,
        }
    })
}

/// Every `.meso` file below `dir`, at most `MAX_RULE_FILES` of them and
/// `MAX_RULE_DIR_DEPTH` directory levels deep.
fn collect_meso_files(
    root: &Path,
    dir: &Path,
    depth: usize,
    out: &mut Vec<PathBuf>,
) -> Result<(), SourceError> {
    let io = |e: std::io::Error| SourceError::Io {
        path: dir.display().to_string(),
        reason: e.to_string(),
    };
    if depth > limits::MAX_RULE_DIR_DEPTH {
        return Err(SourceError::Io {
            path: dir.display().to_string(),
            reason: format!(
                "directories nested more than {} levels deep (a symbolic link loop?)",
                limits::MAX_RULE_DIR_DEPTH
            ),
        });
    }
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir).map_err(io)? {
        entries.push(entry.map_err(io)?);
    }
    // Sorted so that the files over the limit and the error for them are deterministic.
    entries.sort_by_key(fs::DirEntry::file_name);
    for entry in entries {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            collect_meso_files(root, &path, depth + 1, out)?;
        } else if path.extension().is_some_and(|e| e == "meso") {
            if out.len() >= limits::MAX_RULE_FILES {
                return Err(SourceError::TooManyFiles {
                    path: root.display().to_string(),
                    limit: limits::MAX_RULE_FILES,
                });
            }
            out.push(path);
        }
    }
    Ok(())
}

/// The name of the marker file of a meso project (written by `meso init`).
pub const PROJECT_FILE: &str = "meso.toml";

/// The default rule set: the project's rules found from the current directory (see
/// [`discover`]), else the embedded one.
pub fn default_sources() -> Result<RuleSources, SourceError> {
    let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    match discover(&here)? {
        Some(path) => read_sources(&path),
        None => Ok(embedded_sources()),
    }
}

/// The rule set a command run in `start` uses when none is named, the way `git` and `cargo`
/// find their project: from `start` up to the file system's root, the first folder that
///
/// 1. holds a `meso.toml` (the project's marker: its `rules = "..."` names the rule folder
///    or file relative to it, `.` by default), or
/// 2. has a `rules/` folder with `.meso` files, or
/// 3. holds `.meso` files itself (`start` only: stray files in a parent do not count).
///
/// The path is relative to `start` (`rules`, `.`, `../../rules`), so that what commands
/// print does not depend on where the project sits on a machine. None: no project, the
/// embedded rule set applies. A `meso.toml` that cannot be read or names no rules is an
/// error, never silently skipped.
pub fn discover(start: &Path) -> Result<Option<PathBuf>, SourceError> {
    let has_meso = |dir: &Path| {
        std::fs::read_dir(dir).is_ok_and(|entries| {
            entries.flatten().any(|e| {
                let p = e.path();
                p.is_file() && p.extension().is_some_and(|x| x == "meso")
            })
        })
    };
    for (up, dir) in start.ancestors().enumerate() {
        // `dir` as seen from `start`: `.`, `..`, `../..`, ...
        let relative: PathBuf = if up == 0 {
            PathBuf::from(".")
        } else {
            std::iter::repeat_n("..", up).collect()
        };
        let marker = dir.join(PROJECT_FILE);
        if marker.is_file() {
            return project_rules(&marker, &relative).map(Some);
        }
        let rules = dir.join("rules");
        if rules.is_dir() && has_meso(&rules) {
            return Ok(Some(tidy(relative.join("rules"))));
        }
        // Rule files lying in a parent folder (a stray file in the home or temporary folder)
        // do not make it a project; only the folder a command runs in counts.
        if up == 0 && has_meso(dir) {
            return Ok(Some(relative));
        }
    }
    Ok(None)
}

/// `./rules` → `rules`, `./.` → `.`.
fn tidy(path: PathBuf) -> PathBuf {
    let parts: PathBuf = path
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect();
    if parts.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        parts
    }
}

/// The rules a `meso.toml` names (`rules = "..."`, relative to its folder; `.` by default),
/// as a path from where the search started (`relative` is the marker's folder from there).
fn project_rules(marker: &Path, relative: &Path) -> Result<PathBuf, SourceError> {
    let bad = |reason: String| SourceError::Project {
        path: marker.display().to_string(),
        reason,
    };
    let text = std::fs::read_to_string(marker).map_err(|e| bad(e.to_string()))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| bad(e.message().to_string()))?;
    let dir = marker.parent().unwrap_or(Path::new("."));
    match table.get("rules") {
        None => Ok(tidy(relative.to_path_buf())),
        Some(toml::Value::String(rel)) => {
            let path = dir.join(rel);
            if path.exists() {
                Ok(tidy(relative.join(rel)))
            } else {
                Err(bad(format!(
                    "`rules = \"{rel}\"` names `{}`, which does not exist",
                    path.display()
                )))
            }
        }
        Some(other) => Err(bad(format!(
            "`rules` must be a path in quotes, e.g. `rules = \"rules\"`, not `{other}`"
        ))),
    }
}

/// `sha256:<hex>` of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex_digest(&Sha256::digest(bytes))
}

fn hex_digest(digest: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(7 + 2 * digest.len());
    out.push_str("sha256:");
    for b in digest {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Fingerprint of a rule set: SHA-256 over each file's relative path and contents, in
/// sorted path order, each field length-prefixed so that no two rule sets collide by
/// moving text between files.
pub fn fingerprint(files: &[RuleText]) -> String {
    let mut sorted: Vec<&RuleText> = files.iter().collect();
    sorted.sort_by(|a, b| a.relative.cmp(&b.relative));
    let mut hasher = Sha256::new();
    for f in sorted {
        hasher.update((f.relative.len() as u64).to_le_bytes());
        hasher.update(f.relative.as_bytes());
        hasher.update((f.text.len() as u64).to_le_bytes());
        hasher.update(f.text.as_bytes());
    }
    hex_digest(&hasher.finalize())
}

/// Parse and check rule sources.
pub fn load(sources: RuleSources, overrides: &[ParamOverride]) -> Result<RuleSet, RulesFailure> {
    let fingerprint = fingerprint(&sources.files);
    let files_info = sources
        .files
        .iter()
        .map(|f| RuleFileInfo {
            path: f.relative.clone(),
            sha256: sha256_hex(f.text.as_bytes()),
        })
        .collect();
    let mut map = SourceMap::new();
    for f in &sources.files {
        map.add(f.display.clone(), f.text.as_str());
    }
    let (parsed, parse_errors) = syntax::parse_rule_set(&map);
    if !parse_errors.is_empty() {
        return Err(RulesFailure {
            errors: parse_errors.into_iter().map(RulesError::Parse).collect(),
            warnings: Vec::new(),
        });
    }
    match check::check_rule_set(map, &parsed, overrides) {
        Ok(checked) => {
            let program = Arc::new(checked.program);
            Ok(RuleSet {
                compiled: eval::Compiled::new(Arc::clone(&program)),
                program,
                warnings: checked.warnings,
                fingerprint,
                files: files_info,
                origin: sources.origin,
            })
        }
        Err(failure) => Err(RulesFailure {
            errors: failure.errors.into_iter().map(RulesError::Check).collect(),
            warnings: failure.warnings,
        }),
    }
}
