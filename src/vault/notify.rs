//! Firing events and delivering their records. A secret that subscribes to an `ENABLED` event
//! listing the type that happened gets a notification record, inside the transaction of what
//! happened (docs/DECISIONS.md "what fires", "notification records").
//!
//! Delivery is the process's: when `CSVAULT_NOTIFY_COMMAND` is set ([`configure_delivery`]), a
//! record is written `PENDING`, owned by this process, and after the commit a courier thread runs
//! the command with the record on stdin and writes `SUCCESS` (exit 0 within 10 s) or `FAIL`.
//! A record left `PENDING` by a process that ended first is settled `FAIL` an hour later by
//! housekeeping: a crash never loses a record, nor reports one delivered that may not have been
//! (docs/DECISIONS.md "Events and notification records (issue 14)").

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Condvar, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use rusqlite::Connection;

use super::VaultResult;
use crate::csms::{EVENT_ENABLED, EventType};
use crate::store::events::{self as event_rows, PENDING, RecordRow, StoredRecord};
use crate::store::{SecretRow, Store, StoreError, StoreResult};

/// The variable naming the program that delivers each record (run without a shell).
pub const NOTIFY_COMMAND_ENV: &str = "CSVAULT_NOTIFY_COMMAND";
/// How long the program may take before it is killed and the record is `FAIL`.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a record may stay `PENDING` (epoch ms) before housekeeping settles it `FAIL`: its
/// process ended before its delivery did. Far longer than any backlog of deliveries lasts.
pub const STALE_PENDING_MS: i64 = 3_600_000;
/// Status of a record whose command exited 0 in time, or of any record when there is no
/// command.
pub const SUCCESS: &str = "SUCCESS";
/// Status of a record whose command failed, timed out or could not start.
pub const FAIL: &str = "FAIL";
/// How many commands run at once.
const AT_ONCE: usize = 8;

/// Records what happened to `secret` at `now` (epoch ms) for each event it subscribes to that is
/// `ENABLED` and lists `event`. `version_id` names the version concerned, if one is. The record
/// is `SUCCESS` at once, or `PENDING` for this process's courier when it delivers.
pub(super) fn fire(
    conn: &Connection,
    secret: &SecretRow,
    event: EventType,
    version_id: Option<&str>,
    now: i64,
) -> VaultResult<()> {
    for name in &secret.settings.event_subscriptions {
        let Some(subscribed) = event_rows::get(conn, name)? else {
            continue;
        };
        if subscribed.state != EVENT_ENABLED
            || !subscribed.event_types.iter().any(|t| t == event.as_str())
        {
            continue;
        }
        let content = serde_json::json!({
            "event_type": event.as_str(),
            "secret_name": secret.name,
            "secret_id": secret.id,
            "version_id": version_id,
            "time": now,
        });
        let courier = COURIER.get();
        event_rows::insert_record(
            conn,
            &RecordRow {
                create_time: now,
                event_name: subscribed.name,
                trigger_event_type: event.as_str().into(),
                secret_name: secret.name.clone(),
                secret_type: secret.secret_type.clone(),
                notification_target_name: subscribed.target_name,
                notification_target_id: subscribed.target_id,
                notification_content: content.to_string(),
                notification_status: courier.map_or(SUCCESS, |_| PENDING).into(),
                delivery_owner: courier.map(|c| c.owner.clone()),
            },
        )?;
    }
    Ok(())
}

/// Makes this process deliver the records it fires through `command` (from
/// `CSVAULT_NOTIFY_COMMAND`), run without a shell and without the variables named in `scrub`
/// (passphrases, the endpoint's SK). Once per process; `None`, or a second call, changes
/// nothing.
pub fn configure_delivery(command: Option<PathBuf>, scrub: &[&str]) {
    if let Some(command) = command {
        let _ = COURIER.set(Courier {
            command,
            scrub: scrub.iter().map(|s| (*s).to_owned()).collect(),
            owner: uuid::Uuid::new_v4().to_string(),
            work: Mutex::new(Work::default()),
            changed: Condvar::new(),
        });
    }
}

/// How long a process waits at exit for its deliveries, all together: a slow or hostile
/// command cannot hold it open longer. What is left stays `PENDING` and is settled `FAIL` by
/// a later housekeeping ([`STALE_PENDING_MS`]) unless delivered.
pub const EXIT_WAIT: Duration = Duration::from_secs(30);

/// What became of this process's deliveries when it stopped waiting for them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Deliveries {
    /// Deliveries were still running at the deadline (their records stay `PENDING`).
    pub unfinished: bool,
    /// Records whose delivery ended `FAIL`.
    pub failed: usize,
}

/// Waits until every record this process fired has been delivered (each delivery ends within
/// [`DELIVERY_TIMEOUT`]), for at most [`EXIT_WAIT`]: the command line calls it before it exits.
pub fn await_deliveries() -> Deliveries {
    let Some(c) = COURIER.get() else {
        return Deliveries::default();
    };
    let deadline = std::time::Instant::now() + EXIT_WAIT;
    let mut work = c.lock();
    while work.running || !work.wanted.is_empty() {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return Deliveries {
                unfinished: true,
                failed: work.failed,
            };
        }
        work = c
            .changed
            .wait_timeout(work, left)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
    Deliveries {
        unfinished: false,
        failed: work.failed,
    }
}

/// Whether this process delivers records through a command.
pub(super) fn delivers() -> bool {
    COURIER.get().is_some()
}

/// After a commit to the vault at `path`: this process's pending records there are delivered,
/// off the caller's thread. Nothing happens without a command.
pub(super) fn wake(path: &Path) {
    let Some(c) = COURIER.get() else {
        return;
    };
    let mut work = c.lock();
    if !work.wanted.iter().any(|p| p == path) {
        work.wanted.push(path.to_owned());
    }
    if !work.started {
        work.started = true;
        let spawned = std::thread::Builder::new()
            .name("csvault-notify".into())
            .spawn(move || c.run());
        if spawned.is_err() {
            // No thread: the records stay PENDING and are settled FAIL later; nobody waits.
            work.started = false;
            work.wanted.clear();
        }
    }
    c.changed.notify_all();
}

static COURIER: OnceLock<Courier> = OnceLock::new();

/// This process's delivery: the command, and the token its pending records carry.
#[derive(Debug)]
struct Courier {
    command: PathBuf,
    scrub: Vec<String>,
    owner: String,
    work: Mutex<Work>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct Work {
    /// Vaults with records to deliver.
    wanted: Vec<PathBuf>,
    /// A vault's records are being delivered.
    running: bool,
    /// The thread is there.
    started: bool,
    /// Records whose delivery ended `FAIL` (the command failed, was missing or timed out).
    failed: usize,
}

impl Courier {
    fn lock(&self) -> std::sync::MutexGuard<'_, Work> {
        self.work.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The thread: delivers each vault's records as it is woken, for as long as the process
    /// lives.
    fn run(&self) {
        let mut stores: HashMap<PathBuf, Store> = HashMap::new();
        loop {
            let path = {
                let mut work = self.lock();
                loop {
                    if let Some(path) = work.wanted.pop() {
                        work.running = true;
                        break path;
                    }
                    work.running = false;
                    self.changed.notify_all();
                    work = self
                        .changed
                        .wait(work)
                        .unwrap_or_else(PoisonError::into_inner);
                }
            };
            if !stores.contains_key(&path)
                && let Ok(store) = Store::open(&path)
            {
                stores.insert(path.clone(), store);
            }
            // A vault that cannot be opened or written keeps its records PENDING, for
            // housekeeping to settle; so does a delivery that panicked, which must not leave
            // the process waiting for it.
            if let Some(store) = stores.get_mut(&path) {
                let delivered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    self.deliver_all(store)
                }));
                if !matches!(delivered, Ok(Ok(()))) {
                    stores.remove(&path);
                }
            }
        }
    }

    /// Delivers this process's pending records in the vault.
    fn deliver_all(&self, store: &mut Store) -> StoreResult<()> {
        let failed = deliver_pending(
            store,
            &self.owner,
            &self.command,
            &self.scrub,
            DELIVERY_TIMEOUT,
        )?;
        self.lock().failed += failed;
        Ok(())
    }
}

/// Delivers the pending records `owner` fired in the vault of `store` through `command`, a few
/// at once, each stopped at `timeout`, until none is left; each gets its status when its batch
/// ends.
///
/// How many ended `FAIL`.
///
/// Errors: the store's; a record delivered and not yet said so stays `PENDING` (at least once).
pub(super) fn deliver_pending(
    store: &mut Store,
    owner: &str,
    command: &Path,
    scrub: &[String],
    timeout: Duration,
) -> StoreResult<usize> {
    let mut failed = 0;
    loop {
        let batch = event_rows::pending_of(store.conn_ref(), owner, AT_ONCE)?;
        if batch.is_empty() {
            return Ok(failed);
        }
        let statuses = deliver(command, scrub, &batch, timeout);
        failed += statuses.iter().filter(|s| **s == FAIL).count();
        // Delivered: a busy vault is waited for a while, so that what was delivered is said so.
        let mut tries = 0;
        loop {
            match finish(store, owner, &batch, &statuses) {
                Err(StoreError::Busy(_)) if tries < 5 => tries += 1,
                other => break other?,
            }
        }
    }
}

fn finish(
    store: &mut Store,
    owner: &str,
    batch: &[StoredRecord],
    statuses: &[&str],
) -> StoreResult<()> {
    let tx = store.immediate()?;
    for (record, status) in batch.iter().zip(statuses) {
        event_rows::finish_delivery(&tx, record.seq, owner, status)?;
    }
    Ok(tx.commit()?)
}

/// What the command reads on stdin: the record as List Notification Records returns it, without
/// the status its delivery decides.
pub(super) fn payload(record: &RecordRow) -> String {
    serde_json::json!({
        "create_time": record.create_time,
        "event_name": record.event_name,
        "trigger_event_type": record.trigger_event_type,
        "secret_name": record.secret_name,
        "secret_type": record.secret_type,
        "notification_target_name": record.notification_target_name,
        "notification_target_id": record.notification_target_id,
        "notification_content": record.notification_content,
    })
    .to_string()
}

/// Runs `command` once per record, all at once, each with its record on stdin; the status of
/// each: [`SUCCESS`] when it exited 0 within `timeout`, else [`FAIL`] (killed at `timeout`).
pub(super) fn deliver(
    command: &Path,
    scrub: &[String],
    records: &[StoredRecord],
    timeout: Duration,
) -> Vec<&'static str> {
    let deadline = Instant::now() + timeout;
    let mut children: Vec<Option<Child>> = records
        .iter()
        .map(|r| start(command, scrub, &payload(&r.record)))
        .collect();
    let mut statuses = vec![FAIL; records.len()];
    loop {
        let mut running = false;
        for (child, status) in children.iter_mut().zip(statuses.iter_mut()) {
            let Some(c) = child else { continue };
            match c.try_wait() {
                Ok(Some(exit)) => {
                    *status = if exit.success() { SUCCESS } else { FAIL };
                    *child = None;
                }
                Ok(None) => running = true,
                Err(_) => {
                    stop(c);
                    *child = None;
                }
            }
        }
        if !running {
            return statuses;
        }
        if Instant::now() >= deadline {
            for c in children.iter_mut().flatten() {
                stop(c);
            }
            return statuses;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The command started with `input` written to its stdin (then closed); `None` if it could not
/// start.
fn start(command: &Path, scrub: &[String], input: &str) -> Option<Child> {
    let mut cmd = Command::new(command);
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for name in scrub {
        cmd.env_remove(name);
    }
    // Its own process group: a timeout ends whatever it started too.
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let mut child = cmd.spawn().ok()?;
    if let Some(mut stdin) = child.stdin.take() {
        // A command that does not read its input is judged by its exit status alone. The write
        // cannot block: a record is at most a few KiB (bounded names, ids and targets), far
        // under a pipe's capacity.
        let _ = stdin.write_all(input.as_bytes());
    }
    Some(child)
}

/// Ends the command and everything in its process group.
fn stop(child: &mut Child) {
    if let Some(group) = rustix::process::Pid::from_raw(child.id().cast_signed()) {
        let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
    }
    let _ = child.kill();
    let _ = child.wait();
}
