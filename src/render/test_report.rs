//! Render stage, rule-file test failures: a [`Failed`] expectation (decided by
//! `eval::testing`, with the names and statuses that explain it) → one sentence an economist
//! reads, e.g. "expected `a` to be matched, but it is not matched: required criterion
//! `small` is false". The sentence is the `Display` of [`Failed`], so `meso test` and the
//! unit tests of the runner show the same words.

use std::fmt;

use crate::eval::testing::{Context, Failed, PolicyWhy, Reason, Weights};
use crate::value::{format_number, Truth};
use crate::vocab::{ExpectedStatus, PolicyKind, TypeStatus};

impl fmt::Display for Failed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failed::NotAPolicy { ty } => write!(
                f,
                "`{ty}` is a cluster type: expect it to be {} or {}",
                ExpectedStatus::Matched.as_str(),
                ExpectedStatus::Undetermined.as_str()
            ),
            Failed::WrongPolicyWord { policy, kind } => {
                let what = match kind {
                    PolicyKind::Recommend => "a policy",
                    PolicyKind::Avoid => "an avoid item",
                };
                write!(
                    f,
                    "`{policy}` is {what}: expect it to be {} or {}",
                    kind.applies_word(),
                    ExpectedStatus::Undetermined.as_str()
                )
            }
            Failed::Type {
                ty,
                expected,
                actual,
                negated,
                reasons,
                missing,
            } => {
                if *negated {
                    write!(
                        f,
                        "expected `{ty}` not to be {}, but it is",
                        expected.words()
                    )?;
                } else {
                    write!(
                        f,
                        "expected `{ty}` to be {}, but it is {}",
                        expected.words(),
                        actual.words()
                    )?;
                }
                if !reasons.is_empty() {
                    let list: Vec<String> = reasons.iter().map(reason).collect();
                    write!(f, ": {}", list.join(", "))?;
                }
                f.write_str(&missing_text(missing))
            }
            Failed::Policy {
                policy,
                kind,
                expected,
                actual,
                negated,
                why,
                missing,
            } => {
                if *negated {
                    write!(
                        f,
                        "expected `{policy}` not to be {}, but it is",
                        kind.status_words(*expected)
                    )?;
                } else {
                    write!(
                        f,
                        "expected `{policy}` to be {}, but it is {}",
                        kind.status_words(*expected),
                        kind.status_words(*actual)
                    )?;
                }
                write!(f, "{}{}", policy_why(why), missing_text(missing))
            }
            Failed::Score {
                ty,
                op,
                bound,
                score,
                weights,
            } => write!(
                f,
                "expected `{ty}` score {} {}, got {score:.4} ({})",
                op.as_str(),
                format_number(*bound),
                weights_text(weights.as_ref())
            ),
            Failed::Provisional {
                expected,
                got,
                firm,
            } => {
                let want = expected
                    .as_ref()
                    .map_or("none".to_string(), |n| format!("`{n}`"));
                write!(
                    f,
                    "expected provisional classification {want}, got {}",
                    got_text(got)
                )?;
                match firm {
                    Some(t) if got.is_none() => {
                        write!(f, " (the facts settle the classification: `{t}`)")
                    }
                    _ => Ok(()),
                }
            }
            Failed::ProvisionalPolicy {
                policy,
                kind,
                negated,
                lead,
            } => {
                let word = match kind {
                    PolicyKind::Recommend => "recommended",
                    PolicyKind::Avoid => "avoided",
                };
                let not = if *negated { "not " } else { "" };
                match lead {
                    Some(t) => write!(
                        f,
                        "expected `{policy}` {not}provisionally {word}, but it {} with the provisional lead `{t}`",
                        if *negated { "would apply" } else { "would not apply" }
                    ),
                    None => write!(
                        f,
                        "expected `{policy}` {not}provisionally {word}, but nothing leads provisionally"
                    ),
                }
            }
            Failed::Classification {
                expected: None,
                got,
                ..
            } => write!(f, "expected classification none, got {}", got_text(got)),
            Failed::Classification {
                expected: Some(name),
                got,
                context,
            } => {
                write!(f, "expected classification `{name}`, got {}", got_text(got))?;
                match context {
                    Some(c) => write!(f, " ({})", context_text(name, c)),
                    None => Ok(()),
                }
            }
        }
    }
}

/// "required criterion `x` (from `parent`) is false", "excluding criterion `y` holds".
fn reason(r: &Reason) -> String {
    let from = |f: &Option<String>| {
        f.as_ref()
            .map_or(String::new(), |ty| format!(" (from `{ty}`)"))
    };
    match r {
        Reason::Required {
            criterion,
            from: f,
            truth,
        } => format!("required criterion `{criterion}`{} is {truth}", from(f)),
        Reason::Excluding {
            criterion,
            from: f,
            truth,
        } => {
            let verb = if *truth == Truth::True {
                "holds"
            } else {
                "is unknown"
            };
            format!("excluding criterion `{criterion}`{} {verb}", from(f))
        }
    }
}

/// ": its condition is false" — why the policy has its status.
fn policy_why(why: &PolicyWhy) -> String {
    let names = |types: &[String]| {
        types
            .iter()
            .map(|t| format!("`{t}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let statuses = |types: &[(String, TypeStatus)]| {
        types
            .iter()
            .map(|(t, s)| format!("`{t}` is {}", s.words()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let matched = TypeStatus::Matched.words();
    match why {
        PolicyWhy::Matched {
            types,
            condition: true,
        } => format!(": {} {matched} and its condition holds", names(types)),
        PolicyWhy::Matched {
            types,
            condition: false,
        } => format!(": {} {matched}", names(types)),
        PolicyWhy::NoTypeMatched(types) => {
            format!(
                ": none of its cluster types is {matched} ({})",
                statuses(types)
            )
        }
        PolicyWhy::ConditionFalse => ": its condition is false".to_string(),
        PolicyWhy::ConditionUnknown => ": its condition is unknown".to_string(),
        PolicyWhy::Open {
            condition_unknown: true,
            types,
        } => format!(": its condition is unknown and {}", statuses(types)),
        PolicyWhy::Open {
            condition_unknown: false,
            types,
        } => format!(": {}", statuses(types)),
    }
}

/// "; missing facts: `a`, `b`" (empty when there are none).
fn missing_text(facts: &[String]) -> String {
    if facts.is_empty() {
        return String::new();
    }
    let names: Vec<String> = facts.iter().map(|f| format!("`{f}`")).collect();
    format!("; missing facts: {}", names.join(", "))
}

/// "2 of 5 weight met, 1 unknown", or "no indicative criteria".
fn weights_text(weights: Option<&Weights>) -> String {
    let Some(w) = weights else {
        return "no indicative criteria".to_string();
    };
    let mut d = format!(
        "{} of {} weight met",
        format_number(w.met),
        format_number(w.total)
    );
    if w.open > 0.0 {
        d = format!("{d}, {} unknown", format_number(w.open));
    }
    d
}

/// The classification that came out: "`name`" or "none".
fn got_text(got: &Option<String>) -> String {
    match got {
        Some(name) => format!("`{name}`"),
        None => "none".to_string(),
    }
}

/// Why the expected type `name` did not win.
fn context_text(name: &str, context: &Context) -> String {
    let matched = TypeStatus::Matched.words();
    match context {
        Context::Status(status) => format!("`{name}` is {}", status.words()),
        Context::Tied(score) => {
            format!("tied on score {score:.4}; a tie goes to the type declared first")
        }
        Context::Hybrid(score, winner) => format!(
            "`{name}` is {matched} too, with the lower score {score:.4} against {winner:.4}"
        ),
        Context::MoreSpecific(child) => {
            format!("`{name}` is {matched}, but the more specific `{child}` is {matched} too")
        }
    }
}
