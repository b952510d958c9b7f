//! Validation of a whole facts file against the fact declarations.
//!
//! Input: the [`Node`] tree a format reader produced (or its syntax issues), the program's
//! fact declarations. Output: [`Facts`] (one slot per declared fact, in `program.facts`
//! order, with origins) plus every problem found, in file order.

use std::collections::HashMap;

use miette::NamedSource;

use super::check::{check_value, source_span, Ctx, Syntax};
use super::error::FactsError;
use super::node::{line_of, Entry, Node, NodeKind, SyntaxIssue};
use super::{FactOrigin, Facts, LoadOptions};
use crate::ir::Program;
use crate::suggest::did_you_mean;

/// What validating one file found.
pub(crate) struct Report {
    /// The facts (complete even when there are errors: bad values stay unknown)
    pub facts: Facts,
    /// Problems in file order, with whether each is only a warning
    pub problems: Vec<(FactsError, bool)>,
}

/// Validate a parsed facts file. `root` is `None` when syntax errors prevent reading it.
pub(crate) fn validate(
    program: &Program,
    src: &NamedSource<String>,
    syntax: Syntax,
    root: Option<&Node>,
    issues: &[SyntaxIssue],
    opts: &LoadOptions,
) -> Report {
    let name = src.name().to_string();
    let text = src.inner().as_str();
    let ctx = Ctx { src, syntax };
    let mut facts = Facts::unknown(program.facts.len());
    let mut problems: Vec<(usize, FactsError, bool)> = Vec::new();
    let entries: &[Entry] = match root.map(|r| &r.kind) {
        Some(NodeKind::Map(entries)) => entries,
        _ => &[],
    };

    for issue in issues {
        let error = match &issue.duplicate_key {
            Some(key) => FactsError::DuplicateKey {
                key: key.clone(),
                src: src.clone(),
                span: source_span(&issue.span),
                first: entries
                    .iter()
                    .find(|e| &e.key == key && e.key_span != issue.span)
                    .map(|e| source_span(&e.key_span)),
            },
            None => FactsError::Syntax {
                name: name.clone(),
                format: format_name(syntax),
                message: issue.message.clone(),
                hint: syntax_hint(syntax),
                src: src.clone(),
                span: source_span(&issue.span),
            },
        };
        problems.push((issue.span.start, error, false));
    }

    if let Some(root) = root {
        if !matches!(root.kind, NodeKind::Map(_)) {
            let error = FactsError::NotAMapping {
                found: root.describe(),
                src: src.clone(),
                span: source_span(&root.span),
                help: Some(mapping_example(syntax)),
            };
            problems.push((root.span.start, error, false));
        }
    }

    let mut seen: HashMap<&str, &Entry> = HashMap::new();
    for entry in entries {
        let at = entry.key_span.start;
        if let Some(first) = seen.get(entry.key.as_str()) {
            let error = FactsError::DuplicateKey {
                key: entry.key.clone(),
                src: src.clone(),
                span: source_span(&entry.key_span),
                first: Some(source_span(&first.key_span)),
            };
            problems.push((at, error, false));
            continue;
        }
        seen.insert(&entry.key, entry);
        let Some(id) = program.fact_id(&entry.key) else {
            let help = did_you_mean(&entry.key, program.facts.iter().map(|f| f.name.as_str()));
            let (key, span) = (entry.key.clone(), source_span(&entry.key_span));
            let error = if opts.allow_unknown_facts {
                FactsError::IgnoredFact {
                    key,
                    src: src.clone(),
                    span,
                    help,
                }
            } else {
                let help = Some(help.unwrap_or_else(|| {
                    "declare it with `fact` in the rules, or remove it from the facts".into()
                }));
                FactsError::UnknownFact {
                    key,
                    src: src.clone(),
                    span,
                    help,
                }
            };
            problems.push((at, error, opts.allow_unknown_facts));
            continue;
        };
        // INVARIANT: `fact_id` only returns ids of `program.facts`, and `facts.values` has one
        // slot per fact (made from the same program above), so neither lookup below fails.
        let Some(fact) = program.fact(id) else {
            continue;
        };
        match check_value(fact, &entry.value, &ctx) {
            Ok(value) => {
                if let Some(slot) = facts.values.get_mut(id.index()) {
                    *slot = value;
                }
                if let Some(origin) = facts.origins.get_mut(id.index()) {
                    *origin = Some(FactOrigin {
                        source: name.clone(),
                        key: entry.key.clone(),
                        line: Some(line_of(text, entry.key_span.start)),
                    });
                }
            }
            Err(errors) => {
                problems.extend(
                    errors
                        .into_iter()
                        .map(|e| (entry.value.span.start, e, false)),
                );
            }
        }
    }

    // Stable: problems at the same place keep the order they were found in.
    problems.sort_by_key(|(at, _, _)| *at);
    Report {
        facts,
        problems: problems.into_iter().map(|(_, e, w)| (e, w)).collect(),
    }
}

/// The format's name as users know it.
pub(crate) fn format_name(syntax: Syntax) -> &'static str {
    match syntax {
        Syntax::Json => "JSON",
        Syntax::Yaml => "YAML",
        Syntax::Toml => "TOML",
        Syntax::Cli => "a command-line value",
    }
}

fn mapping_example(syntax: Syntax) -> String {
    match syntax {
        Syntax::Json => {
            "write an object of facts, e.g. {\"firms\": 120, \"trust\": \"low\"}".into()
        }
        Syntax::Yaml => "write one `name: value` per line, e.g. `firms: 120`".into(),
        Syntax::Toml | Syntax::Cli => {
            "write one `name = value` per line, e.g. `firms = 120`".into()
        }
    }
}

fn syntax_hint(syntax: Syntax) -> &'static str {
    match syntax {
        Syntax::Json => "a JSON facts file is one object: {\"firms\": 120, \"trust\": \"low\"}",
        Syntax::Yaml => "a YAML facts file has one `name: value` per line, e.g. `firms: 120`",
        Syntax::Toml | Syntax::Cli => {
            "a TOML facts file has one `name = value` per line; text in quotes: `trust = \"low\"`"
        }
    }
}
