//! Render stage, rule-set diffs: the report of `meso diff` as text, CSV or JSON.
//!
//! Input: the rule sets' names and parameter changes, each changed record (its
//! classifications, policies and causes, already worded by the diff stage), and the run's
//! totals. Output: the bytes of the report, in three parts (header, one entry per changed
//! record, footer), so that the records can be rendered by the workers and streamed in
//! input order.

use std::io::Write;
use std::str::FromStr;

use crate::batch::output::{csv_field, json_string};

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

impl DiffFormat {
    /// Bytes to drop from the first rendered record: the `,` that separates JSON entries.
    pub fn first_record_skip(self) -> usize {
        usize::from(self == DiffFormat::Json)
    }
}

/// A record whose classification or policies changed, as the report shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangedRecord {
    /// The record's id
    pub id: String,
    /// Index of the input it came from
    pub source: u32,
    /// Its line (row) in that input
    pub line: u64,
    /// Classification under the old rule set (`none` for no classification)
    pub old_class: String,
    /// Classification under the new rule set
    pub new_class: String,
    /// Policies that apply now and did not before (`avoid:` before avoided ones)
    pub added: Vec<String>,
    /// Policies that applied before and do not now
    pub removed: Vec<String>,
    /// The same policies apply, in another order
    pub reordered: bool,
    /// What changed and why, one sentence each
    pub causes: Vec<String>,
}

/// One parameter change in the header: its name and its old and new values as JSON text
/// (`None`: not declared in that rule set).
#[derive(Clone, Copy, Debug)]
pub struct ParamLine<'a> {
    /// Name
    pub name: &'a str,
    /// Old value
    pub old: Option<&'a str>,
    /// New value
    pub new: Option<&'a str>,
}

/// The counts of a run, for the footer.
#[derive(Clone, Copy, Debug)]
pub struct Totals<'a> {
    /// Records read
    pub read: u64,
    /// Records evaluated under both rule sets
    pub compared: u64,
    /// Records whose classification or policies changed
    pub changed: u64,
    /// Records rejected
    pub rejected: u64,
    /// Records whose classification stayed but whose policies changed
    pub policies_only: u64,
    /// Changed classifications: (old, new, count)
    pub transitions: &'a [(String, String, u64)],
}

/// Append one changed record's entry to the report body (JSON entries start with the `,`
/// that separates them from the one before: see [`DiffFormat::first_record_skip`]).
/// `names` are the input names, for the CSV report's `file` column.
pub fn render_change(
    record: &ChangedRecord,
    format: DiffFormat,
    names: &[String],
    out: &mut Vec<u8>,
) {
    match format {
        DiffFormat::Text => {
            let _ = writeln!(
                out,
                "{} (line {}): {} → {}",
                record.id, record.line, record.old_class, record.new_class
            );
            for c in &record.causes {
                let _ = writeln!(out, "    {c}");
            }
            if !record.removed.is_empty() {
                let _ = writeln!(
                    out,
                    "    policies no longer applying: {}",
                    record.removed.join(", ")
                );
            }
            if !record.added.is_empty() {
                let _ = writeln!(
                    out,
                    "    policies now applying: {}",
                    record.added.join(", ")
                );
            }
            if record.reordered {
                let _ = writeln!(out, "    policies in a new order");
            }
        }
        DiffFormat::Csv => {
            csv_field(
                names.get(record.source as usize).map_or("", String::as_str),
                out,
            );
            let _ = write!(out, ",{},", record.line);
            csv_field(&record.id, out);
            let _ = write!(out, ",{},{},", record.old_class, record.new_class);
            csv_field(&record.added.join(";"), out);
            out.push(b',');
            csv_field(&record.removed.join(";"), out);
            out.push(b',');
            csv_field(&record.causes.join("; "), out);
            out.push(b'\n');
        }
        DiffFormat::Json => {
            out.extend_from_slice(b",\n{\"id\":");
            json_string(&record.id, out);
            let _ = write!(out, ",\"line\":{},\"old_classification\":", record.line);
            json_string(&record.old_class, out);
            out.extend_from_slice(b",\"new_classification\":");
            json_string(&record.new_class, out);
            for (key, list) in [
                ("added_policies", &record.added),
                ("removed_policies", &record.removed),
                ("causes", &record.causes),
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

/// What comes before the first changed record: the rule sets' names (old, new) and the
/// parameter changes.
pub fn render_header(format: DiffFormat, names: (&str, &str), params: &[ParamLine<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    match format {
        DiffFormat::Text => {
            let _ = writeln!(out, "rules: {} → {}", names.0, names.1);
            if params.is_empty() {
                let _ = writeln!(out, "parameter changes: none");
            } else {
                let _ = writeln!(out, "parameter changes:");
                for p in params {
                    let _ = writeln!(
                        out,
                        "    {}: {} → {}",
                        p.name,
                        p.old.unwrap_or("(not declared)"),
                        p.new.unwrap_or("(not declared)")
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
            json_string(names.0, &mut out);
            out.extend_from_slice(b",\"new_rules\":");
            json_string(names.1, &mut out);
            out.extend_from_slice(b",\"param_changes\":[");
            for (i, p) in params.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(b"{\"param\":");
                json_string(p.name, &mut out);
                let _ = write!(
                    out,
                    ",\"old\":{},\"new\":{}}}",
                    p.old.unwrap_or("null"),
                    p.new.unwrap_or("null")
                );
            }
            out.extend_from_slice(b"],\"records\":[");
        }
    }
    out
}

/// What comes after the last changed record: the counts and the classification changes.
pub fn render_footer(format: DiffFormat, s: &Totals<'_>) -> Vec<u8> {
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
            for (a, b, n) in s.transitions {
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
