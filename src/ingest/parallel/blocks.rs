//! Cutting a CSV stream into blocks that end where a record ends, so that several threads can
//! parse them at once.
//!
//! A block is cut after its last line feed outside quotes, found by counting quote characters
//! from the start of the file (RFC 4180: quotes open and close fields, and are doubled inside
//! them). A file that breaks the rule (a stray quote inside an unquoted field) can make a cut land
//! inside a record; each block's parse checks where it ended (`split.rs`), so a wrong cut
//! costs speed, never correctness, and the reading thread tells the cutter where a record really
//! ended ([`Cutter::resync`]) so that it finds the right parity again.

use std::io::Read;

/// A stretch of the (decompressed) content.
#[derive(Debug)]
pub(crate) struct Block {
    /// 0, 1, 2, … in file order.
    pub seq: usize,
    /// The bytes.
    pub data: Vec<u8>,
    /// Offset of `data[0]` in the content (after any BOM).
    pub start_byte: u64,
    /// Line of `data[0]` (1-based).
    pub start_line: u64,
    /// The content ends after this block.
    pub last: bool,
    /// Reading failed after `data` (only on the last block).
    pub error: Option<String>,
    /// Cut without a line feed in sight (a record longer than the longest block): parse it
    /// joined to what comes before and after it.
    pub raw: bool,
}

impl Block {
    /// The line just after the block's bytes.
    pub fn end_line(&self) -> u64 {
        self.start_line + memchr::memchr_iter(b'\n', &self.data).count() as u64
    }
}

/// Reads blocks of about `block_bytes` (the first one `first_bytes`, so the header is known
/// early) from a stream.
pub(crate) struct Cutter<R> {
    reader: R,
    quote: u8,
    first_bytes: usize,
    block_bytes: usize,
    carry: Vec<u8>,
    /// Content read before the cutter started, not yet in a block (from `head_pos` on).
    head: Vec<u8>,
    head_pos: usize,
    start_byte: u64,
    start_line: u64,
    in_quotes: bool,
    seq: usize,
    done: bool,
    /// The quote parity of each recent block's bytes (seq, odd), for [`Cutter::resync`].
    flips: std::collections::VecDeque<(usize, bool)>,
}

/// How many recent blocks [`Cutter::resync`] can go back to (more than are ever in flight).
const FLIP_HISTORY: usize = 256;

impl<R: Read> Cutter<R> {
    /// A cutter over `reader`.
    pub fn new(reader: R, quote: u8, first_bytes: usize, block_bytes: usize) -> Cutter<R> {
        Cutter {
            reader,
            quote,
            first_bytes: first_bytes.max(1),
            block_bytes: block_bytes.max(1),
            carry: Vec::new(),
            head: Vec::new(),
            head_pos: 0,
            start_byte: 0,
            start_line: 1,
            in_quotes: false,
            seq: 0,
            done: false,
            flips: std::collections::VecDeque::new(),
        }
    }

    /// Content read from the stream already (a buffer's worth): it comes first.
    pub fn starting_with(mut self, head: Vec<u8>) -> Cutter<R> {
        self.head = head;
        self
    }

    /// Block `seq` starts between two records (its predecessor's parse ended there): count
    /// quotes from there on, instead of from the start of the file.
    pub fn resync(&mut self, seq: usize) {
        let Some(first) = self.flips.front().map(|f| f.0) else {
            return;
        };
        if seq < first || seq > self.seq {
            return;
        }
        self.in_quotes = self
            .flips
            .iter()
            .filter(|(s, _)| *s >= seq)
            .fold(false, |inside, (_, odd)| inside ^ odd);
    }

    /// The next block, filled into `buf` (a recycled buffer).
    pub fn next_block(&mut self, buf: Vec<u8>) -> Option<Block> {
        if self.done {
            return None;
        }
        let mut buf = Filling::new(buf);
        buf.push(&self.carry);
        self.carry.clear();
        let size = if self.seq == 0 {
            self.first_bytes
        } else {
            self.block_bytes
        };
        // A record longer than this (or a file without line feeds) is cut where it stands.
        let max = size.saturating_mul(16);
        let mut want = size;
        let mut error = None;
        let mut raw = false;
        let starts_inside = self.in_quotes;
        let last = loop {
            let from_head = want
                .saturating_sub(buf.len)
                .min(self.head.len() - self.head_pos);
            buf.push(&self.head[self.head_pos..self.head_pos + from_head]);
            self.head_pos += from_head;
            match buf.fill(&mut self.reader, want) {
                Ok(true) => {}
                Ok(false) => break true,
                Err(e) => {
                    error = Some(e.to_string());
                    break true;
                }
            }
            if let Some(cut) = find_cut(buf.bytes(), self.quote, self.in_quotes) {
                self.carry.extend_from_slice(&buf.bytes()[cut..]);
                buf.len = cut;
                self.in_quotes = false;
                break false;
            }
            if buf.len >= max {
                // No line feed outside quotes in a long stretch: cut after the last line feed
                // (the parse checks where it ends), or, without one, go on in one sequence.
                if let Some(i) = memchr::memrchr(b'\n', buf.bytes()) {
                    self.carry.extend_from_slice(&buf.bytes()[i + 1..]);
                    buf.len = i + 1;
                } else {
                    raw = true;
                }
                self.in_quotes = starts_inside ^ odd_quotes(buf.bytes(), self.quote);
                break false;
            }
            want = buf.len + size;
        };
        // A cut between records leaves the parity even from the block's start; other cuts set
        // `in_quotes` to the parity at the cut.
        let odd = starts_inside ^ self.in_quotes;
        if self.flips.len() == FLIP_HISTORY {
            self.flips.pop_front();
        }
        self.flips.push_back((self.seq, odd));
        let block = Block {
            seq: self.seq,
            data: buf.into_vec(),
            start_byte: self.start_byte,
            start_line: self.start_line,
            last,
            error,
            raw,
        };
        self.done = last;
        self.seq += 1;
        self.start_byte += block.data.len() as u64;
        self.start_line = block.end_line();
        Some(block)
    }
}

/// The most one read asks for (a block may be asked to hold all the rest of the stream).
const READ_MAX: usize = 4 << 20;

/// A block's buffer while it fills: its first `len` bytes are the block so far; the bytes
/// after them are room, initialised once and kept when the buffer comes back for another
/// block, so that reading can go straight into it (`read` needs initialised bytes) without
/// zeroing 256 KB a block.
struct Filling {
    buf: Vec<u8>,
    len: usize,
}

impl Filling {
    fn new(buf: Vec<u8>) -> Filling {
        Filling { buf, len: 0 }
    }

    fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// Room for `n` bytes after `len`.
    fn room(&mut self, n: usize) -> &mut [u8] {
        let end = self.len + n;
        if self.buf.len() < end {
            self.buf.resize(end, 0);
        }
        &mut self.buf[self.len..end]
    }

    fn push(&mut self, bytes: &[u8]) {
        self.room(bytes.len()).copy_from_slice(bytes);
        self.len += bytes.len();
    }

    /// Reads until `want` bytes are held, each read asking for all that is missing up to
    /// [`READ_MAX`] (one call a block from a file); false at the end of the stream.
    fn fill(&mut self, reader: &mut impl Read, want: usize) -> std::io::Result<bool> {
        while self.len < want {
            let n = match reader.read(self.room((want - self.len).min(READ_MAX))) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n == 0 {
                return Ok(false);
            }
            self.len += n;
        }
        Ok(true)
    }

    fn into_vec(mut self) -> Vec<u8> {
        self.buf.truncate(self.len);
        self.buf
    }
}

/// True when `buf` holds an odd number of quote characters.
fn odd_quotes(buf: &[u8], quote: u8) -> bool {
    memchr::memchr_iter(quote, buf).count() % 2 == 1
}

/// The position just after the last line feed outside quotes, given whether `buf` starts inside
/// quotes.
pub(crate) fn find_cut(buf: &[u8], quote: u8, in_quotes: bool) -> Option<usize> {
    let mut inside = in_quotes ^ odd_quotes(buf, quote);
    let mut end = buf.len();
    while let Some(i) = memchr::memrchr2(quote, b'\n', &buf[..end]) {
        if buf[i] == b'\n' {
            if !inside {
                return Some(i + 1);
            }
        } else {
            inside = !inside;
        }
        end = i;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_after_the_last_line_feed_outside_quotes() {
        assert_eq!(find_cut(b"a,b\nc,d\ne", b'"', false), Some(8));
        assert_eq!(find_cut(b"a,\"b\nc\",d\ne,\"f\ng", b'"', false), Some(10));
        assert_eq!(find_cut(b"a,\"b\nc", b'"', false), None);
        // Starting inside quotes: the first line feed is quoted.
        assert_eq!(find_cut(b"x\ny\",z\nw", b'"', true), Some(7));
        assert_eq!(find_cut(b"x\ny", b'"', true), None);
        // Doubled quotes keep the parity.
        assert_eq!(find_cut(b"\"a\"\"b\nc\"\nd", b'"', false), Some(9));
    }

    #[test]
    fn blocks_cover_the_stream_with_lines_and_offsets() {
        let text = b"h1,h2\n1,\"x\ny\"\n2,z\n3,w\n4,v";
        let mut c = Cutter::new(&text[..], b'"', 4, 4);
        let mut all = Vec::new();
        let mut expect_byte = 0;
        let mut expect_line = 1;
        while let Some(b) = c.next_block(Vec::new()) {
            assert_eq!(b.start_byte, expect_byte);
            assert_eq!(b.start_line, expect_line);
            expect_byte += b.data.len() as u64;
            expect_line = b.end_line();
            if !b.last {
                assert_eq!(b.data.last(), Some(&b'\n'));
            }
            all.extend_from_slice(&b.data);
        }
        assert_eq!(all, text);
    }

    /// Hands out a few bytes a call, and is interrupted now and then.
    struct Trickle<'a> {
        data: &'a [u8],
        calls: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.calls += 1;
            if self.calls.is_multiple_of(5) {
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            let n = buf.len().min(self.calls % 3 + 1).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn short_reads_and_recycled_buffers_leave_nothing_behind() {
        let text = b"h1,h2\n1,\"x\ny\"\n2,z\n3,w\n4,v";
        let blocks = |reader: &mut dyn Read, recycle: bool| {
            let mut c = Cutter::new(reader, b'"', 4, 6);
            let mut v = Vec::new();
            // A recycled buffer holds an earlier block's bytes, and more room than it needs.
            let mut buf = Vec::new();
            while let Some(b) = c.next_block(std::mem::take(&mut buf)) {
                v.push((b.data.clone(), b.start_byte, b.start_line, b.last));
                if recycle {
                    buf = b.data;
                    buf.extend_from_slice(b"#########");
                }
            }
            v
        };
        let expect = blocks(&mut &text[..], false);
        let mut trickle = Trickle {
            data: text,
            calls: 0,
        };
        assert_eq!(blocks(&mut trickle, true), expect);
        assert_eq!(blocks(&mut &text[..], true), expect);
        let all: Vec<u8> = expect.iter().flat_map(|b| b.0.clone()).collect();
        assert_eq!(all, text);
    }

    #[test]
    fn content_read_ahead_is_cut_like_the_stream() {
        let text = b"h1,h2\n1,\"x\ny\"\n2,z\n3,w\n4,v";
        let blocks = |mut c: Cutter<&[u8]>| {
            let mut v = Vec::new();
            while let Some(b) = c.next_block(Vec::new()) {
                v.push((b.data, b.start_byte, b.start_line, b.last));
            }
            v
        };
        let expect = blocks(Cutter::new(&text[..], b'"', 4, 4));
        for k in 0..=text.len() {
            let c = Cutter::new(&text[k..], b'"', 4, 4).starting_with(text[..k].to_vec());
            assert_eq!(blocks(c), expect, "{k} bytes read ahead");
        }
    }
}
