//! Drawing only: `draw(frame, &app, &theme)` reads the session and paints it. Nothing here
//! changes state; what the model needs from the screen (its size) arrives as an action.

mod detail;
mod overlay;
mod status;
mod table;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub use theme::Theme;

use crate::app::layout::{Area, Layout};
use crate::app::{App, Mode};

fn rect(a: Area) -> Rect {
    Rect::new(a.0, a.1, a.2, a.3)
}

/// Paints the whole screen.
pub fn draw(frame: &mut Frame<'_>, app: &App, theme: &Theme) {
    let size = frame.area();
    let layout = Layout::compute(size.width, size.height);
    top_line(frame, app, theme, rect(layout.top));
    table::draw(frame, app, theme, rect(layout.table));
    detail::draw(frame, app, theme, rect(layout.detail));
    status::draw(frame, app, theme, rect(layout.status));
    overlay::draw(frame, app, theme, size);
}

fn top_line(frame: &mut Frame<'_>, app: &App, theme: &Theme, area: Rect) {
    if let Mode::Filter { input, .. } = &app.mode {
        let line = Line::from(vec![
            Span::styled("/", theme.key()),
            Span::raw(input.text().to_string()),
        ]);
        frame.render_widget(Paragraph::new(line), area);
        let x = area.x + 1 + input.cursor().min(u16::MAX as usize) as u16;
        frame.set_cursor_position((x.min(area.right().saturating_sub(1)), area.y));
        return;
    }
    let files = app.ds.files.len();
    let q = app.query_description();
    let sort = format!(
        "{} {}",
        app.sort.0.label(),
        if app.sort.1 { "↓" } else { "↑" }
    );
    let line = Line::from(vec![
        Span::styled(" alpr-triage ", theme.header()),
        Span::styled(
            format!("{files} file{} ", if files == 1 { "" } else { "s" }),
            theme.dim(),
        ),
        Span::styled("· filter ", theme.dim()),
        Span::raw(if q.is_empty() {
            "(all records)".to_string()
        } else {
            q
        }),
        Span::styled(format!(" · sort {sort}"), theme.dim()),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

/// Cuts text to `width` columns, ending in `…` when cut.
pub fn fit(s: &str, width: usize) -> String {
    if width == 0 {
        return String::new();
    }
    let n = s.chars().count();
    if n <= width {
        return s.to_string();
    }
    let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A text with byte spans highlighted, cut to `width` columns.
pub fn highlighted(
    text: &str,
    spans: &[(u32, u32)],
    width: usize,
    base: Style,
    hl: Style,
) -> Line<'static> {
    let mut out: Vec<Span<'static>> = Vec::new();
    let mut used = 0usize;
    let mut pos = 0usize;
    let mut sorted: Vec<(usize, usize)> = spans
        .iter()
        .map(|&(a, b)| (a as usize, b as usize))
        .filter(|&(a, b)| {
            a < b && b <= text.len() && text.is_char_boundary(a) && text.is_char_boundary(b)
        })
        .collect();
    sorted.sort_unstable();
    let push = |s: &str, style: Style, out: &mut Vec<Span<'static>>, used: &mut usize| {
        if *used >= width {
            return;
        }
        let room = width - *used;
        let t = fit(s, room);
        *used += t.chars().count();
        out.push(Span::styled(t, style));
    };
    for (a, b) in sorted {
        if a < pos {
            continue;
        }
        push(&text[pos..a], base, &mut out, &mut used);
        push(&text[a..b], hl, &mut out, &mut used);
        pos = b;
    }
    push(&text[pos..], base, &mut out, &mut used);
    Line::from(out)
}
