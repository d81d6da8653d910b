//! The agency picker: every agency with its flagged and total records, fuzzy-filtered as it is
//! typed; Enter filters the table to one.

use super::filter_line::apply_filter_text;
use super::messages::Note;
use super::{Action, App, Mode, Picker, TextInput};
use crate::model::Field;

pub(super) fn picker(app: &mut App, action: Action) {
    let Mode::Picker(p) = &mut app.mode else {
        return;
    };
    match action {
        Action::Input(c) => {
            p.input.insert(c);
            refilter_picker(&app.ds, p);
        }
        Action::Backspace => {
            p.input.backspace();
            refilter_picker(&app.ds, p);
        }
        Action::ClearLine => {
            p.input = TextInput::new("");
            refilter_picker(&app.ds, p);
        }
        Action::Up => p.cursor = p.cursor.saturating_sub(1),
        Action::Down => p.cursor = (p.cursor + 1).min(p.shown.len().saturating_sub(1)),
        Action::PageUp => p.cursor = p.cursor.saturating_sub(10),
        Action::PageDown => p.cursor = (p.cursor + 10).min(p.shown.len().saturating_sub(1)),
        Action::Submit => {
            let chosen = p.shown.get(p.cursor).map(|&i| p.agencies[i].0);
            app.mode = Mode::Normal;
            if let Some(sym) = chosen {
                let name = app.ds.catalog.text(Field::Agency, sym).to_string();
                let mut kept: Vec<String> = crate::review::filter::terms(&app.filter_text)
                    .into_iter()
                    .filter(|t| {
                        let l = t.to_ascii_lowercase();
                        !l.starts_with("agency:") && !l.starts_with("-agency:")
                    })
                    .collect();
                kept.push(format!("agency:=\"{}\"", name.replace('"', "")));
                let text = kept.join(" ");
                if apply_filter_text(app, &text).is_ok() {
                    // A choice starts at the top of its records.
                    app.tell(Note::FilteredTo(name));
                }
            }
        }
        Action::Cancel => app.mode = Mode::Normal,
        _ => {}
    }
}

pub(super) fn open_picker(app: &mut App) {
    let n = app.ds.catalog.len(Field::Agency);
    let mut counts = vec![(0usize, 0usize); n];
    for r in 0..app.ds.len() as u32 {
        let c = &mut counts[app.ds.agency[r as usize] as usize];
        c.1 += 1;
        if app.ds.is_flagged(r) {
            c.0 += 1;
        }
    }
    let mut agencies: Vec<(u32, usize, usize)> = counts
        .iter()
        .enumerate()
        .filter(|(_, c)| c.1 > 0)
        .map(|(s, c)| (s as u32, c.0, c.1))
        .collect();
    agencies.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)));
    let mut p = Picker {
        agencies,
        ..Picker::default()
    };
    refilter_picker(&app.ds, &mut p);
    app.mode = Mode::Picker(p);
}

pub(super) fn refilter_picker(ds: &crate::review::dataset::Dataset, p: &mut Picker) {
    let pattern = p.input.text().trim();
    if pattern.is_empty() {
        p.shown = (0..p.agencies.len()).collect();
    } else {
        let m = crate::review::filter::Fuzzy::new();
        let mut scored: Vec<(i64, usize)> = p
            .agencies
            .iter()
            .enumerate()
            .filter_map(|(i, (sym, _, _))| {
                m.score(ds.catalog.text(Field::Agency, *sym), pattern)
                    .map(|s| (s, i))
            })
            .collect();
        scored.sort_by_key(|&(s, i)| (std::cmp::Reverse(s), i));
        p.shown = scored.into_iter().map(|(_, i)| i).collect();
    }
    p.cursor = p.cursor.min(p.shown.len().saturating_sub(1));
}
