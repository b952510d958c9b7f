//! The checked program: what evaluation runs on.
//!
//! Input: produced by `check::lower` from resolved, type-checked syntax trees.
//! Output: consumed by `facts` (the fact declarations give the slot layout and validation
//! rules), `eval` and `render`. Names are resolved to ids (indexes into the vectors here),
//! levels to small integers; expressions live in one flat arena addressed by [`ExprId`].
//! Spans are kept only in side tables for diagnostics and traces.

use crate::source::{SourceMap, Span};

use crate::value::Value;
use crate::vocab::{ArithOp, CompareOp, PolicyKind};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);

        impl $name {
            /// The index into its vector.
            pub fn index(self) -> usize {
                self.0 as usize
            }

            /// Id of the element at index `i`.
            pub fn from_index(i: usize) -> Self {
                $name(u32::try_from(i).unwrap_or(u32::MAX))
            }
        }
    };
}

id_type!(
    /// A declared fact (also its slot in the facts of a cluster).
    FactId
);
id_type!(
    /// A parameter.
    ParamId
);
id_type!(
    /// A derived value.
    DerivedId
);
id_type!(
    /// A cluster type.
    TypeId
);
id_type!(
    /// A policy or avoid item.
    PolicyId
);
id_type!(
    /// A node in [`Program::exprs`].
    ExprId
);

/// A checked rule set, ready to evaluate.
#[derive(Clone, Debug, Default)]
pub struct Program {
    /// Rule files, for diagnostics and traces
    pub sources: SourceMap,
    /// Fact declarations; `FactId` indexes here and into fact slots
    pub facts: Vec<Fact>,
    /// Parameters, with their current values (after `--param` overrides)
    pub params: Vec<Param>,
    /// Derived values
    pub derived: Vec<Derived>,
    /// Derived values in dependency order (each after everything it reads)
    pub derived_order: Vec<DerivedId>,
    /// Cluster types in declaration order
    pub types: Vec<ClusterType>,
    /// Policies and avoid items in declaration order
    pub policies: Vec<Policy>,
    /// Policies in output order: phase, then `after`, then declaration order
    pub policy_order: Vec<PolicyId>,
    /// Tests written in the rule files
    pub tests: Vec<Test>,
    /// Expression arena
    pub exprs: Vec<Expr>,
    /// Span of each expression node (same index as `exprs`)
    pub expr_spans: Vec<Span>,
}

impl Program {
    /// The expression node with this id.
    pub fn expr(&self, id: ExprId) -> Option<&Expr> {
        self.exprs.get(id.index())
    }

    /// Where an expression node was written.
    pub fn expr_span(&self, id: ExprId) -> Span {
        self.expr_spans.get(id.index()).copied().unwrap_or_default()
    }

    /// Look up a fact by name.
    pub fn fact_id(&self, name: &str) -> Option<FactId> {
        self.facts
            .iter()
            .position(|f| f.name == name)
            .map(FactId::from_index)
    }

    /// Look up a parameter by name.
    pub fn param_id(&self, name: &str) -> Option<ParamId> {
        self.params
            .iter()
            .position(|p| p.name == name)
            .map(ParamId::from_index)
    }

    /// Look up a cluster type by name.
    pub fn type_id(&self, name: &str) -> Option<TypeId> {
        self.types
            .iter()
            .position(|t| t.name == name)
            .map(TypeId::from_index)
    }

    /// Look up a policy or avoid item by name.
    pub fn policy_id(&self, name: &str) -> Option<PolicyId> {
        self.policies
            .iter()
            .position(|p| p.name == name)
            .map(PolicyId::from_index)
    }

    /// The fact with this id.
    pub fn fact(&self, id: FactId) -> Option<&Fact> {
        self.facts.get(id.index())
    }

    /// The cluster type with this id.
    pub fn cluster_type(&self, id: TypeId) -> Option<&ClusterType> {
        self.types.get(id.index())
    }

    /// The policy with this id.
    pub fn policy(&self, id: PolicyId) -> Option<&Policy> {
        self.policies.get(id.index())
    }

    /// A type, then its parent, its parent's parent, ... (`extends`), most specific first.
    /// Bounded by the number of types: the checker rejects `extends` cycles, and a
    /// malformed program cannot loop.
    pub fn lineage(&self, start: TypeId) -> impl Iterator<Item = TypeId> + '_ {
        std::iter::successors(Some(start), |t| {
            self.types.get(t.index()).and_then(|ty| ty.parent)
        })
        .take(self.types.len())
    }
}

/// Descriptive text carried along for output and traces.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Meta {
    /// Human label
    pub label: Option<String>,
    /// Description
    pub description: Option<String>,
    /// Source citation
    pub cite: Option<String>,
    /// Unit of measurement
    pub unit: Option<String>,
}

/// The type of a fact, with what evaluation and validation need to know.
#[derive(Clone, Debug, PartialEq)]
pub enum FactType {
    /// Any real number
    Number,
    /// A whole number (`count` declares one with minimum 0)
    Integer,
    /// A number from 0 to 1
    Ratio,
    /// true / false
    Boolean,
    /// Free text
    Text,
    /// Ordered levels (`ordered: true`) or unordered alternatives (`one of`)
    Level {
        /// Level names in declaration order (= their integer value)
        levels: Vec<String>,
        /// Whether `<` and friends apply
        ordered: bool,
    },
    /// A set of members (at most 64)
    Set {
        /// Member names, bit i = member i
        members: Vec<String>,
    },
}

impl FactType {
    /// Human name of the type, as in diagnostics: `ratio`, `level low < medium < high`.
    pub fn describe(&self) -> String {
        match self {
            FactType::Number => "number".into(),
            FactType::Integer => "whole number".into(),
            FactType::Ratio => "ratio (0 to 1)".into(),
            FactType::Boolean => "boolean".into(),
            FactType::Text => "text".into(),
            FactType::Level {
                levels,
                ordered: true,
            } => format!("level {}", levels.join(" < ")),
            FactType::Level {
                levels,
                ordered: false,
            } => format!("one of {}", levels.join(", ")),
            FactType::Set { members } => format!("set of {}", members.join(", ")),
        }
    }
}

/// A declared fact.
#[derive(Clone, Debug)]
pub struct Fact {
    /// Name as declared
    pub name: String,
    /// Type
    pub ty: FactType,
    /// Smallest allowed value (numbers; `count` and `ratio` imply 0)
    pub minimum: Option<f64>,
    /// Largest allowed value (numbers; `ratio` implies 1)
    pub maximum: Option<f64>,
    /// label, description, cite, unit
    pub meta: Meta,
    /// Declaration
    pub span: Span,
}

/// The static type of a parameter, derived value or expression.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueType {
    /// Numbers of any kind
    Number,
    /// true / false
    Boolean,
    /// Text
    Text,
    /// A level or alternative of the named fact's level list
    Level {
        /// Level names
        levels: Vec<String>,
        /// Whether ordered
        ordered: bool,
    },
    /// A set over these members
    Set {
        /// Member names
        members: Vec<String>,
    },
}

/// A parameter: a named, cited constant.
#[derive(Clone, Debug)]
pub struct Param {
    /// Name
    pub name: String,
    /// Current value
    pub value: Value,
    /// Static type
    pub ty: ValueType,
    /// Whether `--param` (or a test) replaced the declared value
    pub overridden: bool,
    /// label, description, cite, unit
    pub meta: Meta,
    /// Declaration
    pub span: Span,
}

/// A derived value.
#[derive(Clone, Debug)]
pub struct Derived {
    /// Name
    pub name: String,
    /// Defining expression
    pub expr: ExprId,
    /// Static type
    pub ty: ValueType,
    /// label, description, cite, unit
    pub meta: Meta,
    /// Declaration
    pub span: Span,
}

/// A cluster type.
#[derive(Clone, Debug)]
pub struct ClusterType {
    /// Name
    pub name: String,
    /// label, description, cite
    pub meta: Meta,
    /// `extends` parent
    pub parent: Option<TypeId>,
    /// Number of ancestors (0 for a root type); deeper is more specific
    pub depth: u32,
    /// Own required criteria (the parent's are evaluated through `parent`)
    pub required: Vec<Criterion>,
    /// Own indicative criteria
    pub indicative: Vec<Criterion>,
    /// Own excluding criteria
    pub excluding: Vec<Criterion>,
    /// Declaration
    pub span: Span,
}

impl ClusterType {
    /// Display name: the label if given, else the name.
    pub fn display_name(&self) -> &str {
        self.meta.label.as_deref().unwrap_or(&self.name)
    }

    /// Sum of indicative weights.
    pub fn total_weight(&self) -> f64 {
        // `+ 0.0` turns the empty sum's -0.0 into 0.0, which is what users expect to read.
        self.indicative.iter().map(|c| c.weight).sum::<f64>() + 0.0
    }
}

/// A named criterion of a type.
#[derive(Clone, Debug)]
pub struct Criterion {
    /// Name, unique within the type
    pub name: String,
    /// Condition
    pub expr: ExprId,
    /// Weight (indicative criteria; 1 for others)
    pub weight: f64,
    /// `note`
    pub note: Option<String>,
    /// Whole criterion
    pub span: Span,
}

/// A policy or avoid item.
#[derive(Clone, Debug)]
pub struct Policy {
    /// Name
    pub name: String,
    /// Recommend or avoid
    pub kind: PolicyKind,
    /// label, description, cite
    pub meta: Meta,
    /// Types it applies to (any one matched suffices)
    pub for_types: Vec<TypeId>,
    /// Extra condition on facts
    pub condition: Option<ExprId>,
    /// Phase (default 1)
    pub phase: i64,
    /// Prerequisites: policies that come before this one
    pub after: Vec<PolicyId>,
    /// The recommendation or warning
    pub advice: Option<String>,
    /// Why
    pub rationale: Option<String>,
    /// Declaration
    pub span: Span,
}

/// Built-in functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Func {
    /// Smallest of numbers
    Min,
    /// Largest of numbers
    Max,
    /// Absolute value
    Abs,
    /// How many conditions hold
    Count,
    /// Whether any condition holds
    Any,
    /// Whether all conditions hold
    All,
}

impl Func {
    /// The function's name in meso.
    pub fn as_str(self) -> &'static str {
        match self {
            Func::Min => "min",
            Func::Max => "max",
            Func::Abs => "abs",
            Func::Count => "count",
            Func::Any => "any",
            Func::All => "all",
        }
    }

    /// Look up a function by name.
    pub fn from_name(name: &str) -> Option<Func> {
        Some(match name {
            "min" => Func::Min,
            "max" => Func::Max,
            "abs" => Func::Abs,
            "count" => Func::Count,
            "any" => Func::Any,
            "all" => Func::All,
            _ => return None,
        })
    }
}

/// How a comparison compares, decided by the checker from the operand types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompareKind {
    /// Numbers
    Number,
    /// Level positions (ordered levels, or equality of alternatives)
    Level,
    /// Booleans (equality only)
    Bool,
    /// Text (equality only)
    Text,
    /// Sets (equality only)
    Set,
}

/// A checked expression node. Children are ids into [`Program::exprs`].
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A constant (literals and level names)
    Const(Value),
    /// Read a fact slot
    Fact(FactId),
    /// Read a parameter
    Param(ParamId),
    /// Read a derived value
    Derived(DerivedId),
    /// Kleene `not`
    Not(ExprId),
    /// Kleene `and`
    And(ExprId, ExprId),
    /// Kleene `or`
    Or(ExprId, ExprId),
    /// Comparison
    Compare {
        /// Operator
        op: CompareOp,
        /// What is compared
        kind: CompareKind,
        /// Left operand
        lhs: ExprId,
        /// Right operand
        rhs: ExprId,
    },
    /// Arithmetic on numbers
    Arith {
        /// Operator
        op: ArithOp,
        /// Left operand
        lhs: ExprId,
        /// Right operand
        rhs: ExprId,
    },
    /// Unary minus
    Neg(ExprId),
    /// `x in [...]` / `x not in [...]`, compared as `kind`
    In {
        /// Tested value
        value: ExprId,
        /// Candidates
        items: Vec<ExprId>,
        /// How values are compared
        kind: CompareKind,
        /// `not in`
        negated: bool,
    },
    /// `x between lo and hi`, inclusive, as `kind` (number or ordered level)
    Between {
        /// Tested value
        value: ExprId,
        /// Lower bound
        low: ExprId,
        /// Upper bound
        high: ExprId,
        /// How values are compared
        kind: CompareKind,
    },
    /// `x is known` (`negated`: `x is unknown`); never unknown itself
    IsKnown {
        /// Tested value
        value: ExprId,
        /// True for `is unknown`
        negated: bool,
    },
    /// `set contains member`
    Contains {
        /// The set
        set: ExprId,
        /// The member (a level position)
        item: ExprId,
    },
    /// Built-in function call
    Call {
        /// Function
        func: Func,
        /// Arguments
        args: Vec<ExprId>,
    },
}

/// A test written in a rule file.
#[derive(Clone, Debug)]
pub struct Test {
    /// Test name
    pub name: String,
    /// Facts given (missing ones are unknown)
    pub given: Vec<(FactId, Value)>,
    /// Parameter overrides
    pub params: Vec<(ParamId, Value)>,
    /// Expectations
    pub expects: Vec<Expect>,
    /// Declaration
    pub span: Span,
}

/// One checked `expect` line.
#[derive(Clone, Debug)]
pub struct Expect {
    /// What is expected
    pub kind: ExpectKind,
    /// The line, for failure messages
    pub span: Span,
}

/// What a test expects.
#[derive(Clone, Debug, PartialEq)]
pub enum ExpectKind {
    /// The primary classification (None: no type matched)
    Classification(Option<TypeId>),
    /// The provisional lead (None: nothing leads)
    Provisional(Option<TypeId>),
    /// A type's status
    TypeStatus {
        /// The type
        id: TypeId,
        /// `matched` or `undetermined`
        status: crate::vocab::ExpectedStatus,
        /// Whether `not` was written
        negated: bool,
    },
    /// A policy's status
    PolicyStatus {
        /// The policy
        id: PolicyId,
        /// `recommended`, `avoided` or `undetermined`
        status: crate::vocab::ExpectedStatus,
        /// Whether `not` was written
        negated: bool,
    },
    /// A bound on a type's score
    Score {
        /// The type
        id: TypeId,
        /// Comparison
        op: CompareOp,
        /// Bound
        value: f64,
    },
}

/// A parameter value given on the command line (`--param name=value`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamOverride {
    /// Parameter name
    pub name: String,
    /// Value as written
    pub value: String,
}

impl std::str::FromStr for ParamOverride {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once('=') {
            Some((name, value)) if !name.trim().is_empty() => Ok(ParamOverride {
                name: name.trim().to_string(),
                value: value.trim().to_string(),
            }),
            _ => Err(format!("expected `name=value`, got `{s}`")),
        }
    }
}
