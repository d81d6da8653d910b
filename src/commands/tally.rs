//! Record counts of a load decided at its end: every row's id is noted as it arrives, and which
//! rows repeat an earlier record is sorted out once, after the last file (see
//! [`crate::idset::Repeats`]), instead of probing a set on every row.

use crate::idset::Repeats;
use crate::ingest::FileReport;
use crate::model::RecordId;

/// The rows of a load, noted for counting at the end.
#[derive(Default)]
pub struct Tally {
    repeats: Repeats,
    flagged: Vec<bool>,
    /// (file index, its first row) for each file that had rows.
    files: Vec<(u32, u32)>,
}

impl Tally {
    /// Nothing noted.
    pub fn new() -> Tally {
        Tally::default()
    }

    /// The rows that follow are file `file`'s.
    pub fn begin_file(&mut self, file: u32, report: &FileReport) {
        self.repeats.reserve(report.row_estimate());
        self.flagged.reserve(report.row_estimate());
        self.files.push((file, self.repeats.len() as u32));
    }

    /// Notes a row; returns its number in the load.
    pub fn note(&mut self, id: RecordId, flagged: bool) -> u32 {
        self.flagged.push(flagged);
        self.repeats.note(id)
    }

    /// Whether each row noted so far was flagged, by its number in the load.
    pub fn flagged_rows(&self) -> &[bool] {
        &self.flagged
    }

    /// Sets each file's records, duplicates and flagged records (reports are indexed by file)
    /// and returns, for each row, whether it was the first of its record.
    pub fn finish(&self, reports: &mut [FileReport]) -> Vec<bool> {
        let firsts = self.repeats.firsts();
        for (k, &(file, start)) in self.files.iter().enumerate() {
            let end = self.files.get(k + 1).map_or(firsts.len(), |f| f.1 as usize);
            let rows = start as usize..end;
            let Some(report) = reports.get_mut(file as usize) else {
                continue;
            };
            let records = firsts[rows.clone()].iter().filter(|&&f| f).count() as u64;
            report.records = records;
            report.duplicates = (end - start as usize) as u64 - records;
            report.flagged = rows.filter(|&r| firsts[r] && self.flagged[r]).count() as u64;
        }
        firsts
    }
}
