//! The reasons records were rejected, counted: the summary of a run with 80,000 rejects
//! says what they have in common, while the reject file still lists every one.
//!
//! Input: the reject rows of each slice, in input order. Output: one [`RejectReason`] per
//! (code, column), most frequent first.

use std::collections::HashMap;

use crate::dataset::record::RejectRow;

/// How many problems share a code and a column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RejectReason {
    /// The problem's code, e.g. `meso::facts::out_of_range`
    pub code: String,
    /// The column or key (empty when the problem is with the whole record)
    pub column: String,
    /// Problems with this code in this column (a record may have several problems)
    pub count: u64,
}

/// Counts problems by code and column while a run goes on.
#[derive(Debug, Default)]
pub(crate) struct ReasonCounts {
    counts: HashMap<(&'static str, String), u64>,
}

impl ReasonCounts {
    /// Count the problems of `rows`.
    pub fn add(&mut self, rows: &[RejectRow]) {
        for r in rows {
            let key = (r.problem.code, r.problem.column.clone());
            *self.counts.entry(key).or_insert(0) += 1;
        }
    }

    /// Every reason, most problems first; ties by code, then column (the same input gives
    /// the same order).
    pub fn sorted(self) -> Vec<RejectReason> {
        let mut reasons: Vec<RejectReason> = self
            .counts
            .into_iter()
            .map(|((code, column), count)| RejectReason {
                code: code.to_string(),
                column,
                count,
            })
            .collect();
        reasons.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.code.cmp(&b.code))
                .then_with(|| a.column.cmp(&b.column))
        });
        reasons
    }
}

/// The first `top` reasons as summary lines (`  79990  meso::facts::out_of_range in column
/// `share_micro``), then one line for the rest, if any.
pub fn summary_lines(reasons: &[RejectReason], top: usize) -> Vec<String> {
    let shown = reasons.get(..top.min(reasons.len())).unwrap_or(reasons);
    let width = shown
        .iter()
        .map(|r| r.count.to_string().len())
        .max()
        .unwrap_or(0);
    let mut lines: Vec<String> = shown
        .iter()
        .map(|r| {
            let place = if r.column.is_empty() {
                "(the whole record)".to_string()
            } else {
                format!("in column `{}`", r.column)
            };
            format!("  {:>width$}  {} {place}", r.count, r.code)
        })
        .collect();
    let rest = reasons.get(shown.len()..).unwrap_or(&[]);
    if !rest.is_empty() {
        let problems: u64 = rest.iter().map(|r| r.count).sum();
        lines.push(format!(
            "  and {} ({})",
            crate::render::count(rest.len(), "other reason", "other reasons"),
            crate::render::count(
                usize::try_from(problems).unwrap_or(usize::MAX),
                "problem",
                "problems"
            ),
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::dataset::Problem;

    fn row(line: u64, code: &'static str, column: &str) -> RejectRow {
        RejectRow {
            source: 0,
            line,
            id: format!("r{line}"),
            problem: Problem {
                column: column.into(),
                code,
                reason: String::new(),
            },
        }
    }

    #[test]
    fn reasons_are_counted_by_code_and_column_most_first() {
        let mut counts = ReasonCounts::default();
        let mut rows = Vec::new();
        for i in 0..5 {
            rows.push(row(i, "meso::facts::out_of_range", "share_micro"));
        }
        rows.push(row(9, "meso::facts::wrong_type", "firms"));
        rows.push(row(10, "meso::facts::out_of_range", "firms"));
        rows.push(row(11, "meso::batch::json", ""));
        counts.add(&rows);
        counts.add(&rows[..1]);
        let reasons = counts.sorted();
        let flat: Vec<(String, String, u64)> = reasons
            .iter()
            .map(|r| (r.code.clone(), r.column.clone(), r.count))
            .collect();
        assert_eq!(
            flat,
            [
                ("meso::facts::out_of_range".into(), "share_micro".into(), 6),
                ("meso::batch::json".into(), String::new(), 1),
                ("meso::facts::out_of_range".into(), "firms".into(), 1),
                ("meso::facts::wrong_type".into(), "firms".into(), 1),
            ]
        );
        assert_eq!(
            summary_lines(&reasons, 2),
            [
                "  6  meso::facts::out_of_range in column `share_micro`",
                "  1  meso::batch::json (the whole record)",
                "  and 2 other reasons (2 problems)",
            ]
        );
        assert_eq!(summary_lines(&reasons, 10).len(), 4);
        assert!(summary_lines(&[], 5).is_empty());
    }
}
