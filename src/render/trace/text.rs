//! Render stage, trace as text: [`Trace`] → an indented tree for a terminal, with ✓ (true),
//! ✗ (false) and ? (unknown) marks, the source location of every criterion, why-not
//! answers, the policies in order, derived values, parameters and the facts; the citation
//! (`cite`) of every type, policy and parameter that has one, as `source: ...`.
//!
//! Colours (ANSI) only when the caller asks for them (a terminal without NO_COLOR).

use std::fmt::Write;

use super::{
    classification, location, mark, node_line, origin_text, policy_truth, score, type_truth,
    value_truth, why_text, words, AVOID_MARK, VALUE_MARK,
};
use super::{confirm_text, refute_text};
use crate::trace::model::{
    Blocker, Change, CriterionTrace, Node, PolicyTrace, Provisional, Trace, TypeTrace,
};
use crate::value::Truth;
use crate::vocab::{PolicyStatus, TypeStatus};

/// ANSI styling, or none.
#[derive(Clone, Copy)]
struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    fn truth(self, t: Truth) -> String {
        let code = match t {
            Truth::True => "32",
            Truth::False => "31",
            Truth::Unknown => "33",
        };
        self.wrap(code, mark(t))
    }

    fn dim(self, s: &str) -> String {
        self.wrap("2", s)
    }

    fn bold(self, s: &str) -> String {
        self.wrap("1", s)
    }
}

/// Render a whole trace; `color` adds ANSI colours.
pub fn render(trace: &Trace, color: bool) -> String {
    let p = Paint { on: color };
    let mut out = String::new();
    header(&mut out, trace, p);
    let s = &trace.summary;
    let _ = writeln!(
        out,
        "{} {}",
        p.bold("Classification:"),
        classification(s, str::to_string)
    );
    let _ = writeln!(out, "  {}", s.explanation);
    if let Some(prov) = &s.provisional {
        provisional(&mut out, prov, p);
    }
    if !trace.types.is_empty() {
        let _ = writeln!(out, "\n{}", p.bold("Types"));
    }
    for t in &trace.types {
        type_block(&mut out, t, p);
    }
    if !trace.policies.is_empty() {
        let _ = writeln!(out, "\n{}", p.bold(words::POLICIES));
    }
    for pol in &trace.policies {
        policy_block(&mut out, pol, p);
    }
    tables(&mut out, trace, p);
    out
}

/// The provisional lead, marked so that it cannot be read as certain.
fn provisional(out: &mut String, prov: &Provisional, p: Paint) {
    let label = prov.label.as_deref().unwrap_or(&prov.name);
    let _ = writeln!(
        out,
        "{} {label} (`{}`, score {:.2}) -- {}",
        p.bold(&format!("{}:", words::PROVISIONALLY)),
        prov.name,
        prov.score,
        words::NOT_CERTAIN
    );
    if let Some(confirm) = confirm_text(&prov.deciding) {
        let _ = writeln!(out, "  confirmed if: {confirm}");
    }
    if let Some(refute) = refute_text(&prov.deciding) {
        let _ = writeln!(out, "  refuted if:   {refute}");
    }
    for d in &prov.deciding {
        let from = d
            .inherited_from
            .as_ref()
            .map_or(String::new(), |t| format!(", from `{t}`"));
        let _ = writeln!(
            out,
            "  ? {} [{}{from}]: {}  {}",
            d.criterion,
            d.section.as_str(),
            d.source,
            location(&d.location)
        );
    }
    if !prov.alternatives.is_empty() {
        let _ = writeln!(
            out,
            "  also still possible: {}",
            prov.alternatives.join(", ")
        );
    }
    if !prov.policies.is_empty() {
        let _ = writeln!(out, "  {}:", words::PROVISIONAL_POLICIES);
        for pol in &prov.policies {
            let _ = writeln!(
                out,
                "    {}. {} ({}, phase {}){}",
                pol.order,
                pol.policy,
                pol.kind,
                pol.phase,
                pol.label
                    .as_ref()
                    .map_or(String::new(), |l| format!(": {l}"))
            );
        }
    }
}

fn header(out: &mut String, trace: &Trace, p: Paint) {
    let h = &trace.header;
    let _ = writeln!(
        out,
        "{}",
        p.bold(&format!("meso trace (format {})", trace.trace_version))
    );
    let _ = writeln!(out, "  meso version  {}", h.meso_version);
    let _ = writeln!(
        out,
        "  rules         {} ({} files, {})",
        h.rules.fingerprint,
        h.rules.files.len(),
        h.rules.origin
    );
    let _ = writeln!(
        out,
        "  facts         {} ({})",
        h.facts.fingerprint, h.facts.file
    );
    if !h.options.params.is_empty() {
        let list: Vec<String> = h
            .options
            .params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let _ = writeln!(out, "  --param       {}", list.join(", "));
    }
    if h.options.allow_unknown_facts {
        let _ = writeln!(out, "  --allow-unknown-facts");
    }
    if let Some(t) = &h.options.only_type {
        let _ = writeln!(out, "  --type        {t}");
    }
    if let Some(pol) = &h.options.only_policy {
        let _ = writeln!(out, "  --policy      {pol}");
    }
    if h.options.strict_unknowns {
        let _ = writeln!(out, "  --strict-unknowns");
    }
    if let Some(st) = &h.stamp {
        let _ = writeln!(out, "  created       {}", st.created);
        let _ = writeln!(out, "  facts path    {}", st.facts_path);
        let _ = writeln!(out, "  rules path    {}", st.rules_path);
    }
    out.push('\n');
}

fn type_block(out: &mut String, t: &TypeTrace, p: Paint) {
    let score = score(t).map_or(String::new(), |s| {
        format!(
            ", score {s} ({} of {})",
            num(t.met_weight),
            num(t.total_weight)
        )
    });
    let _ = writeln!(
        out,
        "\n{} {} {}{score}  {}",
        p.truth(type_truth(t.status)),
        p.bold(&t.name),
        t.status.words(),
        p.dim(&location(&t.location))
    );
    let _ = writeln!(out, "    {}", t.explanation);
    if let Some(c) = &t.cite {
        let _ = writeln!(out, "    {}", p.dim(&format!("source: {c}")));
    }
    if let Some(w) = &t.why_not {
        let _ = writeln!(out, "    why not:");
        if let Some(parent) = &w.parent_not_matched {
            let _ = writeln!(
                out,
                "      - parent type `{parent}` is {}",
                TypeStatus::NotMatched.words()
            );
        }
        for b in &w.blockers {
            blocker(out, b, p, "      ");
        }
    }
    for c in &t.criteria {
        criterion(out, c, p);
    }
}

fn blocker(out: &mut String, b: &Blocker, p: Paint, indent: &str) {
    let from = b
        .inherited_from
        .as_ref()
        .map_or(String::new(), |f| format!(" (from `{f}`)"));
    let _ = writeln!(
        out,
        "{indent}{} {}{from}: {}  {}",
        p.truth(b.value),
        b.explanation,
        b.source,
        p.dim(&location(&b.location))
    );
    changes(out, &b.changes, indent);
}

fn changes(out: &mut String, list: &[Change], indent: &str) {
    for c in list {
        let _ = writeln!(out, "{indent}    → {}", c.sentence);
    }
}

fn num(x: f64) -> String {
    crate::value::format_number(x)
}

fn criterion(out: &mut String, c: &CriterionTrace, p: Paint) {
    let mut tags = vec![c.section.as_str().to_string()];
    if let Some(w) = c.weight {
        tags.push(format!("weight {}", num(w)));
    }
    if let Some(f) = &c.inherited_from {
        tags.push(format!("inherited from `{f}`"));
    }
    let _ = writeln!(
        out,
        "    {} {} [{}]: {}  {}",
        p.truth(c.value),
        c.name,
        tags.join(", "),
        c.source,
        p.dim(&location(&c.location))
    );
    if let Some(tree) = &c.tree {
        if let Some(why) = &tree.why {
            let _ = writeln!(out, "        ({})", why_text(why));
        }
        for child in &tree.children {
            node(out, child, p, 8);
        }
    }
}

/// One node and its operands, indented by `depth` spaces.
fn node(out: &mut String, n: &Node, p: Paint, depth: usize) {
    if n.kind == "constant" {
        return;
    }
    let mark = value_truth(&n.value).map_or_else(|| VALUE_MARK.to_string(), |t| p.truth(t));
    let line = node_line(n);
    let line = if n.evaluated { line } else { p.dim(&line) };
    let _ = writeln!(out, "{:depth$}{mark} {line}", "");
    for c in &n.children {
        node(out, c, p, depth + 2);
    }
}

fn policy_block(out: &mut String, pol: &PolicyTrace, p: Paint) {
    let truth = policy_truth(pol.status);
    let order = pol.order.map_or("  ".to_string(), |o| format!("{o:>2}"));
    // An avoid item that applies is a warning, never the ✓ of a recommendation.
    let status_mark = if pol.kind == "avoid" && pol.status == PolicyStatus::Applies {
        p.wrap("31", AVOID_MARK)
    } else {
        p.truth(truth)
    };
    let _ = writeln!(
        out,
        "\n{order} {} {} [{}, phase {}]{}  {}",
        status_mark,
        p.bold(&pol.policy),
        pol.kind,
        pol.phase,
        pol.label
            .as_ref()
            .map_or(String::new(), |l| format!(": {l}")),
        p.dim(&location(&pol.location))
    );
    let _ = writeln!(out, "     {}", pol.explanation);
    if let Some(c) = &pol.cite {
        let _ = writeln!(out, "     {}", p.dim(&format!("source: {c}")));
    }
    if let Some(cond) = &pol.condition {
        let _ = writeln!(out, "     when {}", cond.text);
        node(out, cond, p, 7);
    }
    if let Some(w) = &pol.why_not {
        changes(out, &w.changes, "     ");
        if !w.unknown_facts.is_empty() {
            let _ = writeln!(
                out,
                "     missing facts that would decide it: {}",
                w.unknown_facts.join(", ")
            );
        }
    }
}

fn tables(out: &mut String, trace: &Trace, p: Paint) {
    if !trace.derived.is_empty() {
        let _ = writeln!(out, "\n{}", p.bold(words::DERIVED));
        for d in &trace.derived {
            let _ = writeln!(
                out,
                "  {} = {}  {}",
                d.name,
                d.display,
                p.dim(&location(&d.location))
            );
            let _ = writeln!(out, "      = {}", d.tree.text);
            if d.tree.kind == "fact" {
                node(out, &d.tree, p, 6);
            }
            for c in &d.tree.children {
                node(out, c, p, 6);
            }
        }
    }
    if !trace.params.is_empty() {
        let _ = writeln!(out, "\n{}", p.bold("Parameters (thresholds)"));
        for x in &trace.params {
            let changed = if x.overridden {
                "  (changed with --param)"
            } else {
                ""
            };
            let _ = writeln!(out, "  {} = {}{changed}", x.name, x.display);
            if let Some(c) = &x.cite {
                let _ = writeln!(out, "      {}", p.dim(&format!("source: {c}")));
            }
        }
    }
    let _ = writeln!(out, "\n{}", p.bold("Facts"));
    let width = trace
        .facts
        .iter()
        .map(|f| f.name.chars().count())
        .max()
        .unwrap_or(0);
    for f in &trace.facts {
        let _ = writeln!(
            out,
            "  {:width$}  {}  {}",
            f.name,
            f.display,
            p.dim(&format!("({})", origin_text(&f.origin)))
        );
    }
}
