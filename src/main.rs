//! The `meso` command line: clap parsing and dispatch; the work is in `cli/` and the library.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    restore_default_sigpipe();
    let args = cli::Cli::parse();
    ExitCode::from(cli::run(args) as u8)
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
