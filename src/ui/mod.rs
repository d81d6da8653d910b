//! Drawing only: `draw(frame, &app, &theme)` reads the session and paints it. Nothing here
//! changes state; what the model needs from the screen (its size) arrives as an action.

mod context;
mod detail;
mod overlay;
mod status;
mod summary;
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
    if crate::app::layout::too_small(size.width, size.height) {
        too_small(frame, app, theme, size);
        guard_cells(frame.buffer_mut());
        return;
    }
    let layout = Layout::compute(size.width, size.height);
    top_line(frame, app, theme, rect(layout.top));
    if app.summary.shown {
        let main = rect(layout.table).union(rect(layout.detail));
        summary::draw(frame, app, theme, main);
    } else {
        table::draw(frame, app, theme, rect(layout.table));
        detail::draw(frame, app, theme, rect(layout.detail));
    }
    status::draw(frame, app, theme, rect(layout.status));
    overlay::draw(frame, app, theme, size);
    guard_cells(frame.buffer_mut());
}

/// Instead of a screen with parts missing: what size is needed, and how to quit.
fn too_small(frame: &mut Frame<'_>, app: &App, theme: &Theme, size: Rect) {
    let (w, h) = crate::app::layout::MIN_SIZE;
    let lines = vec![
        Line::from(Span::styled("terminal too small", theme.error())),
        Line::from(format!(
            "{}×{}; alpr-triage needs {w}×{h}",
            size.width, size.height
        )),
        Line::from(Span::styled(
            format!("{} quits; annotations are saved", app.key("quit")),
            theme.dim(),
        )),
    ];
    frame.render_widget(
        Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: true }),
        size,
    );
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
    if app.summary.shown {
        let of = if app.summary.filter.is_empty() {
            "every record".to_string()
        } else {
            format!("the records of filter {}", text(&app.summary.filter))
        };
        let line = Line::from(vec![
            Span::styled(" alpr-triage ", theme.header()),
            Span::raw(fit(
                &format!(" summary of {of} (flagged or not)"),
                usize::from(area.width).saturating_sub(13),
            )),
        ]);
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    let files = app.ds.files.len();
    let q = app.query_description();
    // Bare words order the rows by how well they match, whatever the sort column says.
    let sort = if app.effective_query().has_fuzzy() {
        "sort match (best first)".to_string()
    } else {
        format!(
            "sort {} {}",
            app.sort.0.label(),
            if app.sort.1 { "↓" } else { "↑" }
        )
    };
    let head = format!(
        " alpr-triage {files} file{} · filter ",
        if files == 1 { "" } else { "s" }
    );
    let tail = format!(" · {sort}");
    let room = usize::from(area.width).saturating_sub(width(&head) + width(&tail));
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
            fit(&q, room)
        }),
        Span::styled(tail, theme.dim()),
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
    layered(text, &[(spans, hl)], width, base)
}

/// A text with several kinds of spans highlighted (a later layer wins where they overlap),
/// escaped as [`text`] and cut to `width` columns. Each piece is escaped on its own, so a
/// highlight stays on the text it marks.
pub fn layered(
    text: &str,
    layers: &[(&[(u32, u32)], Style)],
    width: usize,
    base: Style,
) -> Line<'static> {
    let valid = |&(a, b): &(u32, u32)| {
        let (a, b) = (a as usize, b as usize);
        a < b && b <= text.len() && text.is_char_boundary(a) && text.is_char_boundary(b)
    };
    let mut cuts: Vec<usize> = vec![0, text.len()];
    for (spans, _) in layers {
        for &(a, b) in spans.iter().filter(|s| valid(s)) {
            cuts.push(a as usize);
            cuts.push(b as usize);
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    let style_at = |pos: usize| {
        layers
            .iter()
            .rev()
            .find(|(spans, _)| {
                spans
                    .iter()
                    .filter(|s| valid(s))
                    .any(|&(a, b)| (a as usize) <= pos && pos < b as usize)
            })
            .map(|(_, st)| *st)
            .unwrap_or(base)
    };
    // Pieces of one style each.
    let mut pieces: Vec<(usize, usize, Style)> = Vec::new();
    for w in cuts.windows(2) {
        let st = style_at(w[0]);
        match pieces.last_mut() {
            Some(last) if last.2 == st && last.1 == w[0] => last.1 = w[1],
            _ => pieces.push((w[0], w[1], st)),
        }
    }
    let mut out: Vec<Span<'static>> = Vec::new();
    let mut used = 0usize;
    for (a, b, st) in pieces {
        if used >= width {
            break;
        }
        let t = fit(&text[a..b], width - used);
        used += self::width(&t);
        out.push(Span::styled(t, st));
    }
    Line::from(out)
}
