//! Trace stage, what-if: two traces of the same rules (facts before and after some
//! `--set` changes) → what changed (classification, type statuses and scores, policies
//! added and removed, criteria and conditions that flipped) and why (the changed facts each
//! flipped one reads), rendered side by side.
//!
//! Input: the `before` and `after` [`Trace`]s and the changed fact names. Output:
//! [`WhatIf`] and its text.

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::trace::model::{Node, Trace};
use crate::value::Truth;

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

/// Everything that changed.
#[derive(Clone, Debug)]
pub struct WhatIf {
    /// The facts changed
    pub set: Vec<SetFact>,
    /// Classification before and after
    pub classification: (Option<String>, Option<String>),
    /// Per type: name, (status, score) before, after
    pub types: Vec<(String, String, String)>,
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
        types.push((
            tb.name.clone(),
            format!("{} {:.2}", tb.status.words(), tb.score),
            format!("{} {:.2}", ta.status.words(), ta.score),
        ));
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

/// Render side by side as text.
pub fn render_text(w: &WhatIf) -> String {
    let mut o = String::new();
    let set: Vec<String> = w
        .set
        .iter()
        .map(|s| format!("{} = {} (was {})", s.fact, s.after, s.before))
        .collect();
    let _ = writeln!(o, "What if {}?\n", set.join(", "));
    let width = w
        .types
        .iter()
        .map(|t| t.0.chars().count())
        .chain([14])
        .max()
        .unwrap_or(14);
    let col = w
        .types
        .iter()
        .map(|t| t.1.chars().count())
        .chain([20])
        .max()
        .unwrap_or(20);
    let none = "none".to_string();
    let _ = writeln!(o, "  {:width$}  {:col$}  after", "", "before");
    let (cb, ca) = &w.classification;
    let changed = |a: &str, b: &str| if a == b { "" } else { "   ← changed" };
    let (cb, ca) = (cb.as_ref().unwrap_or(&none), ca.as_ref().unwrap_or(&none));
    let _ = writeln!(
        o,
        "  {:width$}  {cb:col$}  {ca}{}",
        "classification",
        changed(cb, ca)
    );
    for (name, b, a) in &w.types {
        let _ = writeln!(o, "  {name:width$}  {b:col$}  {a}{}", changed(b, a));
    }
    o.push('\n');
    if w.added.is_empty() && w.removed.is_empty() {
        o.push_str("Policies: no change\n");
    }
    for p in &w.added {
        let _ = writeln!(o, "  + {p}  (now applies)");
    }
    for p in &w.removed {
        let _ = writeln!(o, "  - {p}  (no longer applies)");
    }
    if w.flipped.is_empty() {
        o.push_str("\nNo criterion or condition changed its value.\n");
    } else {
        o.push_str("\nWhat flipped and why:\n");
    }
    for f in &w.flipped {
        let why = if f.because.is_empty() {
            String::new()
        } else {
            let parts: Vec<String> = f
                .because
                .iter()
                .filter_map(|n| w.set.iter().find(|s| &s.fact == n))
                .map(|s| format!("{}: {} → {}", s.fact, s.before, s.after))
                .collect();
            format!("  because {}", parts.join(", "))
        };
        let _ = writeln!(
            o,
            "  {} {} `{}`: {} → {}{why}",
            f.owner, f.name, f.source, f.before, f.after
        );
    }
    o
}
