//! Check errors and warnings: everything `meso check` can say about a rule set that parses.
//!
//! Every variant has a stable code `meso::check::<kind>`; warnings use the same enum and
//! report `Severity::Warning` (see [`CheckError::is_warning`]).

use miette::{Diagnostic, LabeledSpan, NamedSource, Severity, SourceSpan};
use thiserror::Error;

/// A problem found by the checker, located in a rule file.
#[derive(Debug, Error)]
#[error("{message}")]
pub struct CheckError {
    /// What kind of problem (gives the code and severity)
    pub kind: CheckKind,
    /// One-line message (lowercase, names in backticks)
    pub message: String,
    /// The file
    pub src: NamedSource<String>,
    /// Primary location
    pub span: SourceSpan,
    /// What is wrong here
    pub label: String,
    /// Secondary locations in the same file ("first defined here")
    pub secondary: Vec<(SourceSpan, String)>,
    /// How to fix it
    pub help: Option<String>,
}

/// The kinds of check diagnostics. The code of each is `meso::check::<snake_case name>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CheckKind {
    /// A name that is declared nowhere: `trsut >= medium`
    UndefinedName,
    /// Two declarations with one name: `fact trust: ...` twice
    DuplicateName,
    /// Two criteria with one name in one type
    DuplicateCriterion,
    /// Operands of incompatible types: `trust >= 0.5`
    TypeMismatch,
    /// A level name the fact does not declare: `trust == very_high`
    UnknownLevel,
    /// `<` on unordered alternatives or text: `main_market < domestic`
    NotOrdered,
    /// A criterion or condition that is not true/false: `required { x: firms }`
    NotACondition,
    /// Derived values that depend on themselves
    DerivedCycle,
    /// Policies whose `after` clauses form a loop
    AfterCycle,
    /// Types whose `extends` clauses form a loop
    ExtendsCycle,
    /// `after` a policy of a later phase
    AfterLaterPhase,
    /// A weight that is zero, negative or not finite: `weight 0`
    InvalidWeight,
    /// `weight` on a required or excluding criterion
    WeightNotIndicative,
    /// A type without required criteria
    NoRequiredCriteria,
    /// A name that should be a cluster type but is not: `for survival`
    UnknownType,
    /// A name that should be a policy but is not: `after dialog`
    UnknownPolicy,
    /// A policy without a `for` clause
    MissingFor,
    /// A phase that is not a whole number: `phase 1.5`
    InvalidPhase,
    /// An unknown function: `mean(a, b)`
    UnknownFunction,
    /// A function called with the wrong number or kind of arguments
    WrongArguments,
    /// `minimum` greater than `maximum`, or a range on a non-number
    InvalidRange,
    /// A level list with a repeated name, or a set with more than 64 members
    InvalidLevels,
    /// `--param` or a test `param` naming no parameter, or with a value of the wrong kind
    InvalidParam,
    /// A test `given` value that does not fit the fact
    InvalidTestValue,
    /// An `expect` that cannot apply: `expect survival_cluster is recommended`
    InvalidExpectation,
    /// Warning: a fact no rule reads
    UnusedFact,
    /// Warning: a derived value no rule reads
    UnusedDerived,
    /// Warning: a parameter no rule reads
    UnusedParam,
    /// Warning: a type whose required criteria contradict each other
    UnreachableType,
    /// Warning: a number written into a criterion instead of a cited `param`
    LiteralThreshold,
    /// Warning: a type or policy without `cite`
    MissingCite,
    /// Warning: a policy or avoid item without `advice`
    MissingAdvice,
    /// Warning (information): two types that can both match one cluster: `type a { required { x: firms >= 10 } }` and `type b { required { y: firms >= 20 } }`
    OverlappingTypes,
    /// Warning: an indicative criterion that contradicts the required ones: `required { r: trust == high } indicative { i: trust == low }`
    IndicativeNeverHolds,
    /// Warning: a policy whose `when` contradicts the required criteria of every `for` type
    PolicyNeverApplies,
    /// Warning: a fact compared with a value outside its declared range: `share_micro_small >= 1.5`
    ThresholdOutOfRange,
}

impl CheckKind {
    /// The stable code, e.g. `meso::check::undefined_name`.
    pub fn code(self) -> &'static str {
        match self {
            CheckKind::UndefinedName => "meso::check::undefined_name",
            CheckKind::DuplicateName => "meso::check::duplicate_name",
            CheckKind::DuplicateCriterion => "meso::check::duplicate_criterion",
            CheckKind::TypeMismatch => "meso::check::type_mismatch",
            CheckKind::UnknownLevel => "meso::check::unknown_level",
            CheckKind::NotOrdered => "meso::check::not_ordered",
            CheckKind::NotACondition => "meso::check::not_a_condition",
            CheckKind::DerivedCycle => "meso::check::derived_cycle",
            CheckKind::AfterCycle => "meso::check::after_cycle",
            CheckKind::ExtendsCycle => "meso::check::extends_cycle",
            CheckKind::AfterLaterPhase => "meso::check::after_later_phase",
            CheckKind::InvalidWeight => "meso::check::invalid_weight",
            CheckKind::WeightNotIndicative => "meso::check::weight_not_indicative",
            CheckKind::NoRequiredCriteria => "meso::check::no_required_criteria",
            CheckKind::UnknownType => "meso::check::unknown_type",
            CheckKind::UnknownPolicy => "meso::check::unknown_policy",
            CheckKind::MissingFor => "meso::check::missing_for",
            CheckKind::InvalidPhase => "meso::check::invalid_phase",
            CheckKind::UnknownFunction => "meso::check::unknown_function",
            CheckKind::WrongArguments => "meso::check::wrong_arguments",
            CheckKind::InvalidRange => "meso::check::invalid_range",
            CheckKind::InvalidLevels => "meso::check::invalid_levels",
            CheckKind::InvalidParam => "meso::check::invalid_param",
            CheckKind::InvalidTestValue => "meso::check::invalid_test_value",
            CheckKind::InvalidExpectation => "meso::check::invalid_expectation",
            CheckKind::UnusedFact => "meso::check::unused_fact",
            CheckKind::UnusedDerived => "meso::check::unused_derived",
            CheckKind::UnusedParam => "meso::check::unused_param",
            CheckKind::UnreachableType => "meso::check::unreachable_type",
            CheckKind::LiteralThreshold => "meso::check::literal_threshold",
            CheckKind::MissingCite => "meso::check::missing_cite",
            CheckKind::MissingAdvice => "meso::check::missing_advice",
            CheckKind::OverlappingTypes => "meso::check::overlapping_types",
            CheckKind::IndicativeNeverHolds => "meso::check::indicative_never_holds",
            CheckKind::PolicyNeverApplies => "meso::check::policy_never_applies",
            CheckKind::ThresholdOutOfRange => "meso::check::threshold_out_of_range",
        }
    }

    /// Whether this kind is a warning (the rule set still runs) rather than an error.
    pub fn is_warning(self) -> bool {
        matches!(
            self,
            CheckKind::UnusedFact
                | CheckKind::UnusedDerived
                | CheckKind::UnusedParam
                | CheckKind::UnreachableType
                | CheckKind::LiteralThreshold
                | CheckKind::MissingCite
                | CheckKind::MissingAdvice
                | CheckKind::OverlappingTypes
                | CheckKind::IndicativeNeverHolds
                | CheckKind::PolicyNeverApplies
                | CheckKind::ThresholdOutOfRange
        )
    }

    /// Every kind, for documentation tests.
    pub const ALL: &'static [CheckKind] = &[
        CheckKind::UndefinedName,
        CheckKind::DuplicateName,
        CheckKind::DuplicateCriterion,
        CheckKind::TypeMismatch,
        CheckKind::UnknownLevel,
        CheckKind::NotOrdered,
        CheckKind::NotACondition,
        CheckKind::DerivedCycle,
        CheckKind::AfterCycle,
        CheckKind::ExtendsCycle,
        CheckKind::AfterLaterPhase,
        CheckKind::InvalidWeight,
        CheckKind::WeightNotIndicative,
        CheckKind::NoRequiredCriteria,
        CheckKind::UnknownType,
        CheckKind::UnknownPolicy,
        CheckKind::MissingFor,
        CheckKind::InvalidPhase,
        CheckKind::UnknownFunction,
        CheckKind::WrongArguments,
        CheckKind::InvalidRange,
        CheckKind::InvalidLevels,
        CheckKind::InvalidParam,
        CheckKind::InvalidTestValue,
        CheckKind::InvalidExpectation,
        CheckKind::UnusedFact,
        CheckKind::UnusedDerived,
        CheckKind::UnusedParam,
        CheckKind::UnreachableType,
        CheckKind::LiteralThreshold,
        CheckKind::MissingCite,
        CheckKind::MissingAdvice,
        CheckKind::OverlappingTypes,
        CheckKind::IndicativeNeverHolds,
        CheckKind::PolicyNeverApplies,
        CheckKind::ThresholdOutOfRange,
    ];
}

impl CheckError {
    /// Whether this is a warning.
    pub fn is_warning(&self) -> bool {
        self.kind.is_warning()
    }
}

impl Diagnostic for CheckError {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(self.kind.code()))
    }

    fn severity(&self) -> Option<Severity> {
        Some(if self.kind == CheckKind::OverlappingTypes {
            // Hybrids exist: an overlap is information to confirm, not a likely mistake.
            Severity::Advice
        } else if self.kind.is_warning() {
            Severity::Warning
        } else {
            Severity::Error
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.src)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = LabeledSpan::new_primary_with_span(Some(self.label.clone()), self.span);
        let secondary = self
            .secondary
            .iter()
            .map(|(span, label)| LabeledSpan::new_with_span(Some(label.clone()), *span));
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }
}
