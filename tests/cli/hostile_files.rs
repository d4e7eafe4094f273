//! Files that are not ours, half-made vaults, planted `-wal`/`-shm` files and odd things at the vault
//! path: refused untouched, with a message that says what is there, through the library and the
//! real binary.

use crate::support::{PASSPHRASE, TestVault, api_err, bin, ok_json, sidecar};
use csvault::vault::Vault;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// csvault's `application_id` ("csvt"), as the SQLite header stores it at offset 68.
const APP_ID: [u8; 4] = *b"csvt";

/// Everything about a file that opening it must not change.
#[derive(Debug, PartialEq)]
struct FileState {
    bytes: Vec<u8>,
    mode: u32,
    mtime: SystemTime,
    ctime: (i64, i64),
}

fn state(path: &Path) -> FileState {
    let meta = fs::metadata(path).unwrap();
    FileState {
        bytes: fs::read(path).unwrap(),
        mode: meta.mode(),
        mtime: meta.modified().unwrap(),
        ctime: (meta.ctime(), meta.ctime_nsec()),
    }
}

/// The names in a directory, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort_unstable();
    names
}

/// Writes `bytes` at `path` with mode 0644 and an mtime far in the past, so a change would show.
fn plant(path: &Path, bytes: &[u8]) {
    fs::write(path, bytes).unwrap();
    set_old_mtime(path);
}

fn set_old_mtime(path: &Path) {
    fs::set_permissions(path, fs::Permissions::from_mode(0o644)).unwrap();
    let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(old)
        .unwrap();
}

/// `csvault --vault PATH ARGS…` with the passphrase in the environment.
fn run(path: &Path, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(bin());
    cmd.env("CSVAULT_PASSPHRASE", PASSPHRASE)
        .env_remove("CSVAULT_PATH")
        .arg("--vault")
        .arg(path)
        .args(args)
        .timeout(crate::support::TIMEOUT);
    cmd
}

/// A byte string that looks like nothing: 40 KB from a fixed linear congruential generator.
fn noise() -> Vec<u8> {
    let mut x: u32 = 0x1234_5678;
    (0..40 * 1024)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            x.to_be_bytes()[0]
        })
        .collect()
}

/// An SQLite database of another application: a table, `user_version` 0, rollback journal.
fn other_sqlite(path: &Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine');")
        .unwrap();
    drop(conn);
    set_old_mtime(path);
}

/// Checks that the library, every command and the terminal app refuse the file at `path` (whose
/// real file is `real`) with `what` in the message, and leave it and its directory as they were.
#[track_caller]
fn refused_untouched(path: &Path, real: &Path, what: &str) {
    let before = state(real);
    let dir = real.parent().unwrap();
    let names = listing(dir);

    let err = Vault::open(path, PASSPHRASE.as_bytes())
        .unwrap_err()
        .to_api();
    assert_eq!(err.error_code(), "VAULT.0003", "{}", err.error_msg);
    let expected = format!(
        "{} is not a csvault vault: it is {what}; it was left untouched.",
        path.display()
    );
    assert_eq!(err.error_msg, expected);
    assert!(
        Vault::exists(path),
        "the app would offer to create a vault over it"
    );
    assert!(Vault::probe(path).is_err());

    for args in [&["secret", "list"][..], &["key", "list"], &[]] {
        let err = api_err(&run(path, args).output().unwrap(), 1);
        assert_eq!(err.code, "VAULT.0003", "{args:?}: {}", err.msg);
        assert_eq!(err.msg, expected, "{args:?}");
    }
    let err = api_err(&run(path, &["init"]).output().unwrap(), 1);
    assert_eq!(err.code, "VAULT.0006", "init: {}", err.msg);
    assert_eq!(
        err.msg,
        format!(
            "{} already exists and is not a csvault vault: it is {what}; init never overwrites a file.",
            path.display()
        )
    );

    assert_eq!(state(real), before, "the file changed");
    assert_eq!(listing(dir), names, "something was left beside the file");
}

#[test]
fn files_that_are_not_vaults_are_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, Vec<u8>, String)> = vec![
        ("empty.db", Vec::new(), "an empty file (0 bytes)".into()),
        (
            "one.db",
            b"x".to_vec(),
            "not an SQLite database (1 byte)".into(),
        ),
        (
            "noise.db",
            noise(),
            "not an SQLite database (40960 bytes)".into(),
        ),
        (
            "short.db",
            b"SQLite format 3\0 but cut short".to_vec(),
            "not an SQLite database (30 bytes)".into(),
        ),
    ];
    for (name, bytes, what) in &cases {
        let real = dir.path().join(name);
        plant(&real, bytes);
        refused_untouched(&real, &real, what);
        let link = dir.path().join(format!("link-{name}"));
        std::os::unix::fs::symlink(&real, &link).unwrap();
        refused_untouched(&link, &real, what);
    }
}

#[test]
fn another_applications_sqlite_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.db");
    other_sqlite(&path);
    let what = "an SQLite database of another application (application_id 0x00000000; \
                csvault's is 0x63737674)";
    refused_untouched(&path, &path, what);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "delete", "switched to WAL");
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tables, 1, "tables were added");
}

#[test]
fn a_new_vault_is_whole_on_disk_before_it_is_in_place() {
    let v = TestVault::uninit();
    let dir = v.path.parent().unwrap();
    fs::create_dir_all(dir).unwrap();
    // What a killed init leaves: a temporary vault and its log under a name of their own.
    let leftover = dir.join(".vault.db.init-0123456789abcdef0123456789abcdef");
    fs::write(&leftover, b"half a vault").unwrap();
    fs::write(sidecar(&leftover, "-wal"), b"half a log").unwrap();
    let mut before = listing(dir);

    v.ok(&["init"]);
    before.push("vault.db".into());
    before.sort_unstable();
    assert_eq!(listing(dir), before, "init left files of its own behind");
    let header = fs::read(&v.path).unwrap();
    assert_eq!(&header[..16], b"SQLite format 3\0");
    assert_eq!(header[68..72], APP_ID, "the id is in the main file");
    assert_eq!(mode(&v.path), 0o600);
    v.ok(&["secret", "list"]);

    // A vault already there is refused as it is.
    let vault_before = state(&v.path);
    let err = v.err(&["init"]);
    assert_eq!(err.code, "VAULT.0006");
    assert_eq!(
        err.msg,
        format!("A vault already exists at {}.", v.path.display())
    );
    assert_eq!(state(&v.path), vault_before);
}

#[test]
fn a_vault_open_since_init_is_whole_in_its_main_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.db");
    let vault = Vault::init(&path, PASSPHRASE.as_bytes()).unwrap();
    // Another process looks while this one still holds the vault open.
    let header = fs::read(&path).unwrap();
    assert_eq!(header[68..72], APP_ID);
    assert!(Vault::probe(&path).unwrap());
    drop(vault);
}

#[test]
fn a_vault_whose_id_is_still_only_in_its_log_is_recognised() {
    // As older csvault left a vault open (or crashed) before its first checkpoint: the main file
    // is a WAL-mode SQLite header without our id; the id is in page 1 inside the -wal.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.db");
    drop(Vault::init(&path, PASSPHRASE.as_bytes()).unwrap());
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute_batch("PRAGMA wal_autocheckpoint = 0; PRAGMA application_id = 0;")
        .unwrap();
    raw.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
    raw.execute_batch(&format!(
        "PRAGMA application_id = {};",
        i32::from_be_bytes(APP_ID)
    ))
    .unwrap();
    assert_eq!(fs::read(&path).unwrap()[68..72], [0; 4]);
    // While `raw` is open, the id is only in the log.
    assert!(Vault::probe(&path).unwrap());
    let vault = Vault::open(&path, PASSPHRASE.as_bytes()).unwrap();
    assert!(vault.list_keys().is_ok());
    drop(vault);
    drop(raw);
}

fn mode(path: &Path) -> u32 {
    fs::symlink_metadata(path).unwrap().mode() & 0o7777
}

fn euid() -> u32 {
    fs::metadata(tempfile::tempdir().unwrap().path())
        .unwrap()
        .uid()
}

/// A vault made by the binary, closed, with secrets; no -wal/-shm beside it.
fn closed_vault() -> TestVault {
    let v = TestVault::new();
    v.ok_stdin(
        &[
            "secret",
            "create",
            "--name",
            "db",
            "--secret-string-file",
            "-",
        ],
        "hunter2",
    );
    assert!(!sidecar(&v.path, "-wal").exists());
    v
}

/// Checks a command on `v` fails with VAULT.0007 naming `file` and saying `problem`, and that
/// neither the vault nor `file` changed.
#[track_caller]
fn refused_sidecar(v: &TestVault, file: &Path, problem: &str) {
    let vault_before = state(&v.path);
    let file_before = fs::symlink_metadata(file).unwrap();
    for args in [&["secret", "list"][..], &["key", "list"]] {
        let err = v.err(args);
        assert_eq!(err.code, "VAULT.0007", "{}", err.msg);
        assert!(
            err.msg
                .starts_with(&format!("Refusing {}: {problem}", file.display())),
            "{}",
            err.msg
        );
    }
    let err = Vault::open(&v.path, PASSPHRASE.as_bytes())
        .unwrap_err()
        .to_api();
    assert_eq!(err.error_code(), "VAULT.0007");
    assert_eq!(state(&v.path), vault_before, "the vault changed");
    let after = fs::symlink_metadata(file).unwrap();
    assert_eq!(after.mode(), file_before.mode());
    assert_eq!(after.len(), file_before.len());
}

#[test]
fn planted_wal_and_shm_files_are_refused_before_anything_is_written() {
    let v = closed_vault();
    let wal = sidecar(&v.path, "-wal");
    let shm = sidecar(&v.path, "-shm");

    fs::write(&wal, b"").unwrap();
    fs::set_permissions(&wal, fs::Permissions::from_mode(0o666)).unwrap();
    refused_sidecar(&v, &wal, "its mode 0666 lets group or others at it");
    fs::set_permissions(&wal, fs::Permissions::from_mode(0o640)).unwrap();
    refused_sidecar(&v, &wal, "its mode 0640 lets group or others at it");
    fs::remove_file(&wal).unwrap();

    std::os::unix::fs::symlink(v.dir.path().join("elsewhere"), &shm).unwrap();
    refused_sidecar(&v, &shm, "it is a symlink");
    assert!(!v.dir.path().join("elsewhere").exists());
    fs::remove_file(&shm).unwrap();

    fs::create_dir(&shm).unwrap();
    refused_sidecar(&v, &shm, "it is not a regular file");
    fs::remove_dir(&shm).unwrap();

    if euid() == 0 {
        // Only root can give a file away; elsewhere this case cannot be set up.
        fs::write(&shm, b"").unwrap();
        fs::set_permissions(&shm, fs::Permissions::from_mode(0o600)).unwrap();
        std::os::unix::fs::chown(&shm, Some(65534), Some(65534)).unwrap();
        refused_sidecar(&v, &shm, "it is owned by uid 65534, not by you (uid 0)");
        fs::remove_file(&shm).unwrap();
    }
    // With the planted files gone, the vault is as it was.
    assert_eq!(v.ok(&["secret", "list"])["page_info"]["current_count"], 1);
}

#[test]
fn wal_and_shm_are_made_private_by_us_whatever_the_vault_file_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.db");
    drop(Vault::init(&path, PASSPHRASE.as_bytes()).unwrap());
    // SQLite would give new -wal/-shm files the vault file's mode.
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    let vault = Vault::open(&path, PASSPHRASE.as_bytes()).unwrap();
    for suffix in ["-wal", "-shm"] {
        let side = sidecar(&path, suffix);
        assert_eq!(mode(&side), 0o600, "{suffix}");
        assert_eq!(fs::metadata(&side).unwrap().uid(), euid(), "{suffix}");
    }
    drop(vault);
}

#[test]
fn our_own_shm_without_write_permission_is_given_it_back() {
    let v = closed_vault();
    // What a read of a 0400 vault by an older csvault left behind.
    let shm = sidecar(&v.path, "-shm");
    fs::write(&shm, b"").unwrap();
    fs::set_permissions(&shm, fs::Permissions::from_mode(0o400)).unwrap();
    let vault = Vault::open(&v.path, PASSPHRASE.as_bytes()).unwrap();
    assert_eq!(mode(&shm), 0o600);
    drop(vault);
    v.ok_stdin(
        &[
            "secret",
            "create",
            "--name",
            "api",
            "--secret-string-file",
            "-",
        ],
        "x",
    );
    assert_eq!(v.ok(&["secret", "list"])["page_info"]["current_count"], 2);
}

/// Asserts every -wal/-shm beside `path` is a private file owned by `uid`.
#[track_caller]
fn sidecars_private(path: &Path, uid: u32) {
    for suffix in ["-wal", "-shm"] {
        let side = sidecar(path, suffix);
        if let Ok(meta) = fs::symlink_metadata(&side) {
            assert_eq!(meta.mode() & 0o7777, 0o600, "{suffix}");
            assert_eq!(meta.uid(), uid, "{suffix}");
        }
    }
}

#[test]
fn reading_a_read_only_vault_leaves_nothing_that_blocks_the_next_write() {
    let v = closed_vault();
    fs::set_permissions(&v.path, fs::Permissions::from_mode(0o400)).unwrap();
    assert_eq!(v.ok(&["secret", "list"])["page_info"]["current_count"], 1);
    sidecars_private(&v.path, euid());
    // A reader holding the read-only vault open keeps its -wal/-shm there to be looked at.
    let reader = Vault::open(&v.path, PASSPHRASE.as_bytes()).unwrap();
    assert!(sidecar(&v.path, "-shm").exists());
    sidecars_private(&v.path, euid());
    assert_eq!(v.ok(&["secret", "list"])["page_info"]["current_count"], 1);
    drop(reader);
    fs::set_permissions(&v.path, fs::Permissions::from_mode(0o600)).unwrap();
    v.ok_stdin(
        &[
            "secret",
            "create",
            "--name",
            "next",
            "--secret-string-file",
            "-",
        ],
        "y",
    );
    assert_eq!(v.ok(&["secret", "list"])["page_info"]["current_count"], 2);
}

/// `setpriv` to run the binary as `nobody`, when we are root and it is there.
fn as_nobody() -> Option<assert_cmd::Command> {
    if euid() != 0 || !Path::new("/usr/bin/setpriv").exists() {
        return None;
    }
    let mut cmd = assert_cmd::Command::new("/usr/bin/setpriv");
    cmd.args([
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "--",
        bin(),
    ])
    .env("CSVAULT_PASSPHRASE", PASSPHRASE)
    .env_remove("CSVAULT_PATH")
    .timeout(crate::support::TIMEOUT);
    Some(cmd)
}

#[test]
fn a_read_only_vault_read_by_a_user_mode_bits_stop_stays_writable() {
    // Root ignores mode bits, so the block this guards against only shows for another user.
    let Some(mut nobody) = as_nobody() else {
        eprintln!("skipped: needs root and setpriv to run as another user");
        return;
    };
    let v = closed_vault();
    let dir = v.path.parent().unwrap();
    for p in [v.dir.path(), dir, v.path.as_path()] {
        std::os::unix::fs::chown(p, Some(65534), Some(65534)).unwrap();
    }
    fs::set_permissions(&v.path, fs::Permissions::from_mode(0o400)).unwrap();
    let out = nobody
        .arg("--vault")
        .arg(&v.path)
        .args(["secret", "list"])
        .output()
        .unwrap();
    assert_eq!(ok_json(&out)["page_info"]["current_count"], 1);
    sidecars_private(&v.path, 65534);
    fs::set_permissions(&v.path, fs::Permissions::from_mode(0o600)).unwrap();
    let out = as_nobody()
        .unwrap()
        .arg("--vault")
        .arg(&v.path)
        .args([
            "secret",
            "create",
            "--name",
            "next",
            "--secret-string-file",
            "-",
        ])
        .write_stdin("y")
        .output()
        .unwrap();
    ok_json(&out);
}

/// Checks that every way in says exactly `expected` (VAULT.0007) for `path`, and creates nothing.
#[track_caller]
fn said_exactly(path: &Path, expected: &str, watch: &Path) {
    let names = listing(watch);
    for args in [&["init"][..], &["secret", "list"], &["key", "list"], &[]] {
        let err = api_err(&run(path, args).output().unwrap(), 1);
        assert_eq!(err.code, "VAULT.0007", "{args:?}: {}", err.msg);
        assert_eq!(err.msg, expected, "{args:?}");
        assert!(!err.msg.contains("init`") && !err.msg.contains("already exists"));
    }
    for err in [
        Vault::open(path, PASSPHRASE.as_bytes()).unwrap_err(),
        Vault::init(path, PASSPHRASE.as_bytes()).unwrap_err(),
    ] {
        let api = err.to_api();
        assert_eq!(api.error_code(), "VAULT.0007");
        assert_eq!(api.error_msg, expected);
    }
    assert!(Vault::exists(path), "the app would offer to create a vault");
    assert_eq!(listing(watch), names, "something was created");
}

#[test]
fn what_is_at_the_vault_path_is_said_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    let dangling = d.join("dangling.db");
    std::os::unix::fs::symlink(d.join("gone.db"), &dangling).unwrap();
    let expected = format!(
        "{} is a symlink to a missing file ({}); remove the link or make it point to a vault.",
        dangling.display(),
        d.join("gone.db").display()
    );
    said_exactly(&dangling, &expected, d);

    let folder = d.join("folder.db");
    fs::create_dir(&folder).unwrap();
    let expected = format!("{} is a directory, not a vault file.", folder.display());
    said_exactly(&folder, &expected, d);

    let to_folder = d.join("to-folder.db");
    std::os::unix::fs::symlink(&folder, &to_folder).unwrap();
    let expected = format!("{} is a directory, not a vault file.", to_folder.display());
    said_exactly(&to_folder, &expected, d);

    let looping = d.join("loop.db");
    std::os::unix::fs::symlink(&looping, &looping).unwrap();
    let expected = format!(
        "Cannot look at {}: too many levels of symbolic links.",
        looping.display()
    );
    said_exactly(&looping, &expected, d);
}

#[test]
fn a_vault_path_in_an_unsearchable_directory_is_said_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let locked = dir.path().join("locked");
    fs::create_dir(&locked).unwrap();
    let path: PathBuf = locked.join("vault.db");
    let expected = format!("Cannot look at {}: permission denied.", path.display());
    if as_nobody().is_some() {
        // Root searches any directory; `nobody` cannot search root's 0700 one.
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o700)).unwrap();
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        for args in [&["init"][..], &["secret", "list"], &[]] {
            let mut cmd = as_nobody().unwrap();
            let err = api_err(
                &cmd.arg("--vault").arg(&path).args(args).output().unwrap(),
                1,
            );
            assert_eq!(err.code, "VAULT.0007", "{args:?}: {}", err.msg);
            assert_eq!(err.msg, expected, "{args:?}");
        }
    } else if euid() != 0 {
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
        for args in [&["init"][..], &["secret", "list"], &[]] {
            let err = api_err(&run(&path, args).output().unwrap(), 1);
            assert_eq!(err.code, "VAULT.0007", "{args:?}: {}", err.msg);
            assert_eq!(err.msg, expected, "{args:?}");
        }
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o700)).unwrap();
    } else {
        eprintln!("skipped: root without setpriv searches every directory");
    }
}

#[test]
fn a_path_under_a_file_has_no_vault_and_init_names_the_file_in_the_way() {
    let v = TestVault::uninit();
    let blocker = v.file("blocker", b"");
    let path = blocker.join("vault.db");
    let err = api_err(&run(&path, &["secret", "list"]).output().unwrap(), 1);
    assert_eq!(err.code, "VAULT.0001");
    let err = api_err(&run(&path, &["init"]).output().unwrap(), 1);
    assert_eq!(err.code, "VAULT.0007");
    assert!(
        err.msg.contains(&blocker.display().to_string()),
        "{}",
        err.msg
    );
}
