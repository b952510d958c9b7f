//! `meso test`: run the `test` blocks of a rule set.

use std::path::PathBuf;

use clap::Args;

use meso::eval::testing;

use super::output::{load_rules, Output};
use super::{Exit, RulesArgs};

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
}

pub fn run(out: &Output, mut args: TestArgs) -> Exit {
    if args.path.is_some() {
        args.rules.rules = args.path.take();
    }
    let rules = match load_rules(out, &args.rules, true) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let report = testing::run_tests(&rules.program);
    let (mut passed, mut failed, mut filtered) = (0usize, 0usize, 0usize);
    for result in &report.results {
        let Some(test) = rules.program.tests.get(result.test) else {
            continue;
        };
        if let Some(f) = &args.filter {
            if !test.name.contains(f.as_str()) {
                filtered += 1;
                continue;
            }
        }
        let location = rules.program.sources.location(test.span);
        if result.passed {
            passed += 1;
            println!("test {} ... ok", test.name);
        } else {
            failed += 1;
            println!("test {} ... FAILED ({location})", test.name);
            for failure in &result.failures {
                let line = test
                    .expects
                    .get(failure.expect)
                    .map(|e| rules.program.sources.location(e.span))
                    .unwrap_or_default();
                println!("    {line}: {}", failure.message);
            }
        }
    }
    println!();
    let mut summary = format!("{passed} passed, {failed} failed");
    if filtered > 0 {
        summary.push_str(&format!(", {filtered} filtered out"));
    }
    println!("{summary}");
    if failed > 0 {
        Exit::Rules
    } else {
        Exit::Ok
    }
}
