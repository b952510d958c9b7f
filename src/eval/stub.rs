//! Temporary stand-in until the evaluator lands.
#![allow(missing_docs, clippy::all)]
use super::Outcome;
use crate::facts::Facts;
use crate::ir::Program;
pub fn evaluate(_: &Program, _: &Facts) -> Outcome {
    Outcome {
        derived: vec![],
        types: vec![],
        classification: None,
        tied: vec![],
        hybrids: vec![],
        policies: vec![],
        applicable: vec![],
    }
}
pub mod testing {
    pub struct TestReport {
        pub results: Vec<TestResult>,
    }
    pub struct TestResult {
        pub test: usize,
        pub passed: bool,
        pub failures: Vec<ExpectFailure>,
    }
    pub struct ExpectFailure {
        pub expect: usize,
        pub message: String,
    }
    pub fn run_tests(_: &crate::ir::Program) -> TestReport {
        TestReport { results: vec![] }
    }
}
