//! The README's key table and action names follow the keymap (the help overlay is generated from
//! it; the README is written by hand, so this keeps them from drifting).

use alpr_triage::keymap::{KeyMode, Keymap, action_by_name};

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

#[test]
fn every_table_key_is_in_the_readme() {
    let text = readme();
    let help = Keymap::default().help();
    for (mode, _, rows) in &help.sections {
        if *mode != KeyMode::Normal {
            continue;
        }
        for row in rows {
            for k in &row.keys {
                assert!(
                    text.contains(&format!("`{k}`")),
                    "README lacks key `{k}` ({})",
                    row.desc
                );
            }
        }
    }
}

#[test]
fn every_action_name_in_the_readme_exists_and_vice_versa() {
    let text = readme();
    let start = text
        .find("Action names:")
        .expect("README has an action list");
    let list: String = text[start..].chars().take_while(|&c| c != '.').collect();
    let names: Vec<&str> = list
        .trim_start_matches("Action names:")
        .split(|c: char| c.is_whitespace() || c == '`')
        .filter(|s| !s.is_empty())
        .collect();
    assert!(names.len() > 30, "{names:?}");
    for n in &names {
        assert!(
            action_by_name(n).is_some(),
            "README names unknown action {n}"
        );
    }
    for n in [
        "verdict-immigration",
        "clear-line",
        "agency-picker",
        "detail-down",
    ] {
        assert!(names.contains(&n), "README lacks action {n}");
    }
}
