//! One writer per annotation file: an OS lock on `FILE.lock`. The operating system releases it
//! when the holder exits or crashes, so a stale lock never blocks; the file's text only says who
//! held it, for messages.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds it.
    #[error(
        "{path}: already open in another alpr-triage ({holder}); close that one, or use --annotations OTHER.json"
    )]
    Held {
        /// The annotation file.
        path: String,
        /// Who holds it (pid, host, since when).
        holder: String,
    },
    /// The lock file cannot be created or locked.
    #[error("{path}: cannot lock the annotation file: {source}")]
    Io {
        /// The lock file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// A held lock. Released (and its text cleared) when dropped.
#[derive(Debug)]
pub struct Lock {
    file: File,
    path: PathBuf,
}

/// The lock file for an annotation file.
pub fn lock_path(annotations: &Path) -> PathBuf {
    let mut p = annotations.as_os_str().to_os_string();
    p.push(".lock");
    PathBuf::from(p)
}

impl Lock {
    /// Takes the lock for `annotations`. Returns the lock and, when a crashed process left its
    /// note behind, a message saying the stale lock was cleared.
    pub fn acquire(annotations: &Path) -> Result<(Lock, Option<String>), LockError> {
        let path = lock_path(annotations);
        let io = |source| LockError::Io {
            path: path.display().to_string(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::files::create_private_dir(dir).map_err(io)?;
        }
        let mut opts = OpenOptions::new();
        opts.read(true).write(true).create(true).truncate(false);
        {
            use std::os::unix::fs::OpenOptionsExt;
            // Never through a symbolic link (it would write to whatever the link names), and
            // never waiting on a FIFO put in the lock's place.
            opts.mode(0o600)
                .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
        }
        let refuse = |what: &str| LockError::Io {
            path: crate::sanitize::path(&path),
            source: std::io::Error::other(format!(
                "{what}; alpr-triage makes this lock file itself as a plain empty file: remove it and start again"
            )),
        };
        let mut file = match opts.open(&path) {
            Ok(f) => f,
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
                return Err(refuse("is a symbolic link"));
            }
            Err(e) => return Err(io(e)),
        };
        if !file.metadata().map_err(io)?.is_file() {
            return Err(refuse("is not a regular file"));
        }
        let mut previous = String::new();
        let _ = file.read_to_string(&mut previous);
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(LockError::Held {
                    path: annotations.display().to_string(),
                    holder: if previous.trim().is_empty() {
                        "unknown process".into()
                    } else {
                        previous.trim().to_string()
                    },
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
        let stale = (!previous.trim().is_empty()).then(|| {
            format!(
                "cleared a stale lock left by a process that ended ({})",
                previous.trim()
            )
        });
        let note = format!(
            "pid {} on {} since {}",
            std::process::id(),
            std::env::var("HOSTNAME").unwrap_or_else(|_| "this machine".into()),
            crate::store::now_rfc3339()
        );
        file.set_len(0).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        file.write_all(note.as_bytes()).map_err(io)?;
        let _ = file.sync_all();
        Ok((Lock { file, path }, stale))
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // The file stays (deleting it would let two processes lock different inodes); an empty
        // text means it was released cleanly.
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_is_refused_and_release_frees_it() {
        let dir = tempfile::tempdir().unwrap();
        let ann = dir.path().join("a.json");
        let (first, stale) = Lock::acquire(&ann).unwrap();
        assert!(stale.is_none());
        let err = Lock::acquire(&ann).unwrap_err().to_string();
        assert!(
            err.contains("already open in another alpr-triage")
                && err.contains(&format!("pid {}", std::process::id())),
            "{err}"
        );
        drop(first);
        let (_again, stale) = Lock::acquire(&ann).unwrap();
        assert!(stale.is_none(), "a clean release leaves no stale note");
    }

    #[test]
    fn a_lock_file_that_is_a_link_or_a_fifo_is_refused_and_its_target_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let ann = dir.path().join("a.json");
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "precious").unwrap();
        std::os::unix::fs::symlink(&victim, lock_path(&ann)).unwrap();
        let e = Lock::acquire(&ann).unwrap_err().to_string();
        assert!(e.contains("symbolic link"), "{e}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        std::fs::remove_file(lock_path(&ann)).unwrap();
        let c = std::ffi::CString::new(lock_path(&ann).to_str().unwrap()).unwrap();
        // SAFETY: a valid C string and mode.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = Lock::acquire(&ann).unwrap_err().to_string();
        assert!(e.contains("not a regular file"), "{e}");
    }

    #[test]
    fn a_stale_lock_from_a_crash_does_not_block() {
        let dir = tempfile::tempdir().unwrap();
        let ann = dir.path().join("a.json");
        std::fs::write(
            lock_path(&ann),
            "pid 999999 on elsewhere since 2026-01-01T00:00:00Z",
        )
        .unwrap();
        let (_lock, stale) = Lock::acquire(&ann).unwrap();
        assert!(stale.unwrap().contains("pid 999999"));
    }
}
