//! A record's JSON, written straight into a buffer (see [`encode_json`]).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::io;

use super::record::{FlagOut, OutRecord, OutValue};

/// The JSON object of a record: `id`, the normalised fields, `redacted` (which of them),
/// `flagged`, `flags`, any extra fields, `sources`, and `columns` (keyed by the original labels,
/// named as the CSV header names them, unique without regard to case across the output: see
/// [`ColumnKeys`]).
///
/// The shape is fixed, so it is written straight into the buffer rather than through serde:
/// most strings need no escaping and are copied as they are; the others, and the extra fields'
/// values, are written by serde_json. (Through serde, escaping and the calls around it took
/// two fifths of `flag`'s output time.)
pub(super) fn encode_json(
    rec: &OutRecord,
    buf: &mut Vec<u8>,
    keys: &mut ColumnKeys,
    renames: &Renames,
) -> io::Result<()> {
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
    let keys = keys.of(&rec.columns, renames);
    for ((_, v), key) in rec.columns.iter().zip(keys.keys()) {
        out.extend_from_slice(key);
        json_str(out, v)?;
    }
    out.push(b'}');
    o.close();
    Ok(())
}

/// Original labels and the names they are written under, where the two differ (see
/// [`super::csv::header_names`]).
pub(super) type Renames = HashMap<String, String>;

/// The renames of `original`, the output's labels in first-seen order.
pub(super) fn renames_of(original: &[String]) -> Renames {
    let names = super::csv::header_names(original, &[]);
    original
        .iter()
        .zip(names)
        .filter(|(label, name)| *label != name)
        .map(|(label, name)| (label.clone(), name))
        .collect()
}

/// The JSON keys of a record's original columns, kept from one record to the next: the records
/// of a file share their labels, and the keys are then copied as they are, rather than escaped
/// and made unique again for each record (which took a tenth of the encoding).
#[derive(Debug, Default)]
pub(super) struct ColumnKeys {
    /// The labels the keys were made for.
    labels: Vec<String>,
    /// The keys, written out (`"label":`, the second and later ones after a comma).
    json: Vec<u8>,
    /// Where each key ends in `json`.
    ends: Vec<usize>,
}

impl ColumnKeys {
    /// The keys for `columns`' labels (made again when they are not the last ones). A label is
    /// keyed by its name in `renames` (a label another took earlier in the output, in another
    /// case, as the CSV header renames it: `id_2` after `ID`), else by itself; a key seen in
    /// this record already, in any case (a label the file repeats), becomes `key (2)`, `key (3)`…
    /// (DuckDB refuses struct fields that differ only by case, in one record or across records.)
    fn of(&mut self, columns: &[(Cow<'_, str>, Cow<'_, str>)], renames: &Renames) -> &ColumnKeys {
        let same = self.labels.len() == columns.len()
            && self.labels.iter().zip(columns).all(|(a, (b, _))| a == b);
        if !same {
            self.labels.clear();
            self.json.clear();
            self.ends.clear();
            // Keys taken (lower-cased), and the next number to try for a name: linear in the
            // labels however often a hostile file repeats one.
            let mut taken: HashSet<String> = HashSet::with_capacity(columns.len());
            let mut next: HashMap<&str, usize> = HashMap::new();
            for (k, _) in columns {
                let name = renames.get(k.as_ref()).map_or(k.as_ref(), String::as_str);
                let mut key = Cow::Borrowed(name);
                let n = next.entry(name).or_insert(2);
                while !taken.insert(key.to_lowercase()) {
                    key = Cow::Owned(format!("{name} ({n})"));
                    *n += 1;
                }
                if !self.ends.is_empty() {
                    self.json.push(b',');
                }
                // Writing into memory cannot fail.
                let _ = json_str(&mut self.json, &key);
                self.json.push(b':');
                self.ends.push(self.json.len());
                self.labels.push(k.to_string());
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
pub(super) fn json_str(buf: &mut Vec<u8>, s: impl AsRef<str>) -> io::Result<()> {
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
pub(super) fn plain(b: &[u8]) -> bool {
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
