//! Test strings for property tests of text handling: mostly the characters a function treats
//! specially, some any character at all.

use proptest::prelude::*;

/// How many cases a property test runs: `release` in an optimised build, a quarter of it in a
/// debug build (where `cargo test` runs; each case costs ten times more there). PROPTEST_CASES,
/// when set, wins, for a longer run: `PROPTEST_CASES=10000 cargo test --release`.
pub(crate) fn cases(release: u32) -> ProptestConfig {
    let n = match std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        Some(n) => n,
        None if cfg!(debug_assertions) => (release / 4).max(16),
        None => release,
    };
    ProptestConfig::with_cases(n)
}

/// Strings of up to `max_len` characters, ten in eleven of them drawn from `special`.
pub(crate) fn strings_of(
    special: &'static [char],
    max_len: usize,
) -> impl Strategy<Value = String> {
    let ch = prop_oneof![10 => proptest::sample::select(special), 1 => any::<char>()];
    proptest::collection::vec(ch, 0..max_len).prop_map(|v| v.into_iter().collect())
}
