//! Arbitrary bytes as a token endpoint answer: `parse_token_response` must never panic, a
//! token it accepts must be sendable in a header, and an error must never echo the body.
#![no_main]

use atlas_admin_core::oauth::parse_token_response;
use http::{HeaderValue, StatusCode};
use libfuzzer_sys::fuzz_target;
use std::time::{Duration, SystemTime};

/// Statuses the token endpoint answers with (the first input byte picks one).
const STATUSES: [u16; 8] = [200, 200, 400, 401, 403, 429, 500, 503];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else { return };
    let status = StatusCode::from_u16(STATUSES[usize::from(pick) % STATUSES.len()]).unwrap();
    let mut builder = http::Response::builder().status(status);
    if pick & 0x80 != 0 {
        builder = builder.header("content-type", "application/json");
    }
    if pick & 0x40 != 0 {
        builder = builder.header("retry-after", "Fri, 31 Dec 9999 23:59:59 GMT");
    }
    let response = builder.body(body.to_vec()).unwrap();
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_867_200);
    match parse_token_response(&response, now) {
        Ok(token) => {
            assert_eq!(status, StatusCode::OK);
            let value = token.access_token.expose();
            assert!(!value.is_empty());
            assert!(HeaderValue::from_str(&format!("Bearer {value}")).is_ok(), "unsendable token");
            assert!(!format!("{token:?}").contains(value) || value == "***", "token in Debug");
        }
        Err(e) => {
            // A token-looking value in the body never reaches the error's text.
            let shown = format!("{e} {e:?}");
            if let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(body) {
                if let Some(serde_json::Value::String(t)) = map.get("access_token") {
                    if t.len() >= 12 {
                        assert!(!shown.contains(t.as_str()), "token echoed: {shown}");
                    }
                }
            }
        }
    }
});
