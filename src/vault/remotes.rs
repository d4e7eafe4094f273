//! CSMS remotes (issue 17), the vault's part: each kept with its SK sealed under the root key
//! (bound to every setting of the remote: name, AK, endpoints, project, region, CA roots), listed
//! without it, opened only to connect.

use zeroize::Zeroizing;

use super::remote_rules::check_remote_spec;
use super::{Vault, VaultResult};
use crate::csms::{ApiError, ErrorCode, OpenedRemote, RemoteInfo, RemoteSpec};
use crate::kms::RemoteBinding;
use crate::store::StoreError;
use crate::store::remotes::{self, RemoteKeys, RemoteRow};

/// `SYNC.0006`: no remote of that name.
pub(super) fn no_remote(name: &str) -> ApiError {
    ApiError::new(
        ErrorCode::RemoteNotFound,
        format!("No remote named {name}: csvault remote list shows them."),
    )
}

fn name_taken(name: &str) -> ApiError {
    ApiError::new(
        ErrorCode::RemoteNotFound,
        format!("A remote named {name} already exists: remove it first, or choose another name."),
    )
}

/// `VAULT.0003`: the stored SK does not open with the stored settings (the vault file was
/// altered).
fn sk_unopenable(name: &str) -> ApiError {
    ApiError::new(
        ErrorCode::VaultCorrupt,
        format!(
            "The settings of remote {name} were altered in the vault file (its secret key no \
             longer opens with them): remove the remote and add it again."
        ),
    )
}

/// What the remote's sealed SK is bound to: every stored setting of `row`, and `ca_pem`.
fn binding<'a>(row: &'a RemoteRow, ca_pem: Option<&'a str>) -> RemoteBinding<'a> {
    RemoteBinding {
        name: &row.name,
        access_key: &row.access_key,
        endpoint: &row.endpoint,
        iam_endpoint: row.iam_endpoint.as_deref(),
        project_id: row.project_id.as_deref(),
        region: row.region.as_deref(),
        ca_pem,
    }
}

fn info_of(row: RemoteRow) -> RemoteInfo {
    RemoteInfo {
        name: row.name,
        endpoint: row.endpoint,
        project_id: row.project_id,
        region: row.region,
        iam_endpoint: row.iam_endpoint,
        access_key: row.access_key,
        has_ca: row.has_ca,
        create_time: row.create_time,
        last_sync_time: row.last_sync_time,
    }
}

impl Vault {
    /// `remote add`: checks the remote (`remote_rules::check_remote_spec`), seals its SK and
    /// stores it. Errors: as the check; `SYNC.0006` when the name is taken (nothing changed).
    pub(super) fn add_remote(&self, spec: &RemoteSpec) -> VaultResult<RemoteInfo> {
        check_remote_spec(spec)?;
        let endpoint = spec.endpoint.trim().trim_end_matches('/');
        let iam_endpoint = spec
            .iam_endpoint
            .as_deref()
            .map(|e| e.trim().trim_end_matches('/').to_owned());
        let row = RemoteRow {
            name: spec.name.clone(),
            endpoint: endpoint.to_owned(),
            project_id: spec.project_id.clone(),
            region: spec.region.clone(),
            iam_endpoint,
            access_key: spec.access_key.clone(),
            has_ca: spec.ca_pem.is_some(),
            create_time: self.now_ms(),
            last_sync_time: None,
        };
        let sealed = self.keyring.seal_remote_sk(
            &binding(&row, spec.ca_pem.as_deref()),
            spec.secret_key.as_bytes(),
        )?;
        let keys = RemoteKeys {
            sealed_secret_key: sealed,
            ca_pem: spec.ca_pem.clone(),
        };
        let mut store = self.store();
        let tx = store.immediate()?;
        if !remotes::insert(&tx, &row, &keys)? {
            return Err(name_taken(&spec.name).into());
        }
        tx.commit().map_err(StoreError::from)?;
        Ok(info_of(row))
    }

    /// `remote list`: every remote by name, never an SK.
    pub(super) fn list_remotes(&self) -> VaultResult<Vec<RemoteInfo>> {
        let mut store = self.store();
        let read = store.snapshot()?;
        Ok(remotes::all(&read)?.into_iter().map(info_of).collect())
    }

    /// `remote remove`: the remote, its sync state and its version links, in one transaction.
    /// Errors: `SYNC.0006` when there is none.
    pub(super) fn remove_remote(&self, name: &str) -> VaultResult<()> {
        let mut store = self.store();
        let tx = store.immediate()?;
        if !remotes::delete(&tx, name)? {
            return Err(no_remote(name).into());
        }
        tx.commit().map_err(StoreError::from)?;
        Ok(())
    }

    /// A remote with its SK opened, to connect to it. Errors: `SYNC.0006` when there is none;
    /// `VAULT.0003` when its sealed SK does not open with its stored settings (any of
    /// them altered in the file, or the SK moved from another remote).
    pub(super) fn open_remote(&self, name: &str) -> VaultResult<OpenedRemote> {
        let stored = {
            let mut store = self.store();
            let read = store.snapshot()?;
            remotes::with_keys(&read, name)?
        };
        let (row, keys) = stored.ok_or_else(|| no_remote(name))?;
        let sk = self
            .keyring
            .open_remote_sk(
                &binding(&row, keys.ca_pem.as_deref()),
                &keys.sealed_secret_key,
            )
            .map_err(|_| sk_unopenable(name))?;
        let secret_key = Zeroizing::new(
            std::str::from_utf8(&sk)
                .map_err(|_| sk_unopenable(name))?
                .to_owned(),
        );
        Ok(OpenedRemote {
            info: info_of(row),
            secret_key,
            ca_pem: keys.ca_pem,
        })
    }
}
