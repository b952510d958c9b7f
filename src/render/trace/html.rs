//! Render stage, trace as HTML: [`Trace`] → ONE self-contained page for auditors (inline CSS, a
//! few lines of inline script, no external assets, nothing from the network).
//!
//! Summary on top (classification, type scores, recommendations in order, and apart from
//! them the items to avoid), then every type and policy as a `<details>` element that
//! expands to its criteria tree with the rule source excerpt, then derived values, the
//! facts, the parameters (thresholds) with their citations and the provenance
//! (fingerprints, files). Opening `page.html#type-NAME` (or `#policy-NAME`) expands that
//! element.
//!
//! Human labels lead, snake_case ids follow in small monospace. The page is evidence an
//! auditor files: printed (or saved as PDF) every `<details>` is expanded and the buttons
//! are hidden, so every criterion's fact values, thresholds and citations are on paper; it
//! reads from 390 px wide (long hashes and ids wrap) and follows the system's dark scheme.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{confirm_text, refute_text};
use super::{
    location, node_line, origin_text, policy_truth, score, type_truth, value_truth, why_text,
    words, AVOID_MARK, VALUE_MARK,
};
use crate::trace::model::{
    Blocker, Change, CriterionTrace, Location, Node, PolicyLine, PolicyTrace, Provisional, Trace,
    TypeTrace,
};
use crate::value::Truth;
use crate::vocab::PolicyStatus;
use crate::vocab::TypeStatus;

const STYLE: &str = r#"
:root{color-scheme:light dark;--fg:#1d2327;--bg:#fff;--muted:#5f6b76;--line:#d7dbe0;--head:#f0f2f5;--pre:#f6f7f9;--open:#fcfcfd;--tag:#eef1f5;--t:#11772b;--f:#b3261e;--u:#8a6100;--n:#555;--change:#0b4f9c;--warn-bg:#fff8e6;--avoid:#b3261e;--avoid-bg:#fdf0ef;--rec:#11772b;--rec-bg:#f1f8f3;--link:#0b4f9c}
a{color:var(--link)}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:70rem;padding:1rem 1.5rem;color:var(--fg);background:var(--bg)}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.2rem;border-bottom:1px solid var(--line);padding-bottom:.2rem;margin-top:2rem}
code,pre{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
code,td,th,summary,li,p,h1{overflow-wrap:anywhere}
pre{background:var(--pre);border:1px solid var(--line);padding:.6rem;overflow-x:auto;white-space:pre-wrap}
table{border-collapse:collapse;margin:.5rem 0;max-width:100%}td,th{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:var(--head)}
.t{color:var(--t)}.f{color:var(--f)}.u{color:var(--u)}.n{color:var(--n)}
.mark{display:inline-block;width:1.1em;font-weight:bold}
details{border:1px solid var(--line);border-radius:6px;margin:.4rem 0;padding:.2rem .7rem}
details[open]{background:var(--open)}summary{cursor:pointer;padding:.2rem 0}
details.source{border-style:dashed}
ul.tree,ul.criteria{list-style:none;padding-left:1.2rem;margin:.2rem 0}
.loc,.muted{color:var(--muted);font-size:.85em}.tag{font-size:.8em;background:var(--tag);border-radius:3px;padding:0 .3rem;margin-right:.3rem}
.id{color:var(--muted);font-size:.8em}
.cite{color:var(--muted);font-style:italic}
.skipped{opacity:.6}.change{color:var(--change)}
.classification{font-size:1.15rem}nav button{margin-right:.4rem}
.recommendations{border-left:4px solid var(--rec);background:var(--rec-bg);padding:.3rem .9rem;margin:.6rem 0;border-radius:0 6px 6px 0}
.avoid{border-left:4px solid var(--avoid);background:var(--avoid-bg);padding:.3rem .9rem;margin:.6rem 0;border-radius:0 6px 6px 0}
.avoid h3,.avoid h2{color:var(--avoid)}.recommendations h3{color:var(--rec)}
.warn{color:var(--avoid);font-weight:bold}
details.policy.kind-avoid{border-left:4px solid var(--avoid)}
.provisional{border:2px dashed var(--u);background:var(--warn-bg);border-radius:6px;padding:.5rem .9rem;margin:.6rem 0}
.provisional .badge{display:inline-block;background:var(--u);color:#fff;border-radius:3px;padding:0 .4rem;font-size:.8em;font-weight:bold;text-transform:uppercase;letter-spacing:.03em}
@media (max-width:600px){body{padding:.6rem .7rem;font-size:14px}ul.tree,ul.criteria{padding-left:.6rem}td,th{padding:.2rem .3rem}}
@media (prefers-color-scheme:dark){:root{--fg:#e3e6ea;--bg:#16191d;--muted:#a2acb6;--line:#3a4149;--head:#23282e;--pre:#1d2126;--open:#1a1e23;--tag:#2a3037;--t:#5fd17a;--f:#ff8a80;--u:#f0b64a;--n:#b0b7bf;--change:#7ab8ff;--warn-bg:#2b2414;--avoid:#ff8a80;--avoid-bg:#2c1b1a;--rec:#5fd17a;--rec-bg:#17261b;--link:#8cc4ff}.provisional .badge{color:#16191d}}
@media print{
:root{--fg:#000;--bg:#fff;--muted:#333;--line:#999;--head:#eee;--pre:#fff;--open:#fff;--tag:#eee;--t:#0a5c1f;--f:#9b1c14;--u:#6b4b00;--warn-bg:#fff;--avoid-bg:#fff;--rec-bg:#fff}
body{max-width:none;padding:0;font-size:11pt}
nav,button{display:none !important}
details{break-inside:auto}
details::details-content{content-visibility:visible;display:block}
details>summary{list-style:none}details>summary::-webkit-details-marker{display:none}
.provisional,.avoid,.recommendations{-webkit-print-color-adjust:exact;print-color-adjust:exact}
a{color:inherit;text-decoration:none}
}
"#;

const SCRIPT: &str = r#"
function openHash(){var id=decodeURIComponent(location.hash.slice(1));var e=id&&document.getElementById(id);
if(e&&e.tagName==='DETAILS'){e.open=true;e.scrollIntoView();}}
function setAll(open){document.querySelectorAll('details').forEach(function(d){d.open=open;});}
window.addEventListener('hashchange',openHash);openHash();
var wasOpen=[];
window.addEventListener('beforeprint',function(){wasOpen=[];document.querySelectorAll('details').forEach(function(d){wasOpen.push(d.open);d.open=true;});});
window.addEventListener('afterprint',function(){document.querySelectorAll('details').forEach(function(d,i){if(i<wasOpen.length){d.open=wasOpen[i];}});});
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

/// A name as a heading: its human label first, the snake_case id after it, small; the id
/// alone (as code) without a label.
fn named(label: Option<&str>, id: &str) -> String {
    match label {
        Some(l) if !l.is_empty() => {
            format!("<b>{}</b> <code class=\"id\">{}</code>", esc(l), esc(id))
        }
        _ => format!("<b><code>{}</code></b>", esc(id)),
    }
}

/// A citation, when there is one.
fn cite(text: Option<&str>) -> String {
    text.map_or(String::new(), |c| {
        format!("<span class=\"cite\">{}: {}</span>", words::SOURCE, esc(c))
    })
}

/// What a tree needs from the rest of the trace: each parameter's citation, shown beside
/// the threshold where a criterion reads it.
struct Cx<'a> {
    param_cites: BTreeMap<&'a str, &'a str>,
}

impl<'a> Cx<'a> {
    fn new(trace: &'a Trace) -> Self {
        Cx {
            param_cites: trace
                .params
                .iter()
                .filter_map(|p| Some((p.name.as_str(), p.cite.as_deref()?)))
                .collect(),
        }
    }
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
    let cx = Cx::new(trace);
    summary(&mut o, trace);
    if !trace.types.is_empty() {
        let _ = writeln!(o, "<section id=\"types\">\n<h2>{}</h2>", words::TYPES);
        for t in &trace.types {
            type_details(&mut o, t, &cx);
        }
        o.push_str("</section>\n");
    }
    for (kind, id, heading, class) in [
        ("recommend", "policies", words::RECOMMENDATIONS, ""),
        (
            "avoid",
            "avoid-items",
            words::AVOID_ITEMS,
            " class=\"avoid\"",
        ),
    ] {
        let items: Vec<&PolicyTrace> = trace.policies.iter().filter(|p| p.kind == kind).collect();
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(o, "<section id=\"{id}\"{class}>\n<h2>{heading}</h2>");
        for p in items {
            policy_details(&mut o, p, &cx);
        }
        o.push_str("</section>\n");
    }
    tables(&mut o, trace, &cx);
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
        let label = trace
            .types
            .iter()
            .find(|full| full.name == t.name)
            .and_then(|full| full.label.as_deref());
        let _ = writeln!(
            o,
            "<tr><td><a href=\"#type-{}\">{}</a></td><td>{} {}</td><td>{:.2}</td></tr>",
            esc(&t.name),
            named(label, &t.name),
            mark(type_truth(t.status)),
            t.status.words(),
            t.score,
        );
    }
    o.push_str("</table>\n");
    policy_lists(o, &s.policies, words::RECOMMENDED, words::TO_AVOID);
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
        let _ = writeln!(o, "<p>{}:</p>", words::PROVISIONAL_POLICIES);
        policy_lists(
            o,
            &prov.policies,
            &format!("{} (if confirmed)", words::RECOMMENDED),
            &format!("{} (if confirmed)", words::TO_AVOID),
        );
    }
    o.push_str("</div>\n");
}

/// The applicable items of a summary: recommendations in one list, avoid items in another,
/// visibly different (a red rule and a warning mark), each numbered by its place in the
/// whole sequence.
fn policy_lists(o: &mut String, list: &[PolicyLine], recommended: &str, to_avoid: &str) {
    let (avoid, recommend): (Vec<&PolicyLine>, Vec<&PolicyLine>) =
        list.iter().partition(|p| p.kind == "avoid");
    let _ = writeln!(
        o,
        "<div class=\"recommendations\"><h3>{}</h3>",
        esc(recommended)
    );
    if recommend.is_empty() {
        o.push_str("<p>None.</p>\n");
    } else {
        o.push_str("<ol>\n");
        for p in recommend {
            let _ = writeln!(
                o,
                "<li value=\"{}\"><a href=\"#policy-{}\">{}</a> <span class=\"tag\">phase {}</span></li>",
                p.order,
                esc(&p.policy),
                named(p.label.as_deref(), &p.policy),
                p.phase,
            );
        }
        o.push_str("</ol>\n");
    }
    o.push_str("</div>\n");
    if avoid.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "<div class=\"avoid\"><h3><span class=\"warn\">{AVOID_MARK}</span> {}</h3>\n<ol>",
        esc(to_avoid)
    );
    for p in avoid {
        let _ = writeln!(
            o,
            "<li value=\"{}\"><span class=\"warn\" title=\"avoid\">{AVOID_MARK}</span> <a href=\"#policy-{}\">{}</a> <span class=\"tag\">phase {}</span></li>",
            p.order,
            esc(&p.policy),
            named(p.label.as_deref(), &p.policy),
            p.phase,
        );
    }
    o.push_str("</ol>\n</div>\n");
}

fn tree(o: &mut String, n: &Node, cx: &Cx<'_>) {
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
    if n.kind == "param" {
        let source = n
            .name
            .as_deref()
            .and_then(|name| cx.param_cites.get(name).copied());
        if source.is_some() {
            let _ = write!(o, " {}", cite(source));
        }
    }
    let kids: Vec<&Node> = n.children.iter().filter(|c| c.kind != "constant").collect();
    if !kids.is_empty() {
        o.push_str("<ul class=\"tree\">");
        for c in kids {
            tree(o, c, cx);
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

fn criterion(o: &mut String, c: &CriterionTrace, cx: &Cx<'_>) {
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
    // The criterion's note (its words) leads; its name follows as an id.
    let _ = write!(
        o,
        "<li class=\"criterion\">{} {} {tags}<br><code>{}</code> {}",
        mark(c.value),
        named(c.note.as_deref(), &c.name),
        esc(&c.source),
        loc(&c.location)
    );
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
                tree(o, k, cx);
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

fn type_details(o: &mut String, t: &TypeTrace, cx: &Cx<'_>) {
    let score = score(t).map_or(String::new(), |s| format!(" · score {s}"));
    let _ = writeln!(
        o,
        "<details class=\"type\" id=\"type-{}\"><summary>{} {} — {}{score}</summary>",
        esc(&t.name),
        mark(type_truth(t.status)),
        named(t.label.as_deref(), &t.name),
        t.status.words(),
    );
    let _ = writeln!(o, "<p>{}</p>", prose(&t.explanation));
    if t.cite.is_some() {
        let _ = writeln!(o, "<p>{}</p>", cite(t.cite.as_deref()));
    }
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
        criterion(o, c, cx);
    }
    o.push_str("</ul>\n");
    excerpt(o, &t.excerpt, &t.location);
    o.push_str("</details>\n");
}

fn policy_details(o: &mut String, p: &PolicyTrace, cx: &Cx<'_>) {
    let order = p.order.map_or(String::new(), |n| format!("{n}. "));
    // An avoid item that applies is a warning, never a green tick.
    let status_mark = if p.kind == "avoid" && p.status == PolicyStatus::Applies {
        format!("<span class=\"mark warn\" title=\"avoid\">{AVOID_MARK}</span>")
    } else {
        mark(policy_truth(p.status))
    };
    let _ = writeln!(
        o,
        "<details class=\"policy kind-{kind}\" id=\"policy-{}\"><summary>{status_mark} {order}{} <span class=\"tag\">{kind}</span><span class=\"tag\">phase {}</span></summary>",
        esc(&p.policy),
        named(p.label.as_deref(), &p.policy),
        p.phase,
        kind = p.kind,
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
        tree(o, c, cx);
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
        (words::SOURCE, &p.cite),
    ] {
        if let Some(t) = text {
            let _ = writeln!(o, "<p><b>{label}:</b> {}</p>", esc(t));
        }
    }
    excerpt(o, &p.excerpt, &p.location);
    o.push_str("</details>\n");
}

fn tables(o: &mut String, trace: &Trace, cx: &Cx<'_>) {
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
            tree(o, &d.tree, cx);
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
    if !trace.params.is_empty() {
        o.push_str("<section id=\"params\"><h2>Parameters (thresholds)</h2><table><tr><th>Parameter</th><th>Value</th><th>Source</th></tr>\n");
        for p in &trace.params {
            let changed = if p.overridden {
                " <span class=\"tag\">changed for this run (--param)</span>"
            } else {
                ""
            };
            let _ = writeln!(
                o,
                "<tr><td><code>{}</code></td><td>{}{changed}</td><td class=\"cite\">{}</td></tr>",
                esc(&p.name),
                esc(&p.display),
                esc(p.cite.as_deref().unwrap_or(""))
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
