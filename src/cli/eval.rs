//! `meso eval`: classify clusters from facts files and list the policies that apply.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::facts::FactsFormat;
use crate::render::{json, table, EvalReport};

use super::output::Output;
use super::{Exit, Ran, RulesArgs};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EvalFormat {
    /// Tables and lists for reading
    Table,
    /// Machine-readable JSON (one object per facts file; an array for several)
    Json,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Facts files (.json, .yaml, .yml, .toml), or `-` for standard input
    #[arg(value_name = "FACTS", required = true)]
    pub facts: Vec<PathBuf>,

    #[command(flatten)]
    pub rules: RulesArgs,

    #[command(flatten)]
    pub unknowns: super::UnknownsArgs,

    /// Output format
    #[arg(long, value_enum, default_value_t = EvalFormat::Table)]
    pub format: EvalFormat,

    /// Format of the facts when it cannot be told from the file name (needed for `-`)
    #[arg(long, value_name = "FORMAT")]
    pub facts_format: Option<FactsFormat>,

    /// Treat facts the rule set does not declare as warnings instead of errors
    #[arg(long)]
    pub allow_unknown_facts: bool,

    /// Print the trace of each facts file instead of the table (text; with `--format json`
    /// the JSON trace, an array for several files); see `meso explain`
    #[arg(long)]
    pub explain: bool,
}

pub fn run(out: &Output, args: EvalArgs) -> Ran {
    let rules = args.rules.load(out, false)?;
    let mut reports = Vec::with_capacity(args.facts.len());
    let mut traces = Vec::new();
    let mut exit = Exit::Ok;
    for path in &args.facts {
        // One bad file does not stop the others; the exit code reports it.
        let Ok(facts) = super::explain::load(
            out,
            &rules,
            path,
            args.facts_format,
            args.allow_unknown_facts,
        ) else {
            exit = Exit::Input;
            continue;
        };
        if args.explain {
            traces.push(super::explain::trace_for(&rules, path, &facts, &args));
            continue;
        }
        let mut outcome = rules.compiled.evaluate(&facts);
        if args.unknowns.strict_unknowns {
            outcome.drop_provisional();
        }
        let name = path.display().to_string();
        reports.push(EvalReport::new(&rules, &name, &facts, &outcome));
    }
    if !traces.is_empty() {
        super::explain::print_traces(&traces, args.format == EvalFormat::Json);
    }
    if !reports.is_empty() {
        let text = match args.format {
            EvalFormat::Table => table::render_reports(&reports),
            EvalFormat::Json => json::render_reports(&reports),
        };
        println!("{}", text.trim_end());
    }
    Ok(exit)
}
