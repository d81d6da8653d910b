//! Records, record identity, sources and verdicts: plain types shared by every layer.

mod field;
mod id;

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
    pub fn as_str(self) -> &'static str {
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
