//! CSV: a parser thread reads raw records in batches while the caller's thread processes them.

use std::io::{BufReader, Read};
use std::sync::mpsc;

use csv::ByteRecord;

use super::FileError;
use super::process::Processor;

const BATCH: usize = 2048;

struct Batch {
    records: Vec<ByteRecord>,
    len: usize,
    error: Option<(u64, String)>,
}

/// Reads delimited text into the processor. The csv parser runs on its own thread, one batch
/// ahead, so parsing and processing overlap on two cores.
pub(crate) fn run(
    reader: BufReader<Box<dyn Read + Send>>,
    delimiter: u8,
    p: &mut Processor<'_>,
) -> Result<(), FileError> {
    let (tx, rx) = mpsc::sync_channel::<Batch>(2);
    let (back_tx, back_rx) = mpsc::channel::<Vec<ByteRecord>>();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut rdr = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .delimiter(delimiter)
                .buffer_capacity(256 * 1024)
                .from_reader(reader);
            loop {
                let mut records = back_rx
                    .try_recv()
                    .unwrap_or_else(|_| (0..BATCH).map(|_| ByteRecord::new()).collect());
                let mut len = 0;
                let mut error = None;
                while len < BATCH {
                    match rdr.read_byte_record(&mut records[len]) {
                        Ok(true) => len += 1,
                        Ok(false) => break,
                        Err(e) => {
                            let line = rdr.position().line();
                            error = Some((line, e.to_string()));
                            break;
                        }
                    }
                }
                let done = len < BATCH;
                if tx
                    .send(Batch {
                        records,
                        len,
                        error,
                    })
                    .is_err()
                    || done
                {
                    return;
                }
            }
        });
        for batch in rx {
            for rec in &batch.records[..batch.len] {
                p.csv_record(rec)?;
            }
            if let Some((line, message)) = batch.error {
                return Err(FileError::Read {
                    path: p.path.clone(),
                    line,
                    message,
                });
            }
            if p.cancelled() {
                return Ok(());
            }
            let _ = back_tx.send(batch.records);
        }
        Ok(())
    })
}
