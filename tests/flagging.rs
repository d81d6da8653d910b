//! The built-in rule set against every reason quoted in the project notes on real exports
//! (../shared/FORMATS.md §4, beside the project and not in a clone) and the traps docs/flagging.md
//! lists; rules files.

use alpr_triage::flag::{RuleSet, Strength};
use alpr_triage::model::Field;

/// The rules that flag a reason for any searcher (a rule with `searcher = "partner_287g"` counts
/// only for a 287(g) partner: tests/who.rs checks those).
fn reason_rules(rules: &RuleSet, text: &str) -> Vec<String> {
    rules
        .match_field(Field::Reason, text)
        .iter()
        .filter(|h| !rules.is_conditional(h.rule))
        .map(|h| rules.rule(h.rule).name.clone())
        .collect()
}

#[test]
fn every_reason_quoted_in_formats_is_flagged() {
    let rules = RuleSet::builtin();
    for reason in [
        "ICE",
        "ICE+ERO",
        "ICE WARRANT",
        "HSI 3500",
        "Assist HSI",
        "CBP Assist",
        "Customs & Border Patrol",
        "Deportation Warrant",
        "criminal alien",
        "Drugs/immigration violations",
        "Immigration+",
        "Immigration (civil/administrative) - HSI",
        "Immigration (criminal) -",
        "ice hold",
        "ICE detainer",
        "ice warrant",
        "ICE pickup",
        "ice administrative",
        "homeland security investigations",
        "Enforcement and Removal Operations",
        "USBP",
        "border patrol assist",
        "customs and border protection",
        "removal order",
        "DHS",
        "USCIS",
        "287(g)",
        "287 (g) task force",
        "deportation",
        "deported subject",
        "illegal alien",
        "illegal re-entry",
        "8 USC 1326",
    ] {
        assert!(
            !reason_rules(&rules, reason).is_empty(),
            "{reason:?} was not flagged"
        );
    }
}

#[test]
fn traps_are_not_flagged() {
    let rules = RuleSet::builtin();
    for reason in [
        "police",
        "officer safety",
        "service call",
        "justice",
        "license check",
        "notice",
        "VICE",
        "accomplice",
        "Niceville",
        "Heroin",
        "NUMEROUS burglaries",
        "dangerous driver",
        "287(B)",
        "26-13287",
        "PC 287",
        "10851",
        "211PC",
        "Property+Crime",
        "test",
        "t",
        "Other - Not Applicable",
        "Hs sales",
        "11350 HS",
        "stolen vehicle",
        "Daytime search for best result",
        "Investigation",
        "T21 Case WV",
        "investigative+",
        "Other image search from alerts page associated with Alert: Stolen Plate 795ASV - 2025-06-22T17:41:56.783Z",
        "police ice rink",
    ] {
        let hits = reason_rules(&rules, reason);
        let ok = hits.is_empty() || (reason == "police ice rink" && hits == ["ice"]);
        assert!(ok, "{reason:?} was flagged by {hits:?}");
    }
}

#[test]
fn ambiguous_terms_are_flagged_with_a_note() {
    let rules = RuleSet::builtin();
    for (reason, rule) in [
        ("HSI narcs", "hsi"),
        ("ice", "ice"),
        ("subj possibly ICE", "ice"),
        ("DHS AOD", "dhs"),
        ("removal", "removal"),
        ("removal of subject", "removal"),
        ("border town burglary", "border"),
    ] {
        let hits = rules.match_field(Field::Reason, reason);
        assert_eq!(hits.len(), 1, "{reason:?}");
        let r = rules.rule(hits[0].rule);
        assert_eq!(r.name, rule, "{reason:?}");
        assert_eq!(r.strength, Strength::Ambiguous, "{reason:?}");
        assert!(
            r.note.as_deref().is_some_and(|n| n.len() > 20),
            "{reason:?} explains itself"
        );
    }
}

/// The words next to an ambiguous term that give it its other meaning (a tag removal, ice the
/// drug, a county line) keep it from being flagged; the same term elsewhere in the reason, and
/// its immigration meanings, still are.
#[test]
fn neighbouring_words_that_give_a_term_its_other_meaning_are_not_flagged() {
    let rules = RuleSet::builtin();
    for reason in [
        "vehicle removal",
        "tag removal",
        "hotplate removal",
        "hot plate removal",
        "graffiti removal",
        "abandoned vehicle removal",
        "removal of vehicle",
        "removal of the tags",
        "Plate removal / tow",
        "possession of ice",
        "poss ice",
        "ice possession",
        "meth/ice sales",
        "selling ice",
        "ice pipe",
        "state border",
        "county line border",
        "border st",
        "Border Rd accident",
        "border collie lost",
        "DHS CPS assist",
        "Dept of Human Services (DHS)",
    ] {
        let hits = reason_rules(&rules, reason);
        assert!(hits.is_empty(), "{reason:?} was flagged by {hits:?}");
    }
    for (reason, expected) in [
        ("removal proceedings", "removal-order"),
        ("removal order", "removal-order"),
        ("ICE removal", "ice-context"),
        ("tag removal; removal of subject", "removal"),
        ("ice hold", "ice-context"),
        ("possession of ice, ICE detainer", "ice-context"),
        ("border patrol assist", "border-patrol"),
        ("DHS", "dhs"),
    ] {
        let hits = reason_rules(&rules, reason);
        assert!(hits.contains(&expected.to_string()), "{reason:?}: {hits:?}");
    }
    // The match kept is the one outside the other meaning.
    let text = "tag removal; removal of subject";
    let hits = rules.match_field(Field::Reason, text);
    assert_eq!(hits[0].matched(text), ["removal"]);
    assert_eq!(hits[0].spans, [(13, 20)]);
}

#[test]
fn explanations_name_rule_field_and_span() {
    let rules = RuleSet::builtin();
    let text = "Assist ICE+ERO on warrant";
    let hits = rules.match_field(Field::Reason, text);
    let names: Vec<&str> = hits
        .iter()
        .map(|h| rules.rule(h.rule).name.as_str())
        .collect();
    assert_eq!(names, ["ice-context", "ero"]);
    assert_eq!(hits[0].field, Field::Reason);
    assert_eq!(hits[0].matched(text), ["Assist ICE"]);
    assert_eq!(hits[1].matched(text), ["ERO"]);
    assert_eq!(
        hits[1].spans,
        [(11, 14)],
        "spans index the original text, + included"
    );
}

#[test]
fn a_strong_context_hides_the_ambiguous_overlap() {
    let rules = RuleSet::builtin();
    assert_eq!(reason_rules(&rules, "ICE hold"), ["ice-context"]);
    assert_eq!(reason_rules(&rules, "Border Patrol"), ["border-patrol"]);
    assert_eq!(reason_rules(&rules, "removal order"), ["removal-order"]);
}

#[test]
fn agency_rules_catch_searches_without_keywords() {
    let rules = RuleSet::builtin();
    let agency = |a: &str| -> Vec<String> {
        rules
            .match_field(Field::Agency, a)
            .iter()
            .map(|h| rules.rule(h.rule).name.clone())
            .collect()
    };
    assert_eq!(
        agency("[Federal] US Border Patrol [Inactive]"),
        ["agency-border-patrol"]
    );
    assert_eq!(
        agency("Homeland Security Investigations [Inactive]"),
        ["agency-ice"]
    );
    assert_eq!(agency("ICE ERO Houston"), ["agency-ice"]);
    assert_eq!(agency("Wake County NC 287(g) Unit"), ["agency-immigration"]);
    assert_eq!(agency("Texas DHS"), ["agency-dhs"]);
    for a in [
        "Niceville FL PD",
        "Police Department",
        "Justice Court",
        "Border City PD",
    ] {
        assert!(agency(a).is_empty(), "{a}");
    }
}

#[test]
fn rules_file_replaces_the_builtin_set() {
    let rules = RuleSet::from_toml(
        r#"
name = "just-ice"
[[rule]]
name = "only-ice"
fields = ["reason"]
pattern = '\bice\b'
"#,
        "test.toml",
    )
    .unwrap();
    assert_eq!(rules.name, "just-ice");
    assert_eq!(reason_rules(&rules, "ICE"), ["only-ice"]);
    assert!(reason_rules(&rules, "deportation").is_empty());
    assert_eq!(
        rules.rules().last().unwrap().name,
        "prior-flag",
        "prior flags always kept"
    );
}

#[test]
fn rules_file_extends_overrides_and_disables() {
    let rules = RuleSet::from_toml(
        r#"
extends = "builtin"
[[rule]]
name = "sb54"
description = "California SB 54 mentions"
fields = ["reason"]
pattern = '\bsb\s*54\b'
[[rule]]
name = "dhs"
fields = ["reason"]
pattern = '\bdhs\b'
unless = '\baod\b'
strength = "ambiguous"
note = "local override"
[[rule]]
name = "border"
fields = ["reason"]
pattern = 'x'
disabled = true
"#,
        "mine.toml",
    )
    .unwrap();
    assert!(rules.origin.starts_with("built-in + "));
    assert_eq!(reason_rules(&rules, "SB54 request"), ["sb54"]);
    assert_eq!(reason_rules(&rules, "ICE WARRANT"), ["ice-context"]);
    assert!(
        reason_rules(&rules, "DHS AOD").is_empty(),
        "override's unless applies"
    );
    assert!(reason_rules(&rules, "border town").is_empty(), "disabled");
    assert_ne!(rules.hash, RuleSet::builtin().hash);
}

#[test]
fn bad_rules_files_say_what_and_where() {
    let cases = [
        (
            "[[rule]]\nname = \"x\"\nfields = [\"reason\"]\npattern = '('\n",
            "bad pattern",
        ),
        (
            "[[rule]]\nname = \"x\"\nfields = [\"plate\"]\npattern = 'a'\n",
            "unknown field \"plate\"",
        ),
        (
            "[[rule]]\nname = \"x\"\nfields = [\"reason\"]\npattern = 'a*'\n",
            "matches empty text",
        ),
        (
            "[[rule]]\nname = \"x\"\nfields = [\"reason\"]\npatern = 'a'\n",
            "unknown field `patern`",
        ),
        ("version = 9\n", "version 9"),
        ("extends = \"other\"\n", "only \"builtin\""),
        (
            "[[rule]]\nname = \"prior-flag\"\nfields = [\"reason\"]\npattern = 'a'\n",
            "reserved",
        ),
        ("name = \n", "mine.toml"),
    ];
    for (text, expect) in cases {
        let err = RuleSet::from_toml(text, "mine.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains(expect), "{text:?}: {err}");
        assert!(err.starts_with("mine.toml"), "{err}");
    }
}

#[test]
fn builtin_rules_compile_and_have_descriptions() {
    let rules = RuleSet::builtin();
    assert!(rules.rules().len() > 15);
    for r in rules.rules() {
        assert!(!r.description.is_empty(), "{}", r.name);
        if r.strength == Strength::Ambiguous {
            assert!(
                r.note.is_some(),
                "{} is ambiguous but gives no note",
                r.name
            );
        }
    }
}
