//! Streams read more than once. Standard input, a FIFO or a device can be read only once, but
//! `flag --all`, `export` and the review UI read their inputs again (a second pass, a record
//! re-read by offset, a checksum): such inputs are first copied into an owner-only temporary
//! file, removed when the command ends (or is stopped by a signal).
//!
//! A gzip or UTF-16 file loaded into the review UI gets the same treatment for what it inflates
//! or decodes to (see [`inflated_copy`]): records are then re-read by offset from that copy, as
//! from a plain file, instead of every row's cells being kept in memory.

use std::io;

use super::InputFile;

/// A private copy of a stream; the file is removed when this is dropped.
#[derive(Debug)]
pub struct Spooled {
    path: tempfile::TempPath,
}

impl Drop for Spooled {
    fn drop(&mut self) {
        crate::files::unregister_temp(&self.path);
    }
}

impl Spooled {
    /// Where the copy is.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }
}

/// Where copies go, and the name their temporary files share.
fn spool_base() -> std::path::PathBuf {
    std::env::temp_dir().join("alpr-triage-stream")
}

/// When `file` is gzip-compressed or UTF-16 text: an empty owner-only temporary file in `dir` to
/// write what it inflates or decodes to (see [`super::open::open_copying`]), and a handle to
/// write with. `None` for any other file, or when the file cannot be opened (reading it reports
/// that).
pub fn inflated_copy(
    file: &InputFile,
    dir: &std::path::Path,
) -> io::Result<Option<(Spooled, std::fs::File)>> {
    if file.is_stdin() {
        return Ok(None);
    }
    let Ok(f) = std::fs::File::open(&file.path) else {
        return Ok(None);
    };
    let mut head = Vec::with_capacity(4096);
    if io::Read::read_to_end(&mut io::Read::take(f, 4096), &mut head).is_err()
        || !(head.starts_with(&[0x1f, 0x8b]) || super::open::utf16_of(&head).is_some())
    {
        return Ok(None);
    }
    let base = dir.join("alpr-triage-inflated");
    // Copies a killed process left behind.
    crate::files::remove_dead_temps(&base);
    let tmp = crate::files::private_temp(&base)?;
    let handle = tmp.as_file().try_clone()?;
    Ok(Some((
        Spooled {
            path: tmp.into_temp_path(),
        },
        handle,
    )))
}

/// Copies every stream among `files` into a private temporary file and reads that instead (the
/// name shown stays the stream's). Returns the files, the copies (keep them while the files are
/// read), and a message for each stream that could not be copied (it is left out).
pub fn spool_streams(files: Vec<InputFile>) -> (Vec<InputFile>, Vec<Spooled>, Vec<String>) {
    let mut out = Vec::with_capacity(files.len());
    let mut copies = Vec::new();
    let mut errors = Vec::new();
    if files.iter().any(InputFile::is_stream) {
        // Copies a killed process left behind.
        crate::files::remove_dead_temps(&spool_base());
    }
    for f in files {
        if !f.is_stream() {
            out.push(f);
            continue;
        }
        match copy(&f) {
            Ok(copy) => {
                out.push(InputFile {
                    path: copy.path.to_path_buf(),
                    display: f.display,
                });
                copies.push(copy);
            }
            Err(e) => errors.push(format!(
                "{}: cannot read: {e}",
                crate::sanitize::visible(&f.display)
            )),
        }
    }
    (out, copies, errors)
}

fn copy(f: &InputFile) -> io::Result<Spooled> {
    // Opened first: a FIFO waits here for its writer, before anything is created.
    let mut src: Box<dyn io::Read> = if f.is_stdin() {
        Box::new(io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(&f.path)?)
    };
    let mut tmp = crate::files::private_temp(&spool_base())?;
    let copied = io::copy(&mut src, tmp.as_file_mut());
    // From here on the copy is removed when dropped, failed or not.
    let spooled = Spooled {
        path: tmp.into_temp_path(),
    };
    copied?;
    Ok(spooled)
}
