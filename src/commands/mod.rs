//! The headless subcommands. Each takes a plain options struct and returns an exit code.

pub mod export;
pub mod flag;
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
