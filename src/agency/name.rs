//! Reading an agency name: the state it names (a two-letter code where Flock puts one, or a full
//! state name opening a state agency's name), an `[Inactive]` or `(deactivated)` marker, and
//! what is left for the level rules and for matching.
//!
//! The state is only ever read from the name: `Washington County SO` has no state (there are 30
//! Washington Counties), `Yuba County Sheriffs Office` neither, however few Yuba Counties there
//! are.

use std::sync::LazyLock;

use regex::Regex;

use super::StateCode;

/// What a name says of its state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reading {
    /// The state, when the name says it.
    pub state: Option<StateCode>,
    /// How the state was read, or why none was (for `why`).
    pub how: String,
    /// The name is marked `[Inactive]`, `(deactivated)` or `[DEACTIVATED]`.
    pub inactive: bool,
    /// The name without its state code, its inactive marker and any other parenthesised part,
    /// spaces collapsed: what the level rules read.
    pub rest: String,
    /// A full state name opens the name, followed by a state agency's word.
    pub state_name_first: bool,
}

/// Words that end a Flock name after the state code (`Houston TX PD`): a code before one of
/// them is in its usual place.
const KIND_WORDS: [&str; 16] = [
    "PD",
    "SO",
    "SD",
    "DPS",
    "DA",
    "Police",
    "Sheriff",
    "Sheriffs",
    "Sheriff's",
    "Marshal",
    "Marshals",
    "Fire",
    "Public",
    "Department",
    "Dept",
    "Division",
];

/// Words that may follow a full state name opening a state agency's name.
const STATE_AGENCY_WORDS: [&str; 44] = [
    "State",
    "Highway",
    "Department",
    "Dept",
    "Division",
    "Attorney",
    "Bureau",
    "Office",
    "DOJ",
    "DPS",
    "DOC",
    "KBI",
    "HIDTA",
    "National",
    "Capitol",
    "Crime",
    "Criminal",
    "Information",
    "Financial",
    "Fish",
    "Game",
    "Wildlife",
    "Parks",
    "Gaming",
    "Lottery",
    "Fusion",
    "Intelligence",
    "Emergency",
    "Alcohol",
    "Motor",
    "Marine",
    "Military",
    "Law",
    "Public",
    "Board",
    "Commission",
    "Medicaid",
    "Gang",
    "Secretary",
    "Insurance",
    "Revenue",
    "Supreme",
    "Judicial",
    "Corrections",
];

/// Words before `of <State>` that make it a place, not the state (`City of Washington`).
const PLACE_OF: [&str; 6] = ["City", "Town", "Village", "Township", "County", "Borough"];

/// Directions that may open a state agency's name before the state (`Northwest Florida State
/// College`, `Southwest Virginia Regional Jail Authority`).
const DIRECTIONS: [&str; 8] = [
    "North",
    "South",
    "East",
    "West",
    "Northwest",
    "Northeast",
    "Southwest",
    "Southeast",
];

/// Reads a name. `aliases` are the rule file's `[[alias]]` patterns, tried when the name holds
/// no state code.
pub fn read(name: &str, aliases: &[(Regex, StateCode, String)]) -> Reading {
    static INACTIVE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)[\[(]\s*(?:inactive|deactivated)\s*[\])]|\b(?:inactive|deactivated)\b")
            .expect("static regex")
    });
    static PARENS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\(([^()]*)\)").expect("static regex"));
    let inactive = INACTIVE.is_match(name);
    let text = INACTIVE.replace_all(name, " ");
    // Parenthesised parts: a state code there is the clearest of all (`Springville PD (UT)`);
    // anything else (`(ACSO)`, `(Stark County)`) is taken out before the rules read the name.
    let mut paren_codes: Vec<StateCode> = Vec::new();
    let text = PARENS.replace_all(&text, |c: &regex::Captures<'_>| {
        if let Some(code) = StateCode::parse(c[1].trim()) {
            paren_codes.push(code);
        }
        " "
    });
    let words = words(&text);
    let mut candidates: Vec<(u8, StateCode, usize)> =
        paren_codes.iter().map(|&c| (5, c, usize::MAX)).collect();
    for (i, w) in words.iter().enumerate() {
        let Some(code) = (w.text.len() == 2 && w.text.bytes().all(|b| b.is_ascii_uppercase()))
            .then(|| StateCode::parse(w.text))
            .flatten()
        else {
            continue;
        };
        let last = i + 1 == words.len();
        let rank = if (i == 0 && w.dash_after) || (last && w.dash_before) {
            4
        } else if words
            .get(i + 1)
            .is_some_and(|n| KIND_WORDS.contains(&n.text))
        {
            3
        } else if last {
            2
        } else {
            1
        };
        candidates.push((rank, code, i));
    }
    let sd = StateCode::parse("SD").expect("SD is a state code");
    // `SD` is also Flock's Sheriff's Department (`San Diego County CA SD`): beside another
    // state's code it is that; alone after `County` it could be either.
    let others = candidates.iter().any(|c| c.1 != sd);
    let mut ambiguous_sd = false;
    candidates.retain(|&(rank, code, i)| {
        if code != sd {
            return true;
        }
        if others {
            return false;
        }
        let after_county =
            i != usize::MAX && i > 0 && matches!(words[i - 1].text, "County" | "Co" | "Parish");
        if after_county && rank < 3 && !text.contains("South Dakota") {
            ambiguous_sd = true;
            return false;
        }
        true
    });
    let best = candidates.iter().map(|c| c.0).max();
    let mut chosen: Vec<(StateCode, usize)> = candidates
        .iter()
        .filter(|c| Some(c.0) == best)
        .map(|c| (c.1, c.2))
        .collect();
    chosen.dedup_by_key(|c| c.0);
    let distinct: std::collections::BTreeSet<StateCode> = chosen.iter().map(|c| c.0).collect();
    let mut reading = Reading {
        state: None,
        how: String::new(),
        inactive,
        rest: String::new(),
        state_name_first: false,
    };
    let mut drop_word: Option<usize> = None;
    if distinct.len() > 1 {
        let list: Vec<&str> = distinct.iter().map(|c| c.as_str()).collect();
        reading.how = format!(
            "no state: the name holds two state codes ({})",
            list.join(", ")
        );
    } else if let Some(&(code, i)) = chosen.first() {
        reading.state = Some(code);
        reading.how = format!("state {} from the code in the name", code.as_str());
        drop_word = (i != usize::MAX).then_some(i);
    } else if let Some((_, code, what)) = aliases.iter().find(|(re, _, _)| re.is_match(&text)) {
        reading.state = Some(*code);
        reading.how = format!("state {} from the alias rule: {what}", code.as_str());
    } else if let Some((code, first)) = full_state_name(&words) {
        reading.state = Some(code);
        reading.state_name_first = first;
        reading.how = format!("state {} from the state's name", code.as_str());
    } else if ambiguous_sd {
        reading.how =
            "no state: SD after County may be South Dakota or Sheriff's Department".into();
    } else {
        reading.how = "no state: the name holds no state code or state name".into();
    }
    let kept: Vec<&str> = words
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != drop_word)
        .map(|(_, w)| w.raw)
        .collect();
    reading.rest = kept
        .join(" ")
        .trim_matches(|c: char| c == '-' || c == ' ' || c == ',')
        .to_string();
    reading
}

/// A word of a name: its letters, the text as written (with punctuation), and whether a dash
/// separates it from its neighbours.
struct Word<'a> {
    /// The word's letters and digits (`TX`, `Sheriff's`).
    text: &'a str,
    /// The word as written, punctuation kept.
    raw: &'a str,
    dash_before: bool,
    dash_after: bool,
}

fn words(text: &str) -> Vec<Word<'_>> {
    let pieces: Vec<&str> = text.split_whitespace().collect();
    let mut out: Vec<Word<'_>> = Vec::with_capacity(pieces.len());
    let mut dash_pending = false;
    for piece in pieces {
        if piece.chars().all(|c| c == '-' || c == '–') {
            dash_pending = true;
            if let Some(w) = out.last_mut() {
                w.dash_after = true;
            }
            continue;
        }
        // `IN-` and `SO-CA`: a dash inside or at the end of a piece.
        let parts: Vec<&str> = piece.split('-').collect();
        for (k, part) in parts.iter().enumerate() {
            let core = part.trim_matches(|c: char| !(c.is_alphanumeric() || c == '\''));
            let dash_before = dash_pending || k > 0;
            let dash_after = k + 1 < parts.len();
            dash_pending = false;
            if core.is_empty() {
                if dash_after && let Some(w) = out.last_mut() {
                    w.dash_after = true;
                }
                // `&` and the like stay in the name the rules read, as no word.
                if !part.is_empty() {
                    out.push(Word {
                        text: "",
                        raw: part,
                        dash_before: false,
                        dash_after: false,
                    });
                }
                continue;
            }
            out.push(Word {
                text: core,
                raw: part,
                dash_before,
                dash_after,
            });
        }
        if piece.ends_with('-') {
            dash_pending = true;
        }
    }
    out
}

/// A full state name where it names the state (the longest first, so `West Virginia` is not
/// `Virginia`): opening the name before a state agency's word (`Arizona Department of Public
/// Safety`), after a direction (`Northwest Florida State College`), or after `of` that does not
/// follow a place word (`University of Illinois`, but not `City of Washington`). True when it
/// opens the name.
fn full_state_name(words: &[Word<'_>]) -> Option<(StateCode, bool)> {
    for (i, _) in words.iter().enumerate() {
        let Some((code, len)) = state_name_at(words, i) else {
            continue;
        };
        let next = words.get(i + len).map(|w| w.text);
        let prev = i.checked_sub(1).map(|p| words[p].text);
        let agency_next = next.is_none_or(|n| STATE_AGENCY_WORDS.contains(&n));
        if i == 0 && agency_next && next.is_some() {
            return Some((code, true));
        }
        if i == 1 && prev.is_some_and(|p| DIRECTIONS.contains(&p)) && agency_next {
            return Some((code, false));
        }
        if prev == Some("of")
            && !(i >= 2 && PLACE_OF.contains(&words[i - 2].text))
            && !next.is_some_and(|n| matches!(n, "County" | "City" | "Co" | "Parish"))
        {
            return Some((code, false));
        }
    }
    None
}

/// The state whose full name starts at word `i`, and how many words it takes.
fn state_name_at(words: &[Word<'_>], i: usize) -> Option<(StateCode, usize)> {
    super::STATES
        .iter()
        .filter_map(|(code, name)| {
            let parts: Vec<&str> = name.split(' ').collect();
            let fits = parts.iter().enumerate().all(|(k, p)| {
                words.get(i + k).is_some_and(|w| {
                    w.text == *p || w.text.eq_ignore_ascii_case(p) && is_upper(w.text)
                })
            });
            fits.then(|| (StateCode::parse(code), parts.len()))
        })
        .max_by_key(|(_, len)| *len)
        .and_then(|(code, len)| code.map(|c| (c, len)))
}

fn is_upper(s: &str) -> bool {
    s.chars().all(|c| !c.is_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(name: &str) -> Option<&'static str> {
        read(name, &[]).state.map(|s| s.as_str())
    }

    #[test]
    fn codes_in_every_place_flock_puts_them() {
        for (name, want) in [
            ("Houston TX PD", "TX"),
            ("Seminole County FL SO", "FL"),
            ("Orange County SO CA", "CA"),
            ("Springville PD (UT)", "UT"),
            ("AR - Alma PD", "AR"),
            ("IN- Noble County SO", "IN"),
            ("City of Vallejo (CA)", "CA"),
            ("El Cajon PD ( CA)", "CA"),
            ("Las Vegas Metro Police Department - NV", "NV"),
            ("Mendocino County SO-CA", "CA"),
            ("Santa Cruz CA PD (deactivated)", "CA"),
            ("Bardstown PD KY", "KY"),
            ("Windsor- IL- PD", "IL"),
            ("Ohio County SO WV", "WV"),
            ("LaSalle Co. IL SO - New", "IL"),
            ("Dublin CA PD (ACSO)", "CA"),
        ] {
            assert_eq!(state(name), Some(want), "{name}");
        }
    }

    #[test]
    fn sd_is_south_dakota_or_a_sheriffs_department() {
        assert_eq!(state("Brookings SD PD"), Some("SD"));
        assert_eq!(state("San Diego County CA SD"), Some("CA"));
        assert_eq!(state("Los Angeles County CA SD"), Some("CA"));
        assert_eq!(
            state("South Dakota Division of Criminal Investigation SD"),
            Some("SD")
        );
        let r = read("Minnehaha County SD", &[]);
        assert_eq!(r.state, None);
        assert!(r.how.contains("South Dakota or Sheriff"), "{}", r.how);
        // The code taken as the state leaves the name; a Sheriff's Department's SD stays.
        assert_eq!(read("Brookings SD PD", &[]).rest, "Brookings PD");
        assert_eq!(
            read("San Diego County CA SD", &[]).rest,
            "San Diego County SD"
        );
    }

    #[test]
    fn full_state_names_only_where_they_name_the_state() {
        for (name, want) in [
            ("California Highway Patrol", Some("CA")),
            ("Arizona Department of Public Safety [Inactive]", Some("AZ")),
            ("West Virginia State Police", Some("WV")),
            (
                "Attorney General of Illinois - Medicare Fraud Division",
                Some("IL"),
            ),
            ("University of Illinois- Springfield", Some("IL")),
            ("University of Central Missouri PD", None),
            (
                "Northwest Florida State College Police Department",
                Some("FL"),
            ),
            ("Indiana HIDTA", Some("IN")),
            ("Washington County SO", None),
            ("Virginia Beach PD", None),
            ("Kansas City PD", None),
            ("Texas City PD", None),
            ("City of Washington PD", None),
            ("Yuba County Sheriffs Office", None),
            ("Midwest HIDTA", None),
            ("Monterey County District Attorney's Office", None),
            ("Marshall TX PD", Some("TX")),
        ] {
            assert_eq!(state(name), want, "{name}");
        }
    }

    #[test]
    fn inactive_markers_and_conflicts() {
        let r = read(
            "Rocky Mountain Information Network (RMIN/RISS) AZ [DEACTIVATED]",
            &[],
        );
        assert!(r.inactive);
        assert_eq!(r.state.map(|s| s.as_str()), Some("AZ"));
        assert_eq!(r.rest, "Rocky Mountain Information Network");
        assert!(read("Brooklyn Park MN PD [Inactive]", &[]).inactive);
        assert!(!read("Inactivity Lake PD", &[]).inactive);
        let two = read("IN - Plymouth PD (MI)", &[]);
        assert_eq!(two.state.map(|s| s.as_str()), Some("MI"), "{}", two.how);
        let r = read("Niles PD (MI) (IL)", &[]);
        assert_eq!(r.state, None);
        assert!(r.how.contains("two state codes"), "{}", r.how);
    }
}
