//! Evaluation, differential test: the compiled layer (`Compiled::evaluate`,
//! `Evaluator::evaluate_into`) and the reference interpreter (`evaluate`, and
//! `evaluate_observed` for traces) give the same `Outcome` on every rule set shipped, for
//! random facts with many of them unknown; the summary layer's lean batch result
//! (`Evaluator::evaluate_summary_into`) says the same as the full outcome, and the block
//! layer (`BlockEvaluator`) the same as the summary layer.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[allow(dead_code)]
#[path = "../benches/workload/record.rs"]
mod record;

use std::path::Path;
use std::sync::Arc;

use meso::eval::{
    evaluate, evaluate_observed, BlockEvaluator, Compiled, Evaluator, Observer, Outcome,
    OutcomeSummary, Row, BLOCK,
};
use meso::facts::Facts;
use meso::ir::{FactType, Program};
use meso::value::Value;
use meso::vocab::{PolicyStatus, TypeStatus};
use record::SplitMix64;

/// Watches nothing, but is active: the evaluator then takes the interpreter path.
struct Watch;

impl Observer for Watch {}

/// The rule set at `path` (from the repository's root), compiled.
fn compiled(path: &str) -> Compiled {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let sources = meso::ruleset::read_sources(&dir).unwrap();
    meso::ruleset::load(sources, &[])
        .map_err(|f| format!("{} errors", f.errors.len()))
        .unwrap()
        .compiled
}

/// Random facts: a third unknown, numbers often on round values (thresholds), every kind.
fn random_facts(program: &Program, rng: &mut SplitMix64) -> Facts {
    random_facts_with(program, rng, 0.33)
}

/// Random facts, each unknown with probability `unknown`.
fn random_facts_with(program: &Program, rng: &mut SplitMix64, unknown: f64) -> Facts {
    let mut facts = Facts::unknown(program.facts.len());
    for (slot, fact) in facts.values.iter_mut().zip(&program.facts) {
        if rng.chance(unknown) {
            continue;
        }
        *slot = match &fact.ty {
            FactType::Number | FactType::Integer => Value::Number(match rng.below(4) {
                0 => rng.below(10) as f64,
                1 => rng.below(1000) as f64,
                2 => (rng.unit() * 5.0 * 100.0).round() / 100.0,
                _ => rng.below(100_000) as f64,
            }),
            FactType::Ratio => Value::Number(if rng.chance(0.3) {
                rng.below(11) as f64 / 10.0
            } else {
                rng.unit()
            }),
            FactType::Boolean => Value::Bool(rng.chance(0.5)),
            FactType::Level { levels, .. } => Value::Level(rng.below(levels.len() as u64) as u32),
            FactType::Set { members } => {
                let n = members.len().min(63) as u32;
                Value::Set(rng.next_u64() & ((1u64 << n) - 1))
            }
            FactType::Text => {
                let names = ["Brazil", "Mexico", "Peru", "Costa Rica", "Italy"];
                Value::Text(Arc::from(names[rng.below(names.len() as u64) as usize]))
            }
        };
    }
    facts
}

fn agree(path: &str, records: usize) {
    let compiled = compiled(path);
    let program = compiled.program();
    let mut one = Evaluator::new(&compiled);
    let mut rng = SplitMix64::new(0x706c_616e);
    let mut reused = Outcome::default();
    for i in 0..records {
        let facts = random_facts(program, &mut rng);
        let interpreted = evaluate_observed(program, &facts, &mut Watch);
        assert_eq!(evaluate(program, &facts), interpreted, "{path}, record {i}");
        let planned = compiled.evaluate(&facts);
        assert_eq!(planned, interpreted, "{path}, record {i}: {facts:?}");
        one.evaluate_into(&facts, &mut reused);
        assert_eq!(reused, interpreted, "{path}, record {i} (reused outcome)");
    }
}

/// The summary a batch row is written from, taken from a full outcome.
fn assert_summary(program: &Program, summary: &OutcomeSummary, full: &Outcome, what: &str) {
    let types: Vec<(TypeStatus, f64)> = full.types.iter().map(|t| (t.status, t.score)).collect();
    let got: Vec<(TypeStatus, f64)> = summary.types.iter().map(|t| (t.status, t.score)).collect();
    assert_eq!(got, types, "{what}: types");
    assert_eq!(summary.classification, full.classification, "{what}");
    assert_eq!(summary.applicable, full.applicable, "{what}");
    let mut unknown = Vec::new();
    for t in full
        .types
        .iter()
        .filter(|t| t.status == TypeStatus::Undetermined)
    {
        unknown.extend_from_slice(&t.unknown_facts);
    }
    for p in &full.policies {
        if p.status == PolicyStatus::Undetermined {
            unknown.extend_from_slice(&p.unknown_facts);
        }
    }
    unknown.sort_unstable();
    unknown.dedup();
    assert_eq!(summary.unknown_facts, unknown, "{what}: unknown facts");
    assert_eq!(summary.types.len(), program.types.len());
}

fn summary_agrees(path: &str, records: usize) {
    let compiled = compiled(path);
    let program = compiled.program();
    let mut one = Evaluator::new(&compiled);
    let mut rng = SplitMix64::new(0x7375_6d6d);
    let mut summary = OutcomeSummary::default();
    for i in 0..records {
        // Every fact known, a few unknown, many unknown: the fast path and the fallback.
        let unknown = [0.0, 0.03, 0.33][i % 3];
        let facts = random_facts_with(program, &mut rng, unknown);
        let full = evaluate_observed(program, &facts, &mut Watch);
        one.evaluate_summary_into(&facts, &mut summary);
        assert_summary(
            program,
            &summary,
            &full,
            &format!("{path}, record {i}: {facts:?}"),
        );
    }
}

#[test]
fn summary_agrees_with_the_full_outcome() {
    summary_agrees("rules", 3000);
    summary_agrees("examples/rulesets/suzigan", 2000);
    summary_agrees("benches/workload/typology.meso", 3000);
    // `is known`, boolean facts, `or`, `not`, `extends`, excluding criteria.
    summary_agrees("tests/cases/logic", 3000);
}

/// The same row from the block evaluator as from `evaluate_summary_into`, compared field
/// by field (scores to the last bit).
fn assert_same_row(block: Option<Row<'_>>, single: &OutcomeSummary, what: &str) {
    let row = |s: Row<'_>| {
        let types: Vec<(TypeStatus, u64)> = s
            .types
            .iter()
            .map(|t| (t.status, t.score.to_bits()))
            .collect();
        (
            types,
            s.classification,
            s.applicable.to_vec(),
            s.unknown_facts.to_vec(),
        )
    };
    let block = block.expect("a row for every record");
    assert_eq!(row(block), row(single.row()), "{what}");
}

/// Runs of random records of every length around a block's, with every fact known, a few
/// unknown or many unknown: the block evaluator gives each record the row
/// `evaluate_summary_into` gives it, through the words and through the fallback.
fn block_agrees(path: &str, runs: usize) {
    let compiled = compiled(path);
    let program = compiled.program();
    let mut rng = SplitMix64::new(0x626c_6f63);
    let mut block = BlockEvaluator::new(&compiled);
    let mut one = Evaluator::new(&compiled);
    let mut single = OutcomeSummary::default();
    let lengths = [0, 1, 7, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 5];
    for run in 0..runs {
        let n = lengths[run % lengths.len()];
        let unknown = [0.0, 0.0, 0.01, 0.33][run % 4];
        let records: Vec<Facts> = (0..n)
            .map(|_| random_facts_with(program, &mut rng, unknown))
            .collect();
        block.evaluate(&records);
        assert_eq!(block.len(), n);
        assert!(block.row(n).is_none());
        for (i, facts) in records.iter().enumerate() {
            one.evaluate_summary_into(facts, &mut single);
            let what = format!("{path}, run {run}, record {i}: {facts:?}");
            assert_same_row(block.row(i), &single, &what);
        }
    }
}

#[test]
fn blocks_of_records_agree_with_one_record_at_a_time() {
    // Evaluated in blocks: comparisons and logic (`is known`, booleans, `or`, `not`,
    // `extends`, excluding criteria).
    block_agrees("benches/workload/typology.meso", 60);
    block_agrees("tests/cases/logic", 60);
    // Eleven types, twelve policies, a type with ten indicative criteria (no score table).
    block_agrees("tests/cases/wide", 60);
    // Arithmetic, text and derived values read as values: those steps record by record.
    block_agrees("rules", 60);
    block_agrees("examples/rulesets/suzigan", 60);
}

#[test]
fn plan_and_interpreter_agree_on_the_shipped_rules() {
    agree("rules", 3000);
}

#[test]
fn plan_and_interpreter_agree_on_the_suzigan_rules() {
    agree("examples/rulesets/suzigan", 2000);
}

#[test]
fn plan_and_interpreter_agree_on_the_workload_typology() {
    agree("benches/workload/typology.meso", 2000);
}

#[test]
fn reused_results_serve_another_compiled_program() {
    let (a, b) = (
        compiled("rules"),
        compiled("benches/workload/typology.meso"),
    );
    let mut evaluators = [Evaluator::new(&a), Evaluator::new(&b)];
    let mut rng = SplitMix64::new(7);
    let mut out = Outcome::default();
    let mut summary = OutcomeSummary::default();
    for _ in 0..50 {
        for (c, one) in [&a, &b].into_iter().zip(&mut evaluators) {
            let p = c.program();
            let facts = random_facts(p, &mut rng);
            one.evaluate_into(&facts, &mut out);
            let full = evaluate_observed(p, &facts, &mut Watch);
            assert_eq!(out, full);
            one.evaluate_summary_into(&facts, &mut summary);
            assert_summary(p, &summary, &full, "after another program");
        }
    }
}
