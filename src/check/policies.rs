//! Policy pass: `for` types, `when` conditions, phases, `after` prerequisites, and the
//! output order (phase, then `after`, then declaration order).

use super::{meta_of, CheckKind, Checker};
use crate::ir::{self, PolicyId};
use crate::value::format_number;

/// Phase of a policy without a `phase` clause.
const DEFAULT_PHASE: i64 = 1;

impl<'a> Checker<'a> {
    pub(super) fn lower_policies(&mut self) {
        // A copy of the list of references, so that lowering can borrow the checker mutably.
        for decl in self.policy_ast.clone() {
            let for_types: Vec<ir::TypeId> = decl
                .for_types
                .iter()
                .filter_map(|t| self.expect_type(t))
                .collect();
            if decl.for_types.is_empty() {
                self.report(
                    CheckKind::MissingFor,
                    decl.name.span,
                    format!("`{}` names no cluster type", decl.name.name),
                    "applies to nothing",
                    Some("add `for some_type` (several types: `for type_a, type_b`)".into()),
                );
            }
            let condition = decl.when.as_ref().map(|w| {
                self.lower_condition(w, &format!("the `when` condition of `{}`", decl.name.name))
            });
            let phase = match &decl.phase {
                None => DEFAULT_PHASE,
                Some(p) if p.node.fract() == 0.0 && p.node.abs() < 1e9 => p.node as i64,
                Some(p) => {
                    self.report(
                        CheckKind::InvalidPhase,
                        p.span,
                        format!("phase {} is not a whole number", format_number(p.node)),
                        "phases are 1, 2, 3, ...",
                        Some(
                            "use whole numbers; to order policies within a phase, use `after`"
                                .into(),
                        ),
                    );
                    DEFAULT_PHASE
                }
            };
            let after: Vec<PolicyId> = decl
                .after
                .iter()
                .filter_map(|a| self.expect_policy(a))
                .collect();
            self.program.policies.push(ir::Policy {
                name: decl.name.name.clone(),
                kind: decl.kind,
                meta: meta_of(&decl.meta),
                for_types,
                condition,
                phase,
                after,
                advice: decl.advice.as_ref().map(|a| a.node.clone()),
                rationale: decl.rationale.as_ref().map(|r| r.node.clone()),
                span: decl.span,
            });
        }
    }

    /// Order policies: phase ascending; within a phase, prerequisites first; ties by
    /// declaration order. `after` loops and `after` a later phase are errors.
    pub(super) fn order_policies(&mut self) {
        let n = self.program.policies.len();
        // Edges that contradict phases are reported and left out of the ordering.
        let mut prerequisites: Vec<Vec<usize>> = vec![Vec::new(); n];
        let edges: Vec<(usize, String, i64, Vec<PolicyId>, crate::source::Span)> = self
            .program
            .policies
            .iter()
            .enumerate()
            .map(|(i, p)| (i, p.name.clone(), p.phase, p.after.clone(), p.span))
            .collect();
        for (i, name, phase, after, policy_span) in edges {
            for a in &after {
                let prereq = self
                    .program
                    .policies
                    .get(a.index())
                    .map(|p| (p.name.clone(), p.phase));
                if let Some((pname, pphase)) = prereq {
                    if pphase > phase {
                        let span = self
                            .policy_ast
                            .get(i)
                            .and_then(|d| d.after.iter().find(|x| x.name == pname))
                            .map_or(policy_span, |x| x.span);
                        self.report(
                            CheckKind::AfterLaterPhase,
                            span,
                            format!("`{name}` (phase {phase}) comes after `{pname}`, which is in the later phase {pphase}"),
                            "this order cannot hold",
                            Some(format!("move `{name}` to phase {pphase} or later, or `{pname}` to phase {phase} or earlier")),
                        );
                    } else if let Some(list) = prerequisites.get_mut(i) {
                        list.push(a.index());
                    }
                }
            }
        }
        let mut placed = vec![false; n];
        let mut order = Vec::with_capacity(n);
        while order.len() < n {
            // The next policy: lowest phase, then earliest declared, among those whose
            // prerequisites are placed.
            let next = (0..n)
                .filter(|&i| !placed.get(i).copied().unwrap_or(true))
                .filter(|&i| {
                    prerequisites.get(i).is_some_and(|ps| {
                        ps.iter().all(|p| placed.get(*p).copied().unwrap_or(true))
                    })
                })
                .min_by_key(|&i| (self.program.policies.get(i).map_or(0, |p| p.phase), i));
            match next {
                Some(i) => {
                    if let Some(p) = placed.get_mut(i) {
                        *p = true;
                    }
                    order.push(PolicyId::from_index(i));
                }
                None => {
                    self.report_after_cycle(&placed, &prerequisites);
                    // Place the rest in declaration order so later stages still work.
                    for (i, p) in placed.iter().enumerate() {
                        if !p {
                            order.push(PolicyId::from_index(i));
                        }
                    }
                    break;
                }
            }
        }
        self.program.policy_order = order;
    }

    fn report_after_cycle(&mut self, placed: &[bool], prerequisites: &[Vec<usize>]) {
        // Walk prerequisites from an unplaced policy until one repeats: that is a loop.
        let Some(start) = placed.iter().position(|p| !p) else {
            return;
        };
        let mut path = vec![start];
        let mut current = start;
        loop {
            let next = prerequisites.get(current).and_then(|ps| {
                ps.iter()
                    .find(|p| !placed.get(**p).copied().unwrap_or(true))
                    .copied()
            });
            let Some(next) = next else { return };
            if let Some(pos) = path.iter().position(|p| *p == next) {
                let cycle: Vec<usize> = path.get(pos..).map(<[usize]>::to_vec).unwrap_or_default();
                let mut names: Vec<String> = cycle
                    .iter()
                    .rev()
                    .filter_map(|i| self.program.policies.get(*i).map(|p| p.name.clone()))
                    .collect();
                if let Some(first) = names.first().cloned() {
                    names.push(first);
                }
                // Every edge of the loop is an `after` entry: `path[k]` is after `path[k + 1]`,
                // and the last policy of the path is after `next`. The entry written last (in
                // file order) is the one that closed the loop; the others are shown beside it.
                let mut edges: Vec<(usize, usize)> = cycle
                    .iter()
                    .copied()
                    .zip(cycle.iter().copied().skip(1))
                    .collect();
                edges.push((*cycle.last().unwrap_or(&next), next));
                let entry = |(from, to): (usize, usize)| {
                    let to_name = self.program.policies.get(to).map(|p| p.name.clone())?;
                    let from_name = self.program.policies.get(from).map(|p| p.name.clone())?;
                    let span = self
                        .policy_ast
                        .get(from)
                        .and_then(|d| d.after.iter().find(|x| x.name == to_name))
                        .map(|x| x.span)?;
                    Some((span, format!("`{from_name}` after `{to_name}`")))
                };
                let mut entries: Vec<(crate::source::Span, String)> =
                    edges.into_iter().filter_map(entry).collect();
                entries.sort_by_key(|(s, _)| (s.file, s.start));
                let Some((span, label)) = entries.pop() else {
                    return;
                };
                let others = entries;
                let elsewhere: Vec<String> = others
                    .iter()
                    .filter(|(s, _)| s.file != span.file)
                    .map(|(s, l)| format!("{l} at {}", self.location(*s)))
                    .collect();
                let mut help = String::from(
                    "remove one `after` from the loop so that the sequence has a start",
                );
                if !elsewhere.is_empty() {
                    help.push_str(&format!(
                        "; the loop also runs through {}",
                        elsewhere.join(", ")
                    ));
                }
                self.report_with(
                    CheckKind::AfterCycle,
                    span,
                    format!(
                        "`after` clauses go round in a circle: {}",
                        names.join(" → ")
                    ),
                    format!("{label} closes the loop"),
                    others,
                    Some(help),
                );
                return;
            }
            path.push(next);
            current = next;
        }
    }
}
