//! The language server's keystroke: what `meso lsp` does on `textDocument/didChange` for a
//! file of the shipped rule set (`rules/`, every file open in the editor): gather the rule
//! set's documents, parse and check them all, index the names. Also a keystroke that leaves
//! the file unparsable (parse only, the last tree kept), and the requests an editor sends
//! after a keystroke (semantic tokens, inlay hints) and a rename of a fact used everywhere
//! (which re-checks the renamed rule set before answering).
//!
//! `cargo bench --bench lsp` (criterion reports time per keystroke or request).
//! docs/performance.md ("The language server") has the figures.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::HashMap;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use lsp_types::{Position, Range};
use meso::lsp::analysis::{analyze, rule_set_documents};
use meso::lsp::features;

fn keystroke(c: &mut Criterion) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("rules")
        .canonicalize()
        .unwrap();
    // Every file open, as in an editor with the rule set's tabs open.
    let mut open: HashMap<PathBuf, String> = rule_set_documents(&root, &HashMap::new())
        .into_iter()
        .map(|d| (d.path, d.text))
        .collect();
    let types = root.join("types.meso");
    let original = open[&types].clone();
    let first = analyze(rule_set_documents(&root, &open), &HashMap::new());
    assert!(
        first
            .diagnostics
            .iter()
            .flatten()
            .all(|d| d.severity != Some(lsp_types::DiagnosticSeverity::ERROR)),
        "the shipped rule set checks"
    );
    let lines: usize = first.documents.iter().map(|d| d.text.lines().count()).sum();
    eprintln!("rule set: {} files, {lines} lines", first.documents.len());

    let mut group = c.benchmark_group("lsp");
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(3));
    group.sample_size(30);

    // A keystroke inside a comment-free description: the text changes, the rules do not.
    let mut flip = false;
    group.bench_function("keystroke_recheck", |b| {
        b.iter(|| {
            flip = !flip;
            let text = if flip {
                original.replacen("Micro and small workshops", "Micro and small workshop", 1)
            } else {
                original.clone()
            };
            open.insert(types.clone(), text);
            let documents = rule_set_documents(&root, &open);
            black_box(analyze(documents, &first.parsed))
        });
    });

    // A keystroke that leaves the file unparsable: parse errors only, names kept.
    let broken = original.replacen("required {", "required {{", 1);
    group.bench_function("keystroke_unparsable", |b| {
        b.iter(|| {
            open.insert(types.clone(), broken.clone());
            let documents = rule_set_documents(&root, &open);
            black_box(analyze(documents, &first.parsed))
        });
    });
    open.insert(types.clone(), original.clone());

    let everything = Range::new(Position::new(0, 0), Position::new(u32::MAX, 0));
    group.bench_function("semantic_tokens_types", |b| {
        b.iter(|| black_box(features::semantic_tokens(&first, &types)));
    });
    group.bench_function("inlay_hints_types", |b| {
        b.iter(|| black_box(features::inlay_hints(&first, &types, everything)));
    });

    // Rename `firms` (used in most files) and re-check the renamed rule set.
    let vocabulary = root.join("vocabulary.meso");
    let text = &open[&vocabulary];
    let at = text.find("fact firms").unwrap() + "fact ".len();
    let line = text[..at].matches('\n').count() as u32;
    let column = (at - text[..at].rfind('\n').map_or(0, |i| i + 1)) as u32;
    group.bench_function("rename_fact", |b| {
        b.iter(|| {
            black_box(
                features::rename(
                    &first,
                    &vocabulary,
                    Position::new(line, column),
                    "firm_count",
                )
                .unwrap(),
            )
        });
    });
    group.finish();
}

criterion_group!(benches, keystroke);
criterion_main!(benches);
