//! Evaluation, reference layer, settling by cases: an undetermined type whose missing facts
//! cannot change its status (every value they could take gives the same status) is not
//! undetermined at all.
//!
//! Kleene logic is exact when each missing fact is read once: then "unknown" means that
//! some value of it would flip the result. It can be too cautious when one missing fact is
//! read twice (`employment >= 200` required and `employment > 5000` excluding, or the same
//! derived value twice): then the values of the missing facts are tried case by case — every
//! level of a level fact, both truth values, and for a number the values on either side of
//! each threshold it is compared with — and if every case gives the same status, that is the
//! status, and the facts are reported as ones that "would not change the result". Only
//! then: the check that a fact is read twice is a walk of the undetermined criteria, and the
//! cases are few (at most [`MAX_CASES`]), so decided records and read-once rules cost
//! nothing more.

use super::expr::Evaluator;
use super::run::Inputs;
use super::{NoObserver, TypeOutcome};
use crate::ir::{Expr, ExprId, FactId, FactType, Program, TypeId};
use crate::value::{Truth, Value};

/// At most this many combinations of missing values are tried for one type.
pub(crate) const MAX_CASES: usize = 64;

/// At most this many missing facts (2^7 > [`MAX_CASES`]).
const MAX_FACTS: usize = 6;

/// Settle the undetermined type `i` by cases, if its missing facts cannot change its
/// status: its status becomes that status, its unknown facts move to `settled_facts`.
pub(crate) fn settle(inputs: Inputs<'_>, types: &mut [TypeOutcome], i: usize) {
    let program = inputs.program;
    let Some(open) = types.get(i) else {
        return;
    };
    // Each missing fact takes at least two values: more than this many are too many cases.
    if open.unknown_facts.is_empty() || open.unknown_facts.len() > MAX_FACTS {
        return;
    }
    if !read_twice(inputs, types, i, &open.unknown_facts) {
        return;
    }
    let missing = open.unknown_facts.clone();
    let chain: Vec<TypeId> = program.lineage(TypeId::from_index(i)).collect();
    let Some(cases) = cases(program, &missing) else {
        return;
    };
    let mut facts = inputs.facts.to_vec();
    let mut derived = Vec::new();
    let mut seen: Option<Truth> = None;
    let mut index = vec![0usize; missing.len()];
    loop {
        for ((f, options), &k) in missing.iter().zip(&cases).zip(&index) {
            if let (Some(slot), Some(v)) = (facts.get_mut(f.index()), options.get(k)) {
                *slot = v.clone();
            }
        }
        let truth = chain_truth(inputs, &facts, &mut derived, &chain);
        match (seen, truth) {
            (_, Truth::Unknown) => return,
            (Some(s), t) if s != t => return,
            _ => seen = Some(truth),
        }
        // The next combination, like an odometer.
        let mut digit = 0;
        loop {
            let (Some(k), Some(options)) = (index.get_mut(digit), cases.get(digit)) else {
                // Every combination gave the same status.
                if let (Some(t), Some(seen)) = (types.get_mut(i), seen) {
                    t.status = super::run::to_status(seen);
                    t.settled_facts = std::mem::take(&mut t.unknown_facts);
                }
                return;
            };
            *k += 1;
            if *k < options.len() {
                break;
            }
            *k = 0;
            digit += 1;
        }
    }
}

/// Whether a missing fact is read more than once by the unknown defining criteria of the
/// chain (through derived values): only then can Kleene logic leave open what every value
/// decides.
fn read_twice(inputs: Inputs<'_>, types: &[TypeOutcome], i: usize, missing: &[FactId]) -> bool {
    let program = inputs.program;
    let mut counts = [0u32; MAX_FACTS];
    for id in program.lineage(TypeId::from_index(i)) {
        let (Some(ty), Some(t)) = (program.cluster_type(id), types.get(id.index())) else {
            continue;
        };
        let criteria = ty
            .required
            .iter()
            .zip(&t.required)
            .chain(ty.excluding.iter().zip(&t.excluding));
        for (c, truth) in criteria {
            if *truth == Truth::Unknown {
                count_reads(program, c.expr, missing, &mut counts, 0);
            }
        }
    }
    counts.iter().any(|&n| n > 1)
}

fn count_reads(program: &Program, id: ExprId, missing: &[FactId], counts: &mut [u32], depth: u32) {
    if depth > crate::limits::MAX_EXPR_DEPTH {
        return;
    }
    match program.expr(id) {
        Some(Expr::Fact(f)) => {
            if let Some(n) = missing
                .iter()
                .position(|m| m == f)
                .and_then(|k| counts.get_mut(k))
            {
                *n += 1;
            }
        }
        Some(Expr::Derived(d)) => {
            if let Some(decl) = program.derived.get(d.index()) {
                count_reads(program, decl.expr, missing, counts, depth + 1);
            }
        }
        Some(e) => {
            for child in super::missing::children(e) {
                count_reads(program, child, missing, counts, depth + 1);
            }
        }
        None => {}
    }
}

/// The values to try for each missing fact, or None when one cannot be covered by a few
/// cases (text, sets, a number used in arithmetic) or the combinations are too many.
fn cases(program: &Program, missing: &[FactId]) -> Option<Vec<Vec<Value>>> {
    let mut out = Vec::with_capacity(missing.len());
    let mut total = 1usize;
    for f in missing {
        let decl = program.fact(*f)?;
        let values = match &decl.ty {
            FactType::Boolean => vec![Value::Bool(false), Value::Bool(true)],
            FactType::Level { levels, .. } => (0..levels.len())
                .map(|l| Value::Level(u32::try_from(l).unwrap_or(u32::MAX)))
                .collect(),
            FactType::Number | FactType::Integer | FactType::Ratio => {
                number_cases(program, *f, decl.minimum, decl.maximum)?
            }
            FactType::Text | FactType::Set { .. } => return None,
        };
        total = total.checked_mul(values.len())?;
        if total > MAX_CASES || values.is_empty() {
            return None;
        }
        out.push(values);
    }
    Some(out)
}

/// A number that is only compared with constants and parameters: each threshold, a value
/// just under and just over it, and one beyond the lowest and the highest (within the
/// declared range) cover every outcome of every comparison. None when it is read any other
/// way.
fn number_cases(
    program: &Program,
    fact: FactId,
    minimum: Option<f64>,
    maximum: Option<f64>,
) -> Option<Vec<Value>> {
    let is_fact = |id: ExprId| matches!(program.expr(id), Some(Expr::Fact(f)) if *f == fact);
    let constant = |id: ExprId| match program.expr(id) {
        Some(Expr::Const(Value::Number(n))) => Some(*n),
        Some(Expr::Param(p)) => match program.params.get(p.index()).map(|p| &p.value) {
            Some(Value::Number(n)) => Some(*n),
            _ => None,
        },
        _ => None,
    };
    let mut thresholds = Vec::new();
    let mut direct_reads = 0usize;
    for expr in &program.exprs {
        match expr {
            Expr::Compare { lhs, rhs, .. } if is_fact(*lhs) || is_fact(*rhs) => {
                let other = if is_fact(*lhs) { *rhs } else { *lhs };
                thresholds.push(constant(other)?);
                direct_reads += 1;
            }
            Expr::Between {
                value, low, high, ..
            } if is_fact(*value) => {
                thresholds.push(constant(*low)?);
                thresholds.push(constant(*high)?);
                direct_reads += 1;
            }
            Expr::IsKnown { value, .. } if is_fact(*value) => direct_reads += 1,
            _ => {}
        }
    }
    // Every read of the fact must be one of those: a read inside arithmetic, a function or
    // `in` is not covered by thresholds.
    let all_reads = program
        .exprs
        .iter()
        .filter(|e| matches!(e, Expr::Fact(f) if *f == fact))
        .count();
    if all_reads != direct_reads {
        return None;
    }
    thresholds.sort_by(f64::total_cmp);
    thresholds.dedup();
    let step = |t: f64| 1e-9 * t.abs().max(1.0);
    let mut values: Vec<f64> = Vec::new();
    for t in &thresholds {
        values.extend([t - step(*t), *t, t + step(*t)]);
    }
    if let (Some(lo), Some(hi)) = (thresholds.first(), thresholds.last()) {
        values.extend([lo - 1.0, hi + 1.0]);
    } else {
        values.push(0.0);
    }
    let inside = |v: &f64| {
        minimum.is_none_or(|m| *v >= m) && maximum.is_none_or(|m| *v <= m) && v.is_finite()
    };
    let mut kept: Vec<f64> = values.into_iter().filter(inside).collect();
    if let Some(m) = minimum {
        kept.push(m);
    }
    if let Some(m) = maximum {
        kept.push(m);
    }
    kept.sort_by(f64::total_cmp);
    kept.dedup();
    Some(kept.into_iter().map(Value::Number).collect())
}

/// The status truth of the chain (all required hold, no excluding holds, every type) with
/// the facts `facts`, derived values computed again into `derived`.
fn chain_truth(
    inputs: Inputs<'_>,
    facts: &[Value],
    derived: &mut Vec<Value>,
    chain: &[TypeId],
) -> Truth {
    let program = inputs.program;
    super::run::derived_from(program, inputs.params, facts, derived, &mut NoObserver);
    let mut quiet = NoObserver;
    let mut ev = Evaluator {
        exprs: &program.exprs,
        facts,
        params: inputs.params,
        derived,
        obs: &mut quiet,
        why: None,
    };
    let mut acc = Truth::True;
    for id in chain {
        let Some(ty) = program.cluster_type(*id) else {
            continue;
        };
        for c in &ty.required {
            acc = acc.and(ev.eval(c.expr).truth());
        }
        for c in &ty.excluding {
            acc = acc.and(ev.eval(c.expr).truth().not());
        }
        if acc == Truth::False {
            break;
        }
    }
    acc
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use crate::eval::{evaluate, test_program_of};
    use crate::facts::Facts;
    use crate::value::Value;
    use crate::vocab::TypeStatus;

    const RULES: &str = r#"
fact employment: count
fact exports: ratio
fact trust: level low < medium < high
type middling {
  required {
    big_enough: employment >= 200
    trusting: trust >= medium or trust < medium
  }
  excluding {
    too_big: employment > 5000
  }
}
type open_one {
  required {
    sells: exports > 10%
  }
}
"#;

    fn run(values: &[(usize, Value)]) -> crate::eval::Outcome {
        let program = test_program_of(&[("r.meso".into(), RULES.into())]);
        let mut facts = Facts::unknown(program.facts.len());
        for (i, v) in values {
            facts.values[*i] = v.clone();
        }
        evaluate(&program, &facts)
    }

    #[test]
    fn a_fact_read_twice_that_cannot_change_the_result_settles_it() {
        // employment known; trust missing but read twice in a condition that always holds.
        let out = run(&[(0, Value::Number(300.0))]);
        assert_eq!(out.types[0].status, TypeStatus::Matched);
        assert!(out.types[0].unknown_facts.is_empty());
        assert_eq!(out.types[0].settled_facts.len(), 1);
    }

    #[test]
    fn a_fact_that_can_change_the_result_stays_open() {
        // employment missing: 300 matches, 100 does not.
        let out = run(&[(2, Value::Level(2))]);
        assert_eq!(out.types[0].status, TypeStatus::Undetermined);
        assert!(out.types[0].settled_facts.is_empty());
        // A fact read once is left to Kleene logic, which is exact then.
        assert_eq!(out.types[1].status, TypeStatus::Undetermined);
    }
}
