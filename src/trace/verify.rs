//! Trace stage, verification: a stored JSON trace + a fresh trace of the same inputs →
//! whether the stored one is reproduced byte for byte, and if not, what differs first:
//! the rules (which file), the facts, the options, the meso version, or a result (which
//! node).
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

/// The result of a verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// Whether the fresh trace is byte-identical to the stored one
    pub reproduced: bool,
    /// What differs, most fundamental first (empty when reproduced)
    pub differences: Vec<Difference>,
}

/// Compare a stored trace (its text) with a fresh one.
pub fn verify(stored: &str, recorded: &Recorded, fresh: &Trace) -> Verdict {
    let fresh_text = fresh.to_json_text();
    if fresh_text == stored {
        return Verdict {
            reproduced: true,
            differences: Vec::new(),
        };
    }
    let now = serde_json::to_value(fresh).unwrap_or(Json::Null);
    let old = &recorded.json;
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
    if rf != cf {
        differences.push(Difference::Facts {
            recorded: rf,
            current: cf,
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
        // Same content, different bytes: the file was reformatted or edited by hand.
        differences.push(Difference::Result {
            node: "the file's layout".into(),
            recorded: "different bytes".into(),
            current: "the same content as formatted by meso".into(),
        });
    }
    Verdict {
        reproduced: false,
        differences,
    }
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
        (a, b) if a == b => None,
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
