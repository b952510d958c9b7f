//! Robustness: rule sets mutated at random (characters and whole words) never panic the
//! parser or the checker, and every problem comes back as a diagnostic with a code.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use meso::render::diagnostics::{render, ErrorFormat};
use meso::ruleset::{self, RuleSources};
use proptest::prelude::*;

/// Words that turn a valid rule set into a semantically broken one.
const WORDS: &[&str] = &[
    "trust",
    "low",
    "high",
    "medium",
    "firms",
    "cluster",
    "survival_cluster",
    "and",
    "or",
    "not",
    "==",
    "<",
    ">=",
    "in",
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    "weight",
    "0",
    "-1",
    "1.5",
    "90%",
    "\"x\"",
    "after",
    "phase",
    "for",
    "extends",
    "required",
    "unknown",
    "is",
    "known",
    "between",
    "contains",
    "min(",
    "count(",
    "/",
    "*",
    "Sarchí",
    "\n",
];

fn shipped() -> RuleSources {
    ruleset::read_sources(std::path::Path::new("rules")).unwrap_or_else(|e| panic!("{e}"))
}

/// Replace, insert or delete a whole word at a word boundary.
fn mutate_words(text: &str, edits: &[(u8, usize, usize)]) -> String {
    let mut words: Vec<String> = text.split(' ').map(str::to_string).collect();
    for &(op, at, w) in edits {
        if words.is_empty() {
            break;
        }
        let i = at % words.len();
        let word = WORDS
            .get(w % WORDS.len())
            .copied()
            .unwrap_or("x")
            .to_string();
        match op % 3 {
            0 => {
                words.remove(i);
            }
            1 => words.insert(i, word),
            _ => {
                if let Some(slot) = words.get_mut(i) {
                    *slot = word;
                }
            }
        }
    }
    words.join(" ")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn mutated_shipped_rules_never_panic(
        file in any::<usize>(),
        edits in prop::collection::vec((0u8..3, any::<usize>(), any::<usize>()), 1..5),
    ) {
        let mut sources = shipped();
        let n = sources.files.len();
        if let Some(f) = sources.files.get_mut(file % n) {
            f.text = mutate_words(&f.text, &edits);
        }
        match ruleset::load(sources, &[]) {
            Ok(rules) => {
                for w in &rules.warnings {
                    prop_assert!(render(w, ErrorFormat::Human, false).contains("meso::check::"));
                }
                // A rule set that still checks must still evaluate without panicking.
                let facts = meso::facts::Facts::unknown(rules.program.facts.len());
                let _ = meso::eval::evaluate(&rules.program, &facts);
                let _ = meso::eval::testing::run_tests(&rules.program);
            }
            Err(failure) => {
                prop_assert!(!failure.errors.is_empty());
                for e in &failure.errors {
                    let rendered = render(e, ErrorFormat::Human, false);
                    prop_assert!(rendered.contains("meso::"), "no code in {}", rendered);
                }
            }
        }
    }
}
