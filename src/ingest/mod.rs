//! Files → rows. Reads every export kind in docs/formats.md (Flock CSV audits of every era, portal
//! CSV, portal-scrape JSON, JSON arrays, NDJSON, any of them gzip-compressed, and Excel
//! workbooks), binds columns by
//! header name, normalises values, computes each row's identity and hands rows to a [`RowSink`].
//!
//! ```text
//!  path ──discover──▶ InputFile ──open/sniff──▶ CSV: blocks cut between records, parsed and
//!                                                     processed on worker threads (parallel)
//!                                               JSON / NDJSON: one reader thread (json_reader)
//!                                               XLSX: one reader thread, sheet by sheet (xlsx)
//!                                                   │ batches: raw records + rows (schema, quirks,
//!                                                   │ warnings, identity, time, text symbols)
//!                                                   ▼
//!                                 calling thread, in file order: catalog symbols, report (load)
//!                                                   │ Row
//!                                                   ▼
//!                                 RowSink: scan counters | flag output | TUI dataset
//! ```
//!
//! Input files are opened read-only and never written.

mod batch;
pub mod catalog;
mod describe;
mod discover;
mod json_reader;
pub mod limits;
mod load;
pub mod open;
mod parallel;
mod process;
pub mod row;
pub mod schema;
pub mod spool;
mod thread_strings;
pub mod time;
pub mod value;
pub mod xlsx;

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use crate::ingest::catalog::{Catalog, TextSyms};

pub use describe::{agency_from_file_name, agency_from_folder};
pub use discover::{InputFile, STDIN_NAME, Skipped, discover};
pub use load::read_file;
pub use open::ContentFormat;
#[doc(hidden)]
pub use parallel::regular_csv;
pub use row::{AgencySource, OwnedRow, Row, Text};
pub use schema::Schema;

/// The cells of one raw row: each field's bytes, unquoted and unescaped, as read from CSV (or
/// laid out from a JSON object's values).
pub type Cells = simd_csv::ByteRecord;

/// What kind of export a file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Flock Network Audit (`…-Network-Audit.csv`).
    FlockNetworkAudit,
    /// Flock Organization Audit (`…-Audit.csv`, usually without `Org Name`).
    FlockOrganizationAudit,
    /// Flock federal-searches export (2026).
    FlockFederalSearches,
    /// A Flock audit CSV whose name does not say which.
    FlockAudit,
    /// Transparency-portal search audit CSV (`id,userId,searchDate,…`).
    PortalSearchAudit,
    /// A scraped portal page (JSON object with `search_audit_csv`).
    PortalScrapeJson,
    /// A JSON array of row objects.
    JsonArray,
    /// One JSON object per line.
    Ndjson,
}

impl Kind {
    /// Name used in `scan` output.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::FlockNetworkAudit => "flock-network-audit",
            Kind::FlockOrganizationAudit => "flock-organization-audit",
            Kind::FlockFederalSearches => "flock-federal-searches",
            Kind::FlockAudit => "flock-audit",
            Kind::PortalSearchAudit => "portal-search-audit",
            Kind::PortalScrapeJson => "portal-scrape-json",
            Kind::JsonArray => "json-array",
            Kind::Ndjson => "ndjson",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A problem with one row (or a note about a quirk), with the line it was found on.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    /// 1-based line, when the problem is tied to one.
    pub line: Option<u64>,
    /// What is wrong and what was done about it.
    pub message: String,
}

/// Warnings of one file: the first [`Warnings::KEEP`] in full, and a count of all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Warnings {
    /// The first warnings, in line order.
    pub list: Vec<Warning>,
    /// How many there were in all.
    pub total: u64,
}

impl Warnings {
    /// How many warnings are kept in full per file.
    pub const KEEP: usize = 1000;

    /// Records a warning.
    pub fn push(&mut self, line: Option<u64>, message: impl Into<String>) {
        self.total += 1;
        if self.list.len() < Self::KEEP {
            self.list.push(Warning {
                line,
                message: message.into(),
            });
        }
    }

    /// Warnings counted but not kept.
    pub fn omitted(&self) -> u64 {
        self.total - self.list.len() as u64
    }

    /// Adds the warnings of a later stretch of the same file.
    pub fn append(&mut self, later: Warnings) {
        self.total += later.total;
        let room = Self::KEEP.saturating_sub(self.list.len());
        self.list.extend(later.list.into_iter().take(room));
    }
}

/// Where a file's agency came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AgencyOrigin {
    /// The file's name (Flock's `…-<Org Name>-Audit.csv`).
    FileName,
    /// The file's own metadata (a portal page's `crawled_name`).
    Metadata,
    /// The folder the file is in (`palm-springs-ca-pd/`).
    Folder,
    /// Named for this file (`--agency PATH=NAME`, or in the review UI).
    Named,
    /// `--agency NAME`.
    #[default]
    Option,
}

impl AgencyOrigin {
    /// In words, for `scan`.
    pub fn describe(self) -> &'static str {
        match self {
            AgencyOrigin::FileName => "from the file name",
            AgencyOrigin::Metadata => "from the file",
            AgencyOrigin::Folder => "from the folder name",
            AgencyOrigin::Named => "named for this file",
            AgencyOrigin::Option => "from --agency",
        }
    }
}

/// A transparency-portal page's sharing lists: the organizations its owner shares its cameras
/// with (`sharing_outbound`) and those sharing theirs with it (`sharing_inbound`), as written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sharing {
    /// `sharing_outbound`.
    pub outbound: Vec<String>,
    /// `sharing_inbound`.
    pub inbound: Vec<String>,
}

/// What a load found in one file.
#[derive(Clone, Debug, Default)]
pub struct FileReport {
    /// The path as shown to the user.
    pub path: String,
    /// Detected kind (None when the file could not be read at all).
    pub kind: Option<Kind>,
    /// The file was gzip-compressed.
    pub gzip: bool,
    /// The file is UTF-16 text (`UTF_16LE` or `UTF_16BE`), decoded to UTF-8 as it was read.
    pub utf16: Option<&'static encoding_rs::Encoding>,
    /// Bytes of the file read so far, while it is read (for progress: the rows' offsets are in
    /// what a gzip or UTF-16 file inflates or decodes to, not in the file).
    pub read: Option<Arc<std::sync::atomic::AtomicU64>>,
    /// Size on disk in bytes.
    pub bytes: u64,
    /// What the content is (CSV and its delimiter, JSON, NDJSON), once opened.
    pub content: Option<ContentFormat>,
    /// The column labels of the (first) header.
    pub columns: Vec<String>,
    /// A short description of the schema (era, layout).
    pub schema: String,
    /// The agency named by the file (name pattern or portal metadata), or `--agency`.
    pub file_agency: Option<String>,
    /// Where `file_agency` came from.
    pub agency_origin: AgencyOrigin,
    /// Data rows read (header rows excluded).
    pub rows: u64,
    /// Rows that became new records.
    pub records: u64,
    /// Rows that repeated a record already loaded (this file or an earlier one).
    pub duplicates: u64,
    /// Rows dropped because they held nothing usable (each also a warning).
    pub dropped: u64,
    /// New records that are flagged.
    pub flagged: u64,
    /// Row problems and quirks.
    pub warnings: Warnings,
    /// Why the file could not be read (or stopped being read).
    pub error: Option<String>,
    /// The sheets of a workbook, in order (empty for text files); see [`FileReport::place`].
    pub sheets: Vec<String>,
    /// A portal page's sharing lists (`sharing_outbound`, `sharing_inbound`), when it has them.
    pub sharing: Option<Arc<Sharing>>,
    /// What a gzip-compressed or UTF-16 file inflated or decoded to, when
    /// [`ReadOptions::keep_inflated`] asked for it: the source offsets of its rows are offsets
    /// in this copy.
    pub inflated: Option<Arc<spool::Spooled>>,
}

impl FileReport {
    /// The file's bytes are not its rows' bytes (it is gzip-compressed or UTF-16): a row is
    /// re-read by offset only from [`FileReport::inflated`].
    pub fn transcoded(&self) -> bool {
        self.gzip || self.utf16.is_some()
    }

    /// The encoding the file's text was read in: `UTF-16LE`, `UTF-16BE` or `UTF-8`.
    pub fn encoding(&self) -> &'static str {
        self.utf16.map_or("UTF-8", encoding_rs::Encoding::name)
    }

    /// Where a line of this file is, as written after `file:` in a source or a warning: the
    /// line (`12`), or in a workbook the sheet and row (`Searches:12`; see [`xlsx`]).
    pub fn place(&self, line: u64) -> String {
        if self.sheets.is_empty() {
            return line.to_string();
        }
        let (sheet, row) = xlsx::sheet_row(line);
        let name = self.sheets.get(sheet).map_or("?", String::as_str);
        format!("{}:{row}", crate::sanitize::visible(name))
    }

    /// [`FileReport::place`] in words, for listings: `line 12`, or `sheet "Searches" row 12`.
    pub fn place_words(&self, line: u64) -> String {
        if self.sheets.is_empty() {
            return format!("line {line}");
        }
        let (sheet, row) = xlsx::sheet_row(line);
        let name = self.sheets.get(sheet).map_or("?", String::as_str);
        format!("sheet {:?} row {row}", crate::sanitize::visible(name))
    }
}

/// Error for a whole file: it could not be opened, is empty, or is not a search-audit export.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The path does not exist or cannot be opened.
    #[error("{path}: cannot open: {source}")]
    Open {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Reading stopped part-way (I/O or decompression error).
    #[error("{path}: read failed at line {line}: {message}")]
    Read {
        /// The file.
        path: String,
        /// The last line reached.
        line: u64,
        /// What failed.
        message: String,
    },
    /// The file is empty.
    #[error("{path}: file is empty; expected a CSV or JSON search-audit export")]
    Empty {
        /// The file.
        path: String,
    },
    /// The file is not an audit export.
    #[error("{path}: {message}")]
    NotAudit {
        /// The file.
        path: String,
        /// What was found and what was expected.
        message: String,
    },
}

impl FileReport {
    /// Where the file's agency came from, in words.
    pub fn agency_origin(&self) -> &'static str {
        self.agency_origin.describe()
    }

    /// A guess at how many rows the file holds, for sizing tables (about 150 bytes a row,
    /// five times the size of a gzip file, half that of UTF-16 text).
    pub fn row_estimate(&self) -> usize {
        let bytes = if self.gzip {
            self.bytes.saturating_mul(5)
        } else {
            self.bytes
        };
        let bytes = if self.utf16.is_some() {
            bytes / 2
        } else {
            bytes
        };
        (bytes / 150) as usize
    }
}

/// What a sink did with a row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RowOutcome {
    /// The row repeated a record already seen.
    pub duplicate: bool,
    /// The (new) record is flagged.
    pub flagged: bool,
}

/// Receives the rows of a load, in file order.
pub trait RowSink {
    /// Called before the rows of each file, with the file's index and report so far.
    fn begin_file(&mut self, _file: u32, _report: &FileReport) {}
    /// One row, with its text columns' symbols in the load's catalog.
    fn row(&mut self, row: &Row<'_>, syms: &TextSyms, catalog: &Catalog) -> RowOutcome;
    /// Polled between batches: return true to stop reading (the load was cancelled).
    fn cancelled(&self) -> bool {
        false
    }
}

/// Options that change how files are read.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// Agency for files that name none (no `Org Name` column, no agency in the file name or
    /// folder).
    pub default_agency: Option<String>,
    /// Agency for named files (`--agency PATH=NAME`, or named in the review UI): a file, or a
    /// folder for every file below it. Rows with an `Org Name` still keep their own.
    pub file_agencies: Vec<(PathBuf, String)>,
    /// Keep a private copy of what each gzip-compressed CSV or NDJSON file inflates to (in
    /// [`FileReport::inflated`]), in this folder, so that its records can be re-read by offset
    /// like a plain file's. The review UI sets it (to the temporary folder); commands that read
    /// each file once do not.
    pub keep_inflated: Option<PathBuf>,
}

impl ReadOptions {
    /// The agency named for `file` in [`ReadOptions::file_agencies`] (the last that applies).
    pub fn named_agency(&self, file: &InputFile) -> Option<&str> {
        let own = std::fs::canonicalize(&file.path).ok();
        self.file_agencies
            .iter()
            .rev()
            .find(|(p, _)| {
                let shown = std::path::Path::new(&file.display);
                shown == p
                    || shown.starts_with(p) && p.as_os_str() != ""
                    || std::fs::canonicalize(p)
                        .ok()
                        .zip(own.as_ref())
                        .is_some_and(|(p, own)| own.starts_with(p))
            })
            .map(|(_, name)| name.as_str())
    }
}

/// Path of a file for messages.
pub fn display_path(p: &std::path::Path) -> String {
    p.display().to_string()
}

/// Paths as given on the command line.
pub type Paths = Vec<PathBuf>;
