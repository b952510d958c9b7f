//! The facade's columnar input: the facts of many clusters given column by column, as
//! Arrow, Polars, DuckDB or a CSV reader hold them, checked cell by cell against the rule
//! set's vocabulary.
//!
//! Input: [`Columns`] (a fact name and a slice of cells per column). Output: one set of
//! facts per row, or the problems of the rows whose cells do not fit: a bad cell never
//! drops a row, and never stops the others.

use crate::facade::diagnostic::{Diagnostic, Error, ErrorKind, Severity};
use crate::facts::value_check::check_number;
use crate::facts::{self, fact_value_from_text};
use crate::ir::{Fact, FactType, Program};
use crate::suggest::did_you_mean;
use crate::value::Value;

/// One column of cells; `None` is a missing cell (the fact is unknown for that row).
#[derive(Clone, Copy, Debug)]
pub enum Column<'a> {
    /// Numbers, for `number`, `count`, `integer` and `ratio` facts
    Numbers(&'a [Option<f64>]),
    /// Truth values, for `boolean` facts
    Booleans(&'a [Option<bool>]),
    /// Text: level names, set members separated by commas, free text, or numbers and
    /// `true`/`false` written as text
    Texts(&'a [Option<&'a str>]),
}

impl Column<'_> {
    fn len(&self) -> usize {
        match self {
            Column::Numbers(c) => c.len(),
            Column::Booleans(c) => c.len(),
            Column::Texts(c) => c.len(),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Column::Numbers(_) => "numbers",
            Column::Booleans(_) => "booleans",
            Column::Texts(_) => "texts",
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
        if column.len() != columns.rows {
            problems.push(table_problem(
                "meso::facts::wrong_type",
                format!(
                    "{place} has {} cells, the table has {} rows",
                    column.len(),
                    columns.rows
                ),
                "give every column one cell per row (`None` for a missing value)".into(),
            ));
            continue;
        }
        let fits = matches!(
            (column, &fact.ty),
            (Column::Texts(_), _)
                | (
                    Column::Numbers(_),
                    FactType::Number | FactType::Integer | FactType::Ratio
                )
                | (Column::Booleans(_), FactType::Boolean)
        );
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

/// Distinct cells remembered per text column (a level fact has a few levels).
const SEEN_PER_COLUMN: usize = 16;

/// The facts of each row, or the problems of its cells (every bad cell of the row).
pub(crate) fn rows_to_facts(
    program: &Program,
    columns: &Columns<'_>,
) -> Result<Vec<Result<facts::Facts, Vec<Diagnostic>>>, Error> {
    let bound = bind(program, columns)?;
    let mut rows = Vec::with_capacity(columns.rows);
    // Per text column, the values of the first distinct cells read (levels repeat): a cell
    // seen before is not parsed and checked again. Only values are kept, never problems
    // (their messages name the row).
    let mut seen: Vec<Vec<(&str, Value)>> = vec![Vec::new(); bound.len()];
    for row in 0..columns.rows {
        let mut facts = facts::Facts::unknown(program.facts.len());
        let mut problems = Vec::new();
        for (b, seen) in bound.iter().zip(seen.iter_mut()) {
            let value = match b.column {
                Column::Numbers(c) => match c.get(row).copied().flatten() {
                    Some(n) => check_number(b.fact, n).map_err(|p| {
                        let help = p.help().map(str::to_string);
                        vec![cell_problem(row, p.code(), &p.message(&b.fact.name), help)]
                    }),
                    None => Ok(Value::Unknown),
                },
                Column::Booleans(c) => Ok(c
                    .get(row)
                    .copied()
                    .flatten()
                    .map_or(Value::Unknown, Value::Bool)),
                // Text is read as `--set` reads it, with the facts files' checks.
                Column::Texts(c) => match c.get(row).copied().flatten() {
                    Some(t) => match seen.iter().find(|(k, _)| *k == t) {
                        Some((_, v)) => Ok(v.clone()),
                        None => fact_value_from_text(b.fact, t)
                            .inspect(|v| {
                                if seen.len() < SEEN_PER_COLUMN {
                                    seen.push((t, v.clone()));
                                }
                            })
                            .map_err(|errors| {
                                errors
                                    .iter()
                                    .map(|e| {
                                        let code = miette::Diagnostic::code(e)
                                            .map_or_else(String::new, |c| c.to_string());
                                        let help =
                                            miette::Diagnostic::help(e).map(|h| h.to_string());
                                        cell_problem(row, &code, &e.to_string(), help)
                                    })
                                    .collect()
                            }),
                    },
                    None => Ok(Value::Unknown),
                },
            };
            match value {
                // INVARIANT: `bind` took `slot` from the program's facts, which `facts` has
                // one value for each of.
                Ok(v) => {
                    if let Some(s) = facts.values.get_mut(b.slot) {
                        *s = v;
                    }
                }
                Err(mut p) => problems.append(&mut p),
            }
        }
        rows.push(if problems.is_empty() {
            Ok(facts)
        } else {
            Err(problems)
        });
    }
    Ok(rows)
}
