//! Arbitrary text as an API version: `ApiVersion::new` must never panic; an accepted version is
//! the text itself, a `YYYY-MM-DD` date, and its media type embeds it.
#![no_main]

use atlas_admin_core::ApiVersion;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = ApiVersion::new(&text);
    assert_eq!(parsed.as_ref().ok(), text.parse::<ApiVersion>().as_ref().ok());
    if let Ok(version) = parsed {
        assert_eq!(version.as_str(), text);
        assert_eq!(version.to_string(), text);
        assert!(version.as_str().bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 {
            b == b'-'
        } else {
            b.is_ascii_digit()
        }));
        assert_eq!(version.media_type(), format!("application/vnd.atlas.{text}+json"));
    }
});
