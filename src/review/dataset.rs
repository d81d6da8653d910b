//! The records of a load, in memory for the review UI: one column per field the table, filters
//! and sorting need (about 60 bytes a record), interned text, and where each record came from.
//! Everything else is re-read from disk for the one record on screen (see [`crate::review::full_record`]).

use std::sync::Arc;
use std::time::Duration;

use rustc_hash::FxHashMap;

use crate::flag::Hit;
use crate::idset::IdIndex;
use crate::ingest::catalog::{Catalog, Hits, TextSyms};
use crate::ingest::time::Millis;
use crate::ingest::{ContentFormat, FileReport, InputFile, Schema};
use crate::intern::Sym;
use crate::model::{Field, RecordId, Source};
use crate::review::links::{LinkKeys, Links};

/// No search time.
pub const NO_TIME: Millis = i64::MIN;
/// No count.
pub const NO_COUNT: u32 = u32::MAX;
/// Not flagged.
pub const NO_RULE: u16 = u16::MAX;

/// A row as the loader ships it.
#[derive(Clone, Debug)]
pub struct NewRow {
    /// Identity.
    pub id: RecordId,
    /// Search time or [`NO_TIME`].
    pub time: Millis,
    /// Text symbols.
    pub syms: TextSyms,
    /// Networks searched or [`NO_COUNT`].
    pub networks: u32,
    /// The first rule that flags it, or [`NO_RULE`].
    pub rule: u16,
    /// Where it came from.
    pub source: Source,
    /// The raw cells, for files that cannot be re-read by offset (JSON documents, workbooks, a
    /// gzip file read without [`crate::ingest::ReadOptions::keep_inflated`]).
    pub raw: Option<crate::ingest::Cells>,
    /// Account, case number and plate.
    pub links: LinkKeys,
}

/// What the loader sends: catalog strings new since the last chunk, then rows.
#[derive(Clone, Debug, Default)]
pub struct Chunk {
    /// New strings, per field, in symbol order.
    pub strings: Vec<(Field, Box<str>, Hits)>,
    /// Schema changes: (file, first byte offset it applies from, schema).
    pub schemas: Vec<(u32, u64, Arc<Schema>)>,
    /// Accounts new since the last chunk, in symbol order.
    pub accounts: Vec<Box<str>>,
    /// Rows.
    pub rows: Vec<NewRow>,
    /// Bytes of input read so far (all files).
    pub bytes_done: u64,
}

/// What the loader reports.
#[derive(Debug)]
pub enum LoadEvent {
    /// A file's schema is known (kind, columns, content format).
    FileStarted(u32, Box<FileReport>),
    /// Rows.
    Chunk(Box<Chunk>),
    /// A file is done: rows, dropped rows, warnings and any error.
    FileDone(u32, Box<FileReport>),
    /// Every file is done.
    Finished {
        /// How long the load took.
        elapsed: Duration,
    },
}

/// One input file as the dataset knows it.
#[derive(Clone, Debug)]
pub struct FileEntry {
    /// The file.
    pub input: InputFile,
    /// What the load found (rows, warnings, errors); counts filled in as rows arrive.
    pub report: FileReport,
    /// Content format, for re-reading a row.
    pub content: Option<ContentFormat>,
    /// Schemas by the byte offset they start at.
    pub schemas: Vec<(u64, Arc<Schema>)>,
}

impl FileEntry {
    /// The schema in force at a byte offset.
    pub fn schema_at(&self, offset: u64) -> Option<&Arc<Schema>> {
        let i = self.schemas.partition_point(|(o, _)| *o <= offset);
        self.schemas.get(i.checked_sub(1)?).map(|(_, s)| s)
    }

    /// True when a row can be re-read from disk by its offset.
    pub fn seekable(&self) -> bool {
        (!self.report.transcoded() || self.report.inflated.is_some())
            && matches!(
                self.content,
                Some(ContentFormat::Csv { .. }) | Some(ContentFormat::Ndjson)
            )
    }
}

/// Takes the reader's findings, keeping the record counts the dataset made.
fn merge_report(into: &mut FileReport, from: FileReport) {
    let (records, duplicates, flagged) = (into.records, into.duplicates, into.flagged);
    *into = from;
    into.records = records;
    into.duplicates = duplicates;
    into.flagged = flagged;
}

/// Where a row came from, compactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SourceRef {
    /// File index.
    pub file: u16,
    /// Line.
    pub line: u32,
    /// Byte offset.
    pub offset: u64,
}

/// The records of a load.
pub struct Dataset {
    /// Interned text and flag results.
    pub catalog: Catalog,
    /// Input files.
    pub files: Vec<FileEntry>,
    /// Record ids.
    pub ids: Vec<RecordId>,
    /// Search times ([`NO_TIME`] when unknown).
    pub time: Vec<Millis>,
    /// Agency symbols.
    pub agency: Vec<Sym>,
    /// Reason symbols.
    pub reason: Vec<Sym>,
    /// Dropdown-category symbols.
    pub offense: Vec<Sym>,
    /// Networks searched ([`NO_COUNT`] when unknown).
    pub networks: Vec<u32>,
    /// First flagging rule ([`NO_RULE`] when not flagged).
    pub rule: Vec<u16>,
    /// Account, case number and plate of each record.
    pub links: Links,
    src_file: Vec<u16>,
    src_line: Vec<u32>,
    src_offset: Vec<u64>,
    /// Text prompt and prior flag, for the few rows that have them.
    sparse: FxHashMap<u32, (Sym, Sym)>,
    /// Sources of duplicates beyond the first.
    more_sources: FxHashMap<u32, Vec<SourceRef>>,
    /// Raw cells of rows from files that cannot be re-read by offset.
    raw: FxHashMap<u32, crate::ingest::Cells>,
    index: IdIndex,
    flagged: usize,
    /// Who searched: a profile per agency symbol (worked out as each new name arrives, about
    /// 5,000 in a 17M-row load) and each file's owner.
    pub profiles: crate::agency::Profiles,
}

impl Dataset {
    /// An empty dataset for a catalog (whose rule set flags the rows).
    pub fn new(catalog: Catalog, files: Vec<InputFile>) -> Dataset {
        Dataset {
            catalog,
            files: files
                .into_iter()
                .map(|input| FileEntry {
                    report: FileReport {
                        path: input.display.clone(),
                        ..FileReport::default()
                    },
                    input,
                    content: None,
                    schemas: Vec::new(),
                })
                .collect(),
            ids: Vec::new(),
            time: Vec::new(),
            agency: Vec::new(),
            reason: Vec::new(),
            offense: Vec::new(),
            networks: Vec::new(),
            rule: Vec::new(),
            links: Links::default(),
            src_file: Vec::new(),
            src_line: Vec::new(),
            src_offset: Vec::new(),
            sparse: FxHashMap::default(),
            more_sources: FxHashMap::default(),
            raw: FxHashMap::default(),
            index: IdIndex::new(),
            flagged: 0,
            profiles: crate::agency::Profiles::default(),
        }
    }

    /// The same, profiling agencies with `profiler` (agency rules, overrides, 287(g) lists).
    pub fn with_profiler(mut self, profiler: Arc<crate::agency::Profiler>) -> Dataset {
        self.catalog = self.catalog.with_profiler(profiler.clone());
        self.profiles = crate::agency::Profiles::build(profiler, &[], &[]);
        self
    }

    /// Profiles every agency and file owner again with `profiler` (a profile corrected in the
    /// review UI, or corrections read with the annotations after the load). Where a rule counts
    /// only for 287(g) partners, each record's first rule and the flagged counts follow.
    pub fn reprofile(&mut self, profiler: Arc<crate::agency::Profiler>) {
        let names = self.catalog.strings(Field::Agency).to_vec();
        let reports: Vec<&FileReport> = self.files.iter().map(|f| &f.report).collect();
        self.profiles = crate::agency::Profiles::build(profiler.clone(), &names, &reports);
        if !self.catalog.rules.has_conditional() {
            return;
        }
        let empty = Catalog::new(self.catalog.rules.clone());
        self.catalog = std::mem::replace(&mut self.catalog, empty).with_profiler(profiler);
        for f in &mut self.files {
            f.report.flagged = 0;
        }
        self.flagged = 0;
        for row in 0..self.ids.len() as u32 {
            let rule = self.catalog.first_rule(&self.syms(row)).unwrap_or(NO_RULE);
            self.rule[row as usize] = rule;
            if rule != NO_RULE {
                self.flagged += 1;
                if let Some(f) = self.files.get_mut(usize::from(self.src_file[row as usize])) {
                    f.report.flagged += 1;
                }
            }
        }
    }

    /// How a record's searcher stands to its file's owner.
    pub fn who(&self, row: u32) -> crate::agency::Who<'_> {
        let r = row as usize;
        self.profiles
            .who(self.agency[r], usize::from(self.src_file[r]))
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when there are no records.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Number of flagged records.
    pub fn flagged_count(&self) -> usize {
        self.flagged
    }

    /// True when a record is flagged.
    pub fn is_flagged(&self, row: u32) -> bool {
        self.rule[row as usize] != NO_RULE
    }

    /// The row holding a record id.
    pub fn row_of(&self, id: RecordId) -> Option<u32> {
        self.index.get(&self.ids, id)
    }

    /// Makes room for `additional` more records in every column (avoids regrowing, and its
    /// memory peaks, during a large load).
    pub fn reserve(&mut self, additional: usize) {
        self.ids.reserve(additional);
        self.index.reserve(&self.ids, additional);
        self.time.reserve(additional);
        self.agency.reserve(additional);
        self.reason.reserve(additional);
        self.offense.reserve(additional);
        self.networks.reserve(additional);
        self.rule.reserve(additional);
        self.links.reserve(additional);
        self.src_file.reserve(additional);
        self.src_line.reserve(additional);
        self.src_offset.reserve(additional);
    }

    /// Adds a chunk from the loader. Rows whose id is already loaded become extra sources of
    /// that record. Returns the rows added (new records), in order.
    pub fn append(&mut self, chunk: Chunk) -> std::ops::Range<u32> {
        for (field, s, hits) in chunk.strings {
            let sym = self.catalog.append(field, &s, hits);
            if field == Field::Agency {
                self.profiles.ensure(sym, &s);
            }
        }
        self.links.add_accounts(chunk.accounts);
        for (file, offset, schema) in chunk.schemas {
            if let Some(f) = self.files.get_mut(file as usize) {
                f.schemas.push((offset, schema));
            }
        }
        let start = self.ids.len() as u32;
        for r in chunk.rows {
            let src = SourceRef {
                file: r.source.file as u16,
                line: r.source.line.min(u64::from(u32::MAX)) as u32,
                offset: r.source.offset,
            };
            let file = r.source.file as usize;
            let row = match self.index.add(&mut self.ids, r.id) {
                Ok(row) => row,
                Err(existing) => {
                    self.more_sources.entry(existing).or_default().push(src);
                    if let Some(f) = self.files.get_mut(file) {
                        f.report.duplicates += 1;
                    }
                    continue;
                }
            };
            self.time.push(r.time);
            self.agency.push(r.syms.agency);
            self.reason.push(r.syms.reason);
            self.offense.push(r.syms.offense);
            self.networks.push(r.networks);
            self.rule.push(r.rule);
            self.links.push(r.links);
            self.src_file.push(src.file);
            self.src_line.push(src.line);
            self.src_offset.push(src.offset);
            if r.syms.prompt != 0 || r.syms.prior != 0 {
                self.sparse.insert(row, (r.syms.prompt, r.syms.prior));
            }
            if let Some(raw) = r.raw {
                self.raw.insert(row, raw);
            }
            if let Some(f) = self.files.get_mut(file) {
                f.report.records += 1;
                if r.rule != NO_RULE {
                    f.report.flagged += 1;
                }
            }
            if r.rule != NO_RULE {
                self.flagged += 1;
            }
        }
        start..self.ids.len() as u32
    }

    /// Takes a loader event into the dataset. Returns the rows added, if any.
    pub fn apply(&mut self, event: LoadEvent) -> std::ops::Range<u32> {
        use LoadEvent;
        let n = self.ids.len() as u32;
        match event {
            LoadEvent::FileStarted(i, r) => {
                if let Some(f) = self.files.get_mut(i as usize) {
                    f.content = r.content;
                    merge_report(&mut f.report, *r);
                    self.profiles.set_owner(i as usize, &f.report);
                }
            }
            LoadEvent::FileDone(i, r) => {
                if let Some(f) = self.files.get_mut(i as usize) {
                    merge_report(&mut f.report, *r);
                    self.profiles.set_owner(i as usize, &f.report);
                }
            }
            LoadEvent::Chunk(c) => return self.append(*c),
            LoadEvent::Finished { .. } => {}
        }
        n..n
    }

    /// The text symbols of a record.
    pub fn syms(&self, row: u32) -> TextSyms {
        let r = row as usize;
        let (prompt, prior) = self.sparse.get(&row).copied().unwrap_or((0, 0));
        TextSyms {
            agency: self.agency[r],
            reason: self.reason[r],
            offense: self.offense[r],
            prompt,
            prior,
        }
    }

    /// Agency text.
    pub fn agency_text(&self, row: u32) -> &str {
        self.catalog.text(Field::Agency, self.agency[row as usize])
    }

    /// True when a record's agency is its own (an `Org Name` cell), not the one its file names
    /// (or `unknown`).
    pub fn agency_from_column(&self, row: u32) -> bool {
        let text = self.agency_text(row);
        let file = self.files.get(self.source(row).file as usize);
        text != crate::ingest::catalog::UNKNOWN_AGENCY
            && file.is_none_or(|f| f.report.file_agency.as_deref() != Some(text))
    }

    /// Reason text.
    pub fn reason_text(&self, row: u32) -> &str {
        self.catalog.text(Field::Reason, self.reason[row as usize])
    }

    /// Every hit of a record, with the text it was found in.
    pub fn hits(&self, row: u32) -> Vec<(&Hit, &str)> {
        self.catalog.explain(&self.syms(row))
    }

    /// The first source of a record.
    pub fn source(&self, row: u32) -> SourceRef {
        let r = row as usize;
        SourceRef {
            file: self.src_file[r],
            line: self.src_line[r],
            offset: self.src_offset[r],
        }
    }

    /// Every source of a record, first one first.
    pub fn sources(&self, row: u32) -> Vec<SourceRef> {
        let mut v = vec![self.source(row)];
        if let Some(more) = self.more_sources.get(&row) {
            v.extend(more.iter().copied());
        }
        v
    }

    /// `file:line` of every source of a row.
    pub fn source_texts(&self, row: u32) -> Vec<String> {
        self.sources(row)
            .into_iter()
            .map(|s| self.source_text(s))
            .collect()
    }

    /// `file:line` of a source.
    pub fn source_text(&self, s: SourceRef) -> String {
        match self.files.get(s.file as usize) {
            Some(f) => format!("{}:{}", f.input.display, f.report.place(u64::from(s.line))),
            None => format!("?:{}", s.line),
        }
    }

    /// The raw cells kept in memory for a row from a file that cannot be re-read.
    pub fn raw_cells(&self, row: u32) -> Option<&crate::ingest::Cells> {
        self.raw.get(&row)
    }
}
