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
            let _ = meso_fuzz::columnar_input(&input);
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
        let _ = meso_fuzz::columnar_input(&fs::read(&f).unwrap_or_default());
    }
}

/// A mutation campaign without libFuzzer (stable Rust): valid Parquet and Arrow files
/// generated from pseudo-random bytes, then damaged (bytes flipped, overwritten, cut short)
/// and run through `meso batch` as raw input. A panic that escapes meso fails the test. The
/// arrow-rs decoders panic on some damaged files; meso catches those (silently) and reports
/// `meso::batch::malformed` "the decoder failed on corrupt data": they are counted, and the
/// first few inputs saved in `artifacts/columnar_input/` for the replay test when
/// `MESO_FUZZ_SAVE` is set.
/// `MESO_FUZZ_ITERATIONS` sets the number of files (default 300: about a second).
#[test]
fn columnar_mutations() {
    let iterations: u64 = std::env::var("MESO_FUZZ_ITERATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        // SplitMix64
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let (mut runs, mut errors, mut decoder_panics) = (0u64, 0u64, 0u64);
    for i in 0..iterations {
        let seed: Vec<u8> = (0..256).map(|_| next() as u8).collect();
        let parquet = i % 2 == 0;
        let Some(mut file) = meso_fuzz::generated_file(&seed, parquet) else {
            continue;
        };
        if file.is_empty() {
            continue;
        }
        match next() % 4 {
            0 => {
                let n = file.len();
                file.truncate((next() as usize) % n);
            }
            _ => {
                for _ in 0..1 + next() % 8 {
                    let at = (next() as usize) % file.len();
                    file[at] = if next() % 2 == 0 {
                        file[at] ^ (1 << (next() % 8))
                    } else {
                        next() as u8
                    };
                }
            }
        }
        let mut input = vec![u8::from(!parquet) | (((next() % 2) as u8) << 2)];
        input.extend_from_slice(&file);
        let error = meso_fuzz::columnar_input(&input);
        runs += 1;
        if let Some(error) = error {
            errors += 1;
            if error.contains("decoder failed") {
                decoder_panics += 1;
                if decoder_panics <= 3 && std::env::var_os("MESO_FUZZ_SAVE").is_some() {
                    let dir =
                        Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts/columnar_input");
                    let _ = fs::create_dir_all(&dir);
                    let _ = fs::write(dir.join(format!("decoder-panic-{i}")), &input);
                }
            }
        }
    }
    eprintln!(
        "columnar_mutations: {runs} damaged files, {errors} errors, of which {decoder_panics} decoder panics caught"
    );
}
