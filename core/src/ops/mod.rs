//! The 12 invitation operations, one type each, named after the spec's operationIds.
//!
//! | type | method and path |
//! |---|---|
//! | [`ListGroupInvites`] | `GET /api/atlas/v2/groups/{groupId}/invites` |
//! | [`CreateGroupInvite`] | `POST /api/atlas/v2/groups/{groupId}/invites` |
//! | [`UpdateGroupInvites`] | `PATCH /api/atlas/v2/groups/{groupId}/invites` (by username) |
//! | [`GetGroupInvite`] | `GET /api/atlas/v2/groups/{groupId}/invites/{invitationId}` |
//! | [`UpdateGroupInviteById`] | `PATCH /api/atlas/v2/groups/{groupId}/invites/{invitationId}` |
//! | [`DeleteGroupInvite`] | `DELETE /api/atlas/v2/groups/{groupId}/invites/{invitationId}` |
//! | [`ListOrgInvites`] | `GET /api/atlas/v2/orgs/{orgId}/invites` |
//! | [`CreateOrgInvite`] | `POST /api/atlas/v2/orgs/{orgId}/invites` |
//! | [`UpdateOrgInvites`] | `PATCH /api/atlas/v2/orgs/{orgId}/invites` (by username) |
//! | [`GetOrgInvite`] | `GET /api/atlas/v2/orgs/{orgId}/invites/{invitationId}` |
//! | [`UpdateOrgInviteById`] | `PATCH /api/atlas/v2/orgs/{orgId}/invites/{invitationId}` |
//! | [`DeleteOrgInvite`] | `DELETE /api/atlas/v2/orgs/{orgId}/invites/{invitationId}` |

mod org;
mod project;

pub use org::{CreateOrgInvite, DeleteOrgInvite, GetOrgInvite, ListOrgInvites, UpdateOrgInviteById, UpdateOrgInvites};
pub use project::{
    CreateGroupInvite, DeleteGroupInvite, GetGroupInvite, ListGroupInvites, UpdateGroupInviteById, UpdateGroupInvites,
};

/// Serializes a request body.
fn json_body<T: serde::Serialize>(body: &T) -> Result<Option<Vec<u8>>, serde_json::Error> {
    serde_json::to_vec(body).map(Some)
}
