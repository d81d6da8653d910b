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
