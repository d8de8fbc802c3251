//! What test doubles and replay clients need from the core besides the traits: the request an
//! operation sends, built without a session.

use crate::config::Config;
use crate::error::Error;
use crate::operation::{Operation, prepare};

/// The request `op` sends under `config`, before authentication: method, URI (base URL, path,
/// query), `Accept` (the API version), `User-Agent`, and the JSON body. What a test double
/// records and a replay client matches; the same checks as a real call (a `pretty` flag on an
/// operation that takes none is refused).
///
/// ```
/// use atlas_admin_core::{Config, unsigned_request};
/// use atlas_admin_core::ops::DeleteGroupInvite;
/// let op = DeleteGroupInvite::new("32b6e34b3d91647abb20e7b8", "5f8d0a1b2c3d4e5f6a7b8c9d")?;
/// let req = unsigned_request(&Config::default(), &op)?;
/// assert_eq!(req.method(), "DELETE");
/// assert_eq!(req.uri().path(), "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/invites/5f8d0a1b2c3d4e5f6a7b8c9d");
/// assert!(req.headers().get("authorization").is_none());
/// # Ok::<(), atlas_admin_core::Error>(())
/// ```
pub fn unsigned_request<O: Operation>(config: &Config, op: &O) -> Result<http::Request<Vec<u8>>, Error> {
    prepare(config, None, op)?.to_request(None)
}
