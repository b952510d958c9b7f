//! Every place a name is written in a rule set: declarations and uses of facts, levels,
//! parameters, derived values, types, criteria, policies and avoid items, and calls of
//! functions. References, rename, the outline, semantic tokens and inlay hints read this.
//!
//! Input: a parsed file (its text and syntax tree) and the rule set's [`NameIndex`] (to tell
//! what a name in an expression or an `expect` line refers to). Output: [`Occurrence`]s in
//! source order, each with the byte span of the name alone.
//!
//! Names share one namespace (the checker refuses a fact and a type with one name), except
//! level names: a name in an expression is a declaration's if one has that name, else a
//! level's. A span that does not hold the name as written (which the parser never produces)
//! is skipped rather than trusted.

use crate::source::Span;
use crate::syntax::ast::{self, Expectation, ExprKind, FactType, FactValue, Item, Literal};

use super::index::{DeclKind, NameIndex};

/// What a written name is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    /// A declared name (fact, parameter, derived value, type, policy, avoid item)
    Decl(DeclKind),
    /// A level or member name of a `level`, `one of` or `set of` fact
    Level,
    /// A criterion's name inside a type
    Criterion,
    /// A built-in function (`min`, `count`, ...)
    Function,
    /// A name that is declared nowhere (the checker reports it)
    Unknown,
}

/// One name as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    /// The name
    pub name: String,
    /// What it is
    pub kind: SymbolKind,
    /// Byte offset of its first character
    pub start: usize,
    /// Byte offset one past its last character
    pub end: usize,
    /// Whether this is where the name is declared
    pub declaration: bool,
}

impl Occurrence {
    /// Whether renaming `other` must rename this too: the same name in the same namespace.
    pub fn same_symbol(&self, other: &Occurrence) -> bool {
        self.name == other.name && namespace(self.kind) == namespace(other.kind)
    }
}

/// Declarations share one namespace; levels have their own; criteria are local to their
/// type (not renamed across the rule set); functions are built in.
fn namespace(kind: SymbolKind) -> u8 {
    match kind {
        SymbolKind::Decl(_) | SymbolKind::Unknown => 0,
        SymbolKind::Level => 1,
        SymbolKind::Criterion => 2,
        SymbolKind::Function => 3,
    }
}

/// Every name written in one file, in source order.
pub fn occurrences(text: &str, tree: &ast::RuleFile, index: &NameIndex) -> Vec<Occurrence> {
    let mut walk = Walk {
        text,
        index,
        out: Vec::new(),
    };
    for item in &tree.items {
        walk.item(item);
    }
    walk.out.sort_by_key(|o| (o.start, o.end));
    walk.out.dedup_by_key(|o| (o.start, o.end));
    walk.out
}

struct Walk<'a> {
    text: &'a str,
    index: &'a NameIndex,
    out: Vec<Occurrence>,
}

impl Walk<'_> {
    /// Record `name` at `span` (or at the name's first whole-word place inside `span`).
    fn push(&mut self, name: &str, span: Span, kind: SymbolKind, declaration: bool) {
        let (start, end) = (span.start as usize, span.end as usize);
        let Some(found) = self.text.get(start..end) else {
            return;
        };
        let at = if found == name {
            Some(start)
        } else {
            whole_word(found, name).map(|i| start + i)
        };
        if let Some(at) = at {
            self.out.push(Occurrence {
                name: name.to_string(),
                kind,
                start: at,
                end: at + name.len(),
                declaration,
            });
        }
    }

    /// A name used where a declaration is expected (`for`, `after`, `expect`, `extends`).
    fn reference(&mut self, ident: &ast::Ident) {
        let kind = self.resolve(&ident.name, false);
        self.push(&ident.name, ident.span, kind, false);
    }

    /// What `name` refers to; `level_first` where a level is expected (test values).
    fn resolve(&self, name: &str, level_first: bool) -> SymbolKind {
        let level = self.index.levels.contains_key(name);
        if level_first && level {
            return SymbolKind::Level;
        }
        match self.index.decls.get(name) {
            Some(decl) => SymbolKind::Decl(decl.kind),
            None if level => SymbolKind::Level,
            None => SymbolKind::Unknown,
        }
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Fact(f) => {
                self.push(
                    &f.name.name,
                    f.name.span,
                    SymbolKind::Decl(DeclKind::Fact),
                    true,
                );
                if let FactType::Level(ids) | FactType::OneOf(ids) | FactType::SetOf(ids) =
                    &f.ty.node
                {
                    for id in ids {
                        self.push(&id.name, id.span, SymbolKind::Level, true);
                    }
                }
            }
            Item::Param(p) => {
                self.push(
                    &p.name.name,
                    p.name.span,
                    SymbolKind::Decl(DeclKind::Param),
                    true,
                );
                self.literal(&p.value);
            }
            Item::Derived(d) => {
                self.push(
                    &d.name.name,
                    d.name.span,
                    SymbolKind::Decl(DeclKind::Derived),
                    true,
                );
                self.expr(&d.expr);
            }
            Item::Type(t) => {
                self.push(
                    &t.name.name,
                    t.name.span,
                    SymbolKind::Decl(DeclKind::Type),
                    true,
                );
                if let Some(parent) = &t.extends {
                    self.reference(parent);
                }
                for c in t.required.iter().chain(&t.indicative).chain(&t.excluding) {
                    self.push(&c.name.name, c.name.span, SymbolKind::Criterion, true);
                    self.expr(&c.expr);
                }
            }
            Item::Policy(p) => {
                let kind = match p.kind {
                    crate::vocab::PolicyKind::Recommend => DeclKind::Policy,
                    crate::vocab::PolicyKind::Avoid => DeclKind::Avoid,
                };
                self.push(&p.name.name, p.name.span, SymbolKind::Decl(kind), true);
                for t in &p.for_types {
                    self.reference(t);
                }
                if let Some(when) = &p.when {
                    self.expr(when);
                }
                for a in &p.after {
                    self.reference(a);
                }
            }
            Item::Test(t) => {
                for a in &t.given {
                    self.reference(&a.name);
                    match &a.value.node {
                        FactValue::Name(n) => {
                            let kind = self.resolve(n, true);
                            self.push(n, a.value.span, kind, false);
                        }
                        FactValue::List(ids) => {
                            for id in ids {
                                let kind = self.resolve(&id.name, true);
                                self.push(&id.name, id.span, kind, false);
                            }
                        }
                        _ => {}
                    }
                }
                for p in &t.params {
                    self.reference(&p.name);
                    self.literal(&p.value);
                }
                for e in &t.expects {
                    match e {
                        Expectation::Classification { name, .. } => {
                            if name.name != "none" || self.index.decls.contains_key("none") {
                                self.reference(name);
                            }
                        }
                        Expectation::Status { name, .. } | Expectation::Score { name, .. } => {
                            self.reference(name);
                        }
                    }
                }
            }
        }
    }

    fn literal(&mut self, value: &crate::source::Spanned<Literal>) {
        if let Literal::Name(n) = &value.node {
            let kind = self.resolve(n, true);
            self.push(n, value.span, kind, false);
        }
    }

    fn expr(&mut self, expr: &ast::Expr) {
        match &expr.kind {
            ExprKind::Number { .. } | ExprKind::Text(_) | ExprKind::Bool(_) => {}
            ExprKind::Name(n) => {
                let kind = self.resolve(n, false);
                self.push(n, expr.span, kind, false);
            }
            ExprKind::Neg(x) | ExprKind::Not(x) => self.expr(x),
            ExprKind::Logic(_, a, b) | ExprKind::Arith(_, a, b) | ExprKind::Compare(_, a, b) => {
                self.expr(a);
                self.expr(b);
            }
            ExprKind::In { value, list, .. } => {
                self.expr(value);
                for x in list {
                    self.expr(x);
                }
            }
            ExprKind::Between { value, low, high } => {
                self.expr(value);
                self.expr(low);
                self.expr(high);
            }
            ExprKind::IsKnown { value, .. } => self.expr(value),
            ExprKind::Contains { set, item } => {
                self.expr(set);
                self.expr(item);
            }
            ExprKind::Call { func, args } => {
                self.push(&func.name, func.span, SymbolKind::Function, false);
                for a in args {
                    self.expr(a);
                }
            }
        }
    }
}

/// The byte offset of `name` as a whole word in `text`.
fn whole_word(text: &str, name: &str) -> Option<usize> {
    let is_name = super::position::is_name_char;
    text.match_indices(name).map(|(i, _)| i).find(|&i| {
        let before = text.get(..i).and_then(|s| s.chars().next_back());
        let after = text.get(i + name.len()..).and_then(|s| s.chars().next());
        !before.is_some_and(is_name) && !after.is_some_and(is_name)
    })
}

/// Whether `name` can be written as a name: a letter or `_` first, then letters, digits or
/// `_`, and not a word the language reserves.
pub fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_alphabetic() || first == '_')
        && chars.all(super::position::is_name_char)
        && !RESERVED.contains(&name)
}

/// Words that cannot be names: the expression keywords of `grammar/meso.pest` and the
/// declaration and clause keywords.
pub const RESERVED: &[&str] = &[
    "and",
    "or",
    "note",
    "not",
    "in",
    "between",
    "is",
    "true",
    "false",
    "contains",
    "weight",
    "unknown",
    "known",
    "none",
    "fact",
    "param",
    "derived",
    "type",
    "extends",
    "required",
    "indicative",
    "excluding",
    "policy",
    "avoid",
    "for",
    "when",
    "phase",
    "after",
    "advice",
    "rationale",
    "test",
    "given",
    "expect",
    "classification",
    "provisional",
    "score",
    "minimum",
    "maximum",
    "level",
    "one",
    "of",
    "set",
    "label",
    "description",
    "cite",
    "unit",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_keywords() {
        assert!(is_valid_name("trust"));
        assert!(is_valid_name("Sarchí_2"));
        assert!(!is_valid_name("2x"));
        assert!(!is_valid_name("for"));
        assert!(!is_valid_name("a-b"));
        assert!(!is_valid_name(""));
        assert_eq!(whole_word("x: trust_me >= trust", "trust"), Some(15));
    }
}
