//! Diff stage, rule changes: what differs between two rule sets, before any record is read.
//!
//! Input: the old and the new `Program`. Output: the parameters whose values differ
//! ([`ParamChange`]), and for each criterion and policy condition of the new rule set a
//! note on the rule change that may flip it ([`Notes`]): its own text changed, a derived
//! value it reads changed, a parameter it reads changed.

use std::collections::HashMap;

use crate::ir::{Derived, Expr, ExprId, Param, Program};
use crate::render::diff::{Note, ReadChange};
use crate::render::report::value_json;

/// A parameter whose value differs between the two rule sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamChange {
    /// Name
    pub name: String,
    /// Old value as JSON (`None`: not declared in the old set)
    pub old: Option<String>,
    /// New value as JSON (`None`: not declared in the new set)
    pub new: Option<String>,
}

/// Per-criterion notes: why its outcome may have changed.
pub(super) struct Notes {
    /// (type, criterion) → note
    pub criteria: HashMap<(String, String), Note>,
    /// policy → note on its condition
    pub conditions: HashMap<String, Note>,
}

/// Parameters whose values differ, were added or removed, in new-then-old declaration order.
pub fn param_changes(po: &Program, pn: &Program) -> Vec<ParamChange> {
    let json = |p: &Param| value_json(&p.value, &p.ty).to_string();
    let mut out = Vec::new();
    for p in &pn.params {
        let old = po.params.iter().find(|q| q.name == p.name).map(json);
        let new = Some(json(p));
        if old != new {
            out.push(ParamChange {
                name: p.name.clone(),
                old,
                new,
            });
        }
    }
    for p in &po.params {
        if pn.param_id(&p.name).is_none() {
            out.push(ParamChange {
                name: p.name.clone(),
                old: Some(json(p)),
                new: None,
            });
        }
    }
    out
}

/// For each criterion and policy condition of the new rule set: the rule change that may
/// flip it (its own text, a derived value it reads, a parameter it reads).
pub(super) fn notes(po: &Program, pn: &Program, params: &[ParamChange]) -> Notes {
    let mut n = Notes {
        criteria: HashMap::new(),
        conditions: HashMap::new(),
    };
    for t in &pn.types {
        let old_t = po.type_id(&t.name).and_then(|i| po.cluster_type(i));
        for c in t.required.iter().chain(&t.indicative).chain(&t.excluding) {
            let old_c = old_t.and_then(|ot| {
                ot.required
                    .iter()
                    .chain(&ot.indicative)
                    .chain(&ot.excluding)
                    .find(|x| x.name == c.name)
            });
            let old_expr = old_c.map(|x| x.expr);
            if let Some(note) = note_for(po, pn, old_expr, c.expr, params) {
                n.criteria.insert((t.name.clone(), c.name.clone()), note);
            }
        }
    }
    for p in &pn.policies {
        let Some(cond) = p.condition else { continue };
        let old = po
            .policy_id(&p.name)
            .and_then(|i| po.policy(i))
            .and_then(|x| x.condition);
        if let Some(note) = note_for(po, pn, old, cond, params) {
            n.conditions.insert(p.name.clone(), note);
        }
    }
    n
}

fn note_for(
    po: &Program,
    pn: &Program,
    old: Option<ExprId>,
    new: ExprId,
    params: &[ParamChange],
) -> Option<Note> {
    let new_text = expr_text(pn, new);
    match old {
        None => return Some(Note::NewCondition),
        Some(o) => {
            let old_text = expr_text(po, o);
            if old_text != new_text {
                return Some(Note::RuleChanged {
                    old: old_text,
                    new: new_text,
                });
            }
        }
    }
    let mut ps = Vec::new();
    let mut ds = Vec::new();
    reads(pn, new, &mut ps, &mut ds);
    let mut notes = Vec::new();
    for decl in ds {
        let old_def = po.derived.iter().find(|x| x.name == decl.name);
        match old_def {
            Some(od) if expr_text(po, od.expr) == expr_text(pn, decl.expr) => {}
            _ => notes.push(ReadChange::Derived(decl.name.clone())),
        }
    }
    for decl in ps {
        if let Some(change) = params.iter().find(|c| c.name == decl.name) {
            notes.push(ReadChange::Param {
                name: change.name.clone(),
                old: change.old.clone(),
                new: change.new.clone(),
            });
        }
    }
    (!notes.is_empty()).then_some(Note::Reads(notes))
}

/// The source text of an expression, whitespace collapsed.
fn expr_text(p: &Program, id: ExprId) -> String {
    let span = p.expr_span(id);
    let text = p.sources.get(span.file).map_or("", |f| f.snippet(span));
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Parameters and derived values an expression reads, through derived values, each once,
/// in the order first read.
fn reads<'p>(
    p: &'p Program,
    id: ExprId,
    params: &mut Vec<&'p Param>,
    derived: &mut Vec<&'p Derived>,
) {
    let Some(expr) = p.expr(id) else { return };
    let mut kids: Vec<ExprId> = Vec::new();
    // INVARIANT: the ids in a program's expressions index that program's own tables (the
    // checker lowers names to ids only after resolving them), so the look-ups below find
    // their declaration; each declaration is then used directly, never looked up again.
    match expr {
        Expr::Const(_) | Expr::Fact(_) => {}
        Expr::Param(pid) => {
            if let Some(decl) = p.params.get(pid.index()) {
                if !params.iter().any(|x| std::ptr::eq(*x, decl)) {
                    params.push(decl);
                }
            }
        }
        Expr::Derived(d) => {
            if let Some(decl) = p.derived.get(d.index()) {
                if !derived.iter().any(|x| std::ptr::eq(*x, decl)) {
                    derived.push(decl);
                    kids.push(decl.expr);
                }
            }
        }
        Expr::Not(a) | Expr::Neg(a) => kids.push(*a),
        Expr::IsKnown { value, .. } => kids.push(*value),
        Expr::And(a, b) | Expr::Or(a, b) => kids.extend([*a, *b]),
        Expr::Compare { lhs, rhs, .. } | Expr::Arith { lhs, rhs, .. } => kids.extend([*lhs, *rhs]),
        Expr::In { value, items, .. } => {
            kids.push(*value);
            kids.extend(items.iter().copied());
        }
        Expr::Between {
            value, low, high, ..
        } => kids.extend([*value, *low, *high]),
        Expr::Contains { set, item } => kids.extend([*set, *item]),
        Expr::Call { args, .. } => kids.extend(args.iter().copied()),
    }
    for k in kids {
        reads(p, k, params, derived);
    }
}
