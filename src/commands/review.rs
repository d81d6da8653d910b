//! Options of the review UI (`alpr-triage PATH...`); the UI itself is [`crate::tui`].

use std::path::PathBuf;

use crate::ingest::ReadOptions;

/// Options of the review UI.
#[derive(Clone, Debug, Default)]
pub struct TuiOptions {
    /// Files and folders.
    pub paths: Vec<PathBuf>,
    /// Annotation file (default: one per dataset folder in the data directory).
    pub annotations: Option<PathBuf>,
    /// Reviewer name (default: the login name).
    pub reviewer: Option<String>,
    /// Rules file.
    pub rules: Option<PathBuf>,
    /// How files are read.
    pub read: ReadOptions,
    /// Config file (default: `config.toml` in the config directory).
    pub config: Option<PathBuf>,
    /// Agency rules, overrides and 287(g) lists.
    pub who: crate::agency::WhoOptions,
}
