//! Render stage, batch rows: a record's id and its evaluation's `Row`, or one problem of a
//! rejected record → bytes of the output file (CSV, JSON lines or one JSON array) and of the
//! reject file (CSV), written into buffers by the batch workers so that the writer only
//! concatenates them.
//!
//! This is a hot path (every record of a dataset, measured in docs/performance.md): rows
//! are written byte by byte into reused buffers, without `serde` or `format!` per field.

use std::io::Write;
use std::str::FromStr;

use crate::eval::Row;
use crate::ir::{FactId, PolicyId, Program, TypeId};
use crate::value::round4;
use crate::vocab::{PolicyKind, TypeStatus, VerdictKind};

/// The format of the batch output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// One CSV row per record
    Csv,
    /// One JSON object per line
    Jsonl,
    /// One JSON array of objects
    Json,
    /// Apache Parquet, zstd-compressed (`.parquet`)
    Parquet,
    /// Arrow IPC file format (`.arrow`, `.feather`, `.ipc`)
    Arrow,
    /// Arrow IPC stream format (`.arrows`; the one to pipe: `--out - --format arrow-stream`)
    ArrowStream,
}

impl OutputFormat {
    /// The format a file name's extension stands for.
    pub fn from_path(path: &std::path::Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "pq" => Some(OutputFormat::Parquet),
            "feather" | "ipc" => Some(OutputFormat::Arrow),
            "arrows" => Some(OutputFormat::ArrowStream),
            _ => ext.parse().ok(),
        }
    }

    /// Whether the output is a table of typed columns (Parquet, Arrow) rather than text.
    pub fn is_table(self) -> bool {
        matches!(
            self,
            OutputFormat::Parquet | OutputFormat::Arrow | OutputFormat::ArrowStream
        )
    }
}

impl FromStr for OutputFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Ok(OutputFormat::Csv),
            "jsonl" | "ndjson" => Ok(OutputFormat::Jsonl),
            "json" => Ok(OutputFormat::Json),
            "parquet" => Ok(OutputFormat::Parquet),
            "arrow" | "ipc" | "feather" => Ok(OutputFormat::Arrow),
            "arrow-stream" | "arrows" => Ok(OutputFormat::ArrowStream),
            _ => Err(format!(
                "unknown output format `{s}`: use `csv`, `jsonl`, `json`, `parquet`, `arrow` or `arrow-stream`"
            )),
        }
    }
}

/// One cell of a column kept in the output (`--keep`), as a scalar.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Kept {
    /// Null, an empty cell, a missing key
    Null,
    /// Text
    Text(String),
    /// An integer
    Int(i64),
    /// A float
    Float(f64),
    /// A boolean
    Bool(bool),
}

/// A kept cell as text (CSV and JSON outputs, reject rows, text columns); `None` for null.
pub(crate) fn kept_text(k: &Kept) -> Option<std::borrow::Cow<'_, str>> {
    use std::borrow::Cow;
    match k {
        Kept::Null => None,
        Kept::Text(s) => Some(Cow::Borrowed(s)),
        Kept::Int(n) => Some(Cow::Owned(n.to_string())),
        Kept::Float(n) => Some(Cow::Owned(crate::value::format_number(*n))),
        Kept::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
    }
}

/// Renders output rows for one program.
pub(crate) struct RowRenderer<'p> {
    program: &'p Program,
    format: OutputFormat,
    strict_unknowns: bool,
    /// Input columns copied to the output after the id (`--keep`)
    kept: Vec<String>,
}

impl<'p> RowRenderer<'p> {
    /// A renderer.
    pub fn new(program: &'p Program, format: OutputFormat) -> Self {
        RowRenderer {
            program,
            format,
            strict_unknowns: false,
            kept: Vec::new(),
        }
    }

    /// With `--keep`: these input columns after the id, in this order.
    pub fn kept(mut self, names: Vec<String>) -> Self {
        self.kept = names;
        self
    }

    /// With `--strict-unknowns`: no provisional lead, only what the facts settle.
    pub fn strict_unknowns(mut self, strict: bool) -> Self {
        self.strict_unknowns = strict;
        self
    }

    /// A row's provisional lead and the policies it would bring in (none when strict).
    pub fn provisional<'o>(&self, row: Row<'o>) -> (Option<TypeId>, &'o [PolicyId]) {
        match row.provisional {
            Some(lead) if !self.strict_unknowns => (Some(lead), row.provisional_policies),
            _ => (None, &[]),
        }
    }

    /// How settled a row's verdict is.
    pub fn verdict(&self, row: Row<'_>) -> VerdictKind {
        let status = |i: usize| {
            row.types
                .get(i)
                .map_or(TypeStatus::NotMatched, |t| t.status)
        };
        crate::eval::verdict(
            self.program,
            status,
            row.classification,
            self.provisional(row).0,
        )
    }

    /// What comes before the first row.
    pub fn header(&self) -> Vec<u8> {
        match self.format {
            OutputFormat::Csv => {
                let mut cols = vec!["id".to_string()];
                cols.extend(self.kept.iter().map(|k| {
                    let mut field = Vec::new();
                    csv_field(k, &mut field);
                    String::from_utf8_lossy(&field).into_owned()
                }));
                cols.extend([
                    "classification".to_string(),
                    "verdict".to_string(),
                    "provisional".to_string(),
                ]);
                for t in &self.program.types {
                    cols.push(format!("{}_status", t.name));
                    cols.push(format!("{}_score", t.name));
                }
                cols.extend([
                    PolicyKind::Recommend.applies_word().to_string(),
                    PolicyKind::Avoid.applies_word().to_string(),
                    "unknown_facts".to_string(),
                    format!("provisional_{}", PolicyKind::Recommend.applies_word()),
                    format!("provisional_{}", PolicyKind::Avoid.applies_word()),
                ]);
                let mut line = cols.join(",");
                line.push('\n');
                line.into_bytes()
            }
            OutputFormat::Json => b"[".to_vec(),
            _ => Vec::new(),
        }
    }

    /// What comes after the last row.
    pub fn footer(&self, rows: u64) -> Vec<u8> {
        match self.format {
            OutputFormat::Json if rows == 0 => b"]\n".to_vec(),
            OutputFormat::Json => b"\n]\n".to_vec(),
            _ => Vec::new(),
        }
    }

    /// Bytes to drop from the start of the first row (the JSON array's separator).
    pub fn first_row_skip(&self) -> usize {
        match self.format {
            OutputFormat::Json => 1,
            _ => 0,
        }
    }

    /// Append one record's row (`kept`: its cells of the `--keep` columns; text formats
    /// only, columnar rows are built by `batch::table`).
    pub fn row(&self, id: &str, kept: &[Kept], outcome: Row<'_>, out: &mut Vec<u8>) {
        let unknown = outcome.unknown_facts;
        match self.format {
            OutputFormat::Csv => self.csv_row(id, kept, outcome, unknown, out),
            OutputFormat::Jsonl => {
                self.json_row(id, kept, outcome, unknown, out);
                out.push(b'\n');
            }
            OutputFormat::Json => {
                out.extend_from_slice(b",\n");
                self.json_row(id, kept, outcome, unknown, out);
            }
            OutputFormat::Parquet | OutputFormat::Arrow | OutputFormat::ArrowStream => {}
        }
    }

    /// The name of type `i`.
    pub fn type_name(&self, i: usize) -> &'p str {
        self.program.types.get(i).map_or("", |t| t.name.as_str())
    }

    /// The names of facts.
    pub fn fact_names<'o>(&self, facts: &'o [FactId]) -> impl Iterator<Item = &'p str> + 'o
    where
        'p: 'o,
    {
        let program = self.program;
        facts
            .iter()
            .filter_map(move |&f| program.fact(f))
            .map(|f| f.name.as_str())
    }

    /// The names of the policies (or avoid items) that apply, in output order.
    pub fn policies<'o>(
        &self,
        outcome: Row<'o>,
        kind: PolicyKind,
    ) -> impl Iterator<Item = &'p str> + 'o
    where
        'p: 'o,
    {
        let program = self.program;
        outcome
            .applicable
            .iter()
            .filter_map(move |id| program.policy(id))
            .filter(move |p| p.kind == kind)
            .map(|p| p.name.as_str())
    }

    /// The names of the policies (or avoid items) of `kind` among `ids`.
    pub fn named<'o>(
        &self,
        ids: &'o [PolicyId],
        kind: PolicyKind,
    ) -> impl Iterator<Item = &'p str> + 'o
    where
        'p: 'o,
    {
        let program = self.program;
        ids.iter()
            .filter_map(move |id| program.policy(*id))
            .filter(move |p| p.kind == kind)
            .map(|p| p.name.as_str())
    }

    fn csv_row(
        &self,
        id: &str,
        kept: &[Kept],
        outcome: Row<'_>,
        unknown: &[FactId],
        out: &mut Vec<u8>,
    ) {
        csv_field(id, out);
        out.push(b',');
        for i in 0..self.kept.len() {
            if let Some(text) = kept.get(i).and_then(kept_text) {
                csv_field(&text, out);
            }
            out.push(b',');
        }
        if let Some(c) = outcome.classification {
            out.extend_from_slice(self.type_name(c.index()).as_bytes());
        }
        out.push(b',');
        out.extend_from_slice(self.verdict(outcome).code().as_bytes());
        out.push(b',');
        let (lead, provisional) = self.provisional(outcome);
        if let Some(t) = lead {
            out.extend_from_slice(self.type_name(t.index()).as_bytes());
        }
        for t in outcome.types {
            out.push(b',');
            out.extend_from_slice(t.status.code().as_bytes());
            out.push(b',');
            write_score(t.score, out);
        }
        out.push(b',');
        join(self.policies(outcome, PolicyKind::Recommend), b";", out);
        out.push(b',');
        join(self.policies(outcome, PolicyKind::Avoid), b";", out);
        out.push(b',');
        let names = unknown
            .iter()
            .filter_map(|&f| self.program.fact(f))
            .map(|f| f.name.as_str());
        join(names, b";", out);
        out.push(b',');
        join(self.named(provisional, PolicyKind::Recommend), b";", out);
        out.push(b',');
        join(self.named(provisional, PolicyKind::Avoid), b";", out);
        out.push(b'\n');
    }

    fn json_row(
        &self,
        id: &str,
        kept: &[Kept],
        outcome: Row<'_>,
        unknown: &[FactId],
        out: &mut Vec<u8>,
    ) {
        out.extend_from_slice(b"{\"id\":");
        json_string(id, out);
        for (i, name) in self.kept.iter().enumerate() {
            out.push(b',');
            json_string(name, out);
            out.push(b':');
            match kept.get(i).unwrap_or(&Kept::Null) {
                Kept::Null => out.extend_from_slice(b"null"),
                Kept::Text(s) => json_string(s, out),
                Kept::Int(n) => {
                    let _ = write!(out, "{n}");
                }
                Kept::Float(n) if n.is_finite() => {
                    out.extend_from_slice(crate::value::format_number(*n).as_bytes());
                }
                Kept::Float(_) => out.extend_from_slice(b"null"),
                Kept::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            }
        }
        out.extend_from_slice(b",\"classification\":");
        match outcome.classification {
            Some(c) => json_string(self.type_name(c.index()), out),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"verdict\":\"");
        out.extend_from_slice(self.verdict(outcome).code().as_bytes());
        out.extend_from_slice(b"\",\"provisional\":");
        let (lead, provisional) = self.provisional(outcome);
        match lead {
            Some(t) => {
                out.extend_from_slice(b"{\"type\":");
                json_string(self.type_name(t.index()), out);
                out.extend_from_slice(b",\"recommended\":");
                json_list(self.named(provisional, PolicyKind::Recommend), out);
                out.extend_from_slice(b",\"avoided\":");
                json_list(self.named(provisional, PolicyKind::Avoid), out);
                out.push(b'}');
            }
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"types\":{");
        for (i, t) in outcome.types.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            json_string(self.type_name(i), out);
            out.extend_from_slice(b":{\"status\":\"");
            out.extend_from_slice(t.status.code().as_bytes());
            out.extend_from_slice(b"\",\"score\":");
            write_score(t.score, out);
            out.push(b'}');
        }
        out.extend_from_slice(RECOMMENDED_KEY);
        json_list(self.policies(outcome, PolicyKind::Recommend), out);
        out.extend_from_slice(AVOIDED_KEY);
        json_list(self.policies(outcome, PolicyKind::Avoid), out);
        out.extend_from_slice(b",\"unknown_facts\":");
        let names = unknown
            .iter()
            .filter_map(|&f| self.program.fact(f))
            .map(|f| f.name.as_str());
        json_list(names, out);
        out.push(b'}');
    }
}

// The JSON keys of the policy lists are `PolicyKind::applies_word()`, spelled as bytes because
// they are written for every record; a unit test holds them to the vocabulary.
const RECOMMENDED_KEY: &[u8] = b"},\"recommended\":";
const AVOIDED_KEY: &[u8] = b",\"avoided\":";

/// Append a score rounded to 4 decimals exactly as `{}` prints `round4(score)` (`0`, `0.5`,
/// `0.8333`, `1`): scores lie in 0..1, so four digits are written by hand instead of
/// running the shortest-float algorithm for every type of every record.
fn write_score(score: f64, out: &mut Vec<u8>) {
    // `round4(score)` is the double nearest to k / 10^4, whose shortest form is k's digits.
    let scaled = score * 10_000.0;
    if !(0.0..=10_000.0).contains(&scaled) || scaled.is_sign_negative() {
        let _ = write!(out, "{}", round4(score));
        return;
    }
    // `round` (half away from zero) without a libm call: the whole part, plus one when the
    // fraction (exact for numbers this small) is at least a half.
    let whole = scaled as u32;
    let k = whole + u32::from(scaled - f64::from(whole) >= 0.5);
    match k {
        0 => out.push(b'0'),
        10_000.. => out.push(b'1'),
        _ => {
            let digits = [k / 1000, k / 100 % 10, k / 10 % 10, k % 10].map(|d| b'0' + d as u8);
            let len = 4 - digits.iter().rev().take_while(|&&d| d == b'0').count();
            out.extend_from_slice(b"0.");
            out.extend_from_slice(digits.get(..len).unwrap_or(&digits));
        }
    }
}

fn join<'a>(items: impl Iterator<Item = &'a str>, sep: &[u8], out: &mut Vec<u8>) {
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.extend_from_slice(sep);
        }
        out.extend_from_slice(item.as_bytes());
    }
}

fn json_list<'a>(items: impl Iterator<Item = &'a str>, out: &mut Vec<u8>) {
    out.push(b'[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        json_string(item, out);
    }
    out.push(b']');
}

/// A JSON string literal.
pub(crate) fn json_string(s: &str, out: &mut Vec<u8>) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        let _ = serde_json::to_writer(&mut *out, s);
    }
}

/// A CSV field, quoted when it must be.
pub(crate) fn csv_field(s: &str, out: &mut Vec<u8>) {
    if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        out.push(b'"');
        for b in s.bytes() {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

/// The reject file's header line.
pub(crate) const REJECT_HEADER: &[u8] = b"file,line,id,column,code,reason\n";

/// The reject file's header line with `--keep` columns after the id.
pub(crate) fn reject_header(kept: &[String]) -> Vec<u8> {
    if kept.is_empty() {
        return REJECT_HEADER.to_vec();
    }
    let mut out = b"file,line,id".to_vec();
    for k in kept {
        out.push(b',');
        csv_field(k, &mut out);
    }
    out.extend_from_slice(b",column,code,reason\n");
    out
}

/// Append one reject row as CSV: the input file, the line where the record starts, its
/// id, and the problem's column, code and reason.
pub(crate) fn reject_row(
    file: &str,
    line: u64,
    id: &str,
    column: &str,
    code: &str,
    reason: &str,
    out: &mut Vec<u8>,
) {
    csv_field(file, out);
    let _ = write!(out, ",{line},");
    csv_field(id, out);
    out.push(b',');
    csv_field(column, out);
    out.push(b',');
    out.extend_from_slice(code.as_bytes());
    out.push(b',');
    csv_field(reason, out);
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_list_keys_are_the_vocabulary_words() {
        let key = |kind: PolicyKind| format!("\"{}\":", kind.applies_word()).into_bytes();
        assert!(RECOMMENDED_KEY.ends_with(&key(PolicyKind::Recommend)));
        assert!(AVOIDED_KEY.ends_with(&key(PolicyKind::Avoid)));
    }

    #[test]
    fn scores_are_written_as_display_writes_them() {
        let mut samples: Vec<f64> = (0..=10_000).map(|k| f64::from(k) / 10_000.0).collect();
        samples.extend((0..=997).map(|k| f64::from(k) / 997.0));
        // Halfway cases and their neighbours.
        for k in 0..10_000 {
            let half = (f64::from(k) + 0.5) / 10_000.0;
            samples.extend([half, half.next_down(), half.next_up()]);
        }
        samples.extend([
            1.0 / 3.0,
            2.0 / 3.0,
            0.99995,
            0.00004,
            -0.0,
            1.5,
            -0.25,
            f64::NAN,
        ]);
        for x in samples {
            let mut fast = Vec::new();
            write_score(x, &mut fast);
            assert_eq!(
                String::from_utf8(fast).unwrap_or_default(),
                format!("{}", round4(x)),
                "score {x}"
            );
        }
    }
}
