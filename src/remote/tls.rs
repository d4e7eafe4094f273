//! The client's TLS configuration (rustls, ring): the system's trusted roots plus a remote's
//! `--ca-file` certificates. A `--ca-file` certificate is also accepted as the server's own
//! certificate (pinned), even when it says it is a CA: `openssl req -x509`, as the README makes
//! `serve`'s certificate, marks it so, and webpki refuses a CA as an end entity.

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
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
    let mut pinned = Vec::new();
    if let Some(pem) = ca_pem {
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pem.as_bytes())
            .collect::<Result<_, _>>()
            .map_err(|e| refuse(format!("it is not PEM ({e})")))?;
        if certs.is_empty() {
            return Err(refuse("it holds no CERTIFICATE block".to_owned()));
        }
        for cert in certs {
            roots
                .add(cert.clone())
                .map_err(|e| refuse(format!("a certificate in it is unusable ({e})")))?;
            pinned.push(cert);
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let webpki =
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider))
            .build()
            .map_err(|e| refuse(e.to_string()))?;
    // ALPN is hyper-rustls' to set (http/1.1, from `enable_http1`).
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| refuse(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Verifier { webpki, pinned }))
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// webpki's verification, and a `--ca-file` certificate accepted as the server's own.
#[derive(Debug)]
struct Verifier {
    webpki: Arc<WebPkiServerVerifier>,
    /// The `--ca-file` certificates, exactly as given.
    pinned: Vec<CertificateDer<'static>>,
}

impl ServerCertVerifier for Verifier {
    /// webpki's answer; but when webpki refuses for a reason of the chain's shape (`Other`, such
    /// as a CA used as the end entity) and the server's certificate is, byte for byte, one the
    /// user gave, it is accepted once its name matches. Expiry and a wrong name are never
    /// overridden.
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.webpki.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Err(rustls::Error::InvalidCertificate(CertificateError::Other(_)))
                if self
                    .pinned
                    .iter()
                    .any(|p| p.as_ref() == end_entity.as_ref()) =>
            {
                let parsed = ParsedCertificate::try_from(end_entity)?;
                rustls::client::verify_server_name(&parsed, server_name)?;
                Ok(ServerCertVerified::assertion())
            }
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
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
