//! Random secrets and how they are kept: node keys, enroll secrets, session ids and API tokens
//! are long random strings shown once; the database stores only their SHA-256, which is enough
//! for secrets of 256 bits (no one guesses them, so no slow hash is needed).

use sha2::{Digest, Sha256};

/// Fills `buffer` from the operating system's random source.
pub fn fill_random(buffer: &mut [u8]) {
    // The OS random source does not fail on any platform Hygeia runs on; if it ever did,
    // continuing with predictable secrets would be worse than stopping.
    if let Err(error) = getrandom::fill(buffer) {
        panic!("the operating system's random source failed: {error}");
    }
}

/// A new secret: `prefix` then 256 random bits in lower-case hex (`hyn_3f9c...`). The prefix says
/// what the secret is when it turns up in a log or a paste.
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    fill_random(&mut bytes);
    format!("{prefix}{}", hex(&bytes))
}

/// SHA-256 in lower-case hex.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_unique_and_prefixed() {
        let a = new_secret("hyn_");
        let b = new_secret("hyn_");
        assert!(a.starts_with("hyn_") && a.len() == 4 + 64);
        assert_ne!(a, b);
        assert_eq!(sha256_hex(b"abc").len(), 64);
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
