//! Annotations: a reviewer's verdict and note on a record, what the record was, every
//! reviewer's verdict in merged files; and what an annotation file keeps besides (where the
//! reviewer left off, agencies named for files). Types only: [`crate::store`] reads and writes
//! them.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{RecordId, Verdict};

/// What a record was, so an annotation file means something on its own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RecordSummary {
    /// Searching agency.
    pub agency: String,
    /// Reason text.
    pub reason: String,
    /// Search time, RFC 3339 UTC.
    #[serde(default)]
    pub search_time: Option<String>,
    /// Every `file:line` the record was read from.
    #[serde(default)]
    pub sources: Vec<String>,
}

/// One reviewer's verdict, kept in merged files where several reviewers annotated a record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// Who.
    pub reviewer: String,
    /// Their verdict.
    pub verdict: Option<Verdict>,
    /// Their note.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// When.
    pub annotated_at: String,
}

/// A reviewer's decision about one record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Annotation {
    /// The record's stable id.
    pub record_id: RecordId,
    /// The verdict; `null` for a note without a decision yet.
    pub verdict: Option<Verdict>,
    /// Free text: why.
    #[serde(default)]
    pub note: String,
    /// Who decided.
    pub reviewer: String,
    /// When (RFC 3339 UTC).
    pub annotated_at: String,
    /// The filter in force when the verdict was given (part of the reviewer's method).
    #[serde(default)]
    pub query: String,
    /// What the record was.
    pub record: RecordSummary,
    /// Every reviewer's verdict, in merged files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reviews: Vec<Review>,
    /// Set when reviewers disagree and nobody has adjudicated yet.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub conflict: bool,
    /// Who resolved a disagreement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjudicated_by: Option<String>,
}

/// Where a reviewer left off: the review UI saves it with the annotations and opens there next
/// time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SessionState {
    /// The filter line, as typed.
    #[serde(default)]
    pub filter: String,
    /// Every record shown, not only flagged ones (`t`).
    #[serde(default)]
    pub all_records: bool,
    /// The sort column (`time`, `agency`, `reason`, `rule`, `networks`, `verdict`).
    #[serde(default)]
    pub sort: String,
    /// The sort is reversed.
    #[serde(default)]
    pub descending: bool,
    /// The record the cursor was on.
    #[serde(default)]
    pub record_id: Option<RecordId>,
}

/// The agency a reviewer named for a file that names none (no `Org Name` column, nothing in its
/// name): part of the method, so it is kept with the annotations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileAgency {
    /// The file as it was given.
    pub file: String,
    /// Its full path.
    pub path: PathBuf,
    /// The agency.
    pub agency: String,
    /// Who named it.
    pub named_by: String,
    /// When (RFC 3339 UTC).
    pub named_at: String,
}

impl Annotation {
    /// The record's verdict as the filter and the table see it.
    pub fn code(&self) -> super::VerdictCode {
        super::VerdictCode::new(self.verdict, self.conflict)
    }
}
