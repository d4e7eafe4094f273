//! `csvault generate-password`: Generate Random Password, needing no vault.

use clap::Args;
use std::process::ExitCode;

use super::output::print_response;
use crate::csms::op::Response;
use crate::csms::{ApiError, GeneratePasswordRequest};
use crate::vault::generate_password;

#[allow(
    clippy::doc_markdown,
    reason = "these doc comments are --help text, shown as written"
)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "one flag per option of GenerateRandomPassword"
)]
#[derive(Debug, Args)]
pub struct GeneratePasswordArgs {
    /// Characters, 1–255
    #[arg(long, default_value_t = 32, allow_negative_numbers = true)]
    pub length: i64,
    /// Characters never to use
    #[arg(long, value_name = "S", allow_hyphen_values = true)]
    pub exclude_characters: Option<String>,
    /// No a–z
    #[arg(long)]
    pub exclude_lowercase: bool,
    /// No A–Z
    #[arg(long)]
    pub exclude_uppercase: bool,
    /// No 0–9
    #[arg(long)]
    pub exclude_numbers: bool,
    /// No punctuation (!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~)
    #[arg(long)]
    pub exclude_punctuation: bool,
    /// Also draw the space character
    #[arg(long)]
    pub include_space: bool,
    /// At least one character of every class left
    #[arg(long)]
    pub require_each_included_type: bool,
}

pub fn run(args: GeneratePasswordArgs) -> Result<ExitCode, ApiError> {
    let req = GeneratePasswordRequest {
        length: Some(args.length),
        exclude_characters: args.exclude_characters,
        exclude_lowercase: args.exclude_lowercase,
        exclude_uppercase: args.exclude_uppercase,
        exclude_numbers: args.exclude_numbers,
        exclude_punctuation: args.exclude_punctuation,
        include_space: args.include_space,
        require_each_included_type: args.require_each_included_type,
        password_policy_name: None,
    };
    print_response(&Response::Password(generate_password(&req)?))?;
    Ok(ExitCode::SUCCESS)
}
