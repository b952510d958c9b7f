//! Render stage, rule-set diffs: the report of `meso diff` as text, CSV or JSON.
//!
//! Input: the rule sets' names and parameter changes, each changed record (its
//! classifications, policies and [`Cause`]s, with the [`Note`]s on the rule changes behind
//! them), and the run's totals. Output: the bytes of the report, in three parts (header, one entry per changed
//! record, footer), so that the records can be rendered by the workers and streamed in
//! input order.

use std::fmt;
use std::io::Write;
use std::str::FromStr;

use crate::render::rows::{csv_field, json_string};
use crate::value::{round4, Truth};
use crate::vocab::TypeStatus;

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
#[derive(Clone, Debug, PartialEq)]
pub struct ChangedRecord<'a> {
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
    /// What changed and why
    pub causes: Vec<Cause<'a>>,
}

/// One thing that changed for a record, with the names of the rule set it is about.
#[derive(Clone, Debug, PartialEq)]
pub enum Cause<'a> {
    /// A type the old rule set does not have, and its status now
    NewType {
        /// The type
        ty: &'a str,
        /// Its status under the new rule set
        status: TypeStatus,
    },
    /// A type the new rule set does not have
    RemovedType {
        /// The type
        ty: &'a str,
    },
    /// A type's status changed
    Status {
        /// The type
        ty: &'a str,
        /// Before
        old: TypeStatus,
        /// After
        new: TypeStatus,
    },
    /// The score of the old or the new classification's type changed (not its status)
    Score {
        /// The type
        ty: &'a str,
        /// Before (shown rounded to 4 decimals)
        old: f64,
        /// After
        new: f64,
    },
    /// A criterion's outcome flipped
    Criterion {
        /// `required`, `indicative` or `excluding`
        section: &'static str,
        /// The type
        ty: &'a str,
        /// The criterion
        criterion: &'a str,
        /// Before
        old: Truth,
        /// After
        new: Truth,
        /// The rule change that may be behind it
        note: Option<&'a Note>,
    },
    /// A criterion the old type does not have, and its outcome now
    NewCriterion {
        /// `required`, `indicative` or `excluding`
        section: &'static str,
        /// The type
        ty: &'a str,
        /// The criterion
        criterion: &'a str,
        /// Its outcome under the new rule set
        truth: Truth,
    },
    /// A criterion the new type does not have
    RemovedCriterion {
        /// `required`, `indicative` or `excluding`
        section: &'static str,
        /// The type
        ty: &'a str,
        /// The criterion
        criterion: &'a str,
    },
    /// A policy's condition flipped
    Condition {
        /// The policy
        policy: &'a str,
        /// Before (no condition: true)
        old: Truth,
        /// After
        new: Truth,
        /// The rule change that may be behind it
        note: Option<&'a Note>,
    },
}

impl fmt::Display for Cause<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cause::NewType { ty, status } => write!(f, "type `{ty}` is new: {}", status.code()),
            Cause::RemovedType { ty } => write!(f, "type `{ty}` was removed"),
            Cause::Status { ty, old, new } => {
                write!(f, "`{ty}`: {} → {}", old.code(), new.code())
            }
            Cause::Score { ty, old, new } => {
                write!(f, "`{ty}` score: {} → {}", round4(*old), round4(*new))
            }
            Cause::Criterion {
                section,
                ty,
                criterion,
                old,
                new,
                note,
            } => {
                write!(
                    f,
                    "{section} `{ty}.{criterion}`: {} → {}",
                    old.as_str(),
                    new.as_str()
                )?;
                write_note(f, *note)
            }
            Cause::NewCriterion {
                section,
                ty,
                criterion,
                truth,
            } => write!(f, "{section} `{ty}.{criterion}` is new: {}", truth.as_str()),
            Cause::RemovedCriterion {
                section,
                ty,
                criterion,
            } => write!(f, "{section} `{ty}.{criterion}` was removed"),
            Cause::Condition {
                policy,
                old,
                new,
                note,
            } => {
                write!(
                    f,
                    "`{policy}` condition: {} → {}",
                    old.as_str(),
                    new.as_str()
                )?;
                write_note(f, *note)
            }
        }
    }
}

/// ` (note)` after a flipped criterion or condition, when there is a note.
fn write_note(f: &mut fmt::Formatter<'_>, note: Option<&Note>) -> fmt::Result {
    match note {
        Some(note) => write!(f, " ({note})"),
        None => Ok(()),
    }
}

/// The rule change that may flip a criterion or a policy condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Note {
    /// The old rule set has no such criterion or condition
    NewCondition,
    /// Its text changed (whitespace collapsed)
    RuleChanged {
        /// Before
        old: String,
        /// After
        new: String,
    },
    /// Its text is the same, but values it reads changed (never empty)
    Reads(Vec<ReadChange>),
}

/// A value a criterion or condition reads, changed between the two rule sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadChange {
    /// A derived value whose definition changed (or is new)
    Derived(String),
    /// A parameter whose value changed
    Param {
        /// Name
        name: String,
        /// Old value as JSON (`None`: not declared)
        old: Option<String>,
        /// New value as JSON (`None`: not declared)
        new: Option<String>,
    },
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::NewCondition => f.write_str("new condition"),
            Note::RuleChanged { old, new } => write!(f, "rule changed: `{old}` → `{new}`"),
            Note::Reads(reads) => {
                for (i, read) in reads.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    match read {
                        ReadChange::Derived(name) => write!(f, "derived `{name}` changed")?,
                        ReadChange::Param { name, old, new } => write!(
                            f,
                            "param `{name}`: {} → {}",
                            old.as_deref().unwrap_or(NOT_DECLARED),
                            new.as_deref().unwrap_or(NOT_DECLARED)
                        )?,
                    }
                }
                Ok(())
            }
        }
    }
}

/// How a value missing from one of the rule sets is shown in the text report.
const NOT_DECLARED: &str = "(not declared)";

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
    record: &ChangedRecord<'_>,
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
            csv_field(&causes_text(&record.causes).join("; "), out);
            out.push(b'\n');
        }
        DiffFormat::Json => {
            out.extend_from_slice(b",\n{\"id\":");
            json_string(&record.id, out);
            let _ = write!(out, ",\"line\":{},\"old_classification\":", record.line);
            json_string(&record.old_class, out);
            out.extend_from_slice(b",\"new_classification\":");
            json_string(&record.new_class, out);
            let causes = causes_text(&record.causes);
            for (key, list) in [
                ("added_policies", &record.added),
                ("removed_policies", &record.removed),
                ("causes", &causes),
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
                        p.old.unwrap_or(NOT_DECLARED),
                        p.new.unwrap_or(NOT_DECLARED)
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

/// Each cause as its sentence.
fn causes_text(causes: &[Cause<'_>]) -> Vec<String> {
    causes.iter().map(ToString::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sentences of the causes and notes, as the report has always written them.
    #[test]
    fn causes_and_notes_read_as_sentences() {
        let param = Note::Reads(vec![
            ReadChange::Derived("size".into()),
            ReadChange::Param {
                name: "min_share".into(),
                old: Some("0.9".into()),
                new: None,
            },
        ]);
        let changed = Note::RuleChanged {
            old: "firms > 10".into(),
            new: "firms > 12".into(),
        };
        let cases = [
            (
                Cause::NewType {
                    ty: "t",
                    status: TypeStatus::NotMatched,
                },
                "type `t` is new: not_matched",
            ),
            (Cause::RemovedType { ty: "t" }, "type `t` was removed"),
            (
                Cause::Score {
                    ty: "t",
                    old: 0.123_456,
                    new: 0.5,
                },
                "`t` score: 0.1235 → 0.5",
            ),
            (
                Cause::Criterion {
                    section: "required",
                    ty: "t",
                    criterion: "c",
                    old: Truth::True,
                    new: Truth::False,
                    note: Some(&param),
                },
                "required `t.c`: true → false (derived `size` changed, param `min_share`: 0.9 → (not declared))",
            ),
            (
                Cause::NewCriterion {
                    section: "indicative",
                    ty: "t",
                    criterion: "c",
                    truth: Truth::Unknown,
                },
                "indicative `t.c` is new: unknown",
            ),
            (
                Cause::RemovedCriterion {
                    section: "excluding",
                    ty: "t",
                    criterion: "c",
                },
                "excluding `t.c` was removed",
            ),
            (
                Cause::Condition {
                    policy: "p",
                    old: Truth::True,
                    new: Truth::False,
                    note: Some(&changed),
                },
                "`p` condition: true → false (rule changed: `firms > 10` → `firms > 12`)",
            ),
            (
                Cause::Condition {
                    policy: "p",
                    old: Truth::False,
                    new: Truth::True,
                    note: Some(&Note::NewCondition),
                },
                "`p` condition: false → true (new condition)",
            ),
        ];
        for (cause, sentence) in cases {
            assert_eq!(cause.to_string(), sentence);
        }
    }
}
