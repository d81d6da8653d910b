//! Where an output goes, decided before anything is written, so that no output ever replaces
//! something it should not.
//!
//! - `-` is standard output.
//! - A FIFO or a character device (`/dev/null`, a terminal) is written in place: nothing is
//!   replaced, so no `--force` is needed.
//! - A regular file is written atomically (temporary file, fsync, rename); an existing one only
//!   with `--force`. A symbolic link is followed: its target is replaced, never the link.
//! - Anything else (a folder, a block device, a socket, a link to nothing) is refused.
//!
//! [`check_distinct`] refuses two roles (an output, the manifest, the annotation file, an
//! input) that resolve to the same file, compared by device and inode.

use std::io::{self, IsTerminal, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// An output path that cannot be used, and why.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct PathError {
    /// The path as given.
    pub path: String,
    /// What is wrong and what to do.
    pub message: String,
}

/// Where an output goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// `-`: standard output.
    Stdout,
    /// A FIFO or character device, written in place.
    Special {
        /// The path as given.
        path: PathBuf,
    },
    /// A regular file, replaced atomically (or created).
    File {
        /// The path as given (for messages).
        given: PathBuf,
        /// The file written: symbolic links resolved.
        path: PathBuf,
        /// It exists now.
        exists: bool,
    },
}

/// What a file is, for telling two roles apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileKey {
    /// An existing file: device and inode.
    Inode(u64, u64),
    /// A file still to be created: its path with every symbolic link resolved.
    New(PathBuf),
    /// Standard output.
    Stdout,
}

fn error(path: &Path, message: impl Into<String>) -> PathError {
    PathError {
        path: crate::sanitize::path(path),
        message: message.into(),
    }
}

/// True for `-`.
pub fn is_stdio(path: &Path) -> bool {
    path.as_os_str() == "-"
}

impl Target {
    /// Decides where `path` goes; an existing regular file is accepted only with `force`.
    pub fn resolve(path: &Path, force: bool) -> Result<Target, PathError> {
        if is_stdio(path) {
            return Ok(Target::Stdout);
        }
        let meta = match std::fs::symlink_metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return new_file(path),
            Err(e) => return Err(error(path, format!("cannot inspect: {e}"))),
        };
        let (resolved, meta) = if meta.file_type().is_symlink() {
            match (std::fs::canonicalize(path), std::fs::metadata(path)) {
                (Ok(r), Ok(m)) => (r, m),
                _ => {
                    return Err(error(
                        path,
                        "is a symbolic link to nothing (or a loop of links); give the file's own path",
                    ));
                }
            }
        } else {
            (path.to_path_buf(), meta)
        };
        let t = meta.file_type();
        if t.is_dir() {
            return Err(error(path, "is a folder; give a file name"));
        }
        if t.is_fifo() || t.is_char_device() {
            return Ok(Target::Special {
                path: path.to_path_buf(),
            });
        }
        if !t.is_file() {
            return Err(error(
                path,
                "is not a regular file (a block device or socket); alpr-triage writes regular files, FIFOs, character devices such as /dev/null, or - for standard output",
            ));
        }
        if !force {
            return Err(error(path, "already exists; pass --force to replace it"));
        }
        Ok(Target::File {
            given: path.to_path_buf(),
            path: resolved,
            exists: true,
        })
    }

    /// The key that tells this output apart from other files.
    pub fn key(&self) -> Option<FileKey> {
        match self {
            Target::Stdout => Some(FileKey::Stdout),
            Target::Special { path } => file_key(path),
            Target::File { path, .. } => file_key(path),
        }
    }

    /// True for a FIFO or character device (written in place; no manifest beside it).
    pub fn is_special(&self) -> bool {
        matches!(self, Target::Special { .. })
    }

    /// The path as given, for messages (`standard output` for `-`).
    pub fn describe(&self) -> String {
        match self {
            Target::Stdout => "standard output".into(),
            Target::Special { path } => crate::sanitize::path(path),
            Target::File { given, .. } => crate::sanitize::path(given),
        }
    }

    /// The path of the file this output is (None for standard output).
    pub fn path(&self) -> Option<&Path> {
        match self {
            Target::Stdout => None,
            Target::Special { path } => Some(path),
            Target::File { path, .. } => Some(path),
        }
    }

    /// Writes the output through `write`: to `stdout` (escaped when it is a terminal), in place
    /// (a FIFO or device; escaped when it is a terminal), or atomically to a regular file.
    /// Returns what `write` returned and the size of the bytes written, with their SHA-256 when
    /// `hash` (a manifest needs it).
    pub fn write<T>(
        &self,
        stdout: &mut dyn Write,
        stdout_is_terminal: bool,
        hash: bool,
        write: impl FnOnce(&mut dyn Write) -> io::Result<T>,
    ) -> io::Result<(T, Written)> {
        match self {
            Target::Stdout => {
                if stdout_is_terminal {
                    let mut term = crate::sanitize::TerminalWriter::new(stdout);
                    let r = hashed(&mut term, hash, write)?;
                    term.into_inner()?;
                    Ok(r)
                } else {
                    let r = hashed(stdout, hash, write)?;
                    Ok(r)
                }
            }
            Target::Special { path } => {
                let file = std::fs::OpenOptions::new().write(true).open(path)?;
                if file.is_terminal() {
                    let mut term = crate::sanitize::TerminalWriter::new(io::BufWriter::new(file));
                    let r = hashed(&mut term, hash, write)?;
                    term.into_inner()?.flush()?;
                    Ok(r)
                } else {
                    let mut w = io::BufWriter::new(file);
                    let r = hashed(&mut w, hash, write)?;
                    w.flush()?;
                    Ok(r)
                }
            }
            Target::File { path, .. } => {
                crate::files::remove_dead_temps(path);
                let mut out = None;
                crate::files::atomic_write(path, |w| {
                    out = Some(hashed(w, hash, write)?);
                    Ok(())
                })?;
                out.ok_or_else(|| io::Error::other("nothing was written"))
            }
        }
    }
}

/// The bytes an output received.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Written {
    /// SHA-256 of the bytes, hex (when asked for).
    pub sha256: Option<String>,
    /// How many.
    pub bytes: u64,
}

fn hashed<T>(
    w: &mut dyn Write,
    hash: bool,
    write: impl FnOnce(&mut dyn Write) -> io::Result<T>,
) -> io::Result<(T, Written)> {
    let mut h = Hashing {
        inner: w,
        hash: hash.then(Sha256::new),
        bytes: 0,
    };
    let r = write(&mut h)?;
    h.flush()?;
    Ok((
        r,
        Written {
            sha256: h.hash.map(|d| crate::digest::hex(&d.finalize())),
            bytes: h.bytes,
        },
    ))
}

/// A writer that counts (and hashes, when asked) what passes through it.
struct Hashing<'w> {
    inner: &'w mut dyn Write,
    hash: Option<Sha256>,
    bytes: u64,
}

impl Write for Hashing<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        if let Some(h) = &mut self.hash {
            h.update(&buf[..n]);
        }
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A file that does not exist yet: its folder must.
fn new_file(path: &Path) -> Result<Target, PathError> {
    let Some(name) = path.file_name() else {
        return Err(error(path, "give a file name"));
    };
    let dir = crate::files::parent_dir(path);
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(error(
                path,
                format!("{} is not a folder", crate::sanitize::path(dir)),
            ));
        }
        Err(_) => {
            return Err(error(
                path,
                format!("the folder {} does not exist", crate::sanitize::path(dir)),
            ));
        }
    }
    let resolved = std::fs::canonicalize(dir)
        .map_err(|e| error(path, format!("cannot resolve its folder: {e}")))?
        .join(name);
    Ok(Target::File {
        given: path.to_path_buf(),
        path: resolved,
        exists: false,
    })
}

/// The key of a file by path: device and inode when it exists (following symbolic links),
/// else its resolved path; None when neither can be known.
pub fn file_key(path: &Path) -> Option<FileKey> {
    if is_stdio(path) {
        return Some(FileKey::Stdout);
    }
    if let Ok(m) = std::fs::metadata(path) {
        return Some(FileKey::Inode(m.dev(), m.ino()));
    }
    let name = path.file_name()?;
    let dir = std::fs::canonicalize(crate::files::parent_dir(path)).ok()?;
    Some(FileKey::New(dir.join(name)))
}

/// Refuses when two of `roles` (a role's name and its file) are the same file. Two character
/// devices or FIFOs may be shared (writing twice to `/dev/null` harms nothing); anything else
/// may not.
pub fn check_distinct(roles: &[(String, &Path)]) -> Result<(), PathError> {
    let keyed: Vec<(&String, &Path, Option<FileKey>)> = roles
        .iter()
        .map(|(role, p)| (role, *p, file_key(p)))
        .collect();
    for (i, (ra, pa, ka)) in keyed.iter().enumerate() {
        let Some(ka) = ka else { continue };
        for (rb, _, kb) in &keyed[i + 1..] {
            if Some(ka) != kb.as_ref() || (shared_ok(pa) && *ka != FileKey::Stdout) {
                continue;
            }
            return Err(error(
                pa,
                format!(
                    "is both {ra} and {rb}; give them different files (one would overwrite the other)"
                ),
            ));
        }
    }
    Ok(())
}

/// A FIFO or character device.
fn shared_ok(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| {
        let t = m.file_type();
        t.is_char_device() || t.is_fifo()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdout_devices_files_and_refusals() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            Target::resolve(Path::new("-"), false).unwrap(),
            Target::Stdout
        );
        assert!(matches!(
            Target::resolve(Path::new("/dev/null"), false).unwrap(),
            Target::Special { .. }
        ));
        let new = dir.path().join("new.csv");
        assert!(matches!(
            Target::resolve(&new, false).unwrap(),
            Target::File { exists: false, .. }
        ));
        std::fs::write(&new, "x").unwrap();
        let e = Target::resolve(&new, false).unwrap_err().to_string();
        assert!(e.contains("--force"), "{e}");
        assert!(matches!(
            Target::resolve(&new, true).unwrap(),
            Target::File { exists: true, .. }
        ));
        let e = Target::resolve(dir.path(), true).unwrap_err().to_string();
        assert!(e.contains("is a folder"), "{e}");
        let e = Target::resolve(&dir.path().join("none/x.csv"), true)
            .unwrap_err()
            .to_string();
        assert!(e.contains("none") && e.contains("does not exist"), "{e}");
        // A link is written through to its target; a dangling one is refused.
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink(&new, &link).unwrap();
        match Target::resolve(&link, true).unwrap() {
            Target::File { path, .. } => assert_eq!(path, std::fs::canonicalize(&new).unwrap()),
            other => panic!("{other:?}"),
        }
        let dangling = dir.path().join("dangling.csv");
        std::os::unix::fs::symlink(dir.path().join("gone"), &dangling).unwrap();
        let e = Target::resolve(&dangling, true).unwrap_err().to_string();
        assert!(e.contains("symbolic link to nothing"), "{e}");
    }

    #[test]
    fn roles_resolving_to_one_file_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.json");
        std::fs::write(&a, "{}").unwrap();
        let link = dir.path().join("sub-link.json");
        std::os::unix::fs::symlink(&a, &link).unwrap();
        let hard = dir.path().join("hard.json");
        std::fs::hard_link(&a, &hard).unwrap();
        let new = dir.path().join("new.csv");
        let new_again = dir.path().join(".").join("new.csv");
        let role = |r: &str, p: &Path| (r.to_string(), p.to_path_buf());
        let check = |v: &[(String, PathBuf)]| {
            let refs: Vec<(String, &Path)> =
                v.iter().map(|(r, p)| (r.clone(), p.as_path())).collect();
            check_distinct(&refs)
        };
        assert!(check(&[role("--out", &new), role("--annotations", &a)]).is_ok());
        for other in [&a, &link, &hard] {
            let e = check(&[role("--out", other), role("--annotations", &a)])
                .unwrap_err()
                .to_string();
            assert!(e.contains("--out") && e.contains("--annotations"), "{e}");
        }
        assert!(check(&[role("--out", &new), role("--manifest", &new_again)]).is_err());
        assert!(
            check(&[
                role("--out", Path::new("-")),
                role("--manifest", Path::new("-"))
            ])
            .is_err()
        );
        assert!(
            check(&[
                role("--out", Path::new("/dev/null")),
                role("--manifest", Path::new("/dev/null"))
            ])
            .is_ok()
        );
    }
}
