//! Ingest of every schema variant and quirk in docs/formats.md, one fixture each.

mod common;

use alpr_triage::ingest::{Kind, ReadOptions};
use common::*;

#[test]
fn flock_2024_eight_columns_without_id() {
    let (r, recs) = load_fixture("1_1_2024-1_31_2024-Lakemont IL PD-Network-Audit.csv");
    assert_eq!(r.kind, Some(Kind::FlockNetworkAudit));
    assert_eq!((r.rows, r.records, r.warnings.total), (4, 4, 0));
    let first = &recs[0];
    assert_eq!(field(first, "agency"), "Lakemont IL PD");
    assert_eq!(field(first, "agency_source"), "column");
    assert_eq!(field(first, "search_time"), "2024-01-04T09:55:12Z");
    assert_eq!(field(first, "time_frame_start"), "2024-01-03T22:00:00Z");
    assert_eq!(field(first, "time_frame_end"), "2024-01-04T10:00:00Z");
    assert_eq!(field(first, "networks_searched"), "1204");
    assert_eq!(field(first, "devices_searched"), "38011");
    assert_eq!(field(first, "case_number"), "24-0113");
    assert_eq!(field(first, "officer"), "Officer Avery");
    assert_eq!(rules_of(first), ["ice-context", "ero"]);
    assert_eq!(
        recs[0].sources[0],
        "1_1_2024-1_31_2024-Lakemont IL PD-Network-Audit.csv:2"
    );
    // The second row starts on line 4: the Time Frame cell of row 1 spans two lines.
    assert_eq!(
        recs[1].sources[0],
        "1_1_2024-1_31_2024-Lakemont IL PD-Network-Audit.csv:4"
    );
    assert_eq!(
        field(&recs[1], "search_time"),
        "2024-01-05T07:01:02Z",
        "unpadded month/day"
    );
    assert!(recs[1].flags.is_empty());
    assert!(
        recs[3].flags.is_empty(),
        "'police service' must not match ICE"
    );
}

#[test]
fn flock_2025_with_text_prompt_and_moderation() {
    let (r, recs) = load_fixture("4_1_2025-4_30_2025-Harbor City CA PD-Network-Audit.csv");
    assert_eq!(r.columns.len(), 13);
    assert_eq!(
        field(&recs[1], "text_prompt"),
        "white pickup with ladder rack"
    );
    assert_eq!(field(&recs[1], "moderation"), "approved");
    assert_eq!(field(&recs[1], "filters"), "make: Toyota, color: white");
    assert_eq!(rules_of(&recs[0]), ["deportation"]);
    // Border Patrol searching with a reason that has no keyword: flagged on the agency.
    assert_eq!(rules_of(&recs[2]), ["agency-border-patrol"]);
    assert_eq!(recs[2].flags[0].field, "agency");
    // A wildcard inside a plate is not redaction.
    assert_eq!(field(&recs[2], "license_plate"), "7XYZ*8*");
}

#[test]
fn flock_2025_all_fourteen_columns() {
    let (r, recs) = load_fixture("10_1_2025-10_31_2025-Millbrook TX PD-Network-Audit.csv");
    assert_eq!(r.columns[0], "ID");
    assert_eq!(
        field(&recs[0], "flock_id"),
        "6f1c9a2e-0b1d-4c55-9f3e-1a2b3c4d5e01"
    );
    assert_eq!(rules_of(&recs[0]), ["ice-context"]);
    assert_eq!(
        rules_of(&recs[1]),
        ["agency-ice"],
        "HSI agency with 'Investigation'"
    );
    let hsi = &recs[2].flags[0];
    assert_eq!((hsi.rule.as_ref(), hsi.strength), ("hsi", "ambiguous"));
    assert!(hsi.note.as_deref().unwrap().contains("drug"));
    assert!(recs[3].flags.is_empty(), "Niceville accomplice notice");
    assert_eq!(field(&recs[3], "devices_searched"), "", "—— is no number");
    assert_eq!(field(&recs[3], "license_plate"), "<redacted>");
    assert_eq!(
        column(&recs[3], "License Plate").as_deref(),
        Some("***"),
        "original kept as written"
    );
}

#[test]
fn flock_2026_without_devices_and_with_redaction() {
    let (r, recs) = load_fixture("1_1_2026-1_31_2026-Millbrook TX PD-Network-Audit.csv");
    assert!(!r.columns.iter().any(|c| c.contains("Devices")));
    assert_eq!(field(&recs[0], "officer"), "<redacted>");
    assert_eq!(field(&recs[1], "license_plate"), "<redacted>", "REDACTED");
    assert_eq!(field(&recs[1], "filters"), "<redacted>", "[REDACTED]");
    assert_eq!(
        field(&recs[2], "filters"),
        "<redacted>",
        "statute cite 7923.600 GC"
    );
    assert_eq!(rules_of(&recs[0]), ["immigration-category", "hsi"]);
    assert!(recs[1].flags.is_empty(), "Other - Not Applicable");
    assert_eq!(rules_of(&recs[2]), ["immigration-category"]);
}

#[test]
fn organization_audit_takes_agency_from_file_name() {
    let (r, recs) = load_fixture("2_1_2026-2_28_2026-Riverbend WA PD-Audit.csv");
    assert_eq!(r.kind, Some(Kind::FlockOrganizationAudit));
    assert_eq!(r.file_agency.as_deref(), Some("Riverbend WA PD"));
    assert_eq!(field(&recs[0], "agency"), "Riverbend WA PD");
    assert_eq!(field(&recs[0], "agency_source"), "file");
    assert!(recs[0].flags.is_empty(), "penal code 10851");
    assert_eq!(rules_of(&recs[1]), ["border-patrol"]);
}

#[test]
fn renaming_a_file_keeps_record_ids() {
    let dir = tempfile::tempdir().unwrap();
    let a = fixture("2_1_2026-2_28_2026-Riverbend WA PD-Audit.csv");
    let b = dir.path().join("renamed.csv");
    std::fs::copy(&a, &b).unwrap();
    let (_, ra) = load(&[a]);
    let (_, rb) = load(&[b]);
    assert_eq!(
        ra.iter().map(|r| r.id).collect::<Vec<_>>(),
        rb.iter().map(|r| r.id).collect::<Vec<_>>()
    );
    assert_eq!(field(&rb[0], "agency"), "unknown");
    assert_eq!(field(&rb[0], "agency_source"), "none");
}

#[test]
fn federal_searches_export_with_spaced_headers() {
    let (r, recs) = load_fixture("federal-searches-2026.csv");
    assert_eq!(r.kind, Some(Kind::FlockFederalSearches));
    assert_eq!(
        field(&recs[0], "agency"),
        "US Immigration and Customs Enforcement ERO"
    );
    let rules = rules_of(&recs[0]);
    assert!(
        rules.contains(&"alien".to_string()) && rules.contains(&"agency-ice".to_string()),
        "{rules:?}"
    );
    assert!(recs[1].flags.is_empty(), "U.S. Marshals 'fugitive'");
}

#[test]
fn portal_csv_network_count() {
    let (r, recs) = load_fixture("portal-networkcount.csv");
    assert_eq!(r.kind, Some(Kind::PortalSearchAudit));
    assert_eq!(
        (r.rows, r.records),
        (3, 3),
        "last row has no trailing newline"
    );
    assert_eq!(field(&recs[0], "search_time"), "2026-03-10T04:31:52.901Z");
    assert_eq!(field(&recs[0], "user_id"), "<redacted>");
    assert_eq!(field(&recs[0], "networks_searched"), "2");
    assert_eq!(field(&recs[0], "agency"), "unknown");
    assert_eq!(rules_of(&recs[1]), ["border-patrol"]);
    assert!(
        recs[2].flags.is_empty(),
        "287(B) and 26-13287 are not 287(g)"
    );
}

#[test]
fn portal_csv_camera_count_naive_times_and_plus_signs() {
    let (_, recs) = load_fixture("portal-cameracount.csv");
    assert_eq!(field(&recs[0], "search_time"), "2025-06-18T00:02:04.789Z");
    assert_eq!(field(&recs[0], "devices_searched"), "2510");
    assert!(recs[0].flags.is_empty());
    assert_eq!(rules_of(&recs[1]), ["immigration"]);
    assert_eq!(recs[1].flags[0].matched, ["Immigration"]);
    assert_eq!(rules_of(&recs[2]), ["immigration"]);
}

#[test]
fn portal_scrape_json_with_offense_type() {
    let (r, recs) = load_fixture("portal-scrape.json");
    assert_eq!(r.kind, Some(Kind::PortalScrapeJson));
    assert_eq!(field(&recs[0], "agency"), "Lakeview OR PD");
    assert_eq!(field(&recs[0], "reason"), "");
    assert_eq!(
        field(&recs[0], "offense_type"),
        "Immigration (civil/administrative)"
    );
    assert_eq!(recs[0].flags[0].field, "offense_type");
    assert!(recs[1].flags.is_empty());
    assert_eq!(field(&recs[2], "networks_searched"), "3", "a JSON number");
    assert_eq!(rules_of(&recs[2]), ["dhs"]);
    assert_eq!(
        recs[0].sources[0], "portal-scrape.json:10",
        "the line where the object starts"
    );
}

#[test]
fn json_array_keeps_unknown_keys_and_reports_non_objects() {
    let (r, recs) = load_fixture("array.json");
    assert_eq!(r.kind, Some(Kind::JsonArray));
    assert_eq!((r.rows, r.records, r.dropped), (3, 2, 1));
    assert_eq!(
        r.warnings.list[0].message,
        "dropped: this array element is not a JSON object"
    );
    assert_eq!(column(&recs[1], "Extra Note").as_deref(), Some("kept"));
    assert_eq!(rules_of(&recs[0]), ["ice-context"]);
}

#[test]
fn ndjson_and_gzip_read_the_same() {
    let (r, recs) = load_fixture("extract.ndjson");
    assert_eq!(r.kind, Some(Kind::Ndjson));
    assert_eq!((r.rows, r.records, r.dropped), (4, 3, 1));
    assert_eq!(r.warnings.list[0].line, Some(3));
    assert_eq!(field(&recs[0], "time_frame_start"), "2025-11-13T22:00:17Z");
    assert_eq!(
        column(&recs[2], "Research_Flag").as_deref(),
        Some("x"),
        "a key first seen late"
    );
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("extract.ndjson.gz");
    gzip_file(&fixture("extract.ndjson"), &gz);
    let (rg, recs_gz) = load(&[gz]);
    assert!(rg[0].gzip);
    assert_eq!(
        recs_gz.iter().map(|r| r.id).collect::<Vec<_>>(),
        recs.iter().map(|r| r.id).collect::<Vec<_>>()
    );
}

/// NDJSON past one block (4 MB, parsed on every core): every line counted once, in order, a bad
/// line and a blank one where they are, a key first seen in the second block still bound.
#[test]
fn ndjson_over_several_blocks_keeps_lines_and_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.ndjson");
    let mut text = String::new();
    let n: u64 = 60_000;
    for i in 0..n {
        match i {
            25_000 => text.push_str("{not json\n"),
            25_001 => text.push('\n'),
            _ => {
                text.push_str(&format!(
                    "{{\"ID\":\"r{i}\",\"Reason\":\"case {i} {}\",\"Search_Time\":\"2025-01-01T00:{:02}:{:02}Z\"",
                    "x".repeat((i % 97) as usize),
                    (i / 60) % 60,
                    i % 60
                ));
                if i == 55_000 {
                    text.push_str(",\"Late_Key\":\"late\"");
                }
                text.push_str("}\n");
            }
        }
    }
    assert!(text.len() > 5 << 20, "more than one block");
    std::fs::write(&path, &text).unwrap();
    let (r, recs) = load(&[path]);
    let r = &r[0];
    assert_eq!((r.rows, r.records, r.dropped), (n - 1, n - 2, 1));
    assert_eq!(r.warnings.list[0].line, Some(25_001));
    let last = recs.last().unwrap();
    assert!(
        last.sources[0].ends_with(&format!(":{n}")),
        "{:?}",
        last.sources
    );
    let late = recs
        .iter()
        .find(|r| r.sources[0].ends_with(":55001"))
        .unwrap();
    assert_eq!(column(late, "Late_Key").as_deref(), Some("late"));
    let order: Vec<u64> = recs
        .iter()
        .map(|r| {
            field(r, "reason")
                .split(' ')
                .nth(1)
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    let want: Vec<u64> = (0..n).filter(|i| ![25_000, 25_001].contains(i)).collect();
    assert_eq!(order, want, "every row once, in file order");
}

#[test]
fn gzip_csv_is_read_by_magic_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let gz = dir
        .path()
        .join("10_1_2025-10_31_2025-Millbrook TX PD-Network-Audit.csv.gz");
    gzip_file(&millbrook(), &gz);
    let (r, recs) = load(&[gz]);
    assert!(r[0].gzip);
    assert_eq!(r[0].kind, Some(Kind::FlockNetworkAudit));
    assert_eq!(r[0].file_agency.as_deref(), Some("Millbrook TX PD"));
    assert_eq!(recs.len(), 4);
}

/// The review UI keeps no row of a gzip file in memory: what the file inflates to is copied,
/// owner-only, into the folder given, and each record is re-read from the copy by offset (the
/// same cells as from the plain file). The copy goes when the dataset does.
#[test]
fn review_load_of_gzip_rereads_records_from_a_private_inflated_copy() {
    let dir = tempfile::tempdir().unwrap();
    let plain = millbrook();
    let gz = dir
        .path()
        .join("10_1_2025-10_31_2025-Millbrook TX PD-Network-Audit.csv.gz");
    let bytes = gzip_file(&plain, &gz);
    let copies = dir.path().join("copies");
    std::fs::create_dir(&copies).unwrap();
    let ds = review_load(&gz, &copies);
    let reference = review_load(&plain, &copies);
    assert_eq!(ds.len(), reference.len());
    assert!(ds.len() > 3);
    let copy = ds.files[0].report.inflated.clone().expect("a copy is kept");
    assert!(copy.path().starts_with(&copies));
    assert_eq!(std::fs::read(copy.path()).unwrap(), bytes);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(copy.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    rows_are_reread_as_from(&ds, &reference, "gzip");
    let path = copy.path().to_path_buf();
    drop((ds, copy));
    assert!(!path.exists(), "the copy is removed with the dataset");
    // Commands that read a file once keep no copy.
    let (reports, _) = load(&[gz]);
    assert!(reports[0].inflated.is_none());
    assert_eq!(std::fs::read_dir(&copies).unwrap().count(), 0);
}

/// The review UI's load of `path`, keeping private copies in `copies`.
fn review_load(
    path: &std::path::Path,
    copies: &std::path::Path,
) -> alpr_triage::review::dataset::Dataset {
    let opts = ReadOptions {
        keep_inflated: Some(copies.to_path_buf()),
        ..ReadOptions::default()
    };
    let files = alpr_triage::ingest::discover(&[path.to_path_buf()]).0;
    alpr_triage::review::loader::load_all(files, opts, common::builtin(), Default::default())
}

/// Every row of `ds` is re-read from disk (none kept in memory) with the cells `reference` has.
fn rows_are_reread_as_from(
    ds: &alpr_triage::review::dataset::Dataset,
    reference: &alpr_triage::review::dataset::Dataset,
    what: &str,
) {
    use alpr_triage::review::full_record::raw_row;
    assert!(ds.files[0].seekable());
    for row in 0..ds.len() as u32 {
        assert!(
            ds.raw_cells(row).is_none(),
            "{what}: row {row} is not kept in memory"
        );
        let (_, cells) = raw_row(ds, row).unwrap();
        let (_, want) = raw_row(reference, row).unwrap();
        assert!(cells.iter().eq(want.iter()), "{what}: row {row}");
    }
}

#[test]
fn bom_leading_spaces_and_crlf() {
    let (r, recs) = load_fixture("quirk-bom-spaces-crlf.csv");
    assert_eq!(r.columns, ["ID", "Org Name", "Reason", "Search Time"]);
    assert_eq!(r.warnings.total, 0);
    assert_eq!(
        field(&recs[0], "flock_id"),
        "f6000000-0000-4000-8000-000000000001"
    );
    assert_eq!(field(&recs[0], "search_time"), "2025-06-01T08:00:00Z");
    assert_eq!(rules_of(&recs[0]), ["ice-context"]);
    assert!(recs[1].flags.is_empty(), "VICE");
    // Lines are where each row starts, CRLF or not.
    assert_eq!(*recs[0].sources, ["quirk-bom-spaces-crlf.csv:2"]);
    assert_eq!(*recs[1].sources, ["quirk-bom-spaces-crlf.csv:3"]);
}

#[test]
fn lines_count_blank_lines_and_crlf_before_a_row() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("blank-lines.csv");
    std::fs::write(
        &p,
        "Reason,Search Time\r\nICE,\"06/01/2025, 08:00:00 AM UTC\"\r\n\r\n\r\ntheft,\"06/01/2025, 08:00:01 AM UTC\"\n\n\nbad,later\n",
    )
    .unwrap();
    let (reports, recs) = common::load(&[p]);
    let src: Vec<&str> = recs
        .iter()
        .map(|r| r.sources[0].rsplit('/').next().unwrap())
        .collect();
    assert_eq!(
        src,
        [
            "blank-lines.csv:2",
            "blank-lines.csv:5",
            "blank-lines.csv:8"
        ]
    );
    assert_eq!(reports[0].warnings.list[0].line, Some(8));
}

#[test]
fn repeated_header_row_is_skipped_with_a_note() {
    let (r, recs) = load_fixture("quirk-repeated-header.csv");
    assert_eq!((r.rows, r.records), (2, 2));
    assert_eq!(r.warnings.list[0].line, Some(3));
    assert!(recs[0].flags.is_empty(), "Heroin NUMEROUS dangerous");
    assert_eq!(rules_of(&recs[1]), ["hsi"]);
}

#[test]
fn stacked_exports_switch_schema() {
    let (r, recs) = load_fixture("quirk-stacked.csv");
    assert_eq!((r.rows, r.records, r.warnings.total), (2, 2, 1));
    assert!(r.warnings.list[0].message.contains("second export"));
    assert_eq!(field(&recs[1], "networks_searched"), "5");
    assert_eq!(rules_of(&recs[1]), ["immigration"]);
    assert!(recs[0].flags.is_empty(), "211PC");
}

#[test]
fn no_header_row_uses_a_known_layout() {
    let (r, recs) = load_fixture("quirk-no-header.csv");
    assert_eq!((r.rows, r.records), (2, 2));
    assert!(r.warnings.list[0].message.contains("no header row"));
    assert_eq!(field(&recs[0], "agency"), "Bayside FL PD");
    assert_eq!(rules_of(&recs[0]), ["removal-order"]);
    assert!(
        rules_of(&recs[1]).is_empty(),
        "tag removal: a vehicle word next to it"
    );
}

#[test]
fn header_kept_for_a_deleted_column() {
    let (r, recs) = load_fixture("quirk-deleted-column.csv");
    assert!(
        r.warnings.list[0]
            .message
            .contains("Total Devices Searched")
    );
    assert_eq!(r.warnings.total, 1, "one note, not one per row");
    assert_eq!(field(&recs[0], "networks_searched"), "40");
    assert_eq!(field(&recs[0], "reason"), "ICE");
    assert_eq!(field(&recs[0], "search_type"), "lookup");
}

#[test]
fn latin1_bytes_and_mojibake() {
    let (r, recs) = load_fixture("quirk-latin1.csv");
    assert_eq!(r.warnings.list[0].line, Some(2));
    assert!(r.warnings.list[0].message.contains("Windows-1252"));
    assert_eq!(field(&recs[0], "agency"), "Señora Valley NM PD");
    assert_eq!(field(&recs[0], "reason"), "inmigración ICE");
    assert_eq!(field(&recs[1], "reason"), "PC § 211 robbery");
}

#[test]
fn bad_rows_warn_with_line_and_are_kept_when_useful() {
    let (r, recs) = load_fixture("quirk-bad-rows.csv");
    assert_eq!((r.rows, r.records, r.dropped), (5, 4, 1));
    let lines: Vec<(Option<u64>, &str)> = r
        .warnings
        .list
        .iter()
        .map(|w| (w.line, w.message.as_str()))
        .collect();
    assert!(
        lines
            .iter()
            .any(|(l, m)| *l == Some(3) && m.contains("\"not a time\" is not a timestamp"))
    );
    assert!(
        lines
            .iter()
            .any(|(l, m)| *l == Some(4) && m.contains("expected 4 fields, found 2"))
    );
    assert!(
        lines
            .iter()
            .any(|(l, m)| *l == Some(5) && m.starts_with("dropped"))
    );
    assert!(
        lines
            .iter()
            .any(|(l, m)| *l == Some(6) && m.contains("found 5"))
    );
    // The theft row without a time is kept: it has a reason and an agency.
    assert!(
        recs.iter()
            .any(|r| field(r, "reason") == "theft" && field(r, "search_time").is_empty())
    );
    // Extra cells survive as "column N".
    assert_eq!(column(&recs[3], "column 5").as_deref(), Some("extra"));
    assert_eq!(
        column(&recs[0], "column 4").as_deref(),
        Some("x"),
        "a blank header label is named"
    );
}

#[test]
fn prior_flags_are_kept_with_their_text() {
    let (_, recs) = load_fixture("prior-flagged.csv");
    assert_eq!(rules_of(&recs[0]), ["prior-flag"]);
    assert_eq!(recs[0].flags[0].matched, ["Federal immigration partner"]);
    assert!(recs[1].flags.is_empty());
    assert!(recs[2].flags.is_empty(), "'no' is not a flag");
}

#[test]
fn overlapping_releases_deduplicate_and_keep_every_source() {
    let (reports, recs) = load(&[fixture("overlap-a.csv"), fixture("overlap-b.csv")]);
    assert_eq!(
        reports[0].duplicates, 1,
        "the same search twice in one file"
    );
    assert_eq!(
        reports[1].duplicates, 1,
        "and again in a reordered, renamed release"
    );
    assert_eq!(recs.len(), 3);
    assert_eq!(
        *recs[0].sources,
        ["overlap-a.csv:2", "overlap-a.csv:4", "overlap-b.csv:2"]
    );
    // The order of files does not change ids.
    let (_, rev) = load(&[fixture("overlap-b.csv"), fixture("overlap-a.csv")]);
    let mut a: Vec<_> = recs.iter().map(|r| r.id).collect();
    let mut b: Vec<_> = rev.iter().map(|r| r.id).collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);
}

#[test]
fn tab_separated() {
    let (_, recs) = load_fixture("tabbed.tsv");
    assert_eq!(field(&recs[0], "agency"), "Tab Town PD");
    assert_eq!(rules_of(&recs[0]), ["deportation"]);
}

#[test]
fn unreadable_files_get_one_clear_error_and_others_still_load() {
    let (reports, recs) = load(&[
        fixture("empty.csv"),
        fixture("not-audit.csv"),
        fixture("workbook.xlsx"),
        fixture("not-json.json"),
        fixture("tabbed.tsv"),
    ]);
    let err = |i: usize| reports[i].error.clone().unwrap();
    assert!(err(0).contains("empty.csv") && err(0).contains("file is empty"));
    assert!(
        err(1).contains("not-audit.csv")
            && err(1).contains("reason column")
            && err(1).contains("make, model, year")
    );
    assert!(
        err(2).contains("workbook.xlsx") && err(2).contains("not a readable ZIP archive"),
        "a broken workbook: {}",
        err(2)
    );
    assert!(err(3).contains("not-json.json") && err(3).contains("invalid JSON"));
    assert!(reports[4].error.is_none());
    assert_eq!(recs.len(), 1);
}

#[test]
fn default_agency_fills_files_that_name_none() {
    let opts = ReadOptions {
        default_agency: Some("Eugene OR PD".into()),
        ..ReadOptions::default()
    };
    let (_, recs) = load_with(
        &[fixture("portal-networkcount.csv")],
        std::sync::Arc::new(alpr_triage::flag::RuleSet::builtin()),
        &opts,
    );
    assert_eq!(field(&recs[0], "agency"), "Eugene OR PD");
}

/// An agency named for one file (`--agency PATH=NAME`) wins over what the file's name or
/// folder says, and over `--agency NAME`; a folder that names an agency names its files'.
#[test]
fn agencies_named_per_file_and_by_folder() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("eugene-or-pd");
    std::fs::create_dir(&folder).unwrap();
    let a = folder.join("a.csv");
    std::fs::copy(fixture("portal-networkcount.csv"), &a).unwrap();
    let b = dir.path().join("b.csv");
    std::fs::copy(fixture("portal-networkcount.csv"), &b).unwrap();
    let rules = std::sync::Arc::new(alpr_triage::flag::RuleSet::builtin());
    let (reports, recs) = load_with(
        &[a.clone(), b.clone()],
        rules.clone(),
        &ReadOptions::default(),
    );
    assert_eq!(field(&recs[0], "agency"), "Eugene OR PD", "from the folder");
    assert_eq!(reports[0].agency_origin(), "from the folder name");
    assert_eq!(reports[1].file_agency, None);
    let opts = ReadOptions {
        default_agency: Some("Somewhere PD".into()),
        file_agencies: vec![(b.clone(), "San Mateo CA PD".into())],
        ..ReadOptions::default()
    };
    let (reports, _) = load_with(&[a, b], rules, &opts);
    assert_eq!(reports[1].file_agency.as_deref(), Some("San Mateo CA PD"));
    assert_eq!(reports[1].agency_origin(), "named for this file");
    assert_eq!(reports[0].file_agency.as_deref(), Some("Eugene OR PD"));
}

#[test]
fn input_files_are_never_written() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.csv");
    std::fs::copy(fixture("quirk-bad-rows.csv"), &p).unwrap();
    let before = std::fs::metadata(&p).unwrap().modified().unwrap();
    let bytes = std::fs::read(&p).unwrap();
    let _ = load(std::slice::from_ref(&p));
    assert_eq!(std::fs::read(&p).unwrap(), bytes);
    assert_eq!(std::fs::metadata(&p).unwrap().modified().unwrap(), before);
}

/// What a record says, but for its file's name: its id, normalised fields, original columns,
/// flags and the lines it came from.
fn content(rec: &alpr_triage::output::OutRecord) -> String {
    let fields: Vec<String> = rec.fields.iter().map(|(k, _)| field(rec, k)).collect();
    let lines: Vec<&str> = rec
        .sources
        .iter()
        .map(|s| s.rsplit(':').next().unwrap())
        .collect();
    format!(
        "{} {fields:?} {:?} {:?} {lines:?}",
        rec.id,
        rec.columns,
        rules_of(rec)
    )
}

/// The UTF-16 fixtures are their UTF-8 twins re-encoded, so that each test below compares
/// like with like: Excel's "Unicode Text" (little-endian, BOM, tab, CRLF), the same without a
/// BOM, and big-endian comma-separated text with and without one.
const UTF16_FIXTURES: [(&str, &str, bool, bool); 4] = [
    (
        "unicode-text-utf16le-bom.txt",
        "unicode-text.tsv",
        true,
        true,
    ),
    ("unicode-text-utf16le.tsv", "unicode-text.tsv", true, false),
    (
        "unicode-text-utf16be-bom.csv",
        "unicode-text.csv",
        false,
        true,
    ),
    ("unicode-text-utf16be.csv", "unicode-text.csv", false, false),
];

#[test]
fn utf16_fixtures_are_their_utf8_twins_in_each_byte_order() {
    for (name, twin, le, bom) in UTF16_FIXTURES {
        let text = std::fs::read_to_string(fixture(twin)).unwrap();
        let mut want: Vec<u8> = Vec::new();
        for unit in std::iter::once(0xfeff)
            .filter(|_| bom)
            .chain(text.encode_utf16())
        {
            want.extend(if le {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        assert_eq!(std::fs::read(fixture(name)).unwrap(), want, "{name}");
    }
}

/// UTF-16 text, either byte order, with or without a byte-order mark, tab or comma, CRLF or
/// LF, reads as its UTF-8 twin does: the same records, values (accents, a character outside the
/// Basic Multilingual Plane, a quoted tab and line break), flags, and warnings on the same lines.
#[test]
fn utf16_reads_as_its_utf8_twin_in_both_byte_orders_with_and_without_a_bom() {
    for (name, twin, le, _) in UTF16_FIXTURES {
        let (r, recs) = load_fixture(name);
        let (r8, recs8) = load_fixture(twin);
        let want = if le { "UTF-16LE" } else { "UTF-16BE" };
        assert_eq!(r.encoding(), want, "{name}");
        assert_eq!(r8.encoding(), "UTF-8");
        assert_eq!(r.kind, Some(Kind::FlockAudit), "{name}");
        assert_eq!(r.columns, r8.columns, "{name}");
        assert_eq!(
            r.content, r8.content,
            "{name}: the delimiter is sniffed as in UTF-8"
        );
        assert_eq!((r.rows, r.records, r.flagged), (5, 5, 2), "{name}");
        let lines = |r: &alpr_triage::ingest::FileReport| {
            r.warnings
                .list
                .iter()
                .map(|w| (w.line, w.message.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(lines(&r), lines(&r8), "{name}");
        assert_eq!(r.warnings.list[0].line, Some(8), "{name}");
        let got: Vec<String> = recs.iter().map(content).collect();
        let want: Vec<String> = recs8.iter().map(content).collect();
        assert_eq!(got, want, "{name}");
        assert_eq!(field(&recs[0], "officer"), "M. Peña");
        assert_eq!(field(&recs[0], "reason"), "ICE detainer – José");
        assert_eq!(field(&recs[1], "reason"), "stolen vehicle 🚓");
        assert_eq!(
            column(&recs[2], "Reason").as_deref(),
            Some("HSI\tERO follow-up"),
            "a quoted tab"
        );
        assert_eq!(field(&recs[1], "search_time"), "2025-10-03T01:05:00Z");
        assert_eq!(rules_of(&recs[0]), ["ice-context"]);
        assert!(recs[0].sources[0].ends_with(":2"), "{:?}", recs[0].sources);
        assert!(recs[1].sources[0].ends_with(":4"), "a quoted line break");
    }
}

#[test]
fn utf16_in_gzip_reads_as_the_plain_file() {
    let dir = tempfile::tempdir().unwrap();
    for (name, _, _, _) in UTF16_FIXTURES {
        let gz = dir.path().join(format!("{name}.gz"));
        gzip_file(&fixture(name), &gz);
        let (r, recs) = load(std::slice::from_ref(&gz));
        let (r0, recs0) = load_fixture(name);
        assert!(r[0].gzip && r[0].utf16.is_some(), "{name}");
        assert_eq!(r[0].encoding(), r0.encoding());
        assert_eq!(r[0].warnings.list.len(), r0.warnings.list.len());
        let got: Vec<String> = recs.iter().map(content).collect();
        let want: Vec<String> = recs0.iter().map(content).collect();
        assert_eq!(got, want, "{name}");
    }
}

/// Malformed UTF-16 (an unpaired surrogate, an odd last byte) is decoded as U+FFFD and warned
/// of with its line and column; the row is kept.
#[test]
fn malformed_utf16_is_decoded_as_u_fffd_and_warned_of_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    let mut units: Vec<u16> = "Org Name,Reason,Search Time\nX PD,ok,2025-01-01 10:00:00\nX PD,"
        .encode_utf16()
        .collect();
    units.push(0xd800);
    units.extend("ICE,2025-01-01 11:00:00\nX PD,last,2025-01-01 12:00:00\n".encode_utf16());
    let mut bytes = vec![0xff, 0xfe];
    bytes.extend(units.iter().flat_map(|u| u.to_le_bytes()));
    bytes.push(b'x');
    std::fs::write(&path, &bytes).unwrap();
    let (r, recs) = load(&[path]);
    assert_eq!(r[0].error, None);
    assert_eq!((r[0].rows, r[0].records), (4, 4), "{:?}", r[0].warnings);
    assert_eq!(field(&recs[1], "reason"), "\u{fffd}ICE");
    let w: Vec<_> = r[0]
        .warnings
        .list
        .iter()
        .filter(|w| w.message.starts_with("U+FFFD"))
        .collect();
    assert_eq!(w.len(), 2, "{:?}", r[0].warnings);
    assert_eq!(w[0].line, Some(3));
    assert!(w[0].message.contains("Reason"), "{}", w[0].message);
    assert_eq!(w[1].line, Some(5), "the odd last byte");
}

/// The review UI re-reads a UTF-16 file's records from a private copy of what it decodes to,
/// as it does a gzip file's (the offsets are in the decoded text, not in the file).
#[test]
fn review_load_of_utf16_rereads_records_from_a_private_decoded_copy() {
    let dir = tempfile::tempdir().unwrap();
    let copies = dir.path().join("copies");
    std::fs::create_dir(&copies).unwrap();
    for (name, twin, _, _) in UTF16_FIXTURES {
        let ds = review_load(&fixture(name), &copies);
        let reference = review_load(&fixture(twin), &copies);
        assert_eq!(ds.len(), 5);
        let copy = ds.files[0].report.inflated.clone().expect("a copy is kept");
        assert_eq!(
            std::fs::read(copy.path()).unwrap(),
            std::fs::read(fixture(twin)).unwrap(),
            "{name}: the copy is the text in UTF-8, without the BOM"
        );
        rows_are_reread_as_from(&ds, &reference, name);
        drop((ds, copy));
        assert_eq!(std::fs::read_dir(&copies).unwrap().count(), 0);
    }
    // A UTF-8 file needs no copy.
    let ds = review_load(&fixture("unicode-text.csv"), &copies);
    assert!(ds.files[0].report.inflated.is_none());
}

/// The review UI's loading gauge counts the file's own bytes: for a gzip or UTF-16 file the
/// rows' offsets are in what it inflates or decodes to, which would show 500% or stop at 50%.
#[test]
fn loading_progress_of_gzip_and_utf16_files_stays_within_the_files_bytes() {
    use alpr_triage::review::dataset::LoadEvent;
    use alpr_triage::review::loader::Loader;
    let dir = tempfile::tempdir().unwrap();
    let sample = sample_millbrook();
    let text = std::fs::read_to_string(&sample).unwrap();
    let gz = dir.path().join("sample.csv.gz");
    gzip_file(&sample, &gz);
    let utf16 = dir.path().join("sample-utf16.csv");
    let mut bytes = vec![0xff, 0xfe];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(&utf16, bytes).unwrap();
    for path in [gz, utf16] {
        let files = alpr_triage::ingest::discover(std::slice::from_ref(&path)).0;
        let catalog = alpr_triage::ingest::catalog::Catalog::new(common::builtin());
        let loader = Loader::start(files, ReadOptions::default(), catalog);
        let total = loader.total_bytes;
        let mut done = Vec::new();
        while let Some(ev) = loader.recv_timeout(std::time::Duration::from_secs(600)) {
            match ev {
                LoadEvent::Chunk(c) => done.push(c.bytes_done),
                LoadEvent::Finished { .. } => break,
                _ => {}
            }
        }
        assert!(done.len() > 2, "{path:?}: {done:?}");
        assert!(done.windows(2).all(|w| w[0] <= w[1]), "{path:?}: {done:?}");
        assert!(
            done.iter().all(|&d| d <= total),
            "{path:?}: {done:?} of {total}"
        );
        assert!(
            *done.last().unwrap() * 10 >= total * 9,
            "{path:?}: the last chunk is near the end: {done:?} of {total}"
        );
    }
}
