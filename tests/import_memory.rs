//! A large Bitwarden export (50,000 items, generated here) is read an item at a time: the
//! process's peak memory grows by far less than the file's size. Its own test binary, so no
//! other test shares the process's peak.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufWriter, Write};

use csvault::import::source::{self, Format, SourceOptions};

/// The process's peak resident set (`VmHWM`), in KiB.
fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[test]
fn a_large_bitwarden_export_is_streamed_not_loaded() {
    const ITEMS: usize = 50_000;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.json");
    {
        let mut out = BufWriter::new(std::fs::File::create(&path).unwrap());
        write!(
            out,
            r#"{{"encrypted": false, "folders": [{{"id": "f", "name": "Bulk/Set"}}], "items": ["#
        )
        .unwrap();
        let notes = "n".repeat(400);
        for i in 0..ITEMS {
            if i > 0 {
                out.write_all(b",\n").unwrap();
            }
            write!(
                out,
                r#"{{"id": "id-{i}", "folderId": "f", "type": 1, "name": "item {i}", "notes": "{notes}", "login": {{"username": "user{i}", "password": "pw-{i}", "uris": [{{"uri": "https://{i}.example"}}]}}, "fields": [{{"name": "k", "value": "v{i}", "type": 1}}]}}"#
            )
            .unwrap();
        }
        out.write_all(b"]}").unwrap();
        out.flush().unwrap();
    }
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size > 24 * 1024 * 1024, "the file is large: {size} bytes");

    let before = peak_kib();
    let mut read = 0;
    for (n, item) in source::open(Format::Bitwarden, &path, &SourceOptions::default())
        .unwrap()
        .enumerate()
    {
        let entry = item.unwrap();
        assert_eq!(entry.title, format!("item {n}"));
        assert_eq!(entry.folders, ["Bulk", "Set"]);
        read += 1;
    }
    assert_eq!(read, ITEMS);
    let grown_kib = peak_kib().saturating_sub(before);
    assert!(
        grown_kib * 1024 < size / 4,
        "reading a {size}-byte export raised the peak by {grown_kib} KiB"
    );
}
