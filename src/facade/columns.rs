//! The facade's columnar input: the facts of many clusters given column by column, as
//! Arrow, Polars, DuckDB or a CSV reader hold them, checked cell by cell against the rule
//! set's vocabulary.
//!
//! Input: [`Columns`] (a fact name and a slice of cells per column). Output: one set of
//! facts per row, or the problems of the rows whose cells do not fit: a bad cell never
//! drops a row, and never stops the others.

use crate::facade::diagnostic::{Diagnostic, Error, ErrorKind, Severity};
use crate::facts::value_check::{check_number, number_is_valid};
use crate::facts::{self, fact_value_from_text};
use crate::ir::{Fact, FactType, Program};
use crate::suggest::did_you_mean;
use crate::value::Value;

/// A bitmap in Arrow's layout (bit `i` of the bitmap is bit `i % 8` of byte `i / 8`),
/// starting at bit `offset`: a validity bitmap (set = a value, clear = missing) or the
/// values of a boolean column. Bits past the end of `bytes` read as clear.
#[derive(Clone, Copy, Debug)]
pub struct Bitmap<'a> {
    bytes: &'a [u8],
    offset: usize,
}

impl<'a> Bitmap<'a> {
    /// The bitmap whose bit `i` is bit `offset + i` of `bytes`.
    pub fn new(bytes: &'a [u8], offset: usize) -> Self {
        Bitmap { bytes, offset }
    }

    /// Bit `i`.
    #[inline(always)]
    pub fn get(&self, i: usize) -> bool {
        let i = i + self.offset;
        self.bytes
            .get(i / 8)
            .is_some_and(|b| (b >> (i % 8)) & 1 == 1)
    }

    /// Bits available from the offset on.
    fn len(&self) -> usize {
        (self.bytes.len() * 8).saturating_sub(self.offset)
    }
}

/// Whether cell `i` of a column with validity `valid` has a value (no bitmap: all do).
#[inline(always)]
fn is_valid(valid: &Option<Bitmap<'_>>, i: usize) -> bool {
    valid.as_ref().is_none_or(|v| v.get(i))
}

/// The offsets of a column of strings: cell `i` is `data[offsets[i]..offsets[i + 1]]`.
#[derive(Clone, Copy, Debug)]
pub enum Offsets<'a> {
    /// 32-bit offsets (Arrow `Utf8`)
    I32(&'a [i32]),
    /// 64-bit offsets (Arrow `LargeUtf8`)
    I64(&'a [i64]),
}

impl Offsets<'_> {
    fn cells(&self) -> usize {
        match self {
            Offsets::I32(o) => o.len().saturating_sub(1),
            Offsets::I64(o) => o.len().saturating_sub(1),
        }
    }

    /// The byte range of cell `i` (empty when the offsets are out of order or negative).
    #[inline(always)]
    fn range(&self, i: usize) -> std::ops::Range<usize> {
        let pair = |a: Option<usize>, b: Option<usize>| match (a, b) {
            (Some(a), Some(b)) if a <= b => a..b,
            _ => 0..0,
        };
        match self {
            Offsets::I32(o) => pair(
                o.get(i).and_then(|&a| usize::try_from(a).ok()),
                o.get(i + 1).and_then(|&b| usize::try_from(b).ok()),
            ),
            Offsets::I64(o) => pair(
                o.get(i).and_then(|&a| usize::try_from(a).ok()),
                o.get(i + 1).and_then(|&b| usize::try_from(b).ok()),
            ),
        }
    }
}

/// The keys of a dictionary-encoded column: cell `i` is entry `keys[i]` of the dictionary.
#[derive(Clone, Copy, Debug)]
pub enum Keys<'a> {
    /// 8-bit keys
    I8(&'a [i8]),
    /// 16-bit keys
    I16(&'a [i16]),
    /// 32-bit keys (what pyarrow's `dictionary_encode` gives)
    I32(&'a [i32]),
    /// 64-bit keys
    I64(&'a [i64]),
    /// Unsigned 8-bit keys
    U8(&'a [u8]),
    /// Unsigned 16-bit keys
    U16(&'a [u16]),
    /// Unsigned 32-bit keys (Polars categoricals)
    U32(&'a [u32]),
    /// Unsigned 64-bit keys
    U64(&'a [u64]),
}

impl Keys<'_> {
    fn len(&self) -> usize {
        match self {
            Keys::I8(k) => k.len(),
            Keys::I16(k) => k.len(),
            Keys::I32(k) => k.len(),
            Keys::I64(k) => k.len(),
            Keys::U8(k) => k.len(),
            Keys::U16(k) => k.len(),
            Keys::U32(k) => k.len(),
            Keys::U64(k) => k.len(),
        }
    }

    /// Key `i` (`None` past the end or for a negative key).
    #[inline(always)]
    fn get(&self, i: usize) -> Option<usize> {
        match self {
            Keys::I8(k) => k.get(i).and_then(|&k| usize::try_from(k).ok()),
            Keys::I16(k) => k.get(i).and_then(|&k| usize::try_from(k).ok()),
            Keys::I32(k) => k.get(i).and_then(|&k| usize::try_from(k).ok()),
            Keys::I64(k) => k.get(i).and_then(|&k| usize::try_from(k).ok()),
            Keys::U8(k) => k.get(i).map(|&k| usize::from(k)),
            Keys::U16(k) => k.get(i).map(|&k| usize::from(k)),
            Keys::U32(k) => k.get(i).and_then(|&k| usize::try_from(k).ok()),
            Keys::U64(k) => k.get(i).and_then(|&k| usize::try_from(k).ok()),
        }
    }
}

/// One column of cells; `None` (or a clear validity bit) is a missing cell (the fact is
/// unknown for that row).
///
/// The first three take cells one by one; the others take Arrow's buffers as they are
/// (values and a validity bitmap, strings as offsets and bytes, dictionary keys and their
/// dictionary), with no copy: text is resolved once per distinct string or dictionary
/// entry, not per cell.
#[derive(Clone, Copy, Debug)]
pub enum Column<'a> {
    /// Numbers, for `number`, `count`, `integer` and `ratio` facts
    Numbers(&'a [Option<f64>]),
    /// Truth values, for `boolean` facts
    Booleans(&'a [Option<bool>]),
    /// Text: level names, set members separated by commas, free text, or numbers and
    /// `true`/`false` written as text
    Texts(&'a [Option<&'a str>]),
    /// Numbers as floats (Arrow `Float64`), with a validity bitmap
    Floats {
        /// One value per row (read only where valid)
        values: &'a [f64],
        /// Which rows have a value (`None`: all)
        valid: Option<Bitmap<'a>>,
    },
    /// Numbers as integers (Arrow `Int64`), with a validity bitmap
    Integers {
        /// One value per row (read only where valid)
        values: &'a [i64],
        /// Which rows have a value (`None`: all)
        valid: Option<Bitmap<'a>>,
    },
    /// Truth values as bits (Arrow `Boolean`), for `boolean` facts
    Bits {
        /// Bit `i`: row `i`'s value
        values: Bitmap<'a>,
        /// Which rows have a value (`None`: all)
        valid: Option<Bitmap<'a>>,
    },
    /// Text as offsets into UTF-8 bytes (Arrow `Utf8` and `LargeUtf8`): read as
    /// [`Column::Texts`] reads a cell
    Strings {
        /// Cell `i` is `data[offsets[i]..offsets[i + 1]]` (one more offset than rows)
        offsets: Offsets<'a>,
        /// The bytes of every cell
        data: &'a [u8],
        /// Which rows have a value (`None`: all)
        valid: Option<Bitmap<'a>>,
    },
    /// Dictionary-encoded text (Arrow `Dictionary`, a Polars categorical): each row a key
    /// into `dictionary`, each entry read once
    Dictionary {
        /// One key per row
        keys: Keys<'a>,
        /// Which rows have a value (`None`: all)
        valid: Option<Bitmap<'a>>,
        /// The entries (`None`: a missing value)
        dictionary: &'a [Option<&'a str>],
    },
}

impl Column<'_> {
    fn len(&self) -> usize {
        match self {
            Column::Numbers(c) => c.len(),
            Column::Booleans(c) => c.len(),
            Column::Texts(c) => c.len(),
            Column::Floats { values, .. } => values.len(),
            Column::Integers { values, .. } => values.len(),
            Column::Bits { values, .. } => values.len(),
            Column::Strings { offsets, .. } => offsets.cells(),
            Column::Dictionary { keys, .. } => keys.len(),
        }
    }

    /// Whether a validity bitmap is too short for `rows` rows.
    fn short_bitmap(&self, rows: usize) -> bool {
        let valid = match self {
            Column::Floats { valid, .. }
            | Column::Integers { valid, .. }
            | Column::Bits { valid, .. }
            | Column::Strings { valid, .. }
            | Column::Dictionary { valid, .. } => valid,
            _ => &None,
        };
        valid.is_some_and(|v| v.len() < rows)
    }

    fn kind(&self) -> &'static str {
        match self {
            Column::Numbers(_) | Column::Floats { .. } | Column::Integers { .. } => "numbers",
            Column::Booleans(_) | Column::Bits { .. } => "booleans",
            Column::Texts(_) | Column::Strings { .. } | Column::Dictionary { .. } => "texts",
        }
    }
}

/// The facts of many clusters, column by column: every column names a fact of the rule
/// set and has one cell per row.
///
/// ```
/// use meso::{Column, Columns, Rules};
///
/// let rules = Rules::embedded()?;
/// let firms = [Some(1200.0), Some(40.0), None];
/// let trust = [Some("low"), Some("hgih"), Some("high")];
/// let columns = Columns::new(3)
///     .with("firms", Column::Numbers(&firms))
///     .with("trust", Column::Texts(&trust));
/// let verdicts = rules.evaluate_columns(&columns)?;
/// assert_eq!(verdicts.len(), 3);
/// // Row 2 has a level that is not one of `trust`: its problem, not a dropped row.
/// let bad = verdicts.get(1).unwrap();
/// assert_eq!(bad.problems()[0].code.as_deref(), Some("meso::facts::unknown_level"));
/// assert!(bad.problems()[0].help.as_deref().unwrap().contains("did you mean `high`?"));
/// # Ok::<(), meso::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Columns<'a> {
    rows: usize,
    columns: Vec<(&'a str, Column<'a>)>,
}

impl<'a> Columns<'a> {
    /// A table of `rows` rows and no column yet (every fact unknown).
    pub fn new(rows: usize) -> Self {
        Columns {
            rows,
            columns: Vec::new(),
        }
    }

    /// Add the column for fact `name`.
    pub fn with(mut self, name: &'a str, column: Column<'a>) -> Self {
        self.columns.push((name, column));
        self
    }

    /// Add the column for fact `name`.
    pub fn push(&mut self, name: &'a str, column: Column<'a>) {
        self.columns.push((name, column));
    }

    /// Rows of the table.
    pub fn rows(&self) -> usize {
        self.rows
    }
}

/// A column matched to its fact.
struct Bound<'p, 'a> {
    fact: &'p Fact,
    slot: usize,
    column: Column<'a>,
}

/// Match every column to its fact: an unknown name, a column of the wrong length or of a
/// kind the fact cannot take is a problem of the whole table (every problem at once).
fn bind<'p, 'a>(program: &'p Program, columns: &Columns<'a>) -> Result<Vec<Bound<'p, 'a>>, Error> {
    let mut bound = Vec::with_capacity(columns.columns.len());
    let mut problems = Vec::new();
    for (i, (name, column)) in columns.columns.iter().enumerate() {
        let place = format!("column {} (`{name}`)", i + 1);
        let Some((slot, fact)) = program
            .facts
            .iter()
            .enumerate()
            .find(|(_, f)| f.name == *name)
        else {
            let help = did_you_mean(name, program.facts.iter().map(|f| f.name.as_str()))
                .unwrap_or_else(|| "name columns after the facts the rule set declares".into());
            problems.push(table_problem(
                "meso::facts::unknown_fact",
                format!("{place}: the rule set declares no fact `{name}`"),
                help,
            ));
            continue;
        };
        if bound.iter().any(|b: &Bound<'_, '_>| b.slot == slot) {
            problems.push(table_problem(
                "meso::facts::duplicate_key",
                format!("{place}: fact `{name}` has two columns"),
                "give each fact one column".into(),
            ));
            continue;
        }
        let short = match column {
            Column::Bits { values, .. } => values.len() < columns.rows,
            _ => column.len() != columns.rows,
        };
        if short || column.short_bitmap(columns.rows) {
            problems.push(table_problem(
                "meso::facts::wrong_type",
                if short {
                    format!(
                        "{place} has {} cells, the table has {} rows",
                        column.len(),
                        columns.rows
                    )
                } else {
                    format!(
                        "{place}: its validity bitmap is shorter than the table's {} rows",
                        columns.rows
                    )
                },
                "give every column one cell per row (`None` for a missing value)".into(),
            ));
            continue;
        }
        let fits = match column.kind() {
            "texts" => true,
            "numbers" => matches!(
                fact.ty,
                FactType::Number | FactType::Integer | FactType::Ratio
            ),
            _ => matches!(fact.ty, FactType::Boolean),
        };
        if !fits {
            problems.push(table_problem(
                "meso::facts::wrong_type",
                format!(
                    "{place}: fact `{name}` is {}, the column holds {}",
                    fact.ty.describe(),
                    column.kind()
                ),
                "give level, set and text facts as texts, numbers as numbers, booleans as booleans"
                    .into(),
            ));
            continue;
        }
        bound.push(Bound {
            fact,
            slot,
            column: *column,
        });
    }
    if problems.is_empty() {
        Ok(bound)
    } else {
        Err(Error::new(ErrorKind::Facts, problems))
    }
}

fn table_problem(code: &str, message: String, help: String) -> Diagnostic {
    let rendered = format!("{code}\n\n  × {message}\n  help: {help}\n");
    Diagnostic {
        code: Some(code.to_string()),
        severity: Severity::Error,
        message,
        file: None,
        line: None,
        column: None,
        labels: Vec::new(),
        help: Some(help),
        rendered,
    }
}

/// A problem of one cell: `code`, what is wrong (`message`), how to fix it.
fn cell_problem(row: usize, code: &str, message: &str, help: Option<String>) -> Diagnostic {
    let message = format!("row {}: {message}", row + 1);
    let mut rendered = format!("{code}\n\n  × {message}\n");
    if let Some(h) = &help {
        rendered.push_str(&format!("  help: {h}\n"));
    }
    Diagnostic {
        code: Some(code.to_string()),
        severity: Severity::Error,
        message,
        file: None,
        line: Some(row + 1),
        column: None,
        labels: Vec::new(),
        help,
        rendered,
    }
}

/// What a distinct text cell reads as: its value, or its problems (code, message, help),
/// which are the same in every row that has it.
enum Resolved {
    Value(Value),
    Bad(Vec<(String, String, Option<String>)>),
}

/// Distinct cells looked up one by one before a hash map takes over (a level fact has a
/// few levels, found faster by comparing than by hashing).
const SEEN_PER_COLUMN: usize = 16;

/// A text column's distinct cells, each read once: by its bytes, and by dictionary entry.
#[derive(Default)]
struct TextCache<'a> {
    resolved: Vec<Resolved>,
    seen: Vec<(&'a [u8], u32)>,
    more: std::collections::HashMap<&'a [u8], u32>,
    /// Per dictionary entry: 0 not yet read, else 1 + its index in `resolved`
    entries: Vec<u32>,
}

impl<'a> TextCache<'a> {
    /// The index in `resolved` of the cell `bytes`, read now if it was not yet.
    #[inline]
    fn lookup(&mut self, fact: &Fact, bytes: &'a [u8]) -> u32 {
        if let Some(&(_, i)) = self.seen.iter().find(|(k, _)| *k == bytes) {
            return i;
        }
        if let Some(&i) = self.more.get(bytes) {
            return i;
        }
        let resolved = read_text(fact, bytes);
        let i = self.resolved.len() as u32;
        self.resolved.push(resolved);
        if self.seen.len() < SEEN_PER_COLUMN {
            self.seen.push((bytes, i));
        } else {
            self.more.insert(bytes, i);
        }
        i
    }

    /// The index in `resolved` of dictionary entry `key` (`None`: a missing value).
    #[inline]
    fn entry(&mut self, fact: &Fact, dictionary: &[Option<&'a str>], key: usize) -> Option<u32> {
        if self.entries.len() != dictionary.len() {
            self.entries = vec![0; dictionary.len()];
        }
        match self.entries.get(key) {
            Some(&i) if i > 0 => Some(i - 1),
            _ => {
                let text = (*dictionary.get(key)?)?;
                let i = self.lookup(fact, text.as_bytes());
                if let Some(e) = self.entries.get_mut(key) {
                    *e = i + 1;
                }
                Some(i)
            }
        }
    }
}

/// A text cell read as `--set` reads it, with the facts files' checks.
#[cold]
fn read_text(fact: &Fact, bytes: &[u8]) -> Resolved {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Resolved::Bad(vec![(
            "meso::facts::wrong_type".into(),
            format!("fact `{}`: the cell is not UTF-8 text", fact.name),
            Some("give text columns as UTF-8 strings".into()),
        )]);
    };
    match fact_value_from_text(fact, text) {
        Ok(v) => Resolved::Value(v),
        Err(errors) => Resolved::Bad(
            errors
                .iter()
                .map(|e| {
                    let code =
                        miette::Diagnostic::code(e).map_or_else(String::new, |c| c.to_string());
                    let help = miette::Diagnostic::help(e).map(|h| h.to_string());
                    (code, e.to_string(), help)
                })
                .collect(),
        ),
    }
}

/// A table's columns matched to the rule set's facts, read a block of rows at a time
/// into facts: numbers checked cell by cell, text read once per distinct string or
/// dictionary entry.
pub(crate) struct Decoder<'p, 'a> {
    bound: Vec<Bound<'p, 'a>>,
    caches: Vec<TextCache<'a>>,
    /// This block's bad cells: row, then the problem (in column order within a row)
    bad: Vec<(usize, Diagnostic)>,
}

/// What one cell reads as.
enum Cell<'r> {
    Value(Value),
    Shared(&'r Value),
    Bad(Diagnostic),
    BadText(&'r [(String, String, Option<String>)]),
}

impl<'p, 'a> Decoder<'p, 'a> {
    /// Match `columns` to `program`'s facts (see [`bind`]).
    pub(crate) fn new(program: &'p Program, columns: &Columns<'a>) -> Result<Self, Error> {
        let bound = bind(program, columns)?;
        let caches = bound.iter().map(|_| TextCache::default()).collect();
        Ok(Decoder {
            bound,
            caches,
            bad: Vec::new(),
        })
    }

    /// Read rows `start..start + facts.len()` into `facts` (each with a value per fact of
    /// the program; the slots of facts with no column are left as they are). Rows with a
    /// bad cell are set in the returned word (bit r for row `start + r`, at most 64 rows)
    /// and their problems appended to `problems`, row by row, in column order.
    pub(crate) fn fill(
        &mut self,
        start: usize,
        facts: &mut [facts::Facts],
        problems: &mut Vec<(usize, Vec<Diagnostic>)>,
    ) -> u64 {
        self.bad.clear();
        let mut bad_rows = 0u64;
        let n = facts.len();
        for (b, cache) in self.bound.iter().zip(self.caches.iter_mut()) {
            let (fact, slot) = (b.fact, b.slot);
            let mut put = |r: usize, cell: Cell<'_>, bad: &mut Vec<(usize, Diagnostic)>| {
                let value = match cell {
                    Cell::Value(v) => v,
                    Cell::Shared(v) => v.clone(),
                    Cell::Bad(d) => {
                        bad.push((start + r, d));
                        bad_rows |= 1u64 << (r % 64);
                        Value::Unknown
                    }
                    Cell::BadText(templates) => {
                        for (code, message, help) in templates {
                            bad.push((
                                start + r,
                                cell_problem(start + r, code, message, help.clone()),
                            ));
                        }
                        bad_rows |= 1u64 << (r % 64);
                        Value::Unknown
                    }
                };
                if let Some(s) = facts.get_mut(r).and_then(|f| f.values.get_mut(slot)) {
                    *s = value;
                }
            };
            let number = |row: usize, n: f64| {
                if number_is_valid(fact, n) {
                    Cell::Value(Value::Number(n))
                } else {
                    number_cell(fact, row, n)
                }
            };
            let rows = start..start + n;
            match b.column {
                Column::Numbers(c) => {
                    for (r, row) in rows.enumerate() {
                        let cell = match c.get(row).copied().flatten() {
                            Some(n) => number(row, n),
                            None => Cell::Value(Value::Unknown),
                        };
                        put(r, cell, &mut self.bad);
                    }
                }
                Column::Floats { values, valid } => {
                    for (r, row) in rows.enumerate() {
                        let cell = match values.get(row) {
                            Some(&n) if is_valid(&valid, row) => number(row, n),
                            _ => Cell::Value(Value::Unknown),
                        };
                        put(r, cell, &mut self.bad);
                    }
                }
                Column::Integers { values, valid } => {
                    for (r, row) in rows.enumerate() {
                        let cell = match values.get(row) {
                            Some(&n) if is_valid(&valid, row) => number(row, n as f64),
                            _ => Cell::Value(Value::Unknown),
                        };
                        put(r, cell, &mut self.bad);
                    }
                }
                Column::Booleans(c) => {
                    for (r, row) in rows.enumerate() {
                        let v = c.get(row).copied().flatten();
                        put(
                            r,
                            Cell::Value(v.map_or(Value::Unknown, Value::Bool)),
                            &mut self.bad,
                        );
                    }
                }
                Column::Bits { values, valid } => {
                    for (r, row) in rows.enumerate() {
                        let v = if is_valid(&valid, row) {
                            Value::Bool(values.get(row))
                        } else {
                            Value::Unknown
                        };
                        put(r, Cell::Value(v), &mut self.bad);
                    }
                }
                Column::Texts(c) => {
                    for (r, row) in rows.enumerate() {
                        match c.get(row).copied().flatten() {
                            Some(t) => {
                                let i = cache.lookup(fact, t.as_bytes());
                                put(r, text_cell(&cache.resolved, i), &mut self.bad);
                            }
                            None => put(r, Cell::Value(Value::Unknown), &mut self.bad),
                        }
                    }
                }
                Column::Strings {
                    offsets,
                    data,
                    valid,
                } => {
                    for (r, row) in rows.enumerate() {
                        if is_valid(&valid, row) {
                            let bytes = data.get(offsets.range(row)).unwrap_or_default();
                            let i = cache.lookup(fact, bytes);
                            put(r, text_cell(&cache.resolved, i), &mut self.bad);
                        } else {
                            put(r, Cell::Value(Value::Unknown), &mut self.bad);
                        }
                    }
                }
                Column::Dictionary {
                    keys,
                    valid,
                    dictionary,
                } => {
                    for (r, row) in rows.enumerate() {
                        let entry = match keys.get(row) {
                            Some(k) if is_valid(&valid, row) => cache.entry(fact, dictionary, k),
                            _ => None,
                        };
                        match entry {
                            Some(i) => put(r, text_cell(&cache.resolved, i), &mut self.bad),
                            None => put(r, Cell::Value(Value::Unknown), &mut self.bad),
                        }
                    }
                }
            }
        }
        if !self.bad.is_empty() {
            // Row by row, each row's problems in column order (the sort is stable).
            self.bad.sort_by_key(|(row, _)| *row);
            for (row, d) in self.bad.drain(..) {
                match problems.last_mut() {
                    Some((last, list)) if *last == row => list.push(d),
                    _ => problems.push((row, vec![d])),
                }
            }
        }
        bad_rows
    }
}

/// The cell of a text column whose distinct value is `resolved[i]`.
#[inline(always)]
fn text_cell(resolved: &[Resolved], i: u32) -> Cell<'_> {
    match resolved.get(i as usize) {
        Some(Resolved::Value(v)) => Cell::Shared(v),
        Some(Resolved::Bad(t)) => Cell::BadText(t),
        None => Cell::Value(Value::Unknown),
    }
}

/// A number cell that fails its fact's checks.
#[cold]
fn number_cell(fact: &Fact, row: usize, n: f64) -> Cell<'static> {
    match check_number(fact, n) {
        Ok(v) => Cell::Value(v),
        Err(p) => {
            let help = p.help().map(str::to_string);
            Cell::Bad(cell_problem(row, p.code(), &p.message(&fact.name), help))
        }
    }
}
