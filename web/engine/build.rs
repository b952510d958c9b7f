//! Embeds the shipped rule sets and their example facts (rules/ with examples/facts/, and
//! every rule set under examples/rulesets/ with its facts/) into the engine, so the
//! playground needs no file at run time.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

fn files(dir: &Path, ext: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, ext, out);
        } else if p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| ext.contains(&e))
        {
            out.push(p);
        }
    }
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root)
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let root = manifest.join("../..");
    let root = root.canonicalize().unwrap_or(root);
    // (id, title, rule directory, facts directory)
    let mut sets = vec![(
        "shipped".to_string(),
        "Altenburg & Meyer-Stamer 1999 (rules/)".to_string(),
        root.join("rules"),
        root.join("examples/facts"),
    )];
    let mut extra = Vec::new();
    if let Ok(entries) = fs::read_dir(root.join("examples/rulesets")) {
        for e in entries.flatten() {
            if e.path().is_dir() {
                extra.push(e.path());
            }
        }
    }
    extra.sort();
    for dir in extra {
        let id = dir
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let title = format!("{id} (examples/rulesets/{id}/)");
        sets.push((id, title, dir.clone(), dir.join("facts")));
    }

    let mut code = String::from("pub static RULE_SETS: &[RuleSetData] = &[\n");
    for (id, title, rules_dir, facts_dir) in &sets {
        println!("cargo:rerun-if-changed={}", rules_dir.display());
        println!("cargo:rerun-if-changed={}", facts_dir.display());
        let mut rule_files = Vec::new();
        files(rules_dir, &["meso"], &mut rule_files);
        let mut fact_files = Vec::new();
        files(facts_dir, &["yaml", "yml", "json", "toml"], &mut fact_files);
        let _ = writeln!(
            code,
            "  RuleSetData {{ id: {id:?}, title: {title:?}, dir: {:?}, files: &[",
            rel(&root, rules_dir)
        );
        for f in &rule_files {
            println!("cargo:rerun-if-changed={}", f.display());
            let _ = writeln!(
                code,
                "    ({:?}, include_str!({:?})),",
                rel(rules_dir, f),
                f.display().to_string()
            );
        }
        code.push_str("  ], examples: &[\n");
        for f in &fact_files {
            println!("cargo:rerun-if-changed={}", f.display());
            let _ = writeln!(
                code,
                "    ({:?}, include_str!({:?})),",
                rel(&root, f),
                f.display().to_string()
            );
        }
        code.push_str("  ] },\n");
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("shipped.rs");
    if let Err(e) = fs::write(&out, code) {
        println!("cargo:warning=cannot write {}: {e}", out.display());
    }
}
