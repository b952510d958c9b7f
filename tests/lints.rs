//! Warnings silenced in the rule file: each file in tests/cases/check/silenced/ checks with
//! no warnings, and without its `# meso: allow(...)` comments reports the warning it is
//! named after.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use meso::ruleset::{self, RuleOrigin, RuleSources, RuleText};

fn warning_codes(text: &str) -> Vec<String> {
    let sources = RuleSources {
        origin: RuleOrigin::Embedded,
        files: vec![RuleText {
            relative: "case.meso".into(),
            display: "case.meso".into(),
            text: text.to_string(),
        }],
    };
    match ruleset::load(sources, &[]) {
        Ok(rules) => rules
            .warnings
            .iter()
            .map(|w| w.kind.code().to_string())
            .collect(),
        Err(failure) => panic!("{} errors", failure.errors.len()),
    }
}

/// The text with every `# meso: allow(...)` comment removed.
fn without_allow_comments(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("# meso: allow(") {
            Some(i) => line.get(..i).unwrap_or(""),
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn allow_comments_silence_the_warning_they_name() {
    let mut seen = 0;
    for entry in std::fs::read_dir("tests/cases/check/silenced").unwrap() {
        let path = entry.unwrap().path();
        let code = format!(
            "meso::check::{}",
            path.file_stem().unwrap().to_str().unwrap()
        );
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            warning_codes(&text),
            Vec::<String>::new(),
            "{} should check cleanly",
            path.display()
        );
        let loud = warning_codes(&without_allow_comments(&text));
        assert!(loud.contains(&code), "{}: {loud:?}", path.display());
        seen += 1;
    }
    assert!(seen >= 4);
}

#[test]
fn an_allow_comment_for_another_code_does_not_silence() {
    let text = "fact firms: count\nparam min_firms = 50 { cite \"§2\" }\n# meso: allow(unused_fact)\ntype a { required { x: firms >= min_firms } }\n";
    assert_eq!(warning_codes(text), vec!["meso::check::missing_cite"]);
}
