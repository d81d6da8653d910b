//! Test strings for property tests of text handling: mostly the characters a function treats
//! specially, some any character at all.

use proptest::prelude::*;

/// Strings of up to `max_len` characters, ten in eleven of them drawn from `special`.
pub(crate) fn strings_of(
    special: &'static [char],
    max_len: usize,
) -> impl Strategy<Value = String> {
    let ch = prop_oneof![10 => proptest::sample::select(special), 1 => any::<char>()];
    proptest::collection::vec(ch, 0..max_len).prop_map(|v| v.into_iter().collect())
}
