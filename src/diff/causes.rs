//! Diff stage, causes: why one record's result differs between two rule sets.
//!
//! Input: the record's outcomes under the old and the new rule set and the notes on what
//! changed in the rules ([`Notes`]). Output: a [`ChangedRecord`] when the classification
//! or the policies differ, with its causes worded: criteria and policy conditions whose
//! outcome flipped (matched by type, criterion and policy name), each with the rule change
//! behind it, and types that are new or were removed.

use super::notes::Notes;
use crate::dataset::input::RawRecord;
use crate::eval::Outcome;
use crate::ir::Program;
use crate::render::diff::{Cause, ChangedRecord};
use crate::value::{round4, Truth};
use crate::vocab::PolicyKind;

/// One of the two rule sets.
pub(super) struct Side<'p> {
    /// Its checked program
    pub program: &'p Program,
}

/// Both rule sets and the notes on what changed between them.
pub(super) struct Ctx<'a> {
    /// The rule set before the change
    pub old: Side<'a>,
    /// The rule set after the change
    pub new: Side<'a>,
    /// What changed in the rules, per criterion and policy condition
    pub notes: &'a Notes,
}

impl<'a> Ctx<'a> {
    fn class(side: &Side<'_>, o: &Outcome) -> String {
        o.classification
            .and_then(|c| side.program.cluster_type(c))
            .map_or_else(|| "none".into(), |t| t.name.clone())
    }

    fn applied(side: &Side<'_>, o: &Outcome) -> Vec<String> {
        o.applicable
            .iter()
            .filter_map(|&id| side.program.policy(id))
            .map(|p| match p.kind {
                PolicyKind::Recommend => p.name.clone(),
                PolicyKind::Avoid => format!("avoid:{}", p.name),
            })
            .collect()
    }

    /// The change of one record, `None` when its classification and policies are the same.
    pub fn compare(
        &self,
        id: &str,
        rec: &RawRecord<'_>,
        oo: &Outcome,
        on: &Outcome,
    ) -> Option<ChangedRecord<'a>> {
        let old_class = Self::class(&self.old, oo);
        let new_class = Self::class(&self.new, on);
        let old_p = Self::applied(&self.old, oo);
        let new_p = Self::applied(&self.new, on);
        if old_class == new_class && old_p == new_p {
            return None;
        }
        let added: Vec<String> = new_p
            .iter()
            .filter(|p| !old_p.contains(p))
            .cloned()
            .collect();
        let removed: Vec<String> = old_p
            .iter()
            .filter(|p| !new_p.contains(p))
            .cloned()
            .collect();
        let reordered = added.is_empty() && removed.is_empty() && old_p != new_p;
        let mut causes = Vec::new();
        self.type_causes(oo, on, &old_class, &new_class, &mut causes);
        self.policy_causes(oo, on, &mut causes);
        Some(ChangedRecord {
            id: id.to_string(),
            source: rec.source,
            line: rec.line,
            old_class,
            new_class,
            added,
            removed,
            reordered,
            causes,
        })
    }

    fn type_causes(
        &self,
        oo: &Outcome,
        on: &Outcome,
        oc: &str,
        nc: &str,
        causes: &mut Vec<Cause<'a>>,
    ) {
        let (po, pn) = (self.old.program, self.new.program);
        // INVARIANT: an outcome lists one entry per type of its program, in declaration
        // order (`eval` builds it so), so zipping pairs each type with its own outcome.
        for (tn, new_t) in pn.types.iter().zip(&on.types) {
            let old = po
                .types
                .iter()
                .zip(&oo.types)
                .find(|(t, _)| t.name == tn.name);
            let Some((to, old_t)) = old else {
                causes.push(Cause::NewType {
                    ty: &tn.name,
                    status: new_t.status,
                });
                continue;
            };
            let status_changed = old_t.status != new_t.status;
            let score_changed = round4(old_t.score) != round4(new_t.score);
            let relevant = tn.name == oc || tn.name == nc;
            if !(status_changed || score_changed && relevant) {
                continue;
            }
            if status_changed {
                causes.push(Cause::Status {
                    ty: &tn.name,
                    old: old_t.status,
                    new: new_t.status,
                });
            } else {
                causes.push(Cause::Score {
                    ty: &tn.name,
                    old: old_t.score,
                    new: new_t.score,
                });
            }
            let sections = [
                (
                    "required",
                    &to.required,
                    &old_t.required,
                    &tn.required,
                    &new_t.required,
                ),
                (
                    "indicative",
                    &to.indicative,
                    &old_t.indicative,
                    &tn.indicative,
                    &new_t.indicative,
                ),
                (
                    "excluding",
                    &to.excluding,
                    &old_t.excluding,
                    &tn.excluding,
                    &new_t.excluding,
                ),
            ];
            for (section, oc_list, ot, nc_list, nt) in sections {
                for (c, truth) in nc_list.iter().zip(nt.iter()) {
                    let before = oc_list
                        .iter()
                        .position(|x| x.name == c.name)
                        .and_then(|i| ot.get(i));
                    match before {
                        Some(b) if b == truth => {}
                        Some(b) => causes.push(Cause::Criterion {
                            section,
                            ty: &tn.name,
                            criterion: &c.name,
                            old: *b,
                            new: *truth,
                            note: self.notes.criteria.get(&(tn.name.clone(), c.name.clone())),
                        }),
                        None => causes.push(Cause::NewCriterion {
                            section,
                            ty: &tn.name,
                            criterion: &c.name,
                            truth: *truth,
                        }),
                    }
                }
                for c in oc_list.iter() {
                    if !nc_list.iter().any(|x| x.name == c.name) {
                        causes.push(Cause::RemovedCriterion {
                            section,
                            ty: &tn.name,
                            criterion: &c.name,
                        });
                    }
                }
            }
        }
        for t in &po.types {
            if pn.type_id(&t.name).is_none() {
                causes.push(Cause::RemovedType { ty: &t.name });
            }
        }
    }

    fn policy_causes(&self, oo: &Outcome, on: &Outcome, causes: &mut Vec<Cause<'a>>) {
        let (po, pn) = (self.old.program, self.new.program);
        // INVARIANT: as for types, an outcome lists one entry per policy of its program.
        for (p, new_p) in pn.policies.iter().zip(&on.policies) {
            let old = po
                .policies
                .iter()
                .zip(&oo.policies)
                .find(|(q, _)| q.name == p.name);
            // A policy the old rule set does not have has no condition to compare.
            let Some((_, old_p)) = old else {
                continue;
            };
            if old_p.status == new_p.status {
                continue;
            }
            let (a, b) = (
                old_p.condition.unwrap_or(Truth::True),
                new_p.condition.unwrap_or(Truth::True),
            );
            if a != b {
                causes.push(Cause::Condition {
                    policy: &p.name,
                    old: a,
                    new: b,
                    note: self.notes.conditions.get(&p.name),
                });
            }
        }
    }
}
