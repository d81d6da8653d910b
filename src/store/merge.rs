//! Several reviewers' annotation files into one: every reviewer's verdict is kept, records where
//! they disagree become conflicts, and each pair of reviewers gets percent agreement and Cohen's
//! kappa.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::annotation::{Shared, intern};
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
    pub agency: Shared,
    /// Reason.
    pub reason: Shared,
    /// Each reviewer's verdict (a reviewer who gave two appears twice).
    pub verdicts: Vec<(Shared, Option<Verdict>)>,
    /// Why, when it is not reviewers disagreeing with each other: a reviewer gave the record
    /// two verdicts that cannot be ordered (one file holds it twice, or both at the same time).
    pub contradiction: Option<String>,
}

/// A reviewer's verdict replaced by their own later one from another file.
#[derive(Clone, Debug, PartialEq)]
pub struct Superseded {
    /// The record.
    pub record_id: RecordId,
    /// Who.
    pub reviewer: Shared,
    /// The earlier verdict, and the later one kept.
    pub from: Option<Verdict>,
    /// The verdict kept.
    pub to: Option<Verdict>,
}

/// The merged annotations and what the merge found.
#[derive(Clone, Debug, Default)]
pub struct Merged {
    /// One annotation a record, with every reviewer's verdict in `reviews` (empty when they
    /// were written out as they were merged: see `records`).
    pub annotations: Vec<Annotation>,
    /// How many records were merged.
    pub records: usize,
    /// Every pair of reviewers.
    pub pairs: Vec<PairStats>,
    /// Disagreements not yet adjudicated.
    pub conflicts: Vec<Conflict>,
    /// Verdicts a reviewer changed between the files (the latest is kept).
    pub superseded: Vec<Superseded>,
    /// Every reviewer.
    pub reviewers: BTreeSet<Shared>,
}

/// The reviews an annotation carries: its own, or those of an earlier merge.
pub fn reviews_of(a: &Annotation) -> Vec<Review> {
    if a.reviews.is_empty() {
        vec![Review {
            reviewer: a.reviewer.clone(),
            verdict: a.verdict,
            note: a.note.clone(),
            annotated_at: a.annotated_at.clone(),
        }]
    } else {
        a.reviews.to_vec()
    }
}

/// One reviewer's reviews of one record, with the file each came from.
type Reviewed = Vec<(usize, Review)>;

/// What a reviewer's reviews of one record come to: one review (their latest; with the
/// verdict it replaced, if it changed one), or every verdict they gave when those cannot be
/// ordered: one file holding the record twice with different verdicts, or different verdicts
/// at the same latest time.
fn settle(list: Reviewed) -> Result<(Review, Option<Option<Verdict>>), Vec<Review>> {
    let verdicts: BTreeSet<Option<Verdict>> = list.iter().map(|(_, r)| r.verdict).collect();
    let latest_at = list
        .iter()
        .map(|(_, r)| r.annotated_at.clone())
        .max()
        .unwrap_or_default();
    let latest: Vec<&Review> = list
        .iter()
        .filter(|(_, r)| r.annotated_at == latest_at)
        .map(|(_, r)| r)
        .collect();
    let mut files: BTreeMap<usize, BTreeSet<Option<Verdict>>> = BTreeMap::new();
    for (f, r) in &list {
        files.entry(*f).or_default().insert(r.verdict);
    }
    let one_file_twice = files.values().any(|v| v.len() > 1);
    let latest_verdicts: BTreeSet<Option<Verdict>> = latest.iter().map(|r| r.verdict).collect();
    match latest.first() {
        Some(r) if verdicts.len() == 1 => Ok(((*r).clone(), None)),
        Some(r) if !one_file_twice && latest_verdicts.len() == 1 => {
            let earlier = list
                .iter()
                .filter(|(_, e)| e.annotated_at < latest_at && e.verdict != r.verdict)
                .max_by(|a, b| a.1.annotated_at.cmp(&b.1.annotated_at))
                .map(|(_, e)| e.verdict);
            Ok(((*r).clone(), earlier))
        }
        _ => {
            let mut seen = BTreeSet::new();
            Err(list
                .into_iter()
                .map(|(_, r)| r)
                .filter(|r| seen.insert(r.verdict))
                .collect())
        }
    }
}

/// Merges annotation lists (one per file). A reviewer who appears twice for a record keeps
/// their latest review; a reviewer whose verdicts cannot be ordered makes the record a conflict.
pub fn merge(inputs: &[Vec<Annotation>]) -> Merged {
    let mut out = merge_records(inputs);
    out.pairs = pair_stats(&out.annotations);
    out
}

/// [`merge`] without the agreement figures: records merge on their own, so a merge can be done
/// a span of record ids at a time ([`Votes`] gathers the figures over the spans).
pub fn merge_records(inputs: &[Vec<Annotation>]) -> Merged {
    let mut by_record: BTreeMap<RecordId, Vec<(usize, &Annotation)>> = BTreeMap::new();
    for (file, list) in inputs.iter().enumerate() {
        for a in list {
            by_record.entry(a.record_id).or_default().push((file, a));
        }
    }
    let mut out = Merged::default();
    for (id, anns) in by_record {
        let (reviews, contradictions) = settle_reviewers(id, &anns, &mut out.superseded);
        let anns: Vec<&Annotation> = anns.into_iter().map(|(_, a)| a).collect();
        let latest = anns
            .iter()
            .max_by(|x, y| x.annotated_at.cmp(&y.annotated_at))
            .copied()
            .unwrap_or(anns[0]);
        let adjudicated = anns
            .iter()
            .filter(|a| a.adjudicated_by.is_some())
            .max_by(|x, y| x.annotated_at.cmp(&y.annotated_at));
        out.reviewers
            .extend(reviews.iter().map(|r| r.reviewer.clone()));
        let verdicts: BTreeSet<Verdict> = reviews.iter().filter_map(|r| r.verdict).collect();
        let (verdict, conflict, adjudicated_by) = match adjudicated {
            Some(a) if contradictions.is_empty() => (a.verdict, false, a.adjudicated_by.clone()),
            _ if verdicts.len() > 1 => (None, true, None),
            _ => (verdicts.iter().next().copied(), false, None),
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
                contradiction: (!contradictions.is_empty()).then(|| {
                    format!(
                        "{} gave this record different verdicts that cannot be ordered (one file holds it twice, or both at the same time)",
                        contradictions.join(", ")
                    )
                }),
            });
        }
        out.annotations.push(combined(
            id,
            latest,
            reviews,
            (verdict, conflict, adjudicated_by),
        ));
    }
    out.records = out.annotations.len();
    out
}

/// Each reviewer's one review of a record (their latest), noting replaced verdicts; reviewers
/// whose verdicts cannot be ordered keep them all and are named as contradicting themselves.
fn settle_reviewers(
    id: RecordId,
    anns: &[(usize, &Annotation)],
    superseded: &mut Vec<Superseded>,
) -> (Vec<Review>, Vec<Shared>) {
    let mut per: BTreeMap<Shared, Reviewed> = BTreeMap::new();
    for (file, a) in anns {
        for r in reviews_of(a) {
            per.entry(r.reviewer.clone()).or_default().push((*file, r));
        }
    }
    let mut reviews: Vec<Review> = Vec::new();
    let mut contradictions: Vec<Shared> = Vec::new();
    for (name, list) in per {
        match settle(list) {
            Ok((r, replaced)) => {
                if let Some(from) = replaced {
                    superseded.push(Superseded {
                        record_id: id,
                        reviewer: name,
                        from,
                        to: r.verdict,
                    });
                }
                reviews.push(r);
            }
            Err(all) => {
                contradictions.push(name);
                reviews.extend(all);
            }
        }
    }
    (reviews, contradictions)
}

/// The merged annotation of a record from its settled reviews.
fn combined(
    id: RecordId,
    latest: &Annotation,
    reviews: Vec<Review>,
    (verdict, conflict, adjudicated_by): (Option<Verdict>, bool, Option<Shared>),
) -> Annotation {
    let single = reviews.len() == 1;
    Annotation {
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
                .into()
        },
        reviewer: if single {
            reviews[0].reviewer.clone()
        } else {
            intern(
                &reviews
                    .iter()
                    .map(|r| r.reviewer.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        },
        annotated_at: reviews
            .iter()
            .map(|r| r.annotated_at.clone())
            .max()
            .unwrap_or_default(),
        query: latest.query.clone(),
        record: latest.record.clone(),
        reviews: if single {
            Default::default()
        } else {
            reviews.into_iter().collect()
        },
        conflict,
        adjudicated_by,
    }
}

/// Percent agreement and Cohen's kappa for every pair of reviewers.
pub fn pair_stats(merged: &[Annotation]) -> Vec<PairStats> {
    let mut votes = Votes::default();
    for a in merged {
        votes.add(a);
    }
    votes.pairs()
}

/// The verdicts every pair of reviewers gave the same records, gathered one merged annotation
/// at a time. A reviewer counts a record once, as the merge settled it; a reviewer who
/// contradicts themselves on a record does not count it.
#[derive(Clone, Debug, Default)]
pub struct Votes {
    /// Every reviewer, whether or not they gave a verdict.
    reviewers: BTreeSet<Shared>,
    /// For each pair that shared a record (names in order), the verdicts both gave it. A list:
    /// a merge has a few reviewers.
    pairs: Vec<(Shared, Shared, Vec<VerdictPair>)>,
}

/// The verdicts two reviewers gave one record.
type VerdictPair = (Verdict, Verdict);

impl Votes {
    /// Counts a merged annotation.
    pub fn add(&mut self, a: &Annotation) {
        // Its reviews as [`reviews_of`] gives them, borrowed.
        let reviews = || {
            std::iter::once((&a.reviewer, a.verdict))
                .filter(|_| a.reviews.is_empty())
                .chain(a.reviews.iter().map(|r| (&r.reviewer, r.verdict)))
        };
        let mut counted: Vec<(&Shared, Verdict)> = Vec::new();
        for (name, verdict) in reviews() {
            if !self.reviewers.contains(name) {
                self.reviewers.insert(name.clone());
            }
            let twice = reviews().filter(|(o, _)| *o == name).count() > 1;
            if let (Some(v), false) = (verdict, twice) {
                counted.push((name, v));
            }
        }
        counted.sort_by(|x, y| x.0.cmp(y.0));
        for i in 0..counted.len() {
            for &(b, vb) in &counted[i + 1..] {
                let (a, va) = counted[i];
                self.pair(a, b).push((va, vb));
            }
        }
    }

    /// The verdicts of a pair (names in order).
    fn pair(&mut self, a: &Shared, b: &Shared) -> &mut Vec<VerdictPair> {
        let at = match self.pairs.iter().position(|(x, y, _)| x == a && y == b) {
            Some(at) => at,
            None => {
                self.pairs.push((a.clone(), b.clone(), Vec::new()));
                self.pairs.len() - 1
            }
        };
        &mut self.pairs[at].2
    }

    /// Adds what another span counted.
    pub fn extend(&mut self, other: Votes) {
        self.reviewers.extend(other.reviewers);
        for (a, b, mut list) in other.pairs {
            self.pair(&a, &b).append(&mut list);
        }
    }

    /// Agreement for every pair of reviewers (in name order), those without a shared record
    /// included.
    pub fn pairs(&self) -> Vec<PairStats> {
        let names: Vec<&Shared> = self.reviewers.iter().collect();
        let mut out = Vec::new();
        for i in 0..names.len() {
            for j in i + 1..names.len() {
                let shared = self
                    .pairs
                    .iter()
                    .find(|(a, b, _)| a == names[i] && b == names[j])
                    .map_or(&[][..], |(_, _, list)| list.as_slice());
                out.push(stats(names[i], names[j], shared));
            }
        }
        out
    }
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

    fn ann(n: u8, reviewer: &str, v: Verdict, at: &str) -> Annotation {
        Annotation {
            record_id: RecordId::from_key(&[n]),
            verdict: Some(v),
            note: Default::default(),
            reviewer: reviewer.into(),
            annotated_at: at.into(),
            query: Default::default(),
            record: Default::default(),
            reviews: Default::default(),
            conflict: false,
            adjudicated_by: None,
        }
    }

    #[test]
    fn a_reviewers_verdicts_that_cannot_be_ordered_are_a_conflict() {
        let t = "2026-01-01T00:00:00Z";
        // One file holding record 1 twice with different verdicts (whatever their times).
        let m = merge(&[
            vec![
                ann(1, "ana", Immigration, t),
                ann(1, "ana", NotImmigration, "2026-01-02T00:00:00Z"),
            ],
            vec![ann(1, "bo", Immigration, t)],
        ]);
        assert_eq!(m.conflicts.len(), 1);
        let c = &m.conflicts[0];
        assert!(c.contradiction.as_deref().unwrap().contains("ana"), "{c:?}");
        assert_eq!(c.verdicts.iter().filter(|(r, _)| r == "ana").count(), 2);
        assert_eq!(m.annotations[0].verdict, None);
        assert!(m.annotations[0].conflict);
        // ana's contradicted record is not counted in her agreement with bo.
        assert_eq!(m.pairs[0].both, 0);
        // Two files at the same time: also a conflict.
        let m = merge(&[
            vec![ann(1, "ana", Immigration, t)],
            vec![ann(1, "ana", Unsure, t)],
        ]);
        assert_eq!(m.conflicts.len(), 1);
        // A later verdict in another file replaces the earlier one, and is reported.
        let m = merge(&[
            vec![ann(1, "ana", Immigration, t)],
            vec![ann(1, "ana", Unsure, "2026-02-01T00:00:00Z")],
        ]);
        assert!(m.conflicts.is_empty());
        assert_eq!(m.annotations[0].verdict, Some(Unsure));
        assert_eq!(
            m.superseded,
            vec![Superseded {
                record_id: RecordId::from_key(&[1]),
                reviewer: "ana".into(),
                from: Some(Immigration),
                to: Some(Unsure),
            }]
        );
        // The same verdict twice is one review.
        let m = merge(&[vec![
            ann(1, "ana", Immigration, t),
            ann(1, "ana", Immigration, t),
        ]]);
        assert!(m.conflicts.is_empty() && m.superseded.is_empty());
        assert_eq!(m.annotations[0].verdict, Some(Immigration));
    }

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
