//! The checks: the secrets-check configuration and the report's windows, kept in the vault's
//! `settings` table, and `CheckSecrets` (docs/DECISIONS.md "checks", "Checks and the health report
//! (issue 14)").

use rusqlite::Connection;

use super::{Vault, VaultResult};
use crate::csms::{
    CHECK_TYPE_STRENGTH, CheckSecretsRequest, CheckSecretsResponse, ReportSettings, ReportWindows,
    SecretsConfig, UpdateSecretsConfigRequest, first_problem, strength,
};
use crate::store::StoreError;
use crate::store::checks::{set_setting, setting};

/// The setting that turns the weak-value warnings on (`true`/`false`).
const CHECKING: &str = "checking_secret_strength";
/// The report's window for soon-expiring versions, in days.
const EXPIRING_DAYS: &str = "report_expiring_days";
/// The report's age of an unchanged value, in days.
const UNCHANGED_DAYS: &str = "report_unchanged_days";

/// A stored setting that does not read as what it holds: the vault was altered.
fn unreadable(name: &str) -> StoreError {
    StoreError::corrupt(format!("the setting {name} does not read"))
}

/// The checks configuration as stored (off when never set).
fn config(conn: &Connection) -> VaultResult<SecretsConfig> {
    let checking_secret_strength = match setting(conn, CHECKING)?.as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(unreadable(CHECKING).into()),
    };
    Ok(SecretsConfig {
        checking_secret_strength,
    })
}

/// A window in days as stored, else `default`.
fn days(conn: &Connection, name: &str, default: u32) -> VaultResult<u32> {
    match setting(conn, name)? {
        None => Ok(default),
        Some(text) => Ok(text.parse().map_err(|_| unreadable(name))?),
    }
}

/// The report's windows as stored (the defaults, 30 and 365 days, when never set).
pub(super) fn report_settings(conn: &Connection) -> VaultResult<ReportSettings> {
    let default = ReportSettings::default();
    Ok(ReportSettings {
        expiring_days: days(conn, EXPIRING_DAYS, default.expiring_days)?,
        unchanged_days: days(conn, UNCHANGED_DAYS, default.unchanged_days)?,
    })
}

impl Vault {
    /// `ShowSecretsConfig`: whether the weak-value warnings are on (off in a new vault).
    pub fn secrets_config(&self) -> VaultResult<SecretsConfig> {
        config(self.store().conn_ref())
    }

    /// `UpdateSecretsConfig`: sets `checking_secret_strength` when the body has it (absent: nothing
    /// changes) and answers the configuration as it now is.
    pub fn update_secrets_config(
        &self,
        req: &UpdateSecretsConfigRequest,
    ) -> VaultResult<SecretsConfig> {
        let mut store = self.store();
        let tx = store.immediate()?;
        if let Some(on) = req.checking_secret_strength {
            set_setting(&tx, CHECKING, if on { "true" } else { "false" })?;
        }
        let now = config(&tx)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(now)
    }

    /// The local `UpdateReportSettings`: stores the report's windows that `change` gives (absent
    /// ones stay) and answers them as they now are. Errors: `CSMS.0002` `expiring_days` outside
    /// 1–365 or `unchanged_days` outside 1–3650.
    pub fn update_report_settings(&self, change: &ReportWindows) -> VaultResult<ReportSettings> {
        first_problem(&change.problems())?;
        let mut store = self.store();
        let tx = store.immediate()?;
        if let Some(d) = change.expiring_days {
            set_setting(&tx, EXPIRING_DAYS, &d.to_string())?;
        }
        if let Some(d) = change.unchanged_days {
            set_setting(&tx, UNCHANGED_DAYS, &d.to_string())?;
        }
        let now = report_settings(&tx)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(now)
    }
}

/// `CheckSecrets`: the strength of `data.secret_string` (docs/DECISIONS.md "checks"). Needs no
/// vault, reads and writes nothing; the value stays in the request's wiped buffer.
///
/// Errors: `CSMS.0002` a `type` other than `strength`, no text `secret_string`, or one over
/// 32,768 bytes.
pub fn check_secret(req: &CheckSecretsRequest) -> VaultResult<CheckSecretsResponse> {
    first_problem(&req.problems())?;
    let value = req.data.secret_string.as_ref().map_or("", |v| v.as_str());
    Ok(CheckSecretsResponse {
        check_type: CHECK_TYPE_STRENGTH,
        data: strength(value),
    })
}
