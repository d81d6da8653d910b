//! Who searched: a profile for every agency name the tool meets (a record's searching agency, a
//! file's owner, a portal page's sharing partner): its state, its level, whether it is marked
//! inactive, and why. Rules are data ([`rules`], `builtin.toml`); names the rules get wrong are
//! fixed in an overrides file ([`overrides`]); ICE's 287(g) list marks the agencies that hold an
//! agreement ([`partners`]). A profile is worked out once per distinct name ([`Profiles`]).
//!
//! A profile reads a name, which is not a legal identity: docs/agencies.md says what it does and
//! does not prove.

pub mod name;
pub mod overrides;
pub mod partners;
pub mod rules;
pub mod sharing;
pub mod who;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use overrides::Overrides;
pub use partners::Partners;
pub use rules::AgencyRules;
pub use who::{Profiles, Who};

/// A US state, district or territory, by its two-letter postal code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StateCode([u8; 2]);

impl StateCode {
    /// The code for `text` (any case), when it is one.
    pub fn parse(text: &str) -> Option<StateCode> {
        let b = text.as_bytes();
        if b.len() != 2 {
            return None;
        }
        let up = [b[0].to_ascii_uppercase(), b[1].to_ascii_uppercase()];
        STATES
            .iter()
            .any(|(c, _)| c.as_bytes() == up)
            .then_some(StateCode(up))
    }

    /// The code for a full state name (any case: ICE writes `FLORIDA`).
    pub fn from_name(name: &str) -> Option<StateCode> {
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        STATES
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(&name))
            .and_then(|(c, _)| StateCode::parse(c))
    }

    /// The two letters.
    pub fn as_str(&self) -> &'static str {
        STATES
            .iter()
            .find(|(c, _)| c.as_bytes() == self.0)
            .map_or("??", |(c, _)| c)
    }

    /// The full name.
    pub fn name(&self) -> &'static str {
        STATES
            .iter()
            .find(|(c, _)| c.as_bytes() == self.0)
            .map_or("?", |(_, n)| n)
    }
}

impl Serialize for StateCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The states, DC and the territories Flock serves, with their names.
pub const STATES: [(&str, &str); 54] = [
    ("AL", "Alabama"),
    ("AK", "Alaska"),
    ("AZ", "Arizona"),
    ("AR", "Arkansas"),
    ("CA", "California"),
    ("CO", "Colorado"),
    ("CT", "Connecticut"),
    ("DE", "Delaware"),
    ("DC", "District of Columbia"),
    ("FL", "Florida"),
    ("GA", "Georgia"),
    ("HI", "Hawaii"),
    ("ID", "Idaho"),
    ("IL", "Illinois"),
    ("IN", "Indiana"),
    ("IA", "Iowa"),
    ("KS", "Kansas"),
    ("KY", "Kentucky"),
    ("LA", "Louisiana"),
    ("ME", "Maine"),
    ("MD", "Maryland"),
    ("MA", "Massachusetts"),
    ("MI", "Michigan"),
    ("MN", "Minnesota"),
    ("MS", "Mississippi"),
    ("MO", "Missouri"),
    ("MT", "Montana"),
    ("NE", "Nebraska"),
    ("NV", "Nevada"),
    ("NH", "New Hampshire"),
    ("NJ", "New Jersey"),
    ("NM", "New Mexico"),
    ("NY", "New York"),
    ("NC", "North Carolina"),
    ("ND", "North Dakota"),
    ("OH", "Ohio"),
    ("OK", "Oklahoma"),
    ("OR", "Oregon"),
    ("PA", "Pennsylvania"),
    ("RI", "Rhode Island"),
    ("SC", "South Carolina"),
    ("SD", "South Dakota"),
    ("TN", "Tennessee"),
    ("TX", "Texas"),
    ("UT", "Utah"),
    ("VT", "Vermont"),
    ("VA", "Virginia"),
    ("WA", "Washington"),
    ("WV", "West Virginia"),
    ("WI", "Wisconsin"),
    ("WY", "Wyoming"),
    ("PR", "Puerto Rico"),
    ("GU", "Guam"),
    ("VI", "Virgin Islands"),
];

/// What kind of body an agency is.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// A federal agency (`[Federal] …`, FBI, HSI, Border Patrol).
    Federal,
    /// A state agency (Highway Patrol, State Police, Attorney General).
    State,
    /// A county agency (Sheriff, County, District Attorney).
    County,
    /// A city, town, village or township agency (PD, Police, Public Safety, Marshal).
    Local,
    /// Tribal police.
    Tribal,
    /// University, college and school police.
    Education,
    /// Task forces, fusion centres, HIDTA, RISS, dispatch centres.
    MultiAgency,
    /// Transit, railroad, port, airport, park-district and hospital police.
    SpecialDistrict,
    /// Companies, homeowners' associations, non-profits.
    Private,
    /// `DO NOT USE`, `Test Demo 1234`, `Delete`.
    Placeholder,
    /// No rule could place it.
    #[default]
    Unknown,
}

impl Level {
    /// Every level, in the order tables list them.
    pub const ALL: [Level; 11] = [
        Level::Federal,
        Level::State,
        Level::County,
        Level::Local,
        Level::Tribal,
        Level::Education,
        Level::MultiAgency,
        Level::SpecialDistrict,
        Level::Private,
        Level::Placeholder,
        Level::Unknown,
    ];

    /// The name as written in files, filters and outputs (`multi_agency`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Federal => "federal",
            Level::State => "state",
            Level::County => "county",
            Level::Local => "local",
            Level::Tribal => "tribal",
            Level::Education => "education",
            Level::MultiAgency => "multi_agency",
            Level::SpecialDistrict => "special_district",
            Level::Private => "private",
            Level::Placeholder => "placeholder",
            Level::Unknown => "unknown",
        }
    }

    /// The level named `text` (`multi_agency`, `multi-agency`, any case).
    pub fn parse(text: &str) -> Option<Level> {
        let t = text.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        Level::ALL.into_iter().find(|l| l.as_str() == t)
    }
}

/// The profile of one agency name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Profile {
    /// The state the name says, or an override gives (None: not known).
    pub state: Option<StateCode>,
    /// The level.
    pub level: Level,
    /// Marked `[Inactive]` or `(deactivated)`.
    pub inactive: bool,
    /// What decided it, briefly: `rule county`, `override agencies.toml:12`, `no agency`.
    pub source: String,
    /// What decided it, in full: how the state was read and which rule matched what.
    pub why: String,
    /// Its 287(g) agreements, when it matches ICE's list.
    pub partner: Option<Arc<partners::Found>>,
}

/// Works out profiles: the rules, the overrides and the 287(g) list in force.
#[derive(Clone, Debug)]
pub struct Profiler {
    /// The level rules and state aliases.
    pub rules: AgencyRules,
    /// Names the rules get wrong, fixed by hand.
    pub overrides: Overrides,
    /// ICE's 287(g) lists, when given.
    pub partners: Partners,
}

impl Default for Profiler {
    fn default() -> Profiler {
        Profiler {
            rules: AgencyRules::builtin(),
            overrides: Overrides::default(),
            partners: Partners::default(),
        }
    }
}

impl Profiler {
    /// The profile of one name.
    pub fn profile(&self, name: &str) -> Profile {
        let name = name.trim();
        if name.is_empty() || name == crate::ingest::catalog::UNKNOWN_AGENCY {
            return Profile {
                source: "no agency".into(),
                why: "the record does not say which agency searched".into(),
                ..Profile::default()
            };
        }
        let reading = name::read(name, self.rules.aliases());
        let (level, rule, matched) = self.rules.classify(&reading);
        let mut p = Profile {
            state: reading.state,
            level,
            inactive: reading.inactive,
            source: match rule {
                Some(r) => format!("rule {r}"),
                None => "no rule".into(),
            },
            why: match (rule, matched.as_deref()) {
                (Some(r), Some(m)) => format!(
                    "{}; level {} by rule {r} (\"{m}\")",
                    reading.how,
                    level.as_str()
                ),
                (Some(r), None) => format!("{}; level {} by rule {r}", reading.how, level.as_str()),
                _ => format!("{}; no level rule matched", reading.how),
            },
            partner: None,
        };
        if let Some(o) = self.overrides.get(name) {
            o.apply(&mut p);
        }
        p.partner = self.partners.find(p.state, &reading).map(Arc::new);
        p
    }
}

#[cfg(test)]
mod tests;

/// Where the profile rules, overrides and 287(g) lists come from (`--agency-rules FILE`,
/// `--agencies FILE`, `--partners FILE`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WhoOptions {
    /// Agency rules that replace (or, with `extends = "builtin"`, extend) the built-in ones.
    pub agency_rules: Option<std::path::PathBuf>,
    /// Overrides files, in order (a later one wins for a name).
    pub agencies: Vec<std::path::PathBuf>,
    /// ICE's 287(g) lists (XLSX or CSV).
    pub partners: Vec<std::path::PathBuf>,
}

impl Profiler {
    /// The profiler the options ask for. A file that cannot be used stops the command (its
    /// message names the file and what is wrong); rows of a 287(g) list that cannot be used are
    /// in `partners.warnings`.
    pub fn load(opts: &WhoOptions) -> Result<Profiler, String> {
        let mut p = Profiler::default();
        if let Some(r) = &opts.agency_rules {
            p.rules = AgencyRules::load(r).map_err(|e| e.to_string())?;
        }
        for f in &opts.agencies {
            p.overrides.load(f).map_err(|e| e.to_string())?;
        }
        for f in &opts.partners {
            p.partners.read(f).map_err(|e| e.to_string())?;
        }
        Ok(p)
    }

    /// This profiler with the profile corrections kept in an annotation file (`P` in the review
    /// UI; `origin` names the file), which win over `--agencies` files for their names. The
    /// same profiler when there are none.
    pub fn corrected(
        self: &Arc<Profiler>,
        saved: &[crate::model::annotation::FileAgency],
        origin: &str,
    ) -> Result<Arc<Profiler>, String> {
        if !saved.iter().any(|a| a.is_profile()) {
            return Ok(self.clone());
        }
        let mut p = (**self).clone();
        p.overrides
            .add_saved(saved, origin)
            .map_err(|e| e.to_string())?;
        Ok(Arc::new(p))
    }
}
