//! The health report (local): what needs attention in a vault, by name, never a value
//! (docs/DECISIONS.md "Checks and the health report (issue 14)"). One read of one snapshot:
//! every `ENABLED` secret's current value opened in wiped memory, judged by the strength
//! estimator and compared with the others by a keyed hash that lives only as long as the call.

use std::collections::HashMap;

use hmac::digest::{FixedOutput, Output};
use hmac::{Hmac, KeyInit, Mac};
use rusqlite::Connection;
use sha2::Sha256;
use zeroize::{Zeroize, Zeroizing};

use super::checks::report_settings;
use super::{Vault, VaultResult};
use crate::csms::{
    DAY_MS, ExpiringVersion, HealthReport, KeyState, OverdueRotation, ReportSettings,
    ReportWindows, SecretState, Strength, UnchangedValue, ValueKind, first_problem, strength,
};
use crate::kms::{KmsError, SealedValue, ValueContext};
use crate::store::checks::{self as check_rows, CurrentVersion};
use crate::store::keys as key_rows;
use crate::store::secrets as secret_rows;

/// Finds the values that are the same bytes without keeping any of them: each is hashed with
/// HMAC-SHA256 under a random key drawn for this report; the key and the digests are wiped when
/// the report is done, and nothing of them is written anywhere.
struct Reuse {
    /// Keyed once; each value is hashed by a clone (hmac's `zeroize` feature wipes every
    /// state when dropped).
    mac: Hmac<Sha256>,
    digests: Zeroizing<Vec<[u8; 32]>>,
    names: Vec<String>,
}

impl Reuse {
    /// Room for `count` values (allocated once, so the digests are never copied by a regrowth).
    fn new(count: usize) -> VaultResult<Self> {
        let mut key = Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut *key).map_err(|_| KmsError::Random)?;
        // HMAC takes a key of any length; a 32-byte one always fits.
        let mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&*key).map_err(|_| KmsError::Random)?;
        Ok(Self {
            mac,
            digests: Zeroizing::new(Vec::with_capacity(count)),
            names: Vec::with_capacity(count),
        })
    }

    fn add(&mut self, value: &[u8], name: String) {
        let mut mac = self.mac.clone();
        mac.update(value);
        let mut out = Output::<Hmac<Sha256>>::default();
        FixedOutput::finalize_into(mac, &mut out);
        let mut digest = [0u8; 32];
        digest.copy_from_slice(&out);
        self.digests.push(digest);
        digest.zeroize();
        out.as_mut_slice().zeroize();
        self.names.push(name);
    }

    /// The groups of two or more names whose values matched, each by name, the groups by their
    /// first name.
    fn groups(self) -> Vec<Vec<String>> {
        let Self {
            digests, mut names, ..
        } = self;
        let mut order: Vec<usize> = (0..names.len()).collect();
        order.sort_by(|&a, &b| digests[a].cmp(&digests[b]).then(names[a].cmp(&names[b])));
        let mut groups: Vec<Vec<String>> = order
            .chunk_by(|&a, &b| digests[a] == digests[b])
            .filter(|run| run.len() > 1)
            .map(|run| run.iter().map(|&i| std::mem::take(&mut names[i])).collect())
            .collect();
        groups.sort();
        groups
    }
}

/// Values opened and rated together: enough to keep every core busy, few enough that at most
/// 512 values (16 MiB at the 32 KB limit) are in memory at once.
const BATCH: usize = 512;
/// The most threads a batch is rated on.
const MAX_RATERS: usize = 8;

/// A current value opened for the report, in wiped memory.
struct Opened {
    name: String,
    kind: ValueKind,
    value: Zeroizing<Vec<u8>>,
}

/// Whether an opened value is a text the estimator calls `WEAK`. The bytes authenticated as
/// text; were they not UTF-8 there would be nothing to judge (they are still compared).
fn is_weak(opened: &Opened) -> bool {
    opened.kind == ValueKind::Text
        && std::str::from_utf8(&opened.value)
            .is_ok_and(|text| strength(text).strength == Strength::Weak)
}

/// Rates `batch` on up to [`MAX_RATERS`] threads, in order; adds its values to `reuse` and its
/// weak ones to `weak`, then empties it (each value is wiped as it is dropped).
fn take_batch(batch: &mut Vec<Opened>, weak: &mut Vec<String>, reuse: &mut Reuse) {
    let raters = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .clamp(1, MAX_RATERS);
    let part = batch.len().div_ceil(raters).max(1);
    let verdicts: Vec<bool> = std::thread::scope(|scope| {
        let parts: Vec<_> = batch
            .chunks(part)
            .map(|chunk| scope.spawn(move || chunk.iter().map(is_weak).collect::<Vec<bool>>()))
            .collect();
        parts
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    for (opened, is_weak) in batch.drain(..).zip(verdicts) {
        if is_weak {
            weak.push(opened.name.clone());
        }
        reuse.add(&opened.value, opened.name);
    }
}

impl Vault {
    /// The health report: `weak` (current text values the estimator calls `WEAK`), `reused`
    /// (groups of secrets whose current values are the same bytes), `expired` and `expiring`
    /// (staged versions whose `expire_time` has passed, or comes within `expiring_days`),
    /// `rotation_overdue` (automatic rotation on, `next_rotation_time` past), `unchanged`
    /// (current values created `unchanged_days` ago or more). Only `ENABLED` secrets are looked
    /// at; the others are listed under `skipped.not_enabled`, and current values that cannot be
    /// opened (CMK missing or disabled, an altered ciphertext) under `skipped.unreadable`.
    /// Binary values are compared for reuse but not judged for strength. A window `windows`
    /// leaves out takes the vault's stored setting (defaults: 30 and 365 days).
    ///
    /// Errors: `CSMS.0002` `expiring_days` outside 1–365 or `unchanged_days` outside 1–3650.
    pub fn health_report(&self, windows: &ReportWindows) -> VaultResult<HealthReport> {
        first_problem(&windows.problems())?;
        let now = self.now_ms();
        let mut store = self.store();
        let snapshot = store.snapshot()?;
        let conn: &Connection = &snapshot;
        let stored = report_settings(conn)?;
        let settings = ReportSettings {
            expiring_days: windows.expiring_days.unwrap_or(stored.expiring_days),
            unchanged_days: windows.unchanged_days.unwrap_or(stored.unchanged_days),
        };
        let mut report = HealthReport {
            settings,
            report_time: now,
            ..HealthReport::default()
        };

        for secret in secret_rows::all(conn)? {
            if secret.state != SecretState::Enabled {
                report.skipped.not_enabled.push(secret.name);
                continue;
            }
            if let (true, Some(next)) = (
                secret.settings.auto_rotation,
                secret.settings.next_rotation_time,
            ) && next <= now
            {
                report.rotation_overdue.push(OverdueRotation {
                    name: secret.name,
                    next_rotation_time: next,
                });
            }
        }

        let horizon = now.saturating_add(i64::from(settings.expiring_days) * DAY_MS);
        for (name, version_id, expire_time) in check_rows::staged_expiring(conn, horizon)? {
            let entry = ExpiringVersion {
                name,
                version_id,
                expire_time,
            };
            if expire_time <= now {
                report.expired.push(entry);
            } else {
                report.expiring.push(entry);
            }
        }

        let unchanged_since = now.saturating_sub(i64::from(settings.unchanged_days) * DAY_MS);
        let current = check_rows::current_versions(conn)?;
        let mut reuse = Reuse::new(current.len())?;
        let mut usable_keys: HashMap<String, bool> = HashMap::new();
        // Opened a batch at a time (so at most a batch of values is in memory at once), each
        // batch rated on every core.
        let mut batch: Vec<Opened> = Vec::with_capacity(BATCH);
        for c in current {
            if c.version.create_time <= unchanged_since {
                report.unchanged.push(UnchangedValue {
                    name: c.name.clone(),
                    version_id: c.version.version_id.clone(),
                    create_time: c.version.create_time,
                });
            }
            let name = c.name.clone();
            let kind = c.version.kind;
            let Some(value) = self.open_current(conn, c, &mut usable_keys)? else {
                report.skipped.unreadable.push(name);
                continue;
            };
            report.checked += 1;
            batch.push(Opened { name, kind, value });
            if batch.len() == BATCH {
                take_batch(&mut batch, &mut report.weak, &mut reuse);
            }
        }
        take_batch(&mut batch, &mut report.weak, &mut reuse);
        report.reused = reuse.groups();
        Ok(report)
    }

    /// The current value of `c` in wiped memory; `None` when it cannot be opened (its CMK
    /// missing or disabled, or the ciphertext fails to authenticate). `usable` remembers each
    /// CMK's state for the rest of the report.
    fn open_current(
        &self,
        conn: &Connection,
        c: CurrentVersion,
        usable: &mut HashMap<String, bool>,
    ) -> VaultResult<Option<Zeroizing<Vec<u8>>>> {
        let key_id = c.version.kms_key_id.as_str();
        let ok = if let Some(&ok) = usable.get(key_id) {
            ok
        } else {
            let ok = key_rows::find_by_id(conn, key_id)?
                .is_some_and(|k| k.state == KeyState::Enabled)
                && self.load_key(conn, key_id).is_ok();
            usable.insert(key_id.to_owned(), ok);
            ok
        };
        if !ok {
            return Ok(None);
        }
        let ctx = ValueContext {
            secret_id: &c.secret_id,
            version_id: &c.version.version_id,
            key_id,
            kind: c.version.kind,
        };
        let sealed = SealedValue {
            wrapped_data_key: c.version.wrapped_data_key,
            ciphertext: c.version.ciphertext,
        };
        Ok(self.keyring.open_value(&ctx, &sealed).ok())
    }
}
