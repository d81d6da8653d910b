//! Sets and maps keyed by [`RecordId`]: the ids are already uniform hashes, so the table uses
//! their low bits directly.

use hashbrown::HashTable;

use crate::model::RecordId;

/// A set of record ids (16 bytes an entry).
#[derive(Default)]
pub struct IdSet {
    table: HashTable<u128>,
}

impl IdSet {
    /// An empty set.
    pub fn new() -> IdSet {
        IdSet::default()
    }

    /// Adds an id; false when it was already there.
    pub fn insert(&mut self, id: RecordId) -> bool {
        let h = id.low64();
        if self.table.find(h, |&k| k == id.0).is_some() {
            return false;
        }
        self.table.insert_unique(h, id.0, |&k| k as u64);
        true
    }

    /// Makes room for `additional` more ids.
    pub fn reserve(&mut self, additional: usize) {
        self.table.reserve(additional, |&k| k as u64);
    }

    /// True when the id is in the set.
    pub fn contains(&self, id: RecordId) -> bool {
        self.table.find(id.low64(), |&k| k == id.0).is_some()
    }

    /// Number of ids.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }
}

/// Row index by record id, storing only a `u32` per entry: the ids live in the caller's column
/// and are looked up through `ids`.
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

    /// Records that row `row` holds `ids[row]`.
    pub fn insert(&mut self, ids: &[RecordId], row: u32) {
        let h = ids[row as usize].low64();
        self.table
            .insert_unique(h, row, |&r| ids[r as usize].low64());
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
        let ids: Vec<RecordId> = (0..1000u32)
            .map(|i| RecordId::from_key(&i.to_le_bytes()))
            .collect();
        let mut idx = IdIndex::new();
        for r in 0..1000 {
            idx.insert(&ids, r);
        }
        assert_eq!(idx.get(&ids, ids[777]), Some(777));
        assert_eq!(idx.get(&ids, a), None);
    }
}
