//! The context of one search, for deciding it: the searches that share its account, case
//! number, plate, agency and hour, or reason, found by one pass over the dataset's columns (a
//! few milliseconds at a million records: no index to build or keep). Case numbers and plates
//! are matched by hash, then checked against the re-read rows (see [`crate::review::links`]),
//! so [`context`] reads the input files.
//!
//! A *burst* is a run of searches by the same account with the same reason, each within ten
//! minutes of the one before: a burst of 40 lookups is one decision, made once.

use crate::model::{Field, VerdictCode};
use crate::review::dataset::{Dataset, NO_TIME};
use crate::review::links::{NO_ACCOUNT, NO_KEY};

/// Searches by the same account within this distance count as its context (±7 days).
pub const ACCOUNT_WINDOW_MS: i64 = 7 * 86_400_000;
/// The longest gap between two searches of one burst (10 minutes).
pub const BURST_GAP_MS: i64 = 10 * 60_000;
/// Case-number and plate matches checked against the re-read rows, at most (beyond this, a
/// group is listed by hash: a false match is one record in four billion).
pub const VERIFIED_MAX: usize = 2_000;

/// What a group of related searches shares with the selected one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tie {
    /// Same account and reason, each within 10 minutes of the next (the record included).
    Burst,
    /// Same account, within ±7 days.
    Account,
    /// Same case number.
    Case,
    /// Same plate.
    Plate,
    /// Same agency, same hour (UTC).
    AgencyHour,
    /// Same reason text, with a verdict.
    ReasonVerdicts,
}

impl Tie {
    /// Every tie, in the order the context list shows them.
    pub const ALL: [Tie; 6] = [
        Tie::Burst,
        Tie::Account,
        Tie::Case,
        Tie::Plate,
        Tie::AgencyHour,
        Tie::ReasonVerdicts,
    ];

    /// What the group is, in words.
    pub fn label(self) -> &'static str {
        match self {
            Tie::Burst => "this burst: same account and reason, minutes apart",
            Tie::Account => "same account, within 7 days",
            Tie::Case => "same case number",
            Tie::Plate => "same plate",
            Tie::AgencyHour => "same agency, same hour",
            Tie::ReasonVerdicts => "same reason, with a verdict",
        }
    }
}

/// Related searches of one kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// What they share.
    pub tie: Tie,
    /// The searches, in time order (the selected one is in a burst, and nowhere else).
    pub rows: Vec<u32>,
    /// Why the group is empty when the record cannot have one (no account, no plate, …).
    pub absent: Option<&'static str>,
    /// Of them: no verdict, immigration, not, unsure.
    pub verdicts: [usize; 4],
}

/// The context groups of `row`.
pub fn context(ds: &Dataset, verdicts: &[VerdictCode], row: u32) -> Vec<Group> {
    let r = row as usize;
    let (account, case, plate) = (ds.links.account[r], ds.links.case[r], ds.links.plate[r]);
    let (agency, reason, time) = (ds.agency[r], ds.reason[r], ds.time[r]);
    let hour = (time != NO_TIME).then(|| time.div_euclid(3_600_000));
    let mut found: [Vec<u32>; 6] = Default::default();
    // Same account and reason, for the burst (cut around the record below).
    let mut same_account_reason: Vec<u32> = Vec::new();
    for i in 0..ds.len() {
        let t = ds.time[i];
        let me = i == r;
        // An account is the agency together with the name: `K. Lee` of two agencies is two.
        let acc = account != NO_ACCOUNT && ds.links.account[i] == account && ds.agency[i] == agency;
        if acc && ds.reason[i] == reason {
            same_account_reason.push(i as u32);
        }
        if me {
            continue;
        }
        if acc && time != NO_TIME && t != NO_TIME && (t - time).abs() <= ACCOUNT_WINDOW_MS {
            found[1].push(i as u32);
        }
        if case != NO_KEY && ds.links.case[i] == case {
            found[2].push(i as u32);
        }
        if plate != NO_KEY && ds.links.plate[i] == plate {
            found[3].push(i as u32);
        }
        if hour.is_some()
            && ds.agency[i] == agency
            && t != NO_TIME
            && Some(t.div_euclid(3_600_000)) == hour
        {
            found[4].push(i as u32);
        }
        if ds.reason[i] == reason && verdicts.get(i).is_some_and(|v| v.is_decided()) {
            found[5].push(i as u32);
        }
    }
    found[0] = burst(ds, &mut same_account_reason, row);
    verify(ds, row, Field::CaseNumber, &mut found[2]);
    verify(ds, row, Field::Plate, &mut found[3]);
    let absent = |tie: Tie| match tie {
        Tie::Burst | Tie::Account if account == NO_ACCOUNT => {
            Some("no account on this record (none, or redacted)")
        }
        Tie::Burst | Tie::Account | Tie::AgencyHour if time == NO_TIME => {
            Some("this record has no search time")
        }
        Tie::Case if case == NO_KEY => Some("no case number on this record"),
        Tie::Plate if plate == NO_KEY => Some("no plate on this record (none, or redacted)"),
        _ => None,
    };
    Tie::ALL
        .iter()
        .zip(found)
        .map(|(&tie, mut rows)| {
            rows.sort_by_key(|&i| (ds.time[i as usize], i));
            let mut counts = [0; 4];
            for &i in &rows {
                counts[verdicts.get(i as usize).copied().unwrap_or_default().slot()] += 1;
            }
            Group {
                tie,
                absent: absent(tie),
                rows,
                verdicts: counts,
            }
        })
        .collect()
}

/// Keeps the rows whose case number (or plate) is the record's, read again from the files; a
/// row that cannot be read again is kept (its hash matched).
fn verify(ds: &Dataset, row: u32, field: Field, rows: &mut Vec<u32>) {
    if rows.is_empty() || rows.len() > VERIFIED_MAX {
        return;
    }
    let case = field == Field::CaseNumber;
    let key = |r: u32| {
        crate::review::full_record::raw_row(ds, r)
            .ok()
            .map(|(schema, cells)| {
                let raw = schema
                    .cell(&cells, field)
                    .map(<[u8]>::trim_ascii)
                    .unwrap_or(b"");
                crate::review::links::key_text(raw, case)
            })
    };
    let Some(mine) = key(row) else {
        return;
    };
    rows.retain(|&r| key(r).is_none_or(|k| k == mine));
}

/// The run of searches around `row` in which each is within [`BURST_GAP_MS`] of the one
/// before; empty when the record is alone.
fn burst(ds: &Dataset, rows: &mut [u32], row: u32) -> Vec<u32> {
    if ds.time[row as usize] == NO_TIME {
        return Vec::new();
    }
    rows.sort_by_key(|&i| (ds.time[i as usize], i));
    let Some(at) = rows.iter().position(|&i| i == row) else {
        return Vec::new();
    };
    let near = |a: u32, b: u32| {
        let (ta, tb) = (ds.time[a as usize], ds.time[b as usize]);
        ta != NO_TIME && tb != NO_TIME && (tb - ta).abs() <= BURST_GAP_MS
    };
    let mut start = at;
    while start > 0 && near(rows[start - 1], rows[start]) {
        start -= 1;
    }
    let mut end = at;
    while end + 1 < rows.len() && near(rows[end], rows[end + 1]) {
        end += 1;
    }
    if end == start {
        Vec::new()
    } else {
        rows[start..=end].to_vec()
    }
}
