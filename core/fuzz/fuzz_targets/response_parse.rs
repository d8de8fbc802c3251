//! Arbitrary bytes as an Atlas response: status, headers and body are carved out of the input
//! and handed to `parse_response` for several operations, with and without `envelope=true`.
//! It must never panic, and an error must carry the status it was given.
#![no_main]

use atlas_admin_core::ops::{DeleteGroupInvite, GetOrgInvite, ListGroupInvites, UpdateGroupInvites};
use atlas_admin_core::{Error, GroupInvitationRequest, Operation, ProjectRole, parse_response};
use http::{HeaderName, HeaderValue, StatusCode};
use libfuzzer_sys::fuzz_target;
use std::time::{Duration, SystemTime};

const GROUP: &str = "32b6e34b3d91647abb20e7b8";
const INVITATION: &str = "5f8d0a1b2c3d4e5f6a7b8c9d";

const NAMES: [&str; 9] = [
    "content-type",
    "retry-after",
    "deprecation",
    "sunset",
    "ratelimit-limit",
    "ratelimit-remaining",
    "x-error-code",
    "www-authenticate",
    "date",
];

/// Input layout: 2 bytes status (mapped into 100..=599), 1 byte header count (up to 63), then
/// per header 1 byte name index and 2 bytes big-endian value length (so a value can reach
/// 64 KB: large `WWW-Authenticate` headers) followed by the value; the rest is the body.
fn response(data: &[u8]) -> Option<http::Response<Vec<u8>>> {
    let (&[hi, lo, count], mut rest) = data.split_first_chunk::<3>()?;
    let status = 100 + (u16::from_be_bytes([hi, lo]) % 500);
    let mut builder = http::Response::builder().status(StatusCode::from_u16(status).ok()?);
    for _ in 0..count % 64 {
        let (&[name, len_hi, len_lo], tail) = rest.split_first_chunk::<3>()?;
        let len = usize::from(u16::from_be_bytes([len_hi, len_lo])).min(tail.len());
        let (value, tail) = tail.split_at(len);
        rest = tail;
        if let Ok(value) = HeaderValue::from_bytes(value) {
            let name = NAMES[usize::from(name) % NAMES.len()];
            builder = builder.header(HeaderName::from_static(name), value);
        }
    }
    builder.body(rest.to_vec()).ok()
}

fn check<O: Operation>(op: &O, response: &http::Response<Vec<u8>>, now: SystemTime) {
    let copy = {
        let mut b = http::Response::builder().status(response.status());
        for (name, value) in response.headers() {
            b = b.header(name, value);
        }
        b.body(response.body().clone()).expect("a copy of a valid response")
    };
    match parse_response(op, copy, now) {
        Ok(ok) => assert_eq!(ok.meta.http_status, response.status()),
        Err(e) => {
            assert!(e.status().is_some(), "error without a status: {e:?}");
            match &e {
                Error::Api(_) | Error::Decode(_) => {}
                other => panic!("unexpected error kind: {other:?}"),
            }
            let _ = e.to_string();
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some(response) = response(data) else { return };
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_867_200);
    let body = GroupInvitationRequest::new("hello@example.com", [ProjectRole::GroupBackupManager]).unwrap();
    for envelope in [false, true] {
        check(&UpdateGroupInvites::new(GROUP, body.clone()).unwrap().envelope(envelope), &response, now);
        check(&ListGroupInvites::new(GROUP).unwrap().envelope(envelope), &response, now);
        check(&DeleteGroupInvite::new(GROUP, INVITATION).unwrap().envelope(envelope), &response, now);
        check(&GetOrgInvite::new(GROUP, INVITATION).unwrap().envelope(envelope), &response, now);
    }
});
