//! The facade's facts: the facts about one cluster, validated against a rule set's
//! vocabulary, with the name they are reported under.
//!
//! Input: a [`crate::Rules`] loader call. Output: [`Facts`], which the same rule set
//! evaluates and explains.

use crate::facade::diagnostic::Diagnostic;
use crate::facts;

pub use crate::facts::FactsFormat;

/// The facts about one cluster, checked against the rule set that loaded them: one value
/// per declared fact, unknown where the input says nothing.
///
/// Made by [`crate::Rules::facts_from_str`] or [`crate::Rules::facts_from_map`]; use it
/// with the same rule set (another rule set may declare other facts).
#[derive(Clone, Debug)]
pub struct Facts {
    name: String,
    fingerprint: String,
    values: facts::Facts,
    warnings: Vec<Diagnostic>,
    allow_unknown_facts: bool,
}

impl Facts {
    pub(crate) fn new(
        name: &str,
        fingerprint: String,
        values: facts::Facts,
        warnings: Vec<Diagnostic>,
        allow_unknown_facts: bool,
    ) -> Facts {
        Facts {
            name: name.to_string(),
            fingerprint,
            values,
            warnings,
            allow_unknown_facts,
        }
    }

    /// The name the facts are reported under (a file name, a record id).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Warnings found while reading (keys that are not facts, when they are allowed).
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// `sha256:<hex>` of the facts in canonical form (the same facts give the same
    /// fingerprint whatever the format or key order they were written in).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    pub(crate) fn values(&self) -> &facts::Facts {
        &self.values
    }

    pub(crate) fn allow_unknown_facts(&self) -> bool {
        self.allow_unknown_facts
    }
}
