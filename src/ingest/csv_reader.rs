//! CSV on several threads.
//!
//! ```text
//!  reader thread   stream ──Cutter──▶ blocks, in one queue ──▶ worker 0 │ worker 1 │ …
//!  workers         each takes the next block when free, parses it (simd-csv when its quoting
//!                  is regular, else the csv crate), processes its rows from the published State
//!  calling thread  takes blocks back in file order and accepts a block's rows when
//!                    · the block starts between two records (its predecessor's parse ended
//!                      there: a sentinel record after the last byte tells), and
//!                    · it was processed from the State its predecessor ended in;
//!                  processes it again when only the second fails; hands rows to `Accept`.
//! ```
//!
//! When a block's parse ends inside a record (a quoted field across the cut, possible only when
//! a file's quotes break RFC 4180, or no line feed for a long stretch), the unfinished record is
//! joined to the next block and parsed again on the calling thread, and the cutter is told where
//! the records really end, so the result is exactly what one sequential read gives.
//!
//! Positions are where each record's first byte is: the csv crate reports the reader's position
//! before the line feed of a CRLF and before skipped blank lines, which is fixed here from the
//! bytes.

use std::io::{BufReader, Read};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex, PoisonError};

use super::FileError;
use super::batch::{At, Batch};
use super::blocks::{Block, Cutter};
use super::local::LocalStrings;
use super::long_record::LongRecord;
use super::marks::Marks;
use super::process::{FileInfo, Part, Processor, State, Stop};
use super::row::Text;

/// How a CSV file is split up.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tuning {
    /// Parsing threads.
    pub workers: usize,
    /// Size of the first block (the header is known from it before the others are handed out).
    pub first_block: usize,
    /// Size of the other blocks.
    pub block: usize,
    /// Split regular bytes with simd-csv (off: the csv crate reads everything, as a reference).
    pub simd: bool,
    /// An unfinished record longer than this is read on incrementally ([`LongRecord`]) rather
    /// than joined to the next block and parsed again from its start.
    pub long_record: usize,
}

impl Default for Tuning {
    fn default() -> Tuning {
        Tuning {
            workers: crate::par::cores(),
            first_block: 64 * 1024,
            // Small enough that the blocks and batches in flight (about eight of each) stay a
            // few MB; large enough that handing them around costs nothing measurable.
            block: 256 * 1024,
            simd: true,
            long_record: 1 << 20,
        }
    }
}

/// Where rows go, in file order.
pub(crate) trait Accept {
    /// Text that thread `src` saw first while processing a batch. Called for every batch a
    /// thread processed, accepted or not, in the order the thread processed them.
    fn learn(&mut self, src: usize, strings: &mut Vec<(u8, Text<'static>)>);
    /// Accepted rows (their text symbols are thread `src`'s) and what they add to the report.
    /// Returns false to stop reading.
    fn accept(&mut self, src: usize, batch: &Batch, part: Part) -> bool;
}

/// Parsed after a block's last byte: from between records it is a record of its own (one field,
/// `\0"`); from inside a quoted field it only extends that field.
const SENTINEL: &[u8] = b"\x00\"\n";

/// How the bytes are split: the delimiter, and whether simd-csv may split regular bytes.
#[derive(Clone, Copy, Debug)]
struct CsvFormat {
    delimiter: u8,
    simd: bool,
}

/// Where a parse of some bytes ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ending {
    /// Between records (or at the end of the file).
    Between,
    /// Inside a record that starts at this offset of the bytes, on this line (absolute).
    Inside { at: usize, byte: u64, line: u64 },
}

/// A worker's result for one block.
struct Parsed {
    /// The worker's number (whose text symbols the batch's rows carry).
    worker: usize,
    block: Block,
    batch: Batch,
    /// None when the block was not parsed (not cut at a line feed).
    ending: Option<Ending>,
    state_in: Arc<State>,
    state_out: Arc<State>,
    part: Part,
    error: Option<FileError>,
}

/// Reads delimited text into `accept`, starting from `state`.
pub(crate) fn run(
    reader: BufReader<Box<dyn Read + Send>>,
    delimiter: u8,
    info: &FileInfo,
    state: Arc<State>,
    tuning: Tuning,
    accept: &mut dyn Accept,
) -> Result<(), Stop> {
    let workers = tuning.workers.max(1);
    let csv = CsvFormat {
        delimiter,
        simd: tuning.simd,
    };
    // The state after the last accepted block: where workers start.
    let published = Mutex::new(state.clone());
    // One queue of blocks that every worker takes from when it is free, rather than blocks dealt
    // in turn: a worker that shares its core with the calling thread gets less time, and with
    // blocks dealt in turn the other waited for it (`perf`: a fifth of a core idle through the
    // read). The calling thread puts the results back in file order. Only the workers hold the
    // queue's end: when the last one stops, the reader's next send fails and it stops too.
    let (job_tx, job_rx) = mpsc::sync_channel::<Block>(workers);
    let job_rx = Arc::new(Mutex::new(job_rx));
    // Batches the calling thread is done with, for any worker to fill again.
    let (batch_tx, batch_rx) = mpsc::channel::<Batch>();
    let batch_rx = Mutex::new(batch_rx);
    std::thread::scope(|scope| {
        let (published, batch_rx) = (&published, &batch_rx);
        let (res_tx, res_rx) = mpsc::sync_channel::<Parsed>(workers);
        let mut handles = Vec::with_capacity(workers + 1);
        for _ in 0..workers {
            let (index, res_tx, job_rx) = (handles.len(), res_tx.clone(), job_rx.clone());
            let spawned = std::thread::Builder::new()
                .name(format!("csv-parse-{index}"))
                .spawn_scoped(scope, move || {
                    worker(index, info, csv, published, &job_rx, res_tx, batch_rx)
                });
            match spawned {
                Ok(h) => handles.push(h),
                // Fewer threads than asked for: the ones running take every block.
                Err(_) => break,
            }
        }
        // The workers hold the only senders of results and receivers of blocks.
        drop((res_tx, job_rx));
        let running = handles.len();
        if running == 0 {
            return Err(Stop::Internal);
        }
        let (pool_tx, pool_rx) = mpsc::channel::<Vec<u8>>();
        let (go_tx, go_rx) = mpsc::sync_channel::<()>(1);
        let (resync_tx, resync_rx) = mpsc::channel::<usize>();
        // Blocks in flight at most: queued, being parsed, waiting to be taken in order.
        let buffers = 3 * running + 2;
        let spawned = std::thread::Builder::new()
            .name("csv-read".into())
            .spawn_scoped(scope, move || {
                read_blocks(reader, tuning, buffers, job_tx, pool_rx, go_rx, resync_rx);
            });
        let Ok(reader_handle) = spawned else {
            return Err(Stop::Internal);
        };
        handles.push(reader_handle);
        let mut consumer = Consumer {
            info,
            csv,
            long_record: tuning.long_record,
            published,
            results: res_rx,
            waiting: Vec::new(),
            workers: running,
            batches: batch_tx,
            pool: pool_tx,
            go: Some(go_tx),
            resync: resync_tx,
            state,
            strings: LocalStrings::default(),
            keybuf: Vec::with_capacity(512),
            scratch: Batch::default(),
        };
        let result = consumer.run(accept);
        // Dropping the channels wakes every thread still waiting on one.
        drop(consumer);
        let mut panicked = false;
        for h in handles {
            panicked |= h.join().is_err();
        }
        match result {
            Err(Stop::Internal) | Ok(()) if panicked => Err(Stop::Internal),
            other => other,
        }
    })
}

/// The reader thread: cuts blocks into the queue, in at most `buffers` buffers (each comes back
/// once its block is taken); waits after the first block until the header is known, so the
/// others start from it.
fn read_blocks(
    reader: BufReader<Box<dyn Read + Send>>,
    tuning: Tuning,
    buffers: usize,
    jobs: SyncSender<Block>,
    pool: Receiver<Vec<u8>>,
    go: Receiver<()>,
    resync: Receiver<usize>,
) {
    // What the buffer holds goes first; then blocks are read from the stream beneath it,
    // straight into the block (through the buffer they would be copied twice).
    let head = reader.buffer().to_vec();
    let mut cutter = Cutter::new(reader.into_inner(), b'"', tuning.first_block, tuning.block)
        .starting_with(head);
    // Room for a block, the part of a record it carries over, and the sentinel.
    let capacity = tuning.block.saturating_add(tuning.block / 4).min(64 << 20);
    let mut allocated = 0;
    loop {
        if let Some(seq) = resync.try_iter().last() {
            cutter.resync(seq);
        }
        let buf = match pool.try_recv() {
            Ok(buf) => buf,
            Err(_) if allocated < buffers => {
                allocated += 1;
                Vec::with_capacity(capacity)
            }
            Err(_) => match pool.recv() {
                Ok(buf) => buf,
                Err(_) => return,
            },
        };
        let Some(block) = cutter.next_block(buf) else {
            return;
        };
        let seq = block.seq;
        if jobs.send(block).is_err() {
            return;
        }
        if seq == 0 && go.recv().is_err() {
            return;
        }
    }
}

/// Worker `index`: takes blocks from the queue, parses and processes them.
fn worker(
    index: usize,
    info: &FileInfo,
    csv: CsvFormat,
    published: &Mutex<Arc<State>>,
    jobs: &Mutex<Receiver<Block>>,
    results: SyncSender<Parsed>,
    batches: &Mutex<Receiver<Batch>>,
) {
    let mut strings = LocalStrings::default();
    let mut keybuf = Vec::with_capacity(512);
    loop {
        // The lock is held while waiting: the other workers wait for it instead.
        let next = jobs.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(mut block) = next else {
            return;
        };
        let recycled = batches.lock().map(|b| b.try_recv().ok());
        let mut batch = recycled.ok().flatten().unwrap_or_default();
        batch.reset();
        let ending = (!block.raw).then(|| {
            parse(
                &mut block.data,
                (block.start_byte, block.start_line),
                block.last,
                csv,
                &mut batch,
            )
        });
        let state_in = published
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let mut p = Processor::new(info, state_in.clone(), &mut strings, &mut keybuf);
        let error = match ending {
            Some(_) => process(&mut p, &mut batch),
            None => None,
        };
        let msg = Parsed {
            worker: index,
            block,
            batch,
            ending,
            state_in,
            state_out: p.state,
            part: p.part,
            error,
        };
        if results.send(msg).is_err() {
            return;
        }
    }
}

fn csv_reader<R: Read>(r: R, delimiter: u8) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(64 * 1024)
        .from_reader(r)
}

/// Parses `data` (which starts between records, at `byte` and `line` of the content) into the
/// batch's free slots. The records returned all ended inside `data`; an unfinished last one is
/// left out and its start reported. With `last`, the content ends with `data`.
///
/// Bytes quoted as RFC 4180 has it (see [`regular`]) and ending a line are split by simd-csv,
/// several times faster; anything else by the csv crate, whose reading is the reference.
fn parse(
    data: &mut Vec<u8>,
    (byte, line): (u64, u64),
    last: bool,
    csv: CsvFormat,
    batch: &mut Batch,
) -> Ending {
    // Fields are cut at ASCII bytes only: valid bytes make valid fields.
    batch.utf8 = simdutf8::basic::from_utf8(data).is_ok();
    batch.nul = memchr::memchr(0, data).is_some();
    let result = parse_into(data, (byte, line), last, csv, batch);
    batch.cap();
    result
}

/// [`parse`], without the checks on the whole.
fn parse_into(
    data: &mut Vec<u8>,
    (byte, line): (u64, u64),
    last: bool,
    csv: CsvFormat,
    batch: &mut Batch,
) -> Ending {
    let first = batch.len;
    let at_line_end = matches!(data.last(), Some(b'\n' | b'\r'));
    let delimiter = csv.delimiter;
    // simd-csv only sees bytes that end a line: after a record that ends the input without
    // one, its TotalReader (reading the first record twice, as header and as record) does not
    // reset its quote state, and `""` comes back as `"`.
    let mut marks = std::mem::take(&mut batch.marks);
    let simd = csv.simd && at_line_end && {
        marks.scan(data);
        regular(data, delimiter, &marks)
    };
    let between = if simd {
        parse_regular(data, (byte, line), delimiter, &marks, batch);
        // Regular bytes end outside quotes, here after a line end: between records.
        true
    } else {
        parse_strict(data, byte, line, last, delimiter, batch)
    };
    batch.marks = marks;
    if between {
        return Ending::Between;
    }
    let Some(i) = batch.len.checked_sub(1).filter(|&i| i >= first) else {
        return Ending::Between;
    };
    let start = batch.at[i];
    batch.pop_slot();
    Ending::Inside {
        at: (start.byte - byte) as usize,
        byte: start.byte,
        line: start.line,
    }
}

/// True when simd-csv reads `data` exactly as the csv crate does: every quote opens a field
/// (at its start), closes it (before a delimiter or a line end), or is doubled inside it; the
/// bytes end outside quotes; every carriage return ends a line (CRLF); no BOM leads. `marks`
/// are the marks of `data`.
fn regular(data: &[u8], delimiter: u8, marks: &Marks) -> bool {
    if data.starts_with(b"\xef\xbb\xbf") {
        return false;
    }
    let mut inside = false;
    let mut marks = marks.specials();
    while let Some(q) = marks.next() {
        if data[q] == b'\r' {
            if data.get(q + 1) != Some(&b'\n') {
                return false;
            }
        } else if !inside {
            if q > 0 && data[q - 1] != delimiter && data[q - 1] != b'\n' {
                return false;
            }
            inside = true;
        } else {
            match data.get(q + 1) {
                Some(b'"') => {
                    marks.next();
                }
                Some(&c) if c != delimiter && c != b'\n' && c != b'\r' => return false,
                _ => inside = false,
            }
        }
    }
    !inside
}

/// Splits regular bytes (marked in `marks`) with simd-csv, in place.
fn parse_regular(
    data: &[u8],
    (byte, line): (u64, u64),
    delimiter: u8,
    marks: &Marks,
    batch: &mut Batch,
) {
    let mut rdr = simd_csv::TotalReaderBuilder::new()
        .has_headers(false)
        .delimiter(delimiter)
        .from_bytes(data);
    // Line feeds in order, counted off as the records pass them.
    let mut feeds = marks.feeds().peekable();
    let mut line = line;
    loop {
        // The next record starts after any line ends (blank lines are skipped).
        let mut start = rdr.position() as usize;
        while let Some(b'\n' | b'\r') = data.get(start) {
            start += 1;
        }
        while feeds.next_if(|&i| i < start).is_some() {
            line += 1;
        }
        let at = At {
            byte: byte + start as u64,
            line,
        };
        if !rdr.read_byte_record(batch.next_slot(at)) {
            batch.pop_slot();
            return;
        }
    }
}

/// Parses with the csv crate. True when the parse ended between records (the sentinel after
/// the last byte came out as a record of its own) or at the end of the content.
fn parse_strict(
    data: &mut Vec<u8>,
    byte: u64,
    line: u64,
    last: bool,
    delimiter: u8,
    batch: &mut Batch,
) -> bool {
    let len = data.len();
    // After a line end the parser is between records or inside a quoted field, which the
    // sentinel tells apart; anywhere else the last record is unfinished anyway.
    let sentinel = !last && matches!(data.last(), Some(b'\n' | b'\r'));
    if sentinel {
        data.extend_from_slice(SENTINEL);
    }
    let mut rec = csv::ByteRecord::new();
    {
        let mut rdr = csv_reader(&data[..], delimiter);
        // Reading from memory cannot fail.
        while let Ok(true) = rdr.read_byte_record(&mut rec) {
            let at = rec
                .position()
                .map_or(At { byte, line }, |p| place(p, &data[..len], byte, line));
            let cells = batch.next_slot(at);
            for field in &rec {
                cells.push_field(field);
            }
        }
    }
    data.truncate(len);
    if last {
        return true;
    }
    let ended = sentinel
        && batch.len > 0
        && batch.records[batch.len - 1].len() == 1
        && batch.records[batch.len - 1].get(0) == Some(&SENTINEL[..2]);
    if ended {
        batch.pop_slot();
    }
    ended
}

/// Where a record the csv crate read starts: its first byte, past the line ends the crate
/// counts as before it, in the content's terms.
fn place(p: &csv::Position, data: &[u8], byte: u64, line: u64) -> At {
    let mut at = p.byte() as usize;
    let mut l = p.line();
    while let Some(&c) = data.get(at).filter(|c| matches!(c, b'\n' | b'\r')) {
        l += u64::from(c == b'\n');
        at += 1;
    }
    At {
        byte: at as u64 + byte,
        line: l + line - 1,
    }
}

/// Processes every record of a batch (too large ones capped first); the error that stopped it,
/// if any.
fn process(p: &mut Processor<'_>, batch: &mut Batch) -> Option<FileError> {
    let capped = std::mem::take(&mut batch.capped);
    let mut notes = capped.iter().peekable();
    let (records, at, mut out) = batch.split();
    for (i, (rec, &at)) in records.iter().zip(at).enumerate() {
        if let Some((_, w)) = notes.next_if(|(j, _)| *j == i) {
            p.part.warnings.push(Some(at.line), w.clone());
        }
        let result = p.csv_record(&mut out, rec, at, i as u32);
        match result {
            Ok(()) => {}
            Err(Stop::File(e)) => {
                batch.capped = capped;
                return Some(e);
            }
            Err(_) => {
                batch.capped = capped;
                return None;
            }
        }
    }
    batch.capped = capped;
    None
}

/// How the reading thread took a block (counted in tests, to show each way is exercised).
#[derive(Clone, Copy, Debug)]
enum Path {
    /// A worker's rows stood as they were.
    Accepted,
    /// A worker's rows were processed again from the right state.
    Reprocessed,
    /// Parsed on the reading thread (after an unfinished record, or not cut at a line feed).
    ParsedHere,
    /// The cutter was told where records end.
    Resynced,
    /// An unfinished record was read on incrementally.
    Long,
}

#[cfg(test)]
thread_local! {
    static PATHS: std::cell::Cell<[usize; 5]> = const { std::cell::Cell::new([0; 5]) };
}

fn note(path: Path) {
    #[cfg(test)]
    PATHS.with(|p| {
        let mut v = p.get();
        v[path as usize] += 1;
        p.set(v);
    });
    let _ = path;
}

/// An unfinished record carried into the next block.
struct Pending {
    /// Its bytes so far (while it is short).
    data: Vec<u8>,
    byte: u64,
    line: u64,
    /// Once it is long: read on incrementally, its bytes not kept.
    long: Option<LongRecord>,
}

/// The calling thread's side.
struct Consumer<'a> {
    info: &'a FileInfo,
    csv: CsvFormat,
    /// See [`Tuning::long_record`].
    long_record: usize,
    published: &'a Mutex<Arc<State>>,
    results: Receiver<Parsed>,
    /// Results that came before the one next in file order.
    waiting: Vec<Parsed>,
    /// Worker threads.
    workers: usize,
    /// Where batches go back to.
    batches: Sender<Batch>,
    pool: Sender<Vec<u8>>,
    go: Option<SyncSender<()>>,
    resync: Sender<usize>,
    /// The state after the last accepted block.
    state: Arc<State>,
    /// This thread's own text symbols (source `workers`).
    strings: LocalStrings,
    keybuf: Vec<u8>,
    /// For the blocks parsed on this thread.
    scratch: Batch,
}

impl Consumer<'_> {
    fn run(&mut self, accept: &mut dyn Accept) -> Result<(), Stop> {
        let workers = self.workers;
        let mut pending: Option<Pending> = None;
        let mut seq = 0usize;
        loop {
            let Some(mut parsed) = self.next(seq) else {
                return Err(Stop::Internal);
            };
            let w = parsed.worker;
            accept.learn(w, &mut parsed.batch.strings);
            pending = match (pending.take(), parsed.ending) {
                // The block starts between records and was parsed: its rows stand.
                (None, Some(ending)) => {
                    let (src, part, error) = if Arc::ptr_eq(&parsed.state_in, &self.state) {
                        note(Path::Accepted);
                        self.state = parsed.state_out;
                        (w, parsed.part, parsed.error)
                    } else {
                        // Processed from a state that turned out stale: again, from this one.
                        note(Path::Reprocessed);
                        let (part, error) = self.reprocess(&mut parsed.batch, accept);
                        (workers, part, error)
                    };
                    self.done_with(seq, src, &parsed.batch, part, error, accept)?;
                    match ending {
                        Ending::Between => None,
                        Ending::Inside { at, byte, line } => {
                            Some(self.pending(parsed.block.data[at..].to_vec(), byte, line))
                        }
                    }
                }
                // An unfinished record before it, or not parsed: parse it here.
                (before, _) => {
                    note(Path::ParsedHere);
                    self.parse_here(seq, &parsed.block, before, accept)?
                }
            };
            if let Some(message) = parsed.block.error.take() {
                return Err(Stop::File(FileError::Read {
                    path: self.info.path.clone(),
                    line: parsed.block.end_line(),
                    message,
                }));
            }
            if parsed.block.last {
                return Ok(());
            }
            let _ = self.pool.send(parsed.block.data);
            let _ = self.batches.send(parsed.batch);
            seq += 1;
        }
    }

    /// An unfinished record starting at `byte` and `line`, whose bytes so far are `data`.
    fn pending(&self, data: Vec<u8>, byte: u64, line: u64) -> Pending {
        if data.len() > self.long_record {
            let mut long = LongRecord::new(self.csv.delimiter);
            if long.feed(&data).is_none() {
                note(Path::Long);
                return Pending {
                    data: Vec::new(),
                    byte,
                    line,
                    long: Some(long),
                };
            }
        }
        Pending {
            data,
            byte,
            line,
            long: None,
        }
    }

    /// Parses block `seq` on this thread, after the unfinished record `before` (if any).
    /// Returns the record left unfinished at its end.
    fn parse_here(
        &mut self,
        seq: usize,
        block: &Block,
        before: Option<Pending>,
        accept: &mut dyn Accept,
    ) -> Result<Option<Pending>, Stop> {
        let workers = self.workers;
        let mut batch = std::mem::take(&mut self.scratch);
        batch.reset();
        let mut long_cells: Option<(super::Cells, super::batch::At)> = None;
        let (mut data, byte, line) = match before {
            Some(Pending {
                long: Some(mut long),
                byte,
                line,
                ..
            }) => {
                let end = long.feed(&block.data).or_else(|| {
                    block
                        .last
                        .then(|| long.feed(&[]).map(|_| block.data.len()))
                        .flatten()
                });
                let Some(k) = end else {
                    // Still inside the record: nothing ends in this block.
                    let (part, error) = self.reprocess(&mut batch, accept);
                    let done = self.done_with(seq, workers, &batch, part, error, accept);
                    self.scratch = batch;
                    done?;
                    return Ok(Some(Pending {
                        data: Vec::new(),
                        byte,
                        line,
                        long: Some(long),
                    }));
                };
                long_cells = Some((long.into_cells(), super::batch::At { byte, line }));
                let rest_line =
                    block.start_line + memchr::memchr_iter(b'\n', &block.data[..k]).count() as u64;
                (
                    block.data[k..].to_vec(),
                    block.start_byte + k as u64,
                    rest_line,
                )
            }
            Some(p) => {
                let mut data = p.data;
                data.extend_from_slice(&block.data);
                (data, p.byte, p.line)
            }
            None => (block.data.clone(), block.start_byte, block.start_line),
        };
        if let Some((cells, at)) = &long_cells {
            batch.next_slot(*at).clone_from(cells);
        }
        let ending = parse(&mut data, (byte, line), block.last, self.csv, &mut batch);
        if let Some((cells, _)) = &long_cells {
            // The long record's bytes were not among those `parse` looked at.
            batch.utf8 &= simdutf8::basic::from_utf8(cells.as_slice()).is_ok();
            batch.nul |= memchr::memchr(0, cells.as_slice()).is_some();
        }
        let (part, error) = self.reprocess(&mut batch, accept);
        let done = self.done_with(seq, workers, &batch, part, error, accept);
        self.scratch = batch;
        done?;
        Ok(match ending {
            Ending::Between => {
                // Records end where this block ends: the cutter counts from here.
                note(Path::Resynced);
                let _ = self.resync.send(seq + 1);
                None
            }
            Ending::Inside { at, byte, line } => {
                data.drain(..at);
                Some(self.pending(data, byte, line))
            }
        })
    }

    /// Block `seq`'s result. A worker takes blocks in file order, so each worker's results
    /// come in order: taking them in file order keeps each worker's text symbols learned in
    /// the order it gave them.
    fn next(&mut self, seq: usize) -> Option<Parsed> {
        loop {
            if let Some(i) = self.waiting.iter().position(|p| p.block.seq == seq) {
                return Some(self.waiting.swap_remove(i));
            }
            self.waiting.push(self.results.recv().ok()?);
        }
    }

    /// After the rows of block `seq` are known: publish the state, let the other blocks go
    /// after the first, hand the rows on.
    fn done_with(
        &mut self,
        seq: usize,
        src: usize,
        batch: &Batch,
        part: Part,
        error: Option<FileError>,
        accept: &mut dyn Accept,
    ) -> Result<(), Stop> {
        *self
            .published
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = self.state.clone();
        if seq == 0
            && let Some(go) = self.go.take()
        {
            let _ = go.send(());
        }
        let more = accept.accept(src, batch, part);
        if let Some(e) = error {
            return Err(Stop::File(e));
        }
        if !more {
            return Err(Stop::Cancelled);
        }
        Ok(())
    }

    /// Processes a batch's records on this thread, from the current state.
    fn reprocess(
        &mut self,
        batch: &mut Batch,
        accept: &mut dyn Accept,
    ) -> (Part, Option<FileError>) {
        batch.rows.clear();
        batch.schemas.clear();
        batch.strings.clear();
        let mut p = Processor::new(
            self.info,
            self.state.clone(),
            &mut self.strings,
            &mut self.keybuf,
        );
        let error = process(&mut p, batch);
        self.state = p.state;
        let part = p.part;
        accept.learn(self.workers, &mut batch.strings);
        (part, error)
    }
}

#[cfg(test)]
mod tests {
    //! Reading in blocks on several threads gives exactly what one sequential read gives, for
    //! every kind of input, well-formed or not.

    use std::io::Write;
    use std::path::Path;
    use std::sync::Arc;

    use proptest::prelude::*;

    use super::Tuning;
    use crate::flag::RuleSet;
    use crate::ingest::catalog::{Catalog, TextSyms};
    use crate::ingest::load::read_file_tuned;
    use crate::ingest::{FileReport, InputFile, ReadOptions, Row, RowOutcome, RowSink};
    use crate::model::Field;

    /// Everything a sink can see, in order.
    #[derive(Default, Debug, PartialEq)]
    struct Seen {
        begins: Vec<String>,
        rows: Vec<String>,
    }

    impl RowSink for Seen {
        fn begin_file(&mut self, file: u32, r: &FileReport) {
            self.begins
                .push(format!("{file} {:?} {:?} {}", r.kind, r.columns, r.schema));
        }

        fn row(&mut self, row: &Row<'_>, syms: &TextSyms, catalog: &Catalog) -> RowOutcome {
            let cells: Vec<&[u8]> = row.cells.iter().collect();
            self.rows.push(format!(
                "{} {:?} {:?} {:?} {:?} {:?} {:?} {:?} | {} | {} | {} | {} | {} | {}",
                row.id,
                row.source,
                cells,
                row.schema.labels(),
                row.lossy,
                row.agency_source,
                row.search_time,
                row.networks,
                catalog.text(Field::Agency, syms.agency),
                catalog.text(Field::Reason, syms.reason),
                catalog.text(Field::OffenseType, syms.offense),
                catalog.text(Field::TextPrompt, syms.prompt),
                catalog.text(Field::PriorFlag, syms.prior),
                catalog.is_flagged(syms),
            ));
            RowOutcome::default()
        }
    }

    fn rules() -> Arc<RuleSet> {
        static RULES: std::sync::OnceLock<Arc<RuleSet>> = std::sync::OnceLock::new();
        RULES.get_or_init(|| Arc::new(RuleSet::builtin())).clone()
    }

    fn read(path: &Path, tuning: Tuning) -> (String, Seen) {
        let file = InputFile {
            display: path.display().to_string(),
            path: path.to_path_buf(),
        };
        let mut catalog = Catalog::new(rules());
        let mut seen = Seen::default();
        let r = read_file_tuned(
            0,
            &file,
            &ReadOptions::default(),
            &mut catalog,
            &mut seen,
            tuning,
        );
        let report = format!(
            "{:?} {:?} {:?} {} rows {} records {} dup {} dropped {} flagged {} warnings {:?} {:?} {:?}",
            r.kind,
            r.columns,
            r.schema,
            r.rows,
            r.records,
            r.duplicates,
            r.dropped,
            r.flagged,
            r.warnings.total,
            r.warnings.list,
            r.error,
            r.file_agency,
        );
        (report, seen)
    }

    /// One block, one thread: the file read in one sequence.
    const SEQUENTIAL: Tuning = Tuning {
        workers: 1,
        first_block: usize::MAX / 64,
        block: usize::MAX / 64,
        simd: false,
        long_record: usize::MAX,
    };

    /// How often each way of taking a block was used on this thread, since the last call.
    fn paths() -> [usize; 5] {
        super::PATHS.with(|p| p.replace([0; 5]))
    }

    fn check_same(bytes: &[u8], name: &str, tunings: &[Tuning]) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let expected = read(&path, SEQUENTIAL);
        for &t in tunings {
            let got = read(&path, t);
            assert_eq!(got.0, expected.0, "report differs with {t:?}");
            assert_eq!(got.1, expected.1, "rows differ with {t:?}");
        }
    }

    const HEADER: &str = "ID,Name,Org Name,Total Networks Searched,Time Frame,License Plate,Reason,Case #,Search Time\n";

    fn row(i: usize) -> String {
        format!(
            "{:08x}-aaaa-bbbb-cccc-{:012x},Officer {i},Agency {},{},\"04/0{}/2026, 01:00:00 AM UTC\n04/0{}/2026, 05:00:00 AM UTC\",ABC{i},{},,\"04/0{}/2026, 05:0{}:33 AM UTC\"\n",
            i,
            i,
            i % 3,
            i * 7,
            1 + i % 8,
            1 + i % 8,
            ["ICE assist", "theft", "Property+Crime", "HSI narcs"][i % 4],
            1 + i % 8,
            i % 10
        )
    }

    fn tunings() -> Vec<Tuning> {
        let mut v = Vec::new();
        for workers in [1, 2, 3] {
            for (first, block) in [(1, 1), (7, 13), (40, 64), (200, 97), (300, 1000)] {
                for long_record in [0, 20, 1 << 20] {
                    v.push(Tuning {
                        workers,
                        first_block: first,
                        block,
                        simd: true,
                        long_record,
                    });
                }
            }
        }
        v
    }

    #[test]
    fn well_formed_file_in_tiny_blocks() {
        let mut text = HEADER.to_string();
        for i in 0..300 {
            text.push_str(&row(i));
        }
        // Repeats of earlier rows (duplicates), a repeated header, a stacked second export.
        text.push_str(&row(3));
        text.push_str(HEADER);
        text.push_str(&row(301));
        text.push_str("Reason,Search Time,Org Name\n");
        text.push_str("ICE,\"04/10/2026, 05:01:33 AM UTC\",Other PD\n");
        paths();
        check_same(
            text.as_bytes(),
            "1_1_2026-1_31_2026-Test PD-Network-Audit.csv",
            &tunings(),
        );
        let [accepted, reprocessed, parsed_here, _, long] = paths();
        assert!(accepted > 100, "{accepted}");
        assert!(long > 0, "records across blocks were read on incrementally");
        assert!(
            reprocessed > 0,
            "a stacked header makes later blocks' states stale"
        );
        assert!(parsed_here > 0, "tiny blocks cut inside quoted time frames");
    }

    #[test]
    fn stray_quotes_and_lone_carriage_returns_fall_back_to_one_sequence() {
        let mut text = HEADER.to_string();
        for i in 0..60 {
            text.push_str(&row(i));
            if i == 20 {
                // A quote inside an unquoted field: literal to the csv crate, but it flips
                // the quote parity the cutter counts.
                text.push_str("x,y,Agency 1,3,,ABC,5'10\" male,,\"04/02/2026, 05:00:33 AM UTC\"\n");
            }
            if i == 40 {
                text.push_str("z,y,Agency 2,3,,DEF,theft,,\"04/02/2026, 05:00:34 AM UTC\"\r");
            }
        }
        paths();
        check_same(text.as_bytes(), "x.csv", &tunings());
        let [accepted, _, parsed_here, resynced, _] = paths();
        assert!(
            accepted > 0 && parsed_here > 0 && resynced > 0,
            "{:?}",
            (accepted, parsed_here, resynced)
        );
    }

    #[test]
    fn gzip_crlf_bom_and_latin1_in_tiny_blocks() {
        let mut text = b"\xef\xbb\xbf".to_vec();
        text.extend_from_slice(HEADER.replace('\n', "\r\n").as_bytes());
        for i in 0..80 {
            text.extend_from_slice(row(i).replace('\n', "\r\n").as_bytes());
            if i % 9 == 0 {
                text.extend_from_slice(
                    b"q,r,Caf\xe9 PD,1,,P,Drogas \xa7 5,,\"04/03/2026, 05:00:00 AM UTC\"\r\n\r\n",
                );
            }
        }
        check_same(&text, "crlf.csv", &tunings());
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&text).unwrap();
        let gz = enc.finish().unwrap();
        check_same(&gz, "crlf.csv.gz", &tunings());
        // Truncated: the rows before the cut and the error are the same.
        check_same(&gz[..gz.len() * 2 / 3], "cut.csv.gz", &tunings());
    }

    /// Fragments that make CSV files, well-formed or not.
    fn fragments() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            4 => (0usize..50).prop_map(|i| row(i).into_bytes()),
            1 => Just(HEADER.as_bytes().to_vec()),
            1 => Just(b"Reason,Search Time,Org Name\n".to_vec()),
            1 => Just(b"Name,Org Name,Reason,Search Time\n".to_vec()),
            1 => Just(b"ICE,\"04/10/2026, 05:01:33 AM UTC\",Other PD\n".to_vec()),
            1 => Just(b"\"".to_vec()),
            1 => Just(b"\"\"".to_vec()),
            1 => Just(b",".to_vec()),
            1 => Just(b"\n".to_vec()),
            1 => Just(b"\r".to_vec()),
            1 => Just(b"\r\n".to_vec()),
            1 => Just(b"\"a\nb\"".to_vec()),
            1 => Just(b"5'10\" male".to_vec()),
            1 => Just(b"\xe9\xff".to_vec()),
            1 => Just(b"***".to_vec()),
            1 => proptest::collection::vec(any::<u8>(), 0..12),
        ];
        proptest::collection::vec(piece, 0..60).prop_map(|v| v.concat())
    }

    fn regular_bytes(data: &[u8], delimiter: u8) -> bool {
        let mut marks = super::Marks::default();
        marks.scan(data);
        super::regular(data, delimiter, &marks)
    }

    #[test]
    fn regular_accepts_rfc_quoting_and_rejects_the_rest() {
        let mut flock = HEADER.to_string();
        for i in 0..20 {
            flock.push_str(&row(i));
        }
        let d = b',';
        assert!(regular_bytes(flock.as_bytes(), d));
        assert!(regular_bytes(flock.replace('\n', "\r\n").as_bytes(), d));
        assert!(regular_bytes(
            b"a,\"say \"\"hi\"\"\",\"\"\n\n,\"x,\ny\"\n",
            d
        ));
        assert!(regular_bytes(b"a\t\"b\"\n", b'\t'));
        for bad in [
            &b"a,5'10\" male\n"[..],
            b"a,b\rc,d\n",
            b"a, \"b\"\n",
            b"a,\"b\"c\n",
            b"a,\"open\n",
            b"\xef\xbb\xbfa,b\n",
            b"a\t\"b\"\n",
        ] {
            assert!(!regular_bytes(bad, d), "{:?}", String::from_utf8_lossy(bad));
        }
    }

    /// Records (where each starts, its fields) and where the parse ended.
    type Split = (Vec<(super::At, Vec<Vec<u8>>)>, super::Ending);

    fn split(bytes: &[u8], last: bool, simd: bool) -> Split {
        let mut data = bytes.to_vec();
        let mut batch = super::Batch::default();
        let ending = super::parse(
            &mut data,
            (1000, 7),
            last,
            super::CsvFormat {
                delimiter: b',',
                simd,
            },
            &mut batch,
        );
        assert_eq!(data, bytes, "the bytes are left as they were");
        let recs = (0..batch.len)
            .map(|i| {
                (
                    batch.at[i],
                    batch.records[i].iter().map(<[u8]>::to_vec).collect(),
                )
            })
            .collect();
        (recs, ending)
    }

    /// Fragments of well-formed CSV, so that most inputs take simd-csv's path.
    fn regular_fragments() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            4 => (0usize..50).prop_map(|i| row(i).into_bytes()),
            1 => (0usize..50).prop_map(|i| row(i).replace('\n', "\r\n").into_bytes()),
            1 => Just(HEADER.as_bytes().to_vec()),
            1 => Just(b"\"a \"\"quoted\"\" word\",\"\",x\n".to_vec()),
            1 => Just(b"\"multi\nline, with comma\",\"\r\n\",y\n".to_vec()),
            1 => Just(b"\n".to_vec()),
            1 => Just(b"\r\n".to_vec()),
            1 => Just(b"plain,,trailing,\n".to_vec()),
            1 => Just(b"no newline at the end".to_vec()),
            1 => Just(b"  spaced , cells  \n".to_vec()),
        ];
        proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn simd_csv_splits_like_the_csv_crate(
            bytes in prop_oneof![regular_fragments(), fragments()],
            last in any::<bool>(),
        ) {
            prop_assert_eq!(split(&bytes, last, true), split(&bytes, last, false));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        #[test]
        fn blocks_read_like_one_sequence(
            body in fragments(),
            header in any::<bool>(),
            workers in 1usize..4,
            first in 1usize..300,
            block in 1usize..300,
            long_record in prop_oneof![0usize..64, Just(1usize << 20)],
        ) {
            let mut bytes = if header { HEADER.as_bytes().to_vec() } else { Vec::new() };
            bytes.extend_from_slice(&body);
            check_same(
                &bytes,
                "prop.csv",
                &[
                    Tuning { workers, first_block: first, block, simd: true, long_record },
                    Tuning { workers: 1, first_block: usize::MAX / 64, block: usize::MAX / 64, simd: true, long_record },
                ],
            );
        }
    }
}
