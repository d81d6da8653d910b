//! Every user intent and every fact the session (`tui::session`) reports, as one enum; and the
//! effects `update` asks the session to carry out.

use crate::model::Verdict;
use crate::output::OutRecord;
use crate::review::loader::LoadEvent;

/// Something to do. Keys become actions in `keymap.rs`; `update` never sees a key.
#[derive(Debug)]
pub enum Action {
    /// Move the selection up one record.
    Up,
    /// Move the selection down one record.
    Down,
    /// Up one page.
    PageUp,
    /// Down one page.
    PageDown,
    /// First record.
    Top,
    /// Last record.
    Bottom,
    /// Mouse wheel: move the selection by this many records.
    Scroll(i32),
    /// Mouse click on a screen row (0-based terminal row).
    Click(u16),
    /// Open the filter line.
    OpenFilter,
    /// Switch between flagged records and all records.
    ToggleAll,
    /// Open the agency picker.
    OpenAgencyPicker,
    /// Sort by the next column.
    CycleSort,
    /// Reverse the sort.
    ReverseSort,
    /// Set a verdict on the selected record.
    Verdict(Verdict),
    /// Clear the selected record's verdict (its note stays).
    ClearVerdict,
    /// Edit the selected record's note.
    EditNote,
    /// Set a verdict on every record in the current filter (asks first).
    BulkVerdict(Verdict),
    /// Undo the last change.
    Undo,
    /// Redo.
    Redo,
    /// Open the export dialog.
    OpenExport,
    /// Next field of a dialog.
    NextField,
    /// Show the key help.
    Help,
    /// Show load warnings and errors.
    Warnings,
    /// Scroll the detail pane.
    DetailScroll(i32),
    /// Quit (annotations are already saved).
    Quit,
    /// Go to the next (true) or previous record without a verdict.
    NextUndecided(bool),
    /// Open the find prompt.
    OpenFind,
    /// Go to the next (true) or previous record holding the text found.
    NextMatch(bool),
    /// In the bulk prompt: apply to the undecided records only, or to all (overwriting).
    BulkApply {
        /// Replace verdicts already given.
        overwrite: bool,
    },
    /// Name the agency of the selected record's file.
    NameAgency,
    /// Opens the prompt correcting the selected record's searching agency's profile.
    AgencyProfile,
    /// Show the summary screen (counts by agency, month, rule and account).
    OpenSummary,
    /// Back to the records table.
    ShowRecords,
    /// The summary's next (1) or previous (-1) breakdown.
    Section(i8),
    /// Open the context list of the selected record.
    OpenContext,
    /// Work on the filter in progress for this long (the session slices it between keys).
    FilterStep(std::time::Duration),
    /// An export under way has written this many records.
    ExportProgress(u64),
    /// Time to try a failed save again.
    RetrySave,
    /// Ctrl-C, in any mode: quit as `q` does from the table (a note being written is saved as
    /// typed first; with saves failing, ask, and a second Ctrl-C quits anyway).
    Interrupt,
    /// Type a character into the line or note being edited.
    Input(char),
    /// Delete the character before the cursor.
    Backspace,
    /// Delete the character under the cursor.
    Delete,
    /// Cursor left.
    Left,
    /// Cursor right.
    Right,
    /// Cursor to the start.
    Home,
    /// Cursor to the end.
    End,
    /// New line in a note.
    Newline,
    /// Clear the line being edited.
    ClearLine,
    /// Accept (filter line, picker, note).
    Submit,
    /// Close an overlay or abandon an edit, restoring what was there.
    Cancel,
    /// Answer yes to a prompt.
    Confirm,
    /// The terminal size changed.
    Resize(u16, u16),
    /// The loader reported progress or rows.
    Loaded(LoadEvent),
    /// A save finished.
    Saved(Result<(), String>),
    /// A sort order worked out on another thread.
    SortReady(crate::app::SortKey, std::sync::Arc<Vec<u32>>),
    /// The annotation file, read on another thread, is in.
    AnnotationsLoaded(Box<crate::store::Read>),
    /// A record's full detail was read.
    DetailLoaded(u32, Result<Box<OutRecord<'static>>, String>),
    /// A record's context list was found.
    ContextLoaded(u32, Vec<crate::review::context::Group>),
    /// An export finished: (path, records written) or why it failed.
    Exported(Result<ExportDone, String>),
    /// The process was asked to stop (SIGTERM, SIGHUP).
    Terminate,
}

/// What an export from the UI wrote.
#[derive(Debug, PartialEq, Eq, Clone)]
pub struct ExportDone {
    /// The file or report folder, as shown.
    pub path: String,
    /// Records written (a report: records counted).
    pub records: u64,
    /// It was a report folder.
    pub report: bool,
}

/// An export the user asked for in the UI.
#[derive(Debug, PartialEq, Eq, Clone)]
pub struct ExportRequest {
    /// Output file.
    pub path: std::path::PathBuf,
    /// Format.
    pub format: crate::output::Format,
    /// The records (load-order rows).
    pub rows: Vec<u32>,
    /// Mask sensitive fields.
    pub redact: bool,
    /// The filter in force, for the manifest.
    pub query: String,
    /// "current filter" or "all records".
    pub scope: &'static str,
    /// A report folder rather than records: the counts of the records `report_query` selects.
    pub report: bool,
    /// The filter text a report counts ("" for every record).
    pub report_query: String,
}

/// Work for the session.
#[derive(Debug, PartialEq, Eq)]
pub enum Effect {
    /// Write an export and its manifest.
    Export(Box<ExportRequest>),
    /// Write the annotation file now.
    Save,
    /// Read a record's full detail.
    LoadDetail(u32),
    /// Find a record's context list (reads the files to check case numbers and plates).
    LoadContext(u32),
    /// Read the inputs again (an agency was named for a file): the annotations stay.
    Reload,
    /// Leave.
    Quit,
}
