//! Cluster type pass: criteria lowered and checked (names, weights, conditions).

use super::{CheckKind, Checker};
use crate::ir;
use crate::syntax::ast;

/// Which block a criterion sits in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Block {
    Required,
    Indicative,
    Excluding,
}

impl Block {
    fn word(self) -> &'static str {
        match self {
            Block::Required => "required",
            Block::Indicative => "indicative",
            Block::Excluding => "excluding",
        }
    }
}

impl<'a> Checker<'a> {
    pub(super) fn lower_types(&mut self) {
        // INVARIANT: `declare` pushes `type_ast[i]` and `program.types[i]` together, so the
        // position of a declaration is its type's id. The list of references is copied so
        // that lowering can borrow the checker mutably.
        for (i, decl) in self.type_ast.clone().into_iter().enumerate() {
            let mut seen: Vec<&ast::Ident> = Vec::new();
            let required = self.lower_criteria(&decl.required, Block::Required, &mut seen);
            let indicative = self.lower_criteria(&decl.indicative, Block::Indicative, &mut seen);
            let excluding = self.lower_criteria(&decl.excluding, Block::Excluding, &mut seen);
            if let Some(t) = self.program.types.get_mut(i) {
                t.required = required;
                t.indicative = indicative;
                t.excluding = excluding;
            }
        }
        // A type must require something, itself or through its parents.
        for (i, decl) in self.type_ast.clone().into_iter().enumerate() {
            let mut current = Some(ir::TypeId::from_index(i));
            let mut has_required = false;
            let mut steps = 0;
            while let Some(id) = current {
                let Some(t) = self.program.types.get(id.index()) else {
                    break;
                };
                has_required |= !t.required.is_empty();
                current = t.parent;
                steps += 1;
                if steps > self.program.types.len() {
                    break;
                }
            }
            if !has_required {
                self.report(
                    CheckKind::NoRequiredCriteria,
                    decl.name.span,
                    format!("type `{}` has no required criteria", decl.name.name),
                    "would match every cluster",
                    Some("add a `required { name: condition }` block with the type's defining characteristics, or `extends` a type that has them".into()),
                );
            }
        }
    }

    fn lower_criteria<'b>(
        &mut self,
        criteria: &'b [ast::Criterion],
        block: Block,
        seen: &mut Vec<&'b ast::Ident>,
    ) -> Vec<ir::Criterion> {
        let mut out = Vec::with_capacity(criteria.len());
        for c in criteria {
            if let Some(first) = seen.iter().find(|s| s.name == c.name.name) {
                self.report_with(
                    CheckKind::DuplicateCriterion,
                    c.name.span,
                    format!("criterion `{}` appears twice in this type", c.name.name),
                    "second criterion with this name",
                    vec![(first.span, "first one here".into())],
                    Some("give each criterion of a type its own name; traces and tests refer to criteria by name".into()),
                );
            } else {
                seen.push(&c.name);
            }
            let what = format!("{} criterion `{}`", block.word(), c.name.name);
            let expr = self.lower_condition(&c.expr, &what);
            let weight = match (&c.weight, block) {
                (None, _) => 1.0,
                (Some(w), Block::Indicative) => {
                    if !(w.node.is_finite() && w.node > 0.0) {
                        self.report(
                            CheckKind::InvalidWeight,
                            w.span,
                            format!("criterion `{}` has weight {}, but weights must be positive", c.name.name, w.node),
                            "not a positive weight",
                            Some("use a positive number such as `weight 1` or `weight 2`; to drop a criterion, delete it".into()),
                        );
                        1.0
                    } else {
                        w.node
                    }
                }
                (Some(w), _) => {
                    self.report(
                        CheckKind::WeightNotIndicative,
                        w.span,
                        format!("{} criterion `{}` has a weight", block.word(), c.name.name),
                        "weights only count in `indicative` blocks",
                        Some(format!("remove the weight, or move the criterion to `indicative` if it should add to the score rather than {}", match block {
                            Block::Required => "be required",
                            _ => "exclude the type",
                        })),
                    );
                    1.0
                }
            };
            out.push(ir::Criterion {
                name: c.name.name.clone(),
                expr,
                weight,
                note: c.note.as_ref().map(|n| n.node.clone()),
                span: c.span,
            });
        }
        out
    }
}
