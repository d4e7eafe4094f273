//! TLS for the endpoint (rustls): a PEM certificate chain and private key, loaded before the
//! vault is unlocked so a bad file is said first. A private key file that its group or others may
//! read is refused, as ssh refuses such a key: whoever can read it can pose as the endpoint.

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;

use super::refusal;
use crate::csms::ApiError;

/// The server configuration for `cert` (PEM, the leaf first) and `key` (PEM, PKCS#8, PKCS#1 or
/// SEC1), HTTP/1.1 only.
///
/// Errors: `VAULT.0007` naming the file that cannot be read or holds no usable certificate or key,
/// a key file with any permission for its group or others (`chmod 600` fixes it), or a key that
/// does not match the certificate.
pub fn server_config(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, ApiError> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .and_then(Iterator::collect)
        .map_err(|e| refusal::tls_unusable(cert, "certificate", &e))?;
    if chain.is_empty() {
        return Err(refusal::tls_unusable(
            cert,
            "certificate",
            &"no CERTIFICATE block in it",
        ));
    }
    let mode = std::fs::metadata(key)
        .map_err(|e| refusal::tls_unusable(key, "private key", &e))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(refusal::tls_key_exposed(key, mode));
    }
    let key_der = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| refusal::tls_unusable(key, "private key", &e))?;
    let mut config =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .and_then(|b| b.with_no_client_auth().with_single_cert(chain, key_der))
            .map_err(|e| refusal::tls_unusable(key, "private key", &e))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
