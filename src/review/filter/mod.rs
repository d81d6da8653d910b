//! The filter language, and applying it to a dataset in slices.
//!
//! Terms combine with AND. Bare words match agency or reason fuzzily, best match first;
//! `agency:` (fuzzy), `reason:` (substring), `rule:`, `date:`, `after:`, `before:`, `verdict:` and
//! `flagged:` narrow; `"…"` quotes a value and `-` negates a term. Each term is first evaluated
//! once per distinct string (a few thousand agencies, at most a few hundred thousand reasons), so
//! the pass over rows is table lookups. A [`FilterJob`] does the work in slices so the UI can
//! answer keys between them, and narrows the previous result when the query only grew.

mod job;
mod query;

pub use job::{Candidates, FilterJob};
pub use query::{Clause, Query, QueryError, Term, VerdictSel, terms};

/// Fuzzy matching, as bare words and `agency:` match (and the agency picker ranks): the one
/// place the fuzzy crate is used, so it can be swapped.
pub struct Fuzzy(fuzzy_matcher::skim::SkimMatcherV2);

impl Default for Fuzzy {
    fn default() -> Fuzzy {
        Fuzzy::new()
    }
}

impl Fuzzy {
    /// A matcher that ignores case.
    pub fn new() -> Fuzzy {
        Fuzzy(fuzzy_matcher::skim::SkimMatcherV2::default().ignore_case())
    }

    /// How well `pattern` matches `text` (higher is better), or None.
    pub fn score(&self, text: &str, pattern: &str) -> Option<i64> {
        use fuzzy_matcher::FuzzyMatcher;
        self.0.fuzzy_match(text, pattern)
    }
}
