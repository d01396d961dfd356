//! Secrets the server must read back (authenticator secrets) are kept sealed in the database
//! with a key that lives outside it: a copy of the database alone does not let anyone make a
//! user's codes. ChaCha20-Poly1305 (ring), a random nonce per value, stored as
//! `v1:` + hex(nonce, ciphertext and tag).

use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use std::path::{Path, PathBuf};

const PREFIX: &str = "v1:";

/// The key that seals secrets in the database.
pub struct SealingKey {
    key: LessSafeKey,
}

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealingKey(..)")
    }
}

/// Why the key file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Reading or creating it failed.
    #[error("cannot {action} the key file {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// Which file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// It does not hold a key.
    #[error(
        "the key file {0} does not hold a key (64 hex digits); restore it from your backup, or move it aside and have every user set up their authenticator app again"
    )]
    Damaged(PathBuf),
}

impl SealingKey {
    /// A key from 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> SealingKey {
        let unbound = UnboundKey::new(&CHACHA20_POLY1305, &bytes)
            .unwrap_or_else(|_| panic!("a 32-byte key is always a valid ChaCha20-Poly1305 key"));
        SealingKey {
            key: LessSafeKey::new(unbound),
        }
    }

    /// A new random key (for tests and first runs).
    pub fn random() -> SealingKey {
        let mut bytes = [0u8; 32];
        crate::secrets::fill_random(&mut bytes);
        SealingKey::from_bytes(bytes)
    }

    /// Reads the key file, or creates it (0600, never over an existing file) with a new key.
    pub fn load_or_create(path: &Path) -> Result<SealingKey, KeyError> {
        let io = |action| {
            move |source| KeyError::Io {
                action,
                path: path.to_path_buf(),
                source,
            }
        };
        match std::fs::read_to_string(path) {
            Ok(text) => parse_key(text.trim()).ok_or_else(|| KeyError::Damaged(path.to_path_buf())),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let mut bytes = [0u8; 32];
                crate::secrets::fill_random(&mut bytes);
                let text = format!("{}\n", crate::secrets::hex(&bytes));
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    options.mode(0o600);
                }
                let mut file = options.open(path).map_err(io("create"))?;
                std::io::Write::write_all(&mut file, text.as_bytes()).map_err(io("write"))?;
                file.sync_all().map_err(io("write"))?;
                Ok(SealingKey::from_bytes(bytes))
            }
            Err(error) => Err(io("read")(error)),
        }
    }

    /// Seals a secret for the database.
    pub fn seal(&self, plain: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        crate::secrets::fill_random(&mut nonce);
        let mut data = plain.as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut data)
            .unwrap_or_else(|_| panic!("sealing a short secret cannot fail"));
        let mut out = nonce.to_vec();
        out.extend_from_slice(&data);
        format!("{PREFIX}{}", crate::secrets::hex(&out))
    }

    /// Opens a value from the database. Values stored before sealing existed are plain and come
    /// back as they are; a sealed value this key did not seal gives `None`.
    pub fn open(&self, stored: &str) -> Option<String> {
        let Some(sealed) = stored.strip_prefix(PREFIX) else {
            return Some(stored.to_string());
        };
        let bytes = unhex(sealed)?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let (nonce, rest) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut data = rest.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::empty(), &mut data)
            .ok()?;
        String::from_utf8(plain.to_vec()).ok()
    }

    /// Whether a stored value is sealed.
    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(PREFIX)
    }
}

fn parse_key(text: &str) -> Option<SealingKey> {
    let bytes: [u8; 32] = unhex(text)?.try_into().ok()?;
    Some(SealingKey::from_bytes(bytes))
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_with_their_key_only() {
        let key = SealingKey::random();
        let sealed = key.seal("JBSWY3DPEHPK3PXP");
        assert!(SealingKey::is_sealed(&sealed));
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_ne!(
            sealed,
            key.seal("JBSWY3DPEHPK3PXP"),
            "a new nonce every time"
        );
        assert_eq!(key.open(&sealed).as_deref(), Some("JBSWY3DPEHPK3PXP"));
        assert_eq!(SealingKey::random().open(&sealed), None);
        assert_eq!(key.open("v1:00ff"), None);
        // A value from before sealing reads as it is.
        assert_eq!(
            key.open("JBSWY3DPEHPK3PXP").as_deref(),
            Some("JBSWY3DPEHPK3PXP")
        );
    }

    #[test]
    fn the_key_file_is_created_private_and_read_back() {
        let dir = std::env::temp_dir().join(format!("hygeia-key-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("server.key");
        let first = SealingKey::load_or_create(&path).unwrap();
        let sealed = first.seal("secret");
        let again = SealingKey::load_or_create(&path).unwrap();
        assert_eq!(again.open(&sealed).as_deref(), Some("secret"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        std::fs::write(&path, "not a key").unwrap();
        assert!(matches!(
            SealingKey::load_or_create(&path),
            Err(KeyError::Damaged(_))
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
