//! Pop-ups: help, warnings, the agency picker, prompts (bulk verdict, quitting unsaved, find,
//! naming an agency), the export dialog and the note editor. One function each.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::{Theme, fit, text};
use crate::app::help::{HelpLine, overlay_rows};
use crate::app::keys::KeyMode;
use crate::app::{App, ExportDialog, Mode, Picker, TextInput};
use crate::model::{Field, Verdict};
use crate::numbers::thousands as n;

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
        Mode::Help { scroll } => help(frame, app, theme, area, *scroll),
        Mode::Warnings { scroll } => warnings(frame, app, theme, area, *scroll),
        Mode::Picker(p) => picker(frame, app, theme, area, p),
        Mode::Confirm {
            verdict,
            count,
            decided,
        } => bulk(frame, app, theme, area, *verdict, *count, *decided),
        Mode::Export(d) => export(frame, app, theme, area, d),
        Mode::ConfirmQuit { unsaved } => confirm_quit(frame, app, theme, area, *unsaved),
        Mode::Note { row, input } => note(frame, app, area, *row, input),
        Mode::Find { input, .. } => one_line(
            frame,
            app,
            theme,
            area,
            " find — plain text in agency and reason, any case ",
            "find: ",
            input,
        ),
        Mode::NameAgency { file, input } => {
            let name = app
                .ds
                .files
                .get(*file as usize)
                .map(|f| f.input.display.as_str())
                .unwrap_or("?");
            let title = format!(" agency of {} ", fit(name, 60));
            one_line(frame, app, theme, area, &title, "agency: ", input);
        }
        Mode::AgencyProfile { agency, input } => {
            let title = format!(
                " profile of {}: state (- for none), level, inactive; # note; empty removes ",
                fit(agency, 40)
            );
            one_line(frame, app, theme, area, &title, "profile: ", input);
        }
        Mode::Context(list) => super::context::draw(frame, app, theme, area, list),
        Mode::Normal | Mode::Filter { .. } => {}
    }
}

/// The label of the first key of `action` in `mode`.
fn key(app: &App, mode: KeyMode, action: &str) -> String {
    app.key_help
        .key_of(mode, action)
        .unwrap_or(action)
        .to_string()
}

/// A box of lines in the middle of the screen.
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

/// A scrolled list of lines, cut to the box's width, with where it is in the title.
fn popup(frame: &mut Frame<'_>, r: Rect, title: &str, lines: Vec<Line<'static>>, scroll: u16) {
    let rows = usize::from(r.height.saturating_sub(2)).max(1);
    let first = usize::from(scroll).min(lines.len().saturating_sub(1));
    let last = (first + rows).min(lines.len());
    let more = match (first > 0, last < lines.len()) {
        (true, true) => " ↑↓",
        (true, false) => " ↑",
        (false, true) => " ↓",
        (false, false) => "",
    };
    let title = format!(
        " {title} — lines {}–{last} of {}{more} ",
        (first + 1).min(last),
        lines.len()
    );
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines)
            .block(Block::default().borders(Borders::ALL).title(title))
            .scroll((first as u16, 0)),
        r,
    );
}

fn help(frame: &mut Frame<'_>, app: &App, theme: &Theme, area: Rect, scroll: u16) {
    let r = centered(area, 96, overlay_rows(app.size) as u16 + 2);
    let width = usize::from(r.width.saturating_sub(2));
    let lines = crate::app::help::lines(&app.key_help)
        .into_iter()
        .map(|l| match l {
            HelpLine::Title(t) => Line::from(Span::styled(fit(&t, width), theme.header())),
            HelpLine::Key(k, d) => {
                let k = format!("  {k:<18} ");
                let room = width.saturating_sub(super::width(&k));
                Line::from(vec![
                    Span::styled(fit(&k, width), theme.key()),
                    Span::raw(fit(&d, room)),
                ])
            }
            HelpLine::Text(t) => Line::from(fit(&t, width)),
            HelpLine::Dim(t) => Line::from(Span::styled(fit(&t, width), theme.dim())),
            HelpLine::Blank => Line::from(""),
        })
        .collect();
    let close = key(app, KeyMode::Overlay, "cancel");
    popup(frame, r, &format!("help — {close} closes"), lines, scroll);
}

fn warnings(frame: &mut Frame<'_>, app: &App, theme: &Theme, area: Rect, scroll: u16) {
    let r = centered(
        area,
        area.width.saturating_sub(4),
        overlay_rows(app.size) as u16 + 2,
    );
    let width = usize::from(r.width.saturating_sub(2));
    let mut lines: Vec<Line<'static>> = app
        .warning_lines()
        .iter()
        .map(|l| Line::from(fit(l, width)))
        .collect();
    if lines.is_empty() {
        lines.push(Line::from(Span::styled(
            "no warnings: every row of every file was read cleanly",
            theme.dim(),
        )));
    }
    let close = key(app, KeyMode::Overlay, "cancel");
    popup(
        frame,
        r,
        &format!("load warnings and errors — {close} closes"),
        lines,
        scroll,
    );
}

fn picker(frame: &mut Frame<'_>, app: &App, theme: &Theme, area: Rect, p: &Picker) {
    let r = centered(
        area,
        96.min(area.width.saturating_sub(2)),
        area.height.saturating_sub(4),
    );
    // Each agency with its profile: state, level and a 287(g) mark (docs/agencies.md).
    let name_w = (r.width as usize).saturating_sub(58).max(10);
    let inner_h = r.height.saturating_sub(3) as usize;
    let start = p.cursor.saturating_sub(inner_h.saturating_sub(1));
    let mut lines = vec![Line::from(vec![
        Span::styled("agency: ", theme.key()),
        Span::raw(text(p.input.text())),
    ])];
    for (i, &idx) in p.shown.iter().enumerate().skip(start).take(inner_h) {
        let (sym, flagged, total) = p.agencies[idx];
        let name = fit(app.ds.catalog.text(Field::Agency, sym), name_w);
        let pad = name_w.saturating_sub(super::width(&name));
        let profile = app.ds.profiles.of(sym);
        let state = profile.state.map_or("—", |s| s.as_str());
        let level = profile.level.as_str();
        let mark = if profile.partner.is_some() {
            "◆"
        } else {
            " "
        };
        let line = Line::from(format!(
            "{name}{} {state:<2} {level:<16} {mark} {:>7} flagged {:>9} records",
            " ".repeat(pad),
            n(flagged),
            n(total)
        ));
        lines.push(if i == p.cursor {
            line.style(theme.selected())
        } else {
            line
        });
    }
    frame.render_widget(Clear, r);
    let title = format!(
        " agencies ({} of {}) with state, level, ◆ 287(g) partner — {} filters, {} closes ",
        n(p.shown.len()),
        n(p.agencies.len()),
        key(app, KeyMode::Picker, "submit"),
        key(app, KeyMode::Picker, "cancel"),
    );
    frame.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(title)),
        r,
    );
    let before: String = p.input.text().chars().take(p.input.cursor()).collect();
    let x = r.x + 1 + 8 + super::width(&text(&before)) as u16;
    frame.set_cursor_position((x.min(r.right().saturating_sub(2)), r.y + 1));
}

/// The bulk-verdict prompt: how many records, how many already decided, and the keys that
/// choose between the undecided ones and all of them.
fn bulk(
    frame: &mut Frame<'_>,
    app: &App,
    theme: &Theme,
    area: Rect,
    verdict: Verdict,
    count: usize,
    decided: usize,
) {
    let k = |a: &str| key(app, KeyMode::Confirm, a);
    let undecided = count - decided;
    let mut lines = vec![Line::from(format!(
        "Mark records in this filter as {}?",
        verdict.label()
    ))];
    lines.push(Line::from(if decided == 0 {
        format!("{} records, none with a verdict yet.", n(count))
    } else {
        format!(
            "{} records: {} already {} a verdict (or reviewers who disagree), {} not.",
            n(count),
            n(decided),
            if decided == 1 { "has" } else { "have" },
            n(undecided)
        )
    }));
    lines.push(Line::from(""));
    if undecided > 0 {
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<6}", k("bulk-undecided")), theme.key()),
            Span::raw(format!(
                "mark the {} without a verdict{}",
                n(undecided),
                if decided > 0 {
                    " (the others stay as they are)"
                } else {
                    ""
                }
            )),
        ]));
    }
    if decided > 0 {
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<6}", k("bulk-overwrite")), theme.key()),
            Span::styled(
                format!(
                    "mark all {}, replacing {} verdict{}",
                    n(count),
                    n(decided),
                    if decided == 1 { "" } else { "s" }
                ),
                theme.error(),
            ),
        ]));
    }
    lines.push(Line::from(vec![
        Span::styled(format!("  {:<6}", k("cancel")), theme.key()),
        Span::raw("cancel"),
    ]));
    lines.push(Line::from(Span::styled(
        format!(
            "enter alone does not confirm a bulk change; {} undoes it as one step",
            key(app, KeyMode::Normal, "undo")
        ),
        theme.dim(),
    )));
    prompt(frame, area, " bulk verdict ", lines);
}

fn confirm_quit(frame: &mut Frame<'_>, app: &App, theme: &Theme, area: Rect, unsaved: usize) {
    let k = |a: &str| key(app, KeyMode::Confirm, a);
    prompt(
        frame,
        area,
        " unsaved annotations ",
        vec![
            Line::from(Span::styled(
                format!(
                    "{} change{} could not be saved to disk.",
                    n(unsaved),
                    if unsaved == 1 { "" } else { "s" }
                ),
                theme.error(),
            )),
            Line::from(format!(
                "Quit anyway and lose {}?",
                if unsaved == 1 { "it" } else { "them" }
            )),
            Line::from(Span::styled(
                format!(
                    "{}: quit anyway   {}: stay (and try saving again)",
                    k("confirm"),
                    k("cancel")
                ),
                theme.dim(),
            )),
        ],
    );
}

fn export(frame: &mut Frame<'_>, app: &App, theme: &Theme, area: Rect, d: &ExportDialog) {
    let r = centered(area, 80.min(area.width), 10);
    frame.render_widget(Clear, r);
    let mark = |i: usize| if d.focus == i { "▶ " } else { "  " };
    let fmt = match d.format {
        _ if d.report => "report (a folder: HTML with charts, Markdown, CSV counts)",
        crate::output::Format::Csv => "CSV (spreadsheets)",
        crate::output::Format::Jsonl => "JSONL (one record a line)",
        crate::output::Format::Json => "JSON (one array)",
    };
    let scope = match (d.all, d.report) {
        (true, _) => format!("all {} records", n(app.ds.len())),
        (false, false) => format!("the current filter ({} records)", n(app.view.rows.len())),
        (false, true) => {
            let f = app.filter_text.trim();
            if f.is_empty() {
                "the current filter (every record, flagged or not)".to_string()
            } else {
                format!("the current filter ({}, flagged or not)", fit(f, 30))
            }
        }
    };
    let k = |a: &str| key(app, KeyMode::Export, a);
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
                "◀ yes: mask officers, plates, cases; names, phones… in text ▶"
            } else {
                "◀ no ▶"
            }),
        ]),
        Line::from(""),
        Line::from(Span::styled(
            if d.report {
                "report.html, report.md, by_agency.csv, by_month.csv and manifest.json in the folder"
            } else {
                "every column, the annotation, flags and sources; plus FILE.manifest.json"
            },
            theme.dim(),
        )),
        Line::from(Span::styled(
            format!(
                "{} next field · ←/→ change · {} export · {} close",
                k("next-field"),
                k("submit"),
                k("cancel")
            ),
            theme.dim(),
        )),
    ];
    frame.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(" export ")),
        r,
    );
    if d.focus == 0 {
        let before: String = d.path.text().chars().take(d.path.cursor()).collect();
        let x = r.x + 1 + 10 + super::width(&text(&before)) as u16;
        frame.set_cursor_position((x.min(r.right().saturating_sub(2)), r.y + 1));
    }
}

fn note(frame: &mut Frame<'_>, app: &App, area: Rect, row: u32, input: &TextInput) {
    let r = centered(area, 76, 12);
    frame.render_widget(Clear, r);
    let title = format!(
        " note — {} · {} — {} saves, {} discards ",
        fit(app.ds.agency_text(row), 24),
        fit(app.ds.reason_text(row), 20),
        key(app, KeyMode::Note, "submit"),
        key(app, KeyMode::Note, "cancel"),
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

/// A one-line prompt (find, an agency's name) above the status lines.
fn one_line(
    frame: &mut Frame<'_>,
    app: &App,
    theme: &Theme,
    area: Rect,
    title: &str,
    label: &str,
    input: &TextInput,
) {
    let r = centered(area, 80.min(area.width), 4);
    frame.render_widget(Clear, r);
    let hints = format!(
        "{} done · {} cancel",
        key(app, KeyMode::Prompt, "submit"),
        key(app, KeyMode::Prompt, "cancel")
    );
    let lines = vec![
        Line::from(vec![
            Span::styled(label.to_string(), theme.key()),
            Span::raw(text(input.text())),
        ]),
        Line::from(Span::styled(hints, theme.dim())),
    ];
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(title.to_string()),
        ),
        r,
    );
    let before: String = input.text().chars().take(input.cursor()).collect();
    let x = r.x + 1 + (super::width(label) + super::width(&text(&before))) as u16;
    frame.set_cursor_position((x.min(r.right().saturating_sub(2)), r.y + 1));
}
