//! Remote work off the UI thread: a [`RemoteJob`] runs on a worker thread against the
//! [`SyncPort`]; its answers ([`RemoteAnswer`]) wait in a channel until the session takes them
//! (each tick) and hands them to `update` as messages. The draw loop never waits for a remote.

use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use super::port::{RemoteStanding, SyncPort};
use crate::csms::{ApiError, ErrorCode, RemoteInfo};
use crate::sync::plan::{Mode, Outcome, PlanItem};

/// What to ask of the remotes. `names`: the secrets a plan covers (`None`: every secret).
#[derive(Debug)]
pub enum RemoteJob {
    /// A secret's standing with every remote (the detail screen's block).
    Standings { secret: String },
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

/// What a job answered. Every job ends with exactly one final answer; [`Self::Checking`] comes
/// before a secret's standings when there are remotes to ask.
#[derive(Debug)]
pub enum RemoteAnswer {
    /// `secret`'s standings are being asked of `remotes` (no remote: no such answer).
    Checking {
        secret: String,
        remotes: Vec<String>,
    },
    /// `secret`'s standing with each remote (empty: the vault has none, or they could not be
    /// read).
    Standings {
        secret: String,
        standings: Vec<RemoteStanding>,
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

impl RemoteAnswer {
    /// Whether this is its job's last answer.
    pub fn is_final(&self) -> bool {
        !matches!(self, Self::Checking { .. })
    }
}

impl RemoteJob {
    /// Runs the job against `port`, sending each answer to `send` as it comes.
    pub fn run(self, port: &dyn SyncPort, send: &dyn Fn(RemoteAnswer)) {
        let mode = Mode::Sync;
        match self {
            Self::Standings { secret } => {
                // The remotes that cannot be read are no block at all (nothing new on a vault
                // without remotes); `S` says why when asked.
                let remotes: Vec<String> = port
                    .remotes()
                    .map(|list| list.into_iter().map(|r| r.name).collect())
                    .unwrap_or_default();
                if remotes.is_empty() {
                    send(RemoteAnswer::Standings {
                        secret,
                        standings: Vec::new(),
                    });
                    return;
                }
                send(RemoteAnswer::Checking {
                    secret: secret.clone(),
                    remotes: remotes.clone(),
                });
                let standings = port.standings(&secret, &remotes);
                send(RemoteAnswer::Standings { secret, standings });
            }
            Self::Remotes { names } => send(RemoteAnswer::Remotes {
                names,
                result: port.remotes(),
            }),
            Self::Plan { remote, names } => {
                let result = port.plan(&remote, mode, names.as_deref());
                send(RemoteAnswer::Planned {
                    remote,
                    names,
                    result,
                });
            }
            Self::Run {
                remote,
                names,
                plan,
            } => {
                let result = port.run(&remote, mode, names.as_deref(), &plan);
                send(RemoteAnswer::Ran {
                    remote,
                    names,
                    result,
                });
            }
        }
    }

    /// The final answer of this job when it could not run at all (`error`).
    pub fn failed(&self, error: ApiError) -> RemoteAnswer {
        match self {
            Self::Standings { secret } => RemoteAnswer::Standings {
                secret: secret.clone(),
                standings: Vec::new(),
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
}

/// The jobs under way and their answers' channel.
pub struct RemoteWork {
    send: Sender<RemoteAnswer>,
    answers: Receiver<RemoteAnswer>,
    /// Jobs started whose final answer has not been taken yet.
    under_way: usize,
}

impl Default for RemoteWork {
    fn default() -> Self {
        let (send, answers) = mpsc::channel();
        Self {
            send,
            answers,
            under_way: 0,
        }
    }
}

impl RemoteWork {
    /// Starts `job` on a worker thread against `port` (or, with no port to be had, answers
    /// with `port`'s error at once).
    pub fn start(&mut self, job: RemoteJob, port: Result<Arc<dyn SyncPort>, ApiError>) {
        self.under_way += 1;
        let port = match port {
            Ok(port) => port,
            Err(e) => {
                let _ = self.send.send(job.failed(e));
                return;
            }
        };
        let send = self.send.clone();
        // Said instead, should the thread not start.
        let fallback = job.failed(ApiError::new(ErrorCode::Internal, "No worker thread."));
        let started = std::thread::Builder::new()
            .name("csvault-sync".into())
            .spawn(move || {
                job.run(&*port, &|answer| {
                    let _ = send.send(answer);
                });
            });
        if started.is_err() {
            let _ = self.send.send(fallback);
        }
    }

    /// The answers that came, without waiting.
    pub fn take(&mut self) -> Vec<RemoteAnswer> {
        let mut out = Vec::new();
        while let Ok(answer) = self.answers.try_recv() {
            self.count(&answer);
            out.push(answer);
        }
        out
    }

    /// The next answer, waiting until `deadline` at most (for tests and a quitting app).
    pub fn wait(&mut self, deadline: Instant) -> Option<RemoteAnswer> {
        let left = deadline.saturating_duration_since(Instant::now());
        match self
            .answers
            .recv_timeout(left.max(Duration::from_millis(1)))
        {
            Ok(answer) => {
                self.count(&answer);
                Some(answer)
            }
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => None,
        }
    }

    fn count(&mut self, answer: &RemoteAnswer) {
        if answer.is_final() {
            self.under_way = self.under_way.saturating_sub(1);
        }
    }

    /// How many jobs have not answered for the last time yet.
    pub fn under_way(&self) -> usize {
        self.under_way
    }
}
