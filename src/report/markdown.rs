//! `report.md`: the report's tables in Markdown, for pasting into an article or a complaint.

use std::fmt::Write as _;

use super::{Findings, percent};
use crate::review::summary::Line;

/// Text from the data, made safe in a Markdown table cell: visible characters, one line, and
/// the characters Markdown reads as markup escaped.
fn cell(s: &str) -> String {
    let v = crate::sanitize::visible(&s.replace(['\n', '\r'], " ")).into_owned();
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '!'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A table: `head` names the columns (a leading `#` marks a number column, aligned right).
fn table(head: &[&str], rows: &[Vec<String>]) -> String {
    let names: Vec<&str> = head.iter().map(|h| h.trim_start_matches('#')).collect();
    let mut t = format!("| {} |\n|", names.join(" | "));
    for h in head {
        t.push_str(if h.starts_with('#') {
            " ---: |"
        } else {
            " --- |"
        });
    }
    t.push('\n');
    for r in rows {
        let cells: Vec<String> = r.iter().map(|c| cell(c)).collect();
        let _ = writeln!(t, "| {} |", cells.join(" | "));
    }
    t.push('\n');
    t
}

fn breakdown(first: &str, lines: &[Line]) -> String {
    let rows: Vec<Vec<String>> = lines
        .iter()
        .map(|l| {
            let t = &l.tally;
            vec![
                l.label.clone(),
                t.records.to_string(),
                t.flagged.to_string(),
                t.immigration.to_string(),
                t.not_immigration.to_string(),
                t.unsure.to_string(),
                t.undecided_flagged.to_string(),
            ]
        })
        .collect();
    table(
        &[
            first,
            "#records",
            "#flagged",
            "#immigration",
            "#not",
            "#unsure",
            "#flagged, no verdict",
        ],
        &rows,
    )
}

/// The Markdown document.
pub fn markdown(f: &Findings<'_>) -> String {
    let ds = f.ds;
    let mut m = String::from("# ALPR search audit: immigration-related searches\n\n");
    let _ = writeln!(m, "{}\n", cell(&f.headline()));
    let _ = writeln!(
        m,
        "Selection: {}. Search times are UTC. Made by alpr-triage {} on {}.\n",
        if f.query.trim().is_empty() {
            "every record".to_string()
        } else {
            format!("`{}`", f.query.replace('`', "'"))
        },
        env!("CARGO_PKG_VERSION"),
        f.created_at
    );
    m.push_str("## By agency\n\n");
    m.push_str(&breakdown("agency", &f.summary.by_agency(ds)));
    m.push_str("## By month\n\n");
    m.push_str(&breakdown("month", &f.summary.by_month()));
    m.push_str("## By rule\n\n");
    let rows: Vec<Vec<String>> = f
        .summary
        .by_rule(ds)
        .iter()
        .map(|l| {
            vec![
                l.label.clone(),
                l.tally.records.to_string(),
                l.tally.immigration.to_string(),
                l.tally.not_immigration.to_string(),
                l.tally.unsure.to_string(),
                percent(l.tally.precision()),
            ]
        })
        .collect();
    m.push_str(&table(
        &[
            "rule",
            "#flagged",
            "#immigration",
            "#not",
            "#unsure",
            "#precision as reviewed",
        ],
        &rows,
    ));
    if !f.redact {
        m.push_str("## By account\n\n");
        m.push_str(&breakdown("account", &f.summary.by_account(ds)));
    }
    let _ = writeln!(m, "## Confirmed records ({})\n", f.confirmed.len());
    let rows: Vec<Vec<String>> = f
        .confirmed
        .iter()
        .map(|&r| {
            let a = f.store.get(ds.ids[r as usize]);
            vec![
                crate::ingest::time::format_rfc3339(ds.time[r as usize]),
                ds.agency_text(r).to_string(),
                ds.reason_text(r).to_string(),
                a.map(|a| a.note.clone()).unwrap_or_default(),
            ]
        })
        .collect();
    m.push_str(&table(
        &["search time (UTC)", "agency", "reason", "note"],
        &rows,
    ));
    m.push_str("## Methods\n\n");
    let rules = &ds.catalog.rules;
    let _ = writeln!(
        m,
        "Date range: {}. Rule set `{}`, SHA-256 `{}`. Annotation file SHA-256 `{}`. Inputs, with their SHA-256, are in `manifest.json` and `report.html`.{}\n",
        f.date_range(),
        rules.name.replace('`', "'"),
        rules.hash,
        f.annotations_sha256.as_deref().unwrap_or("none"),
        if f.redact {
            " Officer names, user ids, plates and case numbers are left out (--redact)."
        } else {
            ""
        }
    );
    m
}
