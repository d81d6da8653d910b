//! An export from the review UI, written on its own thread so that the UI never waits for it:
//! the inputs are read again and hashed, which takes seconds on large files. Progress is a
//! count of records written; the outcome comes back once.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, channel};

use crate::app::ExportRequest;
use crate::export::manifest::{ManifestInput, manifest, manifest_path, write_manifest};
use crate::export::{self, ExportOptions};
use crate::files::target::Target;
use crate::ingest::ReadOptions;
use crate::review::dataset::Dataset;
use crate::store::Store;

/// What an export reports: the path written and the records in it, or why it failed.
pub type Outcome = Result<crate::app::ExportDone, String>;

/// An export under way.
pub struct ExportJob {
    written: Arc<AtomicU64>,
    reported: std::cell::Cell<u64>,
    done: Receiver<Outcome>,
}

impl ExportJob {
    /// Starts writing `req` from the dataset and a copy of the annotations as they are now.
    pub fn start(
        ds: Arc<Dataset>,
        store: Store,
        req: ExportRequest,
        read: ReadOptions,
    ) -> ExportJob {
        let written = Arc::new(AtomicU64::new(0));
        let (tx, done) = channel();
        let counter = written.clone();
        let spawned = std::thread::Builder::new()
            .name("alpr-triage-export".into())
            .spawn(move || {
                let _ = tx.send(write(&ds, &store, &req, read, counter));
            });
        if let Err(e) = spawned {
            let (tx, rx) = channel();
            let _ = tx.send(Err(format!("cannot start the export: {e}")));
            return ExportJob {
                written,
                reported: Default::default(),
                done: rx,
            };
        }
        ExportJob {
            written,
            reported: Default::default(),
            done,
        }
    }

    /// Records written since the last call, when there are more.
    pub fn progress(&self) -> Option<u64> {
        let n = self.written.load(Ordering::Relaxed);
        (n != self.reported.get()).then(|| {
            self.reported.set(n);
            n
        })
    }

    /// The outcome, once the export is done.
    pub fn outcome(&self) -> Option<Outcome> {
        self.done.try_recv().ok()
    }

    /// Waits for the outcome.
    pub fn wait(self) -> Outcome {
        self.done
            .recv()
            .unwrap_or_else(|_| Err("the export stopped unexpectedly".into()))
    }
}

/// Writes an export and its manifest (atomically, owner-only). The dialog asked before
/// replacing an existing file.
fn write(
    ds: &Dataset,
    store: &Store,
    req: &ExportRequest,
    read: ReadOptions,
    written: Arc<AtomicU64>,
) -> Outcome {
    let fail = |e: &dyn std::fmt::Display| e.to_string();
    if req.report {
        return write_report(ds, store, req);
    }
    let target = Target::resolve(&req.path, true).map_err(|e| fail(&e))?;
    if target == Target::Stdout {
        return Err(
            "- is standard output, which the review UI is drawn on; give a file name".into(),
        );
    }
    let manifest_file = match &target {
        Target::File { given, .. } => Some(manifest_path(given)),
        _ => None,
    };
    let mut roles: Vec<(&str, &std::path::Path)> = vec![("the export", &req.path)];
    if let Some(m) = &manifest_file {
        roles.push(("its manifest", m));
    }
    let inputs: Vec<crate::ingest::InputFile> = ds.files.iter().map(|f| f.input.clone()).collect();
    crate::commands::check_roles(&roles, Some(store.path()), &inputs).map_err(|e| fail(&e))?;
    let manifest_target = manifest_file
        .map(|m| Target::resolve(&m, true))
        .transpose()
        .map_err(|e| fail(&e))?;
    let opts = ExportOptions {
        format: req.format,
        redact: req.redact,
        masks: store.masks.clone(),
        bom: true,
        read,
        cells: crate::output::CsvCells::SpreadsheetSafe,
        progress: Some(written),
    };
    let shown = target.describe();
    let mut no_stdout = std::io::sink();
    let (summary, bytes) = target
        .write(&mut no_stdout, false, manifest_target.is_some(), |w| {
            export::write(ds, store, &req.rows, &opts, w)
        })
        .map_err(|e| format!("{shown}: {e}"))?;
    if let Some(m) = &manifest_target {
        let doc = manifest(&ManifestInput {
            ds,
            annotations: store.path(),
            output: shown.clone(),
            output_sha256: bytes.sha256,
            format: req.format,
            cells: opts.cells,
            only: export::Only::All,
            query: &req.query,
            scope: req.scope,
            redact: req.redact,
            summary: &summary,
        });
        write_manifest(m, &mut no_stdout, false, &doc)
            .map_err(|e| format!("{}: {e}", m.describe()))?;
    }
    Ok(crate::app::ExportDone {
        path: shown,
        records: summary.records,
        report: false,
    })
}

/// Writes a report folder (the dialog asked before replacing its files).
fn write_report(ds: &Dataset, store: &Store, req: &ExportRequest) -> Outcome {
    let fail = |e: &dyn std::fmt::Display| e.to_string();
    let query = crate::review::filter::Query::parse(&req.report_query, &ds.catalog.rules)
        .map_err(|e| format!("the filter: {e}"))?;
    crate::report::plan_folder(&req.path, true, false).map_err(|e| fail(&e))?;
    let paths: Vec<std::path::PathBuf> = crate::report::FILES
        .iter()
        .map(|n| req.path.join(n))
        .collect();
    let roles: Vec<(&str, &std::path::Path)> = crate::report::FILES
        .iter()
        .zip(&paths)
        .map(|(n, p)| (*n, p.as_path()))
        .collect();
    let inputs: Vec<crate::ingest::InputFile> = ds.files.iter().map(|f| f.input.clone()).collect();
    crate::commands::check_roles(&roles, Some(store.path()), &inputs).map_err(|e| fail(&e))?;
    let verdicts = export::verdict_codes(ds, store);
    let findings = crate::report::Findings::new(
        ds,
        store,
        &verdicts,
        (&req.report_query, &query),
        req.redact,
        store.path(),
    );
    let targets = crate::report::plan_folder(&req.path, true, true).map_err(|e| fail(&e))?;
    let shown = crate::sanitize::path(&req.path);
    crate::report::write_folder(&findings, &targets).map_err(|e| format!("{shown}: {e}"))?;
    Ok(crate::app::ExportDone {
        path: shown,
        records: findings.summary.total.records,
        report: true,
    })
}
