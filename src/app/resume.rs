//! Where a reviewer left off. The filter, the view (flagged or all), the sort and the record
//! under the cursor are saved with the annotations (see [`crate::store::SessionState`]) and
//! restored once the next load is in, so the first key of a new session never lands on an old
//! verdict by accident: when the record cannot be found, the cursor goes to the first record
//! without a verdict.

use super::messages::Note;
use super::{App, Keep, SortKey};
use crate::review::filter::Query;
use crate::store::SessionState;

impl App {
    /// What to save of this session.
    pub fn session_state(&self) -> SessionState {
        SessionState {
            filter: self.filter_text.clone(),
            all_records: self.all_records,
            sort: self.sort.0.label().to_string(),
            descending: self.sort.1,
            record_id: self.selected().map(|r| self.ds.ids[r as usize]),
        }
    }

    /// Sets the session to restore when the load is in (None: start on the first record
    /// without a verdict, in the flagged view).
    pub fn set_resume(&mut self, state: Option<SessionState>) {
        self.resume = Some(state.unwrap_or_default());
    }

    /// Restores the saved session, once the load is in. Returns true when it started the
    /// filter that restores it.
    pub(super) fn resume_session(&mut self) -> bool {
        let Some(state) = self.resume.take() else {
            return false;
        };
        let mut note = None;
        match Query::parse(&state.filter, &self.rules) {
            Ok(q) => {
                self.filter_text = state.filter.clone();
                self.filter_query = q;
            }
            Err(e) => {
                note = Some(format!(
                    " (the saved filter {:?} no longer parses: {})",
                    state.filter, e.message
                ));
            }
        }
        if note.is_none() {
            self.all_records = state.all_records;
        }
        if let Some(key) = SortKey::from_label(&state.sort) {
            self.sort = (key, state.descending);
        }
        self.resume_note = Some(note.unwrap_or_default());
        self.start_filter_keeping(match (state.record_id, self.resume_note.as_deref()) {
            (Some(id), Some("")) => Keep::Record(id),
            _ => Keep::FirstUndecided,
        });
        true
    }

    /// Once the resumed filter is applied: says where the session resumed.
    pub(super) fn announce_resume(&mut self) {
        let Some(note) = self.resume_note.take() else {
            return;
        };
        // A problem reported at the start (a stale lock, a bad config) stays in view.
        if self.message.as_ref().is_some_and(|m| m.error) {
            return;
        }
        if self.store.is_empty() {
            self.tell(Note::FirstRun);
            return;
        }
        let shown = self.view.rows.len();
        let reviewed = super::counts::reviewed(&self.counts.shown);
        self.tell(Note::Resumed {
            reviewed,
            shown,
            flagged_only: !(self.all_records || self.filter_query.mentions_flagged()),
            note,
        });
    }
}
