//! Source files and spans: where every rule came from.
//!
//! Input: the text of rule files (from disk or embedded in the binary).
//! Output: `SourceMap` (id → file) and `Span`s (file + byte range) that every later
//! stage carries so diagnostics and traces can point back at rule source lines.

use std::sync::Arc;

use miette::{NamedSource, SourceSpan};

/// Index of a file in a [`SourceMap`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in one rule file.
///
/// Equality deliberately ignores positions (every span equals every other), so that
/// syntax trees compare equal after formatting moves things around, as in Cedar's
/// parser. Compare `start`/`end` explicitly where positions matter.
#[derive(Clone, Copy, Debug, Default, Eq)]
pub struct Span {
    /// File the span points into
    pub file: FileId,
    /// Byte offset of the first character
    pub start: u32,
    /// Byte offset one past the last character
    pub end: u32,
}

impl PartialEq for Span {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

impl Span {
    /// A span from byte offsets.
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        // INVARIANT: offsets fit in `u32`: rule files are refused past 8 MiB and facts files
        // past 64 MiB before they are parsed, so the `u32::MAX` fallback is never taken.
        Span {
            file,
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start) as usize
    }

    /// True for an empty span.
    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }
}

impl From<Span> for SourceSpan {
    fn from(span: Span) -> Self {
        SourceSpan::new((span.start as usize).into(), span.len())
    }
}

/// A value with the span it was written at.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    /// The value
    pub node: T,
    /// Where it was written
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wrap a value with its span.
    pub fn new(node: T, span: Span) -> Self {
        Spanned { node, span }
    }
}

/// One rule file: its display name (a path relative to the rule set root) and text.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// Display name, e.g. `rules/types.meso`
    pub name: String,
    /// Full text
    pub text: Arc<str>,
}

impl SourceFile {
    /// A miette source for diagnostics pointing into this file.
    pub fn named_source(&self) -> NamedSource<String> {
        NamedSource::new(self.name.clone(), self.text.to_string())
    }

    /// A miette source sharing this file's text: no copy per diagnostic, so a rule set with
    /// thousands of warnings does not hold thousands of copies of its files.
    pub fn shared_source(&self) -> NamedSource<Arc<str>> {
        NamedSource::new(self.name.clone(), Arc::clone(&self.text))
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let offset = (offset as usize).min(self.text.len());
        let before = self.text.get(..offset).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
        (line, col)
    }

    /// The text of a span.
    pub fn snippet(&self, span: Span) -> &str {
        self.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }

    /// The whole source line(s) a span starts on, without the line break.
    pub fn line_text(&self, span: Span) -> &str {
        let start = (span.start as usize).min(self.text.len());
        let line_start = self
            .text
            .get(..start)
            .and_then(|s| s.rfind('\n'))
            .map_or(0, |i| i + 1);
        let line_end = self
            .text
            .get(start..)
            .and_then(|s| s.find('\n'))
            .map_or(self.text.len(), |i| start + i);
        self.text
            .get(line_start..line_end)
            .unwrap_or("")
            .trim_end_matches('\r')
    }
}

/// All files of a rule set, addressed by [`FileId`].
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> Self {
        SourceMap::default()
    }

    /// Add a file; returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<Arc<str>>) -> FileId {
        // INVARIANT: a rule set has at most 10,000 files (and an editor session far fewer),
        // so the index fits in `u32` and the fallback is never taken.
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(SourceFile {
            name: name.into(),
            text: text.into(),
        });
        id
    }

    /// The file with this id.
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// All files in load order.
    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(u32::try_from(i).unwrap_or(u32::MAX)), f))
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// True when no file was added.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// `file:line:col` of a span, for traces and plain messages.
    pub fn location(&self, span: Span) -> String {
        match self.get(span.file) {
            Some(file) => {
                let (line, col) = file.line_col(span.start);
                format!("{}:{}:{}", file.name, line, col)
            }
            None => String::from("<unknown>"),
        }
    }
}
