//! String interning: each distinct agency, reason or category is stored once and named by a
//! dense `u32`, so millions of rows cost four bytes a column.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

/// A symbol: index into an [`Interner`].
pub type Sym = u32;

/// Distinct strings, each stored once.
#[derive(Default, Clone)]
pub struct Interner {
    strings: Vec<Box<str>>,
    table: HashTable<Sym>,
    hasher: FxBuildHasher,
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Interner({} strings)", self.strings.len())
    }
}

impl Interner {
    /// An empty interner.
    pub fn new() -> Interner {
        Interner::default()
    }

    /// The symbol for `s`, and whether it was new.
    pub fn intern(&mut self, s: &str) -> (Sym, bool) {
        let hash = self.hasher.hash_one(s);
        let strings = &self.strings;
        if let Some(&sym) = self.table.find(hash, |&sym| &*strings[sym as usize] == s) {
            return (sym, false);
        }
        let sym = self.strings.len() as Sym;
        self.strings.push(s.into());
        let (strings, hasher) = (&self.strings, &self.hasher);
        self.table
            .insert_unique(hash, sym, |&k| hasher.hash_one(&*strings[k as usize]));
        (sym, true)
    }

    /// The symbol for `s` if it was interned.
    pub fn get(&self, s: &str) -> Option<Sym> {
        let hash = self.hasher.hash_one(s);
        self.table
            .find(hash, |&sym| &*self.strings[sym as usize] == s)
            .copied()
    }

    /// The string for a symbol.
    pub fn resolve(&self, sym: Sym) -> &str {
        &self.strings[sym as usize]
    }

    /// Number of distinct strings.
    pub fn len(&self) -> usize {
        self.strings.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
    }

    /// Every string, by symbol.
    pub fn strings(&self) -> &[Box<str>] {
        &self.strings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_once() {
        let mut i = Interner::new();
        assert_eq!(i.intern("a"), (0, true));
        assert_eq!(i.intern("b"), (1, true));
        assert_eq!(i.intern("a"), (0, false));
        assert_eq!(i.get("b"), Some(1));
        assert_eq!(i.get("c"), None);
        assert_eq!(i.resolve(1), "b");
        for n in 0..10_000 {
            i.intern(&n.to_string());
        }
        assert_eq!(i.get("9999"), Some(10_001));
    }
}
