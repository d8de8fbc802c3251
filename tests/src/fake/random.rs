//! Unpredictable values for nonces, tokens and ids, from the standard library alone.
//!
//! `RandomState` seeds SipHash with per-process random keys; hashing a global counter and
//! the clock through it gives values a client cannot predict, which is all a fake needs
//! (no cryptographic claim).

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// 64 random bits.
pub(crate) fn next_u64() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u128(SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default());
    h.finish()
}

fn fill(buf: &mut [u8]) {
    for chunk in buf.chunks_mut(8) {
        let bytes = next_u64().to_le_bytes();
        chunk.copy_from_slice(&bytes[..chunk.len()]);
    }
}

/// A Digest nonce shaped like Atlas's: 32 characters of standard base64 (`+` and `/` included).
pub(crate) fn nonce() -> String {
    let mut b = [0u8; 24];
    fill(&mut b);
    STANDARD.encode(b)
}

/// An opaque bearer token (43 URL-safe base64 characters).
pub(crate) fn token() -> String {
    let mut b = [0u8; 32];
    fill(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// A 24-lowercase-hex id shaped like a MongoDB ObjectId: 4 bytes of Unix seconds, 8 random.
pub(crate) fn object_id() -> String {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    format!("{:08x}{:016x}", secs as u32, next_u64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_distinctness() {
        let n = nonce();
        assert_eq!(n.len(), 32);
        assert_ne!(n, nonce());
        let id = object_id();
        assert_eq!(id.len(), 24);
        assert!(id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
        assert_ne!(id, object_id());
        assert_eq!(token().len(), 43);
    }
}
