//! One file into a sink: open it, read it on other threads (`parallel/` for delimited text,
//! one thread for JSON), and on the calling thread take the rows in file order, give their text
//! the catalog's symbols, merge what they add to the report, and hand them to the sink.

use std::sync::Arc;
use std::sync::mpsc;

use super::batch::{Batch, RowMeta};
use super::describe::{agency_from_file_name, agency_from_folder};
use super::json_reader;
use super::open::{ContentFormat, Opened, open_copying};
use super::parallel::{self, Accept, Tuning};
use super::process::{FileInfo, Part, Processor, State, Stop};
use super::row::{Row, Text};
use super::spool;
use super::thread_strings::{LOCAL_EMPTY, LocalStrings};
use super::xlsx;
use super::{AgencyOrigin, AgencySource, FileReport, InputFile, ReadOptions, RowSink};
use crate::ingest::catalog::{Catalog, EMPTY, TEXT_FIELDS, TextSyms, UNKNOWN_AGENCY};
use crate::intern::Sym;
use crate::model::{Field, Source};

/// Reads one file into `sink`, interning its text into `catalog`, and reports what was found.
/// Never panics on bad input; a file that cannot be read at all comes back with `error` set and
/// no rows. The file is opened read-only.
pub fn read_file(
    file_idx: u32,
    file: &InputFile,
    options: &ReadOptions,
    catalog: &mut Catalog,
    sink: &mut dyn RowSink,
) -> FileReport {
    read_file_tuned(file_idx, file, options, catalog, sink, Tuning::default())
}

/// [`read_file`] with the CSV block layout chosen (tests use tiny blocks).
pub(crate) fn read_file_tuned(
    file_idx: u32,
    file: &InputFile,
    options: &ReadOptions,
    catalog: &mut Catalog,
    sink: &mut dyn RowSink,
    tuning: Tuning,
) -> FileReport {
    // An explicit name first, then what the file's name or folder says, then `--agency NAME`.
    let (origin, agency) = match options.named_agency(file) {
        Some(a) => (AgencyOrigin::Named, Some(a.to_string())),
        None => match agency_from_file_name(file.name()) {
            Some(a) => (AgencyOrigin::FileName, Some(a)),
            None => match agency_from_folder(file.name()) {
                Some(a) => (AgencyOrigin::Folder, Some(a)),
                None => (AgencyOrigin::Option, options.default_agency.clone()),
            },
        },
    };
    let mut report = FileReport {
        path: file.display.clone(),
        agency_origin: origin,
        file_agency: agency,
        ..FileReport::default()
    };
    let copy = if let Some(dir) = &options.keep_inflated {
        match spool::inflated_copy(file, dir) {
            Ok(c) => c,
            Err(e) => {
                report.error = Some(format!(
                    "{}: cannot make the private copy a compressed file is re-read from: {e}",
                    file.display
                ));
                return report;
            }
        }
    } else {
        None
    };
    let (inflated, copy) = copy.unzip();
    let opened = match open_copying(file, copy) {
        Ok(o) => o,
        Err(e) => {
            report.error = Some(e.to_string());
            return report;
        }
    };
    if matches!(
        opened.format,
        ContentFormat::Csv { .. } | ContentFormat::Ndjson
    ) {
        report.inflated = inflated.map(Arc::new);
    }
    report.gzip = opened.gzip;
    report.utf16 = opened.utf16;
    report.read = report.transcoded().then(|| opened.read.clone());
    report.bytes = std::fs::metadata(&file.path).map(|m| m.len()).unwrap_or(0);
    report.content = Some(opened.format);
    let info = FileInfo {
        path: file.display.clone(),
        file_name: file
            .name()
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default(),
        base_offset: opened.base_offset,
        utf16: opened.utf16.is_some(),
    };
    let state = State::new(report.file_agency.is_some());
    let mut feed = Feed {
        file_idx,
        report,
        catalog,
        sink,
        locals: Vec::new(),
        file_agency_sym: None,
        began: false,
        records: 0,
        duplicates: 0,
        flagged: 0,
    };
    let result = match opened.format {
        ContentFormat::Csv { delimiter } => {
            parallel::run(opened.reader, delimiter, &info, state, tuning, &mut feed)
        }
        ContentFormat::JsonDoc | ContentFormat::Ndjson => {
            read_json(opened, &info, state, &mut feed)
        }
        ContentFormat::Xlsx => read_xlsx(&file.path, &info, state, &mut feed),
    };
    feed.finish(result, &info)
}

/// JSON on one reader thread; batches come back over a channel.
fn read_json(
    opened: Opened,
    info: &FileInfo,
    state: Arc<State>,
    feed: &mut Feed<'_>,
) -> Result<(), Stop> {
    let (tx, rx) = mpsc::sync_channel::<json_reader::Sent>(4);
    let (pool_tx, pool_rx) = mpsc::channel::<Batch>();
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            let mut strings = LocalStrings::default();
            let mut keybuf = Vec::with_capacity(512);
            let mut p = Processor::new(info, state, &mut strings, &mut keybuf);
            let result = match opened.format {
                ContentFormat::Ndjson => {
                    json_reader::run_ndjson(opened.reader, &mut p, &tx, &pool_rx)
                }
                _ => json_reader::run_doc(opened.reader, &mut p, &tx, &pool_rx),
            };
            // Whatever was found after the last batch (warnings, an error's context).
            if !p.part.is_empty() {
                let _ = tx.send((Batch::default(), std::mem::take(&mut p.part)));
            }
            result
        });
        drain(feed, rx, reader, Some(pool_tx))
    })
}

/// A workbook on one reader thread, sheet after sheet; batches come back over a channel.
fn read_xlsx(
    path: &std::path::Path,
    info: &FileInfo,
    state: Arc<State>,
    feed: &mut Feed<'_>,
) -> Result<(), Stop> {
    let mut wb = xlsx::open(path, &info.path)?;
    feed.report.sheets = wb.sheets.clone();
    let (tx, rx) = mpsc::sync_channel::<(Batch, Part)>(4);
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            let mut strings = LocalStrings::default();
            let mut keybuf = Vec::with_capacity(512);
            let mut p = Processor::new(info, state, &mut strings, &mut keybuf);
            let result = xlsx::run(&mut wb, &mut p, &tx);
            if !p.part.is_empty() {
                let _ = tx.send((Batch::default(), std::mem::take(&mut p.part)));
            }
            result
        });
        drain(feed, rx, reader, None)
    })
}

/// Takes the batches of a reader thread in order (handing each back to be filled again, when
/// `pool` is given), then its result.
fn drain(
    feed: &mut Feed<'_>,
    rx: mpsc::Receiver<(Batch, Part)>,
    reader: std::thread::ScopedJoinHandle<'_, Result<(), Stop>>,
    pool: Option<mpsc::Sender<Batch>>,
) -> Result<(), Stop> {
    let mut stopped = false;
    for (mut batch, part) in rx.iter() {
        feed.learn(0, &mut batch.strings);
        if !feed.accept(0, &batch, part) {
            stopped = true;
            break;
        }
        if let Some(pool) = &pool {
            let _ = pool.send(batch);
        }
    }
    drop(rx);
    match reader.join() {
        Err(_) => Err(Stop::Internal),
        Ok(_) if stopped => Err(Stop::Cancelled),
        Ok(result) => result,
    }
}

/// The text a reading thread interned, and the catalog symbols given to it so far.
#[derive(Default)]
struct Local {
    texts: Vec<Text<'static>>,
    syms: Vec<Sym>,
}

/// A local symbol not yet given a catalog symbol (text is interned when a row that is kept
/// uses it, so rows processed again never leave strings behind).
const UNRESOLVED: Sym = Sym::MAX;

/// The calling thread's end of a load.
struct Feed<'a> {
    file_idx: u32,
    report: FileReport,
    catalog: &'a mut Catalog,
    sink: &'a mut dyn RowSink,
    /// By reading thread.
    locals: Vec<[Local; TEXT_FIELDS.len()]>,
    file_agency_sym: Option<Sym>,
    began: bool,
    records: u64,
    duplicates: u64,
    flagged: u64,
}

impl Feed<'_> {
    fn merge(&mut self, part: Part) {
        if let Some(a) = part.file_agency
            && self.report.agency_origin != AgencyOrigin::Named
        {
            self.report.file_agency = Some(a);
            self.report.agency_origin = AgencyOrigin::Metadata;
            self.file_agency_sym = None;
        }
        if let Some(s) = part.sharing {
            self.report.sharing = Some(Arc::new(s));
        }
        self.report.rows += part.rows;
        self.report.dropped += part.dropped;
        self.report.warnings.append(part.warnings);
        for b in part.begins {
            self.report.kind = Some(b.kind);
            self.report.columns = b.columns;
            self.report.schema = b.schema;
            if b.first && !self.began {
                self.began = true;
                self.sink.begin_file(self.file_idx, &self.report);
            }
        }
    }

    fn sym(&mut self, src: usize, slot: usize, local: u32) -> Sym {
        if local == LOCAL_EMPTY {
            return EMPTY;
        }
        let l = &mut self.locals[src][slot];
        let i = local as usize;
        if l.syms[i] == UNRESOLVED {
            l.syms[i] = self.catalog.intern(TEXT_FIELDS[slot], &l.texts[i]);
        }
        l.syms[i]
    }

    fn syms(&mut self, src: usize, m: &RowMeta) -> TextSyms {
        let agency = match m.agency_source {
            AgencySource::Column => self.sym(src, 0, m.text[0]),
            AgencySource::File => self.agency_of_file(),
            // A Network Audit without `Org Name`: who searched is not known.
            AgencySource::None => self.catalog.intern_str(Field::Agency, UNKNOWN_AGENCY),
        };
        TextSyms {
            agency,
            reason: self.sym(src, 1, m.text[1]),
            offense: self.sym(src, 2, m.text[2]),
            prompt: self.sym(src, 3, m.text[3]),
            prior: self.sym(src, 4, m.text[4]),
        }
    }

    /// The agency of rows without an agency column: the file's, or `unknown`.
    fn agency_of_file(&mut self) -> Sym {
        if let Some(s) = self.file_agency_sym {
            return s;
        }
        let name = self.report.file_agency.as_deref().unwrap_or(UNKNOWN_AGENCY);
        let s = self.catalog.intern_str(Field::Agency, name);
        self.file_agency_sym = Some(s);
        s
    }

    fn finish(mut self, result: Result<(), Stop>, info: &FileInfo) -> FileReport {
        let error = match result {
            // A portal page that lists whom its owner shares with and holds no searches.
            Ok(()) if !self.began && self.report.sharing.is_some() => {
                self.report.kind = Some(super::Kind::PortalScrapeJson);
                self.report.schema = "portal page: sharing lists, no search rows".into();
                None
            }
            Ok(()) if !self.began => Some(
                super::FileError::NotAudit {
                    path: info.path.clone(),
                    message: "no rows found; expected a search-audit export with a header row"
                        .into(),
                }
                .to_string(),
            ),
            Ok(()) => None,
            Err(Stop::File(e)) => Some(e.to_string()),
            Err(Stop::Cancelled) => Some(format!("{}: reading was cancelled", info.path)),
            Err(Stop::Internal) => Some(format!(
                "{}: internal error while reading this file (please report it); rows read so far were kept",
                info.path
            )),
        };
        self.report.error = error;
        self.report.read = None;
        self.report.records = self.records;
        self.report.duplicates = self.duplicates;
        self.report.flagged = self.flagged;
        self.report
    }
}

impl Accept for Feed<'_> {
    fn learn(&mut self, src: usize, strings: &mut Vec<(u8, Text<'static>)>) {
        if strings.is_empty() {
            return;
        }
        while self.locals.len() <= src {
            self.locals.push(Default::default());
        }
        for (slot, text) in strings.drain(..) {
            let l = &mut self.locals[src][slot as usize];
            l.texts.push(text);
            l.syms.push(UNRESOLVED);
        }
    }

    fn accept(&mut self, src: usize, batch: &Batch, part: Part) -> bool {
        self.merge(part);
        for m in &batch.rows {
            let syms = self.syms(src, m);
            let row = Row {
                id: m.id,
                source: Source {
                    file: self.file_idx,
                    line: m.line,
                    offset: m.offset,
                },
                schema: &batch.schemas[m.schema as usize],
                cells: &batch.records[m.rec as usize],
                lossy: m.lossy,
                agency_source: m.agency_source,
                file_agency: self.report.file_agency.as_deref(),
                search_time: m.search_time,
                networks: m.networks,
            };
            let o = self.sink.row(&row, &syms, self.catalog);
            if o.duplicate {
                self.duplicates += 1;
            } else {
                self.records += 1;
                self.flagged += u64::from(o.flagged);
            }
        }
        !self.sink.cancelled()
    }
}
