//! `meso batch` and `meso diff` end to end: every input format gives the same output,
//! bad records go to the reject file with nothing else lost, output is atomic, and a
//! rule change shows up in `meso diff` with the criterion that flipped.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

mod common;

use common::{meso, meso_command, read, stderr, temp_dir};

const CASES: &str = "tests/cases/batch";

fn case(name: &str) -> String {
    format!("{CASES}/{name}")
}

/// Run `meso batch` on `inputs` with extra args; returns (exit code, output, rejects).
fn batch(dir: &Path, inputs: &[&str], out_name: &str, extra: &[&str]) -> (i32, String, String) {
    let out = dir.join(out_name);
    let mut args = vec!["batch"];
    args.extend_from_slice(inputs);
    let out_s = out.to_str().unwrap().to_string();
    args.extend_from_slice(&["--out", &out_s]);
    args.extend_from_slice(extra);
    let run = meso(&args);
    let code = run.status.code().unwrap_or(-1);
    let output = fs::read_to_string(&out).unwrap_or_default();
    let rejects_path = PathBuf::from(format!("{out_s}.rejects.csv"));
    let rejects = fs::read_to_string(rejects_path).unwrap_or_default();
    assert!(
        code == 0 || code == 3 || !out.exists(),
        "a failed run must not leave an output file: {}",
        stderr(&run)
    );
    (code, output, rejects)
}

fn reference_csv(dir: &Path) -> String {
    let (code, out, rejects) = batch(dir, &[&case("examples.csv")], "ref.csv", &[]);
    assert_eq!(code, 0);
    assert_eq!(rejects, "file,line,id,column,code,reason\n");
    out
}

#[test]
fn csv_output_golden() {
    let dir = temp_dir();
    insta::assert_snapshot!("examples_csv_output", reference_csv(dir.path()));
}

#[test]
fn jsonl_output_golden() {
    let dir = temp_dir();
    let (code, out, _) = batch(dir.path(), &[&case("examples.jsonl")], "o.jsonl", &[]);
    assert_eq!(code, 0);
    for line in out.lines() {
        serde_json::from_str::<serde_json::Value>(line).expect("each line is JSON");
    }
    insta::assert_snapshot!("examples_jsonl_output", out);
}

#[test]
fn csv_jsonl_and_json_array_inputs_give_the_same_output() {
    let dir = temp_dir();
    let reference = reference_csv(dir.path());
    for input in ["examples.jsonl", "examples.json"] {
        let (code, out, _) = batch(dir.path(), &[&case(input)], "o.csv", &[]);
        assert_eq!(code, 0, "{input}");
        assert_eq!(out, reference, "{input}");
    }
}

#[test]
fn json_output_is_one_array_with_a_row_per_record() {
    let dir = temp_dir();
    let (code, out, _) = batch(dir.path(), &[&case("examples.csv")], "o.json", &[]);
    assert_eq!(code, 0);
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = value.as_array().unwrap();
    assert_eq!(rows.len(), 15);
    assert_eq!(rows[4]["id"], "gamarra");
    assert_eq!(rows[4]["classification"], "survival_cluster");
    assert_eq!(rows[4]["types"]["survival_cluster"]["status"], "matched");
}

/// Records of examples.csv as rows of cells.
fn example_rows() -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(case("examples.csv")).unwrap();
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

#[test]
fn xlsx_input_gives_the_same_output_as_csv() {
    let dir = temp_dir();
    let reference = reference_csv(dir.path());
    let (header, rows) = example_rows();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("census").unwrap();
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            if cell.is_empty() {
                continue;
            } else if let Ok(n) = cell.parse::<f64>() {
                sheet.write_number(r, c, n).unwrap();
            } else if cell == "true" || cell == "false" {
                sheet.write_boolean(r, c, cell == "true").unwrap();
            } else {
                sheet.write_string(r, c, cell).unwrap();
            }
        }
    }
    let xlsx = dir.path().join("census.xlsx");
    book.save(&xlsx).unwrap();
    let (code, out, _) = batch(
        dir.path(),
        &[xlsx.to_str().unwrap()],
        "o.csv",
        &["--sheet", "census"],
    );
    assert_eq!(code, 0);
    assert_eq!(out, reference);

    let (code, _, _) = batch(
        dir.path(),
        &[xlsx.to_str().unwrap()],
        "missing.csv",
        &["--sheet", "nope"],
    );
    assert_eq!(code, 2, "a missing sheet is an input error");
}

#[test]
fn latin1_csv_with_semicolons_and_decimal_commas() {
    let dir = temp_dir();
    let reference = reference_csv(dir.path());
    let (header, rows) = example_rows();
    let mut text = header.join(";") + "\n";
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .map(|c| {
                let c = if c.parse::<f64>().is_ok() {
                    c.replace('.', ",")
                } else {
                    c.clone()
                };
                if c.contains(';') || c.contains('"') {
                    format!("\"{}\"", c.replace('"', "\"\""))
                } else {
                    c
                }
            })
            .collect();
        text.push_str(&cells.join(";"));
        text.push('\n');
    }
    assert!(text.contains("Criciúma"), "the data has non-ASCII text");
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!unmappable);
    let path = dir.path().join("latin1.csv");
    fs::write(&path, &bytes).unwrap();
    let p = path.to_str().unwrap();
    let (code, out, _) = batch(
        dir.path(),
        &[p],
        "o.csv",
        &[
            "--delimiter",
            ";",
            "--decimal-comma",
            "--encoding",
            "latin1",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(out, reference);

    // Read as UTF-8, the same bytes are rejected cell by cell, with a hint.
    let (code, _, rejects) = batch(
        dir.path(),
        &[p],
        "utf8.csv",
        &["--delimiter", ";", "--decimal-comma"],
    );
    assert_eq!(code, 3);
    assert!(rejects.contains("meso::batch::encoding"), "{rejects}");
    assert!(rejects.contains("--encoding latin1"), "{rejects}");

    // Without --decimal-comma the decimal commas of a `;` file are told from its lines.
    let (code, out, _) = batch(
        dir.path(),
        &[p],
        "comma.csv",
        &["--delimiter", ";", "--encoding", "latin1"],
    );
    assert_eq!(code, 0);
    assert_eq!(out, reference);

    // Where a dot says the comma is not a decimal mark, `0,25` is rejected with a hint.
    let latin1 = fs::read(p).unwrap();
    let text: String = latin1.iter().map(|&b| char::from(b)).collect();
    let (head, rest) = text.split_once('\n').unwrap();
    let (first, rest) = rest.split_once('\n').unwrap();
    let mixed = format!("{head}\n{}\n{rest}", first.replacen(";0,2;", ";0.2;", 1));
    assert_ne!(mixed, text, "a decimal point was written");
    let mixed_path = dir.path().join("mixed.csv");
    fs::write(
        &mixed_path,
        mixed.chars().map(|c| c as u8).collect::<Vec<u8>>(),
    )
    .unwrap();
    let (code, _, rejects) = batch(
        dir.path(),
        &[mixed_path.to_str().unwrap()],
        "mixed-out.csv",
        &["--delimiter", ";", "--encoding", "latin1"],
    );
    assert_eq!(code, 3);
    assert!(rejects.contains("--decimal-comma"), "{rejects}");
}

#[test]
fn column_map_reads_census_headers() {
    let dir = temp_dir();
    let reference = reference_csv(dir.path());
    let text = read(Path::new(&case("examples.csv")));
    let (first, rest) = text.split_once('\n').unwrap();
    let renamed = first
        .replace("id,", "CODIGO,")
        .replace(",firms,", ",NUM_ESTAB,")
        .replace(",trust,", ",Confianza,");
    let data = dir.path().join("census.csv");
    fs::write(&data, format!("{renamed}\n{rest}")).unwrap();
    let map = dir.path().join("map.toml");
    fs::write(
        &map,
        "CODIGO = \"id\"\nNUM_ESTAB = \"firms\"\n\"Confianza\" = \"trust\"\n",
    )
    .unwrap();
    let d = data.to_str().unwrap();
    let (code, out, _) = batch(
        dir.path(),
        &[d],
        "o.csv",
        &["--columns", map.to_str().unwrap()],
    );
    assert_eq!(code, 0);
    assert_eq!(out, reference);

    // Without the map the census headers are not facts: refused, nothing written.
    let run = meso(&[
        "batch",
        d,
        "--out",
        dir.path().join("x.csv").to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("columns `CODIGO`, `NUM_ESTAB`, `Confianza`"),
        "{}",
        stderr(&run)
    );
    assert!(!dir.path().join("x.csv").exists());

    // A map to a fact that does not exist is refused with a suggestion.
    fs::write(&map, "NUM_ESTAB = \"frims\"\n").unwrap();
    let run = meso(&[
        "batch",
        d,
        "--out",
        dir.path().join("y.csv").to_str().unwrap(),
        "--columns",
        map.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("did you mean `firms`"),
        "{}",
        stderr(&run)
    );
}

#[test]
fn unknown_columns_are_refused_or_ignored() {
    let dir = temp_dir();
    let data = dir.path().join("d.csv");
    fs::write(&data, "id,firms,remarks\na,120,hello\n").unwrap();
    let d = data.to_str().unwrap();
    let (code, _, _) = batch(dir.path(), &[d], "o.csv", &[]);
    assert_eq!(code, 2);
    let (code, out, _) = batch(dir.path(), &[d], "o.csv", &["--allow-unknown-facts"]);
    assert_eq!(code, 0);
    assert!(out.lines().nth(1).unwrap().starts_with("a,"), "{out}");

    // A column without a header (a trailing delimiter) may stay empty, not hold values.
    fs::write(
        &data,
        "id,firms,
a,120,
b,130,oops
",
    )
    .unwrap();
    let (code, out, rejects) = batch(dir.path(), &[d], "o.csv", &[]);
    assert_eq!(code, 3);
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(rejects.contains("meso::batch::no_header"), "{rejects}");
}

const BAD_CSV: &str = "\
id,firms,share_micro_small,trust,markets,main_market,state_owned_core
good1,120,0.5,low,,local,false
wrong_type,many,0.5,low,,local,false
good2,300,,medium,,domestic,true
bad_level,120,0.5,medum,,local,false
bad_ratio,120,1.7,low,,local,false
not_whole,12.5,0.5,low,,local,false
two_problems,abc,0.5,high,,abroad,maybe
good3,40,0.95,,,,
";

#[test]
fn bad_records_are_rejected_and_good_ones_kept_in_order() {
    let dir = temp_dir();
    let data = dir.path().join("bad.csv");
    // `markets` is not a fact of the shipped rules: drop it with --allow-unknown-facts.
    fs::write(&data, BAD_CSV).unwrap();
    let out_path = dir.path().join("o.csv");
    let run = meso(&[
        "batch",
        data.to_str().unwrap(),
        "--out",
        out_path.to_str().unwrap(),
        "--allow-unknown-facts",
    ]);
    assert_eq!(run.status.code(), Some(3), "{}", stderr(&run));
    let out = read(&out_path);
    let ids: Vec<&str> = out
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(ids, ["good1", "good2", "good3"]);
    let rejects = read(&dir.path().join("o.csv.rejects.csv"));
    let rejects = rejects.replace(data.to_str().unwrap(), "bad.csv");
    insta::assert_snapshot!("rejects_each_reason", rejects);
    let err = stderr(&run);
    assert!(
        err.contains("8 records read, 3 evaluated, 5 rejected"),
        "{err}"
    );
}

#[test]
fn bad_json_lines_are_rejected_and_the_rest_evaluated() {
    let dir = temp_dir();
    let data = dir.path().join("d.jsonl");
    fs::write(
        &data,
        "{\"id\": \"a\", \"firms\": 120}\n{\"id\": \"b\", \"firms\": \n\n{\"id\": 7, \"firms\": \"120\", \"frims\": 3}\n[1, 2]\n{\"firms\": 1, \"firms\": 2}\n{\"trust\": \"low\"}\n",
    )
    .unwrap();
    let (code, out, rejects) = batch(dir.path(), &[data.to_str().unwrap()], "o.csv", &[]);
    assert_eq!(code, 3);
    let ids: Vec<&str> = out
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    // The last record has no id: its line number (7) stands in.
    assert_eq!(ids, ["a", "7"]);
    insta::assert_snapshot!(
        "rejects_json",
        rejects.replace(data.to_str().unwrap(), "d.jsonl")
    );
}

/// `n` records made from the examples with fresh ids (more than one chunk of 8192).
fn generated_csv(n: usize) -> String {
    let (header, rows) = example_rows();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header).unwrap();
    for i in 0..n {
        let mut row = rows[i % rows.len()].clone();
        row[0] = format!("r{i}");
        // Vary the numbers so records differ beyond their id.
        if let Ok(firms) = row[5].parse::<u64>() {
            row[5] = (firms + (i as u64 % 97)).to_string();
        }
        w.write_record(&row).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

#[test]
fn output_is_identical_across_thread_counts() {
    let dir = temp_dir();
    let data = dir.path().join("gen.csv");
    let mut text = generated_csv(20_000);
    // A few bad rows spread over the chunks.
    text.push_str("bad1,Peru,x,y,town,-5,,,,,,,,,,,,,,,,,,,,,,,,\n");
    fs::write(&data, text).unwrap();
    let d = data.to_str().unwrap();
    let one = batch(dir.path(), &[d], "one.csv", &["--threads", "1"]);
    let two = batch(dir.path(), &[d], "two.csv", &["--threads", "2"]);
    let four = batch(
        dir.path(),
        &[d],
        "four.jsonl",
        &["--threads", "4", "--format", "csv"],
    );
    assert_eq!(one.0, 3);
    assert_eq!(one.1.lines().count(), 20_001);
    assert_eq!(one, two);
    assert_eq!(one, four);
}

/// The temporary files `meso batch` keeps beside `out` while it runs.
fn temp_files(dir: &Path) -> Vec<PathBuf> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().ends_with(".tmp"))
        .collect()
}

/// The size of the largest file `pid` has open in `dir` with no name (Linux `O_TMPFILE`,
/// shown as `dir/#NNN (deleted)`); 0 elsewhere.
fn unnamed_output_len(pid: u32, dir: &Path) -> u64 {
    let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else {
        return 0;
    };
    let dir = fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    fds.filter_map(Result::ok)
        .filter(|fd| {
            fs::read_link(fd.path()).is_ok_and(|target| {
                target.starts_with(&dir) && target.to_string_lossy().contains("/#")
            })
        })
        .filter_map(|fd| fs::metadata(fd.path()).ok())
        .map(|m| m.len())
        .max()
        .unwrap_or(0)
}

#[test]
fn killed_run_leaves_no_output() {
    let dir = temp_dir();
    let out = dir.path().join("out.csv");
    // Records come from standard input, which is never closed: the run cannot finish
    // before it is killed, whatever the machine's speed.
    let mut child = meso_command()
        .args([
            "batch",
            "-",
            "--input-format",
            "csv",
            "--threads",
            "2",
            "--out",
        ])
        .arg(&out)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let text = generated_csv(40_000);
    let writer = std::thread::spawn(move || {
        // Ends with an error once the child is killed.
        let _ = stdin.write_all(text.as_bytes());
        let _ = stdin.flush();
        std::thread::sleep(std::time::Duration::from_secs(60));
    });
    // Wait until rows are being written: to a named temporary file, or on Linux to an
    // unnamed one, seen among the process's open files.
    let start = std::time::Instant::now();
    loop {
        let named = temp_files(dir.path()).iter().any(|p| {
            p.to_string_lossy().contains(".out.csv.")
                && fs::metadata(p).map_or(0, |m| m.len()) > 100_000
        });
        if named || unnamed_output_len(child.id(), dir.path()) > 100_000 {
            break;
        }
        assert!(
            start.elapsed().as_secs() < 120,
            "no output rows were written"
        );
        assert!(child.try_wait().unwrap().is_none(), "meso exited early");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    assert!(!out.exists(), "a killed run must not leave the output file");
    assert!(!dir.path().join("out.csv.rejects.csv").exists());
    // On Linux the output has no name until the run ends: nothing at all remains. Where
    // the file system cannot do that, only the temporary files may remain (docs/batch.md).
    if cfg!(target_os = "linux") && temp_files(dir.path()).is_empty() {
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }
    for entry in fs::read_dir(dir.path()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        assert!(
            name.starts_with(".out.csv.") && name.ends_with(".tmp"),
            "unexpected file {name}"
        );
    }
    drop(writer);
}

#[test]
fn failed_run_removes_its_temporary_files() {
    let dir = temp_dir();
    let data = dir.path().join("d.json");
    fs::write(&data, "[{\"firms\": 1}, {\"firms\": 2}\n").unwrap();
    let (code, _, _) = batch(dir.path(), &[data.to_str().unwrap()], "o.csv", &[]);
    assert_eq!(code, 2);
    assert!(temp_files(dir.path()).is_empty());
    assert!(!dir.path().join("o.csv").exists());
}

#[test]
fn explain_dir_writes_reports_of_matching_records() {
    let dir = temp_dir();
    let why = dir.path().join("why");
    let (code, _, _) = batch(
        dir.path(),
        &[&case("examples.csv")],
        "o.csv",
        &[
            "--explain-dir",
            why.to_str().unwrap(),
            "--where",
            "classification=survival_cluster",
        ],
    );
    assert_eq!(code, 0);
    let mut names: Vec<String> = fs::read_dir(&why)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["gamarra.json", "san-mateo-atenco.json", "sarchi.json"]
    );
    let trace: serde_json::Value = serde_json::from_str(&read(&why.join("gamarra.json"))).unwrap();
    assert_eq!(trace["summary"]["classification"], "survival_cluster");
    assert!(trace["trace_version"].is_number());

    // Other trace formats, as `meso explain` writes them.
    let md = dir.path().join("md");
    let (code, _, _) = batch(
        dir.path(),
        &[&case("examples.csv")],
        "o.csv",
        &[
            "--explain-dir",
            md.to_str().unwrap(),
            "--explain-format",
            "markdown",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(fs::read_dir(&md).unwrap().count(), 15);
    assert!(md.join("gamarra.md").exists());

    let run = meso(&[
        "batch",
        &case("examples.csv"),
        "--out",
        dir.path().join("x.csv").to_str().unwrap(),
        "--explain-dir",
        why.to_str().unwrap(),
        "--where",
        "classification=survival_clustr",
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert!(stderr(&run).contains("did you mean `survival_cluster`"));
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

#[test]
fn diff_shows_the_criterion_a_threshold_change_flips() {
    let dir = temp_dir();
    let new = dir.path().join("rules-new");
    copy_dir(Path::new("rules"), &new);
    let params = new.join("parameters.meso");
    let text = read(&params);
    let changed = text.replace(
        "param survival_min_share_micro_small = 90%",
        "param survival_min_share_micro_small = 99%",
    );
    assert_ne!(text, changed, "the parameter is declared as expected");
    fs::write(&params, changed).unwrap();
    let run = meso(&[
        "diff",
        "rules",
        new.to_str().unwrap(),
        &case("examples.csv"),
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let report = String::from_utf8_lossy(&run.stdout).replace(new.to_str().unwrap(), "rules-new");
    insta::assert_snapshot!("diff_threshold_text", report);

    let out = dir.path().join("changes.csv");
    let run = meso(&[
        "diff",
        "rules",
        new.to_str().unwrap(),
        &case("examples.jsonl"),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0));
    let csv_report = read(&out);
    assert_eq!(csv_report.lines().count(), 4, "{csv_report}");
    assert!(csv_report.contains("survival_cluster.micro_and_small"));

    // The same rule set twice: nothing changes.
    let run = meso(&[
        "diff",
        "rules",
        "rules",
        &case("examples.csv"),
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(json["summary"]["changed"], 0);
    assert_eq!(json["summary"]["records"], 15);
}

#[test]
fn csv_line_numbers_survive_bom_quoted_newlines_blank_lines_and_crlf() {
    let dir = temp_dir();
    let data = dir.path().join("edge.csv");
    // Line 1 header (after a BOM); record `a` spans lines 2-3 (a newline inside a quoted
    // cell, with an escaped quote); a blank line 4; `b` on line 5 is bad; CRLF from there;
    // `c` on line 6, a blank CRLF line 7, `d` on line 8 is bad.
    let text = "\u{feff}id,location,firms\n\
                a,\"Itajaí,\n\"\"Vale\"\" do Itajaí\",120\n\
                \n\
                b,Sarchí,-5\r\n\
                c,Gamarra,40\r\n\
                \r\n\
                d,Lima,many\r\n";
    fs::write(&data, text).unwrap();
    let d = data.to_str().unwrap();
    for threads in ["1", "2"] {
        let (code, out, rejects) = batch(dir.path(), &[d], "o.csv", &["--threads", threads]);
        assert_eq!(code, 3, "{rejects}");
        let ids: Vec<&str> = out
            .lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap())
            .collect();
        assert_eq!(ids, ["a", "c"]);
        let lines: Vec<&str> = rejects
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(1).unwrap())
            .collect();
        assert_eq!(lines, ["5", "8"], "{rejects}");
    }
}

#[test]
fn long_inputs_cut_into_pieces_keep_every_record_and_line() {
    // Records far longer than one read, and enough of them for many pieces: every record
    // evaluated once, in order, and a bad one near the end found on its own line.
    let dir = temp_dir();
    let data = dir.path().join("long.jsonl");
    let padding = "x".repeat(300_000);
    let mut text = String::new();
    for i in 0..3 {
        text.push_str(&format!(
            "{{\"id\": \"big{i}\", \"sector\": \"{padding}\", \"firms\": 10}}\n"
        ));
    }
    for i in 0..5000 {
        text.push_str(&format!("{{\"id\": \"r{i}\", \"firms\": {i}}}\n"));
    }
    text.push_str("{\"id\": \"bad\", \"firms\": -1}\n{\"id\": \"last\", \"firms\": 1}");
    fs::write(&data, text).unwrap();
    let d = data.to_str().unwrap();
    let one = batch(dir.path(), &[d], "one.csv", &["--threads", "1"]);
    let two = batch(dir.path(), &[d], "two.csv", &["--threads", "2"]);
    assert_eq!(one, two);
    let (code, out, rejects) = one;
    assert_eq!(code, 3);
    assert_eq!(out.lines().count(), 1 + 3 + 5000 + 1);
    assert!(out.lines().last().unwrap().starts_with("last,"));
    assert!(rejects.contains(",5004,bad,firms,"), "{rejects}");
}

/// Every column that is not a fact is named in one error (with a guess for each), and the
/// facts the rules read that the input has no column for are named before any row is read,
/// with what that does to the verdicts.
#[test]
fn unknown_and_missing_columns_are_all_named_at_once() {
    let dir = temp_dir();
    let data = dir.path().join("d.csv");
    fs::write(&data, "id,frims,emplyment,main_market\na,120,900,local\n").unwrap();
    let d = data.to_str().unwrap();
    let out_s = dir.path().join("o.csv").to_str().unwrap().to_string();
    let run = meso(&["batch", d, "--out", &out_s]);
    assert_eq!(run.status.code(), Some(2));
    let err = stderr(&run);
    assert!(err.contains("columns `frims`, `emplyment` of"), "{err}");
    assert!(err.contains("are not facts"), "{err}");
    assert!(err.contains("`firms` for `frims`"), "{err}");
    assert!(err.contains("`employment` for `emplyment`"), "{err}");

    fs::write(&data, "id,firms,main_market\na,120,local\n").unwrap();
    let run = meso(&["batch", d, "--out", &out_s]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let err = stderr(&run);
    let warning = err.lines().next().unwrap();
    assert!(warning.starts_with("warning: `"), "{err}");
    assert!(warning.contains("has no column for"), "{err}");
    assert!(warning.contains("`employment`"), "{err}");
    assert!(!warning.contains("`firms`"), "{err}");
    assert!(warning.contains("provisional or undetermined"), "{err}");
}

/// The examples as a `;` file with decimal commas, as spreadsheets write CSV where the
/// decimal comma is the norm.
fn semicolon_copy(dir: &Path) -> PathBuf {
    let mut reader = csv::Reader::from_path(case("examples.csv")).unwrap();
    let path = dir.join("semi.csv");
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_path(&path)
        .unwrap();
    writer.write_record(reader.headers().unwrap()).unwrap();
    for row in reader.records() {
        let row = row.unwrap();
        let cells: Vec<String> = row.iter().map(common::with_decimal_comma).collect();
        writer.write_record(&cells).unwrap();
    }
    writer.flush().unwrap();
    path
}

#[test]
fn a_semicolon_file_with_decimal_commas_is_sniffed_and_reads_like_the_original() {
    let dir = temp_dir();
    let semi = semicolon_copy(dir.path());
    let text = read(&semi);
    assert!(text.contains(";0,05;"), "{text}");
    let out = dir.path().join("semi-out.csv");
    let run = meso(&[
        "batch",
        semi.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert_eq!(read(&out), reference_csv(dir.path()));
    assert!(
        stderr(&run).contains(&format!(
            "read `{}` with delimiter `;` and decimal commas (`0,25`), told from its first lines",
            semi.display()
        )),
        "{}",
        stderr(&run)
    );
    // A comma file says nothing about its delimiter.
    let run = meso(&[
        "batch",
        &case("examples.csv"),
        "--out",
        dir.path().join("c.csv").to_str().unwrap(),
    ]);
    assert!(!stderr(&run).contains("told from its first lines"));
    // `--delimiter ';'` alone: the decimal commas are still told.
    let given = dir.path().join("given.csv");
    let run = meso(&[
        "batch",
        semi.to_str().unwrap(),
        "--delimiter",
        ";",
        "--out",
        given.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert_eq!(read(&given), reference_csv(dir.path()));
    assert!(stderr(&run).contains("with decimal commas (`0,25`), told from its first lines"));
    // `--delimiter` is obeyed: `,` leaves one column per line, so every fact is missing.
    let run = meso(&[
        "batch",
        semi.to_str().unwrap(),
        "--delimiter",
        ",",
        "--out",
        dir.path().join("d.csv").to_str().unwrap(),
    ]);
    assert_ne!(run.status.code(), Some(0), "{}", stderr(&run));
    assert!(!stderr(&run).contains("told from its first lines"));
}

#[test]
fn rejects_are_summarised_by_reason_and_all_listed() {
    let dir = temp_dir();
    let mut reader = csv::Reader::from_path(case("examples.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let input = dir.path().join("bad.csv");
    let mut writer = csv::Writer::from_path(&input).unwrap();
    writer.write_record(&headers).unwrap();
    // 300 records: every third out of range in `share_micro`, every 50th with a word for
    // `firms`, and four rare problems in four other columns.
    let rare = [
        ("trust", "hgh"),
        ("main_market", "mars"),
        ("informality", "x"),
    ];
    for k in 0..300usize {
        let mut r: Vec<String> = rows[k % rows.len()].iter().map(str::to_string).collect();
        r[0] = format!("r{k}");
        if k % 3 == 0 {
            r[col("share_micro")] = "7".into();
        }
        if k % 50 == 0 {
            r[col("firms")] = "many".into();
        }
        if let Some((c, v)) = rare
            .get(k.wrapping_sub(1) / 10)
            .filter(|_| k % 10 == 1 && k < 31)
        {
            r[col(c)] = (*v).into();
        }
        if k == 299 {
            r[col("employment")] = "lots".into();
        }
        writer.write_record(&r).unwrap();
    }
    writer.flush().unwrap();
    let out = dir.path().join("o.csv");
    let run = meso(&[
        "batch",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(3), "{}", stderr(&run));
    let err = stderr(&run);
    let summary = err
        .split("rejected records, problems by reason (all in the reject file):\n")
        .nth(1)
        .unwrap_or_else(|| panic!("{err}"));
    insta::assert_snapshot!("reject_reasons_summary", summary);
    // The reject file still lists every problem: one line per problem after the header.
    let rejects = read(&dir.path().join("o.csv.rejects.csv"));
    let problems = rejects.lines().count() - 1;
    assert_eq!(problems, 100 + 6 + 3 + 1);
}

#[test]
fn where_values_get_did_you_mean() {
    let dir = temp_dir();
    for (filter, help) in [
        (
            "classification=Survival_Cluster",
            "did you mean `survival_cluster`?",
        ),
        (
            "classification=survival cluster",
            "did you mean `survival_cluster`?",
        ),
        (
            "classification=survival",
            "did you mean `survival_cluster`?",
        ),
        ("classification=NONE", "did you mean `none`?"),
        ("classification=non", "did you mean `none`?"),
        ("clasification=none", "did you mean `classification=none`?"),
        (
            "survival_cluster",
            "write `--where classification=survival_cluster`",
        ),
        ("classification=zzz", "use one of `cluster`,"),
    ] {
        let run = meso(&[
            "batch",
            &case("examples.csv"),
            "--out",
            dir.path().join("x.csv").to_str().unwrap(),
            "--explain-dir",
            dir.path().join("why").to_str().unwrap(),
            "--where",
            filter,
        ]);
        assert_eq!(run.status.code(), Some(2), "{filter}");
        let err = stderr(&run).replace('\n', " ").replace("  ", " ");
        assert!(err.contains(help), "{filter}: {}", stderr(&run));
    }
}
