//! Remote work off the UI thread: a [`RemoteJob`] runs on a worker thread against the
//! [`SyncPort`]; its answers ([`RemoteAnswer`]) wait in a channel until the session takes them
//! (each tick) and hands them to `update` as messages. The draw loop never waits for a remote.
//!
//! Bounded: at most [`MAX_WORKERS`] worker threads at a time (one of them kept for the sync
//! dialog's work), at most one standing asked of a remote at a time (a newer request for that
//! remote replaces the one waiting). [`RemoteWork::stop`] (the app locked) drops what waits,
//! tells the jobs under way to stop between steps, and drops every answer they still send.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use super::port::SyncPort;
use crate::csms::{ApiError, ErrorCode, RemoteInfo};
use crate::sync::plan::{Mode, Outcome, PlanItem};
use crate::sync::status::Standing;
use crate::tui::text::sync as t;

/// The most worker threads running remote jobs at a time.
pub const MAX_WORKERS: usize = 4;

/// What to ask of the remotes. `names`: the secrets a plan covers (`None`: every secret).
#[derive(Debug)]
pub enum RemoteJob {
    /// The remotes a secret's standing is to be asked of (the detail screen's block): the
    /// vault's list, no remote asked.
    Standings { secret: String },
    /// A secret's standing with one remote (one line of the block).
    Standing { secret: String, remote: String },
    /// The remotes to choose from (before a plan).
    Remotes { names: Option<Vec<String>> },
    /// A sync's plan with `remote`.
    Plan {
        remote: String,
        names: Option<Vec<String>>,
    },
    /// The plan, carried out.
    Run {
        remote: String,
        names: Option<Vec<String>>,
        plan: Vec<PlanItem>,
    },
}

/// What a job answered: each job answers exactly once (a stopped one may not).
#[derive(Debug)]
pub enum RemoteAnswer {
    /// `secret`'s standing is to be asked of each of `remotes` (empty: the vault has none, or
    /// they could not be read).
    Checking {
        secret: String,
        remotes: Vec<String>,
    },
    /// `secret`'s standing with `remote`, or why it could not be had.
    Standing {
        secret: String,
        remote: String,
        answer: Result<Standing, ApiError>,
    },
    Remotes {
        names: Option<Vec<String>>,
        result: Result<Vec<RemoteInfo>, ApiError>,
    },
    Planned {
        remote: String,
        names: Option<Vec<String>>,
        result: Result<Vec<PlanItem>, ApiError>,
    },
    Ran {
        remote: String,
        names: Option<Vec<String>>,
        result: Result<Vec<Outcome>, ApiError>,
    },
}

impl RemoteJob {
    /// Runs the job against `port` and sends its answer to `send`, unless `stop` was set before
    /// a step (then it ends without one).
    pub fn run(self, port: &dyn SyncPort, stop: &AtomicBool, send: &dyn Fn(RemoteAnswer)) {
        let stopped = || stop.load(Ordering::SeqCst);
        if stopped() {
            return;
        }
        let mode = Mode::Sync;
        let answer = match self {
            Self::Standings { secret } => {
                // The remotes that cannot be read are no block at all (nothing new on a vault
                // without remotes); `S` says why when asked.
                let remotes: Vec<String> = port
                    .remotes()
                    .map(|list| list.into_iter().map(|r| r.name).collect())
                    .unwrap_or_default();
                RemoteAnswer::Checking { secret, remotes }
            }
            Self::Standing { secret, remote } => {
                let answer = port.standing(&secret, &remote);
                RemoteAnswer::Standing {
                    secret,
                    remote,
                    answer,
                }
            }
            Self::Remotes { names } => RemoteAnswer::Remotes {
                names,
                result: port.remotes(),
            },
            Self::Plan { remote, names } => {
                let result = port.plan(&remote, mode, names.as_deref());
                RemoteAnswer::Planned {
                    remote,
                    names,
                    result,
                }
            }
            Self::Run {
                remote,
                names,
                plan,
            } => {
                let result = port.run(&remote, mode, names.as_deref(), &plan);
                RemoteAnswer::Ran {
                    remote,
                    names,
                    result,
                }
            }
        };
        if !stopped() {
            send(answer);
        }
    }

    /// The answer of this job when it could not run at all (`error`).
    pub fn failed(&self, error: ApiError) -> RemoteAnswer {
        match self {
            Self::Standings { secret } => RemoteAnswer::Checking {
                secret: secret.clone(),
                remotes: Vec::new(),
            },
            Self::Standing { secret, remote } => RemoteAnswer::Standing {
                secret: secret.clone(),
                remote: remote.clone(),
                answer: Err(error),
            },
            Self::Remotes { names } => RemoteAnswer::Remotes {
                names: names.clone(),
                result: Err(error),
            },
            Self::Plan { remote, names } => RemoteAnswer::Planned {
                remote: remote.clone(),
                names: names.clone(),
                result: Err(error),
            },
            Self::Run { remote, names, .. } => RemoteAnswer::Ran {
                remote: remote.clone(),
                names: names.clone(),
                result: Err(error),
            },
        }
    }

    /// The remote whose standing this job asks, if it is such a job.
    fn standing_of(&self) -> Option<&str> {
        match self {
            Self::Standing { remote, .. } => Some(remote),
            _ => None,
        }
    }
}

/// What a worker thread sends back.
enum Note {
    /// A job's answer, with the epoch it was started in.
    Answer(u64, RemoteAnswer),
    /// A worker thread ended (its job asked `remote`'s standing, if `Some`).
    Ended(Option<String>),
}

/// Sends [`Note::Ended`] when its worker thread ends, however it ends.
struct EndGuard {
    send: Sender<Note>,
    standing_of: Option<String>,
}

impl Drop for EndGuard {
    fn drop(&mut self) {
        let _ = self.send.send(Note::Ended(self.standing_of.take()));
    }
}

/// A job waiting for a worker, with the port it runs against.
struct Waiting {
    job: RemoteJob,
    port: Arc<dyn SyncPort>,
}

/// The jobs waiting and under way, and their answers' channel.
pub struct RemoteWork {
    send: Sender<Note>,
    notes: Receiver<Note>,
    /// Answers given without a worker (the job could not start), not taken yet.
    ready: VecDeque<RemoteAnswer>,
    /// Jobs waiting for a worker, in the order asked.
    waiting: VecDeque<Waiting>,
    /// Worker threads running (those of stopped jobs included, until they end).
    running: usize,
    /// The remotes whose standing a running worker asks.
    asking: HashSet<String>,
    /// Counts [`Self::stop`]s: answers of jobs started before the last one are dropped.
    epoch: u64,
    /// Set by [`Self::stop`] for the jobs started since the one before.
    stop: Arc<AtomicBool>,
    /// Worker threads started so far.
    started: usize,
    /// Whether a job was asked for since the last [`Self::stop`] (else a stop has nothing to do).
    live: bool,
}

impl Default for RemoteWork {
    fn default() -> Self {
        let (send, notes) = mpsc::channel();
        Self {
            send,
            notes,
            ready: VecDeque::new(),
            waiting: VecDeque::new(),
            running: 0,
            asking: HashSet::new(),
            epoch: 0,
            stop: Arc::new(AtomicBool::new(false)),
            started: 0,
            live: false,
        }
    }
}

impl RemoteWork {
    /// Asks for `job` against `port` (or, with no port to be had, answers with `port`'s error
    /// at once): it starts when a worker is free, and for a remote's standing when no other
    /// standing is being asked of that remote; one waiting for the same remote's standing is
    /// replaced.
    pub fn start(&mut self, job: RemoteJob, port: Result<Arc<dyn SyncPort>, ApiError>) {
        self.live = true;
        let port = match port {
            Ok(port) => port,
            Err(e) => {
                self.ready.push_back(job.failed(e));
                return;
            }
        };
        if let Some(remote) = job.standing_of()
            && let Some(older) = self
                .waiting
                .iter_mut()
                .find(|w| w.job.standing_of() == Some(remote))
        {
            *older = Waiting { job, port };
        } else {
            self.waiting.push_back(Waiting { job, port });
        }
        self.pump();
    }

    /// Starts the waiting jobs that may start.
    fn pump(&mut self) {
        let mut i = 0;
        while self.running < MAX_WORKERS && i < self.waiting.len() {
            let may = match self.waiting[i].job.standing_of() {
                // One worker is kept for the dialog's jobs.
                Some(remote) => {
                    !self.asking.contains(remote) && self.asking.len() < MAX_WORKERS - 1
                }
                None => true,
            };
            match may.then(|| self.waiting.remove(i)).flatten() {
                Some(waiting) => self.spawn(waiting),
                None => i += 1,
            }
        }
    }

    fn spawn(&mut self, Waiting { job, port }: Waiting) {
        let standing_of = job.standing_of().map(str::to_owned);
        // Said instead, should the thread not start.
        let fallback = job.failed(ApiError::new(ErrorCode::Internal, t::NO_WORKER));
        let send = self.send.clone();
        let guard = EndGuard {
            send: self.send.clone(),
            standing_of: standing_of.clone(),
        };
        let stop = Arc::clone(&self.stop);
        let epoch = self.epoch;
        // Counted before it starts: should the thread not start, the guard goes with the
        // closure and its `Ended` is in the channel all the same.
        self.running += 1;
        if let Some(remote) = standing_of {
            self.asking.insert(remote);
        }
        let started = std::thread::Builder::new()
            .name("csvault-sync".into())
            .spawn(move || {
                let _ended = guard;
                job.run(&*port, &stop, &|answer| {
                    let _ = send.send(Note::Answer(epoch, answer));
                });
            });
        match started {
            Ok(_) => self.started += 1,
            Err(_) => self.ready.push_back(fallback),
        }
    }

    /// The app locked: nothing waiting starts, the jobs under way are told to stop between
    /// steps, and their answers are dropped when they come.
    pub fn stop(&mut self) {
        if !std::mem::take(&mut self.live) {
            return;
        }
        self.waiting.clear();
        self.ready.clear();
        self.stop.store(true, Ordering::SeqCst);
        self.stop = Arc::new(AtomicBool::new(false));
        self.epoch += 1;
    }

    /// Takes `note`: an answer of this epoch into `out`, a worker's end counted.
    fn note(&mut self, note: Note, out: &mut Vec<RemoteAnswer>) {
        match note {
            Note::Answer(epoch, answer) => {
                if epoch == self.epoch {
                    out.push(answer);
                }
            }
            Note::Ended(standing_of) => {
                self.running = self.running.saturating_sub(1);
                if let Some(remote) = standing_of {
                    self.asking.remove(&remote);
                }
            }
        }
    }

    /// The answers that came, without waiting (and the jobs that may start now, started).
    pub fn take(&mut self) -> Vec<RemoteAnswer> {
        let mut out: Vec<RemoteAnswer> = self.ready.drain(..).collect();
        while let Ok(note) = self.notes.try_recv() {
            self.note(note, &mut out);
        }
        self.pump();
        out
    }

    /// The answers that came, waiting until `deadline` at most for something to come (for
    /// tests and a quitting app); `None` when nothing came.
    pub fn wait(&mut self, deadline: Instant) -> Option<Vec<RemoteAnswer>> {
        if !self.ready.is_empty() {
            return Some(self.take());
        }
        let left = deadline.saturating_duration_since(Instant::now());
        match self.notes.recv_timeout(left.max(Duration::from_millis(1))) {
            Ok(note) => {
                let mut out = Vec::new();
                self.note(note, &mut out);
                out.extend(self.take());
                Some(out)
            }
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => None,
        }
    }

    /// How many jobs are waiting or under way, or answered and not taken yet.
    pub fn under_way(&self) -> usize {
        self.running + self.waiting.len() + self.ready.len()
    }

    /// How many worker threads were started so far.
    pub fn started(&self) -> usize {
        self.started
    }
}
