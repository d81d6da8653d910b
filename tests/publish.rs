//! Publishing without exposing people: under `--redact`, personal data inside reasons, notes and
//! unknown columns is masked in every export format (CSV, JSONL, JSON), in report.html,
//! report.md and the report's CSV tables, while the words a finding rests on stay; without
//! `--redact` everything is as written. The reviewer's mask choices (`alpr-triage masks`) are
//! saved with the annotations, apply to later exports and reports, and survive a merge.

mod common;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use common::{fixture, run, s};

/// Personal data the fixture holds in free text (reasons, the unknown `Notes` column, notes).
const PERSONAL: [&str; 18] = [
    "Juan Garcia",
    "03/14/1988",
    "7ABC123",
    "619-555-0142",
    "25-004512",
    "Maria Lopez",
    "1412 Oak St",
    "Jose A. Ramirez",
    "jg.tips@example.com",
    "123-45-6789",
    "Ashley Nguyen",
    "ABC1234",
    "Lopez-Hernandez",
    "KLM4821",
    "2025-118734",
    "Dana Whitfield",
    "Carlos Mendoza",
    "213-555-0199",
];

/// The words findings rest on, which redaction keeps.
const FINDING: [&str; 5] = [
    "ICE warrant",
    "HSI 3500",
    "10851 VC",
    "Immigration (civil/administrative) - HSI",
    "287(g)",
];

fn input() -> PathBuf {
    fixture("personal-reasons.csv")
}

/// Every record confirmed, with a note that names a person and a phone number.
fn annotate(dir: &Path) -> PathBuf {
    let out = run(&["flag", "--all", &s(&input())]);
    let anns: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let r: Value = serde_json::from_str(l).unwrap();
            json!({
                "record_id": r["id"], "verdict": "immigration",
                "note": "spoke w/ Carlos Mendoza 213-555-0199 re ICE",
                "reviewer": "ana", "annotated_at": "2026-01-01T00:00:00Z", "query": "",
                "record": {"agency": r["agency"], "reason": r["reason"]},
            })
        })
        .collect();
    let path = dir.join("ann.json");
    std::fs::write(
        &path,
        serde_json::to_vec(&json!({"version": 1, "annotations": anns})).unwrap(),
    )
    .unwrap();
    path
}

fn export(ann: &Path, out: &Path, format: &str, redact: bool) -> String {
    let mut args = vec![
        "export".to_string(),
        s(&input()),
        "--annotations".into(),
        s(ann),
        "--format".into(),
        format.into(),
        "--out".into(),
        s(out),
        "--force".into(),
    ];
    if redact {
        args.push("--redact".into());
    }
    let o = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::read_to_string(out).unwrap()
}

fn report(ann: &Path, dir: &Path, redact: bool) -> Vec<(String, String)> {
    let mut args = vec![
        "report".to_string(),
        s(&input()),
        "--annotations".into(),
        s(ann),
        "--out".into(),
        s(dir),
        "--force".into(),
    ];
    if redact {
        args.push("--redact".into());
    }
    let o = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    ["report.html", "report.md", "by_agency.csv", "by_month.csv"]
        .iter()
        .map(|f| (f.to_string(), std::fs::read_to_string(dir.join(f)).unwrap()))
        .collect()
}

/// The text as a reader sees it: HTML entities and JSON escapes undone enough to search.
fn readable(text: &str) -> String {
    text.replace("&amp;", "&")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("\\/", "/")
}

#[test]
fn exports_mask_personal_data_in_free_text_and_keep_the_findings() {
    let dir = tempfile::tempdir().unwrap();
    let ann = annotate(dir.path());
    for format in ["csv", "jsonl", "json"] {
        let out = dir.path().join(format!("out.{format}"));
        let plain = readable(&export(&ann, &out, format, false));
        for p in PERSONAL {
            assert!(plain.contains(p), "{format} without --redact lost {p:?}");
        }
        let red = readable(&export(&ann, &out, format, true));
        for p in PERSONAL {
            assert!(!red.contains(p), "{format} --redact still shows {p:?}");
        }
        for w in FINDING {
            assert!(
                red.contains(w),
                "{format} --redact lost the finding words {w:?}"
            );
        }
        for mask in [
            "[name]",
            "[dob]",
            "[plate]",
            "[phone]",
            "[case]",
            "[email]",
            "[ssn]",
            "[address]",
            "[officer]",
        ] {
            assert!(red.contains(mask), "{format}: no {mask}");
        }
        let manifest: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join(format!("out.{format}.manifest.json")))
                .unwrap(),
        )
        .unwrap();
        assert_eq!(manifest["notes_redacted"], true);
        let masks = &manifest["free_text_masks"];
        for kind in [
            "name", "dob", "plate", "phone", "case", "email", "ssn", "address", "officer",
        ] {
            assert!(
                masks[kind].as_u64().unwrap() > 0,
                "{format}: {kind} counted: {masks}"
            );
        }
        // Each of the six notes names Carlos Mendoza; four reasons and one Notes cell name one each.
        assert_eq!(masks["name"].as_u64(), Some(6 + 5), "{masks}");
    }
}

/// A flag's spans point at its words in the masked reason.
#[test]
fn flag_spans_follow_the_masked_reason() {
    let dir = tempfile::tempdir().unwrap();
    let ann = annotate(dir.path());
    let out = dir.path().join("out.jsonl");
    let text = export(&ann, &out, "jsonl", true);
    let mut checked = 0;
    for line in text.lines() {
        let r: Value = serde_json::from_str(line).unwrap();
        let reason = r["reason"].as_str().unwrap_or("");
        for f in r["flags"].as_array().unwrap() {
            if f["field"] != "reason" {
                continue;
            }
            for (span, word) in f["spans"]
                .as_array()
                .unwrap()
                .iter()
                .zip(f["matched"].as_array().unwrap())
            {
                let (a, b) = (
                    span[0].as_u64().unwrap() as usize,
                    span[1].as_u64().unwrap() as usize,
                );
                assert_eq!(&reason[a..b], word.as_str().unwrap(), "{reason:?}");
                checked += 1;
            }
        }
    }
    assert!(checked >= 4, "{checked} spans checked");
}

#[test]
fn reports_mask_personal_data_and_count_accounts_per_agency() {
    let dir = tempfile::tempdir().unwrap();
    let ann = annotate(dir.path());
    let plain = report(&ann, &dir.path().join("plain"), false);
    let html = readable(&plain[0].1);
    for p in PERSONAL
        .iter()
        .filter(|p| !["1412 Oak St", "Maria Lopez"].contains(p))
    {
        // The unknown Notes column is not in the report; everything else is, as written.
        assert!(html.contains(p), "report.html without --redact lost {p:?}");
    }
    let red = report(&ann, &dir.path().join("red"), true);
    for (name, text) in &red {
        let text = readable(text);
        for p in PERSONAL {
            assert!(!text.contains(p), "{name} --redact still shows {p:?}");
        }
        if name.starts_with("report.") {
            for w in FINDING {
                assert!(text.contains(w), "{name} --redact lost {w:?}");
            }
            // Markdown escapes the brackets of a mask.
            let masked = text.contains("[name]") || text.contains("\\[name\\]");
            assert!(
                masked && (text.contains("accounts</th>") || text.contains("| accounts |")),
                "{name}"
            );
            assert!(!text.contains("K. Lee"), "{name}: no account names");
        }
    }
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("red/manifest.json")).unwrap(),
    )
    .unwrap();
    assert!(manifest["free_text_masks"]["name"].as_u64().unwrap() > 0);
    assert!(
        manifest["redaction_method"]
            .as_str()
            .unwrap()
            .contains("precision")
    );
    // Two accounts ran Blue Mound's searches (K. Lee, R. Okafor; *** is none), two Quarry Town's.
    let md = &red[1].1;
    assert!(md.contains("| Blue Mound GA PD | 2 | 3 | 3 |"), "{md}");
    assert!(md.contains("| Quarry Town GA PD | 2 | 2 | 2 |"), "{md}");
}

#[test]
fn the_reviewer_lists_the_masks_and_chooses_and_every_later_output_applies_it() {
    let dir = tempfile::tempdir().unwrap();
    let ann = annotate(dir.path());
    let masks = |extra: &[&str]| {
        let mut args = vec!["masks", "--annotations"];
        let a = s(&ann);
        let i = s(&input());
        args.push(&a);
        args.push(&i);
        args.extend(extra);
        let o = run(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let listed = masks(&[]);
    assert!(listed.contains("6 records selected"), "{listed}");
    assert!(
        listed.contains("ICE warrant [name] DOB [dob] plate [plate]"),
        "{listed}"
    );
    assert!(listed.contains("[name] \"Juan Garcia\""), "{listed}");
    assert!(listed.contains("note"), "{listed}");
    // Release a false mask, mask what was missed.
    let chosen = masks(&[
        "--release",
        "Juan Garcia",
        "--mask",
        "theft",
        "--reviewer",
        "bo",
        "--note",
        "public figure",
    ]);
    assert!(chosen.contains("saved in"), "{chosen}");
    assert!(
        chosen.contains("release \"Juan Garcia\"  (bo, "),
        "{chosen}"
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&ann).unwrap()).unwrap();
    let choice = |text: &str| {
        doc["masks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["text"] == text)
            .cloned()
            .unwrap()
    };
    assert_eq!(choice("Juan Garcia")["mask"], false);
    assert_eq!(choice("theft")["mask"], true);
    assert_eq!(choice("theft")["note"], "public figure");
    assert_eq!(choice("theft")["by"], "bo");
    assert_eq!(
        doc["annotations"].as_array().unwrap().len(),
        6,
        "annotations kept"
    );
    let out = dir.path().join("out.csv");
    let red = export(&ann, &out, "csv", true);
    assert!(
        red.contains("Juan Garcia") && !red.contains("theft"),
        "{red}"
    );
    assert!(red.contains("[masked]"));
    let rep = report(&ann, &dir.path().join("rep"), true);
    assert!(rep[0].1.contains("Juan Garcia") && !rep[1].1.contains("theft"));
    // JSON lists the choices and each text's masks.
    let j: Value = serde_json::from_str(&masks(&["--json"])).unwrap();
    assert_eq!(j["choices"].as_array().unwrap().len(), 2);
    assert!(
        j["texts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["published"] == "[masked]")
    );
    // Forget takes a choice back.
    masks(&["--forget", "juan garcia"]);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&ann).unwrap()).unwrap();
    assert_eq!(doc["masks"].as_array().unwrap().len(), 1);
}

#[test]
fn merge_keeps_every_reviewers_mask_choices() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, masks: Value| {
        let p = dir.path().join(name);
        let doc = json!({"version": 1, "masks": masks, "annotations": []});
        std::fs::write(&p, serde_json::to_vec(&doc).unwrap()).unwrap();
        p
    };
    let choice = |text: &str, mask: bool, by: &str, at: &str| json!({"text": text, "mask": mask, "by": by, "at": at});
    let a = write(
        "a.json",
        json!([
            choice("Tito", true, "ana", "2026-01-01T00:00:00Z"),
            choice("Chase Bank", false, "ana", "2026-01-01T00:00:00Z")
        ]),
    );
    let b = write(
        "b.json",
        json!([
            choice("tito", false, "bo", "2026-02-01T00:00:00Z"),
            choice("Big Mike", true, "bo", "2026-01-01T00:00:00Z")
        ]),
    );
    let out = dir.path().join("m.json");
    let o = run(&["merge", &s(&a), &s(&b), "--out", &s(&out)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("warning: the text \"tito\": ana said mask it, bo said release it; the later (bo) is kept"), "{err}");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let kept: Vec<(String, bool)> = doc["masks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["text"].as_str().unwrap().to_string(),
                m["mask"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kept,
        [
            ("tito".into(), false),
            ("Chase Bank".into(), false),
            ("Big Mike".into(), true)
        ]
    );
}

/// A choice is not written while another process (the review UI) holds the annotation file.
#[test]
fn a_choice_waits_for_the_review_ui_to_let_go_of_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let ann = annotate(dir.path());
    let before = std::fs::read(&ann).unwrap();
    let (lock, _) = alpr_triage::store::lock::Lock::acquire(&ann).unwrap();
    let o = run(&[
        "masks",
        &s(&input()),
        "--annotations",
        &s(&ann),
        "--mask",
        "Tito",
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("ann.json"), "{err}");
    assert_eq!(
        std::fs::read(&ann).unwrap(),
        before,
        "the file is untouched"
    );
    drop(lock);
    let o = run(&[
        "masks",
        &s(&input()),
        "--annotations",
        &s(&ann),
        "--mask",
        "Tito",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}
