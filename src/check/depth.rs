//! Nesting depth across derived values: the checker and the evaluator walk expressions
//! recursively, following the derived values they read, so that nesting is bounded.
//!
//! Input: the lowered expression arena. Output: at most one `meso::check::too_deep` error.

use super::{CheckKind, Checker};
use crate::ir::{self, ExprId};
use crate::limits;
use crate::source::Span;

impl Checker<'_> {
    /// Types below more than `MAX_TYPE_DEPTH` ancestors: report the first, and cut every
    /// such type loose from its parent so that later passes (which combine each type's
    /// criteria with its ancestors') stay linear in the number of types.
    pub(super) fn limit_type_depth(&mut self) {
        let limit = limits::MAX_TYPE_DEPTH;
        let mut first = None;
        for (i, t) in self.program.types.iter_mut().enumerate() {
            if t.depth > limit {
                first = first.or(Some(i));
                t.parent = None;
                t.depth = 0;
            }
        }
        // INVARIANT: `type_ast` and `program.types` are indexed alike (declaration order).
        let Some(decl) = first.and_then(|i| self.type_ast.get(i)).copied() else {
            return;
        };
        let name = &decl.name.name;
        let span = decl.extends.as_ref().map_or(decl.name.span, |e| e.span);
        self.report(
            CheckKind::TooDeep,
            span,
            format!("type `{name}` has more than {limit} ancestors through `extends`"),
            "this `extends` goes past the limit",
            Some("a typology rarely needs more than a few levels; extend a type higher up".into()),
        );
    }

    /// Report `too_deep` at `span`, once per rule set.
    pub(super) fn report_too_deep(&mut self, span: Span) {
        if self.too_deep_reported {
            return;
        }
        self.too_deep_reported = true;
        let limit = limits::MAX_EFFECTIVE_DEPTH;
        self.report(
            CheckKind::TooDeep,
            span,
            format!(
                "expression is nested more than {limit} levels deep, counting the derived values it reads"
            ),
            "the limit is reached here",
            Some(
                "shorten the chain of derived values that read each other, or write the condition more flatly"
                    .into(),
            ),
        );
    }

    /// The depth of every expression node, counting through derived values, must stay
    /// within `MAX_EFFECTIVE_DEPTH` whatever order the derived values were declared in.
    pub(super) fn check_effective_depth(&mut self) {
        if self.too_deep_reported {
            return;
        }
        // INVARIANT: children are pushed to the arena before their parents, and a derived
        // value's expression before any node reading it (or it is part of a reported
        // cycle), so one forward pass sees every child's depth first.
        let exprs = &self.program.exprs;
        let mut depth: Vec<u32> = Vec::with_capacity(exprs.len());
        let mut first_over = None;
        for (i, expr) in exprs.iter().enumerate() {
            let below = match expr {
                ir::Expr::Derived(d) => self
                    .program
                    .derived
                    .get(d.index())
                    .map(|decl| decl.expr.index())
                    .filter(|&root| root < i)
                    .and_then(|root| depth.get(root).copied())
                    .unwrap_or(0),
                other => children(other)
                    .iter()
                    .filter_map(|c| depth.get(c.index()).copied())
                    .max()
                    .unwrap_or(0),
            };
            let d = below.saturating_add(1);
            if d > limits::MAX_EFFECTIVE_DEPTH && first_over.is_none() {
                first_over = Some(i);
            }
            depth.push(d);
        }
        if let Some(span) = first_over.and_then(|i| self.program.expr_spans.get(i).copied()) {
            self.report_too_deep(span);
        }
    }
}

/// The child nodes of an expression (a derived value read is a leaf here).
fn children(expr: &ir::Expr) -> Vec<ExprId> {
    match expr {
        ir::Expr::Const(_) | ir::Expr::Fact(_) | ir::Expr::Param(_) | ir::Expr::Derived(_) => {
            Vec::new()
        }
        ir::Expr::Not(e) | ir::Expr::Neg(e) | ir::Expr::IsKnown { value: e, .. } => vec![*e],
        ir::Expr::And(a, b)
        | ir::Expr::Or(a, b)
        | ir::Expr::Compare { lhs: a, rhs: b, .. }
        | ir::Expr::Arith { lhs: a, rhs: b, .. }
        | ir::Expr::Contains { set: a, item: b } => vec![*a, *b],
        ir::Expr::Between {
            value, low, high, ..
        } => vec![*value, *low, *high],
        ir::Expr::In { value, items, .. } => {
            let mut all = vec![*value];
            all.extend_from_slice(items);
            all
        }
        ir::Expr::Call { args, .. } => args.clone(),
    }
}
