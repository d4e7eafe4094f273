//! The client's TLS configuration (rustls, ring): the system's trusted roots plus a remote's
//! `--ca-file` certificates, HTTP/1.1 only.

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls::{ClientConfig, RootCertStore};
use std::sync::Arc;

use crate::csms::{ApiError, ErrorCode};

/// The client configuration trusting the system's roots and every certificate of `ca_pem`.
///
/// System roots that cannot be read or parsed are skipped (a machine may have none: then only
/// `ca_pem` is trusted).
///
/// Errors: `SYNC.0005` for a `ca_pem` that holds no certificate, or one rustls cannot use.
pub fn client_config(ca_pem: Option<&str>) -> Result<Arc<ClientConfig>, ApiError> {
    let refuse = |why: String| {
        ApiError::new(
            ErrorCode::RemotePolicy,
            format!("The remote's CA file is refused: {why}."),
        )
    };
    let mut roots = RootCertStore::empty();
    let system = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(system.certs);
    if let Some(pem) = ca_pem {
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pem.as_bytes())
            .collect::<Result<_, _>>()
            .map_err(|e| refuse(format!("it is not PEM ({e})")))?;
        if certs.is_empty() {
            return Err(refuse("it holds no CERTIFICATE block".to_owned()));
        }
        for cert in certs {
            roots
                .add(cert)
                .map_err(|e| refuse(format!("a certificate in it is unusable ({e})")))?;
        }
    }
    let mut config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| refuse(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ca_file_without_a_certificate_is_refused_by_policy() {
        let none = client_config(Some("just some text\n")).err();
        assert_eq!(none.map(|e| e.code), Some(ErrorCode::RemotePolicy));
        let key_only =
            "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n";
        let refused = client_config(Some(key_only)).err();
        assert_eq!(refused.map(|e| e.code), Some(ErrorCode::RemotePolicy));
        assert!(client_config(None).is_ok(), "the system's roots alone");
    }
}
