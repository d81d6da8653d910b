//! JSON: arrays of row objects, portal-scrape objects (`search_audit_csv`), NDJSON.

mod doc;
mod ndjson;
mod object;

pub(crate) use doc::run_doc;
pub(crate) use ndjson::run_ndjson;

use super::batch::Batch;
use super::process::Part;

/// Rows of a JSON file, sent in batches to the reading thread with what they add to the report.
pub(crate) type Sent = (Batch, Part);

/// The largest JSON document read whole (portal pages are kilobytes; anything this large should
/// be NDJSON, one row a line, which is read as a stream).
pub const DOC_MAX: u64 = 512 << 20;

/// The longest NDJSON line read (a search record is well under a kilobyte; a longer line is a
/// broken or hostile file, and is dropped with a warning rather than held in memory).
pub const LINE_MAX: usize = 16 << 20;

/// Rows parsed on every core at a time, then taken in order on the reading thread.
const WINDOW: usize = 64 * 1024;

/// An NDJSON block: this many bytes of whole lines, or more to end the last line.
const BLOCK: usize = 4 << 20;
