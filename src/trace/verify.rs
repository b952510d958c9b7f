//! Trace stage, verification: a stored JSON trace + a fresh trace of the same inputs →
//! whether the stored one is reproduced, and if not, what differs first: the rules (which
//! file), the facts (each changed fact, old and new value), the options, the meso version,
//! or a result (which node).
//!
//! Reproduced means the same meaning, not the same bytes: key order, whitespace and the
//! way a number is written (`1.0`, `1`, `1e0`) do not count, so a trace re-saved by `jq`
//! or an editor still verifies ([`same`]).
//!
//! Input: the stored trace's text and a fresh [`Trace`] built with the options read from
//! the stored header ([`Recorded`]). Output: [`Verdict`].

use serde_json::Value as Json;

use crate::ir::ParamOverride;
use crate::trace::model::{Stamp, Trace, TRACE_VERSION};
use crate::trace::TraceOptions;

/// What a stored trace says about how it was made: enough to make it again.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// The whole stored trace
    pub json: Json,
    /// Facts file as named in the trace
    pub facts_file: String,
    /// Options to rebuild it with (stamp included, so it compares equal)
    pub options: TraceOptions,
}

/// Read the header of a stored trace. The error is a user message.
pub fn read(text: &str) -> Result<Recorded, String> {
    let json: Json =
        serde_json::from_str(text).map_err(|e| format!("the file is not a JSON trace ({e})"))?;
    let version = json.get("trace_version").and_then(Json::as_u64);
    if version != Some(u64::from(TRACE_VERSION)) {
        return Err(match version {
            Some(v) => format!("trace format {v} is not supported; this meso reads format {TRACE_VERSION}"),
            None => "the file has no `trace_version`; is it a meso trace (`meso explain --format json`)?".into(),
        });
    }
    let header = json.get("header").cloned().unwrap_or(Json::Null);
    let text_at = |path: &[&str]| -> Option<String> {
        let mut at = &header;
        for key in path {
            at = at.get(key)?;
        }
        at.as_str().map(str::to_string)
    };
    let facts_file = text_at(&["facts", "file"]).ok_or("the trace header names no facts file")?;
    let options = header.get("options").cloned().unwrap_or(Json::Null);
    let params = options
        .get("params")
        .and_then(Json::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| ParamOverride {
                    name: k.clone(),
                    value: v.as_str().map_or_else(|| v.to_string(), str::to_string),
                })
                .collect()
        })
        .unwrap_or_default();
    let stamp: Option<Stamp> = header
        .get("stamp")
        .and_then(|s| serde_json::from_value(s.clone()).ok());
    let string = |key: &str| options.get(key).and_then(Json::as_str).map(str::to_string);
    let options = TraceOptions {
        facts_label: facts_file.clone(),
        params,
        allow_unknown_facts: options
            .get("allow_unknown_facts")
            .and_then(Json::as_bool)
            .unwrap_or(false),
        only_type: string("only_type"),
        only_policy: string("only_policy"),
        stamp,
        strict_unknowns: options
            .get("strict_unknowns")
            .and_then(Json::as_bool)
            .unwrap_or(false),
    };
    Ok(Recorded {
        json,
        facts_file,
        options,
    })
}

/// The first thing that differs between a stored and a fresh trace (shown in words by the
/// render stage: `render::verify`, its `Display`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Difference {
    /// Rule files changed, were added or removed: (path, `changed` / `added` / `removed`)
    Rules(Vec<(String, &'static str)>),
    /// The facts fingerprint differs
    Facts {
        /// Stored fingerprint
        recorded: String,
        /// Fingerprint now
        current: String,
        /// Each fact whose value differs, in the trace's order
        changed: Vec<FactChange>,
    },
    /// The meso version differs
    Version {
        /// Stored version
        recorded: String,
        /// This meso
        current: String,
    },
    /// A result differs at this node
    Result {
        /// Readable path, e.g. `types › survival_cluster › criteria › micro_and_small › value`
        node: String,
        /// Stored value
        recorded: String,
        /// Value now
        current: String,
    },
}

/// One fact whose value differs between the stored trace and the facts now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FactChange {
    /// Fact name
    pub name: String,
    /// As recorded (`missing` when it had no value, `absent` when not in the trace)
    pub recorded: String,
    /// As now
    pub current: String,
}

/// The result of a verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// Whether the fresh trace means the same as the stored one (see [`same`])
    pub reproduced: bool,
    /// What differs, most fundamental first (empty when reproduced)
    pub differences: Vec<Difference>,
}

/// Compare a stored trace (its text) with a fresh one.
pub fn verify(stored: &str, recorded: &Recorded, fresh: &Trace) -> Verdict {
    let now = serde_json::to_value(fresh).unwrap_or(Json::Null);
    let old = &recorded.json;
    if fresh.to_json_text() == stored || same(old, &now) {
        return Verdict {
            reproduced: true,
            differences: Vec::new(),
        };
    }
    let mut differences = Vec::new();
    let files = rule_files(old, &now);
    let fingerprint = |j: &Json, a: &str| {
        j.pointer(a)
            .and_then(Json::as_str)
            .unwrap_or("")
            .to_string()
    };
    if !files.is_empty() {
        differences.push(Difference::Rules(files));
    } else if fingerprint(old, "/header/rules/fingerprint")
        != fingerprint(&now, "/header/rules/fingerprint")
    {
        differences.push(Difference::Rules(vec![(
            "(rule set fingerprint)".into(),
            "changed",
        )]));
    }
    let (rf, cf) = (
        fingerprint(old, "/header/facts/fingerprint"),
        fingerprint(&now, "/header/facts/fingerprint"),
    );
    let changed = changed_facts(old, &now);
    if rf != cf || !changed.is_empty() {
        differences.push(Difference::Facts {
            recorded: rf,
            current: cf,
            changed,
        });
    }
    let (rv, cv) = (
        fingerprint(old, "/header/meso_version"),
        fingerprint(&now, "/header/meso_version"),
    );
    if rv != cv {
        differences.push(Difference::Version {
            recorded: rv,
            current: cv,
        });
    }
    if let Some((node, recorded, current)) = first_result_difference(old, &now) {
        differences.push(Difference::Result {
            node,
            recorded,
            current,
        });
    } else if differences.is_empty() {
        // Only the header differs (options, stamp, file names): say where.
        let (a, b) = (
            old.get("header").unwrap_or(&Json::Null),
            now.get("header").unwrap_or(&Json::Null),
        );
        let mut path = vec!["header".to_string()];
        let (node, recorded, current) =
            first_difference(a, b, &mut path, false).unwrap_or_else(|| {
                (
                    "the top level".into(),
                    "other fields".into(),
                    "as made now".into(),
                )
            });
        differences.push(Difference::Result {
            node,
            recorded,
            current,
        });
    }
    Verdict {
        reproduced: false,
        differences,
    }
}

/// Whether two JSON values mean the same: objects with the same keys in any order, arrays
/// element by element, numbers by value (`1`, `1.0` and `1e0` are the same number), strings,
/// booleans and `null` as they are. Whitespace never reaches here (it is gone once parsed).
pub fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, va)| y.get(k).is_some_and(|vb| same(va, vb)))
        }
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(va, vb)| same(va, vb))
        }
        (Json::Number(x), Json::Number(y)) => same_number(x, y),
        _ => a == b,
    }
}

/// Numbers by value: integers exactly when both are integers, otherwise as `f64`.
fn same_number(x: &serde_json::Number, y: &serde_json::Number) -> bool {
    if let (Some(i), Some(j)) = (x.as_i64(), y.as_i64()) {
        return i == j;
    }
    if let (Some(i), Some(j)) = (x.as_u64(), y.as_u64()) {
        return i == j;
    }
    match (x.as_f64(), y.as_f64()) {
        (Some(f), Some(g)) => f == g,
        _ => x == y,
    }
}

/// Facts whose value differs, from the `facts` lists of both traces (each fact with its
/// value and how it is printed), in the stored trace's order, then facts only in the new.
fn changed_facts(old: &Json, now: &Json) -> Vec<FactChange> {
    let list = |j: &Json| -> Vec<(String, Json, String)> {
        j.get("facts")
            .and_then(Json::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|f| {
                        let name = f.get("name")?.as_str()?.to_string();
                        let value = f.get("value").cloned().unwrap_or(Json::Null);
                        let shown = if value.is_null() {
                            "missing".to_string()
                        } else {
                            f.get("display")
                                .and_then(Json::as_str)
                                .map_or_else(|| short(&value), str::to_string)
                        };
                        Some((name, value, shown))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let (old, now) = (list(old), list(now));
    let mut out = Vec::new();
    for (name, value, shown) in &old {
        match now.iter().find(|(n, _, _)| n == name) {
            Some((_, v, s)) if !same(value, v) => out.push(FactChange {
                name: name.clone(),
                recorded: shown.clone(),
                current: s.clone(),
            }),
            None => out.push(FactChange {
                name: name.clone(),
                recorded: shown.clone(),
                current: "absent".into(),
            }),
            _ => {}
        }
    }
    for (name, _, shown) in &now {
        if !old.iter().any(|(n, _, _)| n == name) {
            out.push(FactChange {
                name: name.clone(),
                recorded: "absent".into(),
                current: shown.clone(),
            });
        }
    }
    out
}

/// Sections searched for a changed result, most telling first.
const SECTIONS: [&str; 6] = ["types", "policies", "derived", "params", "facts", "summary"];

/// Keys holding sentences made from other fields: compared only when nothing else differs.
const PROSE: [&str; 3] = ["explanation", "display", "sentence"];

/// The first changed result: the sections in [`SECTIONS`] order, structured fields before
/// sentences.
fn first_result_difference(old: &Json, now: &Json) -> Option<(String, String, String)> {
    for skip_prose in [true, false] {
        for section in SECTIONS {
            let (Some(a), Some(b)) = (old.get(section), now.get(section)) else {
                continue;
            };
            let mut path = vec![section.to_string()];
            if let Some(found) = first_difference(a, b, &mut path, skip_prose) {
                return Some(found);
            }
        }
    }
    let (a, b) = (old.get("trace_version"), now.get("trace_version"));
    (a != b).then(|| {
        (
            "trace_version".into(),
            a.map_or("absent".into(), short),
            b.map_or("absent".into(), short),
        )
    })
}

/// Rule files whose hash changed, that were added or removed.
fn rule_files(old: &Json, now: &Json) -> Vec<(String, &'static str)> {
    let list = |j: &Json| -> Vec<(String, String)> {
        j.pointer("/header/rules/files")
            .and_then(Json::as_array)
            .map(|a| {
                a.iter()
                    .map(|f| {
                        let s = |k: &str| f.get(k).and_then(Json::as_str).unwrap_or("").to_string();
                        (s("path"), s("sha256"))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let (old, now) = (list(old), list(now));
    let mut out = Vec::new();
    for (path, hash) in &old {
        match now.iter().find(|(p, _)| p == path) {
            Some((_, h)) if h != hash => out.push((path.clone(), "changed")),
            None => out.push((path.clone(), "removed")),
            _ => {}
        }
    }
    for (path, _) in &now {
        if !old.iter().any(|(p, _)| p == path) {
            out.push((path.clone(), "added"));
        }
    }
    out
}

/// A readable label for an array element: its `type`, `policy`, `name` or `fact` field.
fn label(j: &Json, index: usize) -> String {
    ["name", "policy", "criterion", "fact", "type"]
        .iter()
        .find_map(|k| j.get(*k).and_then(Json::as_str))
        .map_or_else(|| format!("#{}", index + 1), str::to_string)
}

/// The first differing leaf, in document order: (path, stored, now).
fn first_difference(
    old: &Json,
    now: &Json,
    path: &mut Vec<String>,
    skip_prose: bool,
) -> Option<(String, String, String)> {
    let here = |path: &[String]| {
        if path.is_empty() {
            "the top level".to_string()
        } else {
            path.join(" › ")
        }
    };
    match (old, now) {
        (Json::Object(a), Json::Object(b)) => {
            for (k, va) in a {
                if skip_prose && PROSE.contains(&k.as_str()) {
                    continue;
                }
                path.push(k.clone());
                let found = match b.get(k) {
                    Some(vb) => first_difference(va, vb, path, skip_prose),
                    None => Some((here(path), short(va), "absent".into())),
                };
                path.pop();
                if found.is_some() {
                    return found;
                }
            }
            b.keys().find(|k| !a.contains_key(*k)).map(|k| {
                (
                    format!("{} › {k}", here(path)),
                    "absent".into(),
                    "present".into(),
                )
            })
        }
        (Json::Array(a), Json::Array(b)) => {
            for (i, (va, vb)) in a.iter().zip(b).enumerate() {
                path.push(label(va, i));
                let found = first_difference(va, vb, path, skip_prose);
                path.pop();
                if found.is_some() {
                    return found;
                }
            }
            (a.len() != b.len()).then(|| {
                (
                    here(path),
                    format!("{} entries", a.len()),
                    format!("{} entries", b.len()),
                )
            })
        }
        (a, b) if same(a, b) => None,
        (a, b) => Some((here(path), short(a), short(b))),
    }
}

fn short(j: &Json) -> String {
    let s = match j {
        Json::String(_) => j.to_string(),
        other => crate::trace::display_json(other),
    };
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(80).collect::<String>())
    } else {
        s
    }
}
