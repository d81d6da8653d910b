//! The detail pane: every field of the selected record, its flags explained, its sources, and
//! its annotation.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::{Theme, highlighted, text};
use crate::app::App;
use crate::output::OutValue;

/// Draws the detail pane.
pub fn draw(frame: &mut Frame<'_>, app: &App, theme: &Theme, area: Rect) {
    let block = Block::default().borders(Borders::TOP).title(" record ");
    let Some(row) = app.selected() else {
        frame.render_widget(Paragraph::new("").block(block), area);
        return;
    };
    let lines = lines(app, theme, row, area.width.saturating_sub(2) as usize);
    let p = Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((app.detail_scroll, 0));
    frame.render_widget(p, area);
}

fn kv(theme: &Theme, k: &str, v: Span<'static>) -> Line<'static> {
    Line::from(vec![Span::styled(format!("{k}: "), theme.dim()), v])
}

/// The pane's lines for a record.
pub fn lines(app: &App, theme: &Theme, row: u32, width: usize) -> Vec<Line<'static>> {
    let mut out: Vec<Line<'static>> = Vec::new();
    // Annotation first: it is what the reviewer is deciding.
    annotation_lines(app, theme, row, &mut out);
    flag_lines(app, theme, row, width, &mut out);
    who_lines(app, theme, row, &mut out);
    field_lines(app, theme, row, &mut out);
    out
}

/// The verdict, reviewers and note, or how to give one.
fn annotation_lines(app: &App, theme: &Theme, row: u32, out: &mut Vec<Line<'static>>) {
    let (mark, style) = theme.verdict(app.verdict_code(row));
    match app.annotation(row) {
        Some(a) => {
            let v = a.verdict.map(|v| v.label()).unwrap_or("no verdict");
            out.push(Line::from(vec![
                Span::styled(format!("{mark} {v}"), style),
                Span::styled(
                    format!("  by {} at {}", text(&a.reviewer), text(&a.annotated_at)),
                    theme.dim(),
                ),
            ]));
            if a.conflict {
                out.push(Line::from(Span::styled(
                    "reviewers disagree: set a verdict to adjudicate",
                    theme.error(),
                )));
            }
            for r in &a.reviews {
                out.push(Line::from(Span::styled(
                    format!(
                        "  {}: {}{}",
                        text(&r.reviewer),
                        r.verdict.map(|v| v.label()).unwrap_or("no verdict"),
                        if r.note.is_empty() {
                            String::new()
                        } else {
                            format!(" — {}", text(&r.note.replace('\n', " ")))
                        }
                    ),
                    theme.dim(),
                )));
            }
            if let Some(by) = &a.adjudicated_by {
                out.push(Line::from(Span::styled(
                    format!("  adjudicated by {}", text(by)),
                    theme.dim(),
                )));
            }
            for (i, l) in a.note.lines().enumerate() {
                out.push(kv(
                    theme,
                    if i == 0 { "note" } else { "    " },
                    Span::raw(text(l)),
                ));
            }
        }
        None => out.push(Line::from(Span::styled(
            format!(
                "{mark} no verdict yet — {} immigration · {} not · {} unsure · {} note",
                app.key("verdict-immigration"),
                app.key("verdict-not"),
                app.key("verdict-unsure"),
                app.key("edit-note")
            ),
            theme.dim(),
        ))),
    }
}

/// Why it was flagged: each rule, its strength, the matched text and what to check.
fn flag_lines(app: &App, theme: &Theme, row: u32, width: usize, out: &mut Vec<Line<'static>>) {
    let ds = &app.ds;
    let hits = ds.hits(row);
    if hits.is_empty() {
        out.push(Line::from(Span::styled(
            "not flagged by any rule",
            theme.dim(),
        )));
    }
    for (h, text) in &hits {
        let rule = app.rules.rule(h.rule);
        let mut spans = vec![
            Span::styled(format!("⚑ {} ", rule.name), theme.header()),
            Span::styled(
                format!(
                    "[{}{}] ",
                    if rule.strength == crate::flag::Strength::Ambiguous {
                        super::theme::AMBIGUOUS_MARK
                    } else {
                        ""
                    },
                    rule.strength.as_str()
                ),
                if rule.strength == crate::flag::Strength::Ambiguous {
                    theme.ambiguous()
                } else {
                    theme.dim()
                },
            ),
            Span::styled(format!("{}: ", h.field.key()), theme.dim()),
        ];
        spans.extend(
            highlighted(
                text,
                &h.spans,
                width.saturating_sub(20).max(10),
                ratatui::style::Style::default(),
                theme.matched(),
            )
            .spans,
        );
        out.push(Line::from(spans));
        out.push(Line::from(Span::styled(
            format!("  {}", rule.description),
            theme.dim(),
        )));
        if let Some(n) = &rule.note {
            out.push(Line::from(Span::styled(
                format!("  check: {n}"),
                theme.ambiguous(),
            )));
        }
    }
}

/// Who searched whose data: the searcher's profile against the file's owner, and a 287(g)
/// agreement as a signal to check (never a verdict).
fn who_lines(app: &App, theme: &Theme, row: u32, out: &mut Vec<Line<'static>>) {
    let who = app.ds.who(row);
    let p = who.searcher;
    let state = |s: Option<crate::agency::StateCode>| s.map_or("no state", |s| s.as_str());
    let mut line = format!(
        "searcher: {}, {}{}",
        state(p.state),
        p.level.as_str(),
        if p.inactive { ", inactive" } else { "" }
    );
    match who.owner {
        Some(o) => {
            line.push_str(&format!(
                " · owner: {} ({}, {})",
                text(&o.name),
                state(o.profile.state),
                o.origin
            ));
            match who.out_of_state() {
                Some(true) => line.push_str(" · OUT OF STATE"),
                Some(false) => line.push_str(" · same state"),
                None => line.push_str(" · out of state: unknown"),
            }
        }
        None => line.push_str(" · owner: not known (--owner PATH=NAME)"),
    }
    out.push(Line::from(Span::styled(line, theme.dim())));
    out.push(Line::from(Span::styled(
        format!("  profile: {}", p.why),
        theme.dim(),
    )));
    if let Some(f) = &p.partner {
        let agreements: Vec<String> = f
            .agreements
            .iter()
            .map(|a| {
                format!(
                    "{} {}{}",
                    text(&a.support),
                    match a.status {
                        crate::agency::partners::Status::Participating => "signed ",
                        crate::agency::partners::Status::Pending => "pending",
                    },
                    a.signed.as_deref().map(text).unwrap_or_default()
                )
            })
            .collect();
        out.push(Line::from(Span::styled(
            format!(
                "◆ 287(g) partner (a signal, not a verdict): {} — matched {} by {}",
                agreements.join("; "),
                text(&f.agreements[0].agency),
                f.method
            ),
            theme.ambiguous(),
        )));
    }
}

/// Every field, from the re-read row when it is in.
fn field_lines(app: &App, theme: &Theme, row: u32, out: &mut Vec<Line<'static>>) {
    match &app.detail {
        Some((r, Ok(rec))) if *r == row => {
            out.push(Line::from(""));
            for (k, v) in &rec.fields {
                let value = match v {
                    OutValue::Null => continue,
                    OutValue::Str(s) => Span::raw(text(&s.replace('\n', " ⏎ "))),
                    OutValue::Int(n) => Span::raw(n.to_string()),
                    OutValue::Redacted(m) => {
                        Span::styled(format!("[redacted: {}]", text(m)), theme.redacted())
                    }
                };
                out.push(kv(theme, k, value));
            }
            out.push(kv(
                theme,
                "id",
                Span::styled(rec.id.to_string(), theme.dim()),
            ));
            out.push(Line::from(Span::styled("sources", theme.header())));
            for s in rec.sources.iter() {
                out.push(Line::from(format!("  {}", text(s))));
            }
            out.push(Line::from(Span::styled("original columns", theme.header())));
            for (k, v) in &rec.columns {
                let value = if crate::ingest::value::is_redaction(v) {
                    Span::styled(format!("[redacted: {}]", text(v)), theme.redacted())
                } else {
                    Span::raw(text(&v.replace('\n', " ⏎ ")))
                };
                out.push(kv(theme, &format!("  {}", text(k)), value));
            }
        }
        Some((r, Err(e))) if *r == row => {
            out.push(Line::from(Span::styled(text(e), theme.error())));
            fallback(app, theme, row, out);
        }
        _ => {
            out.push(Line::from(Span::styled("reading the record…", theme.dim())));
            fallback(app, theme, row, out);
        }
    }
}

/// What the dataset knows without re-reading the file.
fn fallback(app: &App, theme: &Theme, row: u32, out: &mut Vec<Line<'static>>) {
    let ds = &app.ds;
    out.push(kv(theme, "agency", Span::raw(text(ds.agency_text(row)))));
    out.push(kv(theme, "reason", Span::raw(text(ds.reason_text(row)))));
    let t = ds.time[row as usize];
    if t != crate::review::dataset::NO_TIME {
        out.push(kv(
            theme,
            "search_time",
            Span::raw(crate::ingest::time::format_rfc3339(t)),
        ));
    }
    for s in ds.sources(row) {
        out.push(kv(theme, "source", Span::raw(text(&ds.source_text(s)))));
    }
}
