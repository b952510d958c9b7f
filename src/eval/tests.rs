//! Evaluation stage, unit tests: hand-built `ir::Program`s (the parser and checker are
//! tested elsewhere) → `Outcome`s, observer reports and test-runner messages.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::eval::testing::run_tests;
use crate::eval::{evaluate, evaluate_into, evaluate_observed, Observer, Outcome, UnknownReason};
use crate::facts::Facts;
use crate::ir::{
    ClusterType, CompareKind, Criterion, Derived, DerivedId, Expect, ExpectKind, Expr, ExprId,
    Fact, FactId, FactType, Func, Meta, Param, ParamId, Policy, PolicyId, Program, Test, TypeId,
    ValueType,
};
use crate::source::Span;

use crate::value::{Truth, Value};

use crate::vocab::{ArithOp, CompareOp, ExpectedStatus, PolicyKind, PolicyStatus, TypeStatus};
use CompareOp::{Eq, Ge, Gt, Le, Lt, Ne};

const T: Value = Value::Bool(true);
const F: Value = Value::Bool(false);
const U: Value = Value::Unknown;

/// Builds programs by hand.
#[derive(Default)]
struct B {
    p: Program,
}

impl B {
    fn fact(&mut self, name: &str, ty: FactType) -> FactId {
        self.p.facts.push(Fact {
            name: name.into(),
            ty,
            minimum: None,
            maximum: None,
            meta: Meta::default(),
            span: Span::default(),
        });
        FactId::from_index(self.p.facts.len() - 1)
    }

    fn num_fact(&mut self, name: &str) -> FactId {
        self.fact(name, FactType::Number)
    }

    fn bool_fact(&mut self, name: &str) -> FactId {
        self.fact(name, FactType::Boolean)
    }

    fn param(&mut self, name: &str, value: Value) -> ParamId {
        self.p.params.push(Param {
            name: name.into(),
            value,
            ty: ValueType::Number,
            overridden: false,
            meta: Meta::default(),
            span: Span::default(),
        });
        ParamId::from_index(self.p.params.len() - 1)
    }

    /// A derived value, appended to `derived_order`.
    fn derived(&mut self, expr: ExprId) -> DerivedId {
        let id = DerivedId::from_index(self.p.derived.len());
        self.p.derived.push(Derived {
            name: format!("d{}", id.0),
            expr,
            ty: ValueType::Boolean,
            meta: Meta::default(),
            span: Span::default(),
        });
        self.p.derived_order.push(id);
        id
    }

    fn e(&mut self, expr: Expr) -> ExprId {
        self.p.exprs.push(expr);
        self.p.expr_spans.push(Span::default());
        ExprId::from_index(self.p.exprs.len() - 1)
    }

    fn c(&mut self, v: Value) -> ExprId {
        self.e(Expr::Const(v))
    }

    fn n(&mut self, x: f64) -> ExprId {
        self.c(Value::Number(x))
    }

    fn f(&mut self, id: FactId) -> ExprId {
        self.e(Expr::Fact(id))
    }

    fn cmp(&mut self, op: CompareOp, kind: CompareKind, lhs: ExprId, rhs: ExprId) -> ExprId {
        self.e(Expr::Compare { op, kind, lhs, rhs })
    }

    /// `fact OP number`
    fn fnum(&mut self, fact: FactId, op: CompareOp, x: f64) -> ExprId {
        let l = self.f(fact);
        let r = self.n(x);
        self.cmp(op, CompareKind::Number, l, r)
    }

    fn arith(&mut self, op: ArithOp, lhs: ExprId, rhs: ExprId) -> ExprId {
        self.e(Expr::Arith { op, lhs, rhs })
    }

    fn call(&mut self, func: Func, args: Vec<ExprId>) -> ExprId {
        self.e(Expr::Call { func, args })
    }

    fn ty(&mut self, name: &str, parent: Option<TypeId>) -> TypeId {
        let depth = parent.map_or(0, |p| self.p.types[p.index()].depth + 1);
        self.p.types.push(ClusterType {
            name: name.into(),
            meta: Meta::default(),
            parent,
            depth,
            required: vec![],
            indicative: vec![],
            excluding: vec![],
            span: Span::default(),
        });
        TypeId::from_index(self.p.types.len() - 1)
    }

    fn crit(name: &str, expr: ExprId, weight: f64) -> Criterion {
        Criterion {
            name: name.into(),
            expr,
            weight,
            note: None,
            span: Span::default(),
        }
    }

    fn req(&mut self, t: TypeId, name: &str, expr: ExprId) {
        self.p.types[t.index()]
            .required
            .push(Self::crit(name, expr, 1.0));
    }

    fn ind(&mut self, t: TypeId, name: &str, expr: ExprId, weight: f64) {
        self.p.types[t.index()]
            .indicative
            .push(Self::crit(name, expr, weight));
    }

    fn excl(&mut self, t: TypeId, name: &str, expr: ExprId) {
        self.p.types[t.index()]
            .excluding
            .push(Self::crit(name, expr, 1.0));
    }

    /// A policy, appended to `policy_order`.
    fn policy(
        &mut self,
        name: &str,
        kind: PolicyKind,
        for_types: Vec<TypeId>,
        condition: Option<ExprId>,
    ) -> PolicyId {
        let id = PolicyId::from_index(self.p.policies.len());
        self.p.policies.push(Policy {
            name: name.into(),
            kind,
            meta: Meta::default(),
            for_types,
            condition,
            phase: 1,
            after: vec![],
            advice: None,
            rationale: None,
            span: Span::default(),
        });
        self.p.policy_order.push(id);
        id
    }
}

fn facts(p: &Program, given: &[(FactId, Value)]) -> Facts {
    let mut f = Facts::unknown(p.facts.len());
    for (id, v) in given {
        f.values[id.index()] = v.clone();
    }
    f
}

/// Evaluate `build(builder, a, b)` as a derived value over boolean facts `a` and `b`.
fn two(a: &Value, b: &Value, build: impl Fn(&mut B, ExprId, ExprId) -> ExprId) -> Value {
    let mut bld = B::default();
    let fa = bld.bool_fact("a");
    let fb = bld.bool_fact("b");
    let ea = bld.f(fa);
    let eb = bld.f(fb);
    let root = build(&mut bld, ea, eb);
    bld.derived(root);
    let out = evaluate(&bld.p, &facts(&bld.p, &[(fa, a.clone()), (fb, b.clone())]));
    out.derived[0].clone()
}

/// Evaluate an expression over no facts.
fn value(build: impl Fn(&mut B) -> ExprId) -> Value {
    let mut bld = B::default();
    let root = build(&mut bld);
    bld.derived(root);
    evaluate(&bld.p, &Facts::default()).derived[0].clone()
}

#[derive(Default)]
struct Recorder {
    nodes: Vec<(ExprId, Value, Option<UnknownReason>)>,
    shorts: Vec<(ExprId, ExprId)>,
    derived: Vec<(DerivedId, Value)>,
}

impl Observer for Recorder {
    fn expr(&mut self, id: ExprId, value: &Value, why: Option<UnknownReason>) {
        self.nodes.push((id, value.clone(), why));
    }
    fn short_circuit(&mut self, id: ExprId, decided_by: ExprId) {
        self.shorts.push((id, decided_by));
    }
    fn derived(&mut self, id: DerivedId, value: &Value) {
        self.derived.push((id, value.clone()));
    }
}

// ---------------------------------------------------------------- Kleene logic

#[test]
fn and_truth_table_is_kleene() {
    let cases = [
        (T, T, T),
        (T, F, F),
        (T, U, U),
        (F, T, F),
        (F, F, F),
        (F, U, F),
        (U, T, U),
        (U, F, F),
        (U, U, U),
    ];
    for (a, b, want) in cases {
        let got = two(&a, &b, |bl, x, y| bl.e(Expr::And(x, y)));
        assert_eq!(got, want, "{a:?} and {b:?}");
    }
}

#[test]
fn or_truth_table_is_kleene() {
    let cases = [
        (T, T, T),
        (T, F, T),
        (T, U, T),
        (F, T, T),
        (F, F, F),
        (F, U, U),
        (U, T, T),
        (U, F, U),
        (U, U, U),
    ];
    for (a, b, want) in cases {
        let got = two(&a, &b, |bl, x, y| bl.e(Expr::Or(x, y)));
        assert_eq!(got, want, "{a:?} or {b:?}");
    }
}

#[test]
fn not_truth_table_is_kleene() {
    // `not a` for each a, combined with every b so all 9 combinations run.
    for a in [T, F, U] {
        for b in [T, F, U] {
            let got = two(&a, &b, |bl, x, _| bl.e(Expr::Not(x)));
            let want = match a {
                Value::Bool(x) => Value::Bool(!x),
                _ => U,
            };
            assert_eq!(got, want, "not {a:?}");
        }
    }
}

#[test]
fn false_and_short_circuits_on_the_deciding_operand() {
    let mut b = B::default();
    let fa = b.bool_fact("a");
    let fb = b.bool_fact("b");
    let ea = b.f(fa);
    let eb = b.f(fb);
    let and = b.e(Expr::And(ea, eb));
    let eb2 = b.f(fb);
    let ea2 = b.f(fa);
    let or = b.e(Expr::Or(eb2, ea2));
    b.derived(and);
    b.derived(or);
    let mut rec = Recorder::default();
    let out = evaluate_observed(&b.p, &facts(&b.p, &[(fa, F)]), &mut rec);
    assert_eq!(out.derived, vec![F, U]);
    // `a and b`: decided by `a`, `b` never read.
    assert_eq!(rec.shorts, vec![(and, ea)]);
    assert!(!rec.nodes.iter().any(|(id, ..)| *id == eb));
    // `b or a` (unknown or false): no short circuit, b reported missing.
    assert!(rec
        .nodes
        .contains(&(eb2, U, Some(UnknownReason::MissingFact(fb)))));
    assert!(rec
        .nodes
        .contains(&(or, U, Some(UnknownReason::UnknownOperand))));
    assert_eq!(rec.derived, vec![(DerivedId(0), F), (DerivedId(1), U)]);
}

// ---------------------------------------------------------------- arithmetic, comparisons

#[test]
fn unknown_propagates_through_arithmetic_and_comparisons() {
    for op in [ArithOp::Add, ArithOp::Sub, ArithOp::Mul, ArithOp::Div] {
        let mut b = B::default();
        let x = b.num_fact("x");
        let ex = b.f(x);
        let two = b.n(2.0);
        let a = b.arith(op, ex, two);
        let neg = b.e(Expr::Neg(a));
        b.derived(neg);
        let out = evaluate(&b.p, &facts(&b.p, &[]));
        assert_eq!(out.derived[0], U, "{op:?}");
    }
    for op in [Eq, Ne, Lt, Le, Gt, Ge] {
        let mut b = B::default();
        let x = b.num_fact("x");
        let c = b.fnum(x, op, 1.0);
        b.derived(c);
        assert_eq!(evaluate(&b.p, &facts(&b.p, &[])).derived[0], U, "{op:?}");
    }
}

#[test]
fn numeric_comparisons_and_arithmetic_compute() {
    let cases = [
        (Eq, 2.0, F),
        (Ne, 2.0, T),
        (Lt, 4.0, T),
        (Le, 3.0, T),
        (Gt, 3.0, F),
        (Ge, 3.0, T),
    ];
    for (op, rhs, want) in cases {
        // (1 + 2) * 3 / 3 - 0 = 3
        let got = value(|b| {
            let one = b.n(1.0);
            let two = b.n(2.0);
            let three = b.n(3.0);
            let zero = b.n(0.0);
            let s = b.arith(ArithOp::Add, one, two);
            let m = b.arith(ArithOp::Mul, s, three);
            let d = b.arith(ArithOp::Div, m, three);
            let l = b.arith(ArithOp::Sub, d, zero);
            let r = b.n(rhs);
            b.cmp(op, CompareKind::Number, l, r)
        });
        assert_eq!(got, want, "3 {op:?} {rhs}");
    }
}

#[test]
fn division_by_zero_is_unknown_and_reported() {
    let mut b = B::default();
    let one = b.n(1.0);
    let zero = b.n(0.0);
    let div = b.arith(ArithOp::Div, one, zero);
    let big = b.n(1e308);
    let ten = b.n(10.0);
    let huge = b.arith(ArithOp::Mul, big, ten);
    b.derived(div);
    b.derived(huge);
    let mut rec = Recorder::default();
    let out = evaluate_observed(&b.p, &Facts::default(), &mut rec);
    assert_eq!(out.derived, vec![U, U]);
    assert!(rec
        .nodes
        .contains(&(div, U, Some(UnknownReason::DivisionByZero))));
    assert!(rec
        .nodes
        .contains(&(huge, U, Some(UnknownReason::NonFinite))));
}

#[test]
fn mismatched_values_are_unknown_not_a_panic() {
    let mut b = B::default();
    let t = b.c(T);
    let one = b.n(1.0);
    let sum = b.arith(ArithOp::Add, t, one);
    let lvl = b.c(Value::Level(1));
    let lt = b.cmp(Lt, CompareKind::Bool, t, t);
    let not_num = b.e(Expr::Not(one));
    let mixed = b.cmp(Eq, CompareKind::Level, lvl, one);
    for e in [sum, lt, not_num, mixed] {
        b.derived(e);
    }
    let mut rec = Recorder::default();
    let out = evaluate_observed(&b.p, &Facts::default(), &mut rec);
    assert_eq!(out.derived, vec![U, U, U, U]);
    for e in [sum, lt, not_num, mixed] {
        assert!(rec
            .nodes
            .contains(&(e, U, Some(UnknownReason::TypeMismatch))));
    }
}

#[test]
fn levels_text_bool_and_set_compare() {
    let lvl = |op, a, b| {
        value(|bl| {
            let x = bl.c(Value::Level(a));
            let y = bl.c(Value::Level(b));
            bl.cmp(op, CompareKind::Level, x, y)
        })
    };
    assert_eq!(lvl(Le, 0, 1), T);
    assert_eq!(lvl(Gt, 0, 1), F);
    assert_eq!(lvl(Eq, 2, 2), T);
    let eq = |kind, a: Value, b: Value, op| {
        value(move |bl| {
            let x = bl.c(a.clone());
            let y = bl.c(b.clone());
            bl.cmp(op, kind, x, y)
        })
    };
    let text = |s: &str| Value::Text(s.into());
    assert_eq!(eq(CompareKind::Text, text("Peru"), text("Peru"), Eq), T);
    assert_eq!(eq(CompareKind::Text, text("Peru"), text("Chile"), Ne), T);
    assert_eq!(eq(CompareKind::Bool, T, F, Eq), F);
    assert_eq!(eq(CompareKind::Set, Value::Set(3), Value::Set(3), Eq), T);
    assert_eq!(eq(CompareKind::Set, Value::Set(3), Value::Set(1), Ne), T);
}

#[test]
fn is_known_is_never_unknown() {
    for (given, negated, want) in [(U, false, F), (U, true, T), (T, false, T), (F, true, F)] {
        let got = two(&given, &U, |b, x, _| {
            b.e(Expr::IsKnown { value: x, negated })
        });
        assert_eq!(got, want, "{given:?} negated={negated}");
    }
    // A division by zero is not known either.
    let got = value(|b| {
        let one = b.n(1.0);
        let zero = b.n(0.0);
        let d = b.arith(ArithOp::Div, one, zero);
        b.e(Expr::IsKnown {
            value: d,
            negated: false,
        })
    });
    assert_eq!(got, F);
}

// ---------------------------------------------------------------- in, between, contains

fn in_list(v: Value, items: &[Value], negated: bool) -> Value {
    let items = items.to_vec();
    value(move |b| {
        let x = b.c(v.clone());
        let items = items.iter().map(|i| b.c(i.clone())).collect();
        b.e(Expr::In {
            value: x,
            items,
            kind: CompareKind::Level,
            negated,
        })
    })
}

#[test]
fn in_list_follows_kleene_rules() {
    let l = Value::Level;
    assert_eq!(in_list(l(1), &[l(0), l(1)], false), T);
    assert_eq!(in_list(l(2), &[l(0), l(1)], false), F);
    assert_eq!(in_list(l(2), &[l(0), l(1)], true), T);
    assert_eq!(in_list(U, &[l(0), l(1)], false), U);
    assert_eq!(in_list(U, &[l(0)], true), U);
    // An unknown item: unknown unless another item matches.
    assert_eq!(in_list(l(2), &[l(0), U], false), U);
    assert_eq!(in_list(l(0), &[U, l(0)], false), T);
    assert_eq!(in_list(l(0), &[U, l(0)], true), F);
}

#[test]
fn between_is_inclusive() {
    let between = |v: Value, lo: f64, hi: f64| {
        value(move |b| {
            let x = b.c(v.clone());
            let low = b.n(lo);
            let high = b.n(hi);
            b.e(Expr::Between {
                value: x,
                low,
                high,
                kind: CompareKind::Number,
            })
        })
    };
    assert_eq!(between(Value::Number(1.0), 1.0, 2.0), T);
    assert_eq!(between(Value::Number(2.0), 1.0, 2.0), T);
    assert_eq!(between(Value::Number(2.5), 1.0, 2.0), F);
    assert_eq!(between(Value::Number(0.5), 1.0, 2.0), F);
    assert_eq!(between(U, 1.0, 2.0), U);
}

#[test]
fn contains_tests_the_member_bit() {
    let contains = |set: Value, member: u32| {
        value(move |b| {
            let s = b.c(set.clone());
            let m = b.c(Value::Level(member));
            b.e(Expr::Contains { set: s, item: m })
        })
    };
    assert_eq!(contains(Value::Set(0b101), 0), T);
    assert_eq!(contains(Value::Set(0b101), 1), F);
    assert_eq!(contains(Value::Set(0b101), 2), T);
    assert_eq!(contains(Value::Set(u64::MAX), 70), F);
    assert_eq!(contains(U, 0), U);
}

// ---------------------------------------------------------------- functions

fn call(func: Func, args: &[Value]) -> Value {
    let args = args.to_vec();
    value(move |b| {
        let ids = args.iter().map(|a| b.c(a.clone())).collect();
        b.call(func, ids)
    })
}

#[test]
fn functions_handle_unknowns() {
    let n = Value::Number;
    assert_eq!(call(Func::Count, &[T, F, T]), n(2.0));
    assert_eq!(call(Func::Count, &[T, U, T]), U);
    assert_eq!(call(Func::Any, &[F, U, T]), T);
    assert_eq!(call(Func::Any, &[F, U]), U);
    assert_eq!(call(Func::Any, &[F, F]), F);
    assert_eq!(call(Func::All, &[T, U, F]), F);
    assert_eq!(call(Func::All, &[T, U]), U);
    assert_eq!(call(Func::All, &[T, T]), T);
    assert_eq!(call(Func::Min, &[n(3.0), n(-1.0), n(2.0)]), n(-1.0));
    assert_eq!(call(Func::Max, &[n(3.0), n(-1.0), n(2.0)]), n(3.0));
    assert_eq!(call(Func::Min, &[n(3.0), U]), U);
    assert_eq!(call(Func::Max, &[U, n(3.0)]), U);
    assert_eq!(call(Func::Abs, &[n(-2.5)]), n(2.5));
    assert_eq!(call(Func::Abs, &[U]), U);
}

#[test]
fn any_reports_the_deciding_argument() {
    let mut b = B::default();
    let f = b.c(F);
    let t = b.c(T);
    let u = b.c(U);
    let any = b.call(Func::Any, vec![f, t, u]);
    b.derived(any);
    let mut rec = Recorder::default();
    evaluate_observed(&b.p, &Facts::default(), &mut rec);
    assert_eq!(rec.shorts, vec![(any, t)]);
}

#[test]
fn derived_values_are_computed_in_dependency_order() {
    let mut b = B::default();
    let x = b.num_fact("x");
    let ex = b.f(x);
    let two = b.n(2.0);
    let double = b.arith(ArithOp::Mul, ex, two);
    // d1 = d0 + 1 is declared first but ordered after d0.
    let d0_ref = b.e(Expr::Derived(DerivedId(1)));
    let one = b.n(1.0);
    let plus = b.arith(ArithOp::Add, d0_ref, one);
    b.derived(plus);
    b.derived(double);
    b.p.derived_order = vec![DerivedId(1), DerivedId(0)];
    let out = evaluate(&b.p, &facts(&b.p, &[(x, Value::Number(4.0))]));
    assert_eq!(out.derived, vec![Value::Number(9.0), Value::Number(8.0)]);
}

#[test]
fn params_are_read_from_the_program() {
    let mut b = B::default();
    let firms = b.num_fact("firms");
    let min = b.param("min_firms", Value::Number(50.0));
    let ef = b.f(firms);
    let ep = b.e(Expr::Param(min));
    let c = b.cmp(Ge, CompareKind::Number, ef, ep);
    b.derived(c);
    let given = [(firms, Value::Number(60.0))];
    assert_eq!(evaluate(&b.p, &facts(&b.p, &given)).derived[0], T);
    b.p.params[0].value = Value::Number(100.0);
    assert_eq!(evaluate(&b.p, &facts(&b.p, &given)).derived[0], F);
}

// ---------------------------------------------------------------- types and scores

#[test]
fn score_weighs_indicative_criteria() {
    let mut b = B::default();
    let x = b.bool_fact("x");
    let y = b.bool_fact("y");
    let z = b.bool_fact("z");
    let t = b.ty("t", None);
    let bare = b.ty("bare", None);
    let always = b.c(T);
    b.req(t, "always", always);
    b.req(bare, "always", always);
    let (ex, ey, ez) = (b.f(x), b.f(y), b.f(z));
    b.ind(t, "x", ex, 2.0);
    b.ind(t, "y", ey, 1.0);
    b.ind(t, "z", ez, 1.0);
    let out = evaluate(&b.p, &facts(&b.p, &[(x, T), (y, F)]));
    let o = &out.types[0];
    assert_eq!(
        o.indicative,
        vec![Truth::True, Truth::False, Truth::Unknown]
    );
    assert!((o.score - 0.5).abs() < 1e-12, "{}", o.score);
    assert!((o.score_max - 0.75).abs() < 1e-12, "{}", o.score_max);
    assert_eq!(out.types[1].score, 1.0);
    assert_eq!(out.types[1].score_max, 1.0);
}

#[test]
fn scores_are_computed_whatever_the_status() {
    let mut b = B::default();
    let t = b.ty("t", None);
    let no = b.c(F);
    let yes = b.c(T);
    b.req(t, "never", no);
    b.ind(t, "yes", yes, 1.0);
    let out = evaluate(&b.p, &Facts::default());
    assert_eq!(out.types[0].status, TypeStatus::NotMatched);
    assert_eq!(out.types[0].score, 1.0);
}

/// `parent` with required `p`, `child extends parent` with required `c`.
fn family() -> (B, FactId, FactId, TypeId, TypeId) {
    let mut b = B::default();
    let p = b.bool_fact("p");
    let c = b.bool_fact("c");
    let parent = b.ty("parent", None);
    let child = b.ty("child", Some(parent));
    let ep = b.f(p);
    let ec = b.f(c);
    b.req(parent, "p", ep);
    b.req(child, "c", ec);
    (b, p, c, parent, child)
}

#[test]
fn child_of_a_not_matched_parent_is_not_matched() {
    use TypeStatus::*;
    let (b, p, c, parent, child) = family();
    let cases = [
        (T, T, Matched, Matched),
        (F, T, NotMatched, NotMatched),
        (F, U, NotMatched, NotMatched),
        (U, T, Undetermined, Undetermined),
        (U, F, Undetermined, NotMatched),
        (T, U, Matched, Undetermined),
    ];
    for (pv, cv, want_parent, want_child) in cases {
        let out = evaluate(&b.p, &facts(&b.p, &[(p, pv.clone()), (c, cv.clone())]));
        assert_eq!(
            out.types[parent.index()].status,
            want_parent,
            "{pv:?} {cv:?}"
        );
        assert_eq!(out.types[child.index()].status, want_child, "{pv:?} {cv:?}");
        assert_eq!(out.types[child.index()].parent_status, Some(want_parent));
        assert_eq!(out.types[parent.index()].parent_status, None);
    }
}

#[test]
fn excluding_criteria_rule_out_or_keep_open() {
    use TypeStatus::*;
    let mut b = B::default();
    let r = b.bool_fact("r");
    let x = b.bool_fact("x");
    let parent = b.ty("parent", None);
    let t = b.ty("t", Some(parent));
    let yes = b.c(T);
    b.req(parent, "base", yes);
    let er = b.f(r);
    let ex = b.f(x);
    b.req(t, "r", er);
    // Excluding inherited from the parent applies to the child too.
    b.excl(parent, "x", ex);
    let cases = [
        (T, T, NotMatched),
        (T, F, Matched),
        (T, U, Undetermined),
        (F, U, NotMatched),
        (U, F, Undetermined),
        (U, T, NotMatched),
    ];
    for (rv, xv, want) in cases {
        let out = evaluate(&b.p, &facts(&b.p, &[(r, rv.clone()), (x, xv.clone())]));
        assert_eq!(out.types[t.index()].status, want, "{rv:?} {xv:?}");
    }
}

// ---------------------------------------------------------------- classification

#[test]
fn most_specific_matched_type_wins_over_its_parent() {
    let (b, p, c, _, child) = family();
    let out = evaluate(&b.p, &facts(&b.p, &[(p, T), (c, T)]));
    assert_eq!(out.classification, Some(child));
    assert!(out.tied.is_empty() && out.hybrids.is_empty());
    let out = evaluate(&b.p, &facts(&b.p, &[(p, T), (c, F)]));
    assert_eq!(out.classification, Some(TypeId(0)));
    let out = evaluate(&b.p, &facts(&b.p, &[(p, F)]));
    assert_eq!(out.classification, None);
}

/// Three sibling types under `root`, all matched, with indicative weights chosen by facts.
fn siblings() -> (B, [FactId; 3], [TypeId; 3]) {
    let mut b = B::default();
    let fs = [b.bool_fact("a"), b.bool_fact("b"), b.bool_fact("c")];
    let root = b.ty("root", None);
    let yes = b.c(T);
    b.req(root, "yes", yes);
    let mut ts = [TypeId(0); 3];
    for (i, name) in ["first", "second", "third"].iter().enumerate() {
        let t = b.ty(name, Some(root));
        b.req(t, "yes", yes);
        let e = b.f(fs[i]);
        b.ind(t, "typical", e, 1.0);
        let no = b.c(F);
        b.ind(t, "never", no, 1.0);
        ts[i] = t;
    }
    (b, fs, ts)
}

#[test]
fn highest_score_wins_and_others_are_hybrids() {
    let (b, [fa, fb, fc], [first, second, third]) = siblings();
    let out = evaluate(&b.p, &facts(&b.p, &[(fa, F), (fb, T), (fc, F)]));
    assert_eq!(out.classification, Some(second));
    assert!(out.tied.is_empty());
    assert_eq!(out.hybrids, vec![first, third]);
}

#[test]
fn tie_goes_to_declaration_order_and_is_reported() {
    let (b, [fa, fb, fc], [first, second, third]) = siblings();
    let out = evaluate(&b.p, &facts(&b.p, &[(fa, F), (fb, T), (fc, T)]));
    assert_eq!(out.classification, Some(second));
    assert_eq!(out.tied, vec![third]);
    assert_eq!(out.hybrids, vec![first]);
}

// ---------------------------------------------------------------- policies

/// Type `t` (required fact `m`), policy `p` for `t` when `w`, avoid `a` for `t`.
fn policies() -> (B, FactId, FactId) {
    let mut b = B::default();
    let m = b.bool_fact("m");
    let w = b.bool_fact("w");
    let t = b.ty("t", None);
    let em = b.f(m);
    b.req(t, "m", em);
    let ew = b.f(w);
    b.policy("p", PolicyKind::Recommend, vec![t], Some(ew));
    b.policy("a", PolicyKind::Avoid, vec![t], None);
    (b, m, w)
}

#[test]
fn policy_status_follows_types_and_condition() {
    use PolicyStatus::*;
    let (b, m, w) = policies();
    let cases = [
        (T, T, Applies, Applies),
        (T, F, DoesNotApply, Applies),
        (T, U, Undetermined, Applies),
        (F, T, DoesNotApply, DoesNotApply),
        (F, U, DoesNotApply, DoesNotApply),
        (U, T, Undetermined, Undetermined),
        (U, U, Undetermined, Undetermined),
        (U, F, DoesNotApply, Undetermined),
    ];
    for (mv, wv, want_p, want_a) in cases {
        let out = evaluate(&b.p, &facts(&b.p, &[(m, mv.clone()), (w, wv.clone())]));
        assert_eq!(out.policies[0].status, want_p, "m={mv:?} w={wv:?}");
        assert_eq!(out.policies[1].status, want_a, "m={mv:?} w={wv:?}");
        assert_eq!(out.policies[0].condition, Some(Truth::from_value(&wv)));
        assert_eq!(out.policies[1].condition, None);
        let matched = if mv == T { vec![TypeId(0)] } else { vec![] };
        assert_eq!(out.policies[0].matched_types, matched);
    }
}

#[test]
fn applicable_follows_policy_order() {
    let (mut b, m, w) = policies();
    b.p.policy_order = vec![PolicyId(1), PolicyId(0)];
    let out = evaluate(&b.p, &facts(&b.p, &[(m, T), (w, T)]));
    assert_eq!(out.applicable, vec![PolicyId(1), PolicyId(0)]);
    let out = evaluate(&b.p, &facts(&b.p, &[(m, T), (w, F)]));
    assert_eq!(out.applicable, vec![PolicyId(1)]);
}

// ---------------------------------------------------------------- unknown facts

#[test]
fn unknown_facts_name_what_would_decide() {
    let mut b = B::default();
    let x = b.num_fact("x");
    let y = b.num_fact("y");
    let z = b.num_fact("z");
    let k = b.num_fact("k");
    let q = b.bool_fact("q");
    // derived d = z > 1 (read through a derived value)
    let zc = b.fnum(z, Gt, 1.0);
    let d = b.derived(zc);
    let parent = b.ty("parent", None);
    let t = b.ty("t", Some(parent));
    // parent: x > 5 or k is known
    let xc = b.fnum(x, Gt, 5.0);
    let kk = b.f(k);
    let known = b.e(Expr::IsKnown {
        value: kk,
        negated: false,
    });
    let either = b.e(Expr::Or(xc, known));
    b.req(parent, "either", either);
    // t: (y > 3 or d) and x > 0; q excluding; y = 4 so `d` (z) does not matter
    let yc = b.fnum(y, Gt, 3.0);
    let ed = b.e(Expr::Derived(d));
    let or = b.e(Expr::Or(yc, ed));
    let xpos = b.fnum(x, Gt, 0.0);
    let both = b.e(Expr::And(or, xpos));
    b.req(t, "both", both);
    let eq = b.f(q);
    b.excl(t, "q", eq);
    b.policy("p", PolicyKind::Recommend, vec![t], Some(ed));

    let out = evaluate(&b.p, &facts(&b.p, &[(y, Value::Number(4.0))]));
    assert_eq!(out.types[t.index()].status, TypeStatus::Undetermined);
    // x (both criteria), k (`is known` would change), q (excluding); not y, not z.
    assert_eq!(out.types[t.index()].unknown_facts, vec![x, k, q]);
    assert_eq!(out.types[parent.index()].unknown_facts, vec![x, k]);
    // Policy: for-type undetermined and condition unknown (z, via derived).
    assert_eq!(out.policies[0].status, PolicyStatus::Undetermined);
    assert_eq!(out.policies[0].unknown_facts, vec![x, z, k, q]);

    // Decided types carry no unknown facts.
    let out = evaluate(
        &b.p,
        &facts(&b.p, &[(x, Value::Number(-1.0)), (y, Value::Number(4.0))]),
    );
    assert_eq!(out.types[t.index()].status, TypeStatus::NotMatched);
    assert!(out.types[t.index()].unknown_facts.is_empty());
    assert!(out.policies[0].unknown_facts.is_empty());
}

#[test]
fn evaluate_into_reuses_the_outcome() {
    let (b, m, w) = policies();
    let mut out = Outcome::default();
    for given in [[(m, T), (w, U)], [(m, U), (w, T)], [(m, T), (w, T)]] {
        let f = facts(&b.p, &given);
        evaluate_into(&b.p, &f, &mut out);
        assert_eq!(out, evaluate(&b.p, &f));
    }
}

// ---------------------------------------------------------------- test runner

fn expect(kind: ExpectKind) -> Expect {
    Expect {
        kind,
        span: Span::default(),
    }
}

#[test]
fn test_runner_passes_and_explains_failures() {
    let mut b = B::default();
    let firms = b.num_fact("firms");
    let share = b.num_fact("share_micro_small");
    let trust = b.fact(
        "trust",
        FactType::Level {
            levels: vec!["low".into(), "medium".into(), "high".into()],
            ordered: true,
        },
    );
    let min = b.param("min_firms", Value::Number(50.0));
    let cluster = b.ty("cluster", None);
    let ef = b.f(firms);
    let ep = b.e(Expr::Param(min));
    let sizable = b.cmp(Ge, CompareKind::Number, ef, ep);
    b.req(cluster, "sizable", sizable);
    let survival = b.ty("survival_cluster", Some(cluster));
    let small = b.fnum(share, Ge, 0.9);
    b.req(survival, "small", small);
    let et = b.f(trust);
    let low = b.c(Value::Level(0));
    let low_trust = b.cmp(Eq, CompareKind::Level, et, low);
    b.ind(survival, "low_trust", low_trust, 2.0);
    let never = b.c(F);
    b.ind(survival, "informal", never, 3.0);
    let dialogue = b.policy("dialogue", PolicyKind::Recommend, vec![survival], None);

    let given = vec![
        (firms, Value::Number(120.0)),
        (share, Value::Number(0.95)),
        (trust, Value::Level(0)),
    ];
    b.p.tests.push(Test {
        name: "Gamarra".into(),
        given: given.clone(),
        params: vec![(min, Value::Number(100.0))],
        expects: vec![
            expect(ExpectKind::TypeStatus {
                id: survival,
                status: ExpectedStatus::Matched,
                negated: false,
            }),
            expect(ExpectKind::Classification(Some(survival))),
            expect(ExpectKind::Score {
                id: survival,
                op: Ge,
                value: 0.4,
            }),
            expect(ExpectKind::PolicyStatus {
                id: dialogue,
                status: ExpectedStatus::Recommended,
                negated: false,
            }),
        ],
        span: Span::default(),
    });
    b.p.tests.push(Test {
        name: "too few firms".into(),
        given,
        params: vec![(min, Value::Number(500.0))],
        expects: vec![
            expect(ExpectKind::TypeStatus {
                id: survival,
                status: ExpectedStatus::Matched,
                negated: false,
            }),
            expect(ExpectKind::Score {
                id: survival,
                op: Ge,
                value: 0.6,
            }),
            expect(ExpectKind::Classification(Some(survival))),
            expect(ExpectKind::PolicyStatus {
                id: dialogue,
                status: ExpectedStatus::Recommended,
                negated: false,
            }),
            expect(ExpectKind::TypeStatus {
                id: cluster,
                status: ExpectedStatus::Matched,
                negated: true,
            }),
        ],
        span: Span::default(),
    });
    let report = run_tests(&b.p);
    assert!(!report.passed());
    assert_eq!(report.failed(), 1);
    assert!(report.results[0].passed, "{:?}", report.results[0]);
    let second = &report.results[1];
    assert_eq!(second.test, 1);
    assert!(!second.passed);
    let texts: Vec<String> = second
        .failures
        .iter()
        .map(|f| f.failed.to_string())
        .collect();
    let messages: Vec<(usize, &str)> = second
        .failures
        .iter()
        .zip(&texts)
        .map(|(f, text)| (f.expect, text.as_str()))
        .collect();
    assert_eq!(
        messages,
        vec![
            (
                0,
                "expected `survival_cluster` to be matched, but it is not matched: \
                 required criterion `sizable` (from `cluster`) is false"
            ),
            (
                1,
                "expected `survival_cluster` score >= 0.6, got 0.4000 (2 of 5 weight met)"
            ),
            (
                2,
                "expected classification `survival_cluster`, got none \
                 (`survival_cluster` is not matched)"
            ),
            (
                3,
                "expected `dialogue` to be recommended, but it is not recommended: \
                 none of its cluster types is matched (`survival_cluster` is not matched)"
            ),
        ]
    );
    // The overrides applied to a copy: the program keeps its own parameter values.
    assert_eq!(b.p.params[0].value, Value::Number(50.0));
    assert!(!b.p.params[0].overridden);
}

#[test]
fn test_runner_names_missing_facts_of_undetermined_types() {
    let (mut b, p, _c, _parent, child) = family();
    b.p.tests.push(Test {
        name: "open".into(),
        given: vec![(p, T)],
        params: vec![],
        expects: vec![expect(ExpectKind::TypeStatus {
            id: child,
            status: ExpectedStatus::Matched,
            negated: false,
        })],
        span: Span::default(),
    });
    let report = run_tests(&b.p);
    assert_eq!(
        report.results[0].failures[0].failed.to_string(),
        "expected `child` to be matched, but it is undetermined: \
         required criterion `c` is unknown; missing facts: `c`"
    );
}

// ---------------------------------------------------------------- speed

/// A typology of 5 types and 15 criteria; run with
/// `cargo test --release --lib throughput -- --ignored --nocapture`.
#[test]
#[ignore = "timing, run by hand in release mode"]
fn throughput_of_a_typical_typology() {
    let mut b = B::default();
    let fs: Vec<FactId> = (0..8).map(|i| b.num_fact(&format!("f{i}"))).collect();
    let trust = b.fact(
        "trust",
        FactType::Level {
            levels: vec!["low".into(), "medium".into(), "high".into()],
            ordered: true,
        },
    );
    let min = b.param("min", Value::Number(50.0));
    let root = b.ty("cluster", None);
    let ef = b.f(fs[0]);
    let ep = b.e(Expr::Param(min));
    let c = b.cmp(Ge, CompareKind::Number, ef, ep);
    b.req(root, "sizable", c);
    let ratio = {
        let a = b.f(fs[1]);
        let d = b.f(fs[2]);
        b.arith(ArithOp::Div, a, d)
    };
    let share = b.derived(ratio);
    for t in 0..4 {
        let ty = b.ty(&format!("t{t}"), Some(root));
        let c = b.fnum(fs[3 + t], Ge, 0.5);
        b.req(ty, "r", c);
        let et = b.f(trust);
        let lvl = b.c(Value::Level(1));
        let ct = b.cmp(Le, CompareKind::Level, et, lvl);
        b.ind(ty, "trust", ct, 2.0);
        let ed = b.e(Expr::Derived(share));
        let half = b.n(0.5);
        let cd = b.cmp(Gt, CompareKind::Number, ed, half);
        let c7 = b.fnum(fs[7], Lt, 3.0);
        let both = b.e(Expr::And(cd, c7));
        b.ind(ty, "share", both, 1.0);
        b.policy(&format!("p{t}"), PolicyKind::Recommend, vec![ty], None);
    }
    let given: Vec<(FactId, Value)> = fs
        .iter()
        .enumerate()
        .map(|(i, f)| (*f, Value::Number(i as f64 + 60.0)))
        .chain([(trust, Value::Level(0))])
        .collect();
    let f = facts(&b.p, &given);
    let mut out = Outcome::default();
    let n = 1_000_000;
    let start = std::time::Instant::now();
    for _ in 0..n {
        evaluate_into(&b.p, std::hint::black_box(&f), &mut out);
    }
    let ns = start.elapsed().as_nanos() / n;
    println!(
        "{ns} ns per record, classification {:?}",
        out.classification
    );
}
