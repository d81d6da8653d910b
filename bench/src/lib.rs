//! Benchmarks of `alpr-triage`: `cargo bench -p alpr-triage-bench` runs the criterion benches in
//! `benches/`; `src/bin/` holds the timing programs `scripts/bench.sh` runs (`csv_baseline`, the
//! csv crate alone as a floor), `tui_bench` (the review UI's response times) and
//! `annotations_bench` (large annotation files; `scripts/bench-scale.sh` runs those two). What
//! the timing programs share is here: starting and loading a session off-screen, timings,
//! resident memory.

use std::time::{Duration, Instant};

use alpr_triage::app::Action;
use alpr_triage::commands::review::TuiOptions;
use alpr_triage::tui::Session;
use alpr_triage::ui::{Theme, draw};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// A line of `/proc/self/status` (`VmRSS:`, `VmHWM:`) in MB.
pub fn rss_mb(key: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with(key)).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse::<f64>().ok())
            })
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// The median of some timings.
pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// A duration in milliseconds, for printing.
pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Draws one frame of the review UI off-screen.
pub fn frame(term: &mut Terminal<TestBackend>, s: &Session) {
    let theme = Theme::new(true);
    let _ = term.draw(|f| draw(f, &s.app, &theme));
}

/// Starts a review session and loads it as the terminal UI does (waiting on the loader,
/// stepping filters between): the session, when its first frame with records was drawn, and
/// when everything was in and settled.
pub fn start(
    opts: &TuiOptions,
    term: &mut Terminal<TestBackend>,
) -> Result<(Session, Option<Duration>, Duration), String> {
    let t0 = Instant::now();
    let mut s = Session::new(opts).map_err(|e| e.to_string())?;
    s.dispatch(Action::Resize(200, 60));
    let mut first = None;
    while s.loading() {
        s.pump_wait(Duration::from_millis(4), Duration::from_millis(8));
        if s.app.filtering() {
            s.step_filter(Duration::from_millis(8));
        }
        if first.is_none() && !s.app.shown().is_empty() {
            frame(term, &s);
            first = Some(t0.elapsed());
        }
    }
    s.settle();
    frame(term, &s);
    Ok((s, first, t0.elapsed()))
}
