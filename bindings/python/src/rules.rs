//! The native rule set: load (a path, the shipped set, sources in memory), evaluate one
//! cluster, explain it, evaluate many (on every core), evaluate Arrow tables. The Python
//! package (`meso/__init__.py`) wraps it in the documented API.

use std::path::PathBuf;

use meso::{ExplainOptions, Facts, FactsFormat, Rules, RulesBuilder, TraceFormat};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyList;
use rayon::prelude::*;

use crate::arrow::{self, ArrowStream, Failure};
use crate::convert::facts_map;
use crate::errors::{exception, to_py_err};

/// A loaded rule set (immutable; share it between threads).
#[pyclass(frozen, module = "meso._meso", name = "NativeRules")]
pub struct NativeRules {
    rules: Rules,
    sources: Vec<(String, String)>,
    params: Vec<(String, String)>,
}

fn builder(params: &[(String, String)]) -> RulesBuilder {
    params
        .iter()
        .fold(Rules::builder(), |b, (k, v)| b.param(k.clone(), v.clone()))
}

/// Load a rule set: a directory or `.meso` file, or the shipped set for `None`.
#[pyfunction]
#[pyo3(signature = (path=None, params=Vec::new()))]
pub fn load_path(
    py: Python<'_>,
    path: Option<PathBuf>,
    params: Vec<(String, String)>,
) -> PyResult<NativeRules> {
    let loaded = py.detach(|| {
        let sources = meso::rule_sources(path.as_ref())?;
        let rules = match &path {
            Some(p) => builder(&params).path(p)?,
            None => builder(&params).embedded()?,
        };
        Ok::<_, meso::Error>((rules, sources))
    });
    match loaded {
        Ok((rules, sources)) => Ok(NativeRules {
            rules,
            sources,
            params,
        }),
        Err(e) => Err(to_py_err(py, &e)),
    }
}

/// Load a rule set from `(name, text)` pairs.
#[pyfunction]
#[pyo3(signature = (sources, params=Vec::new()))]
pub fn load_sources(
    py: Python<'_>,
    sources: Vec<(String, String)>,
    params: Vec<(String, String)>,
) -> PyResult<NativeRules> {
    match py.detach(|| builder(&params).sources(sources.clone())) {
        Ok(rules) => Ok(NativeRules {
            rules,
            sources,
            params,
        }),
        Err(e) => Err(to_py_err(py, &e)),
    }
}

fn trace_format(format: &str) -> PyResult<TraceFormat> {
    match format {
        "text" => Ok(TraceFormat::Text),
        "json" => Ok(TraceFormat::Json),
        "markdown" | "md" => Ok(TraceFormat::Markdown),
        "html" => Ok(TraceFormat::Html),
        other => Err(PyValueError::new_err(format!(
            "format `{other}` is not a trace format: use \"text\", \"json\", \"markdown\" or \"html\""
        ))),
    }
}

fn facts_format(format: &str) -> PyResult<FactsFormat> {
    match format {
        "json" => Ok(FactsFormat::Json),
        "yaml" | "yml" => Ok(FactsFormat::Yaml),
        "toml" => Ok(FactsFormat::Toml),
        other => Err(PyValueError::new_err(format!(
            "format `{other}` is not a facts format: use \"json\", \"yaml\" or \"toml\""
        ))),
    }
}

impl NativeRules {
    fn facts(
        &self,
        py: Python<'_>,
        facts: &Bound<'_, PyAny>,
        name: &str,
        allow_unknown: bool,
    ) -> PyResult<Facts> {
        let map = facts_map(facts, "facts")?;
        let loaded = if allow_unknown {
            let text = serde_json::to_string(&map).unwrap_or_default();
            self.rules
                .facts_from_str_allowing_unknown(name, &text, FactsFormat::Json)
        } else {
            self.rules.facts_from_map(name, &map)
        };
        loaded.map_err(|e| to_py_err(py, &e))
    }
}

#[pymethods]
impl NativeRules {
    /// `sha256:<hex>` over the rule files' relative paths and contents.
    #[getter]
    fn fingerprint(&self) -> &str {
        self.rules.fingerprint()
    }

    /// The checker's warnings, as JSON diagnostics.
    fn warnings_json(&self) -> String {
        serde_json::to_string(self.rules.warnings()).unwrap_or_else(|_| "[]".into())
    }

    /// The parameter overrides, in the order given.
    #[getter]
    fn params(&self) -> Vec<(String, String)> {
        self.params.clone()
    }

    /// The rule files, as `(relative name, text)`.
    #[getter]
    fn sources(&self) -> Vec<(String, String)> {
        self.sources.clone()
    }

    /// The type names, in declaration order.
    fn type_names(&self) -> Vec<String> {
        self.rules
            .type_names()
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    /// The facts' JSON Schema, as JSON text.
    fn facts_schema_json(&self) -> String {
        self.rules.facts_schema().to_string()
    }

    /// Evaluate one cluster's facts (a dict).
    #[pyo3(signature = (facts, name="facts", allow_unknown=false))]
    fn evaluate(
        &self,
        py: Python<'_>,
        facts: &Bound<'_, PyAny>,
        name: &str,
        allow_unknown: bool,
    ) -> PyResult<NativeEvaluation> {
        let facts = self.facts(py, facts, name, allow_unknown)?;
        let rules = self.rules.clone();
        Ok(py.detach(|| NativeEvaluation::new(rules, facts)))
    }

    /// Evaluate facts given as JSON, YAML or TOML text.
    #[pyo3(signature = (name, text, format, allow_unknown=false))]
    fn evaluate_text(
        &self,
        py: Python<'_>,
        name: &str,
        text: &str,
        format: &str,
        allow_unknown: bool,
    ) -> PyResult<NativeEvaluation> {
        let format = facts_format(format)?;
        let rules = self.rules.clone();
        let loaded = py.detach(|| {
            let facts = if allow_unknown {
                rules.facts_from_str_allowing_unknown(name, text, format)
            } else {
                rules.facts_from_str(name, text, format)
            }?;
            Ok::<_, meso::Error>(NativeEvaluation::new(rules.clone(), facts))
        });
        loaded.map_err(|e| to_py_err(py, &e))
    }

    /// The trace of one cluster, rendered.
    #[pyo3(signature = (facts, format="text", name="facts", allow_unknown=false, only_type=None, only_policy=None))]
    #[allow(clippy::too_many_arguments)]
    fn explain(
        &self,
        py: Python<'_>,
        facts: &Bound<'_, PyAny>,
        format: &str,
        name: &str,
        allow_unknown: bool,
        only_type: Option<String>,
        only_policy: Option<String>,
    ) -> PyResult<String> {
        let format = trace_format(format)?;
        let facts = self.facts(py, facts, name, allow_unknown)?;
        let options = ExplainOptions {
            only_type,
            only_policy,
        };
        Ok(py.detach(|| self.rules.explain_with(&facts, &options).render(format)))
    }

    /// Evaluate many clusters' facts (dicts) on every core (`threads` for fewer): one
    /// evaluation or one exception object (not raised) per item, in order.
    #[pyo3(signature = (items, names=None, allow_unknown=false, threads=None))]
    fn evaluate_many<'py>(
        &self,
        py: Python<'py>,
        items: &Bound<'py, PyAny>,
        names: Option<Vec<String>>,
        allow_unknown: bool,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyList>> {
        let mut maps = Vec::new();
        for (i, item) in items.try_iter()?.enumerate() {
            let item = item?;
            let what = format!("item {i}");
            // A value that is not a dict of facts is the item's own error too.
            maps.push(facts_map(&item, &what).map_err(|e| e.to_string()));
        }
        if let Some(n) = &names {
            if n.len() != maps.len() {
                return Err(PyValueError::new_err(format!(
                    "names has {} entries for {} items: give one name per item, or none",
                    n.len(),
                    maps.len()
                )));
            }
        }
        let rules = &self.rules;
        let one = |(i, map): (
            usize,
            &Result<serde_json::Map<String, serde_json::Value>, String>,
        )| {
            let name = names
                .as_ref()
                .and_then(|n| n.get(i).cloned())
                .unwrap_or_else(|| format!("item {i}"));
            let map = match map {
                Ok(m) => m,
                Err(message) => return Err(Item::Type(message.clone())),
            };
            let facts = if allow_unknown {
                let text = serde_json::to_string(map).unwrap_or_default();
                rules.facts_from_str_allowing_unknown(&name, &text, FactsFormat::Json)
            } else {
                rules.facts_from_map(&name, map)
            };
            facts
                .map(|f| NativeEvaluation::new(rules.clone(), f))
                .map_err(Item::Meso)
        };
        let results: Vec<Result<NativeEvaluation, Item>> = py
            .detach(|| match threads {
                Some(1) => Ok(maps.iter().enumerate().map(one).collect()),
                Some(n) => rayon::ThreadPoolBuilder::new()
                    .num_threads(n)
                    .build()
                    .map(|pool| pool.install(|| maps.par_iter().enumerate().map(one).collect()))
                    .map_err(|e| e.to_string()),
                None => Ok(maps.par_iter().enumerate().map(one).collect()),
            })
            .map_err(PyValueError::new_err)?;
        let out = PyList::empty(py);
        for r in results {
            match r {
                Ok(e) => out.append(Bound::new(py, e)?)?,
                Err(Item::Meso(e)) => out.append(exception(py, &e)?)?,
                Err(Item::Type(message)) => {
                    out.append(PyTypeError::new_err(message).into_value(py))?
                }
            }
        }
        Ok(out)
    }

    /// Evaluate an Arrow table (any object with the Arrow PyCapsule interface): one output
    /// row per input row, as an Arrow stream (`dictionary`: the name columns as
    /// dictionaries, or as plain strings).
    #[pyo3(signature = (data, id=Vec::new(), threads=None, dictionary=true))]
    fn evaluate_arrow(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        id: Vec<String>,
        threads: Option<usize>,
        dictionary: bool,
    ) -> PyResult<ArrowStream> {
        if threads == Some(0) {
            return Err(PyValueError::new_err(
                "threads=0: give a number of threads >= 1, or None for every core",
            ));
        }
        let table = arrow::import(data)?;
        let plan = arrow::plan(&self.rules, &table.schema, &id, dictionary)?;
        let rules = &self.rules;
        let batches = py.detach(|| arrow::evaluate(rules, &plan, &table, threads));
        match batches {
            Ok(batches) => Ok(ArrowStream::new(plan.schema.clone(), batches)),
            Err(Failure::Meso(e)) => Err(to_py_err(py, &e)),
            Err(Failure::Arrow(m)) => Err(PyValueError::new_err(m)),
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "meso.Rules({} files, {})",
            self.sources.len(),
            self.rules.fingerprint()
        )
    }
}

enum Item {
    Meso(meso::Error),
    Type(String),
}

/// The evaluation of one cluster, with what it needs to explain itself.
#[pyclass(frozen, module = "meso._meso", name = "NativeEvaluation")]
pub struct NativeEvaluation {
    rules: Rules,
    facts: Facts,
    json: String,
}

impl NativeEvaluation {
    fn new(rules: Rules, facts: Facts) -> Self {
        let json = rules.evaluate(&facts).to_json();
        NativeEvaluation { rules, facts, json }
    }
}

#[pymethods]
impl NativeEvaluation {
    /// The JSON `meso eval --format json` prints (without its final newline).
    fn to_json(&self) -> &str {
        &self.json
    }

    /// The trace, rendered (`text`, `json`, `markdown`, `html`).
    fn explain(&self, py: Python<'_>, format: &str) -> PyResult<String> {
        let format = trace_format(format)?;
        Ok(py.detach(|| self.rules.explain(&self.facts).render(format)))
    }

    /// The name the facts are reported under.
    #[getter]
    fn name(&self) -> &str {
        self.facts.name()
    }
}
