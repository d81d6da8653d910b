//! A review session without a terminal: the app, its keymap, the loader, an export under way,
//! and the effects `update` asks for, carried out here. Tests and benchmarks drive it with key
//! strings; [`super::terminal`] drives it from the terminal.

use std::collections::VecDeque;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use ratatui::crossterm::event::KeyEvent;

use super::export_job::ExportJob;
use crate::app::{Action, App, Clock, Effect, update};
use crate::commands::load_rules;
use crate::commands::review::TuiOptions;
use crate::config;
use crate::ingest::ReadOptions;
use crate::ingest::catalog::Catalog;
use crate::keymap::{Keymap, parse_keys};
use crate::review::dataset::Dataset;
use crate::review::loader::{LoadEvent, Loader};
use crate::store::{Store, login_name};

/// Why the UI could not start. Shown on the terminal before anything is drawn.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Nothing to open.
    #[error("no input: {0}")]
    NoInput(String),
    /// Rules file problem.
    #[error(transparent)]
    Rules(#[from] crate::flag::RuleFileError),
    /// Annotation file problem.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The annotation file is open in another instance.
    #[error(transparent)]
    Lock(#[from] crate::store::lock::LockError),
    /// Terminal problem.
    #[error("cannot use the terminal: {0}")]
    Terminal(std::io::Error),
    /// An agency rules, overrides or 287(g) file is unusable.
    #[error("{0}")]
    Agencies(String),
}

/// A review session without a terminal: the app, its keymap, the loader, and effect handling.
pub struct Session {
    /// The state.
    pub app: App,
    /// Keys → actions.
    pub keymap: Keymap,
    loader: Option<Loader>,
    /// An export being written on its own thread.
    export: Option<ExportJob>,
    _lock: crate::store::lock::Lock,
    /// Private copies of streams among the inputs (removed when the session ends).
    _spooled: Vec<crate::ingest::spool::Spooled>,
    /// The input files (read again when an agency is named).
    files: Vec<crate::ingest::InputFile>,
    /// Where the reviewer was at the last save.
    saved_session: Option<crate::store::SessionState>,
    last_save: Instant,
    read: ReadOptions,
    /// Agency rules, overrides and 287(g) lists (kept for a reload).
    profiler: std::sync::Arc<crate::agency::Profiler>,
    /// Sort orders being worked out on other threads.
    sorts: Option<(mpsc::Sender<SortDone>, mpsc::Receiver<SortDone>)>,
    /// Sorts under way.
    sorts_running: usize,
    /// The annotation file being read on another thread (a large one).
    annotations: Option<mpsc::Receiver<AnnotationsRead>>,
    /// The annotation file turned out unreadable after the screen opened: the session ends
    /// with this error, having saved nothing.
    pub fatal: Option<crate::store::StoreError>,
}

/// A sort order worked out on another thread.
type SortDone = (crate::app::SortKey, std::sync::Arc<Vec<u32>>);

/// Messages of the thread reading a large annotation file.
enum AnnotationsRead {
    /// Where the reviewer left off and the agencies named (the file's head).
    Head(
        Option<crate::store::SessionState>,
        Vec<crate::store::FileAgency>,
    ),
    /// The whole file.
    Done(Box<Result<crate::store::Read, crate::store::StoreError>>),
}

/// Annotation files at least this large are read on another thread while the records load
/// (about 25,000 annotations; a smaller file is read in well under 0.1 s before the screen
/// opens).
pub const BACKGROUND_ANNOTATIONS_FROM: u64 = 8 << 20;

/// Opens the annotation file: whole when small; else its head now (it names agencies the
/// inputs are read with) and the rest on another thread, with a placeholder store meanwhile.
fn open_annotations(
    path: &std::path::Path,
) -> Result<(Store, Option<mpsc::Receiver<AnnotationsRead>>), StartError> {
    let big = std::fs::metadata(path).is_ok_and(|m| m.len() >= BACKGROUND_ANNOTATIONS_FROM);
    if !big {
        return Ok((Store::open(path)?, None));
    }
    let (tx, rx) = mpsc::channel();
    let owned = path.to_path_buf();
    std::thread::Builder::new()
        .name("alpr-triage-annotations".into())
        .spawn(move || {
            let head = tx.clone();
            let r = crate::store::read_streaming(&owned, |s, a| {
                let _ = head.send(AnnotationsRead::Head(s, a));
            });
            let _ = tx.send(AnnotationsRead::Done(Box::new(r)));
        })
        .map_err(|e| {
            StartError::Store(crate::store::StoreError::Read {
                path: path.display().to_string(),
                source: e,
            })
        })?;
    match rx.recv() {
        Ok(AnnotationsRead::Head(session, agencies)) => {
            Ok((Store::placeholder(path, session, agencies), Some(rx)))
        }
        Ok(AnnotationsRead::Done(r)) => Ok(((*r)?.store, None)),
        Err(_) => Err(StartError::Store(crate::store::StoreError::Read {
            path: path.display().to_string(),
            source: std::io::Error::other("the thread reading the file stopped"),
        })),
    }
}

/// How often a failed save is tried again.
pub const SAVE_RETRY: Duration = Duration::from_secs(2);

impl Session {
    /// Opens the inputs (loading starts in the background), the rules, the annotation file and
    /// the config.
    pub fn new(opts: &TuiOptions) -> Result<Session, StartError> {
        let rules = load_rules(opts.rules.as_deref())?;
        let profiler = std::sync::Arc::new(
            crate::agency::Profiler::load(&opts.who).map_err(StartError::Agencies)?,
        );
        let mut inputs = crate::commands::inputs(&opts.paths);
        // A stream is re-read here (a record by its offset, an export's checksum): copy it.
        let (files, spooled, errors) =
            crate::ingest::spool::spool_streams(std::mem::take(&mut inputs.files));
        inputs.files = files;
        inputs.errors.extend(errors);
        if inputs.files.is_empty() {
            let why = if inputs.errors.is_empty() {
                "no .csv, .tsv, .json, .ndjson or .jsonl files (optionally .gz) or .xlsx workbooks in the given folders".to_string()
            } else {
                inputs.errors.join("; ")
            };
            return Err(StartError::NoInput(why));
        }
        let path = opts
            .annotations
            .clone()
            .unwrap_or_else(|| config::default_annotations(&opts.paths));
        let path = crate::store::resolve(&path)?;
        let (lock, stale) = crate::store::lock::Lock::acquire(&path)?;
        let (store, annotations) = open_annotations(&path)?;
        let config_path = opts.config.clone().unwrap_or_else(config::config_file);
        let (cfg, mut warnings) = config::load(&config_path);
        let (keymap, key_warnings) =
            Keymap::default().with_overrides(&cfg.keys, &config_path.display().to_string());
        warnings.extend(key_warnings);
        warnings.extend(inputs.errors.iter().map(|e| format!("error: {e}")));
        warnings.extend(stale);
        let temps = crate::store::remove_leftovers(&path);
        if temps > 0 {
            warnings.push(format!(
                "removed {temps} unfinished temporary file{} a killed process left beside {}",
                if temps == 1 { "" } else { "s" },
                path.display()
            ));
        }
        let reviewer = opts.reviewer.clone().unwrap_or_else(login_name);
        let read = read_options(&opts.read, &store);
        let corrected = corrected(&profiler, &store, &mut warnings);
        let catalog = Catalog::new(rules.clone()).with_profiler(corrected.clone());
        let ds = Dataset::new(catalog.clone(), inputs.files.clone()).with_profiler(corrected);
        let loader = Loader::start(inputs.files.clone(), read, catalog);
        let resume = store.session.clone();
        let mut app = App::new(ds, rules, store, reviewer);
        app.who_base = profiler.clone();
        app.clock = Clock::now();
        app.advance = cfg.advance;
        app.key_help = keymap.help();
        app.loading.active = true;
        app.loading.total_bytes = loader.total_bytes;
        if !warnings.is_empty() {
            app.tell(crate::app::messages::Note::StartWarning(
                warnings[0].clone(),
            ));
        }
        app.config_warnings = warnings;
        app.set_resume(resume);
        app.start_filter();
        let saved_session = app.store.session.clone();
        Ok(Session {
            app,
            keymap,
            loader: Some(loader),
            export: None,
            _lock: lock,
            _spooled: spooled,
            last_save: Instant::now(),
            read: opts.read.clone(),
            profiler,
            files: inputs.files,
            saved_session,
            annotations,
            fatal: None,
            sorts: None,
            sorts_running: 0,
        })
    }

    /// Reads the inputs again (after an agency was named for a file), keeping the annotations,
    /// the filter and the record selected.
    fn reload(&mut self) {
        self.loader = None;
        let rules = self.app.rules.clone();
        let mut warnings = Vec::new();
        let profiler = corrected(&self.profiler, &self.app.store, &mut warnings);
        self.app.config_warnings.extend(warnings);
        let catalog = Catalog::new(rules).with_profiler(profiler.clone());
        let ds = Dataset::new(catalog.clone(), self.files.clone()).with_profiler(profiler);
        let read = read_options(&self.read, &self.app.store);
        let loader = Loader::start(self.files.clone(), read, catalog);
        self.app.replace_dataset(ds, loader.total_bytes);
        self.loader = Some(loader);
    }

    /// Applies an action, carries out its effects, and applies the actions they lead to (a
    /// save's outcome, a record read), in order: `update` is never re-entered.
    pub fn dispatch(&mut self, action: Action) {
        self.app.clock = Clock::now();
        let mut queue = VecDeque::from([action]);
        while let Some(action) = queue.pop_front() {
            for effect in update(&mut self.app, action) {
                queue.extend(self.perform(effect));
            }
        }
        self.start_sorts();
    }

    /// Works out a sort order the table asked for on another thread (a sort of millions of
    /// records takes a second; keys are answered meanwhile, on the old order).
    fn start_sorts(&mut self) {
        while let Some((key, ds, verdicts)) = self.app.take_sort_request() {
            let (tx, _) = self.sorts.get_or_insert_with(mpsc::channel);
            let tx = tx.clone();
            self.sorts_running += 1;
            std::thread::spawn(move || {
                let order = crate::app::sort_order(&ds, &verdicts, key);
                let _ = tx.send((key, std::sync::Arc::new(order)));
            });
        }
    }

    /// Sort orders that are ready (`wait`: waits for one when a sort is under way).
    fn pump_sorts(&mut self, wait: bool) -> bool {
        let Some((_, rx)) = &self.sorts else {
            return false;
        };
        let got = if wait && self.sorts_running > 0 {
            rx.recv().ok()
        } else {
            rx.try_recv().ok()
        };
        let Some((key, order)) = got else {
            return false;
        };
        self.sorts_running -= 1;
        self.dispatch(Action::SortReady(key, order));
        true
    }

    /// Carries out an effect; returns the action that reports its outcome, if any.
    fn perform(&mut self, effect: Effect) -> Option<Action> {
        match effect {
            Effect::Save if self.app.annotations_loading => None,
            Effect::Save => {
                // Where the reviewer is goes with every save, so a restart resumes there.
                if !self.app.loading.active {
                    self.app.store.session = Some(self.app.session_state());
                }
                self.saved_session = self.app.store.session.clone();
                self.last_save = Instant::now();
                let r = self
                    .app
                    .store
                    .save()
                    .map_err(|e| format!("{}: {e}", self.app.store.path().display()));
                Some(Action::Saved(r))
            }
            Effect::LoadDetail(row) => {
                let r = crate::review::full_record::record(&self.app.ds, row).map(Box::new);
                Some(Action::DetailLoaded(row, r))
            }
            Effect::LoadContext(row) => {
                let groups = crate::review::context::context(&self.app.ds, &self.app.verdicts, row);
                Some(Action::ContextLoaded(row, groups))
            }
            Effect::Quit => {
                // Where the reviewer is, when it changed since the last save.
                let now = Some(self.app.session_state());
                let failed = matches!(self.app.save, crate::app::SaveState::Failed { .. });
                if now != self.saved_session && !failed && !self.app.loading.active {
                    let _ = self.perform(Effect::Save);
                }
                // A large file's journal is folded into its snapshot, so the JSON file alone
                // holds everything (should this fail, the journal still does).
                if !failed && !self.app.annotations_loading {
                    let _ = self.app.store.compact();
                }
                self.app.quit = true;
                None
            }
            Effect::Reload => {
                self.reload();
                None
            }
            Effect::Export(req) => {
                self.export = Some(ExportJob::start(
                    self.app.ds.clone(),
                    self.app.store.clone(),
                    *req,
                    self.read.clone(),
                ));
                None
            }
        }
    }

    /// One key press.
    pub fn key(&mut self, ev: &KeyEvent) {
        if let Some(a) = self.keymap.action(self.app.key_mode(), ev) {
            self.dispatch(a);
        }
    }

    /// Takes what the loader and an export under way sent, for up to `budget`. Returns true
    /// when anything arrived.
    pub fn pump(&mut self, budget: Duration) -> bool {
        let deadline = Instant::now() + budget;
        let mut any = self.pump_export() | self.pump_annotations(false) | self.pump_sorts(false);
        while Instant::now() < deadline {
            let Some(ev) = self.loader.as_ref().and_then(Loader::try_recv) else {
                break;
            };
            let done = matches!(ev, LoadEvent::Finished { .. });
            self.dispatch(Action::Loaded(ev));
            any = true;
            if done {
                self.loader = None;
                break;
            }
        }
        any
    }

    /// The annotation file, once the thread reading it is done (`wait`: until it is).
    fn pump_annotations(&mut self, wait: bool) -> bool {
        let Some(rx) = &self.annotations else {
            return false;
        };
        let msg = if wait {
            rx.recv().ok()
        } else {
            match rx.try_recv() {
                Ok(m) => Some(m),
                Err(mpsc::TryRecvError::Empty) => return false,
                Err(mpsc::TryRecvError::Disconnected) => None,
            }
        };
        self.annotations = None;
        match msg.map(|m| match m {
            AnnotationsRead::Done(r) => Some(*r),
            AnnotationsRead::Head(..) => None,
        }) {
            Some(Some(Ok(read))) => {
                self.saved_session = read.store.session.clone();
                self.dispatch(Action::AnnotationsLoaded(Box::new(read)));
            }
            Some(Some(Err(e))) => {
                self.fatal = Some(e);
                self.app.quit = true;
            }
            Some(None) | None => {
                self.fatal = Some(crate::store::StoreError::Read {
                    path: self.app.store.path().display().to_string(),
                    source: std::io::Error::other("the thread reading the file stopped"),
                });
                self.app.quit = true;
            }
        }
        true
    }

    /// An export's progress, or its outcome once it is done.
    fn pump_export(&mut self) -> bool {
        let Some(job) = &self.export else {
            return false;
        };
        match job.outcome() {
            Some(r) => {
                self.export = None;
                self.dispatch(Action::Exported(r));
                true
            }
            None => match job.progress() {
                Some(n) => {
                    self.dispatch(Action::ExportProgress(n));
                    true
                }
                None => false,
            },
        }
    }

    /// Waits for an export under way to finish (tests).
    pub fn finish_export(&mut self) {
        if let Some(job) = self.export.take() {
            let r = job.wait();
            self.dispatch(Action::Exported(r));
        }
    }

    /// Tries a failed save again when it is time. Returns true when it tried.
    pub fn retry_save(&mut self, now: Instant) -> bool {
        let failed = matches!(self.app.save, crate::app::SaveState::Failed { .. });
        if failed && now.duration_since(self.last_save) >= SAVE_RETRY {
            self.dispatch(Action::RetrySave);
            return true;
        }
        false
    }

    /// Waits up to `timeout` for a loader event, then takes what is waiting (up to `budget`).
    pub fn pump_wait(&mut self, timeout: Duration, budget: Duration) -> bool {
        if self.loader.is_none() {
            return self.pump_annotations(true);
        }
        let Some(ev) = self.loader.as_ref().and_then(|l| l.recv_timeout(timeout)) else {
            return self.pump_annotations(false);
        };
        let done = matches!(ev, LoadEvent::Finished { .. });
        self.dispatch(Action::Loaded(ev));
        if done {
            self.loader = None;
            return true;
        }
        self.pump(budget);
        true
    }

    /// Waits for the whole load (tests and benchmarks).
    pub fn finish_loading(&mut self) {
        while let Some(loader) = &self.loader {
            match loader.recv_timeout(Duration::from_secs(60)) {
                Some(ev) => {
                    let done = matches!(ev, LoadEvent::Finished { .. });
                    self.dispatch(Action::Loaded(ev));
                    if done {
                        self.loader = None;
                    }
                }
                None => self.loader = None,
            }
        }
        self.pump_annotations(true);
        self.settle();
    }

    /// Works on the filter in progress for up to `budget` (keys held meanwhile are applied
    /// when it is done). Returns true when it finished.
    pub fn step_filter(&mut self, budget: Duration) -> bool {
        if !self.app.filtering() {
            return false;
        }
        self.dispatch(Action::FilterStep(budget));
        !self.app.filtering()
    }

    /// Runs the filter in progress to the end.
    pub fn settle(&mut self) {
        loop {
            while self.app.filtering() {
                self.step_filter(Duration::from_secs(60));
            }
            if !(self.app.sorting() && self.pump_sorts(true)) {
                break;
            }
        }
    }

    /// Types a key string (`"/agency:dallas<enter>y"`), letting filters finish after each key.
    pub fn keys(&mut self, s: &str) {
        for ev in parse_keys(s) {
            self.key(&ev);
            self.settle();
        }
    }

    /// True while loading.
    pub fn loading(&self) -> bool {
        self.loader.is_some() || self.annotations.is_some()
    }

    /// True while an export is being written.
    pub fn exporting(&self) -> bool {
        self.export.is_some()
    }
}

/// The profiler with the profile corrections kept in the annotation file (`P`); a correction that
/// cannot be used (a hand-edited file) is a warning, and the profiler is used without them.
fn corrected(
    profiler: &std::sync::Arc<crate::agency::Profiler>,
    store: &Store,
    warnings: &mut Vec<String>,
) -> std::sync::Arc<crate::agency::Profiler> {
    let origin = store.path().display().to_string();
    profiler
        .corrected(&store.agencies, &origin)
        .unwrap_or_else(|e| {
            warnings.push(format!("the profile corrections were not used: {e}"));
            profiler.clone()
        })
}

/// How files are read: the command line's options, with the agencies named in the annotation
/// file (those named later win).
fn read_options(cli: &ReadOptions, store: &Store) -> ReadOptions {
    let mut read = cli.clone();
    read.file_agencies.splice(
        0..0,
        store
            .agencies
            .iter()
            .filter(|a| !a.is_profile())
            .map(|a| (a.path.clone(), a.agency.clone())),
    );
    read
}
