//! The export dialog: a path, then choices cycled with ←/→; Enter exports (a second Enter to
//! replace an existing file).

use super::messages::Note;
use super::{Action, App, Effect, Mode, TextInput};

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
    // The choices in order: CSV, JSONL, JSON, a report folder. The file name follows.
    let stamp = app.clock.local_stamp.clone();
    let set_format = |d: &mut super::ExportDialog, f: Option<Format>| {
        let text = d.path.text().to_string();
        let stem = if d.report {
            text.strip_prefix("alpr-triage-report-")
                .map(|rest| format!("alpr-triage-export-{rest}"))
                .filter(|_| text == format!("alpr-triage-report-{stamp}"))
        } else {
            text.strip_suffix(&format!(".{}", ext(d.format)))
                .map(str::to_string)
        };
        match (stem, f) {
            (Some(stem), Some(f)) => d.path = TextInput::new(&format!("{stem}.{}", ext(f))),
            (Some(stem), None) => {
                let folder = stem.replacen("alpr-triage-export-", "alpr-triage-report-", 1);
                d.path = TextInput::new(&folder);
            }
            _ => {}
        }
        d.report = f.is_none();
        if let Some(f) = f {
            d.format = f;
        }
    };
    let order = [
        Some(Format::Csv),
        Some(Format::Jsonl),
        Some(Format::Json),
        None,
    ];
    let cycle = |d: &super::ExportDialog, forward: bool| {
        let now = if d.report { None } else { Some(d.format) };
        let i = order.iter().position(|f| *f == now).unwrap_or(0);
        order[(i + if forward { 1 } else { order.len() - 1 }) % order.len()]
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
                    let f = cycle(d, forward);
                    set_format(d, f);
                }
                2 => d.all = !d.all,
                _ => d.redact = !d.redact,
            }
        }
        Action::Input(' ') if d.focus != 0 => match d.focus {
            1 => {
                let f = cycle(d, true);
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
                app.tell(Note::ExportNeedsName);
                return;
            }
            if path.exists() && !d.confirm_replace {
                d.confirm_replace = true;
                app.tell(Note::ExportExists(path.display().to_string()));
                return;
            }
            let (format, all, redact, report) = (d.format, d.all, d.redact, d.report);
            let rows: Vec<u32> = if report {
                Vec::new()
            } else if all {
                (0..app.ds.len() as u32).collect()
            } else {
                app.view.rows.to_vec()
            };
            app.mode = Mode::Normal;
            app.tell(if report {
                Note::Reporting
            } else {
                Note::Exporting(rows.len())
            });
            fx.push(Effect::Export(Box::new(super::ExportRequest {
                path,
                format,
                rows,
                redact,
                query: app.query_description(),
                scope: if all { "all records" } else { "current filter" },
                report,
                report_query: if all {
                    String::new()
                } else {
                    app.filter_text.trim().to_string()
                },
            })));
        }
        Action::Cancel | Action::Quit => app.mode = Mode::Normal,
        _ => {}
    }
}
