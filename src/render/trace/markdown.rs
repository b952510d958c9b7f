//! Render stage, trace as Markdown: [`Trace`] → a report for documents and pull requests:
//! header table, summary (recommendations and avoid items in separate lists), each type
//! with its criteria as nested lists, each policy, the derived values, the parameters with
//! their citations, the facts and the rule files with their hashes. Types, policies and
//! parameters show their citation (`cite`) as `Source: ...`.

use std::fmt::Write;

use super::{
    classification, mark, node_line, origin_text, policy_truth, score, type_truth, value_truth,
    why_text, words, AVOID_MARK, VALUE_MARK,
};
use super::{confirm_text, refute_text};
use crate::trace::model::{Change, Location, Node, PolicyTrace, Provisional, Trace, TypeTrace};
use crate::vocab::{PolicyStatus, TypeStatus};

/// The mark of a node's value: ✓ ✗ ? for conditions, `·` for numbers and names.
fn value_mark(v: &serde_json::Value) -> &'static str {
    value_truth(v).map_or(VALUE_MARK, mark)
}

/// Text safe inside a table cell or inline code.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('`', "'").replace('\n', " ")
}

fn loc(l: &Location) -> String {
    format!("{}:{}", l.file, l.line)
}

/// Render a whole trace as Markdown.
pub fn render(trace: &Trace) -> String {
    let mut out = String::new();
    let h = &trace.header;
    let _ = writeln!(out, "# meso trace: `{}`\n", cell(&h.facts.file));
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(out, "| trace format | {} |", trace.trace_version);
    let _ = writeln!(out, "| meso version | {} |", h.meso_version);
    let _ = writeln!(
        out,
        "| rules | `{}` ({} files, {}) |",
        h.rules.fingerprint,
        h.rules.files.len(),
        h.rules.origin
    );
    let _ = writeln!(out, "| facts | `{}` |", h.facts.fingerprint);
    let params: Vec<String> = h
        .options
        .params
        .iter()
        .map(|(k, v)| format!("`{k}={}`", cell(v)))
        .collect();
    let _ = writeln!(
        out,
        "| parameters changed | {} |",
        if params.is_empty() {
            "none".into()
        } else {
            params.join(", ")
        }
    );
    if h.options.allow_unknown_facts {
        let _ = writeln!(
            out,
            "| undeclared facts | allowed (`--allow-unknown-facts`) |"
        );
    }
    if let Some(st) = &h.stamp {
        let _ = writeln!(out, "| created | {} |", st.created);
    }
    summary(&mut out, trace);
    if !trace.types.is_empty() {
        let _ = writeln!(out, "\n## {}", words::TYPES);
    }
    for t in &trace.types {
        type_section(&mut out, t);
    }
    if !trace.policies.is_empty() {
        let _ = writeln!(out, "\n## {}", words::POLICIES);
    }
    for p in &trace.policies {
        policy_section(&mut out, p);
    }
    tables(&mut out, trace);
    out
}

fn summary(out: &mut String, trace: &Trace) {
    let s = &trace.summary;
    out.push_str("\n## Summary\n\n");
    let _ = writeln!(
        out,
        "**Classification:** {}  \n{}\n",
        classification(s, cell),
        cell(&s.explanation)
    );
    if let Some(prov) = &s.provisional {
        provisional(out, prov);
    }
    out.push_str("| Type | Status | Score |\n|---|---|---:|\n");
    for t in &s.types {
        let _ = writeln!(
            out,
            "| `{}` | {} {} | {:.2} |",
            t.name,
            mark(type_truth(t.status)),
            t.status.words(),
            t.score
        );
    }
    // Recommendations and avoid items in two lists, each item with its step in the whole
    // sequence (bullets: a Markdown ordered list would renumber them); avoid items marked
    // as warnings.
    let (avoid, recommend): (Vec<_>, Vec<_>) = s.policies.iter().partition(|p| p.kind == "avoid");
    let _ = writeln!(out, "\n**{}:**\n", words::RECOMMENDED);
    if recommend.is_empty() {
        out.push_str("none\n");
    }
    let item = |p: &crate::trace::model::PolicyLine, mark: &str| {
        let name = p.label.as_ref().map_or_else(
            || format!("`{}`", p.policy),
            |l| format!("**{}** (`{}`)", cell(l), p.policy),
        );
        format!("- step {}: {mark}{name}, phase {}", p.order, p.phase)
    };
    for p in recommend {
        let _ = writeln!(out, "{}", item(p, ""));
    }
    if !avoid.is_empty() {
        let _ = writeln!(out, "\n**{AVOID_MARK} {}:**\n", words::TO_AVOID);
        for p in avoid {
            let _ = writeln!(out, "{}", item(p, &format!("{AVOID_MARK} ")));
        }
    }
    if !s.undetermined_policies.is_empty() {
        let list: Vec<String> = s
            .undetermined_policies
            .iter()
            .map(|p| format!("`{p}`"))
            .collect();
        let _ = writeln!(out, "\n{}: {}", words::UNDETERMINED, list.join(", "));
    }
}

/// The provisional lead as a quoted block, so that it stands apart from the firm results.
fn provisional(out: &mut String, prov: &Provisional) {
    let label = prov.label.as_deref().unwrap_or(&prov.name);
    let _ = writeln!(
        out,
        "> **{}:** *{}* (`{}`, score {:.2}) — **{}**  ",
        words::PROVISIONALLY,
        cell(label),
        prov.name,
        prov.score,
        words::NOT_CERTAIN
    );
    if let Some(confirm) = confirm_text(&prov.deciding) {
        let _ = writeln!(out, "> confirmed if: {}  ", cell(&confirm));
    }
    if let Some(refute) = refute_text(&prov.deciding) {
        let _ = writeln!(out, "> refuted if: {}  ", cell(&refute));
    }
    if !prov.alternatives.is_empty() {
        let _ = writeln!(
            out,
            "> also still possible: {}  ",
            prov.alternatives.join(", ")
        );
    }
    if !prov.policies.is_empty() {
        let _ = writeln!(out, ">\n> *{}:*\n>", words::PROVISIONAL_POLICIES);
        for pol in &prov.policies {
            let _ = writeln!(
                out,
                "> {}. `{}` ({}, phase {}){}",
                pol.order,
                pol.policy,
                pol.kind,
                pol.phase,
                pol.label
                    .as_ref()
                    .map_or(String::new(), |l| format!(": {}", cell(l)))
            );
        }
    }
    out.push('\n');
}

fn tree(out: &mut String, n: &Node, depth: usize) {
    if n.kind == "constant" {
        return;
    }
    let _ = writeln!(
        out,
        "{:indent$}- {} `{}`",
        "",
        value_mark(&n.value),
        cell(&node_line(n)),
        indent = depth * 2
    );
    for c in &n.children {
        tree(out, c, depth + 1);
    }
}

fn changes(out: &mut String, list: &[Change], depth: usize) {
    for c in list {
        let _ = writeln!(
            out,
            "{:indent$}- → {}",
            "",
            cell(&c.sentence),
            indent = depth * 2
        );
    }
}

fn type_section(out: &mut String, t: &TypeTrace) {
    let score = score(t).map_or(String::new(), |s| format!(", score {s}"));
    let _ = writeln!(
        out,
        "\n### {} `{}`: {}{score}\n",
        mark(type_truth(t.status)),
        t.name,
        t.status.words()
    );
    if let Some(l) = &t.label {
        let _ = writeln!(out, "*{}* ({})\n", cell(l), loc(&t.location));
    }
    if let Some(c) = &t.cite {
        let _ = writeln!(out, "Source: {}\n", cell(c));
    }
    let _ = writeln!(out, "{}\n", cell(&t.explanation));
    if let Some(w) = &t.why_not {
        out.push_str("**Why not:**\n\n");
        if let Some(p) = &w.parent_not_matched {
            let _ = writeln!(
                out,
                "- parent type `{p}` is {}",
                TypeStatus::NotMatched.words()
            );
        }
        for b in &w.blockers {
            let _ = writeln!(
                out,
                "- {} {}: `{}` ({})",
                mark(b.value),
                cell(&b.explanation),
                cell(&b.source),
                loc(&b.location)
            );
            changes(out, &b.changes, 1);
        }
        out.push('\n');
    }
    out.push_str("**Criteria:**\n\n");
    for c in &t.criteria {
        let mut tags = vec![c.section.as_str().to_string()];
        if let Some(w) = c.weight {
            tags.push(format!("weight {}", crate::value::format_number(w)));
        }
        if let Some(f) = &c.inherited_from {
            tags.push(format!("from `{f}`"));
        }
        let _ = writeln!(
            out,
            "- {} **{}** ({}): `{}` ({})",
            mark(c.value),
            c.name,
            tags.join(", "),
            cell(&c.source),
            loc(&c.location)
        );
        if let Some(root) = &c.tree {
            if let Some(why) = &root.why {
                let _ = writeln!(out, "  - {}", cell(&why_text(why)));
            }
            for ch in &root.children {
                tree(out, ch, 1);
            }
        }
    }
}

fn policy_section(out: &mut String, p: &PolicyTrace) {
    let order = p.order.map_or(String::new(), |o| format!("{o}. "));
    // An avoid item that applies is a warning, never the ✓ of a recommendation.
    let status_mark = if p.kind == "avoid" && p.status == PolicyStatus::Applies {
        AVOID_MARK
    } else {
        mark(policy_truth(p.status))
    };
    let _ = writeln!(
        out,
        "\n### {} {order}`{}` ({}, phase {})\n",
        status_mark, p.policy, p.kind, p.phase
    );
    if let Some(l) = &p.label {
        let _ = writeln!(out, "*{}* ({})\n", cell(l), loc(&p.location));
    }
    let _ = writeln!(out, "{}\n", cell(&p.explanation));
    if let Some(c) = &p.condition {
        let _ = writeln!(out, "Condition: `{}`\n", cell(&c.text));
        tree(out, c, 0);
        out.push('\n');
    }
    if let Some(w) = &p.why_not {
        if !w.changes.is_empty() {
            changes(out, &w.changes, 0);
            out.push('\n');
        }
        if !w.unknown_facts.is_empty() {
            let _ = writeln!(
                out,
                "{}: {}\n",
                words::MISSING_FACTS,
                w.unknown_facts.join(", ")
            );
        }
    }
    if let (PolicyStatus::Applies, Some(a)) = (p.status, &p.advice) {
        let _ = writeln!(
            out,
            "> {}\n",
            a.split_whitespace().collect::<Vec<_>>().join(" ")
        );
    }
    if let Some(c) = &p.cite {
        let _ = writeln!(out, "Source: {}", cell(c));
    }
}

fn tables(out: &mut String, trace: &Trace) {
    if !trace.derived.is_empty() {
        let _ = writeln!(
            out,
            "\n## {}\n\n| Name | Value | Definition | Where |\n|---|---|---|---|",
            words::DERIVED
        );
        for d in &trace.derived {
            let _ = writeln!(
                out,
                "| `{}` | {} | `{}` | {} |",
                d.name,
                cell(&d.display),
                cell(&d.tree.text),
                loc(&d.location)
            );
        }
    }
    if !trace.params.is_empty() {
        out.push_str("\n## Parameters (thresholds)\n\n| Name | Value | Source |\n|---|---|---|\n");
        for p in &trace.params {
            let changed = if p.overridden {
                " (changed with --param)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "| `{}` | {}{changed} | {} |",
                p.name,
                cell(&p.display),
                cell(p.cite.as_deref().unwrap_or(""))
            );
        }
    }
    out.push_str("\n## Facts\n\n| Fact | Value | From |\n|---|---|---|\n");
    for f in &trace.facts {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} |",
            f.name,
            cell(&f.display),
            cell(&origin_text(&f.origin))
        );
    }
    out.push_str("\n## Rule files\n\n| File | SHA-256 |\n|---|---|\n");
    for f in &trace.header.rules.files {
        let _ = writeln!(out, "| `{}` | `{}` |", f.path, f.sha256);
    }
}
