//! Arbitrary bytes as a `WWW-Authenticate` / `Authorization` header: the Digest parsers must
//! never panic, and whatever parses must be answerable.
#![no_main]

use atlas_admin_core::digest::{self, Challenge, ResponseInput, parse_authorization};
use http::{HeaderMap, HeaderValue, header::WWW_AUTHENTICATE};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(challenge) = Challenge::parse(&text) {
        // A parsed challenge has a nonce and can be answered; the answer must parse back.
        assert!(!challenge.nonce.is_empty());
        let header = digest::authorization(
            &challenge,
            &ResponseInput {
                username: "pub",
                password: "priv",
                method: "GET",
                uri: "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/invites",
                nc: 1,
                cnonce: "0a4f113b",
            },
        );
        assert!(HeaderValue::from_str(&header).is_ok(), "unsendable answer: {header:?}");
        let params = parse_authorization(&header).expect("our own Authorization header parses");
        assert_eq!(params.get("nonce"), Some(&challenge.nonce));
        assert_eq!(params.get("realm"), Some(&challenge.realm));
    }
    let _ = parse_authorization(&text);

    // The raw bytes as header values (split on NUL into several headers), when http accepts them.
    let mut headers = HeaderMap::new();
    for part in data.split(|&b| b == 0) {
        if let Ok(value) = HeaderValue::from_bytes(part) {
            headers.append(WWW_AUTHENTICATE, value);
        }
    }
    let _ = Challenge::from_headers(&headers);
});
