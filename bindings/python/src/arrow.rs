//! Arrow in, Arrow out: any object with the Arrow PyCapsule interface
//! (`__arrow_c_stream__` or `__arrow_c_array__`: pyarrow, Polars, DuckDB, ...) → meso's
//! columns ([`meso::Columns`]) batch by batch, without a per-row dict → one output row
//! per input row: the id columns passed through as they were, the classification, each
//! type's status and score, the policies in order, the unknown facts and the problems of
//! rows whose cells do not fit their facts.

use std::ffi::CStr;
use std::sync::{Arc, Mutex};

use arrow_array::cast::AsArray;
use arrow_array::ffi::{from_ffi, FFI_ArrowArray, FFI_ArrowSchema};
use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::types::{
    Float16Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type,
    UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{
    make_array, Array, ArrayRef, RecordBatch, RecordBatchIterator, RecordBatchReader,
};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};
use meso::{Bitmap, Column, Columns, Keys, Offsets, Rules};

use crate::output::{names_list_type, names_type, narrow, problem_fields, Names, Output};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyTuple};

const STREAM: &CStr = c"arrow_array_stream";
const SCHEMA: &CStr = c"arrow_schema";
const ARRAY: &CStr = c"arrow_array";

/// Rows evaluated together by one thread: large enough that a chunk's set-up is noise.
const CHUNK: usize = 64 * 256;

/// An Arrow table read from Python: its schema and record batches.
pub struct Table {
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
}

/// Read any object with `__arrow_c_stream__` (a table, a reader, a data frame) or
/// `__arrow_c_array__` (a record batch, a struct array).
pub fn import(obj: &Bound<'_, PyAny>) -> PyResult<Table> {
    if obj.hasattr("__arrow_c_stream__")? {
        let capsule = obj.call_method0("__arrow_c_stream__")?;
        let capsule = capsule
            .cast::<PyCapsule>()
            .map_err(|_| PyTypeError::new_err("__arrow_c_stream__ did not return a PyCapsule"))?;
        let ptr = capsule.pointer_checked(Some(STREAM))?;
        // SAFETY: the capsule is named `arrow_array_stream`, so by the Arrow PyCapsule
        // interface it points at a live FFI_ArrowArrayStream; `from_raw` moves it out and
        // marks the original released, so the capsule's destructor does not release it.
        let stream = unsafe { FFI_ArrowArrayStream::from_raw(ptr.as_ptr().cast()) };
        let reader = RecordBatchStreamReader::try_new(stream).map_err(arrow_err)?;
        let schema = reader.schema();
        let batches = reader.collect::<Result<Vec<_>, _>>().map_err(arrow_err)?;
        return Ok(Table { schema, batches });
    }
    if obj.hasattr("__arrow_c_array__")? {
        let pair = obj.call_method0("__arrow_c_array__")?;
        let pair = pair.cast::<PyTuple>().map_err(|_| {
            PyTypeError::new_err("__arrow_c_array__ did not return a (schema, array) tuple")
        })?;
        let schema_capsule = pair.get_item(0)?;
        let array_capsule = pair.get_item(1)?;
        let schema_capsule = schema_capsule
            .cast::<PyCapsule>()
            .map_err(|_| PyTypeError::new_err("__arrow_c_array__: no schema capsule"))?;
        let array_capsule = array_capsule
            .cast::<PyCapsule>()
            .map_err(|_| PyTypeError::new_err("__arrow_c_array__: no array capsule"))?;
        let schema_ptr = schema_capsule.pointer_checked(Some(SCHEMA))?;
        let array_ptr = array_capsule.pointer_checked(Some(ARRAY))?;
        // SAFETY: capsules named `arrow_schema` and `arrow_array` hold an FFI_ArrowSchema
        // and an FFI_ArrowArray; the schema is borrowed, the array moved out (its capsule
        // then holds a released array).
        let data = unsafe {
            let schema: &FFI_ArrowSchema = &*schema_ptr.as_ptr().cast::<FFI_ArrowSchema>();
            let array = FFI_ArrowArray::from_raw(array_ptr.as_ptr().cast());
            from_ffi(array, schema)
        }
        .map_err(arrow_err)?;
        let array = make_array(data);
        let Some(rows) = array.as_struct_opt() else {
            return Err(PyTypeError::new_err(format!(
                "expected a table or record batch, got a single Arrow array of type {}",
                array.data_type()
            )));
        };
        let batch = RecordBatch::from(rows.clone());
        return Ok(Table {
            schema: batch.schema(),
            batches: vec![batch],
        });
    }
    Err(PyTypeError::new_err(format!(
        "expected an Arrow table (an object with __arrow_c_stream__ or __arrow_c_array__: \
         a pyarrow Table or RecordBatch, a Polars DataFrame, a DuckDB result), got {}",
        obj.get_type()
            .name()
            .map_or_else(|_| "?".to_string(), |n| n.to_string())
    )))
}

fn arrow_err(e: ArrowError) -> PyErr {
    PyValueError::new_err(format!("reading the Arrow data: {e}"))
}

/// Whether meso can read a column of this type as a fact.
fn readable(dt: &DataType) -> bool {
    match dt {
        DataType::Null
        | DataType::Boolean
        | DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64
        | DataType::Float16
        | DataType::Float32
        | DataType::Float64
        | DataType::Decimal128(_, _)
        | DataType::Utf8
        | DataType::LargeUtf8
        | DataType::Utf8View => true,
        DataType::Dictionary(_, v) => readable(v),
        DataType::List(f) | DataType::LargeList(f) => {
            matches!(
                f.data_type(),
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null
            )
        }
        _ => false,
    }
}

/// The cells of one column, as the facade takes them.
enum Cells<'a> {
    /// Arrow's buffers as they are (Float64, Int64, Boolean, Utf8, LargeUtf8)
    Direct(Column<'a>),
    /// Dictionary-encoded text: the keys as they are, the dictionary's entries borrowed
    Dictionary {
        keys: Keys<'a>,
        valid: Option<Bitmap<'a>>,
        entries: Vec<Option<&'a str>>,
    },
    Numbers(Vec<Option<f64>>),
    Booleans(Vec<Option<bool>>),
    Texts(Vec<Option<&'a str>>),
    Owned(Vec<Option<String>>),
}

/// The validity bitmap of `a` (`None`: every cell has a value).
fn validity(a: &dyn Array) -> Option<Bitmap<'_>> {
    a.nulls().map(|n| Bitmap::new(n.validity(), n.offset()))
}

/// The keys of a dictionary array, as they are.
fn keys(k: &dyn Array) -> Option<Keys<'_>> {
    Some(match k.data_type() {
        DataType::Int8 => Keys::I8(k.as_primitive::<Int8Type>().values()),
        DataType::Int16 => Keys::I16(k.as_primitive::<Int16Type>().values()),
        DataType::Int32 => Keys::I32(k.as_primitive::<Int32Type>().values()),
        DataType::Int64 => Keys::I64(k.as_primitive::<Int64Type>().values()),
        DataType::UInt8 => Keys::U8(k.as_primitive::<UInt8Type>().values()),
        DataType::UInt16 => Keys::U16(k.as_primitive::<UInt16Type>().values()),
        DataType::UInt32 => Keys::U32(k.as_primitive::<UInt32Type>().values()),
        DataType::UInt64 => Keys::U64(k.as_primitive::<UInt64Type>().values()),
        _ => return None,
    })
}

/// The columns meso reads without a copy: Arrow's buffers handed to the facade as they are.
fn direct(a: &dyn Array) -> Option<Cells<'_>> {
    let valid = validity(a);
    Some(match a.data_type() {
        DataType::Float64 => Cells::Direct(Column::Floats {
            values: a.as_primitive::<Float64Type>().values(),
            valid,
        }),
        DataType::Int64 => Cells::Direct(Column::Integers {
            values: a.as_primitive::<Int64Type>().values(),
            valid,
        }),
        DataType::Boolean => {
            let values = a.as_boolean().values();
            Cells::Direct(Column::Bits {
                values: Bitmap::new(values.values(), values.offset()),
                valid,
            })
        }
        DataType::Utf8 => {
            let s = a.as_string::<i32>();
            Cells::Direct(Column::Strings {
                offsets: Offsets::I32(s.value_offsets()),
                data: s.values(),
                valid,
            })
        }
        DataType::LargeUtf8 => {
            let s = a.as_string::<i64>();
            Cells::Direct(Column::Strings {
                offsets: Offsets::I64(s.value_offsets()),
                data: s.values(),
                valid,
            })
        }
        DataType::Dictionary(_, v) if matches!(**v, DataType::Utf8 | DataType::LargeUtf8) => {
            let dict = a.as_any_dictionary_opt()?;
            let values = dict.values();
            let entries: Vec<Option<&str>> = match values.data_type() {
                DataType::Utf8 => values.as_string::<i32>().iter().collect(),
                _ => values.as_string::<i64>().iter().collect(),
            };
            Cells::Dictionary {
                keys: keys(dict.keys())?,
                valid,
                entries,
            }
        }
        _ => return None,
    })
}

fn numbers<T: arrow_array::ArrowPrimitiveType>(
    a: &dyn Array,
    f: impl Fn(T::Native) -> f64,
) -> Cells<'_> {
    Cells::Numbers(a.as_primitive::<T>().iter().map(|v| v.map(&f)).collect())
}

fn cells(a: &dyn Array) -> Cells<'_> {
    if let Some(c) = direct(a) {
        return c;
    }
    match a.data_type() {
        DataType::Boolean => Cells::Booleans(a.as_boolean().iter().collect()),
        DataType::Int8 => numbers::<Int8Type>(a, f64::from),
        DataType::Int16 => numbers::<Int16Type>(a, f64::from),
        DataType::Int32 => numbers::<Int32Type>(a, f64::from),
        DataType::Int64 => numbers::<Int64Type>(a, |v| v as f64),
        DataType::UInt8 => numbers::<UInt8Type>(a, f64::from),
        DataType::UInt16 => numbers::<UInt16Type>(a, f64::from),
        DataType::UInt32 => numbers::<UInt32Type>(a, f64::from),
        DataType::UInt64 => numbers::<UInt64Type>(a, |v| v as f64),
        DataType::Float16 => numbers::<Float16Type>(a, f64::from),
        DataType::Float32 => numbers::<Float32Type>(a, f64::from),
        DataType::Float64 => numbers::<Float64Type>(a, |v| v),
        DataType::Decimal128(_, scale) => {
            let div = 10f64.powi(i32::from(*scale));
            Cells::Numbers(
                a.as_primitive::<arrow_array::types::Decimal128Type>()
                    .iter()
                    .map(|v| v.map(|v| v as f64 / div))
                    .collect(),
            )
        }
        DataType::Utf8 => Cells::Texts(a.as_string::<i32>().iter().collect()),
        DataType::LargeUtf8 => Cells::Texts(a.as_string::<i64>().iter().collect()),
        DataType::Utf8View => Cells::Texts(a.as_string_view().iter().collect()),
        DataType::Dictionary(_, _) => match a.as_any_dictionary_opt() {
            Some(dict) => {
                let values = cells(dict.values().as_ref());
                let keys = dict.normalized_keys();
                let valid = |i: usize| a.is_valid(i);
                let pick = |i: usize, k: &usize| if valid(i) { Some(*k) } else { None };
                match values {
                    // Not reached: `direct` reads Utf8 and LargeUtf8 dictionaries.
                    Cells::Direct(_) | Cells::Dictionary { .. } => {
                        Cells::Texts(vec![None; a.len()])
                    }
                    Cells::Numbers(v) => Cells::Numbers(gather(&v, &keys, pick)),
                    Cells::Booleans(v) => Cells::Booleans(gather(&v, &keys, pick)),
                    Cells::Texts(v) => Cells::Texts(gather(&v, &keys, pick)),
                    Cells::Owned(v) => Cells::Owned(gather(&v, &keys, pick)),
                }
            }
            None => Cells::Texts(vec![None; a.len()]),
        },
        DataType::List(_) => set_cells(a.as_list::<i32>().iter(), a.len()),
        DataType::LargeList(_) => set_cells(a.as_list::<i64>().iter(), a.len()),
        // Null, and (checked before) nothing else.
        _ => Cells::Texts(vec![None; a.len()]),
    }
}

fn gather<T: Clone>(
    values: &[Option<T>],
    keys: &[usize],
    pick: impl Fn(usize, &usize) -> Option<usize>,
) -> Vec<Option<T>> {
    keys.iter()
        .enumerate()
        .map(|(i, k)| pick(i, k).and_then(|k| values.get(k).cloned().flatten()))
        .collect()
}

/// A list of strings per cell (a set fact): its members, comma-separated, as `--set`
/// takes a set.
fn set_cells(lists: impl Iterator<Item = Option<ArrayRef>>, len: usize) -> Cells<'static> {
    let mut out = Vec::with_capacity(len);
    for list in lists {
        out.push(list.map(|items| {
            let members: Vec<&str> = match items.data_type() {
                DataType::Utf8 => items.as_string::<i32>().iter().flatten().collect(),
                DataType::LargeUtf8 => items.as_string::<i64>().iter().flatten().collect(),
                DataType::Utf8View => items.as_string_view().iter().flatten().collect(),
                _ => Vec::new(),
            };
            members.join(",")
        }));
    }
    Cells::Owned(out)
}

/// Why a chunk could not be evaluated.
pub enum Failure {
    Meso(meso::Error),
    Arrow(String),
}

/// How an input table maps to meso: which columns are ids, which are facts.
pub struct Plan {
    ids: Vec<usize>,
    facts: Vec<usize>,
    /// What the result columns name, as dictionaries or as plain strings
    names: Names,
    pub schema: SchemaRef,
}

/// Match the input's columns: `id` names the columns passed through; every other column
/// names a fact (the facade reports those that name none, with "did you mean");
/// `dictionary`: the name columns as dictionaries, or as plain strings.
pub fn plan(rules: &Rules, input: &Schema, id: &[String], dictionary: bool) -> PyResult<Plan> {
    let mut ids = Vec::with_capacity(id.len());
    for name in id {
        match input.index_of(name) {
            Ok(i) => ids.push(i),
            Err(_) => {
                let names: Vec<&str> = input.fields().iter().map(|f| f.name().as_str()).collect();
                return Err(PyValueError::new_err(format!(
                    "id column `{name}` is not a column of the table (its columns: {}); pass \
                     id= the names of the columns to carry through to the result",
                    names.join(", ")
                )));
            }
        }
    }
    let mut facts = Vec::new();
    for (i, f) in input.fields().iter().enumerate() {
        if ids.contains(&i) {
            continue;
        }
        if !readable(f.data_type()) {
            return Err(PyTypeError::new_err(format!(
                "column `{}` has the Arrow type {}, which is not a fact value: cast it to a \
                 number, boolean or string column, or name it in id= to carry it through",
                f.name(),
                f.data_type()
            )));
        }
        facts.push(i);
    }
    let mut fields: Vec<Field> = ids
        .iter()
        .filter_map(|&i| input.fields().get(i).map(|f| f.as_ref().clone()))
        .collect();
    let names = Names::of(rules, dictionary);
    fields.extend(result_fields(&names));
    for (i, f) in fields.iter().enumerate() {
        if fields.iter().skip(i + 1).any(|g| g.name() == f.name()) {
            return Err(PyValueError::new_err(format!(
                "the result would have two columns named `{}`: rename the id column",
                f.name()
            )));
        }
    }
    Ok(Plan {
        ids,
        facts,
        names,
        schema: Arc::new(Schema::new(fields)),
    })
}

/// The result columns after the ids, named after the rule set's types; the name columns
/// as dictionaries, or as plain strings, as `names` says.
fn result_fields(names: &Names) -> Vec<Field> {
    let (types, dictionary) = (&names.types, names.dictionary);
    let type_names = names_type(dictionary, narrow(types.len()));
    let few_names = names_type(dictionary, true);
    let policy_list = names_list_type(dictionary, narrow(names.policies.len()));
    let fact_list = names_list_type(dictionary, narrow(names.facts.len()));
    // The columns of `meso batch`'s Parquet output, in its order (then the problems).
    let mut fields = vec![
        Field::new("classification", type_names.clone(), true),
        Field::new("verdict", few_names.clone(), true),
        Field::new("provisional", type_names, true),
    ];
    for t in types {
        fields.push(Field::new(format!("{t}_status"), few_names.clone(), true));
        fields.push(Field::new(format!("{t}_score"), DataType::Float64, true));
    }
    for (lists, ty) in [
        ("recommended", &policy_list),
        ("avoided", &policy_list),
        ("unknown_facts", &fact_list),
        ("provisional_recommended", &policy_list),
        ("provisional_avoided", &policy_list),
    ] {
        fields.push(Field::new(lists, ty.clone(), false));
    }
    fields.push(Field::new(
        "problems",
        DataType::List(Arc::new(Field::new(
            "item",
            DataType::Struct(problem_fields()),
            true,
        ))),
        false,
    ));
    fields
}

/// Evaluate one chunk of rows and build its output batch.
fn evaluate_chunk(rules: &Rules, plan: &Plan, batch: &RecordBatch) -> Result<RecordBatch, Failure> {
    let schema = batch.schema();
    let all: Vec<(&str, Cells<'_>)> = plan
        .facts
        .iter()
        .filter_map(|&i| {
            let field = schema.fields().get(i)?;
            Some((field.name().as_str(), cells(batch.column(i).as_ref())))
        })
        .collect();
    // Set columns were joined into owned texts: borrow them once they cannot move.
    let owned: Vec<Vec<Option<&str>>> = all
        .iter()
        .map(|(_, c)| match c {
            Cells::Owned(v) => v.iter().map(|s| s.as_deref()).collect(),
            _ => Vec::new(),
        })
        .collect();
    let mut columns = Columns::new(batch.num_rows());
    for ((name, c), o) in all.iter().zip(&owned) {
        columns.push(
            name,
            match c {
                Cells::Direct(column) => *column,
                Cells::Dictionary {
                    keys,
                    valid,
                    entries,
                } => Column::Dictionary {
                    keys: *keys,
                    valid: *valid,
                    dictionary: entries,
                },
                Cells::Numbers(v) => Column::Numbers(v),
                Cells::Booleans(v) => Column::Booleans(v),
                Cells::Texts(v) => Column::Texts(v),
                Cells::Owned(_) => Column::Texts(o),
            },
        );
    }
    // The verdicts go straight into the result's buffers, block by block.
    let mut out = Output::new(batch.num_rows(), &plan.names);
    rules
        .evaluate_columnar_blocks(&columns, |block| out.block(block))
        .map_err(Failure::Meso)?;
    let mut arrays: Vec<ArrayRef> = plan.ids.iter().map(|&i| batch.column(i).clone()).collect();
    arrays.extend(
        out.finish(&plan.names)
            .map_err(|e| Failure::Arrow(e.to_string()))?,
    );
    RecordBatch::try_new(plan.schema.clone(), arrays).map_err(|e| Failure::Arrow(e.to_string()))
}

/// Evaluate every batch of `table`, in chunks; on `threads` threads (all cores for
/// `None`, the calling thread alone for 1). The output has one row per input row, in order.
pub fn evaluate(
    rules: &Rules,
    plan: &Plan,
    table: &Table,
    threads: Option<usize>,
) -> Result<Vec<RecordBatch>, Failure> {
    let mut chunks = Vec::new();
    for b in &table.batches {
        let mut offset = 0;
        while offset < b.num_rows() {
            let len = CHUNK.min(b.num_rows() - offset);
            chunks.push(b.slice(offset, len));
            offset += len;
        }
    }
    if chunks.is_empty() {
        // An empty table still says what is wrong with its columns.
        let empty = RecordBatch::new_empty(table.schema.clone());
        return evaluate_chunk(rules, plan, &empty).map(|b| vec![b]);
    }
    let run = |chunks: &[RecordBatch]| -> Result<Vec<RecordBatch>, Failure> {
        use rayon::prelude::*;
        chunks
            .par_iter()
            .map(|c| evaluate_chunk(rules, plan, c))
            .collect()
    };
    match threads {
        Some(1) => chunks
            .iter()
            .map(|c| evaluate_chunk(rules, plan, c))
            .collect(),
        None => run(&chunks),
        Some(n) => match rayon::ThreadPoolBuilder::new().num_threads(n).build() {
            Ok(pool) => pool.install(|| run(&chunks)),
            Err(e) => Err(Failure::Arrow(format!("cannot start {n} threads: {e}"))),
        },
    }
}

/// An Arrow stream handed to Python once, through `__arrow_c_stream__`
/// (`pyarrow.table(stream)` reads it).
#[pyclass(frozen, module = "meso._meso", name = "ArrowStream")]
pub struct ArrowStream {
    reader: Mutex<Option<Box<dyn RecordBatchReader + Send>>>,
}

impl ArrowStream {
    pub fn new(schema: SchemaRef, batches: Vec<RecordBatch>) -> Self {
        let reader = RecordBatchIterator::new(batches.into_iter().map(Ok), schema);
        ArrowStream {
            reader: Mutex::new(Some(Box::new(reader))),
        }
    }
}

#[pymethods]
impl ArrowStream {
    /// The Arrow PyCapsule interface: the batches, once.
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let reader = self
            .reader
            .lock()
            .map_err(|_| PyValueError::new_err("the stream's lock is poisoned"))?
            .take()
            .ok_or_else(|| PyValueError::new_err("this Arrow stream was already read"))?;
        let stream = FFI_ArrowArrayStream::new(reader);
        PyCapsule::new_with_value(py, stream, STREAM)
    }
}
