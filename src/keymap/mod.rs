//! Keys → actions: one table of bindings, each with a description. The help overlay and the
//! status-line hints are generated from it, and the config file rebinds actions by name.

mod defaults;
mod key;

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use defaults::DEFAULTS;
pub use key::{Key, parse_keys};

use crate::app::Action;
pub use crate::app::keys::{HelpRow, KeyHelp, KeyMode};
use crate::model::Verdict;

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
