//! The filter language: parsing query text into clauses.

use chrono::{Datelike, NaiveDate};

use crate::flag::{RuleIdx, RuleSet};
use crate::ingest::time::Millis;
use crate::model::Verdict;

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
    /// `account:` substring of the officer's name or user id, case-insensitive (`account:=X`
    /// exactly, as the summary's drill-down writes it).
    Account(String),
    /// `state:TX` the searcher's state (`state:none`: the name gives none).
    State(Option<crate::agency::StateCode>),
    /// `level:federal` the searcher's level.
    Level(crate::agency::Level),
    /// `partner:287g` the searcher holds a 287(g) agreement.
    Partner,
    /// `out-of-state:yes|no|unknown` the searcher's state against the file owner's.
    OutOfState(Option<bool>),
    /// `owner:` substring of the file owner's name, case-insensitive (`owner:=X` exactly).
    Owner(String),
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

const KEYS: &str = "agency:, reason:, rule:, date:, after:, before:, verdict:, flagged:, account:, state:, level:, out-of-state:, partner:, owner:";

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
                Some((k, v))
                    if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphabetic() || c == '-') =>
                {
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
                Some("account") => Term::Account(value.to_lowercase()),
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
                Some("state") => Term::State(match value.to_ascii_lowercase().as_str() {
                    "none" | "unknown" | "?" => None,
                    v => match crate::agency::StateCode::parse(v) {
                        Some(s) => Some(s),
                        None => {
                            return Err(err(format!(
                                "state:{value}? use a two-letter state code (state:TX) or state:none"
                            )));
                        }
                    },
                }),
                Some("level") => match crate::agency::Level::parse(&value) {
                    Some(l) => Term::Level(l),
                    None => {
                        return Err(err(format!(
                            "level:{value}? use one of {}",
                            crate::agency::Level::ALL.map(|l| l.as_str()).join(", ")
                        )));
                    }
                },
                Some("partner") => match value.to_ascii_lowercase().as_str() {
                    "287g" | "287(g)" | "yes" | "y" | "true" => Term::Partner,
                    _ => {
                        return Err(err(format!(
                            "partner:{value}? use partner:287g (and -partner:287g for the others)"
                        )));
                    }
                },
                Some("out-of-state" | "outofstate" | "oos") => {
                    Term::OutOfState(match value.to_ascii_lowercase().as_str() {
                        "yes" | "y" | "true" | "1" => Some(true),
                        "no" | "n" | "false" | "0" => Some(false),
                        "unknown" | "none" | "?" => None,
                        _ => {
                            return Err(err(format!(
                                "out-of-state:{value}? use yes, no or unknown"
                            )));
                        }
                    })
                }
                Some("owner") => Term::Owner(value.to_lowercase()),
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
