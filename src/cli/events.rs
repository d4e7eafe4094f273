//! `csvault event …` and `csvault notifications`: events and notification records in the API's
//! shapes, each command one operation (docs/DECISIONS.md "command line for the new operations").

use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

use super::input::read_bounded;
use super::output::print_response;
use crate::csms::op::{Execute, Request};
use crate::csms::{
    ApiError, CreateSecretEventRequest, DEFAULT_PAGE_LIMIT, DEFAULT_RECORDS_LIMIT, Notification,
    UpdateSecretEventRequest, parse_body,
};

#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Subcommand)]
pub enum EventCommand {
    /// Create an event secrets can subscribe to (prints {"event": {...}})
    Create(EventCreateArgs),
    /// Show an event (prints {"event": {...}})
    Show {
        /// The event's name
        name: String,
    },
    /// Change an event's types, state or notification target (prints {"event": {...}})
    Update(EventUpdateArgs),
    /// Delete an event no secret subscribes to (prints nothing)
    Delete {
        /// The event's name
        name: String,
    },
    /// List events by name (prints {"events": [...], "page_info": {...}})
    List {
        /// Page size, 1–1000
        #[arg(long, default_value_t = DEFAULT_PAGE_LIMIT)]
        limit: usize,
        /// Start after this name (exclusive; it need not exist)
        #[arg(long)]
        marker: Option<String>,
    },
}

/// The notification target: the three together, or none.
#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[allow(
    clippy::struct_field_names,
    reason = "the fields are the flags --target-type, --target-id, --target-name"
)]
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// Notification target type, stored as given (the cloud's is SMN)
    #[arg(long, value_name = "TYPE", requires_all = ["target_id", "target_name"])]
    pub target_type: Option<String>,
    /// Notification target id: 1–256 of a–z A–Z 0–9 - . _ :
    #[arg(long, value_name = "ID", requires_all = ["target_type", "target_name"])]
    pub target_id: Option<String>,
    /// Notification target name: 1–64 of a–z A–Z 0–9 _ -
    #[arg(long, value_name = "NAME", requires_all = ["target_type", "target_id"])]
    pub target_name: Option<String>,
}

impl TargetArgs {
    fn notification(self) -> Option<Notification> {
        Some(Notification {
            target_type: self.target_type?,
            target_id: self.target_id?,
            target_name: self.target_name?,
        })
    }
}

#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Args)]
pub struct EventCreateArgs {
    /// The event's name: 1–64 of a–z A–Z 0–9 _ -
    #[arg(required_unless_present = "request")]
    pub name: Option<String>,
    /// The API's JSON request body, from FILE or - (stdin); excludes the other options
    #[arg(long, value_name = "FILE", conflicts_with_all = [
        "name", "types", "state", "target_type", "target_id", "target_name"
    ])]
    pub request: Option<PathBuf>,
    /// Event types, comma-separated: SECRET_VERSION_CREATED, SECRET_VERSION_EXPIRED,
    /// SECRET_ROTATED, SECRET_DELETED, SECRET_ROTATED_FAILED
    #[arg(
        long,
        value_name = "T1,T2",
        value_delimiter = ',',
        required_unless_present = "request"
    )]
    pub types: Vec<String>,
    /// ENABLED (fires) or DISABLED [default: ENABLED]
    #[arg(long, value_name = "STATE")]
    pub state: Option<String>,
    #[command(flatten)]
    pub target: TargetArgs,
}

#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Args)]
pub struct EventUpdateArgs {
    /// The event's name
    pub name: String,
    /// The API's JSON request body, from FILE or - (stdin); excludes the other options
    #[arg(long, value_name = "FILE", conflicts_with_all = [
        "types", "state", "target_type", "target_id", "target_name"
    ])]
    pub request: Option<PathBuf>,
    /// Event types, comma-separated (replaces the list)
    #[arg(long, value_name = "T1,T2", value_delimiter = ',')]
    pub types: Option<Vec<String>>,
    /// ENABLED or DISABLED
    #[arg(long, value_name = "STATE")]
    pub state: Option<String>,
    #[command(flatten)]
    pub target: TargetArgs,
}

/// `csvault notifications`: List Notification Records, newest first.
#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Args)]
pub struct NotificationsArgs {
    /// Page size, 1–1000
    #[arg(long, default_value_t = DEFAULT_RECORDS_LIMIT)]
    pub limit: usize,
    /// Start after this record: TIME:NAME, its create_time and event_name (exclusive), as
    /// page_info.next_marker gives it
    #[arg(long)]
    pub marker: Option<String>,
}

/// Runs one `event` command: the operation it asks for, its response printed.
pub fn run(vault: &dyn Execute, cmd: EventCommand) -> Result<ExitCode, ApiError> {
    let request = match cmd {
        EventCommand::Create(args) => Request::CreateSecretEvent(create_body(args)?),
        EventCommand::Show { name } => Request::ShowSecretEvent { name },
        EventCommand::Update(args) => Request::UpdateSecretEvent {
            name: args.name.clone(),
            body: update_body(args)?,
        },
        EventCommand::Delete { name } => Request::DeleteSecretEvent { name },
        EventCommand::List { limit, marker } => Request::ListSecretEvents {
            limit: Some(limit),
            marker,
        },
    };
    print_response(&vault.execute(&request)?)?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `notifications`.
pub fn notifications(vault: &dyn Execute, args: NotificationsArgs) -> Result<ExitCode, ApiError> {
    let request = Request::ListNotificationRecords {
        limit: Some(args.limit),
        marker: args.marker,
    };
    print_response(&vault.execute(&request)?)?;
    Ok(ExitCode::SUCCESS)
}

fn create_body(args: EventCreateArgs) -> Result<CreateSecretEventRequest, ApiError> {
    if let Some(path) = &args.request {
        return parse_body(&read_bounded(path)?);
    }
    Ok(CreateSecretEventRequest {
        name: args.name.unwrap_or_default(),
        event_types: args.types,
        state: args.state,
        notification: args.target.notification(),
    })
}

fn update_body(args: EventUpdateArgs) -> Result<UpdateSecretEventRequest, ApiError> {
    if let Some(path) = &args.request {
        return parse_body(&read_bounded(path)?);
    }
    Ok(UpdateSecretEventRequest {
        event_types: args.types,
        state: args.state,
        notification: args.target.notification(),
    })
}
