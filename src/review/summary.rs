//! Findings from verdicts: records, flags and verdicts counted by agency, by month, by rule and
//! by account, over a set of records (the filter in force, or a report's selection).
//!
//! A summary is built once over its records ([`SummaryJob`], in slices so the UI never waits)
//! and then kept up to date a record at a time ([`Summary::change`]) as verdicts are given, so
//! that the summary screen and the report count the same way.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::Datelike;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::flag::RuleIdx;
use crate::ingest::time::Millis;
use crate::intern::Sym;
use crate::model::{Field, VerdictCode};
use crate::review::dataset::{Dataset, NO_TIME};
use crate::review::links::NO_ACCOUNT;

/// Records counted by flag and verdict.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Records.
    pub records: u64,
    /// Of them, flagged by a rule.
    pub flagged: u64,
    /// With the verdict "immigration-related".
    pub immigration: u64,
    /// With the verdict "not immigration-related".
    pub not_immigration: u64,
    /// With the verdict "unsure".
    pub unsure: u64,
    /// Flagged and without a verdict (reviewers disagreeing included): the work left.
    pub undecided_flagged: u64,
}

impl Tally {
    fn apply(&mut self, flagged: bool, code: VerdictCode, add: bool) {
        let step = |n: &mut u64| {
            if add {
                *n += 1
            } else {
                *n = n.saturating_sub(1)
            }
        };
        step(&mut self.records);
        if flagged {
            step(&mut self.flagged);
        }
        match code.slot() {
            1 => step(&mut self.immigration),
            2 => step(&mut self.not_immigration),
            3 => step(&mut self.unsure),
            _ if flagged => step(&mut self.undecided_flagged),
            _ => {}
        }
    }

    /// Adds another tally's counts.
    pub fn add(&mut self, o: &Tally) {
        self.records += o.records;
        self.flagged += o.flagged;
        self.immigration += o.immigration;
        self.not_immigration += o.not_immigration;
        self.unsure += o.unsure;
        self.undecided_flagged += o.undecided_flagged;
    }

    /// Records with a verdict.
    pub fn reviewed(&self) -> u64 {
        self.immigration + self.not_immigration + self.unsure
    }

    /// Of the records decided either way, the share confirmed immigration-related (a rule's
    /// precision as reviewed); None before any is decided.
    pub fn precision(&self) -> Option<f64> {
        let decided = self.immigration + self.not_immigration;
        (decided > 0).then(|| self.immigration as f64 / decided as f64)
    }
}

/// A month as `year * 12 + month0`, or [`NO_MONTH`].
pub type Month = i32;
/// Records without a search time.
pub const NO_MONTH: Month = i32::MAX;

/// The month of a time, UTC.
pub fn month_of(t: Millis) -> Month {
    if t == NO_TIME {
        return NO_MONTH;
    }
    chrono::DateTime::from_timestamp_millis(t)
        .map(|d| d.year() * 12 + d.month0() as i32)
        .unwrap_or(NO_MONTH)
}

/// `YYYY-MM`, or `unknown`.
pub fn month_label(m: Month) -> String {
    if m == NO_MONTH {
        return "unknown".into();
    }
    format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1)
}

/// The counts of a set of records.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    /// Over every record counted.
    pub total: Tally,
    agencies: Vec<Tally>,
    months: BTreeMap<Month, Tally>,
    /// By rule: `records` is the records the rule flags (a record flagged by two rules counts
    /// for both).
    rules: Vec<Tally>,
    /// By account: an agency and an officer name (or user id) together ([`account_key`]).
    accounts: FxHashMap<u64, Tally>,
    /// Records with no account (none in the file, or redacted).
    no_account: Tally,
    /// Searches by an agency of another state than the file's owner, by a federal agency, by a
    /// private organization, by a 287(g) partner (in [`WHO_LINES`] order).
    who: [Tally; 4],
    /// Earliest and latest search time counted.
    span: Option<(Millis, Millis)>,
}

/// The lines of [`Summary::by_who`]: label and filter term.
pub const WHO_LINES: [(&str, &str); 4] = [
    (
        "out of state (searcher's state is not the owner's)",
        "out-of-state:yes",
    ),
    ("federal agencies", "level:federal"),
    ("private organizations", "level:private"),
    ("287(g) partners", "partner:287g"),
];

/// One line of a breakdown: what it is, and its counts.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// The agency name, `YYYY-MM`, rule name or account.
    pub label: String,
    /// The filter term that shows these records (`agency:="…"`, `date:2025-03`, …).
    pub term: String,
    /// The counts.
    pub tally: Tally,
}

impl Summary {
    /// Counts a record in (`add`) or out.
    pub fn count(&mut self, ds: &Dataset, row: u32, code: VerdictCode, add: bool) {
        let r = row as usize;
        let flagged = ds.is_flagged(row);
        self.total.apply(flagged, code, add);
        let slot = |v: &mut Vec<Tally>, i: usize| {
            if v.len() <= i {
                v.resize(i + 1, Tally::default());
            }
            v[i].apply(flagged, code, add);
        };
        slot(&mut self.agencies, ds.agency[r] as usize);
        let account = ds.links.account[r];
        if account == NO_ACCOUNT {
            self.no_account.apply(flagged, code, add);
        } else {
            self.accounts
                .entry(account_key(ds.agency[r], account))
                .or_default()
                .apply(flagged, code, add);
        }
        let who = ds.who(row);
        for (i, yes) in [
            who.out_of_state() == Some(true),
            who.federal(),
            who.private(),
            who.partner(),
        ]
        .into_iter()
        .enumerate()
        {
            if yes {
                self.who[i].apply(flagged, code, add);
            }
        }
        let t = ds.time[r];
        self.months
            .entry(month_of(t))
            .or_default()
            .apply(flagged, code, add);
        if add && t != NO_TIME {
            self.span = Some(match self.span {
                Some((a, b)) => (a.min(t), b.max(t)),
                None => (t, t),
            });
        }
        if flagged {
            for rule in rules_of(ds, row) {
                slot(&mut self.rules, rule as usize);
            }
        }
    }

    /// A record's verdict changed (it is among the records counted).
    pub fn change(&mut self, ds: &Dataset, row: u32, old: VerdictCode, new: VerdictCode) {
        if old.slot() != new.slot() {
            self.count(ds, row, old, false);
            self.count(ds, row, new, true);
        }
    }

    /// The earliest and latest search time counted.
    pub fn span(&self) -> Option<(Millis, Millis)> {
        self.span
    }

    /// By agency, most confirmed first (then most flagged, then most records, then by name).
    pub fn by_agency(&self, ds: &Dataset) -> Vec<Line> {
        let mut out: Vec<Line> = self
            .agencies
            .iter()
            .enumerate()
            .filter(|(_, t)| t.records > 0)
            .map(|(sym, t)| {
                let name = ds.catalog.text(Field::Agency, sym as Sym);
                Line {
                    label: name.to_string(),
                    term: format!("agency:={}", quoted(name)),
                    tally: *t,
                }
            })
            .collect();
        sort_lines(&mut out);
        out
    }

    /// By the searcher's state (from its profile), most confirmed first; `none` for names that
    /// give no state.
    pub fn by_state(&self, ds: &Dataset) -> Vec<Line> {
        let mut by: BTreeMap<Option<crate::agency::StateCode>, Tally> = BTreeMap::new();
        for (sym, t) in self
            .agencies
            .iter()
            .enumerate()
            .filter(|(_, t)| t.records > 0)
        {
            by.entry(ds.profiles.of(sym as Sym).state)
                .or_default()
                .add(t);
        }
        let mut out: Vec<Line> = by
            .into_iter()
            .map(|(s, tally)| Line {
                label: s.map_or("none".into(), |s| s.as_str().to_string()),
                term: format!("state:{}", s.map_or("none", |s| s.as_str())),
                tally,
            })
            .collect();
        sort_lines(&mut out);
        out
    }

    /// By the searcher's level, in [`crate::agency::Level::ALL`] order.
    pub fn by_level(&self, ds: &Dataset) -> Vec<Line> {
        let mut by: BTreeMap<crate::agency::Level, Tally> = BTreeMap::new();
        for (sym, t) in self
            .agencies
            .iter()
            .enumerate()
            .filter(|(_, t)| t.records > 0)
        {
            by.entry(ds.profiles.of(sym as Sym).level)
                .or_default()
                .add(t);
        }
        by.into_iter()
            .map(|(l, tally)| Line {
                label: l.as_str().to_string(),
                term: format!("level:{}", l.as_str()),
                tally,
            })
            .collect()
    }

    /// Out-of-state, federal, private and 287(g)-partner searches, each line listed even when
    /// none was counted (a zero is a finding too).
    pub fn by_who(&self) -> Vec<Line> {
        WHO_LINES
            .iter()
            .zip(self.who)
            .map(|((label, term), tally)| Line {
                label: label.to_string(),
                term: term.to_string(),
                tally,
            })
            .collect()
    }

    /// By month, in time order (records without a time last, as `unknown`).
    pub fn by_month(&self) -> Vec<Line> {
        self.months
            .iter()
            .filter(|(_, t)| t.records > 0)
            .map(|(&m, t)| Line {
                label: month_label(m),
                term: if m == NO_MONTH {
                    String::new()
                } else {
                    format!("date:{}", month_label(m))
                },
                tally: *t,
            })
            .collect()
    }

    /// By rule, in the rule set's order, the rules that flag something.
    pub fn by_rule(&self, ds: &Dataset) -> Vec<Line> {
        self.rules
            .iter()
            .enumerate()
            .filter(|(_, t)| t.records > 0)
            .map(|(i, t)| {
                let name = &ds.catalog.rules.rule(i as RuleIdx).name;
                Line {
                    label: name.to_string(),
                    term: format!("rule:{name}"),
                    tally: *t,
                }
            })
            .collect()
    }

    /// By account, most confirmed first: an agency together with the officer's name (else the
    /// user id), so one name in two agencies is two accounts; each with its agency. Records
    /// with neither (or both redacted) are left out.
    pub fn by_account_agency(&self, ds: &Dataset) -> Vec<(Line, String)> {
        let mut out: Vec<(Line, String)> = self
            .accounts
            .iter()
            .filter(|(_, t)| t.records > 0)
            .map(|(&key, t)| {
                let (agency, account) = ((key >> 32) as Sym, key as Sym);
                let name = ds.links.account_name(account);
                let agency = ds.catalog.text(Field::Agency, agency);
                let line = Line {
                    label: name.to_string(),
                    term: format!("agency:={} account:={}", quoted(agency), quoted(name)),
                    tally: *t,
                };
                (line, agency.to_string())
            })
            .collect();
        out.sort_by(|(a, x), (b, y)| line_order(a, b).then_with(|| x.cmp(y)));
        out
    }

    /// [`Summary::by_account_agency`] with the agency in each label (`K. Lee · Millbrook TX PD`).
    pub fn by_account(&self, ds: &Dataset) -> Vec<Line> {
        self.by_account_agency(ds)
            .into_iter()
            .map(|(mut l, agency)| {
                l.label = format!("{} · {agency}", l.label);
                l
            })
            .collect()
    }

    /// Records with no account (none in the file, or redacted).
    pub fn without_account(&self) -> Tally {
        self.no_account
    }
}

/// The key of an account in [`Summary`]: its agency and its name symbols.
fn account_key(agency: Sym, account: Sym) -> u64 {
    (u64::from(agency) << 32) | u64::from(account)
}

fn line_order(a: &Line, b: &Line) -> std::cmp::Ordering {
    (b.tally.immigration, b.tally.flagged, b.tally.records)
        .cmp(&(a.tally.immigration, a.tally.flagged, a.tally.records))
        .then_with(|| a.label.cmp(&b.label))
}

fn sort_lines(lines: &mut [Line]) {
    lines.sort_by(line_order);
}

/// A value quoted for the filter language when it holds spaces.
fn quoted(s: &str) -> String {
    if s.contains(char::is_whitespace) {
        format!("\"{}\"", s.replace('"', ""))
    } else {
        s.replace('"', "")
    }
}

/// The rules that flag a record, each once.
pub fn rules_of(ds: &Dataset, row: u32) -> Vec<RuleIdx> {
    let mut seen = FxHashSet::default();
    ds.hits(row)
        .into_iter()
        .map(|(h, _)| h.rule)
        .filter(|r| seen.insert(*r))
        .collect()
}

/// Builds a summary over rows, a slice at a time.
#[derive(Clone, Debug)]
pub struct SummaryJob {
    rows: Vec<u32>,
    next: usize,
    summary: Summary,
}

impl SummaryJob {
    /// A job over `rows`.
    pub fn new(rows: Vec<u32>) -> SummaryJob {
        SummaryJob {
            rows,
            next: 0,
            summary: Summary::default(),
        }
    }

    /// Works for up to `budget`; the summary when done.
    pub fn step(
        &mut self,
        ds: &Dataset,
        verdicts: &[VerdictCode],
        budget: Duration,
    ) -> Option<Summary> {
        let start = Instant::now();
        while self.next < self.rows.len() {
            let end = (self.next + 16_384).min(self.rows.len());
            for &r in &self.rows[self.next..end] {
                let code = verdicts.get(r as usize).copied().unwrap_or_default();
                self.summary.count(ds, r, code, true);
            }
            self.next = end;
            if start.elapsed() >= budget {
                break;
            }
        }
        (self.next >= self.rows.len()).then(|| std::mem::take(&mut self.summary))
    }

    /// The whole summary at once (headless commands).
    pub fn run(mut self, ds: &Dataset, verdicts: &[VerdictCode]) -> Summary {
        loop {
            if let Some(s) = self.step(ds, verdicts, Duration::from_secs(3600)) {
                return s;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_and_tallies() {
        assert_eq!(month_label(month_of(0)), "1970-01");
        assert_eq!(
            month_label(month_of(1_740_787_200_000)), // 2025-03-01T00:00:00Z
            "2025-03"
        );
        assert_eq!(month_label(month_of(NO_TIME)), "unknown");
        let mut t = Tally::default();
        let imm = VerdictCode::new(Some(crate::model::Verdict::Immigration), false);
        t.apply(true, VerdictCode::NONE, true);
        assert_eq!((t.flagged, t.undecided_flagged), (1, 1));
        t.apply(true, VerdictCode::NONE, false);
        t.apply(true, imm, true);
        assert_eq!((t.records, t.immigration, t.undecided_flagged), (1, 1, 0));
        assert_eq!(t.precision(), Some(1.0));
        let conflict = VerdictCode::CONFLICT;
        t.apply(true, conflict, true);
        assert_eq!(t.undecided_flagged, 1, "a conflict is work left");
    }
}
