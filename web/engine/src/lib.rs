//! The meso engine for the browser playground: wasm-bindgen exports over the library's
//! facade (`meso::Rules`, `meso::format`, ...). Every export takes and returns strings
//! (JSON where structured), so the page passes the engine's JSON through untouched: the
//! evaluation is `Evaluation::to_json`, byte for byte what `meso eval --format json` prints.
//!
//! Rule files travel as a JSON list of `{"name": "types.meso", "text": "..."}`; parameter
//! overrides as a JSON object `{"min_cluster_firms": "50"}` (values written as in a rule
//! file, as `--param name=value`). The loaded rule set is cached between calls while the
//! files and overrides stay the same, so a keystroke in the facts re-evaluates only.

use std::cell::RefCell;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;

use meso::{Diagnostic, ExplainOptions, FactsFormat, Rules, TraceFormat};

mod shipped {
    /// One shipped rule set: its files and its example facts, as `(path, text)`.
    pub struct RuleSetData {
        pub id: &'static str,
        pub title: &'static str,
        pub dir: &'static str,
        pub files: &'static [(&'static str, &'static str)],
        pub examples: &'static [(&'static str, &'static str)],
    }
    include!(concat!(env!("OUT_DIR"), "/shipped.rs"));
}

/// One rule file, as the page holds it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct RuleFile {
    /// Path relative to the rule set's root (`types.meso`)
    pub name: String,
    /// Its text
    pub text: String,
}

type Overrides = Vec<(String, String)>;

struct Cached {
    /// The rule files and overrides as the page sent them: a keystroke in the facts sends
    /// the same texts again, and comparing them is cheaper than reading them.
    files_json: String,
    params_json: String,
    loaded: Result<Rules, meso::Error>,
}

thread_local! {
    static CACHE: RefCell<Vec<Cached>> = const { RefCell::new(Vec::new()) };
}

/// How many loaded rule sets are kept (the rule set as written and what-if variants of it).
const CACHE_SIZE: usize = 4;

fn parse_files(files_json: &str) -> Result<Vec<RuleFile>, String> {
    serde_json::from_str(files_json).map_err(|e| {
        format!("the rule files must be a JSON list of {{\"name\", \"text\"}} objects: {e}")
    })
}

fn parse_params(params_json: &str) -> Result<Overrides, String> {
    if params_json.trim().is_empty() {
        return Ok(Vec::new());
    }
    let map: serde_json::Map<String, Value> = serde_json::from_str(params_json).map_err(|e| {
        format!("the parameter overrides must be a JSON object of name: \"value\": {e}")
    })?;
    Ok(map
        .into_iter()
        .map(|(k, v)| {
            let text = match v {
                Value::String(s) => s,
                other => other.to_string(),
            };
            (k, text)
        })
        .collect())
}

/// The rule set for these files and overrides, loaded once and cached; `f` gets it (or
/// the diagnostics that keep it from loading) and gives the answer.
fn with_rules(
    files_json: &str,
    params_json: &str,
    f: impl FnOnce(&Result<Rules, meso::Error>) -> String,
) -> String {
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        let hit = cache
            .iter()
            .position(|c| c.params_json == params_json && c.files_json == files_json);
        let index = match hit {
            // The most recently used last: the one evicted is the least recently used.
            Some(i) => {
                let used = cache.remove(i);
                cache.push(used);
                cache.len() - 1
            }
            None => {
                let files = match parse_files(files_json) {
                    Ok(files) => files,
                    Err(e) => return problem(e),
                };
                let params = match parse_params(params_json) {
                    Ok(params) => params,
                    Err(e) => return problem(e),
                };
                let mut builder = Rules::builder();
                for (name, value) in params {
                    builder = builder.param(name, value);
                }
                let loaded = builder.sources(files.into_iter().map(|f| (f.name, f.text)));
                if cache.len() >= CACHE_SIZE {
                    cache.remove(0);
                }
                cache.push(Cached {
                    files_json: files_json.to_string(),
                    params_json: params_json.to_string(),
                    loaded,
                });
                cache.len() - 1
            }
        };
        match cache.get(index) {
            Some(c) => f(&c.loaded),
            None => problem("the engine lost its loaded rule set; reload the page".into()),
        }
    })
}

fn diagnostics_json(diagnostics: &[Diagnostic]) -> Value {
    serde_json::to_value(diagnostics).unwrap_or(Value::Array(Vec::new()))
}

fn problem(message: String) -> String {
    json!({
        "ok": false,
        "diagnostics": [{
            "code": "meso::web::bad_input",
            "severity": "error",
            "message": message,
            "file": null, "line": null, "column": null, "labels": [],
            "help": "this is a problem of the page's call to the engine, not of the rule files",
            "rendered": message,
        }]
    })
    .to_string()
}

fn error_json(e: &meso::Error) -> String {
    json!({
        "ok": false,
        "kind": e.kind(),
        "diagnostics": diagnostics_json(e.diagnostics()),
    })
    .to_string()
}

fn facts_format(name: &str, text: &str) -> FactsFormat {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".json") {
        FactsFormat::Json
    } else if lower.ends_with(".toml") {
        FactsFormat::Toml
    } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        FactsFormat::Yaml
    } else if text.trim_start().starts_with('{') {
        FactsFormat::Json
    } else {
        FactsFormat::Yaml
    }
}

/// Run `f` with the loaded rules and facts, or give the error JSON.
fn with_facts(
    files_json: &str,
    params_json: &str,
    facts_name: &str,
    facts_text: &str,
    f: impl FnOnce(&Rules, &meso::Facts) -> Value,
) -> String {
    with_rules(files_json, params_json, |loaded| match loaded {
        Err(e) => error_json(e),
        Ok(rules) => {
            let format = facts_format(facts_name, facts_text);
            match rules.facts_from_str(facts_name, facts_text, format) {
                Err(e) => error_json(&e),
                Ok(facts) => {
                    let mut out = f(rules, &facts);
                    if let Value::Object(map) = &mut out {
                        map.insert("ok".into(), Value::Bool(true));
                        map.insert("warnings".into(), diagnostics_json(facts.warnings()));
                    }
                    out.to_string()
                }
            }
        }
    })
}

/// Check rule files as `meso check` does. Returns `{"ok", "diagnostics": [...], "counts"}`:
/// every error and warning with code, severity, message, file, line, column, labels (with
/// byte offsets), help and the rendering the command line prints.
#[wasm_bindgen]
pub fn check(files_json: &str) -> String {
    with_rules(files_json, "{}", |loaded| match loaded {
        Err(e) => error_json(e),
        Ok(rules) => json!({
            "ok": true,
            "fingerprint": rules.fingerprint(),
            "diagnostics": diagnostics_json(rules.warnings()),
        })
        .to_string(),
    })
}

/// Format one rule file as `meso fmt` does: `{"ok": true, "text"}` or the parse diagnostics.
#[wasm_bindgen]
pub fn format(name: &str, text: &str) -> String {
    match meso::format(name, text) {
        Ok(formatted) => json!({ "ok": true, "text": formatted }).to_string(),
        Err(e) => error_json(&e),
    }
}

/// Evaluate one cluster: `{"ok": true, "eval": "<JSON>"}` where `eval` is the text of
/// `Evaluation::to_json`, byte for byte `meso eval --format json`; or the diagnostics of
/// the rule files, the overrides or the facts.
#[wasm_bindgen]
pub fn evaluate(files_json: &str, params_json: &str, facts_name: &str, facts_text: &str) -> String {
    with_facts(
        files_json,
        params_json,
        facts_name,
        facts_text,
        |rules, facts| json!({ "eval": rules.evaluate(facts).to_json() }),
    )
}

/// Explain one cluster as `meso explain --format FORMAT` does (`text`, `json`, `markdown`,
/// `html`), optionally for one type or policy: `{"ok": true, "trace": "..."}`.
#[wasm_bindgen]
pub fn explain(
    files_json: &str,
    params_json: &str,
    facts_name: &str,
    facts_text: &str,
    format: &str,
    only_type: &str,
    only_policy: &str,
) -> String {
    let trace_format = match format {
        "text" | "" => TraceFormat::Text,
        "json" => TraceFormat::Json,
        "markdown" | "md" => TraceFormat::Markdown,
        "html" => TraceFormat::Html,
        other => {
            return problem(format!(
                "unknown trace format `{other}`: use text, json, markdown or html"
            ))
        }
    };
    let options = ExplainOptions {
        only_type: Some(only_type.to_string()).filter(|s| !s.is_empty()),
        only_policy: Some(only_policy.to_string()).filter(|s| !s.is_empty()),
    };
    with_facts(
        files_json,
        params_json,
        facts_name,
        facts_text,
        |rules, facts| json!({ "trace": rules.explain_with(facts, &options).render(trace_format) }),
    )
}

/// The JSON Schema of the facts the rule set reads (`meso schema`): `{"ok", "schema"}`.
#[wasm_bindgen]
pub fn facts_schema(files_json: &str) -> String {
    with_rules(files_json, "{}", |loaded| match loaded {
        Err(e) => error_json(e),
        Ok(rules) => json!({ "ok": true, "schema": rules.facts_schema() }).to_string(),
    })
}

/// The rule set's parameters with their values in force (after the overrides), as
/// written, and their label, description, citation and unit: `{"ok", "parameters"}`.
#[wasm_bindgen]
pub fn parameters(files_json: &str, params_json: &str) -> String {
    with_rules(files_json, params_json, |loaded| match loaded {
        Err(e) => error_json(e),
        Ok(rules) => json!({
            "ok": true,
            "parameters": serde_json::to_value(rules.parameters()).unwrap_or(Value::Null),
        })
        .to_string(),
    })
}

/// Run the rule files' own tests as `meso test` does: `{"ok", "tests": [...], "passed",
/// "failed"}`.
#[wasm_bindgen]
pub fn run_tests(files_json: &str) -> String {
    with_rules(files_json, "{}", |loaded| match loaded {
        Err(e) => error_json(e),
        Ok(rules) => {
            let tests = rules.run_tests();
            let passed = tests.iter().filter(|t| t.passed).count();
            json!({
                "ok": true,
                "passed": passed,
                "failed": tests.len() - passed,
                "tests": serde_json::to_value(&tests).unwrap_or(Value::Null),
            })
            .to_string()
        }
    })
}

/// The shipped rule sets with their files and example facts: `[{"id", "title", "dir",
/// "files": [{"name", "text"}], "examples": [{"name", "text"}]}]`.
#[wasm_bindgen]
pub fn shipped() -> String {
    let sets: Vec<Value> = shipped::RULE_SETS
        .iter()
        .map(|s| {
            let pairs = |list: &[(&str, &str)]| -> Vec<Value> {
                list.iter()
                    .map(|(name, text)| json!({ "name": name, "text": text }))
                    .collect()
            };
            json!({
                "id": s.id,
                "title": s.title,
                "dir": s.dir,
                "files": pairs(s.files),
                "examples": pairs(s.examples),
            })
        })
        .collect();
    Value::Array(sets).to_string()
}

/// The meso version the engine was built from.
#[wasm_bindgen]
pub fn version() -> String {
    meso::VERSION.to_string()
}
