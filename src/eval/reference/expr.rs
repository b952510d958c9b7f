//! Evaluation, reference layer, expressions: a node of the flat `ir` expression arena, with the fact
//! slots, parameter values and already computed derived values → `Value`.
//!
//! Kleene logic; any problem (unknown operand, division by zero, non-finite result, a value
//! of the wrong kind) yields `Value::Unknown` with an [`UnknownReason`] for the observer.
//! No allocation, no string look-ups, no reference counting: this is the hot path. Values
//! travel as the `Copy` view [`V`]; leaves are read in place when no observer watches.

use std::cmp::Ordering;
use std::sync::Arc;

use super::{Observer, UnknownReason};
use crate::ir::{CompareKind, Expr, ExprId, Func, Param};

use crate::value::{Truth, Value};
use crate::vocab::{ArithOp, CompareOp};

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
    /// Why the node being finished is unknown. Kept here rather than returned next to the
    /// value: returning the pair costs a store-forwarding stall per node on the hot path.
    pub why: Option<UnknownReason>,
}

const UNKNOWN: Value = Value::Unknown;

/// A value during evaluation: a `Value` that borrows its text, so it is `Copy`, needs no
/// drop and travels in registers (the hot path moves one per node).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum V<'a> {
    Unknown,
    Number(f64),
    Bool(bool),
    Level(u32),
    Text(&'a Arc<str>),
    Set(u64),
}

impl<'a> V<'a> {
    /// View a stored value.
    #[inline]
    pub fn of(v: &'a Value) -> Self {
        match v {
            Value::Unknown => V::Unknown,
            Value::Number(n) => V::Number(*n),
            Value::Bool(b) => V::Bool(*b),
            Value::Level(l) => V::Level(*l),
            Value::Text(t) => V::Text(t),
            Value::Set(s) => V::Set(*s),
        }
    }

    /// An owned value (shares the text).
    pub fn to_value(self) -> Value {
        match self {
            V::Unknown => Value::Unknown,
            V::Number(n) => Value::Number(n),
            V::Bool(b) => Value::Bool(b),
            V::Level(l) => Value::Level(l),
            V::Text(t) => Value::Text(Arc::clone(t)),
            V::Set(s) => Value::Set(s),
        }
    }

    /// True unless unknown.
    #[inline]
    pub fn is_known(self) -> bool {
        !matches!(self, V::Unknown)
    }

    /// As a truth value: booleans are true/false, anything else unknown.
    #[inline]
    pub fn truth(self) -> Truth {
        match self {
            V::Bool(b) => Truth::from_bool(b),
            _ => Truth::Unknown,
        }
    }
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
fn not_a(v: V<'_>) -> UnknownReason {
    if v.is_known() {
        UnknownReason::TypeMismatch
    } else {
        UnknownReason::UnknownOperand
    }
}

fn number(v: V<'_>) -> Result<f64, UnknownReason> {
    match v {
        V::Number(n) => Ok(n),
        _ => Err(not_a(v)),
    }
}

/// A truth value: `Ok(bool)` or why it is unknown.
fn truth(v: V<'_>) -> Result<bool, UnknownReason> {
    match v {
        V::Bool(b) => Ok(b),
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
    a: V<'_>,
    b: V<'_>,
) -> Result<bool, UnknownReason> {
    match (kind, a, b) {
        (_, V::Unknown, _) | (_, _, V::Unknown) => Err(UnknownReason::UnknownOperand),
        (CompareKind::Number, V::Number(x), V::Number(y)) => x
            .partial_cmp(&y)
            .map(|ord| ordered(op, ord))
            .ok_or(UnknownReason::NonFinite),
        (CompareKind::Level, V::Level(x), V::Level(y)) => Ok(ordered(op, x.cmp(&y))),
        (CompareKind::Bool, V::Bool(x), V::Bool(y)) => equality(op, x == y),
        (CompareKind::Text, V::Text(x), V::Text(y)) => equality(op, **x == **y),
        (CompareKind::Set, V::Set(x), V::Set(y)) => equality(op, x == y),
        _ => Err(UnknownReason::TypeMismatch),
    }
}

fn arith(op: ArithOp, x: f64, y: f64) -> Result<f64, UnknownReason> {
    let r = match op {
        ArithOp::Add => x + y,
        ArithOp::Sub => x - y,
        ArithOp::Mul => x * y,
        ArithOp::Div => {
            if y == 0.0 {
                return Err(UnknownReason::DivisionByZero);
            }
            x / y
        }
    };
    finite(r)
}

fn finite(r: f64) -> Result<f64, UnknownReason> {
    if r.is_finite() {
        Ok(r)
    } else {
        Err(UnknownReason::NonFinite)
    }
}

fn from_bool(b: bool) -> V<'static> {
    V::Bool(b)
}

impl<'a, O: Observer> Evaluator<'a, O> {
    /// Evaluate the node `id` (and its children), reporting each to the observer.
    #[inline]
    pub fn eval(&mut self, id: ExprId) -> V<'a> {
        let value = match self.exprs.get(id.index()) {
            Some(expr) => self.node(id, expr),
            // INVARIANT: the checker only emits ids into the arena; a stray id is unknown.
            None => self.unknown(UnknownReason::TypeMismatch),
        };
        // INVARIANT: children took their reason in their own `eval`, so `why` is this node's.
        let why = self.why.take();
        if O::ACTIVE {
            self.obs.expr(id, &value.to_value(), why);
        }
        value
    }

    /// An operand: leaves are read in place when nobody watches (no call, no recursion).
    #[inline(always)]
    fn operand(&mut self, id: ExprId) -> V<'a> {
        if !O::ACTIVE {
            match self.exprs.get(id.index()) {
                Some(Expr::Fact(f)) => return V::of(self.facts.get(f.index()).unwrap_or(&UNKNOWN)),
                Some(Expr::Const(v)) => return V::of(v),
                Some(Expr::Param(p)) => {
                    return V::of(self.params.get(p.index()).map_or(&UNKNOWN, |p| &p.value))
                }
                Some(Expr::Derived(d)) => {
                    return V::of(self.derived.get(d.index()).unwrap_or(&UNKNOWN))
                }
                _ => {}
            }
        }
        self.eval(id)
    }

    /// Unknown, because of `why` (recorded only for an observer).
    #[inline]
    fn unknown(&mut self, why: UnknownReason) -> V<'a> {
        if O::ACTIVE {
            self.why = Some(why);
        }
        V::Unknown
    }

    fn number_or(&mut self, r: Result<f64, UnknownReason>) -> V<'a> {
        match r {
            Ok(x) => V::Number(x),
            Err(why) => self.unknown(why),
        }
    }

    fn bool_or(&mut self, r: Result<bool, UnknownReason>) -> V<'a> {
        match r {
            Ok(b) => V::Bool(b),
            Err(why) => self.unknown(why),
        }
    }

    /// A stored value, with `why` if it is unknown.
    #[inline]
    fn read(&mut self, v: &'a Value, why: UnknownReason) -> V<'a> {
        if v.is_known() {
            V::of(v)
        } else {
            self.unknown(why)
        }
    }

    fn node(&mut self, id: ExprId, expr: &'a Expr) -> V<'a> {
        match expr {
            Expr::Const(v) => self.read(v, UnknownReason::UnknownOperand),
            Expr::Fact(f) => {
                let v = self.facts.get(f.index()).unwrap_or(&UNKNOWN);
                self.read(v, UnknownReason::MissingFact(*f))
            }
            Expr::Param(p) => {
                let v = self.params.get(p.index()).map_or(&UNKNOWN, |p| &p.value);
                self.read(v, UnknownReason::UnknownOperand)
            }
            Expr::Derived(d) => {
                let v = self.derived.get(d.index()).unwrap_or(&UNKNOWN);
                self.read(v, UnknownReason::UnknownOperand)
            }
            Expr::Not(e) => {
                let v = self.eval(*e);
                match truth(v) {
                    Ok(b) => from_bool(!b),
                    Err(why) => self.unknown(why),
                }
            }
            Expr::And(l, r) => self.junction(id, *l, *r, false),
            Expr::Or(l, r) => self.junction(id, *l, *r, true),
            Expr::Compare { op, kind, lhs, rhs } => {
                let a = self.operand(*lhs);
                let b = self.operand(*rhs);
                let r = compare(*op, *kind, a, b);
                self.bool_or(r)
            }
            Expr::Arith { op, lhs, rhs } => {
                let a = self.operand(*lhs);
                let b = self.operand(*rhs);
                match (number(a), number(b)) {
                    (Ok(x), Ok(y)) => {
                        let r = arith(*op, x, y);
                        self.number_or(r)
                    }
                    (Err(e1), Err(e2)) => self.unknown(worse(e1, e2)),
                    (Err(e), _) | (_, Err(e)) => self.unknown(e),
                }
            }
            Expr::Neg(e) => {
                let v = self.eval(*e);
                match number(v) {
                    Ok(x) => self.number_or(finite(-x)),
                    Err(why) => self.unknown(why),
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
                let above = compare(CompareOp::Ge, *kind, v, lo);
                let below = compare(CompareOp::Le, *kind, v, hi);
                match (above, below) {
                    (Ok(a), Ok(b)) => from_bool(a && b),
                    (Err(e1), Err(e2)) => self.unknown(worse(e1, e2)),
                    (Err(e), _) | (_, Err(e)) => self.unknown(e),
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
                    (V::Set(bits), V::Level(pos)) => from_bool(*pos < 64 && (bits >> pos) & 1 == 1),
                    // Text: a case-insensitive search for a part (`sector contains "footwear"`).
                    (V::Text(text), V::Text(part)) => {
                        from_bool(text.to_lowercase().contains(&part.to_lowercase()))
                    }
                    _ => self.unknown(worse(not_a(s), not_a(m))),
                }
            }
            Expr::Call { func, args } => self.call(id, *func, args),
        }
    }

    /// Kleene `and` (`or_ == false`) or `or` (`or_ == true`): the dominant operand
    /// (false for `and`, true for `or`) decides alone.
    fn junction(&mut self, id: ExprId, l: ExprId, r: ExprId, or_: bool) -> V<'a> {
        let a = truth(self.operand(l));
        if a == Ok(or_) {
            self.obs.short_circuit(id, l);
            return from_bool(or_);
        }
        let b = truth(self.operand(r));
        match (a, b) {
            (_, Ok(x)) if x == or_ => {
                self.obs.short_circuit(id, r);
                from_bool(or_)
            }
            (Ok(_), Ok(_)) => from_bool(!or_),
            (Err(e1), Err(e2)) => self.unknown(worse(e1, e2)),
            (Err(e), _) | (_, Err(e)) => self.unknown(e),
        }
    }

    /// `x in [...]` / `x not in [...]`.
    #[inline(never)]
    fn member(
        &mut self,
        value: ExprId,
        items: &[ExprId],
        kind: CompareKind,
        negated: bool,
    ) -> V<'a> {
        let v = self.eval(value);
        if !v.is_known() {
            return self.unknown(UnknownReason::UnknownOperand);
        }
        let mut open: Option<UnknownReason> = None;
        for item in items {
            let candidate = self.eval(*item);
            match compare(CompareOp::Eq, kind, v, candidate) {
                Ok(true) => return from_bool(!negated),
                Ok(false) => {}
                Err(e) => open = Some(open.map_or(e, |o| worse(o, e))),
            }
        }
        match open {
            Some(why) => self.unknown(why),
            None => from_bool(negated),
        }
    }

    #[inline(never)]
    fn call(&mut self, id: ExprId, func: Func, args: &[ExprId]) -> V<'a> {
        match func {
            Func::Min | Func::Max => {
                let mut acc: Result<Option<f64>, UnknownReason> = Ok(None);
                for arg in args {
                    let v = self.eval(*arg);
                    acc = match (acc, number(v)) {
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
                    Ok(Some(x)) => V::Number(x),
                    Ok(None) => self.unknown(UnknownReason::TypeMismatch),
                    Err(why) => self.unknown(why),
                }
            }
            Func::Abs => {
                let [arg] = args else {
                    for arg in args {
                        self.eval(*arg);
                    }
                    return self.unknown(UnknownReason::TypeMismatch);
                };
                let v = self.eval(*arg);
                match number(v) {
                    Ok(x) => V::Number(x.abs()),
                    Err(why) => self.unknown(why),
                }
            }
            Func::Count => {
                let mut n = 0u32;
                let mut open: Option<UnknownReason> = None;
                for arg in args {
                    match truth(self.eval(*arg)) {
                        Ok(b) => n += u32::from(b),
                        Err(e) => open = Some(open.map_or(e, |o| worse(o, e))),
                    }
                }
                match open {
                    Some(why) => self.unknown(why),
                    None => V::Number(f64::from(n)),
                }
            }
            Func::Any | Func::All => {
                // `any` is decided by a true argument, `all` by a false one.
                let decisive = func == Func::Any;
                let mut open: Option<UnknownReason> = None;
                for arg in args {
                    match truth(self.eval(*arg)) {
                        Ok(b) if b == decisive => {
                            self.obs.short_circuit(id, *arg);
                            return from_bool(decisive);
                        }
                        Ok(_) => {}
                        Err(e) => open = Some(open.map_or(e, |o| worse(o, e))),
                    }
                }
                match open {
                    Some(why) => self.unknown(why),
                    None => from_bool(!decisive),
                }
            }
        }
    }
}
