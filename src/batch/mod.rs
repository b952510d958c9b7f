//! Batch stage: a whole dataset → one output row per record, a reject file, and a summary.
//!
//! Input: a loaded [`RuleSet`] and [`BatchOptions`]. Output: the output and reject files
//! (each written to a temporary file and renamed when complete, `crate::atomic`) and a
//! [`Summary`]. The dataset layer (`crate::dataset`) reads the records in pieces and parses
//! them straight into fact slots; here each worker holds them, evaluates them a block at a
//! time with reused buffers (`eval::BlockEvaluator`), renders their rows (`output`), and
//! the pipeline writes the rows in input order. A record with a bad value is rejected with
//! every problem listed; it never stops the run.

pub use crate::render::rows::OutputFormat;
pub use reasons::{summary_lines as reason_lines, RejectReason};

mod reasons;

pub(crate) mod table;

use std::path::{Path, PathBuf};

use crate::atomic::AtomicFile;
use crate::dataset::columnar::{self, KeptType};
use crate::dataset::columns::Columns;
use crate::dataset::input::{self, ColumnPiece, Piece, RawData, RawRecord, SourceInfo};
use crate::dataset::record::{Problem, RecordParser, RejectRow, Scratch};
use crate::dataset::{
    create_output, parser_for, pipeline, DatasetError, IgnoredColumns, ReadOptions,
};
use crate::eval::{self, BlockEvaluator, Compiled, Evaluator, OutcomeSummary, Row};
use crate::facts::Facts;
use crate::ir::{Program, TypeId};
use crate::render::rows::{self, Kept, RowRenderer};
use crate::ruleset::RuleSet;
use crate::vocab::VerdictKind;

/// Options of `meso batch`.
#[derive(Clone, Debug)]
pub struct BatchOptions {
    /// Inputs
    pub read: ReadOptions,
    /// Output file
    pub out: PathBuf,
    /// Output format
    pub format: OutputFormat,
    /// Reject file (`None`: standard error, as when the output goes to standard output)
    pub rejects: Option<PathBuf>,
    /// Write each record's full report here
    pub explain: Option<Explain>,
    /// `--strict-unknowns`: no provisional lead, only what the facts settle
    pub strict_unknowns: bool,
    /// `--keep`: input columns copied to the output (and reject) rows, in this order
    pub keep: Vec<String>,
}

/// `--explain-dir DIR [--where classification=TYPE] [--explain-format F]`.
#[derive(Clone, Debug)]
pub struct Explain {
    /// The directory (created when missing)
    pub dir: PathBuf,
    /// Only records with this classification (`Some(None)`: records no type matched)
    pub only: Option<Option<TypeId>>,
    /// Format of the trace files
    pub format: ExplainFormat,
}

/// The format of the trace files of `--explain-dir` (those of `meso explain`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ExplainFormat {
    /// `<id>.json`: the JSON trace (`meso verify` can check it)
    #[default]
    Json,
    /// `<id>.txt`: the text trace
    Text,
    /// `<id>.md`: Markdown
    Markdown,
    /// `<id>.html`: a standalone page
    Html,
}

impl std::str::FromStr for ExplainFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "json" => Ok(ExplainFormat::Json),
            "text" | "txt" => Ok(ExplainFormat::Text),
            "markdown" | "md" => Ok(ExplainFormat::Markdown),
            "html" => Ok(ExplainFormat::Html),
            _ => Err(format!(
                "unknown trace format `{s}`: use `json`, `text`, `markdown` or `html`"
            )),
        }
    }
}

/// What a batch run did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    /// Records read
    pub read: u64,
    /// Records evaluated (written to the output)
    pub evaluated: u64,
    /// Records rejected (written to the reject file)
    pub rejected: u64,
    /// Records per verdict: firmly classified per type (type declaration order), then
    /// provisionally per type (`provisionally <type>`), then `undetermined` (facts missing and
    /// nothing leads), then `none` (no type matched); zero counts left out
    pub by_classification: Vec<(String, u64)>,
    /// Columns ignored because they are not facts (`--allow-unknown-facts`), per input
    pub ignored_columns: IgnoredColumns,
    /// The problems of the rejected records by code and column, most first
    pub reject_reasons: Vec<RejectReason>,
    /// CSV inputs whose delimiter (and decimal comma) was told from their first lines:
    /// (input, what was found)
    pub sniffed: Vec<(String, crate::dataset::Sniffed)>,
}

/// The default reject file for an output file: `<out>.rejects.csv` beside it; `None` (standard
/// error) when the output goes to standard output (`-`).
pub fn default_rejects_path(out: &Path) -> Option<PathBuf> {
    if crate::atomic::is_stdout(out) {
        return None;
    }
    let mut name = out
        .file_name()
        .map_or_else(Default::default, |n| n.to_os_string());
    name.push(".rejects.csv");
    Some(out.with_file_name(name))
}

/// Parse `--where classification=TYPE` (`none` for records no type matched). A near miss
/// of the key, of a type's name or label, or of `none` is answered with "did you mean".
pub fn parse_where(program: &Program, text: &str) -> Result<Option<TypeId>, DatasetError> {
    let bad = |help: String| DatasetError::BadOption {
        message: format!("cannot use `--where {text}`"),
        help: Some(help),
    };
    let Some((key, value)) = text.split_once('=') else {
        let hint = match where_value(program, text.trim()) {
            Ok(_) => format!("write `--where classification={}`", text.trim()),
            Err(_) => "write `--where classification=TYPE`".into(),
        };
        return Err(bad(hint));
    };
    let key = key.trim();
    if key != "classification" {
        let example = "e.g. `--where classification=survival_cluster`";
        return Err(bad(
            match crate::suggest::closest(key, ["classification"]) {
                Some(c) => format!("did you mean `{c}={}`? ({example})", value.trim()),
                None => format!("only `classification=TYPE` is supported, {example}"),
            },
        ));
    }
    where_value(program, value.trim()).map_err(bad)
}

/// A `--where classification=` value: a type's name or `none`; else the help for it.
fn where_value(program: &Program, value: &str) -> Result<Option<TypeId>, String> {
    if value == "none" {
        return Ok(None);
    }
    if let Some(id) = program.type_id(value) {
        return Ok(Some(id));
    }
    let names = || {
        program
            .types
            .iter()
            .map(|t| t.name.as_str())
            .chain(["none"])
    };
    let wanted = value.trim().to_lowercase().replace([' ', '-'], "_");
    // Same name but for case or spaces, a label, a prefix, then a typo.
    let by_label = program.types.iter().find(|t| {
        t.meta
            .label
            .as_deref()
            .is_some_and(|l| l.trim().eq_ignore_ascii_case(value.trim()))
    });
    let by_prefix = || {
        let mut starting = names().filter(|n| wanted.len() >= 3 && n.starts_with(&wanted));
        match (starting.next(), starting.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    };
    let close = names()
        .find(|n| *n == wanted)
        .or(by_label.map(|t| t.name.as_str()))
        .or_else(by_prefix)
        .or_else(|| crate::suggest::closest(value, names()));
    let what = if value.is_empty() {
        "no type is named".to_string()
    } else {
        format!("there is no cluster type `{value}`")
    };
    Err(match close {
        Some(c) => format!("{what}; did you mean `{c}`?"),
        None => {
            let list: Vec<String> = names().map(|n| format!("`{n}`")).collect();
            format!("{what}; use one of {}", list.join(", "))
        }
    })
}

/// What one worker produced for one slice of records.
struct SliceOut {
    rows: Vec<u8>,
    /// Columnar output: the rows of the slice, and when complete the batch they make
    table: Option<table::TableBuilder>,
    batch: Option<arrow_array::RecordBatch>,
    rejects: Vec<RejectRow>,
    /// With `--keep`: the kept cells of each reject row's record
    reject_kept: Vec<Vec<Kept>>,
    counts: Vec<u64>,
    evaluated: u64,
    read: u64,
    error: Option<DatasetError>,
}

impl SliceOut {
    /// Render an evaluated record's row and count its verdict (see [`count_slot`]).
    fn add(&mut self, renderer: &RowRenderer<'_>, id: &str, kept: &[Kept], row: Row<'_>) {
        match &mut self.table {
            Some(t) => t.push(renderer, id, kept, row),
            None => renderer.row(id, kept, row, &mut self.rows),
        }
        self.evaluated += 1;
        let n_types = (self.counts.len() - 2) / 2;
        if let Some(c) = self.counts.get_mut(count_slot(renderer, row, n_types)) {
            *c += 1;
        }
    }
}

/// Where a row is counted: its firm classification's type (`0..n`), its provisional lead's
/// (`n..2n`), `2n` when facts are missing and nothing leads, `2n + 1` when no type matched.
fn count_slot(renderer: &RowRenderer<'_>, row: Row<'_>, n_types: usize) -> usize {
    match renderer.verdict(row) {
        VerdictKind::Firm => row.classification.map_or(2 * n_types + 1, TypeId::index),
        VerdictKind::Provisional => renderer
            .provisional(row)
            .0
            .map_or(2 * n_types, |t| n_types + t.index()),
        VerdictKind::Undetermined => 2 * n_types,
        VerdictKind::None => 2 * n_types + 1,
    }
}

/// The name of a count slot (see [`count_slot`]) in the summary.
fn count_name(program: &Program, slot: usize) -> String {
    let n = program.types.len();
    let name = |i: usize| program.types.get(i).map_or("", |t| t.name.as_str());
    match slot {
        s if s < n => name(s).to_string(),
        s if s < 2 * n => format!("provisionally {}", name(s - n)),
        s if s == 2 * n => VerdictKind::Undetermined.code().to_string(),
        _ => VerdictKind::None.code().to_string(),
    }
}

/// Per-thread buffers: records parsed and held until a block of them is evaluated.
struct Worker<'c> {
    scratch: Scratch,
    /// For records evaluated one at a time (with `--explain-dir`)
    outcome: OutcomeSummary,
    single: Evaluator<'c>,
    block: BlockEvaluator<'c>,
    /// The records held (the first `held`; buffers past them kept for reuse) and their ids
    pending: Vec<Facts>,
    ids: Vec<String>,
    /// With `--keep`: the kept cells of each held record
    kept: Vec<Vec<Kept>>,
    held: usize,
    /// Problems of the rows of a columnar block: (row in the block, problem)
    problems: Vec<(usize, Problem)>,
    rejected: Vec<bool>,
}

impl<'c> Worker<'c> {
    fn new(n_facts: usize, compiled: &'c Compiled) -> Self {
        Worker {
            scratch: Scratch::new(n_facts),
            outcome: OutcomeSummary::default(),
            single: Evaluator::new(compiled),
            block: BlockEvaluator::new(compiled),
            pending: Vec::new(),
            ids: Vec::new(),
            kept: Vec::new(),
            held: 0,
            problems: Vec::new(),
            rejected: Vec::new(),
        }
    }

    /// Room for `n` held records.
    fn reserve(&mut self, n: usize) {
        while self.pending.len() < n {
            self.pending
                .push(Facts::unknown(self.scratch.facts.values.len()));
            self.ids.push(String::new());
            self.kept.push(Vec::new());
        }
    }

    /// Hold the record just parsed into the scratch (its facts change places with a held
    /// buffer of the same size: no copy).
    fn hold(&mut self, id: &str, kept: Vec<Kept>) {
        self.reserve(self.held + 1);
        if let (Some(facts), Some(held_id), Some(held_kept)) = (
            self.pending.get_mut(self.held),
            self.ids.get_mut(self.held),
            self.kept.get_mut(self.held),
        ) {
            std::mem::swap(&mut self.scratch.facts, facts);
            held_id.clear();
            held_id.push_str(id);
            *held_kept = kept;
            self.held += 1;
        }
    }

    /// Read a Parquet or Arrow piece a column at a time, a block of rows after another:
    /// each block's columns are written straight into the held records' fact slots; rows
    /// with problems are rejected, the others evaluated together.
    fn columns(
        &mut self,
        parser: &RecordParser<'_>,
        keep: &KeepPlan,
        piece: &ColumnPiece,
        renderer: &RowRenderer<'_>,
        slice: &mut SliceOut,
    ) {
        let n = piece.batch.num_rows();
        let mut start = 0;
        while start < n {
            let end = (start + eval::BLOCK).min(n);
            let len = end - start;
            self.reserve(len);
            for (facts, id) in self.pending.iter_mut().zip(self.ids.iter_mut()).take(len) {
                for v in &mut facts.values {
                    if v.is_known() {
                        *v = crate::value::Value::Unknown;
                    }
                }
                id.clear();
            }
            self.problems.clear();
            parser.fill_columns(
                piece.source,
                &piece.batch,
                start..end,
                &mut columnar::Slots {
                    facts: self.pending.get_mut(..len).unwrap_or_default(),
                    ids: self.ids.get_mut(..len).unwrap_or_default(),
                    problems: &mut self.problems,
                },
            );
            for (k, id) in self.ids.iter_mut().take(len).enumerate() {
                if id.is_empty() {
                    *id = parser.default_id_at(piece.source, piece.first_row + (start + k) as u64);
                }
            }
            if let Some(cols) = keep.columns.get(piece.source as usize) {
                for (k, kept) in self.kept.iter_mut().take(len).enumerate() {
                    kept.clear();
                    kept.extend(cols.iter().map(|c| {
                        match c {
                            Some(c) => {
                                piece.batch.columns().get(*c).map_or(Kept::Null, |a| {
                                    columnar::kept_at(a.as_ref(), start + k)
                                })
                            }
                            None => Kept::Null,
                        }
                    }));
                }
            }
            slice.read += len as u64;
            // Rejected rows: their problems in row order, then the others moved up, in order.
            self.rejected.clear();
            self.rejected.resize(len, false);
            if !self.problems.is_empty() {
                self.problems.sort_by_key(|(k, _)| *k);
                for (k, problem) in self.problems.drain(..) {
                    if let Some(r) = self.rejected.get_mut(k) {
                        *r = true;
                    }
                    slice.rejects.push(RejectRow {
                        source: piece.source,
                        line: piece.first_row + (start + k) as u64,
                        id: self.ids.get(k).cloned().unwrap_or_default(),
                        problem,
                    });
                    if !keep.names.is_empty() {
                        slice
                            .reject_kept
                            .push(self.kept.get(k).cloned().unwrap_or_default());
                    }
                }
            }
            let mut held = 0;
            for k in 0..len {
                if self.rejected.get(k) == Some(&false) {
                    if k != held {
                        self.pending.swap(k, held);
                        self.ids.swap(k, held);
                        self.kept.swap(k, held);
                    }
                    held += 1;
                }
            }
            self.held = held;
            self.flush(renderer, slice);
            start = end;
        }
    }

    /// Evaluate the records held, render their rows in order and let them go.
    fn flush(&mut self, renderer: &RowRenderer<'_>, slice: &mut SliceOut) {
        let records = self.pending.get(..self.held).unwrap_or_default();
        self.block.evaluate(records);
        for (i, (id, kept)) in self.ids.iter().zip(&self.kept).take(self.held).enumerate() {
            if let Some(row) = self.block.row(i) {
                slice.add(renderer, id, kept, row);
            }
        }
        self.held = 0;
    }
}

/// Refuse to write over an input.
fn check_not_input(out: &Path, inputs: &[PathBuf]) -> Result<(), DatasetError> {
    let canon = |p: &Path| std::fs::canonicalize(p).ok();
    let Some(out_c) = canon(out) else {
        return Ok(());
    };
    if inputs.iter().any(|i| canon(i).as_ref() == Some(&out_c)) {
        return Err(DatasetError::BadOption {
            message: format!("`{}` is both an input and an output", out.display()),
            help: Some("write the output to another file".into()),
        });
    }
    Ok(())
}

/// Run `meso batch`: evaluate every record of the inputs and write the output and reject
/// files. Problems with single records go to the reject file; an `Err` means nothing was
/// written (no output file appears).
pub fn run_batch(
    rules: &RuleSet,
    opts: &BatchOptions,
    notice: &mut dyn FnMut(&str),
) -> Result<Summary, DatasetError> {
    let program = &rules.program;
    check_not_input(&opts.out, &opts.read.input.paths)?;
    if let Some(rejects) = &opts.rejects {
        check_not_input(rejects, &opts.read.input.paths)?;
    }
    let rejects_path = opts
        .rejects
        .clone()
        .unwrap_or_else(|| PathBuf::from("<standard error>"));
    let columns = Columns::new(program, &opts.read.columns)?.with_kept(opts.keep.clone());
    let (infos, reader) = input::open(&opts.read.input)?;
    let keep = plan_keep(program, &opts.keep, &infos)?;
    let buffers = reader.pool();
    let (parser, ignored) = parser_for(program, &columns, &infos, &opts.read)?;
    // Said before the first row is read: a long run should not end with a surprise.
    for (input, facts) in crate::dataset::missing_columns(program, &parser) {
        let list: Vec<String> = facts.iter().map(|f| format!("`{f}`")).collect();
        notice(&format!(
            "warning: `{input}` has no column for {} the rules read: {}; every record leaves {} unknown, so the types that need {} come out provisional or undetermined (the `verdict` column says which), never \"no type matched\"; if the data has {} under other names, map them with `--columns map.toml`",
            crate::render::count(facts.len(), "fact", "facts"),
            list.join(", "),
            if facts.len() == 1 { "it" } else { "them" },
            if facts.len() == 1 { "it" } else { "them" },
            if facts.len() == 1 { "it" } else { "them" },
        ));
    }
    if let Some(explain) = &opts.explain {
        std::fs::create_dir_all(&explain.dir)
            .map_err(|e| DatasetError::io("create", &explain.dir, &e))?;
    }
    let renderer = RowRenderer::new(program, opts.format)
        .strict_unknowns(opts.strict_unknowns)
        .kept(opts.keep.clone());
    let kept_columns: Vec<(String, KeptType)> = keep
        .names
        .iter()
        .cloned()
        .zip(keep.types.iter().copied())
        .collect();
    let schema = table::schema(program, &kept_columns);
    let mut out = if opts.format.is_table() {
        Output::Table(table::TableWriter::new(
            opts.format,
            create_output(&opts.out)?,
            &schema,
            &opts.out,
        )?)
    } else {
        let mut file = create_output(&opts.out)?;
        file.write_all(&renderer.header())
            .map_err(DatasetError::write(&opts.out))?;
        Output::Text(file)
    };
    let mut rejects = match &opts.rejects {
        Some(path) => create_output(path)?,
        None => AtomicFile::stderr(),
    };
    rejects
        .write_all(&rows::reject_header(&opts.keep))
        .map_err(DatasetError::write(&rejects_path))?;

    let n_types = program.types.len();
    let mut summary = Summary {
        ignored_columns: ignored,
        sniffed: infos
            .iter()
            .filter_map(|i| i.sniffed.map(|s| (i.name.clone(), s)))
            .collect(),
        ..Summary::default()
    };
    let mut reasons = reasons::ReasonCounts::default();
    let mut counts = vec![0u64; 2 * n_types + 2];
    let mut skip = renderer.first_row_skip();
    let mut progress = pipeline::Progress::new(opts.read.progress, reader.total());
    let threads = pipeline::thread_count(opts.read.threads);
    let mut reject_buf = Vec::new();

    let init = || Worker::new(program.facts.len(), &rules.compiled);
    let work = |w: &mut Worker<'_>, piece: &Piece| -> Result<SliceOut, DatasetError> {
        let mut rows = buffers.take();
        rows.reserve(piece.len_bytes() + 4096);
        let mut slice = SliceOut {
            rows,
            table: opts
                .format
                .is_table()
                .then(|| table::TableBuilder::new(n_types, &kept_columns)),
            batch: None,
            rejects: Vec::new(),
            reject_kept: Vec::new(),
            counts: vec![0; 2 * n_types + 2],
            evaluated: 0,
            read: 0,
            error: None,
        };
        if let (Piece::Columns(columns), None) = (piece, &opts.explain) {
            w.columns(&parser, &keep, columns, &renderer, &mut slice);
            if let Some(mut t) = slice.table.take() {
                slice.batch = Some(t.finish(&schema)?);
            }
            return Ok(slice);
        }
        piece.for_each_record(|rec| {
            slice.read += 1;
            let id = parser.parse(rec, &mut w.scratch);
            let kept = keep.cells(rec);
            if !w.scratch.problems.is_empty() {
                for problem in w.scratch.problems.drain(..) {
                    slice.rejects.push(RejectRow {
                        source: rec.source,
                        line: rec.line,
                        id: id.to_string(),
                        problem,
                    });
                    if !keep.names.is_empty() {
                        slice.reject_kept.push(kept.clone());
                    }
                }
                return;
            }
            let Some(explain) = &opts.explain else {
                // Held, and evaluated with the others of its block.
                w.hold(&id, kept);
                if w.held >= eval::BLOCK {
                    w.flush(&renderer, &mut slice);
                }
                return;
            };
            // One at a time: the trace is written from the record itself.
            w.single
                .evaluate_summary_into(&w.scratch.facts, &mut w.outcome);
            slice.add(&renderer, &id, &kept, w.outcome.row());
            if slice.error.is_none() {
                slice.error = write_explain(
                    rules, opts, explain, rec, &parser, &id, &w.scratch, &w.outcome,
                )
                .err();
            }
        })?;
        w.flush(&renderer, &mut slice);
        if let Some(mut t) = slice.table.take() {
            slice.batch = Some(t.finish(&schema)?);
        }
        Ok(slice)
    };
    let sink = |slice: SliceOut| -> Result<(), DatasetError> {
        if let Some(e) = slice.error {
            return Err(e);
        }
        match &mut out {
            Output::Text(file) => {
                let bytes = slice.rows.get(skip.min(slice.rows.len())..).unwrap_or(&[]);
                if !slice.rows.is_empty() {
                    skip = 0;
                }
                file.write_all(bytes)
                    .map_err(DatasetError::write(&opts.out))?;
            }
            Output::Table(writer) => {
                if let Some(batch) = slice.batch.as_ref().filter(|b| b.num_rows() > 0) {
                    writer.write(batch, &opts.out)?;
                }
            }
        }
        buffers.give(slice.rows);
        summary.read += slice.read;
        summary.evaluated += slice.evaluated;
        let mut rejected_ids = slice
            .rejects
            .iter()
            .map(|r| (r.source, r.line))
            .collect::<Vec<_>>();
        rejected_ids.dedup();
        summary.rejected += rejected_ids.len() as u64;
        reasons.add(&slice.rejects);
        reject_buf.clear();
        reject_rows(
            &slice.rejects,
            &slice.reject_kept,
            &parser.names,
            &mut reject_buf,
        );
        rejects
            .write_all(&reject_buf)
            .map_err(DatasetError::write(&rejects_path))?;
        for (total, c) in counts.iter_mut().zip(&slice.counts) {
            *total += c;
        }
        Ok(())
    };
    pipeline::run(reader, threads, &mut progress, init, work, sink)?;
    progress.finish();
    let out = match out {
        Output::Text(mut file) => {
            file.write_all(&renderer.footer(summary.evaluated))
                .map_err(DatasetError::write(&opts.out))?;
            file
        }
        Output::Table(writer) => writer.finish(&opts.out)?,
    };
    rejects
        .commit()
        .map_err(DatasetError::write(&rejects_path))?;
    out.commit().map_err(DatasetError::write(&opts.out))?;
    summary.reject_reasons = reasons.sorted();
    summary.by_classification = counts
        .iter()
        .enumerate()
        .filter(|(_, &n)| n > 0)
        .map(|(i, &n)| (count_name(program, i), n))
        .collect();
    Ok(summary)
}

/// Where the output rows go.
enum Output {
    /// CSV, JSON lines, JSON: bytes
    Text(AtomicFile),
    /// Parquet, Arrow: record batches
    Table(table::TableWriter),
}

/// Reject rows as CSV, with each record's kept cells after its id when there are any.
fn reject_rows(rows: &[RejectRow], kept: &[Vec<Kept>], names: &[String], out: &mut Vec<u8>) {
    if kept.is_empty() {
        crate::dataset::record::reject_rows(rows, names, out);
        return;
    }
    for (r, cells) in rows.iter().zip(kept) {
        let file = names.get(r.source as usize).map_or("", String::as_str);
        rows::csv_field(file, out);
        out.push(b',');
        out.extend_from_slice(r.line.to_string().as_bytes());
        out.push(b',');
        rows::csv_field(&r.id, out);
        for cell in cells {
            out.push(b',');
            if let Some(text) = rows::kept_text(cell) {
                rows::csv_field(&text, out);
            }
        }
        out.push(b',');
        let p = &r.problem;
        rows::csv_field(&p.column, out);
        out.push(b',');
        out.extend_from_slice(p.code.as_bytes());
        out.push(b',');
        rows::csv_field(&p.reason, out);
        out.push(b'\n');
    }
}

/// Where the `--keep` columns are: their names, their index in each input with a header
/// (JSON records are looked up by key), and their type in a columnar output.
pub(crate) struct KeepPlan {
    names: Vec<String>,
    /// Per input: the index of each kept column (empty for inputs without a header)
    columns: Vec<Vec<Option<usize>>>,
    types: Vec<KeptType>,
}

/// Check the `--keep` names against the output's columns and each input's header.
fn plan_keep(
    program: &Program,
    names: &[String],
    infos: &[SourceInfo],
) -> Result<KeepPlan, DatasetError> {
    let mut taken: Vec<String> = [
        "id",
        "classification",
        "verdict",
        "provisional",
        "unknown_facts",
    ]
    .iter()
    .map(|s| (*s).to_string())
    .collect();
    for t in &program.types {
        taken.push(format!("{}_status", t.name));
        taken.push(format!("{}_score", t.name));
    }
    for kind in [
        crate::vocab::PolicyKind::Recommend,
        crate::vocab::PolicyKind::Avoid,
    ] {
        taken.push(kind.applies_word().to_string());
        taken.push(format!("provisional_{}", kind.applies_word()));
    }
    let bad = |message: String, help: String| DatasetError::BadOption {
        message,
        help: Some(help),
    };
    for (i, name) in names.iter().enumerate() {
        if name.trim().is_empty() {
            return Err(bad(
                "`--keep` names an empty column".into(),
                "write the column names separated by commas: `--keep id,name,region_code`".into(),
            ));
        }
        if names.get(..i).is_some_and(|before| before.contains(name)) {
            return Err(bad(
                format!("`--keep` names `{name}` twice"),
                "name each column once".into(),
            ));
        }
        if taken.contains(name) {
            return Err(bad(
                format!("`--keep {name}`: the output already has a column `{name}`"),
                "the record id is always written; keep other columns".into(),
            ));
        }
    }
    let mut columns = Vec::new();
    for info in infos {
        let Some(headers) = &info.headers else {
            columns.push(Vec::new());
            continue;
        };
        let mut at = Vec::new();
        for name in names {
            match headers.iter().position(|h| h.trim() == name) {
                Some(i) => at.push(Some(i)),
                None => {
                    let close = crate::suggest::closest(name, headers.iter().map(String::as_str));
                    let list: Vec<String> = headers.iter().map(|h| format!("`{h}`")).collect();
                    return Err(bad(
                        format!("`--keep {name}`: `{}` has no column `{name}`", info.name),
                        match close {
                            Some(c) => {
                                format!("did you mean `{c}`? its columns: {}", list.join(", "))
                            }
                            None => format!("its columns: {}", list.join(", ")),
                        },
                    ));
                }
            }
        }
        columns.push(at);
    }
    let mut types = Vec::new();
    for (k, name) in names.iter().enumerate() {
        let mut ty: Option<KeptType> = None;
        let mut all_columnar = true;
        for (info, at) in infos.iter().zip(&columns) {
            let Some(schema) = &info.schema else {
                all_columnar = false;
                continue;
            };
            let Some(field) = at
                .get(k)
                .copied()
                .flatten()
                .and_then(|i| schema.fields().get(i))
            else {
                continue;
            };
            let Some(t) = KeptType::of(field.data_type()) else {
                return Err(bad(
                    format!(
                        "`--keep {name}`: column `{name}` of `{}` has Arrow type {}, which cannot be kept",
                        info.name,
                        field.data_type()
                    ),
                    "keep text, integer, float or boolean columns".into(),
                ));
            };
            ty = match ty {
                None => Some(t),
                Some(before) if before == t => Some(t),
                Some(_) => Some(KeptType::Text),
            };
        }
        types.push(if all_columnar {
            ty.unwrap_or(KeptType::Text)
        } else {
            KeptType::Text
        });
    }
    Ok(KeepPlan {
        names: names.to_vec(),
        columns,
        types,
    })
}

impl KeepPlan {
    /// A record's kept cells (none without `--keep`).
    fn cells(&self, rec: &RawRecord<'_>) -> Vec<Kept> {
        if self.names.is_empty() {
            return Vec::new();
        }
        let at = self.columns.get(rec.source as usize);
        let index = |k: usize| at.and_then(|a| a.get(k).copied().flatten());
        match &rec.data {
            RawData::Csv(row) => (0..self.names.len())
                .map(|k| {
                    let text = index(k)
                        .and_then(|i| row.get(i))
                        .map(|b| String::from_utf8_lossy(b).trim().to_string())
                        .unwrap_or_default();
                    if text.is_empty() {
                        Kept::Null
                    } else {
                        Kept::Text(text)
                    }
                })
                .collect(),
            RawData::Cells(cells) => (0..self.names.len())
                .map(|k| match index(k).and_then(|i| cells.get(i)) {
                    None | Some(calamine::Data::Empty) => Kept::Null,
                    Some(calamine::Data::String(s)) => Kept::Text(s.trim().to_string()),
                    Some(calamine::Data::Float(n)) => Kept::Float(*n),
                    Some(calamine::Data::Int(n)) => Kept::Int(*n),
                    Some(calamine::Data::Bool(b)) => Kept::Bool(*b),
                    Some(other) => Kept::Text(other.to_string()),
                })
                .collect(),
            RawData::Arrow { batch, row } => (0..self.names.len())
                .map(|k| {
                    index(k)
                        .and_then(|i| batch.columns().get(i))
                        .map_or(Kept::Null, |a| columnar::kept_at(a.as_ref(), *row))
                })
                .collect(),
            RawData::Json(text) => {
                let map: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_slice(text).unwrap_or_default();
                self.names
                    .iter()
                    .map(|name| match map.get(name) {
                        None | Some(serde_json::Value::Null) => Kept::Null,
                        Some(serde_json::Value::String(s)) => Kept::Text(s.clone()),
                        Some(serde_json::Value::Bool(b)) => Kept::Bool(*b),
                        Some(serde_json::Value::Number(n)) => match n.as_i64() {
                            Some(i) => Kept::Int(i),
                            None => Kept::Float(n.as_f64().unwrap_or(f64::NAN)),
                        },
                        Some(other) => Kept::Text(other.to_string()),
                    })
                    .collect()
            }
        }
    }
}

/// Write one record's trace to the explain directory, if it passes the filter.
#[allow(clippy::too_many_arguments)]
fn write_explain(
    rules: &RuleSet,
    opts: &BatchOptions,
    explain: &Explain,
    rec: &RawRecord<'_>,
    parser: &RecordParser<'_>,
    id: &str,
    scratch: &Scratch,
    outcome: &OutcomeSummary,
) -> Result<(), DatasetError> {
    if let Some(only) = explain.only {
        if outcome.classification != only {
            return Ok(());
        }
    }
    let input = parser
        .names
        .get(rec.source as usize)
        .map_or("", String::as_str);
    let label = crate::trace::facts_label(Path::new(input));
    // Where each given value came from: the input, the fact's column, the record's line.
    let mut facts = scratch.facts.clone();
    for (i, (value, origin)) in facts
        .values
        .iter()
        .zip(facts.origins.iter_mut())
        .enumerate()
    {
        if value.is_known() {
            let key = rules
                .program
                .facts
                .get(i)
                .map_or_else(String::new, |f| f.name.clone());
            *origin = Some(crate::facts::FactOrigin {
                source: label.clone(),
                key,
                line: usize::try_from(rec.line).ok(),
            });
        }
    }
    let opts = crate::trace::TraceOptions {
        facts_label: format!("{label}:{}", rec.line),
        allow_unknown_facts: parser.columns.allow_unknown(),
        strict_unknowns: opts.strict_unknowns,
        ..crate::trace::TraceOptions::default()
    };
    let trace = crate::trace::explain(rules, &facts, &opts);
    let (text, ext) = match explain.format {
        ExplainFormat::Json => (crate::render::trace::json::render(&trace), "json"),
        ExplainFormat::Text => (crate::render::trace::text::render(&trace, false), "txt"),
        ExplainFormat::Markdown => (crate::render::trace::markdown::render(&trace), "md"),
        ExplainFormat::Html => (crate::render::trace::html::render(&trace), "html"),
    };
    let mut text = text;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    let path = explain.dir.join(format!("{}.{ext}", file_stem(id)));
    crate::atomic::write_atomic(&path, text.as_bytes())
        .map_err(|e| DatasetError::io("write", &path, &e))
}

/// A record id made safe as a file name: letters, digits, `-`, `_` and `.` kept, anything
/// else replaced by `_`.
pub fn file_stem(id: &str) -> String {
    let stem: String = id
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    match stem.trim_start_matches('.') {
        "" => "_".to_string(),
        s => s.to_string(),
    }
}
