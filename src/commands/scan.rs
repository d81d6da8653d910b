//! `alpr-triage scan`: what each file is, how many rows, records, duplicates, flags, warnings.

use std::io::Write;
use std::path::PathBuf;

use serde_json::json;

use super::tally::Tally;
use super::{CommandError, Console, EXIT_INPUT, EXIT_OK, inputs, load_rules};
use crate::commands::plural;
use crate::ingest::catalog::{Catalog, TextSyms};
use crate::ingest::{FileReport, ReadOptions, Row, RowOutcome, RowSink, read_file};
use crate::sanitize::visible;

/// Options of `scan`.
#[derive(Clone, Debug, Default)]
pub struct ScanOptions {
    /// Files and folders.
    pub paths: Vec<PathBuf>,
    /// Machine-readable output.
    pub json: bool,
    /// A rules file instead of (or extending) the built-in set.
    pub rules: Option<PathBuf>,
    /// How files are read.
    pub read: ReadOptions,
    /// How many warnings to print per file in text output.
    pub max_warnings: usize,
    /// Agency rules, overrides and 287(g) lists.
    pub who: crate::agency::WhoOptions,
}

/// Counts records and flags without keeping rows: memory is an id and a flag per row (the
/// distinct strings are in the load's catalog). Counts are known once every file is read
/// ([`ScanSink::finish`]); until then reports carry none.
#[derive(Default)]
pub struct ScanSink {
    tally: Tally,
}

impl ScanSink {
    /// An empty sink.
    pub fn new() -> ScanSink {
        ScanSink::default()
    }

    /// Sets each report's records, duplicates and flagged records (reports indexed by file);
    /// returns, for each row, whether it was the first of its record.
    pub fn finish(&self, reports: &mut [FileReport]) -> Vec<bool> {
        self.tally.finish(reports)
    }
}

impl RowSink for ScanSink {
    fn begin_file(&mut self, file: u32, report: &FileReport) {
        self.tally.begin_file(file, report);
    }

    fn row(&mut self, row: &Row<'_>, syms: &TextSyms, catalog: &Catalog) -> RowOutcome {
        self.tally.note(row.id, catalog.is_flagged(syms));
        RowOutcome::default()
    }
}

/// Totals over files.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Totals {
    /// Files given or found.
    pub files: u64,
    /// Files that could not be read.
    pub failed: u64,
    /// Data rows.
    pub rows: u64,
    /// Distinct records.
    pub records: u64,
    /// Rows that repeated a record.
    pub duplicates: u64,
    /// Rows dropped (each a warning).
    pub dropped: u64,
    /// Flagged records.
    pub flagged: u64,
    /// Warnings.
    pub warnings: u64,
}

/// Sums file reports.
pub fn totals(reports: &[FileReport], failed_paths: usize) -> Totals {
    let mut t = Totals {
        files: (reports.len() + failed_paths) as u64,
        failed: failed_paths as u64,
        ..Totals::default()
    };
    for r in reports {
        if r.error.is_some() {
            t.failed += 1;
        }
        t.rows += r.rows;
        t.records += r.records;
        t.duplicates += r.duplicates;
        t.dropped += r.dropped;
        t.flagged += r.flagged;
        t.warnings += r.warnings.total;
    }
    t
}

/// Runs `scan`, writing the report to standard output.
pub fn run(opts: &ScanOptions, console: &mut Console<'_>) -> Result<i32, CommandError> {
    let rules = load_rules(opts.rules.as_deref())?;
    // The 287(g) list decides which searchers a `searcher = "partner_287g"` rule counts for.
    let profiler = super::load_profiler(&opts.who)?;
    let inputs = inputs(&opts.paths);
    if inputs.files.is_empty() && inputs.errors.is_empty() {
        return Err(CommandError::Input(format!(
            "no audit files found in {}: alpr-triage reads .csv, .tsv, .txt, .json, .ndjson and .jsonl files (optionally .gz) and .xlsx workbooks{}",
            opts.paths
                .iter()
                .map(|p| crate::sanitize::path(p))
                .collect::<Vec<_>>()
                .join(", "),
            if inputs.skipped.is_empty() {
                String::new()
            } else {
                format!(
                    "; skipped {}: {}",
                    plural(inputs.skipped.len() as u64, "file"),
                    inputs
                        .skipped
                        .iter()
                        .take(5)
                        .map(|s| visible(&s.display).into_owned())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        )));
    }
    let mut catalog = Catalog::new(rules.clone()).with_profiler(profiler);
    let mut sink = ScanSink::new();
    let mut reports: Vec<FileReport> = inputs
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| read_file(i as u32, f, &opts.read, &mut catalog, &mut sink))
        .collect();
    sink.finish(&mut reports);
    let totals = totals(&reports, inputs.errors.len());
    let failed = totals.failed > 0;
    if opts.json {
        console.machine(|out| write_json(out, &reports, &inputs, &totals, &rules.name))?;
    } else {
        console.human(|out| {
            write_text(
                out,
                &reports,
                &inputs,
                &totals,
                opts.max_warnings,
                &rules.name,
            )
        })?;
    }
    Ok(if failed { EXIT_INPUT } else { EXIT_OK })
}

/// A file's warnings for `scan --json`: `line` in text files, `sheet` and `row` in workbooks.
fn warnings_json(r: &FileReport) -> Vec<serde_json::Value> {
    r.warnings
        .list
        .iter()
        .map(|w| match w.line {
            Some(l) if !r.sheets.is_empty() => {
                let (sheet, row) = crate::ingest::xlsx::sheet_row(l);
                json!({"sheet": r.sheets.get(sheet), "row": row, "message": w.message})
            }
            _ => json!({"line": w.line, "message": w.message}),
        })
        .collect()
}

fn write_json(
    out: &mut dyn Write,
    reports: &[FileReport],
    inputs: &super::Inputs,
    totals: &Totals,
    rules: &str,
) -> std::io::Result<()> {
    let mut files: Vec<serde_json::Value> = inputs
        .errors
        .iter()
        .map(|e| json!({"path": e.split(": ").next().unwrap_or(e), "error": e}))
        .collect();
    files.extend(reports.iter().map(|r| {
        json!({
            "path": r.path,
            "kind": r.kind.map(|k| k.as_str()),
            "gzip": r.gzip,
            "encoding": r.kind.map(|_| r.encoding()),
            "schema": r.schema,
            "columns": r.columns,
            "agency_from_file": r.file_agency,
            "agency_origin": r.file_agency.as_ref().map(|_| r.agency_origin),
            "owner": r.file_agency.as_ref().filter(|_| r.agency_origin != crate::ingest::AgencyOrigin::Option),
            "sharing": r.sharing.as_ref().map(|s| json!({"outbound": s.outbound.len(), "inbound": s.inbound.len()})),
            "rows": r.rows,
            "records": r.records,
            "duplicates": r.duplicates,
            "dropped": r.dropped,
            "flagged": r.flagged,
            "warnings": warnings_json(r),
            "warnings_total": r.warnings.total,
            "error": r.error,
        })
    }));
    let doc = json!({
        "rules": rules,
        "files": files,
        "skipped": inputs.skipped.iter().map(|s| json!({"path": s.display, "reason": s.reason})).collect::<Vec<_>>(),
        "totals": totals,
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// One file's part of the text report: kind, agency, counts, warnings, error.
fn write_file_text(
    out: &mut dyn Write,
    r: &FileReport,
    max_warnings: usize,
) -> std::io::Result<()> {
    let path = visible(&r.path);
    let strip =
        |e: &str| visible(e.strip_prefix(&format!("{}: ", r.path)).unwrap_or(e)).into_owned();
    writeln!(out, "{path}")?;
    if let Some(e) = &r.error
        && r.kind.is_none()
    {
        return writeln!(out, "  error: {}\n", strip(e));
    }
    let kind = r.kind.map(|k| k.as_str()).unwrap_or("?");
    writeln!(
        out,
        "  kind:     {kind}{}{} ({})",
        if r.gzip { ", gzip" } else { "" },
        r.utf16
            .map(|e| format!(", {}", e.name()))
            .unwrap_or_default(),
        visible(&r.schema)
    )?;
    if let Some(a) = &r.file_agency {
        // A name the file gives is its owner; `--agency NAME` only names a searcher.
        let label = if r.agency_origin == crate::ingest::AgencyOrigin::Option {
            "agency:  "
        } else {
            "owner:   "
        };
        writeln!(out, "  {label} {} ({})", visible(a), r.agency_origin())?;
    }
    if let Some(s) = &r.sharing {
        writeln!(
            out,
            "  sharing:  {} outbound, {} inbound (alpr-triage sharing lists them)",
            s.outbound.len(),
            s.inbound.len()
        )?;
    }
    writeln!(
        out,
        "  rows: {}  records: {}  duplicates: {}  dropped: {}  flagged: {}  warnings: {}",
        r.rows, r.records, r.duplicates, r.dropped, r.flagged, r.warnings.total
    )?;
    for w in r.warnings.list.iter().take(max_warnings) {
        match w.line {
            Some(l) => writeln!(out, "    {}: {}", r.place_words(l), visible(&w.message))?,
            None => writeln!(out, "    {}", visible(&w.message))?,
        }
    }
    let more = r
        .warnings
        .total
        .saturating_sub(max_warnings.min(r.warnings.list.len()) as u64);
    if more > 0 {
        writeln!(
            out,
            "    ... and {more} more warning{} (scan --json lists up to 1000 a file)",
            if more == 1 { "" } else { "s" }
        )?;
    }
    if let Some(e) = &r.error {
        writeln!(out, "  error: {}", strip(e))?;
    }
    writeln!(out)?;
    Ok(())
}

fn write_text(
    out: &mut dyn Write,
    reports: &[FileReport],
    inputs: &super::Inputs,
    totals: &Totals,
    max_warnings: usize,
    rules: &str,
) -> std::io::Result<()> {
    for e in &inputs.errors {
        writeln!(out, "{}\n  error: could not open\n", visible(e))?;
    }
    for r in reports {
        write_file_text(out, r, max_warnings)?;
    }
    if !inputs.skipped.is_empty() {
        writeln!(
            out,
            "skipped {} that {} not audit formats:",
            plural(inputs.skipped.len() as u64, "file"),
            if inputs.skipped.len() == 1 {
                "is"
            } else {
                "are"
            }
        )?;
        for s in &inputs.skipped {
            writeln!(out, "  {} ({})", visible(&s.display), s.reason)?;
        }
        writeln!(out)?;
    }
    writeln!(
        out,
        "total: {} ({} failed), {}, {}, {}, {} dropped, {} flagged by {}, {}",
        plural(totals.files, "file"),
        totals.failed,
        plural(totals.rows, "row"),
        plural(totals.records, "record"),
        plural(totals.duplicates, "duplicate"),
        totals.dropped,
        totals.flagged,
        visible(rules),
        plural(totals.warnings, "warning")
    )
}
