//! Files beside an annotation file: the path it resolves to, the snapshot written atomically with
//! the previous one kept as `FILE.bak`, what an interrupted save left behind, the journals removed.

use std::path::{Path, PathBuf};

use super::{Annotation, FileAgency, MaskChoice, SessionState, StoreError, journal};
use super::{Lines, write_document, write_file_with};

/// Writes a snapshot: the previous file kept as `FILE.bak`, then an atomic replace.
pub(super) fn snapshot<'a>(
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

pub(super) fn remove_journals(path: &Path) -> std::io::Result<()> {
    for p in [journal::old_path(path), journal::path(path)] {
        match std::fs::remove_file(&p) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    crate::files::sync_dir(crate::files::parent_dir(path));
    Ok(())
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
pub(super) fn backup(path: &Path) -> std::io::Result<()> {
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
