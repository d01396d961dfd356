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
    /// `sftp:USER@HOST:/PATH`, or `sftp://USER@HOST:PORT//PATH` for another port (restic's
    /// forms).
    Sftp {
        /// The account.
        user: String,
        /// The server's name or address.
        host: String,
        /// Its SSH port.
        port: u16,
        /// The folder on the server (absolute, or relative to the account's home).
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
        if let Some(rest) = text_trimmed.strip_prefix("sftp://") {
            // sftp://USER@HOST[:PORT]/PATH, where //PATH is absolute and /PATH relative.
            let (authority, path) = rest.split_once('/').ok_or_else(bad)?;
            let (user, server) = authority.split_once('@').ok_or_else(bad)?;
            let (host, port) = match server.rsplit_once(':') {
                Some((host, port)) if !host.ends_with(']') || server.starts_with('[') => {
                    (host, port.parse::<u16>().map_err(|_| bad())?)
                }
                _ => (server, 22),
            };
            let host = host.trim_start_matches('[').trim_end_matches(']');
            if user.is_empty() || host.is_empty() || path.is_empty() || port == 0 {
                return Err(bad());
            }
            return Ok(Location::Sftp {
                user: user.to_string(),
                host: host.to_string(),
                port,
                path: path.to_string(),
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
                port: 22,
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
            Location::Sftp {
                user,
                host,
                port: 22,
                path,
            } => write!(f, "sftp:{user}@{host}:{path}"),
            Location::Sftp {
                user,
                host,
                port,
                path,
            } => {
                let host = if host.contains(':') {
                    format!("[{host}]")
                } else {
                    host.clone()
                };
                write!(f, "sftp://{user}@{host}:{port}/{path}")
            }
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
                port: 22,
                path: "/volume1/hygeia".into()
            }
        );
        let with_port = Location::parse("sftp://backup@127.0.0.1:2222//srv/hygeia").unwrap();
        assert_eq!(
            with_port,
            Location::Sftp {
                user: "backup".into(),
                host: "127.0.0.1".into(),
                port: 2222,
                path: "/srv/hygeia".into()
            }
        );
        assert_eq!(
            with_port.to_string(),
            "sftp://backup@127.0.0.1:2222//srv/hygeia"
        );
        assert_eq!(Location::parse(&with_port.to_string()).unwrap(), with_port);
        let v6 = Location::parse("sftp://backup@[::1]:2222/hygeia").unwrap();
        assert!(
            matches!(v6, Location::Sftp { ref host, port: 2222, ref path, .. } if host == "::1" && path == "hygeia")
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
            "sftp://u@host:99999//p",
            "sftp://host//p",
            "http://x/y",
        ] {
            assert!(
                matches!(Location::parse(bad), Err(BackupError::BadLocation(_))),
                "{bad:?}"
            );
        }
    }
}
