//! Evaluation, reference layer, tracing hook: what the evaluator reports while it runs.
//!
//! Input: callbacks from the expression evaluator (every node, post-order).
//! Output: whatever the observer records (the later trace feature). The default methods do
//! nothing, and the evaluator is generic over the observer, so the untraced path compiles
//! to the same code as if there were no hook at all.

use std::fmt;

use crate::ir::{DerivedId, ExprId, FactId};
use crate::value::Value;

/// Why an expression came out unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnknownReason {
    /// The fact was not given (its slot is unknown)
    MissingFact(FactId),
    /// A division by zero
    DivisionByZero,
    /// The result is not a finite number (too large)
    NonFinite,
    /// A value of the wrong kind reached an operator (a checker gap; never a panic)
    TypeMismatch,
    /// An operand was unknown, so the result is too
    UnknownOperand,
}

impl UnknownReason {
    /// A short description in the language's words.
    pub fn describe(self) -> &'static str {
        match self {
            UnknownReason::MissingFact(_) => "the fact is missing",
            UnknownReason::DivisionByZero => "division by zero",
            UnknownReason::NonFinite => "the result is too large to be a number",
            UnknownReason::TypeMismatch => "the values cannot be compared or combined",
            UnknownReason::UnknownOperand => "a value it depends on is unknown",
        }
    }
}

impl fmt::Display for UnknownReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// Receives what the evaluator does, for traces and explanations. Every method defaults to
/// doing nothing.
pub trait Observer {
    /// Whether the evaluator should report anything (false only for [`NoObserver`], so the
    /// untraced path does not even build the reported values).
    const ACTIVE: bool = true;

    /// An expression node was evaluated (children before parents). `why` is set when
    /// `value` is unknown.
    fn expr(&mut self, id: ExprId, value: &Value, why: Option<UnknownReason>) {
        let _ = (id, value, why);
    }

    /// The `and` / `or` / `any` / `all` node `id` was decided by the operand `decided_by`
    /// alone (a false operand of `and`/`all`, a true operand of `or`/`any`). Operands after
    /// a deciding one are not evaluated.
    fn short_circuit(&mut self, id: ExprId, decided_by: ExprId) {
        let _ = (id, decided_by);
    }

    /// A derived value was computed (once per evaluation, in dependency order).
    fn derived(&mut self, id: DerivedId, value: &Value) {
        let _ = (id, value);
    }
}

/// The observer that records nothing: the fast path.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoObserver;

impl Observer for NoObserver {
    const ACTIVE: bool = false;
}
