//! Formatter, expressions and literals: syntax tree nodes → canonical meso text.
//!
//! Input: `ast::Expr`, strings and numbers, plus (when formatting a file) its source text.
//! Output: text that parses back to the same node. Parentheses are written only where the
//! grammar needs them (the tree keeps none); `is` / `is not` stay as the author wrote them;
//! number literals are kept as written; strings are re-quoted, text blocks kept verbatim.

use crate::source::Span;
use crate::syntax::ast::{Expr, ExprKind};
use crate::syntax::lexical;
use crate::vocab::{ArithOp, CompareOp, LogicOp};

/// How tightly a form binds, loosest first, as in the grammar.
fn level(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Logic(LogicOp::Or, ..) => 1,
        ExprKind::Logic(LogicOp::And, ..) => 2,
        ExprKind::Not(_) => 3,
        ExprKind::Compare(..)
        | ExprKind::In { .. }
        | ExprKind::Between { .. }
        | ExprKind::IsKnown { .. }
        | ExprKind::Contains { .. } => 4,
        ExprKind::Arith(ArithOp::Add | ArithOp::Sub, ..) => 5,
        ExprKind::Arith(ArithOp::Mul | ArithOp::Div, ..) => 6,
        ExprKind::Neg(_) => 7,
        ExprKind::Number { .. }
        | ExprKind::Text(_)
        | ExprKind::Bool(_)
        | ExprKind::Name(_)
        | ExprKind::Call { .. } => 8,
    }
}

/// Prints expressions and literals, reading the source (when there is one) for what the
/// tree does not keep: `is` versus `==`, text blocks, numbers of clauses as written.
#[derive(Clone, Copy)]
pub(super) struct Writer<'s> {
    pub src: Option<&'s str>,
}

impl Writer<'_> {
    /// An expression, in parentheses when it binds looser than `min`.
    pub fn expr(&self, e: &Expr, min: u8) -> String {
        let text = self.bare(e);
        if level(e) < min {
            format!("({text})")
        } else {
            text
        }
    }

    fn bare(&self, e: &Expr) -> String {
        match &e.kind {
            ExprKind::Number { value, text } => {
                if text.is_empty() {
                    number(*value)
                } else {
                    text.clone()
                }
            }
            ExprKind::Text(s) => self.string(s, e.span),
            ExprKind::Bool(b) => b.to_string(),
            ExprKind::Name(n) => n.clone(),
            ExprKind::Neg(x) => {
                let inner = self.expr(x, 7);
                if inner.starts_with('-') {
                    format!("- {inner}")
                } else {
                    format!("-{inner}")
                }
            }
            // `not (a == b)` reads better than the equivalent `not a == b`.
            ExprKind::Not(x) => format!("not {}", self.expr(x, 5)),
            ExprKind::Logic(op, l, r) => {
                let (lmin, word) = match op {
                    LogicOp::Or => (1, "or"),
                    LogicOp::And => (2, "and"),
                };
                format!("{} {word} {}", self.expr(l, lmin), self.expr(r, lmin + 1))
            }
            ExprKind::Arith(op, l, r) => {
                let lmin = match op {
                    ArithOp::Add | ArithOp::Sub => 5,
                    ArithOp::Mul | ArithOp::Div => 6,
                };
                format!(
                    "{} {} {}",
                    self.expr(l, lmin),
                    op.as_str(),
                    self.expr(r, lmin + 1)
                )
            }
            ExprKind::Compare(op, l, r) => {
                let word = match (op, self.written_is(l, r)) {
                    (CompareOp::Eq, true) => "is",
                    (CompareOp::Ne, true) => "is not",
                    _ => op.as_str(),
                };
                format!("{} {word} {}", self.expr(l, 5), self.expr(r, 5))
            }
            ExprKind::In {
                value,
                list,
                negated,
            } => {
                let items: Vec<String> = list.iter().map(|x| self.expr(x, 1)).collect();
                format!(
                    "{} {}in [{}]",
                    self.expr(value, 5),
                    if *negated { "not " } else { "" },
                    items.join(", ")
                )
            }
            ExprKind::Between { value, low, high } => format!(
                "{} between {} and {}",
                self.expr(value, 5),
                self.expr(low, 5),
                self.expr(high, 5)
            ),
            ExprKind::IsKnown { value, negated } => format!(
                "{} is {}",
                self.expr(value, 5),
                if *negated { "unknown" } else { "known" }
            ),
            ExprKind::Contains { set, item } => {
                format!("{} contains {}", self.expr(set, 5), self.expr(item, 5))
            }
            ExprKind::Call { func, args } => {
                let args: Vec<String> = args.iter().map(|x| self.expr(x, 1)).collect();
                format!("{}({})", func.name, args.join(", "))
            }
        }
    }

    /// Whether the author wrote `is` (not `==`) between the operands of a comparison.
    fn written_is(&self, l: &Expr, r: &Expr) -> bool {
        // `x is known` would read as a known-test: keep `==` before a name `known`.
        if matches!(&r.kind, ExprKind::Name(n) if n == "known") {
            return false;
        }
        let Some(src) = self.src else {
            return false;
        };
        let between = src
            .get(l.span.end as usize..r.span.start as usize)
            .unwrap_or("")
            .trim_start();
        between.strip_prefix("is").is_some_and(|rest| {
            rest.chars()
                .next()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
        })
    }

    /// A string: a text block as written, else re-quoted with the four escapes.
    pub fn string(&self, value: &str, span: Span) -> String {
        if let Some(raw) = self
            .src
            .and_then(|s| s.get(span.start as usize..span.end as usize))
        {
            if raw.starts_with("\"\"\"") && raw.len() >= 6 && raw.ends_with("\"\"\"") {
                return raw.to_string();
            }
        }
        quote(value)
    }

    /// A string that was a text block in the source, or, without source, any text with a
    /// line break: as a text block when that reads back the same.
    pub fn long_string(&self, value: &str, span: Span, indent: usize) -> String {
        if self.src.is_some() {
            return self.string(value, span);
        }
        if value.contains('\n') && !value.contains("\"\"\"") {
            let pad = " ".repeat(indent + 2);
            let mut block = String::from("\"\"\"\n");
            for line in value.split('\n') {
                if !line.is_empty() {
                    block.push_str(&pad);
                    block.push_str(line);
                }
                block.push('\n');
            }
            block.push_str(&pad);
            block.push_str("\"\"\"");
            let inner = block.get(3..block.len() - 3).unwrap_or("");
            if lexical::dedent(inner) == value {
                return block;
            }
        }
        quote(value)
    }

    /// A number of a clause (`weight`, `phase`, `minimum`, a `given` value) as written, if
    /// the source has it, else in the shortest form that reads back the same.
    pub fn number_at(&self, value: f64, span: Span) -> String {
        let written = self
            .src
            .and_then(|s| s.get(span.start as usize..span.end as usize))
            .map(str::trim);
        match written {
            Some(w) if lexical::number_value(w) == Some(value) => w.to_string(),
            _ => number(value),
        }
    }
}

/// A number in the shortest decimal form that reads back to the same value.
pub(super) fn number(value: f64) -> String {
    format!("{value}")
}

/// A simple string with `\"`, `\\`, `\n`, `\t` escaped.
pub(super) fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
