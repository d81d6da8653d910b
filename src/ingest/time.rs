//! Timestamps in every form the exports use, to UTC milliseconds since the Unix epoch.
//!
//! The common forms (Flock's `04/10/2026, 05:01:33 AM UTC`, ISO 8601 with or without `Z`) are
//! read by a byte-level fast path, because a large export holds millions of them; chrono
//! validates the calendar and handles the rarer forms.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};

/// Milliseconds since 1970-01-01T00:00:00Z.
pub type Millis = i64;

/// Parses one timestamp. Every form is read as UTC unless it carries an explicit offset.
pub fn parse_timestamp(s: &str) -> Option<Millis> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    fast_parse(s.as_bytes()).or_else(|| slow_parse(s))
}

/// Parses a `Time Frame` cell: two timestamps separated by a newline or by ` to `.
pub fn parse_time_frame(s: &str) -> Option<(Millis, Millis)> {
    let s = s.trim();
    let (a, b) = if let Some(i) = s.find('\n') {
        (&s[..i], &s[i + 1..])
    } else {
        let lower = s.to_ascii_lowercase();
        let i = lower.find(" to ")?;
        (&s[..i], &s[i + 4..])
    };
    Some((parse_timestamp(a)?, parse_timestamp(b)?))
}

/// Formats as RFC 3339 UTC (`2026-04-10T05:01:33Z`, with milliseconds only when present).
pub fn format_rfc3339(ms: Millis) -> String {
    match DateTime::<Utc>::from_timestamp_millis(ms) {
        Some(t) => t.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        None => ms.to_string(),
    }
}

/// Formats for the table: `2026-04-10 05:01`.
pub fn format_short(ms: Millis) -> String {
    match DateTime::<Utc>::from_timestamp_millis(ms) {
        Some(t) => t.format("%Y-%m-%d %H:%M").to_string(),
        None => String::from("?"),
    }
}

fn build(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, ms: u32) -> Option<Millis> {
    thread_local! {
        /// The last date seen and its midnight: rows in an export come in date order, so most
        /// timestamps share the previous row's date and skip calendar validation.
        static LAST_DATE: std::cell::Cell<(i32, u32, u32, Millis)> = const { std::cell::Cell::new((0, 0, 0, 0)) };
    }
    if h > 23 || mi > 59 || s > 59 || ms > 999 {
        return None;
    }
    let (ly, lm, ld, midnight) = LAST_DATE.get();
    let midnight = if (ly, lm, ld) == (y, mo, d) {
        midnight
    } else {
        let m = NaiveDate::from_ymd_opt(y, mo, d)?
            .and_hms_opt(0, 0, 0)?
            .and_utc()
            .timestamp_millis();
        LAST_DATE.set((y, mo, d, m));
        m
    };
    Some(
        midnight
            + i64::from(h) * 3_600_000
            + i64::from(mi) * 60_000
            + i64::from(s) * 1000
            + i64::from(ms),
    )
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn skip_spaces(&mut self) {
        while matches!(self.peek(), Some(b' ') | Some(b'\t')) {
            self.i += 1;
        }
    }
    /// Reads 1..=max digits.
    fn num(&mut self, max: usize) -> Option<u32> {
        let start = self.i;
        let mut v: u32 = 0;
        while self.i - start < max {
            match self.peek() {
                Some(c @ b'0'..=b'9') => {
                    v = v * 10 + u32::from(c - b'0');
                    self.i += 1;
                }
                _ => break,
            }
        }
        (self.i > start).then_some(v)
    }
    fn rest(&self) -> &[u8] {
        &self.b[self.i..]
    }
}

/// `[H]H:MM[:SS[.fff]]`; returns (h, m, s, ms).
fn clock(c: &mut Cursor<'_>) -> Option<(u32, u32, u32, u32)> {
    let h = c.num(2)?;
    if !c.eat(b':') {
        return None;
    }
    let mi = c.num(2)?;
    let mut s = 0;
    let mut ms = 0;
    if c.eat(b':') {
        s = c.num(2)?;
        if c.eat(b'.') || c.eat(b',') {
            let start = c.i;
            let frac = c.num(9)?;
            let digits = (c.i - start) as u32;
            ms = match digits {
                1 => frac * 100,
                2 => frac * 10,
                3 => frac,
                n => frac / 10u32.pow(n - 3),
            };
        }
    }
    Some((h, mi, s, ms))
}

/// Accepts an optional UTC marker (` UTC`, ` GMT`, `Z`, `+00:00`) and returns the offset in
/// minutes to subtract, or None when something unexpected follows.
fn zone(c: &mut Cursor<'_>) -> Option<i64> {
    c.skip_spaces();
    let rest = c.rest();
    if rest.is_empty() {
        return Some(0);
    }
    if rest.eq_ignore_ascii_case(b"utc") || rest.eq_ignore_ascii_case(b"gmt") || rest == b"Z" {
        return Some(0);
    }
    if rest.len() == 6 && (rest[0] == b'+' || rest[0] == b'-') && rest[3] == b':' {
        let sign = if rest[0] == b'-' { -1 } else { 1 };
        let mut cc = Cursor { b: rest, i: 1 };
        let h = cc.num(2)?;
        cc.eat(b':');
        let m = cc.num(2)?;
        return Some(sign * (i64::from(h) * 60 + i64::from(m)));
    }
    None
}

/// Two digits at `i`.
fn d2(b: &[u8], i: usize) -> Option<u32> {
    let (x, y) = (b[i].wrapping_sub(b'0'), b[i + 1].wrapping_sub(b'0'));
    (x < 10 && y < 10).then(|| u32::from(x) * 10 + u32::from(y))
}

/// A 12-hour clock's hour (1–12) on the 24-hour clock: 12 AM is 0, 12 PM is 12.
fn hour24(pm: bool, h: u32) -> Option<u32> {
    match (pm, h) {
        (_, 0) | (_, 13..) => None,
        (false, 12) => Some(0),
        (true, 12) => Some(12),
        (true, h) => Some(h + 12),
        (false, h) => Some(h),
    }
}

/// Eight bytes of a fixed timestamp shape, where `d` stands for a digit and `h` for the A or P
/// of the half day: (the fixed bytes, a mask of them, a mask of the digits).
const fn shape(s: &[u8; 8]) -> (u64, u64, u64) {
    let (mut fixed, mut digits) = (0u64, 0u64);
    let mut i = 0;
    while i < 8 {
        match s[i] {
            b'd' => digits |= 0xff << (8 * i),
            b'h' => {}
            _ => fixed |= 0xff << (8 * i),
        }
        i += 1;
    }
    (u64::from_le_bytes(*s) & fixed, fixed, digits)
}

/// Flock's `04/10/2026, 05:01:33 AM UTC`, read eight bytes at a time: the punctuation is
/// compared under a mask, the digits checked and turned into numbers all at once (reading it
/// byte by byte took about 150 instructions a timestamp, and a large export holds millions).
fn flock_parse(b: &[u8]) -> Option<Millis> {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = ONES * 0x80;
    const S0: (u64, u64, u64) = shape(b"dd/dd/dd");
    const S1: (u64, u64, u64) = shape(b"dd, dd:d");
    const S2: (u64, u64, u64) = shape(b"d:dd hM ");
    let b: &[u8; 27] = b.try_into().ok()?;
    let word = |i: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&b[i..i + 8]);
        u64::from_le_bytes(w)
    };
    let (w0, w1, w2) = (word(0), word(8), word(16));
    if w0 & S0.1 != S0.0
        || w1 & S1.1 != S1.0
        || w2 & S2.1 != S2.0
        || b[24] != b'U'
        || b[25] != b'T'
        || b[26] != b'C'
    {
        return None;
    }
    // XOR with '0' makes a digit its value, a byte at a time; a byte is a digit exactly when
    // that is below 10: no high bit, and none after adding 118 (a carry out of a byte only
    // comes from one that already has its high bit).
    let value = |w: u64, digits: u64| {
        let v = (w ^ (ONES * u64::from(b'0'))) & digits;
        let bad = (v | v.wrapping_add(ONES * 118)) & HIGH & digits;
        (bad == 0).then_some(v)
    };
    let (v0, v1, v2) = (value(w0, S0.2)?, value(w1, S1.2)?, value(w2, S2.2)?);
    // The number of the two digits at bytes i and i + 1 (at most 99: no carry between bytes).
    let pair = |v: u64, i: u32| {
        let p = v.wrapping_mul(10).wrapping_add(v >> 8);
        ((p >> (8 * i)) & 0xff) as u32
    };
    let (mo, d, y) = (pair(v0, 0), pair(v0, 3), pair(v0, 6) * 100 + pair(v1, 0));
    // The minutes straddle two words.
    let (h, mi) = (pair(v1, 4), (v1 >> 56) as u32 * 10 + (v2 & 0xff) as u32);
    let s = pair(v2, 2);
    let pm = match b[21] {
        b'A' => false,
        b'P' => true,
        _ => return None,
    };
    build(y as i32, mo, d, hour24(pm, h)?, mi, s, 0)
}

/// The exact shapes that fill large exports: `04/10/2026, 05:01:33 AM UTC` (Flock) and
/// `2026-03-10T04:31:52.901Z` (portal), from raw bytes. None for anything else (which
/// [`parse_timestamp`] may still read).
pub(crate) fn fixed_parse(b: &[u8]) -> Option<Millis> {
    if let Some(ms) = flock_parse(b) {
        return Some(ms);
    }
    if b.len() == 24
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'.'
        && b[23] == b'Z'
    {
        let y = d2(b, 0)? * 100 + d2(b, 2)?;
        let ms = d2(b, 20)? * 10 + u32::from(b[22].wrapping_sub(b'0')).min(10);
        if b[22].wrapping_sub(b'0') >= 10 {
            return None;
        }
        return build(
            y as i32,
            d2(b, 5)?,
            d2(b, 8)?,
            d2(b, 11)?,
            d2(b, 14)?,
            d2(b, 17)?,
            ms,
        );
    }
    None
}

fn fast_parse(b: &[u8]) -> Option<Millis> {
    fixed_parse(b).or_else(|| cursor_parse(b))
}

/// The byte-level reading of every numeric form (variable widths, optional parts).
fn cursor_parse(b: &[u8]) -> Option<Millis> {
    let mut c = Cursor { b, i: 0 };
    let first = c.num(4)?;
    match c.peek()? {
        b'/' => {
            // M/D/YYYY[,] [H]H:MM[:SS] [AM|PM] [UTC]
            c.i += 1;
            let mo = first;
            let d = c.num(2)?;
            if !c.eat(b'/') {
                return None;
            }
            let y = c.num(4)? as i32;
            c.eat(b',');
            c.skip_spaces();
            if c.rest().is_empty() {
                return build(y, mo, d, 0, 0, 0, 0);
            }
            let (mut h, mi, s, ms) = clock(&mut c)?;
            c.skip_spaces();
            let rest = c.rest();
            if rest.len() >= 2
                && (rest[..2].eq_ignore_ascii_case(b"am") || rest[..2].eq_ignore_ascii_case(b"pm"))
            {
                h = hour24(rest[0].eq_ignore_ascii_case(&b'p'), h)?;
                c.i += 2;
            }
            let off = zone(&mut c)?;
            Some(build(y, mo, d, h, mi, s, ms)? - off * 60_000)
        }
        b'-' if c.i == 4 => {
            // YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][Z|±HH:MM| UTC]
            c.i += 1;
            let y = first as i32;
            let mo = c.num(2)?;
            if !c.eat(b'-') {
                return None;
            }
            let d = c.num(2)?;
            if c.rest().is_empty() {
                return build(y, mo, d, 0, 0, 0, 0);
            }
            if !(c.eat(b'T') || c.eat(b't') || c.eat(b' ')) {
                return None;
            }
            let (h, mi, s, ms) = clock(&mut c)?;
            let off = zone(&mut c)?;
            Some(build(y, mo, d, h, mi, s, ms)? - off * 60_000)
        }
        _ => None,
    }
}

fn slow_parse(s: &str) -> Option<Millis> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        return Some(t.timestamp_millis());
    }
    let lower = s.to_ascii_lowercase();
    let stripped = if lower.ends_with(" utc") || lower.ends_with(" gmt") {
        s[..s.len() - 4].trim()
    } else {
        s
    };
    const FORMATS: &[&str] = &[
        "%m/%d/%Y %I:%M:%S %p",
        "%m/%d/%Y %I:%M %p",
        "%m/%d/%Y %H:%M",
        "%m/%d/%y %H:%M",
        "%m/%d/%y %I:%M %p",
        "%m/%d/%y, %I:%M:%S %p",
        "%b %d, %Y %I:%M:%S %p",
        "%b %d, %Y, %I:%M:%S %p",
        "%B %d, %Y %I:%M:%S %p",
        "%Y/%m/%d %H:%M:%S",
        "%d-%b-%Y %H:%M:%S",
    ];
    for f in FORMATS {
        if let Ok(t) = NaiveDateTime::parse_from_str(stripped, f) {
            return Some(t.and_utc().timestamp_millis());
        }
    }
    for f in ["%m/%d/%y", "%b %d, %Y", "%B %d, %Y", "%Y/%m/%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(stripped, f) {
            return d
                .and_hms_opt(0, 0, 0)
                .map(|t| t.and_utc().timestamp_millis());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(s: &str) -> String {
        format_rfc3339(parse_timestamp(s).unwrap_or_else(|| panic!("no parse: {s:?}")))
    }

    #[test]
    fn flock_text_form() {
        assert_eq!(iso("04/10/2026, 05:01:33 AM UTC"), "2026-04-10T05:01:33Z");
        assert_eq!(iso("4/1/2025, 7:00:05 AM UTC"), "2025-04-01T07:00:05Z");
        assert_eq!(iso("12/06/2025, 06:14:54 PM UTC"), "2025-12-06T18:14:54Z");
        assert_eq!(iso("12/06/2025, 12:14:54 AM UTC"), "2025-12-06T00:14:54Z");
        assert_eq!(iso("12/06/2025, 12:14:54 PM UTC"), "2025-12-06T12:14:54Z");
        assert_eq!(iso("12/06/2025 18:14"), "2025-12-06T18:14:00Z");
        assert_eq!(iso("12/06/2025"), "2025-12-06T00:00:00Z");
    }

    #[test]
    fn fixed_shapes_take_the_fast_path_and_agree_with_the_general_one() {
        for s in [
            "04/10/2026, 05:01:33 AM UTC",
            "12/06/2025, 06:14:54 PM UTC",
            "12/06/2025, 12:14:54 AM UTC",
            "12/06/2025, 12:14:54 PM UTC",
            "01/01/2025, 12:01:02 AM UTC",
            "2026-03-10T04:31:52.901Z",
        ] {
            let fast = fixed_parse(s.as_bytes());
            assert!(fast.is_some(), "{s:?} missed the fast path");
            assert_eq!(fast, cursor_parse(s.as_bytes()), "{s:?}");
        }
        for s in ["13/06/2025, 06:14:54 PM UTC", "12/06/2025, 13:14:54 PM UTC"] {
            assert_eq!(fixed_parse(s.as_bytes()), None, "{s:?}");
        }
    }

    /// The byte-by-byte reading `flock_parse` replaced: the reference it must agree with.
    fn flock_reference(b: &[u8]) -> Option<Millis> {
        let &[
            _,
            _,
            b'/',
            _,
            _,
            b'/',
            _,
            _,
            _,
            _,
            b',',
            b' ',
            _,
            _,
            b':',
            _,
            _,
            b':',
            _,
            _,
            b' ',
            half,
            b'M',
            b' ',
            b'U',
            b'T',
            b'C',
        ] = b
        else {
            return None;
        };
        let (mo, d, y) = (d2(b, 0)?, d2(b, 3)?, d2(b, 6)? * 100 + d2(b, 8)?);
        let (h, mi, s) = (d2(b, 12)?, d2(b, 15)?, d2(b, 18)?);
        let pm = match half {
            b'A' => false,
            b'P' => true,
            _ => return None,
        };
        build(y as i32, mo, d, hour24(pm, h)?, mi, s, 0)
    }

    proptest::proptest! {
        #![proptest_config(crate::test_strings::cases(4000))]
        /// Valid timestamps with a few bytes replaced (by digits, the shape's punctuation, or
        /// any byte) read exactly as the byte-by-byte reading does.
        #[test]
        fn flock_parse_agrees_with_the_byte_by_byte_reading(
            mo in 0u32..14, d in 0u32..33, y in 1900u32..2100, h in 0u32..14, mi in 0u32..61,
            s in 0u32..61, pm in proptest::bool::ANY,
            edits in proptest::collection::vec((0usize..28, proptest::prelude::any::<u8>(), 0u8..4), 0..3),
        ) {
            let mut b = format!(
                "{mo:02}/{d:02}/{y:04}, {h:02}:{mi:02}:{s:02} {} UTC",
                if pm { "PM" } else { "AM" }
            )
            .into_bytes();
            for (at, byte, how) in edits {
                let byte = match how {
                    0 => b'0' + byte % 10,
                    1 => b"/, :AMPUTC"[usize::from(byte) % 10],
                    _ => byte,
                };
                if at < b.len() {
                    b[at] = byte;
                } else {
                    b.push(byte);
                }
            }
            proptest::prop_assert_eq!(flock_parse(&b), flock_reference(&b), "{:?}", String::from_utf8_lossy(&b));
        }
    }

    #[test]
    fn portal_forms() {
        assert_eq!(iso("2026-03-10T04:31:52.901Z"), "2026-03-10T04:31:52.901Z");
        assert_eq!(iso("2025-06-18 00:02:04.789"), "2025-06-18T00:02:04.789Z");
        assert_eq!(iso("2025-06-18 00:02:04"), "2025-06-18T00:02:04Z");
        assert_eq!(iso("2025-06-18T02:02:04+02:00"), "2025-06-18T00:02:04Z");
        assert_eq!(
            iso("2025-06-18T00:02:04.123456Z"),
            "2025-06-18T00:02:04.123Z"
        );
        assert_eq!(iso("2025-06-18"), "2025-06-18T00:00:00Z");
        assert_eq!(iso("Jun 18, 2025 1:02:03 PM"), "2025-06-18T13:02:03Z");
    }

    #[test]
    fn rejects_garbage() {
        for s in [
            "",
            "Search Time",
            "13/45/2025, 01:00:00 AM UTC",
            "2025-02-30",
            "soon",
            "4/1/2025, 13:00:00 PM UTC",
            "2025-01-01 10:00 EST",
        ] {
            assert_eq!(parse_timestamp(s), None, "{s:?}");
        }
    }

    #[test]
    fn time_frames() {
        let (a, b) =
            parse_time_frame("11/13/2025, 10:00:17 PM UTC\n11/14/2025, 10:00:17 AM UTC").unwrap();
        assert_eq!(format_rfc3339(a), "2025-11-13T22:00:17Z");
        assert_eq!(format_rfc3339(b), "2025-11-14T10:00:17Z");
        let (a, b) =
            parse_time_frame("11/13/2025, 10:00:17 PM UTC to 11/14/2025, 10:00:17 AM UTC").unwrap();
        assert_eq!(b - a, 12 * 3600 * 1000);
        assert!(parse_time_frame("——").is_none());
    }
}
