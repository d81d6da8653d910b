//! The two status lines: counts and verdicts (for the records shown and for all records),
//! warnings, whether the last save worked, where annotations are saved; then the message or the
//! key hints that matter now. The save state is always shown whole; the rest gives way to it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Theme, fit, width};
use crate::app::counts::reviewed;
use crate::app::{App, SaveState};
use crate::numbers::thousands as n;

fn gauge(fraction: f64, width: usize) -> String {
    let f = fraction.clamp(0.0, 1.0);
    let full = (f * width as f64).round() as usize;
    format!("{}{}", "█".repeat(full), "░".repeat(width - full))
}

/// Counts by verdict: `12● 3○ 1?`.
fn by_verdict(c: &[usize; 4]) -> String {
    format!("{}● {}○ {}?", n(c[1]), n(c[2]), n(c[3]))
}

/// The first status line's parts, most important first, each in a long and a short form.
struct Parts {
    progress: Option<(String, Style)>,
    shown: (String, String),
    here: (String, String),
    all: (String, String),
    warnings: Option<(String, String)>,
    save: (String, Style),
}

fn parts(app: &App, theme: &Theme) -> Parts {
    let progress = if app.loading.active {
        let f = app.loading.bytes_done as f64 / app.loading.total_bytes.max(1) as f64;
        Some((
            format!(
                " loading {:>3.0}% {} {} records",
                f * 100.0,
                gauge(f, 8),
                n(app.ds.len())
            ),
            theme.header(),
        ))
    } else if app.sorting() {
        Some((" sorting…".to_string(), theme.header()))
    } else if app.filtering() {
        Some((
            format!(" filtering {:>3.0}%", app.filter_progress() * 100.0),
            theme.header(),
        ))
    } else {
        None
    };
    let (shown, total) = (app.view.rows.len(), app.ds.len());
    let (c, a) = (&app.counts.shown, &app.counts.all);
    let f = reviewed(c) as f64 / shown.max(1) as f64;
    let warnings = app.warning_count();
    let save = match &app.save {
        SaveState::Clean => ("annotations".to_string(), theme.dim()),
        SaveState::Pending => ("saving…".to_string(), theme.dim()),
        SaveState::Saved(t) => (format!("✓ saved {t}"), theme.ok()),
        SaveState::Failed { unsaved, .. } => (
            format!("✗ NOT SAVED ({} unsaved)", n(unsaved)),
            theme.error(),
        ),
    };
    Parts {
        progress,
        shown: (
            format!(" {}/{} shown", n(shown), n(total)),
            format!(" {}/{}", n(shown), n(total)),
        ),
        here: (
            format!(
                "reviewed {}/{} {} {:.0}%: {}",
                n(reviewed(c)),
                n(shown),
                gauge(f, 8),
                f * 100.0,
                by_verdict(c)
            ),
            format!("{} of {}", by_verdict(c), n(shown)),
        ),
        all: (
            format!(
                "all records: {} reviewed ({})",
                n(reviewed(a)),
                by_verdict(a)
            ),
            format!("all {}", by_verdict(a)),
        ),
        warnings: (warnings > 0).then(|| {
            (
                format!(
                    "{} warning{} ({})",
                    n(warnings),
                    if warnings == 1 { "" } else { "s" },
                    app.key("warnings")
                ),
                format!("{} warn", n(warnings)),
            )
        }),
        save,
    }
}

const SEP: &str = " │ ";

/// How to say the first line: the shown count long (or short), and the verdicts shown, the
/// verdicts of all records and the warnings each long, short or left out.
#[derive(Clone, Copy)]
struct Form {
    shown: bool,
    here: Option<bool>,
    all: Option<bool>,
    warnings: Option<bool>,
}

const fn form(shown: bool, here: Option<bool>, all: Option<bool>, warnings: Option<bool>) -> Form {
    Form {
        shown,
        here,
        all,
        warnings,
    }
}

/// The first line: the longest form of the parts that fits, the save state always whole, the
/// annotation file's path in what room is left.
fn first_line(app: &App, theme: &Theme, w: usize) -> Line<'static> {
    let p = parts(app, theme);
    let warn_style = theme.ambiguous();
    // Ways to say it, longest first.
    let choices = [
        form(true, Some(true), Some(true), Some(true)),
        form(true, Some(true), Some(false), Some(true)),
        form(true, Some(false), Some(false), Some(true)),
        form(false, Some(false), Some(false), Some(false)),
        form(false, Some(false), None, Some(false)),
        form(false, Some(false), None, None),
    ];
    let build = |Form {
                     shown: shown_long,
                     here,
                     all,
                     warnings: warn,
                 }: Form| {
        let mut spans: Vec<(String, Style)> = Vec::new();
        if let Some((t, st)) = &p.progress {
            spans.push((t.clone(), *st));
            spans.push((SEP.to_string(), theme.dim()));
        }
        spans.push((
            if shown_long {
                p.shown.0.clone()
            } else {
                p.shown.1.clone()
            },
            Style::default(),
        ));
        for (part, long) in [(&p.here, here), (&p.all, all)] {
            if let Some(long) = long {
                spans.push((SEP.to_string(), theme.dim()));
                spans.push((
                    if long { part.0.clone() } else { part.1.clone() },
                    Style::default(),
                ));
            }
        }
        if let (Some(w), Some(long)) = (&p.warnings, warn) {
            spans.push((SEP.to_string(), theme.dim()));
            spans.push((if long { w.0.clone() } else { w.1.clone() }, warn_style));
        }
        spans.push((SEP.to_string(), theme.dim()));
        spans.push(p.save.clone());
        spans
    };
    let total = |s: &[(String, Style)]| s.iter().map(|(t, _)| width(t)).sum::<usize>();
    let mut spans = choices
        .iter()
        .map(|&c| build(c))
        .find(|s| total(s) <= w)
        .unwrap_or_else(|| vec![p.save.clone()]);
    let room = w.saturating_sub(total(&spans) + 1);
    if room > 8 {
        let path = super::text(&app.store.path().display().to_string());
        spans.push((format!(" {}", fit_left(&path, room)), theme.dim()));
    }
    Line::from(
        spans
            .into_iter()
            .map(|(t, st)| Span::styled(t, st))
            .collect::<Vec<_>>(),
    )
}

/// Draws the status lines.
pub fn draw(frame: &mut Frame<'_>, app: &App, theme: &Theme, area: Rect) {
    if area.height == 0 {
        return;
    }
    let w = area.width as usize;
    frame.render_widget(
        Paragraph::new(first_line(app, theme, w)),
        Rect { height: 1, ..area },
    );
    if area.height < 2 {
        return;
    }
    let second = match &app.message {
        Some(m) => Line::from(Span::styled(
            format!(" {}", fit(&m.text, w.saturating_sub(1))),
            if m.error {
                theme.error()
            } else {
                ratatui::style::Style::default()
            },
        )),
        None => {
            let mut spans = vec![Span::raw(" ")];
            for (k, d) in app.key_help.hints(app.key_mode()) {
                spans.push(Span::styled(k, theme.key()));
                spans.push(Span::styled(format!(" {d}  "), theme.dim()));
            }
            Line::from(spans)
        }
    };
    frame.render_widget(
        Paragraph::new(second),
        Rect {
            y: area.y + 1,
            height: 1,
            ..area
        },
    );
}

/// Cuts a path from the left, keeping its end.
fn fit_left(s: &str, room: usize) -> String {
    if width(s) <= room {
        return s.to_string();
    }
    if room == 0 {
        return String::new();
    }
    let mut tail: Vec<char> = Vec::new();
    let mut used = 1;
    for c in s.chars().rev() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + cw > room {
            break;
        }
        used += cw;
        tail.push(c);
    }
    tail.reverse();
    format!("…{}", tail.into_iter().collect::<String>())
}
