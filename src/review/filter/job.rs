//! Applying a query to a dataset: per-string tables first, then rows, both in slices.

use std::time::{Duration, Instant};

use super::query::{Query, Term, VerdictSel};
use crate::ingest::time::Millis;
use crate::intern::Sym;
use crate::model::{Field, VerdictCode};
use crate::review::dataset::{Dataset, NO_TIME};

/// A clause with its per-string tables.
enum Prepared {
    /// Score per agency symbol and per reason symbol (None: no match).
    Fuzzy(Vec<Option<i64>>, Vec<Option<i64>>),
    Agency(Vec<Option<i64>>),
    AgencyExact(Vec<bool>),
    Reason(Vec<bool>),
    /// A flag per symbol of each text column, and the rule.
    Rule([Vec<bool>; 5], crate::flag::RuleIdx),
    Time(Millis, Millis),
    Verdict(VerdictSel),
    Flagged(bool),
    /// A flag per account symbol.
    Account(Vec<bool>),
    /// A flag per agency symbol, from its profile (`state:`, `level:`, `partner:`).
    Profile(Vec<bool>),
    /// `out-of-state:`.
    OutOfState(Option<bool>),
    /// A flag per file, from its owner (`owner:`).
    Owner(Vec<bool>),
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
        Term::Rule(r) => Prepared::Rule(Default::default(), *r),
        Term::Time(a, b) => Prepared::Time(*a, *b),
        Term::Verdict(v) => Prepared::Verdict(*v),
        Term::Flagged(f) => Prepared::Flagged(*f),
        Term::Account(_) => Prepared::Account(Vec::new()),
        Term::State(_) | Term::Level(_) | Term::Partner => Prepared::Profile(Vec::new()),
        Term::OutOfState(v) => Prepared::OutOfState(*v),
        Term::Owner(_) => Prepared::Owner(Vec::new()),
    }
}

impl Prepared {
    /// Extends the per-string tables by up to `limit` strings each (to strings interned since
    /// they were built). Returns true when every table covers every string.
    fn extend(&mut self, ds: &Dataset, term: &Term, matcher: &super::Fuzzy, limit: usize) -> bool {
        let strings = |f: Field| ds.catalog.strings(f);
        let fuzzy = |t: &mut Vec<Option<i64>>, f: Field, p: &str| {
            let r = span(ds, f, t.len(), limit);
            t.extend(strings(f)[r].iter().map(|s| matcher.score(s, p)));
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
            (Prepared::Rule(tables, _), Term::Rule(rule)) => {
                let mut done = true;
                for (t, f) in tables.iter_mut().zip(crate::ingest::catalog::TEXT_FIELDS) {
                    let r = span(ds, f, t.len(), limit);
                    t.extend(
                        r.map(|s| ds.catalog.hits(f, s as Sym).iter().any(|h| h.rule == *rule)),
                    );
                    done &= t.len() >= ds.catalog.len(f);
                }
                done
            }
            (Prepared::Account(t), Term::Account(p)) => {
                let n = ds.links.account_count();
                let end = n.min(t.len().saturating_add(limit));
                let exact = p.strip_prefix('=');
                let finder = memchr::memmem::Finder::new(p.as_bytes());
                t.extend((t.len()..end).map(|sym| {
                    let name = ds.links.account_name(sym as Sym);
                    sym as Sym != crate::review::links::NO_ACCOUNT
                        && match exact {
                            Some(e) => name.to_lowercase() == e,
                            None => contains_ci(name, p, &finder),
                        }
                }));
                t.len() >= n
            }
            (Prepared::Profile(t), term) => {
                let r = span(ds, Field::Agency, t.len(), limit);
                t.extend(r.map(|sym| {
                    let p = ds.profiles.of(sym as Sym);
                    match term {
                        Term::State(s) => p.state == *s,
                        Term::Level(l) => p.level == *l,
                        Term::Partner => p.partner.is_some(),
                        _ => false,
                    }
                }));
                t.len() >= ds.catalog.len(Field::Agency)
            }
            (Prepared::Owner(t), Term::Owner(p)) => {
                // A few files: made again each time (an owner is known once its file starts).
                let exact = p.strip_prefix('=');
                t.clear();
                t.extend((0..ds.files.len()).map(|f| {
                    ds.profiles.owner(f).is_some_and(|o| {
                        let name = o.name.to_lowercase();
                        match exact {
                            Some(e) => name == e,
                            None => name.contains(p.as_str()),
                        }
                    })
                }));
                true
            }
            _ => true,
        }
    }
}

impl Prepared {
    /// Whether a row matches, and its fuzzy score (0 for non-fuzzy terms).
    fn test(&self, ds: &Dataset, verdicts: &[VerdictCode], row: u32) -> Option<i64> {
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
            Prepared::Rule(tables, rule) => {
                let syms = ds.syms(row);
                // A rule that counts only for some searchers (`searcher = "partner_287g"`).
                if !ds.catalog.counts(*rule, syms.agency) {
                    return None;
                }
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
                let code = verdicts.get(r).copied().unwrap_or_default();
                let ok = match sel {
                    VerdictSel::None => !code.is_decided(),
                    VerdictSel::Any => code.is_decided(),
                    VerdictSel::Conflict => code.is_conflict(),
                    VerdictSel::Is(v) => code.verdict() == Some(*v),
                };
                ok.then_some(0)
            }
            Prepared::Flagged(f) => (ds.is_flagged(row) == *f).then_some(0),
            Prepared::Account(t) => t
                .get(ds.links.account[r] as usize)
                .copied()
                .unwrap_or(false)
                .then_some(0),
            Prepared::Profile(t) => t
                .get(ds.agency[r] as usize)
                .copied()
                .unwrap_or(false)
                .then_some(0),
            Prepared::OutOfState(want) => (ds.who(row).out_of_state() == *want).then_some(0),
            Prepared::Owner(t) => t
                .get(ds.source(row).file as usize)
                .copied()
                .unwrap_or(false)
                .then_some(0),
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
    /// A previous result (narrowing; shared with the table, not copied).
    Rows(std::sync::Arc<Vec<u32>>),
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
        let matcher = super::Fuzzy::new();
        for ((_, p), c) in self.prepared.iter_mut().zip(&self.query.clauses) {
            p.extend(ds, &c.term, &matcher, usize::MAX);
        }
        self.tables_ready = true;
        if let Candidates::Natural(n) = &mut self.candidates {
            *n = rows;
        }
    }

    /// Tests a row against every clause (the tables must be built: after `step` finished, or
    /// `refresh`).
    pub fn matches(&self, ds: &Dataset, verdicts: &[VerdictCode], row: u32) -> Option<i64> {
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
    pub fn step(&mut self, ds: &Dataset, verdicts: &[VerdictCode], budget: Duration) -> bool {
        let deadline = Instant::now() + budget;
        if !self.tables_ready {
            let matcher = super::Fuzzy::new();
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
    pub fn run(mut self, ds: &Dataset, verdicts: &[VerdictCode]) -> Vec<u32> {
        while !self.step(ds, verdicts, Duration::from_secs(3600)) {}
        self.rows
    }
}
