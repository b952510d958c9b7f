//! Table output of `meso eval`: what an analyst reads in a terminal.
//!
//! Classification first, then every type with status and score, then the policies in
//! order with their phase and advice, then the policy errors to avoid.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, ContentArrangement, Table};

use super::report::{EvalReport, PolicyReport, ProvisionalReport};
use super::trace::{confirm_text, refute_text};
use super::wrap::wrap;
use crate::vocab::{PolicyKind, TypeStatus};

/// Width used for wrapped advice text.
const WIDTH: usize = 88;

/// Render one cluster's report as text.
pub fn render_report(report: &EvalReport) -> String {
    let mut out = String::new();
    out.push_str(&format!("Cluster facts: {}\n", report.facts_file));
    out.push_str(&format!(
        "Rules: {} ({})\n",
        report.rules_source, report.rules_fingerprint
    ));
    match &report.classification {
        Some(name) => {
            let label = report.classification_label.as_deref().unwrap_or(name);
            let score = report
                .types
                .iter()
                .find(|t| t.name == *name)
                .map_or(String::new(), |t| format!(", score {:.2}", t.score));
            out.push_str(&format!("Classification: {label} (`{name}`{score})\n"));
        }
        None if report.provisional.is_some() => {
            out.push_str("Classification: none for certain (facts are missing)\n")
        }
        None => out.push_str("Classification: none (no type matched)\n"),
    }
    if let Some(p) = &report.provisional {
        out.push_str(&provisional_lines(report, p));
    }
    if !report.tied.is_empty() {
        out.push_str(&format!(
            "Tied with: {} (same score; the first declared type wins)\n",
            report.tied.join(", ")
        ));
    }
    if !report.hybrids.is_empty() {
        out.push_str(&format!(
            "Also matched (hybrid): {}\n",
            report.hybrids.join(", ")
        ));
    }
    if !report.params.is_empty() {
        let params: Vec<String> = report
            .params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        out.push_str(&format!("Parameters changed: {}\n", params.join(", ")));
    }
    out.push('\n');

    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(vec!["Type", "Status", "Score", "Why / what is missing"]);
    for t in &report.types {
        let why = match t.status {
            _ if !t.settled_facts.is_empty() => {
                format!("missing {} would not change it", t.settled_facts.join(", "))
            }
            TypeStatus::Matched => String::new(),
            TypeStatus::NotMatched if !t.excluded_by.is_empty() => {
                format!("excluded by {}", t.excluded_by.join(", "))
            }
            TypeStatus::NotMatched if !t.failed_required.is_empty() => {
                format!("fails {}", t.failed_required.join(", "))
            }
            TypeStatus::NotMatched => t
                .extends
                .as_ref()
                .map_or(String::new(), |p| format!("parent `{p}` not matched")),
            TypeStatus::Undetermined => format!("needs {}", t.unknown_facts.join(", ")),
        };
        // The same score as every other output gives (1 without indicative criteria).
        let score = format!("{:.2}", t.score);
        table.add_row(vec![
            t.name.clone(),
            t.status.words().to_string(),
            score,
            why,
        ]);
    }
    if let Some(col) = table.column_mut(2) {
        col.set_cell_alignment(CellAlignment::Right);
    }
    out.push_str(&table.to_string());
    out.push('\n');

    let (recommend, avoid): (Vec<&PolicyReport>, Vec<&PolicyReport>) = report
        .policies
        .iter()
        .partition(|p| p.kind == PolicyKind::Recommend.code());
    out.push_str("\nRecommended policies, in order:\n");
    if recommend.is_empty() && report.provisional.is_some() {
        out.push_str("  (none for certain; see the provisional ones below)\n");
    } else if recommend.is_empty() {
        out.push_str("  (none)\n");
    }
    // Prerequisites are shown only when they are part of this cluster's sequence.
    let applicable: Vec<&str> = report.policies.iter().map(|p| p.policy.as_str()).collect();
    for (i, p) in recommend.iter().enumerate() {
        out.push_str(&policy_block(i + 1, p, &applicable));
    }
    if !avoid.is_empty() {
        out.push_str("\nPolicy errors to avoid:\n");
        for (i, p) in avoid.iter().enumerate() {
            out.push_str(&policy_block(i + 1, p, &applicable));
        }
    }
    if let Some(p) = &report.provisional {
        out.push_str(&provisional_policies(p));
    }
    // Those the provisional lead would bring in are listed above, with it.
    let open: Vec<_> = report
        .undetermined_policies
        .iter()
        .filter(|u| {
            report
                .provisional
                .as_ref()
                .is_none_or(|p| p.policies.iter().all(|q| q.policy != u.policy))
        })
        .collect();
    if !open.is_empty() {
        out.push_str("\nUndetermined (missing facts would decide):\n");
        for u in open {
            out.push_str(&format!(
                "  - {} (needs {})\n",
                u.policy,
                u.unknown_facts.join(", ")
            ));
        }
    }
    out
}

fn policy_block(n: usize, p: &PolicyReport, applicable: &[&str]) -> String {
    let mut out = format!("  {n:>2}. [phase {}] {}", p.phase, p.policy);
    if let Some(label) = &p.label {
        out.push_str(&format!(": {label}"));
    }
    let after: Vec<&str> = p
        .after
        .iter()
        .map(String::as_str)
        .filter(|a| applicable.contains(a))
        .collect();
    if !after.is_empty() {
        out.push_str(&format!(" (after {})", after.join(", ")));
    }
    out.push('\n');
    if let Some(advice) = &p.advice {
        out.push_str(&wrap(advice, WIDTH, "      "));
    }
    if let Some(cite) = &p.cite {
        out.push_str(&format!("      source: {cite}\n"));
    }
    out
}

/// The provisional lead under the classification: never printed as certain.
fn provisional_lines(report: &EvalReport, p: &ProvisionalReport) -> String {
    let label = p.label.as_deref().unwrap_or(&p.name);
    let mut out = if report.classification.is_some() {
        format!(
            "Provisionally, more specifically: {label} (`{}`, score {:.2}) -- not certain, facts are missing\n",
            p.name, p.score
        )
    } else {
        format!(
            "Provisionally: {label} (`{}`, score {:.2}) -- not certain, facts are missing\n",
            p.name, p.score
        )
    };
    if let Some(confirm) = confirm_text(&p.deciding) {
        out.push_str(&format!("  confirmed if: {confirm}\n"));
    }
    if let Some(refute) = refute_text(&p.deciding) {
        out.push_str(&format!("  refuted if:   {refute}\n"));
    }
    if !p.alternatives.is_empty() {
        out.push_str(&format!(
            "  also still possible: {}\n",
            p.alternatives.join(", ")
        ));
    }
    out
}

/// The policies and avoid items the provisional lead would bring in, apart from the firm ones.
fn provisional_policies(p: &ProvisionalReport) -> String {
    let mut out = String::new();
    let (recommend, avoid): (Vec<&PolicyReport>, Vec<&PolicyReport>) = p
        .policies
        .iter()
        .partition(|p| p.kind == PolicyKind::Recommend.code());
    let names: Vec<&str> = p.policies.iter().map(|p| p.policy.as_str()).collect();
    if !recommend.is_empty() {
        out.push_str(&format!(
            "\nProvisional policies (if `{}` is confirmed), in order:\n",
            p.name
        ));
        for (i, q) in recommend.iter().enumerate() {
            out.push_str(&policy_block(i + 1, q, &names));
        }
    }
    if !avoid.is_empty() {
        out.push_str(&format!(
            "\nProvisional errors to avoid (if `{}` is confirmed):\n",
            p.name
        ));
        for (i, q) in avoid.iter().enumerate() {
            out.push_str(&policy_block(i + 1, q, &names));
        }
    }
    out
}

/// Several clusters, separated by a blank line.
pub fn render_reports(reports: &[EvalReport]) -> String {
    reports
        .iter()
        .map(render_report)
        .collect::<Vec<_>>()
        .join("\n")
}
