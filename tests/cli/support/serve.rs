//! What the `serve_*` tests share: `csvault serve` on a free loopback port over a [`TestVault`],
//! and a client that signs requests as the Huawei SDKs do.

use super::{PASSPHRASE, TestVault, bin};
use csvault::http::signing::{self, SecretKey, SignedRequest};
use hyper::http::{Method, Request};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const AK: &str = "TESTAK0000000000000A";
pub const SK: &str = "testSecretKey0123456789abcdefghijklmnopq";

impl TestVault {
    /// `csvault serve` with these extra arguments and environment, not yet read from.
    pub fn command(&self, args: &[&str], env: &[(&str, &str)]) -> Command {
        let mut cmd = Command::new(bin());
        cmd.args(["--vault", self.path.to_str().unwrap(), "serve"])
            .args(args)
            .env("CSVAULT_PASSPHRASE", PASSPHRASE)
            .env_remove("CSVAULT_SERVE_AK")
            .env_remove("CSVAULT_SERVE_SK")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Serves with the test AK/SK on a free loopback port.
    pub fn serve(&self) -> Server {
        Server::start(self.command(
            &["--listen", "127.0.0.1:0"],
            &[("CSVAULT_SERVE_AK", AK), ("CSVAULT_SERVE_SK", SK)],
        ))
    }
}

/// A running `csvault serve`; stopped with SIGTERM when dropped.
pub struct Server {
    pub child: Child,
    /// The first line, parsed.
    pub hello: Value,
    pub base: String,
    pub project_id: String,
    /// Everything the server wrote on stderr so far (drained by a thread, so logging never
    /// blocks the server).
    log: Arc<Mutex<String>>,
    drain: Option<std::thread::JoinHandle<()>>,
    /// Whether a test already sent a signal: then [`Server::stop`] only waits, since a second
    /// signal would stop the server at once (exit 1).
    signaled: AtomicBool,
}

impl Server {
    pub fn start(mut cmd: Command) -> Self {
        let mut child = cmd.spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let drain = drain(child.stderr.take().unwrap(), Arc::clone(&log));
        let hello: Value = serde_json::from_str(&line).unwrap_or_else(|e| {
            let _ = child.wait();
            panic!(
                "first line {line:?} is not JSON ({e}); stderr: {}",
                log.lock().unwrap()
            )
        });
        Self {
            base: hello["listening"].as_str().unwrap().to_owned(),
            project_id: hello["project_id"].as_str().unwrap().to_owned(),
            hello,
            child,
            log,
            drain: Some(drain),
            signaled: AtomicBool::new(false),
        }
    }

    /// A client signing with the test AK/SK.
    pub fn client(&self) -> Client {
        Client::new(&self.base, &self.project_id, AK, SK)
    }

    pub fn signal(&self, sig: &str) {
        self.signaled.store(true, Ordering::SeqCst);
        let ok = Command::new("kill")
            .args([&format!("-{sig}"), &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok);
    }

    /// SIGTERM (unless a signal was sent already), then the exit code and everything the server
    /// wrote on stderr.
    pub fn stop(mut self) -> (Option<i32>, String) {
        if !self.signaled.load(Ordering::SeqCst) {
            self.signal("TERM");
        }
        let status = wait_for(&mut self.child, Duration::from_mins(1));
        if let Some(drain) = self.drain.take() {
            drain.join().unwrap();
        }
        (status, self.log())
    }

    /// What the server has written on stderr so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// The address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.base.split("://").nth(1).unwrap().parse().unwrap()
    }

    /// The server process's resident memory (`VmRSS`), in bytes.
    pub fn resident_bytes(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let kib: u64 = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.trim().strip_suffix("kB"))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        kib * 1024
    }
}

/// Raises this process's soft limit of open files to at least `wanted` (as far as the hard limit
/// allows; servers started afterwards inherit it); the limit now.
pub fn allow_open_files(wanted: u64) -> u64 {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut limit = getrlimit(Resource::Nofile);
    let current = limit.current.unwrap_or(u64::MAX);
    if current >= wanted {
        return current;
    }
    let raised = limit.maximum.map_or(wanted, |max| max.min(wanted));
    limit.current = Some(raised);
    setrlimit(Resource::Nofile, limit).unwrap();
    raised
}

/// Reads one response off a raw connection: its status, or `None` if the server closed the
/// connection first.
pub fn read_response(stream: &mut TcpStream) -> Option<u16> {
    let mut head = Vec::new();
    let mut byte = [0u8];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return None,
        }
    }
    let head = String::from_utf8(head).unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let length: usize = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().unwrap())
        })
        .unwrap_or(0);
    let mut body = vec![0; length];
    stream.read_exact(&mut body).ok()?;
    Some(status)
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn drain(stderr: ChildStderr, log: Arc<Mutex<String>>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            let mut log = log.lock().unwrap();
            log.push_str(&line);
            log.push('\n');
        }
    })
}

/// Waits for the child to exit (or kills it after `limit`); its exit code.
pub fn wait_for(child: &mut Child, limit: Duration) -> Option<i32> {
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("the server did not stop within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A response: status and the body as JSON (`Null` for an empty body).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub content_type: Option<String>,
    pub request_id: Option<String>,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.body["error_code"].as_str().unwrap_or("")
    }

    /// Asserts 200 and returns the body.
    pub fn ok(self) -> Value {
        assert_eq!(self.status, 200, "{:?}", self.body);
        self.body
    }

    /// Asserts the error status and code.
    pub fn refused(&self, status: u16, code: &str) {
        assert_eq!(
            (self.status, self.code()),
            (status, code),
            "{:?}",
            self.body
        );
    }
}

/// Signs requests as the SDK does: `content-type;host;x-sdk-date` signed, `X-Sdk-Date` now.
pub struct Client {
    agent: ureq::Agent,
    host: String,
    base: String,
    pub project: String,
    pub ak: String,
    sk: SecretKey,
    /// Added to the signing time (seconds), to step out of the window.
    pub skew_seconds: i64,
}

impl Client {
    pub fn new(base: &str, project: &str, ak: &str, sk: &str) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .timeout_global(Some(Duration::from_mins(2)))
            .build()
            .into();
        Self {
            agent,
            host: base.split("://").nth(1).unwrap().to_owned(),
            base: base.to_owned(),
            project: project.to_owned(),
            ak: ak.to_owned(),
            sk: SecretKey::new(sk),
            skew_seconds: 0,
        }
    }

    /// `method` on `/v1/{project}/{rest}` (rest may carry a query) with `body` (`""`: none).
    pub fn call(&self, method: &str, rest: &str, body: &str) -> Answer {
        let path_and_query = format!("/v1/{}/{rest}", self.project);
        self.raw(method, &path_and_query, body.as_bytes(), true)
    }

    pub fn get(&self, rest: &str) -> Answer {
        self.call("GET", rest, "")
    }

    pub fn post(&self, rest: &str, body: &Value) -> Answer {
        self.call("POST", rest, &body.to_string())
    }

    pub fn put(&self, rest: &str, body: &Value) -> Answer {
        self.call("PUT", rest, &body.to_string())
    }

    /// Any path, signed (`sign`) or not.
    pub fn raw(&self, method: &str, path_and_query: &str, body: &[u8], sign: bool) -> Answer {
        let headers = if sign {
            let (path, query) = path_and_query
                .split_once('?')
                .unwrap_or((path_and_query, ""));
            self.signed_headers(method, path, query, body)
        } else {
            Vec::new()
        };
        self.send(method, path_and_query, &headers, body)
    }

    /// Sends exactly these headers (besides `Content-Type` and `Host`) and body.
    pub fn send(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(&'static str, String)],
        body: &[u8],
    ) -> Answer {
        let mut builder = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).unwrap())
            .uri(format!("{}{path_and_query}", self.base))
            .header("Content-Type", "application/json;charset=utf-8");
        for (name, value) in headers {
            builder = builder.header(*name, value);
        }
        let request = builder.body(body.to_vec()).unwrap();
        let mut response = self.agent.run(request).unwrap();
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        let content_type = header("content-type");
        let request_id = header("x-request-id");
        let text = response.body_mut().read_to_string().unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
        };
        Answer {
            status,
            body,
            content_type,
            request_id,
        }
    }

    /// Like [`Client::raw`], but a failed connection is `None` (the server is stopping).
    pub fn try_post(&self, rest: &str, body: &Value) -> Option<u16> {
        let path = format!("/v1/{}/{rest}", self.project);
        let body = body.to_string();
        let headers = self.signed_headers("POST", &path, "", body.as_bytes());
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri(format!("{}{path}", self.base))
            .header("Content-Type", "application/json;charset=utf-8");
        for (name, value) in &headers {
            builder = builder.header(*name, value);
        }
        let mut response = self
            .agent
            .run(builder.body(body.into_bytes()).unwrap())
            .ok()?;
        response.body_mut().read_to_string().ok()?;
        Some(response.status().as_u16())
    }

    /// A signed request as it goes on the wire (HTTP/1.1, keep-alive): its head, then `body`.
    pub fn wire(&self, method: &str, path: &str, body: &[u8]) -> Vec<u8> {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: \
             application/json;charset=utf-8\r\nContent-Length: {}\r\n",
            self.host,
            body.len()
        );
        for (name, value) in self.signed_headers(method, path, "", body) {
            head.extend([name, ": ", &value, "\r\n"]);
        }
        head.push_str("\r\n");
        let mut wire = head.into_bytes();
        wire.extend_from_slice(body);
        wire
    }

    /// Sends a signed request on a raw connection and reads its answer's status (`None`: the
    /// server closed the connection).
    pub fn exchange(&self, stream: &mut TcpStream, method: &str, path: &str) -> Option<u16> {
        stream.write_all(&self.wire(method, path, b"")).ok()?;
        read_response(stream)
    }

    /// `X-Sdk-Date` and `Authorization` for this request, as the SDK computes them.
    pub fn signed_headers(
        &self,
        method: &str,
        path: &str,
        query: &str,
        body: &[u8],
    ) -> Vec<(&'static str, String)> {
        let date = (jiff::Timestamp::now() + jiff::SignedDuration::from_secs(self.skew_seconds))
            .strftime("%Y%m%dT%H%M%SZ")
            .to_string();
        let headers = [
            ("content-type", "application/json;charset=utf-8"),
            ("host", self.host.as_str()),
            ("x-sdk-date", date.as_str()),
        ];
        let request = SignedRequest {
            method,
            path,
            query,
            headers: &headers,
            body,
        };
        let names = ["content-type", "host", "x-sdk-date"];
        let authorization = signing::authorization(&self.ak, &self.sk, &request, &names).unwrap();
        vec![("X-Sdk-Date", date), ("Authorization", authorization)]
    }
}

/// A create body with a text value.
pub fn create_body(name: &str, value: &str) -> Value {
    serde_json::json!({ "name": name, "secret_string": value })
}
