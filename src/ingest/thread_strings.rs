//! Text cells interned per thread: each distinct raw value of an agency, reason, category,
//! prompt or prior-flag cell is decoded and normalised once by the thread that meets it, and
//! named by a local symbol; the reading thread gives each local symbol the catalog's symbol the
//! first time a kept row uses it (`load.rs`).

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

use crate::ingest::catalog::TEXT_FIELDS;
use crate::ingest::row::Text;
use crate::ingest::value::decode;

/// Text cells interned by one thread, by raw bytes: each distinct value is decoded and
/// normalised once, and named by a local symbol that the reading thread maps to the catalog's.
#[derive(Debug, Default)]
pub(crate) struct LocalStrings {
    fields: [Column; TEXT_FIELDS.len()],
}

/// The raw values of one text field, by local symbol.
#[derive(Debug, Default)]
struct Column {
    raw: Vec<Box<[u8]>>,
    table: HashTable<u32>,
    /// The previous row's symbol: rows in an export often repeat the previous row's agency
    /// and reason, and one comparison is cheaper than a lookup.
    last: Option<u32>,
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
        let col = &mut self.fields[slot];
        if let Some(last) = col.last
            && *col.raw[last as usize] == *raw
        {
            return last;
        }
        let hash = FxBuildHasher.hash_one(raw);
        let keys = &col.raw;
        let sym = match col.table.find(hash, |&s| *keys[s as usize] == *raw) {
            Some(&s) => s,
            None => {
                let s = col.raw.len() as u32;
                let text = match decode(raw).0 {
                    std::borrow::Cow::Borrowed(t) => Text::from_cell(t).into_owned(),
                    std::borrow::Cow::Owned(t) => Text::from_cell(&t).into_owned(),
                };
                new.push((slot as u8, text));
                col.raw.push(raw.into());
                let keys = &col.raw;
                col.table
                    .insert_unique(hash, s, |&k| FxBuildHasher.hash_one(&*keys[k as usize]));
                s
            }
        };
        col.last = Some(sym);
        sym
    }
}
