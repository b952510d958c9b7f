//! Parser, continued: pest failures → `ParseError`, in the language's words.
//!
//! Input: a pest error (with its detailed parse attempts) and the file. Output: one
//! `ParseError` naming what was found and what would have been accepted, with targeted help.
//! Raw rule names never reach the user: the expected tokens are grouped into phrases.

use pest::error::{ErrorVariant, InputLocation};

use super::phrases::{
    Expected, COMPARISONS, DECLARATIONS, FACT_CLAUSES, FACT_TYPES, POLICY_CLAUSES, STATUSES,
    TEST_CLAUSES, TYPE_CLAUSES,
};
use super::Rule;
use super::{hints, unclosed};
use crate::source::SourceFile;
use crate::suggest::did_you_mean;
use crate::syntax::error::{reserved_list, ParseError, RESERVED_WORDS};
use crate::syntax::lexical;

/// Convert a pest failure into a diagnostic.
pub(super) fn convert(error: &pest::error::Error<Rule>, source: &SourceFile) -> ParseError {
    let text: &str = &source.text;
    let mut pos = match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    if let ErrorVariant::CustomError { .. } = error.variant {
        // pest refuses input nested deeper than the native stack allows.
        return ParseError::TooDeep {
            limit: super::MAX_EXPR_DEPTH,
            src: source.named_source(),
            span: (pos.min(text.len()), 0).into(),
        };
    }
    let mut expected = Expected::default();
    if let Some(attempts) = error.parse_attempts() {
        if attempts.max_position >= pos {
            pos = attempts.max_position;
        }
        for token in attempts.expected_tokens() {
            // The token type is not exported by pest; its display form is the token itself,
            // `0..9` for a digit range and `BUILTIN_RULE` for Unicode classes.
            expected.add_token(&token.to_string());
        }
    }
    let mut pos = pos.min(text.len());
    expected.in_criteria = matches!(
        enclosing_block(text, pos),
        Some("required" | "indicative" | "excluding")
    );
    expected.finish();
    let scan = lexical::scan(text);
    if let Some(open) = scan.open_string.as_ref().filter(|s| s.range.start <= pos) {
        let help = if open.triple {
            "close the text with `\"\"\"`"
        } else {
            "close the string with `\"` on the same line; for text over several lines use `\"\"\"`"
        };
        return ParseError::UnterminatedString {
            src: source.named_source(),
            span: (open.range.start, open.range.len()).into(),
            help: help.to_string(),
        };
    }
    if let Some(err) = invalid_number(text, pos, source) {
        return err;
    }
    if let Some(err) = unclosed::detect(text, pos, &expected, source) {
        return err;
    }
    // A reserved word where a name belongs fails inside the name rule's lookahead, so pest
    // reports the position after the word with nothing expected: step back onto the word.
    if expected.tokens.is_empty() && !expected.number {
        if let Some(start) = reserved_word_before(text, pos) {
            pos = start;
            expected.name = true;
        } else if let Some(start) = word_start_before(text, pos)
            .filter(|_| next_char_after(text, pos).is_some_and(is_word_char))
        {
            // Likewise a keyword running into a word (`facta`): the keyword matched up to
            // `pos`, then its word boundary failed. Report the whole word.
            if let Some(keyword) = text.get(start..pos) {
                expected.tokens.push(keyword.to_string());
            }
            pos = start;
        }
    }
    // Right after a word pest also tried to continue that word's name: not worth showing.
    if text
        .get(..pos)
        .and_then(|h| h.chars().next_back())
        .is_some_and(is_word_char)
    {
        expected.name = false;
    }
    if expected.tokens.is_empty() && !expected.number && !expected.name {
        // Only a name's own lookahead failed (`level(`): a name was wanted here.
        expected.name = true;
    }
    let found = Found::at(text, pos);
    if let Some(word) = found.word.as_deref() {
        if RESERVED_WORDS.contains(&word) && expected.name && !expected.expression {
            let is_name = !expected.in_criteria
                || next_char_after(text, pos + word.len()).is_some_and(|c| c == ':');
            if is_name {
                return ParseError::ReservedWord {
                    word: word.to_string(),
                    src: source.named_source(),
                    span: (pos, word.len()).into(),
                    help: if word == "unknown" {
                        String::from("to test for a missing value write `x is unknown`")
                    } else {
                        format!(
                            "choose another name; the reserved words are {}",
                            reserved_list()
                        )
                    },
                };
            }
            // `required { not x }`: a condition without a name.
            expected.tokens.push(String::from("}"));
        }
    }
    let (label, help) = hints::in_context(text, pos, found.shown.trim_matches('`'), &expected)
        .map(|(label, help)| (label, Some(help)))
        .unwrap_or_else(|| targeted_help(&found, &expected));
    let unclosed = if found.end_of_file && expected.tokens.iter().any(|t| t == "}") {
        scan.open_braces.last().map(|&b| (b, 1).into())
    } else {
        None
    };
    // miette cannot show a label at the very end of the text: point at the last character.
    let span = if found.end_of_file {
        let trimmed = text.trim_end();
        let last = trimmed.chars().next_back().map_or(0, char::len_utf8);
        (trimmed.len() - last, last)
    } else {
        (pos, found.len)
    };
    ParseError::UnexpectedToken {
        found: found.shown.clone(),
        expected: expected.describe(),
        src: source.named_source(),
        span: span.into(),
        label,
        unclosed,
        help,
    }
}

/// The keyword written before the innermost `{` still open at `pos`
/// (`required`, `given`, a declaration name, ...).
pub(super) fn enclosing_block(text: &str, pos: usize) -> Option<&str> {
    let before = text.get(..pos)?;
    let brace = *lexical::scan(before).open_braces.last()?;
    let head = text.get(..brace)?.trim_end();
    let start = head
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word_char(*c))
        .last()
        .map_or(head.len(), |(i, _)| i);
    head.get(start..)
}

/// Start of the reserved word that ends exactly at `pos`, if any.
fn reserved_word_before(text: &str, pos: usize) -> Option<usize> {
    let start = word_start_before(text, pos)?;
    RESERVED_WORDS
        .contains(&text.get(start..pos)?)
        .then_some(start)
}

/// The word before `pos`, skipping spaces, with its start (`indicative` in
/// `indicative {` when `pos` is at the `{`).
pub(super) fn word_before(text: &str, pos: usize) -> Option<(usize, &str)> {
    let head = text.get(..pos)?.trim_end();
    let start = word_start_before(head, head.len())?;
    Some((start, head.get(start..)?))
}

/// Start of the word that `pos` is inside of or right after, if any.
fn word_start_before(text: &str, pos: usize) -> Option<usize> {
    text.get(..pos)?
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word_char(*c))
        .last()
        .map(|(i, _)| i)
}

/// What stands at the error position.
struct Found {
    /// `` `word` `` or `end of file`
    shown: String,
    /// The word, when a name-like word stands there
    word: Option<String>,
    /// Bytes covered
    len: usize,
    end_of_file: bool,
}

impl Found {
    fn at(text: &str, pos: usize) -> Found {
        let rest = text.get(pos..).unwrap_or("");
        let Some(first) = rest.chars().next() else {
            return Found {
                shown: String::from("end of file"),
                word: None,
                len: 0,
                end_of_file: true,
            };
        };
        let token: &str = if is_word_char(first) {
            let end = rest.find(|c: char| !is_word_char(c)).unwrap_or(rest.len());
            rest.get(..end).unwrap_or(rest)
        } else if "=<>!&|".contains(first) {
            let end = rest
                .char_indices()
                .take(2)
                .take_while(|(_, c)| "=<>!&|".contains(*c))
                .map(|(i, c)| i + c.len_utf8())
                .last()
                .unwrap_or(first.len_utf8());
            rest.get(..end).unwrap_or(rest)
        } else {
            rest.get(..first.len_utf8()).unwrap_or(rest)
        };
        let shown = match token {
            "\n" | "\r" => String::from("end of line"),
            "`" => String::from("a backtick"),
            t => format!("`{t}`"),
        };
        Found {
            shown,
            word: first.is_alphabetic().then(|| token.to_string()),
            len: token.len(),
            end_of_file: false,
        }
    }
}

pub(super) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The first character after `pos` that is not a space or tab.
fn next_char_after(text: &str, pos: usize) -> Option<char> {
    text.get(pos..)?.chars().find(|c| *c != ' ' && *c != '\t')
}

/// Digits running into letters or a second decimal point: `5O`, `0x1F`, `1.2.3`.
fn invalid_number(text: &str, pos: usize, source: &SourceFile) -> Option<ParseError> {
    let before = text.get(..pos)?;
    let after = text.get(pos..)?;
    let is_num_char = |c: char| c.is_alphanumeric() || c == '_' || c == '.' || c == '%';
    let prev = before.chars().next_back()?;
    let next = after.chars().next()?;
    if !(prev.is_ascii_digit() || prev == '_' || prev == '%') || !is_num_char(next) {
        return None;
    }
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_num_char(*c))
        .last()
        .map_or(pos, |(i, _)| i);
    if !text.get(start..)?.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let end = after
        .find(|c: char| !is_num_char(c))
        .map_or(text.len(), |n| pos + n);
    let written = text.get(start..end)?;
    Some(ParseError::InvalidNumber {
        text: written.to_string(),
        src: source.named_source(),
        span: (start, written.len()).into(),
        reason: String::from("not a number"),
        help: String::from(
            "numbers are written like `12`, `0.5`, `12_000`, `1e-3` or `90%`; names cannot start with a digit",
        ),
    })
}

/// The primary label and the help for an unexpected token.
fn targeted_help(found: &Found, expected: &Expected) -> (String, Option<String>) {
    let token = found.shown.trim_matches('`');
    let wants = |t: &str| expected.tokens.iter().any(|x| x == t);
    let label = |s: &str| s.to_string();
    if token == "=" && (wants("==") || expected.expression) {
        return (
            label("`=` gives a value; it does not compare"),
            Some(String::from("use `==` or `is` to compare")),
        );
    }
    if token == "&&" || token == "&" {
        return (
            label("not a meso operator"),
            Some(String::from("write `and` instead of `&&`")),
        );
    }
    if token == "||" || token == "|" {
        return (
            label("not a meso operator"),
            Some(String::from("write `or` instead of `||`")),
        );
    }
    if token == "!" {
        return (
            label("not a meso operator"),
            Some(String::from("write `not` to negate a condition")),
        );
    }
    let in_criterion = expected.in_criteria;
    let operator_like = COMPARISONS.contains(&token)
        || [
            "is", "in", "not", "between", "contains", "and", "or", "+", "-", "*", "/", "(",
        ]
        .contains(&token)
        || token.starts_with(|c: char| c.is_ascii_digit() || c == '"');
    if in_criterion && wants(":") && !operator_like {
        return (
            label("expected `:` before this"),
            Some(String::from(
                "put a `:` between the criterion name and its condition: `name: condition`",
            )),
        );
    }
    if in_criterion && (wants(":") || expected.name) && operator_like {
        return (
            label("this criterion has no name"),
            Some(String::from("give the criterion a name: `name: condition`")),
        );
    }
    if found.end_of_file && wants("}") {
        return (
            label("the file ends after this"),
            Some(String::from("add the missing `}`")),
        );
    }
    if let Some(word) = found.word.as_deref() {
        for (words, what) in [
            (POLICY_CLAUSES, "a policy clause"),
            (TYPE_CLAUSES, "a type clause"),
            (FACT_CLAUSES, "a fact clause"),
            (TEST_CLAUSES, "a test clause"),
            (DECLARATIONS, "a declaration"),
            (FACT_TYPES, "a type"),
            (STATUSES, "a status"),
        ] {
            // A list is offered when the parser wanted its first word (an empty list offers
            // nothing, so skipping it is the right answer, not a hidden failure).
            if !words.first().is_some_and(|first| wants(first)) {
                continue;
            }
            if let Some(help) = did_you_mean(word, words.iter().copied()) {
                return (format!("not {what}"), Some(help));
            }
        }
    }
    if found.end_of_file {
        return (label("the file ends after this"), None);
    }
    if let [only] = expected.tokens.as_slice() {
        if !expected.name && !expected.number {
            return (format!("expected `{only}` before this"), None);
        }
    }
    if found.word.is_some() || expected.tokens.len() <= 4 {
        let expected_phrase = expected.describe();
        return (
            label("unexpected here"),
            Some(format!(
                "write {expected_phrase} here, or remove {}",
                found.shown
            )),
        );
    }
    (
        label("unexpected here"),
        Some(format!(
            "remove {}, or finish what comes before it",
            found.shown
        )),
    )
}
