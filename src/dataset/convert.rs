//! One cell → one fact slot, by the fact's declared type.
//!
//! Input: a [`Cell`] read from a CSV row, a spreadsheet row or a JSON record, and the
//! fact it belongs to. Output: the runtime `Value` for the fact's slot, or the problems
//! found, with the same rules and codes as facts files (`facts::value_check`).

use std::sync::Arc;

use crate::facts::value_check::{
    check_number, describe_num, describe_text, level_index, number_is_valid, ValueProblem,
};
use crate::ir::{Fact, FactType, Program};
use crate::value::{format_number, Value};

/// One cell as read from an input.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Cell<'a> {
    /// Empty cell, JSON `null`: unknown
    Empty,
    /// Text to be read by the fact's type (CSV cells, spreadsheet text): `12,5`, `low`,
    /// `local|domestic`, `true`
    Text(&'a str),
    /// A JSON string: already typed, so only text, level and member facts take it
    Str(&'a str),
    /// A JSON string that held escapes, unescaped
    Owned(String),
    /// A number (JSON, spreadsheet)
    Number(f64),
    /// A boolean (JSON, spreadsheet)
    Bool(bool),
    /// A JSON list of strings and other values
    List(Vec<Cell<'a>>),
    /// Something else, described: `a mapping`, `a date`, `the spreadsheet error #N/A`
    Other(String),
}

/// How text cells write numbers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NumberStyle {
    /// `12,5` means twelve and a half (`--decimal-comma`)
    pub decimal_comma: bool,
}

/// Converts cells for every fact of a program. Built once per run.
pub(crate) struct Converter<'p> {
    program: &'p Program,
    style: NumberStyle,
}

/// The result of converting one cell.
pub(crate) type Converted = Result<Value, Vec<ValueProblem>>;

impl<'p> Converter<'p> {
    /// A converter for `program`'s facts.
    pub fn new(program: &'p Program, style: NumberStyle) -> Self {
        Converter { program, style }
    }

    /// Convert one cell for `fact`.
    pub fn convert(&self, fact: &Fact, cell: &Cell<'_>) -> Converted {
        match cell {
            Cell::Empty => Ok(Value::Unknown),
            Cell::Text(s) => self.text(fact, s.trim()),
            Cell::Str(s) => json_str(fact, s),
            Cell::Owned(s) => json_str(fact, s),
            Cell::Number(n) => number(fact, *n),
            Cell::Bool(b) => boolean(fact, *b),
            Cell::List(items) => list(fact, items),
            Cell::Other(what) => Err(vec![wrong_type(fact, what.clone(), None)]),
        }
    }

    /// A plain decimal text cell (`3569`, `0.731`, `-2.5`) for a number fact, read without
    /// the general path; `None` when the cell or the fact needs it (then [`Self::convert`]
    /// gives the value or the problems). Census files are mostly such cells.
    #[inline]
    pub fn plain_number(&self, fact: &Fact, bytes: &[u8]) -> Option<Value> {
        if !matches!(
            fact.ty,
            FactType::Number | FactType::Integer | FactType::Ratio
        ) {
            return None;
        }
        let n = plain_decimal(bytes)?;
        number_is_valid(fact, n).then_some(Value::Number(n))
    }

    /// A text cell that is exactly one of a level fact's names (`low`, `domestic`), read
    /// without the general path; `None` otherwise (then [`Self::convert`] decides).
    #[inline]
    pub fn plain_level(&self, fact: &Fact, bytes: &[u8]) -> Option<Value> {
        let FactType::Level { levels, .. } = &fact.ty else {
            return None;
        };
        let i = levels.iter().position(|l| l.as_bytes() == bytes)?;
        u32::try_from(i).ok().map(Value::Level)
    }

    /// The program whose facts are converted.
    pub fn program(&self) -> &'p Program {
        self.program
    }

    /// A text cell read by type: numbers parsed (`%` suffix, decimal comma), booleans
    /// `true`/`false` in any case, levels by name, set members split on `|`, `;` or `,`.
    fn text(&self, fact: &Fact, s: &str) -> Converted {
        if s.is_empty() {
            return Ok(Value::Unknown);
        }
        match &fact.ty {
            FactType::Number | FactType::Integer | FactType::Ratio => match self.parse_number(s) {
                Some(n) => check_number(fact, n).map_err(|p| vec![p]),
                None => Err(vec![wrong_type(
                    fact,
                    describe_text(s),
                    self.number_help(s),
                )]),
            },
            FactType::Boolean => {
                if s.eq_ignore_ascii_case("true") {
                    Ok(Value::Bool(true))
                } else if s.eq_ignore_ascii_case("false") {
                    Ok(Value::Bool(false))
                } else {
                    Err(vec![wrong_type(
                        fact,
                        describe_text(s),
                        Some("write `true` or `false`".into()),
                    )])
                }
            }
            FactType::Text => Ok(Value::Text(Arc::from(s))),
            FactType::Level { levels, ordered } => level_index(levels, s, level_word(*ordered))
                .map(Value::Level)
                .map_err(|p| vec![p]),
            FactType::Set { members } => {
                let inner = s
                    .strip_prefix('[')
                    .and_then(|t| t.strip_suffix(']'))
                    .unwrap_or(s);
                let names = inner
                    .split(crate::facts::SET_SEPARATORS)
                    .map(str::trim)
                    .filter(|m| !m.is_empty());
                set_of(members, names)
            }
        }
    }

    /// A number written in a text cell, `None` when it is not one.
    fn parse_number(&self, s: &str) -> Option<f64> {
        let (digits, scale) = match s.strip_suffix('%') {
            Some(pct) => (pct.trim_end(), 100.0),
            None => (s, 1.0),
        };
        let n = if self.style.decimal_comma && digits.contains(',') {
            if digits.contains('.') {
                // `1.234,5`: thousands separators are ambiguous, so they are refused.
                return None;
            }
            digits.replace(',', ".").parse::<f64>().ok()?
        } else {
            digits.parse::<f64>().ok()?
        };
        Some(n / scale)
    }

    fn number_help(&self, s: &str) -> Option<String> {
        if !self.style.decimal_comma && s.contains(',') && !s.contains('.') {
            let dotted = s.replace(',', ".");
            if dotted.trim_end_matches('%').trim().parse::<f64>().is_ok() {
                return Some(format!(
                    "for numbers written like `{s}` pass `--decimal-comma`, or write `{dotted}`"
                ));
            }
        }
        Some("write a number, or leave the cell empty when it is unknown".into())
    }
}

/// Powers of ten that are exact doubles, for reading plain decimals.
pub(crate) const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// `-?[0-9]+(\.[0-9]+)?` with at most 15 digits, read exactly: the digits make an integer
/// below 2^53 and the power of ten is at most 10^15, both exact doubles, so one division
/// rounds correctly and the result is the one `str::parse` gives. Anything else: `None`.
pub(crate) fn plain_decimal(bytes: &[u8]) -> Option<f64> {
    let (negative, digits) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, bytes),
    };
    let mut mantissa: u64 = 0;
    let mut count = 0usize;
    let mut fraction: Option<usize> = None;
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(b - b'0');
                count += 1;
                if count > 15 {
                    return None;
                }
            }
            b'.' if fraction.is_none() && count > 0 => fraction = Some(count),
            _ => return None,
        }
    }
    let scale = match fraction {
        Some(at) if at == count => return None,
        Some(at) => count - at,
        None if count == 0 => return None,
        None => 0,
    };
    let value = mantissa as f64 / POW10.get(scale).copied()?;
    Some(if negative { -value } else { value })
}

fn level_word(ordered: bool) -> &'static str {
    if ordered {
        "a level"
    } else {
        "an alternative"
    }
}

/// A JSON string: text, levels and alternatives take it; numbers written in quotes do not.
fn json_str(fact: &Fact, s: &str) -> Converted {
    match &fact.ty {
        FactType::Text => Ok(Value::Text(Arc::from(s))),
        FactType::Level { levels, ordered } => level_index(levels, s, level_word(*ordered))
            .map(Value::Level)
            .map_err(|p| vec![p]),
        FactType::Number | FactType::Integer | FactType::Ratio => {
            let help = s
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .map(|n| format!("write the number without quotes: {}", format_number(n)));
            Err(vec![wrong_type(fact, describe_text(s), help)])
        }
        FactType::Boolean => Err(vec![wrong_type(
            fact,
            describe_text(s),
            Some("write `true` or `false` without quotes".into()),
        )]),
        FactType::Set { .. } => {
            let names: Vec<String> = s
                .split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(|n| format!("\"{n}\""))
                .collect();
            let help = format!("write a list: [{}]", names.join(", "));
            Err(vec![wrong_type(fact, describe_text(s), Some(help))])
        }
    }
}

/// A typed number (JSON, spreadsheet). Text facts take it as written (spreadsheets store
/// codes such as `4711` as numbers).
fn number(fact: &Fact, n: f64) -> Converted {
    match &fact.ty {
        FactType::Number | FactType::Integer | FactType::Ratio => {
            check_number(fact, n).map_err(|p| vec![p])
        }
        FactType::Text if n.is_finite() => Ok(Value::Text(Arc::from(format_number(n)))),
        _ => Err(vec![wrong_type(fact, describe_num(n), None)]),
    }
}

fn boolean(fact: &Fact, b: bool) -> Converted {
    match &fact.ty {
        FactType::Boolean => Ok(Value::Bool(b)),
        _ => Err(vec![wrong_type(fact, format!("boolean `{b}`"), None)]),
    }
}

fn list(fact: &Fact, items: &[Cell<'_>]) -> Converted {
    let FactType::Set { members } = &fact.ty else {
        return Err(vec![wrong_type(fact, "a list".into(), None)]);
    };
    let mut names = Vec::with_capacity(items.len());
    let mut problems = Vec::new();
    for item in items {
        match item {
            Cell::Str(s) | Cell::Text(s) => names.push(*s),
            Cell::Owned(s) => names.push(s.as_str()),
            other => {
                let found = describe_cell(other);
                problems.push(wrong_type(
                    fact,
                    found,
                    Some("each member is a name in quotes".into()),
                ));
            }
        }
    }
    match set_of(members, names.into_iter()) {
        Ok(v) if problems.is_empty() => Ok(v),
        Ok(_) => Err(problems),
        Err(mut more) => {
            problems.append(&mut more);
            Err(problems)
        }
    }
}

fn set_of<'a>(members: &[String], names: impl Iterator<Item = &'a str>) -> Converted {
    let mut bits = 0u64;
    let mut problems = Vec::new();
    for name in names {
        match level_index(members, name, "a member") {
            // INVARIANT: the checker allows at most 64 members, so the shift fits.
            Ok(i) => bits |= 1u64.checked_shl(i).unwrap_or(0),
            Err(p) => problems.push(p),
        }
    }
    if problems.is_empty() {
        Ok(Value::Set(bits))
    } else {
        Err(problems)
    }
}

fn describe_cell(cell: &Cell<'_>) -> String {
    match cell {
        Cell::Empty => "`null`".into(),
        Cell::Text(s) | Cell::Str(s) => describe_text(s),
        Cell::Owned(s) => describe_text(s),
        Cell::Number(n) => describe_num(*n),
        Cell::Bool(b) => format!("boolean `{b}`"),
        Cell::List(_) => "a list".into(),
        Cell::Other(what) => what.clone(),
    }
}

fn wrong_type(fact: &Fact, found: String, help: Option<String>) -> ValueProblem {
    ValueProblem::WrongType {
        expected: fact.ty.describe(),
        found,
        help,
    }
}

#[cfg(test)]
mod tests {
    use super::plain_decimal;
    use proptest::prelude::*;

    proptest! {
        /// Whatever the fast reader accepts, it reads exactly as `str::parse` does.
        #[test]
        fn plain_decimals_read_as_parse_reads_them(text in "-?[0-9]{0,12}(\\.[0-9]{0,8})?") {
            if let Some(n) = plain_decimal(text.as_bytes()) {
                let parsed: f64 = text.parse().unwrap_or(f64::NAN);
                prop_assert_eq!(n.to_bits(), parsed.to_bits(), "{}", text);
            }
        }

        #[test]
        fn plain_decimals_accept_what_they_should(whole in 0u64..1_000_000, frac in 0u32..10_000) {
            let text = format!("{whole}.{frac:04}");
            prop_assert!(plain_decimal(text.as_bytes()).is_some());
        }
    }

    #[test]
    fn other_shapes_take_the_general_path() {
        for text in [
            "", "-", ".5", "5.", "1e3", "+1", " 1", "1 ", "12,5", "1.2.3", "50%", "0x10",
        ] {
            assert_eq!(plain_decimal(text.as_bytes()), None, "{text}");
        }
        assert_eq!(
            plain_decimal(b"-0").map(f64::to_bits),
            Some((-0.0f64).to_bits())
        );
        assert_eq!(
            plain_decimal(b"1234567890.12345"),
            Some(1_234_567_890.123_45)
        );
        assert_eq!(plain_decimal(b"1234567890.123456"), None);
    }
}
