//! NDJSON: one row object a line, read in blocks of whole lines and parsed on every core.

use std::io::{BufRead, BufReader, Read};
use std::sync::mpsc::{Receiver, SyncSender};

use super::super::batch::Batch;
use super::super::process::{Processor, Stop};
use super::super::{FileError, Kind};
use super::doc::*;
use super::object::*;
use super::*;

/// What [`LineBlocks::next`] read.
pub(super) enum Piece {
    /// Whole lines (the last without a line feed at the end of the file).
    Lines,
    /// A line longer than [`LINE_MAX`], of this many bytes, read and let go.
    Long(usize),
    /// The end of the file.
    End,
}

/// Reads NDJSON in blocks of whole lines.
pub(super) struct LineBlocks {
    pub(super) reader: BufReader<Box<dyn Read + Send>>,
    /// The start of a line the last block cut.
    pub(super) carry: Vec<u8>,
    /// An error met after some whole lines, given after them.
    pub(super) failed: Option<std::io::Error>,
}

impl LineBlocks {
    /// The next block into `buf`: whole lines, about [`BLOCK`] bytes.
    pub(super) fn next(&mut self, buf: &mut Vec<u8>) -> std::io::Result<Piece> {
        buf.clear();
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        buf.append(&mut self.carry);
        let mut searched = 0;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => match memchr::memrchr(b'\n', buf) {
                    // The whole lines before the break first.
                    Some(i) => {
                        self.failed = Some(e);
                        buf.truncate(i + 1);
                        return Ok(Piece::Lines);
                    }
                    None => return Err(e),
                },
            };
            if available.is_empty() {
                return Ok(if buf.is_empty() {
                    Piece::End
                } else {
                    Piece::Lines
                });
            }
            let n = available.len();
            buf.extend_from_slice(available);
            self.reader.consume(n);
            if buf.len() < BLOCK {
                continue;
            }
            if let Some(i) = memchr::memrchr(b'\n', &buf[searched..]) {
                self.carry.extend_from_slice(&buf[searched + i + 1..]);
                buf.truncate(searched + i + 1);
                return Ok(Piece::Lines);
            }
            searched = buf.len();
            if buf.len() > LINE_MAX {
                return self.skip_line(buf);
            }
        }
    }

    /// Lets go of the rest of a line too long to keep; its length.
    pub(super) fn skip_line(&mut self, buf: &mut Vec<u8>) -> std::io::Result<Piece> {
        let n = buf.len();
        buf.clear();
        let mut rest = Vec::new();
        let (more, _) = read_line(&mut self.reader, &mut rest)?;
        Ok(Piece::Long(n + more))
    }
}

/// Reads one line (with its line feed) into `buf`, up to [`LINE_MAX`] bytes: past that the rest
/// of the line is read and let go. Returns the line's length in bytes and whether `buf` holds
/// all of it.
pub(super) fn read_line(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
) -> std::io::Result<(usize, bool)> {
    let mut n = 0;
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok((n, n <= LINE_MAX));
        }
        let (take, done) = match memchr::memchr(b'\n', available) {
            Some(i) => (i + 1, true),
            None => (available.len(), false),
        };
        if n + take <= LINE_MAX {
            buf.extend_from_slice(&available[..take]);
        } else {
            buf.clear();
        }
        n += take;
        reader.consume(take);
        if done {
            return Ok((n, n <= LINE_MAX));
        }
    }
}

/// One JSON object per line, parsed on every core a block at a time. A bad line is a warning;
/// the rest still load.
pub(crate) fn run_ndjson(
    reader: BufReader<Box<dyn Read + Send>>,
    p: &mut Processor<'_>,
    tx: &SyncSender<Sent>,
    pool: &Receiver<Batch>,
) -> Result<(), Stop> {
    let mut keys = Keys::default();
    let mut started = false;
    let mut blocks = LineBlocks {
        reader,
        carry: Vec::new(),
        failed: None,
    };
    let mut block = Vec::with_capacity(BLOCK + (64 << 10));
    let mut rows = Rows::new(tx, pool);
    let mut line = 0u64;
    let mut offset = 0u64;
    loop {
        let piece = match blocks.next(&mut block) {
            Ok(piece) => piece,
            Err(e) => {
                // Every row read before the break stands (and goes on), then the error.
                rows.send(p)?;
                return Err(FileError::Read {
                    path: p.path().to_string(),
                    line: line + 1,
                    message: e.to_string(),
                }
                .into());
            }
        };
        match piece {
            Piece::End => break,
            Piece::Long(n) => {
                line += 1;
                offset += n as u64;
                p.part.rows += 1;
                p.part.dropped += 1;
                p.part.warnings.push(
                    Some(line),
                    format!(
                        "dropped: the line is longer than {} MB ({n} bytes), far more than a search record",
                        LINE_MAX >> 20
                    ),
                );
                continue;
            }
            Piece::Lines => {}
        }
        let lines: Vec<(usize, &[u8])> = block
            .split_inclusive(|&b| b == b'\n')
            .map(|l| (l.len(), l.trim_ascii()))
            .collect();
        let shares = parse_shares(&lines, |&(len, text)| (len, text));
        for share in &shares {
            for (len, item) in &share.items {
                line += 1;
                let start = offset;
                offset += *len as u64;
                match item {
                    Parsed::Blank => {}
                    Parsed::Row(range) => {
                        let pairs = &share.pairs[range.clone()];
                        if keys.learn(pairs) || !started {
                            p.set_labels(&keys.labels, Kind::Ndjson)?;
                            started = true;
                        }
                        rows.push(p, &keys, pairs, line, start)?;
                    }
                    Parsed::Bad(why) => {
                        p.part.rows += 1;
                        p.part.dropped += 1;
                        p.part
                            .warnings
                            .push(Some(line), format!("dropped: not a JSON object ({why})"));
                    }
                }
            }
        }
    }
    if !started {
        return Err(FileError::NotAudit {
            path: p.path().to_string(),
            message: "no JSON object lines found; expected NDJSON search-audit rows".into(),
        }
        .into());
    }
    rows.finish(p)
}
