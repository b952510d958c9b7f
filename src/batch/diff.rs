//! `meso diff`: one dataset under two versions of a rule set, and what changed.
//!
//! Input: the old and new [`RuleSet`]s and the dataset's [`ReadOptions`]. Output: every
//! record whose classification or policies changed, with the cause: the criteria (and
//! policy conditions) whose outcome flipped, matched by type and criterion name, each
//! annotated with the rule change behind it (changed rule text, changed parameter
//! values); parameter changes between the two sets; counts per (old → new) class.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::str::FromStr;

use super::columns::Columns;
use super::error::BatchError;
use super::input::{self, Piece, RawRecord};
use super::record::{self, RejectRow};
use super::record::{RecordParser, Scratch};
use super::{parser_for, pipeline, AtomicFile, ReadOptions};
use crate::eval::{self, Outcome};
use crate::ir::{DerivedId, Expr, ExprId, ParamId, Program};
use crate::render::report::value_json;
use crate::render::rows::{self, csv_field, json_string};
use crate::ruleset::RuleSet;
use crate::value::round4;
use crate::value::Truth;
use crate::vocab::PolicyKind;

/// The format of a diff report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffFormat {
    /// For reading
    Text,
    /// One row per changed record
    Csv,
    /// One JSON object
    Json,
}

impl FromStr for DiffFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "text" => Ok(DiffFormat::Text),
            "csv" => Ok(DiffFormat::Csv),
            "json" => Ok(DiffFormat::Json),
            _ => Err(format!(
                "unknown diff format `{s}`: use `text`, `csv` or `json`"
            )),
        }
    }
}

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

/// A parameter whose value differs between the two rule sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamChange {
    /// Name
    pub name: String,
    /// Old value as JSON (`None`: not declared in the old set)
    pub old: Option<String>,
    /// New value as JSON (`None`: not declared in the new set)
    pub new: Option<String>,
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
    /// Parameter changes
    pub params: Vec<ParamChange>,
    /// The rejected records' problems, when no reject file was asked for
    pub rejects: Vec<RejectRow>,
    /// Input names (for the reject rows' `source`)
    pub inputs: Vec<String>,
}

/// Per-criterion notes: why its outcome may have changed.
struct Notes {
    /// (type, criterion) → note
    criteria: HashMap<(String, String), String>,
    /// policy → note on its condition
    conditions: HashMap<String, String>,
}

struct Side<'p> {
    program: &'p Program,
}

/// Run `meso diff`.
pub fn run_diff(
    old: &RuleSet,
    new: &RuleSet,
    opts: &DiffOptions,
) -> Result<DiffSummary, BatchError> {
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
        Some(path) => Box::new(AtomicFile::create(path)?),
        None => Box::new(std::io::stdout()),
    };
    let mut rejects = match &opts.rejects {
        Some(path) => {
            let mut f = AtomicFile::create(path)?;
            f.write_all(rows::REJECT_HEADER)?;
            Some(f)
        }
        None => None,
    };
    out.put(&header(opts, &params))?;

    let mut summary = DiffSummary {
        params,
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
        )
    };
    let work = |state: &mut (Scratch, Scratch, Outcome, Outcome), piece: &Piece| {
        let (so, sn, oo, on) = state;
        let mut slice = Slice::default();
        piece.for_each_record(|rec| {
            slice.read += 1;
            let id = parse_both(&parse_old, &parse_new, rec, so, sn, &mut slice);
            let Some(id) = id else { return };
            eval::evaluate_into(po, &so.facts, oo);
            eval::evaluate_into(pn, &sn.facts, on);
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
                change.render(format, &parse_old.names, &mut slice.bytes);
            }
        })?;
        Ok(slice)
    };
    let sink = |slice: Slice| -> Result<(), BatchError> {
        let skip = usize::from(first && format == DiffFormat::Json && !slice.bytes.is_empty());
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
            Some(file) => {
                let mut buf = Vec::new();
                record::reject_rows(&slice.rejects, &summary.inputs, &mut buf);
                file.write_all(&buf)?;
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
    out.put(&footer(format, &summary))?;
    if let Some(file) = rejects {
        file.commit()?;
    }
    out.finish()?;
    Ok(summary)
}

/// Where the report goes: a file renamed into place, or standard output.
trait ReportSink {
    fn put(&mut self, bytes: &[u8]) -> Result<(), BatchError>;
    fn finish(self: Box<Self>) -> Result<(), BatchError>;
}

impl ReportSink for AtomicFile {
    fn put(&mut self, bytes: &[u8]) -> Result<(), BatchError> {
        self.write_all(bytes)
    }
    fn finish(self: Box<Self>) -> Result<(), BatchError> {
        (*self).commit()
    }
}

impl ReportSink for std::io::Stdout {
    fn put(&mut self, bytes: &[u8]) -> Result<(), BatchError> {
        self.write_all(bytes).map_err(|e| stdout_error(&e))
    }
    fn finish(mut self: Box<Self>) -> Result<(), BatchError> {
        self.flush().map_err(|e| stdout_error(&e))
    }
}

fn stdout_error(e: &std::io::Error) -> BatchError {
    BatchError::Io {
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

struct Ctx<'a> {
    old: Side<'a>,
    new: Side<'a>,
    notes: &'a Notes,
}

/// A changed record.
struct Change {
    id: String,
    source: u32,
    line: u64,
    old_class: String,
    new_class: String,
    added: Vec<String>,
    removed: Vec<String>,
    reordered: bool,
    causes: Vec<String>,
}

impl Ctx<'_> {
    fn class(side: &Side<'_>, o: &Outcome) -> String {
        o.classification
            .and_then(|c| side.program.cluster_type(c))
            .map_or_else(|| "none".into(), |t| t.name.clone())
    }

    fn applied(side: &Side<'_>, o: &Outcome) -> Vec<String> {
        o.applicable
            .iter()
            .filter_map(|&id| side.program.policy(id))
            .map(|p| match p.kind {
                PolicyKind::Recommend => p.name.clone(),
                PolicyKind::Avoid => format!("avoid:{}", p.name),
            })
            .collect()
    }

    fn compare(&self, id: &str, rec: &RawRecord<'_>, oo: &Outcome, on: &Outcome) -> Option<Change> {
        let old_class = Self::class(&self.old, oo);
        let new_class = Self::class(&self.new, on);
        let old_p = Self::applied(&self.old, oo);
        let new_p = Self::applied(&self.new, on);
        if old_class == new_class && old_p == new_p {
            return None;
        }
        let added: Vec<String> = new_p
            .iter()
            .filter(|p| !old_p.contains(p))
            .cloned()
            .collect();
        let removed: Vec<String> = old_p
            .iter()
            .filter(|p| !new_p.contains(p))
            .cloned()
            .collect();
        let reordered = added.is_empty() && removed.is_empty() && old_p != new_p;
        let mut causes = Vec::new();
        self.type_causes(oo, on, &old_class, &new_class, &mut causes);
        self.policy_causes(oo, on, &mut causes);
        Some(Change {
            id: id.to_string(),
            source: rec.source,
            line: rec.line,
            old_class,
            new_class,
            added,
            removed,
            reordered,
            causes,
        })
    }

    fn type_causes(
        &self,
        oo: &Outcome,
        on: &Outcome,
        oc: &str,
        nc: &str,
        causes: &mut Vec<String>,
    ) {
        let (po, pn) = (self.old.program, self.new.program);
        for (ti, tn) in pn.types.iter().enumerate() {
            let Some(new_t) = on.types.get(ti) else {
                continue;
            };
            let Some(oi) = po.type_id(&tn.name) else {
                causes.push(format!(
                    "type `{}` is new: {}",
                    tn.name,
                    new_t.status.code()
                ));
                continue;
            };
            let (Some(to), Some(old_t)) = (po.cluster_type(oi), oo.types.get(oi.index())) else {
                continue;
            };
            let status_changed = old_t.status != new_t.status;
            let score_changed = round4(old_t.score) != round4(new_t.score);
            let relevant = tn.name == oc || tn.name == nc;
            if !(status_changed || score_changed && relevant) {
                continue;
            }
            if status_changed {
                causes.push(format!(
                    "`{}`: {} → {}",
                    tn.name,
                    old_t.status.code(),
                    new_t.status.code()
                ));
            } else {
                causes.push(format!(
                    "`{}` score: {} → {}",
                    tn.name,
                    round4(old_t.score),
                    round4(new_t.score)
                ));
            }
            let sections = [
                (
                    "required",
                    &to.required,
                    &old_t.required,
                    &tn.required,
                    &new_t.required,
                ),
                (
                    "indicative",
                    &to.indicative,
                    &old_t.indicative,
                    &tn.indicative,
                    &new_t.indicative,
                ),
                (
                    "excluding",
                    &to.excluding,
                    &old_t.excluding,
                    &tn.excluding,
                    &new_t.excluding,
                ),
            ];
            for (section, oc_list, ot, nc_list, nt) in sections {
                for (c, truth) in nc_list.iter().zip(nt.iter()) {
                    let before = oc_list
                        .iter()
                        .position(|x| x.name == c.name)
                        .and_then(|i| ot.get(i));
                    let note = self
                        .notes
                        .criteria
                        .get(&(tn.name.clone(), c.name.clone()))
                        .map_or_else(String::new, |n| format!(" ({n})"));
                    match before {
                        Some(b) if b == truth => {}
                        Some(b) => causes.push(format!(
                            "{section} `{}.{}`: {} → {}{note}",
                            tn.name,
                            c.name,
                            b.as_str(),
                            truth.as_str()
                        )),
                        None => causes.push(format!(
                            "{section} `{}.{}` is new: {}",
                            tn.name,
                            c.name,
                            truth.as_str()
                        )),
                    }
                }
                for c in oc_list.iter() {
                    if !nc_list.iter().any(|x| x.name == c.name) {
                        causes.push(format!("{section} `{}.{}` was removed", tn.name, c.name));
                    }
                }
            }
        }
        for t in &po.types {
            if pn.type_id(&t.name).is_none() {
                causes.push(format!("type `{}` was removed", t.name));
            }
        }
    }

    fn policy_causes(&self, oo: &Outcome, on: &Outcome, causes: &mut Vec<String>) {
        let (po, pn) = (self.old.program, self.new.program);
        for (pi, p) in pn.policies.iter().enumerate() {
            let Some(oi) = po.policy_id(&p.name) else {
                continue;
            };
            let (Some(old_p), Some(new_p)) = (oo.policies.get(oi.index()), on.policies.get(pi))
            else {
                continue;
            };
            if old_p.status == new_p.status {
                continue;
            }
            let (a, b) = (
                old_p.condition.unwrap_or(Truth::True),
                new_p.condition.unwrap_or(Truth::True),
            );
            if a != b {
                let note = self
                    .notes
                    .conditions
                    .get(&p.name)
                    .map_or_else(String::new, |n| format!(" ({n})"));
                causes.push(format!(
                    "`{}` condition: {} → {}{note}",
                    p.name,
                    a.as_str(),
                    b.as_str()
                ));
            }
        }
    }
}

impl Change {
    fn render(&self, format: DiffFormat, names: &[String], out: &mut Vec<u8>) {
        match format {
            DiffFormat::Text => {
                let _ = writeln!(
                    out,
                    "{} (line {}): {} → {}",
                    self.id, self.line, self.old_class, self.new_class
                );
                for c in &self.causes {
                    let _ = writeln!(out, "    {c}");
                }
                if !self.removed.is_empty() {
                    let _ = writeln!(
                        out,
                        "    policies no longer applying: {}",
                        self.removed.join(", ")
                    );
                }
                if !self.added.is_empty() {
                    let _ = writeln!(out, "    policies now applying: {}", self.added.join(", "));
                }
                if self.reordered {
                    let _ = writeln!(out, "    policies in a new order");
                }
            }
            DiffFormat::Csv => {
                csv_field(
                    names.get(self.source as usize).map_or("", String::as_str),
                    out,
                );
                let _ = write!(out, ",{},", self.line);
                csv_field(&self.id, out);
                let _ = write!(out, ",{},{},", self.old_class, self.new_class);
                csv_field(&self.added.join(";"), out);
                out.push(b',');
                csv_field(&self.removed.join(";"), out);
                out.push(b',');
                csv_field(&self.causes.join("; "), out);
                out.push(b'\n');
            }
            DiffFormat::Json => {
                out.extend_from_slice(b",\n{\"id\":");
                json_string(&self.id, out);
                let _ = write!(out, ",\"line\":{},\"old_classification\":", self.line);
                json_string(&self.old_class, out);
                out.extend_from_slice(b",\"new_classification\":");
                json_string(&self.new_class, out);
                for (key, list) in [
                    ("added_policies", &self.added),
                    ("removed_policies", &self.removed),
                    ("causes", &self.causes),
                ] {
                    let _ = write!(out, ",\"{key}\":[");
                    for (i, s) in list.iter().enumerate() {
                        if i > 0 {
                            out.push(b',');
                        }
                        json_string(s, out);
                    }
                    out.push(b']');
                }
                out.push(b'}');
            }
        }
    }
}

fn header(opts: &DiffOptions, params: &[ParamChange]) -> Vec<u8> {
    let mut out = Vec::new();
    match opts.format {
        DiffFormat::Text => {
            let _ = writeln!(out, "rules: {} → {}", opts.names.0, opts.names.1);
            if params.is_empty() {
                let _ = writeln!(out, "parameter changes: none");
            } else {
                let _ = writeln!(out, "parameter changes:");
                for p in params {
                    let _ = writeln!(
                        out,
                        "    {}: {} → {}",
                        p.name,
                        p.old.as_deref().unwrap_or("(not declared)"),
                        p.new.as_deref().unwrap_or("(not declared)")
                    );
                }
            }
            let _ = writeln!(out, "changed records:");
        }
        DiffFormat::Csv => {
            out.extend_from_slice(b"file,line,id,old_classification,new_classification,added_policies,removed_policies,causes\n");
        }
        DiffFormat::Json => {
            out.extend_from_slice(b"{\"old_rules\":");
            json_string(&opts.names.0, &mut out);
            out.extend_from_slice(b",\"new_rules\":");
            json_string(&opts.names.1, &mut out);
            out.extend_from_slice(b",\"param_changes\":[");
            for (i, p) in params.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(b"{\"param\":");
                json_string(&p.name, &mut out);
                let _ = write!(
                    out,
                    ",\"old\":{},\"new\":{}}}",
                    p.old.as_deref().unwrap_or("null"),
                    p.new.as_deref().unwrap_or("null")
                );
            }
            out.extend_from_slice(b"],\"records\":[");
        }
    }
    out
}

fn footer(format: DiffFormat, s: &DiffSummary) -> Vec<u8> {
    let mut out = Vec::new();
    match format {
        DiffFormat::Text => {
            if s.changed == 0 {
                let _ = writeln!(out, "    (none)");
            }
            let _ = writeln!(
                out,
                "summary: {} records, {} compared, {} changed, {} rejected",
                s.read, s.compared, s.changed, s.rejected
            );
            for (a, b, n) in &s.transitions {
                let _ = writeln!(out, "    {a} → {b}: {n}");
            }
            if s.policies_only > 0 {
                let _ = writeln!(
                    out,
                    "    same classification, policies changed: {}",
                    s.policies_only
                );
            }
        }
        DiffFormat::Csv => {}
        DiffFormat::Json => {
            let _ = write!(
                out,
                "\n],\"summary\":{{\"records\":{},\"compared\":{},\"changed\":{},\"rejected\":{},\"policies_only\":{},\"transitions\":[",
                s.read, s.compared, s.changed, s.rejected, s.policies_only
            );
            for (i, (a, b, n)) in s.transitions.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(b"{\"old\":");
                json_string(a, &mut out);
                out.extend_from_slice(b",\"new\":");
                json_string(b, &mut out);
                let _ = write!(out, ",\"records\":{n}}}");
            }
            out.extend_from_slice(b"]}}\n");
        }
    }
    out
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

/// Parameters whose values differ, were added or removed, in new-then-old declaration order.
pub fn param_changes(po: &Program, pn: &Program) -> Vec<ParamChange> {
    let json = |p: &crate::ir::Param| value_json(&p.value, &p.ty).to_string();
    let mut out = Vec::new();
    for p in &pn.params {
        let old = po
            .param_id(&p.name)
            .and_then(|i| po.params.get(i.index()))
            .map(json);
        let new = Some(json(p));
        if old != new {
            out.push(ParamChange {
                name: p.name.clone(),
                old,
                new,
            });
        }
    }
    for p in &po.params {
        if pn.param_id(&p.name).is_none() {
            out.push(ParamChange {
                name: p.name.clone(),
                old: Some(json(p)),
                new: None,
            });
        }
    }
    out
}

/// For each criterion and policy condition of the new rule set: the rule change that may
/// flip it (its own text, a derived value it reads, a parameter it reads).
fn notes(po: &Program, pn: &Program, params: &[ParamChange]) -> Notes {
    let mut n = Notes {
        criteria: HashMap::new(),
        conditions: HashMap::new(),
    };
    for t in &pn.types {
        let old_t = po.type_id(&t.name).and_then(|i| po.cluster_type(i));
        for c in t.required.iter().chain(&t.indicative).chain(&t.excluding) {
            let old_c = old_t.and_then(|ot| {
                ot.required
                    .iter()
                    .chain(&ot.indicative)
                    .chain(&ot.excluding)
                    .find(|x| x.name == c.name)
            });
            let old_expr = old_c.map(|x| x.expr);
            if let Some(note) = note_for(po, pn, old_expr, c.expr, params) {
                n.criteria.insert((t.name.clone(), c.name.clone()), note);
            }
        }
    }
    for p in &pn.policies {
        let Some(cond) = p.condition else { continue };
        let old = po
            .policy_id(&p.name)
            .and_then(|i| po.policy(i))
            .and_then(|x| x.condition);
        if let Some(note) = note_for(po, pn, old, cond, params) {
            n.conditions.insert(p.name.clone(), note);
        }
    }
    n
}

fn note_for(
    po: &Program,
    pn: &Program,
    old: Option<ExprId>,
    new: ExprId,
    params: &[ParamChange],
) -> Option<String> {
    let new_text = expr_text(pn, new);
    match old {
        None => return Some("new condition".into()),
        Some(o) => {
            let old_text = expr_text(po, o);
            if old_text != new_text {
                return Some(format!("rule changed: `{old_text}` → `{new_text}`"));
            }
        }
    }
    let mut ps = Vec::new();
    let mut ds = Vec::new();
    reads(pn, new, &mut ps, &mut ds);
    let mut notes = Vec::new();
    for d in ds {
        let Some(decl) = pn.derived.get(d.index()) else {
            continue;
        };
        let old_def = po.derived.iter().find(|x| x.name == decl.name);
        match old_def {
            Some(od) if expr_text(po, od.expr) == expr_text(pn, decl.expr) => {}
            _ => notes.push(format!("derived `{}` changed", decl.name)),
        }
    }
    for p in ps {
        let Some(decl) = pn.params.get(p.index()) else {
            continue;
        };
        if let Some(change) = params.iter().find(|c| c.name == decl.name) {
            notes.push(format!(
                "param `{}`: {} → {}",
                change.name,
                change.old.as_deref().unwrap_or("(not declared)"),
                change.new.as_deref().unwrap_or("(not declared)")
            ));
        }
    }
    (!notes.is_empty()).then(|| notes.join(", "))
}

/// The source text of an expression, whitespace collapsed.
fn expr_text(p: &Program, id: ExprId) -> String {
    let span = p.expr_span(id);
    let text = p.sources.get(span.file).map_or("", |f| f.snippet(span));
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Parameters and derived values an expression reads, through derived values.
fn reads(p: &Program, id: ExprId, params: &mut Vec<ParamId>, derived: &mut Vec<DerivedId>) {
    let Some(expr) = p.expr(id) else { return };
    let mut kids: Vec<ExprId> = Vec::new();
    match expr {
        Expr::Const(_) | Expr::Fact(_) => {}
        Expr::Param(pid) => {
            if !params.contains(pid) {
                params.push(*pid);
            }
        }
        Expr::Derived(d) => {
            if !derived.contains(d) {
                derived.push(*d);
                if let Some(decl) = p.derived.get(d.index()) {
                    kids.push(decl.expr);
                }
            }
        }
        Expr::Not(a) | Expr::Neg(a) => kids.push(*a),
        Expr::IsKnown { value, .. } => kids.push(*value),
        Expr::And(a, b) | Expr::Or(a, b) => kids.extend([*a, *b]),
        Expr::Compare { lhs, rhs, .. } | Expr::Arith { lhs, rhs, .. } => kids.extend([*lhs, *rhs]),
        Expr::In { value, items, .. } => {
            kids.push(*value);
            kids.extend(items.iter().copied());
        }
        Expr::Between {
            value, low, high, ..
        } => kids.extend([*value, *low, *high]),
        Expr::Contains { set, item } => kids.extend([*set, *item]),
        Expr::Call { args, .. } => kids.extend(args.iter().copied()),
    }
    for k in kids {
        reads(p, k, params, derived);
    }
}
