//! The report's tables as rows of plain text, one definition for the HTML page and the Markdown
//! document (each escapes and lays them out its own way), so the two hold the same tables.

use super::{Findings, percent};
use crate::review::summary::Line;

/// A table: its column heads and its rows.
pub(super) struct Rows {
    pub head: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

/// Counts by agency, month or account: `first` names the first column.
pub(super) fn breakdown(first: &'static str, lines: &[Line]) -> Rows {
    Rows {
        head: vec![
            first,
            "#records",
            "#flagged",
            "#immigration",
            "#not",
            "#unsure",
            "#flagged, no verdict",
        ],
        rows: lines
            .iter()
            .map(|l| {
                let t = &l.tally;
                let mut row = vec![l.label.clone()];
                row.extend(
                    [
                        t.records,
                        t.flagged,
                        t.immigration,
                        t.not_immigration,
                        t.unsure,
                        t.undecided_flagged,
                    ]
                    .map(|n| n.to_string()),
                );
                row
            })
            .collect(),
    }
}

/// By account: the officer name (or user id) and its agency, then the counts.
pub(super) fn accounts(lines: &[(Line, String)]) -> Rows {
    let plain: Vec<Line> = lines.iter().map(|(l, _)| l.clone()).collect();
    let mut rows = breakdown("account", &plain);
    rows.head.insert(1, "agency");
    for (row, (_, agency)) in rows.rows.iter_mut().zip(lines) {
        row.insert(1, agency.clone());
    }
    rows
}

/// Accounts counted per agency, no names: each agency, its accounts, and their searches (the
/// report's account table under `--redact`).
pub(super) fn accounts_per_agency(lines: &[(Line, String)]) -> Rows {
    let mut sums: rustc_hash::FxHashMap<&str, (u64, u64, u64)> = Default::default();
    for (l, agency) in lines {
        let e = sums.entry(agency).or_default();
        e.0 += 1;
        e.1 += l.tally.records;
        e.2 += l.tally.immigration;
    }
    let mut by: Vec<(String, u64, u64, u64)> = sums
        .into_iter()
        .map(|(a, (n, r, i))| (a.to_string(), n, r, i))
        .collect();
    by.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
    Rows {
        head: vec!["agency", "#accounts", "#records", "#immigration"],
        rows: by
            .into_iter()
            .map(|(a, n, r, i)| vec![a, n.to_string(), r.to_string(), i.to_string()])
            .collect(),
    }
}

/// What each rule flagged and what reviewers made of it, with its precision as reviewed.
pub(super) fn by_rule(f: &Findings<'_>) -> Rows {
    let rules = &f.ds.catalog.rules;
    Rows {
        head: vec![
            "rule",
            "strength",
            "#flagged",
            "#immigration",
            "#not",
            "#unsure",
            "#no verdict",
            "#precision as reviewed",
        ],
        rows: f
            .summary
            .by_rule(f.ds)
            .iter()
            .map(|l| {
                let strength = rules
                    .find(&l.label)
                    .map(|i| rules.rule(i).strength.as_str())
                    .unwrap_or("");
                vec![
                    l.label.clone(),
                    strength.to_string(),
                    l.tally.records.to_string(),
                    l.tally.immigration.to_string(),
                    l.tally.not_immigration.to_string(),
                    l.tally.unsure.to_string(),
                    l.tally.undecided_flagged.to_string(),
                    percent(l.tally.precision()),
                ]
            })
            .collect(),
    }
}

/// The records a reviewer confirmed, in time order (no account column when redacted; the reason
/// and note as published, a note's lines joined).
pub(super) fn confirmed(f: &Findings<'_>) -> Rows {
    let ds = f.ds;
    let mut head = vec!["search time (UTC)", "agency", "reason"];
    if !f.redact {
        head.push("account");
    }
    head.extend(["reviewer", "note"]);
    let rows = f
        .confirmed
        .iter()
        .zip(&f.confirmed_text)
        .map(|(&r, [reason, note])| {
            let a = f.store.get(ds.ids[r as usize]);
            let t = ds.time[r as usize];
            let mut row = vec![
                if t == crate::review::dataset::NO_TIME {
                    "unknown".into()
                } else {
                    crate::ingest::time::format_rfc3339(t)
                },
                ds.agency_text(r).to_string(),
                reason.clone(),
            ];
            if !f.redact {
                row.push(
                    ds.links
                        .account_name(ds.links.account[r as usize])
                        .to_string(),
                );
            }
            row.push(a.map(|a| a.reviewer.to_string()).unwrap_or_default());
            row.push(note.clone());
            row
        })
        .collect();
    Rows { head, rows }
}
