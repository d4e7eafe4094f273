//! Issue 9's serve figures: `csvault serve`, OpenBao's dev server (KV v2, in memory) and
//! `moto_server` (AWS Secrets Manager) driven by one load generator over 16 loopback keep-alive
//! connections: create N secrets with 64-byte values, then read each back and check the value.
//! Per server and phase: requests/s, p50 and p99 latency, failed requests; the servers' peak RSS;
//! the targets as ratios measured in the same run.
//!
//! Run: `benches/serve_setup.sh` once (installs the peers in target/serve-bench-venv), then
//! `cargo bench --bench serve`. Environment: `SERVE_BENCH_N` secrets per run (default 20000),
//! `SERVE_BENCH_RUNS` (default 3; each run starts every server afresh; the table shows medians),
//! `SERVE_BENCH_BAO` / `SERVE_BENCH_MOTO` (the peers' binaries, else the venv's), and
//! `SERVE_BENCH_ONLY=bao,moto` (a subset, for development; the default runs all three and fails if
//! one is missing). Without `--bench` (`cargo test --benches`) a small smoke version runs.
//!
//! One client thread (a current-thread tokio runtime) drives all servers, so the client's share of
//! the two cores is the same for each; signing csvault's requests (SDK-HMAC-SHA256, as the Huawei
//! SDKs do) is client work that only csvault's run pays.
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "a benchmark script: statistics over counts and durations far below 2^52"
)]

use bytes::Bytes;
use csvault::http::signing::{self, SecretKey, SignedRequest};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

type Res<T> = Result<T, String>;
type Body = Full<Bytes>;

/// Concurrent keep-alive connections, each doing requests back to back.
const CONNECTIONS: usize = 16;
/// Bytes in each secret value (printable ASCII).
const VALUE_LEN: usize = 64;
/// One request (connect included) taking longer than this is a failure.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// A phase stops sending after this long; what is left counts as failed.
const PHASE_DEADLINE: Duration = Duration::from_mins(15);
/// How long a server may take to start listening.
const STARTUP_DEADLINE: Duration = Duration::from_mins(1);

const PASSPHRASE: &str = "benchpass123";
/// 20 upper-case alphanumerics, like a Huawei Cloud AK.
const ACCESS_KEY: &str = "CSVBENCHAK0000000001";
/// 40 alphanumerics, like a Huawei Cloud SK.
const SECRET_KEY: &str = "csvbenchSK0123456789abcdefghijklmnopqrst";
/// What the Huawei SDKs sign on a request without extra headers, in their (sorted) order.
const SIGNED_HEADERS: [&str; 3] = ["content-type", "host", signing::DATE_HEADER];
const SDK_CONTENT_TYPE: &str = "application/json;charset=utf-8";
const BAO_TOKEN: &str = "root";
const AMZ_JSON: &str = "application/x-amz-json-1.1";
/// moto routes on the credential scope's service and region; it checks no signature by default.
const AWS_AUTHORIZATION: &str = "AWS4-HMAC-SHA256 \
    Credential=AKIDEXAMPLE/20240101/us-east-1/secretsmanager/aws4_request, \
    SignedHeaders=host, Signature=0";
const VENV_BIN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/target/serve-bench-venv/bin");
const SETUP_HINT: &str = "run benches/serve_setup.sh, or set SERVE_BENCH_BAO / SERVE_BENCH_MOTO";

// ---------------------------------------------------------------------------------------------
// Configuration

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Csvault,
    Bao,
    Moto,
}

impl Kind {
    const ALL: [Kind; 3] = [Kind::Csvault, Kind::Bao, Kind::Moto];

    fn name(self) -> &'static str {
        match self {
            Kind::Csvault => "csvault",
            Kind::Bao => "OpenBao",
            Kind::Moto => "moto",
        }
    }

    fn parse(word: &str) -> Res<Kind> {
        match word.trim() {
            "csvault" => Ok(Kind::Csvault),
            "bao" | "openbao" => Ok(Kind::Bao),
            "moto" => Ok(Kind::Moto),
            other => Err(format!(
                "SERVE_BENCH_ONLY: unknown server {other:?} (csvault, bao, moto)"
            )),
        }
    }
}

struct Config {
    secrets: usize,
    runs: usize,
    kinds: Vec<Kind>,
    /// The binary to start for each of `kinds`, in the same order.
    binaries: Vec<PathBuf>,
    /// `cargo bench`: the targets decide the exit status.
    full: bool,
}

impl Config {
    fn from_env() -> Res<Config> {
        let full = std::env::args().any(|a| a == "--bench");
        let (secrets, runs) = if full { (20_000, 3) } else { (200, 1) };
        let secrets = env_number("SERVE_BENCH_N", secrets)?;
        let runs = env_number("SERVE_BENCH_RUNS", runs)?;
        let kinds = match std::env::var("SERVE_BENCH_ONLY") {
            Ok(list) => list.split(',').map(Kind::parse).collect::<Res<Vec<_>>>()?,
            Err(_) => Kind::ALL.to_vec(),
        };
        let binaries = kinds.iter().map(|&k| binary(k)).collect::<Res<_>>()?;
        Ok(Config {
            secrets,
            runs,
            kinds,
            binaries,
            full,
        })
    }
}

fn env_number(name: &str, default: usize) -> Res<usize> {
    match std::env::var(name) {
        Ok(text) => match text.trim().parse() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!("{name}={text:?} is not a positive number")),
        },
        Err(_) => Ok(default),
    }
}

/// The binary a server runs from: csvault's own, a peer's from its variable or the venv.
fn binary(kind: Kind) -> Res<PathBuf> {
    let (var, name) = match kind {
        Kind::Csvault => return Ok(PathBuf::from(env!("CARGO_BIN_EXE_csvault"))),
        Kind::Bao => ("SERVE_BENCH_BAO", "bao"),
        Kind::Moto => ("SERVE_BENCH_MOTO", "moto_server"),
    };
    let path = std::env::var_os(var).map_or_else(|| Path::new(VENV_BIN).join(name), PathBuf::from);
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "{} is missing (no {}): {SETUP_HINT}",
            kind.name(),
            path.display()
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// The servers

/// How requests reach a server and what its answers look like.
enum Api {
    Csvault { project_id: String, key: SecretKey },
    Bao,
    Moto,
}

struct Target {
    api: Api,
    addr: SocketAddr,
    /// `127.0.0.1:PORT`, the `Host` header.
    host: String,
}

/// A started server, killed when dropped (so also when a run fails).
struct Server {
    child: Child,
    kind: Kind,
    log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Fails with the log's tail when the process has already exited.
    fn check_alive(&mut self) -> Res<()> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(format!(
                "{} exited ({status}) while starting; its log ends:\n{}",
                self.kind.name(),
                log_tail(&self.log)
            )),
            Err(e) => Err(format!("{}: {e}", self.kind.name())),
        }
    }
}

fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

fn log_file(dir: &Path, name: &str) -> Res<File> {
    File::create(dir.join(name)).map_err(|e| format!("{name}: {e}"))
}

fn free_port() -> Res<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

fn loopback(port: u16) -> Target {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    Target {
        api: Api::Bao,
        addr,
        host: addr.to_string(),
    }
}

async fn start(kind: Kind, binary: &Path, dir: &Path) -> Res<(Server, Target)> {
    match kind {
        Kind::Csvault => start_csvault(binary, dir),
        Kind::Bao => start_bao(binary, dir).await,
        Kind::Moto => start_moto(binary, dir).await,
    }
}

fn csvault_command(binary: &Path, vault: &Path) -> Command {
    let mut command = Command::new(binary);
    command
        .arg("--vault")
        .arg(vault)
        .env("CSVAULT_PASSPHRASE", PASSPHRASE)
        .env_remove("CSVAULT_PATH")
        .stdin(Stdio::null());
    command
}

/// `csvault init` a vault in `dir`, then `csvault serve` on a free port; its first stdout line
/// says where it listens.
fn start_csvault(binary: &Path, dir: &Path) -> Res<(Server, Target)> {
    let vault = dir.join("vault.db");
    let init = csvault_command(binary, &vault)
        .arg("init")
        .stdout(log_file(dir, "init.log")?)
        .stderr(log_file(dir, "init.err")?)
        .status()
        .map_err(|e| format!("csvault init: {e}"))?;
    if !init.success() {
        return Err(format!(
            "csvault init failed ({init}):\n{}",
            log_tail(&dir.join("init.err"))
        ));
    }
    let log = dir.join("serve.err");
    let child = csvault_command(binary, &vault)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("CSVAULT_SERVE_AK", ACCESS_KEY)
        .env("CSVAULT_SERVE_SK", SECRET_KEY)
        .stdout(Stdio::piped())
        .stderr(log_file(dir, "serve.err")?)
        .spawn()
        .map_err(|e| format!("csvault serve: {e}"))?;
    let mut server = Server {
        child,
        kind: Kind::Csvault,
        log,
    };
    let line = first_stdout_line(&mut server, &dir.join("serve.out"))?;
    let target = csvault_target(&line)?;
    Ok((server, target))
}

/// The first line the server prints; the rest of its stdout goes to `rest` (so it never blocks).
fn first_stdout_line(server: &mut Server, rest: &Path) -> Res<String> {
    let stdout = server.child.stdout.take().ok_or("no stdout pipe")?;
    let mut sink = File::create(rest).map_err(|e| e.to_string())?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let _ = reader.read_line(&mut line);
        let _ = tx.send(line);
        let _ = std::io::copy(&mut reader, &mut sink);
    });
    match rx.recv_timeout(STARTUP_DEADLINE) {
        Ok(line) if !line.is_empty() => Ok(line),
        _ => {
            server.check_alive()?;
            Err(format!(
                "csvault serve printed no line within {STARTUP_DEADLINE:?}"
            ))
        }
    }
}

/// Reads `{"listening":"http://127.0.0.1:PORT","project_id":"...","access_key":"..."}`.
fn csvault_target(line: &str) -> Res<Target> {
    let bad = |what: &str| format!("csvault serve's first line {what}: {line}");
    let json: Value = serde_json::from_str(line).map_err(|e| bad(&e.to_string()))?;
    let field = |name: &str| json.get(name).and_then(Value::as_str);
    let addr: SocketAddr = field("listening")
        .and_then(|url| url.strip_prefix("http://"))
        .and_then(|host| host.trim_end_matches('/').parse().ok())
        .ok_or_else(|| bad("has no listening http://IP:PORT"))?;
    let project_id = field("project_id").ok_or_else(|| bad("has no project_id"))?;
    if field("access_key") != Some(ACCESS_KEY) {
        return Err(bad("does not name the access key CSVAULT_SERVE_AK set"));
    }
    Ok(Target {
        api: Api::Csvault {
            project_id: project_id.to_owned(),
            key: SecretKey::new(SECRET_KEY),
        },
        addr,
        host: addr.to_string(),
    })
}

/// `bao server -dev` (KV v2 at `secret/`, in memory) on a free port.
async fn start_bao(binary: &Path, dir: &Path) -> Res<(Server, Target)> {
    let port = free_port()?;
    let mut command = Command::new(binary);
    command.args([
        "server",
        "-dev",
        &format!("-dev-root-token-id={BAO_TOKEN}"),
        &format!("-dev-listen-address=127.0.0.1:{port}"),
    ]);
    let target = loopback(port);
    let server = spawn_peer(Kind::Bao, command, dir)?;
    let probe = || Request::get("/v1/sys/health").header("Host", &target.host);
    wait_ready(server, &target, probe)
        .await
        .map(|s| (s, target))
}

/// `moto_server` on a free port.
async fn start_moto(binary: &Path, dir: &Path) -> Res<(Server, Target)> {
    let port = free_port()?;
    let mut command = Command::new(binary);
    command.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
    let mut target = loopback(port);
    target.api = Api::Moto;
    let server = spawn_peer(Kind::Moto, command, dir)?;
    let probe = || {
        Request::post("/")
            .header("Host", &target.host)
            .header("X-Amz-Target", "secretsmanager.ListSecrets")
            .header("Content-Type", AMZ_JSON)
            .header("Authorization", AWS_AUTHORIZATION)
    };
    wait_ready(server, &target, probe)
        .await
        .map(|s| (s, target))
}

fn spawn_peer(kind: Kind, mut command: Command, dir: &Path) -> Res<Server> {
    let log = dir.join(format!("{}.log", kind.name()));
    let out = File::create(&log).map_err(|e| e.to_string())?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    let child = command
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|e| format!("{}: {e} ({SETUP_HINT})", kind.name()))?;
    Ok(Server { child, kind, log })
}

/// Sends `probe` every 100 ms until it answers 200.
async fn wait_ready(
    mut server: Server,
    target: &Target,
    probe: impl Fn() -> hyper::http::request::Builder,
) -> Res<Server> {
    let deadline = Instant::now() + STARTUP_DEADLINE;
    loop {
        server.check_alive()?;
        let request = probe().body(Body::default()).map_err(|e| e.to_string())?;
        if let Ok(mut sender) = connect(target.addr).await
            && let Ok(response) = sender.send_request(request).await
            && response.status() == StatusCode::OK
        {
            return Ok(server);
        }
        if Instant::now() > deadline {
            return Err(format!(
                "{} did not answer within {STARTUP_DEADLINE:?}; its log ends:\n{}",
                server.kind.name(),
                log_tail(&server.log)
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

// ---------------------------------------------------------------------------------------------
// Requests

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Create,
    Read,
}

impl Phase {
    fn name(self) -> &'static str {
        match self {
            Phase::Create => "create",
            Phase::Read => "read",
        }
    }
}

impl Target {
    fn request(&self, phase: Phase, name: &str, value: &str) -> Res<Request<Body>> {
        match (&self.api, phase) {
            (Api::Csvault { project_id, key }, Phase::Create) => {
                let body = json!({ "name": name, "secret_string": value });
                let path = format!("/v1/{project_id}/secrets");
                self.signed(key, Method::POST, &path, body.to_string().into_bytes())
            }
            (Api::Csvault { project_id, key }, Phase::Read) => {
                let path = format!("/v1/{project_id}/secrets/{name}/versions/latest");
                self.signed(key, Method::GET, &path, Vec::new())
            }
            (Api::Bao, Phase::Create) => {
                let body = json!({ "data": { "value": value } });
                self.bao(Method::POST, name, body.to_string())
            }
            (Api::Bao, Phase::Read) => self.bao(Method::GET, name, String::new()),
            (Api::Moto, Phase::Create) => self.moto(
                "CreateSecret",
                &json!({ "Name": name, "SecretString": value }),
            ),
            (Api::Moto, Phase::Read) => self.moto("GetSecretValue", &json!({ "SecretId": name })),
        }
    }

    /// A request signed as the Huawei SDKs sign it (`SDK-HMAC-SHA256`).
    fn signed(
        &self,
        key: &SecretKey,
        method: Method,
        path: &str,
        body: Vec<u8>,
    ) -> Res<Request<Body>> {
        let date = jiff::Timestamp::now()
            .strftime("%Y%m%dT%H%M%SZ")
            .to_string();
        let headers = [
            ("content-type", SDK_CONTENT_TYPE),
            ("host", self.host.as_str()),
            (signing::DATE_HEADER, date.as_str()),
        ];
        let request = SignedRequest {
            method: method.as_str(),
            path,
            query: "",
            headers: &headers,
            body: &body,
        };
        let authorization = signing::authorization(ACCESS_KEY, key, &request, &SIGNED_HEADERS)
            .map_err(|e| e.to_string())?;
        Request::builder()
            .method(method)
            .uri(path)
            .header("Content-Type", SDK_CONTENT_TYPE)
            .header("Host", &self.host)
            .header("X-Sdk-Date", date)
            .header("Authorization", authorization)
            .body(Body::from(body))
            .map_err(|e| e.to_string())
    }

    fn bao(&self, method: Method, name: &str, body: String) -> Res<Request<Body>> {
        let mut builder = Request::builder()
            .method(method)
            .uri(format!("/v1/secret/data/{name}"))
            .header("Host", &self.host)
            .header("X-Vault-Token", BAO_TOKEN);
        if !body.is_empty() {
            builder = builder.header("Content-Type", "application/json");
        }
        builder.body(Body::from(body)).map_err(|e| e.to_string())
    }

    fn moto(&self, action: &str, body: &Value) -> Res<Request<Body>> {
        Request::post("/")
            .header("Host", &self.host)
            .header("X-Amz-Target", format!("secretsmanager.{action}"))
            .header("Content-Type", AMZ_JSON)
            .header("Authorization", AWS_AUTHORIZATION)
            .body(Body::from(body.to_string()))
            .map_err(|e| e.to_string())
    }

    /// Whether an answer is the one the phase expects: 200, naming the new secret or carrying the
    /// value that was stored.
    fn check(
        &self,
        phase: Phase,
        status: StatusCode,
        body: &[u8],
        name: &str,
        value: &str,
    ) -> Res<()> {
        let json = (status == StatusCode::OK)
            .then(|| serde_json::from_slice::<Value>(body).ok())
            .flatten();
        let good = json.is_some_and(|json| match phase {
            Phase::Create => self.created(&json, name),
            Phase::Read => self.stored_value(&json) == Some(value),
        });
        if good {
            Ok(())
        } else {
            let text = String::from_utf8_lossy(body);
            let words: Vec<&str> = text.split_whitespace().collect();
            let shown: String = words.join(" ").chars().take(160).collect();
            Err(format!("{} {name}: HTTP {status}: {shown}", phase.name()))
        }
    }

    fn created(&self, json: &Value, name: &str) -> bool {
        match self.api {
            Api::Csvault { .. } => {
                json.pointer("/secret/name").and_then(Value::as_str) == Some(name)
            }
            Api::Bao => json.pointer("/data/version").and_then(Value::as_u64) == Some(1),
            Api::Moto => json.get("Name").and_then(Value::as_str) == Some(name),
        }
    }

    fn stored_value<'a>(&self, json: &'a Value) -> Option<&'a str> {
        let pointer = match self.api {
            Api::Csvault { .. } => "/version/secret_string",
            Api::Bao => "/data/data/value",
            Api::Moto => "/SecretString",
        };
        json.pointer(pointer).and_then(Value::as_str)
    }
}

async fn connect(addr: SocketAddr) -> Res<SendRequest<Body>> {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect {addr}: {e}"))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let (sender, connection) = http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    tokio::spawn(connection);
    Ok(sender)
}

// ---------------------------------------------------------------------------------------------
// The load

/// The secrets of one run: distinct names, 64-byte printable values, the same for every server.
struct Workload {
    names: Vec<String>,
    values: Vec<String>,
}

impl Workload {
    fn new(secrets: usize, run: usize) -> Workload {
        const ALPHABET: &[u8] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!*+=@:";
        // xorshift64*: "random-ish", reproducible per run, no dependency.
        let mut state = 0x9E37_79B9_7F4A_7C15_u64 ^ (run as u64 + 1);
        let mut next = move || {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            state.wrapping_mul(0x2545_F491_4F6C_DD1D)
        };
        let names = (0..secrets).map(|i| format!("bench-{i:07}")).collect();
        let values = (0..secrets)
            .map(|_| {
                (0..VALUE_LEN)
                    .map(|_| char::from(ALPHABET[(next() >> 33) as usize % ALPHABET.len()]))
                    .collect()
            })
            .collect();
        Workload { names, values }
    }

    fn len(&self) -> usize {
        self.names.len()
    }
}

/// What one connection saw in one phase.
#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    failures: usize,
    errors: Vec<String>,
    connects: usize,
}

impl Tally {
    fn fail(&mut self, error: String) {
        self.failures += 1;
        if self.errors.len() < 3 {
            self.errors.push(error);
        }
    }

    fn merge(&mut self, other: Tally) {
        self.latencies.extend(other.latencies);
        self.failures += other.failures;
        self.connects += other.connects;
        for error in other.errors {
            if self.errors.len() < 3 {
                self.errors.push(error);
            }
        }
    }
}

/// Shared by a phase's connections: the secrets and the next one to take.
struct Job {
    target: Arc<Target>,
    work: Arc<Workload>,
    phase: Phase,
    next: AtomicUsize,
    deadline: Instant,
}

/// One keep-alive connection doing requests back to back until the secrets run out.
async fn connection_loop(job: Arc<Job>) -> Tally {
    let mut tally = Tally::default();
    let mut sender = None;
    loop {
        let i = job.next.fetch_add(1, Ordering::Relaxed);
        if i >= job.work.len() {
            return tally;
        }
        if Instant::now() > job.deadline {
            tally.fail(format!(
                "{} not sent: phase deadline passed",
                job.work.names[i]
            ));
            continue;
        }
        let started = Instant::now();
        let outcome = tokio::time::timeout(
            REQUEST_TIMEOUT,
            exchange(&job, i, &mut sender, &mut tally.connects),
        )
        .await;
        tally.latencies.push(started.elapsed());
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tally.fail(error),
            Err(_) => {
                sender = None;
                tally.fail(format!(
                    "{}: no answer within {REQUEST_TIMEOUT:?}",
                    job.work.names[i]
                ));
            }
        }
    }
}

/// One request and its check, (re)connecting first when the connection is gone.
async fn exchange(
    job: &Job,
    i: usize,
    sender: &mut Option<SendRequest<Body>>,
    connects: &mut usize,
) -> Res<()> {
    let (name, value) = (&job.work.names[i], &job.work.values[i]);
    let request = job.target.request(job.phase, name, value)?;
    if !ready(sender).await {
        *connects += 1;
        *sender = Some(connect(job.target.addr).await?);
    }
    let sender = sender.as_mut().ok_or("no connection")?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| format!("{} {name}: {e}", job.phase.name()))?;
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("{} {name}: body: {e}", job.phase.name()))?
        .to_bytes();
    job.target.check(job.phase, status, &body, name, value)
}

/// Whether there is a connection, still open and ready for another request.
async fn ready(sender: &mut Option<SendRequest<Body>>) -> bool {
    match sender {
        Some(live) => !live.is_closed() && live.ready().await.is_ok(),
        None => false,
    }
}

/// A phase's figures.
struct PhaseResult {
    wall: Duration,
    tally: Tally,
    /// CPU time of the server process and of this (client) process during the phase.
    server_cpu: Duration,
    client_cpu: Duration,
    /// CPU time the whole machine spent busy during the phase (all processes).
    machine_cpu: Duration,
}

impl PhaseResult {
    fn rate(&self) -> f64 {
        self.tally.latencies.len() as f64 / self.wall.as_secs_f64()
    }

    fn percentile_ms(&self, p: f64) -> f64 {
        let mut sorted = self.tally.latencies.clone();
        sorted.sort_unstable();
        let rank = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len().max(1));
        sorted
            .get(rank - 1)
            .map_or(f64::NAN, |d| d.as_secs_f64() * 1e3)
    }
}

async fn run_phase(
    target: &Arc<Target>,
    work: &Arc<Workload>,
    phase: Phase,
    pid: u32,
) -> PhaseResult {
    let job = Arc::new(Job {
        target: Arc::clone(target),
        work: Arc::clone(work),
        phase,
        next: AtomicUsize::new(0),
        deadline: Instant::now() + PHASE_DEADLINE,
    });
    let (server_before, client_before) = (cpu_time(&pid.to_string()), cpu_time("self"));
    let machine_before = machine_busy();
    let started = Instant::now();
    let tasks: Vec<_> = (0..CONNECTIONS)
        .map(|_| tokio::spawn(connection_loop(Arc::clone(&job))))
        .collect();
    let mut tally = Tally::default();
    for task in tasks {
        match task.await {
            Ok(part) => tally.merge(part),
            Err(e) => tally.fail(format!("a connection task died: {e}")),
        }
    }
    PhaseResult {
        wall: started.elapsed(),
        tally,
        server_cpu: cpu_time(&pid.to_string()).saturating_sub(server_before),
        client_cpu: cpu_time("self").saturating_sub(client_before),
        machine_cpu: machine_busy().saturating_sub(machine_before),
    }
}

// ---------------------------------------------------------------------------------------------
// /proc

/// User + system CPU time of a process (`self` or a pid), all threads; zero when unreadable.
fn cpu_time(pid: &str) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th overall.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: u64 = after
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|f| f.parse::<u64>().ok())
        .sum();
    // Linux reports these in USER_HZ, 100 on every architecture it runs on.
    Duration::from_millis(ticks * 10)
}

/// Busy CPU time of the whole machine, all cores (`/proc/stat`: user, nice, system, irq, softirq,
/// steal); what neither the server nor the client used of it is other load on the machine.
fn machine_busy() -> Duration {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let fields: Vec<u64> = stat
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    let ticks: u64 = [0, 1, 2, 5, 6, 7]
        .iter()
        .filter_map(|&i| fields.get(i))
        .sum();
    Duration::from_millis(ticks * 10)
}

/// A `/proc/PID/status` field in kB (`VmHWM`: peak resident set, `VmRSS`: current).
fn status_kb(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
}

/// The largest `VmRSS` seen every 50 ms while `running` holds.
async fn sample_rss(pid: u32, running: Arc<AtomicBool>) -> u64 {
    let mut most = 0;
    while running.load(Ordering::Relaxed) {
        most = most.max(status_kb(pid, "VmRSS").unwrap_or(0));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    most
}

// ---------------------------------------------------------------------------------------------
// One run of one server

struct RunResult {
    kind: Kind,
    create: PhaseResult,
    read: PhaseResult,
    /// Peak and current resident memory of the server process after the run, in kB.
    peak_rss_kb: u64,
    rss_kb: u64,
    /// The run's directory (server logs), kept when a request failed.
    kept: Option<PathBuf>,
    /// Resident memory once the server answers (before the load), and the most sampled under load.
    start_rss_kb: u64,
    load_rss_kb: u64,
}

impl RunResult {
    fn phase(&self, phase: Phase) -> &PhaseResult {
        match phase {
            Phase::Create => &self.create,
            Phase::Read => &self.read,
        }
    }
}

async fn bench_server(kind: Kind, binary: &Path, work: &Arc<Workload>) -> Res<RunResult> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let (mut server, target) = start(kind, binary, dir.path()).await?;
    let pid = server.child.id();
    let target = Arc::new(target);
    let start_rss_kb = status_kb(pid, "VmRSS").unwrap_or(0);
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = tokio::spawn(sample_rss(pid, Arc::clone(&sampling)));
    let create = run_phase(&target, work, Phase::Create, pid).await;
    let read = run_phase(&target, work, Phase::Read, pid).await;
    sampling.store(false, Ordering::Relaxed);
    let load_rss_kb = sampler.await.unwrap_or(0);
    server.check_alive()?;
    let result = RunResult {
        kind,
        create,
        read,
        peak_rss_kb: status_kb(pid, "VmHWM").unwrap_or(0),
        rss_kb: status_kb(pid, "VmRSS").unwrap_or(0),
        start_rss_kb,
        load_rss_kb,
        kept: None,
    };
    drop(server);
    if result.create.tally.failures + result.read.tally.failures > 0 {
        return Ok(RunResult {
            kept: Some(dir.keep()),
            ..result
        });
    }
    Ok(result)
}

// ---------------------------------------------------------------------------------------------
// Report

const HEADER: &str = "server    phase      req/s   p50 ms   p99 ms  failed  conns  server CPU  client CPU  other CPU";

fn phase_line(label: &str, phase: Phase, result: &PhaseResult) -> String {
    let wall = result.wall.as_secs_f64();
    format!(
        "{label:<9} {:<7} {:>9.0} {:>8.2} {:>8.2} {:>7} {:>6} {:>10.0}% {:>10.0}% {:>9.0}%",
        phase.name(),
        result.rate(),
        result.percentile_ms(0.50),
        result.percentile_ms(0.99),
        result.tally.failures,
        result.tally.connects,
        result.server_cpu.as_secs_f64() / wall * 100.0,
        result.client_cpu.as_secs_f64() / wall * 100.0,
        result
            .machine_cpu
            .saturating_sub(result.server_cpu + result.client_cpu)
            .as_secs_f64()
            / wall
            * 100.0,
    )
}

fn print_run(run: usize, result: &RunResult) {
    for (phase, figures) in [(Phase::Create, &result.create), (Phase::Read, &result.read)] {
        println!("{}", phase_line(result.kind.name(), phase, figures));
        for error in &figures.tally.errors {
            println!("          failed: {error}");
        }
    }
    println!(
        "          run {run}: {} RSS: peak (VmHWM) {} MB; at start {} MB, most under load {} MB, \
         at the end {} MB",
        result.kind.name(),
        mb(result.peak_rss_kb),
        mb(result.start_rss_kb),
        mb(result.load_rss_kb),
        mb(result.rss_kb),
    );
    if let Some(dir) = &result.kept {
        println!(
            "          requests failed: server log kept in {}",
            dir.display()
        );
    }
}

fn mb(kb: u64) -> String {
    format!("{:.1}", kb as f64 / 1024.0)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    match xs.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => xs[n / 2],
        n => f64::midpoint(xs[n / 2 - 1], xs[n / 2]),
    }
}

fn list(xs: &[f64], decimals: usize) -> String {
    xs.iter()
        .map(|x| format!("{x:.decimals$}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One server's results, one entry per run.
fn of(results: &[RunResult], kind: Kind) -> Vec<&RunResult> {
    results.iter().filter(|r| r.kind == kind).collect()
}

fn print_medians(results: &[RunResult], kinds: &[Kind]) {
    println!("\nmedians over runs (per-run values in brackets):");
    println!("server    phase      req/s   p50 ms   p99 ms  failed (total)");
    for &kind in kinds {
        let runs = of(results, kind);
        for phase in [Phase::Create, Phase::Read] {
            let rates = per_run(&runs, phase, PhaseResult::rate);
            let p50 = per_run(&runs, phase, |p| p.percentile_ms(0.50));
            let p99 = per_run(&runs, phase, |p| p.percentile_ms(0.99));
            let failed: usize = runs.iter().map(|r| r.phase(phase).tally.failures).sum();
            println!(
                "{:<9} {:<7} {:>9.0} {:>8.2} {:>8.2} {failed:>7}    [req/s {}; p50 {}; p99 {}]",
                kind.name(),
                phase.name(),
                median(rates.clone()),
                median(p50.clone()),
                median(p99.clone()),
                list(&rates, 0),
                list(&p50, 2),
                list(&p99, 2),
            );
        }
        let peaks: Vec<f64> = runs.iter().map(|r| r.peak_rss_kb as f64 / 1024.0).collect();
        let loaded: Vec<f64> = runs.iter().map(|r| r.load_rss_kb as f64 / 1024.0).collect();
        println!(
            "{:<9} peak RSS (VmHWM) {:.1} MB max [{} MB]; most sampled under load [{} MB]",
            kind.name(),
            peaks.iter().copied().fold(0.0, f64::max),
            list(&peaks, 1),
            list(&loaded, 1)
        );
    }
}

/// One figure of a phase, one value per run.
fn per_run(runs: &[&RunResult], phase: Phase, figure: impl Fn(&PhaseResult) -> f64) -> Vec<f64> {
    runs.iter().map(|r| figure(r.phase(phase))).collect()
}

/// The targets; returns whether all were met.
fn print_targets(results: &[RunResult], kinds: &[Kind]) -> bool {
    if !kinds.contains(&Kind::Csvault) {
        println!("\n(csvault not in SERVE_BENCH_ONLY: no targets checked)");
        return true;
    }
    println!("\ntargets (ratios per run, median first):");
    let mut met = true;
    for (peer, at_least) in [(Kind::Bao, 1.0), (Kind::Moto, 10.0)] {
        if !kinds.contains(&peer) {
            continue;
        }
        for phase in [Phase::Create, Phase::Read] {
            let ratios = ratios(results, peer, phase);
            let ok = median(ratios.clone()) >= at_least;
            met &= ok;
            println!(
                "  csvault/{} {}s: {:.2} [{}] (target >= {at_least}) {}",
                peer.name(),
                phase.name(),
                median(ratios.clone()),
                list(&ratios, 2),
                verdict(ok)
            );
        }
    }
    let csvault = of(results, Kind::Csvault);
    let failed: usize = csvault
        .iter()
        .map(|r| r.create.tally.failures + r.read.tally.failures)
        .sum();
    met &= failed == 0;
    println!(
        "  csvault failed requests: {failed} (target 0) {}",
        verdict(failed == 0)
    );
    let peak = csvault.iter().map(|r| r.peak_rss_kb).max().unwrap_or(0) as f64 / 1024.0;
    met &= peak < 150.0;
    println!(
        "  csvault serve peak RSS: {peak:.1} MB (target < 150 MB) {}",
        verdict(peak < 150.0)
    );
    met
}

/// csvault's rate over `peer`'s in each run.
fn ratios(results: &[RunResult], peer: Kind, phase: Phase) -> Vec<f64> {
    let rate = |r: &RunResult| r.phase(phase).rate();
    of(results, Kind::Csvault)
        .iter()
        .zip(of(results, peer))
        .map(|(ours, theirs)| rate(ours) / rate(theirs))
        .collect()
}

fn verdict(ok: bool) -> &'static str {
    if ok { "MET" } else { "MISSED" }
}

// ---------------------------------------------------------------------------------------------

fn main() {
    let outcome = Config::from_env().and_then(|config| run(&config));
    match outcome {
        Ok(true) => {}
        Ok(false) => {
            eprintln!("serve bench: targets missed (see above)");
            std::process::exit(1);
        }
        Err(error) => {
            eprintln!("serve bench failed: {error}");
            std::process::exit(1);
        }
    }
}

/// Every run, every server (in the same order within a run), then the summary.
fn run(config: &Config) -> Res<bool> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let names: Vec<&str> = config.kinds.iter().map(|k| k.name()).collect();
    println!(
        "serve bench: {} secrets x {VALUE_LEN}-byte values, create then read back; {CONNECTIONS} \
         keep-alive loopback connections; {} run(s); servers: {}",
        config.secrets,
        config.runs,
        names.join(", ")
    );
    let mut results = Vec::new();
    for run in 1..=config.runs {
        let work = Arc::new(Workload::new(config.secrets, run));
        println!("\nrun {run}\n{HEADER}");
        for (&kind, binary) in config.kinds.iter().zip(&config.binaries) {
            let result = runtime.block_on(bench_server(kind, binary, &work))?;
            print_run(run, &result);
            results.push(result);
        }
    }
    print_medians(&results, &config.kinds);
    let met = print_targets(&results, &config.kinds);
    if !config.full {
        println!("\n(smoke run: targets not enforced; use cargo bench --bench serve)");
    }
    Ok(met || !config.full)
}
