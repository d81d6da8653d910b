//! `alpr-triage report`: the findings of a review as a folder someone can publish.

use std::path::{Path, PathBuf};

use super::{CommandError, Console, EXIT_INPUT, EXIT_OK, Selection, check_roles};
use crate::export::verdict_codes;
use crate::ingest::ReadOptions;
use crate::report::{FILES, Findings, plan_folder, write_folder};

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
    /// Agency rules, overrides and 287(g) lists.
    pub who: crate::agency::WhoOptions,
    /// How files are read.
    pub read: ReadOptions,
}

/// Runs `report`.
pub fn run(opts: &ReportCommand, console: &mut Console<'_>) -> Result<i32, CommandError> {
    let mut sel = Selection::new(
        &opts.paths,
        opts.annotations.as_deref(),
        opts.rules.as_deref(),
        &opts.who,
        &opts.query,
    )?;
    let ann_path = sel.annotations.clone();
    // The folder and its files are checked before anything is read or written.
    plan_folder(&opts.out, opts.force, false)?;
    let paths: Vec<PathBuf> = FILES.iter().map(|n| opts.out.join(n)).collect();
    let roles: Vec<(&str, &Path)> = FILES
        .iter()
        .zip(&paths)
        .map(|(n, p)| (*n, p.as_path()))
        .collect();
    check_roles(&roles, Some(&ann_path), &sel.inputs.files)?;
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
    let (store, ds, _copies) = sel.load_with_annotations(&opts.read)?;
    sel.check_annotations_match(&store, &ds, "no report was written")?;
    let verdicts = verdict_codes(&ds, &store);
    let findings = Findings::new(
        &ds,
        &store,
        &verdicts,
        (&opts.query, &sel.query),
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
        &sel.inputs,
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
    drop(findings);
    super::free_later(store);
    Ok(if failed { EXIT_INPUT } else { EXIT_OK })
}
