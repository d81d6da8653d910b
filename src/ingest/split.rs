//! Splitting regular CSV bytes into records in one pass over their marks (see
//! [`super::marks`]).
//!
//! Regular bytes quote as RFC 4180 has it: every quote opens a field at its start, closes it
//! before a delimiter or a line end, or is doubled inside it; every carriage return is followed by
//! a line feed; no BOM leads. In such bytes a byte is inside quotes exactly when an odd number of
//! quotes comes before it, so one prefix XOR per 64 bytes finds the delimiters and line feeds that
//! end fields, and the splitter visits only those. Whether the bytes are regular is checked on the
//! same 64 bytes with a few more bit operations; when they are not, the block is left to the csv
//! crate. A record is copied once, whole; its fields are ranges of the copy ([`super::Cells`]).

use super::batch::{At, Batch};
use super::marks::{Word, chunk_marks};

/// Bit `i` set when bits `0..=i` of `x` hold an odd number of ones.
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// The delimiters and line feeds outside quotes, in order (where fields end), found 64 bytes at
/// a time while checking that the bytes are regular.
struct Ends<'d> {
    data: &'d [u8],
    delimiter: u8,
    /// Offset of the next 64 bytes to mark.
    next: usize,
    /// Offset of the current 64 bytes.
    base: usize,
    /// Their ends not yet visited.
    ends: u64,
    /// Their line feeds outside quotes.
    feeds: u64,
    /// All their line feeds, and how many.
    all_feeds: u64,
    feed_count: u32,
    /// Line feeds before them.
    feeds_before: u64,
    /// All ones when the bytes before the next 64 end inside quotes.
    carry: u64,
    /// What the last byte of the previous 64 says about the next: a quote may open after it (it
    /// is a delimiter or a line feed, or there was none), it is a quote, it is a quote that must
    /// be followed by a delimiter, a line end or a quote, it is a carriage return.
    after_end: bool,
    after_quote: bool,
    closing: bool,
    after_cr: bool,
    /// The bytes broke a rule of regular quoting.
    irregular: bool,
}

impl<'d> Ends<'d> {
    fn new(data: &'d [u8], delimiter: u8) -> Ends<'d> {
        Ends {
            data,
            delimiter,
            next: 0,
            base: 0,
            ends: 0,
            feeds: 0,
            all_feeds: 0,
            feed_count: 0,
            feeds_before: 0,
            carry: 0,
            after_end: true,
            after_quote: false,
            closing: false,
            after_cr: false,
            irregular: false,
        }
    }

    /// The next end and whether it is a line feed; None at the end of the bytes, or once they
    /// turn out not to be regular.
    // Inlined into the splitting loop, which keeps the state in registers; marking the next 64
    // bytes (every four or five ends) stays a call.
    #[inline(always)]
    fn next(&mut self) -> Option<(usize, bool)> {
        while self.ends == 0 {
            if !self.mark_next() {
                return None;
            }
        }
        let bit = self.ends & self.ends.wrapping_neg();
        self.ends ^= bit;
        Some((self.base + bit.trailing_zeros() as usize, self.feeds & bit != 0))
    }

    /// Marks the next 64 bytes and checks them; false when there are none or they are not
    /// regular.
    #[inline(never)]
    fn mark_next(&mut self) -> bool {
        let Some(chunk) = self.data.get(self.next..) else {
            return false;
        };
        if chunk.is_empty() || self.irregular {
            return false;
        }
        let m = match chunk.get(..64) {
            Some(full) => chunk_marks(full, self.delimiter),
            None => {
                // Padded with bytes that are no mark (zero, or one if the delimiter is zero).
                let mut last = [u8::from(self.delimiter == 0); 64];
                last[..chunk.len()].copy_from_slice(chunk);
                chunk_marks(&last, self.delimiter)
            }
        };
        self.feeds_before += u64::from(self.feed_count);
        self.base = self.next;
        self.next += 64;
        let Word {
            quotes,
            crs,
            feeds,
            delimiters,
            feed_count,
        } = m;
        let inside = prefix_xor(quotes) ^ self.carry;
        // For a quote: inside before it (it closes or is the first of a doubled pair) or not (it
        // opens, or is the second of a pair).
        let before = inside ^ quotes;
        let separators = delimiters | feeds;
        let may_open = separators << 1 | u64::from(self.after_end);
        let after_quote = quotes << 1 | u64::from(self.after_quote);
        let may_follow = separators | crs | quotes;
        let bad = (quotes & !before & !(may_open | after_quote))
            | (quotes & before & !(may_follow >> 1) & !(1 << 63))
            | (crs & !(feeds >> 1) & !(1 << 63))
            | (u64::from(self.closing) & !may_follow & 1)
            | (u64::from(self.after_cr) & !feeds & 1);
        self.after_end = separators >> 63 == 1;
        self.after_quote = quotes >> 63 == 1;
        self.closing = (quotes & before) >> 63 == 1;
        self.after_cr = crs >> 63 == 1;
        self.carry = ((inside as i64) >> 63) as u64;
        self.all_feeds = feeds;
        self.feed_count = feed_count;
        self.feeds = feeds & !inside;
        self.ends = separators & !inside;
        if bad != 0 {
            self.irregular = true;
            self.ends = 0;
            return false;
        }
        true
    }

    /// Line feeds before offset `p`, which is in the current 64 bytes or just after them.
    fn feeds_to(&self, p: usize) -> u64 {
        let below = u64::MAX.checked_shl((p - self.base) as u32).map_or(u64::MAX, |m| !m);
        self.feeds_before + u64::from((self.all_feeds & below).count_ones())
    }
}

/// Splits `data` into records in `batch`, as the csv crate reads them, when its quoting is
/// regular (see the module) and it ends with a line feed: blank lines are skipped, a carriage
/// return before a line feed ends the line with it, a quoted field loses its quotes and reads its
/// doubled quotes as one. A record starts at `byte` plus its offset, on `line` plus the line feeds
/// before it. False, with `batch` as it was, when the bytes are not regular.
pub(crate) fn split_regular(
    data: &[u8],
    (byte, line): (u64, u64),
    delimiter: u8,
    batch: &mut Batch,
) -> bool {
    if data.last() != Some(&b'\n') || data.starts_with(b"\xef\xbb\xbf") {
        return false;
    }
    let first = batch.len;
    let mut ends = Ends::new(data, delimiter);
    // Where the field being read starts, and the line the next record starts on.
    let mut field = 0;
    let mut next_line = line;
    // Fields of a record that hold doubled quotes: index, range in the record.
    let mut doubled: Vec<(usize, usize, usize)> = Vec::new();
    'records: loop {
        // The first end of the next record, past blank lines.
        let (mut p, mut feed) = loop {
            let Some((p, feed)) = ends.next() else {
                break 'records;
            };
            if feed && (p == field || (p == field + 1 && data[field] == b'\r')) {
                field = p + 1;
                next_line = line + ends.feeds_to(p + 1);
                continue;
            }
            break (p, feed);
        };
        let start = field;
        let cells = batch.next_slot(At {
            byte: byte + start as u64,
            line: next_line,
        });
        loop {
            let end = if feed && p > field && data[p - 1] == b'\r' {
                p - 1
            } else {
                p
            };
            // In regular bytes a field that starts with a quote holds its closing quote too.
            if end >= field + 2 && data[field] == b'"' {
                let (a, b) = (field + 1 - start, end - 1 - start);
                if memchr::memchr(b'"', &data[field + 1..end - 1]).is_some() {
                    doubled.push((cells.len(), a, b));
                }
                cells.push_range(a, b);
            } else {
                cells.push_range(field - start, end - start);
            }
            field = p + 1;
            if feed {
                next_line = line + ends.feeds_to(p + 1);
                break;
            }
            match ends.next() {
                Some(next) => (p, feed) = next,
                // Irregular bytes (the record is dropped below), or no line feed after the
                // record, which the check above rules out.
                None => {
                    p = data.len();
                    break;
                }
            }
        }
        cells.set_raw(&data[start..p]);
        for (i, a, b) in doubled.drain(..) {
            cells.unescape(i, a, b);
        }
    }
    if ends.irregular || ends.carry != 0 {
        batch.truncate(first);
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::prefix_xor;

    #[test]
    fn prefix_xor_marks_the_bytes_after_an_odd_number_of_quotes() {
        assert_eq!(prefix_xor(0), 0);
        assert_eq!(prefix_xor(0b1), u64::MAX);
        assert_eq!(prefix_xor(0b1001), 0b0111);
        assert_eq!(prefix_xor(0b100100), 0b011100);
        assert_eq!(prefix_xor(1 << 63), 1 << 63);
    }
}
