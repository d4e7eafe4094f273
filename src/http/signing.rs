//! Verification of the Huawei Cloud SDKs' AK/SK request signatures (`SDK-HMAC-SHA256`), pure (no I/O).
//!
//! The rules follow the official SDK's `Signer` (Python `huaweicloudsdkcore/signer/signer.py`):
//!
//! * **Canonical URI**: the raw path is percent-decoded whole (so `%2F` becomes a separator), split
//!   on `/`, each segment percent-encoded again (everything but `A-Z a-z 0-9 _ . - ~`, as UTF-8,
//!   upper-case hex), joined with `/`, and given a trailing `/` if it has none.
//! * **Canonical query**: `key=value` pairs, each side percent-decoded then re-encoded as above, sorted
//!   by (key, value), repeated keys kept, joined with `&`. `+` is a literal plus, not a space.
//! * **Canonical headers**: exactly the names in `SignedHeaders`, in that order, `name:value\n` with the
//!   value trimmed; then a blank line, the `;`-joined names, and the payload hash.
//! * **Payload hash**: hex SHA-256 of the body; the hash of nothing when the body is empty.
//! * **String to sign**: `SDK-HMAC-SHA256\n<X-Sdk-Date>\n<hex SHA-256 of the canonical request>`,
//!   signed with HMAC-SHA256 keyed by the SK's UTF-8 bytes.

use hmac::{Hmac, KeyInit, Mac};
use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// The algorithm name that opens the string to sign and the `Authorization` header.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";

/// The header that carries the signing time, `YYYYMMDDTHHMMSSZ` in UTC.
pub const DATE_HEADER: &str = "x-sdk-date";

/// How far `X-Sdk-Date` may be from the server clock, in either direction (15 minutes).
pub const MAX_CLOCK_SKEW: SignedDuration = SignedDuration::from_mins(15);

/// Hex SHA-256 of the empty body.
const EMPTY_BODY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// The header the SDK uses to announce the body's hash instead of letting the server compute it.
const CONTENT_SHA256_HEADER: &str = "x-sdk-content-sha256";

/// Headers a request must sign to be accepted: the time (against replay later) and the host.
const REQUIRED_SIGNED_HEADERS: [&str; 2] = [DATE_HEADER, "host"];

/// An incoming request, as much of it as the signature covers.
#[derive(Debug, Clone, Copy)]
pub struct SignedRequest<'a> {
    /// The HTTP method, any case (`GET`, `post`).
    pub method: &'a str,
    /// The path as received, still percent-encoded, without the query (`/v1/p/secrets/a%2Fb`).
    pub path: &'a str,
    /// The query as received, still percent-encoded, without the `?`; empty when there is none.
    pub query: &'a str,
    /// Every header as (name, value), names in any case, values decoded as UTF-8.
    pub headers: &'a [(&'a str, &'a str)],
    /// The body bytes; empty when there is none.
    pub body: &'a [u8],
}

/// A secret access key (SK): the HMAC key, wiped on drop and never printed.
#[derive(Clone)]
pub struct SecretKey(Zeroizing<Vec<u8>>);

impl SecretKey {
    /// Copies an SK into wiped memory; its UTF-8 bytes are the HMAC key.
    pub fn new(sk: &str) -> Self {
        Self(Zeroizing::new(sk.as_bytes().to_vec()))
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

/// The parts of an `Authorization: SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…` header.
#[derive(Clone, PartialEq, Eq)]
pub struct Authorization<'a> {
    /// The access key (AK) naming the SK that signed.
    pub access_key: &'a str,
    /// The signed header names, in the order given (the SDK sends them lower-cased and sorted).
    pub signed_headers: Vec<&'a str>,
    /// The 32-byte HMAC the client computed.
    signature: [u8; 32],
}

impl std::fmt::Debug for Authorization<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authorization")
            .field("access_key", &self.access_key)
            .field("signed_headers", &self.signed_headers)
            .finish_non_exhaustive()
    }
}

/// Why a request's signature was refused. No message carries the SK or a signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// The request has no `Authorization` header.
    #[error("the request has no Authorization header")]
    MissingAuthorization,
    /// The `Authorization` header is not `SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…`.
    #[error("malformed Authorization header: {reason}")]
    MalformedAuthorization {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The request has no `X-Sdk-Date` header.
    #[error("the request has no X-Sdk-Date header")]
    MissingDate,
    /// `X-Sdk-Date` is not `YYYYMMDDTHHMMSSZ` or not a real UTC time.
    #[error("X-Sdk-Date is not a UTC time of the form YYYYMMDDTHHMMSSZ")]
    MalformedDate,
    /// `X-Sdk-Date` is more than [`MAX_CLOCK_SKEW`] away from the server clock.
    #[error("X-Sdk-Date is {skew_seconds} s from the server clock (at most 900 s allowed)")]
    DateOutOfWindow {
        /// Request time minus server time, in seconds (negative: the request is in the past).
        skew_seconds: i64,
    },
    /// A header the server insists on (`x-sdk-date`, `host`) is not in `SignedHeaders`.
    #[error("the {header} header is not among the signed headers")]
    HeaderNotSigned {
        /// The lower-case header name.
        header: &'static str,
    },
    /// A header named in `SignedHeaders` is absent from the request.
    #[error("the signed header {header} is missing from the request")]
    MissingSignedHeader {
        /// The header name as listed in `SignedHeaders`.
        header: String,
    },
    /// A header named in `SignedHeaders` occurs more than once, so its signed value is ambiguous.
    #[error("the signed header {header} occurs more than once")]
    DuplicateSignedHeader {
        /// The header name as listed in `SignedHeaders`.
        header: String,
    },
    /// `X-Sdk-Content-Sha256` does not match the body (e.g. `UNSIGNED-PAYLOAD`), so the body would
    /// go unauthenticated.
    #[error("X-Sdk-Content-Sha256 does not match the request body")]
    UnverifiedBody,
    /// No SK is known for the access key.
    #[error("unknown access key {access_key}")]
    UnknownAccessKey {
        /// The AK as sent (an identifier, not a secret).
        access_key: String,
    },
    /// The signature does not match the request under the AK's SK.
    #[error("the request signature does not match")]
    BadSignature,
}

/// Parses an `Authorization` header value.
///
/// The three fields may come in any order, separated by commas with optional spaces; the signature
/// must be 64 hex digits.
///
/// # Errors
/// [`AuthError::MalformedAuthorization`] for another algorithm, a missing, repeated, empty or unknown
/// field, or a signature that is not 64 hex digits.
pub fn parse_authorization(value: &str) -> Result<Authorization<'_>, AuthError> {
    let malformed = |reason| AuthError::MalformedAuthorization { reason };
    let rest = value
        .trim()
        .strip_prefix(ALGORITHM)
        .and_then(|rest| rest.strip_prefix(' '))
        .ok_or(malformed("not SDK-HMAC-SHA256"))?;
    let (mut access, mut signed, mut signature) = (None, None, None);
    for field in rest.split(',') {
        let (name, value) = field
            .trim()
            .split_once('=')
            .ok_or(malformed("a field without '='"))?;
        let slot = match name {
            "Access" => &mut access,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            _ => return Err(malformed("an unknown field")),
        };
        if value.is_empty() {
            return Err(malformed("an empty field"));
        }
        if slot.replace(value).is_some() {
            return Err(malformed("a repeated field"));
        }
    }
    let access_key = access.ok_or(malformed("no Access"))?;
    let signed_headers: Vec<&str> = signed
        .ok_or(malformed("no SignedHeaders"))?
        .split(';')
        .collect();
    if signed_headers.iter().any(|name| name.is_empty()) {
        return Err(malformed("an empty name in SignedHeaders"));
    }
    let signature = decode_hex_32(signature.ok_or(malformed("no Signature"))?)
        .ok_or(malformed("Signature is not 64 hex digits"))?;
    Ok(Authorization {
        access_key,
        signed_headers,
        signature,
    })
}

/// The canonical request the signature covers.
///
/// # Errors
/// [`AuthError::MissingSignedHeader`] or [`AuthError::DuplicateSignedHeader`] when a name in
/// `signed_headers` occurs zero or several times in the request (names compare case-insensitively).
pub fn canonical_request(
    req: &SignedRequest<'_>,
    signed_headers: &[&str],
) -> Result<String, AuthError> {
    let mut headers = String::new();
    for &name in signed_headers {
        let mut values = req
            .headers
            .iter()
            .filter(|(candidate, _)| candidate.eq_ignore_ascii_case(name));
        let (_, value) = values
            .next()
            .ok_or_else(|| AuthError::MissingSignedHeader {
                header: name.to_owned(),
            })?;
        if values.next().is_some() {
            return Err(AuthError::DuplicateSignedHeader {
                header: name.to_owned(),
            });
        }
        headers.push_str(&name.to_ascii_lowercase());
        headers.push(':');
        headers.push_str(trim_python(value));
        headers.push('\n');
    }
    Ok(format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        req.method.to_ascii_uppercase(),
        canonical_uri(req.path),
        canonical_query(req.query),
        headers,
        signed_headers.join(";"),
        payload_hash(req.body),
    ))
}

/// The string to sign: the algorithm, the `X-Sdk-Date` value as sent, and the hex SHA-256 of the
/// canonical request, one per line.
pub fn string_to_sign(date: &str, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{date}\n{}",
        hex(&Sha256::digest(canonical_request.as_bytes()))
    )
}

/// The signature of `string_to_sign` under `sk`: lower-case hex HMAC-SHA256 (64 characters).
pub fn signature(sk: &SecretKey, string_to_sign: &str) -> String {
    hex(&mac(sk, string_to_sign))
}

/// The `Authorization` value a Huawei SDK sends for `req`, signed over `signed_headers` with the
/// `X-Sdk-Date` among `req.headers`: the client side of [`verify`], for the tests' and the
/// benchmark's clients.
///
/// # Errors
/// [`AuthError::MissingDate`] without an `X-Sdk-Date` header; as [`canonical_request`].
pub fn authorization(
    access_key: &str,
    sk: &SecretKey,
    req: &SignedRequest<'_>,
    signed_headers: &[&str],
) -> Result<String, AuthError> {
    let date = header(req, DATE_HEADER)
        .ok_or(AuthError::MissingDate)?
        .trim();
    let canonical = canonical_request(req, signed_headers)?;
    let signature = signature(sk, &string_to_sign(date, &canonical));
    Ok(format!(
        "{ALGORITHM} Access={access_key}, SignedHeaders={}, Signature={signature}",
        signed_headers.join(";")
    ))
}

/// Verifies a request signed by a Huawei Cloud SDK.
///
/// `secret_key_for` maps an AK to its SK; `now` is the server clock. Checks run cheapest first:
/// [`precheck`]'s (the `Authorization` header, `X-Sdk-Date`), the signed headers, the body hash,
/// the AK, then the signature (in constant time).
///
/// # Errors
/// One [`AuthError`] variant per refusal, as documented on each.
pub fn verify(
    req: &SignedRequest<'_>,
    secret_key_for: impl FnOnce(&str) -> Option<SecretKey>,
    now: Timestamp,
) -> Result<(), AuthError> {
    let (auth, date) = envelope(req, now)?;
    let canonical = canonical_request(req, &auth.signed_headers)?;
    if !req.body.is_empty()
        && header(req, CONTENT_SHA256_HEADER)
            .is_some_and(|announced| trim_python(announced) != hex(&Sha256::digest(req.body)))
    {
        return Err(AuthError::UnverifiedBody);
    }

    let sk = secret_key_for(auth.access_key).ok_or_else(|| AuthError::UnknownAccessKey {
        access_key: auth.access_key.to_owned(),
    })?;
    let expected = mac(&sk, &string_to_sign(date, &canonical));
    if bool::from(expected.ct_eq(&auth.signature)) {
        Ok(())
    } else {
        Err(AuthError::BadSignature)
    }
}

/// The checks that need neither the body nor the SK, so a server can make them before it reads
/// a body: the `Authorization` header parses, `X-Sdk-Date` is present, well-formed, signed and
/// within [`MAX_CLOCK_SKEW`] of `now`, the host is signed, and `known_access_key` knows the AK.
/// [`verify`] makes them all again.
///
/// # Errors
/// As [`verify`], but never `MissingSignedHeader`, `DuplicateSignedHeader`, `UnverifiedBody` or
/// `BadSignature`.
pub fn precheck(
    req: &SignedRequest<'_>,
    known_access_key: impl FnOnce(&str) -> bool,
    now: Timestamp,
) -> Result<(), AuthError> {
    let (auth, _) = envelope(req, now)?;
    if known_access_key(auth.access_key) {
        Ok(())
    } else {
        Err(AuthError::UnknownAccessKey {
            access_key: auth.access_key.to_owned(),
        })
    }
}

/// The parsed `Authorization` header and the `X-Sdk-Date` value, once both pass their checks.
fn envelope<'a>(
    req: &SignedRequest<'a>,
    now: Timestamp,
) -> Result<(Authorization<'a>, &'a str), AuthError> {
    let authorization = header(req, "authorization").ok_or(AuthError::MissingAuthorization)?;
    let auth = parse_authorization(authorization)?;
    let date = header(req, DATE_HEADER)
        .ok_or(AuthError::MissingDate)?
        .trim();
    let signed_at = parse_sdk_date(date).ok_or(AuthError::MalformedDate)?;
    let skew = signed_at.duration_since(now);
    if skew.abs() > MAX_CLOCK_SKEW {
        return Err(AuthError::DateOutOfWindow {
            skew_seconds: skew.as_secs(),
        });
    }
    for required in REQUIRED_SIGNED_HEADERS {
        if !auth
            .signed_headers
            .iter()
            .any(|name| name.eq_ignore_ascii_case(required))
        {
            return Err(AuthError::HeaderNotSigned { header: required });
        }
    }
    Ok((auth, date))
}

/// Parses `YYYYMMDDTHHMMSSZ` (UTC) strictly: 16 characters, digits where digits belong.
fn parse_sdk_date(value: &str) -> Option<Timestamp> {
    let bytes = value.as_bytes();
    if bytes.len() != 16 || bytes[8] != b'T' || bytes[15] != b'Z' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i16> {
        bytes[range].iter().try_fold(0i16, |acc, &b| {
            b.is_ascii_digit().then(|| acc * 10 + i16::from(b - b'0'))
        })
    };
    let small = |range| number(range).and_then(|n| i8::try_from(n).ok());
    let datetime = jiff::civil::DateTime::new(
        number(0..4)?,
        small(4..6)?,
        small(6..8)?,
        small(9..11)?,
        small(11..13)?,
        small(13..15)?,
        0,
    )
    .ok()?;
    jiff::tz::TimeZone::UTC.to_timestamp(datetime).ok()
}

/// The HMAC-SHA256 of `message` under `sk`.
fn mac(sk: &SecretKey, message: &str) -> [u8; 32] {
    // HMAC takes keys of any length, so this never falls back.
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(&sk.0) else {
        return [0; 32];
    };
    mac.update(message.as_bytes());
    mac.finalize().into_bytes().into()
}

/// The value of the only (or first) header called `name`, compared case-insensitively.
fn header<'a>(req: &SignedRequest<'a>, name: &str) -> Option<&'a str> {
    req.headers
        .iter()
        .find(|(candidate, _)| candidate.eq_ignore_ascii_case(name))
        .map(|&(_, value)| value)
}

/// The SDK's canonical URI: decode, split on `/`, re-encode each segment, end with `/`.
fn canonical_uri(raw_path: &str) -> String {
    let decoded = percent_decode(raw_path);
    let mut uri = decoded.split('/').map(encode).collect::<Vec<_>>().join("/");
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// The SDK's canonical query: decoded pairs sorted by (key, value), re-encoded, joined with `&`.
fn canonical_query(raw_query: &str) -> String {
    let mut pairs: Vec<(String, String)> = raw_query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key), percent_decode(value))
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(key, value)| format!("{}={}", encode(key), encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Hex SHA-256 of the body, or of nothing when it is empty.
fn payload_hash(body: &[u8]) -> String {
    if body.is_empty() {
        EMPTY_BODY_SHA256.to_owned()
    } else {
        hex(&Sha256::digest(body))
    }
}

/// Python's `urllib.parse.unquote`: `%XX` decoded, malformed escapes kept, bad UTF-8 replaced.
fn percent_decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| Some((hex_value(*bytes.get(i + 1)?)? << 4) | hex_value(*bytes.get(i + 2)?)?))
            .flatten();
        if let Some(byte) = escaped {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Python's `urllib.parse.quote(s, safe='~')`: all but `A-Z a-z 0-9 _ . - ~` as upper-case `%XX`.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'.' | b'-' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[usize::from(byte >> 4)]));
            out.push(char::from(b"0123456789ABCDEF"[usize::from(byte & 0x0f)]));
        }
    }
    out
}

/// Python's `str.strip()`: Unicode whitespace plus the ASCII separators `\x1c`–`\x1f`.
fn trim_python(value: &str) -> &str {
    value.trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

/// Lower-case hex.
fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, byte| {
            let _ = write!(out, "{byte:02x}");
            out
        })
}

/// The value of one hex digit, either case.
fn hex_value(digit: u8) -> Option<u8> {
    char::from(digit)
        .to_digit(16)
        .and_then(|value| u8::try_from(value).ok())
}

/// 64 hex digits (either case) as 32 bytes.
fn decode_hex_32(text: &str) -> Option<[u8; 32]> {
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (slot, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        *slot = (hex_value(pair[0])? << 4) | hex_value(pair[1])?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    //! Known answers computed once by the Python SDK's own `Signer` (`tests/fixtures/sdk_signing.py`),
    //! then every refusal.

    use super::*;

    const AK: &str = "HPUAEXAMPLEAK0000001";
    const SK: &str = "sk-example-0123456789abcdefghijklmnopqrstu";
    const DATE: &str = "20240501T120000Z";
    const HOST: &str = "127.0.0.1:8443";
    const JSON: &str = "application/json;charset=UTF-8";

    struct Fixture {
        method: &'static str,
        path: &'static str,
        query: &'static str,
        extra: &'static [(&'static str, &'static str)],
        body: &'static [u8],
        canonical: &'static str,
        string_to_sign: &'static str,
        signature: &'static str,
        signed_headers: &'static str,
    }

    const PATH_WITH_ENCODED_SLASH: Fixture = Fixture {
        method: "GET",
        path: "/v1/0123456789abcdef/secrets/team%2Fdb/versions/latest",
        query: "",
        extra: &[],
        body: b"",
        canonical: "GET\n/v1/0123456789abcdef/secrets/team/db/versions/latest/\n\ncontent-type:application/json;charset=UTF-8\nhost:127.0.0.1:8443\nx-sdk-date:20240501T120000Z\n\ncontent-type;host;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        string_to_sign: "SDK-HMAC-SHA256\n20240501T120000Z\n338a6a489e23fe36939f61931cd239ab799a2e3a41c1fa71a8229a595760d29c",
        signature: "93f56393ceeb4a20724ca9813f20f5a978b68b707b33c8a787ae0d40c85a10fc",
        signed_headers: "content-type;host;x-sdk-date",
    };

    const QUERY_REPEATED_KEYS_NON_ASCII: Fixture = Fixture {
        method: "GET",
        path: "/v1/0123456789abcdef/secrets",
        query: "limit=10&marker=&name=%E6%97%A5%E6%9C%AC%20%E8%AA%9E&tag=zeta&tag=%C3%A4lpha",
        extra: &[],
        body: b"",
        canonical: "GET\n/v1/0123456789abcdef/secrets/\nlimit=10&marker=&name=%E6%97%A5%E6%9C%AC%20%E8%AA%9E&tag=zeta&tag=%C3%A4lpha\ncontent-type:application/json;charset=UTF-8\nhost:127.0.0.1:8443\nx-sdk-date:20240501T120000Z\n\ncontent-type;host;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        string_to_sign: "SDK-HMAC-SHA256\n20240501T120000Z\n79e0e003fd5ff22b6708fe844fbeab74095d297602f1575cb13d8f950d432f05",
        signature: "957ebe363e9e8fdb738520bf3ae46fa00babb4faceb71d2bfa8a5240eec11430",
        signed_headers: "content-type;host;x-sdk-date",
    };

    const EMPTY_BODY_PUT: Fixture = Fixture {
        method: "PUT",
        path: "/v1/0123456789abcdef/secrets/db-password",
        query: "",
        extra: &[("X-Project-Id", "  0123456789abcdef  ")],
        body: b"",
        canonical: "PUT\n/v1/0123456789abcdef/secrets/db-password/\n\ncontent-type:application/json;charset=UTF-8\nhost:127.0.0.1:8443\nx-project-id:0123456789abcdef\nx-sdk-date:20240501T120000Z\n\ncontent-type;host;x-project-id;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        string_to_sign: "SDK-HMAC-SHA256\n20240501T120000Z\n4c4392e09b266d72c57a6f2949e31efb6f47fd3a2ca6d2cc6f80f79b60d31ad4",
        signature: "960108648302807d15571727eb4b578dc20d74ec542813cd0e54b0f9d90d2591",
        signed_headers: "content-type;host;x-project-id;x-sdk-date",
    };

    const DELETE_WITH_BODY: Fixture = Fixture {
        method: "DELETE",
        path: "/v1/0123456789abcdef/secrets/db-password/tags/action",
        query: "",
        extra: &[],
        body: br#"{"action": "delete", "tags": [{"key": "env"}]}"#,
        canonical: "DELETE\n/v1/0123456789abcdef/secrets/db-password/tags/action/\n\ncontent-type:application/json;charset=UTF-8\nhost:127.0.0.1:8443\nx-sdk-date:20240501T120000Z\n\ncontent-type;host;x-sdk-date\n04197b9a12aa865077911f27449ae4ca57c45ff449582c86c78dfc71d785f3bc",
        string_to_sign: "SDK-HMAC-SHA256\n20240501T120000Z\nbe7dc3d7a66a61de5847a194ace476351df0f6113253acc007f759c2d1badead",
        signature: "4604c0bd3707e4c16d2fad539c18afebab48fd0289b98992b711bbda9d4f19ae",
        signed_headers: "content-type;host;x-sdk-date",
    };

    const POST_CONTENT_LENGTH_ZERO: Fixture = Fixture {
        method: "POST",
        path: "/v1/0123456789abcdef/secrets/db-password/backup",
        query: "",
        extra: &[("Content-Length", "0")],
        body: b"",
        canonical: "POST\n/v1/0123456789abcdef/secrets/db-password/backup/\n\ncontent-length:0\ncontent-type:application/json;charset=UTF-8\nhost:127.0.0.1:8443\nx-sdk-date:20240501T120000Z\n\ncontent-length;content-type;host;x-sdk-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        string_to_sign: "SDK-HMAC-SHA256\n20240501T120000Z\nd1076d77c4141e5582ec80b83de6cab1b3c735ce7a3236689cacc956d836c4b6",
        signature: "03309b40390a278336c996d1b7930fba5da92578eee0b9524e2d6dd13d77fc77",
        signed_headers: "content-length;content-type;host;x-sdk-date",
    };

    const ALL: [&Fixture; 5] = [
        &PATH_WITH_ENCODED_SLASH,
        &QUERY_REPEATED_KEYS_NON_ASCII,
        &EMPTY_BODY_PUT,
        &DELETE_WITH_BODY,
        &POST_CONTENT_LENGTH_ZERO,
    ];

    fn sk() -> SecretKey {
        SecretKey::new(SK)
    }

    fn lookup(ak: &str) -> Option<SecretKey> {
        (ak == AK).then(sk)
    }

    fn fixture_authorization(f: &Fixture) -> String {
        format!(
            "SDK-HMAC-SHA256 Access={AK}, SignedHeaders={}, Signature={}",
            f.signed_headers, f.signature
        )
    }

    /// The fixture's headers as the SDK sends them, plus `Authorization` when given.
    fn headers(f: &Fixture, auth: Option<&str>) -> Vec<(String, String)> {
        let mut headers: Vec<(String, String)> =
            [("Content-Type", JSON), ("X-Sdk-Date", DATE), ("Host", HOST)]
                .iter()
                .chain(f.extra)
                .map(|&(name, value)| (name.to_owned(), value.to_owned()))
                .collect();
        if let Some(auth) = auth {
            headers.push(("Authorization".to_owned(), auth.to_owned()));
        }
        headers
    }

    fn check(
        f: &Fixture,
        query: &str,
        headers: &[(String, String)],
        body: &[u8],
        now: Timestamp,
    ) -> Result<(), AuthError> {
        let pairs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let req = SignedRequest {
            method: f.method,
            path: f.path,
            query,
            headers: &pairs,
            body,
        };
        verify(&req, lookup, now)
    }

    fn at(date: &str) -> Timestamp {
        parse_sdk_date(date).unwrap_or_else(|| panic!("{date} is a valid test date"))
    }

    fn verify_fixture(f: &Fixture, headers: &[(String, String)]) -> Result<(), AuthError> {
        check(f, f.query, headers, f.body, at(DATE))
    }

    #[test]
    fn canonical_request_string_to_sign_and_signature_match_the_python_sdk() {
        for f in ALL {
            let headers = headers(f, None);
            let pairs: Vec<(&str, &str)> = headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            let req = SignedRequest {
                method: f.method,
                path: f.path,
                query: f.query,
                headers: &pairs,
                body: f.body,
            };
            let signed: Vec<&str> = f.signed_headers.split(';').collect();
            let canonical = canonical_request(&req, &signed).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(canonical, f.canonical, "{}", f.path);
            let sts = string_to_sign(DATE, &canonical);
            assert_eq!(sts, f.string_to_sign, "{}", f.path);
            assert_eq!(signature(&sk(), &sts), f.signature, "{}", f.path);
            assert_eq!(
                authorization(AK, &sk(), &req, &signed),
                Ok(fixture_authorization(f)),
                "{}",
                f.path
            );
        }
    }

    #[test]
    fn every_sdk_fixture_verifies() {
        for f in ALL {
            assert_eq!(
                verify_fixture(f, &headers(f, Some(&fixture_authorization(f)))),
                Ok(()),
                "{}",
                f.path
            );
        }
    }

    #[test]
    fn query_order_and_spelling_on_the_wire_do_not_matter() {
        let f = &QUERY_REPEATED_KEYS_NON_ASCII;
        let reordered =
            "tag=%c3%a4lpha&name=%E6%97%A5%E6%9C%AC%20%E8%AA%9E&marker&tag=zeta&limit=10";
        assert_eq!(
            check(
                f,
                reordered,
                &headers(f, Some(&fixture_authorization(f))),
                b"",
                at(DATE)
            ),
            Ok(())
        );
    }

    #[test]
    fn canonical_uri_adds_the_slash_and_encodes_like_python_quote() {
        assert_eq!(canonical_uri("/"), "/");
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(canonical_uri("/v1/a b/c~d/"), "/v1/a%20b/c~d/");
        assert_eq!(canonical_uri("/v1/%zz/%E6%97%A5"), "/v1/%25zz/%E6%97%A5/");
        assert_eq!(canonical_query("a=1+2&b"), "a=1%2B2&b=");
    }

    #[test]
    fn a_tampered_request_is_a_bad_signature() {
        let f = &DELETE_WITH_BODY;
        let headers = headers(f, Some(&fixture_authorization(f)));
        assert_eq!(
            check(f, "", &headers, br#"{"action": "create"}"#, at(DATE)),
            Err(AuthError::BadSignature)
        );
        assert_eq!(
            check(f, "x=1", &headers, f.body, at(DATE)),
            Err(AuthError::BadSignature)
        );
        let wrong = fixture_authorization(f).replace(f.signature, &"0".repeat(64));
        assert_eq!(
            verify_fixture(f, &headers_with(f, &wrong)),
            Err(AuthError::BadSignature)
        );
    }

    fn headers_with(f: &Fixture, auth: &str) -> Vec<(String, String)> {
        headers(f, Some(auth))
    }

    #[test]
    fn missing_and_malformed_authorization_are_refused() {
        let f = &PATH_WITH_ENCODED_SLASH;
        assert_eq!(
            verify_fixture(f, &headers(f, None)),
            Err(AuthError::MissingAuthorization)
        );
        let good = fixture_authorization(f);
        for bad in [
            good.replace("SDK-HMAC-SHA256", "SDK-HMAC-SM3"),
            good.replace("Access=", "Key="),
            good.replace(", Signature=", ", SignedHeaders=host, Signature="),
            good.replace(&format!("Signature={}", f.signature), "Signature=xyz"),
            good.replace(&format!(", Signature={}", f.signature), ""),
            good.replace("content-type;", ";"),
            "SDK-HMAC-SHA256".to_owned(),
        ] {
            assert!(
                matches!(
                    verify_fixture(f, &headers_with(f, &bad)),
                    Err(AuthError::MalformedAuthorization { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn an_unknown_access_key_is_refused() {
        let f = &PATH_WITH_ENCODED_SLASH;
        let other = fixture_authorization(f).replace(AK, "SOMEONEELSE");
        assert_eq!(
            verify_fixture(f, &headers_with(f, &other)),
            Err(AuthError::UnknownAccessKey {
                access_key: "SOMEONEELSE".to_owned()
            })
        );
    }

    #[test]
    fn a_missing_or_malformed_date_is_refused() {
        let f = &PATH_WITH_ENCODED_SLASH;
        let mut headers = headers(f, Some(&fixture_authorization(f)));
        headers.retain(|(name, _)| name != "X-Sdk-Date");
        assert_eq!(verify_fixture(f, &headers), Err(AuthError::MissingDate));
        for bad in [
            "2024-05-01T12:00:00Z",
            "20240501T120000",
            "20241301T120000Z",
            "2024051T1200000Z",
        ] {
            let mut headers = headers.clone();
            headers.push(("X-Sdk-Date".to_owned(), bad.to_owned()));
            assert_eq!(
                verify_fixture(f, &headers),
                Err(AuthError::MalformedDate),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_date_must_be_within_fifteen_minutes_either_way() {
        let f = &PATH_WITH_ENCODED_SLASH;
        let headers = headers(f, Some(&fixture_authorization(f)));
        let signed_at = at(DATE);
        let fifteen = SignedDuration::from_mins(15);
        let second = SignedDuration::from_secs(1);
        for now in [signed_at + fifteen, signed_at - fifteen] {
            assert_eq!(check(f, "", &headers, b"", now), Ok(()));
        }
        assert_eq!(
            check(f, "", &headers, b"", signed_at + fifteen + second),
            Err(AuthError::DateOutOfWindow { skew_seconds: -901 })
        );
        assert_eq!(
            check(f, "", &headers, b"", signed_at - fifteen - second),
            Err(AuthError::DateOutOfWindow { skew_seconds: 901 })
        );
    }

    #[test]
    fn the_date_and_host_must_be_signed() {
        let f = &POST_CONTENT_LENGTH_ZERO;
        for (dropped, header) in [(";x-sdk-date", DATE_HEADER), (";host", "host")] {
            let auth = fixture_authorization(f).replace(dropped, "");
            assert_eq!(
                verify_fixture(f, &headers_with(f, &auth)),
                Err(AuthError::HeaderNotSigned { header })
            );
        }
    }

    #[test]
    fn signed_headers_must_occur_exactly_once() {
        let f = &POST_CONTENT_LENGTH_ZERO;
        let mut headers = headers(f, Some(&fixture_authorization(f)));
        headers.retain(|(name, _)| name != "Content-Length");
        assert_eq!(
            verify_fixture(f, &headers),
            Err(AuthError::MissingSignedHeader {
                header: "content-length".to_owned()
            })
        );
        headers.push(("content-length".to_owned(), "0".to_owned()));
        headers.push(("Content-Length".to_owned(), "0".to_owned()));
        assert_eq!(
            verify_fixture(f, &headers),
            Err(AuthError::DuplicateSignedHeader {
                header: "content-length".to_owned()
            })
        );
    }

    #[test]
    fn an_unsigned_payload_is_refused() {
        let f = &DELETE_WITH_BODY;
        let mut headers = headers(f, Some(&fixture_authorization(f)));
        headers.push((
            "X-Sdk-Content-Sha256".to_owned(),
            "UNSIGNED-PAYLOAD".to_owned(),
        ));
        assert_eq!(verify_fixture(f, &headers), Err(AuthError::UnverifiedBody));
    }

    #[test]
    fn refusals_and_debug_never_show_the_sk_or_the_signature() {
        let f = &DELETE_WITH_BODY;
        let errors = [
            AuthError::MissingAuthorization,
            AuthError::MalformedAuthorization { reason: "x" },
            AuthError::MissingDate,
            AuthError::MalformedDate,
            AuthError::DateOutOfWindow { skew_seconds: 901 },
            AuthError::HeaderNotSigned { header: "host" },
            AuthError::MissingSignedHeader {
                header: "a".to_owned(),
            },
            AuthError::DuplicateSignedHeader {
                header: "a".to_owned(),
            },
            AuthError::UnverifiedBody,
            AuthError::UnknownAccessKey {
                access_key: AK.to_owned(),
            },
            AuthError::BadSignature,
        ];
        let auth = fixture_authorization(f);
        let parsed = parse_authorization(&auth).unwrap_or_else(|e| panic!("{e}"));
        let shown = format!("{:?} {:?} {parsed:?}", sk(), errors)
            + &errors.iter().map(ToString::to_string).collect::<String>();
        assert!(!shown.contains(SK));
        assert!(!shown.contains(f.signature));
    }
}
