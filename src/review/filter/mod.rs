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
