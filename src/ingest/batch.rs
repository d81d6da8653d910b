//! Rows in bulk: raw records plus what was worked out about each (identity, time, schema, the
//! text cells' local symbols), so the thread that hands rows to the sink only maps symbols and
//! deduplicates.

use std::sync::Arc;

use crate::ingest::catalog::TEXT_FIELDS;
use crate::ingest::row::Text;
use crate::ingest::schema::Schema;
use crate::ingest::time::Millis;
use crate::ingest::{AgencySource, Cells};
use crate::model::RecordId;

/// Records a JSON batch holds before it is sent on.
pub(crate) const BATCH: usize = 2048;

/// Where a raw row starts: the byte offset of its first byte in the (decompressed) content,
/// and its 1-based line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct At {
    pub byte: u64,
    pub line: u64,
}

/// One data row of a batch.
#[derive(Clone, Debug)]
pub(crate) struct RowMeta {
    /// Index of the raw record in the batch.
    pub rec: u32,
    /// Index of the schema in the batch.
    pub schema: u32,
    pub id: RecordId,
    pub line: u64,
    pub offset: u64,
    pub lossy: bool,
    pub agency_source: AgencySource,
    pub search_time: Option<Millis>,
    pub networks: Option<u32>,
    /// Local symbols of the text cells, in [`TEXT_FIELDS`] order (see `LocalStrings`).
    pub text: [u32; TEXT_FIELDS.len()],
}

/// Raw records and the rows found in them.
#[derive(Default)]
pub(crate) struct Batch {
    /// Record slots, filled in place (allocations are kept when a batch is reused).
    pub records: Vec<Cells>,
    /// Where each filled record starts.
    pub at: Vec<At>,
    /// Filled record slots.
    pub len: usize,
    /// Processed rows (indexes into `records`).
    pub rows: Vec<RowMeta>,
    /// Schemas the rows were read with.
    pub schemas: Vec<Arc<Schema>>,
    /// Text first seen while processing these rows: (slot in `TEXT_FIELDS`, text), in the order
    /// the local symbols were given.
    pub strings: Vec<(u8, Text<'static>)>,
    /// Every record is known to be valid UTF-8 (the bytes they came from were): no row needs
    /// checking on its own.
    pub utf8: bool,
    /// Some record may hold a NUL byte (the bytes they came from did): rows are checked.
    pub nul: bool,
    /// Records whose cells were capped (see [`Batch::cap`]), with the warning for each.
    pub capped: Vec<(usize, String)>,
}

impl Batch {
    /// Empties the batch for reuse, keeping its allocations.
    pub fn reset(&mut self) {
        self.len = 0;
        self.utf8 = false;
        self.nul = false;
        self.capped.clear();
        self.at.clear();
        self.rows.clear();
        self.schemas.clear();
        self.strings.clear();
    }

    /// The next free record slot (cleared), starting at `at`.
    pub fn next_slot(&mut self, at: At) -> &mut Cells {
        if self.records.len() <= self.len {
            self.records.push(Cells::new());
        }
        self.at.push(at);
        self.len += 1;
        let rec = &mut self.records[self.len - 1];
        rec.clear();
        rec
    }

    /// Caps every filled record's cells (see [`super::limits`]), noting each capped record's
    /// index and the warning to give for it in [`Batch::capped`].
    pub fn cap(&mut self) {
        for (i, rec) in self.records[..self.len].iter_mut().enumerate() {
            if let Some(w) = crate::ingest::limits::cap(rec) {
                self.capped.push((i, w));
            }
        }
    }

    /// Gives back the last slot taken.
    pub fn pop_slot(&mut self) {
        self.len = self.len.saturating_sub(1);
        self.at.truncate(self.len);
    }

    /// The filled records, where they start, and the place to put rows found in them.
    pub(crate) fn split(&mut self) -> (&[Cells], &[At], Out<'_>) {
        (
            &self.records[..self.len],
            &self.at,
            Out {
                rows: &mut self.rows,
                schemas: &mut self.schemas,
                strings: &mut self.strings,
                utf8: self.utf8,
                nul: self.nul,
            },
        )
    }
}

/// Where processed rows of one batch go.
pub(crate) struct Out<'b> {
    pub rows: &'b mut Vec<RowMeta>,
    schemas: &'b mut Vec<Arc<Schema>>,
    pub strings: &'b mut Vec<(u8, Text<'static>)>,
    /// See [`Batch::utf8`].
    pub utf8: bool,
    /// See [`Batch::nul`].
    pub nul: bool,
}

impl Out<'_> {
    /// The batch index of a schema (schemas change rarely: compared with the last one only).
    pub fn schema_index(&mut self, schema: &Arc<Schema>) -> u32 {
        match self.schemas.last() {
            Some(last) if Arc::ptr_eq(last, schema) => (self.schemas.len() - 1) as u32,
            _ => {
                self.schemas.push(schema.clone());
                (self.schemas.len() - 1) as u32
            }
        }
    }
}
