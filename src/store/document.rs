//! The annotation file's format on disk (version [`FORMAT_VERSION`]): a head line (version,
//! tool, time saved), where the reviewer left off, the agencies and masks named, then one
//! annotation a line.

use std::io::Write;

use super::{Annotation, FORMAT_VERSION, FileAgency, MaskChoice, SessionState, now_rfc3339};

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
    write_list(w, "agencies", agencies)?;
    write_list(w, "masks", masks)?;
    w.write_all(b" \"annotations\": [")?;
    let mut lines = Lines { w, first: true };
    body(&mut lines)?;
    lines.w.write_all(b"\n]}\n")
}

/// A list of the head (`"agencies"`, `"masks"`), one item a line; nothing when it is empty.
fn write_list<T: serde::Serialize>(
    w: &mut dyn Write,
    name: &str,
    items: &[T],
) -> std::io::Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    write!(w, "\n\"{name}\": [")?;
    for (i, item) in items.iter().enumerate() {
        w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut *w, item)?;
    }
    w.write_all(b"\n],")
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
