//! Synthetic, schema-faithful audit data: the shipped `sample-data/`, test inputs and benchmark
//! files (1M and 10M rows). Deterministic for a seed. Every agency, officer and plate is made up.

use chrono::{DateTime, Duration, NaiveDate, Utc};

mod files;
mod vocab;

pub use files::{
    PARTICIPATING_287G, PENDING_287G, XLSX_SAMPLE, csv_to_xlsx, flock_file_name, write_sample_data,
    write_sample_reference, write_sharing_page, xlsx_twin,
};
use vocab::*;

/// SplitMix64: small, fast, deterministic.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator for a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }
    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    /// One of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// One synthetic search with every column Flock ever exported.
#[derive(Clone, Debug)]
pub struct SynthRow {
    /// Flock ID.
    pub id: String,
    /// Officer name.
    pub name: String,
    /// Searching agency.
    pub org: String,
    /// Networks searched.
    pub networks: u32,
    /// Devices searched (`——` sometimes).
    pub devices: String,
    /// Time frame start and end.
    pub frame: (DateTime<Utc>, DateTime<Utc>),
    /// Plate.
    pub plate: String,
    /// Reason.
    pub reason: String,
    /// Case number.
    pub case: String,
    /// Filters.
    pub filters: String,
    /// Search time.
    pub time: DateTime<Utc>,
    /// Search type.
    pub search_type: String,
    /// Text prompt (freeform searches).
    pub prompt: String,
    /// Moderation.
    pub moderation: String,
    /// Ground truth: planted as an immigration search.
    pub immigration: bool,
    /// The releasing agency redacted this row's officer and plate (other agencies' searches).
    pub redacted: bool,
}

/// Column layouts (FORMATS.md §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// All 14 columns, ID first (mid/late 2025).
    Full2025,
    /// 8 columns, no ID (2024).
    Danville2024,
    /// 13 columns, Text Prompt and Moderation, no ID (spring 2025).
    Spring2025,
    /// 13 columns without Total Devices Searched; other agencies redacted (2026).
    Redacted2026,
    /// Organization Audit without Org Name.
    Organization,
    /// Federal searches export.
    Federal2026,
}

impl Layout {
    /// The header labels.
    pub fn header(self) -> &'static [&'static str] {
        use alpr_triage::ingest::schema as layouts;
        match self {
            Layout::Full2025 => layouts::FLOCK_2025_FULL,
            Layout::Danville2024 => layouts::FLOCK_2024,
            Layout::Spring2025 => layouts::FLOCK_2025_NO_ID,
            Layout::Redacted2026 => layouts::FLOCK_2026,
            Layout::Organization => &[
                "ID",
                "Name",
                "Total Networks Searched",
                "Total Devices Searched",
                "Time Frame",
                "License Plate",
                "Reason",
                "Case #",
                "Filters",
                "Search Time",
                "Search Type",
            ],
            Layout::Federal2026 => layouts::FLOCK_FEDERAL_2026,
        }
    }

    fn cells(self, r: &SynthRow, home: &str) -> Vec<String> {
        let flock_time = |t: &DateTime<Utc>| t.format("%m/%d/%Y, %I:%M:%S %p UTC").to_string();
        let frame = format!("{}\n{}", flock_time(&r.frame.0), flock_time(&r.frame.1));
        let redact = (self == Layout::Redacted2026 || r.redacted) && r.org != home;
        let marker = if self == Layout::Redacted2026 {
            "***"
        } else {
            "REDACTED"
        };
        let hide = |s: &str| {
            if redact && !s.is_empty() {
                marker.to_string()
            } else {
                s.to_string()
            }
        };
        self.header()
            .iter()
            .map(|h| match *h {
                "ID" => r.id.clone(),
                "Name" => hide(&r.name),
                "Org Name" => r.org.clone(),
                "Total Networks Searched" => r.networks.to_string(),
                "Total Devices Searched" => r.devices.clone(),
                "Time Frame" => frame.clone(),
                "License Plate" => hide(&r.plate),
                "Reason" => r.reason.clone(),
                "Case #" => r.case.clone(),
                "Filters" => hide(&r.filters),
                "Search Time" => flock_time(&r.time),
                "Search Type" => r.search_type.clone(),
                "Text Prompt" => r.prompt.clone(),
                "Moderation" => r.moderation.clone(),
                _ => String::new(),
            })
            .collect()
    }
}

/// What to generate.
#[derive(Clone, Debug)]
pub struct SynthOptions {
    /// Rows to write (duplicates included).
    pub rows: u64,
    /// Seed.
    pub seed: u64,
    /// First day.
    pub start: NaiveDate,
    /// Days covered.
    pub days: u32,
    /// Local agencies (federal ones are added).
    pub agencies: usize,
    /// The releasing agency (Org Name of most searches).
    pub home: String,
    /// Share of rows repeated (the same search seen twice).
    pub duplicate_rate: f64,
    /// Plant a repeated header row and a few malformed rows.
    pub quirks: bool,
}

impl Default for SynthOptions {
    fn default() -> SynthOptions {
        SynthOptions {
            rows: 20_000,
            seed: 2025,
            start: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default(),
            days: 365,
            agencies: 48,
            home: "Millbrook TX PD".into(),
            duplicate_rate: 0.005,
            quirks: false,
        }
    }
}

/// Counts of what was written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SynthStats {
    /// Data rows written.
    pub rows: u64,
    /// Distinct searches (rows minus planted duplicates and malformed rows).
    pub searches: u64,
    /// Planted immigration searches (distinct).
    pub immigration: u64,
    /// Malformed rows planted.
    pub malformed: u64,
}

/// Generates rows in time order.
pub struct Generator {
    rng: Rng,
    opts: SynthOptions,
    agencies: Vec<String>,
    base: DateTime<Utc>,
    step_ms: i64,
    n: u64,
}

impl Generator {
    /// A generator.
    pub fn new(opts: SynthOptions) -> Generator {
        let mut rng = Rng::new(opts.seed);
        let mut agencies = vec![opts.home.clone()];
        while agencies.len() < opts.agencies.max(1) {
            let town = rng.pick(TOWNS);
            let st = rng.pick(STATES);
            let a = if rng.chance(0.25) {
                format!("{town} County {st} SO")
            } else {
                format!("{town} {st} PD")
            };
            if !agencies.contains(&a) {
                agencies.push(a);
            }
        }
        agencies.extend(FEDERAL.iter().map(|s| s.to_string()));
        let base = opts
            .start
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default()
            .and_utc();
        let span_ms = i64::from(opts.days.max(1)) * 86_400_000;
        let step_ms = (span_ms / opts.rows.max(1) as i64).max(1);
        Generator {
            rng,
            opts,
            agencies,
            base,
            step_ms,
            n: 0,
        }
    }

    /// The next search.
    pub fn next_row(&mut self) -> SynthRow {
        let rng = &mut self.rng;
        self.n += 1;
        let jitter = rng.below(self.step_ms as u64) as i64;
        let time = self.base + Duration::milliseconds(self.step_ms * self.n as i64 + jitter);
        let time = time - Duration::milliseconds(time.timestamp_subsec_millis() as i64);
        let federal_start = self.agencies.len() - FEDERAL.len();
        let org_i = if rng.chance(0.55) {
            0
        } else if rng.chance(0.006) {
            federal_start + rng.below(FEDERAL.len() as u64) as usize
        } else {
            rng.below(federal_start as u64) as usize
        };
        let org = self.agencies[org_i].clone();
        let federal_immigration = org_i >= federal_start && org_i < federal_start + 3;
        let dropdown = time
            >= NaiveDate::from_ymd_opt(2025, 12, 15)
                .unwrap_or_default()
                .and_hms_opt(0, 0, 0)
                .unwrap_or_default()
                .and_utc();
        let roll = rng.below(10_000);
        let (reason, immigration) = if federal_immigration {
            (
                rng.pick(&[
                    "Investigation",
                    "T21 Case WV",
                    "investigation",
                    "ICE",
                    "HSI 3500",
                    "CBP Assist",
                ])
                .to_string(),
                true,
            )
        } else if roll < 60 {
            if dropdown {
                (rng.pick(CATEGORY_IMMIGRATION).to_string(), true)
            } else {
                (rng.pick(IMMIGRATION).to_string(), true)
            }
        } else if roll < 90 {
            (rng.pick(AMBIGUOUS).to_string(), false)
        } else if rng.chance(0.08) {
            (
                format!("{}-{:05}", time.format("%y"), rng.below(99_999)),
                false,
            )
        } else if dropdown && rng.chance(0.5) {
            (format!("Other - {}", rng.pick(ORDINARY)), false)
        } else {
            (rng.pick(ORDINARY).to_string(), false)
        };
        let national = rng.chance(0.2);
        let networks = if national {
            3000 + rng.below(4000) as u32
        } else {
            1 + rng.below(60) as u32
        };
        let devices = if rng.chance(0.01) {
            "——".to_string()
        } else {
            (networks * (10 + rng.below(20) as u32)).to_string()
        };
        let hours = *rng.pick(&[2i64, 6, 12, 24, 72, 168]);
        let frame_end = time - Duration::minutes(rng.below(30) as i64);
        let plate: String = if rng.chance(0.1) {
            String::new()
        } else {
            let mut p: String = (0..7)
                .map(|i| {
                    let c = rng.below(36) as u8;
                    if i < 3 {
                        (b'A' + c % 26) as char
                    } else if c < 10 {
                        (b'0' + c) as char
                    } else {
                        (b'A' + c - 10) as char
                    }
                })
                .collect();
            if rng.chance(0.02) {
                p.replace_range(2..3, "*");
            }
            p
        };
        let search_type = rng.pick(SEARCH_TYPES).to_string();
        let freeform = search_type == "freeform";
        let id = format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            rng.next_u64() as u32,
            rng.below(0x10000),
            rng.below(0x1000),
            0x8000 | rng.below(0x4000),
            rng.next_u64() & 0xffff_ffff_ffff
        );
        SynthRow {
            id,
            name: format!(
                "{}. {}",
                (b'A' + rng.below(26) as u8) as char,
                rng.pick(LAST)
            ),
            org,
            networks,
            devices,
            frame: (frame_end - Duration::hours(hours), frame_end),
            plate,
            reason,
            case: if rng.chance(0.4) {
                format!("{}-{:05}", time.format("%y"), rng.below(99_999))
            } else {
                String::new()
            },
            filters: if rng.chance(0.05) {
                format!(
                    "make: {}, color: {}",
                    rng.pick(&["Toyota", "Ford", "Honda", "Chevrolet"]),
                    rng.pick(&["white", "black", "silver", "red"])
                )
            } else {
                String::new()
            },
            time,
            search_type,
            prompt: if freeform {
                rng.pick(&[
                    "white pickup with ladder rack",
                    "red sedan with roof rack",
                    "box truck",
                ])
                .to_string()
            } else {
                String::new()
            },
            moderation: if freeform {
                "approved".into()
            } else {
                String::new()
            },
            immigration,
            redacted: rng.chance(0.04),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_for_a_seed() {
        let o = SynthOptions {
            rows: 200,
            ..SynthOptions::default()
        };
        let mut a = Vec::new();
        let mut b = Vec::new();
        Generator::new(o.clone())
            .write_csv(Layout::Full2025, &mut a)
            .unwrap();
        Generator::new(o)
            .write_csv(Layout::Full2025, &mut b)
            .unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn file_names_follow_flock() {
        let d = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        assert_eq!(
            flock_file_name(d, 365, "Millbrook TX PD", true),
            "1_1_2025-12_31_2025-Millbrook TX PD-Network-Audit.csv"
        );
    }
}
