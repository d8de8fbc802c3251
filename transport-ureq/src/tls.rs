//! TLS settings: rustls with Mozilla's web roots, or exactly the CAs of a PEM bundle.

use atlas_admin_core::transport::BuildError;
use ureq::tls::{PemItem, RootCerts, TlsConfig, TlsProvider, parse_pem};

/// The rustls configuration: the public web roots (`webpki-roots`) unless `ca_pem` is given,
/// in which case exactly the certificates of that bundle are trusted.
///
/// Every certificate of the bundle is checked here, so a bad bundle fails when the client is
/// built rather than at the first handshake.
pub(crate) fn config(ca_pem: Option<&[u8]>) -> Result<TlsConfig, BuildError> {
    let builder = TlsConfig::builder().provider(TlsProvider::Rustls);
    let Some(pem) = ca_pem else {
        return Ok(builder.root_certs(RootCerts::WebPki).build());
    };
    let mut certs = Vec::new();
    let mut check = rustls::RootCertStore::empty();
    for item in parse_pem(pem) {
        // A key in a CA bundle is not ours to use; it is ignored.
        if let PemItem::Certificate(cert) = item.map_err(|e| BuildError::InvalidCa(e.to_string()))? {
            check
                .add(rustls::pki_types::CertificateDer::from(cert.der()))
                .map_err(|e| BuildError::InvalidCa(format!("certificate {}: {e}", certs.len() + 1)))?;
            certs.push(cert);
        }
    }
    if certs.is_empty() {
        return Err(BuildError::InvalidCa("no CERTIFICATE block found".to_owned()));
    }
    Ok(builder.root_certs(RootCerts::new_with_certs(&certs)).build())
}
