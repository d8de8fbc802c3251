//! TLS settings: rustls with the public web roots, or exactly the CAs of a PEM bundle; the
//! application's process-default crypto provider if it installed one, else ring.

use atlas_admin_core::transport::BuildError;
use rustls::crypto::CryptoProvider;
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
    ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| BuildError::Tls(e.to_string()))
        .map(|b| b.with_root_certificates(roots).with_no_client_auth())
}

/// The crypto provider, chosen as ureq chooses its own: the process default when the
/// application installed one ([`CryptoProvider::install_default`], e.g. aws-lc-rs for
/// post-quantum key exchange), else ring. Never installs a process default itself.
fn provider() -> Arc<CryptoProvider> {
    CryptoProvider::get_default().cloned().unwrap_or_else(ring)
}

/// ring's provider. rustls 0.23.48 deprecates `ring::default_provider` because ring has no
/// post-quantum key exchange, and offers no other way to name ring's provider; ring stays the
/// fallback so that building needs no C toolchain (as for ureq's rustls). An application that
/// wants post-quantum key exchange installs aws-lc-rs as the process default (see [`provider`]).
#[allow(deprecated)]
fn ring() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// An application's process-default provider is the one used (here ring, installed by the
    /// test: the same algorithms as the fallback, so other tests in this process are unaffected).
    #[test]
    fn the_process_default_provider_is_used_when_installed() {
        let _ = ring().as_ref().clone().install_default();
        let installed = CryptoProvider::get_default().expect("a process default");
        let config = config(None).expect("a config");
        assert!(Arc::ptr_eq(config.crypto_provider(), installed));
    }
}
