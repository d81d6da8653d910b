//! Judging a file from its header and name: which known layout it is, which column a short row
//! lost, which agency the file name names.

use std::sync::LazyLock;

use regex::Regex;

use super::row::{self, parse_count};
use super::schema::{KNOWN_LAYOUTS, Schema};
use super::value::decode;
use super::{Cells, FileError, Kind};
use crate::model::Field;

/// How well a row fits a schema: fields that parse as what they should be.
pub(super) fn plausibility(schema: &Schema, rec: &Cells) -> usize {
    let cell = |f: Field| schema.cell(rec, f).map(|b| decode(b).0.trim().to_string());
    let mut score = 0;
    if row::search_time(schema, rec).is_none() {
        return 0;
    }
    score += 4;
    for f in [Field::Networks, Field::Devices] {
        match cell(f) {
            Some(v) if parse_count(&v).is_some() => score += 2,
            Some(v) if v.is_empty() || v.contains('—') => score += 1,
            Some(_) => return 0,
            None => {}
        }
    }
    if let Some(v) = cell(Field::TimeFrame) {
        if super::time::parse_time_frame(&v).is_some() {
            score += 2;
        } else if !v.is_empty() {
            return 0;
        }
    }
    if let Some(v) = cell(Field::FlockId)
        && v.len() == 36
        && v.matches('-').count() == 4
    {
        score += 2;
    }
    if let Some(v) = cell(Field::SearchType) {
        let l = v.to_ascii_lowercase();
        if [
            "lookup", "search", "convoy", "visual", "freeform", "multigeo", "apiv1",
        ]
        .iter()
        .any(|t| l.starts_with(t))
        {
            score += 2;
        }
    }
    score
}

/// The error for a header that is not a search-audit export's.
pub(super) fn not_audit(path: &str, schema: &Schema) -> FileError {
    let found: Vec<&str> = schema
        .columns
        .iter()
        .take(12)
        .map(|c| c.label.as_str())
        .collect();
    let missing = match (schema.has_reason(), schema.has_time()) {
        (false, false) => "a reason column and a search-time column",
        (false, true) => "a reason column (Reason, reason, offenseType)",
        (true, false) => "a search-time column (Search Time, searchDate)",
        (true, true) => "",
    };
    FileError::NotAudit {
        path: path.to_string(),
        message: format!(
            "not a search-audit export: expected a header with {missing}; found columns: {}",
            if found.is_empty() {
                "(none)".to_string()
            } else {
                found.join(", ")
            }
        ),
    }
}

/// The kind of a CSV export, from its header and (lower-cased) file name.
pub(super) fn csv_kind(schema: &Schema, file_name: &str) -> Kind {
    let portal = schema.has(Field::UserId)
        || schema.columns.iter().any(|c| {
            matches!(
                c.normalized.as_str(),
                "searchdate" | "networkcount" | "cameracount"
            )
        });
    let n = file_name;
    if portal && !schema.has(Field::TimeFrame) {
        Kind::PortalSearchAudit
    } else if n.contains("network-audit")
        || n.contains("network_audit")
        || n.contains("network audit")
    {
        Kind::FlockNetworkAudit
    } else if n.contains("federal") {
        Kind::FlockFederalSearches
    } else if n.contains("-audit") || n.contains("_audit") {
        Kind::FlockOrganizationAudit
    } else if !schema.has(Field::TimeFrame)
        && !schema.has(Field::TimeFrameStart)
        && schema.has(Field::SearchType)
        && schema.has(Field::Plate)
    {
        Kind::FlockFederalSearches
    } else {
        Kind::FlockAudit
    }
}

pub(super) fn clip(s: &str) -> String {
    if s.chars().count() > 60 {
        let t: String = s.chars().take(57).collect();
        format!("{t}...")
    } else {
        s.to_string()
    }
}

pub(super) fn describe_schema(schema: &Schema, kind: Kind) -> String {
    let n = schema.len();
    let fields: std::collections::BTreeSet<Field> =
        schema.columns.iter().filter_map(|c| c.field).collect();
    let renamed = schema
        .columns
        .iter()
        .any(|c| c.label.contains('_') && c.field.is_some_and(|f| f != Field::PriorFlag));
    for (name, layout) in KNOWN_LAYOUTS {
        let known: std::collections::BTreeSet<Field> = Schema::from_labels(layout)
            .columns
            .iter()
            .filter_map(|c| c.field)
            .collect();
        if known == fields && !renamed {
            return name.to_string();
        }
    }
    let what = match kind {
        Kind::PortalSearchAudit | Kind::PortalScrapeJson => "transparency-portal columns",
        _ if renamed => "researcher extract with renamed headers",
        Kind::JsonArray | Kind::Ndjson => "JSON keys",
        _ => "columns bound by name",
    };
    format!("{n} columns, {what}")
}

/// The agency named by a Flock file name: `M_D_YYYY-M_D_YYYY-<Org Name>-Audit.csv` or
/// `…-<Org Name>-Network-Audit.csv` (underscores read as spaces).
pub fn agency_from_file_name(path: &std::path::Path) -> Option<String> {
    static PATTERN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^\d{1,2}_\d{1,2}_\d{4}-\d{1,2}_\d{1,2}_\d{4}-(.+?)-(?:network-)?audit(?:[-_. ].*)?$")
            .expect("static regex")
    });
    let name = path.file_name()?.to_string_lossy();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    let stem = name.rsplit_once('.').map(|(s, _)| s).unwrap_or(name);
    let caps = PATTERN.captures(stem)?;
    let agency = caps.get(1)?.as_str().replace('_', " ");
    let agency = agency.trim();
    (!agency.is_empty()).then(|| agency.to_string())
}

/// The agency named by the folder a file is in, when its name reads as one: words (split on
/// `-`, `_` and spaces) ending in an agency word, as in Flock's transparency-portal slugs
/// (`palm-springs-ca-pd/` → `Palm Springs CA PD`, `okaloosa_county_sheriffs_office/`).
pub fn agency_from_folder(path: &std::path::Path) -> Option<String> {
    const ENDINGS: [&[&str]; 12] = [
        &["pd"],
        &["so"],
        &["sd"],
        &["dps"],
        &["police"],
        &["sheriff"],
        &["sheriffs"],
        &["marshal"],
        &["marshals"],
        &["police", "department"],
        &["sheriffs", "office"],
        &["sheriff", "office"],
    ];
    const UPPER: [&str; 4] = ["pd", "so", "sd", "dps"];
    const STATES: [&str; 51] = [
        "al", "ak", "az", "ar", "ca", "co", "ct", "de", "dc", "fl", "ga", "hi", "id", "il", "in",
        "ia", "ks", "ky", "la", "me", "md", "ma", "mi", "mn", "ms", "mo", "mt", "ne", "nv", "nh",
        "nj", "nm", "ny", "nc", "nd", "oh", "ok", "or", "pa", "ri", "sc", "sd", "tn", "tx", "ut",
        "vt", "va", "wa", "wv", "wi", "wy",
    ];
    let folder = path.parent()?.file_name()?.to_string_lossy().to_lowercase();
    let words: Vec<&str> = folder
        .split(['-', '_', ' '])
        .filter(|w| !w.is_empty())
        .collect();
    let ends = ENDINGS
        .iter()
        .any(|e| words.len() > e.len() && words.ends_with(e));
    if !ends || !words.iter().all(|w| w.chars().all(char::is_alphanumeric)) {
        return None;
    }
    let named: Vec<String> = words
        .iter()
        .map(|w| {
            if UPPER.contains(w) || STATES.contains(w) {
                w.to_uppercase()
            } else {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or_default()
            }
        })
        .collect();
    Some(named.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn agency_from_folder_names() {
        let a = |s: &str| agency_from_folder(Path::new(s));
        assert_eq!(
            a("real-data/palm-springs-ca-pd/2026-04-20.json").as_deref(),
            Some("Palm Springs CA PD")
        );
        assert_eq!(
            a("x/okaloosa_county_sheriffs_office/a.csv").as_deref(),
            Some("Okaloosa County Sheriffs Office")
        );
        assert_eq!(
            a("exports/Eugene Police/a.csv").as_deref(),
            Some("Eugene Police")
        );
        for none in [
            "real-data/search_audit.csv",
            "pd/a.csv",
            "a.csv",
            "records-2025/a.csv",
            "san-mateo-public-records/a.csv",
        ] {
            assert_eq!(a(none), None, "{none}");
        }
    }

    #[test]
    fn agency_from_flock_file_names() {
        let a = |s: &str| agency_from_file_name(Path::new(s));
        assert_eq!(
            a("11_1_2025-12_8_2025-Okaloosa_County_FL_SO-Audit_EXTRACTED.csv").as_deref(),
            Some("Okaloosa County FL SO")
        );
        assert_eq!(
            a("1_1_2025-1_31_2025-Dallas TX PD-Network-Audit.csv.gz").as_deref(),
            Some("Dallas TX PD")
        );
        assert_eq!(
            a("dir/4_1_2025-4_30_2025-Lakemont TX PD-Audit.csv").as_deref(),
            Some("Lakemont TX PD")
        );
        assert_eq!(a("EPDSearchAuditLogs.csv"), None);
        assert_eq!(a("search_audit.a871b2fc.csv"), None);
    }
}
