//! The summary screen: the breakdowns (by agency, month, rule, account) of the records the
//! filter in force selects, with bars of flagged and confirmed searches by month. It takes the
//! place of the table and the detail pane; only the visible lines are built.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Borders, Cell, Paragraph, Row, Table};

use super::{Theme, fit, text};
use crate::app::App;
use crate::app::summary::Section;
use crate::model::{Verdict, VerdictCode};
use crate::numbers::thousands as n;
use crate::review::summary::{Line as SumLine, Tally};

fn code(v: Verdict) -> VerdictCode {
    VerdictCode::new(Some(v), false)
}

/// Draws the summary screen in `area`.
pub fn draw(frame: &mut Frame<'_>, app: &App, theme: &Theme, area: Rect) {
    if area.height < 4 {
        return;
    }
    let s = &app.summary;
    let tabs: Vec<Span<'static>> = Section::ALL
        .iter()
        .flat_map(|sec| {
            let style = if *sec == s.section {
                theme.selected().add_modifier(Modifier::BOLD)
            } else {
                theme.dim()
            };
            // No gap but the label's own padding: seven tabs fit in 80 columns.
            [Span::styled(format!(" {} ", sec.label()), style)]
        })
        .collect();
    let mut head = vec![Span::styled(" summary ", theme.header()), Span::raw(" ")];
    head.extend(tabs);
    frame.render_widget(Paragraph::new(Line::from(head)), Rect { height: 1, ..area });
    let Some(summary) = &s.done else {
        frame.render_widget(
            Paragraph::new(Span::styled(" counting…", theme.dim())),
            Rect {
                y: area.y + 1,
                height: 1,
                ..area
            },
        );
        return;
    };
    let scope = if s.filter.is_empty() {
        "every record".to_string()
    } else {
        format!("filter {}", text(&s.filter))
    };
    let t = &summary.total;
    let totals = Line::from(vec![
        Span::raw(format!(
            " {} records · {} flagged · ",
            n(t.records),
            n(t.flagged)
        )),
        Span::styled(
            format!("{}●", n(t.immigration)),
            theme.verdict(code(Verdict::Immigration)).1,
        ),
        Span::raw(" "),
        Span::styled(
            format!("{}○", n(t.not_immigration)),
            theme.verdict(code(Verdict::NotImmigration)).1,
        ),
        Span::raw(" "),
        Span::styled(
            format!("{}?", n(t.unsure)),
            theme.verdict(code(Verdict::Unsure)).1,
        ),
        Span::raw(format!(
            " · {} flagged without a verdict",
            n(t.undecided_flagged)
        )),
        Span::styled(
            format!(
                " · {scope}{}",
                if s.building() {
                    " · counting again…"
                } else {
                    ""
                }
            ),
            theme.dim(),
        ),
    ]);
    frame.render_widget(
        Paragraph::new(totals),
        Rect {
            y: area.y + 1,
            height: 1,
            ..area
        },
    );
    let mut rest = Rect {
        y: area.y + 2,
        height: area.height - 2,
        ..area
    };
    let lines = app.summary_lines();
    if s.section == Section::Months && rest.height >= 14 {
        let h = (rest.height / 3).clamp(7, 14);
        month_bars(frame, theme, Rect { height: h, ..rest }, &lines, s.cursor);
        rest.y += h;
        rest.height -= h;
    }
    table(frame, app, theme, rest, &lines);
}

/// Bars of flagged (orange) and confirmed (blue) searches, one pair a month, for the months
/// that fit around the selected one.
fn month_bars(frame: &mut Frame<'_>, theme: &Theme, area: Rect, lines: &[SumLine], cursor: usize) {
    let months: Vec<&SumLine> = lines.iter().filter(|l| !l.term.is_empty()).collect();
    // Two bars of 2 columns and a gap of 2 a month.
    let fit_n = (area.width.saturating_sub(2) / 6).max(1) as usize;
    let end = (cursor + 1).max(fit_n).min(months.len());
    let start = end.saturating_sub(fit_n);
    let flagged = theme.ambiguous();
    let confirmed = theme.verdict(code(Verdict::Immigration)).1;
    let mut chart = BarChart::default()
        .block(
            Block::default()
                .borders(Borders::TOP)
                .title(Line::from(vec![
                    Span::raw(" by month: "),
                    Span::styled("█ flagged", flagged),
                    Span::raw("  "),
                    Span::styled("█ confirmed immigration-related", confirmed),
                    Span::raw(" "),
                ])),
        )
        .bar_width(2)
        .bar_gap(0)
        .group_gap(2);
    for l in &months[start..end] {
        let short = l.label.get(2..).unwrap_or(&l.label).to_string();
        chart = chart.data(
            BarGroup::default().label(Line::from(short)).bars(&[
                Bar::default()
                    .value(l.tally.flagged)
                    .text_value(String::new())
                    .style(flagged),
                Bar::default()
                    .value(l.tally.immigration)
                    .text_value(String::new())
                    .style(confirmed),
            ]),
        );
    }
    frame.render_widget(chart, area);
}

fn counts(t: &Tally) -> [String; 6] {
    [
        n(t.records),
        n(t.flagged),
        n(t.immigration),
        n(t.not_immigration),
        n(t.unsure),
        n(t.undecided_flagged),
    ]
}

fn table(frame: &mut Frame<'_>, app: &App, theme: &Theme, area: Rect, lines: &[SumLine]) {
    let s = &app.summary;
    let rules = s.section == Section::Rules;
    let label = match s.section {
        Section::Agencies => "agency",
        Section::Months => "month",
        Section::Rules => "rule",
        Section::Accounts => "account (officer or user id) · agency",
        Section::Who => "who searched (relative to each file's owner)",
        Section::States => "searcher's state",
        Section::Levels => "searcher's level",
    };
    let mut head = vec![label, "records", "flagged", "●", "○", "?", "to do"];
    if rules {
        head.push("precision");
    }
    let numbers = head.len() - 1;
    // Count columns as wide as the largest count written out (`16,915,342`), 8 at the least.
    let widest = lines.iter().map(|l| l.tally.records).max().unwrap_or(0);
    let col = (n(widest).len() as u16).max(8);
    let label_w = area.width.saturating_sub(2 + (col + 1) * numbers as u16);
    let rows_h = area.height.saturating_sub(2) as usize;
    let offset = s.cursor.saturating_sub(rows_h.saturating_sub(1));
    let rows: Vec<Row<'_>> = lines
        .iter()
        .enumerate()
        .skip(offset)
        .take(rows_h)
        .map(|(i, l)| {
            let mut cells = vec![Cell::from(fit(&l.label, label_w as usize))];
            cells.extend(
                counts(&l.tally)
                    .into_iter()
                    .map(|c| Cell::from(format!("{c:>w$}", w = col as usize))),
            );
            if rules {
                cells.push(Cell::from(format!(
                    "{:>w$}",
                    crate::report::percent(l.tally.precision()),
                    w = col as usize
                )));
            }
            let row = Row::new(cells);
            if i == s.cursor {
                row.style(theme.selected())
            } else {
                row
            }
        })
        .collect();
    let mut constraints = vec![Constraint::Length(label_w)];
    constraints.extend(std::iter::repeat_n(Constraint::Length(col), numbers));
    let title = if lines.is_empty() {
        " nothing to count ".to_string()
    } else {
        format!(" {} lines · enter shows their records ", n(lines.len()))
    };
    let header = Row::new(
        head.iter()
            .enumerate()
            .map(|(i, h)| {
                if i == 0 {
                    h.to_string()
                } else {
                    format!("{h:>w$}", w = col as usize)
                }
            })
            .collect::<Vec<_>>(),
    )
    .style(theme.header());
    frame.render_widget(
        Table::new(rows, constraints)
            .header(header)
            .column_spacing(1)
            .block(Block::default().borders(Borders::TOP).title(title)),
        area,
    );
}
