//! The `meso` command line; everything is in the library's `cli` module.

fn main() -> std::process::ExitCode {
    meso::cli::main()
}
