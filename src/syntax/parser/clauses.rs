//! Parser, continued: tests, literals, metadata clauses and small helpers.
//!
//! Input: pest pairs of one file. Output: the matching `ast` nodes.

use pest::iterators::Pair;

use super::{Builder, Result, Rule, Seen};
use crate::limits;
use crate::source::{Span, Spanned};
use crate::syntax::ast::{self, Expr, ExprKind};
use crate::syntax::error::ParseError;
use crate::syntax::lexical::{self, LiteralError};

impl Builder<'_> {
    pub(super) fn test(&self, pair: Pair<'_, Rule>) -> Result<ast::TestDecl> {
        let span = self.span(&pair);
        let mut decl = ast::TestDecl {
            name: Spanned::new(String::new(), span),
            given: Vec::new(),
            params: Vec::new(),
            expects: Vec::new(),
            span,
        };
        for p in self.data(pair) {
            match p.as_rule() {
                Rule::string => decl.name = self.string(p)?,
                Rule::given_block => {
                    for a in self.data(p) {
                        decl.given.push(self.assignment(a)?);
                    }
                }
                Rule::test_param => {
                    let pspan = self.span(&p);
                    let mut inner = self.data(p);
                    let name = self.next_ident(&mut inner, pspan);
                    let value = match inner.next() {
                        Some(v) => self.literal(v)?,
                        None => Spanned::new(ast::Literal::Bool(false), pspan),
                    };
                    decl.params.push(ast::ParamOverride { name, value });
                }
                Rule::expect_clause => {
                    if let Some(e) = self.data(p.clone()).next() {
                        decl.expects.push(self.expectation(e, self.span(&p))?);
                    }
                }
                _ => {}
            }
        }
        Ok(decl)
    }

    fn assignment(&self, pair: Pair<'_, Rule>) -> Result<ast::Assignment> {
        let span = self.span(&pair);
        let mut inner = self.data(pair);
        let name = self.next_ident(&mut inner, span);
        let value = match inner.next().and_then(|v| v.into_inner().next()) {
            Some(v) => {
                let vspan = self.span(&v);
                let node = match v.as_rule() {
                    Rule::unknown_value => ast::FactValue::Unknown,
                    Rule::list_value => ast::FactValue::List(self.idents(v)),
                    Rule::signed_number => ast::FactValue::Number(self.number(v)?.node),
                    Rule::string => ast::FactValue::Text(self.string(v)?.node),
                    Rule::boolean => ast::FactValue::Bool(is_true(&v)),
                    _ => ast::FactValue::Name(v.as_str().to_string()),
                };
                Spanned::new(node, vspan)
            }
            None => Spanned::new(ast::FactValue::Unknown, span),
        };
        Ok(ast::Assignment { name, value })
    }

    fn expectation(&self, pair: Pair<'_, Rule>, span: Span) -> Result<ast::Expectation> {
        let rule = pair.as_rule();
        let provisional = pair
            .clone()
            .into_inner()
            .any(|p| p.as_rule() == Rule::k_provisional);
        let mut inner = self.data(pair);
        let name = self.next_ident(&mut inner, span);
        Ok(match rule {
            Rule::expect_classification => ast::Expectation::Classification {
                name,
                provisional,
                span,
            },
            Rule::expect_score => {
                let op = inner
                    .next()
                    .map_or(crate::vocab::CompareOp::Ge, |p| compare_op(p.as_str()));
                let value = match inner.next() {
                    Some(n) => self.number(n)?.node,
                    None => 0.0,
                };
                ast::Expectation::Score {
                    name,
                    op,
                    value,
                    span,
                }
            }
            _ => {
                let word = inner.next();
                let negated = word
                    .as_ref()
                    .and_then(|w| w.clone().into_inner().next())
                    .is_some_and(|w| w.as_rule() == Rule::negated_status);
                let status = match word.map(|w| w.as_str().to_string()) {
                    Some(w) if w.ends_with("undetermined") => {
                        crate::vocab::ExpectedStatus::Undetermined
                    }
                    Some(w) if w.contains("provisionally") && w.ends_with("recommended") => {
                        crate::vocab::ExpectedStatus::ProvisionallyRecommended
                    }
                    Some(w) if w.contains("provisionally") => {
                        crate::vocab::ExpectedStatus::ProvisionallyAvoided
                    }
                    Some(w) if w.ends_with("recommended") => {
                        crate::vocab::ExpectedStatus::Recommended
                    }
                    Some(w) if w.ends_with("avoided") => crate::vocab::ExpectedStatus::Avoided,
                    _ => crate::vocab::ExpectedStatus::Matched,
                };
                ast::Expectation::Status {
                    name,
                    status,
                    negated,
                    span,
                }
            }
        })
    }

    // -- literals -----------------------------------------------------------------------

    pub(super) fn literal(&self, pair: Pair<'_, Rule>) -> Result<Spanned<ast::Literal>> {
        let span = self.span(&pair);
        let node = match pair.into_inner().next() {
            Some(v) => match v.as_rule() {
                Rule::signed_number => ast::Literal::Number {
                    value: self.number(v.clone())?.node,
                    text: v.as_str().to_string(),
                },
                Rule::string => ast::Literal::Text(self.string(v)?.node),
                Rule::boolean => ast::Literal::Bool(is_true(&v)),
                _ => ast::Literal::Name(v.as_str().to_string()),
            },
            None => ast::Literal::Bool(false),
        };
        Ok(Spanned::new(node, span))
    }

    /// A `number` or `signed_number` pair as a value.
    pub(super) fn number(&self, pair: Pair<'_, Rule>) -> Result<Spanned<f64>> {
        let span = self.span(&pair);
        match lexical::number_value(pair.as_str()) {
            Some(value) => Ok(Spanned::new(value, span)),
            None => Err(Box::new(ParseError::InvalidNumber {
                text: pair.as_str().to_string(),
                src: self.source.named_source(),
                span: span.into(),
                reason: String::from("too large to represent"),
                help: String::from("write a number of at most about 1.8e308"),
            })),
        }
    }

    /// A `string` pair (simple or text block) as its decoded text.
    pub(super) fn string(&self, pair: Pair<'_, Rule>) -> Result<Spanned<String>> {
        let span = self.span(&pair);
        let Some(kind) = pair.into_inner().next() else {
            return Ok(Spanned::new(String::new(), span));
        };
        let triple = kind.as_rule() == Rule::triple_string;
        let Some(inner) = kind.into_inner().next() else {
            return Ok(Spanned::new(String::new(), span));
        };
        if inner.as_str().len() > limits::MAX_STRING_BYTES {
            // The raw text bounds the decoded one: escapes and dedenting only shorten it.
            return Err(Box::new(ParseError::StringTooLong {
                limit_kib: limits::MAX_STRING_BYTES / 1024,
                src: self.source.named_source(),
                span: Span::new(self.file, span.start as usize, span.start as usize + 1).into(),
            }));
        }
        if triple {
            return Ok(Spanned::new(lexical::dedent(inner.as_str()), span));
        }
        let start = inner.as_span().start();
        match lexical::unescape(inner.as_str()) {
            Ok(text) => Ok(Spanned::new(text, span)),
            Err(LiteralError::InvalidEscape { escape, range }) => {
                Err(Box::new(ParseError::InvalidEscape {
                    escape,
                    src: self.source.named_source(),
                    span: Span::new(self.file, start + range.start, start + range.end).into(),
                }))
            }
        }
    }

    // -- metadata -----------------------------------------------------------------------

    pub(super) fn meta_body(
        &self,
        pair: Pair<'_, Rule>,
        meta: &mut ast::Meta,
        seen: &mut Seen<'_>,
    ) -> Result<()> {
        for clause in pair.into_inner() {
            self.meta_clause(clause, meta, seen)?;
        }
        Ok(())
    }

    /// `label "..."`, `description "..."`, `cite "..."` or `unit "..."`.
    pub(super) fn meta_clause(
        &self,
        pair: Pair<'_, Rule>,
        meta: &mut ast::Meta,
        seen: &mut Seen<'_>,
    ) -> Result<()> {
        let mut inner = pair.into_inner();
        let (Some(key), Some(value)) = (inner.next(), inner.next()) else {
            return Ok(());
        };
        let (clause, slot) = match key.as_str() {
            "label" => ("label", &mut meta.label),
            "description" => ("description", &mut meta.description),
            "cite" => ("cite", &mut meta.cite),
            _ => ("unit", &mut meta.unit),
        };
        seen.once(self, clause, self.span(&key))?;
        *slot = Some(self.string(value)?);
        Ok(())
    }

    /// `minimum N` / `maximum N` in a fact body.
    pub(super) fn number_clause(
        &self,
        pair: Pair<'_, Rule>,
        clause: &'static str,
        seen: &mut Seen<'_>,
    ) -> Result<Spanned<f64>> {
        let span = self.span(&pair);
        seen.once(self, clause, keyword_span(self, &pair))?;
        match self.data(pair).next() {
            Some(n) => self.number(n),
            None => Ok(Spanned::new(0.0, span)),
        }
    }

    // -- helpers ------------------------------------------------------------------------

    /// The next pair as a name (declarations always start with one).
    pub(super) fn next_ident<'i>(
        &self,
        inner: &mut impl Iterator<Item = Pair<'i, Rule>>,
        fallback: Span,
    ) -> ast::Ident {
        match inner.next() {
            Some(p) => self.ident(p),
            None => ast::Ident {
                name: String::new(),
                span: fallback,
            },
        }
    }

    /// All names directly inside a pair (`for a, b`, `level a < b`, `[a, b]`).
    pub(super) fn idents(&self, pair: Pair<'_, Rule>) -> Vec<ast::Ident> {
        pair.into_inner()
            .filter(|p| p.as_rule() == Rule::ident)
            .map(|p| self.ident(p))
            .collect()
    }

    /// Placeholder for an expression the grammar guarantees; never seen in practice.
    pub(super) fn missing_expr(&self, span: Span) -> Expr {
        Expr {
            kind: ExprKind::Bool(false),
            span,
        }
    }
}

/// The span of a clause's leading keyword (the whole clause if it has none).
pub(super) fn keyword_span(b: &Builder<'_>, clause: &Pair<'_, Rule>) -> Span {
    match clause.clone().into_inner().next() {
        Some(first) if is_keyword(first.as_rule()) => b.span(&first),
        _ => b.span(clause),
    }
}

/// The keyword of a policy clause, as written.
pub(super) fn clause_name(rule: Rule) -> &'static str {
    match rule {
        Rule::for_clause => "for",
        Rule::when_clause => "when",
        Rule::phase_clause => "phase",
        Rule::after_clause => "after",
        Rule::advice_clause => "advice",
        _ => "rationale",
    }
}

/// Keyword pairs carry no data beyond their presence.
pub(super) fn is_keyword(rule: Rule) -> bool {
    use Rule::*;
    matches!(
        rule,
        kw_and
            | kw_or
            | kw_not
            | kw_in
            | kw_between
            | kw_is
            | kw_known
            | kw_unknown
            | kw_contains
            | kw_weight
            | kw_note
            | kw_true
            | kw_false
            | k_fact
            | k_param
            | k_derived
            | k_type
            | k_extends
            | k_required
            | k_indicative
            | k_excluding
            | k_policy
            | k_avoid
            | k_for
            | k_when
            | k_phase
            | k_after
            | k_advice
            | k_rationale
            | k_test
            | k_given
            | k_expect
            | k_classification
            | k_provisional
            | k_score
            | k_minimum
            | k_maximum
            | k_level
            | k_one
            | k_of
            | k_set
    )
}

/// Whether a `boolean` pair is `true`.
pub(super) fn is_true(pair: &Pair<'_, Rule>) -> bool {
    pair.as_str() == "true"
}

/// A comparison operator as written (`==`, `<=`, ...).
pub(super) fn compare_op(text: &str) -> crate::vocab::CompareOp {
    match text {
        "!=" => crate::vocab::CompareOp::Ne,
        "<" => crate::vocab::CompareOp::Lt,
        "<=" => crate::vocab::CompareOp::Le,
        ">" => crate::vocab::CompareOp::Gt,
        ">=" => crate::vocab::CompareOp::Ge,
        _ => crate::vocab::CompareOp::Eq,
    }
}
