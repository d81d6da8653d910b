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
    /// What it does.
    pub action: Bindable,
    /// What it does.
    pub desc: &'static str,
    /// Shown in the status-line hints.
    pub hint: bool,
}

/// Every action a key can be bound to. Its name (kebab-case, derived from the variant: `verdict-not`,
/// `next-undecided`) is what config files and docs/review-ui.md use.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[strum(serialize_all = "kebab-case")]
pub enum Bindable {
    /// `up`.
    Up,
    /// `down`.
    Down,
    /// `page-up`.
    PageUp,
    /// `page-down`.
    PageDown,
    /// `top`.
    Top,
    /// `bottom`.
    Bottom,
    /// `filter`.
    Filter,
    /// `toggle-all`.
    ToggleAll,
    /// `agency-picker`.
    AgencyPicker,
    /// `sort`.
    Sort,
    /// `sort-reverse`.
    SortReverse,
    /// `verdict-immigration`.
    VerdictImmigration,
    /// `verdict-not`.
    VerdictNot,
    /// `verdict-unsure`.
    VerdictUnsure,
    /// `verdict-clear`.
    VerdictClear,
    /// `edit-note`.
    EditNote,
    /// `bulk-immigration`.
    BulkImmigration,
    /// `bulk-not`.
    BulkNot,
    /// `bulk-unsure`.
    BulkUnsure,
    /// `undo`.
    Undo,
    /// `redo`.
    Redo,
    /// `help`.
    Help,
    /// `warnings`.
    Warnings,
    /// `detail-down`.
    DetailDown,
    /// `detail-up`.
    DetailUp,
    /// `quit`.
    Quit,
    /// `interrupt`.
    Interrupt,
    /// `submit`.
    Submit,
    /// `cancel`.
    Cancel,
    /// `confirm`.
    Confirm,
    /// `backspace`.
    Backspace,
    /// `delete`.
    Delete,
    /// `left`.
    Left,
    /// `right`.
    Right,
    /// `home`.
    Home,
    /// `end`.
    End,
    /// `newline`.
    Newline,
    /// `clear-line`.
    ClearLine,
    /// `export`.
    Export,
    /// `next-field`.
    NextField,
    /// `next-undecided`.
    NextUndecided,
    /// `previous-undecided`.
    PreviousUndecided,
    /// `find`.
    Find,
    /// `next-match`.
    NextMatch,
    /// `previous-match`.
    PreviousMatch,
    /// `bulk-undecided`.
    BulkUndecided,
    /// `bulk-overwrite`.
    BulkOverwrite,
    /// `name-agency`.
    NameAgency,
    /// `agency-profile`.
    AgencyProfile,
    /// `summary`.
    Summary,
    /// `records`.
    Records,
    /// `next-section`.
    NextSection,
    /// `previous-section`.
    PreviousSection,
    /// `context`.
    Context,
}

impl Bindable {
    /// The action it stands for.
    pub fn action(self) -> Action {
        match self {
            Bindable::Up => Action::Up,
            Bindable::Down => Action::Down,
            Bindable::PageUp => Action::PageUp,
            Bindable::PageDown => Action::PageDown,
            Bindable::Top => Action::Top,
            Bindable::Bottom => Action::Bottom,
            Bindable::Filter => Action::OpenFilter,
            Bindable::ToggleAll => Action::ToggleAll,
            Bindable::AgencyPicker => Action::OpenAgencyPicker,
            Bindable::Sort => Action::CycleSort,
            Bindable::SortReverse => Action::ReverseSort,
            Bindable::VerdictImmigration => Action::Verdict(Verdict::Immigration),
            Bindable::VerdictNot => Action::Verdict(Verdict::NotImmigration),
            Bindable::VerdictUnsure => Action::Verdict(Verdict::Unsure),
            Bindable::VerdictClear => Action::ClearVerdict,
            Bindable::EditNote => Action::EditNote,
            Bindable::BulkImmigration => Action::BulkVerdict(Verdict::Immigration),
            Bindable::BulkNot => Action::BulkVerdict(Verdict::NotImmigration),
            Bindable::BulkUnsure => Action::BulkVerdict(Verdict::Unsure),
            Bindable::Undo => Action::Undo,
            Bindable::Redo => Action::Redo,
            Bindable::Help => Action::Help,
            Bindable::Warnings => Action::Warnings,
            Bindable::DetailDown => Action::DetailScroll(3),
            Bindable::DetailUp => Action::DetailScroll(-3),
            Bindable::Quit => Action::Quit,
            Bindable::Interrupt => Action::Interrupt,
            Bindable::Submit => Action::Submit,
            Bindable::Cancel => Action::Cancel,
            Bindable::Confirm => Action::Confirm,
            Bindable::Backspace => Action::Backspace,
            Bindable::Delete => Action::Delete,
            Bindable::Left => Action::Left,
            Bindable::Right => Action::Right,
            Bindable::Home => Action::Home,
            Bindable::End => Action::End,
            Bindable::Newline => Action::Newline,
            Bindable::ClearLine => Action::ClearLine,
            Bindable::Export => Action::OpenExport,
            Bindable::NextField => Action::NextField,
            Bindable::NextUndecided => Action::NextUndecided(true),
            Bindable::PreviousUndecided => Action::NextUndecided(false),
            Bindable::Find => Action::OpenFind,
            Bindable::NextMatch => Action::NextMatch(true),
            Bindable::PreviousMatch => Action::NextMatch(false),
            Bindable::BulkUndecided => Action::BulkApply { overwrite: false },
            Bindable::BulkOverwrite => Action::BulkApply { overwrite: true },
            Bindable::NameAgency => Action::NameAgency,
            Bindable::AgencyProfile => Action::AgencyProfile,
            Bindable::Summary => Action::OpenSummary,
            Bindable::Records => Action::ShowRecords,
            Bindable::NextSection => Action::Section(1),
            Bindable::PreviousSection => Action::Section(-1),
            Bindable::Context => Action::OpenContext,
        }
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// The bindable action a name names.
    pub fn from_name(name: &str) -> Option<Bindable> {
        name.parse().ok()
    }

    /// Every bindable action.
    pub fn all() -> impl Iterator<Item = Bindable> {
        <Bindable as strum::IntoEnumIterator>::iter()
    }
}

/// Every bindable action by name.
pub fn action_by_name(name: &str) -> Option<Action> {
    Bindable::from_name(name).map(Bindable::action)
}

/// Screens that name keys of more than one mode, each with the actions whose keys it names: the
/// bulk verdict dialog names its own keys and the list's undo. None of them may name one key for
/// two actions (a reviewer who reads "u undoes" must not mark 182 records by pressing it).
pub const SCREENS: &[&[(KeyMode, Bindable)]] = &[&[
    (KeyMode::Confirm, Bindable::BulkUndecided),
    (KeyMode::Confirm, Bindable::BulkOverwrite),
    (KeyMode::Confirm, Bindable::Cancel),
    (KeyMode::Normal, Bindable::Undo),
]];

/// The key table in force.
#[derive(Clone, Debug)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Keymap {
        let mut bindings = Vec::new();
        for d in DEFAULTS {
            for k in d.keys {
                if let Some(key) = Key::parse(k) {
                    bindings.push(Binding {
                        mode: d.mode,
                        key,
                        action: d.action,
                        desc: d.desc,
                        hint: d.hint,
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
            let Some(bindable) = Bindable::from_name(action) else {
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
            // The action gets exactly these keys, in every mode it was bound in.
            self.bindings.retain(|b| b.action != bindable);
            for d in DEFAULTS.iter().filter(|d| d.action == bindable) {
                for key in &parsed {
                    if let Some(other) = self
                        .bindings
                        .iter()
                        .find(|b| b.mode == d.mode && b.key == *key)
                    {
                        warnings.push(format!(
                            "{origin}: keys.{action}: {} was {}'s key in {}; it is now only {action}'s (give {} another key)",
                            key.label(),
                            other.action.name(),
                            d.mode.title(),
                            other.action.name()
                        ));
                    }
                    self.bindings
                        .retain(|b| !(b.mode == d.mode && b.key == *key));
                    self.bindings.push(Binding {
                        mode: d.mode,
                        key: *key,
                        action: bindable,
                        desc: d.desc,
                        hint: d.hint,
                    });
                }
            }
        }
        warnings.extend(self.screen_clashes().into_iter().map(|(key, a, b)| {
            format!(
                "{origin}: {key} is named on one screen for two actions, {a} and {b}; give one of them another key"
            )
        }));
        (self, warnings)
    }

    /// Keys one screen names for two different actions: within a mode, and on the screens that
    /// name keys of two modes ([`SCREENS`]). `(key, one action, the other)`.
    pub fn screen_clashes(&self) -> Vec<(String, &'static str, &'static str)> {
        let mut clashes = Vec::new();
        let mut check = |shown: Vec<&Binding>| {
            for (i, a) in shown.iter().enumerate() {
                for b in &shown[i + 1..] {
                    let pair = (a.key.label(), a.action.name(), b.action.name());
                    if a.key == b.key && a.action != b.action && !clashes.contains(&pair) {
                        clashes.push(pair);
                    }
                }
            }
        };
        for mode in KeyMode::ALL {
            check(self.bindings.iter().filter(|b| b.mode == mode).collect());
        }
        for screen in SCREENS {
            check(
                self.bindings
                    .iter()
                    .filter(|b| screen.contains(&(b.mode, b.action)))
                    .collect(),
            );
        }
        clashes
    }

    /// The action for a key in a mode. In text modes an unbound printable key is typed.
    pub fn action(&self, mode: KeyMode, event: &KeyEvent) -> Option<Action> {
        let key = Key::from_event(event);
        if let Some(b) = self
            .bindings
            .iter()
            .find(|b| b.mode == mode && b.key == key)
        {
            return Some(b.action.action());
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
        for mode in KeyMode::ALL {
            let mut rows: Vec<HelpRow> = Vec::new();
            let mut seen: Vec<Bindable> = Vec::new();
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
                    action: b.action.name(),
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

    /// No mode, and no screen that names keys of two modes, has one key for two actions: not in
    /// the defaults, and a user's config that makes it so is told, naming both actions.
    #[test]
    fn one_key_one_meaning_on_every_screen() {
        assert_eq!(Keymap::default().screen_clashes(), Vec::new());
        for (action, key, other) in [
            ("undo", "m", "bulk-undecided"),
            ("bulk-overwrite", "u", "undo"),
            ("verdict-immigration", "n", "verdict-not"),
        ] {
            let (km, w) = Keymap::default()
                .with_overrides(&[(action.into(), vec![key.into()])], "config.toml");
            assert!(
                w.iter().any(|w| w.starts_with("config.toml: ")
                    && w.contains(action)
                    && w.contains(other)),
                "{action} = {key:?}: {w:?}"
            );
            let _ = km;
        }
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
    fn every_default_key_parses_and_every_name_reads_back() {
        use strum::IntoEnumIterator;
        for d in DEFAULTS {
            for k in d.keys {
                assert!(Key::parse(k).is_some(), "{k}");
            }
        }
        for b in Bindable::iter() {
            assert_eq!(Bindable::from_name(b.name()), Some(b));
            assert!(
                DEFAULTS.iter().any(|d| d.action == b),
                "{} has no default key",
                b.name()
            );
        }
        assert_eq!(Bindable::VerdictNot.name(), "verdict-not");
    }
}
