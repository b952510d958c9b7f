//! `meso what-if FACTS --set fact=value ...`: evaluate the facts as they are and with some
//! facts changed, and show both side by side with what flipped and why.

use std::path::PathBuf;

use clap::Args;

use crate::facts::{self, FactOrigin, FactsFormat};
use crate::render;
use crate::suggest::did_you_mean;
use crate::trace::{self, whatif, TraceOptions};

use super::explain::load;
use super::output::Output;
use super::{Exit, Ran, RulesArgs};

#[derive(Debug, Args)]
pub struct WhatIfArgs {
    /// Facts file (.json, .yaml, .yml, .toml)
    #[arg(value_name = "FACTS")]
    pub facts: PathBuf,

    #[command(flatten)]
    pub rules: RulesArgs,

    #[command(flatten)]
    pub unknowns: super::UnknownsArgs,

    /// Change a fact, e.g. `--set trust=medium`, `--set export_share=60%`,
    /// `--set main_market=international`, `--set informality=unknown`; a set fact takes its
    /// members with commas (`--set markets=local,domestic`) (repeatable)
    #[arg(long = "set", value_name = "FACT=VALUE", required = true)]
    pub set: Vec<String>,

    /// Format of the facts when it cannot be told from the file name
    #[arg(long, value_name = "FORMAT")]
    pub facts_format: Option<FactsFormat>,

    /// Treat facts the rule set does not declare as warnings instead of errors
    #[arg(long)]
    pub allow_unknown_facts: bool,
}

pub fn run(out: &Output, args: WhatIfArgs) -> Ran {
    let rules = args.rules.load(out, false)?;
    let before = load(
        out,
        &rules,
        &args.facts,
        args.facts_format,
        args.allow_unknown_facts,
    )?;
    let mut after = before.clone();
    let mut names = Vec::new();
    for item in &args.set {
        let Some((name, text)) = item.split_once('=') else {
            out.note(&format!("error: `--set {item}`: expected `fact=value`"));
            return Err(Exit::Input);
        };
        let name = name.trim();
        let Some(id) = rules.program.fact_id(name) else {
            let known = rules.program.facts.iter().map(|f| f.name.as_str());
            let best = did_you_mean(name, known).map_or(String::new(), |help| format!("; {help}"));
            out.note(&format!(
                "error: `--set {item}`: no fact named `{name}`{best}"
            ));
            return Err(Exit::Input);
        };
        let value = match facts::parse_fact_value(&rules.program, id, text) {
            Ok(v) => v,
            Err(message) => {
                out.note(&format!("error: `--set {item}`: {message}"));
                return Err(Exit::Input);
            }
        };
        if let Some(slot) = after.values.get_mut(id.index()) {
            *slot = value;
        }
        if let Some(slot) = after.origins.get_mut(id.index()) {
            *slot = Some(FactOrigin {
                source: "--set".into(),
                key: name.to_string(),
                line: None,
            });
        }
        names.push(name.to_string());
    }
    let opts = TraceOptions {
        facts_label: trace::facts_label(&args.facts),
        params: args.rules.params.clone(),
        allow_unknown_facts: args.allow_unknown_facts,
        strict_unknowns: args.unknowns.strict_unknowns,
        ..TraceOptions::default()
    };
    let t_before = trace::explain(&rules, &before, &opts);
    let t_after = trace::explain(&rules, &after, &opts);
    print!(
        "{}",
        render::whatif::render_text(&whatif::compare(&t_before, &t_after, &names))
    );
    Ok(Exit::Ok)
}
