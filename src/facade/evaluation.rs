//! The facade's answers for one cluster: the verdict ([`Evaluation`], what `meso eval`
//! prints) and the explanation ([`Explanation`], what `meso explain` prints).
//!
//! Input: a [`Rules`] and the [`Facts`] it loaded. Output: the report model shared with
//! the command line, so the same rules and facts give the same bytes through every door.

use crate::facade::facts::Facts;
use crate::facade::rules::Rules;
use crate::render;
use crate::render::report::{
    EvalReport, PolicyReport, ProvisionalReport, TypeReport, UndeterminedPolicy,
};
use crate::trace::{self, Trace, TraceOptions};
use crate::vocab::{TypeStatus, VerdictKind};

/// What the rule set says about one cluster: its type, each type's fit, the policies
/// that apply in order, and what is left open by unknown facts.
///
/// ```
/// let rules = meso::Rules::embedded()?;
/// let text = std::fs::read_to_string(
///     concat!(env!("CARGO_MANIFEST_DIR"), "/examples/facts/leon.yaml"))?;
/// let facts = rules.facts_from_str("examples/facts/leon.yaml", &text, meso::FactsFormat::Yaml)?;
/// let verdict = rules.evaluate(&facts);
/// assert_eq!(verdict.classification(), Some("mass_production_cluster"));
/// let first = &verdict.policies()[0];
/// println!("{} (phase {})", first.policy, first.phase);
/// // The same JSON as `meso eval examples/facts/leon.yaml --format json`:
/// assert!(verdict.to_json().contains("\"classification\": \"mass_production_cluster\""));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Evaluation {
    report: EvalReport,
    verdict: VerdictKind,
}

impl Evaluation {
    /// The primary classification the facts settle: the most specific matched type with
    /// the highest score; `None` when no type matched (or missing facts leave every type
    /// open: see [`Evaluation::provisional`]).
    pub fn classification(&self) -> Option<&str> {
        self.report.classification.as_deref()
    }

    /// When missing facts leave the most specific types that could still match open, the
    /// one that leads provisionally (never certain), with the conditions on the missing
    /// facts that would confirm or refute it and the policies it would bring in; `None`
    /// when nothing leads, or with [`RulesBuilder::strict_unknowns`].
    ///
    /// [`RulesBuilder::strict_unknowns`]: crate::RulesBuilder::strict_unknowns
    pub fn provisional(&self) -> Option<&ProvisionalReport> {
        self.report.provisional.as_ref()
    }

    /// How settled the verdict is: firm, provisional, undetermined (facts missing and
    /// nothing leads) or none (no type matched).
    pub fn verdict(&self) -> VerdictKind {
        self.verdict
    }

    /// Every cluster type in declaration order: status, score, what failed or is missing.
    pub fn types(&self) -> &[TypeReport] {
        &self.report.types
    }

    /// The policies and avoid items that apply, in order (phase, `after`, declaration).
    pub fn policies(&self) -> &[PolicyReport] {
        &self.report.policies
    }

    /// Policies and avoid items that unknown facts leave open, with the facts that would
    /// decide them.
    pub fn undetermined_policies(&self) -> &[UndeterminedPolicy] {
        &self.report.undetermined_policies
    }

    /// Other most specific matched types with the classification's score (a tie).
    pub fn tied(&self) -> &[String] {
        &self.report.tied
    }

    /// Other most specific matched types with lower scores (the cluster is a hybrid).
    pub fn hybrids(&self) -> &[String] {
        &self.report.hybrids
    }

    /// Declared facts the input leaves unknown.
    pub fn unknown_facts(&self) -> &[String] {
        &self.report.unknown_facts
    }

    /// The whole report: fingerprints, parameters, every field of the JSON output.
    pub fn report(&self) -> &EvalReport {
        &self.report
    }

    /// Pretty JSON, byte for byte what `meso eval --format json` prints for these facts
    /// (documented in docs/cli.md).
    pub fn to_json(&self) -> String {
        render::json::render_report(&self.report)
    }
}

/// How an explanation is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum TraceFormat {
    /// The indented tree `meso explain` prints (no colour)
    #[default]
    Text,
    /// The versioned JSON trace (docs/trace.schema.json)
    Json,
    /// Markdown, for issues and reports
    Markdown,
    /// A self-contained HTML page, printable as evidence
    Html,
}

/// What to explain: everything, or one type (with its ancestors) or one policy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExplainOptions {
    /// Only this cluster type and its ancestors (`--type`)
    pub only_type: Option<String>,
    /// Only this policy or avoid item (`--policy`)
    pub only_policy: Option<String>,
}

/// Why the rule set says what it says about one cluster: every criterion and condition
/// with its value, the facts it read, the rule source lines, why not, and fingerprints.
///
/// ```
/// let rules = meso::Rules::embedded()?;
/// let facts = rules.facts_from_str("c.json", r#"{"firms": 3}"#, meso::FactsFormat::Json)?;
/// let why = rules.explain(&facts);
/// assert!(why.render(meso::TraceFormat::Text).starts_with("meso trace"));
/// assert!(why.render(meso::TraceFormat::Html).starts_with("<!DOCTYPE html>"));
/// # Ok::<(), meso::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Explanation {
    trace: Trace,
}

impl Explanation {
    /// The trace as `meso explain --format <format>` prints it (text without colour).
    pub fn render(&self, format: TraceFormat) -> String {
        match format {
            TraceFormat::Text => render::trace::text::render(&self.trace, false),
            TraceFormat::Json => render::trace::json::render(&self.trace),
            TraceFormat::Markdown => render::trace::markdown::render(&self.trace),
            TraceFormat::Html => render::trace::html::render(&self.trace),
        }
    }
}

impl Rules {
    /// Evaluate one cluster.
    pub fn evaluate(&self, facts: &Facts) -> Evaluation {
        let rules = self.rule_set();
        let mut outcome = rules.compiled.evaluate(facts.values());
        if self.strict_unknowns() {
            outcome.drop_provisional();
        }
        let status = |i: usize| {
            outcome
                .types
                .get(i)
                .map_or(TypeStatus::NotMatched, |t| t.status)
        };
        Evaluation {
            report: EvalReport::new(rules, facts.name(), facts.values(), &outcome),
            verdict: crate::eval::verdict(
                &rules.program,
                status,
                outcome.classification,
                outcome.provisional,
            ),
        }
    }

    /// Explain one cluster in full.
    pub fn explain(&self, facts: &Facts) -> Explanation {
        self.explain_with(facts, &ExplainOptions::default())
    }

    /// Explain one cluster, or one type or policy of it.
    pub fn explain_with(&self, facts: &Facts, options: &ExplainOptions) -> Explanation {
        let opts = TraceOptions {
            facts_label: facts.name().to_string(),
            params: self.params().to_vec(),
            allow_unknown_facts: facts.allow_unknown_facts(),
            only_type: options.only_type.clone(),
            only_policy: options.only_policy.clone(),
            stamp: None,
            strict_unknowns: self.strict_unknowns(),
        };
        Explanation {
            trace: trace::explain(self.rule_set(), facts.values(), &opts),
        }
    }
}
