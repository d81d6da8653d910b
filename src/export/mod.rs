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
use crate::model::annotation::MaskChoice;
use crate::model::{Field, Verdict, VerdictCode};
use crate::output::{Format, OutRecord, OutValue, Queued, RecordWriter};
use crate::redact::{Counts, Known, Redactor};
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
    codes_of(&by_row(ds, store))
}

/// Verdict codes of every record, from its annotation ([`by_row`]).
pub fn codes_of(by_row: &[Option<&Annotation>]) -> Vec<VerdictCode> {
    by_row
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
pub const REDACTION_NOTE: &str = "masked by alpr-triage --redact: officer names, user ids, plates, case numbers and filters whole; personal data inside reasons, notes and other free text as [name], [plate], [case], [phone], [email], [ssn], [dob], [address], [officer] or [masked] (see docs/safety.md)";

/// How an export is written.
#[derive(Clone, Debug)]
pub struct ExportOptions {
    /// Output format.
    pub format: Format,
    /// Mask officer names, plates, case numbers and filters, and personal data in free text.
    pub redact: bool,
    /// The reviewer's mask choices (from the annotation file), applied under `redact`.
    pub masks: Vec<MaskChoice>,
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
    /// Masks written inside free text, by kind (under `--redact`).
    pub masks: Vec<(&'static str, u64)>,
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

/// Normalised fields that hold free text, masked inside under `--redact`.
const FREE_TEXT: [Field; 2] = [Field::Reason, Field::TextPrompt];

/// What `--redact` masks with, and the masks it made.
pub struct Redaction {
    /// The free-text redactor.
    pub redactor: Redactor,
    /// Masks written, by kind: each once a record (the original reason column repeats the
    /// normalised reason, and is not counted again).
    pub counts: Counts,
    /// The masks of each distinct reason (by symbol), found the first time a record has it: a
    /// million records hold some tens of thousands of reasons.
    reasons: Vec<std::sync::OnceLock<Box<[crate::redact::Mask]>>>,
    /// The field of each original column label (a label normalised once, not once a record).
    columns: rustc_hash::FxHashMap<String, Option<Field>>,
}

impl Redaction {
    /// The redaction of a dataset's exports: its own officer, plate and case values, and the
    /// reviewer's choices.
    pub fn new(ds: &Dataset, choices: &[MaskChoice]) -> Redaction {
        Redaction {
            redactor: Redactor::new(Known::of(ds), choices),
            counts: Counts::default(),
            reasons: (0..ds.catalog.len(Field::Reason))
                .map(|_| std::sync::OnceLock::new())
                .collect(),
            columns: original_columns(ds)
                .into_iter()
                .map(|l| {
                    let f = field_for_header(&normalize_header(&l));
                    (l, f)
                })
                .collect(),
        }
    }

    /// The field an original column binds to.
    fn column_field(&self, label: &str) -> Option<Field> {
        match self.columns.get(label) {
            Some(&f) => f,
            None => field_for_header(&normalize_header(label)),
        }
    }

    /// The masks of a reason of the dataset (every rule's words on it kept).
    fn reason(&self, ds: &Dataset, sym: crate::intern::Sym) -> &[crate::redact::Mask] {
        let Some(cell) = self.reasons.get(sym as usize) else {
            return &[];
        };
        cell.get_or_init(|| {
            let protect: Vec<(u32, u32)> = ds
                .catalog
                .hits(Field::Reason, sym)
                .iter()
                .flat_map(|h| h.spans.iter().copied())
                .collect();
            self.redactor
                .find(ds.catalog.text(Field::Reason, sym), &protect)
                .into_boxed_slice()
        })
    }

    /// `text` masked (the spans of the rules in `ds` kept), counted when `count`.
    pub fn text<'t>(&self, ds: &Dataset, text: &'t str, count: bool) -> Cow<'t, str> {
        let protect: Vec<(u32, u32)> = ds
            .catalog
            .rules
            .match_field(Field::Reason, text)
            .iter()
            .flat_map(|h| h.spans.iter().copied())
            .collect();
        let (out, masks) = self.redactor.redact(text, &protect);
        if count {
            self.counts.add(&masks);
        }
        out
    }
}

/// Masks a record for publishing: its officer, user id, plate, case number and filters
/// whole; inside its free text (reason, text prompt, note, the filter it was reviewed under,
/// unknown columns), personal data, each flag's words kept and its spans moved with the text.
pub fn redact(rec: &mut OutRecord, red: &Redaction, ds: &Dataset, row: u32) {
    // The record's reason as the dataset holds it, and its masks (found once a reason).
    let sym = ds.reason[row as usize];
    let reason = (ds.catalog.text(Field::Reason, sym), red.reason(ds, sym));
    for (k, v) in rec.fields.iter_mut() {
        if REDACTED_FIELDS.iter().any(|f| f.key() == *k) {
            if !matches!(v, OutValue::Null) {
                *v = OutValue::Str(MASK.into());
            }
            continue;
        }
        let Some(field) = FREE_TEXT.iter().find(|f| f.key() == *k) else {
            continue;
        };
        let OutValue::Str(text) = v else { continue };
        let (out, masks) = if *field == Field::Reason && text == reason.0 {
            (
                crate::redact::apply(text, reason.1),
                Cow::Borrowed(reason.1),
            )
        } else {
            let protect: Vec<(u32, u32)> = rec
                .flags
                .iter()
                .filter(|f| f.field == field.key())
                .flat_map(|f| f.spans.iter().copied())
                .collect();
            let (out, masks) = red.redactor.redact(text, &protect);
            (out, Cow::Owned(masks))
        };
        if masks.is_empty() {
            continue;
        }
        red.counts.add(&masks);
        for f in rec.flags.iter_mut().filter(|f| f.field == field.key()) {
            f.spans = Cow::Owned(crate::redact::remap(&f.spans, &masks));
        }
        *v = OutValue::Str(Cow::Owned(out.into_owned()));
    }
    for (label, value) in rec.columns.iter_mut() {
        let field = red.column_field(label);
        if field.is_some_and(|f| REDACTED_FIELDS.contains(&f)) {
            if !value.trim().is_empty() {
                *value = MASK.into();
            }
            continue;
        }
        // Free text: the reason and prompt (counted in their normalised fields), and any
        // column alpr-triage does not know.
        let known = field.is_some();
        if !field.is_none_or(|f| FREE_TEXT.contains(&f)) || value.is_empty() {
            continue;
        }
        let masked = if field == Some(Field::Reason) && value.as_ref() == reason.0 {
            crate::redact::apply(value, reason.1)
        } else {
            red.text(ds, value, !known)
        };
        if let Cow::Owned(masked) = masked {
            *value = Cow::Owned(masked);
        }
    }
    for (k, v) in rec.extra.iter_mut() {
        if matches!(k.as_ref(), "note" | "annotation_query")
            && let Value::String(text) = v
            && let Cow::Owned(masked) = red.text(ds, text, true)
        {
            *text = masked;
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
    /// Each record's verdict code.
    codes: &'a [VerdictCode],
    /// Records per verdict, in [`VERDICT_KEYS`] order (into `summary` at the end).
    by_verdict: [u64; 5],
    /// The record expected next.
    next: u32,
    error: Option<std::io::Error>,
    progress: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
}

/// How [`ExportSummary::verdicts`] names verdicts.
const VERDICT_KEYS: [&str; 5] = [
    "none",
    Verdict::ALL[0].as_str(),
    Verdict::ALL[1].as_str(),
    Verdict::ALL[2].as_str(),
    "conflict",
];

/// A record's place in [`VERDICT_KEYS`] (no verdict, then [`VerdictCode::slot`] of each
/// verdict in [`Verdict::ALL`] order, then a conflict).
fn verdict_key(code: VerdictCode) -> usize {
    if code.is_conflict() { 4 } else { code.slot() }
}

/// The reviewers of the records written (their annotations looked at on every core: a
/// million of them, in no order in memory).
fn reviewers(written: &[bool], annotations: &[Option<&Annotation>]) -> BTreeSet<String> {
    use crate::model::annotation::Shared;
    let shares = crate::threads::cores() * crate::threads::SHARES_PER_THREAD;
    let per = written.len().div_ceil(shares).max(1);
    let parts = crate::threads::ordered(written.len().div_ceil(per), |i| {
        let rows = i * per..((i + 1) * per).min(written.len());
        let mut names: BTreeSet<&str> = BTreeSet::new();
        let mut last: Option<&Shared> = None;
        for r in rows.filter(|&r| written[r]) {
            let Some(a) = annotations[r] else { continue };
            // A run of records by one reviewer is looked up once.
            if a.reviews.is_empty() && last.is_some_and(|l| Shared::ptr_eq(l, &a.reviewer)) {
                continue;
            }
            names.insert(&a.reviewer);
            names.extend(a.reviews.iter().map(|r| r.reviewer.as_str()));
            last = Some(&a.reviewer);
        }
        names
    });
    parts.into_iter().flatten().map(str::to_string).collect()
}

/// What an exported record is built with, besides its row.
struct With<'a> {
    ds: &'a Dataset,
    /// Each record's annotation (see [`by_row`]).
    annotations: Vec<Option<&'a Annotation>>,
    redact: Option<Redaction>,
}

/// The exported form of a row: normalised, with every source and its annotation, redacted when
/// asked.
fn build<'i>(with: &'i With<'_>, (row, r): &'i (OwnedRow, u32)) -> OutRecord<'i> {
    let ds = with.ds;
    let sources = ds.source_texts(*r);
    let mut rec = OutRecord::from_row(&row.row(), &ds.catalog, &ds.syms(*r), sources);
    rec.extra = annotation_extra(with.annotations[*r as usize]);
    rec.extra
        .extend(ds.who(*r).fields().map(|(k, v)| (Cow::Borrowed(k), v)));
    if let Some(red) = &with.redact {
        redact(&mut rec, red, ds, *r);
    }
    rec
}

impl RowSink for ExportSink<'_, '_> {
    fn row(&mut self, row: &Row<'_>, _: &TextSyms, _: &Catalog) -> RowOutcome {
        // The inputs are read again in the order they were loaded: a record's first row is
        // nearly always the next record of the dataset (no lookup needed).
        let r = match self.ds.ids.get(self.next as usize) {
            Some(&id) if id == row.id => self.next,
            _ => match self.ds.row_of(row.id) {
                Some(r) => r,
                None => return RowOutcome::default(),
            },
        };
        if r == self.next {
            self.next += 1;
        }
        let i = r as usize;
        if !self.selected[i] || self.written[i] || self.error.is_some() {
            return RowOutcome::default();
        }
        self.written[i] = true;
        self.by_verdict[verdict_key(self.codes[i])] += 1;
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
    let annotations = by_row(ds, store);
    let codes = codes_of(&annotations);
    write_with(ds, annotations, &codes, rows, opts, out)
}

/// [`write`], with each record's annotation already found ([`by_row`]) and its verdict code
/// ([`codes_of`]).
pub fn write_with(
    ds: &Dataset,
    annotations: Vec<Option<&Annotation>>,
    codes: &[VerdictCode],
    rows: &[u32],
    opts: &ExportOptions,
    out: &mut dyn Write,
) -> std::io::Result<ExportSummary> {
    if opts.bom && opts.format == Format::Csv {
        out.write_all(b"\xef\xbb\xbf")?;
    }
    let mut extra: Vec<String> = ANNOTATION_COLUMNS
        .iter()
        .chain(&crate::agency::who::WHO_FIELDS)
        .map(|s| s.to_string())
        .collect();
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
            annotations,
            redact: opts.redact.then(|| Redaction::new(ds, &opts.masks)),
        },
        queued: Queued::default(),
        summary: ExportSummary::default(),
        codes,
        by_verdict: [0; 5],
        next: 0,
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
    summary.reviewers = reviewers(&sink.written, &sink.with.annotations);
    for (key, n) in VERDICT_KEYS.iter().zip(sink.by_verdict) {
        if n > 0 {
            summary.verdicts.insert(key, n);
        }
    }
    summary.missing = rows.len() as u64 - summary.records;
    if let Some(red) = &sink.with.redact {
        summary.masks = red.counts.by_kind();
    }
    sink.writer.finish()?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::annotation::{Review, Shared, intern};

    fn ann(reviewer: Shared, reviews: &[&str]) -> Annotation {
        Annotation {
            record_id: crate::model::RecordId(0),
            verdict: None,
            note: Default::default(),
            reviewer,
            annotated_at: Default::default(),
            query: Default::default(),
            record: Default::default(),
            reviews: reviews
                .iter()
                .map(|r| Review {
                    reviewer: (*r).into(),
                    verdict: None,
                    note: Default::default(),
                    annotated_at: Default::default(),
                })
                .collect(),
            conflict: false,
            adjudicated_by: None,
        }
    }

    /// Every reviewer of a record written, and only of those: runs by one reviewer, the same
    /// name held apart, and the reviewers of a merged record.
    #[test]
    fn the_reviewers_are_those_of_the_records_written() {
        let ana = intern("ana");
        let list: Vec<Annotation> = (0..1000)
            .map(|i| match i {
                500 => ann("ana".into(), &[]),
                700 => ann("bo, cy".into(), &["bo", "cy"]),
                900 => ann("dee".into(), &[]),
                _ => ann(ana.clone(), &[]),
            })
            .collect();
        let by_row: Vec<Option<&Annotation>> = list
            .iter()
            .enumerate()
            .map(|(i, a)| (i % 10 != 3).then_some(a))
            .collect();
        let written: Vec<bool> = (0..1000).map(|i| i != 900).collect();
        let names = reviewers(&written, &by_row);
        assert_eq!(
            names,
            BTreeSet::from(["ana".into(), "bo".into(), "bo, cy".into(), "cy".into()])
        );
    }
}
