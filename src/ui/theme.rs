//! Styles, in one place. Colours are from the Okabe–Ito palette (safe for colour-blind readers),
//! and every distinction also has a non-colour cue (symbol, bold, underline, reverse), so
//! `NO_COLOR` loses nothing.

use ratatui::style::{Color, Modifier, Style};

/// The styles in force.
#[derive(Clone, Copy, Debug)]
pub struct Theme {
    color: bool,
}

const VERMILLION: Color = Color::Indexed(166);
const ORANGE: Color = Color::Indexed(208);
const SKY: Color = Color::Indexed(117);
const BLUE: Color = Color::Indexed(32);
const PURPLE: Color = Color::Indexed(175);
const GREY: Color = Color::Indexed(245);

impl Theme {
    /// Colours unless `NO_COLOR` is set (to anything non-empty).
    pub fn from_env() -> Theme {
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    /// A theme with or without colour.
    pub fn new(color: bool) -> Theme {
        Theme { color }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::default().fg(c)
        } else {
            Style::default()
        }
    }

    /// Table header and section titles.
    pub fn header(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }
    /// The selected table row.
    pub fn selected(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }
    /// Text a rule matched.
    pub fn matched(&self) -> Style {
        self.fg(ORANGE)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }
    /// Secondary text.
    pub fn dim(&self) -> Style {
        if self.color {
            self.fg(GREY)
        } else {
            Style::default().add_modifier(Modifier::DIM)
        }
    }
    /// Errors.
    pub fn error(&self) -> Style {
        self.fg(VERMILLION).add_modifier(Modifier::BOLD)
    }
    /// Good news (saved).
    pub fn ok(&self) -> Style {
        self.fg(SKY)
    }
    /// Key names in hints.
    pub fn key(&self) -> Style {
        self.fg(SKY).add_modifier(Modifier::BOLD)
    }
    /// Redacted values.
    pub fn redacted(&self) -> Style {
        self.fg(PURPLE).add_modifier(Modifier::ITALIC)
    }
    /// Progress gauges.
    pub fn gauge(&self) -> Style {
        self.fg(BLUE)
    }
    /// The style and symbol of a record's verdict.
    pub fn verdict(&self, code: crate::model::VerdictCode) -> (&'static str, Style) {
        use crate::model::Verdict;
        if code.is_conflict() {
            return ("!", self.fg(PURPLE).add_modifier(Modifier::BOLD));
        }
        match code.verdict() {
            Some(Verdict::Immigration) => ("●", self.fg(VERMILLION).add_modifier(Modifier::BOLD)),
            Some(Verdict::NotImmigration) => ("○", self.fg(BLUE)),
            Some(Verdict::Unsure) => ("?", self.fg(ORANGE).add_modifier(Modifier::BOLD)),
            None => ("·", self.dim()),
        }
    }
    /// Ambiguous-rule marker (the rule's name also carries [`AMBIGUOUS_MARK`]).
    pub fn ambiguous(&self) -> Style {
        self.fg(ORANGE)
    }
    /// Text that find (`f`) found.
    pub fn found(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }
}

/// Put before an ambiguous rule's name in the table, in every mode (colour or not).
pub const AMBIGUOUS_MARK: &str = "≈";

impl Theme {}
