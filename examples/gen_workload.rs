//! Generator of the reference workload's data: N cluster records with a fixed seed, as JSONL
//! or CSV, on standard output or into a file.
//!
//! `cargo run --release --example gen_workload -- 1000000 --format csv --out data.csv`
//! (`--seed S` to draw a different data set; the default is the one the benchmarks use).

#[allow(dead_code)]
#[path = "../benches/workload/record.rs"]
mod record;

use std::io::{BufWriter, Write};
use std::process::ExitCode;

fn usage() -> ExitCode {
    eprintln!("usage: gen_workload N [--format jsonl|csv] [--out FILE] [--seed S]");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut n: Option<usize> = None;
    let mut format = String::from("jsonl");
    let mut out: Option<String> = None;
    let mut seed = record::SEED;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--format" => match args.next() {
                Some(f) if f == "jsonl" || f == "csv" => format = f,
                _ => return usage(),
            },
            "--out" => match args.next() {
                Some(f) => out = Some(f),
                None => return usage(),
            },
            "--seed" => match args.next().and_then(|s| s.parse().ok()) {
                Some(s) => seed = s,
                None => return usage(),
            },
            _ => match arg.parse() {
                Ok(count) if n.is_none() => n = Some(count),
                _ => return usage(),
            },
        }
    }
    let Some(n) = n else { return usage() };
    let sink: Box<dyn Write> = match &out {
        Some(path) => match std::fs::File::create(path) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("gen_workload: cannot create `{path}`: {e}");
                return ExitCode::from(2);
            }
        },
        None => Box::new(std::io::stdout().lock()),
    };
    let mut w = BufWriter::with_capacity(1 << 16, sink);
    match write_all(&mut w, n, seed, &format) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_workload: {e}");
            ExitCode::from(1)
        }
    }
}

fn write_all(w: &mut impl Write, n: usize, seed: u64, format: &str) -> std::io::Result<()> {
    let mut g = record::Generator::new(seed);
    if format == "csv" {
        record::write_csv_header(w)?;
    }
    for _ in 0..n {
        let r = g.next_record();
        if format == "csv" {
            record::write_csv(&r, w)?;
        } else {
            record::write_jsonl(&r, w)?;
        }
    }
    w.flush()
}
