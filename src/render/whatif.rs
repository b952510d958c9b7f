//! Render stage, what-if: a [`WhatIf`] comparison (built by `trace::whatif`) → the text
//! `meso what-if` prints: the changed facts, a before/after table of the classification and
//! every type, the policies that now apply or no longer apply, and what flipped and why.

use std::fmt::Write;

use crate::trace::whatif::WhatIf;
use crate::vocab::TypeStatus;

/// Render side by side as text.
pub fn render_text(w: &WhatIf) -> String {
    // A type's status and score as one cell; "changed" compares the cells as shown.
    let cell = |(status, score): (TypeStatus, f64)| format!("{} {score:.2}", status.words());
    let types: Vec<(&str, String, String)> = w
        .types
        .iter()
        .map(|t| (t.name.as_str(), cell(t.before), cell(t.after)))
        .collect();
    let mut o = String::new();
    let set: Vec<String> = w
        .set
        .iter()
        .map(|s| format!("{} = {} (was {})", s.fact, s.after, s.before))
        .collect();
    let _ = writeln!(o, "What if {}?\n", set.join(", "));
    let width = types
        .iter()
        .map(|t| t.0.chars().count())
        .chain([14])
        .max()
        .unwrap_or(14);
    let col = types
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
    for (name, b, a) in &types {
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
