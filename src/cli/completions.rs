//! `meso completions SHELL` and `meso man`: shell completions and man pages generated from
//! the clap definition of the command line, so they never drift from `--help`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::output::Output;
use super::{Cli, Exit};

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write `meso.1` and one page per command (`meso-check.1`, ...) into this directory
    /// instead of printing the main page
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

pub fn completions(args: CompletionsArgs) -> Exit {
    let mut cmd = Cli::command();
    let mut stdout = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut cmd, "meso", &mut stdout);
    let _ = stdout.flush();
    Exit::Ok
}

pub fn man(out: &Output, args: ManArgs) -> Exit {
    let cmd = Cli::command();
    match args.out {
        None => {
            let mut page = Vec::new();
            if let Err(e) = clap_mangen::Man::new(cmd).render(&mut page) {
                out.note(&format!("error: cannot render the man page: {e}"));
                return Exit::Input;
            }
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(&page);
            let _ = stdout.flush();
            Exit::Ok
        }
        Some(dir) => match write_pages(&dir, cmd) {
            Ok(n) => {
                out.note(&format!("wrote {n} man pages to {}", dir.display()));
                Exit::Ok
            }
            Err(e) => {
                out.note(&format!(
                    "error: cannot write man pages to `{}`: {e}",
                    dir.display()
                ));
                Exit::Input
            }
        },
    }
}

/// Write the page of `meso` and of every command (`meso-check.1`, ...); returns how many.
fn write_pages(dir: &Path, cmd: clap::Command) -> std::io::Result<usize> {
    fs::create_dir_all(dir)?;
    clap_mangen::generate_to(cmd, dir)?;
    let pages = fs::read_dir(dir)?
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "1"))
        .count();
    Ok(pages)
}
