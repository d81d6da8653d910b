//! The annotation store: reviewers' verdicts and notes keyed by record id, saved as versioned
//! JSON through an atomic write on every change.
//!
//! File format (version 1), one annotation a line so diffs stay readable:
//!
//! ```json
//! {"version": 1, "tool": "alpr-triage 0.1.0", "saved_at": "2026-11-22T12:00:00Z", "annotations": [
//! {"record_id": "…", "verdict": "immigration", "note": "…", "reviewer": "ana", "annotated_at": "…",
//!  "query": "flagged:yes agency:dallas", "record": {"agency": "…", "reason": "…",
//!  "search_time": "…", "sources": ["file.csv:12"]}}
//! ]}
//! ```

pub mod lock;
pub mod merge;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::model::RecordId;
pub use crate::model::annotation::{Annotation, FileAgency, RecordSummary, Review, SessionState};

/// The newest annotation-file version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Deserialize)]
struct FileIn {
    version: u32,
    annotations: Vec<Annotation>,
    #[serde(default)]
    session: Option<SessionState>,
    #[serde(default)]
    agencies: Vec<FileAgency>,
}

/// An annotation file's contents.
#[derive(Clone, Debug, Default)]
pub struct Document {
    /// The annotations.
    pub annotations: Vec<Annotation>,
    /// Where the reviewer left off.
    pub session: Option<SessionState>,
    /// Agencies named for files.
    pub agencies: Vec<FileAgency>,
}

/// A problem opening an annotation file. The file is never overwritten after one of these.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Cannot read.
    #[error("{path}: cannot read the annotation file: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Truncated or invalid JSON.
    #[error("{path}: the annotation file is damaged ({message}); it was left untouched. {way_out}")]
    Corrupt {
        /// The file.
        path: String,
        /// The parser's message with line and column.
        message: String,
        /// What to do (restore the backup, where there is one).
        way_out: String,
    },
    /// Valid JSON but not an annotation file.
    #[error(
        "{path}: this is not an alpr-triage annotation file ({message}); it was left untouched. Use --annotations OTHER.json"
    )]
    Foreign {
        /// The file.
        path: String,
        /// What is missing.
        message: String,
    },
    /// The path cannot hold an annotation file.
    #[error("{path}: {message}")]
    Path {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// Written by a newer alpr-triage.
    #[error(
        "{path}: annotation file version {version} is newer than this alpr-triage reads (version {FORMAT_VERSION}); upgrade alpr-triage or use --annotations OTHER.json"
    )]
    NewerVersion {
        /// The file.
        path: String,
        /// Its version.
        version: u32,
    },
}

/// Annotations in memory, and where they are saved.
#[derive(Clone, Debug)]
pub struct Store {
    path: PathBuf,
    map: BTreeMap<RecordId, Annotation>,
    /// Where the reviewer left off (saved with the annotations).
    pub session: Option<SessionState>,
    /// Agencies named for files (saved with the annotations).
    pub agencies: Vec<FileAgency>,
    fail_saves: Option<std::io::ErrorKind>,
}

impl Store {
    /// Opens an annotation file; a missing file is an empty store (created on first save).
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let shown = path.display().to_string();
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Store::empty(path));
            }
            Err(source) => {
                return Err(StoreError::Read {
                    path: shown,
                    source,
                });
            }
        };
        let doc = parse_document(&bytes, &shown)?;
        Ok(Store {
            path: path.to_path_buf(),
            map: doc
                .annotations
                .into_iter()
                .map(|a| (a.record_id, a))
                .collect(),
            session: doc.session,
            agencies: doc.agencies,
            fail_saves: None,
        })
    }

    /// An empty store that saves to `path`.
    pub fn empty(path: &Path) -> Store {
        Store {
            path: path.to_path_buf(),
            map: BTreeMap::new(),
            session: None,
            agencies: Vec::new(),
            fail_saves: None,
        }
    }

    /// Where annotations are saved.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The annotation of a record.
    pub fn get(&self, id: RecordId) -> Option<&Annotation> {
        self.map.get(&id)
    }

    /// Sets (or replaces) an annotation; returns the previous one.
    pub fn set(&mut self, a: Annotation) -> Option<Annotation> {
        self.map.insert(a.record_id, a)
    }

    /// Removes an annotation; returns it.
    pub fn remove(&mut self, id: RecordId) -> Option<Annotation> {
        self.map.remove(&id)
    }

    /// Every annotation, by record id.
    pub fn iter(&self) -> impl Iterator<Item = &Annotation> {
        self.map.values()
    }

    /// Number of annotations.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Writes every annotation to the file: temporary file, fsync, rename. The file on disk is
    /// always either the previous version or this one, never a mix; the previous version is
    /// kept as `FILE.bak`.
    pub fn save(&self) -> std::io::Result<()> {
        if let Some(kind) = self.fail_saves {
            return Err(std::io::Error::new(
                kind,
                format!("simulated failure ({kind})"),
            ));
        }
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::files::create_private_dir(dir)?;
        }
        backup(&self.path)?;
        crate::files::atomic_write(&self.path, |w| {
            write_document(w, self.session.as_ref(), &self.agencies, self.map.values())
        })
    }

    /// Makes every save fail with `kind` (or work again with None). For tests of the failure
    /// paths (full disk, permissions) that cannot be produced for real in a test.
    #[doc(hidden)]
    pub fn simulate_save_failure(&mut self, kind: Option<std::io::ErrorKind>) {
        self.fail_saves = kind;
    }
}

/// The annotation file a path names. A symbolic link is followed to its target, which is then
/// locked and saved (the link stays a link), so that an instance opened through the link and
/// one opened by the target's own path meet the same lock. A link to nothing, a folder or a
/// special file is refused.
pub fn resolve(path: &Path) -> Result<PathBuf, StoreError> {
    let shown = crate::sanitize::path(path);
    let refuse = |message: &str| StoreError::Path {
        path: shown.clone(),
        message: message.to_string(),
    };
    let resolved = match std::fs::symlink_metadata(path) {
        Err(_) => return Ok(path.to_path_buf()),
        Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(path).map_err(|_| {
            refuse("is a symbolic link to nothing (or a loop of links); give the annotation file's own path")
        })?,
        Ok(_) => path.to_path_buf(),
    };
    match std::fs::metadata(&resolved) {
        Ok(m) if m.is_file() => Ok(resolved),
        Ok(m) if m.is_dir() => Err(refuse(
            "is a folder; give an annotation file's name (for example annotations.json)",
        )),
        Ok(_) => Err(refuse(
            "is not a regular file; annotations are saved only in regular files",
        )),
        Err(e) => Err(refuse(&format!("cannot inspect: {e}"))),
    }
}

/// Removes what an interrupted save of `path` left behind (its temporary files and the backup's
/// `FILE.bak.tmp`). Call only while holding the annotation lock. Returns how many were removed.
pub fn remove_leftovers(path: &Path) -> usize {
    let mut bak_tmp = backup_path(path).into_os_string();
    bak_tmp.push(".tmp");
    crate::files::remove_stale_temps(path)
        + usize::from(std::fs::remove_file(PathBuf::from(bak_tmp)).is_ok())
}

/// `FILE.bak` for an annotation file.
pub fn backup_path(path: &Path) -> PathBuf {
    let mut p = path.as_os_str().to_os_string();
    p.push(".bak");
    PathBuf::from(p)
}

/// Keeps the current file as `FILE.bak` (a hard link, moved into place atomically; a copy where
/// links are not possible), owner-only whatever the file's mode was. The annotation file itself
/// is never absent.
fn backup(path: &Path) -> std::io::Result<()> {
    if !path.exists() {
        return Ok(());
    }
    let bak = backup_path(path);
    let mut tmp = bak.as_os_str().to_os_string();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let _ = std::fs::remove_file(&tmp);
    if std::fs::hard_link(path, &tmp).is_err() {
        std::fs::copy(path, &tmp)?;
    }
    // A link shares the file's mode: the file is replaced by an owner-only one right after.
    crate::files::make_private(&tmp)?;
    std::fs::rename(&tmp, &bak)
}

/// Parses annotation-file bytes: the annotations.
pub fn parse(bytes: &[u8], shown: &str) -> Result<Vec<Annotation>, StoreError> {
    parse_document(bytes, shown).map(|d| d.annotations)
}

/// Parses annotation-file bytes: annotations, where the reviewer left off, named agencies.
pub fn parse_document(bytes: &[u8], shown: &str) -> Result<Document, StoreError> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
            path: shown.to_string(),
            message: e.to_string(),
            way_out: if backup_path(Path::new(shown)).is_file() {
                format!("Repair it, restore {shown}.bak (the version before the last save), or use --annotations OTHER.json")
            } else {
                "Repair it, or use --annotations OTHER.json (there is no backup: FILE.bak is kept from the second save on)".into()
            },
        })?;
    let version = value.get("version").and_then(serde_json::Value::as_u64);
    match version {
        None => {
            return Err(StoreError::Foreign {
                path: shown.to_string(),
                message: "no \"version\" and \"annotations\" keys".into(),
            });
        }
        Some(v) if v > u64::from(FORMAT_VERSION) => {
            return Err(StoreError::NewerVersion {
                path: shown.to_string(),
                version: v as u32,
            });
        }
        Some(_) => {}
    }
    let file: FileIn = serde_json::from_value(value).map_err(|e| StoreError::Foreign {
        path: shown.to_string(),
        message: e.to_string(),
    })?;
    let _ = file.version;
    Ok(Document {
        annotations: file.annotations,
        session: file.session,
        agencies: file.agencies,
    })
}

/// Writes the file format: a header line, then one annotation a line.
pub fn write_file<'a>(
    w: &mut dyn Write,
    annotations: impl Iterator<Item = &'a Annotation>,
) -> std::io::Result<()> {
    write_document(w, None, &[], annotations)
}

/// Writes the file format with where the reviewer left off and the agencies named (each on a
/// line of its own, before the annotations).
pub fn write_document<'a>(
    w: &mut dyn Write,
    session: Option<&SessionState>,
    agencies: &[FileAgency],
    annotations: impl Iterator<Item = &'a Annotation>,
) -> std::io::Result<()> {
    write!(
        w,
        "{{\"version\": {FORMAT_VERSION}, \"tool\": \"alpr-triage {}\", \"saved_at\": {},",
        env!("CARGO_PKG_VERSION"),
        serde_json::to_string(&now_rfc3339())?
    )?;
    if let Some(s) = session {
        w.write_all(b"\n\"session\": ")?;
        serde_json::to_writer(&mut *w, s)?;
        w.write_all(b",")?;
    }
    if !agencies.is_empty() {
        w.write_all(b"\n\"agencies\": [")?;
        for (i, a) in agencies.iter().enumerate() {
            w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
            serde_json::to_writer(&mut *w, a)?;
        }
        w.write_all(b"\n],")?;
    }
    w.write_all(b" \"annotations\": [")?;
    let mut first = true;
    for a in annotations {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut *w, a)?;
        first = false;
    }
    w.write_all(b"\n]}\n")
}

/// The current time, RFC 3339 UTC, to the second.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The login name, for `--reviewer`'s default.
pub fn login_name() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| "reviewer".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Verdict;

    fn ann(n: u8, v: Option<Verdict>) -> Annotation {
        Annotation {
            record_id: RecordId::from_key(&[n]),
            verdict: v,
            note: format!("note {n}\nsecond line"),
            reviewer: "ana".into(),
            annotated_at: "2026-11-22T12:00:00Z".into(),
            query: "flagged:yes".into(),
            record: RecordSummary {
                agency: "Dallas TX PD".into(),
                reason: "ICE".into(),
                search_time: Some("2025-01-01T00:00:00Z".into()),
                sources: vec!["a.csv:2".into()],
            },
            reviews: Vec::new(),
            conflict: false,
            adjudicated_by: None,
        }
    }

    #[test]
    fn round_trips_and_is_valid_json() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/annotations.json");
        let mut s = Store::open(&p).unwrap();
        assert!(s.is_empty());
        s.set(ann(1, Some(Verdict::Immigration)));
        s.set(ann(2, None));
        s.save().unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["version"], 1);
        assert_eq!(v["annotations"].as_array().unwrap().len(), 2);
        let again = Store::open(&p).unwrap();
        assert_eq!(
            again.get(RecordId::from_key(&[1])),
            s.get(RecordId::from_key(&[1]))
        );
        assert_eq!(again.len(), 2);
        assert!(text.contains("\"verdict\":\"immigration\""));
    }

    #[test]
    fn refuses_damaged_foreign_and_newer_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.json");
        std::fs::write(&p, "{\"version\": 1, \"annotations\": [").unwrap();
        let e = Store::open(&p).unwrap_err().to_string();
        assert!(
            e.contains("damaged") && e.contains("a.json") && e.contains("--annotations"),
            "{e}"
        );
        assert!(
            !e.contains(".bak (the version"),
            "no backup to suggest: {e}"
        );
        std::fs::write(backup_path(&p), "{}").unwrap();
        let e = Store::open(&p).unwrap_err().to_string();
        assert!(e.contains("restore") && e.contains("a.json.bak"), "{e}");
        std::fs::write(&p, "[1,2,3]").unwrap();
        assert!(
            Store::open(&p)
                .unwrap_err()
                .to_string()
                .contains("not an alpr-triage annotation file")
        );
        std::fs::write(&p, "{\"version\": 7, \"annotations\": []}").unwrap();
        assert!(
            Store::open(&p)
                .unwrap_err()
                .to_string()
                .contains("version 7 is newer")
        );
    }
}
