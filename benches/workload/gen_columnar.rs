//! The reference workload's data as Parquet or Arrow IPC: the records of `gen_workload`
//! (same generator, same seed), in typed columns: `id` utf8, `firms` and `employment`
//! int64, shares and ratios float64, levels and alternatives dictionary<int8, utf8> (what
//! pandas, Polars and Spark write for categorical columns).
//!
//! `cargo run --release --example gen_columnar -- 1000000 --format parquet --out data.parquet`
//! (`--format arrow` for the Arrow IPC file format).

#[allow(dead_code)]
#[path = "record.rs"]
mod record;

use std::process::ExitCode;
use std::sync::Arc;

use arrow_array::builder::{Float64Builder, Int64Builder, StringBuilder, StringDictionaryBuilder};
use arrow_array::types::Int8Type;
use arrow_array::{ArrayRef, RecordBatch};

const BATCH: usize = 65_536;

fn usage() -> ExitCode {
    eprintln!("usage: gen_columnar N --format parquet|arrow --out FILE [--seed S]");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (mut n, mut format, mut out, mut seed) =
        (None, String::from("parquet"), None, record::SEED);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--format" => match args.next() {
                Some(f) if f == "parquet" || f == "arrow" => format = f,
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
            _ => match arg.parse::<usize>() {
                Ok(count) if n.is_none() => n = Some(count),
                _ => return usage(),
            },
        }
    }
    let (Some(n), Some(out)) = (n, out) else {
        return usage();
    };
    match write(n, seed, &format, &out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_columnar: {e}");
            ExitCode::from(1)
        }
    }
}

fn batch(records: &[record::Record]) -> Result<RecordBatch, Box<dyn std::error::Error>> {
    let mut id = StringBuilder::new();
    let mut ints: Vec<Int64Builder> = (0..2).map(|_| Int64Builder::new()).collect();
    let mut floats: Vec<Float64Builder> = (0..7).map(|_| Float64Builder::new()).collect();
    // Every batch has the same dictionaries (an Arrow IPC file holds one per column).
    let levels = arrow_array::StringArray::from(vec!["low", "medium", "high"]);
    let markets = arrow_array::StringArray::from(vec!["local", "domestic", "international"]);
    let origins = arrow_array::StringArray::from(vec![
        "local_artisanal",
        "import_substitution",
        "foreign_investment",
        "resource_based",
    ]);
    let mut names: Vec<StringDictionaryBuilder<Int8Type>> = Vec::new();
    for i in 0..7 {
        let dict = match i {
            0 => &markets,
            6 => &origins,
            _ => &levels,
        };
        names.push(StringDictionaryBuilder::new_with_dictionary(
            records.len(),
            dict,
        )?);
    }
    for r in records {
        id.append_value(&r.id);
        for (b, v) in ints.iter_mut().zip([r.firms, r.employment]) {
            b.append_value(i64::try_from(v)?);
        }
        let fs = [
            r.share_micro_small,
            r.share_large,
            r.foreign_output_share,
            r.export_share,
            r.interfirm_linkage_ratio,
            r.specialization_lq,
            r.informality,
        ];
        for (b, v) in floats.iter_mut().zip(fs) {
            b.append_value(v);
        }
        let ns = [
            r.main_market.as_str(),
            r.barriers_to_entry.as_str(),
            r.tech_complexity.as_str(),
            r.interfirm_cooperation.as_str(),
            r.trust.as_str(),
            r.local_rd.as_str(),
            r.origin.as_str(),
        ];
        for (b, v) in names.iter_mut().zip(ns) {
            b.append_value(v);
        }
    }
    let mut cols: Vec<(&str, ArrayRef)> = vec![("id", Arc::new(id.finish()))];
    let mut ints = ints.into_iter();
    let mut floats = floats.into_iter();
    let mut names = names.into_iter();
    // The column order of the CSV output (record::COLUMNS).
    for name in record::COLUMNS.iter().skip(1) {
        let array: ArrayRef = match *name {
            "firms" | "employment" => Arc::new(ints.next().ok_or("columns")?.finish()),
            "main_market"
            | "barriers_to_entry"
            | "tech_complexity"
            | "interfirm_cooperation"
            | "trust"
            | "local_rd"
            | "origin" => Arc::new(names.next().ok_or("columns")?.finish()),
            _ => Arc::new(floats.next().ok_or("columns")?.finish()),
        };
        cols.push((name, array));
    }
    Ok(RecordBatch::try_from_iter(cols)?)
}

fn write(n: usize, seed: u64, format: &str, out: &str) -> Result<(), Box<dyn std::error::Error>> {
    let mut g = record::Generator::new(seed);
    let file = std::fs::File::create(out)?;
    let mut left = n;
    let mut first = batch(&[])?;
    let schema = first.schema();
    enum W {
        P(parquet::arrow::ArrowWriter<std::fs::File>),
        A(arrow_ipc::writer::FileWriter<std::fs::File>),
    }
    let mut w = if format == "parquet" {
        let props = parquet::file::properties::WriterProperties::builder()
            .set_compression(parquet::basic::Compression::ZSTD(
                parquet::basic::ZstdLevel::try_new(1)?,
            ))
            .build();
        W::P(parquet::arrow::ArrowWriter::try_new(
            file,
            schema,
            Some(props),
        )?)
    } else {
        W::A(arrow_ipc::writer::FileWriter::try_new(file, &schema)?)
    };
    while left > 0 {
        let k = left.min(BATCH);
        let records: Vec<record::Record> = (0..k).map(|_| g.next_record()).collect();
        first = batch(&records)?;
        match &mut w {
            W::P(p) => p.write(&first)?,
            W::A(a) => a.write(&first)?,
        }
        left -= k;
    }
    match w {
        W::P(p) => {
            p.close()?;
        }
        W::A(mut a) => a.finish()?,
    }
    Ok(())
}
