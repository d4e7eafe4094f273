//! The raw vault file and its WAL never hold a stored value, in any encoding.

use crate::support::{TempVault, binary_request, text_request};
use base64::Engine;

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every file of the vault (main, -wal, -shm), concatenated.
fn vault_bytes(tv: &TempVault) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(tv.dir.path()).unwrap() {
        all.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    all
}

#[test]
fn stored_values_never_appear_in_the_file_or_wal() {
    let (tv, vault) = TempVault::new();
    let text_canary = "CANARY-text-7f3a9c-päss";
    let binary_canary: Vec<u8> = b"\x00CANARY-bin-\xff\xfe-51e2\x00".to_vec();
    let b64 = base64::engine::general_purpose::STANDARD;
    vault
        .create_secret(&text_request("text-canary", text_canary))
        .unwrap();
    vault
        .create_secret(&binary_request("binary-canary", &binary_canary))
        .unwrap();
    // Reading values back must not write them anywhere either.
    vault.get_value("text-canary", "latest").unwrap();
    vault.get_value("binary-canary", "latest").unwrap();

    let wal = tv.path.with_file_name("vault.db-wal");
    assert!(wal.exists(), "the WAL should hold the fresh writes");
    let needles: Vec<(String, Vec<u8>)> = vec![
        ("text".into(), text_canary.as_bytes().to_vec()),
        ("text base64".into(), b64.encode(text_canary).into_bytes()),
        ("text hex".into(), hex(text_canary.as_bytes()).into_bytes()),
        ("binary".into(), binary_canary.clone()),
        ("binary core".into(), b"CANARY-bin-".to_vec()),
        (
            "binary base64".into(),
            b64.encode(&binary_canary).into_bytes(),
        ),
        ("binary hex".into(), hex(&binary_canary).into_bytes()),
    ];
    let check = |when: &str| {
        let bytes = vault_bytes(&tv);
        for (what, needle) in &needles {
            assert!(
                !contains(&bytes, needle),
                "{what} found in the vault files {when}"
            );
        }
    };
    check("before a checkpoint");
    // The metadata is there in clear, which shows the scan reads what was written.
    assert!(contains(&vault_bytes(&tv), b"text-canary"));
    drop(vault);
    tv.sql()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
    check("after a checkpoint");
}

#[test]
fn vault_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/deeper/vault.db");
    let vault = csvault::vault::Vault::init(&path, crate::support::PASSPHRASE).unwrap();
    vault.create_secret(&text_request("s", "v")).unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    assert_eq!(mode(&dir.path().join("nested")), 0o700);
    for suffix in ["-wal", "-shm"] {
        let side = path.with_file_name(format!("vault.db{suffix}"));
        assert!(side.exists(), "{suffix} missing");
        assert_eq!(mode(&side), 0o600, "{suffix}");
    }
}

#[test]
fn init_refuses_an_existing_vault_and_leaves_it_alone() {
    let (tv, vault) = TempVault::new();
    drop(vault);
    let before = std::fs::read(&tv.path).unwrap();
    let err = csvault::vault::Vault::init(&tv.path, b"other")
        .unwrap_err()
        .to_api();
    assert_eq!(err.error_code(), "VAULT.0006");
    assert_eq!(std::fs::read(&tv.path).unwrap(), before);
}

#[test]
fn a_file_that_is_not_a_vault_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("junk.db");
    std::fs::write(
        &path,
        b"this is not an SQLite database, just some text padding it out",
    )
    .unwrap();
    let err = csvault::vault::Vault::open(&path, crate::support::PASSPHRASE)
        .unwrap_err()
        .to_api();
    assert_eq!(err.error_code(), "VAULT.0003");

    let other = dir.path().join("other.db");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); PRAGMA user_version = 1;")
        .unwrap();
    let err = csvault::vault::Vault::open(&other, crate::support::PASSPHRASE)
        .unwrap_err()
        .to_api();
    assert_eq!(err.error_code(), "VAULT.0003");
}
