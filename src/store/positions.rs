//! An annotation file as positions (issue 20): where each record's annotation line is and the
//! record's id, the annotation itself parsed only when it is wanted. `merge` walks several
//! files in record-id order this way, a span of ids at a time, without holding any of them.

use std::path::Path;
use std::sync::Arc;

use super::{Annotation, StoreError, journal};
use crate::model::RecordId;

/// Where a record's annotation is.
#[derive(Clone, Debug)]
pub enum At {
    /// A line of the file: its first byte and length (without the comma after it).
    Line {
        /// Its first byte.
        offset: u64,
        /// Its length.
        len: u32,
    },
    /// Held in memory: from the journal, or from a file not laid out as alpr-triage writes it
    /// (read whole, as [`super::read_document`] reads it).
    Held(Arc<Annotation>),
}

/// An annotation file's records, each with where its annotation is: by record id, one a record
/// (the later of two, the journal's over the file's), none removed. What
/// [`super::read_document`] gives, without the annotations.
#[derive(Debug)]
pub struct Positions {
    file: std::fs::File,
    path: std::path::PathBuf,
    entries: Vec<(RecordId, At)>,
    /// SHA-256 of the file (hex), worked out as it was read.
    pub sha256: String,
    /// The agencies named for files and the profile corrections, journal replayed.
    pub agencies: Vec<super::FileAgency>,
    /// The texts masked or released, journal replayed.
    pub masks: Vec<super::MaskChoice>,
}

impl Positions {
    /// Finds the records of the file at `path` and its journal. A file not laid out as written
    /// is read whole (and judged: a damaged one is refused as [`super::Store::open`] refuses
    /// it). A damaged annotation line is found when it is read ([`Positions::read`]).
    pub fn open(path: &Path) -> Result<Positions, StoreError> {
        let shown = path.display().to_string();
        let read_error = |source| StoreError::Read {
            path: shown.clone(),
            source,
        };
        let mut ops = journal::read(&journal::old_path(path))?;
        ops.extend(journal::read(&journal::path(path))?);
        let file = std::fs::File::open(path).map_err(read_error)?;
        let mut agencies = Vec::new();
        let mut masks = Vec::new();
        let (lines, sha256) = find_lines(&file, &shown, &mut agencies, &mut masks)?;
        let sha256 = match sha256 {
            Some(d) => d,
            None => crate::digest::sha256_file(path).map_err(read_error)?,
        };
        // (id, order given, where; None: removed)
        let mut all: Vec<(RecordId, usize, Option<At>)> = match lines {
            Some(lines) => lines
                .into_iter()
                .map(|(id, offset, len)| (id, Some(At::Line { offset, len })))
                .enumerate()
                .map(|(n, (id, at))| (id, n, at))
                .collect(),
            None => {
                ops.clear();
                let doc = super::read_document(path)?;
                agencies = doc.agencies;
                masks = doc.masks;
                doc.annotations
                    .into_iter()
                    .enumerate()
                    .map(|(n, a)| (a.record_id, n, Some(At::Held(Arc::new(a)))))
                    .collect()
            }
        };
        let base = all.len();
        for (n, op) in ops.into_iter().enumerate() {
            match op {
                journal::Op::Set(a) => {
                    all.push((a.record_id, base + n, Some(At::Held(Arc::new(a)))))
                }
                journal::Op::Remove(id) => all.push((id, base + n, None)),
                journal::Op::Agencies(a) => agencies = a,
                journal::Op::Masks(m) => masks = m,
                journal::Op::Session(_) => {}
            }
        }
        // By id, the last given of each kept.
        all.sort_unstable_by_key(|&(id, n, _)| (id, std::cmp::Reverse(n)));
        all.dedup_by_key(|e| e.0);
        let entries = all
            .into_iter()
            .filter_map(|(id, _, at)| at.map(|at| (id, at)))
            .collect();
        Ok(Positions {
            file,
            path: path.to_path_buf(),
            entries,
            sha256,
            agencies,
            masks,
        })
    }

    /// The records, by id.
    pub fn entries(&self) -> &[(RecordId, At)] {
        &self.entries
    }

    /// How many records.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// No record.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The annotations of `entries` (a span of [`Positions::entries`]), in that order. A line
    /// that is not the annotation of its record (the file damaged, or changed since it was
    /// opened) is refused with what reading the whole file says of it.
    pub fn read(&self, entries: &[(RecordId, At)]) -> Result<Vec<Annotation>, StoreError> {
        use std::os::unix::fs::FileExt;
        let mut out = Vec::with_capacity(entries.len());
        let mut buf = Vec::new();
        let mut i = 0;
        while i < entries.len() {
            let (start, first_len) = match &entries[i].1 {
                At::Held(a) => {
                    out.push((**a).clone());
                    i += 1;
                    continue;
                }
                At::Line { offset, len } => (*offset, *len),
            };
            // A run of lines in file order, close together: read in one go.
            let mut run = vec![(entries[i].0, start, first_len)];
            let mut end = start + u64::from(first_len);
            while let Some((id, At::Line { offset, len })) = entries.get(i + run.len()) {
                let line_end = offset + u64::from(*len);
                if *offset < end || offset - end > GAP || line_end - start > RUN {
                    break;
                }
                end = line_end;
                run.push((*id, *offset, *len));
            }
            buf.resize((end - start) as usize, 0);
            self.file
                .read_exact_at(&mut buf, start)
                .map_err(|source| StoreError::Read {
                    path: self.path.display().to_string(),
                    source,
                })?;
            for &(id, offset, len) in &run {
                let from = (offset - start) as usize;
                match serde_json::from_slice::<Annotation>(&buf[from..from + len as usize]) {
                    Ok(a) if a.record_id == id => out.push(a),
                    _ => return Err(self.damaged()),
                }
            }
            i += run.len();
        }
        Ok(out)
    }

    /// What reading the whole file says is wrong with it.
    fn damaged(&self) -> StoreError {
        match super::read_document(&self.path) {
            Err(e) => e,
            Ok(_) => StoreError::Read {
                path: self.path.display().to_string(),
                source: std::io::Error::other("the file changed while it was read"),
            },
        }
    }
}

/// The most bytes between two lines read in one go.
const GAP: u64 = 64 << 10;
/// The most bytes read in one go.
const RUN: u64 = 8 << 20;

/// An annotation line: its record's id, its first byte and its length.
type LineAt = (RecordId, u64, u32);

/// Each annotation line's record id, first byte and length, in file order, for a file laid out
/// as alpr-triage writes it (see [`super::stream::read_lines`]); None for any other layout.
/// With the file's SHA-256 when it was read to the end.
fn find_lines(
    file: &std::fs::File,
    shown: &str,
    agencies: &mut Vec<super::FileAgency>,
    masks: &mut Vec<super::MaskChoice>,
) -> Result<(Option<Vec<LineAt>>, Option<String>), StoreError> {
    use std::io::BufRead;
    let mut reader = std::io::BufReader::with_capacity(1 << 20, crate::digest::Reading::new(file));
    let mut newer = None;
    let seed = super::stream::TopSeed {
        put: super::Put {
            map: &mut super::Map::new(),
            codes: None,
        },
        session: &mut None,
        agencies,
        masks,
        head: &mut |_, _| {},
        newer: &mut newer,
    };
    let head = super::stream::read_head(&mut reader, seed);
    if let Some(version) = newer {
        return Err(StoreError::NewerVersion {
            path: shown.to_string(),
            version,
        });
    }
    let mut offset = match head {
        Ok(Some(n)) => n as u64,
        Ok(None) | Err(_) => return Ok((None, None)),
    };
    let mut out = Vec::new();
    let (mut comma, mut ended) = (false, false);
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|source| StoreError::Read {
                path: shown.to_string(),
                source,
            })?;
        if n == 0 {
            break;
        }
        let start = offset + line.iter().take_while(|b| b.is_ascii_whitespace()).count() as u64;
        offset += n as u64;
        let t = line.trim_ascii();
        if t.is_empty() {
            continue;
        }
        if ended {
            return Ok((None, None));
        }
        if t == b"]}" {
            if comma {
                return Ok((None, None));
            }
            ended = true;
            continue;
        }
        if !out.is_empty() && !comma {
            return Ok((None, None));
        }
        let (t, more) = match t.strip_suffix(b",") {
            Some(t) => (t, true),
            None => (t, false),
        };
        let Some(id) = line_id(t) else {
            return Ok((None, None));
        };
        let Ok(len) = u32::try_from(t.len()) else {
            return Ok((None, None));
        };
        out.push((id, start, len));
        comma = more;
    }
    Ok((ended.then_some(out), Some(reader.into_inner().hex())))
}

/// The record id of an annotation line: read straight off the start of a line as alpr-triage
/// writes it, else by parsing the line for it alone.
fn line_id(t: &[u8]) -> Option<RecordId> {
    const START: &[u8] = b"{\"record_id\":\"";
    if let Some(rest) = t.strip_prefix(START)
        && rest.get(32) == Some(&b'"')
        && let Ok(id) = std::str::from_utf8(&rest[..32]).ok()?.parse()
    {
        return Some(id);
    }
    #[derive(serde::Deserialize)]
    struct Id {
        record_id: RecordId,
    }
    serde_json::from_slice::<Id>(t).ok().map(|i| i.record_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The digest is the file's; a newer format is refused before anything is read; a file
    /// that is not an annotation file is refused as opening it refuses it.
    #[test]
    fn opening_hashes_the_file_and_refuses_what_the_store_refuses() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.json");
        std::fs::write(
            &p,
            "{\"version\": 1, \"annotations\": [\n{\"record_id\":\"0123456789abcdef0123456789abcdef\",\"verdict\":null,\"reviewer\":\"a\",\"annotated_at\":\"x\",\"record\":{\"agency\":\"\",\"reason\":\"\"}}\n]}\n",
        )
        .unwrap();
        let pos = Positions::open(&p).unwrap();
        assert_eq!(pos.sha256, crate::digest::sha256_file(&p).unwrap());
        assert_eq!(pos.len(), 1);
        assert!(matches!(pos.entries()[0].1, At::Line { .. }));
        assert_eq!(pos.read(pos.entries()).unwrap()[0].reviewer, "a");
        std::fs::write(&p, "{\"version\": 7, \"annotations\": [\n]}\n").unwrap();
        assert!(matches!(
            Positions::open(&p),
            Err(StoreError::NewerVersion { version: 7, .. })
        ));
        std::fs::write(&p, "[1, 2]").unwrap();
        assert_eq!(
            Positions::open(&p).unwrap_err().to_string(),
            super::super::Store::open(&p).unwrap_err().to_string()
        );
    }
}
