//! `alpr-triage report`: the findings of a review as a folder someone can publish.

use std::path::{Path, PathBuf};

use super::{
    CommandError, Console, EXIT_INPUT, EXIT_OK, annotation_error, check_roles, inputs, load_rules,
};
use crate::export::verdict_codes;
use crate::ingest::ReadOptions;
use crate::report::{FILES, Findings, plan_folder, write_folder};
use crate::review::filter::Query;
use crate::store::Store;

/// Options of `report`.
#[derive(Clone, Debug)]
pub struct ReportCommand {
    /// Files and folders.
    pub paths: Vec<PathBuf>,
    /// Annotation file (default: the one the review UI uses for these inputs).
    pub annotations: Option<PathBuf>,
    /// The report folder.
    pub out: PathBuf,
    /// Replace the report's files if they exist.
    pub force: bool,
    /// Filter language: which records are counted.
    pub query: String,
    /// Leave out officers, user ids, plates and case numbers.
    pub redact: bool,
    /// Rules file.
    pub rules: Option<PathBuf>,
    /// How files are read.
    pub read: ReadOptions,
}

/// Runs `report`.
pub fn run(opts: &ReportCommand, console: &mut Console<'_>) -> Result<i32, CommandError> {
    let rules = load_rules(opts.rules.as_deref())?;
    let query = Query::parse(&opts.query, &rules).map_err(|e| CommandError::Output {
        path: "--query".into(),
        message: format!("{} (column {})", e.message, e.at + 1),
    })?;
    let mut inputs = inputs(&opts.paths);
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
    let ann_path = crate::store::resolve(&ann_path).map_err(annotation_error(&ann_path))?;
    // The folder and its files are checked before anything is read or written.
    plan_folder(&opts.out, opts.force, false)?;
    let paths: Vec<PathBuf> = FILES.iter().map(|n| opts.out.join(n)).collect();
    let roles: Vec<(&str, &Path)> = FILES
        .iter()
        .zip(&paths)
        .map(|(n, p)| (*n, p.as_path()))
        .collect();
    check_roles(&roles, Some(&ann_path), &inputs.files)?;
    let store = Store::open(&ann_path).map_err(annotation_error(&ann_path))?;
    if !ann_path.exists() {
        let shown = crate::sanitize::path(&ann_path);
        if opts.annotations.is_some() {
            return Err(CommandError::Input(format!(
                "{shown}: the annotation file does not exist, so no record has a verdict; check the path, or review the records first"
            )));
        }
        let _ = writeln!(
            console.err,
            "warning: {shown} does not exist: no record has a verdict, so the report counts flags only"
        );
    }
    let (files, copies, errors) =
        crate::ingest::spool::spool_streams(std::mem::take(&mut inputs.files));
    inputs.files = files;
    inputs.errors.extend(errors);
    let _copies = copies;
    let ds = crate::review::loader::load_all(inputs.files.clone(), opts.read.clone(), rules);
    let matched = store
        .iter()
        .filter(|a| ds.row_of(a.record_id).is_some())
        .count();
    if !store.is_empty() && matched == 0 {
        return Err(CommandError::Input(format!(
            "{}: none of its {} annotations is of a record in these inputs (annotations of another dataset?); no report was written. Check the paths, or pass --annotations FILE",
            crate::sanitize::path(&ann_path),
            store.len()
        )));
    }
    let verdicts = verdict_codes(&ds, &store);
    let findings = Findings::new(
        &ds,
        &store,
        &verdicts,
        (&opts.query, &query),
        opts.redact,
        &ann_path,
    );
    let targets = plan_folder(&opts.out, opts.force, true)?;
    write_folder(&findings, &targets).map_err(|e| CommandError::Output {
        path: crate::sanitize::path(&opts.out),
        message: e.to_string(),
    })?;
    let failed = super::report_problems(
        &mut *console.err,
        &inputs,
        &ds.files
            .iter()
            .map(|f| f.report.clone())
            .collect::<Vec<_>>(),
    );
    let t = &findings.summary.total;
    let _ = writeln!(
        console.err,
        "report written to {}: {} ({} records, {} flagged, {} confirmed immigration-related){}",
        crate::sanitize::path(&opts.out),
        FILES.join(", "),
        t.records,
        t.flagged,
        t.immigration,
        if opts.redact { " (redacted)" } else { "" }
    );
    Ok(if failed { EXIT_INPUT } else { EXIT_OK })
}
