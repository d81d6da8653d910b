//! Pop-ups: help, warnings, the agency picker, the bulk prompt and the note editor.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::{Theme, fit, text};
use crate::app::{App, Mode};
use crate::model::Field;

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// Draws the overlay of the current mode, if it has one.
pub fn draw(frame: &mut Frame<'_>, app: &App, theme: &Theme, area: Rect) {
    match &app.mode {
        Mode::Help { scroll } => {
            let r = centered(area, 86, area.height.saturating_sub(2));
            popup(
                frame,
                r,
                " help — esc closes ",
                help_lines(app, theme),
                *scroll,
            );
        }
        Mode::Warnings { scroll } => {
            let r = centered(
                area,
                area.width.saturating_sub(4),
                area.height.saturating_sub(2),
            );
            let mut lines: Vec<Line<'static>> = app
                .warning_lines()
                .iter()
                .map(|l| Line::from(text(l)))
                .collect();
            if lines.is_empty() {
                lines.push(Line::from(Span::styled(
                    "no warnings: every row of every file was read cleanly",
                    theme.dim(),
                )));
            }
            popup(
                frame,
                r,
                " load warnings and errors — esc closes ",
                lines,
                *scroll,
            );
        }
        Mode::Picker(p) => {
            let r = centered(
                area,
                96.min(area.width.saturating_sub(2)),
                area.height.saturating_sub(4),
            );
            let name_w = (r.width as usize).saturating_sub(36).max(10);
            let inner_h = r.height.saturating_sub(3) as usize;
            let start = p.cursor.saturating_sub(inner_h.saturating_sub(1));
            let mut lines = vec![Line::from(vec![
                Span::styled("agency: ", theme.key()),
                Span::raw(text(p.input.text())),
            ])];
            for (i, &idx) in p.shown.iter().enumerate().skip(start).take(inner_h) {
                let (sym, flagged, total) = p.agencies[idx];
                let name = fit(app.ds.catalog.text(Field::Agency, sym), name_w);
                let line = Line::from(format!(
                    "{name:<name_w$} {flagged:>7} flagged {total:>9} records"
                ));
                lines.push(if i == p.cursor {
                    line.style(theme.selected())
                } else {
                    line
                });
            }
            frame.render_widget(Clear, r);
            let title = format!(
                " agencies ({} of {}) — enter filters, esc closes ",
                p.shown.len(),
                p.agencies.len()
            );
            frame.render_widget(
                Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(title)),
                r,
            );
            let x = r.x + 1 + 8 + p.input.cursor() as u16;
            frame.set_cursor_position((x.min(r.right().saturating_sub(2)), r.y + 1));
        }
        Mode::Confirm { verdict, count } => prompt(
            frame,
            area,
            " bulk verdict ",
            vec![
                Line::from(format!(
                    "Mark all {count} records in this filter as {}?",
                    verdict.label()
                )),
                Line::from(Span::styled(
                    "y/enter: yes   n/esc: no   (u undoes it as one step)",
                    theme.dim(),
                )),
            ],
        ),
        Mode::Export(d) => {
            let r = centered(area, 80.min(area.width), 10);
            frame.render_widget(Clear, r);
            let mark = |i: usize| if d.focus == i { "▶ " } else { "  " };
            let fmt = match d.format {
                crate::output::Format::Csv => "CSV (spreadsheets)",
                crate::output::Format::Jsonl => "JSONL (one record a line)",
                crate::output::Format::Json => "JSON (one array)",
            };
            let scope = if d.all {
                format!("all {} records", app.ds.len())
            } else {
                format!("the current filter ({} records)", app.view.rows.len())
            };
            let lines = vec![
                Line::from(vec![
                    Span::styled(format!("{}file:   ", mark(0)), theme.key()),
                    Span::raw(text(d.path.text())),
                ]),
                Line::from(vec![
                    Span::styled(format!("{}format: ", mark(1)), theme.key()),
                    Span::raw(format!("◀ {fmt} ▶")),
                ]),
                Line::from(vec![
                    Span::styled(format!("{}scope:  ", mark(2)), theme.key()),
                    Span::raw(format!("◀ {scope} ▶")),
                ]),
                Line::from(vec![
                    Span::styled(format!("{}redact: ", mark(3)), theme.key()),
                    Span::raw(if d.redact {
                        "◀ yes: mask officers, plates, case numbers, filters ▶"
                    } else {
                        "◀ no ▶"
                    }),
                ]),
                Line::from(""),
                Line::from(Span::styled(
                    "every column, the annotation, flags and sources; plus FILE.manifest.json",
                    theme.dim(),
                )),
                Line::from(Span::styled(
                    "tab next field · ←/→ change · enter export · esc close",
                    theme.dim(),
                )),
            ];
            frame.render_widget(
                Paragraph::new(lines)
                    .block(Block::default().borders(Borders::ALL).title(" export ")),
                r,
            );
            if d.focus == 0 {
                let x = r.x + 1 + 10 + d.path.cursor() as u16;
                frame.set_cursor_position((x.min(r.right().saturating_sub(2)), r.y + 1));
            }
        }
        Mode::ConfirmQuit { unsaved } => prompt(
            frame,
            area,
            " unsaved annotations ",
            vec![
                Line::from(Span::styled(
                    format!(
                        "{unsaved} change{} could not be saved to disk.",
                        if *unsaved == 1 { "" } else { "s" }
                    ),
                    theme.error(),
                )),
                Line::from(format!(
                    "Quit anyway and lose {}?",
                    if *unsaved == 1 { "it" } else { "them" }
                )),
                Line::from(Span::styled(
                    "y: quit anyway   n/esc: stay (and try saving again)",
                    theme.dim(),
                )),
            ],
        ),
        Mode::Note { row, input } => {
            let r = centered(area, 76, 12);
            frame.render_widget(Clear, r);
            let title = format!(
                " note — {} · {} — ctrl-s saves, esc discards ",
                fit(app.ds.agency_text(*row), 24),
                fit(app.ds.reason_text(*row), 20)
            );
            let lines: Vec<Line<'static>> = input
                .text()
                .split('\n')
                .map(|l| Line::from(text(l)))
                .collect();
            let (line, col) = input.cursor_line_col();
            // Where the cursor is on the screen: the escaped text before it, in columns.
            let before: String = input
                .text()
                .split('\n')
                .nth(line)
                .unwrap_or("")
                .chars()
                .take(col)
                .collect();
            let col = super::width(&text(&before));
            let inner_h = r.height.saturating_sub(2) as usize;
            let scroll = line.saturating_sub(inner_h.saturating_sub(1));
            frame.render_widget(
                Paragraph::new(lines)
                    .block(Block::default().borders(Borders::ALL).title(title))
                    .scroll((scroll as u16, 0)),
                r,
            );
            let x = r.x + 1 + col.min(r.width.saturating_sub(3) as usize) as u16;
            frame.set_cursor_position((x, r.y + 1 + (line - scroll) as u16));
        }
        Mode::Normal | Mode::Filter { .. } => {}
    }
}

/// A small yes/no box in the middle of the screen.
fn prompt(frame: &mut Frame<'_>, area: Rect, title: &str, lines: Vec<Line<'static>>) {
    let width = lines.iter().map(|l| l.width()).max().unwrap_or(0) as u16 + 4;
    let r = centered(area, width.max(40), lines.len() as u16 + 2);
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(title.to_string()),
        ),
        r,
    );
}

fn popup(frame: &mut Frame<'_>, r: Rect, title: &str, lines: Vec<Line<'static>>, scroll: u16) {
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(title.to_string()),
            )
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        r,
    );
}

const QUERY_HELP: &[(&str, &str)] = &[
    ("word", "fuzzy match on agency or reason, best first"),
    (
        "agency:TEXT",
        "fuzzy match on agency; agency:=\"Exact Name\" for one agency",
    ),
    ("reason:TEXT", "reason contains TEXT (any case)"),
    (
        "rule:NAME",
        "flagged by that rule (see `alpr-triage rules`)",
    ),
    (
        "date:2025-01-01..2025-03-31",
        "a range (both days included); date:2025-02 a month; date:2025-02-14 a day",
    ),
    (
        "after:DATE  before:DATE",
        "after the end / before the start of a day, month or year",
    ),
    (
        "verdict:immigration|not|unsure|none|reviewed|conflict",
        "by annotation",
    ),
    ("flagged:yes|no", "replaces the flagged-only start view"),
    (
        "\"quoted value\"  -term",
        "a value with spaces; leave out what matches",
    ),
];

fn help_lines(app: &App, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for (_, title, rows) in &app.key_help.sections {
        out.push(Line::from(Span::styled(title.to_string(), theme.header())));
        for (keys, desc, _) in rows {
            out.push(Line::from(vec![
                Span::styled(format!("  {keys:<22}"), theme.key()),
                Span::raw(desc.to_string()),
            ]));
        }
        out.push(Line::from(""));
    }
    out.push(Line::from(Span::styled(
        "Filter language (terms combine with AND)",
        theme.header(),
    )));
    for (t, d) in QUERY_HELP {
        out.push(Line::from(vec![Span::styled(
            format!("  {t}"),
            theme.key(),
        )]));
        out.push(Line::from(Span::styled(format!("      {d}"), theme.dim())));
    }
    out.push(Line::from(""));
    out.push(Line::from(Span::styled(
        "Mouse: the wheel scrolls, a click selects.",
        theme.dim(),
    )));
    out.push(Line::from(Span::styled(
        format!(
            "Keys can be rebound in {}",
            crate::config::config_file().display()
        ),
        theme.dim(),
    )));
    out
}
