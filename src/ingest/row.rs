//! One row of an export, bound to its schema: normalised fields on demand, identity, originals.

use std::borrow::Cow;
use std::sync::Arc;

use super::Cells;
use super::schema::Schema;
use super::time::{Millis, fixed_parse, parse_time_frame, parse_timestamp};
use super::value::{collapse_ws, decode, is_redaction, repair_mojibake};
use crate::model::{Field, RecordId, Source};

/// A normalised cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Text<'a> {
    /// No such column, or an empty cell.
    Missing,
    /// The cell holds a redaction marker (kept as written).
    Redacted(Cow<'a, str>),
    /// A value, trimmed, whitespace collapsed, mojibake repaired.
    Value(Cow<'a, str>),
}

impl<'a> Text<'a> {
    /// The value, if there is one.
    pub fn value(&self) -> Option<&str> {
        match self {
            Text::Value(v) => Some(v),
            _ => None,
        }
    }

    /// True for a redaction marker.
    pub fn is_redacted(&self) -> bool {
        matches!(self, Text::Redacted(_))
    }

    /// True when there is neither a value nor a redaction.
    pub fn is_missing(&self) -> bool {
        matches!(self, Text::Missing)
    }

    /// Normalises a raw cell.
    pub fn from_cell(cell: &'a str) -> Text<'a> {
        let t = cell.trim_start_matches('\u{feff}').trim();
        if t.is_empty() {
            return Text::Missing;
        }
        if is_redaction(t) {
            return Text::Redacted(Cow::Borrowed(t));
        }
        match repair_mojibake(t) {
            Some(fixed) => Text::Value(Cow::Owned(collapse_ws(&fixed).into_owned())),
            None => Text::Value(collapse_ws(t)),
        }
    }

    /// Detaches from the row buffer.
    pub fn into_owned(self) -> Text<'static> {
        match self {
            Text::Missing => Text::Missing,
            Text::Redacted(s) => Text::Redacted(Cow::Owned(s.into_owned())),
            Text::Value(s) => Text::Value(Cow::Owned(s.into_owned())),
        }
    }
}

/// Where a record's agency came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgencySource {
    /// The row's `Org Name` column.
    Column,
    /// The file: its name, its portal metadata, or `--agency`.
    File,
    /// Nowhere: the agency is `unknown`.
    None,
}

impl AgencySource {
    /// Name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            AgencySource::Column => "column",
            AgencySource::File => "file",
            AgencySource::None => "none",
        }
    }
}

/// A row handed to a [`super::RowSink`]: its identity, where it came from, what the reader
/// worked out (time, networks, agency source), and every field on demand. Text is normalised
/// only when asked for, so a sink that caches by raw bytes pays for each distinct value once.
pub struct Row<'a> {
    /// Stable identity.
    pub id: RecordId,
    /// File and line.
    pub source: Source,
    /// The schema the row was read with (shared, so a sink can keep it).
    pub schema: &'a Arc<Schema>,
    /// The raw cells (UTF-8 unless `lossy`).
    pub cells: &'a Cells,
    /// Some cell was not valid UTF-8 and is decoded as Windows-1252.
    pub lossy: bool,
    /// Where the agency comes from.
    pub agency_source: AgencySource,
    /// The agency named by the file, if any.
    pub file_agency: Option<&'a str>,
    /// When the search ran.
    pub search_time: Option<Millis>,
    /// Total networks searched.
    pub networks: Option<u32>,
}

impl<'a> Row<'a> {
    /// The raw bytes of a field's cell, trimmed (empty when there is no such column).
    pub fn raw(&self, field: Field) -> &'a [u8] {
        self.schema
            .cell(self.cells, field)
            .map(<[u8]>::trim_ascii)
            .unwrap_or(b"")
    }

    /// A field's normalised text. The agency falls back to the file's agency, then `unknown`.
    pub fn text(&self, field: Field) -> Text<'a> {
        if field == Field::Agency {
            return match self.agency_source {
                AgencySource::Column => field_text(self.schema, self.cells, field),
                AgencySource::File => Text::Value(Cow::Borrowed(
                    self.file_agency
                        .unwrap_or(crate::ingest::catalog::UNKNOWN_AGENCY),
                )),
                AgencySource::None => {
                    Text::Value(Cow::Borrowed(crate::ingest::catalog::UNKNOWN_AGENCY))
                }
            };
        }
        field_text(self.schema, self.cells, field)
    }

    /// The agency.
    pub fn agency(&self) -> Text<'a> {
        self.text(Field::Agency)
    }

    /// The reason.
    pub fn reason(&self) -> Text<'a> {
        self.text(Field::Reason)
    }

    /// The time frame (start, end), from one combined cell or two split ones.
    pub fn time_frame(&self) -> Option<(Millis, Millis)> {
        time_frame(self.schema, self.cells)
    }

    /// Every original column with its label, in file order (extra cells beyond the header are
    /// labelled `column N`).
    pub fn originals(&self) -> Vec<(Cow<'a, str>, Cow<'a, str>)> {
        originals(self.schema, self.cells)
    }
}

/// A row detached from its batch, to be turned back into a [`Row`] later (e.g. to write it once
/// all its duplicates' sources are known).
#[derive(Clone, Debug)]
pub struct OwnedRow {
    /// Stable identity.
    pub id: RecordId,
    /// File and line.
    pub source: Source,
    /// The schema.
    pub schema: Arc<Schema>,
    /// The raw cells.
    pub cells: Cells,
    /// Some cell was not valid UTF-8.
    pub lossy: bool,
    /// Where the agency comes from.
    pub agency_source: AgencySource,
    /// The file's agency.
    pub file_agency: Option<Arc<str>>,
    /// Search time.
    pub search_time: Option<Millis>,
    /// Networks searched.
    pub networks: Option<u32>,
}

impl OwnedRow {
    /// Copies a row.
    pub fn from_row(row: &Row<'_>) -> OwnedRow {
        OwnedRow {
            id: row.id,
            source: row.source,
            schema: row.schema.clone(),
            cells: row.cells.clone(),
            lossy: row.lossy,
            agency_source: row.agency_source,
            file_agency: row.file_agency.map(Arc::from),
            search_time: row.search_time,
            networks: row.networks,
        }
    }

    /// The row view.
    pub fn row(&self) -> Row<'_> {
        Row {
            id: self.id,
            source: self.source,
            schema: &self.schema,
            cells: &self.cells,
            lossy: self.lossy,
            agency_source: self.agency_source,
            file_agency: self.file_agency.as_deref(),
            search_time: self.search_time,
            networks: self.networks,
        }
    }
}

/// Every original column of a raw row, labelled.
pub fn originals<'a>(schema: &'a Schema, cells: &'a Cells) -> Vec<(Cow<'a, str>, Cow<'a, str>)> {
    cells
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let label = match schema.columns.get(i) {
                Some(c) => Cow::Borrowed(c.label.as_str()),
                None => Cow::Owned(format!("column {}", i + 1)),
            };
            (label, decode(b).0)
        })
        .collect()
}

/// A field's normalised text from a raw row.
pub fn field_text<'a>(schema: &Schema, cells: &'a Cells, field: Field) -> Text<'a> {
    match schema.cell(cells, field) {
        Some(b) => match decode(b).0 {
            Cow::Borrowed(s) => Text::from_cell(s),
            Cow::Owned(s) => Text::from_cell(&s).into_owned(),
        },
        None => Text::Missing,
    }
}

fn raw<'a>(schema: &Schema, cells: &'a Cells, field: Field) -> Option<Cow<'a, str>> {
    let b = schema.cell(cells, field)?;
    Some(decode(b).0)
}

/// The search time: a full timestamp in `Search Time` or `Search Date`, or the two joined.
pub fn search_time(schema: &Schema, cells: &Cells) -> Option<Millis> {
    // The shape that fills large exports, read straight from the bytes.
    if let Some(ms) = schema
        .cell(cells, Field::SearchTime)
        .and_then(|b| fixed_parse(b.trim_ascii()))
    {
        return Some(ms);
    }
    let t = raw(schema, cells, Field::SearchTime);
    if let Some(ms) = t.as_deref().and_then(parse_timestamp) {
        return Some(ms);
    }
    let d = raw(schema, cells, Field::SearchDate);
    if let Some(ms) = d.as_deref().and_then(parse_timestamp) {
        // A date-only column next to a time-only column: join them.
        if let Some(t) = t.as_deref().filter(|t| !t.trim().is_empty())
            && let Some(joined) = parse_timestamp(&format!(
                "{}, {}",
                d.as_deref().unwrap_or("").trim(),
                t.trim()
            ))
        {
            return Some(joined);
        }
        return Some(ms);
    }
    None
}

/// The time frame from one combined cell or two split ones.
pub fn time_frame(schema: &Schema, cells: &Cells) -> Option<(Millis, Millis)> {
    if let Some(tf) = raw(schema, cells, Field::TimeFrame) {
        return parse_time_frame(&tf);
    }
    let a = parse_timestamp(&raw(schema, cells, Field::TimeFrameStart)?)?;
    let b = parse_timestamp(&raw(schema, cells, Field::TimeFrameEnd)?)?;
    Some((a, b))
}

/// Parses a count from raw bytes (see [`parse_count`]).
pub fn parse_count_bytes(b: &[u8]) -> Option<u32> {
    let t = b.trim_ascii();
    if !t.is_empty() && t.len() <= 9 && t.iter().all(u8::is_ascii_digit) {
        return Some(t.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')));
    }
    std::str::from_utf8(t).ok().and_then(parse_count)
}

/// Parses a count (`1,234`, ` 17652 `); `——` and other non-numbers give None.
pub fn parse_count(s: &str) -> Option<u32> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    if let Ok(v) = t.parse::<u32>() {
        return Some(v);
    }
    let digits: String = t.chars().filter(|c| *c != ',').collect();
    digits
        .parse::<f64>()
        .ok()
        .filter(|v| *v >= 0.0 && v.fract() == 0.0 && *v <= u32::MAX as f64)
        .map(|v| v as u32)
}

/// Builds the identity key of a raw row into `buf` (see docs/formats.md, "Record identity").
///
/// With a Flock ID: the ID, the search time and the reason. Without one: every non-empty cell,
/// keyed by its field (or normalised header for unknown columns) and sorted by key, so column
/// order, header spelling and a missing empty column do not change the identity. Times are
/// normalised to milliseconds, so the same search in two timestamp formats keeps its id. An
/// agency taken from the file name is never part of the key, so renaming a file keeps ids.
pub fn identity(
    schema: &Schema,
    cells: &Cells,
    search_time: Option<Millis>,
    buf: &mut Vec<u8>,
) -> RecordId {
    buf.clear();
    let id_cell = schema
        .cell(cells, Field::FlockId)
        .map(trim_bytes)
        .filter(|b| {
            !b.is_empty() && (looks_like_uuid(b) || !std::str::from_utf8(b).is_ok_and(is_redaction))
        });
    if let Some(id) = id_cell {
        buf.extend_from_slice(b"v1\x1fid\x1f");
        let at = buf.len();
        buf.extend_from_slice(id);
        buf[at..].make_ascii_lowercase();
        buf.push(0x1f);
        push_time(buf, schema, cells, search_time);
        buf.push(0x1f);
        if let Some(r) = schema.cell(cells, Field::Reason) {
            buf.extend_from_slice(trim_bytes(r));
        }
        return RecordId::from_key(buf);
    }
    buf.extend_from_slice(b"v1\x1frow");
    buf.push(0x1f);
    buf.extend_from_slice(b"search_time=");
    push_time(buf, schema, cells, search_time);
    if schema.has_time_frame() {
        buf.extend_from_slice(b"\x1ftime_frame=");
        match time_frame(schema, cells) {
            Some((a, b)) => {
                buf.extend_from_slice(&a.to_le_bytes());
                buf.extend_from_slice(&b.to_le_bytes());
            }
            None => {
                for f in [Field::TimeFrame, Field::TimeFrameStart, Field::TimeFrameEnd] {
                    if let Some(c) = schema.cell(cells, f) {
                        buf.extend_from_slice(trim_bytes(c));
                        buf.push(b'|');
                    }
                }
            }
        }
    }
    for &i in schema.identity_order() {
        let key = schema.identity_key(i);
        let Some(cell) = cells.get(i).map(trim_bytes) else {
            continue;
        };
        if cell.is_empty() {
            continue;
        }
        buf.push(0x1f);
        buf.extend_from_slice(key.as_bytes());
        buf.push(b'=');
        buf.extend_from_slice(cell);
    }
    RecordId::from_key(buf)
}

fn push_time(buf: &mut Vec<u8>, schema: &Schema, cells: &Cells, search_time: Option<Millis>) {
    match search_time {
        Some(ms) => buf.extend_from_slice(&ms.to_le_bytes()),
        None => {
            for f in [Field::SearchTime, Field::SearchDate] {
                if let Some(c) = schema.cell(cells, f) {
                    buf.extend_from_slice(trim_bytes(c));
                    buf.push(b'|');
                }
            }
        }
    }
}

fn looks_like_uuid(b: &[u8]) -> bool {
    b.len() == 36 && b[8] == b'-' && b[13] == b'-' && b[18] == b'-' && b[23] == b'-'
}

fn trim_bytes(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(cells: &[&str]) -> Cells {
        Cells::from(cells.to_vec())
    }

    #[test]
    fn identity_ignores_column_order_and_header_spelling() {
        let a = Schema::from_labels(&["Org Name", "Reason", "Search Time", "Plate"]);
        let b = Schema::from_labels(&[
            "search_time",
            "License Plate",
            "org_name",
            "reason",
            "Moderation",
        ]);
        let ra = rec(&[
            "Dallas TX PD",
            "ICE",
            "04/10/2026, 05:01:33 AM UTC",
            "ABC123",
        ]);
        let rb = rec(&[
            "2026-04-10T05:01:33Z",
            "ABC123",
            "Dallas TX PD",
            " ICE ",
            "",
        ]);
        let mut buf = Vec::new();
        let ta = search_time(&a, &ra);
        let tb = search_time(&b, &rb);
        assert_eq!(ta, tb);
        assert_eq!(
            identity(&a, &ra, ta, &mut buf),
            identity(&b, &rb, tb, &mut buf)
        );
        let rc = rec(&[
            "Dallas TX PD",
            "ICE",
            "04/10/2026, 05:01:34 AM UTC",
            "ABC123",
        ]);
        let tc = search_time(&a, &rc);
        assert_ne!(
            identity(&a, &ra, ta, &mut buf),
            identity(&a, &rc, tc, &mut buf)
        );
    }

    #[test]
    fn identity_with_flock_id_ignores_other_columns() {
        let a = Schema::from_labels(&["ID", "Name", "Reason", "Search Time"]);
        let ra = rec(&["AB-1", "Officer A", "ICE", "4/1/2025, 7:00:05 AM UTC"]);
        let rb = rec(&["ab-1", "***", "ICE", "04/01/2025, 07:00:05 AM UTC"]);
        let mut buf = Vec::new();
        let (ta, tb) = (search_time(&a, &ra), search_time(&a, &rb));
        assert_eq!(
            identity(&a, &ra, ta, &mut buf),
            identity(&a, &rb, tb, &mut buf)
        );
    }

    #[test]
    fn split_and_joined_time_frames_match() {
        let a = Schema::from_labels(&["Reason", "Search Time", "Time Frame"]);
        let b = Schema::from_labels(&[
            "Reason",
            "Search_Time",
            "Time_Frame_Start",
            "Time_Frame_End",
        ]);
        let ra = rec(&[
            "x",
            "4/1/2025, 7:00:05 AM UTC",
            "4/1/2025, 1:00:00 AM UTC\n4/1/2025, 7:00:00 AM UTC",
        ]);
        let rb = rec(&[
            "x",
            "4/1/2025, 7:00:05 AM UTC",
            "4/1/2025, 1:00:00 AM UTC",
            "4/1/2025, 7:00:00 AM UTC",
        ]);
        let mut buf = Vec::new();
        assert_eq!(
            identity(&a, &ra, search_time(&a, &ra), &mut buf),
            identity(&b, &rb, search_time(&b, &rb), &mut buf)
        );
    }

    #[test]
    fn split_date_and_time_columns_join() {
        let s = Schema::from_labels(&["Reason", "Search Date", "Search Time"]);
        let r = rec(&["x", "04/10/2026", "05:01:33 AM UTC"]);
        assert_eq!(
            super::super::time::format_rfc3339(search_time(&s, &r).unwrap()),
            "2026-04-10T05:01:33Z"
        );
    }

    #[test]
    fn text_cells() {
        assert_eq!(Text::from_cell("  "), Text::Missing);
        assert!(Text::from_cell("***").is_redacted());
        assert_eq!(Text::from_cell(" ICE\n hold ").value(), Some("ICE hold"));
        assert_eq!(Text::from_cell("PC Â§ 211").value(), Some("PC § 211"));
        assert_eq!(parse_count("1,234"), Some(1234));
        assert_eq!(parse_count("——"), None);
        assert_eq!(parse_count("12.0"), Some(12));
    }
}

#[cfg(test)]
mod identity_pins {
    //! Record ids must never change: saved annotations are keyed by them.
    use super::*;

    fn id_of(labels: &[&str], cells: &[&str]) -> String {
        let s = Schema::from_labels(labels);
        let r = Cells::from(cells.to_vec());
        let t = search_time(&s, &r);
        identity(&s, &r, t, &mut Vec::new()).to_string()
    }

    #[test]
    fn ids_are_pinned() {
        let with_id = id_of(
            &["ID", "Name", "Org Name", "Reason", "Search Time"],
            &[
                "6A54750B-8ED4-4D6F-979F-06B2EF9531A9",
                "V. Blake",
                "Millbrook TX PD",
                " ICE ",
                "01/01/2025, 12:01:02 AM UTC",
            ],
        );
        let without_id = id_of(
            FLOCK_2024_LABELS,
            &[
                "V. Blake",
                "Millbrook TX PD",
                "52",
                "520",
                "12/31/2024, 05:55:02 PM UTC\n12/31/2024, 11:55:02 PM UTC",
                "25-19142",
                "investigation",
                "01/01/2025, 12:01:02 AM UTC",
            ],
        );
        let unparsed_time = id_of(
            &["Reason", "Search Time", "Extra Column"],
            &["ICE", "not a time", "x"],
        );
        assert_eq!(
            [
                with_id.as_str(),
                without_id.as_str(),
                unparsed_time.as_str()
            ],
            // Computed by the release before this code was reworked.
            [
                "9075592de121ebb26d5c105fb938aca9",
                "e082ed765994ce1d5260b26dbcccebf7",
                "286261b77afc2c27534f3d45dd787df9"
            ]
        );
    }

    const FLOCK_2024_LABELS: &[&str] = super::super::schema::FLOCK_2024;
}
