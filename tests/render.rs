//! Rendering on ratatui's TestBackend: whole screens as insta snapshots at 80x24 and 160x48,
//! and exact lines for the parts that must say something specific.

mod common;

use std::path::PathBuf;

use alpr_triage::app::Action;
use alpr_triage::commands::review::TuiOptions;
use alpr_triage::tui::Session;
use alpr_triage::ui::{Theme, draw};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use common::fixture;

fn session(paths: &[PathBuf], dir: &tempfile::TempDir, w: u16, h: u16) -> Session {
    let mut s = Session::new(&TuiOptions {
        paths: paths.to_vec(),
        annotations: Some(dir.path().join("ann.json")),
        reviewer: Some("ana".into()),
        config: Some(dir.path().join("none.toml")),
        ..TuiOptions::default()
    })
    .unwrap();
    s.dispatch(Action::Resize(w, h));
    s.finish_loading();
    s
}

fn screen(s: &Session, w: u16, h: u16, color: bool) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| draw(f, &s.app, &Theme::new(color))).unwrap();
    let buf = t.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..h {
        let line: String = (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Snapshots a screen with what changes between runs (temp paths, clock times) masked.
fn snap(name: &str, text: &str) {
    let mut t = text.to_string();
    for (pattern, with) in [
        (r"\S*ann\.json", "[annotations]"),
        (r"saved \d\d:\d\d:\d\d", "saved HH:MM:SS"),
        (r"at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "at TIME"),
    ] {
        t = regex::Regex::new(pattern)
            .unwrap()
            .replace_all(&t, with)
            .into_owned();
    }
    insta::assert_snapshot!(name, t);
}

/// Relative to the package root (where cargo runs tests), so snapshots hold no machine paths.
fn millbrook() -> PathBuf {
    let p = PathBuf::from("tests/fixtures/10_1_2025-10_31_2025-Millbrook TX PD-Network-Audit.csv");
    assert!(p.exists() && fixture("x").is_absolute());
    p
}

#[test]
fn start_screen_80x24() {
    let dir = tempfile::tempdir().unwrap();
    let s = session(&[millbrook()], &dir, 80, 24);
    snap("start_80x24", &screen(&s, 80, 24, true));
}

#[test]
fn after_a_verdict_160x48() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session(&[millbrook()], &dir, 160, 48);
    s.keys("y");
    snap("verdict_160x48", &screen(&s, 160, 48, true));
}

#[test]
fn all_records_with_redaction_80x24() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session(&[millbrook()], &dir, 80, 24);
    s.keys("tG");
    snap("all_records_80x24", &screen(&s, 80, 24, false));
}

#[test]
fn help_overlay_80x24() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session(&[millbrook()], &dir, 80, 24);
    s.keys("?");
    snap("help_80x24", &screen(&s, 80, 24, true));
}

#[test]
fn picker_and_bulk_prompt_160x48() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session(&[millbrook()], &dir, 160, 48);
    s.keys("a");
    snap("picker_160x48", &screen(&s, 160, 48, true));
    s.keys("<esc>M");
    snap("bulk_prompt_160x48", &screen(&s, 160, 48, true));
}

#[test]
fn status_line_says_where_and_whether_saved() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session(&[millbrook()], &dir, 120, 30);
    let before = screen(&s, 120, 30, true);
    let status = before.lines().nth(28).unwrap().to_string();
    assert!(status.contains(" 3/4 shown"), "{status}");
    assert!(status.contains("reviewed 0/3"), "{status}");
    assert!(status.contains("ann.json"), "{status}");
    s.keys("y");
    let after = screen(&s, 120, 30, true);
    let status = after.lines().nth(28).unwrap().to_string();
    assert!(status.contains("reviewed 1/3"), "{status}");
    assert!(status.contains("1● 0○ 0?"), "{status}");
    assert!(status.contains("✓ saved"), "{status}");
    let hints = after.lines().nth(29).unwrap().to_string();
    assert!(
        hints.contains("immigration: Millbrook TX PD · ICE WARRANT"),
        "{hints}"
    );
    s.keys("<esc>");
    let hints = screen(&s, 120, 30, true)
        .lines()
        .nth(29)
        .unwrap()
        .to_string();
    assert!(
        hints.contains("y confirmed immigration-related"),
        "hints come from the keymap: {hints}"
    );
}

/// At 80×24, the smallest size drawn, the save state is always whole (a failed save above all),
/// the filter is cut with an ellipsis, and a verdict on a record that is not flagged counts.
/// Smaller terminals say they are too small.
#[test]
fn the_save_state_is_readable_at_80x24_and_smaller_screens_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session(&[millbrook()], &dir, 80, 24);
    s.keys("t/reason:Niceville -agency:\"A very long agency name that does not exist\"<enter>y");
    let text = screen(&s, 80, 24, true);
    let top = text.lines().next().unwrap();
    assert!(top.contains('…') && top.ends_with("sort time ↑"), "{top}");
    let status = text.lines().nth(22).unwrap();
    assert!(status.contains("✓ saved "), "{status}");
    assert!(
        status.contains("1● 0○ 0? of 1"),
        "the unflagged record counts: {status}"
    );
    s.app
        .store
        .simulate_save_failure(Some(std::io::ErrorKind::StorageFull));
    s.keys("n");
    let text = screen(&s, 80, 24, true);
    let status = text.lines().nth(22).unwrap();
    assert!(status.contains("✗ NOT SAVED (1 unsaved)"), "{status}");
    s.dispatch(Action::Resize(60, 20));
    let text = screen(&s, 60, 20, true);
    assert!(
        text.contains("terminal too small") && text.contains("60×20"),
        "{text}"
    );
    assert!(text.contains("needs 80×24"), "{text}");
}

/// With NO_COLOR, an ambiguous rule still looks different from a strong one.
#[test]
fn ambiguous_rules_are_marked_without_colour() {
    let dir = tempfile::tempdir().unwrap();
    let s = session(&[millbrook()], &dir, 120, 30);
    let text = screen(&s, 120, 30, false);
    assert!(text.contains("≈hsi"), "{text}");
    assert!(text.contains(" ice-context"), "{text}");
}

#[test]
fn filter_line_and_error_message() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session(&[millbrook()], &dir, 80, 24);
    s.keys("/verdict:perhaps");
    let text = screen(&s, 80, 24, true);
    assert_eq!(text.lines().next().unwrap(), "/verdict:perhaps");
    assert!(
        text.lines()
            .nth(23)
            .unwrap()
            .contains("verdict:perhaps? use immigration"),
        "{text}"
    );
}

#[test]
fn resizes_cleanly_and_handles_tiny_terminals() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session(&[millbrook()], &dir, 80, 24);
    for (w, h) in [(200, 60), (40, 10), (20, 5), (1, 1), (80, 24)] {
        s.dispatch(Action::Resize(w, h));
        let text = screen(&s, w, h, true);
        assert_eq!(text.lines().count(), h as usize);
    }
}

/// Hostile text in the data (an OSC 52 clipboard write, a bidi override that makes an agency
/// read backwards, zero-width joiners, a soft hyphen, a byte-order mark, wide characters) is
/// shown visibly as `⟨U+…⟩`, never reaches the terminal raw, and never moves a column.
#[test]
fn hostile_text_is_shown_visibly_and_keeps_the_columns() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("hostile.csv");
    let rows = [
        ("Palm PD \u{202e}ECI", "ICE warrant"),
        ("Dallas PD", "ICE\u{1b}]52;c;ZXZpbA==\u{7} hold"),
        (
            "Zero\u{200d}\u{200d}\u{200d}\u{200d}\u{200d}\u{200d} PD",
            "ICE \u{ad}\u{feff}pickup",
        ),
        ("中文警察局中文警察局", "ICE 移民 detainer"),
        ("Plain PD", "ICE"),
    ];
    let mut text = String::from("Org Name,Reason,Search Time,Total Networks Searched\n");
    for (i, (agency, reason)) in rows.iter().enumerate() {
        text.push_str(&format!(
            "\"{agency}\",\"{reason}\",\"01/0{}/2025, 01:00:00 AM UTC\",{}\n",
            i + 1,
            100 + i
        ));
    }
    std::fs::write(&csv, text).unwrap();
    let (w, h) = (120, 30);
    let s = session(&[csv], &dir, w, h);
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| draw(f, &s.app, &Theme::new(true))).unwrap();
    let buf = t.backend().buffer().clone();
    for cell in &buf.content {
        for c in cell.symbol().chars() {
            assert!(
                !alpr_triage::sanitize::is_unsafe(c),
                "{c:?} would reach the terminal raw"
            );
        }
    }
    let screen = screen(&s, w, h, true);
    for shown in ["⟨U+202E⟩", "⟨U+001B⟩]52", "⟨U+200D⟩", "⟨U+00AD⟩⟨U+FEFF⟩"] {
        assert!(screen.contains(shown), "{shown} not shown:\n{screen}");
    }
    // Every row's networks count ends in the same column as the header's.
    let row_of = |needle: &str| {
        (0..h)
            .find(|&y| {
                (0..w)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect::<String>()
                    .contains(needle)
            })
            .unwrap()
    };
    let header = row_of("search time");
    let nets_end = (0..w)
        .rev()
        .find(|&x| buf[(x, header)].symbol() == "s")
        .unwrap();
    for n in 100..105 {
        let y = row_of(&format!("{n}"));
        let digits: String = (nets_end - 2..=nets_end)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect();
        assert_eq!(digits, n.to_string(), "row {y} is out of line:\n{screen}");
    }
}

/// The shipped sample's Millbrook year, relative to the package root (no machine paths).
fn sample_millbrook() -> PathBuf {
    PathBuf::from("sample-data/1_1_2025-12_31_2025-Millbrook TX PD-Network-Audit.csv")
}

#[test]
fn summary_80x24() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session(&[millbrook()], &dir, 80, 24);
    s.keys("yn<tab>");
    snap("summary_80x24", &screen(&s, 80, 24, true));
}

#[test]
fn summary_by_month_160x48() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session(&[sample_millbrook()], &dir, 160, 48);
    s.keys("yyyn<tab>l");
    snap("summary_months_160x48", &screen(&s, 160, 48, true));
}

#[test]
fn context_list_160x48() {
    let dir = tempfile::tempdir().unwrap();
    let p = PathBuf::from("tests/fixtures/context-bursts.csv");
    let mut s = session(&[p], &dir, 160, 48);
    s.keys("/reason:narcs<enter>jc");
    snap("context_160x48", &screen(&s, 160, 48, true));
}
