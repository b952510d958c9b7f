//! Columnar batch output: rows → Arrow arrays → a Parquet file or an Arrow IPC file or
//! stream, written through the run's atomic output (`-` is standard output).
//!
//! Input: each evaluated record's id, kept cells and `Row`, pushed by a worker into its
//! [`TableBuilder`]; one record batch per piece of input. Output: the file, one row per
//! evaluated record, with the schema of [`schema`] (documented in docs/batch.md): the
//! columns of the CSV output, typed: scores as float64, policy lists as `list<utf8>`.

use std::io::Write;
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Float64Builder, Int64Builder, ListBuilder, StringBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use crate::atomic::AtomicFile;
use crate::dataset::columnar::KeptType;
use crate::dataset::DatasetError;
use crate::eval::Row;
use crate::ir::Program;
use crate::render::rows::{kept_text, Kept, OutputFormat, RowRenderer};
use crate::value::round4;
use crate::vocab::PolicyKind;

/// The output schema: `id`, the kept columns, then the columns of the CSV output.
pub(crate) fn schema(program: &Program, kept: &[(String, KeptType)]) -> SchemaRef {
    let list = || DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)));
    let mut fields = vec![Field::new("id", DataType::Utf8, false)];
    for (name, ty) in kept {
        let dt = match ty {
            KeptType::Text => DataType::Utf8,
            KeptType::Int => DataType::Int64,
            KeptType::Float => DataType::Float64,
            KeptType::Bool => DataType::Boolean,
        };
        fields.push(Field::new(name, dt, true));
    }
    fields.extend([
        Field::new("classification", DataType::Utf8, true),
        Field::new("verdict", DataType::Utf8, false),
        Field::new("provisional", DataType::Utf8, true),
    ]);
    for t in &program.types {
        fields.push(Field::new(
            format!("{}_status", t.name),
            DataType::Utf8,
            false,
        ));
        fields.push(Field::new(
            format!("{}_score", t.name),
            DataType::Float64,
            false,
        ));
    }
    let rec = PolicyKind::Recommend.applies_word();
    let avoid = PolicyKind::Avoid.applies_word();
    fields.extend([
        Field::new(rec, list(), false),
        Field::new(avoid, list(), false),
        Field::new("unknown_facts", list(), false),
        Field::new(format!("provisional_{rec}"), list(), false),
        Field::new(format!("provisional_{avoid}"), list(), false),
    ]);
    Arc::new(Schema::new(fields))
}

/// A kept column being built.
enum KeptBuilder {
    Text(StringBuilder),
    Int(Int64Builder),
    Float(Float64Builder),
    Bool(BooleanBuilder),
}

impl KeptBuilder {
    fn push(&mut self, cell: Option<&Kept>) {
        match (self, cell) {
            (KeptBuilder::Text(b), Some(k)) => match kept_text(k) {
                Some(s) => b.append_value(s),
                None => b.append_null(),
            },
            (KeptBuilder::Int(b), Some(Kept::Int(n))) => b.append_value(*n),
            (KeptBuilder::Int(b), _) => b.append_null(),
            (KeptBuilder::Float(b), Some(Kept::Float(n))) => b.append_value(*n),
            (KeptBuilder::Float(b), Some(Kept::Int(n))) => b.append_value(*n as f64),
            (KeptBuilder::Float(b), _) => b.append_null(),
            (KeptBuilder::Bool(b), Some(Kept::Bool(v))) => b.append_value(*v),
            (KeptBuilder::Bool(b), _) => b.append_null(),
            (KeptBuilder::Text(b), None) => b.append_null(),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            KeptBuilder::Text(b) => Arc::new(b.finish()),
            KeptBuilder::Int(b) => Arc::new(b.finish()),
            KeptBuilder::Float(b) => Arc::new(b.finish()),
            KeptBuilder::Bool(b) => Arc::new(b.finish()),
        }
    }
}

/// The rows of one piece, column by column.
pub(crate) struct TableBuilder {
    id: StringBuilder,
    kept: Vec<KeptBuilder>,
    classification: StringBuilder,
    verdict: StringBuilder,
    provisional: StringBuilder,
    status: Vec<StringBuilder>,
    score: Vec<Float64Builder>,
    lists: [ListBuilder<StringBuilder>; 5],
}

impl TableBuilder {
    /// Builders for `n_types` types and the kept columns.
    pub fn new(n_types: usize, kept: &[(String, KeptType)]) -> Self {
        let list = || ListBuilder::new(StringBuilder::new());
        TableBuilder {
            id: StringBuilder::new(),
            kept: kept
                .iter()
                .map(|(_, t)| match t {
                    KeptType::Text => KeptBuilder::Text(StringBuilder::new()),
                    KeptType::Int => KeptBuilder::Int(Int64Builder::new()),
                    KeptType::Float => KeptBuilder::Float(Float64Builder::new()),
                    KeptType::Bool => KeptBuilder::Bool(BooleanBuilder::new()),
                })
                .collect(),
            classification: StringBuilder::new(),
            verdict: StringBuilder::new(),
            provisional: StringBuilder::new(),
            status: (0..n_types).map(|_| StringBuilder::new()).collect(),
            score: (0..n_types).map(|_| Float64Builder::new()).collect(),
            lists: [list(), list(), list(), list(), list()],
        }
    }

    /// Append one evaluated record.
    pub fn push(&mut self, renderer: &RowRenderer<'_>, id: &str, kept: &[Kept], row: Row<'_>) {
        self.id.append_value(id);
        for (i, b) in self.kept.iter_mut().enumerate() {
            b.push(kept.get(i));
        }
        match row.classification {
            Some(c) => self
                .classification
                .append_value(renderer.type_name(c.index())),
            None => self.classification.append_null(),
        }
        self.verdict.append_value(renderer.verdict(row).code());
        let (lead, provisional) = renderer.provisional(row);
        match lead {
            Some(t) => self.provisional.append_value(renderer.type_name(t.index())),
            None => self.provisional.append_null(),
        }
        for ((t, status), score) in row
            .types
            .iter()
            .zip(self.status.iter_mut())
            .zip(self.score.iter_mut())
        {
            status.append_value(t.status.code());
            score.append_value(round4(t.score));
        }
        let [rec, avoid, unknown, prov_rec, prov_avoid] = &mut self.lists;
        for name in renderer.policies(row, PolicyKind::Recommend) {
            rec.values().append_value(name);
        }
        rec.append(true);
        for name in renderer.policies(row, PolicyKind::Avoid) {
            avoid.values().append_value(name);
        }
        avoid.append(true);
        for name in renderer.fact_names(row.unknown_facts) {
            unknown.values().append_value(name);
        }
        unknown.append(true);
        for name in renderer.named(provisional, PolicyKind::Recommend) {
            prov_rec.values().append_value(name);
        }
        prov_rec.append(true);
        for name in renderer.named(provisional, PolicyKind::Avoid) {
            prov_avoid.values().append_value(name);
        }
        prov_avoid.append(true);
    }

    /// The rows pushed so far as a record batch (the builders are emptied).
    pub fn finish(&mut self, schema: &SchemaRef) -> Result<RecordBatch, DatasetError> {
        let mut columns: Vec<ArrayRef> = vec![Arc::new(self.id.finish())];
        columns.extend(self.kept.iter_mut().map(KeptBuilder::finish));
        columns.push(Arc::new(self.classification.finish()));
        columns.push(Arc::new(self.verdict.finish()));
        columns.push(Arc::new(self.provisional.finish()));
        for (status, score) in self.status.iter_mut().zip(self.score.iter_mut()) {
            columns.push(Arc::new(status.finish()));
            columns.push(Arc::new(score.finish()));
        }
        for list in &mut self.lists {
            columns.push(Arc::new(list.finish()));
        }
        RecordBatch::try_new(Arc::clone(schema), columns).map_err(|e| DatasetError::BadOption {
            message: format!("cannot build the output table: {e}"),
            help: Some("this is a bug in meso; please report it with the command".into()),
        })
    }
}

/// The output file as an `io::Write` for the Arrow and Parquet writers.
pub(crate) struct AtomicWrite(pub AtomicFile);

impl Write for AtomicWrite {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.0.write_all(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Writes record batches in a columnar format.
pub(crate) enum TableWriter {
    /// Parquet, zstd-compressed
    Parquet(Box<parquet::arrow::ArrowWriter<AtomicWrite>>),
    /// Arrow IPC file format
    ArrowFile(Box<arrow_ipc::writer::FileWriter<AtomicWrite>>),
    /// Arrow IPC stream format
    ArrowStream(Box<arrow_ipc::writer::StreamWriter<AtomicWrite>>),
}

fn write_error(path: &std::path::Path, e: &dyn std::fmt::Display) -> DatasetError {
    DatasetError::Io {
        action: "write",
        path: path.display().to_string(),
        reason: e.to_string().to_lowercase(),
        help: None,
    }
}

impl TableWriter {
    /// Start writing `format` (a columnar one) into `out`.
    pub fn new(
        format: OutputFormat,
        out: AtomicFile,
        schema: &SchemaRef,
        path: &std::path::Path,
    ) -> Result<Self, DatasetError> {
        let w = AtomicWrite(out);
        let err = |e: &dyn std::fmt::Display| write_error(path, e);
        Ok(match format {
            OutputFormat::Parquet => {
                let level = parquet::basic::ZstdLevel::try_new(1).map_err(|e| err(&e))?;
                // Ids are unique: a dictionary for them is built and thrown away.
                let props = parquet::file::properties::WriterProperties::builder()
                    .set_compression(parquet::basic::Compression::ZSTD(level))
                    .set_statistics_enabled(parquet::file::properties::EnabledStatistics::None)
                    .set_column_dictionary_enabled(
                        parquet::schema::types::ColumnPath::from("id"),
                        false,
                    )
                    .build();
                TableWriter::Parquet(Box::new(
                    parquet::arrow::ArrowWriter::try_new(w, Arc::clone(schema), Some(props))
                        .map_err(|e| err(&e))?,
                ))
            }
            OutputFormat::ArrowStream => TableWriter::ArrowStream(Box::new(
                arrow_ipc::writer::StreamWriter::try_new(w, schema).map_err(|e| err(&e))?,
            )),
            _ => TableWriter::ArrowFile(Box::new(
                arrow_ipc::writer::FileWriter::try_new(w, schema).map_err(|e| err(&e))?,
            )),
        })
    }

    /// Append a batch.
    pub fn write(
        &mut self,
        batch: &RecordBatch,
        path: &std::path::Path,
    ) -> Result<(), DatasetError> {
        match self {
            TableWriter::Parquet(w) => w.write(batch).map_err(|e| write_error(path, &e)),
            TableWriter::ArrowFile(w) => w.write(batch).map_err(|e| write_error(path, &e)),
            TableWriter::ArrowStream(w) => w.write(batch).map_err(|e| write_error(path, &e)),
        }
    }

    /// Write the file's footer and hand the output file back for its commit.
    pub fn finish(self, path: &std::path::Path) -> Result<AtomicFile, DatasetError> {
        let w = match self {
            TableWriter::Parquet(w) => w.into_inner().map_err(|e| write_error(path, &e))?,
            TableWriter::ArrowFile(mut w) => {
                w.finish().map_err(|e| write_error(path, &e))?;
                w.into_inner().map_err(|e| write_error(path, &e))?
            }
            TableWriter::ArrowStream(mut w) => {
                w.finish().map_err(|e| write_error(path, &e))?;
                w.into_inner().map_err(|e| write_error(path, &e))?
            }
        };
        Ok(w.0)
    }
}
