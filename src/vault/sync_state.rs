//! The sync state (issue 17), the vault's part: what a sync with one remote reads locally in one
//! snapshot (secrets without values, records, version links, the MAC key), and what a finished
//! piece of its work records, in one transaction.

use zeroize::Zeroizing;

use super::remote_rules::check_update;
use super::remotes::no_remote;
use super::{Vault, VaultResult};
use crate::csms::{SyncStateUpdate, SyncView};
use crate::store::StoreError;
use crate::store::{remotes, sync_state};

impl Vault {
    /// Every secret (or those of `names` that exist) with its state, description, `SYSCURRENT`
    /// version id, tags and update time; the remote's records and links of those names (of
    /// secrets gone locally too); the MAC key (base64). One read snapshot, three statements
    /// whatever the number of secrets. Errors: `SYNC.0006` when there is no such remote.
    pub(super) fn sync_view(
        &self,
        remote: &str,
        names: Option<&[String]>,
    ) -> VaultResult<SyncView> {
        let (secrets, records, links) = {
            let mut store = self.store();
            let read = store.snapshot()?;
            if !remotes::exists(&read, remote)? {
                return Err(no_remote(remote).into());
            }
            (
                sync_state::local_secrets(&read, names)?,
                sync_state::records(&read, remote, names)?,
                sync_state::links(&read, remote, names)?,
            )
        };
        Ok(SyncView {
            secrets,
            records,
            links,
            mac_key: self.sync_mac_key(),
        })
    }

    /// The MAC key as base64, written straight into a wiped buffer of its final size.
    fn sync_mac_key(&self) -> Zeroizing<String> {
        use base64::Engine as _;
        let key = self.keyring.sync_mac_key();
        let mut text = Zeroizing::new(String::with_capacity(64));
        base64::engine::general_purpose::STANDARD.encode_string(key.as_bytes(), &mut text);
        text
    }

    /// Records what a piece of sync work left in step: its records written or replaced, the
    /// `forget` names' records and links dropped, its links added (one already there is kept),
    /// and, when `finished`, the remote's last sync time set to now. One transaction: all of it
    /// or nothing. Errors: `CSMS.0002` for a record that breaks `remote_rules::check_update`;
    /// `SYNC.0006` when there is no such remote.
    pub(super) fn save_sync_state(&self, update: &SyncStateUpdate) -> VaultResult<()> {
        check_update(update)?;
        let remote = update.remote.as_str();
        let mut store = self.store();
        let tx = store.immediate()?;
        if !remotes::exists(&tx, remote)? {
            return Err(no_remote(remote).into());
        }
        for record in &update.records {
            sync_state::upsert_record(&tx, remote, record)?;
        }
        for name in &update.forget {
            sync_state::forget(&tx, remote, name)?;
        }
        for link in &update.links {
            sync_state::insert_link(&tx, remote, link)?;
        }
        if update.finished {
            remotes::set_last_sync(&tx, remote, self.now_ms())?;
        }
        tx.commit().map_err(StoreError::from)?;
        Ok(())
    }
}
