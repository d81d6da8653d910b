//! The app's modes (what the keyboard is talking to: the table, a prompt, a dialog), the
//! dialogs' fields, the save state, the status message, load progress, and undo steps.

use std::time::Duration;

use super::TextInput;
use crate::intern::Sym;
use crate::model::Verdict;
use crate::store::Annotation;

/// What the keyboard is talking to.
#[derive(Debug)]
pub enum Mode {
    /// The table (or the summary screen, when it is shown).
    Normal,
    /// A record's context list.
    Context(super::context::ContextList),
    /// Editing the filter line; `before` is restored by Esc.
    Filter {
        /// The line.
        input: TextInput,
        /// The filter in force before editing.
        before: String,
    },
    /// Editing a record's note.
    Note {
        /// The record.
        row: u32,
        /// The note.
        input: TextInput,
    },
    /// Choosing an agency.
    Picker(Picker),
    /// Key help.
    Help {
        /// First line shown.
        scroll: u16,
    },
    /// Load warnings.
    Warnings {
        /// First line shown.
        scroll: u16,
    },
    /// The export dialog.
    Export(ExportDialog),
    /// Asking before quitting with changes that could not be saved.
    ConfirmQuit {
        /// Changes not on disk.
        unsaved: usize,
    },
    /// Asking before a bulk verdict.
    Confirm {
        /// The verdict.
        verdict: Verdict,
        /// Records in the filter.
        count: usize,
        /// Of them, records that already have a verdict (or whose reviewers disagree).
        decided: usize,
    },
    /// Typing text to find (`f`).
    Find {
        /// The text.
        input: TextInput,
        /// The search in force before, restored by Esc.
        before: Option<String>,
        /// The cursor before, restored by Esc.
        origin: usize,
    },
    /// Naming the agency of a file that names none.
    NameAgency {
        /// The file (index in the dataset's files).
        file: u32,
        /// The name.
        input: TextInput,
    },
    /// Correcting an agency's profile (`P`): `STATE LEVEL [inactive] [# note]`.
    AgencyProfile {
        /// The agency, as the data writes it.
        agency: String,
        /// The correction as typed.
        input: TextInput,
    },
}

/// The export dialog's fields.
#[derive(Debug)]
pub struct ExportDialog {
    /// Output path.
    pub path: TextInput,
    /// Format.
    pub format: crate::output::Format,
    /// Write a report folder (HTML, Markdown, CSV counts, manifest) instead of records.
    pub report: bool,
    /// Export every record rather than the current filter.
    pub all: bool,
    /// Mask sensitive fields.
    pub redact: bool,
    /// Focused field: 0 path, 1 format, 2 scope, 3 redaction.
    pub focus: usize,
    /// The path exists and Enter was pressed once: the next Enter replaces it.
    pub confirm_replace: bool,
}

/// The agency picker.
#[derive(Debug, Default)]
pub struct Picker {
    /// What was typed.
    pub input: TextInput,
    /// Every agency: symbol, flagged records, all records.
    pub agencies: Vec<(Sym, usize, usize)>,
    /// Indexes into `agencies` matching the input, best first.
    pub shown: Vec<usize>,
    /// Selected index into `shown`.
    pub cursor: usize,
}

/// Which record is selected when a filter finishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// The first row (a new filter, a picker choice, a finished load).
    Top,
    /// The record selected when the filter finishes, wherever it lands (a sort, `t`): keys
    /// pressed meanwhile move the selection as usual.
    Current,
    /// The same index (after a verdict in a `verdict:` filter: the next record moves up).
    Index,
    /// This record, or the first undecided one when it is not shown (resuming).
    Record(crate::model::RecordId),
    /// The first record without a verdict.
    FirstUndecided,
}

/// The last save.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SaveState {
    /// Nothing changed yet this session.
    Clean,
    /// A change waits for the session to write it.
    Pending,
    /// Written at this time (HH:MM:SS).
    Saved(String),
    /// The last write failed; changes since the last good save are only in memory.
    Failed {
        /// Why.
        error: String,
        /// Changes not on disk.
        unsaved: usize,
    },
}

/// A message in the status line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The text.
    pub text: String,
    /// True for problems.
    pub error: bool,
}

/// Load progress.
#[derive(Clone, Debug, Default)]
pub struct Loading {
    /// Still loading.
    pub active: bool,
    /// Bytes read.
    pub bytes_done: u64,
    /// Bytes in all inputs.
    pub total_bytes: u64,
    /// How long the load took, once finished.
    pub elapsed: Option<Duration>,
}

/// One undoable change: each record's annotation before and after.
#[derive(Clone, Debug)]
pub struct Step {
    pub(super) changes: Vec<(
        crate::model::RecordId,
        Option<Annotation>,
        Option<Annotation>,
    )>,
}
