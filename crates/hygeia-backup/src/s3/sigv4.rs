//! AWS Signature Version 4 for S3 requests, as AWS documents it ("Authenticating Requests:
//! Using the Authorization Header"). Every S3-compatible server (AWS, MinIO, Wasabi, Backblaze
//! B2's S3 API, SeaweedFS) accepts it.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The SHA-256 of an empty body, which GET, HEAD and DELETE requests sign.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// What a request is signed with.
#[derive(Clone)]
pub struct Credentials {
    /// The access key id (not secret; it appears in every request).
    pub access_key: String,
    /// The secret key.
    pub secret_key: String,
    /// A session token from temporary credentials, when there is one.
    pub session_token: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret never reaches a log or an error message.
        f.debug_struct("Credentials")
            .field("access_key", &self.access_key)
            .finish_non_exhaustive()
    }
}

/// One request to sign.
pub struct Request<'a> {
    /// `GET`, `PUT`, `HEAD`, `DELETE`.
    pub method: &'a str,
    /// The path as sent, already percent-encoded (`/bucket/key`).
    pub encoded_path: &'a str,
    /// Query parameters, not encoded.
    pub query: &'a [(&'a str, &'a str)],
    /// Headers to sign, names in lower case; `host`, `x-amz-date` and `x-amz-content-sha256`
    /// must be among them.
    pub headers: &'a [(&'a str, &'a str)],
    /// The body's SHA-256 in lower-case hex.
    pub payload_sha256: &'a str,
}

/// Percent-encodes `text` as SigV4 wants: everything but `A-Z a-z 0-9 - _ . ~` (and `/` when
/// `keep_slash`).
pub fn uri_encode(text: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        let unreserved = byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~');
        if unreserved || (keep_slash && byte == b'/') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The query string in SigV4's canonical order, which is also the one sent.
pub fn canonical_query(query: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| (uri_encode(k, false), uri_encode(v, false)))
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Lower-case hex of SHA-256.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    // HMAC accepts a key of any length, so this cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The `Authorization` header for `request`, made at `amz_date` (`YYYYMMDDTHHMMSSZ`) for
/// `region`.
pub fn authorization(
    credentials: &Credentials,
    region: &str,
    amz_date: &str,
    request: &Request<'_>,
) -> String {
    let mut headers: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    headers.sort();
    let canonical_headers: String = headers
        .iter()
        .map(|(name, value)| format!("{name}:{value}\n"))
        .collect();
    let signed_headers = headers
        .iter()
        .map(|(name, _)| name.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        request.method,
        request.encoded_path,
        canonical_query(request.query),
        canonical_headers,
        signed_headers,
        request.payload_sha256
    );
    let day = amz_date.get(..8).unwrap_or(amz_date);
    let scope = format!("{day}/{region}/s3/aws4_request");
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        sha256_hex(canonical_request.as_bytes())
    );
    let key = hmac(format!("AWS4{}", credentials.secret_key).as_bytes(), day);
    let key = hmac(&key, region);
    let key = hmac(&key, "s3");
    let key = hmac(&key, "aws4_request");
    let signature = hex(&hmac(&key, &string_to_sign));
    format!(
        "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
        credentials.access_key
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AWS's own worked example ("Example: GET Object") from the SigV4 header documentation.
    #[test]
    fn the_documented_get_object_example_signs_to_the_documented_signature() {
        let credentials = Credentials {
            access_key: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
            session_token: None,
        };
        let header = authorization(
            &credentials,
            "us-east-1",
            "20130524T000000Z",
            &Request {
                method: "GET",
                encoded_path: "/test.txt",
                query: &[],
                headers: &[
                    ("host", "examplebucket.s3.amazonaws.com"),
                    ("range", "bytes=0-9"),
                    ("x-amz-content-sha256", EMPTY_SHA256),
                    ("x-amz-date", "20130524T000000Z"),
                ],
                payload_sha256: EMPTY_SHA256,
            },
        );
        assert_eq!(
            header,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
             SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, \
             Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        );
    }

    /// AWS's worked example "Example: List Objects" (a signed query string).
    #[test]
    fn the_documented_list_objects_example_signs_to_the_documented_signature() {
        let credentials = Credentials {
            access_key: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
            session_token: None,
        };
        let header = authorization(
            &credentials,
            "us-east-1",
            "20130524T000000Z",
            &Request {
                method: "GET",
                encoded_path: "/",
                query: &[("prefix", "J"), ("max-keys", "2")],
                headers: &[
                    ("host", "examplebucket.s3.amazonaws.com"),
                    ("x-amz-content-sha256", EMPTY_SHA256),
                    ("x-amz-date", "20130524T000000Z"),
                ],
                payload_sha256: EMPTY_SHA256,
            },
        );
        assert!(
            header.ends_with(
                "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"
            ),
            "{header}"
        );
    }

    #[test]
    fn keys_and_queries_are_encoded_the_way_sigv4_wants() {
        assert_eq!(uri_encode("a b/c~d", true), "a%20b/c~d");
        assert_eq!(uri_encode("a/b", false), "a%2Fb");
        assert_eq!(
            canonical_query(&[("prefix", "x/y"), ("list-type", "2")]),
            "list-type=2&prefix=x%2Fy"
        );
        assert_eq!(canonical_query(&[("object-lock", "")]), "object-lock=");
    }
}
