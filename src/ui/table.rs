//! The records table: only the visible rows are built.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};

use super::{Theme, fit, highlighted};
use crate::app::App;
use crate::dataset::{NO_COUNT, NO_RULE, NO_TIME};
use crate::flag::Strength;
use crate::ingest::time::format_short;
use crate::model::Field;

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
        let msg = if app.loading.active {
            "loading… records appear here as they are read"
        } else if app.filtering() {
            "filtering…"
        } else if app.ds.is_empty() {
            "no records were loaded (w lists the problems)"
        } else {
            "no records match this filter (t: flagged ↔ all records, / to change the filter)"
        };
        frame.render_widget(
            Paragraph::new(Span::styled(msg, theme.dim())).block(block),
            area,
        );
        return;
    }
    let w = widths(area.width);
    let ds = &app.ds;
    let rows: Vec<Row<'_>> = app
        .view
        .visible()
        .map(|(i, r)| {
            let (mark, mark_style) = theme.verdict(app.verdict_code(r));
            let t = ds.time[r as usize];
            let time = if t == NO_TIME {
                "—".to_string()
            } else {
                format_short(t)
            };
            let reason_sym = ds.reason[r as usize];
            let reason = ds.catalog.text(Field::Reason, reason_sym);
            let spans: Vec<(u32, u32)> = ds
                .catalog
                .hits(Field::Reason, reason_sym)
                .iter()
                .flat_map(|h| h.spans.iter().copied())
                .collect();
            let reason_line = if reason_sym == crate::catalog::REDACTED {
                Line::from(Span::styled("[redacted]", theme.redacted()))
            } else {
                highlighted(
                    reason,
                    &spans,
                    w[3] as usize,
                    ratatui::style::Style::default(),
                    theme.matched(),
                )
            };
            let agency = ds.agency_text(r);
            let agency_hit = !ds
                .catalog
                .hits(Field::Agency, ds.agency[r as usize])
                .is_empty();
            let rule = ds.rule[r as usize];
            let rule_cell = if rule == NO_RULE {
                Span::raw("")
            } else {
                let rl = app.rules.rule(rule);
                let n = ds.hits(r).len();
                let label = if n > 1 {
                    format!("{} +{}", rl.name, n - 1)
                } else {
                    rl.name.clone()
                };
                let style = if rl.strength == Strength::Ambiguous {
                    theme.ambiguous()
                } else {
                    ratatui::style::Style::default()
                };
                Span::styled(fit(&label, w[4] as usize), style)
            };
            let nets = ds.networks[r as usize];
            let row = Row::new(vec![
                Cell::from(Span::styled(mark, mark_style)),
                Cell::from(time),
                Cell::from(Span::styled(
                    fit(agency, w[2] as usize),
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
        })
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

fn table_title(app: &App) -> Vec<Span<'static>> {
    let shown = app.view.rows.len();
    let pos = if shown == 0 { 0 } else { app.view.cursor + 1 };
    vec![Span::raw(format!(
        " {} {pos}/{shown} ",
        if app.all_records {
            "all records"
        } else {
            "flagged"
        }
    ))]
}
