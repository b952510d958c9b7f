//! The facade's many-cluster path: the facts of many clusters → one verdict row each,
//! evaluated 64 at a time by the block evaluator (what `meso batch` runs).
//!
//! Input: a [`Rules`] and a slice of [`Facts`] or [`Columns`]. Output: [`VerdictColumns`]
//! (the verdicts column by column: what Arrow, Polars and the Python package take as they
//! are) or [`Verdicts`] (the same read row by row), one row per input row, in input order:
//! each type's status and score, the classification, the policies that apply in order, the
//! facts that would settle what is open, the provisional lead — or the problems of a row
//! whose cells do not fit (never a dropped row).

use crate::eval::{BlockEvaluator, BLOCK};
use crate::facade::block::VerdictBlock;
use crate::facade::columns::{Columns, Decoder};
use crate::facade::diagnostic::{Diagnostic, Error};
use crate::facade::facts::Facts;
use crate::facade::rules::Rules;
use crate::facts;
use crate::ir::Program;
use crate::vocab::{TypeStatus, VerdictKind};

/// The verdicts of many clusters, column by column: per row a classification (a type
/// index), per type a status and a score array, the applicable policies, the unknown facts
/// and the provisional policies as offsets into flat lists of indexes, and the problems of
/// the rows that have them. Indexes are positions in the rule set's declarations
/// ([`VerdictColumns::type_names`], [`VerdictColumns::policy_names`],
/// [`VerdictColumns::fact_names`]).
///
/// Made by [`Rules::evaluate_columnar`]; [`Verdicts`] reads the same row by row.
///
/// ```
/// use meso::{Column, Columns, Rules, TypeStatus, VerdictColumns};
///
/// let rules = Rules::embedded()?;
/// let firms = [Some(1200.0), Some(40.0), None];
/// let trust = [Some("low"), Some("hgih"), Some("high")];
/// let columns = Columns::new(3)
///     .with("firms", Column::Numbers(&firms))
///     .with("trust", Column::Texts(&trust));
/// let out = rules.evaluate_columnar(&columns)?;
/// assert_eq!(out.len(), 3);
/// // Row 2 has a level that is not one of `trust`: its problems, and no verdict.
/// assert!(out.problems(0).is_empty());
/// assert_eq!(out.problems(1)[0].code.as_deref(), Some("meso::facts::unknown_level"));
/// assert_eq!(out.status(0, 1), None);
/// assert_eq!(out.classification(1), None);
/// // The same answers as row by row.
/// let rows = rules.evaluate_columns(&columns)?;
/// let first = rows.get(0).unwrap();
/// assert_eq!(out.classification(0).map(|t| out.type_names()[t]), first.classification());
/// let policies: Vec<&str> = out.policies(0).iter().map(|&p| out.policy_names()[p as usize]).collect();
/// assert_eq!(policies, first.policies().collect::<Vec<_>>());
/// assert_eq!(out.status(0, 0), first.types().next().map(|(_, s, _)| s));
/// # Ok::<(), meso::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct VerdictColumns {
    rules: Rules,
    rows: usize,
    /// Per row: the classification's type index, or [`VerdictColumns::NONE`]
    classification: Vec<u32>,
    /// Type-major (`type * rows + row`): status codes and scores
    status: Vec<u8>,
    score: Vec<f64>,
    policy_offsets: Vec<u32>,
    policy_ids: Vec<u32>,
    unknown_offsets: Vec<u32>,
    unknown_ids: Vec<u32>,
    provisional: Vec<u32>,
    provisional_offsets: Vec<u32>,
    provisional_ids: Vec<u32>,
    /// Rows with problems, ascending, and the span of each one's in `problem_list`
    problem_rows: Vec<u32>,
    problem_offsets: Vec<u32>,
    problem_list: Vec<Diagnostic>,
}

impl VerdictColumns {
    /// "No type": a row's classification or provisional lead when there is none.
    pub const NONE: u32 = VerdictBlock::NONE;
    /// Status code: the type matched.
    pub const MATCHED: u8 = VerdictBlock::MATCHED;
    /// Status code: the type did not match.
    pub const NOT_MATCHED: u8 = VerdictBlock::NOT_MATCHED;
    /// Status code: unknown facts leave the type open.
    pub const UNDETERMINED: u8 = VerdictBlock::UNDETERMINED;
    /// Status code: the row has problems, and no verdict.
    pub const NO_VERDICT: u8 = VerdictBlock::NO_VERDICT;

    /// Rows, as many as the input had.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether the input had no row.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The rule set's types, in declaration order (what type indexes count).
    pub fn type_names(&self) -> Vec<&str> {
        self.rules.type_names()
    }

    /// The rule set's policies and avoid items, in declaration order (what policy indexes
    /// count).
    pub fn policy_names(&self) -> Vec<&str> {
        self.rules.policy_names()
    }

    /// The rule set's facts, in declaration order (what fact indexes count).
    pub fn fact_names(&self) -> Vec<&str> {
        self.rules.fact_names()
    }

    /// Per row, the classification's type index ([`VerdictColumns::NONE`] when no type
    /// matched, unknown facts leave it open, or the row has problems).
    pub fn classification_column(&self) -> &[u32] {
        &self.classification
    }

    /// Row `row`'s classification (a type index).
    pub fn classification(&self, row: usize) -> Option<usize> {
        index(self.classification.get(row).copied())
    }

    /// Per row, type `t`'s status code ([`VerdictColumns::MATCHED`],
    /// [`VerdictColumns::NOT_MATCHED`], [`VerdictColumns::UNDETERMINED`], or
    /// [`VerdictColumns::NO_VERDICT`] for a row with problems).
    pub fn status_column(&self, t: usize) -> &[u8] {
        self.status
            .get(t * self.rows..(t + 1) * self.rows)
            .unwrap_or_default()
    }

    /// Per row, type `t`'s score (NaN for a row with problems).
    pub fn score_column(&self, t: usize) -> &[f64] {
        self.score
            .get(t * self.rows..(t + 1) * self.rows)
            .unwrap_or_default()
    }

    /// Type `t`'s status in row `row` (`None` for a row with problems).
    pub fn status(&self, t: usize, row: usize) -> Option<TypeStatus> {
        match self.status_column(t).get(row).copied()? {
            Self::MATCHED => Some(TypeStatus::Matched),
            Self::NOT_MATCHED => Some(TypeStatus::NotMatched),
            Self::UNDETERMINED => Some(TypeStatus::Undetermined),
            _ => None,
        }
    }

    /// The applicable policies: row `r`'s are `policy_ids()[offsets[r]..offsets[r + 1]]`
    /// (policy indexes, in output order); one more offset than rows.
    pub fn policy_offsets(&self) -> &[u32] {
        &self.policy_offsets
    }

    /// The applicable policies of every row, one after the other (see
    /// [`VerdictColumns::policy_offsets`]).
    pub fn policy_ids(&self) -> &[u32] {
        &self.policy_ids
    }

    /// Row `row`'s applicable policies (policy indexes, in output order).
    pub fn policies(&self, row: usize) -> &[u32] {
        span(&self.policy_offsets, &self.policy_ids, row)
    }

    /// The unknown facts: row `r`'s are `unknown_ids()[offsets[r]..offsets[r + 1]]`.
    pub fn unknown_offsets(&self) -> &[u32] {
        &self.unknown_offsets
    }

    /// The unknown facts of every row, one after the other (fact indexes).
    pub fn unknown_ids(&self) -> &[u32] {
        &self.unknown_ids
    }

    /// Row `row`'s missing facts that left a type or policy undetermined (fact indexes,
    /// in declaration order).
    pub fn unknown_facts(&self, row: usize) -> &[u32] {
        span(&self.unknown_offsets, &self.unknown_ids, row)
    }

    /// Per row, the provisional lead's type index ([`VerdictColumns::NONE`]: none, see
    /// [`Verdict::provisional`]).
    pub fn provisional_column(&self) -> &[u32] {
        &self.provisional
    }

    /// Row `row`'s provisional lead (a type index).
    pub fn provisional(&self, row: usize) -> Option<usize> {
        index(self.provisional.get(row).copied())
    }

    /// The provisional policies: row `r`'s are
    /// `provisional_ids()[offsets[r]..offsets[r + 1]]`.
    pub fn provisional_offsets(&self) -> &[u32] {
        &self.provisional_offsets
    }

    /// The provisional policies of every row, one after the other (policy indexes).
    pub fn provisional_ids(&self) -> &[u32] {
        &self.provisional_ids
    }

    /// Row `row`'s provisional policies (policy indexes, in output order).
    pub fn provisional_policies(&self, row: usize) -> &[u32] {
        span(&self.provisional_offsets, &self.provisional_ids, row)
    }

    /// The rows that have problems, ascending.
    pub fn problem_rows(&self) -> &[u32] {
        &self.problem_rows
    }

    /// Why row `row` could not be evaluated (cells that do not fit their facts); empty
    /// when it was.
    pub fn problems(&self, row: usize) -> &[Diagnostic] {
        let Ok(row) = u32::try_from(row) else {
            return &[];
        };
        match self.problem_rows.binary_search(&row) {
            Ok(i) => span(&self.problem_offsets, &self.problem_list, i),
            Err(_) => &[],
        }
    }

    /// Whether row `row` has problems.
    pub fn has_problems(&self, row: usize) -> bool {
        u32::try_from(row).is_ok_and(|r| self.problem_rows.binary_search(&r).is_ok())
    }
}

fn index(i: Option<u32>) -> Option<usize> {
    i.filter(|&i| i != VerdictColumns::NONE).map(|i| i as usize)
}

/// `list[offsets[i]..offsets[i + 1]]`, empty if out of range.
fn span<'a, T>(offsets: &[u32], list: &'a [T], i: usize) -> &'a [T] {
    match (offsets.get(i), offsets.get(i + 1)) {
        (Some(&a), Some(&b)) => list.get(a as usize..b as usize).unwrap_or_default(),
        _ => &[],
    }
}

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
    columns: VerdictColumns,
}

/// The verdict of one row of [`Verdicts`].
#[derive(Clone, Copy, Debug)]
pub struct Verdict<'a> {
    program: &'a Program,
    columns: &'a VerdictColumns,
    row: usize,
}

impl<'a> Verdict<'a> {
    /// The primary classification (most specific matched type, highest score); `None` when
    /// no type matched, unknown facts leave it open, or the row has problems.
    pub fn classification(&self) -> Option<&'a str> {
        let i = self.columns.classification(self.row)?;
        self.program.types.get(i).map(|t| t.name.as_str())
    }

    /// The type that leads provisionally while missing facts leave the most specific types
    /// open (never certain; see [`crate::Evaluation::provisional`]); `None` when nothing
    /// leads, with [`crate::RulesBuilder::strict_unknowns`], or for a row with problems.
    pub fn provisional(&self) -> Option<&'a str> {
        let i = self.columns.provisional(self.row)?;
        self.program.types.get(i).map(|t| t.name.as_str())
    }

    /// The policies and avoid items the provisional lead would bring in, in order.
    pub fn provisional_policies(&self) -> impl Iterator<Item = &'a str> + 'a {
        let program = self.program;
        self.columns
            .provisional_policies(self.row)
            .iter()
            .filter_map(move |&i| program.policies.get(i as usize).map(|p| p.name.as_str()))
    }

    /// How settled the verdict is (a row with problems: [`VerdictKind::None`]).
    pub fn verdict(&self) -> VerdictKind {
        let status = |i: usize| {
            self.columns
                .status(i, self.row)
                .unwrap_or(TypeStatus::NotMatched)
        };
        let id = |i: usize| crate::ir::TypeId::from_index(i);
        crate::eval::verdict(
            self.program,
            status,
            self.columns.classification(self.row).map(id),
            self.columns.provisional(self.row).map(id),
        )
    }

    /// Every type in declaration order: name, status and score (empty for a row with
    /// problems).
    pub fn types(&self) -> impl Iterator<Item = (&'a str, TypeStatus, f64)> + 'a {
        let (columns, row) = (self.columns, self.row);
        self.program
            .types
            .iter()
            .enumerate()
            .filter_map(move |(t, ty)| {
                let status = columns.status(t, row)?;
                let score = columns.score_column(t).get(row).copied()?;
                Some((ty.name.as_str(), status, score))
            })
    }

    /// The policies and avoid items that apply, in order.
    pub fn policies(&self) -> impl Iterator<Item = &'a str> + 'a {
        let program = self.program;
        self.columns
            .policies(self.row)
            .iter()
            .filter_map(move |&i| program.policies.get(i as usize).map(|p| p.name.as_str()))
    }

    /// Missing facts that left a type or policy undetermined (declaration order).
    pub fn unknown_facts(&self) -> impl Iterator<Item = &'a str> + 'a {
        let program = self.program;
        self.columns
            .unknown_facts(self.row)
            .iter()
            .filter_map(move |&i| program.facts.get(i as usize).map(|f| f.name.as_str()))
    }

    /// Why the row could not be evaluated (cells that do not fit their facts); empty when
    /// it was.
    pub fn problems(&self) -> &'a [Diagnostic] {
        self.columns.problems(self.row)
    }
}

impl Verdicts {
    /// Rows, as many as the input had.
    pub fn len(&self) -> usize {
        self.columns.len()
    }

    /// Whether the input had no row.
    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    /// The verdict of row `i`.
    pub fn get(&self, i: usize) -> Option<Verdict<'_>> {
        (i < self.len()).then(|| Verdict {
            program: &self.columns.rules.rule_set().program,
            columns: &self.columns,
            row: i,
        })
    }

    /// Every row's verdict, in input order.
    pub fn iter(&self) -> impl Iterator<Item = Verdict<'_>> {
        let program = &self.columns.rules.rule_set().program;
        let columns = &self.columns;
        (0..self.len()).map(move |row| Verdict {
            program,
            columns,
            row,
        })
    }

    /// The same verdicts, column by column.
    pub fn columns(&self) -> &VerdictColumns {
        &self.columns
    }
}

impl Rules {
    /// Evaluate many clusters, 64 at a time (the block evaluator `meso batch` runs); the
    /// same answers as [`Rules::evaluate`] one at a time.
    pub fn evaluate_many(&self, facts: &[Facts]) -> Verdicts {
        // Each block's facts are copied into reused buffers as its turn comes.
        let columns = self.columnar(facts.len(), |start, evaluator, block, _| {
            for (slot, f) in block.iter_mut().zip(facts.iter().skip(start)) {
                slot.values.clone_from(&f.values().values);
            }
            evaluator.evaluate(block);
            0
        });
        Verdicts { columns }
    }

    /// Evaluate many clusters given column by column (see [`Columns`]). A column that
    /// names no fact, has the wrong length or a kind its fact cannot take is an [`Error`]
    /// for the whole table (every such problem at once); a cell that does not fit its fact
    /// is a problem of its row only ([`Verdict::problems`]), and the other rows are
    /// evaluated.
    pub fn evaluate_columns(&self, columns: &Columns<'_>) -> Result<Verdicts, Error> {
        Ok(Verdicts {
            columns: self.evaluate_columnar(columns)?,
        })
    }

    /// Evaluate many clusters given column by column into verdicts column by column
    /// ([`VerdictColumns`]): the columnar fast path (cells read 64 at a time straight into
    /// the block evaluator's typed columns, text resolved once per distinct string, a whole
    /// record built only for a row left undetermined, no allocation per row). The same
    /// answers and errors as [`Rules::evaluate_columns`].
    pub fn evaluate_columnar(&self, columns: &Columns<'_>) -> Result<VerdictColumns, Error> {
        let mut decoder = Decoder::new(&self.rule_set().program, columns)?;
        Ok(
            self.columnar(columns.rows(), |start, evaluator, block, problems| {
                let bad = decoder.decode(start, block.len(), problems);
                evaluator.evaluate_lanes(&mut decoder, block);
                bad
            }),
        )
    }

    /// Evaluate many clusters given column by column, handing each block's verdicts to
    /// `sink` as soon as it is evaluated, in row order ([`VerdictBlock`]: at most 64 rows,
    /// read column by column where the evaluator left them). What an output format writes
    /// its buffers from with nothing made per row in between; [`Rules::evaluate_columnar`]
    /// is this, collected. The same answers and errors as [`Rules::evaluate_columns`].
    pub fn evaluate_columnar_blocks(
        &self,
        columns: &Columns<'_>,
        sink: impl FnMut(&VerdictBlock<'_>),
    ) -> Result<(), Error> {
        let mut decoder = Decoder::new(&self.rule_set().program, columns)?;
        self.blocks(
            columns.rows(),
            |start, evaluator, block, problems| {
                let bad = decoder.decode(start, block.len(), problems);
                evaluator.evaluate_lanes(&mut decoder, block);
                bad
            },
            sink,
        );
        Ok(())
    }

    /// Evaluate `len` rows a block at a time (see [`Rules::blocks`]) into
    /// [`VerdictColumns`].
    fn columnar(
        &self,
        len: usize,
        run: impl FnMut(
            usize,
            &mut BlockEvaluator<'_>,
            &mut [facts::Facts],
            &mut Vec<(usize, Vec<Diagnostic>)>,
        ) -> u64,
    ) -> VerdictColumns {
        let program = &self.rule_set().program;
        let n_types = program.types.len();
        let mut out = VerdictColumns {
            rules: self.clone(),
            rows: len,
            classification: Vec::with_capacity(len),
            status: vec![VerdictColumns::NO_VERDICT; n_types * len],
            score: vec![f64::NAN; n_types * len],
            policy_offsets: Vec::with_capacity(len + 1),
            policy_ids: Vec::with_capacity(len * 2),
            unknown_offsets: Vec::with_capacity(len + 1),
            unknown_ids: Vec::new(),
            provisional: Vec::with_capacity(len),
            provisional_offsets: Vec::with_capacity(len + 1),
            provisional_ids: Vec::new(),
            problem_rows: Vec::new(),
            problem_offsets: vec![0],
            problem_list: Vec::new(),
        };
        out.policy_offsets.push(0);
        out.unknown_offsets.push(0);
        out.provisional_offsets.push(0);
        self.blocks(len, run, |block| out.push_block(block));
        out
    }

    /// Evaluate `len` rows, a block at a time: `run(start, evaluator, block, problems)`
    /// evaluates rows `start..start + block.len()` with `evaluator` (`block`: records to
    /// build them in) and returns the rows (bit r: row `start + r`) that have problems,
    /// whose problems it appends (by row, ascending); `sink` then reads the block's
    /// verdicts.
    fn blocks(
        &self,
        len: usize,
        mut run: impl FnMut(
            usize,
            &mut BlockEvaluator<'_>,
            &mut [facts::Facts],
            &mut Vec<(usize, Vec<Diagnostic>)>,
        ) -> u64,
        mut sink: impl FnMut(&VerdictBlock<'_>),
    ) {
        let program = &self.rule_set().program;
        let strict = self.strict_unknowns();
        let mut block = BlockEvaluator::new(&self.rule_set().compiled);
        let mut records = vec![facts::Facts::unknown(program.facts.len()); BLOCK.min(len)];
        let mut problems: Vec<(usize, Vec<Diagnostic>)> = Vec::new();
        let mut start = 0;
        while start < len {
            let n = BLOCK.min(len - start);
            let Some(records) = records.get_mut(..n) else {
                break;
            };
            problems.clear();
            // Rows with problems are evaluated with their bad cells unknown, and their
            // answers dropped.
            let bad = run(start, &mut block, records, &mut problems);
            sink(&VerdictBlock::new(
                start,
                n,
                bad,
                &problems,
                block.results(),
                program,
                strict,
            ));
            start += n;
        }
    }
}

impl VerdictColumns {
    /// Append the verdicts of `block`, the next rows.
    fn push_block(&mut self, block: &VerdictBlock<'_>) {
        let (len, start, n) = (self.rows, block.start(), block.len());
        for r in 0..n {
            if block.has_problems(r) {
                self.problem_rows.push((start + r) as u32);
                self.problem_list.extend_from_slice(block.problems(r));
                self.problem_offsets.push(self.problem_list.len() as u32);
            }
            self.classification.push(block.classification(r));
            self.provisional.push(block.provisional(r));
            self.policy_ids.extend(block.policies(r));
            self.unknown_ids.extend(block.unknown_facts(r));
            self.provisional_ids.extend(block.provisional_policies(r));
            self.policy_offsets.push(self.policy_ids.len() as u32);
            self.unknown_offsets.push(self.unknown_ids.len() as u32);
            self.provisional_offsets
                .push(self.provisional_ids.len() as u32);
        }
        for t in 0..block.type_count() {
            let at = t * len + start..t * len + start + n;
            let (Some(status), Some(score)) =
                (self.status.get_mut(at.clone()), self.score.get_mut(at))
            else {
                continue;
            };
            for ((s, x), (code, score)) in status.iter_mut().zip(score).zip(block.type_column(t)) {
                (*s, *x) = (code, score);
            }
        }
    }
}
