//! The name index of a rule set: every declared name with where it is declared and the
//! text to show when hovering it; level names with the facts that declare them.
//!
//! Input: parsed rule files (syntax trees with their text and path), and optionally the
//! checked program (for the types of parameters and derived values). Output: [`NameIndex`].

use std::path::PathBuf;

use indexmap::IndexMap;
use lsp_types::Range;

use crate::ir::{Program, ValueType};
use crate::source::Span;
use crate::syntax::ast::{self, Item};

use super::position::LineIndex;

/// What a name declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeclKind {
    /// `fact`
    Fact,
    /// `param`
    Param,
    /// `derived`
    Derived,
    /// `type`
    Type,
    /// `policy`
    Policy,
    /// `avoid`
    Avoid,
}

impl DeclKind {
    /// The word for it in the language's documentation.
    pub fn describe(self) -> &'static str {
        match self {
            DeclKind::Fact => "fact",
            DeclKind::Param => "parameter",
            DeclKind::Derived => "derived value",
            DeclKind::Type => "cluster type",
            DeclKind::Policy => "policy",
            DeclKind::Avoid => "avoid item",
        }
    }
}

/// One declaration.
#[derive(Clone, Debug)]
pub struct Declaration {
    /// The declared name
    pub name: String,
    /// What it declares
    pub kind: DeclKind,
    /// The file it is declared in
    pub path: PathBuf,
    /// The name in the declaration
    pub name_range: Range,
    /// The whole declaration
    pub range: Range,
    /// Its type in words (`level low < medium < high`, `number`), where known
    pub type_text: Option<String>,
    /// Markdown shown on hover
    pub hover: String,
    /// Level or member names of a level, `one of` or `set of` value
    pub levels: Vec<String>,
}

/// Where a level name is declared.
#[derive(Clone, Debug)]
pub struct LevelSite {
    /// The fact whose type lists it
    pub fact: String,
    /// The file
    pub path: PathBuf,
    /// The level name in the fact's type
    pub range: Range,
}

/// Every name of a rule set.
#[derive(Clone, Debug, Default)]
pub struct NameIndex {
    /// Declarations by name, in declaration order (the first of duplicates wins)
    pub decls: IndexMap<String, Declaration>,
    /// Level and member names, with the facts listing them
    pub levels: IndexMap<String, Vec<LevelSite>>,
}

/// One parsed file to index.
pub struct IndexedFile<'a> {
    /// Its path
    pub path: &'a PathBuf,
    /// The text the tree was parsed from
    pub text: &'a str,
    /// The tree
    pub tree: &'a ast::RuleFile,
}

impl NameIndex {
    /// Index the declarations of parsed files.
    pub fn build(files: &[IndexedFile<'_>]) -> Self {
        let mut index = NameIndex::default();
        for file in files {
            let lines = LineIndex::new(file.text);
            let ctx = FileCtx {
                file,
                lines: &lines,
            };
            for item in &file.tree.items {
                ctx.add_item(&mut index, item);
            }
        }
        index
    }

    /// Add what only the checker knows: the types of parameters and derived values.
    pub fn add_types(&mut self, program: &Program) {
        let typed = program
            .params
            .iter()
            .map(|p| (&p.name, &p.ty))
            .chain(program.derived.iter().map(|d| (&d.name, &d.ty)));
        for (name, ty) in typed {
            let Some(decl) = self.decls.get_mut(name) else {
                continue;
            };
            let text = describe_value_type(ty);
            if let ValueType::Level { levels, .. } | ValueType::Set { members: levels } = ty {
                decl.levels = levels.clone();
            }
            decl.hover = decl.hover.replacen("\n```", &format!("\n```\n*{text}*"), 1);
            decl.type_text = Some(text);
        }
    }

    /// The hover text of a name: a declaration, or a level name with its facts.
    pub fn hover(&self, name: &str) -> Option<String> {
        if let Some(decl) = self.decls.get(name) {
            return Some(decl.hover.clone());
        }
        let sites = self.levels.get(name)?;
        let facts: Vec<String> = sites.iter().map(|s| format!("`{}`", s.fact)).collect();
        Some(format!(
            "```meso\n{name}\n```\nlevel of {}",
            join_words(&facts)
        ))
    }

    /// Where a name is declared: a declaration, or the first fact listing a level name.
    pub fn definition(&self, name: &str) -> Option<(PathBuf, Range)> {
        if let Some(decl) = self.decls.get(name) {
            return Some((decl.path.clone(), decl.name_range));
        }
        let site = self.levels.get(name)?.first()?;
        Some((site.path.clone(), site.range))
    }
}

struct FileCtx<'a> {
    file: &'a IndexedFile<'a>,
    lines: &'a LineIndex,
}

impl FileCtx<'_> {
    fn range(&self, span: Span) -> Range {
        self.lines
            .range(self.file.text, span.start as usize, span.end as usize)
    }

    fn snippet(&self, span: Span) -> String {
        let text = self
            .file
            .text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("");
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if flat.chars().count() > 200 {
            let short: String = flat.chars().take(200).collect();
            format!("{short} …")
        } else {
            flat
        }
    }

    fn add(
        &self,
        index: &mut NameIndex,
        name: &ast::Ident,
        kind: DeclKind,
        span: Span,
        hover: String,
        type_text: Option<String>,
    ) {
        if index.decls.contains_key(&name.name) {
            return;
        }
        index.decls.insert(
            name.name.clone(),
            Declaration {
                name: name.name.clone(),
                kind,
                path: self.file.path.clone(),
                name_range: self.range(name.span),
                range: self.range(span),
                type_text,
                hover,
                levels: Vec::new(),
            },
        );
    }

    fn add_item(&self, index: &mut NameIndex, item: &Item) {
        match item {
            Item::Fact(f) => {
                let ty = fact_type_text(&f.ty.node);
                let mut extra = Vec::new();
                if let Some(min) = &f.minimum {
                    extra.push(format!("minimum {}", min.node));
                }
                if let Some(max) = &f.maximum {
                    extra.push(format!("maximum {}", max.node));
                }
                let mut head = format!("fact {}: {ty}", f.name.name);
                if !extra.is_empty() {
                    head.push_str(&format!(" {{ {} }}", extra.join("  ")));
                }
                let hover = markdown(&head, &f.meta, &[]);
                self.add(index, &f.name, DeclKind::Fact, f.span, hover, Some(ty));
                if let ast::FactType::Level(names)
                | ast::FactType::OneOf(names)
                | ast::FactType::SetOf(names) = &f.ty.node
                {
                    if let Some(decl) = index.decls.get_mut(&f.name.name) {
                        if decl.levels.is_empty() && decl.path == *self.file.path {
                            decl.levels = names.iter().map(|n| n.name.clone()).collect();
                        }
                    }
                    for level in names {
                        index
                            .levels
                            .entry(level.name.clone())
                            .or_default()
                            .push(LevelSite {
                                fact: f.name.name.clone(),
                                path: self.file.path.clone(),
                                range: self.range(level.span),
                            });
                    }
                }
            }
            Item::Param(p) => {
                let head = format!("param {} = {}", p.name.name, literal_text(&p.value.node));
                let hover = markdown(&head, &p.meta, &[]);
                self.add(index, &p.name, DeclKind::Param, p.span, hover, None);
            }
            Item::Derived(d) => {
                let head = format!("derived {} = {}", d.name.name, self.snippet(d.expr.span));
                let hover = markdown(&head, &d.meta, &[]);
                self.add(index, &d.name, DeclKind::Derived, d.span, hover, None);
            }
            Item::Type(t) => {
                let mut head = format!("type {}", t.name.name);
                if let Some(parent) = &t.extends {
                    head.push_str(&format!(" extends {}", parent.name));
                }
                let names = |cs: &[ast::Criterion]| -> String {
                    let v: Vec<String> = cs.iter().map(|c| format!("`{}`", c.name.name)).collect();
                    v.join(", ")
                };
                let mut lines = Vec::new();
                for (word, list) in [
                    ("required", &t.required),
                    ("indicative", &t.indicative),
                    ("excluding", &t.excluding),
                ] {
                    if !list.is_empty() {
                        lines.push(format!("{word}: {}", names(list)));
                    }
                }
                let hover = markdown(&head, &t.meta, &lines);
                self.add(index, &t.name, DeclKind::Type, t.span, hover, None);
            }
            Item::Policy(p) => {
                let (word, kind) = match p.kind {
                    crate::vocab::PolicyKind::Recommend => ("policy", DeclKind::Policy),
                    crate::vocab::PolicyKind::Avoid => ("avoid", DeclKind::Avoid),
                };
                let head = format!("{word} {}", p.name.name);
                let mut lines = Vec::new();
                if !p.for_types.is_empty() {
                    let v: Vec<String> = p
                        .for_types
                        .iter()
                        .map(|t| format!("`{}`", t.name))
                        .collect();
                    lines.push(format!("for {}", v.join(", ")));
                }
                if let Some(when) = &p.when {
                    lines.push(format!("when `{}`", self.snippet(when.span)));
                }
                if let Some(phase) = &p.phase {
                    lines.push(format!("phase {}", phase.node));
                }
                if let Some(advice) = &p.advice {
                    lines.push(format!("advice: {}", advice.node));
                }
                let hover = markdown(&head, &p.meta, &lines);
                self.add(index, &p.name, kind, p.span, hover, None);
            }
            Item::Test(_) => {}
        }
    }
}

/// `**Label**`, the code line, the description, extra lines, unit and cite, as markdown.
fn markdown(head: &str, meta: &ast::Meta, extra: &[String]) -> String {
    let mut parts = vec![format!("```meso\n{head}\n```")];
    if let Some(label) = &meta.label {
        parts.push(format!("**{}**", label.node));
    }
    if let Some(description) = &meta.description {
        parts.push(description.node.clone());
    }
    parts.extend(extra.iter().cloned());
    if let Some(unit) = &meta.unit {
        parts.push(format!("unit: {}", unit.node));
    }
    if let Some(cite) = &meta.cite {
        parts.push(format!("cite: {}", cite.node));
    }
    parts.join("\n\n")
}

/// A fact type as written: `level low < medium < high`.
pub fn fact_type_text(ty: &ast::FactType) -> String {
    let names = |ids: &[ast::Ident], sep: &str| -> String {
        ids.iter()
            .map(|i| i.name.as_str())
            .collect::<Vec<_>>()
            .join(sep)
    };
    match ty {
        ast::FactType::Number => "number".into(),
        ast::FactType::Count => "count".into(),
        ast::FactType::Integer => "integer".into(),
        ast::FactType::Ratio => "ratio".into(),
        ast::FactType::Boolean => "boolean".into(),
        ast::FactType::Text => "text".into(),
        ast::FactType::Level(ids) => format!("level {}", names(ids, " < ")),
        ast::FactType::OneOf(ids) => format!("one of {}", names(ids, ", ")),
        ast::FactType::SetOf(ids) => format!("set of {}", names(ids, ", ")),
    }
}

/// A parameter's value as written in a rule file (strings quoted), for hovers and hints.
pub(super) fn literal_text(literal: &ast::Literal) -> String {
    match literal {
        ast::Literal::Number { text, .. } => text.clone(),
        ast::Literal::Text(s) => format!("{s:?}"),
        ast::Literal::Bool(b) => b.to_string(),
        ast::Literal::Name(n) => n.clone(),
    }
}

fn describe_value_type(ty: &ValueType) -> String {
    match ty {
        ValueType::Number => "number".into(),
        ValueType::Boolean => "boolean".into(),
        ValueType::Text => "text".into(),
        ValueType::Level {
            levels,
            ordered: true,
        } => format!("level {}", levels.join(" < ")),
        ValueType::Level {
            levels,
            ordered: false,
        } => format!("one of {}", levels.join(", ")),
        ValueType::Set { members } => format!("set of {}", members.join(", ")),
    }
}

fn join_words(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
