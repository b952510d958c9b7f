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

/// The part of `html` from the element with this id to the end of that element's section
/// (the next `</section>`), or to the end of its `<details>`.
fn part<'a>(html: &'a str, id: &str, end: &str) -> &'a str {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in the page"));
    let rest = &html[at..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

#[test]
fn avoid_items_stand_apart_from_recommendations_and_labels_come_first() {
    let dir = temp_dir();
    let html = std::fs::read_to_string(write_report(dir.path())).unwrap();

    // Summary: the avoid items that apply are in their own list, not among the
    // recommendations, and carry a warning mark.
    let summary = part(&html, "summary", "</section>");
    let rec_at = summary.find("<div class=\"recommendations\">").unwrap();
    let avoid_at = summary.find("<div class=\"avoid\">").unwrap();
    let recommendations = &summary[rec_at..summary[rec_at..].find("</div>").unwrap() + rec_at];
    let avoid = &summary[avoid_at..summary[avoid_at..].find("</div>").unwrap() + avoid_at];
    assert!(avoid.contains("core_cooperation_before_trust"), "{avoid}");
    assert!(avoid.contains('⚠'), "{avoid}");
    assert!(!recommendations.contains("core_cooperation_before_trust"));
    assert!(recommendations.contains("network_brokers_and_cooperation_incentives"));

    // Details: avoid items in their own section; one that applies has no green tick.
    let items = part(&html, "avoid-items", "</section>");
    assert!(items.contains("id=\"policy-core_cooperation_before_trust\""));
    let recs = part(&html, "policies", "</section>");
    assert!(!recs.contains("id=\"policy-core_cooperation_before_trust\""));
    let item = part(&html, "policy-core_cooperation_before_trust", "</summary>");
    assert!(!item.contains("mark t"), "no green tick: {item}");
    assert!(item.contains('⚠'), "{item}");

    // Human label first, the id after it.
    let ty = part(&html, "type-survival_cluster", "</summary>");
    let label = ty
        .find("Survival cluster of micro and small-scale enterprises")
        .unwrap();
    let id = ty
        .find("<code class=\"id\">survival_cluster</code>")
        .unwrap();
    assert!(label < id, "{ty}");
    // A criterion: its note first, its name after it.
    let body = part(&html, "type-survival_cluster", "</details>");
    let note = body
        .find("almost exclusively micro and small firms")
        .unwrap();
    let name = body
        .find("<code class=\"id\">micro_and_small</code>")
        .unwrap();
    assert!(note < name, "{body}");
}

#[test]
fn html_report_has_citations_print_dark_and_narrow_styles() {
    let dir = temp_dir();
    let html = std::fs::read_to_string(write_report(dir.path())).unwrap();
    // A criterion's threshold carries its parameter's citation, inside the criterion.
    let ty = part(&html, "type-survival_cluster", "</details>");
    let threshold = ty.find("survival_min_share_micro_small = 0.9").unwrap();
    assert!(
        ty[threshold..].contains("Altenburg &amp; Meyer-Stamer 1999, §3(a), §4(a)"),
        "{ty}"
    );
    // The type's own citation.
    assert!(ty.contains("Source: Altenburg"), "{ty}");
    for rule in [
        "@media print",
        "details::details-content",
        "nav,button{display:none",
        "@media (prefers-color-scheme:dark)",
        "overflow-wrap:anywhere",
        "beforeprint",
    ] {
        assert!(html.contains(rule), "{rule}");
    }
}

/// The page with a script at the end that expands everything (when `expand`) and writes
/// what it measured into `<body data-probe="...">`, to be read from `--dump-dom`.
fn probe(report: &Path, measure: &str, expand: bool) -> PathBuf {
    let html = std::fs::read_to_string(report).unwrap();
    let script = format!(
        "<script>{}document.body.setAttribute('data-probe', String({measure}));</script>\n</body>",
        if expand { "setAll(true);" } else { "" }
    );
    let probed = report.with_extension("probe.html");
    std::fs::write(&probed, html.replacen("</body>", &script, 1)).unwrap();
    probed
}

fn probed_value(dom: &str) -> String {
    let at = dom.find("data-probe=\"").expect("the probe ran") + "data-probe=\"".len();
    dom[at..at + dom[at..].find('"').unwrap()].to_string()
}

#[test]
fn html_report_fits_a_390_px_screen_with_everything_expanded() {
    if !available() {
        return;
    }
    let dir = temp_dir();
    let report = write_report(dir.path());
    // Headless windows are at least 500 px wide: the report goes in a 390 px frame (a phone's
    // viewport, media queries included), everything expanded, and its width is measured.
    let frame = dir.path().join("phone.html");
    std::fs::write(
        &frame,
        format!(
            "<!DOCTYPE html><html><body style=\"margin:0\"><iframe id=\"f\" src=\"{}\" style=\"width:390px;height:900px;border:0\"></iframe>\
             <script>var f=document.getElementById('f');f.onload=function(){{var w=f.contentWindow;w.setAll(true);\
             document.body.setAttribute('data-probe',w.document.documentElement.scrollWidth+'x'+w.innerWidth);}};</script></body></html>",
            report.file_name().unwrap().to_str().unwrap()
        ),
    )
    .unwrap();
    let dom = chromium(
        &format!("file://{}", frame.display()),
        &["--allow-file-access-from-files", "--dump-dom"],
    );
    let seen = probed_value(&dom);
    let (scroll, inner) = seen.split_once('x').unwrap();
    let (scroll, inner): (u32, u32) = (scroll.parse().unwrap(), inner.parse().unwrap());
    assert_eq!(inner, 390, "the frame is a phone's width: {seen}");
    assert!(scroll <= inner, "nothing overflows sideways: {seen}");
}

#[test]
fn html_report_follows_a_dark_system_scheme() {
    if !available() {
        return;
    }
    let dir = temp_dir();
    let report = write_report(dir.path());
    let page = probe(
        &report,
        "getComputedStyle(document.body).backgroundColor",
        false,
    );
    let url = format!("file://{}", page.display());
    let light = probed_value(&chromium(&url, &["--dump-dom"]));
    let dark = probed_value(&chromium(
        &url,
        &[
            "--force-dark-mode",
            "--blink-settings=preferredColorScheme=0",
            "--dump-dom",
        ],
    ));
    assert_eq!(light, "rgb(255, 255, 255)");
    assert_ne!(dark, light, "a dark background when the system is dark");
}

#[test]
fn html_report_printed_to_pdf_carries_fact_values_thresholds_and_citations() {
    if !available() {
        return;
    }
    let dir = temp_dir();
    let report = write_report(dir.path());
    let pdf = dir.path().join("report.pdf");
    chromium(
        &format!("file://{}", report.display()),
        &[
            &format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer",
        ],
    );
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF"), "a PDF");
    let text = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&pdf)
        .arg("-")
        .output();
    match text {
        Ok(o) if o.status.success() => {
            let text = String::from_utf8_lossy(&o.stdout);
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            for inside_a_criterion in [
                // a fact value, as a criterion reads it (only in the collapsed criteria)
                "share_micro_small = 0.98",
                // a threshold, as a criterion reads it
                "survival_min_share_micro_small = 0.9 (parameter) Source: Altenburg & Meyer-Stamer 1999, §3(a), §4(a)",
                // a rule's source excerpt (only in its collapsed details)
                "type survival_cluster extends cluster {",
            ] {
                assert!(
                    text.contains(inside_a_criterion),
                    "the printed report shows {inside_a_criterion:?}"
                );
            }
            assert!(!text.contains("Expand all"), "no buttons in print");
        }
        _ => {
            eprintln!("NOTICE: pdftotext not found (apt-get install -y poppler-utils); checking the PDF's size only");
            assert!(
                bytes.len() > 100_000,
                "an expanded report is long: {} bytes",
                bytes.len()
            );
        }
    }
}
