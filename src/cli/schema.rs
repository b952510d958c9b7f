//! `meso schema`: print (or write) the JSON Schema of a facts file for a rule set.

use std::path::PathBuf;

use clap::Args;

use super::output::{load_rules, rules_name, Output};
use super::{Exit, RulesArgs};

#[derive(Debug, Args)]
pub struct SchemaArgs {
    #[command(flatten)]
    pub rules: RulesArgs,

    /// Write the schema to this file instead of stdout
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn run(out: &Output, args: SchemaArgs) -> Exit {
    let rules = match load_rules(out, &args.rules, false) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let schema = meso::schema::facts_schema(&rules.program, &rules_name(&rules));
    let mut text = match serde_json::to_string_pretty(&schema) {
        Ok(t) => t,
        Err(e) => {
            out.note(&format!("error: cannot write the schema: {e}"));
            return Exit::Input;
        }
    };
    text.push('\n');
    match args.out {
        Some(path) => {
            if let Err(e) = meso::atomic::write_atomic(&path, text.as_bytes()) {
                out.note(&format!("error: cannot write `{}`: {e}", path.display()));
                return Exit::Input;
            }
            out.note(&format!(
                "wrote the facts schema of {} ({} facts) to {}",
                rules_name(&rules),
                rules.program.facts.len(),
                path.display()
            ));
        }
        None => print!("{text}"),
    }
    Exit::Ok
}
