//! What unit tests share.

/// A xorshift generator from a fixed seed: tests of random input make the
/// same input on every run, so that a failure can be found again.
pub struct Rng(u64);

impl Rng {
    pub fn new() -> Rng {
        Rng(0x2545_f491_4f6c_dd1d)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// `len` of `pieces`, each picked at random, one after the other.
    pub fn text(&mut self, pieces: &[&str], len: usize) -> String {
        let mut text = String::new();
        for _ in 0..len {
            text.push_str(pieces[(self.next() % pieces.len() as u64) as usize]);
        }
        text
    }
}
