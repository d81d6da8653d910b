//! The reader thread's half of a load: header detection, schema quirks, per-row warnings,
//! identity and time. Rows go to the sink thread in batches (see `load.rs`).

use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender};

use csv::ByteRecord;

use super::batch::{Batch, Msg, RowMeta};
use super::describe::{clip, describe_schema, line_of, plausibility};
use super::row::{self, AgencySource, identity, parse_count};
use super::schema::{KNOWN_LAYOUTS, Schema, normalize_header};
use super::value::decode;
use super::{FileError, FileReport, Kind};
use crate::model::Field;

/// Why reading stopped early.
pub(crate) enum Stop {
    /// The file is unusable from here on.
    File(FileError),
    /// The sink went away (the load was cancelled).
    Cancelled,
}

impl From<FileError> for Stop {
    fn from(e: FileError) -> Stop {
        Stop::File(e)
    }
}

/// Where processed rows of one batch go.
pub(crate) struct Out<'b> {
    rows: &'b mut Vec<RowMeta>,
    batch_schemas: &'b mut Vec<Arc<Schema>>,
}

impl Batch {
    /// The filled records and the place to put rows found in them.
    pub(crate) fn split(&mut self) -> (&[ByteRecord], Out<'_>) {
        (
            &self.records,
            Out {
                rows: &mut self.rows,
                batch_schemas: &mut self.schemas,
            },
        )
    }
}

impl Out<'_> {
    fn schema_index(&mut self, schema: &Arc<Schema>) -> u16 {
        match self.batch_schemas.last() {
            Some(last) if Arc::ptr_eq(last, schema) => (self.batch_schemas.len() - 1) as u16,
            _ => {
                self.batch_schemas.push(schema.clone());
                (self.batch_schemas.len() - 1) as u16
            }
        }
    }
}

/// Turns raw records into rows, on the reader thread.
pub(crate) struct Processor {
    pub(crate) path: String,
    pub(crate) report: FileReport,
    schema: Option<Arc<Schema>>,
    /// For files whose header keeps a deleted column: the header without it.
    shifted: Option<Option<Arc<Schema>>>,
    header_norm: Vec<String>,
    header_first: Vec<u8>,
    keybuf: Vec<u8>,
    base_offset: u64,
    file_name: String,
    began: bool,
    tx: SyncSender<Msg>,
    back: Receiver<Batch>,
}

impl Processor {
    pub(crate) fn new(
        path: String,
        file_name: String,
        report: FileReport,
        base_offset: u64,
        tx: SyncSender<Msg>,
        back: Receiver<Batch>,
    ) -> Processor {
        Processor {
            path,
            report,
            schema: None,
            shifted: None,
            header_norm: Vec::new(),
            header_first: Vec::new(),
            keybuf: Vec::with_capacity(512),
            base_offset,
            file_name,
            began: false,
            tx,
            back,
        }
    }

    /// An empty batch, recycled when the sink has returned one.
    pub(crate) fn fresh_batch(&self) -> Batch {
        match self.back.try_recv() {
            Ok(mut b) => {
                b.reset();
                b
            }
            Err(_) => Batch::new(),
        }
    }

    /// Hands a batch to the sink thread.
    pub(crate) fn send(&mut self, batch: Batch) -> Result<(), Stop> {
        if batch.rows.is_empty() {
            return Ok(());
        }
        self.tx.send(Msg::Batch(batch)).map_err(|_| Stop::Cancelled)
    }

    /// The end of the file: the final report (with the error, if any).
    pub(crate) fn finish(mut self, result: Result<(), Stop>) -> FileReport {
        let err = match result {
            Ok(()) if self.schema.is_none() => Some(FileError::NotAudit {
                path: self.path.clone(),
                message: "no rows found; expected a search-audit export with a header row".into(),
            }),
            Ok(()) | Err(Stop::Cancelled) => None,
            Err(Stop::File(e)) => Some(e),
        };
        if let Some(e) = &err {
            self.report.error = Some(e.to_string());
        }
        std::mem::take(&mut self.report)
    }

    /// Sends the end message.
    pub(crate) fn end(self, result: Result<(), Stop>) {
        let tx = self.tx.clone();
        let report = self.finish(result);
        let _ = tx.send(Msg::End(Box::new(report)));
    }

    /// Sets the agency named by the file's metadata (portal `crawled_name`).
    pub(crate) fn set_file_agency(&mut self, agency: &str) {
        let a = agency.trim();
        if !a.is_empty() {
            self.report.file_agency = Some(a.to_string());
        }
    }

    /// Sets the schema from labels (JSON keys) without a header row in the data.
    pub(crate) fn set_labels(&mut self, labels: &[String], kind: Kind) -> Result<(), Stop> {
        let schema = Schema::from_labels(labels);
        let first = self.schema.is_none();
        if first && !schema.is_audit() {
            return Err(self.not_audit(&schema).into());
        }
        self.header_norm.clear();
        self.header_first.clear();
        self.schema = Some(Arc::new(schema));
        self.begin(kind)
    }

    fn begin(&mut self, kind: Kind) -> Result<(), Stop> {
        let Some(schema) = &self.schema else {
            return Ok(());
        };
        self.report.kind = Some(kind);
        self.report.columns = schema.labels().iter().map(|s| s.to_string()).collect();
        self.report.schema = describe_schema(schema, kind);
        if !self.began {
            self.began = true;
            self.tx
                .send(Msg::Begin(Box::new(self.report.clone())))
                .map_err(|_| Stop::Cancelled)?;
        }
        Ok(())
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

    fn set_header(&mut self, schema: Schema, rec: Option<&ByteRecord>) {
        self.header_norm = schema
            .columns
            .iter()
            .map(|c| c.normalized.clone())
            .collect();
        self.header_first = rec
            .and_then(|r| r.get(0))
            .map(|b| b.trim_ascii().to_ascii_lowercase())
            .unwrap_or_default();
        if self.header_first.starts_with(b"\xef\xbb\xbf") {
            self.header_first.drain(..3);
        }
        self.schema = Some(Arc::new(schema));
        self.shifted = None;
    }

    /// One raw CSV record (the first is the header).
    pub(crate) fn csv_record(
        &mut self,
        out: &mut Out<'_>,
        rec: &ByteRecord,
        idx: u32,
    ) -> Result<(), Stop> {
        if self.schema.is_none() {
            return self.first_csv_record(out, rec, idx);
        }
        if self.is_header_repeat(rec) {
            self.report.warnings.push(
                Some(line_of(rec)),
                "the header row is repeated here; skipped it",
            );
            return Ok(());
        }
        self.data_record(out, rec, idx)
    }

    fn first_csv_record(
        &mut self,
        out: &mut Out<'_>,
        rec: &ByteRecord,
        idx: u32,
    ) -> Result<(), Stop> {
        let labels: Vec<String> = rec.iter().map(|b| decode(b).0.into_owned()).collect();
        let schema = Schema::from_labels(&labels);
        if schema.is_audit() {
            let kind = self.csv_kind(&schema);
            self.set_header(schema, Some(rec));
            return self.begin(kind);
        }
        // No header row? Try Flock's known layouts against this row.
        for (name, layout) in KNOWN_LAYOUTS {
            if layout.len() != rec.len() {
                continue;
            }
            let candidate = Schema::from_labels(layout);
            if row::search_time(&candidate, rec).is_some() {
                let kind = self.csv_kind(&candidate);
                self.set_header(candidate, None);
                self.header_norm.clear();
                self.begin(kind)?;
                self.report.warnings.push(
                    Some(line_of(rec)),
                    format!("no header row; read the columns as the {name} layout"),
                );
                return self.data_record(out, rec, idx);
            }
        }
        Err(self.not_audit(&schema).into())
    }

    fn is_header_repeat(&self, rec: &ByteRecord) -> bool {
        if self.header_norm.is_empty() || rec.len() != self.header_norm.len() {
            return false;
        }
        // Cheap test first, without allocating: the first cell must spell the header's.
        match rec.get(0) {
            Some(first) if first.trim_ascii().eq_ignore_ascii_case(&self.header_first) => {}
            _ => return false,
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
        self.report.warnings.push(
            Some(line_of(rec)),
            format!(
                "a new header row starts a second export here ({} columns: {}); read the rows below with it",
                schema.len(),
                schema.labels().join(", ")
            ),
        );
        self.set_header(schema, Some(rec));
        true
    }

    fn shifted_schema(&mut self, rec: &ByteRecord) -> Option<Arc<Schema>> {
        if self.shifted.is_none() {
            let schema = self.schema.clone()?;
            let mut best: Option<(usize, usize)> = None;
            for k in 0..schema.len() {
                let score = plausibility(&schema.without(k), rec);
                if score > 0 && best.is_none_or(|(_, b)| score >= b) {
                    best = Some((k, score));
                }
            }
            self.shifted = Some(best.map(|(k, _)| Arc::new(schema.without(k))));
            if let Some((k, _)) = best {
                self.report.warnings.push(
                    Some(line_of(rec)),
                    format!(
                        "rows have {} fields but the header names {}: the header keeps column {:?} whose data was deleted; read such rows without it",
                        rec.len(),
                        schema.len(),
                        schema.columns[k].label
                    ),
                );
            }
        }
        self.shifted.clone().flatten()
    }

    /// One data row, bound with the current schema.
    pub(crate) fn data_record(
        &mut self,
        out: &mut Out<'_>,
        rec: &ByteRecord,
        idx: u32,
    ) -> Result<(), Stop> {
        let line = line_of(rec);
        let Some(mut schema) = self.schema.clone() else {
            return Ok(());
        };
        let header_len = schema.len();
        let mut search_time = row::search_time(&schema, rec);
        let time_ok = search_time.is_some();
        // A row that does not fit may be the header of a second export stacked below the first.
        if (rec.len() != header_len || !time_ok) && self.try_stacked_header(rec) {
            return Ok(());
        }
        self.report.rows += 1;
        let mut problems: Vec<String> = Vec::new();
        // "A header kept for a deleted column" is decided on the first data row under a header:
        // when that row is one field short, every such row is read without the deleted column.
        // A short row later in a well-formed file is just a malformed row.
        let one_short = rec.len() + 1 == header_len && header_len > 2;
        if self.shifted.is_none() && !one_short {
            self.shifted = Some(None);
        }
        if rec.len() != header_len {
            match if one_short { self.shifted_schema(rec) } else { None } {
                Some(s) => schema = s,
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
            search_time = row::search_time(&schema, rec);
        }
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
        let lossy = simdutf8::basic::from_utf8(rec.as_slice()).is_err();
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
        let cell = |f: Field| schema.cell(rec, f).map(<[u8]>::trim_ascii).unwrap_or(b"");
        let column_agency = !cell(Field::Agency).is_empty();
        let has_content = column_agency || !cell(Field::Reason).is_empty() || search_time.is_some();
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
        let agency_source = if column_agency {
            AgencySource::Column
        } else if self.report.file_agency.is_some() {
            AgencySource::File
        } else {
            AgencySource::None
        };
        let networks = std::str::from_utf8(cell(Field::Networks))
            .ok()
            .and_then(parse_count);
        let id = identity(&schema, rec, search_time, &mut self.keybuf);
        let schema_idx = out.schema_index(&schema);
        out.rows.push(RowMeta {
            rec: idx,
            schema: schema_idx,
            id,
            line,
            offset: rec.position().map(|p| p.byte()).unwrap_or(0) + self.base_offset,
            lossy,
            agency_source,
            search_time,
            networks,
        });
        Ok(())
    }
}
