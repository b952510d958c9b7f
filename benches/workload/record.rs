//! Reference workload, records: the typed cluster record of the workload (see
//! benches/workload/README.md), a generator with a fixed seed, and writers to JSONL and CSV.
//!
//! Input: a record count and a seed. Output: records, and their text in either format. The
//! same records feed the hand-written rules, meso and the parse-only floor, so every engine
//! sees identical data. Shared by `examples/gen_workload.rs`, `benches/eval.rs` and
//! `tests/workload.rs` through `#[path]`.

use std::io::{self, Write};

/// The seed the benchmarks, the agreement test and `benches/batch.sh` use.
pub const SEED: u64 = 0x6d65_736f_2d77_6b6c;

/// An ordered level: `low < medium < high`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// low
    Low,
    /// medium
    Medium,
    /// high
    High,
}

/// The main market served.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Market {
    /// local
    Local,
    /// domestic
    Domestic,
    /// international
    International,
}

/// How the cluster came about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// local_artisanal
    LocalArtisanal,
    /// import_substitution
    ImportSubstitution,
    /// foreign_investment
    ForeignInvestment,
    /// resource_based
    ResourceBased,
}

impl Level {
    /// Name as written in the data and the rules.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
        }
    }
}

impl Market {
    /// Name as written in the data and the rules.
    pub fn as_str(self) -> &'static str {
        match self {
            Market::Local => "local",
            Market::Domestic => "domestic",
            Market::International => "international",
        }
    }
}

impl Origin {
    /// Name as written in the data and the rules.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::LocalArtisanal => "local_artisanal",
            Origin::ImportSubstitution => "import_substitution",
            Origin::ForeignInvestment => "foreign_investment",
            Origin::ResourceBased => "resource_based",
        }
    }
}

/// One record: the facts about one cluster, every field known.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
pub struct Record {
    pub id: String,
    pub firms: u64,
    pub employment: u64,
    pub share_micro_small: f64,
    pub share_large: f64,
    pub foreign_output_share: f64,
    pub export_share: f64,
    pub main_market: Market,
    pub barriers_to_entry: Level,
    pub tech_complexity: Level,
    pub interfirm_linkage_ratio: f64,
    pub specialization_lq: f64,
    pub interfirm_cooperation: Level,
    pub trust: Level,
    pub informality: f64,
    pub local_rd: Level,
    pub origin: Origin,
}

/// Column order of the CSV header (and of the JSON keys).
pub const COLUMNS: [&str; 17] = [
    "id",
    "firms",
    "employment",
    "share_micro_small",
    "share_large",
    "foreign_output_share",
    "export_share",
    "main_market",
    "barriers_to_entry",
    "tech_complexity",
    "interfirm_linkage_ratio",
    "specialization_lq",
    "interfirm_cooperation",
    "trust",
    "informality",
    "local_rd",
    "origin",
];

/// SplitMix64 (Steele, Lea & Flood 2014): tiny, fast and the same on every platform.
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator with this seed.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn level(&mut self) -> Level {
        match self.below(3) {
            0 => Level::Low,
            1 => Level::Medium,
            _ => Level::High,
        }
    }
}

/// Round down to `places` decimals, so a value drawn below a threshold stays below it.
fn floor_to(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).floor() / f
}

/// Round to `places` decimals (values are written with few decimals, like census extracts).
fn round_to(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

/// What a record is drawn to be. The drawn facts decide what it really is: a few records
/// fit two types, as real clusters do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Aim {
    NotCluster,
    Survival,
    MassProducer,
    Tnc,
    NoType,
}

/// Draws records: about 23% not a cluster, 23% for each type, 8% a cluster of no type,
/// with some values exactly on their thresholds so the comparisons' edges are exercised.
pub struct Generator {
    rng: SplitMix64,
    next_id: u64,
}

impl Generator {
    /// A generator with this seed; record ids count from 1.
    pub fn new(seed: u64) -> Self {
        Generator {
            rng: SplitMix64::new(seed),
            next_id: 1,
        }
    }

    /// The next record.
    pub fn next_record(&mut self) -> Record {
        let rng = &mut self.rng;
        let aim = match rng.below(100) {
            0..=22 => Aim::NotCluster,
            23..=45 => Aim::Survival,
            46..=68 => Aim::MassProducer,
            69..=91 => Aim::Tnc,
            _ => Aim::NoType,
        };
        let id = format!("r{:07}", self.next_id);
        self.next_id += 1;

        // A cluster by default, with a few records right on each threshold.
        let mut firms = if rng.chance(0.03) {
            50
        } else {
            50 + rng.below(5000)
        };
        let mut specialization_lq = if rng.chance(0.03) {
            1.25
        } else {
            round_to(1.25 + rng.unit() * 4.0, 2)
        };
        let mut interfirm_linkage_ratio = if rng.chance(0.03) {
            0.1
        } else {
            round_to(0.1 + rng.unit() * 0.7, 3)
        };
        let mut share_micro_small = round_to(rng.unit(), 3);
        let mut share_large = if rng.chance(0.2) {
            0.0
        } else {
            round_to(rng.unit() * 0.3, 3)
        };
        let mut foreign_output_share = round_to(rng.unit(), 3);
        let export_share = match rng.below(100) {
            0..=2 => 0.5,
            3..=5 => 0.2,
            _ => round_to(rng.unit(), 3),
        };
        let mut main_market = match rng.below(3) {
            0 => Market::Local,
            1 => Market::Domestic,
            _ => Market::International,
        };
        let mut barriers_to_entry = rng.level();
        let mut tech_complexity = rng.level();
        let interfirm_cooperation = rng.level();
        let trust = rng.level();
        let informality = if rng.chance(0.03) {
            0.5
        } else {
            round_to(rng.unit(), 3)
        };
        let local_rd = rng.level();
        let origin = match rng.below(4) {
            0 => Origin::LocalArtisanal,
            1 => Origin::ImportSubstitution,
            2 => Origin::ForeignInvestment,
            _ => Origin::ResourceBased,
        };

        match aim {
            Aim::NotCluster => match rng.below(3) {
                0 => firms = rng.below(50),
                1 => specialization_lq = floor_to(rng.unit() * 1.25, 2),
                _ => interfirm_linkage_ratio = floor_to(rng.unit() * 0.1, 3),
            },
            Aim::Survival => {
                share_micro_small = if rng.chance(0.05) {
                    0.9
                } else {
                    round_to(0.9 + rng.unit() * 0.1, 3)
                };
                barriers_to_entry = Level::Low;
                main_market = Market::Local;
                foreign_output_share = round_to(rng.unit() * 0.6, 3);
            }
            Aim::MassProducer => {
                main_market = if rng.chance(0.5) {
                    Market::Domestic
                } else {
                    Market::International
                };
                foreign_output_share = floor_to(rng.unit() * 0.5, 3);
                share_large = round_to(0.001 + rng.unit() * 0.3, 3);
            }
            Aim::Tnc => {
                foreign_output_share = if rng.chance(0.05) {
                    0.5
                } else {
                    round_to(0.5 + rng.unit() * 0.5, 3)
                };
                tech_complexity = Level::High;
            }
            Aim::NoType => {
                main_market = Market::Local;
                share_micro_small = floor_to(rng.unit() * 0.9, 3);
                if tech_complexity == Level::High {
                    tech_complexity = Level::Medium;
                }
            }
        }
        let employment = firms * (3 + rng.below(60));
        Record {
            id,
            firms,
            employment,
            share_micro_small,
            share_large,
            foreign_output_share,
            export_share,
            main_market,
            barriers_to_entry,
            tech_complexity,
            interfirm_linkage_ratio,
            specialization_lq,
            interfirm_cooperation,
            trust,
            informality,
            local_rd,
            origin,
        }
    }
}

/// `n` records from `seed`.
pub fn generate(n: usize, seed: u64) -> Vec<Record> {
    let mut g = Generator::new(seed);
    (0..n).map(|_| g.next_record()).collect()
}

/// Write one record as a JSON object on one line.
pub fn write_jsonl(r: &Record, w: &mut impl Write) -> io::Result<()> {
    writeln!(
        w,
        "{{\"id\":\"{}\",\"firms\":{},\"employment\":{},\"share_micro_small\":{},\"share_large\":{},\"foreign_output_share\":{},\"export_share\":{},\"main_market\":\"{}\",\"barriers_to_entry\":\"{}\",\"tech_complexity\":\"{}\",\"interfirm_linkage_ratio\":{},\"specialization_lq\":{},\"interfirm_cooperation\":\"{}\",\"trust\":\"{}\",\"informality\":{},\"local_rd\":\"{}\",\"origin\":\"{}\"}}",
        r.id,
        r.firms,
        r.employment,
        r.share_micro_small,
        r.share_large,
        r.foreign_output_share,
        r.export_share,
        r.main_market.as_str(),
        r.barriers_to_entry.as_str(),
        r.tech_complexity.as_str(),
        r.interfirm_linkage_ratio,
        r.specialization_lq,
        r.interfirm_cooperation.as_str(),
        r.trust.as_str(),
        r.informality,
        r.local_rd.as_str(),
        r.origin.as_str(),
    )
}

/// Write the CSV header line.
pub fn write_csv_header(w: &mut impl Write) -> io::Result<()> {
    writeln!(w, "{}", COLUMNS.join(","))
}

/// Write one record as a CSV line (no field needs quoting).
pub fn write_csv(r: &Record, w: &mut impl Write) -> io::Result<()> {
    writeln!(
        w,
        "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
        r.id,
        r.firms,
        r.employment,
        r.share_micro_small,
        r.share_large,
        r.foreign_output_share,
        r.export_share,
        r.main_market.as_str(),
        r.barriers_to_entry.as_str(),
        r.tech_complexity.as_str(),
        r.interfirm_linkage_ratio,
        r.specialization_lq,
        r.interfirm_cooperation.as_str(),
        r.trust.as_str(),
        r.informality,
        r.local_rd.as_str(),
        r.origin.as_str(),
    )
}
