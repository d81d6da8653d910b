//! Several reviewers' annotation files into one: every reviewer's verdict is kept, records where
//! they disagree become conflicts, and each pair of reviewers gets percent agreement and Cohen's
//! kappa.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{RecordId, Verdict};
use crate::store::{Annotation, Review};

/// Agreement between two reviewers over the records both gave a verdict.
#[derive(Clone, Debug, PartialEq)]
pub struct PairStats {
    /// First reviewer (alphabetical).
    pub a: String,
    /// Second reviewer.
    pub b: String,
    /// Records both gave a verdict.
    pub both: usize,
    /// Of those, how many with the same verdict.
    pub agree: usize,
    /// `agree / both` in percent (None when `both` is 0).
    pub percent: Option<f64>,
    /// Cohen's kappa (None when undefined: no shared records, or chance agreement is 1).
    pub kappa: Option<f64>,
}

/// A record the reviewers disagree on.
#[derive(Clone, Debug, PartialEq)]
pub struct Conflict {
    /// The record.
    pub record_id: RecordId,
    /// Agency and reason, to recognise it.
    pub agency: String,
    /// Reason.
    pub reason: String,
    /// Each reviewer's verdict.
    pub verdicts: Vec<(String, Option<Verdict>)>,
}

/// The merged annotations and what the merge found.
#[derive(Clone, Debug, Default)]
pub struct Merged {
    /// One annotation a record, with every reviewer's verdict in `reviews`.
    pub annotations: Vec<Annotation>,
    /// Every pair of reviewers.
    pub pairs: Vec<PairStats>,
    /// Disagreements not yet adjudicated.
    pub conflicts: Vec<Conflict>,
    /// Every reviewer.
    pub reviewers: BTreeSet<String>,
}

/// The reviews an annotation carries: its own, or those of an earlier merge.
fn reviews_of(a: &Annotation) -> Vec<Review> {
    if a.reviews.is_empty() {
        vec![Review {
            reviewer: a.reviewer.clone(),
            verdict: a.verdict,
            note: a.note.clone(),
            annotated_at: a.annotated_at.clone(),
        }]
    } else {
        a.reviews.clone()
    }
}

/// Merges annotation lists (one per file). A reviewer who appears twice for a record keeps
/// their latest review.
pub fn merge(inputs: &[Vec<Annotation>]) -> Merged {
    let mut by_record: BTreeMap<RecordId, Vec<&Annotation>> = BTreeMap::new();
    for list in inputs {
        for a in list {
            by_record.entry(a.record_id).or_default().push(a);
        }
    }
    let mut out = Merged::default();
    for (id, anns) in by_record {
        let mut reviews: BTreeMap<String, Review> = BTreeMap::new();
        for a in &anns {
            for r in reviews_of(a) {
                match reviews.get(&r.reviewer) {
                    Some(old) if old.annotated_at >= r.annotated_at => {}
                    _ => {
                        reviews.insert(r.reviewer.clone(), r);
                    }
                }
            }
        }
        let latest = anns
            .iter()
            .max_by(|x, y| x.annotated_at.cmp(&y.annotated_at))
            .copied()
            .unwrap_or(anns[0]);
        let adjudicated = anns
            .iter()
            .filter(|a| a.adjudicated_by.is_some())
            .max_by(|x, y| x.annotated_at.cmp(&y.annotated_at));
        let reviews: Vec<Review> = reviews.into_values().collect();
        out.reviewers
            .extend(reviews.iter().map(|r| r.reviewer.clone()));
        let verdicts: BTreeSet<Verdict> = reviews.iter().filter_map(|r| r.verdict).collect();
        let (verdict, conflict, adjudicated_by) = match adjudicated {
            Some(a) => (a.verdict, false, a.adjudicated_by.clone()),
            None if verdicts.len() > 1 => (None, true, None),
            None => (verdicts.iter().next().copied(), false, None),
        };
        if conflict {
            out.conflicts.push(Conflict {
                record_id: id,
                agency: latest.record.agency.clone(),
                reason: latest.record.reason.clone(),
                verdicts: reviews
                    .iter()
                    .map(|r| (r.reviewer.clone(), r.verdict))
                    .collect(),
            });
        }
        let single = reviews.len() == 1;
        out.annotations.push(Annotation {
            record_id: id,
            verdict,
            note: if single {
                reviews[0].note.clone()
            } else {
                reviews
                    .iter()
                    .filter(|r| !r.note.is_empty())
                    .map(|r| format!("{}: {}", r.reviewer, r.note))
                    .collect::<Vec<_>>()
                    .join("\n")
            },
            reviewer: reviews
                .iter()
                .map(|r| r.reviewer.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            annotated_at: reviews
                .iter()
                .map(|r| r.annotated_at.clone())
                .max()
                .unwrap_or_default(),
            query: latest.query.clone(),
            record: latest.record.clone(),
            reviews: if single { Vec::new() } else { reviews },
            conflict,
            adjudicated_by,
        });
    }
    out.pairs = pair_stats(&out.annotations);
    out
}

/// Percent agreement and Cohen's kappa for every pair of reviewers.
fn pair_stats(merged: &[Annotation]) -> Vec<PairStats> {
    // reviewer → record → verdict (latest review wins, as in the merge).
    let mut table: BTreeMap<String, BTreeMap<RecordId, Verdict>> = BTreeMap::new();
    for a in merged {
        let reviews = reviews_of(a);
        for r in reviews {
            if let Some(v) = r.verdict {
                table.entry(r.reviewer).or_default().insert(a.record_id, v);
            }
        }
    }
    let names: Vec<&String> = table.keys().collect();
    let mut out = Vec::new();
    for i in 0..names.len() {
        for j in i + 1..names.len() {
            let (a, b) = (&table[names[i]], &table[names[j]]);
            let shared: Vec<(Verdict, Verdict)> = a
                .iter()
                .filter_map(|(id, va)| b.get(id).map(|vb| (*va, *vb)))
                .collect();
            out.push(stats(names[i], names[j], &shared));
        }
    }
    out
}

/// Agreement over pairs of verdicts.
pub fn stats(a: &str, b: &str, shared: &[(Verdict, Verdict)]) -> PairStats {
    let n = shared.len();
    let agree = shared.iter().filter(|(x, y)| x == y).count();
    let (percent, kappa) = if n == 0 {
        (None, None)
    } else {
        let nf = n as f64;
        let po = agree as f64 / nf;
        let pe: f64 = Verdict::ALL
            .iter()
            .map(|v| {
                let ca = shared.iter().filter(|(x, _)| x == v).count() as f64;
                let cb = shared.iter().filter(|(_, y)| y == v).count() as f64;
                (ca / nf) * (cb / nf)
            })
            .sum();
        let kappa = if (1.0 - pe).abs() < 1e-12 {
            None
        } else {
            Some((po - pe) / (1.0 - pe))
        };
        (Some(po * 100.0), kappa)
    };
    PairStats {
        a: a.to_string(),
        b: b.to_string(),
        both: n,
        agree,
        percent,
        kappa,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Verdict::*;

    #[test]
    fn kappa_textbook_values() {
        // 10 records: 8 agreements. A: I I I I I N N N N U; B: I I I I N N N N U U.
        let a = [
            Immigration,
            Immigration,
            Immigration,
            Immigration,
            Immigration,
            NotImmigration,
            NotImmigration,
            NotImmigration,
            NotImmigration,
            Unsure,
        ];
        let b = [
            Immigration,
            Immigration,
            Immigration,
            Immigration,
            NotImmigration,
            NotImmigration,
            NotImmigration,
            NotImmigration,
            Unsure,
            Unsure,
        ];
        let pairs: Vec<(Verdict, Verdict)> = a.iter().copied().zip(b.iter().copied()).collect();
        let s = stats("a", "b", &pairs);
        assert_eq!((s.both, s.agree), (10, 8));
        // po = 0.8; pe = 0.5*0.4 + 0.4*0.4 + 0.1*0.2 = 0.38; kappa = 0.42 / 0.62.
        assert!((s.kappa.unwrap() - 0.42 / 0.62).abs() < 1e-9, "{s:?}");
        assert_eq!(s.percent, Some(80.0));
        let same = stats("a", "b", &[(Immigration, Immigration); 3]);
        assert_eq!(same.kappa, None, "chance agreement 1: kappa undefined");
        assert_eq!(stats("a", "b", &[]).percent, None);
    }
}
