//! Checked input types: 24-hex ids, e-mail usernames and API versions.
//!
//! Everything a user sends is validated before a request exists; what Atlas sends back is
//! decoded leniently (see `models`).

use crate::error::InvalidInput;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// The longest text value accepted (a parameter value the spec leaves unbounded, a path
/// template, a query name or value, a header value), in bytes: a URI must stay under 64 KiB.
pub const MAX_TEXT_LEN: usize = 4096;

/// Text of any kind the caller gives: at most [`MAX_TEXT_LEN`] bytes (the value is not shown:
/// it is long), without control characters.
pub(crate) fn check_text(field: &str, value: &str) -> Result<(), InvalidInput> {
    if value.len() > MAX_TEXT_LEN {
        return Err(InvalidInput::new(field, format!("must be at most {MAX_TEXT_LEN} bytes")));
    }
    if value.chars().any(char::is_control) {
        return Err(InvalidInput::with_value(field, "must not contain control characters", value));
    }
    Ok(())
}

/// Checks the spec pattern `^([a-f0-9]{24})$` (lowercase hex only).
pub(crate) fn check_hex_id(field: &str, value: &str) -> Result<(), InvalidInput> {
    if value.len() == 24 && value.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        Ok(())
    } else {
        Err(InvalidInput::with_value(field, "must be 24 lowercase hexadecimal characters (^([a-f0-9]{24})$)", value))
    }
}

/// An id type that can also hold what a server sent, unchecked (lenient response decoding).
pub(crate) trait ServerId: Sized {
    /// The text as received, whatever its shape. [`IntoId`] checks it again before it is sent.
    fn from_server(value: String) -> Self;
}

/// Anything that can become an id: the id itself, or text that is validated on the way.
///
/// Operation constructors take `impl IntoId<GroupId>`, so both `GroupId` values and
/// `"32b6e34b3d91647abb20e7b8"` work, and bad text fails before a request exists.
pub trait IntoId<T> {
    /// Converts, validating text.
    fn into_id(self) -> Result<T, InvalidInput>;
}

macro_rules! hex_id {
    ($(#[$doc:meta])* $name:ident, $field:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Validates against `^([a-f0-9]{24})$`.
            pub fn new(value: impl Into<String>) -> Result<Self, InvalidInput> {
                let value = value.into();
                check_hex_id($field, &value)?;
                Ok($name(value))
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl fmt::Display for $name {
            /// The id; one decoded from a response may be any text, so it is escaped.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                crate::sanitize::Sanitized(&self.0).fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = InvalidInput;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::new(s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = InvalidInput;
            fn try_from(s: &str) -> Result<Self, Self::Error> {
                $name::new(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidInput;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                $name::new(s)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl ServerId for $name {
            fn from_server(value: String) -> Self {
                $name(value)
            }
        }

        /// Checked again: an id decoded from a response is kept as sent, pattern or not.
        impl IntoId<$name> for $name {
            fn into_id(self) -> Result<$name, InvalidInput> {
                check_hex_id($field, &self.0)?;
                Ok(self)
            }
        }

        impl IntoId<$name> for &$name {
            fn into_id(self) -> Result<$name, InvalidInput> {
                self.clone().into_id()
            }
        }

        impl IntoId<$name> for &str {
            fn into_id(self) -> Result<$name, InvalidInput> {
                $name::new(self)
            }
        }

        impl IntoId<$name> for String {
            fn into_id(self) -> Result<$name, InvalidInput> {
                $name::new(self)
            }
        }

        impl IntoId<$name> for &String {
            fn into_id(self) -> Result<$name, InvalidInput> {
                $name::new(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        /// Strict: the pattern is checked (request bodies). Response models decode ids
        /// leniently instead.
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                $name::new(raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

hex_id!(
    /// A project (group) id: 24 lowercase hex characters.
    ///
    /// ```
    /// use atlas_admin_core::GroupId;
    /// assert!(GroupId::new("32b6e34b3d91647abb20e7b8").is_ok());
    /// let err = GroupId::new("32B6E34B3D91647ABB20E7B8").unwrap_err();
    /// assert_eq!(err.field(), "groupId");
    /// ```
    GroupId,
    "groupId"
);
hex_id!(
    /// An organization id: 24 lowercase hex characters.
    OrgId,
    "orgId"
);
hex_id!(
    /// An invitation id: 24 lowercase hex characters.
    InvitationId,
    "invitationId"
);
hex_id!(
    /// A team id: 24 lowercase hex characters.
    TeamId,
    "teamIds"
);
hex_id!(
    /// A MongoDB Cloud user id (Cloud Users API): 24 lowercase hex characters. Not an
    /// invitation id: the same pending user has a different id in each id space.
    UserId,
    "userId"
);

/// Checks that `value` has the shape of an e-mail address (what Atlas usernames are).
///
/// Deliberately conservative rather than full RFC 5322: one `@`, a dot-atom local part of at
/// most 64 characters, a domain of at least two dot-separated labels, no whitespace or
/// control characters, at most 254 characters in all.
pub(crate) fn check_email(field: &str, value: &str) -> Result<(), InvalidInput> {
    let fail = |why: &str| Err(InvalidInput::with_value(field, why, value));
    if value.is_empty() {
        return fail("must not be empty");
    }
    if value.chars().count() > 254 {
        return fail("must be at most 254 characters");
    }
    let Some((local, domain)) = value.split_once('@') else {
        return fail("must be an e-mail address (no '@')");
    };
    if domain.contains('@') {
        return fail("must be an e-mail address (more than one '@')");
    }
    let atext = |c: char| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
    if local.is_empty() || local.chars().count() > 64 {
        return fail("the part before '@' must be 1 to 64 characters");
    }
    if local.split('.').any(|part| part.is_empty() || !part.chars().all(atext)) {
        return fail("the part before '@' has a character or dot that is not allowed");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return fail("the domain must have at least two labels (example.com)");
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.chars().count() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    if !labels.iter().all(|l| label_ok(l)) {
        return fail("the domain is not a valid host name");
    }
    Ok(())
}

/// An Atlas API version: a date (`YYYY-MM-DD`) or `preview`, sent as
/// `Accept: application/vnd.atlas.<version>+json`.
///
/// Invitations exist only in `2023-01-01`, the default; the Cloud Users API defaults to
/// `2025-02-19` (each endpoint's newest non-preview version is its default). `preview` sorts
/// after every date.
///
/// ```
/// use atlas_admin_core::ApiVersion;
/// assert_eq!(ApiVersion::default().media_type(), "application/vnd.atlas.2023-01-01+json");
/// let v = ApiVersion::new("2024-08-05").unwrap();
/// assert_eq!(v.as_str(), "2024-08-05");
/// assert!(ApiVersion::new("2024-8-5").is_err());
/// let preview = ApiVersion::new("preview").unwrap();
/// assert_eq!(preview, ApiVersion::PREVIEW);
/// assert_eq!(preview.media_type(), "application/vnd.atlas.preview+json");
/// assert!(preview > v && preview.is_preview());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ApiVersion([u8; 10]);

impl ApiVersion {
    /// `2023-01-01`, the only version of the invitation endpoints.
    pub const V2023_01_01: ApiVersion = ApiVersion(*b"2023-01-01");

    /// `2023-02-01`.
    pub const V2023_02_01: ApiVersion = ApiVersion(*b"2023-02-01");

    /// `2023-10-01`.
    pub const V2023_10_01: ApiVersion = ApiVersion(*b"2023-10-01");

    /// `2023-11-15`.
    pub const V2023_11_15: ApiVersion = ApiVersion(*b"2023-11-15");

    /// `2024-05-30`.
    pub const V2024_05_30: ApiVersion = ApiVersion(*b"2024-05-30");

    /// `2024-08-05`.
    pub const V2024_08_05: ApiVersion = ApiVersion(*b"2024-08-05");

    /// `2024-10-23`.
    pub const V2024_10_23: ApiVersion = ApiVersion(*b"2024-10-23");

    /// `2024-11-13`.
    pub const V2024_11_13: ApiVersion = ApiVersion(*b"2024-11-13");

    /// `2025-02-19`, the default of the Cloud Users API (`mongoDbCloudUsers`).
    pub const V2025_02_19: ApiVersion = ApiVersion(*b"2025-02-19");

    /// `2025-03-12`.
    pub const V2025_03_12: ApiVersion = ApiVersion(*b"2025-03-12");

    /// `preview`: operations and versions still in preview (`application/vnd.atlas.preview+json`).
    pub const PREVIEW: ApiVersion = ApiVersion(*b"preview\0\0\0");

    /// Validates a `YYYY-MM-DD` date, or `preview`.
    pub fn new(value: &str) -> Result<Self, InvalidInput> {
        if value == "preview" {
            return Ok(ApiVersion::PREVIEW);
        }
        let b = value.as_bytes();
        let bad = || InvalidInput::with_value("version", "must be a date YYYY-MM-DD or preview", value);
        let bytes: [u8; 10] = b.try_into().map_err(|_| bad())?;
        let digit_at = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
        let shape_ok = (0..10).all(|i| match i {
            4 | 7 => bytes.get(i) == Some(&b'-'),
            _ => digit_at(i),
        });
        if !shape_ok {
            return Err(bad());
        }
        let num = |r: std::ops::Range<usize>| value.get(r).and_then(|s| s.parse::<u32>().ok());
        let (month, day) = (num(5..7).unwrap_or(0), num(8..10).unwrap_or(0));
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return Err(bad());
        }
        Ok(ApiVersion(bytes))
    }

    /// The date text, e.g. `2023-01-01`, or `preview`.
    pub fn as_str(&self) -> &str {
        let len = self.0.iter().position(|&b| b == 0).unwrap_or(self.0.len());
        self.0.get(..len).and_then(|b| std::str::from_utf8(b).ok()).unwrap_or("2023-01-01")
    }

    /// Whether this is `preview`.
    pub fn is_preview(&self) -> bool {
        *self == ApiVersion::PREVIEW
    }

    /// `application/vnd.atlas.<date>+json`.
    pub fn media_type(&self) -> String {
        format!("application/vnd.atlas.{}+json", self.as_str())
    }
}

impl Default for ApiVersion {
    fn default() -> Self {
        ApiVersion::V2023_01_01
    }
}

impl fmt::Debug for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiVersion({})", self.as_str())
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ApiVersion {
    type Err = InvalidInput;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ApiVersion::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_accept_only_24_lowercase_hex() {
        assert!(GroupId::new("0123456789abcdef01234567").is_ok());
        for bad in [
            "",
            "0123456789abcdef0123456",   // 23
            "0123456789abcdef012345678", // 25
            "0123456789ABCDEF01234567",  // uppercase
            "0123456789abcdeg01234567",  // non-hex
            "0123456789abcdef0123456 ",  // space
            "../../../../../../etc/pas", // traversal
            "0123456789abcdef012345é",   // non-ascii
        ] {
            let e = InvitationId::new(bad).unwrap_err();
            assert_eq!(e.field(), "invitationId", "{bad:?}");
        }
        let e = TeamId::new("x").unwrap_err();
        assert_eq!(e.field(), "teamIds");
    }

    #[test]
    fn ids_deserialize_with_validation() {
        let ok: OrgId = serde_json::from_str("\"4888442a3354817a7320eb61\"").unwrap();
        assert_eq!(ok.as_str(), "4888442a3354817a7320eb61");
        assert!(serde_json::from_str::<OrgId>("\"nope\"").is_err());
    }

    #[test]
    fn emails() {
        for good in [
            "hello@example.com",
            "first.last+tag@sub.example.co.uk",
            "o'brien@example.ie",
            "user@xn--bcher-kva.example",
            "ü@exämple.de",
        ] {
            assert!(check_email("username", good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "plain",
            "@example.com",
            "user@",
            "user@localhost",
            "a@b@example.com",
            "us er@example.com",
            "user@exa mple.com",
            ".user@example.com",
            "us..er@example.com",
            "user@-example.com",
            "user@example..com",
            "user\n@example.com",
        ] {
            let e = check_email("username", bad).unwrap_err();
            assert_eq!(e.field(), "username", "{bad:?}");
        }
        let long = format!("{}@example.com", "a".repeat(65));
        assert!(check_email("username", &long).is_err());
    }

    #[test]
    fn versions() {
        assert_eq!(ApiVersion::new("2025-02-19").unwrap().as_str(), "2025-02-19");
        for bad in
            ["", "2023-13-01", "2023-00-10", "2023-01-32", "2023/01/01", "20230101", "2023-01-01x", "Preview", "previe"]
        {
            assert!(ApiVersion::new(bad).is_err(), "{bad}");
        }
        let preview = ApiVersion::new("preview").unwrap();
        assert_eq!((preview.as_str(), preview.to_string()), ("preview", "preview".to_owned()));
        assert!(preview.is_preview() && !ApiVersion::V2025_02_19.is_preview());
        assert!(ApiVersion::new("2099-12-31").unwrap() < preview, "preview sorts after every date");
    }
}
