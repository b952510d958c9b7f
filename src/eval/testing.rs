//! Evaluation stage, rule-file tests: the runner behind `meso test`.
//!
//! Input: an `ir::Program` with its `tests` (given facts, parameter overrides, expectations).
//! Output: a [`TestReport`] saying, per test, which expectations failed and why, as data
//! ([`Failed`]: the expected and actual status, the criteria and facts that decided it).
//! The render stage says it in words an economist reads (`render::test_report`, the
//! `Display` of [`Failed`]).

use crate::eval::compiled;
use crate::eval::compiled::Plan;
use crate::eval::reference::run::SCORE_EPSILON;
use crate::eval::Outcome;
use crate::facts::{FactOrigin, Facts};
use crate::ir::{ExpectKind, FactId, PolicyId, Program, Test, TypeId};

use crate::value::Truth;
use crate::vocab::{CompareOp, ExpectedStatus, PolicyKind, PolicyStatus, TypeStatus};

/// The results of all tests of a rule set, in declaration order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TestReport {
    /// One result per test (same order as `Program::tests`)
    pub results: Vec<TestResult>,
}

impl TestReport {
    /// True when every test passed.
    pub fn passed(&self) -> bool {
        self.results.iter().all(|r| r.passed)
    }

    /// How many tests failed.
    pub fn failed(&self) -> usize {
        self.results.iter().filter(|r| !r.passed).count()
    }
}

/// The result of one test.
#[derive(Clone, Debug, PartialEq)]
pub struct TestResult {
    /// Index into `Program::tests`
    pub test: usize,
    /// Whether every expectation held
    pub passed: bool,
    /// The expectations that did not hold
    pub failures: Vec<ExpectFailure>,
}

/// One expectation that did not hold.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpectFailure {
    /// Index into the test's `expects`
    pub expect: usize,
    /// What was expected and what came out; shown (`to_string`) as e.g. "expected `a` to
    /// be matched, but it is not matched: required criterion `small` is false"
    pub failed: Failed,
}

/// What an expectation expected and what came out instead, with the names that explain it.
#[derive(Clone, Debug, PartialEq)]
pub enum Failed {
    /// `expect t is recommended` (or `avoided`) where `t` is a cluster type
    NotAPolicy {
        /// The type
        ty: String,
    },
    /// A policy expected with the word of the other kind (or a type's word)
    WrongPolicyWord {
        /// The policy or avoid item
        policy: String,
        /// Its kind
        kind: PolicyKind,
    },
    /// A cluster type's status
    Type {
        /// The type
        ty: String,
        /// The status expected (or, when `negated`, not expected)
        expected: TypeStatus,
        /// The status it has
        actual: TypeStatus,
        /// `expect t is not ...`
        negated: bool,
        /// Why it has its status (empty when matched)
        reasons: Vec<Reason>,
        /// The facts whose absence keeps it undetermined (empty unless undetermined)
        missing: Vec<String>,
    },
    /// A policy's or avoid item's status
    Policy {
        /// The policy or avoid item
        policy: String,
        /// Its kind
        kind: PolicyKind,
        /// The status expected (or, when `negated`, not expected)
        expected: PolicyStatus,
        /// The status it has
        actual: PolicyStatus,
        /// `expect p is not ...`
        negated: bool,
        /// Why it has its status
        why: PolicyWhy,
        /// The facts whose absence keeps it undetermined (empty unless undetermined)
        missing: Vec<String>,
    },
    /// A score bound (`expect t score >= 0.6`)
    Score {
        /// The type
        ty: String,
        /// The comparison
        op: CompareOp,
        /// The bound
        bound: f64,
        /// The score it has
        score: f64,
        /// Its indicative weights (none when it has no indicative criteria)
        weights: Option<Weights>,
    },
    /// The provisional lead (`expect provisional classification is t`)
    Provisional {
        /// The type expected (none: nothing leads)
        expected: Option<String>,
        /// The type that leads (none: nothing leads)
        got: Option<String>,
        /// The firm classification, when there is one
        firm: Option<String>,
    },
    /// A policy expected (or not) among those the provisional lead would bring in
    ProvisionalPolicy {
        /// The policy or avoid item
        policy: String,
        /// Its kind
        kind: PolicyKind,
        /// `expect p is not provisionally ...`
        negated: bool,
        /// The type that leads (none: nothing leads)
        lead: Option<String>,
    },
    /// The classification
    Classification {
        /// The type expected (none: no classification)
        expected: Option<String>,
        /// The type classified (none: no classification)
        got: Option<String>,
        /// Why the expected type did not win, when something says
        context: Option<Context>,
    },
}

/// A criterion that decided a type's status (`from`: the ancestor type that declares it,
/// none for the type itself; `truth`: its value).
#[derive(Clone, Debug, PartialEq)]
pub enum Reason {
    /// A required criterion that is false (not matched) or unknown (undetermined)
    Required {
        /// The criterion
        criterion: String,
        /// The ancestor type that declares it
        from: Option<String>,
        /// Its value
        truth: Truth,
    },
    /// An excluding criterion that holds (not matched) or is unknown (undetermined)
    Excluding {
        /// The criterion
        criterion: String,
        /// The ancestor type that declares it
        from: Option<String>,
        /// Its value
        truth: Truth,
    },
}

/// Why a policy has its status.
#[derive(Clone, Debug, PartialEq)]
pub enum PolicyWhy {
    /// It applies: these `for` types matched (and its condition, if any, holds)
    Matched {
        /// The matched types
        types: Vec<String>,
        /// Whether it has a condition
        condition: bool,
    },
    /// It does not apply: none of its `for` types matched (each with its status)
    NoTypeMatched(Vec<(String, TypeStatus)>),
    /// It does not apply: a type matched, but its condition is false
    ConditionFalse,
    /// Undetermined: a type matched, but its condition is unknown
    ConditionUnknown,
    /// Undetermined: no type matched yet (each with its status); the condition may be unknown
    Open {
        /// Whether the condition is unknown too
        condition_unknown: bool,
        /// Each `for` type with its status
        types: Vec<(String, TypeStatus)>,
    },
}

/// The indicative weights of a type: met, unknown and in all.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Weights {
    /// Weight of the criteria that hold
    pub met: f64,
    /// Weight of the unknown criteria
    pub open: f64,
    /// Total indicative weight
    pub total: f64,
}

/// Why the expected type is not the classification.
#[derive(Clone, Debug, PartialEq)]
pub enum Context {
    /// It is not matched (or undetermined)
    Status(TypeStatus),
    /// It tied on this score with the type declared first
    Tied(f64),
    /// It matched too, with a lower score (its score, the winner's)
    Hybrid(f64, f64),
    /// A more specific type (one that extends it) matched too
    MoreSpecific(String),
}

/// Run every test of `program`: each starts from all facts unknown, sets its `given`
/// facts and parameter overrides, evaluates, and checks its expectations.
pub fn run_tests(program: &Program) -> TestReport {
    let mut out = Outcome::default();
    let mut scratch = compiled::Scratch::default();
    let results = program
        .tests
        .iter()
        .enumerate()
        .map(|(i, test)| run_test(program, &mut scratch, i, test, &mut out))
        .collect();
    TestReport { results }
}

fn run_test(
    program: &Program,
    scratch: &mut compiled::Scratch,
    index: usize,
    test: &Test,
    out: &mut Outcome,
) -> TestResult {
    let mut facts = Facts::unknown(program.facts.len());
    for (id, value) in &test.given {
        if let Some(slot) = facts.values.get_mut(id.index()) {
            *slot = value.clone();
        }
        if let Some(origin) = facts.origins.get_mut(id.index()) {
            *origin = Some(FactOrigin {
                source: format!("test \"{}\"", test.name),
                key: fact_name(program, *id).to_string(),
                line: None,
            });
        }
    }
    let mut params = program.params.clone();
    for (id, value) in &test.params {
        if let Some(p) = params.get_mut(id.index()) {
            p.value = value.clone();
            p.overridden = true;
        }
    }
    let plan = Plan::new(program, &params);
    compiled::run::run_plan(program, &plan, &params, &facts, out, scratch);
    let failures: Vec<ExpectFailure> = test
        .expects
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            check(program, out, &e.kind).map(|failed| ExpectFailure { expect: i, failed })
        })
        .collect();
    TestResult {
        test: index,
        passed: failures.is_empty(),
        failures,
    }
}

/// None when the expectation holds, else what failed.
fn check(program: &Program, out: &Outcome, kind: &ExpectKind) -> Option<Failed> {
    match kind {
        ExpectKind::Classification(expected) => check_classification(program, out, *expected),
        ExpectKind::Provisional(expected) => check_provisional(program, out, *expected),
        ExpectKind::TypeStatus {
            id,
            status,
            negated,
        } => check_type(program, out, *id, *status, *negated),
        ExpectKind::PolicyStatus {
            id,
            status,
            negated,
        } => check_policy(program, out, *id, *status, *negated),
        ExpectKind::Score { id, op, value } => check_score(program, out, *id, *op, *value),
    }
}

fn check_type(
    program: &Program,
    out: &Outcome,
    id: TypeId,
    status: ExpectedStatus,
    negated: bool,
) -> Option<Failed> {
    let name = type_name(program, id).to_string();
    let expected = match status {
        ExpectedStatus::Matched => TypeStatus::Matched,
        ExpectedStatus::Undetermined => TypeStatus::Undetermined,
        ExpectedStatus::Recommended
        | ExpectedStatus::Avoided
        | ExpectedStatus::ProvisionallyRecommended
        | ExpectedStatus::ProvisionallyAvoided => return Some(Failed::NotAPolicy { ty: name }),
    };
    let actual = out.types.get(id.index())?.status;
    if (actual == expected) != negated {
        return None;
    }
    let (reasons, missing) = explain_type(program, out, id);
    Some(Failed::Type {
        ty: name,
        expected,
        actual,
        negated,
        reasons,
        missing,
    })
}

fn check_policy(
    program: &Program,
    out: &Outcome,
    id: PolicyId,
    status: ExpectedStatus,
    negated: bool,
) -> Option<Failed> {
    let policy = program.policies.get(id.index())?;
    if let (ExpectedStatus::ProvisionallyRecommended | ExpectedStatus::ProvisionallyAvoided, kind) =
        (status, policy.kind)
    {
        let holds = out.provisional_policies.contains(&id);
        if holds != negated {
            return None;
        }
        return Some(Failed::ProvisionalPolicy {
            policy: policy.name.clone(),
            kind,
            negated,
            lead: out.provisional.map(|t| type_name(program, t).to_string()),
        });
    }
    let expected = match (status, policy.kind) {
        (ExpectedStatus::Recommended, PolicyKind::Recommend)
        | (ExpectedStatus::Avoided, PolicyKind::Avoid) => PolicyStatus::Applies,
        (ExpectedStatus::Undetermined, _) => PolicyStatus::Undetermined,
        (_, kind) => {
            return Some(Failed::WrongPolicyWord {
                policy: policy.name.clone(),
                kind,
            })
        }
    };
    let p = out.policies.get(id.index())?;
    let actual = p.status;
    if (actual == expected) != negated {
        return None;
    }
    let missing = if actual == PolicyStatus::Undetermined {
        fact_names(program, &p.unknown_facts)
    } else {
        Vec::new()
    };
    Some(Failed::Policy {
        policy: policy.name.clone(),
        kind: policy.kind,
        expected,
        actual,
        negated,
        why: explain_policy(program, out, policy, p),
        missing,
    })
}

fn check_score(
    program: &Program,
    out: &Outcome,
    id: TypeId,
    op: CompareOp,
    bound: f64,
) -> Option<Failed> {
    let ty = program.types.get(id.index())?;
    let t = out.types.get(id.index())?;
    let s = t.score;
    let holds = match op {
        CompareOp::Eq => (s - bound).abs() <= SCORE_EPSILON,
        CompareOp::Ne => (s - bound).abs() > SCORE_EPSILON,
        CompareOp::Lt => s < bound - SCORE_EPSILON,
        CompareOp::Le => s <= bound + SCORE_EPSILON,
        CompareOp::Gt => s > bound + SCORE_EPSILON,
        CompareOp::Ge => s >= bound - SCORE_EPSILON,
    };
    if holds {
        return None;
    }
    let weights = if ty.indicative.is_empty() {
        None
    } else {
        let (mut met, mut open) = (0.0, 0.0);
        for (c, truth) in ty.indicative.iter().zip(&t.indicative) {
            match truth {
                Truth::True => met += c.weight,
                Truth::Unknown => open += c.weight,
                Truth::False => {}
            }
        }
        Some(Weights {
            met,
            open,
            total: ty.total_weight(),
        })
    };
    Some(Failed::Score {
        ty: ty.name.clone(),
        op,
        bound,
        score: s,
        weights,
    })
}

fn check_provisional(program: &Program, out: &Outcome, expected: Option<TypeId>) -> Option<Failed> {
    if out.provisional == expected {
        return None;
    }
    let name = |t: Option<TypeId>| t.map(|t| type_name(program, t).to_string());
    Some(Failed::Provisional {
        expected: name(expected),
        got: name(out.provisional),
        firm: name(out.classification),
    })
}

fn check_classification(
    program: &Program,
    out: &Outcome,
    expected: Option<TypeId>,
) -> Option<Failed> {
    if out.classification == expected {
        return None;
    }
    let got = out
        .classification
        .map(|t| type_name(program, t).to_string());
    let Some(want) = expected else {
        return Some(Failed::Classification {
            expected: None,
            got,
            context: None,
        });
    };
    let score = |t: TypeId| out.types.get(t.index()).map_or(0.0, |o| o.score);
    let status = out.types.get(want.index()).map(|t| t.status);
    let context = if status != Some(TypeStatus::Matched) {
        Some(Context::Status(status.unwrap_or(TypeStatus::NotMatched)))
    } else if out.tied.contains(&want) {
        Some(Context::Tied(score(want)))
    } else if out.hybrids.contains(&want) {
        Some(Context::Hybrid(
            score(want),
            out.classification.map_or(0.0, score),
        ))
    } else {
        matched_descendant(program, out, want)
            .map(|child| Context::MoreSpecific(type_name(program, child).to_string()))
    };
    Some(Failed::Classification {
        expected: Some(type_name(program, want).to_string()),
        got,
        context,
    })
}

/// A matched type that extends `ancestor` (directly or not), first in declaration order.
fn matched_descendant(program: &Program, out: &Outcome, ancestor: TypeId) -> Option<TypeId> {
    (0..program.types.len()).map(TypeId::from_index).find(|&t| {
        t != ancestor
            && out.types.get(t.index()).map(|o| o.status) == Some(TypeStatus::Matched)
            && program.lineage(t).any(|a| a == ancestor)
    })
}

/// Why the type has its status: the criteria that decided it (none if matched) and, when
/// undetermined, the missing facts.
fn explain_type(program: &Program, out: &Outcome, id: TypeId) -> (Vec<Reason>, Vec<String>) {
    let Some(status) = out.types.get(id.index()).map(|t| t.status) else {
        return (Vec::new(), Vec::new());
    };
    // The criteria that decided it: false required / holding excluding ones for "not
    // matched", unknown ones for "undetermined".
    let (required_shown, excluding_shown) = match status {
        TypeStatus::Matched => return (Vec::new(), Vec::new()),
        TypeStatus::NotMatched => (Truth::False, Truth::True),
        TypeStatus::Undetermined => (Truth::Unknown, Truth::Unknown),
    };
    let mut reasons = Vec::new();
    for t in program.lineage(id) {
        let (Some(ty), Some(o)) = (program.types.get(t.index()), out.types.get(t.index())) else {
            break;
        };
        let from = (t != id).then(|| ty.name.clone());
        for (c, truth) in ty.required.iter().zip(&o.required) {
            if *truth == required_shown {
                reasons.push(Reason::Required {
                    criterion: c.name.clone(),
                    from: from.clone(),
                    truth: *truth,
                });
            }
        }
        for (c, truth) in ty.excluding.iter().zip(&o.excluding) {
            if *truth == excluding_shown {
                reasons.push(Reason::Excluding {
                    criterion: c.name.clone(),
                    from: from.clone(),
                    truth: *truth,
                });
            }
        }
    }
    let mut missing = Vec::new();
    if status == TypeStatus::Undetermined {
        if let Some(o) = out.types.get(id.index()) {
            missing = fact_names(program, &o.unknown_facts);
        }
    }
    (reasons, missing)
}

/// Why the policy has its status.
fn explain_policy(
    program: &Program,
    out: &Outcome,
    policy: &crate::ir::Policy,
    p: &crate::eval::PolicyOutcome,
) -> PolicyWhy {
    let names = |types: &[TypeId]| -> Vec<String> {
        types
            .iter()
            .map(|&t| type_name(program, t).to_string())
            .collect()
    };
    let statuses = || -> Vec<(String, TypeStatus)> {
        policy
            .for_types
            .iter()
            .map(|&t| {
                let status = out
                    .types
                    .get(t.index())
                    .map_or(TypeStatus::NotMatched, |o| o.status);
                (type_name(program, t).to_string(), status)
            })
            .collect()
    };
    let condition = p.condition.unwrap_or(Truth::True);
    match p.status {
        PolicyStatus::Applies => PolicyWhy::Matched {
            types: names(&p.matched_types),
            condition: policy.condition.is_some(),
        },
        PolicyStatus::DoesNotApply if p.matched_types.is_empty() => {
            PolicyWhy::NoTypeMatched(statuses())
        }
        PolicyStatus::DoesNotApply => PolicyWhy::ConditionFalse,
        PolicyStatus::Undetermined if !p.matched_types.is_empty() => PolicyWhy::ConditionUnknown,
        PolicyStatus::Undetermined => PolicyWhy::Open {
            condition_unknown: condition == Truth::Unknown,
            types: statuses(),
        },
    }
}

/// The names of facts.
fn fact_names(program: &Program, facts: &[FactId]) -> Vec<String> {
    facts
        .iter()
        .map(|f| fact_name(program, *f).to_string())
        .collect()
}

fn type_name(program: &Program, id: TypeId) -> &str {
    program
        .types
        .get(id.index())
        .map_or("?", |t| t.name.as_str())
}

fn fact_name(program: &Program, id: FactId) -> &str {
    program
        .facts
        .get(id.index())
        .map_or("?", |f| f.name.as_str())
}
