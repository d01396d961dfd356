//! A small S3 client over `ureq`: the six calls a restic-format repository needs (get, ranged
//! get, put, delete, exists, list) and the bucket's Object Lock configuration. Path-style
//! addressing (`https://HOST/BUCKET/KEY`) so that any S3-compatible server works.

use super::sigv4::{self, Credentials, EMPTY_SHA256};
use super::xml::{elements, first_element};
use base64::Engine as _;
use md5::{Digest as _, Md5};
use std::time::Duration;

/// The most a single object read may return; restic pack files are far smaller.
const MAX_OBJECT_BYTES: u64 = 1 << 30;
/// The most an error or listing answer may be.
const MAX_ANSWER_BYTES: u64 = 16 << 20;
/// Tries per request: the network and the server may fail for a moment.
const ATTEMPTS: u32 = 4;

/// What went wrong talking to the S3 server.
#[derive(Debug, thiserror::Error)]
pub enum S3Error {
    /// The server could not be reached (DNS, TCP, TLS, timeout).
    #[error("cannot reach {endpoint}: {why}")]
    Unreachable {
        /// The endpoint.
        endpoint: String,
        /// Why.
        why: String,
    },
    /// The server answered with an error.
    #[error("the S3 server refused {what}: {code} ({message})")]
    Refused {
        /// The request, in words.
        what: String,
        /// S3's error code (`AccessDenied`, `NoSuchBucket`, `SignatureDoesNotMatch`...).
        code: String,
        /// S3's message.
        message: String,
    },
    /// The server answered something that is not S3.
    #[error("the S3 server's answer to {0} was not understood")]
    Garbled(String),
}

/// The bucket's Object Lock configuration, as the server reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectLock {
    /// `GOVERNANCE` or `COMPLIANCE`, when a default retention is set.
    pub mode: Option<String>,
    /// The default retention in days (years are turned into days).
    pub days: Option<u32>,
}

/// A connection to one bucket.
#[derive(Debug, Clone)]
pub struct Client {
    agent: ureq::Agent,
    endpoint: String,
    host: String,
    bucket: String,
    region: String,
    credentials: Credentials,
}

/// One answer: its status, headers we use, and body.
struct Answer {
    status: u16,
    body: Vec<u8>,
}

impl Client {
    /// A client for `bucket` at `endpoint` (`https://HOST[:PORT]`).
    pub fn new(
        endpoint: &str,
        bucket: &str,
        region: &str,
        credentials: Credentials,
    ) -> Result<Client, S3Error> {
        let host = endpoint
            .split_once("://")
            .map(|(_, host)| host.trim_end_matches('/').to_string())
            .unwrap_or_default();
        let tls = ureq::tls::TlsConfig::builder()
            .provider(ureq::tls::TlsProvider::Rustls)
            .build();
        let agent = ureq::Agent::config_builder()
            .tls_config(tls)
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(30)))
            .timeout_global(Some(Duration::from_secs(600)))
            .user_agent(concat!("hygeia-backup/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        Ok(Client {
            agent,
            endpoint: endpoint.trim_end_matches('/').to_string(),
            host,
            bucket: bucket.to_string(),
            region: region.to_string(),
            credentials,
        })
    }

    /// Sends one signed request, retrying transport failures and 5xx answers.
    fn send(
        &self,
        method: &str,
        key: &str,
        query: &[(&str, &str)],
        range: Option<(u64, u64)>,
        body: &[u8],
    ) -> Result<Answer, S3Error> {
        self.send_with(method, key, query, range, &[], body)
    }

    /// [`Client::send`] with extra headers to sign and send.
    fn send_with(
        &self,
        method: &str,
        key: &str,
        query: &[(&str, &str)],
        range: Option<(u64, u64)>,
        extra: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Answer, S3Error> {
        let mut last = String::new();
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                std::thread::sleep(Duration::from_millis(250 << attempt));
            }
            match self.send_once(method, key, query, range, extra, body) {
                Ok(answer) if answer.status < 500 => return Ok(answer),
                Ok(answer) => last = format!("HTTP {}", answer.status),
                Err(why) => last = why,
            }
        }
        Err(S3Error::Unreachable {
            endpoint: self.endpoint.clone(),
            why: last,
        })
    }

    fn send_once(
        &self,
        method: &str,
        key: &str,
        query: &[(&str, &str)],
        range: Option<(u64, u64)>,
        extra: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Answer, String> {
        let path = if key.is_empty() {
            format!("/{}", sigv4::uri_encode(&self.bucket, false))
        } else {
            format!(
                "/{}/{}",
                sigv4::uri_encode(&self.bucket, false),
                sigv4::uri_encode(key, true)
            )
        };
        let payload_sha256 = if body.is_empty() {
            EMPTY_SHA256.to_string()
        } else {
            sigv4::sha256_hex(body)
        };
        let amz_date = amz_date_now();
        let range_value = range.map(|(first, last)| format!("bytes={first}-{last}"));
        // Object Lock buckets refuse uploads without an integrity header.
        let content_md5 = (method == "PUT")
            .then(|| base64::engine::general_purpose::STANDARD.encode(Md5::digest(body)));
        let mut headers: Vec<(&str, &str)> = vec![
            ("host", &self.host),
            ("x-amz-content-sha256", &payload_sha256),
            ("x-amz-date", &amz_date),
        ];
        if let Some(value) = &range_value {
            headers.push(("range", value));
        }
        if let Some(value) = &content_md5 {
            headers.push(("content-md5", value));
        }
        if let Some(token) = &self.credentials.session_token {
            headers.push(("x-amz-security-token", token));
        }
        headers.extend_from_slice(extra);
        let authorization = sigv4::authorization(
            &self.credentials,
            &self.region,
            &amz_date,
            &sigv4::Request {
                method,
                encoded_path: &path,
                query,
                headers: &headers,
                payload_sha256: &payload_sha256,
            },
        );
        let query_text = sigv4::canonical_query(query);
        let url = if query_text.is_empty() {
            format!("{}{path}", self.endpoint)
        } else {
            format!("{}{path}?{query_text}", self.endpoint)
        };
        let mut request = ureq::http::Request::builder().method(method).uri(&url);
        for (name, value) in headers.iter().filter(|(name, _)| *name != "host") {
            request = request.header(*name, *value);
        }
        let request = request
            .header("authorization", &authorization)
            .body(body)
            .map_err(|e| e.to_string())?;
        let mut response = self.agent.run(request).map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let limit = if (200..300).contains(&status) {
            MAX_OBJECT_BYTES
        } else {
            MAX_ANSWER_BYTES
        };
        let body = if method == "HEAD" {
            Vec::new()
        } else {
            response
                .body_mut()
                .with_config()
                .limit(limit)
                .read_to_vec()
                .map_err(|e| e.to_string())?
        };
        Ok(Answer { status, body })
    }

    fn refused(&self, what: String, answer: &Answer) -> S3Error {
        let text = String::from_utf8_lossy(&answer.body);
        let code =
            first_element(&text, "Code").unwrap_or_else(|| format!("HTTP {}", answer.status));
        let message = first_element(&text, "Message").unwrap_or_default();
        S3Error::Refused {
            what,
            code,
            message,
        }
    }

    /// Reads an object, or `None` when there is no such key.
    pub fn get(&self, key: &str, range: Option<(u64, u64)>) -> Result<Option<Vec<u8>>, S3Error> {
        let answer = self.send("GET", key, &[], range, &[])?;
        match answer.status {
            200 | 206 => Ok(Some(answer.body)),
            404 => Ok(None),
            _ => Err(self.refused(format!("reading {key}"), &answer)),
        }
    }

    /// Writes an object.
    pub fn put(&self, key: &str, body: &[u8]) -> Result<(), S3Error> {
        let answer = self.send("PUT", key, &[], None, body)?;
        match answer.status {
            200 | 201 | 204 => Ok(()),
            _ => Err(self.refused(format!("writing {key}"), &answer)),
        }
    }

    /// Deletes an object (deleting a missing key is not an error, as in S3 itself).
    pub fn delete(&self, key: &str) -> Result<(), S3Error> {
        let answer = self.send("DELETE", key, &[], None, &[])?;
        match answer.status {
            200 | 204 | 404 => Ok(()),
            _ => Err(self.refused(format!("deleting {key}"), &answer)),
        }
    }

    /// Whether an object exists.
    pub fn exists(&self, key: &str) -> Result<bool, S3Error> {
        let answer = self.send("HEAD", key, &[], None, &[])?;
        match answer.status {
            200 => Ok(true),
            404 => Ok(false),
            _ => Err(self.refused(format!("looking for {key}"), &answer)),
        }
    }

    /// Whether the bucket exists and these credentials may use it.
    pub fn check_bucket(&self) -> Result<(), S3Error> {
        let answer = self.send("HEAD", "", &[], None, &[])?;
        match answer.status {
            200 => Ok(()),
            404 => Err(S3Error::Refused {
                what: format!("the bucket {}", self.bucket),
                code: "NoSuchBucket".into(),
                message: "create the bucket first (with Object Lock, so that ransomware cannot delete the copies)".into(),
            }),
            403 => Err(S3Error::Refused {
                what: format!("the bucket {}", self.bucket),
                code: "AccessDenied".into(),
                message: "check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY".into(),
            }),
            _ => Err(self.refused(format!("the bucket {}", self.bucket), &answer)),
        }
    }

    /// Every key under `prefix` with its size (ListObjectsV2, page by page).
    pub fn list(&self, prefix: &str) -> Result<Vec<(String, u64)>, S3Error> {
        let mut objects = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut query = vec![("list-type", "2"), ("prefix", prefix)];
            if let Some(token) = &token {
                query.push(("continuation-token", token));
            }
            let answer = self.send("GET", "", &query, None, &[])?;
            if answer.status != 200 {
                return Err(self.refused(format!("listing {prefix}"), &answer));
            }
            let text = String::from_utf8_lossy(&answer.body);
            for contents in elements(&text, "Contents") {
                let key = first_element(contents, "Key");
                let size = first_element(contents, "Size").and_then(|s| s.parse().ok());
                match (key, size) {
                    (Some(key), Some(size)) => objects.push((key, size)),
                    _ => return Err(S3Error::Garbled(format!("listing {prefix}"))),
                }
            }
            let truncated = first_element(&text, "IsTruncated").is_some_and(|t| t == "true");
            token = first_element(&text, "NextContinuationToken");
            if !truncated || token.is_none() {
                return Ok(objects);
            }
        }
    }

    /// The bucket's Object Lock configuration, or `None` when Object Lock is not enabled.
    pub fn object_lock(&self) -> Result<Option<ObjectLock>, S3Error> {
        let answer = self.send("GET", "", &[("object-lock", "")], None, &[])?;
        let text = String::from_utf8_lossy(&answer.body);
        match answer.status {
            200 => {
                if first_element(&text, "ObjectLockEnabled").as_deref() != Some("Enabled") {
                    return Ok(None);
                }
                let days = first_element(&text, "Days")
                    .and_then(|d| d.parse::<u32>().ok())
                    .or_else(|| {
                        first_element(&text, "Years")
                            .and_then(|y| y.parse::<u32>().ok())
                            .map(|y| y.saturating_mul(365))
                    });
                Ok(Some(ObjectLock {
                    mode: first_element(&text, "Mode"),
                    days,
                }))
            }
            404 => Ok(None),
            _ => Err(self.refused("reading Object Lock".into(), &answer)),
        }
    }
}

impl Client {
    /// Creates the bucket, with Object Lock when asked (it can only be turned on at creation).
    /// For setting up a practice's bucket and for tests; backups never create buckets.
    pub fn create_bucket(&self, object_lock: bool) -> Result<(), S3Error> {
        let extra: &[(&str, &str)] = if object_lock {
            &[("x-amz-bucket-object-lock-enabled", "true")]
        } else {
            &[]
        };
        let answer = self.send_with("PUT", "", &[], None, extra, &[])?;
        match answer.status {
            200 => Ok(()),
            _ => Err(self.refused(format!("creating the bucket {}", self.bucket), &answer)),
        }
    }

    /// Sets the bucket's default Object Lock retention (`GOVERNANCE` or `COMPLIANCE`).
    pub fn set_default_retention(&self, mode: &str, days: u32) -> Result<(), S3Error> {
        let body = format!(
            "<ObjectLockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>{mode}</Mode><Days>{days}</Days></DefaultRetention></Rule></ObjectLockConfiguration>"
        );
        let answer = self.send("PUT", "", &[("object-lock", "")], None, body.as_bytes())?;
        match answer.status {
            200 => Ok(()),
            _ => Err(self.refused("setting Object Lock".into(), &answer)),
        }
    }
}

/// `YYYYMMDDTHHMMSSZ` now, in UTC.
fn amz_date_now() -> String {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    time::OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_default()
}
