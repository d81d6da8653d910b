//! Keys → actions: one table of bindings, each with a description. The help overlay and the
//! status-line hints are generated from it, and the config file rebinds actions by name.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::{Action, Mode};
use crate::model::Verdict;

/// Which bindings apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyMode {
    /// The table.
    Normal,
    /// The filter line.
    Filter,
    /// The note editor.
    Note,
    /// The agency picker.
    Picker,
    /// Help and warnings.
    Overlay,
    /// A yes/no prompt.
    Confirm,
    /// The export dialog.
    Export,
}

impl KeyMode {
    /// The key mode for an app mode.
    pub fn of(mode: &Mode) -> KeyMode {
        match mode {
            Mode::Normal => KeyMode::Normal,
            Mode::Filter { .. } => KeyMode::Filter,
            Mode::Note { .. } => KeyMode::Note,
            Mode::Picker(_) => KeyMode::Picker,
            Mode::Help { .. } | Mode::Warnings { .. } => KeyMode::Overlay,
            Mode::Confirm { .. } | Mode::ConfirmQuit { .. } => KeyMode::Confirm,
            Mode::Export(_) => KeyMode::Export,
        }
    }

    fn title(self) -> &'static str {
        match self {
            KeyMode::Normal => "Records",
            KeyMode::Filter => "Filter line",
            KeyMode::Note => "Note editor",
            KeyMode::Picker => "Agency picker",
            KeyMode::Overlay => "Help and warnings",
            KeyMode::Confirm => "Prompts",
            KeyMode::Export => "Export dialog",
        }
    }

    /// Modes where typed characters are text.
    fn takes_text(self) -> bool {
        matches!(
            self,
            KeyMode::Filter | KeyMode::Note | KeyMode::Picker | KeyMode::Export
        )
    }
}

/// A key: code plus ctrl/alt (shift is folded into the character).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    /// The key.
    pub code: KeyCode,
    /// Ctrl.
    pub ctrl: bool,
    /// Alt.
    pub alt: bool,
}

impl Key {
    /// From a terminal key event.
    pub fn from_event(e: &KeyEvent) -> Key {
        Key {
            code: e.code,
            ctrl: e.modifiers.contains(KeyModifiers::CONTROL),
            alt: e.modifiers.contains(KeyModifiers::ALT),
        }
    }

    /// Parses `y`, `Y`, `ctrl-r`, `alt-x`, `enter`, `esc`, `pgdn`, `f1`, `space`, `?`.
    pub fn parse(s: &str) -> Option<Key> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = s.trim();
        loop {
            let lower = rest.to_ascii_lowercase();
            if let Some(r) = lower
                .strip_prefix("ctrl-")
                .or_else(|| lower.strip_prefix("c-"))
            {
                ctrl = true;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower
                .strip_prefix("alt-")
                .or_else(|| lower.strip_prefix("m-"))
            {
                alt = true;
                rest = &rest[rest.len() - r.len()..];
            } else {
                break;
            }
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" | "cr" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "backspace" | "bs" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "tab" => KeyCode::Tab,
            "space" => KeyCode::Char(' '),
            f if f.len() >= 2 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                KeyCode::F(f[1..].parse().ok()?)
            }
            _ => {
                let mut chars = rest.chars();
                let c = chars.next()?;
                if chars.next().is_some() {
                    return None;
                }
                KeyCode::Char(if ctrl { c.to_ascii_lowercase() } else { c })
            }
        };
        Some(Key { code, ctrl, alt })
    }

    /// How the key is shown in help.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Enter => "enter".to_string(),
            KeyCode::Esc => "esc".to_string(),
            KeyCode::Backspace => "backspace".to_string(),
            KeyCode::Delete => "del".to_string(),
            KeyCode::Up => "↑".to_string(),
            KeyCode::Down => "↓".to_string(),
            KeyCode::Left => "←".to_string(),
            KeyCode::Right => "→".to_string(),
            KeyCode::PageUp => "pgup".to_string(),
            KeyCode::PageDown => "pgdn".to_string(),
            KeyCode::Home => "home".to_string(),
            KeyCode::End => "end".to_string(),
            KeyCode::Tab => "tab".to_string(),
            KeyCode::Char(' ') => "space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::F(n) => format!("f{n}"),
            other => format!("{other:?}"),
        };
        format!(
            "{}{}{base}",
            if self.ctrl { "ctrl-" } else { "" },
            if self.alt { "alt-" } else { "" }
        )
    }
}

/// One binding.
#[derive(Clone, Debug)]
pub struct Binding {
    /// Where it applies.
    pub mode: KeyMode,
    /// The key.
    pub key: Key,
    /// The action's name (config files use it).
    pub action: &'static str,
    /// What it does.
    pub desc: &'static str,
    /// Shown in the status-line hints.
    pub hint: bool,
}

/// Every bindable action by name.
pub fn action_by_name(name: &str) -> Option<Action> {
    Some(match name {
        "up" => Action::Up,
        "down" => Action::Down,
        "page-up" => Action::PageUp,
        "page-down" => Action::PageDown,
        "top" => Action::Top,
        "bottom" => Action::Bottom,
        "filter" => Action::OpenFilter,
        "toggle-all" => Action::ToggleAll,
        "agency-picker" => Action::OpenAgencyPicker,
        "sort" => Action::CycleSort,
        "sort-reverse" => Action::ReverseSort,
        "verdict-immigration" => Action::Verdict(Verdict::Immigration),
        "verdict-not" => Action::Verdict(Verdict::NotImmigration),
        "verdict-unsure" => Action::Verdict(Verdict::Unsure),
        "verdict-clear" => Action::ClearVerdict,
        "edit-note" => Action::EditNote,
        "bulk-immigration" => Action::BulkVerdict(Verdict::Immigration),
        "bulk-not" => Action::BulkVerdict(Verdict::NotImmigration),
        "bulk-unsure" => Action::BulkVerdict(Verdict::Unsure),
        "undo" => Action::Undo,
        "redo" => Action::Redo,
        "help" => Action::Help,
        "warnings" => Action::Warnings,
        "detail-down" => Action::DetailScroll(3),
        "detail-up" => Action::DetailScroll(-3),
        "quit" => Action::Quit,
        "submit" => Action::Submit,
        "cancel" => Action::Cancel,
        "confirm" => Action::Confirm,
        "backspace" => Action::Backspace,
        "delete" => Action::Delete,
        "left" => Action::Left,
        "right" => Action::Right,
        "home" => Action::Home,
        "end" => Action::End,
        "newline" => Action::Newline,
        "clear-line" => Action::ClearLine,
        "export" => Action::OpenExport,
        "next-field" => Action::NextField,
        _ => return None,
    })
}

/// The default bindings: (mode, keys, action, description, hint).
const DEFAULTS: &[(KeyMode, &[&str], &str, &str, bool)] = &[
    (
        KeyMode::Normal,
        &["up", "k"],
        "up",
        "previous record",
        false,
    ),
    (
        KeyMode::Normal,
        &["down", "j"],
        "down",
        "next record",
        false,
    ),
    (
        KeyMode::Normal,
        &["pgup", "ctrl-b"],
        "page-up",
        "page up",
        false,
    ),
    (
        KeyMode::Normal,
        &["pgdn", "ctrl-f", "space"],
        "page-down",
        "page down",
        false,
    ),
    (
        KeyMode::Normal,
        &["g", "home"],
        "top",
        "first record",
        false,
    ),
    (
        KeyMode::Normal,
        &["G", "end"],
        "bottom",
        "last record",
        false,
    ),
    (
        KeyMode::Normal,
        &["y"],
        "verdict-immigration",
        "confirmed immigration-related",
        true,
    ),
    (
        KeyMode::Normal,
        &["n"],
        "verdict-not",
        "not immigration-related",
        true,
    ),
    (KeyMode::Normal, &["m"], "verdict-unsure", "unsure", true),
    (
        KeyMode::Normal,
        &["backspace"],
        "verdict-clear",
        "clear the verdict (the note stays)",
        false,
    ),
    (KeyMode::Normal, &["e"], "edit-note", "edit the note", true),
    (
        KeyMode::Normal,
        &["/"],
        "filter",
        "filter (agency:, reason:, date:, …)",
        true,
    ),
    (
        KeyMode::Normal,
        &["t"],
        "toggle-all",
        "flagged ↔ all records",
        true,
    ),
    (
        KeyMode::Normal,
        &["a"],
        "agency-picker",
        "pick an agency",
        true,
    ),
    (
        KeyMode::Normal,
        &["s"],
        "sort",
        "sort by the next column",
        false,
    ),
    (
        KeyMode::Normal,
        &["S"],
        "sort-reverse",
        "reverse the sort",
        false,
    ),
    (
        KeyMode::Normal,
        &["Y"],
        "bulk-immigration",
        "mark every record in the filter immigration",
        false,
    ),
    (
        KeyMode::Normal,
        &["N"],
        "bulk-not",
        "mark every record in the filter not immigration",
        false,
    ),
    (
        KeyMode::Normal,
        &["M"],
        "bulk-unsure",
        "mark every record in the filter unsure",
        false,
    ),
    (KeyMode::Normal, &["u"], "undo", "undo", true),
    (KeyMode::Normal, &["ctrl-r"], "redo", "redo", false),
    (
        KeyMode::Normal,
        &["J"],
        "detail-down",
        "scroll the detail pane down",
        false,
    ),
    (
        KeyMode::Normal,
        &["K"],
        "detail-up",
        "scroll the detail pane up",
        false,
    ),
    (
        KeyMode::Normal,
        &["w"],
        "warnings",
        "load warnings and errors",
        false,
    ),
    (
        KeyMode::Normal,
        &["x"],
        "export",
        "export records (CSV, JSONL, JSON) with a manifest",
        true,
    ),
    (KeyMode::Normal, &["?", "f1"], "help", "help", true),
    (
        KeyMode::Normal,
        &["esc"],
        "cancel",
        "clear the message",
        false,
    ),
    (
        KeyMode::Normal,
        &["q"],
        "quit",
        "quit (annotations are already saved)",
        true,
    ),
    (
        KeyMode::Filter,
        &["enter"],
        "submit",
        "keep this filter",
        true,
    ),
    (
        KeyMode::Filter,
        &["esc"],
        "cancel",
        "restore the previous filter",
        true,
    ),
    (
        KeyMode::Filter,
        &["backspace"],
        "backspace",
        "delete back",
        false,
    ),
    (KeyMode::Filter, &["del"], "delete", "delete", false),
    (
        KeyMode::Filter,
        &["ctrl-u"],
        "clear-line",
        "clear the line",
        true,
    ),
    (KeyMode::Filter, &["left"], "left", "cursor left", false),
    (KeyMode::Filter, &["right"], "right", "cursor right", false),
    (
        KeyMode::Filter,
        &["home", "ctrl-a"],
        "home",
        "start of line",
        false,
    ),
    (
        KeyMode::Filter,
        &["end", "ctrl-e"],
        "end",
        "end of line",
        false,
    ),
    (KeyMode::Note, &["ctrl-s"], "submit", "save the note", true),
    (KeyMode::Note, &["enter"], "newline", "new line", true),
    (KeyMode::Note, &["esc"], "cancel", "discard the edit", true),
    (
        KeyMode::Note,
        &["backspace"],
        "backspace",
        "delete back",
        false,
    ),
    (KeyMode::Note, &["del"], "delete", "delete", false),
    (KeyMode::Note, &["left"], "left", "cursor left", false),
    (KeyMode::Note, &["right"], "right", "cursor right", false),
    (
        KeyMode::Note,
        &["home", "ctrl-a"],
        "home",
        "start of line",
        false,
    ),
    (
        KeyMode::Note,
        &["end", "ctrl-e"],
        "end",
        "end of line",
        false,
    ),
    (
        KeyMode::Picker,
        &["up", "ctrl-p"],
        "up",
        "previous agency",
        false,
    ),
    (
        KeyMode::Picker,
        &["down", "ctrl-n"],
        "down",
        "next agency",
        false,
    ),
    (KeyMode::Picker, &["pgup"], "page-up", "page up", false),
    (KeyMode::Picker, &["pgdn"], "page-down", "page down", false),
    (
        KeyMode::Picker,
        &["enter"],
        "submit",
        "filter to this agency",
        true,
    ),
    (KeyMode::Picker, &["esc"], "cancel", "close", true),
    (
        KeyMode::Picker,
        &["backspace"],
        "backspace",
        "delete back",
        false,
    ),
    (KeyMode::Picker, &["ctrl-u"], "clear-line", "clear", false),
    (KeyMode::Overlay, &["up", "k"], "up", "scroll up", false),
    (
        KeyMode::Overlay,
        &["down", "j"],
        "down",
        "scroll down",
        false,
    ),
    (KeyMode::Overlay, &["pgup"], "page-up", "page up", false),
    (
        KeyMode::Overlay,
        &["pgdn", "space"],
        "page-down",
        "page down",
        false,
    ),
    (KeyMode::Overlay, &["g"], "top", "top", false),
    (
        KeyMode::Overlay,
        &["esc", "q", "?", "enter"],
        "cancel",
        "close",
        true,
    ),
    (
        KeyMode::Export,
        &["tab", "down"],
        "next-field",
        "next field",
        true,
    ),
    (
        KeyMode::Export,
        &["left"],
        "left",
        "cursor left / previous choice",
        false,
    ),
    (
        KeyMode::Export,
        &["right"],
        "right",
        "cursor right / next choice",
        false,
    ),
    (KeyMode::Export, &["enter"], "submit", "export", true),
    (KeyMode::Export, &["esc"], "cancel", "close", true),
    (
        KeyMode::Export,
        &["backspace"],
        "backspace",
        "delete back",
        false,
    ),
    (
        KeyMode::Export,
        &["ctrl-u"],
        "clear-line",
        "clear the path",
        false,
    ),
    (KeyMode::Confirm, &["y", "enter"], "confirm", "yes", true),
    (KeyMode::Confirm, &["n", "esc", "q"], "cancel", "no", true),
];

/// One line of help: keys, description, shown as a hint.
pub type HelpRow = (String, &'static str, bool);

/// Bindings by mode, as shown in help.
#[derive(Clone, Debug, Default)]
pub struct KeyHelp {
    /// (mode, section title, rows).
    pub sections: Vec<(KeyMode, &'static str, Vec<HelpRow>)>,
}

impl KeyHelp {
    /// The hints for a mode: (keys, description).
    pub fn hints(&self, mode: KeyMode) -> Vec<(&str, &str)> {
        self.sections
            .iter()
            .filter(|(m, _, _)| *m == mode)
            .flat_map(|(_, _, rows)| rows.iter().filter(|r| r.2).map(|r| (r.0.as_str(), r.1)))
            .collect()
    }
}

/// The key table in force.
#[derive(Clone, Debug)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Keymap {
        let mut bindings = Vec::new();
        for (mode, keys, action, desc, hint) in DEFAULTS {
            for k in *keys {
                if let Some(key) = Key::parse(k) {
                    bindings.push(Binding {
                        mode: *mode,
                        key,
                        action,
                        desc,
                        hint: *hint,
                    });
                }
            }
        }
        Keymap { bindings }
    }
}

impl Keymap {
    /// Applies `[keys]` overrides from the config: each named action gets exactly the given
    /// keys, in the modes it was bound in. Returns warnings for unknown actions or keys.
    pub fn with_overrides(
        mut self,
        overrides: &[(String, Vec<String>)],
        origin: &str,
    ) -> (Keymap, Vec<String>) {
        let mut warnings = Vec::new();
        for (action, keys) in overrides {
            let Some(&(_, _, name, desc, hint)) = DEFAULTS.iter().find(|d| d.2 == action.as_str())
            else {
                warnings.push(format!(
                    "{origin}: keys.{action}: no such action (see `?` for the names)"
                ));
                continue;
            };
            let parsed: Vec<Key> = keys
                .iter()
                .filter_map(|k| {
                    let p = Key::parse(k);
                    if p.is_none() {
                        warnings.push(format!("{origin}: keys.{action}: {k:?} is not a key"));
                    }
                    p
                })
                .collect();
            if parsed.is_empty() {
                continue;
            }
            let modes: Vec<KeyMode> = DEFAULTS
                .iter()
                .filter(|d| d.2 == name)
                .map(|d| d.0)
                .collect();
            self.bindings.retain(|b| b.action != name);
            for mode in modes {
                for key in &parsed {
                    self.bindings.retain(|b| !(b.mode == mode && b.key == *key));
                    self.bindings.push(Binding {
                        mode,
                        key: *key,
                        action: name,
                        desc,
                        hint,
                    });
                }
            }
        }
        (self, warnings)
    }

    /// The action for a key in a mode. In text modes an unbound printable key is typed.
    pub fn action(&self, mode: KeyMode, event: &KeyEvent) -> Option<Action> {
        let key = Key::from_event(event);
        if let Some(b) = self
            .bindings
            .iter()
            .find(|b| b.mode == mode && b.key == key)
        {
            return action_by_name(b.action);
        }
        match key.code {
            KeyCode::Char(c) if mode.takes_text() && !key.ctrl && !key.alt => {
                Some(Action::Input(c))
            }
            _ => None,
        }
    }

    /// Help, generated from the bindings in force.
    pub fn help(&self) -> KeyHelp {
        let mut sections = Vec::new();
        for mode in [
            KeyMode::Normal,
            KeyMode::Filter,
            KeyMode::Note,
            KeyMode::Picker,
            KeyMode::Export,
            KeyMode::Overlay,
            KeyMode::Confirm,
        ] {
            let mut rows: Vec<HelpRow> = Vec::new();
            let mut seen: Vec<&str> = Vec::new();
            for b in self.bindings.iter().filter(|b| b.mode == mode) {
                if seen.contains(&b.action) {
                    continue;
                }
                seen.push(b.action);
                let keys: Vec<String> = self
                    .bindings
                    .iter()
                    .filter(|o| o.mode == mode && o.action == b.action)
                    .map(|o| o.key.label())
                    .collect();
                rows.push((keys.join("/"), b.desc, b.hint));
            }
            sections.push((mode, mode.title(), rows));
        }
        KeyHelp { sections }
    }
}

/// Parses a key string for tests and scripts: plain characters, and `<enter>`, `<esc>`,
/// `<up>`, `<c-r>`, `<bs>`… in angle brackets.
pub fn parse_keys(s: &str) -> Vec<KeyEvent> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '<' {
            let name: String = chars.by_ref().take_while(|&c| c != '>').collect();
            if let Some(k) = Key::parse(&name) {
                let mut mods = KeyModifiers::empty();
                if k.ctrl {
                    mods |= KeyModifiers::CONTROL;
                }
                if k.alt {
                    mods |= KeyModifiers::ALT;
                }
                out.push(KeyEvent::new(k.code, mods));
            }
            continue;
        }
        let mods = if c.is_ascii_uppercase() {
            KeyModifiers::SHIFT
        } else {
            KeyModifiers::empty()
        };
        out.push(KeyEvent::new(KeyCode::Char(c), mods));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_bindings_and_text_modes() {
        let km = Keymap::default();
        let ev = |s: &str| parse_keys(s).remove(0);
        assert!(matches!(
            km.action(KeyMode::Normal, &ev("y")),
            Some(Action::Verdict(Verdict::Immigration))
        ));
        assert!(matches!(
            km.action(KeyMode::Normal, &ev("Y")),
            Some(Action::BulkVerdict(Verdict::Immigration))
        ));
        assert!(matches!(
            km.action(KeyMode::Normal, &ev("<c-r>")),
            Some(Action::Redo)
        ));
        assert!(matches!(
            km.action(KeyMode::Filter, &ev("y")),
            Some(Action::Input('y'))
        ));
        assert!(matches!(
            km.action(KeyMode::Note, &ev("<enter>")),
            Some(Action::Newline)
        ));
        assert!(km.action(KeyMode::Normal, &ev("z")).is_none());
    }

    #[test]
    fn overrides_rebind_and_warn() {
        let (km, w) = Keymap::default().with_overrides(
            &[
                ("undo".into(), vec!["z".into()]),
                ("fly".into(), vec!["f".into()]),
                ("quit".into(), vec!["ctrl-q".into(), "no-such-key".into()]),
            ],
            "config.toml",
        );
        assert_eq!(w.len(), 2, "{w:?}");
        let ev = |s: &str| parse_keys(s).remove(0);
        assert!(matches!(
            km.action(KeyMode::Normal, &ev("z")),
            Some(Action::Undo)
        ));
        assert!(km.action(KeyMode::Normal, &ev("u")).is_none());
        assert!(matches!(
            km.action(KeyMode::Normal, &ev("<c-q>")),
            Some(Action::Quit)
        ));
        let help = km.help();
        assert!(
            help.hints(KeyMode::Normal)
                .iter()
                .any(|(k, d)| *k == "z" && *d == "undo")
        );
    }

    #[test]
    fn every_default_action_has_a_name() {
        for (_, keys, action, _, _) in DEFAULTS {
            assert!(action_by_name(action).is_some(), "{action}");
            for k in *keys {
                assert!(Key::parse(k).is_some(), "{k}");
            }
        }
    }
}
