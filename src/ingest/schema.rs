//! Binding columns to fields by header name, never by position.

use crate::model::Field;

/// Normalises a header label for matching: trims, drops a BOM, lower-cases, and keeps only letters,
/// digits and `#`, so `Org Name`, ` org_name`, `OrgName` and `orgName` are alike.
pub fn normalize_header(label: &str) -> String {
    label
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '#')
        .flat_map(char::to_lowercase)
        .collect()
}

/// The field a normalised header names, if any.
pub fn field_for_header(normalized: &str) -> Option<Field> {
    let f = match normalized {
        "id" | "searchid" | "flockid" | "auditid" | "uuid" => Field::FlockId,
        "name" | "username" | "officer" | "officername" | "user" | "searcher" => Field::Officer,
        "userid" => Field::UserId,
        "orgname" | "org" | "organization" | "organizationname" | "agency" | "agencyname"
        | "searchingagency" => Field::Agency,
        "totalnetworkssearched"
        | "networkssearched"
        | "networkcount"
        | "networks"
        | "totalnetworks" => Field::Networks,
        "totaldevicessearched"
        | "devicessearched"
        | "devicecount"
        | "cameracount"
        | "camerassearched"
        | "totaldevices"
        | "devices"
        | "cameras" => Field::Devices,
        "timeframe" => Field::TimeFrame,
        "timeframestart" | "timeframefrom" | "timeframebegin" => Field::TimeFrameStart,
        "timeframeend" | "timeframeto" => Field::TimeFrameEnd,
        "licenseplate" | "plate" | "platenumber" | "licenseplatenumber" | "lp" => Field::Plate,
        "reason" | "searchreason" | "purpose" | "reasonforsearch" => Field::Reason,
        "case#" | "casenumber" | "caseno" | "case" | "casenum" | "case#s" => Field::CaseNumber,
        "filters" | "filter" | "searchfilters" => Field::Filters,
        "searchtime" | "searchdatetime" | "timestamp" | "datetime" | "time" | "searchedat"
        | "createdat" => Field::SearchTime,
        "searchdate" | "date" => Field::SearchDate,
        "searchtype" | "type" => Field::SearchType,
        "textprompt" | "prompt" => Field::TextPrompt,
        "moderation" => Field::Moderation,
        "offensetype" | "offense" | "reasoncategory" | "reasontype" | "category" => {
            Field::OffenseType
        }
        "flagcategory" | "flag" | "flags" | "flagged" | "flagreason" | "flagtype"
        | "immigrationflag" | "flagcategories" => Field::PriorFlag,
        _ => return None,
    };
    Some(f)
}

/// One column of a file: its label as written and the field it binds to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// The header label, trimmed (`column N` when the label was blank or the file had no header).
    pub label: String,
    /// The normalised label (see [`normalize_header`]).
    pub normalized: String,
    /// The field this column binds to, if any.
    pub field: Option<Field>,
}

/// The columns of one export (one header), bound to fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Schema {
    /// Columns in file order.
    pub columns: Vec<Column>,
    pos: [Option<u16>; Field::COUNT],
    /// Later columns naming a field already bound (a merged file with `Search Time` and
    /// `search_time`): read when the first one's cell is empty.
    alts: Vec<(Field, u16)>,
    /// The columns that make up a record's identity without a Flock ID, sorted by their
    /// identity key (see `ingest::row::identity`), and whether a time-frame column exists.
    id_order: Vec<usize>,
    has_frame: bool,
}

impl Schema {
    /// Binds header labels. The first column naming a field wins; later ones stay unknown.
    pub fn from_labels<S: AsRef<str>>(labels: &[S]) -> Schema {
        let mut schema = Schema::default();
        for label in labels {
            schema.push(label.as_ref());
        }
        schema
    }

    /// Adds a column (used while a JSON file reveals new keys).
    pub fn push(&mut self, label: &str) -> usize {
        let trimmed = label.trim_start_matches('\u{feff}').trim();
        let i = self.columns.len();
        let label = if trimmed.is_empty() {
            format!("column {}", i + 1)
        } else {
            trimmed.to_string()
        };
        let normalized = normalize_header(&label);
        let mut field = field_for_header(&normalized);
        if let Some(f) = field {
            if self.pos[f.index()].is_some() {
                self.alts.push((f, i as u16));
                field = None;
            } else {
                self.pos[f.index()] = Some(i as u16);
            }
        }
        self.columns.push(Column {
            label,
            normalized,
            field,
        });
        match field {
            Some(Field::SearchTime | Field::SearchDate) => {}
            Some(Field::TimeFrameStart | Field::TimeFrameEnd | Field::TimeFrame) => {
                self.has_frame = true;
            }
            _ => {
                let key = self.identity_key(i);
                let at = self
                    .id_order
                    .partition_point(|&j| (self.identity_key(j), j) < (key, i));
                self.id_order.insert(at, i);
            }
        }
        i
    }

    /// The key a column's cell is filed under in a record's identity: its field's key, or its
    /// normalised label.
    pub fn identity_key(&self, i: usize) -> &str {
        let c = &self.columns[i];
        match c.field {
            Some(f) => f.key(),
            None => c.normalized.as_str(),
        }
    }

    /// The columns of a record's identity without a Flock ID, in key order (times excluded:
    /// they are keyed as instants).
    pub fn identity_order(&self) -> &[usize] {
        &self.id_order
    }

    /// True when a time-frame column (whole or split) exists.
    pub fn has_time_frame(&self) -> bool {
        self.has_frame
    }

    /// Number of columns.
    pub fn len(&self) -> usize {
        self.columns.len()
    }

    /// True when there are no columns.
    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    /// Position of the column bound to `field`.
    #[inline]
    pub fn position(&self, field: Field) -> Option<usize> {
        self.pos[field.index()].map(usize::from)
    }

    /// The cell of `field` in a row: the first column bound to it, or, when that cell is empty,
    /// the first non-empty later column naming the same field.
    #[inline(always)]
    pub fn cell<'r>(&self, rec: &'r super::Cells, field: Field) -> Option<&'r [u8]> {
        let first = rec.get(self.position(field)?);
        if self.alts.is_empty() {
            return first;
        }
        self.cell_or_alt(rec, field, first)
    }

    /// [`Schema::cell`] where other columns name fields too (rare: kept out of line).
    #[inline(never)]
    fn cell_or_alt<'r>(
        &self,
        rec: &'r super::Cells,
        field: Field,
        first: Option<&'r [u8]>,
    ) -> Option<&'r [u8]> {
        if first.is_some_and(|c| !c.trim_ascii().is_empty()) {
            return first;
        }
        self.alts
            .iter()
            .filter(|(f, _)| *f == field)
            .filter_map(|(_, i)| rec.get(usize::from(*i)))
            .find(|c| !c.trim_ascii().is_empty())
            .or(first)
    }

    /// True when `field` has a column.
    pub fn has(&self, field: Field) -> bool {
        self.pos[field.index()].is_some()
    }

    /// A reason-like column.
    pub fn has_reason(&self) -> bool {
        self.has(Field::Reason) || self.has(Field::OffenseType)
    }

    /// A time-like column.
    pub fn has_time(&self) -> bool {
        self.has(Field::SearchTime) || self.has(Field::SearchDate)
    }

    /// A usable audit schema: a reason-like and a time-like column.
    pub fn is_audit(&self) -> bool {
        self.has_reason() && self.has_time()
    }

    /// How many columns bind to known fields.
    pub fn known_count(&self) -> usize {
        self.columns.iter().filter(|c| c.field.is_some()).count()
    }

    /// The same schema with column `k` removed (a header kept for a deleted column).
    pub fn without(&self, k: usize) -> Schema {
        let labels: Vec<&str> = self
            .columns
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != k)
            .map(|(_, c)| c.label.as_str())
            .collect();
        Schema::from_labels(&labels)
    }

    /// The labels, in order.
    pub fn labels(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.label.as_str()).collect()
    }
}

// Column layouts seen in real exports (docs/formats.md), for files without a header row and for
// the synthetic data generator.

/// Flock's 14 columns, `ID` first (mid/late 2025).
pub const FLOCK_2025_FULL: &[&str] = &[
    "ID",
    "Name",
    "Org Name",
    "Total Networks Searched",
    "Total Devices Searched",
    "Time Frame",
    "License Plate",
    "Reason",
    "Case #",
    "Filters",
    "Search Time",
    "Search Type",
    "Text Prompt",
    "Moderation",
];
/// Without `Total Devices Searched` (2026).
pub const FLOCK_2026: &[&str] = &[
    "ID",
    "Name",
    "Org Name",
    "Total Networks Searched",
    "Time Frame",
    "License Plate",
    "Reason",
    "Case #",
    "Filters",
    "Search Time",
    "Search Type",
    "Text Prompt",
    "Moderation",
];
/// With `Text Prompt` and `Moderation`, no `ID` (spring 2025).
pub const FLOCK_2025_NO_ID: &[&str] = &[
    "Name",
    "Org Name",
    "Total Networks Searched",
    "Total Devices Searched",
    "Time Frame",
    "License Plate",
    "Reason",
    "Case #",
    "Filters",
    "Search Time",
    "Search Type",
    "Text Prompt",
    "Moderation",
];
/// The federal-searches export (2026).
pub const FLOCK_FEDERAL_2026: &[&str] = &[
    "ID",
    "Name",
    "Org Name",
    "Total Networks Searched",
    "License Plate",
    "Reason",
    "Case #",
    "Filters",
    "Search Time",
    "Search Type",
];
/// The 2024 layout (Danville IL).
pub const FLOCK_2024: &[&str] = &[
    "Name",
    "Org Name",
    "Total Networks Searched",
    "Total Devices Searched",
    "Time Frame",
    "Case #",
    "Reason",
    "Search Time",
];
/// A transparency-portal search audit.
pub const PORTAL_SEARCH_AUDIT: &[&str] = &["id", "userId", "searchDate", "networkCount", "reason"];

/// Flock column layouts, used when a file arrives without a header row.
pub const KNOWN_LAYOUTS: &[(&str, &[&str])] = &[
    ("Flock audit, 14 columns (mid/late 2025)", FLOCK_2025_FULL),
    (
        "Flock audit, 13 columns (2026, no Total Devices Searched)",
        FLOCK_2026,
    ),
    (
        "Flock audit, 13 columns (2025, Text Prompt and Moderation, no ID)",
        FLOCK_2025_NO_ID,
    ),
    (
        "Flock federal searches, 10 columns (2026)",
        FLOCK_FEDERAL_2026,
    ),
    ("Flock audit, 8 columns (2024)", FLOCK_2024),
    ("portal search audit, 5 columns", PORTAL_SEARCH_AUDIT),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_variants_bind_alike() {
        for label in [
            "Org Name",
            " org_name",
            "OrgName",
            "orgName",
            "\u{feff}ORG NAME ",
        ] {
            assert_eq!(
                field_for_header(&normalize_header(label)),
                Some(Field::Agency),
                "{label:?}"
            );
        }
        assert_eq!(
            field_for_header(&normalize_header("Case #")),
            Some(Field::CaseNumber)
        );
        assert_eq!(
            field_for_header(&normalize_header("Search_Time")),
            Some(Field::SearchTime)
        );
        assert_eq!(
            field_for_header(&normalize_header("searchDate")),
            Some(Field::SearchDate)
        );
        assert_eq!(field_for_header(&normalize_header("Mystery")), None);
    }

    #[test]
    fn first_binding_wins_and_blank_labels_are_named() {
        let s = Schema::from_labels(&["Reason", "reason", "", "Search Time"]);
        assert_eq!(s.position(Field::Reason), Some(0));
        assert_eq!(s.columns[1].field, None);
        assert_eq!(s.columns[2].label, "column 3");
        assert!(s.is_audit());
        let w = s.without(0);
        assert_eq!(w.position(Field::Reason), Some(0));
    }

    #[test]
    fn a_second_column_for_a_field_fills_empty_cells() {
        let s = Schema::from_labels(&["Reason", "Search Time", "search_time", "reason"]);
        let rec = super::super::Cells::from(vec!["", "", "2025-01-01", "ICE"]);
        assert_eq!(s.cell(&rec, Field::SearchTime), Some(&b"2025-01-01"[..]));
        assert_eq!(s.cell(&rec, Field::Reason), Some(&b"ICE"[..]));
        let rec = super::super::Cells::from(vec!["x", "y", "2025-01-01", "ICE"]);
        assert_eq!(
            s.cell(&rec, Field::Reason),
            Some(&b"x"[..]),
            "the first column wins when filled"
        );
        assert_eq!(s.cell(&rec, Field::Agency), None);
    }

    #[test]
    fn layouts_are_audits() {
        for (name, labels) in KNOWN_LAYOUTS {
            assert!(Schema::from_labels(labels).is_audit(), "{name}");
        }
    }
}
