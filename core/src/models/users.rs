//! Cloud Users API bodies (API version `2025-02-19`): org and project users, polymorphic on
//! `orgMembershipStatus`, and the request bodies of create, update and the custom methods
//! (`:addRole`, `:removeRole`, `:addUser`, `:removeUser`).
//!
//! Responses decode leniently: every field optional, `null` lists and objects as empty,
//! unknown statuses and roles kept verbatim, ids outside the pattern kept as text. Requests are
//! built only through validating constructors.

use super::{OrgRole, ProjectRole, check_org_roles, check_project_roles, check_unique, null_as_empty};
use crate::error::InvalidInput;
use crate::timestamp::Timestamp;
use crate::validate::{GroupId, IntoId, TeamId, UserId, check_email};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A user's membership status in the organization (`orgMembershipStatus`). Open: a status
/// this client does not know decodes as [`OrgMembershipStatus::Other`], never as an error.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OrgMembershipStatus {
    /// Invited, not yet accepted.
    Pending,
    /// A member.
    Active,
    /// The invitation expired (30 days) without being accepted.
    InvitationExpired,
    /// The invitation was declined.
    InvitationRejected,
    /// A status this version of the client does not know, kept verbatim.
    Other(String),
}

impl OrgMembershipStatus {
    /// The four statuses of the spec, in spec order.
    pub const KNOWN: &'static [OrgMembershipStatus] = &[
        OrgMembershipStatus::Pending,
        OrgMembershipStatus::Active,
        OrgMembershipStatus::InvitationExpired,
        OrgMembershipStatus::InvitationRejected,
    ];

    /// The status as Atlas spells it.
    pub fn as_str(&self) -> &str {
        match self {
            OrgMembershipStatus::Pending => "PENDING",
            OrgMembershipStatus::Active => "ACTIVE",
            OrgMembershipStatus::InvitationExpired => "INVITATION_EXPIRED",
            OrgMembershipStatus::InvitationRejected => "INVITATION_REJECTED",
            OrgMembershipStatus::Other(s) => s,
        }
    }

    /// Reads a status; unknown text becomes `Other`.
    pub fn parse(text: &str) -> Self {
        Self::KNOWN.iter().find(|k| k.as_str() == text).cloned().unwrap_or_else(|| Self::Other(text.to_owned()))
    }

    /// Whether the user holds an invitation rather than a membership (the spec's "pending"
    /// schema: PENDING, INVITATION_EXPIRED, INVITATION_REJECTED).
    pub fn is_invitation(&self) -> bool {
        matches!(
            self,
            OrgMembershipStatus::Pending
                | OrgMembershipStatus::InvitationExpired
                | OrgMembershipStatus::InvitationRejected
        )
    }

    /// Validates a status to send as a filter: one of the four known ones.
    pub fn checked(text: &str) -> Result<Self, InvalidInput> {
        match Self::parse(text) {
            OrgMembershipStatus::Other(_) => Err(InvalidInput::with_value(
                "orgMembershipStatuses",
                "must be PENDING, ACTIVE, INVITATION_EXPIRED or INVITATION_REJECTED",
                text,
            )),
            known => Ok(known),
        }
    }
}

impl fmt::Display for OrgMembershipStatus {
    /// The text; an unknown status from a server has its control characters escaped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::sanitize::Sanitized(self.as_str()).fmt(f)
    }
}

impl Serialize for OrgMembershipStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for OrgMembershipStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        Ok(OrgMembershipStatus::parse(&text))
    }
}

/// Invitation details of a user whose status is PENDING, INVITATION_EXPIRED or
/// INVITATION_REJECTED (`Org/GroupPendingUserResponse`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Invitation {
    /// When the invitation was sent.
    pub invitation_created_at: Option<Timestamp>,
    /// When it expires (`null` while it never does).
    pub invitation_expires_at: Option<Timestamp>,
    /// Who sent it: an e-mail, or an API key's public key.
    pub inviter_username: Option<String>,
}

/// Profile of an ACTIVE user (`Org/GroupActiveUserResponse`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Profile {
    /// Two-letter country code.
    pub country: Option<String>,
    /// When the account was created.
    pub created_at: Option<Timestamp>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Last authentication.
    pub last_auth: Option<Timestamp>,
    /// Mobile number (often `null`).
    pub mobile_number: Option<String>,
}

/// The part of a user that depends on its `orgMembershipStatus`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Membership {
    /// PENDING, INVITATION_EXPIRED or INVITATION_REJECTED.
    Invited(Invitation),
    /// ACTIVE.
    Active(Profile),
    /// A status this client does not know (or none): both sets of fields, as sent.
    Unknown(Invitation, Profile),
}

/// One MongoDB Cloud user, polymorphic on `orgMembershipStatus`: the fields every status has,
/// and [`Membership`] for the rest. `R` is the shape of `roles`: [`OrgUserRoles`] (an object)
/// for org and team users, a list of [`ProjectRole`] for project users.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CloudUser<R> {
    /// The user id as sent (kept even outside the 24-hex pattern; see [`Self::user_id`]).
    pub id: Option<String>,
    /// The user's e-mail.
    pub username: Option<String>,
    /// Membership status; `Other` for a status this client does not know.
    pub status: OrgMembershipStatus,
    /// Roles.
    pub roles: R,
    /// Teams (org users only; empty for project users).
    pub team_ids: Vec<String>,
    /// Status-specific fields.
    pub membership: Membership,
}

/// An org (or team) user: `OrgUserResponse`.
pub type OrgUser = CloudUser<OrgUserRoles>;
/// A project user: `GroupUserResponse`.
pub type GroupUser = CloudUser<Vec<ProjectRole>>;

impl<R> CloudUser<R> {
    /// The id as a [`UserId`] for the next call; `None` if absent or outside the pattern.
    pub fn user_id(&self) -> Option<UserId> {
        self.id.as_deref().and_then(|id| UserId::new(id).ok())
    }

    /// Invitation details, if the status is an invitation one.
    pub fn invitation(&self) -> Option<&Invitation> {
        match &self.membership {
            Membership::Invited(i) | Membership::Unknown(i, _) => Some(i),
            Membership::Active(_) => None,
        }
    }

    /// Profile, if the user is ACTIVE (or of an unknown status).
    pub fn profile(&self) -> Option<&Profile> {
        match &self.membership {
            Membership::Active(p) | Membership::Unknown(_, p) => Some(p),
            Membership::Invited(_) => None,
        }
    }
}

/// An empty PENDING user: no id, no username, default roles (for test doubles).
impl<R: Default> Default for CloudUser<R> {
    fn default() -> Self {
        CloudUser {
            id: None,
            username: None,
            status: OrgMembershipStatus::Pending,
            roles: R::default(),
            team_ids: Vec::new(),
            membership: Membership::Invited(Invitation::default()),
        }
    }
}

/// Builders for test doubles. A user decoded from Atlas needs none of them.
///
/// ```
/// use atlas_admin_core::{GroupUser, OrgMembershipStatus, OrgUser, ProjectRole};
/// let user = GroupUser::active("ada@example.com")
///     .with_id("5f8d0a1b2c3d4e5f6a7b8c9d")
///     .with_roles(vec![ProjectRole::GroupReadOnly]);
/// assert_eq!(user.status, OrgMembershipStatus::Active);
/// assert!(user.profile().is_some() && user.user_id().is_some());
/// let pending = OrgUser::pending("bob@example.com");
/// assert!(pending.invitation().is_some());
/// ```
impl<R: Default> CloudUser<R> {
    /// A PENDING user (an open invitation) with this e-mail.
    pub fn pending(username: impl Into<String>) -> Self {
        CloudUser { username: Some(username.into()), ..CloudUser::default() }
    }

    /// An ACTIVE user with this e-mail and an empty profile.
    pub fn active(username: impl Into<String>) -> Self {
        CloudUser::pending(username).with_profile(Profile::default())
    }
}

impl<R> CloudUser<R> {
    /// Sets the id (kept as given, like a decoded one).
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Sets the roles.
    pub fn with_roles(mut self, roles: R) -> Self {
        self.roles = roles;
        self
    }

    /// Sets the teams.
    pub fn with_team_ids<S: Into<String>>(mut self, team_ids: impl IntoIterator<Item = S>) -> Self {
        self.team_ids = team_ids.into_iter().map(Into::into).collect();
        self
    }

    /// Makes the user PENDING with these invitation details.
    pub fn with_invitation(mut self, invitation: Invitation) -> Self {
        self.status = OrgMembershipStatus::Pending;
        self.membership = Membership::Invited(invitation);
        self
    }

    /// Makes the user ACTIVE with this profile.
    pub fn with_profile(mut self, profile: Profile) -> Self {
        self.status = OrgMembershipStatus::Active;
        self.membership = Membership::Active(profile);
        self
    }

    /// Sets the status as given (e.g. `INVITATION_EXPIRED`), keeping the status-specific fields.
    pub fn with_status(mut self, status: OrgMembershipStatus) -> Self {
        self.status = status;
        self
    }
}

/// Org-level roles of an org user (`OrgUserRolesResponse`): an object, not a list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OrgUserRoles {
    /// Organization roles.
    pub org_roles: Vec<OrgRole>,
    /// Project roles, per project.
    pub group_role_assignments: Vec<GroupRoles>,
}

/// One project's roles within [`OrgUserRoles`] (response shape).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GroupRoles {
    /// The project id as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    /// Roles in that project.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub group_roles: Vec<ProjectRole>,
}

/// The 2023-01-01 shape of a role (`CloudAccessRoleAssignment`), read when a list endpoint
/// is called with that version explicitly.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LegacyRole {
    #[serde(default)]
    group_id: Option<String>,
    #[serde(default)]
    org_id: Option<String>,
    #[serde(default)]
    role_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OrgRolesWire {
    Object {
        #[serde(default, rename = "orgRoles", deserialize_with = "null_as_empty")]
        org_roles: Vec<OrgRole>,
        #[serde(default, rename = "groupRoleAssignments", deserialize_with = "null_as_empty")]
        group_role_assignments: Vec<GroupRoles>,
    },
    Legacy(Vec<LegacyRole>),
    Missing,
}

impl<'de> Deserialize<'de> for OrgUserRoles {
    /// An object (2025-02-19), `null`, or the 2023-01-01 list of `{groupId|orgId, roleName}`,
    /// folded into the object shape.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match OrgRolesWire::deserialize(d)? {
            OrgRolesWire::Object { org_roles, group_role_assignments } => {
                OrgUserRoles { org_roles, group_role_assignments }
            }
            OrgRolesWire::Missing => OrgUserRoles::default(),
            OrgRolesWire::Legacy(list) => {
                let mut roles = OrgUserRoles::default();
                // Assignment index by group id: linear in what the server sends.
                let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
                for r in list {
                    let Some(name) = r.role_name else { continue };
                    match r.group_id {
                        Some(group) => match index.get(&group).and_then(|&i| roles.group_role_assignments.get_mut(i)) {
                            Some(g) => g.group_roles.push(ProjectRole::parse(&name)),
                            None => {
                                index.insert(group.clone(), roles.group_role_assignments.len());
                                roles.group_role_assignments.push(GroupRoles {
                                    group_id: Some(group),
                                    group_roles: vec![ProjectRole::parse(&name)],
                                });
                            }
                        },
                        None if r.org_id.is_some() || name.starts_with("ORG_") => {
                            roles.org_roles.push(OrgRole::parse(&name))
                        }
                        None => {}
                    }
                }
                roles
            }
        })
    }
}

/// Project roles as a list (2025-02-19), `null`, or the 2023-01-01 list of objects (their
/// `roleName`s that belong to a project).
fn project_roles<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<ProjectRole>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Wire {
        Names(Vec<ProjectRole>),
        Legacy(Vec<LegacyRole>),
        Missing,
    }
    Ok(match Wire::deserialize(d)? {
        Wire::Names(names) => names,
        Wire::Legacy(list) => list
            .into_iter()
            .filter(|r| r.group_id.is_some())
            .filter_map(|r| r.role_name)
            .map(|n| ProjectRole::parse(&n))
            .collect(),
        Wire::Missing => Vec::new(),
    })
}

/// The wire shape of both user kinds, every field optional.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawUser<R> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    org_membership_status: Option<OrgMembershipStatus>,
    roles: R,
    #[serde(default, deserialize_with = "null_as_empty", skip_serializing_if = "Vec::is_empty")]
    team_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    invitation_created_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    invitation_expires_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    inviter_username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    created_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_auth: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mobile_number: Option<String>,
}

/// `roles` of a user: org shape or project shape, each with its lenient reader.
trait RolesShape: Sized + Serialize {
    fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error>;
}

impl RolesShape for OrgUserRoles {
    fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        OrgUserRoles::deserialize(d)
    }
}

impl RolesShape for Vec<ProjectRole> {
    fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        project_roles(d)
    }
}

impl<'de, R: RolesShape + Default> Deserialize<'de> for CloudUser<R> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawUser::<Option<serde_json::Value>>::deserialize(d)?;
        let roles = match raw.roles {
            // Lenient: roles of an unexpected shape (a scalar, say) are no roles, not a page
            // that fails to decode.
            Some(value) => R::read(value).unwrap_or_default(),
            None => R::default(),
        };
        let invitation = Invitation {
            invitation_created_at: raw.invitation_created_at,
            invitation_expires_at: raw.invitation_expires_at,
            inviter_username: raw.inviter_username,
        };
        let profile = Profile {
            country: raw.country,
            created_at: raw.created_at,
            first_name: raw.first_name,
            last_name: raw.last_name,
            last_auth: raw.last_auth,
            mobile_number: raw.mobile_number,
        };
        let status = raw.org_membership_status.unwrap_or_else(|| OrgMembershipStatus::Other(String::new()));
        let membership = if status == OrgMembershipStatus::Active {
            Membership::Active(profile)
        } else if status.is_invitation() {
            Membership::Invited(invitation)
        } else {
            Membership::Unknown(invitation, profile)
        };
        Ok(CloudUser { id: raw.id, username: raw.username, status, roles, team_ids: raw.team_ids, membership })
    }
}

impl<R: RolesShape> Serialize for CloudUser<R> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (invitation, profile) = match &self.membership {
            Membership::Invited(i) => (Some(i), None),
            Membership::Active(p) => (None, Some(p)),
            Membership::Unknown(i, p) => (Some(i), Some(p)),
        };
        let i = invitation.cloned().unwrap_or_default();
        let p = profile.cloned().unwrap_or_default();
        let status = match &self.status {
            OrgMembershipStatus::Other(s) if s.is_empty() => None,
            other => Some(other.clone()),
        };
        RawUser {
            id: self.id.clone(),
            username: self.username.clone(),
            org_membership_status: status,
            roles: &self.roles,
            team_ids: self.team_ids.clone(),
            invitation_created_at: i.invitation_created_at,
            invitation_expires_at: i.invitation_expires_at,
            inviter_username: i.inviter_username,
            country: p.country,
            created_at: p.created_at,
            first_name: p.first_name,
            last_name: p.last_name,
            last_auth: p.last_auth,
            mobile_number: p.mobile_number,
        }
        .serialize(s)
    }
}

// ---------------------------------------------------------------------------------------------
// Requests

/// Project roles per project, to send (`GroupRoleAssignment` of `OrgUserRolesRequest`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", try_from = "RawGroupRoles")]
pub struct GroupRolesRequest {
    group_id: GroupId,
    group_roles: Vec<ProjectRole>,
}

impl GroupRolesRequest {
    /// Validates the roles (non-empty, unique, `GROUP_…`).
    pub fn new(
        group_id: impl IntoId<GroupId>,
        roles: impl IntoIterator<Item = ProjectRole>,
    ) -> Result<Self, InvalidInput> {
        let group_roles: Vec<ProjectRole> = roles.into_iter().collect();
        check_project_roles("roles.groupRoleAssignments.groupRoles", &group_roles)?;
        Ok(GroupRolesRequest { group_id: group_id.into_id()?, group_roles })
    }

    /// The project.
    pub fn group_id(&self) -> &GroupId {
        &self.group_id
    }

    /// The roles in that project.
    pub fn roles(&self) -> &[ProjectRole] {
        &self.group_roles
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawGroupRoles {
    group_id: GroupId,
    #[serde(default)]
    group_roles: Vec<ProjectRole>,
}

impl TryFrom<RawGroupRoles> for GroupRolesRequest {
    type Error = InvalidInput;
    fn try_from(raw: RawGroupRoles) -> Result<Self, InvalidInput> {
        GroupRolesRequest::new(raw.group_id, raw.group_roles)
    }
}

/// The `roles` object to send (`OrgUserRolesRequest`): at least one org role, and project
/// roles per project.
///
/// `group_role_assignments` is three-state in an update: absent (not sent), empty (sent as
/// `[]`, which resets them in Atlas) or set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", try_from = "RawOrgUserRoles")]
pub struct OrgUserRolesRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    group_role_assignments: Option<Vec<GroupRolesRequest>>,
    org_roles: Vec<OrgRole>,
}

impl OrgUserRolesRequest {
    /// Validates the org roles (non-empty, unique, one of the 7 `ORG_…`).
    pub fn new(org_roles: impl IntoIterator<Item = OrgRole>) -> Result<Self, InvalidInput> {
        let org_roles: Vec<OrgRole> = org_roles.into_iter().collect();
        check_org_roles("roles.orgRoles", &org_roles)?;
        Ok(OrgUserRolesRequest { group_role_assignments: None, org_roles })
    }

    /// Sets the project roles (one entry per project; an empty list is sent as `[]`).
    pub fn with_group_role_assignments(
        mut self,
        assignments: impl IntoIterator<Item = GroupRolesRequest>,
    ) -> Result<Self, InvalidInput> {
        let assignments: Vec<GroupRolesRequest> = assignments.into_iter().collect();
        check_unique("roles.groupRoleAssignments", &assignments, |a| a.group_id.as_str(), |a| a.group_id.to_string())?;
        self.group_role_assignments = Some(assignments);
        Ok(self)
    }

    /// The org roles.
    pub fn org_roles(&self) -> &[OrgRole] {
        &self.org_roles
    }

    /// The project roles: `None` when not sent.
    pub fn group_role_assignments(&self) -> Option<&[GroupRolesRequest]> {
        self.group_role_assignments.as_deref()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawOrgUserRoles {
    #[serde(default)]
    group_role_assignments: Option<Vec<GroupRolesRequest>>,
    #[serde(default)]
    org_roles: Vec<OrgRole>,
}

impl TryFrom<RawOrgUserRoles> for OrgUserRolesRequest {
    type Error = InvalidInput;
    fn try_from(raw: RawOrgUserRoles) -> Result<Self, InvalidInput> {
        let roles = OrgUserRolesRequest::new(raw.org_roles)?;
        match raw.group_role_assignments {
            Some(a) => roles.with_group_role_assignments(a),
            None => Ok(roles),
        }
    }
}

fn check_team_ids(team_ids: &[TeamId]) -> Result<(), InvalidInput> {
    check_unique("teamIds", team_ids, TeamId::as_str, |t| t.to_string())
}

/// Body of `createOrgUser` (`OrgUserRequest`): e-mail, roles (at least one org role), teams.
///
/// ```
/// use atlas_admin_core::{OrgRole, OrgUserRequest, OrgUserRolesRequest};
/// let body = OrgUserRequest::new("ada@example.com", OrgUserRolesRequest::new([OrgRole::OrgMember]).unwrap()).unwrap();
/// assert_eq!(serde_json::to_string(&body).unwrap(), r#"{"roles":{"orgRoles":["ORG_MEMBER"]},"username":"ada@example.com"}"#);
/// assert!(OrgUserRequest::new("nope", OrgUserRolesRequest::new([OrgRole::OrgMember]).unwrap()).is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", try_from = "RawOrgUserRequest")]
pub struct OrgUserRequest {
    roles: OrgUserRolesRequest,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    team_ids: Vec<TeamId>,
    username: String,
}

impl OrgUserRequest {
    /// Validates the e-mail (the roles validated when built).
    pub fn new(username: impl Into<String>, roles: OrgUserRolesRequest) -> Result<Self, InvalidInput> {
        let username = username.into();
        check_email("username", &username)?;
        Ok(OrgUserRequest { roles, team_ids: Vec::new(), username })
    }

    /// Teams to join (unique).
    pub fn with_team_ids(mut self, team_ids: impl IntoIterator<Item = TeamId>) -> Result<Self, InvalidInput> {
        let team_ids: Vec<TeamId> = team_ids.into_iter().collect();
        check_team_ids(&team_ids)?;
        self.team_ids = team_ids;
        Ok(self)
    }

    /// The e-mail.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The roles.
    pub fn roles(&self) -> &OrgUserRolesRequest {
        &self.roles
    }

    /// The teams.
    pub fn team_ids(&self) -> &[TeamId] {
        &self.team_ids
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawOrgUserRequest {
    roles: Option<OrgUserRolesRequest>,
    #[serde(default)]
    team_ids: Vec<TeamId>,
    username: Option<String>,
}

impl TryFrom<RawOrgUserRequest> for OrgUserRequest {
    type Error = InvalidInput;
    fn try_from(raw: RawOrgUserRequest) -> Result<Self, InvalidInput> {
        let username = raw.username.ok_or_else(|| InvalidInput::new("username", "is required"))?;
        let roles = raw.roles.ok_or_else(|| InvalidInput::new("roles", "is required (at least one org role)"))?;
        OrgUserRequest::new(username, roles)?.with_team_ids(raw.team_ids)
    }
}

/// Body of `updateOrgUser` (`OrgUserUpdateRequest`, PATCH). Each field is three-state:
/// absent (not sent: unchanged), empty (sent as `[]`: Atlas resets it) or set.
///
/// ```
/// use atlas_admin_core::{OrgRole, OrgUserRolesRequest, OrgUserUpdateRequest};
/// let keep = OrgUserUpdateRequest::new();
/// assert_eq!(serde_json::to_string(&keep).unwrap(), "{}");
/// let reset = OrgUserUpdateRequest::new().with_team_ids([]).unwrap();
/// assert_eq!(serde_json::to_string(&reset).unwrap(), r#"{"teamIds":[]}"#);
/// let roles = OrgUserRolesRequest::new([OrgRole::OrgMember]).unwrap().with_group_role_assignments([]).unwrap();
/// let set = OrgUserUpdateRequest::new().with_roles(roles);
/// assert_eq!(serde_json::to_string(&set).unwrap(), r#"{"roles":{"groupRoleAssignments":[],"orgRoles":["ORG_MEMBER"]}}"#);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", try_from = "RawOrgUserUpdate")]
pub struct OrgUserUpdateRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    roles: Option<OrgUserRolesRequest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    team_ids: Option<Vec<TeamId>>,
}

impl OrgUserUpdateRequest {
    /// Changes nothing until a field is set.
    pub fn new() -> Self {
        OrgUserUpdateRequest::default()
    }

    /// Replaces the roles.
    pub fn with_roles(mut self, roles: OrgUserRolesRequest) -> Self {
        self.roles = Some(roles);
        self
    }

    /// Replaces the teams (unique); an empty list removes the user from every team.
    pub fn with_team_ids(mut self, team_ids: impl IntoIterator<Item = TeamId>) -> Result<Self, InvalidInput> {
        let team_ids: Vec<TeamId> = team_ids.into_iter().collect();
        check_team_ids(&team_ids)?;
        self.team_ids = Some(team_ids);
        Ok(self)
    }

    /// The roles, if sent.
    pub fn roles(&self) -> Option<&OrgUserRolesRequest> {
        self.roles.as_ref()
    }

    /// The teams, if sent (`Some(&[])` resets them).
    pub fn team_ids(&self) -> Option<&[TeamId]> {
        self.team_ids.as_deref()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawOrgUserUpdate {
    #[serde(default)]
    roles: Option<OrgUserRolesRequest>,
    #[serde(default)]
    team_ids: Option<Vec<TeamId>>,
}

impl TryFrom<RawOrgUserUpdate> for OrgUserUpdateRequest {
    type Error = InvalidInput;
    fn try_from(raw: RawOrgUserUpdate) -> Result<Self, InvalidInput> {
        let mut body = OrgUserUpdateRequest { roles: raw.roles, team_ids: None };
        if let Some(ids) = raw.team_ids {
            body = body.with_team_ids(ids)?;
        }
        Ok(body)
    }
}

/// Body of `addGroupUsers` (`GroupUserRequest`): e-mail and project roles (non-empty,
/// unique). The same shape and rules as the invitation body, so the same type.
///
/// ```
/// use atlas_admin_core::{GroupUserRequest, ProjectRole};
/// let body = GroupUserRequest::new("ada@example.com", [ProjectRole::GroupReadOnly]).unwrap();
/// assert_eq!(serde_json::to_string(&body).unwrap(), r#"{"roles":["GROUP_READ_ONLY"],"username":"ada@example.com"}"#);
/// assert!(GroupUserRequest::new("ada@example.com", []).is_err());
/// ```
pub type GroupUserRequest = super::GroupInvitationRequest;

/// Body of the org `:addRole` / `:removeRole` (`AddOrRemoveOrgRole`): one known org role.
///
/// ```
/// use atlas_admin_core::{OrgRole, OrgRoleChange};
/// let body = OrgRoleChange::new(OrgRole::OrgBillingAdmin).unwrap();
/// assert_eq!(serde_json::to_string(&body).unwrap(), r#"{"orgRole":"ORG_BILLING_ADMIN"}"#);
/// assert!(OrgRoleChange::new(OrgRole::parse("ORG_EMPEROR")).is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", try_from = "RawOrgRoleChange")]
pub struct OrgRoleChange {
    org_role: OrgRole,
}

impl OrgRoleChange {
    /// Validates the role (one of the 7 `ORG_…`).
    pub fn new(org_role: OrgRole) -> Result<Self, InvalidInput> {
        check_org_roles("orgRole", std::slice::from_ref(&org_role))
            .map_err(|e| InvalidInput::with_value("orgRole", e.reason().to_owned(), org_role.as_str()))?;
        Ok(OrgRoleChange { org_role })
    }

    /// The role.
    pub fn role(&self) -> &OrgRole {
        &self.org_role
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawOrgRoleChange {
    org_role: OrgRole,
}

impl TryFrom<RawOrgRoleChange> for OrgRoleChange {
    type Error = InvalidInput;
    fn try_from(raw: RawOrgRoleChange) -> Result<Self, InvalidInput> {
        OrgRoleChange::new(raw.org_role)
    }
}

/// Body of the project `:addRole` / `:removeRole` (`AddOrRemoveGroupRole`): one project role.
///
/// ```
/// use atlas_admin_core::{GroupRoleChange, ProjectRole};
/// let body = GroupRoleChange::new(ProjectRole::GroupOwner).unwrap();
/// assert_eq!(serde_json::to_string(&body).unwrap(), r#"{"groupRole":"GROUP_OWNER"}"#);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", try_from = "RawGroupRoleChange")]
pub struct GroupRoleChange {
    group_role: ProjectRole,
}

impl GroupRoleChange {
    /// Validates the role (`GROUP_` followed by `A-Z`, `0-9` or `_`).
    pub fn new(group_role: ProjectRole) -> Result<Self, InvalidInput> {
        check_project_roles("groupRole", std::slice::from_ref(&group_role))
            .map_err(|e| InvalidInput::with_value("groupRole", e.reason().to_owned(), group_role.as_str()))?;
        Ok(GroupRoleChange { group_role })
    }

    /// The role.
    pub fn role(&self) -> &ProjectRole {
        &self.group_role
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawGroupRoleChange {
    group_role: ProjectRole,
}

impl TryFrom<RawGroupRoleChange> for GroupRoleChange {
    type Error = InvalidInput;
    fn try_from(raw: RawGroupRoleChange) -> Result<Self, InvalidInput> {
        GroupRoleChange::new(raw.group_role)
    }
}

/// Body of `:addUser` / `:removeUser` on a team (`AddOrRemoveUserFromTeam`): the user id.
///
/// ```
/// use atlas_admin_core::TeamMember;
/// let body = TeamMember::new("5e4bc367c6b0f41bb9bbb178").unwrap();
/// assert_eq!(serde_json::to_string(&body).unwrap(), r#"{"id":"5e4bc367c6b0f41bb9bbb178"}"#);
/// assert_eq!(TeamMember::new("x").unwrap_err().field(), "userId");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamMember {
    id: UserId,
}

impl TeamMember {
    /// Validates the id.
    pub fn new(id: impl IntoId<UserId>) -> Result<Self, InvalidInput> {
        Ok(TeamMember { id: id.into_id()? })
    }

    /// The user.
    pub fn id(&self) -> &UserId {
        &self.id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_are_polymorphic_on_status_and_open_to_new_ones() {
        let pending = r#"{"id":"6a793f8ec0eb9e7a17716c2e","invitationCreatedAt":"2026-08-10T03:03:42Z","invitationExpiresAt":null,"inviterUsername":"nmtxqlkl","orgMembershipStatus":"PENDING","roles":{"groupRoleAssignments":null,"orgRoles":["ORG_READ_ONLY"]},"teamIds":null,"username":"a@example.com"}"#;
        let u: OrgUser = serde_json::from_str(pending).unwrap();
        assert_eq!(u.status, OrgMembershipStatus::Pending);
        assert_eq!(u.invitation().and_then(|i| i.inviter_username.as_deref()), Some("nmtxqlkl"));
        assert!(u.profile().is_none());
        assert_eq!(u.roles.org_roles, [OrgRole::OrgReadOnly]);
        assert_eq!(u.user_id().map(|i| i.to_string()).as_deref(), Some("6a793f8ec0eb9e7a17716c2e"));
        let future = r#"{"id":"not-hex","orgMembershipStatus":"SUSPENDED","roles":null,"firstName":"Ada"}"#;
        let u: OrgUser = serde_json::from_str(future).unwrap();
        assert_eq!(u.status, OrgMembershipStatus::Other("SUSPENDED".into()));
        assert_eq!(u.profile().and_then(|p| p.first_name.as_deref()), Some("Ada"));
        assert_eq!(u.user_id(), None);
        assert_eq!(u.id.as_deref(), Some("not-hex"));
        let back = serde_json::to_value(&u).unwrap();
        assert_eq!(back["orgMembershipStatus"], "SUSPENDED");
        let g: GroupUser = serde_json::from_str(r#"{"orgMembershipStatus":"ACTIVE","roles":["GROUP_OWNER"]}"#).unwrap();
        assert_eq!(g.roles, [ProjectRole::GroupOwner]);
        assert!(serde_json::from_str::<GroupUser>("{}").is_ok());
    }

    /// Review finding: roles of an unexpected shape failed the whole user (and so a page).
    #[test]
    fn roles_of_an_unexpected_shape_decode_as_none() {
        for roles in ["5", "\"x\"", "true", "[1, 2]"] {
            let body = format!(
                r#"{{"id":"{:024x}","username":"a@example.com","orgMembershipStatus":"ACTIVE","roles":{roles}}}"#,
                1
            );
            let org: OrgUser = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{roles}: {e}"));
            assert!(org.roles.org_roles.is_empty(), "{roles}");
            let group: GroupUser = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{roles}: {e}"));
            assert!(group.roles.is_empty(), "{roles}");
        }
    }

    #[test]
    fn legacy_role_lists_fold_into_the_new_shapes() {
        let legacy = r#"{"roles":[{"orgId":"a0123456789abcdef012345a","roleName":"ORG_OWNER"},{"groupId":"b0123456789abcdef012345b","roleName":"GROUP_OWNER"},{"groupId":"b0123456789abcdef012345b","roleName":"GROUP_READ_ONLY"}],"username":"a@example.com"}"#;
        let u: OrgUser = serde_json::from_str(legacy).unwrap();
        assert_eq!(u.roles.org_roles, [OrgRole::OrgOwner]);
        assert_eq!(u.roles.group_role_assignments.len(), 1);
        assert_eq!(u.roles.group_role_assignments[0].group_roles.len(), 2);
        let g: GroupUser = serde_json::from_str(legacy).unwrap();
        assert_eq!(g.roles, [ProjectRole::GroupOwner, ProjectRole::GroupReadOnly]);
    }

    #[test]
    fn request_bodies_validate_when_read() {
        for (bad, field) in [
            (r#"{"username":"a@example.com","roles":{"orgRoles":[]}}"#, "roles.orgRoles"),
            (r#"{"username":"a@example.com"}"#, "roles"),
            (r#"{"username":"nope","roles":{"orgRoles":["ORG_MEMBER"]}}"#, "username"),
            (r#"{"username":"a@example.com","roles":{"orgRoles":["ORG_MEMBER","ORG_MEMBER"]}}"#, "roles.orgRoles[1]"),
        ] {
            let e = serde_json::from_str::<OrgUserRequest>(bad).unwrap_err().to_string();
            assert!(e.contains(field), "{bad}: {e}");
        }
        assert!(serde_json::from_str::<OrgUserUpdateRequest>(r#"{"teamIds":["x"]}"#).is_err());
        let upd: OrgUserUpdateRequest = serde_json::from_str(r#"{"teamIds":[]}"#).unwrap();
        assert_eq!(upd.team_ids(), Some(&[][..]));
        assert!(serde_json::from_str::<GroupUserRequest>(r#"{"username":"a@example.com","roles":[]}"#).is_err());
        assert!(serde_json::from_str::<OrgRoleChange>(r#"{"orgRole":"ORG_EMPEROR"}"#).is_err());
        assert!(serde_json::from_str::<GroupRoleChange>(r#"{"groupRole":"ORG_OWNER"}"#).is_err());
        assert!(serde_json::from_str::<TeamMember>(r#"{"id":"nope"}"#).is_err());
    }
}
