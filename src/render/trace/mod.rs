//! Render stage, traces: a [`Trace`](crate::trace::Trace) (built by the trace stage) → text
//! for a terminal ([`text`]), pretty JSON that `meso verify` reads back ([`json`]), a
//! Markdown report ([`markdown`]) and one self-contained HTML page ([`html`]).
//!
//! The pieces every format shows the same way live here, so that a wording changes once:
//! a node's line (value, origin, reason), a fact's origin, the reason for a value, and the
//! truth mark (✓ ✗ ? or `·`) of a value, a type status and a policy status.

pub mod html;
pub mod json;
pub mod markdown;
pub mod text;

use std::fmt::Write;

use crate::trace::model::{Location, Node, Origin, Summary, TypeTrace, Why};
pub(crate) use crate::trace::provisional::{confirm_text, refute_text};
use crate::value::Truth;
use crate::vocab::{PolicyStatus, TypeStatus};

/// Headings and lead-ins every format writes the same way (each adds its own markup).
pub(crate) mod words {
    /// The section of cluster types
    pub const TYPES: &str = "Cluster types";
    /// The section of policies, applying or not
    pub const POLICIES: &str = "Policies and avoid items, in order";
    /// The summary's list of recommendations that apply (avoid items are listed apart)
    pub const RECOMMENDED: &str = "Recommended, in order";
    /// The summary's list of avoid items that apply, apart from the recommendations
    pub const TO_AVOID: &str = "To avoid";
    /// The section of recommendations, applying or not
    pub const RECOMMENDATIONS: &str = "Recommendations";
    /// The section of avoid items, applying or not
    pub const AVOID_ITEMS: &str = "Items to avoid";
    /// The lead-in of a citation
    pub const SOURCE: &str = "Source";
    /// The summary's list of undetermined policies
    pub const UNDETERMINED: &str = "Undetermined (missing facts would decide)";
    /// The facts an undetermined policy waits for
    pub const MISSING_FACTS: &str = "Missing facts that would decide it";
    /// The section of derived values
    pub const DERIVED: &str = "Derived values";
    /// The lead-in of a provisional classification: never shown as certain
    pub const PROVISIONALLY: &str = "Provisionally";
    /// What follows a provisional classification
    pub const NOT_CERTAIN: &str = "not certain, facts are missing";
    /// The policies a provisional classification would bring in
    pub const PROVISIONAL_POLICIES: &str =
        "Provisional policies and avoid items (if it is confirmed), in order";
}

/// `file:line key` of a fact value, or `missing`.
pub(crate) fn origin_text(o: &Origin) -> String {
    if o.status == "missing" {
        return "missing".into();
    }
    let mut s = o.source.clone().unwrap_or_else(|| "given".into());
    if let Some(line) = o.line {
        let _ = write!(s, ":{line}");
    }
    if let Some(key) = &o.key {
        let _ = write!(s, " `{key}`");
    }
    s
}

/// A short reason for a node's value, in words.
pub(crate) fn why_text(why: &Why) -> String {
    match why {
        Why::ShortCircuit { operand, .. } => format!("decided by `{operand}` alone"),
        Why::NotEvaluated { decided_by } => {
            format!("not evaluated: `{decided_by}` already decided; value shown for reference")
        }
        Why::MissingFact { fact } => format!("fact `{fact}` is missing"),
        Why::DivisionByZero => "division by zero".into(),
        Why::NonFinite => "the result is not a finite number".into(),
        Why::TypeMismatch => "values of the wrong kind".into(),
        Why::UnknownOperand { operands } if operands.is_empty() => "its value is unknown".into(),
        Why::UnknownOperand { operands } => {
            let list: Vec<String> = operands.iter().map(|o| format!("`{o}`")).collect();
            format!("unknown because {} unknown", is_are(&list))
        }
    }
}

fn is_are(list: &[String]) -> String {
    match list {
        [one] => format!("{one} is"),
        many => format!("{} are", many.join(", ")),
    }
}

/// One node as a line: `name = value  (origin)  [reason]` for facts, parameters and
/// derived values, `text → value  [reason]` for operations, the text alone for constants.
pub(crate) fn node_line(n: &Node) -> String {
    let mut s = match n.kind {
        "fact" | "param" | "derived" => {
            format!("{} = {}", n.name.as_deref().unwrap_or(&n.text), n.display)
        }
        "constant" => n.text.clone(),
        _ => format!("{} → {}", n.text, n.display),
    };
    match (n.kind, &n.origin) {
        ("fact", Some(o)) => {
            let _ = write!(s, "  ({})", origin_text(o));
        }
        ("param", _) => s.push_str("  (parameter)"),
        ("derived", _) => s.push_str("  (derived value)"),
        _ => {}
    }
    if let Some(why) = &n.why {
        if !matches!(why, Why::MissingFact { .. }) || n.kind != "fact" {
            let _ = write!(s, "  [{}]", why_text(why));
        }
    }
    s
}

/// The truth of a node's value: a condition's (true, false, or unknown for `null`), none
/// for numbers and names.
pub(crate) fn value_truth(v: &serde_json::Value) -> Option<Truth> {
    match v {
        serde_json::Value::Bool(b) => Some(Truth::from_bool(*b)),
        serde_json::Value::Null => Some(Truth::Unknown),
        _ => None,
    }
}

/// A cluster type's status as a truth: matched ✓, not matched ✗, undetermined ?.
pub(crate) fn type_truth(s: TypeStatus) -> Truth {
    match s {
        TypeStatus::Matched => Truth::True,
        TypeStatus::NotMatched => Truth::False,
        TypeStatus::Undetermined => Truth::Unknown,
    }
}

/// A policy's status as a truth: applies ✓, does not apply ✗, undetermined ?.
pub(crate) fn policy_truth(s: PolicyStatus) -> Truth {
    match s {
        PolicyStatus::Applies => Truth::True,
        PolicyStatus::DoesNotApply => Truth::False,
        PolicyStatus::Undetermined => Truth::Unknown,
    }
}

/// The mark of a truth value, in every format: ✓ (true), ✗ (false), ? (unknown).
pub(crate) fn mark(t: Truth) -> &'static str {
    match t {
        Truth::True => "✓",
        Truth::False => "✗",
        Truth::Unknown => "?",
    }
}

/// Where a declaration is: `file:line:column`.
pub(crate) fn location(l: &Location) -> String {
    format!("{}:{}:{}", l.file, l.line, l.column)
}

/// A type's score to two decimals, when it has indicative weights (none otherwise).
pub(crate) fn score(t: &TypeTrace) -> Option<String> {
    (t.total_weight > 0.0).then(|| format!("{:.2}", t.score))
}

/// The classification: "Label (`name`)", "`name`" without a label, "none" without a type;
/// `label` shows the label in the format at hand (escaped, or as it is).
pub(crate) fn classification(s: &Summary, label: impl Fn(&str) -> String) -> String {
    match (&s.classification, &s.classification_label) {
        (Some(name), Some(l)) => format!("{} (`{name}`)", label(l)),
        (Some(name), None) => format!("`{name}`"),
        _ => "none".into(),
    }
}

/// The mark of an avoid item that applies: a warning, never the ✓ of a recommendation.
pub(crate) const AVOID_MARK: &str = "⚠";

/// The mark of a value that is not a condition (a number, a name).
pub(crate) const VALUE_MARK: &str = "·";
