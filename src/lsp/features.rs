//! The editor requests beyond diagnostics, hover, definition and completion: formatting,
//! references, rename, the outline (document and workspace symbols), quick fixes, semantic
//! tokens and inlay hints. Each is a function of an [`Analysis`] and a position, with no
//! protocol plumbing (that is in `server`).
//!
//! Input: the analysis of a rule set (documents, trees, name index). Output: LSP types.
//! Only files whose current text parses are read for names, so every range given back fits
//! the text the editor has.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use lsp_types::{
    CodeAction, CodeActionKind, Diagnostic, DiagnosticSeverity, DocumentSymbol, InlayHint,
    InlayHintKind, InlayHintLabel, InlayHintTooltip, NumberOrString, Position, Range,
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokensLegend, SymbolKind,
    TextEdit, WorkspaceEdit,
};

use crate::syntax::ast::{self, Item};

use super::analysis::{analyze, Analysis, Document, ParsedFile};
use super::index::{literal_text, DeclKind};
use super::position::{word_at, LineIndex};
use super::symbols::{is_valid_name, occurrences, Occurrence, SymbolKind as Sym};
use super::uri::path_to_uri;

/// The semantic token types, in legend order (the index is the token type sent).
pub const TOKEN_TYPES: &[(Sym, &str)] = &[
    (Sym::Decl(DeclKind::Fact), "variable"),
    (Sym::Level, "enumMember"),
    (Sym::Decl(DeclKind::Param), "parameter"),
    (Sym::Decl(DeclKind::Derived), "property"),
    (Sym::Decl(DeclKind::Type), "class"),
    (Sym::Decl(DeclKind::Policy), "function"),
    (Sym::Decl(DeclKind::Avoid), "event"),
    (Sym::Criterion, "enum"),
    (Sym::Function, "macro"),
];

/// The legend of [`semantic_tokens`]: the types of [`TOKEN_TYPES`] and one modifier,
/// `declaration` (bit 0), on the name in its declaration.
pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TOKEN_TYPES
            .iter()
            .map(|(_, name)| SemanticTokenType::new(name))
            .collect(),
        token_modifiers: vec![SemanticTokenModifier::DECLARATION],
    }
}

/// A file of the analysis whose text parses now, with its names.
pub struct NamedFile<'a> {
    /// The document
    pub doc: &'a Document,
    /// Its lines
    pub lines: LineIndex,
    /// Its tree
    pub tree: &'a ast::RuleFile,
    /// Every name written in it
    pub names: Vec<Occurrence>,
}

impl NamedFile<'_> {
    /// The editor range of a byte span.
    pub fn range(&self, start: usize, end: usize) -> Range {
        self.lines.range(&self.doc.text, start, end)
    }
}

/// The files of `analysis` whose current text parses, with their names.
pub fn named_files(analysis: &Analysis) -> Vec<NamedFile<'_>> {
    analysis
        .documents
        .iter()
        .filter_map(|doc| named_file(analysis, doc))
        .collect()
}

fn named_file<'a>(analysis: &'a Analysis, doc: &'a Document) -> Option<NamedFile<'a>> {
    let parsed: &ParsedFile = analysis.parsed.get(&doc.path)?;
    if parsed.text != doc.text {
        return None;
    }
    Some(NamedFile {
        doc,
        lines: LineIndex::new(&doc.text),
        tree: &parsed.tree,
        names: occurrences(&doc.text, &parsed.tree, &analysis.index),
    })
}

/// The name written at `position` in `path`.
pub fn symbol_at(analysis: &Analysis, path: &Path, position: Position) -> Option<Occurrence> {
    let doc = analysis.document(path)?;
    let file = named_file(analysis, doc)?;
    let offset = file.lines.offset(&doc.text, position);
    file.names
        .into_iter()
        .find(|o| o.start <= offset && offset <= o.end)
}

/// Every place the symbol at `position` is written, across the rule set's files (tests and
/// `after` lists included), in file and then source order.
pub fn references(
    analysis: &Analysis,
    path: &Path,
    position: Position,
    include_declaration: bool,
) -> Vec<(PathBuf, Range)> {
    let Some(target) = symbol_at(analysis, path, position) else {
        return Vec::new();
    };
    if matches!(target.kind, Sym::Function | Sym::Criterion) {
        // Built in, or local to its type: only this place.
        return vec![(path.to_path_buf(), range_in(analysis, path, &target))];
    }
    let mut out = Vec::new();
    for file in named_files(analysis) {
        for o in &file.names {
            if o.same_symbol(&target) && (include_declaration || !o.declaration) {
                out.push((file.doc.path.clone(), file.range(o.start, o.end)));
            }
        }
    }
    out
}

fn range_in(analysis: &Analysis, path: &Path, o: &Occurrence) -> Range {
    analysis.document(path).map_or_else(Range::default, |d| {
        LineIndex::new(&d.text).range(&d.text, o.start, o.end)
    })
}

/// Whether the name at `position` can be renamed: its range and text, or why not.
pub fn prepare_rename(
    analysis: &Analysis,
    path: &Path,
    position: Position,
) -> Result<(Range, String), String> {
    let Some(doc) = analysis.document(path) else {
        return Err("this file is not part of a rule set the server knows".into());
    };
    if named_file(analysis, doc).is_none() {
        return Err(format!(
            "{} does not parse; fix the syntax error before renaming",
            doc.path.display()
        ));
    }
    let Some(target) = symbol_at(analysis, path, position) else {
        let offset = LineIndex::new(&doc.text).offset(&doc.text, position);
        return Err(match word_at(&doc.text, offset) {
            Some((_, _, word)) if super::symbols::RESERVED.contains(&word) => {
                format!("`{word}` is a keyword of the language, not a name that can be renamed")
            }
            Some((_, _, word)) => format!(
                "`{word}` is not a fact, level, parameter, derived value, type, criterion, policy or avoid item"
            ),
            None => "there is no name here to rename".into(),
        });
    };
    match target.kind {
        Sym::Function => Err(format!(
            "`{}` is a built-in function and cannot be renamed",
            target.name
        )),
        Sym::Unknown => Err(format!(
            "`{}` is declared nowhere; declare it or correct it first",
            target.name
        )),
        _ => Ok((range_in(analysis, path, &target), target.name)),
    }
}

/// The edits that rename the symbol at `position` to `new_name` in every file of the rule
/// set, or why the rename is refused (not a name, a clash, or a rule set that would no
/// longer check).
pub fn rename(
    analysis: &Analysis,
    path: &Path,
    position: Position,
    new_name: &str,
) -> Result<BTreeMap<PathBuf, Vec<TextEdit>>, String> {
    let (_, old) = prepare_rename(analysis, path, position)?;
    let Some(target) = symbol_at(analysis, path, position) else {
        return Err("there is no name here to rename".into());
    };
    if !is_valid_name(new_name) {
        return Err(format!(
            "`{new_name}` cannot be a name: names start with a letter or `_`, hold only letters, digits and `_`, and are not keywords"
        ));
    }
    if new_name == old {
        return Ok(BTreeMap::new());
    }
    if let Some(broken) = analysis
        .documents
        .iter()
        .find(|d| named_file(analysis, d).is_none())
    {
        return Err(format!(
            "{} does not parse; fix it before renaming so that every use is found",
            broken.path.display()
        ));
    }
    clash(analysis, &target, new_name)?;

    let mut edits: BTreeMap<PathBuf, Vec<TextEdit>> = BTreeMap::new();
    let mut texts: Vec<Document> = Vec::new();
    for file in named_files(analysis) {
        let mut spans: Vec<(usize, usize)> = if target.kind == Sym::Criterion {
            if file.doc.path == path {
                vec![(target.start, target.end)]
            } else {
                Vec::new()
            }
        } else {
            file.names
                .iter()
                .filter(|o| o.same_symbol(&target))
                .map(|o| (o.start, o.end))
                .collect()
        };
        let mut text = file.doc.text.clone();
        spans.sort_unstable();
        for &(start, end) in spans.iter().rev() {
            text.replace_range(start..end, new_name);
        }
        if !spans.is_empty() {
            edits.insert(
                file.doc.path.clone(),
                spans
                    .iter()
                    .map(|&(s, e)| TextEdit::new(file.range(s, e), new_name.to_string()))
                    .collect(),
            );
        }
        texts.push(Document {
            path: file.doc.path.clone(),
            text,
        });
    }

    // The renamed rule set must check as well as before.
    let errors = |a: &Analysis| -> Vec<String> {
        a.diagnostics
            .iter()
            .flatten()
            .filter(|d| d.severity == Some(DiagnosticSeverity::ERROR))
            .map(|d| d.message.lines().next().unwrap_or("").to_string())
            .collect()
    };
    let before = errors(analysis);
    let after = analyze(texts, &HashMap::new());
    if let Some(new_error) = errors(&after).into_iter().find(|e| !before.contains(e)) {
        return Err(format!(
            "renaming `{old}` to `{new_name}` would break the rule set: {new_error}"
        ));
    }
    Ok(edits)
}

/// A rename to a name that is taken: the reason.
fn clash(analysis: &Analysis, target: &Occurrence, new_name: &str) -> Result<(), String> {
    let index = &analysis.index;
    let declared = |name: &str| {
        index.decls.get(name).map(|d| {
            format!(
                "`{name}` is already the name of the {} declared in {}:{}",
                d.kind.describe(),
                d.path.display(),
                d.name_range.start.line + 1
            )
        })
    };
    match target.kind {
        Sym::Decl(_) => {
            if let Some(reason) = declared(new_name) {
                return Err(reason);
            }
            if let Some(site) = index.levels.get(new_name).and_then(|s| s.first()) {
                return Err(format!(
                    "`{new_name}` is a level of `{}`; a {} with that name would be confused with it in conditions",
                    site.fact,
                    kind_word(target.kind)
                ));
            }
        }
        Sym::Level => {
            if let Some(reason) = declared(new_name) {
                return Err(reason);
            }
            let facts: Vec<&str> = index
                .levels
                .get(&target.name)
                .into_iter()
                .flatten()
                .map(|s| s.fact.as_str())
                .collect();
            if let Some(site) = index
                .levels
                .get(new_name)
                .into_iter()
                .flatten()
                .find(|s| facts.contains(&s.fact.as_str()))
            {
                return Err(format!("`{}` already has a level `{new_name}`", site.fact));
            }
        }
        Sym::Criterion => {
            let siblings = criteria_beside(analysis, target);
            if siblings.iter().any(|c| c == new_name) {
                return Err(format!("this type already has a criterion `{new_name}`"));
            }
        }
        Sym::Function | Sym::Unknown => {}
    }
    Ok(())
}

/// The names of the criteria of the type that declares the criterion `target`.
fn criteria_beside(analysis: &Analysis, target: &Occurrence) -> Vec<String> {
    for file in named_files(analysis) {
        for item in &file.tree.items {
            if let Item::Type(t) = item {
                let all: Vec<&ast::Criterion> = t
                    .required
                    .iter()
                    .chain(&t.indicative)
                    .chain(&t.excluding)
                    .collect();
                if all.iter().any(|c| {
                    c.name.span.start as usize == target.start && c.name.name == target.name
                }) {
                    return all.iter().map(|c| c.name.name.clone()).collect();
                }
            }
        }
    }
    Vec::new()
}

fn kind_word(kind: Sym) -> &'static str {
    match kind {
        Sym::Decl(d) => d.describe(),
        Sym::Level => "level",
        Sym::Criterion => "criterion",
        Sym::Function => "function",
        Sym::Unknown => "name",
    }
}

/// The outline of one file: facts (with their levels), parameters, derived values, types
/// (with their criteria), policies, avoid items and tests, in source order.
pub fn document_symbols(text: &str, tree: &ast::RuleFile) -> Vec<DocumentSymbol> {
    let lines = LineIndex::new(text);
    let range =
        |span: crate::source::Span| lines.range(text, span.start as usize, span.end as usize);
    let symbol = |name: &str,
                  detail: Option<String>,
                  kind: SymbolKind,
                  whole: crate::source::Span,
                  at: crate::source::Span,
                  children: Vec<DocumentSymbol>| {
        #[allow(deprecated)]
        DocumentSymbol {
            name: name.to_string(),
            detail,
            kind,
            tags: None,
            deprecated: None,
            range: range(whole),
            selection_range: range(at),
            children: (!children.is_empty()).then_some(children),
        }
    };
    tree.items
        .iter()
        .map(|item| match item {
            Item::Fact(f) => {
                let levels = match &f.ty.node {
                    ast::FactType::Level(ids)
                    | ast::FactType::OneOf(ids)
                    | ast::FactType::SetOf(ids) => ids
                        .iter()
                        .map(|l| {
                            symbol(
                                &l.name,
                                None,
                                SymbolKind::ENUM_MEMBER,
                                l.span,
                                l.span,
                                Vec::new(),
                            )
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                let detail = format!("fact: {}", super::index::fact_type_text(&f.ty.node));
                symbol(
                    &f.name.name,
                    Some(detail),
                    SymbolKind::FIELD,
                    f.span,
                    f.name.span,
                    levels,
                )
            }
            Item::Param(p) => symbol(
                &p.name.name,
                Some(format!("param = {}", literal_text(&p.value.node))),
                SymbolKind::CONSTANT,
                p.span,
                p.name.span,
                Vec::new(),
            ),
            Item::Derived(d) => symbol(
                &d.name.name,
                Some("derived".into()),
                SymbolKind::PROPERTY,
                d.span,
                d.name.span,
                Vec::new(),
            ),
            Item::Type(t) => {
                let mut criteria = Vec::new();
                for (word, list) in [
                    ("required", &t.required),
                    ("indicative", &t.indicative),
                    ("excluding", &t.excluding),
                ] {
                    for c in list {
                        criteria.push(symbol(
                            &c.name.name,
                            Some(word.into()),
                            SymbolKind::BOOLEAN,
                            c.span,
                            c.name.span,
                            Vec::new(),
                        ));
                    }
                }
                let detail = match &t.extends {
                    Some(parent) => format!("type extends {}", parent.name),
                    None => "type".into(),
                };
                symbol(
                    &t.name.name,
                    Some(detail),
                    SymbolKind::CLASS,
                    t.span,
                    t.name.span,
                    criteria,
                )
            }
            Item::Policy(p) => {
                let (word, kind) = match p.kind {
                    crate::vocab::PolicyKind::Recommend => ("policy", SymbolKind::FUNCTION),
                    crate::vocab::PolicyKind::Avoid => ("avoid", SymbolKind::EVENT),
                };
                symbol(
                    &p.name.name,
                    Some(word.into()),
                    kind,
                    p.span,
                    p.name.span,
                    Vec::new(),
                )
            }
            Item::Test(t) => symbol(
                &t.name.node,
                Some("test".into()),
                SymbolKind::METHOD,
                t.span,
                t.name.span,
                Vec::new(),
            ),
        })
        .collect()
}

/// The declarations of the rule set whose name contains `query` (ignoring case), in
/// declaration order, as (name, kind, file, range).
pub fn workspace_symbols(
    analysis: &Analysis,
    query: &str,
) -> Vec<(String, SymbolKind, PathBuf, Range)> {
    let query = query.to_lowercase();
    analysis
        .index
        .decls
        .values()
        .filter(|d| d.name.to_lowercase().contains(&query))
        .map(|d| {
            let kind = match d.kind {
                DeclKind::Fact => SymbolKind::FIELD,
                DeclKind::Param => SymbolKind::CONSTANT,
                DeclKind::Derived => SymbolKind::PROPERTY,
                DeclKind::Type => SymbolKind::CLASS,
                DeclKind::Policy => SymbolKind::FUNCTION,
                DeclKind::Avoid => SymbolKind::EVENT,
            };
            (d.name.clone(), kind, d.path.clone(), d.name_range)
        })
        .collect()
}

/// The semantic tokens of one file (see [`legend`]), or `None` if it does not parse now.
pub fn semantic_tokens(analysis: &Analysis, path: &Path) -> Option<Vec<SemanticToken>> {
    let doc = analysis.document(path)?;
    let file = named_file(analysis, doc)?;
    let mut out = Vec::new();
    let mut last = Position::new(0, 0);
    for o in &file.names {
        let Some(token_type) = TOKEN_TYPES.iter().position(|(k, _)| *k == o.kind) else {
            continue;
        };
        let range = file.range(o.start, o.end);
        if range.start.line != range.end.line {
            continue;
        }
        let delta_line = range.start.line.saturating_sub(last.line);
        let delta_start = if delta_line == 0 {
            range.start.character.saturating_sub(last.character)
        } else {
            range.start.character
        };
        out.push(SemanticToken {
            delta_line,
            delta_start,
            length: range.end.character.saturating_sub(range.start.character),
            token_type: u32::try_from(token_type).unwrap_or(0),
            token_modifiers_bitset: u32::from(o.declaration),
        });
        last = range.start;
    }
    Some(out)
}

/// Inlay hints in `range` of one file: after each use of a parameter, its value in the
/// rule set (`= 50`), with its citation and description as the tooltip.
pub fn inlay_hints(analysis: &Analysis, path: &Path, range: Range) -> Vec<InlayHint> {
    let Some(file) = analysis
        .document(path)
        .and_then(|d| named_file(analysis, d))
    else {
        return Vec::new();
    };
    let params = parameter_values(analysis);
    let mut out = Vec::new();
    for o in &file.names {
        if o.kind != Sym::Decl(DeclKind::Param) || o.declaration {
            continue;
        }
        let at = file.range(o.start, o.end);
        if at.end < range.start || at.start > range.end {
            continue;
        }
        let Some((value, tooltip)) = params.get(&o.name) else {
            continue;
        };
        out.push(InlayHint {
            position: at.end,
            label: InlayHintLabel::String(format!("= {value}")),
            kind: Some(InlayHintKind::PARAMETER),
            text_edits: None,
            tooltip: (!tooltip.is_empty()).then(|| InlayHintTooltip::String(tooltip.clone())),
            padding_left: Some(true),
            padding_right: None,
            data: None,
        });
    }
    out
}

/// Each parameter's value as written, with its citation and description.
fn parameter_values(analysis: &Analysis) -> HashMap<String, (String, String)> {
    let mut out = HashMap::new();
    for doc in &analysis.documents {
        let Some(parsed) = analysis.parsed.get(&doc.path) else {
            continue;
        };
        for item in &parsed.tree.items {
            if let Item::Param(p) = item {
                let mut tooltip = Vec::new();
                if let Some(cite) = &p.meta.cite {
                    tooltip.push(format!("cite: {}", cite.node));
                }
                if let Some(description) = &p.meta.description {
                    tooltip.push(description.node.clone());
                }
                out.entry(p.name.name.clone())
                    .or_insert((literal_text(&p.value.node), tooltip.join("\n")));
            }
        }
    }
    out
}

/// The quick fixes for `diagnostics` (as the editor sent them back) in `path`:
/// - a "did you mean" suggestion applied (also the closest level a test value's help lists);
/// - an unknown level with nothing close added to its fact's levels;
/// - `# meso: allow(code)` above the declaration, for a warning;
/// - a `cite` clause added, for `missing_cite`;
/// - a fact declared, for an undefined name without a suggestion (in a condition or a
///   test's `given`).
pub fn code_actions(
    analysis: &Analysis,
    path: &Path,
    diagnostics: &[Diagnostic],
) -> Vec<CodeAction> {
    let Some(doc) = analysis.document(path) else {
        return Vec::new();
    };
    let lines = LineIndex::new(&doc.text);
    let tree = analysis
        .parsed
        .get(path)
        .filter(|p| p.text == doc.text)
        .map(|p| &p.tree);
    let mut out = Vec::new();
    let action =
        |title: String, d: &Diagnostic, edits: Vec<(PathBuf, TextEdit)>, preferred: bool| {
            let mut changes: BTreeMap<PathBuf, Vec<TextEdit>> = BTreeMap::new();
            for (p, e) in edits {
                changes.entry(p).or_default().push(e);
            }
            CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![d.clone()]),
                edit: Some(workspace_edit(changes)),
                is_preferred: Some(preferred),
                ..CodeAction::default()
            }
        };
    for d in diagnostics {
        let code = match &d.code {
            Some(NumberOrString::String(c)) => c.as_str(),
            _ => "",
        };
        let start = lines.offset(&doc.text, d.range.start);
        let end = lines.offset(&doc.text, d.range.end);
        let written = doc.text.get(start..end).unwrap_or("");
        let suggested = suggestion(d).or_else(|| listed_choice(d, code, written));
        if let Some(suggestion) = suggested {
            if !written.is_empty() && written.chars().all(super::position::is_name_char) {
                out.push(action(
                    format!("Change `{written}` to `{suggestion}`"),
                    d,
                    vec![(path.to_path_buf(), TextEdit::new(d.range, suggestion))],
                    true,
                ));
            }
        } else if code == "meso::check::unknown_level" && is_valid_name(written) {
            if let Some((title, file, edit)) = add_level(analysis, &d.message, written) {
                out.push(action(title, d, vec![(file, edit)], false));
            }
        } else if code == "meso::check::undefined_name" && is_valid_name(written) {
            if let Some((file, edit)) = declare_fact(analysis, path, written) {
                out.push(action(
                    format!("Declare fact `{written}` in {}", file_name(&file)),
                    d,
                    vec![(file, edit)],
                    false,
                ));
            }
        }
        let item = tree.and_then(|t| item_at(t, start));
        if code == "meso::check::missing_cite" {
            if let Some(brace) = item.and_then(|i| first_brace(&doc.text, item_span(i))) {
                let at = lines.position(&doc.text, brace + 1);
                out.push(action(
                    "Add a `cite` clause".into(),
                    d,
                    vec![(
                        path.to_path_buf(),
                        TextEdit::new(
                            Range::new(at, at),
                            "\n  cite \"Author Year, §section\"".into(),
                        ),
                    )],
                    true,
                ));
            }
        }
        if d.severity == Some(DiagnosticSeverity::WARNING) && code.starts_with("meso::check::") {
            let short = code.trim_start_matches("meso::check::");
            let line = item.map_or(d.range.start.line, |i| {
                lines.position(&doc.text, item_span(i).start as usize).line
            });
            let at = Position::new(line, 0);
            out.push(action(
                format!("Allow `{short}` here (`# meso: allow({short})`)"),
                d,
                vec![(
                    path.to_path_buf(),
                    TextEdit::new(Range::new(at, at), format!("# meso: allow({short})\n")),
                )],
                false,
            ));
        }
    }
    out
}

/// For "`x` is not a level of `fact`" with nothing close: add `x` after the fact's last
/// level (`< x` for ordered levels, `, x` for `one of` and `set of`).
fn add_level(
    analysis: &Analysis,
    message: &str,
    level: &str,
) -> Option<(String, PathBuf, TextEdit)> {
    let rest = message.get(message.find("is not a level of `")? + "is not a level of `".len()..)?;
    let fact = rest.get(..rest.find('`')?)?;
    for doc in &analysis.documents {
        let Some(parsed) = analysis
            .parsed
            .get(&doc.path)
            .filter(|p| p.text == doc.text)
        else {
            continue;
        };
        for item in &parsed.tree.items {
            let Item::Fact(f) = item else { continue };
            if f.name.name != fact {
                continue;
            }
            let (ids, sep) = match &f.ty.node {
                ast::FactType::Level(ids) => (ids, " < "),
                ast::FactType::OneOf(ids) | ast::FactType::SetOf(ids) => (ids, ", "),
                _ => return None,
            };
            let last = ids.last()?;
            let at = LineIndex::new(&doc.text).position(&doc.text, last.span.end as usize);
            let title = format!(
                "Add `{level}` to the levels of `{fact}` (after `{}`)",
                last.name
            );
            let edit = TextEdit::new(Range::new(at, at), format!("{sep}{level}"));
            return Some((title, doc.path.clone(), edit));
        }
    }
    None
}

/// The suggestion of a diagnostic: its `data.suggestion`, or the name in "did you mean `x`?".
pub fn suggestion(d: &Diagnostic) -> Option<String> {
    if let Some(s) = d
        .data
        .as_ref()
        .and_then(|v| v.get("suggestion"))
        .and_then(|v| v.as_str())
    {
        return Some(s.to_string());
    }
    did_you_mean(&d.message)
}

/// For a test value or level that is not one of the choices the help lists ("give one of
/// `low`, `medium`, `high`"), the listed choice closest to what is written.
fn listed_choice(d: &Diagnostic, code: &str, written: &str) -> Option<String> {
    if !matches!(
        code,
        "meso::check::invalid_test_value" | "meso::check::unknown_level"
    ) {
        return None;
    }
    let help = d.message.get(d.message.find("\nhelp: ")?..)?;
    let choices: Vec<&str> = help
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|c| is_valid_name(c))
        .collect();
    crate::suggest::closest(written, choices).map(str::to_string)
}

/// The name in a "did you mean `x`?" text.
pub fn did_you_mean(text: &str) -> Option<String> {
    let rest = text.get(text.find("did you mean `")? + "did you mean `".len()..)?;
    let name = rest.get(..rest.find('`')?)?;
    is_valid_name(name).then(|| name.to_string())
}

/// Where to declare a missing fact: at the end of the file that declares the most facts
/// (the vocabulary), else at the end of `path`.
fn declare_fact(analysis: &Analysis, path: &Path, name: &str) -> Option<(PathBuf, TextEdit)> {
    let mut counts: BTreeMap<&PathBuf, usize> = BTreeMap::new();
    for d in analysis.index.decls.values() {
        if d.kind == DeclKind::Fact {
            *counts.entry(&d.path).or_default() += 1;
        }
    }
    let file = counts
        .iter()
        .max_by_key(|(p, n)| (**n, std::cmp::Reverse(**p)))
        .map_or_else(|| path.to_path_buf(), |(p, _)| (*p).clone());
    let doc = analysis.document(&file)?;
    let end = LineIndex::new(&doc.text).position(&doc.text, doc.text.len());
    let lead = if doc.text.is_empty() || doc.text.ends_with("\n\n") {
        ""
    } else if doc.text.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    let text = format!("{lead}fact {name}: number {{\n  description \"\"\n}}\n");
    Some((file, TextEdit::new(Range::new(end, end), text)))
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The top-level declaration containing byte `offset`.
fn item_at(tree: &ast::RuleFile, offset: usize) -> Option<&Item> {
    tree.items.iter().find(|i| {
        let s = item_span(i);
        s.start as usize <= offset && offset <= s.end as usize
    })
}

fn item_span(item: &Item) -> crate::source::Span {
    match item {
        Item::Fact(x) => x.span,
        Item::Param(x) => x.span,
        Item::Derived(x) => x.span,
        Item::Type(x) => x.span,
        Item::Policy(x) => x.span,
        Item::Test(x) => x.span,
    }
}

/// The offset of the first `{` inside `span` (the declaration's block).
fn first_brace(text: &str, span: crate::source::Span) -> Option<usize> {
    let inside = text.get(span.start as usize..span.end as usize)?;
    inside.find('{').map(|i| span.start as usize + i)
}

/// The edit that formats a whole document as `meso fmt` does, or the reason it cannot
/// (the text does not parse). No edit when the text is formatted already.
pub fn format_document(path: &Path, text: &str) -> Result<Vec<TextEdit>, String> {
    let formatted = crate::facade::format(&path.display().to_string(), text)
        .map_err(|e| format!("{}: not formatted: {e}", path.display()))?;
    if formatted == text {
        return Ok(Vec::new());
    }
    let lines = LineIndex::new(text);
    let end = lines.position(text, text.len());
    Ok(vec![TextEdit::new(
        Range::new(Position::new(0, 0), end),
        formatted,
    )])
}

/// Edits by file as a [`WorkspaceEdit`] (files without a `file://` URI are left out).
// lsp_types keys the edits by `Uri`, whose cell is a parse cache that changes neither its
// equality nor its hash.
#[allow(clippy::mutable_key_type)]
pub fn workspace_edit(edits: BTreeMap<PathBuf, Vec<TextEdit>>) -> WorkspaceEdit {
    let mut changes = HashMap::new();
    for (path, list) in edits {
        if let Some(uri) = path_to_uri(&path) {
            changes.insert(uri, list);
        }
    }
    WorkspaceEdit {
        changes: Some(changes),
        ..WorkspaceEdit::default()
    }
}

/// Signature help inside a call of a built-in function (`min(a, |`): its signature, with the
/// argument the cursor is in.
pub fn signature_help(text: &str, offset: usize) -> Option<lsp_types::SignatureHelp> {
    use lsp_types::{
        Documentation, ParameterInformation, ParameterLabel, SignatureHelp, SignatureInformation,
    };
    let offset = super::position::floor_char_boundary(text, offset);
    let before = text.get(..offset)?;
    let mut depth = 0usize;
    let mut commas = 0u32;
    let mut open = None;
    for (i, c) in before.char_indices().rev() {
        match c {
            ')' | ']' => depth += 1,
            '(' | '[' if depth > 0 => depth -= 1,
            '(' => {
                open = Some(i);
                break;
            }
            '[' => return None,
            ',' if depth == 0 => commas += 1,
            '{' | '}' => return None,
            _ => {}
        }
    }
    let head = before.get(..open?)?.trim_end();
    let (_, _, name) = word_at(head, head.len())?;
    let (_, doc) = super::completion::FUNCTIONS
        .iter()
        .find(|(f, _)| *f == name)?;
    // `min(a, b, ...): the smallest number` → the signature and what it gives.
    let (label, what) = doc.split_once(": ").unwrap_or((doc, ""));
    let inside = label
        .get(label.find('(')? + 1..label.rfind(')')?)
        .unwrap_or("");
    let params: Vec<&str> = inside.split(", ").collect();
    let variadic = params.last() == Some(&"...");
    let fixed = if variadic {
        params.len() - 1
    } else {
        params.len()
    };
    let active = if variadic && commas as usize >= fixed {
        u32::try_from(fixed.saturating_sub(1)).unwrap_or(0)
    } else {
        commas.min(u32::try_from(params.len().saturating_sub(1)).unwrap_or(0))
    };
    Some(SignatureHelp {
        signatures: vec![SignatureInformation {
            label: label.to_string(),
            documentation: Some(Documentation::String(what.to_string())),
            parameters: Some(
                params
                    .iter()
                    .map(|p| ParameterInformation {
                        label: ParameterLabel::Simple((*p).to_string()),
                        documentation: None,
                    })
                    .collect(),
            ),
            active_parameter: Some(active),
        }],
        active_signature: Some(0),
        active_parameter: Some(active),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn active(text_with_cursor: &str) -> Option<(String, u32)> {
        let offset = text_with_cursor.find('|').unwrap_or(text_with_cursor.len());
        let text = text_with_cursor.replace('|', "");
        let help = signature_help(&text, offset)?;
        Some((
            help.signatures.first()?.label.clone(),
            help.active_parameter?,
        ))
    }

    #[test]
    fn signature_help_in_calls_of_built_in_functions() {
        assert_eq!(active("x: min(|"), Some(("min(a, b, ...)".into(), 0)));
        assert_eq!(active("x: min(a, |"), Some(("min(a, b, ...)".into(), 1)));
        assert_eq!(
            active("x: min(a, b, c, |"),
            Some(("min(a, b, ...)".into(), 1))
        );
        assert_eq!(
            active("x: count(a > (b + 1), x in [p, q], |"),
            Some(("count(c1, c2, ...)".into(), 1))
        );
        assert_eq!(active("x: abs(a|"), Some(("abs(x)".into(), 0)));
        assert_eq!(active("x: (a + |"), None);
        assert_eq!(active("x: min(a) + |"), None);
        assert_eq!(active("x: trust in [a, |"), None);
    }
}
