//! The `meso` binary on the file system: missing paths, directories where files are
//! expected, unreadable files, outputs that cannot be written. Each is a clear message and
//! the documented exit code (docs/cli.md): 1 for rule errors, 2 for facts, paths and usage.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::fs;

mod common;

use common::{code, meso, meso_in, stderr, temp_dir};

const GAMARRA: &str = "examples/facts/gamarra.yaml";

#[test]
fn missing_rule_path_is_exit_2() {
    let o = meso(&["check", "does-not-exist"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("meso::rules::io"), "{}", stderr(&o));
    assert!(stderr(&o).contains("`does-not-exist`"), "{}", stderr(&o));
}

#[test]
fn rule_directory_without_rule_files_is_exit_2() {
    let dir = temp_dir();
    let o = meso(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("meso::rules::empty"), "{}", stderr(&o));
}

#[test]
fn missing_facts_file_is_exit_2() {
    let o = meso(&["eval", "does-not-exist.yaml", "-r", "rules"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("meso::facts::io"), "{}", stderr(&o));
    assert!(stderr(&o).contains("no such file"), "{}", stderr(&o));
}

#[test]
fn directory_given_as_facts_file_is_exit_2() {
    let o = meso(&["eval", "examples/facts", "-r", "rules"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("it is a directory"), "{}", stderr(&o));
    let o = meso(&["explain", "examples/facts", "-r", "rules"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
}

#[test]
fn facts_path_through_a_file_is_exit_2() {
    // `gamarra.yaml/x.yaml`: a path whose parent is a file (ENOTDIR), as for a typo.
    let o = meso(&["eval", "examples/facts/gamarra.yaml/x.yaml", "-r", "rules"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("meso::facts::io"), "{}", stderr(&o));
}

#[cfg(unix)]
#[test]
fn unreadable_files_are_exit_2() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir();
    let facts = dir.path().join("secret.yaml");
    let rules = dir.path().join("secret.meso");
    fs::write(&facts, "firms: 10\n").unwrap();
    fs::write(&rules, "fact f: number\n").unwrap();
    for f in [&facts, &rules] {
        fs::set_permissions(f, fs::Permissions::from_mode(0o000)).unwrap();
    }
    if fs::read(&facts).is_ok() {
        // Running as root (as in CI): permissions do not stop reading, so nothing to test.
        eprintln!("skipped: the file stays readable (running as root)");
        return;
    }
    let o = meso(&["eval", facts.to_str().unwrap(), "-r", "rules"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("permission denied"), "{}", stderr(&o));
    let o = meso(&["check", rules.to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("meso::rules::io"), "{}", stderr(&o));
}

#[test]
fn rules_export_into_a_file_is_exit_2() {
    let dir = temp_dir();
    let file = dir.path().join("afile");
    fs::write(&file, "x").unwrap();
    let o = meso(&["rules", "export", file.to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is a file, not a directory"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        fs::read_to_string(&file).unwrap(),
        "x",
        "the file is untouched"
    );
    let below = file.join("sub");
    let o = meso(&["rules", "export", below.to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("cannot write"), "{}", stderr(&o));
}

#[test]
fn rules_export_writes_atomically_and_refuses_to_overwrite() {
    let dir = temp_dir();
    let target = dir.path().join("r");
    let o = meso(&["rules", "export", target.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = meso(&["rules", "export", target.to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    let o = meso(&["rules", "export", target.to_str().unwrap(), "--force"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let leftovers: Vec<_> = fs::read_dir(&target)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    let o = meso(&["check", target.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn explain_output_to_an_unwritable_path_is_exit_2() {
    let dir = temp_dir();
    for out in [
        dir.path().to_path_buf(),                 // a directory
        dir.path().join("missing").join("t.txt"), // a missing directory
    ] {
        let o = meso(&[
            "explain",
            GAMARRA,
            "-r",
            "rules",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code(&o), 2, "{}: {}", out.display(), stderr(&o));
        assert!(stderr(&o).contains("cannot write"), "{}", stderr(&o));
    }
}

#[test]
fn fmt_of_a_missing_file_is_exit_2() {
    let o = meso(&["fmt", "does-not-exist.meso"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
}

#[test]
fn fmt_rewrites_files_atomically() {
    let dir = temp_dir();
    let file = dir.path().join("a.meso");
    fs::write(&file, "fact   firms:count\n").unwrap();
    let o = meso_in(dir.path(), &["fmt", "a.meso"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(fs::read_to_string(&file).unwrap(), "fact firms: count\n");
    let names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["a.meso"], "no temporary file is left");
}

#[test]
fn rule_file_that_is_not_utf8_is_exit_2_with_its_offset() {
    let dir = temp_dir();
    fs::write(dir.path().join("a.meso"), b"fact f: number\n# Itaja\xed\n").unwrap();
    let o = meso(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("meso::rules::not_utf8"), "{err}");
    assert!(err.contains("offset 22, line 2"), "{err}");
}

/// `-` is standard output for every command that writes: the rows (or the report) are
/// streamed there, no file named `-` appears, and rejects go to standard error.
#[test]
fn a_dash_writes_to_standard_output_and_no_file_named_dash() {
    let dir = temp_dir();
    let data = dir.path().join("data.csv");
    let mut csv =
        fs::read_to_string(common::root().join("tests/cases/batch/examples.csv")).unwrap();
    // One record with a value no fact allows, so that there is a reject to report.
    let header = csv.lines().next().unwrap().to_string();
    let cells = header.split(',').count();
    let mut bad: Vec<&str> = vec![""; cells];
    bad[0] = "bad";
    let firms = header.split(',').position(|h| h == "firms").unwrap();
    bad[firms] = "-5";
    csv.push_str(&bad.join(","));
    csv.push('\n');
    fs::write(&data, csv).unwrap();
    let rows = meso_in(
        dir.path(),
        &[
            "batch",
            "data.csv",
            "--out",
            "-",
            "-r",
            common::root().join("rules").to_str().unwrap(),
        ],
    );
    assert_eq!(code(&rows), 3, "{}", stderr(&rows));
    let out = common::stdout(&rows);
    assert!(out.starts_with("id,classification"), "{out}");
    assert!(out.lines().count() > 10, "{out}");
    let err = stderr(&rows);
    assert!(err.contains("file,line,id,column,code,reason"), "{err}");
    assert!(err.contains("meso::facts::out_of_range"), "{err}");
    assert!(
        err.contains("listed on standard error") && err.contains("wrote standard output"),
        "{err}"
    );
    let mut names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    assert_eq!(names, ["data.csv"], "nothing but the input in the folder");

    let explained = meso_in(
        dir.path(),
        &[
            "explain",
            common::root().join(GAMARRA).to_str().unwrap(),
            "--format",
            "json",
            "--out",
            "-",
        ],
    );
    assert_eq!(code(&explained), 0, "{}", stderr(&explained));
    assert!(common::stdout(&explained).contains("\"trace_version\""));
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// `-` reads one cluster's facts from standard input in every command that reads them.
#[test]
fn explain_and_what_if_read_facts_from_standard_input() {
    use std::io::Write;
    let facts = fs::read_to_string(common::root().join(GAMARRA)).unwrap();
    for args in [
        vec!["explain", "-", "--facts-format", "yaml"],
        vec![
            "what-if",
            "-",
            "--facts-format",
            "yaml",
            "--set",
            "trust=high",
        ],
        vec!["eval", "-", "--facts-format", "yaml"],
    ] {
        let mut child = common::meso_command()
            .args(&args)
            .current_dir(common::root())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(facts.as_bytes())
            .unwrap();
        let o = child.wait_with_output().unwrap();
        assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
        assert!(common::stdout(&o).contains("survival_cluster"), "{args:?}");
    }
    let o = meso(&["explain", "-"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("needs `--facts-format"),
        "{}",
        stderr(&o)
    );
}

/// A table of many clusters given to `meso eval` is pointed to `meso batch`.
#[test]
fn eval_of_a_table_points_to_batch() {
    let o = meso(&["eval", "tests/cases/batch/examples.csv"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("meso::facts::unknown_format"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("`meso batch"), "{}", stderr(&o));
}

/// The hidden `.NAME.PID.N.tmp` files in `dir`.
#[cfg(unix)]
fn temporaries(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && n.ends_with(".tmp"))
        .collect();
    names.sort();
    names
}

/// Ctrl-C on a batch run that writes named temporary files (as on systems without
/// `O_TMPFILE`; forced here with the test-only `MESO_TEST_NAMED_TEMPS`) removes them: the
/// input comes through a pipe that stays open, so the run is surely still going when the
/// signal arrives.
#[cfg(unix)]
#[test]
fn ctrl_c_removes_the_named_temporary_files() {
    use std::io::Write;
    use std::process::Stdio;
    let dir = temp_dir();
    let out = dir.path().join("out.csv");
    let mut child = common::meso_command()
        .args([
            "batch",
            "-",
            "--input-format",
            "csv",
            "-r",
            "rules",
            "--out",
        ])
        .arg(&out)
        .env("MESO_TEST_NAMED_TEMPS", "1")
        .current_dir(common::root())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // More than the first read (1 MiB) so that the header is read and the outputs created.
    let csv = fs::read_to_string(common::root().join("tests/cases/batch/examples.csv")).unwrap();
    let (header, rows) = csv.split_once('\n').unwrap();
    let (header, rows) = (header.to_string(), rows.to_string());
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        stdin.write_all(format!("{header}\n").as_bytes()).unwrap();
        let mut written = 0;
        let mut n = 0;
        while written < 3 << 20 {
            for row in rows.lines() {
                let (_, rest) = row.split_once(',').unwrap();
                let line = format!("r{n},{rest}\n");
                n += 1;
                written += line.len();
                stdin.write_all(line.as_bytes()).unwrap();
            }
        }
        stdin // kept open: the run waits for more
    });
    let stdin = writer.join().unwrap();
    // Wait (without a time limit on the run: only a guard against hanging forever) until
    // both the output and the reject file exist as named temporaries.
    let mut seen = Vec::new();
    for _ in 0..600 {
        seen = temporaries(dir.path());
        if seen.len() == 2 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(seen.len(), 2, "the run did not start writing: {seen:?}");
    assert!(seen.iter().any(|n| n.starts_with(".out.csv.rejects.csv.")));
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let o = child.wait_with_output().unwrap();
    drop(stdin);
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    assert!(
        temporaries(dir.path()).is_empty(),
        "left behind: {:?}",
        temporaries(dir.path())
    );
    assert!(!out.exists(), "no output appears for a stopped run");
}

/// A run killed outright (SIGKILL) cannot clean up: the next run sweeps what it left.
#[cfg(unix)]
#[test]
fn the_next_run_sweeps_temporaries_of_dead_runs() {
    let dir = temp_dir();
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let stale = dir.path().join(format!(".out.csv.{dead}.0.tmp"));
    let stale_rejects = dir
        .path()
        .join(format!(".out.csv.rejects.csv.{dead}.3.tmp"));
    let foreign = dir.path().join(".keep.tmp");
    // Not a file this run writes: left alone.
    let other = dir.path().join(format!(".notes.csv.{dead}.0.tmp"));
    for f in [&stale, &stale_rejects, &foreign, &other] {
        fs::write(f, "half a run").unwrap();
    }
    let out = dir.path().join("out.csv");
    let o = meso(&[
        "batch",
        "tests/cases/batch/examples.csv",
        "-r",
        "rules",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        temporaries(dir.path()),
        [".keep.tmp".to_string(), format!(".notes.csv.{dead}.0.tmp")]
    );
    assert!(out.exists());
}
