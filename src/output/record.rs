//! A record ready to write: identity, normalised fields, flags and their explanations,
//! sources, original columns, and any extra fields (annotations).

use std::borrow::Cow;
use std::sync::Arc;

use serde_json::Value;

use crate::flag::RuleSet;
use crate::ingest::catalog::{Catalog, TextSyms};
use crate::ingest::time::format_rfc3339;
use crate::ingest::{Row, Text, row::parse_count};
use crate::model::{Field, RecordId};

/// One flag explanation, ready to write. It borrows from the catalog it was made from
/// (`'static` once [`OutRecord::into_owned`]).
#[derive(Clone, Debug, PartialEq)]
pub struct FlagOut<'a> {
    /// Rule name.
    pub rule: Cow<'a, str>,
    /// `strong` or `ambiguous`.
    pub strength: &'static str,
    /// Field key (`reason`, `agency`, …).
    pub field: &'static str,
    /// The matched text pieces.
    pub matched: Vec<Cow<'a, str>>,
    /// Byte spans in the field's text.
    pub spans: Cow<'a, [(u32, u32)]>,
    /// What the rule looks for.
    pub description: Arc<str>,
    /// What to check, for ambiguous terms.
    pub note: Option<Arc<str>>,
}

impl<'a> FlagOut<'a> {
    /// Explanations for a record's text symbols.
    pub fn for_syms(catalog: &'a Catalog, syms: &TextSyms) -> Vec<FlagOut<'a>> {
        catalog
            .explain(syms)
            .into_iter()
            .map(|(hit, text)| FlagOut::new(&catalog.rules, hit, text))
            .collect()
    }

    fn new(rules: &'a RuleSet, hit: &'a crate::flag::Hit, text: &'a str) -> FlagOut<'a> {
        let rule = rules.rule(hit.rule);
        FlagOut {
            rule: Cow::Borrowed(&rule.name),
            strength: rule.strength.as_str(),
            field: hit.field.key(),
            matched: hit.matched(text).into_iter().map(Cow::Borrowed).collect(),
            spans: Cow::Borrowed(&hit.spans),
            description: rule.description.clone(),
            note: rule.note.clone(),
        }
    }

    /// Detached from the catalog.
    pub fn into_owned(self) -> FlagOut<'static> {
        FlagOut {
            rule: owned(self.rule),
            strength: self.strength,
            field: self.field,
            matched: self.matched.into_iter().map(owned).collect(),
            spans: Cow::Owned(self.spans.into_owned()),
            description: self.description,
            note: self.note,
        }
    }
}

/// Text detached from what it borrowed.
fn owned(s: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(s.into_owned())
}

/// A normalised value.
#[derive(Clone, Debug, PartialEq)]
pub enum OutValue<'a> {
    /// Absent.
    Null,
    /// A redaction marker (as written).
    Redacted(Cow<'a, str>),
    /// Text.
    Str(Cow<'a, str>),
    /// A count.
    Int(u64),
}

impl OutValue<'_> {
    /// Detached from the row it was read from.
    pub fn into_owned(self) -> OutValue<'static> {
        match self {
            OutValue::Null => OutValue::Null,
            OutValue::Redacted(s) => OutValue::Redacted(owned(s)),
            OutValue::Str(s) => OutValue::Str(owned(s)),
            OutValue::Int(n) => OutValue::Int(n),
        }
    }
}

/// A record ready to write: identity, normalised fields, flags, sources, original columns; plus
/// any extra fields a caller adds (annotations, in exports).
///
/// It borrows its text from the row and the catalog it was made from: a record written at once
/// (as `flag` and `export` do, thousands a second) copies no cell. [`OutRecord::into_owned`]
/// detaches one to keep (the review UI's detail view).
#[derive(Clone, Debug, PartialEq)]
pub struct OutRecord<'a> {
    /// Stable id.
    pub id: RecordId,
    /// Normalised fields, in output order.
    pub fields: Vec<(&'static str, OutValue<'a>)>,
    /// Flag explanations (empty when not flagged).
    pub flags: Vec<FlagOut<'a>>,
    /// `file:line` of every row that holds this record.
    pub sources: Cow<'a, [String]>,
    /// Original columns, label and value, in file order.
    pub columns: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// Extra top-level fields (export: verdict, note, reviewer, …), written after `flags`.
    pub extra: Vec<(Cow<'static, str>, Value)>,
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

/// Normalised fields of a record: agency, its source, reason, search time, the time frame's
/// two ends, networks, devices, and the rest of [`TEXT_OUT`].
const OUT_FIELDS: usize = 8 + TEXT_OUT.len() - 3;

fn text_value(t: Text<'_>) -> OutValue<'_> {
    match t {
        Text::Missing => OutValue::Null,
        Text::Redacted(s) => OutValue::Redacted(s),
        Text::Value(s) => OutValue::Str(s),
    }
}

impl<'a> OutRecord<'a> {
    /// Builds the output form of a row (`sources`: a `Vec<String>`, or borrowed as `&[String]`).
    pub fn from_row(
        row: &Row<'a>,
        catalog: &'a Catalog,
        syms: &TextSyms,
        sources: impl Into<Cow<'a, [String]>>,
    ) -> OutRecord<'a> {
        // Exactly as many as are pushed below: 24 (1,152 bytes) went past the sizes glibc keeps
        // a per-thread cache of, and every record then took the allocator's slow path twice.
        let mut fields: Vec<(&'static str, OutValue)> = Vec::with_capacity(OUT_FIELDS);
        fields.push(("agency", text_value(row.agency())));
        fields.push((
            "agency_source",
            OutValue::Str(Cow::Borrowed(row.agency_source.as_str())),
        ));
        fields.push(("reason", text_value(row.reason())));
        fields.push((
            "search_time",
            row.search_time
                .map(|t| OutValue::Str(Cow::Owned(format_rfc3339(t))))
                .unwrap_or(OutValue::Null),
        ));
        let (tf_start, tf_end) = match row.time_frame() {
            Some((a, b)) => (
                OutValue::Str(Cow::Owned(format_rfc3339(a))),
                OutValue::Str(Cow::Owned(format_rfc3339(b))),
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
        debug_assert_eq!(fields.len(), OUT_FIELDS);
        OutRecord {
            id: row.id,
            fields,
            flags: FlagOut::for_syms(catalog, syms),
            sources: sources.into(),
            columns: row.originals(),
            extra: Vec::new(),
        }
    }

    /// Detached from the row and catalog it was made from.
    pub fn into_owned(self) -> OutRecord<'static> {
        OutRecord {
            id: self.id,
            fields: self
                .fields
                .into_iter()
                .map(|(k, v)| (k, v.into_owned()))
                .collect(),
            flags: self.flags.into_iter().map(FlagOut::into_owned).collect(),
            sources: Cow::Owned(self.sources.into_owned()),
            columns: self
                .columns
                .into_iter()
                .map(|(k, v)| (owned(k), owned(v)))
                .collect(),
            extra: self.extra,
        }
    }
}
