//! The common intermediate form of a facts file, shared by all formats.
//!
//! Input: produced by the format readers (`json`, `yaml`, `toml`) from file text.
//! Output: a [`Node`] tree with byte spans, consumed by `validate`. Only the shape a flat
//! facts file needs is kept: scalars, lists and mappings (deeper nesting is only described).

use std::ops::Range;

/// A value read from a facts file, with the byte range it was written at.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    /// What was written
    pub kind: NodeKind,
    /// Byte range in the file text
    pub span: Range<usize>,
}

/// The kinds of values a facts file can hold.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum NodeKind {
    /// `null` (and YAML `~` or an empty value)
    Null,
    /// `true` / `false`
    Bool(bool),
    /// Any number, including NaN and infinities where the format can write them
    Number(f64),
    /// A string
    Str(String),
    /// A list (sequence, array)
    List(Vec<Node>),
    /// A mapping (object, table): keys in file order, duplicates kept
    Map(Vec<Entry>),
    /// Something else the format allows, described for messages (e.g. `a date`)
    Other(&'static str),
}

/// One `key: value` pair of a mapping.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Entry {
    /// The key as text
    pub key: String,
    /// Where the key was written
    pub key_span: Range<usize>,
    /// The value
    pub value: Node,
}

/// A syntax error reported by a format reader.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SyntaxIssue {
    /// The parser's message, lowercase
    pub message: String,
    /// Where, as a byte range (may be empty)
    pub span: Range<usize>,
    /// The duplicated key, when the parser itself rejects a duplicate key
    pub duplicate_key: Option<String>,
}

impl Node {
    /// A node.
    pub fn new(kind: NodeKind, span: Range<usize>) -> Self {
        Node { kind, span }
    }

    /// How the value is described in messages: `number 12.5`, `a list`.
    pub fn describe(&self) -> String {
        match &self.kind {
            NodeKind::Null => "`null`".into(),
            NodeKind::Bool(b) => format!("boolean `{b}`"),
            NodeKind::Number(n) => format!("number `{}`", describe_number(*n)),
            NodeKind::Str(s) => format!("text `{}`", quote(s)),
            NodeKind::List(_) => "a list".into(),
            NodeKind::Map(_) => "a mapping".into(),
            NodeKind::Other(what) => (*what).into(),
        }
    }
}

/// A number as users write it, including the non-finite ones.
pub(crate) fn describe_number(n: f64) -> String {
    if n.is_nan() {
        "nan".into()
    } else if n.is_infinite() {
        if n > 0.0 { "inf" } else { "-inf" }.into()
    } else {
        crate::value::format_number(n)
    }
}

/// A string quoted for a message, shortened when long.
pub(crate) fn quote(s: &str) -> String {
    const MAX: usize = 40;
    let mut out: String = s.chars().take(MAX).collect();
    if s.chars().count() > MAX {
        out.push('…');
    }
    format!("\"{}\"", out.escape_debug())
}

/// 1-based line of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()
        .get(..end)
        .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count())
        + 1
}

/// Byte offset where a 1-based line starts (the text's end when there is no such line).
pub(crate) fn line_start(text: &str, line: usize) -> usize {
    let mut start = 0;
    for _ in 1..line.max(1) {
        match text.get(start..).and_then(|rest| rest.find('\n')) {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    start
}

/// Byte offset of a 1-based line and column counted in characters.
pub(crate) fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start = line_start(text, line);
    let rest = text.get(start..).unwrap_or("");
    let within = rest
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(rest.len(), |(i, _)| i);
    start + within
}

/// A span covering one character at `offset` (empty at the end of the text).
pub(crate) fn char_span(text: &str, offset: usize) -> Range<usize> {
    let start = offset.min(text.len());
    let len = text
        .get(start..)
        .and_then(|rest| rest.chars().next())
        .map_or(0, char::len_utf8);
    start..start + len
}
