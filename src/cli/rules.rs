//! `meso rules export DIR`: write the shipped rule set out for editing.

use std::fs;
use std::path::{Path, PathBuf};

use clap::Subcommand;

use crate::ruleset;

use super::output::Output;
use super::Exit;

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Write the shipped rule set to DIR (which must be empty or new) for editing
    #[command(after_help = "Example:\n  meso rules export my-rules && meso check my-rules")]
    Export {
        /// Target directory
        dir: PathBuf,
        /// Overwrite files that already exist
        #[arg(long)]
        force: bool,
    },
    /// List the files of the shipped rule set with their hashes
    List,
}

pub fn run(out: &Output, cmd: RulesCommand) -> Exit {
    match cmd {
        RulesCommand::Export { dir, force } => export(out, &dir, force),
        RulesCommand::List => {
            let sources = ruleset::embedded_sources();
            for f in &sources.files {
                println!("{}  {}", ruleset::sha256_hex(f.text.as_bytes()), f.relative);
            }
            println!(
                "rule set fingerprint: {}",
                ruleset::fingerprint(&sources.files)
            );
            Exit::Ok
        }
    }
}

fn export(out: &Output, dir: &Path, force: bool) -> Exit {
    let sources = ruleset::embedded_sources();
    if dir.exists() && !dir.is_dir() {
        out.note(&format!(
            "error: `{}` is a file, not a directory; export to a new directory",
            dir.display()
        ));
        return Exit::Input;
    }
    for f in &sources.files {
        let target = dir.join(&f.relative);
        if target.exists() && !force {
            out.note(&format!(
                "error: `{}` already exists; pass --force to overwrite, or export to a new directory",
                target.display()
            ));
            return Exit::Input;
        }
    }
    for f in &sources.files {
        let target = dir.join(&f.relative);
        let written = target
            .parent()
            .map_or(Ok(()), fs::create_dir_all)
            .and_then(|()| crate::atomic::write_atomic(&target, f.text.as_bytes()));
        if let Err(e) = written {
            out.note(&format!("error: cannot write `{}`: {e}", target.display()));
            return Exit::Input;
        }
    }
    out.note(&format!(
        "wrote {} rule files to {}; check them with `meso check {}`",
        sources.files.len(),
        dir.display(),
        dir.display()
    ));
    Exit::Ok
}
