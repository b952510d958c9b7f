//! `meso fmt`: rewrite rule files in the canonical layout, or (`--check`) list those that
//! are not.

use std::io::Read;
use std::path::{Path, PathBuf};

use clap::Args;

use crate::ruleset;
use crate::source::SourceFile;
use crate::syntax::fmt::format_source;

use super::output::{count, Output};
use super::Exit;

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Rule files or directories of `.meso` files; `-` formats standard input to standard
    /// output [default: ./rules]
    #[arg(value_name = "PATHS")]
    pub paths: Vec<PathBuf>,

    /// Write nothing; list the files that are not formatted and exit with 1 if there are any
    #[arg(long)]
    pub check: bool,
}

pub fn run(out: &Output, args: FmtArgs) -> Exit {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("rules")]
    } else {
        args.paths
    };
    let mut exit = Exit::Ok;
    let mut unformatted = 0usize;
    let mut changed = 0usize;
    let mut total = 0usize;
    for path in &paths {
        if path.as_os_str() == "-" {
            let code = stdin(out, args.check);
            if code != Exit::Ok {
                exit = worse(exit, code);
            }
            continue;
        }
        let sources = match ruleset::read_sources(path) {
            Ok(s) => s,
            Err(e) => {
                out.diagnostic(&e);
                exit = worse(exit, Exit::Input);
                continue;
            }
        };
        for file in sources.files {
            total += 1;
            let source = SourceFile {
                name: file.display.clone(),
                text: file.text.as_str().into(),
            };
            let formatted = match format_source(&source) {
                Ok(f) => f,
                Err(e) => {
                    out.diagnostic(&e);
                    exit = worse(exit, Exit::Rules);
                    continue;
                }
            };
            if formatted == file.text {
                continue;
            }
            if args.check {
                unformatted += 1;
                println!("{}", file.display);
                exit = worse(exit, Exit::Rules);
            } else if let Err(e) =
                crate::atomic::write_atomic(Path::new(&file.display), formatted.as_bytes())
            {
                out.note(&format!("error: cannot write `{}`: {e}", file.display));
                exit = worse(exit, Exit::Input);
            } else {
                changed += 1;
                out.note(&format!("formatted {}", file.display));
            }
        }
    }
    if args.check {
        if unformatted > 0 {
            // The fix names what was checked, so that it can be pasted as it is.
            let what: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            out.note(&format!(
                "{unformatted} of {} not formatted; run `meso fmt {}` to fix",
                count(total, "file is", "files are"),
                what.join(" ")
            ));
        }
    } else if total > 0 {
        out.note(&format!(
            "{changed} of {} reformatted",
            count(total, "file", "files")
        ));
    }
    exit
}

/// Format standard input to standard output (`--check`: only say whether it is formatted).
fn stdin(out: &Output, check: bool) -> Exit {
    let mut text = String::new();
    let cap = crate::limits::MAX_RULE_FILE_BYTES;
    if let Err(e) = std::io::stdin().take(cap + 1).read_to_string(&mut text) {
        out.note(&format!("error: cannot read standard input: {e}"));
        return Exit::Input;
    }
    if text.len() as u64 > cap {
        out.note(&format!(
            "error: standard input is larger than {} MiB, the limit for a rule file",
            cap / (1024 * 1024)
        ));
        return Exit::Input;
    }
    let source = SourceFile {
        name: "<stdin>".into(),
        text: text.as_str().into(),
    };
    match format_source(&source) {
        Ok(formatted) if check => {
            if formatted == text {
                Exit::Ok
            } else {
                println!("<stdin>");
                Exit::Rules
            }
        }
        Ok(formatted) => {
            print!("{formatted}");
            Exit::Ok
        }
        Err(e) => {
            out.diagnostic(&e);
            Exit::Rules
        }
    }
}

/// The more serious of two exit codes (usage/input problems over rule problems).
fn worse(a: Exit, b: Exit) -> Exit {
    if a as i32 >= b as i32 {
        a
    } else {
        b
    }
}
