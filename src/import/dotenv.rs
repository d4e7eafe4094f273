//! `csvault import --from dotenv`: a `.env` file, one entry per variable (title = the variable's
//! name, password = its value), read with `csvault run`'s parser (src/cli/dotenv.rs). A
//! `csvault://` value is a reference to a secret, not a value: that variable fails alone.

use std::path::Path;

use super::entry::{EntryError, SourceEntry, SourceItem};
use crate::cli::dotenv::{EnvValue, entries};

/// The largest `.env` file read: 16 MiB.
pub const MAX_DOTENV_BYTES: u64 = 16 * 1024 * 1024;

/// The variables of the file at `path`, in order.
///
/// # Errors
/// The file cannot be read, is larger than [`MAX_DOTENV_BYTES`] or is not UTF-8 text.
pub fn read(path: &Path) -> Result<Box<dyn Iterator<Item = SourceItem>>, EntryError> {
    let whole = |reason: String| EntryError {
        location: path.display().to_string(),
        reason,
    };
    let bytes = crate::input::read_bounded(path, MAX_DOTENV_BYTES)
        .map_err(|e| whole(format!("cannot read it: {e}")))?;
    let text = std::str::from_utf8(&bytes).map_err(|_| whole("it is not UTF-8 text".into()))?;
    let parsed: Vec<_> = entries(text).collect();
    // Where each variable is defined last, whatever that definition holds (a reference too).
    let mut last = std::collections::HashMap::new();
    for entry in parsed.iter().flatten() {
        last.insert(entry.name.clone(), entry.line);
    }
    let items: Vec<SourceItem> = parsed
        .into_iter()
        .map(|parsed| match parsed {
            Ok(entry) => match last.get(&entry.name) {
                Some(&later) if later != entry.line => Err(overridden(&entry, later)),
                _ => item(Ok(entry)),
            },
            broken => item(broken),
        })
        .collect();
    Ok(Box::new(items.into_iter()))
}

/// A variable defined again later takes the later definition, as dotenv loaders (and `csvault
/// run --env-file`) do: the earlier one fails, naming the line that overrides it, instead of
/// becoming a renamed secret no program asks for.
fn overridden(entry: &crate::cli::dotenv::EnvEntry, later_line: usize) -> EntryError {
    EntryError {
        location: format!("line {} ({})", entry.line, entry.name),
        reason: format!(
            "defined again at line {later_line} ({}); the later definition is the one imported, as dotenv loaders use it",
            entry.name
        ),
    }
}

fn item(
    parsed: Result<crate::cli::dotenv::EnvEntry, crate::cli::dotenv::SyntaxError>,
) -> SourceItem {
    match parsed {
        Err(e) => Err(EntryError {
            location: format!("line {}", e.line),
            reason: e.message,
        }),
        Ok(entry) => {
            let location = format!("line {} ({})", entry.line, entry.name);
            match entry.value {
                EnvValue::Reference(_) => Err(EntryError {
                    location,
                    reason:
                        "the value is a csvault:// reference to a secret, not a value to import"
                            .into(),
                }),
                EnvValue::Plain(value) => Ok(SourceEntry {
                    title: entry.name,
                    password: Some(value),
                    location,
                    ..SourceEntry::default()
                }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str) -> Vec<SourceItem> {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join(".env");
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
        read(&path).unwrap_or_else(|e| panic!("{e:?}")).collect()
    }

    #[test]
    fn a_variable_defined_twice_takes_its_later_value() {
        let items = read_text("DB=first\nOTHER=x\nexport DB=second\n");
        assert_eq!(items.len(), 3);
        let Err(earlier) = &items[0] else {
            panic!("{:?}", items[0])
        };
        assert_eq!(earlier.location, "line 1 (DB)");
        assert!(earlier.reason.contains("line 3 (DB)"), "{}", earlier.reason);
        assert!(!earlier.reason.contains("first"), "never the value");
        let Ok(later) = &items[2] else {
            panic!("{:?}", items[2])
        };
        assert_eq!(later.password.as_ref().map(|p| p.as_str()), Some("second"));
        // A later reference overrides too: the earlier plain value is not imported.
        let items = read_text("DB=plain\nDB=csvault://db\n");
        assert!(items.iter().all(Result::is_err), "{items:?}");
    }

    #[test]
    fn each_variable_is_an_entry_and_a_broken_line_fails_alone() {
        let items = read_text(
            "# comment\nDB_URL=postgres://x\nexport TOKEN='a b'\n!!!\nREF=csvault://db@SYSCURRENT\nLAST=\"multi\nline\"\n",
        );
        assert_eq!(items.len(), 5, "{items:?}");
        let ok: Vec<(&str, &str, &str)> = items
            .iter()
            .filter_map(|i| i.as_ref().ok())
            .map(|e| {
                (
                    e.title.as_str(),
                    e.password.as_ref().map_or("", |p| p.as_str()),
                    e.location.as_str(),
                )
            })
            .collect();
        assert_eq!(
            ok,
            [
                ("DB_URL", "postgres://x", "line 2 (DB_URL)"),
                ("TOKEN", "a b", "line 3 (TOKEN)"),
                ("LAST", "multi\nline", "line 6 (LAST)"),
            ]
        );
        let errors: Vec<&EntryError> = items.iter().filter_map(|i| i.as_ref().err()).collect();
        assert_eq!(errors[0].location, "line 4");
        assert_eq!(errors[1].location, "line 5 (REF)");
        assert!(errors[1].reason.contains("csvault://"));
        assert!(
            !errors[1].reason.contains("db@SYSCURRENT"),
            "{:?}",
            errors[1]
        );
    }

    #[test]
    fn a_value_that_looks_like_a_broken_reference_is_not_quoted_in_the_report() {
        let items = read_text("TOKEN=csvault://hunter2 s3cret!\nOTHER=csvault://ok@bad stage\n");
        assert_eq!(items.len(), 2, "{items:?}");
        for item in &items {
            let e = item.as_ref().err().unwrap_or_else(|| panic!("{item:?}"));
            assert!(
                e.reason.starts_with("Invalid csvault:// reference"),
                "{e:?}"
            );
            for part in ["hunter2", "s3cret", "bad stage", "ok@"] {
                assert!(!e.reason.contains(part), "{e:?}");
                assert!(!e.location.contains(part), "{e:?}");
            }
        }
    }
}
