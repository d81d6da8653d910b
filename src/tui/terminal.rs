//! The terminal side of the review UI: raw mode and the alternate screen (restored on every
//! exit path, a panic included), signals, and the event loop that turns key presses into
//! actions and draws once per batch of events.

use std::io::{Stdout, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{self, Event, KeyEventKind, MouseButton, MouseEventKind};

use super::session::{Session, StartError};
use crate::app::Action;
use crate::commands::review::TuiOptions;
use crate::ui::{self, Theme};

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
        // A panic has restored the terminal from its hook already.
        if !std::thread::panicking() {
            restore_terminal();
        }
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
    if let Some(e) = session.fatal.take() {
        return Err(e.into());
    }
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
                crate::files::remove_live_temps();
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
        let mut busy = session.loading() || session.app.filtering() || session.app.sorting();
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
                            session.app.tell(crate::app::messages::Note::TestHang);
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
        busy |= session.exporting();
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
