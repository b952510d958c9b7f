//! `meso batch` with Parquet and Arrow IPC: columnar inputs give the verdicts CSV gives,
//! columnar outputs hold the rows CSV holds (typed), bad cells are rejected per row and
//! column with the CSV codes, a column of the wrong Arrow type stops the run naming it,
//! damaged files are clear errors, and `--keep` copies input columns in every format.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Float64Builder, Int64Builder, StringBuilder, StringDictionaryBuilder,
};
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type};
use arrow_array::{Array, ArrayRef, RecordBatch, TimestampMillisecondArray};

mod common;

use common::{meso, stderr, temp_dir};

const EXAMPLES: &str = "tests/cases/batch/examples.csv";

/// The examples as typed columns: integers, floats, booleans, text (levels as
/// dictionaries), each type told from the CSV cells; empty cells are nulls.
fn examples_table() -> RecordBatch {
    let mut reader = csv::Reader::from_path(EXAMPLES).unwrap();
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let mut columns: Vec<(String, ArrayRef)> = Vec::new();
    for (c, name) in headers.iter().enumerate() {
        let cells: Vec<Option<&str>> = rows
            .iter()
            .map(|r| Some(r[c].as_str()).filter(|s| !s.is_empty()))
            .collect();
        let all = |f: &dyn Fn(&str) -> bool| cells.iter().flatten().all(|s| f(s));
        let array: ArrayRef = if name != "id" && all(&|s| s.parse::<i64>().is_ok()) {
            let mut b = Int64Builder::new();
            cells
                .iter()
                .for_each(|s| b.append_option(s.map(|s| s.parse().unwrap())));
            Arc::new(b.finish())
        } else if all(&|s| s.parse::<f64>().is_ok()) {
            let mut b = Float64Builder::new();
            cells
                .iter()
                .for_each(|s| b.append_option(s.map(|s| s.parse().unwrap())));
            Arc::new(b.finish())
        } else if all(&|s| s == "true" || s == "false") {
            let mut b = BooleanBuilder::new();
            cells
                .iter()
                .for_each(|s| b.append_option(s.map(|s| s == "true")));
            Arc::new(b.finish())
        } else if cells.iter().flatten().all(|s| !s.contains(' ')) && name != "id" {
            let mut b = StringDictionaryBuilder::<Int32Type>::new();
            cells.iter().for_each(|s| b.append_option(*s));
            Arc::new(b.finish())
        } else {
            let mut b = StringBuilder::new();
            cells.iter().for_each(|s| b.append_option(*s));
            Arc::new(b.finish())
        };
        columns.push((name.clone(), array));
    }
    RecordBatch::try_from_iter(columns).unwrap()
}

fn write_parquet(path: &Path, batch: &RecordBatch) {
    let file = fs::File::create(path).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    w.write(batch).unwrap();
    w.close().unwrap();
}

fn write_arrow_file(path: &Path, batch: &RecordBatch) {
    let file = fs::File::create(path).unwrap();
    let mut w = arrow_ipc::writer::FileWriter::try_new(file, &batch.schema()).unwrap();
    w.write(batch).unwrap();
    w.finish().unwrap();
}

fn write_arrow_stream(path: &Path, batch: &RecordBatch) {
    let file = fs::File::create(path).unwrap();
    let mut w = arrow_ipc::writer::StreamWriter::try_new(file, &batch.schema()).unwrap();
    w.write(batch).unwrap();
    w.finish().unwrap();
}

fn read_table(path: &Path) -> RecordBatch {
    let batches: Vec<RecordBatch> = if path.extension().unwrap() == "parquet" {
        let file = fs::File::open(path).unwrap();
        parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
            .unwrap()
            .build()
            .unwrap()
            .map(Result::unwrap)
            .collect()
    } else {
        read_ipc(&fs::read(path).unwrap())
    };
    let schema = batches[0].schema();
    arrow_select_concat(&schema, &batches)
}

fn read_ipc(bytes: &[u8]) -> Vec<RecordBatch> {
    if bytes.starts_with(b"ARROW1") {
        arrow_ipc::reader::FileReader::try_new(std::io::Cursor::new(bytes.to_vec()), None)
            .unwrap()
            .map(Result::unwrap)
            .collect()
    } else {
        arrow_ipc::reader::StreamReader::try_new(bytes, None)
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }
}

/// The batches of a file as one (the tests write small files: one batch, or none).
fn arrow_select_concat(schema: &arrow_schema::SchemaRef, batches: &[RecordBatch]) -> RecordBatch {
    match batches {
        [one] => one.clone(),
        [] => RecordBatch::new_empty(Arc::clone(schema)),
        _ => panic!("expected one batch, found {}", batches.len()),
    }
}

/// Run `meso batch INPUT --out OUT EXTRA...`: (exit code, stderr).
fn batch(input: &Path, out: &Path, extra: &[&str]) -> (i32, String) {
    let mut args = vec![
        "batch",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let run = meso(&args);
    (run.status.code().unwrap_or(-1), stderr(&run))
}

fn rejects_of(out: &Path) -> String {
    fs::read_to_string(PathBuf::from(format!("{}.rejects.csv", out.display()))).unwrap()
}

/// The output of the CSV examples as CSV: what every other route must give.
fn reference(dir: &Path, extra: &[&str]) -> String {
    let out = dir.join("ref.csv");
    let (code, err) = batch(Path::new(EXAMPLES), &out, extra);
    assert_eq!(code, 0, "{err}");
    fs::read_to_string(out).unwrap()
}

#[test]
fn parquet_and_arrow_inputs_give_the_verdicts_csv_gives() {
    let dir = temp_dir();
    let expected = reference(dir.path(), &[]);
    let table = examples_table();
    type Writer = fn(&Path, &RecordBatch);
    let writers: [(&str, Writer); 4] = [
        ("examples.parquet", write_parquet),
        ("examples.arrow", write_arrow_file),
        ("examples.feather", write_arrow_stream),
        ("examples.arrows", write_arrow_stream),
    ];
    for (name, write) in writers {
        let input = dir.path().join(name);
        write(&input, &table);
        let out = dir.path().join(format!("{name}.csv"));
        let (code, err) = batch(&input, &out, &[]);
        assert_eq!(code, 0, "{name}: {err}");
        assert_eq!(fs::read_to_string(&out).unwrap(), expected, "{name}");
        assert_eq!(rejects_of(&out), "file,line,id,column,code,reason\n");
    }
    // Explained one at a time (`--explain-dir` reads rows one by one): the same rows.
    let input = dir.path().join("examples.parquet");
    let out = dir.path().join("explained.csv");
    let traces = dir.path().join("traces");
    let (code, err) = batch(&input, &out, &["--explain-dir", traces.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(fs::read_to_string(&out).unwrap(), expected);
    assert!(traces.join("criciuma.json").exists());
}

/// One output table as CSV text, to compare with the CSV output: lists joined by `;`,
/// scores as `{}` prints them, nulls empty.
fn table_as_csv(t: &RecordBatch) -> String {
    let names: Vec<String> = t
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let mut out = names.join(",") + "\n";
    for row in 0..t.num_rows() {
        let cells: Vec<String> = t
            .columns()
            .iter()
            .map(|c| {
                let c = c.as_ref();
                if c.is_null(row) {
                    return String::new();
                }
                if let Some(s) = c.as_string_opt::<i32>() {
                    let v = s.value(row);
                    return if v.contains(',') {
                        format!("\"{v}\"")
                    } else {
                        v.to_string()
                    };
                }
                if let Some(f) = c.as_primitive_opt::<Float64Type>() {
                    return format!("{}", f.value(row));
                }
                if let Some(l) = c.as_list_opt::<i32>() {
                    let items = l.value(row);
                    let items = items.as_string::<i32>();
                    return (0..items.len())
                        .map(|i| items.value(i))
                        .collect::<Vec<_>>()
                        .join(";");
                }
                panic!("unexpected column type {}", c.data_type())
            })
            .collect();
        out += &cells.join(",");
        out += "\n";
    }
    out
}

#[test]
fn parquet_and_arrow_outputs_hold_the_csv_rows_typed() {
    let dir = temp_dir();
    let expected = reference(dir.path(), &[]);
    for name in ["out.parquet", "out.arrow", "out.arrows"] {
        let out = dir.path().join(name);
        let (code, err) = batch(Path::new(EXAMPLES), &out, &[]);
        assert_eq!(code, 0, "{name}: {err}");
        let table = read_table(&out);
        assert_eq!(table_as_csv(&table), expected, "{name}");
        let schema = table.schema();
        let ty = |n: &str| schema.field_with_name(n).unwrap().data_type().to_string();
        assert_eq!(ty("tnc_cluster_score"), "Float64");
        assert!(
            ty("recommended").starts_with("List("),
            "{}",
            ty("recommended")
        );
    }
    // Parquet in, Parquet out: the same rows again.
    let input = dir.path().join("in.parquet");
    write_parquet(&input, &examples_table());
    let out = dir.path().join("round.parquet");
    let (code, err) = batch(&input, &out, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(table_as_csv(&read_table(&out)), expected);
}

#[test]
fn the_output_schema_is_documented() {
    let dir = temp_dir();
    let out = dir.path().join("schema.parquet");
    let (code, err) = batch(Path::new(EXAMPLES), &out, &["--keep", "sector"]);
    assert_eq!(code, 0, "{err}");
    let schema = read_table(&out).schema();
    let text: Vec<String> = schema
        .fields()
        .iter()
        .map(|f| {
            format!(
                "{}: {}{}",
                f.name(),
                f.data_type(),
                if f.is_nullable() { "" } else { " not null" }
            )
        })
        .collect();
    insta::assert_snapshot!("columnar_output_schema", text.join("\n"));
}

#[test]
fn arrow_stream_goes_to_standard_output() {
    let run = meso(&["batch", EXAMPLES, "--out", "-", "--format", "arrow-stream"]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let batches = read_ipc(&run.stdout);
    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    assert_eq!(rows, 15);
    // And back in from standard input.
    let mut child = common::meso_command()
        .args(["batch", "-", "--input-format", "arrow", "--out", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The output table is no fact table: its columns are not facts.
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        let _ = stdin.write_all(&run.stdout);
    }
    let back = child.wait_with_output().unwrap();
    assert_eq!(back.status.code(), Some(2));
    assert!(
        stderr(&back).contains("meso::batch::unknown_column"),
        "{}",
        stderr(&back)
    );
}

/// A table of bad cells: each row has one problem (or none), in a known column.
fn bad_cells() -> RecordBatch {
    let id: ArrayRef = Arc::new(arrow_array::StringArray::from(vec![
        Some("ok"),
        Some("negative"),
        Some("fraction"),
        Some("text"),
        None,
        Some("level"),
    ]));
    let firms: ArrayRef = Arc::new(arrow_array::Float64Array::from(vec![
        Some(120.0),
        Some(-3.0),
        Some(2.5),
        Some(10.0),
        Some(10.0),
        None,
    ]));
    let share: ArrayRef = Arc::new(arrow_array::StringArray::from(vec![
        Some("0.5"),
        Some("0.5"),
        None,
        Some("about half"),
        Some("1.5"),
        Some("0,4"),
    ]));
    let trust: ArrayRef = Arc::new(arrow_array::StringArray::from(vec![
        Some("low"),
        None,
        Some("low"),
        Some("high"),
        Some("low"),
        Some("hgh"),
    ]));
    RecordBatch::try_from_iter([
        ("id", id),
        ("firms", firms),
        ("share_micro_small", share),
        ("trust", trust),
    ])
    .unwrap()
}

#[test]
fn bad_cells_are_rejected_per_row_and_column_with_the_csv_codes() {
    let dir = temp_dir();
    let input = dir.path().join("bad.parquet");
    write_parquet(&input, &bad_cells());
    let out = dir.path().join("out.csv");
    let (code, err) = batch(&input, &out, &[]);
    assert_eq!(code, 3, "{err}");
    let rejects = rejects_of(&out).replace(&input.display().to_string(), "bad.parquet");
    insta::assert_snapshot!("columnar_rejects", rejects);
    let output = fs::read_to_string(&out).unwrap();
    assert_eq!(output.lines().count(), 2, "{output}");
    assert!(output.lines().nth(1).unwrap().starts_with("ok,"));
    // The same cells as CSV give the same problems, codes and reasons.
    let csv_input = dir.path().join("bad.csv");
    fs::write(
        &csv_input,
        "id,firms,share_micro_small,trust\nok,120,0.5,low\nnegative,-3,0.5,\nfraction,2.5,,low\ntext,10,about half,high\n,10,1.5,low\nlevel,,\"0,4\",hgh\n",
    )
    .unwrap();
    let csv_out = dir.path().join("csv.csv");
    let (code, _) = batch(&csv_input, &csv_out, &[]);
    assert_eq!(code, 3);
    let strip = |text: String| -> Vec<String> {
        text.lines()
            .skip(1)
            .map(|l| l.splitn(4, ',').nth(3).unwrap().to_string())
            .collect()
    };
    let csv_rejects = strip(rejects_of(&csv_out));
    let columnar_rejects = strip(rejects_of(&out));
    assert_eq!(columnar_rejects, csv_rejects);
}

#[test]
fn a_column_of_the_wrong_arrow_type_stops_the_run_naming_it() {
    let dir = temp_dir();
    let input = dir.path().join("dates.parquet");
    let id: ArrayRef = Arc::new(arrow_array::StringArray::from(vec!["a"]));
    let share: ArrayRef = Arc::new(TimestampMillisecondArray::from(vec![0i64]));
    let batch_ = RecordBatch::try_from_iter([("id", id), ("share_micro_small", share)]).unwrap();
    write_parquet(&input, &batch_);
    let out = dir.path().join("out.csv");
    let (code, err) = batch(&input, &out, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(!out.exists());
    assert!(err.contains("meso::batch::column_type"), "{err}");
    assert!(err.contains("share_micro_small"), "{err}");
    assert!(err.contains("Timestamp"), "{err}");
    assert!(err.contains("floats"), "{err}");
}

#[test]
fn nulls_everywhere_are_unknown_facts_not_rejects() {
    let dir = temp_dir();
    let table = examples_table();
    let nulls: Vec<(String, ArrayRef)> = table
        .schema()
        .fields()
        .iter()
        .map(|f| {
            (
                f.name().clone(),
                arrow_array::new_null_array(f.data_type(), 3),
            )
        })
        .collect();
    let all_null = RecordBatch::try_from_iter(nulls).unwrap();
    let input = dir.path().join("nulls.arrow");
    write_arrow_file(&input, &all_null);
    let out = dir.path().join("out.csv");
    let (code, err) = batch(&input, &out, &[]);
    assert_eq!(code, 0, "{err}");
    let text = fs::read_to_string(&out).unwrap();
    let ids: Vec<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(ids, ["1", "2", "3"], "rows without an id are numbered");
    assert_eq!(rejects_of(&out), "file,line,id,column,code,reason\n");
}

#[test]
fn damaged_files_are_clear_errors() {
    let dir = temp_dir();
    let table = examples_table();
    let good = dir.path().join("good.parquet");
    write_parquet(&good, &table);
    let bytes = fs::read(&good).unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty.parquet", Vec::new()),
        ("text.parquet", b"id,firms\na,1\n".to_vec()),
        ("cut.parquet", bytes[..bytes.len() / 2].to_vec()),
        ("text.arrow", b"id,firms\na,1\n".to_vec()),
        ("empty.arrow", Vec::new()),
    ];
    for (name, content) in cases {
        let input = dir.path().join(name);
        fs::write(&input, content).unwrap();
        let out = dir.path().join("out.csv");
        let (code, err) = batch(&input, &out, &[]);
        assert_eq!(code, 2, "{name}: {err}");
        assert!(err.contains("meso::batch::malformed"), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
        assert!(!out.exists());
    }
}

#[test]
fn kept_columns_follow_the_id_in_every_format() {
    let dir = temp_dir();
    let parquet_in = dir.path().join("in.parquet");
    write_parquet(&parquet_in, &examples_table());
    let keep = ["--keep", "sector,firms,country"];
    // Text outputs: the kept cells as written.
    for input in [Path::new(EXAMPLES), parquet_in.as_path()] {
        let out = dir.path().join("kept.csv");
        let (code, err) = batch(input, &out, &keep);
        assert_eq!(code, 0, "{err}");
        let text = fs::read_to_string(&out).unwrap();
        let mut lines = text.lines();
        assert!(lines
            .next()
            .unwrap()
            .starts_with("id,sector,firms,country,classification,"));
        assert!(lines
            .next()
            .unwrap()
            .starts_with("costa-rica-intel,electronics,20,Costa Rica,tnc_cluster,"));
        let out = dir.path().join("kept.jsonl");
        let (code, err) = batch(input, &out, &keep);
        assert_eq!(code, 0, "{err}");
        let first: serde_json::Value =
            serde_json::from_str(fs::read_to_string(&out).unwrap().lines().next().unwrap())
                .unwrap();
        let keys: Vec<&String> = first.as_object().unwrap().keys().take(5).collect();
        assert_eq!(keys, ["id", "sector", "firms", "country", "classification"]);
    }
    // Columnar outputs: typed as in a columnar input, text from a text input.
    for (input, firms_type) in [
        (parquet_in.as_path(), "Int64"),
        (Path::new(EXAMPLES), "Utf8"),
    ] {
        for name in ["kept.parquet", "kept.arrow"] {
            let out = dir.path().join(name);
            let (code, err) = batch(input, &out, &keep);
            assert_eq!(code, 0, "{err}");
            let t = read_table(&out);
            let schema = t.schema();
            let names: Vec<&str> = schema
                .fields()
                .iter()
                .take(5)
                .map(|f| f.name().as_str())
                .collect();
            assert_eq!(
                names,
                ["id", "sector", "firms", "country", "classification"]
            );
            assert_eq!(
                schema.field(2).data_type().to_string(),
                firms_type,
                "{name}"
            );
        }
    }
}

#[test]
fn reject_rows_keep_the_kept_columns() {
    let dir = temp_dir();
    let input = dir.path().join("bad.arrow");
    write_arrow_file(&input, &bad_cells());
    let out = dir.path().join("out.csv");
    let (code, err) = batch(&input, &out, &["--keep", "trust"]);
    assert_eq!(code, 3, "{err}");
    let rejects = rejects_of(&out);
    let mut lines = rejects.lines();
    assert_eq!(lines.next(), Some("file,line,id,trust,column,code,reason"));
    let second = lines.next().unwrap();
    assert!(second.contains(",2,negative,,firms,"), "{second}");
    let last = rejects.lines().last().unwrap();
    assert!(last.contains(",6,level,hgh,"), "{last}");
}

#[test]
fn an_unknown_kept_column_is_an_error_with_a_suggestion() {
    let dir = temp_dir();
    let out = dir.path().join("out.csv");
    let (code, err) = batch(Path::new(EXAMPLES), &out, &["--keep", "sectr"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("meso::batch::bad_option"), "{err}");
    assert!(err.contains("did you mean `sector`?"), "{err}");
    let (code, err) = batch(Path::new(EXAMPLES), &out, &["--keep", "verdict"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("already has a column `verdict`"), "{err}");
}

/// Found by the `columnar_input` campaign (docs/robustness.md): an Arrow IPC file, damaged,
/// on which the arrow-rs decoder panics (a buffer sliced past its end). meso catches the
/// panic, prints no panic message, and reports the file as damaged.
#[test]
fn a_file_the_arrow_decoder_panics_on_is_a_clear_error() {
    let dir = temp_dir();
    let out = dir.path().join("out.csv");
    let input = Path::new("tests/cases/batch/damaged-decoder-panic.arrow");
    let (code, err) = batch(input, &out, &["--allow-unknown-facts"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("meso::batch::malformed"), "{err}");
    assert!(err.contains("the decoder failed"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!out.exists());
}
