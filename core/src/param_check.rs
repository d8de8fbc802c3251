//! Validating parameter values by their [`ParamKind`], for any [`Endpoint`](crate::Endpoint) of
//! the catalog, so that a call described at run time is checked before anything is sent.

use crate::described::check_path_value;
use crate::error::InvalidInput;
use crate::models::{OrgMembershipStatus, check_unique};
use crate::operation::{IntFormat, Param, ParamIn, ParamKind};
#[cfg(test)]
use crate::validate::MAX_TEXT_LEN;
use crate::validate::{check_email, check_hex_id, check_text};
use std::borrow::Cow;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

impl ParamKind {
    /// Checks one value (one item of a repeated parameter); `field` names it in the error.
    ///
    /// ```
    /// use atlas_admin_core::{IntFormat, ParamKind};
    /// let kind = ParamKind::Int { format: IntFormat::Int32, min: Some(1), max: None };
    /// assert!(kind.check("nLogs", "20").is_ok());
    /// assert_eq!(kind.check("nLogs", "0").unwrap_err().field(), "nLogs");
    /// ```
    pub fn check(&self, field: &str, value: &str) -> Result<(), InvalidInput> {
        let fail = |why: &str| Err(InvalidInput::with_value(field, why, value));
        match *self {
            ParamKind::Id => check_hex_id(field, value),
            ParamKind::Email => check_email(field, value),
            ParamKind::Bool => match value {
                "true" | "false" => Ok(()),
                _ => fail("must be true or false"),
            },
            ParamKind::PageSize => check_int(field, value, IntFormat::Any, Some(1), Some(500)),
            ParamKind::PageNum => check_int(field, value, IntFormat::Any, Some(1), Some(i64::from(u32::MAX))),
            ParamKind::Statuses => OrgMembershipStatus::checked(value)
                .map(drop)
                .map_err(|e| InvalidInput::with_value(field, e.reason().to_owned(), value)),
            ParamKind::Pattern(pattern) => pattern.check(field, value),
            ParamKind::Int { format, min, max } => check_int(field, value, format, min, max),
            ParamKind::Text { min_len, max_len } => {
                check_text(field, value)?;
                let chars = value.chars().count();
                if min_len.is_some_and(|min| chars < min as usize) || max_len.is_some_and(|max| chars > max as usize) {
                    let (min, max) = (min_len.unwrap_or(0), max_len.map_or("any".to_owned(), |m| m.to_string()));
                    return fail(&format!("must be {min} to {max} characters"));
                }
                Ok(())
            }
            ParamKind::Date => match date(value) {
                true => Ok(()),
                false => fail("must be a date YYYY-MM-DD"),
            },
            ParamKind::DateTime => match value.len() <= 64 && OffsetDateTime::parse(value, &Rfc3339).is_ok() {
                true => Ok(()),
                false => fail("must be an RFC 3339 date and time (2024-01-31T12:00:00Z)"),
            },
            ParamKind::Enum(values) => match values.contains(&value) {
                true => Ok(()),
                false if values.len() <= 8 => fail(&format!("must be one of {}", values.join(", "))),
                false => fail(&format!("must be one of the {} values the spec lists", values.len())),
            },
            ParamKind::Repeated { item, .. } => item.check(field, value),
        }
    }

    /// The value as meant, as it is sent: for a pattern that writes a `/` as `%2F`, a given
    /// `%2F` decoded ([`Pattern::decoded`](crate::Pattern::decoded)); any other as it is.
    pub fn decoded<'v>(&self, value: &'v str) -> Cow<'v, str> {
        match self {
            ParamKind::Pattern(pattern) => pattern.decoded(value),
            ParamKind::Repeated { item, .. } => item.decoded(value),
            _ => Cow::Borrowed(value),
        }
    }

    /// Checks every value given for one parameter: each value, and how many there may be (one,
    /// unless [`repeatable`](Self::repeatable); then the spec's item bounds and uniqueness).
    pub fn check_values(&self, field: &str, values: &[&str]) -> Result<(), InvalidInput> {
        let (min, max, unique) = match *self {
            ParamKind::Repeated { min_items, max_items, unique, .. } => (min_items, max_items, unique),
            ParamKind::Statuses => (None, Some(OrgMembershipStatus::KNOWN.len() as u32), true),
            _ => (Some(1), Some(1), false),
        };
        let count = values.len();
        if min.is_some_and(|min| count < min as usize) || max.is_some_and(|max| count > max as usize) {
            let max = max.map_or("any number of".to_owned(), |m| m.to_string());
            return Err(InvalidInput::new(field, format!("takes {} to {max} values, not {count}", min.unwrap_or(0))));
        }
        for (i, value) in values.iter().enumerate() {
            let name = if self.repeatable() { format!("{field}[{i}]") } else { field.to_owned() };
            self.check(&name, value)?;
        }
        if unique {
            check_unique(field, values, |v| *v, |v| (*v).to_owned())?;
        }
        Ok(())
    }
}

impl Param {
    /// Checks one value of this parameter by its kind. A path value is given as meant (decoded):
    /// it is percent-encoded once into one segment when sent, so a `/`, `?`, `#`, `%` or space
    /// in it is data (an AWS IAM ARN `arn:aws:iam::123:user/x`, an LDAP DN `CN=Jane Doe,OU=x`);
    /// it may not be empty, `.` or `..`. Where the spec's pattern writes a `/` as `%2F` (CIDR
    /// blocks, the Azure endpoint path), `/` and `%2F` are both accepted and mean the same
    /// ([`Pattern::decoded`](crate::Pattern::decoded)). A header value must be a valid header
    /// value.
    ///
    /// ```
    /// use atlas_admin_core::ops;
    /// let e = ops::find("getGroupUser").unwrap();
    /// assert!(e.param("groupId").unwrap().check("32b6e34b3d91647abb20e7b8").is_ok());
    /// assert_eq!(e.param("userId").unwrap().check("nope").unwrap_err().field(), "userId");
    /// ```
    pub fn check(&self, value: &str) -> Result<(), InvalidInput> {
        self.kind.check(self.name, value)?;
        match self.location {
            ParamIn::Path => check_path_value(self.name, &self.kind.decoded(value)),
            ParamIn::Header if http::HeaderValue::from_str(value).is_err() => {
                Err(InvalidInput::with_value(self.name, "must be a valid header value", value))
            }
            _ => Ok(()),
        }
    }
}

fn check_int(
    field: &str,
    value: &str,
    format: IntFormat,
    min: Option<i64>,
    max: Option<i64>,
) -> Result<(), InvalidInput> {
    let fail = |why: String| Err(InvalidInput::with_value(field, why, value));
    // `+1`, ` 1` and `01` parse in Rust but are not how a number is written in a query.
    let canonical = value.len() <= 20
        && value.strip_prefix('-').unwrap_or(value).bytes().all(|b| b.is_ascii_digit())
        && !value.is_empty();
    let Some(n) = value.parse::<i64>().ok().filter(|_| canonical) else {
        return fail("must be a whole number".to_owned());
    };
    if format == IntFormat::Int32 && i32::try_from(n).is_err() {
        return fail("must be a 32-bit integer".to_owned());
    }
    match (min, max) {
        (Some(min), _) if n < min => fail(format!("must be at least {min}")),
        (_, Some(max)) if n > max => fail(format!("must be at most {max}")),
        _ => Ok(()),
    }
}

/// `YYYY-MM-DD`, a real calendar day.
fn date(value: &str) -> bool {
    let b = value.as_bytes();
    let shape = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() });
    let num = |r: std::ops::Range<usize>| value.get(r).and_then(|s| s.parse::<u8>().ok());
    let year = value.get(0..4).and_then(|s| s.parse::<i32>().ok());
    let month = num(5..7).and_then(|m| time::Month::try_from(m).ok());
    match (shape, year, month, num(8..10)) {
        (true, Some(y), Some(m), Some(d)) => time::Date::from_calendar_date(y, m, d).is_ok(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::Pattern;

    /// Each kind accepts a good value and refuses bad ones, naming the field.
    #[test]
    fn every_kind_accepts_and_refuses() {
        static ITEM: ParamKind = ParamKind::Enum(&["A", "B"]);
        let cases: &[(ParamKind, &[&str], &[&str])] = &[
            (ParamKind::Id, &["32b6e34b3d91647abb20e7b8"], &["32B6E34B3D91647ABB20E7B8", ""]),
            (ParamKind::Email, &["ada@example.com"], &["ada", "ada@localhost"]),
            (ParamKind::Bool, &["true", "false"], &["True", "1", ""]),
            (ParamKind::PageSize, &["1", "500"], &["0", "501", "x", "+5"]),
            (ParamKind::PageNum, &["1", "4000000"], &["0", "-1", "1.5"]),
            (ParamKind::Statuses, &["PENDING", "INVITATION_REJECTED"], &["pending", "OTHER"]),
            (ParamKind::Pattern(Pattern::Name), &["Cluster0"], &["-x", ""]),
            (
                ParamKind::Int { format: IntFormat::Int32, min: Some(1), max: None },
                &["1", "2147483647"],
                &["0", "2147483648", "01x", " 1"],
            ),
            (
                ParamKind::Int { format: IntFormat::Int64, min: None, max: Some(10) },
                &["-9223372036854775808", "10"],
                &["11", "9223372036854775808", ""],
            ),
            (ParamKind::Text { min_len: Some(1), max_len: Some(3) }, &["a", "abc", "äöü"], &["", "abcd", "a\u{0}"]),
            (
                ParamKind::Text { min_len: None, max_len: None },
                &["", "any text / ? #"],
                &["a\nb", &"a".repeat(MAX_TEXT_LEN + 1)],
            ),
            (ParamKind::Date, &["2024-02-29"], &["2023-02-29", "2024-2-1", "2024-13-01", "20240101"]),
            (
                ParamKind::DateTime,
                &["2024-01-31T12:00:00Z", "2024-01-31T12:00:00.5+02:00"],
                &["2024-01-31", "2024-01-31 12:00:00", "x"],
            ),
            (ParamKind::Enum(&["A", "B"]), &["A", "B"], &["a", "C", ""]),
            (ParamKind::Repeated { item: &ITEM, min_items: None, max_items: None, unique: false }, &["A"], &["C"]),
        ];
        for (kind, good, bad) in cases {
            for value in *good {
                assert!(kind.check("f", value).is_ok(), "{kind:?} should accept {value:?}");
            }
            for value in *bad {
                assert_eq!(kind.check("f", value).unwrap_err().field(), "f", "{kind:?} should refuse {value:?}");
            }
        }
    }

    #[test]
    fn how_many_values_a_parameter_takes() {
        static ITEM: ParamKind = ParamKind::Enum(&["A", "B", "C"]);
        let repeated = ParamKind::Repeated { item: &ITEM, min_items: Some(1), max_items: Some(2), unique: true };
        assert!(repeated.check_values("m", &["A", "B"]).is_ok());
        assert!(repeated.check_values("m", &[]).is_err());
        assert!(repeated.check_values("m", &["A", "B", "C"]).is_err());
        assert_eq!(repeated.check_values("m", &["A", "A"]).unwrap_err().field(), "m[1]");
        assert_eq!(repeated.check_values("m", &["A", "X"]).unwrap_err().field(), "m[1]");
        assert!(ParamKind::Bool.check_values("b", &["true"]).is_ok());
        assert!(ParamKind::Bool.check_values("b", &["true", "false"]).is_err());
        assert!(ParamKind::Statuses.check_values("s", &["ACTIVE", "PENDING"]).is_ok());
        assert!(ParamKind::Statuses.check_values("s", &["ACTIVE", "ACTIVE"]).is_err());
    }

    #[test]
    fn path_values_are_given_decoded_and_headers_valid() {
        let path = Param::path("username", ParamKind::Text { min_len: None, max_len: None });
        for good in ["admin", "a/b", "a?b", "a#b", "CN=Jane Doe,OU=x", "arn:aws:iam::123:user/x", "50%"] {
            assert!(path.check(good).is_ok(), "{good:?}");
        }
        for bad in ["", ".", "..", "a\nb", &"a".repeat(MAX_TEXT_LEN + 1)] {
            assert_eq!(path.check(bad).unwrap_err().field(), "username", "{bad:?}");
        }
        let cidr = Param::path("entryValue", ParamKind::Pattern(Pattern::IpCidrOrSecurityGroup));
        for good in ["10.0.0.0/16", "10.0.0.0%2F16", "10.0.0.1"] {
            assert!(cidr.check(good).is_ok(), "{good:?}");
            assert_eq!(cidr.kind.decoded(good), good.replace("%2F", "/"));
        }
        assert!(cidr.check("10.0.0.0%252F16").is_err(), "an escape escaped twice");
        let query = Param::query("namespace", ParamKind::Text { min_len: None, max_len: None });
        assert!(query.check("db/coll?x").is_ok(), "query values are encoded");
        let header =
            Param { location: ParamIn::Header, ..Param::query("Use-Effective-Instance-Fields", ParamKind::Bool) };
        assert!(header.check("true").is_ok() && header.check("yes").is_err());
    }
}
