//! The Bitwarden and 1Password readers (issue 16) on the checked-in fixtures
//! (tests/fixtures/import/, written from the documented formats): where every field of the
//! source lands in the `SourceEntry`; and hostile input: per-entry errors where the rest can be
//! read, one error where nothing can, never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};

use csvault::import::source::{self, Format, SourceOptions};
use csvault::import::{EntryError, SourceEntry, SourceItem};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn read(format: Format, path: &Path) -> Vec<SourceItem> {
    source::open(format, path, &SourceOptions::default())
        .unwrap_or_else(|e| panic!("{e:?}"))
        .collect()
}

fn entries(format: Format, path: &Path) -> Vec<SourceEntry> {
    read(format, path)
        .into_iter()
        .map(|item| item.unwrap_or_else(|e| panic!("{e:?}")))
        .collect()
}

fn opened_error(format: Format, path: &Path) -> EntryError {
    match source::open(format, path, &SourceOptions::default()) {
        Ok(_) => panic!("{} opened", path.display()),
        Err(e) => e,
    }
}

fn text(v: Option<&zeroize::Zeroizing<String>>) -> Option<&str> {
    v.map(|v| v.as_str())
}

/// The fields as (name, value, hidden).
fn fields(entry: &SourceEntry) -> Vec<(&str, &str, bool)> {
    entry
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.value.as_str(), f.hidden))
        .collect()
}

fn temp_file(name: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

#[test]
fn bitwarden_every_item_type_and_field_lands_in_its_place() {
    let got = entries(Format::Bitwarden, &fixture("bitwarden.json"));
    assert_eq!(got.len(), 5);

    let login = &got[0];
    assert_eq!(login.title, "db01 root");
    assert_eq!(login.kind.as_deref(), Some("login"));
    assert_eq!(login.folders, ["Work", "Servers"], "a `/` nests folders");
    assert_eq!(text(login.username.as_ref()), Some("root"));
    assert_eq!(text(login.password.as_ref()), Some("s3cr\"et\\pw"));
    assert_eq!(
        text(login.totp.as_ref()),
        Some("otpauth://totp/db01?secret=JBSWY3DPEHPK3PXP")
    );
    assert_eq!(
        login.urls,
        ["https://db01.example.com", "ssh://db01.example.com"]
    );
    assert_eq!(text(login.notes.as_ref()), Some("rotated\nquarterly"));
    assert_eq!(
        fields(login),
        [
            ("region", "eu-west-0", false),
            ("pin", "4321", true),
            ("sudo", "true", false),
            ("login name", "linked:username", false),
            ("password_history_1", "old-pw-1", true),
        ]
    );
    assert!(login.tags.is_empty() && login.attachments.is_empty());
    assert!(login.location.contains("item 1") && login.location.contains("db01 root"));

    let note = &got[1];
    assert_eq!(note.kind.as_deref(), Some("secure_note"));
    assert!(note.folders.is_empty());
    assert_eq!(
        text(note.notes.as_ref()),
        Some("guest network: caf\u{e9}-guest")
    );
    assert!(note.password.is_none() && note.fields.is_empty());

    let card = &got[2];
    assert_eq!(card.kind.as_deref(), Some("card"));
    assert_eq!(card.folders, ["Work"]);
    assert_eq!(
        fields(card),
        [
            ("cardholder_name", "Alice Example", false),
            ("brand", "Visa", false),
            ("number", "4111111111111111", true),
            ("exp_month", "7", false),
            ("exp_year", "2029", false),
            ("code", "123", true),
        ]
    );

    let identity = &got[3];
    assert_eq!(identity.kind.as_deref(), Some("identity"));
    assert_eq!(
        fields(identity),
        [
            ("title", "Ms", false),
            ("first_name", "Alice", false),
            ("middle_name", "B", false),
            ("last_name", "Example", false),
            ("address1", "1 Main St", false),
            ("address2", "Flat 2", false),
            ("city", "Springfield", false),
            ("state", "ST", false),
            ("postal_code", "12345", false),
            ("country", "US", false),
            ("company", "Example Inc", false),
            ("email", "alice@example.com", false),
            ("phone", "+1 555 0100", false),
            ("ssn", "078-05-1120", true),
            ("username", "alice", false),
            ("passport_number", "X1234567", true),
            ("license_number", "D7654321", true),
        ]
    );

    let key = &got[4];
    assert_eq!(key.kind.as_deref(), Some("ssh_key"));
    assert_eq!(key.folders, ["Work", "Servers"]);
    let key_fields = fields(key);
    assert_eq!(key_fields.len(), 3);
    assert_eq!(key_fields[0].0, "private_key");
    assert!(
        key_fields[0]
            .1
            .starts_with("-----BEGIN OPENSSH PRIVATE KEY-----\n")
            && key_fields[0].2
    );
    assert_eq!(
        key_fields[1],
        (
            "public_key",
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample deploy",
            false
        )
    );
    assert_eq!(key_fields[2].0, "key_fingerprint");
}

#[test]
fn bitwarden_organization_collections_are_folders_then_tags() {
    let got = entries(Format::Bitwarden, &fixture("bitwarden-org.json"));
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].folders, ["Ops", "Prod"]);
    assert_eq!(got[0].tags, ["Shared"]);
    assert_eq!(text(got[0].password.as_ref()), Some("prod-pw"));
}

#[test]
fn bitwarden_folders_after_items_are_still_resolved() {
    let doc =
        br#"{"items": [{"type": 1, "name": "a", "folderId": "f1", "login": {"password": "p"}}],
                   "folders": [{"id": "f1", "name": "Late/Folder"}]}"#;
    let (_dir, path) = temp_file("late.json", doc);
    let got = entries(Format::Bitwarden, &path);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].folders, ["Late", "Folder"]);
}

#[test]
fn bitwarden_broken_items_are_errors_of_their_own_and_the_rest_is_read() {
    let doc = br#"{"encrypted": false, "folders": [], "items": [
        {"type": 1, "name": "first", "login": {"password": "pw-1"}},
        {"type": 9, "name": "strange"},
        {"type": 1, "name": "typed", "login": {"password": 12345}},
        {"type": 1, "name": "customs", "fields": [{"name": "x", "value": "v", "type": 7}]},
        {"type": 1, "name": "nowhere", "folderId": "missing"},
        {"type": 1, "name": "last", "login": {"password": "pw-2"}}
    ]}"#;
    let (_dir, path) = temp_file("mixed.json", doc);
    let got = read(Format::Bitwarden, &path);
    assert_eq!(got.len(), 6);
    assert_eq!(
        got[0].as_ref().map(|e| e.title.as_str()).ok(),
        Some("first")
    );
    let err = got[1].as_ref().err().unwrap();
    assert!(err.reason.contains("unknown item type 9"), "{err:?}");
    assert!(err.location.contains("item 2") && err.location.contains("strange"));
    let err = got[2].as_ref().err().unwrap();
    assert!(err.reason.contains("invalid type"), "{err:?}");
    assert!(
        !err.reason.contains("12345"),
        "a value never shows: {err:?}"
    );
    assert!(err.location.contains("typed"), "{err:?}");
    assert!(
        got[3]
            .as_ref()
            .err()
            .unwrap()
            .reason
            .contains("unknown type 7")
    );
    assert!(got[4].as_ref().err().unwrap().reason.contains("folderId"));
    assert_eq!(got[5].as_ref().map(|e| e.title.as_str()).ok(), Some("last"));
}

#[test]
fn bitwarden_a_truncated_export_yields_what_it_holds_then_one_error() {
    let whole = std::fs::read(fixture("bitwarden.json")).unwrap();
    let cut = whole.len() * 2 / 3;
    let (_dir, path) = temp_file("cut.json", &whole[..cut]);
    let got = read(Format::Bitwarden, &path);
    let (ok, errors): (Vec<_>, Vec<_>) = got.iter().partition(|i| i.is_ok());
    assert!(!ok.is_empty(), "the items before the cut are read");
    assert_eq!(errors.len(), 1, "{errors:?}");
    let err = errors[0].as_ref().err().unwrap();
    assert!(err.reason.contains("truncated"), "{err:?}");
    assert!(got.last().unwrap().is_err(), "the error comes last");
}

#[test]
fn bitwarden_files_that_cannot_be_read_at_all_are_one_error() {
    let (_d1, encrypted) = temp_file(
        "enc.json",
        br#"{"encrypted": true, "passwordProtected": true, "salt": "x", "kdfType": 0, "kdfIterations": 600000, "encKeyValidation_DO_NOT_EDIT": "2.x", "data": "2.y"}"#,
    );
    let err = opened_error(Format::Bitwarden, &encrypted);
    assert!(err.reason.contains("encrypted JSON export") && err.reason.contains("unencrypted"));
    for (name, bytes) in [
        ("list.json", &b"[1, 2]"[..]),
        ("empty.json", b""),
        ("noitems.json", br#"{"folders": []}"#),
        ("garbage.json", b"\x00\xffPK"),
    ] {
        let (_dir, path) = temp_file(name, bytes);
        let err = opened_error(Format::Bitwarden, &path);
        assert!(
            err.reason.contains("not a Bitwarden JSON export"),
            "{name}: {err:?}"
        );
    }
    let err = opened_error(Format::Bitwarden, Path::new("/nonexistent/bw.json"));
    assert!(err.reason.contains("cannot be opened"));
}

#[test]
fn onepassword_1pux_two_vaults_sections_totp_and_attachments() {
    let got = entries(Format::OnePassword, &fixture("1password.1pux"));
    assert_eq!(got.len(), 4);

    let login = &got[0];
    assert_eq!(login.title, "GitHub");
    assert_eq!(login.folders, ["Personal"], "the vault is the first folder");
    assert_eq!(login.kind.as_deref(), Some("login"));
    assert_eq!(text(login.username.as_ref()), Some("alice"));
    assert_eq!(text(login.password.as_ref()), Some("gh-p\u{e4}ss"));
    assert_eq!(
        text(login.totp.as_ref()),
        Some("otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP")
    );
    assert_eq!(
        login.urls,
        ["https://github.com/login", "https://gist.github.com"]
    );
    assert_eq!(login.tags, ["dev", "work"]);
    assert_eq!(text(login.notes.as_ref()), Some("work account"));
    assert_eq!(
        fields(login),
        [
            ("remember", "on", false),
            ("Recovery.codes", "1111-2222\n3333-4444", true),
            ("Recovery.email", "alice@example.com", false),
            ("Recovery.since", "2020-01-01", false),
            ("password_history_1", "gh-old", true),
        ]
    );

    let document = &got[1];
    assert_eq!(document.kind.as_deref(), Some("document"));
    assert_eq!(document.attachments.len(), 1);
    assert_eq!(document.attachments[0].name, "id_ed25519");
    assert!(
        document.attachments[0]
            .data
            .starts_with(b"-----BEGIN OPENSSH PRIVATE KEY-----\n")
    );
    assert!(document.attachments_left.is_empty());

    let password = &got[2];
    assert_eq!(password.folders, ["Shared Ops"]);
    assert_eq!(password.kind.as_deref(), Some("password"));
    assert_eq!(text(password.password.as_ref()), Some("router-pw"));
    assert_eq!(password.tags, ["archived"]);

    let card = &got[3];
    assert_eq!(card.kind.as_deref(), Some("credit_card"));
    assert_eq!(card.tags, ["finance"]);
    assert_eq!(
        fields(card),
        [
            ("cardholder name", "Alice Example", false),
            ("type", "visa", false),
            ("number", "4111111111111111", true),
            ("verification number", "123", true),
            ("expiry date", "2029-07", false),
            ("billing.street", "1 Main St", false),
            ("billing.city", "Springfield", false),
            ("billing.state", "ST", false),
            ("billing.zip", "12345", false),
            ("billing.country", "us", false),
        ]
    );
    assert_eq!(card.attachments.len(), 1);
    assert_eq!(card.attachments[0].name, "receipt.txt");
    assert_eq!(&card.attachments[0].data[..], b"total: 42.00 EUR\n");
}

fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        for (name, bytes) in files {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap();
    }
    out.into_inner()
}

#[test]
fn onepassword_1pux_hostile_archives() {
    let (_d, no_data) = temp_file(
        "nodata.1pux",
        &zip_of(&[("export.attributes", b"{\"version\": 3}")]),
    );
    let err = opened_error(Format::OnePassword, &no_data);
    assert!(err.reason.contains("no export.data"), "{err:?}");

    let data = br#"{"accounts": [{"vaults": [{"attrs": {"name": "V"}, "items": [
        {"categoryUuid": "001", "overview": {"title": "ok"}, "details": {"password": "p1"}},
        {"categoryUuid": "001", "overview": {"title": 7}},
        {"categoryUuid": "001", "overview": {"title": "bad field"}, "details": {"sections": [{"fields": [{"title": "f", "value": {"mystery": {"x": 1}}}]}]}},
        {"categoryUuid": "001", "overview": {"title": "missing file"}, "details": {"documentAttributes": {"fileName": "gone.bin", "documentId": "NOPE"}}},
        {"categoryUuid": "999", "overview": {"title": "after"}, "details": {"password": "p2"}}
    ]}]}]}"#;
    let (_d2, mixed) = temp_file("mixed.1pux", &zip_of(&[("export.data", data)]));
    let got = read(Format::OnePassword, &mixed);
    assert_eq!(got.len(), 5);
    assert!(got[0].is_ok());
    assert!(
        got[1]
            .as_ref()
            .err()
            .unwrap()
            .reason
            .contains("invalid type")
    );
    assert!(
        got[2]
            .as_ref()
            .err()
            .unwrap()
            .reason
            .contains("unknown value kind mystery")
    );
    let missing = got[3].as_ref().unwrap();
    assert_eq!(
        missing.attachments_left,
        [("gone.bin".to_owned(), "not in the archive".to_owned())]
    );
    assert_eq!(text(got[4].as_ref().unwrap().password.as_ref()), Some("p2"));
    assert_eq!(
        got[4].as_ref().unwrap().kind.as_deref(),
        Some("category_999"),
        "an undocumented category is kept, by its uuid"
    );

    let cut = &data[..data.len() / 2];
    let (_d3, truncated) = temp_file("cut.1pux", &zip_of(&[("export.data", cut)]));
    let got = read(Format::OnePassword, &truncated);
    assert!(got.first().is_some_and(Result::is_ok));
    assert!(
        got.last()
            .unwrap()
            .as_ref()
            .err()
            .unwrap()
            .reason
            .contains("truncated")
    );

    let big = vec![b'x'; 1024 * 1024 + 1];
    let with_big = br#"{"accounts": [{"vaults": [{"attrs": {"name": "V"}, "items": [
        {"categoryUuid": "006", "overview": {"title": "huge"}, "details": {"documentAttributes": {"fileName": "big.bin", "documentId": "BIG"}}}
    ]}]}]}"#;
    let (_d4, huge) = temp_file(
        "huge.1pux",
        &zip_of(&[("export.data", with_big), ("files/BIG__big.bin", &big)]),
    );
    let got = entries(Format::OnePassword, &huge);
    assert!(got[0].attachments.is_empty());
    assert_eq!(got[0].attachments_left.len(), 1);
    assert!(got[0].attachments_left[0].1.contains("over the"));

    let (_d5, broken) = temp_file("broken.1pux", b"PK\x03\x04 not really a zip");
    let err = opened_error(Format::OnePassword, &broken);
    assert!(err.reason.contains("not a readable 1PUX"), "{err:?}");
}

#[test]
fn onepassword_csv_columns_by_header() {
    let got = entries(Format::OnePassword, &fixture("1password.csv"));
    assert_eq!(got.len(), 3);
    let gh = &got[0];
    assert_eq!(gh.title, "GitHub");
    assert_eq!(gh.urls, ["https://github.com/login"]);
    assert_eq!(text(gh.username.as_ref()), Some("alice"));
    assert_eq!(text(gh.password.as_ref()), Some("pa,ss\"word"));
    assert_eq!(
        text(gh.totp.as_ref()),
        Some("otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP")
    );
    assert_eq!(gh.tags, ["dev", "work"]);
    assert_eq!(text(gh.notes.as_ref()), Some("two\nlines"));
    assert!(gh.fields.is_empty(), "an empty unknown column adds nothing");
    assert!(gh.location.ends_with("row 2 (GitHub)"), "{}", gh.location);

    let router = &got[1];
    assert_eq!(router.tags, ["archived"]);
    assert_eq!(
        fields(router),
        [("PIN", "0000", false)],
        "an unknown column is a field"
    );
    assert!(
        got[2].location.ends_with("row 4 (Bank)"),
        "{}",
        got[2].location
    );
}

#[test]
fn onepassword_csv_hostile_rows() {
    let csv = "title,WEBSITE,username,password\r\na,https://a,u,p\r\nshort,row\r\n,,,nameless\r\nb,https://b,u2,p2\r\n";
    let (_d, path) = temp_file("rows.csv", csv.as_bytes());
    let got = read(Format::OnePassword, &path);
    assert_eq!(got.len(), 4);
    assert_eq!(got[0].as_ref().unwrap().urls, ["https://a"]);
    let err = got[1].as_ref().err().unwrap();
    assert!(
        err.reason.contains("2 columns where the header has 4"),
        "{err:?}"
    );
    assert!(err.location.ends_with("row 3"), "{err:?}");
    assert!(
        got[2]
            .as_ref()
            .err()
            .unwrap()
            .reason
            .contains("Title is empty")
    );
    assert_eq!(text(got[3].as_ref().unwrap().password.as_ref()), Some("p2"));

    let (_d4, bom) = temp_file(
        "bom.csv",
        "\u{feff}Title,Password,Type\nwith bom,pw,Secure Note\n".as_bytes(),
    );
    let got = entries(Format::OnePassword, &bom);
    assert_eq!(
        got[0].title, "with bom",
        "a byte-order mark does not hide the Title column"
    );
    assert_eq!(got[0].kind.as_deref(), Some("secure_note"));

    let (_d2, untitled) = temp_file("x.csv", b"foo,bar\n1,2\n");
    assert!(
        opened_error(Format::OnePassword, &untitled)
            .reason
            .contains("Title")
    );
    let (_d3, empty) = temp_file("e.csv", b"");
    assert!(
        opened_error(Format::OnePassword, &empty)
            .reason
            .contains("Title")
    );
}
