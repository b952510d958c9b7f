//! Columns and keys → fact slots: which fact (or the record id) each input column gives.
//!
//! Input: the program's fact declarations, the column-alias map (`--columns map.toml`),
//! the id column name and the headers of an input. Output: one [`Target`] per column
//! (CSV, spreadsheets) or a key map (JSON), resolved once per input, never per record.

use std::collections::HashMap;
use std::path::Path;

use indexmap::IndexMap;

use super::error::DatasetError;
use crate::ir::{FactId, Program};
use crate::suggest::closest;

/// What one input column gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Target {
    /// A fact slot
    Fact(FactId),
    /// The record id
    Id,
    /// Nothing: an unknown column ignored with `--allow-unknown-facts`
    Ignore,
    /// A column with an empty header: must hold no values
    Unnamed,
}

/// How input columns are named.
#[derive(Clone, Debug, Default)]
pub struct ColumnOptions {
    /// Column-alias map file: `"census header" = "fact_name"` lines (TOML)
    pub map: Option<std::path::PathBuf>,
    /// Name of the id column [default: `id`]
    pub id_column: Option<String>,
    /// Ignore columns that are not facts instead of refusing the input
    pub allow_unknown_facts: bool,
}

/// Resolves column names for one program.
pub(crate) struct Columns<'p> {
    program: &'p Program,
    aliases: IndexMap<String, String>,
    id_column: String,
    allow_unknown: bool,
    /// Names that are silently ignored (facts of the other rule set in `meso diff`)
    also_known: Vec<String>,
    /// Columns copied to the output (`meso batch --keep`): known, though not facts
    kept: Vec<String>,
}

impl<'p> Columns<'p> {
    /// Read the alias map (if any) and check that every alias names a fact or the id.
    pub fn new(program: &'p Program, opts: &ColumnOptions) -> Result<Self, DatasetError> {
        let aliases = match &opts.map {
            Some(path) => read_map(path)?,
            None => IndexMap::new(),
        };
        let id_column = opts.id_column.clone().unwrap_or_else(|| "id".into());
        let columns = Columns {
            program,
            aliases,
            id_column,
            allow_unknown: opts.allow_unknown_facts,
            also_known: Vec::new(),
            kept: Vec::new(),
        };
        Ok(columns)
    }

    /// Check that every alias maps to a fact (or the id column); `also_known` names are
    /// accepted too.
    pub fn check_aliases(&self, path: &Path) -> Result<(), DatasetError> {
        for (header, fact) in &self.aliases {
            if fact != &self.id_column
                && self.program.fact_id(fact).is_none()
                && !self.also_known.contains(fact)
            {
                let close = closest(fact, self.program.facts.iter().map(|f| f.name.as_str()));
                return Err(DatasetError::ColumnMap {
                    path: path.display().to_string(),
                    reason: match close {
                        Some(c) => format!(
                            "`{header}` maps to `{fact}`, which is not a fact (did you mean `{c}`?)"
                        ),
                        None => format!("`{header}` maps to `{fact}`, which is not a fact"),
                    },
                });
            }
        }
        Ok(())
    }

    /// Names that are ignored without error (used by `meso diff` for the facts of the
    /// other rule set).
    pub fn with_also_known(mut self, names: Vec<String>) -> Self {
        self.also_known = names;
        self
    }

    /// Columns copied to the output (`--keep`): accepted, though they name no fact.
    pub fn with_kept(mut self, names: Vec<String>) -> Self {
        self.kept = names;
        self
    }

    /// What a column or key gives; `None` when it is neither a fact nor the id.
    pub fn target(&self, name: &str) -> Option<Target> {
        let name = name.trim();
        let name = self.aliases.get(name).map_or(name, String::as_str);
        if name == self.id_column {
            return Some(Target::Id);
        }
        if let Some(id) = self.program.fact_id(name) {
            return Some(Target::Fact(id));
        }
        if self.also_known.iter().any(|k| k == name) || self.kept.iter().any(|k| k == name) {
            return Some(Target::Ignore);
        }
        None
    }

    /// Resolve the headers of input `path`. Returns the targets and the names of ignored
    /// columns; an unknown column is an error unless unknown facts are allowed.
    pub fn resolve(
        &self,
        path: &str,
        headers: &[String],
    ) -> Result<(Vec<Target>, Vec<String>), DatasetError> {
        let mut targets = Vec::with_capacity(headers.len());
        let mut ignored = Vec::new();
        // Every column that is not a fact, reported at once (not one per run).
        let mut unknown: Vec<&str> = Vec::new();
        let mut seen: HashMap<Target, &str> = HashMap::new();
        for header in headers {
            if header.trim().is_empty() {
                targets.push(Target::Unnamed);
                continue;
            }
            let target = match self.target(header) {
                Some(t) => t,
                None if self.allow_unknown => {
                    ignored.push(header.clone());
                    Target::Ignore
                }
                None => {
                    unknown.push(header);
                    targets.push(Target::Ignore);
                    continue;
                }
            };
            if target != Target::Ignore {
                if let Some(first) = seen.insert(target, header) {
                    let fact = match target {
                        Target::Fact(id) => self
                            .program
                            .fact(id)
                            .map_or_else(String::new, |f| f.name.clone()),
                        _ => self.id_column.clone(),
                    };
                    return Err(DatasetError::DuplicateColumn {
                        path: path.into(),
                        fact,
                        first: first.into(),
                        second: header.clone(),
                    });
                }
            }
            targets.push(target);
        }
        if !unknown.is_empty() {
            return Err(self.unknown_columns(path, &unknown));
        }
        Ok((targets, ignored))
    }

    /// The error for a column that is not a fact.
    pub fn unknown_columns(&self, path: &str, headers: &[&str]) -> DatasetError {
        let guesses: Vec<String> = headers
            .iter()
            .filter_map(|h| {
                closest(h.trim(), self.program.facts.iter().map(|f| f.name.as_str()))
                    .map(|c| (h, c))
            })
            .map(|(h, c)| match headers {
                [_] => format!("`{c}`"),
                _ => format!("`{c}` for `{h}`"),
            })
            .collect();
        // A header close to no fact is most often a name or code of the cluster: say how
        // to carry it through rather than only how to drop it.
        let labels: Vec<String> = headers
            .iter()
            .filter(|h| {
                closest(h.trim(), self.program.facts.iter().map(|f| f.name.as_str())).is_none()
            })
            .map(|h| h.trim().to_string())
            .collect();
        let carry = match labels.as_slice() {
            [] => String::new(),
            [one] => format!(
                "to carry `{one}` into the output, add `--keep {one}` (or `--id-column {one}` to make it each record's id); "
            ),
            many => format!(
                "to carry them into the output, add `--keep {}`; ",
                many.join(",")
            ),
        };
        let how = format!(
            "{carry}map census headers to facts with `--columns map.toml`, or skip other columns with `--allow-unknown-facts`"
        );
        let help = if guesses.is_empty() {
            how
        } else {
            format!("did you mean {}? {how}", guesses.join(", "))
        };
        DatasetError::UnknownColumn {
            path: path.into(),
            column: headers
                .iter()
                .map(|h| format!("`{h}`"))
                .collect::<Vec<_>>()
                .join(", "),
            count: headers.len(),
            help: Some(help),
        }
    }

    /// The name of the id column.
    pub fn id_column(&self) -> &str {
        &self.id_column
    }

    /// Whether keys that are not facts are ignored.
    pub fn allow_unknown(&self) -> bool {
        self.allow_unknown
    }
}

/// Read a column map: a TOML table of `"header" = "fact"`.
fn read_map(path: &Path) -> Result<IndexMap<String, String>, DatasetError> {
    let text = crate::facts::read_capped(path).map_err(|e| DatasetError::io("read", path, &e))?;
    let bad = |reason: String| DatasetError::ColumnMap {
        path: path.display().to_string(),
        reason,
    };
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| bad(e.message().to_lowercase()))?;
    let mut map = IndexMap::new();
    for (header, value) in table {
        match value {
            toml::Value::String(fact) => {
                map.insert(header, fact);
            }
            other => {
                return Err(bad(format!(
                    "`{header}` must map to a fact name in quotes, found {}",
                    other.type_str()
                )))
            }
        }
    }
    Ok(map)
}
