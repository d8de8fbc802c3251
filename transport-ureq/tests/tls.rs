//! HTTPS against a loopback rustls server: a custom CA is trusted, an unknown one is a
//! Connect failure (nothing was sent, so even a create may be retried).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use atlas_admin_ureq::ops::{CreateGroupInvite, GetGroupInvite};
use atlas_admin_ureq::{Credentials, Error, GroupInvitationRequest, ProjectRole, RetryPolicy, TransportErrorKind};
use common::*;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::net::TcpStream;
use std::sync::Arc;

const CA: &[u8] = include_bytes!("fixtures/test-ca.pem");
const CERT: &[u8] = include_bytes!("fixtures/localhost.pem");
const KEY: &[u8] = include_bytes!("fixtures/localhost.key");

struct Tls(Arc<rustls::ServerConfig>);

impl Tls {
    fn new() -> Tls {
        let certs = CertificateDer::pem_slice_iter(CERT).collect::<Result<Vec<_>, _>>().unwrap();
        let key = PrivateKeyDer::from_pem_slice(KEY).unwrap();
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        Tls(Arc::new(config))
    }
}

impl Wrap for Tls {
    fn serve(&self, stream: TcpStream, handle: &mut dyn FnMut(&mut dyn ReadWrite)) {
        let conn = rustls::ServerConnection::new(self.0.clone()).unwrap();
        let mut tls = rustls::StreamOwned::new(conn, stream);
        // A failed handshake shows up as a failed read: nothing is recorded.
        handle(&mut tls);
        tls.conn.send_close_notify();
        let _ = std::io::Write::flush(&mut tls);
    }
}

fn https_url(server: &Server) -> String {
    format!("https://127.0.0.1:{}", server.addr.port())
}

#[test]
fn custom_ca_is_trusted() {
    let server = Server::start_with(vec![ok_json(&invitation_json("ada@example.com"))], Tls::new());
    let client = builder(&https_url(&server)).ca_pem(CA).build().unwrap();
    let ok = client.get_group_invite(&GetGroupInvite::new(GROUP_ID, INVITATION_ID).unwrap()).unwrap();
    assert_eq!(ok.value.username.as_deref(), Some("ada@example.com"));
    let requests = server.finish();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].target, format!("/api/atlas/v2/groups/{GROUP_ID}/invites/{INVITATION_ID}"));
}

#[test]
fn unknown_ca_fails_the_handshake_as_connect() {
    // The default web roots do not know the test CA.
    let server = Server::start_with(vec![ok_json("{}"), ok_json("{}")], Tls::new());
    let client = builder(&https_url(&server))
        .credentials(Credentials::None)
        .retry(RetryPolicy::default().with_base_delay(std::time::Duration::from_millis(1)).with_max_attempts(2))
        .build()
        .unwrap();
    let body = GroupInvitationRequest::new("ada@example.com", [ProjectRole::GroupReadOnly]).unwrap();
    let err = client.create_group_invite(&CreateGroupInvite::new(GROUP_ID, body).unwrap()).unwrap_err();
    match &err {
        Error::RetriesExhausted { attempts: 2, last, .. } => {
            assert!(matches!(&**last, Error::Transport(t) if t.kind == TransportErrorKind::Connect), "{last:?}");
            assert!(last.to_string().contains("UnknownIssuer"), "{last}");
        }
        other => panic!("a handshake failure sends nothing, so a create is retried: {other:?}"),
    }
    assert_eq!(server.finish().len(), 0, "no request got through");
}
