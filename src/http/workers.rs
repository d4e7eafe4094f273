//! The vault workers behind the endpoint: one writer that group-commits every write waiting for
//! it, and readers on the blocking pool, each with its own vault handle.
//!
//! Writes are queued to the writer thread. It takes all that are waiting (up to
//! [`MAX_GROUP`]), runs each as a savepoint of one transaction ([`Vault::group`]), commits once
//! (one `fsync` for the group) and only then answers them: no reply leaves before its write is
//! durable, and concurrent clients share the cost of the disk flush. A vault held by another
//! process makes the writer wait and retry, never fail a request.

use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tokio::sync::{Semaphore, oneshot};
use zeroize::Zeroizing;

use super::operations::execute;
use super::reply::Reply;
use super::routes::Route;
use crate::csms::{ApiError, ErrorCode};
use crate::vault::{Vault, VaultResult};

/// The most writes one commit carries; more wait for the next.
pub const MAX_GROUP: usize = 256;

/// How often a running endpoint purges secrets whose deletion date has passed.
const PURGE_INTERVAL: Duration = Duration::from_mins(1);

/// How long the writer sleeps before trying a busy vault again.
const BUSY_RETRY: Duration = Duration::from_millis(20);

/// One request, routed, with its body (which may hold a value: wiped on drop).
pub struct Request {
    pub route: Route,
    pub query: String,
    pub body: Zeroizing<Vec<u8>>,
}

struct Job {
    request: Request,
    reply: oneshot::Sender<Reply>,
}

/// The writer thread and the reader handles. Dropping the last sender ends the writer once the
/// queue is empty.
pub struct Workers {
    writes: Mutex<Option<mpsc::Sender<Job>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    readers: Arc<ReaderPool>,
    reader_slots: Semaphore,
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
        let (tx, rx) = mpsc::channel();
        let writer = std::thread::Builder::new()
            .name("csvault-writer".into())
            .spawn(move || write_loop(&writer_vault, &rx))
            .map_err(|e| {
                ApiError::new(ErrorCode::Internal, format!("Cannot start the writer: {e}"))
            })?;
        Ok(Self {
            writes: Mutex::new(Some(tx)),
            writer: Mutex::new(Some(writer)),
            readers: Arc::new(ReaderPool(Mutex::new(handles))),
            reader_slots: Semaphore::new(readers),
        })
    }

    /// Runs the request on the writer or a reader, and its reply.
    pub async fn run(&self, request: Request) -> Reply {
        if request.route.writes() {
            self.write(request).await
        } else {
            self.read(request).await
        }
    }

    async fn write(&self, request: Request) -> Reply {
        let (reply, answer) = oneshot::channel();
        let sent = self
            .writes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .is_some_and(|tx| tx.send(Job { request, reply }).is_ok());
        if !sent {
            return stopped();
        }
        answer.await.unwrap_or_else(|_| stopped())
    }

    async fn read(&self, request: Request) -> Reply {
        let Ok(_slot) = self.reader_slots.acquire().await else {
            return stopped();
        };
        let pool = Arc::clone(&self.readers);
        tokio::task::spawn_blocking(move || {
            let Some(vault) = pool.take() else {
                return stopped();
            };
            let reply = execute(&vault, &request.route, &request.query, &request.body);
            pool.put(vault);
            reply
        })
        .await
        .unwrap_or_else(|_| internal("A read failed unexpectedly."))
    }

    /// Stops taking writes and waits until every queued one is committed and answered.
    pub fn finish(&self) {
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

impl ReaderPool {
    fn take(&self) -> Option<Vault> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).pop()
    }

    fn put(&self, vault: Vault) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(vault);
    }
}

/// The writer thread: waits for a write, takes every other one already queued, runs them as one
/// group and answers them all after the commit. Between groups, at most every
/// [`PURGE_INTERVAL`], it purges the secrets whose scheduled deletion has come, as opening the
/// vault does (a server may run for weeks).
fn write_loop(vault: &Vault, queue: &mpsc::Receiver<Job>) {
    let mut purged = Instant::now();
    loop {
        if purged.elapsed() >= PURGE_INTERVAL {
            // Best effort: a failure (a busy vault) is tried again next time.
            let _ = vault.purge_due();
            purged = Instant::now();
        }
        let first = match queue.recv_timeout(PURGE_INTERVAL) {
            Ok(job) => job,
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        let mut jobs = vec![first];
        while jobs.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let replies = commit_group(vault, &jobs);
        for (job, reply) in jobs.into_iter().zip(replies) {
            // A client that went away still had its write committed; nobody is left to tell.
            let _ = job.reply.send(reply);
        }
    }
}

/// Runs `jobs` in one group commit and returns their replies, or the same error for all of them
/// when the group could not be committed (then none of it is in the vault).
fn commit_group(vault: &Vault, jobs: &[Job]) -> Vec<Reply> {
    loop {
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            vault.group(|v| {
                jobs.iter()
                    .map(|j| execute(v, &j.request.route, &j.request.query, &j.request.body))
                    .collect::<Vec<_>>()
            })
        }));
        match run {
            Ok(Ok(replies)) => return replies,
            // Nothing of the group was written: wait for the other process and run it again.
            Ok(Err(e)) if e.to_api().code == ErrorCode::VaultBusy => std::thread::sleep(BUSY_RETRY),
            Ok(Err(e)) => return jobs.iter().map(|_| Reply::error(&e.to_api())).collect(),
            Err(_) => {
                return jobs
                    .iter()
                    .map(|_| internal("A write failed unexpectedly; nothing of it was kept."))
                    .collect();
            }
        }
    }
}

fn stopped() -> Reply {
    internal("The endpoint is shutting down.")
}

fn internal(message: &str) -> Reply {
    Reply::error(&ApiError::new(ErrorCode::Internal, message))
}
