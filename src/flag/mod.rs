//! The immigration rule set: rules as data, matching, and explanations (which rule, which field,
//! which span).
//!
//! Matching works on distinct strings, not rows: a load interns every reason and agency once and
//! asks the rule set about each distinct value once (see [`crate::ingest::catalog`]).

mod rules;

pub use rules::{BUILTIN_RULES, PRIOR_FLAG_RULE, Rule, RuleFileError, RuleSet, Searcher, Strength};

use crate::model::Field;

/// Index of a rule in its [`RuleSet`].
pub type RuleIdx = u16;

/// One rule matching one field of a record: the explanation a reviewer sees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// The rule that matched.
    pub rule: RuleIdx,
    /// The field it matched in.
    pub field: Field,
    /// Byte ranges of the matches in the field's text as shown (never empty).
    pub spans: Vec<(u32, u32)>,
}

impl Hit {
    /// The matched pieces of `text` (the field's value the hit was computed on).
    pub fn matched<'t>(&self, text: &'t str) -> Vec<&'t str> {
        self.spans
            .iter()
            .filter_map(|&(a, b)| text.get(a as usize..b as usize))
            .collect()
    }
}

/// Reads `+` as a space, as officers and portals use it (`ICE+ERO`, `Property+Crime`). The
/// replacement keeps byte offsets, so spans found in the result index the original text.
pub fn match_text(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains('+') {
        std::borrow::Cow::Owned(s.replace('+', " "))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}
