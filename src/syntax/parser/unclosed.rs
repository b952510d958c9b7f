//! Parser, continued: a block or parenthesis left open, found where the parse failed.
//!
//! Input: the text, the failure position and what pest expected there. Output: an
//! [`ParseError::Unclosed`] pointing at where the closing was due (the clause or
//! declaration that starts too early, or the `}` that comes while a `(` is open) with a
//! second label on the opening, when the failure is explained that way.
//!
//! pest fails where the text stops fitting, which for a missing `}` is somewhere later:
//! `indicative {` inside an unclosed `required {` reads as a criterion named `indicative`
//! lacking its `:`. The mistake is the missing `}`, so that is what the diagnostic says.

use super::expected::{is_word_char, word_before};
use super::phrases::{Expected, DECLARATIONS, TEST_CLAUSES, TYPE_CLAUSES};
use crate::source::SourceFile;
use crate::syntax::error::ParseError;
use crate::syntax::lexical;

/// The blocks whose entries are criteria (`name: condition`).
const CRITERIA_BLOCKS: &[&str] = &["required", "indicative", "excluding"];

/// An `Unclosed` error explaining the failure at `pos`, if one does.
pub(super) fn detect(
    text: &str,
    pos: usize,
    expected: &Expected,
    source: &SourceFile,
) -> Option<ParseError> {
    clause_too_early(text, pos, source).or_else(|| group_open(text, pos, expected, source))
}

/// A clause or declaration keyword standing where the open block's entries go: the word at
/// `pos`, or the one before it (pest read `indicative` as a criterion's name and failed
/// after it).
fn clause_too_early(text: &str, pos: usize, source: &SourceFile) -> Option<ParseError> {
    words_near(text, pos)
        .into_iter()
        .find_map(|(start, word)| clause_at(text, start, word, source))
}

fn clause_at(text: &str, word_start: usize, word: &str, source: &SourceFile) -> Option<ParseError> {
    let before = text.get(..word_start)?;
    let brace = *lexical::scan(before).open_braces.last()?;
    let block = block_word(text, brace)?;
    let starts_line = before
        .rsplit('\n')
        .next()
        .is_some_and(|line| line.trim().is_empty());
    let followed_by_body = text
        .get(word_start + word.len()..)
        .map(str::trim_start)
        .is_some_and(|rest| rest.starts_with('{') || rest.starts_with('"'));
    let fits = if CRITERIA_BLOCKS.contains(&block) {
        (TYPE_CLAUSES.contains(&word) && followed_by_body)
            || (DECLARATIONS.contains(&word) && starts_line)
    } else if block == "given" {
        TEST_CLAUSES.contains(&word) || (DECLARATIONS.contains(&word) && starts_line)
    } else {
        // Inside a declaration's body: only a new declaration at the start of a line is
        // evidence enough (`param` is also a test clause, and legal inside a test).
        DECLARATIONS.contains(&word) && starts_line && !(word == "param" && block == "test")
    };
    if !fits {
        return None;
    }
    let opener = opener_text(text, brace);
    let open_line = line_of(text, brace);
    let word_line = line_of(text, word_start);
    let what = if DECLARATIONS.contains(&word) {
        "a new declaration starts here"
    } else {
        "a new clause starts here"
    };
    Some(ParseError::Unclosed {
        before: format!("`{word}`"),
        src: source.named_source(),
        span: (word_start, word.len()).into(),
        label: format!("{what}, inside `{opener}`"),
        open: (brace, 1).into(),
        help: format!(
            "add `}}` to close `{opener}` (line {open_line}) before `{word}` (line {word_line})"
        ),
        opener,
    })
}

/// A `(` or `[` still open where pest wanted its closing.
fn group_open(
    text: &str,
    pos: usize,
    expected: &Expected,
    source: &SourceFile,
) -> Option<ParseError> {
    let scan = lexical::scan(text.get(..pos)?);
    let group = *scan.open_groups.last()?;
    let opener = text.get(group..=group)?;
    let closer = if opener == "(" { ")" } else { "]" };
    if !expected.tokens.iter().any(|t| t == closer) {
        return None;
    }
    let rest = text.get(pos..).unwrap_or("");
    let found_len = rest.chars().next().map_or(0, char::len_utf8);
    let found = match rest.chars().next() {
        None => String::from("end of file"),
        Some('\n' | '\r') => String::from("end of line"),
        Some(c) => format!("`{c}`"),
    };
    let span = if found_len == 0 {
        (pos.saturating_sub(1), usize::from(pos > 0)).into()
    } else {
        (pos, found_len).into()
    };
    Some(ParseError::Unclosed {
        opener: opener.to_string(),
        before: found,
        src: source.named_source(),
        span,
        label: format!("`{closer}` expected before this"),
        open: (group, 1).into(),
        help: format!(
            "add `{closer}` to close the `{opener}` opened on line {}, column {}",
            line_of(text, group),
            column_of(text, group)
        ),
    })
}

/// The word at `pos` (when one starts there) and the word before it.
fn words_near(text: &str, pos: usize) -> Vec<(usize, &str)> {
    let is_word = is_word_char;
    let mut words = Vec::new();
    let rest = text.get(pos..).unwrap_or("");
    let at = rest
        .get(..rest.find(|c: char| !is_word(c)).unwrap_or(rest.len()))
        .unwrap_or("");
    let preceded_by_word = text
        .get(..pos)
        .and_then(|h| h.chars().next_back())
        .is_some_and(is_word);
    if !at.is_empty() && !preceded_by_word {
        words.push((pos, at));
    }
    words.extend(word_before(text, pos));
    words
}

/// The word the block at `brace` belongs to: `required`, `given`, or the declaration
/// keyword (`type`, `policy`, `test`, ...).
fn block_word(text: &str, brace: usize) -> Option<&str> {
    let head = text.get(..brace)?.trim_end();
    let last = head.rsplit(|c: char| c.is_whitespace()).next()?;
    if CRITERIA_BLOCKS.contains(&last) || last == "given" {
        return Some(last);
    }
    let start = opener_start(text, brace);
    let first = text.get(start..brace)?.split_whitespace().next()?;
    DECLARATIONS.iter().copied().find(|d| *d == first)
}

/// Where the opening of the block at `brace` begins: the word before a criteria block's
/// `{`, or the declaration keyword, found after the previous `{`, `}` or line break.
fn opener_start(text: &str, brace: usize) -> usize {
    let head = text.get(..brace).unwrap_or("");
    let trimmed = head.trim_end();
    let last_word_start = trimmed
        .rfind(|c: char| c.is_whitespace())
        .map_or(0, |i| i + 1);
    if let Some(word) = trimmed.get(last_word_start..) {
        if CRITERIA_BLOCKS.contains(&word) || word == "given" {
            return last_word_start;
        }
    }
    let boundary = head.rfind(['{', '}', '\n']).map_or(0, |i| i + 1);
    let line = head.get(boundary..).unwrap_or("");
    boundary + (line.len() - line.trim_start().len())
}

/// `required {`, `type cluster {`: the opening as written, on one line, shortened.
fn opener_text(text: &str, brace: usize) -> String {
    let start = opener_start(text, brace);
    let written = text.get(start..=brace).unwrap_or("{");
    let words: Vec<&str> = written.split_whitespace().collect();
    let mut one_line = words.join(" ");
    if one_line.chars().count() > 40 {
        let first_two: Vec<&str> = words.iter().take(2).copied().collect();
        one_line = format!("{} … {{", first_two.join(" "));
    }
    one_line
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |t| t.matches('\n').count() + 1)
}

/// 1-based column (in characters) of a byte offset.
fn column_of(text: &str, offset: usize) -> usize {
    let before = text.get(..offset).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    before
        .get(line_start..)
        .map_or(1, |l| l.chars().count() + 1)
}
