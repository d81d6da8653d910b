//! Raw records → rows: header detection, schema quirks, per-row warnings, identity, time and the
//! text cells' local symbols.
//!
//! A [`Processor`] works through a stretch of records from a [`State`] (the header in force and
//! what was decided under it). Worker threads each take a block of a file from a snapshot of the
//! state; the reading thread accepts a block only when it started from the state its predecessor
//! ended in (`Arc` identity: every change copies the state), and processes it again otherwise.
//! What a stretch adds to the file's report is a [`Part`], merged in file order.

use std::sync::Arc;

use super::batch::{At, Out, RowMeta};
use super::describe::{clip, csv_kind, describe_schema, not_audit, plausibility};
use super::row::{self, AgencySource, identity, parse_count_bytes};
use super::schema::{KNOWN_LAYOUTS, Schema, normalize_header};
use super::thread_strings::{LOCAL_EMPTY, LocalStrings};
use super::value::decode;
use super::{Cells, FileError, Kind, Warnings};
use crate::ingest::catalog::TEXT_FIELDS;
use crate::model::Field;

/// Why processing stopped early.
pub(crate) enum Stop {
    /// The file is unusable from here on.
    File(FileError),
    /// The consumer went away (the load was cancelled).
    Cancelled,
    /// A reading thread stopped unexpectedly (a bug).
    Internal,
}

impl From<FileError> for Stop {
    fn from(e: FileError) -> Stop {
        Stop::File(e)
    }
}

/// What every thread reading one file knows about it.
#[derive(Clone, Debug)]
pub(crate) struct FileInfo {
    /// The path as shown to the user.
    pub path: String,
    /// The file name, lower-cased (the export kind is in it).
    pub file_name: String,
    /// Bytes skipped before the content (a BOM), added to byte offsets.
    pub base_offset: u64,
    /// The file is UTF-16 text, decoded as it is read (a U+FFFD in a row is then warned of).
    pub utf16: bool,
}

/// What carries from one row to the next: the header in force and what was decided under it.
#[derive(Clone, Debug, Default)]
pub(crate) struct State {
    schema: Option<Arc<Schema>>,
    /// For files whose header keeps a deleted column: the header without it. None until the
    /// first data row under a header decides.
    shifted: Option<Option<Arc<Schema>>>,
    header_norm: Arc<[String]>,
    header_first: Arc<[u8]>,
    /// The header is known and was announced.
    began: bool,
    /// The file names an agency (its name, portal metadata, or `--agency`).
    file_agency: bool,
    /// The header in force is a Network Audit's: rows without an `Org Name` do not say who
    /// searched, and never take the file's agency (its owner) as their searcher.
    network: bool,
}

impl State {
    /// The starting state of a file.
    pub(crate) fn new(file_agency: bool) -> Arc<State> {
        Arc::new(State {
            file_agency,
            ..State::default()
        })
    }
}

/// The file's header became known: what the report says about it.
#[derive(Clone, Debug)]
pub(crate) struct Begin {
    /// Detected kind.
    pub kind: Kind,
    /// Column labels.
    pub columns: Vec<String>,
    /// Description of the schema.
    pub schema: String,
    /// First time for this file (the sink is told).
    pub first: bool,
}

/// What a stretch of rows adds to the file's report.
#[derive(Debug, Default)]
pub(crate) struct Part {
    /// Data rows read.
    pub rows: u64,
    /// Rows dropped.
    pub dropped: u64,
    /// Warnings, in line order.
    pub warnings: Warnings,
    /// Header announcements, in order.
    pub begins: Vec<Begin>,
    /// The agency named by the file's metadata (portal `crawled_name`).
    pub file_agency: Option<String>,
    /// A portal page's sharing lists.
    pub sharing: Option<super::Sharing>,
}

impl Part {
    /// True when it adds nothing.
    pub(crate) fn is_empty(&self) -> bool {
        self.rows == 0
            && self.dropped == 0
            && self.warnings.total == 0
            && self.begins.is_empty()
            && self.file_agency.is_none()
            && self.sharing.is_none()
    }
}

/// Turns raw records into rows, from a state.
pub(crate) struct Processor<'a> {
    info: &'a FileInfo,
    /// The state in force (copied on the first change).
    pub(crate) state: Arc<State>,
    /// What the rows processed so far add to the report.
    pub(crate) part: Part,
    strings: &'a mut LocalStrings,
    keybuf: &'a mut Vec<u8>,
}

impl<'a> Processor<'a> {
    /// A processor starting from `state`.
    pub(crate) fn new(
        info: &'a FileInfo,
        state: Arc<State>,
        strings: &'a mut LocalStrings,
        keybuf: &'a mut Vec<u8>,
    ) -> Processor<'a> {
        Processor {
            info,
            state,
            part: Part::default(),
            strings,
            keybuf,
        }
    }

    fn state_mut(&mut self) -> &mut State {
        Arc::make_mut(&mut self.state)
    }

    /// The path, for messages.
    pub(crate) fn path(&self) -> &str {
        &self.info.path
    }

    /// Sets the agency named by the file's metadata (portal `crawled_name`).
    pub(crate) fn set_file_agency(&mut self, agency: &str) {
        let a = agency.trim();
        if !a.is_empty() {
            self.part.file_agency = Some(a.to_string());
            if !self.state.file_agency {
                self.state_mut().file_agency = true;
            }
        }
    }

    /// A new table starts (a workbook's next sheet): its first row is its header.
    pub(crate) fn new_table(&mut self) {
        let st = self.state_mut();
        st.schema = None;
        st.shifted = None;
        st.header_norm = Arc::from([]);
        st.header_first = Arc::from([]);
    }

    /// The number of columns the header in force names.
    pub(crate) fn header_width(&self) -> Option<usize> {
        self.state.schema.as_ref().map(|s| s.len())
    }

    /// Sets the schema from labels (JSON keys) without a header row in the data.
    pub(crate) fn set_labels(&mut self, labels: &[String], kind: Kind) -> Result<(), Stop> {
        let schema = Schema::from_labels(labels);
        if self.state.schema.is_none() && !schema.is_audit() {
            return Err(not_audit(&self.info.path, &schema).into());
        }
        let st = self.state_mut();
        st.header_norm = Arc::from([]);
        st.header_first = Arc::from([]);
        st.schema = Some(Arc::new(schema));
        self.begin(kind);
        Ok(())
    }

    fn begin(&mut self, kind: Kind) {
        let Some(schema) = self.state.schema.clone() else {
            return;
        };
        let first = !self.state.began;
        if first {
            self.state_mut().began = true;
        }
        let network = kind == Kind::FlockNetworkAudit;
        if self.state.network != network {
            self.state_mut().network = network;
        }
        self.part.begins.push(Begin {
            kind,
            columns: schema.labels().iter().map(|s| s.to_string()).collect(),
            schema: describe_schema(&schema, kind),
            first,
        });
    }

    fn set_header(&mut self, schema: Schema, rec: Option<&Cells>) {
        let mut first = rec
            .and_then(|r| r.get(0))
            .map(|b| b.trim_ascii().to_ascii_lowercase())
            .unwrap_or_default();
        if first.starts_with(b"\xef\xbb\xbf") {
            first.drain(..3);
        }
        let st = self.state_mut();
        st.header_norm = schema
            .columns
            .iter()
            .map(|c| c.normalized.clone())
            .collect();
        st.header_first = first.into();
        st.schema = Some(Arc::new(schema));
        st.shifted = None;
    }

    /// One raw CSV record (the first is the header). `idx` is its slot in the batch.
    pub(crate) fn csv_record(
        &mut self,
        out: &mut Out<'_>,
        rec: &Cells,
        at: At,
        idx: u32,
    ) -> Result<(), Stop> {
        if self.state.schema.is_none() {
            return self.first_csv_record(out, rec, at, idx);
        }
        if self.is_header_repeat(rec) {
            self.part
                .warnings
                .push(Some(at.line), "the header row is repeated here; skipped it");
            return Ok(());
        }
        self.data_record(out, rec, at, idx)
    }

    fn first_csv_record(
        &mut self,
        out: &mut Out<'_>,
        rec: &Cells,
        at: At,
        idx: u32,
    ) -> Result<(), Stop> {
        let labels: Vec<String> = rec.iter().map(|b| decode(b).0.into_owned()).collect();
        let schema = Schema::from_labels(&labels);
        if schema.is_audit() {
            let kind = csv_kind(&schema, &self.info.file_name);
            self.set_header(schema, Some(rec));
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
                let kind = csv_kind(&candidate, &self.info.file_name);
                self.set_header(candidate, None);
                self.state_mut().header_norm = Arc::from([]);
                self.begin(kind);
                self.part.warnings.push(
                    Some(at.line),
                    format!("no header row; read the columns as the {name} layout"),
                );
                return self.data_record(out, rec, at, idx);
            }
        }
        Err(not_audit(&self.info.path, &schema).into())
    }

    fn is_header_repeat(&self, rec: &Cells) -> bool {
        let st = &self.state;
        if st.header_norm.is_empty() || rec.len() != st.header_norm.len() {
            return false;
        }
        // Cheap test first, without allocating: the first cell must spell the header's.
        match rec.get(0) {
            Some(first) if first.trim_ascii().eq_ignore_ascii_case(&st.header_first) => {}
            _ => return false,
        }
        rec.iter()
            .zip(st.header_norm.iter())
            .all(|(cell, h)| normalize_header(&decode(cell).0) == *h)
    }

    /// A row that might be the header of a second export stacked below the first.
    fn try_stacked_header(&mut self, rec: &Cells, at: At) -> bool {
        let labels: Vec<String> = rec.iter().map(|b| decode(b).0.into_owned()).collect();
        let schema = Schema::from_labels(&labels);
        if !schema.is_audit() || schema.known_count() * 2 < schema.len() {
            return false;
        }
        self.part.warnings.push(
            Some(at.line),
            format!(
                "a new header row starts a second export here ({} columns: {}); read the rows below with it",
                schema.len(),
                schema.labels().join(", ")
            ),
        );
        self.set_header(schema, Some(rec));
        true
    }

    fn shifted_schema(&mut self, rec: &Cells, at: At) -> Option<Arc<Schema>> {
        if self.state.shifted.is_none() {
            let schema = self.state.schema.clone()?;
            let mut best: Option<(usize, usize)> = None;
            for k in 0..schema.len() {
                let score = plausibility(&schema.without(k), rec);
                if score > 0 && best.is_none_or(|(_, b)| score >= b) {
                    best = Some((k, score));
                }
            }
            self.state_mut().shifted = Some(best.map(|(k, _)| Arc::new(schema.without(k))));
            if let Some((k, _)) = best {
                self.part.warnings.push(
                    Some(at.line),
                    format!(
                        "rows have {} fields but the header names {}: the header keeps column {:?} whose data was deleted; read such rows without it",
                        rec.len(),
                        schema.len(),
                        schema.columns[k].label
                    ),
                );
            }
        }
        self.state.shifted.clone().flatten()
    }

    /// Whether a row whose width differs from the header's is read without a deleted column
    /// (true) or as a malformed row (a problem is noted).
    fn fit_width(
        &mut self,
        rec: &Cells,
        at: At,
        header_len: usize,
        problems: &mut Vec<String>,
    ) -> bool {
        // "A header kept for a deleted column" is decided on the first data row under a header:
        // when that row is one field short, every such row is read without the deleted column.
        // A short row later in a well-formed file is just a malformed row.
        let one_short = rec.len() + 1 == header_len && header_len > 2;
        if self.state.shifted.is_none() && !one_short {
            self.state_mut().shifted = Some(None);
        }
        if rec.len() == header_len {
            return false;
        }
        match if one_short {
            self.shifted_schema(rec, at)
        } else {
            None
        } {
            Some(_) => true,
            None => {
                problems.push(width_problem(header_len, rec.len()));
                false
            }
        }
    }

    /// One data row, bound with the current schema.
    pub(crate) fn data_record(
        &mut self,
        out: &mut Out<'_>,
        rec: &Cells,
        at: At,
        idx: u32,
    ) -> Result<(), Stop> {
        let line = at.line;
        let Some(header) = self.state.schema.as_deref() else {
            return Ok(());
        };
        let header_len = header.len();
        let mut search_time = row::search_time(header, rec);
        let time_ok = search_time.is_some();
        // A row that does not fit may be the header of a second export stacked below the first.
        if (rec.len() != header_len || !time_ok) && self.try_stacked_header(rec, at) {
            return Ok(());
        }
        self.part.rows += 1;
        let mut problems: Vec<String> = Vec::new();
        let shifted = self.fit_width(rec, at, header_len, &mut problems);
        // The schema the row is read with (borrowed: the state is shared between threads, and
        // counting references to it on every row would make them contend).
        let st = &*self.state;
        let Some(schema) = (if shifted {
            st.shifted.as_ref().and_then(Option::as_ref)
        } else {
            st.schema.as_ref()
        }) else {
            return Ok(());
        };
        if shifted {
            search_time = row::search_time(schema, rec);
        }
        if search_time.is_none() {
            problems.push(time_problem(schema, rec));
        }
        let lossy = byte_warnings(&mut self.part.warnings, out, schema, rec, line);
        if self.info.utf16 {
            replacement_warning(&mut self.part.warnings, schema, rec, line);
        }
        let cell = |f: Field| schema.cell(rec, f).map(<[u8]>::trim_ascii).unwrap_or(b"");
        let agency_cell = cell(Field::Agency);
        let reason_cell = cell(Field::Reason);
        let column_agency = !agency_cell.is_empty();
        let has_content = column_agency || !reason_cell.is_empty() || search_time.is_some();
        if !has_content {
            self.part.dropped += 1;
            self.part.warnings.push(
                Some(line),
                "dropped: the row has no reason, no agency and no search time",
            );
            return Ok(());
        }
        for p in problems {
            self.part.warnings.push(Some(line), p);
        }
        let agency_source = if column_agency {
            AgencySource::Column
        } else if st.file_agency && !st.network {
            AgencySource::File
        } else {
            AgencySource::None
        };
        let networks = parse_count_bytes(cell(Field::Networks));
        let mut text = [LOCAL_EMPTY; TEXT_FIELDS.len()];
        for (slot, &field) in TEXT_FIELDS.iter().enumerate() {
            let raw = match field {
                Field::Agency => agency_cell,
                Field::Reason => reason_cell,
                _ => cell(field),
            };
            text[slot] = self.strings.intern(slot, raw, out.strings);
        }
        let id = identity(schema, rec, search_time, self.keybuf);
        let schema_idx = out.schema_index(schema);
        out.rows.push(RowMeta {
            rec: idx,
            schema: schema_idx,
            id,
            line,
            offset: at.byte + self.info.base_offset,
            lossy,
            agency_source,
            search_time,
            networks,
            text,
        });
        Ok(())
    }
}

/// Warns of bytes that are not UTF-8 (true: the row is decoded as Windows-1252) and of NUL bytes.
fn byte_warnings(
    warnings: &mut Warnings,
    out: &Out<'_>,
    schema: &Schema,
    rec: &Cells,
    line: u64,
) -> bool {
    let lossy = !out.utf8 && simdutf8::basic::from_utf8(rec.as_slice()).is_err();
    if lossy {
        let cols = columns_where(schema, rec, |b| std::str::from_utf8(b).is_err());
        warnings.push(
            Some(line),
            format!("bytes that are not UTF-8 in {cols}; decoded as Windows-1252 (Latin-1)"),
        );
    }
    if out.nul && memchr::memchr(0, rec.as_slice()).is_some() {
        let cols = columns_where(schema, rec, |b| b.contains(&0));
        warnings.push(
            Some(line),
            format!(
                "a NUL byte (binary data) in {cols}; the row is kept as read, but the file may be damaged here"
            ),
        );
    }
    lossy
}

/// U+FFFD, in UTF-8.
const REPLACEMENT: &[u8] = "\u{fffd}".as_bytes();

/// Warns of U+FFFD in a row of a UTF-16 file: where the file's UTF-16 is malformed (a lone
/// surrogate, an odd last byte) the decoder writes that character instead.
fn replacement_warning(warnings: &mut Warnings, schema: &Schema, rec: &Cells, line: u64) {
    let has = |b: &[u8]| memchr::memmem::find(b, REPLACEMENT).is_some();
    if has(rec.as_slice()) {
        let cols = columns_where(schema, rec, has);
        warnings.push(
            Some(line),
            format!(
                "U+FFFD (\u{fffd}) in {cols}: the file's UTF-16 is malformed there (an unpaired surrogate) and was decoded as that character, unless the file holds it as written"
            ),
        );
    }
}

/// What is wrong with a row of `found` fields under a header of `expected`.
fn width_problem(expected: usize, found: usize) -> String {
    if found < expected {
        format!("expected {expected} fields, found {found}; the missing fields read as empty")
    } else {
        format!(
            "expected {expected} fields, found {found}; the extra fields are kept as \"column N\""
        )
    }
}

/// Why a row has no search time: a time cell that is not a timestamp, or none at all.
fn time_problem(schema: &Schema, rec: &Cells) -> String {
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
            format!(
                "{} {:?} is not a timestamp; the record has no search time",
                schema.columns[i].label,
                clip(&t)
            )
        }
        None => "no search time; the record has no time".into(),
    }
}

/// The labels of the columns whose cell matches, comma-separated.
fn columns_where(schema: &Schema, rec: &Cells, pick: impl Fn(&[u8]) -> bool) -> String {
    rec.iter()
        .enumerate()
        .filter(|(_, b)| pick(b))
        .map(|(i, _)| {
            schema
                .columns
                .get(i)
                .map(|c| c.label.clone())
                .unwrap_or_else(|| format!("column {}", i + 1))
        })
        .collect::<Vec<_>>()
        .join(", ")
}
