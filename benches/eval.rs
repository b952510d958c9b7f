//! Reference workload, eval-only benchmarks: meso's evaluators (facts already in slots: the
//! block evaluator `meso batch` runs, one record at a time into a reused summary, the full
//! `Outcome`), the hand-written rules, and the parse-only floor (JSONL with
//! serde_json and CSV with the csv crate into a typed struct), in one run, per record.
//!
//! `cargo bench --bench eval` (criterion reports time per batch and elements/s; the batch is
//! `RECORDS` records, so ns/record = time / RECORDS). docs/performance.md has the figures.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
#[path = "workload/handwritten.rs"]
mod handwritten;
#[allow(dead_code)]
#[path = "workload/record.rs"]
mod record;
#[allow(dead_code)]
#[path = "workload/slots.rs"]
mod slots;

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// Records per iteration: enough to mix all the record kinds, few enough that every
/// engine's input stays in the cache, as one record's slots do in a batch.
const RECORDS: usize = 1_000;

fn workload(c: &mut Criterion) {
    let records = record::generate(RECORDS, record::SEED);
    let compiled = slots::load_typology().unwrap();
    let slots = slots::Slots::new(compiled.program()).unwrap();
    let facts: Vec<meso::facts::Facts> = records.iter().map(|r| slots.facts(r)).collect();
    let mut jsonl = Vec::new();
    let mut csv_text = Vec::new();
    record::write_csv_header(&mut csv_text).unwrap();
    for r in &records {
        record::write_jsonl(r, &mut jsonl).unwrap();
        record::write_csv(r, &mut csv_text).unwrap();
    }
    let jsonl = String::from_utf8(jsonl).unwrap();

    let mut group = c.benchmark_group("workload");
    group.throughput(Throughput::Elements(RECORDS as u64));
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    group.sample_size(30);

    group.bench_function("meso_eval", |b| {
        let mut out = meso::eval::Outcome::default();
        let mut one = meso::eval::Evaluator::new(&compiled);
        b.iter(|| {
            for f in &facts {
                one.evaluate_into(black_box(f), &mut out);
                black_box(&out);
            }
        })
    });
    group.bench_function("meso_eval_summary", |b| {
        let mut out = meso::eval::OutcomeSummary::default();
        let mut one = meso::eval::Evaluator::new(&compiled);
        b.iter(|| {
            for f in &facts {
                one.evaluate_summary_into(black_box(f), &mut out);
                black_box(&out);
            }
        })
    });
    group.bench_function("meso_eval_block", |b| {
        // What `meso batch` runs: a block of records at a time, every row read.
        let mut block = meso::eval::BlockEvaluator::new(&compiled);
        b.iter(|| {
            for chunk in facts.chunks(meso::eval::BLOCK) {
                block.evaluate(black_box(chunk));
                for i in 0..block.len() {
                    black_box(block.row(i));
                }
            }
        })
    });
    group.bench_function("handwritten_eval", |b| {
        b.iter(|| {
            for r in &records {
                black_box(handwritten::decide(black_box(r)));
            }
        })
    });
    group.bench_function("parse_floor_jsonl", |b| {
        b.iter(|| {
            for line in jsonl.lines() {
                let r: record::Record = serde_json::from_str(line).unwrap();
                black_box(r);
            }
        })
    });
    group.bench_function("parse_floor_csv", |b| {
        b.iter(|| {
            let mut reader = csv::Reader::from_reader(csv_text.as_slice());
            for r in reader.deserialize::<record::Record>() {
                black_box(r.unwrap());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, workload);
criterion_main!(benches);
