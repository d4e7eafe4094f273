//! Field problems: every broken rule of a request at once, in the API's field order, from the one
//! set of checks the vault, the command line and the terminal app's forms share.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use zeroize::Zeroizing;

use super::KeyLookup;
use super::{ApiError, CreateSecretRequest, SECRET_TYPE_COMMON, alias_form_problem};

pub const MAX_NAME_CHARS: usize = 64;
pub const MAX_DESCRIPTION_BYTES: usize = 2048;
/// 32 KB: the limit on `secret_string` bytes and on `secret_binary` base64 characters.
pub const MAX_VALUE_BYTES: usize = 32 * 1024;
const MAX_KEY_ID_CHARS: usize = 64;

/// A request field. Create Secret's come first, in the order the API checks them
/// (docs/DECISIONS.md "several rule breaks at once"); the other operations' follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Name,
    KmsKeyId,
    Description,
    Value,
    SecretType,
    /// The newer Secret fields (docs/DECISIONS.md "new Secret fields"), in the API's order.
    AutoRotation,
    RotationPeriod,
    RotationConfig,
    RotationFuncUrn,
    EnterpriseProjectId,
    EventSubscriptions,
    /// A new version's `version_stages`.
    VersionStages,
    /// A stage named in a path (Show/Update/Delete Secret Stage).
    StageName,
    /// A version's `expire_time`, epoch ms.
    ExpireTime,
    /// Scheduled deletion's `recovery_window_in_days`.
    RecoveryWindow,
    /// A new CMK's alias.
    KeyAlias,
    /// A new CMK's description.
    KeyDescription,
    /// Generate Random Password's `length`.
    Length,
    /// Generate Random Password's character choices taken together.
    PasswordOptions,
    // ListSecretTask's query (docs/DECISIONS.md "ListSecretTask").
    /// The `secret_name` filter.
    TaskSecretName,
    /// The `status` filter.
    TaskStatus,
    /// The `task_id` filter.
    TaskId,
    /// The list's `marker`, a task id.
    TaskMarker,
    // Events (docs/DECISIONS.md "events"), in the API's order.
    /// An event's `name`.
    EventName,
    EventTypes,
    /// An event's `state`.
    EventState,
    /// `notification.target_type`, `.target_id`, `.target_name`.
    TargetType,
    TargetId,
    TargetName,
    // Tags (issue 14; docs/DECISIONS.md "tags", "ListResourceInstances").
    /// A tag's `key`.
    TagKey,
    /// A tag's `value`.
    TagValue,
    /// `BatchCreateOrDeleteTags`' `tags` taken together (how many, a key twice).
    TagList,
    /// `BatchCreateOrDeleteTags`' and `ListResourceInstances`' `action`.
    TagAction,
    /// `ListResourceInstances`' `tags` (the filters), also `secret list --tag`.
    TagFilters,
    /// `ListResourceInstances`' `limit`.
    ResourceLimit,
    /// `ListResourceInstances`' `offset`.
    ResourceOffset,
    /// `ListResourceInstances`' `matches`.
    ResourceMatches,
    // Checks and the health report (issue 14).
    /// `CheckSecrets`' `type`.
    CheckType,
    /// `CheckSecrets`' `data` (its `secret_string`).
    CheckData,
    /// The health report's window for soon-expiring versions, in days.
    ExpiringDays,
    /// The health report's age for an unchanged value, in days.
    UnchangedDays,
    // Output for people (issue 15): `secret list`'s filter.
    /// The substring a list looks for in names and descriptions.
    ListFilter,
    /// The state a list shows.
    ListState,
}

impl Field {
    pub fn json_name(self) -> &'static str {
        match self {
            Self::Name | Self::EventName => "name",
            Self::KmsKeyId => "kms_key_id",
            Self::Description => "description",
            Self::Value => "secret_string/secret_binary",
            Self::SecretType => "secret_type",
            Self::AutoRotation => "auto_rotation",
            Self::RotationPeriod => "rotation_period",
            Self::RotationConfig => "rotation_config",
            Self::RotationFuncUrn => "rotation_func_urn",
            Self::EnterpriseProjectId => "enterprise_project_id",
            Self::EventSubscriptions => "event_subscriptions",
            Self::VersionStages => "version_stages",
            Self::StageName => "stage_name",
            Self::ExpireTime => "expire_time",
            Self::RecoveryWindow => "recovery_window_in_days",
            Self::KeyAlias => "key_alias",
            Self::KeyDescription => "key_description",
            Self::Length => "length",
            Self::PasswordOptions => "password options",
            Self::TaskSecretName => "secret_name",
            Self::TaskStatus => "status",
            Self::TaskId => "task_id",
            Self::TaskMarker => "marker",
            Self::EventTypes => "event_types",
            Self::EventState | Self::ListState => "state",
            Self::TargetType => "notification.target_type",
            Self::TargetId => "notification.target_id",
            Self::TargetName => "notification.target_name",
            Self::TagKey => "key",
            Self::TagValue => "value",
            Self::TagList | Self::TagFilters => "tags",
            Self::TagAction => "action",
            Self::ResourceLimit => "limit",
            Self::ResourceOffset => "offset",
            Self::ResourceMatches => "matches",
            // Checks and the health report (issue 14).
            Self::CheckType => "type",
            Self::CheckData => "data",
            Self::ExpiringDays => "expiring_days",
            Self::UnchangedDays => "unchanged_days",
            Self::ListFilter => "filter",
        }
    }
}

/// The rule a field must follow, as shown next to it in the form.
pub fn rule_text(field: Field) -> &'static str {
    match field {
        Field::Name | Field::TaskSecretName => "1–64 of a–z A–Z 0–9 . _ -",
        Field::KmsKeyId => "the id of an enabled CMK of this vault",
        Field::Description => "at most 2,048 bytes",
        Field::Value => "exactly one of text or base64 binary, at most 32 KB",
        Field::SecretType => "COMMON, the only type csvault stores",
        Field::AutoRotation => "true or false; true needs a rotation period",
        Field::RotationPeriod => "a number and d, h, m or s: 6 h to 365 d",
        Field::RotationConfig | Field::RotationFuncUrn => "at most 1,024 bytes",
        Field::EnterpriseProjectId => "at most 36 characters",
        Field::EventSubscriptions => "at most one event of this vault",
        Field::VersionStages
        | Field::StageName
        | Field::EventName
        | Field::TargetType
        | Field::TargetName => "1–64 of a–z A–Z 0–9 _ -",
        Field::ExpireTime => "epoch ms, 0–9999999999999",
        Field::RecoveryWindow => "7–30 days",
        Field::KeyAlias => "1–255 of a–z A–Z 0–9 : / _ -, not ending in /default",
        Field::KeyDescription => "at most 255 characters",
        Field::Length => "1–255 characters",
        Field::PasswordOptions => "at least one character left to draw from",
        Field::TaskStatus => "SUCCESS or FAILED",
        Field::TaskId | Field::TaskMarker => "a task id (8-4-4-4-12 of 0–9 a–z)",
        Field::EventTypes => "1–5 different event types",
        Field::EventState => "ENABLED or DISABLED",
        Field::TargetId => "1–256 of a–z A–Z 0–9 - . _ :",
        Field::TagKey => "1–128 letters, digits, spaces, _ . : = + - @; not _sys_…",
        Field::TagValue => "0–255 letters, digits, spaces, _ . : / = + - @",
        Field::TagList => "1–20 tags, each key once",
        Field::TagAction => "create or delete (filter or count to list)",
        Field::TagFilters => "at most 10 keys, each with at most 10 values",
        Field::ResourceLimit => "1–1000, 10 when absent",
        Field::ResourceOffset => "0 or more",
        Field::ResourceMatches => "at most 10 resource_name searches",
        // Checks and the health report (issue 14).
        Field::CheckType => "strength, the only check csvault runs",
        Field::CheckData => "an object with secret_string, at most 32 KB",
        Field::ExpiringDays => "1–365 days",
        Field::UnchangedDays => "1–3650 days",
        Field::ListFilter => "1–255 bytes of text, no control or invisible character",
        Field::ListState => "ENABLED, DISABLED, PENDING_DELETE or FROZEN",
    }
}

/// One broken rule of one field. `message` never quotes a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: Field,
    pub message: String,
}

impl FieldError {
    pub fn new(field: Field, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

impl FieldError {
    /// As the API answers it: `CSMS.0002` `Invalid <field>: <problem>.`
    pub fn to_api(&self) -> ApiError {
        ApiError::invalid(format!(
            "Invalid {}: {}.",
            self.field.json_name(),
            self.message
        ))
    }
}

/// The API's answer to a request with `problems`: the first of them, as `CSMS.0002`.
///
/// Errors: the first problem, when there is one.
pub fn first_problem(problems: &[FieldError]) -> Result<(), ApiError> {
    problems.first().map_or(Ok(()), |p| Err(p.to_api()))
}

/// [`first_problem`] as Create Secret (and each entry of a batch import) words it: without the
/// closing full stop, as it always has.
///
/// Errors: the first problem, when there is one.
pub fn first_create_problem(problems: &[FieldError]) -> Result<(), ApiError> {
    problems.first().map_or(Ok(()), |p| {
        Err(ApiError::invalid(format!(
            "Invalid {}: {}",
            p.field.json_name(),
            p.message
        )))
    })
}

/// Checks a secret name alone (also used for names in paths and markers).
pub fn validate_name(name: &str) -> Option<String> {
    let chars = name.chars().count();
    if chars == 0 {
        return Some("the name is empty".into());
    }
    if chars > MAX_NAME_CHARS {
        return Some(format!(
            "the name has {chars} characters, {} too many",
            chars - MAX_NAME_CHARS
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Some(format!("the name contains {}", describe_char(bad)));
    }
    None
}

fn describe_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        format!("U+{:04X}", u32::from(c))
    } else {
        format!("'{c}'")
    }
}

/// Checks a CMK id as a request carries it: 1–64 of `a–z A–Z 0–9 -`.
pub fn validate_key_id(id: &str) -> Option<String> {
    if id.is_empty() || id.chars().count() > MAX_KEY_ID_CHARS {
        return Some("a key id has 1–64 characters".into());
    }
    if !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Some("a key id has only a–z A–Z 0–9 and -".into());
    }
    None
}

/// Checks a secret description: at most 2,048 bytes of UTF-8.
pub fn validate_description(description: &str) -> Option<String> {
    let bytes = description.len();
    (bytes > MAX_DESCRIPTION_BYTES).then(|| {
        format!(
            "the description has {bytes} bytes, {} too many",
            bytes - MAX_DESCRIPTION_BYTES
        )
    })
}

/// Checks a value as Create Secret and Create Secret Version take it: exactly one of the two
/// fields, at most 32 KB, binary as standard base64 with padding.
pub fn validate_value(
    secret_string: Option<&Zeroizing<String>>,
    secret_binary: Option<&Zeroizing<String>>,
) -> Option<String> {
    match (secret_string, secret_binary) {
        (Some(_), Some(_)) => Some("both secret_string and secret_binary are given".into()),
        (None, None) => Some("neither secret_string nor secret_binary is given".into()),
        (Some(text), None) => (text.len() > MAX_VALUE_BYTES).then(|| {
            format!(
                "secret_string has {} bytes, {} too many",
                text.len(),
                text.len() - MAX_VALUE_BYTES
            )
        }),
        (None, Some(b64)) => {
            if b64.len() > MAX_VALUE_BYTES {
                Some(format!(
                    "secret_binary has {} base64 characters, {} too many",
                    b64.len(),
                    b64.len() - MAX_VALUE_BYTES
                ))
            } else if STANDARD
                .decode(b64.as_bytes())
                .map(Zeroizing::new) // the decoded plaintext is wiped at once
                .is_err()
            {
                Some("secret_binary is not valid base64 (standard alphabet, with padding)".into())
            } else {
                None
            }
        }
    }
}

/// Checks a key reference: an id (over HTTP, as the cloud takes it), or on the command line and
/// in the terminal app also an alias or `csms/default` (docs/DECISIONS.md "Operations as values").
pub fn validate_key_ref(key: &str, lookup: KeyLookup) -> Option<String> {
    let id_problem = validate_key_id(key)?;
    // An alias in form (a reserved one too) is looked up, and answered `CSMS.0401` if missing.
    (lookup == KeyLookup::Id || alias_form_problem(key).is_some()).then_some(id_problem)
}

/// Every broken rule of a Create Secret request, in the API's field order. Empty means valid
/// (the duplicate-name and key checks need the vault and happen there). Key references are read
/// as the API reads them: ids only.
pub fn validate_create(req: &CreateSecretRequest) -> Vec<FieldError> {
    create_problems(req, KeyLookup::Id)
}

/// [`validate_create`] with key references read as `lookup` says.
pub fn create_problems(req: &CreateSecretRequest, lookup: KeyLookup) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Some(m) = validate_name(&req.name) {
        errors.push(FieldError::new(Field::Name, m));
    }
    if let Some(m) = req
        .kms_key_id
        .as_deref()
        .and_then(|k| validate_key_ref(k, lookup))
    {
        errors.push(FieldError::new(Field::KmsKeyId, m));
    }
    if let Some(m) = req.description.as_deref().and_then(validate_description) {
        errors.push(FieldError::new(Field::Description, m));
    }
    if let Some(m) = validate_value(req.secret_string.as_ref(), req.secret_binary.as_ref()) {
        errors.push(FieldError::new(Field::Value, m));
    }
    if let Some(kind) = req
        .secret_type
        .as_deref()
        .filter(|t| *t != SECRET_TYPE_COMMON)
    {
        let shown: String = kind.chars().take(32).collect();
        errors.push(FieldError::new(
            Field::SecretType,
            format!("{shown:?} is not supported; csvault stores only {SECRET_TYPE_COMMON}"),
        ));
    }
    let settings = req.settings();
    errors.extend(settings.missing_period(None));
    errors.extend(settings.problems());
    errors
}
