//! `meso init DIR`: create a small rule set to start from (one type, one policy, one avoid
//! item, tests and a facts example) that passes `meso check --deny-warnings` and `meso test`.

use std::fs;
use std::path::Path;
use std::path::PathBuf;

use clap::Args;

use super::output::Output;
use super::Exit;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Directory to create the rule set in (must be new or empty)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

/// The files of a new rule set: (path relative to DIR, contents).
const TEMPLATE: &[(&str, &str)] = &[
    ("README.md", include_str!("init_template/README.md")),
    ("meso.toml", include_str!("init_template/meso.toml")),
    (
        "vocabulary.meso",
        include_str!("init_template/vocabulary.meso"),
    ),
    (
        "parameters.meso",
        include_str!("init_template/parameters.meso"),
    ),
    ("types.meso", include_str!("init_template/types.meso")),
    ("policies.meso", include_str!("init_template/policies.meso")),
    ("tests.meso", include_str!("init_template/tests.meso")),
    (
        "examples/example.yaml",
        include_str!("init_template/examples/example.yaml"),
    ),
];

pub fn run(out: &Output, args: InitArgs) -> Exit {
    let dir = &args.dir;
    match fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                out.note(&format!(
                    "error: `{}` is not empty; `meso init` only writes into a new or empty directory",
                    dir.display()
                ));
                return Exit::Input;
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            out.note(&format!("error: cannot read `{}`: {e}", dir.display()));
            return Exit::Input;
        }
    }
    for (relative, text) in TEMPLATE {
        if let Err(e) = write(&dir.join(relative), text) {
            out.note(&format!(
                "error: cannot write `{}`: {e}",
                dir.join(relative).display()
            ));
            return Exit::Input;
        }
    }
    let d = dir.display();
    out.note(&format!(
        "created a meso project in {d} (its `meso.toml` makes commands run there use its rules); next: `cd {d}`, then `meso check`, `meso test`, `meso eval examples/example.yaml`"
    ));
    Exit::Ok
}

fn write(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    crate::atomic::write_atomic(path, text.as_bytes())
}
