//! Annotated datasets out: which records (by verdict and the filter language), every original
//! column plus the annotation and the flag explanation, optional redaction, and a methods
//! manifest that says how the numbers were made.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::io::Write;

pub mod manifest;

use serde_json::{Value, json};

use crate::ingest::catalog::{Catalog, TextSyms};
use crate::ingest::schema::{field_for_header, normalize_header};
use crate::ingest::{OwnedRow, ReadOptions, Row, RowOutcome, RowSink, read_file};
use crate::model::{Field, Verdict, VerdictCode};
use crate::output::{Format, OutRecord, OutValue, Queued, RecordWriter};
use crate::review::dataset::Dataset;
use crate::review::filter::{Candidates, Clause, FilterJob, Query, Term, VerdictSel};
use crate::store::{Annotation, Store};

/// Which records an export holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Only {
    /// Verdict immigration.
    Immigration,
    /// Verdict not immigration.
    Not,
    /// Verdict unsure.
    Unsure,
    /// Any verdict (the default).
    Reviewed,
    /// No verdict.
    Unreviewed,
    /// Flagged records.
    Flagged,
    /// Every record.
    All,
}

impl Only {
    /// Parses the `--only` value.
    pub fn parse(s: &str) -> Option<Only> {
        Some(match s {
            "immigration" => Only::Immigration,
            "not" | "not_immigration" => Only::Not,
            "unsure" => Only::Unsure,
            "reviewed" => Only::Reviewed,
            "unreviewed" => Only::Unreviewed,
            "flagged" => Only::Flagged,
            "all" => Only::All,
            _ => return None,
        })
    }

    /// The name used on the command line and in manifests.
    pub fn as_str(self) -> &'static str {
        match self {
            Only::Immigration => "immigration",
            Only::Not => "not",
            Only::Unsure => "unsure",
            Only::Reviewed => "reviewed",
            Only::Unreviewed => "unreviewed",
            Only::Flagged => "flagged",
            Only::All => "all",
        }
    }

    fn clause(self) -> Option<Term> {
        Some(match self {
            Only::Immigration => Term::Verdict(VerdictSel::Is(Verdict::Immigration)),
            Only::Not => Term::Verdict(VerdictSel::Is(Verdict::NotImmigration)),
            Only::Unsure => Term::Verdict(VerdictSel::Is(Verdict::Unsure)),
            Only::Reviewed => Term::Verdict(VerdictSel::Any),
            Only::Unreviewed => Term::Verdict(VerdictSel::None),
            Only::Flagged => Term::Flagged(true),
            Only::All => return None,
        })
    }
}

/// Verdict codes of every record, from the annotations.
pub fn verdict_codes(ds: &Dataset, store: &Store) -> Vec<VerdictCode> {
    by_row(ds, store)
        .iter()
        .map(|a| a.map(Annotation::code).unwrap_or_default())
        .collect()
}

/// The annotation of each record, by row: one pass over the annotations, each found in the
/// dataset's id index (a record looked up in the annotation map, a sorted tree, cost several
/// times more, and an export looked up every record three times).
pub fn by_row<'s>(ds: &Dataset, store: &'s Store) -> Vec<Option<&'s Annotation>> {
    let mut rows = vec![None; ds.len()];
    for a in store.iter() {
        if let Some(r) = ds.row_of(a.record_id) {
            rows[r as usize] = Some(a);
        }
    }
    rows
}

/// The rows an export selects, in load order.
pub fn select(ds: &Dataset, verdicts: &[VerdictCode], only: Only, query: &Query) -> Vec<u32> {
    let mut q = query.clone();
    if let Some(term) = only.clause() {
        q.clauses.push(Clause {
            negated: false,
            term,
        });
    }
    FilterJob::new(ds, q, Candidates::Natural(ds.len() as u32), false).run(ds, verdicts)
}

/// Fields `--redact` masks.
pub const REDACTED_FIELDS: [Field; 5] = [
    Field::Officer,
    Field::UserId,
    Field::Plate,
    Field::CaseNumber,
    Field::Filters,
];
/// What a masked value reads.
pub const MASK: &str = "[REDACTED]";
/// What every redacted record says about itself.
pub const REDACTION_NOTE: &str = "officer names, user ids, plates, case numbers and filters masked by alpr-triage export --redact";

/// How an export is written.
#[derive(Clone, Debug)]
pub struct ExportOptions {
    /// Output format.
    pub format: Format,
    /// Mask officer names, plates, case numbers and filters.
    pub redact: bool,
    /// Start a CSV with a UTF-8 byte-order mark (spreadsheets need it to read UTF-8).
    pub bom: bool,
    /// How inputs are re-read.
    pub read: ReadOptions,
    /// How CSV cells are written (spreadsheet-safe unless `--raw-cells`).
    pub cells: crate::output::CsvCells,
    /// Counts the records written, for a progress display.
    pub progress: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
}

/// What an export wrote.
#[derive(Clone, Debug, Default)]
pub struct ExportSummary {
    /// Records written.
    pub records: u64,
    /// Selected records not found when the inputs were re-read (the files changed).
    pub missing: u64,
    /// Records per verdict (`immigration`, `not_immigration`, `unsure`, `none`, `conflict`).
    pub verdicts: std::collections::BTreeMap<&'static str, u64>,
    /// Reviewers of the records written.
    pub reviewers: BTreeSet<String>,
}

/// Annotation columns, in order, for CSV.
pub const ANNOTATION_COLUMNS: [&str; 8] = [
    "verdict",
    "note",
    "reviewer",
    "annotated_at",
    "annotation_query",
    "reviews",
    "conflict",
    "adjudicated_by",
];

fn annotation_extra(a: Option<&Annotation>) -> Vec<(Cow<'static, str>, Value)> {
    let Some(a) = a else {
        return ANNOTATION_COLUMNS
            .iter()
            .map(|c| (Cow::Borrowed(*c), Value::Null))
            .collect();
    };
    let reviews = if a.reviews.is_empty() {
        Value::Null
    } else {
        Value::String(
            a.reviews
                .iter()
                .map(|r| {
                    format!(
                        "{}: {}",
                        r.reviewer,
                        r.verdict.map(Verdict::as_str).unwrap_or("none")
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
        )
    };
    vec![
        (
            Cow::Borrowed("verdict"),
            json!(a.verdict.map(Verdict::as_str)),
        ),
        (Cow::Borrowed("note"), json!(a.note)),
        (Cow::Borrowed("reviewer"), json!(a.reviewer)),
        (Cow::Borrowed("annotated_at"), json!(a.annotated_at)),
        (Cow::Borrowed("annotation_query"), json!(a.query)),
        (Cow::Borrowed("reviews"), reviews),
        (Cow::Borrowed("conflict"), json!(a.conflict)),
        (Cow::Borrowed("adjudicated_by"), json!(a.adjudicated_by)),
    ]
}

fn redact(rec: &mut OutRecord) {
    for (k, v) in rec.fields.iter_mut() {
        if REDACTED_FIELDS.iter().any(|f| f.key() == *k) && !matches!(v, OutValue::Null) {
            *v = OutValue::Str(MASK.into());
        }
    }
    for (label, value) in rec.columns.iter_mut() {
        let sensitive = field_for_header(&normalize_header(label))
            .is_some_and(|f| REDACTED_FIELDS.contains(&f));
        if sensitive && !value.trim().is_empty() {
            *value = MASK.into();
        }
    }
    rec.extra
        .push((Cow::Borrowed("redaction"), json!(REDACTION_NOTE)));
}

/// Every original column label over the inputs, first-seen order.
fn original_columns(ds: &Dataset) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for f in &ds.files {
        let labels: Vec<&str> = if f.schemas.is_empty() {
            f.report.columns.iter().map(String::as_str).collect()
        } else {
            f.schemas
                .iter()
                .flat_map(|(_, s)| s.columns.iter().map(|c| c.label.as_str()))
                .collect()
        };
        for l in labels {
            if !out.iter().any(|o| o == l) {
                out.push(l.to_string());
            }
        }
    }
    out
}

struct ExportSink<'a, 'w> {
    ds: &'a Dataset,
    selected: Vec<bool>,
    written: Vec<bool>,
    writer: RecordWriter<'w>,
    /// What a record is built with.
    with: With<'a>,
    /// Records (their rows and row numbers) waiting for a round of building and encoding on
    /// every core.
    queued: Queued<(OwnedRow, u32)>,
    summary: ExportSummary,
    error: Option<std::io::Error>,
    progress: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
}

/// What an exported record is built with, besides its row.
struct With<'a> {
    ds: &'a Dataset,
    /// Each record's annotation (see [`by_row`]).
    annotations: Vec<Option<&'a Annotation>>,
    redact: bool,
}

/// The exported form of a row: normalised, with every source and its annotation, redacted when
/// asked.
fn build<'i>(with: &'i With<'_>, (row, r): &'i (OwnedRow, u32)) -> OutRecord<'i> {
    let ds = with.ds;
    let sources = ds.source_texts(*r);
    let mut rec = OutRecord::from_row(&row.row(), &ds.catalog, &ds.syms(*r), sources);
    rec.extra = annotation_extra(with.annotations[*r as usize]);
    if with.redact {
        redact(&mut rec);
    }
    rec
}

impl RowSink for ExportSink<'_, '_> {
    fn row(&mut self, row: &Row<'_>, _: &TextSyms, _: &Catalog) -> RowOutcome {
        let Some(r) = self.ds.row_of(row.id) else {
            return RowOutcome::default();
        };
        let i = r as usize;
        if !self.selected[i] || self.written[i] || self.error.is_some() {
            return RowOutcome::default();
        }
        self.written[i] = true;
        let a = self.with.annotations[i];
        let key = match a {
            Some(a) if a.conflict => "conflict",
            Some(a) => a.verdict.map(Verdict::as_str).unwrap_or("none"),
            None => "none",
        };
        *self.summary.verdicts.entry(key).or_insert(0) += 1;
        if let Some(a) = a {
            // Copied only when new: a few reviewers sign a million annotations.
            for name in std::iter::once(&a.reviewer).chain(a.reviews.iter().map(|r| &r.reviewer)) {
                if !self.summary.reviewers.contains(name.as_str()) {
                    self.summary.reviewers.insert(name.to_string());
                }
            }
        }
        if let Err(e) = self.writer.queue(
            &mut self.queued,
            (OwnedRow::from_row(row), r),
            &self.with,
            build,
        ) {
            self.error = Some(e);
        }
        self.summary.records += 1;
        if let Some(p) = &self.progress {
            p.store(self.summary.records, std::sync::atomic::Ordering::Relaxed);
        }
        RowOutcome::default()
    }

    fn cancelled(&self) -> bool {
        self.error.is_some()
    }
}

/// Writes the selected rows: the inputs are read again once, and each selected record is written
/// at its first row with every source and its annotation.
pub fn write(
    ds: &Dataset,
    store: &Store,
    rows: &[u32],
    opts: &ExportOptions,
    out: &mut dyn Write,
) -> std::io::Result<ExportSummary> {
    if opts.bom && opts.format == Format::Csv {
        out.write_all(b"\xef\xbb\xbf")?;
    }
    let mut extra: Vec<String> = ANNOTATION_COLUMNS.iter().map(|s| s.to_string()).collect();
    if opts.redact {
        extra.push("redaction".into());
    }
    let writer =
        RecordWriter::with_cells(out, opts.format, original_columns(ds), extra, opts.cells)?;
    let mut selected = vec![false; ds.len()];
    for &r in rows {
        selected[r as usize] = true;
    }
    let mut sink = ExportSink {
        ds,
        selected,
        written: vec![false; ds.len()],
        writer,
        with: With {
            ds,
            annotations: by_row(ds, store),
            redact: opts.redact,
        },
        queued: Queued::default(),
        summary: ExportSummary::default(),
        error: None,
        progress: opts.progress.clone(),
    };
    // The records' text is the dataset's; this catalog only serves the re-read.
    let mut catalog = Catalog::new(ds.catalog.rules.clone());
    for (i, f) in ds.files.iter().enumerate() {
        if f.report.kind.is_none() {
            continue;
        }
        read_file(i as u32, &f.input, &opts.read, &mut catalog, &mut sink);
    }
    if let Some(e) = sink.error {
        return Err(e);
    }
    sink.writer
        .write_queued(&mut sink.queued, &sink.with, build)?;
    let mut summary = sink.summary;
    summary.missing = rows.len() as u64 - summary.records;
    sink.writer.finish()?;
    Ok(summary)
}
