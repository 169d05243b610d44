//! Looking through text 16 bytes at a time for a few kinds of ASCII bytes:
//! word separators, letters and digits, characters to escape, line breaks.
//! Every page's text passes through such scans several times (the index's
//! tokens, word counts, HTML escaping, the search index's stored text),
//! and a byte at a time they were some 4% of a build's instructions. Here,
//! in the crate both the index builder and `campfire` itself use, so that
//! there is one of each.
//!
//! SSE2 on x86-64, where it is part of every processor; a plain loop
//! elsewhere (the WebAssembly build, which scans only a query), with the
//! same results.

/// Which bytes of `chunk` are one of `set` (bit i for byte i).
#[inline(always)]
pub fn any_of<const N: usize>(chunk: &[u8; 16], set: [u8; N]) -> u32 {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE2 is the x86-64 baseline; `loadu` reads the 16 bytes of
    // `chunk` at any alignment.
    unsafe {
        use core::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
            _mm_set1_epi8, _mm_setzero_si128,
        };
        let v = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
        let found = set.into_iter().fold(_mm_setzero_si128(), |found, b| {
            _mm_or_si128(found, _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8)))
        });
        _mm_movemask_epi8(found) as u32
    }
    #[cfg(not(target_arch = "x86_64"))]
    chunk
        .iter()
        .enumerate()
        .fold(0, |mask, (i, b)| mask | u32::from(set.contains(b)) << i)
}

/// Which bytes of `chunk` are not ASCII (bit i for byte i).
#[inline(always)]
pub fn non_ascii(chunk: &[u8; 16]) -> u32 {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: as in `any_of`.
    unsafe {
        use core::arch::x86_64::{__m128i, _mm_loadu_si128, _mm_movemask_epi8};
        _mm_movemask_epi8(_mm_loadu_si128(chunk.as_ptr().cast::<__m128i>())) as u32
    }
    #[cfg(not(target_arch = "x86_64"))]
    chunk
        .iter()
        .enumerate()
        .fold(0, |mask, (i, &b)| mask | u32::from(b >= 0x80) << i)
}

/// Which bytes of `chunk` are ASCII letters or digits, and which of those
/// are capitals (bit i for byte i).
#[inline(always)]
pub fn ascii_alnum(chunk: &[u8; 16]) -> (u32, u32) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: as in `any_of`.
    unsafe {
        use core::arch::x86_64::{
            __m128i, _mm_and_si128, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_loadu_si128,
            _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        };
        let v = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
        // Compared as signed bytes: those above 0x7F are negative, so in
        // no range here.
        let within = |low: u8, high: u8| {
            _mm_and_si128(
                _mm_cmpgt_epi8(v, _mm_set1_epi8(low as i8 - 1)),
                _mm_cmplt_epi8(v, _mm_set1_epi8(high as i8 + 1)),
            )
        };
        let upper = within(b'A', b'Z');
        let alnum = _mm_or_si128(_mm_or_si128(within(b'a', b'z'), within(b'0', b'9')), upper);
        (
            _mm_movemask_epi8(alnum) as u32,
            _mm_movemask_epi8(upper) as u32,
        )
    }
    #[cfg(not(target_arch = "x86_64"))]
    chunk
        .iter()
        .enumerate()
        .fold((0, 0), |(alnum, upper), (i, b)| {
            (
                alnum | u32::from(b.is_ascii_alphanumeric()) << i,
                upper | u32::from(b.is_ascii_uppercase()) << i,
            )
        })
}

/// Where the first byte of `bytes` that is one of `set` is.
#[inline]
pub fn position_of_any<const N: usize>(bytes: &[u8], set: [u8; N]) -> Option<usize> {
    first_where(bytes, |chunk| any_of(chunk, set), |b| set.contains(&b))
}

/// Where the first byte of `bytes` beyond ASCII is.
#[inline]
pub fn first_non_ascii(bytes: &[u8]) -> Option<usize> {
    first_where(bytes, non_ascii, |b| b >= 0x80)
}

/// Where the first byte of `bytes` is that `mask` marks in its 16-byte
/// step, or `one` says of it in the last few bytes.
#[inline(always)]
fn first_where(
    bytes: &[u8],
    mask: impl Fn(&[u8; 16]) -> u32,
    one: impl Fn(u8) -> bool,
) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(16);
    let mut at = 0;
    for chunk in &mut chunks {
        let found = mask(chunk.try_into().expect("16 bytes"));
        if found != 0 {
            return Some(at + found.trailing_zeros() as usize);
        }
        at += 16;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| one(b))
        .map(|i| at + i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    #[test]
    fn masks_and_positions_are_those_of_a_byte_at_a_time() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let set = [b'&', b'<', b'\n'];
        for _ in 0..20_000 {
            // Mostly bytes of the set and around it, some not ASCII.
            let len = (next() % 50) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|_| match next() % 8 {
                    0..=1 => set[(next() % 3) as usize],
                    2 => 0x80 | (next() % 0x80) as u8,
                    3 => (next() % 0x80) as u8,
                    _ => b'a' + (next() % 26) as u8,
                })
                .collect();
            assert_eq!(
                position_of_any(&bytes, set),
                bytes.iter().position(|b| set.contains(b)),
                "{bytes:?}"
            );
            assert_eq!(
                first_non_ascii(&bytes),
                bytes.iter().position(|&b| b >= 0x80),
                "{bytes:?}"
            );
            if let Some(chunk) = bytes.first_chunk::<16>() {
                let plain = |f: &dyn Fn(u8) -> bool| {
                    (0..16).fold(0, |m, i| m | u32::from(f(chunk[i])) << i)
                };
                assert_eq!(any_of(chunk, set), plain(&|b| set.contains(&b)));
                assert_eq!(non_ascii(chunk), plain(&|b| b >= 0x80));
                assert_eq!(
                    ascii_alnum(chunk),
                    (
                        plain(&|b| b.is_ascii_alphanumeric()),
                        plain(&|b| b.is_ascii_uppercase())
                    )
                );
            }
        }
    }
}
