//! `csvault secret …`: every secret command, each one operation (`csms::op::Request`) whose
//! response the command prints.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use zeroize::Zeroizing;

use super::input::read_bounded;
use super::output::{print_bytes, print_response};
use super::values::ValueArgs;
use super::versions;
use crate::csms::op::{Execute, KeyLookup, Request, Response};
use crate::csms::{
    ApiError, BatchGetSecretValueRequest, CreateSecretRequest, DEFAULT_PAGE_LIMIT,
    DEFAULT_RECOVERY_WINDOW_DAYS, DeleteSecretForScheduleRequest, ErrorCode, SecretVersion,
    UpdateSecretStageRequest, UpdateVersionRequest,
};
use crate::csms::{TagFilter, TagItem};

#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Create a secret (prints {"secret": {...}})
    Create(Box<CreateArgs>),
    /// List secrets by name (prints {"secrets": [...], "page_info": {...}}); --filter,
    /// --state and --tag narrow it, every one given must match
    List {
        /// Page size, 1–1000
        #[arg(long, default_value_t = DEFAULT_PAGE_LIMIT)]
        limit: usize,
        /// Start after this name (exclusive; it need not exist)
        #[arg(long)]
        marker: Option<String>,
        /// Only secrets with this tag: KEY (any value) or KEY=VALUE; repeat it and every one
        /// must match
        #[arg(long, value_name = "KEY[=VALUE]", value_parser = super::tags::parse_filter)]
        tag: Vec<TagFilter>,
        /// Only secrets whose name or description holds TEXT (ASCII letters in either case)
        #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
        filter: Option<String>,
        /// Only secrets in this state: ENABLED, DISABLED, PENDING_DELETE or FROZEN
        #[arg(long, value_name = "STATE")]
        state: Option<String>,
    },
    /// Show a secret's record (prints {"secret": {...}})
    Show {
        /// The secret's name
        name: String,
    },
    /// Print a version's value (prints {"version": {...}})
    GetValue {
        /// The secret's name
        name: String,
        /// A version id (v1, v2, …) or `latest`
        #[arg(long, default_value = "latest")]
        version_id: String,
        /// Read the version this stage names (SYSCURRENT, SYSPREVIOUS, or a custom stage)
        #[arg(long, value_name = "STAGE", conflicts_with = "version_id")]
        version_stage: Option<String>,
        /// Print the value alone: text as UTF-8, binary as raw bytes, no newline (for scripts)
        #[arg(long)]
        raw: bool,
    },
    /// Change a secret's description, CMK, rotation settings or event subscription (prints
    /// {"secret": {...}})
    Update(versions::UpdateArgs),
    /// Add a version with a new value (prints {"version_metadata": {...}})
    CreateVersion(versions::CreateVersionArgs),
    /// List a secret's versions, oldest first (prints {"version_metadatas": [...], "page_info"})
    ListVersions {
        /// The secret's name
        name: String,
        /// Page size, 1–1000
        #[arg(long, default_value_t = DEFAULT_PAGE_LIMIT)]
        limit: usize,
        /// Start after this version id (exclusive)
        #[arg(long)]
        marker: Option<String>,
    },
    /// Set a version's expiry (prints {"version_metadata": {...}})
    UpdateVersion {
        /// The secret's name
        name: String,
        /// The version id (v1, v2, …)
        #[arg(long)]
        version_id: String,
        /// Expiry: epoch milliseconds, YYYY-MM-DD or "YYYY-MM-DD HH:MM" (local time); not in
        /// the past (informational: an expired version stays readable)
        #[arg(
            long,
            value_name = "TIME",
            allow_negative_numbers = true,
            value_parser = super::expiry::parse
        )]
        expire_time: i64,
    },
    /// Show which version a stage names (prints {"stage": {...}})
    ShowStage {
        /// The secret's name
        name: String,
        /// The stage's name
        stage: String,
    },
    /// Point a stage at a version; an existing stage moves (prints {"stage": {...}})
    UpdateStage {
        /// The secret's name
        name: String,
        /// The stage's name: 1–64 of a–z A–Z 0–9 _ -
        stage: String,
        /// The version id it names
        #[arg(long)]
        version_id: String,
    },
    /// Remove a custom stage (SYSCURRENT and SYSPREVIOUS cannot be removed); prints nothing
    DeleteStage {
        /// The secret's name
        name: String,
        /// The stage's name
        stage: String,
    },
    /// Schedule a secret's deletion after a recovery window (prints {"secret": {...}})
    ScheduleDelete {
        /// The secret's name
        name: String,
        /// Days until it is deleted for good, 7–30
        #[arg(long, value_name = "DAYS", default_value_t = DEFAULT_RECOVERY_WINDOW_DAYS)]
        recovery_window_in_days: u32,
    },
    /// Cancel a scheduled deletion (prints {"secret": {...}})
    Restore {
        /// The secret's name
        name: String,
    },
    /// Delete a secret now, with every version; final (prints nothing)
    Delete {
        /// The secret's name
        name: String,
    },
    /// Enable a secret (prints {"secret": {...}})
    Enable {
        /// The secret's name
        name: String,
    },
    /// Disable a secret: its values cannot be read until enabled (prints {"secret": {...}})
    Disable {
        /// The secret's name
        name: String,
    },
    /// Print a backup blob of a secret, which restores only into this vault (prints {"secret_blob"})
    DownloadBlob {
        /// The secret's name
        name: String,
    },
    /// Restore a secret from a backup blob (prints {"secret": {...}})
    UploadBlob(versions::UploadBlobArgs),
    /// Print the current value of several secrets (prints {"versions": [...], "total_count"})
    BatchGetValue {
        /// The secrets' names
        #[arg(required = true)]
        names: Vec<String>,
    },
    /// Create secrets from JSON Lines of create-secret request bodies
    Import {
        /// A file of JSON Lines, or - for stdin
        file: PathBuf,
    },
    /// Rotate now: a new current version with a generated value, recorded as a task (prints
    /// {"rotation_task_id", "secret_name", "version_id"})
    Rotate {
        /// The secret's name
        name: String,
    },
    // Tags (issue 14).
    /// Set tags on a secret, all or none; a key it has takes the new value (prints nothing)
    Tag {
        /// The secret's name
        name: String,
        /// KEY=VALUE, split at the first = (the value may be empty: KEY=); at most 20 a secret
        #[arg(required = true, value_name = "KEY=VALUE", value_parser = super::tags::parse_tag)]
        tags: Vec<TagItem>,
    },
    /// Remove tags from a secret by key, all or none; a key it has not is ignored (prints
    /// nothing)
    Untag {
        /// The secret's name
        name: String,
        /// The tags' keys
        #[arg(required = true, value_name = "KEY")]
        keys: Vec<String>,
    },
    /// Show a secret's tags (prints {"tags": [{"key", "value"}], "sys_tags": []})
    Tags {
        /// The secret's name
        name: String,
    },
    // Values by hand (issue 15).
    /// Copy a version's value to the clipboard, cleared after 30 s if still there (prints
    /// {"copied", "version_id", "clears_in_secs", "via", "clear_checked"}, never the value)
    ///
    /// Returns at once: a small background process holds the copy and clears it after
    /// CSVAULT_CLIPBOARD_CLEAR_SECS (default 30, 1–3600). "via": "clipboard" (the system
    /// clipboard, with a display: cleared only if it still holds the value, "clear_checked":
    /// true) or "osc52" (sent to the terminal; inside tmux, the paste buffer tmux keeps of it
    /// is deleted too): the terminal cannot be asked, so the clear is sent without checking
    /// ("clear_checked": false) and replaces whatever was copied meanwhile. A binary value is
    /// copied as its base64.
    Copy(super::copy::CopyArgs),
}

#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The API's JSON request body, from FILE or - (stdin); excludes the other options
    #[arg(long, value_name = "FILE", conflicts_with_all = [
        "name", "kms_key_id", "description", "secret_string", "secret_string_file",
        "secret_binary", "secret_binary_file", "edit", "auto_rotation", "rotation_period",
        "rotation_func_urn", "event_subscription", "rotation_config", "enterprise_project_id"
    ])]
    pub request: Option<PathBuf>,
    /// Secret name: 1–64 of a–z A–Z 0–9 . _ -
    #[arg(long, required_unless_present = "request")]
    pub name: Option<String>,
    /// CMK id or alias [default: csms/default]
    #[arg(long, value_name = "ID|ALIAS")]
    pub kms_key_id: Option<String>,
    /// At most 2,048 bytes
    #[arg(long, allow_hyphen_values = true)]
    pub description: Option<String>,
    #[command(flatten)]
    pub value: ValueArgs,
    #[command(flatten)]
    pub rotation: versions::RotationArgs,
    /// Rotation configuration text, at most 1,024 bytes, stored and returned
    #[arg(long, value_name = "TEXT")]
    pub rotation_config: Option<String>,
    /// Enterprise project id, at most 36 characters [default: 0]
    #[arg(long, value_name = "ID")]
    pub enterprise_project_id: Option<String>,
}

/// The read of `get-value`: by version id, or by stage (issue 15: Show Secret Stage, then that
/// version).
fn get_value(
    vault: &dyn Execute,
    name: String,
    version_id: String,
    stage: Option<&str>,
) -> Result<Request, ApiError> {
    let version_id = match stage {
        Some(stage) => super::reference::stage_version(vault, &name, stage)?,
        None => version_id,
    };
    Ok(Request::ShowSecretVersion { name, version_id })
}

/// Runs one command: the operation it asks for, its response printed. Key references may be ids
/// or aliases, and `csms/default` (docs/DECISIONS.md "Operations as values").
pub fn run(vault: &dyn Execute, cmd: SecretCommand) -> Result<ExitCode, ApiError> {
    let raw = matches!(cmd, SecretCommand::GetValue { raw: true, .. });
    let request = match cmd {
        // JSON Lines, created batch by batch: many requests, one report.
        SecretCommand::Import { file } => return super::import::run(vault, &file),
        // Values by hand (issue 15): two reads, then the clipboard keeper.
        SecretCommand::Copy(args) => return super::copy::run(vault, &args),
        SecretCommand::Create(args) => Request::CreateSecret {
            body: create_body(args)?,
            keys: KeyLookup::IdOrAlias,
        },
        SecretCommand::List {
            limit,
            marker,
            tag,
            filter,
            state,
        } => super::tags::list(limit, marker, filter, state, tag),
        SecretCommand::Show { name } => Request::ShowSecret { name },
        SecretCommand::GetValue {
            name,
            version_id,
            version_stage,
            ..
        } => get_value(vault, name, version_id, version_stage.as_deref())?,
        SecretCommand::Update(args) => Request::UpdateSecret {
            name: args.name.clone(),
            body: args.request()?,
            keys: KeyLookup::IdOrAlias,
        },
        SecretCommand::CreateVersion(args) => Request::CreateSecretVersion {
            name: args.name.clone(),
            body: args.request()?,
        },
        SecretCommand::ListVersions {
            name,
            limit,
            marker,
        } => Request::ListSecretVersions {
            name,
            limit: Some(limit),
            marker,
        },
        SecretCommand::UpdateVersion {
            name,
            version_id,
            expire_time,
        } => Request::UpdateVersion {
            name,
            version_id,
            body: UpdateVersionRequest {
                expire_time: super::expiry::not_past(expire_time)?,
            },
        },
        SecretCommand::ShowStage { name, stage } => Request::ShowSecretStage { name, stage },
        SecretCommand::UpdateStage {
            name,
            stage,
            version_id,
        } => Request::UpdateSecretStage {
            name,
            stage,
            body: UpdateSecretStageRequest { version_id },
        },
        SecretCommand::DeleteStage { name, stage } => Request::DeleteSecretStage { name, stage },
        SecretCommand::ScheduleDelete {
            name,
            recovery_window_in_days,
        } => Request::DeleteSecretForSchedule {
            name,
            body: DeleteSecretForScheduleRequest {
                recovery_window_in_days: Some(i64::from(recovery_window_in_days)),
            },
        },
        SecretCommand::Restore { name } => Request::RestoreSecret { name },
        SecretCommand::Delete { name } => Request::DeleteSecret { name },
        SecretCommand::Enable { name } => Request::SetSecretEnabled {
            name,
            enabled: true,
        },
        SecretCommand::Disable { name } => Request::SetSecretEnabled {
            name,
            enabled: false,
        },
        SecretCommand::DownloadBlob { name } => Request::DownloadSecretBlob { name },
        SecretCommand::UploadBlob(args) => Request::UploadSecretBlob(args.request()?),
        SecretCommand::Rotate { name } => Request::RotateSecret { name },
        SecretCommand::BatchGetValue { names } => {
            Request::BatchGetSecretValue(BatchGetSecretValueRequest {
                secret_name_list: names,
            })
        }
        // Tags (issue 14).
        SecretCommand::Tag { name, tags } => super::tags::tag(name, tags),
        SecretCommand::Untag { name, keys } => super::tags::untag(name, keys),
        SecretCommand::Tags { name } => super::tags::tags(name),
    };
    let response = vault.execute(&request)?;
    // Checks (issue 14): a weak text value just stored is warned about on stderr.
    super::checks::warn_if_weak(vault, &request);
    match response {
        Response::Version(v) if raw => print_raw(&v.version)?,
        response => print_response(&response)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `--raw`: the value alone, text as UTF-8, binary decoded, no newline.
fn print_raw(version: &SecretVersion) -> Result<(), ApiError> {
    if let Some(text) = &version.secret_string {
        return print_bytes(text.as_bytes());
    }
    let b64 = version.secret_binary.as_deref().map_or("", String::as_str);
    let bytes =
        Zeroizing::new(STANDARD.decode(b64).map_err(|_| {
            ApiError::new(ErrorCode::Internal, "A stored binary value is not base64.")
        })?);
    print_bytes(&bytes)
}

fn create_body(args: Box<CreateArgs>) -> Result<CreateSecretRequest, ApiError> {
    if let Some(path) = &args.request {
        return CreateSecretRequest::from_json(&read_bounded(path)?);
    }
    let (secret_string, secret_binary) = args.value.read()?;
    Ok(CreateSecretRequest {
        name: args.name.unwrap_or_default(),
        kms_key_id: args.kms_key_id,
        description: args.description,
        secret_string,
        secret_binary,
        secret_type: None,
        event_subscriptions: args.rotation.event_subscriptions(),
        auto_rotation: args.rotation.auto_rotation,
        rotation_period: args.rotation.rotation_period,
        rotation_func_urn: args.rotation.rotation_func_urn,
        rotation_config: args.rotation_config,
        enterprise_project_id: args.enterprise_project_id,
    })
}
