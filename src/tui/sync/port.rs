//! [`SyncPort`]: what the app asks of sync, and [`VaultPort`], the real one: the vault (or its
//! agent) through [`Execute`], the remote through `remote::connect`, a secret's standing through
//! `sync::status::standing`; a plan and its run through the engine's entry points ([`Engine`]).

use crate::csms::op::{Execute, Request, Response};
use crate::csms::{ApiError, ErrorCode, RemoteInfo};
use crate::sync::mac::MacKey;
use crate::sync::plan::{Mode, Options, Outcome, PlanItem};
use crate::sync::status::{Standing, standing};

/// One remote's answer for one secret: its standing, or why it could not be had.
pub type RemoteStanding = (String, Result<Standing, ApiError>);

/// What the terminal app asks of sync. Every call may be slow (the network) and is made on a
/// worker thread, never between frames.
pub trait SyncPort: Send + Sync {
    /// The vault's remotes, by name (never an SK).
    ///
    /// Errors: the vault's (the remotes cannot be read).
    fn remotes(&self) -> Result<Vec<RemoteInfo>, ApiError>;

    /// Where `secret` stands with each of `remotes`, in their order: one answer per remote, an
    /// error (`SYNC.0001` unreachable, `SYNC.0003` wrong key, `SYNC.0004` clock skew, …) for a
    /// remote that could not be asked.
    fn standings(&self, secret: &str, remotes: &[String]) -> Vec<RemoteStanding>;

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

/// The sync engine's entry points, as the app calls them: the remote opened and connected for
/// each call, then `sync::plan` / `sync::run`.
pub struct Engine;

impl Engine {
    /// The engine's plan of a `mode` run with `remote` over every secret or `names`.
    fn planned(
        vault: &dyn Execute,
        remote: &str,
        mode: Mode,
        names: Option<&[String]>,
        options: Options,
    ) -> Result<(Box<dyn crate::remote::RemoteApi + Send>, crate::sync::Plan), ApiError> {
        let Response::OpenedRemote(opened) = vault.execute(&Request::OpenRemote {
            name: remote.to_owned(),
        })?
        else {
            return Err(unexpected());
        };
        let api = crate::remote::connect(&opened)?;
        let plan = crate::sync::plan(vault, &*api, remote, mode, options, names, &|_, _| {})?;
        Ok((api, plan))
    }

    /// The plan of a `mode` run with `remote` over every secret or `names`, with `options`.
    ///
    /// Errors: `SYNC.*`, the vault's.
    pub fn plan(
        vault: &dyn Execute,
        remote: &str,
        mode: Mode,
        names: Option<&[String]>,
        options: Options,
    ) -> Result<Vec<PlanItem>, ApiError> {
        Ok(Self::planned(vault, remote, mode, names, options)?.1.items)
    }

    /// Plans again and carries the plan out if it is still `shown`: what the person confirmed is
    /// what runs, never a plan they did not see.
    ///
    /// Errors: as [`Self::plan`]; `CSMS.0002` when the plan changed since it was shown (nothing
    /// written).
    pub fn run(
        vault: &dyn Execute,
        remote: &str,
        mode: Mode,
        names: Option<&[String]>,
        shown: &[PlanItem],
        options: Options,
    ) -> Result<Vec<Outcome>, ApiError> {
        let (api, plan) = Self::planned(vault, remote, mode, names, options)?;
        if plan.items != shown {
            return Err(ApiError::invalid(
                "The vault or the remote changed since the plan was shown: nothing was done. Look at the new plan.",
            ));
        }
        let report = crate::sync::run(vault, &*api, &plan, &|_, _| {});
        report.stopped.map_or(Ok(report.outcomes), Err)
    }
}

/// The real port: the vault (a handle of its own, or a connection of its own to the agent).
pub struct VaultPort<V> {
    vault: V,
}

impl<V: Execute + Send + Sync> VaultPort<V> {
    pub fn new(vault: V) -> Self {
        Self { vault }
    }

    /// `secret`'s standing with `remote`: the local side and the sync state from the vault, the
    /// remote's metadata from the remote (no value read on either side).
    fn standing(&self, secret: &str, remote: &str) -> Result<Standing, ApiError> {
        let names = vec![secret.to_owned()];
        let Response::SyncView(view) = self.vault.execute(&Request::SyncView {
            remote: remote.to_owned(),
            names: Some(names.clone()),
        })?
        else {
            return Err(unexpected());
        };
        let key = MacKey::from_base64(&view.mac_key).ok_or_else(unexpected)?;
        let Response::OpenedRemote(opened) = self.vault.execute(&Request::OpenRemote {
            name: remote.to_owned(),
        })?
        else {
            return Err(unexpected());
        };
        let api = crate::remote::connect(&opened)?;
        let there = api.list(Some(&names), &|_| {})?;
        Ok(standing(
            &key,
            view.secrets.iter().find(|s| s.name == secret),
            there.iter().find(|s| s.name == secret),
            view.records.iter().find(|r| r.name == secret),
        ))
    }
}

fn unexpected() -> ApiError {
    ApiError::new(
        ErrorCode::Internal,
        "The vault answered something unexpected.",
    )
}

impl<V: Execute + Send + Sync> SyncPort for VaultPort<V> {
    fn remotes(&self) -> Result<Vec<RemoteInfo>, ApiError> {
        match self.vault.execute(&Request::ListRemotes)? {
            Response::Remotes(remotes) => Ok(remotes),
            _ => Err(unexpected()),
        }
    }

    fn standings(&self, secret: &str, remotes: &[String]) -> Vec<RemoteStanding> {
        // One thread per remote: a slow or hanging one does not hold up the others.
        std::thread::scope(|scope| {
            let asked: Vec<_> = remotes
                .iter()
                .map(|remote| scope.spawn(move || self.standing(secret, remote)))
                .collect();
            remotes
                .iter()
                .zip(asked)
                .map(|(remote, thread)| {
                    let answer = thread.join().unwrap_or_else(|_| Err(unexpected()));
                    (remote.clone(), answer)
                })
                .collect()
        })
    }

    fn plan(
        &self,
        remote: &str,
        mode: Mode,
        names: Option<&[String]>,
    ) -> Result<Vec<PlanItem>, ApiError> {
        Engine::plan(&self.vault, remote, mode, names, Options::default())
    }

    fn run(
        &self,
        remote: &str,
        mode: Mode,
        names: Option<&[String]>,
        plan: &[PlanItem],
    ) -> Result<Vec<Outcome>, ApiError> {
        Engine::run(&self.vault, remote, mode, names, plan, Options::default())
    }
}
