//! Formatter: rule file text → the same rule file in meso's one canonical layout.
//!
//! Input: a `SourceFile` (or, for generated rule sets, a bare `ast::RuleFile`). Output: the
//! formatted text, or a [`FmtError`] when the file does not parse or formatting would
//! change what it says.
//!
//! The layout: two spaces of indentation; one clause per line; one criterion, `given` value
//! and `expect` per line; clauses in a fixed order (label, description, unit, then the
//! declaration's own clauses, cite last, except in types where `cite` precedes the criteria
//! blocks); `=` aligned in `given` blocks; at most one empty line in a row, and one between
//! declarations that span several lines. Strings are re-quoted, `"""` text blocks and
//! number literals are kept as written. Comments stay where they were (see `comments`).
//!
//! Safety: [`format_source`] parses its own output again and refuses (an error) unless the
//! tree is the same as the input's (spans are ignored by tree equality) and every comment
//! is still there.

mod comments;
mod expr;
mod items;

use miette::Diagnostic;
use thiserror::Error;

use crate::source::{FileId, SourceFile};
use crate::syntax::ast;
use crate::syntax::error::ParseError;
use crate::syntax::parser::parse_file;
use comments::Comments;
use expr::Writer;

/// Why a file could not be formatted.
#[derive(Debug, Error, Diagnostic)]
pub enum FmtError {
    /// The file does not parse; nothing is formatted.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Parse(Box<ParseError>),

    /// Formatting would change the rule file's meaning or lose a comment (a formatter bug).
    ///
    /// Never expected; reported instead of writing a wrong file.
    #[error("formatting `{file}` would change {what}; the file was left as it is")]
    #[diagnostic(
        code(meso::fmt::changed_meaning),
        help("please report this with the file; format it by hand meanwhile")
    )]
    ChangedMeaning {
        /// The file
        file: String,
        /// What would change: `its rules` or `its comments`
        what: String,
    },
}

/// Format one rule file: parse it, print it in the canonical layout with its comments, and
/// check that the result parses to the same rules with the same comments.
pub fn format_source(source: &SourceFile) -> Result<String, FmtError> {
    let tree = parse_file(FileId(0), source).map_err(|e| FmtError::Parse(Box::new(e)))?;
    let text: &str = &source.text;
    let formatted = print_with_source(&tree, text);
    let changed = |what: &str| FmtError::ChangedMeaning {
        file: source.name.clone(),
        what: what.to_string(),
    };
    let again = SourceFile {
        name: source.name.clone(),
        text: formatted.as_str().into(),
    };
    match parse_file(FileId(0), &again) {
        Ok(reparsed) if reparsed == tree => {}
        _ => return Err(changed("its rules")),
    }
    if comments::comment_texts(text) != comments::comment_texts(&formatted) {
        return Err(changed("its comments"));
    }
    Ok(formatted)
}

/// Print a syntax tree in the canonical layout, without comments (there is no source text to
/// find them in). Used for generated rule sets; `parse(print_file(t)) == t`.
pub fn print_file(file: &ast::RuleFile) -> String {
    let mut p = Printer::new(None, Comments::default());
    p.file(file);
    p.out
}

fn print_with_source(tree: &ast::RuleFile, text: &str) -> String {
    let toks = comments::tokenize(text);
    // First pass: learn which tokens start printed lines and which braces are printed.
    let mut probe = Printer::new(Some((text, &toks)), Comments::default());
    probe.file(tree);
    let (mut anchors, mut closes) = (probe.anchors, probe.closes);
    anchors.sort_unstable();
    anchors.dedup();
    closes.sort_unstable();
    closes.dedup();
    let attached = comments::attach(text, &toks, &anchors, &closes);
    let mut p = Printer::new(Some((text, &toks)), attached);
    p.file(tree);
    p.out
}

/// Spaces per level of indentation.
const INDENT: usize = 2;

/// Builds the formatted text line by line.
pub(super) struct Printer<'s> {
    src: Option<(&'s str, &'s [comments::Tok])>,
    comments: Comments,
    /// Anchor offsets asked for while printing (first pass)
    anchors: Vec<usize>,
    /// Offsets of closing braces printed
    closes: Vec<usize>,
    out: String,
    /// Current indentation, in spaces
    indent: usize,
    /// True right after a `{` line (no empty line there)
    block_start: bool,
}

impl<'s> Printer<'s> {
    fn new(src: Option<(&'s str, &'s [comments::Tok])>, comments: Comments) -> Self {
        Printer {
            src,
            comments,
            anchors: Vec::new(),
            closes: Vec::new(),
            out: String::new(),
            indent: 0,
            block_start: true,
        }
    }

    fn writer(&self) -> Writer<'s> {
        Writer {
            src: self.src.map(|(t, _)| t),
        }
    }

    fn text(&self) -> Option<&'s str> {
        self.src.map(|(t, _)| t)
    }

    /// Offset of the token before the one starting at `at` (the keyword of a clause whose
    /// value starts at `at`).
    fn keyword_before(&self, at: u32) -> Option<usize> {
        let (_, toks) = self.src?;
        let code: Vec<&comments::Tok> = toks
            .iter()
            .filter(|t| t.kind != comments::TokKind::Comment)
            .collect();
        let i = code.partition_point(|t| t.start < at as usize);
        i.checked_sub(1).and_then(|i| code.get(i)).map(|t| t.start)
    }

    /// Whether the source has an empty line before `at`.
    fn blank_in_source(&self, at: Option<usize>) -> bool {
        match (self.text(), at) {
            (Some(text), Some(at)) => comments::blank_before(text, at),
            _ => false,
        }
    }

    fn push_blank(&mut self, wanted: bool) {
        if wanted && !self.block_start && !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    fn push_comment_line(&mut self, c: &comments::Comment, indent: usize) {
        self.push_blank(c.blank_before);
        self.out.push_str(&" ".repeat(indent));
        self.out.push_str(&c.text);
        self.out.push('\n');
        self.block_start = false;
    }

    /// Start a line for the anchor at `key`: its leading comments, an empty line if wanted
    /// (`force`, or the source had one).
    fn begin(&mut self, key: Option<usize>, force_blank: bool) {
        if let Some(k) = key {
            self.anchors.push(k);
        }
        let leading = key
            .and_then(|k| self.comments.leading.remove(&k))
            .unwrap_or_default();
        let mut first = true;
        for c in &leading {
            let mut c = c.clone();
            if first {
                c.blank_before |= force_blank;
                first = false;
            }
            self.push_comment_line(&c, self.indent);
        }
        let blank = if leading.is_empty() {
            force_blank || self.blank_in_source(key)
        } else {
            self.blank_in_source(key)
        };
        self.push_blank(blank);
    }

    /// Write one line (which may contain the line breaks of a text block), then its
    /// trailing comment.
    fn line(&mut self, key: Option<usize>, text: &str) {
        self.begin(key, false);
        self.raw_line(key, text);
    }

    fn raw_line(&mut self, key: Option<usize>, text: &str) {
        self.out.push_str(&" ".repeat(self.indent));
        self.out.push_str(text);
        if let Some(c) = key.and_then(|k| self.comments.trailing.remove(&k)) {
            self.out.push_str("  ");
            self.out.push_str(&c.text);
        }
        self.out.push('\n');
        self.block_start = false;
    }

    /// `header {`, then the body at one more indentation.
    fn open(&mut self, key: Option<usize>, header: &str, force_blank: bool) {
        self.begin(key, force_blank);
        self.raw_line(key, &format!("{header} {{"));
        self.indent += INDENT;
        self.block_start = true;
    }

    /// Comments before the `}` at `close`, then the `}` and its trailing comment.
    fn close(&mut self, close: Option<usize>) {
        if let Some(c) = close {
            self.closes.push(c);
            for comment in self.comments.before_close.remove(&c).unwrap_or_default() {
                self.push_comment_line(&comment, self.indent);
            }
        }
        self.indent = self.indent.saturating_sub(INDENT);
        self.out.push_str(&" ".repeat(self.indent));
        self.out.push('}');
        if let Some(c) = close.and_then(|c| self.comments.after_close.remove(&c)) {
            self.out.push_str("  ");
            self.out.push_str(&c.text);
        }
        self.out.push('\n');
        self.block_start = false;
    }

    fn file(&mut self, file: &ast::RuleFile) {
        let mut prev_multiline = false;
        for (i, item) in file.items.iter().enumerate() {
            // A declaration spanning several lines is set apart by an empty line.
            let multiline = self.item_is_multiline(item);
            let force = i > 0 && (prev_multiline || multiline || self.src.is_none());
            self.item(item, force);
            prev_multiline = multiline;
        }
        let end = std::mem::take(&mut self.comments.at_end);
        for c in &end {
            self.push_comment_line(c, 0);
        }
    }
}
