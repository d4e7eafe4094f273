//! The whole-vault export's pages and the backup's refusals, at the library level (issue 16).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::{TempVault, text_request};
use crate::csms::{BackupRequest, DeleteSecretForScheduleRequest};

#[test]
fn export_pages_go_by_name_leave_out_pending_deletion_and_refuse_bad_limits() {
    let (_tv, vault) = TempVault::new();
    for name in ["e", "d", "c", "b", "a"] {
        vault.create_secret(&text_request(name, name)).unwrap();
    }
    vault
        .schedule_delete("c", &DeleteSecretForScheduleRequest::default())
        .unwrap();
    let first = vault.export_page(None, Some(2), false).unwrap();
    let names: Vec<&str> = first.records.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(first.next_marker.as_deref(), Some("b"));
    let second = vault.export_page(Some("b"), Some(2), false).unwrap();
    let names: Vec<&str> = second.records.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["d"], "c is pending deletion");
    assert_eq!(second.pending_deletion, 1);
    let last = vault.export_page(Some("d"), Some(2), true).unwrap();
    assert!(last.next_marker.is_none());
    let versions = last.records[0].versions.as_ref().unwrap();
    assert_eq!(
        versions[0].secret_string.as_deref().map(String::as_str),
        Some("e")
    );
    assert!(last.records[0].secret_string.is_none());
    for bad in [0, 1001] {
        let e = vault.export_page(None, Some(bad), false).unwrap_err();
        assert_eq!(e.to_api().error_code(), "CSMS.0002");
    }
}

#[test]
fn a_backup_path_must_be_absolute_and_not_the_vault() {
    let (tv, vault) = TempVault::new();
    let relative = BackupRequest {
        path: "copy.db".into(),
        force: false,
    };
    assert_eq!(
        vault.backup(&relative).unwrap_err().to_api().error_code(),
        "CSMS.0002"
    );
    let itself = BackupRequest {
        path: tv.path.clone(),
        force: true,
    };
    assert_eq!(
        vault.backup(&itself).unwrap_err().to_api().error_code(),
        "CSMS.0002"
    );
    let copy = tv.path.with_file_name("copy.db");
    let report = vault
        .backup(&BackupRequest {
            path: copy.clone(),
            force: false,
        })
        .unwrap();
    assert_eq!(report.secrets, 0);
    assert!(copy.exists());
}
