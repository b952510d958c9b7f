//! Parser, continued: help for mistakes recognised by what stands before the failure.
//!
//! Input: the text, the failure position, the token found there and what pest expected.
//! Output: a label and a help that say how to write it, for habits from other languages
//! (`;`, `=>`, commas between criteria) and for the shapes of meso's own clauses (`in [..]`,
//! `between .. and ..`, quoted labels and test names, `level a < b`), or `None`.

use super::expected::{enclosing_block, word_before};
use super::phrases::{Expected, DECLARATIONS, POLICY_CLAUSES, TYPE_CLAUSES};
use crate::syntax::lexical;

/// A label and a help for the failure at `pos`, when its context explains it.
pub(super) fn in_context(
    text: &str,
    pos: usize,
    token: &str,
    expected: &Expected,
) -> Option<(String, String)> {
    let wants = |t: &str| expected.tokens.iter().any(|x| x == t);
    let before = text.get(..pos).unwrap_or("");
    let previous = word_before(text, pos).map(|(_, word)| word);
    let hint = |label: &str, help: String| Some((label.to_string(), help));
    match token {
        ";" => {
            return hint(
                "meso needs no `;`",
                String::from(
                    "remove the `;`: clauses and criteria are separated by spaces or line breaks",
                ),
            )
        }
        "=>" => {
            return hint(
                "not a meso operator",
                String::from("write `>=` for \"at least\""),
            )
        }
        "=<" => {
            return hint(
                "not a meso operator",
                String::from("write `<=` for \"at most\""),
            )
        }
        "}" if lexical::scan(before).open_braces.is_empty() => {
            return hint(
                "nothing to close here",
                String::from("remove this `}`: every `{` before it is already closed"),
            )
        }
        "," if expected.in_criteria && !wants(",") => {
            return hint(
                "criteria are not separated by commas",
                String::from(
                    "remove the `,` and put each criterion on its own line: `name: condition`",
                ),
            )
        }
        "%" if before.ends_with(char::is_whitespace)
            && before.trim_end().ends_with(|c: char| c.is_ascii_digit()) =>
        {
            return hint(
                "a space before `%`",
                String::from("write the percentage without a space, e.g. `50%` (which is 0.5)"),
            )
        }
        "(" if previous == Some("level") => {
            return hint(
                "levels are not given in parentheses",
                String::from("list the levels from lowest to highest: `level low < medium < high`"),
            )
        }
        "(" if previous == Some("of") => {
            return hint(
                "choices are not given in parentheses",
                String::from(
                    "list the choices with commas: `one of textiles, footwear` or `set of a, b`",
                ),
            )
        }
        _ => {}
    }
    let after_declared_name = ["type", "policy", "avoid", "test"]
        .iter()
        .any(|k| previous_is_name_after(before, k));
    if token == "=" && wants("{") && after_declared_name {
        return hint(
            "no `=` here",
            String::from("remove the `=`: a declaration's name is followed by its body, `type cluster { ... }`"),
        );
    }
    if token == "=" {
        return hint(
            "`=` gives a value; it does not compare",
            String::from(
                "use `==` or `is` to compare; a `derived` or `param` has one `=`, after its name",
            ),
        );
    }
    if expected.expression && is_operator(token) {
        return hint(
            "an operator cannot start a value",
            format!("put a value between the two operators, or remove `{token}`"),
        );
    }
    if expected.expression && token == "end of file" {
        return hint(
            "the file ends after this",
            String::from("finish the expression, or remove the operator that ends it"),
        );
    }
    if wants(":") && expected.tokens.len() == 1 && previous_is_name_after(before, "fact") {
        return hint(
            "expected `:` before this",
            format!(
                "put `:` between the fact's name and its type: `fact {}: {token}`",
                previous.unwrap_or("name")
            ),
        );
    }
    if expected.number && wants("unknown") && enclosing_block(text, pos) == Some("given") {
        return hint(
            "expected a value here",
            String::from("give the fact a value, e.g. `firms = 120`, `trust = high`, `sectors = [a, b]` or `firms = unknown`"),
        );
    }
    if expected.number && before.trim_end().ends_with('=') && !expected.expression {
        return hint(
            "expected a value here",
            String::from("write the value after `=`, e.g. `param min_firms = 50` or `param region = \"Sinos\"`"),
        );
    }
    if wants("[") && previous == Some("in") {
        return hint(
            "expected `[` before this",
            String::from("list the values in square brackets: `x in [low, medium]`"),
        );
    }
    if wants("and") && previous_keyword(before) == Some("between") {
        return hint(
            "expected `and` before this",
            String::from("write a range as `x between 10 and 50`"),
        );
    }
    if wants(",") && token.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        if let Some(list) =
            previous_keyword(before).filter(|k| ["after", "for", "extends"].contains(k))
        {
            return hint(
                "expected `,` before this",
                format!("separate the names after `{list}` with commas: `{list} a, b`"),
            );
        }
    }
    if wants("\"") && !expected.number && !expected.name && !token.starts_with('"') {
        let written = unquoted_text(text, pos);
        let keyword = previous.unwrap_or("");
        let example = if keyword.is_empty() {
            format!("\"{written}\"")
        } else {
            format!("{keyword} \"{written}\"")
        };
        return hint(
            "expected a string in double quotes",
            format!("write the text in double quotes: `{example}`"),
        );
    }
    if wants("{")
        && (TYPE_CLAUSES.contains(&token) || POLICY_CLAUSES.contains(&token))
        && !DECLARATIONS.contains(&token)
    {
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let head = text.get(line_start..pos).unwrap_or("").trim();
        let head = if head.is_empty() {
            declaration_head(before)
        } else {
            head.to_string()
        };
        return hint(
            "expected `{` before this",
            format!("open the body with `{{` after the name: `{head} {{`"),
        );
    }
    None
}

fn is_operator(token: &str) -> bool {
    ["+", "-", "*", "/", "==", "!=", "<=", ">=", "<", ">"].contains(&token)
}

/// Whether the word before `pos` is a name that follows `keyword`: `fact firms`.
fn previous_is_name_after(before: &str, keyword: &str) -> bool {
    let mut words = before.split_whitespace().rev();
    words.next().is_some() && words.next() == Some(keyword)
}

/// The last keyword-like word on the current line before `pos`, skipping names, numbers
/// and commas: `between` in `x between 10 50`, `after` in `after a b`.
fn previous_keyword(before: &str) -> Option<&'static str> {
    let line = before.rsplit('\n').next().unwrap_or(before);
    let words: Vec<&str> = line
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    // The word right before the failure is the one pest could not continue from; the
    // keyword is the one before the list or range it starts.
    words.iter().rev().skip(1).find_map(|w| {
        ["between", "after", "for", "extends"]
            .into_iter()
            .find(|k| k == w)
    })
}

/// What a user wrote where a string was wanted, up to the next space, `{` or `}`.
fn unquoted_text(text: &str, pos: usize) -> String {
    let rest = text.get(pos..).unwrap_or("");
    let end = rest
        .find(|c: char| c.is_whitespace() || c == '{' || c == '}')
        .unwrap_or(rest.len());
    rest.get(..end).unwrap_or("").to_string()
}

/// The declaration keyword and name on the previous non-empty line (`type cluster`).
fn declaration_head(before: &str) -> String {
    before
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
        .to_string()
}
