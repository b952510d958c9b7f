//! `meso lsp`: run the language server on stdin/stdout (the work is in `crate::lsp`).

use super::output::Output;
use super::Exit;

pub fn run(out: &Output) -> Exit {
    match crate::lsp::server::run_stdio() {
        Ok(()) => Exit::Ok,
        Err(e) => {
            out.note(&format!("error: language server: {e}"));
            Exit::Input
        }
    }
}
