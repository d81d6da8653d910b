//! The note editor: several lines; Ctrl-S saves the note (with the verdict as it is), Esc
//! leaves it as it was.

use super::annotate::{annotation_for, change, record};
use super::messages::Note;
use super::{Action, App, Effect, Mode};

pub(super) fn note(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    let Mode::Note { row, input } = &mut app.mode else {
        return;
    };
    let row = *row;
    if input.edit(&action, true).is_some() {
        return;
    }
    match action {
        Action::Submit => {
            let text = input.text().trim_end().to_string();
            app.mode = Mode::Normal;
            let step = change(app, &[row], |app, row, old| {
                let verdict = old.and_then(|a| a.verdict);
                if verdict.is_none() && text.is_empty() {
                    return None;
                }
                let mut a = annotation_for(app, row, verdict, old);
                a.note = text.as_str().into();
                Some(a)
            });
            record(app, step, fx);
            app.tell(Note::NoteSaved);
        }
        Action::Cancel => {
            app.mode = Mode::Normal;
            app.tell(Note::NoteUnchanged);
        }
        _ => {}
    }
}
