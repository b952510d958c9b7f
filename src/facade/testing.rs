//! The facade's rule-file tests: run the `test` blocks of a loaded rule set, as `meso test`
//! does, and get each test's result as data.
//!
//! Input: a [`Rules`]. Output: one [`TestOutcome`] per test, in declaration order, with
//! the place of each failed expectation and the sentence `meso test` prints for it.

use serde::Serialize;

use crate::eval::testing;
use crate::facade::rules::Rules;

/// The result of one `test` block of a rule file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TestOutcome {
    /// The test's name
    pub name: String,
    /// `file:line:column` of the test's declaration
    pub location: String,
    /// Whether every expectation held
    pub passed: bool,
    /// The expectations that did not hold, in the order they are written
    pub failures: Vec<TestFailure>,
}

/// One expectation of a test that did not hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TestFailure {
    /// `file:line:column` of the `expect` line
    pub location: String,
    /// What was expected and what came out, as `meso test` prints it
    pub message: String,
}

impl Rules {
    /// Run the rule set's own tests (the `test` blocks of its files), as `meso test` does.
    ///
    /// ```
    /// let results = meso::Rules::embedded()?.run_tests();
    /// assert!(!results.is_empty());
    /// assert!(results.iter().all(|t| t.passed));
    /// # Ok::<(), meso::Error>(())
    /// ```
    pub fn run_tests(&self) -> Vec<TestOutcome> {
        let program = &self.rule_set().program;
        let report = testing::run_tests(program);
        // `run_tests` gives one result per test, in the order of `Program::tests`.
        program
            .tests
            .iter()
            .zip(&report.results)
            .map(|(test, result)| TestOutcome {
                name: test.name.clone(),
                location: program.sources.location(test.span),
                passed: result.passed,
                failures: result
                    .failures
                    .iter()
                    .map(|f| TestFailure {
                        location: test
                            .expects
                            .get(f.expect)
                            .map(|e| program.sources.location(e.span))
                            .unwrap_or_default(),
                        message: f.failed.to_string(),
                    })
                    .collect(),
            })
            .collect()
    }
}
