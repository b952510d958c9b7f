//! `meso verify TRACE.json [FACTS] [-r RULES]`: evaluate again and confirm that a stored
//! JSON trace is reproduced byte for byte; otherwise say what differs first.

use std::path::PathBuf;

use clap::Args;

use crate::render;
use crate::trace::{self, verify};

use super::explain::load;
use super::output::Output;
use super::{Exit, Ran, RulesArgs};

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A JSON trace written by `meso explain --format json`
    #[arg(value_name = "TRACE")]
    pub trace: PathBuf,

    /// Facts file [default: the file named in the trace, relative to the current directory]
    #[arg(value_name = "FACTS")]
    pub facts: Option<PathBuf>,

    /// Rule set: a directory of `.meso` files or one file [default: the project's, found from here up (meso.toml, rules/, .meso files here), else the shipped set]
    #[arg(short = 'r', long = "rules", value_name = "RULES")]
    pub rules: Option<PathBuf>,
}

pub fn run(out: &Output, args: VerifyArgs) -> Ran {
    let stored = match crate::facts::read_capped(&args.trace) {
        Ok(t) => t,
        Err(e) => {
            out.note(&format!(
                "error: cannot read `{}`: {e}",
                args.trace.display()
            ));
            return Err(Exit::Input);
        }
    };
    let recorded = match verify::read(&stored) {
        Ok(r) => r,
        Err(message) => {
            out.note(&format!("error: `{}`: {message}", args.trace.display()));
            return Err(Exit::Input);
        }
    };
    // The parameters the trace was made with are part of what is verified.
    let rules_args = RulesArgs {
        rules: args.rules.clone(),
        params: recorded.options.params.clone(),
    };
    let rules = rules_args.load(out, false)?;
    let facts_path = args
        .facts
        .clone()
        .unwrap_or_else(|| PathBuf::from(&recorded.facts_file));
    let facts = load(
        out,
        &rules,
        &facts_path,
        None,
        recorded.options.allow_unknown_facts,
    )?;
    let fresh = trace::explain(&rules, &facts, &recorded.options);
    let verdict = verify::verify(&stored, &recorded, &fresh);
    print!(
        "{}",
        render::verify::render(&verdict, &args.trace.display().to_string(), &fresh)
    );
    if verdict.reproduced {
        Ok(Exit::Ok)
    } else {
        Ok(Exit::Rules)
    }
}
