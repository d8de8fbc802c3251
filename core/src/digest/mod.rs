//! HTTP Digest authentication (RFC 7616 / RFC 2617), IO-free.
//!
//! [`Challenge`] parses `WWW-Authenticate`; [`authorization`] computes the
//! `Authorization` header for one request. The session caches the challenge and counts `nc`
//! so that, after the first 401, every call is signed preemptively: one round trip, not two.

mod challenge;

pub use challenge::{Algorithm, Challenge, Qop, parse_authorization};

use md5::{Digest as _, Md5};
use std::fmt::Write as _;

/// Lowercase hex MD5 of `data`.
fn md5_hex(data: &[u8]) -> String {
    let digest = Md5::digest(data);
    let mut out = String::with_capacity(32);
    for b in digest {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Everything that goes into one Digest response.
#[derive(Clone, Copy, Debug)]
pub struct ResponseInput<'a> {
    /// The user (Atlas: the API public key).
    pub username: &'a str,
    /// The password (Atlas: the API private key).
    pub password: &'a str,
    /// The HTTP method (`PATCH`).
    pub method: &'a str,
    /// The request-target: path and query, exactly as sent.
    pub uri: &'a str,
    /// Nonce count (1 for the first use of a nonce).
    pub nc: u32,
    /// The client nonce.
    pub cnonce: &'a str,
}

/// The `response` value (32 lowercase hex) for `challenge` and `input`.
///
/// With qop=auth: `MD5(HA1:nonce:nc:cnonce:auth:HA2)`; without qop (RFC 2069):
/// `MD5(HA1:nonce:HA2)`. HA1 = `MD5(user:realm:password)` (MD5-sess: `MD5(that:nonce:cnonce)`),
/// HA2 = `MD5(method:uri)`.
///
/// ```
/// // RFC 2617 §3.5
/// use atlas_admin_core::digest::{response, Challenge, ResponseInput};
/// let c = Challenge::parse(r#"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#).unwrap();
/// let r = response(&c, &ResponseInput {
///     username: "Mufasa", password: "Circle Of Life", method: "GET",
///     uri: "/dir/index.html", nc: 1, cnonce: "0a4f113b",
/// });
/// assert_eq!(r, "6629fae49393a05397450978507c4ef1");
/// ```
pub fn response(challenge: &Challenge, input: &ResponseInput<'_>) -> String {
    let mut ha1 = md5_hex(format!("{}:{}:{}", input.username, challenge.realm, input.password).as_bytes());
    if challenge.algorithm == Algorithm::Md5Sess {
        ha1 = md5_hex(format!("{ha1}:{}:{}", challenge.nonce, input.cnonce).as_bytes());
    }
    let ha2 = md5_hex(format!("{}:{}", input.method, input.uri).as_bytes());
    match challenge.qop {
        Qop::Auth => {
            md5_hex(format!("{ha1}:{}:{:08x}:{}:auth:{ha2}", challenge.nonce, input.nc, input.cnonce).as_bytes())
        }
        Qop::None => md5_hex(format!("{ha1}:{}:{ha2}", challenge.nonce).as_bytes()),
    }
}

/// The `Authorization` header value answering `challenge` for one request.
///
/// ```text
/// Digest username="…", realm="…", nonce="…", uri="…", algorithm=MD5, response="…", qop=auth, nc=00000001, cnonce="…"
/// ```
pub fn authorization(challenge: &Challenge, input: &ResponseInput<'_>) -> String {
    let q = quote;
    let mut h = format!(
        "Digest username={}, realm={}, nonce={}, uri={}, algorithm={}, response=\"{}\"",
        q(input.username),
        q(&challenge.realm),
        q(&challenge.nonce),
        q(input.uri),
        challenge.algorithm.as_str(),
        response(challenge, input),
    );
    if challenge.qop == Qop::Auth {
        let _ = write!(h, ", qop=auth, nc={:08x}, cnonce={}", input.nc, q(input.cnonce));
    }
    if let Some(opaque) = &challenge.opaque {
        let _ = write!(h, ", opaque={}", q(opaque));
    }
    h
}

/// An RFC 9110 quoted-string.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc7616() -> Challenge {
        Challenge::parse(
            r#"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#,
        )
        .unwrap()
    }

    fn rfc7616_input(nc: u32) -> ResponseInput<'static> {
        ResponseInput {
            username: "Mufasa",
            password: "Circle of Life",
            method: "GET",
            uri: "/dir/index.html",
            nc,
            cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
        }
    }

    #[test]
    fn rfc2617_section_3_5() {
        let c = Challenge::parse(
            r#"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#,
        )
        .unwrap();
        let input = ResponseInput {
            username: "Mufasa",
            password: "Circle Of Life",
            method: "GET",
            uri: "/dir/index.html",
            nc: 1,
            cnonce: "0a4f113b",
        };
        assert_eq!(response(&c, &input), "6629fae49393a05397450978507c4ef1");
        assert_eq!(
            authorization(&c, &input),
            r#"Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", algorithm=MD5, response="6629fae49393a05397450978507c4ef1", qop=auth, nc=00000001, cnonce="0a4f113b", opaque="5ccc069c403ebaf9f0171e9517f40e41""#
        );
    }

    #[test]
    fn rfc7616_section_3_9_1_md5() {
        let c = rfc7616();
        assert_eq!(response(&c, &rfc7616_input(1)), "8ca523f5e9506fed4657c9700eebdbec");
        assert_eq!(response(&c, &rfc7616_input(2)), "4b5d595ecf2db9df612ea5b45cd97101");
    }

    #[test]
    fn md5_sess_and_rfc2069_forms_differ_and_are_stable() {
        let mut c = rfc7616();
        let plain = response(&c, &rfc7616_input(1));
        c.algorithm = Algorithm::Md5Sess;
        let sess = response(&c, &rfc7616_input(1));
        assert_ne!(plain, sess);
        // MD5-sess by hand: HA1' = MD5(MD5(user:realm:pass):nonce:cnonce)
        let ha1 = md5_hex(b"Mufasa:http-auth@example.org:Circle of Life");
        let ha1s = md5_hex(format!("{ha1}:{}:{}", c.nonce, "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ").as_bytes());
        let ha2 = md5_hex(b"GET:/dir/index.html");
        let expected = md5_hex(
            format!("{ha1s}:{}:00000001:f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ:auth:{ha2}", c.nonce).as_bytes(),
        );
        assert_eq!(sess, expected);
        c.qop = Qop::None;
        c.algorithm = Algorithm::Md5;
        let legacy = authorization(&c, &rfc7616_input(1));
        assert!(!legacy.contains("nc="));
        assert!(legacy.contains(&md5_hex(format!("{ha1}:{}:{ha2}", c.nonce).as_bytes())));
    }

    #[test]
    fn quoting_escapes() {
        assert_eq!(quote(r#"a"b\c"#), r#""a\"b\\c""#);
    }
}
