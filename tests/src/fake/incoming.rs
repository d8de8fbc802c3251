//! [`Request`]: one API request as the behaviours see it (a module of its own, below the
//! behaviours and the store, so that none of them imports another to read it).

use super::config::FakeConfig;
use std::time::SystemTime;

/// Everything one API request hands to the store.
pub(crate) struct Request<'a> {
    pub(crate) config: &'a FakeConfig,
    /// `inviterUsername` of what it creates: the API public key or the client id.
    pub(crate) principal: &'a str,
    pub(crate) now: SystemTime,
    /// Decoded query parameters.
    pub(crate) query: &'a [(String, String)],
    /// The request path (no query), for pagination links.
    pub(crate) path: &'a str,
    /// The negotiated API version.
    pub(crate) version: atlas_admin_core::ApiVersion,
    pub(crate) body: &'a [u8],
    /// The endpoint routed to.
    pub(crate) endpoint: &'static atlas_admin_core::Endpoint,
    /// Whether the client asked for the download's bytes (`+gzip`, `+csv`) rather than JSON.
    pub(crate) bytes: bool,
}
