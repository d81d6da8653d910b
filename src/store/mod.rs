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

mod document;
pub mod journal;
pub mod lock;
mod memory;
pub mod merge;
pub mod positions;
mod read;
mod save;
mod stream;

use std::sync::Arc;

use crate::model::RecordId;
pub use crate::model::annotation::{
    Annotation, FileAgency, MaskChoice, RecordSummary, Review, SessionState,
};
pub use document::{Lines, encode_line, write_document, write_file, write_file_with};
pub use memory::Store;
pub use read::{Read, open_streaming, read_document, read_streaming};
pub use save::{backup_path, remove_leftovers, replace_file, replace_file_with, resolve};

use read::{Put, way_out};

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
mod tests;
