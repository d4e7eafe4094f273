//! The CSMS contract, pure: request and response shapes, validation, and the API error type.

mod error;
mod request;
mod response;
mod validate;

pub use error::{ApiError, ErrorCode};
pub use request::{CreateSecretRequest, SecretValue};
pub use response::{
    ListSecretsResponse, PageInfo, Secret, SecretResponse, SecretState, SecretVersion,
    VersionMetadata, VersionResponse,
};
pub use validate::{
    Field, FieldError, MAX_DESCRIPTION_BYTES, MAX_NAME_CHARS, MAX_VALUE_BYTES, rule_text,
    validate_create, validate_name,
};

/// The stage every new version takes, and the one `latest` means.
pub const STAGE_CURRENT: &str = "SYSCURRENT";
/// The stage the previous current version takes.
pub const STAGE_PREVIOUS: &str = "SYSPREVIOUS";
/// Alias of the CMK used when a request names none.
pub const DEFAULT_KEY_ALIAS: &str = "csms/default";
/// The only secret type csvault stores.
pub const SECRET_TYPE_COMMON: &str = "COMMON";
