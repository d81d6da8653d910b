//! The calling thread's side of a parallel read: results taken back in file order, accepted,
//! processed again, or parsed here (after an unfinished record); unfinished records carried on.

use std::sync::mpsc::{Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex, PoisonError};

use super::blocks::Block;
use super::long_record::LongRecord;
use super::split::parse;
use super::{Accept, CsvFormat, Ending, Parsed, process};
use crate::ingest::FileError;
use crate::ingest::batch::{At, Batch};
use crate::ingest::process::{FileInfo, Part, Processor, State, Stop};
use crate::ingest::thread_strings::LocalStrings;

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
    pub(super) static PATHS: std::cell::Cell<[usize; 5]> = const { std::cell::Cell::new([0; 5]) };
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
pub(super) struct Consumer<'a> {
    pub(super) info: &'a FileInfo,
    pub(super) csv: CsvFormat,
    /// See [`Tuning::long_record`].
    pub(super) long_record: usize,
    pub(super) published: &'a Mutex<Arc<State>>,
    pub(super) results: Receiver<Parsed>,
    /// Results that came before the one next in file order.
    pub(super) waiting: Vec<Parsed>,
    /// Worker threads.
    pub(super) workers: usize,
    /// Where batches go back to.
    pub(super) batches: Sender<Batch>,
    pub(super) pool: Sender<Vec<u8>>,
    pub(super) go: Option<SyncSender<()>>,
    pub(super) resync: Sender<usize>,
    /// The state after the last accepted block.
    pub(super) state: Arc<State>,
    /// This thread's own text symbols (source `workers`).
    pub(super) strings: LocalStrings,
    pub(super) keybuf: Vec<u8>,
    /// For the blocks parsed on this thread.
    pub(super) scratch: Batch,
}

impl Consumer<'_> {
    pub(super) fn run(&mut self, accept: &mut dyn Accept) -> Result<(), Stop> {
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
        let mut long_cells: Option<(crate::ingest::Cells, At)> = None;
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
                long_cells = Some((long.into_cells(), crate::ingest::batch::At { byte, line }));
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
