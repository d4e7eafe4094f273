//! The `pass` and KeePassXC readers (issue 16) against stores and databases made by the real
//! tools: `gpg` + `pass`, and `keepassxc-cli`. Every field's destination is asserted.
//!
//! The tools come from the distribution (`.ci/run` installs `pass`, `gnupg` and `keepassxc`).
//! When one is missing a test returns early with a note on stderr, unless `CI` is set: then it
//! fails, so CI never passes without having run them.

mod tools;

use std::fs;
use std::io::Write;
use std::path::Path;

use csvault::import::pass::{self, Gpg};
use csvault::import::source::{self, Format, SourceOptions};
use csvault::import::{EntryError, SourceEntry, SourceItem};
use tools::{DB_PASSWORD, keepassxc, make_cli_database, make_store, tools};
use zeroize::Zeroizing;

fn read_all(items: Box<dyn Iterator<Item = SourceItem>>) -> Vec<SourceItem> {
    items.collect()
}

fn ok(item: &SourceItem) -> &SourceEntry {
    item.as_ref()
        .unwrap_or_else(|e| panic!("{}: {}", e.location, e.reason))
}

fn err(item: &SourceItem) -> &EntryError {
    match item {
        Err(e) => e,
        Ok(entry) => panic!("{entry:?} read where an error was expected"),
    }
}

fn text(value: Option<&Zeroizing<String>>) -> Option<&str> {
    value.map(|v| v.as_str())
}

fn fields(entry: &SourceEntry) -> Vec<(&str, &str, bool)> {
    entry
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.value.as_str(), f.hidden))
        .collect()
}

#[test]
fn a_pass_store_is_read_as_pass_show_reads_it() {
    if !tools(&["gpg", "pass", "gpgconf"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (home, store) = make_store(dir.path());

    let items = read_all(
        pass::read_store(&store, Gpg::from_env().with_env("GNUPGHOME", &home.0))
            .unwrap_or_else(|e| panic!("{}: {}", e.location, e.reason)),
    );
    let locations: Vec<String> = items
        .iter()
        .map(|item| match item {
            Ok(entry) => entry.location.clone(),
            Err(e) => e.location.clone(),
        })
        .collect();
    assert_eq!(
        locations,
        [
            "Work/bank.gpg",
            "a/b/c/deep.gpg",
            "alias.gpg",
            "broken.gpg",
            "escape.gpg",
            "simple.gpg",
            "Ünïcode/café.gpg"
        ],
        "every .gpg file in byte order, dot-directories and other files passed over"
    );

    let bank = ok(&items[0]);
    assert_eq!(bank.folders, ["Work"]);
    assert_eq!(bank.title, "bank");
    assert_eq!(text(bank.password.as_ref()), Some("s3cr3t"));
    assert_eq!(text(bank.username.as_ref()), Some("alice"));
    assert_eq!(
        bank.urls,
        ["https://bank.example", "https://m.bank.example"]
    );
    assert_eq!(
        text(bank.totp.as_ref()),
        Some("otpauth://totp/bank?secret=JBSWY3DPEHPK3PXP")
    );
    assert_eq!(fields(bank), [("pin", "1234", false)]);
    assert_eq!(text(bank.notes.as_ref()), Some("Call the branch first."));
    assert!(bank.kind.is_none() && bank.tags.is_empty() && bank.attachments.is_empty());

    let deep = ok(&items[1]);
    assert_eq!(
        (deep.folders.as_slice(), deep.title.as_str()),
        (["a", "b", "c"].map(String::from).as_slice(), "deep")
    );
    assert_eq!(text(deep.password.as_ref()), Some("deep-pw"));
    assert_eq!(text(deep.username.as_ref()), Some("bob"));

    let alias = ok(&items[2]);
    assert_eq!(
        (alias.title.as_str(), text(alias.password.as_ref())),
        ("alias", Some("hunter2"))
    );

    let broken = err(&items[3]);
    assert!(
        broken.reason.contains("could not decrypt"),
        "{}",
        broken.reason
    );
    assert!(
        !broken.reason.contains("OpenPGP message"),
        "never the file's content"
    );
    let escape = err(&items[4]);
    assert!(
        escape.reason.contains("out of the store"),
        "{}",
        escape.reason
    );

    let simple = ok(&items[5]);
    assert!(simple.folders.is_empty());
    assert_eq!(text(simple.password.as_ref()), Some("hunter2"));
    assert!(
        simple.username.is_none()
            && simple.notes.is_none()
            && simple.fields.is_empty()
            && simple.urls.is_empty()
            && simple.totp.is_none()
    );

    let unicode = ok(&items[6]);
    assert_eq!(
        (unicode.folders.as_slice(), unicode.title.as_str()),
        (["Ünïcode".to_owned()].as_slice(), "café")
    );
    assert_eq!(text(unicode.password.as_ref()), Some("crème brûlée"));
}

#[test]
fn a_pass_store_that_is_not_a_directory_is_refused_whole() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("store");
    fs::write(&file, "x").unwrap_or_else(|e| panic!("{e}"));
    let Err(e) = source::open(Format::Pass, &file, &SourceOptions::default()) else {
        panic!("a file read as a store");
    };
    assert!(e.reason.contains("not a directory"), "{}", e.reason);
    let Err(e) = source::open(
        Format::Pass,
        &dir.path().join("missing"),
        &SourceOptions::default(),
    ) else {
        panic!("a missing store read");
    };
    assert!(e.reason.contains("cannot be read"), "{}", e.reason);
}

fn options(password: &str) -> SourceOptions {
    SourceOptions {
        password: Some(Zeroizing::new(password.to_owned())),
        key_file: None,
    }
}

fn open_ok(path: &Path, options: &SourceOptions) -> Vec<SourceItem> {
    read_all(
        source::open(Format::Keepassxc, path, options)
            .unwrap_or_else(|e| panic!("{}: {}", e.location, e.reason)),
    )
}

fn open_err(path: &Path, options: &SourceOptions) -> EntryError {
    match source::open(Format::Keepassxc, path, options) {
        Err(e) => e,
        Ok(items) => panic!("opened, with {} entries", items.count()),
    }
}

/// The file's KDBX major version (its header's bytes 10 and 11).
fn kdbx_major(path: &Path) -> u16 {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{e}"));
    u16::from_le_bytes([bytes[10], bytes[11]])
}

#[test]
fn a_keepassxc_cli_database_is_read() {
    if !tools(&["keepassxc-cli"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = make_cli_database(dir.path());
    let items = open_ok(&db, &options(DB_PASSWORD));
    assert_eq!(items.len(), 2);
    let top = ok(&items[0]);
    assert!(top.folders.is_empty(), "the root group is left out");
    assert_eq!(
        (top.title.as_str(), text(top.password.as_ref())),
        ("top", Some("top-pw"))
    );
    assert!(
        top.username.is_none()
            && top.urls.is_empty()
            && top.notes.is_none()
            && top.fields.is_empty()
    );
    let bank = ok(&items[1]);
    assert_eq!(bank.folders, ["Work", "Deep"]);
    assert_eq!(bank.title, "bank");
    assert_eq!(bank.location, "Work/Deep/bank");
    assert_eq!(text(bank.password.as_ref()), Some("entry-pw"));
    assert_eq!(text(bank.username.as_ref()), Some("bob"));
    assert_eq!(bank.urls, ["https://bank.example"]);
    assert_eq!(text(bank.notes.as_ref()), Some("line one\nline two"));
    assert!(bank.totp.is_none() && bank.fields.is_empty());
    assert_eq!(bank.attachments.len(), 1);
    assert_eq!(bank.attachments[0].name, "key.pem");
    assert_eq!(
        bank.attachments[0].data.as_slice(),
        b"-----BEGIN KEY-----\nMIIB\n"
    );

    // A wrong password, no password: one error for the file, no entries.
    let wrong = open_err(&db, &options("not it"));
    assert!(wrong.reason.contains("wrong"), "{}", wrong.reason);
    let none = open_err(&db, &SourceOptions::default());
    assert!(none.reason.contains("password"), "{}", none.reason);

    // A damaged file and a cut one: an error, never a panic or a partial read.
    let bytes = fs::read(&db).unwrap_or_else(|e| panic!("{e}"));
    let mut damaged = bytes.clone();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0xff;
    let damaged_path = dir.path().join("damaged.kdbx");
    fs::write(&damaged_path, &damaged).unwrap_or_else(|e| panic!("{e}"));
    let e = open_err(&damaged_path, &options(DB_PASSWORD));
    assert!(!e.reason.is_empty());
    let cut_path = dir.path().join("cut.kdbx");
    fs::write(&cut_path, &bytes[..bytes.len() / 3]).unwrap_or_else(|e| panic!("{e}"));
    let e = open_err(&cut_path, &options(DB_PASSWORD));
    assert!(!e.reason.is_empty());
}

#[test]
fn a_keepassxc_csv_export_is_read_and_a_bad_record_fails_alone() {
    if !tools(&["keepassxc-cli"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = make_cli_database(dir.path());
    // The CSV export of the same database.
    let csv = dir.path().join("export.csv");
    let export = keepassxc(
        dir.path(),
        &["export", "-q", "--format", "csv", &db.display().to_string()],
        &format!("{DB_PASSWORD}\n"),
    );
    fs::write(&csv, &export.stdout).unwrap_or_else(|e| panic!("{e}"));
    let items = open_ok(&csv, &SourceOptions::default());
    assert_eq!(items.len(), 2);
    let top = ok(&items[0]);
    assert!(top.folders.is_empty());
    assert_eq!(
        (top.title.as_str(), text(top.password.as_ref())),
        ("top", Some("top-pw"))
    );
    assert!(
        top.username.is_none()
            && top.urls.is_empty()
            && top.notes.is_none()
            && top.totp.is_none()
            && top.fields.is_empty()
    );
    let bank = ok(&items[1]);
    assert_eq!(bank.folders, ["Work", "Deep"]);
    assert_eq!(bank.title, "bank");
    assert_eq!(text(bank.password.as_ref()), Some("entry-pw"));
    assert_eq!(text(bank.username.as_ref()), Some("bob"));
    assert_eq!(bank.urls, ["https://bank.example"]);
    assert_eq!(text(bank.notes.as_ref()), Some("line one\nline two"));
    assert!(bank.fields.is_empty(), "Icon and the times are left out");
    assert!(bank.location.starts_with("line "), "{}", bank.location);

    // A malformed record and one that is not UTF-8 fail alone; the next one still reads.
    let mut broken = export.stdout.clone();
    broken.extend_from_slice(b"\"Root\",\"too few columns\"\n");
    broken.extend_from_slice(
        b"\"Root\",\"latin1 \xe9\",\"\",\"pw\",\"\",\"\",\"\",\"0\",\"\",\"\"\n",
    );
    broken.extend_from_slice(
        b"\"Root/After\",\"after\",\"\",\"after-pw\",\"\",\"\",\"\",\"0\",\"\",\"\"\n",
    );
    fs::write(&csv, &broken).unwrap_or_else(|e| panic!("{e}"));
    let items = open_ok(&csv, &SourceOptions::default());
    assert_eq!(items.len(), 5);
    let short = err(&items[2]);
    assert!(short.reason.contains("columns"), "{}", short.reason);
    assert!(short.location.starts_with("line "), "{}", short.location);
    assert!(err(&items[3]).reason.contains("UTF-8"));
    let after = ok(&items[4]);
    assert_eq!(
        (after.folders.as_slice(), text(after.password.as_ref())),
        (["After".to_owned()].as_slice(), Some("after-pw"))
    );
}

#[test]
fn kdbx_4_and_3_1_made_by_keepassxc_keep_every_field() {
    if !tools(&["keepassxc-cli"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let xml = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keepass_full.xml"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let pw = format!("{DB_PASSWORD}\n");
    // KeePassXC writes KDBX 3.1 unless something needs 4, such as a group's custom data.
    for (version, group_data) in [
        (3, ""),
        (
            4,
            "<CustomData><Item><Key>csvault-test</Key><Value>kdbx4</Value></Item></CustomData>",
        ),
    ] {
        let source = dir.path().join(format!("v{version}.xml"));
        fs::write(&source, xml.replace("<CUSTOMDATA/>", group_data))
            .unwrap_or_else(|e| panic!("{e}"));
        let db = dir.path().join(format!("v{version}.kdbx"));
        keepassxc(
            dir.path(),
            &[
                "import",
                "-q",
                "--set-password",
                &source.display().to_string(),
                &db.display().to_string(),
            ],
            &format!("{pw}{pw}"),
        );
        assert_eq!(
            kdbx_major(&db),
            version,
            "keepassxc-cli wrote KDBX {version}"
        );

        let items = open_ok(&db, &options(DB_PASSWORD));
        assert_eq!(
            items.len(),
            2,
            "KDBX {version}: the Recycle Bin's entry is skipped"
        );
        let pg = ok(&items[0]);
        assert_eq!(pg.folders, ["Servers"]);
        assert_eq!(pg.title, "postgres");
        assert_eq!(
            text(pg.password.as_ref()),
            Some("pg-current"),
            "the current version, not its history"
        );
        assert_eq!(text(pg.username.as_ref()), Some("admin"));
        assert_eq!(
            pg.urls,
            [
                "https://db.example",
                "https://db2.example",
                "https://db3.example"
            ]
        );
        assert_eq!(text(pg.notes.as_ref()), Some("primary\nreplica later"));
        assert_eq!(
            text(pg.totp.as_ref()),
            Some("otpauth://totp/db?secret=JBSWY3DPEHPK3PXP")
        );
        assert_eq!(
            fields(pg),
            [("API key", "k-123", true), ("Port", "5432", false)]
        );
        assert_eq!(pg.tags, ["db", "prod"], "as KeePassXC stores them, sorted");
        assert_eq!(pg.attachments.len(), 1);
        assert_eq!(pg.attachments[0].name, "id.bin");
        assert_eq!(pg.attachments[0].data.as_slice(), b"\x00\x01\x02\xffssk");

        let legacy = ok(&items[1]);
        assert_eq!(legacy.title, "legacy otp");
        assert_eq!(
            text(legacy.totp.as_ref()),
            Some("GEZDGNBVGY3TQOJQ"),
            "KeePass's TOTP Seed"
        );
        assert_eq!(fields(legacy), [("TOTP Settings", "30;6", false)]);
    }
}

#[test]
fn a_key_file_is_read_and_a_missing_one_is_a_clear_error() {
    if !tools(&["keepassxc-cli"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("keyed.kdbx");
    let db_arg = db.display().to_string();
    let key = dir.path().join("db.keyx");
    let key_arg = key.display().to_string();
    let pw = format!("{DB_PASSWORD}\n");
    keepassxc(
        dir.path(),
        &[
            "db-create",
            "-q",
            "--set-password",
            "--set-key-file",
            &key_arg,
            &db_arg,
        ],
        &format!("{pw}{pw}"),
    );
    keepassxc(
        dir.path(),
        &["add", "-q", "-k", &key_arg, "-p", &db_arg, "keyed"],
        &format!("{pw}keyed-pw\n"),
    );

    let with_key = SourceOptions {
        password: Some(Zeroizing::new(DB_PASSWORD.to_owned())),
        key_file: Some(key.clone()),
    };
    let items = open_ok(&db, &with_key);
    assert_eq!(items.len(), 1);
    assert_eq!(text(ok(&items[0]).password.as_ref()), Some("keyed-pw"));

    let without_key = open_err(&db, &options(DB_PASSWORD));
    assert!(
        without_key.reason.contains("wrong"),
        "{}",
        without_key.reason
    );
    let missing = SourceOptions {
        password: Some(Zeroizing::new(DB_PASSWORD.to_owned())),
        key_file: Some(dir.path().join("no-such.keyx")),
    };
    let e = open_err(&db, &missing);
    assert!(
        e.reason.contains("key file") && e.reason.contains("no-such.keyx"),
        "{}",
        e.reason
    );
}

#[test]
fn huge_sources_are_never_read_whole() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // A CSV record longer than 1 MiB ends the read there, with an error; the ones before it read.
    let csv = dir.path().join("huge.csv");
    let mut text =
        String::from("\"Group\",\"Title\",\"Username\",\"Password\",\"URL\",\"Notes\"\n");
    text.push_str("\"Root\",\"first\",\"\",\"first-pw\",\"\",\"\"\n");
    text.push_str("\"Root\",\"huge\",\"\",\"pw\",\"\",\"");
    text.push_str(&"x".repeat(3 * 1024 * 1024));
    text.push_str("\"\n\"Root\",\"never\",\"\",\"pw\",\"\",\"\"\n");
    fs::write(&csv, text).unwrap_or_else(|e| panic!("{e}"));
    let items = open_ok(&csv, &SourceOptions::default());
    assert_eq!(
        items.len(),
        2,
        "the first record, then the error that ends the read"
    );
    assert_eq!(ok(&items[0]).title, "first");
    let e = err(&items[1]);
    assert!(e.reason.contains("longer than 1 MiB"), "{}", e.reason);
    assert_eq!(e.location, "line 3");

    // A KeePass database over 64 MiB is refused before it is read (a sparse file here).
    let kdbx = dir.path().join("huge.kdbx");
    let file = fs::File::create(&kdbx).unwrap_or_else(|e| panic!("{e}"));
    (&file)
        .write_all(&[0x03, 0xd9, 0xa2, 0x9a, 0x67, 0xfb, 0x4b, 0xb5, 1, 0, 4, 0])
        .unwrap_or_else(|e| panic!("{e}"));
    file.set_len(65 * 1024 * 1024)
        .unwrap_or_else(|e| panic!("{e}"));
    let e = open_err(&kdbx, &options(DB_PASSWORD));
    assert!(e.reason.contains("larger than 64 MiB"), "{}", e.reason);
}

/// KDBX 4 with Argon2d, written by KeePassXC: keepassxc-cli 2.7 only creates AES-KDF
/// databases, but keeps the KDF of one it edits. The empty base was made once with pykeepass
/// 4.2.0 (`pip install pykeepass==4.2.0`):
///
/// ```python
/// from pykeepass import create_database
/// create_database("keepass_argon2_empty.kdbx", password="correct horse ✓").save()
/// ```
#[test]
fn an_argon2_kdbx_4_written_by_keepassxc_is_read() {
    if !tools(&["keepassxc-cli"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("argon2.kdbx");
    fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keepass_argon2_empty.kdbx"),
        &db,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let db_arg = db.display().to_string();
    let pw = format!("{DB_PASSWORD}\n");
    keepassxc(dir.path(), &["mkdir", "-q", &db_arg, "Argon"], &pw);
    keepassxc(
        dir.path(),
        &[
            "add",
            "-q",
            "-u",
            "argon-user",
            "--url",
            "https://argon.example",
            "-p",
            &db_arg,
            "Argon/argon entry",
        ],
        &format!("{pw}argon-pw\n"),
    );
    let info = keepassxc(dir.path(), &["db-info", "-q", &db_arg], &pw);
    assert!(String::from_utf8_lossy(&info.stdout).contains("KDF: Argon2d"));
    assert_eq!(kdbx_major(&db), 4);

    let items = open_ok(&db, &options(DB_PASSWORD));
    assert_eq!(items.len(), 1);
    let entry = ok(&items[0]);
    assert_eq!(entry.folders, ["Argon"]);
    assert_eq!(entry.title, "argon entry");
    assert_eq!(text(entry.username.as_ref()), Some("argon-user"));
    assert_eq!(text(entry.password.as_ref()), Some("argon-pw"));
    assert_eq!(entry.urls, ["https://argon.example"]);
    let wrong = open_err(&db, &options("not it"));
    assert!(wrong.reason.contains("wrong"), "{}", wrong.reason);
}
