//! TLS settings: rustls (ring) with the public web roots, or exactly the CAs of a PEM bundle.

use atlas_admin_core::transport::BuildError;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;
use rustls::{ClientConfig, RootCertStore};
use std::sync::Arc;

/// The rustls configuration: Mozilla's roots (`webpki-roots`) unless `ca_pem` is given, in
/// which case exactly the certificates of that bundle are trusted.
///
/// Every certificate of the bundle is checked here, so a bad bundle fails when the client is
/// built rather than at the first handshake. ALPN is set by the connector (HTTP/1.1).
pub(crate) fn config(ca_pem: Option<&[u8]>) -> Result<ClientConfig, BuildError> {
    let roots = match ca_pem {
        None => webpki_roots::TLS_SERVER_ROOTS.iter().cloned().collect(),
        Some(pem) => custom_roots(pem)?,
    };
    ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| BuildError::Tls(e.to_string()))
        .map(|b| b.with_root_certificates(roots).with_no_client_auth())
}

/// The certificates of a PEM bundle; other blocks (a key in a CA bundle is not ours to use)
/// are ignored.
fn custom_roots(pem: &[u8]) -> Result<RootCertStore, BuildError> {
    let mut roots = RootCertStore::empty();
    for (n, cert) in CertificateDer::pem_slice_iter(pem).enumerate() {
        let cert = cert.map_err(|e| BuildError::InvalidCa(e.to_string()))?;
        roots.add(cert).map_err(|e| BuildError::InvalidCa(format!("certificate {}: {e}", n + 1)))?;
    }
    if roots.is_empty() {
        return Err(BuildError::InvalidCa("no CERTIFICATE block found".to_owned()));
    }
    Ok(roots)
}
