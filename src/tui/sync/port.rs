//! [`SyncPort`]: what the app asks of sync, and [`VaultPort`], the real one: the vault (or its
//! agent) through [`Execute`], the remote through `remote::connect` (one connected client per
//! remote, kept while the vault is open), a secret's standing through `sync::status::standing`;
//! a plan and its run through the engine's entry points ([`Engine`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::csms::op::{Execute, Request, Response};
use crate::csms::{ApiError, ErrorCode, RemoteInfo};
use crate::remote::RemoteApi;
use crate::sync::mac::MacKey;
use crate::sync::plan::{Mode, Options, Outcome, PlanItem};
use crate::sync::status::{Standing, standing};

/// One remote's answer for one secret: its standing, or why it could not be had.
pub type RemoteStanding = (String, Result<Standing, ApiError>);

/// A connected remote, shared by the jobs that use it.
pub type Client = Arc<dyn RemoteApi + Send>;

/// What the terminal app asks of sync. Every call may be slow (the network) and is made on a
/// worker thread, never between frames.
pub trait SyncPort: Send + Sync {
    /// The vault's remotes, by name (never an SK).
    ///
    /// Errors: the vault's (the remotes cannot be read).
    fn remotes(&self) -> Result<Vec<RemoteInfo>, ApiError>;

    /// Where `secret` stands with `remote` (metadata and the sync state only: no value read).
    ///
    /// Errors: `SYNC.0001` unreachable, `SYNC.0003` wrong key, `SYNC.0004` clock skew, `SYNC.0006`
    /// no such remote, …; the vault's.
    fn standing(&self, secret: &str, remote: &str) -> Result<Standing, ApiError>;

    /// The plan of a `mode` run with `remote`, over every secret or only `names`: one item per
    /// secret, in name order. Nothing is written.
    ///
    /// Errors: `SYNC.*` (the remote could not be read; nothing written), the vault's.
    fn plan(
        &self,
        remote: &str,
        mode: Mode,
        names: Option<&[String]>,
    ) -> Result<Vec<PlanItem>, ApiError>;

    /// Carries out `plan` (as [`Self::plan`] made it) with `remote`: one outcome per item.
    ///
    /// Errors: a fatal one (unreachable, wrong SK, clock skew) that stopped the run; the items
    /// of the batches before it are done and recorded (a run again finds them in step).
    fn run(
        &self,
        remote: &str,
        mode: Mode,
        names: Option<&[String]>,
        plan: &[PlanItem],
    ) -> Result<Vec<Outcome>, ApiError>;
}

/// The sync engine's entry points, as the app calls them: `sync::plan` / `sync::run` with a
/// connected remote.
pub struct Engine;

impl Engine {
    /// The plan of a `mode` run with `remote` (connected as `api`) over every secret or
    /// `names`, with `options`.
    ///
    /// Errors: `SYNC.*`, the vault's.
    pub fn plan(
        vault: &dyn Execute,
        api: &dyn RemoteApi,
        remote: &str,
        mode: Mode,
        names: Option<&[String]>,
        options: Options,
    ) -> Result<crate::sync::Plan, ApiError> {
        crate::sync::plan(vault, api, remote, mode, options, names, &|_, _| {})
    }

    /// Carries `plan` out if it is still `shown`: what the person confirmed is what runs, never
    /// a plan they did not see.
    ///
    /// Errors: `CSMS.0002` when the plan changed since it was shown (nothing written); a fatal
    /// `SYNC.*` one (the batches before it stay written and recorded).
    pub fn run(
        vault: &dyn Execute,
        api: &dyn RemoteApi,
        plan: &crate::sync::Plan,
        shown: &[PlanItem],
    ) -> Result<Vec<Outcome>, ApiError> {
        if plan.items != shown {
            return Err(ApiError::invalid(crate::tui::text::sync::PLAN_CHANGED));
        }
        let report = crate::sync::run(vault, api, plan, &|_, _| {});
        report.stopped.map_or(Ok(report.outcomes), Err)
    }
}

/// The real port: the vault (a handle of its own, or a connection of its own to the agent) and
/// one connected client per remote, both let go by [`VaultPort::close`] (the app locked).
pub struct VaultPort<V> {
    /// The vault; `None` once closed. Each step takes it anew, so a closed port starts no step.
    vault: Mutex<Option<Arc<V>>>,
    /// Per remote: the settings its client was made with, and the client. A remote removed and
    /// added again (other settings, a new creation time) gets a new one.
    clients: Mutex<HashMap<String, (RemoteInfo, Client)>>,
}

/// A lock that a panicked holder left is still usable: the map and the slot hold no half-done
/// state.
fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<V: Execute + Send + Sync> VaultPort<V> {
    pub fn new(vault: V) -> Self {
        Self {
            vault: Mutex::new(Some(Arc::new(vault))),
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// Lets the vault and the clients go (the app locked): no step starts after this. A step
    /// under way keeps the vault handle or the client it holds until that step ends.
    pub fn close(&self) {
        drop(locked(&self.vault).take());
        locked(&self.clients).clear();
    }

    /// The vault, for one step.
    ///
    /// Errors: `CSMS.0500` once closed.
    fn vault(&self) -> Result<Arc<V>, ApiError> {
        locked(&self.vault).clone().ok_or_else(closed)
    }

    /// `remote`'s client: the one kept if its settings did not change, else a new one (its SK
    /// opened, connected) kept for the next calls.
    ///
    /// Errors: `SYNC.0006` no such remote, `SYNC.0005` policy, those of `remote::connect`,
    /// `CSMS.0500` once closed.
    fn client(&self, remote: &str) -> Result<Client, ApiError> {
        let vault = self.vault()?;
        let Response::Remotes(remotes) = vault.execute(&Request::ListRemotes)? else {
            return Err(unexpected());
        };
        let settings = remotes.into_iter().find(|r| r.name == remote).map(|mut r| {
            // The last sync's time is no setting.
            r.last_sync_time = None;
            r
        });
        if let Some(settings) = &settings
            && let Some((made_with, client)) = locked(&self.clients).get(remote)
            && made_with == settings
        {
            return Ok(Arc::clone(client));
        }
        let Response::OpenedRemote(opened) = vault.execute(&Request::OpenRemote {
            name: remote.to_owned(),
        })?
        else {
            return Err(unexpected());
        };
        // The vault is not held while connecting (an IAM lookup may be slow).
        drop(vault);
        let client: Client = Arc::from(crate::remote::connect(&opened)?);
        drop(opened);
        let mut clients = locked(&self.clients);
        if locked(&self.vault).is_none() {
            return Err(closed());
        }
        match settings {
            Some(settings) => {
                clients.insert(remote.to_owned(), (settings, Arc::clone(&client)));
            }
            None => {
                clients.remove(remote);
            }
        }
        Ok(client)
    }

    /// `remote`'s plan for `names` (`None`: every secret).
    fn planned(
        &self,
        remote: &str,
        mode: Mode,
        names: Option<&[String]>,
    ) -> Result<(Client, crate::sync::Plan), ApiError> {
        let api = self.client(remote)?;
        let vault = self.vault()?;
        let plan = Engine::plan(&*vault, &*api, remote, mode, names, Options::default())?;
        Ok((api, plan))
    }
}

/// The port was closed (the app locked).
fn closed() -> ApiError {
    ApiError::new(ErrorCode::Internal, crate::tui::text::sync::NOT_OPEN)
}

fn unexpected() -> ApiError {
    ApiError::new(
        ErrorCode::Internal,
        crate::tui::text::status::UNEXPECTED_ANSWER,
    )
}

impl<V: Execute + Send + Sync> SyncPort for VaultPort<V> {
    fn remotes(&self) -> Result<Vec<RemoteInfo>, ApiError> {
        match self.vault()?.execute(&Request::ListRemotes)? {
            Response::Remotes(remotes) => Ok(remotes),
            _ => Err(unexpected()),
        }
    }

    /// The local side and the sync state from the vault, the remote's metadata from the remote
    /// (no value read on either side); the vault is not held during the remote's request.
    fn standing(&self, secret: &str, remote: &str) -> Result<Standing, ApiError> {
        let names = vec![secret.to_owned()];
        let Response::SyncView(view) = self.vault()?.execute(&Request::SyncView {
            remote: remote.to_owned(),
            names: Some(names.clone()),
        })?
        else {
            return Err(unexpected());
        };
        let key = MacKey::from_base64(&view.mac_key).ok_or_else(unexpected)?;
        let api = self.client(remote)?;
        // Closed meanwhile: the remote is not asked.
        self.vault()?;
        let there = api.list(Some(&names), &|_| {})?;
        Ok(standing(
            &key,
            view.secrets.iter().find(|s| s.name == secret),
            there.iter().find(|s| s.name == secret),
            view.records.iter().find(|r| r.name == secret),
        ))
    }

    fn plan(
        &self,
        remote: &str,
        mode: Mode,
        names: Option<&[String]>,
    ) -> Result<Vec<PlanItem>, ApiError> {
        Ok(self.planned(remote, mode, names)?.1.items)
    }

    /// Plans again and runs that plan if it is the one `plan` shown.
    fn run(
        &self,
        remote: &str,
        mode: Mode,
        names: Option<&[String]>,
        plan: &[PlanItem],
    ) -> Result<Vec<Outcome>, ApiError> {
        let (api, planned) = self.planned(remote, mode, names)?;
        // Closed while planning: nothing is written.
        let vault = self.vault()?;
        Engine::run(&*vault, &*api, &planned, plan)
    }
}

#[cfg(test)]
mod tests {
    //! The port keeps one client per remote while its settings stay, and none once closed.

    use std::sync::atomic::{AtomicUsize, Ordering};

    use zeroize::Zeroizing;

    use super::*;
    use crate::csms::OpenedRemote;

    /// A vault with one remote `home` (its settings changeable), counting the SK openings.
    struct Remotes {
        info: Mutex<RemoteInfo>,
        opened: AtomicUsize,
    }

    impl Execute for Remotes {
        fn execute(&self, request: &Request) -> Result<Response, ApiError> {
            let info = locked(&self.info).clone();
            match request {
                Request::ListRemotes => Ok(Response::Remotes(vec![info])),
                Request::OpenRemote { name } if *name == info.name => {
                    self.opened.fetch_add(1, Ordering::SeqCst);
                    Ok(Response::OpenedRemote(OpenedRemote {
                        info,
                        secret_key: Zeroizing::new("SK".to_owned()),
                        ca_pem: None,
                    }))
                }
                _ => Err(ApiError::new(ErrorCode::RemoteNotFound, "No such remote.")),
            }
        }
    }

    fn port() -> VaultPort<Remotes> {
        VaultPort::new(Remotes {
            info: Mutex::new(RemoteInfo {
                name: "home".to_owned(),
                // Loopback, a project id given: connecting sends nothing.
                endpoint: "http://127.0.0.1:9".to_owned(),
                project_id: Some("p".to_owned()),
                region: None,
                iam_endpoint: None,
                access_key: "AK".to_owned(),
                has_ca: false,
                create_time: 1,
                last_sync_time: None,
            }),
            opened: AtomicUsize::new(0),
        })
    }

    fn opened(port: &VaultPort<Remotes>) -> usize {
        port.vault().map_or(0, |v| v.opened.load(Ordering::SeqCst))
    }

    fn change(port: &VaultPort<Remotes>, how: impl FnOnce(&mut RemoteInfo)) {
        if let Ok(vault) = port.vault() {
            how(&mut locked(&vault.info));
        }
    }

    #[test]
    fn one_client_per_remote_until_its_settings_change_and_none_once_closed() {
        let port = port();
        let first = port.client("home").ok();
        let again = port.client("home").ok();
        assert!(first.is_some());
        assert!(matches!((&first, &again), (Some(a), Some(b)) if Arc::ptr_eq(a, b)));
        assert_eq!(opened(&port), 1);
        // A sync's time is no setting: the same client.
        change(&port, |info| info.last_sync_time = Some(5));
        let synced = port.client("home").ok();
        assert!(matches!((&first, &synced), (Some(a), Some(b)) if Arc::ptr_eq(a, b)));
        assert_eq!(opened(&port), 1);
        // Removed and added again with another key: a new client, its SK opened again.
        change(&port, |info| {
            info.access_key = "AK2".to_owned();
            info.create_time = 2;
        });
        let readded = port.client("home").ok();
        assert!(matches!((&first, &readded), (Some(a), Some(b)) if !Arc::ptr_eq(a, b)));
        assert_eq!(opened(&port), 2);
        // No such remote: its error, nothing kept.
        assert_eq!(
            port.client("cloud").err().map(|e| e.code),
            Some(ErrorCode::RemoteNotFound)
        );
        // Closed (the app locked): the vault and the clients let go, no step starts.
        port.close();
        assert!(locked(&port.clients).is_empty());
        assert!(port.client("home").is_err());
        assert!(port.standing("db", "home").is_err());
        assert!(port.remotes().is_err());
    }
}
