//! Dates: RFC 3339 timestamps in bodies (`createdAt`, `expiresAt`) and HTTP-dates in headers
//! (`Deprecation`, `Sunset`, `Retry-After`).
//!
//! Parsing is lenient (Atlas sends `Wed, 4 Oct 2023 00:00:00 GMT`, day not zero-padded), and a
//! body timestamp that does not parse is kept as text rather than failing the whole response.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cmp::Ordering;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use time::OffsetDateTime;
use time::format_description::well_known::{Rfc2822, Rfc3339};

/// A date-time from a response body, as Atlas sent it, plus its parsed instant.
///
/// ```
/// use atlas_admin_core::Timestamp;
/// use std::time::{Duration, UNIX_EPOCH};
/// let t = Timestamp::parse("2026-08-10T03:04:53Z");
/// assert_eq!(t.unix_seconds(), Some(1_786_331_093));
/// let now = UNIX_EPOCH + Duration::from_secs(1_786_331_094);
/// assert_eq!(t.has_passed(now), Some(true));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Timestamp {
    raw: String,
    at: Option<SystemTime>,
}

impl Timestamp {
    /// Reads an RFC 3339 date-time. Text that is not one is kept, with no instant.
    pub fn parse(raw: impl Into<String>) -> Self {
        let raw = raw.into();
        let at = OffsetDateTime::parse(raw.trim(), &Rfc3339).ok().and_then(to_system_time);
        Timestamp { raw, at }
    }

    /// The text exactly as received.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The instant, or `None` if the text was not an RFC 3339 date-time.
    pub fn system_time(&self) -> Option<SystemTime> {
        self.at
    }

    /// Seconds since the Unix epoch (negative before 1970), if parsed.
    pub fn unix_seconds(&self) -> Option<i64> {
        self.at.map(unix_seconds)
    }

    /// Whether this instant is at or before `now`; `None` if the text did not parse.
    /// For `expiresAt`, `Some(true)` means the invitation has expired.
    pub fn has_passed(&self, now: SystemTime) -> Option<bool> {
        self.at.map(|at| at <= now)
    }
}

impl PartialOrd for Timestamp {
    /// Ordered by instant; unparsed timestamps are not comparable with parsed ones.
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        match (self.at, other.at) {
            (Some(a), Some(b)) => Some(a.cmp(&b)),
            (None, None) if self.raw == other.raw => Some(Ordering::Equal),
            _ => None,
        }
    }
}

impl fmt::Display for Timestamp {
    /// The text as received, with control characters escaped (it is server text).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::sanitize::Sanitized(&self.raw).fmt(f)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Ok(Timestamp::parse(raw))
    }
}

/// A date from an HTTP header (`Deprecation`, `Sunset`, `Retry-After`).
///
/// Accepts IMF-fixdate with or without a zero-padded day (`Thu, 1 Jul 2027 00:00:00 GMT`).
/// `Display` writes the canonical IMF-fixdate.
///
/// ```
/// use atlas_admin_core::HttpDate;
/// let d = HttpDate::parse("Wed, 4 Oct 2023 00:00:00 GMT").unwrap();
/// assert_eq!(d.to_string(), "Wed, 04 Oct 2023 00:00:00 GMT");
/// assert_eq!(d.unix_seconds(), 1_696_377_600);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HttpDate(SystemTime);

impl HttpDate {
    /// Parses an HTTP-date; `None` if it is not one.
    pub fn parse(text: &str) -> Option<Self> {
        OffsetDateTime::parse(text.trim(), &Rfc2822).ok().and_then(to_system_time).map(HttpDate)
    }

    /// A calendar date, `YYYY-MM-DD` (the spec's `x-sunset`), at 00:00:00 GMT; `None` if it is
    /// not one.
    ///
    /// ```
    /// use atlas_admin_core::HttpDate;
    /// assert_eq!(HttpDate::from_date("2027-07-01").unwrap().to_string(), "Thu, 01 Jul 2027 00:00:00 GMT");
    /// assert_eq!(HttpDate::from_date("2027-02-30"), None);
    /// ```
    pub fn from_date(text: &str) -> Option<Self> {
        let mut parts = text.splitn(3, '-');
        let mut number = |len: usize| parts.next().filter(|p| p.len() == len && p.bytes().all(|b| b.is_ascii_digit()));
        let (year, month, day) = (number(4)?.parse().ok()?, number(2)?.parse::<u8>().ok()?, number(2)?.parse().ok()?);
        let month = time::Month::try_from(month).ok()?;
        let date = time::Date::from_calendar_date(year, month, day).ok()?;
        to_system_time(date.midnight().assume_utc()).map(HttpDate)
    }

    /// The instant.
    pub fn system_time(&self) -> SystemTime {
        self.0
    }

    /// Seconds since the Unix epoch.
    pub fn unix_seconds(&self) -> i64 {
        unix_seconds(self.0)
    }
}

impl From<SystemTime> for HttpDate {
    fn from(t: SystemTime) -> Self {
        HttpDate(t)
    }
}

impl fmt::Display for HttpDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = to_offset(self.0);
        let weekday = match t.weekday() {
            time::Weekday::Monday => "Mon",
            time::Weekday::Tuesday => "Tue",
            time::Weekday::Wednesday => "Wed",
            time::Weekday::Thursday => "Thu",
            time::Weekday::Friday => "Fri",
            time::Weekday::Saturday => "Sat",
            time::Weekday::Sunday => "Sun",
        };
        let month = match t.month() {
            time::Month::January => "Jan",
            time::Month::February => "Feb",
            time::Month::March => "Mar",
            time::Month::April => "Apr",
            time::Month::May => "May",
            time::Month::June => "Jun",
            time::Month::July => "Jul",
            time::Month::August => "Aug",
            time::Month::September => "Sep",
            time::Month::October => "Oct",
            time::Month::November => "Nov",
            time::Month::December => "Dec",
        };
        write!(
            f,
            "{weekday}, {:02} {month} {:04} {:02}:{:02}:{:02} GMT",
            t.day(),
            t.year(),
            t.hour(),
            t.minute(),
            t.second()
        )
    }
}

/// The instant of `t`, if the platform's `SystemTime` can hold it (std's `From` panics when not).
///
/// Whole seconds and the sub-second part are added separately: a total in nanoseconds does
/// not fit a `u64` past the year 2554 (or before 1385).
fn to_system_time(t: OffsetDateTime) -> Option<SystemTime> {
    let secs = t.unix_timestamp();
    let whole = Duration::from_secs(secs.unsigned_abs());
    let at = if secs >= 0 { UNIX_EPOCH.checked_add(whole) } else { UNIX_EPOCH.checked_sub(whole) }?;
    at.checked_add(Duration::from_nanos(u64::from(t.nanosecond())))
}

/// `t` as a calendar date, clamped to years 0000..=9999 (what `time` represents), never panicking.
fn to_offset(t: SystemTime) -> OffsetDateTime {
    let nanos = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i128::try_from(d.as_nanos()).unwrap_or(i128::MAX),
        Err(e) => i128::try_from(e.duration().as_nanos()).map_or(i128::MIN, |n| -n),
    };
    let (min, max) = (time::PrimitiveDateTime::MIN.assume_utc(), time::PrimitiveDateTime::MAX.assume_utc());
    OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap_or(if nanos < 0 { min } else { max })
}

fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

/// Formats an instant as RFC 3339 UTC with second precision (`2026-08-10T03:04:53Z`), the
/// shape Atlas uses; for callers (the fake server, tests) that produce timestamps.
pub fn format_rfc3339(t: SystemTime) -> String {
    let t = to_offset(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn atlas_deprecation_and_sunset_headers_parse() {
        let dep = HttpDate::parse("Wed, 4 Oct 2023 00:00:00 GMT").unwrap();
        let sunset = HttpDate::parse("Thu, 1 Jul 2027 00:00:00 GMT").unwrap();
        assert_eq!(dep.unix_seconds(), 1_696_377_600);
        assert_eq!(sunset.unix_seconds(), 1_814_400_000);
        assert_eq!(sunset.to_string(), "Thu, 01 Jul 2027 00:00:00 GMT");
        assert!(dep < sunset);
    }

    #[test]
    fn garbage_dates_are_none_not_panics() {
        for s in ["", "soon", "Thu, 32 Jul 2027 00:00:00 GMT", "1 Jul 2027", "\u{0}"] {
            assert!(HttpDate::parse(s).is_none(), "{s:?}");
        }
        assert_eq!(Timestamp::parse("\u{1b}[2J").to_string(), r"\u{1b}[2J");
        let t = Timestamp::parse("yesterday");
        assert_eq!(t.system_time(), None);
        assert_eq!(t.as_str(), "yesterday");
        assert_eq!(t.has_passed(UNIX_EPOCH), None);
    }

    #[test]
    fn timestamps_compare_and_round_trip() {
        let created = Timestamp::parse("2026-08-10T03:04:53Z");
        let expires = Timestamp::parse("2026-09-09T03:04:53Z");
        assert!(created < expires);
        assert_eq!(expires.unix_seconds().unwrap() - created.unix_seconds().unwrap(), 30 * 86_400);
        let json = serde_json::to_string(&created).unwrap();
        assert_eq!(json, "\"2026-08-10T03:04:53Z\"");
        let back: Timestamp = serde_json::from_str(&json).unwrap();
        assert_eq!(back, created);
        let fractional = Timestamp::parse("2026-08-10T03:04:53.250Z");
        assert_eq!(fractional.system_time().unwrap(), created.system_time().unwrap() + Duration::from_millis(250));
    }

    #[test]
    fn extreme_instants_never_panic() {
        let far = UNIX_EPOCH + Duration::from_secs(400_000_000_000); // year ~12700
        assert_eq!(HttpDate::from(far).to_string(), "Fri, 31 Dec 9999 23:59:59 GMT");
        assert!(format_rfc3339(far).starts_with("9999-12-31T23:59:59"));
        let early = Timestamp::parse("1600-01-01T00:00:00Z");
        assert_eq!(early.unix_seconds(), Some(-11_676_096_000));
    }

    /// Regression: dates after 2554 overflowed a `u64` of nanoseconds and did not parse.
    #[test]
    fn dates_up_to_9999_parse() {
        let d = HttpDate::parse("Fri, 31 Dec 9999 23:59:59 GMT").unwrap();
        assert_eq!(d.unix_seconds(), 253_402_300_799);
        assert_eq!(d.to_string(), "Fri, 31 Dec 9999 23:59:59 GMT");
        let after_2554 = HttpDate::parse("Mon, 1 Jan 2555 00:00:00 GMT").unwrap();
        assert_eq!(after_2554.unix_seconds(), 18_460_828_800);
        let t = Timestamp::parse("9999-12-31T23:59:59.999999999Z");
        assert_eq!(t.unix_seconds(), Some(253_402_300_799));
        assert_eq!(t.system_time().unwrap().duration_since(UNIX_EPOCH).unwrap().subsec_nanos(), 999_999_999);
        let early = Timestamp::parse("0000-01-01T00:00:00Z");
        assert_eq!(early.unix_seconds(), Some(-62_167_219_200));
        assert_eq!(early.system_time().map(|at| at < UNIX_EPOCH), Some(true));
        let now = UNIX_EPOCH + Duration::from_secs(1_795_867_200);
        assert_eq!(
            crate::meta::parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now),
            Some(Duration::from_secs(253_402_300_799 - 1_795_867_200))
        );
    }

    #[test]
    fn rfc3339_formatting_matches_atlas_shape() {
        let t = UNIX_EPOCH + Duration::from_secs(1_786_331_093);
        assert_eq!(format_rfc3339(t), "2026-08-10T03:04:53Z");
        assert_eq!(Timestamp::parse(format_rfc3339(t)).system_time(), Some(t));
    }
}
