//! The review session's state and the one function that changes it: `update(app, action)`
//! returns effects (save, read a record, quit) for the session (`tui::session`) to carry out. No
//! I/O and no terminal types here, so flows are tested by feeding actions.

mod action;
mod agencies;
mod annotate;
mod clock;
pub mod context;
pub mod counts;
mod export_dialog;
mod filter_line;
mod filtering;
pub mod find;
pub mod help;
pub mod keys;
pub mod layout;
pub mod messages;
mod mode;
mod note;
mod picker;
mod resume;
pub mod summary;
mod text;
mod update;
mod view;

use std::collections::HashMap;
use std::sync::Arc;

pub use action::{Action, Effect, ExportDone, ExportRequest};
pub use clock::Clock;
pub use mode::{ExportDialog, Keep, Loading, Message, Mode, Picker, SaveState, Step};
pub use text::TextInput;
pub use update::update;
pub use view::{SortKey, TableView, sort_order};

use crate::config::Advance;
use crate::flag::RuleSet;
use crate::model::VerdictCode;
use crate::output::OutRecord;
use crate::review::dataset::Dataset;
use crate::review::filter::{FilterJob, Query};
use crate::store::{Annotation, Store};

/// A finished filter: its query, the sort it ran in, and the rows it found.
type LastResult = (Query, (SortKey, bool), Arc<Vec<u32>>);

/// The review session.
pub struct App {
    /// The records (shared with an export written on its own thread).
    pub ds: Arc<Dataset>,
    /// The rule set.
    pub rules: Arc<RuleSet>,
    /// Annotations.
    pub store: Store,
    /// The annotation file is still being read on another thread (`store` is a placeholder):
    /// changes wait for it.
    pub annotations_loading: bool,
    /// Each record's verdict, as the filter and the table see it.
    pub verdicts: Vec<VerdictCode>,
    /// Who is reviewing.
    pub reviewer: String,
    /// Where the cursor goes after a verdict.
    pub advance: Advance,
    /// The table.
    pub view: TableView,
    /// The keyboard's target.
    pub mode: Mode,
    /// The filter in force, as typed.
    pub filter_text: String,
    filter_query: Query,
    /// Show every record, not only flagged ones.
    pub all_records: bool,
    /// Sort column and direction.
    pub sort: (SortKey, bool),
    orders: HashMap<SortKey, Arc<Vec<u32>>>,
    /// The sort order the table waits for.
    sorting: Option<SortKey>,
    /// The sort order asked of the session (once).
    sort_asked: Option<SortKey>,
    job: Option<FilterJob>,
    matcher: Option<FilterJob>,
    /// The last finished filter: its query, the sort it ran in, the rows it found (a filter
    /// that narrows it starts from them).
    last_result: Option<LastResult>,
    /// Which record is selected when the filter in progress finishes.
    keep: Keep,
    /// When the flagged view matches nothing: how many records match among all (counted
    /// after the filter, in slices, by `count_job`).
    pub elsewhere: Option<usize>,
    count_job: Option<FilterJob>,
    /// Records by verdict code (none, immigration, not, unsure): all records, and those in
    /// the filter in force.
    pub counts: counts::Counts,
    /// The text search (`f`): its text and which strings hold it.
    pub find: Option<find::Find>,
    /// Where the last session left off, to restore once the load is in.
    resume: Option<crate::store::SessionState>,
    /// Which record to select once the load in progress is in (a reload).
    pub(crate) keep_after_load: Option<Keep>,
    /// Moves of the cursor made while a filter or sort was being applied: they are made once
    /// it is done, on the rows it gives (a `g` right after `S` goes to the new top).
    deferred: Vec<Action>,
    /// Set while a resumed session's filter is applied: what to add to the message saying so.
    resume_note: Option<String>,
    /// Status-line message.
    pub message: Option<Message>,
    /// Annotation-file state.
    pub save: SaveState,
    /// Load progress.
    pub loading: Loading,
    undo: Vec<Step>,
    redo: Vec<Step>,
    /// The selected record's full detail.
    pub detail: Option<(u32, Result<Box<OutRecord<'static>>, String>)>,
    /// Detail pane scroll.
    pub detail_scroll: u16,
    /// Terminal size.
    pub size: (u16, u16),
    /// Problems with the config file.
    pub config_warnings: Vec<String>,
    /// Set when the session should end.
    pub quit: bool,
    /// The time, as the session last read it (update never reads the clock itself).
    pub clock: Clock,
    /// Key hints and help are generated from this (mode → [(keys, description)]).
    pub key_help: keys::KeyHelp,
    /// The user has moved the selection (until then, a finished load starts at the top).
    moved: bool,
    /// Changes made since the last successful save.
    pending: usize,
    /// Flagged records with a verdict.
    reviewed_flagged: usize,
    /// The summary screen.
    pub summary: summary::SummaryState,
    /// Agency rules, `--agencies` files and 287(g) lists, before the profile corrections kept
    /// with the annotations (`P`).
    pub who_base: Arc<crate::agency::Profiler>,
    /// The table shows a context group (see [`context`]).
    pub pinned: Option<context::Pinned>,
}

impl App {
    /// A session over a (possibly still empty) dataset.
    pub fn new(ds: Dataset, rules: Arc<RuleSet>, store: Store, reviewer: String) -> App {
        let mut app = App {
            ds: Arc::new(ds),
            rules,
            annotations_loading: store.is_placeholder(),
            store,
            verdicts: Vec::new(),
            reviewer,
            advance: Advance::default(),
            view: TableView::default(),
            mode: Mode::Normal,
            filter_text: String::new(),
            filter_query: Query::default(),
            all_records: false,
            sort: (SortKey::Time, false),
            orders: HashMap::new(),
            sorting: None,
            sort_asked: None,
            job: None,
            matcher: None,
            last_result: None,
            keep: Keep::Top,
            elsewhere: None,
            count_job: None,
            counts: counts::Counts::default(),
            find: None,
            resume: None,
            resume_note: None,
            keep_after_load: None,
            deferred: Vec::new(),
            message: None,
            save: SaveState::Clean,
            loading: Loading::default(),
            undo: Vec::new(),
            redo: Vec::new(),
            detail: None,
            detail_scroll: 0,
            size: (80, 24),
            config_warnings: Vec::new(),
            quit: false,
            clock: Clock::default(),
            key_help: keys::KeyHelp::default(),
            moved: false,
            pending: 0,
            reviewed_flagged: 0,
            summary: summary::SummaryState::default(),
            pinned: None,
            who_base: Arc::default(),
        };
        app.who_base = app.ds.profiles.profiler.clone();
        app.rows_added(0..app.ds.len() as u32);
        app.start_filter();
        app
    }

    /// Starts over on a new dataset being loaded (the same files read again): the annotations,
    /// filter, sort and view stay, and the selected record is selected again once it is in.
    pub fn replace_dataset(&mut self, ds: Dataset, total_bytes: u64) {
        let keep = self
            .selected()
            .map(|r| self.ds.ids[r as usize])
            .map(Keep::Record)
            .unwrap_or(Keep::Top);
        self.ds = Arc::new(ds);
        self.verdicts.clear();
        self.counts = counts::Counts::default();
        self.view.rows = Arc::default();
        self.view.cursor = 0;
        self.view.offset = 0;
        self.orders.clear();
        self.sort_asked = None;
        self.job = None;
        self.count_job = None;
        self.matcher = None;
        self.last_result = None;
        self.detail = None;
        self.find = None;
        self.reviewed_flagged = 0;
        self.loading = Loading {
            active: true,
            total_bytes,
            ..Loading::default()
        };
        self.rows_added(0..self.ds.len() as u32);
        self.start_filter_keeping(keep);
        self.keep_after_load = Some(keep);
    }

    /// The records shown, in order.
    pub fn shown(&self) -> &[u32] {
        &self.view.rows
    }

    /// The selected record.
    pub fn selected(&self) -> Option<u32> {
        self.view.selected()
    }

    /// Which bindings apply now.
    pub fn key_mode(&self) -> keys::KeyMode {
        match keys::KeyMode::of(&self.mode) {
            keys::KeyMode::Normal if self.summary.shown => keys::KeyMode::Summary,
            m => m,
        }
    }

    /// The label of the first key bound to `action` in the table (for messages), or the
    /// action's name when it has no key.
    pub fn key(&self, action: &str) -> String {
        self.key_help
            .key_of(keys::KeyMode::Normal, action)
            .unwrap_or(action)
            .to_string()
    }

    /// Records with a verdict among the flagged ones, and flagged records. Kept as a running
    /// count (see [`App::set_verdict_code`]): the status line asks every frame.
    pub fn review_progress(&self) -> (usize, usize) {
        (self.reviewed_flagged, self.ds.flagged_count())
    }

    /// Sets a record's verdict code, keeping the reviewed-flagged count in step.
    pub(crate) fn set_verdict_code(&mut self, row: u32, code: VerdictCode) {
        let reviewed = |c: VerdictCode| c.is_decided();
        let Some(v) = self.verdicts.get_mut(row as usize) else {
            return;
        };
        let old = std::mem::replace(v, code);
        self.counts.change(row, old, code);
        self.summary_change(row, old, code);
        if self.ds.is_flagged(row) {
            match (reviewed(old), reviewed(code)) {
                (false, true) => self.reviewed_flagged += 1,
                (true, false) => self.reviewed_flagged -= 1,
                _ => {}
            }
        }
    }

    /// Verdict code of a record.
    pub fn verdict_code(&self, row: u32) -> VerdictCode {
        self.verdicts.get(row as usize).copied().unwrap_or_default()
    }

    /// The annotation of a record.
    pub fn annotation(&self, row: u32) -> Option<&Annotation> {
        self.store.get(self.ds.ids[row as usize])
    }

    /// Warnings and errors of the load, as lines (file:line: message).
    pub fn warning_lines(&self) -> Vec<String> {
        let mut out: Vec<String> = self.config_warnings.clone();
        for f in &self.ds.files {
            if let Some(e) = &f.report.error {
                out.push(format!("error: {e}"));
            }
            for w in &f.report.warnings.list {
                match w.line {
                    Some(l) => out.push(format!(
                        "{}:{}: {}",
                        f.input.display,
                        f.report.place(l),
                        w.message
                    )),
                    None => out.push(format!("{}: {}", f.input.display, w.message)),
                }
            }
            if f.report.warnings.omitted() > 0 {
                out.push(format!(
                    "{}: … and {} more warnings (alpr-triage scan lists up to 1000 a file)",
                    f.input.display,
                    f.report.warnings.omitted()
                ));
            }
        }
        out
    }

    /// Number of warnings and errors.
    pub fn warning_count(&self) -> u64 {
        self.config_warnings.len() as u64
            + self
                .ds
                .files
                .iter()
                .map(|f| f.report.warnings.total + u64::from(f.report.error.is_some()))
                .sum::<u64>()
    }

    /// The annotation file, read on another thread, is in: the records loaded so far get their
    /// verdicts, and where the reviewer left off is restored once the records are in too.
    pub(crate) fn annotations_loaded(&mut self, read: crate::store::Read) {
        self.store = read.store;
        self.annotations_loading = false;
        for &(id, code) in &read.codes {
            if let Some(r) = self.ds.row_of(id) {
                self.set_verdict_code(r, code);
            }
        }
        self.tell(messages::Note::AnnotationsLoaded(self.store.len()));
        if !self.loading.active && !self.moved && self.resume_session() {
            return;
        }
        self.start_filter();
    }

    /// New rows arrived: give them their verdicts and, when a filter is already applied, test
    /// them against it.
    fn rows_added(&mut self, range: std::ops::Range<u32>) {
        self.verdicts.resize(self.ds.len(), VerdictCode::NONE);
        self.counts.added(range.len(), self.ds.len());
        for r in range.clone() {
            if let Some(code) = self
                .store
                .get(self.ds.ids[r as usize])
                .map(Annotation::code)
            {
                self.set_verdict_code(r, code);
            }
        }
        if range.is_empty() {
            return;
        }
        self.orders.clear();
        self.sort_asked = None;
        if let Some(job) = &mut self.job {
            job.refresh(&self.ds, self.ds.len() as u32);
        } else if let Some(m) = &mut self.matcher {
            m.refresh(&self.ds, self.ds.len() as u32);
            for r in range {
                if m.matches(&self.ds, &self.verdicts, r).is_some() {
                    Arc::make_mut(&mut self.view.rows).push(r);
                    self.counts.shown_one(r, self.verdicts[r as usize]);
                }
            }
        }
    }

    /// Holds a move of the cursor until the filter in progress is done.
    pub(crate) fn defer(&mut self, action: Action) {
        self.deferred.push(action);
    }

    /// The moves held while a filter was applied (see [`App::defer`]).
    pub fn take_deferred(&mut self) -> Vec<Action> {
        std::mem::take(&mut self.deferred)
    }

    /// Selects the first record without a verdict in the view (or the first record).
    pub fn select_first_undecided(&mut self) {
        let i = self
            .view
            .rows
            .iter()
            .position(|&r| !self.verdict_code(r).is_decided());
        self.view.select_index(i.unwrap_or(0));
    }

    /// Shows a message in the status line (see [`messages`] for the words).
    pub fn tell(&mut self, note: messages::Note) {
        self.message = Some(Message {
            text: note.text(&self.key_help),
            error: note.is_error(),
        });
    }
}
