//! Parser, continued: pest failures → `ParseError`, in the language's words.
//!
//! Input: a pest error (with its detailed parse attempts) and the file. Output: one
//! `ParseError` naming what was found and what would have been accepted, with targeted help.
//! Raw rule names never reach the user: the expected tokens are grouped into phrases.

use pest::error::{ErrorVariant, InputLocation};

use super::Rule;
use crate::source::SourceFile;
use crate::syntax::error::{reserved_list, ParseError, RESERVED_WORDS};
use crate::syntax::lexical;

const DECLARATIONS: &[&str] = &[
    "fact", "param", "derived", "type", "policy", "avoid", "test",
];
const POLICY_CLAUSES: &[&str] = &[
    "for",
    "when",
    "phase",
    "after",
    "advice",
    "rationale",
    "label",
    "description",
    "cite",
];
const TYPE_CLAUSES: &[&str] = &[
    "required",
    "indicative",
    "excluding",
    "label",
    "description",
    "cite",
];
const FACT_CLAUSES: &[&str] = &["minimum", "maximum", "label", "description", "cite", "unit"];
const META_CLAUSES: &[&str] = &["label", "description", "cite", "unit"];
const TEST_CLAUSES: &[&str] = &["given", "param", "expect"];
const FACT_TYPES: &[&str] = &[
    "number", "count", "integer", "ratio", "boolean", "text", "level", "one", "set",
];
const STATUSES: &[&str] = &["matched", "undetermined", "recommended", "avoided"];
const COMPARISONS: &[&str] = &["==", "!=", "<=", ">=", "<", ">"];

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
    // A reserved word where a name belongs fails inside the name rule's lookahead, so pest
    // reports the position after the word with nothing expected: step back onto the word.
    if expected.tokens.is_empty() && !expected.number {
        if let Some(start) = reserved_word_before(text, pos) {
            pos = start;
            expected.name = true;
        }
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
    let (label, help) = targeted_help(&found, &expected);
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
fn enclosing_block(text: &str, pos: usize) -> Option<&str> {
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
    let head = text.get(..pos)?;
    let start = head
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word_char(*c))
        .last()
        .map(|(i, _)| i)?;
    RESERVED_WORDS
        .contains(&head.get(start..)?)
        .then_some(start)
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

fn is_word_char(c: char) -> bool {
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
            let Some(first) = words.first() else { continue };
            if !wants(first) {
                continue;
            }
            if let Some(best) = closest(word, words) {
                return (
                    format!("not {what}"),
                    Some(format!("did you mean `{best}`?")),
                );
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
    (label("unexpected here"), None)
}

/// The candidate closest to `word` by edit distance, if close enough to be a typo.
fn closest<'w>(word: &str, candidates: &[&'w str]) -> Option<&'w str> {
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), *c))
        .filter(|(d, c)| *d <= 2 && *d < c.len().max(2) - 1)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// The tokens pest would have accepted, grouped.
#[derive(Default)]
struct Expected {
    /// Literal tokens (`{`, `label`, `==`, ...)
    tokens: Vec<String>,
    /// A name could start here
    name: bool,
    /// A number could start here
    number: bool,
    /// The error is inside a `required`, `indicative` or `excluding` block
    in_criteria: bool,
    /// An expression could start here
    expression: bool,
}

impl Expected {
    fn add_token(&mut self, t: &str) {
        match t {
            " " | "\t" | "\r" | "\n" | "\u{feff}" | "#" => {}
            "_" | "BUILTIN_RULE" => self.name = true,
            "0..9" => self.number = true,
            _ if !self.has(t) => self.tokens.push(t.to_string()),
            _ => {}
        }
    }

    /// Call once all tokens are added.
    fn finish(&mut self) {
        self.expression = self.number && self.has("(") && self.has("\"");
    }

    fn has(&self, t: &str) -> bool {
        self.tokens.iter().any(|x| x == t)
    }

    /// The accepted tokens as one phrase: "a name, `}` or a policy clause (...)".
    fn describe(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut used: Vec<String> = Vec::new();
        let group =
            |words: &[&str], phrase: String, parts: &mut Vec<String>, used: &mut Vec<String>| {
                if words.iter().all(|w| self.has(w))
                    && !words.iter().all(|w| used.iter().any(|u| u == w))
                {
                    parts.push(phrase);
                    used.extend(words.iter().map(|w| w.to_string()));
                    true
                } else {
                    false
                }
            };
        if self.expression {
            parts.push(String::from("an expression"));
            used.extend(["(", "\"", "\"\"\"", "-", "true", "false", "not"].map(String::from));
        } else if self.number && self.has("[") {
            parts.push(String::from(
                "a value (a number, a string, `true`, `false`, a name, a list `[a, b]` or `unknown`)",
            ));
            used.extend(["[", "\"", "\"\"\"", "-", "true", "false", "unknown"].map(String::from));
        } else if self.number && self.has("\"") {
            parts.push(String::from(
                "a value (a number, a string, `true`, `false` or a name)",
            ));
            used.extend(["\"", "\"\"\"", "-", "true", "false"].map(String::from));
        } else if self.number {
            parts.push(String::from("a number"));
            used.push(String::from("-"));
        } else if self.has("\"") {
            parts.push(String::from("a string in double quotes"));
            used.push(String::from("\"\"\""));
            used.push(String::from("\""));
        }
        let name_phrase = if self.in_criteria && self.has("}") {
            "a criterion (`name: condition`)"
        } else {
            "a name"
        };
        if self.name && !self.expression && !(self.number && self.has("\"")) {
            parts.push(name_phrase.to_string());
        }
        if COMPARISONS.iter().all(|c| self.has(c)) {
            if self.has("+") && self.has("*") {
                parts.push(String::from("an operator"));
                used.extend(
                    [
                        "+", "-", "*", "/", "(", "is", "not", "in", "between", "contains",
                    ]
                    .map(String::from),
                );
            } else {
                parts.push(String::from("a comparison operator"));
            }
            used.extend(COMPARISONS.iter().map(|c| c.to_string()));
        }
        let decls = format!(
            "a declaration ({})",
            list(
                DECLARATIONS.iter().map(|d| format!("`{d}`")).collect(),
                "or"
            )
        );
        let clause = |what: &str, words: &[&str]| {
            format!(
                "{what} ({})",
                list(words.iter().map(|d| format!("`{d}`")).collect(), "or")
            )
        };
        group(DECLARATIONS, decls, &mut parts, &mut used);
        if group(
            &["required"],
            clause("a type clause", TYPE_CLAUSES),
            &mut parts,
            &mut used,
        ) {
            used.extend(
                TYPE_CLAUSES
                    .iter()
                    .chain(META_CLAUSES)
                    .map(|w| w.to_string()),
            );
        }
        if group(
            &["for"],
            clause("a policy clause", POLICY_CLAUSES),
            &mut parts,
            &mut used,
        ) {
            used.extend(
                POLICY_CLAUSES
                    .iter()
                    .chain(META_CLAUSES)
                    .map(|w| w.to_string()),
            );
        }
        if group(
            &["minimum"],
            clause("a fact clause", FACT_CLAUSES),
            &mut parts,
            &mut used,
        ) {
            used.extend(
                FACT_CLAUSES
                    .iter()
                    .chain(META_CLAUSES)
                    .map(|w| w.to_string()),
            );
        }
        if group(
            &["given"],
            clause("a test clause", TEST_CLAUSES),
            &mut parts,
            &mut used,
        ) {
            used.extend(TEST_CLAUSES.iter().map(|w| w.to_string()));
        }
        group(
            META_CLAUSES,
            clause("a descriptive clause", META_CLAUSES),
            &mut parts,
            &mut used,
        );
        if group(
            &["number", "level"],
            clause("a type", FACT_TYPES),
            &mut parts,
            &mut used,
        ) {
            used.extend(FACT_TYPES.iter().map(|w| w.to_string()));
        }
        group(
            STATUSES,
            clause("a status", STATUSES),
            &mut parts,
            &mut used,
        );
        for t in &self.tokens {
            if !used.contains(t) {
                parts.push(format!("`{t}`"));
                used.push(t.clone());
            }
        }
        if parts.is_empty() {
            return String::from("something else");
        }
        list(parts, "or")
    }
}

/// `a`, `a or b`, `a, b or c`.
fn list(mut items: Vec<String>, last_joiner: &str) -> String {
    match items.len() {
        0 => String::new(),
        1 => items.remove(0),
        _ => {
            let last = items.pop().unwrap_or_default();
            format!("{} {last_joiner} {last}", items.join(", "))
        }
    }
}
