//! `csvault serve` in the process shell: checks its options before the vault is unlocked,
//! settles the endpoint's AK/SK, announces the endpoint on stdout and hands over to `http`.

use serde::Serialize;
use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use zeroize::Zeroizing;

use crate::cli::{self, ServeArgs};
use crate::csms::{ApiError, ErrorCode};
use crate::http::{self, Credentials, ServeOptions};
use crate::vault::{EndpointCredentials, Vault};
use crate::wiped::render_exact;

/// The endpoint's access key, when it is not the one kept in the vault.
pub const ACCESS_KEY_ENV: &str = "CSVAULT_SERVE_AK";
/// The endpoint's secret key, with [`ACCESS_KEY_ENV`].
pub const SECRET_KEY_ENV: &str = "CSVAULT_SERVE_SK";
/// The fewest characters a secret key from [`SECRET_KEY_ENV`] may have: a shorter one could be
/// found from one signed request by trying keys offline (a generated one has 40).
pub const MIN_SECRET_KEY_CHARS: usize = 32;

/// What can be done before asking for the passphrase: the TLS files are read, the address is
/// bound (a taken port is said before unlocking, and before a new AK/SK pair is made that
/// could then not be shown), the environment's AK/SK checked. `None` with `--show-credentials`.
///
/// Errors: `VAULT.0008` for an address that is no address, or off loopback without TLS, for
/// half an AK/SK pair and for a secret key under [`MIN_SECRET_KEY_CHARS`]; `VAULT.0007` for TLS
/// files that cannot be used (a private key others may read among them) or an address that
/// cannot be bound.
pub fn prepare(args: &ServeArgs) -> Result<Option<ServeOptions>, ApiError> {
    env_credentials()?;
    if args.show_credentials {
        return Ok(None);
    }
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(http::server_config(cert, key)?),
        _ => None,
    };
    Ok(Some(ServeOptions {
        listener: http::bind(&args.listen, tls.is_some())?,
        tls,
    }))
}

/// Serves on the unlocked vault with what [`prepare`] made, or, with none (`--show-credentials`),
/// prints the pair.
pub fn run(vault: &Vault, options: Option<ServeOptions>) -> Result<ExitCode, ApiError> {
    let (credentials, new) = credentials(vault)?;
    let project_id = vault.project_id();
    let Some(options) = options else {
        cli::print_sensitive(&ShownCredentials {
            access_key: &credentials.access_key,
            secret_key: &credentials.secret_key,
            project_id: &project_id,
        })?;
        return Ok(ExitCode::SUCCESS);
    };
    let scheme = if options.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let announce = |local: SocketAddr| {
        http::log::line(&format!("listening on {scheme}://{local}"));
        announce(&Listening {
            listening: format!("{scheme}://{local}"),
            project_id: &project_id,
            access_key: &credentials.access_key,
            // Shown once: the first start, when the pair was made.
            secret_key: new.then_some(credentials.secret_key.as_str()),
        })
    };
    let accepted = Credentials {
        access_key: credentials.access_key.clone(),
        secret_key: http::signing::SecretKey::new(&credentials.secret_key),
    };
    let served = http::serve(vault, options, accepted, announce);
    http::log::line(if served.is_ok() {
        "stopped"
    } else {
        "stopped by an error"
    });
    http::log::flush();
    served?;
    Ok(ExitCode::SUCCESS)
}

/// The pair from the environment, else the one kept in the vault (made now if there is none;
/// `true` then).
fn credentials(vault: &Vault) -> Result<(EndpointCredentials, bool), ApiError> {
    match env_credentials()? {
        Some(pair) => Ok((pair, false)),
        None => Ok(vault.endpoint_credentials()?),
    }
}

/// The pair from `CSVAULT_SERVE_AK` and `CSVAULT_SERVE_SK`, if both are set.
///
/// Errors: `VAULT.0008` when one is set without the other, or one is empty, not UTF-8 or holds
/// white space, or the secret key is shorter than [`MIN_SECRET_KEY_CHARS`].
fn env_credentials() -> Result<Option<EndpointCredentials>, ApiError> {
    let ak = std::env::var_os(ACCESS_KEY_ENV);
    let sk = std::env::var_os(SECRET_KEY_ENV).map(|v| Zeroizing::new(v.into_encoded_bytes()));
    match (ak, sk) {
        (None, None) => Ok(None),
        (Some(ak), Some(sk)) => {
            let usable = |s: &str| !s.is_empty() && !s.chars().any(char::is_whitespace);
            let access_key = ak.into_string().ok().filter(|a| usable(a));
            let secret_key = std::str::from_utf8(&sk)
                .ok()
                .filter(|s| usable(s))
                .map(|s| Zeroizing::new(s.to_owned()));
            match (access_key, secret_key) {
                (Some(_), Some(secret_key))
                    if secret_key.chars().count() < MIN_SECRET_KEY_CHARS =>
                {
                    Err(ApiError::new(
                        ErrorCode::Usage,
                        format!(
                            "{SECRET_KEY_ENV} has {} characters; it must have at least \
                             {MIN_SECRET_KEY_CHARS}, random (a shorter key can be guessed from \
                             one signed request). Unset {ACCESS_KEY_ENV} and {SECRET_KEY_ENV} to \
                             use the pair kept in the vault instead.",
                            secret_key.chars().count()
                        ),
                    ))
                }
                (Some(access_key), Some(secret_key)) => Ok(Some(EndpointCredentials {
                    access_key,
                    secret_key,
                })),
                _ => Err(ApiError::new(
                    ErrorCode::Usage,
                    format!(
                        "{ACCESS_KEY_ENV} and {SECRET_KEY_ENV} must be non-empty UTF-8 without \
                         spaces."
                    ),
                )),
            }
        }
        _ => Err(ApiError::new(
            ErrorCode::Usage,
            format!("Set both {ACCESS_KEY_ENV} and {SECRET_KEY_ENV}, or neither."),
        )),
    }
}

/// The first line on stdout.
#[allow(
    clippy::struct_field_names,
    reason = "the field names are the line's JSON keys"
)]
#[derive(Serialize)]
struct Listening<'a> {
    listening: String,
    project_id: &'a str,
    access_key: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_key: Option<&'a str>,
}

#[derive(Serialize)]
struct ShownCredentials<'a> {
    access_key: &'a str,
    secret_key: &'a str,
    project_id: &'a str,
}

/// Writes the line, from a wiped buffer (it may hold the SK), and flushes it.
fn announce(line: &Listening<'_>) -> Result<(), ApiError> {
    let written = render_exact(|out| {
        serde_json::to_writer(&mut *out, line).map_err(std::io::Error::from)?;
        out.write_all(b"\n")
    })
    .and_then(|bytes| {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(&bytes)?;
        stdout.flush()
    });
    written.map_err(|e| {
        ApiError::new(
            ErrorCode::Io,
            format!("Cannot write the endpoint's address to stdout: {e}."),
        )
    })
}
