//! docs/architecture.md describes every module that exists: each top-level module of the
//! crate, and each `pub mod` below one, must be named there (as `` `name` `` or
//! `` `parent::name` ``), so that the map a newcomer reads does not drift from the code.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `(parent, name, public)` of every `mod name;` declaration in a file (test modules and
/// inline modules excepted).
fn declared_modules(file: &Path) -> Vec<(String, bool)> {
    let text = std::fs::read_to_string(file).unwrap();
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        let (public, rest) = if let Some(rest) = line.strip_prefix("pub mod ") {
            (true, rest)
        } else if let Some(rest) = line.strip_prefix("pub(crate) mod ") {
            (false, rest)
        } else if let Some(rest) = line.strip_prefix("mod ") {
            (false, rest)
        } else {
            continue;
        };
        if let Some(name) = rest.strip_suffix(';') {
            out.push((name.trim().to_string(), public));
        }
    }
    out
}

/// The file that holds module `name` declared in `file`'s module.
fn module_file(file: &Path, name: &str) -> Option<PathBuf> {
    let dir = match file.file_name().and_then(|n| n.to_str()) {
        Some("lib.rs" | "main.rs" | "mod.rs") => file.parent()?.to_path_buf(),
        _ => file.with_extension(""),
    };
    let flat = dir.join(format!("{name}.rs"));
    let nested = dir.join(name).join("mod.rs");
    if flat.exists() {
        Some(flat)
    } else if nested.exists() {
        Some(nested)
    } else {
        None
    }
}

#[test]
fn every_module_is_described_in_the_architecture_document() {
    let doc = std::fs::read_to_string(root().join("docs/architecture.md")).unwrap();
    let lib = root().join("src/lib.rs");
    let mut missing = Vec::new();
    let mut seen = 0;
    for (top, _) in declared_modules(&lib) {
        seen += 1;
        if !doc.contains(&format!("`{top}`")) && !doc.contains(&format!("`{top}/`")) {
            missing.push(top.clone());
        }
        let Some(top_file) = module_file(&lib, &top) else {
            continue;
        };
        // Public modules one level down (`eval::block`, `render::trace`, ...).
        for (sub, public) in declared_modules(&top_file) {
            if !public {
                continue;
            }
            seen += 1;
            let path = format!("{top}::{sub}");
            if !doc.contains(&format!("`{path}`")) && !doc.contains(&format!("`{top}/{sub}")) {
                missing.push(path);
            }
        }
    }
    assert!(seen > 10, "no modules found: is src/lib.rs where it was?");
    assert!(
        missing.is_empty(),
        "docs/architecture.md does not describe these modules: {missing:?}"
    );
}

#[test]
fn the_architecture_document_names_no_module_that_does_not_exist() {
    // Every `src/...` path the document gives must exist.
    let doc = std::fs::read_to_string(root().join("docs/architecture.md")).unwrap();
    let mut wrong = Vec::new();
    for (i, _) in doc.match_indices("`src/") {
        let rest = &doc[i + 1..];
        let Some(end) = rest.find('`') else { continue };
        let path = &rest[..end];
        if !root().join(path).exists() {
            wrong.push(path.to_string());
        }
    }
    assert!(
        wrong.is_empty(),
        "docs/architecture.md names missing files: {wrong:?}"
    );
}
