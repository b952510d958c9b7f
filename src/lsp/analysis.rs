//! Analysis of one rule set for the editor: parse and check every file (open files with
//! their unsaved text), turn the diagnostics into editor diagnostics, and index the names.
//!
//! Input: the rule set's files as (path, text), and the last trees that parsed, for files
//! that do not parse now. Output: `Analysis`: diagnostics per file and a `NameIndex`.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
};
use miette::SourceSpan;

use crate::check;
use crate::source::{FileId, SourceMap};
use crate::syntax::{self, ast};

use super::index::{IndexedFile, NameIndex};
use super::position::LineIndex;
use super::uri::path_to_uri;

/// One rule file as the editor sees it.
#[derive(Clone, Debug)]
pub struct Document {
    /// Absolute path
    pub path: PathBuf,
    /// Current text (unsaved edits included)
    pub text: String,
}

/// A tree that parsed, with the text it came from.
#[derive(Clone, Debug)]
pub struct ParsedFile {
    /// The text
    pub text: String,
    /// The tree
    pub tree: ast::RuleFile,
}

/// What the editor needs to know about one rule set.
#[derive(Debug, Default)]
pub struct Analysis {
    /// The files, in load order
    pub documents: Vec<Document>,
    /// Diagnostics of each file (same order as `documents`)
    pub diagnostics: Vec<Vec<Diagnostic>>,
    /// Names of the rule set
    pub index: NameIndex,
    /// The trees of the files: of the text now, or the last that parsed
    pub parsed: HashMap<PathBuf, ParsedFile>,
}

impl Analysis {
    /// The document at `path`.
    pub fn document(&self, path: &Path) -> Option<&Document> {
        self.documents.iter().find(|d| d.path == path)
    }
}

/// Parse and check a rule set's documents. A file that does not parse is indexed from
/// its tree in `previous` (the last text that parsed), so names stay navigable while typing.
/// A file whose text is the same as in `previous` (every file but the one being edited) is
/// not parsed again: its tree is reused when its spans name the same file id.
pub fn analyze(documents: Vec<Document>, previous: &HashMap<PathBuf, ParsedFile>) -> Analysis {
    let mut map = SourceMap::new();
    for doc in &documents {
        map.add(doc.path.display().to_string(), doc.text.as_str());
    }
    let lines: Vec<LineIndex> = documents.iter().map(|d| LineIndex::new(&d.text)).collect();
    let mut diagnostics: Vec<Vec<Diagnostic>> = vec![Vec::new(); documents.len()];
    // (document index, file id, tree) of the files that parse
    let mut trees: Vec<(usize, FileId, ast::RuleFile)> = Vec::new();
    let mut parse_failed = false;
    // INVARIANT: the map holds one file per document, added in the documents' order, and
    // `lines` and `diagnostics` have one entry per document, so zipping pairs each file with
    // its own document, line index and diagnostics.
    let per_document = documents
        .iter()
        .zip(lines.iter().zip(diagnostics.iter_mut()));
    for (n, ((id, source), (doc, (li, out)))) in map.files().zip(per_document).enumerate() {
        let unchanged = previous
            .get(&doc.path)
            .filter(|old| old.text == doc.text && first_file_id(&old.tree).is_none_or(|f| f == id));
        if let Some(old) = unchanged {
            trees.push((n, id, old.tree.clone()));
            continue;
        }
        match syntax::parse_file(id, source) {
            Ok(tree) => trees.push((n, id, tree)),
            Err(error) => {
                parse_failed = true;
                let secondary = secondary_labels(&error, error.span());
                out.push(convert(&error, error.span(), &secondary, doc, li));
            }
        }
    }

    // A rule set with a file that does not parse is not checked: every name declared in
    // that file would be reported as undefined elsewhere.
    let mut program = None;
    if !parse_failed {
        let files: Vec<(FileId, ast::RuleFile)> = std::mem::take(&mut trees)
            .into_iter()
            .map(|(_, id, tree)| (id, tree))
            .collect();
        let (found, checked) = match check::check_rule_set(map.clone(), &files, &[]) {
            Ok(checked) => (checked.warnings, Some(checked.program)),
            Err(failure) => {
                let mut all = failure.errors;
                all.extend(failure.warnings);
                (all, None)
            }
        };
        program = checked;
        // INVARIANT: without a parse failure every document parsed, so file `i` is
        // document `i`.
        trees = files
            .into_iter()
            .enumerate()
            .map(|(n, (id, tree))| (n, id, tree))
            .collect();
        for error in &found {
            let name = error.src.name();
            // INVARIANT: one line index and one diagnostics list per document, in order.
            let mut per_document = documents
                .iter()
                .zip(lines.iter().zip(diagnostics.iter_mut()));
            // Every checked file is a document, so `find` fails only for a file the checker
            // was not given; such an error has nowhere to be shown.
            let Some((doc, (li, out))) =
                per_document.find(|(d, _)| d.path.display().to_string() == name)
            else {
                continue;
            };
            out.push(convert(error, error.span, &error.secondary, doc, li));
        }
    }

    // The trees of the files: of the text now, or (for a file that does not parse now)
    // the last that parsed.
    let mut parsed: HashMap<PathBuf, ParsedFile> = HashMap::new();
    for (n, _, tree) in trees {
        if let Some(doc) = documents.get(n) {
            parsed.insert(
                doc.path.clone(),
                ParsedFile {
                    text: doc.text.clone(),
                    tree,
                },
            );
        }
    }
    for doc in &documents {
        if !parsed.contains_key(&doc.path) {
            if let Some(old) = previous.get(&doc.path) {
                parsed.insert(doc.path.clone(), old.clone());
            }
        }
    }
    let indexed: Vec<IndexedFile<'_>> = documents
        .iter()
        .filter_map(|doc| {
            let p = parsed.get(&doc.path)?;
            Some(IndexedFile {
                path: &doc.path,
                text: &p.text,
                tree: &p.tree,
            })
        })
        .collect();
    let mut index = NameIndex::build(&indexed);
    if let Some(program) = &program {
        index.add_types(program);
    }

    Analysis {
        documents,
        diagnostics,
        index,
        parsed,
    }
}

/// The file id in a tree's spans (`None` for a file without declarations).
fn first_file_id(tree: &ast::RuleFile) -> Option<FileId> {
    tree.items.first().map(|item| match item {
        ast::Item::Fact(x) => x.span.file,
        ast::Item::Param(x) => x.span.file,
        ast::Item::Derived(x) => x.span.file,
        ast::Item::Type(x) => x.span.file,
        ast::Item::Policy(x) => x.span.file,
        ast::Item::Test(x) => x.span.file,
    })
}

/// Labels other than the primary one.
fn secondary_labels(d: &dyn miette::Diagnostic, primary: SourceSpan) -> Vec<(SourceSpan, String)> {
    d.labels()
        .map(|labels| {
            labels
                .filter(|l| l.inner() != &primary)
                .map(|l| (*l.inner(), l.label().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// A meso diagnostic as an editor diagnostic: same code, message and severity; help is
/// appended to the message, secondary labels become related information.
fn convert(
    d: &dyn miette::Diagnostic,
    primary: SourceSpan,
    secondary: &[(SourceSpan, String)],
    doc: &Document,
    lines: &LineIndex,
) -> Diagnostic {
    let range_of =
        |span: &SourceSpan| lines.range(&doc.text, span.offset(), span.offset() + span.len());
    let severity = match d.severity() {
        Some(miette::Severity::Warning) => DiagnosticSeverity::WARNING,
        Some(miette::Severity::Advice) => DiagnosticSeverity::INFORMATION,
        _ => DiagnosticSeverity::ERROR,
    };
    let mut message = d.to_string();
    if let Some(label) = primary_label(d, primary) {
        if !label.is_empty() && label != message {
            message.push_str(&format!(" ({label})"));
        }
    }
    let mut data = None;
    if let Some(help) = d.help() {
        let help = help.to_string();
        // The suggestion alone, for the quick fix that applies it.
        data = super::features::did_you_mean(&help)
            .map(|name| serde_json::json!({ "suggestion": name }));
        message.push_str(&format!("\nhelp: {help}"));
    }
    let related: Vec<DiagnosticRelatedInformation> = path_to_uri(&doc.path)
        .map(|uri| {
            secondary
                .iter()
                .map(|(span, label)| DiagnosticRelatedInformation {
                    location: Location::new(uri.clone(), range_of(span)),
                    message: label.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    Diagnostic {
        range: range_of(&primary),
        severity: Some(severity),
        code: d.code().map(|c| NumberOrString::String(c.to_string())),
        source: Some("meso".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        data,
        ..Diagnostic::default()
    }
}

/// The text of the label at the primary span.
fn primary_label(d: &dyn miette::Diagnostic, primary: SourceSpan) -> Option<String> {
    d.labels()?
        .find(|l| l.inner() == &primary)
        .and_then(|l| l.label().map(str::to_string))
}

/// The directory whose `.meso` files form the rule set of `file`: the file's directory,
/// extended upwards while the parent directory holds `.meso` files itself, and never above
/// the workspace folder that contains the file.
pub fn rule_set_root(file: &Path, workspace_folders: &[PathBuf]) -> PathBuf {
    let mut dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
    loop {
        if workspace_folders.contains(&dir) {
            return dir;
        }
        let Some(parent) = dir.parent() else {
            return dir;
        };
        if !has_meso_file(parent) {
            return dir;
        }
        dir = parent.to_path_buf();
    }
}

fn has_meso_file(dir: &Path) -> bool {
    fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            let p = e.path();
            p.is_file() && p.extension().is_some_and(|x| x == "meso")
        })
    })
}

/// Every `.meso` file below `root` (hidden entries skipped), sorted by path.
pub fn meso_files(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|x| x == "meso") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The documents of the rule set at `root`: files on disk, with the text of open files
/// (`open`) in place of what is saved, plus open files under `root` not saved yet.
pub fn rule_set_documents(root: &Path, open: &HashMap<PathBuf, String>) -> Vec<Document> {
    let mut paths = meso_files(root);
    for path in open.keys() {
        if path.starts_with(root) && !paths.contains(path) {
            paths.push(path.clone());
        }
    }
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| {
            let text = match open.get(&path) {
                Some(text) => text.clone(),
                None => fs::read_to_string(&path).ok()?,
            };
            Some(Document { path, text })
        })
        .collect()
}
