//! Embeds the shipped rule set (`rules/*.meso`) into the binary, so that `meso eval`
//! works anywhere after `cargo install`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, root: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            collect(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "meso") {
            let rel = path
                .strip_prefix(root)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or(name);
            out.push((rel, path));
        }
    }
}

/// The commit the binary is built from, for `meso --version` (`unknown` outside a git
/// checkout, e.g. from a published crate), with `-dirty` when files were changed.
fn commit(manifest: &Path) -> String {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(manifest)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    match git(&["rev-parse", "--short=12", "HEAD"]) {
        Some(hash) if !hash.is_empty() => {
            let dirty = git(&["status", "--porcelain", "--untracked-files=no"])
                .is_some_and(|s| !s.is_empty());
            if dirty {
                format!("{hash}-dirty")
            } else {
                hash
            }
        }
        _ => "unknown".to_string(),
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    // Rebuilt when the checked-out commit moves (HEAD, or the branch it points to).
    for git_file in [".git/HEAD", ".git/index"] {
        if manifest.join(git_file).exists() {
            println!("cargo:rerun-if-changed={git_file}");
        }
    }
    println!("cargo:rustc-env=MESO_COMMIT={}", commit(&manifest));
    let rules = manifest.join("rules");
    println!("cargo:rerun-if-changed=rules");
    let mut files = Vec::new();
    collect(&rules, &rules, &mut files);
    files.sort();
    for (_, path) in &files {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default());
    let Ok(mut out) = fs::File::create(out_dir.join("embedded_rules.rs")) else {
        return;
    };
    let mut code = String::from("/// The shipped rule set: (path relative to `rules/`, text).\npub static EMBEDDED_RULES: &[(&str, &str)] = &[\n");
    for (rel, path) in &files {
        code.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    code.push_str("];\n");
    let _ = out.write_all(code.as_bytes());
}
