//! `meso explain`: evaluate one facts file and write the trace that explains every result
//! (text, JSON, Markdown or a self-contained HTML report). Also the helpers `verify`,
//! `what-if` and `eval --explain` share: loading facts, naming them, writing output.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use crate::facts::{self, Facts, FactsFormat, LoadOptions};
use crate::render;
use crate::ruleset::{RuleOrigin, RuleSet};
use crate::suggest::did_you_mean;
use crate::trace::{self, model::Stamp, Trace, TraceOptions};

use super::output::Output;
use super::{Exit, Ran, RulesArgs};

/// Output formats of a trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TraceFormat {
    /// An indented tree with ✓ ✗ ? marks (colour on a terminal unless NO_COLOR)
    Text,
    /// Versioned JSON (docs/trace.schema.json); what `meso verify` reads
    Json,
    /// Markdown, for reports and pull requests
    Markdown,
    /// One self-contained HTML file for auditors (no network, no external files)
    Html,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Facts file (.json, .yaml, .yml, .toml)
    #[arg(value_name = "FACTS")]
    pub facts: PathBuf,

    #[command(flatten)]
    pub rules: RulesArgs,

    #[command(flatten)]
    pub unknowns: super::UnknownsArgs,

    /// Explain only this cluster type (and the types it extends)
    #[arg(long = "type", value_name = "TYPE", conflicts_with = "policy")]
    pub only_type: Option<String>,

    /// Explain only this policy or avoid item
    #[arg(long, value_name = "POLICY")]
    pub policy: Option<String>,

    /// Output format
    #[arg(long, value_enum, default_value_t = TraceFormat::Text)]
    pub format: TraceFormat,

    /// Write to this file instead of standard output
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Record the time and absolute paths (the trace is then no longer byte-identical across runs)
    #[arg(long)]
    pub stamp: bool,

    /// Format of the facts when it cannot be told from the file name
    #[arg(long, value_name = "FORMAT")]
    pub facts_format: Option<FactsFormat>,

    /// Treat facts the rule set does not declare as warnings instead of errors
    #[arg(long)]
    pub allow_unknown_facts: bool,
}

pub fn run(out: &Output, args: ExplainArgs) -> Ran {
    let rules = args.rules.load(out, false)?;
    check_selection(out, &rules, &args)?;
    let facts = load(
        out,
        &rules,
        &args.facts,
        args.facts_format,
        args.allow_unknown_facts,
    )?;
    let opts = TraceOptions {
        facts_label: trace::facts_label(&args.facts),
        params: args.rules.params.clone(),
        allow_unknown_facts: args.allow_unknown_facts,
        only_type: args.only_type.clone(),
        only_policy: args.policy.clone(),
        stamp: args.stamp.then(|| stamp(&rules, &args.facts)),
        strict_unknowns: args.unknowns.strict_unknowns,
    };
    let trace = trace::explain(&rules, &facts, &opts);
    let color = args.out.is_none() && stdout_color();
    Ok(write(
        out,
        &render(&trace, args.format, color),
        args.out.as_deref(),
    ))
}

/// The trace of one facts file for `meso eval --explain`.
pub fn trace_for(
    rules: &RuleSet,
    path: &Path,
    facts: &Facts,
    args: &super::eval::EvalArgs,
) -> Trace {
    let opts = TraceOptions {
        facts_label: trace::facts_label(path),
        params: args.rules.params.clone(),
        allow_unknown_facts: args.allow_unknown_facts,
        strict_unknowns: args.unknowns.strict_unknowns,
        ..TraceOptions::default()
    };
    trace::explain(rules, facts, &opts)
}

/// Print traces for `meso eval --explain`: text separated by blank lines, or JSON (one
/// object for one file, an array for several).
pub fn print_traces(traces: &[Trace], json: bool) {
    if !json {
        let color = stdout_color();
        let texts: Vec<String> = traces
            .iter()
            .map(|t| render::trace::text::render(t, color))
            .collect();
        print!("{}", texts.join("\n"));
        return;
    }
    match traces {
        [one] => print!("{}", render::trace::json::render(one)),
        many => {
            let list = serde_json::to_string_pretty(many).unwrap_or_default();
            println!("{list}");
        }
    }
}

/// Render a trace in a format.
pub fn render(trace: &Trace, format: TraceFormat, color: bool) -> String {
    match format {
        TraceFormat::Text => render::trace::text::render(trace, color),
        TraceFormat::Json => render::trace::json::render(trace),
        TraceFormat::Markdown => render::trace::markdown::render(trace),
        TraceFormat::Html => render::trace::html::render(trace),
    }
}

/// Whether to colour standard output: a terminal, and NO_COLOR unset.
pub fn stdout_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

fn check_selection(out: &Output, rules: &RuleSet, args: &ExplainArgs) -> Result<(), Exit> {
    let p = &rules.program;
    let unknown = |what: &str, name: &str, known: Vec<&str>| {
        let best = did_you_mean(name, known).map_or(String::new(), |help| format!("; {help}"));
        out.note(&format!(
            "error: no {what} named `{name}` in the rule set{best}"
        ));
        Exit::Input
    };
    if let Some(t) = &args.only_type {
        if p.type_id(t).is_none() {
            return Err(unknown(
                "cluster type",
                t,
                p.types.iter().map(|t| t.name.as_str()).collect(),
            ));
        }
    }
    if let Some(pol) = &args.policy {
        if p.policy_id(pol).is_none() {
            return Err(unknown(
                "policy",
                pol,
                p.policies.iter().map(|p| p.name.as_str()).collect(),
            ));
        }
    }
    Ok(())
}

/// The facts of one cluster from a file, or from standard input when the path is `-`
/// (which needs `--facts-format`); warnings and errors are printed. Every command that reads
/// one cluster's facts (`eval`, `explain`, `what-if`, `verify`) reads them here.
pub fn load(
    out: &Output,
    rules: &RuleSet,
    path: &Path,
    format: Option<FactsFormat>,
    allow_unknown_facts: bool,
) -> Result<Facts, Exit> {
    let opts = LoadOptions {
        allow_unknown_facts,
    };
    let loaded = if path.as_os_str() == "-" {
        let Some(format) = format else {
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
        facts::load_facts_file(&rules.program, path, format, &opts)
    };
    match loaded {
        Ok(loaded) => {
            for w in &loaded.warnings {
                out.diagnostic(w);
            }
            Ok(loaded.facts)
        }
        Err(errors) => {
            out.diagnostic(&errors);
            Err(Exit::Input)
        }
    }
}

/// Time and absolute paths for `--stamp`.
pub fn stamp(rules: &RuleSet, facts: &Path) -> Stamp {
    let absolute = |p: &Path| {
        std::path::absolute(p).map_or_else(|_| p.display().to_string(), |a| a.display().to_string())
    };
    Stamp {
        created: trace::utc_now(),
        facts_path: absolute(facts),
        rules_path: match &rules.origin {
            RuleOrigin::Path(p) => absolute(p),
            RuleOrigin::Embedded => "embedded".into(),
            RuleOrigin::Memory => "memory".into(),
        },
    }
}

/// Write to a file, or print to standard output.
pub fn write(out: &Output, text: &str, path: Option<&Path>) -> Exit {
    match path {
        Some(path) => match crate::atomic::write_atomic(path, text.as_bytes()) {
            Ok(()) => Exit::Ok,
            Err(e) => {
                out.note(&format!("error: cannot write `{}`: {e}", path.display()));
                Exit::Input
            }
        },
        None => {
            print!("{text}");
            Exit::Ok
        }
    }
}
