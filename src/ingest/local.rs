//! Text cells interned per thread: each distinct raw value of an agency, reason, category,
//! prompt or prior-flag cell is decoded and normalised once by the thread that meets it, and
//! named by a local symbol; the reading thread gives each local symbol the catalog's symbol the
//! first time a kept row uses it (`load.rs`).

use rustc_hash::FxHashMap;

use super::row::Text;
use super::value::decode;
use crate::catalog::TEXT_FIELDS;

/// Text cells interned by one thread, by raw bytes: each distinct value is decoded and
/// normalised once, and named by a local symbol that the reading thread maps to the catalog's.
#[derive(Debug, Default)]
pub(crate) struct LocalStrings {
    maps: [FxHashMap<Box<[u8]>, u32>; TEXT_FIELDS.len()],
}

/// Local symbol of an absent or empty cell.
pub(crate) const LOCAL_EMPTY: u32 = u32::MAX;

impl LocalStrings {
    /// The local symbol of a raw cell (trimmed), adding it and its normalised text to `new`.
    pub(crate) fn intern(
        &mut self,
        slot: usize,
        raw: &[u8],
        new: &mut Vec<(u8, Text<'static>)>,
    ) -> u32 {
        if raw.is_empty() {
            return LOCAL_EMPTY;
        }
        let map = &mut self.maps[slot];
        if let Some(&s) = map.get(raw) {
            return s;
        }
        let sym = map.len() as u32;
        let text = match decode(raw).0 {
            std::borrow::Cow::Borrowed(s) => Text::from_cell(s).into_owned(),
            std::borrow::Cow::Owned(s) => Text::from_cell(&s).into_owned(),
        };
        new.push((slot as u8, text));
        map.insert(raw.into(), sym);
        sym
    }
}
