//! Raw rows → [`Row`]s: header detection, schema quirks, per-row warnings, identity.

use std::sync::LazyLock;

use csv::ByteRecord;
use regex::Regex;

use super::open::{Format, open};
use super::row::{self, AgencySource, Row, Text, identity, parse_count};
use super::schema::{KNOWN_LAYOUTS, Schema, normalize_header};
use super::value::decode;
use super::{
    FileError, FileReport, InputFile, Kind, ReadOptions, RowSink, csv_reader, json_reader,
};
use crate::model::{Field, Source};
use std::borrow::Cow;

/// Reads one file into `sink` and reports what was found. Never panics on bad input; a file that
/// cannot be read at all comes back with `error` set and no rows.
pub fn read_file(
    file_idx: u32,
    file: &InputFile,
    options: &ReadOptions,
    sink: &mut dyn RowSink,
) -> FileReport {
    let mut report = FileReport {
        path: file.display.clone(),
        ..FileReport::default()
    };
    let opened = match open(file) {
        Ok(o) => o,
        Err(e) => {
            report.error = Some(e.to_string());
            return report;
        }
    };
    report.gzip = opened.gzip;
    let name_agency = agency_from_file_name(&file.path);
    let mut p = Processor {
        file_idx,
        path: file.display.clone(),
        report,
        sink,
        schema: None,
        shifted: None,
        header_norm: Vec::new(),
        file_agency: name_agency.or_else(|| options.default_agency.clone()),
        keybuf: Vec::with_capacity(512),
        base_offset: opened.base_offset,
        file_name: file
            .path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default(),
    };
    let result = match opened.format {
        Format::Csv { delimiter } => csv_reader::run(opened.reader, delimiter, &mut p),
        Format::JsonDoc => json_reader::run_doc(opened.reader, &mut p),
        Format::Ndjson => json_reader::run_ndjson(opened.reader, &mut p),
    };
    if let Err(e) = result {
        p.report.error = Some(e.to_string());
    } else if p.schema.is_none() && p.report.error.is_none() {
        p.report.error = Some(
            FileError::NotAudit {
                path: p.path.clone(),
                message: "no rows found; expected a search-audit export with a header row".into(),
            }
            .to_string(),
        );
    }
    p.report.file_agency = p.file_agency.clone();
    p.report
}

/// How a reader hands rows to the processor.
pub(crate) struct Processor<'s> {
    file_idx: u32,
    pub(crate) path: String,
    pub(crate) report: FileReport,
    sink: &'s mut dyn RowSink,
    schema: Option<Schema>,
    /// For rows one field short of the header: the header without the deleted column.
    shifted: Option<Option<(Schema, usize)>>,
    header_norm: Vec<String>,
    file_agency: Option<String>,
    keybuf: Vec<u8>,
    base_offset: u64,
    file_name: String,
}

impl Processor<'_> {
    /// True when the sink asked to stop.
    pub(crate) fn cancelled(&self) -> bool {
        self.sink.cancelled()
    }

    /// Sets the agency named by the file's metadata (portal `crawled_name`).
    pub(crate) fn set_file_agency(&mut self, agency: &str) {
        let a = agency.trim();
        if !a.is_empty() {
            self.file_agency = Some(a.to_string());
        }
    }

    /// Sets the schema from labels (JSON keys) without a header row in the data.
    pub(crate) fn set_labels(&mut self, labels: &[String], kind: Kind) -> Result<(), FileError> {
        let schema = Schema::from_labels(labels);
        let first = self.schema.is_none();
        if first && !schema.is_audit() {
            return Err(self.not_audit(&schema));
        }
        self.header_norm = schema
            .columns
            .iter()
            .map(|c| c.normalized.clone())
            .collect();
        self.schema = Some(schema);
        if first {
            self.begin(kind);
        } else if let Some(s) = &self.schema {
            self.report.columns = s.labels().iter().map(|s| s.to_string()).collect();
            self.report.schema = describe_schema(s, kind);
        }
        Ok(())
    }

    fn begin(&mut self, kind: Kind) {
        let Some(schema) = &self.schema else { return };
        self.report.kind = Some(kind);
        self.report.columns = schema.labels().iter().map(|s| s.to_string()).collect();
        self.report.schema = describe_schema(schema, kind);
        self.sink.begin_file(self.file_idx, &self.report);
    }

    fn not_audit(&self, schema: &Schema) -> FileError {
        let found: Vec<&str> = schema
            .columns
            .iter()
            .take(12)
            .map(|c| c.label.as_str())
            .collect();
        let missing = match (schema.has_reason(), schema.has_time()) {
            (false, false) => "a reason column and a search-time column",
            (false, true) => "a reason column (Reason, reason, offenseType)",
            (true, false) => "a search-time column (Search Time, searchDate)",
            (true, true) => "",
        };
        FileError::NotAudit {
            path: self.path.clone(),
            message: format!(
                "not a search-audit export: expected a header with {missing}; found columns: {}",
                if found.is_empty() {
                    "(none)".to_string()
                } else {
                    found.join(", ")
                }
            ),
        }
    }

    fn csv_kind(&self, schema: &Schema) -> Kind {
        let portal = schema.has(Field::UserId)
            || schema.columns.iter().any(|c| {
                matches!(
                    c.normalized.as_str(),
                    "searchdate" | "networkcount" | "cameracount"
                )
            });
        let n = &self.file_name;
        if portal && !schema.has(Field::TimeFrame) {
            Kind::PortalSearchAudit
        } else if n.contains("network-audit")
            || n.contains("network_audit")
            || n.contains("network audit")
        {
            Kind::FlockNetworkAudit
        } else if n.contains("federal") {
            Kind::FlockFederalSearches
        } else if n.contains("-audit") || n.contains("_audit") {
            Kind::FlockOrganizationAudit
        } else if !schema.has(Field::TimeFrame)
            && !schema.has(Field::TimeFrameStart)
            && schema.has(Field::SearchType)
            && schema.has(Field::Plate)
        {
            Kind::FlockFederalSearches
        } else {
            Kind::FlockAudit
        }
    }

    /// One raw CSV record (the first is the header).
    pub(crate) fn csv_record(&mut self, rec: &ByteRecord) -> Result<(), FileError> {
        if self.schema.is_none() {
            return self.first_csv_record(rec);
        }
        let line = line_of(rec);
        if self.is_header_repeat(rec) {
            self.report
                .warnings
                .push(Some(line), "the header row is repeated here; skipped it");
            return Ok(());
        }
        self.data_record(rec)
    }

    fn first_csv_record(&mut self, rec: &ByteRecord) -> Result<(), FileError> {
        let labels: Vec<String> = rec.iter().map(|b| decode(b).0.into_owned()).collect();
        let schema = Schema::from_labels(&labels);
        if schema.is_audit() {
            let kind = self.csv_kind(&schema);
            self.header_norm = schema
                .columns
                .iter()
                .map(|c| c.normalized.clone())
                .collect();
            self.schema = Some(schema);
            self.begin(kind);
            return Ok(());
        }
        // No header row? Try Flock's known layouts against this row.
        for (name, layout) in KNOWN_LAYOUTS {
            if layout.len() != rec.len() {
                continue;
            }
            let candidate = Schema::from_labels(layout);
            if row::search_time(&candidate, rec).is_some() {
                let kind = self.csv_kind(&candidate);
                self.schema = Some(candidate);
                self.header_norm.clear();
                self.begin(kind);
                self.report.warnings.push(
                    Some(line_of(rec)),
                    format!("no header row; read the columns as the {name} layout"),
                );
                return self.data_record(rec);
            }
        }
        Err(self.not_audit(&schema))
    }

    fn is_header_repeat(&self, rec: &ByteRecord) -> bool {
        if self.header_norm.is_empty() || rec.len() != self.header_norm.len() {
            return false;
        }
        let Some(first) = rec.get(0) else {
            return false;
        };
        // Cheap test first: a data row's first cell almost never normalises to a header label.
        let first = decode(first).0;
        if normalize_header(&first) != self.header_norm[0] {
            return false;
        }
        rec.iter()
            .zip(&self.header_norm)
            .all(|(cell, h)| normalize_header(&decode(cell).0) == *h)
    }

    /// A row that might be the header of a second export stacked below the first.
    fn try_stacked_header(&mut self, rec: &ByteRecord) -> bool {
        let labels: Vec<String> = rec.iter().map(|b| decode(b).0.into_owned()).collect();
        let schema = Schema::from_labels(&labels);
        if !schema.is_audit() || schema.known_count() * 2 < schema.len() {
            return false;
        }
        let line = line_of(rec);
        self.report.warnings.push(
            Some(line),
            format!(
                "a new header row starts a second export here ({} columns: {}); read the rows below with it",
                schema.len(),
                schema.labels().join(", ")
            ),
        );
        self.header_norm = schema
            .columns
            .iter()
            .map(|c| c.normalized.clone())
            .collect();
        self.schema = Some(schema);
        self.shifted = None;
        true
    }

    fn shifted_schema(&mut self, rec: &ByteRecord) -> Option<(Schema, usize)> {
        if self.shifted.is_none() {
            let schema = self.schema.as_ref()?;
            let mut best: Option<(usize, usize)> = None;
            for k in 0..schema.len() {
                let s = schema.without(k);
                let score = plausibility(&s, rec);
                if score > 0 && best.is_none_or(|(_, b)| score >= b) {
                    best = Some((k, score));
                }
            }
            self.shifted = Some(best.map(|(k, _)| (schema.without(k), k)));
            if let Some((k, _)) = best {
                let label = schema.columns[k].label.clone();
                self.report.warnings.push(
                    Some(line_of(rec)),
                    format!(
                        "rows have {} fields but the header names {}: the header keeps column {:?} whose data was deleted; read such rows without it",
                        rec.len(),
                        schema.len(),
                        label
                    ),
                );
            }
        }
        self.shifted.clone().flatten()
    }

    /// One data row, bound with the current schema.
    pub(crate) fn data_record(&mut self, rec: &ByteRecord) -> Result<(), FileError> {
        let line = line_of(rec);
        let Some(header_len) = self.schema.as_ref().map(Schema::len) else {
            return Ok(());
        };
        let time_ok = self
            .schema
            .as_ref()
            .is_some_and(|s| row::search_time(s, rec).is_some());
        // A row that does not fit may be the header of a second export stacked below the first.
        if (rec.len() != header_len || !time_ok) && self.try_stacked_header(rec) {
            return Ok(());
        }
        self.report.rows += 1;
        let mut owned_schema = None;
        let mut problems: Vec<String> = Vec::new();
        // "A header kept for a deleted column" is decided on the first data row under a header:
        // when that row is one field short, every such row is read without the deleted column.
        // A short row later in a well-formed file is just a malformed row.
        if self.shifted.is_none() && !(rec.len() + 1 == header_len && header_len > 2) {
            self.shifted = Some(None);
        }
        if rec.len() != header_len {
            let shifted = if rec.len() + 1 == header_len && header_len > 2 {
                self.shifted_schema(rec)
            } else {
                None
            };
            match shifted {
                Some((s, _)) => owned_schema = Some(s),
                None => problems.push(if rec.len() < header_len {
                    format!(
                        "expected {header_len} fields, found {}; the missing fields read as empty",
                        rec.len()
                    )
                } else {
                    format!(
                        "expected {header_len} fields, found {}; the extra fields are kept as \"column N\"",
                        rec.len()
                    )
                }),
            }
        }
        let schema = match (&owned_schema, &self.schema) {
            (Some(s), _) => s,
            (None, Some(s)) => s,
            (None, None) => return Ok(()),
        };
        let search_time = row::search_time(schema, rec);
        if search_time.is_none() {
            let time_col = [Field::SearchTime, Field::SearchDate]
                .iter()
                .filter_map(|f| schema.position(*f))
                .find(|&i| rec.get(i).is_some_and(|b| !b.trim_ascii().is_empty()));
            match time_col {
                Some(i) => {
                    let t = rec
                        .get(i)
                        .map(|b| decode(b).0.trim().to_string())
                        .unwrap_or_default();
                    problems.push(format!(
                        "{} {:?} is not a timestamp; the record has no search time",
                        schema.columns[i].label,
                        clip(&t)
                    ));
                }
                None => problems.push("no search time; the record has no time".into()),
            }
        }
        let schema = match (&owned_schema, &self.schema) {
            (Some(s), _) => s,
            (None, Some(s)) => s,
            (None, None) => return Ok(()),
        };
        let lossy = std::str::from_utf8(rec.as_slice()).is_err();
        if lossy {
            let cols: Vec<String> = rec
                .iter()
                .enumerate()
                .filter(|(_, b)| std::str::from_utf8(b).is_err())
                .map(|(i, _)| {
                    schema
                        .columns
                        .get(i)
                        .map(|c| c.label.clone())
                        .unwrap_or_else(|| format!("column {}", i + 1))
                })
                .collect();
            self.report.warnings.push(
                Some(line),
                format!(
                    "bytes that are not UTF-8 in {}; decoded as Windows-1252 (Latin-1)",
                    cols.join(", ")
                ),
            );
        }
        let column_agency = row::field_text(schema, rec, Field::Agency);
        let reason = row::field_text(schema, rec, Field::Reason);
        let has_content =
            !reason.is_missing() || !column_agency.is_missing() || search_time.is_some();
        if !has_content {
            self.report.dropped += 1;
            self.report.warnings.push(
                Some(line),
                "dropped: the row has no reason, no agency and no search time",
            );
            return Ok(());
        }
        for p in problems {
            self.report.warnings.push(Some(line), p);
        }
        let (agency, agency_source) = match (&column_agency, &self.file_agency) {
            (Text::Missing, Some(a)) => (Text::Value(Cow::Owned(a.clone())), AgencySource::File),
            (Text::Missing, None) => (
                Text::Value(Cow::Borrowed(crate::catalog::UNKNOWN_AGENCY)),
                AgencySource::None,
            ),
            _ => (column_agency, AgencySource::Column),
        };
        let networks = schema
            .position(Field::Networks)
            .and_then(|i| rec.get(i))
            .and_then(|b| std::str::from_utf8(b).ok())
            .and_then(parse_count);
        let id = identity(schema, rec, search_time, &mut self.keybuf);
        let pos = rec.position();
        let r = Row {
            id,
            source: Source {
                file: self.file_idx,
                line,
                offset: pos.map(|p| p.byte()).unwrap_or(0) + self.base_offset,
            },
            schema,
            cells: rec,
            lossy,
            agency,
            agency_source,
            reason,
            offense: row::field_text(schema, rec, Field::OffenseType),
            prompt: row::field_text(schema, rec, Field::TextPrompt),
            prior_flag: row::field_text(schema, rec, Field::PriorFlag),
            search_time,
            networks,
        };
        let outcome = self.sink.row(&r);
        if outcome.duplicate {
            self.report.duplicates += 1;
        } else {
            self.report.records += 1;
            if outcome.flagged {
                self.report.flagged += 1;
            }
        }
        Ok(())
    }
}

/// How well a row fits a schema: fields that parse as what they should be.
fn plausibility(schema: &Schema, rec: &ByteRecord) -> usize {
    let cell = |f: Field| {
        schema
            .position(f)
            .and_then(|i| rec.get(i))
            .map(|b| decode(b).0.trim().to_string())
    };
    let mut score = 0;
    if row::search_time(schema, rec).is_none() {
        return 0;
    }
    score += 4;
    for f in [Field::Networks, Field::Devices] {
        match cell(f) {
            Some(v) if parse_count(&v).is_some() => score += 2,
            Some(v) if v.is_empty() || v.contains('—') => score += 1,
            Some(_) => return 0,
            None => {}
        }
    }
    if let Some(v) = cell(Field::TimeFrame) {
        if super::time::parse_time_frame(&v).is_some() {
            score += 2;
        } else if !v.is_empty() {
            return 0;
        }
    }
    if let Some(v) = cell(Field::FlockId)
        && v.len() == 36
        && v.matches('-').count() == 4
    {
        score += 2;
    }
    if let Some(v) = cell(Field::SearchType) {
        let l = v.to_ascii_lowercase();
        if [
            "lookup", "search", "convoy", "visual", "freeform", "multigeo", "apiv1",
        ]
        .iter()
        .any(|t| l.starts_with(t))
        {
            score += 2;
        }
    }
    score
}

fn line_of(rec: &ByteRecord) -> u64 {
    rec.position().map(|p| p.line()).unwrap_or(0)
}

fn clip(s: &str) -> String {
    if s.chars().count() > 60 {
        let t: String = s.chars().take(57).collect();
        format!("{t}...")
    } else {
        s.to_string()
    }
}

fn describe_schema(schema: &Schema, kind: Kind) -> String {
    let n = schema.len();
    let fields: std::collections::BTreeSet<Field> =
        schema.columns.iter().filter_map(|c| c.field).collect();
    let renamed = schema
        .columns
        .iter()
        .any(|c| c.label.contains('_') && c.field.is_some_and(|f| f != Field::PriorFlag));
    for (name, layout) in KNOWN_LAYOUTS {
        let known: std::collections::BTreeSet<Field> = Schema::from_labels(layout)
            .columns
            .iter()
            .filter_map(|c| c.field)
            .collect();
        if known == fields && !renamed {
            return name.to_string();
        }
    }
    let what = match kind {
        Kind::PortalSearchAudit | Kind::PortalScrapeJson => "transparency-portal columns",
        _ if renamed => "researcher extract with renamed headers",
        Kind::JsonArray | Kind::Ndjson => "JSON keys",
        _ => "columns bound by name",
    };
    format!("{n} columns, {what}")
}

/// The agency named by a Flock file name: `M_D_YYYY-M_D_YYYY-<Org Name>-Audit.csv` or
/// `…-<Org Name>-Network-Audit.csv` (underscores read as spaces).
pub fn agency_from_file_name(path: &std::path::Path) -> Option<String> {
    static PATTERN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^\d{1,2}_\d{1,2}_\d{4}-\d{1,2}_\d{1,2}_\d{4}-(.+?)-(?:network-)?audit(?:[-_. ].*)?$")
            .expect("static regex")
    });
    let name = path.file_name()?.to_string_lossy();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    let stem = name.rsplit_once('.').map(|(s, _)| s).unwrap_or(name);
    let caps = PATTERN.captures(stem)?;
    let agency = caps.get(1)?.as_str().replace('_', " ");
    let agency = agency.trim();
    (!agency.is_empty()).then(|| agency.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn agency_from_flock_file_names() {
        let a = |s: &str| agency_from_file_name(Path::new(s));
        assert_eq!(
            a("11_1_2025-12_8_2025-Okaloosa_County_FL_SO-Audit_EXTRACTED.csv").as_deref(),
            Some("Okaloosa County FL SO")
        );
        assert_eq!(
            a("1_1_2025-1_31_2025-Dallas TX PD-Network-Audit.csv.gz").as_deref(),
            Some("Dallas TX PD")
        );
        assert_eq!(
            a("dir/4_1_2025-4_30_2025-Lakemont TX PD-Audit.csv").as_deref(),
            Some("Lakemont TX PD")
        );
        assert_eq!(a("EPDSearchAuditLogs.csv"), None);
        assert_eq!(a("search_audit.a871b2fc.csv"), None);
    }
}
