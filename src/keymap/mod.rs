//! Keys → actions: one table of bindings, each with a description. The help overlay and the
//! status-line hints are generated from it, and the config file rebinds actions by name.

mod defaults;
mod key;

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use defaults::DEFAULTS;
pub use key::{Key, parse_keys};

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
    /// A one-line prompt: find, naming a file's agency.
    Prompt,
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
            Mode::Find { .. } | Mode::NameAgency { .. } => KeyMode::Prompt,
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
            KeyMode::Prompt => "Find and other one-line prompts",
        }
    }

    /// Modes where typed characters are text.
    fn takes_text(self) -> bool {
        matches!(
            self,
            KeyMode::Filter | KeyMode::Note | KeyMode::Picker | KeyMode::Export | KeyMode::Prompt
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
        "interrupt" => Action::Interrupt,
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
        "next-undecided" => Action::NextUndecided(true),
        "previous-undecided" => Action::NextUndecided(false),
        "find" => Action::OpenFind,
        "next-match" => Action::NextMatch(true),
        "previous-match" => Action::NextMatch(false),
        "bulk-undecided" => Action::BulkApply { overwrite: false },
        "bulk-overwrite" => Action::BulkApply { overwrite: true },
        "name-agency" => Action::NameAgency,
        _ => return None,
    })
}

/// One line of help: an action's keys and what it does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelpRow {
    /// The keys' labels.
    pub keys: Vec<String>,
    /// What the action does.
    pub desc: &'static str,
    /// Shown in the status-line hints.
    pub hint: bool,
    /// The action's name.
    pub action: &'static str,
}

/// Bindings by mode, as shown in help.
#[derive(Clone, Debug, Default)]
pub struct KeyHelp {
    /// (mode, section title, rows).
    pub sections: Vec<(KeyMode, &'static str, Vec<HelpRow>)>,
}

impl KeyHelp {
    /// The hints for a mode: (keys, description).
    pub fn hints(&self, mode: KeyMode) -> Vec<(String, &str)> {
        self.rows(mode)
            .filter(|r| r.hint)
            .map(|r| (r.label(), r.desc))
            .collect()
    }

    fn rows(&self, mode: KeyMode) -> impl Iterator<Item = &HelpRow> {
        self.sections
            .iter()
            .filter(move |(m, _, _)| *m == mode)
            .flat_map(|(_, _, rows)| rows.iter())
    }

    /// The first key bound to `action` in `mode` (as messages and hints name it).
    pub fn key_of(&self, mode: KeyMode, action: &str) -> Option<&str> {
        self.rows(mode)
            .find(|r| r.action == action)
            .and_then(|r| r.keys.first())
            .map(String::as_str)
    }
}

impl HelpRow {
    /// The keys as help shows them: `y`, `g/home`.
    pub fn label(&self) -> String {
        self.keys.join("/")
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
            KeyMode::Prompt,
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
                rows.push(HelpRow {
                    keys,
                    desc: b.desc,
                    hint: b.hint,
                    action: b.action,
                });
            }
            sections.push((mode, mode.title(), rows));
        }
        KeyHelp { sections }
    }
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
