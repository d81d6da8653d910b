//! Annotations: a reviewer's verdict and note on a record, what the record was, every
//! reviewer's verdict in merged files; and what an annotation file keeps besides (where the
//! reviewer left off, agencies named for files). Types only: [`crate::store`] reads and writes
//! them.
//!
//! A million annotations are held at once (issue 20), so their text is kept small: names that
//! repeat from annotation to annotation (reviewer, filter, agency, reason, often the note) are
//! [`Shared`] strings, read once per thread and shared ([`shared`]); times are [`Stamp`]s, kept
//! inline; a record's sources are [`Sources`].

use std::path::PathBuf;

use serde::{Deserialize, Deserializer, Serialize};

use super::{RecordId, Verdict};

/// Text that repeats across annotations: one pointer, the text shared by every annotation
/// that has it (read through [`shared`]).
pub type Shared = arcstr::ArcStr;

/// A time as the file gives it (RFC 3339 UTC as alpr-triage writes it; kept as written
/// otherwise): up to 24 bytes inline, no allocation.
pub type Stamp = compact_str::CompactString;

/// Reads a [`Shared`] string, the same text read before on this thread given back shared.
/// Each thread remembers up to [`SHARED_KEPT`] texts of up to [`SHARED_LONGEST`] bytes, and
/// starts afresh when full; longer text is kept on its own.
pub fn shared<'de, D: Deserializer<'de>>(d: D) -> Result<Shared, D::Error> {
    let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
    Ok(intern(&text))
}

/// `text` as a [`Shared`] string, shared with the same text seen before on this thread.
pub fn intern(text: &str) -> Shared {
    use std::hash::BuildHasher;
    if text.is_empty() {
        return Shared::new();
    }
    if text.len() > SHARED_LONGEST {
        return Shared::from(text);
    }
    thread_local! {
        static SEEN: std::cell::RefCell<(hashbrown::HashTable<Shared>, rustc_hash::FxBuildHasher)> =
            std::cell::RefCell::default();
    }
    SEEN.with_borrow_mut(|(seen, hasher)| {
        let hash = hasher.hash_one(text);
        if let Some(s) = seen.find(hash, |s| s.as_str() == text) {
            return s.clone();
        }
        if seen.len() >= SHARED_KEPT {
            seen.clear();
        }
        let s = Shared::from(text);
        seen.insert_unique(hash, s.clone(), |s| hasher.hash_one(s.as_str()));
        s
    })
}

fn is_empty(s: &Shared) -> bool {
    s.is_empty()
}

/// How many texts a thread remembers for [`shared`].
pub const SHARED_KEPT: usize = 1 << 14;
/// The longest text [`shared`] remembers.
pub const SHARED_LONGEST: usize = 256;

/// Every `file:line` a record was read from, as the annotation file gives them, kept small:
/// most records have one source, held inline, and its file name is [`Shared`]. Read and
/// written as a list of strings, each given back exactly as read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Sources {
    /// None given.
    #[default]
    None,
    /// One (nearly every record).
    One(Place),
    /// Several: a record found in more than one place.
    Many(Box<[Place]>),
}

/// One `file:line`: the text before the last `:` shared, the line as a number. Text that does
/// not end in a plain line number is kept whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    file: Shared,
    line: u64,
}

impl Place {
    /// `line` for a place kept whole.
    const WHOLE: u64 = u64::MAX;

    /// The place a text names.
    pub fn new(text: &str) -> Place {
        if let Some((file, line)) = text.rsplit_once(':') {
            // Only a line number that prints back as it was written: no sign, no leading zero.
            let plain = !line.is_empty()
                && line.bytes().all(|b| b.is_ascii_digit())
                && (line == "0" || !line.starts_with('0'));
            if let Some(n) = line
                .parse::<u64>()
                .ok()
                .filter(|&n| plain && n != Self::WHOLE)
            {
                return Place {
                    file: intern(file),
                    line: n,
                };
            }
        }
        Place {
            file: intern(text),
            line: Self::WHOLE,
        }
    }
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Self::WHOLE => f.write_str(&self.file),
            n => write!(f, "{}:{n}", self.file),
        }
    }
}

impl Sources {
    /// Each place.
    pub fn iter(&self) -> std::slice::Iter<'_, Place> {
        match self {
            Sources::None => [].iter(),
            Sources::One(p) => std::slice::from_ref(p).iter(),
            Sources::Many(all) => all.iter(),
        }
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.iter().len()
    }

    /// None given.
    pub fn is_empty(&self) -> bool {
        matches!(self, Sources::None)
    }

    /// Each place as text.
    pub fn texts(&self) -> Vec<String> {
        self.iter().map(Place::to_string).collect()
    }
}

impl<S: AsRef<str>> FromIterator<S> for Sources {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Sources {
        let mut all: Vec<Place> = iter.into_iter().map(|s| Place::new(s.as_ref())).collect();
        match all.len() {
            0 => Sources::None,
            1 => Sources::One(all.remove(0)),
            _ => Sources::Many(all.into_boxed_slice()),
        }
    }
}

impl From<Vec<String>> for Sources {
    fn from(texts: Vec<String>) -> Sources {
        texts.into_iter().collect()
    }
}

impl Serialize for Sources {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl Serialize for Place {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Sources {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Sources, D::Error> {
        struct Texts;
        impl<'de> serde::de::Visitor<'de> for Texts {
            type Value = Sources;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of \"file:line\" texts")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Sources, A::Error> {
                let mut all = Vec::new();
                while let Some(text) = seq.next_element::<std::borrow::Cow<'de, str>>()? {
                    all.push(Place::new(&text));
                }
                Ok(match all.len() {
                    0 => Sources::None,
                    1 => Sources::One(all.remove(0)),
                    _ => Sources::Many(all.into_boxed_slice()),
                })
            }
        }
        d.deserialize_seq(Texts)
    }
}

/// What a record was, so an annotation file means something on its own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RecordSummary {
    /// Searching agency.
    #[serde(deserialize_with = "shared")]
    pub agency: Shared,
    /// Reason text.
    #[serde(deserialize_with = "shared")]
    pub reason: Shared,
    /// Search time, RFC 3339 UTC.
    #[serde(default)]
    pub search_time: Option<Stamp>,
    /// Every `file:line` the record was read from.
    #[serde(default)]
    pub sources: Sources,
}

/// One reviewer's verdict, kept in merged files where several reviewers annotated a record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// Who.
    #[serde(deserialize_with = "shared")]
    pub reviewer: Shared,
    /// Their verdict.
    pub verdict: Option<Verdict>,
    /// Their note.
    #[serde(default, deserialize_with = "shared", skip_serializing_if = "is_empty")]
    pub note: Shared,
    /// When.
    pub annotated_at: Stamp,
}

/// A reviewer's decision about one record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Annotation {
    /// The record's stable id.
    pub record_id: RecordId,
    /// The verdict; `null` for a note without a decision yet.
    pub verdict: Option<Verdict>,
    /// Free text: why.
    #[serde(default, deserialize_with = "shared")]
    pub note: Shared,
    /// Who decided.
    #[serde(deserialize_with = "shared")]
    pub reviewer: Shared,
    /// When (RFC 3339 UTC).
    pub annotated_at: Stamp,
    /// The filter in force when the verdict was given (part of the reviewer's method).
    #[serde(default, deserialize_with = "shared")]
    pub query: Shared,
    /// What the record was.
    pub record: RecordSummary,
    /// Every reviewer's verdict, in merged files (one pointer when there are none).
    #[serde(default, skip_serializing_if = "thin_vec::ThinVec::is_empty")]
    pub reviews: thin_vec::ThinVec<Review>,
    /// Set when reviewers disagree and nobody has adjudicated yet.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub conflict: bool,
    /// Who resolved a disagreement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjudicated_by: Option<Shared>,
}

/// Where a reviewer left off: the review UI saves it with the annotations and opens there next
/// time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SessionState {
    /// The filter line, as typed.
    #[serde(default)]
    pub filter: String,
    /// Every record shown, not only flagged ones (`t`).
    #[serde(default)]
    pub all_records: bool,
    /// The sort column (`time`, `agency`, `reason`, `rule`, `networks`, `verdict`).
    #[serde(default)]
    pub sort: String,
    /// The sort is reversed.
    #[serde(default)]
    pub descending: bool,
    /// The record the cursor was on.
    #[serde(default)]
    pub record_id: Option<RecordId>,
}

/// What a reviewer said about an agency, kept with the annotations because it is part of the
/// method. Either the agency of a file that names none (no `Org Name` column, nothing in its
/// name: `file` and `path` given), or a correction of an agency's profile (`P` in the review UI:
/// no file; `state`, `level` or `inactive` given), applied like an `--agencies` override.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileAgency {
    /// The file as it was given (empty for a profile correction).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub file: String,
    /// Its full path (empty for a profile correction).
    #[serde(default, skip_serializing_if = "is_empty_path")]
    pub path: PathBuf,
    /// The agency.
    pub agency: String,
    /// A profile correction: the state (`""`: the name has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// A profile correction: the level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// A profile correction: marked inactive or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inactive: Option<bool>,
    /// A profile correction: why, in the reviewer's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Who named it.
    pub named_by: String,
    /// When (RFC 3339 UTC).
    pub named_at: String,
}

fn is_empty_path(p: &std::path::Path) -> bool {
    p.as_os_str().is_empty()
}

impl FileAgency {
    /// True for a correction of an agency's profile, false for a file's agency.
    pub fn is_profile(&self) -> bool {
        self.file.is_empty() && is_empty_path(&self.path)
    }

    /// What it says, as a reviewer types it: a profile correction in the words `P` reads
    /// (`TX county inactive`, `-` for no state; the note left out), a file's agency by name.
    pub fn said(&self) -> String {
        if !self.is_profile() {
            return self.agency.clone();
        }
        let state = self
            .state
            .as_deref()
            .map(|s| if s.is_empty() { "-" } else { s });
        let mark = self.inactive.map(|i| if i { "inactive" } else { "active" });
        [state, self.level.as_deref(), mark]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A reviewer's choice about a text in what is published (`alpr-triage masks`): always mask it,
/// or never mask it (a false mask released). Kept with the annotations, like the agencies, because
/// every later export and report applies it and its methods name it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaskChoice {
    /// The text, matched as a whole word or phrase, without regard to case.
    pub text: String,
    /// True: always masked (`[masked]`); false: never masked, whatever the detectors find.
    pub mask: bool,
    /// Why, in the reviewer's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Who chose.
    pub by: String,
    /// When (RFC 3339 UTC).
    pub at: String,
}

impl Annotation {
    /// The record's verdict as the filter and the table see it.
    pub fn code(&self) -> super::VerdictCode {
        super::VerdictCode::new(self.verdict, self.conflict)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every text comes back exactly as read, whether or not it ends in a plain line number.
    #[test]
    fn sources_come_back_exactly_as_read() {
        let texts = [
            "a.csv:2",
            "dir/b c.csv:1234567",
            "book.xlsx:Sheet 1:9",
            "a.csv:007",
            "a.csv:-1",
            "a.csv:+3",
            "a.csv:",
            ":5",
            "no line",
            "a.csv:0",
            "a.csv:18446744073709551615",
            "a.csv:99999999999999999999",
            "C:\\x\\a.csv:12",
            "line\nbreak:3",
            "",
        ];
        for t in texts {
            let s: Sources = [t].into_iter().collect();
            assert_eq!(s.texts(), [t], "{t:?}");
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, serde_json::to_string(&[t]).unwrap());
            let back: Sources = serde_json::from_str(&json).unwrap();
            assert_eq!(back.texts(), [t]);
        }
        let all: Sources = texts.into_iter().collect();
        assert_eq!(all.texts(), texts);
        assert_eq!(all.len(), texts.len());
        let none: Sources = serde_json::from_str("[]").unwrap();
        assert!(none.is_empty());
        assert_eq!(serde_json::to_string(&none).unwrap(), "[]");
        assert!(serde_json::from_str::<Sources>("[3]").is_err());
    }

    /// Text read again on a thread is the same shared string; the thread forgets what it
    /// remembers when full, and never keeps long text.
    #[test]
    fn shared_text_is_read_once_a_thread() {
        let a = intern("Millbrook TX PD");
        let b = intern(&String::from("Millbrook TX PD"));
        assert!(Shared::ptr_eq(&a, &b));
        let long = "x".repeat(SHARED_LONGEST + 1);
        assert!(!Shared::ptr_eq(&intern(&long), &intern(&long)));
        for i in 0..SHARED_KEPT {
            intern(&i.to_string());
        }
        let c = intern("Millbrook TX PD");
        assert_eq!(c, a);
        assert!(!Shared::ptr_eq(&a, &c), "forgotten once full");
        let r: Review = serde_json::from_str(
            r#"{"reviewer":"Millbrook TX PD","verdict":null,"annotated_at":"2026-01-01T00:00:00Z"}"#,
        )
        .unwrap();
        assert!(Shared::ptr_eq(&r.reviewer, &c));
    }
}
