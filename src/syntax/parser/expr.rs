//! Parser, continued: expressions, with operator chains folded to the left.
//!
//! Input: an `expr` pest pair. Output: an `ast::Expr` tree, refused with `too_deep` when
//! nested deeper than `MAX_EXPR_DEPTH` (later stages walk expressions recursively).

use pest::iterators::Pair;

use super::clauses::compare_op;
use super::{Builder, Built, Result, Rule, MAX_EXPR_DEPTH};
use crate::source::Span;
use crate::syntax::ast::{Expr, ExprKind};
use crate::syntax::error::ParseError;
use crate::vocab::{ArithOp, LogicOp};

impl Builder<'_> {
    /// Any expression rule (`expr`, `or_expr`, ... `primary` forms). `depth` counts the
    /// builder's recursion, which follows the operators (parentheses cost nothing).
    pub(super) fn expr(&self, pair: Pair<'_, Rule>, depth: u32) -> Result<Built> {
        if depth > MAX_EXPR_DEPTH * 2 {
            return Err(self.too_deep(self.span(&pair)));
        }
        let depth = depth + 1;
        let (pair, paren) = self.unwrap_single(pair);
        let (mut built, d) = match pair.as_rule() {
            Rule::or_expr | Rule::and_expr | Rule::sum | Rule::product => {
                self.chain(pair, depth)?
            }
            Rule::not_expr => self.not(pair, depth)?,
            Rule::predicate => self.predicate(pair, depth)?,
            Rule::unary => self.unary(pair, depth)?,
            Rule::call => self.call(pair, depth)?,
            _ => (self.leaf(pair)?, 1),
        };
        // A parenthesised expression keeps the span of its parentheses.
        if let Some(span) = paren {
            built.span = span;
        }
        Ok((built, d))
    }

    /// Descend, without recursion, through rules that only wrap one operand (`expr`, a
    /// parenthesis, a chain of one, a predicate without test); returns the first rule that
    /// builds a node, and the span of the outermost parenthesis passed through.
    fn unwrap_single<'i>(&self, mut pair: Pair<'i, Rule>) -> (Pair<'i, Rule>, Option<Span>) {
        let mut paren = None;
        loop {
            let mut inner = pair.clone().into_inner();
            let (Some(first), rest) = (inner.next(), inner.count()) else {
                return (pair, paren);
            };
            let single = match pair.as_rule() {
                Rule::expr => true,
                Rule::paren => {
                    paren = paren.or(Some(self.span(&pair)));
                    true
                }
                Rule::not_expr => first.as_rule() != Rule::kw_not,
                Rule::or_expr
                | Rule::and_expr
                | Rule::sum
                | Rule::product
                | Rule::predicate
                | Rule::unary => rest == 0,
                _ => false,
            };
            if !single {
                return (pair, paren);
            }
            pair = first;
        }
    }

    /// `not x`
    fn not(&self, pair: Pair<'_, Rule>, depth: u32) -> Result<Built> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner().filter(|p| p.as_rule() != Rule::kw_not);
        let (operand, d) = self.next_operand(&mut inner, span, depth)?;
        self.node(ExprKind::Not(Box::new(operand)), span, d)
    }

    /// `f(a, b)`
    fn call(&self, pair: Pair<'_, Rule>, depth: u32) -> Result<Built> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let Some(func) = inner.next().map(|f| self.ident(f)) else {
            return Ok((self.missing_expr(span), 1));
        };
        let mut args = Vec::new();
        let mut d = 0;
        for arg in inner {
            let (e, ad) = self.expr(arg, depth)?;
            d = d.max(ad);
            args.push(e);
        }
        self.node(ExprKind::Call { func, args }, span, d)
    }

    /// Numbers, strings, booleans and names.
    fn leaf(&self, pair: Pair<'_, Rule>) -> Result<Expr> {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::number => ExprKind::Number {
                value: self.number(pair.clone())?.node,
                text: pair.as_str().to_string(),
            },
            Rule::string => ExprKind::Text(self.string(pair)?.node),
            Rule::boolean => ExprKind::Bool(pair.as_str() == "true"),
            _ => ExprKind::Name(pair.as_str().to_string()),
        };
        Ok(Expr { kind, span })
    }

    /// `a op b op c` as `(a op b) op c`.
    fn chain(&self, pair: Pair<'_, Rule>, depth: u32) -> Result<Built> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let (mut acc, mut acc_depth) = self.next_operand(&mut inner, span, depth)?;
        while let Some(op_pair) = inner.next() {
            let op = match (op_pair.as_rule(), op_pair.as_str()) {
                (Rule::kw_or, _) => Op::Logic(LogicOp::Or),
                (Rule::kw_and, _) => Op::Logic(LogicOp::And),
                (_, "+") => Op::Arith(ArithOp::Add),
                (_, "-") => Op::Arith(ArithOp::Sub),
                (_, "*") => Op::Arith(ArithOp::Mul),
                (_, "/") => Op::Arith(ArithOp::Div),
                _ => continue,
            };
            let (rhs, rhs_depth) = self.next_operand(&mut inner, span, depth)?;
            let joined = acc.span.to(rhs.span);
            let kind = match op {
                Op::Logic(l) => ExprKind::Logic(l, Box::new(acc), Box::new(rhs)),
                Op::Arith(a) => ExprKind::Arith(a, Box::new(acc), Box::new(rhs)),
            };
            (acc, acc_depth) = self.node(kind, joined, acc_depth.max(rhs_depth))?;
        }
        Ok((acc, acc_depth))
    }

    /// `sum` followed by an optional test: comparison, `is`, `in`, `between`, `contains`.
    fn predicate(&self, pair: Pair<'_, Rule>, depth: u32) -> Result<Built> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let (value, vd) = self.next_operand(&mut inner, span, depth)?;
        let Some(tail) = inner.next() else {
            return Ok((value, vd));
        };
        let rule = tail.as_rule();
        let parts: Vec<Pair<'_, Rule>> = tail.into_inner().collect();
        let has = |r: Rule| parts.iter().any(|p| p.as_rule() == r);
        let mut operands = Vec::new();
        let mut d = vd;
        for p in parts
            .iter()
            .filter(|p| !super::clauses::is_keyword(p.as_rule()))
        {
            if p.as_rule() == Rule::compare_op {
                continue;
            }
            if p.as_rule() == Rule::list {
                for item in p.clone().into_inner() {
                    let (e, ed) = self.expr(item, depth)?;
                    d = d.max(ed);
                    operands.push(e);
                }
            } else {
                let (e, ed) = self.expr(p.clone(), depth)?;
                d = d.max(ed);
                operands.push(e);
            }
        }
        let value = Box::new(value);
        let mut operands = operands.into_iter();
        let mut operand = || {
            operands
                .next()
                .map_or_else(|| Box::new(self.missing_expr(span)), Box::new)
        };
        let kind = match rule {
            Rule::known_test => ExprKind::IsKnown {
                value,
                // `is unknown` and `is not known` are negated; `is not unknown` is not.
                negated: has(Rule::kw_not) != has(Rule::kw_unknown),
            },
            Rule::membership => {
                let negated = has(Rule::kw_not);
                ExprKind::In {
                    value,
                    list: operands.by_ref().collect(),
                    negated,
                }
            }
            Rule::between_test => ExprKind::Between {
                value,
                low: operand(),
                high: operand(),
            },
            Rule::contains_test => ExprKind::Contains {
                set: value,
                item: operand(),
            },
            Rule::comparison => {
                let op = parts
                    .iter()
                    .find(|p| p.as_rule() == Rule::compare_op)
                    .map_or(crate::vocab::CompareOp::Eq, |p| compare_op(p.as_str()));
                ExprKind::Compare(op, value, operand())
            }
            _ => {
                let op = if has(Rule::kw_not) {
                    crate::vocab::CompareOp::Ne
                } else {
                    crate::vocab::CompareOp::Eq
                };
                ExprKind::Compare(op, value, operand())
            }
        };
        self.node(kind, span, d)
    }

    /// `- - x`: each minus wraps the operand in a `Neg` node.
    fn unary(&self, pair: Pair<'_, Rule>, depth: u32) -> Result<Built> {
        let span = self.span(&pair);
        let mut minus_starts = Vec::new();
        let mut operand = None;
        for p in pair.into_inner() {
            if p.as_rule() == Rule::neg_op {
                minus_starts.push(p.as_span().start());
            } else {
                operand = Some(self.expr(p, depth)?);
            }
        }
        let (mut acc, mut d) = operand.unwrap_or_else(|| (self.missing_expr(span), 1));
        for start in minus_starts.into_iter().rev() {
            let s = Span::new(self.file, start, acc.span.end as usize);
            (acc, d) = self.node(ExprKind::Neg(Box::new(acc)), s, d)?;
        }
        Ok((acc, d))
    }

    fn next_operand<'i>(
        &self,
        inner: &mut impl Iterator<Item = Pair<'i, Rule>>,
        span: Span,
        depth: u32,
    ) -> Result<Built> {
        match inner.next() {
            Some(p) => self.expr(p, depth),
            None => Ok((self.missing_expr(span), 1)),
        }
    }

    /// A node over children of tree depth `child_depth`.
    fn node(&self, kind: ExprKind, span: Span, child_depth: u32) -> Result<Built> {
        let depth = child_depth + 1;
        if depth > MAX_EXPR_DEPTH {
            return Err(self.too_deep(span));
        }
        Ok((Expr { kind, span }, depth))
    }

    fn too_deep(&self, span: Span) -> Box<ParseError> {
        Box::new(ParseError::TooDeep {
            limit: MAX_EXPR_DEPTH,
            src: self.source.named_source(),
            span: span.into(),
        })
    }
}

/// A binary operator of a chain.
enum Op {
    Logic(LogicOp),
    Arith(ArithOp),
}
