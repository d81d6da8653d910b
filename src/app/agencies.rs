//! Naming the agency of a file that names none (`A`): the name is kept with the annotations and
//! the files are read again with it.

use super::messages::Note;
use super::{Action, App, Effect, Mode, TextInput};

/// Opens the prompt naming the selected record's file's agency, for a file that names none.
pub(super) fn open_name_agency(app: &mut App) {
    let Some(row) = app.selected() else {
        return;
    };
    let file = u32::from(app.ds.source(row).file);
    let Some(entry) = app.ds.files.get(file as usize) else {
        return;
    };
    if app.ds.agency_from_column(row) {
        app.tell(Note::AgencyFromColumn);
        return;
    }
    let current = match entry.report.agency_origin {
        crate::ingest::AgencyOrigin::Metadata | crate::ingest::AgencyOrigin::FileName => {
            entry.report.file_agency.clone()
        }
        _ => None,
    };
    if let Some(a) = current {
        app.tell(Note::AgencyNamedByFile(a));
        return;
    }
    let named = entry.report.file_agency.clone().unwrap_or_default();
    app.mode = Mode::NameAgency {
        file,
        input: TextInput::new(&named),
    };
}

/// The prompt naming a file's agency: Enter records the name with the annotations and reads
/// the inputs again.
pub(super) fn name_agency(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    let Mode::NameAgency { file, input } = &mut app.mode else {
        return;
    };
    let file = *file;
    if input.edit(&action, false).is_some() {
        return;
    }
    match action {
        Action::Submit => {
            let name = input.text().trim().to_string();
            app.mode = Mode::Normal;
            if name.is_empty() {
                app.tell(Note::NoAgencyGiven);
                return;
            }
            let Some(entry) = app.ds.files.get(file as usize) else {
                return;
            };
            let input = &entry.input;
            let path = std::fs::canonicalize(&input.path).unwrap_or_else(|_| input.path.clone());
            app.store
                .agencies
                .retain(|a| a.path != path && a.file != input.display);
            app.store.agencies.push(crate::store::FileAgency {
                file: input.display.clone(),
                path,
                agency: name.clone(),
                state: None,
                level: None,
                inactive: None,
                note: None,
                named_by: app.reviewer.clone(),
                named_at: app.clock.utc.clone(),
            });
            app.pending += 1;
            if !matches!(app.save, super::SaveState::Failed { .. }) {
                app.save = super::SaveState::Pending;
            }
            fx.push(Effect::Save);
            fx.push(Effect::Reload);
            let file = input.display.clone();
            app.tell(Note::AgencyNamed { file, agency: name });
        }
        Action::Cancel => app.mode = Mode::Normal,
        _ => {}
    }
}

/// Opens the prompt correcting the selected record's searching agency's profile (`P`), filled
/// with its profile as it stands (`NC county`).
pub(super) fn open_agency_profile(app: &mut App) {
    let Some(row) = app.selected() else {
        app.tell(Note::NoRecordSelected);
        return;
    };
    let agency = app.ds.agency_text(row).to_string();
    if agency.trim().is_empty() || agency == crate::ingest::catalog::UNKNOWN_AGENCY {
        app.tell(Note::NoAgencyToProfile);
        return;
    }
    let p = app.ds.who(row).searcher;
    let mut text = format!(
        "{} {}",
        p.state.map_or("-", |s| s.as_str()),
        p.level.as_str()
    );
    if p.inactive {
        text.push_str(" inactive");
    }
    app.mode = Mode::AgencyProfile {
        agency,
        input: TextInput::new(&text),
    };
}

/// A profile correction as typed, before it is kept with the annotations.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Correction {
    /// The state (`""`: the name has none).
    pub state: Option<String>,
    /// The level.
    pub level: Option<String>,
    /// Marked inactive or not.
    pub inactive: Option<bool>,
    /// Why.
    pub note: Option<String>,
}

/// A profile correction as typed: `STATE LEVEL [inactive|active] [# note]`, in any order;
/// `-` (or `none`) for no state. Returns the correction, or the word that is no state, level
/// or mark.
pub fn parse_profile(text: &str) -> Result<Correction, String> {
    let (words, note) = match text.split_once('#') {
        Some((w, n)) => (w, Some(n.trim().to_string()).filter(|n| !n.is_empty())),
        None => (text, None),
    };
    let (mut state, mut level, mut inactive) = (None, None, None);
    for w in words.split([' ', ',']).filter(|w| !w.is_empty()) {
        let lower = w.to_ascii_lowercase();
        if lower == "-" || lower == "none" {
            state = Some(String::new());
        } else if let Some(s) = crate::agency::StateCode::parse(w) {
            state = Some(s.as_str().to_string());
        } else if let Some(l) = crate::agency::Level::parse(w) {
            level = Some(l.as_str().to_string());
        } else if lower == "inactive" {
            inactive = Some(true);
        } else if lower == "active" {
            inactive = Some(false);
        } else {
            return Err(w.to_string());
        }
    }
    if state.is_none() && level.is_none() && inactive.is_none() {
        return Err(words.trim().to_string());
    }
    Ok(Correction {
        state,
        level,
        inactive,
        note,
    })
}

/// The prompt correcting an agency's profile: Enter keeps the correction with the annotations
/// (an empty line removes it) and profiles every agency again.
pub(super) fn agency_profile(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    let Mode::AgencyProfile { agency, input } = &mut app.mode else {
        return;
    };
    if input.edit(&action, false).is_some() {
        return;
    }
    match action {
        Action::Submit => {
            let agency = agency.clone();
            let text = input.text().trim().to_string();
            let key = crate::agency::overrides::key(&agency);
            let before = app.store.agencies.clone();
            app.store
                .agencies
                .retain(|a| !(a.is_profile() && crate::agency::overrides::key(&a.agency) == key));
            let note = if text.is_empty() {
                if app.store.agencies.len() == before.len() {
                    app.mode = Mode::Normal;
                    app.tell(Note::NoProfileCorrection(agency));
                    return;
                }
                Note::ProfileCorrectionRemoved(agency)
            } else {
                match parse_profile(&text) {
                    Ok(c) => {
                        app.store.agencies.push(crate::store::FileAgency {
                            file: String::new(),
                            path: Default::default(),
                            agency: agency.clone(),
                            state: c.state,
                            level: c.level,
                            inactive: c.inactive,
                            note: c.note,
                            named_by: app.reviewer.clone(),
                            named_at: app.clock.utc.clone(),
                        });
                        Note::ProfileCorrected {
                            agency,
                            profile: text,
                        }
                    }
                    Err(word) => {
                        // The prompt stays open with what was typed.
                        app.store.agencies = before;
                        app.tell(Note::BadProfile(word));
                        return;
                    }
                }
            };
            app.mode = Mode::Normal;
            app.pending += 1;
            if !matches!(app.save, super::SaveState::Failed { .. }) {
                app.save = super::SaveState::Pending;
            }
            fx.push(Effect::Save);
            app.reprofile(fx);
            app.tell(note);
        }
        Action::Cancel => app.mode = Mode::Normal,
        _ => {}
    }
}

impl App {
    /// Profiles every agency again with the corrections kept in the annotation file: in place
    /// when nothing else holds the dataset, else by reading the files again.
    pub(crate) fn reprofile(&mut self, fx: &mut Vec<Effect>) {
        let origin = self.store.path().display().to_string();
        let profiler = match self.who_base.corrected(&self.store.agencies, &origin) {
            Ok(p) => p,
            Err(e) => {
                self.tell(Note::BadProfile(e));
                return;
            }
        };
        self.job = None;
        self.count_job = None;
        match std::sync::Arc::get_mut(&mut self.ds) {
            Some(ds) => {
                ds.reprofile(profiler);
                self.detail = None;
                self.summary_stale();
                let keep = self
                    .selected()
                    .map(|r| super::Keep::Record(self.ds.ids[r as usize]))
                    .unwrap_or(super::Keep::Top);
                self.start_filter_keeping(keep);
            }
            None => fx.push(Effect::Reload),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Correction, parse_profile};

    fn c(
        state: Option<&str>,
        level: Option<&str>,
        inactive: Option<bool>,
        note: Option<&str>,
    ) -> Correction {
        Correction {
            state: state.map(String::from),
            level: level.map(String::from),
            inactive,
            note: note.map(String::from),
        }
    }

    #[test]
    fn a_profile_correction_reads_states_levels_marks_and_a_note() {
        assert_eq!(
            parse_profile("tx county").unwrap(),
            c(Some("TX"), Some("county"), None, None)
        );
        assert_eq!(
            parse_profile("- private inactive # an HOA").unwrap(),
            c(Some(""), Some("private"), Some(true), Some("an HOA"))
        );
        assert_eq!(
            parse_profile("multi-agency, CA").unwrap(),
            c(Some("CA"), Some("multi_agency"), None, None)
        );
        assert_eq!(
            parse_profile("active").unwrap(),
            c(None, None, Some(false), None)
        );
        assert_eq!(parse_profile("TX sheriff").unwrap_err(), "sheriff");
        assert_eq!(parse_profile("# only a note").unwrap_err(), "");
        assert_eq!(parse_profile("XX").unwrap_err(), "XX");
    }
}
