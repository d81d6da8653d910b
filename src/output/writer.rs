//! Writing records in order, built and encoded on every core a few thousand at a time.

use std::io::{self, Write};
use std::sync::PoisonError;

use super::Format;
use super::csv::{CsvCells, csv_line, csv_row, header_names};
use super::json::{ColumnKeys, Renames, encode_json, renames_of};
use super::record::OutRecord;

/// Writes records in one format. CSV needs every original column label up front
/// (`original_columns`, the union in first-seen order) and the names of the `extra` fields to
/// write as columns.
pub struct RecordWriter<'w> {
    out: &'w mut dyn Write,
    enc: Encoder,
    count: u64,
    /// The record being written.
    one: Share,
    /// Each share of a round of [`RecordWriter::write_all`], encoded, kept from round to round:
    /// a fresh buffer of megabytes each round cost more in page faults than the encoding saved.
    shares: Vec<std::sync::Mutex<Share>>,
}

/// What records are encoded into: the bytes, and the keys of the last record's columns.
#[derive(Debug, Default)]
struct Share {
    buf: Vec<u8>,
    keys: ColumnKeys,
}

/// Records a thread builds and encodes in one round of [`RecordWriter::write_all`].
const ROUND_PER_THREAD: usize = 2048;

/// The most room a share of a round is given before it is encoded (a Flock record is about
/// 1.3 KB in JSON: a share of 512 takes less than a fifth of it).
const SHARE_ROOM: usize = 4 << 20;

/// Records that arrive one at a time (from a read), held until there are enough for a round of
/// [`RecordWriter::write_all`], so that they are built and encoded on every core.
/// [`RecordWriter::queue`] adds one; [`RecordWriter::write_queued`] writes the rest.
pub struct Queued<T> {
    items: Vec<T>,
}

impl<T> Default for Queued<T> {
    fn default() -> Queued<T> {
        Queued { items: Vec::new() }
    }
}

/// How records are encoded (shared by the threads of [`RecordWriter::write_all`]).
struct Encoder {
    format: Format,
    original_columns: Vec<String>,
    extra_columns: Vec<String>,
    /// JSON keys of the original columns that differ from their labels.
    renames: Renames,
    cells: CsvCells,
}

impl<'w> RecordWriter<'w> {
    /// Starts writing (the CSV header is written at once), with CSV cells safe for spreadsheets.
    pub fn new(
        out: &'w mut dyn Write,
        format: Format,
        original_columns: Vec<String>,
        extra_columns: Vec<String>,
    ) -> io::Result<RecordWriter<'w>> {
        RecordWriter::with_cells(
            out,
            format,
            original_columns,
            extra_columns,
            CsvCells::default(),
        )
    }

    /// Starts writing, with CSV cells written as `cells` says.
    pub fn with_cells(
        out: &'w mut dyn Write,
        format: Format,
        original_columns: Vec<String>,
        extra_columns: Vec<String>,
        cells: CsvCells,
    ) -> io::Result<RecordWriter<'w>> {
        if format == Format::Csv {
            let header = header_names(&original_columns, &extra_columns);
            out.write_all(&csv_line(&header, cells)?)?;
        }
        Ok(RecordWriter {
            out,
            enc: Encoder {
                format,
                renames: renames_of(&original_columns),
                original_columns,
                extra_columns,
                cells,
            },
            count: 0,
            one: Share::default(),
            shares: Vec::new(),
        })
    }

    /// Writes one record.
    pub fn write(&mut self, rec: &OutRecord) -> io::Result<()> {
        self.one.buf.clear();
        self.enc.encode(self.count, rec, &mut self.one)?;
        self.out.write_all(&self.one.buf)?;
        self.count += 1;
        Ok(())
    }

    /// Writes the records `build` makes of `items` (with `ctx`, what they borrow from besides
    /// the items, such as the catalog), in order. They are built and encoded on as many threads
    /// as there are cores (up to 8), a few thousand at a time each, so memory stays bounded
    /// however many there are; each thread's thousands are cut into shares, taken in turn, so
    /// that a thread running slower takes fewer (see [`crate::threads::ordered`]).
    pub fn write_all<C: Sync + ?Sized, T: Sync>(
        &mut self,
        ctx: &C,
        items: &[T],
        build: impl for<'i> Fn(&'i C, &'i T) -> OutRecord<'i> + Sync,
    ) -> io::Result<()> {
        let threads = crate::threads::cores();
        // Shares of a round: several a thread, so that a thread running slower takes fewer.
        let parts = threads * crate::threads::SHARES_PER_THREAD;
        self.shares.resize_with(parts, Default::default);
        let (enc, shares) = (&self.enc, &self.shares);
        let mut start = 0;
        while start < items.len() {
            let round = (items.len() - start).min(ROUND_PER_THREAD * threads);
            let (count, from) = (self.count, start);
            // Share t of this round is encoded into its buffer by whichever thread takes it.
            let done = crate::threads::ordered(parts, |t| -> io::Result<()> {
                let share = from + t * round / parts..from + (t + 1) * round / parts;
                let first = count + (share.start - from) as u64;
                let mut out = shares[t].lock().unwrap_or_else(PoisonError::into_inner);
                out.buf.clear();
                let n = share.len();
                for (k, item) in items[share].iter().enumerate() {
                    enc.encode(first + k as u64, &build(ctx, item), &mut out)?;
                    if k == 0 {
                        // Room for the share at once, judged by its first record (up to a
                        // few MB), rather than growing and copying the buffer a dozen times.
                        let room = out.buf.len().saturating_mul(n + n / 4).min(SHARE_ROOM);
                        out.buf.reserve(room);
                    }
                }
                Ok(())
            });
            for (result, share) in done.into_iter().zip(shares) {
                result?;
                let share = share.lock().unwrap_or_else(PoisonError::into_inner);
                self.out.write_all(&share.buf)?;
            }
            self.count += round as u64;
            start += round;
        }
        Ok(())
    }

    /// Queues a record to write; writes the queue when it holds a round's worth (see
    /// [`Queued`] and [`RecordWriter::write_all`]).
    pub fn queue<C: Sync + ?Sized, T: Sync>(
        &mut self,
        queued: &mut Queued<T>,
        item: T,
        ctx: &C,
        build: impl for<'i> Fn(&'i C, &'i T) -> OutRecord<'i> + Sync,
    ) -> io::Result<()> {
        queued.items.push(item);
        if queued.items.len() >= ROUND_PER_THREAD * crate::threads::cores() {
            self.write_queued(queued, ctx, build)?;
        }
        Ok(())
    }

    /// Writes the queued records.
    pub fn write_queued<C: Sync + ?Sized, T: Sync>(
        &mut self,
        queued: &mut Queued<T>,
        ctx: &C,
        build: impl for<'i> Fn(&'i C, &'i T) -> OutRecord<'i> + Sync,
    ) -> io::Result<()> {
        let result = self.write_all(ctx, &queued.items, build);
        queued.items.clear();
        result
    }

    /// Finishes the output (closes a JSON array). Returns how many records were written.
    pub fn finish(self) -> io::Result<u64> {
        if self.enc.format == Format::Json {
            self.out
                .write_all(if self.count == 0 { b"[]\n" } else { b"\n]\n" })?;
        }
        self.out.flush()?;
        Ok(self.count)
    }
}

impl Encoder {
    /// Encodes record number `n` (from 0) as the format has it, onto `out`.
    fn encode(&self, n: u64, rec: &OutRecord, out: &mut Share) -> io::Result<()> {
        let buf = &mut out.buf;
        match self.format {
            Format::Json | Format::Jsonl => {
                if self.format == Format::Json {
                    buf.extend_from_slice(if n == 0 { b"[\n" } else { b",\n" });
                }
                encode_json(rec, buf, &mut out.keys, &self.renames)?;
                if self.format == Format::Jsonl {
                    buf.push(b'\n');
                }
            }
            Format::Csv => {
                let row = csv_row(&self.original_columns, &self.extra_columns, rec);
                buf.extend_from_slice(&csv_line(&row, self.cells)?);
            }
        }
        Ok(())
    }
}
