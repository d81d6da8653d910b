//! One file, two threads: the reader thread parses and processes (`process.rs`), the calling
//! thread hands rows to the sink. Batches flow one way and are recycled back.

use std::sync::mpsc;

use super::batch::{Batch, Msg};
use super::describe::agency_from_file_name;
use super::open::{ContentFormat, open};
use super::process::Processor;
use super::row::Row;
use super::{FileReport, InputFile, ReadOptions, RowSink, csv_reader, json_reader};
use crate::model::Source;

/// Reads one file into `sink` and reports what was found. Never panics on bad input; a file that
/// cannot be read at all comes back with `error` set and no rows. The file is opened read-only.
pub fn read_file(
    file_idx: u32,
    file: &InputFile,
    options: &ReadOptions,
    sink: &mut dyn RowSink,
) -> FileReport {
    let (tx, rx) = mpsc::sync_channel::<Msg>(4);
    let (back_tx, back_rx) = mpsc::channel::<Batch>();
    let mut report = FileReport {
        path: file.display.clone(),
        ..FileReport::default()
    };
    let mut file_agency: Option<String> = None;
    let (mut records, mut duplicates, mut flagged) = (0u64, 0u64, 0u64);
    let mut ended = false;
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || reader_main(file, options, tx, back_rx));
        for msg in rx.iter() {
            match msg {
                Msg::Begin(r) => {
                    file_agency = r.file_agency.clone();
                    sink.begin_file(file_idx, &r);
                }
                Msg::Batch(batch) => {
                    for m in &batch.rows {
                        let schema = &batch.schemas[m.schema as usize];
                        let cells = &batch.records[m.rec as usize];
                        let row = Row {
                            id: m.id,
                            source: Source {
                                file: file_idx,
                                line: m.line,
                                offset: m.offset,
                            },
                            schema,
                            cells,
                            lossy: m.lossy,
                            agency_source: m.agency_source,
                            file_agency: file_agency.as_deref(),
                            search_time: m.search_time,
                            networks: m.networks,
                        };
                        let o = sink.row(&row);
                        if o.duplicate {
                            duplicates += 1;
                        } else {
                            records += 1;
                            flagged += u64::from(o.flagged);
                        }
                    }
                    if sink.cancelled() {
                        break;
                    }
                    let _ = back_tx.send(batch);
                }
                Msg::End(r) => {
                    report = *r;
                    ended = true;
                }
            }
        }
        drop(rx);
        if reader.join().is_err() && !ended {
            report.error = Some(format!(
                "{}: internal error while reading this file (please report it); rows read so far were kept",
                file.display
            ));
        }
    });
    if !ended && report.error.is_none() {
        report.error = Some(format!("{}: reading was cancelled", file.display));
    }
    report.records = records;
    report.duplicates = duplicates;
    report.flagged = flagged;
    report
}

fn reader_main(
    file: &InputFile,
    options: &ReadOptions,
    tx: mpsc::SyncSender<Msg>,
    back: mpsc::Receiver<Batch>,
) {
    let mut report = FileReport {
        path: file.display.clone(),
        file_agency: agency_from_file_name(&file.path).or_else(|| options.default_agency.clone()),
        ..FileReport::default()
    };
    let opened = match open(file) {
        Ok(o) => o,
        Err(e) => {
            report.error = Some(e.to_string());
            let _ = tx.send(Msg::End(Box::new(report)));
            return;
        }
    };
    report.gzip = opened.gzip;
    report.bytes = std::fs::metadata(&file.path).map(|m| m.len()).unwrap_or(0);
    report.content = Some(opened.format);
    let file_name = file
        .path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let mut p = Processor::new(
        file.display.clone(),
        file_name,
        report,
        opened.base_offset,
        tx,
        back,
    );
    let result = match opened.format {
        ContentFormat::Csv { delimiter } => csv_reader::run(opened.reader, delimiter, &mut p),
        ContentFormat::JsonDoc => json_reader::run_doc(opened.reader, &mut p),
        ContentFormat::Ndjson => json_reader::run_ndjson(opened.reader, &mut p),
    };
    p.end(result);
}
