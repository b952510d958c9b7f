//! Test pass: `test` blocks lowered to `ir::Test` (given facts as values, parameter
//! overrides, expectations resolved to types and policies).

use super::declare::{list_names, literal_value, parse_override};
use super::{CheckKind, Checker, Decl};
use crate::ir::{self, ExpectKind, FactType};
use crate::suggest::did_you_mean;
use crate::syntax::ast::{self, FactValue, Literal};
use crate::value::{format_number, Value};
use crate::vocab::{ExpectedStatus, PolicyKind};

impl<'a> Checker<'a> {
    pub(super) fn lower_tests(&mut self) {
        // A copy of the list of references, so that lowering can borrow the checker mutably.
        for decl in self.test_ast.clone() {
            let given = decl
                .given
                .iter()
                .filter_map(|a| self.lower_given(a))
                .collect();
            let params = decl
                .params
                .iter()
                .filter_map(|p| self.lower_test_param(p))
                .collect();
            let expects = decl
                .expects
                .iter()
                .filter_map(|e| self.lower_expect(e))
                .collect();
            self.program.tests.push(ir::Test {
                name: decl.name.node.clone(),
                given,
                params,
                expects,
                span: decl.span,
            });
        }
    }

    fn lower_given(&mut self, a: &ast::Assignment) -> Option<(ir::FactId, Value)> {
        let id = match self.names.get(&a.name.name).copied() {
            Some((Decl::Fact(id), _)) => id,
            other => {
                let facts: Vec<String> =
                    self.program.facts.iter().map(|f| f.name.clone()).collect();
                let help = match other {
                    Some((Decl::Param(_), _)) => Some(format!(
                        "`{}` is a parameter: write `param {} = ...` in the test, outside `given`",
                        a.name.name, a.name.name
                    )),
                    _ => did_you_mean(&a.name.name, facts.iter().map(String::as_str)),
                };
                self.report(
                    CheckKind::UndefinedName,
                    a.name.span,
                    format!(
                        "`given` sets `{}`, which is not a declared fact",
                        a.name.name
                    ),
                    "not a fact",
                    help,
                );
                return None;
            }
        };
        let fact = self.program.facts.get(id.index())?.clone();
        match fact_value(&fact, &a.value.node) {
            Ok(v) => Some((id, v)),
            Err(problem) => {
                self.report(
                    CheckKind::InvalidTestValue,
                    a.value.span,
                    format!("`{}` is {}, {problem}", fact.name, fact.ty.describe()),
                    "does not fit the fact",
                    Some(example_value(&fact.ty)),
                );
                None
            }
        }
    }

    fn lower_test_param(&mut self, p: &ast::ParamOverride) -> Option<(ir::ParamId, Value)> {
        let Some(id) = self.program.param_id(&p.name.name) else {
            let help = did_you_mean(
                &p.name.name,
                self.program.params.iter().map(|p| p.name.as_str()),
            );
            self.report(
                CheckKind::InvalidParam,
                p.name.span,
                format!(
                    "the test sets `{}`, which is not a declared parameter",
                    p.name.name
                ),
                "not a parameter",
                help,
            );
            return None;
        };
        let declared = self.param_literal.get(id.index())?.clone();
        let same_kind = std::mem::discriminant(&declared) == std::mem::discriminant(&p.value.node);
        let text = literal_text(&p.value.node);
        let literal = if same_kind {
            Ok(p.value.node.clone())
        } else {
            parse_override(&declared, &text)
        };
        let value = match literal {
            Ok(Literal::Name(name)) => match self.param_level_domain(id) {
                Some(d) => self
                    .domains
                    .get(d)
                    .and_then(|dom| dom.names.iter().position(|n| *n == name))
                    .map(|i| Value::Level(u32::try_from(i).unwrap_or(u32::MAX))),
                None => None,
            },
            Ok(other) => Some(literal_value(&other).0),
            Err(_) => None,
        };
        if value.is_none() {
            self.report(
                CheckKind::InvalidParam,
                p.value.span,
                format!("`{}` cannot be set to `{text}`", p.name.name),
                "not a value of this parameter's kind",
                Some(format!(
                    "the declared value is `{}`; give a value of the same kind",
                    literal_text(&declared)
                )),
            );
        }
        value.map(|v| (id, v))
    }

    fn lower_expect(&mut self, e: &ast::Expectation) -> Option<ir::Expect> {
        let (kind, span) = match e {
            ast::Expectation::Classification {
                name,
                provisional,
                span,
            } => {
                let ty = if name.name == "none" {
                    None
                } else {
                    Some(self.expect_type(name)?)
                };
                let kind = if *provisional {
                    ExpectKind::Provisional(ty)
                } else {
                    ExpectKind::Classification(ty)
                };
                (kind, *span)
            }
            ast::Expectation::Score {
                name,
                op,
                value,
                span,
            } => (
                ExpectKind::Score {
                    id: self.expect_type(name)?,
                    op: *op,
                    value: *value,
                },
                *span,
            ),
            ast::Expectation::Status {
                name,
                status,
                negated,
                span,
            } => {
                let kind = match self.names.get(&name.name).copied() {
                    Some((Decl::Type(id), _)) => match status {
                        ExpectedStatus::Matched | ExpectedStatus::Undetermined => {
                            ExpectKind::TypeStatus {
                                id,
                                status: *status,
                                negated: *negated,
                            }
                        }
                        _ => {
                            self.invalid_expectation(
                                name,
                                "a cluster type",
                                "`matched` or `undetermined`",
                                *span,
                            );
                            return None;
                        }
                    },
                    Some((Decl::Policy(id), _)) => {
                        let kind = self.program.policies.get(id.index()).map(|p| p.kind);
                        match (status, kind) {
                            (
                                ExpectedStatus::Recommended
                                | ExpectedStatus::ProvisionallyRecommended,
                                Some(PolicyKind::Recommend),
                            )
                            | (
                                ExpectedStatus::Avoided | ExpectedStatus::ProvisionallyAvoided,
                                Some(PolicyKind::Avoid),
                            )
                            | (ExpectedStatus::Undetermined, _) => ExpectKind::PolicyStatus {
                                id,
                                status: *status,
                                negated: *negated,
                            },
                            (_, Some(PolicyKind::Avoid)) => {
                                self.invalid_expectation(
                                    name,
                                    "an avoid item",
                                    "`avoided`, `provisionally avoided` or `undetermined`",
                                    *span,
                                );
                                return None;
                            }
                            _ => {
                                self.invalid_expectation(
                                    name,
                                    "a policy",
                                    "`recommended`, `provisionally recommended` or `undetermined`",
                                    *span,
                                );
                                return None;
                            }
                        }
                    }
                    _ => {
                        let mut candidates: Vec<String> =
                            self.program.types.iter().map(|t| t.name.clone()).collect();
                        candidates.extend(self.program.policies.iter().map(|p| p.name.clone()));
                        let help = did_you_mean(&name.name, candidates.iter().map(String::as_str))
                            .or_else(|| {
                                Some(format!("types and policies: {}", list_names(&candidates)))
                            });
                        self.report(
                            CheckKind::InvalidExpectation,
                            name.span,
                            format!(
                                "`expect` names `{}`, which is neither a cluster type nor a policy",
                                name.name
                            ),
                            "not a type or policy",
                            help,
                        );
                        return None;
                    }
                };
                (kind, *span)
            }
        };
        Some(ir::Expect { kind, span })
    }

    fn invalid_expectation(
        &mut self,
        name: &ast::Ident,
        what: &str,
        allowed: &str,
        span: crate::source::Span,
    ) {
        self.report(
            CheckKind::InvalidExpectation,
            span,
            format!("`{}` is {what}; it can be expected to be {allowed}", name.name),
            "this status does not apply",
            Some("types are `matched`/`undetermined`, policies `recommended`, avoid items `avoided`; add `not` to negate".into()),
        );
    }
}

/// The value a test gives a fact, checked against the fact's declaration.
fn fact_value(fact: &ir::Fact, given: &FactValue) -> Result<Value, String> {
    let in_range = |n: f64| -> Result<Value, String> {
        if let Some(min) = fact.minimum {
            if n < min {
                return Err(format!(
                    "at least {}, but the test gives {}",
                    format_number(min),
                    format_number(n)
                ));
            }
        }
        if let Some(max) = fact.maximum {
            if n > max {
                return Err(format!(
                    "at most {}, but the test gives {}",
                    format_number(max),
                    format_number(n)
                ));
            }
        }
        Ok(Value::Number(n))
    };
    match (&fact.ty, given) {
        (_, FactValue::Unknown) => Ok(Value::Unknown),
        (FactType::Number | FactType::Ratio, FactValue::Number(n)) => in_range(*n),
        (FactType::Integer, FactValue::Number(n)) if n.fract() == 0.0 => in_range(*n),
        (FactType::Integer, FactValue::Number(n)) => {
            Err(format!("but {} is not a whole number", format_number(*n)))
        }
        (FactType::Boolean, FactValue::Bool(b)) => Ok(Value::Bool(*b)),
        (FactType::Text, FactValue::Text(s)) => Ok(Value::Text(s.as_str().into())),
        (FactType::Level { levels, .. }, FactValue::Name(n)) => levels
            .iter()
            .position(|l| l == n)
            .map(|i| Value::Level(u32::try_from(i).unwrap_or(u32::MAX)))
            .ok_or_else(|| format!("and `{n}` is not one of its levels")),
        (FactType::Set { members }, FactValue::List(items)) => {
            let mut mask = 0u64;
            for item in items {
                let i = members
                    .iter()
                    .position(|m| *m == item.name)
                    .ok_or_else(|| format!("and `{}` is not one of its members", item.name))?;
                mask |= 1u64
                    .checked_shl(u32::try_from(i).unwrap_or(u32::MAX))
                    .unwrap_or(0);
            }
            Ok(Value::Set(mask))
        }
        _ => Err("but the test gives a value of another kind".into()),
    }
}

/// Help text showing a value of the right kind.
fn example_value(ty: &FactType) -> String {
    match ty {
        FactType::Number => "give a number, e.g. `2.5`, or `unknown`".into(),
        FactType::Integer => "give a whole number, e.g. `120`, or `unknown`".into(),
        FactType::Ratio => "give a ratio from 0 to 1, e.g. `0.35` or `35%`, or `unknown`".into(),
        FactType::Boolean => "give `true`, `false` or `unknown`".into(),
        FactType::Text => "give text in double quotes, e.g. `\"Peru\"`, or `unknown`".into(),
        FactType::Level { levels, .. } => format!(
            "give one of {}, or `unknown`",
            levels
                .iter()
                .map(|l| format!("`{l}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        FactType::Set { members } => format!(
            "give a list of members, e.g. `[{}]`",
            members.first().map_or("a", String::as_str)
        ),
    }
}

fn literal_text(literal: &Literal) -> String {
    match literal {
        Literal::Number { text, .. } => text.clone(),
        Literal::Text(s) => s.clone(),
        Literal::Bool(b) => b.to_string(),
        Literal::Name(n) => n.clone(),
    }
}
