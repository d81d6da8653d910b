//! Records out: one self-describing shape for `flag` and `export` ([`record`]), written as JSONL
//! or JSON ([`json`]) or CSV ([`csv`]) by a [`RecordWriter`] that builds and encodes records on
//! every core ([`writer`]).

pub mod csv;
mod json;
pub mod record;
#[cfg(test)]
mod tests;
mod writer;

pub use csv::CsvCells;
pub use record::{FlagOut, OutRecord, OutValue};
pub use writer::{Queued, RecordWriter};

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// One JSON array.
    Json,
    /// CSV with a header row.
    Csv,
}

impl Format {
    /// Parses `jsonl`, `json`, `csv`.
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}
