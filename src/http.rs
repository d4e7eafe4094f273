//! The local CSMS endpoint (`csvault serve`): the REST API of `csms-openapi/` over HTTP, for the
//! official SDKs. Only requests signed with the endpoint's AK/SK are served, each through the same
//! `vault` operation as the command line (docs/DECISIONS.md "The local CSMS endpoint").

mod auth;
pub(crate) mod log;
mod refusal;
mod reply;
mod routes;
mod server;
pub mod signing;
mod slots;
mod tls;
mod workers;

pub use auth::Credentials;
pub use server::{MAX_BODY_BYTES, ServeOptions, bind, serve};
pub use tls::server_config;
pub use workers::MAX_GROUP;
