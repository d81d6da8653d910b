//! JSON: arrays of row objects, portal-scrape objects (`search_audit_csv`), NDJSON.

use std::borrow::Cow;
use std::io::{BufRead, BufReader, Read};
use std::sync::mpsc::{Receiver, SyncSender};

use rustc_hash::FxHashMap;
use serde_json::Value;
use serde_json::value::RawValue;

use super::Cells;
use super::batch::{At, BATCH, Batch};
use super::process::{Part, Processor, Stop};
use super::{FileError, Kind};

/// Rows of a JSON file, sent in batches to the reading thread with what they add to the report.
pub(crate) type Sent = (Batch, Part);

/// Column labels for JSON keys, in order of first appearance.
#[derive(Default)]
struct Keys {
    labels: Vec<String>,
    index: FxHashMap<String, usize>,
    /// For each label, the pair of the row being filled that holds it (reused row to row).
    slots: Vec<usize>,
}

impl Keys {
    /// Finds where each label's cell is in a row (a key given twice: the last), adding the
    /// keys not seen before; true when there were any. [`Keys::record`] then lays the row out.
    fn learn(&mut self, pairs: &[(Cow<'_, str>, Cow<'_, str>)]) -> bool {
        self.slots.clear();
        self.slots.resize(self.labels.len(), usize::MAX);
        let mut grew = false;
        for (j, (k, _)) in pairs.iter().enumerate() {
            // Rows mostly repeat the keys of the first, in the same order.
            let i = if self.labels.get(j).is_some_and(|l| l == k) {
                j
            } else if let Some(&i) = self.index.get(&**k) {
                i
            } else {
                self.index.insert(k.to_string(), self.labels.len());
                self.labels.push(k.to_string());
                self.slots.push(usize::MAX);
                grew = true;
                self.labels.len() - 1
            };
            self.slots[i] = j;
        }
        grew
    }

    /// One cell per label, from the row [`Keys::learn`] was last given.
    fn record(&self, pairs: &[(Cow<'_, str>, Cow<'_, str>)], rec: &mut Cells) {
        for &j in &self.slots {
            rec.push_field(pairs.get(j).map_or(&b""[..], |(_, v)| v.as_bytes()));
        }
    }
}

/// One key and its cell text.
type Pair<'a> = (Cow<'a, str>, Cow<'a, str>);

/// Parses one JSON object into its (key, cell text) pairs, in order, appended to `pairs`,
/// borrowing from `text` wherever no escape has to be undone (no map, and no allocation, per
/// row). A cell is a string's text, `""` for null, `true`/`false`, a number as written (as
/// serde_json writes it when that differs), or nested arrays and objects as compact JSON.
/// Returns where its pairs are; on an error `pairs` is as it was.
fn parse_into<'a>(
    text: &'a [u8],
    pairs: &mut Vec<Pair<'a>>,
) -> serde_json::Result<std::ops::Range<usize>> {
    let start = pairs.len();
    let mut de = serde_json::Deserializer::from_slice(text);
    let parsed =
        serde::de::DeserializeSeed::deserialize(ObjectSeed(pairs), &mut de).and_then(|()| de.end());
    match parsed {
        Ok(()) => Ok(start..pairs.len()),
        Err(e) => {
            pairs.truncate(start);
            Err(e)
        }
    }
}

/// Rows parsed on a worker thread, in order: each one's pairs (in `pairs`), or why it is not a
/// row object; with each NDJSON line's length in bytes.
#[derive(Default)]
struct Share<'a> {
    pairs: Vec<Pair<'a>>,
    items: Vec<(usize, Parsed)>,
}

enum Parsed {
    /// A blank line.
    Blank,
    /// A row object: its pairs.
    Row(std::ops::Range<usize>),
    /// Not a JSON object: serde_json's message without its position.
    Bad(String),
}

impl<'a> Share<'a> {
    fn parse(&mut self, len: usize, text: &'a [u8]) {
        let item = if text.is_empty() {
            Parsed::Blank
        } else {
            match parse_into(text, &mut self.pairs) {
                Ok(range) => Parsed::Row(range),
                Err(e) => Parsed::Bad(e.to_string().split(" at line").next().unwrap_or("").into()),
            }
        };
        self.items.push((len, item));
    }
}

/// Keys a row is expected to have, for sizing (Flock's exports have up to 14 columns).
const PAIRS_GUESS: usize = 14;

/// Parses items on every core, in shares; the shares come back in order.
fn parse_shares<'a, T: Sync>(
    items: &[T],
    text: impl Fn(&T) -> (usize, &'a [u8]) + Sync,
) -> Vec<Share<'a>> {
    let shares = if items.len() < 256 {
        1
    } else {
        crate::threads::cores() * crate::threads::SHARES_PER_THREAD
    };
    let per = items.len().div_ceil(shares).max(1);
    crate::threads::ordered(items.len().div_ceil(per), |i| {
        let mine = &items[i * per..((i + 1) * per).min(items.len())];
        // Sized once (growing them is most of what a share would allocate).
        let mut share = Share {
            pairs: Vec::with_capacity(mine.len() * PAIRS_GUESS),
            items: Vec::with_capacity(mine.len()),
        };
        for item in mine {
            let (len, t) = text(item);
            share.parse(len, t);
        }
        share
    })
}

struct ObjectSeed<'p, 'a>(&'p mut Vec<(Cow<'a, str>, Cow<'a, str>)>);

impl<'de, 'p> serde::de::DeserializeSeed<'de> for ObjectSeed<'p, 'de> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, 'p> serde::de::Visitor<'de> for ObjectSeed<'p, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // What serde_json's own map says, so messages stay as they were.
        f.write_str("a map")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(Key(k)) = map.next_key::<Key<'de>>()? {
            let raw: &'de RawValue = map.next_value()?;
            let cell = raw_cell(raw.get()).map_err(serde::de::Error::custom)?;
            self.0.push((k, cell));
        }
        Ok(())
    }
}

/// An object key, borrowed when it holds no escape.
struct Key<'a>(Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_string())))
            }
        }
        d.deserialize_str(V)
    }
}

/// The cell text of one JSON value, given as its raw text.
fn raw_cell(raw: &str) -> serde_json::Result<Cow<'_, str>> {
    let b = raw.as_bytes();
    Ok(match b.first() {
        Some(b'"') if !b.contains(&b'\\') => Cow::Borrowed(&raw[1..raw.len() - 1]),
        Some(b'"') => Cow::Owned(serde_json::from_str::<String>(raw)?),
        Some(b'n') => Cow::Borrowed(""),
        Some(b't') => Cow::Borrowed("true"),
        Some(b'f') => Cow::Borrowed("false"),
        // An integer that fits in 64 bits is written back as it came (JSON has no leading zeros).
        Some(_) if b.len() <= 18 && plain_integer(b) => Cow::Borrowed(raw),
        Some(b'[' | b'{') => Cow::Owned(serde_json::from_str::<Value>(raw)?.to_string()),
        _ => Cow::Owned(serde_json::from_str::<serde_json::Number>(raw)?.to_string()),
    })
}

/// Digits, maybe after a minus (but not `-0`, which serde_json reads as the float `-0.0`).
fn plain_integer(b: &[u8]) -> bool {
    let digits = b.strip_prefix(b"-").unwrap_or(b);
    !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) && b != b"-0"
}

fn json_error(p: &Processor<'_>, e: &serde_json::Error) -> FileError {
    FileError::Read {
        path: p.path().to_string(),
        line: e.line() as u64,
        message: format!("invalid JSON: {e}"),
    }
}

/// The largest JSON document read whole (portal pages are kilobytes; anything this large should
/// be NDJSON, one row a line, which is read as a stream).
pub const DOC_MAX: u64 = 512 << 20;

/// The longest NDJSON line read (a search record is well under a kilobyte; a longer line is a
/// broken or hostile file, and is dropped with a warning rather than held in memory).
pub const LINE_MAX: usize = 16 << 20;

/// Rows parsed on every core at a time, then taken in order on the reading thread.
const WINDOW: usize = 64 * 1024;

/// An NDJSON block: this many bytes of whole lines, or more to end the last line.
const BLOCK: usize = 4 << 20;

/// A whole JSON document: an array of rows, or an object holding them.
pub(crate) fn run_doc(
    reader: BufReader<Box<dyn Read + Send>>,
    p: &mut Processor<'_>,
    tx: &SyncSender<Sent>,
    pool: &Receiver<Batch>,
) -> Result<(), Stop> {
    let buf = read_doc(reader, p)?;
    let (elements, kind) = doc_rows(&buf, p)?;
    let base = buf.as_ptr() as usize;
    let offset_of = |raw: &RawValue| (raw.get().as_ptr() as usize).saturating_sub(base);
    // Keys: the union over the first rows, so a key absent from row 1 still binds.
    let mut keys = Keys::default();
    let mut first = Vec::new();
    for raw in elements.iter().take(1000) {
        if let Ok(range) = parse_into(raw.get().as_bytes(), &mut first) {
            keys.learn(&first[range]);
        }
    }
    drop(first);
    if elements.is_empty() && p.part.sharing.is_some() {
        return Rows::new(tx, pool).finish(p);
    }
    if keys.labels.is_empty() {
        return Err(FileError::NotAudit {
            path: p.path().to_string(),
            message: "JSON without row objects: expected an array of search-audit rows, or a portal page with search_audit_csv".into(),
        }
        .into());
    }
    p.set_labels(&keys.labels, kind)?;
    let mut rows = Rows::new(tx, pool);
    let mut line = 1u64;
    let mut counted_to = 0usize;
    for window in elements.chunks(WINDOW) {
        let shares = parse_shares(window, |raw| (0, raw.get().as_bytes()));
        let parsed = shares
            .iter()
            .flat_map(|s| s.items.iter().map(move |(_, item)| (s, item)));
        for (raw, (share, item)) in window.iter().zip(parsed) {
            let off = offset_of(raw);
            if off >= counted_to && off <= buf.len() {
                line += memchr::memchr_iter(b'\n', &buf[counted_to..off]).count() as u64;
                counted_to = off;
            }
            match item {
                Parsed::Row(range) => {
                    let pairs = &share.pairs[range.clone()];
                    if keys.learn(pairs) {
                        p.set_labels(&keys.labels, kind)?;
                    }
                    rows.push(p, &keys, pairs, line, off as u64)?;
                }
                Parsed::Blank | Parsed::Bad(_) => {
                    p.part.rows += 1;
                    p.part.dropped += 1;
                    p.part.warnings.push(
                        Some(line),
                        "dropped: this array element is not a JSON object",
                    );
                }
            }
        }
    }
    rows.finish(p)
}

/// Reads a whole document, refusing one over [`DOC_MAX`].
fn read_doc(reader: BufReader<Box<dyn Read + Send>>, p: &Processor<'_>) -> Result<Vec<u8>, Stop> {
    let mut buf = Vec::new();
    reader
        .take(DOC_MAX + 1)
        .read_to_end(&mut buf)
        .map_err(|e| FileError::Read {
            path: p.path().to_string(),
            line: 0,
            message: e.to_string(),
        })?;
    if buf.len() as u64 > DOC_MAX {
        return Err(FileError::NotAudit {
            path: p.path().to_string(),
            message: format!(
                "a JSON document larger than {} MB is not read whole; write it as NDJSON (one row object a line), which is read as a stream",
                DOC_MAX >> 20
            ),
        }
        .into());
    }
    Ok(buf)
}

/// A top-level object: its members in order, and a portal page's `search_audit_csv` rows split
/// out as they are read (the rows are not read twice).
struct TopObject<'a> {
    members: Vec<(Cow<'a, str>, &'a RawValue)>,
    rows: Option<Vec<&'a RawValue>>,
}

impl<'de> serde::Deserialize<'de> for TopObject<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = TopObject<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<TopObject<'de>, A::Error> {
                let mut top = TopObject {
                    members: Vec::new(),
                    rows: None,
                };
                while let Some(Key(k)) = map.next_key::<Key<'de>>()? {
                    if k == "search_audit_csv" {
                        top.rows = Some(map.next_value()?);
                    } else {
                        top.members.push((k, map.next_value()?));
                    }
                }
                Ok(top)
            }
        }
        d.deserialize_map(V)
    }
}

/// The row objects of a document (an array, a portal page's `search_audit_csv`, or the first
/// array of objects in an object), and what kind of file that makes it.
fn doc_rows<'b>(buf: &'b [u8], p: &mut Processor<'_>) -> Result<(Vec<&'b RawValue>, Kind), Stop> {
    let trimmed = buf.trim_ascii_start();
    let found: (Vec<&RawValue>, Kind) = if trimmed.starts_with(b"[") {
        let v: Vec<&RawValue> = serde_json::from_slice(buf).map_err(|e| json_error(p, &e))?;
        (v, Kind::JsonArray)
    } else {
        let obj: TopObject<'_> = serde_json::from_slice(buf).map_err(|e| json_error(p, &e))?;
        let member = |key: &str| obj.members.iter().rev().find(|(k, _)| k == key);
        if let Some(name) =
            member("crawled_name").and_then(|(_, v)| serde_json::from_str::<String>(v.get()).ok())
        {
            p.set_file_agency(&name);
            let list = |key: &str, p: &mut Processor<'_>| -> Vec<String> {
                let Some((_, v)) = member(key) else {
                    return Vec::new();
                };
                match serde_json::from_str::<Vec<serde_json::Value>>(v.get()) {
                    Ok(items) => items
                        .into_iter()
                        .filter_map(|i| match i {
                            serde_json::Value::String(s) if !s.trim().is_empty() => {
                                Some(s.trim().to_string())
                            }
                            serde_json::Value::String(_) => None,
                            other => {
                                p.part.warnings.push(
                                    None,
                                    format!(
                                        "{key}: an entry that is not a name was left out: {}",
                                        crate::sanitize::visible(&other.to_string())
                                    ),
                                );
                                None
                            }
                        })
                        .collect(),
                    Err(_) => {
                        p.part
                            .warnings
                            .push(None, format!("{key} is not a list of names; not read"));
                        Vec::new()
                    }
                }
            };
            let outbound = list("sharing_outbound", p);
            let inbound = list("sharing_inbound", p);
            if member("sharing_outbound").is_some() || member("sharing_inbound").is_some() {
                p.part.sharing = Some(super::Sharing { outbound, inbound });
                if obj.rows.is_none() {
                    return Ok((Vec::new(), Kind::PortalScrapeJson));
                }
            }
        }
        if let Some(rows) = obj.rows {
            (rows, Kind::PortalScrapeJson)
        } else if let Some(rows) = obj.members.iter().map(|(_, v)| v).find_map(|v| {
            serde_json::from_str::<Vec<&RawValue>>(v.get())
                .ok()
                .filter(|a| {
                    a.first()
                        .is_some_and(|e| e.get().trim_start().starts_with('{'))
                })
        }) {
            (rows, Kind::JsonArray)
        } else {
            let whole: &RawValue = serde_json::from_slice(buf).map_err(|e| json_error(p, &e))?;
            (vec![whole], Kind::JsonArray)
        }
    };
    Ok(found)
}

/// Fills batches with JSON rows and sends them.
struct Rows<'t> {
    batch: Batch,
    tx: &'t SyncSender<Sent>,
    /// Batches the receiver is done with, to fill again (their records keep their allocations).
    pool: &'t Receiver<Batch>,
}

impl<'t> Rows<'t> {
    fn new(tx: &'t SyncSender<Sent>, pool: &'t Receiver<Batch>) -> Rows<'t> {
        Rows {
            batch: Batch::default(),
            tx,
            pool,
        }
    }

    fn push(
        &mut self,
        p: &mut Processor<'_>,
        keys: &Keys,
        pairs: &[(Cow<'_, str>, Cow<'_, str>)],
        line: u64,
        byte: u64,
    ) -> Result<(), Stop> {
        let at = At { byte, line };
        let rec = self.batch.next_slot(at);
        keys.record(pairs, rec);
        if let Some(w) = super::limits::cap(rec) {
            p.part.warnings.push(Some(line), w);
        }
        // JSON strings may hold "\u0000": every row is checked.
        self.batch.nul = true;
        let (records, _, mut out) = self.batch.split();
        let i = records.len() - 1;
        p.data_record(&mut out, &records[i], at, i as u32)?;
        if self.batch.len == BATCH {
            self.send(p)?;
        }
        Ok(())
    }

    /// Sends the rows so far and what the processor found since the last send.
    fn send(&mut self, p: &mut Processor<'_>) -> Result<(), Stop> {
        let next = match self.pool.try_recv() {
            Ok(mut used) => {
                used.reset();
                used
            }
            Err(_) => Batch::default(),
        };
        let batch = std::mem::replace(&mut self.batch, next);
        let part = std::mem::take(&mut p.part);
        self.tx.send((batch, part)).map_err(|_| Stop::Cancelled)
    }

    fn finish(mut self, p: &mut Processor<'_>) -> Result<(), Stop> {
        self.send(p)
    }
}

/// What [`LineBlocks::next`] read.
enum Piece {
    /// Whole lines (the last without a line feed at the end of the file).
    Lines,
    /// A line longer than [`LINE_MAX`], of this many bytes, read and let go.
    Long(usize),
    /// The end of the file.
    End,
}

/// Reads NDJSON in blocks of whole lines.
struct LineBlocks {
    reader: BufReader<Box<dyn Read + Send>>,
    /// The start of a line the last block cut.
    carry: Vec<u8>,
    /// An error met after some whole lines, given after them.
    failed: Option<std::io::Error>,
}

impl LineBlocks {
    /// The next block into `buf`: whole lines, about [`BLOCK`] bytes.
    fn next(&mut self, buf: &mut Vec<u8>) -> std::io::Result<Piece> {
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
    fn skip_line(&mut self, buf: &mut Vec<u8>) -> std::io::Result<Piece> {
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
fn read_line(reader: &mut impl BufRead, buf: &mut Vec<u8>) -> std::io::Result<(usize, bool)> {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A cell's text is what it was when rows were read into a `serde_json::Value`.
    #[test]
    fn cells_read_without_a_map_are_the_texts_a_value_gives() {
        let old = |v: &Value| match v {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            other => other.to_string(),
        };
        for raw in [
            r#""plain""#,
            r#""esc\"aped\n\t""#,
            r#""\u00e9\ud83d\ude00""#,
            r#""""#,
            "null",
            "true",
            "false",
            "0",
            "-12",
            "123456789012345678",
            "12345678901234567890",
            "123456789012345678901234",
            "1.50",
            "1e3",
            "-0",
            "-0.0",
            "[1, 2,  {\"a\" : null}]",
            "{\"a\": [true, null], \"b\": \"x\"}",
        ] {
            let want = old(&serde_json::from_str::<Value>(raw).unwrap());
            assert_eq!(raw_cell(raw).unwrap(), want, "{raw}");
        }
    }

    #[test]
    fn pairs_keep_key_order_borrow_plain_text_and_refuse_what_is_not_an_object() {
        let mut pairs = Vec::new();
        let text = br#"{"ID": "a1", "Reason": "ICE \"hold\"", "n": 3, "ID": "a2"}"#;
        let range = parse_into(text, &mut pairs).unwrap();
        assert_eq!(range, 0..4);
        let keys: Vec<&str> = pairs.iter().map(|(k, _)| &**k).collect();
        assert_eq!(keys, ["ID", "Reason", "n", "ID"]);
        assert!(matches!(pairs[0].1, Cow::Borrowed("a1")));
        assert_eq!(pairs[1].1, "ICE \"hold\"");
        let mut keys = Keys::default();
        assert!(keys.learn(&pairs));
        assert_eq!(keys.labels, ["ID", "Reason", "n"]);
        let mut rec = Cells::new();
        keys.record(&pairs, &mut rec);
        let cells: Vec<&[u8]> = rec.iter().collect();
        assert_eq!(
            cells,
            [&b"a2"[..], b"ICE \"hold\"", b"3"],
            "the last of a key given twice"
        );
        for bad in [&b"[1]"[..], b"\"x\"", b"{\"a\":1} x", b"{\"a\":", b"{1:2}"] {
            let e = parse_into(bad, &mut pairs).unwrap_err();
            assert_eq!(pairs.len(), 4, "nothing added for {bad:?}: {e}");
        }
        let e = parse_into(b"[1]", &mut pairs).unwrap_err().to_string();
        assert!(
            e.starts_with("invalid type: sequence, expected a map"),
            "{e}"
        );
    }
}
