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
    /// The project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<GroupId>,
    /// The project's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_name: Option<String>,
    /// The invitation's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<InvitationId>,
    /// Who sent it: an e-mail, or an API key's public key when a key sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inviter_username: Option<String>,
    /// Links (absent in real responses).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// Roles granted on acceptance.
    #[serde(default)]
    pub roles: Vec<ProjectRole>,
    /// The invited user's e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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
