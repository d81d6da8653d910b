//! Loading in the background: a thread reads every file into chunks of rows and sends them, with
//! progress, to whoever owns the [`Loader`]. Dropping the loader cancels the load.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::flag::RuleSet;
use crate::ingest::catalog::TextSyms;
use crate::ingest::catalog::{Catalog, TEXT_FIELDS};
use crate::ingest::{
    FileReport, InputFile, ReadOptions, Row, RowOutcome, RowSink, Schema, read_file,
};
pub use crate::review::dataset::LoadEvent;
use crate::review::dataset::{Chunk, NO_COUNT, NO_RULE, NO_TIME, NewRow};
use crate::review::links::LinkMaker;

/// A running load. Dropping it cancels the load and waits for the thread.
pub struct Loader {
    rx: Receiver<LoadEvent>,
    cancel: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
    /// Total bytes of all inputs (for progress).
    pub total_bytes: u64,
}

impl Loader {
    /// Starts loading `files` on a thread.
    ///
    /// A gzip file's records are re-read from a private copy of what it inflates to, kept as
    /// long as the dataset's file entry.
    /// `catalog` is empty: made with the rule set (and, for rules that count only for 287(g)
    /// partners, the profiler) the dataset's catalog was made with.
    pub fn start(files: Vec<InputFile>, mut options: ReadOptions, catalog: Catalog) -> Loader {
        options.keep_inflated.get_or_insert_with(std::env::temp_dir);
        let (tx, rx) = mpsc::sync_channel(4);
        let cancel = Arc::new(AtomicBool::new(false));
        let total_bytes = files
            .iter()
            .map(|f| std::fs::metadata(&f.path).map(|m| m.len()).unwrap_or(0))
            .sum();
        let c = cancel.clone();
        let handle = std::thread::Builder::new()
            .name("alpr-triage-loader".into())
            .spawn(move || run(files, options, catalog, tx, c))
            .ok();
        Loader {
            rx,
            cancel,
            handle,
            total_bytes,
        }
    }

    /// The next event, if one is waiting.
    pub fn try_recv(&self) -> Option<LoadEvent> {
        self.rx.try_recv().ok()
    }

    /// The next event, waiting up to `timeout`.
    pub fn recv_timeout(&self, timeout: Duration) -> Option<LoadEvent> {
        self.rx.recv_timeout(timeout).ok()
    }

    /// Asks the load to stop.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

impl Drop for Loader {
    fn drop(&mut self) {
        self.cancel();
        // Unblock a loader waiting on a full channel.
        while self.rx.try_recv().is_ok() {}
        if let Some(h) = self.handle.take() {
            while !h.is_finished() {
                while self.rx.try_recv().is_ok() {}
                std::thread::yield_now();
            }
            let _ = h.join();
        }
    }
}

/// Rows go out in chunks of this many, or sooner at the start so the first frame has records.
const CHUNK_ROWS: usize = 16_384;
const FIRST_CHUNK_ROWS: usize = 512;
const CHUNK_AGE: Duration = Duration::from_millis(40);

struct Sink {
    sent: [usize; 5],
    links: LinkMaker,
    chunk: Chunk,
    tx: SyncSender<LoadEvent>,
    cancel: Arc<AtomicBool>,
    last_send: Instant,
    first_sent: bool,
    keep_raw: bool,
    last_schema: Option<Arc<Schema>>,
    file: u32,
    bytes_before: u64,
    /// Bytes read of a gzip or UTF-16 file (its rows' offsets are not in the file's bytes).
    read: Option<Arc<std::sync::atomic::AtomicU64>>,
    /// The receiver is gone: stop reading.
    receiver_gone: bool,
}

impl Sink {
    /// Sends the rows so far with the strings the catalog gained since the last chunk.
    fn flush(&mut self, catalog: &Catalog) {
        for (i, &field) in TEXT_FIELDS.iter().enumerate() {
            let added = catalog.added_since(field, self.sent[i]);
            self.sent[i] += added.len();
            self.chunk
                .strings
                .extend(added.into_iter().map(|(s, h)| (field, s, h)));
        }
        self.chunk.accounts.extend(self.links.take_new());
        if self.chunk.rows.is_empty()
            && self.chunk.strings.is_empty()
            && self.chunk.accounts.is_empty()
            && self.chunk.schemas.is_empty()
        {
            return;
        }
        let chunk = std::mem::take(&mut self.chunk);
        if self.tx.send(LoadEvent::Chunk(Box::new(chunk))).is_err() {
            self.receiver_gone = true;
        }
        self.last_send = Instant::now();
        self.first_sent = true;
    }
}

impl RowSink for Sink {
    fn begin_file(&mut self, file: u32, report: &FileReport) {
        self.file = file;
        self.read = report.read.clone();
        self.keep_raw = report.transcoded() && report.inflated.is_none()
            || !matches!(
                report.content,
                Some(crate::ingest::ContentFormat::Csv { .. })
                    | Some(crate::ingest::ContentFormat::Ndjson)
            );
        self.last_schema = None;
        let _ = self
            .tx
            .send(LoadEvent::FileStarted(file, Box::new(report.clone())));
    }

    fn row(&mut self, row: &Row<'_>, syms: &TextSyms, catalog: &Catalog) -> RowOutcome {
        if !self
            .last_schema
            .as_ref()
            .is_some_and(|s| Arc::ptr_eq(s, row.schema))
        {
            self.last_schema = Some(row.schema.clone());
            self.chunk
                .schemas
                .push((self.file, row.source.offset, row.schema.clone()));
        }
        let rule = catalog.first_rule(syms).unwrap_or(NO_RULE);
        self.chunk.rows.push(NewRow {
            id: row.id,
            time: row.search_time.unwrap_or(NO_TIME),
            syms: *syms,
            networks: row.networks.unwrap_or(NO_COUNT),
            rule,
            source: row.source,
            raw: self.keep_raw.then(|| row.cells.clone()),
            links: self.links.keys(row),
        });
        self.chunk.bytes_done = self.bytes_before
            + match &self.read {
                Some(read) => read.load(Ordering::Relaxed),
                None => row.source.offset,
            };
        let n = self.chunk.rows.len();
        if n >= CHUNK_ROWS
            || (!self.first_sent && n >= FIRST_CHUNK_ROWS)
            || (n.is_multiple_of(1024) && self.last_send.elapsed() >= CHUNK_AGE)
        {
            self.flush(catalog);
        }
        // Duplicates are found where the records live (the dataset), not here.
        RowOutcome {
            duplicate: false,
            flagged: rule != NO_RULE,
        }
    }

    fn cancelled(&self) -> bool {
        self.receiver_gone || self.cancel.load(Ordering::Relaxed)
    }
}

fn run(
    files: Vec<InputFile>,
    options: ReadOptions,
    mut catalog: Catalog,
    tx: SyncSender<LoadEvent>,
    cancel: Arc<AtomicBool>,
) {
    let start = Instant::now();
    let mut sink = Sink {
        sent: [0; 5],
        links: LinkMaker::default(),
        chunk: Chunk::default(),
        tx: tx.clone(),
        cancel: cancel.clone(),
        last_send: Instant::now(),
        first_sent: false,
        keep_raw: false,
        last_schema: None,
        file: 0,
        bytes_before: 0,
        read: None,
        receiver_gone: false,
    };
    // Symbols 0 and 1 (empty, redacted) exist in both catalogs already.
    sink.sent = [2; 5];
    for (i, f) in files.iter().enumerate() {
        if sink.cancelled() {
            break;
        }
        let mut report = read_file(i as u32, f, &options, &mut catalog, &mut sink);
        sink.flush(&catalog);
        sink.bytes_before += report.bytes;
        // Record counts are the dataset's to make (it knows the duplicates).
        report.records = 0;
        report.duplicates = 0;
        report.flagged = 0;
        if tx
            .send(LoadEvent::FileDone(i as u32, Box::new(report)))
            .is_err()
        {
            return;
        }
    }
    let _ = tx.send(LoadEvent::Finished {
        elapsed: start.elapsed(),
    });
}

/// Loads every file into a dataset, waiting for the end (headless commands).
pub fn load_all(
    files: Vec<InputFile>,
    options: ReadOptions,
    rules: Arc<RuleSet>,
    profiler: Arc<crate::agency::Profiler>,
) -> crate::review::dataset::Dataset {
    let catalog = Catalog::new(rules).with_profiler(profiler.clone());
    let mut ds = crate::review::dataset::Dataset::new(catalog.clone(), files.clone())
        .with_profiler(profiler);
    let loader = Loader::start(files, options, catalog);
    while let Some(ev) = loader.recv_timeout(Duration::from_secs(3600)) {
        let done = matches!(ev, LoadEvent::Finished { .. });
        ds.apply(ev);
        if done {
            break;
        }
    }
    ds
}
