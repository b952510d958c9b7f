//! Trace stage, expression trees: a recorded expression root → [`Node`] tree with values,
//! source locations and text, fact origins and the reason for each value.
//!
//! Input: the program, the [`Recorder`] of one run and the facts. Output: `Node`s.

use crate::eval::UnknownReason;
use crate::facts::Facts;
use crate::ir::{Expr, ExprId, FactId, Program};
use crate::source::Span;
use crate::trace::model::{Location, Node, Origin, Why};
use crate::trace::record::{children, Recorder, Seen};
use crate::trace::values::{display, to_json, Names};
use crate::value::Value;

/// What tree building reads.
pub struct Ctx<'a> {
    /// The checked rules
    pub program: &'a Program,
    /// Values seen in the run
    pub rec: &'a Recorder,
    /// The facts
    pub facts: &'a Facts,
    /// Rule file names by `FileId` (relative to the rule set root)
    pub files: &'a [String],
    /// How the facts file is named in the trace
    pub facts_label: &'a str,
}

impl Ctx<'_> {
    /// File, line and column of a span.
    pub fn location(&self, span: Span) -> Location {
        let (line, column) = self
            .program
            .sources
            .get(span.file)
            .map_or((0, 0), |f| f.line_col(span.start));
        let file = self
            .files
            .get(span.file.0 as usize)
            .cloned()
            .or_else(|| self.program.sources.get(span.file).map(|f| f.name.clone()))
            .unwrap_or_default();
        Location { file, line, column }
    }

    /// The source text of a span, on one line (runs of white space become one space).
    pub fn text(&self, span: Span) -> String {
        let raw = self
            .program
            .sources
            .get(span.file)
            .map_or("", |f| f.snippet(span));
        raw.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// The source text of a span exactly as written (for rule excerpts).
    pub fn raw(&self, span: Span) -> String {
        self.program
            .sources
            .get(span.file)
            .map_or("", |f| f.snippet(span))
            .to_string()
    }

    /// Source text of an expression node.
    pub fn expr_text(&self, id: ExprId) -> String {
        self.text(self.program.expr_span(id))
    }

    /// The value of an expression node in this run (unknown if never seen).
    pub fn value(&self, id: ExprId) -> Value {
        self.rec
            .seen(id)
            .map_or(Value::Unknown, |s| s.value.clone())
    }

    /// Where a fact's value came from.
    pub fn origin(&self, fact: FactId) -> Origin {
        let given = self.facts.get(fact).is_known();
        match self
            .facts
            .origins
            .get(fact.index())
            .and_then(Option::as_ref)
        {
            Some(o) if given => Origin {
                status: "given",
                source: Some(self.source_label(&o.source)),
                key: Some(o.key.clone()),
                line: o.line,
            },
            _ if given => Origin {
                status: "given",
                source: None,
                key: None,
                line: None,
            },
            _ => Origin {
                status: "missing",
                source: None,
                key: None,
                line: None,
            },
        }
    }

    /// The facts file as named in the trace; other sources (`--set`) as they are.
    fn source_label(&self, source: &str) -> String {
        if source.starts_with("--") || source.starts_with('<') {
            source.to_string()
        } else {
            self.facts_label.to_string()
        }
    }

    /// The tree under `id`; `names` spells level values the declarations do not name.
    pub fn node(&self, id: ExprId, names: Names<'_>) -> Node {
        let program = self.program;
        let expr = program.expr(id);
        let own = Names::of_expr(program, id).or(names);
        let kids = expr.map(children).unwrap_or_default();
        let child_names = child_hints(program, expr, &kids, own);
        let decided = self.rec.decided_by(id);
        let children: Vec<Node> = kids
            .iter()
            .zip(child_names)
            .map(|(c, n)| {
                let mut node = self.node(*c, n);
                if let (Some(d), false) = (decided, node.evaluated) {
                    if self.rec.seen(id).is_some_and(|s| s.evaluated) {
                        node.why = Some(Why::NotEvaluated {
                            decided_by: self.expr_text(d),
                        });
                    }
                }
                node
            })
            .collect();
        let seen = self.rec.seen(id).cloned().unwrap_or(Seen {
            value: Value::Unknown,
            why: None,
            evaluated: false,
        });
        let why = self.why(id, expr, &seen, &kids);
        let (name, origin) = match expr {
            Some(Expr::Fact(f)) => (
                program.fact(*f).map(|f| f.name.clone()),
                Some(self.origin(*f)),
            ),
            Some(Expr::Param(p)) => (program.params.get(p.index()).map(|p| p.name.clone()), None),
            Some(Expr::Derived(d)) => {
                (program.derived.get(d.index()).map(|d| d.name.clone()), None)
            }
            _ => (None, None),
        };
        Node {
            kind: kind(expr),
            text: self.expr_text(id),
            location: self.location(program.expr_span(id)),
            value: to_json(&seen.value, own),
            display: display(&seen.value, own),
            evaluated: seen.evaluated,
            why,
            name,
            origin,
            children,
        }
    }

    fn why(&self, id: ExprId, expr: Option<&Expr>, seen: &Seen, kids: &[ExprId]) -> Option<Why> {
        if let Some(d) = self.rec.decided_by(id) {
            let index = kids.iter().position(|k| *k == d).unwrap_or(0);
            return Some(Why::ShortCircuit {
                decided_by: index,
                operand: self.expr_text(d),
            });
        }
        match seen.why? {
            UnknownReason::MissingFact(f) => Some(Why::MissingFact {
                fact: self
                    .program
                    .fact(f)
                    .map(|f| f.name.clone())
                    .unwrap_or_default(),
            }),
            UnknownReason::DivisionByZero => Some(Why::DivisionByZero),
            UnknownReason::NonFinite => Some(Why::NonFinite),
            UnknownReason::TypeMismatch => Some(Why::TypeMismatch),
            UnknownReason::UnknownOperand => {
                if matches!(expr, Some(Expr::Derived(_) | Expr::Param(_))) {
                    return Some(Why::UnknownOperand {
                        operands: Vec::new(),
                    });
                }
                Some(Why::UnknownOperand {
                    operands: kids
                        .iter()
                        .filter(|k| !self.value(**k).is_known())
                        .map(|k| self.expr_text(*k))
                        .collect(),
                })
            }
        }
    }
}

/// The names each operand is spelled with: a bare level name takes them from the other side
/// of a comparison, the tested value of `in`/`between`, or the set of `contains`.
fn child_hints<'a>(
    program: &'a Program,
    expr: Option<&Expr>,
    kids: &[ExprId],
    own: Names<'a>,
) -> Vec<Names<'a>> {
    let decl = |id: &ExprId| Names::of_expr(program, *id);
    match expr {
        Some(Expr::Compare { lhs, rhs, .. }) => {
            let l = decl(lhs);
            let r = decl(rhs);
            vec![l.or(r), r.or(l)]
        }
        Some(Expr::In { value, .. } | Expr::Between { value, .. }) => {
            let v = decl(value);
            kids.iter().map(|_| v).collect()
        }
        Some(Expr::Contains { set, .. }) => {
            let s = decl(set);
            vec![s, s.as_levels()]
        }
        Some(Expr::Call { .. } | Expr::Arith { .. } | Expr::Neg(_)) => {
            kids.iter().map(|_| own).collect()
        }
        _ => kids.iter().map(|_| Names::None).collect(),
    }
}

fn kind(expr: Option<&Expr>) -> &'static str {
    match expr {
        None => "constant",
        Some(e) => match e {
            Expr::Const(_) => "constant",
            Expr::Fact(_) => "fact",
            Expr::Param(_) => "param",
            Expr::Derived(_) => "derived",
            Expr::Not(_) => "not",
            Expr::And(..) => "and",
            Expr::Or(..) => "or",
            Expr::Compare { .. } => "compare",
            Expr::Arith { .. } => "arithmetic",
            Expr::Neg(_) => "negate",
            Expr::In { .. } => "in",
            Expr::Between { .. } => "between",
            Expr::IsKnown { .. } => "is_known",
            Expr::Contains { .. } => "contains",
            Expr::Call { .. } => "call",
        },
    }
}
