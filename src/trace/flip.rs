//! Trace stage, why-not changes: a condition that has the wrong value → the smallest changes
//! of one fact each that would give it the wanted value.
//!
//! Input: a recorded run (through [`Ctx`]) and a condition root. Output: [`Change`]s. Only
//! comparisons of one fact with constants or parameters (`<`, `>=`, `==`, `in`, `between`,
//! `contains`, a bare yes/no fact) give changes; `and`/`or`/`not`/`any`/`all` and derived
//! values are followed to them when one change can suffice. Every change is checked by
//! evaluating the condition again with the changed fact, so a suggestion never lies.

use crate::eval::{self, NoObserver};
use crate::ir::{CompareKind, Expr, ExprId, FactId, FactType, Func};
use crate::trace::model::Change;
use crate::trace::record::children;
use crate::trace::tree::Ctx;
use crate::trace::values::{display, to_json, Names};
use crate::value::Value;
use crate::vocab::CompareOp;

/// A candidate change before it is checked.
struct Candidate {
    fact: FactId,
    requirement: String,
    param: Option<String>,
    suggested: Option<Value>,
    /// The value used to check the change (the suggestion, or a value just past a strict bound)
    probe: Option<Value>,
}

/// Single-fact changes that make `root` evaluate to `want`, each checked; `subject` names
/// who requires it in sentences ("the type", "the policy").
pub fn changes(ctx: &Ctx<'_>, root: ExprId, want: bool, subject: &str) -> Vec<Change> {
    let mut found = Vec::new();
    let mut depth = 0;
    walk(ctx, root, want, &mut found, &mut depth);
    let mut out: Vec<Change> = Vec::new();
    for c in found {
        let Some(probe) = c.probe.clone() else {
            continue;
        };
        if !flips(ctx, root, want, c.fact, probe) {
            continue;
        }
        let Some(decl) = ctx.program.fact(c.fact) else {
            continue;
        };
        let names = Names::of_fact(&decl.ty);
        let current = ctx.facts.get(c.fact);
        let threshold = match &c.param {
            Some(p) => format!("{} ({p})", c.requirement),
            None => c.requirement.clone(),
        };
        let change = Change {
            fact: decl.name.clone(),
            current: to_json(current, names),
            requirement: c.requirement,
            param: c.param,
            suggested: c.suggested.as_ref().map(|v| to_json(v, names)),
            sentence: format!(
                "{} is {}; {subject} requires {threshold}",
                decl.name,
                display(current, names)
            ),
        };
        if !out.contains(&change) {
            out.push(change);
        }
    }
    out
}

/// Whether setting `fact` to `probe` gives `root` the value `want`.
fn flips(ctx: &Ctx<'_>, root: ExprId, want: bool, fact: FactId, probe: Value) -> bool {
    let mut facts = ctx.facts.clone();
    match facts.values.get_mut(fact.index()) {
        Some(slot) => *slot = probe,
        None => return false,
    }
    let outcome = eval::evaluate(ctx.program, &facts);
    let value =
        eval::evaluate_expr_observed(ctx.program, &facts, &outcome.derived, root, &mut NoObserver);
    value == Value::Bool(want)
}

fn walk(ctx: &Ctx<'_>, id: ExprId, want: bool, out: &mut Vec<Candidate>, depth: &mut usize) {
    // INVARIANT: derived values form no cycles (the checker rejects them); the bound only
    // guards against a deep chain.
    if *depth > 64 || ctx.value(id) == Value::Bool(want) {
        return;
    }
    let Some(expr) = ctx.program.expr(id) else {
        return;
    };
    *depth += 1;
    match expr {
        Expr::Not(e) => walk(ctx, *e, !want, out, depth),
        Expr::And(l, r) => junction(ctx, &[*l, *r], want, false, out, depth),
        Expr::Or(l, r) => junction(ctx, &[*l, *r], want, true, out, depth),
        Expr::Call {
            func: Func::Any,
            args,
        } => junction(ctx, args, want, true, out, depth),
        Expr::Call {
            func: Func::All,
            args,
        } => junction(ctx, args, want, false, out, depth),
        Expr::Derived(d) => {
            if let Some(decl) = ctx.program.derived.get(d.index()) {
                walk(ctx, decl.expr, want, out, depth);
            }
        }
        Expr::Fact(f) if matches!(fact_type(ctx, *f), Some(FactType::Boolean)) => {
            out.push(Candidate {
                fact: *f,
                requirement: format!("{want}"),
                param: None,
                suggested: Some(Value::Bool(want)),
                probe: Some(Value::Bool(want)),
            });
        }
        _ => {
            if let Some(c) = leaf(ctx, expr, want) {
                out.push(c);
            }
        }
    }
    *depth -= 1;
}

/// `and` (`or_` false) / `or` (`or_` true) over `ops`: one change suffices when the wanted
/// value is the dominant one (any operand may give it) or when every other operand already
/// has the wanted value.
fn junction(
    ctx: &Ctx<'_>,
    ops: &[ExprId],
    want: bool,
    or_: bool,
    out: &mut Vec<Candidate>,
    depth: &mut usize,
) {
    if want == or_ {
        for op in ops {
            walk(ctx, *op, want, out, depth);
        }
        return;
    }
    let open: Vec<ExprId> = ops
        .iter()
        .copied()
        .filter(|op| ctx.value(*op) != Value::Bool(want))
        .collect();
    if let [only] = open.as_slice() {
        walk(ctx, *only, want, out, depth);
    }
}

fn fact_type<'a>(ctx: &Ctx<'a>, f: FactId) -> Option<&'a FactType> {
    ctx.program.fact(f).map(|d| &d.ty)
}

/// The fact a node reads directly.
fn as_fact(ctx: &Ctx<'_>, id: ExprId) -> Option<FactId> {
    match ctx.program.expr(id) {
        Some(Expr::Fact(f)) => Some(*f),
        _ => None,
    }
}

/// Whether a node reads no fact (directly or through a derived value): a threshold.
fn is_constant(ctx: &Ctx<'_>, id: ExprId) -> bool {
    match ctx.program.expr(id) {
        Some(Expr::Fact(_) | Expr::Derived(_)) | None => false,
        Some(e) => children(e).into_iter().all(|c| is_constant(ctx, c)),
    }
}

fn param_name(ctx: &Ctx<'_>, id: ExprId) -> Option<String> {
    match ctx.program.expr(id) {
        Some(Expr::Param(p)) => ctx.program.params.get(p.index()).map(|p| p.name.clone()),
        _ => None,
    }
}

fn leaf(ctx: &Ctx<'_>, expr: &Expr, want: bool) -> Option<Candidate> {
    match expr {
        Expr::Compare { op, kind, lhs, rhs } => {
            let (fact, other, op) = match (as_fact(ctx, *lhs), as_fact(ctx, *rhs)) {
                (Some(f), _) if is_constant(ctx, *rhs) => (f, *rhs, *op),
                (_, Some(f)) if is_constant(ctx, *lhs) => (f, *lhs, mirror(*op)),
                _ => return None,
            };
            let op = if want { op } else { negate(op) };
            compare(ctx, fact, op, *kind, other)
        }
        Expr::Between {
            value, low, high, ..
        } => {
            let fact = as_fact(ctx, *value)?;
            if !is_constant(ctx, *low) || !is_constant(ctx, *high) {
                return None;
            }
            between(ctx, fact, ctx.value(*low), ctx.value(*high), want)
        }
        Expr::In {
            value,
            items,
            negated,
            ..
        } => {
            let fact = as_fact(ctx, *value)?;
            if !items.iter().all(|i| is_constant(ctx, *i)) {
                return None;
            }
            let values: Vec<Value> = items.iter().map(|i| ctx.value(*i)).collect();
            member(ctx, fact, &values, want != *negated)
        }
        Expr::Contains { set, item } => {
            let fact = as_fact(ctx, *set)?;
            let Value::Level(bit) = ctx.value(*item) else {
                return None;
            };
            let current = match ctx.facts.get(fact) {
                Value::Set(m) => *m,
                _ => 0,
            };
            let mask = 1u64.checked_shl(bit)?;
            let next = if want {
                current | mask
            } else {
                current & !mask
            };
            let names = fact_type(ctx, fact).map_or(Names::None, Names::of_fact);
            let member = display(&Value::Level(bit), names.as_levels());
            Some(Candidate {
                fact,
                requirement: format!("{}contains {member}", if want { "" } else { "not " }),
                param: None,
                suggested: Some(Value::Set(next)),
                probe: Some(Value::Set(next)),
            })
        }
        _ => None,
    }
}

fn mirror(op: CompareOp) -> CompareOp {
    match op {
        CompareOp::Lt => CompareOp::Gt,
        CompareOp::Le => CompareOp::Ge,
        CompareOp::Gt => CompareOp::Lt,
        CompareOp::Ge => CompareOp::Le,
        other => other,
    }
}

fn negate(op: CompareOp) -> CompareOp {
    match op {
        CompareOp::Lt => CompareOp::Ge,
        CompareOp::Le => CompareOp::Gt,
        CompareOp::Gt => CompareOp::Le,
        CompareOp::Ge => CompareOp::Lt,
        CompareOp::Eq => CompareOp::Ne,
        CompareOp::Ne => CompareOp::Eq,
    }
}

fn op_str(op: CompareOp) -> &'static str {
    match op {
        CompareOp::Lt => "<",
        CompareOp::Le => "<=",
        CompareOp::Gt => ">",
        CompareOp::Ge => ">=",
        CompareOp::Eq => "==",
        CompareOp::Ne => "!=",
    }
}

fn whole(ctx: &Ctx<'_>, fact: FactId) -> bool {
    matches!(fact_type(ctx, fact), Some(FactType::Integer))
}

/// A number just past `c` in the direction `up`, within the fact's range.
fn nudge(ctx: &Ctx<'_>, fact: FactId, c: f64, up: bool) -> Option<f64> {
    let step = if whole(ctx, fact) {
        1.0
    } else {
        (c.abs() * 1e-9).max(1e-9)
    };
    let base = if whole(ctx, fact) {
        if up {
            c.floor()
        } else {
            c.ceil()
        }
    } else {
        c
    };
    in_range(ctx, fact, if up { base + step } else { base - step })
}

fn in_range(ctx: &Ctx<'_>, fact: FactId, x: f64) -> Option<f64> {
    let decl = ctx.program.fact(fact)?;
    let (lo, hi) = match decl.ty {
        FactType::Ratio => (
            decl.minimum.unwrap_or(0.0).max(0.0),
            decl.maximum.unwrap_or(1.0).min(1.0),
        ),
        _ => (
            decl.minimum.unwrap_or(f64::NEG_INFINITY),
            decl.maximum.unwrap_or(f64::INFINITY),
        ),
    };
    (x.is_finite() && x >= lo && x <= hi).then_some(x)
}

fn compare(
    ctx: &Ctx<'_>,
    fact: FactId,
    op: CompareOp,
    kind: CompareKind,
    other: ExprId,
) -> Option<Candidate> {
    let threshold = ctx.value(other);
    let names = fact_type(ctx, fact).map_or(Names::None, Names::of_fact);
    let requirement = format!("{} {}", op_str(op), display(&threshold, names));
    let param = param_name(ctx, other);
    let (suggested, probe) = match (kind, &threshold) {
        (CompareKind::Number, Value::Number(c)) => {
            let c = *c;
            let exact = |x: f64| in_range(ctx, fact, x).map(Value::Number);
            match op {
                CompareOp::Ge | CompareOp::Le | CompareOp::Eq => (exact(c), exact(c)),
                CompareOp::Gt | CompareOp::Lt | CompareOp::Ne => {
                    let up = op != CompareOp::Lt;
                    let probe = nudge(ctx, fact, c, up)
                        .or_else(|| (op == CompareOp::Ne).then(|| nudge(ctx, fact, c, false))?)
                        .map(Value::Number);
                    let suggested = if whole(ctx, fact) && op != CompareOp::Ne {
                        probe.clone()
                    } else {
                        None
                    };
                    (suggested, probe)
                }
            }
        }
        (CompareKind::Level, Value::Level(c)) => {
            let Names::Levels(levels) = names else {
                return None;
            };
            let reference = match ctx.facts.get(fact) {
                Value::Level(p) => *p,
                _ => *c,
            };
            let best = (0..u32::try_from(levels.len()).ok()?)
                .filter(|p| holds(op, *p, *c))
                .min_by_key(|p| (p.abs_diff(reference), *p))
                .map(Value::Level);
            let suggested = if op == CompareOp::Ne {
                None
            } else {
                best.clone()
            };
            (suggested, best)
        }
        (CompareKind::Bool, Value::Bool(b)) => {
            let v = match op {
                CompareOp::Eq => Some(Value::Bool(*b)),
                CompareOp::Ne => Some(Value::Bool(!*b)),
                _ => None,
            };
            (v.clone(), v)
        }
        (CompareKind::Text, Value::Text(_)) if op == CompareOp::Eq => {
            (Some(threshold.clone()), Some(threshold.clone()))
        }
        _ => return None,
    };
    Some(Candidate {
        fact,
        requirement,
        param,
        suggested,
        probe,
    })
}

fn holds(op: CompareOp, x: u32, c: u32) -> bool {
    match op {
        CompareOp::Lt => x < c,
        CompareOp::Le => x <= c,
        CompareOp::Gt => x > c,
        CompareOp::Ge => x >= c,
        CompareOp::Eq => x == c,
        CompareOp::Ne => x != c,
    }
}

fn between(ctx: &Ctx<'_>, fact: FactId, lo: Value, hi: Value, want: bool) -> Option<Candidate> {
    let names = fact_type(ctx, fact).map_or(Names::None, Names::of_fact);
    let range = format!("{} and {}", display(&lo, names), display(&hi, names));
    let current = ctx.facts.get(fact);
    let (suggested, probe) = match (&lo, &hi, current) {
        (Value::Number(a), Value::Number(b), cur) => {
            if want {
                let pick = match cur {
                    Value::Number(x) if x > b => *b,
                    _ => *a,
                };
                let v = in_range(ctx, fact, pick).map(Value::Number);
                (v.clone(), v)
            } else {
                let below = nudge(ctx, fact, *a, false);
                let above = nudge(ctx, fact, *b, true);
                let closer_above = matches!(cur, Value::Number(x) if (x - b).abs() < (x - a).abs());
                let probe = if closer_above {
                    above.or(below)
                } else {
                    below.or(above)
                }
                .map(Value::Number);
                let suggested = if whole(ctx, fact) {
                    probe.clone()
                } else {
                    None
                };
                (suggested, probe)
            }
        }
        (Value::Level(a), Value::Level(b), cur) => {
            let Names::Levels(levels) = names else {
                return None;
            };
            let reference = match cur {
                Value::Level(p) => *p,
                _ => *a,
            };
            let v = (0..u32::try_from(levels.len()).ok()?)
                .filter(|p| (a <= p && p <= b) == want)
                .min_by_key(|p| (p.abs_diff(reference), *p))
                .map(Value::Level);
            (v.clone(), v)
        }
        _ => return None,
    };
    Some(Candidate {
        fact,
        requirement: format!("{}between {range}", if want { "" } else { "not " }),
        param: None,
        suggested,
        probe,
    })
}

fn member(ctx: &Ctx<'_>, fact: FactId, items: &[Value], want: bool) -> Option<Candidate> {
    let names = fact_type(ctx, fact).map_or(Names::None, Names::of_fact);
    let list: Vec<String> = items.iter().map(|v| display(v, names)).collect();
    let requirement = format!(
        "{} [{}]",
        if want { "one of" } else { "none of" },
        list.join(", ")
    );
    let probe = match names {
        Names::Levels(levels) => {
            let reference = match ctx.facts.get(fact) {
                Value::Level(p) => *p,
                _ => 0,
            };
            (0..u32::try_from(levels.len()).ok()?)
                .filter(|p| items.contains(&Value::Level(*p)) == want)
                .min_by_key(|p| (p.abs_diff(reference), *p))
                .map(Value::Level)
        }
        _ if want => items.first().cloned(),
        _ => items
            .iter()
            .find_map(|v| v.as_number().map(|n| Value::Number(n + 1.0)))
            .filter(|v| !items.contains(v)),
    };
    let suggested = if want { probe.clone() } else { None };
    Some(Candidate {
        fact,
        requirement,
        param: None,
        suggested,
        probe,
    })
}
