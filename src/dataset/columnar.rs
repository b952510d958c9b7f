//! Columnar inputs: Parquet and Arrow IPC files read as record batches, whose columns go
//! straight into fact slots, one column at a time.
//!
//! Input: a `.parquet` file, or an Arrow IPC file (`.arrow`, `.feather`, `.ipc`: the file
//! format, told by its `ARROW1` magic, or the stream format, also from standard input).
//! Output: the column names (resolved to fact slots like CSV headers, `columns`), a check of
//! every fact column's Arrow type against its fact (a timestamp for a ratio stops the run,
//! naming the column, the type found and the types accepted), and batches of at most
//! [`PIECE_ROWS`] rows. A batch's cells are converted column by column: a float column
//! for a ratio is a loop over its `f64` values, a dictionary column for a level converts
//! each distinct name once. A value that does not fit (a negative count, `2.5` firms, a
//! string that is no number) is a [`Problem`] of that row and column, with the code CSV
//! gives. A null is an unknown fact, as an empty CSV cell is.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type,
    UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrowPrimitiveType, PrimitiveArray, RecordBatch};
use arrow_schema::{DataType, Schema};

use super::columns::Target;
use super::convert::{Cell, Converted};
use super::error::DatasetError;
use super::record::{Problem, RecordParser};
use crate::facts::Facts;
use crate::ir::{Fact, FactType, Program};
use crate::render::rows::Kept;
use crate::value::Value;

/// Rows per piece of work (a large Arrow batch is cut into slices of this many rows).
pub(crate) const PIECE_ROWS: usize = 8192;

/// The columnar formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Apache Parquet
    Parquet,
    /// Arrow IPC, file or stream format (told by the magic)
    Arrow,
}

/// Record batches of one input, in order.
pub(crate) struct Batches {
    inner: Box<dyn Iterator<Item = Result<RecordBatch, String>> + Send>,
    /// The batch being cut into pieces, and where the next piece starts
    current: Option<(RecordBatch, usize)>,
    /// Rows handed out so far
    pub rows: u64,
    /// Rows in the file, when its metadata says (Parquet), else 0
    pub total_rows: u64,
    name: String,
}

impl Batches {
    /// The next piece of at most [`PIECE_ROWS`] rows: (its first row, 1-based; the rows).
    pub fn next_piece(&mut self) -> Result<Option<(u64, RecordBatch)>, DatasetError> {
        loop {
            if let Some((batch, at)) = &mut self.current {
                if *at < batch.num_rows() {
                    let len = PIECE_ROWS.min(batch.num_rows() - *at);
                    let piece = batch.slice(*at, len);
                    *at += len;
                    let first = self.rows + 1;
                    self.rows += len as u64;
                    return Ok(Some((first, piece)));
                }
                self.current = None;
            }
            let next = quietly(|| self.inner.next())
                .unwrap_or_else(|_| Some(Err("the decoder failed on corrupt data".into())));
            match next {
                None => return Ok(None),
                Some(Ok(batch)) => self.current = Some((batch, 0)),
                Some(Err(reason)) => {
                    return Err(DatasetError::Malformed {
                        path: self.name.clone(),
                        reason: format!("after row {}: {reason}", self.rows),
                        help: Some(
                            "the file is damaged or not what its name says; write it again".into(),
                        ),
                    })
                }
            }
        }
    }
}

/// Open a columnar input: its schema and its batches.
pub(crate) fn open(path: &Path, kind: Kind) -> Result<(Schema, Batches), DatasetError> {
    let name = path.display().to_string();
    let stdin = path.as_os_str() == "-";
    let malformed = |what: &str, reason: String| {
        DatasetError::Malformed {
        path: name.clone(),
        reason: format!("not a readable {what} file ({})", first_line(&reason)),
        help: Some(match what {
            "Parquet" => "give a Parquet file, or pass `--input-format` for the format it is in".into(),
            _ => "give an Arrow IPC file or stream (`.arrow`, `.feather`), or pass `--input-format` for the format it is in".into(),
        }),
    }
    };
    let opened = quietly(|| -> Result<(Schema, Batches), DatasetError> {
        match kind {
            Kind::Parquet => {
                if stdin {
                    return Err(DatasetError::BadOption {
                            message: "Parquet cannot be read from standard input".into(),
                            help: Some("give the path of the `.parquet` file (its index is at the end), or send Arrow IPC stream to standard input".into()),
                        });
                }
                let file = File::open(path).map_err(|e| DatasetError::io("read", path, &e))?;
                let builder =
                    parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
                        .map_err(|e| malformed("Parquet", e.to_string()))?;
                let total_rows =
                    u64::try_from(builder.metadata().file_metadata().num_rows()).unwrap_or(0);
                let schema = builder.schema().as_ref().clone();
                let reader = builder
                    .with_batch_size(PIECE_ROWS)
                    .build()
                    .map_err(|e| malformed("Parquet", e.to_string()))?;
                let inner = reader.map(|r| r.map_err(|e| first_line(&e.to_string())));
                Ok((schema, batches(Box::new(inner), total_rows, &name)))
            }
            Kind::Arrow if stdin => {
                let reader = arrow_ipc::reader::StreamReader::try_new(
                    BufReader::with_capacity(1 << 16, std::io::stdin()),
                    None,
                )
                .map_err(|e| malformed("Arrow IPC stream", e.to_string()))?;
                let schema = reader.schema().as_ref().clone();
                let inner = reader.map(|r| r.map_err(|e| first_line(&e.to_string())));
                Ok((schema, batches(Box::new(inner), 0, &name)))
            }
            Kind::Arrow => {
                let mut file = File::open(path).map_err(|e| DatasetError::io("read", path, &e))?;
                let mut magic = [0u8; 6];
                let is_file = file.read_exact(&mut magic).is_ok() && &magic == b"ARROW1";
                file.seek(SeekFrom::Start(0))
                    .map_err(|e| DatasetError::io("read", path, &e))?;
                let reader = BufReader::with_capacity(1 << 16, file);
                if is_file {
                    let reader = arrow_ipc::reader::FileReader::try_new(reader, None)
                        .map_err(|e| malformed("Arrow IPC", e.to_string()))?;
                    let schema = reader.schema().as_ref().clone();
                    let inner = reader.map(|r| r.map_err(|e| first_line(&e.to_string())));
                    Ok((schema, batches(Box::new(inner), 0, &name)))
                } else {
                    let reader = arrow_ipc::reader::StreamReader::try_new(reader, None)
                        .map_err(|e| malformed("Arrow IPC", e.to_string()))?;
                    let schema = reader.schema().as_ref().clone();
                    let inner = reader.map(|r| r.map_err(|e| first_line(&e.to_string())));
                    Ok((schema, batches(Box::new(inner), 0, &name)))
                }
            }
        }
    });
    match opened {
        Ok(result) => result,
        Err(_) => Err(malformed(
            match kind {
                Kind::Parquet => "Parquet",
                Kind::Arrow => "Arrow IPC",
            },
            "the decoder failed on corrupt data".into(),
        )),
    }
}

thread_local! {
    /// Whether this thread is inside a Parquet or Arrow decoder (see [`quietly`]).
    static DECODING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Run a Parquet or Arrow decoder on input that may be damaged. The arrow-rs decoders panic
/// on some damaged files (a buffer slice past its end: found by the `columnar_input`
/// campaign, docs/robustness.md); such a panic is caught here and becomes
/// the `malformed` dataset error, and its message is not printed (the panic hook stays silent
/// while this thread decodes; panics anywhere else print as usual).
fn quietly<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !DECODING.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    DECODING.with(|d| d.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    DECODING.with(|d| d.set(false));
    result
}

fn batches(
    inner: Box<dyn Iterator<Item = Result<RecordBatch, String>> + Send>,
    total_rows: u64,
    name: &str,
) -> Batches {
    Batches {
        inner,
        current: None,
        rows: 0,
        total_rows,
        name: name.to_string(),
    }
}

/// The first line of a library's message, lower-cased at its start.
fn first_line(reason: &str) -> String {
    let line = reason.lines().next().unwrap_or("").trim();
    let mut chars = line.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => "no reason given".into(),
    }
}

fn is_integer(dt: &DataType) -> bool {
    matches!(
        dt,
        DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64
    )
}

fn is_number(dt: &DataType) -> bool {
    is_integer(dt) || matches!(dt, DataType::Float32 | DataType::Float64)
}

fn is_text(dt: &DataType) -> bool {
    match dt {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(key, value) => is_integer(key) && is_text(value),
        _ => false,
    }
}

/// Whether a column of type `dt` can give values of `ty` (cell by cell: a text column for a
/// number is read as CSV cells are, and each cell that is no number is a problem of its row).
fn accepts(ty: &FactType, dt: &DataType) -> bool {
    if matches!(dt, DataType::Null) || is_text(dt) {
        return true;
    }
    match ty {
        FactType::Number | FactType::Integer | FactType::Ratio | FactType::Text => is_number(dt),
        FactType::Boolean => matches!(dt, DataType::Boolean),
        FactType::Level { .. } => false,
        FactType::Set { .. } => match dt {
            DataType::List(item) | DataType::LargeList(item) => {
                is_text(item.data_type()) || matches!(item.data_type(), DataType::Null)
            }
            _ => false,
        },
    }
}

/// The Arrow types a fact of type `ty` accepts, in words.
fn accepted(ty: &FactType) -> &'static str {
    match ty {
        FactType::Number | FactType::Integer | FactType::Ratio => {
            "integers (int8 to uint64), floats (float32, float64), or text read as CSV cells are"
        }
        FactType::Text => "text (utf8, large_utf8, utf8_view, dictionary of text) or numbers",
        FactType::Boolean => "boolean, or text `true`/`false`",
        FactType::Level { .. } => "text (utf8, large_utf8, utf8_view, dictionary of text)",
        FactType::Set { .. } => "a list of text, or text with members separated by `|` or `;`",
    }
}

/// Check each column's Arrow type against what it gives: a fact column whose type cannot
/// hold the fact, or an id column that is neither text nor integers, stops the run.
pub(crate) fn check_types(
    program: &Program,
    name: &str,
    schema: &Schema,
    targets: &[Target],
    id_column: &str,
) -> Result<(), DatasetError> {
    for (field, target) in schema.fields().iter().zip(targets) {
        let dt = field.data_type();
        let (what, ok, accepted) = match target {
            Target::Fact(f) => {
                let Some(decl) = program.fact(*f) else {
                    continue;
                };
                (
                    format!("fact `{}` ({})", decl.name, decl.ty.describe()),
                    accepts(&decl.ty, dt),
                    accepted(&decl.ty),
                )
            }
            Target::Id => (
                format!("the record id (`--id-column {id_column}`)"),
                is_text(dt) || is_integer(dt) || matches!(dt, DataType::Null),
                "text or integers",
            ),
            Target::Ignore | Target::Unnamed => continue,
        };
        if !ok {
            return Err(DatasetError::ColumnType {
                path: name.to_string(),
                column: field.name().clone(),
                found: dt.to_string(),
                what,
                accepted: accepted.to_string(),
            });
        }
    }
    Ok(())
}

/// Where converted cells go: the facts of the rows of a range (index 0 is its first row),
/// their ids, and the problems found, by row in the range.
pub(crate) struct Slots<'a> {
    /// One per row of the range, reset to unknown
    pub facts: &'a mut [Facts],
    /// The id of each row (left empty when the row has none)
    pub ids: &'a mut [String],
    /// (row in the range, problem)
    pub problems: &'a mut Vec<(usize, Problem)>,
}

impl Slots<'_> {
    #[inline(always)]
    fn set(&mut self, k: usize, slot: usize, value: Value) {
        if let Some(v) = self.facts.get_mut(k).and_then(|f| f.values.get_mut(slot)) {
            *v = value;
        }
    }

    fn put(&mut self, k: usize, slot: usize, decl: &Fact, column: &str, converted: Converted) {
        match converted {
            Ok(value) => self.set(k, slot, value),
            Err(problems) => self.problems.extend(
                problems
                    .iter()
                    .map(|p| (k, Problem::value(column, &decl.name, p))),
            ),
        }
    }
}

impl RecordParser<'_> {
    /// Convert rows `rows` of `batch` (from input `source`) into `out`, column by column.
    pub(crate) fn fill_columns(
        &self,
        source: u32,
        batch: &RecordBatch,
        rows: Range<usize>,
        out: &mut Slots<'_>,
    ) {
        let (targets, headers) = match self.layouts.get(source as usize) {
            Some(Some((targets, headers))) => (targets.as_slice(), headers.as_slice()),
            _ => (&[][..], &[][..]),
        };
        for ((array, target), header) in batch.columns().iter().zip(targets).zip(headers) {
            let array = array.as_ref();
            match *target {
                Target::Fact(f) => {
                    if let Some(decl) = self.conv.program().fact(f) {
                        self.fill_fact(decl, f.index(), header, array, rows.clone(), out);
                    }
                }
                Target::Id => {
                    if let Some(a) = array.as_string_opt::<i32>() {
                        // The common case, without a type dispatch per row.
                        for (k, row) in rows.clone().enumerate() {
                            if let Some(slot) = out.ids.get_mut(k).filter(|_| a.is_valid(row)) {
                                slot.clear();
                                slot.push_str(a.value(row).trim());
                            }
                        }
                    } else {
                        for (k, row) in rows.clone().enumerate() {
                            if let Some(slot) = out.ids.get_mut(k) {
                                id_at(array, row, slot);
                            }
                        }
                    }
                }
                Target::Unnamed => {
                    for (k, row) in rows.clone().enumerate() {
                        if array.is_valid(row) {
                            out.problems.push((k, super::record::no_header_at(header)));
                        }
                    }
                }
                Target::Ignore => {}
            }
        }
    }

    fn fill_fact(
        &self,
        decl: &Fact,
        slot: usize,
        column: &str,
        array: &dyn Array,
        rows: Range<usize>,
        out: &mut Slots<'_>,
    ) {
        macro_rules! numbers {
            ($t:ty) => {
                if let Some(a) = array.as_primitive_opt::<$t>() {
                    self.numbers(decl, slot, column, a, rows, out);
                }
            };
        }
        match array.data_type() {
            DataType::Float64 => numbers!(Float64Type),
            DataType::Float32 => numbers!(Float32Type),
            DataType::Int64 => numbers!(Int64Type),
            DataType::Int32 => numbers!(Int32Type),
            DataType::Int16 => numbers!(Int16Type),
            DataType::Int8 => numbers!(Int8Type),
            DataType::UInt64 => numbers!(UInt64Type),
            DataType::UInt32 => numbers!(UInt32Type),
            DataType::UInt16 => numbers!(UInt16Type),
            DataType::UInt8 => numbers!(UInt8Type),
            DataType::Boolean => {
                if let Some(a) = array.as_boolean_opt() {
                    for (k, row) in rows.enumerate() {
                        if a.is_valid(row) {
                            let cell = Cell::Bool(a.value(row));
                            out.put(k, slot, decl, column, self.conv.convert(decl, &cell));
                        }
                    }
                }
            }
            DataType::Dictionary(_, _) => {
                let Some(dict) = array.as_any_dictionary_opt() else {
                    return;
                };
                let values = dict.values().as_ref();
                let keys = dict.keys();
                if values.len() > rows.len() {
                    // More names than rows (a dictionary shared by a whole file): row by row.
                    for (k, row) in rows.enumerate() {
                        if let Some(s) = key_at(keys, row).and_then(|key| str_at(values, key)) {
                            out.put(k, slot, decl, column, self.text_cell(decl, s));
                        }
                    }
                    return;
                }
                // Each distinct name converted once.
                let converted: Vec<Converted> = (0..values.len())
                    .map(|i| match str_at(values, i) {
                        Some(s) => self.text_cell(decl, s),
                        None => Ok(Value::Unknown),
                    })
                    .collect();
                let keys = keys_of(keys, rows.clone());
                for (k, row) in rows.enumerate() {
                    if array.is_null(row) {
                        continue;
                    }
                    match keys
                        .get(k)
                        .copied()
                        .flatten()
                        .and_then(|key| converted.get(key))
                    {
                        Some(Ok(value)) => out.set(k, slot, value.clone()),
                        Some(Err(problems)) => out.problems.extend(
                            problems
                                .iter()
                                .map(|p| (k, Problem::value(column, &decl.name, p))),
                        ),
                        None => {}
                    }
                }
            }
            DataType::List(_) | DataType::LargeList(_) => {
                for (k, row) in rows.enumerate() {
                    if array.is_null(row) {
                        continue;
                    }
                    let items = match array.data_type() {
                        DataType::List(_) => array.as_list_opt::<i32>().map(|l| l.value(row)),
                        _ => array.as_list_opt::<i64>().map(|l| l.value(row)),
                    };
                    let Some(items) = items else { continue };
                    let cells: Vec<Cell<'_>> = (0..items.len())
                        .map(|i| match str_at(items.as_ref(), i) {
                            Some(s) => Cell::Str(s),
                            None => Cell::Empty,
                        })
                        .collect();
                    let cell = Cell::List(cells);
                    out.put(k, slot, decl, column, self.conv.convert(decl, &cell));
                }
            }
            DataType::Null => {}
            _ => {
                // Text columns of every kind; other types were refused when the input opened.
                for (k, row) in rows.enumerate() {
                    if let Some(s) = str_at(array, row) {
                        out.put(k, slot, decl, column, self.text_cell(decl, s));
                    }
                }
            }
        }
    }

    /// A text cell, as CSV reads it: plain numbers and level names first.
    #[inline]
    fn text_cell(&self, decl: &Fact, s: &str) -> Converted {
        let bytes = s.as_bytes();
        if let Some(v) = self
            .conv
            .plain_number(decl, bytes)
            .or_else(|| self.conv.plain_level(decl, bytes))
        {
            return Ok(v);
        }
        self.conv.convert(decl, &Cell::Text(s))
    }

    fn numbers<T: ArrowPrimitiveType>(
        &self,
        decl: &Fact,
        slot: usize,
        column: &str,
        array: &PrimitiveArray<T>,
        rows: Range<usize>,
        out: &mut Slots<'_>,
    ) where
        T::Native: ToF64,
    {
        let values = array.values();
        let numeric = matches!(
            decl.ty,
            FactType::Number | FactType::Integer | FactType::Ratio
        );
        let nulls = array.nulls().filter(|n| n.null_count() > 0);
        for (k, row) in rows.enumerate() {
            if nulls.is_some_and(|n| n.is_null(row)) {
                continue;
            }
            let Some(&v) = values.get(row) else { continue };
            let n = v.to_f64();
            if numeric && crate::facts::value_check::number_is_valid(decl, n) {
                out.set(k, slot, Value::Number(n));
            } else {
                out.put(
                    k,
                    slot,
                    decl,
                    column,
                    self.conv.convert(decl, &Cell::Number(n)),
                );
            }
        }
    }
}

/// Native Arrow numbers as `f64` (64-bit integers past 2^53 round, as in JSON).
pub(crate) trait ToF64: Copy {
    fn to_f64(self) -> f64;
}

macro_rules! to_f64 {
    ($($t:ty),*) => {$(
        impl ToF64 for $t {
            #[inline]
            fn to_f64(self) -> f64 {
                self as f64
            }
        }
    )*};
}
to_f64!(f32, f64, i8, i16, i32, i64, u8, u16, u32, u64);

/// The text at `row` of a text column (any of its Arrow kinds); `None` for a null or a
/// column that is not text.
pub(crate) fn str_at(array: &dyn Array, row: usize) -> Option<&str> {
    if row >= array.len() || array.is_null(row) {
        return None;
    }
    match array.data_type() {
        DataType::Utf8 => array.as_string_opt::<i32>().map(|a| a.value(row)),
        DataType::LargeUtf8 => array.as_string_opt::<i64>().map(|a| a.value(row)),
        DataType::Utf8View => array.as_string_view_opt().map(|a| a.value(row)),
        DataType::Dictionary(_, _) => {
            let dict = array.as_any_dictionary_opt()?;
            let key = key_at(dict.keys(), row)?;
            str_at(dict.values().as_ref(), key)
        }
        _ => None,
    }
}

/// The dictionary keys of `rows` as indices (the key type told once, not per row).
fn keys_of(keys: &dyn Array, rows: Range<usize>) -> Vec<Option<usize>> {
    macro_rules! keys {
        ($t:ty) => {
            match keys.as_primitive_opt::<$t>() {
                Some(a) => rows
                    .map(|row| {
                        (row < a.len() && a.is_valid(row))
                            .then(|| usize::try_from(a.value(row)).ok())
                            .flatten()
                    })
                    .collect(),
                None => Vec::new(),
            }
        };
    }
    match keys.data_type() {
        DataType::Int8 => keys!(Int8Type),
        DataType::Int16 => keys!(Int16Type),
        DataType::Int32 => keys!(Int32Type),
        DataType::Int64 => keys!(Int64Type),
        DataType::UInt8 => keys!(UInt8Type),
        DataType::UInt16 => keys!(UInt16Type),
        DataType::UInt32 => keys!(UInt32Type),
        DataType::UInt64 => keys!(UInt64Type),
        _ => Vec::new(),
    }
}

/// A dictionary key as an index.
fn key_at(keys: &dyn Array, row: usize) -> Option<usize> {
    if row >= keys.len() || keys.is_null(row) {
        return None;
    }
    macro_rules! key {
        ($t:ty) => {
            keys.as_primitive_opt::<$t>()
                .and_then(|a| usize::try_from(a.value(row)).ok())
        };
    }
    match keys.data_type() {
        DataType::Int8 => key!(Int8Type),
        DataType::Int16 => key!(Int16Type),
        DataType::Int32 => key!(Int32Type),
        DataType::Int64 => key!(Int64Type),
        DataType::UInt8 => key!(UInt8Type),
        DataType::UInt16 => key!(UInt16Type),
        DataType::UInt32 => key!(UInt32Type),
        DataType::UInt64 => key!(UInt64Type),
        _ => None,
    }
}

/// Write the record id at `row` of an id column into `id` (left as it is for a null): text as
/// written (trimmed), integers in decimal. The string's buffer is reused from row to row.
fn id_at(array: &dyn Array, row: usize, id: &mut String) {
    use std::fmt::Write as _;
    if row >= array.len() || array.is_null(row) {
        return;
    }
    macro_rules! int {
        ($t:ty) => {
            if let Some(a) = array.as_primitive_opt::<$t>() {
                id.clear();
                let _ = write!(id, "{}", a.value(row));
            }
        };
    }
    match array.data_type() {
        DataType::Int8 => int!(Int8Type),
        DataType::Int16 => int!(Int16Type),
        DataType::Int32 => int!(Int32Type),
        DataType::Int64 => int!(Int64Type),
        DataType::UInt8 => int!(UInt8Type),
        DataType::UInt16 => int!(UInt16Type),
        DataType::UInt32 => int!(UInt32Type),
        DataType::UInt64 => int!(UInt64Type),
        _ => {
            if let Some(s) = str_at(array, row) {
                id.clear();
                id.push_str(s.trim());
            }
        }
    }
}

/// How a kept column is typed in a columnar output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeptType {
    /// utf8
    Text,
    /// int64
    Int,
    /// float64
    Float,
    /// boolean
    Bool,
}

impl KeptType {
    /// The kept type of an Arrow column; `None` for types `--keep` does not copy.
    pub fn of(dt: &DataType) -> Option<Self> {
        match dt {
            DataType::Float32 | DataType::Float64 => Some(KeptType::Float),
            DataType::Boolean => Some(KeptType::Bool),
            DataType::UInt64 => Some(KeptType::Text),
            d if is_integer(d) => Some(KeptType::Int),
            d if is_text(d) || matches!(d, DataType::Null) => Some(KeptType::Text),
            _ => None,
        }
    }
}

/// The kept cell at `row` of a column.
pub(crate) fn kept_at(array: &dyn Array, row: usize) -> Kept {
    if row >= array.len() || array.is_null(row) {
        return Kept::Null;
    }
    macro_rules! int {
        ($t:ty) => {
            array
                .as_primitive_opt::<$t>()
                .map_or(Kept::Null, |a| Kept::Int(i64::from(a.value(row))))
        };
    }
    match array.data_type() {
        DataType::Int8 => int!(Int8Type),
        DataType::Int16 => int!(Int16Type),
        DataType::Int32 => int!(Int32Type),
        DataType::Int64 => int!(Int64Type),
        DataType::UInt8 => int!(UInt8Type),
        DataType::UInt16 => int!(UInt16Type),
        DataType::UInt32 => int!(UInt32Type),
        DataType::UInt64 => array
            .as_primitive_opt::<UInt64Type>()
            .map_or(Kept::Null, |a| Kept::Text(a.value(row).to_string())),
        DataType::Float32 => array
            .as_primitive_opt::<Float32Type>()
            .map_or(Kept::Null, |a| Kept::Float(f64::from(a.value(row)))),
        DataType::Float64 => array
            .as_primitive_opt::<Float64Type>()
            .map_or(Kept::Null, |a| Kept::Float(a.value(row))),
        DataType::Boolean => array
            .as_boolean_opt()
            .map_or(Kept::Null, |a| Kept::Bool(a.value(row))),
        _ => str_at(array, row).map_or(Kept::Null, |s| Kept::Text(s.to_string())),
    }
}
