//! The key hierarchy end to end: round trips, tamper detection, context binding, fresh nonces, passphrase.

use crate::support::{PASSPHRASE, TempVault, binary_request, text_request};
use csvault::csms::KeyState;
use csvault::kms::{KdfParams, VaultHeader};
use csvault::vault::Vault;
use rusqlite::params;

fn code_of(result: Result<impl Sized, csvault::vault::VaultError>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(e) => e.to_api().error_code(),
    }
}

#[test]
fn values_round_trip_through_a_reopened_vault() {
    let (tv, vault) = TempVault::new();
    vault
        .create_secret(&text_request("t", "päss\nwörd\0end"))
        .unwrap();
    vault
        .create_secret(&binary_request("b", &[0, 255, 0, 1, 2]))
        .unwrap();
    drop(vault);
    let vault = tv.reopen();
    let t = vault.get_value("t", "latest").unwrap();
    assert_eq!(
        t.secret_string.as_deref().map(String::as_str),
        Some("päss\nwörd\0end")
    );
    let b = vault.get_value("b", "v1").unwrap();
    assert_eq!(
        b.secret_binary.as_deref().map(String::as_str),
        Some("AP8AAQI=")
    );
    assert_eq!(b.version_metadata.version_stages, vec!["SYSCURRENT"]);
}

/// Flips every byte of a blob column of one row in turn; each flip must make reading fail.
/// A vault caches unwrapped CMKs, so a flipped CMK needs `fresh_unlock`; other rows are read anew.
fn assert_every_flip_fails(
    tv: &TempVault,
    table: &str,
    column: &str,
    fresh_unlock: bool,
    read: &dyn Fn(&mut Vault) -> &'static str,
) {
    let mut open_vault = tv.reopen();
    let conn = tv.sql();
    let original: Vec<u8> = conn
        .query_row(&format!("SELECT {column} FROM {table} LIMIT 1"), [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(
        original.len() > 28,
        "{table}.{column} too short to hold nonce and tag"
    );
    for i in 0..original.len() {
        let mut tampered = original.clone();
        tampered[i] ^= 0x01;
        conn.execute(
            &format!("UPDATE {table} SET {column} = ?1"),
            params![tampered],
        )
        .unwrap();
        let code = if fresh_unlock {
            read(&mut tv.reopen())
        } else {
            read(&mut open_vault)
        };
        assert_eq!(
            code, "CSMS.0401",
            "{table}.{column}: flipping byte {i} went unnoticed"
        );
    }
    conn.execute(
        &format!("UPDATE {table} SET {column} = ?1"),
        params![original],
    )
    .unwrap();
    assert_eq!(read(&mut tv.reopen()), "ok");
}

#[test]
fn flipping_any_byte_of_a_stored_value_data_key_or_cmk_fails() {
    let (tv, vault) = TempVault::new();
    vault
        .create_secret(&text_request("only", "the value"))
        .unwrap();
    drop(vault);
    let read = |v: &mut Vault| code_of(v.get_value("only", "latest"));
    assert_every_flip_fails(&tv, "versions", "ciphertext", false, &read);
    assert_every_flip_fails(&tv, "versions", "wrapped_data_key", false, &read);
    assert_every_flip_fails(&tv, "cmks", "wrapped_material", true, &read);
}

#[test]
fn flipping_any_header_byte_refuses_to_unlock() {
    let (tv, vault) = TempVault::new();
    drop(vault);
    let conn = tv.sql();
    for column in ["wrapped_root_key", "salt"] {
        let original: Vec<u8> = conn
            .query_row(&format!("SELECT {column} FROM vault_header"), [], |r| {
                r.get(0)
            })
            .unwrap();
        for i in 0..original.len() {
            let mut tampered = original.clone();
            tampered[i] ^= 0x80;
            conn.execute(
                &format!("UPDATE vault_header SET {column} = ?1"),
                params![tampered],
            )
            .unwrap();
            let code = code_of(Vault::open(&tv.path, PASSPHRASE));
            assert_eq!(code, "VAULT.0002", "{column} byte {i}");
        }
        conn.execute(
            &format!("UPDATE vault_header SET {column} = ?1"),
            params![original],
        )
        .unwrap();
    }
    // The vault id and the Argon2id parameters are bound too; lowering a parameter is refused outright.
    conn.execute(
        "UPDATE vault_header SET vault_id = 'x' || substr(vault_id, 2)",
        [],
    )
    .unwrap();
    assert_eq!(code_of(Vault::open(&tv.path, PASSPHRASE)), "VAULT.0002");
    conn.execute("UPDATE vault_header SET vault_id = substr(vault_id, 1)", [])
        .unwrap();
    conn.execute(
        "UPDATE vault_header SET kdf_iterations = kdf_iterations + 1",
        [],
    )
    .unwrap();
    assert_eq!(code_of(Vault::open(&tv.path, PASSPHRASE)), "VAULT.0002");
    conn.execute("UPDATE vault_header SET kdf_iterations = 1", [])
        .unwrap();
    assert_eq!(code_of(Vault::open(&tv.path, PASSPHRASE)), "VAULT.0003");
}

/// Argon2id parameters no real vault has (64 GiB of memory, a million passes, a huge lane count)
/// are refused at once, before any memory is allocated: a hostile header cannot hang or exhaust
/// the machine.
#[test]
fn argon2id_parameters_above_the_ceiling_are_refused_at_once() {
    let (tv, vault) = TempVault::new();
    drop(vault);
    let conn = tv.sql();
    for (column, value) in [
        ("kdf_memory_kib", 64_i64 * 1024 * 1024),
        ("kdf_iterations", 1_000_000),
        ("kdf_parallelism", 1_000),
    ] {
        let original: i64 = conn
            .query_row(&format!("SELECT {column} FROM vault_header"), [], |r| {
                r.get(0)
            })
            .unwrap();
        conn.execute(
            &format!("UPDATE vault_header SET {column} = ?1"),
            params![value],
        )
        .unwrap();
        let started = std::time::Instant::now();
        assert_eq!(
            code_of(Vault::open(&tv.path, PASSPHRASE)),
            "VAULT.0003",
            "{column}"
        );
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{column}"
        );
        conn.execute(
            &format!("UPDATE vault_header SET {column} = ?1"),
            params![original],
        )
        .unwrap();
    }
    assert!(Vault::open(&tv.path, PASSPHRASE).is_ok());
}

#[test]
fn a_value_or_data_key_moved_to_another_row_fails_to_open() {
    let (tv, vault) = TempVault::new();
    vault
        .create_secret(&text_request("a", "value of a"))
        .unwrap();
    vault
        .create_secret(&text_request("b", "value of b"))
        .unwrap();
    drop(vault);
    let conn = tv.sql();
    let id_of = |name: &str| -> i64 {
        conn.query_row("SELECT row_id FROM secrets WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .unwrap()
    };
    let (a, b) = (id_of("a"), id_of("b"));
    for column in ["ciphertext", "wrapped_data_key"] {
        let saved: Vec<u8> = conn
            .query_row(
                &format!("SELECT {column} FROM versions WHERE secret_row = ?1"),
                [&b],
                |r| r.get(0),
            )
            .unwrap();
        conn.execute(
            &format!(
                "UPDATE versions SET {column} = (SELECT {column} FROM versions WHERE secret_row = ?1) WHERE secret_row = ?2"
            ),
            params![a, b],
        )
        .unwrap();
        assert_eq!(
            code_of(tv.reopen().get_value("b", "v1")),
            "CSMS.0401",
            "{column} copied a→b"
        );
        conn.execute(
            &format!("UPDATE versions SET {column} = ?1 WHERE secret_row = ?2"),
            params![saved, b],
        )
        .unwrap();
    }
    // Both columns together still belong to secret a, not b.
    conn.execute(
        "UPDATE versions SET (ciphertext, wrapped_data_key) =
            (SELECT ciphertext, wrapped_data_key FROM versions WHERE secret_row = ?1) WHERE secret_row = ?2",
        params![a, b],
    )
    .unwrap();
    let vault = tv.reopen();
    assert_eq!(code_of(vault.get_value("b", "v1")), "CSMS.0401");
    // Relabelling a's version as v2 breaks it too: the version id is bound.
    conn.execute("PRAGMA foreign_keys = OFF", []).unwrap();
    conn.execute(
        "UPDATE stages SET version_id = 'v2' WHERE secret_row = ?1",
        [&a],
    )
    .unwrap();
    conn.execute(
        "UPDATE versions SET version_id = 'v2' WHERE secret_row = ?1",
        [&a],
    )
    .unwrap();
    assert_eq!(code_of(vault.get_value("a", "v2")), "CSMS.0401");
    // Claiming the text value is binary breaks it: the kind is bound.
    conn.execute(
        "UPDATE versions SET version_id = 'v1', value_kind = 'binary' WHERE secret_row = ?1",
        [&a],
    )
    .unwrap();
    conn.execute(
        "UPDATE stages SET version_id = 'v1' WHERE secret_row = ?1",
        [&a],
    )
    .unwrap();
    assert_eq!(code_of(vault.get_value("a", "v1")), "CSMS.0401");
}

#[test]
fn a_cmk_moved_to_another_key_id_fails_to_open() {
    let (tv, vault) = TempVault::new();
    let k1 = vault.create_key("app/one", "").unwrap();
    let k2 = vault.create_key("app/two", "").unwrap();
    let mut req = text_request("s", "under key two");
    req.kms_key_id = Some(k2.key_id.clone());
    vault.create_secret(&req).unwrap();
    drop(vault);
    tv.sql()
        .execute(
            "UPDATE cmks SET wrapped_material = (SELECT wrapped_material FROM cmks WHERE key_id = ?1) WHERE key_id = ?2",
            params![k1.key_id, k2.key_id],
        )
        .unwrap();
    assert_eq!(code_of(tv.reopen().get_value("s", "latest")), "CSMS.0401");
}

#[test]
fn sealing_the_same_value_twice_gives_different_bytes() {
    let (tv, vault) = TempVault::new();
    vault
        .create_secret(&text_request("one", "same value"))
        .unwrap();
    vault
        .create_secret(&text_request("two", "same value"))
        .unwrap();
    let blobs: Vec<(Vec<u8>, Vec<u8>)> = tv
        .sql()
        .prepare("SELECT ciphertext, wrapped_data_key FROM versions")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(blobs.len(), 2);
    assert_ne!(blobs[0].0, blobs[1].0);
    assert_ne!(blobs[0].1, blobs[1].1);
    assert_ne!(blobs[0].0[1..13], blobs[1].0[1..13], "nonces must differ");
}

#[test]
fn a_wrong_passphrase_is_refused_and_changes_nothing() {
    let (tv, vault) = TempVault::new();
    vault.create_secret(&text_request("s", "v")).unwrap();
    drop(vault);
    let before = std::fs::read(&tv.path).unwrap();
    let err = Vault::open(&tv.path, b"wrong passphrase")
        .unwrap_err()
        .to_api();
    assert_eq!(err.error_code(), "VAULT.0002");
    assert!(err.error_msg.contains("passphrase"));
    assert_eq!(std::fs::read(&tv.path).unwrap(), before);
    assert_eq!(code_of(tv.reopen().get_value("s", "latest")), "ok");
}

#[test]
fn header_creation_refuses_parameters_below_the_floor_and_rewrap_keeps_the_root_key() {
    let weak = KdfParams {
        memory_kib: 32 * 1024,
        ..KdfParams::default()
    };
    assert!(VaultHeader::create(b"p", weak).is_err());
    let (header, root) = VaultHeader::create(b"old", KdfParams::default()).unwrap();
    let next = header.rewrap(&root, b"new").unwrap();
    assert!(next.unlock(b"old").is_err());
    assert!(next.unlock(b"new").is_ok());
    assert_ne!(next.salt, header.salt);
}

#[test]
fn a_disabled_key_blocks_reads_and_creates_until_enabled() {
    let (_tv, vault) = TempVault::new();
    let key = vault.create_key("app/k", "").unwrap();
    let mut req = text_request("s", "v");
    req.kms_key_id = Some(key.key_id.clone());
    vault.create_secret(&req).unwrap();
    vault.set_key_state("app/k", KeyState::Disabled).unwrap();
    assert_eq!(code_of(vault.get_value("s", "latest")), "CSMS.0401");
    req.name = "s2".into();
    assert_eq!(code_of(vault.create_secret(&req)), "CSMS.0401");
    vault.set_key_state(&key.key_id, KeyState::Enabled).unwrap();
    assert_eq!(code_of(vault.get_value("s", "latest")), "ok");
}

#[test]
fn debug_output_never_shows_key_material() {
    let (_tv, vault) = TempVault::new();
    let shown = format!("{vault:?}");
    assert!(shown.contains("Keyring"));
    let key = csvault::kms::SecretKey::generate().unwrap();
    assert_eq!(format!("{key:?}"), "SecretKey(<redacted>)");
}

#[test]
fn a_copys_header_is_checked_with_the_kek_kept_at_unlock() {
    use csvault::kms::{Keyring, SecretKey};
    let (header, root, kek) =
        VaultHeader::create_keeping_kek(PASSPHRASE, KdfParams::default()).unwrap();
    let keyring = Keyring::new(&header.vault_id, &root).with_kek(&header.salt, kek.clone());
    assert_eq!(keyring.unlocks_copy(&header), Ok(true));
    // No KEK kept: cannot be told.
    assert_eq!(
        Keyring::new(&header.vault_id, &root).unlocks_copy(&header),
        Ok(false)
    );
    // Re-wrapped under another passphrase (another salt): cannot be told either.
    let changed = header.rewrap(&root, b"another passphrase").unwrap();
    assert_eq!(keyring.unlocks_copy(&changed), Ok(false));
    // The same salt wrapping another root key, or an altered wrapping: refused.
    let other_root = SecretKey::generate().unwrap();
    let other = Keyring::new(&header.vault_id, &other_root).with_kek(&header.salt, kek);
    assert!(other.unlocks_copy(&header).is_err());
    let mut altered = header.clone();
    let last = altered.wrapped_root_key.len() - 1;
    altered.wrapped_root_key[last] ^= 1;
    assert!(keyring.unlocks_copy(&altered).is_err());
    assert!(header.unwrap_root(&SecretKey::generate().unwrap()).is_err());
}
