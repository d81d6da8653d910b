//! The store's own tests: reading, saving, the journal, damage.

use super::save::backup;
use super::*;
use crate::model::Verdict;
use std::path::Path;

/// A backup that fails (here its place is taken by a folder, as a full disk would cut the
/// copy short) leaves no `FILE.bak.tmp` behind, and the annotation file is untouched.
#[test]
fn a_failed_backup_removes_its_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ann.json");
    std::fs::write(&path, "{}").unwrap();
    std::fs::create_dir(backup_path(&path)).unwrap();
    std::fs::write(backup_path(&path).join("in the way"), "x").unwrap();
    assert!(backup(&path).is_err());
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["ann.json", "ann.json.bak"]);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "{}");
}

fn ann(n: u8, v: Option<Verdict>) -> Annotation {
    Annotation {
        record_id: RecordId::from_key(&[n]),
        verdict: v,
        note: format!("note {n}\nsecond line").into(),
        reviewer: "ana".into(),
        annotated_at: "2026-11-22T12:00:00Z".into(),
        query: "flagged:yes".into(),
        record: RecordSummary {
            agency: "Dallas TX PD".into(),
            reason: "ICE".into(),
            search_time: Some("2025-01-01T00:00:00Z".into()),
            sources: ["a.csv:2"].into_iter().collect(),
        },
        reviews: Default::default(),
        conflict: false,
        adjudicated_by: None,
    }
}

/// A file laid out as written is read line by line on every core; any other layout, or any
/// damage, is read (and judged) as a stream, so the two ways agree on what a file holds and
/// on what is refused.
#[test]
fn the_line_by_line_read_agrees_with_the_stream_and_refuses_the_same_damage() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("a.json");
    let session = SessionState {
        filter: "flagged:yes".into(),
        ..SessionState::default()
    };
    let list: Vec<Annotation> = (0..50).map(|n| ann(n, Some(Verdict::Unsure))).collect();
    let mut text = Vec::new();
    write_document(&mut text, Some(&session), &[], &[], list.iter()).unwrap();
    let text = String::from_utf8(text).unwrap();
    let read = |t: &str| {
        std::fs::write(&p, t).unwrap();
        open_streaming(&p, |_, _| {})
    };
    let s = read(&text).unwrap();
    assert_eq!(s.len(), 50);
    assert_eq!(s.session.as_ref(), Some(&session));
    assert_eq!(s.get(list[7].record_id), Some(&list[7]));
    // The same content, laid out otherwise (all on one line): read as a stream.
    let one_line: String = text.lines().collect();
    assert_eq!(read(&one_line).unwrap().len(), 50);
    // A record given twice keeps the later, both ways.
    let mut twice = list[3].clone();
    twice.note = "later".into();
    let mut t = Vec::new();
    write_document(&mut t, None, &[], &[], list.iter().chain([&twice])).unwrap();
    let t = String::from_utf8(t).unwrap();
    assert_eq!(
        read(&t).unwrap().get(twice.record_id).unwrap().note,
        "later"
    );
    let joined: String = t.lines().collect();
    assert_eq!(
        read(&joined).unwrap().get(twice.record_id).unwrap().note,
        "later"
    );
    let lines: Vec<&str> = text.lines().collect();
    let damaged = [
        // A comma gone between two annotations.
        text.replacen("},\n{", "}\n{", 1),
        // A comma after the last one.
        text.replace("}\n]}", "},\n]}"),
        // Cut in the middle of an annotation, or before the end of the array.
        lines[..lines.len() - 3].join("\n"),
        lines[..lines.len() - 1].join("\n"),
        // Something after the end.
        format!("{text}{{}}\n"),
        // An annotation line that is not one.
        text.replacen("\"verdict\":\"unsure\"", "\"verdict\":\"maybe\"", 1),
    ];
    for (i, t) in damaged.iter().enumerate() {
        assert!(
            matches!(
                read(t),
                Err(StoreError::Corrupt { .. } | StoreError::Foreign { .. })
            ),
            "damage {i} is refused"
        );
    }
    let newer = text.replacen("\"version\": 1", "\"version\": 9", 1);
    assert!(matches!(
        read(&newer),
        Err(StoreError::NewerVersion { version: 9, .. })
    ));
}

/// A file of several blocks, and a line longer than a block: the fast read takes it all,
/// in order, noting each record's code as it goes; the stream agrees.
#[test]
fn a_file_of_many_blocks_is_read_whole_and_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("a.json");
    let mut list: Vec<Annotation> = (0..15_000u32)
        .map(|n| Annotation {
            record_id: RecordId::from_key(&n.to_le_bytes()),
            ..ann(
                0,
                Some([Verdict::Unsure, Verdict::Immigration][n as usize % 2]),
            )
        })
        .collect();
    list[7_000].note = "x".repeat(5 << 20).into();
    // A record given twice, the second time far from the first: the later counts.
    let mut again = list[5].clone();
    again.verdict = None;
    list.push(again.clone());
    let mut text = Vec::new();
    write_document(&mut text, None, &[], &[], list.iter()).unwrap();
    assert!(text.len() > 2 * (4 << 20));
    std::fs::write(&p, &text).unwrap();
    let mut map = Map::new();
    let mut codes = Vec::new();
    let fast = stream::read_lines(
        &std::fs::File::open(&p).unwrap(),
        stream::TopSeed {
            put: Put {
                map: &mut map,
                codes: Some(&mut codes),
            },
            session: &mut None,
            agencies: &mut Vec::new(),
            masks: &mut Vec::new(),
            head: &mut |_, _| {},
            newer: &mut None,
        },
    );
    assert!(matches!(fast, Ok(true)), "read line by line");
    assert_eq!(map.len(), 15_000);
    assert_eq!(*map[&again.record_id], again);
    assert_eq!(map[&list[7_000].record_id].note.len(), 5 << 20);
    // The codes, taken in order, leave each record with its last annotation's code.
    let last = |codes: &[(RecordId, crate::model::VerdictCode)]| {
        assert_eq!(codes.len(), list.len());
        codes
            .iter()
            .copied()
            .collect::<std::collections::HashMap<_, _>>()
    };
    let expected = last(
        &list
            .iter()
            .map(|a| (a.record_id, a.code()))
            .collect::<Vec<_>>(),
    );
    assert_eq!(expected[&again.record_id], crate::model::VerdictCode::NONE);
    assert_eq!(last(&codes), expected);
    let read = read_streaming(&p, |_, _| {}).unwrap();
    assert_eq!(last(&read.codes), expected);
    let one_line: Vec<u8> = text.iter().copied().filter(|&b| b != b'\n').collect();
    std::fs::write(&p, one_line).unwrap();
    let streamed = read_streaming(&p, |_, _| {}).unwrap();
    assert_eq!(last(&streamed.codes), expected);
    assert!(streamed.store.map == read.store.map);
}

#[test]
fn round_trips_and_is_valid_json() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("sub/annotations.json");
    let mut s = Store::open(&p).unwrap();
    assert!(s.is_empty());
    s.set(ann(1, Some(Verdict::Immigration)));
    s.set(ann(2, None));
    s.save().unwrap();
    let text = std::fs::read_to_string(&p).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["annotations"].as_array().unwrap().len(), 2);
    let again = Store::open(&p).unwrap();
    assert_eq!(
        again.get(RecordId::from_key(&[1])),
        s.get(RecordId::from_key(&[1]))
    );
    assert_eq!(again.len(), 2);
    assert!(text.contains("\"verdict\":\"immigration\""));
}

/// A store of `n` annotations saved as a snapshot, then set to journal from `n`.
fn big_store(p: &Path, n: u8) -> Store {
    let mut s = Store::open(p).unwrap();
    for i in 0..n {
        s.set(ann(i, Some(Verdict::NotImmigration)));
    }
    s.save().unwrap();
    s.set_journal_limits(usize::from(n), 6);
    s
}

#[test]
fn a_large_file_saves_through_its_journal_and_every_reader_replays_it() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("a.json");
    let mut s = big_store(&p, 10);
    assert!(s.is_journaling());
    let snapshot = std::fs::read(&p).unwrap();
    s.set(ann(3, Some(Verdict::Immigration)));
    s.remove(RecordId::from_key(&[4]));
    s.session = Some(SessionState::default());
    s.save().unwrap();
    // The snapshot is untouched; the journal holds the changes, whole.
    assert_eq!(std::fs::read(&p).unwrap(), snapshot);
    let lines = journal::read(&journal::path(&p)).unwrap();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(matches!(&lines[0], journal::Op::Set(a) if a.verdict == Some(Verdict::Immigration)));
    // Opening again (a crash: no compaction) sees every change.
    let again = Store::open(&p).unwrap();
    assert_eq!(again.len(), 9);
    assert_eq!(
        again.get(RecordId::from_key(&[3])).unwrap().verdict,
        Some(Verdict::Immigration)
    );
    assert!(again.session.is_some());
    assert!(again.is_journaling(), "a journal found keeps journaling");
    assert_eq!(read_document(&p).unwrap().annotations.len(), 9);
    // Quitting folds the journal into the snapshot and removes it.
    s.compact().unwrap();
    assert!(!journal::path(&p).exists() && !journal::old_path(&p).exists());
    let text = std::fs::read_to_string(&p).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["annotations"].as_array().unwrap().len(), 9);
    assert!(
        backup_path(&p).is_file(),
        "the previous snapshot is the backup"
    );
}

#[test]
fn a_full_journal_is_compacted_in_the_background_without_losing_a_change() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("a.json");
    let mut s = big_store(&p, 20);
    // Six lines fill the journal (header included): saves go on while snapshots are
    // written.
    for round in 0..40u8 {
        let v = if round % 2 == 0 {
            Verdict::Immigration
        } else {
            Verdict::Unsure
        };
        s.set(ann(round % 20, Some(v)));
        s.save().unwrap();
        // Whatever the moment, the files on disk hold every change so far.
        let seen = read_document(&p).unwrap();
        let a = seen
            .annotations
            .iter()
            .find(|a| a.record_id == RecordId::from_key(&[round % 20]))
            .unwrap();
        assert_eq!(a.verdict, Some(v), "round {round}");
    }
    s.wait_compaction();
    assert!(s.compaction_error.is_none(), "{:?}", s.compaction_error);
    assert!(
        !journal::old_path(&p).exists(),
        "the old journal is removed"
    );
    let snapshot = std::fs::read_to_string(&p).unwrap();
    assert!(
        snapshot.contains("\"verdict\":\"unsure\""),
        "a background snapshot was written"
    );
    s.compact().unwrap();
    assert_eq!(Store::open(&p).unwrap().len(), 20);
}

#[test]
fn a_journal_that_cannot_be_read_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("a.json");
    let mut s = big_store(&p, 4);
    s.set(ann(1, Some(Verdict::Immigration)));
    s.save().unwrap();
    let jp = journal::path(&p);
    let mut bytes = std::fs::read(&jp).unwrap();
    bytes.extend_from_slice(b"{\"set\": 1}\n{\"remove\": \"00\"}\n");
    std::fs::write(&jp, &bytes).unwrap();
    let e = Store::open(&p).unwrap_err().to_string();
    assert!(e.contains("a.json.journal") && e.contains("line 3"), "{e}");
    assert_eq!(std::fs::read(&jp).unwrap(), bytes);
}

#[test]
fn refuses_damaged_foreign_and_newer_files() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("a.json");
    std::fs::write(&p, "{\"version\": 1, \"annotations\": [").unwrap();
    let e = Store::open(&p).unwrap_err().to_string();
    assert!(
        e.contains("damaged") && e.contains("a.json") && e.contains("--annotations"),
        "{e}"
    );
    assert!(
        !e.contains(".bak (the version"),
        "no backup to suggest: {e}"
    );
    std::fs::write(backup_path(&p), "{}").unwrap();
    let e = Store::open(&p).unwrap_err().to_string();
    assert!(e.contains("restore") && e.contains("a.json.bak"), "{e}");
    std::fs::write(&p, "[1,2,3]").unwrap();
    assert!(
        Store::open(&p)
            .unwrap_err()
            .to_string()
            .contains("not an alpr-triage annotation file")
    );
    std::fs::write(&p, "{\"version\": 7, \"annotations\": []}").unwrap();
    assert!(
        Store::open(&p)
            .unwrap_err()
            .to_string()
            .contains("version 7 is newer")
    );
}
