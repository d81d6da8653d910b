//! The annotation file read as a stream: the top-level object's keys in order, each annotation
//! put into the map as it is read. See [`super::open_streaming`].

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{Annotation, FORMAT_VERSION, FileAgency, SessionState, StoreError};

/// Where the top-level object's parts go.
pub(super) struct TopSeed<'a, H: FnMut(Option<SessionState>, Vec<FileAgency>)> {
    pub map: &'a mut super::Map,
    pub session: &'a mut Option<SessionState>,
    pub agencies: &'a mut Vec<FileAgency>,
    /// Called when the annotations start (with what was read before them).
    pub head: &'a mut H,
    /// Set to a version newer than this build reads.
    pub newer: &'a mut Option<u32>,
}

impl<H: FnMut(Option<SessionState>, Vec<FileAgency>)> TopSeed<'_, H> {
    /// The same places, borrowed again (for a read that may be tried twice).
    pub fn reborrow(&mut self) -> TopSeed<'_, H> {
        TopSeed {
            map: self.map,
            session: self.session,
            agencies: self.agencies,
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

    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<(), A::Error> {
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
                "annotations" => {
                    (self.head)(self.session.clone(), self.agencies.clone());
                    m.next_value_seed(Annotations(&mut *self.map))?;
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
struct Annotations<'a>(&'a mut super::Map);

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

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        while let Some(a) = seq.next_element::<Annotation>()? {
            self.0.insert(a.record_id, std::sync::Arc::new(a));
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
/// in a comma), then `]}`. The head is read by [`TopSeed`] (with an empty array), the annotation
/// lines are parsed on every core, a block of lines at a time, and put into `seed.map` in order.
/// Returns false as soon as the file is laid out any other way or a line does not parse: the
/// caller then empties the map and reads the file as a stream, which says what is wrong and
/// where.
pub(super) fn read_lines<H: FnMut(Option<SessionState>, Vec<FileAgency>)>(
    file: &std::fs::File,
    seed: TopSeed<'_, H>,
) -> Result<bool, serde_json::Error> {
    use std::io::BufRead;
    let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
    let map = seed.map;
    let mut none = imbl::OrdMap::new();
    let head_seed = TopSeed {
        map: &mut none,
        session: seed.session,
        agencies: seed.agencies,
        head: seed.head,
        newer: seed.newer,
    };
    if !read_head(&mut reader, head_seed)? {
        return Ok(false);
    }
    let mut lines: Vec<Vec<u8>> = Vec::with_capacity(LINES);
    let mut spare: Vec<Vec<u8>> = Vec::new();
    // An annotation was read; the last one's line ended in a comma (another must follow); the
    // `]}` was read.
    let (mut any, mut comma, mut ended) = (false, false, false);
    loop {
        spare.append(&mut lines);
        while lines.len() < LINES {
            let mut line = spare.pop().unwrap_or_default();
            line.clear();
            let n = reader
                .read_until(b'\n', &mut line)
                .map_err(serde_json::Error::io)?;
            if n == 0 {
                break;
            }
            lines.push(line);
        }
        if lines.is_empty() {
            return Ok(ended);
        }
        let shares = crate::threads::cores() * crate::threads::SHARES_PER_THREAD;
        let per = lines.len().div_ceil(shares);
        let parsed = crate::threads::ordered(lines.len().div_ceil(per), |i| {
            lines[i * per..((i + 1) * per).min(lines.len())]
                .iter()
                .map(|l| parse_line(l))
                .collect::<Vec<_>>()
        });
        for line in parsed.into_iter().flatten() {
            match line {
                Line::Blank => {}
                Line::Annotation(a, more) if !ended && (comma || !any) => {
                    (any, comma) = (true, more);
                    map.insert(a.record_id, a);
                }
                Line::End if !ended && !comma => ended = true,
                _ => return Ok(false),
            }
        }
    }
}

/// Reads the lines up to `"annotations": [` and gives them, closed with an empty array, to
/// `seed` (the version checked, the session and agencies read, as a stream would). False when
/// there is no such line within [`HEAD_MAX`] bytes.
fn read_head<H: FnMut(Option<SessionState>, Vec<FileAgency>)>(
    reader: &mut impl std::io::BufRead,
    seed: TopSeed<'_, H>,
) -> Result<bool, serde_json::Error> {
    let mut head = Vec::new();
    loop {
        let before = head.len();
        let n = reader
            .read_until(b'\n', &mut head)
            .map_err(serde_json::Error::io)?;
        if n == 0 || head.len() > HEAD_MAX {
            return Ok(false);
        }
        if head[before..]
            .trim_ascii_end()
            .ends_with(b"\"annotations\": [")
        {
            break;
        }
    }
    head.extend_from_slice(b"]}");
    let mut de = serde_json::Deserializer::from_slice(&head);
    seed.deserialize(&mut de)?;
    de.end()?;
    Ok(true)
}

/// The longest head (the lines before the annotations) read on the fast path.
const HEAD_MAX: usize = 64 << 20;
/// Lines parsed in one round.
const LINES: usize = 16_384;

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
