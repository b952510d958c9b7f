//! Reference workload, hand-written rules: the workload typology as plain Rust over a typed
//! record, the floor meso's evaluator is measured against.
//!
//! Input: a `Record` (from record.rs). Output: a `Decision`: which of the three types are
//! matched, their scores (only for matched types, as the workload reports them) and the
//! recommended policies as a bit set. Thresholds are those of typology.meso.

use super::record::{Level, Market, Origin, Record};

/// The workload's types, in the order of `Decision::matched`.
pub const TYPES: [&str; 3] = ["survival", "mass_producer", "tnc"];

/// The workload's policies; bit i of `Decision::policies` is `POLICIES[i]`.
pub const POLICIES: [&str; 10] = [
    "not_a_cluster",
    "stakeholder_dialogue",
    "group_guarantee_credit",
    "joint_purchasing",
    "benchmarking",
    "cooperation_peripheral_first",
    "business_association_upgrading",
    "supplier_development",
    "targeted_fdi_promotion",
    "avoid_local_content_requirements",
];

/// What the rules decide for one record.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Decision {
    /// Survival, mass producer, TNC
    pub matched: [bool; 3],
    /// Score of each matched type (0 for the others)
    pub scores: [f64; 3],
    /// Recommended policies, bit i = `POLICIES[i]`
    pub policies: u16,
}

#[inline]
fn weight(holds: bool, w: f64) -> f64 {
    if holds {
        w
    } else {
        0.0
    }
}

/// Apply the rules to one record.
#[inline]
pub fn decide(r: &Record) -> Decision {
    let mut d = Decision::default();
    let is_cluster =
        r.firms >= 50 && r.specialization_lq >= 1.25 && r.interfirm_linkage_ratio >= 0.1;
    let survival = is_cluster
        && r.share_micro_small >= 0.9
        && r.barriers_to_entry == Level::Low
        && r.main_market == Market::Local;
    let mass = is_cluster
        && matches!(r.main_market, Market::Domestic | Market::International)
        && r.foreign_output_share < 0.5
        && r.share_large > 0.0;
    let tnc = is_cluster && r.foreign_output_share >= 0.5 && r.tech_complexity == Level::High;
    d.matched = [survival, mass, tnc];
    if survival {
        let met = weight(r.informality >= 0.5, 2.0)
            + weight(r.trust == Level::Low, 1.0)
            + weight(r.interfirm_cooperation == Level::Low, 1.0)
            + weight(r.tech_complexity == Level::Low, 1.0);
        d.scores[0] = met / 5.0;
    }
    if mass {
        let met = weight(r.origin == Origin::ImportSubstitution, 2.0)
            + weight(r.tech_complexity == Level::Medium, 1.0)
            + weight(r.export_share < 0.5, 1.0)
            + weight(r.local_rd == Level::Low, 1.0);
        d.scores[1] = met / 5.0;
    }
    if tnc {
        let met = weight(r.export_share >= 0.5, 2.0)
            + weight(r.local_rd == Level::Low, 1.0)
            + weight(r.origin == Origin::ForeignInvestment, 2.0)
            + weight(r.barriers_to_entry == Level::High, 1.0);
        d.scores[2] = met / 6.0;
    }
    let bits = [
        !is_cluster,
        survival && r.trust == Level::Low,
        survival,
        survival && r.interfirm_cooperation != Level::High,
        mass,
        mass && r.interfirm_cooperation == Level::Low,
        mass && r.export_share >= 0.2,
        tnc,
        tnc && r.export_share >= 0.5,
        tnc,
    ];
    for (i, b) in bits.iter().enumerate() {
        d.policies |= u16::from(*b) << i;
    }
    d
}

/// The workload's output for a decision, as one comparable line:
/// `survival=0.8 | group_guarantee_credit,joint_purchasing` (matched types in workload
/// order with scores rounded to 4 decimals; policies sorted by id).
pub fn summary(d: &Decision) -> String {
    let types: Vec<(&str, f64)> = TYPES
        .iter()
        .zip(d.matched.iter().zip(d.scores))
        .filter(|(_, (m, _))| **m)
        .map(|(name, (_, s))| (*name, s))
        .collect();
    let mut policies: Vec<&str> = POLICIES
        .iter()
        .enumerate()
        .filter(|(i, _)| d.policies & (1 << i) != 0)
        .map(|(_, p)| *p)
        .collect();
    policies.sort_unstable();
    format_summary(&types, &policies)
}

/// Format matched types with their scores and sorted policy ids as one line.
pub fn format_summary(types: &[(&str, f64)], sorted_policies: &[&str]) -> String {
    let types: Vec<String> = types
        .iter()
        .map(|(name, s)| format!("{name}={:.4}", s))
        .collect();
    format!("{} | {}", types.join(","), sorted_policies.join(","))
}
