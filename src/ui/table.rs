//! The records table: only the visible rows are built.

use crate::numbers::thousands as th;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};

use super::theme::AMBIGUOUS_MARK;
use super::{Theme, fit, layered};
use crate::app::App;
use crate::flag::Strength;
use crate::ingest::time::format_short;
use crate::model::Field;
use crate::review::dataset::{NO_COUNT, NO_RULE, NO_TIME};

/// Column widths for a table width: mark, time, agency, reason, rule, networks.
fn widths(width: u16) -> [u16; 6] {
    let w = width.saturating_sub(2);
    let nets = if w >= 100 { 6 } else { 0 };
    let rule = if w >= 70 { 16 } else { 0 };
    let fixed = 2 + 16 + rule + nets + 5;
    let flex = w.saturating_sub(fixed);
    let agency = flex * 2 / 5;
    [2, 16, agency, flex - agency, rule, nets]
}

/// Draws the table in `area`.
pub fn draw(frame: &mut Frame<'_>, app: &App, theme: &Theme, area: Rect) {
    let title = table_title(app);
    let block = Block::default()
        .borders(Borders::TOP)
        .title(Line::from(title));
    if app.view.rows.is_empty() {
        let msg = empty_message(app);
        frame.render_widget(
            Paragraph::new(Span::styled(msg, theme.dim()))
                .wrap(ratatui::widgets::Wrap { trim: true })
                .block(block),
            area,
        );
        return;
    }
    let w = widths(area.width);
    let rows: Vec<Row<'_>> = app
        .view
        .visible()
        .map(|(i, r)| row(app, theme, &w, i, r))
        .collect();
    let header = Row::new(vec!["", "search time", "agency", "reason", "rule", " nets"])
        .style(theme.header());
    let constraints: Vec<Constraint> = w.iter().map(|&x| Constraint::Length(x)).collect();
    let table = Table::new(rows, constraints)
        .header(header)
        .block(block)
        .column_spacing(1);
    frame.render_widget(table, area);
}

/// One visible row (`i` its index in the view, `r` the record).
fn row<'a>(app: &'a App, theme: &Theme, w: &[u16; 6], i: usize, r: u32) -> Row<'a> {
    let ds = &app.ds;
    let (mark, mark_style) = theme.verdict(app.verdict_code(r));
    let t = ds.time[r as usize];
    let time = if t == NO_TIME {
        "—".to_string()
    } else {
        format_short(t)
    };
    let reason_line = reason_cell(app, theme, r, w[3] as usize);
    let agency = ds.agency_text(r);
    let agency_hit = ds
        .catalog
        .record_hits(Field::Agency, &ds.syms(r))
        .next()
        .is_some();
    let agency_found: Vec<(u32, u32)> = app
        .find
        .as_ref()
        .map(|f| f.spans(agency))
        .unwrap_or_default();
    let rule_cell = rule_cell(app, theme, r, w[4] as usize);
    let nets = ds.networks[r as usize];
    let row = Row::new(vec![
        Cell::from(Span::styled(mark, mark_style)),
        Cell::from(time),
        Cell::from(layered(
            agency,
            &[(&agency_found, theme.found())],
            w[2] as usize,
            if agency_hit {
                theme.matched()
            } else {
                ratatui::style::Style::default()
            },
        )),
        Cell::from(reason_line),
        Cell::from(rule_cell),
        Cell::from(if nets == NO_COUNT {
            String::new()
        } else {
            format!("{nets:>5}")
        }),
    ]);
    if i == app.view.cursor {
        row.style(theme.selected())
    } else {
        row
    }
}

/// The reason cell: rule matches and find matches highlighted.
fn reason_cell(app: &App, theme: &Theme, r: u32, width: usize) -> Line<'static> {
    let ds = &app.ds;
    let reason_sym = ds.reason[r as usize];
    let reason = ds.catalog.text(Field::Reason, reason_sym);
    let spans: Vec<(u32, u32)> = ds
        .catalog
        .record_hits(Field::Reason, &ds.syms(r))
        .flat_map(|h| h.spans.iter().copied())
        .collect();
    let found: Vec<(u32, u32)> = app
        .find
        .as_ref()
        .map(|f| f.spans(reason))
        .unwrap_or_default();
    if reason_sym == crate::ingest::catalog::REDACTED {
        Line::from(Span::styled("[redacted]", theme.redacted()))
    } else {
        layered(
            reason,
            &[(&spans, theme.matched()), (&found, theme.found())],
            width,
            ratatui::style::Style::default(),
        )
    }
}

/// The rule cell: the first rule's name (≈ when ambiguous) and how many more matched.
fn rule_cell(app: &App, theme: &Theme, r: u32, width: usize) -> Span<'static> {
    let ds = &app.ds;
    let rule = ds.rule[r as usize];
    if rule == NO_RULE {
        Span::raw("")
    } else {
        let rl = app.rules.rule(rule);
        let n = ds.hits(r).len();
        let mark = if rl.strength == Strength::Ambiguous {
            AMBIGUOUS_MARK
        } else {
            ""
        };
        let label = if n > 1 {
            format!("{mark}{} +{}", rl.name, n - 1)
        } else {
            format!("{mark}{}", rl.name)
        };
        let style = if rl.strength == Strength::Ambiguous {
            theme.ambiguous()
        } else {
            ratatui::style::Style::default()
        };
        Span::styled(fit(&label, width), style)
    }
}

/// What the table says when it shows no record.
fn empty_message(app: &App) -> String {
    if app.loading.active {
        return "loading… records appear here as they are read".into();
    }
    if app.filter_pending() {
        return "filtering…".into();
    }
    if app.ds.is_empty() {
        return format!(
            "no records were loaded ({} lists the problems)",
            app.key("warnings")
        );
    }
    let toggle = app.key("toggle-all");
    let filter = app.key("filter");
    match app.elsewhere {
        Some(0) => format!(
            "0 flagged records match, and none among all records either ({filter} changes the filter)"
        ),
        Some(n) => format!(
            "0 flagged records match; {} among all records — press {toggle} to see {}",
            th(n),
            if n == 1 { "it" } else { "them" }
        ),
        None if app.filtering() => "0 flagged records match; counting all records…".into(),
        None => format!(
            "no records match this filter ({toggle}: flagged ↔ all records, {filter} to change the filter)"
        ),
    }
}

fn table_title(app: &App) -> Vec<Span<'static>> {
    let shown = app.view.rows.len();
    let pos = if shown == 0 { 0 } else { app.view.cursor + 1 };
    if let Some(p) = &app.pinned {
        return vec![Span::raw(format!(
            " context: {} {}/{} · {} returns ",
            p.title,
            th(pos),
            th(shown),
            app.key("cancel")
        ))];
    }
    vec![Span::raw(format!(
        " {} {}/{} ",
        if app.all_records {
            "all records"
        } else {
            "flagged"
        },
        th(pos),
        th(shown)
    ))]
}
