//! `meso check`: report every error and warning in a rule set.

use std::path::PathBuf;

use clap::Args;

use super::output::{rules_name, Output};
use super::{Exit, Ran, RulesArgs};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Rule set to check (same as `-r`)
    #[arg(value_name = "RULES")]
    pub path: Option<PathBuf>,

    #[command(flatten)]
    pub rules: RulesArgs,

    /// Exit with code 1 when there are warnings too
    #[arg(long)]
    pub deny_warnings: bool,
}

pub fn run(out: &Output, mut args: CheckArgs) -> Ran {
    if args.path.is_some() {
        args.rules.rules = args.path.take();
    }
    let rules = args.rules.load(out, true)?;
    let p = &rules.program;
    let warnings = rules.warnings.len();
    out.note(&format!(
        "{}: {} files, {} facts, {} parameters, {} derived values, {} types, {} policies, {} tests: {}",
        rules_name(&rules),
        rules.files.len(),
        p.facts.len(),
        p.params.len(),
        p.derived.len(),
        p.types.len(),
        p.policies.len(),
        p.tests.len(),
        match warnings {
            0 => "no problems found".to_string(),
            1 => "1 warning".to_string(),
            n => format!("{n} warnings"),
        }
    ));
    if warnings > 0 && args.deny_warnings {
        Ok(Exit::Rules)
    } else {
        Ok(Exit::Ok)
    }
}
