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
//!
//! A file of [`journal::JOURNAL_FROM`] annotations or more is saved through a write-ahead
//! journal beside it (`FILE.journal`, see [`journal`]): a save appends the changes, and the
//! snapshot is rewritten in the background and on quit. [`Store::open`] and [`read_document`]
//! read the snapshot and replay the journal, so every reader sees every saved change.

pub mod journal;
pub mod lock;
pub mod merge;
pub mod positions;
mod stream;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::model::RecordId;
pub use crate::model::annotation::{
    Annotation, FileAgency, MaskChoice, RecordSummary, Review, SessionState,
};

/// The newest annotation-file version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// An annotation file's contents.
#[derive(Clone, Debug, Default)]
pub struct Document {
    /// The annotations.
    pub annotations: Vec<Annotation>,
    /// Where the reviewer left off.
    pub session: Option<SessionState>,
    /// Agencies named for files.
    pub agencies: Vec<FileAgency>,
    /// Texts a reviewer chose to mask or release in what is published.
    pub masks: Vec<MaskChoice>,
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

/// Annotations by record id. Each is boxed (shared): the tree's nodes then hold 24 bytes an
/// entry rather than the whole annotation, which matters because nodes filled in id order (as a
/// file is read) stay about half full.
pub(crate) type Map = imbl::OrdMap<RecordId, Arc<Annotation>>;

/// An annotation out of its box (copied only if the box is shared, with a snapshot being
/// written).
fn unboxed(a: Arc<Annotation>) -> Annotation {
    Arc::try_unwrap(a).unwrap_or_else(|a| (*a).clone())
}

/// Annotations in memory, and where they are saved.
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    /// A persistent map: cloning it for a background save or an export costs nothing.
    map: Map,
    /// Where the reviewer left off (saved with the annotations).
    pub session: Option<SessionState>,
    /// Agencies named for files (saved with the annotations).
    pub agencies: Vec<FileAgency>,
    /// Texts masked or released in what is published (saved with the annotations).
    pub masks: Vec<MaskChoice>,
    fail_saves: Option<std::io::ErrorKind>,
    /// Records set or removed since the last save.
    changed: Vec<RecordId>,
    /// The session and agencies as last saved.
    saved_session: Option<SessionState>,
    saved_agencies: Vec<FileAgency>,
    saved_masks: Vec<MaskChoice>,
    /// Saves go through the journal (the file is large, or a journal was found at open).
    journaling: bool,
    journal: Option<journal::Writer>,
    /// A snapshot being written in the background.
    compaction: Option<std::thread::JoinHandle<std::io::Result<()>>>,
    /// Why the last background snapshot failed (the journal still holds every change).
    pub compaction_error: Option<String>,
    /// [`journal::JOURNAL_FROM`] and [`journal::COMPACT_LINES`] (tests lower them).
    limits: (usize, u64),
    /// A stand-in while the file is read on another thread: it refuses to save.
    placeholder: bool,
}

impl Clone for Store {
    /// A copy for reading (an export): it shares the annotations and never writes a journal.
    fn clone(&self) -> Store {
        Store {
            path: self.path.clone(),
            map: self.map.clone(),
            session: self.session.clone(),
            agencies: self.agencies.clone(),
            masks: self.masks.clone(),
            fail_saves: self.fail_saves,
            changed: Vec::new(),
            saved_session: self.saved_session.clone(),
            saved_agencies: self.saved_agencies.clone(),
            saved_masks: self.saved_masks.clone(),
            journaling: false,
            journal: None,
            compaction: None,
            compaction_error: None,
            limits: self.limits,
            placeholder: self.placeholder,
        }
    }
}

impl Store {
    /// Opens an annotation file, replaying its journal; a missing file is an empty store
    /// (created on first save). The review UI may be moving its journal aside or replacing the
    /// snapshot while another process (an export) opens the file: when any of the three files
    /// was replaced during the reading, it is read again.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let files = [
            path.to_path_buf(),
            journal::old_path(path),
            journal::path(path),
        ];
        let identity = || {
            files
                .iter()
                .map(|f| std::fs::metadata(f).ok().map(|m| file_identity(&m)))
                .collect::<Vec<_>>()
        };
        let mut tries = 0;
        loop {
            let before = identity();
            let store = open_streaming(path, |_, _| {})?;
            tries += 1;
            if identity() == before || tries == 5 {
                return Ok(store);
            }
        }
    }

    /// An empty store that saves to `path`.
    pub fn empty(path: &Path) -> Store {
        Store {
            path: path.to_path_buf(),
            map: imbl::OrdMap::new(),
            session: None,
            agencies: Vec::new(),
            masks: Vec::new(),
            fail_saves: None,
            changed: Vec::new(),
            saved_session: None,
            saved_agencies: Vec::new(),
            saved_masks: Vec::new(),
            journaling: false,
            journal: None,
            compaction: None,
            compaction_error: None,
            limits: (journal::JOURNAL_FROM, journal::COMPACT_LINES),
            placeholder: false,
        }
    }

    /// A stand-in for the file at `path` while it is read on another thread: where the reviewer
    /// left off and the agencies named, no annotations; every save is refused (saving it would
    /// replace the file with nothing).
    pub fn placeholder(
        path: &Path,
        session: Option<SessionState>,
        agencies: Vec<FileAgency>,
    ) -> Store {
        let mut s = Store::empty(path);
        s.session = session.clone();
        s.saved_session = session;
        s.saved_agencies = agencies.clone();
        s.agencies = agencies;
        s.placeholder = true;
        s
    }

    /// True for a [`Store::placeholder`].
    pub fn is_placeholder(&self) -> bool {
        self.placeholder
    }

    /// Lowers the size from which saves go through the journal, and the journal lines that
    /// start a background snapshot (tests, which cannot afford 20,000 fsyncs).
    #[doc(hidden)]
    pub fn set_journal_limits(&mut self, from: usize, lines: u64) {
        self.limits = (from, lines);
        self.journaling |= self.map.len() >= from;
    }

    /// Saves go through the journal.
    pub fn is_journaling(&self) -> bool {
        self.journaling
    }

    /// Where annotations are saved.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The annotation of a record.
    pub fn get(&self, id: RecordId) -> Option<&Annotation> {
        self.map.get(&id).map(|a| &**a)
    }

    /// Sets (or replaces) an annotation; returns the previous one.
    pub fn set(&mut self, a: Annotation) -> Option<Annotation> {
        self.changed.push(a.record_id);
        self.map.insert(a.record_id, Arc::new(a)).map(unboxed)
    }

    /// Removes an annotation; returns it.
    pub fn remove(&mut self, id: RecordId) -> Option<Annotation> {
        self.changed.push(id);
        self.map.remove(&id).map(unboxed)
    }

    /// Every annotation, by record id.
    pub fn iter(&self) -> impl Iterator<Item = &Annotation> {
        self.map.values().map(|a| &**a)
    }

    /// Number of annotations.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Saves the changes since the last save. A small file is rewritten whole: temporary file,
    /// fsync, rename, the previous version kept as `FILE.bak`; the file on disk is always
    /// either the previous version or this one. A large one gets the changes appended to its
    /// journal and fsync'd (a millisecond or two at any size), and its snapshot rewritten in the
    /// background now and then. When this returns Ok, every change is on disk.
    pub fn save(&mut self) -> std::io::Result<()> {
        self.may_save()?;
        self.poll_compaction();
        if !self.journaling && self.map.len() < self.limits.0 {
            self.write_snapshot()?;
            self.mark_saved();
            return Ok(());
        }
        self.journaling = true;
        let ops = self.pending_ops();
        if self.journal.is_none() {
            if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
                crate::files::create_private_dir(dir)?;
            }
            self.journal = Some(journal::Writer::open(&journal::path(&self.path))?);
        }
        let w = self.journal.as_mut().expect("opened above");
        w.append(&ops)?;
        let full = w.is_full(self.limits.1);
        self.mark_saved();
        if full && self.compaction.is_none() {
            self.start_compaction();
        }
        Ok(())
    }

    /// Refuses a save while the file is still being read (a placeholder store), or when a
    /// test asked saves to fail.
    fn may_save(&self) -> std::io::Result<()> {
        if self.placeholder {
            return Err(std::io::Error::other(
                "the annotation file is still being read; nothing is saved until it is in",
            ));
        }
        if let Some(kind) = self.fail_saves {
            return Err(std::io::Error::new(
                kind,
                format!("simulated failure ({kind})"),
            ));
        }
        Ok(())
    }

    /// Everything in memory is on disk now.
    fn mark_saved(&mut self) {
        self.changed.clear();
        self.saved_session = self.session.clone();
        self.saved_agencies = self.agencies.clone();
        self.saved_masks = self.masks.clone();
    }

    /// The journal lines for the changes since the last save.
    fn pending_ops(&mut self) -> Vec<journal::Op> {
        let mut ids = std::mem::take(&mut self.changed);
        ids.sort_unstable();
        ids.dedup();
        let mut ops: Vec<journal::Op> = ids
            .into_iter()
            .map(|id| match self.map.get(&id) {
                Some(a) => journal::Op::Set((**a).clone()),
                None => journal::Op::Remove(id),
            })
            .collect();
        if self.session != self.saved_session
            && let Some(s) = &self.session
        {
            ops.push(journal::Op::Session(s.clone()));
        }
        if self.agencies != self.saved_agencies {
            ops.push(journal::Op::Agencies(self.agencies.clone()));
        }
        if self.masks != self.saved_masks {
            ops.push(journal::Op::Masks(self.masks.clone()));
        }
        ops
    }

    /// Rewrites the snapshot on this thread.
    fn write_snapshot(&self) -> std::io::Result<()> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::files::create_private_dir(dir)?;
        }
        snapshot(
            &self.path,
            self.session.as_ref(),
            &self.agencies,
            &self.masks,
            self.map.values().map(|a| &**a),
        )
    }

    /// Moves the journal aside (`FILE.journal.old`) and writes a snapshot of the annotations as
    /// they are now on another thread, which then removes the old journal. Saves meanwhile go
    /// to a new journal. (When an earlier snapshot failed, its old journal is still there: the
    /// journal is not moved, and the snapshot, which holds its changes too, removes the old.)
    fn start_compaction(&mut self) {
        let jp = journal::path(&self.path);
        let old = journal::old_path(&self.path);
        if !old.exists() && std::fs::rename(&jp, &old).is_ok() {
            self.journal = None;
            crate::files::sync_dir(crate::files::parent_dir(&self.path));
        }
        let (path, session, agencies, masks, map) = (
            self.path.clone(),
            self.session.clone(),
            self.agencies.clone(),
            self.masks.clone(),
            self.map.clone(),
        );
        self.compaction = Some(std::thread::spawn(move || {
            snapshot(
                &path,
                session.as_ref(),
                &agencies,
                &masks,
                map.values().map(|a| &**a),
            )?;
            match std::fs::remove_file(&old) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
            crate::files::sync_dir(crate::files::parent_dir(&path));
            Ok(())
        }));
    }

    /// Notes how a finished background snapshot went.
    fn poll_compaction(&mut self) {
        if self.compaction.as_ref().is_some_and(|h| h.is_finished()) {
            self.wait_compaction();
        }
    }

    fn wait_compaction(&mut self) {
        if let Some(h) = self.compaction.take() {
            self.compaction_error = match h.join() {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(e.to_string()),
                Err(_) => Some("the background save stopped unexpectedly".into()),
            };
        }
    }

    /// Folds the journal into the snapshot and removes it (the review UI calls this when it
    /// quits): afterwards the JSON file alone holds every annotation. Nothing to do for a file
    /// saved without a journal.
    pub fn compact(&mut self) -> std::io::Result<()> {
        self.wait_compaction();
        if !self.journaling || self.placeholder {
            return Ok(());
        }
        if !self.changed.is_empty()
            || self.session != self.saved_session
            || self.agencies != self.saved_agencies
            || self.masks != self.saved_masks
        {
            self.save()?;
            self.wait_compaction();
        }
        self.save_whole()
    }

    /// Writes every annotation to the file, whatever its size, and removes any journal beside
    /// it (`merge` writes its output so, and [`Store::compact`] ends so).
    pub fn save_whole(&mut self) -> std::io::Result<()> {
        self.may_save()?;
        self.wait_compaction();
        self.write_snapshot()?;
        self.mark_saved();
        self.journal = None;
        remove_journals(&self.path)
    }

    /// Makes every save fail with `kind` (or work again with None). For tests of the failure
    /// paths (full disk, permissions) that cannot be produced for real in a test.
    #[doc(hidden)]
    pub fn simulate_save_failure(&mut self, kind: Option<std::io::ErrorKind>) {
        self.fail_saves = kind;
    }
}

/// Writes a snapshot: the previous file kept as `FILE.bak`, then an atomic replace.
fn snapshot<'a>(
    path: &Path,
    session: Option<&SessionState>,
    agencies: &[FileAgency],
    masks: &[MaskChoice],
    annotations: impl Iterator<Item = &'a Annotation>,
) -> std::io::Result<()> {
    backup(path)?;
    crate::files::atomic_write(path, |w| {
        write_document(w, session, agencies, masks, annotations)
    })
}

/// Replaces an annotation file with `annotations` (in record-id order), its previous version
/// kept as `FILE.bak`, and removes any journal beside it: what `merge` writes.
pub fn replace_file<'a>(
    path: &Path,
    annotations: impl Iterator<Item = &'a Annotation>,
) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::files::create_private_dir(dir)?;
    }
    snapshot(path, None, &[], &[], annotations)?;
    remove_journals(path)
}

fn remove_journals(path: &Path) -> std::io::Result<()> {
    for p in [journal::old_path(path), journal::path(path)] {
        match std::fs::remove_file(&p) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    crate::files::sync_dir(crate::files::parent_dir(path));
    Ok(())
}

/// Opens an annotation file as [`Store::open`] does, reading its annotations one by one (no
/// copy of the file's text is kept). `head` is called with where the reviewer left off and the
/// agencies named as soon as they are read: they come first in the files alpr-triage writes, so
/// a caller on another thread can go on (start reading the inputs) long before the
/// annotations are in.
pub fn open_streaming(
    path: &Path,
    head: impl FnOnce(Option<SessionState>, Vec<FileAgency>),
) -> Result<Store, StoreError> {
    open_noting(path, head, None)
}

/// [`open_streaming`], noting each record's verdict code as it is read.
pub fn read_streaming(
    path: &Path,
    head: impl FnOnce(Option<SessionState>, Vec<FileAgency>),
) -> Result<Read, StoreError> {
    let mut codes = Vec::new();
    let store = open_noting(path, head, Some(&mut codes))?;
    Ok(Read { store, codes })
}

fn open_noting(
    path: &Path,
    head: impl FnOnce(Option<SessionState>, Vec<FileAgency>),
    mut codes: Option<&mut Vec<(RecordId, crate::model::VerdictCode)>>,
) -> Result<Store, StoreError> {
    let shown = path.display().to_string();
    // The journal first (it is small): a session or agencies it holds are the newest.
    let mut ops = journal::read(&journal::old_path(path))?;
    ops.extend(journal::read(&journal::path(path))?);
    let newest_session = ops.iter().rev().find_map(|op| match op {
        journal::Op::Session(s) => Some(s.clone()),
        _ => None,
    });
    let newest_agencies = ops.iter().rev().find_map(|op| match op {
        journal::Op::Agencies(a) => Some(a.clone()),
        _ => None,
    });
    let mut head = Some(move |s: Option<SessionState>, a: Vec<FileAgency>| {
        head(newest_session.or(s), newest_agencies.unwrap_or(a))
    });
    let mut store = Store::empty(path);
    match std::fs::File::open(path) {
        Ok(f) => {
            let mut newer = None;
            let mut give_head = |s: Option<SessionState>, a: Vec<FileAgency>| {
                if let Some(h) = head.take() {
                    h(s, a);
                }
            };
            let mut seed = stream::TopSeed {
                put: Put {
                    map: &mut store.map,
                    codes: codes.as_deref_mut(),
                },
                session: &mut store.session,
                agencies: &mut store.agencies,
                masks: &mut store.masks,
                head: &mut give_head,
                newer: &mut newer,
            };
            // Parsed on every core when laid out as written; else (or damaged) as a stream,
            // from the start again.
            let r = if stream::read_lines(&f, seed.reborrow()).unwrap_or(false) {
                Ok(())
            } else {
                seed.put.clear();
                let mut f = f;
                std::io::Seek::rewind(&mut f).map_err(|source| StoreError::Read {
                    path: shown.clone(),
                    source,
                })?;
                let reader = std::io::BufReader::with_capacity(1 << 20, f);
                let mut de = serde_json::Deserializer::from_reader(reader);
                serde::de::DeserializeSeed::deserialize(seed, &mut de).and_then(|()| de.end())
            };
            if let Some(version) = newer {
                return Err(StoreError::NewerVersion {
                    path: shown,
                    version,
                });
            }
            r.map_err(|e| stream::error(&e, &shown))?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(source) => {
            return Err(StoreError::Read {
                path: shown,
                source,
            });
        }
    }
    let journaled = !ops.is_empty();
    let mut put = Put {
        map: &mut store.map,
        codes,
    };
    for op in ops {
        match op {
            journal::Op::Set(a) => put.put(Arc::new(a)),
            journal::Op::Remove(id) => put.remove(id),
            journal::Op::Session(s) => store.session = Some(s),
            journal::Op::Agencies(a) => store.agencies = a,
            journal::Op::Masks(m) => store.masks = m,
        }
    }
    if let Some(h) = head.take() {
        h(store.session.clone(), store.agencies.clone());
    }
    store.saved_session = store.session.clone();
    store.saved_agencies = store.agencies.clone();
    store.saved_masks = store.masks.clone();
    store.journaling = journaled || store.map.len() >= journal::JOURNAL_FROM;
    Ok(store)
}

/// An annotation file's contents with its journal replayed: what every reader of annotations
/// (the review UI, export, report, merge) sees.
pub fn read_document(path: &Path) -> Result<Document, StoreError> {
    let store = Store::open(path)?;
    Ok(Document {
        annotations: store.map.into_iter().map(|(_, a)| unboxed(a)).collect(),
        session: store.session,
        agencies: store.agencies,
        masks: store.masks,
    })
}

/// What tells one file from another that replaced it at the same path.
fn file_identity(m: &std::fs::Metadata) -> (u64, u64) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        (m.dev(), m.ino())
    }
    #[cfg(not(unix))]
    {
        (m.len(), 0)
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
    let made = (|| {
        if std::fs::hard_link(path, &tmp).is_err() {
            std::fs::copy(path, &tmp)?;
        }
        // A link shares the file's mode: the file is replaced by an owner-only one right after.
        crate::files::make_private(&tmp)?;
        std::fs::rename(&tmp, &bak)
    })();
    if made.is_err() {
        // A failed save leaves nothing of its own behind (a copy cut short by a full disk).
        let _ = std::fs::remove_file(&tmp);
    }
    made
}

/// An annotation file read on another thread ([`read_streaming`]), with each record's verdict
/// code noted as it was read (so the review UI only looks codes up by record id).
#[derive(Debug)]
pub struct Read {
    /// The annotations.
    pub store: Store,
    /// Each record's verdict code, to be taken in order: a record given twice (in the file, or
    /// again in the journal) has the later one later. A list: the review UI finds each record's
    /// row by its id, so no table is built.
    pub codes: Vec<(RecordId, crate::model::VerdictCode)>,
}

/// Where annotations go as a file is read: into the map, and (for [`read_streaming`]) their
/// codes onto a list as they pass.
pub(super) struct Put<'a> {
    map: &'a mut Map,
    codes: Option<&'a mut Vec<(RecordId, crate::model::VerdictCode)>>,
}

impl Put<'_> {
    /// A record given twice keeps the later annotation (its code comes later on the list).
    fn put(&mut self, a: Arc<Annotation>) {
        if let Some(codes) = &mut self.codes {
            codes.push((a.record_id, a.code()));
        }
        self.map.insert(a.record_id, a);
    }

    fn remove(&mut self, id: RecordId) {
        if let Some(codes) = &mut self.codes {
            codes.push((id, crate::model::VerdictCode::NONE));
        }
        self.map.remove(&id);
    }

    /// Everything put so far forgotten (a read starting again).
    fn clear(&mut self) {
        *self.map = Map::new();
        if let Some(codes) = &mut self.codes {
            codes.clear();
        }
    }

    fn reborrow(&mut self) -> Put<'_> {
        Put {
            map: self.map,
            codes: self.codes.as_deref_mut(),
        }
    }
}

/// What to do about a damaged annotation file.
fn way_out(shown: &str) -> String {
    if backup_path(Path::new(shown)).is_file() {
        format!(
            "Repair it, restore {shown}.bak (the version before the last save), or use --annotations OTHER.json"
        )
    } else {
        "Repair it, or use --annotations OTHER.json (there is no backup: FILE.bak is kept from the second save on)".into()
    }
}

/// Writes the file format: a header line, then one annotation a line.
pub fn write_file<'a>(
    w: &mut dyn Write,
    annotations: impl Iterator<Item = &'a Annotation>,
) -> std::io::Result<()> {
    write_document(w, None, &[], &[], annotations)
}

/// [`write_file`] with the annotations given as lines: `body` is handed the file's [`Lines`]
/// once its head is written.
pub fn write_file_with(
    w: &mut dyn Write,
    agencies: &[FileAgency],
    masks: &[MaskChoice],
    body: impl FnOnce(&mut Lines<'_>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    write_framed(w, None, agencies, masks, body)
}

/// Writes the file format with where the reviewer left off and the agencies named (each on a
/// line of its own, before the annotations).
pub fn write_document<'a>(
    w: &mut dyn Write,
    session: Option<&SessionState>,
    agencies: &[FileAgency],
    masks: &[MaskChoice],
    annotations: impl Iterator<Item = &'a Annotation>,
) -> std::io::Result<()> {
    write_framed(w, session, agencies, masks, |lines| {
        let mut one = Vec::new();
        for a in annotations {
            one.clear();
            encode_line(&mut one, a)?;
            lines.write(&one)?;
        }
        Ok(())
    })
}

/// The file format around its annotation lines, which `body` writes.
fn write_framed(
    w: &mut dyn Write,
    session: Option<&SessionState>,
    agencies: &[FileAgency],
    masks: &[MaskChoice],
    body: impl FnOnce(&mut Lines<'_>) -> std::io::Result<()>,
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
    if !masks.is_empty() {
        w.write_all(b"\n\"masks\": [")?;
        for (i, m) in masks.iter().enumerate() {
            w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
            serde_json::to_writer(&mut *w, m)?;
        }
        w.write_all(b"\n],")?;
    }
    w.write_all(b" \"annotations\": [")?;
    let mut lines = Lines { w, first: true };
    body(&mut lines)?;
    lines.w.write_all(b"\n]}\n")
}

/// Appends an annotation to `buf` as a line of an annotation file is written, for
/// [`Lines::write`]: `,\n` then its JSON.
pub fn encode_line(buf: &mut Vec<u8>, a: &Annotation) -> std::io::Result<()> {
    buf.extend_from_slice(b",\n");
    serde_json::to_writer(&mut *buf, a)?;
    Ok(())
}

/// The annotation lines of a file being written: text made by [`encode_line`], the comma
/// before the first left out.
pub struct Lines<'w> {
    w: &'w mut dyn Write,
    first: bool,
}

impl Lines<'_> {
    /// Writes lines made by [`encode_line`] (any number, perhaps none).
    pub fn write(&mut self, text: &[u8]) -> std::io::Result<()> {
        match text {
            [] => Ok(()),
            [_, rest @ ..] if self.first => {
                self.first = false;
                self.w.write_all(rest)
            }
            _ => self.w.write_all(text),
        }
    }
}

/// [`replace_file`] with the annotations given as lines: `write` is handed the file's
/// [`Lines`] once its head is written.
pub fn replace_file_with(
    path: &Path,
    agencies: &[FileAgency],
    masks: &[MaskChoice],
    write: impl FnOnce(&mut Lines<'_>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::files::create_private_dir(dir)?;
    }
    backup(path)?;
    crate::files::atomic_write(path, |w| write_file_with(w, agencies, masks, write))?;
    remove_journals(path)
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

    /// A backup that fails (here its place is taken by a folder, as a full disk would cut the
    /// copy short) leaves no `FILE.bak.tmp` behind, and the annotation file is untouched.
    #[test]
    fn a_failed_backup_removes_its_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ann.json");
        std::fs::write(&path, "{}").unwrap();
        std::fs::create_dir(backup_path(&path)).unwrap();
        std::fs::write(backup_path(&path).join("in the way"), "x").unwrap();
        assert!(backup(&path).is_err());
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["ann.json", "ann.json.bak"]);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{}");
    }

    fn ann(n: u8, v: Option<Verdict>) -> Annotation {
        Annotation {
            record_id: RecordId::from_key(&[n]),
            verdict: v,
            note: format!("note {n}\nsecond line").into(),
            reviewer: "ana".into(),
            annotated_at: "2026-11-22T12:00:00Z".into(),
            query: "flagged:yes".into(),
            record: RecordSummary {
                agency: "Dallas TX PD".into(),
                reason: "ICE".into(),
                search_time: Some("2025-01-01T00:00:00Z".into()),
                sources: ["a.csv:2"].into_iter().collect(),
            },
            reviews: Default::default(),
            conflict: false,
            adjudicated_by: None,
        }
    }

    /// A file laid out as written is read line by line on every core; any other layout, or any
    /// damage, is read (and judged) as a stream, so the two ways agree on what a file holds and
    /// on what is refused.
    #[test]
    fn the_line_by_line_read_agrees_with_the_stream_and_refuses_the_same_damage() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.json");
        let session = SessionState {
            filter: "flagged:yes".into(),
            ..SessionState::default()
        };
        let list: Vec<Annotation> = (0..50).map(|n| ann(n, Some(Verdict::Unsure))).collect();
        let mut text = Vec::new();
        write_document(&mut text, Some(&session), &[], &[], list.iter()).unwrap();
        let text = String::from_utf8(text).unwrap();
        let read = |t: &str| {
            std::fs::write(&p, t).unwrap();
            open_streaming(&p, |_, _| {})
        };
        let s = read(&text).unwrap();
        assert_eq!(s.len(), 50);
        assert_eq!(s.session.as_ref(), Some(&session));
        assert_eq!(s.get(list[7].record_id), Some(&list[7]));
        // The same content, laid out otherwise (all on one line): read as a stream.
        let one_line: String = text.lines().collect();
        assert_eq!(read(&one_line).unwrap().len(), 50);
        // A record given twice keeps the later, both ways.
        let mut twice = list[3].clone();
        twice.note = "later".into();
        let mut t = Vec::new();
        write_document(&mut t, None, &[], &[], list.iter().chain([&twice])).unwrap();
        let t = String::from_utf8(t).unwrap();
        assert_eq!(
            read(&t).unwrap().get(twice.record_id).unwrap().note,
            "later"
        );
        let joined: String = t.lines().collect();
        assert_eq!(
            read(&joined).unwrap().get(twice.record_id).unwrap().note,
            "later"
        );
        let lines: Vec<&str> = text.lines().collect();
        let damaged = [
            // A comma gone between two annotations.
            text.replacen("},\n{", "}\n{", 1),
            // A comma after the last one.
            text.replace("}\n]}", "},\n]}"),
            // Cut in the middle of an annotation, or before the end of the array.
            lines[..lines.len() - 3].join("\n"),
            lines[..lines.len() - 1].join("\n"),
            // Something after the end.
            format!("{text}{{}}\n"),
            // An annotation line that is not one.
            text.replacen("\"verdict\":\"unsure\"", "\"verdict\":\"maybe\"", 1),
        ];
        for (i, t) in damaged.iter().enumerate() {
            assert!(
                matches!(
                    read(t),
                    Err(StoreError::Corrupt { .. } | StoreError::Foreign { .. })
                ),
                "damage {i} is refused"
            );
        }
        let newer = text.replacen("\"version\": 1", "\"version\": 9", 1);
        assert!(matches!(
            read(&newer),
            Err(StoreError::NewerVersion { version: 9, .. })
        ));
    }

    /// A file of several blocks, and a line longer than a block: the fast read takes it all,
    /// in order, noting each record's code as it goes; the stream agrees.
    #[test]
    fn a_file_of_many_blocks_is_read_whole_and_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.json");
        let mut list: Vec<Annotation> = (0..15_000u32)
            .map(|n| Annotation {
                record_id: RecordId::from_key(&n.to_le_bytes()),
                ..ann(
                    0,
                    Some([Verdict::Unsure, Verdict::Immigration][n as usize % 2]),
                )
            })
            .collect();
        list[7_000].note = "x".repeat(5 << 20).into();
        // A record given twice, the second time far from the first: the later counts.
        let mut again = list[5].clone();
        again.verdict = None;
        list.push(again.clone());
        let mut text = Vec::new();
        write_document(&mut text, None, &[], &[], list.iter()).unwrap();
        assert!(text.len() > 2 * (4 << 20));
        std::fs::write(&p, &text).unwrap();
        let mut map = Map::new();
        let mut codes = Vec::new();
        let fast = stream::read_lines(
            &std::fs::File::open(&p).unwrap(),
            stream::TopSeed {
                put: Put {
                    map: &mut map,
                    codes: Some(&mut codes),
                },
                session: &mut None,
                agencies: &mut Vec::new(),
                masks: &mut Vec::new(),
                head: &mut |_, _| {},
                newer: &mut None,
            },
        );
        assert!(matches!(fast, Ok(true)), "read line by line");
        assert_eq!(map.len(), 15_000);
        assert_eq!(*map[&again.record_id], again);
        assert_eq!(map[&list[7_000].record_id].note.len(), 5 << 20);
        // The codes, taken in order, leave each record with its last annotation's code.
        let last = |codes: &[(RecordId, crate::model::VerdictCode)]| {
            assert_eq!(codes.len(), list.len());
            codes
                .iter()
                .copied()
                .collect::<std::collections::HashMap<_, _>>()
        };
        let expected = last(
            &list
                .iter()
                .map(|a| (a.record_id, a.code()))
                .collect::<Vec<_>>(),
        );
        assert_eq!(expected[&again.record_id], crate::model::VerdictCode::NONE);
        assert_eq!(last(&codes), expected);
        let read = read_streaming(&p, |_, _| {}).unwrap();
        assert_eq!(last(&read.codes), expected);
        let one_line: Vec<u8> = text.iter().copied().filter(|&b| b != b'\n').collect();
        std::fs::write(&p, one_line).unwrap();
        let streamed = read_streaming(&p, |_, _| {}).unwrap();
        assert_eq!(last(&streamed.codes), expected);
        assert!(streamed.store.map == read.store.map);
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

    /// A store of `n` annotations saved as a snapshot, then set to journal from `n`.
    fn big_store(p: &Path, n: u8) -> Store {
        let mut s = Store::open(p).unwrap();
        for i in 0..n {
            s.set(ann(i, Some(Verdict::NotImmigration)));
        }
        s.save().unwrap();
        s.set_journal_limits(usize::from(n), 6);
        s
    }

    #[test]
    fn a_large_file_saves_through_its_journal_and_every_reader_replays_it() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.json");
        let mut s = big_store(&p, 10);
        assert!(s.is_journaling());
        let snapshot = std::fs::read(&p).unwrap();
        s.set(ann(3, Some(Verdict::Immigration)));
        s.remove(RecordId::from_key(&[4]));
        s.session = Some(SessionState::default());
        s.save().unwrap();
        // The snapshot is untouched; the journal holds the changes, whole.
        assert_eq!(std::fs::read(&p).unwrap(), snapshot);
        let lines = journal::read(&journal::path(&p)).unwrap();
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(
            matches!(&lines[0], journal::Op::Set(a) if a.verdict == Some(Verdict::Immigration))
        );
        // Opening again (a crash: no compaction) sees every change.
        let again = Store::open(&p).unwrap();
        assert_eq!(again.len(), 9);
        assert_eq!(
            again.get(RecordId::from_key(&[3])).unwrap().verdict,
            Some(Verdict::Immigration)
        );
        assert!(again.session.is_some());
        assert!(again.is_journaling(), "a journal found keeps journaling");
        assert_eq!(read_document(&p).unwrap().annotations.len(), 9);
        // Quitting folds the journal into the snapshot and removes it.
        s.compact().unwrap();
        assert!(!journal::path(&p).exists() && !journal::old_path(&p).exists());
        let text = std::fs::read_to_string(&p).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["annotations"].as_array().unwrap().len(), 9);
        assert!(
            backup_path(&p).is_file(),
            "the previous snapshot is the backup"
        );
    }

    #[test]
    fn a_full_journal_is_compacted_in_the_background_without_losing_a_change() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.json");
        let mut s = big_store(&p, 20);
        // Six lines fill the journal (header included): saves go on while snapshots are
        // written.
        for round in 0..40u8 {
            let v = if round % 2 == 0 {
                Verdict::Immigration
            } else {
                Verdict::Unsure
            };
            s.set(ann(round % 20, Some(v)));
            s.save().unwrap();
            // Whatever the moment, the files on disk hold every change so far.
            let seen = read_document(&p).unwrap();
            let a = seen
                .annotations
                .iter()
                .find(|a| a.record_id == RecordId::from_key(&[round % 20]))
                .unwrap();
            assert_eq!(a.verdict, Some(v), "round {round}");
        }
        s.wait_compaction();
        assert!(s.compaction_error.is_none(), "{:?}", s.compaction_error);
        assert!(
            !journal::old_path(&p).exists(),
            "the old journal is removed"
        );
        let snapshot = std::fs::read_to_string(&p).unwrap();
        assert!(
            snapshot.contains("\"verdict\":\"unsure\""),
            "a background snapshot was written"
        );
        s.compact().unwrap();
        assert_eq!(Store::open(&p).unwrap().len(), 20);
    }

    #[test]
    fn a_journal_that_cannot_be_read_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.json");
        let mut s = big_store(&p, 4);
        s.set(ann(1, Some(Verdict::Immigration)));
        s.save().unwrap();
        let jp = journal::path(&p);
        let mut bytes = std::fs::read(&jp).unwrap();
        bytes.extend_from_slice(b"{\"set\": 1}\n{\"remove\": \"00\"}\n");
        std::fs::write(&jp, &bytes).unwrap();
        let e = Store::open(&p).unwrap_err().to_string();
        assert!(e.contains("a.json.journal") && e.contains("line 3"), "{e}");
        assert_eq!(std::fs::read(&jp).unwrap(), bytes);
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
