//! Personal data inside free text (reasons, notes, text prompts, unknown columns), masked for
//! publishing under `--redact`: each mask names its kind (`[name]`, `[plate]`, `[dob]`, …).
//!
//! What is found, in order of trust:
//! 1. the reviewer's own choices (`alpr-triage masks --mask TEXT` / `--release TEXT`, kept with
//!    the annotations): a chosen text is always masked, a released one never;
//! 2. values the dataset itself holds in its officer, user-id, plate and case-number columns,
//!    wherever they appear in free text;
//! 3. shapes ([`patterns`]): e-mail, phone, social security number, date of birth, street
//!    address, case or report number, plate;
//! 4. personal names ([`names`]).
//!
//! Never masked: the words a flag rests on (the spans of its rules) and statutes, penal codes and
//! program numbers (`10851 VC`, `287(g)`, `HSI 3500`). Overlapping masks join into one.

pub mod names;
pub mod patterns;

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::model::annotation::MaskChoice;
use crate::review::links::{NO_KEY, key_hash};

/// What a mask hides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A text the reviewer chose to mask.
    Chosen,
    /// An officer name or user id the dataset holds.
    Officer,
    /// A social security number.
    Ssn,
    /// An e-mail address.
    Email,
    /// A phone number.
    Phone,
    /// A date of birth.
    Dob,
    /// A street address.
    Address,
    /// A plate (one the dataset holds, or plate-like).
    Plate,
    /// A case or report number.
    Case,
    /// A personal name.
    Name,
}

impl Kind {
    /// Every kind, the order overlapping masks are named by (first wins).
    pub const ALL: [Kind; 10] = [
        Kind::Chosen,
        Kind::Officer,
        Kind::Ssn,
        Kind::Email,
        Kind::Phone,
        Kind::Dob,
        Kind::Address,
        Kind::Plate,
        Kind::Case,
        Kind::Name,
    ];

    /// The name used in manifests and counts.
    pub fn key(self) -> &'static str {
        match self {
            Kind::Chosen => "masked",
            Kind::Officer => "officer",
            Kind::Ssn => "ssn",
            Kind::Email => "email",
            Kind::Phone => "phone",
            Kind::Dob => "dob",
            Kind::Address => "address",
            Kind::Plate => "plate",
            Kind::Case => "case",
            Kind::Name => "name",
        }
    }

    /// What a masked text reads.
    pub fn mask(self) -> &'static str {
        match self {
            Kind::Chosen => "[masked]",
            Kind::Officer => "[officer]",
            Kind::Ssn => "[ssn]",
            Kind::Email => "[email]",
            Kind::Phone => "[phone]",
            Kind::Dob => "[dob]",
            Kind::Address => "[address]",
            Kind::Plate => "[plate]",
            Kind::Case => "[case]",
            Kind::Name => "[name]",
        }
    }
}

/// One mask: a byte span of the original text, and its kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mask {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
    /// What it hides.
    pub kind: Kind,
}

impl Mask {
    fn new(start: usize, end: usize, kind: Kind) -> Mask {
        Mask {
            start: start as u32,
            end: end as u32,
            kind,
        }
    }

    fn overlaps(&self, (a, b): (u32, u32)) -> bool {
        self.start < b && a < self.end
    }
}

/// What the dataset holds in its personal columns.
#[derive(Clone, Debug, Default)]
pub struct Known {
    /// Officer names and user ids.
    pub accounts: Vec<String>,
    /// Plate hashes ([`key_hash`]), sorted, each once (four bytes a plate).
    pub plates: Vec<u32>,
    /// Case-number hashes, sorted, each once.
    pub cases: Vec<u32>,
}

/// Hashes sorted, each once, without the none key.
fn key_set(hashes: impl IntoIterator<Item = u32>) -> Vec<u32> {
    let mut v: Vec<u32> = hashes.into_iter().filter(|&h| h != NO_KEY).collect();
    v.sort_unstable();
    v.dedup();
    v
}

impl Known {
    /// What a dataset holds.
    pub fn of(ds: &crate::review::dataset::Dataset) -> Known {
        let l = &ds.links;
        Known {
            accounts: (1..l.account_count() as u32)
                .map(|s| l.account_name(s).to_string())
                .collect(),
            plates: key_set(l.plate.iter().copied()),
            cases: key_set(l.case.iter().copied()),
        }
    }
}

/// Masks counted by kind, from many threads.
#[derive(Debug, Default)]
pub struct Counts([AtomicU64; Kind::ALL.len()]);

impl Counts {
    /// Adds the masks of one text.
    pub fn add(&self, masks: &[Mask]) {
        for m in masks {
            self.0[m.kind as usize].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Each kind with its count, those with none left out.
    pub fn by_kind(&self) -> Vec<(&'static str, u64)> {
        Kind::ALL
            .iter()
            .map(|k| (k.key(), self.0[*k as usize].load(Ordering::Relaxed)))
            .filter(|&(_, n)| n > 0)
            .collect()
    }
}

/// Counts by kind as a JSON object (every kind, 0 where none was made).
pub fn counts_json(by_kind: &[(&str, u64)]) -> serde_json::Value {
    Kind::ALL
        .iter()
        .map(|k| {
            let n = by_kind
                .iter()
                .find(|(key, _)| *key == k.key())
                .map_or(0, |e| e.1);
            (k.key().to_string(), serde_json::Value::from(n))
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// What redaction does, in a sentence for manifests and methods.
pub const METHOD: &str = "Officer names, user ids, plates, case numbers and filters are masked whole. Inside reasons, notes and other free text, alpr-triage masks: texts a reviewer chose (alpr-triage masks --mask); officer names, user ids, plates and case numbers the dataset itself holds; e-mail addresses, phone and social security numbers, dates after DOB, street addresses, case and report numbers, plate-like words; and personal names (a given name from the nam_dict list followed by capitalised words, a name after words such as suspect or missing). It keeps the words a flag rests on, statutes and penal codes, and texts a reviewer released (alpr-triage masks --release). It misses names written in lower case and surnames alone; see docs/safety.md for its measured precision and recall.";

/// Masks personal data in free text.
#[derive(Debug)]
pub struct Redactor {
    accounts: Option<AhoCorasick>,
    plates: Vec<u32>,
    cases: Vec<u32>,
    /// The reviewer's choices, and whether each masks (true) or releases.
    chosen: Option<AhoCorasick>,
    chosen_masks: Vec<bool>,
}

/// An automaton of whole words, any case (None when there are none).
fn words_automaton<'a>(words: impl IntoIterator<Item = &'a str>) -> Option<AhoCorasick> {
    let words: Vec<&str> = words.into_iter().collect();
    if words.is_empty() {
        return None;
    }
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        .build(words)
        .ok()
}

/// True when `text[a..b]` is not part of a longer word.
fn whole_word(text: &str, a: usize, b: usize) -> bool {
    let before = text[..a].chars().next_back();
    let after = text[b..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

impl Redactor {
    /// A redactor for what a dataset holds and the reviewer chose.
    pub fn new(known: Known, choices: &[MaskChoice]) -> Redactor {
        // An account name that is a common word, or too short to be a person's, is left to
        // the other detectors.
        let accounts = words_automaton(
            known
                .accounts
                .iter()
                .map(|a| a.trim())
                .filter(|a| a.chars().filter(|c| c.is_alphanumeric()).count() >= 4)
                .filter(|a| !names::stop(a)),
        );
        let chosen: Vec<&MaskChoice> = choices
            .iter()
            .filter(|c| !c.text.trim().is_empty())
            .collect();
        Redactor {
            accounts,
            plates: key_set(known.plates),
            cases: key_set(known.cases),
            chosen: words_automaton(chosen.iter().map(|c| c.text.trim())),
            chosen_masks: chosen.iter().map(|c| c.mask).collect(),
        }
    }

    /// The masks of `text`, in order, none overlapping. `protect` holds byte spans never to
    /// mask (the spans a flag rests on).
    pub fn find(&self, text: &str, protect: &[(u32, u32)]) -> Vec<Mask> {
        let mut found = Vec::new();
        patterns::find(text, &mut found);
        self.known(text, &mut found);
        names::find(text, &mut found);
        let mut kept = protect.to_vec();
        patterns::kept(text, &mut kept);
        let mut chosen = Vec::new();
        if let Some(ac) = &self.chosen {
            for m in ac.find_iter(text) {
                if !whole_word(text, m.start(), m.end()) {
                    continue;
                }
                if self.chosen_masks[m.pattern().as_usize()] {
                    chosen.push(Mask::new(m.start(), m.end(), Kind::Chosen));
                } else {
                    kept.push((m.start() as u32, m.end() as u32));
                }
            }
        }
        found.retain(|m| !kept.iter().any(|&k| m.overlaps(k)));
        found.extend(chosen);
        join(found)
    }

    /// Values the dataset holds: account names as whole words, plates and case numbers as words
    /// of letters and digits (their hash, as the dataset keeps them).
    fn known(&self, text: &str, out: &mut Vec<Mask>) {
        if let Some(ac) = &self.accounts {
            out.extend(
                ac.find_iter(text)
                    .filter(|m| whole_word(text, m.start(), m.end()))
                    .map(|m| Mask::new(m.start(), m.end(), Kind::Officer)),
            );
        }
        if self.plates.is_empty() && self.cases.is_empty() {
            return;
        }
        let mut buf = Vec::new();
        let b = text.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if !b[i].is_ascii_alphanumeric() {
                i += 1;
                continue;
            }
            let start = i;
            // A word, with the dashes inside a case number (`25-004512`).
            while i < b.len()
                && (b[i].is_ascii_alphanumeric()
                    || b[i] == b'-' && b.get(i + 1).is_some_and(u8::is_ascii_alphanumeric))
            {
                i += 1;
            }
            let w = &b[start..i];
            let digit = w.iter().any(u8::is_ascii_digit);
            // Words without a digit only when long and in capitals (a vanity plate), never a
            // word of police work.
            let plain = w.len() >= 5
                && w.iter().all(|c| c.is_ascii_uppercase())
                && !names::stop(&text[start..i]);
            if w.len() < 4 || !(digit || plain) {
                continue;
            }
            if self
                .plates
                .binary_search(&key_hash(w, false, &mut buf))
                .is_ok()
            {
                out.push(Mask::new(start, i, Kind::Plate));
            } else if digit
                && self
                    .cases
                    .binary_search(&key_hash(w, true, &mut buf))
                    .is_ok()
            {
                out.push(Mask::new(start, i, Kind::Case));
            }
        }
    }

    /// `text` with its masks applied, and the masks.
    pub fn redact<'t>(&self, text: &'t str, protect: &[(u32, u32)]) -> (Cow<'t, str>, Vec<Mask>) {
        let masks = self.find(text, protect);
        (apply(text, &masks), masks)
    }
}

/// Overlapping masks joined: the span of both, named by the kind first in [`Kind::ALL`].
fn join(mut found: Vec<Mask>) -> Vec<Mask> {
    found.sort_by_key(|m| (m.start, std::cmp::Reverse(m.end)));
    let mut out: Vec<Mask> = Vec::with_capacity(found.len());
    for m in found {
        match out.last_mut() {
            Some(last) if m.start < last.end => {
                last.end = last.end.max(m.end);
                last.kind = last.kind.min(m.kind);
            }
            _ => out.push(m),
        }
    }
    out
}

/// `text` with each mask replaced by its kind's label.
pub fn apply<'t>(text: &'t str, masks: &[Mask]) -> Cow<'t, str> {
    if masks.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8 * masks.len());
    let mut at = 0;
    for m in masks {
        out.push_str(&text[at..m.start as usize]);
        out.push_str(m.kind.mask());
        at = m.end as usize;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

/// Byte spans of the original text moved to where they are in the masked text; a span a mask
/// covers (a reviewer's chosen mask over a flag's words) is left out.
pub fn remap(spans: &[(u32, u32)], masks: &[Mask]) -> Vec<(u32, u32)> {
    spans
        .iter()
        .filter(|&&s| !masks.iter().any(|m| m.overlaps(s)))
        .map(|&(a, b)| {
            let shift: i64 = masks
                .iter()
                .filter(|m| m.end <= a)
                .map(|m| m.kind.mask().len() as i64 - (m.end - m.start) as i64)
                .sum();
            ((a as i64 + shift) as u32, (b as i64 + shift) as u32)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(text: &str, mask: bool) -> MaskChoice {
        MaskChoice {
            text: text.into(),
            mask,
            note: None,
            by: "ana".into(),
            at: "2026-12-07T00:00:00Z".into(),
        }
    }

    fn redactor(
        accounts: &[&str],
        plates: &[&str],
        cases: &[&str],
        choices: &[MaskChoice],
    ) -> Redactor {
        let mut buf = Vec::new();
        let known = Known {
            accounts: accounts.iter().map(|a| a.to_string()).collect(),
            plates: plates
                .iter()
                .map(|p| key_hash(p.as_bytes(), false, &mut buf))
                .collect(),
            cases: cases
                .iter()
                .map(|c| key_hash(c.as_bytes(), true, &mut buf))
                .collect(),
        };
        Redactor::new(known, choices)
    }

    #[test]
    fn values_the_dataset_holds_are_masked_wherever_they_appear() {
        let r = redactor(&["K. Lee", "jsmith42"], &["4GHT2"], &["T21 0045"], &[]);
        let (text, _) = r.redact("per K. Lee and JSMITH42: veh 4ght2 re t21-0045", &[]);
        assert_eq!(text, "per [officer] and [officer]: veh [plate] re [case]");
    }

    #[test]
    fn flag_words_survive_and_their_spans_follow_the_text() {
        let r = redactor(&[], &[], &["3500"], &[]);
        let text = "Juan Garcia ICE warrant HSI 3500";
        let ice = (12, 15);
        let (out, masks) = r.redact(text, &[ice]);
        assert_eq!(out, "[name] ICE warrant HSI 3500");
        let spans = remap(&[ice], &masks);
        assert_eq!(&out[spans[0].0 as usize..spans[0].1 as usize], "ICE");
    }

    #[test]
    fn a_reviewers_choices_come_first() {
        let r = redactor(
            &[],
            &[],
            &[],
            &[choice("Chase Smith", false), choice("Tito", true)],
        );
        let (text, masks) = r.redact("ICE: Chase Smith and Tito seen", &[]);
        assert_eq!(text, "ICE: Chase Smith and [masked] seen");
        assert_eq!(masks.len(), 1);
        // A chosen mask is whole words only.
        assert_eq!(r.redact("Titov", &[]).0, "Titov");
    }

    #[test]
    fn overlapping_masks_join_and_are_counted_once() {
        let r = redactor(&[], &[], &[], &[]);
        let (text, masks) = r.redact("call 619-555-0142 re 1412 Oak St", &[]);
        assert_eq!(text, "call [phone] re [address]");
        let counts = Counts::default();
        counts.add(&masks);
        assert_eq!(counts.by_kind(), [("phone", 1), ("address", 1)]);
    }
}
