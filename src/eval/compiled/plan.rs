//! Evaluation, compiled layer, the plan: `ir::Program` → a compact, flat form of its
//! conditions for the untraced hot path (run by `run.rs`; the summary and block layers lay
//! it out again for their own walks).
//!
//! Input: the checked program (expression arena, criteria, policy conditions, derived values).
//! Output: a [`Plan`]. Every condition becomes a slot in one array of truth values. The common
//! comparisons (a fact against a number or a parameter; a level fact against levels, by
//! comparison or `in`) are leaves kept in one list per kind, each a table of the truth for
//! every ordering or level position, evaluated in tight loops without branching on the
//! data; equal leaves are kept once (a policy condition often repeats a criterion). The rest
//! (Kleene `and` / `or` / `not`, reads of boolean facts and derived values, other
//! comparisons, derived values) is a [`Step`] of a tape in dependency order. A sub-expression
//! of any other shape is a `General` step that runs the reference interpreter (`expr.rs`),
//! so both give the same truth by construction. Parameter values are constants of the plan:
//! a rule-file test that overrides them gets a plan of its own.

use crate::ir::{CompareKind, Expr, ExprId, Param, Program};
use crate::value::{Truth, Value};
use crate::vocab::CompareOp;

/// Bits of a comparison mask: which orderings of the fact against the other side make the
/// comparison true.
pub(crate) const LESS: u8 = 1;
pub(crate) const EQUAL: u8 = 2;
pub(crate) const GREATER: u8 = 4;

/// The orderings for which `a op b` holds.
fn mask_of(op: CompareOp) -> u8 {
    match op {
        CompareOp::Eq => EQUAL,
        CompareOp::Ne => LESS | GREATER,
        CompareOp::Lt => LESS,
        CompareOp::Le => LESS | EQUAL,
        CompareOp::Gt => GREATER,
        CompareOp::Ge => GREATER | EQUAL,
    }
}

/// The mask of `b op a` from that of `a op b` (less and greater swap places).
fn flipped(mask: u8) -> u8 {
    (mask & EQUAL) | ((mask & LESS) << 2) | ((mask & GREATER) >> 2)
}

/// Where a comparison operand comes from (parameters are constants here).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Leaf {
    Fact(u32),
    Derived(u32),
    /// Index into [`Plan::consts`]
    Const(u32),
}

/// A leaf's answer for each ordering, two bits each (a [`Truth`] code: 0 false, 1 unknown,
/// 2 true): bits 0-1 for unordered (NaN: always unknown), 2-3 for less, 4-5 for equal, 6-7
/// for greater. Decoding is a shift and a mask, with no branch on the data.
fn ordering_table(mask: u8) -> u8 {
    let code = |bit: u8| if mask & bit != 0 { 2u8 } else { 0 };
    1 | (code(LESS) << 2) | (code(EQUAL) << 4) | (code(GREATER) << 6)
}

/// Truth codes in order: a table read rather than a `match`, which the compiler turns into
/// branches on the data.
const TRUTH_OF_CODE: [Truth; 4] = [Truth::False, Truth::Unknown, Truth::True, Truth::True];

/// The truth coded in the two low bits of `code`.
#[inline(always)]
pub(crate) fn truth_of_code(code: u64) -> Truth {
    // `& 3` keeps the index in the table, so no bounds check is left.
    TRUTH_OF_CODE
        .get((code & 3) as usize)
        .copied()
        .unwrap_or(Truth::Unknown)
}

/// A number fact against a number: the fact's ordering against `k` picks the truth from
/// `table` (see [`ordering_table`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct NumLeaf {
    pub fact: u32,
    pub k: f64,
    pub table: u8,
}

/// Level positions a [`LevelLeaf`] tells apart; every position from `LEVEL_SPAN - 1` on
/// answers alike (it is past every constant the leaf names).
pub(crate) const LEVEL_SPAN: u32 = 32;

/// A level fact against level constants (a comparison, or `in` a list): the truth for each
/// position of the fact, two bits per position (positions from `LEVEL_SPAN - 1` on share
/// the last entry).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct LevelLeaf {
    pub fact: u32,
    pub table: u64,
}

impl LevelLeaf {
    /// The leaf whose truth at position x is `holds(x)`, for `holds` constant from
    /// `LEVEL_SPAN - 1` on.
    fn tabulate(fact: u32, holds: impl Fn(u32) -> bool) -> Self {
        let table = (0..LEVEL_SPAN).fold(0u64, |table, x| {
            table | (if holds(x) { 2u64 } else { 0 } << (2 * x))
        });
        LevelLeaf { fact, table }
    }
}

/// A step of the tape. Slots named here are indexes into the truth array.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Step {
    /// Slot `out` = a constant condition
    Const { out: u32, truth: Truth },
    /// Slot `out` = a boolean fact, parameter or derived value used as a condition
    Read { out: u32, leaf: Leaf },
    /// Slot `out` = `fact is known` (`negated`: `is unknown`)
    Known { out: u32, fact: u32, negated: bool },
    /// Slot `out` = any other comparison of two plain operands
    Compare {
        out: u32,
        op: CompareOp,
        kind: CompareKind,
        lhs: Leaf,
        rhs: Leaf,
    },
    /// Slot `out` = Kleene `not` of slot `a`
    Not { out: u32, a: u32 },
    /// Slot `out` = Kleene `and` of slots `a` and `b`
    And { out: u32, a: u32, b: u32 },
    /// Slot `out` = Kleene `or` of slots `a` and `b`
    Or { out: u32, a: u32, b: u32 },
    /// Slot `out` = the interpreter's truth of the expression
    General { out: u32, expr: ExprId },
    /// Derived value `id` = the truth in slot `root` (a condition), or the interpreter's
    /// value of `expr`
    Derived {
        id: u32,
        root: Option<u32>,
        expr: ExprId,
    },
}

/// The conditions of one cluster type, as slots.
#[derive(Clone, Debug, Default)]
pub(crate) struct TypePlan {
    pub required: Vec<u32>,
    pub indicative: Vec<u32>,
    /// Weight of each indicative criterion
    pub weights: Vec<f64>,
    pub excluding: Vec<u32>,
    /// Sum of indicative weights, added in declaration order as the interpreter does
    pub total_weight: f64,
}

/// A program's conditions, compiled for the untraced evaluation.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    /// Number of truth slots
    pub slots: usize,
    /// Leaves; their slots are, in this order, the first ones. Equal leaves are kept once.
    pub num_const: Vec<NumLeaf>,
    pub level_const: Vec<LevelLeaf>,
    /// Everything else, in dependency order
    pub tape: Vec<Step>,
    /// Constants read by `Leaf::Const`
    pub consts: Vec<Value>,
    /// Per type (by `TypeId`)
    pub types: Vec<TypePlan>,
    /// Types with every parent before its children
    pub type_order: Vec<usize>,
    /// Condition slot per policy (by `PolicyId`)
    pub conditions: Vec<Option<u32>>,
    /// While lowering: the slot holding each derived value computed as a condition (by
    /// `DerivedId`); a condition that reads it uses that slot, with no step of its own
    derived_roots: Vec<Option<u32>>,
}

/// What lowering reads.
#[derive(Clone, Copy)]
struct Src<'a> {
    exprs: &'a [Expr],
    params: &'a [Param],
}

fn id(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// Kinds of slot reference while lowering; slots are numbered at the end, when the number
/// of leaves of each shape is known.
const NUM_CONST: u32 = 0;
const LEVEL_CONST: u32 = 1;
const TAPE: u32 = 2;
const KIND_SHIFT: u32 = 28;
const INDEX_MASK: u32 = (1 << KIND_SHIFT) - 1;

fn pending(kind: u32, index: usize) -> u32 {
    (kind << KIND_SHIFT) | (id(index) & INDEX_MASK)
}

impl Plan {
    /// Compile `program` with these parameter values.
    pub fn new(program: &Program, params: &[Param]) -> Self {
        let mut plan = Plan {
            slots: 0,
            num_const: Vec::new(),
            level_const: Vec::new(),
            tape: Vec::new(),
            consts: Vec::new(),
            types: Vec::new(),
            type_order: type_order(program),
            conditions: Vec::new(),
            derived_roots: vec![None; program.derived.len()],
        };
        let exprs = &program.exprs;
        let src = Src { exprs, params };
        let mut tape_slots = 0usize;
        // Derived values first, in dependency order: conditions read them after.
        for &d in &program.derived_order {
            // INVARIANT: the checker builds `derived_order` from the program's own derived
            // values, each once.
            let Some(decl) = program.derived.get(d.index()) else {
                continue;
            };
            let root =
                yields_truth(exprs, decl.expr).then(|| plan.lower(src, decl.expr, &mut tape_slots));
            if let Some(r) = plan.derived_roots.get_mut(d.index()) {
                *r = root;
            }
            plan.tape.push(Step::Derived {
                id: d.0,
                root,
                expr: decl.expr,
            });
        }
        for t in &program.types {
            let mut tp = TypePlan {
                total_weight: t.indicative.iter().map(|c| c.weight).sum(),
                ..TypePlan::default()
            };
            for c in &t.required {
                tp.required.push(plan.lower(src, c.expr, &mut tape_slots));
            }
            for c in &t.indicative {
                tp.indicative.push(plan.lower(src, c.expr, &mut tape_slots));
                tp.weights.push(c.weight);
            }
            for c in &t.excluding {
                tp.excluding.push(plan.lower(src, c.expr, &mut tape_slots));
            }
            plan.types.push(tp);
        }
        for p in &program.policies {
            let slot = p.condition.map(|c| plan.lower(src, c, &mut tape_slots));
            plan.conditions.push(slot);
        }
        plan.number_slots(tape_slots);
        plan
    }

    /// Replace the pending references by slot numbers: leaves first, by shape, then the tape.
    fn number_slots(&mut self, tape_slots: usize) {
        let bases = [
            0,
            self.num_const.len(),
            self.num_const.len() + self.level_const.len(),
        ];
        let slot = |r: u32| -> u32 {
            let base = bases.get((r >> KIND_SHIFT) as usize).copied().unwrap_or(0);
            id(base + (r & INDEX_MASK) as usize)
        };
        self.slots = bases[2] + tape_slots;
        for step in &mut self.tape {
            match step {
                Step::Const { out, .. }
                | Step::Read { out, .. }
                | Step::Known { out, .. }
                | Step::Compare { out, .. }
                | Step::General { out, .. } => *out = slot(*out),
                Step::Not { out, a } => {
                    (*out, *a) = (slot(*out), slot(*a));
                }
                Step::And { out, a, b } | Step::Or { out, a, b } => {
                    (*out, *a, *b) = (slot(*out), slot(*a), slot(*b));
                }
                Step::Derived { root, .. } => *root = root.map(slot),
            }
        }
        for tp in &mut self.types {
            tp.required.iter_mut().for_each(|r| *r = slot(*r));
            tp.indicative.iter_mut().for_each(|r| *r = slot(*r));
            tp.excluding.iter_mut().for_each(|r| *r = slot(*r));
        }
        for c in self.conditions.iter_mut().flatten() {
            *c = slot(*c);
        }
    }

    /// Push a tape step writing a new slot; `make` gets the slot's pending reference.
    fn step(&mut self, tape_slots: &mut usize, make: impl FnOnce(u32) -> Step) -> u32 {
        let out = pending(TAPE, *tape_slots);
        *tape_slots += 1;
        self.tape.push(make(out));
        out
    }

    /// Lower the condition `e` (children first) and return its pending slot reference.
    fn lower(&mut self, src: Src<'_>, e: ExprId, ts: &mut usize) -> u32 {
        let exprs = src.exprs;
        // A derived value the plan computes as a condition: its truth is already in a slot
        // (reading it back as a value gives the same truth), so no step is needed.
        if let Some(Expr::Derived(d)) = exprs.get(e.index()) {
            if let Some(slot) = self.derived_roots.get(d.index()).copied().flatten() {
                return slot;
            }
        }
        match exprs.get(e.index()) {
            Some(Expr::Const(v)) => {
                let truth = crate::eval::reference::expr::V::of(v).truth();
                self.step(ts, |out| Step::Const { out, truth })
            }
            Some(Expr::Fact(_) | Expr::Param(_) | Expr::Derived(_)) => match self.leaf(src, e) {
                Some(leaf) => self.step(ts, |out| Step::Read { out, leaf }),
                None => self.step(ts, |out| Step::General { out, expr: e }),
            },
            Some(Expr::Not(a)) => {
                let a = self.lower(src, *a, ts);
                self.step(ts, |out| Step::Not { out, a })
            }
            Some(Expr::And(a, b)) => {
                let (a, b) = (self.lower(src, *a, ts), self.lower(src, *b, ts));
                self.step(ts, |out| Step::And { out, a, b })
            }
            Some(Expr::Or(a, b)) => {
                let (a, b) = (self.lower(src, *a, ts), self.lower(src, *b, ts));
                self.step(ts, |out| Step::Or { out, a, b })
            }
            Some(Expr::Compare { op, kind, lhs, rhs }) => {
                self.comparison(src, e, (*op, *kind, *lhs, *rhs), ts)
            }
            Some(Expr::IsKnown { value, negated }) => match exprs.get(value.index()) {
                Some(Expr::Fact(f)) => {
                    let (fact, negated) = (f.0, *negated);
                    self.step(ts, |out| Step::Known { out, fact, negated })
                }
                _ => self.step(ts, |out| Step::General { out, expr: e }),
            },
            Some(Expr::In {
                value,
                items,
                kind: CompareKind::Level,
                negated,
            }) => match (exprs.get(value.index()), level_set(exprs, items)) {
                (Some(Expr::Fact(f)), Some(set)) => {
                    let negated = *negated;
                    let leaf = LevelLeaf::tabulate(f.0, |x| ((set >> x) & 1 == 1) != negated);
                    self.level_leaf(leaf)
                }
                _ => self.step(ts, |out| Step::General { out, expr: e }),
            },
            _ => self.step(ts, |out| Step::General { out, expr: e }),
        }
    }

    fn comparison(
        &mut self,
        src: Src<'_>,
        e: ExprId,
        (op, kind, lhs, rhs): (CompareOp, CompareKind, ExprId, ExprId),
        ts: &mut usize,
    ) -> u32 {
        let (Some(l), Some(r)) = (self.leaf(src, lhs), self.leaf(src, rhs)) else {
            return self.step(ts, |out| Step::General { out, expr: e });
        };
        let general = |plan: &mut Self, ts: &mut usize| {
            plan.step(ts, |out| Step::Compare {
                out,
                op,
                kind,
                lhs: l,
                rhs: r,
            })
        };
        // Put the fact on the left: `k < fact` is `fact > k`.
        let (fact, other, mask) = match (l, r) {
            (Leaf::Fact(f), other) => (f, other, mask_of(op)),
            (other, Leaf::Fact(f)) => (f, other, flipped(mask_of(op))),
            _ => return general(self, ts),
        };
        let constant = match other {
            Leaf::Const(c) => self.consts.get(c as usize).cloned(),
            _ => None,
        };
        match (kind, other, constant) {
            (CompareKind::Number, _, Some(Value::Number(k))) => {
                let table = ordering_table(mask);
                self.num_leaf(NumLeaf { fact, k, table })
            }
            (CompareKind::Level, _, Some(Value::Level(k))) if k < LEVEL_SPAN - 1 => {
                let table = ordering_table(mask);
                let leaf = LevelLeaf::tabulate(fact, |x| {
                    let ordering = 1 + u32::from(x >= k) + u32::from(x > k);
                    (table >> (2 * ordering)) & 2 != 0
                });
                self.level_leaf(leaf)
            }
            _ => general(self, ts),
        }
    }

    /// The slot of a number leaf (an equal one already made serves again).
    fn num_leaf(&mut self, leaf: NumLeaf) -> u32 {
        let same = |l: &NumLeaf| {
            l.fact == leaf.fact && l.table == leaf.table && l.k.to_bits() == leaf.k.to_bits()
        };
        let index = self.num_const.iter().position(same).unwrap_or_else(|| {
            self.num_const.push(leaf);
            self.num_const.len() - 1
        });
        pending(NUM_CONST, index)
    }

    /// The slot of a level leaf (an equal one already made serves again).
    fn level_leaf(&mut self, leaf: LevelLeaf) -> u32 {
        let index = self
            .level_const
            .iter()
            .position(|l| *l == leaf)
            .unwrap_or_else(|| {
                self.level_const.push(leaf);
                self.level_const.len() - 1
            });
        pending(LEVEL_CONST, index)
    }

    /// A plain operand: a fact, derived value or constant (a parameter's value is one).
    fn leaf(&mut self, src: Src<'_>, e: ExprId) -> Option<Leaf> {
        let constant = match src.exprs.get(e.index())? {
            Expr::Fact(f) => return Some(Leaf::Fact(f.0)),
            Expr::Derived(d) => return Some(Leaf::Derived(d.0)),
            Expr::Param(p) => src
                .params
                .get(p.index())
                .map_or(Value::Unknown, |p| p.value.clone()),
            Expr::Const(v) => v.clone(),
            _ => return None,
        };
        self.consts.push(constant);
        Some(Leaf::Const(id(self.consts.len() - 1)))
    }
}

/// Whether the node `e` always yields a truth value (true, false or unknown), so a derived
/// value defined by it can be computed by the plan.
fn yields_truth(exprs: &[Expr], e: ExprId) -> bool {
    matches!(
        exprs.get(e.index()),
        Some(
            Expr::Not(_)
                | Expr::And(..)
                | Expr::Or(..)
                | Expr::Compare { .. }
                | Expr::In { .. }
                | Expr::Between { .. }
                | Expr::IsKnown { .. }
                | Expr::Contains { .. }
        )
    )
}

/// The positions of a list of level constants as a bit set (None if anything else is listed).
fn level_set(exprs: &[Expr], items: &[ExprId]) -> Option<u64> {
    let mut set = 0u64;
    for item in items {
        match exprs.get(item.index())? {
            Expr::Const(Value::Level(k)) if *k < LEVEL_SPAN - 1 => set |= 1 << k,
            _ => return None,
        }
    }
    Some(set)
}

/// Types ordered so that every parent comes before its children (declaration order
/// otherwise). A parent chain that loops (the checker rejects it) is cut.
fn type_order(program: &Program) -> Vec<usize> {
    let n = program.types.len();
    let mut placed = vec![false; n];
    let mut order = Vec::with_capacity(n);
    for start in 0..n {
        let mut chain = Vec::new();
        let mut at = Some(start);
        while let Some(i) = at {
            if placed.get(i).copied().unwrap_or(true) || chain.contains(&i) {
                break;
            }
            chain.push(i);
            at = program
                .types
                .get(i)
                .and_then(|t| t.parent)
                .map(|p| p.index());
        }
        for &i in chain.iter().rev() {
            if let Some(p) = placed.get_mut(i) {
                *p = true;
            }
            order.push(i);
        }
    }
    order
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::{Plan, Step};

    #[test]
    fn the_workload_typology_needs_no_interpreter() {
        let program = crate::eval::test_program("benches/workload/typology.meso");
        let plan = Plan::new(&program, &program.params);
        let general = plan
            .tape
            .iter()
            .filter(|s| matches!(s, Step::General { .. }));
        assert_eq!(general.count(), 0);
        // Every comparison is a leaf, equal ones kept once: 11 with numbers (12 written;
        // `export_share >= 0.5` twice), 12 with levels and one `in` (16 written).
        assert_eq!(plan.num_const.len(), 11, "{plan:?}");
        assert_eq!(plan.level_const.len(), 13, "{plan:?}");
    }

    /// What the layers reading a plan rely on (see the `INVARIANT:` comments there): one
    /// `TypePlan` per type with one slot per criterion, every type once in `type_order`
    /// with its parent before it, one condition per policy, every slot below `slots`.
    #[test]
    fn plans_keep_the_invariants_their_readers_rely_on() {
        let mut paths: Vec<String> = [
            "rules",
            "examples/rulesets/suzigan",
            "benches/workload/typology.meso",
            "tests/cases/logic",
            "tests/cases/wide",
        ]
        .map(String::from)
        .to_vec();
        let cases = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/eval");
        for entry in std::fs::read_dir(cases).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().to_string();
            paths.push(format!("tests/cases/eval/{name}/rules.meso"));
        }
        for path in &paths {
            let program = crate::eval::test_program(path);
            let plan = Plan::new(&program, &program.params);
            let slot_ok = |s: &u32| (*s as usize) < plan.slots;
            assert_eq!(plan.types.len(), program.types.len(), "{path}");
            for (tp, ty) in plan.types.iter().zip(&program.types) {
                assert_eq!(tp.required.len(), ty.required.len(), "{path}");
                assert_eq!(tp.indicative.len(), ty.indicative.len(), "{path}");
                assert_eq!(tp.weights.len(), ty.indicative.len(), "{path}");
                assert_eq!(tp.excluding.len(), ty.excluding.len(), "{path}");
                let slots = tp
                    .required
                    .iter()
                    .chain(&tp.indicative)
                    .chain(&tp.excluding);
                assert!(slots.clone().all(slot_ok), "{path}");
            }
            let mut order = plan.type_order.clone();
            for (at, &i) in plan.type_order.iter().enumerate() {
                if let Some(p) = program.types[i].parent {
                    let before = &plan.type_order[..at];
                    assert!(before.contains(&p.index()), "{path}: parent after child");
                }
            }
            order.sort_unstable();
            assert_eq!(
                order,
                (0..program.types.len()).collect::<Vec<_>>(),
                "{path}"
            );
            assert_eq!(plan.conditions.len(), program.policies.len(), "{path}");
            assert!(plan.conditions.iter().flatten().all(slot_ok), "{path}");
            for step in &plan.tape {
                let slots: Vec<u32> = match *step {
                    Step::Const { out, .. }
                    | Step::Read { out, .. }
                    | Step::Known { out, .. }
                    | Step::Compare { out, .. }
                    | Step::General { out, .. } => vec![out],
                    Step::Not { out, a } => vec![out, a],
                    Step::And { out, a, b } | Step::Or { out, a, b } => vec![out, a, b],
                    Step::Derived { root, .. } => root.into_iter().collect(),
                };
                assert!(slots.iter().all(slot_ok), "{path}: {step:?}");
            }
        }
    }
}
