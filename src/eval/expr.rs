//! Evaluation stage, expressions: a node of the flat `ir` expression arena, with the fact
//! slots, parameter values and already computed derived values → `Value`.
//!
//! Kleene logic; any problem (unknown operand, division by zero, non-finite result, a value
//! of the wrong kind) yields `Value::Unknown` with an [`UnknownReason`] for the observer.
//! No allocation, no string look-ups: this is the hot path.

use std::cmp::Ordering;

use crate::eval::observer::{Observer, UnknownReason};
use crate::ir::{CompareKind, Expr, ExprId, Func, Param};
use crate::syntax::ast::{ArithOp, CompareOp};
use crate::value::Value;

/// Result of one node: the value, and why it is unknown when it is.
type Node = (Value, Option<UnknownReason>);

/// Evaluates expressions of one program against one set of facts.
pub(crate) struct Evaluator<'a, O: Observer> {
    /// Expression arena
    pub exprs: &'a [Expr],
    /// Fact slots (by `FactId`)
    pub facts: &'a [Value],
    /// Parameters with their current values (by `ParamId`)
    pub params: &'a [Param],
    /// Derived values computed so far (by `DerivedId`)
    pub derived: &'a [Value],
    /// Who is watching
    pub obs: &'a mut O,
}

const UNKNOWN: Value = Value::Unknown;

fn unknown(why: UnknownReason) -> Node {
    (Value::Unknown, Some(why))
}

/// The worse of two operand problems: a type mismatch is an error, an unknown operand is not.
fn worse(a: UnknownReason, b: UnknownReason) -> UnknownReason {
    if a == UnknownReason::TypeMismatch || b == UnknownReason::TypeMismatch {
        UnknownReason::TypeMismatch
    } else {
        a
    }
}

/// Why a value is not of the kind wanted.
fn not_a(v: &Value) -> UnknownReason {
    if v.is_known() {
        UnknownReason::TypeMismatch
    } else {
        UnknownReason::UnknownOperand
    }
}

fn number(v: &Value) -> Result<f64, UnknownReason> {
    match v {
        Value::Number(n) => Ok(*n),
        _ => Err(not_a(v)),
    }
}

/// A truth value: `Ok(bool)` or why it is unknown.
fn truth(v: &Value) -> Result<bool, UnknownReason> {
    match v {
        Value::Bool(b) => Ok(*b),
        _ => Err(not_a(v)),
    }
}

fn ordered(op: CompareOp, ord: Ordering) -> bool {
    match op {
        CompareOp::Eq => ord == Ordering::Equal,
        CompareOp::Ne => ord != Ordering::Equal,
        CompareOp::Lt => ord == Ordering::Less,
        CompareOp::Le => ord != Ordering::Greater,
        CompareOp::Gt => ord == Ordering::Greater,
        CompareOp::Ge => ord != Ordering::Less,
    }
}

fn equality(op: CompareOp, equal: bool) -> Result<bool, UnknownReason> {
    match op {
        CompareOp::Eq => Ok(equal),
        CompareOp::Ne => Ok(!equal),
        _ => Err(UnknownReason::TypeMismatch),
    }
}

/// Compare two values as `kind`.
pub(crate) fn compare(
    op: CompareOp,
    kind: CompareKind,
    a: &Value,
    b: &Value,
) -> Result<bool, UnknownReason> {
    match (kind, a, b) {
        (_, Value::Unknown, _) | (_, _, Value::Unknown) => Err(UnknownReason::UnknownOperand),
        (CompareKind::Number, Value::Number(x), Value::Number(y)) => x
            .partial_cmp(y)
            .map(|ord| ordered(op, ord))
            .ok_or(UnknownReason::NonFinite),
        (CompareKind::Level, Value::Level(x), Value::Level(y)) => Ok(ordered(op, x.cmp(y))),
        (CompareKind::Bool, Value::Bool(x), Value::Bool(y)) => equality(op, x == y),
        (CompareKind::Text, Value::Text(x), Value::Text(y)) => equality(op, x == y),
        (CompareKind::Set, Value::Set(x), Value::Set(y)) => equality(op, x == y),
        _ => Err(UnknownReason::TypeMismatch),
    }
}

fn arith(op: ArithOp, x: f64, y: f64) -> Node {
    let r = match op {
        ArithOp::Add => x + y,
        ArithOp::Sub => x - y,
        ArithOp::Mul => x * y,
        ArithOp::Div => {
            if y == 0.0 {
                return unknown(UnknownReason::DivisionByZero);
            }
            x / y
        }
    };
    finite(r)
}

fn finite(r: f64) -> Node {
    if r.is_finite() {
        (Value::Number(r), None)
    } else {
        unknown(UnknownReason::NonFinite)
    }
}

fn from_bool(b: bool) -> Node {
    (Value::Bool(b), None)
}

impl<O: Observer> Evaluator<'_, O> {
    /// Evaluate the node `id` (and its children), reporting each to the observer.
    #[inline]
    pub fn eval(&mut self, id: ExprId) -> Value {
        let (value, why) = match self.exprs.get(id.index()) {
            Some(expr) => self.node(id, expr),
            // INVARIANT: the checker only emits ids into the arena; a stray id is unknown.
            None => unknown(UnknownReason::TypeMismatch),
        };
        self.obs.expr(id, &value, why);
        value
    }

    fn node(&mut self, id: ExprId, expr: &Expr) -> Node {
        match expr {
            Expr::Const(v) => read(v, UnknownReason::UnknownOperand),
            Expr::Fact(f) => {
                let v = self.facts.get(f.index()).unwrap_or(&UNKNOWN);
                read(v, UnknownReason::MissingFact(*f))
            }
            Expr::Param(p) => {
                let v = self.params.get(p.index()).map_or(&UNKNOWN, |p| &p.value);
                read(v, UnknownReason::UnknownOperand)
            }
            Expr::Derived(d) => {
                let v = self.derived.get(d.index()).unwrap_or(&UNKNOWN);
                read(v, UnknownReason::UnknownOperand)
            }
            Expr::Not(e) => {
                let v = self.eval(*e);
                match truth(&v) {
                    Ok(b) => from_bool(!b),
                    Err(why) => unknown(why),
                }
            }
            Expr::And(l, r) => self.junction(id, *l, *r, false),
            Expr::Or(l, r) => self.junction(id, *l, *r, true),
            Expr::Compare { op, kind, lhs, rhs } => {
                let a = self.eval(*lhs);
                let b = self.eval(*rhs);
                match compare(*op, *kind, &a, &b) {
                    Ok(t) => from_bool(t),
                    Err(why) => unknown(why),
                }
            }
            Expr::Arith { op, lhs, rhs } => {
                let a = self.eval(*lhs);
                let b = self.eval(*rhs);
                match (number(&a), number(&b)) {
                    (Ok(x), Ok(y)) => arith(*op, x, y),
                    (Err(e1), Err(e2)) => unknown(worse(e1, e2)),
                    (Err(e), _) | (_, Err(e)) => unknown(e),
                }
            }
            Expr::Neg(e) => {
                let v = self.eval(*e);
                match number(&v) {
                    Ok(x) => finite(-x),
                    Err(why) => unknown(why),
                }
            }
            Expr::In {
                value,
                items,
                kind,
                negated,
            } => self.member(*value, items, *kind, *negated),
            Expr::Between {
                value,
                low,
                high,
                kind,
            } => {
                let v = self.eval(*value);
                let lo = self.eval(*low);
                let hi = self.eval(*high);
                let above = compare(CompareOp::Ge, *kind, &v, &lo);
                let below = compare(CompareOp::Le, *kind, &v, &hi);
                match (above, below) {
                    (Ok(a), Ok(b)) => from_bool(a && b),
                    (Err(e1), Err(e2)) => unknown(worse(e1, e2)),
                    (Err(e), _) | (_, Err(e)) => unknown(e),
                }
            }
            Expr::IsKnown { value, negated } => {
                let v = self.eval(*value);
                from_bool(v.is_known() != *negated)
            }
            Expr::Contains { set, item } => {
                let s = self.eval(*set);
                let m = self.eval(*item);
                match (&s, &m) {
                    (Value::Set(bits), Value::Level(pos)) => {
                        from_bool(*pos < 64 && (bits >> pos) & 1 == 1)
                    }
                    _ => unknown(worse(not_a(&s), not_a(&m))),
                }
            }
            Expr::Call { func, args } => self.call(id, *func, args),
        }
    }

    /// Kleene `and` (`or_ == false`) or `or` (`or_ == true`): the dominant operand
    /// (false for `and`, true for `or`) decides alone.
    fn junction(&mut self, id: ExprId, l: ExprId, r: ExprId, or_: bool) -> Node {
        let a = truth(&self.eval(l));
        if a == Ok(or_) {
            self.obs.short_circuit(id, l);
            return from_bool(or_);
        }
        let b = truth(&self.eval(r));
        match (a, b) {
            (_, Ok(x)) if x == or_ => {
                self.obs.short_circuit(id, r);
                from_bool(or_)
            }
            (Ok(_), Ok(_)) => from_bool(!or_),
            (Err(e1), Err(e2)) => unknown(worse(e1, e2)),
            (Err(e), _) | (_, Err(e)) => unknown(e),
        }
    }

    /// `x in [...]` / `x not in [...]`.
    fn member(
        &mut self,
        value: ExprId,
        items: &[ExprId],
        kind: CompareKind,
        negated: bool,
    ) -> Node {
        let v = self.eval(value);
        if !v.is_known() {
            return unknown(UnknownReason::UnknownOperand);
        }
        let mut open: Option<UnknownReason> = None;
        for item in items {
            let candidate = self.eval(*item);
            match compare(CompareOp::Eq, kind, &v, &candidate) {
                Ok(true) => return from_bool(!negated),
                Ok(false) => {}
                Err(e) => open = Some(open.map_or(e, |o| worse(o, e))),
            }
        }
        match open {
            Some(why) => unknown(why),
            None => from_bool(negated),
        }
    }

    fn call(&mut self, id: ExprId, func: Func, args: &[ExprId]) -> Node {
        match func {
            Func::Min | Func::Max => {
                let mut acc: Result<Option<f64>, UnknownReason> = Ok(None);
                for arg in args {
                    let v = self.eval(*arg);
                    acc = match (acc, number(&v)) {
                        (Ok(None), Ok(x)) => Ok(Some(x)),
                        (Ok(Some(a)), Ok(x)) => Ok(Some(if func == Func::Min {
                            a.min(x)
                        } else {
                            a.max(x)
                        })),
                        (Err(e1), Err(e2)) => Err(worse(e1, e2)),
                        (Err(e), _) | (_, Err(e)) => Err(e),
                    };
                }
                match acc {
                    Ok(Some(x)) => (Value::Number(x), None),
                    Ok(None) => unknown(UnknownReason::TypeMismatch),
                    Err(why) => unknown(why),
                }
            }
            Func::Abs => {
                let [arg] = args else {
                    for arg in args {
                        self.eval(*arg);
                    }
                    return unknown(UnknownReason::TypeMismatch);
                };
                let v = self.eval(*arg);
                match number(&v) {
                    Ok(x) => (Value::Number(x.abs()), None),
                    Err(why) => unknown(why),
                }
            }
            Func::Count => {
                let mut n = 0u32;
                let mut open: Option<UnknownReason> = None;
                for arg in args {
                    match truth(&self.eval(*arg)) {
                        Ok(b) => n += u32::from(b),
                        Err(e) => open = Some(open.map_or(e, |o| worse(o, e))),
                    }
                }
                match open {
                    Some(why) => unknown(why),
                    None => (Value::Number(f64::from(n)), None),
                }
            }
            Func::Any | Func::All => {
                // `any` is decided by a true argument, `all` by a false one.
                let decisive = func == Func::Any;
                let mut open: Option<UnknownReason> = None;
                for arg in args {
                    match truth(&self.eval(*arg)) {
                        Ok(b) if b == decisive => {
                            self.obs.short_circuit(id, *arg);
                            return from_bool(decisive);
                        }
                        Ok(_) => {}
                        Err(e) => open = Some(open.map_or(e, |o| worse(o, e))),
                    }
                }
                match open {
                    Some(why) => unknown(why),
                    None => from_bool(!decisive),
                }
            }
        }
    }
}

/// A stored value, with `why` if it is unknown.
#[inline]
fn read(v: &Value, why: UnknownReason) -> Node {
    if v.is_known() {
        (v.clone(), None)
    } else {
        unknown(why)
    }
}
