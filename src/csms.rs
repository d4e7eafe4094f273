//! The CSMS contract, pure: every type that appears in a request or response (secrets, versions,
//! stages, keys, pages), validation, and the API error type. Depends on nothing of ours.

mod error;
mod keys;
mod page;
mod request;
mod response;
mod validate;
mod value;

pub use error::{ApiError, ErrorCode};
pub use keys::{
    DEFAULT_KEY_ALIAS, KeyInfo, KeyResponse, KeyState, ListKeysResponse, MAX_ALIAS_CHARS,
    MAX_KEY_DESCRIPTION_CHARS, alias_problem, key_description_problem,
};
pub use page::{DEFAULT_PAGE_LIMIT, LATEST, MAX_PAGE_LIMIT, page_limit};
pub use request::{CreateSecretRequest, malformed_body};
pub use response::{
    ListSecretsResponse, PageInfo, Secret, SecretResponse, SecretState, SecretVersion,
    VersionMetadata, VersionResponse,
};
pub use validate::{
    Field, FieldError, MAX_DESCRIPTION_BYTES, MAX_NAME_CHARS, MAX_VALUE_BYTES, rule_text,
    validate_create, validate_name,
};
pub use value::{SecretValue, ValueKind};

/// The stage every new version takes, and the one `latest` means.
pub const STAGE_CURRENT: &str = "SYSCURRENT";
/// The stage the previous current version takes.
pub const STAGE_PREVIOUS: &str = "SYSPREVIOUS";
/// The only secret type csvault stores.
pub const SECRET_TYPE_COMMON: &str = "COMMON";
