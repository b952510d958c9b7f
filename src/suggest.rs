//! The one "did you mean" matcher, below every stage: the parser (keywords), the checker
//! (names, levels, functions, types, policies), the facts loader (keys and levels), batch
//! runs (headers, column maps, cluster types), the language server and the command line all
//! ask it, so the same typo gets the same suggestion everywhere.
//!
//! Input: a name that was not found and the names that exist, in their order of declaration.
//! Output: the closest existing name, if one is close enough to be a likely typo.
//!
//! A candidate is close when, compared without case, it starts with the same letter as the
//! name and either
//! - is at most [`max_edits`] edits away, counting an insertion, a deletion, a changed letter
//!   or two neighbouring letters swapped as one edit (Damerau-Levenshtein), or
//! - begins with the whole name, and the name is at least half of it (a name cut short).
//!
//! The fewest edits win; a tie goes to the candidate declared first. Typos rarely hit the
//! first letter, so requiring it keeps `global` from suggesting `local`; short words allow
//! one edit only, so a one- or two-letter word does not match every short keyword.

/// The closest of `candidates` to `name`, if one is close enough to be a likely typo.
pub fn closest<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let name = name.to_lowercase();
    let mut best: Option<(usize, &'c str)> = None;
    for candidate in candidates {
        let Some(edits) = distance_if_close(&name, &candidate.to_lowercase()) else {
            continue;
        };
        if best.is_none_or(|(fewest, _)| edits < fewest) {
            best = Some((edits, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// `did you mean `x`?` help text, if a candidate is close.
pub fn did_you_mean<'c>(
    name: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<String> {
    closest(name, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// The most edits allowed between two words, the longer of which has `longer` letters: one
/// for words of up to three letters, two beyond.
pub fn max_edits(longer: usize) -> usize {
    if longer <= 3 {
        1
    } else {
        2
    }
}

/// The edit distance between two lowercase words, if they are close (see the module docs).
fn distance_if_close(name: &str, candidate: &str) -> Option<usize> {
    let (Some(first), Some(candidate_first)) = (name.chars().next(), candidate.chars().next())
    else {
        return None;
    };
    if first != candidate_first {
        return None;
    }
    let edits = strsim::damerau_levenshtein(name, candidate);
    let (name_len, candidate_len) = (name.chars().count(), candidate.chars().count());
    let cut_short = candidate.starts_with(name) && name_len.saturating_mul(2) >= candidate_len;
    (edits <= max_edits(name_len.max(candidate_len)) || cut_short).then_some(edits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_typo_suggests_the_name() {
        assert_eq!(closest("medum", ["low", "medium", "high"]), Some("medium"));
        assert_eq!(closest("clustr", ["cluster"]), Some("cluster"));
        assert_eq!(closest("hgh", ["low", "medium", "high"]), Some("high"));
    }

    #[test]
    fn swapped_letters_count_as_one_edit() {
        assert_eq!(closest("frims", ["trust", "firms"]), Some("firms"));
        assert_eq!(closest("wehn", ["for", "when", "phase"]), Some("when"));
        assert_eq!(closest("hihg", ["low", "medium", "high"]), Some("high"));
    }

    #[test]
    fn case_is_ignored_and_the_declared_spelling_returned() {
        assert_eq!(closest("FIRMS", ["firms"]), Some("firms"));
        assert_eq!(closest("Share", ["share_large"]), None);
        assert_eq!(closest("Medum", ["low", "medium"]), Some("medium"));
    }

    #[test]
    fn two_edits_reach_a_short_function_name() {
        // `mean` for `min`: a snapshot of the checker expects it
        assert_eq!(
            closest("mean", ["min", "max", "abs", "count", "any", "all"]),
            Some("min")
        );
    }

    #[test]
    fn a_name_cut_short_suggests_the_whole_name() {
        assert_eq!(
            closest("mass_production", ["cluster", "mass_production_cluster"]),
            Some("mass_production_cluster")
        );
        assert_eq!(
            closest(
                "survival_min_share_micro",
                ["survival_min_share_micro_small"]
            ),
            Some("survival_min_share_micro_small")
        );
        assert_eq!(closest("re", ["recommended"]), None);
    }

    #[test]
    fn names_too_far_suggest_nothing() {
        // a different first letter: `global` is not a typo of `local`
        assert_eq!(
            closest("global", ["local", "domestic", "international"]),
            None
        );
        assert_eq!(
            closest("regional", ["local", "domestic", "international"]),
            None
        );
        assert_eq!(closest("low", ["local", "domestic", "international"]), None);
        assert_eq!(closest("firmz", ["trust", "main_market", "low"]), None);
        assert_eq!(closest("descripaare", ["description"]), None);
    }

    #[test]
    fn short_words_do_not_match_every_short_keyword() {
        assert_eq!(closest("f", ["for", "when"]), None);
        assert_eq!(closest("ow", ["one", "set"]), None);
        assert_eq!(closest("", ["a", "b"]), None);
    }

    #[test]
    fn ties_go_to_the_candidate_declared_first() {
        assert_eq!(closest("mean", ["max", "min"]), Some("max"));
        assert_eq!(
            closest("min_firm", ["max_firms", "min_firms"]),
            Some("min_firms")
        );
        assert_eq!(closest("tast", ["tost", "test"]), Some("tost"));
    }

    #[test]
    fn help_text_names_the_suggestion() {
        assert_eq!(
            did_you_mean("trsut", ["trust"]),
            Some("did you mean `trust`?".to_string())
        );
        assert_eq!(did_you_mean("zzz", ["trust"]), None);
    }
}
