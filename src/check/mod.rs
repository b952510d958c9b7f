//! Check stage: syntax trees → resolved, type-checked `ir::Program`, with every error and
//! warning found (not only the first).
//!
//! Input: the parsed files of one rule set (`ast::RuleFile`s with their `SourceMap`) and
//! parameter overrides (`--param name=value`). Output: [`Checked`] (the program plus
//! warnings) or every error and warning found.
//!
//! Passes, in order: declare names (duplicates) → facts and params → types (`extends`) →
//! derived values and criteria (typing + lowering, cycles) → policies (`for`, `after`, order)
//! → tests → lints (unused names, contradictions, literal thresholds, missing citations,
//! overlapping types, criteria and policies that can never hold, thresholds out of range)
//! → `# meso: allow(...)` comments silence warnings.

mod cluster_types;
mod declare;
mod depth;
pub(crate) mod error;
mod exprs;
mod lints;
mod lints_reasoning;
mod policies;
mod reasoning;
mod rule_tests;
mod silence;

use indexmap::IndexMap;

pub use error::{CheckError, CheckKind};

use crate::ir::{self, DerivedId, FactId, ParamId, ParamOverride, PolicyId, Program, TypeId};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::ast;

/// A rule set that passed the checker.
#[derive(Debug)]
pub struct Checked {
    /// The program to evaluate
    pub program: Program,
    /// Warnings found (the program is still usable)
    pub warnings: Vec<CheckError>,
}

/// A rule set that did not pass: every error, plus the warnings found on the way.
#[derive(Debug)]
pub struct CheckFailure {
    /// Errors
    pub errors: Vec<CheckError>,
    /// Warnings
    pub warnings: Vec<CheckError>,
}

/// Check parsed rule files and lower them to a program.
pub fn check_rule_set(
    sources: SourceMap,
    files: &[(FileId, ast::RuleFile)],
    overrides: &[ParamOverride],
) -> Result<Checked, CheckFailure> {
    let mut checker = Checker::new(&sources);
    checker.run(files, overrides);
    let (errors, warnings): (Vec<_>, Vec<_>) = checker
        .diagnostics
        .into_iter()
        .partition(|d| !d.is_warning());
    if errors.is_empty() {
        let mut program = checker.program;
        program.sources = sources;
        Ok(Checked { program, warnings })
    } else {
        Err(CheckFailure { errors, warnings })
    }
}

/// What a name in the global namespace refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decl {
    Fact(FactId),
    Param(ParamId),
    Derived(DerivedId),
    Type(TypeId),
    Policy(PolicyId),
}

impl Decl {
    fn describe(self) -> &'static str {
        match self {
            Decl::Fact(_) => "fact",
            Decl::Param(_) => "parameter",
            Decl::Derived(_) => "derived value",
            Decl::Type(_) => "cluster type",
            Decl::Policy(_) => "policy",
        }
    }
}

/// A set of level names shared by facts with the same declaration (`low < medium < high`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Domain {
    pub names: Vec<String>,
    pub ordered: bool,
}

/// Progress of lowering a derived value, for cycle detection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Progress {
    Pending,
    Lowering,
    Done,
}

/// All checker state for one rule set.
pub(crate) struct Checker<'a> {
    pub sources: &'a SourceMap,
    pub diagnostics: Vec<CheckError>,
    pub program: Program,
    /// Global namespace: every declared name with what it is and where
    pub names: IndexMap<String, (Decl, Span)>,
    /// Level domains; `fact_domain[f]` for level and set facts
    pub domains: Vec<Domain>,
    pub fact_domain: Vec<Option<usize>>,
    /// Level parameters are typed by their first use
    pub param_domain: Vec<Option<usize>>,
    pub param_ast: Vec<&'a ast::ParamDecl>,
    /// Current literal of each parameter (declared, or overridden)
    pub param_literal: Vec<ast::Literal>,
    pub derived_ast: Vec<&'a ast::DerivedDecl>,
    pub derived_progress: Vec<Progress>,
    pub derived_types: Vec<Option<exprs::Ty>>,
    /// Derived values on the current lowering path, for cycle messages
    pub derived_stack: Vec<DerivedId>,
    /// Nesting of the expression being lowered, counting through derived values
    pub expr_depth: u32,
    /// Whether `too_deep` was reported (once is enough)
    pub too_deep_reported: bool,
    pub type_ast: Vec<&'a ast::TypeDecl>,
    pub policy_ast: Vec<&'a ast::PolicyDecl>,
    pub test_ast: Vec<&'a ast::TestDecl>,
    pub used_facts: Vec<bool>,
    pub used_params: Vec<bool>,
    pub used_derived: Vec<bool>,
    /// Names that are neither declared nor a level anywhere, waiting for a level context
    /// (then they are an unknown level) or the end of checking (then an undefined name)
    pub unresolved: Vec<(crate::ir::ExprId, String, Span)>,
}

impl<'a> Checker<'a> {
    fn new(sources: &'a SourceMap) -> Self {
        Checker {
            sources,
            diagnostics: Vec::new(),
            program: Program::default(),
            names: IndexMap::new(),
            domains: Vec::new(),
            fact_domain: Vec::new(),
            param_domain: Vec::new(),
            param_ast: Vec::new(),
            param_literal: Vec::new(),
            derived_ast: Vec::new(),
            derived_progress: Vec::new(),
            derived_types: Vec::new(),
            derived_stack: Vec::new(),
            expr_depth: 0,
            too_deep_reported: false,
            type_ast: Vec::new(),
            policy_ast: Vec::new(),
            test_ast: Vec::new(),
            used_facts: Vec::new(),
            used_params: Vec::new(),
            used_derived: Vec::new(),
            unresolved: Vec::new(),
        }
    }

    fn run(&mut self, files: &'a [(FileId, ast::RuleFile)], overrides: &[ParamOverride]) {
        self.declare_all(files);
        self.apply_overrides(overrides);
        self.resolve_type_hierarchy();
        for i in 0..self.derived_ast.len() {
            self.lower_derived(DerivedId::from_index(i));
        }
        self.lower_types();
        self.lower_policies();
        self.order_policies();
        self.lower_tests();
        self.check_effective_depth();
        self.report_unresolved();
        self.lint();
        self.apply_silencing(files);
    }

    /// Record a diagnostic at a span.
    pub fn report(
        &mut self,
        kind: CheckKind,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
        help: Option<String>,
    ) {
        self.report_with(kind, span, message, label, Vec::new(), help);
    }

    /// Record a diagnostic with secondary labels (which must be in the same file).
    pub fn report_with(
        &mut self,
        kind: CheckKind,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
        secondary: Vec<(Span, String)>,
        help: Option<String>,
    ) {
        let src = match self.sources.get(span.file) {
            Some(file) => file.shared_source(),
            None => miette::NamedSource::new("<unknown>", std::sync::Arc::from("")),
        };
        let secondary = secondary
            .into_iter()
            .filter(|(s, _)| s.file == span.file)
            .map(|(s, l)| (s.into(), l))
            .collect();
        self.diagnostics.push(CheckError {
            kind,
            message: message.into(),
            src,
            span: span.into(),
            label: label.into(),
            secondary,
            help,
        });
    }

    /// `file:line:col` of a span, for help texts pointing into another file.
    pub fn location(&self, span: Span) -> String {
        self.sources.location(span)
    }

    /// The domain index for a level list, shared by identical declarations.
    pub fn intern_domain(&mut self, names: Vec<String>, ordered: bool) -> usize {
        let domain = Domain { names, ordered };
        if let Some(i) = self.domains.iter().position(|d| *d == domain) {
            return i;
        }
        self.domains.push(domain);
        self.domains.len() - 1
    }
}

fn meta_of(meta: &ast::Meta) -> ir::Meta {
    let text = |s: &Option<crate::source::Spanned<String>>| s.as_ref().map(|s| s.node.clone());
    ir::Meta {
        label: text(&meta.label),
        description: text(&meta.description),
        cite: text(&meta.cite),
        unit: text(&meta.unit),
    }
}
