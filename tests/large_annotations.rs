//! Large annotation files in the review UI: read on another thread while the records load (the
//! screen never waits for them), changes refused until they are in, then every verdict shown and
//! saved through the journal.

mod common;

use alpr_triage::app::Action;
use alpr_triage::commands::review::TuiOptions;
use alpr_triage::model::{RecordId, Verdict, VerdictCode};
use alpr_triage::store::{Annotation, SessionState, journal};
use alpr_triage::tui::BACKGROUND_ANNOTATIONS_FROM;
use alpr_triage::tui::Session;

use common::{load, millbrook};

fn annotation(id: RecordId, verdict: Verdict) -> Annotation {
    Annotation {
        record_id: id,
        verdict: Some(verdict),
        note: "read from a large file".into(),
        reviewer: "bo".into(),
        annotated_at: "2026-01-01T00:00:00Z".into(),
        query: "flagged:yes".into(),
        record: Default::default(),
        reviews: Default::default(),
        conflict: false,
        adjudicated_by: None,
    }
}

/// An annotation file over the background threshold: `real` records of the data, then enough
/// annotations of other records.
fn large_file(path: &std::path::Path, real: &[RecordId], session: Option<SessionState>) -> usize {
    let mut list: Vec<Annotation> = real
        .iter()
        .map(|&id| annotation(id, Verdict::Immigration))
        .collect();
    let mut i = 0u64;
    let mut out = Vec::new();
    loop {
        out.clear();
        alpr_triage::store::write_document(&mut out, session.as_ref(), &[], &[], list.iter())
            .unwrap();
        if out.len() as u64 >= BACKGROUND_ANNOTATIONS_FROM {
            break;
        }
        for _ in 0..5_000 {
            list.push(annotation(
                RecordId::from_key(format!("elsewhere {i}").as_bytes()),
                Verdict::NotImmigration,
            ));
            i += 1;
        }
    }
    std::fs::write(path, &out).unwrap();
    list.len()
}

fn session(ann: &std::path::Path, dir: &std::path::Path) -> Session {
    let mut s = Session::new(&TuiOptions {
        paths: vec![millbrook()],
        annotations: Some(ann.to_path_buf()),
        reviewer: Some("ana".into()),
        config: Some(dir.join("none.toml")),
        ..Default::default()
    })
    .unwrap();
    s.dispatch(Action::Resize(100, 30));
    s
}

#[test]
fn a_large_file_is_read_while_the_records_load_and_changes_wait_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let ann = dir.path().join("ann.json");
    let (_, records) = load(&[millbrook()]);
    let flagged: Vec<RecordId> = records
        .iter()
        .filter(|r| !r.flags.is_empty())
        .map(|r| r.id)
        .collect();
    let real = &flagged[..3];
    let n = large_file(&ann, real, None);
    let before = std::fs::read(&ann).unwrap();

    let mut s = session(&ann, dir.path());
    assert!(
        s.app.annotations_loading,
        "the file is read on another thread"
    );
    assert!(s.app.store.is_placeholder() && s.app.store.is_empty());
    // A verdict before the file is in is refused, and nothing is written.
    s.keys("y");
    assert!(
        s.app
            .message
            .as_ref()
            .unwrap()
            .text
            .contains("still being read")
    );
    assert_eq!(std::fs::read(&ann).unwrap(), before);
    assert!(!journal::path(&ann).exists());

    s.finish_loading();
    assert!(!s.app.annotations_loading);
    assert_eq!(s.app.store.len(), n);
    let row = |id: RecordId| s.app.ds.ids.iter().position(|&x| x == id).unwrap() as u32;
    for &id in real {
        assert_eq!(
            s.app.verdict_code(row(id)),
            VerdictCode::new(Some(Verdict::Immigration), false),
            "the file's verdicts reach the records"
        );
    }
    // Now verdicts work, and go to the journal (the file is large).
    let target = s.app.selected().unwrap();
    s.keys("n");
    let id = s.app.ds.ids[target as usize];
    assert_eq!(
        s.app.store.get(id).unwrap().verdict,
        Some(Verdict::NotImmigration)
    );
    assert!(journal::path(&ann).exists());
    let on_disk = alpr_triage::store::read_document(&ann).unwrap();
    assert!(
        on_disk
            .annotations
            .iter()
            .any(|a| a.record_id == id && a.verdict == Some(Verdict::NotImmigration))
    );
    // Quitting folds the journal into the file.
    s.keys("q");
    assert!(s.app.quit);
    assert!(!journal::path(&ann).exists());
}

#[test]
fn where_the_reviewer_left_off_is_restored_once_the_file_is_in() {
    let dir = tempfile::tempdir().unwrap();
    let ann = dir.path().join("ann.json");
    let state = SessionState {
        filter: "reason:hsi".into(),
        ..SessionState::default()
    };
    large_file(&ann, &[], Some(state));
    let mut s = session(&ann, dir.path());
    s.finish_loading();
    assert_eq!(s.app.filter_text, "reason:hsi");
}

#[test]
fn a_large_file_found_damaged_ends_the_session_and_is_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let ann = dir.path().join("ann.json");
    large_file(&ann, &[], None);
    let mut bytes = std::fs::read(&ann).unwrap();
    bytes.truncate(bytes.len() - 200);
    std::fs::write(&ann, &bytes).unwrap();
    let mut s = session(&ann, dir.path());
    s.finish_loading();
    let e = s.fatal.as_ref().expect("the error").to_string();
    assert!(e.contains("damaged") && e.contains("ann.json"), "{e}");
    assert!(s.app.quit);
    s.keys("q");
    assert_eq!(std::fs::read(&ann).unwrap(), bytes, "left untouched");
    assert!(!journal::path(&ann).exists());
}
