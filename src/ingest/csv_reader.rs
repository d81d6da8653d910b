//! CSV on the reader thread: parse a batch of records in place, process it, send it on.

use std::io::{BufReader, Read};

use super::FileError;
use super::batch::BATCH;
use super::process::{Processor, Stop};

/// Reads delimited text.
pub(crate) fn run(
    reader: BufReader<Box<dyn Read + Send>>,
    delimiter: u8,
    p: &mut Processor,
) -> Result<(), Stop> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(256 * 1024)
        .from_reader(reader);
    loop {
        let mut batch = p.fresh_batch();
        let mut n = 0;
        let mut error = None;
        while n < BATCH {
            match rdr.read_byte_record(batch.slot(n)) {
                Ok(true) => n += 1,
                Ok(false) => break,
                Err(e) => {
                    error = Some(FileError::Read {
                        path: p.path.clone(),
                        line: rdr.position().line(),
                        message: e.to_string(),
                    });
                    break;
                }
            }
        }
        let (records, mut out) = batch.split();
        for (i, rec) in records[..n].iter().enumerate() {
            p.csv_record(&mut out, rec, i as u32)?;
        }
        p.send(batch)?;
        if let Some(e) = error {
            return Err(e.into());
        }
        if n < BATCH {
            return Ok(());
        }
    }
}
