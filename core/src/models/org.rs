//! Organization invitation bodies: `OrganizationInvitation` and its request shapes.

use super::{Link, OrgRole, ProjectRole, check_org_roles, check_project_roles, check_unique};
use crate::error::InvalidInput;
use crate::timestamp::Timestamp;
use crate::validate::{GroupId, IntoId, InvitationId, OrgId, TeamId, check_email};
use serde::{Deserialize, Serialize};

/// A pending invitation to an organization, as Atlas returns it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OrganizationInvitation {
    /// When the invitation was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When it expires (30 days after creation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    /// Projects the user joins on acceptance, one entry per (project, role).
    #[serde(default, deserialize_with = "super::null_as_empty")]
    pub group_role_assignments: Vec<GroupRole>,
    /// The invitation's id (as sent, even if not 24-hex). Required when decoding: a body
    /// without it is not an invitation.
    #[serde(deserialize_with = "super::required_id", skip_serializing_if = "Option::is_none")]
    pub id: Option<InvitationId>,
    /// Who sent it: an e-mail, or an API key's public key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inviter_username: Option<String>,
    /// Links (absent in real responses).
    #[serde(default, deserialize_with = "super::null_as_empty", skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// The organization (as sent, even if not 24-hex).
    #[serde(default, deserialize_with = "super::lenient_id", skip_serializing_if = "Option::is_none")]
    pub org_id: Option<OrgId>,
    /// The organization's name (the spec's only required field; kept optional on decode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_name: Option<String>,
    /// Organization roles granted on acceptance.
    #[serde(default, deserialize_with = "super::null_as_empty")]
    pub roles: Vec<OrgRole>,
    /// Teams the user joins on acceptance.
    #[serde(default, deserialize_with = "super::null_as_empty")]
    pub team_ids: Vec<String>,
    /// The invited user's e-mail. Required when decoding.
    #[serde(deserialize_with = "super::required_text", skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

/// One project role granted by an organization invitation (response shape: one role each).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GroupRole {
    /// The project (as sent, even if not 24-hex).
    #[serde(default, deserialize_with = "super::lenient_id", skip_serializing_if = "Option::is_none")]
    pub group_id: Option<GroupId>,
    /// The role in that project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_role: Option<ProjectRole>,
}

impl GroupRole {
    /// `role` in project `group_id` (for test doubles; a decoded one keeps any id as sent).
    pub fn new(group_id: GroupId, role: ProjectRole) -> Self {
        GroupRole { group_id: Some(group_id), group_role: Some(role) }
    }
}

/// Projects to add the user to on acceptance (request shape: several roles per project).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", try_from = "RawGroupRoleAssignment")]
pub struct GroupRoleAssignment {
    group_id: GroupId,
    roles: Vec<ProjectRole>,
}

impl GroupRoleAssignment {
    /// Validates the roles (non-empty, unique, `GROUP_…`).
    pub fn new(group_id: GroupId, roles: impl IntoIterator<Item = ProjectRole>) -> Result<Self, InvalidInput> {
        let group_id = group_id.into_id()?; // checked again: it may come from a response
        let roles: Vec<ProjectRole> = roles.into_iter().collect();
        check_project_roles("groupRoleAssignments.roles", &roles)?;
        Ok(GroupRoleAssignment { group_id, roles })
    }

    /// The project.
    pub fn group_id(&self) -> &GroupId {
        &self.group_id
    }

    /// The roles in that project.
    pub fn roles(&self) -> &[ProjectRole] {
        &self.roles
    }
}

/// The fields shared by the org create/update request bodies, validated together.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
struct OrgGrant {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    group_role_assignments: Vec<GroupRoleAssignment>,
    roles: Vec<OrgRole>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    team_ids: Vec<TeamId>,
}

impl OrgGrant {
    fn new(roles: impl IntoIterator<Item = OrgRole>) -> Result<Self, InvalidInput> {
        let roles: Vec<OrgRole> = roles.into_iter().collect();
        check_org_roles("roles", &roles)?;
        Ok(OrgGrant { group_role_assignments: Vec::new(), roles, team_ids: Vec::new() })
    }

    fn set_team_ids(&mut self, team_ids: impl IntoIterator<Item = TeamId>) -> Result<(), InvalidInput> {
        // Checked again: an id may come from a response, where it is decoded as sent.
        let team_ids = team_ids.into_iter().map(IntoId::into_id).collect::<Result<Vec<TeamId>, _>>()?;
        check_unique("teamIds", &team_ids, TeamId::as_str, |t| t.to_string())?;
        self.team_ids = team_ids;
        Ok(())
    }

    fn set_assignments(
        &mut self,
        assignments: impl IntoIterator<Item = GroupRoleAssignment>,
    ) -> Result<(), InvalidInput> {
        let assignments: Vec<GroupRoleAssignment> = assignments.into_iter().collect();
        check_unique("groupRoleAssignments", &assignments, |a| a.group_id.as_str(), |a| a.group_id.to_string())?;
        self.group_role_assignments = assignments;
        Ok(())
    }
}

/// Body of create (`createOrgInvite`) and update-by-username (`updateOrgInvites`).
///
/// ```
/// use atlas_admin_core::{GroupId, GroupRoleAssignment, OrgRole, OrganizationInvitationRequest, ProjectRole};
/// let project = GroupId::new("32b6e34b3d91647abb20e7b8").unwrap();
/// let body = OrganizationInvitationRequest::new("hello@example.com", [OrgRole::OrgMember])
///     .unwrap()
///     .with_group_role_assignments([GroupRoleAssignment::new(project, [ProjectRole::GroupReadOnly]).unwrap()])
///     .unwrap();
/// assert_eq!(
///     serde_json::to_string(&body).unwrap(),
///     r#"{"groupRoleAssignments":[{"groupId":"32b6e34b3d91647abb20e7b8","roles":["GROUP_READ_ONLY"]}],"roles":["ORG_MEMBER"],"username":"hello@example.com"}"#
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawOrgRequest")]
pub struct OrganizationInvitationRequest {
    #[serde(flatten)]
    grant: OrgGrant,
    username: String,
}

impl OrganizationInvitationRequest {
    /// Validates the e-mail and the org roles (non-empty, unique, one of the 7 `ORG_…`).
    pub fn new(username: impl Into<String>, roles: impl IntoIterator<Item = OrgRole>) -> Result<Self, InvalidInput> {
        let username = username.into();
        check_email("username", &username)?;
        Ok(OrganizationInvitationRequest { grant: OrgGrant::new(roles)?, username })
    }

    /// Teams to join on acceptance (unique).
    pub fn with_team_ids(mut self, team_ids: impl IntoIterator<Item = TeamId>) -> Result<Self, InvalidInput> {
        self.grant.set_team_ids(team_ids)?;
        Ok(self)
    }

    /// Projects to join on acceptance (one entry per project).
    pub fn with_group_role_assignments(
        mut self,
        assignments: impl IntoIterator<Item = GroupRoleAssignment>,
    ) -> Result<Self, InvalidInput> {
        self.grant.set_assignments(assignments)?;
        Ok(self)
    }

    /// The invited user's e-mail.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The org roles.
    pub fn roles(&self) -> &[OrgRole] {
        &self.grant.roles
    }
}

/// Body of update-by-id (`updateOrgInviteById`): roles, teams and projects, no username.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawOrgRequest")]
pub struct OrganizationInvitationUpdateRequest {
    #[serde(flatten)]
    grant: OrgGrant,
}

impl OrganizationInvitationUpdateRequest {
    /// Validates the org roles (non-empty, unique, one of the 7 `ORG_…`).
    pub fn new(roles: impl IntoIterator<Item = OrgRole>) -> Result<Self, InvalidInput> {
        Ok(OrganizationInvitationUpdateRequest { grant: OrgGrant::new(roles)? })
    }

    /// Teams to join on acceptance (unique).
    pub fn with_team_ids(mut self, team_ids: impl IntoIterator<Item = TeamId>) -> Result<Self, InvalidInput> {
        self.grant.set_team_ids(team_ids)?;
        Ok(self)
    }

    /// Projects to join on acceptance (one entry per project).
    pub fn with_group_role_assignments(
        mut self,
        assignments: impl IntoIterator<Item = GroupRoleAssignment>,
    ) -> Result<Self, InvalidInput> {
        self.grant.set_assignments(assignments)?;
        Ok(self)
    }

    /// The org roles.
    pub fn roles(&self) -> &[OrgRole] {
        &self.grant.roles
    }
}

/// The wire shape of a group role assignment, before validation.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawGroupRoleAssignment {
    group_id: GroupId,
    #[serde(default)]
    roles: Vec<ProjectRole>,
}

impl TryFrom<RawGroupRoleAssignment> for GroupRoleAssignment {
    type Error = InvalidInput;
    fn try_from(raw: RawGroupRoleAssignment) -> Result<Self, InvalidInput> {
        GroupRoleAssignment::new(raw.group_id, raw.roles)
    }
}

/// The wire shape of both org request bodies, before validation.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawOrgRequest {
    #[serde(default)]
    group_role_assignments: Vec<GroupRoleAssignment>,
    #[serde(default)]
    roles: Vec<OrgRole>,
    #[serde(default)]
    team_ids: Vec<TeamId>,
    username: Option<String>,
}

impl RawOrgRequest {
    fn grant(self) -> Result<(OrgGrant, Option<String>), InvalidInput> {
        let mut grant = OrgGrant::new(self.roles)?;
        grant.set_team_ids(self.team_ids)?;
        grant.set_assignments(self.group_role_assignments)?;
        Ok((grant, self.username))
    }
}

impl TryFrom<RawOrgRequest> for OrganizationInvitationRequest {
    type Error = InvalidInput;
    fn try_from(raw: RawOrgRequest) -> Result<Self, InvalidInput> {
        let (grant, username) = raw.grant()?;
        let username = username.ok_or_else(|| InvalidInput::new("username", "is required"))?;
        check_email("username", &username)?;
        Ok(OrganizationInvitationRequest { grant, username })
    }
}

impl TryFrom<RawOrgRequest> for OrganizationInvitationUpdateRequest {
    type Error = InvalidInput;
    fn try_from(raw: RawOrgRequest) -> Result<Self, InvalidInput> {
        let (grant, username) = raw.grant()?;
        if username.is_some() {
            return Err(InvalidInput::new(
                "username",
                "is not part of an update by id (the invitation is chosen by id)",
            ));
        }
        Ok(OrganizationInvitationUpdateRequest { grant })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_bodies_deserialize_with_validation_and_round_trip() {
        let json = r#"{"groupRoleAssignments":[{"groupId":"32b6e34b3d91647abb20e7b8","roles":["GROUP_READ_ONLY"]}],"roles":["ORG_MEMBER"],"teamIds":["6a7900aa11bb22cc33dd4500"],"username":"a@example.com"}"#;
        let body: OrganizationInvitationRequest = serde_json::from_str(json).unwrap();
        assert_eq!(serde_json::to_string(&body).unwrap(), json);
        let upd: OrganizationInvitationUpdateRequest = serde_json::from_str(r#"{"roles":["ORG_READ_ONLY"]}"#).unwrap();
        assert_eq!(upd.roles(), [OrgRole::OrgReadOnly]);
        for (bad, needle) in [
            (r#"{"roles":["ORG_EMPEROR"],"username":"a@example.com"}"#, "roles[0]"),
            (r#"{"roles":["ORG_MEMBER"],"teamIds":["x"],"username":"a@example.com"}"#, "teamIds"),
            (
                r#"{"roles":["ORG_MEMBER"],"teamIds":["6a7900aa11bb22cc33dd4500","6a7900aa11bb22cc33dd4500"],"username":"a@example.com"}"#,
                "teamIds[1]",
            ),
            (
                r#"{"roles":["ORG_MEMBER"],"groupRoleAssignments":[{"groupId":"32b6e34b3d91647abb20e7b8","roles":[]}],"username":"a@example.com"}"#,
                "groupRoleAssignments.roles",
            ),
            (r#"{"roles":["ORG_MEMBER"]}"#, "username"),
        ] {
            let e = serde_json::from_str::<OrganizationInvitationRequest>(bad).unwrap_err().to_string();
            assert!(e.contains(needle), "{bad}: {e}");
        }
        let e = serde_json::from_str::<OrganizationInvitationUpdateRequest>(
            r#"{"roles":["ORG_MEMBER"],"username":"a@example.com"}"#,
        );
        assert!(e.unwrap_err().to_string().contains("username"));
    }
}
