//! The write-ahead journal of a large annotation file: `FILE.journal`, NDJSON, beside it.
//!
//! Rewriting a file of a million annotations costs a second; appending one line costs a
//! millisecond. So once a file holds [`JOURNAL_FROM`] annotations, a save appends the changes
//! since the last one to the journal, one JSON object a line, in one write followed by an
//! fsync, and only then says "saved". The JSON snapshot (`FILE`) is rewritten from time to time
//! in the background ([`COMPACT_LINES`] lines or [`COMPACT_BYTES`] bytes of journal) and when
//! the review UI quits; the journal is then cleared.
//!
//! Format (version 1), for any tool that reads annotation files:
//!
//! ```text
//! {"alpr_triage_journal": 1}                      first line
//! {"set": {annotation, as in the snapshot}}         a record's annotation, whole
//! {"remove": "record id"}                           a record's annotation removed
//! {"session": {where the reviewer left off}}
//! {"agencies": [agencies named for files]}
//! {"masks": [texts masked or released in what is published]}
//! ```
//!
//! Every line states a value, not a difference, so replaying lines twice gives the same state:
//! the annotations are the snapshot's, then `FILE.journal.old`'s lines (a journal being
//! compacted), then `FILE.journal`'s, in order. A last line without its line feed was cut by a
//! crash before its fsync, so it was never reported saved, and is ignored.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Annotation, FileAgency, SessionState, StoreError};
use crate::model::RecordId;

/// Files with at least this many annotations are saved through the journal (below it a save
/// rewrites the snapshot: a few milliseconds).
pub const JOURNAL_FROM: usize = 2_000;
/// The journal is compacted into the snapshot after this many lines…
pub const COMPACT_LINES: u64 = 20_000;
/// …or this many bytes.
pub const COMPACT_BYTES: u64 = 16 << 20;
/// The journal format this build writes and reads.
pub const JOURNAL_VERSION: u32 = 1;

/// One line of the journal.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// A record's annotation, whole.
    Set(Annotation),
    /// A record's annotation removed.
    Remove(RecordId),
    /// Where the reviewer left off.
    Session(SessionState),
    /// The agencies named for files.
    Agencies(Vec<FileAgency>),
    /// The texts masked or released in what is published.
    Masks(Vec<super::MaskChoice>),
}

#[derive(Deserialize)]
struct Header {
    alpr_triage_journal: u32,
}

/// `FILE.journal`.
pub fn path(annotations: &Path) -> PathBuf {
    suffixed(annotations, ".journal")
}

/// `FILE.journal.old`: a journal whose lines are being compacted into the snapshot.
pub fn old_path(annotations: &Path) -> PathBuf {
    suffixed(annotations, ".journal.old")
}

fn suffixed(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

/// The lines of a journal file, in order (none when there is no file).
pub fn read(path: &Path) -> Result<Vec<Op>, StoreError> {
    let shown = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(StoreError::Read {
                path: shown,
                source,
            });
        }
    };
    let corrupt = |line: usize, message: String| {
        StoreError::Corrupt {
        path: shown.clone(),
        message: format!("line {line}: {message}"),
        way_out: "Repair or remove the damaged line (every line before it is intact), or use --annotations OTHER.json".into(),
    }
    };
    let mut ops = Vec::new();
    let mut lines = bytes.split_inclusive(|&b| b == b'\n').enumerate();
    match lines.next() {
        None => return Ok(ops),
        Some((_, first)) => {
            if !first.ends_with(b"\n") {
                return Ok(ops);
            }
            let h: Header = serde_json::from_slice(first).map_err(|_| StoreError::Foreign {
                path: shown.clone(),
                message: "its first line is not {\"alpr_triage_journal\": 1}".into(),
            })?;
            if h.alpr_triage_journal > JOURNAL_VERSION {
                return Err(StoreError::NewerVersion {
                    path: shown.clone(),
                    version: h.alpr_triage_journal,
                });
            }
        }
    }
    for (i, line) in lines {
        if !line.ends_with(b"\n") {
            // Cut by a crash before its fsync: never reported saved.
            break;
        }
        if line.trim_ascii().is_empty() {
            continue;
        }
        let op = serde_json::from_slice::<Op>(line).map_err(|e| corrupt(i + 1, e.to_string()))?;
        ops.push(op);
    }
    Ok(ops)
}

/// An open journal, appended to.
#[derive(Debug)]
pub struct Writer {
    file: File,
    /// Lines written (the header included).
    pub lines: u64,
    /// Bytes written.
    pub bytes: u64,
}

impl Writer {
    /// Opens `path` for appending, owner-only, writing the header line to a new file. A last
    /// line cut by a crash (never reported saved) is cut off first.
    pub fn open(path: &Path) -> io::Result<Writer> {
        let mut o = OpenOptions::new();
        o.create(true).append(true).read(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
        let file = o.open(path)?;
        let old = std::fs::read(path)?;
        let whole = old.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        if whole < old.len() {
            file.set_len(whole as u64)?;
        }
        let mut w = Writer {
            file,
            lines: memchr::memchr_iter(b'\n', &old[..whole]).count() as u64,
            bytes: whole as u64,
        };
        if whole == 0 {
            let head = format!("{{\"alpr_triage_journal\": {JOURNAL_VERSION}}}\n");
            w.file.write_all(head.as_bytes())?;
            w.bytes = head.len() as u64;
            w.lines = 1;
        }
        w.file.sync_all()?;
        crate::files::sync_dir(crate::files::parent_dir(path));
        Ok(w)
    }

    /// Appends lines in one write, then fsyncs: when this returns Ok, they are on disk.
    pub fn append(&mut self, ops: &[Op]) -> io::Result<()> {
        if ops.is_empty() {
            return Ok(());
        }
        let mut buf = Vec::with_capacity(256 * ops.len());
        for op in ops {
            serde_json::to_writer(&mut buf, op)?;
            buf.push(b'\n');
        }
        self.file.write_all(&buf)?;
        self.file.sync_data()?;
        self.lines += ops.len() as u64;
        self.bytes += buf.len() as u64;
        Ok(())
    }

    /// Time to compact: `lines` lines (normally [`COMPACT_LINES`]) or [`COMPACT_BYTES`] bytes.
    pub fn is_full(&self, lines: u64) -> bool {
        self.lines >= lines || self.bytes >= COMPACT_BYTES
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_last_line_is_ignored_and_a_damaged_line_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.json.journal");
        let mut w = Writer::open(&p).unwrap();
        w.append(&[Op::Remove(RecordId::from_key(b"x"))]).unwrap();
        drop(w);
        let mut bytes = std::fs::read(&p).unwrap();
        bytes.extend_from_slice(b"{\"remove\": \"ab");
        std::fs::write(&p, &bytes).unwrap();
        assert_eq!(read(&p).unwrap().len(), 1, "the cut line is not read");
        // Opening again cuts the cut line off; appending goes on after the whole ones.
        let mut w = Writer::open(&p).unwrap();
        w.append(&[Op::Remove(RecordId::from_key(b"y"))]).unwrap();
        assert_eq!(read(&p).unwrap().len(), 2);
        assert_eq!(w.lines, 3);
        // A damaged line that is not the last is refused, naming it.
        let mut bytes = std::fs::read(&p).unwrap();
        bytes.extend_from_slice(b"{\"remove\": 7}\n{\"remove\": \"00\"}\n");
        std::fs::write(&p, &bytes).unwrap();
        let e = read(&p).unwrap_err().to_string();
        assert!(e.contains("line 4") && e.contains("a.json.journal"), "{e}");
        std::fs::write(&p, "{\"alpr_triage_journal\": 9}\n").unwrap();
        assert!(read(&p).unwrap_err().to_string().contains("version 9"));
        std::fs::write(&p, "[]\n").unwrap();
        assert!(read(&p).unwrap_err().to_string().contains("first line"));
    }

    #[cfg(unix)]
    #[test]
    fn the_journal_is_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.json.journal");
        Writer::open(&p).unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
