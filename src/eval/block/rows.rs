//! Evaluation, block layer, the results: the rows of a run of records laid out flat (types record
//! after record, classifications, applicable policies as sets of positions or lists,
//! unknown facts), read back as borrowed [`Row`]s.

use crate::eval::block::layout::BlockPlan;
use crate::eval::block::words::Words;
use crate::eval::summary::{Applicable, OutcomeSummary, Row, TypeSummary};
use crate::ir::{FactId, PolicyId, TypeId};

/// `start..` the end of `list`, as a pair of positions.
pub(super) fn span_from<T>(start: usize, list: &[T]) -> (u32, u32) {
    (start as u32, list.len() as u32)
}

/// The rows of the records last evaluated, laid out flat, record after record.
#[derive(Clone, Debug, Default)]
pub(super) struct Rows {
    pub(super) n_types: usize,
    /// `n_types` a record; when `in_words`, only the records with something undetermined
    /// have theirs (and `types` is empty when none has)
    pub(super) types: Vec<TypeSummary>,
    /// The types of the records with nothing undetermined are read from the words
    /// ([`Words::type_column`]), not kept here: a block read column by column only
    pub(super) in_words: bool,
    pub(super) classification: Vec<Option<TypeId>>,
    /// Applicable policies: per record a set of positions in the block plan's policy order
    /// (block evaluation), or, when `lists` is set, a span of `list`
    pub(super) applies: Vec<u64>,
    pub(super) lists: bool,
    pub(super) list: Vec<PolicyId>,
    pub(super) list_spans: Vec<(u32, u32)>,
    /// What only records with something undetermined have, one [`Open`] per record (one
    /// read per row): spans of `unknown_facts` and `provisional_list`; records past its
    /// end have nothing open
    pub(super) unknown_facts: Vec<FactId>,
    pub(super) provisional_list: Vec<PolicyId>,
    pub(super) open: Vec<Open>,
}

/// A record's missing facts, provisional lead and provisional policies (empty for a record
/// with everything decided).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Open {
    /// Span of `Rows::unknown_facts`
    pub(super) unknown: (u32, u32),
    /// Span of `Rows::provisional_list`
    pub(super) policies: (u32, u32),
    /// The provisional lead
    pub(super) lead: Option<TypeId>,
}

impl Rows {
    /// Start a run: rows of `n_types` types, applicable policies as sets of positions in
    /// the block plan's policy order or, with `lists`, as lists.
    pub(super) fn clear(&mut self, n_types: usize, lists: bool) {
        self.n_types = n_types;
        self.types.clear();
        self.in_words = false;
        self.classification.clear();
        self.applies.clear();
        self.lists = lists;
        self.list.clear();
        self.list_spans.clear();
        self.unknown_facts.clear();
        self.provisional_list.clear();
        self.open.clear();
    }

    /// Append a row evaluated on its own (a run of lists).
    pub(super) fn push(&mut self, summary: &OutcomeSummary) {
        self.types.extend_from_slice(&summary.types);
        self.classification.push(summary.classification);
        let start = self.list.len();
        self.list.extend_from_slice(&summary.applicable);
        self.list_spans.push(span_from(start, &self.list));
        let start = self.unknown_facts.len();
        self.unknown_facts.extend_from_slice(&summary.unknown_facts);
        let unknown = span_from(start, &self.unknown_facts);
        let start = self.provisional_list.len();
        self.provisional_list
            .extend_from_slice(&summary.provisional_policies);
        self.open.push(Open {
            unknown,
            policies: span_from(start, &self.provisional_list),
            lead: summary.provisional,
        });
    }

    pub(super) fn len(&self) -> usize {
        self.classification.len()
    }

    /// Row `i`; `order` is the block plan's policy order (unread for a run of lists).
    #[inline]
    pub(super) fn get<'a>(&'a self, i: usize, order: &'a [PolicyId]) -> Option<Row<'a>> {
        let span = |(start, end): (u32, u32)| start as usize..end as usize;
        let n = self.n_types;
        let applicable = if self.lists {
            Applicable::List(self.list.get(span(*self.list_spans.get(i)?))?)
        } else {
            Applicable::Set {
                order,
                set: *self.applies.get(i)?,
            }
        };
        // Past the end of `open`: nothing open (see `Words::rows`).
        let open = self.open.get(i).copied().unwrap_or_default();
        Some(Row {
            types: self.types.get(i * n..(i + 1) * n)?,
            classification: *self.classification.get(i)?,
            applicable,
            unknown_facts: self.unknown_facts.get(span(open.unknown))?,
            provisional: open.lead,
            provisional_policies: self.provisional_list.get(span(open.policies))?,
        })
    }
}

/// The rows of the records last evaluated, read column by column where they are kept
/// (what [`Rows`] holds, borrowed): no [`Row`] is made per record.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BlockRows<'a> {
    rows: &'a Rows,
    /// The block plan's policy order (unread for a run of lists)
    order: &'a [PolicyId],
    /// The records with something undetermined, when known from the words
    open: Option<u64>,
    /// Where the types of the records with nothing undetermined are read, when not in
    /// `rows` (see [`Rows::in_words`])
    words: Option<(&'a Words, &'a BlockPlan)>,
}

impl<'a> BlockRows<'a> {
    /// `words` and `bp`: the words the rows were read from and their plan (read when
    /// the rows have the types in words).
    pub(super) fn new(
        rows: &'a Rows,
        order: &'a [PolicyId],
        open: Option<u64>,
        words: Option<(&'a Words, &'a BlockPlan)>,
    ) -> Self {
        let words = words.filter(|_| rows.in_words && open.is_some());
        BlockRows {
            rows,
            order,
            open,
            words,
        }
    }

    /// Records.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.rows.classification.len()
    }

    /// Types per record.
    #[inline]
    pub(crate) fn n_types(&self) -> usize {
        self.rows.n_types
    }

    /// Record `r`'s type `t` (`None` past the run or past the types).
    #[inline]
    pub(crate) fn type_summary(&self, t: usize, r: usize) -> Option<TypeSummary> {
        let n = self.rows.n_types;
        if t >= n {
            return None;
        }
        if let (Some((words, bp)), Some(open)) = (self.words, self.open) {
            if r >= self.len() {
                return None;
            }
            if (open >> r) & 1 == 0 {
                return Some(words.type_record(bp, t, r));
            }
        }
        self.rows.types.get(r * n + t).copied()
    }

    /// Type `t` read column by column where the evaluator keeps it, when the rows have
    /// the types in words: the records it matched (bit r), and the scores of records
    /// `0..scores.len()` written into `scores`. Records with something undetermined are
    /// not answered so ([`BlockRows::open_records`]): read them with
    /// [`BlockRows::type_summary`]. `None` when the rows hold every type
    /// ([`BlockRows::types`]).
    #[inline]
    pub(crate) fn type_column(&self, t: usize, scores: &mut [f64]) -> Option<u64> {
        let (words, bp) = self.words?;
        Some(words.type_column(bp, t, scores))
    }

    /// The types of records `0..len`, record after record ([`BlockRows::n_types`] a
    /// record; fewer records when the run has fewer), when the rows hold every type (see
    /// [`BlockRows::type_column`]; empty otherwise).
    #[inline]
    pub(crate) fn types(&self, len: usize) -> &'a [TypeSummary] {
        if self.words.is_some() {
            return &[];
        }
        let types = &self.rows.types;
        types
            .get(..len * self.rows.n_types)
            .unwrap_or(types.as_slice())
    }

    /// The classifications of the records.
    #[inline]
    pub(crate) fn classifications(&self) -> &'a [Option<TypeId>] {
        &self.rows.classification
    }

    /// The block plan's policy order: the policy at each position of a set of
    /// [`BlockRows::policy_sets`].
    #[inline]
    pub(crate) fn policy_order(&self) -> &'a [PolicyId] {
        self.order
    }

    /// The records' applicable policies as sets of positions in the block plan's policy
    /// order (`None` for a run of lists).
    #[inline]
    pub(crate) fn policy_sets(&self) -> Option<&'a [u64]> {
        (!self.rows.lists).then_some(self.rows.applies.as_slice())
    }

    /// The records among `0..len` (at most 64) with missing facts, a provisional lead or
    /// provisional policies: bit r for record r.
    #[inline]
    pub(crate) fn open_records(&self, len: usize) -> u64 {
        if let Some(open) = self.open {
            // Only the records evaluated in full have an entry that is not empty.
            return open;
        }
        let open = self.rows.open.iter().take(len.min(64));
        open.enumerate().fold(0, |word, (r, o)| {
            let some = o.unknown.0 != o.unknown.1 || o.policies.0 != o.policies.1;
            word | (u64::from(some || o.lead.is_some()) << r)
        })
    }

    /// Record `r`'s classification.
    #[inline]
    pub(crate) fn classification(&self, r: usize) -> Option<TypeId> {
        self.rows.classification.get(r).copied().flatten()
    }

    /// Record `r`'s applicable policies as a set of positions in the block plan's policy
    /// order (`None` for a run of lists, or past the run).
    #[inline]
    pub(crate) fn policy_set(&self, r: usize) -> Option<u64> {
        if self.rows.lists {
            return None;
        }
        self.rows.applies.get(r).copied()
    }

    /// Record `r`'s applicable policies, in output order (empty past the run).
    #[inline]
    pub(crate) fn applicable(&self, r: usize) -> Applicable<'a> {
        let rows = self.rows;
        if rows.lists {
            let list = rows
                .list_spans
                .get(r)
                .and_then(|&(a, b)| rows.list.get(a as usize..b as usize));
            Applicable::List(list.unwrap_or_default())
        } else {
            Applicable::Set {
                order: self.order,
                set: rows.applies.get(r).copied().unwrap_or(0),
            }
        }
    }

    /// Record `r`'s missing facts, provisional lead and provisional policies (nothing for a
    /// record with everything decided, or past the run).
    #[inline]
    pub(crate) fn open(&self, r: usize) -> (&'a [FactId], Option<TypeId>, &'a [PolicyId]) {
        let rows = self.rows;
        let Some(open) = rows.open.get(r) else {
            return (&[], None, &[]);
        };
        let span = |(a, b): (u32, u32)| a as usize..b as usize;
        (
            rows.unknown_facts
                .get(span(open.unknown))
                .unwrap_or_default(),
            open.lead,
            rows.provisional_list
                .get(span(open.policies))
                .unwrap_or_default(),
        )
    }
}
