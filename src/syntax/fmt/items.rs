//! Formatter, declarations: facts, parameters, derived values, types, policies and tests,
//! each in its canonical layout and clause order.
//!
//! Input: `ast::Item`s. Output: lines written through the `Printer`, each tagged with the
//! source offset of its anchor so comments can follow it.

use super::comments::TokKind;
use super::{Printer, INDENT};
use crate::source::Span;
use crate::syntax::ast::{Criterion, Expectation, FactType, FactValue, Item, Literal, Meta};
use crate::syntax::ast::{DerivedDecl, FactDecl, ParamDecl, PolicyDecl, TestDecl, TypeDecl};

/// A line to print and the anchor offset it starts with.
type Line = (Option<usize>, String);

impl Printer<'_> {
    pub(super) fn item(&mut self, item: &Item, force_blank: bool) {
        match item {
            Item::Fact(d) => self.fact(d, force_blank),
            Item::Param(d) => self.param(d, force_blank),
            Item::Derived(d) => self.derived(d, force_blank),
            Item::Type(d) => self.type_decl(d, force_blank),
            Item::Policy(d) => self.policy(d, force_blank),
            Item::Test(d) => self.test(d, force_blank),
        }
    }

    pub(super) fn item_is_multiline(&self, item: &Item) -> bool {
        let has_meta = |m: &Meta| {
            m.label.is_some() || m.description.is_some() || m.cite.is_some() || m.unit.is_some()
        };
        match item {
            Item::Fact(d) => has_meta(&d.meta) || d.minimum.is_some() || d.maximum.is_some(),
            Item::Param(d) => has_meta(&d.meta),
            Item::Derived(d) => has_meta(&d.meta),
            Item::Type(_) | Item::Policy(_) | Item::Test(_) => true,
        }
    }

    /// The anchor offset of a node starting at `at` (only when formatting source text).
    fn key(&self, at: u32) -> Option<usize> {
        self.src.map(|_| at as usize)
    }

    /// The anchor of a clause whose value starts at `at`: its keyword.
    fn clause_key(&self, at: u32) -> Option<usize> {
        self.keyword_before(at)
    }

    /// The closing brace of a declaration, if its source ends with one.
    fn decl_close(&self, span: Span) -> Option<usize> {
        let (text, _) = self.src?;
        let end = (span.end as usize).checked_sub(1)?;
        (text.as_bytes().get(end) == Some(&b'}')).then_some(end)
    }

    /// The first `word {` block directly inside the declaration at `span`: the offsets of
    /// its keyword and of its closing brace.
    fn block(&self, span: Span, word: &str) -> (Option<usize>, Option<usize>) {
        let Some((text, toks)) = self.src else {
            return (None, None);
        };
        let code: Vec<_> = toks
            .iter()
            .filter(|t| t.kind != TokKind::Comment)
            .filter(|t| t.start >= span.start as usize && t.end <= span.end as usize)
            .collect();
        let mut depth = 0usize;
        let mut found: Option<(usize, usize)> = None;
        for (i, t) in code.iter().enumerate() {
            match t.kind {
                TokKind::Open => {
                    depth += 1;
                }
                TokKind::Close => {
                    if let Some((key, d)) = found {
                        if depth == d {
                            return (Some(key), Some(t.start));
                        }
                    }
                    depth = depth.saturating_sub(1);
                }
                TokKind::Word
                    if found.is_none()
                        && depth == 1
                        && text.get(t.start..t.end) == Some(word)
                        && code.get(i + 1).is_some_and(|n| n.kind == TokKind::Open) =>
                {
                    found = Some((t.start, 2));
                }
                _ => {}
            }
        }
        (found.map(|(k, _)| k), None)
    }

    fn meta_line(&self, keyword: &str, s: &Option<crate::source::Spanned<String>>) -> Option<Line> {
        let s = s.as_ref()?;
        let text = self
            .writer()
            .long_string(&s.node, s.span, self.indent + INDENT);
        Some((self.clause_key(s.span.start), format!("{keyword} {text}")))
    }

    /// `label`, `description`, `unit` (in this order) and `cite` separately.
    fn meta_lines(&self, meta: &Meta) -> (Vec<Line>, Option<Line>) {
        let lines = [
            self.meta_line("label", &meta.label),
            self.meta_line("description", &meta.description),
            self.meta_line("unit", &meta.unit),
        ]
        .into_iter()
        .flatten()
        .collect();
        (lines, self.meta_line("cite", &meta.cite))
    }

    /// `header`, or `header { lines }` when there are lines.
    fn with_body(
        &mut self,
        key: Option<usize>,
        span: Span,
        header: &str,
        lines: Vec<Line>,
        force: bool,
    ) {
        if lines.is_empty() {
            self.begin(key, force);
            self.raw_line(key, header);
            return;
        }
        self.open(key, header, force);
        for (k, text) in lines {
            self.line(k, &text);
        }
        self.close(self.decl_close(span));
    }

    fn fact(&mut self, d: &FactDecl, force: bool) {
        let ty = match &d.ty.node {
            FactType::Number => "number".to_string(),
            FactType::Count => "count".to_string(),
            FactType::Integer => "integer".to_string(),
            FactType::Ratio => "ratio".to_string(),
            FactType::Boolean => "boolean".to_string(),
            FactType::Text => "text".to_string(),
            FactType::Level(l) => format!("level {}", names(l, " < ")),
            FactType::OneOf(l) => format!("one of {}", names(l, ", ")),
            FactType::SetOf(l) => format!("set of {}", names(l, ", ")),
        };
        let (mut lines, cite) = self.meta_lines(&d.meta);
        for (word, bound) in [("minimum", &d.minimum), ("maximum", &d.maximum)] {
            if let Some(b) = bound {
                let n = self.writer().number_at(b.node, b.span);
                lines.push((self.clause_key(b.span.start), format!("{word} {n}")));
            }
        }
        lines.extend(cite);
        let header = format!("fact {}: {ty}", d.name.name);
        self.with_body(self.key(d.span.start), d.span, &header, lines, force);
    }

    fn literal(&self, l: &crate::source::Spanned<Literal>) -> String {
        match &l.node {
            Literal::Number { value, text } => {
                if text.is_empty() {
                    super::expr::number(*value)
                } else {
                    text.clone()
                }
            }
            Literal::Text(s) => self.writer().long_string(s, l.span, self.indent + INDENT),
            Literal::Bool(b) => b.to_string(),
            Literal::Name(n) => n.clone(),
        }
    }

    fn param(&mut self, d: &ParamDecl, force: bool) {
        let (mut lines, cite) = self.meta_lines(&d.meta);
        lines.extend(cite);
        let header = format!("param {} = {}", d.name.name, self.literal(&d.value));
        self.with_body(self.key(d.span.start), d.span, &header, lines, force);
    }

    fn derived(&mut self, d: &DerivedDecl, force: bool) {
        let (mut lines, cite) = self.meta_lines(&d.meta);
        lines.extend(cite);
        let header = format!(
            "derived {} = {}",
            d.name.name,
            self.writer().expr(&d.expr, 1)
        );
        self.with_body(self.key(d.span.start), d.span, &header, lines, force);
    }

    fn criterion(&self, c: &Criterion) -> Line {
        let mut text = format!("{}: {}", c.name.name, self.writer().expr(&c.expr, 1));
        if let Some(w) = &c.weight {
            text.push_str(" weight ");
            text.push_str(&self.writer().number_at(w.node, w.span));
        }
        if let Some(n) = &c.note {
            text.push_str(" note ");
            text.push_str(
                &self
                    .writer()
                    .long_string(&n.node, n.span, self.indent + INDENT),
            );
        }
        (self.key(c.name.span.start), text)
    }

    fn type_decl(&mut self, d: &TypeDecl, force: bool) {
        let mut header = format!("type {}", d.name.name);
        if let Some(p) = &d.extends {
            header.push_str(" extends ");
            header.push_str(&p.name);
        }
        self.open(self.key(d.span.start), &header, force);
        let (lines, cite) = self.meta_lines(&d.meta);
        for (k, text) in lines.into_iter().chain(cite) {
            self.line(k, &text);
        }
        for (word, criteria) in [
            ("required", &d.required),
            ("indicative", &d.indicative),
            ("excluding", &d.excluding),
        ] {
            if criteria.is_empty() {
                continue;
            }
            let (key, close) = self.block(d.span, word);
            self.open(key, word, false);
            for c in criteria {
                let (k, text) = self.criterion(c);
                self.line(k, &text);
            }
            self.close(close);
        }
        self.close(self.decl_close(d.span));
    }

    fn policy(&mut self, d: &PolicyDecl, force: bool) {
        let word = d.kind.keyword();
        self.open(
            self.key(d.span.start),
            &format!("{word} {}", d.name.name),
            force,
        );
        let (mut lines, cite) = self.meta_lines(&d.meta);
        if let Some(first) = d.for_types.first() {
            let key = self.clause_key(first.span.start);
            lines.push((key, format!("for {}", names(&d.for_types, ", "))));
        }
        if let Some(w) = &d.when {
            let text = format!("when {}", self.writer().expr(w, 1));
            lines.push((self.clause_key(w.span.start), text));
        }
        if let Some(p) = &d.phase {
            let text = format!("phase {}", self.writer().number_at(p.node, p.span));
            lines.push((self.clause_key(p.span.start), text));
        }
        if let Some(first) = d.after.first() {
            let key = self.clause_key(first.span.start);
            lines.push((key, format!("after {}", names(&d.after, ", "))));
        }
        lines.extend(self.meta_line("advice", &d.advice));
        lines.extend(self.meta_line("rationale", &d.rationale));
        lines.extend(cite);
        for (k, text) in lines {
            self.line(k, &text);
        }
        self.close(self.decl_close(d.span));
    }

    fn test(&mut self, d: &TestDecl, force: bool) {
        let name = self.writer().string(&d.name.node, d.name.span);
        self.open(self.key(d.span.start), &format!("test {name}"), force);
        if !d.given.is_empty() {
            let (key, close) = self.block(d.span, "given");
            self.open(key, "given", false);
            let width = d
                .given
                .iter()
                .map(|a| a.name.name.chars().count())
                .max()
                .unwrap_or(0);
            for a in &d.given {
                let pad = width.saturating_sub(a.name.name.chars().count());
                let value = self.fact_value(&a.value);
                let text = format!("{}{} = {value}", a.name.name, " ".repeat(pad));
                self.line(self.key(a.name.span.start), &text);
            }
            self.close(close);
        }
        for p in &d.params {
            let text = format!("param {} = {}", p.name.name, self.literal(&p.value));
            self.line(self.clause_key(p.name.span.start), &text);
        }
        for e in &d.expects {
            let (span, text) = self.expectation(e);
            self.line(self.key(span.start), &text);
        }
        self.close(self.decl_close(d.span));
    }

    fn fact_value(&self, v: &crate::source::Spanned<FactValue>) -> String {
        match &v.node {
            FactValue::Unknown => "unknown".to_string(),
            FactValue::Number(n) => self.writer().number_at(*n, v.span),
            FactValue::Text(s) => self.writer().long_string(s, v.span, self.indent + INDENT),
            FactValue::Bool(b) => b.to_string(),
            FactValue::Name(n) => n.clone(),
            FactValue::List(items) => format!("[{}]", names(items, ", ")),
        }
    }

    fn expectation(&self, e: &Expectation) -> (Span, String) {
        match e {
            Expectation::Classification {
                name,
                provisional,
                span,
            } => {
                let which = if *provisional { "provisional " } else { "" };
                (
                    *span,
                    format!("expect {which}classification is {}", name.name),
                )
            }
            Expectation::Status {
                name,
                status,
                negated,
                span,
            } => {
                let word = status.as_str();
                let not = if *negated { "not " } else { "" };
                (*span, format!("expect {} is {not}{word}", name.name))
            }
            Expectation::Score {
                name,
                op,
                value,
                span,
            } => {
                // The bound is the last word of the line as written.
                let written = self
                    .text()
                    .and_then(|t| t.get(span.start as usize..span.end as usize))
                    .and_then(|s| s.split_whitespace().last())
                    .filter(|w| crate::syntax::lexical::number_value(w) == Some(*value))
                    .map(str::to_string);
                let n = written.unwrap_or_else(|| super::expr::number(*value));
                (
                    *span,
                    format!("expect {} score {} {n}", name.name, op.as_str()),
                )
            }
        }
    }
}

fn names(list: &[crate::syntax::ast::Ident], sep: &str) -> String {
    list.iter()
        .map(|i| i.name.as_str())
        .collect::<Vec<_>>()
        .join(sep)
}
