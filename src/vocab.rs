//! The language's shared words, below every stage: operators, policy kinds, the statuses a
//! type or policy can have, each with its one spelling.
//!
//! Input: none. Output: small `Copy` enums that the syntax tree, the checked program, the
//! evaluator, traces, renderers and the command line all use, so that a word is spelled in
//! one place: [`TypeStatus::words`] for prose ("not matched"), [`TypeStatus::code`] for
//! machine-readable output ("not_matched", as JSON and CSV write it).

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompareOp {
    /// `==` or `is`
    Eq,
    /// `!=` or `is not`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CompareOp {
    /// The operator as written in meso.
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }
}

/// Arithmetic operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

impl ArithOp {
    /// The operator as written in meso.
    pub fn as_str(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
        }
    }
}

/// Logical connectives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LogicOp {
    /// `and`
    And,
    /// `or`
    Or,
}

/// Whether a policy declaration recommends or warns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// `policy`: a recommended measure
    Recommend,
    /// `avoid`: a policy error to avoid
    Avoid,
}

impl PolicyKind {
    /// The keyword that declares it: `policy` or `avoid`.
    pub fn keyword(self) -> &'static str {
        match self {
            PolicyKind::Recommend => "policy",
            PolicyKind::Avoid => "avoid",
        }
    }

    /// The kind as JSON and traces name it: `recommend` or `avoid`.
    pub fn code(self) -> &'static str {
        match self {
            PolicyKind::Recommend => "recommend",
            PolicyKind::Avoid => "avoid",
        }
    }

    /// The word for "applies" of this kind, as tests write it: `recommended` or `avoided`.
    pub fn applies_word(self) -> &'static str {
        match self {
            PolicyKind::Recommend => "recommended",
            PolicyKind::Avoid => "avoided",
        }
    }

    /// A policy's status in words for this kind: `recommended`, `not recommended`,
    /// `avoided`, `not avoided` or `undetermined`.
    pub fn status_words(self, status: PolicyStatus) -> &'static str {
        match (self, status) {
            (PolicyKind::Recommend, PolicyStatus::Applies) => "recommended",
            (PolicyKind::Recommend, PolicyStatus::DoesNotApply) => "not recommended",
            (PolicyKind::Avoid, PolicyStatus::Applies) => "avoided",
            (PolicyKind::Avoid, PolicyStatus::DoesNotApply) => "not avoided",
            (_, PolicyStatus::Undetermined) => "undetermined",
        }
    }
}

/// Status words usable in `expect`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExpectedStatus {
    /// `matched` (types)
    Matched,
    /// `undetermined` (types and policies)
    Undetermined,
    /// `recommended` (policies)
    Recommended,
    /// `avoided` (avoid items)
    Avoided,
    /// `provisionally recommended` (policies the provisional lead would bring in)
    ProvisionallyRecommended,
    /// `provisionally avoided` (avoid items the provisional lead would bring in)
    ProvisionallyAvoided,
}

impl ExpectedStatus {
    /// The word as written in a test.
    pub fn as_str(self) -> &'static str {
        match self {
            ExpectedStatus::Matched => "matched",
            ExpectedStatus::Undetermined => "undetermined",
            ExpectedStatus::Recommended => "recommended",
            ExpectedStatus::Avoided => "avoided",
            ExpectedStatus::ProvisionallyRecommended => "provisionally recommended",
            ExpectedStatus::ProvisionallyAvoided => "provisionally avoided",
        }
    }
}

/// Whether a cluster type fits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TypeStatus {
    /// All required criteria hold (own and inherited), no excluding criterion holds
    Matched,
    /// A required criterion fails, or an excluding one holds
    NotMatched,
    /// Unknown facts keep it open
    Undetermined,
}

impl TypeStatus {
    /// In prose: `matched`, `not matched` or `undetermined`.
    pub fn words(self) -> &'static str {
        match self {
            TypeStatus::Matched => "matched",
            TypeStatus::NotMatched => "not matched",
            TypeStatus::Undetermined => "undetermined",
        }
    }

    /// In machine-readable output (JSON, CSV): `matched`, `not_matched` or `undetermined`.
    pub fn code(self) -> &'static str {
        match self {
            TypeStatus::Matched => "matched",
            TypeStatus::NotMatched => "not_matched",
            TypeStatus::Undetermined => "undetermined",
        }
    }
}

/// Whether a policy or avoid item applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyStatus {
    /// A `for` type matched and the condition holds
    Applies,
    /// No `for` type matched, or the condition fails
    DoesNotApply,
    /// Unknown facts keep it open
    Undetermined,
}

impl PolicyStatus {
    /// In machine-readable output (JSON, CSV): `applies`, `does_not_apply` or `undetermined`.
    pub fn code(self) -> &'static str {
        match self {
            PolicyStatus::Applies => "applies",
            PolicyStatus::DoesNotApply => "does_not_apply",
            PolicyStatus::Undetermined => "undetermined",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_serialized_names() {
        for s in [
            TypeStatus::Matched,
            TypeStatus::NotMatched,
            TypeStatus::Undetermined,
        ] {
            assert_eq!(
                serde_json::to_value(s).ok(),
                Some(serde_json::Value::from(s.code()))
            );
        }
        for s in [
            PolicyStatus::Applies,
            PolicyStatus::DoesNotApply,
            PolicyStatus::Undetermined,
        ] {
            assert_eq!(
                serde_json::to_value(s).ok(),
                Some(serde_json::Value::from(s.code()))
            );
        }
    }
}

/// How settled a cluster's verdict is: what `meso batch` writes in its `verdict` column and
/// counts in its summary, so that a verdict the facts settle is never confused with a
/// provisional one, nor "no type matched" with "the facts are missing".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictKind {
    /// A type is matched and no more specific one is left open
    Firm,
    /// Missing facts leave the most specific types open; one leads provisionally
    Provisional,
    /// Missing facts leave types open (below the firm classification, if any) and nothing
    /// leads (a cluster with no evidence for any type, or `--strict-unknowns`)
    Undetermined,
    /// No type matched and none is left open
    None,
}

impl VerdictKind {
    /// From a record's firm classification, its provisional lead, and whether a type is
    /// left undetermined below the classification (anywhere, without one).
    pub fn of(classified: bool, provisional: bool, open: bool) -> Self {
        match (provisional, open, classified) {
            (true, _, _) => VerdictKind::Provisional,
            (false, true, _) => VerdictKind::Undetermined,
            (false, false, true) => VerdictKind::Firm,
            (false, false, false) => VerdictKind::None,
        }
    }

    /// The machine-readable word (CSV and JSON output).
    pub fn code(self) -> &'static str {
        match self {
            VerdictKind::Firm => "firm",
            VerdictKind::Provisional => "provisional",
            VerdictKind::Undetermined => "undetermined",
            VerdictKind::None => "none",
        }
    }
}
