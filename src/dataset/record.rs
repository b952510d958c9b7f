//! One raw record → fact slots, straight into a reused `Facts`.
//!
//! Input: a [`RawRecord`] (CSV row, JSON object text, spreadsheet row) and the columns
//! resolved for its input. Output: the record's id, its facts written into the slots of a
//! reused [`Facts`], and every problem found (a record with problems is rejected whole).
//! No intermediate tree is built: CSV cells are converted by column, JSON objects are
//! read by a serde visitor that writes each value into its slot.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::columns::{Columns, Target};
use super::convert::{Cell, Converter};
use super::error::batch_code;
use super::flat_json;
use super::input::{RawData, RawRecord};
use crate::facts::value_check::ValueProblem;
use crate::facts::Facts;
use crate::ir::FactId;
use crate::value::Value;

/// One problem with one record.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// The column or key (empty when the problem is with the whole record)
    pub column: String,
    /// Stable code: `meso::facts::wrong_type`, the `batch` family's `json`, ...
    pub code: &'static str,
    /// What is wrong and how to fix it
    pub reason: String,
}

impl Problem {
    pub(crate) fn value(column: &str, fact: &str, p: &ValueProblem) -> Self {
        let reason = match p.help() {
            Some(help) => format!("{}; {help}", p.message(fact)),
            None => p.message(fact),
        };
        Problem {
            column: column.to_string(),
            code: p.code(),
            reason,
        }
    }
}

/// One problem of a rejected record.
#[derive(Clone, Debug)]
pub struct RejectRow {
    /// Input index
    pub source: u32,
    /// Line (row) where the record starts
    pub line: u64,
    /// The record's id
    pub id: String,
    /// The problem
    pub problem: Problem,
}

/// Append reject rows as CSV (`names`: the input files, by index).
pub(crate) fn reject_rows(rows: &[RejectRow], names: &[String], out: &mut Vec<u8>) {
    for r in rows {
        let file = names.get(r.source as usize).map_or("", String::as_str);
        let p = &r.problem;
        crate::render::rows::reject_row(file, r.line, &r.id, &p.column, p.code, &p.reason, out);
    }
}

/// Buffers reused from record to record by one worker.
pub(crate) struct Scratch {
    /// The record's facts
    pub facts: Facts,
    /// Its problems
    pub problems: Vec<Problem>,
    seen: Vec<bool>,
    keys: Vec<(Box<str>, Option<Target>)>,
}

impl Scratch {
    /// Buffers for a program with `n` facts.
    pub fn new(n: usize) -> Self {
        Scratch {
            facts: Facts::unknown(n),
            problems: Vec::new(),
            seen: vec![false; n],
            keys: Vec::new(),
        }
    }

    fn reset(&mut self) {
        for v in &mut self.facts.values {
            if v.is_known() {
                *v = Value::Unknown;
            }
        }
        self.problems.clear();
    }
}

/// Reads records of all inputs for one program.
pub(crate) struct RecordParser<'p> {
    /// Cell conversion
    pub conv: Converter<'p>,
    /// Column naming
    pub columns: &'p Columns<'p>,
    /// Resolved targets and header names per input (None for JSON inputs)
    pub layouts: Vec<Option<(Vec<Target>, Vec<String>)>>,
    /// Input names, for default ids when there are several inputs
    pub names: Vec<String>,
}

impl<'p> RecordParser<'p> {
    /// Parse `rec` into `s.facts`; returns its id. Problems are left in `s.problems`.
    pub fn parse<'r>(&self, rec: &RawRecord<'r>, s: &mut Scratch) -> Cow<'r, str> {
        s.reset();
        let id = match &rec.data {
            RawData::Csv(row) => self.csv(rec.source, row, s),
            RawData::Cells(cells) => self.cells(rec.source, cells, s),
            RawData::Json(text) => self.json(text, s),
            RawData::Arrow { batch, row } => self.arrow(rec.source, batch, *row, s),
        };
        match id {
            Some(id) if !id.is_empty() => id,
            _ => Cow::Owned(self.default_id(rec)),
        }
    }

    /// The id of a record without one: its line (row) number, prefixed with the input
    /// name when there are several inputs.
    pub fn default_id(&self, rec: &RawRecord<'_>) -> String {
        self.default_id_at(rec.source, rec.line)
    }

    /// The id of a record without one, by input and line (row).
    pub fn default_id_at(&self, source: u32, line: u64) -> String {
        if self.names.len() > 1 {
            let name = self.names.get(source as usize).map_or("", String::as_str);
            format!("{name}:{line}")
        } else {
            line.to_string()
        }
    }

    /// One row of a Parquet or Arrow batch, read alone (the batch pipeline reads whole
    /// batches a column at a time; `meso diff` and `--explain-dir` read row by row).
    fn arrow<'r>(
        &self,
        source: u32,
        batch: &arrow_array::RecordBatch,
        row: usize,
        s: &mut Scratch,
    ) -> Option<Cow<'r, str>> {
        let mut ids = [String::new()];
        let mut problems = Vec::new();
        self.fill_columns(
            source,
            batch,
            row..row + 1,
            &mut super::columnar::Slots {
                facts: std::slice::from_mut(&mut s.facts),
                ids: &mut ids,
                problems: &mut problems,
            },
        );
        s.problems.extend(problems.into_iter().map(|(_, p)| p));
        let [id] = ids;
        (!id.is_empty()).then_some(Cow::Owned(id))
    }

    fn layout(&self, source: u32) -> (&[Target], &[String]) {
        match self.layouts.get(source as usize) {
            Some(Some((targets, headers))) => (targets, headers),
            _ => (&[], &[]),
        }
    }

    fn put(&self, fact: FactId, column: &str, cell: &Cell<'_>, s: &mut Scratch) {
        let Some(decl) = self.conv.program().fact(fact) else {
            return;
        };
        match self.conv.convert(decl, cell) {
            Ok(value) => {
                if let Some(slot) = s.facts.values.get_mut(fact.index()) {
                    *slot = value;
                }
            }
            Err(problems) => s.problems.extend(
                problems
                    .iter()
                    .map(|p| Problem::value(column, &decl.name, p)),
            ),
        }
    }

    fn csv<'r>(
        &self,
        source: u32,
        row: &'r csv::ByteRecord,
        s: &mut Scratch,
    ) -> Option<Cow<'r, str>> {
        let (targets, headers) = self.layout(source);
        if row.len() != targets.len() {
            s.problems.push(Problem {
                column: String::new(),
                code: batch_code!("cell_count"),
                reason: format!(
                    "the row has {} cells, the header has {}; quote cells that contain the delimiter",
                    row.len(),
                    targets.len()
                ),
            });
            return None;
        }
        let mut id = None;
        for (i, ((bytes, target), header)) in row.iter().zip(targets).zip(headers).enumerate() {
            match *target {
                Target::Ignore => continue,
                Target::Unnamed => {
                    if !bytes.iter().all(u8::is_ascii_whitespace) {
                        s.problems.push(no_header(i));
                    }
                    continue;
                }
                _ => {}
            }
            if let Target::Fact(fact) = *target {
                let value = self.conv.program().fact(fact).and_then(|decl| {
                    self.conv
                        .plain_number(decl, bytes)
                        .or_else(|| self.conv.plain_level(decl, bytes))
                });
                if let (Some(value), Some(slot)) = (value, s.facts.values.get_mut(fact.index())) {
                    *slot = value;
                    continue;
                }
            }
            let Ok(text) = std::str::from_utf8(bytes) else {
                s.problems.push(Problem {
                    column: header.clone(),
                    code: batch_code!("encoding"),
                    reason: "the cell is not UTF-8 text; pass `--encoding latin1` or `--encoding windows-1252` for census exports in those encodings".into(),
                });
                continue;
            };
            match *target {
                Target::Id => id = Some(Cow::Borrowed(text.trim())),
                Target::Fact(fact) => {
                    let text = text.trim();
                    if !text.is_empty() {
                        self.put(fact, header, &Cell::Text(text), s);
                    }
                }
                Target::Ignore | Target::Unnamed => {}
            }
        }
        id
    }

    fn cells<'r>(
        &self,
        source: u32,
        cells: &'r [calamine::Data],
        s: &mut Scratch,
    ) -> Option<Cow<'r, str>> {
        let (targets, headers) = self.layout(source);
        let mut id = None;
        for (i, data) in cells.iter().enumerate() {
            let target = targets.get(i).copied().unwrap_or(Target::Unnamed);
            let header = headers.get(i).map_or("", String::as_str);
            match target {
                Target::Ignore => {}
                Target::Unnamed => {
                    if !matches!(data, calamine::Data::Empty) {
                        s.problems.push(no_header(i));
                    }
                }
                Target::Id => {
                    id = match data {
                        calamine::Data::Empty => None,
                        calamine::Data::String(t) => Some(Cow::Borrowed(t.trim())),
                        calamine::Data::Float(n) => {
                            Some(Cow::Owned(crate::value::format_number(*n)))
                        }
                        other => Some(Cow::Owned(other.to_string())),
                    }
                }
                Target::Fact(fact) => {
                    let cell = sheet_cell(data);
                    self.put(fact, header, &cell, s);
                }
            }
        }
        id
    }

    fn json<'r>(&self, text: &'r [u8], s: &mut Scratch) -> Option<Cow<'r, str>> {
        for seen in &mut s.seen {
            *seen = false;
        }
        let mut id = None;
        if flat_json::read(self, text, s, &mut id) {
            return id;
        }
        // Anything the flat reader does not take (escapes, nesting, errors) is read again
        // by serde_json, which also words the errors.
        s.reset();
        self.json_serde(text, s)
    }

    /// Read a JSON record with serde_json.
    fn json_serde<'r>(&self, text: &'r [u8], s: &mut Scratch) -> Option<Cow<'r, str>> {
        for seen in &mut s.seen {
            *seen = false;
        }
        let mut id = None;
        let mut de = serde_json::Deserializer::from_slice(text);
        let result = RecordSeed {
            parser: self,
            scratch: s,
            id: &mut id,
        }
        .deserialize(&mut de)
        .and_then(|()| de.end());
        if let Err(e) = result {
            // The position serde gives is inside the record; the reject row has the line.
            let message = e.to_string();
            let message = message
                .rfind(" at line ")
                .and_then(|i| message.get(..i))
                .unwrap_or(&message);
            let reason = match e.classify() {
                serde_json::error::Category::Data => message.to_string(),
                _ => format!("not valid JSON: {message}"),
            };
            s.problems.push(Problem {
                column: String::new(),
                code: batch_code!("json"),
                reason,
            });
        }
        id
    }
}

impl RecordParser<'_> {
    /// Where the `index`-th key of a JSON record goes. Records of one input nearly always
    /// list the same keys in the same order: each position's last key is remembered, so
    /// that most look-ups are one comparison.
    pub(super) fn json_target(&self, s: &mut Scratch, index: usize, key: &str) -> Option<Target> {
        match s.keys.get(index) {
            Some((k, t)) if **k == *key => *t,
            _ => {
                let t = self.columns.target(key);
                let entry = (Box::from(key), t);
                match s.keys.get_mut(index) {
                    Some(slot) => *slot = entry,
                    None => s.keys.push(entry),
                }
                t
            }
        }
    }

    /// A fact's value from a JSON record (a second value for the same fact is a problem).
    pub(super) fn json_fact(&self, fact: FactId, key: &str, cell: &Cell<'_>, s: &mut Scratch) {
        let dup = s
            .seen
            .get_mut(fact.index())
            .map(|seen| std::mem::replace(seen, true));
        if dup == Some(true) {
            s.problems.push(duplicate(key));
            return;
        }
        self.put(fact, key, cell, s);
    }

    /// A key that is no fact: a problem unless unknown keys are allowed.
    pub(super) fn json_unknown(&self, key: &str, s: &mut Scratch) {
        if !self.columns.allow_unknown() {
            s.problems.push(unknown_key(self, key));
        }
    }
}

/// A JSON record's id: text or a number.
pub(super) fn json_id<'de>(key: &str, cell: Cell<'de>, s: &mut Scratch) -> Option<Cow<'de, str>> {
    match cell {
        Cell::Empty => None,
        Cell::Str(t) => Some(Cow::Borrowed(t)),
        Cell::Owned(t) => Some(Cow::Owned(t)),
        Cell::Number(n) => Some(Cow::Owned(crate::value::format_number(n))),
        _ => {
            s.problems.push(Problem {
                column: key.to_string(),
                code: batch_code!("bad_id"),
                reason: "the id must be text or a number".into(),
            });
            None
        }
    }
}

fn sheet_cell(data: &calamine::Data) -> Cell<'_> {
    use calamine::Data;
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s),
        Data::Float(n) => Cell::Number(*n),
        // Spreadsheet integers are far below 2^53 in practice; larger ones round.
        Data::Int(n) => Cell::Number(*n as f64),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(_) | Data::DateTimeIso(_) => Cell::Other("a date".into()),
        Data::DurationIso(_) => Cell::Other("a duration".into()),
        Data::Error(e) => Cell::Other(format!("the spreadsheet error `{e}`")),
    }
}

/// Reads one JSON object, writing each fact into its slot.
struct RecordSeed<'a, 'p, 'de> {
    parser: &'a RecordParser<'p>,
    scratch: &'a mut Scratch,
    id: &'a mut Option<Cow<'de, str>>,
}

impl<'de> DeserializeSeed<'de> for RecordSeed<'_, '_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RecordSeed<'_, '_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a record: an object of facts")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let parser = self.parser;
        let s = self.scratch;
        let mut index = 0;
        while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
            let target = parser.json_target(s, index, &key);
            index += 1;
            match target {
                Some(Target::Fact(fact)) => {
                    let JsonCell(cell) = map.next_value::<JsonCell<'de>>()?;
                    parser.json_fact(fact, &key, &cell, s);
                }
                Some(Target::Id) => {
                    let JsonCell(cell) = map.next_value::<JsonCell<'de>>()?;
                    *self.id = json_id(&key, cell, s);
                }
                Some(Target::Ignore | Target::Unnamed) => {
                    map.next_value::<IgnoredAny>()?;
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                    parser.json_unknown(&key, s);
                }
            }
        }
        Ok(())
    }
}

/// A value in a column whose name is empty (Parquet, Arrow).
pub(crate) fn no_header_at(header: &str) -> Problem {
    Problem {
        column: header.to_string(),
        code: batch_code!("no_header"),
        reason: "the column has a value but no name; name the column or empty it".into(),
    }
}

fn no_header(column: usize) -> Problem {
    Problem {
        column: format!("#{}", column + 1),
        code: batch_code!("no_header"),
        reason: format!(
            "column {} has a value but no header; name the column or empty it",
            column + 1
        ),
    }
}

fn duplicate(key: &str) -> Problem {
    Problem {
        column: key.to_string(),
        code: "meso::facts::duplicate_key",
        reason: format!("fact `{key}` is given more than once; keep one"),
    }
}

fn unknown_key(parser: &RecordParser<'_>, key: &str) -> Problem {
    let program = parser.conv.program();
    let close = crate::suggest::closest(key, program.facts.iter().map(|f| f.name.as_str()));
    let reason = match close {
        Some(c) => format!("unknown fact `{key}`; did you mean `{c}`? (`--allow-unknown-facts` ignores keys that are not facts)"),
        None => format!("unknown fact `{key}`; map it with `--columns`, or pass `--allow-unknown-facts` to ignore it"),
    };
    Problem {
        column: key.to_string(),
        code: "meso::facts::unknown_fact",
        reason,
    }
}

/// A string borrowed from the input when it has no escapes.
struct Text<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a fact name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// One JSON value as a cell; strings are borrowed from the input unless they hold escapes.
struct JsonCell<'de>(Cell<'de>);

impl<'de> de::Deserialize<'de> for JsonCell<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CellVisitor)
    }
}

struct CellVisitor;

impl<'de> Visitor<'de> for CellVisitor {
    type Value = JsonCell<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a fact value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(JsonCell(Cell::Empty))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(JsonCell(Cell::Bool(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(JsonCell(Cell::Number(v as f64)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(JsonCell(Cell::Number(v as f64)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(JsonCell(Cell::Number(v)))
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(JsonCell(Cell::Str(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(JsonCell(Cell::Owned(v.to_string())))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(JsonCell(item)) = seq.next_element::<JsonCell<'de>>()? {
            items.push(item);
        }
        Ok(JsonCell(Cell::List(items)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(JsonCell(Cell::Other("a mapping".into())))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::dataset::columns::ColumnOptions;
    use crate::dataset::convert::NumberStyle;
    use proptest::prelude::*;

    /// One key and value of a generated record: facts of the shipped rules (right and
    /// wrong types), the id, unknown keys, escapes, nesting, odd numbers.
    fn entry() -> impl Strategy<Value = String> {
        let key = prop_oneof![
            Just("id"),
            Just("firms"),
            Just("trust"),
            Just("share_micro_small"),
            Just("main_market"),
            Just("country"),
            Just("frims"),
            Just("state_owned_core"),
            Just("specialization_lq"),
            Just("tr\\u0075st"),
        ];
        let value = prop_oneof![
            Just("120".to_string()),
            Just("0.5".to_string()),
            Just("-3".to_string()),
            Just("1e2".to_string()),
            Just("-0".to_string()),
            Just("007".to_string()),
            Just("12345678901234567".to_string()),
            Just("\"low\"".to_string()),
            Just("\"hgh\"".to_string()),
            Just("\"Itaja\u{ed}\"".to_string()),
            Just("\"a\\\"b\"".to_string()),
            Just("true".to_string()),
            Just("null".to_string()),
            Just("[\"local\", \"domestic\"]".to_string()),
            Just("[1]".to_string()),
            Just("{\"a\": 1}".to_string()),
            Just("[]".to_string()),
            Just("\"domestic\"".to_string()),
            Just("tru".to_string()),
            (0u32..100_000).prop_map(|n| format!("{}.{:03}", n / 1000, n % 1000)),
        ];
        (key, value, prop_oneof![Just(""), Just(" "), Just("\t")])
            .prop_map(|(k, v, sp)| format!("\"{k}\"{sp}:{sp}{v}"))
    }

    /// The shipped rule set, loaded once for all cases.
    fn shipped() -> &'static crate::ruleset::RuleSet {
        static RULES: std::sync::OnceLock<crate::ruleset::RuleSet> = std::sync::OnceLock::new();
        RULES.get_or_init(|| crate::ruleset::load(crate::ruleset::embedded_sources(), &[]).unwrap())
    }

    #[test]
    fn common_records_take_the_flat_reader_and_others_do_not() {
        let program = &shipped().program;
        let columns = Columns::new(program, &ColumnOptions::default()).unwrap();
        let parser = RecordParser {
            conv: Converter::new(program, NumberStyle::default()),
            columns: &columns,
            layouts: vec![None],
            names: vec!["t.jsonl".into()],
        };
        let mut s = Scratch::new(program.facts.len());
        let mut id = None;
        let common = r#"{"id": "a", "firms": 120, "share_micro_small": 0.82, "trust": "low", "country": "Perú"}"#.as_bytes();
        assert!(flat_json::read(&parser, common, &mut s, &mut id));
        assert_eq!(id.as_deref(), Some("a"));
        assert!(s.problems.is_empty());
        for odd in [
            &br#"{"id": "a\"b"}"#[..],
            br#"{"firms": 1e2}"#,
            br#"{"firms": 120} x"#,
            br#"{"country": {"name": "Peru"}}"#,
        ] {
            let mut id = None;
            assert!(!flat_json::read(&parser, odd, &mut s, &mut id));
        }
    }

    proptest! {
        /// The flat reader and serde_json give the same facts, id and problems.
        #[test]
        fn flat_reader_agrees_with_serde(
            entries in proptest::collection::vec(entry(), 0..8),
            tail in prop_oneof![Just(""), Just(" "), Just("\r"), Just("x"), Just(",")],
        ) {
            let program = &shipped().program;
            let columns = Columns::new(program, &ColumnOptions::default()).unwrap();
            let parser = RecordParser {
                conv: Converter::new(program, NumberStyle::default()),
                columns: &columns,
                layouts: vec![None],
                names: vec!["t.jsonl".into()],
            };
            let text = format!("{{{}}}{tail}", entries.join(","));
            let mut fast = Scratch::new(program.facts.len());
            let mut slow = Scratch::new(program.facts.len());
            fast.reset();
            slow.reset();
            let id_fast = parser.json(text.as_bytes(), &mut fast).map(Cow::into_owned);
            let id_slow = parser.json_serde(text.as_bytes(), &mut slow).map(Cow::into_owned);
            prop_assert_eq!(id_fast, id_slow, "{}", text);
            prop_assert_eq!(&fast.facts.values, &slow.facts.values, "{}", text);
            prop_assert_eq!(&fast.problems, &slow.problems, "{}", text);
        }
    }
}
