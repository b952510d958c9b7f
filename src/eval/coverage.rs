//! Evaluation stage, test coverage: which criteria, policy conditions and policies the tests
//! of a rule set exercise, as true, as false and as unknown.
//!
//! Input: an `ir::Program` with its tests. Output: a [`Coverage`] with, for every criterion
//! (required, indicative, excluding) and every policy, how many tests saw each outcome. The
//! tests run exactly as in [`crate::eval::testing::run_tests`] (all facts unknown, then the
//! `given` facts and `param` overrides); every criterion and condition is evaluated in every
//! run (evaluation never skips one), so the `Outcome` vectors say everything.

use crate::eval::reference;
use crate::eval::{NoObserver, Outcome};
use crate::facts::Facts;
use crate::ir::{PolicyId, Program, Test, TypeId};
use crate::source::Span;
use crate::value::Truth;
use crate::vocab::PolicyStatus;

/// How many tests saw a condition true, false and unknown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Seen {
    /// Tests in which it was true
    #[serde(rename = "true")]
    pub true_: usize,
    /// Tests in which it was false
    #[serde(rename = "false")]
    pub false_: usize,
    /// Tests in which it was unknown
    pub unknown: usize,
}

impl Seen {
    fn add(&mut self, truth: Truth) {
        match truth {
            Truth::True => self.true_ += 1,
            Truth::False => self.false_ += 1,
            Truth::Unknown => self.unknown += 1,
        }
    }
}

/// The block a criterion is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Block {
    /// `required { ... }`
    Required,
    /// `indicative { ... }`
    Indicative,
    /// `excluding { ... }`
    Excluding,
}

impl Block {
    /// The block's keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Block::Required => "required",
            Block::Indicative => "indicative",
            Block::Excluding => "excluding",
        }
    }
}

/// Coverage of one criterion.
#[derive(Clone, Debug, PartialEq)]
pub struct CriterionCoverage {
    /// Its type
    pub type_id: TypeId,
    /// Its block
    pub block: Block,
    /// Criterion name
    pub name: String,
    /// Where it is written
    pub span: Span,
    /// Outcomes seen
    pub seen: Seen,
}

/// Coverage of one policy or avoid item.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyCoverage {
    /// The policy
    pub id: PolicyId,
    /// Tests in which it applied (recommended or avoided)
    pub applies: usize,
    /// Tests in which it did not apply
    pub does_not_apply: usize,
    /// Tests in which it was undetermined
    pub undetermined: usize,
    /// Outcomes of its `when` condition (None: it has none)
    pub condition: Option<Seen>,
}

/// What the tests of a rule set exercise.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Coverage {
    /// Number of tests run
    pub tests: usize,
    /// Every criterion, by type in declaration order, then required, indicative, excluding
    pub criteria: Vec<CriterionCoverage>,
    /// Every policy and avoid item in declaration order
    pub policies: Vec<PolicyCoverage>,
}

/// A share of a total, as a whole percentage (100 for an empty total).
pub fn percent(part: usize, total: usize) -> u32 {
    if total == 0 {
        return 100;
    }
    let p = (part as f64 * 100.0 / total as f64).floor();
    p.clamp(0.0, 100.0) as u32
}

impl Coverage {
    /// Criteria seen true in at least one test / all criteria, and likewise false.
    pub fn criteria_counts(&self) -> (usize, usize, usize) {
        let t = self.criteria.iter().filter(|c| c.seen.true_ > 0).count();
        let f = self.criteria.iter().filter(|c| c.seen.false_ > 0).count();
        (t, f, self.criteria.len())
    }

    /// Policy conditions seen true / false at least once, and how many policies have one.
    pub fn condition_counts(&self) -> (usize, usize, usize) {
        let conds: Vec<&Seen> = self
            .policies
            .iter()
            .filter_map(|p| p.condition.as_ref())
            .collect();
        let t = conds.iter().filter(|c| c.true_ > 0).count();
        let f = conds.iter().filter(|c| c.false_ > 0).count();
        (t, f, conds.len())
    }

    /// Policies that applied / did not apply in at least one test, and all policies.
    pub fn policy_counts(&self) -> (usize, usize, usize) {
        let a = self.policies.iter().filter(|p| p.applies > 0).count();
        let n = self
            .policies
            .iter()
            .filter(|p| p.does_not_apply > 0)
            .count();
        (a, n, self.policies.len())
    }

    /// The one-line summary, e.g. `criteria: 84% true, 71% false; ...`.
    pub fn summary(&self) -> String {
        let (ct, cf, cn) = self.criteria_counts();
        let (wt, wf, wn) = self.condition_counts();
        let (pa, pn, pt) = self.policy_counts();
        format!(
            "criteria: {}% true, {}% false; conditions: {}% true, {}% false; policies: {}% applied, {}% not applied ({} tests, {cn} criteria, {wn} conditions, {pt} policies)",
            percent(ct, cn),
            percent(cf, cn),
            percent(wt, wn),
            percent(wf, wn),
            percent(pa, pt),
            percent(pn, pt),
            self.tests,
        )
    }
}

/// Run the tests accepted by `include` and record what they exercise.
pub fn measure(program: &Program, include: &dyn Fn(&Test) -> bool) -> Coverage {
    let mut cov = Coverage::default();
    for (i, ty) in program.types.iter().enumerate() {
        for (block, list) in [
            (Block::Required, &ty.required),
            (Block::Indicative, &ty.indicative),
            (Block::Excluding, &ty.excluding),
        ] {
            for c in list {
                cov.criteria.push(CriterionCoverage {
                    type_id: TypeId::from_index(i),
                    block,
                    name: c.name.clone(),
                    span: c.span,
                    seen: Seen::default(),
                });
            }
        }
    }
    cov.policies = program
        .policies
        .iter()
        .enumerate()
        .map(|(i, p)| PolicyCoverage {
            id: PolicyId::from_index(i),
            applies: 0,
            does_not_apply: 0,
            undetermined: 0,
            condition: p.condition.map(|_| Seen::default()),
        })
        .collect();
    let mut out = Outcome::default();
    for test in program.tests.iter().filter(|t| include(t)) {
        run(program, test, &mut out);
        cov.tests += 1;
        record(&mut cov, &out);
    }
    cov
}

fn run(program: &Program, test: &Test, out: &mut Outcome) {
    let mut facts = Facts::unknown(program.facts.len());
    for (id, value) in &test.given {
        if let Some(slot) = facts.values.get_mut(id.index()) {
            *slot = value.clone();
        }
    }
    let mut params = program.params.clone();
    for (id, value) in &test.params {
        if let Some(p) = params.get_mut(id.index()) {
            p.value = value.clone();
            p.overridden = true;
        }
    }
    reference::run::run(program, &params, &facts, out, &mut NoObserver);
}

fn record(cov: &mut Coverage, out: &Outcome) {
    // Criteria are listed type by type, block by block, as in the outcome vectors.
    let truths = out
        .types
        .iter()
        .flat_map(|t| t.required.iter().chain(&t.indicative).chain(&t.excluding));
    for (c, truth) in cov.criteria.iter_mut().zip(truths) {
        c.seen.add(*truth);
    }
    for (p, o) in cov.policies.iter_mut().zip(&out.policies) {
        match o.status {
            PolicyStatus::Applies => p.applies += 1,
            PolicyStatus::DoesNotApply => p.does_not_apply += 1,
            PolicyStatus::Undetermined => p.undetermined += 1,
        }
        if let (Some(seen), Some(truth)) = (p.condition.as_mut(), o.condition) {
            seen.add(truth);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn program(text: &str) -> std::sync::Arc<Program> {
        crate::eval::test_program_of(&[("t.meso".into(), text.into())])
    }

    #[test]
    fn criteria_and_policies_are_counted_per_outcome() {
        let p = program(
            "fact firms: count\nfact trust: level low < high\n\
             type c { required { big: firms >= 10 } indicative { t: trust == high } }\n\
             policy p { for c when trust == low advice \"a\" }\n\
             test \"big\" { given { firms = 20 trust = low } expect p is recommended }\n\
             test \"small\" { given { firms = 2 } expect c is not matched }\n",
        );
        let cov = measure(&p, &|_| true);
        assert_eq!(cov.tests, 2);
        let big = &cov.criteria[0];
        assert_eq!(
            (big.seen.true_, big.seen.false_, big.seen.unknown),
            (1, 1, 0)
        );
        let t = &cov.criteria[1];
        assert_eq!((t.seen.true_, t.seen.false_, t.seen.unknown), (0, 1, 1));
        let pol = &cov.policies[0];
        assert_eq!((pol.applies, pol.does_not_apply), (1, 1));
        assert_eq!(pol.condition.map(|c| (c.true_, c.unknown)), Some((1, 1)));
        assert_eq!(cov.criteria_counts(), (1, 2, 2));
        assert!(cov.summary().starts_with("criteria: 50% true, 100% false;"));
    }
}
