//! Trace stage, the model: what a trace holds, in the order it is written out.
//!
//! Input: filled in by `build` from a recorded evaluation. Output: serialized as JSON
//! (`trace_version` 1, schema in docs/trace.schema.json) and drawn by every trace renderer.
//! Field order here is the order in the JSON; every list is in declaration order.

use indexmap::IndexMap;
use serde::Serialize;

use crate::ruleset::RuleFileInfo;
use crate::value::Truth;
use crate::vocab::{PolicyStatus, TypeStatus};

/// Version of the trace format; bumped on any incompatible change to the JSON.
pub const TRACE_VERSION: u32 = 1;

/// Everything meso can say about why one cluster got its results.
#[derive(Clone, Debug, Serialize)]
pub struct Trace {
    /// Format version ([`TRACE_VERSION`])
    pub trace_version: u32,
    /// What produced the trace: versions, fingerprints, options
    pub header: Header,
    /// Classification and policies in order
    pub summary: Summary,
    /// Cluster types in declaration order (only the selected one and its ancestors with `--type`)
    pub types: Vec<TypeTrace>,
    /// Policies and avoid items in output order (only the selected one with `--policy`)
    pub policies: Vec<PolicyTrace>,
    /// Derived values in declaration order
    pub derived: Vec<DerivedTrace>,
    /// Parameters in declaration order, with the values used
    pub params: Vec<ParamTrace>,
    /// Every declared fact with its value and origin
    pub facts: Vec<FactTrace>,
}

impl Trace {
    /// The stored form of a trace: pretty JSON with a final newline, byte-identical for
    /// identical inputs. It lives with the model because `meso verify` compares these
    /// bytes; the render stage shows the same text (`render::trace::json`).
    pub fn to_json_text(&self) -> String {
        let mut out = serde_json::to_string_pretty(self)
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        out.push('\n');
        out
    }
}

/// What makes a trace reproducible.
#[derive(Clone, Debug, Serialize)]
pub struct Header {
    /// meso version that produced the trace
    pub meso_version: String,
    /// The rule set
    pub rules: RulesHeader,
    /// The facts
    pub facts: FactsHeader,
    /// Command-line options that change results
    pub options: Options,
    /// Time and absolute paths; only with `--stamp` (never compared by `meso verify`)
    pub stamp: Option<Stamp>,
}

/// The rule set a trace came from.
#[derive(Clone, Debug, Serialize)]
pub struct RulesHeader {
    /// `embedded` (shipped inside meso) or `path`
    pub origin: String,
    /// `sha256:` over the sorted relative paths and contents
    pub fingerprint: String,
    /// Each file (relative path) with its own hash, sorted by path
    pub files: Vec<RuleFileInfo>,
}

/// The facts a trace came from.
#[derive(Clone, Debug, Serialize)]
pub struct FactsHeader {
    /// Facts file as given (an absolute path is cut to its file name unless `--stamp`)
    pub file: String,
    /// `sha256:` of the validated facts (independent of file format and layout)
    pub fingerprint: String,
}

/// Options that change results.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Options {
    /// `--param NAME=VALUE` overrides, as written
    pub params: IndexMap<String, String>,
    /// `--allow-unknown-facts`
    pub allow_unknown_facts: bool,
    /// `--type`: the trace covers this type (and its ancestors) only
    pub only_type: Option<String>,
    /// `--policy`: the trace covers this policy only
    pub only_policy: Option<String>,
    /// `--strict-unknowns`: no provisional classification
    pub strict_unknowns: bool,
}

/// When and from where (`--stamp`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Stamp {
    /// UTC time, `YYYY-MM-DDTHH:MM:SSZ`
    pub created: String,
    /// Absolute path of the facts file
    pub facts_path: String,
    /// Absolute path of the rule set (or `embedded`)
    pub rules_path: String,
}

/// The results at a glance.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// Primary classification (most specific matched type with the highest score)
    pub classification: Option<String>,
    /// Its label
    pub classification_label: Option<String>,
    /// One sentence: why this classification
    pub explanation: String,
    /// Other most specific matched types with the same score
    pub tied: Vec<String>,
    /// Other most specific matched types with lower scores
    pub hybrids: Vec<String>,
    /// Every type: status and score
    pub types: Vec<TypeLine>,
    /// Policies and avoid items that apply, in order
    pub policies: Vec<PolicyLine>,
    /// Policies and avoid items left open by unknown facts, in order
    pub undetermined_policies: Vec<String>,
    /// When missing facts leave the most specific types that could still match open: the
    /// one that leads, never certain, and what would settle it (null when nothing leads, or
    /// with `--strict-unknowns`)
    pub provisional: Option<Provisional>,
}

/// A provisional classification: the most specific type that can still match and leads
/// by score, while missing facts keep it from being certain.
/// `P` is how its policies are told: a line each in traces ([`PolicyLine`]), in full in
/// `meso eval`'s report.
#[derive(Clone, Debug, Serialize)]
pub struct Provisional<P = PolicyLine> {
    /// Type name
    #[serde(rename = "type")]
    pub name: String,
    /// Its label
    pub label: Option<String>,
    /// Its score now (unknown indicative criteria count as not met), 4 decimals
    pub score: f64,
    /// Its score if every unknown indicative criterion held
    pub score_max: f64,
    /// One sentence: what leads and what would settle it
    pub explanation: String,
    /// The unknown criteria that decide it (of the type and its ancestors): it is confirmed
    /// when every `confirm` holds and refuted when any `refute` does
    pub deciding: Vec<Deciding>,
    /// Missing facts that would settle it
    pub unknown_facts: Vec<String>,
    /// Other most specific types that can still match, best first
    pub alternatives: Vec<String>,
    /// Policies and avoid items that would apply if it were confirmed, in order
    pub policies: Vec<P>,
}

/// An unknown criterion that decides a provisional classification.
#[derive(Clone, Debug, Serialize)]
pub struct Deciding {
    /// Criterion name
    pub criterion: String,
    /// `required` (must hold) or `excluding` (must not hold)
    pub section: Section,
    /// The type that declares it, when inherited
    pub inherited_from: Option<String>,
    /// Its condition as written
    pub source: String,
    /// Declaration
    pub location: Location,
    /// Missing facts it reads
    pub unknown_facts: Vec<String>,
    /// What would confirm the classification here, e.g. `employment >= 500
    /// (min_cluster_employment)`; the condition itself when no single fact decides it
    pub confirm: Vec<String>,
    /// What would refute it here
    pub refute: Vec<String>,
}

/// One type in the summary.
#[derive(Clone, Debug, Serialize)]
pub struct TypeLine {
    /// Type name
    #[serde(rename = "type")]
    pub name: String,
    /// Status
    pub status: TypeStatus,
    /// Score (4 decimals)
    pub score: f64,
}

/// One applicable policy in the summary.
#[derive(Clone, Debug, Serialize)]
pub struct PolicyLine {
    /// Position in the sequence, from 1
    pub order: usize,
    /// Policy name
    pub policy: String,
    /// `recommend` or `avoid`
    pub kind: &'static str,
    /// Phase
    pub phase: i64,
    /// Label
    pub label: Option<String>,
}

/// Where something was written in the rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    /// Rule file, relative to the rule set root
    pub file: String,
    /// 1-based line
    pub line: usize,
    /// 1-based column (characters)
    pub column: usize,
}

/// A cluster type's result and its reasons.
#[derive(Clone, Debug, Serialize)]
pub struct TypeTrace {
    /// Type name
    #[serde(rename = "type")]
    pub name: String,
    /// Label
    pub label: Option<String>,
    /// Source (`cite`)
    pub cite: Option<String>,
    /// Parent type
    pub extends: Option<String>,
    /// Declaration
    pub location: Location,
    /// matched / not_matched / undetermined
    pub status: TypeStatus,
    /// Met indicative weight / total weight (4 decimals)
    pub score: f64,
    /// The score if every unknown indicative criterion held
    pub score_max: f64,
    /// Sum of met indicative weights
    pub met_weight: f64,
    /// Sum of indicative weights
    pub total_weight: f64,
    /// One sentence: why this status
    pub explanation: String,
    /// Missing facts that would not change the status: every value they could take gives
    /// it, so it is decided although some criteria are unknown
    pub settled_facts: Vec<String>,
    /// Effective criteria: inherited required and excluding first, then own ones
    pub criteria: Vec<CriterionTrace>,
    /// For a type that is not matched: what kept it out and what would change that
    pub why_not: Option<WhyNot>,
    /// The type's declaration as written in the rule file
    pub excerpt: String,
}

/// Which list a criterion is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// Must hold
    Required,
    /// Adds its weight to the score
    Indicative,
    /// Must not hold
    Excluding,
}

impl Section {
    /// `required`, `indicative` or `excluding`.
    pub fn as_str(self) -> &'static str {
        match self {
            Section::Required => "required",
            Section::Indicative => "indicative",
            Section::Excluding => "excluding",
        }
    }
}

/// One criterion of a type.
#[derive(Clone, Debug, Serialize)]
pub struct CriterionTrace {
    /// Criterion name
    pub name: String,
    /// required / indicative / excluding
    pub section: Section,
    /// Weight (indicative criteria only)
    pub weight: Option<f64>,
    /// `note`
    pub note: Option<String>,
    /// true / false / unknown
    pub value: Truth,
    /// Where it was written
    pub location: Location,
    /// Its condition as written
    pub source: String,
    /// The ancestor type it comes from (`extends`); its tree is under that type
    pub inherited_from: Option<String>,
    /// The condition's expression tree (None for inherited criteria)
    pub tree: Option<Node>,
}

/// One expression node with its value and why it has it.
#[derive(Clone, Debug, Serialize)]
pub struct Node {
    /// `and`, `or`, `not`, `compare`, `arithmetic`, `negate`, `in`, `between`, `is_known`,
    /// `contains`, `call`, `fact`, `param`, `derived` or `constant`
    pub kind: &'static str,
    /// Source text
    pub text: String,
    /// Where it was written
    pub location: Location,
    /// The value (null: unknown; levels and set members by name)
    pub value: serde_json::Value,
    /// The value as meso prints it
    pub display: String,
    /// False when the evaluator skipped it (short-circuit); its value is then computed
    /// afterwards for display only and did not influence the result
    pub evaluated: bool,
    /// Why it has its value, when that is not plain from its operands
    pub why: Option<Why>,
    /// Fact, parameter or derived value read (leaves)
    pub name: Option<String>,
    /// Where a fact's value came from (fact leaves; null origin: the fact is missing)
    pub origin: Option<Origin>,
    /// Operands, in evaluation order
    pub children: Vec<Node>,
}

/// Where a fact value came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// `given` (from the facts file or `--set`) or `missing`
    pub status: &'static str,
    /// Facts file or `--set`
    pub source: Option<String>,
    /// Key path in the file
    pub key: Option<String>,
    /// 1-based line in the file
    pub line: Option<usize>,
}

/// Why a node has its value.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Why {
    /// Decided by one operand alone (false in `and`/`all`, true in `or`/`any`)
    ShortCircuit {
        /// Index of the deciding operand in `children`
        decided_by: usize,
        /// Its source text
        operand: String,
    },
    /// Not evaluated: an earlier operand of the parent decided it
    NotEvaluated {
        /// Source text of the deciding operand
        decided_by: String,
    },
    /// The fact is not in the facts
    MissingFact {
        /// Fact name
        fact: String,
    },
    /// A division by zero
    DivisionByZero,
    /// The result is not a finite number
    NonFinite,
    /// Values of the wrong kind met (a rule set problem)
    TypeMismatch,
    /// An operand is unknown
    UnknownOperand {
        /// Source text of the unknown operands
        operands: Vec<String>,
    },
}

/// What kept a type from matching.
#[derive(Clone, Debug, Serialize)]
pub struct WhyNot {
    /// The parent type, when it is not matched itself
    pub parent_not_matched: Option<String>,
    /// Required criteria that fail or are unknown, and excluding ones that hold or are unknown
    pub blockers: Vec<Blocker>,
    /// Missing facts that would decide an undetermined result
    pub unknown_facts: Vec<String>,
}

/// One criterion standing in the way.
#[derive(Clone, Debug, Serialize)]
pub struct Blocker {
    /// Criterion name
    pub criterion: String,
    /// required or excluding
    pub section: Section,
    /// Ancestor type it comes from
    pub inherited_from: Option<String>,
    /// Its value (false for a required one, true for an excluding one, or unknown)
    pub value: Truth,
    /// Its condition as written
    pub source: String,
    /// Where it was written
    pub location: Location,
    /// Single-fact changes that would flip it (empty when none is found)
    pub changes: Vec<Change>,
    /// Missing facts it reads (when unknown)
    pub unknown_facts: Vec<String>,
    /// One sentence
    pub explanation: String,
}

/// The smallest change of one fact that flips a condition.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    /// Fact name
    pub fact: String,
    /// Its value now (null: missing)
    pub current: serde_json::Value,
    /// What the condition needs, e.g. `>= 0.9`
    pub requirement: String,
    /// The parameter the threshold comes from, if any
    pub param: Option<String>,
    /// The closest value that flips it, when there is one (`> x` on real numbers has none)
    pub suggested: Option<serde_json::Value>,
    /// One sentence, e.g. "share_micro_small is 0.82; the type requires >= 0.9"
    pub sentence: String,
}

/// A policy's result and its reasons.
#[derive(Clone, Debug, Serialize)]
pub struct PolicyTrace {
    /// Policy name
    pub policy: String,
    /// `recommend` or `avoid`
    pub kind: &'static str,
    /// Label
    pub label: Option<String>,
    /// Declaration
    pub location: Location,
    /// Phase
    pub phase: i64,
    /// Prerequisites
    pub after: Vec<String>,
    /// applies / does_not_apply / undetermined
    pub status: PolicyStatus,
    /// Position in the sequence of applicable items (None unless it applies)
    pub order: Option<usize>,
    /// The `for` types and their status
    pub for_types: Vec<TypeLine>,
    /// The `when` condition's value (None: no condition)
    pub condition_value: Option<Truth>,
    /// The `when` condition's tree
    pub condition: Option<Node>,
    /// One sentence: why this status
    pub explanation: String,
    /// For an item that does not apply or is undetermined: what kept it out
    pub why_not: Option<PolicyWhyNot>,
    /// The recommendation or warning
    pub advice: Option<String>,
    /// Why
    pub rationale: Option<String>,
    /// Source
    pub cite: Option<String>,
    /// The declaration as written in the rule file
    pub excerpt: String,
}

/// What kept a policy out.
#[derive(Clone, Debug, Serialize)]
pub struct PolicyWhyNot {
    /// No `for` type is matched (their statuses are in `for_types`)
    pub no_type_matched: bool,
    /// The condition is false
    pub condition_false: bool,
    /// Single-fact changes that would make the condition true
    pub changes: Vec<Change>,
    /// Missing facts that would decide it
    pub unknown_facts: Vec<String>,
}

/// A derived value.
#[derive(Clone, Debug, Serialize)]
pub struct DerivedTrace {
    /// Name
    pub name: String,
    /// Value (null: unknown)
    pub value: serde_json::Value,
    /// As printed
    pub display: String,
    /// Declaration
    pub location: Location,
    /// Its expression tree
    pub tree: Node,
}

/// A parameter.
#[derive(Clone, Debug, Serialize)]
pub struct ParamTrace {
    /// Name
    pub name: String,
    /// Value used
    pub value: serde_json::Value,
    /// As printed
    pub display: String,
    /// Whether `--param` replaced the declared value
    pub overridden: bool,
    /// Declaration
    pub location: Location,
    /// `cite`
    pub cite: Option<String>,
}

/// A declared fact.
#[derive(Clone, Debug, Serialize)]
pub struct FactTrace {
    /// Name
    pub name: String,
    /// Declared type, e.g. `level low < medium < high`
    #[serde(rename = "type")]
    pub ty: String,
    /// Value (null: missing)
    pub value: serde_json::Value,
    /// As printed
    pub display: String,
    /// Unit
    pub unit: Option<String>,
    /// Where the value came from
    pub origin: Origin,
}
