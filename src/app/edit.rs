//! Text fields and dialogs: the filter line, the note editor, the agency picker, the export
//! dialog.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use super::annotate::{annotation_for, change, record};
use super::{Action, App, Effect, Mode, Picker, TextInput};
use crate::filter::Query;
use crate::model::Field;

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
            let text = input.text().to_string();
            app.mode = Mode::Normal;
            if text.trim() != app.filter_text.trim() && apply_filter_text(app, &text).is_err() {
                app.say(
                    format!("kept the last good filter: {}", app.filter_text),
                    true,
                );
            } else {
                app.message = None;
            }
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
            app.start_filter();
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
                let mut kept: Vec<String> = crate::filter::terms(&app.filter_text)
                    .into_iter()
                    .filter(|t| {
                        let l = t.to_ascii_lowercase();
                        !l.starts_with("agency:") && !l.starts_with("-agency:")
                    })
                    .collect();
                kept.push(format!("agency:=\"{}\"", name.replace('"', "")));
                let text = kept.join(" ");
                if apply_filter_text(app, &text).is_ok() {
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

pub(super) fn refilter_picker(ds: &crate::dataset::Dataset, p: &mut Picker) {
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
                    format!("{} exists: press enter again to replace it", path.display()),
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
