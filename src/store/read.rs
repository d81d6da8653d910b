//! Reading an annotation file: the snapshot (line by line on every core when laid out as
//! alpr-triage writes it, else as a JSON stream) and then its journal, replayed.

use std::path::Path;
use std::sync::Arc;

use super::{
    Annotation, Document, FileAgency, Map, SessionState, Store, StoreError, backup_path, journal,
    stream, unboxed,
};
use crate::model::RecordId;

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
    pub(super) map: &'a mut Map,
    pub(super) codes: Option<&'a mut Vec<(RecordId, crate::model::VerdictCode)>>,
}

impl Put<'_> {
    /// A record given twice keeps the later annotation (its code comes later on the list).
    pub(super) fn put(&mut self, a: Arc<Annotation>) {
        if let Some(codes) = &mut self.codes {
            codes.push((a.record_id, a.code()));
        }
        self.map.insert(a.record_id, a);
    }

    pub(super) fn remove(&mut self, id: RecordId) {
        if let Some(codes) = &mut self.codes {
            codes.push((id, crate::model::VerdictCode::NONE));
        }
        self.map.remove(&id);
    }

    /// Everything put so far forgotten (a read starting again).
    pub(super) fn clear(&mut self) {
        *self.map = Map::new();
        if let Some(codes) = &mut self.codes {
            codes.clear();
        }
    }

    pub(super) fn reborrow(&mut self) -> Put<'_> {
        Put {
            map: self.map,
            codes: self.codes.as_deref_mut(),
        }
    }
}

/// What to do about a damaged annotation file.
pub(super) fn way_out(shown: &str) -> String {
    if backup_path(Path::new(shown)).is_file() {
        format!(
            "Repair it, restore {shown}.bak (the version before the last save), or use --annotations OTHER.json"
        )
    } else {
        "Repair it, or use --annotations OTHER.json (there is no backup: FILE.bak is kept from the second save on)".into()
    }
}
