//! What the help overlay says, as lines (the UI styles them): a legend of the table's marks,
//! the verdict keys and what `n` means here, every binding in force (from the keymap, so a
//! rebound key shows as rebound), and the filter language. Knowing the lines here lets `update`
//! stop the scroll at the end.

use super::keys::{KeyHelp, KeyMode};

/// One line of help.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HelpLine {
    /// A section title.
    Title(String),
    /// Keys and what they do.
    Key(String, String),
    /// Plain text.
    Text(String),
    /// Secondary text.
    Dim(String),
    /// An empty line.
    Blank,
}

const QUERY_HELP: &[(&str, &str)] = &[
    (
        "word",
        "fuzzy match on agency or reason; rows best match first (sort: match)",
    ),
    (
        "agency:TEXT",
        "fuzzy match on agency; agency:=\"Exact Name\" for one agency",
    ),
    ("reason:TEXT", "reason contains TEXT (any case)"),
    (
        "rule:NAME",
        "flagged by that rule (see `alpr-triage rules`)",
    ),
    (
        "date:2025-01-01..2025-03-31",
        "a range (both days included); date:2025-02 a month; date:2025-02-14 a day",
    ),
    (
        "after:DATE  before:DATE",
        "after the end / before the start of a day, month or year",
    ),
    (
        "verdict:immigration|not|unsure|none|reviewed|conflict",
        "by annotation (reviewed: has a verdict)",
    ),
    ("flagged:yes|no", "replaces the flagged-only start view"),
    (
        "\"quoted value\"  -term",
        "a value with spaces; leave out what matches",
    ),
];

/// The help text for the bindings in force.
pub fn lines(keys: &KeyHelp) -> Vec<HelpLine> {
    let k = |a: &str| keys.key_of(KeyMode::Normal, a).unwrap_or(a).to_string();
    let mut out = vec![
        HelpLine::Title("Verdicts".into()),
        HelpLine::Text(format!(
            "{} immigration · {} NOT immigration · {} unsure: verdicts ({} is not next-match)",
            k("verdict-immigration"),
            k("verdict-not"),
            k("verdict-unsure"),
            k("verdict-not"),
        )),
        HelpLine::Text(format!(
            "{} / {} next / previous record without a verdict",
            k("next-undecided"),
            k("previous-undecided")
        )),
        HelpLine::Text(format!(
            "{} find text · {} / {} next / previous match · {} filter",
            k("find"),
            k("next-match"),
            k("previous-match"),
            k("filter")
        )),
        HelpLine::Blank,
        HelpLine::Title("What the table shows".into()),
        HelpLine::Key(
            "● ○ ? ! ·".into(),
            "immigration · not · unsure · disagree · none".into(),
        ),
        HelpLine::Key(
            "≈rule".into(),
            "ambiguous: often means something else".into(),
        ),
        HelpLine::Key(
            "rule +2".into(),
            "two more rules matched (see the detail)".into(),
        ),
        HelpLine::Key(
            "underlined agency".into(),
            "a rule matched the agency's name".into(),
        ),
        HelpLine::Key(
            "highlighted text".into(),
            "what a rule matched (reversed: found)".into(),
        ),
        HelpLine::Key(
            "12● 3○ 1? of 231".into(),
            "verdicts among the records shown".into(),
        ),
        HelpLine::Key("all 15● 3○ 1?".into(), "verdicts among all records".into()),
        HelpLine::Blank,
    ];
    for (_, title, rows) in &keys.sections {
        out.push(HelpLine::Title(title.to_string()));
        for row in rows {
            out.push(HelpLine::Key(row.label(), row.desc.to_string()));
        }
        out.push(HelpLine::Blank);
    }
    out.push(HelpLine::Title(
        "Filter language (terms combine with AND)".into(),
    ));
    for (t, d) in QUERY_HELP {
        out.push(HelpLine::Key(t.to_string(), String::new()));
        out.push(HelpLine::Dim(format!("    {d}")));
    }
    out.push(HelpLine::Blank);
    out.push(HelpLine::Dim(
        "Mouse: the wheel scrolls, a click selects.".into(),
    ));
    out.push(HelpLine::Dim(format!(
        "Keys can be rebound in {}",
        crate::config::config_file().display()
    )));
    out
}

/// Rows of text an overlay shows at a terminal size (its box is two rows shorter than the
/// screen, inside a border).
pub fn overlay_rows(size: (u16, u16)) -> usize {
    usize::from(size.1.saturating_sub(4)).max(1)
}

/// The largest first line an overlay of `len` lines scrolls to.
pub fn max_scroll(len: usize, size: (u16, u16)) -> u16 {
    u16::try_from(len.saturating_sub(overlay_rows(size))).unwrap_or(u16::MAX)
}
