//! The context list: a box over the screen with, for each tie (burst, account, case, plate,
//! agency and hour, reason), how many searches share it and their verdicts, then the first of
//! them. Only the lines that fit are built.

use crate::numbers::thousands as th;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::{Theme, fit};
use crate::app::App;
use crate::app::context::{ContextList, Item, LISTED};
use crate::app::keys::KeyMode;
use crate::ingest::time::format_short;
use crate::review::dataset::NO_TIME;

/// Draws the list over `area`.
pub fn draw(frame: &mut Frame<'_>, app: &App, theme: &Theme, area: Rect, list: &ContextList) {
    let items = list.items();
    let w = area.width.saturating_sub(4).min(120);
    let h = area
        .height
        .saturating_sub(2)
        .min(items.len().min(u16::MAX as usize - 3) as u16 + 3);
    let r = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    let inner = usize::from(w.saturating_sub(2));
    let rows = usize::from(h.saturating_sub(3)).max(1);
    let first = list.cursor.saturating_sub(rows - 1);
    let mut lines: Vec<Line<'static>> = items
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .map(|(i, item)| {
            let line = match *item {
                Item::Group(g) => heading(list, g, theme, inner),
                Item::Record(_, row) => record(app, theme, row, row == list.row, inner),
            };
            if i == list.cursor {
                line.style(theme.selected())
            } else {
                line
            }
        })
        .collect();
    let k = |a: &str| {
        app.key_help
            .key_of(KeyMode::Context, a)
            .unwrap_or(a)
            .to_string()
    };
    lines.push(Line::from(Span::styled(
        fit(
            &format!(
                "{} shows a group (or from a record) in the table; there, verdicts work as usual and {} returns · {} closes",
                k("submit"),
                app.key_help.key_of(KeyMode::Normal, "cancel").unwrap_or("esc"),
                k("cancel")
            ),
            inner,
        ),
        theme.dim(),
    )));
    let (agency, reason) = (app.ds.agency_text(list.row), app.ds.reason_text(list.row));
    let partner = if app.ds.who(list.row).partner() {
        " ◆ 287(g) partner"
    } else {
        ""
    };
    let title = format!(
        " context of {} ",
        fit(
            &format!("{agency}{partner} · {reason}"),
            inner.saturating_sub(14)
        )
    );
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(title)),
        r,
    );
}

fn heading(list: &ContextList, g: usize, theme: &Theme, width: usize) -> Line<'static> {
    let group = &list.groups[g];
    let n = group.rows.len();
    let v = group.verdicts;
    let text = match group.absent {
        Some(why) => format!("{} — {why}", group.tie.label()),
        None if n == 0 => format!("{} — none", group.tie.label()),
        None => format!(
            "{} — {}: {}● {}○ {}? {} undecided{}",
            group.tie.label(),
            th(n),
            th(v[1]),
            th(v[2]),
            th(v[3]),
            th(v[0]),
            if n > LISTED {
                format!(" (first {} below)", th(LISTED))
            } else {
                String::new()
            }
        ),
    };
    let style = if n == 0 { theme.dim() } else { theme.header() };
    Line::from(Span::styled(fit(&text, width), style))
}

fn record(app: &App, theme: &Theme, row: u32, this: bool, width: usize) -> Line<'static> {
    let (mark, style) = theme.verdict(app.verdict_code(row));
    let t = app.ds.time[row as usize];
    let time = if t == NO_TIME {
        "—".to_string()
    } else {
        format_short(t)
    };
    let account = app
        .ds
        .links
        .account_name(app.ds.links.account[row as usize]);
    // ◆: the searcher holds a 287(g) agreement (a signal, not a verdict).
    let partner = if app.ds.who(row).partner() {
        "◆"
    } else {
        " "
    };
    let rest = format!(
        "{time}  {:<24} {partner}  {:<18}  {}",
        fit(app.ds.agency_text(row), 24),
        fit(if account.is_empty() { "—" } else { account }, 18),
        app.ds.reason_text(row)
    );
    Line::from(vec![
        Span::styled(if this { " ▸ " } else { "   " }, theme.header()),
        Span::styled(mark, style),
        Span::raw(" "),
        Span::raw(fit(&rest, width.saturating_sub(5))),
    ])
}
