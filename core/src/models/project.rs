//! Project invitation bodies: `GroupInvitation`, `GroupInvitationRequest`,
//! `GroupInvitationUpdateRequest`.

use super::{Link, ProjectRole, check_project_roles};
use crate::error::InvalidInput;
use crate::timestamp::Timestamp;
use crate::validate::{GroupId, InvitationId, check_email};
use serde::{Deserialize, Serialize};

/// A pending invitation to a project, as Atlas returns it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GroupInvitation {
    /// When the invitation was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When it expires (30 days after creation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    /// The project (as sent, even if not 24-hex).
    #[serde(default, deserialize_with = "super::lenient_id", skip_serializing_if = "Option::is_none")]
    pub group_id: Option<GroupId>,
    /// The project's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_name: Option<String>,
    /// The invitation's id (as sent, even if not 24-hex). Required when decoding: a body
    /// without it is not an invitation.
    #[serde(deserialize_with = "super::required_id", skip_serializing_if = "Option::is_none")]
    pub id: Option<InvitationId>,
    /// Who sent it: an e-mail, or an API key's public key when a key sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inviter_username: Option<String>,
    /// Links (absent in real responses).
    #[serde(default, deserialize_with = "super::null_as_empty", skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// Roles granted on acceptance.
    #[serde(default, deserialize_with = "super::null_as_empty")]
    pub roles: Vec<ProjectRole>,
    /// The invited user's e-mail. Required when decoding.
    #[serde(deserialize_with = "super::required_text", skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

/// Body of create (`createGroupInvite`) and update-by-username (`updateGroupInvites`):
/// the invited user's e-mail and the project roles.
///
/// ```
/// use atlas_admin_core::{GroupInvitationRequest, ProjectRole};
/// let body = GroupInvitationRequest::new("hello@example.com", [ProjectRole::GroupBackupManager]).unwrap();
/// assert_eq!(
///     serde_json::to_string(&body).unwrap(),
///     r#"{"roles":["GROUP_BACKUP_MANAGER"],"username":"hello@example.com"}"#
/// );
/// assert!(GroupInvitationRequest::new("not-an-email", [ProjectRole::GroupOwner]).is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawGroupInvitationRequest")]
pub struct GroupInvitationRequest {
    roles: Vec<ProjectRole>,
    username: String,
}

impl GroupInvitationRequest {
    /// Validates the e-mail and the roles (non-empty, unique, `GROUP_…`).
    pub fn new(
        username: impl Into<String>,
        roles: impl IntoIterator<Item = ProjectRole>,
    ) -> Result<Self, InvalidInput> {
        let username = username.into();
        check_email("username", &username)?;
        let roles: Vec<ProjectRole> = roles.into_iter().collect();
        check_project_roles("roles", &roles)?;
        Ok(GroupInvitationRequest { roles, username })
    }

    /// The invited user's e-mail.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The roles.
    pub fn roles(&self) -> &[ProjectRole] {
        &self.roles
    }
}

/// Body of update-by-id (`updateInviteById`): the new roles only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawGroupInvitationUpdateRequest")]
pub struct GroupInvitationUpdateRequest {
    roles: Vec<ProjectRole>,
}

impl GroupInvitationUpdateRequest {
    /// Validates the roles (non-empty, unique, `GROUP_…`).
    pub fn new(roles: impl IntoIterator<Item = ProjectRole>) -> Result<Self, InvalidInput> {
        let roles: Vec<ProjectRole> = roles.into_iter().collect();
        check_project_roles("roles", &roles)?;
        Ok(GroupInvitationUpdateRequest { roles })
    }

    /// The roles.
    pub fn roles(&self) -> &[ProjectRole] {
        &self.roles
    }
}

/// The wire shape, before validation (deserializing a request body validates it).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroupInvitationRequest {
    #[serde(default)]
    roles: Vec<ProjectRole>,
    username: String,
}

impl TryFrom<RawGroupInvitationRequest> for GroupInvitationRequest {
    type Error = InvalidInput;
    fn try_from(raw: RawGroupInvitationRequest) -> Result<Self, InvalidInput> {
        GroupInvitationRequest::new(raw.username, raw.roles)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroupInvitationUpdateRequest {
    #[serde(default)]
    roles: Vec<ProjectRole>,
}

impl TryFrom<RawGroupInvitationUpdateRequest> for GroupInvitationUpdateRequest {
    type Error = InvalidInput;
    fn try_from(raw: RawGroupInvitationUpdateRequest) -> Result<Self, InvalidInput> {
        GroupInvitationUpdateRequest::new(raw.roles)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_lists_in_responses_decode_as_empty() {
        let inv: GroupInvitation = serde_json::from_str(
            r#"{"id":"6a7900ff11bb22cc33dd44ef","roles":null,"links":null,"username":"a@example.com"}"#,
        )
        .unwrap();
        assert!(inv.roles.is_empty() && inv.links.is_empty());
    }

    #[test]
    fn request_bodies_deserialize_with_validation() {
        let ok: GroupInvitationRequest =
            serde_json::from_str(r#"{"roles":["GROUP_BACKUP_MANAGER"],"username":"hello@example.com"}"#).unwrap();
        assert_eq!(ok.roles(), [ProjectRole::GroupBackupManager]);
        for (bad, needle) in [
            (r#"{"roles":[],"username":"hello@example.com"}"#, "roles"),
            (r#"{"roles":["GROUP_OWNER"],"username":"nope"}"#, "username"),
            (r#"{"roles":["ORG_OWNER"],"username":"a@example.com"}"#, "roles[0]"),
            (r#"{"roles":["GROUP_OWNER"]}"#, "username"),
            (r#"{"roles":["GROUP_OWNER"],"username":"a@example.com","extra":1}"#, "extra"),
        ] {
            let e = serde_json::from_str::<GroupInvitationRequest>(bad).unwrap_err().to_string();
            assert!(e.contains(needle), "{bad}: {e}");
        }
        let upd: GroupInvitationUpdateRequest = serde_json::from_str(r#"{"roles":["GROUP_OWNER"]}"#).unwrap();
        assert_eq!(upd.roles(), [ProjectRole::GroupOwner]);
        assert!(
            serde_json::from_str::<GroupInvitationUpdateRequest>(r#"{"roles":["GROUP_OWNER","GROUP_OWNER"]}"#).is_err()
        );
    }
}
