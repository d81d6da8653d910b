//! From verdicts to findings in the review UI: the summary screen (its counts, kept up to date
//! as verdicts are given, and Enter on a line filtering the table to it) and a record's context
//! list (bursts, account, case, plate, agency and hour, earlier verdicts on the same reason),
//! driven by keys through the real keymap.

mod common;

use alpr_triage::app::Mode;
use alpr_triage::app::summary::Section;
use alpr_triage::model::VerdictCode;
use alpr_triage::review::context::Tie;
use alpr_triage::tui::Session;

use common::{ReviewEnv, fixture, millbrook, sample_millbrook};

fn reason(s: &Session) -> String {
    s.app
        .selected()
        .map(|r| s.app.ds.reason_text(r).to_string())
        .unwrap_or_default()
}

/// Counts over every record, straight from the dataset and the verdicts.
fn expected(s: &Session) -> (u64, u64, u64) {
    let ds = &s.app.ds;
    let flagged = (0..ds.len() as u32).filter(|&r| ds.is_flagged(r)).count() as u64;
    let immigration = s
        .app
        .verdicts
        .iter()
        .filter(|v| v.verdict() == Some(alpr_triage::model::Verdict::Immigration))
        .count() as u64;
    (ds.len() as u64, flagged, immigration)
}

#[test]
fn the_summary_counts_every_record_and_follows_verdicts() {
    let e = ReviewEnv::new();
    let mut s = e.session(&[sample_millbrook()]);
    s.keys("yy");
    s.keys("<tab>");
    assert!(s.app.summary.shown);
    let t = s.app.summary.done.as_ref().expect("counted").total;
    assert_eq!((t.records, t.flagged, t.immigration), expected(&s));
    // Back to the table, a verdict, and the summary follows without counting again.
    s.keys("<tab>y");
    assert!(!s.app.summary.shown);
    assert!(!s.app.summary.building());
    let t = s.app.summary.done.as_ref().unwrap().total;
    assert_eq!(t.immigration, expected(&s).2);
    assert_eq!(t.immigration, 3);
    // Agencies: the one with confirmed searches first; the lines add up to the total.
    s.keys("2");
    let lines = s.app.summary_lines();
    assert_eq!(
        lines.iter().map(|l| l.tally.records).sum::<u64>(),
        t.records
    );
    assert!(lines[0].tally.immigration > 0);
    assert!(
        lines
            .windows(2)
            .all(|w| w[0].tally.immigration >= w[1].tally.immigration)
    );
    // Months, then rules (with how many of each rule's flags were confirmed).
    s.keys("l");
    assert_eq!(s.app.summary.section, Section::Months);
    let months = s.app.summary_lines();
    assert!(months.windows(2).all(|w| w[0].label < w[1].label));
    s.keys("l");
    assert_eq!(s.app.summary.section, Section::Rules);
    let rules = s.app.summary_lines();
    // Each confirmed record counts for every rule that flags it.
    assert!(rules.iter().map(|l| l.tally.immigration).sum::<u64>() >= 3);
    assert!(rules.iter().all(|l| l.term.starts_with("rule:")));
    s.keys("hh");
    assert_eq!(s.app.summary.section, Section::Agencies);
}

#[test]
fn enter_on_a_line_filters_the_table_to_it() {
    let e = ReviewEnv::new();
    let mut s = e.session(&[sample_millbrook()]);
    s.keys("/agency:mill<enter><tab>l");
    let months = s.app.summary_lines();
    let march = months
        .iter()
        .position(|l| l.label == "2025-03")
        .expect("March 2025");
    for _ in 0..march {
        s.keys("j");
    }
    s.keys("<enter>");
    assert!(!s.app.summary.shown, "back on the table");
    assert!(
        s.app.filter_text.contains("date:2025-03"),
        "{}",
        s.app.filter_text
    );
    assert!(
        s.app.filter_text.contains("agency:mill"),
        "kept: {}",
        s.app.filter_text
    );
    let flagged_in_march = months[march].tally.flagged as usize;
    assert_eq!(s.app.shown().len(), flagged_in_march);
    // Agencies: the drill-down replaces the agency term, never adds a second one.
    s.keys("<tab>h");
    assert_eq!(s.app.summary.section, Section::Agencies);
    s.keys("<enter>");
    let agency_terms = s.app.filter_text.matches("agency:").count();
    assert_eq!(agency_terms, 1, "{}", s.app.filter_text);
    assert!(
        s.app.filter_text.contains("agency:=\"Millbrook TX PD\""),
        "{}",
        s.app.filter_text
    );
    assert!(s.app.filter_text.contains("date:2025-03"));
}

#[test]
fn the_summary_counts_the_filter_among_all_records() {
    let e = ReviewEnv::new();
    let mut s = e.session(&[millbrook()]);
    s.keys("/reason:narcs<enter><tab>");
    let t = s.app.summary.done.as_ref().unwrap().total;
    assert_eq!((t.records, t.flagged), (1, 1));
    assert!(s.app.summary.filter.contains("reason:narcs"));
    // A new filter from the summary screen counts again.
    s.keys("/<c-u><enter>");
    assert!(
        s.app.summary.shown,
        "the filter line returns to the summary"
    );
    let t = s.app.summary.done.as_ref().unwrap().total;
    assert_eq!(t.records, s.app.ds.len() as u64);
}

fn select_first_burst_record(s: &mut Session) {
    // Flagged "HSI narcs" searches in time order: c11 (10 Feb), then c01 (1 Mar 10:00).
    s.keys("/reason:narcs<enter>j");
    assert_eq!(reason(s), "HSI narcs");
    let row = s.app.selected().unwrap();
    assert_eq!(
        alpr_triage::ingest::time::format_rfc3339(s.app.ds.time[row as usize]),
        "2025-03-01T10:00:00Z"
    );
}

#[test]
fn the_context_list_finds_bursts_accounts_cases_plates_hours_and_verdicts() {
    let e = ReviewEnv::new();
    let mut s = e.session(&[fixture("context-bursts.csv")]);
    // Two earlier verdicts on "HSI narcs" by another account (c11, c10: R. Diaz).
    s.keys("/reason:narcs account:diaz<enter>");
    assert_eq!(s.app.shown().len(), 2);
    s.keys("nn");
    s.keys("/<c-u><enter>");
    select_first_burst_record(&mut s);
    s.keys("c");
    let Mode::Context(list) = &s.app.mode else {
        panic!("no context list: {:?}", s.app.mode);
    };
    let size = |tie: Tie| {
        list.groups
            .iter()
            .find(|g| g.tie == tie)
            .map(|g| g.rows.len())
            .unwrap()
    };
    assert_eq!(size(Tie::Burst), 4, "10:00, 10:04, 10:09, 10:15; not 10:40");
    assert_eq!(
        size(Tie::Account),
        5,
        "K. Lee within 7 days, not on 20 March"
    );
    assert_eq!(size(Tie::Case), 1, "25 1001 is 25-1001; N/A ties nothing");
    assert_eq!(size(Tie::Plate), 2, "abc-123 is ABC123");
    assert_eq!(size(Tie::AgencyHour), 5, "Millbrook at 10h, not Riverbend");
    assert_eq!(size(Tie::ReasonVerdicts), 2);
    let verdicts = list
        .groups
        .iter()
        .find(|g| g.tie == Tie::ReasonVerdicts)
        .unwrap()
        .verdicts;
    assert_eq!(verdicts, [0, 0, 2, 0], "both not immigration-related");
    // Esc closes the list, changing nothing.
    let before = s.app.selected();
    s.keys("<esc>");
    assert!(matches!(s.app.mode, Mode::Normal));
    assert_eq!(s.app.selected(), before);
}

#[test]
fn a_burst_is_decided_once_and_esc_returns_where_the_reviewer_was() {
    let e = ReviewEnv::new();
    let mut s = e.session(&[fixture("context-bursts.csv")]);
    select_first_burst_record(&mut s);
    let from = s.app.selected().unwrap();
    let filter = s.app.filter_text.clone();
    // Enter on the burst's heading: the table shows the burst.
    s.keys("c<enter>");
    assert!(s.app.pinned.is_some());
    assert_eq!(s.app.shown().len(), 4);
    assert_eq!(
        s.app.selected(),
        Some(from),
        "the cursor stays on the record"
    );
    // One bulk verdict for the four lookups (asked first; m marks the undecided).
    s.keys("Nm");
    let burst: Vec<u32> = s.app.shown().to_vec();
    for r in &burst {
        assert_eq!(
            s.app.verdict_code(*r),
            VerdictCode::new(Some(alpr_triage::model::Verdict::NotImmigration), false)
        );
    }
    // Esc: the filter and the record the reviewer left.
    s.keys("<esc>");
    assert!(s.app.pinned.is_none());
    assert_eq!(s.app.filter_text, filter);
    assert_eq!(s.app.selected(), Some(from));
    // Enter on a record of a group: the group, with the cursor on that record.
    s.keys("c");
    let Mode::Context(list) = &s.app.mode else {
        panic!()
    };
    let plate_heading = list
        .items()
        .iter()
        .position(|i| matches!(i, alpr_triage::app::context::Item::Group(g) if list.groups[*g].tie == Tie::Plate))
        .unwrap();
    for _ in 0..plate_heading + 2 {
        s.keys("j");
    }
    s.keys("<enter>");
    assert_eq!(s.app.shown().len(), 2);
    assert_eq!(
        reason(&s),
        "stolen vehicle",
        "the second search of the plate"
    );
}

#[test]
fn a_record_without_an_account_says_so() {
    let e = ReviewEnv::new();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("x.csv");
    std::fs::write(
        &csv,
        "ID,Name,Org Name,License Plate,Reason,Search Time\n\
         a,REDACTED,Millbrook TX PD,***,ICE warrant,2025-03-01T10:00:00Z\n",
    )
    .unwrap();
    let mut s = e.session(&[csv]);
    s.keys("c");
    let Mode::Context(list) = &s.app.mode else {
        panic!()
    };
    let burst = &list.groups[0];
    assert!(burst.absent.unwrap().contains("no account"));
    let plate = list.groups.iter().find(|g| g.tie == Tie::Plate).unwrap();
    assert!(plate.absent.unwrap().contains("no plate"));
    s.keys("<enter>");
    assert!(s.app.pinned.is_none(), "nothing to show");
}

/// Two plates whose 32-bit hashes are equal (found by trying plates until two collide).
fn colliding_plates() -> (String, String) {
    let mut seen = std::collections::HashMap::new();
    let mut buf = Vec::new();
    for n in 0u32.. {
        let plate = format!("P{n}");
        let h = alpr_triage::review::links::key_hash(plate.as_bytes(), false, &mut buf);
        if let Some(other) = seen.insert(h, plate.clone()) {
            return (other, plate);
        }
    }
    unreachable!()
}

#[test]
fn plates_that_only_share_a_hash_are_not_context() {
    let (a, b) = colliding_plates();
    let hash = |p: &str| alpr_triage::review::links::key_hash(p.as_bytes(), false, &mut Vec::new());
    assert_eq!(hash(&a), hash(&b));
    let e = ReviewEnv::new();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("x.csv");
    std::fs::write(
        &csv,
        format!(
            "ID,Name,Org Name,License Plate,Reason,Search Time\n\
             a,K. Lee,Millbrook TX PD,{a},ICE warrant,2025-03-01T10:00:00Z\n\
             b,R. Diaz,Riverbend PD,{b},theft,2025-05-01T10:00:00Z\n\
             c,S. Moss,Oak PD,{a},theft,2025-06-01T10:00:00Z\n"
        ),
    )
    .unwrap();
    let mut s = e.session(&[csv]);
    s.keys("t");
    assert_eq!(s.app.shown().len(), 3, "all records");
    s.keys("c");
    let Mode::Context(list) = &s.app.mode else {
        panic!("no context list: {:?}", s.app.mode);
    };
    let plate = list.groups.iter().find(|g| g.tie == Tie::Plate).unwrap();
    assert_eq!(
        plate.rows.len(),
        1,
        "{a} again (row c), not {b}, whose hash is the same"
    );
}

#[test]
fn the_export_dialog_writes_the_report_folder() {
    let e = ReviewEnv::new();
    let dir = tempfile::tempdir().unwrap();
    let mut s = e.session(&[millbrook()]);
    s.keys("yn");
    let folder = dir.path().join("report");
    // The format field cycles CSV → JSONL → JSON → report; ← from CSV is the report.
    s.keys(&format!("x<c-u>{}<tab><left><enter>", folder.display()));
    s.finish_export();
    for name in alpr_triage::report::FILES {
        assert!(folder.join(name).is_file(), "{name}");
    }
    let msg = s.app.message.as_ref().unwrap().text.clone();
    assert!(msg.starts_with("report of 4 records written to"), "{msg}");
    let by_agency = std::fs::read_to_string(folder.join("by_agency.csv")).unwrap();
    assert!(
        by_agency.contains("Millbrook TX PD,3,2,1,0,0,1"),
        "{by_agency}"
    );
    // Again: the folder exists, so Enter asks first; the second Enter replaces its files.
    s.keys(&format!("x<c-u>{}<tab><left><enter>", folder.display()));
    assert!(
        s.app
            .message
            .as_ref()
            .unwrap()
            .text
            .contains("again to replace")
    );
    s.keys("<enter>");
    s.finish_export();
    assert!(
        s.app
            .message
            .as_ref()
            .unwrap()
            .text
            .starts_with("report of 4")
    );
}

#[test]
fn the_summary_says_who_searched_by_state_and_level_and_drills_down() {
    let e = ReviewEnv::new();
    let mut s = e.session(&[sample_millbrook()]);
    s.keys("<tab>llll");
    assert_eq!(s.app.summary.section, Section::Who);
    let who = s.app.summary_lines();
    assert_eq!(who.len(), 4, "every line, zeros too");
    // Counted independently: each record's searcher against its file's owner.
    let ds = &s.app.ds;
    let out_of_state = (0..ds.len() as u32)
        .filter(|&r| ds.who(r).out_of_state() == Some(true))
        .count() as u64;
    let federal = (0..ds.len() as u32)
        .filter(|&r| ds.who(r).federal())
        .count() as u64;
    assert!(out_of_state > 0 && federal > 0);
    assert_eq!(who[0].tally.records, out_of_state);
    assert_eq!(who[0].term, "out-of-state:yes");
    assert_eq!(who[1].tally.records, federal);
    assert_eq!(who[3].tally.records, 0, "no 287(g) list given");
    s.keys("l");
    assert_eq!(s.app.summary.section, Section::States);
    let states = s.app.summary_lines();
    let total = s.app.summary.done.as_ref().unwrap().total.records;
    assert_eq!(states.iter().map(|l| l.tally.records).sum::<u64>(), total);
    assert!(
        states
            .iter()
            .any(|l| l.label == "TX" && l.term == "state:TX")
    );
    s.keys("l");
    assert_eq!(s.app.summary.section, Section::Levels);
    let levels = s.app.summary_lines();
    assert_eq!(levels.iter().map(|l| l.tally.records).sum::<u64>(), total);
    assert!(levels.iter().any(|l| l.label == "federal"));
    // Enter on the out-of-state line: the table shows its flagged records.
    s.keys("hh<enter>");
    assert!(!s.app.summary.shown);
    assert!(
        s.app.filter_text.contains("out-of-state:yes"),
        "{}",
        s.app.filter_text
    );
    assert_eq!(s.app.shown().len() as u64, who[0].tally.flagged);
}

#[test]
fn the_review_ui_takes_the_287g_list_and_shows_a_partner_as_a_signal() {
    let e = ReviewEnv::new();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut s = Session::new(&alpr_triage::commands::review::TuiOptions {
        paths: vec![sample_millbrook()],
        annotations: Some(e.annotations.clone()),
        reviewer: Some("ana".into()),
        config: Some(e.config.clone()),
        who: alpr_triage::agency::WhoOptions {
            partners: vec![root.join("sample-reference/287g-participating.csv")],
            ..Default::default()
        },
        ..Default::default()
    })
    .unwrap();
    s.dispatch(alpr_triage::app::Action::Resize(160, 48));
    s.finish_loading();
    s.keys("t/partner:287g<enter>");
    assert!(!s.app.shown().is_empty(), "Lakemont County NC SO searched");
    let row = s.app.selected().unwrap();
    assert_eq!(s.app.ds.agency_text(row), "Lakemont County NC SO");
    let screen = common::screen(&s, 160, 48);
    assert!(
        screen.contains("◆ 287(g) partner (a signal, not a verdict): Task Force Model"),
        "{screen}"
    );
    assert!(screen.contains("OUT OF STATE"), "{screen}");
    // The context list marks the partner's searches, and says so in its title.
    s.keys("c");
    let screen = common::screen(&s, 160, 48);
    assert!(
        screen.contains("context of Lakemont County NC SO ◆ 287(g) partner"),
        "{screen}"
    );
    // The first of its records whose context lists searches.
    let mut listed = None;
    for _ in 0..60 {
        let screen = common::screen(&s, 160, 48);
        if let Some(l) = screen
            .lines()
            .find(|l| l.contains("Lakemont County NC SO    ◆"))
        {
            listed = Some(l.to_string());
            break;
        }
        s.keys("<esc>jc");
    }
    assert!(listed.is_some(), "no context lists a record");
    s.keys("<esc>");
    // The agency picker shows each agency's profile.
    s.keys("a");
    let screen = common::screen(&s, 160, 48);
    let line = screen
        .lines()
        .find(|l| l.contains("Lakemont County NC SO") && l.contains("flagged"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(line.contains("NC county"), "{line}");
    assert!(line.contains("◆"), "{line}");
    let millbrook = screen
        .lines()
        .find(|l| l.contains("Millbrook TX PD") && l.contains("flagged"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(millbrook.contains("TX local"), "{millbrook}");
    assert!(!millbrook.contains("◆"), "{millbrook}");
    s.keys("<esc>");
    // A rule that counts only for partners: its records are the partners', and the detail
    // explains it like any flag.
    s.keys("/<c-u>rule:partner-vague-reason<enter>");
    assert!(!s.app.shown().is_empty());
    for &r in s.app.shown().iter() {
        assert!(s.app.ds.who(r).partner(), "{}", s.app.ds.agency_text(r));
    }
    let screen = common::screen(&s, 160, 48);
    assert!(screen.contains("partner-vague-reason"), "{screen}");
    s.keys("<tab>llll");
    assert_eq!(s.app.summary.section, Section::Who);
    assert!(s.app.summary_lines()[3].tally.records > 0);
}

#[test]
fn a_profile_corrected_with_p_is_kept_with_the_annotations_and_applies_everywhere() {
    let e = ReviewEnv::new();
    let file = sample_millbrook();
    let mut s = e.session(std::slice::from_ref(&file));
    s.dispatch(alpr_triage::app::Action::Resize(160, 48));
    s.keys("t/agency:=\"Lakemont County NC SO\"<enter>");
    let row = s.app.selected().unwrap();
    assert_eq!(
        s.app.ds.who(row).searcher.state.map(|s| s.as_str()),
        Some("NC")
    );
    assert_eq!(s.app.ds.who(row).out_of_state(), Some(true));
    // The prompt starts from the profile as it stands.
    s.keys("P");
    let screen = common::screen(&s, 160, 48);
    assert!(screen.contains("profile: NC county"), "{screen}");
    // A word that is no state or level keeps the prompt open and says what it takes.
    s.keys("<c-u>TX sheriff<enter>");
    assert!(matches!(
        s.app.mode,
        alpr_triage::app::Mode::AgencyProfile { .. }
    ));
    let screen = common::screen(&s, 160, 48);
    assert!(screen.contains("\"sheriff\" is not a state"), "{screen}");
    s.keys("<c-u>TX county # the county is in Texas, the name is wrong<enter>");
    assert!(matches!(s.app.mode, alpr_triage::app::Mode::Normal));
    let row = s.app.selected().unwrap();
    let who = s.app.ds.who(row);
    assert_eq!(who.searcher.state.map(|s| s.as_str()), Some("TX"));
    assert_eq!(who.out_of_state(), Some(false));
    assert!(
        who.searcher.source.starts_with("override"),
        "{}",
        who.searcher.source
    );
    // On disk before the UI says so, with who set it.
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&e.annotations).unwrap()).unwrap();
    let fix = saved["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agency"] == "Lakemont County NC SO")
        .unwrap_or_else(|| panic!("{saved}"));
    assert_eq!(fix["state"], "TX");
    assert_eq!(fix["level"], "county");
    assert_eq!(fix["named_by"], "ana");
    assert!(
        fix.get("file").is_none() && fix.get("path").is_none(),
        "{fix}"
    );
    // The filter follows at once.
    s.keys("/<c-u>agency:=\"Lakemont County NC SO\" state:TX<enter>");
    assert!(!s.app.shown().is_empty());
    drop(s);

    // A new session starts from it; export and `agencies --agencies ANN` use it.
    let s = e.session(std::slice::from_ref(&file));
    let row = lakemont(&s);
    assert_eq!(
        s.app.ds.who(row).searcher.state.map(|s| s.as_str()),
        Some("TX")
    );
    drop(s);
    let out_path = e.annotations.with_file_name("out.jsonl");
    let out = common::run(&[
        "export",
        &common::s(&file),
        "--annotations",
        &common::s(&e.annotations),
        "--only",
        "all",
        "--format",
        "jsonl",
        "--out",
        &common::s(&out_path),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&out_path).unwrap();
    let lake: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|r| r["agency"] == "Lakemont County NC SO")
        .collect();
    assert!(!lake.is_empty());
    assert!(
        lake.iter()
            .all(|r| r["agency_state"] == "TX" && r["out_of_state"] == false)
    );
    let out = common::run(&[
        "agencies",
        "--json",
        &common::s(&file),
        "--agencies",
        &common::s(&e.annotations),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let entry = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "Lakemont County NC SO")
        .unwrap();
    assert_eq!(entry["state"], "TX");
    assert!(
        entry["source"].as_str().unwrap().contains("set by ana"),
        "{entry}"
    );

    // An empty line removes the correction.
    let mut s = e.session(std::slice::from_ref(&file));
    s.keys("/<c-u>agency:=\"Lakemont County NC SO\"<enter>P<c-u><enter>");
    assert_eq!(
        s.app
            .ds
            .who(lakemont(&s))
            .searcher
            .state
            .map(|s| s.as_str()),
        Some("NC")
    );
    let saved = std::fs::read_to_string(&e.annotations).unwrap();
    assert!(!saved.contains("\"level\""), "{saved}");
}

fn lakemont(s: &Session) -> u32 {
    (0..s.app.ds.len() as u32)
        .find(|&r| s.app.ds.agency_text(r) == "Lakemont County NC SO")
        .unwrap()
}

#[test]
fn an_account_is_an_agency_and_a_name_and_a_redacted_officer_is_none() {
    let e = ReviewEnv::new();
    // K. Lee of two agencies, and two searches by a redacted officer (`***`).
    let csv = fixture("accounts-two-agencies.csv");
    let mut s = e.session(&[csv]);
    s.keys("t");
    assert_eq!(s.app.shown().len(), 5);
    // The context of record a: the same account is c (Quarry Town's K. Lee), never b.
    s.keys("c");
    let Mode::Context(list) = &s.app.mode else {
        panic!("no context list: {:?}", s.app.mode);
    };
    let same = list.groups.iter().find(|g| g.tie == Tie::Account).unwrap();
    let ids: Vec<String> = same
        .rows
        .iter()
        .map(|&r| s.app.ds.ids[r as usize].to_string())
        .collect();
    assert_eq!(same.rows.len(), 1, "{ids:?}");
    assert_eq!(s.app.ds.agency_text(same.rows[0]), "Quarry Town GA PD");
    s.keys("<esc>");
    // The summary: two accounts named K. Lee, each with its agency; `***` is no account.
    s.keys("<tab>lll");
    assert_eq!(s.app.summary.section, Section::Accounts);
    let lines = s.app.summary_lines();
    let labels: Vec<(&str, u64)> = lines
        .iter()
        .map(|l| (l.label.as_str(), l.tally.records))
        .collect();
    assert_eq!(
        labels,
        [
            ("K. Lee · Quarry Town GA PD", 2),
            ("K. Lee · Blue Mound GA PD", 1)
        ]
    );
    let done = s.app.summary.done.as_ref().unwrap();
    assert_eq!(done.without_account().records, 2, "the two *** searches");
    // Enter on Blue Mound's K. Lee shows that one record.
    s.keys("j<enter>");
    assert_eq!(s.app.shown().len(), 1, "{}", s.app.filter_text);
    assert_eq!(s.app.ds.agency_text(s.app.shown()[0]), "Blue Mound GA PD");
    assert_eq!(s.app.filter_text.matches("agency:").count(), 1);
}
