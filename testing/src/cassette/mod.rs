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
//! [`Recorder`] records (wrapping any send function), scrubs and refuses to save a secret;
//! [`Player`] replays through the core's driver as an [`Execute`](atlas_admin_core::Execute);
//! [`CassetteClient::open`] picks one of them by [`Mode`] (`replay` under `CI`, else `once`).

mod format;
mod mode;
mod player;
mod recorder;
mod recording;
mod scrub;

pub use format::{
    Auth, Body, Cassette, FormatError, Interaction, RecordedError, RecordedRequest, RecordedResponse, VERSION,
};
pub use mode::{CassetteClient, Mode};
pub use player::{Miss, Player};
pub use recorder::{Recorder, SaveError, loopback_send};
pub use recording::Recording;
pub use scrub::{Secrets, kept_header};
