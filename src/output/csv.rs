//! A record's CSV row: the original columns (the union over the inputs), then the tool's own,
//! each cell made safe for spreadsheets unless asked otherwise.

use std::borrow::Cow;
use std::io;

use serde_json::Value;

use super::record::{OutRecord, OutValue};

/// The tool's own CSV columns, written after the original ones.
pub(super) const CSV_TOOL_COLUMNS: [&str; 9] = [
    "record_id",
    "agency_normalized",
    "search_time_utc",
    "flagged",
    "flag_rules",
    "flag_matches",
    "flag_notes",
    "sources",
    "redacted_fields",
];

/// How CSV cells are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CsvCells {
    /// A cell that a spreadsheet would run as a formula gets a leading `'` (see
    /// [`crate::sanitize::spreadsheet_cell`]).
    #[default]
    SpreadsheetSafe,
    /// Every cell exactly as the data has it (`--raw-cells`).
    Raw,
}

/// One CSV record, with its line end.
pub(super) fn csv_line(fields: &[String], cells: CsvCells) -> io::Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    match cells {
        CsvCells::Raw => w.write_record(fields)?,
        CsvCells::SpreadsheetSafe => w.write_record(fields.iter().map(|f| -> Cow<'_, [u8]> {
            match crate::sanitize::spreadsheet_cell(f) {
                Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
                Cow::Owned(s) => Cow::Owned(s.into_bytes()),
            }
        }))?,
    }
    w.into_inner().map_err(|e| e.into_error())
}

pub(super) fn tool_column_names(original: &[String], extra: &[String]) -> Vec<String> {
    let taken: std::collections::HashSet<String> =
        original.iter().map(|c| c.to_ascii_lowercase()).collect();
    CSV_TOOL_COLUMNS
        .iter()
        .map(|c| c.to_string())
        .chain(extra.iter().cloned())
        .map(|c| {
            if taken.contains(&c.to_ascii_lowercase()) {
                format!("triage_{c}")
            } else {
                c
            }
        })
        .collect()
}

pub(super) fn csv_row(original: &[String], extra: &[String], rec: &OutRecord) -> Vec<String> {
    let mut row = vec![String::new(); original.len()];
    let mut filled = vec![false; original.len()];
    for (k, v) in &rec.columns {
        if let Some(i) = original.iter().position(|c| c == k)
            && !filled[i]
        {
            row[i] = v.to_string();
            filled[i] = true;
        }
    }
    let field = |key: &str| match rec.fields.iter().find(|(k, _)| *k == key) {
        Some((_, OutValue::Str(s))) => s.to_string(),
        Some((_, OutValue::Redacted(s))) => s.to_string(),
        Some((_, OutValue::Int(n))) => n.to_string(),
        _ => String::new(),
    };
    row.push(rec.id.to_string());
    row.push(field("agency"));
    row.push(field("search_time"));
    row.push(if rec.flags.is_empty() { "no" } else { "yes" }.into());
    row.push(
        rec.flags
            .iter()
            .map(|f| f.rule.as_ref())
            .collect::<Vec<_>>()
            .join("; "),
    );
    row.push(
        rec.flags
            .iter()
            .map(|f| format!("{}: {}", f.field, f.matched.join(" | ")))
            .collect::<Vec<_>>()
            .join("; "),
    );
    row.push(
        rec.flags
            .iter()
            .filter_map(|f| f.note.as_ref().map(|n| format!("{}: {n}", f.rule)))
            .collect::<Vec<_>>()
            .join("; "),
    );
    row.push(rec.sources.join("; "));
    row.push(
        rec.fields
            .iter()
            .filter(|(_, v)| matches!(v, OutValue::Redacted(_)))
            .map(|(k, _)| *k)
            .collect::<Vec<_>>()
            .join("; "),
    );
    for name in extra {
        let v = rec.extra.iter().find(|(k, _)| k == name).map(|(_, v)| v);
        row.push(match v {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            // A list of names (`partner_287g`) as a spreadsheet reads it best.
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("; "),
            Some(other) => other.to_string(),
        });
    }
    row
}
