//! `meso test`: run the `test` blocks of a rule set.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::eval::{coverage, testing};
use crate::render;

use super::output::Output;
use super::{Exit, Ran, RulesArgs};

/// Output format of the coverage report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum CoverageFormat {
    /// Summary line and, per file, what no test reaches
    #[default]
    Text,
    /// One JSON document (for CI)
    Json,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Rule set to test (same as `-r`)
    #[arg(value_name = "RULES")]
    pub path: Option<PathBuf>,

    #[command(flatten)]
    pub rules: RulesArgs,

    /// Run only tests whose name contains this text
    #[arg(long)]
    pub filter: Option<String>,

    /// Also report which criteria, policy conditions and policies the tests exercise, as
    /// true and as false, and list those no test reaches
    #[arg(long)]
    pub coverage: bool,

    /// Format of the coverage report (`json` prints only the report, for CI)
    #[arg(long, value_enum, default_value_t = CoverageFormat::Text, requires = "coverage")]
    pub format: CoverageFormat,
}

pub fn run(out: &Output, mut args: TestArgs) -> Ran {
    if args.path.is_some() {
        args.rules.rules = args.path.take();
    }
    // The checker's warnings are `meso check`'s to show in full; here they are counted.
    let rules = args.rules.load(out, false)?;
    if !rules.warnings.is_empty() {
        out.note(&format!(
            "{} in the rule set (run `meso check` to see them)",
            super::output::count(rules.warnings.len(), "warning", "warnings")
        ));
    }
    let report = testing::run_tests(&rules.program);
    let quiet = args.coverage && args.format == CoverageFormat::Json;
    let (mut passed, mut failed, mut filtered) = (0usize, 0usize, 0usize);
    // `run_tests` gives one result per test, in the order of `Program::tests`.
    for (test, result) in rules.program.tests.iter().zip(&report.results) {
        if let Some(f) = &args.filter {
            if !test.name.contains(f.as_str()) {
                filtered += 1;
                continue;
            }
        }
        let location = rules.program.sources.location(test.span);
        if result.passed {
            passed += 1;
            if !quiet {
                println!("test {} ... ok", test.name);
            }
        } else if quiet {
            failed += 1;
        } else {
            failed += 1;
            println!("test {} ... FAILED ({location})", test.name);
            for failure in &result.failures {
                let line = test
                    .expects
                    .get(failure.expect)
                    .map(|e| rules.program.sources.location(e.span))
                    .unwrap_or_default();
                println!("    {line}: {}", failure.failed);
            }
        }
    }
    if args.coverage {
        let filter = args.filter.clone().unwrap_or_default();
        let cov = coverage::measure(&rules.program, &|t| t.name.contains(filter.as_str()));
        if quiet {
            let doc = render::coverage::json(&rules.program, &cov, passed, failed);
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        } else {
            println!();
            print!("{}", render::coverage::text(&rules.program, &cov));
        }
    }
    if !quiet {
        println!();
        let mut summary = format!("{passed} passed, {failed} failed");
        if filtered > 0 {
            summary.push_str(&format!(", {filtered} filtered out"));
        }
        println!("{summary}");
    }
    if failed > 0 {
        Ok(Exit::Rules)
    } else {
        Ok(Exit::Ok)
    }
}
