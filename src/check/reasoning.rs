//! Check stage, static reasoning: what the required criteria of cluster types allow, and
//! whether a condition must hold, cannot hold, or may go either way within that.
//!
//! Input: the lowered program (expressions, types, derived values). Output: [`Region`]s
//! (per fact, the interval or set of levels the criteria leave open, plus the conditions
//! known to hold or fail) and [`Tri`] answers for conditions, used by the lints in
//! `lints_reasoning`. The reasoning is sound but incomplete: it only looks at comparisons of
//! one fact with a constant or parameter, `in` lists, boolean facts, `and`/`or`/`not`,
//! `is known` and derived values (followed into their definitions); anything else is
//! "may hold", so the lints never warn about what they do not understand.

use super::lints::{Bounds, Constraint};
use super::Checker;
use crate::ir::{ClusterType, CompareKind, Expr, ExprId, FactId, FactType, TypeId};
use crate::vocab::CompareOp;

/// Whether a condition holds everywhere in a region, nowhere, or it depends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Tri {
    /// Holds for every cluster the region allows
    Always,
    /// Holds for none
    Never,
    /// Depends on facts the region leaves open
    Maybe,
}

impl Tri {
    fn not(self) -> Tri {
        match self {
            Tri::Always => Tri::Never,
            Tri::Never => Tri::Always,
            Tri::Maybe => Tri::Maybe,
        }
    }
}

/// A condition known to hold or fail: a derived value (wherever it is used) or one node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Key {
    /// A derived value, by id: every use of it is the same condition
    Derived(crate::ir::DerivedId),
    /// An expression node
    Expr(ExprId),
}

/// What a set of conditions that must all be true allows.
#[derive(Clone, Default)]
pub(super) struct Region {
    /// Per fact: the values left open
    pub bounds: Vec<Bounds>,
    /// Conditions known to be true
    pub holds: Vec<Key>,
    /// Conditions known to be false
    pub fails: Vec<Key>,
}

impl Region {
    /// Whether the conditions contradict each other on some fact.
    pub fn is_empty(&self) -> bool {
        self.bounds.iter().any(Bounds::empty)
    }

    fn bounds_of(&self, fact: FactId) -> Option<&Bounds> {
        self.bounds.iter().find(|b| b.fact == fact)
    }
}

/// Nesting limit when following derived values (they are acyclic once checked, but be safe).
const MAX_DEPTH: u32 = 64;

impl Checker<'_> {
    /// The region where every effective required criterion of every type in `types` holds
    /// (own and inherited criteria).
    pub(super) fn required_region(&self, types: &[TypeId]) -> Region {
        let mut region = Region::default();
        for &id in types {
            for (_, ty) in self.type_chain(id) {
                for c in &ty.required {
                    self.assume(&mut region, c.expr, true, 0);
                }
            }
        }
        region
    }

    /// A type and its ancestors, nearest first, each with its id: callers get the types
    /// themselves, so none of them looks an id up again (or skips one it cannot find).
    pub(super) fn type_chain(&self, id: TypeId) -> Vec<(TypeId, &ClusterType)> {
        let mut chain: Vec<(TypeId, &ClusterType)> = Vec::new();
        let mut next = Some(id);
        while let Some(t) = next {
            if chain.iter().any(|&(seen, _)| seen == t) || chain.len() > self.program.types.len() {
                break;
            }
            // INVARIANT: ids and parents come from the checker's own declarations, so every
            // one names a type; were one not to, the chain would end there.
            let Some(ty) = self.program.types.get(t.index()) else {
                break;
            };
            chain.push((t, ty));
            next = ty.parent;
        }
        chain
    }

    /// Add "`id` is true" (or false, when `positive` is false) to the region.
    pub(super) fn assume(&self, region: &mut Region, id: ExprId, positive: bool, depth: u32) {
        if depth > MAX_DEPTH {
            return;
        }
        let Some(expr) = self.program.exprs.get(id.index()) else {
            return;
        };
        match (expr, positive) {
            (Expr::And(a, b), true) | (Expr::Or(a, b), false) => {
                self.assume(region, *a, positive, depth + 1);
                self.assume(region, *b, positive, depth + 1);
            }
            (Expr::Not(x), _) => self.assume(region, *x, !positive, depth + 1),
            (Expr::Derived(d), _) => {
                self.record(region, Key::Derived(*d), positive);
                if let Some(def) = self.program.derived.get(d.index()) {
                    self.assume(region, def.expr, positive, depth + 1);
                }
            }
            _ => {
                self.record(region, Key::Expr(id), positive);
                if let Some((fact, c)) = self.atom(id) {
                    let c = if positive { c } else { negate(c) };
                    self.narrow(region, fact, c);
                }
            }
        }
    }

    fn record(&self, region: &mut Region, key: Key, positive: bool) {
        if positive {
            region.holds.push(key);
        } else {
            region.fails.push(key);
        }
    }

    /// Whether the conditions of a region cannot all hold: a fact's values run out, or a
    /// condition required to hold must fail given the others (or the reverse).
    pub(super) fn contradictory(&self, region: &Region) -> bool {
        if region.is_empty() {
            return true;
        }
        let without = |list: &[Key], key: &Key| -> Vec<Key> {
            list.iter().filter(|k| *k != key).copied().collect()
        };
        for key in &region.holds {
            let mut other = region.clone();
            other.holds = without(&region.holds, key);
            if self.decide_key(&other, *key) == Tri::Never {
                return true;
            }
        }
        for key in &region.fails {
            let mut other = region.clone();
            other.fails = without(&region.fails, key);
            if self.decide_key(&other, *key) == Tri::Always {
                return true;
            }
        }
        false
    }

    fn decide_key(&self, region: &Region, key: Key) -> Tri {
        match key {
            Key::Expr(id) => self.decide(region, id, 0),
            Key::Derived(d) => match self.program.derived.get(d.index()) {
                Some(def) => self.decide(region, def.expr, 0),
                None => Tri::Maybe,
            },
        }
    }

    fn narrow(&self, region: &mut Region, fact: FactId, c: Constraint) {
        let i = match region.bounds.iter().position(|b| b.fact == fact) {
            Some(i) => i,
            None => {
                region.bounds.push(self.initial_bounds(fact));
                region.bounds.len() - 1
            }
        };
        if let Some(b) = region.bounds.get_mut(i) {
            b.apply(c, "");
        }
    }

    /// A constraint on one fact: a comparison with a constant, an `in` list, or a boolean
    /// fact used as a condition.
    fn atom(&self, id: ExprId) -> Option<(FactId, Constraint)> {
        match self.program.exprs.get(id.index())? {
            Expr::Fact(f) => {
                let is_bool = self
                    .program
                    .facts
                    .get(f.index())
                    .is_some_and(|d| d.ty == FactType::Boolean);
                is_bool.then_some((*f, Constraint::Mask(0b10)))
            }
            Expr::Compare {
                op,
                kind: CompareKind::Bool,
                lhs,
                rhs,
            } if matches!(op, CompareOp::Eq | CompareOp::Ne) => {
                let exprs = &self.program.exprs;
                let (f, b) = match (exprs.get(lhs.index())?, exprs.get(rhs.index())?) {
                    (Expr::Fact(f), Expr::Const(crate::value::Value::Bool(b)))
                    | (Expr::Const(crate::value::Value::Bool(b)), Expr::Fact(f)) => (*f, *b),
                    _ => return None,
                };
                let wanted = b == (*op == CompareOp::Eq);
                Some((f, Constraint::Mask(if wanted { 0b10 } else { 0b01 })))
            }
            _ => self.constraint(id),
        }
    }

    /// Whether condition `id` holds everywhere in `region`, nowhere, or it depends.
    pub(super) fn decide(&self, region: &Region, id: ExprId, depth: u32) -> Tri {
        let Some(expr) = self.program.exprs.get(id.index()) else {
            return Tri::Maybe;
        };
        let key = match expr {
            Expr::Derived(d) => Key::Derived(*d),
            _ => Key::Expr(id),
        };
        if region.holds.contains(&key) {
            return Tri::Always;
        }
        if region.fails.contains(&key) {
            return Tri::Never;
        }
        if depth > MAX_DEPTH {
            return Tri::Maybe;
        }
        match expr {
            Expr::And(a, b) => {
                match (
                    self.decide(region, *a, depth + 1),
                    self.decide(region, *b, depth + 1),
                ) {
                    (Tri::Never, _) | (_, Tri::Never) => Tri::Never,
                    (Tri::Always, Tri::Always) => Tri::Always,
                    _ => Tri::Maybe,
                }
            }
            Expr::Or(a, b) => {
                match (
                    self.decide(region, *a, depth + 1),
                    self.decide(region, *b, depth + 1),
                ) {
                    (Tri::Always, _) | (_, Tri::Always) => Tri::Always,
                    (Tri::Never, Tri::Never) => Tri::Never,
                    _ => Tri::Maybe,
                }
            }
            Expr::Not(x) => self.decide(region, *x, depth + 1).not(),
            Expr::Derived(d) => match self.program.derived.get(d.index()) {
                Some(def) => self.decide(region, def.expr, depth + 1),
                None => Tri::Maybe,
            },
            Expr::IsKnown { value, negated } => {
                let known = match self.program.exprs.get(value.index()) {
                    Some(Expr::Fact(f)) => region.bounds_of(*f).is_some(),
                    _ => self.decide(region, *value, depth + 1) != Tri::Maybe,
                };
                match (known, negated) {
                    (true, false) => Tri::Always,
                    (true, true) => Tri::Never,
                    _ => Tri::Maybe,
                }
            }
            _ => {
                let Some((fact, c)) = self.atom(id) else {
                    return Tri::Maybe;
                };
                let Some(bounds) = region.bounds_of(fact) else {
                    return Tri::Maybe;
                };
                let mut with = bounds.clone();
                with.apply(c, "");
                if with.empty() {
                    return Tri::Never;
                }
                let mut without = bounds.clone();
                without.apply(negate(c), "");
                if without.empty() {
                    Tri::Always
                } else {
                    Tri::Maybe
                }
            }
        }
    }
}

/// The constraint that holds exactly when `c` does not (for known values).
fn negate(c: Constraint) -> Constraint {
    let op = |op: CompareOp| match op {
        CompareOp::Eq => CompareOp::Ne,
        CompareOp::Ne => CompareOp::Eq,
        CompareOp::Lt => CompareOp::Ge,
        CompareOp::Le => CompareOp::Gt,
        CompareOp::Gt => CompareOp::Le,
        CompareOp::Ge => CompareOp::Lt,
    };
    match c {
        Constraint::Number(o, n) => Constraint::Number(op(o), n),
        Constraint::Level(o, l) => Constraint::Level(op(o), l),
        Constraint::Mask(m) => Constraint::Mask(!m),
    }
}
