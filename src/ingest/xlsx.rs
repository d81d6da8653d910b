//! Excel workbooks (.xlsx, .xlsm), read with calamine: every sheet, each as a table whose first
//! row is its header, through the same processing as CSV rows (header binding, quirks,
//! warnings, identity). A cell's text is what a CSV export of the sheet would hold: integral
//! numbers without `.0`, date-times as RFC 3339 UTC instants (audit times are UTC), so the same
//! data read from CSV or from a workbook gets the same record ids.
//!
//! Rows are placed by sheet and row: line `s * SHEET_LINES + r` is row `r` (1-based, as Excel
//! numbers it) of sheet `s` (0-based, in workbook order); [`crate::ingest::FileReport::place`]
//! writes it `Sheet:row`. Byte offsets of workbook rows are their order in the workbook (they
//! cannot be re-read by offset: the review UI keeps their cells).
//!
//! A workbook is a ZIP archive, which can be a bomb: before calamine reads it, the sizes its
//! directory declares are checked ([`check_sizes`]; the zip crate refuses an entry that inflates
//! past its declared size).

use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::sync::mpsc::SyncSender;

use calamine::{DataRef, Reader, Xlsx};

use super::batch::{At, BATCH, Batch};
use super::process::{Part, Processor, Stop};
use super::{Cells, FileError};

/// Lines given to one sheet (Excel's sheets hold at most 1,048,576 rows).
pub const SHEET_LINES: u64 = 1 << 21;

/// Sheet index (0-based) and row (1-based) of a workbook line.
pub fn sheet_row(line: u64) -> (usize, u64) {
    ((line / SHEET_LINES) as usize, line % SHEET_LINES)
}

/// The most bytes the parts calamine reads whole (shared strings, styles, the workbook and its
/// relations: everything but the sheets, which are streamed) may inflate to, together.
pub const WHOLE_PARTS_MAX: u64 = 512 << 20;
/// The most bytes one sheet may inflate to.
pub const SHEET_MAX: u64 = 4 << 30;
/// An entry inflating to more than this many times its compressed size, past
/// [`RATIO_FLOOR`] bytes, is a bomb: real workbook XML compresses 5 to 50 times.
pub const RATIO_MAX: u64 = 200;
/// Below this size an entry's ratio is not judged.
pub const RATIO_FLOOR: u64 = 64 << 20;

/// One entry of the archive's directory: its name, compressed and declared inflated size.
#[derive(Clone, Debug)]
pub struct Entry {
    pub name: String,
    pub compressed: u64,
    pub size: u64,
}

/// Why a workbook's declared sizes make it unsafe to open, if they do.
pub fn check_sizes(entries: &[Entry]) -> Result<(), String> {
    let mut whole = 0u64;
    for e in entries {
        if e.size > RATIO_FLOOR && e.size / e.compressed.max(1) > RATIO_MAX {
            return Err(format!(
                "its part {:?} inflates from {} bytes to {} ({}×): a ZIP bomb, not an export",
                crate::sanitize::visible(&e.name),
                e.compressed,
                e.size,
                e.size / e.compressed.max(1)
            ));
        }
        if is_sheet(&e.name) {
            if e.size > SHEET_MAX {
                return Err(format!(
                    "its sheet {:?} inflates to {} GB, more than the {} GB read from one sheet",
                    crate::sanitize::visible(&e.name),
                    e.size >> 30,
                    SHEET_MAX >> 30
                ));
            }
        } else {
            whole = whole.saturating_add(e.size);
        }
    }
    if whole > WHOLE_PARTS_MAX {
        return Err(format!(
            "its shared strings, styles and other parts inflate to {} MB, more than the {} MB read whole",
            whole >> 20,
            WHOLE_PARTS_MAX >> 20
        ));
    }
    Ok(())
}

fn is_sheet(name: &str) -> bool {
    name.starts_with("xl/worksheets/") && name.ends_with(".xml")
}

/// What a ZIP archive is: a workbook (its directory passed [`check_sizes`]) or not.
pub enum Archive {
    /// An Excel workbook, safe to open.
    Workbook,
    /// Some other ZIP archive.
    Other,
}

/// Reads the archive's directory: is it a workbook, and are its sizes safe?
pub fn inspect(path: &Path) -> Result<Archive, String> {
    let f = File::open(path).map_err(|e| e.to_string())?;
    let mut zip = zip::ZipArchive::new(BufReader::new(f))
        .map_err(|e| format!("not a readable ZIP archive or workbook: {e}"))?;
    let mut entries = Vec::with_capacity(zip.len());
    for i in 0..zip.len() {
        let e = zip
            .by_index_raw(i)
            .map_err(|e| format!("not a readable ZIP archive or workbook: {e}"))?;
        entries.push(Entry {
            name: e.name().map(|n| n.into_owned()).unwrap_or_default(),
            compressed: e.compressed_size(),
            size: e.size(),
        });
    }
    if !entries.iter().any(|e| e.name == "xl/workbook.xml") {
        return Ok(Archive::Other);
    }
    check_sizes(&entries)?;
    Ok(Archive::Workbook)
}

/// An open workbook and its sheet names, in workbook order.
pub(crate) struct Workbook {
    book: Xlsx<BufReader<File>>,
    pub sheets: Vec<String>,
}

/// Opens a workbook (already [`inspect`]ed).
pub(crate) fn open(path: &Path, shown: &str) -> Result<Workbook, FileError> {
    let f = File::open(path).map_err(|source| FileError::Open {
        path: shown.to_string(),
        source,
    })?;
    let book = Xlsx::new(BufReader::new(f)).map_err(|e| FileError::Read {
        path: shown.to_string(),
        line: 0,
        message: format!("not a readable Excel workbook: {e}"),
    })?;
    let sheets = book.sheet_names();
    Ok(Workbook { book, sheets })
}

/// The text of a cell as a CSV export of the sheet would hold it.
fn cell_text(cell: &DataRef<'_>, out: &mut Vec<u8>) {
    use std::io::Write;
    match cell {
        DataRef::Empty => {}
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
            out.extend_from_slice(s.as_bytes())
        }
        DataRef::SharedString(s) => out.extend_from_slice(s.as_bytes()),
        DataRef::Int(i) => out.extend_from_slice(itoa::Buffer::new().format(*i).as_bytes()),
        DataRef::Float(f) => number(*f, out),
        DataRef::Bool(b) => out.extend_from_slice(if *b { b"TRUE" } else { b"FALSE" }),
        DataRef::Error(e) => {
            let _ = write!(out, "{e}");
        }
        DataRef::DateTime(d) => match d.as_datetime() {
            Some(t) if d.is_datetime() => {
                let serial = d.as_f64();
                let text = if serial < 1.0 {
                    t.format("%H:%M:%S%.f").to_string()
                } else if serial.fract() == 0.0 {
                    t.format("%Y-%m-%d").to_string()
                } else {
                    crate::ingest::time::format_rfc3339(t.and_utc().timestamp_millis())
                };
                out.extend_from_slice(text.as_bytes());
            }
            _ => number(d.as_f64(), out),
        },
    }
}

/// A number as Excel's CSV export writes it: whole numbers without a fraction (Rust's shortest
/// form, which is that: `12`, `0.5`).
fn number(f: f64, out: &mut Vec<u8>) {
    use std::io::Write;
    let _ = write!(out, "{f}");
}

/// Fills batches with sheet rows and sends them.
struct Rows<'t> {
    batch: Batch,
    tx: &'t SyncSender<(Batch, Part)>,
}

impl Rows<'_> {
    fn send(&mut self, p: &mut Processor<'_>) -> Result<(), Stop> {
        let batch = std::mem::take(&mut self.batch);
        let part = std::mem::take(&mut p.part);
        self.tx.send((batch, part)).map_err(|_| Stop::Cancelled)
    }
}

/// Where one sheet stands while its rows are read.
struct Sheet<'s> {
    name: &'s str,
    index: u64,
    /// The header is bound (false: the next row is the header).
    bound: bool,
    /// The sheet is not a search-audit table: its rows are skipped.
    skipped: bool,
}

/// Reads every sheet of `book` into batches sent on `tx`. `order` counts rows across sheets
/// (their byte offsets).
pub(crate) fn run(
    wb: &mut Workbook,
    p: &mut Processor<'_>,
    tx: &SyncSender<(Batch, Part)>,
) -> Result<(), Stop> {
    let mut rows = Rows {
        batch: Batch::default(),
        tx,
    };
    let mut order = 0u64;
    let mut tables = 0;
    let names = wb.sheets.clone();
    for (index, name) in names.iter().enumerate() {
        let mut sheet = Sheet {
            name,
            index: index as u64,
            bound: false,
            skipped: false,
        };
        let result = read_sheet(wb, &mut sheet, p, &mut rows, &mut order);
        if let Err(e) = result {
            rows.send(p)?;
            return Err(e);
        }
        if sheet.bound {
            tables += 1;
        } else if !sheet.skipped {
            p.part.warnings.push(
                Some(sheet.index * SHEET_LINES),
                format!(
                    "sheet {:?} is empty; skipped it",
                    crate::sanitize::visible(name)
                ),
            );
        }
    }
    rows.send(p)?;
    if tables == 0 {
        return Err(FileError::NotAudit {
            path: p.path().to_string(),
            message: format!(
                "no sheet of this workbook is a search-audit table (sheets: {}); each sheet's first row must name the columns",
                names
                    .iter()
                    .map(|n| format!("{:?}", crate::sanitize::visible(n)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
        .into());
    }
    Ok(())
}

fn read_sheet(
    wb: &mut Workbook,
    sheet: &mut Sheet<'_>,
    p: &mut Processor<'_>,
    rows: &mut Rows<'_>,
    order: &mut u64,
) -> Result<(), Stop> {
    let path = p.path().to_string();
    let fail = |row: u64, e: &dyn std::fmt::Display| FileError::Read {
        path: path.clone(),
        line: row,
        message: format!(
            "sheet {:?}: not a readable worksheet: {e}",
            crate::sanitize::visible(sheet.name)
        ),
    };
    let mut cells = wb
        .book
        .worksheet_cells_reader(sheet.name)
        .map_err(|e| fail(0, &e))?;
    p.new_table();
    // The row being gathered: its number (0-based) and cells by column.
    let mut current: Option<u32> = None;
    let mut row: Vec<Vec<u8>> = Vec::new();
    let mut text = Vec::new();
    loop {
        let next = cells.next_cell().map_err(|e| {
            fail(
                sheet.index * SHEET_LINES + u64::from(current.map_or(0, |r| r + 1)),
                &e,
            )
        })?;
        let Some(cell) = next else { break };
        let (r, c) = cell.get_position();
        if current != Some(r) {
            if let Some(done) = current {
                emit(sheet, done, &mut row, p, rows, order)?;
            }
            current = Some(r);
        }
        text.clear();
        cell_text(cell.get_value(), &mut text);
        if text.is_empty() {
            continue;
        }
        let c = c as usize;
        if c >= super::limits::FIELDS_MAX {
            // Kept to the limit; `limits::cap` warns of a row that has more.
            continue;
        }
        if row.len() <= c {
            row.resize(c + 1, Vec::new());
        }
        row[c].clear();
        row[c].extend_from_slice(&text);
    }
    if let Some(done) = current {
        emit(sheet, done, &mut row, p, rows, order)?;
    }
    Ok(())
}

/// Hands one gathered row to the processor (the first of a sheet is its header).
fn emit(
    sheet: &mut Sheet<'_>,
    r: u32,
    row: &mut Vec<Vec<u8>>,
    p: &mut Processor<'_>,
    rows: &mut Rows<'_>,
    order: &mut u64,
) -> Result<(), Stop> {
    let width = row.len();
    if width == 0 || sheet.skipped {
        row.clear();
        return Ok(());
    }
    let line = sheet.index * SHEET_LINES + u64::from(r) + 1;
    *order += 1;
    let at = At { byte: *order, line };
    let rec: &mut Cells = rows.batch.next_slot(at);
    // Short rows are padded to the header's width, as a CSV export of the sheet would be.
    let header = p.header_width().unwrap_or(width);
    for i in 0..width.max(header) {
        rec.push_field(row.get(i).map_or(&[][..], Vec::as_slice));
    }
    row.clear();
    if let Some(w) = super::limits::cap(rec) {
        p.part.warnings.push(Some(line), w);
    }
    rows.batch.nul = true;
    let first = !sheet.bound;
    let (records, _, mut out) = rows.batch.split();
    let i = records.len() - 1;
    match p.csv_record(&mut out, &records[i], at, i as u32) {
        Ok(()) => {}
        Err(Stop::File(FileError::NotAudit { message, .. })) if first => {
            sheet.skipped = true;
            p.part.warnings.push(
                Some(line),
                format!(
                    "sheet {:?} is not a search-audit table; skipped it ({})",
                    crate::sanitize::visible(sheet.name),
                    message
                        .strip_prefix("not a search-audit export: ")
                        .unwrap_or(&message)
                ),
            );
            rows.batch.pop_slot();
            return Ok(());
        }
        Err(e) => return Err(e),
    }
    sheet.bound = true;
    if rows.batch.len == BATCH {
        rows.send(p)?;
    }
    Ok(())
}

/// A small table from a workbook that is not an audit log (ICE's 287(g) list): the first
/// sheet's rows as text, each with its 1-based row number, blank rows left out. The workbook is
/// [`inspect`]ed for its sizes first, as an audit workbook is; `limit` rows at most are kept.
pub fn read_table(path: &Path, limit: usize) -> Result<Vec<(u64, Vec<String>)>, String> {
    match inspect(path)? {
        Archive::Workbook => {}
        Archive::Other => return Err("a ZIP archive that is not an Excel workbook".into()),
    }
    let f = File::open(path).map_err(|e| e.to_string())?;
    let mut book =
        Xlsx::new(BufReader::new(f)).map_err(|e| format!("not a readable Excel workbook: {e}"))?;
    let Some(first) = book.sheet_names().into_iter().next() else {
        return Ok(Vec::new());
    };
    let mut cells = book
        .worksheet_cells_reader(&first)
        .map_err(|e| format!("not a readable worksheet: {e}"))?;
    let mut rows: Vec<(u64, Vec<String>)> = Vec::new();
    let mut text = Vec::new();
    while let Some(cell) = cells
        .next_cell()
        .map_err(|e| format!("not a readable worksheet: {e}"))?
    {
        let (r, c) = cell.get_position();
        text.clear();
        cell_text(cell.get_value(), &mut text);
        if text.is_empty() || c as usize >= super::limits::FIELDS_MAX {
            continue;
        }
        let r = u64::from(r) + 1;
        if rows.last().is_none_or(|(n, _)| *n != r) {
            if rows.len() >= limit {
                return Err(format!("more than {limit} rows"));
            }
            rows.push((r, Vec::new()));
        }
        if let Some((_, row)) = rows.last_mut() {
            let c = c as usize;
            if row.len() <= c {
                row.resize(c + 1, String::new());
            }
            row[c] = String::from_utf8_lossy(&text).into_owned();
        }
    }
    Ok(rows)
}
