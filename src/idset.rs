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

    /// Number of ids.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// Record ids in load order, sorted out once the load is done: which rows are the first of
/// their id. For sinks that need the answer only at the end (`scan`, `flag`): noting an id is an
/// append, and the sorting out reads and writes memory in order, where a set probed on every
/// row waits on memory for each (about ten times slower on a million rows).
#[derive(Default)]
pub struct Repeats {
    ids: Vec<RecordId>,
}

/// Rows a partition holds on average while [`Repeats::firsts`] sorts it out: its set stays in
/// the CPU's cache.
const PARTITION_ROWS: usize = 4096;

/// Rows below which [`Repeats::firsts`] stays on one thread.
const PARALLEL_ROWS: usize = 1 << 16;

impl Repeats {
    /// None noted.
    pub fn new() -> Repeats {
        Repeats::default()
    }

    /// Makes room for `additional` more rows.
    pub fn reserve(&mut self, additional: usize) {
        self.ids.reserve(additional);
    }

    /// Notes the next row's id; returns the row's number.
    pub fn note(&mut self, id: RecordId) -> u32 {
        self.ids.push(id);
        (self.ids.len() - 1) as u32
    }

    /// Rows noted.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when none were noted.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// For each row, whether it is the first row of its id.
    ///
    /// Ids are uniform hashes: their top bits split them into partitions of about equal size,
    /// each sorted out with a set that stays in the CPU's cache. With enough rows, the work is
    /// cut into shares (a few for each core, up to 8 cores, taken in turn: see
    /// [`crate::threads::ordered`]): each share first splits a stretch of the rows into
    /// partitions, then each sorts out some of the partitions, reading every stretch's part of
    /// them in row order.
    pub fn firsts(&self) -> Vec<bool> {
        let shares = if self.ids.len() < PARALLEL_ROWS {
            1
        } else {
            crate::threads::cores() * crate::threads::SHARES_PER_THREAD
        };
        self.firsts_on(shares)
    }

    fn firsts_on(&self, shares: usize) -> Vec<bool> {
        let n = self.ids.len();
        let bits = (n / PARTITION_ROWS)
            .max(1)
            .next_power_of_two()
            .trailing_zeros();
        let shares = shares.max(1);
        let parts = 1usize << bits;
        let stretch = |t: usize| t * n / shares..(t + 1) * n / shares;
        let split: Vec<Split> =
            crate::threads::ordered(shares, |t| Split::new(&self.ids, stretch(t), bits));
        let share = |t: usize| t * parts / shares..(t + 1) * parts / shares;
        let marks = crate::threads::ordered(shares, |t| firsts_in(&self.ids, &split, share(t), n));
        let mut marks = marks.into_iter();
        let mut bits = marks.next().unwrap_or_default();
        for m in marks {
            for (w, x) in bits.iter_mut().zip(m) {
                *w |= x;
            }
        }
        let mut first = vec![false; n];
        for (chunk, &w) in first.chunks_mut(64).zip(&bits) {
            for (i, f) in chunk.iter_mut().enumerate() {
                *f = w >> i & 1 == 1;
            }
        }
        first
    }
}

/// One stretch of rows split into partitions: each partition's rows and the low 64 bits of
/// their ids, in row order (the whole id is looked up only when those bits match: a repeat).
struct Split {
    /// Where each partition starts in `lows` and `rows` (and, last, their length).
    start: Vec<usize>,
    lows: Vec<u64>,
    rows: Vec<u32>,
}

impl Split {
    fn new(all: &[RecordId], stretch: std::ops::Range<usize>, bits: u32) -> Split {
        let part = |id: RecordId| {
            if bits == 0 {
                0
            } else {
                (id.0 >> (128 - bits)) as usize
            }
        };
        let base = stretch.start;
        let ids_in = &all[stretch];
        let mut start = vec![0usize; (1 << bits) + 1];
        for &id in ids_in {
            start[part(id) + 1] += 1;
        }
        for i in 1..start.len() {
            start[i] += start[i - 1];
        }
        let mut next = start.clone();
        let mut lows = vec![0u64; ids_in.len()];
        let mut rows = vec![0u32; ids_in.len()];
        for (r, &id) in ids_in.iter().enumerate() {
            let k = &mut next[part(id)];
            lows[*k] = id.low64();
            rows[*k] = (base + r) as u32;
            *k += 1;
        }
        Split { start, lows, rows }
    }
}

/// The first row of each id in partitions `parts`, as a bitmap of the load's `n` rows.
fn firsts_in(
    ids: &[RecordId],
    splits: &[Split],
    parts: std::ops::Range<usize>,
    n: usize,
) -> Vec<u64> {
    let mut first = vec![0u64; n.div_ceil(64)];
    // (low 64 bits, row) of each id seen in the partition.
    let mut seen: HashTable<(u64, u32)> = HashTable::new();
    for p in parts {
        seen.clear();
        for s in splits {
            let range = s.start[p]..s.start[p + 1];
            for (&low, &r) in s.lows[range.clone()].iter().zip(&s.rows[range]) {
                let same = |&(l, q): &(u64, u32)| l == low && ids[q as usize] == ids[r as usize];
                if let Entry::Vacant(v) = seen.entry(low, same, |&(l, _)| l) {
                    v.insert((low, r));
                    first[r as usize / 64] |= 1 << (r % 64);
                }
            }
        }
    }
    first
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

    #[test]
    fn repeats_tell_ids_apart_that_share_their_low_bits() {
        let mut r = Repeats::new();
        let (a, b) = (RecordId(1 << 64 | 5), RecordId(2 << 64 | 5));
        for id in [a, b, a, b, RecordId(5)] {
            r.note(id);
        }
        for shares in [1, 2] {
            assert_eq!(r.firsts_on(shares), [true, true, false, false, true]);
        }
    }

    #[test]
    fn repeats_find_the_first_row_of_each_id_like_a_set_does() {
        for n in [0usize, 1, 5, 5000, 70_000] {
            let mut r = Repeats::new();
            let mut set = IdSet::new();
            let mut expect = Vec::new();
            for i in 0..n as u64 {
                // Every third row repeats an earlier id, some of them several times.
                let key = if i % 3 == 2 { i / 7 } else { i };
                let id = RecordId::from_key(&key.to_le_bytes());
                assert_eq!(r.note(id), i as u32);
                expect.push(set.insert(id));
            }
            assert_eq!(r.len(), n);
            let firsts = r.firsts();
            assert_eq!(firsts, expect, "n = {n}");
            for shares in [1, 2, 3, 8, 13] {
                assert_eq!(r.firsts_on(shares), expect, "n = {n}, {shares} shares");
            }
        }
    }
}
