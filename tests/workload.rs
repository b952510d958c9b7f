//! Reference workload, correctness guard: meso (benches/workload/typology.meso) and the
//! hand-written rules agree on every generated record (the full outcome, the lean batch
//! result and the block evaluator), and both formats of the generated data read back to the same records. No timing here; benches/eval.rs times them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
#[path = "../benches/workload/handwritten.rs"]
mod handwritten;
#[allow(dead_code)]
#[path = "../benches/workload/record.rs"]
mod record;
#[allow(dead_code)]
#[path = "../benches/workload/slots.rs"]
mod slots;

use std::collections::BTreeMap;

const RECORDS: usize = 20_000;

#[test]
fn meso_and_handwritten_rules_agree_on_every_record() {
    let compiled = slots::load_typology().unwrap();
    let slots = slots::Slots::new(compiled.program()).unwrap();
    let mut one = meso::eval::Evaluator::new(&compiled);
    let mut out = meso::eval::Outcome::default();
    let mut lean = meso::eval::OutcomeSummary::default();
    let mut disagreements = Vec::new();
    let records = record::generate(RECORDS, record::SEED);
    for r in &records {
        let facts = slots.facts(r);
        one.evaluate_into(&facts, &mut out);
        let ours = slots.summary(&out);
        let theirs = handwritten::summary(&handwritten::decide(r));
        if ours != theirs {
            disagreements.push(format!("{}: meso `{ours}`, hand-written `{theirs}`", r.id));
        }
        one.evaluate_summary_into(&facts, &mut lean);
        let batch = slots.lean_summary(lean.row());
        if batch != theirs {
            disagreements.push(format!(
                "{}: meso batch `{batch}`, hand-written `{theirs}`",
                r.id
            ));
        }
    }
    // In blocks, as `meso batch` evaluates them.
    let mut block = meso::eval::BlockEvaluator::new(&compiled);
    for chunk in records.chunks(meso::eval::BLOCK) {
        let facts: Vec<meso::facts::Facts> = chunk.iter().map(|r| slots.facts(r)).collect();
        block.evaluate(&facts);
        for (i, r) in chunk.iter().enumerate() {
            let ours = slots.lean_summary(block.row(i).unwrap());
            let theirs = handwritten::summary(&handwritten::decide(r));
            if ours != theirs {
                disagreements.push(format!(
                    "{}: meso block `{ours}`, hand-written `{theirs}`",
                    r.id
                ));
            }
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {RECORDS} records disagree, first: {:#?}",
        disagreements.len(),
        &disagreements[..disagreements.len().min(5)]
    );
}

#[test]
fn generated_data_has_the_workload_distribution() {
    let records = record::generate(RECORDS, record::SEED);
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut policies = [0usize; 10];
    for r in &records {
        let d = handwritten::decide(r);
        let key = match (d.policies & 1 != 0, d.matched) {
            (true, _) => "not_a_cluster",
            (false, [false, false, false]) => "no_type",
            (false, [true, false, false]) => "survival",
            (false, [false, true, false]) => "mass_producer",
            (false, [false, false, true]) => "tnc",
            _ => "hybrid",
        };
        *counts.entry(key).or_default() += 1;
        for (i, n) in policies.iter_mut().enumerate() {
            *n += usize::from(d.policies & (1 << i) != 0);
        }
    }
    eprintln!("distribution of {RECORDS} records: {counts:?}; policies: {policies:?}");
    let share = |k: &str| counts.get(k).copied().unwrap_or(0) as f64 / RECORDS as f64;
    for k in ["not_a_cluster", "survival", "mass_producer", "tnc"] {
        assert!((0.17..0.30).contains(&share(k)), "{k}: {counts:?}");
    }
    assert!(share("no_type") > 0.03, "{counts:?}");
    assert!(share("hybrid") < 0.05, "{counts:?}");
    for (name, n) in handwritten::POLICIES.iter().zip(policies) {
        assert!(n > RECORDS / 50, "policy {name} fires on only {n} records");
    }
}

#[test]
fn generator_is_deterministic_and_both_formats_read_back() {
    let a = record::generate(500, record::SEED);
    assert_eq!(a, record::generate(500, record::SEED));
    assert_ne!(a, record::generate(500, record::SEED + 1));

    let mut jsonl = Vec::new();
    let mut csv_text = Vec::new();
    record::write_csv_header(&mut csv_text).unwrap();
    for r in &a {
        record::write_jsonl(r, &mut jsonl).unwrap();
        record::write_csv(r, &mut csv_text).unwrap();
    }
    let from_json: Vec<record::Record> = std::str::from_utf8(&jsonl)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(from_json, a);
    let from_csv: Vec<record::Record> = csv::Reader::from_reader(csv_text.as_slice())
        .deserialize()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(from_csv, a);
}
