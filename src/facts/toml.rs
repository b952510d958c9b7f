//! TOML facts files: text → [`Node`] tree with byte spans.
//!
//! Input: the file text. Output: the top-level [`Node`] (always a table) or every syntax
//! error the recovering parser of the `toml` crate found. TOML itself forbids duplicate
//! keys, so the parser reports them; they are passed on marked as duplicates.

use ::toml::de::{DeTable, DeValue};
use ::toml::Spanned;

use super::node::{char_span, Entry, Node, NodeKind, SyntaxIssue};

/// Read a TOML facts file. When the only errors are duplicate keys, the table (holding
/// the first value of each key) is returned as well, so its values are still checked.
pub(crate) fn parse(text: &str) -> (Option<Node>, Vec<SyntaxIssue>) {
    let (table, errors) = DeTable::parse_recoverable(text);
    let issues: Vec<SyntaxIssue> = errors.iter().map(|e| syntax_issue(text, e)).collect();
    if issues.iter().any(|i| i.duplicate_key.is_none()) {
        return (None, issues);
    }
    let span = table.span();
    (Some(Node::new(table_kind(table.get_ref()), span)), issues)
}

fn syntax_issue(text: &str, err: &::toml::de::Error) -> SyntaxIssue {
    let span = err.span().unwrap_or(text.len()..text.len());
    let span = if span.is_empty() {
        char_span(text, span.start)
    } else {
        span
    };
    let message = err.message().trim_end_matches('.').to_string();
    let duplicate_key = (message == "duplicate key").then(|| {
        text.get(span.clone())
            .unwrap_or("")
            .trim_matches('"')
            .to_string()
    });
    SyntaxIssue {
        message,
        span,
        duplicate_key,
    }
}

fn table_kind(table: &DeTable<'_>) -> NodeKind {
    let mut entries: Vec<Entry> = table
        .iter()
        .map(|(key, value)| Entry {
            key: key.get_ref().to_string(),
            key_span: key.span(),
            value: to_node(value),
        })
        .collect();
    // The map may be sorted by key; file order is what users see.
    entries.sort_by_key(|e| e.key_span.start);
    NodeKind::Map(entries)
}

fn to_node(value: &Spanned<DeValue<'_>>) -> Node {
    let kind = match value.get_ref() {
        DeValue::String(s) => NodeKind::Str(s.to_string()),
        DeValue::Integer(i) => {
            match i128::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) => NodeKind::Number(n as f64),
                // Out of range even for i128: describe rather than guess.
                Err(_) => NodeKind::Other("a number too large to read"),
            }
        }
        DeValue::Float(f) => match f.as_str().parse::<f64>() {
            Ok(n) => NodeKind::Number(n),
            Err(_) => NodeKind::Other("a number that cannot be read"),
        },
        DeValue::Boolean(b) => NodeKind::Bool(*b),
        DeValue::Datetime(_) => NodeKind::Other("a date or time"),
        DeValue::Array(items) => NodeKind::List(items.iter().map(to_node).collect()),
        DeValue::Table(table) => table_kind(table),
    };
    Node::new(kind, value.span())
}
