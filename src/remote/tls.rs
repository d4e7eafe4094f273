//! The client's TLS configuration (rustls, ring): the system's trusted roots plus a remote's
//! `--ca-file` certificates. A `--ca-file` certificate is also accepted as the server's own
//! certificate (pinned), even when it says it is a CA: `openssl req -x509`, as the README makes
//! `serve`'s certificate, marks it so, and webpki refuses a CA as an end entity. Only that
//! refusal is overridden, and only once the certificate's dates are checked here.

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, OtherError, RootCertStore,
    SignatureScheme,
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
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = verifier(ca_pem, &provider)?;
    // ALPN is hyper-rustls' to set (http/1.1, from `enable_http1`).
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| refuse(&e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// `SYNC.0005`: the CA file cannot be used.
fn refuse(why: &str) -> ApiError {
    ApiError::new(
        ErrorCode::RemotePolicy,
        format!("The remote's CA file is refused: {why}."),
    )
}

/// The verifier trusting the system's roots and `ca_pem` (see [`client_config`]).
fn verifier(
    ca_pem: Option<&str>,
    provider: &Arc<rustls::crypto::CryptoProvider>,
) -> Result<Verifier, ApiError> {
    let mut roots = RootCertStore::empty();
    let system = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(system.certs);
    let mut pinned = Vec::new();
    if let Some(pem) = ca_pem {
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pem.as_bytes())
            .collect::<Result<_, _>>()
            .map_err(|e| refuse(&format!("it is not PEM ({e})")))?;
        if certs.is_empty() {
            return Err(refuse("it holds no CERTIFICATE block"));
        }
        for cert in certs {
            roots
                .add(cert.clone())
                .map_err(|e| refuse(&format!("a certificate in it is unusable ({e})")))?;
            pinned.push(cert);
        }
    }
    let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), Arc::clone(provider))
        .build()
        .map_err(|e| refuse(&e.to_string()))?;
    Ok(Verifier { webpki, pinned })
}

/// webpki's verification, and a `--ca-file` certificate accepted as the server's own.
#[derive(Debug)]
struct Verifier {
    webpki: Arc<WebPkiServerVerifier>,
    /// The `--ca-file` certificates, exactly as given.
    pinned: Vec<CertificateDer<'static>>,
}

/// Whether webpki's refusal is that the end entity is a CA, and nothing else.
fn is_ca_used_as_end_entity(other: &OtherError) -> bool {
    matches!(
        other.0.downcast_ref::<webpki::Error>(),
        Some(webpki::Error::CaUsedAsEndEntity)
    )
}

impl ServerCertVerifier for Verifier {
    /// webpki's answer; but when webpki refuses only because the server's certificate is a CA
    /// (`CaUsedAsEndEntity`, as `openssl req -x509` makes them) and that certificate is, byte
    /// for byte, one the user gave, it is accepted once its validity dates hold at `now` and its
    /// name matches. Any other refusal, expiry and a wrong name are never overridden.
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
            Err(rustls::Error::InvalidCertificate(CertificateError::Other(other)))
                if is_ca_used_as_end_entity(&other)
                    && self
                        .pinned
                        .iter()
                        .any(|p| p.as_ref() == end_entity.as_ref()) =>
            {
                super::validity::check(end_entity, now)?;
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

    /// A self-signed certificate for 127.0.0.1 (a CA, as `openssl req -x509` makes it), with
    /// `extra` `-addext` arguments; its PEM.
    fn self_signed(extra: &[&str]) -> String {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let (cert, key) = (dir.path().join("c.pem"), dir.path().join("k.pem"));
        let mut cmd = std::process::Command::new("openssl");
        cmd.args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
            .args(["ec_paramgen_curve:P-256", "-nodes", "-days", "2"])
            .args([
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
            ]);
        for e in extra {
            cmd.args(["-addext", e]);
        }
        let ok = cmd
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "openssl made the certificate");
        std::fs::read_to_string(&cert).unwrap_or_else(|e| panic!("{e}"))
    }

    fn verify(pem: &str, now: UnixTime) -> Result<ServerCertVerified, rustls::Error> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = verifier(Some(pem), &provider).unwrap_or_else(|e| panic!("{e}"));
        let der = CertificateDer::pem_slice_iter(pem.as_bytes())
            .next()
            .and_then(Result::ok)
            .unwrap_or_else(|| panic!("a certificate"));
        let name = ServerName::try_from("127.0.0.1").unwrap_or_else(|e| panic!("{e}"));
        verifier.verify_server_cert(&der, &[], &name, &[], now)
    }

    fn at(secs: u64) -> UnixTime {
        UnixTime::since_unix_epoch(std::time::Duration::from_secs(secs))
    }

    #[test]
    fn a_pinned_ca_certificate_is_accepted_only_while_it_is_valid() {
        let pem = self_signed(&[]);
        assert!(
            verify(&pem, UnixTime::now()).is_ok(),
            "pinned, in its dates"
        );
        let expired = verify(&pem, at(4_102_444_800)).err(); // 2100
        assert!(
            matches!(
                expired,
                Some(rustls::Error::InvalidCertificate(
                    CertificateError::Expired | CertificateError::ExpiredContext { .. }
                ))
            ),
            "{expired:?}"
        );
        let early = verify(&pem, at(631_152_000)).err(); // 1990
        assert!(
            matches!(
                early,
                Some(rustls::Error::InvalidCertificate(
                    CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. }
                ))
            ),
            "{early:?}"
        );
        // The override's own check of the dates, as it runs when webpki did not look at them.
        let der = CertificateDer::pem_slice_iter(pem.as_bytes())
            .next()
            .and_then(Result::ok)
            .unwrap_or_else(|| panic!("a certificate"));
        assert!(super::super::validity::check(&der, UnixTime::now()).is_ok());
        assert_eq!(
            super::super::validity::check(&der, at(4_102_444_800)).err(),
            Some(rustls::Error::InvalidCertificate(CertificateError::Expired))
        );
        assert_eq!(
            super::super::validity::check(&der, at(631_152_000)).err(),
            Some(rustls::Error::InvalidCertificate(
                CertificateError::NotValidYet
            ))
        );
    }

    #[test]
    fn a_pinned_certificate_webpki_refuses_for_another_reason_is_refused() {
        // An unknown critical extension: webpki's `Other` refusal, not a CA used as end entity.
        let pem = self_signed(&["1.2.3.4.5=critical,ASN1:UTF8String:x"]);
        let refused = verify(&pem, UnixTime::now()).err();
        assert!(
            matches!(
                refused,
                Some(rustls::Error::InvalidCertificate(CertificateError::Other(
                    _
                )))
            ),
            "{refused:?}"
        );
    }
}
