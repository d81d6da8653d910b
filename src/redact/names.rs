//! Personal names in free text, found offline by a method that can be explained:
//!
//! - a **given name** is a word in the given-name dictionary of Jörg Michael's `nam_dict`
//!   (47,000 names from many countries, through the `gender_guesser` crate), written with a
//!   capital, and not one of the words of police work or plain English in [`STOP`];
//! - a **name** is a given name followed by one to three capitalised words that are not in
//!   [`STOP`] (initials allowed between: `Jose A. Ramirez`, `Maria Lopez-Hernandez`), or a
//!   capitalised word, a comma and a given name (`Garcia, Juan`);
//! - after a word that introduces a person (`suspect`, `victim`, `missing`, `juv`, …, in
//!   [`CUES`]), a given name alone, or two capitalised words, is a name.
//!
//! A text written all in capitals counts every word as capitalised. Names written in lower case,
//! or a surname alone, are not found (see docs/safety.md for the measured precision and recall).

use std::sync::LazyLock;

use rustc_hash::FxHashSet;

use super::{Kind, Mask};

/// Words that are never part of a name: police work, places, days and months, and plain English
/// that the given-name dictionary also holds (`Will`, `Mark`, `Chase`, `Amber Alert`).
pub const STOP: &[&str] = &[
    // police work
    "abandoned",
    "abduction",
    "accident",
    "admin",
    "administrative",
    "agency",
    "agent",
    "aid",
    "alert",
    "alien",
    "aliens",
    "amber",
    "apprehension",
    "armed",
    "arrest",
    "arson",
    "assault",
    "assist",
    "assistance",
    "atl",
    "attempt",
    "attempted",
    "audit",
    "auto",
    "bank",
    "battery",
    "blue",
    "bolo",
    "border",
    "breaking",
    "burglary",
    "call",
    "camera",
    "car",
    "carjacking",
    "case",
    "cbp",
    "chase",
    "check",
    "child",
    "city",
    "civil",
    "code",
    "command",
    "commercial",
    "community",
    "complaint",
    "county",
    "court",
    "crash",
    "credit",
    "crime",
    "crimes",
    "criminal",
    "custody",
    "customs",
    "damage",
    "dealer",
    "death",
    "deportation",
    "department",
    "dept",
    "deputy",
    "detail",
    "detective",
    "detainer",
    "dhs",
    "district",
    "division",
    "domestic",
    "drug",
    "drugs",
    "dui",
    "dwi",
    "east",
    "enforcement",
    "ero",
    "escape",
    "evading",
    "event",
    "family",
    "federal",
    "felony",
    "field",
    "fire",
    "flock",
    "follow",
    "force",
    "forgery",
    "fraud",
    "fugitive",
    "gang",
    "general",
    "grand",
    "grant",
    "group",
    "gun",
    "hit",
    "homeland",
    "homicide",
    "hsi",
    "human",
    "identity",
    "ice",
    "immigration",
    "incident",
    "info",
    "information",
    "inquiry",
    "intel",
    "intelligence",
    "interdiction",
    "investigation",
    "investigations",
    "investigative",
    "joint",
    "juvenile",
    "kidnapping",
    "lane",
    "larceny",
    "law",
    "lead",
    "lookup",
    "major",
    "marshal",
    "marshals",
    "missing",
    "misdemeanor",
    "murder",
    "narcotics",
    "national",
    "north",
    "office",
    "officer",
    "operation",
    "order",
    "other",
    "parole",
    "patrol",
    "person",
    "persons",
    "plate",
    "police",
    "port",
    "possession",
    "probation",
    "property",
    "protection",
    "pursuit",
    "questioning",
    "ran",
    "reckless",
    "recovery",
    "regional",
    "removal",
    "report",
    "reported",
    "rescue",
    "retail",
    "robbery",
    "run",
    "safety",
    "search",
    "security",
    "service",
    "services",
    "sex",
    "sheriff",
    "shooting",
    "shoplifting",
    "smuggling",
    "south",
    "special",
    "squad",
    "state",
    "station",
    "stolen",
    "street",
    "subject",
    "suspect",
    "suspicious",
    "tag",
    "task",
    "team",
    "test",
    "theft",
    "threat",
    "traffic",
    "trafficking",
    "training",
    "trespass",
    "trooper",
    "unit",
    "united",
    "vandalism",
    "vehicle",
    "vehicles",
    "victim",
    "violation",
    "violations",
    "violent",
    "warrant",
    "warrants",
    "weapon",
    "west",
    "wanted",
    "welfare",
    // places, days, months
    "america",
    "avenue",
    "beach",
    "fort",
    "highway",
    "lake",
    "river",
    "road",
    "saint",
    "san",
    "santa",
    "valley",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    // colours and makes of vehicles
    "acura",
    "audi",
    "beige",
    "bmw",
    "buick",
    "cadillac",
    "chevrolet",
    "chevy",
    "chrysler",
    "dodge",
    "ford",
    "gmc",
    "gray",
    "grey",
    "honda",
    "hyundai",
    "infiniti",
    "jaguar",
    "jeep",
    "kia",
    "lexus",
    "lincoln",
    "maroon",
    "mazda",
    "mercedes",
    "mitsubishi",
    "nissan",
    "orange",
    "porsche",
    "purple",
    "silver",
    "subaru",
    "tan",
    "tesla",
    "toyota",
    "volkswagen",
    "volvo",
    // plain English the dictionary also holds
    "a",
    "all",
    "an",
    "and",
    "are",
    "art",
    "as",
    "at",
    "be",
    "bill",
    "black",
    "born",
    "brown",
    "but",
    "by",
    "can",
    "christian",
    "dawn",
    "do",
    "for",
    "from",
    "gay",
    "gold",
    "green",
    "guy",
    "has",
    "he",
    "her",
    "him",
    "his",
    "hope",
    "in",
    "is",
    "it",
    "its",
    "joy",
    "just",
    "king",
    "mark",
    "may",
    "me",
    "miss",
    "mr",
    "mrs",
    "ms",
    "my",
    "new",
    "no",
    "not",
    "of",
    "on",
    "or",
    "our",
    "per",
    "pat",
    "ray",
    "red",
    "rob",
    "rose",
    "she",
    "sky",
    "so",
    "star",
    "sun",
    "sunny",
    "the",
    "to",
    "unknown",
    "up",
    "us",
    "was",
    "we",
    "white",
    "will",
    "with",
    "you",
];

/// Words after which a person's name is expected.
pub const CUES: &[&str] = &[
    "subj",
    "subject",
    "suspect",
    "susp",
    "victim",
    "vic",
    "juv",
    "juvenile",
    "missing",
    "mp",
    "driver",
    "owner",
    "ro",
    "named",
    "aka",
    "witness",
    "wit",
    "mother",
    "father",
    "son",
    "daughter",
    "wife",
    "husband",
    "brother",
    "sister",
    "boyfriend",
    "girlfriend",
    "parolee",
    "probationer",
    "runaway",
    "defendant",
    "def",
    "attn",
    "contact",
    "atl",
    "locate",
];

/// A word of a text: its byte span.
#[derive(Clone, Copy, Debug)]
struct Word {
    start: usize,
    end: usize,
}

/// Words: letters, with `'` and `-` inside (`O'Brien`, `Lopez-Hernandez`), or digits.
fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let inner = matches!(c, '\'' | '’' | '-')
            && start.is_some()
            && chars.peek().is_some_and(|&(_, n)| n.is_alphabetic());
        if c.is_alphanumeric() || inner {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            out.push(Word { start: s, end: i });
        }
    }
    if let Some(s) = start {
        out.push(Word {
            start: s,
            end: text.len(),
        });
    }
    out
}

static STOPPED: LazyLock<FxHashSet<&'static str>> =
    LazyLock::new(|| STOP.iter().copied().collect());

/// True for a word that is never part of a name ([`STOP`], any case; each part of `a-b`).
pub(crate) fn stop(w: &str) -> bool {
    let lower = w.to_lowercase();
    STOPPED.contains(lower.as_str()) || lower.split(['-', '\'', '’']).any(|p| STOPPED.contains(p))
}

/// The finder, with the dictionary and the text's case.
struct Finder<'t> {
    text: &'t str,
    words: Vec<Word>,
    /// No lower-case letter anywhere: every word counts as capitalised.
    shouting: bool,
    given: gender_guesser::Detector,
}

impl Finder<'_> {
    fn s(&self, i: usize) -> &str {
        &self.text[self.words[i].start..self.words[i].end]
    }

    /// Between words `i` and `i + 1`, only what lies between a person's names.
    fn gap(&self, i: usize) -> &str {
        &self.text[self.words[i].end..self.words[i + 1].start]
    }

    fn capitalised(&self, w: &str) -> bool {
        let mut cs = w.chars();
        let first = cs.next().is_some_and(char::is_uppercase);
        // A short word in capitals in a text that is not is an acronym (`ICE`, `DHS`, `RO`).
        let acronym = !self.shouting && w.len() <= 4 && w.chars().all(|c| !c.is_lowercase());
        first && !acronym && w.chars().all(|c| c.is_alphabetic() || "-'’".contains(c))
    }

    fn initial(&self, i: usize) -> bool {
        let w = self.s(i);
        w.len() == 1 && w.chars().all(char::is_uppercase)
    }

    fn surname(&self, i: usize) -> bool {
        let w = self.s(i);
        w.chars().count() >= 2 && self.capitalised(w) && !stop(w)
    }

    fn given_name(&self, i: usize) -> bool {
        let w = self.s(i);
        let first = w.split(['-', '\'', '’']).next().unwrap_or(w);
        self.surname(i)
            && !matches!(
                self.given.get_gender(first),
                gender_guesser::Gender::NotFound
            )
    }

    fn cue_before(&self, i: usize) -> bool {
        i > 0 && {
            let w = self.s(i - 1).to_lowercase();
            CUES.contains(&w.as_str()) && self.gap(i - 1).chars().all(|c| " .:/-".contains(c))
        }
    }

    fn spaced(&self, i: usize) -> bool {
        let g = self.gap(i);
        !g.is_empty() && g.chars().all(char::is_whitespace)
    }

    /// The last word of a name that starts at `i` (with surnames after it), if any.
    fn name_from(&self, i: usize) -> Option<usize> {
        let mut end = None;
        let mut j = i;
        let mut parts = 0;
        while j + 1 < self.words.len() && parts < 3 {
            let g = self.gap(j);
            let next = j + 1;
            let after_initial = self.initial(j) && g.starts_with('.');
            if !(self.spaced(j) || after_initial && g[1..].chars().all(char::is_whitespace)) {
                break;
            }
            if self.initial(next) {
                j = next;
                continue;
            }
            if !self.surname(next) {
                break;
            }
            end = Some(next);
            parts += 1;
            j = next;
        }
        end
    }

    fn find(&self, out: &mut Vec<Mask>) {
        let n = self.words.len();
        let mut i = 0;
        while i < n {
            let given = self.given_name(i);
            let span = if let Some(end) = given.then(|| self.name_from(i)).flatten() {
                Some((i, end))
            } else if given && self.cue_before(i) {
                Some((i, i))
            } else if self.surname(i)
                && i + 1 < n
                && self.gap(i).trim() == ","
                && self.given_name(i + 1)
            {
                Some((i, self.name_from(i + 1).unwrap_or(i + 1)))
            } else if self.cue_before(i) && self.surname(i) && i + 1 < n && self.spaced(i) {
                self.surname(i + 1).then_some((i, i + 1))
            } else {
                None
            };
            match span {
                Some((a, b)) => {
                    out.push(Mask::new(
                        self.words[a].start,
                        self.words[b].end,
                        Kind::Name,
                    ));
                    i = b + 1;
                }
                None => i += 1,
            }
        }
    }
}

/// The personal names in `text`.
pub fn find(text: &str, out: &mut Vec<Mask>) {
    let f = Finder {
        text,
        words: words(text),
        shouting: !text.chars().any(char::is_lowercase),
        given: gender_guesser::Detector::new(),
    };
    f.find(out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        find(text, &mut out);
        out.iter()
            .map(|m| &text[m.start as usize..m.end as usize])
            .collect()
    }

    #[test]
    fn names_are_found_in_the_ways_officers_write_them() {
        assert_eq!(names("ICE warrant Juan Garcia"), ["Juan Garcia"]);
        assert_eq!(names("Jose A. Ramirez deportation"), ["Jose A. Ramirez"]);
        assert_eq!(
            names("HSI - Maria Lopez-Hernandez"),
            ["Maria Lopez-Hernandez"]
        );
        assert_eq!(names("missing juv Ashley Nguyen"), ["Ashley Nguyen"]);
        assert_eq!(names("JUAN GARCIA ICE HOLD"), ["JUAN GARCIA"]);
        assert_eq!(names("Garcia, Juan wanted"), ["Garcia, Juan"]);
        assert_eq!(names("suspect Xochitl Tlaloc"), ["Xochitl Tlaloc"]);
        assert_eq!(names("victim Wei"), ["Wei"]);
    }

    #[test]
    fn words_of_police_work_are_not_names() {
        for text in [
            "Amber Alert",
            "Stolen Vehicle",
            "Will Call",
            "Chase Bank robbery",
            "ICE WARRANT",
            "Mark Stolen",
            "Immigration (civil/administrative) - HSI",
            "Homeland Security Investigations",
            "Missing Person",
            "US Border Patrol",
        ] {
            assert!(names(text).is_empty(), "{text:?}: {:?}", names(text));
        }
    }
}
