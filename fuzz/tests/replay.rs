//! Replays every seed and every saved corpus and crash input through the fuzz targets'
//! code, without libFuzzer: `cargo test` in `fuzz/` (stable Rust is enough).
//!
//! Seeds: the shipped rules, the rule test cases and the example facts of the repository;
//! plus whatever `fuzz/run.sh` left in `fuzz/corpus/TARGET/` and `fuzz/artifacts/TARGET/`.

use std::fs;
use std::path::{Path, PathBuf};

fn files_below(dir: &Path, ext: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_below(&path, ext, out);
        } else if ext.is_empty()
            || path
                .extension()
                .is_some_and(|e| ext.iter().any(|x| e == *x))
        {
            out.push(path);
        }
    }
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn inputs(target: &str, seeds: &[(&str, &[&str])]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for (dir, ext) in seeds {
        files_below(&repo().join(dir), ext, &mut out);
    }
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    files_below(&here.join("corpus").join(target), &[], &mut out);
    files_below(&here.join("artifacts").join(target), &[], &mut out);
    out.sort();
    out
}

const RULE_SEEDS: &[(&str, &[&str])] = &[
    ("rules", &["meso"]),
    ("tests/cases", &["meso"]),
    ("examples", &["meso"]),
];

fn replay(target: &str, seeds: &[(&str, &[&str])], run: fn(&[u8])) {
    let files = inputs(target, seeds);
    assert!(!files.is_empty(), "no inputs for {target}");
    for f in &files {
        let data = fs::read(f).unwrap_or_default();
        run(&data);
    }
    eprintln!("{target}: replayed {} inputs", files.len());
}

#[test]
fn parse_corpus() {
    replay("parse", RULE_SEEDS, meso_fuzz::parse);
}

#[test]
fn check_corpus() {
    replay("check", RULE_SEEDS, meso_fuzz::check);
}

#[test]
fn fmt_roundtrip_corpus() {
    replay("fmt_roundtrip", RULE_SEEDS, meso_fuzz::fmt_roundtrip);
}

#[test]
fn eval_facts_corpus() {
    // Seed files carry no format byte: try each format in turn.
    let seeds: &[(&str, &[&str])] = &[
        ("examples", &["json", "yaml", "yml", "toml"]),
        ("tests/cases/facts", &["json", "yaml", "toml"]),
    ];
    for f in inputs("eval_facts", seeds) {
        let data = fs::read(&f).unwrap_or_default();
        for selector in [0u8, 1, 2, 0x80 | 1] {
            let mut input = vec![selector];
            input.extend_from_slice(&data);
            meso_fuzz::eval_facts(&input);
        }
    }
}

#[test]
fn columnar_input_corpus() {
    // Generated tables (selector bit 1) from fixed bytes, every selector; then whatever the
    // corpus and artifacts hold.
    for seed in 0u8..64 {
        let body: Vec<u8> = (0..200u32)
            .map(|i| {
                (i.wrapping_mul(2_654_435_761)
                    .wrapping_add(u32::from(seed) * 97)
                    >> 13) as u8
            })
            .collect();
        for selector in 0u8..16 {
            let mut input = vec![selector];
            input.extend_from_slice(&body);
            meso_fuzz::columnar_input(&input);
        }
    }
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    files_below(&here.join("corpus").join("columnar_input"), &[], &mut files);
    files_below(
        &here.join("artifacts").join("columnar_input"),
        &[],
        &mut files,
    );
    for f in files {
        meso_fuzz::columnar_input(&fs::read(&f).unwrap_or_default());
    }
}
