//! Parser: rule file text → `ast::RuleFile`. The only file that knows about pest.
//!
//! Input: a `SourceFile` (or a whole `SourceMap`). Output: one syntax tree per file with a
//! span on every node, or a `ParseError` explaining, in the language's words, what is wrong.
//!
//! Choices worth knowing:
//! - A unary minus in an expression stays an `ExprKind::Neg` node (`-3` is `Neg(3)`), so the
//!   tree mirrors the text; signed numbers in clauses and literals (`phase -1`, `param x = -3`)
//!   are read as negative numbers directly.
//! - A parenthesised expression has no node of its own; the inner node takes the span of the
//!   parentheses.
//! - `"""text blocks"""` are raw (no escapes) and dedented, see `lexical::dedent`.

use pest::iterators::{Pair, Pairs};
use pest::Parser as _;
use pest_derive::Parser;

use crate::source::{FileId, SourceFile, SourceMap, Span, Spanned};
use crate::syntax::ast::{self, Expr};
use crate::syntax::error::ParseError;
use crate::syntax::lexical;
use clauses::{clause_name, is_keyword, keyword_span};

mod clauses;
mod expected;
mod expr;
mod hints;
mod phrases;
mod unclosed;

#[derive(Parser)]
#[grammar = "../grammar/meso.pest"]
struct MesoParser;

/// Deepest expression nesting accepted; later stages walk expressions recursively.
pub(crate) use crate::limits::MAX_EXPR_DEPTH;

/// Parse one rule file into its syntax tree.
///
/// pest stops at the first syntax error, so a file yields at most one error.
#[allow(
    clippy::result_large_err,
    reason = "the stage interface returns the diagnostic itself; one per file, on failure only \
              (an allow, not an expect: on 32-bit targets the error is under the lint's size)"
)]
pub fn parse_file(file: FileId, source: &SourceFile) -> Result<ast::RuleFile, ParseError> {
    let text: &str = &source.text;
    let mut pairs = match parse_pairs(text) {
        Ok(pairs) => pairs,
        Err(error) => return Err(expected::convert(&error, source)),
    };
    let builder = Builder { file, source };
    let mut items = Vec::new();
    if let Some(file_pair) = pairs.next() {
        for pair in file_pair.into_inner() {
            if pair.as_rule() != Rule::EOI {
                items.push(builder.item(pair).map_err(|e| *e)?);
            }
        }
    }
    Ok(ast::RuleFile { items })
}

/// Guards pest's process-wide "error detail" switch, which each parse reads when it starts.
/// It stays off (the fast parse) except while a failed file is parsed again for its message.
static ERROR_DETAIL: std::sync::RwLock<()> = std::sync::RwLock::new(());

/// Run the pest parser over one file.
///
/// Detailed attempts (the literal tokens expected at an error) make the messages readable,
/// but recording them at every token more than halves parsing speed. Valid files are
/// parsed without them; a file that fails is parsed again with them, which fails at the
/// same place and gives the detailed error.
fn parse_pairs(text: &str) -> std::result::Result<Pairs<'_, Rule>, pest::error::Error<Rule>> {
    {
        let _fast = ERROR_DETAIL
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Ok(pairs) = MesoParser::parse(Rule::file, text) {
            return Ok(pairs);
        }
    }
    let _detailed = ERROR_DETAIL
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    pest::set_error_detail(true);
    let result = MesoParser::parse(Rule::file, text);
    pest::set_error_detail(false);
    result
}

/// Parse every file of a rule set, in load order, collecting every file's error.
pub fn parse_rule_set(sources: &SourceMap) -> (Vec<(FileId, ast::RuleFile)>, Vec<ParseError>) {
    // Files are independent: with threads (the `cli` feature) parse them on every core
    // (most of a one-cluster `meso eval` is parsing the rule set); results come back in
    // load order either way.
    let sources: Vec<_> = sources.files().collect();
    #[cfg(feature = "cli")]
    use rayon::prelude::*;
    #[cfg(feature = "cli")]
    let files = sources.par_iter();
    #[cfg(not(feature = "cli"))]
    let files = sources.iter();
    let parsed: Vec<_> = files
        .map(|&(id, source)| (id, parse_file(id, source)))
        .collect();
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for (id, result) in parsed {
        match result {
            Ok(tree) => files.push((id, tree)),
            Err(error) => errors.push(error),
        }
    }
    (files, errors)
}

/// Errors are boxed inside the builder to keep its (recursive) stack frames small.
type Result<T, E = Box<ParseError>> = std::result::Result<T, E>;

/// Builds syntax tree nodes from pest pairs of one file.
struct Builder<'s> {
    file: FileId,
    source: &'s SourceFile,
}

/// Clauses already seen in one declaration, to report a clause given twice.
struct Seen<'d> {
    declaration: &'d str,
    clauses: Vec<(&'static str, Span)>,
}

impl<'d> Seen<'d> {
    fn new(declaration: &'d str) -> Self {
        Seen {
            declaration,
            clauses: Vec::new(),
        }
    }

    /// Record `clause` at `span`; error when it was given before.
    fn once(&mut self, b: &Builder<'_>, clause: &'static str, span: Span) -> Result<()> {
        if let Some((_, first)) = self.clauses.iter().find(|(c, _)| *c == clause) {
            return Err(Box::new(ParseError::DuplicateClause {
                clause: clause.to_string(),
                declaration: self.declaration.to_string(),
                src: b.source.named_source(),
                span: span.into(),
                first: (*first).into(),
                help: format!("keep only one `{clause}` clause"),
            }));
        }
        self.clauses.push((clause, span));
        Ok(())
    }
}

/// An expression and the depth of its tree.
type Built = (Expr, u32);

impl Builder<'_> {
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        let end = s.start() + lexical::token_end(s.as_str());
        Span::new(self.file, s.start(), end)
    }

    fn ident(&self, pair: Pair<'_, Rule>) -> ast::Ident {
        ast::Ident {
            name: pair.as_str().to_string(),
            span: self.span(&pair),
        }
    }

    /// The inner pairs that carry data (keywords dropped).
    fn data<'i>(&self, pair: Pair<'i, Rule>) -> impl Iterator<Item = Pair<'i, Rule>> {
        pair.into_inner().filter(|p| !is_keyword(p.as_rule()))
    }

    fn item(&self, pair: Pair<'_, Rule>) -> Result<ast::Item> {
        Ok(match pair.as_rule() {
            Rule::fact_decl => ast::Item::Fact(self.fact(pair)?),
            Rule::param_decl => ast::Item::Param(self.param(pair)?),
            Rule::derived_decl => ast::Item::Derived(self.derived(pair)?),
            Rule::type_decl => ast::Item::Type(self.type_decl(pair)?),
            Rule::policy_decl => {
                ast::Item::Policy(self.policy(pair, crate::vocab::PolicyKind::Recommend)?)
            }
            Rule::avoid_decl => {
                ast::Item::Policy(self.policy(pair, crate::vocab::PolicyKind::Avoid)?)
            }
            _ => ast::Item::Test(self.test(pair)?),
        })
    }

    // -- declarations -------------------------------------------------------------------

    fn fact(&self, pair: Pair<'_, Rule>) -> Result<ast::FactDecl> {
        let span = self.span(&pair);
        let mut inner = self.data(pair);
        let name = self.next_ident(&mut inner, span);
        let mut ty = Spanned::new(ast::FactType::Number, span);
        let mut meta = ast::Meta::default();
        let (mut minimum, mut maximum) = (None, None);
        let mut seen = Seen::new(&name.name);
        for p in inner {
            match p.as_rule() {
                Rule::fact_type => ty = self.fact_type(p),
                Rule::fact_body => {
                    for clause in p.into_inner() {
                        match clause.as_rule() {
                            Rule::minimum_clause => {
                                minimum = Some(self.number_clause(clause, "minimum", &mut seen)?);
                            }
                            Rule::maximum_clause => {
                                maximum = Some(self.number_clause(clause, "maximum", &mut seen)?);
                            }
                            _ => self.meta_clause(clause, &mut meta, &mut seen)?,
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(ast::FactDecl {
            name,
            ty,
            meta,
            minimum,
            maximum,
            span,
        })
    }

    fn fact_type(&self, pair: Pair<'_, Rule>) -> Spanned<ast::FactType> {
        let span = self.span(&pair);
        let ty = match pair.into_inner().next() {
            Some(p) => match p.as_rule() {
                Rule::level_type => ast::FactType::Level(self.idents(p)),
                Rule::one_of_type => ast::FactType::OneOf(self.idents(p)),
                Rule::set_of_type => ast::FactType::SetOf(self.idents(p)),
                _ => match p.as_str() {
                    "count" => ast::FactType::Count,
                    "integer" => ast::FactType::Integer,
                    "ratio" => ast::FactType::Ratio,
                    "boolean" => ast::FactType::Boolean,
                    "text" => ast::FactType::Text,
                    _ => ast::FactType::Number,
                },
            },
            None => ast::FactType::Number,
        };
        Spanned::new(ty, span)
    }

    fn param(&self, pair: Pair<'_, Rule>) -> Result<ast::ParamDecl> {
        let span = self.span(&pair);
        let mut inner = self.data(pair);
        let name = self.next_ident(&mut inner, span);
        let mut value = Spanned::new(ast::Literal::Bool(false), span);
        let mut meta = ast::Meta::default();
        let mut seen = Seen::new(&name.name);
        for p in inner {
            match p.as_rule() {
                Rule::literal => value = self.literal(p)?,
                Rule::meta_body => self.meta_body(p, &mut meta, &mut seen)?,
                _ => {}
            }
        }
        Ok(ast::ParamDecl {
            name,
            value,
            meta,
            span,
        })
    }

    fn derived(&self, pair: Pair<'_, Rule>) -> Result<ast::DerivedDecl> {
        let span = self.span(&pair);
        let mut inner = self.data(pair);
        let name = self.next_ident(&mut inner, span);
        let mut expr = None;
        let mut meta = ast::Meta::default();
        let mut seen = Seen::new(&name.name);
        for p in inner {
            match p.as_rule() {
                Rule::expr => expr = Some(self.expr(p, 0)?.0),
                Rule::meta_body => self.meta_body(p, &mut meta, &mut seen)?,
                _ => {}
            }
        }
        Ok(ast::DerivedDecl {
            name,
            expr: expr.unwrap_or_else(|| self.missing_expr(span)),
            meta,
            span,
        })
    }

    fn type_decl(&self, pair: Pair<'_, Rule>) -> Result<ast::TypeDecl> {
        let span = self.span(&pair);
        let mut inner = self.data(pair);
        let name = self.next_ident(&mut inner, span);
        let mut decl = ast::TypeDecl {
            name: name.clone(),
            extends: None,
            meta: ast::Meta::default(),
            required: Vec::new(),
            indicative: Vec::new(),
            excluding: Vec::new(),
            span,
        };
        let mut seen = Seen::new(&name.name);
        for p in inner {
            match p.as_rule() {
                Rule::extends_clause => decl.extends = self.data(p).next().map(|i| self.ident(i)),
                Rule::required_block => decl.required.extend(self.criteria(p)?),
                Rule::indicative_block => decl.indicative.extend(self.criteria(p)?),
                Rule::excluding_block => decl.excluding.extend(self.criteria(p)?),
                _ => self.meta_clause(p, &mut decl.meta, &mut seen)?,
            }
        }
        Ok(decl)
    }

    fn criteria(&self, block: Pair<'_, Rule>) -> Result<Vec<ast::Criterion>> {
        let mut out = Vec::new();
        for pair in self.data(block) {
            let span = self.span(&pair);
            let mut inner = self.data(pair);
            let name = self.next_ident(&mut inner, span);
            let mut criterion = ast::Criterion {
                name,
                expr: self.missing_expr(span),
                weight: None,
                note: None,
                span,
            };
            for p in inner {
                match p.as_rule() {
                    Rule::expr => criterion.expr = self.expr(p, 0)?.0,
                    Rule::weight_clause => {
                        if let Some(n) = self.data(p).next() {
                            criterion.weight = Some(self.number(n)?);
                        }
                    }
                    Rule::note_clause => {
                        if let Some(s) = self.data(p).next() {
                            criterion.note = Some(self.string(s)?);
                        }
                    }
                    _ => {}
                }
            }
            out.push(criterion);
        }
        Ok(out)
    }

    fn policy(
        &self,
        pair: Pair<'_, Rule>,
        kind: crate::vocab::PolicyKind,
    ) -> Result<ast::PolicyDecl> {
        let span = self.span(&pair);
        let mut inner = self.data(pair);
        let name = self.next_ident(&mut inner, span);
        let mut decl = ast::PolicyDecl {
            kind,
            name: name.clone(),
            meta: ast::Meta::default(),
            for_types: Vec::new(),
            when: None,
            phase: None,
            after: Vec::new(),
            advice: None,
            rationale: None,
            span,
        };
        let mut seen = Seen::new(&name.name);
        for clause in inner {
            let rule = clause.as_rule();
            if rule == Rule::meta_clause {
                self.meta_clause(clause, &mut decl.meta, &mut seen)?;
                continue;
            }
            let keyword_span = keyword_span(self, &clause);
            let name = clause_name(rule);
            seen.once(self, name, keyword_span)?;
            if rule == Rule::for_clause {
                decl.for_types = self.idents(clause);
                continue;
            }
            if rule == Rule::after_clause {
                decl.after = self.idents(clause);
                continue;
            }
            match (rule, self.data(clause).next()) {
                (Rule::when_clause, Some(e)) => decl.when = Some(self.expr(e, 0)?.0),
                (Rule::phase_clause, Some(n)) => decl.phase = Some(self.number(n)?),
                (Rule::advice_clause, Some(s)) => decl.advice = Some(self.string(s)?),
                (Rule::rationale_clause, Some(s)) => decl.rationale = Some(self.string(s)?),
                _ => {}
            }
        }
        Ok(decl)
    }
}
