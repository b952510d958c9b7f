//! `meso diff`: what a rule-set change changes on a dataset.

use std::path::PathBuf;

use clap::Args;

use crate::batch::OutputFormat;
use crate::diff::{self, DiffFormat, DiffOptions};

use super::batch::DataArgs;
use super::output::{rules_name, Output};
use super::{Exit, Ran, RulesArgs};

fn parse_format(s: &str) -> Result<DiffFormat, String> {
    s.parse()
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The rule set before the change (directory of `.meso` files, or one file)
    #[arg(value_name = "OLD_RULES")]
    pub old: PathBuf,

    /// The rule set after the change
    #[arg(value_name = "NEW_RULES")]
    pub new: PathBuf,

    /// Data files, as for `meso batch`
    #[arg(value_name = "DATA", required = true)]
    pub data: Vec<PathBuf>,

    /// Write the report here (renamed into place when complete) instead of standard output
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Report format [default: from the extension of --out, else text]
    #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
    pub format: Option<DiffFormat>,

    /// Reject file (CSV) [default: <out>.rejects.csv with --out; else rejects are listed on stderr]
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,

    #[command(flatten)]
    pub data_args: DataArgs,
}

pub fn run(out: &Output, args: DiffArgs) -> Ran {
    let load = |path: &PathBuf| RulesArgs::at(path).load(out, false);
    let old = load(&args.old)?;
    let new = load(&args.new)?;
    let format = args.format.unwrap_or_else(|| {
        match args.out.as_deref().and_then(OutputFormat::from_path) {
            Some(OutputFormat::Csv) => DiffFormat::Csv,
            Some(OutputFormat::Json) => DiffFormat::Json,
            _ => DiffFormat::Text,
        }
    });
    let rejects = args.rejects.clone().or_else(|| {
        args.out
            .as_deref()
            .and_then(crate::batch::default_rejects_path)
    });
    let opts = DiffOptions {
        read: args.data_args.read_options(args.data.clone()),
        format,
        out: args.out.clone(),
        rejects: rejects.clone(),
        names: (rules_name(&old), rules_name(&new)),
    };
    match diff::run_diff(&old, &new, &opts) {
        Ok(summary) => {
            for r in &summary.rejects {
                let input = summary
                    .inputs
                    .get(r.source as usize)
                    .map_or("", String::as_str);
                out.note(&format!(
                    "rejected: {input}:{} (id `{}`) {}: {} [{}]",
                    r.line, r.id, r.problem.column, r.problem.reason, r.problem.code
                ));
            }
            let mut line = format!(
                "{} records read, {} compared, {} changed, {} rejected",
                summary.read, summary.compared, summary.changed, summary.rejected
            );
            if let (Some(path), true) = (&rejects, summary.rejected > 0) {
                line.push_str(&format!(" (see `{}`)", path.display()));
            }
            out.note(&line);
            if summary.rejected > 0 {
                Ok(Exit::Rejects)
            } else {
                Ok(Exit::Ok)
            }
        }
        Err(e) => {
            out.diagnostic(&e);
            Err(Exit::Input)
        }
    }
}
