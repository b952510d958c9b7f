//! Evaluation stage, unit tests: hand-built `ir::Program`s → observer reports, outcomes of
//! programs no rule file can spell, and test-runner messages.
//!
//! What a rule file can express is a case in tests/cases/eval/ (tests/eval_cases.rs), not
//! here. These stay unit tests because a rule file cannot reach them:
//! - what the [`Observer`] is told, node by node (short circuits and their deciding
//!   operand, the reason a value is unknown): an outcome does not show it;
//! - values of the wrong kind (`true + 1`, `not 1`), which the checker rejects, must still
//!   be unknown rather than a panic;
//! - set equality (the language has no set literal), `in` a list with an unknown item,
//!   `contains` of a member past the 64 a set holds;
//! - the rule-file test runner's messages, on programs built to fail in a given way.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crate::eval::testing::run_tests;
use crate::eval::{evaluate_observed, Compiled, Observer, Outcome, UnknownReason};
use crate::facts::Facts;
use crate::ir::{
    ClusterType, CompareKind, Criterion, Derived, DerivedId, Expect, ExpectKind, Expr, ExprId,
    Fact, FactId, FactType, Func, Meta, Param, ParamId, Policy, PolicyId, Program, Test, TypeId,
    ValueType,
};
use crate::source::Span;

use crate::value::Value;

use crate::vocab::{ArithOp, CompareOp, ExpectedStatus, PolicyKind};
use CompareOp::{Eq, Ge, Gt, Le, Lt, Ne};

/// The reference outcome, checked against the compiled layer's.
fn evaluate(p: &Program, f: &Facts) -> Outcome {
    let reference = crate::eval::evaluate(p, f);
    assert_eq!(Compiled::new(p.clone()).evaluate(f), reference);
    reference
}

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

// ---------------------------------------------------------------- short circuits

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

// ---------------------------------------------------------------- values the checker rejects, reasons

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

// ---------------------------------------------------------------- in, contains

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

// ---------------------------------------------------------------- test runner

/// A parent type (required: boolean fact `p`) and its child (required: boolean fact `c`).
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
