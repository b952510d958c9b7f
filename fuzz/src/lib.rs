//! The fuzz targets' bodies, shared by the libFuzzer binaries (`fuzz_targets/`) and the
//! corpus replay test (`tests/replay.rs`), so that the same code runs with or without
//! cargo-fuzz.
//!
//! Input: arbitrary bytes. Output: nothing; a panic, an abort, a hang or a failed
//! assertion is a finding.

use std::sync::OnceLock;

use meso::facts::{self, FactsFormat, LoadOptions};
use meso::render::diagnostics::{render, ErrorFormat};
use meso::ruleset::{self, RuleOrigin, RuleSet, RuleSources, RuleText};
use meso::source::{FileId, SourceFile};

fn source(text: &str) -> SourceFile {
    SourceFile {
        name: "fuzz.meso".into(),
        text: text.into(),
    }
}

/// Parse arbitrary text as a rule file; errors must render.
pub fn parse(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = meso::syntax::parse_file(FileId(0), &source(text)) {
        let _ = render(&e, ErrorFormat::Human, false);
        let _ = render(&e, ErrorFormat::Json, false);
    }
}

/// Parse and check arbitrary text as a one-file rule set; evaluate it on unknown facts when
/// it checks, and render every diagnostic.
pub fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let sources = RuleSources {
        origin: RuleOrigin::Embedded,
        files: vec![RuleText {
            relative: "fuzz.meso".into(),
            display: "fuzz.meso".into(),
            text: text.into(),
        }],
    };
    match ruleset::load(sources, &[]) {
        Ok(rules) => {
            for w in &rules.warnings {
                let _ = render(w, ErrorFormat::Human, false);
            }
            let unknown = facts::Facts::unknown(rules.program.facts.len());
            let _ = meso::eval::evaluate(&rules.program, &unknown);
            let _ = meso::eval::testing::run_tests(&rules.program);
        }
        Err(failure) => {
            for e in &failure.errors {
                let _ = render(e, ErrorFormat::Human, false);
                let _ = render(e, ErrorFormat::Plain, false);
            }
        }
    }
}

fn shipped() -> Option<&'static RuleSet> {
    static RULES: OnceLock<Option<RuleSet>> = OnceLock::new();
    RULES
        .get_or_init(|| ruleset::load(ruleset::embedded_sources(), &[]).ok())
        .as_ref()
}

/// Load arbitrary bytes as a facts file for the shipped rule set and evaluate it. The
/// first byte picks the format (JSON, YAML, TOML); the rest is the file.
pub fn eval_facts(data: &[u8]) {
    let (Some(&selector), Some(rules)) = (data.first(), shipped()) else {
        return;
    };
    let Ok(text) = std::str::from_utf8(data.get(1..).unwrap_or_default()) else {
        return;
    };
    let format = match selector % 3 {
        0 => FactsFormat::Json,
        1 => FactsFormat::Yaml,
        _ => FactsFormat::Toml,
    };
    let opts = LoadOptions {
        allow_unknown_facts: selector & 0x80 != 0,
    };
    match facts::load_facts(&rules.program, "fuzz", text, format, &opts) {
        Ok(loaded) => {
            let outcome = meso::eval::evaluate(&rules.program, &loaded.facts);
            let report = meso::render::EvalReport::new(rules, "fuzz", &loaded.facts, &outcome);
            let _ = meso::render::json::render_reports(std::slice::from_ref(&report));
            let _ = meso::render::table::render_reports(std::slice::from_ref(&report));
        }
        Err(errors) => {
            let _ = render(&errors, ErrorFormat::Human, false);
        }
    }
}

/// Format a rule file that parses: formatting must succeed (the formatter re-parses its
/// output and refuses a change of meaning) and be idempotent.
pub fn fmt_roundtrip(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let src = source(text);
    if meso::syntax::parse_file(FileId(0), &src).is_err() {
        return;
    }
    let once = match meso::syntax::fmt::format_source(&src) {
        Ok(t) => t,
        Err(e) => panic!("a file that parses does not format: {e}\n---\n{text}"),
    };
    let twice = match meso::syntax::fmt::format_source(&source(&once)) {
        Ok(t) => t,
        Err(e) => panic!("formatted output does not format again: {e}\n---\n{once}"),
    };
    assert_eq!(once, twice, "fmt is not idempotent for:\n{text}");
}

/// A cursor over fuzz bytes (zeros once they run out).
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn next(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }
}

/// A valid table made from fuzz bytes: up to 6 columns named after facts of the shipped
/// rules, the id or nothing, each of an Arrow type chosen from many (right and wrong for its
/// fact), with values drawn from the bytes and nulls anywhere.
fn structured_table(data: &[u8], rules: &RuleSet) -> Option<arrow_array::RecordBatch> {
    use arrow_array::builder::{
        BooleanBuilder, Float32Builder, Float64Builder, Int64Builder, Int8Builder, ListBuilder,
        StringBuilder, StringDictionaryBuilder, UInt64Builder,
    };
    use arrow_array::types::Int8Type;
    use arrow_array::{ArrayRef, TimestampMillisecondArray};
    use std::sync::Arc;

    const WORDS: [&str; 10] = [
        "low", "high", "hgh", "local", "domestic", "0.5", "-3", "12,5", "true", "",
    ];
    let mut b = Bytes(data);
    let rows = usize::from(b.next() % 9);
    let n_cols = 1 + usize::from(b.next() % 6);
    let mut columns: Vec<(String, ArrayRef)> = Vec::new();
    for c in 0..n_cols {
        let pick = usize::from(b.next());
        let name = match pick % 8 {
            0 => "id".to_string(),
            7 => format!("other_{c}"),
            _ => rules
                .program
                .facts
                .get(pick % rules.program.facts.len().max(1))
                .map_or_else(|| "firms".to_string(), |f| f.name.clone()),
        };
        if columns.iter().any(|(n, _)| *n == name) {
            continue;
        }
        let kind = b.next() % 11;
        let null = |b: &mut Bytes<'_>| b.next() % 4 == 0;
        let array: ArrayRef = match kind {
            0 => {
                let mut a = Int64Builder::new();
                for _ in 0..rows {
                    let v = i64::from(b.next() as i8);
                    if null(&mut b) {
                        a.append_null()
                    } else {
                        a.append_value(v)
                    }
                }
                Arc::new(a.finish())
            }
            1 => {
                let mut a = Float64Builder::new();
                for _ in 0..rows {
                    let v = match b.next() % 6 {
                        0 => f64::NAN,
                        1 => f64::INFINITY,
                        2 => -0.0,
                        3 => 1e300,
                        _ => f64::from(b.next()) / 100.0,
                    };
                    if null(&mut b) {
                        a.append_null()
                    } else {
                        a.append_value(v)
                    }
                }
                Arc::new(a.finish())
            }
            2 => {
                let mut a = StringBuilder::new();
                for _ in 0..rows {
                    let w = WORDS[usize::from(b.next()) % WORDS.len()];
                    if null(&mut b) {
                        a.append_null()
                    } else {
                        a.append_value(w)
                    }
                }
                Arc::new(a.finish())
            }
            3 => {
                let mut a = BooleanBuilder::new();
                for _ in 0..rows {
                    let v = b.next() % 2 == 0;
                    if null(&mut b) {
                        a.append_null()
                    } else {
                        a.append_value(v)
                    }
                }
                Arc::new(a.finish())
            }
            4 => {
                let mut a = StringDictionaryBuilder::<Int8Type>::new();
                for _ in 0..rows {
                    let w = WORDS[usize::from(b.next()) % WORDS.len()];
                    if null(&mut b) {
                        a.append_null()
                    } else {
                        a.append_value(w)
                    }
                }
                Arc::new(a.finish())
            }
            5 => {
                let mut a = ListBuilder::new(StringBuilder::new());
                for _ in 0..rows {
                    for _ in 0..b.next() % 3 {
                        let w = WORDS[usize::from(b.next()) % WORDS.len()];
                        a.values().append_value(w);
                    }
                    a.append(!null(&mut b));
                }
                Arc::new(a.finish())
            }
            6 => Arc::new(TimestampMillisecondArray::from(vec![0i64; rows])),
            7 => arrow_array::new_null_array(&arrow_schema::DataType::Null, rows),
            8 => {
                let mut a = UInt64Builder::new();
                for _ in 0..rows {
                    let v = u64::from(b.next()) << (b.next() % 64);
                    if null(&mut b) {
                        a.append_null()
                    } else {
                        a.append_value(v)
                    }
                }
                Arc::new(a.finish())
            }
            9 => {
                let mut a = Float32Builder::new();
                for _ in 0..rows {
                    let v = f32::from(b.next()) / 10.0;
                    if null(&mut b) {
                        a.append_null()
                    } else {
                        a.append_value(v)
                    }
                }
                Arc::new(a.finish())
            }
            _ => {
                let mut a = Int8Builder::new();
                for _ in 0..rows {
                    let v = b.next() as i8;
                    if null(&mut b) {
                        a.append_null()
                    } else {
                        a.append_value(v)
                    }
                }
                Arc::new(a.finish())
            }
        };
        columns.push((name, array));
    }
    arrow_array::RecordBatch::try_from_iter(columns).ok()
}

/// A valid table written as Parquet (`parquet`) or Arrow IPC.
fn table_bytes(table: &arrow_array::RecordBatch, parquet: bool) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    if parquet {
        let mut w = parquet::arrow::ArrowWriter::try_new(&mut out, table.schema(), None).ok()?;
        w.write(table).ok()?;
        w.close().ok()?;
    } else {
        let mut w = arrow_ipc::writer::FileWriter::try_new(&mut out, &table.schema()).ok()?;
        w.write(table).ok()?;
        w.finish().ok()?;
    }
    Some(out)
}

/// Run `meso batch` on arbitrary bytes as a Parquet or Arrow IPC input, or on a valid table
/// generated from them (wrong column types, nulls everywhere). The first byte picks: bit 0
/// Parquet or Arrow, bit 1 raw bytes or a generated table, bit 2 a CSV or a Parquet output,
/// bit 3 `--keep` the first column. Bad input must end as an error or reject rows. Returns
/// the error's message, if the run ended with one.
pub fn columnar_input(data: &[u8]) -> Option<String> {
    use meso::batch::{run_batch, BatchOptions, OutputFormat};
    use meso::dataset::{ColumnOptions, InputFormat, InputOptions, ReadOptions};

    let (Some(&selector), Some(rules)) = (data.first(), shipped()) else {
        return None;
    };
    let body = data.get(1..).unwrap_or_default();
    let parquet = selector & 1 == 0;
    let (bytes, keep) = if selector & 2 == 0 {
        (body.to_vec(), Vec::new())
    } else {
        let table = structured_table(body, rules)?;
        let keep = table
            .schema()
            .fields()
            .first()
            .map(|f| f.name().clone())
            .filter(|_| selector & 8 != 0)
            .into_iter()
            .collect();
        let bytes = table_bytes(&table, parquet)?;
        (bytes, keep)
    };
    static DIR: OnceLock<std::path::PathBuf> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("meso-fuzz-columnar-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&d);
        d
    });
    let input = dir.join(if parquet { "in.parquet" } else { "in.arrow" });
    if std::fs::write(&input, &bytes).is_err() {
        return None;
    }
    let (out, format) = if selector & 4 == 0 {
        (dir.join("out.csv"), OutputFormat::Csv)
    } else {
        (dir.join("out.parquet"), OutputFormat::Parquet)
    };
    let opts = BatchOptions {
        read: ReadOptions {
            input: InputOptions {
                paths: vec![input],
                format: Some(if parquet {
                    InputFormat::Parquet
                } else {
                    InputFormat::Arrow
                }),
                ..InputOptions::default()
            },
            columns: ColumnOptions {
                allow_unknown_facts: true,
                ..ColumnOptions::default()
            },
            threads: 1,
            ..ReadOptions::default()
        },
        out,
        format,
        rejects: Some(dir.join("rejects.csv")),
        explain: None,
        strict_unknowns: false,
        keep,
    };
    run_batch(rules, &opts, &mut |_| {})
        .err()
        .map(|e| e.to_string())
}

/// A valid Parquet (`parquet`) or Arrow IPC file generated from fuzz bytes, for mutation
/// campaigns without libFuzzer (`tests/replay.rs`, `columnar_mutations`).
pub fn generated_file(data: &[u8], parquet: bool) -> Option<Vec<u8>> {
    let rules = shipped()?;
    table_bytes(&structured_table(data, rules)?, parquet)
}
