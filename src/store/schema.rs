//! The schema as an ordered list of migrations; `PRAGMA user_version` says how many are applied.

use rusqlite::Connection;

use super::{StoreError, StoreResult};

/// `PRAGMA application_id`: "csvt". Tells a csvault vault from any other SQLite file.
pub const APPLICATION_ID: i32 = 0x6373_7674;

/// Versions and stages hang off the secret's integer `row_id`, not its random UUID: bulk inserts then
/// append to their B-trees instead of dirtying random pages (the UUID is stored, not indexed; the API
/// addresses secrets by name; schema 3 indexes it for the tag paths, which name secrets by id).
///
/// Each entry moves the schema one version up. Never edit a released entry; append a new one.
const MIGRATIONS: &[&str] = &[
    r"
CREATE TABLE vault_header (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    format            INTEGER NOT NULL,
    vault_id          TEXT NOT NULL,
    kdf_memory_kib    INTEGER NOT NULL,
    kdf_iterations    INTEGER NOT NULL,
    kdf_parallelism   INTEGER NOT NULL,
    salt              BLOB NOT NULL,
    wrapped_root_key  BLOB NOT NULL
);
CREATE TABLE cmks (
    key_id            TEXT PRIMARY KEY,
    alias             TEXT NOT NULL UNIQUE,
    description       TEXT NOT NULL,
    state             TEXT NOT NULL CHECK (state IN ('ENABLED', 'DISABLED')),
    spec              TEXT NOT NULL,
    is_default        INTEGER NOT NULL,
    creation_date     INTEGER NOT NULL,
    wrapped_material  BLOB NOT NULL
);
CREATE TABLE secrets (
    row_id                 INTEGER PRIMARY KEY,
    id                     TEXT NOT NULL,
    name                   TEXT NOT NULL UNIQUE,
    state                  TEXT NOT NULL,
    kms_key_id             TEXT NOT NULL REFERENCES cmks (key_id),
    description            TEXT,
    secret_type            TEXT NOT NULL,
    create_time            INTEGER NOT NULL,
    update_time            INTEGER NOT NULL,
    scheduled_delete_time  INTEGER,
    next_version           INTEGER NOT NULL
);
CREATE TABLE versions (
    secret_row        INTEGER NOT NULL REFERENCES secrets (row_id) ON DELETE CASCADE,
    version_id        TEXT NOT NULL,
    seq               INTEGER NOT NULL,
    kms_key_id        TEXT NOT NULL REFERENCES cmks (key_id),
    value_kind        TEXT NOT NULL CHECK (value_kind IN ('text', 'binary')),
    wrapped_data_key  BLOB NOT NULL,
    ciphertext        BLOB NOT NULL,
    create_time       INTEGER NOT NULL,
    expire_time       INTEGER,
    PRIMARY KEY (secret_row, version_id)
) WITHOUT ROWID;
CREATE TABLE stages (
    secret_row   INTEGER NOT NULL,
    stage        TEXT NOT NULL,
    version_id   TEXT NOT NULL,
    update_time  INTEGER NOT NULL,
    PRIMARY KEY (secret_row, stage),
    FOREIGN KEY (secret_row, version_id) REFERENCES versions (secret_row, version_id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX stages_by_version ON stages (secret_row, version_id);
",
    r"
CREATE TABLE endpoint_credentials (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    access_key         TEXT NOT NULL,
    sealed_secret_key  BLOB NOT NULL,
    create_time        INTEGER NOT NULL
);
",
    // Issue 14: the rest of the Secret record, tags, events and notification records, rotation
    // tasks, vault settings, and the version counters of deleted secrets.
    r"
CREATE TABLE events (
    name           TEXT PRIMARY KEY,
    event_id       TEXT NOT NULL UNIQUE,
    event_types    TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('ENABLED', 'DISABLED')),
    target_type    TEXT,
    target_id      TEXT,
    target_name    TEXT,
    create_time    INTEGER NOT NULL,
    update_time    INTEGER NOT NULL
) WITHOUT ROWID;
ALTER TABLE secrets ADD COLUMN auto_rotation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE secrets ADD COLUMN rotation_period TEXT;
ALTER TABLE secrets ADD COLUMN rotation_config TEXT;
ALTER TABLE secrets ADD COLUMN rotation_time INTEGER;
ALTER TABLE secrets ADD COLUMN next_rotation_time INTEGER;
ALTER TABLE secrets ADD COLUMN auto_rotation_since INTEGER;
ALTER TABLE secrets ADD COLUMN enterprise_project_id TEXT NOT NULL DEFAULT '0';
ALTER TABLE secrets ADD COLUMN rotation_func_urn TEXT;
ALTER TABLE secrets ADD COLUMN event_subscription TEXT REFERENCES events (name);
CREATE INDEX secrets_by_event ON secrets (event_subscription)
    WHERE event_subscription IS NOT NULL;
CREATE INDEX secrets_by_next_rotation ON secrets (next_rotation_time)
    WHERE next_rotation_time IS NOT NULL;
CREATE TABLE secret_tags (
    secret_row  INTEGER NOT NULL REFERENCES secrets (row_id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (secret_row, key)
) WITHOUT ROWID;
CREATE INDEX tags_by_key_value ON secret_tags (key, value, secret_row);
-- The API's tag paths name a secret by id.
CREATE INDEX secrets_by_id ON secrets (id);
CREATE TABLE rotation_tasks (
    seq                INTEGER PRIMARY KEY,
    task_id            TEXT NOT NULL UNIQUE,
    secret_name        TEXT NOT NULL,
    rotation_func_urn  TEXT,
    operate_type       TEXT NOT NULL,
    task_time          INTEGER NOT NULL,
    attempt_nums       INTEGER NOT NULL,
    task_status        TEXT NOT NULL,
    task_error_code    TEXT,
    task_error_msg     TEXT
);
CREATE INDEX tasks_by_secret ON rotation_tasks (secret_name, seq);
CREATE INDEX tasks_by_time ON rotation_tasks (task_time);
CREATE TABLE notification_records (
    seq                       INTEGER PRIMARY KEY,
    create_time               INTEGER NOT NULL,
    event_name                TEXT NOT NULL,
    trigger_event_type        TEXT NOT NULL,
    secret_name               TEXT NOT NULL,
    secret_type               TEXT NOT NULL,
    notification_target_name  TEXT,
    notification_target_id    TEXT,
    notification_content      TEXT NOT NULL,
    notification_status       TEXT NOT NULL,
    seen                      INTEGER NOT NULL DEFAULT 0,
    delivery_owner            TEXT
);
CREATE INDEX records_by_time ON notification_records (create_time, event_name);
CREATE INDEX records_unseen ON notification_records (seq) WHERE seen = 0;
CREATE INDEX records_pending ON notification_records (delivery_owner, seq)
    WHERE notification_status = 'PENDING';
ALTER TABLE versions ADD COLUMN expiry_noticed INTEGER;
CREATE INDEX versions_expiring ON versions (expire_time)
    WHERE expire_time IS NOT NULL AND expiry_noticed IS NOT expire_time;
CREATE TABLE settings (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE retired_secrets (
    id            TEXT PRIMARY KEY,
    next_version  INTEGER NOT NULL
) WITHOUT ROWID;
",
    // Issue 17: CSMS remotes (the SK sealed under the root key) and, per remote and secret, the
    // state last seen in step and the version links of `--all-versions`. Never a value. A
    // remote's rows go with it (and are deleted explicitly too, see `store::remotes::delete`).
    r"
CREATE TABLE remotes (
    name               TEXT PRIMARY KEY,
    endpoint           TEXT NOT NULL,
    project_id         TEXT,
    region             TEXT,
    iam_endpoint       TEXT,
    access_key         TEXT NOT NULL,
    sealed_secret_key  BLOB NOT NULL,
    ca_pem             TEXT,
    create_time        INTEGER NOT NULL,
    last_sync_time     INTEGER
);
CREATE TABLE sync_state (
    remote          TEXT NOT NULL REFERENCES remotes (name) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    local_id        TEXT NOT NULL DEFAULT '',
    remote_id       TEXT NOT NULL DEFAULT '',
    local_version   TEXT NOT NULL,
    remote_version  TEXT NOT NULL,
    value_mac       TEXT NOT NULL,
    meta_mac        TEXT NOT NULL,
    synced_at       INTEGER NOT NULL,
    PRIMARY KEY (remote, name)
) WITHOUT ROWID;
CREATE TABLE sync_links (
    remote          TEXT NOT NULL REFERENCES remotes (name) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    local_version   TEXT NOT NULL,
    remote_version  TEXT NOT NULL,
    PRIMARY KEY (remote, name, local_version)
) WITHOUT ROWID;
",
];

/// Brings a vault's schema up to date, all migrations in one transaction.
pub fn migrate(conn: &mut Connection) -> StoreResult<()> {
    let app_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let version = usize::try_from(version).unwrap_or(usize::MAX);
    if version > 0 && app_id != APPLICATION_ID {
        return Err(StoreError::corrupt("not a csvault vault"));
    }
    if version > MIGRATIONS.len() {
        return Err(StoreError::corrupt(format!(
            "schema version {version} is newer than this csvault knows ({}); upgrade csvault",
            MIGRATIONS.len()
        )));
    }
    if version == MIGRATIONS.len() {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    // Another process may have upgraded the vault while this one waited for the write lock.
    let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let version = usize::try_from(version)
        .unwrap_or(usize::MAX)
        .min(MIGRATIONS.len());
    if version == MIGRATIONS.len() {
        return Ok(());
    }
    for migration in &MIGRATIONS[version..] {
        tx.execute_batch(migration)?;
    }
    tx.pragma_update(None, "user_version", schema_version())?;
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    tx.commit()?;
    Ok(())
}

pub fn schema_version() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}

/// A migrated database in memory, with the pragmas that matter to behaviour: for tests below
/// the vault.
#[cfg(test)]
pub fn in_memory() -> StoreResult<Connection> {
    let mut conn = Connection::open_in_memory()?;
    conn.execute_batch("PRAGMA foreign_keys = ON;")?;
    migrate(&mut conn)?;
    Ok(conn)
}
