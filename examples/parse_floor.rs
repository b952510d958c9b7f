//! Reference workload, the parse-only floor for end-to-end runs: a JSONL or CSV file of
//! workload records (`examples/gen_workload.rs`) → each record read into the typed struct
//! of `benches/workload/record.rs` with serde_json (one line at a time, buffered reads) or the
//! csv crate, and nothing else. `benches/batch.sh` times this process next to `meso batch`
//! on the same file, so the ratio end-to-end / parse floor comes from one run.
//!
//! `parse_floor FILE` (format from the extension: `.jsonl` or `.csv`) prints the number of
//! records read to stdout.

#[allow(dead_code)]
#[path = "../benches/workload/record.rs"]
mod record;

use std::fs::File;
use std::hint::black_box;
use std::io::{BufRead, BufReader};
use std::process::ExitCode;

fn jsonl(path: &str) -> Result<u64, String> {
    let file = File::open(path).map_err(|e| format!("{path}: {e}"))?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut line = String::new();
    let mut n = 0u64;
    loop {
        line.clear();
        let read = reader
            .read_line(&mut line)
            .map_err(|e| format!("{path}: {e}"))?;
        if read == 0 {
            return Ok(n);
        }
        if line.trim().is_empty() {
            continue;
        }
        let r: record::Record =
            serde_json::from_str(&line).map_err(|e| format!("{path}: record {}: {e}", n + 1))?;
        black_box(r);
        n += 1;
    }
}

fn csv_file(path: &str) -> Result<u64, String> {
    let mut reader = csv::Reader::from_path(path).map_err(|e| format!("{path}: {e}"))?;
    let mut n = 0u64;
    for r in reader.deserialize::<record::Record>() {
        black_box(r.map_err(|e| format!("{path}: record {}: {e}", n + 1))?);
        n += 1;
    }
    Ok(n)
}

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: parse_floor FILE.jsonl|FILE.csv");
        return ExitCode::from(2);
    };
    let result = if path.ends_with(".csv") {
        csv_file(&path)
    } else {
        jsonl(&path)
    };
    match result {
        Ok(n) => {
            println!("{n}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("parse_floor: {e}");
            ExitCode::from(1)
        }
    }
}
