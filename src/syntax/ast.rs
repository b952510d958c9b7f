//! Syntax tree of meso rule files, as written (names unresolved, spans on every node).
//!
//! Input: produced by `syntax::parser` from source text.
//! Output: consumed by `check` (name resolution, typing, lowering to `ir`) and by the formatter.
//! Span equality is ignored (see [`Span`]), so two trees compare equal when they say the same thing.

use crate::source::{Span, Spanned};
use crate::vocab::{ArithOp, CompareOp, ExpectedStatus, LogicOp, PolicyKind};

/// A name as written, with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    /// The name
    pub name: String,
    /// Where it was written
    pub span: Span,
}

/// One parsed rule file.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct RuleFile {
    /// Declarations in source order
    pub items: Vec<Item>,
}

/// A top-level declaration.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// `fact trust: level low < medium < high`
    Fact(FactDecl),
    /// `param min_firms = 50`
    Param(ParamDecl),
    /// `derived is_cluster = ...`
    Derived(DerivedDecl),
    /// `type survival_cluster extends cluster { ... }`
    Type(TypeDecl),
    /// `policy x { ... }` or `avoid x { ... }`
    Policy(PolicyDecl),
    /// `test "name" { ... }`
    Test(TestDecl),
}

/// Descriptive clauses shared by declarations: `label`, `description`, `cite`, `unit`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Meta {
    /// `label "Human name"`
    pub label: Option<Spanned<String>>,
    /// `description "..."`
    pub description: Option<Spanned<String>>,
    /// `cite "Altenburg & Meyer-Stamer 1999, §4(a)"`
    pub cite: Option<Spanned<String>>,
    /// `unit "jobs"`
    pub unit: Option<Spanned<String>>,
}

/// `fact NAME: TYPE { clauses }`
#[derive(Clone, Debug, PartialEq)]
pub struct FactDecl {
    /// Fact name
    pub name: Ident,
    /// Declared type
    pub ty: Spanned<FactType>,
    /// label, description, cite, unit
    pub meta: Meta,
    /// `minimum N`
    pub minimum: Option<Spanned<f64>>,
    /// `maximum N`
    pub maximum: Option<Spanned<f64>>,
    /// Whole declaration
    pub span: Span,
}

/// The type of a fact.
#[derive(Clone, Debug, PartialEq)]
pub enum FactType {
    /// `number`: any real number
    Number,
    /// `count`: a whole number >= 0
    Count,
    /// `integer`: a whole number
    Integer,
    /// `ratio`: a number from 0 to 1
    Ratio,
    /// `boolean`: true or false
    Boolean,
    /// `text`: free text, compared only for equality
    Text,
    /// `level low < medium < high`: ordered levels
    Level(Vec<Ident>),
    /// `one of a, b, c`: unordered alternatives
    OneOf(Vec<Ident>),
    /// `set of a, b, c`: any subset of the members
    SetOf(Vec<Ident>),
}

/// A literal value in a `param` declaration or a test's `param` override.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// A number; `text` keeps the literal as written (`90%`)
    Number {
        /// Numeric value (`90%` is 0.9)
        value: f64,
        /// Literal as written
        text: String,
    },
    /// A string
    Text(String),
    /// `true` / `false`
    Bool(bool),
    /// A bare name, e.g. a level such as `medium`
    Name(String),
}

/// `param NAME = VALUE { meta }`
#[derive(Clone, Debug, PartialEq)]
pub struct ParamDecl {
    /// Parameter name
    pub name: Ident,
    /// Its value
    pub value: Spanned<Literal>,
    /// label, description, cite, unit
    pub meta: Meta,
    /// Whole declaration
    pub span: Span,
}

/// `derived NAME = EXPR { meta }`
#[derive(Clone, Debug, PartialEq)]
pub struct DerivedDecl {
    /// Name of the derived value
    pub name: Ident,
    /// Defining expression
    pub expr: Expr,
    /// label, description, cite, unit
    pub meta: Meta,
    /// Whole declaration
    pub span: Span,
}

/// `type NAME extends PARENT { ... }`
#[derive(Clone, Debug, PartialEq)]
pub struct TypeDecl {
    /// Type name
    pub name: Ident,
    /// Parent type
    pub extends: Option<Ident>,
    /// label, description, cite
    pub meta: Meta,
    /// `required { ... }`: all must hold
    pub required: Vec<Criterion>,
    /// `indicative { ... }`: weighted, give the score
    pub indicative: Vec<Criterion>,
    /// `excluding { ... }`: any that holds rules the type out
    pub excluding: Vec<Criterion>,
    /// Whole declaration
    pub span: Span,
}

/// `NAME: EXPR weight N note "..."` inside a criteria block.
#[derive(Clone, Debug, PartialEq)]
pub struct Criterion {
    /// Criterion name, unique within its type
    pub name: Ident,
    /// The condition
    pub expr: Expr,
    /// `weight N` (indicative criteria; default 1)
    pub weight: Option<Spanned<f64>>,
    /// `note "..."`
    pub note: Option<Spanned<String>>,
    /// Whole criterion
    pub span: Span,
}

/// `policy NAME { ... }` or `avoid NAME { ... }`
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyDecl {
    /// Recommend or avoid
    pub kind: PolicyKind,
    /// Policy name
    pub name: Ident,
    /// label, description, cite
    pub meta: Meta,
    /// `for type_a, type_b`
    pub for_types: Vec<Ident>,
    /// `when EXPR`
    pub when: Option<Expr>,
    /// `phase N`
    pub phase: Option<Spanned<f64>>,
    /// `after p, q`
    pub after: Vec<Ident>,
    /// `advice "..."`: the recommendation (or warning) itself
    pub advice: Option<Spanned<String>>,
    /// `rationale "..."`
    pub rationale: Option<Spanned<String>>,
    /// Whole declaration
    pub span: Span,
}

/// `test "NAME" { given { ... } param ... expect ... }`
#[derive(Clone, Debug, PartialEq)]
pub struct TestDecl {
    /// Test name
    pub name: Spanned<String>,
    /// `given { fact = value ... }` (all given blocks, in order)
    pub given: Vec<Assignment>,
    /// `param name = value` overrides for this test
    pub params: Vec<ParamOverride>,
    /// `expect ...` lines
    pub expects: Vec<Expectation>,
    /// Whole declaration
    pub span: Span,
}

/// `fact = value` inside `given`.
#[derive(Clone, Debug, PartialEq)]
pub struct Assignment {
    /// Fact name
    pub name: Ident,
    /// Value given
    pub value: Spanned<FactValue>,
}

/// A value given to a fact in a test.
#[derive(Clone, Debug, PartialEq)]
pub enum FactValue {
    /// `unknown`: explicitly missing
    Unknown,
    /// A number (`90%` is 0.9)
    Number(f64),
    /// A string
    Text(String),
    /// `true` / `false`
    Bool(bool),
    /// A level or alternative name
    Name(String),
    /// `[a, b]`: members of a set
    List(Vec<Ident>),
}

/// `param name = value` inside a test.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamOverride {
    /// Parameter name
    pub name: Ident,
    /// New value
    pub value: Spanned<Literal>,
}

/// What a test expects.
#[derive(Clone, Debug, PartialEq)]
pub enum Expectation {
    /// `expect classification is T` (`none` for no classification), or `expect provisional
    /// classification is T` (the type that leads while facts are missing)
    Classification {
        /// Expected type, or `none`
        name: Ident,
        /// `provisional` was written
        provisional: bool,
        /// Whole line
        span: Span,
    },
    /// `expect T is matched`, `expect P is not recommended`, ...
    Status {
        /// Type or policy name
        name: Ident,
        /// Expected status
        status: ExpectedStatus,
        /// Whether `not` was written
        negated: bool,
        /// Whole line
        span: Span,
    },
    /// `expect T score >= 0.5`
    Score {
        /// Type name
        name: Ident,
        /// Comparison
        op: CompareOp,
        /// Bound
        value: f64,
        /// Whole line
        span: Span,
    },
}

/// An expression with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What the expression is
    pub kind: ExprKind,
    /// Where it was written
    pub span: Span,
}

/// Expression forms.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A number literal; `text` keeps it as written (`90%`, `12_000`)
    Number {
        /// Numeric value
        value: f64,
        /// Literal as written
        text: String,
    },
    /// A string literal
    Text(String),
    /// `true` / `false`
    Bool(bool),
    /// A name: fact, parameter, derived value or level
    Name(String),
    /// `-x`
    Neg(Box<Expr>),
    /// `not x`
    Not(Box<Expr>),
    /// `a and b`, `a or b`
    Logic(LogicOp, Box<Expr>, Box<Expr>),
    /// `a + b`, ...
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    /// `a >= b`, `a is b`, ...
    Compare(CompareOp, Box<Expr>, Box<Expr>),
    /// `x in [a, b]`, `x not in [a, b]`
    In {
        /// Tested value
        value: Box<Expr>,
        /// Candidates
        list: Vec<Expr>,
        /// `not in`
        negated: bool,
    },
    /// `x between lo and hi` (inclusive)
    Between {
        /// Tested value
        value: Box<Expr>,
        /// Lower bound
        low: Box<Expr>,
        /// Upper bound
        high: Box<Expr>,
    },
    /// `x is known` (`negated`: `x is unknown` / `x is not known`)
    IsKnown {
        /// Tested value
        value: Box<Expr>,
        /// True for `is unknown`
        negated: bool,
    },
    /// `set contains member`
    Contains {
        /// A set-valued fact
        set: Box<Expr>,
        /// The member looked for
        item: Box<Expr>,
    },
    /// `min(a, b)`, `count(c1, c2)`, ...
    Call {
        /// Function name
        func: Ident,
        /// Arguments
        args: Vec<Expr>,
    },
}
