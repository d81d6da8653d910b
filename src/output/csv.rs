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

/// The CSV header: the original labels, then the tool's columns, every name unique without
/// regard to case (DuckDB renames, and BigQuery refuses, names that differ only by case). An
/// original label already taken, in any case, by an earlier one (`id` after `ID`, from another
/// schema) gets `_2`, `_3`, … (the first free); a tool column an original label holds gets a
/// `triage_` prefix, then a number the same way if that is taken too.
pub(super) fn header_names(original: &[String], extra: &[String]) -> Vec<String> {
    let mut taken: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(original.len() + CSV_TOOL_COLUMNS.len() + extra.len());
    let claim = |taken: &mut std::collections::HashSet<String>, name: String| {
        let mut candidate = name.clone();
        let mut n = 2;
        while !taken.insert(candidate.to_lowercase()) {
            candidate = format!("{name}_{n}");
            n += 1;
        }
        candidate
    };
    for c in original {
        out.push(claim(&mut taken, c.clone()));
    }
    for c in CSV_TOOL_COLUMNS
        .iter()
        .map(|c| c.to_string())
        .chain(extra.iter().cloned())
    {
        let name = if taken.contains(&c.to_lowercase()) {
            format!("triage_{c}")
        } else {
            c
        };
        out.push(claim(&mut taken, name));
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Names that differ only by case, from two schemas, and a tool column an original holds.
    #[test]
    fn header_names_are_unique_without_regard_to_case() {
        let original: Vec<String> = [
            "ID", "Reason", "id", "reason", "REASON", "Reason_2", "flagged",
        ]
        .map(String::from)
        .to_vec();
        let extra = vec!["verdict".to_string(), "Verdict".to_string()];
        let names = header_names(&original, &extra);
        assert_eq!(
            &names[..7],
            [
                "ID",
                "Reason",
                "id_2",
                "reason_2",
                "REASON_3",
                "Reason_2_2",
                "flagged"
            ]
        );
        assert!(names.contains(&"triage_flagged".to_string()));
        assert!(names.contains(&"verdict".to_string()));
        assert!(names.contains(&"triage_Verdict".to_string()));
        let mut lower: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
        lower.sort();
        lower.dedup();
        assert_eq!(lower.len(), names.len(), "{names:?}");
    }
}
