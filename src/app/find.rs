//! Finding text in the table (`f`, then the next and previous match): a plain,
//! case-insensitive search over the agency and reason of the records shown, highlighted where
//! it is found. The filter (`/`) chooses which records are shown; find only moves the cursor.

use regex::Regex;

use super::messages::Note;
use super::{Action, App, Mode};
use crate::model::Field;
use crate::review::dataset::Dataset;

/// A search in force.
#[derive(Clone, Debug)]
pub struct Find {
    /// What was typed.
    pub text: String,
    pattern: Option<Regex>,
    /// Per agency and per reason string: holds the text.
    agency: Vec<bool>,
    reason: Vec<bool>,
}

impl Find {
    /// A search for `text` (empty finds nothing) over the dataset's strings.
    pub fn new(text: &str, ds: &Dataset) -> Find {
        let pattern = (!text.is_empty())
            .then(|| Regex::new(&format!("(?i){}", regex::escape(text))).ok())
            .flatten();
        let table = |field: Field| -> Vec<bool> {
            ds.catalog
                .strings(field)
                .iter()
                .map(|s| pattern.as_ref().is_some_and(|p| p.is_match(s)))
                .collect()
        };
        Find {
            text: text.to_string(),
            agency: table(Field::Agency),
            reason: table(Field::Reason),
            pattern,
        }
    }

    /// True when a record's agency or reason holds the text.
    pub fn matches(&self, ds: &Dataset, row: u32) -> bool {
        let r = row as usize;
        let look = |table: &[bool], field: Field, sym: u32| match table.get(sym as usize) {
            Some(&m) => m,
            // A string interned after the search began (the load goes on).
            None => self
                .pattern
                .as_ref()
                .is_some_and(|p| p.is_match(ds.catalog.text(field, sym))),
        };
        look(&self.agency, Field::Agency, ds.agency[r])
            || look(&self.reason, Field::Reason, ds.reason[r])
    }

    /// Byte ranges of the text in `s`, for highlighting.
    pub fn spans(&self, s: &str) -> Vec<(u32, u32)> {
        self.pattern
            .as_ref()
            .map(|p| {
                p.find_iter(s)
                    .filter(|m| !m.is_empty())
                    .map(|m| (m.start() as u32, m.end() as u32))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The index in `rows` of the next (or previous) record after `from` that `find` matches,
/// going round the end. None when none does.
pub fn next_match(
    find: &Find,
    ds: &Dataset,
    rows: &[u32],
    from: usize,
    forward: bool,
) -> Option<usize> {
    next_where(rows.len(), from, forward, |i| find.matches(ds, rows[i]))
}

/// The index after `from` (or before it), going round the end, where `pred` holds.
pub fn next_where(
    len: usize,
    from: usize,
    forward: bool,
    pred: impl Fn(usize) -> bool,
) -> Option<usize> {
    (1..=len)
        .map(|k| {
            if forward {
                (from + k) % len
            } else {
                (from + len * 2 - k) % len
            }
        })
        .find(|&i| pred(i))
}

/// The find prompt: the search applies as it is typed, the cursor on the first match from
/// where it was; Enter keeps it, Esc restores the search and cursor from before.
pub(super) fn find_prompt(app: &mut App, action: Action) {
    let Mode::Find {
        input,
        before,
        origin,
    } = &mut app.mode
    else {
        return;
    };
    let origin = *origin;
    let edited = match input.edit(&action, false) {
        Some(edited) => edited,
        None => match action {
            Action::NextMatch(forward) => {
                go_to_match(app, forward);
                return;
            }
            Action::Submit => {
                app.mode = Mode::Normal;
                match &app.find {
                    Some(f) if !f.text.is_empty() => {
                        let n = app
                            .view
                            .rows
                            .iter()
                            .filter(|&&r| f.matches(&app.ds, r))
                            .count();
                        let text = f.text.clone();
                        app.tell(Note::Found { records: n, text });
                    }
                    _ => app.find = None,
                }
                return;
            }
            Action::Cancel => {
                let before = before.take();
                app.mode = Mode::Normal;
                app.find = before.map(|t| Find::new(&t, &app.ds));
                app.view.select_index(origin);
                app.message = None;
                return;
            }
            _ => false,
        },
    };
    if edited {
        let text = input.text().to_string();
        let find = Find::new(&text, &app.ds);
        // From where the search began, the first match (the record there included).
        let from = origin
            .checked_sub(1)
            .unwrap_or(app.view.rows.len().saturating_sub(1));
        match next_match(&find, &app.ds, &app.view.rows, from, true) {
            Some(i) => {
                app.view.select_index(i);
                app.message = None;
            }
            None if !text.is_empty() => {
                app.view.select_index(origin);
                app.tell(Note::NotFound(text));
            }
            None => app.view.select_index(origin),
        }
        app.find = Some(find);
    }
}

/// Moves to the next (or previous) record holding the text found.
pub(super) fn go_to_match(app: &mut App, forward: bool) {
    let Some(find) = app.find.as_ref().filter(|f| !f.text.is_empty()) else {
        app.tell(Note::NothingToFind);
        return;
    };
    let cursor = app.view.cursor;
    match next_match(find, &app.ds, &app.view.rows, cursor, forward) {
        Some(i) => {
            let wrapped = (i > cursor) != forward || i == cursor;
            app.view.select_index(i);
            if wrapped {
                app.tell(Note::WentRound);
            }
        }
        None => {
            let text = find.text.clone();
            app.tell(Note::NotFound(text));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goes_round_the_end_both_ways() {
        let odd = |i: usize| i % 2 == 1;
        assert_eq!(next_where(6, 1, true, odd), Some(3));
        assert_eq!(next_where(6, 5, true, odd), Some(1), "round the end");
        assert_eq!(next_where(6, 1, false, odd), Some(5), "round the start");
        assert_eq!(next_where(6, 3, true, |i| i == 3), Some(3), "itself, last");
        assert_eq!(next_where(0, 0, true, odd), None);
        assert_eq!(next_where(4, 0, true, |_| false), None);
    }
}
