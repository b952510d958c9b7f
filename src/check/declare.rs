//! Declaration pass: every name into the namespace (duplicates reported), facts and
//! parameters lowered, types linked through `extends`.

use super::{meta_of, CheckKind, Checker, Decl, Progress};
use crate::ir::ParamOverride;
use crate::ir::{self, DerivedId, FactId, ParamId, PolicyId, TypeId, ValueType};
use crate::source::{FileId, Span};
use crate::suggest::did_you_mean;
use crate::syntax::ast::{self, Literal};
use crate::value::{format_number, Value};

/// Most members a `set of` fact may have (they are bits of one 64-bit mask).
const MAX_SET_MEMBERS: usize = 64;

impl<'a> Checker<'a> {
    pub(super) fn declare_all(&mut self, files: &'a [(FileId, ast::RuleFile)]) {
        for (_, file) in files {
            for item in &file.items {
                match item {
                    ast::Item::Fact(decl) => {
                        let id = FactId::from_index(self.program.facts.len());
                        if self.declare(&decl.name, Decl::Fact(id)) {
                            self.declare_fact(decl);
                        }
                    }
                    ast::Item::Param(decl) => {
                        let id = ParamId::from_index(self.program.params.len());
                        if self.declare(&decl.name, Decl::Param(id)) {
                            self.declare_param(decl);
                        }
                    }
                    ast::Item::Derived(decl) => {
                        let id = DerivedId::from_index(self.derived_ast.len());
                        if self.declare(&decl.name, Decl::Derived(id)) {
                            self.derived_ast.push(decl);
                            self.derived_progress.push(Progress::Pending);
                            self.derived_types.push(None);
                            self.used_derived.push(false);
                            self.program.derived.push(ir::Derived {
                                name: decl.name.name.clone(),
                                expr: ir::ExprId(0),
                                ty: ValueType::Boolean,
                                meta: meta_of(&decl.meta),
                                span: decl.span,
                            });
                        }
                    }
                    ast::Item::Type(decl) => {
                        let id = TypeId::from_index(self.type_ast.len());
                        if self.declare(&decl.name, Decl::Type(id)) {
                            self.type_ast.push(decl);
                            self.program.types.push(ir::ClusterType {
                                name: decl.name.name.clone(),
                                meta: meta_of(&decl.meta),
                                parent: None,
                                depth: 0,
                                required: Vec::new(),
                                indicative: Vec::new(),
                                excluding: Vec::new(),
                                span: decl.span,
                            });
                        }
                    }
                    ast::Item::Policy(decl) => {
                        let id = PolicyId::from_index(self.policy_ast.len());
                        if self.declare(&decl.name, Decl::Policy(id)) {
                            self.policy_ast.push(decl);
                        }
                    }
                    ast::Item::Test(decl) => self.test_ast.push(decl),
                }
            }
        }
    }

    /// Add a name to the namespace; false (and a diagnostic) when it is taken.
    fn declare(&mut self, name: &ast::Ident, decl: Decl) -> bool {
        if let Some((existing, first)) = self.names.get(&name.name).copied() {
            let same_file = first.file == name.span.file;
            let help = if same_file {
                Some("rename one of the two; names of facts, parameters, derived values, types and policies share one namespace".to_string())
            } else {
                Some(format!(
                    "the first definition is at {}; rename one of the two",
                    self.location(first)
                ))
            };
            self.report_with(
                CheckKind::DuplicateName,
                name.span,
                format!("`{}` is defined twice", name.name),
                format!("second definition, as a {}", decl.describe()),
                vec![(
                    first,
                    format!("first defined here, as a {}", existing.describe()),
                )],
                help,
            );
            return false;
        }
        self.names.insert(name.name.clone(), (decl, name.span));
        true
    }

    fn declare_fact(&mut self, decl: &ast::FactDecl) {
        let mut minimum = decl.minimum.as_ref().map(|m| m.node);
        let mut maximum = decl.maximum.as_ref().map(|m| m.node);
        let mut domain = None;
        let ty = match &decl.ty.node {
            ast::FactType::Number => ir::FactType::Number,
            ast::FactType::Integer => ir::FactType::Integer,
            ast::FactType::Count => {
                minimum = Some(minimum.map_or(0.0, |m| m.max(0.0)));
                ir::FactType::Integer
            }
            ast::FactType::Ratio => {
                minimum = Some(minimum.map_or(0.0, |m| m.max(0.0)));
                maximum = Some(maximum.map_or(1.0, |m| m.min(1.0)));
                ir::FactType::Ratio
            }
            ast::FactType::Boolean => ir::FactType::Boolean,
            ast::FactType::Text => ir::FactType::Text,
            ast::FactType::Level(names) | ast::FactType::OneOf(names) => {
                let ordered = matches!(decl.ty.node, ast::FactType::Level(_));
                let levels = self.level_names(names, decl.ty.span);
                domain = Some(self.intern_domain(levels.clone(), ordered));
                ir::FactType::Level { levels, ordered }
            }
            ast::FactType::SetOf(names) => {
                let members = self.level_names(names, decl.ty.span);
                if members.len() > MAX_SET_MEMBERS {
                    self.report(
                        CheckKind::InvalidLevels,
                        decl.ty.span,
                        format!(
                            "`{}` has {} members; a set may have at most {MAX_SET_MEMBERS}",
                            decl.name.name,
                            members.len()
                        ),
                        "too many members",
                        Some("split the set into several facts".into()),
                    );
                }
                domain = Some(self.intern_domain(members.clone(), false));
                ir::FactType::Set { members }
            }
        };
        let numeric = matches!(
            ty,
            ir::FactType::Number | ir::FactType::Integer | ir::FactType::Ratio
        );
        for bound in [&decl.minimum, &decl.maximum].into_iter().flatten() {
            if !numeric {
                self.report(
                    CheckKind::InvalidRange,
                    bound.span,
                    format!(
                        "`{}` is a {}, which has no range",
                        decl.name.name,
                        ty.describe()
                    ),
                    "range on a fact that is not a number",
                    Some("remove `minimum`/`maximum`, or declare the fact as a number".into()),
                );
            }
        }
        if let (Some(lo), Some(hi)) = (minimum, maximum) {
            if lo > hi {
                let span = decl.maximum.as_ref().map_or(decl.name.span, |m| m.span);
                self.report(
                    CheckKind::InvalidRange,
                    span,
                    format!(
                        "`{}` has minimum {} above its maximum {}",
                        decl.name.name,
                        format_number(lo),
                        format_number(hi)
                    ),
                    "maximum below minimum",
                    Some("swap the bounds, or check the fact's type (a ratio is at most 1)".into()),
                );
            }
        }
        self.fact_domain.push(domain);
        self.used_facts.push(false);
        self.program.facts.push(ir::Fact {
            name: decl.name.name.clone(),
            ty,
            minimum,
            maximum,
            meta: meta_of(&decl.meta),
            span: decl.span,
        });
    }

    /// Level names, with repeats reported.
    fn level_names(&mut self, names: &[ast::Ident], span: Span) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for name in names {
            if out.contains(&name.name) {
                self.report(
                    CheckKind::InvalidLevels,
                    name.span,
                    format!("`{}` is listed twice", name.name),
                    "repeated here",
                    Some("each level or member may appear once".into()),
                );
            } else {
                out.push(name.name.clone());
            }
        }
        let _ = span;
        out
    }

    fn declare_param(&mut self, decl: &'a ast::ParamDecl) {
        let (value, ty) = literal_value(&decl.value.node);
        self.param_ast.push(decl);
        self.param_literal.push(decl.value.node.clone());
        self.param_domain.push(None);
        self.used_params.push(false);
        self.program.params.push(ir::Param {
            name: decl.name.name.clone(),
            value,
            ty,
            overridden: false,
            meta: meta_of(&decl.meta),
            span: decl.span,
        });
    }

    /// Apply `--param name=value` before anything reads the parameters.
    pub(super) fn apply_overrides(&mut self, overrides: &[ParamOverride]) {
        for o in overrides {
            let Some(id) = self.program.param_id(&o.name) else {
                let help =
                    did_you_mean(&o.name, self.program.params.iter().map(|p| p.name.as_str()))
                        .or_else(|| {
                            Some(
                                "`--param` takes the name of a `param` declared in the rule set"
                                    .into(),
                            )
                        });
                let span = self
                    .program
                    .params
                    .first()
                    .map_or_else(Span::default, |p| p.span);
                self.report(
                    CheckKind::InvalidParam,
                    span,
                    format!(
                        "`--param {}`: the rule set declares no parameter `{}`",
                        o.name, o.name
                    ),
                    "parameters are declared in the rule files",
                    help,
                );
                continue;
            };
            // INVARIANT: `declare_param` pushes `param_ast[i]` and `program.params[i]`
            // together, so a parameter's id finds its declaration.
            let Some(decl) = self.param_ast.get(id.index()).copied() else {
                continue;
            };
            match parse_override(&decl.value.node, &o.value) {
                Ok(literal) => {
                    let (value, ty) = literal_value(&literal);
                    if let Some(param) = self.program.params.get_mut(id.index()) {
                        param.value = value;
                        param.ty = ty;
                        param.overridden = true;
                    }
                    // Level parameters are resolved at first use from the literal name.
                    if let Some(slot) = self.param_literal.get_mut(id.index()) {
                        *slot = literal;
                    }
                }
                Err(expected) => self.report(
                    CheckKind::InvalidParam,
                    decl.value.span,
                    format!("`--param {}={}`: {expected}", o.name, o.value),
                    format!("`{}` is declared here", o.name),
                    Some(format!("give `{}` a value like the declared one", o.name)),
                ),
            }
        }
    }

    /// Link types to their parents, reject `extends` loops, compute depths.
    pub(super) fn resolve_type_hierarchy(&mut self) {
        // INVARIANT: `declare_all` pushes `type_ast[i]` and `program.types[i]` together, so
        // the position of a declaration is its type's id. The list of references is copied so
        // that resolving can borrow the checker mutably.
        for (i, decl) in self.type_ast.clone().into_iter().enumerate() {
            let Some(parent) = &decl.extends else {
                continue;
            };
            if let Some(id) = self.expect_type(parent) {
                if let Some(t) = self.program.types.get_mut(i) {
                    t.parent = Some(id);
                }
            }
        }
        for (i, decl) in self.type_ast.clone().into_iter().enumerate() {
            let mut depth = 0u32;
            let mut current = self.program.types.get(i).and_then(|t| t.parent);
            let mut cyclic = false;
            while let Some(p) = current {
                depth += 1;
                if p.index() == i || depth as usize > self.program.types.len() {
                    cyclic = true;
                    break;
                }
                current = self.program.types.get(p.index()).and_then(|t| t.parent);
            }
            if cyclic {
                let span = decl.extends.as_ref().map_or(decl.name.span, |e| e.span);
                self.report(
                    CheckKind::ExtendsCycle,
                    span,
                    format!(
                        "type `{}` extends itself through its parents",
                        decl.name.name
                    ),
                    "this `extends` closes a loop",
                    Some("a type's parents must lead to a type that extends nothing".into()),
                );
                if let Some(t) = self.program.types.get_mut(i) {
                    t.parent = None;
                }
                depth = 0;
            }
            if let Some(t) = self.program.types.get_mut(i) {
                t.depth = depth;
            }
        }
        self.limit_type_depth();
    }

    /// Resolve a name that must be a cluster type.
    pub(super) fn expect_type(&mut self, name: &ast::Ident) -> Option<TypeId> {
        match self.names.get(&name.name).copied() {
            Some((Decl::Type(id), _)) => Some(id),
            other => {
                let types: Vec<String> =
                    self.program.types.iter().map(|t| t.name.clone()).collect();
                let help = did_you_mean(&name.name, types.iter().map(String::as_str))
                    .or_else(|| Some(format!("declared types: {}", list_names(&types))));
                let message = match other {
                    Some((decl, _)) => format!(
                        "`{}` is a {}, not a cluster type",
                        name.name,
                        decl.describe()
                    ),
                    None => format!("unknown cluster type `{}`", name.name),
                };
                self.report(
                    CheckKind::UnknownType,
                    name.span,
                    message,
                    "not a cluster type",
                    help,
                );
                None
            }
        }
    }

    /// Resolve a name that must be a policy or avoid item.
    pub(super) fn expect_policy(&mut self, name: &ast::Ident) -> Option<PolicyId> {
        match self.names.get(&name.name).copied() {
            Some((Decl::Policy(id), _)) => Some(id),
            other => {
                let policies: Vec<String> = self
                    .policy_ast
                    .iter()
                    .map(|p| p.name.name.clone())
                    .collect();
                let help = did_you_mean(&name.name, policies.iter().map(String::as_str));
                let message = match other {
                    Some((decl, _)) => {
                        format!("`{}` is a {}, not a policy", name.name, decl.describe())
                    }
                    None => format!("unknown policy `{}`", name.name),
                };
                self.report(
                    CheckKind::UnknownPolicy,
                    name.span,
                    message,
                    "not a policy",
                    help,
                );
                None
            }
        }
    }
}

/// Names as a short backticked list for help texts.
pub(super) fn list_names(names: &[String]) -> String {
    const SHOWN: usize = 12;
    let mut out: Vec<String> = names.iter().take(SHOWN).map(|n| format!("`{n}`")).collect();
    if names.len() > SHOWN {
        out.push(format!("and {} more", names.len() - SHOWN));
    }
    if out.is_empty() {
        "none".into()
    } else {
        out.join(", ")
    }
}

/// The value and static type of a literal. Level names get their type at first use.
pub(super) fn literal_value(literal: &Literal) -> (Value, ValueType) {
    match literal {
        Literal::Number { value, .. } => (Value::Number(*value), ValueType::Number),
        Literal::Text(s) => (Value::Text(s.as_str().into()), ValueType::Text),
        Literal::Bool(b) => (Value::Bool(*b), ValueType::Boolean),
        Literal::Name(_) => (
            Value::Unknown,
            ValueType::Level {
                levels: Vec::new(),
                ordered: false,
            },
        ),
    }
}

/// Parse an override value into a literal of the same kind as the declared one.
pub(super) fn parse_override(declared: &Literal, text: &str) -> Result<Literal, String> {
    match declared {
        Literal::Number { .. } => parse_number(text)
            .map(|value| Literal::Number {
                value,
                text: text.to_string(),
            })
            .ok_or_else(|| "expected a number, e.g. `0.9` or `90%`".to_string()),
        Literal::Bool(_) => match text {
            "true" => Ok(Literal::Bool(true)),
            "false" => Ok(Literal::Bool(false)),
            _ => Err("expected `true` or `false`".into()),
        },
        Literal::Text(_) => Ok(Literal::Text(text.to_string())),
        Literal::Name(_) => {
            if !text.is_empty() && text.chars().all(|c| c.is_alphanumeric() || c == '_') {
                Ok(Literal::Name(text.to_string()))
            } else {
                Err("expected a level name, e.g. `medium`".into())
            }
        }
    }
}

/// A number as users write it: `0.9`, `90%`, `12_000`.
pub(crate) fn parse_number(text: &str) -> Option<f64> {
    let cleaned: String = text.trim().chars().filter(|c| *c != '_').collect();
    let (digits, scale) = match cleaned.strip_suffix('%') {
        Some(d) => (d.to_string(), 100.0),
        None => (cleaned, 1.0),
    };
    let n: f64 = digits.parse().ok()?;
    let n = n / scale;
    n.is_finite().then_some(n)
}
