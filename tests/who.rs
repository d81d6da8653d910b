//! Who searched whose cameras, as a user meets it: `agencies`, `sharing`, the fields of `flag`
//! and `export`, the filter terms, owners, 287(g) lists (CSV and XLSX) and bad files, on the
//! shipped synthetic sample and on fixtures written here. The real reference files are checked
//! by an ignored test that .ci/run runs.

mod common;

use std::path::{Path, PathBuf};

use common::{run, s};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn sample() -> String {
    s(&root().join("sample-data"))
}

fn partners() -> Vec<String> {
    vec![
        "--partners".into(),
        s(&root().join("sample-reference/287g-participating.csv")),
        "--partners".into(),
        s(&root().join("sample-reference/287g-pending.csv")),
    ]
}

fn json_of(args: &[String]) -> (Value, String, Option<i32>) {
    let out = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {err}"));
    (v, err, out.status.code())
}

fn agencies() -> (Vec<Value>, String) {
    let mut args = vec!["agencies".to_string(), "--json".into(), sample()];
    args.extend(partners());
    let (v, err, code) = json_of(&args);
    assert_eq!(code, Some(0), "{err}");
    (v.as_array().unwrap().clone(), err)
}

fn named<'a>(list: &'a [Value], name: &str) -> &'a Value {
    list.iter()
        .find(|e| e["name"] == name)
        .unwrap_or_else(|| panic!("{name} is not listed"))
}

#[test]
fn agencies_lists_each_name_once_with_its_profile_role_counts_and_287g() {
    let (list, err) = agencies();
    let mut names: Vec<&str> = list.iter().map(|e| e["name"].as_str().unwrap()).collect();
    let n = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), n, "a name listed twice");
    for e in &list {
        for key in [
            "name",
            "state",
            "level",
            "role",
            "records",
            "flagged",
            "partner_287g",
            "source",
        ] {
            assert!(e.get(key).is_some(), "{key} missing in {e}");
        }
    }
    let lake = named(&list, "Lakemont County NC SO");
    assert_eq!(lake["state"], "NC");
    assert_eq!(lake["level"], "county");
    assert_eq!(lake["role"], "searcher");
    assert!(lake["records"].as_u64().unwrap() > 0);
    assert_eq!(
        lake["partner_287g"],
        serde_json::json!(["Task Force Model", "Warrant Service Officer"])
    );
    assert_eq!(
        lake["partner_287g_match"]["method"],
        "state, place and kind"
    );
    assert_eq!(
        lake["partner_287g_match"]["agreements"][0]["signed"],
        "2025-02-20"
    );
    // The traps: the same county name in another state, and a city's police of another state.
    assert_eq!(
        named(&list, "Blue Mound County GA SO")["partner_287g"],
        Value::Null
    );
    assert_eq!(
        named(&list, "Granite City County CA SO")["partner_287g"],
        Value::Null
    );
    assert_eq!(named(&list, "Millbrook TX PD")["partner_287g"], Value::Null);
    // Pending agreements count, with their status.
    let quarry = named(&list, "Quarry Town GA PD");
    assert_eq!(
        quarry["partner_287g_match"]["agreements"][0]["status"],
        "pending"
    );
    // Roles: the owner of the Network Audits; a sharing partner that never searched.
    let home = named(&list, "Millbrook TX PD");
    assert_eq!(home["role"], "searcher");
    assert!(
        home["roles"]
            .as_array()
            .unwrap()
            .contains(&Value::from("owner"))
    );
    let hoa = named(&list, "Vista Oaks HOA (CA)");
    assert_eq!(hoa["role"], "partner");
    assert_eq!(hoa["level"], "private");
    assert_eq!(hoa["records"], 0);
    assert_eq!(named(&list, "Oakmont Hills (CA)")["level"], "unknown");
    assert_eq!(named(&list, "Washington County SO")["state"], Value::Null);
    assert_eq!(named(&list, "Brookside SD PD")["state"], "SD");
    assert_eq!(named(&list, "Westbury County CA SD")["state"], "CA");
    // The list's messy rows are reported by file and row, not fatal.
    assert!(
        err.contains("287g-participating.csv: row 12: Rows above are updated weekly: no state"),
        "{err}"
    );
    assert!(err.contains("row 13: no agency name"), "{err}");
    // Records per agency add up to the records of the load (each record counted once).
    let total: u64 = list.iter().map(|e| e["records"].as_u64().unwrap()).sum();
    let (scan, _, _) = json_of(&["scan".into(), "--json".into(), sample()]);
    assert_eq!(total, scan["totals"]["records"].as_u64().unwrap());
}

#[test]
fn agencies_text_lists_the_unplaced_biggest_first_and_the_matches_with_their_rows() {
    let mut args = vec!["agencies".to_string(), sample()];
    args.extend(partners());
    let out = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let unplaced = text
        .split("not placed")
        .nth(1)
        .expect("an unplaced section");
    let state_patrol = unplaced.find("State Patrol District 4").expect("listed");
    let oakmont = unplaced.find("Oakmont Hills (CA)").expect("listed");
    assert!(state_patrol < oakmont, "biggest first:\n{unplaced}");
    assert!(
        !unplaced
            .split("matched to a 287(g)")
            .next()
            .unwrap()
            .contains("US Border Patrol"),
        "a federal agency without a state is placed"
    );
    assert!(
        text.contains(
            "Elm County Sheriff’s Office (TX), Jail Enforcement Model, signed 2019-07-01"
        ),
        "{text}"
    );
    assert!(text.contains("287g-participating.csv row 8"), "{text}");
}

#[test]
fn sharing_reports_partners_by_level_out_of_state_federal_and_private() {
    let (v, err, code) = json_of(&["sharing".into(), "--json".into(), sample()]);
    assert_eq!(code, Some(0), "{err}");
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), 1, "one page has sharing lists");
    let h = &list[0];
    assert_eq!(h["owner"], "Harbor City CA PD");
    assert_eq!(h["owner_state"], "CA");
    // 27 outbound and 2 inbound, both of which are also outbound.
    assert_eq!(h["partners"], 27);
    assert_eq!(h["outbound"], 27);
    assert_eq!(h["inbound"], 2);
    let oos: Vec<&str> = h["out_of_state_names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert_eq!(h["out_of_state"], oos.len());
    for want in ["Millbrook TX PD", "Pine Ridge PD - OR", "Brookside SD PD"] {
        assert!(oos.contains(&want), "{want} in {oos:?}");
    }
    for not in [
        "Granite City County CA SO",
        "Westbury County CA SD",
        "Washington County SO",
        "Sunset Valley PD (CA)",
    ] {
        assert!(!oos.contains(&not), "{not} in {oos:?}");
    }
    assert_eq!(oos.len(), 9);
    assert_eq!(h["federal"], 2);
    assert_eq!(h["private"], 2);
    assert_eq!(h["by_level"]["placeholder"], 2);
    assert_eq!(h["by_level"]["tribal"], 1);
    let sum: u64 = h["by_level"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(sum, 27);
}

#[test]
fn scan_takes_a_page_with_only_sharing_lists_as_no_problem() {
    let page = root().join("sample-data/eras/harbor-city-ca-pd-sharing.json");
    let out = run(&["scan", &s(&page)]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("portal page: sharing lists, no search rows"),
        "{text}"
    );
    assert!(
        text.contains("owner:    Harbor City CA PD (from the file)"),
        "{text}"
    );
    assert!(text.contains("sharing:  27 outbound, 2 inbound"), "{text}");
    assert!(!text.contains("error"), "{text}");
}

fn flag_all(paths: &[&Path], extra: &[&str]) -> Vec<Value> {
    let mut args: Vec<String> = vec!["flag".into(), "--all".into()];
    args.extend(paths.iter().map(|p| s(p)));
    args.extend(extra.iter().map(|a| a.to_string()));
    let out = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn flag_records_carry_the_searcher_and_owner_fields() {
    let file = common::sample_millbrook();
    let mut extra: Vec<String> = partners();
    extra.insert(0, "--format".into());
    extra.insert(1, "jsonl".into());
    let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
    let recs = flag_all(&[&file], &extra);
    assert!(recs.len() > 1000);
    let mut seen = (0, 0, 0, 0);
    for r in &recs {
        for key in [
            "agency_state",
            "agency_level",
            "owner",
            "owner_state",
            "out_of_state",
            "partner_287g",
        ] {
            assert!(r.get(key).is_some(), "{key} missing");
        }
        assert_eq!(r["owner"], "Millbrook TX PD");
        assert_eq!(r["owner_state"], "TX");
        let oos = &r["out_of_state"];
        match r["agency_state"].as_str() {
            Some("TX") => {
                assert_eq!(*oos, Value::Bool(false));
                seen.0 += 1;
            }
            Some(_) => {
                assert_eq!(*oos, Value::Bool(true), "{r}");
                seen.1 += 1;
            }
            None => {
                assert_eq!(*oos, Value::Null, "{r}");
                seen.2 += 1;
            }
        }
        if r["agency"] == "Lakemont County NC SO" {
            assert_eq!(
                r["partner_287g"],
                serde_json::json!(["Task Force Model", "Warrant Service Officer"])
            );
            seen.3 += 1;
        }
    }
    assert!(
        seen.0 > 0 && seen.1 > 0 && seen.2 > 0 && seen.3 > 0,
        "{seen:?}"
    );
}

/// A Network Audit with no `Org Name` column and an Organization Audit of the same rows.
fn unnamed_audits(dir: &Path) -> (PathBuf, PathBuf) {
    let rows = "Name,Reason,Search Time\nA. Lee,ICE warrant,\"04/10/2026, 05:01:33 AM UTC\"\nB. Cho,211PC,\"04/11/2026, 06:01:33 AM UTC\"\n";
    let net = dir.join("4_1_2026-4_30_2026-Harbor City CA PD-Network-Audit.csv");
    let org = dir.join("4_1_2026-4_30_2026-Copper Canyon CA PD-Audit.csv");
    std::fs::write(&net, rows).unwrap();
    std::fs::write(&org, rows.replace("ICE warrant", "ICE hold")).unwrap();
    (net, org)
}

#[test]
fn a_network_audit_without_org_name_has_an_unknown_searcher_never_the_owner() {
    let dir = tempfile::tempdir().unwrap();
    let (net, org) = unnamed_audits(dir.path());
    let recs = flag_all(&[&net], &[]);
    assert_eq!(recs.len(), 2);
    for r in &recs {
        assert_eq!(r["agency"], "unknown");
        assert_eq!(r["owner"], "Harbor City CA PD");
        assert_eq!(r["owner_state"], "CA");
        assert_eq!(r["agency_state"], Value::Null);
        assert_eq!(r["out_of_state"], Value::Null);
    }
    // In an Organization Audit the owner is the searcher.
    for r in flag_all(&[&org], &[]) {
        assert_eq!(r["agency"], "Copper Canyon CA PD");
        assert_eq!(r["agency_source"], "file");
        assert_eq!(r["owner"], "Copper Canyon CA PD");
        assert_eq!(r["out_of_state"], Value::Bool(false));
    }
    // --owner names it for a file whose name does not.
    let plain = dir.path().join("audit.csv");
    std::fs::write(
        &plain,
        "Org Name,Reason,Search Time\nMillbrook TX PD,ICE,\"04/10/2026, 05:01:33 AM UTC\"\n",
    )
    .unwrap();
    let owner = format!("{}=Harbor City CA PD", s(&plain));
    let r = &flag_all(&[&plain], &["--owner", &owner])[0];
    assert_eq!(r["owner"], "Harbor City CA PD");
    assert_eq!(r["out_of_state"], Value::Bool(true));
}

#[test]
fn export_carries_the_columns_and_the_filter_terms_select_by_who_searched() {
    let dir = tempfile::tempdir().unwrap();
    let file = common::sample_millbrook();
    let ann = dir.path().join("a.json");
    alpr_triage::store::Store::empty(&ann).save().unwrap();
    let export = |query: &str| -> Vec<Value> {
        let out_path = dir.path().join("out.jsonl");
        let mut args: Vec<String> = vec![
            "export".into(),
            s(&file),
            "--annotations".into(),
            s(&ann),
            "--only".into(),
            "all".into(),
            "--format".into(),
            "jsonl".into(),
            "--force".into(),
            "--out".into(),
            s(&out_path),
            format!("--query={query}"),
        ];
        args.extend(partners());
        let out = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
        let err = String::from_utf8_lossy(&out.stderr);
        if out.status.code() == Some(1) && err.contains("select") {
            return Vec::new();
        }
        assert_eq!(out.status.code(), Some(0), "{query}: {err}");
        std::fs::read_to_string(&out_path)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let all = export("");
    let count = |f: &dyn Fn(&Value) -> bool| all.iter().filter(|r| f(r)).count();
    for (query, want) in [
        ("state:NC", count(&|r| r["agency_state"] == "NC")),
        ("state:none", count(&|r| r["agency_state"].is_null())),
        ("level:federal", count(&|r| r["agency_level"] == "federal")),
        ("level:county", count(&|r| r["agency_level"] == "county")),
        ("out-of-state:yes", count(&|r| r["out_of_state"] == true)),
        ("out-of-state:no", count(&|r| r["out_of_state"] == false)),
        (
            "out-of-state:unknown",
            count(&|r| r["out_of_state"].is_null()),
        ),
        ("partner:287g", count(&|r| r["partner_287g"].is_array())),
        ("-partner:287g", count(&|r| r["partner_287g"].is_null())),
        ("owner:millbrook", all.len()),
        ("owner:harbor", 0),
        (
            "state:TX flagged:yes",
            count(&|r| r["agency_state"] == "TX" && r["flagged"] == true),
        ),
    ] {
        assert!(
            want > 0 || query == "owner:harbor",
            "{query} selects nothing here"
        );
        assert_eq!(export(query).len(), want, "{query}");
    }
    // The CSV export has the same columns.
    let csv_path = dir.path().join("out.csv");
    let mut args: Vec<String> = vec![
        "export".into(),
        s(&file),
        "--annotations".into(),
        s(&ann),
        "--only".into(),
        "all".into(),
        "--out".into(),
        s(&csv_path),
    ];
    args.extend(partners());
    let out = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(&csv_path).unwrap();
    let header = text.lines().next().unwrap();
    assert!(
        header.ends_with("agency_state,agency_level,owner,owner_state,out_of_state,partner_287g"),
        "{header}"
    );
    assert!(
        text.contains(",Task Force Model; Warrant Service Officer"),
        "a list cell"
    );
}

#[test]
fn a_bad_filter_term_says_what_it_takes() {
    let out = run(&[
        "export",
        &s(&common::sample_millbrook()),
        "--only",
        "all",
        "--query",
        "level:city",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("level:city? use one of federal, state, county"),
        "{err}"
    );
}

#[test]
fn bad_partner_and_override_files_stop_with_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("287g.csv");
    std::fs::write(&list, "name,state\nX,TX\n").unwrap();
    let out = run(&["agencies", &sample(), "--partners", &s(&list)]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("287g.csv: not ICE's 287(g) list"), "{err}");
    let missing = dir.path().join("nope.xlsx");
    let out = run(&["agencies", &sample(), "--partners", &s(&missing)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope.xlsx: cannot read"));
    let over = dir.path().join("fix.toml");
    std::fs::write(
        &over,
        "[[agency]]\nname = \"Oakmont Hills (CA)\"\nlevel = \"private\"\n\n[[agency]]\nname = \"X\"\nlevel = \"hoa\"\n",
    )
    .unwrap();
    let out = run(&["agencies", &sample(), "--agencies", &s(&over)]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("fix.toml:5: agency \"X\": level \"hoa\""),
        "{err}"
    );
}

#[test]
fn an_override_applies_everywhere_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let over = dir.path().join("fix.toml");
    std::fs::write(
        &over,
        "[[agency]]\nname = \"Oakmont Hills (CA)\"\nlevel = \"private\"\nnote = \"an HOA\"\n\n[[agency]]\nname = \"State Patrol District 4\"\nstate = \"TX\"\n",
    )
    .unwrap();
    let (v, err, code) = json_of(&[
        "agencies".into(),
        "--json".into(),
        sample(),
        "--agencies".into(),
        s(&over),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let list = v.as_array().unwrap();
    let o = named(list, "Oakmont Hills (CA)");
    assert_eq!(o["level"], "private");
    assert!(o["source"].as_str().unwrap().ends_with("fix.toml:1"), "{o}");
    let sp = named(list, "State Patrol District 4");
    assert_eq!(sp["state"], "TX");
    assert_eq!(sp["level"], "state");
    // In flag's records too, and in the sharing findings.
    let recs = flag_all(&[&common::sample_millbrook()], &["--agencies", &s(&over)]);
    let r = recs
        .iter()
        .find(|r| r["agency"] == "State Patrol District 4")
        .expect("the sample has it");
    assert_eq!(r["agency_state"], "TX");
    assert_eq!(r["out_of_state"], Value::Bool(false));
    let (v, _, _) = json_of(&[
        "sharing".into(),
        "--json".into(),
        sample(),
        "--agencies".into(),
        s(&over),
    ]);
    assert_eq!(v[0]["private"], 3);
}

#[test]
fn a_287g_workbook_is_read_as_its_csv_is() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("participatingAgencies.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (r, line) in alpr_triage_synth::PARTICIPATING_287G.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            if !cell.is_empty() {
                ws.write_string(r as u32, c as u16, cell).unwrap();
            }
        }
    }
    book.save(&path).unwrap();
    let (from_xlsx, err, code) = json_of(&[
        "agencies".into(),
        "--json".into(),
        sample(),
        "--partners".into(),
        s(&path),
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("row 12: Rows above are updated weekly: no state"),
        "{err}"
    );
    let (from_csv, _, _) = json_of(&[
        "agencies".into(),
        "--json".into(),
        sample(),
        "--partners".into(),
        s(&root().join("sample-reference/287g-participating.csv")),
    ]);
    let support = |v: &Value| -> Vec<(String, Value)> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["name"].as_str().unwrap().to_string(),
                    e["partner_287g"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(support(&from_xlsx), support(&from_csv));
    assert_eq!(
        named(from_xlsx.as_array().unwrap(), "Elm County TX SO")["partner_287g"],
        serde_json::json!(["Jail Enforcement Model", "Warrant Service Officer"])
    );
}

#[test]
fn the_agency_rules_print_and_extend() {
    let out = run(&["rules", "--agencies"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("special-district"), "{text}");
    let out = run(&["rules", "--agencies", "--source"]);
    let src = String::from_utf8(out.stdout).unwrap();
    assert!(src.contains("[[level]]"));
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("mine.toml");
    std::fs::write(
        &rules,
        "extends = \"builtin\"\n[[level]]\nname = \"hoa-names\"\nlevel = \"private\"\npattern = '^Oakmont Hills\\b'\n",
    )
    .unwrap();
    let (v, err, code) = json_of(&[
        "agencies".into(),
        "--json".into(),
        sample(),
        "--agency-rules".into(),
        s(&rules),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let o = named(v.as_array().unwrap(), "Oakmont Hills (CA)");
    assert_eq!(o["level"], "private");
    assert_eq!(o["source"], "rule hoa-names");
}

#[test]
#[ignore = "reads ../shared/reference, which is outside a clone; .ci/run runs it with --ignored"]
fn the_real_reference_files() {
    let reference = root().join("../shared/reference");
    assert!(reference.is_dir(), "{} is not here", reference.display());
    let ice = reference.join("ice-287g");
    let (v, err, code) = json_of(&[
        "sharing".into(),
        "--json".into(),
        s(&reference.join("portal-pages")),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let pages = v.as_array().unwrap();
    let cajon = pages
        .iter()
        .find(|p| p["owner"] == "El Cajon PD ( CA)")
        .unwrap();
    assert_eq!(cajon["owner_state"], "CA");
    // Counted independently (python: len(page["sharing_outbound"])).
    assert_eq!(cajon["partners"], 683);
    let anoka = pages
        .iter()
        .find(|p| p["owner"] == "Anoka County MN SO")
        .unwrap();
    assert_eq!(anoka["partners"], 882);
    assert_eq!(anoka["owner_state"], "MN");
    let (list, err, code) = json_of(&[
        "agencies".into(),
        "--json".into(),
        s(&reference.join("portal-pages")),
        "--partners".into(),
        s(&ice.join("participatingAgencies07182025pm.xlsx")),
        "--partners".into(),
        s(&ice.join("pendingAgencies07182025pm.xlsx")),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let list = list.as_array().unwrap();
    // 1,392 distinct partners on the two lists (python: len(set(a) | set(b))), the two owners.
    assert_eq!(
        list.len(),
        1392 + 2 - 1,
        "Anoka County MN SO is on El Cajon's list"
    );
    // Every out-of-state name has a state, and not California's.
    for n in cajon["out_of_state_names"].as_array().unwrap() {
        let e = named(list, n.as_str().unwrap());
        assert!(e["state"].is_string() && e["state"] != "CA", "{e}");
    }
    let brevard = named(list, "Brevard County FL SO");
    assert_eq!(
        brevard["partner_287g_match"]["method"],
        "state, place and kind"
    );
    for e in list {
        if let Some(m) = e["partner_287g_match"].as_object() {
            for a in m["agreements"].as_array().unwrap() {
                assert_eq!(
                    a["state"], e["state"],
                    "{}: a match across states",
                    e["name"]
                );
            }
        }
    }
    // No row of ICE's lists is dropped without a word: 832 + 26 rows with a state and agency
    // (python over the workbooks), and no warnings for them.
    assert!(!err.contains("287(g) list"), "{err}");
    let out = run(&[
        "agencies",
        &s(&reference.join("portal-pages")),
        "--partners",
        &s(&ice.join("participatingAgencies07182025pm.xlsx")),
        "--partners",
        &s(&ice.join("pendingAgencies07182025pm.xlsx")),
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("(858 agreements)"),
        "{}",
        &text[..300.min(text.len())]
    );
}

#[test]
fn the_report_says_who_searched_with_its_sources_and_method() {
    let dir = tempfile::tempdir().unwrap();
    let ann = dir.path().join("a.json");
    alpr_triage::store::Store::empty(&ann).save().unwrap();
    let out_dir = dir.path().join("report");
    let mut args: Vec<String> = vec![
        "report".into(),
        sample(),
        "--annotations".into(),
        s(&ann),
        "--out".into(),
        s(&out_dir),
    ];
    args.extend(partners());
    let out = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    for want in [
        "<h2 id=\"who-searched\">Who searched</h2>",
        "out of state (searcher",
        "<h3 id=\"by-state\">",
        "<h3 id=\"sharing\">Sharing lists</h3>",
        "Harbor City CA PD (CA)",
        "<h3 id=\"partners-287g\">287(g) partners</h3>",
        "Lakemont County NC SO",
        "287g-participating.csv row 6",
        "Agency profiles: rules built-in",
    ] {
        assert!(html.contains(want), "report.html lacks {want}");
    }
    assert!(
        !html.contains("<td>Blue Mound County GA SO</td><td>Task"),
        "a trap matched"
    );
    let md = std::fs::read_to_string(out_dir.join("report.md")).unwrap();
    assert!(md.contains("## Who searched"));
    assert!(md.contains("287(g) lists: "), "the methods name the lists");
}

fn flagged_by(recs: &[Value], rule: &str) -> Vec<Value> {
    recs.iter()
        .filter(|r| {
            r["flags"]
                .as_array()
                .is_some_and(|f| f.iter().any(|h| h["rule"] == rule))
        })
        .cloned()
        .collect()
}

fn scan_flagged(extra: &[String]) -> u64 {
    let mut args = vec![
        "scan".to_string(),
        "--json".into(),
        s(&common::sample_millbrook()),
    ];
    args.extend(extra.iter().cloned());
    let (v, err, code) = json_of(&args);
    assert_eq!(code, Some(0), "{err}");
    v["totals"]["flagged"]
        .as_u64()
        .unwrap_or_else(|| panic!("no totals.flagged in {v}"))
}

#[test]
fn a_rule_can_count_only_for_287g_partners_and_explains_itself() {
    let file = common::sample_millbrook();
    let with: Vec<String> = ["--format".to_string(), "jsonl".into()]
        .into_iter()
        .chain(partners())
        .collect();
    let with: Vec<&str> = with.iter().map(String::as_str).collect();
    let recs = flag_all(&[&file], &with);
    let vague = flagged_by(&recs, "partner-vague-reason");
    assert!(vague.len() >= 10, "{}", vague.len());
    let mut agencies = std::collections::BTreeSet::new();
    for r in &vague {
        // Only partners (participating or pending): `Lakemont County TX SO` and `Lakemont TX
        // PD` search with the same reasons and hold no agreement.
        agencies.insert(r["agency"].as_str().unwrap().to_string());
        assert!(r["partner_287g"].is_array(), "{r}");
        assert_eq!(r["flagged"], true);
        let hit = r["flags"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["rule"] == "partner-vague-reason")
            .unwrap();
        assert_eq!(hit["strength"], "ambiguous");
        assert_eq!(hit["field"], "reason");
        assert!(hit["note"].as_str().unwrap().contains("not a verdict"));
    }
    assert!(agencies.contains("Lakemont County NC SO"), "{agencies:?}");
    assert!(!agencies.contains("Lakemont County TX SO"), "{agencies:?}");
    let reasons: std::collections::BTreeSet<String> = vague
        .iter()
        .map(|r| r["reason"].as_str().unwrap().to_lowercase())
        .collect();
    assert!(reasons.contains("investigation"), "{reasons:?}");
    assert!(reasons.contains("other - not applicable"), "{reasons:?}");
    // The same reasons from agencies without an agreement are not flagged by it.
    let others = recs
        .iter()
        .filter(|r| r["reason"] == "investigation" && r["partner_287g"].is_null())
        .count();
    assert!(others > 0);
    // Without a list the rule counts for no one, and scan's counts say the same as flag's.
    let without = flag_all(&[&file], &["--format", "jsonl"]);
    assert!(flagged_by(&without, "partner-vague-reason").is_empty());
    let only_by_it = vague
        .iter()
        .filter(|r| r["flags"].as_array().unwrap().len() == 1)
        .count() as u64;
    assert!(only_by_it > 0);
    assert_eq!(scan_flagged(&partners()), scan_flagged(&[]) + only_by_it);
    // `rules` says what the rule needs.
    let out = run(&["rules"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("only when the searcher is partner_287g (needs --partners)"),
        "{text}"
    );
}

#[test]
fn a_searcher_condition_other_than_287g_is_refused_with_the_file_and_rule() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("mine.toml");
    std::fs::write(
        &rules,
        "extends = \"builtin\"\n[[rule]]\nname = \"fed-vague\"\nfields = [\"reason\"]\npattern = '^investigation$'\nsearcher = \"federal\"\n",
    )
    .unwrap();
    let out = run(&[
        "scan",
        "--rules",
        &s(&rules),
        &s(&common::sample_millbrook()),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("mine.toml"), "{err}");
    assert!(err.contains("fed-vague"), "{err}");
    assert!(err.contains("partner_287g"), "{err}");
}

#[test]
fn merge_keeps_each_reviewers_profile_corrections_and_says_where_they_differ() {
    let dir = tempfile::tempdir().unwrap();
    let doc = |who: &str, at: &str, agencies: &str, id: &str| {
        format!(
            "{{\"version\": 1, \"tool\": \"{who} {at} {id}\", \"agencies\": [{agencies}], \"annotations\": []}}\n"
        )
    };
    let fix = |who: &str, at: &str, name: &str, state: &str| {
        format!(
            "{{\"agency\": \"{name}\", \"state\": \"{state}\", \"level\": \"county\", \"named_by\": \"{who}\", \"named_at\": \"{at}\"}}"
        )
    };
    let a = dir.path().join("ana.json");
    let b = dir.path().join("ben.json");
    std::fs::write(
        &a,
        doc(
            "ana",
            "2026-01-01T00:00:00Z",
            &format!(
                "{}, {}",
                fix("ana", "2026-01-01T00:00:00Z", "Lakemont County NC SO", "TX"),
                fix(
                    "ana",
                    "2026-01-01T00:00:00Z",
                    "Yuba County Sheriffs Office",
                    "CA"
                )
            ),
            "00000000000000000000000000000001",
        ),
    )
    .unwrap();
    std::fs::write(
        &b,
        doc(
            "ben",
            "2026-01-02T00:00:00Z",
            &fix("ben", "2026-01-02T00:00:00Z", "lakemont county nc so", "NC"),
            "00000000000000000000000000000002",
        ),
    )
    .unwrap();
    let out = dir.path().join("merged.json");
    let o = run(&["merge", &s(&a), &s(&b), "--out", &s(&out)]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("the profile of lakemont county nc so: ana said \"TX county\", ben said \"NC county\"; the later (ben) is kept"),
        "{err}"
    );
    let merged: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let agencies = merged["agencies"].as_array().unwrap();
    assert_eq!(agencies.len(), 2, "{agencies:?}");
    assert!(
        agencies
            .iter()
            .any(|x| x["state"] == "NC" && x["named_by"] == "ben")
    );
    assert!(
        agencies
            .iter()
            .any(|x| x["agency"] == "Yuba County Sheriffs Office")
    );
    // The merged file is an overrides file like the reviewers' own.
    let (v, err, code) = json_of(&[
        "agencies".into(),
        "--json".into(),
        sample(),
        "--agencies".into(),
        s(&out),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let lake = named(v.as_array().unwrap(), "Lakemont County NC SO");
    assert_eq!(lake["state"], "NC");
    assert!(
        lake["source"].as_str().unwrap().contains("set by ben"),
        "{lake}"
    );
}
