//! Agency overrides: the names the rules get wrong, fixed by hand (`--agencies FILE`), each
//! naming the agency exactly as the data does and giving its state, level or inactive mark.
//!
//! ```toml
//! [[agency]]
//! name = "Hiddenbrooke (CA)"
//! level = "private"
//! note = "a homeowners' association in Vallejo"
//!
//! [[agency]]
//! name = "Yuba County Sheriffs Office"
//! state = "CA"
//! ```

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use super::rules::AgencyFileError;
use super::{Level, Profile, StateCode};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OverridesFile {
    #[serde(default)]
    agency: Vec<toml::Spanned<OverrideDef>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OverrideDef {
    name: String,
    state: Option<String>,
    level: Option<String>,
    inactive: Option<bool>,
    note: Option<String>,
}

/// One override.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    /// The name as the file writes it.
    pub name: String,
    /// The state (`Some(None)`: `state = ""`, the name has no state).
    pub state: Option<Option<StateCode>>,
    /// The level.
    pub level: Option<Level>,
    /// The inactive mark.
    pub inactive: Option<bool>,
    /// Why, in the reviewer's words.
    pub note: Option<String>,
    /// `file:line`.
    pub origin: String,
}

impl Override {
    /// Applies it to a profile worked out by the rules.
    pub fn apply(&self, p: &mut Profile) {
        if let Some(s) = self.state {
            p.state = s;
        }
        if let Some(l) = self.level {
            p.level = l;
        }
        if let Some(i) = self.inactive {
            p.inactive = i;
        }
        p.source = format!("override {}", self.origin);
        p.why = match &self.note {
            Some(n) => format!(
                "override at {} ({n}); the rules said: {}",
                self.origin, p.why
            ),
            None => format!("override at {}; the rules said: {}", self.origin, p.why),
        };
    }
}

/// The overrides in force, by name (trimmed, spaces collapsed, any case).
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    by_name: HashMap<String, Override>,
    /// The files they came from, in order.
    pub files: Vec<String>,
}

/// The key a name is looked up by.
pub fn key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl Overrides {
    /// Reads an overrides file; a later file's entry for a name replaces an earlier one's.
    pub fn load(&mut self, path: &Path) -> Result<(), AgencyFileError> {
        let shown = crate::sanitize::visible(&path.display().to_string()).into_owned();
        let text = std::fs::read_to_string(path).map_err(|source| AgencyFileError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        // An annotation file: the profile corrections the review UI saved in it (`P`).
        if text.trim_start().starts_with('{') {
            let doc = crate::store::read_document(path).map_err(|e| AgencyFileError::Syntax {
                origin: shown.clone(),
                message: e.to_string(),
            })?;
            return self.add_saved(&doc.agencies, &shown);
        }
        self.add_toml(&text, &shown)
    }

    /// Adds the overrides of TOML text; `origin` names it in messages and sources.
    pub fn add_toml(&mut self, text: &str, origin: &str) -> Result<(), AgencyFileError> {
        let syntax = |message: String| AgencyFileError::Syntax {
            origin: origin.to_string(),
            message,
        };
        let file: OverridesFile =
            toml::from_str(text).map_err(|e| syntax(e.to_string().trim().replace('\n', " ")))?;
        for spanned in file.agency {
            let line = 1 + text[..spanned.span().start.min(text.len())]
                .bytes()
                .filter(|b| *b == b'\n')
                .count();
            let at = format!("{origin}:{line}");
            let d = spanned.into_inner();
            self.add_def(d, at)?;
        }
        self.files.push(origin.to_string());
        Ok(())
    }

    /// Checks one entry and adds it (a later entry for a name replaces an earlier one).
    fn add_def(&mut self, d: OverrideDef, at: String) -> Result<(), AgencyFileError> {
        let bad = |m: String| AgencyFileError::Syntax {
            origin: at.clone(),
            message: format!("agency {:?}: {m}", crate::sanitize::visible(&d.name)),
        };
        if d.name.trim().is_empty() {
            return Err(bad("the name is empty".into()));
        }
        let state = match d.state.as_deref().map(str::trim) {
            None => None,
            Some("") => Some(None),
            Some(s) => Some(Some(StateCode::parse(s).ok_or_else(|| {
                bad(format!(
                    "state {s:?} is not a two-letter state code (or \"\" for none)"
                ))
            })?)),
        };
        let level = match d.level.as_deref() {
            None => None,
            Some(l) => Some(Level::parse(l).ok_or_else(|| {
                bad(format!(
                    "level {l:?} is not one of {}",
                    Level::ALL.map(Level::as_str).join(", ")
                ))
            })?),
        };
        if state.is_none() && level.is_none() && d.inactive.is_none() {
            return Err(bad("gives no state, level or inactive to change".into()));
        }
        self.by_name.insert(
            key(&d.name),
            Override {
                name: d.name.trim().to_string(),
                state,
                level,
                inactive: d.inactive,
                note: d.note,
                origin: at,
            },
        );
        Ok(())
    }

    /// Adds the profile corrections kept in an annotation file (`P` in the review UI); `origin`
    /// names the file. Entries that name a file's agency are not profile corrections and are
    /// left alone.
    pub fn add_saved(
        &mut self,
        saved: &[crate::model::annotation::FileAgency],
        origin: &str,
    ) -> Result<(), AgencyFileError> {
        let mut any = false;
        for a in saved.iter().filter(|a| a.is_profile()) {
            any = true;
            let d = OverrideDef {
                name: a.agency.clone(),
                state: a.state.clone(),
                level: a.level.clone(),
                inactive: a.inactive,
                note: a.note.clone(),
            };
            let at = format!(
                "{origin} (set by {} at {})",
                crate::sanitize::visible(&a.named_by),
                crate::sanitize::visible(&a.named_at)
            );
            self.add_def(d, at)?;
        }
        if any {
            self.files.push(origin.to_string());
        }
        Ok(())
    }

    /// The override for a name.
    pub fn get(&self, name: &str) -> Option<&Override> {
        if self.by_name.is_empty() {
            return None;
        }
        self.by_name.get(&key(name))
    }

    /// Every override, by name.
    pub fn all(&self) -> impl Iterator<Item = &Override> {
        let mut v: Vec<&Override> = self.by_name.values().collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v.into_iter()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }
}
