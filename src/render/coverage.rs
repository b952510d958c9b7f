//! Render stage, test coverage: a rule set's `Program` + the [`Coverage`] its tests reach
//! (measured by `eval::coverage`) → the report `meso test --coverage` prints: text (per file,
//! what no test exercises, then a summary line) or one JSON document (for CI).

use indexmap::IndexMap;
use serde_json::{json, Value};

use crate::eval::coverage::{percent, Coverage};
use crate::ir::Program;
use crate::source::Span;
use crate::vocab::PolicyStatus;

/// `file` and 1-based line of a span.
fn file_line(program: &Program, span: Span) -> (String, usize) {
    match program.sources.get(span.file) {
        Some(f) => (f.name.clone(), f.line_col(span.start).0),
        None => ("<unknown>".into(), 0),
    }
}

/// What an item never was, in words: `never true, never false`.
fn gaps(pairs: &[(usize, &str)]) -> Vec<String> {
    pairs
        .iter()
        .filter(|(n, _)| *n == 0)
        .map(|(_, word)| format!("never {word}"))
        .collect()
}

/// The text report: per file, the lines no test exercises fully; then the summary line.
pub fn text(program: &Program, cov: &Coverage) -> String {
    let mut by_file: IndexMap<String, Vec<(usize, String)>> = IndexMap::new();
    for c in &cov.criteria {
        let missing = gaps(&[(c.seen.true_, "true"), (c.seen.false_, "false")]);
        if missing.is_empty() {
            continue;
        }
        let ty = program
            .types
            .get(c.type_id.index())
            .map_or("", |t| t.name.as_str());
        let (file, line) = file_line(program, c.span);
        by_file.entry(file).or_default().push((
            line,
            format!(
                "{ty} {} `{}`: {}",
                c.block.as_str(),
                c.name,
                missing.join(", ")
            ),
        ));
    }
    // `coverage::measure` gives one entry per policy, in declaration order.
    for (p, policy) in cov.policies.iter().zip(&program.policies) {
        let mut missing = gaps(&[
            (p.applies, policy.kind.applies_word()),
            (
                p.does_not_apply,
                &format!("not {}", policy.kind.applies_word()),
            ),
        ]);
        if let Some(c) = &p.condition {
            missing.extend(
                gaps(&[(c.true_, "true"), (c.false_, "false")])
                    .into_iter()
                    .map(|g| format!("condition {g}")),
            );
        }
        if missing.is_empty() {
            continue;
        }
        let (file, line) = file_line(program, policy.span);
        by_file.entry(file).or_default().push((
            line,
            format!("policy `{}`: {}", policy.name, missing.join(", ")),
        ));
    }
    let mut out = String::new();
    if !by_file.is_empty() {
        out.push_str("not exercised by any test:\n");
    }
    for (file, mut lines) in by_file {
        lines.sort_by_key(|(l, _)| *l);
        out.push_str(&format!("{file}\n"));
        for (line, text) in lines {
            out.push_str(&format!("  {line:>4}: {text}\n"));
        }
    }
    out.push_str(&format!("coverage: {}\n", cov.summary()));
    out
}

/// The JSON report.
pub fn json(program: &Program, cov: &Coverage, passed: usize, failed: usize) -> Value {
    let (ct, cf, cn) = cov.criteria_counts();
    let (wt, wf, wn) = cov.condition_counts();
    let (pa, pn, pt) = cov.policy_counts();
    let criteria: Vec<Value> = cov
        .criteria
        .iter()
        .map(|c| {
            let (file, line) = file_line(program, c.span);
            json!({
                "file": file,
                "line": line,
                "type": program.types.get(c.type_id.index()).map(|t| t.name.clone()),
                "block": c.block,
                "criterion": c.name,
                "seen": c.seen,
            })
        })
        .collect();
    let policies: Vec<Value> = cov
        .policies
        .iter()
        .zip(&program.policies)
        .map(|(p, policy)| {
            let (file, line) = file_line(program, policy.span);
            json!({
                "file": file,
                "line": line,
                "policy": policy.name,
                "kind": policy.kind.keyword(),
                (PolicyStatus::Applies.code()): p.applies,
                (PolicyStatus::DoesNotApply.code()): p.does_not_apply,
                (PolicyStatus::Undetermined.code()): p.undetermined,
                "condition": p.condition,
            })
        })
        .collect();
    json!({
        "tests": { "run": cov.tests, "passed": passed, "failed": failed },
        "summary": {
            "criteria": { "total": cn, "seen_true": ct, "seen_false": cf,
                          "percent_true": percent(ct, cn), "percent_false": percent(cf, cn) },
            "conditions": { "total": wn, "seen_true": wt, "seen_false": wf,
                            "percent_true": percent(wt, wn), "percent_false": percent(wf, wn) },
            "policies": { "total": pt, "applied": pa, "not_applied": pn,
                          "percent_applied": percent(pa, pt), "percent_not_applied": percent(pn, pt) },
        },
        "criteria": criteria,
        "policies": policies,
    })
}
