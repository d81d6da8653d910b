//! JSON: arrays of row objects, portal-scrape objects (`search_audit_csv`), NDJSON.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::sync::mpsc::SyncSender;

use serde_json::value::RawValue;
use serde_json::{Map, Value};

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
    index: HashMap<String, usize>,
}

impl Keys {
    fn add(&mut self, key: &str) -> bool {
        if self.index.contains_key(key) {
            return false;
        }
        self.index.insert(key.to_string(), self.labels.len());
        self.labels.push(key.to_string());
        true
    }

    fn record(&self, obj: &Map<String, Value>, rec: &mut Cells) {
        let mut cells: Vec<Cow<'_, str>> = vec![Cow::Borrowed(""); self.labels.len()];
        for (k, v) in obj {
            if let Some(&i) = self.index.get(k) {
                cells[i] = cell_text(v);
            }
        }
        for c in &cells {
            rec.push_field(c.as_bytes());
        }
    }
}

fn cell_text(v: &Value) -> Cow<'_, str> {
    match v {
        Value::String(s) => Cow::Borrowed(s),
        Value::Null => Cow::Borrowed(""),
        Value::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
        Value::Number(n) => Cow::Owned(n.to_string()),
        other => Cow::Owned(other.to_string()),
    }
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

/// A whole JSON document: an array of rows, or an object holding them.
pub(crate) fn run_doc(
    reader: BufReader<Box<dyn Read + Send>>,
    p: &mut Processor<'_>,
    tx: &SyncSender<Sent>,
) -> Result<(), Stop> {
    let buf = read_doc(reader, p)?;
    let (elements, kind) = doc_rows(&buf, p)?;
    let base = buf.as_ptr() as usize;
    let offset_of = |raw: &RawValue| (raw.get().as_ptr() as usize).saturating_sub(base);
    // Keys: the union over the first rows, so a key absent from row 1 still binds.
    let mut keys = Keys::default();
    for raw in elements.iter().take(1000) {
        if let Ok(obj) = serde_json::from_str::<Map<String, Value>>(raw.get()) {
            for k in obj.keys() {
                keys.add(k);
            }
        }
    }
    if keys.labels.is_empty() {
        return Err(FileError::NotAudit {
            path: p.path().to_string(),
            message: "JSON without row objects: expected an array of search-audit rows, or a portal page with search_audit_csv".into(),
        }
        .into());
    }
    p.set_labels(&keys.labels, kind)?;
    let mut rows = Rows::new(tx);
    let mut line = 1u64;
    let mut counted_to = 0usize;
    for raw in elements {
        let off = offset_of(raw);
        if off >= counted_to && off <= buf.len() {
            line += memchr::memchr_iter(b'\n', &buf[counted_to..off]).count() as u64;
            counted_to = off;
        }
        match serde_json::from_str::<Map<String, Value>>(raw.get()) {
            Ok(obj) => {
                let mut grew = false;
                for k in obj.keys() {
                    grew |= keys.add(k);
                }
                if grew {
                    p.set_labels(&keys.labels, kind)?;
                }
                rows.push(p, &keys, &obj, line, off as u64)?;
            }
            Err(_) => {
                p.part.rows += 1;
                p.part.dropped += 1;
                p.part.warnings.push(
                    Some(line),
                    "dropped: this array element is not a JSON object",
                );
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

/// The row objects of a document (an array, a portal page's `search_audit_csv`, or the first
/// array of objects in an object), and what kind of file that makes it.
fn doc_rows<'b>(buf: &'b [u8], p: &mut Processor<'_>) -> Result<(Vec<&'b RawValue>, Kind), Stop> {
    let trimmed = buf.trim_ascii_start();
    let found: (Vec<&RawValue>, Kind) = if trimmed.starts_with(b"[") {
        let v: Vec<&RawValue> = serde_json::from_slice(buf).map_err(|e| json_error(p, &e))?;
        (v, Kind::JsonArray)
    } else {
        let obj: HashMap<Cow<'_, str>, &RawValue> =
            serde_json::from_slice(buf).map_err(|e| json_error(p, &e))?;
        if let Some(name) = obj
            .get("crawled_name")
            .and_then(|v| serde_json::from_str::<String>(v.get()).ok())
        {
            p.set_file_agency(&name);
        }
        if let Some(rows) = obj.get("search_audit_csv") {
            let v: Vec<&RawValue> =
                serde_json::from_str(rows.get()).map_err(|e| json_error(p, &e))?;
            (v, Kind::PortalScrapeJson)
        } else if let Some(rows) = obj.values().find_map(|v| {
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
}

impl<'t> Rows<'t> {
    fn new(tx: &'t SyncSender<Sent>) -> Rows<'t> {
        Rows {
            batch: Batch::default(),
            tx,
        }
    }

    fn push(
        &mut self,
        p: &mut Processor<'_>,
        keys: &Keys,
        obj: &Map<String, Value>,
        line: u64,
        byte: u64,
    ) -> Result<(), Stop> {
        let at = At { byte, line };
        let rec = self.batch.next_slot(at);
        keys.record(obj, rec);
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
        let batch = std::mem::take(&mut self.batch);
        let part = std::mem::take(&mut p.part);
        self.tx.send((batch, part)).map_err(|_| Stop::Cancelled)
    }

    fn finish(mut self, p: &mut Processor<'_>) -> Result<(), Stop> {
        self.send(p)
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

/// One JSON object per line. A bad line is a warning; the rest still load.
pub(crate) fn run_ndjson(
    mut reader: BufReader<Box<dyn Read + Send>>,
    p: &mut Processor<'_>,
    tx: &SyncSender<Sent>,
) -> Result<(), Stop> {
    let mut keys = Keys::default();
    let mut started = false;
    let mut line_buf = Vec::new();
    let mut rows = Rows::new(tx);
    let mut line = 0u64;
    let mut offset = 0u64;
    loop {
        line_buf.clear();
        let read = read_line(&mut reader, &mut line_buf);
        let (n, whole) = match read {
            Ok(r) => r,
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
        if n == 0 {
            break;
        }
        line += 1;
        let start = offset;
        offset += n as u64;
        if !whole {
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
        let text = line_buf.trim_ascii();
        if text.is_empty() {
            continue;
        }
        match serde_json::from_slice::<Map<String, Value>>(text) {
            Ok(obj) => {
                let mut grew = false;
                for k in obj.keys() {
                    grew |= keys.add(k);
                }
                if grew || !started {
                    p.set_labels(&keys.labels, Kind::Ndjson)?;
                    started = true;
                }
                rows.push(p, &keys, &obj, line, start)?;
            }
            Err(e) => {
                p.part.rows += 1;
                p.part.dropped += 1;
                p.part.warnings.push(
                    Some(line),
                    format!(
                        "dropped: not a JSON object ({})",
                        e.to_string().split(" at line").next().unwrap_or("")
                    ),
                );
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
