//! Verdicts, notes, bulk changes and undo: every change to an annotation, as undoable steps.

use super::messages::Note;
use super::{Action, App, Effect, Mode, SaveState, Step};
use crate::config::Advance;
use crate::ingest::time::format_rfc3339;
use crate::model::Verdict;
use crate::model::VerdictCode;
use crate::model::annotation::intern;
use crate::review::dataset::NO_TIME;
use crate::review::filter::Term;
use crate::store::{Annotation, RecordSummary};

/// The bulk-verdict prompt. It changes only records without a verdict unless asked to
/// overwrite; Enter alone confirms only a change of one record.
pub(super) fn confirm(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    let Mode::Confirm {
        verdict,
        count,
        decided,
    } = app.mode
    else {
        return;
    };
    let overwrite = match action {
        Action::BulkApply { overwrite } => overwrite,
        Action::Confirm | Action::Submit if count == 1 => true,
        Action::Confirm | Action::Submit => {
            app.tell(Note::BulkNeedsKey {
                undecided: count - decided,
                count,
            });
            return;
        }
        Action::Cancel | Action::Quit => {
            app.mode = Mode::Normal;
            app.tell(Note::BulkCancelled);
            return;
        }
        _ => return,
    };
    if !overwrite && decided == count {
        app.tell(Note::BulkAllDecided(count));
        return;
    }
    app.mode = Mode::Normal;
    let rows: Vec<u32> = app
        .view
        .rows
        .iter()
        .copied()
        .filter(|&r| overwrite || app.verdict_code(r) == VerdictCode::NONE)
        .collect();
    let step = change(app, &rows, |app, row, old| {
        let mut a = annotation_for(app, row, Some(verdict), old);
        a.note = old.map(|o| o.note.clone()).unwrap_or_default();
        Some(a)
    });
    let n = step.changes.len();
    record(app, step, fx);
    app.tell(Note::BulkDone {
        changed: n,
        verdict,
        kept: if overwrite { 0 } else { decided },
    });
    refilter_if_verdict_query(app);
}

pub(super) fn confirm_quit(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    match action {
        Action::Confirm | Action::Submit => {
            app.quit = true;
            fx.push(Effect::Quit);
        }
        Action::Cancel | Action::Quit => {
            app.mode = Mode::Normal;
            fx.push(Effect::Save);
            app.tell(Note::NotQuitting);
        }
        _ => {}
    }
}

pub(super) fn set_verdict(app: &mut App, verdict: Verdict, fx: &mut Vec<Effect>) {
    let Some(row) = app.selected() else {
        app.tell(Note::NoRecordSelected);
        return;
    };
    let step = change(app, &[row], |app, row, old| {
        let mut a = annotation_for(app, row, Some(verdict), old);
        a.note = old.map(|o| o.note.clone()).unwrap_or_default();
        Some(a)
    });
    record(app, step, fx);
    app.tell(Note::VerdictGiven {
        verdict,
        agency: app.ds.agency_text(row).to_string(),
        reason: app.ds.reason_text(row).to_string(),
    });
    if !refilter_if_verdict_query(app) {
        advance(app);
    }
}

pub(super) fn clear_verdict(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(row) = app.selected() else {
        return;
    };
    if app.annotation(row).is_none_or(|a| a.verdict.is_none()) {
        app.tell(Note::NoVerdictToClear);
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
    app.tell(Note::VerdictCleared);
    refilter_if_verdict_query(app);
}

/// A verdict: filter must see the new verdicts. The cursor keeps its index, so in a
/// `verdict:none` work queue it lands on the next record. Returns true when it refiltered.
pub(super) fn refilter_if_verdict_query(app: &mut App) -> bool {
    let has = app
        .effective_query()
        .clauses
        .iter()
        .any(|c| matches!(c.term, Term::Verdict(_)));
    if has {
        app.start_filter_keeping(super::Keep::Index);
    }
    has
}

pub(super) fn advance(app: &mut App) {
    match app.advance {
        Advance::Stay => {}
        Advance::Next => app.view.move_by(1),
        Advance::NextUnreviewed => {
            let start = app.view.cursor + 1;
            let next = app.view.rows[start.min(app.view.rows.len())..]
                .iter()
                .position(|&r| !app.verdict_code(r).is_decided());
            match next {
                Some(i) => app.view.select_index(start + i),
                None => app.view.move_by(1),
            }
        }
    }
}

/// Builds an annotation by the current reviewer (note left empty for the caller).
pub(super) fn annotation_for(
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
        note: Default::default(),
        reviewer: intern(&app.reviewer),
        annotated_at: app.clock.utc.as_str().into(),
        query: intern(&app.query_description()),
        record: RecordSummary {
            agency: intern(ds.agency_text(row)),
            reason: intern(ds.reason_text(row)),
            search_time: (t != NO_TIME).then(|| format_rfc3339(t).into()),
            sources: ds.source_texts(row).into(),
        },
        reviews: old.map(|o| o.reviews.clone()).unwrap_or_default(),
        conflict: false,
        adjudicated_by: match old {
            Some(o) if o.conflict => Some(intern(&app.reviewer)),
            Some(o) => o.adjudicated_by.clone(),
            None => None,
        },
    }
}

/// Changes the annotations of `rows` through `f(old) -> new` and returns the undo step.
pub(super) fn change<F>(app: &mut App, rows: &[u32], f: F) -> Step
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

pub(super) fn set_annotation(app: &mut App, id: crate::model::RecordId, a: Option<Annotation>) {
    let code = a.as_ref().map(Annotation::code).unwrap_or_default();
    match a {
        Some(a) => {
            app.store.set(a);
        }
        None => {
            app.store.remove(id);
        }
    }
    if let Some(row) = app.ds.row_of(id) {
        app.set_verdict_code(row, code);
    }
}

/// Keeps a step for undo and asks for a save.
pub(super) fn record(app: &mut App, step: Step, fx: &mut Vec<Effect>) {
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

pub(super) fn undo_redo(app: &mut App, undo: bool, fx: &mut Vec<Effect>) {
    let Some(step) = (if undo { app.undo.pop() } else { app.redo.pop() }) else {
        app.tell(Note::NothingTo { undo });
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
    app.tell(Note::Undid { undo, changes: n });
    refilter_if_verdict_query(app);
}
