//! `meso check`: report every error and warning in a rule set.

use std::path::PathBuf;

use clap::Args;

use super::output::{count, rules_name, Output};
use super::{Exit, Ran, RulesArgs};
use crate::check::{CheckError, CheckKind};
use crate::render::diagnostics::ErrorFormat;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Rule set to check (same as `-r`)
    #[arg(value_name = "RULES")]
    pub path: Option<PathBuf>,

    #[command(flatten)]
    pub rules: RulesArgs,

    /// Exit with code 1 when there are warnings too
    #[arg(long)]
    pub deny_warnings: bool,

    /// Silence a warning code for this run (repeatable), e.g. `--allow overlapping_types`;
    /// in a rule file, `# meso: allow(code)` does it for one declaration or file
    #[arg(long = "allow", value_name = "CODE")]
    pub allow: Vec<String>,
}

/// The warning codes `--allow` takes, as written there (`overlapping_types`).
fn warning_codes() -> Vec<&'static str> {
    CheckKind::ALL
        .iter()
        .filter(|k| k.is_warning())
        .map(|k| short_code(k.code()))
        .collect()
}

/// `meso::check::overlapping_types` → `overlapping_types`.
fn short_code(code: &str) -> &str {
    code.rsplit("::").next().unwrap_or(code)
}

pub fn run(out: &Output, mut args: CheckArgs) -> Ran {
    if args.path.is_some() {
        args.rules.rules = args.path.take();
    }
    let known = warning_codes();
    let mut allowed = Vec::new();
    for code in &args.allow {
        let code = short_code(code.trim());
        if !known.contains(&code) {
            let help = crate::suggest::did_you_mean(code, known.iter().copied())
                .unwrap_or_else(|| format!("the warning codes are: {}", known.join(", ")));
            out.note(&format!(
                "error: `--allow {code}`: not a warning code ({help}); errors cannot be silenced"
            ));
            return Err(Exit::Input);
        }
        allowed.push(code);
    }
    let rules = args.rules.load(out, false)?;
    let p = &rules.program;
    let shown: Vec<_> = rules
        .warnings
        .iter()
        .filter(|w| !allowed.contains(&short_code(w.kind.code())))
        .collect();
    for w in &shown {
        out.diagnostic(*w);
    }
    let warnings = shown.len();
    let silenced = rules.warnings.len() - warnings;
    let counts = [
        count(rules.files.len(), "file", "files"),
        count(p.facts.len(), "fact", "facts"),
        count(p.params.len(), "parameter", "parameters"),
        count(p.derived.len(), "derived value", "derived values"),
        count(p.types.len(), "type", "types"),
        count(p.policies.len(), "policy", "policies"),
        count(p.tests.len(), "test", "tests"),
    ];
    out.note(&format!(
        "{}: {}: {}",
        rules_name(&rules),
        counts.join(", "),
        match warnings {
            0 => "no problems found".to_string(),
            n => format!("{} ({})", count(n, "warning", "warnings"), by_code(&shown)),
        }
    ));
    if silenced > 0 {
        out.note(&format!(
            "({} silenced with --allow)",
            count(silenced, "warning", "warnings")
        ));
    }
    if warnings > 3 && out.format == ErrorFormat::Human {
        out.note("note: `--error-format short` lists them one line each; `--allow CODE` silences a code for this run");
    }
    if warnings > 0 && args.deny_warnings {
        Ok(Exit::Rules)
    } else {
        Ok(Exit::Ok)
    }
}

/// `2 overlapping_types, 1 missing_cite`: the warnings counted by code, most frequent first
/// (then in the order first seen).
fn by_code(warnings: &[&CheckError]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for w in warnings {
        let code = short_code(w.kind.code());
        match counts.iter_mut().find(|(c, _)| *c == code) {
            Some((_, n)) => *n += 1,
            None => counts.push((code, 1)),
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    counts
        .iter()
        .map(|(c, n)| format!("{n} {c}"))
        .collect::<Vec<_>>()
        .join(", ")
}
