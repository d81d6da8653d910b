//! Sets and maps keyed by [`RecordId`]. The ids are already uniform hashes, so the table uses
//! their low bits directly, and it holds `u32` row numbers into a column of ids rather than the
//! ids themselves: the part that is read at random stays a quarter of the size, which is what
//! de-duplicating millions of rows is bound by.

use hashbrown::HashTable;
use hashbrown::hash_table::Entry;

use crate::model::RecordId;

/// Row number by record id, for ids kept in the caller's column (`ids[row]`).
#[derive(Default, Clone)]
pub struct IdIndex {
    table: HashTable<u32>,
}

impl IdIndex {
    /// An empty index.
    pub fn new() -> IdIndex {
        IdIndex::default()
    }

    /// The row holding `id`.
    pub fn get(&self, ids: &[RecordId], id: RecordId) -> Option<u32> {
        self.table
            .find(id.low64(), |&r| ids[r as usize] == id)
            .copied()
    }

    /// Adds `id` as a new row at the end of `ids` (Ok with its row), unless a row holds it
    /// already (Err with that row). One probe of the table either way.
    pub fn add(&mut self, ids: &mut Vec<RecordId>, id: RecordId) -> Result<u32, u32> {
        let row = ids.len() as u32;
        let column: &[RecordId] = ids;
        match self.table.entry(
            id.low64(),
            |&r| column[r as usize] == id,
            |&r| column[r as usize].low64(),
        ) {
            Entry::Occupied(o) => Err(*o.get()),
            Entry::Vacant(v) => {
                v.insert(row);
                ids.push(id);
                Ok(row)
            }
        }
    }

    /// Makes room for `additional` more entries.
    pub fn reserve(&mut self, ids: &[RecordId], additional: usize) {
        self.table.reserve(additional, |&r| ids[r as usize].low64());
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }
}

/// A set of record ids (about 21 bytes an entry: the id, its row number, the table's room).
#[derive(Default)]
pub struct IdSet {
    ids: Vec<RecordId>,
    index: IdIndex,
}

impl IdSet {
    /// An empty set.
    pub fn new() -> IdSet {
        IdSet::default()
    }

    /// Adds an id; false when it was already there.
    pub fn insert(&mut self, id: RecordId) -> bool {
        self.index.add(&mut self.ids, id).is_ok()
    }

    /// Makes room for `additional` more ids.
    pub fn reserve(&mut self, additional: usize) {
        self.ids.reserve(additional);
        self.index.reserve(&self.ids, additional);
    }

    /// True when the id is in the set.
    pub fn contains(&self, id: RecordId) -> bool {
        self.index.get(&self.ids, id).is_some()
    }

    /// Looks up ids about to be inserted, so their part of the table is in cache: independent
    /// lookups overlap their waits on memory, inserts one by one cannot.
    pub fn warm(&self, ids: &[RecordId]) {
        let found = ids.iter().filter(|&&id| self.contains(id)).count();
        std::hint::black_box(found);
    }

    /// Number of ids.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_and_index() {
        let mut s = IdSet::new();
        let a = RecordId::from_key(b"a");
        assert!(s.insert(a));
        assert!(!s.insert(a));
        assert!(s.contains(a));
        assert_eq!(s.len(), 1);
        let mut ids = Vec::new();
        let mut idx = IdIndex::new();
        for i in 0..1000u32 {
            assert_eq!(
                idx.add(&mut ids, RecordId::from_key(&i.to_le_bytes())),
                Ok(i)
            );
        }
        let fifth = ids[5];
        assert_eq!(idx.add(&mut ids, fifth), Err(5));
        assert_eq!(ids.len(), 1000);
        assert_eq!(idx.get(&ids, ids[777]), Some(777));
        assert_eq!(idx.get(&ids, a), None);
    }
}
