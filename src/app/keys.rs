//! What the app knows of the keys in force: which bindings apply in each mode ([`KeyMode`]) and
//! the help generated from the key table ([`KeyHelp`]), from which hints, help and messages name
//! the keys (a rebound key shows as rebound). The table itself is [`crate::keymap`]'s.

/// Which bindings apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyMode {
    /// The table.
    Normal,
    /// The summary screen.
    Summary,
    /// A record's context list.
    Context,
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
    /// Every mode, in the order help lists them.
    pub const ALL: [KeyMode; 10] = [
        KeyMode::Normal,
        KeyMode::Summary,
        KeyMode::Context,
        KeyMode::Filter,
        KeyMode::Note,
        KeyMode::Picker,
        KeyMode::Export,
        KeyMode::Prompt,
        KeyMode::Overlay,
        KeyMode::Confirm,
    ];

    /// The key mode for an app mode.
    pub fn of(mode: &super::Mode) -> KeyMode {
        use super::Mode;
        match mode {
            Mode::Normal => KeyMode::Normal,
            Mode::Context(_) => KeyMode::Context,
            Mode::Filter { .. } => KeyMode::Filter,
            Mode::Note { .. } => KeyMode::Note,
            Mode::Picker(_) => KeyMode::Picker,
            Mode::Help { .. } | Mode::Warnings { .. } => KeyMode::Overlay,
            Mode::Confirm { .. } | Mode::ConfirmQuit { .. } => KeyMode::Confirm,
            Mode::Export(_) => KeyMode::Export,
            Mode::Find { .. } | Mode::NameAgency { .. } | Mode::AgencyProfile { .. } => {
                KeyMode::Prompt
            }
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            KeyMode::Normal => "Records",
            KeyMode::Summary => "Summary",
            KeyMode::Context => "Context list",
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
    pub fn takes_text(self) -> bool {
        matches!(
            self,
            KeyMode::Filter | KeyMode::Note | KeyMode::Picker | KeyMode::Export | KeyMode::Prompt
        )
    }
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
