//! Evaluation, reference layer, the run: `ir::Program` (with parameter values) + `Facts` → `Outcome`,
//! written into a reusable `Outcome` so batches do not reallocate.
//!
//! Order: derived values (in `derived_order`), criteria and scores of every type, type
//! statuses (through `extends`), policies, the applicable list, classification. Unknown
//! facts are looked for only for undetermined types and policies.

use super::expr::Evaluator;
use super::missing::{tidy, Missing};
use super::Observer;
use super::{Outcome, PolicyOutcome, TypeOutcome};
use crate::facts::Facts;
use crate::ir::{ClusterType, Criterion, ExprId, Param, Program, TypeId};
use crate::value::{Truth, Value};
use crate::vocab::{PolicyStatus, TypeStatus};

/// Two scores closer than this are equal (weights are summed in different orders).
pub(crate) const SCORE_EPSILON: f64 = 1e-9;

/// A type's score from its indicative criteria (weight, whether it holds), in declaration
/// order: the weights that hold, added in that order as the interpreter adds them (so every
/// evaluation path gives the same bits), over `total`; 1 with no indicative weight.
#[inline(always)]
pub(crate) fn score_of(criteria: impl Iterator<Item = (f64, bool)>, total: f64) -> f64 {
    let met = criteria.fold(0.0, |met, (w, holds)| met + if holds { w } else { 0.0 });
    if total > 0.0 {
        met / total
    } else {
        1.0
    }
}

/// Evaluate `program` with parameter values `params` against `facts` into `out`, every
/// expression through the interpreter (what an observer needs to see every node).
pub(crate) fn run<O: Observer>(
    program: &Program,
    params: &[Param],
    facts: &Facts,
    out: &mut Outcome,
    obs: &mut O,
) {
    derived_values(program, params, facts, &mut out.derived, obs);
    let mut ev = Evaluator {
        exprs: &program.exprs,
        facts: &facts.values,
        params,
        derived: &out.derived,
        obs,
        why: None,
    };
    type_criteria(program, &mut ev, &mut out.types);
    type_statuses(program, &mut out.types);
    let inputs = Inputs {
        program,
        facts: &facts.values,
        params,
        derived: &out.derived,
    };
    finish(inputs, &mut out.types, &mut out.policies, |_, c| {
        ev.eval(c).truth()
    });
    applicable_and_classification(program, out);
}

/// What the unknown-facts search reads.
#[derive(Clone, Copy)]
pub(crate) struct Inputs<'a> {
    pub program: &'a Program,
    pub facts: &'a [Value],
    pub params: &'a [Param],
    pub derived: &'a [Value],
}

impl<'a> Inputs<'a> {
    fn missing(self) -> Missing<'a> {
        Missing::new(
            &self.program.exprs,
            self.facts,
            self.params,
            &self.program.derived,
            self.derived,
        )
    }
}

/// Unknown facts of undetermined types, then policies (`condition(i, expr)` gives the truth
/// of policy i's condition).
pub(crate) fn finish<'a>(
    inputs: Inputs<'a>,
    types: &mut [TypeOutcome],
    policy_out: &mut Vec<PolicyOutcome>,
    condition: impl FnMut(usize, ExprId) -> Truth,
) {
    let program = inputs.program;
    // Built on first need: nothing is allocated when everything is decided.
    let mut collector: Option<Missing<'a>> = None;
    for i in 0..types.len() {
        if types.get(i).map(|t| t.status) == Some(TypeStatus::Undetermined) {
            let m = collector.get_or_insert_with(|| inputs.missing());
            type_unknown_facts(program, m, types, i);
            super::settle::settle(inputs, types, i);
        }
    }
    policies(inputs, &mut collector, types, policy_out, condition);
}

pub(crate) fn applicable_and_classification(program: &Program, out: &mut Outcome) {
    out.applicable.clear();
    for &id in &program.policy_order {
        if out.policies.get(id.index()).map(|p| p.status) == Some(PolicyStatus::Applies) {
            out.applicable.push(id);
        }
    }
    classify(program, out);
    super::provisional::lead(program, out);
}

/// Derived values, each once, in dependency order.
fn derived_values<O: Observer>(
    program: &Program,
    params: &[Param],
    facts: &Facts,
    derived: &mut Vec<Value>,
    obs: &mut O,
) {
    derived_from(program, params, &facts.values, derived, obs);
}

/// Derived values from fact slots, each once, in dependency order.
pub(crate) fn derived_from<O: Observer>(
    program: &Program,
    params: &[Param],
    facts: &[Value],
    derived: &mut Vec<Value>,
    obs: &mut O,
) {
    derived.clear();
    derived.resize(program.derived.len(), Value::Unknown);
    for &d in &program.derived_order {
        // INVARIANT: the checker builds `derived_order` from the program's own derived
        // values, each once.
        let Some(decl) = program.derived.get(d.index()) else {
            continue;
        };
        let value = Evaluator {
            exprs: &program.exprs,
            facts,
            params,
            derived,
            obs: &mut *obs,
            why: None,
        }
        .eval(decl.expr)
        .to_value();
        obs.derived(d, &value);
        if let Some(slot) = derived.get_mut(d.index()) {
            *slot = value;
        }
    }
}

/// Criteria and scores of every type.
fn type_criteria<O: Observer>(
    program: &Program,
    ev: &mut Evaluator<'_, O>,
    types: &mut Vec<TypeOutcome>,
) {
    types.truncate(program.types.len());
    while types.len() < program.types.len() {
        types.push(empty_type());
    }
    for (ty, t) in program.types.iter().zip(types.iter_mut()) {
        criteria(ev, &ty.required, &mut t.required);
        criteria(ev, &ty.indicative, &mut t.indicative);
        criteria(ev, &ty.excluding, &mut t.excluding);
        (t.score, t.score_max) = score(ty, &t.indicative);
        t.unknown_facts.clear();
        t.settled_facts.clear();
    }
}

/// Statuses, through the `extends` chain.
fn type_statuses(program: &Program, types: &mut [TypeOutcome]) {
    for i in 0..types.len() {
        let parent = program.types.get(i).and_then(|t| t.parent);
        let own = own_truth(types, i);
        let inherited = chain_truth(program, types, parent);
        let status = to_status(own.and(inherited.unwrap_or(Truth::True)));
        if let Some(t) = types.get_mut(i) {
            t.status = status;
            t.parent_status = inherited.map(to_status);
        }
    }
}

/// Unknown facts of the undetermined type `i`: from the unknown required and excluding
/// criteria of the type and its ancestors.
fn type_unknown_facts(program: &Program, m: &mut Missing<'_>, types: &mut [TypeOutcome], i: usize) {
    m.reset();
    let mut list = types
        .get_mut(i)
        .map(|t| std::mem::take(&mut t.unknown_facts))
        .unwrap_or_default();
    let mut at = Some(TypeId::from_index(i));
    for _ in 0..program.types.len() {
        let Some(id) = at else { break };
        let (Some(ty), Some(t)) = (program.types.get(id.index()), types.get(id.index())) else {
            break;
        };
        for (c, truth) in ty.required.iter().zip(&t.required) {
            if *truth == Truth::Unknown {
                m.collect(c.expr, &mut list);
            }
        }
        for (c, truth) in ty.excluding.iter().zip(&t.excluding) {
            if *truth == Truth::Unknown {
                m.collect(c.expr, &mut list);
            }
        }
        at = ty.parent;
    }
    tidy(&mut list);
    if let Some(t) = types.get_mut(i) {
        t.unknown_facts = list;
    }
}

/// Status, matched types, condition and unknown facts of every policy.
fn policies<'a>(
    inputs: Inputs<'a>,
    collector: &mut Option<Missing<'a>>,
    types: &[TypeOutcome],
    out: &mut Vec<PolicyOutcome>,
    mut condition_of: impl FnMut(usize, ExprId) -> Truth,
) {
    let program = inputs.program;
    out.truncate(program.policies.len());
    while out.len() < program.policies.len() {
        out.push(PolicyOutcome {
            status: PolicyStatus::DoesNotApply,
            matched_types: Vec::new(),
            condition: None,
            unknown_facts: Vec::new(),
        });
    }
    for (i, (policy, p)) in program.policies.iter().zip(out.iter_mut()).enumerate() {
        p.matched_types.clear();
        p.unknown_facts.clear();
        let mut open = false;
        for &t in &policy.for_types {
            match types.get(t.index()).map(|t| t.status) {
                Some(TypeStatus::Matched) => p.matched_types.push(t),
                Some(TypeStatus::Undetermined) => open = true,
                _ => {}
            }
        }
        p.condition = policy.condition.map(|c| condition_of(i, c));
        let condition = p.condition.unwrap_or(Truth::True);
        p.status = if !p.matched_types.is_empty() {
            match condition {
                Truth::True => PolicyStatus::Applies,
                Truth::Unknown => PolicyStatus::Undetermined,
                Truth::False => PolicyStatus::DoesNotApply,
            }
        } else if open && condition != Truth::False {
            PolicyStatus::Undetermined
        } else {
            PolicyStatus::DoesNotApply
        };
        if p.status != PolicyStatus::Undetermined {
            continue;
        }
        if let (Truth::Unknown, Some(c)) = (condition, policy.condition) {
            let m = collector.get_or_insert_with(|| inputs.missing());
            m.reset();
            m.collect(c, &mut p.unknown_facts);
        }
        if p.matched_types.is_empty() {
            for &t in &policy.for_types {
                if let Some(t) = types.get(t.index()) {
                    if t.status == TypeStatus::Undetermined {
                        p.unknown_facts.extend_from_slice(&t.unknown_facts);
                    }
                }
            }
        }
        tidy(&mut p.unknown_facts);
    }
}

pub(crate) fn empty_type() -> TypeOutcome {
    TypeOutcome {
        status: TypeStatus::NotMatched,
        parent_status: None,
        required: Vec::new(),
        indicative: Vec::new(),
        excluding: Vec::new(),
        score: 1.0,
        score_max: 1.0,
        unknown_facts: Vec::new(),
        settled_facts: Vec::new(),
    }
}

fn criteria<O: Observer>(ev: &mut Evaluator<'_, O>, list: &[Criterion], out: &mut Vec<Truth>) {
    out.clear();
    for c in list {
        out.push(ev.eval(c.expr).truth());
    }
}

/// Score and score_max from the own indicative criteria.
fn score(ty: &ClusterType, truths: &[Truth]) -> (f64, f64) {
    let (mut met, mut open, mut total) = (0.0, 0.0, 0.0);
    for (c, t) in ty.indicative.iter().zip(truths) {
        total += c.weight;
        match t {
            Truth::True => met += c.weight,
            Truth::Unknown => open += c.weight,
            Truth::False => {}
        }
    }
    if total > 0.0 {
        (met / total, (met + open) / total)
    } else {
        (1.0, 1.0)
    }
}

/// A type's own part of its status: all own required hold and no own excluding holds.
fn own_truth(types: &[TypeOutcome], i: usize) -> Truth {
    let Some(t) = types.get(i) else {
        return Truth::Unknown;
    };
    let required = t.required.iter().fold(Truth::True, |acc, &x| acc.and(x));
    let excluded = t.excluding.iter().fold(Truth::False, |acc, &x| acc.or(x));
    required.and(excluded.not())
}

/// The status truth of `start` including all its ancestors (None without `start`).
fn chain_truth(program: &Program, types: &[TypeOutcome], start: Option<TypeId>) -> Option<Truth> {
    let mut at = start?;
    let mut acc = Truth::True;
    // INVARIANT: the checker rejects `extends` cycles; the bound only guards against a loop.
    for _ in 0..program.types.len() {
        acc = acc.and(own_truth(types, at.index()));
        match program.types.get(at.index()).and_then(|t| t.parent) {
            Some(p) => at = p,
            None => break,
        }
    }
    Some(acc)
}

pub(crate) fn to_status(t: Truth) -> TypeStatus {
    match t {
        Truth::True => TypeStatus::Matched,
        Truth::False => TypeStatus::NotMatched,
        Truth::Unknown => TypeStatus::Undetermined,
    }
}

/// Which types have a matched child: a bit set on the stack for typical sizes.
enum Marks {
    Inline(u128),
    Heap(Vec<bool>),
}

impl Marks {
    fn new(n: usize) -> Self {
        if n <= 128 {
            Marks::Inline(0)
        } else {
            Marks::Heap(vec![false; n])
        }
    }

    fn set(&mut self, i: usize) {
        match self {
            Marks::Inline(bits) => {
                *bits |= shift(i).and_then(|s| 1u128.checked_shl(s)).unwrap_or(0)
            }
            Marks::Heap(v) => {
                if let Some(b) = v.get_mut(i) {
                    *b = true;
                }
            }
        }
    }

    fn get(&self, i: usize) -> bool {
        match self {
            Marks::Inline(bits) => shift(i).and_then(|s| bits.checked_shr(s)).unwrap_or(0) & 1 == 1,
            Marks::Heap(v) => v.get(i).copied().unwrap_or(false),
        }
    }
}

fn shift(i: usize) -> Option<u32> {
    u32::try_from(i).ok()
}

/// Classification, ties and hybrids among the most specific matched types.
fn classify(program: &Program, out: &mut Outcome) {
    out.classification = None;
    out.tied.clear();
    out.hybrids.clear();
    let matched = |i: usize| out.types.get(i).map(|t| t.status) == Some(TypeStatus::Matched);
    let mut has_matched_child = Marks::new(program.types.len());
    for (i, ty) in program.types.iter().enumerate() {
        if let (true, Some(p)) = (matched(i), ty.parent) {
            has_matched_child.set(p.index());
        }
    }
    let specific = |i: usize| matched(i) && !has_matched_child.get(i);
    let mut best: Option<(usize, f64)> = None;
    for (i, t) in out.types.iter().enumerate() {
        if specific(i) && best.is_none_or(|(_, s)| t.score > s + SCORE_EPSILON) {
            best = Some((i, t.score));
        }
    }
    let Some((winner, top)) = best else {
        return;
    };
    out.classification = Some(TypeId::from_index(winner));
    for (i, t) in out.types.iter().enumerate() {
        if i == winner || !specific(i) {
            continue;
        }
        if (t.score - top).abs() <= SCORE_EPSILON {
            out.tied.push(TypeId::from_index(i));
        } else {
            out.hybrids.push(TypeId::from_index(i));
        }
    }
}
