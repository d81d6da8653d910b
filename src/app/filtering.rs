//! The table's filter and sort: the query in force, applied in slices between frames (from
//! scratch, or narrowing the last result), and sort orders worked out on another thread.

use std::sync::Arc;
use std::time::Duration;

use super::{App, Keep, SortKey};
use crate::model::VerdictCode;
use crate::review::dataset::Dataset;
use crate::review::filter::{Clause, FilterJob, Query, Term};

impl App {
    /// The query in force, with the flagged-only default unless the query says otherwise.
    pub fn effective_query(&self) -> Query {
        let mut q = self.filter_query.clone();
        if !self.all_records && !q.mentions_flagged() {
            q.clauses.push(Clause {
                negated: false,
                term: Term::Flagged(true),
            });
        }
        q
    }

    /// The query in force as text (recorded with each verdict).
    pub fn query_description(&self) -> String {
        let base = self.filter_text.trim();
        if !self.all_records && !self.filter_query.mentions_flagged() {
            if base.is_empty() {
                "flagged:yes".to_string()
            } else {
                format!("flagged:yes {base}")
            }
        } else {
            base.to_string()
        }
    }

    /// True while a filter is being applied (or its count among all records made).
    pub fn filtering(&self) -> bool {
        self.job.is_some() || self.count_job.is_some() || self.summary.building()
    }

    /// True while the filter in force is being applied (the table is not yet its result).
    pub fn filter_pending(&self) -> bool {
        self.job.is_some()
    }

    /// Progress of the filter being applied.
    pub fn filter_progress(&self) -> f64 {
        self.job.as_ref().map(FilterJob::progress).unwrap_or(1.0)
    }

    /// Starts applying the filter in force (from scratch, or narrowing the last result); when
    /// it finishes, `keep` says which record is selected.
    pub fn start_filter_keeping(&mut self, keep: Keep) {
        self.keep = keep;
        self.start_filter_job();
    }

    /// Starts applying the filter in force, keeping the selected record selected.
    pub fn start_filter(&mut self) {
        self.start_filter_keeping(Keep::Current);
    }

    pub(super) fn start_filter_job(&mut self) {
        // A new filter ends a context view, and dates the summary if its text changed.
        self.pinned = None;
        if self.summary.filter != self.filter_text.trim() {
            self.summary_stale();
        }
        let q = self.effective_query();
        self.count_job = None;
        self.elsewhere = None;
        let candidates = match &self.last_result {
            Some((prev, sort, rows))
                if *sort == self.sort && !self.loading.active && q.narrows(prev) =>
            {
                crate::review::filter::Candidates::Rows(rows.clone())
            }
            _ if self.loading.active || self.ds.is_empty() => {
                crate::review::filter::Candidates::Natural(self.ds.len() as u32)
            }
            _ => match self.order(self.sort.0) {
                Some(order) => crate::review::filter::Candidates::Order(order),
                // The order is being worked out on another thread: the table keeps its rows
                // (in the old order) until it is ready, then the filter runs on it.
                None => {
                    self.job = None;
                    return;
                }
            },
        };
        let reverse =
            self.sort.1 && matches!(candidates, crate::review::filter::Candidates::Order(_));
        self.job = Some(FilterJob::new(&self.ds, q, candidates, reverse));
    }

    /// Works on the filter for up to `budget`. Returns true when it finished in this call.
    pub fn step_filter(&mut self, budget: Duration) -> bool {
        let Some(job) = &mut self.job else {
            if let Some(c) = &mut self.count_job {
                if c.step(&self.ds, &self.verdicts, budget) {
                    self.elsewhere = self.count_job.take().map(|c| c.rows.len());
                }
            } else {
                self.step_summary(budget);
            }
            return false;
        };
        if !job.step(&self.ds, &self.verdicts, budget) {
            return false;
        }
        let Some(mut job) = self.job.take() else {
            return false;
        };
        // The record selected now (the user may have moved while the filter ran).
        let current = self.selected().map(|r| self.ds.ids[r as usize]);
        let index = self.view.cursor;
        self.view.rows = Arc::new(std::mem::take(&mut job.rows));
        self.counts
            .view(&self.view.rows, &self.verdicts, self.ds.len());
        if !self.loading.active {
            self.last_result = Some((job.query().clone(), self.sort, self.view.rows.clone()));
        }
        self.matcher = Some(job);
        let find = |app: &App, id: crate::model::RecordId| {
            let row = app.ds.row_of(id)?;
            app.view.rows.iter().position(|&r| r == row)
        };
        match self.keep {
            Keep::Top => self.view.select_index(0),
            Keep::Index => self.view.select_index(index),
            Keep::Current => match current.and_then(|id| find(self, id)) {
                Some(p) => self.view.select_index(p),
                None => self.view.clamp(),
            },
            Keep::Record(id) => match find(self, id) {
                Some(p) => self.view.select_index(p),
                None => self.select_first_undecided(),
            },
            Keep::FirstUndecided => self.select_first_undecided(),
        }
        self.keep = Keep::Current;
        self.announce_resume();
        // Nothing in the flagged view: count what matches among all records, so the empty
        // table can say so.
        if self.view.rows.is_empty()
            && !self.all_records
            && !self.filter_query.mentions_flagged()
            && !self.filter_query.clauses.is_empty()
        {
            self.count_job = Some(FilterJob::new(
                &self.ds,
                self.filter_query.clone(),
                crate::review::filter::Candidates::Natural(self.ds.len() as u32),
                false,
            ));
        }
        true
    }

    /// A sort order over every record (built once per key, until rows change).
    /// The records in `key` order, when known; else it is asked for (see
    /// [`App::take_sort_request`]).
    fn order(&mut self, key: SortKey) -> Option<Arc<Vec<u32>>> {
        if let Some(o) = self.orders.get(&key) {
            return Some(o.clone());
        }
        self.sorting = Some(key);
        None
    }

    /// A sort order to work out on another thread: the key, the records and (for the verdict
    /// order) their verdicts. Each request is given once.
    pub fn take_sort_request(&mut self) -> Option<(SortKey, Arc<Dataset>, Vec<VerdictCode>)> {
        let key = self.sorting?;
        if self.sort_asked == Some(key) {
            return None;
        }
        self.sort_asked = Some(key);
        let verdicts = if key == SortKey::Verdict {
            self.verdicts.clone()
        } else {
            Vec::new()
        };
        Some((key, self.ds.clone(), verdicts))
    }

    /// A sort order worked out on another thread: kept, and the filter in force runs on it
    /// when it is the one awaited. An order of records that were since reloaded is dropped.
    pub(crate) fn sort_ready(&mut self, key: SortKey, order: Arc<Vec<u32>>) {
        if order.len() != self.ds.len() {
            return;
        }
        self.orders.insert(key, order);
        if self.sort_asked == Some(key) {
            self.sort_asked = None;
        }
        if self.sorting == Some(key) {
            self.sorting = None;
            self.start_filter_job();
        }
    }

    /// True while the table waits for a sort order.
    pub fn sorting(&self) -> bool {
        self.sorting.is_some()
    }
}
