//! [`FakeConfig`]: credentials, limits and the demo project/org of one fake server.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::time::Duration;

/// How a [`FakeAtlas`](super::FakeAtlas) behaves: which credentials it accepts, how long
/// nonces and tokens live, and which project and organization exist.
///
/// `Default` gives demo values that are safe to print (none is a real credential).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeConfig {
    /// TCP port on 127.0.0.1; 0 picks a free one. After start, [`FakeAtlas::config`](super::FakeAtlas::config)
    /// holds the port actually bound.
    pub port: u16,
    /// API key public key: the Digest username (and `inviterUsername` of invitations it sends).
    pub public_key: String,
    /// API key private key: the Digest password.
    pub private_key: String,
    /// Service account client id (Basic auth user of `/api/oauth/token`).
    pub client_id: String,
    /// Service account client secret.
    pub client_secret: String,
    /// How long an issued Digest nonce is accepted; after that a correctly signed request
    /// gets 401 with `stale=true`. Default 300 s.
    pub nonce_lifetime: Duration,
    /// `expires_in` of issued bearer tokens, in seconds; also their real lifetime. Default 3600.
    pub token_expires_in: u64,
    /// Token requests allowed per rolling minute before 429 + `Retry-After` (Atlas: about 10).
    /// 0 disables the limit.
    pub token_rate_limit_per_minute: u32,
    /// The demo project's id (24 lowercase hex); other well-formed ids answer 404.
    pub group_id: String,
    /// The demo project's name (`groupName` of its invitations).
    pub group_name: String,
    /// The demo organization's id (24 lowercase hex); other well-formed ids answer 404.
    pub org_id: String,
    /// The demo organization's name (`orgName` of its invitations).
    pub org_name: String,
    /// A team of the demo organization (24 lowercase hex); more with
    /// [`FakeAtlas::add_team`](super::FakeAtlas::add_team).
    pub team_id: String,
    /// Added before every answer, as a distant server's round trip would (requests are
    /// served concurrently, so it is per request, not a queue). Default none: for
    /// benchmarks, e.g. of pages fetched ahead.
    pub latency: Duration,
    /// How long a resource with a lifecycle (a cluster, anything with a `stateName`) of the
    /// generic behaviour stays `CREATING`, `UPDATING` or `DELETING` on the fake's clock
    /// before it is `IDLE` (or gone). Default 60 s; move the clock with
    /// [`FakeAtlas::advance`](super::FakeAtlas::advance).
    pub settle_time: Duration,
    /// Whether versions past their sunset are still served (with their `Sunset` header).
    /// Default `false`: as Atlas does, a version answers 410 `VERSION_GONE` from its sunset on
    /// the fake's clock, whatever it is (the wall clock, moved with
    /// [`FakeAtlas::advance`](super::FakeAtlas::advance), or set with
    /// [`FakeAtlas::set_clock`](super::FakeAtlas::set_clock)), so a suite calling a deprecated
    /// version fails from the day Atlas would. `true` keeps a suite independent of the day it
    /// runs without pinning the clock (setting the clock before the sunsets is the other way).
    pub serve_past_sunset: bool,
}

impl Default for FakeConfig {
    fn default() -> Self {
        FakeConfig {
            port: 0,
            public_key: "fakepubk".to_owned(),
            private_key: "0b6f1c2e-5a4d-4e3b-9c8d-7f6e5d4c3b2a".to_owned(),
            client_id: "mdb_sa_id_6650f1c2d3e4f5a6b7c8d9e0".to_owned(),
            client_secret: "mdb_sa_sk_fake0secret0for0tests0only0000000000".to_owned(),
            nonce_lifetime: Duration::from_secs(300),
            token_expires_in: 3600,
            token_rate_limit_per_minute: 10,
            group_id: "32b6e34b3d91647abb20e7b8".to_owned(),
            group_name: "fake-atlas-demo".to_owned(),
            org_id: "4888442a3354817a7320eb61".to_owned(),
            org_name: "Fake Atlas Demo Org".to_owned(),
            team_id: "6a79404ec0eb9e7a1771aa1d".to_owned(),
            latency: Duration::ZERO,
            settle_time: Duration::from_secs(60),
            serve_past_sunset: false,
        }
    }
}

impl FakeConfig {
    /// The default configuration with credentials easy to grep for (`RECOGNISABLE` in each):
    /// record with them, then search a cassette, a log or an error for
    /// [`forbidden_in_cassettes`](FakeConfig::forbidden_in_cassettes).
    pub fn recognisable() -> FakeConfig {
        FakeConfig {
            public_key: "RECOGNISABLEPUBK".to_owned(),
            private_key: "RECOGNISABLE-PRIVATE-KEY-0j10".to_owned(),
            client_id: "mdb_sa_id_RECOGNISABLE0CLIENT0ID".to_owned(),
            client_secret: "mdb_sa_sk_RECOGNISABLE0CLIENT0SECRET0j10".to_owned(),
            ..FakeConfig::default()
        }
    }

    /// Every text a scrubbed cassette recorded with these credentials must not hold: the
    /// private key and client secret (also in base64), the Basic credentials of the token
    /// endpoint, a Digest `response=`, and the public key and client id (replaced by
    /// placeholders).
    pub fn forbidden_in_cassettes(&self) -> Vec<String> {
        let mut all = vec![self.private_key.clone(), self.client_secret.clone(), self.public_key.clone()];
        all.extend([self.client_id.clone(), "response=".to_owned()]);
        all.extend([&self.private_key, &self.client_secret].map(|s| STANDARD.encode(s)));
        // The Basic credentials exactly as the core sends them (the one encoding, shared).
        all.push(atlas_admin_core::oauth::basic_credentials(&self.client_id, &self.client_secret));
        all
    }
}
