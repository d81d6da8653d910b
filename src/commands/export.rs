//! `alpr-triage export`: annotated records out, with a methods manifest.

use std::path::{Path, PathBuf};

use super::{CommandError, Console, EXIT_INPUT, EXIT_OK, Selection, check_roles, output_target};
use crate::export::manifest::{ManifestInput, manifest, manifest_path, write_manifest};
use crate::export::{ExportOptions, ExportSummary, Only, by_row, codes_of, select, write_with};
use crate::files::target::Target;
use crate::ingest::ReadOptions;
use crate::output::{CsvCells, Format};
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
    /// How CSV cells are written (spreadsheet-safe unless `--raw-cells`).
    pub cells: CsvCells,
    /// Agency rules, overrides and 287(g) lists.
    pub who: crate::agency::WhoOptions,
}

/// Runs `export`.
pub fn run(opts: &ExportCommand, console: &mut Console<'_>) -> Result<i32, CommandError> {
    let mut sel = Selection::new(
        &opts.paths,
        opts.annotations.as_deref(),
        opts.rules.as_deref(),
        &opts.who,
        &opts.query,
    )?;
    let ann_path = sel.annotations.clone();
    let outputs = Outputs::plan(opts)?;
    check_roles(&outputs.roles(opts), Some(&ann_path), &sel.inputs.files)?;
    check_annotations_exist(opts, &ann_path, console)?;
    // Streams are read again below (the export re-reads its inputs, the manifest hashes them):
    // their private copies live until the command ends.
    let (store, ds, _copies) = sel.load_with_annotations(&opts.read)?;
    sel.check_annotations_match(&store, &ds, "nothing was exported")?;
    check_selection_possible(opts, &ann_path, &store)?;
    let annotations = by_row(&ds, &store);
    let verdicts = codes_of(&annotations);
    let rows = select(&ds, &verdicts, opts.only, &sel.query);
    let eopts = ExportOptions {
        format: opts.format,
        redact: opts.redact,
        masks: store.masks.clone(),
        bom: opts.bom,
        read: opts.read.clone(),
        cells: opts.cells,
        progress: None,
    };
    let out_err = super::output_error(opts.out.as_deref());
    let (summary, written) = outputs
        .target
        .write(
            &mut *console.out,
            console.out_is_terminal,
            outputs.manifest.is_some(),
            |w| write_with(&ds, annotations, &verdicts, &rows, &eopts, w),
        )
        .map_err(out_err)?;
    let failed = super::report_problems(
        &mut *console.err,
        &sel.inputs,
        &ds.files
            .iter()
            .map(|f| f.report.clone())
            .collect::<Vec<_>>(),
    );
    outputs.write_manifest(
        &ManifestInput {
            ds: &ds,
            annotations: &ann_path,
            output: outputs.target.describe(),
            output_sha256: written.sha256.clone(),
            format: opts.format,
            cells: opts.cells,
            only: opts.only,
            query: &opts.query,
            scope: "command line",
            redact: opts.redact,
            summary: &summary,
        },
        console,
    )?;
    outputs.report(opts, &summary, console);
    super::free_later(store);
    Ok(if failed { EXIT_INPUT } else { EXIT_OK })
}

/// Where the export and its manifest go.
struct Outputs {
    target: Target,
    /// The manifest goes beside a file; standard output and devices get one only when asked.
    manifest: Option<Target>,
    /// The manifest path as given (or derived from `--out`), for the role check.
    manifest_given: Option<PathBuf>,
}

impl Outputs {
    fn plan(opts: &ExportCommand) -> Result<Outputs, CommandError> {
        let target = output_target(opts.out.as_deref(), opts.force)?;
        let manifest = match (&opts.manifest, &target) {
            (Some(m), _) => Some(Target::resolve(m, opts.force)?),
            (None, Target::File { given, .. }) => {
                Some(Target::resolve(&manifest_path(given), opts.force)?)
            }
            _ => None,
        };
        let manifest_given = opts.manifest.clone().or_else(|| match &target {
            Target::File { given, .. } => Some(manifest_path(given)),
            _ => None,
        });
        Ok(Outputs {
            target,
            manifest,
            manifest_given,
        })
    }

    /// Each output path with the name the user knows it by.
    fn roles<'a>(&'a self, opts: &'a ExportCommand) -> Vec<(&'static str, &'a Path)> {
        let mut roles: Vec<(&str, &Path)> = Vec::new();
        if let Some(o) = &opts.out {
            roles.push(("--out", o));
        }
        if let Some(m) = &self.manifest_given {
            roles.push(("the manifest", m));
        }
        roles
    }

    /// The methods manifest, or a note that there is none.
    fn write_manifest(
        &self,
        input: &ManifestInput<'_>,
        console: &mut Console<'_>,
    ) -> Result<(), CommandError> {
        match &self.manifest {
            Some(m) => {
                let doc = manifest(input);
                write_manifest(m, &mut *console.out, console.out_is_terminal, &doc).map_err(|e| {
                    CommandError::Output {
                        path: m.describe(),
                        message: e.to_string(),
                    }
                })
            }
            None => {
                let _ = writeln!(
                    console.err,
                    "note: no methods manifest written for {} (use --out FILE or --manifest FILE)",
                    self.target.describe()
                );
                Ok(())
            }
        }
    }

    /// The closing lines on standard error.
    fn report(&self, opts: &ExportCommand, summary: &ExportSummary, console: &mut Console<'_>) {
        let err = &mut *console.err;
        if summary.missing > 0 {
            let _ = writeln!(
                err,
                "warning: {} selected records were not found when the inputs were read again (did a file change?)",
                summary.missing
            );
        }
        let _ = writeln!(
            err,
            "{} exported{}{}{}",
            super::plural(summary.records, "record"),
            match &self.target {
                Target::Stdout => String::new(),
                t => format!(" to {}", t.describe()),
            },
            self.manifest
                .as_ref()
                .map(|m| format!(", manifest {}", m.describe()))
                .unwrap_or_default(),
            if opts.redact { " (redacted)" } else { "" }
        );
    }
}

/// Whether `--only` picks by verdict (and so needs annotations to select anything).
fn verdict_selection(only: Only) -> bool {
    matches!(
        only,
        Only::Immigration | Only::Not | Only::Unsure | Only::Reviewed
    )
}

/// A missing annotation file is an error when it was named or the selection needs verdicts, and
/// a warning otherwise.
fn check_annotations_exist(
    opts: &ExportCommand,
    ann_path: &Path,
    console: &mut Console<'_>,
) -> Result<(), CommandError> {
    if ann_path.exists() {
        return Ok(());
    }
    let shown = crate::sanitize::path(ann_path);
    let by_verdict = verdict_selection(opts.only);
    if opts.annotations.is_some() || by_verdict {
        return Err(CommandError::Input(format!(
            "{shown}: the annotation file does not exist, so no record has a verdict{}; check the path, or review the records first (the review UI creates the file on the first verdict)",
            if by_verdict {
                format!(" and --only {} selects nothing", opts.only.as_str())
            } else {
                String::new()
            }
        )));
    }
    let _ = writeln!(
        console.err,
        "warning: {shown} does not exist: no record has an annotation"
    );
    Ok(())
}

/// An empty annotation file when the selection needs verdicts exports nothing: say so instead of
/// writing an empty file (annotations of another dataset: [`Selection::check_annotations_match`]).
fn check_selection_possible(
    opts: &ExportCommand,
    ann_path: &Path,
    store: &Store,
) -> Result<(), CommandError> {
    if store.is_empty() && ann_path.exists() && verdict_selection(opts.only) {
        return Err(CommandError::Input(format!(
            "{}: the annotation file holds no annotations, so --only {} selects nothing; nothing was exported",
            crate::sanitize::path(ann_path),
            opts.only.as_str()
        )));
    }
    Ok(())
}
