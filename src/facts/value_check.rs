//! The rules one fact value must satisfy, free of any file syntax.
//!
//! Input: a fact declaration (`ir::Fact`) and a number or a level/member name.
//! Output: the runtime [`Value`] or a [`ValueProblem`] (what is wrong, the stable
//! diagnostic code, and help). Facts files (`check.rs`) wrap problems into spanned
//! diagnostics; `meso batch` writes them to its reject file.

use super::check::backticked;
use super::node::describe_number;
use crate::ir::{Fact, FactType};
use crate::limits;
use crate::suggest::closest;
use crate::value::{format_number, Value};

/// Why one value does not fit its fact declaration.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ValueProblem {
    /// A value of the wrong kind (the dataset layer reads cells of any kind; facts files
    /// report their own `wrong_type`)
    #[cfg_attr(not(feature = "cli"), allow(dead_code))]
    WrongType {
        /// The declared type, described
        expected: String,
        /// What was written, described
        found: String,
        /// How to fix it
        help: Option<String>,
    },
    /// A count or integer with a fraction
    NotWholeNumber {
        /// The number written
        value: String,
        /// How to fix it
        help: String,
    },
    /// A number outside the declared range
    OutOfRange {
        /// The number written
        value: String,
        /// The allowed range: `at least 0`, `from 0 to 1`
        bound: String,
        /// How to fix it
        help: Option<String>,
    },
    /// NaN or infinity
    NotFinite {
        /// `nan`, `inf` or `-inf`
        value: String,
    },
    /// A level, alternative or member the fact does not declare
    UnknownLevel {
        /// The name written
        name: String,
        /// `a level`, `an alternative` or `a member`
        what: &'static str,
        /// The allowed names and the closest one
        help: String,
    },
}

impl ValueProblem {
    /// The stable diagnostic code, the same as the facts file diagnostics use.
    pub fn code(&self) -> &'static str {
        match self {
            ValueProblem::WrongType { .. } => "meso::facts::wrong_type",
            ValueProblem::NotWholeNumber { .. } => "meso::facts::not_whole_number",
            ValueProblem::OutOfRange { .. } => "meso::facts::out_of_range",
            ValueProblem::NotFinite { .. } => "meso::facts::not_finite",
            ValueProblem::UnknownLevel { .. } => "meso::facts::unknown_level",
        }
    }

    /// The one-line message for fact `key`, worded as the facts file diagnostics are.
    pub fn message(&self, key: &str) -> String {
        match self {
            ValueProblem::WrongType {
                expected, found, ..
            } => format!("wrong type for `{key}`: expected {expected}, found {found}"),
            ValueProblem::NotWholeNumber { value, .. } => {
                format!("`{key}` must be a whole number, found `{value}`")
            }
            ValueProblem::OutOfRange { value, bound, .. } => {
                format!("`{key}` must be {bound}, found `{value}`")
            }
            ValueProblem::NotFinite { value } => {
                format!("`{key}` must be a finite number, found `{value}`")
            }
            ValueProblem::UnknownLevel { name, what, .. } => {
                format!("`{name}` is not {what} of `{key}`")
            }
        }
    }

    /// How to fix it, if there is something to say.
    pub fn help(&self) -> Option<&str> {
        match self {
            ValueProblem::WrongType { help, .. } | ValueProblem::OutOfRange { help, .. } => {
                help.as_deref()
            }
            ValueProblem::NotWholeNumber { help, .. } | ValueProblem::UnknownLevel { help, .. } => {
                Some(help)
            }
            ValueProblem::NotFinite { .. } => None,
        }
    }
}

/// Check a number written for a number, integer (count) or ratio fact: finite, whole for
/// integers, 0 to 1 for ratios, within `minimum`/`maximum`.
#[inline]
pub(crate) fn check_number(fact: &Fact, n: f64) -> Result<Value, ValueProblem> {
    if number_is_valid(fact, n) {
        Ok(Value::Number(n))
    } else {
        Err(number_problem(fact, n))
    }
}

/// Whether `n` passes every check of [`check_number`]: the common case, decided without
/// building a problem (batches check millions of cells).
#[inline]
pub(crate) fn number_is_valid(fact: &Fact, n: f64) -> bool {
    let integer = matches!(fact.ty, FactType::Integer);
    n.is_finite()
        && !(integer && n.abs() > limits::MAX_EXACT_INTEGER)
        && !(integer && n.fract() != 0.0)
        && (!matches!(fact.ty, FactType::Ratio) || (0.0..=1.0).contains(&n))
        && !fact.minimum.is_some_and(|min| n < min)
        && !fact.maximum.is_some_and(|max| n > max)
}

/// What is wrong with a number [`number_is_valid`] refused.
#[cold]
#[inline(never)]
fn number_problem(fact: &Fact, n: f64) -> ValueProblem {
    match number_problem_checks(fact, n) {
        Err(problem) => problem,
        // Not reached: `number_is_valid` refuses exactly what the checks refuse.
        Ok(_) => ValueProblem::NotFinite {
            value: describe_number(n),
        },
    }
}

fn number_problem_checks(fact: &Fact, n: f64) -> Result<Value, ValueProblem> {
    if !n.is_finite() {
        return Err(ValueProblem::NotFinite {
            value: describe_number(n),
        });
    }
    if fact.ty == FactType::Integer && n.abs() > limits::MAX_EXACT_INTEGER {
        return Err(ValueProblem::OutOfRange {
            value: describe_number(n),
            bound: "a whole number of at most 2^53 (9007199254740992)".into(),
            help: Some("larger whole numbers cannot be represented exactly".into()),
        });
    }
    if fact.ty == FactType::Integer && n.fract() != 0.0 {
        let help = format!(
            "write a whole number, e.g. `{}` or `{}`",
            format_number(n.floor()),
            format_number(n.ceil())
        );
        return Err(ValueProblem::NotWholeNumber {
            value: describe_number(n),
            help,
        });
    }
    if fact.ty == FactType::Ratio && !(0.0..=1.0).contains(&n) {
        let value = describe_number(n);
        let help = if n > 1.0 && n <= 100.0 {
            format!(
                "a ratio goes from 0 to 1: write {} for {value}%",
                format_number(n / 100.0)
            )
        } else {
            "a ratio goes from 0 to 1, e.g. 0.25 for a quarter".to_string()
        };
        return Err(ValueProblem::OutOfRange {
            value,
            bound: "from 0 to 1".into(),
            help: Some(help),
        });
    }
    let below = fact.minimum.is_some_and(|min| n < min);
    let above = fact.maximum.is_some_and(|max| n > max);
    if below || above {
        let bound = match (fact.minimum, fact.maximum) {
            (Some(min), Some(max)) => {
                format!("from {} to {}", format_number(min), format_number(max))
            }
            (Some(min), None) => format!("at least {}", format_number(min)),
            (None, Some(max)) => format!("at most {}", format_number(max)),
            (None, None) => String::new(),
        };
        let help = (fact.ty == FactType::Integer && fact.minimum == Some(0.0) && n < 0.0)
            .then(|| format!("`{}` is a count, which cannot be negative", fact.name));
        return Err(ValueProblem::OutOfRange {
            value: describe_number(n),
            bound,
            help,
        });
    }
    Ok(Value::Number(n))
}

/// The position of `name` among a level fact's levels (or a set fact's members); `what`
/// says which (`a level`, `an alternative`, `a member`) for the problem.
///
/// Data read from surveys and census exports often capitalises its categories (`Low`,
/// `HIGH`, `Local_Artisanal`): a name that differs from exactly one level only in ASCII
/// case reads as that level. Two levels that differ only in case make such a name
/// ambiguous, and it stays a problem.
#[inline]
pub(crate) fn level_index(
    names: &[String],
    name: &str,
    what: &'static str,
) -> Result<u32, ValueProblem> {
    if let Some(i) = names.iter().position(|n| n == name) {
        return Ok(u32::try_from(i).unwrap_or(u32::MAX));
    }
    level_index_any_case(names, name).ok_or_else(|| unknown_level(names, name, what))
}

/// The one level equal to `name` but for ASCII case (`None`: none, or more than one).
#[cold]
fn level_index_any_case(names: &[String], name: &str) -> Option<u32> {
    let mut same = names
        .iter()
        .enumerate()
        .filter(|(_, n)| n.eq_ignore_ascii_case(name))
        .map(|(i, _)| i);
    match (same.next(), same.next()) {
        (Some(i), None) => u32::try_from(i).ok(),
        _ => None,
    }
}

/// The problem for a name that is not among `names`, with the closest one as a suggestion.
#[cold]
pub(crate) fn unknown_level(names: &[String], name: &str, what: &'static str) -> ValueProblem {
    let allowed = format!("allowed: {}", backticked(names));
    let help = match closest(name, names.iter().map(String::as_str)) {
        Some(close) => format!("did you mean `{close}`? {allowed}"),
        None => allowed,
    };
    ValueProblem::UnknownLevel {
        name: name.to_string(),
        what,
        help,
    }
}

/// How a text value is described in messages: text `"abc"` (shortened when long).
#[cfg(feature = "cli")]
pub(crate) fn describe_text(s: &str) -> String {
    format!("text `{}`", super::node::quote(s))
}

/// How a number is described in messages: number `12.5`, `nan`.
#[cfg(feature = "cli")]
pub(crate) fn describe_num(n: f64) -> String {
    format!("number `{}`", describe_number(n))
}
