//! `update(app, action) -> effects`: every change to the session goes through here.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use super::layout::Layout;
use super::{Action, App, Effect, Mode, Picker, SaveState, Step, TextInput, annotation_code};
use crate::config::Advance;
use crate::dataset::NO_TIME;
use crate::filter::{Query, Term, verdict_code};
use crate::ingest::time::format_rfc3339;
use crate::loader::LoadEvent;
use crate::model::{Field, Verdict};
use crate::store::{Annotation, RecordSummary, now_rfc3339};

/// Applies one action. Returns what the runtime must do (save, read a record, quit).
pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    let before = app.selected();
    let mut fx = Vec::new();
    match action {
        Action::Resize(w, h) => {
            app.size = (w, h);
            app.view.height = Layout::compute(w, h).table_rows();
            app.view.clamp();
        }
        Action::Loaded(ev) => on_load(app, ev),
        Action::Saved(result) => on_saved(app, result),
        Action::Exported(r) => match r {
            Ok((path, n)) => app.say(
                format!("exported {n} records to {path} (methods manifest: {path}.manifest.json)"),
                false,
            ),
            Err(e) => app.say(format!("export failed: {e}"), true),
        },
        Action::DetailLoaded(row, r) => {
            if app.selected() == Some(row) {
                app.detail = Some((row, r));
            }
        }
        Action::Terminate => {
            if app.save != SaveState::Clean {
                fx.push(Effect::Save);
            }
            app.quit = true;
            fx.push(Effect::Quit);
        }
        other => match &app.mode {
            Mode::Normal => normal(app, other, &mut fx),
            Mode::Filter { .. } => filter_line(app, other),
            Mode::Note { .. } => note(app, other, &mut fx),
            Mode::Picker(_) => picker(app, other),
            Mode::Help { .. } | Mode::Warnings { .. } => overlay(app, other),
            Mode::Confirm { .. } => confirm(app, other, &mut fx),
            Mode::ConfirmQuit { .. } => confirm_quit(app, other, &mut fx),
            Mode::Export(_) => export_dialog(app, other, &mut fx),
        },
    }
    let after = app.selected();
    if let Some(row) = after
        && (after != before || app.detail.as_ref().is_none_or(|(r, _)| *r != row))
        && !fx.contains(&Effect::LoadDetail(row))
    {
        app.detail_scroll = 0;
        fx.push(Effect::LoadDetail(row));
    }
    if after.is_none() {
        app.detail = None;
    }
    fx
}

fn on_load(app: &mut App, ev: LoadEvent) {
    let finished = matches!(ev, LoadEvent::Finished { .. });
    match &ev {
        LoadEvent::Chunk(c) => {
            // Size the columns once, from the first chunk's bytes per row.
            if app.ds.is_empty() && c.bytes_done > 0 && !c.rows.is_empty() {
                let per_row = c.bytes_done as f64 / c.rows.len() as f64;
                let estimate = (app.loading.total_bytes as f64 / per_row * 1.05) as usize;
                app.ds.reserve(estimate.min(200_000_000));
            }
            app.loading.bytes_done = app.loading.bytes_done.max(c.bytes_done);
        }
        LoadEvent::Finished { elapsed } => {
            app.loading.active = false;
            app.loading.elapsed = Some(*elapsed);
            app.loading.bytes_done = app.loading.total_bytes;
        }
        _ => {}
    }
    let range = app.ds.apply(ev);
    app.rows_added(range);
    if finished {
        // Rows came in load order; now sort them. Until the user moves, start at the top.
        app.start_filter();
        if !app.moved {
            app.keep_selection = None;
            app.view.cursor = 0;
            app.view.offset = 0;
        }
    }
}

fn on_saved(app: &mut App, result: Result<(), String>) {
    match result {
        Ok(()) => {
            if matches!(app.save, SaveState::Failed { .. }) {
                app.say(
                    format!(
                        "saved again: all {} annotations are on disk",
                        app.store.len()
                    ),
                    false,
                );
            }
            app.pending = 0;
            app.save = SaveState::Saved(chrono::Local::now().format("%H:%M:%S").to_string());
        }
        Err(error) => {
            let unsaved = app.pending.max(1);
            app.say(
                format!(
                    "NOT SAVED ({unsaved} change{} only in memory): {error} — retrying every few seconds; free space or fix permissions",
                    if unsaved == 1 { "" } else { "s" }
                ),
                true,
            );
            app.save = SaveState::Failed { error, unsaved };
        }
    }
}

fn normal(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    let page = app.view.height.max(1) as isize;
    // Any key in the table counts as the user taking over the selection.
    app.moved = true;
    match action {
        Action::Up => app.view.move_by(-1),
        Action::Down => app.view.move_by(1),
        Action::PageUp => app.view.move_by(-page),
        Action::PageDown => app.view.move_by(page),
        Action::Top => app.view.move_by(isize::MIN / 2),
        Action::Bottom => app.view.move_by(isize::MAX / 2),
        Action::Scroll(n) => app.view.move_by(n as isize),
        Action::Click(y) => {
            if let Some(i) = Layout::compute(app.size.0, app.size.1).table_row_at(y) {
                let idx = app.view.offset + i;
                if idx < app.view.rows.len() {
                    app.view.select_index(idx);
                }
            }
        }
        Action::OpenFilter => {
            app.mode = Mode::Filter {
                input: TextInput::new(&app.filter_text),
                before: app.filter_text.clone(),
            };
        }
        Action::ToggleAll => {
            app.all_records = !app.all_records;
            app.start_filter();
            app.say(
                if app.all_records {
                    "showing all records (a to pick an agency, / to filter)"
                } else {
                    "showing flagged records"
                },
                false,
            );
        }
        Action::OpenAgencyPicker => open_picker(app),
        Action::CycleSort => {
            app.sort = (app.sort.0.next(), false);
            app.start_filter();
            app.say(format!("sorted by {}", app.sort.0.label()), false);
        }
        Action::ReverseSort => {
            app.sort.1 = !app.sort.1;
            app.start_filter();
            app.say(
                format!(
                    "sorted by {} {}",
                    app.sort.0.label(),
                    if app.sort.1 {
                        "descending"
                    } else {
                        "ascending"
                    }
                ),
                false,
            );
        }
        Action::Verdict(v) => set_verdict(app, v, fx),
        Action::ClearVerdict => clear_verdict(app, fx),
        Action::EditNote => {
            if let Some(row) = app.selected() {
                let note = app
                    .annotation(row)
                    .map(|a| a.note.clone())
                    .unwrap_or_default();
                app.mode = Mode::Note {
                    row,
                    input: TextInput::new(&note),
                };
            }
        }
        Action::BulkVerdict(verdict) => {
            let count = app.view.rows.len();
            if app.filtering() {
                app.say("wait for the filter to finish before a bulk verdict", true);
            } else if count == 0 {
                app.say("no records in this filter", true);
            } else {
                app.mode = Mode::Confirm { verdict, count };
            }
        }
        Action::Undo => undo_redo(app, true, fx),
        Action::Redo => undo_redo(app, false, fx),
        Action::OpenExport => {
            let ext = "csv";
            let name = format!(
                "alpr-triage-export-{}.{ext}",
                chrono::Local::now().format("%Y%m%d-%H%M%S")
            );
            app.mode = Mode::Export(super::ExportDialog {
                path: TextInput::new(&name),
                format: crate::output::Format::Csv,
                all: false,
                redact: false,
                focus: 0,
                confirm_replace: false,
            });
        }
        Action::Help => app.mode = Mode::Help { scroll: 0 },
        Action::Warnings => app.mode = Mode::Warnings { scroll: 0 },
        Action::DetailScroll(n) => app.detail_scroll = (app.detail_scroll as i32 + n).max(0) as u16,
        Action::Quit => match &app.save {
            SaveState::Failed { unsaved, .. } => {
                app.mode = Mode::ConfirmQuit { unsaved: *unsaved };
            }
            _ => {
                app.quit = true;
                fx.push(Effect::Quit);
            }
        },
        Action::Cancel => app.message = None,
        _ => {}
    }
}

/// Edits the filter line; every change applies at once when it parses.
fn filter_line(app: &mut App, action: Action) {
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
fn apply_filter_text(app: &mut App, text: &str) -> Result<(), ()> {
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

fn note(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
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

fn picker(app: &mut App, action: Action) {
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

fn open_picker(app: &mut App) {
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

fn refilter_picker(ds: &crate::dataset::Dataset, p: &mut Picker) {
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

fn overlay(app: &mut App, action: Action) {
    let scroll = match &mut app.mode {
        Mode::Help { scroll } | Mode::Warnings { scroll } => scroll,
        _ => return,
    };
    match action {
        Action::Up => *scroll = scroll.saturating_sub(1),
        Action::Down => *scroll = scroll.saturating_add(1),
        Action::PageUp => *scroll = scroll.saturating_sub(10),
        Action::PageDown => *scroll = scroll.saturating_add(10),
        Action::Top => *scroll = 0,
        Action::Cancel | Action::Quit | Action::Help | Action::Warnings | Action::Submit => {
            app.mode = Mode::Normal
        }
        _ => {}
    }
}

fn confirm(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    let Mode::Confirm { verdict, .. } = app.mode else {
        return;
    };
    match action {
        Action::Confirm | Action::Submit => {
            app.mode = Mode::Normal;
            let rows = app.view.rows.clone();
            let step = change(app, &rows, |app, row, old| {
                let mut a = annotation_for(app, row, Some(verdict), old);
                a.note = old.map(|o| o.note.clone()).unwrap_or_default();
                Some(a)
            });
            let n = step.changes.len();
            record(app, step, fx);
            app.say(
                format!(
                    "marked {n} records {} (u undoes all of them)",
                    verdict.label()
                ),
                false,
            );
            refilter_if_verdict_query(app);
        }
        Action::Cancel | Action::Quit => {
            app.mode = Mode::Normal;
            app.say("bulk verdict cancelled", false);
        }
        _ => {}
    }
}

/// The export dialog: a path, then choices cycled with ←/→.
fn export_dialog(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
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

fn confirm_quit(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    match action {
        Action::Confirm | Action::Submit => {
            app.quit = true;
            fx.push(Effect::Quit);
        }
        Action::Cancel | Action::Quit => {
            app.mode = Mode::Normal;
            fx.push(Effect::Save);
            app.say("not quitting; trying to save again", false);
        }
        _ => {}
    }
}

fn set_verdict(app: &mut App, verdict: Verdict, fx: &mut Vec<Effect>) {
    let Some(row) = app.selected() else {
        app.say("no record selected", true);
        return;
    };
    let step = change(app, &[row], |app, row, old| {
        let mut a = annotation_for(app, row, Some(verdict), old);
        a.note = old.map(|o| o.note.clone()).unwrap_or_default();
        Some(a)
    });
    record(app, step, fx);
    app.say(
        format!(
            "{}: {} · {}",
            verdict.label(),
            app.ds.agency_text(row),
            app.ds.reason_text(row)
        ),
        false,
    );
    if !refilter_if_verdict_query(app) {
        advance(app);
    }
}

fn clear_verdict(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(row) = app.selected() else {
        return;
    };
    if app.annotation(row).is_none_or(|a| a.verdict.is_none()) {
        app.say("this record has no verdict", false);
        return;
    }
    let step = change(app, &[row], |app, row, old| {
        let note = old.map(|o| o.note.clone()).unwrap_or_default();
        if note.is_empty() {
            return None;
        }
        let mut a = annotation_for(app, row, None, old);
        a.note = note;
        Some(a)
    });
    record(app, step, fx);
    app.say("verdict cleared (u undoes)", false);
    refilter_if_verdict_query(app);
}

/// A verdict: filter must see the new verdicts. The cursor keeps its index, so in a
/// `verdict:none` work queue it lands on the next record. Returns true when it refiltered.
fn refilter_if_verdict_query(app: &mut App) -> bool {
    let has = app
        .effective_query()
        .clauses
        .iter()
        .any(|c| matches!(c.term, Term::Verdict(_)));
    if has {
        app.start_filter();
        app.keep_selection = None;
    }
    has
}

fn advance(app: &mut App) {
    match app.advance {
        Advance::Stay => {}
        Advance::Next => app.view.move_by(1),
        Advance::NextUnreviewed => {
            let start = app.view.cursor + 1;
            let next = app.view.rows[start.min(app.view.rows.len())..]
                .iter()
                .position(|&r| app.verdict_code(r) & !verdict_code::CONFLICT == verdict_code::NONE);
            match next {
                Some(i) => app.view.select_index(start + i),
                None => app.view.move_by(1),
            }
        }
    }
}

/// Builds an annotation by the current reviewer (note left empty for the caller).
fn annotation_for(
    app: &App,
    row: u32,
    verdict: Option<Verdict>,
    old: Option<&Annotation>,
) -> Annotation {
    let ds = &app.ds;
    let t = ds.time[row as usize];
    Annotation {
        record_id: ds.ids[row as usize],
        verdict,
        note: String::new(),
        reviewer: app.reviewer.clone(),
        annotated_at: now_rfc3339(),
        query: app.query_description(),
        record: RecordSummary {
            agency: ds.agency_text(row).to_string(),
            reason: ds.reason_text(row).to_string(),
            search_time: (t != NO_TIME).then(|| format_rfc3339(t)),
            sources: ds
                .sources(row)
                .into_iter()
                .map(|s| ds.source_text(s))
                .collect(),
        },
        reviews: old.map(|o| o.reviews.clone()).unwrap_or_default(),
        conflict: false,
        adjudicated_by: match old {
            Some(o) if o.conflict => Some(app.reviewer.clone()),
            Some(o) => o.adjudicated_by.clone(),
            None => None,
        },
    }
}

/// Changes the annotations of `rows` through `f(old) -> new` and returns the undo step.
fn change<F>(app: &mut App, rows: &[u32], f: F) -> Step
where
    F: Fn(&App, u32, Option<&Annotation>) -> Option<Annotation>,
{
    let mut changes = Vec::with_capacity(rows.len());
    for &row in rows {
        let id = app.ds.ids[row as usize];
        let before = app.store.get(id).cloned();
        let after = f(app, row, before.as_ref());
        if before == after {
            continue;
        }
        set_annotation(app, id, after.clone());
        changes.push((id, before, after));
    }
    Step { changes }
}

fn set_annotation(app: &mut App, id: crate::model::RecordId, a: Option<Annotation>) {
    let code = a.as_ref().map(annotation_code).unwrap_or(0);
    match a {
        Some(a) => {
            app.store.set(a);
        }
        None => {
            app.store.remove(id);
        }
    }
    if let Some(row) = app.ds.row_of(id)
        && let Some(v) = app.verdicts.get_mut(row as usize)
    {
        *v = code;
    }
}

/// Keeps a step for undo and asks for a save.
fn record(app: &mut App, step: Step, fx: &mut Vec<Effect>) {
    if step.changes.is_empty() {
        return;
    }
    app.undo.push(step);
    app.redo.clear();
    app.pending += 1;
    if !matches!(app.save, SaveState::Failed { .. }) {
        app.save = SaveState::Pending;
    }
    fx.push(Effect::Save);
}

fn undo_redo(app: &mut App, undo: bool, fx: &mut Vec<Effect>) {
    let Some(step) = (if undo { app.undo.pop() } else { app.redo.pop() }) else {
        app.say(
            if undo {
                "nothing to undo"
            } else {
                "nothing to redo"
            },
            false,
        );
        return;
    };
    for (id, before, after) in &step.changes {
        set_annotation(app, *id, if undo { before.clone() } else { after.clone() });
    }
    let n = step.changes.len();
    if let Some((id, _, _)) = step.changes.first()
        && let Some(row) = app.ds.row_of(*id)
        && let Some(i) = app.view.rows.iter().position(|&r| r == row)
    {
        app.view.select_index(i);
    }
    if undo {
        app.redo.push(step);
    } else {
        app.undo.push(step);
    }
    app.pending += 1;
    if !matches!(app.save, SaveState::Failed { .. }) {
        app.save = SaveState::Pending;
    }
    fx.push(Effect::Save);
    app.say(
        format!(
            "{} {n} change{}",
            if undo { "undid" } else { "redid" },
            if n == 1 { "" } else { "s" }
        ),
        false,
    );
    refilter_if_verdict_query(app);
}
