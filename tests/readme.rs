//! docs/review-ui.md's key table and action names follow the keymap (the help overlay is generated
//! from it; the page is written by hand, so this keeps them from drifting). And the README stays
//! a short user's document that links to every page in docs/.

use alpr_triage::keymap::{Bindable, KeyMode, Keymap};

fn read(path: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn every_table_key_is_in_the_review_ui_page() {
    let text = read("docs/review-ui.md");
    let help = Keymap::default().help();
    let mut checked = 0;
    for (mode, _, rows) in &help.sections {
        if *mode != KeyMode::Normal {
            continue;
        }
        for row in rows {
            for k in &row.keys {
                assert!(
                    text.contains(&format!("`{k}`")),
                    "docs/review-ui.md lacks key `{k}` ({})",
                    row.desc
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 30, "only {checked} keys in the table");
}

#[test]
fn the_action_list_names_every_action_and_nothing_else() {
    let text = read("docs/review-ui.md");
    let start = text
        .find("Action names:")
        .expect("docs/review-ui.md has an action list");
    let list: String = text[start..].chars().take_while(|&c| c != '.').collect();
    let names: Vec<&str> = list
        .trim_start_matches("Action names:")
        .split(|c: char| c.is_whitespace() || c == '`')
        .filter(|s| !s.is_empty())
        .collect();
    for n in &names {
        assert!(
            Bindable::from_name(n).is_some(),
            "docs/review-ui.md names unknown action {n}"
        );
    }
    for b in Bindable::all() {
        assert!(
            names.contains(&b.name()),
            "docs/review-ui.md lacks action {}",
            b.name()
        );
    }
}

#[test]
fn the_readme_is_short_and_links_every_page() {
    let readme = read("README.md");
    assert!(
        readme.len() <= 10 * 1024,
        "README.md is {} bytes; detail belongs in docs/",
        readme.len()
    );
    assert!(readme.contains("cargo run --release -- sample-data"));
    assert!(readme.contains("cargo test"));
    assert!(readme.contains("cargo install --path ."));
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    for entry in std::fs::read_dir(&docs).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            readme.contains(&format!("(docs/{name})")),
            "README.md does not link docs/{name}"
        );
    }
}

#[test]
fn links_between_the_documents_lead_somewhere() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pages = vec![root.join("README.md"), root.join("CONTRIBUTING.md")];
    for e in std::fs::read_dir(root.join("docs")).unwrap() {
        pages.push(e.unwrap().path());
    }
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        for (i, _) in text.match_indices("](") {
            let target: String = text[i + 2..].chars().take_while(|&c| c != ')').collect();
            if target.starts_with("http") {
                continue;
            }
            let file = target.split('#').next().unwrap();
            if file.is_empty() {
                continue;
            }
            let path = page.parent().unwrap().join(file);
            assert!(
                path.exists(),
                "{} links {target}, which does not exist",
                page.display()
            );
        }
    }
}
