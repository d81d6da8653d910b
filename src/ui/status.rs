//! The two status lines: counts, review progress, where annotations are saved and whether the
//! last save worked; then the message or the key hints that matter now.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Theme, fit};
use crate::app::{App, SaveState};
use crate::keymap::KeyMode;

fn gauge(fraction: f64, width: usize) -> String {
    let f = fraction.clamp(0.0, 1.0);
    let full = (f * width as f64).round() as usize;
    format!("{}{}", "█".repeat(full), "░".repeat(width - full))
}

/// Draws the status lines.
pub fn draw(frame: &mut Frame<'_>, app: &App, theme: &Theme, area: Rect) {
    if area.height == 0 {
        return;
    }
    let w = area.width as usize;
    let mut first: Vec<Span<'static>> = Vec::new();
    if app.loading.active {
        let f = app.loading.bytes_done as f64 / app.loading.total_bytes.max(1) as f64;
        first.push(Span::styled(
            format!(" loading {:>3.0}% ", f * 100.0),
            theme.header(),
        ));
        first.push(Span::styled(gauge(f, 10), theme.gauge()));
        first.push(Span::raw(format!(" {} records │", app.ds.len())));
    } else if app.filtering() {
        first.push(Span::styled(
            format!(" filtering {:>3.0}% │", app.filter_progress() * 100.0),
            theme.header(),
        ));
    }
    first.push(Span::raw(format!(
        " {}/{} shown",
        app.view.rows.len(),
        app.ds.len()
    )));
    let (reviewed, flagged) = app.review_progress();
    let f = reviewed as f64 / flagged.max(1) as f64;
    first.push(Span::raw(format!(
        " │ reviewed {reviewed}/{flagged} flagged "
    )));
    first.push(Span::styled(gauge(f, 10), theme.gauge()));
    first.push(Span::raw(format!(" {:.0}% │ ", f * 100.0)));
    let warnings = app.warning_count();
    if warnings > 0 {
        first.push(Span::styled(
            format!("{warnings} warnings (w) │ "),
            theme.ambiguous(),
        ));
    }
    let used: usize = first.iter().map(|s| s.content.chars().count()).sum();
    let (state, style) = match &app.save {
        SaveState::Clean => ("annotations".to_string(), theme.dim()),
        SaveState::Pending => ("saving…".to_string(), theme.dim()),
        SaveState::Saved(t) => (format!("✓ saved {t}"), theme.ok()),
        SaveState::Failed { unsaved, .. } => {
            (format!("✗ NOT SAVED ({unsaved} unsaved)"), theme.error())
        }
    };
    first.push(Span::styled(state.clone(), style));
    let room = w.saturating_sub(used + state.chars().count() + 1);
    let path = super::text(&app.store.path().display().to_string());
    first.push(Span::styled(
        format!(" {}", fit_left(&path, room)),
        theme.dim(),
    ));
    frame.render_widget(
        Paragraph::new(Line::from(first)),
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
            for (k, d) in app.key_help.hints(KeyMode::of(&app.mode)) {
                spans.push(Span::styled(k.to_string(), theme.key()));
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
fn fit_left(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let tail: String = s.chars().skip(n - width + 1).collect();
    format!("…{tail}")
}
