//! Tags on the command line: `secret tag NAME KEY=VALUE…`, `secret untag NAME KEY…`,
//! `secret tags NAME`, `secret list --tag KEY[=VALUE]` and the top-level `tags`; each one
//! operation, secrets named by name (docs/DECISIONS.md "command line for the new operations",
//! "Tags (issue 14)").

use std::process::ExitCode;

use super::output::print_response;
use crate::csms::op::{Execute, Request};
use crate::csms::{
    ApiError, BatchCreateOrDeleteTagsRequest, SecretFilter, SecretRef, TagAction, TagFilter,
    TagItem,
};

/// `KEY=VALUE`, split at the first `=` (the value may be empty; a key holding `=` is set through
/// the API).
///
/// Errors: no `=` (clap answers `VAULT.0008`, the argument not echoed).
pub fn parse_tag(text: &str) -> Result<TagItem, String> {
    text.split_once('=')
        .map(|(key, value)| TagItem::new(key, value))
        .ok_or_else(|| "write a tag as KEY=VALUE (the value may be empty: KEY=)".to_owned())
}

/// `KEY` (any value) or `KEY=VALUE`, split at the first `=`.
#[allow(
    clippy::unnecessary_wraps,
    reason = "clap's value_parser takes a function returning a Result"
)]
pub fn parse_filter(text: &str) -> Result<TagFilter, String> {
    Ok(match text.split_once('=') {
        Some((key, value)) => TagFilter {
            key: key.to_owned(),
            values: vec![value.to_owned()],
        },
        None => TagFilter {
            key: text.to_owned(),
            values: Vec::new(),
        },
    })
}

/// `secret tag`: every tag set in one `BatchCreateOrDeleteTags`, all or nothing.
pub fn tag(name: String, tags: Vec<TagItem>) -> Request {
    Request::BatchCreateOrDeleteTags {
        secret: SecretRef::Name(name),
        body: BatchCreateOrDeleteTagsRequest::new(TagAction::Create, tags),
    }
}

/// `secret untag`: every key removed in one `BatchCreateOrDeleteTags`, all or nothing; a key
/// the secret does not have is ignored, as the API's batch does.
pub fn untag(name: String, keys: Vec<String>) -> Request {
    let tags = keys
        .into_iter()
        .map(|key| TagItem { key, value: None })
        .collect();
    Request::BatchCreateOrDeleteTags {
        secret: SecretRef::Name(name),
        body: BatchCreateOrDeleteTagsRequest::new(TagAction::Delete, tags),
    }
}

/// `secret tags`: `ListSecretTags`.
pub fn tags(name: String) -> Request {
    Request::ListSecretTags {
        secret: SecretRef::Name(name),
    }
}

/// `secret list`: `ListSecrets`, or with `--filter`, `--state` or `--tag` the same page of the
/// secrets the filter lets through (one local operation).
pub fn list(
    limit: usize,
    marker: Option<String>,
    text: Option<String>,
    state: Option<String>,
    tags: Vec<TagFilter>,
) -> Request {
    let filter = SecretFilter {
        text,
        // The API's states are capitals; a person may type them in either case.
        state: state.map(|s| s.to_ascii_uppercase()),
        tags,
    };
    if filter == SecretFilter::default() {
        Request::ListSecrets {
            limit: Some(limit),
            marker,
            event_name: None,
        }
    } else {
        Request::ListSecretsFiltered {
            limit: Some(limit),
            marker,
            filter,
        }
    }
}

/// The top-level `tags`: every key in use and its values (`ListProjectSecretsTags`).
pub fn run_project(vault: &dyn Execute) -> Result<ExitCode, ApiError> {
    print_response(&vault.execute(&Request::ListProjectSecretsTags)?)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_split_at_the_first_equals_sign() {
        assert_eq!(parse_tag("env=prod"), Ok(TagItem::new("env", "prod")));
        assert_eq!(parse_tag("url=a=b"), Ok(TagItem::new("url", "a=b")));
        assert_eq!(parse_tag("empty="), Ok(TagItem::new("empty", "")));
        assert!(parse_tag("novalue").is_err());
        assert_eq!(
            parse_filter("env"),
            Ok(TagFilter {
                key: "env".into(),
                values: vec![]
            })
        );
        assert_eq!(
            parse_filter("env="),
            Ok(TagFilter {
                key: "env".into(),
                values: vec![String::new()]
            })
        );
    }
}
