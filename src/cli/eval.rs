//! `meso eval`: classify clusters from facts files and list the policies that apply.

use std::io::Read;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::facts::{self, FactsFormat, LoadOptions};
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
    let opts = LoadOptions {
        allow_unknown_facts: args.allow_unknown_facts,
    };
    let mut reports = Vec::with_capacity(args.facts.len());
    let mut traces = Vec::new();
    let mut exit = Exit::Ok;
    for path in &args.facts {
        let loaded = if path.as_os_str() == "-" {
            let Some(format) = args.facts_format else {
                out.note("error: reading facts from `-` (standard input) needs `--facts-format json|yaml|toml`");
                return Err(Exit::Input);
            };
            let mut text = String::new();
            // One byte past the limit is enough for `load_facts` to refuse it as too large.
            let cap = crate::limits::MAX_FACTS_FILE_BYTES + 1;
            if let Err(e) = std::io::stdin().take(cap).read_to_string(&mut text) {
                out.note(&format!("error: cannot read standard input: {e}"));
                return Err(Exit::Input);
            }
            facts::load_facts(&rules.program, "<stdin>", &text, format, &opts)
        } else {
            facts::load_facts_file(&rules.program, path, args.facts_format, &opts)
        };
        let loaded = match loaded {
            Ok(l) => l,
            Err(errors) => {
                // One bad file does not stop the others; the exit code reports it.
                out.diagnostic(&errors);
                exit = Exit::Input;
                continue;
            }
        };
        for w in &loaded.warnings {
            out.diagnostic(w);
        }
        if args.explain {
            traces.push(super::explain::trace_for(
                &rules,
                path,
                &loaded.facts,
                &args,
            ));
            continue;
        }
        let outcome = rules.compiled.evaluate(&loaded.facts);
        let name = path.display().to_string();
        reports.push(EvalReport::new(&rules, &name, &loaded.facts, &outcome));
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
