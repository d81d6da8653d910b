//! `alpr-triage report`: its counts against an independent count (`flag --all` and the
//! annotation file, joined here), its HTML parsed as XML with its SVG charts and in headless
//! Chromium (ignored unless asked: `.ci/run` asks), hostile names, redaction, agreement
//! figures, and where it may write.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use common::{run, s};

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data")
}

/// Every record of `paths`, as `flag --all` writes them.
fn all_records(paths: &[&Path]) -> Vec<Value> {
    let mut args = vec!["flag".to_string(), "--all".to_string()];
    args.extend(paths.iter().map(|p| s(p)));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&args);
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn annotation(rec: &Value, verdict: Option<&str>, note: &str) -> Value {
    json!({
        "record_id": rec["id"], "verdict": verdict, "note": note, "reviewer": "ana",
        "annotated_at": "2026-01-01T00:00:00Z", "query": "",
        "record": {"agency": rec["agency"], "reason": rec["reason"]},
    })
}

/// Verdicts on a third of the flagged records and on a few unflagged ones, and one record
/// two reviewers disagree on (merged).
fn annotate(records: &[Value], path: &Path) {
    let verdicts = [
        Some("immigration"),
        Some("not_immigration"),
        Some("unsure"),
        None,
    ];
    let mut anns: Vec<Value> = Vec::new();
    let flagged: Vec<&Value> = records.iter().filter(|r| r["flagged"] == true).collect();
    for (i, r) in flagged.iter().enumerate().take(120) {
        anns.push(annotation(r, verdicts[i % 4], &format!("note {i}")));
    }
    for (i, r) in records
        .iter()
        .filter(|r| r["flagged"] == false)
        .take(6)
        .enumerate()
    {
        anns.push(annotation(r, verdicts[i % 3], "not flagged"));
    }
    let mut conflict = annotation(flagged[130], None, "");
    conflict["reviewer"] = json!("ana, bo");
    conflict["conflict"] = json!(true);
    conflict["reviews"] = json!([
        {"reviewer": "ana", "verdict": "immigration", "annotated_at": "2026-01-01T00:00:00Z"},
        {"reviewer": "bo", "verdict": "not_immigration", "annotated_at": "2026-01-01T00:00:00Z"},
    ]);
    anns.push(conflict);
    let doc = json!({"version": 1, "annotations": anns});
    std::fs::write(path, serde_json::to_vec(&doc).unwrap()).unwrap();
}

/// records, flagged, immigration, not, unsure, undecided flagged
type Counts = [u64; 6];

fn independent_counts(
    records: &[Value],
    ann: &Path,
) -> (BTreeMap<String, Counts>, BTreeMap<String, Counts>) {
    let doc: Value = serde_json::from_slice(&std::fs::read(ann).unwrap()).unwrap();
    let verdict: HashMap<String, Option<String>> = doc["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["record_id"].as_str().unwrap().to_string(),
                a["verdict"].as_str().map(str::to_string),
            )
        })
        .collect();
    let (mut agencies, mut months) = (BTreeMap::new(), BTreeMap::new());
    for r in records {
        let flagged = r["flagged"] == true;
        let v = verdict.get(r["id"].as_str().unwrap()).cloned().flatten();
        let month = r["search_time"]
            .as_str()
            .map(|t| t[..7].to_string())
            .unwrap_or_else(|| "unknown".into());
        for (map, key) in [
            (&mut agencies, r["agency"].as_str().unwrap().to_string()),
            (&mut months, month),
        ] {
            let c: &mut Counts = map.entry(key).or_default();
            c[0] += 1;
            c[1] += u64::from(flagged);
            match v.as_deref() {
                Some("immigration") => c[2] += 1,
                Some("not_immigration") => c[3] += 1,
                Some("unsure") => c[4] += 1,
                _ => c[5] += u64::from(flagged),
            }
        }
    }
    (agencies, months)
}

fn read_csv(path: &Path, columns: usize) -> (Vec<String>, BTreeMap<String, Counts>) {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let header = rdr.headers().unwrap().iter().map(str::to_string).collect();
    let mut rows = BTreeMap::new();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let mut c = [0u64; 6];
        for (i, slot) in c.iter_mut().enumerate().take(columns) {
            *slot = rec[i + 1].parse().unwrap();
        }
        assert!(
            rows.insert(rec[0].to_string(), c).is_none(),
            "{} twice",
            &rec[0]
        );
    }
    (header, rows)
}

/// The report of the sample data, annotated by [`annotate`], in `dir/report`: every record (as
/// `flag --all` writes them), the annotation file, the report folder.
fn sample_report(dir: &Path) -> (Vec<Value>, PathBuf, PathBuf) {
    let records = all_records(&[&sample()]);
    let ann = dir.join("ann.json");
    annotate(&records, &ann);
    let out_dir = dir.join("report");
    let out = run(&[
        "report",
        &s(&sample()),
        "--annotations",
        &s(&ann),
        "--out",
        &s(&out_dir),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (records, ann, out_dir)
}

#[test]
fn counts_agree_with_flag_all_and_the_annotation_file() {
    let dir = tempfile::tempdir().unwrap();
    let (records, ann, out_dir) = sample_report(dir.path());
    let (agencies, months) = independent_counts(&records, &ann);

    let (header, got) = read_csv(&out_dir.join("by_agency.csv"), 6);
    assert_eq!(
        header,
        [
            "agency",
            "records",
            "flagged",
            "immigration",
            "not_immigration",
            "unsure",
            "undecided_flagged"
        ]
    );
    assert_eq!(got, agencies);

    let (header, got) = read_csv(&out_dir.join("by_month.csv"), 5);
    assert_eq!(
        header,
        [
            "month",
            "records",
            "flagged",
            "immigration",
            "not_immigration",
            "unsure"
        ]
    );
    let months: BTreeMap<String, Counts> = months
        .into_iter()
        .map(|(k, mut c)| {
            c[5] = 0;
            (k, c)
        })
        .collect();
    assert_eq!(got, months);

    // The manifest names every file with its SHA-256, and the totals.
    let m: Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("manifest.json")).unwrap()).unwrap();
    let files = m["report"]["files"].as_array().unwrap();
    assert_eq!(files.len(), 4);
    for f in files {
        let bytes = std::fs::read(out_dir.join(f["name"].as_str().unwrap())).unwrap();
        assert_eq!(f["bytes"], bytes.len());
        assert_eq!(f["sha256"].as_str().unwrap().len(), 64);
    }
    assert_eq!(m["totals"]["records"], records.len());
    let inputs = alpr_triage::ingest::discover(&[sample()]).0.len();
    assert_eq!(m["inputs"].as_array().unwrap().len(), inputs);
    assert_eq!(m["agreement"][0]["a"], "ana");
    assert_eq!(m["agreement"][0]["b"], "bo");
    // Owner-only.
    use std::os::unix::fs::PermissionsExt;
    for name in [
        "report.html",
        "report.md",
        "by_agency.csv",
        "by_month.csv",
        "manifest.json",
    ] {
        let mode = std::fs::metadata(out_dir.join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{name}");
    }
}

/// The page parses as XML, holds its tables and two SVG charts, and nothing that runs.
fn check_page(html: &str) -> roxmltree::Document<'_> {
    let doc = roxmltree::Document::parse_with_options(
        html,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("report.html is not well-formed: {e}"));
    let svgs: Vec<_> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "svg")
        .collect();
    assert_eq!(
        svgs.len(),
        3,
        "a chart by agency, one by month and one by the searcher's state"
    );
    for svg in &svgs {
        assert_eq!(
            svg.tag_name().namespace(),
            Some("http://www.w3.org/2000/svg")
        );
        assert!(svg.descendants().any(|n| n.tag_name().name() == "rect"));
    }
    for n in doc.descendants() {
        let name = n.tag_name().name();
        assert!(
            !matches!(
                name,
                "script" | "iframe" | "object" | "embed" | "link" | "img"
            ),
            "report.html holds a <{name}>"
        );
        for a in n.attributes() {
            assert!(!a.name().starts_with("on"), "an event handler {}", a.name());
            assert!(
                !a.value().contains("http://") || a.name() == "xmlns",
                "{}",
                a.value()
            );
        }
    }
    doc
}

#[test]
fn the_page_is_well_formed_self_contained_and_escapes_hostile_names() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("hostile.csv");
    std::fs::write(
        &csv,
        "ID,Name,Org Name,Reason,Search Time,License Plate\n\
         a1,K. Lee,<script>alert(1)</script> PD,ICE warrant,2025-03-01T10:00:00Z,ABC123\n\
         a2,\"=HYPERLINK(\"\"http://x\"\")\",=HYPERLINK(\"\"http://x\"\") PD,ICE detainer,2025-03-02T10:00:00Z,ABC124\n\
         a3,M. Ortiz,Evil\u{202e}DP ytic,deportation,2025-04-02T10:00:00Z,ABC125\n",
    )
    .unwrap();
    let records = all_records(&[&csv]);
    let ann = dir.path().join("ann.json");
    let anns: Vec<Value> = records
        .iter()
        .map(|r| annotation(r, Some("immigration"), "<b>per ICE</b> | pipe"))
        .collect();
    std::fs::write(
        &ann,
        serde_json::to_vec(&json!({"version": 1, "annotations": anns})).unwrap(),
    )
    .unwrap();
    let out_dir = dir.path().join("r");
    let out = run(&[
        "report",
        &s(&csv),
        "--annotations",
        &s(&ann),
        "--out",
        &s(&out_dir),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    let doc = check_page(&html);
    let text: String = doc
        .descendants()
        .filter(|n| n.is_text())
        .map(|n| n.text().unwrap_or(""))
        .collect();
    assert!(
        text.contains("<script>alert(1)</script> PD"),
        "shown as text"
    );
    assert!(
        text.contains("Evil⟨U+202E⟩DP ytic"),
        "bidi shown, not obeyed"
    );
    assert!(!html.contains('\u{202e}'));
    assert!(text.contains("K. Lee"), "accounts listed without --redact");
    let agencies = std::fs::read_to_string(out_dir.join("by_agency.csv")).unwrap();
    assert!(
        agencies.contains("\"'=HYPERLINK("),
        "formula defused: {agencies}"
    );
    let md = std::fs::read_to_string(out_dir.join("report.md")).unwrap();
    assert!(md.contains("\\<script\\>"), "{md}");
    assert!(md.contains("\\<b\\>per ICE\\</b\\> \\| pipe"), "{md}");

    // --redact: no account names, no plates, anywhere in the folder.
    let red = dir.path().join("red");
    let out = run(&[
        "report",
        &s(&csv),
        "--annotations",
        &s(&ann),
        "--out",
        &s(&red),
        "--redact",
    ]);
    assert_eq!(out.status.code(), Some(0));
    for name in [
        "report.html",
        "report.md",
        "by_agency.csv",
        "by_month.csv",
        "manifest.json",
    ] {
        let body = std::fs::read_to_string(red.join(name)).unwrap();
        for secret in ["K. Lee", "M. Ortiz", "ABC12"] {
            assert!(!body.contains(secret), "{name} shows {secret}");
        }
    }
    check_page(&std::fs::read_to_string(red.join("report.html")).unwrap());
}

#[test]
fn it_writes_only_where_it_may() {
    let dir = tempfile::tempdir().unwrap();
    let ann = dir.path().join("ann.json");
    annotate(&all_records(&[&sample()]), &ann);
    let out_dir = dir.path().join("r");
    let args = |extra: &[&str]| {
        let mut a = vec![
            "report".to_string(),
            s(&sample()),
            "--annotations".into(),
            s(&ann),
            "--out".into(),
            s(&out_dir),
        ];
        a.extend(extra.iter().map(|x| x.to_string()));
        a
    };
    let go = |extra: &[&str]| {
        let a = args(extra);
        run(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    assert_eq!(go(&[]).status.code(), Some(0));
    // Again: the files exist.
    let again = go(&[]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert_eq!(go(&["--force"]).status.code(), Some(0));
    // A file where the folder should be; standard output; a missing annotation file.
    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    let out = run(&[
        "report",
        &s(&sample()),
        "--annotations",
        &s(&ann),
        "--out",
        &s(&file),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a folder"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
    let out = run(&[
        "report",
        &s(&sample()),
        "--annotations",
        &s(&ann),
        "--out",
        "-",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let missing = dir.path().join("missing.json");
    let out = run(&[
        "report",
        &s(&sample()),
        "--annotations",
        &s(&missing),
        "--out",
        &s(&dir.path().join("r2")),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        !dir.path().join("r2").exists(),
        "nothing made for a failed report"
    );
    // A bad query is one line naming the column.
    let out = run(&[
        "report",
        &s(&sample()),
        "--annotations",
        &s(&ann),
        "--out",
        &s(&dir.path().join("r3")),
        "--query",
        "colour:red",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown filter colour:"));
}

/// The page in a real browser: Chromium, headless, parses it (as HTML, not XML) into the
/// headline, the tables and both charts with their bars, and draws it. Ignored in `cargo test`
/// (it needs Chromium, `apt-get install chromium`); `.ci/run` installs Chromium and runs it.
#[test]
#[ignore]
fn the_page_renders_in_a_headless_browser() {
    let browser = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            std::process::Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .expect("Chromium is not installed (apt-get install chromium)");
    let dir = tempfile::tempdir().unwrap();
    let (_, _, out_dir) = sample_report(dir.path());
    let page = out_dir.join("report.html");
    let url = format!("file://{}", page.display());
    // Everything the browser writes stays in the test's folder.
    let chromium = |args: &[&str]| {
        std::process::Command::new(browser)
            .args(["--headless", "--no-sandbox", "--disable-gpu"])
            .arg(format!(
                "--user-data-dir={}",
                dir.path().join("profile").display()
            ))
            .args(args)
            .arg(&url)
            .env("HOME", dir.path())
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .env("XDG_CACHE_HOME", dir.path().join("cache"))
            .output()
            .unwrap()
    };
    let dump = chromium(&["--dump-dom"]);
    assert!(
        dump.status.success(),
        "{}",
        String::from_utf8_lossy(&dump.stderr)
    );
    let dom = String::from_utf8(dump.stdout).unwrap();
    let count = |tag: &str| dom.matches(tag).count();
    assert_eq!(count("<svg"), 3, "charts by agency, by month and by state");
    assert!(count("<rect") > 20, "the charts have their bars");
    assert!(
        count("<table") >= 4,
        "agency, month, rule and account tables"
    );
    assert!(dom.contains("<h1>ALPR search audit"), "the headline");
    // The browser's tree holds what the page holds: as many table rows as an XML parser finds.
    let html = std::fs::read_to_string(&page).unwrap();
    let doc = check_page(&html);
    let rows = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "tr")
        .count();
    assert_eq!(count("<tr"), rows);
    let shot = dir.path().join("page.png");
    let drawn = chromium(&[
        "--window-size=1200,1600",
        &format!("--screenshot={}", shot.display()),
    ]);
    assert!(drawn.status.success());
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "a page was drawn"
    );
}

#[test]
fn the_account_table_counts_one_name_in_two_agencies_as_two_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let csv = common::fixture("accounts-two-agencies.csv");
    let out_dir = dir.path().join("report");
    let out = run(&["report", &s(&csv), "--out", &s(&out_dir)]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = std::fs::read_to_string(out_dir.join("report.md")).unwrap();
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| K. Lee")).collect();
    assert_eq!(rows.len(), 2, "{md}");
    assert!(
        rows[0].starts_with("| K. Lee | Quarry Town GA PD | 2 |"),
        "{}",
        rows[0]
    );
    assert!(
        rows[1].starts_with("| K. Lee | Blue Mound GA PD | 1 |"),
        "{}",
        rows[1]
    );
    assert!(!md.contains("| *** |"), "a redacted officer is no account");
    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    assert!(html.contains("2 searches have neither"), "the *** searches");
}

/// The path past one machine: the JSONL and CSV exports of the sample data (several schemas at
/// once, `ID` and `id` among their labels) load into DuckDB with their types (times as
/// timestamps, counts as integers, booleans as booleans, flags as readable structs), and
/// DuckDB's counts by agency and by verdict are the report's. Ignored in `cargo test` (it needs
/// DuckDB's Python package, `pip install duckdb`); `.ci/run` installs it and runs it. The checks
/// are in tests/duckdb/check.py.
#[test]
#[ignore]
fn exports_load_into_duckdb_with_their_types() {
    let dir = tempfile::tempdir().unwrap();
    let (_, ann, out_dir) = sample_report(dir.path());
    let mut exports = Vec::new();
    for format in ["jsonl", "csv"] {
        let path = dir.path().join(format!("export.{format}"));
        let out = run(&[
            "export",
            &s(&sample()),
            "--annotations",
            &s(&ann),
            "--only",
            "all",
            "--format",
            format,
            "--out",
            &s(&path),
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        exports.push(path);
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/duckdb/check.py");
    let out = std::process::Command::new("python3")
        .arg(&script)
        .args(&exports)
        .arg(out_dir.join("by_agency.csv"))
        .env("HOME", dir.path())
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains(": ok"), "{said}");
    println!("{said}");
}
