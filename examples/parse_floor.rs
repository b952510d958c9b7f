//! Reference workload, the parse-only floor for end-to-end runs: a JSONL or CSV file of
//! workload records (`examples/gen_workload.rs`) → each record read into the typed struct
//! of `benches/workload/record.rs` with serde_json (one line at a time, buffered reads) or the
//! csv crate, and nothing else. `benches/batch.sh` times this process next to `meso batch`
//! on the same file, so the ratio end-to-end / parse floor comes from one run.
//!
//! `parse_floor FILE` (format from the extension: `.jsonl` or `.csv`) prints the number of
//! records read to stdout.
//!
//! `parse_floor FILE --handwritten OUT` also applies the hand-written rules
//! (`benches/workload/handwritten.rs`) to each record and writes one CSV row per record to
//! OUT (id, each type's matched flag and score, the recommended policies): the same job as
//! `meso batch` done by a program written for these rules only, end to end.

#[allow(dead_code)]
#[path = "../benches/workload/record.rs"]
mod record;

#[allow(dead_code)]
#[path = "../benches/workload/handwritten.rs"]
mod handwritten;

use std::io::Write;

/// What is done with each record read: nothing (the floor) or the hand-written rules with
/// an output row.
enum Sink {
    Nothing,
    Handwritten(std::io::BufWriter<File>),
}

impl Sink {
    fn take(&mut self, r: record::Record) -> Result<(), String> {
        match self {
            Sink::Nothing => {
                black_box(r);
                Ok(())
            }
            Sink::Handwritten(out) => {
                let d = handwritten::decide(&r);
                let mut row = String::with_capacity(128);
                row.push_str(&r.id);
                for (matched, score) in d.matched.iter().zip(d.scores) {
                    row.push_str(if *matched {
                        ",matched,"
                    } else {
                        ",not_matched,"
                    });
                    row.push_str(&format!("{}", (score * 10_000.0).round() / 10_000.0));
                }
                row.push(',');
                let mut first = true;
                for (i, name) in handwritten::POLICIES.iter().enumerate() {
                    if d.policies & (1 << i) != 0 {
                        if !first {
                            row.push(';');
                        }
                        row.push_str(name);
                        first = false;
                    }
                }
                row.push('\n');
                out.write_all(row.as_bytes()).map_err(|e| e.to_string())
            }
        }
    }
}

use std::fs::File;
use std::hint::black_box;
use std::io::{BufRead, BufReader};
use std::process::ExitCode;

fn jsonl(path: &str, sink: &mut Sink) -> Result<u64, String> {
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
        sink.take(r)?;
        n += 1;
    }
}

fn csv_file(path: &str, sink: &mut Sink) -> Result<u64, String> {
    let mut reader = csv::Reader::from_path(path).map_err(|e| format!("{path}: {e}"))?;
    let mut n = 0u64;
    for r in reader.deserialize::<record::Record>() {
        sink.take(r.map_err(|e| format!("{path}: record {}: {e}", n + 1))?)?;
        n += 1;
    }
    Ok(n)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (path, mut sink) = match args.as_slice() {
        [path] => (path.clone(), Sink::Nothing),
        [path, flag, out] if flag == "--handwritten" => match File::create(out) {
            Ok(f) => (
                path.clone(),
                Sink::Handwritten(std::io::BufWriter::with_capacity(1 << 16, f)),
            ),
            Err(e) => {
                eprintln!("parse_floor: {out}: {e}");
                return ExitCode::from(1);
            }
        },
        _ => {
            eprintln!("usage: parse_floor FILE.jsonl|FILE.csv [--handwritten OUT]");
            return ExitCode::from(2);
        }
    };
    let result = if path.ends_with(".csv") {
        csv_file(&path, &mut sink)
    } else {
        jsonl(&path, &mut sink)
    };
    let result = result.and_then(|n| match &mut sink {
        Sink::Handwritten(out) => out.flush().map(|()| n).map_err(|e| e.to_string()),
        Sink::Nothing => Ok(n),
    });
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
