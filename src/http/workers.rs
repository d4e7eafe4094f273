//! The vault workers behind the endpoint: one writer that group-commits every write waiting for
//! it, and readers on the blocking pool, each with its own vault handle.
//!
//! Writes are queued to the writer thread. It takes all that are waiting (up to [`MAX_GROUP`]
//! requests or [`MAX_GROUP_BYTES`] of bodies), runs each as a savepoint of one transaction
//! ([`Vault::group`]), commits once (one `fsync` for the group) and only then answers them: no
//! reply leaves before its write is durable, and concurrent clients share the cost of the disk
//! flush. A vault held by another process makes the writer wait and retry, never fail a request
//! (until a stop is asked for: then it waits at most [`STOP_BUSY_LIMIT`]).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};
use zeroize::Zeroizing;

use super::operations::execute;
use super::refusal;
use super::reply::Reply;
use super::routes::Route;
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

/// One request, routed, with its body (which may hold a value: wiped on drop).
pub struct Request {
    pub route: Route,
    pub query: String,
    pub body: Zeroizing<Vec<u8>>,
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
    stopping: Arc<AtomicBool>,
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
        let stopping = Arc::new(AtomicBool::new(false));
        let (tx, rx) = mpsc::channel();
        let writer = {
            let stopping = Arc::clone(&stopping);
            std::thread::Builder::new()
                .name("csvault-writer".into())
                .spawn(move || write_loop(&writer_vault, &rx, &stopping))
                .map_err(|e| {
                    ApiError::new(ErrorCode::Internal, format!("Cannot start the writer: {e}"))
                })?
        };
        Ok(Self {
            writes: Mutex::new(Some(tx)),
            write_slots: Arc::new(Semaphore::new(MAX_QUEUED_WRITES)),
            writer: Mutex::new(Some(writer)),
            stopping,
            readers: Arc::new(ReaderPool(Mutex::new(handles))),
            reader_slots: Arc::new(Semaphore::new(readers)),
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
            let Some(lent) = pool.lend() else {
                return Reply::error(&refusal::no_reader());
            };
            execute(lent.vault(), &request.route, &request.query, &request.body)
        })
        .await
        .unwrap_or_else(|_| Reply::error(&refusal::read_failed()))
    }

    /// From now on, a write waits for a busy vault at most [`STOP_BUSY_LIMIT`].
    pub fn stopping(&self) {
        self.stopping.store(true, Ordering::Relaxed);
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

impl Lent<'_> {
    fn vault(&self) -> &Vault {
        // Set from `lend` until the drop.
        self.vault.as_ref().unwrap_or_else(|| unreachable!())
    }
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
/// [`PURGE_INTERVAL`], it purges the secrets whose scheduled deletion has come, as opening the
/// vault does (a server may run for weeks).
fn write_loop(vault: &Vault, queue: &mpsc::Receiver<Job>, stopping: &AtomicBool) {
    let mut purged = Instant::now();
    let mut next: Option<Job> = None;
    loop {
        if purged.elapsed() >= PURGE_INTERVAL {
            // Best effort: a busy vault (or anything else) is tried again next time.
            let _ = catch_unwind(AssertUnwindSafe(|| vault.purge_due()));
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
        let mut bytes = first.request.body.len();
        let mut jobs = vec![first];
        while jobs.len() < MAX_GROUP {
            let Ok(job) = queue.try_recv() else { break };
            bytes += job.request.body.len();
            if bytes > MAX_GROUP_BYTES {
                next = Some(job);
                break;
            }
            jobs.push(job);
        }
        let replies = commit(vault, &jobs, stopping);
        for (job, reply) in jobs.into_iter().zip(replies) {
            // A client that went away still had its write committed; nobody is left to tell.
            let _ = job.reply.send(reply);
        }
    }
}

/// The replies of `jobs`, committed as one group. If the group cannot be committed (none of it
/// is then in the vault), each job runs again in a group of its own, so one failing write (a
/// panic, a disk error) answers for itself only.
fn commit(vault: &Vault, jobs: &[Job], stopping: &AtomicBool) -> Vec<Reply> {
    match run_group(vault, jobs, stopping) {
        Ok(replies) => replies,
        Err(_) if jobs.len() > 1 => jobs
            .iter()
            .map(|job| {
                run_group(vault, std::slice::from_ref(job), stopping)
                    .map_or_else(|failed| failed, |mut one| one.remove(0))
            })
            .collect(),
        Err(failed) => vec![failed],
    }
}

/// Runs `jobs` as one group, retrying while the vault is busy; the error reply for the whole
/// group when it could not be committed.
fn run_group(vault: &Vault, jobs: &[Job], stopping: &AtomicBool) -> Result<Vec<Reply>, Reply> {
    let mut stop_seen: Option<Instant> = None;
    loop {
        let run = catch_unwind(AssertUnwindSafe(|| {
            vault.group(|v| {
                jobs.iter()
                    .map(|j| execute(v, &j.request.route, &j.request.query, &j.request.body))
                    .collect::<Vec<_>>()
            })
        }));
        match run {
            Ok(Ok(replies)) => return Ok(replies),
            Ok(Err(e)) if is_busy(&e) => {
                if stopping.load(Ordering::Relaxed) {
                    let since = *stop_seen.get_or_insert_with(Instant::now);
                    if since.elapsed() >= STOP_BUSY_LIMIT {
                        return Err(Reply::error(&e.to_api()));
                    }
                }
                // Nothing of the group was written: wait for the other process, run it again.
                std::thread::sleep(BUSY_RETRY);
            }
            Ok(Err(e)) => return Err(Reply::error(&e.to_api())),
            Err(_) => {
                return Err(Reply::error(&refusal::write_failed()));
            }
        }
    }
}

fn is_busy(e: &VaultError) -> bool {
    e.to_api().code == ErrorCode::VaultBusy
}

fn stopped() -> Reply {
    Reply::error(&refusal::shutting_down())
}
