//! The HTML trace in a real browser (Debian's `chromium`, headless): it renders, it is
//! self-contained, and opening `#type-NAME` expands that type to its criteria. Skipped with
//! a notice when /usr/bin/chromium is absent (`.ci/run` installs it).

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use common::{meso_command, root, temp_dir};

const CHROMIUM: &str = "/usr/bin/chromium";

/// Write the HTML trace of Gamarra into `dir`.
fn write_report(dir: &Path) -> PathBuf {
    let out = dir.join("gamarra.html");
    let o = meso_command()
        .args([
            "explain",
            "examples/facts/gamarra.yaml",
            "-r",
            "rules",
            "--format",
            "html",
            "--out",
        ])
        .arg(&out)
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

/// Run headless chromium on a URL with extra arguments; returns stdout.
fn chromium(url: &str, extra: &[&str]) -> String {
    let profile = temp_dir();
    let o = Command::new("timeout")
        .arg("120")
        .arg(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn available() -> bool {
    if Path::new(CHROMIUM).exists() {
        return true;
    }
    eprintln!("SKIPPED: {CHROMIUM} not found; install it with `apt-get install -y chromium` (.ci/run does)");
    false
}

/// The `<details>` element with this id, as dumped: its opening tag.
fn details_tag<'a>(dom: &'a str, id: &str) -> &'a str {
    let at = dom
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in the DOM"));
    let start = dom[..at].rfind('<').unwrap();
    let end = at + dom[at..].find('>').unwrap();
    &dom[start..=end]
}

#[test]
fn html_trace_is_self_contained() {
    let dir = temp_dir();
    let html = std::fs::read_to_string(write_report(dir.path())).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("src="), "no external scripts or images");
    assert!(!html.contains("<link"), "no external style sheets");
    for href in html.split("href=\"").skip(1) {
        assert!(
            href.starts_with('#'),
            "only links inside the page: {}",
            &href[..40.min(href.len())]
        );
    }
}

#[test]
fn html_trace_renders_and_a_fragment_expands_a_type_to_its_criteria() {
    if !available() {
        return;
    }
    let dir = temp_dir();
    let file = write_report(dir.path());
    let url = format!("file://{}", file.display());

    let plain = chromium(&url, &["--dump-dom"]);
    assert!(
        plain.contains("Survival cluster of micro and small-scale enterprises"),
        "summary rendered"
    );
    assert!(
        !details_tag(&plain, "type-survival_cluster").contains("open"),
        "closed by default"
    );

    let opened = chromium(&format!("{url}#type-survival_cluster"), &["--dump-dom"]);
    let tag = details_tag(&opened, "type-survival_cluster");
    assert!(tag.contains("open"), "the fragment opens the type: {tag}");
    let body = &opened[opened.find("id=\"type-survival_cluster\"").unwrap()..];
    let body = &body[..body.find("</details>").unwrap()];
    assert!(body.contains("micro_and_small"), "its criteria are inside");
    assert!(
        body.contains("share_micro_small = 0.98"),
        "with fact values"
    );
    assert!(
        !details_tag(&opened, "type-tnc_cluster").contains("open"),
        "others stay closed"
    );

    let shot = dir.path().join("shot.png");
    chromium(
        &url,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1100,1400",
        ],
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "a non-empty screenshot"
    );
}
