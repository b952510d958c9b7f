//! Lints: warnings about rule sets that run but are probably not what the author meant.
//!
//! Unused facts, parameters and derived values; types whose required criteria contradict
//! each other (so they can never match); numbers written into criteria instead of cited
//! parameters; types and policies without `cite`; policies without `advice`.

use super::{CheckKind, Checker};
use crate::ir::{CompareKind, Expr, ExprId, FactId, FactType, TypeId};
use crate::syntax::ast::{self, ExprKind};
use crate::value::{format_number, Value};
use crate::vocab::CompareOp;

impl<'a> Checker<'a> {
    pub(super) fn lint(&mut self) {
        self.lint_unused();
        self.lint_citations();
        self.lint_literal_thresholds();
        for i in 0..self.program.types.len() {
            self.lint_unreachable(TypeId::from_index(i));
        }
        self.lint_reasoning();
    }

    fn lint_unused(&mut self) {
        let unused_facts: Vec<(String, crate::source::Span)> = self
            .program
            .facts
            .iter()
            .zip(&self.used_facts)
            // Text facts are descriptive (country, sector, location): facts files give
            // them for reports and traces even when no rule reads them.
            .filter(|(f, used)| !**used && f.ty != FactType::Text)
            .map(|(f, _)| (f.name.clone(), f.span))
            .collect();
        for (name, span) in unused_facts {
            let span = self.names.get(&name).map_or(span, |(_, s)| *s);
            self.report(
                CheckKind::UnusedFact,
                span,
                format!("fact `{name}` is declared but no rule reads it"),
                "never read",
                Some("use it in a criterion or condition, or remove the declaration; descriptive facts (country, sector) can be declared as `text`, which is never reported as unused".into()),
            );
        }
        let unused_params: Vec<String> = self
            .program
            .params
            .iter()
            .zip(&self.used_params)
            .filter(|(_, used)| !**used)
            .map(|(p, _)| p.name.clone())
            .collect();
        for name in unused_params {
            let Some((_, span)) = self.names.get(&name).copied() else {
                continue;
            };
            self.report(
                CheckKind::UnusedParam,
                span,
                format!("parameter `{name}` is declared but no rule reads it"),
                "never read",
                Some("use it in a criterion, or remove it".into()),
            );
        }
        let unused_derived: Vec<String> = self
            .program
            .derived
            .iter()
            .zip(&self.used_derived)
            .filter(|(_, used)| !**used)
            .map(|(d, _)| d.name.clone())
            .collect();
        for name in unused_derived {
            let Some((_, span)) = self.names.get(&name).copied() else {
                continue;
            };
            self.report(
                CheckKind::UnusedDerived,
                span,
                format!("derived value `{name}` is defined but no rule reads it"),
                "never read",
                Some("use it in a criterion or condition, or remove it".into()),
            );
        }
    }

    fn lint_citations(&mut self) {
        let mut missing = Vec::new();
        for decl in &self.type_ast {
            if decl.meta.cite.is_none() {
                missing.push((CheckKind::MissingCite, "type", decl.name.clone()));
            }
        }
        for decl in &self.policy_ast {
            if decl.meta.cite.is_none() {
                missing.push((CheckKind::MissingCite, "policy", decl.name.clone()));
            }
            if decl.advice.is_none() {
                missing.push((CheckKind::MissingAdvice, "policy", decl.name.clone()));
            }
        }
        for (kind, what, name) in missing {
            if kind == CheckKind::MissingCite {
                self.report(
                    kind,
                    name.span,
                    format!("{what} `{}` has no `cite`", name.name),
                    "no source given",
                    Some("add `cite \"Author Year, §section\"` so readers can check the rule against its source".into()),
                );
            } else {
                self.report(
                    kind,
                    name.span,
                    format!("`{}` has no `advice`", name.name),
                    "nothing to tell the user",
                    Some(
                        "add `advice \"...\"` saying what to do (or, for `avoid`, what not to do)"
                            .into(),
                    ),
                );
            }
        }
    }

    fn lint_literal_thresholds(&mut self) {
        let mut found = Vec::new();
        for decl in &self.type_ast {
            for c in decl
                .required
                .iter()
                .chain(&decl.indicative)
                .chain(&decl.excluding)
            {
                literal_thresholds(&c.expr, &mut found);
            }
        }
        for decl in &self.policy_ast {
            if let Some(w) = &decl.when {
                literal_thresholds(w, &mut found);
            }
        }
        for decl in &self.derived_ast {
            literal_thresholds(&decl.expr, &mut found);
        }
        for (span, text) in found {
            self.report(
                CheckKind::LiteralThreshold,
                span,
                format!("the threshold `{text}` is written into the rule"),
                "a number inside a criterion",
                Some(format!("declare it once as a cited parameter, e.g. `param my_threshold = {text} {{ cite \"...\" description \"why this value\" }}`, and compare with its name; thresholds then live in one place and can be varied with `--param`")),
            );
        }
    }

    /// Warn when a type's required criteria (own and inherited) cannot all hold.
    fn lint_unreachable(&mut self, id: TypeId) {
        let mut bounds: Vec<Bounds> = Vec::new();
        let mut chain = Some(id);
        let mut steps = 0;
        while let Some(t) = chain {
            let Some(ty) = self.program.types.get(t.index()) else {
                break;
            };
            for c in &ty.required {
                let mut atoms = Vec::new();
                conjuncts(&self.program.exprs, c.expr, &mut atoms);
                for atom in atoms {
                    if let Some((fact, constraint)) = self.constraint(atom) {
                        let bound = match bounds.iter_mut().position(|b| b.fact == fact) {
                            Some(i) => bounds.get_mut(i),
                            None => {
                                bounds.push(self.initial_bounds(fact));
                                bounds.last_mut()
                            }
                        };
                        if let Some(b) = bound {
                            b.apply(constraint, &c.name);
                        }
                    }
                }
            }
            chain = ty.parent;
            steps += 1;
            if steps > self.program.types.len() {
                break;
            }
        }
        let Some(conflict) = bounds.iter().find(|b| b.empty()) else {
            return;
        };
        let fact = self
            .program
            .facts
            .get(conflict.fact.index())
            .map(|f| f.name.clone())
            .unwrap_or_default();
        let criteria = conflict.reasons.join("`, `");
        let Some(ty) = self.program.types.get(id.index()) else {
            return;
        };
        let (name, span) = (
            ty.name.clone(),
            self.type_ast
                .get(id.index())
                .map_or(ty.span, |d| d.name.span),
        );
        self.report(
            CheckKind::UnreachableType,
            span,
            format!("type `{name}` can never match: its required criteria on `{fact}` contradict each other"),
            "never matched",
            Some(format!("check the criteria `{criteria}` (including inherited ones) and the range of `{fact}`")),
        );
    }

    pub(super) fn initial_bounds(&self, fact: FactId) -> Bounds {
        let decl = self.program.facts.get(fact.index());
        let levels = match decl.map(|f| &f.ty) {
            Some(FactType::Level { levels, .. }) => Some(levels.len()),
            _ => None,
        };
        Bounds {
            fact,
            low: decl.and_then(|f| f.minimum).map(|v| (v, false)),
            high: decl.and_then(|f| f.maximum).map(|v| (v, false)),
            levels: levels.map(|n| if n >= 64 { u64::MAX } else { (1u64 << n) - 1 }),
            reasons: Vec::new(),
        }
    }

    /// A simple constraint `fact op constant` from one conjunct, if it is one.
    pub(super) fn constraint(&self, atom: ExprId) -> Option<(FactId, Constraint)> {
        let exprs = &self.program.exprs;
        let constant = |id: ExprId| -> Option<Value> {
            match exprs.get(id.index())? {
                Expr::Const(v) => Some(v.clone()),
                Expr::Param(p) => self.program.params.get(p.index()).map(|p| p.value.clone()),
                _ => None,
            }
        };
        let fact = |id: ExprId| match exprs.get(id.index()) {
            Some(Expr::Fact(f)) => Some(*f),
            _ => None,
        };
        match exprs.get(atom.index())? {
            Expr::Compare { op, kind, lhs, rhs } => {
                let (f, op, v) = match (fact(*lhs), fact(*rhs)) {
                    (Some(f), None) => (f, *op, constant(*rhs)?),
                    (None, Some(f)) => (f, flip(*op), constant(*lhs)?),
                    _ => return None,
                };
                match (kind, v) {
                    (CompareKind::Number, Value::Number(n)) => Some((f, Constraint::Number(op, n))),
                    (CompareKind::Level, Value::Level(l)) => Some((f, Constraint::Level(op, l))),
                    _ => None,
                }
            }
            Expr::In {
                value,
                items,
                kind: CompareKind::Level,
                negated,
            } => {
                let f = fact(*value)?;
                let mut mask = 0u64;
                for item in items {
                    match constant(*item)? {
                        Value::Level(l) if l < 64 => mask |= 1 << l,
                        _ => return None,
                    }
                }
                Some((f, Constraint::Mask(if *negated { !mask } else { mask })))
            }
            _ => None,
        }
    }
}

/// What the required criteria allow for one fact.
#[derive(Clone)]
pub(super) struct Bounds {
    pub(super) fact: FactId,
    /// Lower bound and whether it is strict
    low: Option<(f64, bool)>,
    /// Upper bound and whether it is strict
    high: Option<(f64, bool)>,
    /// Allowed levels (bit per level), for level facts
    levels: Option<u64>,
    /// Criteria that narrowed the bounds
    reasons: Vec<String>,
}

#[derive(Clone, Copy)]
pub(super) enum Constraint {
    Number(CompareOp, f64),
    Level(CompareOp, u32),
    Mask(u64),
}

impl Bounds {
    pub(super) fn apply(&mut self, c: Constraint, criterion: &str) {
        if !self.reasons.iter().any(|r| r == criterion) {
            self.reasons.push(criterion.to_string());
        }
        match c {
            Constraint::Number(op, n) => {
                let raise = |low: &mut Option<(f64, bool)>, v: f64, strict: bool| {
                    if low.is_none_or(|(l, s)| v > l || (v == l && strict && !s)) {
                        *low = Some((v, strict));
                    }
                };
                let lower = |high: &mut Option<(f64, bool)>, v: f64, strict: bool| {
                    if high.is_none_or(|(h, s)| v < h || (v == h && strict && !s)) {
                        *high = Some((v, strict));
                    }
                };
                match op {
                    CompareOp::Ge => raise(&mut self.low, n, false),
                    CompareOp::Gt => raise(&mut self.low, n, true),
                    CompareOp::Le => lower(&mut self.high, n, false),
                    CompareOp::Lt => lower(&mut self.high, n, true),
                    CompareOp::Eq => {
                        raise(&mut self.low, n, false);
                        lower(&mut self.high, n, false);
                    }
                    CompareOp::Ne => {}
                }
            }
            Constraint::Level(op, l) => {
                let all = self.levels.unwrap_or(u64::MAX);
                let below = if l >= 64 { u64::MAX } else { (1u64 << l) - 1 };
                let at = if l >= 64 { 0 } else { 1u64 << l };
                let allowed = match op {
                    CompareOp::Eq => at,
                    CompareOp::Ne => !at,
                    CompareOp::Lt => below,
                    CompareOp::Le => below | at,
                    CompareOp::Gt => !(below | at),
                    CompareOp::Ge => !below,
                };
                self.levels = Some(all & allowed);
            }
            Constraint::Mask(mask) => self.levels = Some(self.levels.unwrap_or(u64::MAX) & mask),
        }
    }

    pub(super) fn empty(&self) -> bool {
        if self.levels == Some(0) {
            return true;
        }
        match (self.low, self.high) {
            (Some((l, ls)), Some((h, hs))) => l > h || (l == h && (ls || hs)),
            _ => false,
        }
    }
}

fn flip(op: CompareOp) -> CompareOp {
    match op {
        CompareOp::Lt => CompareOp::Gt,
        CompareOp::Le => CompareOp::Ge,
        CompareOp::Gt => CompareOp::Lt,
        CompareOp::Ge => CompareOp::Le,
        other => other,
    }
}

/// The conjuncts of an expression (`a and (b and c)` → a, b, c).
fn conjuncts(exprs: &[Expr], id: ExprId, out: &mut Vec<ExprId>) {
    match exprs.get(id.index()) {
        Some(Expr::And(a, b)) => {
            conjuncts(exprs, *a, out);
            conjuncts(exprs, *b, out);
        }
        Some(_) => out.push(id),
        None => {}
    }
}

/// Number literals used as thresholds (operands of comparisons and `between`), except 0 and 1.
fn literal_thresholds(expr: &ast::Expr, out: &mut Vec<(crate::source::Span, String)>) {
    let mut check = |e: &ast::Expr| {
        if let ExprKind::Number { value, text } = &e.kind {
            if *value != 0.0 && *value != 1.0 {
                out.push((
                    e.span,
                    if text.is_empty() {
                        format_number(*value)
                    } else {
                        text.clone()
                    },
                ));
            }
        }
    };
    match &expr.kind {
        ExprKind::Compare(_, l, r) => {
            check(l);
            check(r);
        }
        ExprKind::Between { low, high, .. } => {
            check(low);
            check(high);
        }
        _ => {}
    }
    match &expr.kind {
        ExprKind::Neg(e) | ExprKind::Not(e) => literal_thresholds(e, out),
        ExprKind::Logic(_, l, r) | ExprKind::Arith(_, l, r) | ExprKind::Compare(_, l, r) => {
            literal_thresholds(l, out);
            literal_thresholds(r, out);
        }
        ExprKind::In { value, list, .. } => {
            literal_thresholds(value, out);
            list.iter().for_each(|e| literal_thresholds(e, out));
        }
        ExprKind::Between { value, low, high } => {
            literal_thresholds(value, out);
            literal_thresholds(low, out);
            literal_thresholds(high, out);
        }
        ExprKind::IsKnown { value, .. } => literal_thresholds(value, out),
        ExprKind::Contains { set, item } => {
            literal_thresholds(set, out);
            literal_thresholds(item, out);
        }
        ExprKind::Call { args, .. } => args.iter().for_each(|e| literal_thresholds(e, out)),
        ExprKind::Number { .. } | ExprKind::Text(_) | ExprKind::Bool(_) | ExprKind::Name(_) => {}
    }
}
