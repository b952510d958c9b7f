//! YAML facts files: text → [`Node`] tree with byte spans.
//!
//! Input: the file text. Output: the top-level [`Node`] or the syntax error.
//! Uses `serde-saphyr` (maintained, no unsafe YAML 1.1 surprises: only `true`/`false` are
//! booleans) with tight budgets so that alias bombs ("billion laughs") fail fast instead of
//! expanding, and passes duplicate keys through so validation can report them all.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::options::{AliasLimits, DuplicateKeyPolicy, NonFiniteFloatPolicy};
use serde_saphyr::{Budget, Location, Options, Spanned};

use super::node::{char_span, offset_of, Entry, Node, NodeKind, SyntaxIssue};

/// Read a YAML facts file.
pub(crate) fn parse(text: &str) -> Result<Node, SyntaxIssue> {
    let raw: Spanned<Raw> = serde_saphyr::from_str_with_options(text, options())
        .map_err(|err| syntax_issue(text, &err))?;
    let node = to_node(text, raw);
    // An empty document (or one with only comments) holds no facts.
    if node.kind == NodeKind::Null && text.lines().all(is_blank_or_comment) {
        return Ok(Node::new(NodeKind::Map(Vec::new()), 0..0));
    }
    Ok(node)
}

fn is_blank_or_comment(line: &str) -> bool {
    let line = line.trim();
    line.is_empty() || line.starts_with('#') || line == "---" || line == "..."
}

/// Parser options: facts files are small, so the budgets are far below the defaults.
fn options() -> Options {
    let mut budget = Budget::default();
    budget.max_events = 100_000;
    budget.max_aliases = 1_000;
    budget.max_anchors = 1_000;
    budget.max_recorded_anchor_events = 10_000;
    budget.max_recorded_anchor_bytes = 1024 * 1024;
    budget.max_depth = 32;
    budget.max_documents = 1;
    budget.max_nodes = 50_000;
    budget.max_total_scalar_bytes = 16 * 1024 * 1024;
    let mut alias_limits = AliasLimits::default();
    alias_limits.max_total_replayed_events = 10_000;
    alias_limits.max_replay_stack_depth = 16;
    alias_limits.max_alias_expansions_per_anchor = 1_000;
    serde_saphyr::options! {
        budget: Some(budget),
        alias_limits: alias_limits,
        duplicate_keys: DuplicateKeyPolicy::PassThrough,
        non_finite_float_policy: NonFiniteFloatPolicy::PassThrough,
        strict_booleans: true,
    }
}

fn syntax_issue(text: &str, err: &serde_saphyr::Error) -> SyntaxIssue {
    let inner = err.without_snippet();
    let mut message = inner.to_string();
    if let Some(i) = message.find(" at line ") {
        message.truncate(i);
    }
    let message = match limit_message(inner) {
        Some(limit) => limit.to_string(),
        None => message.trim_end_matches('.').to_string(),
    };
    let span = match inner.location().or_else(|| err.location()) {
        Some(loc) => location_span(text, &loc),
        None => char_span(text, text.len()),
    };
    let span = if span.is_empty() {
        char_span(text, span.start)
    } else {
        span
    };
    SyntaxIssue {
        message,
        span,
        duplicate_key: None,
    }
}

/// A message for a resource limit the parser stopped on (e.g. an alias bomb), if it did.
fn limit_message(mut err: &serde_saphyr::Error) -> Option<&'static str> {
    use serde_saphyr::budget::BudgetBreach;
    use serde_saphyr::Error as E;
    while let E::AliasError { error, .. } | E::WithSnippet { error, .. } = err {
        err = error;
    }
    match err {
        E::Budget {
            breach: BudgetBreach::Documents { .. },
            ..
        } => Some("a facts file holds a single YAML document (no second `---`)"),
        E::Budget { .. }
        | E::AliasReplayCounterOverflow { .. }
        | E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. } => {
            Some("too many aliases, nodes or nesting levels for a facts file")
        }
        _ => None,
    }
}

/// Byte range of a location (the parser gives byte offsets, else line and column).
fn location_span(text: &str, loc: &Location) -> std::ops::Range<usize> {
    let span = loc.span();
    if let (Some(start), Some(len)) = (span.byte_offset(), span.byte_len()) {
        let start = usize::try_from(start).unwrap_or(usize::MAX).min(text.len());
        let end = start
            .saturating_add(usize::try_from(len).unwrap_or(0))
            .min(text.len());
        if text.is_char_boundary(start) && text.is_char_boundary(end) {
            return start..end;
        }
    }
    let line = usize::try_from(loc.line()).unwrap_or(0);
    let column = usize::try_from(loc.column()).unwrap_or(0);
    let start = offset_of(text, line, column);
    start..start
}

fn to_node(text: &str, raw: Spanned<Raw>) -> Node {
    let span = location_span(text, &raw.referenced);
    let kind = match raw.value {
        Raw::Null => NodeKind::Null,
        Raw::Bool(b) => NodeKind::Bool(b),
        Raw::Number(n) => NodeKind::Number(n),
        Raw::Str(s) => NodeKind::Str(s),
        Raw::Bytes => NodeKind::Other("binary data"),
        Raw::List(items) => NodeKind::List(items.into_iter().map(|i| to_node(text, i)).collect()),
        Raw::Map(pairs) => NodeKind::Map(
            pairs
                .into_iter()
                .map(|(k, v)| {
                    let key = to_node(text, k);
                    let name = match key.kind {
                        NodeKind::Str(s) => s,
                        _ => text.get(key.span.clone()).unwrap_or("").to_string(),
                    };
                    Entry {
                        key: name,
                        key_span: key.span,
                        value: to_node(text, v),
                    }
                })
                .collect(),
        ),
    };
    // Collections are located at their first token only; cover their contents too.
    let end = match &kind {
        NodeKind::List(items) => items.iter().map(|i| i.span.end).max(),
        NodeKind::Map(entries) => entries
            .iter()
            .map(|e| e.value.span.end.max(e.key_span.end))
            .max(),
        _ => None,
    };
    let span = span.start..end.map_or(span.end, |end| end.max(span.end));
    Node::new(kind, span)
}

/// Any YAML value, with the location of every child.
enum Raw {
    Null,
    Bool(bool),
    Number(f64),
    Str(String),
    Bytes,
    List(Vec<Spanned<Raw>>),
    Map(Vec<(Spanned<Raw>, Spanned<Raw>)>),
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        Raw::deserialize(d)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Raw, E> {
        Ok(Raw::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Raw, E> {
        Ok(Raw::Number(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Raw, E> {
        Ok(Raw::Number(v as f64))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Raw, E> {
        Ok(Raw::Number(v as f64))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Raw, E> {
        Ok(Raw::Number(v as f64))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Raw, E> {
        Ok(Raw::Number(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Raw, E> {
        Ok(Raw::Str(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Raw, E> {
        Ok(Raw::Str(v))
    }

    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Raw, E> {
        Ok(Raw::Bytes)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Raw>>()? {
            items.push(item);
        }
        Ok(Raw::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut pairs = Vec::new();
        while let Some(key) = map.next_key::<Spanned<Raw>>()? {
            let value = map.next_value::<Spanned<Raw>>()?;
            pairs.push((key, value));
        }
        Ok(Raw::Map(pairs))
    }
}
