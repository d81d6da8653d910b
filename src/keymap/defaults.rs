//! The default key table: in each mode, which keys do what (with the description help shows,
//! and whether the status line hints it).

use super::{Bindable, KeyMode};

/// One row of the default key table.
#[derive(Clone, Copy, Debug)]
pub(super) struct DefaultBinding {
    /// Where it applies.
    pub mode: KeyMode,
    /// The keys (as config files name them).
    pub keys: &'static [&'static str],
    /// What they do.
    pub action: Bindable,
    /// What help says.
    pub desc: &'static str,
    /// Shown in the status-line hints.
    pub hint: bool,
}

impl DefaultBinding {
    /// The same binding, also shown in the status-line hints.
    const fn hinted(self) -> Self {
        DefaultBinding { hint: true, ..self }
    }
}

/// A binding help lists but the status line does not hint.
const fn bind(
    mode: KeyMode,
    keys: &'static [&'static str],
    action: Bindable,
    desc: &'static str,
) -> DefaultBinding {
    DefaultBinding {
        mode,
        keys,
        action,
        desc,
        hint: false,
    }
}

use Bindable as B;
use KeyMode as M;

/// The default bindings.
pub(super) const DEFAULTS: &[DefaultBinding] = &[
    bind(M::Normal, &["up", "k"], B::Up, "previous record"),
    bind(M::Normal, &["down", "j"], B::Down, "next record"),
    bind(M::Normal, &["pgup", "ctrl-b"], B::PageUp, "page up"),
    bind(
        M::Normal,
        &["pgdn", "ctrl-f", "space"],
        B::PageDown,
        "page down",
    ),
    bind(M::Normal, &["g", "home"], B::Top, "first record"),
    bind(M::Normal, &["G", "end"], B::Bottom, "last record"),
    bind(
        M::Normal,
        &["y"],
        B::VerdictImmigration,
        "confirmed immigration-related",
    )
    .hinted(),
    bind(M::Normal, &["n"], B::VerdictNot, "not immigration-related").hinted(),
    bind(M::Normal, &["m"], B::VerdictUnsure, "unsure").hinted(),
    bind(
        M::Normal,
        &["backspace"],
        B::VerdictClear,
        "clear the verdict (the note stays)",
    ),
    bind(M::Normal, &["e"], B::EditNote, "edit the note").hinted(),
    bind(
        M::Normal,
        &["/"],
        B::Filter,
        "filter (agency:, reason:, date:, …)",
    )
    .hinted(),
    bind(M::Normal, &["t"], B::ToggleAll, "flagged ↔ all records").hinted(),
    bind(M::Normal, &["a"], B::AgencyPicker, "pick an agency").hinted(),
    bind(M::Normal, &["s"], B::Sort, "sort by the next column"),
    bind(M::Normal, &["S"], B::SortReverse, "reverse the sort"),
    bind(
        M::Normal,
        &["Y"],
        B::BulkImmigration,
        "mark every record in the filter immigration",
    ),
    bind(
        M::Normal,
        &["N"],
        B::BulkNot,
        "mark every record in the filter not immigration",
    ),
    bind(
        M::Normal,
        &["M"],
        B::BulkUnsure,
        "mark every record in the filter unsure",
    ),
    bind(M::Normal, &["u"], B::Undo, "undo").hinted(),
    bind(M::Normal, &["ctrl-r"], B::Redo, "redo"),
    bind(
        M::Normal,
        &["J"],
        B::DetailDown,
        "scroll the detail pane down",
    ),
    bind(M::Normal, &["K"], B::DetailUp, "scroll the detail pane up"),
    bind(M::Normal, &["w"], B::Warnings, "load warnings and errors"),
    bind(
        M::Normal,
        &["x"],
        B::Export,
        "export records (CSV, JSONL, JSON) with a manifest",
    )
    .hinted(),
    bind(M::Normal, &["?", "f1"], B::Help, "help").hinted(),
    bind(
        M::Normal,
        &["esc"],
        B::Cancel,
        "clear the message; leave a context view",
    ),
    bind(
        M::Normal,
        &["q"],
        B::Quit,
        "quit (annotations are already saved)",
    )
    .hinted(),
    bind(M::Filter, &["enter"], B::Submit, "keep this filter").hinted(),
    bind(
        M::Filter,
        &["esc"],
        B::Cancel,
        "restore the previous filter",
    )
    .hinted(),
    bind(M::Filter, &["backspace"], B::Backspace, "delete back"),
    bind(M::Filter, &["del"], B::Delete, "delete"),
    bind(M::Filter, &["ctrl-u"], B::ClearLine, "clear the line").hinted(),
    bind(M::Filter, &["left"], B::Left, "cursor left"),
    bind(M::Filter, &["right"], B::Right, "cursor right"),
    bind(M::Filter, &["home", "ctrl-a"], B::Home, "start of line"),
    bind(M::Filter, &["end", "ctrl-e"], B::End, "end of line"),
    bind(M::Note, &["ctrl-s"], B::Submit, "save the note").hinted(),
    bind(M::Note, &["enter"], B::Newline, "new line").hinted(),
    bind(M::Note, &["esc"], B::Cancel, "discard the edit").hinted(),
    bind(M::Note, &["backspace"], B::Backspace, "delete back"),
    bind(M::Note, &["del"], B::Delete, "delete"),
    bind(M::Note, &["left"], B::Left, "cursor left"),
    bind(M::Note, &["right"], B::Right, "cursor right"),
    bind(M::Note, &["home", "ctrl-a"], B::Home, "start of line"),
    bind(M::Note, &["end", "ctrl-e"], B::End, "end of line"),
    bind(M::Picker, &["up", "ctrl-p"], B::Up, "previous agency"),
    bind(M::Picker, &["down", "ctrl-n"], B::Down, "next agency"),
    bind(M::Picker, &["pgup"], B::PageUp, "page up"),
    bind(M::Picker, &["pgdn"], B::PageDown, "page down"),
    bind(M::Picker, &["enter"], B::Submit, "filter to this agency").hinted(),
    bind(M::Picker, &["esc"], B::Cancel, "close").hinted(),
    bind(M::Picker, &["backspace"], B::Backspace, "delete back"),
    bind(M::Picker, &["ctrl-u"], B::ClearLine, "clear"),
    bind(M::Overlay, &["up", "k"], B::Up, "scroll up"),
    bind(M::Overlay, &["down", "j"], B::Down, "scroll down"),
    bind(M::Overlay, &["pgup"], B::PageUp, "page up"),
    bind(M::Overlay, &["pgdn", "space"], B::PageDown, "page down"),
    bind(M::Overlay, &["g", "home"], B::Top, "top"),
    bind(M::Overlay, &["G", "end"], B::Bottom, "end"),
    bind(M::Overlay, &["esc", "q", "?", "enter"], B::Cancel, "close").hinted(),
    bind(M::Export, &["tab", "down"], B::NextField, "next field").hinted(),
    bind(
        M::Export,
        &["left"],
        B::Left,
        "cursor left / previous choice",
    ),
    bind(
        M::Export,
        &["right"],
        B::Right,
        "cursor right / next choice",
    ),
    bind(M::Export, &["enter"], B::Submit, "export").hinted(),
    bind(M::Export, &["esc"], B::Cancel, "close").hinted(),
    bind(M::Export, &["backspace"], B::Backspace, "delete back"),
    bind(M::Export, &["ctrl-u"], B::ClearLine, "clear the path"),
    bind(M::Confirm, &["y", "enter"], B::Confirm, "yes").hinted(),
    bind(M::Confirm, &["n", "esc", "q"], B::Cancel, "no").hinted(),
    bind(
        M::Normal,
        &["]"],
        B::NextUndecided,
        "next record without a verdict",
    )
    .hinted(),
    bind(
        M::Normal,
        &["["],
        B::PreviousUndecided,
        "previous record without a verdict",
    ),
    bind(
        M::Normal,
        &["f"],
        B::Find,
        "find text in the table (plain, any case)",
    ),
    bind(
        M::Normal,
        &["ctrl-n"],
        B::NextMatch,
        "next record with the text found",
    ),
    bind(
        M::Normal,
        &["ctrl-p"],
        B::PreviousMatch,
        "previous record with the text found",
    ),
    bind(
        M::Normal,
        &["A"],
        B::NameAgency,
        "name the agency of this record's file (files that name none)",
    ),
    bind(
        M::Normal,
        &["P"],
        B::AgencyProfile,
        "correct the searching agency's profile (state, level), kept with the annotations",
    ),
    bind(
        M::Confirm,
        &["m"],
        B::BulkUndecided,
        "bulk verdict: only the records without one",
    )
    .hinted(),
    bind(
        M::Confirm,
        &["o"],
        B::BulkOverwrite,
        "bulk verdict: every record, replacing verdicts",
    )
    .hinted(),
    bind(M::Prompt, &["enter"], B::Submit, "done").hinted(),
    bind(M::Prompt, &["esc"], B::Cancel, "cancel").hinted(),
    bind(M::Prompt, &["backspace"], B::Backspace, "delete back"),
    bind(M::Prompt, &["del"], B::Delete, "delete"),
    bind(M::Prompt, &["left"], B::Left, "cursor left"),
    bind(M::Prompt, &["right"], B::Right, "cursor right"),
    bind(M::Prompt, &["home"], B::Home, "start of line"),
    bind(M::Prompt, &["end"], B::End, "end of line"),
    bind(M::Prompt, &["ctrl-u"], B::ClearLine, "clear"),
    bind(M::Prompt, &["ctrl-n"], B::NextMatch, "next match (find)").hinted(),
    bind(
        M::Prompt,
        &["ctrl-p"],
        B::PreviousMatch,
        "previous match (find)",
    ),
    bind(M::Prompt, &["ctrl-c"], B::Interrupt, "quit"),
    bind(M::Normal, &["ctrl-c"], B::Interrupt, "quit (as q)"),
    bind(
        M::Filter,
        &["ctrl-c"],
        B::Interrupt,
        "quit (the filter in force stays)",
    ),
    bind(
        M::Note,
        &["ctrl-c"],
        B::Interrupt,
        "quit (the note is saved as typed)",
    ),
    bind(
        M::Normal,
        &["tab", "2"],
        B::Summary,
        "summary: counts by agency, month, rule, account",
    )
    .hinted(),
    bind(
        M::Normal,
        &["c"],
        B::Context,
        "context: related searches of this record",
    )
    .hinted(),
    bind(M::Summary, &["up", "k"], B::Up, "previous line"),
    bind(M::Summary, &["down", "j"], B::Down, "next line"),
    bind(M::Summary, &["pgup", "ctrl-b"], B::PageUp, "page up"),
    bind(
        M::Summary,
        &["pgdn", "ctrl-f", "space"],
        B::PageDown,
        "page down",
    ),
    bind(M::Summary, &["g", "home"], B::Top, "first line"),
    bind(M::Summary, &["G", "end"], B::Bottom, "last line"),
    bind(
        M::Summary,
        &["right", "l"],
        B::NextSection,
        "next breakdown",
    )
    .hinted(),
    bind(
        M::Summary,
        &["left", "h"],
        B::PreviousSection,
        "previous breakdown",
    ),
    bind(M::Summary, &["enter"], B::Submit, "show these records").hinted(),
    bind(
        M::Summary,
        &["tab", "1", "esc"],
        B::Records,
        "back to the records",
    )
    .hinted(),
    bind(M::Summary, &["/"], B::Filter, "filter"),
    bind(M::Summary, &["?", "f1"], B::Help, "help").hinted(),
    bind(M::Summary, &["q"], B::Quit, "quit"),
    bind(M::Summary, &["ctrl-c"], B::Interrupt, "quit"),
    bind(M::Context, &["up", "k"], B::Up, "previous line"),
    bind(M::Context, &["down", "j"], B::Down, "next line"),
    bind(M::Context, &["pgup", "ctrl-b"], B::PageUp, "page up"),
    bind(
        M::Context,
        &["pgdn", "ctrl-f", "space"],
        B::PageDown,
        "page down",
    ),
    bind(
        M::Context,
        &["enter"],
        B::Submit,
        "show these searches in the table",
    )
    .hinted(),
    bind(M::Context, &["esc", "c"], B::Cancel, "close").hinted(),
    bind(M::Context, &["ctrl-c"], B::Interrupt, "quit"),
    bind(M::Picker, &["ctrl-c"], B::Interrupt, "quit"),
    bind(M::Overlay, &["ctrl-c"], B::Interrupt, "quit"),
    bind(M::Confirm, &["ctrl-c"], B::Interrupt, "quit"),
    bind(M::Export, &["ctrl-c"], B::Interrupt, "quit"),
];
