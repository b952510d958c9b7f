//! Checking one fact value against its declaration.
//!
//! Input: a fact declaration (`ir::Fact`) and a [`Node`] read from a facts file or built
//! from a `--set` value. Output: the runtime [`Value`] or the problems found, as
//! [`FactsError`]s pointing at the value (or at the bad member of a set).

use std::ops::Range;

use miette::{NamedSource, SourceSpan};

use super::error::FactsError;
use super::node::{Node, NodeKind};
use super::value_check::{self, ValueProblem};
use crate::ir::{Fact, FactType};
use crate::value::{format_number, Value};

/// How values are written where they came from, for examples in help texts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Syntax {
    /// JSON file
    Json,
    /// YAML file
    Yaml,
    /// TOML file
    Toml,
    /// `--set name=value` on the command line
    Cli,
}

/// Where the value being checked came from.
pub(crate) struct Ctx<'a> {
    /// The file (or command-line text), for diagnostics
    pub src: &'a NamedSource<String>,
    /// Its syntax
    pub syntax: Syntax,
}

impl Ctx<'_> {
    /// A list of names written the way the source's syntax writes lists.
    fn list(&self, names: &[&str]) -> String {
        match self.syntax {
            Syntax::Yaml => format!("[{}]", names.join(", ")),
            Syntax::Json | Syntax::Toml => {
                let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
                format!("[{}]", quoted.join(", "))
            }
            Syntax::Cli => names.join(","),
        }
    }

    /// A name written as a string value in the source's syntax.
    fn string(&self, name: &str) -> String {
        match self.syntax {
            Syntax::Yaml | Syntax::Cli => name.to_string(),
            Syntax::Json | Syntax::Toml => format!("\"{name}\""),
        }
    }
}

/// A byte range as a miette span.
pub(crate) fn source_span(range: &Range<usize>) -> SourceSpan {
    SourceSpan::new(range.start.into(), range.end.saturating_sub(range.start))
}

/// Check a value written for `fact`; `Null` is unknown.
pub(crate) fn check_value(fact: &Fact, node: &Node, ctx: &Ctx) -> Result<Value, Vec<FactsError>> {
    if node.kind == NodeKind::Null {
        return Ok(Value::Unknown);
    }
    match &fact.ty {
        FactType::Number | FactType::Integer | FactType::Ratio => match node.kind {
            NodeKind::Number(n) => check_number(fact, n, node, ctx).map_err(|e| vec![*e]),
            _ => Err(vec![wrong_type(fact, node, ctx, number_help(fact, node))]),
        },
        FactType::Boolean => match node.kind {
            NodeKind::Bool(b) => Ok(Value::Bool(b)),
            _ => Err(vec![wrong_type(
                fact,
                node,
                ctx,
                Some("write `true` or `false`".into()),
            )]),
        },
        FactType::Text => match &node.kind {
            NodeKind::Str(s) => Ok(Value::Text(s.as_str().into())),
            NodeKind::Number(_) | NodeKind::Bool(_) => {
                let raw = ctx.src.inner().get(node.span.clone()).unwrap_or("");
                let help = format!("write the text in quotes: \"{raw}\"");
                Err(vec![wrong_type(fact, node, ctx, Some(help))])
            }
            _ => Err(vec![wrong_type(fact, node, ctx, None)]),
        },
        FactType::Level { levels, ordered } => match &node.kind {
            NodeKind::Str(s) => {
                let what = if *ordered {
                    "a level"
                } else {
                    "an alternative"
                };
                level_index(fact, levels, s, what, &node.span, ctx)
                    .map(Value::Level)
                    .map_err(|e| vec![*e])
            }
            _ => {
                let names: Vec<String> = levels.iter().map(|l| ctx.string(l)).collect();
                let help = format!("write one of {}", backticked(&names));
                Err(vec![wrong_type(fact, node, ctx, Some(help))])
            }
        },
        FactType::Set { members } => match &node.kind {
            NodeKind::List(items) => check_set(fact, members, items, ctx),
            NodeKind::Str(s) => {
                let names: Vec<&str> = s
                    .split(',')
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .collect();
                let help = format!("write a list: {}", ctx.list(&names));
                Err(vec![wrong_type(fact, node, ctx, Some(help))])
            }
            _ => {
                let first: Vec<&str> = members.iter().take(2).map(String::as_str).collect();
                let help = format!("write a list of members, e.g. {}", ctx.list(&first));
                Err(vec![wrong_type(fact, node, ctx, Some(help))])
            }
        },
    }
}

fn check_set(
    fact: &Fact,
    members: &[String],
    items: &[Node],
    ctx: &Ctx,
) -> Result<Value, Vec<FactsError>> {
    let mut bits = 0u64;
    let mut errors = Vec::new();
    for item in items {
        match &item.kind {
            NodeKind::Str(s) => match level_index(fact, members, s, "a member", &item.span, ctx) {
                // INVARIANT: the checker allows at most 64 members, so the shift fits.
                Ok(i) => bits |= 1u64.checked_shl(i).unwrap_or(0),
                Err(e) => errors.push(*e),
            },
            _ => {
                let names: Vec<String> = members.iter().map(|m| ctx.string(m)).collect();
                let help = format!("each member is a name: {}", backticked(&names));
                errors.push(wrong_type(fact, item, ctx, Some(help)));
            }
        }
    }
    if errors.is_empty() {
        Ok(Value::Set(bits))
    } else {
        Err(errors)
    }
}

fn level_index(
    fact: &Fact,
    names: &[String],
    name: &str,
    what: &'static str,
    span: &Range<usize>,
    ctx: &Ctx,
) -> Result<u32, Box<FactsError>> {
    value_check::level_index(names, name, what)
        .map_err(|problem| Box::new(spanned(fact, problem, span, ctx)))
}

fn check_number(fact: &Fact, n: f64, node: &Node, ctx: &Ctx) -> Result<Value, Box<FactsError>> {
    value_check::check_number(fact, n)
        .map_err(|problem| Box::new(spanned(fact, problem, &node.span, ctx)))
}

/// A value problem as a diagnostic pointing at where the value was written.
fn spanned(fact: &Fact, problem: ValueProblem, span: &Range<usize>, ctx: &Ctx) -> FactsError {
    let key = fact.name.clone();
    let (src, span) = (ctx.src.clone(), source_span(span));
    match problem {
        ValueProblem::WrongType {
            expected,
            found,
            help,
        } => FactsError::WrongType {
            key,
            expected,
            found,
            src,
            span,
            help,
        },
        ValueProblem::NotWholeNumber { value, help } => FactsError::NotWholeNumber {
            key,
            value,
            src,
            span,
            help: Some(help),
        },
        ValueProblem::OutOfRange { value, bound, help } => FactsError::OutOfRange {
            key,
            value,
            bound,
            src,
            span,
            help,
        },
        ValueProblem::NotFinite { value } => FactsError::NotFinite {
            key,
            value,
            src,
            span,
        },
        ValueProblem::UnknownLevel { name, what, help } => FactsError::UnknownLevel {
            key,
            name,
            what,
            src,
            span,
            help: Some(help),
        },
    }
}

/// Help for a number fact given something else: unquote numbers written as text.
fn number_help(fact: &Fact, node: &Node) -> Option<String> {
    let NodeKind::Str(s) = &node.kind else {
        return None;
    };
    let t = s.trim();
    if let Some(pct) = t
        .strip_suffix('%')
        .and_then(|p| p.trim().parse::<f64>().ok())
    {
        if fact.ty == FactType::Ratio {
            return Some(format!(
                "write the ratio as a number: {} for {t}",
                format_number(pct / 100.0)
            ));
        }
        return Some(format!(
            "write the number without `%` and quotes: {}",
            format_number(pct)
        ));
    }
    t.parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .map(|n| format!("write the number without quotes: {}", format_number(n)))
}

fn wrong_type(fact: &Fact, node: &Node, ctx: &Ctx, help: Option<String>) -> FactsError {
    let help = match (&node.kind, help) {
        (NodeKind::Map(_), _) => Some(format!(
            "facts files are flat: give `{}` a single value, not a mapping",
            fact.name
        )),
        (_, help) => help,
    };
    FactsError::WrongType {
        key: fact.name.clone(),
        expected: fact.ty.describe(),
        found: node.describe(),
        src: ctx.src.clone(),
        span: source_span(&node.span),
        help,
    }
}

/// `a`, `b` and `c` as a backticked list.
pub(crate) fn backticked(names: &[String]) -> String {
    let parts: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    parts.join(", ")
}
