//! Formatter, comments: recover `#` comments from the source text and attach them to the
//! lines the formatter prints.
//!
//! Input: the text of a rule file. Output: [`Comments`], the comments keyed by the byte
//! offset of the *anchor* they belong to.
//!
//! The syntax tree has no comments, so they are found again by position. Every line the
//! formatter prints starts with an anchor token (a declaration keyword, a clause keyword, a
//! criterion name, a fact name in `given`, `expect`) or is a closing `}`. A comment on its
//! own line belongs to the token that follows it: printed before the anchor starting with
//! that token, or before the `}`. A comment after code on a line belongs to the anchor the
//! code before it belongs to, and is printed at the end of that anchor's line (a second one
//! goes before the anchor). A comment in the middle of a construct the formatter puts on one
//! line (a condition spread over several lines) moves before that construct. The formatter
//! checks that every comment comes out, once.

use std::collections::HashMap;

/// What a token of the scan is; only what attaching comments needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TokKind {
    /// A name, keyword or number
    Word,
    /// A string or text block
    Str,
    /// `{`
    Open,
    /// `}`
    Close,
    /// Any other character
    Other,
    /// `# ...` to the end of the line
    Comment,
}

/// One token: kind and byte range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Tok {
    pub kind: TokKind,
    pub start: usize,
    pub end: usize,
}

/// Split rule file text into the tokens the formatter cares about, the way the grammar does
/// (comments are not looked for inside strings).
pub(super) fn tokenize(text: &str) -> Vec<Tok> {
    let bytes = text.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let start = i;
        let kind = match b {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'#' => {
                i = text
                    .get(i..)
                    .and_then(|s| s.find('\n'))
                    .map_or(text.len(), |n| i + n);
                TokKind::Comment
            }
            b'"' if text.get(i..).is_some_and(|s| s.starts_with("\"\"\"")) => {
                i = text
                    .get(i + 3..)
                    .and_then(|s| s.find("\"\"\""))
                    .map_or(text.len(), |n| i + 3 + n + 3);
                TokKind::Str
            }
            b'"' => {
                let mut j = i + 1;
                while let Some(&c) = bytes.get(j) {
                    if c == b'\n' {
                        break;
                    }
                    j += if c == b'\\' { 2 } else { 1 };
                    if c == b'"' {
                        break;
                    }
                }
                i = j.min(text.len());
                TokKind::Str
            }
            b'{' => {
                i += 1;
                TokKind::Open
            }
            b'}' => {
                i += 1;
                TokKind::Close
            }
            _ if is_word_byte(b) => {
                while bytes.get(i).is_some_and(|&c| is_word_byte(c)) {
                    i += 1;
                }
                TokKind::Word
            }
            _ => {
                i += 1;
                // Stay on a character boundary.
                while i < text.len() && !text.is_char_boundary(i) {
                    i += 1;
                }
                TokKind::Other
            }
        };
        toks.push(Tok {
            kind,
            start,
            end: i,
        });
    }
    toks
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// A comment as written (from `#`, trailing spaces removed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Comment {
    /// The text, starting with `#`
    pub text: String,
    /// Whether an empty line precedes it in the source
    pub blank_before: bool,
}

/// The comments of a file, attached to anchors (by the offset of their first token) and to
/// closing braces (by their offset).
#[derive(Clone, Debug, Default)]
pub(super) struct Comments {
    /// Own-line comments printed before the anchor
    pub leading: HashMap<usize, Vec<Comment>>,
    /// A comment printed at the end of the anchor's line
    pub trailing: HashMap<usize, Comment>,
    /// Own-line comments printed before a closing `}`
    pub before_close: HashMap<usize, Vec<Comment>>,
    /// A comment printed after a closing `}`
    pub after_close: HashMap<usize, Comment>,
    /// Comments after the last declaration
    pub at_end: Vec<Comment>,
    /// How many comments the file has
    pub total: usize,
}

/// Attach every comment of `text` to one of the `anchors` (sorted offsets of anchor tokens)
/// or `closes` (sorted offsets of closing braces the formatter prints).
pub(super) fn attach(text: &str, toks: &[Tok], anchors: &[usize], closes: &[usize]) -> Comments {
    let mut out = Comments::default();
    let code: Vec<&Tok> = toks.iter().filter(|t| t.kind != TokKind::Comment).collect();
    for tok in toks.iter().filter(|t| t.kind == TokKind::Comment) {
        out.total += 1;
        let comment = Comment {
            text: text
                .get(tok.start..tok.end)
                .unwrap_or("#")
                .trim_end()
                .to_string(),
            blank_before: blank_before(text, tok.start),
        };
        let after = code.partition_point(|t| t.start < tok.start);
        let next = code.get(after);
        let prev = after.checked_sub(1).and_then(|i| code.get(i));
        let enclosing = |at: usize| {
            let i = anchors.partition_point(|&a| a <= at);
            i.checked_sub(1).and_then(|i| anchors.get(i)).copied()
        };
        if own_line(text, tok.start) {
            match next {
                None => out.at_end.push(comment),
                Some(t) if t.kind == TokKind::Close && closes.binary_search(&t.start).is_ok() => {
                    out.before_close.entry(t.start).or_default().push(comment);
                }
                Some(t) if anchors.binary_search(&t.start).is_ok() => {
                    out.leading.entry(t.start).or_default().push(comment);
                }
                Some(t) => match enclosing(t.start).or(anchors.first().copied()) {
                    Some(a) => out.leading.entry(a).or_default().push(comment),
                    None => out.at_end.push(comment),
                },
            }
            continue;
        }
        // After code on the same line.
        let Some(p) = prev else {
            out.at_end.push(comment);
            continue;
        };
        if p.kind == TokKind::Close && closes.binary_search(&p.start).is_ok() {
            if let std::collections::hash_map::Entry::Vacant(e) = out.after_close.entry(p.start) {
                e.insert(comment);
            } else {
                out.before_close.entry(p.start).or_default().push(comment);
            }
            continue;
        }
        match enclosing(p.start) {
            Some(a) => {
                if let std::collections::hash_map::Entry::Vacant(e) = out.trailing.entry(a) {
                    e.insert(comment);
                } else {
                    out.leading.entry(a).or_default().push(comment);
                }
            }
            None => out.at_end.push(comment),
        }
    }
    out
}

/// Whether only spaces precede `at` on its line.
fn own_line(text: &str, at: usize) -> bool {
    let before = text.get(..at).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    before
        .get(line_start..)
        .is_some_and(|s| s.chars().all(|c| c == ' ' || c == '\t' || c == '\u{FEFF}'))
}

/// Whether an empty line separates `at` from what precedes it.
pub(super) fn blank_before(text: &str, at: usize) -> bool {
    let before = text.get(..at).unwrap_or("");
    let gap = before.trim_end_matches([' ', '\t', '\r', '\n']);
    if gap.is_empty() {
        return false;
    }
    before
        .get(gap.len()..)
        .is_some_and(|s| s.matches('\n').count() >= 2)
}

/// The comment texts of a file, sorted, to check that formatting kept every comment.
pub(super) fn comment_texts(text: &str) -> Vec<String> {
    let mut texts: Vec<String> = tokenize(text)
        .into_iter()
        .filter(|t| t.kind == TokKind::Comment)
        .filter_map(|t| text.get(t.start..t.end).map(|s| s.trim_end().to_string()))
        .collect();
    texts.sort();
    texts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_inside_strings_are_not_comments() {
        let text = "param a = \"# no\" # yes\nparam b = \"\"\"\n# no\n\"\"\"";
        assert_eq!(comment_texts(text), vec!["# yes".to_string()]);
    }

    #[test]
    fn own_line_comment_goes_to_the_next_anchor() {
        let text = "# head\n\nfact a: number # tail\n";
        let toks = tokenize(text);
        let c = attach(text, &toks, &[8], &[]);
        assert_eq!(c.leading.get(&8).map(Vec::len), Some(1));
        assert_eq!(c.trailing.get(&8).map(|c| c.text.as_str()), Some("# tail"));
    }

    #[test]
    fn blank_lines_are_seen() {
        assert!(blank_before("a\n\n  b", 5));
        assert!(!blank_before("a\n  b", 4));
        assert!(!blank_before("   b", 3));
    }
}
