//! Where the bytes that decide how CSV splits are: quotes, carriage returns, line feeds and
//! delimiters, as bitmaps of 64 bytes (one bit a byte), made with SSE2 compares.
//!
//! A search call per byte found (`memchr2_iter`) costs tens of instructions a call, and audit
//! exports are dense with these bytes: Flock quotes its two-line time frame and its search time,
//! four quotes, two line feeds and thirteen commas in every row of 200 bytes. Reading the bits
//! costs a few (see [`super::split`]).

/// The marks of 64 bytes: bit `i` of a map is set when byte `i` is one of its bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Word {
    /// Quotes (`"`).
    pub quotes: u64,
    /// Carriage returns.
    pub crs: u64,
    /// Line feeds.
    pub feeds: u64,
    /// Delimiters.
    pub delimiters: u64,
    /// How many line feeds.
    pub feed_count: u32,
}

/// The marks of 64 bytes (`chunk` holds 64).
#[cfg(target_arch = "x86_64")]
pub(crate) fn chunk_marks(chunk: &[u8], delimiter: u8) -> Word {
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("popcnt")
    {
        // SAFETY: the processor has AVX2 and POPCNT (checked just above).
        unsafe { chunk_marks_avx2(chunk, delimiter) }
    } else {
        // SAFETY: SSE2 is part of the x86-64 baseline: every x86-64 processor has it.
        unsafe { chunk_marks_sse2(chunk, delimiter) }
    }
}

/// [`chunk_marks`] with 32-byte compares, and a single instruction to count the line feeds (most
/// x86-64 processors since 2013).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,popcnt")]
fn chunk_marks_avx2(chunk: &[u8], delimiter: u8) -> Word {
    use std::arch::x86_64::{
        __m256i, _mm256_cmpeq_epi8, _mm256_movemask_epi8, _mm256_set_epi64x, _mm256_set1_epi8,
    };
    let quote = _mm256_set1_epi8(b'"' as i8);
    let cr = _mm256_set1_epi8(b'\r' as i8);
    let lf = _mm256_set1_epi8(b'\n' as i8);
    let delim = _mm256_set1_epi8(delimiter as i8);
    let mask =
        |v: __m256i, of: __m256i| u64::from(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, of)) as u32);
    let mut w = Word::default();
    for (k, half) in chunk.chunks_exact(32).enumerate() {
        let lane = |i: usize| i64::from_le_bytes(half[8 * i..8 * i + 8].try_into().unwrap_or_default());
        let v = _mm256_set_epi64x(lane(3), lane(2), lane(1), lane(0));
        w.quotes |= mask(v, quote) << (32 * k);
        w.crs |= mask(v, cr) << (32 * k);
        w.feeds |= mask(v, lf) << (32 * k);
        w.delimiters |= mask(v, delim) << (32 * k);
    }
    w.feed_count = w.feeds.count_ones();
    w
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn chunk_marks_sse2(chunk: &[u8], delimiter: u8) -> Word {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_movemask_epi8, _mm_set_epi64x, _mm_set1_epi8,
    };
    let quote = _mm_set1_epi8(b'"' as i8);
    let cr = _mm_set1_epi8(b'\r' as i8);
    let lf = _mm_set1_epi8(b'\n' as i8);
    let delim = _mm_set1_epi8(delimiter as i8);
    let mask = |v: __m128i, of: __m128i| u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(v, of)) as u16);
    let mut w = Word::default();
    for (k, sixteen) in chunk.chunks_exact(16).enumerate() {
        let lo = i64::from_le_bytes(sixteen[..8].try_into().unwrap_or_default());
        let hi = i64::from_le_bytes(sixteen[8..].try_into().unwrap_or_default());
        let v = _mm_set_epi64x(hi, lo);
        w.quotes |= mask(v, quote) << (16 * k);
        w.crs |= mask(v, cr) << (16 * k);
        w.feeds |= mask(v, lf) << (16 * k);
        w.delimiters |= mask(v, delim) << (16 * k);
    }
    w.feed_count = w.feeds.count_ones();
    w
}

#[cfg(not(target_arch = "x86_64"))]
pub(crate) fn chunk_marks(chunk: &[u8], delimiter: u8) -> Word {
    chunk_marks_portable(chunk, delimiter)
}

/// [`chunk_marks`] a byte at a time (elsewhere than x86-64; tested against it there).
#[cfg(any(test, not(target_arch = "x86_64")))]
fn chunk_marks_portable(chunk: &[u8], delimiter: u8) -> Word {
    let mut w = Word::default();
    for (i, &b) in chunk.iter().enumerate() {
        let bit = |yes: bool| u64::from(yes) << i;
        w.quotes |= bit(b == b'"');
        w.crs |= bit(b == b'\r');
        w.feeds |= bit(b == b'\n');
        w.delimiters |= bit(b == delimiter);
    }
    w.feed_count = w.feeds.count_ones();
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn bytes() -> impl Strategy<Value = Vec<u8>> {
        let byte = prop_oneof![
            3 => Just(b'a'),
            1 => Just(b'"'),
            1 => Just(b'\r'),
            1 => Just(b'\n'),
            1 => Just(b','),
            1 => any::<u8>(),
        ];
        proptest::collection::vec(byte, 0..300)
    }

    /// Offsets of the set bits of each chunk's map, over the whole bytes.
    fn offsets(words: &[Word], map: fn(&Word) -> u64) -> Vec<usize> {
        words
            .iter()
            .enumerate()
            .flat_map(|(w, m)| {
                let bits = map(m);
                (0..64).filter(move |i| bits >> i & 1 == 1).map(move |i| w * 64 + i)
            })
            .collect()
    }

    proptest! {
        #[test]
        fn marks_are_where_the_bytes_are(data in bytes()) {
            for delimiter in [b',', b'\t', 0] {
                let words: Vec<Word> = data
                    .chunks(64)
                    .map(|chunk| {
                        // Padded as the splitter pads the last chunk.
                        let mut padded = [u8::from(delimiter == 0); 64];
                        padded[..chunk.len()].copy_from_slice(chunk);
                        let w = chunk_marks_portable(&padded, delimiter);
                        assert_eq!(chunk_marks(&padded, delimiter), w);
                        #[cfg(target_arch = "x86_64")]
                        {
                            // SAFETY: SSE2 is part of the x86-64 baseline.
                            assert_eq!(unsafe { chunk_marks_sse2(&padded, delimiter) }, w);
                            if std::arch::is_x86_feature_detected!("avx2")
                                && std::arch::is_x86_feature_detected!("popcnt")
                            {
                                // SAFETY: checked just above.
                                assert_eq!(unsafe { chunk_marks_avx2(&padded, delimiter) }, w);
                            }
                        }
                        w
                    })
                    .collect();
                let at = |f: &dyn Fn(u8) -> bool| -> Vec<usize> {
                    (0..data.len()).filter(|&i| f(data[i])).collect()
                };
                prop_assert_eq!(offsets(&words, |w| w.crs), at(&|c| c == b'\r'));
                prop_assert_eq!(offsets(&words, |w| w.feeds), at(&|c| c == b'\n'));
                prop_assert_eq!(
                    words.iter().map(|w| w.feed_count as usize).sum::<usize>(),
                    at(&|c| c == b'\n').len()
                );
                prop_assert_eq!(offsets(&words, |w| w.quotes), at(&|c| c == b'"'));
                prop_assert_eq!(offsets(&words, |w| w.delimiters), at(&|c| c == delimiter));
            }
        }
    }
}
