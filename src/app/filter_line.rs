//! The filter line: the query applies as it is typed (when it parses); Enter keeps it, or keeps
//! the line open with the error when it does not parse; Esc restores the filter from before.

use super::messages::Note;
use super::{Action, App, Mode};
use crate::review::filter::Query;

/// Edits the filter line; every change applies at once when it parses.
pub(super) fn filter_line(app: &mut App, action: Action) {
    let Mode::Filter { input, before } = &mut app.mode else {
        return;
    };
    if let Some(edited) = input.edit(&action, false) {
        if edited {
            let text = input.text().to_string();
            let _ = apply_filter_text(app, &text);
        }
        return;
    }
    match action {
        Action::Submit => {
            // Only the query shown is ever applied: one that does not parse keeps the line
            // open with its error (esc restores the filter from before).
            let text = input.text().to_string();
            if let Err(e) = Query::parse(&text, &app.rules) {
                app.tell(Note::BadFilter {
                    message: e.message,
                    column: e.at + 1,
                    on_enter: true,
                });
                return;
            }
            app.mode = Mode::Normal;
            if text.trim() != app.filter_text.trim() {
                let _ = apply_filter_text(app, &text);
            }
            app.message = None;
        }
        Action::Cancel => {
            let before = before.clone();
            app.mode = Mode::Normal;
            if before != app.filter_text {
                let _ = apply_filter_text(app, &before);
            }
            app.message = None;
        }
        _ => {}
    }
}

/// Parses and applies filter text; a bad query keeps the last good filter and says why.
pub(super) fn apply_filter_text(app: &mut App, text: &str) -> Result<(), ()> {
    match Query::parse(text, &app.rules) {
        Ok(q) => {
            app.filter_text = text.to_string();
            app.filter_query = q;
            app.message = None;
            app.start_filter_keeping(super::Keep::Top);
            Ok(())
        }
        Err(e) => {
            app.tell(Note::BadFilter {
                message: e.message,
                column: e.at + 1,
                on_enter: false,
            });
            Err(())
        }
    }
}
