//! Arbitrary text as a base URL: `Config::with_base_url` must never panic, and an accepted URL
//! must be canonical (accepting it again gives the same), and must build requests under it.
#![no_main]

use atlas_admin_core::ops::ListGroupInvites;
use atlas_admin_core::{Config, Credentials, Now, Session, Step};
use libfuzzer_sys::fuzz_target;
use std::time::{Instant, SystemTime};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(config) = Config::default().with_base_url(&text) else { return };
    let base = config.base_url().to_owned();
    assert!(base.starts_with("https://") || base.starts_with("http://"), "{base}");
    assert!(!base.ends_with('/'), "{base}");
    let again = Config::default().with_base_url(&base).expect("a canonical base URL is accepted again");
    assert_eq!(again.base_url(), base);
    assert_eq!((again.is_https(), again.is_loopback()), (config.is_https(), config.is_loopback()));

    // Credentials are refused over plain http to a non-loopback host; otherwise a call's first
    // request goes under the base URL.
    let Ok(session) = Session::new(config, Credentials::api_key("pub", "priv").unwrap(), 7) else { return };
    let op = ListGroupInvites::new("32b6e34b3d91647abb20e7b8").unwrap();
    let mut call = session.begin(&op);
    if let Step::Send(out) = call.next(Now::new(Instant::now(), SystemTime::UNIX_EPOCH)) {
        let uri = out.request.uri().to_string();
        assert!(uri.starts_with(&base), "{uri} not under {base}");
    }
});
