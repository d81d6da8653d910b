//! Every user intent and every fact the runtime reports, as one enum; and the effects `update`
//! asks the runtime to carry out.

use crate::loader::LoadEvent;
use crate::model::Verdict;
use crate::output::OutRecord;

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
    /// Show the key help.
    Help,
    /// Show load warnings and errors.
    Warnings,
    /// Scroll the detail pane.
    DetailScroll(i32),
    /// Quit (annotations are already saved).
    Quit,
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
    /// A record's full detail was read.
    DetailLoaded(u32, Result<Box<OutRecord>, String>),
    /// The process was asked to stop (SIGTERM, SIGHUP).
    Terminate,
}

/// Work for the runtime.
#[derive(Debug, PartialEq, Eq)]
pub enum Effect {
    /// Write the annotation file now.
    Save,
    /// Read a record's full detail.
    LoadDetail(u32),
    /// Leave.
    Quit,
}
