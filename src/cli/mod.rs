//! Command-line interface (the `cli` feature): argument definitions, shared options, exit
//! codes, dispatch. `src/main.rs` only calls [`main`]; every command is a user of the
//! library like any embedder, in the same crate so that the stages stay crate-private.

// Doc comments here are clap's help text (`[default: <out>.rejects.csv]`), not rustdoc.
#![allow(rustdoc::invalid_html_tags)]

mod batch;
mod check;
mod completions;
mod diff;
mod eval;
mod explain;
mod fmt;
mod init;
mod lsp;
mod output;
mod rules;
mod schema;
mod test;
mod verify;
mod whatif;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::ir::ParamOverride;
use crate::render::diagnostics::ErrorFormat;
use crate::ruleset::{self, RuleSet};

use output::Output;

/// Documented exit codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Everything worked
    Ok = 0,
    /// The rule set has errors, or its tests fail
    Rules = 1,
    /// Bad facts, bad arguments, or a file that cannot be read or written
    Input = 2,
    /// `batch`/`diff` completed, but some records were rejected (see the reject file)
    Rejects = 3,
}

/// What a command gives back: `Ok` with the exit code of a run that went to its end, `Err`
/// with the code of one that stopped early after printing why, so that `?` stops a command.
pub type Ran = Result<Exit, Exit>;

const AFTER_HELP: &str = "\
Exit codes:
  0  success
  1  rule errors (`check` found errors, or `test` has failing tests)
  2  facts or usage errors (bad facts file, bad arguments, unreadable path)
  3  `batch`/`diff` completed with rejected records (listed in the reject file)

Rules: every command that reads rules takes `-r/--rules PATH` (a directory of `.meso` files
or one file). Without it meso finds the project's rules from the current folder up: a
`meso.toml` (written by `meso init`; `rules = \"...\"` names the rules), a `rules/` folder
with `.meso` files, or `.meso` files in the current folder; else it uses the rule set
shipped inside the binary (`meso rules export DIR` writes it out for editing). Every
output names the rule set it used.

Environment: NO_COLOR disables colour; output that is not a terminal has no colour.";

/// meso: classify industrial clusters and recommend policies, with explainable rules.
/// `meso --version`: the version and the commit it was built from.
const VERSION_LINE: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("MESO_COMMIT"),
    ")"
);

#[derive(Debug, Parser)]
#[command(name = "meso", version = VERSION_LINE, about, long_about = None, after_help = AFTER_HELP)]
pub struct Cli {
    /// How to print errors and warnings
    #[arg(long, value_enum, default_value_t = ErrorFormat::Human, global = true)]
    pub error_format: ErrorFormat,

    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by every command that reads a rule set.
#[derive(Debug, Args, Clone, Default)]
pub struct RulesArgs {
    /// Rule set: a directory of `.meso` files or one file [default: the project's, found from here up (meso.toml, rules/, .meso files here), else the shipped set]
    #[arg(short = 'r', long = "rules", value_name = "RULES")]
    pub rules: Option<PathBuf>,

    /// Override a parameter for this run, e.g. `--param survival_min_share_micro_small=0.85`
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<ParamOverride>,
}

/// `--strict-unknowns`, for the commands that evaluate.
#[derive(Clone, Copy, Debug, Default, Args)]
pub struct UnknownsArgs {
    /// Report only what the facts settle: no provisional classification (and no
    /// provisional policies) when missing facts leave the most specific types open
    #[arg(long)]
    pub strict_unknowns: bool,
}

impl RulesArgs {
    /// The rule set at `path`, without parameter overrides.
    pub fn at(path: &std::path::Path) -> Self {
        RulesArgs {
            rules: Some(path.to_path_buf()),
            params: Vec::new(),
        }
    }

    /// Load the rule set named by `-r` (or the default one): the one way every command gets
    /// its rules. Problems are printed; warnings too when `show_warnings` is set. A rule set
    /// that cannot be read stops the command with [`Exit::Input`], one with errors with
    /// [`Exit::Rules`].
    pub fn load(&self, out: &Output, show_warnings: bool) -> Result<RuleSet, Exit> {
        let sources = match &self.rules {
            Some(path) => ruleset::read_sources(path),
            None => ruleset::default_sources(),
        };
        let sources = sources.map_err(|e| {
            out.diagnostic(&e);
            Exit::Input
        })?;
        match ruleset::load(sources, &self.params) {
            Ok(rules) => {
                if show_warnings {
                    for w in &rules.warnings {
                        out.diagnostic(w);
                    }
                }
                Ok(rules)
            }
            Err(failure) => {
                out.rules_failure(&failure);
                Err(Exit::Rules)
            }
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a rule set and report every error and warning
    #[command(
        after_help = "Examples:\n  meso check\n  meso check rules/\n  meso check my-rules/ --deny-warnings --error-format json"
    )]
    Check(check::CheckArgs),
    /// Run the tests written in a rule set (`test \"...\" { ... }` blocks)
    #[command(
        after_help = "Examples:\n  meso test\n  meso test rules/ --filter Gamarra\n  meso test rules/ --coverage\n  meso test rules/ --coverage --format json"
    )]
    Test(test::TestArgs),
    /// Classify clusters from facts files and list the policies that apply, in order
    #[command(
        after_help = "Examples:\n  meso eval examples/facts/gamarra.yaml\n  meso eval examples/facts/*.yaml --format json\n  meso eval leon.yaml --param mass_min_share_large=0.02\n  cat cluster.json | meso eval - --facts-format json"
    )]
    Eval(eval::EvalArgs),
    /// Classify every record of a dataset (CSV, JSON lines, JSON, .xlsx, .ods) into one output file
    #[command(
        after_help = "Examples:\n  meso batch census.csv --out classified.csv\n  meso batch rais.csv --encoding latin1 --columns rais-map.toml --out out.csv\n  meso batch data.txt --delimiter '|' --decimal-comma --out out.csv\n  meso batch clusters.jsonl -r rules/ --out out.jsonl --threads 2\n  meso batch extract.xlsx --sheet data --out out.csv \\\n      --explain-dir why/ --where classification=survival_cluster\n\nThe CSV delimiter (`,` `;` tab `|`) and decimal commas are told from the first lines unless --delimiter is given.\n\nExit codes: 0 every record evaluated; 3 completed, but some records were rejected (see the reject file, default <out>.rejects.csv); 2 unreadable input or bad arguments (no output written); 1 rule errors."
    )]
    Batch(batch::BatchArgs),
    /// Evaluate a dataset under two versions of a rule set and report what changed, and why
    #[command(
        after_help = "Examples:\n  meso diff rules-v1/ rules/ census.csv\n  meso diff rules-v1/ rules/ census.csv --out changes.csv\n\nExit codes: 0 done; 3 done, but some records were rejected; 2 unreadable input or bad arguments; 1 rule errors."
    )]
    Diff(diff::DiffArgs),
    /// Explain every result for one facts file: a trace down to each fact read
    #[command(
        after_help = "Examples:\n  meso explain examples/facts/gamarra.yaml\n  meso explain gamarra.yaml --type survival_cluster\n  meso explain gamarra.yaml --format html --out gamarra.html\n  meso explain gamarra.yaml --format json --out gamarra.trace.json\n  meso verify gamarra.trace.json"
    )]
    Explain(explain::ExplainArgs),
    /// Evaluate again and confirm a JSON trace is reproduced exactly (exit 1 when not)
    #[command(
        after_help = "Examples:\n  meso verify gamarra.trace.json\n  meso verify gamarra.trace.json examples/facts/gamarra.yaml -r rules/"
    )]
    Verify(verify::VerifyArgs),
    /// Compare the results before and after changing some facts
    #[command(
        name = "what-if",
        after_help = "Examples:\n  meso what-if examples/facts/leon.yaml --set trust=medium\n  meso what-if gamarra.yaml --set export_share=0.6 \\\n      --set main_market=international"
    )]
    WhatIf(whatif::WhatIfArgs),
    /// Rewrite rule files in the canonical layout (`--check`: list the files that are not)
    #[command(
        after_help = "Examples:\n  meso fmt rules/\n  meso fmt --check rules/ examples/rulesets/\n  meso fmt - < draft.meso"
    )]
    Fmt(fmt::FmtArgs),
    /// Work with the rule set shipped inside the binary
    #[command(subcommand)]
    Rules(rules::RulesCommand),
    /// Print the JSON Schema of a facts file for a rule set, for editors to validate facts
    #[command(
        after_help = "Examples:\n  meso schema > facts.schema.json\n  meso schema -r my-rules/ --out my-rules/facts.schema.json"
    )]
    Schema(schema::SchemaArgs),
    /// Create a small rule set to start from in a new directory
    #[command(
        after_help = "Example:\n  meso init my-rules && meso check my-rules && meso test my-rules"
    )]
    Init(init::InitArgs),
    /// Run the language server (LSP over stdin/stdout) for editors
    #[command(
        after_help = "Editors start this themselves; see docs/editors.md for VS Code, Neovim and Helix."
    )]
    Lsp,
    /// Print shell completions for bash, zsh, fish, powershell or elvish
    #[command(
        after_help = "Examples:\n  meso completions bash > ~/.local/share/bash-completion/completions/meso\n  meso completions zsh > ~/.zfunc/_meso\n  meso completions fish > ~/.config/fish/completions/meso.fish"
    )]
    Completions(completions::CompletionsArgs),
    /// Print the man page (or write one page per command with --out)
    #[command(after_help = "Examples:\n  meso man | man -l -\n  meso man --out man/")]
    Man(completions::ManArgs),
}

/// Run a parsed command line; returns the exit code.
pub fn run(cli: Cli) -> Exit {
    let out = Output::new(cli.error_format);
    let ran = match cli.command {
        Command::Check(args) => check::run(&out, args),
        Command::Test(args) => test::run(&out, args),
        Command::Eval(args) => eval::run(&out, args),
        Command::Explain(args) => explain::run(&out, args),
        Command::Verify(args) => verify::run(&out, args),
        Command::WhatIf(args) => whatif::run(&out, args),
        Command::Rules(cmd) => Ok(rules::run(&out, cmd)),
        Command::Batch(args) => batch::run(&out, args),
        Command::Diff(args) => diff::run(&out, args),
        Command::Schema(args) => schema::run(&out, args),
        Command::Init(args) => Ok(init::run(&out, args)),
        Command::Lsp => Ok(lsp::run(&out)),
        Command::Completions(args) => Ok(completions::completions(args)),
        Command::Man(args) => Ok(completions::man(&out, args)),
        Command::Fmt(args) => Ok(fmt::run(&out, args)),
    };
    ran.unwrap_or_else(|stopped| stopped)
}

/// The `meso` program: parse the command line, run the command, return its exit code.
pub fn main() -> std::process::ExitCode {
    restore_default_sigpipe();
    let args = Cli::parse();
    std::process::ExitCode::from(run(args) as u8)
}

/// Let `meso eval ... | head` end quietly when the reader goes away, as Unix tools do,
/// instead of panicking on a broken pipe inside `println!`.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in `main`, before any other thread exists; SIG_DFL is a
    // valid disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
