//! Writing files safely: temp file in the same folder, write, fsync, rename, fsync the folder;
//! owner-only (0600); temporary files named for their writer and removed when a signal stops
//! it, or when it is gone ([`remove_dead_temps`]); and where an output may go ([`target`]). A
//! reader never sees a half-written file.

pub mod target;

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// Temporary files being written right now, removed by [`remove_live_temps`] when a signal
/// stops the process before they are renamed into place (a killed `flag --out` of a 1 GB file
/// would otherwise leave 1 GB behind).
static LIVE_TEMPS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Notes a temporary file that must not outlive the process.
pub fn register_temp(path: &Path) {
    LIVE_TEMPS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(path.to_path_buf());
}

/// Forgets a temporary file (it was renamed into place or removed).
pub fn unregister_temp(path: &Path) {
    LIVE_TEMPS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .retain(|p| p != path);
}

/// True when `path` is a temporary file being written now.
#[cfg(test)]
fn is_live(path: &Path) -> bool {
    LIVE_TEMPS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .any(|p| p == path)
}

/// Removes every temporary file still being written (from a signal handler, just before the
/// process exits). Returns how many were removed.
pub fn remove_live_temps() -> usize {
    let temps = std::mem::take(&mut *LIVE_TEMPS.lock().unwrap_or_else(PoisonError::into_inner));
    temps
        .iter()
        .filter(|p| std::fs::remove_file(p).is_ok())
        .count()
}

/// Writes `path` atomically through `write`. On any error the old file (if any) is untouched.
/// `path` must be a regular file or not exist (see [`crate::files::target`]): a rename replaces
/// whatever is at `path`.
pub fn atomic_write<F>(path: &Path, write: F) -> io::Result<()>
where
    F: FnOnce(&mut dyn Write) -> io::Result<()>,
{
    let dir = parent_dir(path);
    let tmp = private_temp(path)?;
    let result = (|| {
        {
            let mut w = BufWriter::with_capacity(256 * 1024, tmp.as_file());
            write(&mut w)?;
            w.flush()?;
        }
        tmp.as_file().sync_all()
    })();
    let tmp_path = tmp.path().to_path_buf();
    let result = result.and_then(|()| tmp.persist(path).map(drop).map_err(|e| e.error));
    unregister_temp(&tmp_path);
    result?;
    sync_dir(dir);
    Ok(())
}

/// An owner-only temporary file beside `path`, named for it (see [`temp_prefix`]) and
/// registered for removal by [`remove_live_temps`]; the caller unregisters it once it is
/// renamed or removed.
pub fn private_temp(path: &Path) -> io::Result<tempfile::NamedTempFile> {
    let dir = parent_dir(path);
    let tmp = tempfile::Builder::new()
        .prefix(&temp_prefix(path))
        .suffix(".tmp")
        .permissions(private_mode())
        .tempfile_in(dir)
        .map_err(|e| folder_error(dir, e))?;
    register_temp(tmp.path());
    Ok(tmp)
}

/// The folder a file is in (`.` for a bare name).
pub fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// An error creating a file in `dir`, naming the folder rather than a temporary file.
fn folder_error(dir: &Path, e: io::Error) -> io::Error {
    let why = if !dir.exists() {
        "does not exist".to_string()
    } else {
        e.to_string()
    };
    io::Error::new(
        e.kind(),
        format!("cannot write in the folder {}: {why}", dir.display()),
    )
}

/// Owner-only file permissions (0600).
fn private_mode() -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    std::fs::Permissions::from_mode(0o600)
}

/// Makes an existing file owner-only (0600).
pub fn make_private(path: &Path) -> io::Result<()> {
    std::fs::set_permissions(path, private_mode())
}

/// Temporary files for `path` are named `.NAME.PID-` + random + `.tmp`, so that what a killed
/// process left while writing can be recognised, and told apart from what a running one is
/// writing (see [`remove_stale_temps`] and [`remove_dead_temps`]).
fn temp_prefix(path: &Path) -> String {
    format!("{}{}-", name_prefix(path), std::process::id())
}

/// `.NAME.`: what every temporary file for `path` starts with.
fn name_prefix(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "alpr-triage".into());
    format!(".{name}.")
}

/// Temporary files beside `path` that a writer of `path` made: `(file, pid of the writer)`
/// (the pid is None for names from versions that did not record it).
fn temps_of(path: &Path) -> Vec<(PathBuf, Option<u32>)> {
    let prefix = name_prefix(path);
    let Ok(entries) = std::fs::read_dir(parent_dir(path)) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| {
            let n = e.file_name().to_string_lossy().to_string();
            let middle = n.strip_prefix(&prefix)?.strip_suffix(".tmp")?;
            let pid = middle.split_once('-').and_then(|(p, _)| p.parse().ok());
            Some((e.path(), pid))
        })
        .collect()
}

/// Removes temporary files a killed process left while writing `path`. Call only while holding
/// the right to write `path` (the annotation lock): every writer's temporary file goes, whatever
/// its pid. Returns how many were removed.
pub fn remove_stale_temps(path: &Path) -> usize {
    temps_of(path)
        .into_iter()
        .filter(|(p, _)| std::fs::remove_file(p).is_ok())
        .count()
}

/// Removes temporary files beside `path` left by writers of `path` that are no longer running
/// (an output of `flag` or `export` killed mid-write; another run writing the same output now
/// keeps its own). Returns how many were removed.
pub fn remove_dead_temps(path: &Path) -> usize {
    temps_of(path)
        .into_iter()
        .filter(|(_, pid)| pid.is_some_and(|pid| !process_running(pid)))
        .filter(|(p, _)| std::fs::remove_file(p).is_ok())
        .count()
}

/// True when a process with this id is running (or cannot be told apart from one).
pub fn process_running(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // Signal 0 checks that the process exists without signalling it.
    // SAFETY: kill with signal 0 has no effect on any process.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Makes a rename durable (best effort: not every platform can fsync a folder).
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Creates a folder (and parents) that only the owner can read (0700 on Unix).
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)
    }
}

/// True when two paths name the same existing file.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_atomically_and_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.json");
        atomic_write(&p, |w| w.write_all(b"one")).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        let err = atomic_write(&p, |w| {
            w.write_all(b"partial")?;
            Err(io::Error::other("boom"))
        });
        assert!(err.is_err());
        assert_eq!(
            std::fs::read(&p).unwrap(),
            b"one",
            "failed write leaves the old file"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temp files left behind");
        // What a killed writer leaves is recognised and removed; other files are not.
        std::fs::write(dir.path().join(".out.json.Ab12.tmp"), "partial").unwrap();
        std::fs::write(dir.path().join(".other.json.Ab12.tmp"), "someone else's").unwrap();
        assert_eq!(remove_stale_temps(&p), 1);
        assert!(dir.path().join(".other.json.Ab12.tmp").exists());
    }

    #[test]
    fn temps_of_writers_that_died_go_and_a_running_writers_stay() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.csv");
        let dead = dir.path().join(".out.csv.999999999-x1.tmp");
        let mine = dir
            .path()
            .join(format!(".out.csv.{}-x2.tmp", std::process::id()));
        let unknown = dir.path().join(".out.csv.x3.tmp");
        for f in [&dead, &mine, &unknown] {
            std::fs::write(f, "partial").unwrap();
        }
        assert_eq!(remove_dead_temps(&p), 1);
        assert!(!dead.exists() && mine.exists() && unknown.exists());
    }

    #[test]
    fn temps_being_written_are_known_until_renamed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.jsonl");
        let mut during = None;
        atomic_write(&p, |w| {
            w.write_all(b"partial")?;
            let temp = std::fs::read_dir(dir.path())
                .unwrap()
                .next()
                .unwrap()
                .unwrap();
            during = Some(temp.path());
            Ok(())
        })
        .unwrap();
        let temp = during.unwrap();
        let name = temp.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            name.starts_with(&format!(".big.jsonl.{}-", std::process::id())),
            "{name}"
        );
        // Registered while written (a signal handler would remove it), forgotten once renamed.
        assert!(!is_live(&temp));
        let _ = atomic_write(&p, |w| {
            w.write_all(b"partial")?;
            let temp = std::fs::read_dir(dir.path())
                .unwrap()
                .flatten()
                .find(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
                .unwrap();
            assert!(is_live(&temp.path()));
            Err(io::Error::other("stopped"))
        });
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_missing_folder_is_named_not_the_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("no-such-folder/out.csv");
        let e = atomic_write(&p, |w| w.write_all(b"x"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("no-such-folder") && e.contains("does not exist") && !e.contains("out.csv."),
            "{e}"
        );
    }
}
