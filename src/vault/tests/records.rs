//! Import Records (issue 16): the record format through the operation (tags, versions with
//! stages and expiry, state, CMK aliases), each record whole or not at all; and a reader's
//! entries through the whole import pipeline, every field's destination checked.

use zeroize::Zeroizing;

use super::{text_request, vault};
use crate::csms::op::{
    ImportOutcome, ImportRecordsRequest, KeyLookup, RecordVersion, Request, Response, SecretRecord,
};
use crate::csms::{SecretRef, SecretState, TagItem};
use crate::import::pipeline::{Pipeline, ReportLine, Sink, Status};
use crate::import::{Attachment, EntryError, EntryField, SourceEntry, SourceItem};
use crate::vault::Vault;

fn version(value: &str, stages: &[&str], expire_time: Option<i64>) -> RecordVersion {
    RecordVersion {
        version_id: None,
        secret_string: Some(Zeroizing::new(value.into())),
        secret_binary: None,
        version_stages: stages.iter().map(|s| (*s).to_owned()).collect(),
        expire_time,
    }
}

fn import(v: &Vault, records: Vec<SecretRecord>, dry_run: bool) -> Vec<ImportOutcome> {
    let request = Request::ImportRecords(ImportRecordsRequest {
        records,
        keys: KeyLookup::IdOrAlias,
        dry_run,
    });
    match v.execute(&request) {
        Ok(Response::RecordsImported(done)) => done.outcomes,
        other => panic!("{other:?}"),
    }
}

fn value_of(v: &Vault, name: &str, version: &str) -> String {
    let got = v
        .get_value(name, version)
        .unwrap_or_else(|e| panic!("{name} {version}: {e}"));
    got.secret_string
        .map(|s| s.to_string())
        .or_else(|| got.secret_binary.map(|b| format!("b64:{}", &*b)))
        .unwrap_or_default()
}

fn tags_of(v: &Vault, name: &str) -> Vec<(String, String)> {
    v.list_tags(&SecretRef::Name(name.into()))
        .unwrap_or_else(|e| panic!("{e}"))
        .tags
        .into_iter()
        .map(|t| (t.key, t.value))
        .collect()
}

/// (version id, stages, expiry) oldest first.
fn versions_of(v: &Vault, name: &str) -> Vec<(String, Vec<String>, Option<i64>)> {
    v.list_versions(name, None, None)
        .unwrap_or_else(|e| panic!("{e}"))
        .version_metadatas
        .into_iter()
        .map(|m| (m.id, m.version_stages, m.expire_time))
        .collect()
}

#[test]
fn a_record_comes_back_with_its_tags_versions_stages_expiry_state_and_cmk() {
    let (_tv, v, _clock) = vault();
    let key = v
        .create_key("team/app", "")
        .unwrap_or_else(|e| panic!("{e}"));
    let mut record = SecretRecord::plain(crate::csms::CreateSecretRequest {
        name: "db".into(),
        kms_key_id: Some("team/app".into()),
        description: Some("the database".into()),
        ..crate::csms::CreateSecretRequest::default()
    });
    record.tags = vec![TagItem::new("env", "prod"), TagItem::new("owner", "")];
    record.state = Some("DISABLED".into());
    record.versions = Some(vec![
        version("first", &["SYSPREVIOUS"], None),
        version("second", &[], Some(4_102_444_800_000)),
        version("third", &["SYSCURRENT", "blue"], None),
    ]);
    let outcomes = import(&v, vec![record.clone()], false);
    let [ImportOutcome::Created(secret)] = outcomes.as_slice() else {
        panic!("{outcomes:?}");
    };
    assert_eq!(secret.state, SecretState::Disabled);
    assert_eq!(secret.kms_key_id, key.key_id, "the alias named the CMK");
    assert_eq!(secret.description, "the database");
    assert_eq!(
        versions_of(&v, "db"),
        [
            ("v1".to_owned(), vec!["SYSPREVIOUS".to_owned()], None),
            ("v2".to_owned(), vec![], Some(4_102_444_800_000)),
            (
                "v3".to_owned(),
                vec!["SYSCURRENT".to_owned(), "blue".to_owned()],
                None
            ),
        ]
    );
    assert_eq!(
        tags_of(&v, "db"),
        [
            ("env".to_owned(), "prod".to_owned()),
            ("owner".to_owned(), String::new())
        ]
    );
    // Values can be read once it is enabled again.
    v.set_secret_enabled("db", true)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(value_of(&v, "db", "v1"), "first");
    assert_eq!(value_of(&v, "db", "v2"), "second");
    assert_eq!(value_of(&v, "db", "v3"), "third");
    assert_eq!(value_of(&v, "db", "latest"), "third");

    // Again: already there, nothing changes.
    let again = import(&v, vec![record], false);
    assert!(matches!(again.as_slice(), [ImportOutcome::AlreadyExists]));
    assert_eq!(versions_of(&v, "db").len(), 3);
}

#[test]
fn a_broken_record_fails_alone_and_leaves_nothing_of_itself() {
    let (tv, v, _clock) = vault();
    let with = |name: &str, edit: &dyn Fn(&mut SecretRecord)| {
        let mut r = SecretRecord::plain(crate::csms::CreateSecretRequest {
            name: name.into(),
            ..crate::csms::CreateSecretRequest::default()
        });
        r.versions = Some(vec![
            version("a", &[], None),
            version("b", &["SYSCURRENT"], None),
        ]);
        edit(&mut r);
        r
    };
    let records = vec![
        SecretRecord::plain(text_request("plain-before", "x")),
        with("no-current", &|r| {
            r.versions = Some(vec![version("a", &["blue"], None)]);
        }),
        with("stage-twice", &|r| {
            r.versions = Some(vec![
                version("a", &["SYSCURRENT", "blue"], None),
                version("b", &["blue"], None),
            ]);
        }),
        with("bad-base64", &|r| {
            if let Some(vs) = r.versions.as_mut() {
                vs[1].secret_string = None;
                vs[1].secret_binary = Some(Zeroizing::new("%%%".into()));
            }
        }),
        with("bad-tag", &|r| r.tags = vec![TagItem::new("_sys_x", "")]),
        with("bad-state", &|r| r.state = Some("FROZEN".into())),
        with("missing-cmk", &|r| {
            r.create.kms_key_id = Some("no/such".into());
        }),
        with("value-and-versions", &|r| {
            r.create.secret_string = Some(Zeroizing::new("x".into()));
        }),
        with("too-many-tags", &|r| {
            r.tags = (0..21).map(|n| TagItem::new(format!("k{n}"), "")).collect();
        }),
        with("good", &|_| {}),
    ];
    let outcomes = import(&v, records, false);
    let summary: Vec<&str> = outcomes
        .iter()
        .map(|o| match o {
            ImportOutcome::Created(_) => "created",
            ImportOutcome::AlreadyExists => "exists",
            ImportOutcome::Failed(e) => e.error_code(),
        })
        .collect();
    assert_eq!(
        summary,
        [
            "created",
            "CSMS.0002",
            "CSMS.0002",
            "CSMS.0002",
            "CSMS.0002",
            "CSMS.0002",
            "CSMS.0401",
            "CSMS.0002",
            "CSMS.0002",
            "created"
        ]
    );
    let names: Vec<String> = v
        .all_secrets()
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["good", "plain-before"]);
    // Not a version, stage or tag row of a failed record is left behind.
    let sql = tv.sql();
    let count = |table: &str| -> i64 {
        sql.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(count("versions"), 3, "plain-before v1, good v1 and v2");
    assert_eq!(count("secret_tags"), 0);
    assert_eq!(count("stages"), 2, "SYSCURRENT of each");
}

#[test]
fn a_dry_run_answers_as_the_import_would_and_writes_nothing() {
    let (_tv, v, _clock) = vault();
    v.create_secret(&text_request("there", "x"))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut tagged = SecretRecord::plain(text_request("tagged", "y"));
    tagged.tags = vec![TagItem::new("env", "dev")];
    let records = vec![
        SecretRecord::plain(text_request("new", "x")),
        SecretRecord::plain(text_request("there", "x")),
        tagged,
        SecretRecord::plain(text_request("bad name", "x")),
    ];
    let outcomes = import(&v, records, true);
    assert!(matches!(
        outcomes.as_slice(),
        [
            ImportOutcome::Created(_),
            ImportOutcome::AlreadyExists,
            ImportOutcome::Created(_),
            ImportOutcome::Failed(_)
        ]
    ));
    let names: Vec<String> = v
        .all_secrets()
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["there"], "nothing of the dry run stayed");
    // No CMK was made for it either: the vault had csms/default from `there` only.
    assert_eq!(v.list_keys().unwrap_or_else(|e| panic!("{e}")).len(), 1);
}

#[test]
fn a_name_given_twice_in_a_batch_fails_the_later_record() {
    let (_tv, v, _clock) = vault();
    let mut rich = SecretRecord::plain(text_request("twice", "second"));
    rich.tags = vec![TagItem::new("k", "v")];
    let outcomes = import(
        &v,
        vec![SecretRecord::plain(text_request("twice", "first")), rich],
        false,
    );
    assert!(matches!(
        outcomes.as_slice(),
        [ImportOutcome::Created(_), ImportOutcome::Failed(e)] if e.error_code() == "CSMS.0002"
    ));
    assert_eq!(value_of(&v, "twice", "latest"), "first");
    assert!(tags_of(&v, "twice").is_empty());
}

/// The report lines a pipeline wrote, in order.
#[derive(Default)]
struct Lines(Vec<ReportLine>);

impl Sink for Lines {
    fn line(&mut self, line: &ReportLine) {
        self.0.push(line.clone());
    }
    fn progress(&mut self, _bytes: Option<u64>, _created: u64) {}
}

fn secret(s: &str) -> Zeroizing<String> {
    Zeroizing::new(s.into())
}

/// What a format reader yields: every field filled somewhere, a collision, a long name, an
/// attachment that fits and one that does not, a broken entry.
fn fake_source() -> Vec<SourceItem> {
    vec![
        Ok(SourceEntry {
            folders: vec!["Personal".into(), "Bank accounts".into()],
            title: "Main bank".into(),
            kind: Some("login".into()),
            password: Some(secret("pw-1")),
            username: Some(secret("alice")),
            urls: vec![
                "https://bank.example".into(),
                "https://m.bank.example".into(),
            ],
            notes: Some(secret("pin is elsewhere")),
            totp: Some(secret("otpauth://totp/bank?secret=JBSWY3DP")),
            fields: vec![
                EntryField {
                    name: "question".into(),
                    value: Zeroizing::new("first pet".into()),
                    hidden: false,
                },
                EntryField {
                    name: "code".into(),
                    value: Zeroizing::new("111".into()),
                    hidden: true,
                },
                EntryField {
                    name: "code".into(),
                    value: Zeroizing::new("222".into()),
                    hidden: true,
                },
            ],
            tags: vec!["finance".into(), "needs review!".into()],
            attachments: vec![
                Attachment {
                    name: "card scan.png".into(),
                    data: Zeroizing::new(vec![0, 1, 2, 255]),
                },
                Attachment {
                    name: "big.bin".into(),
                    data: Zeroizing::new(vec![7; 24 * 1024 + 1]),
                },
            ],
            attachments_left: Vec::new(),
            location: "Personal/Bank accounts/Main bank".into(),
        }),
        Ok(SourceEntry {
            title: "wifi".into(),
            password: Some(secret("only-a-password")),
            location: "wifi".into(),
            ..SourceEntry::default()
        }),
        Err(EntryError {
            location: "entry 3".into(),
            reason: "not an entry".into(),
        }),
        Ok(SourceEntry {
            title: "wifi".into(),
            kind: Some("login".into()),
            password: Some(secret("the other wifi")),
            location: "Archive/wifi".into(),
            ..SourceEntry::default()
        }),
        Ok(SourceEntry {
            title: "x".repeat(80),
            password: Some(secret("long")),
            location: "long".into(),
            ..SourceEntry::default()
        }),
        Ok(SourceEntry {
            title: "huge".into(),
            notes: Some(Zeroizing::new("n".repeat(40 * 1024))),
            attachments_left: vec![("film.mp4".into(), "it has 2 GiB".into())],
            location: "huge".into(),
            ..SourceEntry::default()
        }),
    ]
}

fn run_pipeline(v: &Vault, dry_run: bool) -> (crate::import::pipeline::Summary, Vec<ReportLine>) {
    let mut lines = Lines::default();
    let summary = Pipeline::new(v, &mut lines, dry_run)
        .entries(fake_source().into_iter())
        .unwrap_or_else(|e| panic!("{e}"));
    (summary, lines.0)
}

#[test]
fn a_readers_entries_go_through_the_pipeline_every_field_to_its_place() {
    let (tv, v, _clock) = vault();

    // A dry run first: the plan, nothing written.
    let (planned, plan_lines) = run_pipeline(&v, true);
    assert!(planned.dry_run);
    assert!(v.all_secrets().unwrap_or_else(|e| panic!("{e}")).is_empty());

    let (summary, lines) = run_pipeline(&v, false);
    let shown: Vec<(Option<&str>, Status)> = lines
        .iter()
        .map(|l| (l.name.as_deref(), l.status))
        .collect();
    let long = format!("{}-", "x".repeat(55));
    assert_eq!(shown.len(), 9, "{lines:#?}");
    assert_eq!(
        shown[..7],
        [
            (Some("Personal.Bank-accounts.Main-bank"), Status::Created),
            (
                Some("Personal.Bank-accounts.Main-bank.card-scan.png"),
                Status::Created
            ),
            (
                Some("Personal.Bank-accounts.Main-bank.big.bin"),
                Status::Failed
            ),
            (Some("wifi"), Status::Created),
            (None, Status::Failed),
            (Some("wifi-2"), Status::Renamed),
            (shown[6].0, Status::Created),
        ]
    );
    assert!(
        shown[6]
            .0
            .is_some_and(|n| n.len() == 64 && n.starts_with(&long))
    );
    assert_eq!(shown[7], (Some("huge"), Status::Failed));
    // An attachment the reader left in the source has a failed line of its own, saying why.
    assert_eq!(shown[8], (None, Status::Failed));
    assert_eq!(lines[8].attachment.as_deref(), Some("film.mp4"));
    assert!(
        lines[8]
            .error_msg
            .as_deref()
            .is_some_and(|m| m.contains("2 GiB"))
    );
    // The dry run said the same.
    let planned_shown: Vec<(Option<&str>, Status)> = plan_lines
        .iter()
        .map(|l| (l.name.as_deref(), l.status))
        .collect();
    assert_eq!(planned_shown, shown);
    assert_eq!(
        (
            summary.lines,
            summary.created,
            summary.failed,
            summary.renamed,
            summary.skipped_existing
        ),
        (9, 5, 4, 1, 0)
    );

    // The renamed entry's line names the entry that has the name (whose line is written
    // batch by batch, possibly before the rename, so it does not name the later one).
    assert!(lines[3].collides_with.is_empty());
    assert_eq!(lines[5].name.as_deref(), Some("wifi-2"));
    assert_eq!(lines[5].location.as_deref(), Some("Archive/wifi"));
    assert_eq!(lines[5].renamed_from.as_deref(), Some("wifi"));
    assert_eq!(lines[5].collides_with[0].location, "wifi");
    assert_eq!(lines[5].collides_with[0].entry, 2);
    // Failures say why, never a value.
    assert_eq!(lines[4].location.as_deref(), Some("entry 3"));
    assert_eq!(lines[4].error_msg.as_deref(), Some("not an entry"));
    assert!(
        lines[2]
            .error_msg
            .as_deref()
            .is_some_and(|m| m.contains("24576"))
    );
    assert!(
        lines[7]
            .error_msg
            .as_deref()
            .is_some_and(|m| m.contains("32768"))
    );
    assert!(
        lines[0]
            .warnings
            .iter()
            .any(|w| w.contains("needs review!")),
        "{:?}",
        lines[0].warnings
    );

    assert_every_field_in_place(&v);

    assert_a_rerun_creates_nothing(&v);
    drop(tv);
}

/// A re-run of the fake source: every secret skipped as existing, nothing made or renamed.
fn assert_a_rerun_creates_nothing(v: &Vault) {
    // A re-run creates nothing twice.
    let (again, lines) = run_pipeline(v, false);
    assert_eq!(
        (
            again.created,
            again.skipped_existing,
            again.failed,
            again.renamed
        ),
        (0, 5, 4, 0)
    );
    assert!(
        lines
            .iter()
            .all(|l| matches!(l.status, Status::SkippedExisting | Status::Failed))
    );
}

/// The fake source's fields where the mapping puts them.
fn assert_every_field_in_place(v: &Vault) {
    // Every field in its place.
    let bank = "Personal.Bank-accounts.Main-bank";
    let text = value_of(v, bank, "latest");
    let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        value,
        serde_json::json!({
            "type": "login",
            "username": "alice",
            "password": "pw-1",
            "urls": ["https://bank.example", "https://m.bank.example"],
            "notes": "pin is elsewhere",
            "totp": "otpauth://totp/bank?secret=JBSWY3DP",
            "fields": {"question": "first pet", "code": ["111", "222"]},
        })
    );
    let at = |key: &str| text.find(&format!("\"{key}\":")).unwrap_or(usize::MAX);
    let order = [
        "type", "username", "password", "urls", "notes", "totp", "fields",
    ];
    assert!(
        order.windows(2).all(|w| at(w[0]) < at(w[1])),
        "keys in the documented order"
    );
    let tag = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    assert_eq!(
        tags_of(v, bank),
        [
            tag("finance", ""),
            tag("folder", "Personal/Bank accounts"),
            tag("needs review-", ""),
            tag("type", "login"),
        ]
    );
    // The description keeps the source's own path, which the name had to change.
    let described = |name: &str| {
        v.all_secrets()
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .find(|s| s.name == name)
            .map(|s| s.description)
    };
    assert_eq!(
        described(bank).as_deref(),
        Some("Personal/Bank accounts/Main bank")
    );
    assert_eq!(described("wifi-2").as_deref(), Some("wifi"));
    let scan = "Personal.Bank-accounts.Main-bank.card-scan.png";
    assert_eq!(value_of(v, scan, "latest"), "b64:AAEC/w==");
    assert!(tags_of(v, scan).contains(&tag("attachment_of", bank)));
    assert_eq!(value_of(v, "wifi", "latest"), "only-a-password");
    assert!(tags_of(v, "wifi").is_empty());
    assert_eq!(value_of(v, "wifi-2", "latest"), "the other wifi");
    assert_eq!(tags_of(v, "wifi-2"), [tag("type", "login")]);
}
