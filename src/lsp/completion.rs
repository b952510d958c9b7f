//! Completion: which names fit at the cursor, by a simple look at the text before it.
//!
//! Input: a file's text, the cursor's byte offset and the rule set's [`NameIndex`].
//! Output: completion items. The heuristic, from the text before the cursor:
//! - inside `[...]` after `x in` / `x =`: the levels or members of `x`;
//! - after `x ==`, `x !=`, `x <=`, `x is`, `x is not`, `x contains`, `x between`, `x =`
//!   (with `x` a level, `one of` or `set of` value): the levels of `x`;
//! - after `for`/`extends` (or in a `for a, b` list): cluster types; after `after`:
//!   policies; after `expect`: types, policies and `classification`;
//! - otherwise: facts, parameters, derived values and functions.

use lsp_types::{CompletionItem, CompletionItemKind, Documentation, MarkupContent, MarkupKind};

use super::index::{DeclKind, Declaration, NameIndex};
use super::position::{floor_char_boundary, is_name_char};

/// What the cursor is expected to complete.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Slot {
    /// Level or member names of the named value
    Levels(String),
    /// Cluster type names
    Types,
    /// Policy and avoid item names
    Policies,
    /// What an `expect` line can name
    Expect,
    /// Any value in an expression
    Value,
}

/// Built-in functions, with a one-line description.
pub(crate) const FUNCTIONS: &[(&str, &str)] = &[
    ("min", "min(a, b, ...): the smallest number"),
    ("max", "max(a, b, ...): the largest number"),
    ("abs", "abs(x): the absolute value"),
    ("count", "count(c1, c2, ...): how many conditions hold"),
    ("any", "any(c1, c2, ...): whether any condition holds"),
    ("all", "all(c1, c2, ...): whether all conditions hold"),
];

/// Decide what fits at `offset` in `text`.
pub fn slot_at(text: &str, offset: usize) -> Slot {
    let offset = floor_char_boundary(text, offset);
    let prefix = text.get(..offset).unwrap_or("");
    // Drop the part of the name already typed.
    let typed = prefix
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_name_char(*c))
        .last()
        .map_or(prefix.len(), |(i, _)| i);
    let before = prefix.get(..typed).unwrap_or("");
    let line = before.rsplit('\n').next().unwrap_or("");

    if let Some(name) = list_owner(before) {
        return Slot::Levels(name);
    }
    let trimmed = before.trim_end();
    let (rest, last) = split_last_word(trimmed);
    match last {
        "for" | "extends" => return Slot::Types,
        "after" => return Slot::Policies,
        "expect" => return Slot::Expect,
        "is" if split_last_word(rest.trim_end()).1 == "classification" => return Slot::Types,
        _ => {}
    }
    if trimmed.ends_with(',') {
        let clause = line.trim_start();
        if clause.starts_with("for ") || clause.contains(" for ") {
            return Slot::Types;
        }
        if clause.starts_with("after ") || clause.contains(" after ") {
            return Slot::Policies;
        }
    }
    if let Some(name) = compared_name(trimmed) {
        return Slot::Levels(name);
    }
    Slot::Value
}

/// In `x in [a, ` or `x = [a, ` (an unclosed `[` on the way back), the name `x`.
fn list_owner(before: &str) -> Option<String> {
    let mut depth = 0usize;
    for (i, c) in before.char_indices().rev() {
        match c {
            ']' => depth += 1,
            '[' if depth == 0 => {
                let head = before.get(..i)?.trim_end();
                let head = head.strip_suffix('=').or_else(|| {
                    strip_word(head, "in").map(|h| strip_word(h.trim_end(), "not").unwrap_or(h))
                })?;
                let (_, name) = split_last_word(head.trim_end());
                return (!name.is_empty()).then(|| name.to_string());
            }
            '[' => depth -= 1,
            '{' | '}' | '\n' if depth == 0 => return None,
            _ => {}
        }
    }
    None
}

/// In `x ==`, `x is not`, `x contains`, `x between`, `x =`, the name `x`.
fn compared_name(trimmed: &str) -> Option<String> {
    let mut head = None;
    for op in ["==", "!=", "<=", ">=", "<", ">", "="] {
        if let Some(h) = trimmed.strip_suffix(op) {
            head = Some(h);
            break;
        }
    }
    if head.is_none() {
        let (rest, word) = split_last_word(trimmed);
        head = match word {
            "is" | "contains" | "between" => Some(rest),
            "not" => strip_word(rest.trim_end(), "is"),
            _ => None,
        };
    }
    let (_, name) = split_last_word(head?.trim_end());
    (!name.is_empty()).then(|| name.to_string())
}

/// `text` without a final whole word `word`.
fn strip_word<'t>(text: &'t str, word: &str) -> Option<&'t str> {
    let (rest, last) = split_last_word(text);
    (last == word).then_some(rest)
}

/// (text before the last name, the last name) of text ending in a name; ("", "") parts
/// when it does not end in one.
fn split_last_word(text: &str) -> (&str, &str) {
    let start = text
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_name_char(*c))
        .last()
        .map_or(text.len(), |(i, _)| i);
    (
        text.get(..start).unwrap_or(""),
        text.get(start..).unwrap_or(""),
    )
}

/// The completion items for the cursor at `offset` in `text`.
pub fn complete(text: &str, offset: usize, index: &NameIndex) -> Vec<CompletionItem> {
    match slot_at(text, offset) {
        Slot::Levels(name) => {
            let levels = index
                .decls
                .get(&name)
                .map(|d| d.levels.clone())
                .unwrap_or_default();
            if levels.is_empty() {
                return values(index);
            }
            levels
                .into_iter()
                .map(|level| CompletionItem {
                    detail: Some(format!("level of `{name}`")),
                    kind: Some(CompletionItemKind::ENUM_MEMBER),
                    ..CompletionItem::new_simple(level, String::new())
                })
                .collect()
        }
        Slot::Types => declared(index, |k| k == DeclKind::Type),
        Slot::Policies => declared(index, |k| matches!(k, DeclKind::Policy | DeclKind::Avoid)),
        Slot::Expect => {
            let mut items = declared(index, |k| {
                matches!(k, DeclKind::Type | DeclKind::Policy | DeclKind::Avoid)
            });
            items.push(CompletionItem {
                kind: Some(CompletionItemKind::KEYWORD),
                ..CompletionItem::new_simple("classification".into(), String::new())
            });
            items
        }
        Slot::Value => values(index),
    }
}

fn values(index: &NameIndex) -> Vec<CompletionItem> {
    let mut items = declared(index, |k| {
        matches!(k, DeclKind::Fact | DeclKind::Param | DeclKind::Derived)
    });
    items.extend(FUNCTIONS.iter().map(|(name, doc)| CompletionItem {
        kind: Some(CompletionItemKind::FUNCTION),
        detail: Some((*doc).to_string()),
        ..CompletionItem::new_simple((*name).to_string(), String::new())
    }));
    items
}

fn declared(index: &NameIndex, keep: impl Fn(DeclKind) -> bool) -> Vec<CompletionItem> {
    index
        .decls
        .values()
        .filter(|d| keep(d.kind))
        .map(item)
        .collect()
}

fn item(decl: &Declaration) -> CompletionItem {
    let kind = match decl.kind {
        DeclKind::Fact => CompletionItemKind::FIELD,
        DeclKind::Param => CompletionItemKind::CONSTANT,
        DeclKind::Derived => CompletionItemKind::VARIABLE,
        DeclKind::Type => CompletionItemKind::CLASS,
        DeclKind::Policy | DeclKind::Avoid => CompletionItemKind::EVENT,
    };
    let detail = match &decl.type_text {
        Some(ty) => format!("{}: {ty}", decl.kind.describe()),
        None => decl.kind.describe().to_string(),
    };
    CompletionItem {
        label: decl.name.clone(),
        kind: Some(kind),
        detail: Some(detail),
        documentation: Some(Documentation::MarkupContent(MarkupContent {
            kind: MarkupKind::Markdown,
            value: decl.hover.clone(),
        })),
        ..CompletionItem::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(text_with_cursor: &str) -> Slot {
        let offset = text_with_cursor.find('|').unwrap_or(text_with_cursor.len());
        let text = text_with_cursor.replace('|', "");
        slot_at(&text, offset)
    }

    #[test]
    fn levels_after_comparisons_and_in_lists() {
        let trust = Slot::Levels("trust".into());
        assert_eq!(slot("x: trust <= |"), trust);
        assert_eq!(slot("x: trust == me|"), trust);
        assert_eq!(slot("x: trust is not |"), trust);
        assert_eq!(slot("x: trust in [low, |"), trust);
        assert_eq!(slot("x: trust not in [|]"), trust);
        assert_eq!(slot("given { trust = |"), trust);
        assert_eq!(
            slot("x: markets contains |"),
            Slot::Levels("markets".into())
        );
        assert_eq!(
            slot("given { markets = [local, |"),
            Slot::Levels("markets".into())
        );
    }

    #[test]
    fn declarations_after_clause_keywords() {
        assert_eq!(slot("policy p { for |"), Slot::Types);
        assert_eq!(slot("  for a, b, |"), Slot::Types);
        assert_eq!(slot("type t extends c|"), Slot::Types);
        assert_eq!(slot("  after |"), Slot::Policies);
        assert_eq!(slot("  expect |"), Slot::Expect);
        assert_eq!(slot("  expect classification is |"), Slot::Types);
    }

    #[test]
    fn values_elsewhere() {
        assert_eq!(slot("required { a: |"), Slot::Value);
        assert_eq!(
            slot("required { a: firms >= min_firms and sh|"),
            Slot::Value
        );
        assert_eq!(slot("x: trust in [low] and |"), Slot::Value);
    }
}
