//! Rule-file test failures in words: the sentences `meso test` prints for each kind of
//! failed expectation (classification tied, hybrid, more specific, undetermined; scores with
//! and without indicative weights; type statuses with inherited and unknown criteria). The
//! runner (`eval::testing`) decides what failed; the render stage words it.

#![allow(clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;

use meso::eval::testing::run_tests;
use meso::ruleset::{self, RuleOrigin, RuleSources, RuleText};

const RULES: &str = r#"fact a: boolean
fact b: boolean
fact c: boolean
type t1 {
  required { x: a }
  indicative { i: b weight 1 }
}
type t2 {
  required { y: a }
  indicative { j: b weight 1 }
}
type t3 {
  required { z: a }
  indicative { k: not b weight 1 }
}
type child extends t1 {
  required { w: c }
}
type plain {
  required { p: c }
}
test "tie" {
  given {
    a = true
    b = true
    c = false
  }
  expect classification is t2
  expect classification is t3
  expect classification is none
  expect plain score > 0.5
  expect t3 score == 0.5
  expect t1 is not matched
  expect plain is matched
}
test "specific" {
  given {
    a = true
    b = true
    c = true
  }
  expect classification is t1
  expect classification is t3
  expect child is undetermined
}
test "open" {
  given {
    b = true
  }
  expect classification is t1
  expect t1 is matched
  expect child is not undetermined
  expect t1 score >= 1
}
test "weights" {
  given {
    a = true
    c = true
  }
  expect plain score < 0.5
  expect plain score > 1.5
  expect t1 score >= 1
  expect t3 score >= 1
}
"#;

#[test]
fn each_failed_expectation_reads_as_one_sentence() {
    let sources = RuleSources {
        origin: RuleOrigin::Path(PathBuf::from("words")),
        files: vec![RuleText {
            relative: "words.meso".into(),
            display: "words.meso".into(),
            text: RULES.into(),
        }],
    };
    let rules = ruleset::load(sources, &[]).unwrap_or_else(|f| panic!("{:?}", f.errors));
    let report = run_tests(&rules.program);
    let got: Vec<(String, String)> = report
        .results
        .iter()
        .flat_map(|r| {
            let name = rules.program.tests[r.test].name.clone();
            r.failures
                .iter()
                .map(move |f| (name.clone(), f.failed.to_string()))
        })
        .collect();
    let want: Vec<(&str, &str)> = vec![
        ("tie", "expected classification `t2`, got `t1` (tied on score 1.0000; a tie goes to the type declared first)"),
        ("tie", "expected classification `t3`, got `t1` (`t3` is matched too, with the lower score 0.0000 against 1.0000)"),
        ("tie", "expected classification none, got `t1`"),
        ("tie", "expected `t3` score == 0.5, got 0.0000 (0 of 1 weight met)"),
        ("tie", "expected `t1` not to be matched, but it is"),
        ("tie", "expected `plain` to be matched, but it is not matched: required criterion `p` is false"),
        ("specific", "expected classification `t1`, got `t2` (`t1` is matched, but the more specific `child` is matched too)"),
        ("specific", "expected classification `t3`, got `t2` (`t3` is matched too, with the lower score 0.0000 against 1.0000)"),
        ("specific", "expected `child` to be undetermined, but it is matched"),
        ("open", "expected classification `t1`, got none (`t1` is undetermined)"),
        ("open", "expected `t1` to be matched, but it is undetermined: required criterion `x` is unknown; missing facts: `a`"),
        ("open", "expected `child` not to be undetermined, but it is: required criterion `w` is unknown, required criterion `x` (from `t1`) is unknown; missing facts: `a`, `c`"),
        ("weights", "expected `plain` score < 0.5, got 1.0000 (no indicative criteria)"),
        ("weights", "expected `plain` score > 1.5, got 1.0000 (no indicative criteria)"),
        ("weights", "expected `t1` score >= 1, got 0.0000 (0 of 1 weight met, 1 unknown)"),
        ("weights", "expected `t3` score >= 1, got 0.0000 (0 of 1 weight met, 1 unknown)"),
    ];
    let got: Vec<(&str, &str)> = got.iter().map(|(t, m)| (t.as_str(), m.as_str())).collect();
    assert_eq!(got, want);
}
