//! Trace stage, what-if: two traces of the same rules (facts before and after some
//! `--set` changes) → what changed (classification, type statuses and scores, policies
//! added and removed, criteria and conditions that flipped) and why (the changed facts each
//! flipped one reads). The render stage shows it side by side.
//!
//! Input: the `before` and `after` [`Trace`]s and the changed fact names. Output:
//! [`WhatIf`].

use std::collections::BTreeSet;

use crate::trace::model::{Node, Trace};
use crate::value::Truth;
use crate::vocab::TypeStatus;

/// A fact changed for the comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetFact {
    /// Fact name
    pub fact: String,
    /// Value before, as printed
    pub before: String,
    /// Value after, as printed
    pub after: String,
}

/// A criterion or condition whose value changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flipped {
    /// `type survival_cluster` or `policy x`
    pub owner: String,
    /// Criterion name (`when` for a policy condition)
    pub name: String,
    /// Its source text
    pub source: String,
    /// Value before
    pub before: Truth,
    /// Value after
    pub after: Truth,
    /// The changed facts it reads
    pub because: Vec<String>,
}

/// A cluster type's status and score before and after (changed or not).
#[derive(Clone, Debug, PartialEq)]
pub struct TypeChange {
    /// Type name
    pub name: String,
    /// Status and score before
    pub before: (TypeStatus, f64),
    /// Status and score after
    pub after: (TypeStatus, f64),
}

/// Everything that changed.
#[derive(Clone, Debug)]
pub struct WhatIf {
    /// The facts changed
    pub set: Vec<SetFact>,
    /// Classification before and after
    pub classification: (Option<String>, Option<String>),
    /// Per type, in declaration order: its status and score before and after
    pub types: Vec<TypeChange>,
    /// Policies that apply only after
    pub added: Vec<String>,
    /// Policies that apply only before
    pub removed: Vec<String>,
    /// Criteria and conditions that flipped
    pub flipped: Vec<Flipped>,
}

fn facts_read(node: &Node, trace: &Trace, out: &mut BTreeSet<String>, depth: usize) {
    if depth > 64 {
        return;
    }
    match node.kind {
        "fact" => {
            if let Some(n) = &node.name {
                out.insert(n.clone());
            }
        }
        "derived" => {
            if let Some(d) = trace
                .derived
                .iter()
                .find(|d| Some(&d.name) == node.name.as_ref())
            {
                facts_read(&d.tree, trace, out, depth + 1);
            }
        }
        _ => {}
    }
    for c in &node.children {
        facts_read(c, trace, out, depth + 1);
    }
}

fn truth_of(v: &serde_json::Value) -> Truth {
    match v {
        serde_json::Value::Bool(b) => Truth::from_bool(*b),
        _ => Truth::Unknown,
    }
}

/// Compare two traces; `set` lists the facts that were changed.
pub fn compare(before: &Trace, after: &Trace, set: &[String]) -> WhatIf {
    let set_facts: Vec<SetFact> = set
        .iter()
        .filter_map(|name| {
            let b = before.facts.iter().find(|f| &f.name == name)?;
            let a = after.facts.iter().find(|f| &f.name == name)?;
            Some(SetFact {
                fact: name.clone(),
                before: b.display.clone(),
                after: a.display.clone(),
            })
        })
        .collect();
    let because = |tree: Option<&Node>, trace: &Trace| -> Vec<String> {
        let mut read = BTreeSet::new();
        if let Some(t) = tree {
            facts_read(t, trace, &mut read, 0);
        }
        set.iter().filter(|s| read.contains(*s)).cloned().collect()
    };
    let mut flipped = Vec::new();
    let mut types = Vec::new();
    for (tb, ta) in before.types.iter().zip(&after.types) {
        types.push(TypeChange {
            name: tb.name.clone(),
            before: (tb.status, tb.score),
            after: (ta.status, ta.score),
        });
        for (cb, ca) in tb.criteria.iter().zip(&ta.criteria) {
            if cb.value != ca.value && cb.inherited_from.is_none() {
                flipped.push(Flipped {
                    owner: format!("type {}", tb.name),
                    name: cb.name.clone(),
                    source: cb.source.clone(),
                    before: cb.value,
                    after: ca.value,
                    because: because(ca.tree.as_ref(), after),
                });
            }
        }
    }
    for (pb, pa) in before.policies.iter().zip(&after.policies) {
        if let (Some(cb), Some(ca)) = (&pb.condition, &pa.condition) {
            if cb.value != ca.value {
                flipped.push(Flipped {
                    owner: format!("policy {}", pb.policy),
                    name: "when".into(),
                    source: cb.text.clone(),
                    before: truth_of(&cb.value),
                    after: truth_of(&ca.value),
                    because: because(Some(ca), after),
                });
            }
        }
    }
    let names = |t: &Trace| -> Vec<String> {
        t.summary
            .policies
            .iter()
            .map(|p| p.policy.clone())
            .collect()
    };
    let (pb, pa) = (names(before), names(after));
    WhatIf {
        set: set_facts,
        classification: (
            before.summary.classification.clone(),
            after.summary.classification.clone(),
        ),
        types,
        added: pa.iter().filter(|p| !pb.contains(p)).cloned().collect(),
        removed: pb.iter().filter(|p| !pa.contains(p)).cloned().collect(),
        flipped,
    }
}
