//! Render stage, trace as HTML: [`Trace`] → ONE self-contained page for auditors (inline CSS, a
//! few lines of inline script, no external assets, nothing from the network).
//!
//! Summary on top (classification, type scores, policies in order), then every type and
//! policy as a `<details>` element that expands to its criteria tree with the rule source
//! excerpt, then derived values, the facts table and the provenance (fingerprints, files).
//! Opening `page.html#type-NAME` (or `#policy-NAME`) expands that element.

use std::fmt::Write;

use super::{confirm_text, refute_text};
use super::{
    location, node_line, origin_text, policy_truth, score, type_truth, value_truth, why_text,
    words, VALUE_MARK,
};
use crate::trace::model::{
    Blocker, Change, CriterionTrace, Location, Node, PolicyTrace, Provisional, Trace, TypeTrace,
};
use crate::value::Truth;
use crate::vocab::TypeStatus;

const STYLE: &str = r#"
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:70rem;padding:1rem 1.5rem;color:#1d2327;background:#fff}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.2rem;border-bottom:1px solid #ccd;padding-bottom:.2rem;margin-top:2rem}
code,pre{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{background:#f6f7f9;border:1px solid #e1e4e8;padding:.6rem;overflow-x:auto;white-space:pre-wrap}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d7dbe0;padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:#f0f2f5}
.t{color:#11772b}.f{color:#b3261e}.u{color:#8a6100}.n{color:#555}
.mark{display:inline-block;width:1.1em;font-weight:bold}
details{border:1px solid #d7dbe0;border-radius:6px;margin:.4rem 0;padding:.2rem .7rem}
details[open]{background:#fcfcfd}summary{cursor:pointer;padding:.2rem 0}
details.source{border-style:dashed}
ul.tree,ul.criteria{list-style:none;padding-left:1.2rem;margin:.2rem 0}
.loc,.muted{color:#6a737d;font-size:.85em}.tag{font-size:.8em;background:#eef1f5;border-radius:3px;padding:0 .3rem;margin-right:.3rem}
.skipped{opacity:.6}.change{color:#0b4f9c}
.classification{font-size:1.15rem}nav button{margin-right:.4rem}
.provisional{border:2px dashed #8a6100;background:#fff8e6;border-radius:6px;padding:.5rem .9rem;margin:.6rem 0}
.provisional .badge{display:inline-block;background:#8a6100;color:#fff;border-radius:3px;padding:0 .4rem;font-size:.8em;font-weight:bold;text-transform:uppercase;letter-spacing:.03em}
"#;

const SCRIPT: &str = r#"
function openHash(){var id=decodeURIComponent(location.hash.slice(1));var e=id&&document.getElementById(id);
if(e&&e.tagName==='DETAILS'){e.open=true;e.scrollIntoView();}}
function setAll(open){document.querySelectorAll('details').forEach(function(d){d.open=open;});}
window.addEventListener('hashchange',openHash);openHash();
"#;

/// Escape text for HTML.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escape a sentence and show `quoted` names as code.
fn prose(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in esc(s).split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

/// A truth mark with its colour class and, on hover, the truth in words.
fn mark(t: Truth) -> String {
    let class = match t {
        Truth::True => "t",
        Truth::False => "f",
        Truth::Unknown => "u",
    };
    format!(
        "<span class=\"mark {class}\" title=\"{t}\">{}</span>",
        super::mark(t)
    )
}

/// The mark of a node's value: a truth mark for conditions, `·` for numbers and names.
fn value_mark(v: &serde_json::Value) -> String {
    value_truth(v).map_or_else(
        || format!("<span class=\"mark n\">{VALUE_MARK}</span>"),
        mark,
    )
}

fn loc(l: &Location) -> String {
    format!("<span class=\"loc\">{}</span>", esc(&location(l)))
}

/// Render a whole trace as one HTML page.
pub fn render(trace: &Trace) -> String {
    let mut o = String::new();
    let h = &trace.header;
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>meso trace: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(&h.facts.file)
    );
    let _ = writeln!(
        o,
        "<header><h1>Why meso classified <code>{}</code> as it did</h1><p class=\"muted\">meso {} · trace format {} · rules <code>{}</code> · facts <code>{}</code></p>\n<nav><button type=\"button\" onclick=\"setAll(true)\">Expand all</button><button type=\"button\" onclick=\"setAll(false)\">Collapse all</button></nav></header>",
        esc(&h.facts.file),
        esc(&h.meso_version),
        trace.trace_version,
        esc(&h.rules.fingerprint),
        esc(&h.facts.fingerprint)
    );
    summary(&mut o, trace);
    if !trace.types.is_empty() {
        let _ = writeln!(o, "<section id=\"types\">\n<h2>{}</h2>", words::TYPES);
        for t in &trace.types {
            type_details(&mut o, t);
        }
        o.push_str("</section>\n");
    }
    if !trace.policies.is_empty() {
        let _ = writeln!(o, "<section id=\"policies\">\n<h2>{}</h2>", words::POLICIES);
        for p in &trace.policies {
            policy_details(&mut o, p);
        }
        o.push_str("</section>\n");
    }
    tables(&mut o, trace);
    let _ = write!(o, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    o
}

fn summary(o: &mut String, trace: &Trace) {
    let s = &trace.summary;
    o.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n");
    let class = match (&s.classification, &s.classification_label) {
        (Some(n), Some(l)) => format!("<strong>{}</strong> (<code>{}</code>)", esc(l), esc(n)),
        (Some(n), None) => format!("<code>{}</code>", esc(n)),
        _ => "<strong>none</strong>".into(),
    };
    let _ = writeln!(
        o,
        "<p class=\"classification\">Classification: {class}</p>\n<p>{}</p>",
        prose(&s.explanation)
    );
    if let Some(prov) = &s.provisional {
        provisional(o, prov);
    }
    o.push_str("<table><tr><th>Type</th><th>Status</th><th>Score</th></tr>\n");
    for t in &s.types {
        let _ = writeln!(
            o,
            "<tr><td><a href=\"#type-{n}\">{n}</a></td><td>{} {}</td><td>{:.2}</td></tr>",
            mark(type_truth(t.status)),
            t.status.words(),
            t.score,
            n = esc(&t.name)
        );
    }
    let _ = writeln!(o, "</table>\n<h3>{}</h3>", words::APPLYING);
    if s.policies.is_empty() {
        o.push_str("<p>None.</p>\n");
    } else {
        o.push_str("<ol>\n");
        for p in &s.policies {
            let _ = writeln!(
                o,
                "<li><a href=\"#policy-{n}\">{n}</a> <span class=\"tag\">{}</span><span class=\"tag\">phase {}</span>{}</li>",
                p.kind,
                p.phase,
                p.label.as_ref().map_or(String::new(), |l| esc(l)),
                n = esc(&p.policy)
            );
        }
        o.push_str("</ol>\n");
    }
    if !s.undetermined_policies.is_empty() {
        let list: Vec<String> = s
            .undetermined_policies
            .iter()
            .map(|p| format!("<code>{}</code>", esc(p)))
            .collect();
        let _ = writeln!(o, "<p>{}: {}</p>", words::UNDETERMINED, list.join(", "));
    }
    o.push_str("</section>\n");
}

/// The provisional lead in a dashed box with a badge: it must not read as certain, on
/// screen or in print.
fn provisional(o: &mut String, prov: &Provisional) {
    let label = prov.label.as_deref().unwrap_or(&prov.name);
    let _ = writeln!(
        o,
        "<div class=\"provisional\" role=\"note\"><p><span class=\"badge\">{}</span> <strong>{}</strong> (<code>{}</code>, score {:.2}) — {}</p>",
        words::PROVISIONALLY,
        esc(label),
        esc(&prov.name),
        prov.score,
        words::NOT_CERTAIN
    );
    o.push_str("<ul>");
    if let Some(confirm) = confirm_text(&prov.deciding) {
        let _ = write!(o, "<li>confirmed if: {}</li>", esc(&confirm));
    }
    if let Some(refute) = refute_text(&prov.deciding) {
        let _ = write!(o, "<li>refuted if: {}</li>", esc(&refute));
    }
    if !prov.alternatives.is_empty() {
        let _ = write!(
            o,
            "<li>also still possible: {}</li>",
            esc(&prov.alternatives.join(", "))
        );
    }
    o.push_str("</ul>\n");
    if !prov.policies.is_empty() {
        let _ = writeln!(o, "<p>{}:</p>\n<ol>", words::PROVISIONAL_POLICIES);
        for p in &prov.policies {
            let _ = writeln!(
                o,
                "<li><a href=\"#policy-{n}\">{n}</a> <span class=\"tag\">{}</span><span class=\"tag\">phase {}</span>{}</li>",
                p.kind,
                p.phase,
                p.label.as_ref().map_or(String::new(), |l| esc(l)),
                n = esc(&p.policy)
            );
        }
        o.push_str("</ol>\n");
    }
    o.push_str("</div>\n");
}

fn tree(o: &mut String, n: &Node) {
    if n.kind == "constant" {
        return;
    }
    let class = if n.evaluated {
        ""
    } else {
        " class=\"skipped\""
    };
    let _ = write!(
        o,
        "<li{class}>{} <code>{}</code>",
        value_mark(&n.value),
        esc(&node_line(n))
    );
    let kids: Vec<&Node> = n.children.iter().filter(|c| c.kind != "constant").collect();
    if !kids.is_empty() {
        o.push_str("<ul class=\"tree\">");
        for c in kids {
            tree(o, c);
        }
        o.push_str("</ul>");
    }
    o.push_str("</li>\n");
}

fn changes(o: &mut String, list: &[Change]) {
    if list.is_empty() {
        return;
    }
    o.push_str("<ul class=\"tree\">");
    for c in list {
        let _ = write!(o, "<li class=\"change\">→ {}</li>", esc(&c.sentence));
    }
    o.push_str("</ul>");
}

fn blocker(o: &mut String, b: &Blocker) {
    let from = b.inherited_from.as_ref().map_or(String::new(), |f| {
        format!(" (from <code>{}</code>)", esc(f))
    });
    let _ = write!(
        o,
        "<li>{} {}{from}: <code>{}</code> {}",
        mark(b.value),
        prose(&b.explanation),
        esc(&b.source),
        loc(&b.location)
    );
    changes(o, &b.changes);
    o.push_str("</li>\n");
}

fn criterion(o: &mut String, c: &CriterionTrace) {
    let mut tags = format!("<span class=\"tag\">{}</span>", c.section.as_str());
    if let Some(w) = c.weight {
        let _ = write!(
            tags,
            "<span class=\"tag\">weight {}</span>",
            crate::value::format_number(w)
        );
    }
    if let Some(f) = &c.inherited_from {
        let _ = write!(tags, "<span class=\"tag\">from {}</span>", esc(f));
    }
    let _ = write!(
        o,
        "<li class=\"criterion\">{} <b>{}</b> {tags}<code>{}</code> {}",
        mark(c.value),
        esc(&c.name),
        esc(&c.source),
        loc(&c.location)
    );
    if let Some(note) = &c.note {
        let _ = write!(o, "<br><span class=\"muted\">{}</span>", esc(note));
    }
    if let Some(root) = &c.tree {
        let kids: Vec<&Node> = root
            .children
            .iter()
            .filter(|k| k.kind != "constant")
            .collect();
        if root.why.is_some() || !kids.is_empty() {
            o.push_str("<ul class=\"tree\">");
            if let Some(why) = &root.why {
                let _ = write!(o, "<li class=\"muted\">{}</li>", esc(&why_text(why)));
            }
            for k in kids {
                tree(o, k);
            }
            o.push_str("</ul>");
        }
    }
    o.push_str("</li>\n");
}

fn excerpt(o: &mut String, text: &str, at: &Location) {
    let _ = writeln!(
        o,
        "<details class=\"source\"><summary>Rule source ({}:{})</summary><pre>{}</pre></details>",
        esc(&at.file),
        at.line,
        esc(text)
    );
}

fn type_details(o: &mut String, t: &TypeTrace) {
    let score = score(t).map_or(String::new(), |s| format!(" · score {s}"));
    let _ = writeln!(
        o,
        "<details class=\"type\" id=\"type-{n}\"><summary>{} <b>{n}</b> {}{score} <span class=\"muted\">{}</span></summary>",
        mark(type_truth(t.status)),
        t.status.words(),
        esc(t.label.as_deref().unwrap_or("")),
        n = esc(&t.name)
    );
    let _ = writeln!(o, "<p>{}</p>", prose(&t.explanation));
    if let Some(w) = &t.why_not {
        o.push_str("<p><b>Why not</b></p><ul class=\"criteria\">\n");
        if let Some(p) = &w.parent_not_matched {
            let _ = writeln!(
                o,
                "<li>{} parent type <a href=\"#type-{p}\">{p}</a> is {}</li>",
                mark(Truth::False),
                TypeStatus::NotMatched.words(),
                p = esc(p)
            );
        }
        for b in &w.blockers {
            blocker(o, b);
        }
        o.push_str("</ul>\n");
    }
    o.push_str("<p><b>Criteria</b></p><ul class=\"criteria\">\n");
    for c in &t.criteria {
        criterion(o, c);
    }
    o.push_str("</ul>\n");
    excerpt(o, &t.excerpt, &t.location);
    o.push_str("</details>\n");
}

fn policy_details(o: &mut String, p: &PolicyTrace) {
    let order = p.order.map_or(String::new(), |n| format!("{n}. "));
    let _ = writeln!(
        o,
        "<details class=\"policy\" id=\"policy-{n}\"><summary>{} {order}<b>{n}</b> <span class=\"tag\">{}</span><span class=\"tag\">phase {}</span><span class=\"muted\">{}</span></summary>",
        mark(policy_truth(p.status)),
        p.kind,
        p.phase,
        esc(p.label.as_deref().unwrap_or("")),
        n = esc(&p.policy)
    );
    let _ = writeln!(o, "<p>{}</p>", prose(&p.explanation));
    o.push_str("<ul class=\"criteria\">");
    for t in &p.for_types {
        let _ = write!(
            o,
            "<li>{} for <a href=\"#type-{n}\">{n}</a>: {}</li>",
            mark(type_truth(t.status)),
            t.status.words(),
            n = esc(&t.name)
        );
    }
    if let Some(c) = &p.condition {
        tree(o, c);
    }
    o.push_str("</ul>\n");
    if let Some(w) = &p.why_not {
        changes(o, &w.changes);
        if !w.unknown_facts.is_empty() {
            let _ = writeln!(
                o,
                "<p>{}: {}</p>",
                words::MISSING_FACTS,
                esc(&w.unknown_facts.join(", "))
            );
        }
    }
    for (label, text) in [
        ("Advice", &p.advice),
        ("Rationale", &p.rationale),
        ("Source", &p.cite),
    ] {
        if let Some(t) = text {
            let _ = writeln!(o, "<p><b>{label}:</b> {}</p>", esc(t));
        }
    }
    excerpt(o, &p.excerpt, &p.location);
    o.push_str("</details>\n");
}

fn tables(o: &mut String, trace: &Trace) {
    if !trace.derived.is_empty() {
        let _ = writeln!(o, "<section id=\"derived\">\n<h2>{}</h2>", words::DERIVED);
        for d in &trace.derived {
            let _ = write!(
                o,
                "<details class=\"derived\" id=\"derived-{n}\"><summary>{} <b>{n}</b> = {} {}</summary><ul class=\"tree\">",
                value_mark(&d.value),
                esc(&d.display),
                loc(&d.location),
                n = esc(&d.name)
            );
            tree(o, &d.tree);
            o.push_str("</ul></details>\n");
        }
        o.push_str("</section>\n");
    }
    o.push_str("<section id=\"facts\">\n<h2>Facts</h2>\n<table><tr><th>Fact</th><th>Value</th><th>Type</th><th>From</th></tr>\n");
    for f in &trace.facts {
        let _ = writeln!(
            o,
            "<tr><td><code>{}</code></td><td>{}</td><td class=\"muted\">{}</td><td class=\"muted\">{}</td></tr>",
            esc(&f.name),
            esc(&f.display),
            esc(&f.ty),
            esc(&origin_text(&f.origin))
        );
    }
    o.push_str("</table>\n</section>\n");
    let changed: Vec<_> = trace.params.iter().filter(|p| p.overridden).collect();
    if !changed.is_empty() {
        o.push_str("<section id=\"params\"><h2>Parameters changed for this run</h2><table><tr><th>Parameter</th><th>Value</th></tr>\n");
        for p in changed {
            let _ = writeln!(
                o,
                "<tr><td><code>{}</code></td><td>{}</td></tr>",
                esc(&p.name),
                esc(&p.display)
            );
        }
        o.push_str("</table></section>\n");
    }
    let h = &trace.header;
    o.push_str("<section id=\"provenance\">\n<h2>Provenance</h2>\n<p>Check that this report came from these rules and facts with <code>meso verify TRACE.json</code> (the JSON trace of the same run).</p>\n<table>\n");
    let _ = writeln!(
        o,
        "<tr><th>meso version</th><td>{}</td></tr>",
        esc(&h.meso_version)
    );
    let _ = writeln!(
        o,
        "<tr><th>rule set</th><td><code>{}</code> ({})</td></tr>",
        esc(&h.rules.fingerprint),
        esc(&h.rules.origin)
    );
    let _ = writeln!(
        o,
        "<tr><th>facts</th><td><code>{}</code> ({})</td></tr>",
        esc(&h.facts.fingerprint),
        esc(&h.facts.file)
    );
    for (k, v) in &h.options.params {
        let _ = writeln!(
            o,
            "<tr><th>--param</th><td><code>{}={}</code></td></tr>",
            esc(k),
            esc(v)
        );
    }
    if let Some(st) = &h.stamp {
        let _ = writeln!(o, "<tr><th>created</th><td>{}</td></tr>", esc(&st.created));
    }
    for f in &h.rules.files {
        let _ = writeln!(
            o,
            "<tr><th><code>{}</code></th><td><code>{}</code></td></tr>",
            esc(&f.path),
            esc(&f.sha256)
        );
    }
    o.push_str("</table>\n</section>\n");
}
