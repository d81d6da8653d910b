//! The headless subcommands. Each takes a plain options struct and returns an exit code.

pub mod agencies;
pub mod export;
pub mod flag;
pub mod masks;
pub mod merge;
pub mod report;
pub mod review;
pub mod scan;
pub mod tally;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::files::target::Target;

use crate::flag::{RuleFileError, RuleSet};
use crate::ingest::{FileReport, InputFile, Skipped, discover};

/// Exit code: everything was read.
pub const EXIT_OK: i32 = 0;
/// Exit code: some input could not be read (the rest was processed).
pub const EXIT_INPUT: i32 = 1;
/// Exit code: bad arguments, rules or output path; nothing was done.
pub const EXIT_USAGE: i32 = 2;

/// An error that stops a command before it does anything.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The rules file is unusable.
    #[error(transparent)]
    Rules(#[from] RuleFileError),
    /// The output cannot be written.
    #[error("{path}: {message}")]
    Output {
        /// The output path.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// Nothing to read.
    #[error("no input files: {0}")]
    NoInput(String),
    /// A path that cannot be used as an output.
    #[error(transparent)]
    Path(#[from] crate::files::target::PathError),
    /// The inputs (or the annotations) cannot give what was asked; nothing was written.
    #[error("{0}")]
    Input(String),
    /// An agency rules, overrides or 287(g) file is unusable.
    #[error("{0}")]
    Agencies(String),
    /// Standard output was closed by its reader (`alpr-triage flag … | head`): not an error.
    #[error("standard output was closed")]
    ReaderGone,
}

impl CommandError {
    /// The exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            CommandError::Input(_) => EXIT_INPUT,
            CommandError::ReaderGone => EXIT_OK,
            _ => EXIT_USAGE,
        }
    }
}

/// From now on SIGINT, SIGTERM and SIGHUP stop the process after removing the temporary files
/// it is writing (an unfinished output, a private copy of a stream), so nothing half-written
/// is left behind.
pub fn remove_temps_on_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT]) else {
        return;
    };
    let _ = std::thread::Builder::new()
        .name("alpr-triage-signals".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                let removed = crate::files::remove_live_temps();
                let _ = writeln!(
                    std::io::stderr(),
                    "alpr-triage: stopped by signal {sig}{}",
                    if removed > 0 {
                        "; removed what it had half written"
                    } else {
                        ""
                    }
                );
                std::process::exit(128 + sig);
            }
        });
}

/// Loads `--rules FILE`, or the built-in set.
pub fn load_rules(path: Option<&Path>) -> Result<Arc<RuleSet>, RuleFileError> {
    Ok(Arc::new(match path {
        Some(p) => RuleSet::load(p)?,
        None => RuleSet::builtin(),
    }))
}

/// The agency profiler the options ask for (see [`crate::agency::Profiler::load`]).
pub fn load_profiler(
    opts: &crate::agency::WhoOptions,
) -> Result<Arc<crate::agency::Profiler>, CommandError> {
    crate::agency::Profiler::load(opts)
        .map(Arc::new)
        .map_err(CommandError::Agencies)
}

/// Profiles for what a load found: each agency of the catalog, each file's owner.
pub fn profiles_of(
    profiler: Arc<crate::agency::Profiler>,
    catalog: &crate::ingest::catalog::Catalog,
    reports: &[FileReport],
) -> crate::agency::Profiles {
    let files: Vec<&FileReport> = reports.iter().collect();
    crate::agency::Profiles::build(
        profiler,
        catalog.strings(crate::model::Field::Agency),
        &files,
    )
}

/// Input files for paths, with the paths that could not be opened as messages.
pub struct Inputs {
    /// Files to read, in order.
    pub files: Vec<InputFile>,
    /// Files inside folders that were skipped.
    pub skipped: Vec<Skipped>,
    /// Paths that could not be opened (one message each).
    pub errors: Vec<String>,
}

/// Expands paths (see [`discover`]).
pub fn inputs(paths: &[PathBuf]) -> Inputs {
    let (files, skipped, errors) = discover(paths);
    Inputs {
        files,
        skipped,
        errors: errors.into_iter().map(|e| e.to_string()).collect(),
    }
}

/// Where a command prints: standard output (and whether it is a terminal, where machine
/// output is escaped) and the stream for messages (escaped: always human-readable).
pub struct Console<'a> {
    /// Standard output.
    pub out: &'a mut dyn Write,
    /// Standard output is a terminal.
    pub out_is_terminal: bool,
    /// Messages (standard error).
    pub err: &'a mut dyn Write,
}

impl Console<'_> {
    /// Writes human-readable text to standard output through the terminal escape (see
    /// [`crate::sanitize`]), whether or not it is a terminal.
    pub fn human(
        &mut self,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<(), CommandError> {
        let mut w = crate::sanitize::TerminalWriter::new(&mut *self.out);
        write(&mut w)
            .and_then(|()| w.into_inner().map(drop))
            .map_err(output_error(None))
    }

    /// Writes machine output (JSON) to standard output: exact, unless standard output is a
    /// terminal.
    pub fn machine(
        &mut self,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<(), CommandError> {
        crate::files::target::Target::Stdout
            .write(&mut *self.out, self.out_is_terminal, false, write)
            .map(drop)
            .map_err(output_error(None))
    }
}

/// The error for a failed write to `out` (standard output when None or `-`). A reader of
/// standard output that went away (`| head`) is [`CommandError::ReaderGone`].
pub fn output_error(out: Option<&Path>) -> impl Fn(std::io::Error) -> CommandError + '_ {
    move |e| {
        let path = out.filter(|p| !crate::files::target::is_stdio(p));
        if path.is_none() && e.kind() == std::io::ErrorKind::BrokenPipe {
            return CommandError::ReaderGone;
        }
        CommandError::Output {
            path: path
                .map(crate::sanitize::path)
                .unwrap_or_else(|| "standard output".into()),
            message: e.to_string(),
        }
    }
}

/// Where `--out` goes (standard output when absent or `-`); see [`Target::resolve`].
pub fn output_target(out: Option<&Path>, force: bool) -> Result<Target, CommandError> {
    match out {
        None => Ok(Target::Stdout),
        Some(p) => Ok(Target::resolve(p, force)?),
    }
}

/// Refuses when outputs, the annotation file (with its backup and lock) and the inputs are not
/// all different files.
pub fn check_roles(
    outputs: &[(&str, &Path)],
    annotations: Option<&Path>,
    inputs: &[InputFile],
) -> Result<(), CommandError> {
    let mut roles: Vec<(String, std::path::PathBuf)> = outputs
        .iter()
        .map(|(r, p)| (r.to_string(), p.to_path_buf()))
        .collect();
    if let Some(a) = annotations {
        roles.push(("the annotation file".into(), a.to_path_buf()));
        roles.push((
            "the annotation file's backup".into(),
            crate::store::backup_path(a),
        ));
        roles.push((
            "the annotation file's lock".into(),
            crate::store::lock::lock_path(a),
        ));
    }
    for f in inputs {
        if let Some(p) = f.stat_path() {
            roles.push((
                format!("the input {}", crate::sanitize::path(Path::new(&f.display))),
                p,
            ));
        }
    }
    let refs: Vec<(String, &Path)> = roles
        .iter()
        .map(|(r, p)| (r.clone(), p.as_path()))
        .collect();
    crate::files::target::check_distinct(&refs)?;
    Ok(())
}

/// `1 record`, `2 records`: a count and its noun.
pub fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A path as a shell word to paste back (single-quoted when it holds anything but plain
/// characters), escaped for the terminal.
pub fn shell_quote(path: &str) -> String {
    let plain = !path.is_empty()
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./+,:@%=".contains(c));
    let q = if plain {
        path.to_string()
    } else {
        format!("'{}'", path.replace('\'', "'\\''"))
    };
    crate::sanitize::visible(&q).into_owned()
}

/// Prints file errors and a warning summary per file; true when any file failed.
pub fn report_problems(err: &mut dyn Write, inputs: &Inputs, reports: &[FileReport]) -> bool {
    use crate::sanitize::visible;
    let mut failed = !inputs.errors.is_empty();
    for e in &inputs.errors {
        let _ = writeln!(err, "error: {}", visible(e));
    }
    for r in reports {
        if let Some(e) = &r.error {
            failed = true;
            let _ = writeln!(err, "error: {}", visible(e));
        }
        if let Some(first) = r.warnings.list.first() {
            let _ = writeln!(
                err,
                "warning: {}: {} with problems (first, {}: {}); `alpr-triage scan {}` lists them",
                visible(&r.path),
                plural(r.warnings.total, "row"),
                first
                    .line
                    .map(|l| r.place_words(l))
                    .unwrap_or_else(|| "line -".into()),
                visible(&first.message),
                shell_quote(&r.path)
            );
        }
    }
    failed
}

/// What `export` and `report` start from: the rules, the query parsed with them, the inputs,
/// and the annotation file (the one given, or the review UI's for these paths), resolved.
pub(super) struct Selection {
    pub rules: Arc<RuleSet>,
    pub profiler: Arc<crate::agency::Profiler>,
    pub query: crate::review::filter::Query,
    pub inputs: Inputs,
    pub annotations: PathBuf,
}

impl Selection {
    /// Refuses a query that does not parse, and paths that hold no supported file.
    pub(super) fn new(
        paths: &[PathBuf],
        annotations: Option<&Path>,
        rules: Option<&Path>,
        who: &crate::agency::WhoOptions,
        query: &str,
    ) -> Result<Selection, CommandError> {
        let rules = load_rules(rules)?;
        let profiler = load_profiler(who)?;
        let query = crate::review::filter::Query::parse(query, &rules).map_err(|e| {
            CommandError::Output {
                path: "--query".into(),
                message: format!("{} (column {})", e.message, e.at + 1),
            }
        })?;
        let inputs = inputs(paths);
        if inputs.files.is_empty() {
            return Err(CommandError::NoInput(if inputs.errors.is_empty() {
                "no supported files in the given folders".into()
            } else {
                inputs.errors.join("; ")
            }));
        }
        let path = annotations
            .map(Path::to_path_buf)
            .unwrap_or_else(|| crate::config::default_annotations(paths));
        let annotations = crate::store::resolve(&path).map_err(annotation_error(&path))?;
        Ok(Selection {
            rules,
            profiler,
            query,
            inputs,
            annotations,
        })
    }

    /// Loads every record of the inputs, streams first copied aside (they are read again
    /// later: records re-read, files hashed). Keep the copies as long as the inputs are read.
    pub(super) fn load(
        &mut self,
        read: &crate::ingest::ReadOptions,
    ) -> (
        crate::review::dataset::Dataset,
        Vec<crate::ingest::spool::Spooled>,
    ) {
        let (files, copies, errors) =
            crate::ingest::spool::spool_streams(std::mem::take(&mut self.inputs.files));
        self.inputs.files = files;
        self.inputs.errors.extend(errors);
        let ds = crate::review::loader::load_all(
            self.inputs.files.clone(),
            read.clone(),
            self.rules.clone(),
            self.profiler.clone(),
        );
        (ds, copies)
    }

    /// [`Selection::load`], with the annotation file read on another thread meanwhile.
    pub(super) fn load_with_annotations(
        &mut self,
        read: &crate::ingest::ReadOptions,
    ) -> Result<
        (
            crate::store::Store,
            crate::review::dataset::Dataset,
            Vec<crate::ingest::spool::Spooled>,
        ),
        CommandError,
    > {
        let path = self.annotations.clone();
        let (store, (ds, copies)) = std::thread::scope(|s| {
            let store = s.spawn(|| crate::store::Store::open(&path));
            let loaded = self.load(read);
            (store.join(), loaded)
        });
        let store = store
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            .map_err(annotation_error(&path))?;
        // Profile corrections kept with the annotations (`P` in the review UI) apply here too.
        let mut ds = ds;
        let profiler = self
            .profiler
            .corrected(&store.agencies, &crate::sanitize::path(&path))
            .map_err(CommandError::Agencies)?;
        if !Arc::ptr_eq(&profiler, &self.profiler) {
            ds.reprofile(profiler.clone());
            self.profiler = profiler;
        }
        Ok((store, ds, copies))
    }

    /// Refuses an annotation file none of whose annotations is of a record in the inputs
    /// (`outcome`: what was therefore not done, for the message).
    pub(super) fn check_annotations_match(
        &self,
        store: &crate::store::Store,
        ds: &crate::review::dataset::Dataset,
        outcome: &str,
    ) -> Result<(), CommandError> {
        if !store.is_empty() && !store.iter().any(|a| ds.row_of(a.record_id).is_some()) {
            return Err(CommandError::Input(format!(
                "{}: none of its {} annotations is of a record in these inputs (annotations of another dataset?); {outcome}. Check the paths, or pass --annotations FILE",
                crate::sanitize::path(&self.annotations),
                store.len()
            )));
        }
        Ok(())
    }
}

/// Frees `big` on a thread of its own: a million annotations take a third of a second to
/// free, and a command's answer need not wait for it (the process ends without waiting).
/// Only for what has nothing to do when dropped but free memory (no temporary files).
pub(super) fn free_later<T: Send + 'static>(big: T) {
    let _ = std::thread::Builder::new()
        .name("alpr-triage-free".into())
        .spawn(move || drop(big));
}

/// An annotation-file error as a command error naming the file once.
pub(super) fn annotation_error(
    path: &std::path::Path,
) -> impl Fn(crate::store::StoreError) -> CommandError + '_ {
    move |e| CommandError::Output {
        path: crate::sanitize::path(path),
        message: e
            .to_string()
            .trim_start_matches(&format!("{}: ", path.display()))
            .to_string(),
    }
}
