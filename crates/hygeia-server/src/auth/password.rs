//! Passwords: argon2id hashes (RFC 9106's second recommended parameters: 19 MiB, 2 passes),
//! and the rules a new password must meet.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`) for a password.
pub fn hash(password: &str) -> String {
    let mut salt = [0u8; 16];
    crate::secrets::fill_random(&mut salt);
    let salt = SaltString::encode_b64(&salt).unwrap_or_else(|e| panic!("salt encoding: {e}"));
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .unwrap_or_else(|e| panic!("argon2 hashing: {e}"))
}

/// Whether `password` matches the stored hash. A damaged hash matches nothing.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| {
            hasher()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// [`verify`] on a blocking thread, at most `limit` at once: argon2 takes tens of milliseconds
/// of CPU, which on the async threads would stall every other request.
pub async fn verify_off_thread(
    limit: &tokio::sync::Semaphore,
    password: &str,
    stored: &str,
) -> bool {
    let (password, stored) = (password.to_string(), stored.to_string());
    let Ok(_permit) = limit.acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || verify(&password, &stored))
        .await
        .unwrap_or(false)
}

/// [`hash`] on a blocking thread, at most `limit` at once.
pub async fn hash_off_thread(limit: &tokio::sync::Semaphore, password: &str) -> String {
    let password = password.to_string();
    let _permit = limit.acquire().await;
    tokio::task::spawn_blocking(move || hash(&password))
        .await
        .unwrap_or_else(|e| panic!("argon2 hashing task: {e}"))
}

/// A hash to compare against when the user does not exist, so that a wrong e-mail address
/// takes as long as a wrong password and does not reveal which addresses have accounts.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash("not a password anyone has"))
}

/// Why a new password is refused, in words for the user; `None` when it is acceptable.
/// NIST SP 800-63B: length matters, composition rules do not; refuse the well-known ones.
pub fn weakness(password: &str, email: &str) -> Option<String> {
    let length = password.chars().count();
    if length < 12 {
        return Some("Use at least 12 characters; a short sentence is easy to remember.".into());
    }
    if length > 256 {
        return Some("Use at most 256 characters.".into());
    }
    let lower = password.to_lowercase();
    let local = email.split('@').next().unwrap_or("").to_lowercase();
    if local.len() >= 3 && lower.contains(&local) {
        return Some("Do not use your e-mail name in your password.".into());
    }
    if lower.contains("hygeia") || lower.contains("password") {
        return Some(
            "That password is too easy to guess; choose something unrelated to this site.".into(),
        );
    }
    if password
        .chars()
        .collect::<std::collections::HashSet<_>>()
        .len()
        < 5
    {
        return Some("That password repeats too few characters; choose a less regular one.".into());
    }
    None
}

/// A one-time password for a new account: 20 characters without look-alikes (no 0/O, 1/l/I).
pub fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    crate::secrets::fill_random(&mut bytes);
    // 256 is not a multiple of 56, so values at or above 224 would favour some letters: redraw.
    let mut out = String::with_capacity(20);
    let mut pool = bytes.to_vec();
    while out.len() < 20 {
        match pool.pop() {
            Some(b) if (b as usize) < 224 => {
                out.push(ALPHABET[b as usize % ALPHABET.len()] as char)
            }
            Some(_) => {}
            None => {
                let mut more = [0u8; 20];
                crate::secrets::fill_random(&mut more);
                pool.extend_from_slice(&more);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let a = hash("correct horse battery");
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse battery", &a));
        assert!(!verify("correct horse batterz", &a));
        assert_ne!(a, hash("correct horse battery"));
        assert!(!verify("x", "not a hash"));
    }

    #[test]
    fn weak_passwords_are_refused_with_a_reason() {
        assert!(weakness("short", "a@b.example").is_some());
        assert!(weakness("drlee-is-great-2026", "drlee@clinic.example").is_some());
        assert!(weakness("aaaaaaaaaaaaaaaa", "x@y.example").is_some());
        assert!(weakness("seven orange kites at dusk", "drlee@clinic.example").is_none());
        let otp = one_time_password();
        assert_eq!(otp.len(), 20);
        assert!(weakness(&otp, "x@y.example").is_none());
    }
}
