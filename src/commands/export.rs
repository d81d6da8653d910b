//! `alpr-triage export`: annotated records out, with a methods manifest.

use std::io::Write;
use std::path::PathBuf;

use super::{CommandError, EXIT_INPUT, EXIT_OK, Leftovers, check_output, inputs, load_rules};
use crate::export::{
    ExportOptions, ManifestInput, Only, manifest, manifest_path, select, verdict_codes, write,
    write_manifest,
};
use crate::filter::Query;
use crate::ingest::ReadOptions;
use crate::output::Format;
use crate::store::Store;

/// Options of `export`.
#[derive(Clone, Debug)]
pub struct ExportCommand {
    /// Files and folders.
    pub paths: Vec<PathBuf>,
    /// Annotation file (default: the one the review UI uses for these inputs).
    pub annotations: Option<PathBuf>,
    /// Output format.
    pub format: Format,
    /// Output file (standard output when None).
    pub out: Option<PathBuf>,
    /// Replace existing files.
    pub force: bool,
    /// Which records.
    pub only: Only,
    /// Filter language.
    pub query: String,
    /// Mask sensitive fields.
    pub redact: bool,
    /// Byte-order mark on CSV.
    pub bom: bool,
    /// Manifest path (default `OUT.manifest.json`).
    pub manifest: Option<PathBuf>,
    /// Rules file.
    pub rules: Option<PathBuf>,
    /// How files are read.
    pub read: ReadOptions,
}

/// Runs `export`; the loaded records and annotations go to `leftovers`.
pub fn run(
    opts: &ExportCommand,
    stdout: &mut dyn Write,
    err: &mut dyn Write,
    leftovers: &mut Leftovers,
) -> Result<i32, CommandError> {
    let rules = load_rules(opts.rules.as_deref())?;
    let query = Query::parse(&opts.query, &rules).map_err(|e| CommandError::Output {
        path: "--query".into(),
        message: format!("{} (column {})", e.message, e.at + 1),
    })?;
    let inputs = inputs(&opts.paths);
    if inputs.files.is_empty() {
        return Err(CommandError::NoInput(if inputs.errors.is_empty() {
            "no supported files in the given folders".into()
        } else {
            inputs.errors.join("; ")
        }));
    }
    let ann_path = opts
        .annotations
        .clone()
        .unwrap_or_else(|| crate::config::default_annotations(&opts.paths));
    let store = Store::open(&ann_path).map_err(|e| CommandError::Output {
        path: ann_path.display().to_string(),
        message: e.to_string(),
    })?;
    if !ann_path.exists() {
        let _ = writeln!(
            err,
            "warning: {} does not exist: no record has an annotation",
            ann_path.display()
        );
    }
    let manifest_file = opts
        .manifest
        .clone()
        .or_else(|| opts.out.as_ref().map(|o| manifest_path(o)));
    if let Some(out) = &opts.out {
        check_output(out, &inputs.files, opts.force)?;
    }
    if let Some(m) = &manifest_file {
        check_output(m, &inputs.files, opts.force)?;
    }
    let ds = crate::loader::load_all(inputs.files.clone(), opts.read.clone(), rules);
    let verdicts = verdict_codes(&ds, &store);
    let rows = select(&ds, &verdicts, opts.only, &query);
    let eopts = ExportOptions {
        format: opts.format,
        redact: opts.redact,
        bom: opts.bom,
        read: opts.read.clone(),
    };
    let out_err = super::output_error(opts.out.as_deref());
    let summary = match &opts.out {
        Some(path) => {
            let mut summary = None;
            crate::fsutil::atomic_write(path, |w| {
                summary = Some(write(&ds, &store, &rows, &eopts, w)?);
                Ok(())
            })
            .map_err(out_err)?;
            summary.unwrap_or_default()
        }
        None => write(&ds, &store, &rows, &eopts, stdout).map_err(out_err)?,
    };
    let failed = super::flag::report_problems(
        err,
        &inputs,
        &ds.files
            .iter()
            .map(|f| f.report.clone())
            .collect::<Vec<_>>(),
    );
    match &manifest_file {
        Some(m) => {
            let doc = manifest(&ManifestInput {
                ds: &ds,
                annotations: &ann_path,
                output: opts.out.as_deref(),
                format: opts.format,
                only: opts.only,
                query: &opts.query,
                scope: "command line",
                redact: opts.redact,
                summary: &summary,
            });
            write_manifest(m, &doc).map_err(|e| CommandError::Output {
                path: m.display().to_string(),
                message: e.to_string(),
            })?;
        }
        None => {
            let _ = writeln!(
                err,
                "note: no methods manifest written for standard output (use --out or --manifest FILE)"
            );
        }
    }
    if summary.missing > 0 {
        let _ = writeln!(
            err,
            "warning: {} selected records were not found when the inputs were read again (did a file change?)",
            summary.missing
        );
    }
    let _ = writeln!(
        err,
        "{} records exported{}{}{}",
        summary.records,
        opts.out
            .as_ref()
            .map(|p| format!(" to {}", p.display()))
            .unwrap_or_default(),
        manifest_file
            .as_ref()
            .map(|p| format!(", manifest {}", p.display()))
            .unwrap_or_default(),
        if opts.redact { " (redacted)" } else { "" }
    );
    leftovers.keep((ds, store, rows, verdicts));
    Ok(if failed { EXIT_INPUT } else { EXIT_OK })
}
