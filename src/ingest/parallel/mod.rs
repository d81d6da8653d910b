//! CSV on several threads: blocks cut between records ([`blocks`], quotes and line ends found
//! by [`quote_marks`]), split into records on worker threads ([`split`]), processed into rows in
//! batches with text interned per thread (`ingest::batch`, `ingest::thread_strings`), and taken
//! back in file order by the calling thread ([`consumer`]); a record longer than a block is read
//! on incrementally ([`long_record`]).
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
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex, PoisonError};

mod blocks;
mod consumer;
mod long_record;
mod quote_marks;
mod split;
#[cfg(test)]
mod tests;

use super::FileError;
use super::process::{FileInfo, Part, Processor, State, Stop};
use super::row::Text;
use crate::ingest::batch::Batch;
use crate::ingest::thread_strings::LocalStrings;
use blocks::{Block, Cutter};
use consumer::Consumer;
use split::parse;
pub use split::regular_csv;

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
            workers: crate::threads::cores(),
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
pub(super) const SENTINEL: &[u8] = b"\x00\"\n";

/// How the bytes are split: the delimiter, and whether simd-csv may split regular bytes.
#[derive(Clone, Copy, Debug)]
pub(super) struct CsvFormat {
    pub(super) delimiter: u8,
    pub(super) simd: bool,
}

/// Where a parse of some bytes ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Ending {
    /// Between records (or at the end of the file).
    Between,
    /// Inside a record that starts at this offset of the bytes, on this line (absolute).
    Inside { at: usize, byte: u64, line: u64 },
}

/// A worker's result for one block.
pub(super) struct Parsed {
    /// The worker's number (whose text symbols the batch's rows carry).
    pub(super) worker: usize,
    pub(super) block: Block,
    pub(super) batch: Batch,
    /// None when the block was not parsed (not cut at a line feed).
    pub(super) ending: Option<Ending>,
    pub(super) state_in: Arc<State>,
    pub(super) state_out: Arc<State>,
    pub(super) part: Part,
    pub(super) error: Option<FileError>,
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
