//! Export round trips (CSV, JSONL, JSON), redaction, manifests; merge and agreement.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use alpr_triage::commands::review::TuiOptions;
use alpr_triage::model::{RecordId, Verdict};
use alpr_triage::store::{Annotation, RecordSummary, Store};
use alpr_triage::tui::Session;
use serde_json::Value;

use common::{fixture, run, s};

fn inputs() -> Vec<PathBuf> {
    vec![
        fixture("10_1_2025-10_31_2025-Millbrook TX PD-Network-Audit.csv"),
        fixture("overlap-a.csv"),
        fixture("overlap-b.csv"),
        fixture("portal-scrape.json"),
    ]
}

/// Annotates a few records through the UI flow and returns the annotation file.
fn annotated(dir: &Path) -> PathBuf {
    let ann = dir.join("ann.json");
    let mut sess = Session::new(&TuiOptions {
        paths: inputs(),
        annotations: Some(ann.clone()),
        reviewer: Some("ana".into()),
        config: Some(dir.join("none.toml")),
        ..TuiOptions::default()
    })
    .unwrap();
    sess.dispatch(alpr_triage::app::Action::Resize(100, 30));
    sess.finish_loading();
    sess.keys("y");
    sess.keys("n");
    sess.keys("ekeep, \"quoted\", and\nsecond line<c-s>");
    sess.keys("m");
    drop(sess);
    ann
}

/// `flag --all` as the reference: id → original columns.
fn reference() -> HashMap<String, serde_json::Map<String, Value>> {
    let mut args = vec!["flag".to_string(), "--all".into()];
    args.extend(inputs().iter().map(|p| s(p)));
    let out = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["id"].as_str().unwrap().to_string(),
                v["columns"].as_object().unwrap().clone(),
            )
        })
        .collect()
}

fn export(ann: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["export".to_string()];
    args.extend(inputs().iter().map(|p| s(p)));
    args.extend(["--annotations".into(), s(ann), "--out".into(), s(out)]);
    args.extend(extra.iter().map(|x| x.to_string()));
    run(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn csv_round_trip_keeps_every_column_and_annotation() {
    let dir = tempfile::tempdir().unwrap();
    let ann = annotated(dir.path());
    let store = Store::open(&ann).unwrap();
    assert_eq!(store.len(), 3);
    let out = dir.path().join("out.csv");
    let o = export(&ann, &out, &["--only", "all"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let bytes = std::fs::read(&out).unwrap();
    assert!(
        bytes.starts_with(b"\xef\xbb\xbf"),
        "UTF-8 BOM for spreadsheets"
    );
    let mut rdr = csv::Reader::from_reader(&bytes[3..]);
    let headers = rdr.headers().unwrap().clone();
    let reference = reference();
    let mut seen = 0;
    for row in rdr.records() {
        let row = row.unwrap();
        let get = |name: &str| {
            headers
                .iter()
                .position(|h| h == name)
                // A label that an earlier one holds in another case is written `label_2`.
                .or_else(|| {
                    headers.iter().position(|h| {
                        h.strip_prefix(name)
                            .and_then(|n| n.strip_prefix('_'))
                            .is_some_and(|n| n.parse::<u32>().is_ok())
                    })
                })
                .map(|i| row[i].to_string())
                .unwrap()
        };
        let lower: std::collections::HashSet<String> =
            headers.iter().map(|h| h.to_lowercase()).collect();
        assert_eq!(
            lower.len(),
            headers.len(),
            "names unique without regard to case: {headers:?}"
        );
        let id = get("record_id");
        let cols = &reference[&id];
        for (label, value) in cols {
            assert_eq!(&get(label), value.as_str().unwrap(), "{id} column {label}");
        }
        let rid: RecordId = id.parse().unwrap();
        match store.get(rid) {
            Some(a) => {
                assert_eq!(get("verdict"), a.verdict.map(Verdict::as_str).unwrap_or(""));
                assert_eq!(get("note"), a.note);
                assert_eq!(get("reviewer"), "ana");
                assert_eq!(get("annotated_at"), a.annotated_at);
                assert_eq!(get("annotation_query"), a.query);
            }
            None => assert_eq!(get("verdict"), ""),
        }
        assert!(!get("sources").is_empty());
        seen += 1;
    }
    assert_eq!(seen, reference.len(), "every record once");
    // The export is itself a readable audit file.
    let scan = run(&["scan", "--json", &s(&out)]);
    let doc: Value = serde_json::from_slice(&scan.stdout).unwrap();
    assert_eq!(
        doc["totals"]["rows"].as_u64().unwrap() as usize,
        reference.len()
    );
    assert_eq!(doc["totals"]["warnings"], 0);
}

#[test]
fn jsonl_and_json_keep_types_and_annotations() {
    let dir = tempfile::tempdir().unwrap();
    let ann = annotated(dir.path());
    let reference = reference();
    for format in ["jsonl", "json"] {
        let out = dir.path().join(format!("out.{format}"));
        let o = export(&ann, &out, &["--format", format]);
        assert_eq!(o.status.code(), Some(0));
        let text = std::fs::read_to_string(&out).unwrap();
        let records: Vec<Value> = if format == "json" {
            serde_json::from_str::<Vec<Value>>(&text).unwrap()
        } else {
            text.lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect()
        };
        assert_eq!(records.len(), 3, "default: the reviewed records");
        for r in &records {
            let id = r["id"].as_str().unwrap();
            assert_eq!(r["columns"].as_object().unwrap(), &reference[id]);
            assert!(r["verdict"].is_string());
            assert_eq!(r["reviewer"], "ana");
            assert!(r["flags"].is_array());
            if let Some(n) = r["networks_searched"].as_u64() {
                assert!(n > 0, "a number, not a string");
            }
        }
        assert!(
            records
                .iter()
                .any(|r| r["note"] == "keep, \"quoted\", and\nsecond line")
        );
    }
}

#[test]
fn redaction_masks_every_sensitive_field_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let ann = annotated(dir.path());
    let out = dir.path().join("red.jsonl");
    let o = export(
        &ann,
        &out,
        &["--format", "jsonl", "--only", "all", "--redact"],
    );
    assert_eq!(o.status.code(), Some(0));
    let sensitive = [
        "Name",
        "License Plate",
        "Case #",
        "Filters",
        "userId",
        "caseNumber",
        "name",
        "case_number",
    ];
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        !text.contains("K. Lee")
            && !text.contains("ABC1234")
            && !text.contains("25-10001")
            && !text.contains("Q. Adams")
    );
    for line in text.lines() {
        let r: Value = serde_json::from_str(line).unwrap();
        assert!(r["redaction"].as_str().unwrap().contains("masked"));
        for (k, v) in r["columns"].as_object().unwrap() {
            if sensitive.contains(&k.as_str()) {
                let v = v.as_str().unwrap();
                assert!(v.is_empty() || v == "[REDACTED]", "{k} = {v}");
            }
        }
        for k in [
            "officer",
            "user_id",
            "license_plate",
            "case_number",
            "filters",
        ] {
            assert!(r[k].is_null() || r[k] == "[REDACTED]", "{k} = {}", r[k]);
        }
        assert!(r["agency"].is_string(), "agency is not masked");
    }
    let m: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("red.jsonl.manifest.json")).unwrap())
            .unwrap();
    assert_eq!(m["redacted"], true);
    assert_eq!(m["notes_redacted"], true);
}

#[test]
fn manifest_says_how_the_numbers_were_made() {
    let dir = tempfile::tempdir().unwrap();
    let ann = annotated(dir.path());
    let out = dir.path().join("imm.csv");
    let o = export(
        &ann,
        &out,
        &["--only", "immigration", "--query", "agency:overlap"],
    );
    assert_eq!(o.status.code(), Some(0));
    let m: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("imm.csv.manifest.json")).unwrap())
            .unwrap();
    assert_eq!(m["selection"]["only"], "immigration");
    assert_eq!(m["selection"]["query"], "agency:overlap");
    assert_eq!(m["output"]["records"], 1);
    assert_eq!(m["verdicts"]["immigration"], 1);
    assert_eq!(m["reviewers"][0], "ana");
    assert_eq!(m["inputs"].as_array().unwrap().len(), 4);
    let first = &m["inputs"][0];
    let expected = alpr_triage::digest::sha256_file(&inputs()[0]).unwrap();
    assert_eq!(first["sha256"], expected.as_str());
    assert_eq!(first["rows"], 4);
    assert_eq!(m["rules"]["name"], "immigration-builtin");
    assert_eq!(m["rules"]["sha256"].as_str().unwrap().len(), 64);
    assert!(m["tool"].as_str().unwrap().starts_with("alpr-triage "));
    assert!(m["annotations"]["sha256"].is_string());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for f in [out.clone(), dir.path().join("imm.csv.manifest.json")] {
            assert_eq!(
                std::fs::metadata(&f).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }
    // An existing output is replaced only with --force.
    let again = export(&ann, &out, &[]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists; pass --force"));
    assert_eq!(export(&ann, &out, &["--force"]).status.code(), Some(0));
}

#[test]
fn bad_query_and_bad_annotations_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let ann = dir.path().join("bad.json");
    std::fs::write(&ann, "{\"version\": 1, \"annotations\": [").unwrap();
    let o = export(&ann, &dir.path().join("o.csv"), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("damaged"));
    let good = annotated(dir.path());
    let o = export(&good, &dir.path().join("o.csv"), &["--query", "colour:red"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown filter colour:"));
}

fn ann(id: RecordId, reviewer: &str, v: Verdict) -> Annotation {
    Annotation {
        record_id: id,
        verdict: Some(v),
        note: format!("{reviewer} says {}", v.as_str()).into(),
        reviewer: reviewer.into(),
        annotated_at: "2026-11-20T10:00:00Z".into(),
        query: "flagged:yes".into(),
        record: RecordSummary::default(),
        reviews: Default::default(),
        conflict: false,
        adjudicated_by: None,
    }
}

#[test]
fn merge_three_reviewers_gives_known_kappas_and_conflicts_to_adjudicate() {
    use Verdict::*;
    let dir = tempfile::tempdir().unwrap();
    // Ten real flagged records of the sample data.
    let sample = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-data/1_1_2025-12_31_2025-Millbrook TX PD-Network-Audit.csv");
    let (_, recs) = common::load(std::slice::from_ref(&sample));
    let ids: Vec<RecordId> = recs
        .iter()
        .filter(|r| !r.flags.is_empty())
        .take(10)
        .map(|r| r.id)
        .collect();
    let a = [
        Immigration,
        Immigration,
        Immigration,
        Immigration,
        Immigration,
        NotImmigration,
        NotImmigration,
        NotImmigration,
        NotImmigration,
        Unsure,
    ];
    let b = [
        Immigration,
        Immigration,
        Immigration,
        Immigration,
        NotImmigration,
        NotImmigration,
        NotImmigration,
        NotImmigration,
        Unsure,
        Unsure,
    ];
    let c = [
        Immigration,
        Immigration,
        Immigration,
        Immigration,
        Immigration,
        NotImmigration,
        NotImmigration,
        NotImmigration,
        NotImmigration,
        Unsure,
    ];
    let mut files = Vec::new();
    for (name, vs) in [("ana", a), ("bo", b), ("cy", c)] {
        let mut st = Store::empty(&dir.path().join(format!("{name}.json")));
        for (id, v) in ids.iter().zip(vs) {
            st.set(ann(*id, name, v));
        }
        st.save().unwrap();
        files.push(s(st.path()));
    }
    let merged = dir.path().join("merged.json");
    let mut args = vec!["merge".to_string()];
    args.extend(files.iter().cloned());
    args.extend(["--out".into(), s(&merged), "--json".into()]);
    let o = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    let pair = |x: &str, y: &str| {
        report["pairs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["a"] == x && p["b"] == y)
            .unwrap()
            .clone()
    };
    // ana–bo: 8 of 10 agree; chance 0.5·0.4 + 0.4·0.4 + 0.1·0.2 = 0.38; kappa = 0.42/0.62.
    let ab = pair("ana", "bo");
    assert_eq!(
        (ab["both"].as_u64(), ab["agree"].as_u64()),
        (Some(10), Some(8))
    );
    assert!((ab["kappa"].as_f64().unwrap() - 0.42 / 0.62).abs() < 1e-9);
    assert!((ab["percent_agreement"].as_f64().unwrap() - 80.0).abs() < 1e-9);
    // ana–cy agree on everything: kappa 1.
    let ac = pair("ana", "cy");
    assert_eq!(ac["agree"], 10);
    assert!((ac["kappa"].as_f64().unwrap() - 1.0).abs() < 1e-9);
    // bo–cy: the same disagreements as ana–bo.
    assert!((pair("bo", "cy")["kappa"].as_f64().unwrap() - 0.42 / 0.62).abs() < 1e-9);
    assert_eq!(
        report["conflicts"].as_array().unwrap().len(),
        2,
        "records 5 and 9"
    );

    let st = Store::open(&merged).unwrap();
    let conflicted = st.get(ids[4]).unwrap();
    assert!(conflicted.conflict && conflicted.verdict.is_none());
    assert_eq!(
        conflicted.reviews.len(),
        3,
        "every reviewer's verdict is kept"
    );
    assert_eq!(st.get(ids[0]).unwrap().verdict, Some(Immigration));

    // Adjudicate in the review UI: verdict:conflict, then a verdict resolves it.
    let mut sess = Session::new(&TuiOptions {
        paths: vec![sample],
        annotations: Some(merged.clone()),
        reviewer: Some("editor".into()),
        config: Some(dir.path().join("none.toml")),
        ..TuiOptions::default()
    })
    .unwrap();
    sess.finish_loading();
    sess.keys("/verdict:conflict<enter>");
    assert_eq!(sess.app.shown().len(), 2);
    let row = sess.app.selected().unwrap();
    assert_eq!(sess.app.annotation(row).unwrap().reviews.len(), 3);
    sess.keys("n");
    assert_eq!(
        sess.app.shown().len(),
        1,
        "the resolved record leaves the conflict filter"
    );
    drop(sess);
    let st = Store::open(&merged).unwrap();
    let resolved = st.iter().find(|a| a.adjudicated_by.is_some()).unwrap();
    assert_eq!(resolved.verdict, Some(NotImmigration));
    assert!(!resolved.conflict);
    assert_eq!(resolved.adjudicated_by.as_deref(), Some("editor"));
    assert_eq!(
        resolved.reviews.len(),
        3,
        "the reviewers' verdicts stay on record"
    );
}

#[test]
fn merge_refuses_bad_input_and_existing_output() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("g.json");
    Store::empty(&good).save().unwrap();
    let bad = dir.path().join("b.json");
    std::fs::write(&bad, "[1,2]").unwrap();
    let out = dir.path().join("m.json");
    let o = run(&["merge", &s(&good), &s(&bad), "--out", &s(&out)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("b.json"));
    std::fs::write(&out, "keep").unwrap();
    let o = run(&["merge", &s(&good), &s(&good), "--out", &s(&out)]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep");
    // Laid out as written, one annotation line damaged: found as the merge reads it, refused
    // with the place, and the output left as it was.
    let mut one = Store::open(&good).unwrap();
    let id = RecordId(0x0123456789abcdef0123456789abcdef);
    one.set(ann(id, "ana", Verdict::Unsure));
    one.save().unwrap();
    let damaged = dir.path().join("d.json");
    let mut other = Store::open(&damaged).unwrap();
    other.set(ann(id, "bo", Verdict::Unsure));
    other.save().unwrap();
    let text = std::fs::read_to_string(&damaged).unwrap();
    std::fs::write(
        &damaged,
        text.replacen("\"reviewer\":\"bo\"", "\"reviewer\":7", 1),
    )
    .unwrap();
    let o = run(&[
        "merge",
        &s(&good),
        &s(&damaged),
        "--out",
        &s(&out),
        "--force",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("d.json") && err.contains("line 2"), "{err}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep");
}
