//! With the `tracing` feature, the drivers report every exchange and wait as `tracing` events
//! (operation, method, path, status, purpose, attempt, wait) and never a secret.
#![cfg(feature = "tracing")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use atlas_admin_core::ops::UpdateGroupInvites;
use atlas_admin_core::{Config, Credentials, GroupInvitationRequest, Now, ProjectRole, Session, driver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Collects each event's fields as `name=value` lines.
#[derive(Clone, Default)]
struct Collect(Arc<Mutex<Vec<String>>>);

struct Fields(String);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0 += &format!("{}={value:?} ", field.name());
    }
}

impl Subscriber for Collect {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target() == "atlas_admin"
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields(String::new());
        event.record(&mut fields);
        self.0.lock().unwrap().push(fields.0);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

fn response(status: u16, headers: &[(&str, &str)], body: &str) -> http::Response<Vec<u8>> {
    let mut b = http::Response::builder().status(status).header("content-type", "application/json");
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(body.as_bytes().to_vec()).unwrap()
}

#[test]
fn exchanges_and_waits_become_tracing_events_without_secrets() {
    let session = Session::new(Config::default(), Credentials::api_key("pub", "SECRET-KEY").unwrap(), 7).unwrap();
    let body = GroupInvitationRequest::new("hello@example.com", [ProjectRole::GroupReadOnly]).unwrap();
    let op = UpdateGroupInvites::new("32b6e34b3d91647abb20e7b8", body).unwrap();
    let mut answers = vec![
        response(200, &[], include_str!("../../tests/fixtures/seed/response-200.json")),
        response(429, &[("retry-after", "2")], r#"{"error":429,"errorCode":"RATE_LIMITED"}"#),
        response(
            401,
            &[("www-authenticate", r#"Digest realm="MMS Public API", nonce="abc", algorithm=MD5, qop="auth""#)],
            r#"{"error":401,"errorCode":"UNAUTHORIZED"}"#,
        ),
    ];
    let start = Now::new(Instant::now(), SystemTime::UNIX_EPOCH);
    let clock = Arc::new(Mutex::new(start));
    let collect = Collect::default();
    let result = tracing::subscriber::with_default(collect.clone(), || {
        driver::run_blocking(
            &session,
            &op,
            || *clock.lock().unwrap(),
            |_| Ok(answers.pop().unwrap()),
            |d: Duration| {
                let mut now = clock.lock().unwrap();
                *now = now.advance(d);
            },
            None,
        )
    });
    assert!(result.is_ok(), "{result:?}");
    let events = collect.0.lock().unwrap().clone();
    assert_eq!(events.len(), 4, "{events:#?}");
    assert!(events[0].contains("purpose=\"digest_probe\"") && events[0].contains("status=401"), "{}", events[0]);
    assert!(events[1].contains("operation=\"updateGroupInvites\""), "{}", events[1]);
    assert!(events[1].contains("path=\"/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/invites\""), "{}", events[1]);
    assert!(events[1].contains("status=429") && events[1].contains("attempt=1"), "{}", events[1]);
    assert!(events[2].contains("wait_ms=2000"), "{}", events[2]);
    assert!(events[3].contains("status=200") && events[3].contains("attempt=2"), "{}", events[3]);
    let all = events.join("\n");
    assert!(!all.contains("SECRET-KEY") && !all.contains("response=") && !all.contains("hello@example.com"));
}
