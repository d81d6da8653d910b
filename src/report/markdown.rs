//! `report.md`: the report's tables in Markdown, for pasting into an article or a complaint.

use std::fmt::Write as _;

use super::Findings;
use super::rows::{self, Rows};

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

/// One of the tables the report shares with the HTML page.
fn shared(r: Rows) -> String {
    table(&r.head, &r.rows)
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
    m.push_str(&shared(rows::breakdown("agency", &f.summary.by_agency(ds))));
    m.push_str("## By month\n\n");
    m.push_str(&shared(rows::breakdown("month", &f.summary.by_month())));
    m.push_str("## By rule\n\n");
    m.push_str(&shared(rows::by_rule(f)));
    m.push_str("## Who searched\n\n");
    m.push_str(&shared(rows::breakdown("searches by", &f.summary.by_who())));
    m.push_str("### By the searcher's state\n\n");
    m.push_str(&shared(rows::breakdown("state", &f.summary.by_state(ds))));
    m.push_str("### By the searcher's level\n\n");
    m.push_str(&shared(rows::breakdown("level", &f.summary.by_level(ds))));
    let _ = writeln!(m, "{}\n", super::html::who_methods(ds));
    m.push_str("## By account\n\n");
    if f.redact {
        m.push_str("Names left out (--redact): each agency's accounts are counted instead.\n\n");
        m.push_str(&shared(rows::accounts_per_agency(
            &f.summary.by_account_agency(ds),
        )));
    } else {
        m.push_str(&shared(rows::accounts(&f.summary.by_account_agency(ds))));
    }
    let _ = writeln!(m, "## Confirmed records ({})\n", f.confirmed.len());
    m.push_str(&shared(rows::confirmed(f)));
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
            format!(
                " Officer names, user ids, plates and case numbers are left out (--redact). {} Masks in this report: {}.",
                crate::redact::METHOD,
                super::mask_counts(&f.masks)
            )
        } else {
            String::new()
        }
    );
    m
}
