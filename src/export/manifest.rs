//! The methods manifest beside an export: the inputs with their SHA-256 and counts, the rule set,
//! the selection, the annotation file, the reviewers, the counts per verdict, redaction, and the
//! output's own SHA-256 — what a colleague needs to reproduce the numbers.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::{ExportSummary, Only, REDACTED_FIELDS};
use crate::output::Format;
use crate::review::dataset::Dataset;

/// What went into an export, for a methods note and for a colleague reproducing the numbers.
pub struct ManifestInput<'a> {
    /// The dataset.
    pub ds: &'a Dataset,
    /// Where annotations came from.
    pub annotations: &'a Path,
    /// Where the export went (`standard output`, a device, or the file).
    pub output: String,
    /// SHA-256 of the bytes written.
    pub output_sha256: Option<String>,
    /// Format.
    pub format: Format,
    /// How CSV cells were written.
    pub cells: crate::output::CsvCells,
    /// `--only`.
    pub only: Only,
    /// The filter text.
    pub query: &'a str,
    /// Scope in words.
    pub scope: &'a str,
    /// Redaction on.
    pub redact: bool,
    /// The result.
    pub summary: &'a ExportSummary,
}

/// The manifest document.
pub fn manifest(m: &ManifestInput<'_>) -> Value {
    let ds = m.ds;
    let inputs = inputs_json(ds, &input_hashes(ds));
    let rules = &ds.catalog.rules;
    json!({
        "tool": format!("alpr-triage {}", env!("CARGO_PKG_VERSION")),
        "created_at": crate::store::now_rfc3339(),
        "output": {
            "path": m.output,
            "format": match m.format { Format::Csv => "csv", Format::Json => "json", Format::Jsonl => "jsonl" },
            "records": m.summary.records,
            "sha256": m.output_sha256,
            "spreadsheet_cells": match (m.format, m.cells) {
                (Format::Csv, crate::output::CsvCells::SpreadsheetSafe) => Value::String(crate::sanitize::FORMULA_RULE.into()),
                (Format::Csv, crate::output::CsvCells::Raw) => Value::String("raw: every cell as the data has it (--raw-cells); a cell starting with = + - @ may run as a formula in a spreadsheet".into()),
                _ => Value::Null,
            },
        },
        "selection": {
            "only": m.only.as_str(),
            "query": m.query,
            "scope": m.scope,
            "missing_from_inputs": m.summary.missing,
        },
        "inputs": inputs,
        "dataset": {
            "records": ds.len(),
            "flagged": ds.flagged_count(),
        },
        "rules": {"name": rules.name, "origin": rules.origin, "sha256": rules.hash},
        "annotations": {
            "path": m.annotations.display().to_string(),
            "sha256": crate::digest::sha256_file(m.annotations).ok(),
        },
        "reviewers": m.summary.reviewers,
        "verdicts": m.summary.verdicts,
        "redacted": m.redact,
        "redacted_fields": if m.redact { REDACTED_FIELDS.iter().map(|f| f.key()).collect::<Vec<_>>() } else { Vec::new() },
        "notes_redacted": m.redact,
        "free_text_masks": if m.redact { crate::redact::counts_json(&m.summary.masks) } else { Value::Null },
        "redaction_method": if m.redact { Value::String(crate::redact::METHOD.into()) } else { Value::Null },
    })
}

/// The SHA-256 of every input file (None where it cannot be read again).
pub fn input_hashes(ds: &Dataset) -> Vec<Option<String>> {
    ds.files
        .iter()
        .map(|f| crate::digest::sha256_file(&f.input.path).ok())
        .collect()
}

/// The inputs as a manifest lists them: path, SHA-256, size, kind and counts.
pub fn inputs_json(ds: &Dataset, hashes: &[Option<String>]) -> Vec<Value> {
    ds.files
        .iter()
        .zip(hashes)
        .map(|(f, sha)| {
            json!({
                "path": f.input.display,
                "sha256": sha,
                "bytes": f.report.bytes,
                "kind": f.report.kind.map(|k| k.as_str()),
                "rows": f.report.rows,
                "records": f.report.records,
                "duplicates": f.report.duplicates,
                "dropped": f.report.dropped,
                "flagged": f.report.flagged,
                "warnings": f.report.warnings.total,
                "error": f.report.error,
            })
        })
        .collect()
}

/// `OUT.manifest.json` for an export file.
pub fn manifest_path(out: &Path) -> PathBuf {
    let mut p = out.as_os_str().to_os_string();
    p.push(".manifest.json");
    PathBuf::from(p)
}

/// Writes the manifest to `target` (a regular file atomically and owner-only; standard output
/// is `stdout`).
pub fn write_manifest(
    target: &crate::files::target::Target,
    stdout: &mut dyn Write,
    stdout_is_terminal: bool,
    doc: &Value,
) -> std::io::Result<()> {
    target
        .write(stdout, stdout_is_terminal, false, |w| {
            serde_json::to_writer_pretty(&mut *w, doc)?;
            w.write_all(b"\n")
        })
        .map(drop)
}
