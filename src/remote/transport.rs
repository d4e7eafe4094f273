//! Sending one CSMS request: signed with SDK-HMAC-SHA256, over a pooled keep-alive connection
//! (hyper, rustls), with the timeouts, the retries with backoff and the refusals' mapping to the
//! `SYNC.*` codes. Bodies that may hold values go out and come back in wiped buffers.

use bytes::Buf;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, SizeHint};
use hyper::{Method, Request};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

use super::Endpoint;
use super::refusal::{self, Fail};
use crate::csms::ApiError;
use crate::http::signing::{self, SecretKey, SignedRequest};

/// How long a connection (TCP and TLS) may take to open.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one request may take, from sending to the last byte of its answer.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Attempts of one request before it gives up (`SYNC.0001`).
pub const MAX_ATTEMPTS: u32 = 8;
/// Time after which no further attempt is started (`SYNC.0001`).
pub const GIVE_UP_AFTER: Duration = Duration::from_mins(1);
/// The first backoff; it doubles each attempt up to [`BACKOFF_CAP`], with jitter.
pub const BACKOFF_START: Duration = Duration::from_millis(200);
/// The longest backoff (a `Retry-After` may ask for more, up to [`GIVE_UP_AFTER`]).
pub const BACKOFF_CAP: Duration = Duration::from_secs(5);
/// How long an idle keep-alive connection is kept: below `csvault serve`'s 30 s, so the client
/// drops a connection before the server does rather than write into one being closed.
const POOL_IDLE: Duration = Duration::from_secs(20);
/// The largest answer read (a page of 1,000 secrets is well below it), in bytes.
const MAX_REPLY_BYTES: usize = 16 * 1024 * 1024;

/// What a request is, for the retry policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A read, or a write that sets something to a given state: retried freely.
    Idempotent,
    /// `CreateSecret` or `CreateSecretVersion`: never sent again blindly once it may have
    /// arrived ([`Fail::Unknown`]): the caller looks first.
    Create,
}

/// One request: method, path (percent-encoded, from `/`), query (encoded, without `?`) and the
/// JSON body, if any, in wiped memory.
pub struct Call {
    pub method: Method,
    pub path: String,
    pub query: String,
    pub body: Option<Arc<Zeroizing<Vec<u8>>>>,
    pub kind: Kind,
}

impl Call {
    pub fn get(path: String, query: String) -> Self {
        Self {
            method: Method::GET,
            path,
            query,
            body: None,
            kind: Kind::Idempotent,
        }
    }

    pub fn with_body(method: Method, path: String, body: Zeroizing<Vec<u8>>, kind: Kind) -> Self {
        Self {
            method,
            path,
            query: String::new(),
            body: Some(Arc::new(body)),
            kind,
        }
    }
}

/// An answer below 300 (or a refusal being mapped): its status, the headers the mapping reads
/// and its body in wiped memory.
pub struct Reply {
    pub status: u16,
    /// `Retry-After`, in whole seconds.
    pub retry_after: Option<Duration>,
    /// The `Date` header as sent.
    pub date: Option<String>,
    /// The `Location` header as sent (a redirect's target).
    pub location: Option<String>,
    pub body: Zeroizing<Vec<u8>>,
}

/// Upper-case hex digits.
const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Percent-encodes one path segment or query value (all but `A-Z a-z 0-9 _ . - ~`).
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

/// The signing HTTP client shared by every request to one remote (and its IAM endpoint).
pub struct Transport {
    client: Client<HttpsConnector<HttpConnector>, WipedBody>,
    access_key: String,
    secret_key: SecretKey,
}

impl Transport {
    /// A client trusting the system's roots and `ca_pem`, signing with `access_key`/`secret_key`.
    /// Nothing is connected yet.
    ///
    /// Errors: `SYNC.0005` for an unusable `ca_pem`.
    pub fn new(ca_pem: Option<&str>, access_key: &str, secret_key: &str) -> Result<Self, ApiError> {
        let tls = super::tls::client_config(ca_pem)?;
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(CONNECT_TIMEOUT));
        http.set_nodelay(true);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(Arc::unwrap_or_clone(tls))
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .pool_idle_timeout(POOL_IDLE)
            .pool_max_idle_per_host(super::PARALLEL_REQUESTS)
            .build(https);
        Ok(Self {
            client,
            access_key: access_key.to_owned(),
            secret_key: SecretKey::new(secret_key),
        })
    }

    /// Sends `call` to `to` until it is answered below 300, refused (3xx, never followed; 4xx
    /// other than 429), or the retries are used up. 429, 5xx and broken connections are retried with backoff
    /// ([`MAX_ATTEMPTS`], [`GIVE_UP_AFTER`]); a [`Kind::Create`] that may have arrived is not.
    ///
    /// Errors: [`Fail::Refused`] with the remote's code (or `HTTP 3xx` for a redirect), [`Fail::Unknown`] for a create whose fate
    /// is unknown, [`Fail::Fatal`] `SYNC.0001` (unreachable, TLS, retries used up), `SYNC.0003`,
    /// `SYNC.0004`.
    pub async fn send(&self, to: &Endpoint, call: &Call) -> Result<Reply, Fail> {
        let started = Instant::now();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let (wait, last) = match self.once(to, call).await {
                // A redirect is never followed: the signature and the body (which may hold a
                // value) are for this endpoint only.
                Ok(reply) if (300..400).contains(&reply.status) => {
                    return Err(refusal::redirected(&reply));
                }
                Ok(reply) if reply.status < 400 => return Ok(reply),
                Ok(reply) if reply.status == 429 => (reply.retry_after, "HTTP 429".to_owned()),
                Ok(reply) if reply.status >= 500 => {
                    let last = format!("HTTP {}", reply.status);
                    if call.kind == Kind::Create {
                        return Err(Fail::Unknown(last));
                    }
                    (reply.retry_after, last)
                }
                Ok(reply) => return Err(refusal::refused(&reply)),
                Err(Attempt::NotSent(why)) => (None, why),
                Err(Attempt::Maybe(why)) => {
                    if call.kind == Kind::Create {
                        return Err(Fail::Unknown(why));
                    }
                    (None, why)
                }
                Err(Attempt::Fatal(e)) => return Err(Fail::Fatal(e)),
            };
            let pause = backoff(attempt, wait);
            if attempt >= MAX_ATTEMPTS || started.elapsed() + pause > GIVE_UP_AFTER {
                return Err(Fail::Fatal(refusal::gave_up(
                    &to.base(),
                    attempt,
                    started.elapsed(),
                    &last,
                )));
            }
            tokio::time::sleep(pause).await;
        }
    }

    /// One attempt, signed now.
    async fn once(&self, to: &Endpoint, call: &Call) -> Result<Reply, Attempt> {
        let host = if (to.https && to.port == 443) || (!to.https && to.port == 80) {
            host_text(&to.host)
        } else {
            format!("{}:{}", host_text(&to.host), to.port)
        };
        let date = jiff::Timestamp::now()
            .strftime("%Y%m%dT%H%M%SZ")
            .to_string();
        let body: &[u8] = call.body.as_deref().map_or(&[], |b| b.as_slice());
        let content_type = "application/json;charset=UTF-8";
        let mut headers = vec![];
        if call.body.is_some() {
            headers.push(("content-type", content_type));
        }
        headers.push(("host", host.as_str()));
        headers.push((signing::DATE_HEADER, date.as_str()));
        let names: Vec<&str> = headers.iter().map(|(n, _)| *n).collect();
        let signed = SignedRequest {
            method: call.method.as_str(),
            path: &call.path,
            query: &call.query,
            headers: &headers,
            body,
        };
        let authorization =
            signing::authorization(&self.access_key, &self.secret_key, &signed, &names)
                .map_err(|e| Attempt::Fatal(refusal::internal(&e.to_string())))?;
        let uri = if call.query.is_empty() {
            format!("{}{}", to.base(), call.path)
        } else {
            format!("{}{}?{}", to.base(), call.path, call.query)
        };
        let mut builder = Request::builder()
            .method(call.method.clone())
            .uri(uri)
            .header("authorization", authorization);
        for (name, value) in &headers {
            builder = builder.header(*name, *value);
        }
        let request = builder
            .body(WipedBody(
                call.body.clone().map(|bytes| WipedChunk { bytes, pos: 0 }),
            ))
            .map_err(|e| Attempt::Fatal(refusal::internal(&e.to_string())))?;
        let exchange = async {
            let response = self.client.request(request).await.map_err(|e| {
                if let Some(tls) = refusal::tls_problem(&e) {
                    Attempt::Fatal(refusal::tls(&to.base(), &tls))
                } else if e.is_connect() {
                    let why = refusal::chain(&e);
                    // A name that does not exist is a typo: not worth 12 s of retries (a
                    // refused connection or a resolver's temporary failure is: retried).
                    if why.contains("dns error") && !why.contains("Temporary failure") {
                        Attempt::Fatal(refusal::unresolved(&to.base(), &why))
                    } else {
                        Attempt::NotSent(why)
                    }
                } else {
                    Attempt::Maybe(refusal::chain(&e))
                }
            })?;
            let status = response.status().as_u16();
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            let retry_after = header("retry-after")
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let date = header("date");
            let location = header("location");
            let body = read_body(response.into_body())
                .await
                .map_err(Attempt::Maybe)?;
            Ok(Reply {
                status,
                retry_after,
                date,
                location,
                body,
            })
        };
        tokio::time::timeout(REQUEST_TIMEOUT, exchange)
            .await
            .unwrap_or_else(|_| {
                Err(Attempt::Maybe(format!(
                    "no answer within {} s",
                    REQUEST_TIMEOUT.as_secs()
                )))
            })
    }
}

/// How one attempt failed before a status was read.
enum Attempt {
    /// Nothing reached the remote (the connection could not be made): safe to send again.
    NotSent(String),
    /// The request may have arrived (the connection broke, or no answer in time).
    Maybe(String),
    /// Not worth another attempt (TLS refused the certificate, a request that cannot be built).
    Fatal(ApiError),
}

/// The host as the `Host` header carries it: IPv6 in brackets.
fn host_text(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_owned()
    }
}

/// The pause before attempt `attempt + 1`: [`BACKOFF_START`] doubled per attempt up to
/// [`BACKOFF_CAP`], its second half random (jitter), or the remote's `Retry-After` if longer.
pub fn backoff(attempt: u32, retry_after: Option<Duration>) -> Duration {
    let base = BACKOFF_START
        .saturating_mul(1 << attempt.saturating_sub(1).min(16))
        .min(BACKOFF_CAP);
    let half = base / 2;
    let mut seed = [0u8; 4];
    let jitter = if getrandom::fill(&mut seed).is_ok() {
        let fraction = f64::from(u32::from_le_bytes(seed)) / f64::from(u32::MAX);
        half.mul_f64(fraction)
    } else {
        half
    };
    let pause = half + jitter;
    retry_after.map_or(pause, |asked| asked.max(pause))
}

/// Reads a whole answer into wiped memory (growing by copying into a bigger wiped buffer).
async fn read_body(mut body: hyper::body::Incoming) -> Result<Zeroizing<Vec<u8>>, String> {
    let mut out = Zeroizing::new(Vec::new());
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| refusal::chain(&e))?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        if out.len() + data.len() > MAX_REPLY_BYTES {
            return Err(format!("an answer over {MAX_REPLY_BYTES} bytes"));
        }
        if out.len() + data.len() > out.capacity() {
            let mut bigger = Zeroizing::new(Vec::with_capacity(
                (out.capacity() * 2).max(out.len() + data.len()),
            ));
            bigger.extend_from_slice(&out);
            out = bigger;
        }
        out.extend_from_slice(&data);
    }
    Ok(out)
}

/// A request body in wiped memory, shared by the attempts of one request.
pub struct WipedBody(Option<WipedChunk>);

/// The body's one chunk.
pub struct WipedChunk {
    bytes: Arc<Zeroizing<Vec<u8>>>,
    pos: usize,
}

impl Buf for WipedChunk {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    fn chunk(&self) -> &[u8] {
        &self.bytes[self.pos..]
    }

    fn advance(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.bytes.len());
    }
}

impl Body for WipedBody {
    type Data = WipedChunk;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<WipedChunk>, Infallible>>> {
        Poll::Ready(
            self.0
                .take()
                .filter(|c| c.remaining() > 0)
                .map(|c| Ok(Frame::data(c))),
        )
    }

    fn is_end_stream(&self) -> bool {
        self.0.as_ref().is_none_or(|c| c.remaining() == 0)
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.0.as_ref().map_or(0, |c| c.remaining() as u64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_200_ms_to_5_s_and_honours_retry_after() {
        for attempt in 1..=8 {
            let full = BACKOFF_START
                .saturating_mul(1 << (attempt - 1))
                .min(BACKOFF_CAP);
            let pause = backoff(attempt, None);
            assert!(
                pause >= full / 2 && pause <= full,
                "attempt {attempt}: {pause:?}"
            );
        }
        assert_eq!(
            backoff(1, Some(Duration::from_secs(7))),
            Duration::from_secs(7)
        );
    }

    #[test]
    fn segments_are_percent_encoded_like_the_signature_expects() {
        assert_eq!(encode("db-pass_1.v~"), "db-pass_1.v~");
        assert_eq!(encode("a b/c"), "a%20b%2Fc");
    }
}
