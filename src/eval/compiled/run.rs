//! Evaluation, compiled layer, the one-record run: a [`Plan`] (compiled from `ir::Program`),
//! parameter values and `Facts` → `Outcome`, the same results as the reference run without
//! an observer.
//!
//! Order: the leaf comparisons, one tight loop per shape; the tape (derived values,
//! `and`/`or`/`not`, other conditions) in dependency order; criteria, scores and statuses of
//! every type, each type's own part evaluated once and combined with its parent's status;
//! then the reference layer's shared tail (`reference/run.rs`: unknown facts, policies,
//! applicable list, classification). Nothing is allocated once the `Outcome` and the truth array have grown.
//! The phases are kept out of line (each runs once per record) so profiles show them apart.

use super::plan::{truth_of_code, Leaf, Plan, Step, LEVEL_SPAN};
use crate::eval::reference::expr::{compare, Evaluator, V};
use crate::eval::reference::run::{
    applicable_and_classification, empty_type, finish, to_status, Inputs,
};
use crate::eval::reference::{NoObserver, Outcome, TypeOutcome};
use crate::facts::Facts;
use crate::ir::{ExprId, Param, Program};
use crate::value::{Truth, Value};
use crate::vocab::TypeStatus;

const UNKNOWN: Value = Value::Unknown;

/// Per-record working space of a plan run, kept between records.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scratch {
    /// One truth per plan slot, padded with unknowns to whole words of eight (see
    /// `bitwise.rs`)
    pub truths: Vec<Truth>,
}

/// Evaluate `program` through its `plan`, with parameter values `params`, into `out`;
/// `scratch` is working space, kept between calls.
pub(crate) fn run_plan(
    program: &Program,
    plan: &Plan,
    params: &[Param],
    facts: &Facts,
    out: &mut Outcome,
    scratch: &mut Scratch,
) {
    conditions(program, plan, params, facts, scratch, &mut out.derived);
    let truths = &scratch.truths;
    types(program, plan, truths, &mut out.types);
    let inputs = Inputs {
        program,
        facts: &facts.values,
        params,
        derived: &out.derived,
    };
    finish(inputs, &mut out.types, &mut out.policies, |i, _| {
        plan.conditions
            .get(i)
            .copied()
            .flatten()
            .and_then(|slot| truths.get(slot as usize).copied())
            .unwrap_or(Truth::Unknown)
    });
    applicable_and_classification(program, out);
}

/// Every slot of the truth array (leaves, then the tape) and the derived values.
pub(crate) fn conditions(
    program: &Program,
    plan: &Plan,
    params: &[Param],
    facts: &Facts,
    scratch: &mut Scratch,
    derived: &mut Vec<Value>,
) {
    let len = plan.slots.next_multiple_of(8);
    if scratch.truths.len() != len {
        scratch.truths.clear();
        scratch.truths.resize(len, Truth::Unknown);
    }
    let truths = &mut scratch.truths;
    leaves(plan, &facts.values, truths);
    tape(program, plan, &facts.values, params, truths, derived);
}

/// The truth a number leaf gives `x`: its ordering against `k` (1 less, 2 equal, 3 greater,
/// 0 for NaN) picks two bits of `table`. Branch-free: comparison outcomes depend on the data.
#[inline(always)]
fn number(x: f64, k: f64, table: u8) -> Truth {
    // Less 1 + 0 + 0, equal 0 + 2 + 0, greater 0 + 2 + 1, NaN 0; `>=` and `>` come from one
    // float comparison (`==` would need another, NaN-aware one).
    let ordering = u32::from(x < k) + 2 * u32::from(x >= k) + u32::from(x > k);
    truth_of_code(u64::from(table) >> (2 * ordering))
}

/// The leaf comparisons, whose slots come first and in this order.
#[inline(never)]
fn leaves(plan: &Plan, facts: &[Value], truths: &mut [Truth]) {
    let fact = |f: u32| facts.get(f as usize).unwrap_or(&UNKNOWN);
    // Each leaf list is zipped with its own part of the truths (a zip of two slices runs on
    // one counter, with no check per item).
    let (num_slots, rest) = truths
        .split_at_mut_checked(plan.num_const.len())
        .unwrap_or((&mut [], &mut []));
    for (l, slot) in plan.num_const.iter().zip(num_slots) {
        *slot = match fact(l.fact) {
            Value::Number(x) => number(*x, l.k, l.table),
            _ => Truth::Unknown,
        };
    }
    for (l, slot) in plan.level_const.iter().zip(rest) {
        *slot = match fact(l.fact) {
            Value::Level(x) => truth_of_code(l.table >> (2 * (*x).min(LEVEL_SPAN - 1))),
            _ => Truth::Unknown,
        };
    }
}

/// The tape: derived values and the conditions that are not leaves, in dependency order.
#[inline(never)]
fn tape(
    program: &Program,
    plan: &Plan,
    facts: &[Value],
    params: &[Param],
    truths: &mut [Truth],
    derived: &mut Vec<Value>,
) {
    if derived.len() == program.derived.len() {
        // Overwritten in place: no reallocation; a value not computed stays unknown.
        derived.iter_mut().for_each(|v| *v = Value::Unknown);
    } else {
        derived.clear();
        derived.resize(program.derived.len(), Value::Unknown);
    }
    let get = |truths: &[Truth], slot: u32| truths.get(slot as usize).copied();
    for step in &plan.tape {
        let (out, truth) = match *step {
            Step::And { out, a, b } => {
                let t = match (get(truths, a), get(truths, b)) {
                    (Some(a), Some(b)) => a.and(b),
                    _ => Truth::Unknown,
                };
                (out, t)
            }
            Step::Or { out, a, b } => {
                let t = match (get(truths, a), get(truths, b)) {
                    (Some(a), Some(b)) => a.or(b),
                    _ => Truth::Unknown,
                };
                (out, t)
            }
            Step::Not { out, a } => (out, get(truths, a).map_or(Truth::Unknown, Truth::not)),
            Step::Known { out, fact, negated } => {
                let known = facts.get(fact as usize).is_some_and(Value::is_known);
                (out, Truth::from_bool(known != negated))
            }
            Step::Const { out, truth } => (out, truth),
            Step::Derived {
                id,
                root: Some(slot),
                ..
            } => {
                let value = get(truths, slot).unwrap_or(Truth::Unknown).to_value();
                if let Some(v) = derived.get_mut(id as usize) {
                    *v = value;
                }
                continue;
            }
            Step::Read { .. }
            | Step::Compare { .. }
            | Step::General { .. }
            | Step::Derived { root: None, .. } => {
                match value_step(program, plan, params, facts, derived, step) {
                    Some(done) => done,
                    None => continue,
                }
            }
        };
        if let Some(slot) = truths.get_mut(out as usize) {
            *slot = truth;
        }
    }
}

/// One record's step that reads values rather than truths: a read of a fact, parameter or
/// derived value as a condition, a comparison of two operands, a sub-expression the
/// interpreter evaluates, or a derived value that is not a condition (stored in `derived`,
/// `None` returned). The slot and truth of the others. Shared by the tape here and the
/// block evaluator, which runs these steps record by record.
pub(crate) fn value_step(
    program: &Program,
    plan: &Plan,
    params: &[Param],
    facts: &[Value],
    derived: &mut [Value],
    step: &Step,
) -> Option<(u32, Truth)> {
    match *step {
        Step::Read { out, leaf } => Some((out, V::of(read(plan, facts, derived, leaf)).truth())),
        Step::Compare {
            out,
            op,
            kind,
            lhs,
            rhs,
        } => {
            let a = V::of(read(plan, facts, derived, lhs));
            let b = V::of(read(plan, facts, derived, rhs));
            Some((
                out,
                compare(op, kind, a, b).map_or(Truth::Unknown, Truth::from_bool),
            ))
        }
        Step::General { out, expr } => Some((
            out,
            Truth::from_value(&interpret(program, facts, params, derived, expr)),
        )),
        Step::Derived {
            id,
            root: None,
            expr,
        } => {
            let value = interpret(program, facts, params, derived, expr);
            if let Some(v) = derived.get_mut(id as usize) {
                *v = value;
            }
            None
        }
        _ => None,
    }
}

fn read<'a>(plan: &'a Plan, facts: &'a [Value], derived: &'a [Value], leaf: Leaf) -> &'a Value {
    match leaf {
        Leaf::Fact(f) => facts.get(f as usize),
        Leaf::Derived(d) => derived.get(d as usize),
        Leaf::Const(c) => plan.consts.get(c as usize),
    }
    .unwrap_or(&UNKNOWN)
}

/// A sub-expression the plan has no step for: the interpreter evaluates it.
#[cold]
#[inline(never)]
fn interpret<'a>(
    program: &'a Program,
    facts: &'a [Value],
    params: &'a [Param],
    derived: &'a [Value],
    expr: ExprId,
) -> Value {
    let mut quiet = NoObserver;
    Evaluator {
        exprs: &program.exprs,
        facts,
        params,
        derived,
        obs: &mut quiet,
        why: None,
    }
    .eval(expr)
    .to_value()
}

/// Criteria, scores and statuses of every type. Each type's own part is evaluated once and
/// combined with its parent's status (parents come first in `plan.type_order`).
#[inline(never)]
fn types(program: &Program, plan: &Plan, truths: &[Truth], types: &mut Vec<TypeOutcome>) {
    types.truncate(program.types.len());
    while types.len() < program.types.len() {
        types.push(empty_type());
    }
    for (tp, t) in plan.types.iter().zip(types.iter_mut()) {
        gather(&mut t.required, &tp.required, truths);
        gather(&mut t.indicative, &tp.indicative, truths);
        gather(&mut t.excluding, &tp.excluding, truths);
        let own = t.required.iter().fold(Truth::True, |acc, &x| acc.and(x));
        let excluded = t.excluding.iter().fold(Truth::False, |acc, &x| acc.or(x));
        let (mut met, mut open) = (0.0, 0.0);
        for (x, w) in t.indicative.iter().zip(&tp.weights) {
            match x {
                Truth::True => met += w,
                Truth::Unknown => open += w,
                Truth::False => {}
            }
        }
        (t.score, t.score_max) = if tp.total_weight > 0.0 {
            (met / tp.total_weight, (met + open) / tp.total_weight)
        } else {
            (1.0, 1.0)
        };
        // The own part for now; the parent's is combined below.
        t.status = to_status(own.and(excluded.not()));
        t.unknown_facts.clear();
        t.settled_facts.clear();
    }
    for &i in &plan.type_order {
        let parent = program.types.get(i).and_then(|t| t.parent);
        let inherited = parent.and_then(|p| types.get(p.index())).map(|p| p.status);
        if let Some(t) = types.get_mut(i) {
            let own = to_truth(t.status);
            t.status = to_status(own.and(inherited.map_or(Truth::True, to_truth)));
            t.parent_status = inherited;
        }
    }
}

/// Overwrite `out` with the truths in `slots`, reusing its buffer.
// INVARIANT: every slot a plan names is below `plan.slots` (`Plan::number_slots`), and the
// truth array has at least that many (`conditions`), so no look-up falls back to unknown
// (tested in `compiled/plan.rs`).
#[inline(always)]
fn gather(out: &mut Vec<Truth>, slots: &[u32], truths: &[Truth]) {
    if out.len() != slots.len() {
        out.clear();
        out.resize(slots.len(), Truth::Unknown);
    }
    for (x, &slot) in out.iter_mut().zip(slots) {
        *x = truths.get(slot as usize).copied().unwrap_or(Truth::Unknown);
    }
}

fn to_truth(s: TypeStatus) -> Truth {
    match s {
        TypeStatus::Matched => Truth::True,
        TypeStatus::NotMatched => Truth::False,
        TypeStatus::Undetermined => Truth::Unknown,
    }
}
