//! Records, record identity, sources and verdicts: plain types shared by every layer.

pub mod annotation;
mod field;
mod id;

pub use annotation::Annotation;
pub use field::Field;
pub use id::RecordId;

use serde::{Deserialize, Serialize};

/// Where a row came from: the input file (by index into the load's file list) and its line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Source {
    /// Index of the input file in the load's file list.
    pub file: u32,
    /// 1-based line where the row starts (the element's first line for JSON arrays).
    pub line: u64,
    /// Byte offset of the row in the (decompressed) file, for re-reading it later.
    pub offset: u64,
}

/// A record's verdict as the filter, the table and the counts see it: none, immigration, not
/// immigration or unsure, and whether reviewers disagree. One byte a record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct VerdictCode(u8);

impl VerdictCode {
    /// No verdict.
    pub const NONE: VerdictCode = VerdictCode(0);
    /// Reviewers disagree and nobody has decided.
    pub const CONFLICT: VerdictCode = VerdictCode(Self::CONFLICT_BIT);
    const CONFLICT_BIT: u8 = 0x80;

    /// The code of a verdict, and whether reviewers disagree.
    pub fn new(verdict: Option<Verdict>, conflict: bool) -> VerdictCode {
        let v = match verdict {
            None => 0,
            Some(Verdict::Immigration) => 1,
            Some(Verdict::NotImmigration) => 2,
            Some(Verdict::Unsure) => 3,
        };
        VerdictCode(v | if conflict { Self::CONFLICT_BIT } else { 0 })
    }

    /// The verdict.
    pub fn verdict(self) -> Option<Verdict> {
        match self.0 & !Self::CONFLICT_BIT {
            1 => Some(Verdict::Immigration),
            2 => Some(Verdict::NotImmigration),
            3 => Some(Verdict::Unsure),
            _ => None,
        }
    }

    /// True when the record has a verdict: it is **reviewed**.
    pub fn is_decided(self) -> bool {
        self.verdict().is_some()
    }

    /// True when reviewers disagree.
    pub fn is_conflict(self) -> bool {
        self.0 & Self::CONFLICT_BIT != 0
    }

    /// 0 for no verdict, 1 immigration, 2 not, 3 unsure (for counts and sorting).
    pub fn slot(self) -> usize {
        usize::from((self.0 & !Self::CONFLICT_BIT).min(3))
    }
}

/// A reviewer's decision about one record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Confirmed immigration-related.
    Immigration,
    /// Not immigration-related.
    NotImmigration,
    /// The reviewer could not decide.
    Unsure,
}

impl Verdict {
    /// Every verdict, in display order.
    pub const ALL: [Verdict; 3] = [
        Verdict::Immigration,
        Verdict::NotImmigration,
        Verdict::Unsure,
    ];

    /// The name used in files and queries (`immigration`, `not_immigration`, `unsure`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Verdict::Immigration => "immigration",
            Verdict::NotImmigration => "not_immigration",
            Verdict::Unsure => "unsure",
        }
    }

    /// Short human label.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Immigration => "immigration",
            Verdict::NotImmigration => "not immigration",
            Verdict::Unsure => "unsure",
        }
    }

    /// Parses the file name or a query shorthand (`immigration`, `not`, `not_immigration`, `unsure`).
    pub fn parse(s: &str) -> Option<Verdict> {
        match s.trim().to_ascii_lowercase().as_str() {
            "immigration" | "yes" | "y" | "imm" => Some(Verdict::Immigration),
            "not" | "not_immigration" | "not-immigration" | "no" | "n" => {
                Some(Verdict::NotImmigration)
            }
            "unsure" | "maybe" | "m" | "?" => Some(Verdict::Unsure),
            _ => None,
        }
    }
}
