//! A 503 storm: a loopback HTTP/1.1 proxy (plain http, which the endpoint policy allows on
//! loopback) in front of a `csvault serve`. It answers `503 Service Unavailable` to the first
//! `first` requests, then to every 3rd request it has not refused before among the next
//! `window` (a client retrying 8 times gets through), and forwards everything else byte for
//! byte (the `Host` header too, so the signature still holds). A refused request never reaches the server, so a retry of it is the
//! only way it gets done.

use std::collections::HashSet;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const BODY_503: &str =
    r#"{"error_code":"CSMS.0503","error_msg":"Service unavailable (the test's proxy)."}"#;

/// What the proxy saw.
#[derive(Default)]
pub struct Counts {
    pub requests: AtomicUsize,
    pub refused: AtomicUsize,
    pub forwarded: AtomicUsize,
    /// What it could not handle (e.g. a chunked request body): must stay empty.
    pub problems: Mutex<Vec<String>>,
}

pub struct FlakyProxy {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    pub counts: Arc<Counts>,
}

struct Policy {
    first: usize,
    window: usize,
    /// Requests (method, path, body) refused once already in the window.
    refused: Mutex<HashSet<u64>>,
}

impl FlakyProxy {
    pub fn start(upstream: SocketAddr, first: usize, window: usize) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let counts = Arc::new(Counts::default());
        let policy = Arc::new(Policy {
            first,
            window,
            refused: Mutex::new(HashSet::new()),
        });
        let shared = Arc::clone(&counts);
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let (counts, policy) = (Arc::clone(&shared), Arc::clone(&policy));
                std::thread::spawn(move || connection(client, upstream, &counts, &policy));
            }
        });
        Self { url, counts }
    }

    pub fn refused(&self) -> usize {
        self.counts.refused.load(Ordering::SeqCst)
    }

    pub fn forwarded(&self) -> usize {
        self.counts.forwarded.load(Ordering::SeqCst)
    }

    pub fn problems(&self) -> Vec<String> {
        self.counts.problems.lock().unwrap().clone()
    }
}

/// One HTTP/1.1 message: its head (through the blank line) and its body.
struct Message {
    head: Vec<u8>,
    body: Vec<u8>,
}

impl Message {
    fn first_line(&self) -> String {
        String::from_utf8_lossy(&self.head)
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned()
    }
}

/// Reads one message; `None` at a clean end of the stream (or on an error).
fn read_message(r: &mut impl BufRead, counts: &Counts, bodiless: bool) -> Option<Message> {
    let mut head = Vec::new();
    let mut length = 0usize;
    loop {
        let mut line = Vec::new();
        if r.read_until(b'\n', &mut line).ok()? == 0 {
            return None;
        }
        head.extend_from_slice(&line);
        let text = String::from_utf8_lossy(&line).to_ascii_lowercase();
        if text == "\r\n" || text == "\n" {
            break;
        }
        if let Some(v) = text.strip_prefix("content-length:") {
            length = v.trim().parse().ok()?;
        }
        if text.starts_with("transfer-encoding:") {
            counts
                .problems
                .lock()
                .unwrap()
                .push(format!("transfer-encoding not handled: {}", text.trim()));
            return None;
        }
    }
    let mut body = vec![0; if bodiless { 0 } else { length }];
    r.read_exact(&mut body).ok()?;
    Some(Message { head, body })
}

fn connection(client: TcpStream, upstream: SocketAddr, counts: &Counts, policy: &Policy) {
    let Ok(mut to_client) = client.try_clone() else {
        return;
    };
    let mut from_client = BufReader::new(client);
    let mut server: Option<(TcpStream, BufReader<TcpStream>)> = None;
    while let Some(request) = read_message(&mut from_client, counts, false) {
        let n = counts.requests.fetch_add(1, Ordering::SeqCst);
        if refuse(n, &request, policy) {
            counts.refused.fetch_add(1, Ordering::SeqCst);
            let reply = format!(
                "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{BODY_503}",
                BODY_503.len()
            );
            if to_client.write_all(reply.as_bytes()).is_err() {
                return;
            }
            continue;
        }
        // Forward on the connection to the server (opened again if it was closed).
        let mut answered = None;
        for _ in 0..2 {
            if server.is_none() {
                let Ok(s) = TcpStream::connect(upstream) else {
                    break;
                };
                let Ok(reader) = s.try_clone() else { break };
                server = Some((s, BufReader::new(reader)));
            }
            let Some((s, reader)) = server.as_mut() else {
                break;
            };
            let sent = s
                .write_all(&request.head)
                .and_then(|()| s.write_all(&request.body));
            let head_only = request.first_line().starts_with("HEAD ");
            match sent
                .ok()
                .and_then(|()| read_message(reader, counts, head_only))
            {
                Some(reply) => {
                    answered = Some(reply);
                    break;
                }
                None => server = None,
            }
        }
        let Some(reply) = answered else {
            return; // the server is gone: the client sees a broken connection
        };
        counts.forwarded.fetch_add(1, Ordering::SeqCst);
        let no_body = reply.first_line().contains(" 204 ") || reply.first_line().contains(" 304 ");
        if to_client.write_all(&reply.head).is_err()
            || (!no_body && to_client.write_all(&reply.body).is_err())
        {
            return;
        }
    }
}

/// The first `first` requests; then, among the next `window`, every 3rd one not refused before
/// (so that no request is refused more than `first` + 1 times in a row).
fn refuse(n: usize, request: &Message, policy: &Policy) -> bool {
    let mut h = DefaultHasher::new();
    request.first_line().hash(&mut h);
    request.body.hash(&mut h);
    let id = h.finish();
    if n < policy.first {
        policy.refused.lock().unwrap().insert(id);
        return true;
    }
    if n >= policy.first + policy.window || !(n - policy.first).is_multiple_of(3) {
        return false;
    }
    policy.refused.lock().unwrap().insert(id)
}
