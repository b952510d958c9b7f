//! `meso verify TRACE.json [FACTS] [-r RULES]`: evaluate again and confirm that a stored
//! JSON trace is reproduced (same meaning: key order, whitespace and number forms do not
//! count); otherwise say what differs first. The facts file named in the trace is looked
//! for as given, then beside the trace.

use std::path::{Path, PathBuf};

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

    /// Facts file [default: the file named in the trace, as given, else relative to the
    /// trace's folder]
    #[arg(value_name = "FACTS")]
    pub facts: Option<PathBuf>,

    /// Facts file (the same as FACTS, as an option)
    #[arg(long = "facts", value_name = "PATH", conflicts_with = "facts")]
    pub facts_option: Option<PathBuf>,

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
    let facts_path = match args.facts.clone().or_else(|| args.facts_option.clone()) {
        Some(given) => given,
        None => match find_facts(&args.trace, &recorded.facts_file) {
            Some(found) => found,
            None => {
                out.note(&format!(
                    "error: the facts file named in `{trace}`, `{named}`, is not found as given nor beside the trace\n  help: pass it: `meso verify {trace} --facts PATH`",
                    trace = args.trace.display(),
                    named = recorded.facts_file,
                ));
                return Err(Exit::Input);
            }
        },
    };
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

/// The facts file a trace names: as given (relative to the current directory), else
/// relative to the trace's folder, else by its file name in the trace's folder. Standard
/// input (`-` or `<stdin>`) is never found.
fn find_facts(trace: &Path, named: &str) -> Option<PathBuf> {
    if named == "-" || named == "<stdin>" {
        return None;
    }
    let named = PathBuf::from(named);
    if named.is_file() {
        return Some(named);
    }
    let folder = trace.parent().unwrap_or_else(|| Path::new(""));
    let beside = folder.join(&named);
    if named.is_relative() && beside.is_file() {
        return Some(beside);
    }
    let by_name = folder.join(named.file_name()?);
    by_name.is_file().then_some(by_name)
}
