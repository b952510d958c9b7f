//! The facade's columnar input: the facts of many clusters given column by column, as
//! Arrow, Polars, DuckDB or a CSV reader hold them, checked cell by cell against the rule
//! set's vocabulary.
//!
//! Input: [`Columns`] (a fact name and a slice of cells per column). Output: a block of 64
//! rows at a time as typed cells per column, what the block evaluator's columns are filled
//! from (and whole records for the rows that need one, see [`Lanes`]), or the problems of
//! the rows whose cells do not fit: a bad cell never drops a row, and never stops the
//! others.

use crate::eval::{Lane, Lanes, BLOCK};
use crate::facade::diagnostic::{Diagnostic, Error, ErrorKind, Severity};
use crate::facts::value_check::check_number;
use crate::facts::{self, fact_value_from_text};
use crate::ir::{Fact, FactType, Program};
use crate::limits::MAX_EXACT_INTEGER;
use crate::suggest::did_you_mean;
use crate::value::Value;
use wide::{f64x4, i32x4, CmpEq, CmpGe, CmpLe};

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

    /// Bits `i..i + n` (`n` at most 64) as a word: bit `j` is bit `i + j`.
    #[inline(always)]
    fn word(&self, i: usize, n: usize) -> u64 {
        let at = i + self.offset;
        let (first, shift) = (at / 8, at % 8);
        let mut buf = [0u8; 16];
        let bytes = self.bytes.get(first..).unwrap_or_default();
        for (b, &x) in buf.iter_mut().zip(bytes.iter().take(9)) {
            *b = x;
        }
        let word = (u128::from_le_bytes(buf) >> shift) as u64;
        word & low_bits(n)
    }

    /// Bits available from the offset on.
    fn len(&self) -> usize {
        (self.bytes.len() * 8).saturating_sub(self.offset)
    }
}

/// The word of the low `n` bits (`n` at most 64).
#[inline(always)]
fn low_bits(n: usize) -> u64 {
    u64::MAX
        .checked_shr(64u32.saturating_sub(n as u32))
        .unwrap_or(0)
}

/// Which of cells `i..i + n` (`n` at most 64) of a column with validity `valid` have a
/// value, as a word (no bitmap: all do).
#[inline(always)]
fn valid_word(valid: &Option<Bitmap<'_>>, i: usize, n: usize) -> u64 {
    valid.as_ref().map_or(low_bits(n), |v| v.word(i, n))
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
                .unwrap_or_else(|| {
                    // Most often a name or code of the cluster, not a misspelt fact.
                    format!(
                        "name columns after the facts the rule set declares; a column of \
                         names or codes is no fact: leave it out (in Python, \
                         `id=\"{name}\"` carries it through to the result)"
                    )
                });
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

/// What a distinct text cell reads as: its value (as its index in `TextCache::values`,
/// or [`UNKNOWN`]), or its problems (code, message, help), which are the same in every
/// row that has it.
enum Resolved {
    Value(u32),
    Bad(Vec<(String, String, Option<String>)>),
}

/// Distinct cells looked up one by one before a hash map takes over (a level fact has a
/// few levels, found faster by comparing than by hashing).
const SEEN_PER_COLUMN: usize = 16;

/// A text column's distinct cells, each read once: by its bytes, and by dictionary entry.
#[derive(Default)]
struct TextCache<'a> {
    resolved: Vec<Resolved>,
    /// The values the cells read as (what the block's cells index): for a level fact, its
    /// levels in order (a cell's index is its level's position), then any other value read
    values: Vec<Value>,
    /// The levels at the start of `values`
    levels: usize,
    /// The first distinct cells: a key of their first and last bytes, the bytes, the
    /// index in `resolved`
    seen: Vec<((u64, u64), &'a [u8], u32)>,
    more: std::collections::HashMap<&'a [u8], u32>,
    /// The first distinct cells of a string column that read as values, by key
    known: Known,
    /// Per dictionary entry: 0 not yet read, else 1 + its index in `resolved`
    entries: Vec<u32>,
}

impl<'a> TextCache<'a> {
    /// The cache of a column of `fact`: for a level fact (of fewer levels than a byte
    /// counts), its levels first in `values`.
    fn new(fact: &Fact) -> Self {
        let mut cache = TextCache::default();
        if let FactType::Level { levels, .. } = &fact.ty {
            if levels.len() < usize::from(u8::MAX) {
                cache.levels = levels.len();
                cache.values = (0..levels.len() as u32).map(Value::Level).collect();
            }
        }
        cache
    }

    /// The index in `resolved` of the cell `bytes`, read now if it was not yet.
    #[inline(always)]
    fn lookup(&mut self, fact: &Fact, bytes: &'a [u8]) -> u32 {
        self.lookup_key(fact, key_of(bytes), bytes)
    }

    /// As [`TextCache::lookup`], with the cell's key (`key_of(bytes)`) known.
    #[inline(always)]
    fn lookup_key(&mut self, fact: &Fact, key: (u64, u64), bytes: &'a [u8]) -> u32 {
        // Key and length settle cells of up to 16 bytes; longer ones compare the rest.
        if let Some(&(_, _, i)) = self.seen.iter().find(|(k, b, _)| {
            *k == key && b.len() == bytes.len() && (bytes.len() <= 16 || *b == bytes)
        }) {
            return i;
        }
        self.miss(fact, key, bytes)
    }

    /// A cell not among the first distinct ones: from the map, or read now.
    #[cold]
    #[inline(never)]
    fn miss(&mut self, fact: &Fact, key: (u64, u64), bytes: &'a [u8]) -> u32 {
        if let Some(&i) = self.more.get(bytes) {
            return i;
        }
        let resolved = match read_text(fact, bytes) {
            Ok(Value::Unknown) => Resolved::Value(UNKNOWN),
            Ok(Value::Level(p)) if (p as usize) < self.levels => Resolved::Value(p),
            Ok(v) => {
                self.values.push(v);
                Resolved::Value(self.values.len() as u32 - 1)
            }
            Err(templates) => Resolved::Bad(templates),
        };
        let i = self.resolved.len() as u32;
        self.resolved.push(resolved);
        if self.seen.len() < SEEN_PER_COLUMN {
            self.seen.push((key, bytes, i));
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

/// A cell's first 8 bytes and its last 8 (zero-padded when shorter): with the length,
/// what tells apart cells of up to 16 bytes.
#[inline(always)]
fn key_of(bytes: &[u8]) -> (u64, u64) {
    let word = |b: Option<&[u8]>| b.and_then(|b| b.try_into().ok()).map(u64::from_le_bytes);
    let n = bytes.len();
    match (word(bytes.get(..8)), word(bytes.get(n.saturating_sub(8)..))) {
        (Some(head), Some(tail)) => (head, tail),
        _ => {
            let mut head = [0u8; 8];
            for (w, b) in head.iter_mut().zip(bytes) {
                *w = *b;
            }
            (u64::from_le_bytes(head), 0)
        }
    }
}

/// A text cell read as `--set` reads it, with the facts files' checks; an empty cell (or
/// only spaces) is a gap, as in a CSV file for `meso batch` (pyarrow reads CSV gaps as "").
#[cold]
fn read_text(fact: &Fact, bytes: &[u8]) -> Result<Value, Vec<(String, String, Option<String>)>> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(vec![(
            "meso::facts::wrong_type".into(),
            format!("fact `{}`: the cell is not UTF-8 text", fact.name),
            Some("give text columns as UTF-8 strings".into()),
        )]);
    };
    if text.trim().is_empty() {
        return Ok(Value::Unknown);
    }
    match fact_value_from_text(fact, text) {
        Ok(v) => Ok(v),
        Err(errors) => Err(errors
            .iter()
            .map(|e| {
                let code = miette::Diagnostic::code(e).map_or_else(String::new, |c| c.to_string());
                let help = miette::Diagnostic::help(e).map(|h| h.to_string());
                (code, e.to_string(), help)
            })
            .collect()),
    }
}

/// A table's columns matched to the rule set's facts, read a block of rows at a time
/// into typed cells (numbers as floats, truth values and text as indexes: what the block
/// evaluator's columns take, see [`Lanes`]): numbers checked cell by cell, text read once
/// per distinct string or dictionary entry. A whole record is built only when asked
/// ([`Lanes::record`]).
pub(crate) struct Decoder<'p, 'a> {
    bound: Vec<Bound<'p, 'a>>,
    caches: Vec<TextCache<'a>>,
    /// Per bound column, the numbers its fact takes (read once, not per block)
    ranges: Vec<Range>,
    /// Per bound column, this block's cells
    cells: Vec<Cells>,
    /// Per fact of the program, its bound column
    by_slot: Vec<Option<usize>>,
    /// This block's bad cells: row, then the problem (in column order within a row)
    bad: Vec<(usize, Diagnostic)>,
}

/// A cell index that names no value: unknown (missing, or a bad cell).
const NO_VALUE: u32 = u32::MAX;
/// A cell index past every value: a cell that reads as unknown (as an empty cell does).
/// Not [`NO_VALUE`], which a string column's block reads again.
const UNKNOWN: u32 = u32::MAX - 1;

/// One column's cells of a block: numbers (NaN: unknown) for number columns, else per row
/// 0 false / 1 true / [`NO_VALUE`] (truth values) or an index into the column's
/// `TextCache::values` (past its end: unknown).
struct Cells {
    numbers: [f64; BLOCK],
    at: [u32; BLOCK],
}

impl Default for Cells {
    fn default() -> Self {
        Cells {
            numbers: [f64::NAN; BLOCK],
            at: [NO_VALUE; BLOCK],
        }
    }
}

/// The numbers a number fact takes, checked with two comparisons: what
/// `number_is_valid` says, decided once per column (a number outside goes through
/// `check_number` for its problem).
struct Range {
    lo: f64,
    hi: f64,
    integer: bool,
}

impl Range {
    fn of(fact: &Fact) -> Range {
        let integer = matches!(fact.ty, FactType::Integer);
        let (mut lo, mut hi) = (f64::NEG_INFINITY, f64::INFINITY);
        if integer {
            (lo, hi) = (-MAX_EXACT_INTEGER, MAX_EXACT_INTEGER);
        }
        if matches!(fact.ty, FactType::Ratio) {
            (lo, hi) = (lo.max(0.0), hi.min(1.0));
        }
        if let Some(min) = fact.minimum {
            lo = lo.max(min);
        }
        if let Some(max) = fact.maximum {
            hi = hi.min(max);
        }
        Range { lo, hi, integer }
    }

    /// Whether `n` passes every check of the fact (false for NaN and infinities).
    #[inline(always)]
    fn holds(&self, n: f64) -> bool {
        // An integer fact's bounds are within ±2^53, where `as i64` is exact: a whole number
        // is its own truncation (cheaper than `fract`, a call to `trunc` on x86-64).
        n.is_finite() && self.lo <= n && n <= self.hi && (!self.integer || (n as i64) as f64 == n)
    }
}

/// Where a block's bad cells go.
struct Sink<'b> {
    start: usize,
    bad_rows: u64,
    bad: &'b mut Vec<(usize, Diagnostic)>,
}

impl Sink<'_> {
    /// Row `r`'s number cell `n` as its fact takes it (NaN for a bad cell, whose problem
    /// is kept).
    #[inline(always)]
    fn number(&mut self, fact: &Fact, range: &Range, r: usize, n: f64) -> f64 {
        if range.holds(n) {
            n
        } else {
            self.bad_number(fact, r, n)
        }
    }

    /// Row `r`'s text cell, resolved as entry `i`: its index in `TextCache::values`, or
    /// [`NO_VALUE`] for a bad cell, whose problems are kept.
    #[inline(always)]
    fn text(&mut self, resolved: &[Resolved], r: usize, i: u32) -> u32 {
        match resolved.get(i as usize) {
            Some(&Resolved::Value(at)) => at,
            Some(Resolved::Bad(templates)) => {
                self.bad_text(r, templates);
                NO_VALUE
            }
            None => NO_VALUE,
        }
    }

    /// A number cell that fails its fact's checks.
    #[cold]
    #[inline(never)]
    fn bad_number(&mut self, fact: &Fact, r: usize, n: f64) -> f64 {
        let row = self.start + r;
        match check_number(fact, n) {
            Ok(Value::Number(x)) => x,
            Ok(_) => f64::NAN,
            Err(p) => {
                let help = p.help().map(str::to_string);
                let d = cell_problem(row, p.code(), &p.message(&fact.name), help);
                self.bad.push((row, d));
                self.bad_rows |= 1u64 << (r % 64);
                f64::NAN
            }
        }
    }

    /// A text cell that does not fit its fact.
    #[cold]
    #[inline(never)]
    fn bad_text(&mut self, r: usize, templates: &[(String, String, Option<String>)]) {
        let row = self.start + r;
        for (code, message, help) in templates {
            let d = cell_problem(row, code, message, help.clone());
            self.bad.push((row, d));
        }
        self.bad_rows |= 1u64 << (r % 64);
    }
}

impl<'p, 'a> Decoder<'p, 'a> {
    /// Match `columns` to `program`'s facts (see [`bind`]).
    pub(crate) fn new(program: &'p Program, columns: &Columns<'a>) -> Result<Self, Error> {
        let bound = bind(program, columns)?;
        let caches = bound.iter().map(|b| TextCache::new(b.fact)).collect();
        let ranges = bound.iter().map(|b| Range::of(b.fact)).collect();
        let cells = bound.iter().map(|_| Cells::default()).collect();
        let mut by_slot = vec![None; program.facts.len()];
        for (i, b) in bound.iter().enumerate() {
            if let Some(s) = by_slot.get_mut(b.slot) {
                *s = Some(i);
            }
        }
        Ok(Decoder {
            bound,
            caches,
            ranges,
            cells,
            by_slot,
            bad: Vec::new(),
        })
    }

    /// Read rows `start..start + n` (at most [`BLOCK`]) into the block's cells (what
    /// [`Lanes`] gives). Rows with a bad cell are set in the returned word (bit r for row
    /// `start + r`) and their problems appended to `problems`, row by row, in column
    /// order; their bad cells read as unknown.
    pub(crate) fn decode(
        &mut self,
        start: usize,
        n: usize,
        problems: &mut Vec<(usize, Vec<Diagnostic>)>,
    ) -> u64 {
        self.bad.clear();
        let n = n.min(BLOCK);
        let mut sink = Sink {
            start,
            bad_rows: 0,
            bad: &mut self.bad,
        };
        let each = self.bound.iter().zip(&self.ranges);
        let each = each.zip(&mut self.caches).zip(&mut self.cells);
        for (((b, checks), cache), cells) in each {
            let fact = b.fact;
            let rows = start..start + n;
            let Cells { numbers, at } = cells;
            match b.column {
                Column::Numbers(c) => {
                    for ((r, row), cell) in rows.enumerate().zip(numbers.iter_mut()) {
                        *cell = match c.get(row).copied().flatten() {
                            Some(x) => sink.number(fact, checks, r, x),
                            None => f64::NAN,
                        };
                    }
                }
                Column::Floats { values, valid } => {
                    let values = values.get(rows.clone()).unwrap_or_default();
                    let present = valid_word(&valid, start, n);
                    let x = |&x: &f64| x;
                    numbers_block(&mut sink, fact, checks, numbers, present, values, false, x);
                }
                Column::Integers { values, valid } => {
                    let values = values.get(rows.clone()).unwrap_or_default();
                    let present = valid_word(&valid, start, n);
                    let x = |&x: &i64| x as f64;
                    numbers_block(&mut sink, fact, checks, numbers, present, values, true, x);
                }
                Column::Booleans(c) => {
                    for (row, cell) in rows.zip(at.iter_mut()) {
                        *cell = c.get(row).copied().flatten().map_or(NO_VALUE, u32::from);
                    }
                }
                Column::Bits { values, valid } => {
                    for (row, cell) in rows.zip(at.iter_mut()) {
                        *cell = if is_valid(&valid, row) {
                            u32::from(values.get(row))
                        } else {
                            NO_VALUE
                        };
                    }
                }
                Column::Texts(c) => {
                    for ((r, row), cell) in rows.enumerate().zip(at.iter_mut()) {
                        *cell = match c.get(row).copied().flatten() {
                            Some(t) => {
                                let i = cache.lookup(fact, t.as_bytes());
                                sink.text(&cache.resolved, r, i)
                            }
                            None => NO_VALUE,
                        };
                    }
                }
                Column::Strings {
                    offsets: Offsets::I32(o),
                    data,
                    valid,
                } => strings(&mut sink, cache, at, fact, rows, valid, data, o),
                Column::Strings {
                    offsets: Offsets::I64(o),
                    data,
                    valid,
                } => strings(&mut sink, cache, at, fact, rows, valid, data, o),
                Column::Dictionary {
                    keys,
                    valid,
                    dictionary,
                } => {
                    for ((r, row), cell) in rows.enumerate().zip(at.iter_mut()) {
                        let entry = match keys.get(row) {
                            Some(k) if is_valid(&valid, row) => cache.entry(fact, dictionary, k),
                            _ => None,
                        };
                        *cell = match entry {
                            Some(i) => sink.text(&cache.resolved, r, i),
                            None => NO_VALUE,
                        };
                    }
                }
            }
        }
        let bad_rows = sink.bad_rows;
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

impl Lanes for Decoder<'_, '_> {
    fn lane(&self, fact: usize) -> Lane<'_> {
        let Some(b) = self.by_slot.get(fact).copied().flatten() else {
            return Lane::Unknown;
        };
        let (Some(bound), Some(cells), Some(cache)) =
            (self.bound.get(b), self.cells.get(b), self.caches.get(b))
        else {
            return Lane::Unknown;
        };
        match bound.column {
            Column::Numbers(_) | Column::Floats { .. } | Column::Integers { .. } => {
                Lane::Numbers(&cells.numbers)
            }
            Column::Booleans(_) | Column::Bits { .. } => Lane::Bools(&cells.at),
            Column::Texts(_) | Column::Strings { .. } | Column::Dictionary { .. } => {
                Lane::Values(&cache.values, &cells.at)
            }
        }
    }

    fn record(&self, r: usize, facts: &mut facts::Facts) {
        for slot in self.bound.iter().map(|b| b.slot) {
            let value = match self.lane(slot) {
                Lane::Unknown => continue,
                Lane::Numbers(xs) => match xs.get(r) {
                    Some(x) if !x.is_nan() => Value::Number(*x),
                    _ => Value::Unknown,
                },
                Lane::Bools(bs) => match bs.get(r) {
                    Some(0) => Value::Bool(false),
                    Some(1) => Value::Bool(true),
                    _ => Value::Unknown,
                },
                Lane::Values(values, at) => at
                    .get(r)
                    .and_then(|&i| values.get(i as usize))
                    .cloned()
                    .unwrap_or(Value::Unknown),
            };
            if let Some(s) = facts.values.get_mut(slot) {
                *s = value;
            }
        }
    }
}

/// A block of a number column (`values`, the rows of `present` have a value) into
/// `numbers`: every cell copied and checked in one pass, four at a time with no branch (the
/// range and finiteness as vector comparisons; whether an integer fact's cell is whole,
/// only for cells not read from integers), then the missing ones made unknown and the bad
/// ones (rare) given their problems.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn numbers_block<T>(
    sink: &mut Sink<'_>,
    fact: &Fact,
    checks: &Range,
    numbers: &mut [f64; BLOCK],
    present: u64,
    values: &[T],
    whole: bool,
    float: impl Fn(&T) -> f64,
) {
    // The bounds within the finite numbers (neither is NaN, see `Range::of`): a number
    // between them is finite, and NaN is between no two.
    let (lo, hi) = (
        f64x4::splat(checks.lo.max(-f64::MAX)),
        f64x4::splat(checks.hi.min(f64::MAX)),
    );
    // The rows of a quad within the bounds.
    let inside = |quad: [f64; 4]| {
        let x = f64x4::from(quad);
        let holds = x.cmp_ge(lo) & x.cmp_le(hi);
        holds.move_mask() as u64 & 0xF
    };
    // The quads of `values` into `numbers`, with the word of their rows within the bounds.
    let quads = |values: &[T], numbers: &mut [f64; BLOCK]| {
        let mut holds = 0u64;
        let quads = values.chunks_exact(4).zip(numbers.chunks_exact_mut(4));
        for (i, (x, cell)) in quads.enumerate() {
            let Ok(x) = <&[T; 4]>::try_from(x) else {
                continue;
            };
            let quad = x.each_ref().map(&float);
            cell.copy_from_slice(&quad);
            holds |= inside(quad) << (4 * i);
        }
        holds
    };
    let values = values.get(..BLOCK).unwrap_or(values);
    let mut fails = !quads(values, numbers);
    let rest = values.chunks_exact(4).remainder();
    if !rest.is_empty() {
        let i = values.len() / 4;
        // The last cells, in a quad of NaN (past `values`: masked off below).
        let mut quad = [f64::NAN; 4];
        for (q, x) in quad.iter_mut().zip(rest) {
            *q = float(x);
        }
        if let Some(cells) = numbers.get_mut(4 * i..) {
            for (cell, q) in cells.iter_mut().zip(&quad).take(rest.len()) {
                *cell = *q;
            }
        }
        fails &= !(inside(quad) << (4 * i));
    }
    if checks.integer && !whole {
        for (r, x) in numbers.iter().enumerate() {
            fails |= u64::from((*x as i64) as f64 != *x) << (r % BLOCK);
        }
    }
    let rows = low_bits(values.len().min(BLOCK));
    let mut missing = !present & rows;
    while missing != 0 {
        let r = missing.trailing_zeros() as usize;
        missing &= missing - 1;
        if let Some(cell) = numbers.get_mut(r) {
            *cell = f64::NAN;
        }
    }
    let mut fails = fails & present & rows;
    while fails != 0 {
        let r = fails.trailing_zeros() as usize;
        fails &= fails - 1;
        if let Some(cell) = numbers.get_mut(r) {
            *cell = sink.bad_number(fact, r, *cell);
        }
    }
}

/// The byte range of cell `i` of a string column with `offsets` (empty when the offsets
/// are out of order or negative).
#[inline(always)]
fn range<O: Copy + TryInto<usize>>(offsets: &[O], i: usize) -> std::ops::Range<usize> {
    let at = |i: usize| offsets.get(i).and_then(|&o| o.try_into().ok());
    match (at(i), at(i + 1)) {
        (Some(a), Some(b)) if a <= b => a..b,
        _ => 0..0,
    }
}

/// A string column's offset (`i32` or `i64`) as a position in its bytes.
trait Offset: Copy + TryInto<usize> {
    /// The offset as a position: a negative one (or one past `usize`) as one past any
    /// slice's length (more than `isize::MAX`).
    fn raw(self) -> usize;
}

impl Offset for i32 {
    #[inline(always)]
    fn raw(self) -> usize {
        // Sign-extended: a negative offset is at least `usize::MAX - i32::MAX`.
        self as isize as usize
    }
}

impl Offset for i64 {
    #[inline(always)]
    fn raw(self) -> usize {
        usize::try_from(self).unwrap_or(usize::MAX)
    }
}

/// The cells `rows` of a string column into `sink`, each distinct string read once. First
/// every cell of the block is looked up in the column's [`Known`] table, in one loop with
/// no call and no branch but its checks and the table's ([`by_length`], or by key,
/// [`keys`]): the offsets as one window of `n + 1`, the validity as one word. Then the cells the table does not have (first
/// seen, bad, longer than [`KEY_MAX`], out-of-order offsets, near the end of the bytes)
/// are read as before, one checked offset at a time, and the missing ones made unknown.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn strings<'a, O: Offset>(
    sink: &mut Sink<'_>,
    cache: &mut TextCache<'a>,
    at: &mut [u32; BLOCK],
    fact: &Fact,
    rows: std::ops::Range<usize>,
    valid: Option<Bitmap<'_>>,
    data: &'a [u8],
    offsets: &[O],
) {
    let (start, n) = (rows.start, rows.len().min(BLOCK));
    let present = valid_word(&valid, start, n);
    let window = offsets.get(start..start + n + 1).unwrap_or_default();
    // Rows past the window (none unless the offsets are shorter than the table, which
    // `bind` rules out) are read one at a time.
    let mut slow = low_bits(n) & !low_bits(window.len().saturating_sub(1));
    // Each cell's key read with one check of its bytes and one of its length, whatever
    // its offsets (a negative one reads as past any bytes, see `Offset::raw`; out of
    // order, its length as past any key's): a cell the checks fail is read as below.
    let (slots, m) = (&*cache.known.slots, cache.known.multiplier);
    // (That check is one comparison: the cell's start against the bytes' length less
    // what is read of a cell.)
    // The cells the table does not have: as `by_length` finds them, else four at a time.
    let missed = match window.split_first() {
        Some((&first, ends)) if m == BY_LENGTH => {
            let lengths = &cache.known.lengths;
            match cache.known.words {
                1 => by_length::<O, 1>(at, first, ends, data, lengths),
                2 => by_length::<O, 2>(at, first, ends, data, lengths),
                _ => by_length::<O, 3>(at, first, ends, data, lengths),
            }
        }
        Some((&first, ends)) if data.len() >= KEY_BYTES => {
            keys(at, first, ends, data, |key| key.find(slots, key.hashed(m)));
            let none = i32x4::splat(NO_VALUE as i32);
            let mut missed = 0;
            for (i, four) in at.chunks_exact(4).enumerate() {
                let four: [u32; 4] = four.try_into().unwrap_or([NO_VALUE; 4]);
                let four = i32x4::from(four.map(|x| x as i32));
                missed |= (four.cmp_eq(none).move_mask() as u64 & 0xF) << (4 * i);
            }
            missed
        }
        _ => u64::MAX,
    };
    slow |= missed;
    let mut slow = slow & present;
    while slow != 0 {
        let r = slow.trailing_zeros() as usize;
        slow &= slow - 1;
        if let Some(cell) = at.get_mut(r) {
            *cell = string_cell(sink, cache, fact, r, data, start + r, offsets);
        }
    }
    let mut missing = !present & low_bits(n);
    while missing != 0 {
        let r = missing.trailing_zeros() as usize;
        missing &= missing - 1;
        if let Some(cell) = at.get_mut(r) {
            *cell = NO_VALUE;
        }
    }
}

/// The cells of a block of a string column (its offsets `first` then `ends`) looked up
/// by their keys: `find` gives, from a key, what a cell of a [`Known`] table reads as
/// (its index in `TextCache::values`), or [`NO_VALUE`] (as for a cell with no key).
#[inline(always)]
fn keys<O: Offset>(
    at: &mut [u32; BLOCK],
    first: O,
    ends: &[O],
    data: &[u8],
    find: impl Fn(&Short) -> u32,
) {
    let mut a = first.raw();
    for (cell, &b) in at.iter_mut().zip(ends) {
        let b = b.raw();
        *cell = Short::of(data, a, b).map_or(NO_VALUE, |key| find(&key));
        a = b;
    }
}

/// As [`keys`], for a [`Known`] table whose cells differ in length: each cell compared
/// with the one of its length (`lengths`), with no key made, on its first `W` words (the
/// table's cells are at most `W` words long, see [`Known::words`]: a column of short
/// values reads one word a cell, not three). Out of line: it has the registers to itself
/// (inlined, its loop read three of its values from the stack).
#[inline(never)]
fn by_length<O: Offset, const W: usize>(
    at: &mut [u32; BLOCK],
    first: O,
    ends: &[O],
    data: &[u8],
    lengths: &ByLengths,
) -> u64 {
    // A cell starting past `last` (less than `W` words from the end of the bytes, or past
    // it) is left to the slow path.
    let Some(last) = data.len().checked_sub(8 * W) else {
        return u64::MAX;
    };
    let mut missed = 0;
    let mut a = first.raw();
    for (r, (cell, &b)) in at.iter_mut().zip(ends).enumerate() {
        let b = b.raw();
        // Out of order, the length wraps around to more than any key's.
        let len = b.wrapping_sub(a);
        // No kept cell is longer than `W` words: under 3, every length past them (the
        // last entry's among them) has no cell, and any length may read the last entry.
        let len = if W < 3 { len.min(KEY_MAX) } else { len };
        let found = if a <= last {
            lengths.find::<W>(data, a, len)
        } else {
            None
        };
        match found {
            Some(at) => *cell = at,
            None => missed |= 1 << (r % BLOCK),
        }
        a = b;
    }
    missed
}

/// Cell `row` (row `r` of the block) of a string column, read one checked offset at a
/// time; a cell that reads as a value is added to the column's [`Known`] table when it
/// has a key.
#[cold]
#[inline(never)]
fn string_cell<'a, O: Offset>(
    sink: &mut Sink<'_>,
    cache: &mut TextCache<'a>,
    fact: &Fact,
    r: usize,
    data: &'a [u8],
    row: usize,
    offsets: &[O],
) -> u32 {
    let span = range(offsets, row);
    let key = Short::of(data, span.start, span.end);
    let bytes = data.get(span).unwrap_or_default();
    let i = cache.lookup(fact, bytes);
    if let (Some(key), Some(&Resolved::Value(at))) = (key, cache.resolved.get(i as usize)) {
        cache.known.add(key, at);
    }
    sink.text(&cache.resolved, r, i)
}

/// Bytes read from a cell's start for its key.
const KEY_BYTES: usize = 24;
/// The longest cell with a key: its length fits in the key's last byte.
const KEY_MAX: usize = KEY_BYTES - 1;

/// Per cell length up to [`KEY_MAX`]: which bits of the three words read from a cell's
/// start (its first 24 bytes, and what follows it when it is shorter) are its own (the
/// low `len` bytes), and the length in the top byte of the last word (a byte no cell of
/// up to [`KEY_MAX`] bytes has of its own).
// Indexing in a constant is checked when compiling: it cannot panic at run time.
#[allow(clippy::indexing_slicing)]
const MASKS: [[u64; 4]; KEY_MAX + 1] = {
    let mut masks = [[0u64; 4]; KEY_MAX + 1];
    let mut len: usize = 0;
    while len <= KEY_MAX {
        let mut w = 0;
        while w < 3 {
            let own = len.saturating_sub(8 * w);
            masks[len][w] = low_bytes(if own < 8 { own } else { 8 });
            w += 1;
        }
        masks[len][3] = (len as u64) << 56;
        len += 1;
    }
    masks
};

/// The word of the low `n` bytes (`n` at most 8).
const fn low_bytes(n: usize) -> u64 {
    if n >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * n)) - 1
    }
}

/// A string cell's key, read straight from the column's bytes: three words from its start
/// masked to what the cell has of its own (see [`MASKS`]), its length in the top byte of
/// the last. Only cells of up to [`KEY_MAX`] bytes have one, and it tells them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Short([u64; 3]);

impl Short {
    /// The key of the cell `data[a..b]`, or `None` when it is longer than [`KEY_MAX`],
    /// its offsets are out of order or it starts less than [`KEY_BYTES`] from the end of
    /// `data` (the key's words are read from its start).
    #[inline(always)]
    fn of(data: &[u8], a: usize, b: usize) -> Option<Short> {
        // Out of order, the length wraps around to more than any key's.
        let len = b.wrapping_sub(a);
        let [m0, m1, m2, tag] = MASKS.get(len).copied()?;
        let bytes: &[u8; KEY_BYTES] = data.get(a..)?.first_chunk()?;
        let (head, rest) = bytes.split_first_chunk::<8>()?;
        let (mid, rest) = rest.split_first_chunk::<8>()?;
        let tail = rest.first_chunk::<8>()?;
        let key = Short([
            u64::from_le_bytes(*head) & m0,
            u64::from_le_bytes(*mid) & m1,
            (u64::from_le_bytes(*tail) & m2) | tag,
        ]);
        Some(key)
    }

    /// The key's length (in its last byte).
    #[inline(always)]
    fn len(&self) -> usize {
        (self.0[2] >> 56) as usize
    }

    /// The slot of the key in a table of 2^[`KNOWN_BITS`] under multiplier `m`: its
    /// length for [`BY_LENGTH`], else a hash.
    #[inline(always)]
    fn slot(&self, m: u64) -> usize {
        if m == BY_LENGTH {
            self.len()
        } else {
            self.hashed(m)
        }
    }

    /// The key's slot by hash, under multiplier `m`.
    #[inline(always)]
    fn hashed(&self, m: u64) -> usize {
        let [head, mid, tail] = self.0;
        let mixed = head ^ tail ^ mid.rotate_left(29);
        (mixed.wrapping_mul(m) >> (64 - KNOWN_BITS)) as usize
    }

    /// The index in `TextCache::values` (or [`UNKNOWN`]) of the cell of this key in slot
    /// `slot` of a [`Known`] table's `slots`, or [`NO_VALUE`] when it holds another key.
    #[inline(always)]
    fn find(&self, slots: &[KnownCell; 1 << KNOWN_BITS], slot: usize) -> u32 {
        match slots.get(slot) {
            Some(cell) if cell.key.same(self) => cell.at,
            _ => NO_VALUE,
        }
    }

    /// Whether two keys are the same, with one branch.
    #[inline(always)]
    fn same(&self, other: &Short) -> bool {
        let ([a0, a1, a2], [b0, b1, b2]) = (self.0, other.0);
        ((a0 ^ b0) | (a1 ^ b1) | (a2 ^ b2)) == 0
    }
}

/// Slots of a column's [`Known`] table: 2^6.
const KNOWN_BITS: u32 = 6;
/// Distinct cells a [`Known`] table takes (the others are found as before).
const KNOWN_MAX: usize = 16;
/// The multiplier that places a key in the slot of its length (no hash): the first a
/// [`Known`] table tries, as the cells of a column most often differ in length.
const BY_LENGTH: u64 = 0;
/// The multipliers a [`Known`] table tries, in order, until its cells' slots differ.
const MULTIPLIERS: [u64; 9] = [
    BY_LENGTH,
    0x9E37_79B9_7F4A_7C15,
    0xBF58_476D_1CE4_E5B9,
    0x94D0_49BB_1331_11EB,
    0xD6E8_FEB8_6659_FD93,
    0xA076_1D64_78BD_642F,
    0xE703_7ED1_A0B4_28DB,
    0x8EBC_6AF0_9C88_C6E3,
    0x5899_65CC_7537_4CC3,
];

/// One slot of a [`Known`] table: a cell's key and its index in `TextCache::values` (or
/// [`UNKNOWN`])
/// (32 bytes: a slot's place is its number shifted).
#[derive(Clone, Copy, Debug)]
#[repr(align(32))]
struct KnownCell {
    key: Short,
    at: u32,
}

/// An empty slot: its key's last byte is no length a key has.
const NO_CELL: KnownCell = KnownCell {
    key: Short([0, 0, u64::MAX]),
    at: NO_VALUE,
};

/// The kept cells by their length (when a [`Known`] table's cells differ in length), an
/// array per part, indexed by length: their keys' three words with no length, the masks
/// of their length (see [`MASKS`]), and what they read as (the index in
/// `TextCache::values`, or [`UNKNOWN`]). (Not an array of cells: an entry of 8 bytes or
/// 4 is found from the length with no multiplication.)
#[derive(Clone, Copy, Debug)]
struct ByLengths {
    words: [[u64; KEY_MAX + 1]; 3],
    masks: [[u64; KEY_MAX + 1]; 3],
    at: [u32; KEY_MAX + 1],
}

/// No cell of any length: no masked word is all ones.
const NO_LENGTHS: ByLengths = ByLengths {
    words: [[u64::MAX; KEY_MAX + 1]; 3],
    masks: [[0; KEY_MAX + 1]; 3],
    at: [NO_VALUE; KEY_MAX + 1],
};

impl ByLengths {
    /// What the cell of length `len` starting at `a` reads as when it is the kept one of
    /// its length (compared on its first `W` words, the `8 * W` bytes from `a` within
    /// `data`: the kept cell has none of its own past them), else `None`.
    #[inline(always)]
    fn find<const W: usize>(&self, data: &[u8], a: usize, len: usize) -> Option<u32> {
        let ([k0, k1, k2], [m0, m1, m2]) = (&self.words, &self.masks);
        let at = *self.at.get(len)?;
        let (k0, m0) = (*k0.get(len)?, *m0.get(len)?);
        // One check of the cell's start (a chunk of a length known when compiling).
        let rest = data.get(a..).unwrap_or_default();
        let words = match W {
            1 => rest.first_chunk::<8>().map(|c| [*c, [0; 8], [0; 8]]),
            2 => rest.first_chunk::<16>().and_then(|c| {
                let (head, mid) = c.split_first_chunk::<8>()?;
                Some([*head, *mid.first_chunk::<8>()?, [0; 8]])
            }),
            _ => rest.first_chunk::<KEY_BYTES>().and_then(|c| {
                let (head, rest) = c.split_first_chunk::<8>()?;
                let (mid, rest) = rest.split_first_chunk::<8>()?;
                Some([*head, *mid, *rest.first_chunk::<8>()?])
            }),
        };
        let [w0, w1, w2] = words?.map(u64::from_le_bytes);
        let same = match W {
            1 => w0 & m0 == k0,
            2 => w0 & m0 == k0 && w1 & *m1.get(len)? == *k1.get(len)?,
            _ => {
                w0 & m0 == k0
                    && w1 & *m1.get(len)? == *k1.get(len)?
                    && w2 & *m2.get(len)? == *k2.get(len)?
            }
        };
        same.then_some(at)
    }
}

/// The first distinct string cells of a column that read as values (and have a key), in
/// a table with one slot per key (a multiplier is chosen so that no two share a slot;
/// when they differ in length, the length is the slot, and `lengths` has them): a cell
/// is found by one multiplication (or none) and one comparison, with no scan.
struct Known {
    slots: Box<[KnownCell; 1 << KNOWN_BITS]>,
    lengths: Box<ByLengths>,
    cells: Vec<KnownCell>,
    multiplier: u64,
    /// Under [`BY_LENGTH`], the words (of 8 bytes) the longest kept cell takes, at least 1
    /// and at most 3: what [`by_length`] compares
    words: usize,
}

impl Default for Known {
    fn default() -> Self {
        Known {
            slots: Box::new([NO_CELL; 1 << KNOWN_BITS]),
            lengths: Box::new(NO_LENGTHS),
            cells: Vec::new(),
            multiplier: MULTIPLIERS[0],
            words: 1,
        }
    }
}

impl Known {
    /// Keep the cell of key `key` (index `at` in `values`) when there is room and a
    /// multiplier under which every kept key has a slot of its own; else it is left out
    /// (and found as before).
    #[cold]
    fn add(&mut self, key: Short, at: u32) {
        if self.cells.len() >= KNOWN_MAX || self.cells.iter().any(|c| c.key == key) {
            return;
        }
        self.cells.push(KnownCell { key, at });
        for m in MULTIPLIERS {
            let mut taken = 0u64;
            let apart = self.cells.iter().all(|c| {
                let bit = 1u64 << c.key.slot(m);
                let free = taken & bit == 0;
                taken |= bit;
                free
            });
            if apart {
                self.multiplier = m;
                let longest = self.cells.iter().map(|c| c.key.len()).max().unwrap_or(0);
                self.words = longest.div_ceil(8).clamp(1, 3);
                *self.slots = [NO_CELL; 1 << KNOWN_BITS];
                *self.lengths = NO_LENGTHS;
                for c in &self.cells {
                    if let Some(s) = self.slots.get_mut(c.key.slot(m)) {
                        *s = *c;
                    }
                    let len = c.key.len();
                    if let (BY_LENGTH, Some(&[m0, m1, m2, tag])) = (m, MASKS.get(len)) {
                        let [k0, k1, k2] = c.key.0;
                        let l = &mut *self.lengths;
                        let words = l.words.iter_mut().zip([k0, k1, k2 ^ tag]);
                        for (w, k) in words.chain(l.masks.iter_mut().zip([m0, m1, m2])) {
                            if let Some(w) = w.get_mut(len) {
                                *w = k;
                            }
                        }
                        if let Some(a) = l.at.get_mut(len) {
                            *a = c.at;
                        }
                    }
                }
                return;
            }
        }
        self.cells.pop();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::{Bitmap, Column, Columns, Decoder, Offsets, BLOCK};
    use crate::eval::{test_program, test_program_of, Lanes};
    use crate::facts::Facts;
    use crate::ir::FactType;

    /// SplitMix64.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) % n.max(1) as u64) as usize
        }
    }

    /// A cell for a fact whose good cells include `good`: good ones, and cells alike in
    /// their first 16 and last 8 bytes, of every length around 8, 16 and 24, with NUL
    /// bytes, not UTF-8, blank, and more distinct ones than the tables keep.
    fn cell(rng: &mut Rng, good: &[String]) -> Vec<u8> {
        let g = good[rng.below(good.len())].clone();
        match rng.below(16) {
            // The same length as a good cell, other bytes; blank; 22 to 25 bytes, alike
            // but in the last (keys take up to 23).
            13 => g.chars().rev().collect::<String>().into_bytes(),
            14 => b" \t  "[..1 + rng.below(4)].to_vec(),
            15 => {
                let mut cell = "q".repeat(21 + rng.below(3)).into_bytes();
                cell.push([b'a', b'b', 23][rng.below(3)]);
                cell
            }
            0..=3 => g.into_bytes(),
            4 => format!("{g}\0").into_bytes(),
            5 => format!("eightbyt{g:>8}").into_bytes(),
            6 => format!("eightbyt{g:>8}suffix").into_bytes(),
            7 => format!("sixteen_bytes_ab{}_tail_8b", "x".repeat(rng.below(12))).into_bytes(),
            8 => b"abcdefghijklmnopqrstuvwxyz"[..rng.below(27)].to_vec(),
            9 => vec![b'o', 0xff, b'k', 0xc3][..1 + rng.below(4)].to_vec(),
            10 => format!("t{}", rng.below(40)).into_bytes(),
            11 => format!("{}{g}", "p".repeat(rng.below(30))).into_bytes(),
            // The same first 16 bytes and length, a different rest.
            _ => format!("sixteen_bytes_ab{g:>6}").into_bytes(),
        }
    }

    /// Every fact of the rule sets as a string column of odd cells, laid out as Arrow
    /// lays them (then spoiled: offsets out of order, negative or past the bytes, bytes
    /// after the last cell or none): each row's record and problems are those of the same
    /// cells given one by one, block by block, in 32- and 64-bit offsets.
    #[test]
    fn string_columns_read_as_the_same_cells_one_by_one() {
        for path in ["tests/cases/logic", "rules"] {
            let program = test_program(path);
            for seed in 0..24u64 {
                let mut rng = Rng(seed);
                let rows = rng.below(300);
                let mut texts: Vec<(&str, Vec<Option<Vec<u8>>>)> = Vec::new();
                for f in &program.facts {
                    let good: Vec<String> = match &f.ty {
                        FactType::Level { levels, .. } => levels.clone(),
                        FactType::Boolean => vec!["true".into(), "false".into()],
                        FactType::Text => (0..30).map(|i| format!("t{i}")).collect(),
                        _ => vec!["0".into(), "1.5".into(), "12".into(), "-3".into()],
                    };
                    let cells = (0..rows)
                        .map(|_| (rng.below(10) != 0).then(|| cell(&mut rng, &good)))
                        .collect();
                    texts.push((f.name.as_str(), cells));
                }
                let mut laid = Vec::new();
                for (_, cells) in &texts {
                    let mut data = Vec::new();
                    let mut offsets = vec![0i64];
                    for c in cells {
                        data.extend_from_slice(c.as_deref().unwrap_or(b"junk"));
                        offsets.push(data.len() as i64);
                    }
                    data.extend(std::iter::repeat_n(b'z', rng.below(2) * rng.below(40)));
                    for _ in 0..rng.below(4) {
                        let i = rng.below(offsets.len());
                        offsets[i] = match rng.below(3) {
                            0 => -1 - rng.below(5) as i64,
                            1 => (data.len() + 1 + rng.below(30)) as i64,
                            _ => offsets[i] / 2,
                        };
                    }
                    let at = rng.below(8);
                    let mut bitmap = vec![0u8; (rows + at).div_ceil(8) + 1];
                    for (i, c) in cells.iter().enumerate() {
                        if c.is_some() {
                            bitmap[(i + at) / 8] |= 1 << ((i + at) % 8);
                        }
                    }
                    laid.push((data, offsets, bitmap, at));
                }
                // The cells as the offsets say (empty when they are out of order or past
                // the bytes); `None` when missing or not UTF-8.
                let one_by_one: Vec<Vec<Option<&str>>> = laid
                    .iter()
                    .zip(&texts)
                    .map(|((data, offsets, _, _), (_, cells))| {
                        (0..rows)
                            .map(|i| {
                                let (a, b) = (offsets[i], offsets[i + 1]);
                                let ok = a >= 0 && a <= b && b as usize <= data.len();
                                let bytes = if ok {
                                    &data[a as usize..b as usize]
                                } else {
                                    &[]
                                };
                                cells[i].as_ref()?;
                                std::str::from_utf8(bytes).ok()
                            })
                            .collect()
                    })
                    .collect();
                let narrow: Vec<Vec<i32>> = laid
                    .iter()
                    .map(|(_, o, _, _)| o.iter().map(|&o| o as i32).collect())
                    .collect();
                let mut reference = Columns::new(rows);
                let mut wide = Columns::new(rows);
                let mut slim = Columns::new(rows);
                for (i, ((name, _), (data, offsets, bitmap, at))) in
                    texts.iter().zip(&laid).enumerate()
                {
                    let valid = Some(Bitmap::new(bitmap, *at));
                    reference.push(name, Column::Texts(&one_by_one[i]));
                    let offsets = Offsets::I64(offsets);
                    wide.push(
                        name,
                        Column::Strings {
                            offsets,
                            data,
                            valid,
                        },
                    );
                    let offsets = Offsets::I32(&narrow[i]);
                    slim.push(
                        name,
                        Column::Strings {
                            offsets,
                            data,
                            valid,
                        },
                    );
                }
                let mut want = Decoder::new(&program, &reference).unwrap();
                for table in [&wide, &slim] {
                    let mut got = Decoder::new(&program, table).unwrap();
                    for start in (0..rows).step_by(BLOCK) {
                        let n = (rows - start).min(BLOCK);
                        let (mut want_problems, mut got_problems) = (Vec::new(), Vec::new());
                        let want_bad = want.decode(start, n, &mut want_problems);
                        let got_bad = got.decode(start, n, &mut got_problems);
                        for r in 0..n {
                            let row = start + r;
                            let mut w = Facts::unknown(program.facts.len());
                            let mut g = Facts::unknown(program.facts.len());
                            want.record(r, &mut w);
                            got.record(r, &mut g);
                            assert_eq!(g.values, w.values, "{path} seed {seed} row {row}");
                            // A cell that is not UTF-8 is one problem more.
                            let utf8 = laid.iter().zip(&texts).any(|((d, o, _, _), (_, c))| {
                                c[row].is_some()
                                    && o[row] >= 0
                                    && o[row] <= o[row + 1]
                                    && o[row + 1] as usize <= d.len()
                                    && std::str::from_utf8(&d[o[row] as usize..o[row + 1] as usize])
                                        .is_err()
                            });
                            let problems = |list: &[(usize, Vec<crate::Diagnostic>)]| {
                                list.iter()
                                    .filter(|(at, _)| *at == row)
                                    .flat_map(|(_, ds)| ds.iter().map(|d| d.message.clone()))
                                    .filter(|m| !m.ends_with("the cell is not UTF-8 text"))
                                    .collect::<Vec<_>>()
                            };
                            assert_eq!(
                                problems(&got_problems),
                                problems(&want_problems),
                                "{path} seed {seed} row {row}"
                            );
                            if !utf8 {
                                assert_eq!(
                                    (got_bad >> r) & 1,
                                    (want_bad >> r) & 1,
                                    "{path} seed {seed} row {row}"
                                );
                            } else {
                                assert_eq!((got_bad >> r) & 1, 1);
                            }
                        }
                    }
                    want = Decoder::new(&program, &reference).unwrap();
                }
            }
        }
    }

    /// Levels and texts of distinct lengths up to 23 bytes (what a key takes; in a column
    /// whose known cells differ in length, each cell is compared with the one of its
    /// length, on as many words as the longest takes: one, two or three), then those and
    /// cells alike but in one byte, anywhere in their three words, or longer by a few
    /// bytes: each reads as the same cell given as text.
    #[test]
    fn cells_alike_but_in_one_byte_read_as_their_own() {
        let program = test_program_of(&[(
            "t.meso".into(),
            "fact remark: text { description \"Remark\" }\n\
             fact origin: one of eight_ch, resource_based, local_artisanal, sixteen_chars_ab, \
             foreign_investment, import_substitution, a_level_of_twenty_three \
             { description \"Origin\" }\n\
             fact size: level s < mid < large < eight_ch { description \"Size\" }\n\
             fact band: one of s, eight_ch, nine_char, twelve_chars, sixteen_chars_ab \
             { description \"Band\" }\n"
                .into(),
        )]);
        let texts: Vec<String> = [
            "",
            "low",
            "eight_by",
            "x".repeat(17).as_str(),
            "q".repeat(20).as_str(),
        ]
        .iter()
        .map(|t| t.to_string())
        .chain(["y".repeat(22), "z".repeat(23)])
        .collect();
        for seed in 0..16u64 {
            let mut rng = Rng(seed);
            let rows = 4 * BLOCK + rng.below(BLOCK);
            let mut cells: Vec<Vec<Option<String>>> = Vec::new();
            for f in &program.facts {
                let good: Vec<String> = match &f.ty {
                    FactType::Level { levels, .. } => levels.clone(),
                    _ => texts.clone(),
                };
                let column = (0..rows)
                    .map(|row| {
                        let g = good[if row < BLOCK {
                            row
                        } else {
                            rng.below(good.len())
                        } % good.len()]
                        .clone();
                        match (row < BLOCK, rng.below(5)) {
                            (false, 0) => None,
                            // Longer by 1 to 16 bytes: past its word, or within it.
                            (false, 4) => Some(format!("{g}{}", "z".repeat(1 + rng.below(16)))),
                            (false, 3) if !g.is_empty() => {
                                let mut bytes = g.into_bytes();
                                let at = rng.below(bytes.len());
                                bytes[at] = if bytes[at] == b'z' { b'y' } else { b'z' };
                                Some(String::from_utf8(bytes).unwrap())
                            }
                            _ => Some(g),
                        }
                    })
                    .collect();
                cells.push(column);
            }
            let laid: Vec<(Vec<u8>, Vec<i32>)> = cells
                .iter()
                .map(|column| {
                    let (mut data, mut offsets) = (Vec::new(), vec![0i32]);
                    for c in column {
                        data.extend_from_slice(c.as_deref().unwrap_or("").as_bytes());
                        offsets.push(data.len() as i32);
                    }
                    (data, offsets)
                })
                .collect();
            let bitmaps: Vec<Vec<u8>> = cells
                .iter()
                .map(|column| {
                    let mut bitmap = vec![0u8; rows.div_ceil(8)];
                    for (i, c) in column.iter().enumerate() {
                        bitmap[i / 8] |= u8::from(c.is_some()) << (i % 8);
                    }
                    bitmap
                })
                .collect();
            let as_text: Vec<Vec<Option<&str>>> = cells
                .iter()
                .map(|column| column.iter().map(|c| c.as_deref()).collect())
                .collect();
            let (mut reference, mut strings) = (Columns::new(rows), Columns::new(rows));
            for (i, f) in program.facts.iter().enumerate() {
                reference.push(&f.name, Column::Texts(&as_text[i]));
                let column = Column::Strings {
                    offsets: Offsets::I32(&laid[i].1),
                    data: &laid[i].0,
                    valid: Some(Bitmap::new(&bitmaps[i], 0)),
                };
                strings.push(&f.name, column);
            }
            let mut want = Decoder::new(&program, &reference).unwrap();
            let mut got = Decoder::new(&program, &strings).unwrap();
            for start in (0..rows).step_by(BLOCK) {
                let n = (rows - start).min(BLOCK);
                let (mut want_problems, mut got_problems) = (Vec::new(), Vec::new());
                let want_bad = want.decode(start, n, &mut want_problems);
                let got_bad = got.decode(start, n, &mut got_problems);
                assert_eq!(got_bad, want_bad, "seed {seed} block at {start}");
                let messages = |list: &[(usize, Vec<crate::Diagnostic>)]| {
                    list.iter()
                        .map(|(row, ds)| (*row, ds.iter().map(|d| d.message.clone()).collect()))
                        .collect::<Vec<(usize, Vec<String>)>>()
                };
                assert_eq!(messages(&got_problems), messages(&want_problems));
                for r in 0..n {
                    let mut w = Facts::unknown(program.facts.len());
                    let mut g = Facts::unknown(program.facts.len());
                    want.record(r, &mut w);
                    got.record(r, &mut g);
                    assert_eq!(g.values, w.values, "seed {seed} row {}", start + r);
                }
            }
        }
    }
}
