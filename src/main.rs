//! The `meso` command line: clap parsing, miette hook, dispatch; no logic.

fn main() {}
