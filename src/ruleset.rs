//! Rule sets: find the rule files (a directory, one file, or the set embedded in the
//! binary), parse and check them together, and fingerprint them.
//!
//! Input: a path (or none) and `--param` overrides. Output: [`RuleSet`] (checked program,
//! warnings, fingerprints) or every problem found, as diagnostics.

use std::fs;
use std::path::{Path, PathBuf};

use miette::Diagnostic;
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::check::{self, CheckError, ParamOverride};
use crate::ir::Program;
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
    pub program: Program,
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
        collect_meso_files(path, &mut found).map_err(io)?;
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

fn read_text(path: &Path) -> Result<String, SourceError> {
    let bytes = fs::read(path).map_err(|e| SourceError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    String::from_utf8(bytes).map_err(|e| SourceError::Io {
        path: path.display().to_string(),
        reason: format!(
            "the file is not valid UTF-8 (first bad byte at offset {}); save it as UTF-8",
            e.utf8_error().valid_up_to()
        ),
    })
}

fn collect_meso_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            collect_meso_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "meso") {
            out.push(path);
        }
    }
    Ok(())
}

/// The default rule set: `./rules` when it exists, else the embedded one.
pub fn default_sources() -> Result<RuleSources, SourceError> {
    let local = Path::new("rules");
    if local.is_dir() {
        read_sources(local)
    } else {
        Ok(embedded_sources())
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
        Ok(checked) => Ok(RuleSet {
            program: checked.program,
            warnings: checked.warnings,
            fingerprint,
            files: files_info,
            origin: sources.origin,
        }),
        Err(failure) => Err(RulesFailure {
            errors: failure.errors.into_iter().map(RulesError::Check).collect(),
            warnings: failure.warnings,
        }),
    }
}
