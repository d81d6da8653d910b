//! The headless commands, run as a user runs them: the real binary, exit codes, outputs.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{bin, fixture, run, s};

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn good_fixtures() -> Vec<String> {
    [
        "10_1_2025-10_31_2025-Millbrook TX PD-Network-Audit.csv",
        "overlap-a.csv",
        "overlap-b.csv",
        "portal-scrape.json",
        "quirk-bad-rows.csv",
    ]
    .iter()
    .map(|f| s(&fixture(f)))
    .collect()
}

/// `scan` names the encoding each text file was read in, in JSON and in words.
#[test]
fn scan_names_a_utf16_files_encoding() {
    let (le, be) = (
        s(&fixture("unicode-text-utf16le-bom.txt")),
        s(&fixture("unicode-text-utf16be.csv")),
    );
    let plain = s(&fixture("unicode-text.csv"));
    let out = run(&["scan", "--json", &le, &be, &plain]);
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let enc: Vec<_> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["encoding"].clone())
        .collect();
    assert_eq!(enc, ["UTF-16LE", "UTF-16BE", "UTF-8"]);
    let out = run(&["scan", &le]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("kind:     flock-audit, UTF-16LE ("), "{text}");
}

#[test]
fn scan_reports_every_file_and_totals() {
    let args: Vec<String> = ["scan".to_string(), "--json".into()]
        .into_iter()
        .chain(good_fixtures())
        .collect();
    let out = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(
        out.status.code(),
        Some(0),
        "warnings alone do not fail a scan"
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = doc["files"].as_array().unwrap();
    assert_eq!(files.len(), 5);
    let f0 = &files[0];
    for key in [
        "path",
        "kind",
        "rows",
        "records",
        "duplicates",
        "flagged",
        "warnings",
    ] {
        assert!(f0.get(key).is_some(), "missing {key}");
    }
    assert_eq!(f0["kind"], "flock-network-audit");
    assert_eq!(files[1]["duplicates"], 1);
    let bad = &files[4];
    assert_eq!(bad["warnings"][0]["line"], 3);
    assert!(
        bad["warnings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not a timestamp")
    );
    let t = &doc["totals"];
    assert_eq!(t["rows"], 4 + 3 + 2 + 3 + 5);
    assert_eq!(t["records"], 4 + 2 + 1 + 3 + 4);
    assert_eq!(t["duplicates"], 2);
    assert_eq!(t["dropped"], 1);
}

#[test]
fn scan_text_names_warnings_with_lines_and_fails_on_unreadable_files() {
    let out = run(&[
        "scan",
        &s(&fixture("quirk-bad-rows.csv")),
        &s(&fixture("empty.csv")),
        "/no/such/file.csv",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("line 3: Search Time \"not a time\" is not a timestamp"),
        "{text}"
    );
    assert!(text.contains("empty.csv"));
    assert!(text.contains("file is empty"));
    assert!(text.contains("/no/such/file.csv"));
    assert!(text.contains("total: 3 files (2 failed)"), "{text}");
}

#[test]
#[ignore = "reads ../shared/real-data, which is outside a clone; .ci/run runs it with --ignored"]
fn scan_counts_every_row_of_the_real_data() {
    let real = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/real-data");
    assert!(
        real.is_dir(),
        "{} is not here: this test needs the public audit files beside the project",
        real.display()
    );
    let out = run(&["scan", "--json", &s(&real)]);
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["totals"]["rows"], 4294 + 91 + 524 + 7273);
    assert_eq!(doc["totals"]["dropped"], 0);
    assert!(
        doc["totals"]["flagged"].as_u64().unwrap() <= 3,
        "a negative corpus: {}",
        doc["totals"]
    );
}

#[test]
fn flag_writes_jsonl_with_explanations_sources_and_columns() {
    let out = run(&[
        "flag",
        &s(&fixture("overlap-a.csv")),
        &s(&fixture("overlap-b.csv")),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    let r = &lines[0];
    assert_eq!(r["id"].as_str().unwrap().len(), 32);
    assert_eq!(r["agency"], "Overlap NJ PD");
    assert_eq!(r["reason"], "ICE");
    assert_eq!(r["search_time"], "2025-03-01T01:00:00Z");
    assert_eq!(r["flags"][0]["rule"], "ice");
    assert_eq!(r["flags"][0]["matched"][0], "ICE");
    assert_eq!(r["flags"][0]["field"], "reason");
    assert_eq!(r["sources"].as_array().unwrap().len(), 3);
    assert_eq!(r["columns"]["Case #"], "25-1");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("1 record written"), "{err}");
}

#[test]
fn flag_all_merges_duplicates_and_keeps_every_record() {
    let out = run(&[
        "flag",
        "--all",
        &s(&fixture("overlap-a.csv")),
        &s(&fixture("overlap-b.csv")),
    ]);
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "5 rows, 3 distinct searches");
    assert_eq!(lines[0]["sources"].as_array().unwrap().len(), 3);
    assert_eq!(lines[1]["flagged"], false);
    assert_eq!(
        lines[2]["columns"]["search_time"], "2025-03-03T01:00:00Z",
        "columns as written in their file"
    );
}

#[test]
fn flag_csv_to_a_file_is_owner_only_and_never_overwrites_by_accident() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("flags.csv");
    let input = s(&fixture(
        "10_1_2025-10_31_2025-Millbrook TX PD-Network-Audit.csv",
    ));
    let out = run(&["flag", "--format", "csv", "--out", &s(&out_path), &input]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&out_path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let mut rdr = csv::Reader::from_path(&out_path).unwrap();
    let headers = rdr.headers().unwrap().clone();
    assert_eq!(&headers[0], "ID", "original columns first");
    assert!(headers.iter().any(|h| h == "record_id"));
    assert!(headers.iter().any(|h| h == "flag_rules"));
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    let tf = headers.iter().position(|h| h == "Time Frame").unwrap();
    assert!(rows[0][tf].contains('\n'), "embedded newline survives");
    let again = run(&["flag", "--format", "csv", "--out", &s(&out_path), &input]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists; pass --force"));
    let forced = run(&[
        "flag",
        "--format",
        "json",
        "--force",
        "--out",
        &s(&out_path),
        &input,
    ]);
    assert_eq!(forced.status.code(), Some(0));
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out_path).unwrap()).unwrap();
    assert_eq!(doc.as_array().unwrap().len(), 3);
}

#[test]
fn flag_refuses_to_write_an_input_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::copy(fixture("overlap-a.csv"), &input).unwrap();
    let before = std::fs::read(&input).unwrap();
    let out = run(&["flag", "--force", "--out", &s(&input), &s(&input)]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("is both --out and the input") && err.contains("in.csv"),
        "{err}"
    );
    assert_eq!(std::fs::read(&input).unwrap(), before);
}

#[test]
fn bad_rules_file_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("mine.toml");
    std::fs::write(
        &rules,
        "[[rule]]\nname = \"x\"\nfields = [\"reason\"]\npattern = '('\n",
    )
    .unwrap();
    let out = run(&["flag", "--rules", &s(&rules), &s(&fixture("overlap-a.csv"))]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("alpr-triage: "), "{err}");
    assert!(
        err.contains("mine.toml") && err.contains("bad pattern"),
        "{err}"
    );
    let missing = run(&[
        "scan",
        "--rules",
        "/no/rules.toml",
        &s(&fixture("overlap-a.csv")),
    ]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("/no/rules.toml: cannot read rules file")
    );
}

#[test]
fn rules_command_prints_the_rule_set_and_its_source_round_trips() {
    let out = run(&["rules"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("agency-border-patrol"));
    let src = run(&["rules", "--source"]);
    let dir = tempfile::tempdir().unwrap();
    let p: PathBuf = dir.path().join("rules.toml");
    std::fs::write(&p, &src.stdout).unwrap();
    let again = run(&["rules", "--rules", &s(&p)]);
    assert_eq!(again.status.code(), Some(0));
}

#[test]
fn help_everywhere_and_usage_errors() {
    for args in [
        vec!["--help"],
        vec!["scan", "--help"],
        vec!["flag", "--help"],
        vec!["rules", "--help"],
        vec!["--version"],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(!out.stdout.is_empty());
    }
    let out = run(&["flag", "--format", "xml", "x.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("xml"));
    let out = run(&["scan"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_record_is_its_first_row_even_when_a_later_copy_is_flagged() {
    // The same search (ID, time, reason) seen twice: once under a local agency, once under
    // Border Patrol's name. What the first row says is the record; the second is a duplicate.
    let dir = tempfile::tempdir().unwrap();
    let header = "ID,Org Name,Reason,Search Time\n";
    let local = "aaaaaaaa-0000-4000-8000-000000000001,Lakemont IL PD,Investigation,\"01/02/2025, 10:00:00 AM UTC\"\n";
    let federal = "aaaaaaaa-0000-4000-8000-000000000001,US Border Patrol,Investigation,\"01/02/2025, 10:00:00 AM UTC\"\n";
    let unflagged_first = dir.path().join("unflagged-first.csv");
    std::fs::write(&unflagged_first, format!("{header}{local}{federal}")).unwrap();
    let flagged_first = dir.path().join("flagged-first.csv");
    std::fs::write(&flagged_first, format!("{header}{federal}{local}")).unwrap();

    let totals = |p: &Path| {
        let out = run(&["scan", "--json", &s(p)]);
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let t = &doc["totals"];
        (
            t["records"].as_u64(),
            t["duplicates"].as_u64(),
            t["flagged"].as_u64(),
        )
    };
    assert_eq!(totals(&unflagged_first), (Some(1), Some(1), Some(0)));
    assert_eq!(totals(&flagged_first), (Some(1), Some(1), Some(1)));

    let flagged = |p: &Path| stdout(&run(&["flag", &s(p)]));
    assert_eq!(flagged(&unflagged_first), "");
    let out = flagged(&flagged_first);
    let rec: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(rec["agency"], "US Border Patrol");
    assert_eq!(
        rec["sources"].as_array().map(Vec::len),
        Some(2),
        "the later row is a second source: {rec}"
    );
}

/// A full disk while records are written (`/dev/full` refuses every write) is one clear line
/// and a failing exit, whichever way the records are written: kept and written at the end
/// (`flag`), or queued a round at a time during the read (`flag --all`, `export`).
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let none = s(&dir.path().join("no-annotations.json"));
    std::fs::write(&none, r#"{"version": 1, "annotations": []}"#).unwrap();
    let sample = s(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data"));
    for args in [
        vec!["flag", &sample],
        vec!["flag", "--all", &sample],
        vec![
            "export",
            "--only",
            "all",
            "--format",
            "jsonl",
            "--annotations",
            &none,
            &sample,
        ],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = bin().args(&args).stdout(full).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        let errors: Vec<&str> = err.lines().filter(|l| !l.starts_with("warning:")).collect();
        assert_eq!(
            errors,
            ["alpr-triage: standard output: No space left on device (os error 28)"],
            "{args:?}"
        );
    }
}

#[test]
fn flag_csv_header_is_the_union_of_every_flagged_rows_columns() {
    let dir = tempfile::tempdir().unwrap();
    // Two schemas, several flagged rows under each, and a row with a cell past its header.
    let a = dir.path().join("a.csv");
    std::fs::write(
        &a,
        "Org Name,Reason,Search Time\n\
         Alpha PD,ICE hold,2025-01-01 10:00:00\n\
         Alpha PD,ICE detainer,2025-01-01 11:00:00\n\
         Alpha PD,HSI assist,2025-01-01 12:00:00,extra cell\n\
         Alpha PD,burglary,2025-01-01 13:00:00\n",
    )
    .unwrap();
    let b = dir.path().join("b.csv");
    std::fs::write(
        &b,
        "Reason,Search Time,Org Name,Case #\n\
         deportation,2025-02-01 10:00:00,Beta PD,25-1\n\
         ICE warrant,2025-02-01 11:00:00,Beta PD,25-2\n",
    )
    .unwrap();
    let out_path = dir.path().join("flags.csv");
    let out = run(&[
        "flag",
        "--format",
        "csv",
        "--out",
        &s(&out_path),
        &s(&a),
        &s(&b),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut rdr = csv::Reader::from_path(&out_path).unwrap();
    let headers: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        headers[..5],
        ["Org Name", "Reason", "Search Time", "column 4", "Case #"],
        "columns in first-seen order, the extra cell's included"
    );
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 5);
    assert_eq!(&rows[2][3], "extra cell");
    assert_eq!(&rows[4][4], "25-2");
    assert_eq!(&rows[4][0], "Beta PD");
}

/// `scan`'s wording: counts in words (`1 file`), where an agency came from, no warnings with
/// `--max-warnings 0`, an empty folder is an error, and a suggested path is quoted.
#[test]
fn scan_wording() {
    let dir = tempfile::tempdir().unwrap();
    let named = dir.path().join("my exports");
    std::fs::create_dir(&named).unwrap();
    let portal = named.join("search audit.csv");
    std::fs::copy(fixture("quirk-bad-rows.csv"), &portal).unwrap();
    let out = run(&[
        "scan",
        "--max-warnings",
        "0",
        "--agency",
        "Eugene OR PD",
        &s(&portal),
    ]);
    let text = stdout(&out);
    assert!(!text.contains("    line "), "no warning lines: {text}");
    assert!(text.contains("... and 5 more warnings"), "{text}");
    assert!(text.contains("Eugene OR PD (from --agency)"), "{text}");
    assert!(text.contains("total: 1 file (0 failed)"), "{text}");
    // --agency PATH=NAME names one file.
    let arg = format!("{}=San Mateo CA PD", s(&portal));
    let out = run(&["scan", "--agency", &arg, &s(&portal)]);
    assert!(stdout(&out).contains("San Mateo CA PD (named for this file)"));
    let out = run(&["scan", "--agency", "/no/such.csv=X", &s(&portal)]);
    assert_eq!(out.status.code(), Some(2));
    // A path with a space, suggested by flag, is quoted.
    let out = run(&["flag", &s(&portal)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("`alpr-triage scan '{}'`", s(&portal))),
        "{err}"
    );
    // A folder with no audit file in it.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    std::fs::write(empty.join("notes.md"), "x").unwrap();
    let out = run(&["scan", &s(&empty)]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no audit files found") && err.contains("notes.md"),
        "{err}"
    );
}
