//! `ApiError`: the `{"error_code","error_msg"}` body with its HTTP status, and every code csvault answers with.

use serde::{Deserialize, Serialize};

/// Every error code csvault answers with: the CSMS ones, and the *local* `VAULT.*` ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// 400 CSMS.0002: a request parameter breaks a rule.
    InvalidParameter,
    /// 400 CSMS.0003: no such operation (the local endpoint's unknown paths).
    UnknownPath,
    /// 400 CSMS.0004: the body is not the JSON the operation takes.
    MalformedBody,
    /// 400 CSMS.0005: no such version or stage.
    VersionNotFound,
    /// 400 CSMS.0106: no secret of that name.
    SecretNotFound,
    /// 400 CSMS.0103: the secret is pending deletion.
    SecretPendingDelete,
    /// 400 CSMS.0105: `SYSCURRENT` and `SYSPREVIOUS` cannot be deleted.
    StageProtected,
    /// 400 CSMS.0107: the secret is already scheduled for deletion.
    AlreadyScheduled,
    /// 400 CSMS.0108: the secret is not pending deletion, so there is nothing to restore.
    NotScheduled,
    /// 400 CSMS.0203: a 13th stage, or a 21st tag (*local* for tags), on one secret.
    StageQuota,
    /// 403 CSMS.0109: the secret is not ENABLED.
    SecretNotEnabled,
    /// 400 CSMS.0202: the vault's secret quota is used up.
    SecretQuota,
    /// 400 CSMS.0401: the CMK is missing or disabled, or a ciphertext failed to authenticate.
    KeyUnusable,
    /// 500 CSMS.0500: an internal failure.
    Internal,
    /// 401 APIGW.0301: the request is not signed, badly signed, from an unknown AK or out of
    /// the time window (the API gateway's code; the local endpoint only).
    Unauthenticated,
    /// 429 APIGW.0308: too many requests at once (the API gateway's throttling code; the local
    /// endpoint only, when large unverified bodies wait too long for their turn).
    Throttled,
    /// VAULT.0001: no vault file at the path.
    NoVault,
    /// VAULT.0002: the passphrase does not unlock the vault.
    WrongPassphrase,
    /// VAULT.0003: the vault file is damaged or was altered.
    VaultCorrupt,
    /// VAULT.0004: no passphrase could be read.
    NoPassphrase,
    /// VAULT.0005: another process holds the vault.
    VaultBusy,
    /// VAULT.0006: `init` found a vault already there.
    VaultExists,
    /// VAULT.0007: the vault file or an input file cannot be read or written.
    Io,
    /// VAULT.0008: the command line is wrong.
    Usage,
    // Sync with CSMS remotes (issue 17; docs/DECISIONS.md "Issue 17"): the client's own codes.
    /// SYNC.0001: the remote could not be reached (connection, TLS, or retries used up).
    RemoteUnreachable,
    /// SYNC.0002: the remote answered with an error of its own (its code and message quoted).
    RemoteRefused,
    /// SYNC.0003: the remote refused the signature: the AK or SK is wrong.
    RemoteAuth,
    /// SYNC.0004: the remote refused the request's time: this clock and the remote's differ.
    ClockSkew,
    /// SYNC.0005: the endpoint is refused by policy (not `https` off loopback, a bad URL or CA).
    RemotePolicy,
    /// SYNC.0006: no remote of that name (or, on `remote add`, one already has it).
    RemoteNotFound,
}

impl ErrorCode {
    /// Every code, in declaration order.
    pub const ALL: [Self; 30] = [
        Self::InvalidParameter,
        Self::UnknownPath,
        Self::MalformedBody,
        Self::VersionNotFound,
        Self::SecretNotFound,
        Self::SecretPendingDelete,
        Self::StageProtected,
        Self::AlreadyScheduled,
        Self::NotScheduled,
        Self::StageQuota,
        Self::SecretNotEnabled,
        Self::SecretQuota,
        Self::KeyUnusable,
        Self::Internal,
        Self::Unauthenticated,
        Self::Throttled,
        Self::NoVault,
        Self::WrongPassphrase,
        Self::VaultCorrupt,
        Self::NoPassphrase,
        Self::VaultBusy,
        Self::VaultExists,
        Self::Io,
        Self::Usage,
        Self::RemoteUnreachable,
        Self::RemoteRefused,
        Self::RemoteAuth,
        Self::ClockSkew,
        Self::RemotePolicy,
        Self::RemoteNotFound,
    ];

    /// The code of an `error_code` text, if it is one of ours.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == text)
    }

    /// The code as it appears in `error_code`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidParameter => "CSMS.0002",
            Self::UnknownPath => "CSMS.0003",
            Self::MalformedBody => "CSMS.0004",
            Self::VersionNotFound => "CSMS.0005",
            Self::SecretNotFound => "CSMS.0106",
            Self::SecretPendingDelete => "CSMS.0103",
            Self::StageProtected => "CSMS.0105",
            Self::AlreadyScheduled => "CSMS.0107",
            Self::NotScheduled => "CSMS.0108",
            Self::StageQuota => "CSMS.0203",
            Self::SecretNotEnabled => "CSMS.0109",
            Self::SecretQuota => "CSMS.0202",
            Self::KeyUnusable => "CSMS.0401",
            Self::Internal => "CSMS.0500",
            Self::Unauthenticated => "APIGW.0301",
            Self::Throttled => "APIGW.0308",
            Self::NoVault => "VAULT.0001",
            Self::WrongPassphrase => "VAULT.0002",
            Self::VaultCorrupt => "VAULT.0003",
            Self::NoPassphrase => "VAULT.0004",
            Self::VaultBusy => "VAULT.0005",
            Self::VaultExists => "VAULT.0006",
            Self::Io => "VAULT.0007",
            Self::Usage => "VAULT.0008",
            Self::RemoteUnreachable => "SYNC.0001",
            Self::RemoteRefused => "SYNC.0002",
            Self::RemoteAuth => "SYNC.0003",
            Self::ClockSkew => "SYNC.0004",
            Self::RemotePolicy => "SYNC.0005",
            Self::RemoteNotFound => "SYNC.0006",
        }
    }

    /// The HTTP status the cloud (or a local endpoint) answers this code with.
    pub fn http_status(self) -> u16 {
        match self {
            Self::SecretNotEnabled => 403,
            Self::Internal | Self::Io | Self::VaultCorrupt => 500,
            Self::VaultBusy => 503,
            Self::Throttled => 429,
            Self::NoPassphrase
            | Self::WrongPassphrase
            | Self::Unauthenticated
            | Self::RemoteAuth
            | Self::ClockSkew => 401,
            Self::NoVault | Self::RemoteNotFound => 404,
            Self::RemoteUnreachable | Self::RemoteRefused => 502,
            _ => 400,
        }
    }
}

/// A CSMS error response: HTTP status plus the `{"error_code","error_msg"}` body.
///
/// `error_msg` is written by csvault and never contains a secret value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} {}", .code.as_str(), .error_msg)]
pub struct ApiError {
    pub code: ErrorCode,
    pub error_msg: String,
}

impl Serialize for ApiError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut body = s.serialize_struct("ErrorRsp", 2)?;
        body.serialize_field("error_code", self.code.as_str())?;
        body.serialize_field("error_msg", &self.error_msg)?;
        body.end()
    }
}

impl<'de> Deserialize<'de> for ApiError {
    /// The `{"error_code","error_msg"}` body read back (the agent's wire); an unknown code is an
    /// error.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Body {
            error_code: String,
            error_msg: String,
        }
        let body = Body::deserialize(d)?;
        let code = ErrorCode::parse(&body.error_code)
            .ok_or_else(|| serde::de::Error::custom("unknown error_code"))?;
        Ok(Self::new(code, body.error_msg))
    }
}

impl ApiError {
    pub fn new(code: ErrorCode, error_msg: impl Into<String>) -> Self {
        Self {
            code,
            error_msg: error_msg.into(),
        }
    }

    pub fn invalid(error_msg: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidParameter, error_msg)
    }

    pub fn http_status(&self) -> u16 {
        self.code.http_status()
    }

    pub fn error_code(&self) -> &'static str {
        self.code.as_str()
    }
}
