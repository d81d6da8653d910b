//! Every message the status line shows, in one place: the code says what happened ([`Note`]),
//! this file says it in words, naming keys as the keymap in force binds them.

use super::keys::{KeyHelp, KeyMode};
use crate::model::Verdict;
use crate::numbers::thousands as th;

/// What the status line tells the reviewer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Note {
    /// The first message of a new annotation file: what the verdict keys mean.
    FirstRun,
    /// A session resumed where the last one stopped.
    Resumed {
        /// Reviewed records shown.
        reviewed: usize,
        /// Records shown.
        shown: usize,
        /// The view is flagged records only.
        flagged_only: bool,
        /// Why the saved filter could not be restored, if it could not.
        note: String,
    },
    /// A problem found at the start (the first of them).
    StartWarning(String),
    /// A verdict was given.
    VerdictGiven {
        /// Which.
        verdict: Verdict,
        /// The record's agency.
        agency: String,
        /// Its reason.
        reason: String,
    },
    /// A verdict was cleared.
    VerdictCleared,
    /// Clearing asked on a record without a verdict.
    NoVerdictToClear,
    /// No record is selected.
    NoRecordSelected,
    /// A bulk verdict needs its own key, not Enter.
    BulkNeedsKey {
        /// Records without a verdict.
        undecided: usize,
        /// Records in the filter.
        count: usize,
    },
    /// Every record of a bulk verdict has one already.
    BulkAllDecided(usize),
    /// A bulk verdict was cancelled.
    BulkCancelled,
    /// A bulk verdict was given.
    BulkDone {
        /// Records changed.
        changed: usize,
        /// The verdict.
        verdict: Verdict,
        /// Records left as they were (they had a verdict).
        kept: usize,
    },
    /// A bulk verdict while the filter is still being applied.
    WaitForFilter,
    /// A bulk verdict on an empty filter.
    NoRecordsInFilter,
    /// Nothing to undo or redo.
    NothingTo {
        /// Undo (or redo).
        undo: bool,
    },
    /// Changes undone or redone.
    Undid {
        /// Undo (or redo).
        undo: bool,
        /// How many.
        changes: usize,
    },
    /// The annotations are on disk again after failing.
    SavedAgain(usize),
    /// A save failed.
    NotSaved {
        /// Changes only in memory.
        unsaved: usize,
        /// Why.
        error: String,
    },
    /// Quitting was called off.
    NotQuitting,
    /// The view switched to all or flagged records.
    Showing {
        /// All records (or flagged ones).
        all: bool,
    },
    /// The table was sorted.
    Sorted {
        /// The column.
        column: &'static str,
        /// Reversed (None: the default direction, not mentioned).
        descending: Option<bool>,
    },
    /// A query that does not parse.
    BadFilter {
        /// What is wrong.
        message: String,
        /// Where (1-based column).
        column: usize,
        /// Enter was pressed on it: it stays open.
        on_enter: bool,
    },
    /// The picker filtered the table to an agency.
    FilteredTo(String),
    /// The cursor went past the end of the list to the other end.
    WentRound,
    /// Every record shown has a verdict.
    AllDecided,
    /// What find found.
    Found {
        /// Records shown holding the text.
        records: usize,
        /// The text.
        text: String,
    },
    /// Find found nothing.
    NotFound(String),
    /// Next match asked before any find.
    NothingToFind,
    /// The note was saved.
    NoteSaved,
    /// The note editor was left without a change.
    NoteUnchanged,
    /// A file's agency cannot be named: its records have their own.
    AgencyFromColumn,
    /// A file's agency cannot be named: the file names it.
    AgencyNamedByFile(String),
    /// An empty agency name.
    NoAgencyGiven,
    /// `P` on a record whose searcher is not known.
    NoAgencyToProfile,
    /// An agency's profile was corrected.
    ProfileCorrected {
        /// The agency.
        agency: String,
        /// The correction as typed.
        profile: String,
    },
    /// An agency's correction was removed.
    ProfileCorrectionRemoved(String),
    /// An empty line for an agency without a correction.
    NoProfileCorrection(String),
    /// A word in a profile correction that is no state, level or mark.
    BadProfile(String),
    /// A file's agency was named.
    AgencyNamed {
        /// The file.
        file: String,
        /// The agency.
        agency: String,
    },
    /// The export dialog needs a file name.
    ExportNeedsName,
    /// The export would replace a file: Enter again.
    ExportExists(String),
    /// An export was started.
    Exporting(usize),
    /// An export has written this many records.
    ExportProgress(u64),
    /// An export is done.
    Exported {
        /// Where.
        path: String,
        /// Records.
        records: u64,
    },
    /// An export failed.
    ExportFailed(String),
    /// Export asked while loading.
    WaitForLoad,
    /// The test hook's hang key (test builds only).
    TestHang,
    /// A report folder is being written.
    Reporting,
    /// A report folder was written.
    Reported {
        /// The folder.
        path: String,
        /// Records counted.
        records: u64,
    },
    /// Enter on a summary line that no filter term selects (records without a time).
    NoTermForLine,
    /// The context list asked while loading.
    ContextWaitsForLoad,
    /// Enter on a context group with no records.
    ContextEmpty,
    /// A context group is shown in the table.
    ContextShown,
    /// A change asked for while the annotation file is still being read.
    AnnotationsLoading,
    /// The annotation file was read (this many annotations).
    AnnotationsLoaded(usize),
}

fn s(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

impl Note {
    /// True for problems (shown as errors).
    pub fn is_error(&self) -> bool {
        matches!(
            self,
            Note::StartWarning(_)
                | Note::NoRecordSelected
                | Note::BulkNeedsKey { .. }
                | Note::BulkAllDecided(_)
                | Note::WaitForFilter
                | Note::NoRecordsInFilter
                | Note::NotSaved { .. }
                | Note::BadFilter { .. }
                | Note::NotFound(_)
                | Note::AgencyFromColumn
                | Note::AgencyNamedByFile(_)
                | Note::NoAgencyToProfile
                | Note::BadProfile(_)
                | Note::ExportNeedsName
                | Note::ExportExists(_)
                | Note::ExportFailed(_)
                | Note::WaitForLoad
                | Note::TestHang
                | Note::NoTermForLine
                | Note::ContextWaitsForLoad
                | Note::ContextEmpty
                | Note::AnnotationsLoading
        )
    }

    /// The words, naming keys as `keys` binds them.
    pub fn text(&self, keys: &KeyHelp) -> String {
        let k = |mode: KeyMode, action: &'static str| {
            keys.key_of(mode, action).unwrap_or(action).to_string()
        };
        let n = |action: &'static str| k(KeyMode::Normal, action);
        match self {
            Note::FirstRun => format!(
                "{} immigration-related · {} NOT immigration-related ({} is a verdict, not \"next\": {} goes to the next undecided) · {} unsure · {} all keys",
                n("verdict-immigration"),
                n("verdict-not"),
                n("verdict-not"),
                n("next-undecided"),
                n("verdict-unsure"),
                n("help")
            ),
            Note::Resumed {
                reviewed,
                shown,
                flagged_only,
                note,
            } => format!(
                "resumed: {} of {} {} reviewed{note}",
                th(reviewed),
                th(shown),
                if *flagged_only {
                    "flagged records"
                } else {
                    "records"
                }
            ),
            Note::StartWarning(w) => format!("{w} ({} lists all)", n("warnings")),
            Note::VerdictGiven {
                verdict,
                agency,
                reason,
            } => format!("{}: {agency} · {reason}", verdict.label()),
            Note::VerdictCleared => format!("verdict cleared ({} undoes)", n("undo")),
            Note::NoVerdictToClear => "this record has no verdict".into(),
            Note::NoRecordSelected => "no record selected".into(),
            Note::BulkNeedsKey { undecided, count } => format!(
                "a bulk verdict needs its own key: {} for the {} without a verdict, {} to overwrite all {} ({} cancels)",
                k(KeyMode::Confirm, "bulk-undecided"),
                th(undecided),
                k(KeyMode::Confirm, "bulk-overwrite"),
                th(count),
                k(KeyMode::Confirm, "cancel")
            ),
            Note::BulkAllDecided(count) => format!(
                "all {} records already have a verdict: {} overwrites them, {} cancels",
                th(count),
                k(KeyMode::Confirm, "bulk-overwrite"),
                k(KeyMode::Confirm, "cancel")
            ),
            Note::BulkCancelled => "bulk verdict cancelled".into(),
            Note::BulkDone {
                changed,
                verdict,
                kept,
            } => format!(
                "marked {} record{} {}{} ({} undoes all of them)",
                th(changed),
                s(*changed),
                verdict.label(),
                if *kept == 0 {
                    String::new()
                } else {
                    format!("; left the {} with a verdict as they were", th(kept))
                },
                n("undo")
            ),
            Note::WaitForFilter => "wait for the filter to finish before a bulk verdict".into(),
            Note::NoRecordsInFilter => "no records in this filter".into(),
            Note::NothingTo { undo } => {
                format!("nothing to {}", if *undo { "undo" } else { "redo" })
            }
            Note::Undid { undo, changes } => format!(
                "{} {} change{}",
                if *undo { "undid" } else { "redid" },
                th(changes),
                s(*changes)
            ),
            Note::SavedAgain(all) => format!("saved again: all {} annotations are on disk", th(all)),
            Note::NotSaved { unsaved, error } => format!(
                "NOT SAVED ({} change{} only in memory): {error} — retrying every few seconds; free space or fix permissions",
                th(unsaved),
                s(*unsaved)
            ),
            Note::NotQuitting => "not quitting; trying to save again".into(),
            Note::Showing { all: true } => format!(
                "showing all records ({} to pick an agency, {} to filter)",
                n("agency-picker"),
                n("filter")
            ),
            Note::Showing { all: false } => "showing flagged records".into(),
            Note::Sorted {
                column,
                descending: None,
            } => format!("sorted by {column}"),
            Note::Sorted {
                column,
                descending: Some(d),
            } => format!(
                "sorted by {column} {}",
                if *d { "descending" } else { "ascending" }
            ),
            Note::BadFilter {
                message,
                column,
                on_enter: false,
            } => format!("filter: {message} (column {column})"),
            Note::BadFilter {
                message, column, ..
            } => format!(
                "filter: {message} (column {column}) — fix it, or {} to keep the filter from before",
                k(KeyMode::Filter, "cancel")
            ),
            Note::FilteredTo(agency) => format!("filtered to {agency}"),
            Note::WentRound => "went round the end of the list".into(),
            Note::AllDecided => "every record shown has a verdict".into(),
            Note::Found { records, text } => format!(
                "{} record{} shown hold {text:?} — {} / {} go to the next / previous",
                th(records),
                s(*records),
                n("next-match"),
                n("previous-match")
            ),
            Note::NotFound(text) => format!("{text:?} is not in the records shown"),
            Note::NothingToFind => format!("nothing to find yet: {} finds text", n("find")),
            Note::NoteSaved => "note saved".into(),
            Note::NoteUnchanged => "note not changed".into(),
            Note::AgencyFromColumn => "this record's agency comes from its Org Name column; only files that name no agency can be named".into(),
            Note::AgencyNamedByFile(a) => {
                format!("this file names its agency itself ({a}); it is not changed by hand")
            }
            Note::NoAgencyGiven => "no name given: nothing changed".into(),
            Note::NoAgencyToProfile => {
                "this record does not say which agency searched: there is no profile to correct"
                    .into()
            }
            Note::ProfileCorrected { agency, profile } => format!(
                "{agency}: profile corrected to {profile} (kept with the annotations; every count and export uses it)"
            ),
            Note::ProfileCorrectionRemoved(agency) => format!(
                "{agency}: correction removed; the rules (and --agencies files) decide its profile again"
            ),
            Note::NoProfileCorrection(agency) => {
                format!("{agency} has no correction: nothing changed")
            }
            Note::BadProfile(word) => format!(
                "{word:?} is not a state (two letters, - for none), a level ({}), inactive or active; a note goes after #",
                crate::agency::Level::ALL.map(crate::agency::Level::as_str).join(", ")
            ),
            Note::AgencyNamed { file, agency } => format!(
                "named the agency of {file}: {agency} (kept with the annotations); reading the files again"
            ),
            Note::ExportNeedsName => "give the export a file name".into(),
            Note::ExportExists(path) => format!(
                "{path} exists: press {} again to replace it",
                k(KeyMode::Export, "submit")
            ),
            Note::Exporting(records) => format!("exporting {} records…", th(records)),
            Note::ExportProgress(written) => format!("exporting… {} records written", th(written)),
            Note::Exported { path, records } => format!(
                "exported {} records to {path} (methods manifest: {path}.manifest.json)",
                th(records)
            ),
            Note::ExportFailed(e) => format!("export failed: {e}"),
            Note::WaitForLoad => "wait for the load to finish before exporting".into(),
            Note::TestHang => "test hang: the event loop stops here".into(),
            Note::Reporting => "writing the report…".into(),
            Note::Reported { path, records } => format!(
                "report of {} records written to {path}/ (report.html, report.md, by_agency.csv, by_month.csv, manifest.json)",
                th(records)
            ),
            Note::NoTermForLine => {
                "no filter selects these records (they have no search time)".into()
            }
            Note::ContextWaitsForLoad => {
                "wait for the load to finish: the context list looks at every record".into()
            }
            Note::ContextEmpty => "no such searches".into(),
            Note::AnnotationsLoading => {
                "the annotation file is still being read: verdicts, notes and exports wait for it".into()
            }
            Note::AnnotationsLoaded(n) => format!("{n} annotations read"),
            Note::ContextShown => format!(
                "context view: verdicts work as usual ({} marks them all) · {} returns to your filter and record",
                n("bulk-immigration"),
                n("cancel")
            ),
        }
    }
}
