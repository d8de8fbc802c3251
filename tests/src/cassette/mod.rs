//! Cassettes: HTTP exchanges recorded once (against the fake or live Atlas) and replayed with no
//! network, so code written against a client is tested on real answers.
//!
//! The format is pretty-printed JSON: readable, reviewable in a diff, and written with
//! `serde_json` (already a dependency; its maps are sorted, so a re-recording changes only the
//! lines that changed). JSON bodies are embedded as JSON values, not escaped strings, and a
//! `version` field lets a later format migrate old files. A short sample:
//!
//! ```json
//! {
//!   "auth": "api_key",
//!   "interactions": [
//!     {
//!       "operation": "listGroupInvites",
//!       "purpose": { "attempt": 1, "kind": "digest_probe" },
//!       "request": { "api_version": "2023-01-01", "method": "GET",
//!                    "path": "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/invites", "query": [] },
//!       "response": { "headers": { "www-authenticate": "Digest realm=\"MMS Public API\", nonce=\"...\"" },
//!                     "status": 401 },
//!       "waits_before_ms": []
//!     }
//!   ],
//!   "version": 1
//! }
//! ```
//!
//! An exchange that failed in transport holds `"error": {"kind": "io", "message": "..."}`
//! instead of `"response"` (kinds: `connect`, `timeout`, `io`, `body_too_large`,
//! `headers_too_large`, `refused`, `no_runtime`, `other`) and replays as a
//! [`TransportError`](atlas_admin_core::TransportError) of that kind, so the core's retry
//! decision replays too. Files without failures read as before (still `version` 1).
//!
//! [`Recorder`] records (wrapping any send function), scrubs (the client's own credentials by
//! value, the value of every [`SECRET_FIELDS`] key in a JSON body, such as a database user's
//! `password` or a new API key's `privateKey`, by [`REDACTED`]) and refuses to save a secret;
//! [`Recording`] is a recording client, blocking ([`Execute`](atlas_admin_core::Execute)) over
//! a blocking send function such as `atlas_admin_ureq::Client::send`, or async
//! ([`ExecuteAsync`](atlas_admin_core::ExecuteAsync)) over one returning a future such as
//! `atlas_admin_hyper::Client::send`; [`Player`] replays through the core's driver as both;
//! [`CassetteClient::open`] picks one of them by [`Mode`] (`replay` under `CI`, else `once`;
//! also `record` and `new-episodes`).
//! [`fake::drift::check`](crate::fake::drift::check) replays a cassette against the fake and
//! reports where the fake answers differently (status, JSON fields, kept headers).

mod format;
mod mode;
mod player;
mod recorder;
mod recording;
mod scrub;

pub use format::{
    Auth, Body, Cassette, FormatError, Interaction, RecordedError, RecordedRequest, RecordedResponse, VERSION,
};
pub use mode::{CassetteClient, Mode, ModeError};
pub use player::{Miss, Player};
pub use recorder::{Recorder, SaveError, loopback_send};
pub use recording::Recording;
pub use scrub::{REDACTED, SECRET_FIELDS, Secrets, kept_header};
