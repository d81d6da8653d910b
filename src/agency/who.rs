//! Profiles of a load's agencies, worked out once per distinct name, and each record's searcher
//! set against its file's owner: out of state, federal, private, 287(g) partner.

use std::sync::Arc;

use serde_json::Value;

use super::{Level, Profile, Profiler};
use crate::ingest::{AgencyOrigin, FileReport};
use crate::intern::Sym;

/// The owner of a file: the agency whose cameras or records it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Owner {
    /// Its name.
    pub name: String,
    /// Where the name came from (`from the file name`, `named for this file`).
    pub origin: &'static str,
    /// Its profile.
    pub profile: Profile,
}

/// How a record's searcher stands to its file's owner.
#[derive(Clone, Copy, Debug)]
pub struct Who<'a> {
    /// The searcher's profile.
    pub searcher: &'a Profile,
    /// The file's owner, when known.
    pub owner: Option<&'a Owner>,
}

impl Who<'_> {
    /// True or false when both states are known; None otherwise.
    pub fn out_of_state(&self) -> Option<bool> {
        let a = self.searcher.state?;
        let b = self.owner?.profile.state?;
        Some(a != b)
    }

    /// The searcher is a federal agency.
    pub fn federal(&self) -> bool {
        self.searcher.level == Level::Federal
    }

    /// The searcher is a private organization.
    pub fn private(&self) -> bool {
        self.searcher.level == Level::Private
    }

    /// The searcher holds a 287(g) agreement.
    pub fn partner(&self) -> bool {
        self.searcher.partner.is_some()
    }

    /// The fields every output carries: `agency_state`, `agency_level`, `owner`,
    /// `owner_state`, `out_of_state`, `partner_287g`.
    pub fn fields(&self) -> [(&'static str, Value); 6] {
        let state = |p: &Profile| {
            p.state
                .map_or(Value::Null, |s| Value::String(s.as_str().into()))
        };
        [
            ("agency_state", state(self.searcher)),
            (
                "agency_level",
                Value::String(self.searcher.level.as_str().into()),
            ),
            (
                "owner",
                self.owner
                    .map_or(Value::Null, |o| Value::String(o.name.clone())),
            ),
            (
                "owner_state",
                self.owner.map_or(Value::Null, |o| state(&o.profile)),
            ),
            (
                "out_of_state",
                self.out_of_state().map_or(Value::Null, Value::Bool),
            ),
            ("partner_287g", partner_value(self.searcher)),
        ]
    }
}

/// `partner_287g` of a profile: null, or its support types.
pub fn partner_value(p: &Profile) -> Value {
    match &p.partner {
        None => Value::Null,
        Some(f) => Value::Array(
            f.support_types()
                .into_iter()
                .map(|s| Value::String(s.into()))
                .collect(),
        ),
    }
}

/// The names of the fields [`Who::fields`] gives, in order.
pub const WHO_FIELDS: [&str; 6] = [
    "agency_state",
    "agency_level",
    "owner",
    "owner_state",
    "out_of_state",
    "partner_287g",
];

/// The profiles of a load: one per agency symbol, and each file's owner.
#[derive(Clone, Debug, Default)]
pub struct Profiles {
    /// What worked them out.
    pub profiler: Arc<Profiler>,
    by_sym: Vec<Option<Profile>>,
    owners: Vec<Option<Owner>>,
    unknown: Profile,
}

impl Profiles {
    /// Profiles for these agency names (a catalog's agency column, by symbol) and files, on
    /// every core.
    pub fn build(profiler: Arc<Profiler>, names: &[Box<str>], files: &[&FileReport]) -> Profiles {
        use rayon::prelude::*;
        let by_sym: Vec<Option<Profile>> = names
            .par_iter()
            .map(|n| Some(profiler.profile(n)))
            .collect();
        let mut p = Profiles {
            unknown: profiler.profile(""),
            profiler,
            by_sym,
            owners: Vec::new(),
        };
        for (i, f) in files.iter().enumerate() {
            p.set_owner(i, f);
        }
        p
    }

    /// Sets the owner of file `i` from its report.
    pub fn set_owner(&mut self, i: usize, f: &FileReport) {
        if self.owners.len() <= i {
            self.owners.resize(i + 1, None);
        }
        self.owners[i] = owner_of(&self.profiler, f);
    }

    /// Makes sure symbol `sym` (named `name`) has a profile (for a load still under way).
    pub fn ensure(&mut self, sym: Sym, name: &str) {
        let i = sym as usize;
        if self.by_sym.len() <= i {
            self.by_sym.resize(i + 1, None);
        }
        if self.by_sym[i].is_none() {
            self.by_sym[i] = Some(self.profiler.profile(name));
        }
    }

    /// The profile of an agency symbol (`unknown` for one never profiled).
    pub fn of(&self, sym: Sym) -> &Profile {
        self.by_sym
            .get(sym as usize)
            .and_then(Option::as_ref)
            .unwrap_or(&self.unknown)
    }

    /// How many symbols have a profile.
    pub fn len(&self) -> usize {
        self.by_sym.len()
    }

    /// True when none has.
    pub fn is_empty(&self) -> bool {
        self.by_sym.is_empty()
    }

    /// The owner of file `file`.
    pub fn owner(&self, file: usize) -> Option<&Owner> {
        self.owners.get(file).and_then(Option::as_ref)
    }

    /// A record's searcher and owner.
    pub fn who(&self, agency: Sym, file: usize) -> Who<'_> {
        Who {
            searcher: self.of(agency),
            owner: self.owner(file),
        }
    }
}

/// The owner of a file, from its report: the name it or its folder gives, a portal page's
/// `crawled_name`, or `--owner PATH=NAME`; `--agency NAME` names a searcher, not an owner.
pub fn owner_of(profiler: &Profiler, f: &FileReport) -> Option<Owner> {
    if f.agency_origin == AgencyOrigin::Option {
        return None;
    }
    let name = f.file_agency.as_deref()?;
    Some(Owner {
        name: name.to_string(),
        origin: f.agency_origin.describe(),
        profile: profiler.profile(name),
    })
}
