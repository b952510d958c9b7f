//! Trace stage, recording: `ir::Program` + `Facts` → `Outcome` plus every node's value,
//! through the evaluator's `Observer` hook (the untraced path is not touched).
//!
//! The evaluator short-circuits, so some operands are never evaluated. After the run a side
//! pass evaluates those for display and marks them as not evaluated: the trace then shows a
//! complete tree, and says which parts did not influence the result.

use crate::eval::{self, Observer, Outcome, UnknownReason};
use crate::facts::Facts;
use crate::ir::{DerivedId, Expr, ExprId, Program};
use crate::value::Value;

/// What was seen of one expression node.
#[derive(Clone, Debug, PartialEq)]
pub struct Seen {
    /// Its value
    pub value: Value,
    /// Why it is unknown, when it is
    pub why: Option<UnknownReason>,
    /// False when only the side pass evaluated it (the evaluator skipped it)
    pub evaluated: bool,
}

/// An [`Observer`] that keeps the value of every expression node.
#[derive(Clone, Debug, Default)]
pub struct Recorder {
    nodes: Vec<Option<Seen>>,
    decided: Vec<Option<ExprId>>,
    side_pass: bool,
}

impl Recorder {
    /// A recorder for a program with `n` expression nodes.
    pub fn new(n: usize) -> Self {
        Recorder {
            nodes: vec![None; n],
            decided: vec![None; n],
            side_pass: false,
        }
    }

    /// What was seen of a node (None: never evaluated, not even in the side pass).
    pub fn seen(&self, id: ExprId) -> Option<&Seen> {
        self.nodes.get(id.index()).and_then(Option::as_ref)
    }

    /// The operand that decided a short-circuited node.
    pub fn decided_by(&self, id: ExprId) -> Option<ExprId> {
        self.decided.get(id.index()).copied().flatten()
    }
}

impl Observer for Recorder {
    fn expr(&mut self, id: ExprId, value: &Value, why: Option<UnknownReason>) {
        if let Some(slot) = self.nodes.get_mut(id.index()) {
            // A node the evaluator saw stays "evaluated" even if the side pass sees it again.
            let evaluated = !self.side_pass || slot.as_ref().is_some_and(|s| s.evaluated);
            *slot = Some(Seen {
                value: value.clone(),
                why,
                evaluated,
            });
        }
    }

    fn short_circuit(&mut self, id: ExprId, decided_by: ExprId) {
        if let Some(slot) = self.decided.get_mut(id.index()) {
            *slot = Some(decided_by);
        }
    }

    fn derived(&mut self, _id: DerivedId, _value: &Value) {}
}

/// The operands of a node, in evaluation order (derived values are separate roots).
pub fn children(expr: &Expr) -> Vec<ExprId> {
    match expr {
        Expr::Const(_) | Expr::Fact(_) | Expr::Param(_) | Expr::Derived(_) => Vec::new(),
        Expr::Not(e) | Expr::Neg(e) | Expr::IsKnown { value: e, .. } => vec![*e],
        Expr::And(a, b)
        | Expr::Or(a, b)
        | Expr::Compare { lhs: a, rhs: b, .. }
        | Expr::Arith { lhs: a, rhs: b, .. }
        | Expr::Contains { set: a, item: b } => vec![*a, *b],
        Expr::Between {
            value, low, high, ..
        } => vec![*value, *low, *high],
        Expr::In { value, items, .. } => {
            let mut all = vec![*value];
            all.extend_from_slice(items);
            all
        }
        Expr::Call { args, .. } => args.clone(),
    }
}

/// Every expression root a trace shows: derived values, criteria, policy conditions.
fn roots(program: &Program) -> Vec<ExprId> {
    let mut out: Vec<ExprId> = program.derived.iter().map(|d| d.expr).collect();
    for t in &program.types {
        for c in t.required.iter().chain(&t.indicative).chain(&t.excluding) {
            out.push(c.expr);
        }
    }
    out.extend(program.policies.iter().filter_map(|p| p.condition));
    out
}

/// Evaluate with a recorder, then fill in what the evaluator skipped.
pub fn record(program: &Program, facts: &Facts) -> (Outcome, Recorder) {
    let mut rec = Recorder::new(program.exprs.len());
    let outcome = eval::evaluate_observed(program, facts, &mut rec);
    rec.side_pass = true;
    let mut stack = roots(program);
    while let Some(id) = stack.pop() {
        if rec.seen(id).is_none() {
            eval::evaluate_expr_observed(program, facts, &outcome.derived, id, &mut rec);
        }
        if let Some(expr) = program.expr(id) {
            stack.extend(children(expr));
        }
    }
    rec.side_pass = false;
    (outcome, rec)
}
