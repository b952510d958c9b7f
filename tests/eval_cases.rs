//! Evaluation cases: each folder of tests/cases/eval/ holds a rule set (`rules.meso`) and
//! the facts about one cluster (`facts.yaml`, `.json` or `.toml`); its outcome, as an
//! auditor reads it (each type's status, score, criteria and missing facts; the
//! classification, ties and hybrids; each policy's status; the applicable list; derived
//! values), is one insta snapshot. Every case also holds the evaluation paths to one answer:
//! the reference interpreter, the compiled plan (fresh and into a reused outcome), the lean
//! summary row and the block evaluator. Adding a case needs no Rust.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use meso::eval::{self, BlockEvaluator, Evaluator, Outcome, OutcomeSummary, TypeOutcome, BLOCK};
use meso::facts::{self, Facts, LoadOptions};
use meso::ir::{FactId, Program, TypeId};
use meso::ruleset::{self, RuleSet};
use meso::value::{format_number, Value};
use meso::vocab::{PolicyStatus, TypeStatus};

/// The case's rule set, loaded and compiled.
fn rules(dir: &Path) -> RuleSet {
    let sources = ruleset::read_sources(&dir.join("rules.meso")).unwrap();
    ruleset::load(sources, &[])
        .unwrap_or_else(|f| panic!("{}: {} rule errors", dir.display(), f.errors.len()))
}

/// The case's facts file: the one `facts.*` in its folder.
fn facts_file(dir: &Path) -> PathBuf {
    let found: Vec<PathBuf> = ["yaml", "json", "toml"]
        .iter()
        .map(|ext| dir.join(format!("facts.{ext}")))
        .filter(|p| p.exists())
        .collect();
    match found.as_slice() {
        [one] => one.clone(),
        _ => panic!(
            "{}: needs exactly one facts file, found {found:?}",
            dir.display()
        ),
    }
}

fn names<T>(ids: impl IntoIterator<Item = T>, name: impl Fn(T) -> String) -> String {
    let list: Vec<String> = ids.into_iter().map(name).collect();
    if list.is_empty() {
        "-".into()
    } else {
        list.join(", ")
    }
}

fn value(v: &Value) -> String {
    match v {
        Value::Unknown => "unknown".into(),
        Value::Number(n) => format_number(*n),
        Value::Bool(b) => b.to_string(),
        Value::Level(k) => format!("level #{k}"),
        Value::Text(t) => format!("{t:?}"),
        Value::Set(bits) => format!("set {bits:#b}"),
    }
}

/// The outcome as an auditor reads it.
fn render(program: &Program, out: &Outcome) -> String {
    let fact = |f: FactId| program.facts[f.index()].name.clone();
    let ty = |t: TypeId| program.types[t.index()].name.clone();
    let mut s = String::new();
    if !program.derived.is_empty() {
        s.push_str("derived:\n");
        for (d, v) in program.derived.iter().zip(&out.derived) {
            writeln!(s, "  {} = {}", d.name, value(v)).unwrap();
        }
    }
    s.push_str("types:\n");
    for (decl, t) in program.types.iter().zip(&out.types) {
        let TypeOutcome {
            status,
            parent_status,
            score,
            score_max,
            ..
        } = t;
        write!(s, "  {}: {}", decl.name, status.words()).unwrap();
        if let Some(p) = parent_status {
            write!(s, " (parent {})", p.words()).unwrap();
        }
        writeln!(
            s,
            ", score {} (at most {})",
            format_number(*score),
            format_number(*score_max)
        )
        .unwrap();
        let groups = [
            ("required", &decl.required, &t.required),
            ("indicative", &decl.indicative, &t.indicative),
            ("excluding", &decl.excluding, &t.excluding),
        ];
        for (group, criteria, truths) in groups {
            if criteria.is_empty() {
                continue;
            }
            let list = names(criteria.iter().zip(truths), |(c, truth)| {
                format!("{} {truth}", c.name)
            });
            writeln!(s, "    {group}: {list}").unwrap();
        }
        if !t.settled_facts.is_empty() {
            writeln!(
                s,
                "    would not change the result: {}",
                names(t.settled_facts.iter().copied(), fact)
            )
            .unwrap();
        }
        // Shown whenever there are any (decided types have none).
        if *status == TypeStatus::Undetermined || !t.unknown_facts.is_empty() {
            writeln!(
                s,
                "    missing: {}",
                names(t.unknown_facts.iter().copied(), fact)
            )
            .unwrap();
        }
    }
    writeln!(s, "classification: {}", names(out.classification, ty)).unwrap();
    writeln!(s, "tied: {}", names(out.tied.iter().copied(), ty)).unwrap();
    writeln!(s, "hybrids: {}", names(out.hybrids.iter().copied(), ty)).unwrap();
    // Shown only when something leads provisionally (facts missing).
    if out.provisional.is_some() {
        writeln!(s, "provisional: {}", names(out.provisional, ty)).unwrap();
        writeln!(
            s,
            "  alternatives: {}",
            names(out.provisional_alternatives.iter().copied(), ty)
        )
        .unwrap();
        let policy = |id: meso::ir::PolicyId| program.policies[id.index()].name.clone();
        writeln!(
            s,
            "  policies: {}",
            names(out.provisional_policies.iter().copied(), policy)
        )
        .unwrap();
    }
    s.push_str(if program.policies.is_empty() {
        "policies: -\n"
    } else {
        "policies:\n"
    });
    for (decl, p) in program.policies.iter().zip(&out.policies) {
        write!(
            s,
            "  {} {}: {}",
            decl.kind.keyword(),
            decl.name,
            decl.kind.status_words(p.status)
        )
        .unwrap();
        if let Some(c) = p.condition {
            write!(s, " (when {c})").unwrap();
        }
        s.push('\n');
        if p.status == PolicyStatus::Undetermined || !p.unknown_facts.is_empty() {
            writeln!(
                s,
                "    missing: {}",
                names(p.unknown_facts.iter().copied(), fact)
            )
            .unwrap();
        }
    }
    let policy = |id: meso::ir::PolicyId| program.policies[id.index()].name.clone();
    writeln!(
        s,
        "applicable: {}",
        names(out.applicable.iter().copied(), policy)
    )
    .unwrap();
    s
}

/// The lean row every batch path gives, from a full outcome.
fn summary_of(out: &Outcome) -> OutcomeSummary {
    let mut unknown: Vec<FactId> = Vec::new();
    for t in out
        .types
        .iter()
        .filter(|t| t.status == TypeStatus::Undetermined)
    {
        unknown.extend(&t.unknown_facts);
    }
    for p in out
        .policies
        .iter()
        .filter(|p| p.status == PolicyStatus::Undetermined)
    {
        unknown.extend(&p.unknown_facts);
    }
    unknown.sort_unstable();
    unknown.dedup();
    OutcomeSummary {
        types: out
            .types
            .iter()
            .map(|t| eval::TypeSummary {
                status: t.status,
                score: t.score,
            })
            .collect(),
        classification: out.classification,
        applicable: out.applicable.clone(),
        unknown_facts: unknown,
        provisional: out.provisional,
        provisional_policies: out.provisional_policies.clone(),
    }
}

/// Every evaluation path gives the reference outcome (or its lean row).
fn assert_paths_agree(rules: &RuleSet, facts: &Facts, reference: &Outcome, case: &str) {
    let compiled = &rules.compiled;
    assert_eq!(&compiled.evaluate(facts), reference, "{case}: compiled");
    let mut one = Evaluator::new(compiled);
    // Reused twice: the second run starts from the first's buffers.
    let mut out = Outcome::default();
    let mut summary = OutcomeSummary::default();
    for _ in 0..2 {
        one.evaluate_into(facts, &mut out);
        assert_eq!(&out, reference, "{case}: compiled into a reused outcome");
        one.evaluate_summary_into(facts, &mut summary);
        assert_eq!(summary, summary_of(reference), "{case}: summary");
    }
    // A block of copies, and a record alone.
    let mut block = BlockEvaluator::new(compiled);
    for n in [1, BLOCK + 1] {
        let records = vec![facts.clone(); n];
        block.evaluate(&records);
        for i in 0..n {
            assert_eq!(
                block.row(i),
                Some(summary.row()),
                "{case}: block row {i} of {n}"
            );
        }
    }
}

#[test]
fn each_case_gives_its_outcome_on_every_path() {
    insta::glob!("cases/eval/*/rules.meso", |path| {
        let dir = path.parent().unwrap();
        let case = dir.file_name().unwrap().to_string_lossy().to_string();
        let rules = rules(dir);
        let file = facts_file(dir);
        let loaded = facts::load_facts_file(&rules.program, &file, None, &LoadOptions::default())
            .unwrap_or_else(|e| panic!("{case}: {} facts errors", e.errors.len()));
        let reference = eval::evaluate(&rules.program, &loaded.facts);
        assert_paths_agree(&rules, &loaded.facts, &reference, &case);
        insta::assert_snapshot!(render(&rules.program, &reference));
    });
}
