//! `meso check`: report every error and warning in a rule set.

use std::path::PathBuf;

use clap::Args;

use super::output::{count, rules_name, Output};
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
    let counts = [
        count(rules.files.len(), "file", "files"),
        count(p.facts.len(), "fact", "facts"),
        count(p.params.len(), "parameter", "parameters"),
        count(p.derived.len(), "derived value", "derived values"),
        count(p.types.len(), "type", "types"),
        count(p.policies.len(), "policy", "policies"),
        count(p.tests.len(), "test", "tests"),
    ];
    out.note(&format!(
        "{}: {}: {}",
        rules_name(&rules),
        counts.join(", "),
        match warnings {
            0 => "no problems found".to_string(),
            n => count(n, "warning", "warnings"),
        }
    ));
    if warnings > 0 && args.deny_warnings {
        Ok(Exit::Rules)
    } else {
        Ok(Exit::Ok)
    }
}
