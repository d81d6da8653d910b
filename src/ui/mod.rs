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
    guard_cells(frame.buffer_mut());
}

/// The last line of defence: a cell that would still send a control, format or bidi character
/// to the terminal shows `�` instead. Data text is escaped before it is laid out ([`text`],
/// [`fit`], [`highlighted`]), so that it keeps its columns; this catches what was missed.
fn guard_cells(buf: &mut ratatui::buffer::Buffer) {
    for cell in &mut buf.content {
        let sym = cell.symbol();
        if sym.len() == 1 && sym.as_bytes()[0].is_ascii_graphic() || sym == " " {
            continue;
        }
        if matches!(crate::sanitize::visible(sym), std::borrow::Cow::Owned(_)) {
            cell.set_symbol("�");
        }
    }
}

/// Text from the data (or typed) for one line of the screen: controls, format and bidi
/// characters shown as `⟨U+202E⟩` (see [`crate::sanitize`]).
pub fn text(s: &str) -> String {
    crate::sanitize::visible(s).into_owned()
}

/// Columns a text takes on the screen.
pub fn width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

fn top_line(frame: &mut Frame<'_>, app: &App, theme: &Theme, area: Rect) {
    if let Mode::Filter { input, .. } = &app.mode {
        let line = Line::from(vec![
            Span::styled("/", theme.key()),
            Span::raw(text(input.text())),
        ]);
        frame.render_widget(Paragraph::new(line), area);
        let before: String = input.text().chars().take(input.cursor()).collect();
        let x = area.x + 1 + width(&text(&before)).min(u16::MAX as usize) as u16;
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
            text(&q)
        }),
        Span::styled(format!(" · sort {sort}"), theme.dim()),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

/// Data text cut to `width` screen columns (wide characters count two), escaped as [`text`],
/// ending in `…` when cut.
pub fn fit(s: &str, width: usize) -> String {
    let s = crate::sanitize::visible(s);
    cut(&s, width)
}

/// Already escaped text cut to `width` columns.
fn cut(s: &str, max: usize) -> String {
    if max == 0 {
        return String::new();
    }
    if width(s) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// A text with byte spans highlighted, escaped as [`text`] and cut to `width` columns.
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
    // Each piece is escaped on its own, so the highlight stays on the text it marks.
    let push = |s: &str, style: Style, out: &mut Vec<Span<'static>>, used: &mut usize| {
        if *used >= width {
            return;
        }
        let room = width - *used;
        let t = fit(s, room);
        *used += self::width(&t);
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
