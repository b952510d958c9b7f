//! The documentation runs: every `meso ...` command shown in docs/cli.md and the README is
//! run against the real binary, in a temporary folder holding a copy of the repository's
//! rules and examples (and the few data files the docs name), and must exit with the
//! documented status. And every `--help` example fits in 80 columns, one command per line.
//!
//! Which commands are taken, from fenced blocks whose language is empty, `console`, `sh`,
//! `shell` or `bash`:
//! - in `sh`/`shell`/`bash` blocks, lines that start with `meso`;
//! - elsewhere, lines that start with `$ ` and name `meso`;
//! - a line ending with `\` goes on on the next; a `# comment` after a command is dropped.
//!
//! The block's info string says more, after a comma: `ignore` (not meant to run: the
//! block is skipped), `status=N` (every command of the block exits with `N`; 0 otherwise),
//! as in ```` ```console,status=1 ````. Commands are run by `bash -o pipefail`, with the
//! binary first on the `PATH` and `HOME` in the temporary folder; one that needs a program
//! the machine lacks (`jq`, `man`) is skipped and said so.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

mod common;

use common::{root, temp_dir};

/// A command found in a markdown file.
#[derive(Debug)]
struct DocCommand {
    /// `docs/cli.md:254`
    place: String,
    /// The command line, continuations joined, comment dropped
    text: String,
    /// The exit status it must have
    status: i32,
    /// The index of its block in the file (each block runs in a fresh folder)
    block: usize,
    /// The output shown after it (`console` blocks): each line must appear in what it
    /// prints, `...` standing for anything
    expect: Vec<String>,
}

/// The text before a `#` that starts a comment (outside quotes, after a space).
fn strip_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == '#' && prev.is_whitespace() => return line[..i].trim_end(),
            None => {}
        }
        prev = c;
    }
    line.trim_end()
}

/// The documented commands of a markdown file.
fn doc_commands(file: &str) -> Vec<DocCommand> {
    let text = fs::read_to_string(root().join(file)).unwrap();
    let mut commands = Vec::new();
    let mut lines = text.lines().enumerate();
    let mut block = 0;
    while let Some((_, line)) = lines.next() {
        let Some(info) = line.trim_start().strip_prefix("```") else {
            continue;
        };
        block += 1;
        let mut attrs = info.split(',').map(str::trim);
        let lang = attrs.next().unwrap_or("");
        let attrs: Vec<&str> = attrs.collect();
        let shell = matches!(lang, "sh" | "shell" | "bash");
        let wanted = shell || matches!(lang, "" | "console");
        let ignore = attrs.contains(&"ignore");
        let status = attrs
            .iter()
            .find_map(|a| a.strip_prefix("status="))
            .map_or(0, |s| s.parse().unwrap());
        let mut pending: Option<(usize, String)> = None;
        for (n, line) in lines.by_ref() {
            if line.trim_start().starts_with("```") {
                break;
            }
            if !wanted || ignore {
                continue;
            }
            if !shell && pending.is_none() && !line.starts_with("$ ") {
                if let Some(last) = commands
                    .last_mut()
                    .filter(|c: &&mut DocCommand| c.block == block)
                {
                    last.expect.push(line.to_string());
                }
                continue;
            }
            let line = strip_comment(line);
            let (start, body) = match pending.take() {
                Some((start, mut so_far)) => {
                    so_far.push(' ');
                    so_far.push_str(line.trim());
                    (start, so_far)
                }
                None => {
                    let command = if shell {
                        line.starts_with("meso").then_some(line)
                    } else {
                        line.strip_prefix("$ ").filter(|c| c.contains("meso"))
                    };
                    match command {
                        Some(c) => (n + 1, c.trim().to_string()),
                        None => continue,
                    }
                }
            };
            match body.strip_suffix('\\') {
                Some(head) => pending = Some((start, head.trim_end().to_string())),
                None => commands.push(DocCommand {
                    place: format!("{file}:{start}"),
                    text: body,
                    status,
                    block,
                    expect: Vec::new(),
                }),
            }
        }
    }
    commands
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A folder laid out like the repository for the documented commands: its rules and
/// examples, the check case the README shows, and the data files the docs name
/// (`census.csv`, a Latin-1 `rais.csv` with `;`, decimal commas and its column map,
/// `rules-v1/`, `draft.meso`, `my-cluster.yaml`), with a `HOME` for completions and pages.
fn fixture() -> tempfile::TempDir {
    let dir = temp_dir();
    let d = dir.path();
    let repo = root();
    copy_dir(&repo.join("rules"), &d.join("rules"));
    copy_dir(&repo.join("rules"), &d.join("rules-v1"));
    copy_dir(&repo.join("examples"), &d.join("examples"));
    copy_dir(
        &repo.join("tests/cases/check/err"),
        &d.join("tests/cases/check/err"),
    );
    let census = fs::read_to_string(repo.join("tests/cases/batch/examples.csv")).unwrap();
    fs::write(d.join("census.csv"), &census).unwrap();
    // RAIS-like: Latin-1, `;`, decimal commas, a census header mapped to a fact.
    let mut reader = csv::Reader::from_reader(census.as_bytes());
    let mut out = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(|h| {
            if h == "firms" {
                "NUM_ESTAB".into()
            } else {
                h.into()
            }
        })
        .collect();
    out.write_record(&headers).unwrap();
    for row in reader.records() {
        let row = row.unwrap();
        let cells: Vec<String> = row.iter().map(common::with_decimal_comma).collect();
        out.write_record(&cells).unwrap();
    }
    let utf8 = String::from_utf8(out.into_inner().unwrap()).unwrap();
    let latin1: Vec<u8> = utf8.chars().map(|c| u8::try_from(c).unwrap()).collect();
    fs::write(d.join("rais.csv"), latin1).unwrap();
    fs::write(d.join("rais-map.toml"), "\"NUM_ESTAB\" = \"firms\"\n").unwrap();
    fs::copy(repo.join("rules/types.meso"), d.join("draft.meso")).unwrap();
    fs::copy(
        repo.join("examples/facts/leon.yaml"),
        d.join("my-cluster.yaml"),
    )
    .unwrap();
    for home_dir in [
        ".local/share/bash-completion/completions",
        ".zfunc",
        ".config/fish/completions",
        ".local/share/man/man1",
    ] {
        fs::create_dir_all(d.join("home").join(home_dir)).unwrap();
    }
    dir
}

/// The folder of the `meso` binary under test.
fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_meso"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// `text` without the `sha256:` hashes' digits (they change with every rule edit) and
/// with `…` written `...`.
fn normalise(text: &str) -> String {
    let text = text.replace('…', "...");
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("sha256:") {
        out.push_str(&rest[..at + 7]);
        rest = rest[at + 7..].trim_start_matches(|c: char| c.is_ascii_hexdigit());
    }
    out.push_str(rest);
    out
}

/// The documented output lines that do not appear in `printed` (a line appears when one
/// printed line holds its pieces between `...`, in order).
fn missing_lines(expect: &[String], printed: &str) -> Vec<String> {
    let printed: Vec<String> = printed.lines().map(normalise).collect();
    let mut missing = Vec::new();
    for line in expect {
        let line = normalise(line);
        let pieces: Vec<&str> = line
            .split("...")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        if pieces.is_empty() {
            continue;
        }
        let found = printed.iter().any(|p| {
            let mut from = 0;
            pieces.iter().all(|piece| match p[from..].find(piece) {
                Some(at) => {
                    from += at + piece.len();
                    true
                }
                None => false,
            })
        });
        if !found {
            missing.push(line.trim_end().to_string());
        }
    }
    missing
}

/// The programs a command line runs (the first word of each stage; quoted text left out).
fn programs(command: &str) -> Vec<String> {
    let mut unquoted = String::new();
    let mut quote: Option<char> = None;
    for c in command.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None => unquoted.push(c),
        }
    }
    unquoted
        .split(['|', ';'])
        .flat_map(|s| s.split("&&"))
        .filter_map(|stage| stage.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

fn have(program: &str, path: &str) -> bool {
    Command::new("bash")
        .args(["-c", &format!("command -v {program}")])
        .env("PATH", path)
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Run the documented commands of `file`, each block in a fresh fixture; the failures.
fn run_file(file: &str) -> Vec<String> {
    let commands = doc_commands(file);
    assert!(!commands.is_empty(), "no commands found in {file}");
    let path = format!(
        "{}:{}",
        bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut failures = Vec::new();
    let mut current: Option<(usize, tempfile::TempDir)> = None;
    for c in &commands {
        if let Some(missing) = programs(&c.text).into_iter().find(|p| !have(p, &path)) {
            eprintln!(
                "skipped {}: `{missing}` is not installed: {}",
                c.place, c.text
            );
            continue;
        }
        if current.as_ref().is_none_or(|(b, _)| *b != c.block) {
            current = Some((c.block, fixture()));
        }
        let Some((_, dir)) = &current else { continue };
        let o = Command::new("bash")
            .args(["-o", "pipefail", "-c", &c.text])
            .current_dir(dir.path())
            .env("PATH", &path)
            .env("HOME", dir.path().join("home"))
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let got = o.status.code().unwrap_or(-1);
        eprintln!("{} exit {got}: {}", c.place, c.text);
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        let missing = missing_lines(&c.expect, &printed);
        if !missing.is_empty() {
            failures.push(format!(
                "{}: `{}` does not print what the docs show:\n{}\n--- it printed:\n{}",
                c.place,
                c.text,
                missing.join("\n"),
                printed.lines().take(20).collect::<Vec<_>>().join("\n")
            ));
        }
        if got != c.status {
            let err = String::from_utf8_lossy(&o.stderr);
            let tail: Vec<&str> = err.lines().rev().take(12).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            failures.push(format!(
                "{}: `{}` exited {got}, the docs say {}\n{}",
                c.place,
                c.text,
                c.status,
                tail.join("\n")
            ));
        }
    }
    failures
}

#[test]
fn commands_are_found_as_documented() {
    let found = doc_commands("docs/cli.md");
    let texts: Vec<&str> = found.iter().map(|c| c.text.as_str()).collect();
    assert!(texts.contains(&"meso check rules/"), "{texts:#?}");
    // Continuation lines are joined, comments dropped.
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("meso batch rais.csv") && t.contains("--out")),
        "{texts:#?}"
    );
    assert!(texts.contains(&"meso fmt --check rules/ examples/rulesets/"));
    assert_eq!(strip_comment("meso x '# not' # yes"), "meso x '# not'");
}

#[test]
fn cli_md_commands_run_as_documented() {
    let failures = run_file("docs/cli.md");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn readme_commands_run_as_documented() {
    let failures = run_file("README.md");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The subcommands, as `meso help` lists them.
const SUBCOMMANDS: [&[&str]; 17] = [
    &[],
    &["check"],
    &["test"],
    &["eval"],
    &["batch"],
    &["diff"],
    &["explain"],
    &["verify"],
    &["what-if"],
    &["fmt"],
    &["rules", "export"],
    &["rules", "list"],
    &["schema"],
    &["init"],
    &["lsp"],
    &["completions"],
    &["man"],
];

/// In `--help` at 80 columns every example is one command on its own lines: each line of
/// an `Example(s):` section starts with `  meso` (or `  cat`), or goes on from a line
/// that ends with `\`, indented deeper; clap never had to wrap one.
#[test]
fn help_examples_fit_in_80_columns() {
    let mut problems = Vec::new();
    for cmd in SUBCOMMANDS {
        for flag in ["--help", "-h"] {
            let o = common::meso_command()
                .args(cmd)
                .arg(flag)
                .env("COLUMNS", "80")
                .output()
                .unwrap();
            assert_eq!(o.status.code(), Some(0), "{cmd:?} {flag}");
            let help = String::from_utf8_lossy(&o.stdout).into_owned();
            let mut in_examples = false;
            let mut continued = false;
            for line in help.lines() {
                if line.chars().count() > 80 {
                    problems.push(format!("{cmd:?} {flag}: over 80 columns: {line}"));
                }
                if line.starts_with("Example") {
                    in_examples = true;
                    continue;
                }
                if line.trim().is_empty() || !line.starts_with(' ') {
                    in_examples = false;
                    continue;
                }
                if !in_examples {
                    continue;
                }
                let starts = line.starts_with("  meso ") || line.starts_with("  cat ");
                let goes_on = continued && line.starts_with("      ");
                if !(starts || goes_on) {
                    problems.push(format!("{cmd:?} {flag}: a wrapped example: {line}"));
                }
                continued = line.ends_with('\\');
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every `--option` docs/cli.md names is an option of some command (as `--help` lists
/// them): a renamed or removed option cannot linger in the docs.
#[test]
fn options_named_in_cli_md_exist() {
    let mut help = String::new();
    for cmd in SUBCOMMANDS {
        let o = common::meso_command()
            .args(cmd)
            .arg("--help")
            .output()
            .unwrap();
        help.push_str(&String::from_utf8_lossy(&o.stdout));
    }
    let doc = fs::read_to_string(root().join("docs/cli.md")).unwrap();
    let mut missing = Vec::new();
    let mut rest = doc.as_str();
    while let Some(at) = rest.find("--") {
        let after = &rest[at + 2..];
        let len = after
            .find(|c: char| !(c.is_ascii_lowercase() || c == '-'))
            .unwrap_or(after.len());
        let name = after[..len].trim_end_matches('-');
        let starts_word = rest[..at]
            .chars()
            .last()
            .is_none_or(|c| !c.is_alphanumeric() && c != '-');
        if starts_word && name.len() > 1 && name.starts_with(|c: char| c.is_ascii_lowercase()) {
            let option = format!("--{name}");
            let found = help.match_indices(&option).any(|(i, _)| {
                !help[i + option.len()..].starts_with(|c: char| c.is_ascii_lowercase() || c == '-')
            });
            if !found && !missing.contains(&option) {
                missing.push(option);
            }
        }
        rest = &after[len..];
    }
    assert!(
        missing.is_empty(),
        "options in docs/cli.md that no command has: {missing:?}"
    );
}
