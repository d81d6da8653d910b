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
                app.tell(Note::ExportNeedsName);
                return;
            }
            if path.exists() && !d.confirm_replace {
                d.confirm_replace = true;
                app.tell(Note::ExportExists(path.display().to_string()));
                return;
            }
            let (format, all, redact) = (d.format, d.all, d.redact);
            let rows: Vec<u32> = if all {
                (0..app.ds.len() as u32).collect()
            } else {
                app.view.rows.clone()
            };
            app.mode = Mode::Normal;
            app.tell(Note::Exporting(rows.len()));
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
