//! The `pattern`s the Atlas Admin API v2 spec puts on path and query parameters, each checked by
//! a hand-written matcher (no regex engine).
//!
//! Most are checked exactly. The address-like ones (an Azure private-endpoint resource path,
//! IP/CIDR/security-group, host[:port]) get a permissive check, which Atlas completes: non-empty,
//! at most [`PERMISSIVE_MAX_LEN`] bytes, no `?`, `#`, whitespace or control character, and no `/`
//! unless the regex has one. The spec's regex of each is [`Pattern::regex`].
//! (`^([a-f0-9]{24})$`, the pattern of most ids, is [`ParamKind::Id`](crate::ParamKind::Id).)
//!
//! Three regexes (CIDR blocks, the Azure resource path) write a `/` of the value as `%2F`: the
//! spelling on the wire, where the value is one path segment. A value is given as meant, with
//! its `/`, and sent percent-encoded once; a given `%2F` is taken as the `/` it stands for
//! ([`Pattern::decoded`]), so both spellings send the same request.

use crate::error::InvalidInput;
use std::borrow::Cow;

/// The longest value a permissive check accepts, in bytes.
pub const PERMISSIVE_MAX_LEN: usize = 512;

/// One of the spec's parameter patterns (besides `^([a-f0-9]{24})$`: [`ParamKind::Id`](crate::ParamKind::Id)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Pattern {
    /// 24 hexadecimal characters, either case (`^[a-fA-F0-9]{24}$`).
    Hex24MixedCase,
    /// 20 lowercase hexadecimal characters (`^([a-f0-9]{20})$`), identity provider ids.
    Hex20,
    /// 64 hexadecimal characters, either case (`^([a-fA-F0-9]{64})$`), query shape hashes.
    Hex64,
    /// Lowercase hexadecimal characters (`[0-9a-f]+`; the spec leaves it unanchored, the check
    /// takes its evident meaning: the whole value).
    HexDigits,
    /// A lowercase UUID (`8-4-4-4-12` hexadecimal characters).
    Uuid,
    /// An AWS interface endpoint id (`^vpce-[0-9a-f]{17}$`).
    Vpce,
    /// An AWS interface endpoint id (checked exactly), or an Azure private endpoint resource path
    /// (`/subscriptions/...`, its `/`s may be written `%2F`; checked permissively).
    VpceOrAzurePrivateEndpoint,
    /// A cluster or other resource name (`^[a-zA-Z0-9][a-zA-Z0-9-]*$`).
    Name,
    /// A service account's client id (`^mdb_sa_id_[a-fA-F\d]{24}$`).
    ServiceAccountId,
    /// An e-mail address in lowercase (the spec's RFC 5322-like regex, checked exactly).
    LowercaseEmail,
    /// An IP address or CIDR block (its `/` may be written `%2F`), or an AWS security group
    /// (checked permissively).
    IpCidrOrSecurityGroup,
    /// An IP address or CIDR block, its `/` may be written `%2F` (checked permissively).
    IpOrCidr,
    /// A host or IP address with a port, as in process ids (checked permissively).
    HostPort,
    /// A host or IP address (checked permissively).
    Host,
    /// An IPv4 or IPv6 address (checked permissively).
    IpAddress,
}

impl Pattern {
    /// Every pattern.
    pub const ALL: &'static [Pattern] = &[
        Pattern::Hex24MixedCase,
        Pattern::Hex20,
        Pattern::Hex64,
        Pattern::HexDigits,
        Pattern::Uuid,
        Pattern::Vpce,
        Pattern::VpceOrAzurePrivateEndpoint,
        Pattern::Name,
        Pattern::ServiceAccountId,
        Pattern::LowercaseEmail,
        Pattern::IpCidrOrSecurityGroup,
        Pattern::IpOrCidr,
        Pattern::HostPort,
        Pattern::Host,
        Pattern::IpAddress,
    ];

    /// The spec's regex, verbatim.
    pub fn regex(self) -> &'static str {
        match self {
            Pattern::Hex24MixedCase => "^[a-fA-F0-9]{24}$",
            Pattern::Hex20 => "^([a-f0-9]{20})$",
            Pattern::Hex64 => "^([a-fA-F0-9]{64})$",
            Pattern::HexDigits => "[0-9a-f]+",
            Pattern::Uuid => "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
            Pattern::Vpce => "^vpce-[0-9a-f]{17}$",
            Pattern::VpceOrAzurePrivateEndpoint => {
                r"^vpce-[0-9a-f]{17}|^%2[fF]subscriptions%2[fF][0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}%2[fF]resource[gG]roups%2[fF]([-\w._()]+)%2[fF]providers%2[fF]Microsoft\.Network%2[fF]privateEndpoints%2[fF]([-\w._()]+)"
            }
            Pattern::Name => "^[a-zA-Z0-9][a-zA-Z0-9-]*$",
            Pattern::ServiceAccountId => r"^mdb_sa_id_[a-fA-F\d]{24}$",
            Pattern::LowercaseEmail => {
                r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$"
            }
            Pattern::IpCidrOrSecurityGroup => {
                r"^([0-9]{1,3}\.){3}[0-9]{1,3}(%2[fF][0-9]{1,3})?|([0-9a-f]{1,4}\:){7}[0-9a-f]{1,4}(%2[fF][0-9]{1,3})?|([0-9a-f]{1,4}\:){1,6}\:(%2[fF][0-9]{1,3})|(sg\-[a-f0-9]{8})?$"
            }
            Pattern::IpOrCidr => {
                r"^([0-9]{1,3}\.){3}[0-9]{1,3}(%2[fF][0-9]{1,3})?|([0-9a-f]{1,4}\:){7}[0-9a-f]{1,4}(%2[fF][0-9]{1,3})?|([0-9a-f]{1,4}\:){1,6}\:(%2[fF][0-9]{1,3})?$"
            }
            Pattern::HostPort => {
                r"^([0-9]{1,3}\.){3}[0-9]{1,3}|([0-9a-f]{1,4}\:){7}([0-9a-f]{1,4})|(([a-z0-9]+\.){1,10}[a-z]+)?(\:[0-9]{4,5})$"
            }
            Pattern::Host => {
                r"^([0-9]{1,3}\.){3}[0-9]{1,3}|([0-9a-f]{1,4}:){7}([0-9a-f]{1,4})|(([a-z0-9]+\.){1,10}[a-z]+)?$"
            }
            Pattern::IpAddress => r"^((25[0-5]|(2[0-4]|1\d|[1-9]|)\d)(\.(?!$)|$)){4}|([0-9a-f]{1,4}:){7}[0-9a-f]{1,4}$",
        }
    }

    /// The pattern whose spec regex is `regex`, if it is one of these.
    pub fn from_regex(regex: &str) -> Option<Pattern> {
        Pattern::ALL.iter().copied().find(|p| p.regex() == regex)
    }

    /// Whether the check is exact (otherwise permissive: see the module doc).
    pub fn is_exact(self) -> bool {
        !matches!(
            self,
            Pattern::IpCidrOrSecurityGroup | Pattern::IpOrCidr | Pattern::HostPort | Pattern::Host | Pattern::IpAddress
        )
    }

    /// Whether the regex writes a `/` of the value as `%2F` (CIDR blocks, the Azure resource
    /// path): then a `/` is part of the value, given as it is or as `%2F`.
    pub fn has_slash(self) -> bool {
        matches!(self, Pattern::VpceOrAzurePrivateEndpoint | Pattern::IpCidrOrSecurityGroup | Pattern::IpOrCidr)
    }

    /// The value as meant: for a pattern that [`has_slash`](Self::has_slash), each `%2F` (or
    /// `%2f`) given is the `/` it stands for, so `10.0.0.0%2F16` is `10.0.0.0/16` (sent once
    /// encoded, `10.0.0.0%2F16`); any other value as it is.
    ///
    /// ```
    /// use atlas_admin_core::Pattern;
    /// assert_eq!(Pattern::IpOrCidr.decoded("10.0.0.0%2F16"), "10.0.0.0/16");
    /// assert_eq!(Pattern::IpOrCidr.decoded("10.0.0.0/16"), "10.0.0.0/16");
    /// assert_eq!(Pattern::Host.decoded("a%2Fb"), "a%2Fb");
    /// ```
    pub fn decoded(self, value: &str) -> Cow<'_, str> {
        if self.has_slash() && value.contains('%') {
            Cow::Owned(value.replace("%2F", "/").replace("%2f", "/"))
        } else {
            Cow::Borrowed(value)
        }
    }

    /// Checks `value` (as meant: [`decoded`](Self::decoded)); `field` names it in the error.
    pub fn check(self, field: &str, given: &str) -> Result<(), InvalidInput> {
        let decoded = self.decoded(given);
        let value = decoded.as_ref();
        let slash = self.has_slash();
        let ok = match self {
            Pattern::Hex24MixedCase => hex(value, 24, true),
            Pattern::Hex20 => hex(value, 20, false),
            Pattern::Hex64 => hex(value, 64, true),
            Pattern::HexDigits => !value.is_empty() && value.len() <= PERMISSIVE_MAX_LEN && all_hex(value, false),
            Pattern::Uuid => uuid(value),
            Pattern::Vpce => vpce(value),
            Pattern::VpceOrAzurePrivateEndpoint => vpce(value) || (value.starts_with('/') && permissive(value, slash)),
            Pattern::Name => name(value),
            Pattern::ServiceAccountId => value.strip_prefix("mdb_sa_id_").is_some_and(|rest| hex(rest, 24, true)),
            Pattern::LowercaseEmail => lowercase_email(value),
            Pattern::IpCidrOrSecurityGroup
            | Pattern::IpOrCidr
            | Pattern::HostPort
            | Pattern::Host
            | Pattern::IpAddress => permissive(value, slash),
        };
        if ok {
            Ok(())
        } else {
            let how = match (self.is_exact(), slash) {
                (true, _) => "must match",
                (false, true) => "must be non-empty, without ? # % or spaces (a / as it is or as %2F), like",
                (false, false) => "must be non-empty, without / ? # or spaces, like",
            };
            Err(InvalidInput::with_value(field, format!("{how} {}", self.regex()), given))
        }
    }
}

fn all_hex(value: &str, mixed_case: bool) -> bool {
    value
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b) || (mixed_case && (b'A'..=b'F').contains(&b)))
}

fn hex(value: &str, len: usize, mixed_case: bool) -> bool {
    value.len() == len && all_hex(value, mixed_case)
}

fn uuid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5 && groups.iter().zip([8, 4, 4, 4, 12]).all(|(group, len)| hex(group, len, false))
}

fn vpce(value: &str) -> bool {
    value.strip_prefix("vpce-").is_some_and(|rest| hex(rest, 17, false))
}

fn name(value: &str) -> bool {
    let mut bytes = value.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphanumeric())
        && value.len() <= PERMISSIVE_MAX_LEN
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Non-empty, bounded, and nothing an address holds in no spelling of the regex: no `?`, `#`,
/// whitespace or control character; a `/` only where the regex has one (`slash`), and then no
/// `%` left once decoded (its only escape is `%2F`: a `%25` is an escape escaped twice).
fn permissive(value: &str, slash: bool) -> bool {
    let refused = |c: char| match c {
        '/' => !slash,
        '%' => slash,
        '?' | '#' => true,
        c => c.is_whitespace() || c.is_control(),
    };
    !value.is_empty() && value.len() <= PERMISSIVE_MAX_LEN && !value.chars().any(refused)
}

/// `^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[…]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$`
fn lowercase_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    let atom_char = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b"!#$%&'*+/=?^_`{|}~-".contains(&b);
    let label = |l: &str| {
        let b = l.as_bytes();
        let edge = |c: Option<&u8>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        edge(b.first())
            && edge(b.last())
            && b.iter().all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
    };
    let labels: Vec<&str> = domain.split('.').collect();
    value.len() <= 254
        && local.split('.').all(|atom| !atom.is_empty() && atom.bytes().all(atom_char))
        && labels.len() >= 2
        && labels.iter().all(|l| label(l))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One accepted and several refused values for every pattern.
    #[test]
    fn each_pattern_accepts_and_refuses() {
        let cases: &[(Pattern, &[&str], &[&str])] = &[
            (
                Pattern::Hex24MixedCase,
                &["32B6e34b3d91647abb20e7b8"],
                &["", "32b6e34b3d91647abb20e7b", "32b6e34b3d91647abb20e7bg"],
            ),
            (Pattern::Hex20, &["0123456789abcdef0123"], &["0123456789ABCDEF0123", "0123456789abcdef012", "x"]),
            (Pattern::Hex64, &[&"aF".repeat(32)], &[&"a".repeat(63), &"g".repeat(64)]),
            (Pattern::HexDigits, &["0a", "4888442a3354817a7320eb61"], &["", "0A", "xyz", "0a/1"]),
            (
                Pattern::Uuid,
                &["123e4567-e89b-12d3-a456-426614174000"],
                &[
                    "123e4567e89b12d3a456426614174000",
                    "123E4567-e89b-12d3-a456-426614174000",
                    "123e4567-e89b-12d3-a456-42661417400",
                ],
            ),
            (
                Pattern::Vpce,
                &["vpce-0123456789abcdef0"],
                &["vpce-0123456789abcdef", "VPCE-0123456789abcdef0", "0123456789abcdef0"],
            ),
            (
                Pattern::VpceOrAzurePrivateEndpoint,
                &[
                    "vpce-0123456789abcdef0",
                    "%2Fsubscriptions%2Fx%2FresourceGroups%2Fg",
                    "/subscriptions/x/resourceGroups/g",
                    "%2fsubscriptions/x%2FresourceGroups/g",
                ],
                &["", "vpce-1", "subscriptions/x", "plain", "%252Fsubscriptions%252Fx", "/subscriptions/a b"],
            ),
            (Pattern::Name, &["Cluster0", "a-b-1"], &["", "-a", "a_b", "a.b", "a b"]),
            (
                Pattern::ServiceAccountId,
                &["mdb_sa_id_32B6e34b3d91647abb20e7b8"],
                &["mdb_sa_id_", "32b6e34b3d91647abb20e7b8", "mdb_sa_id_32b6e34b3d91647abb20e7bz"],
            ),
            (
                Pattern::LowercaseEmail,
                &["ada@example.com", "a.b+c@sub.example.co"],
                &[
                    "Ada@example.com",
                    "ada@localhost",
                    "ada@-x.com",
                    "a..b@example.com",
                    "@example.com",
                    "ada@example..com",
                ],
            ),
            (
                Pattern::IpCidrOrSecurityGroup,
                &["10.0.0.0%2F8", "10.0.0.0%2f8", "10.0.0.0/8", "sg-0123abcd"],
                &["", "a b", "10.0.0.0%252F8", "10.0.0.0%2"],
            ),
            (Pattern::IpOrCidr, &["192.168.0.1", "::1", "10.0.0.0/8", "fd00::%2F8"], &["", "x?y", "10.0.0.0%25"]),
            (Pattern::HostPort, &["host.example.com:27017"], &["", "host#1", "a\nb"]),
            (Pattern::Host, &["host.example.com"], &["", "a/b"]),
            (Pattern::IpAddress, &["10.0.0.1"], &["", &"1".repeat(PERMISSIVE_MAX_LEN + 1)]),
        ];
        assert_eq!(cases.len(), Pattern::ALL.len(), "every pattern is tested");
        for (pattern, good, bad) in cases {
            for value in *good {
                assert!(pattern.check("p", value).is_ok(), "{pattern:?} should accept {value:?}");
            }
            for value in *bad {
                let e = pattern.check("p", value).unwrap_err();
                assert!(e.field() == "p" && e.reason().contains(pattern.regex()), "{pattern:?} {value:?}: {e}");
            }
        }
    }

    /// The patterns whose regex writes `/` as `%2F` are the ones that take a `/`; both spellings
    /// decode to one value.
    #[test]
    fn slash_patterns_take_a_slash_in_either_spelling() {
        for p in Pattern::ALL {
            assert_eq!(p.has_slash(), p.regex().contains("%2[fF]"), "{p:?}");
            let decoded = p.decoded("a%2Fb%2fc");
            assert_eq!(decoded, if p.has_slash() { "a/b/c" } else { "a%2Fb%2fc" }, "{p:?}");
        }
    }

    #[test]
    fn regexes_are_distinct_and_found_again() {
        for p in Pattern::ALL {
            assert_eq!(Pattern::from_regex(p.regex()), Some(*p));
        }
        assert_eq!(Pattern::from_regex("^([a-f0-9]{24})$"), None, "that one is ParamKind::Id");
    }
}
