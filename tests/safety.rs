//! Annotation safety: damaged, foreign and newer files, unwritable places, a full disk, a second
//! instance, a stale lock — each with its message checked.

mod common;

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use alpr_triage::app::{Action, Mode, SaveState};
use alpr_triage::commands::review::TuiOptions;
use alpr_triage::store::Store;
use alpr_triage::tui::{SAVE_RETRY, Session, StartError};

use common::fixture;

fn opts(ann: &Path, dir: &Path) -> TuiOptions {
    TuiOptions {
        paths: vec![fixture(
            "10_1_2025-10_31_2025-Millbrook TX PD-Network-Audit.csv",
        )],
        annotations: Some(ann.to_path_buf()),
        reviewer: Some("ana".into()),
        config: Some(dir.join("none.toml")),
        ..TuiOptions::default()
    }
}

fn start(ann: &Path, dir: &Path) -> Result<Session, StartError> {
    let mut s = Session::new(&opts(ann, dir))?;
    s.dispatch(Action::Resize(100, 30));
    s.finish_loading();
    Ok(s)
}

fn err(ann: &Path, dir: &Path) -> String {
    match start(ann, dir) {
        Ok(_) => panic!("{} opened", ann.display()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn damaged_foreign_and_newer_files_are_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let ann = dir.path().join("ann.json");
    for (content, expect) in [
        (
            "{\"version\": 1, \"annotations\": [{\"record_id\": \"",
            "damaged",
        ),
        ("", "damaged"),
        ("{\"rows\": []}", "not an alpr-triage annotation file"),
        (
            "{\"version\": 2, \"annotations\": []}",
            "version 2 is newer than this alpr-triage reads",
        ),
    ] {
        std::fs::write(&ann, content).unwrap();
        let e = err(&ann, dir.path());
        assert!(
            e.contains(expect) && e.contains("ann.json"),
            "{content:?}: {e}"
        );
        assert!(e.contains("--annotations"), "says the way out: {e}");
        assert_eq!(
            std::fs::read_to_string(&ann).unwrap(),
            content,
            "never overwritten"
        );
    }
}

#[test]
fn a_second_instance_is_refused_and_a_stale_lock_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let ann = dir.path().join("ann.json");
    let first = start(&ann, dir.path()).unwrap();
    let e = err(&ann, dir.path());
    assert!(
        e.contains("already open in another alpr-triage") && e.contains("pid"),
        "{e}"
    );
    // The real binary says the same and exits without touching the screen.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_alpr-triage"))
        .args([
            fixture("overlap-a.csv").to_str().unwrap(),
            "--annotations",
            ann.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already open in another alpr-triage"));
    drop(first);
    // A crash leaves the lock file's note behind but no OS lock: the next start goes ahead.
    std::fs::write(
        alpr_triage::store::lock::lock_path(&ann),
        "pid 999999 on elsewhere since 2026-01-01T00:00:00Z",
    )
    .unwrap();
    let s = start(&ann, dir.path()).unwrap();
    assert!(
        s.app
            .config_warnings
            .iter()
            .any(|w| w.contains("stale lock") && w.contains("999999")),
        "{:?}",
        s.app.config_warnings
    );
}

#[test]
fn an_unwritable_place_is_a_clear_error_at_start() {
    let dir = tempfile::tempdir().unwrap();
    // /proc refuses new files even to root: a read-only directory that works in any test.
    let ann = PathBuf::from("/proc/alpr-triage-test/ann.json");
    let e = err(&ann, dir.path());
    assert!(
        e.contains("/proc/alpr-triage-test/ann.json") && e.contains("cannot lock"),
        "{e}"
    );
}

#[test]
fn a_full_disk_shows_unsaved_changes_retries_and_asks_before_quitting() {
    let dir = tempfile::tempdir().unwrap();
    let ann = dir.path().join("ann.json");
    let mut s = start(&ann, dir.path()).unwrap();
    s.keys("y");
    assert!(matches!(s.app.save, SaveState::Saved(_)));
    s.app
        .store
        .simulate_save_failure(Some(ErrorKind::StorageFull));
    s.keys("n");
    match &s.app.save {
        SaveState::Failed { unsaved, error } => {
            assert_eq!(*unsaved, 1);
            assert!(error.contains("ann.json"), "{error}");
        }
        other => panic!("{other:?}"),
    }
    let msg = s.app.message.clone().unwrap();
    assert!(
        msg.error && msg.text.contains("NOT SAVED (1 change only in memory)"),
        "{msg:?}"
    );
    s.keys("m");
    assert!(matches!(s.app.save, SaveState::Failed { unsaved: 2, .. }));
    assert_eq!(
        Store::open(&ann).unwrap().len(),
        1,
        "the file still holds the last good save"
    );
    // Quitting asks first; no keeps the session.
    s.keys("q");
    assert!(matches!(s.app.mode, Mode::ConfirmQuit { unsaved: 2 }));
    s.keys("n");
    assert!(matches!(s.app.mode, Mode::Normal) && !s.app.quit);
    // Space comes back: the periodic retry saves everything.
    s.app.store.simulate_save_failure(None);
    assert!(
        !s.retry_save(Instant::now()),
        "not before the retry interval"
    );
    assert!(s.retry_save(Instant::now() + SAVE_RETRY + Duration::from_millis(10)));
    assert!(matches!(s.app.save, SaveState::Saved(_)));
    assert_eq!(Store::open(&ann).unwrap().len(), 3);
    // And the previous version was kept as a backup.
    let bak = alpr_triage::store::backup_path(&ann);
    assert_eq!(
        Store::open(&bak).unwrap().len(),
        1,
        "FILE.bak is the version before the last save"
    );
    s.keys("q");
    assert!(s.app.quit);
}

#[test]
fn quitting_anyway_with_unsaved_changes_is_possible() {
    let dir = tempfile::tempdir().unwrap();
    let ann = dir.path().join("ann.json");
    let mut s = start(&ann, dir.path()).unwrap();
    s.app
        .store
        .simulate_save_failure(Some(ErrorKind::PermissionDenied));
    s.keys("y");
    assert!(matches!(s.app.save, SaveState::Failed { .. }));
    s.keys("qy");
    assert!(s.app.quit);
    assert!(!ann.exists());
}

/// An annotation path that is a symbolic link is followed: its target is locked and saved (the
/// link stays a link), so a second instance opened by the target's own path is refused.
#[test]
fn an_annotation_link_locks_and_saves_its_target() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.json");
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    // A link to nothing yet: refused, nothing created.
    let e = err(&link, dir.path());
    assert!(e.contains("symbolic link to nothing"), "{e}");
    assert!(!real.exists());
    std::fs::write(&real, "{\"version\": 1, \"annotations\": []}").unwrap();
    let mut first = start(&link, dir.path()).unwrap();
    let e = err(&real, dir.path());
    assert!(e.contains("already open in another alpr-triage"), "{e}");
    first.keys("y");
    assert!(matches!(first.app.save, SaveState::Saved(_)));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link is still a link"
    );
    assert_eq!(Store::open(&real).unwrap().len(), 1);
}

/// The backup is owner-only even when the annotation file was readable by others, and what an
/// interrupted save left (`FILE.bak.tmp`, temporary files) is removed at the next start.
#[test]
fn backups_are_private_and_leftovers_of_a_failed_save_go() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let ann = dir.path().join("ann.json");
    std::fs::write(&ann, "{\"version\": 1, \"annotations\": []}").unwrap();
    std::fs::set_permissions(&ann, std::fs::Permissions::from_mode(0o644)).unwrap();
    let bak_tmp = dir.path().join("ann.json.bak.tmp");
    let temp = dir.path().join(".ann.json.999999999-Ab12.tmp");
    std::fs::write(&bak_tmp, "half a backup").unwrap();
    std::fs::write(&temp, "half a save").unwrap();
    let mut s = start(&ann, dir.path()).unwrap();
    assert!(
        !bak_tmp.exists() && !temp.exists(),
        "leftovers removed at start"
    );
    s.keys("y");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir.path().join("ann.json.bak")), 0o600);
    assert_eq!(mode(&ann), 0o600);
}
