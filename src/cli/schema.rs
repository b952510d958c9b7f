//! `meso schema`: print (or write) the JSON Schema of a facts file for a rule set.

use std::path::PathBuf;

use clap::Args;

use super::output::{rules_name, Output};
use super::{Exit, Ran, RulesArgs};

#[derive(Debug, Args)]
pub struct SchemaArgs {
    #[command(flatten)]
    pub rules: RulesArgs,

    /// Write the schema to this file instead of stdout
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn run(out: &Output, args: SchemaArgs) -> Ran {
    let rules = args.rules.load(out, false)?;
    let schema = crate::schema::facts_schema(&rules.program, &rules_name(&rules));
    let mut text = match serde_json::to_string_pretty(&schema) {
        Ok(t) => t,
        Err(e) => {
            out.note(&format!("error: cannot write the schema: {e}"));
            return Err(Exit::Input);
        }
    };
    text.push('\n');
    match args.out {
        Some(path) => {
            if let Err(e) = crate::atomic::write_atomic(&path, text.as_bytes()) {
                out.note(&format!("error: cannot write `{}`: {e}", path.display()));
                return Err(Exit::Input);
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
    Ok(Exit::Ok)
}
