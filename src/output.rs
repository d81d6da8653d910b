//! Records out: one self-describing shape for `flag` and `export`, written as JSONL, JSON or CSV.

use std::io::{self, Write};
use std::sync::Arc;

use serde_json::{Map, Value, json};

use crate::catalog::{Catalog, TextSyms};
use crate::flag::RuleSet;
use crate::ingest::time::format_rfc3339;
use crate::ingest::{Row, Text, row::parse_count};
use crate::model::{Field, RecordId};

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// One JSON array.
    Json,
    /// CSV with a header row.
    Csv,
}

impl Format {
    /// Parses `jsonl`, `json`, `csv`.
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// One flag explanation, ready to write.
#[derive(Clone, Debug, PartialEq)]
pub struct FlagOut {
    /// Rule name.
    pub rule: String,
    /// `strong` or `ambiguous`.
    pub strength: &'static str,
    /// Field key (`reason`, `agency`, …).
    pub field: &'static str,
    /// The matched text pieces.
    pub matched: Vec<String>,
    /// Byte spans in the field's text.
    pub spans: Vec<(u32, u32)>,
    /// What the rule looks for.
    pub description: Arc<str>,
    /// What to check, for ambiguous terms.
    pub note: Option<Arc<str>>,
}

impl FlagOut {
    /// Explanations for a record's text symbols.
    pub fn for_syms(catalog: &Catalog, syms: &TextSyms) -> Vec<FlagOut> {
        catalog
            .explain(syms)
            .into_iter()
            .map(|(hit, text)| FlagOut::new(&catalog.rules, hit, text))
            .collect()
    }

    fn new(rules: &RuleSet, hit: &crate::flag::Hit, text: &str) -> FlagOut {
        let rule = rules.rule(hit.rule);
        FlagOut {
            rule: rule.name.clone(),
            strength: rule.strength.as_str(),
            field: hit.field.key(),
            matched: hit.matched(text).into_iter().map(str::to_string).collect(),
            spans: hit.spans.clone(),
            description: rule.description.clone(),
            note: rule.note.clone(),
        }
    }

    fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("rule".into(), json!(self.rule));
        m.insert("strength".into(), json!(self.strength));
        m.insert("field".into(), json!(self.field));
        m.insert("matched".into(), json!(self.matched));
        m.insert("spans".into(), json!(self.spans));
        m.insert("description".into(), json!(self.description.as_ref()));
        if let Some(n) = &self.note {
            m.insert("note".into(), json!(n.as_ref()));
        }
        Value::Object(m)
    }
}

/// A normalised value.
#[derive(Clone, Debug, PartialEq)]
pub enum OutValue {
    /// Absent.
    Null,
    /// A redaction marker (as written).
    Redacted(String),
    /// Text.
    Str(String),
    /// A count.
    Int(u64),
}

/// A record ready to write: identity, normalised fields, flags, sources, original columns; plus
/// any extra fields a caller adds (annotations, in exports).
#[derive(Clone, Debug, PartialEq)]
pub struct OutRecord {
    /// Stable id.
    pub id: RecordId,
    /// Normalised fields, in output order.
    pub fields: Vec<(&'static str, OutValue)>,
    /// Flag explanations (empty when not flagged).
    pub flags: Vec<FlagOut>,
    /// `file:line` of every row that holds this record.
    pub sources: Vec<String>,
    /// Original columns, label and value, in file order.
    pub columns: Vec<(String, String)>,
    /// Extra top-level fields (export: verdict, note, reviewer, …), written after `flags`.
    pub extra: Vec<(String, Value)>,
}

const TEXT_OUT: [Field; 14] = [
    Field::OffenseType,
    Field::SearchType,
    Field::Officer,
    Field::UserId,
    Field::Plate,
    Field::CaseNumber,
    Field::Filters,
    Field::TextPrompt,
    Field::Moderation,
    Field::PriorFlag,
    Field::FlockId,
    Field::Agency,
    Field::Reason,
    Field::Devices,
];

fn text_value(t: Text<'_>) -> OutValue {
    match t {
        Text::Missing => OutValue::Null,
        Text::Redacted(s) => OutValue::Redacted(s.into_owned()),
        Text::Value(s) => OutValue::Str(s.into_owned()),
    }
}

impl OutRecord {
    /// Builds the output form of a row.
    pub fn from_row(
        row: &Row<'_>,
        catalog: &Catalog,
        syms: &TextSyms,
        sources: Vec<String>,
    ) -> OutRecord {
        let mut fields: Vec<(&'static str, OutValue)> = Vec::with_capacity(24);
        fields.push(("agency", text_value(row.agency())));
        fields.push((
            "agency_source",
            OutValue::Str(row.agency_source.as_str().into()),
        ));
        fields.push(("reason", text_value(row.reason())));
        fields.push((
            "search_time",
            row.search_time
                .map(|t| OutValue::Str(format_rfc3339(t)))
                .unwrap_or(OutValue::Null),
        ));
        let (tf_start, tf_end) = match row.time_frame() {
            Some((a, b)) => (
                OutValue::Str(format_rfc3339(a)),
                OutValue::Str(format_rfc3339(b)),
            ),
            None => (OutValue::Null, OutValue::Null),
        };
        fields.push(("time_frame_start", tf_start));
        fields.push(("time_frame_end", tf_end));
        fields.push((
            "networks_searched",
            row.networks
                .map(|n| OutValue::Int(u64::from(n)))
                .unwrap_or(OutValue::Null),
        ));
        let devices = match row.text(Field::Devices) {
            Text::Value(v) => parse_count(&v)
                .map(|n| OutValue::Int(u64::from(n)))
                .unwrap_or(OutValue::Null),
            other => text_value(other),
        };
        fields.push(("devices_searched", devices));
        for f in TEXT_OUT {
            if matches!(f, Field::Agency | Field::Reason | Field::Devices) {
                continue;
            }
            fields.push((f.key(), text_value(row.text(f))));
        }
        OutRecord {
            id: row.id,
            fields,
            flags: FlagOut::for_syms(catalog, syms),
            sources,
            columns: row
                .originals()
                .into_iter()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            extra: Vec::new(),
        }
    }

    /// The JSON object.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), json!(self.id.to_string()));
        let mut redacted = Vec::new();
        for (k, v) in &self.fields {
            let value = match v {
                OutValue::Null => Value::Null,
                OutValue::Redacted(_) => {
                    redacted.push(*k);
                    Value::Null
                }
                OutValue::Str(s) => json!(s),
                OutValue::Int(n) => json!(n),
            };
            m.insert((*k).into(), value);
        }
        m.insert("redacted".into(), json!(redacted));
        m.insert("flagged".into(), json!(!self.flags.is_empty()));
        m.insert(
            "flags".into(),
            Value::Array(self.flags.iter().map(FlagOut::to_json).collect()),
        );
        for (k, v) in &self.extra {
            m.insert(k.clone(), v.clone());
        }
        m.insert("sources".into(), json!(self.sources));
        let mut cols = Map::new();
        for (k, v) in &self.columns {
            let mut key = k.clone();
            let mut n = 2;
            while cols.contains_key(&key) {
                key = format!("{k} ({n})");
                n += 1;
            }
            cols.insert(key, json!(v));
        }
        m.insert("columns".into(), Value::Object(cols));
        Value::Object(m)
    }
}

/// The tool's own CSV columns, written after the original ones.
const CSV_TOOL_COLUMNS: [&str; 9] = [
    "record_id",
    "agency_normalized",
    "search_time_utc",
    "flagged",
    "flag_rules",
    "flag_matches",
    "flag_notes",
    "sources",
    "redacted_fields",
];

/// Writes records in one format. CSV needs every original column label up front
/// (`original_columns`, the union in first-seen order) and the names of the `extra` fields to
/// write as columns.
pub struct RecordWriter<'w> {
    inner: Inner<'w>,
    format: Format,
    original_columns: Vec<String>,
    extra_columns: Vec<String>,
    count: u64,
}

enum Inner<'w> {
    Text(&'w mut dyn Write),
    Csv(Box<csv::Writer<&'w mut dyn Write>>),
}

impl<'w> RecordWriter<'w> {
    /// Starts writing (the CSV header is written at once).
    pub fn new(
        out: &'w mut dyn Write,
        format: Format,
        original_columns: Vec<String>,
        extra_columns: Vec<String>,
    ) -> io::Result<RecordWriter<'w>> {
        let inner = match format {
            Format::Csv => {
                let mut header: Vec<String> = original_columns.clone();
                header.extend(tool_column_names(&original_columns, &extra_columns));
                let mut w = csv::WriterBuilder::new().from_writer(out);
                w.write_record(&header)?;
                Inner::Csv(Box::new(w))
            }
            Format::Json | Format::Jsonl => Inner::Text(out),
        };
        Ok(RecordWriter {
            inner,
            format,
            original_columns,
            extra_columns,
            count: 0,
        })
    }

    /// Writes one record.
    pub fn write(&mut self, rec: &OutRecord) -> io::Result<()> {
        let first = self.count == 0;
        match &mut self.inner {
            Inner::Text(out) => {
                if self.format == Format::Json {
                    out.write_all(if first { b"[\n" } else { b",\n" })?;
                }
                serde_json::to_writer(&mut **out, &rec.to_json())?;
                if self.format == Format::Jsonl {
                    out.write_all(b"\n")?;
                }
            }
            Inner::Csv(_) => {
                let row = csv_row(&self.original_columns, &self.extra_columns, rec);
                if let Inner::Csv(w) = &mut self.inner {
                    w.write_record(&row)?;
                }
            }
        }
        self.count += 1;
        Ok(())
    }

    /// Finishes the output (closes a JSON array). Returns how many records were written.
    pub fn finish(self) -> io::Result<u64> {
        match self.inner {
            Inner::Text(out) => {
                if self.format == Format::Json {
                    out.write_all(if self.count == 0 { b"[]\n" } else { b"\n]\n" })?;
                }
                out.flush()?;
            }
            Inner::Csv(mut w) => w.flush()?,
        }
        Ok(self.count)
    }
}

fn tool_column_names(original: &[String], extra: &[String]) -> Vec<String> {
    let taken: std::collections::HashSet<String> =
        original.iter().map(|c| c.to_ascii_lowercase()).collect();
    CSV_TOOL_COLUMNS
        .iter()
        .map(|c| c.to_string())
        .chain(extra.iter().cloned())
        .map(|c| {
            if taken.contains(&c.to_ascii_lowercase()) {
                format!("triage_{c}")
            } else {
                c
            }
        })
        .collect()
}

fn csv_row(original: &[String], extra: &[String], rec: &OutRecord) -> Vec<String> {
    let mut row = vec![String::new(); original.len()];
    let mut filled = vec![false; original.len()];
    for (k, v) in &rec.columns {
        if let Some(i) = original.iter().position(|c| c == k)
            && !filled[i]
        {
            row[i] = v.clone();
            filled[i] = true;
        }
    }
    let field = |key: &str| match rec.fields.iter().find(|(k, _)| *k == key) {
        Some((_, OutValue::Str(s))) => s.clone(),
        Some((_, OutValue::Redacted(s))) => s.clone(),
        Some((_, OutValue::Int(n))) => n.to_string(),
        _ => String::new(),
    };
    row.push(rec.id.to_string());
    row.push(field("agency"));
    row.push(field("search_time"));
    row.push(if rec.flags.is_empty() { "no" } else { "yes" }.into());
    row.push(
        rec.flags
            .iter()
            .map(|f| f.rule.as_str())
            .collect::<Vec<_>>()
            .join("; "),
    );
    row.push(
        rec.flags
            .iter()
            .map(|f| format!("{}: {}", f.field, f.matched.join(" | ")))
            .collect::<Vec<_>>()
            .join("; "),
    );
    row.push(
        rec.flags
            .iter()
            .filter_map(|f| f.note.as_ref().map(|n| format!("{}: {n}", f.rule)))
            .collect::<Vec<_>>()
            .join("; "),
    );
    row.push(rec.sources.join("; "));
    row.push(
        rec.fields
            .iter()
            .filter(|(_, v)| matches!(v, OutValue::Redacted(_)))
            .map(|(k, _)| *k)
            .collect::<Vec<_>>()
            .join("; "),
    );
    for name in extra {
        let v = rec.extra.iter().find(|(k, _)| k == name).map(|(_, v)| v);
        row.push(match v {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        });
    }
    row
}
