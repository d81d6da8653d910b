//! What the reader thread sends the sink thread: raw records plus what was worked out about
//! each (identity, time, schema), so the sink thread only interns and deduplicates.

use std::sync::Arc;

use csv::ByteRecord;

use super::schema::Schema;
use super::time::Millis;
use super::{AgencySource, FileReport};
use crate::model::RecordId;

/// Records a batch holds.
pub(crate) const BATCH: usize = 2048;

/// One data row of a batch.
#[derive(Clone, Debug)]
pub(crate) struct RowMeta {
    pub rec: u32,
    pub schema: u16,
    pub id: RecordId,
    pub line: u64,
    pub offset: u64,
    pub lossy: bool,
    pub agency_source: AgencySource,
    pub search_time: Option<Millis>,
    pub networks: Option<u32>,
}

/// Raw records and the rows found in them.
#[derive(Default)]
pub(crate) struct Batch {
    /// Record slots; the reader fills them in place.
    pub records: Vec<ByteRecord>,
    /// Processed rows (indexes into `records`).
    pub rows: Vec<RowMeta>,
    /// Schemas the rows were read with.
    pub schemas: Vec<Arc<Schema>>,
}

impl Batch {
    /// A batch with `BATCH` empty slots.
    pub fn new() -> Batch {
        Batch {
            records: (0..BATCH).map(|_| ByteRecord::new()).collect(),
            rows: Vec::with_capacity(BATCH),
            schemas: Vec::new(),
        }
    }

    /// Empties the batch for reuse, keeping its allocations.
    pub fn reset(&mut self) {
        self.rows.clear();
        self.schemas.clear();
    }

    /// The next free record slot (growing the batch for JSON rows).
    pub fn slot(&mut self, i: usize) -> &mut ByteRecord {
        while self.records.len() <= i {
            self.records.push(ByteRecord::new());
        }
        &mut self.records[i]
    }
}

/// Reader thread → sink thread.
pub(crate) enum Msg {
    /// The schema is known: the sink may prepare (report holds kind, columns, file agency).
    Begin(Box<FileReport>),
    /// Rows.
    Batch(Batch),
    /// The file is done; the report holds rows, dropped rows, warnings and any error.
    End(Box<FileReport>),
}
