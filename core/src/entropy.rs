//! Deterministic randomness from a caller-supplied seed.
//!
//! The core never draws randomness itself: a transport passes a seed (from the OS, or a
//! fixed value in tests) and every cnonce and retry jitter is derived from it, so a fixed seed
//! makes every request byte-for-byte reproducible.

/// SplitMix64: tiny, fast, and good enough for nonces that only need to be unpredictable to
/// a passive observer and distinct per request (Digest's cnonce), and for jitter.
#[derive(Clone)]
pub(crate) struct Entropy {
    state: u64,
}

/// Not shown: the state predicts every future cnonce and jitter.
impl std::fmt::Debug for Entropy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Entropy(..)")
    }
}

impl Entropy {
    pub(crate) fn new(seed: u64) -> Self {
        Entropy { state: seed }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A fraction in `[0, 1)`.
    pub(crate) fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// 32 lowercase hex characters (128 bits), the client nonce of one Digest response:
    /// `{:016x}{:016x}` of the next two draws, on the stack.
    pub(crate) fn cnonce(&mut self) -> [u8; 32] {
        let (a, b) = (self.next_u64(), self.next_u64());
        let mut out = [0u8; 32];
        for (i, d) in out.iter_mut().enumerate() {
            let word = if i < 16 { a } else { b };
            // The mask keeps the nibble below 16.
            let nibble = ((word >> (60 - 4 * (i % 16))) & 0x0f) as u8;
            *d = if nibble < 10 { b'0' + nibble } else { b'a' + (nibble - 10) };
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence_different_seed_differs() {
        let mut a = Entropy::new(7);
        let mut b = Entropy::new(7);
        let mut c = Entropy::new(8);
        let xs: Vec<u64> = (0..4).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..4).map(|_| b.next_u64()).collect();
        let zs: Vec<u64> = (0..4).map(|_| c.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
    }

    #[test]
    fn cnonce_is_32_hex_and_fraction_in_range() {
        let mut e = Entropy::new(0);
        let n = e.cnonce();
        assert!(n.iter().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        let mut f = Entropy::new(0);
        let expected = format!("{:016x}{:016x}", f.next_u64(), f.next_u64());
        assert_eq!(std::str::from_utf8(&n).unwrap(), expected);
        assert_eq!(std::str::from_utf8(&e.cnonce()).unwrap(), format!("{:016x}{:016x}", f.next_u64(), f.next_u64()));
        for _ in 0..1000 {
            let f = e.next_f64();
            assert!((0.0..1.0).contains(&f));
        }
    }
}
