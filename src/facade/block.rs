//! The facade's many-cluster path, one block at a time: the verdicts of up to 64 rows read
//! column by column where the block evaluator leaves them ([`VerdictBlock`]), handed to the
//! caller as each block is done ([`Rules::evaluate_columnar_blocks`]). What an output
//! format (Arrow, Polars, a CSV writer) writes its buffers from with no row made in between;
//! [`VerdictColumns`] is built from the same blocks.
//!
//! Input: a block evaluator's last run, the rows with problems and their problems. Output:
//! per row and type a status code and a score, per row a classification, a key for the set
//! of applicable policies, the policies, the unknown facts, the provisional lead and
//! policies, and the problems.

use crate::eval::BlockRows;
use crate::facade::diagnostic::Diagnostic;
use crate::ir::{Program, TypeId};
use crate::vocab::{PolicyKind, TypeStatus, VerdictKind};

#[cfg(doc)]
use crate::facade::{many::VerdictColumns, rules::Rules};

/// The verdicts of one block of rows (at most 64, rows `start()..start() + len()` of the
/// table), read column by column: what [`Rules::evaluate_columnar_blocks`] hands to its
/// caller block by block. Status codes, [`VerdictBlock::NONE`] and the indexes are those of
/// [`VerdictColumns`]; a row with problems has no verdict (its status codes are
/// [`VerdictBlock::NO_VERDICT`], its scores NaN, its lists empty).
///
/// ```
/// use meso::{Column, Columns, Rules, VerdictBlock};
///
/// let rules = Rules::embedded()?;
/// let firms = [Some(1200.0), Some(40.0), None];
/// let trust = [Some("low"), Some("hgih"), Some("high")];
/// let columns = Columns::new(3)
///     .with("firms", Column::Numbers(&firms))
///     .with("trust", Column::Texts(&trust));
/// let all = rules.evaluate_columnar(&columns)?;
/// let mut seen = 0;
/// rules.evaluate_columnar_blocks(&columns, |block| {
///     for r in 0..block.len() {
///         let row = block.start() + r;
///         assert_eq!(block.classification(r), all.classification_column()[row]);
///         let policies: Vec<u32> = block.policies(r).collect();
///         assert_eq!(policies, all.policies(row));
///         assert_eq!(block.has_problems(r), all.has_problems(row));
///     }
///     // Row 1's `trust` is not a level: it has problems, and no verdict.
///     assert_eq!(block.problem_rows(), 0b010);
///     assert_eq!(block.status(0, 1), VerdictBlock::NO_VERDICT);
///     seen += block.len();
/// })?;
/// assert_eq!(seen, 3);
/// # Ok::<(), meso::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct VerdictBlock<'a> {
    start: usize,
    len: usize,
    /// Bit r: row `start + r` has problems
    bad: u64,
    /// The bad rows' problems, by row (absolute), ascending
    problems: &'a [(usize, Vec<Diagnostic>)],
    rows: BlockRows<'a>,
    program: &'a Program,
    strict: bool,
}

impl<'a> VerdictBlock<'a> {
    /// "No type": a row's classification or provisional lead when there is none.
    pub const NONE: u32 = u32::MAX;
    /// Status code: the type matched.
    pub const MATCHED: u8 = 0;
    /// Status code: the type did not match.
    pub const NOT_MATCHED: u8 = 1;
    /// Status code: unknown facts leave the type open.
    pub const UNDETERMINED: u8 = 2;
    /// Status code: the row has problems, and no verdict.
    pub const NO_VERDICT: u8 = u8::MAX;

    /// Rows `start..start + len` of a table: `rows` as the block evaluator left them (its
    /// first `len`), `bad` and `problems` the rows with problems.
    pub(crate) fn new(
        start: usize,
        len: usize,
        bad: u64,
        problems: &'a [(usize, Vec<Diagnostic>)],
        rows: BlockRows<'a>,
        program: &'a Program,
        strict: bool,
    ) -> Self {
        let len = len.min(rows.len()).min(crate::eval::BLOCK);
        let bad = bad & low_bits(len);
        VerdictBlock {
            start,
            len,
            bad,
            problems,
            rows,
            program,
            strict,
        }
    }

    /// Type `t`'s name (what a type index stands for).
    #[inline]
    pub fn type_name(&self, t: usize) -> Option<&'a str> {
        self.program.types.get(t).map(|x| x.name.as_str())
    }

    /// Policy or avoid item `p`'s name (what a policy index stands for).
    #[inline]
    pub fn policy_name(&self, p: usize) -> Option<&'a str> {
        self.program.policies.get(p).map(|x| x.name.as_str())
    }

    /// Fact `f`'s name (what a fact index stands for).
    #[inline]
    pub fn fact_name(&self, f: usize) -> Option<&'a str> {
        self.program.facts.get(f).map(|x| x.name.as_str())
    }

    /// The table's index of the block's first row (row `r` of the block is row
    /// `start() + r` of the table).
    #[inline]
    pub fn start(&self) -> usize {
        self.start
    }

    /// Rows in the block (at most 64).
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the block has no row.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The rule set's types (what type indexes count).
    #[inline]
    pub fn type_count(&self) -> usize {
        self.rows.n_types()
    }

    /// The rows that have problems: bit r for row `r` of the block.
    #[inline]
    pub fn problem_rows(&self) -> u64 {
        self.bad
    }

    /// Whether row `r` of the block has problems.
    #[inline]
    pub fn has_problems(&self, r: usize) -> bool {
        r < self.len && (self.bad >> r) & 1 == 1
    }

    /// Why row `r` of the block could not be evaluated (cells that do not fit their facts);
    /// empty when it was.
    pub fn problems(&self, r: usize) -> &'a [Diagnostic] {
        if !self.has_problems(r) {
            return &[];
        }
        let row = self.start + r;
        match self.problems.binary_search_by_key(&row, |(at, _)| *at) {
            Ok(i) => self
                .problems
                .get(i)
                .map_or(&[], |(_, list)| list.as_slice()),
            Err(_) => &[],
        }
    }

    /// Type `t`'s status code in row `r` ([`VerdictBlock::MATCHED`],
    /// [`VerdictBlock::NOT_MATCHED`], [`VerdictBlock::UNDETERMINED`], or
    /// [`VerdictBlock::NO_VERDICT`] for a row with problems or out of range).
    #[inline]
    pub fn status(&self, t: usize, r: usize) -> u8 {
        match self
            .verdict_row(r)
            .and_then(|r| self.rows.type_summary(t, r))
        {
            Some(s) => status_code(s.status),
            None => Self::NO_VERDICT,
        }
    }

    /// Type `t`'s score in row `r` (NaN for a row with problems or out of range).
    #[inline]
    pub fn score(&self, t: usize, r: usize) -> f64 {
        match self
            .verdict_row(r)
            .and_then(|r| self.rows.type_summary(t, r))
        {
            Some(s) => s.score,
            None => f64::NAN,
        }
    }

    /// Type `t`'s status code and score, row by row (see [`VerdictBlock::status`] and
    /// [`VerdictBlock::score`]).
    #[inline]
    pub fn type_column(&self, t: usize) -> impl ExactSizeIterator<Item = (u8, f64)> + 'a {
        // Read as `type_column_into` reads it; a row it has no type for has no verdict.
        let mut status = [Self::NO_VERDICT; crate::eval::BLOCK];
        let mut score = [f64::NAN; crate::eval::BLOCK];
        let len = if self.rows.n_types() == 0 {
            0
        } else {
            self.type_column_into(t, &mut status, &mut score)
        };
        status.into_iter().zip(score).take(len)
    }

    /// [`VerdictBlock::type_column`] written into `status` and `score`, one entry per row
    /// of the block (as many as the shorter of the two has room for); returns how many
    /// were written. A tight loop over where the evaluator keeps them, for writers that
    /// fill buffers (and what `type_column` reads).
    pub fn type_column_into(&self, t: usize, status: &mut [u8], score: &mut [f64]) -> usize {
        let n = self.rows.n_types();
        let len = self.len.min(status.len()).min(score.len());
        let status = status.get_mut(..len).unwrap_or_default();
        let score = score.get_mut(..len).unwrap_or_default();
        if t >= n {
            status.fill(Self::NO_VERDICT);
            score.fill(f64::NAN);
            return len;
        }
        if let Some(matched) = self.rows.type_column(t, score) {
            // Where the block evaluator keeps it: the records it matched, the scores.
            // A code is 1 where the type did not match.
            const _: () = assert!(VerdictBlock::MATCHED == 0 && VerdictBlock::NOT_MATCHED == 1);
            crate::eval::spread_bits(!matched, status);
            // The records evaluated on their own have their rows.
            let mut open = self.rows.open_records(len) & low_bits(len);
            while open != 0 {
                let r = open.trailing_zeros() as usize;
                open &= open - 1;
                let s = self.rows.type_summary(t, r);
                if let (Some(s), Some(code), Some(x)) = (s, status.get_mut(r), score.get_mut(r)) {
                    (*code, *x) = (status_code(s.status), s.score);
                }
            }
        } else {
            // Record after record, `n` types each (`types` has `len * n` of them).
            let rows = self.rows.types(len).chunks_exact(n);
            for ((code, x), row) in status.iter_mut().zip(score.iter_mut()).zip(rows) {
                if let Some(s) = row.get(t) {
                    (*code, *x) = (status_code(s.status), s.score);
                }
            }
        }
        // Rows with problems have no verdict.
        let mut bad = self.bad & low_bits(len);
        while bad != 0 {
            let r = bad.trailing_zeros() as usize;
            bad &= bad - 1;
            if let (Some(code), Some(x)) = (status.get_mut(r), score.get_mut(r)) {
                (*code, *x) = (Self::NO_VERDICT, f64::NAN);
            }
        }
        len
    }

    /// The classifications, row by row (see [`VerdictBlock::classification`]).
    #[inline]
    pub fn classifications(&self) -> impl ExactSizeIterator<Item = u32> + 'a {
        let bad = self.bad;
        let all = self.rows.classifications();
        let all = all.get(..self.len).unwrap_or(all);
        all.iter().enumerate().map(move |(r, c)| match c {
            Some(t) if (bad >> r) & 1 == 0 => t.0,
            _ => Self::NONE,
        })
    }

    /// The keys of the rows' applicable policies, row by row (see
    /// [`VerdictBlock::policy_key`]; `None` when the rule set has too many types or
    /// policies for sets).
    #[inline]
    pub fn policy_keys(&self) -> Option<impl ExactSizeIterator<Item = u64> + 'a> {
        let bad = self.bad;
        let sets = self.rows.policy_sets()?;
        let sets = sets.get(..self.len).unwrap_or(sets);
        Some(
            sets.iter()
                .enumerate()
                .map(move |(r, &set)| if (bad >> r) & 1 == 0 { set } else { 0 }),
        )
    }

    /// The rows that may have unknown facts, a provisional lead or provisional policies
    /// (bit r for row `r`; the other rows' lists are empty and they have no lead).
    #[inline]
    pub fn open_rows(&self) -> u64 {
        self.rows.open_records(self.len) & !self.bad
    }

    /// Row `r`'s classification, a type index ([`VerdictBlock::NONE`] when no type matched,
    /// unknown facts leave it open, or the row has problems).
    #[inline]
    pub fn classification(&self, r: usize) -> u32 {
        self.verdict_row(r)
            .and_then(|r| self.rows.classification(r))
            .map_or(Self::NONE, |t| t.index() as u32)
    }

    /// A key for row `r`'s applicable policies: the set of them, bit `i` standing for the
    /// policy [`VerdictBlock::key_bit_policy`]`(i)`, and the row's policies in output order
    /// being its bits from the lowest up (so rows with the same key have the same policies
    /// in the same order, and what is made of a row's list can be made once per key).
    /// `None` when the rule set has too many types or policies for sets (more than 64):
    /// read [`VerdictBlock::policies`] then. A row with problems has the key of the empty
    /// list, 0.
    #[inline]
    pub fn policy_key(&self, r: usize) -> Option<u64> {
        if self.has_problems(r) {
            return Some(0);
        }
        self.rows.policy_set(r)
    }

    /// The policy (its index) that bit `i` of a key of [`VerdictBlock::policy_key`] stands
    /// for; `None` past the policies, or when there are no keys.
    ///
    /// ```
    /// use meso::{Column, Columns, Rules};
    ///
    /// let rules = Rules::embedded()?;
    /// let firms = [Some(1200.0), Some(40.0)];
    /// let columns = Columns::new(2).with("firms", Column::Numbers(&firms));
    /// rules.evaluate_columnar_blocks(&columns, |block| {
    ///     for r in 0..block.len() {
    ///         let mut key = block.policy_key(r).unwrap();
    ///         let mut from_key = Vec::new();
    ///         while key != 0 {
    ///             from_key.push(block.key_bit_policy(key.trailing_zeros() as usize).unwrap());
    ///             key &= key - 1;
    ///         }
    ///         assert_eq!(from_key, block.policies(r).collect::<Vec<_>>());
    ///     }
    /// })?;
    /// # Ok::<(), meso::Error>(())
    /// ```
    #[inline]
    pub fn key_bit_policy(&self, i: usize) -> Option<u32> {
        self.rows.policy_sets()?;
        self.rows.policy_order().get(i).map(|p| p.index() as u32)
    }

    /// Row `r`'s applicable policies (policy indexes, in output order).
    #[inline]
    pub fn policies(&self, r: usize) -> impl Iterator<Item = u32> + 'a {
        let applicable = match self.verdict_row(r) {
            Some(r) => self.rows.applicable(r),
            None => crate::eval::Applicable::List(&[]),
        };
        applicable.iter().map(|p| p.index() as u32)
    }

    /// Row `r`'s missing facts that left a type or policy undetermined (fact indexes, in
    /// declaration order).
    #[inline]
    pub fn unknown_facts(&self, r: usize) -> impl ExactSizeIterator<Item = u32> + 'a {
        let facts = match self.verdict_row(r) {
            Some(r) => self.rows.open(r).0,
            None => &[],
        };
        facts.iter().map(|f| f.index() as u32)
    }

    /// Row `r`'s provisional lead, a type index ([`VerdictBlock::NONE`]: none, with
    /// [`crate::RulesBuilder::strict_unknowns`], or for a row with problems).
    #[inline]
    pub fn provisional(&self, r: usize) -> u32 {
        match self.verdict_row(r) {
            Some(r) if !self.strict => self.rows.open(r).1.map_or(Self::NONE, |t| t.index() as u32),
            _ => Self::NONE,
        }
    }

    /// The policies row `r`'s provisional lead would bring in (policy indexes, in output
    /// order; empty with [`crate::RulesBuilder::strict_unknowns`]).
    #[inline]
    pub fn provisional_policies(&self, r: usize) -> impl ExactSizeIterator<Item = u32> + 'a {
        let policies = match self.verdict_row(r) {
            Some(r) if !self.strict => self.rows.open(r).2,
            _ => &[],
        };
        policies.iter().map(|p| p.index() as u32)
    }

    /// How settled row `r`'s verdict is: an index into [`VerdictBlock::VERDICTS`]
    /// (`firm`, `provisional`, `undetermined`, `none`, as `meso batch` writes it), or
    /// [`VerdictBlock::NO_VERDICT`] for a row with problems.
    #[inline]
    pub fn verdict(&self, r: usize) -> u8 {
        self.verdict_in(self.open_rows(), r)
    }

    /// Every row's [`VerdictBlock::verdict`], row by row (the open rows read once).
    #[inline]
    pub fn verdicts(&self) -> impl ExactSizeIterator<Item = u8> + '_ {
        let open = self.open_rows();
        (0..self.len).map(move |r| self.verdict_in(open, r))
    }

    /// Row `r`'s verdict, `open` being [`VerdictBlock::open_rows`].
    #[inline]
    fn verdict_in(&self, open: u64, r: usize) -> u8 {
        let Some(row) = self.verdict_row(r) else {
            return Self::NO_VERDICT;
        };
        let classification = self.rows.classification(row);
        let kind = if (open >> r) & 1 == 0 {
            // Nothing undetermined: the classification settles it.
            VerdictKind::of(classification.is_some(), false, false)
        } else {
            let lead = match self.provisional(r) {
                Self::NONE => None,
                t => Some(TypeId::from_index(t as usize)),
            };
            let status = |t: usize| {
                self.rows
                    .type_summary(t, row)
                    .map_or(TypeStatus::NotMatched, |s| s.status)
            };
            crate::eval::verdict(self.program, status, classification, lead)
        };
        match kind {
            VerdictKind::Firm => 0,
            VerdictKind::Provisional => 1,
            VerdictKind::Undetermined => 2,
            VerdictKind::None => 3,
        }
    }

    /// The names of [`VerdictBlock::verdict`]'s codes, by code.
    pub const VERDICTS: [&'static str; 4] = ["firm", "provisional", "undetermined", "none"];

    /// Whether policy `p` is an avoid item (an error to avoid), not a policy to follow.
    #[inline]
    pub fn avoids(&self, p: usize) -> bool {
        self.program
            .policies
            .get(p)
            .is_some_and(|x| x.kind == PolicyKind::Avoid)
    }

    /// `Some(r)` when row `r` is in the block and has a verdict.
    #[inline]
    fn verdict_row(&self, r: usize) -> Option<usize> {
        (r < self.len && (self.bad >> r) & 1 == 0).then_some(r)
    }
}

/// The status code of `status` (see [`VerdictBlock::status`]).
#[inline]
fn status_code(status: TypeStatus) -> u8 {
    match status {
        TypeStatus::Matched => VerdictBlock::MATCHED,
        TypeStatus::NotMatched => VerdictBlock::NOT_MATCHED,
        TypeStatus::Undetermined => VerdictBlock::UNDETERMINED,
    }
}

/// The rows `0..len` of a block as a word.
fn low_bits(len: usize) -> u64 {
    match len {
        64.. => u64::MAX,
        n => (1u64 << n) - 1,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::VerdictBlock;
    use crate::facade::columns::{Column, Columns};
    use crate::facade::rules::Rules;
    use std::collections::HashMap;

    /// Every read of every block agrees with itself (columns with rows, keys with lists,
    /// open rows with their lists) and with [`crate::VerdictColumns`], on a table of the
    /// workload's rule set with unknown and bad cells.
    #[test]
    fn blocks_read_column_by_column_as_row_by_row() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/benches/workload/typology.meso"
        );
        let rules = Rules::from_path(dir).unwrap();
        let rows = 300;
        let schema = rules.facts_schema();
        let mut numbers: Vec<(String, Vec<Option<f64>>)> = Vec::new();
        let mut texts: Vec<(String, Vec<Option<String>>)> = Vec::new();
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut draw = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        for (name, f) in schema["properties"].as_object().unwrap() {
            if let Some(levels) = f["enum"].as_array() {
                let cells = (0..rows)
                    .map(|_| match draw(40) {
                        0..=3 => None,
                        4 => Some("hgih".to_string()),
                        k => levels[k as usize % levels.len()]
                            .as_str()
                            .map(str::to_string),
                    })
                    .collect();
                texts.push((name.clone(), cells));
            } else if f["type"][0] == "number" || f["type"][0] == "integer" {
                let ratio = f["maximum"].as_f64() == Some(1.0);
                let cells = (0..rows)
                    .map(|_| match draw(20) {
                        0 => None,
                        _ if ratio => Some(draw(1001) as f64 / 1000.0),
                        _ => Some(draw(3000) as f64),
                    })
                    .collect();
                numbers.push((name.clone(), cells));
            }
        }
        let texts: Vec<(String, Vec<Option<&str>>)> = texts
            .iter()
            .map(|(n, c)| (n.clone(), c.iter().map(|s| s.as_deref()).collect()))
            .collect();
        let mut columns = Columns::new(rows);
        for (name, cells) in &numbers {
            columns.push(name, Column::Numbers(cells));
        }
        for (name, cells) in &texts {
            columns.push(name, Column::Texts(cells));
        }
        let all = rules.evaluate_columnar(&columns).unwrap();
        let (mut seen, mut open, mut bad) = (0, 0, 0);
        let mut keys: HashMap<u64, Vec<u32>> = HashMap::new();
        let mut verdicts = std::collections::BTreeSet::new();
        rules
            .evaluate_columnar_blocks(&columns, |block| {
                assert_eq!(block.start(), seen);
                let n = block.len();
                for t in 0..block.type_count() + 1 {
                    let (statuses, scores): (Vec<u8>, Vec<f64>) = block.type_column(t).unzip();
                    assert_eq!(statuses.len(), n);
                    // The same written into buffers (and past the types: no verdict).
                    let (mut into, mut into_scores) = ([0u8; 64], [0f64; 64]);
                    assert_eq!(block.type_column_into(t, &mut into, &mut into_scores), n);
                    assert_eq!(&into[..n], &statuses[..]);
                    let bits = |x: &[f64]| x.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                    assert_eq!(bits(&into_scores[..n]), bits(&scores));
                    if t == block.type_count() {
                        assert!(statuses.iter().all(|&s| s == VerdictBlock::NO_VERDICT));
                        continue;
                    }
                    for r in 0..n {
                        let row = seen + r;
                        assert_eq!(statuses[r], block.status(t, r));
                        assert_eq!(statuses[r], all.status_column(t)[row]);
                        assert_eq!(scores[r].to_bits(), block.score(t, r).to_bits());
                        assert_eq!(scores[r].to_bits(), all.score_column(t)[row].to_bits());
                    }
                }
                let classes: Vec<u32> = block.classifications().collect();
                let sets: Vec<u64> = block.policy_keys().unwrap().collect();
                for r in 0..n {
                    let row = seen + r;
                    assert_eq!(classes[r], block.classification(r));
                    assert_eq!(classes[r], all.classification_column()[row]);
                    assert_eq!(sets[r], block.policy_key(r).unwrap());
                    let policies: Vec<u32> = block.policies(r).collect();
                    assert_eq!(policies, all.policies(row));
                    // One key, one list: its bits, from the lowest.
                    assert_eq!(keys.entry(sets[r]).or_insert(policies.clone()), &policies);
                    let bits = (0..64).filter(|i| sets[r] >> i & 1 == 1);
                    let from_key: Vec<u32> =
                        bits.map(|i| block.key_bit_policy(i).unwrap()).collect();
                    assert_eq!(from_key, policies);
                    let unknown: Vec<u32> = block.unknown_facts(r).collect();
                    assert_eq!(unknown, all.unknown_facts(row));
                    let provisional: Vec<u32> = block.provisional_policies(r).collect();
                    assert_eq!(provisional, all.provisional_policies(row));
                    assert_eq!(block.provisional(r), all.provisional_column()[row]);
                    if (block.open_rows() >> r) & 1 == 0 {
                        assert!(unknown.is_empty() && provisional.is_empty());
                        assert_eq!(block.provisional(r), VerdictBlock::NONE);
                    } else {
                        open += 1;
                    }
                    assert_eq!(block.problems(r), all.problems(row));
                    if !block.has_problems(r) {
                        // The verdict is the one-record evaluation's, as `meso batch` writes.
                        let mut facts = serde_json::Map::new();
                        for (name, cells) in &numbers {
                            if let Some(x) = cells[row] {
                                facts.insert(name.clone(), serde_json::json!(x));
                            }
                        }
                        for (name, cells) in &texts {
                            if let Some(x) = cells[row] {
                                facts.insert(name.clone(), serde_json::json!(x));
                            }
                        }
                        let facts = rules.facts_from_map("row", &facts).unwrap();
                        let want = rules.evaluate(&facts).verdict().code();
                        let code = usize::from(block.verdict(r));
                        assert_eq!(block.verdicts().nth(r), Some(block.verdict(r)));
                        assert_eq!(VerdictBlock::VERDICTS[code], want, "row {row}");
                        verdicts.insert(want);
                    }
                    if block.has_problems(r) {
                        assert_eq!(block.verdict(r), VerdictBlock::NO_VERDICT);
                        bad += 1;
                        assert!(!block.problems(r).is_empty());
                        assert_eq!(block.classification(r), VerdictBlock::NONE);
                        assert_eq!(block.status(0, r), VerdictBlock::NO_VERDICT);
                        assert!(block.score(0, r).is_nan());
                        assert_eq!(block.policy_key(r), Some(0));
                    }
                }
                // Past the block: nothing.
                assert_eq!(block.status(0, n), VerdictBlock::NO_VERDICT);
                assert_eq!(block.classification(n), VerdictBlock::NONE);
                assert_eq!(block.policies(n).count(), 0);
                assert!(block.problems(n).is_empty());
                seen += n;
            })
            .unwrap();
        assert_eq!(seen, rows);
        // The table had open rows, bad rows and more than one set of policies.
        assert!(
            open > 0 && bad > 0 && keys.len() > 1,
            "{open} {bad} {}",
            keys.len()
        );
        assert_eq!(all.problem_rows().len(), bad);
        // Firm, provisional and undetermined rows were all compared.
        assert!(verdicts.len() >= 3, "{verdicts:?}");
    }
}
