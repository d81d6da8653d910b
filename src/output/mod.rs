//! Records out: one self-describing shape for `flag` and `export`, written as JSONL, JSON or CSV.

pub mod export;
pub mod target;

use std::io::{self, Write};
use std::sync::{Arc, PoisonError};

use std::borrow::Cow;

use serde_json::Value;

use crate::flag::RuleSet;
use crate::ingest::catalog::{Catalog, TextSyms};
use crate::ingest::time::format_rfc3339;
use crate::ingest::{Row, Text, row::parse_count};
use crate::model::{Field, RecordId};

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// One JSON array.
    Json,
    /// CSV with a header row.
    Csv,
}

impl Format {
    /// Parses `jsonl`, `json`, `csv`.
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// One flag explanation, ready to write. It borrows from the catalog it was made from
/// (`'static` once [`OutRecord::into_owned`]).
#[derive(Clone, Debug, PartialEq)]
pub struct FlagOut<'a> {
    /// Rule name.
    pub rule: Cow<'a, str>,
    /// `strong` or `ambiguous`.
    pub strength: &'static str,
    /// Field key (`reason`, `agency`, …).
    pub field: &'static str,
    /// The matched text pieces.
    pub matched: Vec<Cow<'a, str>>,
    /// Byte spans in the field's text.
    pub spans: Cow<'a, [(u32, u32)]>,
    /// What the rule looks for.
    pub description: Arc<str>,
    /// What to check, for ambiguous terms.
    pub note: Option<Arc<str>>,
}

impl<'a> FlagOut<'a> {
    /// Explanations for a record's text symbols.
    pub fn for_syms(catalog: &'a Catalog, syms: &TextSyms) -> Vec<FlagOut<'a>> {
        catalog
            .explain(syms)
            .into_iter()
            .map(|(hit, text)| FlagOut::new(&catalog.rules, hit, text))
            .collect()
    }

    fn new(rules: &'a RuleSet, hit: &'a crate::flag::Hit, text: &'a str) -> FlagOut<'a> {
        let rule = rules.rule(hit.rule);
        FlagOut {
            rule: Cow::Borrowed(&rule.name),
            strength: rule.strength.as_str(),
            field: hit.field.key(),
            matched: hit.matched(text).into_iter().map(Cow::Borrowed).collect(),
            spans: Cow::Borrowed(&hit.spans),
            description: rule.description.clone(),
            note: rule.note.clone(),
        }
    }

    /// Detached from the catalog.
    pub fn into_owned(self) -> FlagOut<'static> {
        FlagOut {
            rule: owned(self.rule),
            strength: self.strength,
            field: self.field,
            matched: self.matched.into_iter().map(owned).collect(),
            spans: Cow::Owned(self.spans.into_owned()),
            description: self.description,
            note: self.note,
        }
    }
}

/// Text detached from what it borrowed.
fn owned(s: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(s.into_owned())
}

/// A normalised value.
#[derive(Clone, Debug, PartialEq)]
pub enum OutValue<'a> {
    /// Absent.
    Null,
    /// A redaction marker (as written).
    Redacted(Cow<'a, str>),
    /// Text.
    Str(Cow<'a, str>),
    /// A count.
    Int(u64),
}

impl OutValue<'_> {
    /// Detached from the row it was read from.
    pub fn into_owned(self) -> OutValue<'static> {
        match self {
            OutValue::Null => OutValue::Null,
            OutValue::Redacted(s) => OutValue::Redacted(owned(s)),
            OutValue::Str(s) => OutValue::Str(owned(s)),
            OutValue::Int(n) => OutValue::Int(n),
        }
    }
}

/// A record ready to write: identity, normalised fields, flags, sources, original columns; plus
/// any extra fields a caller adds (annotations, in exports).
///
/// It borrows its text from the row and the catalog it was made from: a record written at once
/// (as `flag` and `export` do, thousands a second) copies no cell. [`OutRecord::into_owned`]
/// detaches one to keep (the review UI's detail view).
#[derive(Clone, Debug, PartialEq)]
pub struct OutRecord<'a> {
    /// Stable id.
    pub id: RecordId,
    /// Normalised fields, in output order.
    pub fields: Vec<(&'static str, OutValue<'a>)>,
    /// Flag explanations (empty when not flagged).
    pub flags: Vec<FlagOut<'a>>,
    /// `file:line` of every row that holds this record.
    pub sources: Cow<'a, [String]>,
    /// Original columns, label and value, in file order.
    pub columns: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// Extra top-level fields (export: verdict, note, reviewer, …), written after `flags`.
    pub extra: Vec<(String, Value)>,
}

const TEXT_OUT: [Field; 14] = [
    Field::OffenseType,
    Field::SearchType,
    Field::Officer,
    Field::UserId,
    Field::Plate,
    Field::CaseNumber,
    Field::Filters,
    Field::TextPrompt,
    Field::Moderation,
    Field::PriorFlag,
    Field::FlockId,
    Field::Agency,
    Field::Reason,
    Field::Devices,
];

/// Normalised fields of a record: agency, its source, reason, search time, the time frame's
/// two ends, networks, devices, and the rest of [`TEXT_OUT`].
const OUT_FIELDS: usize = 8 + TEXT_OUT.len() - 3;

fn text_value(t: Text<'_>) -> OutValue<'_> {
    match t {
        Text::Missing => OutValue::Null,
        Text::Redacted(s) => OutValue::Redacted(s),
        Text::Value(s) => OutValue::Str(s),
    }
}

impl<'a> OutRecord<'a> {
    /// Builds the output form of a row (`sources`: a `Vec<String>`, or borrowed as `&[String]`).
    pub fn from_row(
        row: &Row<'a>,
        catalog: &'a Catalog,
        syms: &TextSyms,
        sources: impl Into<Cow<'a, [String]>>,
    ) -> OutRecord<'a> {
        // Exactly as many as are pushed below: 24 (1,152 bytes) went past the sizes glibc keeps
        // a per-thread cache of, and every record then took the allocator's slow path twice.
        let mut fields: Vec<(&'static str, OutValue)> = Vec::with_capacity(OUT_FIELDS);
        fields.push(("agency", text_value(row.agency())));
        fields.push((
            "agency_source",
            OutValue::Str(Cow::Borrowed(row.agency_source.as_str())),
        ));
        fields.push(("reason", text_value(row.reason())));
        fields.push((
            "search_time",
            row.search_time
                .map(|t| OutValue::Str(Cow::Owned(format_rfc3339(t))))
                .unwrap_or(OutValue::Null),
        ));
        let (tf_start, tf_end) = match row.time_frame() {
            Some((a, b)) => (
                OutValue::Str(Cow::Owned(format_rfc3339(a))),
                OutValue::Str(Cow::Owned(format_rfc3339(b))),
            ),
            None => (OutValue::Null, OutValue::Null),
        };
        fields.push(("time_frame_start", tf_start));
        fields.push(("time_frame_end", tf_end));
        fields.push((
            "networks_searched",
            row.networks
                .map(|n| OutValue::Int(u64::from(n)))
                .unwrap_or(OutValue::Null),
        ));
        let devices = match row.text(Field::Devices) {
            Text::Value(v) => parse_count(&v)
                .map(|n| OutValue::Int(u64::from(n)))
                .unwrap_or(OutValue::Null),
            other => text_value(other),
        };
        fields.push(("devices_searched", devices));
        for f in TEXT_OUT {
            if matches!(f, Field::Agency | Field::Reason | Field::Devices) {
                continue;
            }
            fields.push((f.key(), text_value(row.text(f))));
        }
        debug_assert_eq!(fields.len(), OUT_FIELDS);
        OutRecord {
            id: row.id,
            fields,
            flags: FlagOut::for_syms(catalog, syms),
            sources: sources.into(),
            columns: row.originals(),
            extra: Vec::new(),
        }
    }

    /// Detached from the row and catalog it was made from.
    pub fn into_owned(self) -> OutRecord<'static> {
        OutRecord {
            id: self.id,
            fields: self
                .fields
                .into_iter()
                .map(|(k, v)| (k, v.into_owned()))
                .collect(),
            flags: self.flags.into_iter().map(FlagOut::into_owned).collect(),
            sources: Cow::Owned(self.sources.into_owned()),
            columns: self
                .columns
                .into_iter()
                .map(|(k, v)| (owned(k), owned(v)))
                .collect(),
            extra: self.extra,
        }
    }
}

/// The JSON object of a record: `id`, the normalised fields, `redacted` (which of them),
/// `flagged`, `flags`, any extra fields, `sources`, and `columns` (original labels; a label seen
/// twice becomes `label (2)`).
///
/// The shape is fixed, so it is written straight into the buffer rather than through serde:
/// most strings need no escaping and are copied as they are; the others, and the extra fields'
/// values, are written by serde_json. (Through serde, escaping and the calls around it took
/// two fifths of `flag`'s output time.)
fn encode_json(rec: &OutRecord, buf: &mut Vec<u8>, keys: &mut ColumnKeys) -> io::Result<()> {
    let mut o = Object::open(buf);
    let id = o.key("id");
    id.push(b'"');
    id.extend_from_slice(&rec.id.hex());
    id.push(b'"');
    for (k, v) in &rec.fields {
        let out = o.key(k);
        match v {
            OutValue::Null | OutValue::Redacted(_) => out.extend_from_slice(b"null"),
            OutValue::Str(v) => json_str(out, v)?,
            OutValue::Int(n) => json_int(out, *n)?,
        }
    }
    let redacted = rec
        .fields
        .iter()
        .filter(|(_, v)| matches!(v, OutValue::Redacted(_)))
        .map(|(k, _)| *k);
    json_array(o.key("redacted"), redacted, json_str)?;
    let flagged: &[u8] = if rec.flags.is_empty() {
        b"false"
    } else {
        b"true"
    };
    o.key("flagged").extend_from_slice(flagged);
    json_array(o.key("flags"), &rec.flags, encode_flag)?;
    for (k, v) in &rec.extra {
        serde_json::to_writer(o.label(k), v)?;
    }
    json_array(o.key("sources"), rec.sources.iter(), json_str)?;
    let out = o.key("columns");
    out.push(b'{');
    let keys = keys.of(&rec.columns);
    for ((_, v), key) in rec.columns.iter().zip(keys.keys()) {
        out.extend_from_slice(key);
        json_str(out, v)?;
    }
    out.push(b'}');
    o.close();
    Ok(())
}

/// The JSON keys of a record's original columns, kept from one record to the next: the records
/// of a file share their labels, and the keys are then copied as they are, rather than escaped
/// and made unique again for each record (which took a tenth of the encoding).
#[derive(Debug, Default)]
struct ColumnKeys {
    /// The labels the keys were made for.
    labels: Vec<String>,
    /// The keys, written out (`"label":`, the second and later ones after a comma); a label
    /// seen twice becomes `label (2)`.
    json: Vec<u8>,
    /// Where each key ends in `json`.
    ends: Vec<usize>,
}

impl ColumnKeys {
    /// The keys for `columns`' labels (made again when they are not the last ones).
    fn of(&mut self, columns: &[(Cow<'_, str>, Cow<'_, str>)]) -> &ColumnKeys {
        let same = self.labels.len() == columns.len()
            && self.labels.iter().zip(columns).all(|(a, (b, _))| a == b);
        if !same {
            self.labels.clear();
            self.json.clear();
            self.ends.clear();
            let mut unique: Vec<Cow<'_, str>> = Vec::with_capacity(columns.len());
            for (k, _) in columns {
                let mut key = Cow::Borrowed(k.as_ref());
                let mut n = 2;
                while unique.contains(&key) {
                    key = Cow::Owned(format!("{k} ({n})"));
                    n += 1;
                }
                if !unique.is_empty() {
                    self.json.push(b',');
                }
                // Writing into memory cannot fail.
                let _ = json_str(&mut self.json, &key);
                self.json.push(b':');
                self.ends.push(self.json.len());
                self.labels.push(k.to_string());
                unique.push(key);
            }
        }
        self
    }

    /// Each key, in column order.
    fn keys(&self) -> impl Iterator<Item = &[u8]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(&self.ends).map(|(a, &b)| &self.json[a..b])
    }
}

fn encode_flag(buf: &mut Vec<u8>, f: &FlagOut) -> io::Result<()> {
    let mut o = Object::open(buf);
    json_str(o.key("rule"), &f.rule)?;
    json_str(o.key("strength"), f.strength)?;
    json_str(o.key("field"), f.field)?;
    json_array(o.key("matched"), &f.matched, json_str)?;
    json_array(o.key("spans"), f.spans.iter(), |out, &(a, b)| {
        json_array(out, [a, b], json_int)
    })?;
    json_str(o.key("description"), &f.description)?;
    if let Some(n) = &f.note {
        json_str(o.key("note"), n)?;
    }
    o.close();
    Ok(())
}

/// A JSON object being written: `key` writes the separator and the key, and returns the buffer
/// for the value.
struct Object<'b> {
    buf: &'b mut Vec<u8>,
    empty: bool,
}

impl<'b> Object<'b> {
    fn open(buf: &'b mut Vec<u8>) -> Object<'b> {
        buf.push(b'{');
        Object { buf, empty: true }
    }

    /// A key of this program's (a field name): known to need no escape.
    fn key(&mut self, key: &'static str) -> &mut Vec<u8> {
        debug_assert!(plain(key.as_bytes()));
        self.separate();
        self.buf.reserve(key.len() + 3);
        self.buf.push(b'"');
        self.buf.extend_from_slice(key.as_bytes());
        self.buf.extend_from_slice(b"\":");
        self.buf
    }

    /// A key not fixed in this program (an added field's name), escaped as needed.
    fn label(&mut self, key: &str) -> &mut Vec<u8> {
        self.separate();
        // A key is a string, and writing one into memory cannot fail.
        let _ = json_str(self.buf, key);
        self.buf.push(b':');
        self.buf
    }

    fn separate(&mut self) {
        if !self.empty {
            self.buf.push(b',');
        }
        self.empty = false;
    }

    fn close(self) {
        self.buf.push(b'}');
    }
}

/// A JSON string: copied between quotes when nothing in it needs escaping, else written by
/// serde_json.
fn json_str(buf: &mut Vec<u8>, s: impl AsRef<str>) -> io::Result<()> {
    let s = s.as_ref();
    if plain(s.as_bytes()) {
        buf.reserve(s.len() + 2);
        buf.push(b'"');
        buf.extend_from_slice(s.as_bytes());
        buf.push(b'"');
        Ok(())
    } else {
        Ok(serde_json::to_writer(buf, s)?)
    }
}

/// True when JSON needs no escape in `b`: no quote, backslash or control character. Looks at
/// eight bytes at a time (the strings are short: a byte-by-byte loop took most of the time).
fn plain(b: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    // Nonzero when a byte of `v` is below `n` (n <= 128); exact, with no false alarms.
    let below = |v: u64, n: u8| v.wrapping_sub(ONES * u64::from(n)) & !v & HIGH;
    let bad = |v: u64| below(v, 0x20) | below(v ^ (ONES * 0x22), 1) | below(v ^ (ONES * 0x5c), 1);
    let word = |w: &[u8]| u64::from_le_bytes(w.try_into().unwrap_or([0; 8]));
    let half = |w: &[u8]| u64::from(u32::from_le_bytes(w.try_into().unwrap_or([0; 4])));
    let n = b.len();
    // A short string is read into one word, some bytes twice (which changes nothing).
    let v = match n {
        0 => return true,
        // The first, middle and last bytes are all of them; the other five are spaces, which
        // need no escape.
        1..=3 => {
            (ONES * 0x20) & !0xff_ffff
                | u64::from(b[0])
                | u64::from(b[n / 2]) << 8
                | u64::from(b[n - 1]) << 16
        }
        // The first four bytes and the last four.
        4..=7 => half(&b[..4]) | half(&b[n - 4..]) << 32,
        // Whole words, then the last eight bytes (overlapping the last word read).
        _ => return b.chunks_exact(8).all(|w| bad(word(w)) == 0) && bad(word(&b[n - 8..])) == 0,
    };
    bad(v) == 0
}

fn json_int(buf: &mut Vec<u8>, n: impl itoa::Integer) -> io::Result<()> {
    buf.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    Ok(())
}

/// A JSON array of `items`, each written by `item`.
fn json_array<T>(
    buf: &mut Vec<u8>,
    items: impl IntoIterator<Item = T>,
    mut item: impl FnMut(&mut Vec<u8>, T) -> io::Result<()>,
) -> io::Result<()> {
    buf.push(b'[');
    for (i, x) in items.into_iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        item(buf, x)?;
    }
    buf.push(b']');
    Ok(())
}

/// The tool's own CSV columns, written after the original ones.
const CSV_TOOL_COLUMNS: [&str; 9] = [
    "record_id",
    "agency_normalized",
    "search_time_utc",
    "flagged",
    "flag_rules",
    "flag_matches",
    "flag_notes",
    "sources",
    "redacted_fields",
];

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

/// How CSV cells are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CsvCells {
    /// A cell that a spreadsheet would run as a formula gets a leading `'` (see
    /// [`crate::sanitize::spreadsheet_cell`]).
    #[default]
    SpreadsheetSafe,
    /// Every cell exactly as the data has it (`--raw-cells`).
    Raw,
}

/// How records are encoded (shared by the threads of [`RecordWriter::write_all`]).
struct Encoder {
    format: Format,
    original_columns: Vec<String>,
    extra_columns: Vec<String>,
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
            let mut header: Vec<String> = original_columns.clone();
            header.extend(tool_column_names(&original_columns, &extra_columns));
            out.write_all(&csv_line(&header, cells)?)?;
        }
        Ok(RecordWriter {
            out,
            enc: Encoder {
                format,
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
                encode_json(rec, buf, &mut out.keys)?;
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

/// One CSV record, with its line end.
fn csv_line(fields: &[String], cells: CsvCells) -> io::Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    match cells {
        CsvCells::Raw => w.write_record(fields)?,
        CsvCells::SpreadsheetSafe => w.write_record(fields.iter().map(|f| -> Cow<'_, [u8]> {
            match crate::sanitize::spreadsheet_cell(f) {
                Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
                Cow::Owned(s) => Cow::Owned(s.into_bytes()),
            }
        }))?,
    }
    w.into_inner().map_err(|e| e.into_error())
}

fn tool_column_names(original: &[String], extra: &[String]) -> Vec<String> {
    let taken: std::collections::HashSet<String> =
        original.iter().map(|c| c.to_ascii_lowercase()).collect();
    CSV_TOOL_COLUMNS
        .iter()
        .map(|c| c.to_string())
        .chain(extra.iter().cloned())
        .map(|c| {
            if taken.contains(&c.to_ascii_lowercase()) {
                format!("triage_{c}")
            } else {
                c
            }
        })
        .collect()
}

fn csv_row(original: &[String], extra: &[String], rec: &OutRecord) -> Vec<String> {
    let mut row = vec![String::new(); original.len()];
    let mut filled = vec![false; original.len()];
    for (k, v) in &rec.columns {
        if let Some(i) = original.iter().position(|c| c == k)
            && !filled[i]
        {
            row[i] = v.to_string();
            filled[i] = true;
        }
    }
    let field = |key: &str| match rec.fields.iter().find(|(k, _)| *k == key) {
        Some((_, OutValue::Str(s))) => s.to_string(),
        Some((_, OutValue::Redacted(s))) => s.to_string(),
        Some((_, OutValue::Int(n))) => n.to_string(),
        _ => String::new(),
    };
    row.push(rec.id.to_string());
    row.push(field("agency"));
    row.push(field("search_time"));
    row.push(if rec.flags.is_empty() { "no" } else { "yes" }.into());
    row.push(
        rec.flags
            .iter()
            .map(|f| f.rule.as_ref())
            .collect::<Vec<_>>()
            .join("; "),
    );
    row.push(
        rec.flags
            .iter()
            .map(|f| format!("{}: {}", f.field, f.matched.join(" | ")))
            .collect::<Vec<_>>()
            .join("; "),
    );
    row.push(
        rec.flags
            .iter()
            .filter_map(|f| f.note.as_ref().map(|n| format!("{}: {n}", f.rule)))
            .collect::<Vec<_>>()
            .join("; "),
    );
    row.push(rec.sources.join("; "));
    row.push(
        rec.fields
            .iter()
            .filter(|(_, v)| matches!(v, OutValue::Redacted(_)))
            .map(|(k, _)| *k)
            .collect::<Vec<_>>()
            .join("; "),
    );
    for name in extra {
        let v = rec.extra.iter().find(|(k, _)| k == name).map(|(_, v)| v);
        row.push(match v {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        });
    }
    row
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn json_shape_is_stable() {
        let rec = OutRecord {
            id: RecordId(0xabc),
            fields: vec![
                ("agency", OutValue::Str("Lakemont \"IL\" PD".into())),
                ("networks_searched", OutValue::Int(12)),
                ("license_plate", OutValue::Redacted("***".into())),
                ("filters", OutValue::Null),
            ],
            flags: vec![FlagOut {
                rule: "ice".into(),
                strength: "strong",
                field: "reason",
                matched: vec!["ICE".into()],
                spans: vec![(0, 3)].into(),
                description: Arc::from("ICE as a word"),
                note: Some(Arc::from("check it")),
            }],
            sources: vec!["a.csv:2".into(), "b.csv:9".into()].into(),
            columns: vec![
                ("Reason".into(), "ICE".into()),
                ("Reason".into(), "again".into()),
                ("Reason (2)".into(), "third".into()),
            ],
            extra: vec![
                ("verdict".into(), Value::String("immigration".into())),
                ("reviews".into(), serde_json::json!([{"by": "x"}])),
            ],
        };
        let mut out = Vec::new();
        let mut w = RecordWriter::new(&mut out, Format::Jsonl, Vec::new(), Vec::new()).unwrap();
        w.write(&rec).unwrap();
        w.finish().unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            concat!(
                r#"{"id":"00000000000000000000000000000abc","agency":"Lakemont \"IL\" PD","#,
                r#""networks_searched":12,"license_plate":null,"filters":null,"#,
                r#""redacted":["license_plate"],"flagged":true,"flags":[{"rule":"ice","#,
                r#""strength":"strong","field":"reason","matched":["ICE"],"spans":[[0,3]],"#,
                r#""description":"ICE as a word","note":"check it"}],"verdict":"immigration","#,
                r#""reviews":[{"by":"x"}],"sources":["a.csv:2","b.csv:9"],"columns":{"#,
                r#""Reason":"ICE","Reason (2)":"again","Reason (2) (2)":"third"}}"#,
                "\n"
            )
        );
    }

    /// The column keys kept from one record to the next are made again when the labels change
    /// (same count, another label; another count; a label repeated; back again).
    #[test]
    fn column_keys_follow_each_records_labels() {
        let label_sets: [&[&str]; 6] = [
            &["Reason", "Name"],
            &["Reason", "Org Name"],
            &["Reason"],
            &["Reason", "Reason", "Reason (2)"],
            &["Reason", "Name"],
            &["quote \" and \\", "Name"],
        ];
        let rec = |i: &usize| {
            let labels = label_sets[*i % label_sets.len()];
            OutRecord {
                id: RecordId(*i as u128),
                fields: Vec::new(),
                flags: Vec::new(),
                sources: vec![format!("a.csv:{i}")].into(),
                columns: labels
                    .iter()
                    .enumerate()
                    .map(|(k, l)| (Cow::Borrowed(*l), Cow::Owned(format!("v{i}.{k}"))))
                    .collect(),
                extra: Vec::new(),
            }
        };
        let expect = |i: usize| -> Value {
            let labels = label_sets[i % label_sets.len()];
            let mut cols = serde_json::Map::new();
            for (k, l) in labels.iter().enumerate() {
                let mut key = l.to_string();
                let mut n = 2;
                while cols.contains_key(&key) {
                    key = format!("{l} ({n})");
                    n += 1;
                }
                cols.insert(key, Value::String(format!("v{i}.{k}")));
            }
            Value::Object(cols)
        };
        let items: Vec<usize> = (0..40).collect();
        let mut one = Vec::new();
        let mut w = RecordWriter::new(&mut one, Format::Jsonl, Vec::new(), Vec::new()).unwrap();
        for i in &items {
            w.write(&rec(i)).unwrap();
        }
        w.finish().unwrap();
        let mut all = Vec::new();
        let mut w = RecordWriter::new(&mut all, Format::Jsonl, Vec::new(), Vec::new()).unwrap();
        w.write_all(&(), &items, |_, i| rec(i)).unwrap();
        w.finish().unwrap();
        assert_eq!(one, all);
        let lines: Vec<Value> = one
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect();
        assert_eq!(lines.len(), items.len());
        for (i, v) in lines.iter().enumerate() {
            assert_eq!(v["columns"], expect(i), "record {i}");
        }
    }

    /// Strings made mostly of the bytes JSON escapes, in every length around the word size.
    fn tricky() -> impl Strategy<Value = String> {
        const SPECIAL: &[char] = &[
            '"', '\\', '\n', '\u{0}', '\u{1f}', '\u{7f}', 'é', '𝄞', ' ', 'a',
        ];
        crate::test_strings::strings_of(SPECIAL, 40)
    }

    proptest! {
        #[test]
        fn strings_are_written_as_serde_json_writes_them(s in tricky()) {
            let mut buf = Vec::new();
            json_str(&mut buf, &s).unwrap();
            prop_assert_eq!(String::from_utf8(buf).unwrap(), serde_json::to_string(&s).unwrap());
            let naive = !s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\');
            prop_assert_eq!(plain(s.as_bytes()), naive);
        }

        #[test]
        fn records_are_json_that_reads_back(
            texts in proptest::collection::vec(tricky(), 6),
            n in any::<u64>(),
        ) {
            let rec = OutRecord {
                id: RecordId(u128::from(n) << 64 | 7),
                fields: vec![
                    ("agency", OutValue::Str(Cow::Borrowed(&texts[0]))),
                    ("networks_searched", OutValue::Int(n)),
                    ("license_plate", OutValue::Redacted(Cow::Borrowed(&texts[1]))),
                    ("filters", OutValue::Null),
                ],
                flags: vec![FlagOut {
                    rule: Cow::Borrowed(&texts[2]),
                    strength: "ambiguous",
                    field: "reason",
                    matched: vec![Cow::Borrowed(&texts[3]), Cow::Borrowed(&texts[0])],
                    spans: vec![(0, 3), (5, u32::MAX)].into(),
                    description: Arc::from(texts[4].as_str()),
                    note: None,
                }],
                sources: vec![texts[5].clone()].into(),
                columns: vec![
                    (Cow::Borrowed(&texts[1]), Cow::Borrowed(&texts[2])),
                    (Cow::Borrowed(&texts[1]), Cow::Borrowed(&texts[3])),
                ],
                extra: vec![(texts[4].clone() + "x", serde_json::json!({"k": [texts[0].clone()]}))],
            };
            let mut buf = Vec::new();
            encode_json(&rec, &mut buf, &mut ColumnKeys::default()).unwrap();
            let v: Value = serde_json::from_slice(&buf).unwrap();
            let expect = serde_json::json!({
                "id": rec.id.to_string(),
                "agency": texts[0],
                "networks_searched": n,
                "license_plate": null,
                "filters": null,
                "redacted": ["license_plate"],
                "flagged": true,
                "flags": [{
                    "rule": texts[2], "strength": "ambiguous", "field": "reason",
                    "matched": [texts[3], texts[0]], "spans": [[0, 3], [5, u32::MAX]],
                    "description": texts[4],
                }],
                (texts[4].clone() + "x"): {"k": [texts[0]]},
                "sources": [texts[5]],
                "columns": {texts[1].clone(): texts[2], format!("{} (2)", texts[1]): texts[3]},
            });
            prop_assert_eq!(v, expect);
        }
    }

    /// Records encoded on several threads, a round at a time, come out as one by one.
    #[test]
    fn write_all_writes_what_write_writes() {
        let rec = |i: &usize| OutRecord {
            id: RecordId(*i as u128),
            fields: vec![(
                "reason",
                OutValue::Str(format!("reason \"{i}\", line\ntwo").into()),
            )],
            flags: Vec::new(),
            sources: vec![format!("a.csv:{i}")].into(),
            columns: vec![("Reason".into(), format!("r{i}").into())],
            extra: Vec::new(),
        };
        let columns = || vec!["Reason".to_string(), "Other".to_string()];
        for n in [0, 1, 5, 2048 * 2 + 7, 2048 * 9 + 1] {
            let items: Vec<usize> = (0..n).collect();
            for format in [Format::Jsonl, Format::Json, Format::Csv] {
                let mut one = Vec::new();
                let mut w = RecordWriter::new(&mut one, format, columns(), Vec::new()).unwrap();
                for i in &items {
                    w.write(&rec(i)).unwrap();
                }
                assert_eq!(w.finish().unwrap(), n as u64);
                let mut all = Vec::new();
                let mut w = RecordWriter::new(&mut all, format, columns(), Vec::new()).unwrap();
                w.write(&rec(&n)).unwrap();
                w.write_all(&(), &items, |_, i| rec(i)).unwrap();
                assert_eq!(w.finish().unwrap(), n as u64 + 1);
                let mut expect = Vec::new();
                let mut w = RecordWriter::new(&mut expect, format, columns(), Vec::new()).unwrap();
                w.write(&rec(&n)).unwrap();
                for i in &items {
                    w.write(&rec(i)).unwrap();
                }
                w.finish().unwrap();
                assert_eq!(all, expect, "{n} records as {format:?}");
                // Queued one at a time: written a round at a time, then the rest.
                let mut queued = Vec::new();
                let mut w = RecordWriter::new(&mut queued, format, columns(), Vec::new()).unwrap();
                w.write(&rec(&n)).unwrap();
                let mut q = Queued::default();
                for &i in &items {
                    w.queue(&mut q, i, &(), |_, i| rec(i)).unwrap();
                }
                w.write_queued(&mut q, &(), |_, i| rec(i)).unwrap();
                assert_eq!(w.finish().unwrap(), n as u64 + 1);
                assert_eq!(queued, expect, "{n} records queued as {format:?}");
            }
        }
    }
}
