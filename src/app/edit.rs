//! Text fields and dialogs: the filter line, the note editor, the agency picker, the export
//! dialog.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use super::annotate::{annotation_for, change, record};
use super::{Action, App, Effect, Mode, Picker, TextInput};
use crate::model::Field;
use crate::review::filter::Query;

/// Edits the filter line; every change applies at once when it parses.
pub(super) fn filter_line(app: &mut App, action: Action) {
    let Mode::Filter { input, before } = &mut app.mode else {
        return;
    };
    let edited = match action {
        Action::Input(c) => {
            input.insert(c);
            true
        }
        Action::Backspace => {
            input.backspace();
            true
        }
        Action::ClearLine => {
            *input = TextInput::new("");
            true
        }
        Action::Delete => {
            input.delete();
            true
        }
        Action::Left => {
            input.left();
            false
        }
        Action::Right => {
            input.right();
            false
        }
        Action::Home => {
            input.home();
            false
        }
        Action::End => {
            input.end();
            false
        }
        Action::Submit => {
            // Only the query shown is ever applied: one that does not parse keeps the line
            // open with its error (esc restores the filter from before).
            let text = input.text().to_string();
            if let Err(e) = Query::parse(&text, &app.rules) {
                app.say(
                    format!(
                        "filter: {} (column {}) — fix it, or {} to keep the filter from before",
                        e.message,
                        e.at + 1,
                        app.key_help
                            .key_of(crate::app::keys::KeyMode::Filter, "cancel")
                            .unwrap_or("esc")
                    ),
                    true,
                );
                return;
            }
            app.mode = Mode::Normal;
            if text.trim() != app.filter_text.trim() {
                let _ = apply_filter_text(app, &text);
            }
            app.message = None;
            return;
        }
        Action::Cancel => {
            let before = before.clone();
            app.mode = Mode::Normal;
            if before != app.filter_text {
                let _ = apply_filter_text(app, &before);
            }
            app.message = None;
            return;
        }
        _ => false,
    };
    if edited {
        let text = input.text().to_string();
        let _ = apply_filter_text(app, &text);
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
            app.say(format!("filter: {} (column {})", e.message, e.at + 1), true);
            Err(())
        }
    }
}

pub(super) fn note(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    let Mode::Note { row, input } = &mut app.mode else {
        return;
    };
    let row = *row;
    match action {
        Action::Input(c) => input.insert(c),
        Action::Newline => input.insert('\n'),
        Action::Backspace => input.backspace(),
        Action::Delete => input.delete(),
        Action::Left => input.left(),
        Action::Right => input.right(),
        Action::Home => input.home(),
        Action::End => input.end(),
        Action::Submit => {
            let text = input.text().trim_end().to_string();
            app.mode = Mode::Normal;
            let step = change(app, &[row], |app, row, old| {
                let verdict = old.and_then(|a| a.verdict);
                if verdict.is_none() && text.is_empty() {
                    return None;
                }
                let mut a = annotation_for(app, row, verdict, old);
                a.note = text.clone();
                Some(a)
            });
            record(app, step, fx);
            app.say("note saved", false);
        }
        Action::Cancel => {
            app.mode = Mode::Normal;
            app.say("note not changed", false);
        }
        _ => {}
    }
}

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
                    app.say(format!("filtered to {name}"), false);
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
        let m = SkimMatcherV2::default().ignore_case();
        let mut scored: Vec<(i64, usize)> = p
            .agencies
            .iter()
            .enumerate()
            .filter_map(|(i, (sym, _, _))| {
                m.fuzzy_match(ds.catalog.text(Field::Agency, *sym), pattern)
                    .map(|s| (s, i))
            })
            .collect();
        scored.sort_by_key(|&(s, i)| (std::cmp::Reverse(s), i));
        p.shown = scored.into_iter().map(|(_, i)| i).collect();
    }
    p.cursor = p.cursor.min(p.shown.len().saturating_sub(1));
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
    let edited = match action {
        Action::Input(c) => {
            input.insert(c);
            true
        }
        Action::Backspace => {
            input.backspace();
            true
        }
        Action::Delete => {
            input.delete();
            true
        }
        Action::ClearLine => {
            *input = TextInput::new("");
            true
        }
        Action::Left => {
            input.left();
            false
        }
        Action::Right => {
            input.right();
            false
        }
        Action::Home => {
            input.home();
            false
        }
        Action::End => {
            input.end();
            false
        }
        Action::NextMatch(forward) => {
            next_match(app, forward);
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
                    app.say(
                        format!(
                            "{n} record{} shown hold {:?} — {} / {} go to the next / previous",
                            if n == 1 { "" } else { "s" },
                            f.text,
                            app.key("next-match"),
                            app.key("previous-match")
                        ),
                        false,
                    );
                }
                _ => app.find = None,
            }
            return;
        }
        Action::Cancel => {
            let before = before.take();
            app.mode = Mode::Normal;
            app.find = before.map(|t| super::find::Find::new(&t, &app.ds));
            app.view.select_index(origin);
            app.message = None;
            return;
        }
        _ => false,
    };
    if edited {
        let text = input.text().to_string();
        let find = super::find::Find::new(&text, &app.ds);
        // From where the search began, the first match (the record there included).
        let from = origin
            .checked_sub(1)
            .unwrap_or(app.view.rows.len().saturating_sub(1));
        match super::find::next_match(&find, &app.ds, &app.view.rows, from, true) {
            Some(i) => {
                app.view.select_index(i);
                app.message = None;
            }
            None if !text.is_empty() => {
                app.view.select_index(origin);
                app.say(format!("{text:?} is not in the records shown"), true);
            }
            None => app.view.select_index(origin),
        }
        app.find = Some(find);
    }
}

/// Moves to the next (or previous) record holding the text found.
pub(super) fn next_match(app: &mut App, forward: bool) {
    let Some(find) = app.find.as_ref().filter(|f| !f.text.is_empty()) else {
        app.say(
            format!("nothing to find yet: {} finds text", app.key("find")),
            false,
        );
        return;
    };
    let cursor = app.view.cursor;
    match super::find::next_match(find, &app.ds, &app.view.rows, cursor, forward) {
        Some(i) => {
            let wrapped = (i > cursor) != forward || i == cursor;
            app.view.select_index(i);
            if wrapped {
                app.say("went round the end of the list", false);
            }
        }
        None => {
            let text = find.text.clone();
            app.say(format!("{text:?} is not in the records shown"), true);
        }
    }
}

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
        app.say(
            "this record's agency comes from its Org Name column; only files that name no agency can be named",
            true,
        );
        return;
    }
    let current = match entry.report.agency_origin {
        crate::ingest::AgencyOrigin::Metadata | crate::ingest::AgencyOrigin::FileName => {
            entry.report.file_agency.clone()
        }
        _ => None,
    };
    if let Some(a) = current {
        app.say(
            format!("this file names its agency itself ({a}); it is not changed by hand"),
            true,
        );
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
    match action {
        Action::Input(c) => input.insert(c),
        Action::Backspace => input.backspace(),
        Action::Delete => input.delete(),
        Action::ClearLine => *input = TextInput::new(""),
        Action::Left => input.left(),
        Action::Right => input.right(),
        Action::Home => input.home(),
        Action::End => input.end(),
        Action::Submit => {
            let name = input.text().trim().to_string();
            app.mode = Mode::Normal;
            if name.is_empty() {
                app.say("no name given: nothing changed", false);
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
            app.say(
                format!(
                    "named the agency of {}: {name} (kept with the annotations); reading the files again",
                    input.display
                ),
                false,
            );
        }
        Action::Cancel => app.mode = Mode::Normal,
        _ => {}
    }
}

/// The export dialog: a path, then choices cycled with ←/→.
pub(super) fn export_dialog(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    use crate::output::Format;
    let Mode::Export(d) = &mut app.mode else {
        return;
    };
    let ext = |f: Format| match f {
        Format::Csv => "csv",
        Format::Jsonl => "jsonl",
        Format::Json => "json",
    };
    let set_format = |d: &mut super::ExportDialog, f: Format| {
        let old = ext(d.format);
        let text = d.path.text().to_string();
        if let Some(stem) = text.strip_suffix(&format!(".{old}")) {
            d.path = TextInput::new(&format!("{stem}.{}", ext(f)));
        }
        d.format = f;
    };
    let cycle = |f: Format, forward: bool| match (f, forward) {
        (Format::Csv, true) | (Format::Json, false) => Format::Jsonl,
        (Format::Jsonl, true) | (Format::Csv, false) => Format::Json,
        (Format::Json, true) | (Format::Jsonl, false) => Format::Csv,
    };
    match action {
        Action::NextField => d.focus = (d.focus + 1) % 4,
        Action::Up => d.focus = (d.focus + 3) % 4,
        Action::Left | Action::Right => {
            let forward = matches!(action, Action::Right);
            match d.focus {
                0 if forward => d.path.right(),
                0 => d.path.left(),
                1 => {
                    let f = cycle(d.format, forward);
                    set_format(d, f);
                }
                2 => d.all = !d.all,
                _ => d.redact = !d.redact,
            }
        }
        Action::Input(' ') if d.focus != 0 => match d.focus {
            1 => {
                let f = cycle(d.format, true);
                set_format(d, f);
            }
            2 => d.all = !d.all,
            _ => d.redact = !d.redact,
        },
        Action::Input(c) if d.focus == 0 => {
            d.path.insert(c);
            d.confirm_replace = false;
        }
        Action::Backspace if d.focus == 0 => d.path.backspace(),
        Action::ClearLine if d.focus == 0 => d.path = TextInput::new(""),
        Action::Home => d.path.home(),
        Action::End => d.path.end(),
        Action::Submit => {
            let path = std::path::PathBuf::from(d.path.text().trim());
            if path.as_os_str().is_empty() {
                app.say("give the export a file name", true);
                return;
            }
            if path.exists() && !d.confirm_replace {
                d.confirm_replace = true;
                app.say(
                    format!(
                        "{} exists: press {} again to replace it",
                        path.display(),
                        app.key_help
                            .key_of(crate::app::keys::KeyMode::Export, "submit")
                            .unwrap_or("enter")
                    ),
                    true,
                );
                return;
            }
            let (format, all, redact) = (d.format, d.all, d.redact);
            let rows: Vec<u32> = if all {
                (0..app.ds.len() as u32).collect()
            } else {
                app.view.rows.clone()
            };
            app.mode = Mode::Normal;
            app.say(format!("exporting {} records…", rows.len()), false);
            fx.push(Effect::Export(Box::new(super::ExportRequest {
                path,
                format,
                rows,
                redact,
                query: app.query_description(),
                scope: if all { "all records" } else { "current filter" },
            })));
        }
        Action::Cancel | Action::Quit => app.mode = Mode::Normal,
        _ => {}
    }
}
