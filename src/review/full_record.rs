//! One record in full, for the detail pane and exports from the UI: its raw cells are re-read
//! from disk by byte offset (a gzip file's from the private copy of what it inflated to; JSON
//! documents' and workbooks' are taken from memory), bound to the
//! schema in force at that offset, checked against the record's id, and shaped like `flag` output.

use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::sync::Arc;

use crate::ingest::row::{Row, identity, search_time};
use crate::ingest::{AgencySource, Cells, ContentFormat, Schema};
use crate::model::{Field, Source};
use crate::output::OutRecord;
use crate::review::dataset::{Dataset, FileEntry};

/// The raw cells of a record and the schema they bind with.
pub fn raw_row(ds: &Dataset, row: u32) -> Result<(Arc<Schema>, Cells), String> {
    let src = ds.source(row);
    let file = ds
        .files
        .get(src.file as usize)
        .ok_or_else(|| "the record's file is not in this load".to_string())?;
    let schema = file.schema_at(src.offset).cloned().ok_or_else(|| {
        format!(
            "{}: no schema known at byte {}",
            file.input.display, src.offset
        )
    })?;
    if let Some(cells) = ds.raw_cells(row) {
        return Ok((schema, cells.clone()));
    }
    let rec = read_at(file, src.offset, &schema).map_err(|e| {
        format!(
            "{}:{}: cannot re-read the row: {e}",
            file.input.display, src.line
        )
    })?;
    let t = search_time(&schema, &rec);
    let mut buf = Vec::new();
    if identity(&schema, &rec, t, &mut buf) != ds.ids[row as usize] {
        return Err(format!(
            "{}:{}: the file changed since it was loaded; reload to see this record",
            file.input.display, src.line
        ));
    }
    Ok((schema, rec))
}

fn read_at(file: &FileEntry, offset: u64, schema: &Schema) -> Result<Cells, String> {
    let path = match &file.report.inflated {
        Some(copy) => copy.path(),
        None => &file.input.path,
    };
    let mut f = File::open(path).map_err(|e| e.to_string())?;
    f.seek(SeekFrom::Start(offset)).map_err(|e| e.to_string())?;
    match file.content {
        Some(ContentFormat::Csv { delimiter }) => {
            let mut rdr = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .delimiter(delimiter)
                .from_reader(f);
            let mut rec = csv::ByteRecord::new();
            match rdr.read_byte_record(&mut rec) {
                Ok(true) => Ok(rec.iter().collect()),
                Ok(false) => Err("the file ends before this row".into()),
                Err(e) => Err(e.to_string()),
            }
        }
        Some(ContentFormat::Ndjson) => {
            let mut line = Vec::new();
            BufReader::new(f)
                .read_until(b'\n', &mut line)
                .map_err(|e| e.to_string())?;
            let obj: serde_json::Map<String, serde_json::Value> =
                serde_json::from_slice(line.trim_ascii()).map_err(|e| e.to_string())?;
            let mut rec = Cells::new();
            for c in &schema.columns {
                match obj.get(&c.label) {
                    Some(serde_json::Value::String(s)) => rec.push_field(s.as_bytes()),
                    Some(serde_json::Value::Null) | None => rec.push_field(b""),
                    Some(v) => rec.push_field(v.to_string().as_bytes()),
                }
            }
            Ok(rec)
        }
        _ => Err("this file's rows are not kept and cannot be re-read".into()),
    }
}

/// A record in output form (normalised fields, original columns, flags, every source).
pub fn record(ds: &Dataset, row: u32) -> Result<OutRecord<'static>, String> {
    let (schema, cells) = raw_row(ds, row)?;
    let src = ds.source(row);
    let file = &ds.files[src.file as usize];
    let column_agency = schema
        .cell(&cells, Field::Agency)
        .is_some_and(|b| !b.trim_ascii().is_empty());
    let file_agency = file.report.file_agency.as_deref();
    let r = Row {
        id: ds.ids[row as usize],
        source: Source {
            file: u32::from(src.file),
            line: u64::from(src.line),
            offset: src.offset,
        },
        schema: &schema,
        cells: &cells,
        lossy: std::str::from_utf8(cells.as_slice()).is_err(),
        agency_source: if column_agency {
            AgencySource::Column
        } else if file_agency.is_some()
            && file.report.kind != Some(crate::ingest::Kind::FlockNetworkAudit)
        {
            AgencySource::File
        } else {
            AgencySource::None
        },
        file_agency,
        search_time: search_time(&schema, &cells),
        networks: crate::ingest::row::parse_count_bytes(
            schema.cell(&cells, Field::Networks).unwrap_or(b""),
        ),
    };
    let sources = ds.source_texts(row);
    Ok(OutRecord::from_row(&r, &ds.catalog, &ds.syms(row), sources).into_owned())
}
