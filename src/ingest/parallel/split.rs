//! Splitting bytes into records: simd-csv where the quoting is regular (RFC 4180), else the csv
//! crate, whose reading is the reference; where each record starts.

use std::io::Read;

use super::quote_marks::Marks;
use crate::ingest::batch::{At, Batch};

thread_local! {
    /// Where the quotes and line ends of the last block this thread split were (kept for the
    /// room they hold).
    static MARKS: std::cell::RefCell<Marks> = std::cell::RefCell::new(Marks::default());
}
use super::{CsvFormat, Ending, SENTINEL};

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
pub(super) fn parse(
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
    // Each thread keeps its marks' room from block to block.
    let mut marks = MARKS.with(|m| std::mem::take(&mut *m.borrow_mut()));
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
    MARKS.with(|m| *m.borrow_mut() = marks);
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

/// [`regular`], with the marks found here (for the benchmark that weighs `quote_marks`).
#[doc(hidden)]
pub fn regular_csv(data: &[u8], delimiter: u8) -> bool {
    let mut marks = Marks::default();
    marks.scan(data);
    regular(data, delimiter, &marks)
}

/// True when simd-csv reads `data` exactly as the csv crate does: every quote opens a field
/// (at its start), closes it (before a delimiter or a line end), or is doubled inside it; the
/// bytes end outside quotes; every carriage return ends a line (CRLF); no BOM leads. `marks`
/// are the marks of `data`.
pub(super) fn regular(data: &[u8], delimiter: u8, marks: &Marks) -> bool {
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
