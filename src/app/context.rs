//! The context list (`c`): the searches related to the selected one, grouped by what they
//! share, with their verdicts; Enter shows a group in the table (a *context view*), and Esc in
//! the table returns to the filter and the record the reviewer left.

use super::messages::Note;
use super::{App, Keep, Mode};
use crate::model::RecordId;
use crate::review::context::Group;

/// Records listed under a group's heading (Enter on the heading shows them all).
pub const LISTED: usize = 6;

/// One line of the context list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    /// A group's heading (index into the groups).
    Group(usize),
    /// One of a group's records.
    Record(usize, u32),
}

/// The open context list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextList {
    /// The record whose context this is.
    pub row: u32,
    /// What is related, by tie.
    pub groups: Vec<Group>,
    /// The line selected.
    pub cursor: usize,
}

impl ContextList {
    /// The lines, in order: each group's heading, then its first records.
    pub fn items(&self) -> Vec<Item> {
        let mut out = Vec::new();
        for (g, group) in self.groups.iter().enumerate() {
            out.push(Item::Group(g));
            out.extend(group.rows.iter().take(LISTED).map(|&r| Item::Record(g, r)));
        }
        out
    }
}

/// The table shows a context group instead of the filter's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pinned {
    /// What the rows share, for the title line.
    pub title: String,
    /// The record the reviewer was on, selected again on return.
    pub from: Option<RecordId>,
}

impl App {
    /// `c`: asks for the context list of the selected record (found by the session, which
    /// reads the files to check case numbers and plates).
    pub(crate) fn open_context(&mut self, fx: &mut Vec<super::Effect>) {
        let Some(row) = self.selected() else {
            self.tell(Note::NoRecordSelected);
            return;
        };
        if self.loading.active {
            self.tell(Note::ContextWaitsForLoad);
            return;
        }
        fx.push(super::Effect::LoadContext(row));
    }

    /// The context list was found: shown if the reviewer is still on that record.
    pub(crate) fn context_loaded(&mut self, row: u32, groups: Vec<Group>) {
        if self.selected() == Some(row) && matches!(self.mode, Mode::Normal) && !self.summary.shown
        {
            self.mode = Mode::Context(ContextList {
                row,
                groups,
                cursor: 0,
            });
        }
    }

    /// Keys in the context list.
    pub(crate) fn context_key(&mut self, action: super::Action) {
        use super::Action;
        let Mode::Context(list) = &mut self.mode else {
            return;
        };
        let n = list.items().len();
        match action {
            Action::Up => list.cursor = list.cursor.saturating_sub(1),
            Action::Down => list.cursor = (list.cursor + 1).min(n.saturating_sub(1)),
            Action::PageUp => list.cursor = list.cursor.saturating_sub(10),
            Action::PageDown => list.cursor = (list.cursor + 10).min(n.saturating_sub(1)),
            Action::Cancel | Action::OpenContext => self.mode = Mode::Normal,
            Action::Submit => {
                let list = list.clone();
                self.pin(&list);
            }
            _ => {}
        }
    }

    /// Shows the selected line's group in the table.
    fn pin(&mut self, list: &ContextList) {
        let (g, at) = match list.items().get(list.cursor) {
            Some(Item::Group(g)) => (*g, None),
            Some(Item::Record(g, r)) => (*g, Some(*r)),
            None => return,
        };
        let group = &list.groups[g];
        if group.rows.is_empty() {
            self.tell(Note::ContextEmpty);
            return;
        }
        let from = self
            .pinned
            .as_ref()
            .map(|p| p.from)
            .unwrap_or_else(|| self.selected().map(|r| self.ds.ids[r as usize]));
        self.pinned = Some(Pinned {
            title: format!(
                "{} ({})",
                group.tie.label(),
                crate::numbers::thousands(group.rows.len())
            ),
            from,
        });
        self.job = None;
        self.count_job = None;
        self.view.rows = std::sync::Arc::new(group.rows.clone());
        self.counts
            .view(&self.view.rows, &self.verdicts, self.ds.len());
        let at = at
            .or(Some(list.row))
            .and_then(|r| self.view.rows.iter().position(|&x| x == r));
        self.view.select_index(at.unwrap_or(0));
        self.mode = Mode::Normal;
        self.tell(Note::ContextShown);
    }

    /// Esc in a context view: back to the filter's records, on the record the reviewer left.
    /// Returns false when the table shows no context view.
    pub(crate) fn unpin(&mut self) -> bool {
        let Some(p) = self.pinned.take() else {
            return false;
        };
        self.start_filter_keeping(p.from.map(Keep::Record).unwrap_or(Keep::Top));
        true
    }
}
