//! Parsing `WWW-Authenticate: Digest …` challenges (RFC 7616 §3.3), tolerantly.
//!
//! Atlas sends `Digest realm="MMS Public API", domain="", nonce="…", algorithm=MD5,
//! qop="auth", stale=false`. The parser accepts any order, any casing of names and scheme,
//! odd spacing, empty list elements, unknown directives, several challenges in one header and
//! several headers. It never panics; what it cannot use is a [`ChallengeError`].

use crate::error::ChallengeError;
use http::HeaderMap;
use std::collections::HashSet;

/// The hash algorithm of a challenge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// `MD5` (also the default when `algorithm` is absent).
    Md5,
    /// `MD5-sess`.
    Md5Sess,
}

impl Algorithm {
    /// The name as sent in `algorithm=`.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Md5Sess => "MD5-sess",
        }
    }
}

/// The quality of protection the response will use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Qop {
    /// `qop=auth`: with nc and cnonce.
    Auth,
    /// No `qop` offered: the RFC 2069 compatibility form (no nc, no cnonce).
    None,
}

/// A Digest challenge this client can answer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Challenge {
    /// `realm` (empty if absent).
    pub realm: String,
    /// `nonce`.
    pub nonce: String,
    /// `opaque`, echoed back if present.
    pub opaque: Option<String>,
    /// `algorithm`.
    pub algorithm: Algorithm,
    /// `qop` chosen from the offered list.
    pub qop: Qop,
    /// `stale=true`: the nonce expired but the credentials were fine.
    pub stale: bool,
}

impl Challenge {
    /// Parses the first Digest challenge in one header value.
    ///
    /// ```
    /// use atlas_admin_core::digest::{Algorithm, Challenge, Qop};
    /// let c = Challenge::parse(
    ///     r#"Digest realm="MMS Public API", domain="", nonce="669gyxpgL6MGDuSZvQ80Spv3k+Jc99ed", algorithm=MD5, qop="auth", stale=false"#,
    /// ).unwrap();
    /// assert_eq!(c.realm, "MMS Public API");
    /// assert_eq!(c.nonce, "669gyxpgL6MGDuSZvQ80Spv3k+Jc99ed");
    /// assert_eq!((c.algorithm, c.qop, c.stale), (Algorithm::Md5, Qop::Auth, false));
    /// ```
    pub fn parse(header: &str) -> Result<Challenge, ChallengeError> {
        let mut schemes_seen = Vec::new();
        let mut first_error = None;
        // Several Digest challenges (e.g. SHA-256 then MD5): the first answerable one wins.
        for (scheme, params) in split_challenges(header) {
            if scheme.eq_ignore_ascii_case("digest") {
                match from_params(&params, header) {
                    Ok(challenge) => return Ok(challenge),
                    Err(e) => {
                        first_error.get_or_insert(e);
                    }
                }
            }
            schemes_seen.push(scheme);
        }
        Err(first_error.unwrap_or_else(|| no_digest(&schemes_seen, header)))
    }

    /// Finds a Digest challenge among all `WWW-Authenticate` headers.
    ///
    /// `Ok(None)` when there is no `WWW-Authenticate` header at all; an error when there are
    /// headers but none is a usable Digest challenge.
    pub fn from_headers(headers: &HeaderMap) -> Result<Option<Challenge>, ChallengeError> {
        let mut first_error = None;
        let mut any = false;
        for value in headers.get_all(http::header::WWW_AUTHENTICATE) {
            any = true;
            let Ok(text) = std::str::from_utf8(value.as_bytes()) else {
                first_error.get_or_insert_with(|| ChallengeError::new("header is not UTF-8", None));
                continue;
            };
            match Challenge::parse(text) {
                Ok(c) => return Ok(Some(c)),
                Err(e) => {
                    // Prefer the error about a Digest challenge over "no Digest here".
                    if first_error.is_none() || text.to_ascii_lowercase().contains("digest") {
                        first_error = Some(e);
                    }
                }
            }
        }
        match first_error {
            Some(e) => Err(e),
            None if any => Err(ChallengeError::new("empty WWW-Authenticate header", None)),
            None => Ok(None),
        }
    }
}

/// The parameters of a `Digest` credential (an `Authorization` header), by lowercase name;
/// `None` if the header is not a Digest credential. For servers (the test fake) that verify.
///
/// ```
/// use atlas_admin_core::digest::parse_authorization;
/// let p = parse_authorization(r#"Digest username="pub", nc=00000002, uri="/a?b=c""#).unwrap();
/// assert_eq!(p.get("username").map(String::as_str), Some("pub"));
/// assert_eq!(p.get("nc").map(String::as_str), Some("00000002"));
/// ```
pub fn parse_authorization(header: &str) -> Option<std::collections::BTreeMap<String, String>> {
    let (scheme, params) = split_challenges(header).into_iter().next()?;
    scheme
        .eq_ignore_ascii_case("digest")
        .then(|| params.into_iter().map(|(k, v)| (k.to_ascii_lowercase(), v)).collect())
}

fn no_digest(schemes: &[String], header: &str) -> ChallengeError {
    let reason = if schemes.is_empty() {
        "no Digest challenge in WWW-Authenticate".to_owned()
    } else {
        format!("no Digest challenge; the server offered {}", schemes.join(", "))
    };
    ChallengeError::new(reason, Some(header))
}

fn from_params(params: &[(String, String)], header: &str) -> Result<Challenge, ChallengeError> {
    let get = |name: &str| params.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
    let fail = |reason: String| Err(ChallengeError::new(reason, Some(header)));
    let sendable = |v: &str| v.chars().all(|c| c == '\t' || (' '..='~').contains(&c));

    let nonce = match get("nonce") {
        Some(n) if !n.is_empty() => n,
        _ => return fail("missing nonce".into()),
    };
    let realm = get("realm").unwrap_or("");
    let opaque = get("opaque");
    if ![nonce, realm, opaque.unwrap_or("")].iter().all(|v| sendable(v)) {
        return fail("realm, nonce or opaque contains characters that cannot be echoed in a header".into());
    }
    let algorithm = match get("algorithm") {
        None => Algorithm::Md5,
        Some(a) if a.eq_ignore_ascii_case("md5") => Algorithm::Md5,
        Some(a) if a.eq_ignore_ascii_case("md5-sess") => Algorithm::Md5Sess,
        Some(a) => return fail(format!("algorithm {a} is not supported (MD5 and MD5-sess are)")),
    };
    let qop = match get("qop") {
        None => Qop::None,
        Some(list) => {
            let offered: Vec<&str> = list.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
            if offered.iter().any(|q| q.eq_ignore_ascii_case("auth")) {
                Qop::Auth
            } else {
                return fail(format!("qop {list:?} is not supported (auth is)"));
            }
        }
    };
    if algorithm == Algorithm::Md5Sess && qop == Qop::None {
        // HA1 would mix in a cnonce that the RFC 2069 form never sends: unverifiable.
        return fail("MD5-sess without qop is not supported".into());
    }
    let stale = get("stale").is_some_and(|s| s.eq_ignore_ascii_case("true"));
    Ok(Challenge {
        realm: realm.to_owned(),
        nonce: nonce.to_owned(),
        opaque: opaque.map(str::to_owned),
        algorithm,
        qop,
        stale,
    })
}

/// Splits a header value into (scheme, params) challenges (RFC 9110 §11.6.1).
///
/// A token followed by `=` is a parameter of the current challenge; a token followed by
/// anything else starts a new challenge. A token68 after a scheme is skipped.
///
/// Linear in the header's length: a repeated parameter name (the first one wins) is found by
/// a scan while a challenge has few parameters (Atlas sends 6), then through a set of its
/// lowercase names, never by rescanning a long list.
fn split_challenges(header: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out: Vec<(String, Vec<(String, String)>)> = Vec::new();
    let mut names: Option<HashSet<String>> = None; // made only for a long challenge
    let mut lx = Lexer { s: header.as_bytes(), i: 0 };
    loop {
        lx.skip_ws_and_commas();
        let Some(token) = lx.token() else {
            if lx.at_end() {
                break;
            }
            lx.i += 1; // a stray character: skip it
            continue;
        };
        lx.skip_ws();
        if lx.peek() == Some(b'=') && lx.peek_at(1) != Some(b'=') {
            lx.i += 1;
            lx.skip_ws();
            let value = if lx.peek() == Some(b'"') { lx.quoted() } else { lx.bare() };
            if let Some((_, params)) = out.last_mut() {
                if first_of_its_name(params, &mut names, &token) {
                    params.push((token, value));
                }
            }
        } else {
            out.push((token, Vec::new()));
            names = None;
            // token68 (e.g. `Negotiate abc==`): skip up to the next comma or space.
            lx.skip_token68();
        }
    }
    out
}

/// Up to this many parameters, a repeated name is found by scanning them.
const SCAN_PARAMS: usize = 16;

/// Whether no earlier parameter of this challenge has `name` (any casing); records it.
fn first_of_its_name(params: &[(String, String)], names: &mut Option<HashSet<String>>, name: &str) -> bool {
    if params.len() < SCAN_PARAMS {
        return !params.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
    }
    names
        .get_or_insert_with(|| params.iter().map(|(n, _)| n.to_ascii_lowercase()).collect())
        .insert(name.to_ascii_lowercase())
}

struct Lexer<'a> {
    s: &'a [u8],
    i: usize,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn peek_at(&self, off: usize) -> Option<u8> {
        self.s.get(self.i + off).copied()
    }
    fn at_end(&self) -> bool {
        self.i >= self.s.len()
    }
    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.i += 1;
        }
    }
    fn skip_ws_and_commas(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n' | b',')) {
            self.i += 1;
        }
    }
    /// RFC 9110 tchar+.
    fn token(&mut self) -> Option<String> {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)) {
            self.i += 1;
        }
        (self.i > start).then(|| String::from_utf8_lossy(self.s.get(start..self.i).unwrap_or_default()).into_owned())
    }
    /// An unquoted value: up to the next comma or white space (lenient: a base64 nonce sent
    /// without quotes still parses).
    fn bare(&mut self) -> String {
        let start = self.i;
        while self.peek().is_some_and(|c| !matches!(c, b',' | b' ' | b'\t' | b'\r' | b'\n')) {
            self.i += 1;
        }
        String::from_utf8_lossy(self.s.get(start..self.i).unwrap_or_default()).into_owned()
    }
    /// A quoted-string with backslash escapes; an unterminated one runs to the end.
    fn quoted(&mut self) -> String {
        self.i += 1; // opening quote
        let mut out = Vec::new();
        while let Some(c) = self.peek() {
            self.i += 1;
            match c {
                b'"' => break,
                b'\\' => {
                    if let Some(n) = self.peek() {
                        out.push(n);
                        self.i += 1;
                    }
                }
                _ => out.push(c),
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    /// Skips a token68 credential after a scheme (`Negotiate abc==`). It only counts as one
    /// if it is followed by the end or a comma; otherwise it was the first parameter.
    fn skip_token68(&mut self) {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || b"-._~+/".contains(&c)) {
            self.i += 1;
        }
        while self.peek() == Some(b'=') {
            self.i += 1;
        }
        self.skip_ws();
        if self.i == start || !matches!(self.peek(), None | Some(b',')) {
            self.i = start;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    const ATLAS: &str = r#"Digest realm="MMS Public API", domain="", nonce="669gyxpgL6MGDuSZvQ80Spv3k+Jc99ed", algorithm=MD5, qop="auth", stale=false"#;

    fn atlas() -> Challenge {
        Challenge::parse(ATLAS).unwrap()
    }

    #[test]
    fn atlas_challenge() {
        let c = atlas();
        assert_eq!(c.realm, "MMS Public API");
        assert_eq!(c.nonce, "669gyxpgL6MGDuSZvQ80Spv3k+Jc99ed");
        assert_eq!(c.opaque, None);
        assert_eq!(c.algorithm, Algorithm::Md5);
        assert_eq!(c.qop, Qop::Auth);
        assert!(!c.stale);
    }

    #[test]
    fn tolerant_of_casing_spacing_order_unknown_and_empty_elements() {
        for h in [
            r#"digest REALM="MMS Public API",nonce="669gyxpgL6MGDuSZvQ80Spv3k+Jc99ed",ALGORITHM=md5,QOP="auth""#,
            r#"DIGEST   qop = "auth" ,, nonce = "669gyxpgL6MGDuSZvQ80Spv3k+Jc99ed" , realm="MMS Public API", charset=UTF-8, userhash=false, x-new-thing="a, b""#,
            r#"Digest nonce="669gyxpgL6MGDuSZvQ80Spv3k+Jc99ed", realm="MMS Public API", qop="auth-int, auth""#,
            r#"Basic realm="x", Digest realm="MMS Public API", nonce="669gyxpgL6MGDuSZvQ80Spv3k+Jc99ed", qop=auth"#,
            r#"Negotiate abc==, Digest realm="MMS Public API", nonce="669gyxpgL6MGDuSZvQ80Spv3k+Jc99ed", qop="auth""#,
        ] {
            let c = Challenge::parse(h).unwrap_or_else(|e| panic!("{h}: {e}"));
            assert_eq!(c.realm, "MMS Public API", "{h}");
            assert_eq!(c.nonce, "669gyxpgL6MGDuSZvQ80Spv3k+Jc99ed", "{h}");
            assert_eq!(c.qop, Qop::Auth, "{h}");
        }
    }

    #[test]
    fn stale_escapes_opaque_sess_and_legacy() {
        let c = Challenge::parse(
            r#"Digest realm="a \"q\" b", nonce="n", opaque="op", stale=TRUE, algorithm=MD5-sess, qop=auth"#,
        )
        .unwrap();
        assert_eq!(c.realm, r#"a "q" b"#);
        assert_eq!(c.opaque.as_deref(), Some("op"));
        assert!(c.stale);
        assert_eq!(c.algorithm, Algorithm::Md5Sess);
        let legacy = Challenge::parse(r#"Digest realm="r", nonce="n""#).unwrap();
        assert_eq!(legacy.qop, Qop::None);
    }

    #[test]
    fn clear_errors_for_what_cannot_be_answered() {
        let cases = [
            (r#"Digest realm="r", nonce="n", algorithm=SHA-512-256, qop="auth""#, "SHA-512-256"),
            (r#"Digest realm="r", nonce="n", algorithm=SHA-256, qop="auth""#, "SHA-256"),
            (r#"Digest realm="r", nonce="n", qop="auth-int""#, "auth-int"),
            (r#"Digest realm="r", qop="auth""#, "missing nonce"),
            (r#"Digest realm="r", nonce="", qop="auth""#, "missing nonce"),
            (r#"Basic realm="r""#, "Basic"),
            ("", "no Digest"),
            ("Digest", "missing nonce"),
            ("\"unterminated", "no Digest"),
        ];
        for (h, needle) in cases {
            let e = Challenge::parse(h).unwrap_err();
            assert!(e.reason.contains(needle), "{h:?}: {}", e.reason);
        }
    }

    #[test]
    fn several_digest_challenges_first_answerable_wins() {
        let h = r#"Digest realm="r", nonce="sha", algorithm=SHA-256, qop="auth", Digest realm="r", nonce="md5", algorithm=MD5, qop="auth""#;
        assert_eq!(Challenge::parse(h).unwrap().nonce, "md5");
        let e = Challenge::parse(r#"Digest realm="r", nonce="n", algorithm=MD5-sess"#).unwrap_err();
        assert!(e.reason.contains("MD5-sess without qop"));
    }

    #[test]
    fn garbage_never_panics() {
        for h in [
            "=",
            "==,,==",
            "Digest =",
            "Digest nonce=\"",
            "Digest nonce=\\",
            "Digest ,,,, nonce",
            "\u{7f}\u{0}",
            "Digest nonce=\"a\\",
        ] {
            let _ = Challenge::parse(h);
        }
    }

    #[test]
    fn the_first_of_repeated_names_wins_in_short_and_long_challenges() {
        for extra in [0, 40] {
            let mut h = String::from(r#"Digest nonce="first", realm="r""#);
            for i in 0..extra {
                h.push_str(&format!(", x{i}=1"));
            }
            h.push_str(r#", NONCE="second", Realm="other", qop="auth""#);
            let c = Challenge::parse(&h).unwrap();
            assert_eq!((c.nonce.as_str(), c.realm.as_str(), c.qop), ("first", "r", Qop::Auth), "{extra} extra");
        }
    }

    #[test]
    fn from_headers_picks_digest_among_several() {
        let mut h = HeaderMap::new();
        assert_eq!(Challenge::from_headers(&h), Ok(None));
        h.append("WWW-Authenticate", HeaderValue::from_static(r#"Bearer realm="x""#));
        assert!(Challenge::from_headers(&h).is_err());
        h.append("WWW-Authenticate", HeaderValue::from_static(ATLAS));
        assert_eq!(Challenge::from_headers(&h).unwrap(), Some(atlas()));
    }
}
