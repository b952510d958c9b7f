//! Dataset stage: tables of cluster records (CSV, JSON lines, JSON arrays, spreadsheets)
//! read into `Facts`, for every command that runs over a whole dataset (`meso batch`,
//! `meso diff`).
//!
//! Input: [`ReadOptions`] (paths, formats, column map, number style, threads) and a checked
//! `Program`. Output: the inputs opened with their headers resolved to fact slots
//! (`parser_for`), records read in pieces of whole records (`input`, `split`), each parsed
//! straight into a reused `Facts` with its problems (`record`, `flat_json`, `columns`,
//! `convert`), and the pieces run on worker threads with results handed back in input order
//! (`pipeline`). What is done with each record (evaluate, compare, write) is the caller's;
//! the run's output files are created here only so that their errors read alike.
//! Problems that stop a run are [`DatasetError`]s; problems with one record are [`Problem`]s.

pub(crate) mod columnar;
pub(crate) mod columns;
pub(crate) mod convert;
mod error;
mod flat_json;
pub(crate) mod input;
pub(crate) mod pipeline;
pub(crate) mod record;
pub(crate) mod sniff;
mod split;

pub use columns::ColumnOptions;
pub use convert::NumberStyle;
pub use error::DatasetError;
pub use input::{Encoding, InputFormat, InputOptions};
pub use record::Problem;
pub use sniff::Sniffed;

use std::path::Path;

use crate::atomic::AtomicFile;
use crate::ir::Program;
use columns::Columns;
use convert::Converter;
use input::SourceInfo;
use record::RecordParser;

/// Everything that says how to read a dataset.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// Files and how to read them
    pub input: InputOptions,
    /// How columns name facts
    pub columns: ColumnOptions,
    /// How text cells write numbers
    pub numbers: NumberStyle,
    /// Worker threads (0: every core)
    pub threads: usize,
    /// Show a progress bar on stderr (after a second)
    pub progress: bool,
}

/// Columns ignored per input: (input, column names).
pub type IgnoredColumns = Vec<(String, Vec<String>)>;

/// A record parser for `program` over inputs already opened; also returns the columns
/// ignored per input.
pub(crate) fn parser_for<'p>(
    program: &'p Program,
    columns: &'p Columns<'p>,
    infos: &[SourceInfo],
    read: &ReadOptions,
) -> Result<(RecordParser<'p>, IgnoredColumns), DatasetError> {
    if let Some(map) = &read.columns.map {
        columns.check_aliases(map)?;
    }
    let mut layouts = Vec::with_capacity(infos.len());
    let mut ignored = Vec::new();
    for info in infos {
        match &info.headers {
            Some(headers) => {
                let (targets, skipped) = columns.resolve(&info.name, headers)?;
                if let Some(schema) = &info.schema {
                    columnar::check_types(
                        program,
                        &info.name,
                        schema,
                        &targets,
                        columns.id_column(),
                    )?;
                }
                if !skipped.is_empty() {
                    ignored.push((info.name.clone(), skipped));
                }
                layouts.push(Some((targets, headers.clone())));
            }
            None => layouts.push(None),
        }
    }
    // A `;` file whose numbers are written `0,25` (sniffed; see `sniff`) reads them so.
    let mut numbers = read.numbers;
    numbers.decimal_comma |= infos
        .iter()
        .any(|i| i.sniffed.is_some_and(|s| s.decimal_comma));
    let parser = RecordParser {
        conv: Converter::new(program, numbers),
        columns,
        layouts,
        names: infos.iter().map(|i| i.name.clone()).collect(),
    };
    Ok((parser, ignored))
}

/// Per input with a header row: the facts the rules read that it has no column for, by name
/// in declaration order (every record leaves them unknown). Inputs without a header (JSON
/// lines name facts record by record) are left out.
pub(crate) fn missing_columns(
    program: &Program,
    parser: &RecordParser<'_>,
) -> Vec<(String, Vec<String>)> {
    let mut read = vec![false; program.facts.len()];
    for e in &program.exprs {
        if let crate::ir::Expr::Fact(f) = e {
            if let Some(r) = read.get_mut(f.index()) {
                *r = true;
            }
        }
    }
    let mut out = Vec::new();
    for (name, layout) in parser.names.iter().zip(&parser.layouts) {
        let Some((targets, _)) = layout else {
            continue;
        };
        let mut given = vec![false; program.facts.len()];
        for t in targets {
            if let columns::Target::Fact(f) = t {
                if let Some(g) = given.get_mut(f.index()) {
                    *g = true;
                }
            }
        }
        let missing: Vec<String> = program
            .facts
            .iter()
            .enumerate()
            .filter(|(i, _)| read.get(*i) == Some(&true) && given.get(*i) == Some(&false))
            .map(|(_, f)| f.name.clone())
            .collect();
        if !missing.is_empty() {
            out.push((name.clone(), missing));
        }
    }
    out
}

/// Start writing a run's output file `path` (a temporary file beside it until the commit).
pub(crate) fn create_output(path: &Path) -> Result<AtomicFile, DatasetError> {
    AtomicFile::create(path).map_err(|e| DatasetError::io("create", path, &e))
}
