//! A whole JSON document: an array of row objects, or an object holding one (a portal page
//! with `search_audit_csv`), read whole up to [`DOC_MAX`] and parsed in windows of rows.

use std::borrow::Cow;
use std::io::{BufReader, Read};
use std::sync::mpsc::{Receiver, SyncSender};

use serde_json::value::RawValue;

use super::super::batch::{At, BATCH, Batch};
use super::super::process::{Processor, Stop};
use super::super::{FileError, Kind};
use super::object::*;
use super::*;

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
pub(super) fn read_doc(
    reader: BufReader<Box<dyn Read + Send>>,
    p: &Processor<'_>,
) -> Result<Vec<u8>, Stop> {
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
pub(super) struct TopObject<'a> {
    pub(super) members: Vec<(Cow<'a, str>, &'a RawValue)>,
    pub(super) rows: Option<Vec<&'a RawValue>>,
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
pub(super) fn doc_rows<'b>(
    buf: &'b [u8],
    p: &mut Processor<'_>,
) -> Result<(Vec<&'b RawValue>, Kind), Stop> {
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
                p.part.sharing = Some(crate::ingest::Sharing { outbound, inbound });
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
pub(super) struct Rows<'t> {
    pub(super) batch: Batch,
    pub(super) tx: &'t SyncSender<Sent>,
    /// Batches the receiver is done with, to fill again (their records keep their allocations).
    pub(super) pool: &'t Receiver<Batch>,
}

impl<'t> Rows<'t> {
    pub(super) fn new(tx: &'t SyncSender<Sent>, pool: &'t Receiver<Batch>) -> Rows<'t> {
        Rows {
            batch: Batch::default(),
            tx,
            pool,
        }
    }

    pub(super) fn push(
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
        if let Some(w) = crate::ingest::limits::cap(rec) {
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
    pub(super) fn send(&mut self, p: &mut Processor<'_>) -> Result<(), Stop> {
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

    pub(super) fn finish(mut self, p: &mut Processor<'_>) -> Result<(), Stop> {
        self.send(p)
    }
}
