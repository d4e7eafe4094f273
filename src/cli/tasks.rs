//! `csvault tasks`: the rotation tasks (`ListSecretTask`), newest first, in the API's shape.

use clap::Args;
use std::process::ExitCode;

use super::output::print_response;
use crate::csms::op::{Execute, Request};
use crate::csms::{ApiError, DEFAULT_PAGE_LIMIT, ListSecretTaskQuery};

/// `tasks`' filters and paging (docs/DECISIONS.md "ListSecretTask").
#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[derive(Debug, Args)]
pub struct TasksArgs {
    /// Only the tasks of this secret
    #[arg(long, value_name = "NAME")]
    pub secret: Option<String>,
    /// Only tasks in this state: SUCCESS or FAILED
    #[arg(long, value_name = "S")]
    pub status: Option<String>,
    /// Only this task (no other filter with it)
    #[arg(long, value_name = "ID")]
    pub task_id: Option<String>,
    /// Page size, 1–1000
    #[arg(long, default_value_t = DEFAULT_PAGE_LIMIT)]
    pub limit: usize,
    /// Start after this task id (exclusive): the next_marker of the page before
    #[arg(long, value_name = "ID")]
    pub marker: Option<String>,
}

/// Lists the tasks (prints `{"tasks": [...], "total", "next_marker"}`).
pub fn run(vault: &dyn Execute, args: TasksArgs) -> Result<ExitCode, ApiError> {
    let request = Request::ListSecretTask(ListSecretTaskQuery {
        secret_name: args.secret,
        status: args.status,
        task_id: args.task_id,
        limit: Some(args.limit),
        marker: args.marker,
    });
    print_response(&vault.execute(&request)?)?;
    Ok(ExitCode::SUCCESS)
}
