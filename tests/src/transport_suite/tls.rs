//! HTTPS against the loopback rustls server ([`Tls`]): a custom CA is trusted, an unknown one
//! is a Connect failure (nothing was sent, so even a create may be retried).

use super::{Transport, canned_client};
use crate::canned::*;
use crate::fixtures::tls::CA_PEM;
use atlas_admin_core::ops::{CreateGroupInvite, GetGroupInvite};
use atlas_admin_core::{Credentials, Error, GroupInvitationRequest, ProjectRole, RetryPolicy, TransportErrorKind};
use std::time::Duration;

/// With the test CA as `ca_pem`, the call goes through.
pub fn custom_ca_is_trusted<T: Transport>() {
    let server = Server::start_with(vec![ok_json(&invitation_json("ada@example.com"))], Tls::new());
    let client = canned_client::<T>(&server.https_url(), |b| b.ca_pem(CA_PEM));
    let ok = T::execute(&client, &GetGroupInvite::new(GROUP_ID, INVITATION_ID).unwrap()).unwrap();
    assert_eq!(ok.value.username.as_deref(), Some("ada@example.com"));
    let requests = server.finish();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].target, format!("/api/atlas/v2/groups/{GROUP_ID}/invites/{INVITATION_ID}"));
}

/// With the default web roots the handshake fails as `Connect` (`UnknownIssuer`), and even a
/// create is retried: nothing reached the server.
pub fn unknown_ca_fails_the_handshake_as_connect<T: Transport>() {
    // The default web roots do not know the test CA.
    let server = Server::start_with(vec![ok_json("{}"), ok_json("{}")], Tls::new());
    let retry = RetryPolicy::default().with_base_delay(Duration::from_millis(1)).with_max_attempts(2);
    let client = canned_client::<T>(&server.https_url(), |b| b.credentials(Credentials::None).retry(retry));
    let body = GroupInvitationRequest::new("ada@example.com", [ProjectRole::GroupReadOnly]).unwrap();
    let err = T::execute(&client, &CreateGroupInvite::new(GROUP_ID, body).unwrap()).unwrap_err();
    match &err {
        Error::Transport(t) if t.attempts == 2 => {
            assert_eq!(t.kind, TransportErrorKind::Connect, "{t:?}");
            assert!(t.to_string().contains("UnknownIssuer"), "{t}");
        }
        other => panic!("a handshake failure sends nothing, so a create is retried: {other:?}"),
    }
    assert_eq!(server.finish().len(), 0, "no request got through");
}
