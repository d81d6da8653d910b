use super::*;

fn prof(name: &str) -> Profile {
    Profiler::default().profile(name)
}

fn level(name: &str) -> &'static str {
    prof(name).level.as_str()
}

#[test]
fn levels_of_the_shapes_flock_names_take() {
    for (name, want) in [
        ("Houston TX PD", "local"),
        ("Seminole County FL SO", "county"),
        ("Orange County SO CA", "county"),
        ("San Diego County CA SD", "county"),
        ("Brookings SD PD", "local"),
        ("Port Edwards WI PD", "local"),
        ("Marshall TX PD", "local"),
        ("Federal Way WA PD", "local"),
        ("California Highway Patrol", "state"),
        ("Arizona Department of Public Safety [Inactive]", "state"),
        ("Albion MI DPS", "local"),
        ("Missouri Department of Conservation", "state"),
        ("WI Department of Justice", "state"),
        ("Cal Fire", "state"),
        ("NYS Crime Analysis Center Network", "multi_agency"),
        ("Midwest HIDTA", "multi_agency"),
        ("Paul Bunyan Task Force MN", "multi_agency"),
        (
            "Rocky Mountain Information Network (RMIN/RISS) AZ [DEACTIVATED]",
            "multi_agency",
        ),
        ("[Federal] Department of Veterans Affairs PD", "federal"),
        ("[Federal] US Border Patrol [Inactive]", "federal"),
        ("Homeland Security Investigations [Inactive]", "federal"),
        ("Gun Lake Tribal PD MI", "tribal"),
        ("CA Iipay Nation of Santa Ysabel", "tribal"),
        ("San Jose State University CA", "education"),
        ("CSU Long Beach PD (CA)", "education"),
        ("Los Angeles Port Police CA", "special_district"),
        (
            "Niagara Frontier Transit Authority (NFTA) PD",
            "special_district",
        ),
        ("Orange County Fire Authority (CA)", "special_district"),
        ("Home Depot Corporation", "private"),
        ("Lowe's Corporation", "private"),
        (
            "National Center for Missing & Exploited Children [NCMEC]",
            "private",
        ),
        ("DO NOT USE", "placeholder"),
        ("Test Demo 1234", "placeholder"),
        ("Delete", "placeholder"),
        ("Cherokee County GA DA", "county"),
        ("Jackson Township OH PD (Stark County)", "local"),
        ("City of Vallejo (CA)", "local"),
        ("Tombstone Marshals Office (AZ)", "local"),
        ("Hiddenbrooke (CA)", "unknown"),
        ("University City MO PD", "local"),
        ("Harbor City CA PD", "local"),
        ("San Diego Harbor CA PD", "special_district"),
        ("University Park TX PD", "local"),
        ("Iowa State University IA PD", "education"),
        ("Country Club Hills IL PD", "local"),
        ("California Department of Fish & Wildlife (CA)", "state"),
        ("New Brighton Dept of Pub Safety (MN)", "local"),
    ] {
        assert_eq!(level(name), want, "{name}: {}", prof(name).why);
    }
}

#[test]
fn a_profile_says_why() {
    let p = prof("Seminole County FL SO");
    assert_eq!(p.state.map(|s| s.as_str()), Some("FL"));
    assert_eq!(p.source, "rule county");
    assert!(p.why.contains("state FL from the code"), "{}", p.why);
    assert!(p.why.contains("(\"County\")"), "{}", p.why);
    let u = prof("unknown");
    assert_eq!(u.level, Level::Unknown);
    assert_eq!(u.source, "no agency");
    let d = prof("Santa Cruz CA PD (deactivated)");
    assert!(d.inactive);
    assert_eq!(d.level, Level::Local);
}

#[test]
fn overrides_win_and_say_where_they_are() {
    let mut profiler = Profiler::default();
    profiler
        .overrides
        .add_toml(
            "# fixes\n[[agency]]\nname = \"Hiddenbrooke (CA)\"\nlevel = \"private\"\nnote = \"an HOA\"\n\n[[agency]]\nname = \"yuba county  sheriffs office\"\nstate = \"CA\"\n",
            "fixes.toml",
        )
        .expect("valid");
    let h = profiler.profile("Hiddenbrooke (CA)");
    assert_eq!(h.level, Level::Private);
    assert_eq!(h.state.map(|s| s.as_str()), Some("CA"));
    assert_eq!(h.source, "override fixes.toml:2");
    assert!(h.why.contains("an HOA"), "{}", h.why);
    let y = profiler.profile("Yuba County Sheriffs Office");
    assert_eq!(y.state.map(|s| s.as_str()), Some("CA"));
    assert_eq!(y.level, Level::County);
    assert_eq!(y.source, "override fixes.toml:7");
}

#[test]
fn bad_override_and_rule_files_name_the_place() {
    let mut o = Overrides::default();
    let e = o
        .add_toml("[[agency]]\nname = \"X PD\"\nstate = \"Texas\"\n", "o.toml")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("o.toml:1: "), "{e}");
    assert!(e.contains("not a two-letter state code"), "{e}");
    let e = o
        .add_toml("[[agency]]\nname = \"X PD\"\nlevel = \"city\"\n", "o.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("level \"city\" is not one of federal"), "{e}");
    let e = o
        .add_toml("[[agency]]\nname = \"X PD\"\n", "o.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("gives no state, level or inactive"), "{e}");
    let e = o
        .add_toml("[[agency]]\nnam = \"X\"\n", "o.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown field"), "{e}");
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("rules.toml");
    std::fs::write(
        &p,
        "extends = \"builtin\"\n[[level]]\nname = \"hoa\"\nlevel = \"private\"\npattern = '\\(CA\\)$|Hiddenbrooke'\n",
    )
    .expect("write");
    let rules = AgencyRules::load(&p).expect("valid");
    assert!(rules.origin.starts_with("built-in + "), "{}", rules.origin);
    let profiler = Profiler {
        rules,
        ..Profiler::default()
    };
    assert_eq!(profiler.profile("Hiddenbrooke (CA)").level, Level::Private);
    assert_eq!(profiler.profile("Houston TX PD").level, Level::Local);
    std::fs::write(
        &p,
        "[[level]]\nname = \"x\"\nlevel = \"private\"\npattern = '('\n",
    )
    .expect("write");
    let e = AgencyRules::load(&p).unwrap_err().to_string();
    assert!(e.contains("level rule \"x\""), "{e}");
}

fn partners() -> Partners {
    // The shapes of ICE's list: full state names in capitals, official names, a trailing space
    // in TYPE and SUPPORT TYPE, a curly apostrophe, one agency with three agreements, note rows.
    let rows: Vec<(u64, Vec<String>)> = [
        vec!["287(g) participating agencies"],
        vec![
            "STATE",
            "LAW ENFORCEMENT AGENCY",
            "TYPE",
            "COUNTY",
            "SUPPORT TYPE",
            "SIGNED",
        ],
        vec![
            "FLORIDA",
            "Seminole County Sheriff's Office",
            "County",
            "Seminole County",
            "Task Force Model",
            "2025-02-20",
        ],
        vec![
            "FLORIDA",
            "Seminole County Sheriff’s Office",
            "County ",
            "Seminole County",
            "Jail Enforcement Model ",
            "2019-03-01",
        ],
        vec![
            "FLORIDA",
            "Seminole County Sheriff's Office",
            "County",
            "Seminole County",
            "Warrant Service Officer",
            "2019-03-01",
        ],
        vec![
            "GEORGIA",
            "Harris County Sheriff's Office",
            "County",
            "Harris County",
            "Warrant Service Officer",
            "2025-05-01",
        ],
        vec![
            "TEXAS",
            "Houston County Sheriff's Office",
            "County",
            "Houston County",
            "Task Force Model",
            "2025-04-01",
        ],
        vec![
            "FLORIDA",
            "Florida Highway Patrol",
            "State Agency",
            "#N/A",
            "Task Force Model",
            "2025-02-07",
        ],
        vec!["", "", "", "", "", ""],
        vec!["", "Note: list updated weekly", "", "", "", ""],
        vec![
            "ATLANTIS",
            "Atlantis PD",
            "Municipality",
            "",
            "Task Force Model",
            "",
        ],
    ]
    .into_iter()
    .enumerate()
    .map(|(i, r)| (i as u64 + 1, r.into_iter().map(String::from).collect()))
    .collect();
    let mut p = Partners::default();
    p.add_rows(&rows, "participating.xlsx", partners::Status::Participating)
        .expect("a list");
    p.files.push("participating.xlsx".into());
    p
}

#[test]
fn partners_match_by_state_place_and_kind_and_avoid_the_traps() {
    let p = partners();
    assert_eq!(p.agreements.len(), 6);
    assert_eq!(p.warnings.len(), 2, "{:?}", p.warnings);
    assert!(
        p.warnings[0].contains("row 10: Note: list updated weekly: no state"),
        "{:?}",
        p.warnings
    );
    assert!(p.warnings[1].contains("row 11: Atlantis PD: state \"ATLANTIS\""));
    let profiler = Profiler {
        partners: p,
        ..Profiler::default()
    };
    let s = profiler.profile("Seminole County FL SO");
    let found = s.partner.expect("a partner");
    assert_eq!(found.method, "state, place and kind");
    assert_eq!(
        found.support_types(),
        [
            "Task Force Model",
            "Jail Enforcement Model",
            "Warrant Service Officer"
        ]
    );
    assert_eq!(found.agreements[0].signed.as_deref(), Some("2025-02-20"));
    assert_eq!(found.agreements[0].row, 3);
    // Harris County in Texas is not Georgia's; Houston's police are not Houston County's
    // sheriff; a name without a state matches nothing.
    assert!(profiler.profile("Harris County TX SO").partner.is_none());
    assert!(profiler.profile("Harris County GA SO").partner.is_some());
    assert!(profiler.profile("Houston TX PD").partner.is_none());
    assert!(profiler.profile("Houston County TX SO").partner.is_some());
    assert!(profiler.profile("Seminole County SO").partner.is_none());
    assert!(profiler.profile("Seminole County FL PD").partner.is_none());
    let fhp = profiler
        .profile("Florida Highway Patrol")
        .partner
        .expect("by name");
    assert_eq!(fhp.method, "state and name");
}

#[test]
fn a_table_without_the_header_is_refused() {
    let mut p = Partners::default();
    let rows = vec![(1, vec!["a".to_string(), "b".to_string()])];
    let e = p
        .add_rows(&rows, "x.csv", partners::Status::Pending)
        .unwrap_err();
    assert!(e.contains("STATE and LAW ENFORCEMENT AGENCY"), "{e}");
}

#[test]
fn every_distinct_name_gets_one_profile() {
    // Timing is benched (bench/), never asserted; this checks that every name gets a profile
    // and that a name seen twice gets the same one.
    let names: Vec<Box<str>> = (0..5000)
        .map(|i| format!("Town{i} TX PD").into_boxed_str())
        .collect();
    let profiles = Profiles::build(Arc::new(Profiler::default()), &names, &[]);
    assert_eq!(profiles.len(), 5000);
    assert_eq!(profiles.of(17).state.map(|s| s.as_str()), Some("TX"));
    assert_eq!(profiles.of(99_999).level, Level::Unknown);
}
