//! Expression pass: resolve names, infer and check types, lower to the `ir` arena.
//!
//! Bare level names (`low`) have no type of their own: they are resolved from the other
//! side of a comparison, the tested value of `in`/`between`, or the set of `contains`.
//! Level parameters (`param max_trust = medium`) are typed the same way at first use.

use super::{CheckKind, Checker, Decl, Progress};
use crate::ir::{self, CompareKind, DerivedId, ExprId, Func, ParamId, ValueType};
use crate::limits;
use crate::source::Span;
use crate::suggest::did_you_mean;
use crate::syntax::ast::{self, ExprKind, Literal};
use crate::value::Value;
use crate::vocab::{CompareOp, LogicOp};

/// Static type of an expression during checking.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Ty {
    Number,
    Bool,
    Text,
    /// A level of domain i
    Level(usize),
    /// A set over domain i
    Set(usize),
    /// A bare level name not yet resolved to a domain
    LevelName(String),
    /// A level parameter whose domain is not known yet
    PendingParam(ParamId),
    /// Already reported; suppress follow-up errors
    Error,
}

impl<'a> Checker<'a> {
    fn push(&mut self, expr: ir::Expr, span: Span) -> ExprId {
        let id = ExprId::from_index(self.program.exprs.len());
        self.program.exprs.push(expr);
        self.program.expr_spans.push(span);
        id
    }

    /// Human description of a type, for messages.
    pub(crate) fn describe(&self, ty: &Ty) -> String {
        match ty {
            Ty::Number => "a number".into(),
            Ty::Bool => "a condition (true/false)".into(),
            Ty::Text => "text".into(),
            Ty::Level(d) => match self.domains.get(*d) {
                Some(dom) if dom.ordered => format!("a level ({})", dom.names.join(" < ")),
                Some(dom) => format!("one of {}", dom.names.join(", ")),
                None => "a level".into(),
            },
            Ty::Set(d) => match self.domains.get(*d) {
                Some(dom) => format!("a set of {}", dom.names.join(", ")),
                None => "a set".into(),
            },
            Ty::LevelName(n) => format!("the level name `{n}`"),
            Ty::PendingParam(_) => "a level".into(),
            Ty::Error => "an invalid expression".into(),
        }
    }

    /// The static type to record in the program for a checked type.
    pub(crate) fn value_type(&self, ty: &Ty) -> ValueType {
        match ty {
            Ty::Number => ValueType::Number,
            Ty::Text => ValueType::Text,
            Ty::Level(d) => {
                let dom = self.domains.get(*d);
                ValueType::Level {
                    levels: dom.map(|d| d.names.clone()).unwrap_or_default(),
                    ordered: dom.is_some_and(|d| d.ordered),
                }
            }
            Ty::Set(d) => ValueType::Set {
                members: self
                    .domains
                    .get(*d)
                    .map(|d| d.names.clone())
                    .unwrap_or_default(),
            },
            _ => ValueType::Boolean,
        }
    }

    fn snippet(&self, span: Span) -> String {
        let text = self
            .sources
            .get(span.file)
            .map(|f| f.snippet(span).to_string())
            .unwrap_or_default();
        let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if one_line.chars().count() > 40 {
            let short: String = one_line.chars().take(37).collect();
            format!("{short}...")
        } else {
            one_line
        }
    }

    /// Lower a derived value (and, first, everything it reads). Returns its type.
    pub(super) fn lower_derived(&mut self, id: DerivedId) -> Ty {
        match self.derived_progress.get(id.index()).copied() {
            Some(Progress::Done) => {
                return self
                    .derived_types
                    .get(id.index())
                    .cloned()
                    .flatten()
                    .unwrap_or(Ty::Error)
            }
            Some(Progress::Lowering) | None => return Ty::Error,
            Some(Progress::Pending) => {}
        }
        let Some(decl) = self.derived_ast.get(id.index()).copied() else {
            return Ty::Error;
        };
        if let Some(p) = self.derived_progress.get_mut(id.index()) {
            *p = Progress::Lowering;
        }
        self.derived_stack.push(id);
        let (expr, ty) = self.lower_expr(&decl.expr);
        let ty = match self.settle(ty) {
            Ty::LevelName(name) => {
                self.report(
                    CheckKind::TypeMismatch,
                    decl.expr.span,
                    format!(
                        "derived value `{}` is just the level name `{name}`",
                        decl.name.name
                    ),
                    "a level name on its own",
                    Some(format!(
                        "compare it with a fact, e.g. `trust == {name}`, or use a `param`"
                    )),
                );
                Ty::Error
            }
            other => other,
        };
        self.derived_stack.pop();
        let value_type = self.value_type(&ty);
        if let Some(d) = self.program.derived.get_mut(id.index()) {
            d.expr = expr;
            d.ty = value_type;
        }
        if let Some(slot) = self.derived_types.get_mut(id.index()) {
            *slot = Some(ty.clone());
        }
        if let Some(p) = self.derived_progress.get_mut(id.index()) {
            *p = Progress::Done;
        }
        self.program.derived_order.push(id);
        ty
    }

    /// Lower an expression that must be a condition; reports and returns `Ty::Error` otherwise.
    pub(super) fn lower_condition(&mut self, expr: &ast::Expr, what: &str) -> ExprId {
        let (id, ty) = self.lower_expr(expr);
        self.expect_bool(&ty, expr.span, what);
        id
    }

    fn expect_bool(&mut self, ty: &Ty, span: Span, what: &str) {
        match &self.settle(ty.clone()) {
            Ty::Bool | Ty::Error => {}
            Ty::LevelName(name) => self.report(
                CheckKind::NotACondition,
                span,
                format!("{what} is the level name `{name}`, not a condition"),
                "not true or false",
                Some(format!("compare a fact with it, e.g. `trust == {name}`")),
            ),
            other => {
                let described = self.describe(other);
                let snippet = self.snippet(span);
                self.report(
                    CheckKind::NotACondition,
                    span,
                    format!("{what} `{snippet}` is {described}, not a condition"),
                    "not true or false",
                    Some(match other {
                        Ty::Number => {
                            format!("compare it with a threshold, e.g. `{snippet} >= some_param`")
                        }
                        Ty::Level(_) | Ty::PendingParam(_) => {
                            format!("compare it with a level, e.g. `{snippet} == low`")
                        }
                        Ty::Set(_) => {
                            format!("test a member, e.g. `{snippet} contains some_member`")
                        }
                        _ => "write a comparison, e.g. `fact >= threshold`".into(),
                    }),
                )
            }
        }
    }

    /// Lower one expression; returns its arena id and type.
    ///
    /// Lowering recurses into the derived values an expression reads, so the nesting is
    /// counted across them and refused past `MAX_EFFECTIVE_DEPTH` to bound the stack.
    pub(super) fn lower_expr(&mut self, expr: &ast::Expr) -> (ExprId, Ty) {
        if self.expr_depth >= limits::MAX_EFFECTIVE_DEPTH {
            self.report_too_deep(expr.span);
            return (
                self.push(ir::Expr::Const(Value::Unknown), expr.span),
                Ty::Error,
            );
        }
        self.expr_depth += 1;
        let lowered = self.lower_expr_node(expr);
        self.expr_depth -= 1;
        lowered
    }

    fn lower_expr_node(&mut self, expr: &ast::Expr) -> (ExprId, Ty) {
        let span = expr.span;
        match &expr.kind {
            ExprKind::Number { value, .. } => (
                self.push(ir::Expr::Const(Value::Number(*value)), span),
                Ty::Number,
            ),
            ExprKind::Text(s) => (
                self.push(ir::Expr::Const(Value::Text(s.as_str().into())), span),
                Ty::Text,
            ),
            ExprKind::Bool(b) => (self.push(ir::Expr::Const(Value::Bool(*b)), span), Ty::Bool),
            ExprKind::Name(name) => self.lower_name(name, span),
            ExprKind::Neg(inner) => {
                let (id, ty) = self.lower_expr(inner);
                self.expect_number(&ty, inner.span, "`-`");
                (self.push(ir::Expr::Neg(id), span), Ty::Number)
            }
            ExprKind::Not(inner) => {
                let (id, ty) = self.lower_expr(inner);
                self.expect_bool(&ty, inner.span, "the operand of `not`");
                (self.push(ir::Expr::Not(id), span), Ty::Bool)
            }
            ExprKind::Logic(op, lhs, rhs) => {
                let word = match op {
                    LogicOp::And => "`and`",
                    LogicOp::Or => "`or`",
                };
                let (l, lt) = self.lower_expr(lhs);
                self.expect_bool(&lt, lhs.span, &format!("the left side of {word}"));
                let (r, rt) = self.lower_expr(rhs);
                self.expect_bool(&rt, rhs.span, &format!("the right side of {word}"));
                let node = match op {
                    LogicOp::And => ir::Expr::And(l, r),
                    LogicOp::Or => ir::Expr::Or(l, r),
                };
                (self.push(node, span), Ty::Bool)
            }
            ExprKind::Arith(op, lhs, rhs) => {
                let (l, lt) = self.lower_expr(lhs);
                self.expect_number(&lt, lhs.span, &format!("`{}`", op.as_str()));
                let (r, rt) = self.lower_expr(rhs);
                self.expect_number(&rt, rhs.span, &format!("`{}`", op.as_str()));
                (
                    self.push(
                        ir::Expr::Arith {
                            op: *op,
                            lhs: l,
                            rhs: r,
                        },
                        span,
                    ),
                    Ty::Number,
                )
            }
            ExprKind::Compare(op, lhs, rhs) => self.lower_compare(*op, lhs, rhs, span),
            ExprKind::In {
                value,
                list,
                negated,
            } => self.lower_in(value, list, *negated, span),
            ExprKind::Between { value, low, high } => self.lower_between(value, low, high, span),
            ExprKind::IsKnown { value, negated } => {
                let (id, ty) = self.lower_expr(value);
                if let Ty::LevelName(name) = &self.settle(ty) {
                    self.report(
                        CheckKind::UndefinedName,
                        value.span,
                        format!("`{name}` is a level name, which is always known"),
                        "not a fact",
                        Some("`is known` tests a fact, parameter or derived value".into()),
                    );
                }
                (
                    self.push(
                        ir::Expr::IsKnown {
                            value: id,
                            negated: *negated,
                        },
                        span,
                    ),
                    Ty::Bool,
                )
            }
            ExprKind::Contains { set, item } => self.lower_contains(set, item, span),
            ExprKind::Call { func, args } => self.lower_call(func, args, span),
        }
    }

    fn expect_number(&mut self, ty: &Ty, span: Span, operator: &str) {
        let ty = &self.settle(ty.clone());
        if matches!(ty, Ty::Number | Ty::Error) {
            return;
        }
        let described = self.describe(ty);
        let snippet = self.snippet(span);
        self.report(
            CheckKind::TypeMismatch,
            span,
            format!("{operator} needs a number, but `{snippet}` is {described}"),
            format!("{described}, not a number"),
            Some("arithmetic works on numbers, counts and ratios only".into()),
        );
    }

    fn lower_name(&mut self, name: &str, span: Span) -> (ExprId, Ty) {
        match self.names.get(name).copied() {
            Some((Decl::Fact(id), _)) => {
                if let Some(u) = self.used_facts.get_mut(id.index()) {
                    *u = true;
                }
                let ty = match (
                    self.program.facts.get(id.index()).map(|f| &f.ty),
                    self.fact_domain.get(id.index()).copied().flatten(),
                ) {
                    (
                        Some(ir::FactType::Number | ir::FactType::Integer | ir::FactType::Ratio),
                        _,
                    ) => Ty::Number,
                    (Some(ir::FactType::Boolean), _) => Ty::Bool,
                    (Some(ir::FactType::Text), _) => Ty::Text,
                    (Some(ir::FactType::Level { .. }), Some(d)) => Ty::Level(d),
                    (Some(ir::FactType::Set { .. }), Some(d)) => Ty::Set(d),
                    _ => Ty::Error,
                };
                (self.push(ir::Expr::Fact(id), span), ty)
            }
            Some((Decl::Param(id), _)) => {
                if let Some(u) = self.used_params.get_mut(id.index()) {
                    *u = true;
                }
                let ty = match self.param_literal.get(id.index()) {
                    Some(Literal::Number { .. }) => Ty::Number,
                    Some(Literal::Text(_)) => Ty::Text,
                    Some(Literal::Bool(_)) => Ty::Bool,
                    Some(Literal::Name(_)) => {
                        match self.param_domain.get(id.index()).copied().flatten() {
                            Some(d) => Ty::Level(d),
                            None => Ty::PendingParam(id),
                        }
                    }
                    None => Ty::Error,
                };
                (self.push(ir::Expr::Param(id), span), ty)
            }
            Some((Decl::Derived(id), _)) => {
                if let Some(u) = self.used_derived.get_mut(id.index()) {
                    *u = true;
                }
                let ty = if self.derived_progress.get(id.index()) == Some(&Progress::Lowering) {
                    self.report_derived_cycle(id, name, span);
                    Ty::Error
                } else {
                    self.lower_derived(id)
                };
                (self.push(ir::Expr::Derived(id), span), ty)
            }
            Some((decl @ (Decl::Type(_) | Decl::Policy(_)), _)) => {
                self.report(
                    CheckKind::UndefinedName,
                    span,
                    format!("`{name}` is a {}, which a condition cannot read", decl.describe()),
                    "not a fact, parameter or derived value",
                    Some("conditions read facts, parameters and derived values; to reuse a type's test, put it in a `derived` value".into()),
                );
                (self.push(ir::Expr::Const(Value::Unknown), span), Ty::Error)
            }
            None => {
                // Resolved later from context (a level); a placeholder until then. A name
                // that is no level anywhere is reported at the end of checking, unless a
                // level context reports it first as an unknown level.
                let id = self.push(ir::Expr::Const(Value::Unknown), span);
                if !self.is_level_name(name) {
                    self.unresolved.push((id, name.to_string(), span));
                }
                (id, Ty::LevelName(name.to_string()))
            }
        }
    }

    /// Whether `name` is a level, alternative or member of some declared fact.
    pub(crate) fn is_level_name(&self, name: &str) -> bool {
        self.domains
            .iter()
            .any(|d| d.names.iter().any(|n| n == name))
    }

    /// An undeclared name (queued for an `undefined_name` report) becomes `Ty::Error`, so
    /// that no follow-up message talks about it as if it were a level.
    fn settle(&self, ty: Ty) -> Ty {
        match ty {
            Ty::LevelName(name) if !self.is_level_name(&name) => Ty::Error,
            other => other,
        }
    }

    /// Report every name that was never declared and never met a level context.
    pub(super) fn report_unresolved(&mut self) {
        for (_, name, span) in std::mem::take(&mut self.unresolved) {
            self.undefined_name(&name, span);
        }
    }

    fn undefined_name(&mut self, name: &str, span: Span) {
        let candidates: Vec<String> = self
            .names
            .iter()
            .filter(|(_, (d, _))| matches!(d, Decl::Fact(_) | Decl::Param(_) | Decl::Derived(_)))
            .map(|(n, _)| n.clone())
            .chain(self.domains.iter().flat_map(|d| d.names.iter().cloned()))
            .collect();
        let help = did_you_mean(name, candidates.iter().map(String::as_str)).or_else(|| {
            Some(format!(
                "declare it, e.g. `fact {name}: number`, or check the spelling"
            ))
        });
        self.report(
            CheckKind::UndefinedName,
            span,
            format!("unknown name `{name}`"),
            "not a fact, parameter, derived value or level",
            help,
        );
    }

    fn report_derived_cycle(&mut self, id: DerivedId, name: &str, span: Span) {
        let start = self
            .derived_stack
            .iter()
            .position(|d| *d == id)
            .unwrap_or(0);
        let mut path: Vec<String> = self
            .derived_stack
            .iter()
            .skip(start)
            .filter_map(|d| self.program.derived.get(d.index()).map(|x| x.name.clone()))
            .collect();
        path.push(name.to_string());
        self.report(
            CheckKind::DerivedCycle,
            span,
            format!("derived value `{name}` depends on itself: {}", path.join(" → ")),
            "this reference closes the loop",
            Some("a derived value must be computable from facts, parameters and other derived values without going round in a circle".into()),
        );
    }

    /// Give a level name or level parameter the domain `d` (patching the placeholder node).
    fn resolve_in(&mut self, id: ExprId, ty: Ty, d: usize, span: Span, context: &str) -> Ty {
        match ty {
            Ty::LevelName(name) => {
                self.unresolved.retain(|(pending, _, _)| *pending != id);
                let position = self
                    .domains
                    .get(d)
                    .and_then(|dom| dom.names.iter().position(|n| *n == name));
                match position {
                    Some(i) => {
                        if let Some(node) = self.program.exprs.get_mut(id.index()) {
                            *node =
                                ir::Expr::Const(Value::Level(u32::try_from(i).unwrap_or(u32::MAX)));
                        }
                        Ty::Level(d)
                    }
                    None => {
                        self.unknown_level(&name, d, span, context);
                        Ty::Error
                    }
                }
            }
            Ty::PendingParam(p) => self.bind_param(p, d, context),
            other => other,
        }
    }

    fn unknown_level(&mut self, name: &str, d: usize, span: Span, context: &str) {
        let names = self
            .domains
            .get(d)
            .map(|d| d.names.clone())
            .unwrap_or_default();
        let help = did_you_mean(name, names.iter().map(String::as_str)).unwrap_or_else(|| {
            format!(
                "the levels of {context} are {}",
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        });
        self.report(
            CheckKind::UnknownLevel,
            span,
            format!("`{name}` is not a level of {context}"),
            "unknown level",
            Some(help),
        );
    }

    /// Type a level parameter by its first use.
    fn bind_param(&mut self, p: ParamId, d: usize, context: &str) -> Ty {
        if let Some(slot) = self.param_domain.get_mut(p.index()) {
            *slot = Some(d);
        }
        let Some(Literal::Name(name)) = self.param_literal.get(p.index()).cloned() else {
            return Ty::Error;
        };
        let span = self
            .param_ast
            .get(p.index())
            .map_or_else(Span::default, |decl| decl.value.span);
        let position = self
            .domains
            .get(d)
            .and_then(|dom| dom.names.iter().position(|n| *n == name));
        let value_type = self.value_type(&Ty::Level(d));
        match position {
            Some(i) => {
                if let Some(param) = self.program.params.get_mut(p.index()) {
                    param.value = Value::Level(u32::try_from(i).unwrap_or(u32::MAX));
                    param.ty = value_type;
                }
                Ty::Level(d)
            }
            None => {
                self.unknown_level(&name, d, span, context);
                Ty::Error
            }
        }
    }

    /// A phrase naming what an operand is, for level messages: "`trust`" or "this comparison".
    fn context_of(&self, operand: &ast::Expr) -> String {
        match &operand.kind {
            ExprKind::Name(n) => format!("`{n}`"),
            _ => format!("`{}`", self.snippet(operand.span)),
        }
    }

    /// Bring two operand types together, resolving level names from the other side.
    fn unify(&mut self, l: (ExprId, Ty, &ast::Expr), r: (ExprId, Ty, &ast::Expr)) -> (Ty, Ty) {
        let (lid, lt, lexpr) = l;
        let (rid, rt, rexpr) = r;
        match (&lt, &rt) {
            (Ty::Level(d), _) => {
                let d = *d;
                let ctx = self.context_of(lexpr);
                let rt = self.resolve_in(rid, rt, d, rexpr.span, &ctx);
                (lt, rt)
            }
            (_, Ty::Level(d)) => {
                let d = *d;
                let ctx = self.context_of(rexpr);
                let lt = self.resolve_in(lid, lt, d, lexpr.span, &ctx);
                (lt, rt)
            }
            _ => (lt, rt),
        }
    }

    fn lower_compare(
        &mut self,
        op: CompareOp,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
    ) -> (ExprId, Ty) {
        let (l, lt) = self.lower_expr(lhs);
        let (r, rt) = self.lower_expr(rhs);
        let (lt, rt) = self.unify((l, lt, lhs), (r, rt, rhs));
        let (lt, rt) = (self.settle(lt), self.settle(rt));
        let ordering = !matches!(op, CompareOp::Eq | CompareOp::Ne);
        let kind = match (&lt, &rt) {
            (Ty::Error, _) | (_, Ty::Error) => CompareKind::Number,
            (Ty::Number, Ty::Number) => CompareKind::Number,
            (Ty::Level(a), Ty::Level(b)) if a == b => {
                if ordering && !self.domains.get(*a).is_some_and(|d| d.ordered) {
                    self.not_ordered(op, lhs, &lt, span);
                }
                CompareKind::Level
            }
            (Ty::Bool, Ty::Bool) | (Ty::Text, Ty::Text) | (Ty::Set(_), Ty::Set(_)) if ordering => {
                self.not_ordered(op, lhs, &lt, span);
                CompareKind::Bool
            }
            (Ty::Bool, Ty::Bool) => CompareKind::Bool,
            (Ty::Text, Ty::Text) => CompareKind::Text,
            (Ty::Set(a), Ty::Set(b)) if a == b => CompareKind::Set,
            (Ty::LevelName(a), Ty::LevelName(b)) => {
                self.report(
                    CheckKind::TypeMismatch,
                    span,
                    format!("comparing two level names, `{a}` and `{b}`"),
                    "neither side is a fact",
                    Some("compare a fact with a level, e.g. `trust == low`".into()),
                );
                CompareKind::Level
            }
            _ => {
                let (ls, rs) = (self.snippet(lhs.span), self.snippet(rhs.span));
                let (ld, rd) = (self.describe(&lt), self.describe(&rt));
                let help = match (&lt, &rt) {
                    (Ty::Level(_), Ty::Number) | (Ty::Number, Ty::Level(_)) => {
                        "compare a level with a level name (e.g. `trust >= medium`) and a number with a number".to_string()
                    }
                    (Ty::Text, Ty::LevelName(n)) | (Ty::LevelName(n), Ty::Text) => {
                        format!("text is compared with text in quotes: \"{n}\"")
                    }
                    _ => "both sides of a comparison must be of the same kind".to_string(),
                };
                self.report(
                    CheckKind::TypeMismatch,
                    span,
                    format!("cannot compare `{ls}` ({ld}) with `{rs}` ({rd})"),
                    "these do not compare",
                    Some(help),
                );
                CompareKind::Number
            }
        };
        (
            self.push(
                ir::Expr::Compare {
                    op,
                    kind,
                    lhs: l,
                    rhs: r,
                },
                span,
            ),
            Ty::Bool,
        )
    }

    fn not_ordered(&mut self, op: CompareOp, lhs: &ast::Expr, ty: &Ty, span: Span) {
        let described = self.describe(ty);
        let ls = self.snippet(lhs.span);
        self.report(
            CheckKind::NotOrdered,
            span,
            format!("`{}` needs an order, but `{ls}` is {described}", op.as_str()),
            "no order here",
            Some(match ty {
                Ty::Level(_) => "unordered alternatives (`one of`) compare with `is`, `is not` or `in [...]`; declare `level a < b < c` if they have an order".into(),
                _ => "use `==`, `!=`, `is` or `in [...]`".into(),
            }),
        );
    }

    fn compare_kind(&self, ty: &Ty) -> CompareKind {
        match ty {
            Ty::Level(_) => CompareKind::Level,
            Ty::Bool => CompareKind::Bool,
            Ty::Text => CompareKind::Text,
            Ty::Set(_) => CompareKind::Set,
            _ => CompareKind::Number,
        }
    }

    fn lower_in(
        &mut self,
        value: &ast::Expr,
        list: &[ast::Expr],
        negated: bool,
        span: Span,
    ) -> (ExprId, Ty) {
        let (vid, vt) = self.lower_expr(value);
        let mut items = Vec::with_capacity(list.len());
        for item in list {
            let (iid, it) = self.lower_expr(item);
            let (_, it) = self.unify((vid, vt.clone(), value), (iid, it, item));
            let it = self.settle(it);
            let vt = self.settle(vt.clone());
            let compatible = match (&vt, &it) {
                (Ty::Error, _) | (_, Ty::Error) => true,
                (Ty::Level(a), Ty::Level(b)) | (Ty::Set(a), Ty::Set(b)) => a == b,
                (a, b) => a == b && !matches!(a, Ty::LevelName(_) | Ty::PendingParam(_)),
            };
            if !compatible {
                let (vd, id) = (self.describe(&vt), self.describe(&it));
                let vs = self.snippet(value.span);
                self.report(
                    CheckKind::TypeMismatch,
                    item.span,
                    format!("`{vs}` is {vd}, but this item is {id}"),
                    "does not match the tested value",
                    Some(
                        "every item of the list must be of the same kind as the value tested"
                            .into(),
                    ),
                );
            }
            items.push(iid);
        }
        let kind = self.compare_kind(&vt);
        (
            self.push(
                ir::Expr::In {
                    value: vid,
                    items,
                    kind,
                    negated,
                },
                span,
            ),
            Ty::Bool,
        )
    }

    fn lower_between(
        &mut self,
        value: &ast::Expr,
        low: &ast::Expr,
        high: &ast::Expr,
        span: Span,
    ) -> (ExprId, Ty) {
        let (vid, vt) = self.lower_expr(value);
        let mut bounds = Vec::with_capacity(2);
        for bound in [low, high] {
            let (bid, bt) = self.lower_expr(bound);
            let (_, bt) = self.unify((vid, vt.clone(), value), (bid, bt, bound));
            let bt = self.settle(bt);
            let vt = self.settle(vt.clone());
            let ok = match (&vt, &bt) {
                (Ty::Error, _) | (_, Ty::Error) | (Ty::Number, Ty::Number) => true,
                (Ty::Level(a), Ty::Level(b)) => {
                    a == b && self.domains.get(*a).is_some_and(|d| d.ordered)
                }
                _ => false,
            };
            if !ok {
                let (vd, bd) = (self.describe(&vt), self.describe(&bt));
                let vs = self.snippet(value.span);
                self.report(
                    CheckKind::TypeMismatch,
                    bound.span,
                    format!("`between` needs numbers or ordered levels; `{vs}` is {vd} and this bound is {bd}"),
                    "not a valid bound",
                    Some("write e.g. `export_share between 20% and 50%` or `trust between low and medium`".into()),
                );
            }
            bounds.push(bid);
        }
        let (lo, hi) = match bounds.as_slice() {
            [lo, hi] => (*lo, *hi),
            _ => (vid, vid),
        };
        let kind = self.compare_kind(&vt);
        (
            self.push(
                ir::Expr::Between {
                    value: vid,
                    low: lo,
                    high: hi,
                    kind,
                },
                span,
            ),
            Ty::Bool,
        )
    }

    fn lower_contains(&mut self, set: &ast::Expr, item: &ast::Expr, span: Span) -> (ExprId, Ty) {
        let (sid, st) = self.lower_expr(set);
        let st = self.settle(st);
        let (iid, it) = self.lower_expr(item);
        match st {
            Ty::Set(d) => {
                let ctx = self.context_of(set);
                let it = self.resolve_in(iid, it, d, item.span, &ctx);
                let it = self.settle(it);
                if !matches!(it, Ty::Level(x) if x == d) && it != Ty::Error {
                    let described = self.describe(&it);
                    self.report(
                        CheckKind::TypeMismatch,
                        item.span,
                        format!("`contains` looks for a member of {ctx}, but this is {described}"),
                        "not a member name",
                        Some(
                            "write a member name, e.g. `markets_served contains international`"
                                .into(),
                        ),
                    );
                }
            }
            // Text contains text: a case-insensitive search for a part, so that qualified
            // labels ("footwear (ladies' leather shoes)") are found by the word they name.
            Ty::Text => {
                let it = self.settle(it);
                if it != Ty::Text && it != Ty::Error {
                    let described = self.describe(&it);
                    self.report(
                        CheckKind::TypeMismatch,
                        item.span,
                        format!("`contains` on text looks for a piece of text, but this is {described}"),
                        "not text",
                        Some("write the text to look for in quotes, e.g. `sector contains \"footwear\"`".into()),
                    );
                }
            }
            Ty::Error => {}
            other => {
                let described = self.describe(&other);
                let ss = self.snippet(set.span);
                self.report(
                    CheckKind::TypeMismatch,
                    set.span,
                    format!("`contains` needs a set or text, but `{ss}` is {described}"),
                    "not a set or text",
                    Some("for a single value use `is` or `in [...]`".into()),
                );
            }
        }
        (
            self.push(
                ir::Expr::Contains {
                    set: sid,
                    item: iid,
                },
                span,
            ),
            Ty::Bool,
        )
    }

    fn lower_call(&mut self, func: &ast::Ident, args: &[ast::Expr], span: Span) -> (ExprId, Ty) {
        let mut ids = Vec::with_capacity(args.len());
        let mut types = Vec::with_capacity(args.len());
        for arg in args {
            let (id, ty) = self.lower_expr(arg);
            ids.push(id);
            types.push(self.settle(ty));
        }
        let Some(f) = Func::from_name(&func.name) else {
            let help = did_you_mean(&func.name, ["min", "max", "abs", "count", "any", "all"])
                .or_else(|| {
                    Some("the functions are `min`, `max`, `abs`, `count`, `any` and `all`".into())
                });
            self.report(
                CheckKind::UnknownFunction,
                func.span,
                format!("unknown function `{}`", func.name),
                "not a function",
                help,
            );
            return (self.push(ir::Expr::Const(Value::Unknown), span), Ty::Error);
        };
        let (want_bool, result, arity_ok, usage) = match f {
            Func::Min | Func::Max => (false, Ty::Number, !args.is_empty(), "one or more numbers"),
            Func::Abs => (false, Ty::Number, args.len() == 1, "exactly one number"),
            Func::Count => (true, Ty::Number, !args.is_empty(), "one or more conditions"),
            Func::Any | Func::All => (true, Ty::Bool, !args.is_empty(), "one or more conditions"),
        };
        if !arity_ok {
            self.report(
                CheckKind::WrongArguments,
                span,
                format!("`{}` takes {usage}, got {}", f.as_str(), args.len()),
                "wrong number of arguments",
                Some(format!("write e.g. `{}(a, b)`", f.as_str())),
            );
        }
        for (arg, ty) in args.iter().zip(&types) {
            let ok = matches!(ty, Ty::Error)
                || if want_bool {
                    *ty == Ty::Bool
                } else {
                    *ty == Ty::Number
                };
            if !ok {
                let described = self.describe(ty);
                let snippet = self.snippet(arg.span);
                self.report(
                    CheckKind::WrongArguments,
                    arg.span,
                    format!(
                        "`{}` takes {usage}, but `{snippet}` is {described}",
                        f.as_str()
                    ),
                    "wrong kind of argument",
                    Some(if want_bool {
                        "give conditions, e.g. `count(trust == low, informality >= some_param)`"
                            .into()
                    } else {
                        "give numbers, e.g. `max(export_share, foreign_output_share)`".into()
                    }),
                );
            }
        }
        (
            self.push(ir::Expr::Call { func: f, args: ids }, span),
            result,
        )
    }

    /// Resolve a test or override value for a level parameter once its domain is known.
    pub(super) fn param_level_domain(&self, p: ParamId) -> Option<usize> {
        self.param_domain.get(p.index()).copied().flatten()
    }
}
