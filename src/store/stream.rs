//! The annotation file read as a stream: the top-level object's keys in order, each annotation
//! put into the map as it is read. See [`super::open_streaming`].

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{Annotation, FORMAT_VERSION, FileAgency, SessionState, StoreError};

/// Where the top-level object's parts go.
pub(super) struct TopSeed<'a, H: FnMut(Option<SessionState>, Vec<FileAgency>)> {
    pub put: super::Put<'a>,
    pub session: &'a mut Option<SessionState>,
    pub agencies: &'a mut Vec<FileAgency>,
    pub masks: &'a mut Vec<super::MaskChoice>,
    /// Called when the annotations start (with what was read before them).
    pub head: &'a mut H,
    /// Set to a version newer than this build reads.
    pub newer: &'a mut Option<u32>,
}

impl<H: FnMut(Option<SessionState>, Vec<FileAgency>)> TopSeed<'_, H> {
    /// The same places, borrowed again (for a read that may be tried twice).
    pub fn reborrow(&mut self) -> TopSeed<'_, H> {
        TopSeed {
            put: self.put.reborrow(),
            session: self.session,
            agencies: self.agencies,
            masks: self.masks,
            head: self.head,
            newer: self.newer,
        }
    }
}

impl<'de, H: FnMut(Option<SessionState>, Vec<FileAgency>)> DeserializeSeed<'de> for TopSeed<'_, H> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, H: FnMut(Option<SessionState>, Vec<FileAgency>)> Visitor<'de> for TopSeed<'_, H> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(
            "an alpr-triage annotation file (an object with \"version\" and \"annotations\")",
        )
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut m: A) -> Result<(), A::Error> {
        use serde::de::Error;
        let mut version = None;
        let mut annotations = false;
        while let Some(key) = m.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "version" => {
                    let v: u64 = m.next_value()?;
                    if v > u64::from(FORMAT_VERSION) {
                        *self.newer = Some(v as u32);
                        return Err(A::Error::custom("newer version"));
                    }
                    version = Some(v);
                }
                "session" => *self.session = m.next_value()?,
                "agencies" => *self.agencies = m.next_value()?,
                "masks" => *self.masks = m.next_value()?,
                "annotations" => {
                    (self.head)(self.session.clone(), self.agencies.clone());
                    m.next_value_seed(Annotations(self.put.reborrow()))?;
                    annotations = true;
                }
                _ => {
                    m.next_value::<IgnoredAny>()?;
                }
            }
        }
        if version.is_none() || !annotations {
            return Err(A::Error::custom("no \"version\" and \"annotations\" keys"));
        }
        Ok(())
    }
}

/// The annotations array, each put into the map (a record given twice keeps the later).
struct Annotations<'a>(super::Put<'a>);

impl<'de> DeserializeSeed<'de> for Annotations<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Annotations<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of annotations")
    }

    fn visit_seq<S: SeqAccess<'de>>(mut self, mut seq: S) -> Result<(), S::Error> {
        while let Some(a) = seq.next_element::<Annotation>()? {
            self.0.put(std::sync::Arc::new(a));
        }
        Ok(())
    }
}

/// A reading error as the store reports it: damaged JSON, or JSON that is not an annotation
/// file.
pub(super) fn error(e: &serde_json::Error, shown: &str) -> StoreError {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => StoreError::Corrupt {
            path: shown.to_string(),
            message: e.to_string(),
            way_out: super::way_out(shown),
        },
        Category::Data => StoreError::Foreign {
            path: shown.to_string(),
            message: e.to_string(),
        },
    }
}

/// The fast way through a file laid out as alpr-triage writes it: the top-level keys on the
/// first lines, up to `"annotations": [`, then one annotation a line (each but the last ending
/// in a comma), then `]}`. The head is read by [`TopSeed`] (with an empty array); the rest is
/// read in blocks of whole lines, each block's lines parsed on every core while another thread
/// puts the block before into the map (a block at a time, in record-id order; a record given
/// twice is still put later).
/// Returns false as soon as the file is laid out any other way or a line does not parse: the
/// caller then empties the map and reads the file as a stream, which says what is wrong and
/// where.
pub(super) fn read_lines<H: FnMut(Option<SessionState>, Vec<FileAgency>)>(
    file: &std::fs::File,
    seed: TopSeed<'_, H>,
) -> Result<bool, serde_json::Error> {
    use std::sync::atomic::{AtomicBool, Ordering};
    let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
    let mut put = seed.put;
    let mut none = imbl::OrdMap::new();
    let head_seed = TopSeed {
        put: super::Put {
            map: &mut none,
            codes: None,
        },
        session: seed.session,
        agencies: seed.agencies,
        masks: seed.masks,
        head: seed.head,
        newer: seed.newer,
    };
    if read_head(&mut reader, head_seed)?.is_none() {
        return Ok(false);
    }
    let refused = AtomicBool::new(false);
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Vec<Line>>>(1);
        let refused = &refused;
        let putter = s.spawn(move || {
            let mut order = Order::default();
            let mut batch = Vec::new();
            for block in rx {
                for line in block.into_iter().flatten() {
                    match order.take(line) {
                        Ok(Some(a)) => batch.push(a),
                        Ok(None) => {}
                        Err(()) => {
                            refused.store(true, Ordering::Relaxed);
                            return false;
                        }
                    }
                }
                // Put in id order (a record given twice: the later still put later): each
                // goes down the tree beside the one before.
                batch.sort_by_key(|a| a.record_id);
                for a in batch.drain(..) {
                    put.put(a);
                }
            }
            order.ended
        });
        let mut block: Vec<u8> = Vec::with_capacity(BLOCK + (64 << 10));
        loop {
            if refused.load(Ordering::Relaxed) {
                break;
            }
            let Some(cut) = fill(&mut reader, &mut block).map_err(serde_json::Error::io)? else {
                return Ok(false);
            };
            if block.is_empty() {
                break;
            }
            let whole = &block[..cut];
            let shares = crate::threads::cores() * crate::threads::SHARES_PER_THREAD;
            let bounds = line_bounds(whole, shares);
            let parsed = crate::threads::ordered(bounds.len() - 1, |i| {
                whole[bounds[i]..bounds[i + 1]]
                    .split(|&b| b == b'\n')
                    .map(parse_line)
                    .collect::<Vec<_>>()
            });
            if tx.send(parsed).is_err() {
                break;
            }
            block.drain(..cut);
        }
        drop(tx);
        Ok(putter
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    })
}

/// Reads onto `block` until it holds [`BLOCK`] bytes and a line end, or the file ends. Returns
/// where the whole lines end (all of it at the end of the file), or None when a line is longer
/// than [`LINE_MAX`] (left to the streaming read).
fn fill(reader: &mut impl std::io::Read, block: &mut Vec<u8>) -> std::io::Result<Option<usize>> {
    use std::io::Read;
    loop {
        let want = BLOCK.saturating_sub(block.len()).max(64 << 10);
        let n = reader.by_ref().take(want as u64).read_to_end(block)?;
        if n == 0 {
            return Ok(Some(block.len()));
        }
        if block.len() >= BLOCK {
            match memchr::memrchr(b'\n', block) {
                Some(i) => return Ok(Some(i + 1)),
                None if block.len() > LINE_MAX => return Ok(None),
                None => {}
            }
        }
    }
}

/// Where `shares` pieces of `text` start, each at the start of a line, and its end.
fn line_bounds(text: &[u8], shares: usize) -> Vec<usize> {
    let per = text.len().div_ceil(shares.max(1)).max(1);
    let mut bounds = vec![0];
    let mut at = 0;
    while at < text.len() {
        let next = match memchr::memchr(b'\n', &text[(at + per).min(text.len())..]) {
            Some(i) => (at + per + i + 1).min(text.len()),
            None => text.len(),
        };
        bounds.push(next);
        at = next;
    }
    if bounds.len() == 1 {
        bounds.push(0);
    }
    bounds
}

/// The order of the lines after the head: annotations, each but the last ending in a comma,
/// then `]}`, then nothing but blank lines.
#[derive(Default)]
struct Order {
    /// An annotation was read.
    any: bool,
    /// The last one's line ended in a comma (another must follow).
    comma: bool,
    /// The `]}` was read.
    ended: bool,
}

impl Order {
    /// Takes the next line: its annotation, if it is one; an error when it is out of order.
    fn take(&mut self, line: Line) -> Result<Option<std::sync::Arc<Annotation>>, ()> {
        match line {
            Line::Blank => {}
            Line::Annotation(a, more) if !self.ended && (self.comma || !self.any) => {
                (self.any, self.comma) = (true, more);
                return Ok(Some(a));
            }
            Line::End if !self.ended && !self.comma => self.ended = true,
            _ => return Err(()),
        }
        Ok(None)
    }
}

/// Reads the lines up to `"annotations": [` and gives them, closed with an empty array, to
/// `seed` (the version checked, the session and agencies read, as a stream would). Returns how
/// many bytes they take; None when there is no such line within [`HEAD_MAX`] bytes.
pub(super) fn read_head<H: FnMut(Option<SessionState>, Vec<FileAgency>)>(
    reader: &mut impl std::io::BufRead,
    seed: TopSeed<'_, H>,
) -> Result<Option<usize>, serde_json::Error> {
    let mut head = Vec::new();
    loop {
        let before = head.len();
        let n = reader
            .read_until(b'\n', &mut head)
            .map_err(serde_json::Error::io)?;
        if n == 0 || head.len() > HEAD_MAX {
            return Ok(None);
        }
        if head[before..]
            .trim_ascii_end()
            .ends_with(b"\"annotations\": [")
        {
            break;
        }
    }
    let len = head.len();
    head.extend_from_slice(b"]}");
    let mut de = serde_json::Deserializer::from_slice(&head);
    seed.deserialize(&mut de)?;
    de.end()?;
    Ok(Some(len))
}

/// The longest head (the lines before the annotations) read on the fast path.
const HEAD_MAX: usize = 64 << 20;
/// Bytes of whole lines parsed in one round.
const BLOCK: usize = 4 << 20;
/// The longest annotation line read on the fast path.
const LINE_MAX: usize = 64 << 20;

/// One line after the head.
enum Line {
    Blank,
    /// An annotation, and whether its line ends in a comma.
    Annotation(std::sync::Arc<Annotation>, bool),
    /// `]}`: the end of the array and of the file's object.
    End,
    /// Anything else.
    Other,
}

fn parse_line(line: &[u8]) -> Line {
    let t = line.trim_ascii();
    if t.is_empty() {
        return Line::Blank;
    }
    if t == b"]}" {
        return Line::End;
    }
    let (t, comma) = match t.strip_suffix(b",") {
        Some(t) => (t, true),
        None => (t, false),
    };
    match serde_json::from_slice::<Annotation>(t) {
        Ok(a) => Line::Annotation(std::sync::Arc::new(a), comma),
        Err(_) => Line::Other,
    }
}
