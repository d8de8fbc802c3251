//! HTTP Digest authentication (RFC 7616 / RFC 2617), IO-free.
//!
//! [`Challenge`] parses `WWW-Authenticate`; [`authorization`] computes the
//! `Authorization` header for one request. The session caches the challenge and counts `nc`
//! so that, after the first 401, every call is signed preemptively: one round trip, not two.

mod challenge;

pub use challenge::{Algorithm, Challenge, Qop, parse_authorization};

use md5::{Digest as _, Md5};

/// One lowercase hex digit.
fn hex_digit(n: u8) -> u8 {
    if n < 10 { b'0' + n } else { b'a' + (n - 10) }
}

/// Lowercase hex of 16 bytes (an MD5 digest, or two `u64`s), on the stack.
fn hex32(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (pair, b) in out.chunks_exact_mut(2).zip(bytes) {
        if let [hi, lo] = pair {
            *hi = hex_digit(b >> 4);
            *lo = hex_digit(b & 0x0f);
        }
    }
    out
}

/// `{:08x}` of a nonce count, on the stack.
fn hex8(n: u32) -> [u8; 8] {
    let mut out = [0u8; 8];
    for (i, d) in out.iter_mut().enumerate() {
        // Nibble 7 first: shifts 28, 24, ..., 0. The mask keeps the value below 16.
        *d = hex_digit(((n >> (28 - 4 * i)) & 0x0f) as u8);
    }
    out
}

/// Lowercase hex MD5 of the concatenation of `parts`, on the stack.
fn md5_hex_of(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Md5::new();
    for part in parts {
        h.update(part);
    }
    hex32(&h.finalize())
}

/// Lowercase hex MD5 of `data`.
#[cfg(test)]
fn md5_hex(data: &[u8]) -> String {
    hex32(&Md5::digest(data)).iter().map(|&b| char::from(b)).collect()
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

/// What one challenge and one user's credentials fix, worked out once per challenge so that
/// each preemptively signed request costs only the hashes that change with it: HA1 =
/// `MD5(user:realm:password)` (RFC 7616 §3.4.2), and for `MD5` the hash state after
/// `HA1:nonce:`, which every response to this nonce starts with. `Debug` hides both: HA1 is
/// as good as the password for this realm.
#[derive(Clone)]
pub(crate) struct Ha1 {
    hex: [u8; 32],
    /// `MD5` only: the state after absorbing `HA1:nonce:` (MD5-sess mixes the cnonce into HA1).
    prefix: Option<Md5>,
}

impl std::fmt::Debug for Ha1 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Ha1(<redacted>)")
    }
}

impl Ha1 {
    /// HA1 for `username`/`password` under `challenge` (its realm, nonce and algorithm).
    pub(crate) fn new(challenge: &Challenge, username: &str, password: &str) -> Self {
        let hex = md5_hex_of(&[username.as_bytes(), b":", challenge.realm.as_bytes(), b":", password.as_bytes()]);
        let prefix = (challenge.algorithm == Algorithm::Md5).then(|| {
            let mut h = Md5::new();
            h.update(hex);
            h.update(b":");
            h.update(challenge.nonce.as_bytes());
            h.update(b":");
            h
        });
        Ha1 { hex, prefix }
    }

    /// The `response` value (32 lowercase hex) for `challenge` (the one this HA1 was made for).
    fn response(&self, challenge: &Challenge, input: &ResponseInput<'_>) -> [u8; 32] {
        let ha2 = md5_hex_of(&[input.method.as_bytes(), b":", input.uri.as_bytes()]);
        let mut h = match &self.prefix {
            Some(prefix) => prefix.clone(),
            None => {
                // MD5-sess: HA1' = MD5(HA1:nonce:cnonce)
                let ha1 = md5_hex_of(&[&self.hex, b":", challenge.nonce.as_bytes(), b":", input.cnonce.as_bytes()]);
                let mut h = Md5::new();
                h.update(ha1);
                h.update(b":");
                h.update(challenge.nonce.as_bytes());
                h.update(b":");
                h
            }
        };
        if challenge.qop == Qop::Auth {
            h.update(hex8(input.nc));
            h.update(b":");
            h.update(input.cnonce.as_bytes());
            h.update(b":auth:");
        }
        h.update(ha2);
        hex32(&h.finalize())
    }

    /// The `Authorization` header value, as bytes (see [`authorization`]).
    pub(crate) fn authorization(&self, challenge: &Challenge, input: &ResponseInput<'_>) -> Vec<u8> {
        let opaque_len = challenge.opaque.as_ref().map_or(0, |o| o.len() + 12);
        let mut h = Vec::with_capacity(
            160 + input.username.len()
                + challenge.realm.len()
                + challenge.nonce.len()
                + input.uri.len()
                + input.cnonce.len()
                + opaque_len,
        );
        h.extend_from_slice(b"Digest username=");
        quote_into(&mut h, input.username);
        h.extend_from_slice(b", realm=");
        quote_into(&mut h, &challenge.realm);
        h.extend_from_slice(b", nonce=");
        quote_into(&mut h, &challenge.nonce);
        h.extend_from_slice(b", uri=");
        quote_into(&mut h, input.uri);
        h.extend_from_slice(b", algorithm=");
        h.extend_from_slice(challenge.algorithm.as_str().as_bytes());
        h.extend_from_slice(b", response=\"");
        h.extend_from_slice(&self.response(challenge, input));
        h.push(b'"');
        if challenge.qop == Qop::Auth {
            h.extend_from_slice(b", qop=auth, nc=");
            h.extend_from_slice(&hex8(input.nc));
            h.extend_from_slice(b", cnonce=");
            quote_into(&mut h, input.cnonce);
        }
        if let Some(opaque) = &challenge.opaque {
            h.extend_from_slice(b", opaque=");
            quote_into(&mut h, opaque);
        }
        h
    }
}

/// Text made only of `&str` pieces and ASCII.
fn into_string(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
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
    let hex = Ha1::new(challenge, input.username, input.password).response(challenge, input);
    hex.iter().map(|&b| char::from(b)).collect()
}

/// The `Authorization` header value answering `challenge` for one request.
///
/// ```text
/// Digest username="…", realm="…", nonce="…", uri="…", algorithm=MD5, response="…", qop=auth, nc=00000001, cnonce="…"
/// ```
pub fn authorization(challenge: &Challenge, input: &ResponseInput<'_>) -> String {
    into_string(Ha1::new(challenge, input.username, input.password).authorization(challenge, input))
}

/// Appends `s` as an RFC 9110 quoted-string. Byte-wise is safe: `"` and `\` are ASCII, and no
/// byte of a multi-byte UTF-8 sequence is ASCII.
fn quote_into(out: &mut Vec<u8>, s: &str) {
    out.reserve(s.len() + 2);
    out.push(b'"');
    let needs_escape = |b: &u8| *b == b'"' || *b == b'\\';
    if s.as_bytes().iter().any(needs_escape) {
        for b in s.as_bytes() {
            if needs_escape(b) {
                out.push(b'\\');
            }
            out.push(*b);
        }
    } else {
        out.extend_from_slice(s.as_bytes());
    }
    out.push(b'"');
}

/// An RFC 9110 quoted-string.
#[cfg(test)]
fn quote(s: &str) -> String {
    let mut out = Vec::new();
    quote_into(&mut out, s);
    into_string(out)
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
