//! `update(app, action) -> effects`: every change to the session goes through here.

use super::agencies::{agency_profile, name_agency, open_agency_profile, open_name_agency};
use super::annotate::{clear_verdict, confirm, confirm_quit, set_verdict, undo_redo};
use super::export_dialog::export_dialog;
use super::filter_line::filter_line;
use super::find::{find_prompt, go_to_match};
use super::layout::Layout;
use super::messages::Note;
use super::note::note;
use super::picker::{open_picker, picker};
use super::{Action, App, Effect, Keep, Mode, SaveState, TextInput};
use crate::model::VerdictCode;
use crate::review::loader::LoadEvent;

/// Applies one action. Returns what the session must do (save, read a record, quit).
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
            Ok(done) if done.report => app.tell(Note::Reported {
                path: done.path,
                records: done.records,
            }),
            Ok(done) => app.tell(Note::Exported {
                path: done.path,
                records: done.records,
            }),
            Err(e) => app.tell(Note::ExportFailed(e)),
        },
        Action::ContextLoaded(row, groups) => app.context_loaded(row, groups),
        Action::AnnotationsLoaded(read) => app.annotations_loaded(*read),
        Action::SortReady(key, order) => app.sort_ready(key, order),
        Action::DetailLoaded(row, r) => {
            if app.selected() == Some(row) {
                app.detail = Some((row, r));
            }
        }
        Action::FilterStep(budget) => {
            if app.step_filter(budget) {
                // Moves pressed while it ran, on the rows it gave.
                for a in app.take_deferred() {
                    fx.extend(update(app, a));
                }
            }
        }
        Action::ExportProgress(n) => app.tell(Note::ExportProgress(n)),
        Action::RetrySave => fx.push(Effect::Save),
        Action::Terminate => {
            if app.save != SaveState::Clean {
                fx.push(Effect::Save);
            }
            app.quit = true;
            fx.push(Effect::Quit);
        }
        Action::Interrupt => interrupt(app, &mut fx),
        other => match &app.mode {
            Mode::Normal if app.summary.shown => match other {
                Action::Quit => quit(app, &mut fx),
                other => app.summary_key(other),
            },
            Mode::Normal => normal(app, other, &mut fx),
            Mode::Context(_) => app.context_key(other),
            Mode::Filter { .. } => filter_line(app, other),
            Mode::Note { .. } => note(app, other, &mut fx),
            Mode::Picker(_) => picker(app, other),
            Mode::Help { .. } | Mode::Warnings { .. } => overlay(app, other),
            Mode::Confirm { .. } => confirm(app, other, &mut fx),
            Mode::ConfirmQuit { .. } => confirm_quit(app, other, &mut fx),
            Mode::Export(_) => export_dialog(app, other, &mut fx),
            Mode::Find { .. } => find_prompt(app, other),
            Mode::NameAgency { .. } => name_agency(app, other, &mut fx),
            Mode::AgencyProfile { .. } => agency_profile(app, other, &mut fx),
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
                if let Some(ds) = std::sync::Arc::get_mut(&mut app.ds) {
                    ds.reserve(estimate.min(200_000_000));
                }
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
    // Only the app holds the dataset while it loads (an export is refused until the load is
    // in; a reload gives the app a new one).
    let Some(ds) = std::sync::Arc::get_mut(&mut app.ds) else {
        return;
    };
    let range = ds.apply(ev);
    app.rows_added(range);
    if finished {
        // Rows came in load order; now sort them. Where the last session left off, if it can
        // be found; else, until the user moves, at the top.
        if let Some(keep) = app.keep_after_load.take() {
            app.start_filter_keeping(keep);
            return;
        }
        // While the annotation file is read, where the reviewer left off waits for it (the
        // first record without a verdict is not known yet).
        if !app.annotations_loading && !app.moved && app.resume_session() {
            return;
        }
        app.start_filter_keeping(if app.moved { Keep::Current } else { Keep::Top });
    }
}

fn on_saved(app: &mut App, result: Result<(), String>) {
    match result {
        Ok(()) => {
            if matches!(app.save, SaveState::Failed { .. }) {
                app.tell(Note::SavedAgain(app.store.len()));
            }
            app.pending = 0;
            app.save = SaveState::Saved(app.clock.local_time.clone());
        }
        Err(error) => {
            let unsaved = app.pending.max(1);
            app.tell(Note::NotSaved {
                unsaved,
                error: error.clone(),
            });
            app.save = SaveState::Failed { error, unsaved };
        }
    }
}

fn normal(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    let page = app.view.height.max(1) as isize;
    let moves = matches!(
        action,
        Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom
            | Action::Scroll(_)
            | Action::NextUndecided(_)
            | Action::NextMatch(_)
    );
    if moves && app.filter_pending() && !app.loading.active {
        app.defer(action);
        return;
    }
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
        Action::Click(y) => click(app, y),
        Action::OpenFilter => {
            app.mode = Mode::Filter {
                input: TextInput::new(&app.filter_text),
                before: app.filter_text.clone(),
            };
        }
        Action::ToggleAll | Action::CycleSort | Action::ReverseSort => change_view(app, action),
        Action::OpenAgencyPicker => open_picker(app),
        Action::Verdict(_)
        | Action::ClearVerdict
        | Action::EditNote
        | Action::BulkVerdict(_)
        | Action::NameAgency
        | Action::AgencyProfile
        | Action::Undo
        | Action::Redo
        | Action::OpenExport
            if app.annotations_loading =>
        {
            app.tell(Note::AnnotationsLoading);
        }
        Action::Verdict(v) => set_verdict(app, v, fx),
        Action::ClearVerdict => clear_verdict(app, fx),
        Action::EditNote => open_note(app),
        Action::BulkVerdict(verdict) => open_bulk(app, verdict),
        Action::NextUndecided(forward) => next_undecided(app, forward),
        Action::OpenFind => {
            app.mode = Mode::Find {
                input: TextInput::new(app.find.as_ref().map(|f| f.text.as_str()).unwrap_or("")),
                before: app.find.as_ref().map(|f| f.text.clone()),
                origin: app.view.cursor,
            };
        }
        Action::NextMatch(forward) => go_to_match(app, forward),
        Action::NameAgency => open_name_agency(app),
        Action::AgencyProfile => open_agency_profile(app),
        Action::Undo => undo_redo(app, true, fx),
        Action::Redo => undo_redo(app, false, fx),
        Action::OpenExport if app.loading.active => {
            app.tell(Note::WaitForLoad);
        }
        Action::OpenExport => open_export(app),
        Action::Help => app.mode = Mode::Help { scroll: 0 },
        Action::Warnings => app.mode = Mode::Warnings { scroll: 0 },
        Action::DetailScroll(n) => app.detail_scroll = (app.detail_scroll as i32 + n).max(0) as u16,
        Action::Quit => quit(app, fx),
        Action::Cancel => {
            // Esc leaves a context view first; else it clears the message.
            let left_context = app.unpin();
            if !left_context {
                app.message = None;
            }
        }
        Action::OpenSummary => app.open_summary(),
        Action::OpenContext => app.open_context(fx),
        _ => {}
    }
}

/// A click in the table selects the row under the pointer.
fn click(app: &mut App, y: u16) {
    if let Some(i) = Layout::compute(app.size.0, app.size.1).table_row_at(y) {
        let idx = app.view.offset + i;
        if idx < app.view.rows.len() {
            app.view.select_index(idx);
        }
    }
}

/// Flagged/all, and the sort column and direction: the filter runs again.
fn change_view(app: &mut App, action: Action) {
    match action {
        Action::ToggleAll => {
            app.all_records = !app.all_records;
            app.start_filter();
            app.tell(Note::Showing {
                all: app.all_records,
            });
        }
        Action::CycleSort => {
            app.sort = (app.sort.0.next(), false);
            app.start_filter();
            app.tell(Note::Sorted {
                column: app.sort.0.label(),
                descending: None,
            });
        }
        Action::ReverseSort => {
            app.sort.1 = !app.sort.1;
            app.start_filter();
            app.tell(Note::Sorted {
                column: app.sort.0.label(),
                descending: Some(app.sort.1),
            });
        }
        _ => {}
    }
}

/// The note editor, on the selected record's note.
fn open_note(app: &mut App) {
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

/// The bulk prompt, saying how many of the shown records already have a verdict.
fn open_bulk(app: &mut App, verdict: crate::model::Verdict) {
    let count = app.view.rows.len();
    if app.filter_pending() {
        app.tell(Note::WaitForFilter);
    } else if count == 0 {
        app.tell(Note::NoRecordsInFilter);
    } else {
        let decided = count - app.counts.shown[0]
            + app
                .view
                .rows
                .iter()
                .filter(|&&r| app.verdict_code(r) == VerdictCode::CONFLICT)
                .count();
        app.mode = Mode::Confirm {
            verdict,
            count,
            decided,
        };
    }
}

/// `]` / `[`: the next (previous) shown record without a verdict, going round the ends.
fn next_undecided(app: &mut App, forward: bool) {
    let rows = &app.view.rows;
    let undecided = |i: usize| !app.verdict_code(rows[i]).is_decided();
    match super::find::next_where(rows.len(), app.view.cursor, forward, undecided) {
        Some(i) => {
            let wrapped = (i > app.view.cursor) != forward;
            app.view.select_index(i);
            if wrapped {
                app.tell(Note::WentRound);
            }
        }
        None => app.tell(Note::AllDecided),
    }
}

/// The export dialog, with a dated file name.
fn open_export(app: &mut App) {
    let ext = "csv";
    let name = format!("alpr-triage-export-{}.{ext}", app.clock.local_stamp);
    app.mode = Mode::Export(super::ExportDialog {
        path: TextInput::new(&name),
        format: crate::output::Format::Csv,
        report: false,
        all: false,
        redact: false,
        focus: 0,
        confirm_replace: false,
    });
}

/// `q`: quits, unless saves failed (then asks first).
fn quit(app: &mut App, fx: &mut Vec<Effect>) {
    match &app.save {
        SaveState::Failed { unsaved, .. } => {
            app.mode = Mode::ConfirmQuit { unsaved: *unsaved };
        }
        _ => {
            app.quit = true;
            fx.push(Effect::Quit);
        }
    }
}

/// Ctrl-C: quit from wherever the reviewer is, keeping what they typed.
fn interrupt(app: &mut App, fx: &mut Vec<Effect>) {
    match &app.mode {
        Mode::ConfirmQuit { .. } => {
            app.quit = true;
            fx.push(Effect::Quit);
            return;
        }
        Mode::Note { row, input } => {
            let saved = app.annotation(*row).map(|a| a.note.as_str()).unwrap_or("");
            if input.text().trim_end() != saved {
                note(app, Action::Submit, fx);
            }
        }
        Mode::Filter { .. } => filter_line(app, Action::Cancel),
        _ => {}
    }
    app.mode = Mode::Normal;
    normal(app, Action::Quit, fx);
}

fn overlay(app: &mut App, action: Action) {
    let len = match &app.mode {
        Mode::Help { .. } => super::help::lines(&app.key_help).len(),
        Mode::Warnings { .. } => app.warning_lines().len(),
        _ => return,
    };
    let max = super::help::max_scroll(len, app.size);
    let page = super::help::overlay_rows(app.size).saturating_sub(1).max(1) as u16;
    let scroll = match &mut app.mode {
        Mode::Help { scroll } | Mode::Warnings { scroll } => scroll,
        _ => return,
    };
    match action {
        Action::Up => *scroll = scroll.saturating_sub(1),
        Action::Down => *scroll = scroll.saturating_add(1).min(max),
        Action::PageUp => *scroll = scroll.saturating_sub(page),
        Action::PageDown => *scroll = scroll.saturating_add(page).min(max),
        Action::Top => *scroll = 0,
        Action::Bottom => *scroll = max,
        Action::Cancel | Action::Quit | Action::Help | Action::Warnings | Action::Submit => {
            app.mode = Mode::Normal
        }
        _ => {}
    }
}
