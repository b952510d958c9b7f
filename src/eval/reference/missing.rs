//! Evaluation, reference layer, unknown facts: a criterion or condition that came out unknown → the
//! missing facts it reads (directly or through derived values) that could decide it.
//!
//! Runs only for undetermined types and policies, never on the hot path. Kleene evaluation
//! is monotone: a sub-expression that is already known stays so whatever a missing fact
//! turns out to be, so only unknown sub-expressions are followed, plus any that contain
//! `is known` / `is unknown` (the one construct that changes when a fact is supplied).

use super::expr::Evaluator;
use super::NoObserver;
use crate::ir::{Derived, Expr, ExprId, FactId, Param};
use crate::value::Value;

/// The children of an expression node, in evaluation order.
pub(crate) struct Children<'a> {
    fixed: [Option<ExprId>; 3],
    next: usize,
    rest: std::slice::Iter<'a, ExprId>,
}

impl Iterator for Children<'_> {
    type Item = ExprId;

    fn next(&mut self) -> Option<ExprId> {
        while let Some(slot) = self.fixed.get(self.next) {
            self.next += 1;
            if slot.is_some() {
                return *slot;
            }
        }
        self.rest.next().copied()
    }
}

/// The child nodes of `expr` (derived values are not followed: they are separate roots).
pub(crate) fn children(expr: &Expr) -> Children<'_> {
    let (fixed, rest): ([Option<ExprId>; 3], &[ExprId]) = match expr {
        Expr::Const(_) | Expr::Fact(_) | Expr::Param(_) | Expr::Derived(_) => ([None; 3], &[]),
        Expr::Not(e) | Expr::Neg(e) | Expr::IsKnown { value: e, .. } => {
            ([Some(*e), None, None], &[])
        }
        Expr::And(a, b)
        | Expr::Or(a, b)
        | Expr::Compare { lhs: a, rhs: b, .. }
        | Expr::Arith { lhs: a, rhs: b, .. }
        | Expr::Contains { set: a, item: b } => ([Some(*a), Some(*b), None], &[]),
        Expr::Between {
            value, low, high, ..
        } => ([Some(*value), Some(*low), Some(*high)], &[]),
        Expr::In { value, items, .. } => ([Some(*value), None, None], items),
        Expr::Call { args, .. } => ([None; 3], args),
    };
    Children {
        fixed,
        next: 0,
        rest: rest.iter(),
    }
}

/// Collects missing facts behind unknown results.
pub(crate) struct Missing<'a> {
    exprs: &'a [Expr],
    facts: &'a [Value],
    params: &'a [Param],
    derived_decls: &'a [Derived],
    derived: &'a [Value],
    /// Derived values already followed for the current item
    visited: Vec<bool>,
    /// Per derived value: 0 not yet looked at, 1 no `is known` inside, 2 yes, 3 in progress
    reads_is_known: Vec<u8>,
}

impl<'a> Missing<'a> {
    /// A collector for one evaluation.
    pub fn new(
        exprs: &'a [Expr],
        facts: &'a [Value],
        params: &'a [Param],
        derived_decls: &'a [Derived],
        derived: &'a [Value],
    ) -> Self {
        Missing {
            exprs,
            facts,
            params,
            derived_decls,
            derived,
            visited: vec![false; derived_decls.len()],
            reads_is_known: vec![0; derived_decls.len()],
        }
    }

    /// Start a new item (type or policy): derived values may be followed again.
    pub fn reset(&mut self) {
        self.visited.iter_mut().for_each(|v| *v = false);
    }

    /// Add to `out` the missing facts behind the unknown expression `root`.
    pub fn collect(&mut self, root: ExprId, out: &mut Vec<FactId>) {
        let exprs = self.exprs;
        let Some(expr) = exprs.get(root.index()) else {
            return;
        };
        match expr {
            Expr::Fact(f) => {
                if !self.facts.get(f.index()).is_some_and(Value::is_known) {
                    out.push(*f);
                }
            }
            Expr::Derived(d) => {
                let Some(seen) = self.visited.get_mut(d.index()) else {
                    return;
                };
                if !*seen {
                    *seen = true;
                    if let Some(decl) = self.derived_decls.get(d.index()) {
                        self.collect(decl.expr, out);
                    }
                }
            }
            _ => {
                for child in children(expr) {
                    if !self.known(child) || self.reads_is_known(child) {
                        self.collect(child, out);
                    }
                }
            }
        }
    }

    /// Whether a node is known, evaluated again without an observer.
    fn known(&self, id: ExprId) -> bool {
        let mut quiet = NoObserver;
        Evaluator {
            exprs: self.exprs,
            facts: self.facts,
            params: self.params,
            derived: self.derived,
            obs: &mut quiet,
            why: None,
        }
        .eval(id)
        .is_known()
    }

    /// Whether `is known` / `is unknown` occurs under `id` (through derived values too).
    fn reads_is_known(&mut self, id: ExprId) -> bool {
        let exprs = self.exprs;
        let Some(expr) = exprs.get(id.index()) else {
            return false;
        };
        match expr {
            Expr::IsKnown { .. } => true,
            Expr::Derived(d) => {
                let state = self.reads_is_known.get(d.index()).copied().unwrap_or(1);
                match state {
                    0 => {
                        self.set_state(d.index(), 3);
                        let found = self
                            .derived_decls
                            .get(d.index())
                            .is_some_and(|decl| self.reads_is_known(decl.expr));
                        self.set_state(d.index(), if found { 2 } else { 1 });
                        found
                    }
                    2 => true,
                    _ => false,
                }
            }
            _ => children(expr).any(|c| self.reads_is_known(c)),
        }
    }

    fn set_state(&mut self, i: usize, state: u8) {
        if let Some(s) = self.reads_is_known.get_mut(i) {
            *s = state;
        }
    }
}

/// Sort and deduplicate a list of fact ids (FactId order).
pub(crate) fn tidy(list: &mut Vec<FactId>) {
    list.sort_unstable();
    list.dedup();
}
