//! A publishable report of findings: the counts by agency, month, rule and account, the
//! confirmed records, and the methods behind them, written as a folder:
//!
//! - `report.html`, one self-contained page (inline SVG charts, no scripts, nothing fetched);
//! - `report.md`, the same tables in Markdown;
//! - `by_agency.csv`, `by_month.csv`, the counts for a spreadsheet;
//! - `manifest.json`, the methods manifest (as for an export) with each file's SHA-256.
//!
//! [`Findings`] holds what every format shows, so they cannot disagree.

mod charts;
mod html;
mod markdown;
mod rows;
mod tables;

use std::collections::BTreeMap;

use crate::ingest::time::Millis;
use crate::model::{Annotation, Verdict, VerdictCode};
use crate::review::dataset::Dataset;
use crate::review::filter::{Candidates, FilterJob, Query};
use crate::review::summary::{Summary, SummaryJob};
use crate::store::Store;
use crate::store::merge::{PairStats, pair_stats, reviews_of};

pub use html::html;
pub use markdown::markdown;
pub use tables::{by_agency_csv, by_month_csv};

/// The files a report folder holds, in the order they are written.
pub const FILES: [&str; 5] = [
    "report.html",
    "report.md",
    "by_agency.csv",
    "by_month.csv",
    "manifest.json",
];

/// Everything a report shows.
pub struct Findings<'a> {
    /// The records.
    pub ds: &'a Dataset,
    /// The annotations.
    pub store: &'a Store,
    /// Counts over the selection.
    pub summary: Summary,
    /// Confirmed records in the selection, in time order.
    pub confirmed: Vec<u32>,
    /// Verdicts given by each reviewer in the selection: immigration, not, unsure.
    pub reviewers: BTreeMap<String, [u64; 3]>,
    /// Agreement between reviewers (annotation files that came from `merge`).
    pub agreement: Vec<PairStats>,
    /// The filter the selection was made with ("" for every record).
    pub query: String,
    /// Officers, user ids, plates and case numbers are left out, and personal data in free text
    /// masked.
    pub redact: bool,
    /// The reason and note of each confirmed record, as published (masked under `redact`).
    pub confirmed_text: Vec<[String; 2]>,
    /// Masks made in free text, by kind (under `redact`).
    pub masks: Vec<(&'static str, u64)>,
    /// When it was made (RFC 3339 UTC).
    pub created_at: String,
    /// The annotation file, as given.
    pub annotations: String,
    /// The annotation file's SHA-256.
    pub annotations_sha256: Option<String>,
    /// Each input file's SHA-256.
    pub input_sha256: Vec<Option<String>>,
}

impl<'a> Findings<'a> {
    /// Counts the records `query` selects (all of them when it is empty), with their verdicts.
    pub fn new(
        ds: &'a Dataset,
        store: &'a Store,
        verdicts: &[VerdictCode],
        query: (&str, &Query),
        redact: bool,
        annotations: &std::path::Path,
    ) -> Findings<'a> {
        let rows = FilterJob::new(
            ds,
            query.1.clone(),
            Candidates::Natural(ds.len() as u32),
            false,
        )
        .run(ds, verdicts);
        let summary = SummaryJob::new(rows.clone()).run(ds, verdicts);
        let mut confirmed: Vec<u32> = rows
            .iter()
            .copied()
            .filter(|&r| verdicts[r as usize].verdict() == Some(Verdict::Immigration))
            .collect();
        confirmed.sort_by_key(|&r| (ds.time[r as usize], r));
        let selected: Vec<Annotation> = rows
            .iter()
            .filter_map(|&r| store.get(ds.ids[r as usize]).cloned())
            .collect();
        let mut reviewers: BTreeMap<String, [u64; 3]> = BTreeMap::new();
        for a in &selected {
            for r in reviews_of(a) {
                let counts = reviewers.entry(r.reviewer.to_string()).or_default();
                match r.verdict {
                    Some(Verdict::Immigration) => counts[0] += 1,
                    Some(Verdict::NotImmigration) => counts[1] += 1,
                    Some(Verdict::Unsure) => counts[2] += 1,
                    None => {}
                }
            }
        }
        let merged = selected.iter().any(|a| !a.reviews.is_empty());
        let redaction = redact.then(|| crate::export::Redaction::new(ds, &store.masks));
        let published = |text: &str| match &redaction {
            Some(red) => red.text(ds, text, true).into_owned(),
            None => text.to_string(),
        };
        let confirmed_text = confirmed
            .iter()
            .map(|&r| {
                let note = store
                    .get(ds.ids[r as usize])
                    .map(|a| a.note.replace('\n', " "))
                    .unwrap_or_default();
                [published(ds.reason_text(r)), published(&note)]
            })
            .collect();
        let shown_query = published(query.0);
        Findings {
            ds,
            store,
            summary,
            confirmed,
            reviewers,
            agreement: if merged {
                pair_stats(&selected)
            } else {
                Vec::new()
            },
            query: shown_query,
            redact,
            confirmed_text,
            masks: redaction.map(|r| r.counts.by_kind()).unwrap_or_default(),
            created_at: crate::store::now_rfc3339(),
            annotations: crate::sanitize::path(annotations),
            annotations_sha256: crate::digest::sha256_file(annotations).ok(),
            input_sha256: crate::export::manifest::input_hashes(ds),
        }
    }

    /// The date range of the records counted, as `YYYY-MM-DD – YYYY-MM-DD` (UTC).
    pub fn date_range(&self) -> String {
        match self.summary.span() {
            Some((a, b)) => format!("{} – {}", day(a), day(b)),
            None => "no search times".into(),
        }
    }

    /// One sentence with the totals.
    pub fn headline(&self) -> String {
        let t = &self.summary.total;
        let agencies = self.summary.by_agency(self.ds).len();
        format!(
            "{} searches by {agencies} agenc{} ({}): {} flagged by the rules, {} reviewed; {} confirmed immigration-related, {} not, {} unsure; {} flagged searches still without a verdict.",
            t.records,
            if agencies == 1 { "y" } else { "ies" },
            self.date_range(),
            t.flagged,
            t.reviewed(),
            t.immigration,
            t.not_immigration,
            t.unsure,
            t.undecided_flagged,
        )
    }
}

fn day(t: Millis) -> String {
    crate::ingest::time::format_rfc3339(t)
        .get(..10)
        .unwrap_or_default()
        .to_string()
}

/// Masks by kind in words: `3 name, 1 plate`, or `none`.
pub(crate) fn mask_counts(masks: &[(&str, u64)]) -> String {
    if masks.is_empty() {
        return "none".into();
    }
    masks
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A share as a percentage with one decimal, or `–`.
pub(crate) fn percent(p: Option<f64>) -> String {
    p.map(|p| format!("{:.1}%", p * 100.0))
        .unwrap_or_else(|| "–".into())
}

/// The files of a report folder, checked before anything is written: the folder is a folder
/// (or does not exist yet: with `create`, it is made, owner-only), and each file in it is new
/// or, with `force`, a regular file to replace.
pub fn plan_folder(
    dir: &std::path::Path,
    force: bool,
    create: bool,
) -> Result<Vec<crate::files::target::Target>, crate::files::target::PathError> {
    use crate::files::target::{PathError, Target, is_stdio};
    let error = |message: &str| PathError {
        path: crate::sanitize::path(dir),
        message: message.to_string(),
    };
    if is_stdio(dir) {
        return Err(error(
            "a report is a folder of files; give a folder path, not - (standard output)",
        ));
    }
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => return Err(error("is not a folder; a report is a folder of files")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if !create {
                return Ok(Vec::new());
            }
            crate::files::create_private_dir(dir)
                .map_err(|e| error(&format!("cannot create the folder: {e}")))?;
        }
        Err(e) => return Err(error(&format!("cannot inspect: {e}"))),
    }
    FILES
        .iter()
        .map(|name| {
            let path = dir.join(name);
            match Target::resolve(&path, force)? {
                Target::Special { .. } => Err(PathError {
                    path: crate::sanitize::path(&path),
                    message: "is not a regular file; a report folder holds regular files".into(),
                }),
                t => Ok(t),
            }
        })
        .collect()
}

/// What a report folder received: each file's name and the bytes written.
pub type Written = Vec<(&'static str, crate::files::target::Written)>;

/// Writes the report's files to the targets [`plan_folder`] gave, the manifest last.
pub fn write_folder(
    f: &Findings<'_>,
    targets: &[crate::files::target::Target],
) -> std::io::Result<Written> {
    let mut sink = std::io::sink();
    let mut written: Written = Vec::new();
    let html = html(f)?;
    let md = markdown(f);
    for (name, target) in FILES.iter().zip(targets) {
        let w = match *name {
            "report.html" => target.write(&mut sink, false, true, |w| w.write_all(html.as_bytes())),
            "report.md" => target.write(&mut sink, false, true, |w| w.write_all(md.as_bytes())),
            "by_agency.csv" => target.write(&mut sink, false, true, |w| by_agency_csv(f, w)),
            "by_month.csv" => target.write(&mut sink, false, true, |w| by_month_csv(f, w)),
            _ => {
                let doc = manifest(f, &written);
                target.write(&mut sink, false, true, |w| {
                    serde_json::to_writer_pretty(&mut *w, &doc)?;
                    w.write_all(b"\n")
                })
            }
        }?;
        written.push((name, w.1));
    }
    Ok(written)
}

/// The methods manifest of a report: what went in (as for an export) and each file written.
pub fn manifest(f: &Findings<'_>, written: &Written) -> serde_json::Value {
    use serde_json::json;
    let ds = f.ds;
    let rules = &ds.catalog.rules;
    let t = &f.summary.total;
    json!({
        "tool": format!("alpr-triage {}", env!("CARGO_PKG_VERSION")),
        "created_at": f.created_at,
        "report": {
            "files": written.iter().map(|(name, w)| json!({"name": name, "sha256": w.sha256, "bytes": w.bytes})).collect::<Vec<_>>(),
            "spreadsheet_cells": "in the CSV files, a cell starting with = + - @ tab or carriage return is written with a leading ' so that spreadsheets show it as text instead of running it as a formula",
        },
        "selection": {
            "query": f.query,
            "date_range": f.summary.span().map(|(a, b)| [crate::ingest::time::format_rfc3339(a), crate::ingest::time::format_rfc3339(b)]),
        },
        "inputs": crate::export::manifest::inputs_json(ds, &f.input_sha256),
        "dataset": {"records": ds.len(), "flagged": ds.flagged_count()},
        "rules": {"name": rules.name, "origin": rules.origin, "sha256": rules.hash},
        "annotations": {"path": f.annotations, "sha256": f.annotations_sha256},
        "reviewers": f.reviewers.iter().map(|(name, c)| json!({"reviewer": name, "immigration": c[0], "not_immigration": c[1], "unsure": c[2]})).collect::<Vec<_>>(),
        "agreement": f.agreement.iter().map(|p| json!({"a": p.a, "b": p.b, "both": p.both, "agree": p.agree, "percent": p.percent, "kappa": p.kappa})).collect::<Vec<_>>(),
        "totals": {
            "records": t.records,
            "flagged": t.flagged,
            "immigration": t.immigration,
            "not_immigration": t.not_immigration,
            "unsure": t.unsure,
            "undecided_flagged": t.undecided_flagged,
            "confirmed_listed": f.confirmed.len(),
        },
        "redacted": f.redact,
        "redacted_fields": if f.redact { vec!["officer", "user_id", "license_plate", "case_number"] } else { Vec::new() },
        "notes_redacted": f.redact,
        "free_text_masks": if f.redact { crate::redact::counts_json(&f.masks) } else { serde_json::Value::Null },
        "redaction_method": if f.redact { serde_json::Value::String(crate::redact::METHOD.into()) } else { serde_json::Value::Null },
    })
}
