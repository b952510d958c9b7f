//! Diff stage: one dataset under two versions of a rule set, and what changed (`meso diff`).
//!
//! Input: the old and new [`RuleSet`]s and [`DiffOptions`] (the dataset's `ReadOptions`,
//! the report's format and files). Output: the report (`crate::render::diff`), streamed to
//! a file renamed into place or to standard output, a reject file when asked for, and a
//! [`DiffSummary`]. The dataset layer (`crate::dataset`) reads every record once and parses
//! it for both rule sets; both evaluate it on the workers; a record whose classification or
//! policies changed is reported with its causes (`causes`): the criteria and policy
//! conditions whose outcome flipped, each annotated with the rule change behind it
//! (`notes`: changed rule text, changed parameter values).

mod causes;
mod notes;

pub use crate::render::diff::DiffFormat;
pub use notes::param_changes;

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::atomic::AtomicFile;
use crate::dataset::columns::Columns;
use crate::dataset::input::{self, Piece, RawRecord};
use crate::dataset::record::{self, RejectRow};
use crate::dataset::record::{RecordParser, Scratch};
use crate::dataset::{create_output, parser_for, pipeline, DatasetError, ReadOptions};
use crate::eval::{Evaluator, Outcome};
use crate::ir::Program;
use crate::render::diff::{render_change, render_footer, render_header, ParamLine, Totals};
use crate::render::rows;
use crate::ruleset::RuleSet;
use causes::{Ctx, Side};
use notes::notes;

/// Options of `meso diff`.
#[derive(Clone, Debug)]
pub struct DiffOptions {
    /// The dataset
    pub read: ReadOptions,
    /// Report format
    pub format: DiffFormat,
    /// Report file (standard output when `None`)
    pub out: Option<PathBuf>,
    /// Reject file (when `None`, rejects are returned in the summary)
    pub rejects: Option<PathBuf>,
    /// Names of the two rule sets, for the report header
    pub names: (String, String),
}

/// What a diff run found.
#[derive(Clone, Debug, Default)]
pub struct DiffSummary {
    /// Records read
    pub read: u64,
    /// Records evaluated under both rule sets
    pub compared: u64,
    /// Records whose classification or policies changed
    pub changed: u64,
    /// Records rejected (bad values under either rule set)
    pub rejected: u64,
    /// Changed classifications: (old, new, count), `none` for no classification
    pub transitions: Vec<(String, String, u64)>,
    /// Records whose classification stayed but whose policies changed
    pub policies_only: u64,
    /// The rejected records' problems, when no reject file was asked for
    pub rejects: Vec<RejectRow>,
    /// Input names (for the reject rows' `source`)
    pub inputs: Vec<String>,
}

/// Run `meso diff`.
pub fn run_diff(
    old: &RuleSet,
    new: &RuleSet,
    opts: &DiffOptions,
) -> Result<DiffSummary, DatasetError> {
    let (po, pn) = (&old.program, &new.program);
    let names = |p: &Program| p.facts.iter().map(|f| f.name.clone()).collect::<Vec<_>>();
    let cols_old = Columns::new(po, &opts.read.columns)?.with_also_known(names(pn));
    let cols_new = Columns::new(pn, &opts.read.columns)?.with_also_known(names(po));
    let (infos, reader) = input::open(&opts.read.input)?;
    let (parse_old, _) = parser_for(po, &cols_old, &infos, &opts.read)?;
    let (parse_new, _) = parser_for(pn, &cols_new, &infos, &opts.read)?;
    let params = param_changes(po, pn);
    let notes = notes(po, pn, &params);

    let mut out: Box<dyn ReportSink> = match &opts.out {
        Some(path) => Box::new(Report {
            file: create_output(path)?,
            path,
        }),
        None => Box::new(std::io::stdout()),
    };
    let mut rejects = match &opts.rejects {
        Some(path) => {
            let mut f = create_output(path)?;
            f.write_all(rows::REJECT_HEADER)
                .map_err(DatasetError::write(path))?;
            Some((f, path))
        }
        None => None,
    };
    let lines: Vec<ParamLine<'_>> = params
        .iter()
        .map(|p| ParamLine {
            name: &p.name,
            old: p.old.as_deref(),
            new: p.new.as_deref(),
        })
        .collect();
    let names = (opts.names.0.as_str(), opts.names.1.as_str());
    out.put(&render_header(opts.format, names, &lines))?;
    drop(lines);

    let mut summary = DiffSummary {
        inputs: parse_old.names.clone(),
        ..DiffSummary::default()
    };
    let mut transitions: HashMap<(String, String), u64> = HashMap::new();
    let mut first = true;
    let mut progress = pipeline::Progress::new(opts.read.progress, reader.total());
    let threads = pipeline::thread_count(opts.read.threads);
    let format = opts.format;
    let ctx = Ctx {
        old: Side { program: po },
        new: Side { program: pn },
        notes: &notes,
    };

    let init = || {
        (
            Scratch::new(po.facts.len()),
            Scratch::new(pn.facts.len()),
            Outcome::default(),
            Outcome::default(),
            (Evaluator::new(&old.compiled), Evaluator::new(&new.compiled)),
        )
    };
    type State<'c> = (
        Scratch,
        Scratch,
        Outcome,
        Outcome,
        (Evaluator<'c>, Evaluator<'c>),
    );
    let work = |state: &mut State<'_>, piece: &Piece| {
        let (so, sn, oo, on, (eo, en)) = state;
        let mut slice = Slice::default();
        piece.for_each_record(|rec| {
            slice.read += 1;
            let id = parse_both(&parse_old, &parse_new, rec, so, sn, &mut slice);
            let Some(id) = id else { return };
            eo.evaluate_into(&so.facts, oo);
            en.evaluate_into(&sn.facts, on);
            slice.compared += 1;
            if let Some(change) = ctx.compare(&id, rec, oo, on) {
                if change.old_class == change.new_class {
                    slice.policies_only += 1;
                } else {
                    *slice
                        .transitions
                        .entry((change.old_class.clone(), change.new_class.clone()))
                        .or_insert(0) += 1;
                }
                slice.changed += 1;
                render_change(&change, format, &parse_old.names, &mut slice.bytes);
            }
        })?;
        Ok(slice)
    };
    let sink = |slice: Slice| -> Result<(), DatasetError> {
        let skip = if first && !slice.bytes.is_empty() {
            format.first_record_skip()
        } else {
            0
        };
        if !slice.bytes.is_empty() {
            first = false;
        }
        out.put(slice.bytes.get(skip..).unwrap_or(&[]))?;
        summary.read += slice.read;
        summary.compared += slice.compared;
        summary.changed += slice.changed;
        summary.policies_only += slice.policies_only;
        let mut ids: Vec<(u32, u64)> = slice.rejects.iter().map(|r| (r.source, r.line)).collect();
        ids.dedup();
        summary.rejected += ids.len() as u64;
        match &mut rejects {
            Some((file, path)) => {
                let mut buf = Vec::new();
                record::reject_rows(&slice.rejects, &summary.inputs, &mut buf);
                file.write_all(&buf).map_err(DatasetError::write(path))?;
            }
            None => summary.rejects.extend(slice.rejects),
        }
        for (k, n) in slice.transitions {
            *transitions.entry(k).or_insert(0) += n;
        }
        Ok(())
    };
    pipeline::run(reader, threads, &mut progress, init, work, sink)?;
    progress.finish();
    summary.transitions = sorted_transitions(po, pn, transitions);
    out.put(&render_footer(
        format,
        &Totals {
            read: summary.read,
            compared: summary.compared,
            changed: summary.changed,
            rejected: summary.rejected,
            policies_only: summary.policies_only,
            transitions: &summary.transitions,
        },
    ))?;
    if let Some((file, path)) = rejects {
        file.commit().map_err(DatasetError::write(path))?;
    }
    out.finish()?;
    Ok(summary)
}

/// Where the report goes: a file renamed into place, or standard output.
trait ReportSink {
    fn put(&mut self, bytes: &[u8]) -> Result<(), DatasetError>;
    fn finish(self: Box<Self>) -> Result<(), DatasetError>;
}

/// The report file and its path (for errors).
struct Report<'a> {
    file: AtomicFile,
    path: &'a Path,
}

impl ReportSink for Report<'_> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), DatasetError> {
        self.file
            .write_all(bytes)
            .map_err(DatasetError::write(self.path))
    }
    fn finish(self: Box<Self>) -> Result<(), DatasetError> {
        self.file.commit().map_err(DatasetError::write(self.path))
    }
}

impl ReportSink for std::io::Stdout {
    fn put(&mut self, bytes: &[u8]) -> Result<(), DatasetError> {
        self.write_all(bytes).map_err(|e| stdout_error(&e))
    }
    fn finish(mut self: Box<Self>) -> Result<(), DatasetError> {
        self.flush().map_err(|e| stdout_error(&e))
    }
}

fn stdout_error(e: &std::io::Error) -> DatasetError {
    DatasetError::Io {
        action: "write",
        path: "<stdout>".into(),
        reason: e.to_string().to_lowercase(),
        help: None,
    }
}

#[derive(Default)]
struct Slice {
    bytes: Vec<u8>,
    rejects: Vec<RejectRow>,
    read: u64,
    compared: u64,
    changed: u64,
    policies_only: u64,
    transitions: HashMap<(String, String), u64>,
}

/// Parse a record for both rule sets; `None` (and rejects) when either has problems.
fn parse_both(
    parse_old: &RecordParser<'_>,
    parse_new: &RecordParser<'_>,
    rec: &RawRecord<'_>,
    so: &mut Scratch,
    sn: &mut Scratch,
    slice: &mut Slice,
) -> Option<String> {
    let id = parse_old.parse(rec, so).into_owned();
    parse_new.parse(rec, sn);
    if so.problems.is_empty() && sn.problems.is_empty() {
        return Some(id);
    }
    let mut seen = Vec::new();
    for (which, problems) in [("old", &mut so.problems), ("new", &mut sn.problems)] {
        for mut problem in problems.drain(..) {
            let key = (problem.column.clone(), problem.reason.clone());
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            problem.reason = format!("{which} rules: {}", problem.reason);
            slice.rejects.push(RejectRow {
                source: rec.source,
                line: rec.line,
                id: id.clone(),
                problem,
            });
        }
    }
    None
}

/// Transitions in a stable order: by the old class's position (old rule set), then the
/// new class's (new rule set), `none` last.
fn sorted_transitions(
    po: &Program,
    pn: &Program,
    map: HashMap<(String, String), u64>,
) -> Vec<(String, String, u64)> {
    let rank = |p: &Program, name: &str| p.type_id(name).map_or(usize::MAX, |t| t.index());
    let mut list: Vec<(String, String, u64)> =
        map.into_iter().map(|((a, b), n)| (a, b, n)).collect();
    list.sort_by(|x, y| {
        (rank(po, &x.0), rank(pn, &x.1), &x.0, &x.1).cmp(&(
            rank(po, &y.0),
            rank(pn, &y.1),
            &y.0,
            &y.1,
        ))
    });
    list
}
