//! The store in memory: annotations by record id, where the reviewer left off, and its saving
//! (through the journal, or as a snapshot written whole, in the background when it is large).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::save::{remove_journals, snapshot};
use super::{
    Annotation, FileAgency, Map, MaskChoice, SessionState, StoreError, journal, open_streaming,
    unboxed,
};
use crate::model::RecordId;

/// Annotations in memory, and where they are saved.
#[derive(Debug)]
pub struct Store {
    pub(super) path: PathBuf,
    /// A persistent map: cloning it for a background save or an export costs nothing.
    pub(super) map: Map,
    /// Where the reviewer left off (saved with the annotations).
    pub session: Option<SessionState>,
    /// Agencies named for files (saved with the annotations).
    pub agencies: Vec<FileAgency>,
    /// Texts masked or released in what is published (saved with the annotations).
    pub masks: Vec<MaskChoice>,
    pub(super) fail_saves: Option<std::io::ErrorKind>,
    /// Records set or removed since the last save.
    pub(super) changed: Vec<RecordId>,
    /// The session and agencies as last saved.
    pub(super) saved_session: Option<SessionState>,
    pub(super) saved_agencies: Vec<FileAgency>,
    pub(super) saved_masks: Vec<MaskChoice>,
    /// Saves go through the journal (the file is large, or a journal was found at open).
    pub(super) journaling: bool,
    pub(super) journal: Option<journal::Writer>,
    /// A snapshot being written in the background.
    pub(super) compaction: Option<std::thread::JoinHandle<std::io::Result<()>>>,
    /// Why the last background snapshot failed (the journal still holds every change).
    pub compaction_error: Option<String>,
    /// [`journal::JOURNAL_FROM`] and [`journal::COMPACT_LINES`] (tests lower them).
    pub(super) limits: (usize, u64),
    /// A stand-in while the file is read on another thread: it refuses to save.
    pub(super) placeholder: bool,
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

    pub(super) fn wait_compaction(&mut self) {
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
