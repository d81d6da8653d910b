//! Where the bytes that decide how CSV splits are: quotes and carriage returns, and line feeds,
//! as bitmaps (one bit a byte, 64 bytes a word) made in one vectorised pass over a block.
//!
//! A search call per byte found (`memchr2_iter`) costs tens of instructions a call, and audit
//! exports are dense with these bytes: Flock quotes its two-line time frame and its search time,
//! four quotes and two line feeds in every row of 200 bytes. Reading the bits costs a few.

/// The marks of one block of bytes.
#[derive(Debug, Default)]
pub(crate) struct Marks {
    /// Per 64 bytes: bit `i` of the first word is set when byte `i` is a quote (`"`) or a
    /// carriage return; of the second, when it is a line feed.
    words: Vec<[u64; 2]>,
}

impl Marks {
    /// Marks `data` (the previous marks are replaced; allocations are kept).
    pub(crate) fn scan(&mut self, data: &[u8]) {
        self.words.clear();
        let mut chunks = data.chunks_exact(64);
        self.words.extend((&mut chunks).map(chunk_marks));
        let tail = chunks.remainder();
        if !tail.is_empty() {
            // Padded with zero bytes, which are not marks.
            let mut last = [0u8; 64];
            last[..tail.len()].copy_from_slice(tail);
            self.words.push(chunk_marks(&last));
        }
    }

    /// Offsets of the quotes and carriage returns, in order.
    pub(crate) fn specials(&self) -> impl Iterator<Item = usize> + '_ {
        self.bits(0)
    }

    /// Offsets of the line feeds, in order.
    pub(crate) fn feeds(&self) -> impl Iterator<Item = usize> + '_ {
        self.bits(1)
    }

    fn bits(&self, k: usize) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(move |(w, m)| Bits {
            bits: m[k],
            base: w * 64,
        })
    }
}

/// The set bits of a word, as offsets from `base`.
struct Bits {
    bits: u64,
    base: usize,
}

impl Iterator for Bits {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        if self.bits == 0 {
            return None;
        }
        let i = self.bits.trailing_zeros() as usize;
        self.bits &= self.bits - 1;
        Some(self.base + i)
    }
}

/// [quotes and carriage returns, line feeds] of 64 bytes.
#[cfg(target_arch = "x86_64")]
fn chunk_marks(chunk: &[u8]) -> [u64; 2] {
    // SAFETY: SSE2 is part of the x86-64 baseline: every x86-64 processor has it.
    unsafe { chunk_marks_sse2(chunk) }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn chunk_marks_sse2(chunk: &[u8]) -> [u64; 2] {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_movemask_epi8, _mm_or_si128, _mm_set_epi64x, _mm_set1_epi8,
    };
    let quote = _mm_set1_epi8(b'"' as i8);
    let cr = _mm_set1_epi8(b'\r' as i8);
    let lf = _mm_set1_epi8(b'\n' as i8);
    let mut marks = [0u64; 2];
    for (k, sixteen) in chunk.chunks_exact(16).enumerate() {
        let lo = i64::from_le_bytes(sixteen[..8].try_into().unwrap_or_default());
        let hi = i64::from_le_bytes(sixteen[8..].try_into().unwrap_or_default());
        let v = _mm_set_epi64x(hi, lo);
        let s = _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, cr));
        marks[0] |= u64::from(_mm_movemask_epi8(s) as u16) << (16 * k);
        marks[1] |= u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf)) as u16) << (16 * k);
    }
    marks
}

#[cfg(not(target_arch = "x86_64"))]
fn chunk_marks(chunk: &[u8]) -> [u64; 2] {
    chunk_marks_portable(chunk)
}

/// [`chunk_marks`] a byte at a time (elsewhere than x86-64; tested against it there).
#[cfg(any(test, not(target_arch = "x86_64")))]
fn chunk_marks_portable(chunk: &[u8]) -> [u64; 2] {
    chunk.iter().enumerate().fold([0, 0], |[s, f], (i, &b)| {
        [
            s | u64::from(b == b'"' || b == b'\r') << i,
            f | u64::from(b == b'\n') << i,
        ]
    })
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
            1 => any::<u8>(),
        ];
        proptest::collection::vec(byte, 0..300)
    }

    proptest! {
        #![proptest_config(crate::test_strings::cases(256))]
        #[test]
        fn marks_are_where_the_bytes_are(data in bytes()) {
            let mut m = Marks::default();
            // A previous scan leaves nothing behind.
            m.scan(b"\"\r\n\"\r\n");
            m.scan(&data);
            let specials: Vec<usize> = memchr::memchr2_iter(b'"', b'\r', &data).collect();
            prop_assert_eq!(m.specials().collect::<Vec<_>>(), specials);
            let feeds: Vec<usize> = memchr::memchr_iter(b'\n', &data).collect();
            prop_assert_eq!(m.feeds().collect::<Vec<_>>(), feeds);
            for chunk in data.chunks(64) {
                let mut padded = [0u8; 64];
                padded[..chunk.len()].copy_from_slice(chunk);
                prop_assert_eq!(chunk_marks(&padded), chunk_marks_portable(&padded));
            }
        }
    }
}
