//! The client's failures and their words: a remote's refusal read from its answer, the clock
//! check on a 401/403, and the `SYNC.*` errors. No message carries a value, an SK or a signature.

use serde::Deserialize;
use std::error::Error;
use std::time::Duration;

use super::transport::Reply;
use crate::csms::{ApiError, ErrorCode};
use crate::http::signing::MAX_CLOCK_SKEW;

/// Why a request did not succeed.
#[derive(Debug)]
pub enum Fail {
    /// The remote answered 4xx (not 429) with its code and message (`SYNC.0002` once given up).
    Refused {
        status: u16,
        code: String,
        msg: String,
    },
    /// A create that may have arrived: the caller must look before sending it again.
    Unknown(String),
    /// Final (`SYNC.0001`, `SYNC.0003`, `SYNC.0004`, `SYNC.0005`).
    Fatal(ApiError),
}

impl Fail {
    /// Whether the remote refused with `code` (such as `CSMS.0106`, no such secret).
    pub fn is(&self, code: &str) -> bool {
        matches!(self, Self::Refused { code: c, .. } if c == code)
    }
}

impl From<Fail> for ApiError {
    fn from(fail: Fail) -> Self {
        match fail {
            Fail::Refused { status, code, msg } if code.is_empty() => ApiError::new(
                ErrorCode::RemoteRefused,
                format!("The remote refused the request (HTTP {status}): {msg}"),
            ),
            Fail::Refused { status, code, msg } => ApiError::new(
                ErrorCode::RemoteRefused,
                format!("The remote refused the request (HTTP {status}): {code} {msg}"),
            ),
            Fail::Unknown(why) => ApiError::new(
                ErrorCode::RemoteUnreachable,
                format!("The remote did not confirm a create ({why}); run again to finish."),
            ),
            Fail::Fatal(e) => e,
        }
    }
}

/// The error body, flat (`{"error_code","error_msg"}`) or nested (`{"error": {…}}`).
#[derive(Default, Deserialize)]
#[serde(default)]
struct ErrorBody {
    error_code: Option<String>,
    error_msg: Option<String>,
    error: Option<Box<ErrorBody>>,
}

/// The longest remote message quoted, in characters.
const MAX_QUOTED_CHARS: usize = 300;

/// The API gateway's codes for a request whose credentials were refused: the IAM signature
/// (AK/SK), app, generic authentication and token codes, under the gateway's current prefix
/// (`APIGW.`, which `csvault serve` sends too) and its older one (`APIG.`). A 403 carrying one is
/// the AK/SK; any other 403 (an IAM policy denying the operation) is the remote's refusal.
const CREDENTIAL_CODES: [&str; 8] = [
    "APIGW.0301",
    "APIGW.0303",
    "APIGW.0305",
    "APIGW.0307",
    "APIG.0301",
    "APIG.0303",
    "APIG.0305",
    "APIG.0307",
];

/// A 4xx answer (not 429) as a [`Fail`]: a 401, or a 403 with a gateway credential code
/// ([`CREDENTIAL_CODES`]), is the AK/SK or the clock (fatal); any other (a 403 for a missing
/// permission included) is the remote's code and message.
pub fn refused(reply: &Reply) -> Fail {
    let parsed: ErrorBody = serde_json::from_slice(&reply.body).unwrap_or_default();
    let (code, msg) = match parsed.error {
        Some(inner) if inner.error_code.is_some() => (inner.error_code, inner.error_msg),
        _ => (parsed.error_code, parsed.error_msg),
    };
    let code = code.unwrap_or_else(|| format!("HTTP {}", reply.status));
    let msg: String = msg
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_QUOTED_CHARS)
        .collect();
    let credentials =
        reply.status == 401 || (reply.status == 403 && CREDENTIAL_CODES.contains(&code.as_str()));
    if credentials {
        if let Some(skew) = clock_skew(reply.date.as_deref(), &msg)
            && skew.unsigned_abs() > MAX_CLOCK_SKEW.as_secs().unsigned_abs()
        {
            return Fail::Fatal(ApiError::new(
                ErrorCode::ClockSkew,
                format!(
                    "The remote refused the request's time: this clock and the remote's differ by {} s (at most {} s allowed); set this machine's clock right.",
                    skew.unsigned_abs(),
                    MAX_CLOCK_SKEW.as_secs()
                ),
            ));
        }
        return Fail::Fatal(ApiError::new(
            ErrorCode::RemoteAuth,
            format!("The remote refused the AK/SK: {code} {msg}"),
        ));
    }
    Fail::Refused {
        status: reply.status,
        code,
        msg,
    }
}

/// A 3xx answer: refused, not followed (the request was signed for this endpoint, and its body
/// may hold a value); the remote's `SYNC.0002` names where it points, so the user can give that
/// endpoint if it is right.
pub fn redirected(reply: &Reply) -> Fail {
    let target: String = reply
        .location
        .as_deref()
        .unwrap_or("nowhere it named")
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_QUOTED_CHARS)
        .collect();
    Fail::Refused {
        status: reply.status,
        code: String::new(),
        msg: format!(
            "the remote redirected to {target}; redirects are not followed: if that is the right endpoint, remove the remote and add it again with the endpoint it names"
        ),
    }
}

/// This clock minus the remote's, in seconds, from the remote's message (csvault serve's
/// `X-Sdk-Date is N s from the server clock`) or else its `Date` header.
fn clock_skew(date: Option<&str>, msg: &str) -> Option<i64> {
    if let Some(rest) = msg.split("X-Sdk-Date is ").nth(1)
        && let Some(n) = rest.split(" s from").next()
        && let Ok(n) = n.trim().parse::<i64>()
    {
        return Some(n);
    }
    let theirs = jiff::fmt::rfc2822::parse(date?.trim()).ok()?.timestamp();
    Some(jiff::Timestamp::now().as_second() - theirs.as_second())
}

/// `SYNC.0001`: `base`'s host name does not resolve (`why`: the resolver's error chain).
pub fn unresolved(base: &str, why: &str) -> ApiError {
    ApiError::new(
        ErrorCode::RemoteUnreachable,
        format!(
            "The remote {base} could not be reached: its host name does not resolve ({why}). Check the endpoint (remote list) and the network."
        ),
    )
}

/// Retries used up.
pub fn gave_up(base: &str, attempts: u32, spent: Duration, last: &str) -> ApiError {
    ApiError::new(
        ErrorCode::RemoteUnreachable,
        format!(
            "The remote {base} could not be reached: gave up after {attempts} attempts in {} s; the last: {last}.",
            spent.as_secs()
        ),
    )
}

/// TLS refused the connection (an untrusted certificate, a name mismatch): not retried.
pub fn tls(base: &str, why: &str) -> ApiError {
    ApiError::new(
        ErrorCode::RemoteUnreachable,
        format!(
            "The remote {base} failed the TLS handshake: {why}. If it uses its own CA, give its certificate with `remote add --ca-file`."
        ),
    )
}

/// A request this client could not make (a bug, not the remote's doing).
pub fn internal(why: &str) -> ApiError {
    ApiError::new(
        ErrorCode::RemoteUnreachable,
        format!("The request could not be made: {why}."),
    )
}

/// The TLS error in `e`'s chain, if TLS is why it failed (looking inside I/O errors, which
/// wrap it, at any depth).
pub fn tls_problem(e: &(dyn Error + 'static)) -> Option<String> {
    if let Some(tls) = e.downcast_ref::<rustls::Error>() {
        return Some(tls.to_string());
    }
    if let Some(io) = e.downcast_ref::<std::io::Error>()
        && let Some(inner) = io.get_ref()
        && let Some(found) = tls_problem(inner)
    {
        return Some(found);
    }
    e.source().and_then(tls_problem)
}

/// `e` and its causes, joined with `: ` (connection errors carry no secret).
pub fn chain(e: &(dyn Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut next = e.source();
    while let Some(err) = next {
        let part = err.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        next = err.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeroize::Zeroizing;

    fn reply(status: u16, date: Option<&str>, body: &str) -> Reply {
        Reply {
            status,
            retry_after: None,
            date: date.map(str::to_owned),
            location: None,
            body: Zeroizing::new(body.as_bytes().to_vec()),
        }
    }

    fn code(fail: Fail) -> &'static str {
        ApiError::from(fail).code.as_str()
    }

    #[test]
    fn a_refused_signature_is_the_clock_only_when_the_clocks_differ_by_more_than_15_minutes() {
        let serve = r#"{"error_code":"APIGW.0301","error_msg":"X-Sdk-Date is -3600 s from the server clock (at most 900 s allowed)"}"#;
        let skew = ApiError::from(refused(&reply(401, None, serve)));
        assert_eq!(skew.code, ErrorCode::ClockSkew);
        assert!(skew.error_msg.contains("3600 s"), "{}", skew.error_msg);
        let now = jiff::Timestamp::now();
        let hours_ago = now - jiff::SignedDuration::from_hours(2);
        let date = hours_ago.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string();
        let bad =
            r#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information"}"#;
        assert_eq!(code(refused(&reply(401, Some(&date), bad))), "SYNC.0004");
        let date_now = now.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string();
        let wrong_sk = ApiError::from(refused(&reply(403, Some(&date_now), bad)));
        assert_eq!(wrong_sk.code, ErrorCode::RemoteAuth);
        assert!(
            wrong_sk
                .error_msg
                .starts_with("The remote refused the AK/SK: APIGW.0301")
        );
    }

    #[test]
    fn a_403_is_the_ak_sk_only_with_a_gateway_credential_code() {
        let gateway =
            r#"{"error_code":"APIGW.0305","error_msg":"Incorrect authentication information"}"#;
        assert_eq!(code(refused(&reply(403, None, gateway))), "SYNC.0003");
        let older = r#"{"error_code":"APIG.0301","error_msg":"ak not exist"}"#;
        assert_eq!(code(refused(&reply(403, None, older))), "SYNC.0003");
        assert_eq!(code(refused(&reply(401, None, ""))), "SYNC.0003", "any 401");
        let denied = r#"{"error_code":"CSMS.0403","error_msg":"Policy doesn't allow csms:secret:create to be performed."}"#;
        let fail = refused(&reply(403, None, denied));
        assert!(
            matches!(fail, Fail::Refused { status: 403, .. }),
            "not fatal: {fail:?}"
        );
        let e = ApiError::from(fail);
        assert_eq!(e.code, ErrorCode::RemoteRefused);
        assert!(
            e.error_msg
                .contains("CSMS.0403 Policy doesn't allow csms:secret:create"),
            "{}",
            e.error_msg
        );
        assert_eq!(code(refused(&reply(403, None, "<html>"))), "SYNC.0002");
    }

    #[test]
    fn other_refusals_quote_the_remotes_code_flat_or_nested() {
        let flat = refused(&reply(
            400,
            None,
            r#"{"error_code":"CSMS.0106","error_msg":"no"}"#,
        ));
        assert!(flat.is("CSMS.0106"));
        let nested = refused(&reply(
            400,
            None,
            r#"{"error":{"error_code":"TMS.0002","error_msg":"bad tag"}}"#,
        ));
        let e = ApiError::from(nested);
        assert_eq!(e.code, ErrorCode::RemoteRefused);
        assert!(e.error_msg.contains("TMS.0002 bad tag"), "{}", e.error_msg);
        assert!(refused(&reply(404, None, "<html>")).is("HTTP 404"));
    }
}
