//! Time-based one-time passwords (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps), the kind
//! every authenticator app reads from a QR code.

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Seconds per code.
const STEP: i64 = 30;
/// Codes one step before or after are accepted: phone clocks drift.
const WINDOW: i64 = 1;

/// A new secret: 160 random bits, base32 as authenticator apps take it.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    crate::secrets::fill_random(&mut bytes);
    base32(&bytes)
}

/// The `otpauth://` address a QR code carries for enrolment in an authenticator app.
pub fn otpauth_url(secret: &str, account: &str) -> String {
    let account: String = account
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' | b'@' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect();
    format!(
        "otpauth://totp/Hygeia:{account}?secret={secret}&issuer=Hygeia&algorithm=SHA1&digits=6&period=30"
    )
}

/// The code for a time step.
fn code_at(key: &[u8], step: i64) -> u32 {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(key) else {
        return u32::MAX;
    };
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[19] & 0x0f) as usize;
    let value = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    value % 1_000_000
}

/// The time step of a code that matches `code` at `now`, if any, and newer than `last_step`
/// (a code is accepted once).
pub fn verify(secret: &str, code: &str, now: i64, last_step: i64) -> Option<i64> {
    let code = code.trim().replace(' ', "");
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let wanted: u32 = code.parse().ok()?;
    let key = base32_decode(secret)?;
    let current = now.div_euclid(STEP);
    (current - WINDOW..=current + WINDOW)
        .filter(|step| *step > last_step)
        .find(|step| code_at(&key, *step) == wanted)
}

/// The current code (for tests and the agent-less test user of the browser tests).
pub fn current_code(secret: &str, now: i64) -> Option<String> {
    let key = base32_decode(secret)?;
    Some(format!("{:06}", code_at(&key, now.div_euclid(STEP))))
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn base32(data: &[u8]) -> String {
    let mut out = String::new();
    let mut buffer = 0u32;
    let mut bits = 0;
    for &byte in data {
        buffer = (buffer << 8) | byte as u32;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buffer = 0u32;
    let mut bits = 0;
    for c in text.bytes().filter(|c| *c != b'=' && *c != b' ') {
        let value = BASE32.iter().position(|b| *b == c.to_ascii_uppercase())? as u32;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6238_vectors() {
        // RFC 6238 appendix B, SHA-1 key "12345678901234567890"; the 6-digit codes are the last
        // six digits of the listed 8-digit ones.
        let key = b"12345678901234567890";
        assert_eq!(code_at(key, 59 / 30), 287082);
        assert_eq!(code_at(key, 1111111109 / 30), 81804);
        assert_eq!(code_at(key, 1234567890 / 30), 5924);
        assert_eq!(code_at(key, 2000000000 / 30), 279037);
        let secret = base32(key);
        assert_eq!(secret, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(base32_decode(&secret).as_deref(), Some(&key[..]));
    }

    #[test]
    fn codes_are_accepted_once_and_near_in_time() {
        let secret = new_secret();
        let now = 1_800_000_000;
        let code = current_code(&secret, now).unwrap();
        let step = verify(&secret, &code, now, 0);
        assert_eq!(step, Some(now / 30));
        assert_eq!(verify(&secret, &code, now, now / 30), None, "replayed");
        assert!(
            verify(&secret, &code, now + 30, 0).is_some(),
            "one step late"
        );
        assert_eq!(verify(&secret, &code, now + 120, 0), None, "too late");
        assert_eq!(verify(&secret, "12345", now, 0), None);
        assert_eq!(verify(&secret, "abcdef", now, 0), None);
        assert!(
            otpauth_url(&secret, "dr lee@clinic.example")
                .contains("Hygeia:dr%20lee@clinic.example?secret=")
        );
    }
}
