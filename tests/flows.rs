//! Key-driven flows through the real keymap → update → effects path, on a Session without a
//! terminal.

mod common;

use alpr_triage::app::{Mode, SaveState};
use alpr_triage::model::Verdict;
use alpr_triage::store::Store;
use alpr_triage::tui::Session;

use common::{ReviewEnv, fixture, millbrook, sample_millbrook};

fn shown_reasons(s: &Session) -> Vec<String> {
    s.app
        .shown()
        .iter()
        .map(|&r| s.app.ds.reason_text(r).to_string())
        .collect()
}

#[test]
fn starts_on_flagged_records_and_toggles_to_all() {
    let e = ReviewEnv::new();
    let mut s = e.session(&[millbrook()]);
    assert_eq!(s.app.shown().len(), 3);
    assert_eq!(s.app.query_description(), "flagged:yes");
    s.keys("t");
    assert_eq!(s.app.shown().len(), 4);
    s.keys("t");
    assert_eq!(s.app.shown().len(), 3);
    // An explicit flagged: term replaces the start view.
    s.keys("/flagged:no<enter>");
    assert_eq!(shown_reasons(&s), ["Niceville accomplice notice"]);
}

#[test]
fn filter_by_agency_reason_and_date_as_you_type() {
    let e = ReviewEnv::new();
    let mut s = e.session(&[sample_millbrook()]);
    let flagged = s.app.shown().len();
    assert!(flagged > 100, "{flagged}");
    s.keys("/agency:\"Millbrook TX PD\"");
    let n_agency = s.app.shown().len();
    assert!(n_agency < flagged && n_agency > 0);
    assert!(
        s.app
            .shown()
            .iter()
            .all(|&r| s.app.ds.agency_text(r).contains("Millbrook"))
    );
    s.keys(" date:2025-02");
    let feb = s.app.shown().to_vec();
    assert!(!feb.is_empty() && feb.len() < n_agency);
    for &r in &feb {
        let t = alpr_triage::ingest::time::format_rfc3339(s.app.ds.time[r as usize]);
        assert!(t.starts_with("2025-02"), "{t}");
    }
    // Typing a bad term keeps the last good filter (here: up to the bare word "colour") and
    // says what is wrong.
    s.keys(" colour:red");
    assert_eq!(
        s.app.filter_text,
        "agency:\"Millbrook TX PD\" date:2025-02 colour"
    );
    let msg = s.app.message.clone().unwrap();
    assert!(
        msg.error && msg.text.contains("unknown filter colour:"),
        "{msg:?}"
    );
    // Esc restores the filter from before the line was opened.
    s.keys("<esc>");
    assert!(matches!(s.app.mode, Mode::Normal));
    assert_eq!(s.app.shown().len(), flagged);
    // Enter keeps it; negation and reason substring.
    s.keys("/<c-u>reason:ice -reason:hold<enter>");
    assert!(!s.app.shown().is_empty());
    for r in shown_reasons(&s) {
        assert!(
            r.to_lowercase().contains("ice") && !r.to_lowercase().contains("hold"),
            "{r}"
        );
    }
    assert_eq!(s.app.filter_text, "reason:ice -reason:hold");
}

#[test]
fn fuzzy_words_rank_best_first_and_rules_filter() {
    let e = ReviewEnv::new();
    let mut s = e.session(&[sample_millbrook()]);
    s.keys("/deport<enter>");
    let first = shown_reasons(&s)[0].clone();
    assert!(first.to_lowercase().contains("deport"), "{first}");
    s.keys("/<c-u>rule:agency-border-patrol<enter>");
    assert!(!s.app.shown().is_empty());
    assert!(
        s.app
            .shown()
            .iter()
            .all(|&r| s.app.ds.agency_text(r).contains("Border Patrol"))
    );
}

#[test]
fn agency_picker_filters_to_one_agency() {
    let e = ReviewEnv::new();
    let mut s = e.session(&[sample_millbrook()]);
    s.keys("a");
    let Mode::Picker(p) = &s.app.mode else {
        panic!("no picker")
    };
    assert!(
        p.agencies.len() > 40,
        "about 50 agencies: {}",
        p.agencies.len()
    );
    s.keys("bordr<enter>");
    assert!(matches!(s.app.mode, Mode::Normal));
    assert!(
        s.app
            .filter_text
            .contains("agency:=\"[Federal] US Border Patrol [Inactive]\""),
        "{}",
        s.app.filter_text
    );
    assert!(
        s.app
            .shown()
            .iter()
            .all(|&r| s.app.ds.agency_text(r) == "[Federal] US Border Patrol [Inactive]")
    );
}

#[test]
fn verdicts_notes_undo_redo_and_saves() {
    let e = ReviewEnv::new();
    let mut s = e.session(&[millbrook()]);
    let first = s.app.selected().unwrap();
    let id = s.app.ds.ids[first as usize];
    s.keys("y");
    assert!(matches!(s.app.save, SaveState::Saved(_)));
    let on_disk = Store::open(&e.annotations).unwrap();
    let a = on_disk.get(id).unwrap();
    assert_eq!(a.verdict, Some(Verdict::Immigration));
    assert_eq!(a.reviewer, "ana");
    assert_eq!(a.query, "flagged:yes");
    assert!(a.record.sources.texts()[0].contains("Millbrook"));
    // The cursor went on to the next unreviewed record.
    assert_ne!(s.app.selected(), Some(first));
    s.keys("k");
    assert_eq!(s.app.selected(), Some(first));
    s.keys("eICE ERO per case file<enter>second line<c-s>");
    let on_disk = Store::open(&e.annotations).unwrap();
    assert_eq!(
        on_disk.get(id).unwrap().note,
        "ICE ERO per case file\nsecond line"
    );
    assert_eq!(
        on_disk.get(id).unwrap().verdict,
        Some(Verdict::Immigration),
        "a note keeps the verdict"
    );
    s.keys("n");
    assert_eq!(
        Store::open(&e.annotations)
            .unwrap()
            .get(id)
            .unwrap()
            .verdict,
        Some(Verdict::NotImmigration)
    );
    s.keys("u");
    assert_eq!(
        Store::open(&e.annotations)
            .unwrap()
            .get(id)
            .unwrap()
            .verdict,
        Some(Verdict::Immigration)
    );
    s.keys("<c-r>");
    assert_eq!(
        Store::open(&e.annotations)
            .unwrap()
            .get(id)
            .unwrap()
            .verdict,
        Some(Verdict::NotImmigration)
    );
    // Backspace clears the verdict; the note stays.
    s.keys("g<bs>");
    let a = Store::open(&e.annotations)
        .unwrap()
        .get(id)
        .cloned()
        .unwrap();
    assert_eq!(a.verdict, None);
    assert!(a.note.starts_with("ICE ERO"));
    // Esc in the note editor changes nothing.
    s.keys("echanged<esc>");
    assert!(
        Store::open(&e.annotations)
            .unwrap()
            .get(id)
            .unwrap()
            .note
            .starts_with("ICE ERO")
    );
}

/// A bulk verdict says how many records already have one, changes only the undecided ones
/// unless told to overwrite, and is never confirmed by Enter alone.
#[test]
fn bulk_verdict_asks_with_the_count_and_undoes_as_one_step() {
    let e = ReviewEnv::new();
    let mut s = e.session(&[sample_millbrook()]);
    s.keys("t/reason:\"possession of ice\"<enter>");
    let n = s.app.shown().len();
    assert!(n > 2, "{n}");
    let first = s.app.ds.ids[s.app.shown()[0] as usize];
    s.keys("gy");
    s.keys("N");
    match &s.app.mode {
        Mode::Confirm {
            count,
            verdict,
            decided,
        } => {
            assert_eq!((*count, *decided), (n, 1));
            assert_eq!(*verdict, Verdict::NotImmigration);
        }
        other => panic!("no prompt: {other:?}"),
    }
    // Enter alone does not confirm a change of many records.
    s.keys("<enter>");
    assert!(matches!(s.app.mode, Mode::Confirm { .. }));
    assert_eq!(Store::open(&e.annotations).unwrap().len(), 1);
    assert!(
        s.app
            .message
            .as_ref()
            .unwrap()
            .text
            .contains("needs its own key")
    );
    // m: only the undecided ones; the verdict given one by one stays.
    s.keys("m");
    let store = Store::open(&e.annotations).unwrap();
    assert_eq!(store.len(), n);
    assert_eq!(
        store.get(first).unwrap().verdict,
        Some(Verdict::Immigration)
    );
    assert_eq!(s.app.counts.shown, [0, 1, n - 1, 0], "the counts follow");
    s.keys("u");
    assert_eq!(
        Store::open(&e.annotations).unwrap().len(),
        1,
        "one undo step"
    );
    // o: all of them, overwriting.
    s.keys("No");
    let store = Store::open(&e.annotations).unwrap();
    assert_eq!(
        store.get(first).unwrap().verdict,
        Some(Verdict::NotImmigration)
    );
    assert_eq!(s.app.counts.shown, [0, 0, n, 0]);
    s.keys("u");
    assert_eq!(
        Store::open(&e.annotations)
            .unwrap()
            .get(first)
            .unwrap()
            .verdict,
        Some(Verdict::Immigration),
        "undo gives back the overwritten verdict"
    );
    s.keys("Y<esc>");
    assert_eq!(Store::open(&e.annotations).unwrap().len(), 1, "esc cancels");
    // A single record may be confirmed with enter.
    s.keys("/reason:\"possession of ice\" -verdict:reviewed<enter>");
    s.keys("/<c-u>verdict:reviewed<enter>N<enter>");
    assert_eq!(
        Store::open(&e.annotations)
            .unwrap()
            .get(first)
            .unwrap()
            .verdict,
        Some(Verdict::NotImmigration)
    );
}

#[test]
fn verdict_none_is_a_work_queue() {
    let e = ReviewEnv::new();
    let mut s = e.session(&[sample_millbrook()]);
    s.keys("/verdict:none<enter>");
    let before = s.app.shown().len();
    let second = s.app.shown()[1];
    s.keys("y");
    assert_eq!(s.app.shown().len(), before - 1);
    assert_eq!(
        s.app.selected(),
        Some(second),
        "the next record takes its place"
    );
}

#[test]
fn reopening_restores_verdicts_even_after_renames_and_new_releases() {
    let e = ReviewEnv::new();
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("release-1.csv");
    std::fs::copy(fixture("overlap-a.csv"), &a).unwrap();
    let mut s = e.session(std::slice::from_ref(&a));
    s.keys("yn");
    drop(s);
    // Renamed, and joined by a newer overlapping release with reordered columns.
    let renamed = dir.path().join("renamed.csv");
    std::fs::rename(&a, &renamed).unwrap();
    let s = e.session(&[fixture("overlap-b.csv"), renamed]);
    let store = &s.app.store;
    assert_eq!(
        store.len(),
        1,
        "only the one flagged record was annotated: y then n on a single record"
    );
    let (reviewed, flagged) = s.app.review_progress();
    assert_eq!((reviewed, flagged), (1, 1));
}

#[test]
fn help_warnings_and_quit() {
    let e = ReviewEnv::new();
    let mut s = e.session(&[fixture("quirk-bad-rows.csv")]);
    s.keys("?");
    assert!(matches!(s.app.mode, Mode::Help { .. }));
    s.keys("<esc>w");
    assert!(matches!(s.app.mode, Mode::Warnings { .. }));
    assert!(
        s.app
            .warning_lines()
            .iter()
            .any(|l| l.contains("quirk-bad-rows.csv:3:"))
    );
    s.keys("q");
    assert!(matches!(s.app.mode, Mode::Normal));
    s.keys("q");
    assert!(s.app.quit);
}

#[test]
fn bad_config_is_a_warning_and_keys_rebind() {
    let e = ReviewEnv::new();
    std::fs::write(&e.config, "[keys]\nundo = \"z\"\nfly = \"f\"\n").unwrap();
    let mut s = e.session(&[millbrook()]);
    assert!(s.app.config_warnings.iter().any(|w| w.contains("keys.fly")));
    s.keys("yz");
    assert_eq!(
        Store::open(&e.annotations).unwrap().len(),
        0,
        "z undid the verdict"
    );
    std::fs::write(&e.config, "this is not toml = = =").unwrap();
    drop(s);
    let s = e.session(&[millbrook()]);
    assert!(
        s.app.config_warnings[0].contains("config.toml:1: not valid TOML"),
        "{:?}",
        s.app.config_warnings
    );
}

#[test]
fn detail_shows_every_field_and_the_flag_explanation() {
    let e = ReviewEnv::new();
    let mut s = e.session(&[millbrook()]);
    // "HSI narcs" is the record on lines 6–7 of the fixture (its time frame holds a newline).
    s.keys("/reason:narcs<enter>");
    let (row, rec) = s
        .app
        .detail
        .as_ref()
        .map(|(r, d)| (*r, d.as_ref().unwrap().clone()))
        .unwrap();
    assert_eq!(Some(row), s.app.selected());
    assert_eq!(s.app.ds.reason_text(row), "HSI narcs");
    // Every original column, by its header label.
    assert_eq!(rec.columns.len(), 14);
    assert_eq!(common::column(&rec, "Case #").as_deref(), Some("25-10009"));
    assert_eq!(
        common::column(&rec, "License Plate").as_deref(),
        Some("GHI9012")
    );
    // The source is the file and the line the record starts on.
    assert_eq!(rec.sources.len(), 1);
    assert_eq!(
        rec.sources[0].to_string(),
        format!("{}:6", millbrook().display())
    );
    // The pane explains the flag: the rule, its strength, the matched text, what it means and
    // what to check.
    let screen = common::screen(&s, 100, 40);
    let text: Vec<String> = screen.lines().map(|l| l.trim_start().to_string()).collect();
    let rule = s.app.rules.rule(s.app.ds.rule[row as usize]);
    assert_eq!(rule.name, "hsi");
    let flag = text
        .iter()
        .position(|l| l.starts_with("⚑ hsi "))
        .unwrap_or_else(|| panic!("no hsi flag line in {text:#?}"));
    assert!(text[flag].contains("reason: HSI narcs"), "{}", text[flag]);
    assert!(
        text[flag].contains(&format!("[{}", rule.strength.as_str()))
            || text[flag].contains(&format!("≈{}", rule.strength.as_str())),
        "{}",
        text[flag]
    );
    assert_eq!(text[flag + 1], *rule.description);
    let note = rule.note.as_ref().expect("hsi says what to check");
    assert_eq!(text[flag + 2], format!("check: {note}"));
    // Who searched whose data, and why the profile says so.
    assert_eq!(
        text[flag + 3],
        "searcher: TX, local · owner: Millbrook TX PD (TX, from the file name) · same state"
    );
    assert!(
        text[flag + 4].starts_with("profile: state TX from the code in the name"),
        "{}",
        text[flag + 4]
    );
    // Then the fields, read again from the file.
    assert_eq!(text[flag + 5], "");
    assert_eq!(text[flag + 6], "agency: Millbrook TX PD");
    assert_eq!(text[flag + 8], "reason: HSI narcs");
}

#[test]
fn sorting_cycles_and_reverses() {
    let e = ReviewEnv::new();
    let mut s = e.session(&[sample_millbrook()]);
    let times: Vec<i64> = s
        .app
        .shown()
        .iter()
        .map(|&r| s.app.ds.time[r as usize])
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "starts sorted by time"
    );
    s.keys("S");
    let times: Vec<i64> = s
        .app
        .shown()
        .iter()
        .map(|&r| s.app.ds.time[r as usize])
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "reversed");
    s.keys("s");
    assert_eq!(s.app.sort.0, alpr_triage::app::SortKey::Agency);
    let agencies: Vec<String> = s
        .app
        .shown()
        .iter()
        .map(|&r| s.app.ds.agency_text(r).to_lowercase())
        .collect();
    assert!(agencies.windows(2).all(|w| w[0] <= w[1]), "by agency");
    s.keys("s");
    let reasons = shown_reasons(&s);
    let lower: Vec<String> = reasons.iter().map(|r| r.to_lowercase()).collect();
    assert!(lower.windows(2).all(|w| w[0] <= w[1]), "by reason");
}

#[test]
fn a_sort_is_worked_out_on_another_thread_and_the_table_keeps_its_order_meanwhile() {
    let e = ReviewEnv::new();
    let mut s = e.session(&[sample_millbrook()]);
    let before: Vec<u32> = s.app.shown().to_vec();
    let selected = s.app.selected();
    // One key, without waiting for what it starts.
    for ev in alpr_triage::keymap::parse_keys("s") {
        s.key(&ev);
    }
    assert_eq!(s.app.sort.0, alpr_triage::app::SortKey::Agency);
    assert!(s.app.sorting(), "the agency order is being worked out");
    assert_eq!(
        s.app.shown(),
        &before[..],
        "the table keeps its rows and order"
    );
    // Keys are answered meanwhile.
    for ev in alpr_triage::keymap::parse_keys("j") {
        s.key(&ev);
    }
    assert_ne!(s.app.selected(), selected);
    s.settle();
    assert!(!s.app.sorting());
    let agencies: Vec<String> = s
        .app
        .shown()
        .iter()
        .map(|&r| s.app.ds.agency_text(r).to_lowercase())
        .collect();
    assert!(agencies.windows(2).all(|w| w[0] <= w[1]), "by agency");
    // An order worked out once is kept: back to it, no wait.
    s.keys("ssssss");
    assert_eq!(s.app.sort.0, alpr_triage::app::SortKey::Agency);
    for ev in alpr_triage::keymap::parse_keys("ssssss") {
        s.key(&ev);
    }
    assert!(!s.app.sorting(), "every order is known now");
}

#[test]
fn mouse_wheel_scrolls_and_a_click_selects() {
    use alpr_triage::app::Action;
    let e = ReviewEnv::new();
    let mut s = e.session(&[sample_millbrook()]);
    s.dispatch(Action::Scroll(3));
    assert_eq!(s.app.view.cursor, 3);
    s.dispatch(Action::Scroll(-3));
    assert_eq!(s.app.view.cursor, 0);
    let l = alpr_triage::app::layout::Layout::compute(100, 30);
    s.dispatch(Action::Click(l.table.1 + 2 + 4));
    assert_eq!(s.app.view.cursor, 4);
    s.dispatch(Action::Click(0));
    assert_eq!(
        s.app.view.cursor, 4,
        "a click outside the table changes nothing"
    );
}

#[test]
fn advance_after_verdict_is_configurable() {
    let e = ReviewEnv::new();
    std::fs::write(&e.config, "advance = \"stay\"\n").unwrap();
    let mut s = e.session(&[sample_millbrook()]);
    let first = s.app.selected();
    s.keys("y");
    assert_eq!(s.app.selected(), first);
    std::fs::write(&e.config, "advance = \"next\"\n").unwrap();
    drop(s);
    let mut s = e.session(&[sample_millbrook()]);
    // The first record is reviewed now; "next" moves one down anyway.
    s.keys("y");
    assert_eq!(s.app.view.cursor, 1);
    // The default skips reviewed records.
    std::fs::remove_file(&e.config).unwrap();
    drop(s);
    let mut s = e.session(&[sample_millbrook()]);
    s.keys("gjy");
    assert_eq!(s.app.view.cursor, 2);
    s.keys("gm");
    assert_eq!(
        s.app.view.cursor, 2,
        "records 0 and 1 are reviewed: the next unreviewed is 2"
    );
}

#[test]
fn export_dialog_writes_the_current_filter_with_a_manifest() {
    let e = ReviewEnv::new();
    let mut s = e.session(&[millbrook()]);
    s.keys("y");
    let out = e.annotations.with_file_name("from-ui.csv");
    s.keys("x");
    assert!(matches!(s.app.mode, Mode::Export(_)));
    s.keys(&format!("<c-u>{}", out.display()));
    // Format: CSV → JSONL (the extension follows); scope stays "current filter".
    s.keys("<tab><right>");
    let jsonl = out.with_extension("jsonl");
    s.keys("<enter>");
    assert!(matches!(s.app.mode, Mode::Normal));
    // The export is written on its own thread; the UI goes on meanwhile.
    assert!(s.exporting());
    s.keys("j");
    s.finish_export();
    let msg = s.app.message.clone().unwrap();
    assert!(
        !msg.error && msg.text.contains("exported 3 records"),
        "{msg:?}"
    );
    let lines = std::fs::read_to_string(&jsonl).unwrap();
    assert_eq!(lines.lines().count(), 3);
    assert!(lines.contains("\"verdict\":\"immigration\""));
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(alpr_triage::export::manifest::manifest_path(&jsonl)).unwrap(),
    )
    .unwrap();
    assert_eq!(manifest["selection"]["scope"], "current filter");
    assert_eq!(manifest["selection"]["query"], "flagged:yes");
    // An existing file needs a second Enter; all records with redaction this time.
    s.keys(&format!(
        "x<c-u>{}<tab><right><tab><right><tab><right>",
        jsonl.display()
    ));
    s.keys("<enter>");
    assert!(matches!(s.app.mode, Mode::Export(_)));
    assert!(
        s.app
            .message
            .clone()
            .unwrap()
            .text
            .contains("press enter again to replace")
    );
    s.keys("<enter>");
    s.finish_export();
    let msg = s.app.message.clone().unwrap();
    assert!(msg.text.contains("exported 4 records"), "{msg:?}");
    let text = std::fs::read_to_string(&jsonl).unwrap();
    assert!(text.contains("[REDACTED]") && !text.contains("K. Lee"));
}
