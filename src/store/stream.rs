//! The annotation file read as a stream: the top-level object's keys in order, each annotation
//! put into the map as it is read. See [`super::open_streaming`].

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{Annotation, FORMAT_VERSION, FileAgency, SessionState, StoreError};
use crate::model::RecordId;

/// Where the top-level object's parts go.
pub(super) struct TopSeed<'a, H: FnMut(Option<SessionState>, Vec<FileAgency>)> {
    pub map: &'a mut imbl::OrdMap<RecordId, Annotation>,
    pub session: &'a mut Option<SessionState>,
    pub agencies: &'a mut Vec<FileAgency>,
    /// Called when the annotations start (with what was read before them).
    pub head: &'a mut H,
    /// Set to a version newer than this build reads.
    pub newer: &'a mut Option<u32>,
}

impl<'de, H: FnMut(Option<SessionState>, Vec<FileAgency>)> DeserializeSeed<'de> for TopSeed<'_, H> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, H: FnMut(Option<SessionState>, Vec<FileAgency>)> Visitor<'de> for TopSeed<'_, H> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(
            "an alpr-triage annotation file (an object with \"version\" and \"annotations\")",
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<(), A::Error> {
        use serde::de::Error;
        let mut version = None;
        let mut annotations = false;
        while let Some(key) = m.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "version" => {
                    let v: u64 = m.next_value()?;
                    if v > u64::from(FORMAT_VERSION) {
                        *self.newer = Some(v as u32);
                        return Err(A::Error::custom("newer version"));
                    }
                    version = Some(v);
                }
                "session" => *self.session = m.next_value()?,
                "agencies" => *self.agencies = m.next_value()?,
                "annotations" => {
                    (self.head)(self.session.clone(), self.agencies.clone());
                    m.next_value_seed(Annotations(&mut *self.map))?;
                    annotations = true;
                }
                _ => {
                    m.next_value::<IgnoredAny>()?;
                }
            }
        }
        if version.is_none() || !annotations {
            return Err(A::Error::custom("no \"version\" and \"annotations\" keys"));
        }
        Ok(())
    }
}

/// The annotations array, each put into the map (a record given twice keeps the later).
struct Annotations<'a>(&'a mut imbl::OrdMap<RecordId, Annotation>);

impl<'de> DeserializeSeed<'de> for Annotations<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Annotations<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of annotations")
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        while let Some(a) = seq.next_element::<Annotation>()? {
            self.0.insert(a.record_id, a);
        }
        Ok(())
    }
}

/// A reading error as the store reports it: damaged JSON, or JSON that is not an annotation
/// file.
pub(super) fn error(e: &serde_json::Error, shown: &str) -> StoreError {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => StoreError::Corrupt {
            path: shown.to_string(),
            message: e.to_string(),
            way_out: super::way_out(shown),
        },
        Category::Data => StoreError::Foreign {
            path: shown.to_string(),
            message: e.to_string(),
        },
    }
}
