//! Reference workload, a plain timing loop without criterion, for profilers
//! (`valgrind --tool=callgrind`) and quick checks: evaluate N generated records R times with
//! meso (facts already in slots, one reused `Outcome`), meso's lean batch result
//! (`Evaluator::evaluate_summary_into`, one reused `OutcomeSummary`) or the hand-written rules.
//!
//! `cargo run --release --example eval_workload -- [meso|summary|block|handwritten] [N] [R]` prints
//! ns/record. Under callgrind, instructions per record = (Ir at R - Ir at 1) / ((R - 1) N).

#[allow(dead_code)]
#[path = "../benches/workload/handwritten.rs"]
mod handwritten;
#[allow(dead_code)]
#[path = "../benches/workload/record.rs"]
mod record;
#[allow(dead_code)]
#[path = "../benches/workload/slots.rs"]
mod slots;

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let engine = args.first().map_or("meso", String::as_str).to_string();
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let repeat: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100);
    let records = record::generate(n, record::SEED);
    let (compiled, slots) = match slots::load_typology().and_then(|p| {
        let s = slots::Slots::new(p.program())?;
        Ok((p, s))
    }) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("eval_workload: {e}");
            return ExitCode::from(1);
        }
    };
    let facts: Vec<meso::facts::Facts> = records.iter().map(|r| slots.facts(r)).collect();
    let mut out = meso::eval::Outcome::default();
    let mut lean = meso::eval::OutcomeSummary::default();
    let mut one = meso::eval::Evaluator::new(&compiled);
    let mut block = meso::eval::BlockEvaluator::new(&compiled);
    let start = Instant::now();
    for _ in 0..repeat {
        match engine.as_str() {
            "meso" => {
                for f in &facts {
                    one.evaluate_into(black_box(f), &mut out);
                    black_box(&out);
                }
            }
            "summary" => {
                for f in &facts {
                    one.evaluate_summary_into(black_box(f), &mut lean);
                    black_box(&lean);
                }
            }
            "block" => {
                // As `meso batch` runs it: a block of records at a time into reused rows.
                for chunk in facts.chunks(meso::eval::BLOCK) {
                    block.evaluate(black_box(chunk));
                    for i in 0..block.len() {
                        black_box(block.row(i));
                    }
                }
            }
            "handwritten" => {
                for r in &records {
                    black_box(handwritten::decide(black_box(r)));
                }
            }
            _ => {
                eprintln!("usage: eval_workload [meso|summary|block|handwritten] [N] [R]");
                return ExitCode::from(2);
            }
        }
    }
    let ns = start.elapsed().as_nanos() as f64 / (n * repeat) as f64;
    println!("{engine}: {ns:.1} ns/record ({n} records x {repeat})");
    ExitCode::SUCCESS
}
