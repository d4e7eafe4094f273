//! Secret references (`NAME`, `NAME@STAGE`, `NAME#vN`; in files `csvault://…`): the one parser,
//! and their resolution to text values through [`Execute`], all or nothing.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::collections::HashMap;
use std::fmt;
use zeroize::Zeroizing;

use crate::csms::op::{Execute, Request, Response};
use crate::csms::{
    ApiError, ErrorCode, LATEST, SecretVersion, stage_problem, validate_name, version_number,
};

/// The scheme a reference carries in env files and templates.
pub const SCHEME: &str = "csvault://";

/// Which version of a secret a reference names.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Selector {
    /// `NAME`: the version SYSCURRENT names.
    Current,
    /// `NAME@STAGE`.
    Stage(String),
    /// `NAME#vN`: a version id.
    Version(String),
}

/// A parsed reference: a secret name valid by the API's rules and the version it names.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Reference {
    pub name: String,
    pub selector: Selector,
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.selector {
            Selector::Current => write!(f, "{}", self.name),
            Selector::Stage(stage) => write!(f, "{}@{stage}", self.name),
            Selector::Version(id) => write!(f, "{}#{id}", self.name),
        }
    }
}

impl Reference {
    /// Parses `NAME`, `NAME@STAGE` or `NAME#vN`: the name by Create Secret's rules (1–64 of
    /// a–z A–Z 0–9 . _ -), the stage by Update Secret Stage's (1–64 of a–z A–Z 0–9 _ -), the
    /// version id as `v` and 1–10 digits. `CSMS.0002` naming the reference otherwise.
    pub fn parse(text: &str) -> Result<Self, ApiError> {
        let invalid =
            |why: String| ApiError::invalid(format!("Invalid reference '{text}': {why}."));
        let (name, selector) = match text.find(['@', '#']) {
            None => (text, Selector::Current),
            Some(at) => {
                let (name, rest) = text.split_at(at);
                let (mark, what) = rest.split_at(1);
                if mark == "@" {
                    if let Some(problem) = stage_problem(what) {
                        return Err(invalid(problem));
                    }
                    (name, Selector::Stage(what.to_owned()))
                } else {
                    if version_number(what).is_none() {
                        return Err(invalid(
                            "a version is written #vN (v and 1–10 digits)".into(),
                        ));
                    }
                    (name, Selector::Version(what.to_owned()))
                }
            }
        };
        if let Some(problem) = validate_name(name) {
            return Err(invalid(problem));
        }
        Ok(Self {
            name: name.to_owned(),
            selector,
        })
    }

    /// `csvault://NAME[@STAGE|#vN]`: `None` when `text` does not start with the scheme (it is
    /// not a reference), else the parsed reference or its problem.
    pub fn parse_uri(text: &str) -> Option<Result<Self, ApiError>> {
        text.strip_prefix(SCHEME).map(Self::parse)
    }

    /// [`Self::parse_uri`] for text that may be a secret (a `.env` file's value): the problem
    /// is said without quoting any of the text, `CSMS.0002`.
    pub fn parse_value(text: &str) -> Option<Result<Self, ApiError>> {
        Self::parse_uri(text).map(|parsed| {
            parsed.map_err(|_| {
                ApiError::invalid(
                    "Invalid csvault:// reference: it is written csvault://NAME, NAME@STAGE or NAME#vN (a name of 1–64 of a–z A–Z 0–9 . _ -, a stage of 1–64 of a–z A–Z 0–9 _ -, a version v and 1–10 digits).",
                )
            })
        })
    }
}

/// Reads the version `reference` names: a stage through Show Secret Stage then Show Secret
/// Version, a version id or the current version through Show Secret Version (`latest`).
/// Errors: the vault's (`CSMS.0106` no such secret, `CSMS.0109` disabled or pending deletion,
/// `CSMS.0005` no such version or stage, …).
pub fn read_version(vault: &dyn Execute, reference: &Reference) -> Result<SecretVersion, ApiError> {
    let version_id = match &reference.selector {
        Selector::Current => LATEST.to_owned(),
        Selector::Version(id) => id.clone(),
        Selector::Stage(stage) => stage_version(vault, &reference.name, stage)?,
    };
    match vault.execute(&Request::ShowSecretVersion {
        name: reference.name.clone(),
        version_id,
    })? {
        Response::Version(v) => Ok(v.version),
        _ => Err(unexpected()),
    }
}

/// The version id a stage of a secret names (Show Secret Stage). Errors: the vault's
/// (`CSMS.0106` no such secret, `CSMS.0005` no such stage, `CSMS.0002` a malformed stage).
pub fn stage_version(vault: &dyn Execute, name: &str, stage: &str) -> Result<String, ApiError> {
    match vault.execute(&Request::ShowSecretStage {
        name: name.to_owned(),
        stage: stage.to_owned(),
    })? {
        Response::Stage(s) => Ok(s.stage.version_id),
        _ => Err(unexpected()),
    }
}

fn unexpected() -> ApiError {
    crate::csms::op::another_answer()
}

/// The text value `reference` names. A binary value is refused (`CSMS.0002`) unless its bytes
/// are UTF-8 text; a value holding a NUL byte is refused too (no environment variable can
/// hold one). Errors also as [`read_version`].
pub fn read_text(
    vault: &dyn Execute,
    reference: &Reference,
) -> Result<Zeroizing<Vec<u8>>, ApiError> {
    let version = read_version(vault, reference)?;
    let bytes = if let Some(text) = &version.secret_string {
        Zeroizing::new(text.as_bytes().to_vec())
    } else {
        let b64 = version.secret_binary.as_deref().map_or("", String::as_str);
        let bytes = Zeroizing::new(STANDARD.decode(b64).map_err(|_| {
            ApiError::new(ErrorCode::Internal, "A stored binary value is not base64.")
        })?);
        if std::str::from_utf8(&bytes).is_err() {
            return Err(ApiError::invalid(format!(
                "The secret {reference} holds binary bytes that are not UTF-8 text; only text \
                 can go into an environment or a template (secret get-value --raw reads bytes)."
            )));
        }
        bytes
    };
    if bytes.contains(&0) {
        return Err(ApiError::invalid(format!(
            "The secret {reference} holds a NUL byte, which no environment variable or text \
             template can carry."
        )));
    }
    Ok(bytes)
}

/// Every reference's text value, in order, each distinct reference read once; or, when any
/// fails, one error listing every failure (`where` says where each reference was given), with
/// the first failure's code. No value is kept when one fails.
pub fn resolve_all(
    vault: &dyn Execute,
    references: &[(String, Reference)],
) -> Result<Vec<Zeroizing<Vec<u8>>>, ApiError> {
    let mut read: HashMap<&Reference, Result<Zeroizing<Vec<u8>>, ApiError>> = HashMap::new();
    for (_, reference) in references {
        if !read.contains_key(reference) {
            read.insert(reference, read_text(vault, reference));
        }
    }
    let mut failures: Vec<(ErrorCode, String)> = Vec::new();
    let mut values = Vec::with_capacity(references.len());
    for (place, reference) in references {
        match read.get(reference) {
            Some(Ok(value)) => values.push(value.clone()),
            Some(Err(e)) => failures.push((
                e.code,
                format!("{place}: {} {}", e.code.as_str(), e.error_msg),
            )),
            None => failures.push((ErrorCode::Internal, format!("{place}: not read"))),
        }
    }
    match failures.first() {
        None => Ok(values),
        Some(&(code, _)) => Err(failures_error(code, &failures)),
    }
}

fn failures_error(code: ErrorCode, failures: &[(ErrorCode, String)]) -> ApiError {
    let list: Vec<&str> = failures.iter().map(|(_, m)| m.as_str()).collect();
    ApiError::new(
        code,
        format!(
            "{} reference(s) could not be resolved, so nothing was used: {}",
            failures.len(),
            list.join("; ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Reference {
        Reference::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn names_stages_and_versions() {
        assert_eq!(
            parsed("db.pass_1-x"),
            Reference {
                name: "db.pass_1-x".into(),
                selector: Selector::Current
            }
        );
        assert_eq!(
            parsed("db@SYSPREVIOUS").selector,
            Selector::Stage("SYSPREVIOUS".into())
        );
        assert_eq!(parsed("db#v12").selector, Selector::Version("v12".into()));
        for text in ["db", "db@blue-green_2", "db#v3"] {
            assert_eq!(parsed(text).to_string(), text);
        }
        assert_eq!(
            Reference::parse_uri("csvault://api@prod").map(Result::ok),
            Some(Some(Reference {
                name: "api".into(),
                selector: Selector::Stage("prod".into())
            }))
        );
        assert!(Reference::parse_uri("https://x").is_none());
    }

    #[test]
    fn malformed_references_are_refused_by_the_apis_rules_and_named() {
        for bad in [
            "",
            "@prod",
            "#v1",
            "a b",
            "db@",
            "db@a.b",
            "db#1",
            "db#v",
            "db#vx",
            "db#v12345678901",
            "db@x@y",
            "db#v1@x",
            "db@x#v1",
            "ünï",
        ] {
            let e = Reference::parse(bad).err();
            let e = e.unwrap_or_else(|| panic!("{bad:?} was taken"));
            assert_eq!(e.code, ErrorCode::InvalidParameter, "{bad}");
            assert!(
                e.error_msg.contains(&format!("'{bad}'")),
                "{bad}: {}",
                e.error_msg
            );
        }
        assert!(Reference::parse(&"n".repeat(65)).is_err());
        assert!(Reference::parse(&format!("n@{}", "s".repeat(65))).is_err());
        assert!(Reference::parse(&"n".repeat(64)).is_ok());
    }
}
