//! Digest nonces: issuing challenges and verifying `Authorization: Digest …` credentials the
//! way Atlas does (realm `MMS Public API`, MD5, qop `auth`), with replay and staleness checks.
//!
//! The expected response is computed with the core's own [`atlas_admin_core::digest::response`],
//! so the fake and the client agree on the arithmetic by construction; what the fake adds is
//! the server-side bookkeeping (which nonces exist, which `nc` values each has seen).

use super::random;
use atlas_admin_core::digest::{Challenge, ResponseInput, response};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

/// The realm Atlas uses.
pub(crate) const REALM: &str = "MMS Public API";
/// At most this many live nonces; the oldest are forgotten first.
const MAX_NONCES: usize = 10_000;
/// At most this many `nc` values per nonce; past that the nonce is treated as stale, which
/// makes a client fetch a new one.
const MAX_NC_PER_NONCE: usize = 1_000;

/// The `WWW-Authenticate` value Atlas sends.
pub(crate) fn challenge(nonce: &str, stale: bool) -> String {
    format!(r#"Digest realm="{REALM}", domain="", nonce="{nonce}", algorithm=MD5, qop="auth", stale={stale}"#)
}

/// The verdict on one Digest credential.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Correct and fresh: the (nonce, nc) pair is now used.
    Accepted,
    /// Correctly computed, but for a nonce that expired (or was forgotten): 401 `stale=true`.
    Stale,
    /// Correctly computed, but this (nonce, nc) pair was already used.
    Replay,
    /// Wrong user, password, realm, uri or a malformed credential.
    Rejected(&'static str),
}

struct Entry {
    issued: Instant,
    stale: bool,
    used: HashSet<u32>,
}

/// What one request says about itself, to check the credential against.
pub(crate) struct Signed<'a> {
    pub(crate) method: &'a str,
    /// The request-target as received: path and query.
    pub(crate) uri: &'a str,
}

/// The nonces this server has issued (bounded).
pub(crate) struct NonceTable {
    entries: HashMap<String, Entry>,
    order: VecDeque<String>,
    lifetime: Duration,
}

impl NonceTable {
    pub(crate) fn new(lifetime: Duration) -> Self {
        NonceTable { entries: HashMap::new(), order: VecDeque::new(), lifetime }
    }

    fn expired(&self, e: &Entry, now: Instant) -> bool {
        e.stale || now.saturating_duration_since(e.issued) >= self.lifetime
    }

    /// A fresh nonce, remembered as issued `now`.
    pub(crate) fn issue(&mut self, now: Instant) -> String {
        // Forget expired nonces at the old end (issue order = age order).
        while let Some(front) = self.order.front() {
            if self.entries.get(front).is_some_and(|e| !self.expired(e, now)) {
                break;
            }
            if let Some(old) = self.order.pop_front() {
                self.entries.remove(&old);
            }
        }
        let nonce = random::nonce();
        self.entries.insert(nonce.clone(), Entry { issued: now, stale: false, used: HashSet::new() });
        self.order.push_back(nonce.clone());
        while self.order.len() > MAX_NONCES {
            if let Some(old) = self.order.pop_front() {
                self.entries.remove(&old);
            }
        }
        nonce
    }

    /// Marks every issued nonce stale.
    pub(crate) fn expire_all(&mut self) {
        for e in self.entries.values_mut() {
            e.stale = true;
        }
    }

    /// Checks a parsed `Authorization: Digest` credential (lowercase directive names) for
    /// `user`/`password`.
    pub(crate) fn verify(
        &mut self,
        params: &BTreeMap<String, String>,
        request: &Signed<'_>,
        user: &str,
        password: &str,
        now: Instant,
    ) -> Verdict {
        let get = |k: &str| params.get(k).map(String::as_str);
        let (Some(username), Some(nonce), Some(uri), Some(given), Some(nc), Some(cnonce)) =
            (get("username"), get("nonce"), get("uri"), get("response"), get("nc"), get("cnonce"))
        else {
            return Verdict::Rejected("missing username, nonce, uri, response, nc or cnonce");
        };
        if username != user {
            return Verdict::Rejected("unknown user");
        }
        if get("realm") != Some(REALM) {
            return Verdict::Rejected("wrong realm");
        }
        if uri != request.uri {
            return Verdict::Rejected("uri does not match the request-target");
        }
        if !get("qop").is_some_and(|q| q.eq_ignore_ascii_case("auth")) {
            return Verdict::Rejected("qop must be auth");
        }
        if get("algorithm").is_some_and(|a| !a.eq_ignore_ascii_case("MD5")) {
            return Verdict::Rejected("algorithm must be MD5");
        }
        let nc = match u32::from_str_radix(nc, 16) {
            Ok(n) if nc.len() == 8 && n > 0 => n,
            _ => return Verdict::Rejected("nc must be 8 hex digits, from 00000001"),
        };
        if cnonce.is_empty() {
            return Verdict::Rejected("empty cnonce");
        }
        let Ok(ours) = Challenge::parse(&challenge(nonce, false)) else {
            return Verdict::Rejected("unusable nonce");
        };
        if ours.nonce != nonce {
            return Verdict::Rejected("unusable nonce");
        }
        let expected = response(
            &ours,
            &ResponseInput { username: user, password, method: request.method, uri: request.uri, nc, cnonce },
        );
        if !expected.eq_ignore_ascii_case(given) {
            return Verdict::Rejected("wrong response (password)");
        }
        let lifetime = self.lifetime;
        let Some(entry) = self.entries.get_mut(nonce) else {
            return Verdict::Stale;
        };
        if entry.stale || now.saturating_duration_since(entry.issued) >= lifetime {
            return Verdict::Stale;
        }
        if entry.used.contains(&nc) {
            return Verdict::Replay;
        }
        if entry.used.len() >= MAX_NC_PER_NONCE {
            entry.stale = true;
            return Verdict::Stale;
        }
        entry.used.insert(nc);
        Verdict::Accepted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use atlas_admin_core::digest::{authorization, parse_authorization};

    fn sign(table: &mut NonceTable, nonce: &str, password: &str, nc: u32, uri: &str, now: Instant) -> Verdict {
        let c = Challenge::parse(&challenge(nonce, false)).unwrap();
        let input = ResponseInput { username: "pub", password, method: "GET", uri, nc, cnonce: "abc" };
        let params = parse_authorization(&authorization(&c, &input)).unwrap();
        table.verify(&params, &Signed { method: "GET", uri: "/x?y=1" }, "pub", "priv", now)
    }

    #[test]
    fn accepts_out_of_order_nc_and_rejects_replays_wrong_passwords_and_uris() {
        let now = Instant::now();
        let mut t = NonceTable::new(Duration::from_secs(60));
        let n = t.issue(now);
        assert_eq!(sign(&mut t, &n, "priv", 2, "/x?y=1", now), Verdict::Accepted);
        assert_eq!(sign(&mut t, &n, "priv", 1, "/x?y=1", now), Verdict::Accepted);
        assert_eq!(sign(&mut t, &n, "priv", 2, "/x?y=1", now), Verdict::Replay);
        assert!(matches!(sign(&mut t, &n, "nope", 3, "/x?y=1", now), Verdict::Rejected(_)));
        assert!(matches!(sign(&mut t, &n, "priv", 3, "/x", now), Verdict::Rejected(_)));
        assert!(matches!(sign(&mut t, &n, "priv", 0, "/x?y=1", now), Verdict::Rejected(_)));
    }

    #[test]
    fn stale_after_lifetime_after_expire_all_and_for_unknown_nonces() {
        let now = Instant::now();
        let mut t = NonceTable::new(Duration::from_secs(60));
        let n = t.issue(now);
        assert_eq!(sign(&mut t, &n, "priv", 1, "/x?y=1", now + Duration::from_secs(60)), Verdict::Stale);
        let m = t.issue(now);
        t.expire_all();
        assert_eq!(sign(&mut t, &m, "priv", 1, "/x?y=1", now), Verdict::Stale);
        assert_eq!(sign(&mut t, "neverissuedneverissuedneverissu", "priv", 1, "/x?y=1", now), Verdict::Stale);
        // A wrong password on a stale nonce is a plain rejection, not stale.
        assert!(matches!(sign(&mut t, &m, "nope", 2, "/x?y=1", now), Verdict::Rejected(_)));
    }

    #[test]
    fn table_is_bounded() {
        let now = Instant::now();
        let mut t = NonceTable::new(Duration::from_secs(600));
        for _ in 0..MAX_NONCES + 5 {
            t.issue(now);
        }
        assert_eq!(t.entries.len(), MAX_NONCES);
        assert_eq!(t.order.len(), MAX_NONCES);
    }
}
