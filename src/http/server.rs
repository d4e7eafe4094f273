//! The endpoint's network side: listens (plain on loopback, TLS anywhere), gives each connection
//! a slot ([`Slots`]), reads each request whole, admits signed ones, hands them to the
//! [`Workers`], logs one line each, and on SIGTERM/SIGINT stops accepting, lets requests in
//! flight finish, and returns.
//!
//! Work done before a request's signature is checked is bounded: its head is at most
//! [`MAX_HEAD_BYTES`]; a body is read into a buffer that grows as it arrives (never sized by
//! `Content-Length`), and bodies over [`SMALL_BODY_BYTES`] (or of unknown length) are read at
//! most [`UNVERIFIED_BODIES`] at once, so knowing the access key (which is not secret) does not
//! make the server hold much memory.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body as _, Incoming};
use hyper::http::request::Parts;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode, header};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use jiff::Timestamp;
use rustls::ServerConfig;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;
use zeroize::{Zeroize, Zeroizing};

use super::auth::Credentials;
use super::log;
use super::refusal;
use super::reply::Reply;
use super::routes;
use super::slots::{HEAD_TIMEOUT, IDLE_TIMEOUT, Phase, Slot, Slots};
use super::workers::{self, Workers};
use crate::csms::ApiError;
use crate::vault::Vault;

/// The largest request body taken, in bytes (1 MiB); larger: 400 `CSMS.0004`.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// How long a client may take to send a request's body (waiting for a turn to be read included).
const BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// The largest request head (request line and headers) taken, in bytes (64 KiB): hyper's read
/// buffer, so also what a connection that has not finished its head can make the server hold.
const MAX_HEAD_BYTES: usize = 64 << 10;

/// A body whose `Content-Length` is at most this (64 KiB) is read at once; a larger one, or one
/// of unknown length, waits for one of the [`UNVERIFIED_BODIES`] turns.
const SMALL_BODY_BYTES: u64 = 64 << 10;

/// Large bodies read at once before their signature is checked.
const UNVERIFIED_BODIES: usize = 16;

/// How much of a path one log line shows, in bytes.
const LOGGED_PATH_BYTES: usize = 256;

/// How much of a request's method a log line shows, in bytes (the API's are at most 6).
const LOGGED_METHOD_BYTES: usize = 16;

/// How long requests in flight may take to finish once a stop is asked for.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// Reader handles, besides the one writer.
const READERS: usize = 4;

/// How much of a body over [`MAX_BODY_BYTES`] is read and thrown away so the client gets its
/// 400 instead of a reset connection (16 MiB); beyond it the connection is closed.
const DISCARD_LIMIT: usize = 16 << 20;

/// Where and how to listen.
pub struct ServeOptions {
    /// Bound by [`bind`] (before the vault is unlocked, so a taken port is said first).
    pub listener: std::net::TcpListener,
    /// TLS on every connection; required for an address other than loopback.
    pub tls: Option<Arc<ServerConfig>>,
}

struct State {
    workers: Workers,
    credentials: Credentials,
    /// Turns to read a large body whose signature is not yet checked.
    unverified_bodies: Semaphore,
}

/// Serves until SIGTERM or SIGINT. `on_listening` is called with the bound address once
/// connections are accepted (the caller announces it).
///
/// Errors: `VAULT.0007` when the runtime cannot start; the vault's errors opening its handles.
pub fn serve(
    vault: &Vault,
    options: ServeOptions,
    credentials: Credentials,
    on_listening: impl FnOnce(SocketAddr) -> Result<(), ApiError>,
) -> Result<(), ApiError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("csvault-serve")
        .build()
        .map_err(|e| refusal::cannot_start("start the server runtime", &e))?;
    // Watched from before the address is announced until the process goes.
    let mut stops = runtime.block_on(async { Stops::new() })?;
    let state = Arc::new(State {
        workers: Workers::start(vault, READERS)?,
        credentials,
        unverified_bodies: Semaphore::new(UNVERIFIED_BODIES),
    });
    runtime.block_on(async {
        let served = run(Arc::clone(&state), options, on_listening, &mut stops).await;
        // Every accepted write is committed (or refused) and answered before the process goes;
        // a signal meanwhile stops at once.
        let finishing = Arc::clone(&state);
        tokio::select! {
            _ = tokio::task::spawn_blocking(move || finishing.workers.finish()) => {}
            () = stops.next() => second_signal(),
        }
        served
    })
}

/// SIGTERM, SIGINT (Ctrl+C) and SIGHUP (the terminal closed): each asks the server to stop.
struct Stops {
    terminate: Signal,
    interrupt: Signal,
    hangup: Signal,
}

impl Stops {
    /// Errors: `VAULT.0007` when a handler cannot be installed.
    fn new() -> Result<Self, ApiError> {
        let watch =
            |kind| signal(kind).map_err(|e| refusal::cannot_start("watch for stop signals", &e));
        Ok(Self {
            terminate: watch(SignalKind::terminate())?,
            interrupt: watch(SignalKind::interrupt())?,
            hangup: watch(SignalKind::hangup())?,
        })
    }

    /// The next stop signal, whichever comes first.
    async fn next(&mut self) {
        tokio::select! {
            _ = self.terminate.recv() => {}
            _ = self.interrupt.recv() => {}
            _ = self.hangup.recv() => {}
        }
    }
}

/// Binds `listen`: `ADDR:PORT`, `HOST:PORT` (the first address it resolves to, IPv4 first) or a
/// bare port on 127.0.0.1; port 0 is any free port. Plain HTTP (`tls` false) only on loopback:
/// anywhere else the signatures, and the values in the bodies, would cross a network in clear.
///
/// Errors: `VAULT.0008` for an address that does not parse or resolve, or one off loopback without
/// TLS; `VAULT.0007` when it cannot be bound (a port in use says so).
pub fn bind(listen: &str, tls: bool) -> Result<std::net::TcpListener, ApiError> {
    use std::net::ToSocketAddrs;
    let mut addresses: Vec<SocketAddr> = match listen.parse::<u16>() {
        Ok(port) => vec![SocketAddr::from(([127, 0, 0, 1], port))],
        Err(_) => listen
            .to_socket_addrs()
            .map_err(|e| refusal::bad_listen(listen, &e))?
            .collect(),
    };
    addresses.sort_by_key(|a| !a.is_ipv4());
    let address = *addresses
        .first()
        .ok_or_else(|| refusal::bad_listen(listen, &"it resolves to no address"))?;
    if !tls && !address.ip().to_canonical().is_loopback() {
        return Err(refusal::needs_tls(address));
    }
    let listener =
        std::net::TcpListener::bind(address).map_err(|e| refusal::cannot_listen(address, &e))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| refusal::cannot_listen(address, &e))?;
    Ok(listener)
}

async fn run(
    state: Arc<State>,
    options: ServeOptions,
    on_listening: impl FnOnce(SocketAddr) -> Result<(), ApiError>,
    stops: &mut Stops,
) -> Result<(), ApiError> {
    let listener =
        TcpListener::from_std(options.listener).map_err(|e| refusal::cannot_start("listen", &e))?;
    let local = listener
        .local_addr()
        .map_err(|e| refusal::cannot_start("read the bound address", &e))?;
    on_listening(local)?;
    let tls = options.tls.map(TlsAcceptor::from);
    let graceful = GracefulShutdown::new();
    let slots = Slots::new();
    {
        let stop = stops.next();
        tokio::pin!(stop);
        loop {
            tokio::select! {
                () = slots.room() => {}
                () = &mut stop => break,
            }
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, peer)) => {
                        // At a cap with no connection to give way, the new one is closed.
                        let Some(slot) = slots.admit(peer.ip().to_canonical()) else {
                            continue;
                        };
                        let watcher = graceful.watcher();
                        let state = Arc::clone(&state);
                        let tls = tls.clone();
                        tokio::spawn(connection(stream, tls, state, watcher, slot));
                    }
                    // Out of file descriptors or a connection reset before accept: keep serving.
                    Err(e) => {
                        log::line(&format!("accept failed: {e}"));
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
                () = &mut stop => break,
            }
        }
    }
    drop(listener);
    state.workers.stopping();
    log::line(
        "stopping: no new connections; letting requests in flight finish \
         (a second signal stops at once)",
    );
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(DRAIN_TIMEOUT) => {
            log::line(
                "stopping: connections still open after 30 s will be closed; writes already \
                 queued are committed and answered first",
            );
        }
        () = stops.next() => second_signal(),
    }
    Ok(())
}

/// A second stop signal while draining: the user means it. Whatever was committed is in the
/// vault; requests still in flight get no answer.
fn second_signal() -> ! {
    log::line("second signal: stopping now, without waiting for requests in flight");
    log::flush();
    std::process::exit(1);
}

/// Serves one connection (keep-alive, HTTP/1.1) until the client closes it, a stop drains it, it
/// overstays its phase or its slot is taken for a new connection ([`guarded`]).
async fn connection(
    stream: TcpStream,
    tls: Option<TlsAcceptor>,
    state: Arc<State>,
    watcher: hyper_util::server::graceful::Watcher,
    slot: Slot,
) {
    let _ = stream.set_nodelay(true);
    let slot = Arc::new(slot);
    let service = {
        let slot = Arc::clone(&slot);
        service_fn(move |req| {
            let state = Arc::clone(&state);
            let slot = Arc::clone(&slot);
            async move { Ok::<_, Infallible>(handle(&state, slot, req).await) }
        })
    };
    let mut http = http1::Builder::new();
    // The slot closes a connection idle (or sending its next head) too long; hyper's own timer
    // is the same bound, kept as a second line.
    http.timer(TokioTimer::new())
        .header_read_timeout(IDLE_TIMEOUT)
        .max_buf_size(MAX_HEAD_BYTES);
    match tls {
        None => {
            let served = watcher.watch(http.serve_connection(TokioIo::new(stream), service));
            let _ = guarded(&slot, served).await;
        }
        Some(acceptor) => {
            let Some(Ok(stream)) = guarded(&slot, acceptor.accept(stream)).await else {
                return;
            };
            let served = watcher.watch(http.serve_connection(TokioIo::new(stream), service));
            let _ = guarded(&slot, served).await;
        }
    }
}

/// Runs `work` (a TLS handshake, a connection) until it ends; `None`, and `work` is dropped
/// (which closes the connection), when the slot is taken for a new connection or the connection
/// stays opening longer than [`HEAD_TIMEOUT`] or idle longer than [`IDLE_TIMEOUT`].
async fn guarded<F: Future>(slot: &Slot, work: F) -> Option<F::Output> {
    tokio::pin!(work);
    loop {
        // While a request is read or served, look again a little later.
        let check = slot
            .deadline()
            .unwrap_or_else(|| Instant::now() + HEAD_TIMEOUT);
        tokio::select! {
            biased;
            () = slot.taken() => return None,
            out = &mut work => return Some(out),
            () = tokio::time::sleep_until(check.into()) => {
                if slot.deadline().is_some_and(|d| d <= Instant::now()) {
                    return None;
                }
            }
        }
    }
}

async fn handle(state: &State, slot: Arc<Slot>, req: Request<Incoming>) -> Response<Answer> {
    let started = Instant::now();
    let request_id = uuid::Uuid::new_v4().simple().to_string();
    if !slot.enter(Phase::Reading) {
        // The connection was closed to make room; it is going, nothing is answered.
        return response(Reply::error(&refusal::made_room()), &request_id, true)
            .map(|body| Answer { body, slot: None });
    }
    let (parts, body) = req.into_parts();
    let (reply, close) = respond(state, &slot, &parts, body).await;
    log::line(&format!(
        "{} {} {}{}{} {:.1}ms {request_id}",
        // hyper takes extension methods of any length: cut like the path.
        log::cut(parts.method.as_str(), LOGGED_METHOD_BYTES),
        log::cut(parts.uri.path(), LOGGED_PATH_BYTES),
        reply.status,
        if reply.error_code.is_some() { " " } else { "" },
        reply.error_code.unwrap_or(""),
        started.elapsed().as_secs_f64() * 1000.0
    ));
    response(reply, &request_id, close).map(|body| Answer {
        body,
        slot: Some(slot),
    })
}

/// A response body that moves its connection to idle (so that it may give way to a new one)
/// only once hyper is done with it, not while the answer to a signed request is being sent.
pub struct Answer {
    body: Full<Bytes>,
    slot: Option<Arc<Slot>>,
}

impl hyper::body::Body for Answer {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, Infallible>>> {
        std::pin::Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.body.size_hint()
    }
}

impl Drop for Answer {
    fn drop(&mut self) {
        if let Some(slot) = self.slot.take() {
            slot.enter(Phase::Idle);
        }
    }
}

/// Signature envelope, body, signature, route, then the operation: the first refusal answers.
/// `true` with the reply when the connection must close after it: the body was left unread, or
/// the request was not signed with the endpoint's key (only signed clients keep a connection).
async fn respond(state: &State, slot: &Slot, parts: &Parts, body: Incoming) -> (Reply, bool) {
    if let Err(e) = state.credentials.precheck(parts, Timestamp::now()) {
        return (Reply::error(&e), true);
    }
    if announced_length(parts).is_some_and(|n| n > DISCARD_LIMIT) {
        return (Reply::error(&refusal::body_too_large(MAX_BODY_BYTES)), true);
    }
    let deadline = tokio::time::Instant::now() + BODY_TIMEOUT;
    // A large body (or one of unknown length) waits for a turn, held until its signature is
    // checked: only so many unverified bodies are in memory at once.
    let turn = if body
        .size_hint()
        .upper()
        .is_some_and(|n| n <= SMALL_BODY_BYTES)
    {
        None
    } else {
        match tokio::time::timeout_at(deadline, state.unverified_bodies.acquire()).await {
            Ok(Ok(turn)) => Some(turn),
            Ok(Err(_)) => return (Reply::error(&refusal::shutting_down()), true),
            Err(_) => {
                let busy = refusal::too_many_bodies(BODY_TIMEOUT.as_secs());
                return (Reply::error(&busy), true);
            }
        }
    };
    let body = match tokio::time::timeout_at(deadline, read_body(parts, body)).await {
        Ok(Ok(body)) => body,
        Ok(Err(e)) => return (Reply::error(&e), true),
        Err(_) => {
            let late = refusal::slow_body(BODY_TIMEOUT.as_secs());
            return (Reply::error(&late), true);
        }
    };
    if let Err(e) = state.credentials.admit(parts, &body, Timestamp::now()) {
        return (Reply::error(&e), true);
    }
    drop(turn);
    if !slot.enter(Phase::Serving) {
        // Closed to make room while the body was read: the request is not run.
        return (Reply::error(&refusal::made_room()), true);
    }
    let query = parts.uri.query().unwrap_or("");
    let operation = match routes::request(&parts.method, parts.uri.path(), query, &body) {
        Ok(operation) => operation,
        Err(e) => return (Reply::error(&e), false),
    };
    let body_bytes = body.len();
    // The body is wiped now; the operation holds what it needs (a value in wiped memory).
    drop(body);
    let reply = state
        .workers
        .run(workers::Request {
            operation,
            body_bytes,
        })
        .await;
    (reply, false)
}

/// The `Content-Length` the client announced, if any.
fn announced_length(parts: &Parts) -> Option<usize> {
    parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
}

/// The whole body, at most [`MAX_BODY_BYTES`], in wiped memory that grows as the body arrives
/// (not sized by what `Content-Length` claims); hyper's own chunks are wiped after copying where
/// nothing else holds them.
///
/// Errors: 400 `CSMS.0004` for a larger body (read and thrown away up to [`DISCARD_LIMIT`], so
/// the client reads the answer) or one that breaks off.
async fn read_body(parts: &Parts, mut body: Incoming) -> Result<Zeroizing<Vec<u8>>, ApiError> {
    let announced = announced_length(parts);
    let mut buf = Zeroizing::new(Vec::new());
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| refusal::unreadable_body(&e))?;
        let Ok(chunk) = frame.into_data() else {
            continue;
        };
        seen += chunk.len();
        if seen <= MAX_BODY_BYTES {
            append_wiped(&mut buf, &chunk);
        } else if seen > DISCARD_LIMIT {
            wipe(chunk);
            break;
        }
        wipe(chunk);
    }
    if seen > MAX_BODY_BYTES || announced.is_some_and(|n| n > MAX_BODY_BYTES) {
        return Err(refusal::body_too_large(MAX_BODY_BYTES));
    }
    Ok(buf)
}

/// Appends without leaving an unwiped copy behind: growing moves the bytes into a new wiped
/// buffer and the old one is wiped on drop.
fn append_wiped(buf: &mut Zeroizing<Vec<u8>>, bytes: &[u8]) {
    let needed = buf.len() + bytes.len();
    if needed > buf.capacity() {
        let mut grown = Zeroizing::new(Vec::with_capacity(needed.max(buf.capacity() * 2)));
        grown.extend_from_slice(buf);
        *buf = grown;
    }
    buf.extend_from_slice(bytes);
}

fn wipe(chunk: Bytes) {
    if let Ok(mut owned) = chunk.try_into_mut() {
        owned.as_mut().zeroize();
    }
}

/// A body hyper writes from the wiped buffer itself; the buffer is wiped when hyper drops it.
struct WipedBody(Zeroizing<Vec<u8>>);

impl AsRef<[u8]> for WipedBody {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// The HTTP response; `X-Request-Id` is what the SDKs report as an error's `request_id`, and
/// the log line ends with it.
fn response(reply: Reply, request_id: &str, close: bool) -> Response<Full<Bytes>> {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut builder = Response::builder()
        .status(status)
        .header("X-Request-Id", request_id);
    if close {
        // The rest of the request was not read: the connection cannot carry another one.
        builder = builder.header(header::CONNECTION, "close");
    }
    let body = match reply.body {
        Some(bytes) => {
            builder = builder.header(header::CONTENT_TYPE, "application/json;charset=utf-8");
            Bytes::from_owner(WipedBody(bytes))
        }
        None => Bytes::new(),
    };
    builder
        .body(Full::new(body))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}
