//! The vault workers behind the endpoint: one writer that group-commits every write waiting for
//! it, and readers on the blocking pool, each with its own vault handle.
//!
//! Writes are queued to the writer thread. It takes all that are waiting (up to [`MAX_GROUP`]
//! requests or [`MAX_GROUP_BYTES`] of bodies), runs each as a savepoint of one transaction
//! ([`Vault::group`]), commits once (one `fsync` for the group) and only then answers them: no
//! reply leaves before its write is durable, and concurrent clients share the cost of the disk
//! flush. A vault held by another process makes the writer wait and retry, never fail a request
//! (until a stop is asked for: then all of them together wait at most [`STOP_BUSY_LIMIT`]).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

use super::refusal;
use super::reply::Reply;
use crate::csms::op;
use crate::csms::{ApiError, ErrorCode};
use crate::vault::{Vault, VaultError, VaultResult};

/// The most writes one commit carries; more wait for the next.
pub const MAX_GROUP: usize = 256;

/// The most request-body bytes one commit carries (8 MiB), so a group of large batch imports
/// holds the vault's write lock briefly and other processes' writes are not kept waiting.
pub const MAX_GROUP_BYTES: usize = 8 << 20;

/// Writes waiting for the writer at most; more wait (asynchronously) for room in the queue.
const MAX_QUEUED_WRITES: usize = 4096;

/// How often a running endpoint purges secrets whose deletion date has passed.
const PURGE_INTERVAL: Duration = Duration::from_mins(1);

/// How long the writer sleeps before trying a busy vault again.
const BUSY_RETRY: Duration = Duration::from_millis(20);

/// Once a stop is asked for, how long a write may still wait for a busy vault before it is
/// answered `VAULT.0005`.
pub const STOP_BUSY_LIMIT: Duration = Duration::from_secs(20);

/// One operation, with the size of the body it came in (which bounds a group's bytes). A value
/// it carries is wiped on drop.
pub struct Request {
    pub operation: op::Request,
    pub body_bytes: usize,
}

struct Job {
    request: Request,
    reply: oneshot::Sender<Reply>,
    /// Room in the queue, given back once answered.
    _slot: OwnedSemaphorePermit,
}

/// The writer thread and the reader handles.
pub struct Workers {
    writes: Mutex<Option<mpsc::Sender<Job>>>,
    write_slots: Arc<Semaphore>,
    writer: Mutex<Option<JoinHandle<()>>>,
    /// Set when a stop is asked for: until then a busy vault is waited for without end.
    stop_deadline: Arc<OnceLock<Instant>>,
    readers: Arc<ReaderPool>,
    reader_slots: Arc<Semaphore>,
}

/// Idle reader handles; all of them made at start, so a broken vault is found before serving.
struct ReaderPool(Mutex<Vec<Vault>>);

impl Workers {
    /// Opens one handle for the writer and `readers` for reads, each its own connection.
    ///
    /// Errors: a handle cannot be opened (the file moved, or is now another vault).
    pub fn start(vault: &Vault, readers: usize) -> VaultResult<Self> {
        let writer_vault = vault.handle()?;
        let mut handles = Vec::with_capacity(readers);
        for _ in 0..readers {
            handles.push(vault.handle()?);
        }
        let stop_deadline = Arc::new(OnceLock::new());
        let (tx, rx) = mpsc::channel();
        let writer = {
            let stop_deadline = Arc::clone(&stop_deadline);
            std::thread::Builder::new()
                .name("csvault-writer".into())
                .spawn(move || write_loop(&writer_vault, &rx, &stop_deadline))
                .map_err(|e| {
                    ApiError::new(ErrorCode::Internal, format!("Cannot start the writer: {e}"))
                })?
        };
        Ok(Self {
            writes: Mutex::new(Some(tx)),
            write_slots: Arc::new(Semaphore::new(MAX_QUEUED_WRITES)),
            writer: Mutex::new(Some(writer)),
            stop_deadline,
            readers: Arc::new(ReaderPool(Mutex::new(handles))),
            reader_slots: Arc::new(Semaphore::new(readers)),
        })
    }

    /// Runs the request on the writer or a reader, and its reply.
    pub async fn run(&self, request: Request) -> Reply {
        if request.operation.writes() {
            self.write(request).await
        } else {
            self.read(request).await
        }
    }

    async fn write(&self, request: Request) -> Reply {
        let Ok(slot) = Arc::clone(&self.write_slots).acquire_owned().await else {
            return stopped();
        };
        let (reply, answer) = oneshot::channel();
        let job = Job {
            request,
            reply,
            _slot: slot,
        };
        let sent = self
            .writes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .is_some_and(|tx| tx.send(job).is_ok());
        if !sent {
            return stopped();
        }
        // Dropping this future (the client went away) leaves the write to finish and commit.
        answer.await.unwrap_or_else(|_| stopped())
    }

    async fn read(&self, request: Request) -> Reply {
        // The slot goes with the blocking task: a client that goes away mid-read frees it only
        // when the read is over and its handle is back in the pool.
        let Ok(slot) = Arc::clone(&self.reader_slots).acquire_owned().await else {
            return stopped();
        };
        let pool = Arc::clone(&self.readers);
        tokio::task::spawn_blocking(move || {
            let _slot = slot;
            let lent = pool.lend();
            match lent.as_ref().and_then(|l| l.vault.as_ref()) {
                Some(vault) => execute_request(vault, &request),
                None => Reply::error(&refusal::no_reader()),
            }
        })
        .await
        .unwrap_or_else(|_| Reply::error(&refusal::read_failed()))
    }

    /// From now on, writes wait for a busy vault until [`STOP_BUSY_LIMIT`] from now, all
    /// together; later calls keep the first deadline.
    pub fn stopping(&self) {
        self.stop_deadline
            .get_or_init(|| Instant::now() + STOP_BUSY_LIMIT);
    }

    /// Stops taking writes and waits until every queued one is committed (or refused) and
    /// answered.
    pub fn finish(&self) {
        self.stopping();
        self.writes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let writer = self
            .writer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(writer) = writer {
            let _ = writer.join();
        }
    }
}

/// A reader handle out of the pool; back in it when dropped, also after a panic.
struct Lent<'p> {
    pool: &'p ReaderPool,
    vault: Option<Vault>,
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        if let Some(vault) = self.vault.take() {
            self.pool
                .0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(vault);
        }
    }
}

impl ReaderPool {
    fn lend(&self) -> Option<Lent<'_>> {
        let vault = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()?;
        Some(Lent {
            pool: self,
            vault: Some(vault),
        })
    }
}

/// The writer thread: waits for a write, takes every other one already queued, runs them as one
/// group and answers them all after the commit. Between groups, at most every
/// [`PURGE_INTERVAL`], it does what has come due ([`Vault::housekeeping`]), as opening the vault
/// does (a server may run for weeks).
fn write_loop(vault: &Vault, queue: &mpsc::Receiver<Job>, stop_deadline: &OnceLock<Instant>) {
    let mut purged = Instant::now();
    let mut next: Option<Job> = None;
    loop {
        if purged.elapsed() >= PURGE_INTERVAL {
            // Best effort: a busy vault (or anything else) is tried again next time.
            let _ = catch_unwind(AssertUnwindSafe(|| vault.housekeeping()));
            purged = Instant::now();
        }
        let first = match next
            .take()
            .map_or_else(|| queue.recv_timeout(PURGE_INTERVAL), Ok)
        {
            Ok(job) => job,
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        let mut bytes = first.request.body_bytes;
        let mut jobs = vec![first];
        while jobs.len() < MAX_GROUP {
            let Ok(job) = queue.try_recv() else { break };
            bytes += job.request.body_bytes;
            if bytes > MAX_GROUP_BYTES {
                next = Some(job);
                break;
            }
            jobs.push(job);
        }
        let requests: Vec<&Request> = jobs.iter().map(|j| &j.request).collect();
        let replies = commit(vault, &requests, stop_deadline, &execute_request);
        for (job, reply) in jobs.into_iter().zip(replies) {
            // A client that went away still had its write committed; nobody is left to tell.
            let _ = job.reply.send(reply);
        }
    }
}

fn execute_request(vault: &Vault, request: &Request) -> Reply {
    Reply::answer(&vault.execute(&request.operation).map_err(|e| e.to_api()))
}

/// How a group ended when it was not committed; in both cases nothing of it is in the vault.
enum Uncommitted {
    /// Another process held the vault past the stop deadline: the group never ran.
    Busy(Reply),
    /// A write panicked, or the commit failed.
    Failed(Reply),
}

/// The replies of `requests`, committed as one group by `exec`. If the group fails (none of it
/// is then in the vault), each request runs again in a group of its own, so one failing write (a
/// panic, a disk error) answers for itself only; a group that never ran because the vault stayed
/// busy past the stop deadline is answered `VAULT.0005` whole.
fn commit(
    vault: &Vault,
    requests: &[&Request],
    stop_deadline: &OnceLock<Instant>,
    exec: &dyn Fn(&Vault, &Request) -> Reply,
) -> Vec<Reply> {
    match run_group(vault, requests, stop_deadline, exec) {
        Ok(replies) => replies,
        Err(Uncommitted::Busy(busy)) => requests.iter().map(|_| busy.clone()).collect(),
        Err(Uncommitted::Failed(_)) if requests.len() > 1 => requests
            .iter()
            .map(|request| {
                match run_group(vault, std::slice::from_ref(request), stop_deadline, exec) {
                    Ok(mut one) => one.remove(0),
                    Err(Uncommitted::Busy(reply) | Uncommitted::Failed(reply)) => reply,
                }
            })
            .collect(),
        Err(Uncommitted::Failed(reply)) => vec![reply],
    }
}

/// Runs `requests` as one group, retrying while the vault is busy (until the stop deadline, once
/// a stop is asked for).
fn run_group(
    vault: &Vault,
    requests: &[&Request],
    stop_deadline: &OnceLock<Instant>,
    exec: &dyn Fn(&Vault, &Request) -> Reply,
) -> Result<Vec<Reply>, Uncommitted> {
    let past_deadline = || stop_deadline.get().is_some_and(|d| Instant::now() >= *d);
    if past_deadline() {
        // Stopping, and the vault stayed busy until the deadline: each further try would wait
        // SQLite's busy timeout again, so what is still queued is refused at once.
        return Err(Uncommitted::Busy(Reply::error(&refusal::busy_at_stop())));
    }
    loop {
        let run = catch_unwind(AssertUnwindSafe(|| {
            vault.group(|v| requests.iter().map(|r| exec(v, r)).collect::<Vec<_>>())
        }));
        match run {
            Ok(Ok(replies)) => return Ok(replies),
            Ok(Err(e)) if is_busy(&e) => {
                if past_deadline() {
                    return Err(Uncommitted::Busy(Reply::error(&e.to_api())));
                }
                // Nothing of the group was written: wait for the other process, run it again.
                std::thread::sleep(BUSY_RETRY);
            }
            Ok(Err(e)) => return Err(Uncommitted::Failed(Reply::error(&e.to_api()))),
            Err(_) => return Err(Uncommitted::Failed(Reply::error(&refusal::write_failed()))),
        }
    }
}

fn is_busy(e: &VaultError) -> bool {
    e.to_api().code == ErrorCode::VaultBusy
}

fn stopped() -> Reply {
    Reply::error(&refusal::shutting_down())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSPHRASE: &[u8] = b"correct horse battery staple";

    fn vault() -> (tempfile::TempDir, Vault) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let vault =
            Vault::init(&dir.path().join("v.db"), PASSPHRASE).unwrap_or_else(|e| panic!("{e}"));
        (dir, vault)
    }

    fn create(name: &str) -> Request {
        let body = crate::csms::CreateSecretRequest {
            name: name.to_owned(),
            secret_string: Some(zeroize::Zeroizing::new("v".to_owned())),
            ..Default::default()
        };
        Request {
            operation: op::Request::CreateSecret {
                body,
                keys: op::KeyLookup::Id,
            },
            body_bytes: 40,
        }
    }

    fn names(vault: &Vault) -> Vec<String> {
        let page = vault
            .list_secrets(None, None)
            .unwrap_or_else(|e| panic!("{e}"));
        page.secrets.into_iter().map(|s| s.name).collect()
    }

    #[test]
    fn a_write_that_panics_fails_alone_and_the_others_are_committed_once() {
        let (_dir, vault) = vault();
        let requests = [create("one"), create("boom"), create("three")];
        let refs: Vec<&Request> = requests.iter().collect();
        let exec = |v: &Vault, r: &Request| {
            assert!(
                !format!("{:?}", r.operation).contains("boom"),
                "a bug in one write"
            );
            execute_request(v, r)
        };
        let replies = commit(&vault, &refs, &OnceLock::new(), &exec);
        let statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
        assert_eq!(statuses, [200, 500, 200]);
        assert_eq!(names(&vault), ["one", "three"]);
    }

    #[test]
    fn after_the_stop_deadline_a_busy_vault_refuses_the_whole_group_without_running_it() {
        let (_dir, vault) = vault();
        let holder = rusqlite::Connection::open(vault.path()).unwrap_or_else(|e| panic!("{e}"));
        holder
            .execute_batch("BEGIN IMMEDIATE")
            .unwrap_or_else(|e| panic!("{e}"));
        let deadline = OnceLock::new();
        deadline.get_or_init(Instant::now);
        let requests = [create("a"), create("b")];
        let refs: Vec<&Request> = requests.iter().collect();
        let replies = commit(&vault, &refs, &deadline, &execute_request);
        let answers: Vec<(u16, Option<&str>)> =
            replies.iter().map(|r| (r.status, r.error_code)).collect();
        assert_eq!(
            answers,
            [(503, Some("VAULT.0005")), (503, Some("VAULT.0005"))]
        );
        holder
            .execute_batch("ROLLBACK")
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(names(&vault).is_empty());
    }
}
