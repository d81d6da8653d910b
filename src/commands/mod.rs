//! The headless subcommands. Each takes a plain options struct and returns an exit code.

pub mod export;
pub mod flag;
pub mod merge;
pub mod scan;
pub mod tally;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::flag::{RuleFileError, RuleSet};
use crate::ingest::{InputFile, Skipped, discover};

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
}

impl CommandError {
    /// The exit code for this error.
    pub fn exit_code(&self) -> i32 {
        EXIT_USAGE
    }
}

/// What a command built and still holds when it ends (the catalog of strings, the kept rows,
/// every row's id), handed to the caller rather than freed on the way out.
///
/// The binary [`abandon`](Leftovers::abandon)s them: the process exits right after, and the
/// system takes the memory back at once. Freeing it piece by piece (hundreds of thousands of
/// small allocations, then megabytes handed back one mapping at a time, each a TLB flush on
/// every core the process ran on) took 10–15 ms of a 1M-row `flag`, on one thread, after the
/// last record was written (`perf`). Any other caller just drops them.
#[derive(Default)]
pub struct Leftovers(Vec<Box<dyn std::any::Any>>);

impl Leftovers {
    /// Holds `value` until the leftovers are dropped or abandoned.
    pub fn keep(&mut self, value: impl std::any::Any) {
        self.0.push(Box::new(value));
    }

    /// Lets go of everything held without freeing it: only for a process about to exit.
    pub fn abandon(self) {
        std::mem::forget(self);
    }
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

/// The error for a failed write to `out` (standard output when None).
pub fn output_error(out: Option<&Path>) -> impl Fn(std::io::Error) -> CommandError + '_ {
    move |e| CommandError::Output {
        path: out
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "standard output".into()),
        message: e.to_string(),
    }
}

/// Refuses an output path that is one of the inputs, or that exists without `force`.
pub fn check_output(out: &Path, inputs: &[InputFile], force: bool) -> Result<(), CommandError> {
    let shown = out.display().to_string();
    if inputs
        .iter()
        .any(|f| crate::fsutil::same_file(&f.path, out))
    {
        return Err(CommandError::Output {
            path: shown,
            message: "is one of the input files; input files are never written".into(),
        });
    }
    if out.is_dir() {
        return Err(CommandError::Output {
            path: shown,
            message: "is a folder; give a file name".into(),
        });
    }
    if out.exists() && !force {
        return Err(CommandError::Output {
            path: shown,
            message: "already exists; pass --force to replace it".into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Leftovers;
    use std::rc::Rc;

    #[test]
    fn leftovers_are_freed_when_dropped_and_held_when_abandoned() {
        let value = Rc::new(1);
        let mut dropped = Leftovers::default();
        dropped.keep(Rc::clone(&value));
        assert_eq!(Rc::strong_count(&value), 2);
        drop(dropped);
        assert_eq!(Rc::strong_count(&value), 1);
        let mut abandoned = Leftovers::default();
        abandoned.keep(Rc::clone(&value));
        abandoned.abandon();
        assert_eq!(
            Rc::strong_count(&value),
            2,
            "abandoning must not run destructors"
        );
    }
}
