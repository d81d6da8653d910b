//! The summary screen's state: which breakdown is shown, the line selected, and the summary
//! itself, built in slices over the records the filter in force selects (among all records,
//! flagged or not, so that "records" and "flagged" mean something) and then kept up to date a
//! verdict at a time.

use std::time::Duration;

use super::App;
use super::messages::Note;
use crate::model::VerdictCode;
use crate::review::filter::{Candidates, FilterJob};
use crate::review::summary::{Line, Summary, SummaryJob};

/// A breakdown of the summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Section {
    /// By agency.
    #[default]
    Agencies,
    /// By month.
    Months,
    /// By rule.
    Rules,
    /// By account.
    Accounts,
    /// Who searched: out-of-state, federal, private and 287(g)-partner searches.
    Who,
    /// By the searcher's state.
    States,
    /// By the searcher's level.
    Levels,
}

impl Section {
    /// Every section, in the order the screen shows them.
    pub const ALL: [Section; 7] = [
        Section::Agencies,
        Section::Months,
        Section::Rules,
        Section::Accounts,
        Section::Who,
        Section::States,
        Section::Levels,
    ];

    /// Its name on the screen.
    pub fn label(self) -> &'static str {
        match self {
            Section::Agencies => "by agency",
            Section::Months => "by month",
            Section::Rules => "by rule",
            Section::Accounts => "by account",
            Section::Who => "who",
            Section::States => "by state",
            Section::Levels => "by level",
        }
    }

    fn step(self, by: i8) -> Section {
        let i = Section::ALL.iter().position(|s| *s == self).unwrap_or(0) as i32;
        Section::ALL[(i + i32::from(by)).rem_euclid(Section::ALL.len() as i32) as usize]
    }
}

enum Task {
    /// Selecting the records (the filter without the flagged-only start view).
    Select(FilterJob),
    /// Counting them.
    Count(Box<SummaryJob>),
}

/// The summary screen's state (kept while the table is shown, so returning finds it as left).
#[derive(Default)]
pub struct SummaryState {
    /// The breakdown shown.
    pub section: Section,
    /// The line selected in it.
    pub cursor: usize,
    task: Option<Task>,
    /// The counts, once built.
    pub done: Option<Summary>,
    /// Which records the counts are over (a bit each).
    members: Vec<u64>,
    /// The filter changed since the counts were built.
    stale: bool,
    /// The filter text the counts were built for.
    pub filter: String,
    /// The summary screen is shown (instead of the table).
    pub shown: bool,
}

impl std::fmt::Debug for SummaryState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SummaryState")
            .field("section", &self.section)
            .field("cursor", &self.cursor)
            .field("building", &self.task.is_some())
            .field("done", &self.done.is_some())
            .finish()
    }
}

impl SummaryState {
    /// True while the counts are being built.
    pub fn building(&self) -> bool {
        self.task.is_some()
    }

    fn is_member(&self, row: u32) -> bool {
        self.members
            .get(row as usize / 64)
            .is_some_and(|w| w & (1 << (row % 64)) != 0)
    }
}

impl App {
    /// Shows the summary screen, counting again if the filter changed since it was counted.
    pub(crate) fn open_summary(&mut self) {
        self.summary.shown = true;
        if self.summary.done.is_none() || self.summary.stale {
            self.start_summary();
        }
    }

    /// Starts counting the records the filter in force selects.
    pub(crate) fn start_summary(&mut self) {
        self.summary.stale = false;
        self.summary.filter = self.filter_text.trim().to_string();
        self.summary.task = Some(Task::Select(FilterJob::new(
            &self.ds,
            self.filter_query.clone(),
            Candidates::Natural(self.ds.len() as u32),
            false,
        )));
    }

    /// The filter or the records changed: the counts are out of date (counted again now if
    /// the summary is on screen, else when it is next opened).
    pub(crate) fn summary_stale(&mut self) {
        self.summary.stale = true;
        if self.summary.shown {
            self.start_summary();
        }
    }

    /// Works on the counts for up to `budget`.
    pub(crate) fn step_summary(&mut self, budget: Duration) {
        let ds = self.ds.clone();
        match &mut self.summary.task {
            Some(Task::Select(job)) => {
                if !job.step(&ds, &self.verdicts, budget) {
                    return;
                }
                let rows = std::mem::take(&mut job.rows);
                let mut members = vec![0u64; ds.len().div_ceil(64)];
                for &r in &rows {
                    members[r as usize / 64] |= 1 << (r % 64);
                }
                self.summary.members = members;
                self.summary.task = Some(Task::Count(Box::new(SummaryJob::new(rows))));
            }
            Some(Task::Count(job)) => {
                let Some(done) = job.step(&ds, &self.verdicts, budget) else {
                    return;
                };
                self.summary.done = Some(done);
                self.summary.task = None;
                let n = self.summary_lines().len();
                self.summary.cursor = self.summary.cursor.min(n.saturating_sub(1));
            }
            None => {}
        }
    }

    /// A record's verdict changed: the counts follow.
    pub(crate) fn summary_change(&mut self, row: u32, old: VerdictCode, new: VerdictCode) {
        if self.summary.is_member(row)
            && let Some(s) = &mut self.summary.done
        {
            s.change(&self.ds, row, old, new);
        }
    }

    /// The lines of the breakdown shown.
    pub fn summary_lines(&self) -> Vec<Line> {
        let Some(s) = &self.summary.done else {
            return Vec::new();
        };
        match self.summary.section {
            Section::Agencies => s.by_agency(&self.ds),
            Section::Months => s.by_month(),
            Section::Rules => s.by_rule(&self.ds),
            Section::Accounts => s.by_account(&self.ds),
            Section::Who => s.by_who(),
            Section::States => s.by_state(&self.ds),
            Section::Levels => s.by_level(&self.ds),
        }
    }

    /// Keys on the summary screen.
    pub(crate) fn summary_key(&mut self, action: super::Action) {
        use super::Action;
        let n = self.summary_lines().len();
        let page = self.view.height.max(1);
        let c = &mut self.summary.cursor;
        match action {
            Action::Up => *c = c.saturating_sub(1),
            Action::Down => *c = (*c + 1).min(n.saturating_sub(1)),
            Action::PageUp => *c = c.saturating_sub(page),
            Action::PageDown => *c = (*c + page).min(n.saturating_sub(1)),
            Action::Top => *c = 0,
            Action::Bottom => *c = n.saturating_sub(1),
            Action::Section(by) => {
                self.summary.section = self.summary.section.step(by);
                self.summary.cursor = 0;
            }
            Action::Submit => self.drill_down(),
            Action::ShowRecords | Action::Cancel => self.summary.shown = false,
            Action::OpenFilter => {
                self.mode = super::Mode::Filter {
                    input: super::TextInput::new(&self.filter_text),
                    before: self.filter_text.clone(),
                };
            }
            Action::Help => self.mode = super::Mode::Help { scroll: 0 },
            _ => {}
        }
    }

    /// Enter on a line: the records table, filtered to that line's records (the filter in
    /// force, with the line's terms in place of any term of the same kind).
    fn drill_down(&mut self) {
        let lines = self.summary_lines();
        let Some(line) = lines.get(self.summary.cursor) else {
            return;
        };
        if line.term.is_empty() {
            self.tell(Note::NoTermForLine);
            return;
        }
        // A line's term may be two (an account is an agency and a name).
        let keys: Vec<String> = crate::review::filter::terms(&line.term)
            .iter()
            .map(|t| {
                format!(
                    "{}:",
                    t.split(':').next().unwrap_or("").to_ascii_lowercase()
                )
            })
            .collect();
        let mut terms: Vec<String> = crate::review::filter::terms(&self.filter_text)
            .into_iter()
            .filter(|t| {
                let bare = t.trim_start_matches('-').to_ascii_lowercase();
                !keys.iter().any(|k| bare.starts_with(k))
            })
            .collect();
        terms.push(line.term.clone());
        let text = terms.join(" ");
        self.summary.shown = false;
        // A filter that does not parse keeps the last good one and says why.
        let _ = super::filter_line::apply_filter_text(self, &text);
    }
}
