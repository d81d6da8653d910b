//! The only place that does I/O for the review UI: terminal events → actions → `update` →
//! effects (save, read a record) → draw. [`Session`] is everything but the terminal, so tests
//! drive the real keymap → update → effect path with key strings.

use std::io::{Stdout, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{self, Event, KeyEvent, KeyEventKind, MouseButton, MouseEventKind};

use crate::app::{Action, App, Effect, update};
use crate::commands::load_rules;
use crate::config;
use crate::ingest::ReadOptions;
use crate::ingest::catalog::Catalog;
use crate::keymap::{KeyMode, Keymap, parse_keys};
use crate::review::dataset::Dataset;
use crate::review::loader::{LoadEvent, Loader};
use crate::store::{Store, login_name};
use crate::ui::{self, Theme};

/// Options of the review UI.
#[derive(Clone, Debug, Default)]
pub struct TuiOptions {
    /// Files and folders.
    pub paths: Vec<PathBuf>,
    /// Annotation file (default: one per dataset folder in the data directory).
    pub annotations: Option<PathBuf>,
    /// Reviewer name (default: the login name).
    pub reviewer: Option<String>,
    /// Rules file.
    pub rules: Option<PathBuf>,
    /// How files are read.
    pub read: ReadOptions,
    /// Config file (default: `config.toml` in the config directory).
    pub config: Option<PathBuf>,
}

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
}

/// A review session without a terminal: the app, its keymap, the loader, and effect handling.
pub struct Session {
    /// The state.
    pub app: App,
    /// Keys → actions.
    pub keymap: Keymap,
    loader: Option<Loader>,
    _lock: crate::store::lock::Lock,
    /// Private copies of streams among the inputs (removed when the session ends).
    _spooled: Vec<crate::ingest::spool::Spooled>,
    /// The input files (read again when an agency is named).
    files: Vec<crate::ingest::InputFile>,
    /// Where the reviewer was at the last save.
    saved_session: Option<crate::store::SessionState>,
    last_save: Instant,
    read: ReadOptions,
}

/// How often a failed save is tried again.
pub const SAVE_RETRY: Duration = Duration::from_secs(2);

impl Session {
    /// Opens the inputs (loading starts in the background), the rules, the annotation file and
    /// the config.
    pub fn new(opts: &TuiOptions) -> Result<Session, StartError> {
        let rules = load_rules(opts.rules.as_deref())?;
        let mut inputs = crate::commands::inputs(&opts.paths);
        // A stream is re-read here (a record by its offset, an export's checksum): copy it.
        let (files, spooled, errors) =
            crate::ingest::spool::spool_streams(std::mem::take(&mut inputs.files));
        inputs.files = files;
        inputs.errors.extend(errors);
        if inputs.files.is_empty() {
            let why = if inputs.errors.is_empty() {
                "no .csv, .tsv, .json, .ndjson or .jsonl files (optionally .gz) in the given folders".to_string()
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
        let store = Store::open(&path)?;
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
        let ds = Dataset::new(Catalog::new(rules.clone()), inputs.files.clone());
        let loader = Loader::start(inputs.files.clone(), read, rules.clone());
        let resume = store.session.clone();
        let mut app = App::new(ds, rules, store, reviewer);
        app.advance = cfg.advance;
        app.key_help = keymap.help();
        app.loading.active = true;
        app.loading.total_bytes = loader.total_bytes;
        if !warnings.is_empty() {
            let w = app.key("warnings");
            app.say(format!("{} ({w} lists all)", warnings[0]), true);
        }
        app.config_warnings = warnings;
        app.set_resume(resume);
        app.start_filter();
        let saved_session = app.store.session.clone();
        Ok(Session {
            app,
            keymap,
            loader: Some(loader),
            _lock: lock,
            _spooled: spooled,
            last_save: Instant::now(),
            read: opts.read.clone(),
            files: inputs.files,
            saved_session,
        })
    }

    /// Reads the inputs again (after an agency was named for a file), keeping the annotations,
    /// the filter and the record selected.
    fn reload(&mut self) {
        self.loader = None;
        let rules = self.app.rules.clone();
        let ds = Dataset::new(Catalog::new(rules.clone()), self.files.clone());
        let read = read_options(&self.read, &self.app.store);
        let loader = Loader::start(self.files.clone(), read, rules);
        self.app.replace_dataset(ds, loader.total_bytes);
        self.loader = Some(loader);
    }

    /// Writes where the reviewer is into the annotation file when it changed since the last
    /// save (on quitting).
    fn save_session(&mut self) {
        let now = Some(self.app.session_state());
        if now != self.saved_session
            && !matches!(self.app.save, crate::app::SaveState::Failed { .. })
        {
            self.perform(Effect::Save);
        }
    }

    /// Applies an action and carries out its effects.
    pub fn dispatch(&mut self, action: Action) {
        let effects = update(&mut self.app, action);
        for e in effects {
            self.perform(e);
        }
    }

    fn perform(&mut self, effect: Effect) {
        match effect {
            Effect::Save => {
                // Where the reviewer is goes with every save, so a restart resumes there.
                if !self.app.loading.active {
                    self.app.store.session = Some(self.app.session_state());
                }
                self.saved_session = self.app.store.session.clone();
                let r = self
                    .app
                    .store
                    .save()
                    .map_err(|e| format!("{}: {e}", self.app.store.path().display()));
                self.dispatch(Action::Saved(r));
            }
            Effect::LoadDetail(row) => {
                let r = crate::review::full_record::record(&self.app.ds, row).map(Box::new);
                self.dispatch(Action::DetailLoaded(row, r));
            }
            Effect::Quit => {
                self.save_session();
                self.app.quit = true;
            }
            Effect::Reload => self.reload(),
            Effect::Export(req) => {
                let r = self.export(&req);
                self.dispatch(Action::Exported(r));
            }
        }
    }

    /// Writes an export and its manifest (atomically, owner-only). The dialog asked before
    /// replacing an existing file.
    fn export(&self, req: &crate::app::ExportRequest) -> Result<(String, u64), String> {
        use crate::output::export;
        use crate::output::target::Target;
        let fail = |e: &dyn std::fmt::Display| e.to_string();
        let target = Target::resolve(&req.path, true).map_err(|e| fail(&e))?;
        if target == Target::Stdout {
            return Err(
                "- is standard output, which the review UI is drawn on; give a file name".into(),
            );
        }
        let manifest = match &target {
            Target::File { given, .. } => Some(crate::output::manifest::manifest_path(given)),
            _ => None,
        };
        let mut roles: Vec<(&str, &std::path::Path)> = vec![("the export", &req.path)];
        if let Some(m) = &manifest {
            roles.push(("its manifest", m));
        }
        let inputs: Vec<crate::ingest::InputFile> =
            self.app.ds.files.iter().map(|f| f.input.clone()).collect();
        crate::commands::check_roles(&roles, Some(self.app.store.path()), &inputs)
            .map_err(|e| fail(&e))?;
        let manifest = manifest
            .map(|m| Target::resolve(&m, true))
            .transpose()
            .map_err(|e| fail(&e))?;
        let opts = export::ExportOptions {
            format: req.format,
            redact: req.redact,
            bom: true,
            read: self.read.clone(),
            cells: crate::output::CsvCells::SpreadsheetSafe,
        };
        let shown = target.describe();
        let mut no_stdout = std::io::sink();
        let (summary, written) = target
            .write(&mut no_stdout, false, manifest.is_some(), |w| {
                export::write(&self.app.ds, &self.app.store, &req.rows, &opts, w)
            })
            .map_err(|e| format!("{shown}: {e}"))?;
        if let Some(m) = &manifest {
            let doc = crate::output::manifest::manifest(&crate::output::manifest::ManifestInput {
                ds: &self.app.ds,
                annotations: self.app.store.path(),
                output: shown.clone(),
                output_sha256: written.sha256,
                format: req.format,
                cells: opts.cells,
                only: export::Only::All,
                query: &req.query,
                scope: req.scope,
                redact: req.redact,
                summary: &summary,
            });
            crate::output::manifest::write_manifest(m, &mut no_stdout, false, &doc)
                .map_err(|e| format!("{}: {e}", m.describe()))?;
        }
        Ok((shown, summary.records))
    }

    /// One key press.
    pub fn key(&mut self, ev: &KeyEvent) {
        if let Some(a) = self.keymap.action(KeyMode::of(&self.app.mode), ev) {
            self.dispatch(a);
        }
    }

    /// Takes loader events for up to `budget`. Returns true when any arrived.
    pub fn pump(&mut self, budget: Duration) -> bool {
        let deadline = Instant::now() + budget;
        let mut any = false;
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

    /// Tries a failed save again when it is time. Returns true when it tried.
    pub fn retry_save(&mut self, now: Instant) -> bool {
        let failed = matches!(self.app.save, crate::app::SaveState::Failed { .. });
        if failed && now.duration_since(self.last_save) >= SAVE_RETRY {
            self.perform(Effect::Save);
            return true;
        }
        false
    }

    /// Waits up to `timeout` for a loader event, then takes what is waiting (up to `budget`).
    pub fn pump_wait(&mut self, timeout: Duration, budget: Duration) -> bool {
        let Some(ev) = self.loader.as_ref().and_then(|l| l.recv_timeout(timeout)) else {
            return false;
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
        self.settle();
    }

    /// Works on the filter in progress for up to `budget`; when it finishes, the detail pane
    /// follows the (possibly new) selection. Returns true when it finished.
    pub fn step_filter(&mut self, budget: Duration) -> bool {
        let done = self.app.step_filter(budget);
        if done {
            for a in self.app.take_deferred() {
                self.dispatch(a);
            }
            self.sync_detail();
        }
        done
    }

    /// Reads the selected record's detail if the pane shows another one.
    fn sync_detail(&mut self) {
        if let Some(row) = self.app.selected()
            && self.app.detail.as_ref().is_none_or(|(r, _)| *r != row)
        {
            self.perform(Effect::LoadDetail(row));
        }
    }

    /// Runs the filter in progress to the end.
    pub fn settle(&mut self) {
        while self.app.filtering() {
            self.step_filter(Duration::from_secs(60));
        }
        self.sync_detail();
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
        self.loader.is_some()
    }
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
            .map(|a| (a.path.clone(), a.agency.clone())),
    );
    read
}

/// Restores the terminal when dropped, and from the panic hook.
struct TerminalGuard;

fn restore_terminal() {
    let _ = ratatui::crossterm::terminal::disable_raw_mode();
    let _ = ratatui::crossterm::execute!(
        std::io::stdout(),
        ratatui::crossterm::event::DisableMouseCapture,
        ratatui::crossterm::terminal::LeaveAlternateScreen,
        ratatui::crossterm::cursor::Show
    );
}

impl TerminalGuard {
    fn enter() -> std::io::Result<TerminalGuard> {
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore_terminal();
            hook(info);
        }));
        ratatui::crossterm::terminal::enable_raw_mode()?;
        ratatui::crossterm::execute!(
            std::io::stdout(),
            ratatui::crossterm::terminal::EnterAlternateScreen,
            ratatui::crossterm::event::EnableMouseCapture
        )?;
        Ok(TerminalGuard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Runs the review UI on the terminal until the user quits or a signal arrives. Annotations are
/// saved on every change, so quitting never loses one.
pub fn run(opts: &TuiOptions) -> Result<i32, StartError> {
    let mut session = Session::new(opts)?;
    let stop = Arc::new(AtomicBool::new(false));
    let exited = Arc::new(AtomicBool::new(false));
    watch_signals(stop.clone(), exited.clone());
    let guard = TerminalGuard::enter().map_err(StartError::Terminal)?;
    let result = event_loop(&mut session, &stop);
    drop(guard);
    exited.store(true, Ordering::SeqCst);
    result.map_err(StartError::Terminal)?;
    if let crate::app::SaveState::Failed { error, unsaved } = &session.app.save {
        let _ = writeln!(
            std::io::stderr(),
            "alpr-triage: {unsaved} annotation changes were NOT saved: {error}"
        );
        return Ok(1);
    }
    Ok(0)
}

/// Test hook (only in builds with the `test-hooks` feature, which only the tests enable): when
/// set to a character, pressing that key panics, so tests can check that a panic restores the
/// terminal.
#[cfg(feature = "test-hooks")]
pub const CRASH_KEY_ENV: &str = "ALPR_TRIAGE_CRASH_KEY";
/// Test hook (only with the `test-hooks` feature): when set to a character, pressing that key
/// wedges the event loop (as crossterm does reading a terminal that has gone away), so tests
/// can check the signal watchdog.
#[cfg(feature = "test-hooks")]
pub const HANG_KEY_ENV: &str = "ALPR_TRIAGE_HANG_KEY";

/// The keys that trip the test hooks (none in a build without `test-hooks`).
#[derive(Clone, Copy, Default)]
struct TestKeys {
    crash: Option<char>,
    hang: Option<char>,
}

impl TestKeys {
    #[cfg(feature = "test-hooks")]
    fn from_env() -> TestKeys {
        let key = |var: &str| std::env::var(var).ok().and_then(|v| v.chars().next());
        TestKeys {
            crash: key(CRASH_KEY_ENV),
            hang: key(HANG_KEY_ENV),
        }
    }

    #[cfg(not(feature = "test-hooks"))]
    fn from_env() -> TestKeys {
        TestKeys::default()
    }
}

/// SIGTERM, SIGHUP and SIGINT ask the loop to stop (it saves and restores the terminal). If the
/// loop cannot answer — after a hang-up, crossterm can spin reading a closed terminal — the
/// watchdog restores the terminal and exits. Annotations are already on disk: every change is
/// saved before the UI says so.
fn watch_signals(stop: Arc<AtomicBool>, exited: Arc<AtomicBool>) {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT]) else {
        return;
    };
    let _ = std::thread::Builder::new()
        .name("alpr-triage-signals".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                stop.store(true, Ordering::SeqCst);
                let deadline = Instant::now() + Duration::from_millis(1500);
                while Instant::now() < deadline {
                    if exited.load(Ordering::SeqCst) {
                        return;
                    }
                    std::thread::park_timeout(Duration::from_millis(20));
                }
                restore_terminal();
                crate::store::atomic::remove_live_temps();
                // The terminal may be gone: a failed write must not stop the exit.
                let _ = writeln!(
                    std::io::stderr(),
                    "alpr-triage: stopped by signal {sig}; every annotation shown as saved is on disk"
                );
                std::process::exit(128 + sig);
            }
        });
}

fn event_loop(session: &mut Session, stop: &AtomicBool) -> std::io::Result<()> {
    let theme = Theme::from_env();
    let TestKeys {
        crash: crash_key,
        hang: hang_key,
    } = TestKeys::from_env();
    let mut terminal = Terminal::new(CrosstermBackend::new(std::io::stdout()))?;
    let size = terminal.size()?;
    session.dispatch(Action::Resize(size.width, size.height));
    draw(&mut terminal, session, &theme)?;
    loop {
        if stop.load(Ordering::Relaxed) {
            session.dispatch(Action::Terminate);
        }
        if session.app.quit {
            return Ok(());
        }
        let mut dirty = session.pump(Duration::from_millis(8));
        dirty |= session.retry_save(Instant::now());
        // Keys first: typing never waits for a filter pass, only for one slice of one.
        let busy = session.loading() || session.app.filtering();
        let timeout = if busy {
            Duration::from_millis(4)
        } else {
            Duration::from_millis(250)
        };
        if event::poll(timeout)? {
            loop {
                match event::read()? {
                    Event::Key(k) if k.kind == KeyEventKind::Press => {
                        let typed = match k.code {
                            ratatui::crossterm::event::KeyCode::Char(c) => Some(c),
                            _ => None,
                        };
                        if typed.is_some() && typed == crash_key {
                            panic!("crash test: the test hook's crash key was pressed");
                        }
                        if typed.is_some() && typed == hang_key {
                            session
                                .app
                                .say("test hang: the event loop stops here", true);
                            draw(&mut terminal, session, &theme)?;
                            loop {
                                std::thread::park();
                            }
                        }
                        session.key(&k)
                    }
                    Event::Mouse(m) => match m.kind {
                        MouseEventKind::ScrollDown => session.dispatch(Action::Scroll(3)),
                        MouseEventKind::ScrollUp => session.dispatch(Action::Scroll(-3)),
                        MouseEventKind::Down(MouseButton::Left) => {
                            session.dispatch(Action::Click(m.row))
                        }
                        _ => {}
                    },
                    Event::Resize(w, h) => session.dispatch(Action::Resize(w, h)),
                    _ => {}
                }
                dirty = true;
                if session.app.quit || !event::poll(Duration::ZERO)? {
                    break;
                }
            }
        }
        if session.app.filtering() {
            session.step_filter(Duration::from_millis(8));
            dirty = true;
        }
        if dirty || busy {
            draw(&mut terminal, session, &theme)?;
        }
    }
}

fn draw(
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
    session: &Session,
    theme: &Theme,
) -> std::io::Result<()> {
    terminal.draw(|f| ui::draw(f, &session.app, theme))?;
    Ok(())
}
