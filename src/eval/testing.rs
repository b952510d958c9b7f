//! Evaluation stage, rule-file tests: the runner behind `meso test`.
//!
//! Input: an `ir::Program` with its `tests` (given facts, parameter overrides, expectations).
//! Output: a [`TestReport`] saying, per test, which expectations failed, in words an
//! economist reads: the expected and actual status and the criterion that decided it.

use crate::eval::compiled;
use crate::eval::compiled::Plan;
use crate::eval::reference::run::SCORE_EPSILON;
use crate::eval::Outcome;
use crate::facts::{FactOrigin, Facts};
use crate::ir::{ExpectKind, FactId, PolicyId, Program, Test, TypeId};

use crate::value::{format_number, Truth};
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
    /// What was expected and what came out, e.g. "expected `a` to be matched, but it is
    /// not matched: required criterion `small` is false"
    pub message: String,
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
            check(program, out, &e.kind).map(|message| ExpectFailure { expect: i, message })
        })
        .collect();
    TestResult {
        test: index,
        passed: failures.is_empty(),
        failures,
    }
}

/// None when the expectation holds, else the failure message.
fn check(program: &Program, out: &Outcome, kind: &ExpectKind) -> Option<String> {
    match kind {
        ExpectKind::Classification(expected) => check_classification(program, out, *expected),
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
) -> Option<String> {
    let name = type_name(program, id);
    let expected = match status {
        ExpectedStatus::Matched => TypeStatus::Matched,
        ExpectedStatus::Undetermined => TypeStatus::Undetermined,
        ExpectedStatus::Recommended | ExpectedStatus::Avoided => {
            return Some(format!(
                "`{name}` is a cluster type: expect it to be matched or undetermined"
            ))
        }
    };
    let actual = out.types.get(id.index())?.status;
    if (actual == expected) != negated {
        return None;
    }
    let because = explain_type(program, out, id);
    Some(if negated {
        format!(
            "expected `{name}` not to be {}, but it is{because}",
            expected.words()
        )
    } else {
        format!(
            "expected `{name}` to be {}, but it is {}{because}",
            expected.words(),
            actual.words()
        )
    })
}

fn check_policy(
    program: &Program,
    out: &Outcome,
    id: PolicyId,
    status: ExpectedStatus,
    negated: bool,
) -> Option<String> {
    let policy = program.policies.get(id.index())?;
    let name = &policy.name;
    let expected = match (status, policy.kind) {
        (ExpectedStatus::Recommended, PolicyKind::Recommend)
        | (ExpectedStatus::Avoided, PolicyKind::Avoid) => PolicyStatus::Applies,
        (ExpectedStatus::Undetermined, _) => PolicyStatus::Undetermined,
        (_, PolicyKind::Recommend) => {
            return Some(format!(
                "`{name}` is a policy: expect it to be recommended or undetermined"
            ))
        }
        (_, PolicyKind::Avoid) => {
            return Some(format!(
                "`{name}` is an avoid item: expect it to be avoided or undetermined"
            ))
        }
    };
    let actual = out.policies.get(id.index())?.status;
    if (actual == expected) != negated {
        return None;
    }
    let because = explain_policy(program, out, id);
    let word = |s| policy.kind.status_words(s);
    Some(if negated {
        format!(
            "expected `{name}` not to be {}, but it is{because}",
            word(expected)
        )
    } else {
        format!(
            "expected `{name}` to be {}, but it is {}{because}",
            word(expected),
            word(actual)
        )
    })
}

fn check_score(
    program: &Program,
    out: &Outcome,
    id: TypeId,
    op: CompareOp,
    bound: f64,
) -> Option<String> {
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
    let detail = if ty.indicative.is_empty() {
        "no indicative criteria".to_string()
    } else {
        let (mut met, mut open) = (0.0, 0.0);
        for (c, truth) in ty.indicative.iter().zip(&t.indicative) {
            match truth {
                Truth::True => met += c.weight,
                Truth::Unknown => open += c.weight,
                Truth::False => {}
            }
        }
        let mut d = format!(
            "{} of {} weight met",
            format_number(met),
            format_number(ty.total_weight())
        );
        if open > 0.0 {
            d = format!("{d}, {} unknown", format_number(open));
        }
        d
    };
    Some(format!(
        "expected `{}` score {} {}, got {s:.4} ({detail})",
        ty.name,
        op.as_str(),
        format_number(bound)
    ))
}

fn check_classification(
    program: &Program,
    out: &Outcome,
    expected: Option<TypeId>,
) -> Option<String> {
    if out.classification == expected {
        return None;
    }
    let got = match out.classification {
        Some(t) => format!("`{}`", type_name(program, t)),
        None => "none".to_string(),
    };
    let Some(want) = expected else {
        return Some(format!("expected classification none, got {got}"));
    };
    let name = type_name(program, want);
    let score = |t: TypeId| out.types.get(t.index()).map_or(0.0, |o| o.score);
    let status = out.types.get(want.index()).map(|t| t.status);
    let context = if status != Some(TypeStatus::Matched) {
        format!(
            "`{name}` is {}",
            status.map_or("not matched", TypeStatus::words)
        )
    } else if out.tied.contains(&want) {
        format!(
            "tied on score {:.4}; a tie goes to the type declared first",
            score(want)
        )
    } else if out.hybrids.contains(&want) {
        format!(
            "`{name}` is matched too, with the lower score {:.4} against {:.4}",
            score(want),
            out.classification.map_or(0.0, score)
        )
    } else if let Some(child) = matched_descendant(program, out, want) {
        format!(
            "`{name}` is matched, but the more specific `{}` is matched too",
            type_name(program, child)
        )
    } else {
        String::new()
    };
    Some(if context.is_empty() {
        format!("expected classification `{name}`, got {got}")
    } else {
        format!("expected classification `{name}`, got {got} ({context})")
    })
}

/// A matched type that extends `ancestor` (directly or not), first in declaration order.
fn matched_descendant(program: &Program, out: &Outcome, ancestor: TypeId) -> Option<TypeId> {
    (0..program.types.len()).map(TypeId::from_index).find(|&t| {
        t != ancestor
            && out.types.get(t.index()).map(|o| o.status) == Some(TypeStatus::Matched)
            && chain(program, t).any(|a| a == ancestor)
    })
}

/// A type and its ancestors (bounded, in case of a malformed `extends` loop).
fn chain(program: &Program, start: TypeId) -> impl Iterator<Item = TypeId> + '_ {
    std::iter::successors(Some(start), |t| {
        program.types.get(t.index()).and_then(|ty| ty.parent)
    })
    .take(program.types.len())
}

/// ": required criterion `x` is false, ..." — why the type has its status ("" if matched).
fn explain_type(program: &Program, out: &Outcome, id: TypeId) -> String {
    let Some(status) = out.types.get(id.index()).map(|t| t.status) else {
        return String::new();
    };
    // The criteria that decided it: false required / holding excluding ones for "not
    // matched", unknown ones for "undetermined".
    let (required_shown, excluding_shown) = match status {
        TypeStatus::Matched => return String::new(),
        TypeStatus::NotMatched => (Truth::False, Truth::True),
        TypeStatus::Undetermined => (Truth::Unknown, Truth::Unknown),
    };
    let mut reasons = Vec::new();
    for t in chain(program, id) {
        let (Some(ty), Some(o)) = (program.types.get(t.index()), out.types.get(t.index())) else {
            break;
        };
        let from = if t == id {
            String::new()
        } else {
            format!(" (from `{}`)", ty.name)
        };
        for (c, truth) in ty.required.iter().zip(&o.required) {
            if *truth == required_shown {
                reasons.push(format!(
                    "required criterion `{}`{from} is {}",
                    c.name,
                    truth.as_str()
                ));
            }
        }
        for (c, truth) in ty.excluding.iter().zip(&o.excluding) {
            if *truth == excluding_shown {
                let verb = if *truth == Truth::True {
                    "holds"
                } else {
                    "is unknown"
                };
                reasons.push(format!("excluding criterion `{}`{from} {verb}", c.name));
            }
        }
    }
    let mut text = String::new();
    if !reasons.is_empty() {
        text = format!(": {}", reasons.join(", "));
    }
    if status == TypeStatus::Undetermined {
        if let Some(o) = out.types.get(id.index()) {
            text.push_str(&missing_text(program, &o.unknown_facts));
        }
    }
    text
}

/// ": its condition is false" — why the policy has its status.
fn explain_policy(program: &Program, out: &Outcome, id: PolicyId) -> String {
    let (Some(policy), Some(p)) = (
        program.policies.get(id.index()),
        out.policies.get(id.index()),
    ) else {
        return String::new();
    };
    let list = |types: &mut dyn Iterator<Item = TypeId>| {
        types
            .map(|t| format!("`{}`", type_name(program, t)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let statuses = || {
        policy
            .for_types
            .iter()
            .map(|&t| {
                let word = out
                    .types
                    .get(t.index())
                    .map_or("not matched", |o| o.status.words());
                format!("`{}` is {word}", type_name(program, t))
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let condition = p.condition.unwrap_or(Truth::True);
    let text = match p.status {
        PolicyStatus::Applies if policy.condition.is_some() => format!(
            ": {} matched and its condition holds",
            list(&mut p.matched_types.iter().copied())
        ),
        PolicyStatus::Applies => {
            format!(": {} matched", list(&mut p.matched_types.iter().copied()))
        }
        PolicyStatus::DoesNotApply if p.matched_types.is_empty() => {
            format!(": none of its cluster types is matched ({})", statuses())
        }
        PolicyStatus::DoesNotApply => ": its condition is false".to_string(),
        PolicyStatus::Undetermined if !p.matched_types.is_empty() => {
            ": its condition is unknown".to_string()
        }
        PolicyStatus::Undetermined if condition == Truth::Unknown => {
            format!(": its condition is unknown and {}", statuses())
        }
        PolicyStatus::Undetermined => format!(": {}", statuses()),
    };
    if p.status == PolicyStatus::Undetermined {
        format!("{text}{}", missing_text(program, &p.unknown_facts))
    } else {
        text
    }
}

/// "; missing facts: `a`, `b`" (empty when there are none).
fn missing_text(program: &Program, facts: &[FactId]) -> String {
    if facts.is_empty() {
        return String::new();
    }
    let names: Vec<String> = facts
        .iter()
        .map(|f| format!("`{}`", fact_name(program, *f)))
        .collect();
    format!("; missing facts: {}", names.join(", "))
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
