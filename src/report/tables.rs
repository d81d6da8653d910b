//! The counts as CSV, for a spreadsheet: `by_agency.csv` and `by_month.csv`. Agency names are
//! the normalised names `flag` writes; a name that a spreadsheet would run as a formula gets a
//! leading `'` (as in `export`).

use std::io::{self, Write};

use super::Findings;
use crate::review::summary::Tally;
use crate::sanitize::spreadsheet_cell;

/// The header of `by_agency.csv`.
pub const BY_AGENCY_HEADER: [&str; 7] = [
    "agency",
    "records",
    "flagged",
    "immigration",
    "not_immigration",
    "unsure",
    "undecided_flagged",
];

/// The header of `by_month.csv`.
pub const BY_MONTH_HEADER: [&str; 6] = [
    "month",
    "records",
    "flagged",
    "immigration",
    "not_immigration",
    "unsure",
];

fn counts(t: &Tally) -> [String; 5] {
    [
        t.records.to_string(),
        t.flagged.to_string(),
        t.immigration.to_string(),
        t.not_immigration.to_string(),
        t.unsure.to_string(),
    ]
}

/// One row per agency, most confirmed first.
pub fn by_agency_csv(f: &Findings<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(BY_AGENCY_HEADER)?;
    for line in f.summary.by_agency(f.ds) {
        let mut row = vec![spreadsheet_cell(&line.label).into_owned()];
        row.extend(counts(&line.tally));
        row.push(line.tally.undecided_flagged.to_string());
        w.write_record(&row)?;
    }
    w.flush()
}

/// One row per month (`YYYY-MM`, UTC), in time order; `unknown` for records without a time.
pub fn by_month_csv(f: &Findings<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(BY_MONTH_HEADER)?;
    for line in f.summary.by_month() {
        let mut row = vec![line.label.clone()];
        row.extend(counts(&line.tally));
        w.write_record(&row)?;
    }
    w.flush()
}
