//! The filter language, and applying it to a dataset in slices.
//!
//! Terms combine with AND. Bare words match agency or reason fuzzily, best match first;
//! `agency:` (fuzzy), `reason:` (substring), `rule:`, `date:`, `after:`, `before:`, `verdict:` and
//! `flagged:` narrow; `"…"` quotes a value and `-` negates a term. Each term is first evaluated
//! once per distinct string (a few thousand agencies, at most a few hundred thousand reasons), so
//! the pass over rows is table lookups. A [`FilterJob`] does the work in slices so the UI can
//! answer keys between them, and narrows the previous result when the query only grew.

use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate};
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use crate::dataset::{Dataset, NO_TIME};
use crate::flag::{RuleIdx, RuleSet};
use crate::ingest::time::Millis;
use crate::intern::Sym;
use crate::model::{Field, Verdict};

/// Which verdicts a `verdict:` term selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerdictSel {
    /// One verdict.
    Is(Verdict),
    /// No verdict yet.
    None,
    /// Any verdict.
    Any,
    /// Reviewers disagree (merged annotation files).
    Conflict,
}

/// One term of a query.
#[derive(Clone, Debug, PartialEq)]
pub enum Term {
    /// A bare word: fuzzy against agency and reason.
    Fuzzy(String),
    /// `agency:` fuzzy.
    Agency(String),
    /// `reason:` substring, case-insensitive.
    Reason(String),
    /// `rule:` a rule name.
    Rule(RuleIdx),
    /// `date:`/`after:`/`before:` a half-open range of instants.
    Time(Millis, Millis),
    /// `verdict:`.
    Verdict(VerdictSel),
    /// `flagged:`.
    Flagged(bool),
}

/// A term, maybe negated.
#[derive(Clone, Debug, PartialEq)]
pub struct Clause {
    /// `-term`.
    pub negated: bool,
    /// The term.
    pub term: Term,
}

/// A parsed query.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Query {
    /// The clauses, all of which must hold.
    pub clauses: Vec<Clause>,
}

/// A query that does not parse: what is wrong and where (byte offset in the query text).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct QueryError {
    /// What is wrong.
    pub message: String,
    /// Byte offset of the bad term.
    pub at: usize,
}

const KEYS: &str = "agency:, reason:, rule:, date:, after:, before:, verdict:, flagged:";

impl Query {
    /// Parses query text. `rules` resolves `rule:` names.
    pub fn parse(text: &str, rules: &RuleSet) -> Result<Query, QueryError> {
        let mut clauses = Vec::new();
        for (at, raw) in tokens(text)? {
            let (negated, body) = match raw.strip_prefix('-') {
                Some(rest) if !rest.is_empty() => (true, rest),
                _ => (false, raw.as_str()),
            };
            let err = |message: String| QueryError { message, at };
            let (key, value) = match body.split_once(':') {
                Some((k, v)) if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphabetic()) => {
                    (Some(k.to_ascii_lowercase()), unquote(v))
                }
                _ => (None, unquote(body)),
            };
            let term = match key.as_deref() {
                None => Term::Fuzzy(value),
                Some(_) if value.is_empty() => {
                    return Err(err(format!("{} needs a value", body.trim_end_matches(':'))));
                }
                Some("agency") => Term::Agency(value),
                Some("reason") => Term::Reason(value.to_lowercase()),
                Some("rule") => match rules.find(&value) {
                    Some(r) => Term::Rule(r),
                    None => {
                        let names: Vec<&str> =
                            rules.rules().iter().map(|r| r.name.as_str()).collect();
                        return Err(err(format!(
                            "unknown rule {value:?}; rules are {}",
                            names.join(", ")
                        )));
                    }
                },
                Some("date") => {
                    let (a, b) = date_range(&value).map_err(err)?;
                    Term::Time(a, b)
                }
                Some("after") => {
                    let (_, end) = date_range(&value).map_err(err)?;
                    Term::Time(end, i64::MAX)
                }
                Some("before") => {
                    let (start, _) = date_range(&value).map_err(err)?;
                    Term::Time(i64::MIN + 1, start)
                }
                Some("verdict") => Term::Verdict(match value.to_ascii_lowercase().as_str() {
                    "none" | "unreviewed" | "unset" => VerdictSel::None,
                    "any" | "reviewed" | "set" => VerdictSel::Any,
                    "conflict" | "conflicts" | "disagree" => VerdictSel::Conflict,
                    v => match Verdict::parse(v) {
                        Some(v) => VerdictSel::Is(v),
                        None => {
                            return Err(err(format!(
                                "verdict:{value}? use immigration, not, unsure, none, reviewed or conflict"
                            )));
                        }
                    },
                }),
                Some("flagged") => Term::Flagged(match value.to_ascii_lowercase().as_str() {
                    "yes" | "y" | "true" | "1" => true,
                    "no" | "n" | "false" | "0" => false,
                    _ => {
                        return Err(err(format!(
                            "flagged:{value}? use flagged:yes or flagged:no"
                        )));
                    }
                }),
                Some(k) => return Err(err(format!("unknown filter {k}:; use {KEYS}"))),
            };
            clauses.push(Clause { negated, term });
        }
        Ok(Query { clauses })
    }

    /// True when the query says anything about `flagged:`.
    pub fn mentions_flagged(&self) -> bool {
        self.clauses
            .iter()
            .any(|c| matches!(c.term, Term::Flagged(_)))
    }

    /// True when the query has bare words (results are ordered by match quality).
    pub fn has_fuzzy(&self) -> bool {
        self.clauses
            .iter()
            .any(|c| !c.negated && matches!(c.term, Term::Fuzzy(_)))
    }

    /// True when every record this query matches also matches `older`: then filtering the
    /// previous result is enough.
    pub fn narrows(&self, older: &Query) -> bool {
        older.clauses.iter().all(|o| {
            self.clauses.iter().any(|n| {
                n == o
                    || (!o.negated
                        && !n.negated
                        && match (&o.term, &n.term) {
                            (Term::Agency(a), Term::Agency(_)) if a.starts_with('=') => false,
                            (Term::Fuzzy(a), Term::Fuzzy(b))
                            | (Term::Agency(a), Term::Agency(b))
                            | (Term::Reason(a), Term::Reason(b)) => b.starts_with(a.as_str()),
                            _ => false,
                        })
            })
        })
    }
}

/// The terms of query text as written (quotes kept), for editing a query.
pub fn terms(text: &str) -> Vec<String> {
    match tokens(text) {
        Ok(t) => t.into_iter().map(|(_, s)| s).collect(),
        Err(_) => text.split_whitespace().map(str::to_string).collect(),
    }
}

/// Splits query text into (offset, token), honouring double quotes.
fn tokens(text: &str) -> Result<Vec<(usize, String)>, QueryError> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut start = 0;
    let mut quote_at = None;
    for (i, c) in text.char_indices() {
        match c {
            '"' => {
                quote_at = if quote_at.is_some() { None } else { Some(i) };
                cur.push(c);
            }
            c if c.is_whitespace() && quote_at.is_none() => {
                if !cur.is_empty() {
                    out.push((start, std::mem::take(&mut cur)));
                }
            }
            c => {
                if cur.is_empty() {
                    start = i;
                }
                cur.push(c);
            }
        }
    }
    if let Some(at) = quote_at {
        return Err(QueryError {
            message: "a quote is not closed".into(),
            at,
        });
    }
    if !cur.is_empty() {
        out.push((start, cur));
    }
    Ok(out)
}

fn unquote(v: &str) -> String {
    v.replace('"', "")
}

fn day_start(d: NaiveDate) -> Millis {
    d.and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp_millis())
        .unwrap_or(0)
}

/// One date expression → [start, end): `2025`, `2025-02`, `2025-02-14`, `A..B` (both
/// inclusive), `A..`, `..B`.
fn date_range(v: &str) -> Result<(Millis, Millis), String> {
    if let Some((a, b)) = v.split_once("..") {
        let start = if a.is_empty() {
            i64::MIN + 1
        } else {
            one_date(a)?.0
        };
        let end = if b.is_empty() {
            i64::MAX
        } else {
            one_date(b)?.1
        };
        if start >= end {
            return Err(format!("date:{v}: the range ends before it starts"));
        }
        return Ok((start, end));
    }
    one_date(v)
}

fn one_date(v: &str) -> Result<(Millis, Millis), String> {
    let bad =
        || format!("{v:?} is not a date; use 2025, 2025-02, 2025-02-14 or 2025-01-01..2025-03-31");
    let parts: Vec<&str> = v.split('-').collect();
    let num = |s: &str| s.parse::<u32>().map_err(|_| bad());
    match parts.as_slice() {
        [y] if y.len() == 4 => {
            let y = num(y)? as i32;
            let a = NaiveDate::from_ymd_opt(y, 1, 1).ok_or_else(bad)?;
            let b = NaiveDate::from_ymd_opt(y + 1, 1, 1).ok_or_else(bad)?;
            Ok((day_start(a), day_start(b)))
        }
        [y, m] if y.len() == 4 => {
            let a = NaiveDate::from_ymd_opt(num(y)? as i32, num(m)?, 1).ok_or_else(bad)?;
            let b = if a.month() == 12 {
                NaiveDate::from_ymd_opt(a.year() + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(a.year(), a.month() + 1, 1)
            }
            .ok_or_else(bad)?;
            Ok((day_start(a), day_start(b)))
        }
        [y, m, d] if y.len() == 4 => {
            let a = NaiveDate::from_ymd_opt(num(y)? as i32, num(m)?, num(d)?).ok_or_else(bad)?;
            Ok((day_start(a), day_start(a) + 86_400_000))
        }
        _ => Err(bad()),
    }
}

/// Per-record verdict codes, as the filter sees them.
pub mod verdict_code {
    /// No verdict.
    pub const NONE: u8 = 0;
    /// Immigration.
    pub const IMMIGRATION: u8 = 1;
    /// Not immigration.
    pub const NOT: u8 = 2;
    /// Unsure.
    pub const UNSURE: u8 = 3;
    /// Set on top of a code when reviewers disagree.
    pub const CONFLICT: u8 = 0x80;

    /// The code of a verdict.
    pub fn of(v: Option<crate::model::Verdict>) -> u8 {
        match v {
            None => NONE,
            Some(crate::model::Verdict::Immigration) => IMMIGRATION,
            Some(crate::model::Verdict::NotImmigration) => NOT,
            Some(crate::model::Verdict::Unsure) => UNSURE,
        }
    }
}

/// A clause with its per-string tables.
enum Prepared {
    /// Score per agency symbol and per reason symbol (None: no match).
    Fuzzy(Vec<Option<i64>>, Vec<Option<i64>>),
    Agency(Vec<Option<i64>>),
    AgencyExact(Vec<bool>),
    Reason(Vec<bool>),
    Rule([Vec<bool>; 5]),
    Time(Millis, Millis),
    Verdict(VerdictSel),
    Flagged(bool),
}

/// The index range of `field`'s strings from `from`, at most `limit` long.
fn span(ds: &Dataset, field: Field, from: usize, limit: usize) -> std::ops::Range<usize> {
    let len = ds.catalog.len(field);
    let from = from.min(len);
    from..len.min(from.saturating_add(limit))
}

fn contains_ci(s: &str, p: &str, finder: &memchr::memmem::Finder<'_>) -> bool {
    if p.is_empty() {
        return true;
    }
    if s.is_ascii() {
        // Case-insensitive without allocating, for the common ASCII case.
        s.as_bytes()
            .windows(p.len())
            .any(|w| w.eq_ignore_ascii_case(p.as_bytes()))
    } else {
        finder.find(s.to_lowercase().as_bytes()).is_some()
    }
}

/// An empty table per clause; [`Prepared::extend`] fills them in slices.
fn prepare(term: &Term) -> Prepared {
    match term {
        Term::Fuzzy(_) => Prepared::Fuzzy(Vec::new(), Vec::new()),
        Term::Agency(p) if p.starts_with('=') => Prepared::AgencyExact(Vec::new()),
        Term::Agency(_) => Prepared::Agency(Vec::new()),
        Term::Reason(_) => Prepared::Reason(Vec::new()),
        Term::Rule(_) => Prepared::Rule(Default::default()),
        Term::Time(a, b) => Prepared::Time(*a, *b),
        Term::Verdict(v) => Prepared::Verdict(*v),
        Term::Flagged(f) => Prepared::Flagged(*f),
    }
}

impl Prepared {
    /// Extends the per-string tables by up to `limit` strings each (to strings interned since
    /// they were built). Returns true when every table covers every string.
    fn extend(&mut self, ds: &Dataset, term: &Term, matcher: &SkimMatcherV2, limit: usize) -> bool {
        let strings = |f: Field| ds.catalog.strings(f);
        let fuzzy = |t: &mut Vec<Option<i64>>, f: Field, p: &str| {
            let r = span(ds, f, t.len(), limit);
            t.extend(strings(f)[r].iter().map(|s| matcher.fuzzy_match(s, p)));
            t.len() >= ds.catalog.len(f)
        };
        match (self, term) {
            (Prepared::Fuzzy(a, r), Term::Fuzzy(p)) => {
                fuzzy(a, Field::Agency, p) & fuzzy(r, Field::Reason, p)
            }
            (Prepared::Agency(a), Term::Agency(p)) => fuzzy(a, Field::Agency, p),
            (Prepared::AgencyExact(a), Term::Agency(p)) => {
                let exact = p.trim_start_matches('=');
                let r = span(ds, Field::Agency, a.len(), limit);
                a.extend(
                    strings(Field::Agency)[r]
                        .iter()
                        .map(|s| s.eq_ignore_ascii_case(exact)),
                );
                a.len() >= ds.catalog.len(Field::Agency)
            }
            (Prepared::Reason(t), Term::Reason(p)) => {
                let finder = memchr::memmem::Finder::new(p.as_bytes());
                let r = span(ds, Field::Reason, t.len(), limit);
                t.extend(
                    strings(Field::Reason)[r]
                        .iter()
                        .map(|s| contains_ci(s, p, &finder)),
                );
                t.len() >= ds.catalog.len(Field::Reason)
            }
            (Prepared::Rule(tables), Term::Rule(rule)) => {
                let mut done = true;
                for (t, f) in tables.iter_mut().zip(crate::catalog::TEXT_FIELDS) {
                    let r = span(ds, f, t.len(), limit);
                    t.extend(
                        r.map(|s| ds.catalog.hits(f, s as Sym).iter().any(|h| h.rule == *rule)),
                    );
                    done &= t.len() >= ds.catalog.len(f);
                }
                done
            }
            _ => true,
        }
    }
}

impl Prepared {
    /// Whether a row matches, and its fuzzy score (0 for non-fuzzy terms).
    fn test(&self, ds: &Dataset, verdicts: &[u8], row: u32) -> Option<i64> {
        let r = row as usize;
        match self {
            Prepared::Fuzzy(a, rs) => {
                let sa = a.get(ds.agency[r] as usize).copied().flatten();
                let sr = rs.get(ds.reason[r] as usize).copied().flatten();
                sa.max(sr)
            }
            Prepared::Agency(a) => a.get(ds.agency[r] as usize).copied().flatten(),
            Prepared::AgencyExact(a) => a
                .get(ds.agency[r] as usize)
                .copied()
                .unwrap_or(false)
                .then_some(0),
            Prepared::Reason(t) => t
                .get(ds.reason[r] as usize)
                .copied()
                .unwrap_or(false)
                .then_some(0),
            Prepared::Rule(tables) => {
                let syms = ds.syms(row);
                let s = [
                    syms.agency,
                    syms.reason,
                    syms.offense,
                    syms.prompt,
                    syms.prior,
                ];
                tables
                    .iter()
                    .zip(s)
                    .any(|(t, s)| t.get(s as usize).copied().unwrap_or(false))
                    .then_some(0)
            }
            Prepared::Time(a, b) => {
                let t = ds.time[r];
                (t != NO_TIME && t >= *a && t < *b).then_some(0)
            }
            Prepared::Verdict(sel) => {
                let code = verdicts.get(r).copied().unwrap_or(0);
                let base = code & !verdict_code::CONFLICT;
                let ok = match sel {
                    VerdictSel::None => base == verdict_code::NONE,
                    VerdictSel::Any => base != verdict_code::NONE,
                    VerdictSel::Conflict => code & verdict_code::CONFLICT != 0,
                    VerdictSel::Is(v) => base == verdict_code::of(Some(*v)),
                };
                ok.then_some(0)
            }
            Prepared::Flagged(f) => (ds.is_flagged(row) == *f).then_some(0),
        }
    }
}

/// Where a job takes its candidate rows from.
#[derive(Clone, Debug)]
pub enum Candidates {
    /// Every row, in this order (a sort order, or load order when empty and `natural`).
    Order(std::sync::Arc<Vec<u32>>),
    /// Rows `0..n` in load order.
    Natural(u32),
    /// A previous result (narrowing).
    Rows(Vec<u32>),
}

impl Candidates {
    fn len(&self) -> usize {
        match self {
            Candidates::Order(v) => v.len(),
            Candidates::Natural(n) => *n as usize,
            Candidates::Rows(v) => v.len(),
        }
    }

    fn get(&self, i: usize) -> u32 {
        match self {
            Candidates::Order(v) => v[i],
            Candidates::Natural(_) => i as u32,
            Candidates::Rows(v) => v[i],
        }
    }
}

/// A filter being applied, resumable in slices.
pub struct FilterJob {
    query: Query,
    prepared: Vec<(bool, Prepared)>,
    candidates: Candidates,
    next: usize,
    /// The matching rows so far, in candidate order.
    pub rows: Vec<u32>,
    scores: Vec<i64>,
    fuzzy: bool,
    reverse: bool,
    /// When the job started.
    pub started: Instant,
    tables_ready: bool,
}

/// Strings matched per table between deadline checks.
const SLICE_STRINGS: usize = 4096;

/// Rows tested between deadline checks.
const SLICE_ROWS: usize = 16_384;

impl FilterJob {
    /// A job. Nothing is computed here: `step` first builds the per-string tables, then tests
    /// rows, both in slices, so starting a job never makes a key press wait.
    pub fn new(_ds: &Dataset, query: Query, candidates: Candidates, reverse: bool) -> FilterJob {
        let prepared: Vec<(bool, Prepared)> = query
            .clauses
            .iter()
            .map(|c| (c.negated, prepare(&c.term)))
            .collect();
        let fuzzy = query.has_fuzzy();
        FilterJob {
            query,
            prepared,
            candidates,
            next: 0,
            rows: Vec::new(),
            scores: Vec::new(),
            fuzzy,
            reverse,
            started: Instant::now(),
            tables_ready: false,
        }
    }

    /// The query being applied.
    pub fn query(&self) -> &Query {
        &self.query
    }

    /// Fraction done.
    pub fn progress(&self) -> f64 {
        let n = self.candidates.len().max(1);
        self.next as f64 / n as f64
    }

    /// Brings the job up to date with rows and strings loaded since it started: per-string
    /// tables grow, and a job over load order covers rows up to `rows`.
    pub fn refresh(&mut self, ds: &Dataset, rows: u32) {
        let matcher = SkimMatcherV2::default().ignore_case();
        for ((_, p), c) in self.prepared.iter_mut().zip(&self.query.clauses) {
            p.extend(ds, &c.term, &matcher, usize::MAX);
        }
        self.tables_ready = true;
        if let Candidates::Natural(n) = &mut self.candidates {
            *n = rows;
        }
    }

    /// True when every candidate has been tested.
    pub fn done(&self) -> bool {
        self.next >= self.candidates.len()
    }

    /// Tests a row against every clause (the tables must be built: after `step` finished, or
    /// `refresh`).
    pub fn matches(&self, ds: &Dataset, verdicts: &[u8], row: u32) -> Option<i64> {
        let mut score = 0;
        for (negated, p) in &self.prepared {
            match (p.test(ds, verdicts, row), negated) {
                (Some(s), false) => score += s,
                (None, true) => {}
                _ => return None,
            }
        }
        Some(score)
    }

    /// Works until `budget` is spent or the job is done. Returns true when done.
    pub fn step(&mut self, ds: &Dataset, verdicts: &[u8], budget: Duration) -> bool {
        let deadline = Instant::now() + budget;
        if !self.tables_ready {
            let matcher = SkimMatcherV2::default().ignore_case();
            loop {
                let mut done = true;
                for ((_, p), c) in self.prepared.iter_mut().zip(&self.query.clauses) {
                    done &= p.extend(ds, &c.term, &matcher, SLICE_STRINGS);
                }
                if done {
                    self.tables_ready = true;
                    break;
                }
                if Instant::now() >= deadline {
                    return false;
                }
            }
        }
        let n = self.candidates.len();
        while self.next < n {
            let end = (self.next + SLICE_ROWS).min(n);
            for i in self.next..end {
                let idx = if self.reverse { n - 1 - i } else { i };
                let row = self.candidates.get(idx);
                if let Some(s) = self.matches(ds, verdicts, row) {
                    self.rows.push(row);
                    if self.fuzzy {
                        self.scores.push(s);
                    }
                }
            }
            self.next = end;
            if Instant::now() >= deadline && self.next < n {
                return false;
            }
        }
        if self.fuzzy && !self.scores.is_empty() {
            let mut pairs: Vec<(i64, u32)> =
                self.scores.drain(..).zip(self.rows.drain(..)).collect();
            pairs.sort_by_key(|&(s, _)| std::cmp::Reverse(s));
            self.rows = pairs.into_iter().map(|(_, r)| r).collect();
        }
        true
    }

    /// Runs to completion.
    pub fn run(mut self, ds: &Dataset, verdicts: &[u8]) -> Vec<u32> {
        while !self.step(ds, verdicts, Duration::from_secs(3600)) {}
        self.rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Result<Query, QueryError> {
        Query::parse(s, &RuleSet::builtin())
    }

    #[test]
    fn parses_every_term() {
        let query = q(r#"ice agency:"Dallas TX PD" -reason:test rule:hsi date:2025-02 verdict:not flagged:no"#).unwrap();
        let terms: Vec<&Term> = query.clauses.iter().map(|c| &c.term).collect();
        assert_eq!(terms[0], &Term::Fuzzy("ice".into()));
        assert_eq!(terms[1], &Term::Agency("Dallas TX PD".into()));
        assert_eq!(terms[2], &Term::Reason("test".into()));
        assert!(query.clauses[2].negated);
        assert!(matches!(terms[3], Term::Rule(_)));
        assert!(matches!(terms[4], Term::Time(_, _)));
        assert_eq!(
            terms[5],
            &Term::Verdict(VerdictSel::Is(Verdict::NotImmigration))
        );
        assert_eq!(terms[6], &Term::Flagged(false));
        assert!(query.mentions_flagged());
    }

    #[test]
    fn date_forms() {
        let d = |s: &str| {
            let (a, b) = date_range(s).unwrap();
            (
                crate::ingest::time::format_rfc3339(a),
                crate::ingest::time::format_rfc3339(b),
            )
        };
        assert_eq!(
            d("2025-02"),
            ("2025-02-01T00:00:00Z".into(), "2025-03-01T00:00:00Z".into())
        );
        assert_eq!(
            d("2025-12"),
            ("2025-12-01T00:00:00Z".into(), "2026-01-01T00:00:00Z".into())
        );
        assert_eq!(
            d("2025-02-14"),
            ("2025-02-14T00:00:00Z".into(), "2025-02-15T00:00:00Z".into())
        );
        assert_eq!(
            d("2025-01-01..2025-03-31"),
            ("2025-01-01T00:00:00Z".into(), "2025-04-01T00:00:00Z".into())
        );
        assert_eq!(
            d("2025"),
            ("2025-01-01T00:00:00Z".into(), "2026-01-01T00:00:00Z".into())
        );
        assert!(date_range("2025-13").is_err());
        assert!(date_range("2025-03-01..2025-01-01").is_err());
        assert!(date_range("yesterday").is_err());
    }

    #[test]
    fn errors_say_what_and_where() {
        let e = q("ice colour:red").unwrap_err();
        assert_eq!(e.at, 4);
        assert!(e.message.contains("unknown filter colour:"));
        assert!(
            q("rule:nosuch")
                .unwrap_err()
                .message
                .contains("unknown rule")
        );
        assert!(q("date:soon").unwrap_err().message.contains("not a date"));
        assert!(
            q("verdict:maybe-ish")
                .unwrap_err()
                .message
                .contains("verdict:")
        );
        assert!(q("agency:\"Dallas").unwrap_err().message.contains("quote"));
        assert!(q("reason:").unwrap_err().message.contains("needs a value"));
        assert_eq!(q("").unwrap(), Query::default());
    }

    #[test]
    fn narrowing() {
        assert!(
            q("ice agency:dal")
                .unwrap()
                .narrows(&q("ice agency:da").unwrap())
        );
        assert!(q("ice hsi").unwrap().narrows(&q("ice").unwrap()));
        assert!(!q("-reason:tes").unwrap().narrows(&q("-reason:te").unwrap()));
        assert!(
            !q("date:2025-02").unwrap().narrows(&q("date:2025").unwrap()),
            "conservative"
        );
        assert!(q("date:2025 x").unwrap().narrows(&q("date:2025").unwrap()));
    }
}
