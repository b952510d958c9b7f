//! The facade's many-cluster path: the facts of many clusters → one verdict row each,
//! evaluated 64 at a time by the block evaluator (what `meso batch` runs).
//!
//! Input: a [`Rules`] and a slice of [`Facts`] or [`Columns`]. Output: [`Verdicts`], one
//! row per input row, in input order: each type's status and score, the classification,
//! the policies that apply in order, the facts that would settle what is open — or the
//! problems of a row whose cells do not fit (never a dropped row).

use crate::eval::{BlockEvaluator, BLOCK};
use crate::facade::columns::{rows_to_facts, Columns};
use crate::facade::diagnostic::{Diagnostic, Error};
use crate::facade::facts::Facts;
use crate::facade::rules::Rules;
use crate::facts;
use crate::ir::Program;
use crate::vocab::{TypeStatus, VerdictKind};

/// The verdicts of many clusters, one row per input row.
///
/// ```
/// let rules = meso::Rules::embedded()?;
/// let a = rules.facts_from_str("a", r#"{"firms": 3000, "share_micro_small": 0.97}"#, meso::FactsFormat::Json)?;
/// let b = rules.facts_from_str("b", r#"{"firms": 2}"#, meso::FactsFormat::Json)?;
/// let verdicts = rules.evaluate_many(&[a.clone(), b]);
/// // The same answers as one at a time.
/// let one = rules.evaluate(&a);
/// let row = verdicts.get(0).unwrap();
/// assert_eq!(row.classification(), one.classification());
/// assert_eq!(row.policies().collect::<Vec<_>>(),
///            one.policies().iter().map(|p| p.policy.as_str()).collect::<Vec<_>>());
/// # Ok::<(), meso::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Verdicts {
    rules: Rules,
    rows: Vec<RowData>,
}

#[derive(Clone, Debug, Default)]
struct RowData {
    /// Per type (declaration order): status and score
    types: Vec<(TypeStatus, f64)>,
    classification: Option<usize>,
    /// Policy indexes, in output order
    policies: Vec<usize>,
    /// Fact indexes
    unknown_facts: Vec<usize>,
    /// The provisional lead's type index
    provisional: Option<usize>,
    /// Policy indexes the lead would bring in, in output order
    provisional_policies: Vec<usize>,
    problems: Vec<Diagnostic>,
}

/// The verdict of one row of [`Verdicts`].
#[derive(Clone, Copy, Debug)]
pub struct Verdict<'a> {
    program: &'a Program,
    row: &'a RowData,
}

impl<'a> Verdict<'a> {
    /// The primary classification (most specific matched type, highest score); `None` when
    /// no type matched, unknown facts leave it open, or the row has problems.
    pub fn classification(&self) -> Option<&'a str> {
        let i = self.row.classification?;
        self.program.types.get(i).map(|t| t.name.as_str())
    }

    /// The type that leads provisionally while missing facts leave the most specific types
    /// open (never certain; see [`crate::Evaluation::provisional`]); `None` when nothing
    /// leads, with [`crate::RulesBuilder::strict_unknowns`], or for a row with problems.
    pub fn provisional(&self) -> Option<&'a str> {
        let i = self.row.provisional?;
        self.program.types.get(i).map(|t| t.name.as_str())
    }

    /// The policies and avoid items the provisional lead would bring in, in order.
    pub fn provisional_policies(&self) -> impl Iterator<Item = &'a str> + 'a {
        let program = self.program;
        self.row
            .provisional_policies
            .iter()
            .filter_map(move |&i| program.policies.get(i).map(|p| p.name.as_str()))
    }

    /// How settled the verdict is (a row with problems: [`VerdictKind::None`]).
    pub fn verdict(&self) -> VerdictKind {
        let status = |i: usize| {
            self.row
                .types
                .get(i)
                .map_or(TypeStatus::NotMatched, |(s, _)| *s)
        };
        let id = |i: usize| crate::ir::TypeId::from_index(i);
        crate::eval::verdict(
            self.program,
            status,
            self.row.classification.map(id),
            self.row.provisional.map(id),
        )
    }

    /// Every type in declaration order: name, status and score (empty for a row with
    /// problems).
    pub fn types(&self) -> impl Iterator<Item = (&'a str, TypeStatus, f64)> + 'a {
        let program = self.program;
        self.row
            .types
            .iter()
            .zip(&program.types)
            .map(|(&(status, score), t)| (t.name.as_str(), status, score))
    }

    /// The policies and avoid items that apply, in order.
    pub fn policies(&self) -> impl Iterator<Item = &'a str> + 'a {
        let program = self.program;
        self.row
            .policies
            .iter()
            .filter_map(move |&i| program.policies.get(i).map(|p| p.name.as_str()))
    }

    /// Missing facts that left a type or policy undetermined (declaration order).
    pub fn unknown_facts(&self) -> impl Iterator<Item = &'a str> + 'a {
        let program = self.program;
        self.row
            .unknown_facts
            .iter()
            .filter_map(move |&i| program.facts.get(i).map(|f| f.name.as_str()))
    }

    /// Why the row could not be evaluated (cells that do not fit their facts); empty when
    /// it was.
    pub fn problems(&self) -> &'a [Diagnostic] {
        &self.row.problems
    }
}

impl Verdicts {
    /// Rows, as many as the input had.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the input had no row.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The verdict of row `i`.
    pub fn get(&self, i: usize) -> Option<Verdict<'_>> {
        let row = self.rows.get(i)?;
        Some(Verdict {
            program: &self.rules.rule_set().program,
            row,
        })
    }

    /// Every row's verdict, in input order.
    pub fn iter(&self) -> impl Iterator<Item = Verdict<'_>> {
        let program = &self.rules.rule_set().program;
        self.rows.iter().map(move |row| Verdict { program, row })
    }
}

impl Rules {
    /// Evaluate many clusters, 64 at a time (the block evaluator `meso batch` runs); the
    /// same answers as [`Rules::evaluate`] one at a time.
    pub fn evaluate_many(&self, facts: &[Facts]) -> Verdicts {
        // The block evaluator reads a block's facts side by side: each is copied into the
        // block as its turn comes, not all at once.
        self.verdicts(facts.len(), facts.iter().map(|f| Ok(f.values().clone())))
    }

    /// Evaluate many clusters given column by column (see [`Columns`]). A column that
    /// names no fact, has the wrong length or a kind its fact cannot take is an [`Error`]
    /// for the whole table (every such problem at once); a cell that does not fit its fact
    /// is a problem of its row only ([`Verdict::problems`]), and the other rows are
    /// evaluated.
    pub fn evaluate_columns(&self, columns: &Columns<'_>) -> Result<Verdicts, Error> {
        let rows = rows_to_facts(&self.rule_set().program, columns)?;
        Ok(self.verdicts(rows.len(), rows.into_iter()))
    }

    fn verdicts(
        &self,
        len: usize,
        rows: impl Iterator<Item = Result<facts::Facts, Vec<Diagnostic>>>,
    ) -> Verdicts {
        let mut out: Vec<RowData> = Vec::with_capacity(len);
        let mut block = BlockEvaluator::new(&self.rule_set().compiled);
        let mut pending: Vec<facts::Facts> = Vec::with_capacity(BLOCK);
        let mut slots: Vec<usize> = Vec::with_capacity(BLOCK);
        let strict = self.strict_unknowns();
        let flush = |pending: &mut Vec<facts::Facts>,
                     slots: &mut Vec<usize>,
                     block: &mut BlockEvaluator<'_>,
                     out: &mut Vec<RowData>| {
            block.evaluate(pending);
            for (i, &slot) in slots.iter().enumerate() {
                if let (Some(row), Some(data)) = (block.row(i), out.get_mut(slot)) {
                    data.types = row.types.iter().map(|t| (t.status, t.score)).collect();
                    data.classification = row.classification.map(|t| t.index());
                    data.policies = row.applicable.iter().map(|p| p.index()).collect();
                    data.unknown_facts = row.unknown_facts.iter().map(|f| f.index()).collect();
                    if !strict {
                        data.provisional = row.provisional.map(|t| t.index());
                        data.provisional_policies =
                            row.provisional_policies.iter().map(|p| p.index()).collect();
                    }
                }
            }
            pending.clear();
            slots.clear();
        };
        for row in rows {
            match row {
                Ok(facts) => {
                    slots.push(out.len());
                    out.push(RowData::default());
                    pending.push(facts);
                    if pending.len() == BLOCK {
                        flush(&mut pending, &mut slots, &mut block, &mut out);
                    }
                }
                Err(problems) => out.push(RowData {
                    problems,
                    ..RowData::default()
                }),
            }
        }
        if !pending.is_empty() {
            flush(&mut pending, &mut slots, &mut block, &mut out);
        }
        Verdicts {
            rules: self.clone(),
            rows: out,
        }
    }
}
