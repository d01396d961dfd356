//! Where a repository is: a folder (a USB disk, a mounted share), an S3-compatible bucket or an
//! SFTP server, written the way restic writes them.

use crate::BackupError;
use std::path::PathBuf;

/// A repository's place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A folder on this computer (a USB disk, a mounted share).
    Folder(PathBuf),
    /// `s3:https://HOST/BUCKET/PREFIX`.
    S3 {
        /// `https://HOST` (or `http://` for a server on loopback).
        endpoint: String,
        /// The bucket.
        bucket: String,
        /// The folder inside the bucket.
        prefix: String,
    },
    /// `sftp:USER@HOST:/PATH`.
    Sftp {
        /// The account.
        user: String,
        /// The server (`HOST` or `HOST:PORT`).
        host: String,
        /// The folder on the server.
        path: String,
    },
}

impl Location {
    /// Reads `--repo`. A plain path is a folder; `s3:` and `sftp:` name the other kinds.
    pub fn parse(text: &str) -> Result<Location, BackupError> {
        let bad = || BackupError::BadLocation(text.to_string());
        let text_trimmed = text.trim();
        if text_trimmed.is_empty() {
            return Err(bad());
        }
        if let Some(rest) = text_trimmed.strip_prefix("s3:") {
            let (scheme, after) = rest.split_once("://").ok_or_else(bad)?;
            if scheme != "https" && scheme != "http" {
                return Err(bad());
            }
            let mut parts = after.splitn(3, '/');
            let host = parts.next().filter(|h| !h.is_empty()).ok_or_else(bad)?;
            let bucket = parts.next().filter(|b| !b.is_empty()).ok_or_else(bad)?;
            let prefix = parts.next().unwrap_or("").trim_end_matches('/').to_string();
            return Ok(Location::S3 {
                endpoint: format!("{scheme}://{host}"),
                bucket: bucket.to_string(),
                prefix,
            });
        }
        if let Some(rest) = text_trimmed.strip_prefix("sftp:") {
            let (user, after) = rest.split_once('@').ok_or_else(bad)?;
            let (host, path) = after.split_once(':').ok_or_else(bad)?;
            if user.is_empty() || host.is_empty() || path.is_empty() {
                return Err(bad());
            }
            return Ok(Location::Sftp {
                user: user.to_string(),
                host: host.to_string(),
                path: path.to_string(),
            });
        }
        if text_trimmed.contains("://") {
            return Err(bad());
        }
        Ok(Location::Folder(PathBuf::from(text_trimmed)))
    }

    /// The kind, for people: `folder`, `S3`, `SFTP`.
    pub fn kind(&self) -> &'static str {
        match self {
            Location::Folder(_) => "folder",
            Location::S3 { .. } => "S3",
            Location::Sftp { .. } => "SFTP",
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Folder(path) => write!(f, "{}", path.display()),
            Location::S3 {
                endpoint,
                bucket,
                prefix,
            } => write!(f, "s3:{endpoint}/{bucket}/{prefix}"),
            Location::Sftp { user, host, path } => write!(f, "sftp:{user}@{host}:{path}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_written_form_reads() {
        assert_eq!(
            Location::parse("/media/usb/backup").unwrap(),
            Location::Folder("/media/usb/backup".into())
        );
        assert_eq!(
            Location::parse("s3:https://s3.example/practice/laptop-3/").unwrap(),
            Location::S3 {
                endpoint: "https://s3.example".into(),
                bucket: "practice".into(),
                prefix: "laptop-3".into()
            }
        );
        assert_eq!(
            Location::parse("sftp:backup@nas.local:/volume1/hygeia").unwrap(),
            Location::Sftp {
                user: "backup".into(),
                host: "nas.local".into(),
                path: "/volume1/hygeia".into()
            }
        );
    }

    #[test]
    fn what_is_not_a_location_is_refused() {
        for bad in [
            "",
            "  ",
            "s3:ftp://x/b",
            "s3:https://",
            "s3:https://host",
            "sftp:host:/p",
            "sftp:u@host",
            "http://x/y",
        ] {
            assert!(
                matches!(Location::parse(bad), Err(BackupError::BadLocation(_))),
                "{bad:?}"
            );
        }
    }
}
