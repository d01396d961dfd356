//! S3-compatible storage as a repository backend, laid out exactly as restic lays it out
//! (`config`, `keys/ID`, `snapshots/ID`, `index/ID`, `locks/ID`, `data/XX/ID`), so restic can
//! read what Hygeia writes.

pub mod client;
pub mod sigv4;
mod xml;

use crate::BackupError;
use bytes::Bytes;
use client::{Client, S3Error};
use rustic_core::{
    BytesList, ErrorKind, FileType, Id, ReadBackend, RusticError, RusticResult, WriteBackend,
};

/// Where to find the S3 credentials: the variables restic and the AWS tools use too.
pub const ACCESS_KEY_VARIABLE: &str = "AWS_ACCESS_KEY_ID";
/// The secret key's variable.
pub const SECRET_KEY_VARIABLE: &str = "AWS_SECRET_ACCESS_KEY";

/// Credentials and region: from the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
/// `AWS_SESSION_TOKEN`), else from the AWS credentials file (`AWS_SHARED_CREDENTIALS_FILE` or
/// `~/.aws/credentials`, profile `AWS_PROFILE` or `default`), as restic and the AWS tools read them.
pub fn credentials_from_environment() -> Result<(sigv4::Credentials, String), BackupError> {
    let read = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let region = read("AWS_DEFAULT_REGION")
        .or_else(|| read("AWS_REGION"))
        .unwrap_or_else(|| "us-east-1".to_string());
    if let (Some(access_key), Some(secret_key)) =
        (read(ACCESS_KEY_VARIABLE), read(SECRET_KEY_VARIABLE))
    {
        let credentials = sigv4::Credentials {
            access_key,
            secret_key,
            session_token: read("AWS_SESSION_TOKEN"),
        };
        return Ok((credentials, region));
    }
    let file = read("AWS_SHARED_CREDENTIALS_FILE")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            read(if cfg!(windows) { "USERPROFILE" } else { "HOME" })
                .map(|home| std::path::Path::new(&home).join(".aws").join("credentials"))
        });
    let profile = read("AWS_PROFILE").unwrap_or_else(|| "default".to_string());
    file.and_then(|path| std::fs::read_to_string(path).ok())
        .and_then(|text| profile_credentials(&text, &profile))
        .map(|credentials| (credentials, region))
        .ok_or(BackupError::NoS3Credentials)
}

/// The keys of `[profile]` in an AWS credentials file (INI).
fn profile_credentials(text: &str, profile: &str) -> Option<sigv4::Credentials> {
    let mut in_profile = false;
    let (mut access_key, mut secret_key, mut session_token) = (None, None, None);
    for line in text.lines().map(str::trim) {
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            in_profile = section.trim() == profile;
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        if !in_profile {
            continue;
        }
        let value = Some(value.trim().to_string()).filter(|v| !v.is_empty());
        match key.trim() {
            "aws_access_key_id" => access_key = value,
            "aws_secret_access_key" => secret_key = value,
            "aws_session_token" => session_token = value,
            _ => {}
        }
    }
    Some(sigv4::Credentials {
        access_key: access_key?,
        secret_key: secret_key?,
        session_token,
    })
}

/// Plain `http://` would send the data and the signed requests in the clear; it is only
/// accepted for a server on this computer (a test server, or a local gateway).
pub fn endpoint_is_allowed(endpoint: &str) -> bool {
    let Some(host_and_port) = endpoint.strip_prefix("http://") else {
        return endpoint.starts_with("https://");
    };
    let host = if let Some(rest) = host_and_port.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host_and_port.split(':').next().unwrap_or("")
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A repository in an S3 bucket.
#[derive(Debug, Clone)]
pub struct S3Backend {
    client: Client,
    location: String,
    prefix: String,
}

fn backend_error(error: S3Error) -> Box<RusticError> {
    RusticError::with_source(ErrorKind::Backend, "the S3 storage failed", error)
}

impl S3Backend {
    /// A backend for `prefix` in `bucket` at `endpoint`.
    pub fn new(
        endpoint: &str,
        bucket: &str,
        prefix: &str,
        credentials: sigv4::Credentials,
        region: &str,
    ) -> Result<S3Backend, BackupError> {
        let client = Client::new(endpoint, bucket, region, credentials).map_err(|e| {
            BackupError::Engine {
                doing: "opening the S3 storage",
                message: e.to_string(),
            }
        })?;
        Ok(S3Backend {
            client,
            location: format!("s3:{endpoint}/{bucket}/{prefix}"),
            prefix: prefix.trim_matches('/').to_string(),
        })
    }

    /// The client, for questions about the bucket itself (Object Lock).
    pub fn client(&self) -> &Client {
        &self.client
    }

    fn key(&self, relative: &str) -> String {
        crate::layout::under(&self.prefix, relative)
    }

    fn file_key(&self, tpe: FileType, id: &Id) -> String {
        crate::layout::file(&self.prefix, tpe, id)
    }
}

impl ReadBackend for S3Backend {
    fn location(&self) -> String {
        self.location.clone()
    }

    fn list_with_size(&self, tpe: FileType) -> RusticResult<Vec<(Id, u32)>> {
        if tpe == FileType::Config {
            let key = self.key("config");
            let listed = self.client.list(&key).map_err(backend_error)?;
            return Ok(listed
                .into_iter()
                .filter(|(k, _)| *k == key)
                .map(|(_, size)| (Id::default(), u32::try_from(size).unwrap_or(u32::MAX)))
                .collect());
        }
        let folder = self.key(&format!("{}/", tpe.dirname()));
        let listed = self.client.list(&folder).map_err(backend_error)?;
        Ok(listed
            .into_iter()
            .filter_map(|(key, size)| {
                let name = key.rsplit('/').next()?;
                let id = Id::parse_some(name, tpe)?;
                Some((id, u32::try_from(size).ok()?))
            })
            .collect())
    }

    fn read_full(&self, tpe: FileType, id: &Id) -> RusticResult<Bytes> {
        let key = self.file_key(tpe, id);
        match self.client.get(&key, None).map_err(backend_error)? {
            Some(body) => Ok(Bytes::from(body)),
            None => Err(RusticError::new(
                ErrorKind::Backend,
                "the file `{key}` is missing from the S3 storage",
            )
            .attach_context("key", key)),
        }
    }

    fn read_partial(
        &self,
        tpe: FileType,
        id: &Id,
        _cacheable: bool,
        offset: u32,
        length: u32,
    ) -> RusticResult<Bytes> {
        let key = self.file_key(tpe, id);
        if length == 0 {
            return Ok(Bytes::new());
        }
        let range = (u64::from(offset), u64::from(offset) + u64::from(length) - 1);
        match self.client.get(&key, Some(range)).map_err(backend_error)? {
            Some(body) if body.len() == length as usize => Ok(Bytes::from(body)),
            Some(_) => Err(RusticError::new(
                ErrorKind::Backend,
                "the S3 storage returned a short read of `{key}`",
            )
            .attach_context("key", key)),
            None => Err(RusticError::new(
                ErrorKind::Backend,
                "the file `{key}` is missing from the S3 storage",
            )
            .attach_context("key", key)),
        }
    }

    fn warmup_path(&self, tpe: FileType, id: &Id) -> String {
        self.file_key(tpe, id)
    }
}

impl WriteBackend for S3Backend {
    fn create(&self) -> RusticResult<()> {
        // S3 has no folders to make; the bucket must exist (and should have Object Lock).
        self.client.check_bucket().map_err(backend_error)
    }

    fn write_bytes(
        &self,
        tpe: FileType,
        id: &Id,
        _cacheable: bool,
        content: BytesList,
    ) -> RusticResult<()> {
        let key = self.file_key(tpe, id);
        let body: Vec<u8> = content
            .slice()
            .iter()
            .flat_map(|b| b.iter().copied())
            .collect();
        self.client.put(&key, &body).map_err(backend_error)
    }

    fn remove(&self, tpe: FileType, id: &Id, _cacheable: bool) -> RusticResult<()> {
        self.client
            .delete(&self.file_key(tpe, id))
            .map_err(backend_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_credentials_file_profile_is_read() {
        let text = "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = s1\n\n[practice]\naws_access_key_id=AKIAPRACTICE\naws_secret_access_key=s2\naws_session_token=t\n";
        let default = profile_credentials(text, "default").unwrap();
        assert_eq!(
            (default.access_key.as_str(), default.secret_key.as_str()),
            ("AKIADEFAULT", "s1")
        );
        assert_eq!(default.session_token, None);
        let practice = profile_credentials(text, "practice").unwrap();
        assert_eq!(practice.session_token.as_deref(), Some("t"));
        assert!(profile_credentials(text, "missing").is_none());
        assert!(profile_credentials("[default]\naws_access_key_id=x\n", "default").is_none());
    }

    #[test]
    fn plain_http_is_only_for_this_computer() {
        assert!(endpoint_is_allowed("https://s3.eu-west-1.amazonaws.com"));
        assert!(endpoint_is_allowed("http://127.0.0.1:9000"));
        assert!(endpoint_is_allowed("http://localhost:9000"));
        assert!(endpoint_is_allowed("http://[::1]:9000"));
        assert!(!endpoint_is_allowed("http://s3.example.com"));
        assert!(!endpoint_is_allowed("http://10.0.0.5:9000"));
        assert!(!endpoint_is_allowed("ftp://127.0.0.1"));
    }

    #[test]
    fn files_are_where_restic_puts_them() {
        let backend = S3Backend::new(
            "http://127.0.0.1:1",
            "bucket",
            "laptop/",
            sigv4::Credentials {
                access_key: "a".into(),
                secret_key: "b".into(),
                session_token: None,
            },
            "us-east-1",
        )
        .unwrap();
        let id: Id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
            .parse()
            .unwrap();
        assert_eq!(
            backend.file_key(FileType::Pack, &id),
            "laptop/data/01/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        );
        assert_eq!(backend.file_key(FileType::Config, &id), "laptop/config");
        assert!(
            backend
                .file_key(FileType::Snapshot, &id)
                .starts_with("laptop/snapshots/")
        );
    }
}
