//! Lints that reason about what the criteria allow: types that overlap, indicative criteria
//! that can never hold, policies that can never apply, and thresholds outside a fact's
//! declared range.
//!
//! Input: the lowered program and the syntax trees (for spans). Output: warnings
//! (`overlapping_types`, `indicative_never_holds`, `policy_never_applies`,
//! `threshold_out_of_range`), silenced per declaration or file by `# meso: allow(...)`
//! comments (see `silence`).

use super::reasoning::Tri;
use super::{CheckKind, Checker};
use crate::ir::{CompareKind, Expr, ExprId, FactId, TypeId};
use crate::value::{format_number, Value};

impl Checker<'_> {
    pub(super) fn lint_reasoning(&mut self) {
        self.lint_overlaps();
        self.lint_indicative();
        self.lint_policies();
        self.lint_ranges();
    }

    /// Two types (neither an ancestor of the other) whose required criteria can all hold at
    /// once, with no excluding criterion of either that must then hold.
    fn lint_overlaps(&mut self) {
        let n = self.program.types.len();
        // Pairwise, so quadratic: skipped for rule sets far larger than any typology.
        if n > crate::limits::MAX_TYPES_FOR_OVERLAPS {
            return;
        }
        let mut found = Vec::new();
        for b in 0..n {
            for a in 0..b {
                let (a, b) = (TypeId::from_index(a), TypeId::from_index(b));
                let in_chain = |t, of| self.type_chain(of).iter().any(|&(link, _)| link == t);
                if in_chain(b, a) || in_chain(a, b) {
                    continue;
                }
                if self.can_both_match(a, b) {
                    found.push((a, b));
                }
            }
        }
        for (a, b) in found {
            let name = |t: TypeId| {
                self.type_ast
                    .get(t.index())
                    .map(|d| (d.name.name.clone(), d.name.span))
            };
            let (Some((a_name, a_span)), Some((b_name, b_span))) = (name(a), name(b)) else {
                continue;
            };
            self.report_with(
                CheckKind::OverlappingTypes,
                b_span,
                format!("types `{a_name}` and `{b_name}` can both match the same cluster"),
                format!("can match together with `{a_name}`"),
                vec![(a_span, "the other type".to_string())],
                Some(format!(
                    "a cluster meeting both types' required criteria is reported as a hybrid; if the two should not overlap, add a required or excluding criterion that tells them apart, else write `# meso: allow(overlapping_types)` on the line before `type {b_name}` saying why"
                )),
            );
        }
    }

    fn can_both_match(&self, a: TypeId, b: TypeId) -> bool {
        let region = self.required_region(&[a, b]);
        if self.contradictory(&region) {
            return false;
        }
        for t in [a, b] {
            for (_, ty) in self.type_chain(t) {
                if ty
                    .excluding
                    .iter()
                    .any(|c| self.decide(&region, c.expr, 0) == Tri::Always)
                {
                    return false;
                }
            }
        }
        true
    }

    /// An indicative criterion that contradicts the type's required criteria.
    fn lint_indicative(&mut self) {
        let mut found = Vec::new();
        for (i, ty) in self.program.types.iter().enumerate() {
            let id = TypeId::from_index(i);
            let region = self.required_region(&[id]);
            if self.contradictory(&region) {
                continue; // can never match: `indicative_never_holds` would say nothing new
            }
            for (c, ast) in ty.indicative.iter().zip(
                self.type_ast
                    .get(i)
                    .map(|d| d.indicative.as_slice())
                    .unwrap_or(&[]),
            ) {
                if self.decide(&region, c.expr, 0) == Tri::Never {
                    found.push((ty.name.clone(), c.name.clone(), ast.name.span));
                }
            }
        }
        for (ty, criterion, span) in found {
            self.report(
                CheckKind::IndicativeNeverHolds,
                span,
                format!("indicative criterion `{criterion}` of `{ty}` can never hold when the type matches"),
                "contradicts the required criteria",
                Some(format!("no matched `{ty}` can meet it, so it only lowers the score; change the threshold or remove the criterion")),
            );
        }
    }

    /// A policy whose `when` condition contradicts the required criteria of every `for` type.
    fn lint_policies(&mut self) {
        let mut found = Vec::new();
        for (i, policy) in self.program.policies.iter().enumerate() {
            let Some(when) = policy.condition else {
                continue;
            };
            if policy.for_types.is_empty() {
                continue;
            }
            let never = policy.for_types.iter().all(|t| {
                let region = self.required_region(&[*t]);
                self.contradictory(&region) || self.decide(&region, when, 0) == Tri::Never
            });
            if never {
                let span = self.policy_ast.get(i).map_or(policy.span, |d| d.name.span);
                found.push((policy.name.clone(), span, self.program.expr_span(when)));
            }
        }
        for (name, span, when) in found {
            self.report_with(
                CheckKind::PolicyNeverApplies,
                span,
                format!("policy `{name}` can never apply"),
                "never applies",
                vec![(
                    when,
                    "contradicts the required criteria of every `for` type".into(),
                )],
                Some("change the `when` condition or the `for` types".into()),
            );
        }
    }

    /// A comparison of a fact with a constant outside the fact's declared range.
    fn lint_ranges(&mut self) {
        let mut found = Vec::new();
        for (i, expr) in self.program.exprs.iter().enumerate() {
            let pairs: Vec<(ExprId, ExprId)> = match expr {
                Expr::Compare {
                    kind: CompareKind::Number,
                    lhs,
                    rhs,
                    ..
                } => vec![(*lhs, *rhs), (*rhs, *lhs)],
                Expr::Between {
                    kind: CompareKind::Number,
                    value,
                    low,
                    high,
                } => vec![(*value, *low), (*value, *high)],
                _ => continue,
            };
            for (fact, constant) in pairs {
                let Some(Expr::Fact(f)) = self.program.exprs.get(fact.index()) else {
                    continue;
                };
                let Some(v) = self.number_of(constant) else {
                    continue;
                };
                if let Some(range) = self.outside(*f, v) {
                    found.push((ExprId::from_index(i), constant, *f, v, range));
                }
            }
        }
        for (expr, constant, fact, value, range) in found {
            let name = self
                .program
                .facts
                .get(fact.index())
                .map(|f| f.name.clone())
                .unwrap_or_default();
            let written = self.program.expr_span(constant);
            self.report_with(
                CheckKind::ThresholdOutOfRange,
                self.program.expr_span(expr),
                format!(
                    "`{name}` is compared with {}, outside its declared range {range}",
                    format_number(value)
                ),
                "this comparison never depends on the facts",
                vec![(written, "outside the range".into())],
                Some(format!("a value of `{name}` is always within {range}; check the threshold (a ratio is written 0.5 or 50%, not 50)")),
            );
        }
    }

    fn number_of(&self, id: ExprId) -> Option<f64> {
        match self.program.exprs.get(id.index())? {
            Expr::Const(Value::Number(n)) => Some(*n),
            Expr::Param(p) => match self.program.params.get(p.index()).map(|p| &p.value) {
                Some(Value::Number(n)) => Some(*n),
                _ => None,
            },
            Expr::Neg(x) => self.number_of(*x).map(|n| -n),
            _ => None,
        }
    }

    /// The fact's range in words when `v` is outside it.
    fn outside(&self, fact: FactId, v: f64) -> Option<String> {
        let decl = self.program.facts.get(fact.index())?;
        let (lo, hi) = (decl.minimum, decl.maximum);
        if let (Some(l), Some(h)) = (lo, hi) {
            if l > h {
                return None; // reported as `invalid_range`
            }
        }
        let below = lo.is_some_and(|l| v < l);
        let above = hi.is_some_and(|h| v > h);
        if !(below || above) {
            return None;
        }
        Some(match (lo, hi) {
            (Some(l), Some(h)) => format!("{} to {}", format_number(l), format_number(h)),
            (Some(l), None) => format!("{} or more", format_number(l)),
            (None, Some(h)) => format!("{} or less", format_number(h)),
            (None, None) => String::new(),
        })
    }
}
