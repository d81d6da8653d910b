//! The review loop as reviewers use it: no verdict nobody meant, filters that do what was
//! typed, resuming where the last session stopped, progress that counts every verdict, keys
//! from the keymap in force, naming a file's agency. Key strings through the real keymap →
//! update → effects path, on a Session without a terminal.

mod common;

use alpr_triage::app::{Action, Mode};
use alpr_triage::keymap::parse_keys;
use alpr_triage::model::Verdict;
use alpr_triage::store::Store;
use alpr_triage::tui::Session;

use common::{ReviewEnv, fixture, millbrook, sample_millbrook};

fn reason(s: &Session) -> String {
    s.app
        .selected()
        .map(|r| s.app.ds.reason_text(r).to_string())
        .unwrap_or_default()
}

fn message(s: &Session) -> String {
    s.app
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

#[test]
fn next_and_previous_undecided_skip_the_records_with_a_verdict() {
    let e = ReviewEnv::new();
    let mut s = e.session(&[sample_millbrook()]);
    // Verdicts on records 0, 1 and 3; advance moves on, so go back by hand.
    s.keys("y");
    s.keys("gjy");
    s.keys("gjjjyg");
    let undecided = |s: &Session, i: usize| !s.app.verdict_code(s.app.shown()[i]).is_decided();
    s.keys("]");
    assert_eq!(s.app.view.cursor, 2, "0 and 1 have verdicts");
    assert!(undecided(&s, 2));
    s.keys("]");
    assert_eq!(s.app.view.cursor, 4, "3 has one");
    s.keys("[");
    assert_eq!(s.app.view.cursor, 2);
    s.keys("[");
    let last = s.app.shown().len() - 1;
    assert_eq!(s.app.view.cursor, last, "round the start");
    assert!(message(&s).contains("round"), "{}", message(&s));
}

#[test]
fn find_moves_to_matches_highlights_them_and_leaves_the_filter_alone() {
    let e = ReviewEnv::new();
    let mut s = e.session(&[sample_millbrook()]);
    let shown = s.app.shown().len();
    s.keys("fdetainer");
    assert!(matches!(s.app.mode, Mode::Find { .. }));
    assert!(
        reason(&s).to_lowercase().contains("detainer"),
        "{}",
        reason(&s)
    );
    s.keys("<enter>");
    assert_eq!(s.app.shown().len(), shown, "find does not filter");
    let first = s.app.view.cursor;
    s.keys("<c-n>");
    assert!(s.app.view.cursor > first);
    assert!(reason(&s).to_lowercase().contains("detainer"));
    s.keys("<c-p>");
    assert_eq!(s.app.view.cursor, first);
    let f = s.app.find.as_ref().unwrap();
    assert_eq!(
        f.spans("ICE Detainer"),
        [(4, 12)],
        "any case, highlighted where found"
    );
    // n is still a verdict, not "next match".
    s.keys("n");
    assert_eq!(
        s.app
            .annotation(s.app.shown()[first])
            .and_then(|a| a.verdict),
        Some(Verdict::NotImmigration)
    );
    // Esc in the prompt restores the search and the cursor from before.
    let at = s.app.view.cursor;
    s.keys("fzzzz-not-there");
    assert!(message(&s).contains("not in the records shown"));
    s.keys("<esc>");
    assert_eq!(s.app.view.cursor, at);
    assert_eq!(s.app.find.as_ref().unwrap().text, "detainer");
}

/// A query that does not parse is never applied, not even the part of it that parsed.
#[test]
fn enter_on_a_bad_query_keeps_the_line_open() {
    let e = ReviewEnv::new();
    let mut s = e.session(&[sample_millbrook()]);
    s.keys("/agency:millbrook<enter>");
    let good = s.app.shown().to_vec();
    for bad in ["foo:bar", "agency:\"Palm", "date:2025-11-22..2025-11-20"] {
        s.keys(&format!("/<c-u>{bad}<enter>"));
        assert!(
            matches!(s.app.mode, Mode::Filter { .. }),
            "{bad}: the line stays open"
        );
        assert!(
            message(&s).starts_with("filter: "),
            "{bad}: {}",
            message(&s)
        );
        s.keys("<esc>");
        assert_eq!(s.app.filter_text, "agency:millbrook", "{bad}");
        assert_eq!(s.app.shown(), good, "{bad}");
    }
}

/// After a filter or a picker choice the cursor is on the first record; a key pressed while a
/// sort is being applied is not lost.
#[test]
fn the_cursor_goes_to_the_top_after_a_filter_and_keys_during_a_sort_count() {
    let e = ReviewEnv::new();
    let mut s = e.session(&[sample_millbrook()]);
    s.keys("tG");
    assert!(s.app.view.cursor > 1000);
    s.keys("/agency:millbrook<enter>");
    assert_eq!(s.app.view.cursor, 0, "top after a filter");
    s.keys("Ga<enter>");
    assert_eq!(s.app.view.cursor, 0, "top after a picker choice");
    // g, j×5, S and g sent without waiting for the sort: the last g wins.
    s.keys("t");
    s.keys("gjjjjj");
    for ev in parse_keys("Sg") {
        s.key(&ev);
    }
    s.settle();
    assert_eq!(s.app.view.cursor, 0, "g after S is not lost");
    // A sort keeps the selected record selected.
    s.keys("jjj");
    let id = s.app.ds.ids[s.app.selected().unwrap() as usize];
    s.keys("s");
    assert_eq!(s.app.ds.ids[s.app.selected().unwrap() as usize], id);
}

#[test]
fn an_empty_flagged_view_says_how_many_match_among_all_records() {
    let e = ReviewEnv::new();
    let mut s = e.session(&[millbrook()]);
    s.keys("/reason:niceville<enter>");
    assert!(s.app.shown().is_empty());
    assert_eq!(s.app.elsewhere, Some(1));
    s.keys("t");
    assert_eq!(s.app.shown().len(), 1, "t shows it");
}

/// Reopening goes back to the filter, sort and record the reviewer left, so the first key
/// never changes an old verdict by accident; a record no longer there gives way to the first
/// one without a verdict.
#[test]
fn reopening_resumes_where_the_reviewer_left_off() {
    let e = ReviewEnv::new();
    let mut s = e.session(&[sample_millbrook()]);
    s.keys("/agency:millbrook<enter>s");
    s.keys("yyy");
    let here = s.app.ds.ids[s.app.selected().unwrap() as usize];
    assert!(!s.app.verdict_code(s.app.selected().unwrap()).is_decided());
    let sort = s.app.sort;
    s.dispatch(Action::Quit);
    drop(s);
    let s = e.session(&[sample_millbrook()]);
    assert_eq!(s.app.filter_text, "agency:millbrook");
    assert_eq!(s.app.sort, sort);
    assert_eq!(s.app.ds.ids[s.app.selected().unwrap() as usize], here);
    assert!(message(&s).starts_with("resumed: 3 of "), "{}", message(&s));
    // A session killed after its last verdict resumes past it too (the position is saved with
    // every verdict); a record that is gone gives way to the first undecided one.
    drop(s);
    let mut store = Store::open(&e.annotations).unwrap();
    let mut state = store.session.clone().unwrap();
    state.record_id = Some(alpr_triage::model::RecordId::from_key(b"gone"));
    store.session = Some(state);
    store.save().unwrap();
    drop(store);
    let s = e.session(&[sample_millbrook()]);
    assert!(!s.app.verdict_code(s.app.selected().unwrap()).is_decided());
    assert_eq!(
        s.app.view.cursor, 0,
        "the first undecided record of the view"
    );
}

/// Reviewed counts cover every verdict, flagged or not, for the filter in force and for all
/// records; `export --only unreviewed` counts the same way.
#[test]
fn counts_by_verdict_cover_unflagged_records() {
    let e = ReviewEnv::new();
    let mut s = e.session(&[millbrook()]);
    s.keys("t/reason:niceville<enter>y");
    assert_eq!(s.app.counts.shown, [0, 1, 0, 0]);
    assert_eq!(s.app.counts.all, [3, 1, 0, 0]);
    s.keys("/<c-u><enter>");
    assert_eq!(s.app.counts.shown, [3, 1, 0, 0]);
    drop(s);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_alpr-triage"))
        .args([
            "export",
            millbrook().to_str().unwrap(),
            "--only",
            "unreviewed",
            "--format",
            "jsonl",
            "--annotations",
            e.annotations.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 3);
}

/// Keys rebound in the config show as rebound in hints, help and the detail pane.
#[test]
fn rebound_keys_show_everywhere() {
    let e = ReviewEnv::new();
    std::fs::write(
        &e.config,
        "[keys]\nverdict-immigration = \"i\"\nundo = \"z\"\nnext-undecided = \"tab\"\n",
    )
    .unwrap();
    let mut s = e.session(&[millbrook()]);
    let hints: Vec<String> = s
        .app
        .key_help
        .hints(alpr_triage::keymap::KeyMode::Normal)
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert!(hints.contains(&"i".to_string()) && !hints.contains(&"y".to_string()));
    let help: Vec<String> = alpr_triage::app::help::lines(&s.app.key_help)
        .into_iter()
        .map(|l| format!("{l:?}"))
        .collect();
    assert!(help[1].contains("i immigration"), "{}", help[1]);
    assert!(help[2].contains("tab / ["), "{}", help[2]);
    let text = common::screen(&s, 100, 30);
    assert!(text.contains("no verdict yet — i immigration"), "{text}");
    s.keys("i");
    assert!(message(&s).contains("immigration"));
    s.keys("<esc>Y");
    s.keys("<esc>");
    s.keys("Y");
    s.keys("m");
    assert!(message(&s).contains("z undoes"), "{}", message(&s));
}

#[test]
fn help_scrolls_to_its_end_and_no_further() {
    let e = ReviewEnv::new();
    let mut s = e.session(&[millbrook()]);
    s.dispatch(Action::Resize(80, 24));
    s.keys("?G");
    let end = match s.app.mode {
        Mode::Help { scroll } => scroll,
        _ => panic!("no help"),
    };
    let lines = alpr_triage::app::help::lines(&s.app.key_help).len();
    assert_eq!(usize::from(end), lines - 20, "the last page");
    s.keys("jjj<pgdn>");
    assert!(matches!(s.app.mode, Mode::Help { scroll } if scroll == end));
}

/// A file that names no agency can be named from the review UI: the name is kept in the
/// annotation file, the records take it, and rules on agency names apply to it.
#[test]
fn naming_a_files_agency_in_the_ui() {
    let e = ReviewEnv::new();
    let portal = fixture("portal-networkcount.csv");
    let mut s = e.session(std::slice::from_ref(&portal));
    s.keys("t");
    assert_eq!(s.app.ds.agency_text(s.app.selected().unwrap()), "unknown");
    let flagged_before = s.app.ds.flagged_count();
    s.keys("A");
    assert!(matches!(s.app.mode, Mode::NameAgency { .. }));
    s.keys("US Border Patrol<enter>");
    s.finish_loading();
    let row = s.app.selected().unwrap();
    assert_eq!(s.app.ds.agency_text(row), "US Border Patrol");
    assert!(
        s.app.ds.flagged_count() > flagged_before,
        "the agency rule now flags its records"
    );
    let store = Store::open(&e.annotations).unwrap();
    assert_eq!(store.agencies.len(), 1);
    assert_eq!(store.agencies[0].agency, "US Border Patrol");
    assert_eq!(store.agencies[0].named_by, "ana");
    drop(s);
    let s = e.session(&[portal]);
    assert_eq!(
        s.app.ds.agency_text(s.app.shown()[0]),
        "US Border Patrol",
        "named again at the next start"
    );
    drop(s);
    // A file that names its agency itself (here in its name and its Org Name column) is not
    // renamed by hand.
    let mut s = e.session(&[millbrook()]);
    s.keys("A");
    assert!(matches!(s.app.mode, Mode::Normal));
    assert!(
        message(&s).contains("names its agency itself"),
        "{}",
        message(&s)
    );
}

#[test]
fn bare_words_say_the_rows_are_ordered_by_match() {
    let e = ReviewEnv::new();
    let mut s = e.session(&[sample_millbrook()]);
    s.keys("/ice<enter>");
    assert!(s.app.effective_query().has_fuzzy());
    let text = common::screen(&s, 120, 30);
    let top = text.lines().next().unwrap();
    assert!(top.contains("sort match (best first)"), "{top}");
}
