//! Record identity: the 128-bit id that names a search across files and runs.

use std::fmt;
use std::str::FromStr;

/// A record's stable identity: a 128-bit hash of its normalised content (and its Flock ID when
/// present). The same search gets the same id across runs, file renames, column reorderings and
/// overlapping releases; it never depends on a row's position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordId(pub u128);

impl RecordId {
    /// Hashes an identity key (see `ingest::identity`).
    pub fn from_key(key: &[u8]) -> RecordId {
        RecordId(xxhash_rust::xxh3::xxh3_128(key))
    }

    /// The low 64 bits, used as a hash-table hash.
    pub fn low64(self) -> u64 {
        self.0 as u64
    }

    /// The id as it is written: 32 lowercase hex digits (`Display` writes these; output that
    /// writes thousands of ids copies them without the formatting machinery).
    pub fn hex(self) -> [u8; 32] {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        std::array::from_fn(|i| DIGITS[(self.0 >> (124 - 4 * i) & 0xf) as usize])
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Hex digits are ASCII.
        f.write_str(std::str::from_utf8(&self.hex()).unwrap_or_default())
    }
}

impl FromStr for RecordId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() != 32 {
            return Err(format!("record id must be 32 hex digits, got {:?}", s));
        }
        u128::from_str_radix(s, 16)
            .map(RecordId)
            .map_err(|_| format!("record id must be 32 hex digits, got {:?}", s))
    }
}

impl serde::Serialize for RecordId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for RecordId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_round_trips() {
        let id = RecordId::from_key(b"abc");
        let s = id.to_string();
        assert_eq!(s.len(), 32);
        assert_eq!(s.parse::<RecordId>().unwrap(), id);
        assert!("xyz".parse::<RecordId>().is_err());
        for v in [0, 0xabc, u128::MAX, 1 << 127] {
            assert_eq!(RecordId(v).to_string(), format!("{v:032x}"));
        }
    }

    #[test]
    fn hash_is_stable_across_versions() {
        // xxh3-128 is a fixed algorithm: this value must never change, or saved annotations
        // would stop matching their records.
        assert_eq!(
            RecordId::from_key(b"v1").to_string(),
            format!("{:032x}", xxhash_rust::xxh3::xxh3_128(b"v1"))
        );
        assert_eq!(
            RecordId::from_key(b"").to_string(),
            "99aa06d3014798d86001c324468d497f"
        );
    }
}
