//! The Cloud Users API (version 2025-02-19): organization users, project users and team
//! members, with Atlas's documented semantics.
//!
//! - `createOrgUser` and `addGroupUsers` answer 201 with a PENDING user whose invitation
//!   expires 30 days after it was created; a PENDING or ACTIVE user with that username is a
//!   409, an `INVITATION_EXPIRED` or `INVITATION_REJECTED` one is replaced (a new user id).
//!   `addGroupUsers` invites the user to the organization too (as `ORG_MEMBER`) when needed.
//! - Statuses are computed when read: a PENDING user past `invitationExpiresAt` (by the fake's
//!   clock) is `INVITATION_EXPIRED`.
//! - Lists are `{links, results, totalCount}` pages (`itemsPerPage` 1-500, default 100;
//!   `pageNum` ≥ 1; `includeCount`, default true, decides `totalCount`) with absolute `self`
//!   and, when more results follow, `next` links; without `orgMembershipStatuses` they hold
//!   ACTIVE and PENDING users.
//! - Users are kept in creation order with id and username indexes: a page costs one pass over
//!   the users (none when it is the first page without a count), never one per user.
//!
//! Choices where live Atlas is unverified (tests must not over-trust them):
//! - the 409 for an existing user (org or project) is `USER_ALREADY_EXISTS`, the code the
//!   client's `ErrorCode::UserAlreadyExists` names; `:addRole` of a role the user holds is 409
//!   `USER_ALREADY_HAS_ROLE`;
//! - `:removeRole` of a user's last role (org or project) is 400 `CANNOT_REMOVE_LAST_ROLE`
//!   (the org `:removeRole` documents no 409); removing a role the user lacks changes nothing;
//! - `:addUser` of a user who is not a PENDING or ACTIVE member (unknown id, expired or
//!   rejected invitation) is 400 `USER_NOT_IN_ORG`; `:addUser`/`:removeUser` are idempotent;
//! - a user invited by `addGroupUsers` gets org role `ORG_MEMBER`;
//! - bad query parameters (`itemsPerPage` 0 or 501, an unknown status, both
//!   `orgMembershipStatus` and `orgMembershipStatuses`) are 400 `INVALID_QUERY_PARAMETER`;
//! - `getOrgUser`/`getGroupUser` return a user of any status unless `orgMembershipStatuses`
//!   is given and excludes it (then 404);
//! - `flattenTeams` is accepted and ignored (the fake gives teams no project roles);
//!   `includeOrgUsers=true` adds Organization Owners and Read Onlys with their project roles
//!   (often none);
//! - group ids in `groupRoleAssignments` need only be well formed; team ids must be teams of
//!   the fake (else 404);
//! - the 2023-01-01 variants: lists hold ACTIVE users only (documented), as `CloudAppUser`s
//!   (`roles` a list of `{orgId|groupId, roleName}`, `emailAddress`), ignoring the
//!   `username`/`orgMembershipStatuses` filters ("not supported in deprecated versions");
//!   `removeOrgUser`/`removeGroupUser` answer 404 for a user who is not ACTIVE (documented:
//!   they remove only active users; the status is a choice).

use super::incoming::Request;
use super::paging::{Paging, bad_query, flag};
use super::random;
use super::reply::Outcome;
use super::routes::Route;
use atlas_admin_core::{
    ApiVersion, GroupInvitationRequest, GroupInvitationUpdateRequest, InvalidInput, OrgMembershipStatus, OrgRole,
    OrganizationInvitationUpdateRequest, ProjectRole, format_rfc3339,
};
use http::StatusCode;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long an invitation can be accepted (Atlas: 30 days).
pub(crate) const VALIDITY: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// 409 of `createOrgUser` and `addGroupUsers` for an existing PENDING or ACTIVE user
/// (unverified; the core's `ErrorCode::UserAlreadyExists`).
pub(crate) fn user_already_exists() -> String {
    atlas_admin_core::ErrorCode::UserAlreadyExists.as_str().to_owned()
}
/// 409 of `:addRole` for a role the user holds (unverified).
pub const USER_ALREADY_HAS_ROLE: &str = "USER_ALREADY_HAS_ROLE";
/// 400 of `:removeRole` for a user's last role (unverified).
pub const CANNOT_REMOVE_LAST_ROLE: &str = "CANNOT_REMOVE_LAST_ROLE";

/// The 16 Cloud Users operations, by the spec's operationIds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UserOp {
    ListOrgUsers,
    CreateOrgUser,
    GetOrgUser,
    UpdateOrgUser,
    RemoveOrgUser,
    AddOrgUserRole,
    RemoveOrgUserRole,
    ListGroupUsers,
    AddGroupUsers,
    GetGroupUser,
    RemoveGroupUser,
    AddGroupUserRole,
    RemoveGroupUserRole,
    ListOrgTeamUsers,
    AddOrgTeamUser,
    RemoveOrgTeamUser,
}

impl UserOp {
    pub(crate) fn from_operation_id(id: &str) -> Option<UserOp> {
        Some(match id {
            "listOrgUsers" => UserOp::ListOrgUsers,
            "createOrgUser" => UserOp::CreateOrgUser,
            "getOrgUser" => UserOp::GetOrgUser,
            "updateOrgUser" => UserOp::UpdateOrgUser,
            "removeOrgUser" => UserOp::RemoveOrgUser,
            "addOrgUserRole" => UserOp::AddOrgUserRole,
            "removeOrgUserRole" => UserOp::RemoveOrgUserRole,
            "listGroupUsers" => UserOp::ListGroupUsers,
            "addGroupUsers" => UserOp::AddGroupUsers,
            "getGroupUser" => UserOp::GetGroupUser,
            "removeGroupUser" => UserOp::RemoveGroupUser,
            "addGroupUserRole" => UserOp::AddGroupUserRole,
            "removeGroupUserRole" => UserOp::RemoveGroupUserRole,
            "listOrgTeamUsers" => UserOp::ListOrgTeamUsers,
            "addOrgTeamUser" => UserOp::AddOrgTeamUser,
            "removeOrgTeamUser" => UserOp::RemoveOrgTeamUser,
            _ => return None,
        })
    }
}

/// Invited or a member, with the fields each shape carries.
#[derive(Clone, Debug)]
pub(crate) enum Membership {
    Invited { created: SystemTime, expires: SystemTime, inviter: String, rejected: bool },
    Active { created: SystemTime, last_auth: SystemTime, first_name: String, last_name: String },
}

/// One organization user.
#[derive(Clone, Debug)]
pub(crate) struct User {
    pub(crate) id: String,
    pub(crate) username: String,
    pub(crate) membership: Membership,
    pub(crate) org_roles: Vec<String>,
    /// (groupId, roles) in the order the projects were granted.
    pub(crate) group_roles: Vec<(String, Vec<String>)>,
    pub(crate) team_ids: Vec<String>,
    /// The deprecated org invitation this pending user mirrors, if any.
    pub(crate) invitation: Option<String>,
}

impl User {
    fn status(&self, now: SystemTime) -> OrgMembershipStatus {
        match &self.membership {
            Membership::Active { .. } => OrgMembershipStatus::Active,
            Membership::Invited { rejected: true, .. } => OrgMembershipStatus::InvitationRejected,
            Membership::Invited { expires, .. } if *expires <= now => OrgMembershipStatus::InvitationExpired,
            Membership::Invited { .. } => OrgMembershipStatus::Pending,
        }
    }

    fn roles_in(&self, group: &str) -> Option<&Vec<String>> {
        self.group_roles.iter().find(|(g, _)| g == group).map(|(_, r)| r)
    }

    fn roles_in_mut(&mut self, group: &str) -> Option<&mut Vec<String>> {
        self.group_roles.iter_mut().find(|(g, _)| g == group).map(|(_, r)| r)
    }

    /// The fields every shape shares, then the shape's own.
    fn common(&self, now: SystemTime, map: &mut Map<String, Value>) {
        map.insert("id".into(), json!(self.id));
        map.insert("orgMembershipStatus".into(), json!(self.status(now).as_str()));
        map.insert("username".into(), json!(self.username));
        match &self.membership {
            Membership::Invited { created, expires, inviter, rejected } => {
                map.insert("invitationCreatedAt".into(), json!(format_rfc3339(*created)));
                let expires = if *rejected { Value::Null } else { json!(format_rfc3339(*expires)) };
                map.insert("invitationExpiresAt".into(), expires);
                map.insert("inviterUsername".into(), json!(inviter));
            }
            Membership::Active { created, last_auth, first_name, last_name } => {
                map.insert("country".into(), json!("US"));
                map.insert("createdAt".into(), json!(format_rfc3339(*created)));
                map.insert("firstName".into(), json!(first_name));
                map.insert("lastAuth".into(), json!(format_rfc3339(*last_auth)));
                map.insert("lastName".into(), json!(last_name));
                // Observed: live Atlas sends null here.
                map.insert("mobileNumber".into(), Value::Null);
            }
        }
    }

    /// An `OrgUserResponse`.
    pub(crate) fn org_json(&self, now: SystemTime) -> Value {
        let mut map = Map::new();
        self.common(now, &mut map);
        let assignments: Vec<Value> =
            self.group_roles.iter().map(|(g, r)| json!({"groupId": g, "groupRoles": r})).collect();
        map.insert("roles".into(), json!({"groupRoleAssignments": assignments, "orgRoles": self.org_roles}));
        map.insert("teamIds".into(), json!(self.team_ids));
        Value::Object(map)
    }

    /// A 2023-01-01 `CloudAppUser` (ACTIVE users only reach it).
    fn legacy_json(&self, org_id: &str) -> Value {
        let mut roles: Vec<Value> = self.org_roles.iter().map(|r| json!({"orgId": org_id, "roleName": r})).collect();
        for (g, rs) in &self.group_roles {
            roles.extend(rs.iter().map(|r| json!({"groupId": g, "roleName": r})));
        }
        let mut map = Map::new();
        self.common(SystemTime::UNIX_EPOCH, &mut map);
        map.remove("orgMembershipStatus");
        map.insert("emailAddress".into(), json!(self.username));
        map.insert("links".into(), json!([]));
        map.insert("roles".into(), Value::Array(roles));
        map.insert("teamIds".into(), json!(self.team_ids));
        Value::Object(map)
    }

    /// A `GroupUserResponse` for project `group`.
    fn group_json(&self, group: &str, now: SystemTime) -> Value {
        let mut map = Map::new();
        self.common(now, &mut map);
        map.insert("roles".into(), json!(self.roles_in(group).cloned().unwrap_or_default()));
        Value::Object(map)
    }
}

/// A user to put in the fake directly ([`FakeAtlas::seed_org_user`](super::FakeAtlas::seed_org_user)),
/// in any state.
///
/// ```
/// use atlas_admin_core::OrgMembershipStatus;
/// use atlas_admin_testing::fake::SeedUser;
/// let u = SeedUser::new("ada@example.com", OrgMembershipStatus::Active).org_roles(["ORG_OWNER"]);
/// assert_eq!(u.username, "ada@example.com");
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SeedUser {
    /// The e-mail address.
    pub username: String,
    /// The state it is in now: an `InvitationExpired` user is invited 31 days before the
    /// fake's clock unless `created_at` says otherwise. One of the four known statuses: the
    /// fake computes a status from its state, so seeding an `Other` one is refused
    /// ([`SeedError::UnknownStatus`](super::SeedError::UnknownStatus)).
    pub status: OrgMembershipStatus,
    /// Org roles; `ORG_MEMBER` when empty.
    pub org_roles: Vec<String>,
    /// Project roles by project id.
    pub group_roles: Vec<(String, Vec<String>)>,
    /// Teams the user belongs to.
    pub team_ids: Vec<String>,
    /// When invited (or joined); the fake's clock when `None`.
    pub created_at: Option<SystemTime>,
}

impl SeedUser {
    /// `username` in `status`, org role `ORG_MEMBER`, no project, no team.
    pub fn new(username: impl Into<String>, status: OrgMembershipStatus) -> Self {
        SeedUser {
            username: username.into(),
            status,
            org_roles: Vec::new(),
            group_roles: Vec::new(),
            team_ids: Vec::new(),
            created_at: None,
        }
    }

    /// Sets the org roles.
    pub fn org_roles<S: Into<String>>(mut self, roles: impl IntoIterator<Item = S>) -> Self {
        self.org_roles = roles.into_iter().map(Into::into).collect();
        self
    }

    /// Adds project roles in `group_id`.
    pub fn group_roles<S: Into<String>>(mut self, group_id: &str, roles: impl IntoIterator<Item = S>) -> Self {
        self.group_roles.push((group_id.to_owned(), roles.into_iter().map(Into::into).collect()));
        self
    }

    /// Adds a team.
    pub fn team(mut self, team_id: &str) -> Self {
        self.team_ids.push(team_id.to_owned());
        self
    }

    /// Sets when the user was invited (or joined).
    pub fn created_at(mut self, t: SystemTime) -> Self {
        self.created_at = Some(t);
        self
    }
}

/// Second precision, as Atlas stores and answers.
pub(crate) fn whole_seconds(t: SystemTime) -> SystemTime {
    let secs = t.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    UNIX_EPOCH + Duration::from_secs(secs)
}

/// Whether `s` is 24 lowercase hex characters (Atlas's id pattern).
pub(crate) fn is_hex24(s: &str) -> bool {
    s.len() == 24 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Users in creation order, indexed by id and by lowercase username; the org's teams.
#[derive(Default)]
pub(crate) struct Users {
    next_seq: u64,
    by_seq: BTreeMap<u64, User>,
    by_id: HashMap<String, u64>,
    by_username: HashMap<String, u64>,
    pub(crate) teams: BTreeSet<String>,
    /// Invitation ids whose mirror user went away: the store deletes those invitations.
    unlinked: Vec<String>,
}

impl Users {
    /// Stores `user`, replacing any user of the same username (one user per username).
    pub(crate) fn insert(&mut self, user: User) -> &User {
        if let Some(old) = self.by_username(&user.username).map(|u| u.id.clone()) {
            self.remove(&old);
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.by_id.insert(user.id.clone(), seq);
        self.by_username.insert(user.username.to_ascii_lowercase(), seq);
        self.by_seq.entry(seq).or_insert(user)
    }

    pub(crate) fn remove(&mut self, id: &str) -> Option<User> {
        let seq = self.by_id.remove(id)?;
        let user = self.by_seq.remove(&seq)?;
        self.by_username.remove(&user.username.to_ascii_lowercase());
        if let Some(inv) = &user.invitation {
            self.unlinked.push(inv.clone());
        }
        Some(user)
    }

    /// Every user, in creation order.
    pub(crate) fn all(&self) -> impl Iterator<Item = &User> {
        self.by_seq.values()
    }

    pub(crate) fn get(&self, id: &str) -> Option<&User> {
        self.by_id.get(id).and_then(|s| self.by_seq.get(s))
    }

    pub(crate) fn get_mut(&mut self, id: &str) -> Option<&mut User> {
        let seq = self.by_id.get(id)?;
        self.by_seq.get_mut(seq)
    }

    pub(crate) fn by_username(&self, username: &str) -> Option<&User> {
        self.by_username.get(&username.to_ascii_lowercase()).and_then(|s| self.by_seq.get(s))
    }

    /// Invitation ids to delete because their user is gone.
    pub(crate) fn take_unlinked(&mut self) -> Vec<String> {
        std::mem::take(&mut self.unlinked)
    }

    /// A new PENDING user (new id) invited now by `inviter`.
    pub(crate) fn invite(
        &mut self,
        username: String,
        inviter: &str,
        now: SystemTime,
        org_roles: Vec<String>,
        group_roles: Vec<(String, Vec<String>)>,
        team_ids: Vec<String>,
    ) -> &User {
        let created = whole_seconds(now);
        self.insert(User {
            id: random::object_id(),
            username,
            membership: Membership::Invited {
                created,
                expires: created + VALIDITY,
                inviter: inviter.to_owned(),
                rejected: false,
            },
            org_roles,
            group_roles,
            team_ids,
            invitation: None,
        })
    }

    /// Removes an EXPIRED or REJECTED user of `username` so a new invitation replaces it;
    /// the PENDING or ACTIVE one that blocks a new invitation otherwise.
    pub(crate) fn blocking(&mut self, username: &str, now: SystemTime) -> Option<&User> {
        let (id, blocks) = {
            let u = self.by_username(username)?;
            (u.id.clone(), is_member_or_invited(&u.status(now)))
        };
        if blocks {
            return self.get(&id);
        }
        self.remove(&id);
        None
    }

    /// Seeds a user; its id.
    pub(crate) fn seed(&mut self, seed: SeedUser, inviter: &str, now: SystemTime) -> String {
        let created = whole_seconds(seed.created_at.unwrap_or(now));
        let membership = match &seed.status {
            OrgMembershipStatus::Active => Membership::Active {
                created,
                last_auth: created,
                first_name: "Seeded".to_owned(),
                last_name: seed.username.split('@').next().unwrap_or_default().to_owned(),
            },
            OrgMembershipStatus::InvitationExpired => {
                let created = match seed.created_at {
                    Some(_) => created,
                    None => whole_seconds(now.checked_sub(VALIDITY + Duration::from_secs(86_400)).unwrap_or(now)),
                };
                let expires = (created + VALIDITY).min(whole_seconds(now));
                Membership::Invited { created, expires, inviter: inviter.to_owned(), rejected: false }
            }
            // PENDING or INVITATION_REJECTED: other statuses are refused before seeding
            // (`seeding::known_status`).
            _ => Membership::Invited {
                created,
                expires: created + VALIDITY,
                inviter: inviter.to_owned(),
                rejected: seed.status == OrgMembershipStatus::InvitationRejected,
            },
        };
        let org_roles = if seed.org_roles.is_empty() { vec!["ORG_MEMBER".to_owned()] } else { seed.org_roles };
        for team in &seed.team_ids {
            self.teams.insert(team.clone());
        }
        let user = User {
            id: random::object_id(),
            username: seed.username,
            membership,
            org_roles,
            group_roles: seed.group_roles,
            team_ids: seed.team_ids,
            invitation: None,
        };
        self.insert(user).id.clone()
    }

    /// Makes the user of `username` ACTIVE (an accepted invitation); its id.
    pub(crate) fn activate(&mut self, username: &str, now: SystemTime) -> Option<String> {
        let seq = *self.by_username.get(&username.to_ascii_lowercase())?;
        let user = self.by_seq.get_mut(&seq)?;
        let created = whole_seconds(now);
        user.membership = Membership::Active {
            created,
            last_auth: created,
            first_name: "Accepted".to_owned(),
            last_name: username.split('@').next().unwrap_or_default().to_owned(),
        };
        if let Some(inv) = user.invitation.take() {
            self.unlinked.push(inv);
        }
        Some(user.id.clone())
    }

    /// Links a pending user to the deprecated org invitation it mirrors.
    pub(crate) fn link(&mut self, user_id: &str, invitation_id: &str) {
        if let Some(u) = self.get_mut(user_id) {
            u.invitation = Some(invitation_id.to_owned());
        }
    }

    /// The user mirroring deprecated org invitation `invitation_id`.
    pub(crate) fn linked_mut(&mut self, invitation_id: &str) -> Option<&mut User> {
        self.by_seq.values_mut().find(|u| u.invitation.as_deref() == Some(invitation_id))
    }

    /// Runs a Cloud Users operation.
    pub(crate) fn handle(&mut self, op: UserOp, route: &Route, req: &Request<'_>) -> Outcome {
        match self.run(op, route, req) {
            Ok(o) | Err(o) => o,
        }
    }

    fn run(&mut self, op: UserOp, route: &Route, req: &Request<'_>) -> Result<Outcome, Outcome> {
        let now = req.now;
        let config = req.config;
        let group = || known_parent(route, "groupId", &config.group_id, "group");
        let legacy = req.version == ApiVersion::V2023_01_01;
        let render_org = |u: &User| if legacy { u.legacy_json(&config.org_id) } else { u.org_json(now) };
        let org = || known_parent(route, "orgId", &config.org_id, "organization");
        match op {
            UserOp::ListOrgUsers => {
                org()?;
                let q = ListQuery::parse(req.query, true, legacy)?;
                Ok(self.page(&q, req, |_| true, |u| render_org(u)))
            }
            UserOp::CreateOrgUser => {
                org()?;
                let body = CreateOrgUserBody::parse(req.body)?;
                self.check_teams(&body.team_ids)?;
                if let Some(u) = self.blocking(&body.username, now) {
                    return Err(conflict(
                        &user_already_exists(),
                        format!("{} is already {}.", u.username, status_words(u, now)),
                    ));
                }
                let user =
                    self.invite(body.username, req.principal, now, body.org_roles, body.group_roles, body.team_ids);
                Ok(Outcome::created(user.org_json(now)))
            }
            UserOp::GetOrgUser => {
                org()?;
                let statuses = ListQuery::statuses(req.query)?;
                let user = self.user(route.param("userId"))?;
                if statuses.as_ref().is_some_and(|s| !s.contains(&user.status(now))) {
                    return Err(user_not_found(&user.id));
                }
                Ok(Outcome::ok(user.org_json(now)))
            }
            UserOp::UpdateOrgUser => {
                org()?;
                let id = self.user(route.param("userId"))?.id.clone();
                let patch = UpdateOrgUserBody::parse(req.body)?;
                if let Some(teams) = &patch.team_ids {
                    self.check_teams(teams)?;
                }
                let user = self.get_mut(&id).ok_or_else(|| user_not_found(&id))?;
                if let Some(roles) = patch.org_roles {
                    user.org_roles = roles;
                }
                if let Some(g) = patch.group_roles {
                    user.group_roles = g;
                }
                if let Some(t) = patch.team_ids {
                    user.team_ids = t;
                }
                Ok(Outcome::ok(user.org_json(now)))
            }
            UserOp::RemoveOrgUser => {
                org()?;
                let id = self.active_if_legacy(self.user(route.param("userId"))?, legacy, now)?;
                self.remove(&id);
                Ok(Outcome::no_content())
            }
            UserOp::AddOrgUserRole | UserOp::RemoveOrgUserRole => {
                org()?;
                let id = self.user(route.param("userId"))?.id.clone();
                let role = role_body(req.body, "orgRole")?;
                check_org_roles(std::slice::from_ref(&role), "orgRole")?;
                let user = self.get_mut(&id).ok_or_else(|| user_not_found(&id))?;
                change_role(&mut user.org_roles, role, op == UserOp::AddOrgUserRole)?;
                Ok(Outcome::ok(user.org_json(now)))
            }
            UserOp::ListGroupUsers => {
                group()?;
                let q = ListQuery::parse(req.query, true, legacy)?;
                let g = config.group_id.as_str();
                let include_org = q.include_org_users;
                let in_project = |u: &User| {
                    u.roles_in(g).is_some()
                        || (include_org && u.org_roles.iter().any(|r| r == "ORG_OWNER" || r == "ORG_READ_ONLY"))
                };
                let render = |u: &User| if legacy { u.legacy_json(&config.org_id) } else { u.group_json(g, now) };
                Ok(self.page(&q, req, in_project, render))
            }
            UserOp::AddGroupUsers => {
                group()?;
                let g = config.group_id.clone();
                let (username, roles) = group_user_body(req.body)?;
                if let Some(u) = self.blocking(&username, now) {
                    if u.roles_in(&g).is_some() {
                        let detail = format!("{} is already {} in this project.", u.username, status_words(u, now));
                        return Err(conflict(&user_already_exists(), detail));
                    }
                    let id = u.id.clone();
                    let user = self.get_mut(&id).ok_or_else(|| user_not_found(&id))?;
                    user.group_roles.push((g.clone(), roles));
                    return Ok(Outcome::created(user.group_json(&g, now)));
                }
                let user = self.invite(
                    username,
                    req.principal,
                    now,
                    vec!["ORG_MEMBER".to_owned()],
                    vec![(g.clone(), roles)],
                    Vec::new(),
                );
                Ok(Outcome::created(user.group_json(&g, now)))
            }
            UserOp::GetGroupUser => {
                group()?;
                let statuses = ListQuery::statuses(req.query)?;
                let user = self.project_user(route.param("userId"), &config.group_id)?;
                if statuses.as_ref().is_some_and(|s| !s.contains(&user.status(now))) {
                    return Err(user_not_found(&user.id));
                }
                Ok(Outcome::ok(user.group_json(&config.group_id, now)))
            }
            UserOp::RemoveGroupUser => {
                group()?;
                let g = config.group_id.as_str();
                let id = self.active_if_legacy(self.project_user(route.param("userId"), g)?, legacy, now)?;
                if let Some(user) = self.get_mut(&id) {
                    user.group_roles.retain(|(group, _)| group != g);
                }
                Ok(Outcome::no_content())
            }
            UserOp::AddGroupUserRole | UserOp::RemoveGroupUserRole => {
                group()?;
                let g = config.group_id.as_str();
                let id = self.project_user(route.param("userId"), g)?.id.clone();
                let role = role_body(req.body, "groupRole")?;
                check_group_roles(std::slice::from_ref(&role), "groupRole")?;
                let user = self.get_mut(&id).ok_or_else(|| user_not_found(&id))?;
                let roles = user.roles_in_mut(g).ok_or_else(|| user_not_found(&id))?;
                change_role(roles, role, op == UserOp::AddGroupUserRole)?;
                Ok(Outcome::ok(user.group_json(g, now)))
            }
            UserOp::ListOrgTeamUsers => {
                org()?;
                let team = self.team(route.param("teamId"))?;
                // No `includeCount` parameter, yet live Atlas answers a totalCount (observed).
                let mut q = ListQuery::parse(req.query, false, legacy)?;
                q.paging.include_count = true;
                let user_id = req.query.iter().find(|(k, _)| k == "userId" && !legacy).map(|(_, v)| v.clone());
                if let Some(id) = user_id.as_deref().filter(|id| !is_hex24(id)) {
                    return Err(bad_query("userId", id));
                }
                let in_team = |u: &User| u.team_ids.contains(&team) && user_id.as_deref().is_none_or(|id| u.id == id);
                Ok(self.page(&q, req, in_team, |u| render_org(u)))
            }
            UserOp::AddOrgTeamUser | UserOp::RemoveOrgTeamUser => {
                org()?;
                let team = self.team(route.param("teamId"))?;
                let id = team_member_body(req.body)?;
                let adding = op == UserOp::AddOrgTeamUser;
                let user = match self.get_mut(&id) {
                    Some(u) if !adding || is_member_or_invited(&u.status(now)) => u,
                    _ if adding => {
                        return Err(Outcome::error(
                            StatusCode::BAD_REQUEST,
                            atlas_admin_core::ErrorCode::UserNotInOrg.as_str(),
                            format!("User {id} is not a member of this organization."),
                            vec![json!(id)],
                        ));
                    }
                    _ => return Err(user_not_found(&id)),
                };
                if adding {
                    if !user.team_ids.contains(&team) {
                        user.team_ids.push(team);
                    }
                } else {
                    user.team_ids.retain(|t| *t != team);
                }
                Ok(Outcome::ok(user.org_json(now)))
            }
        }
    }

    /// The user's id; with 2023-01-01 only an ACTIVE user (else 404).
    fn active_if_legacy(&self, user: &User, legacy: bool, now: SystemTime) -> Result<String, Outcome> {
        if legacy && user.status(now) != OrgMembershipStatus::Active {
            return Err(user_not_found(&user.id));
        }
        Ok(user.id.clone())
    }

    fn user(&self, id: &str) -> Result<&User, Outcome> {
        if !is_hex24(id) {
            return Err(invalid_attribute("userId", id));
        }
        self.get(id).ok_or_else(|| user_not_found(id))
    }

    /// A user with roles in project `group` (others are invisible to project endpoints).
    fn project_user(&self, id: &str, group: &str) -> Result<&User, Outcome> {
        let user = self.user(id)?;
        if user.roles_in(group).is_none() {
            return Err(user_not_found(id));
        }
        Ok(user)
    }

    fn team(&self, id: &str) -> Result<String, Outcome> {
        if !is_hex24(id) {
            return Err(invalid_attribute("teamId", id));
        }
        if !self.teams.contains(id) {
            return Err(Outcome::not_found(format!("Team {id} not found.")));
        }
        Ok(id.to_owned())
    }

    fn check_teams(&self, ids: &[String]) -> Result<(), Outcome> {
        for id in ids {
            self.team(id)?;
        }
        Ok(())
    }

    /// One page of the users `listed` keeps, rendered by `render`, in creation order. Users
    /// before the page are only tested, never rendered.
    fn page(
        &self,
        q: &ListQuery,
        req: &Request<'_>,
        listed: impl Fn(&User) -> bool,
        render: impl Fn(&User) -> Value,
    ) -> Outcome {
        let now = req.now;
        let wanted = |u: &&User| {
            q.statuses.contains(&u.status(now))
                && q.username.as_deref().is_none_or(|n| u.username.eq_ignore_ascii_case(n))
                && listed(u)
        };
        let skip = q.paging.skip();
        let mut results = Vec::new();
        let mut seen = 0usize;
        let mut more = false;
        // A username filter names at most one user: look it up instead of scanning.
        let users: Box<dyn Iterator<Item = &User>> = match &q.username {
            Some(name) => Box::new(self.by_username(name).into_iter()),
            None => Box::new(self.by_seq.values()),
        };
        for user in users.filter(wanted) {
            if seen >= skip && results.len() < q.paging.items_per_page {
                results.push(render(user));
            } else if seen >= skip {
                more = true;
                if !q.paging.include_count {
                    break;
                }
            }
            seen += 1;
        }
        Outcome::ok(q.paging.body(req, results, seen, more))
    }
}

/// Whether a user with this status blocks a new invitation of the same username.
fn is_member_or_invited(status: &OrgMembershipStatus) -> bool {
    matches!(status, OrgMembershipStatus::Pending | OrgMembershipStatus::Active)
}

fn status_words(u: &User, now: SystemTime) -> &'static str {
    match u.status(now) {
        OrgMembershipStatus::Active => "an active user",
        _ => "a pending user",
    }
}

/// Adds or removes one role; refuses a duplicate add and removing the last role.
fn change_role(roles: &mut Vec<String>, role: String, add: bool) -> Result<(), Outcome> {
    let held = roles.contains(&role);
    if add {
        if held {
            return Err(conflict(USER_ALREADY_HAS_ROLE, format!("The user already has role {role}.")));
        }
        roles.push(role);
    } else if held {
        if roles.len() == 1 {
            return Err(Outcome::error(
                StatusCode::BAD_REQUEST,
                CANNOT_REMOVE_LAST_ROLE,
                format!("Cannot remove {role}: a user must have at least one role. Add the new role first."),
                vec![json!(role)],
            ));
        }
        roles.retain(|r| *r != role);
    }
    Ok(())
}

fn known_parent(route: &Route, param: &str, known: &str, what: &str) -> Result<(), Outcome> {
    let value = route.param(param);
    if !is_hex24(value) {
        return Err(invalid_attribute(param, value));
    }
    if value != known {
        return Err(Outcome::not_found(format!("No {what} with ID {value} exists.")));
    }
    Ok(())
}

/// 400 `INVALID_ATTRIBUTE` for a malformed id in the path.
pub(crate) fn invalid_attribute(name: &str, value: &str) -> Outcome {
    Outcome::error(
        StatusCode::BAD_REQUEST,
        "INVALID_ATTRIBUTE",
        format!("Invalid attribute {name} specified: {value:?} is not 24 lowercase hexadecimal characters."),
        vec![json!(name)],
    )
}

fn user_not_found(id: &str) -> Outcome {
    Outcome::not_found(format!("User {id} not found."))
}

fn conflict(code: &str, detail: String) -> Outcome {
    Outcome::error(StatusCode::CONFLICT, code, detail, Vec::new())
}

/// The parameters of a list.
#[derive(Debug)]
struct ListQuery {
    paging: Paging,
    statuses: Vec<OrgMembershipStatus>,
    username: Option<String>,
    include_org_users: bool,
}

impl ListQuery {
    /// `legacy` (2023-01-01): ACTIVE users only, the newer filters ignored.
    fn parse(query: &[(String, String)], count_param: bool, legacy: bool) -> Result<ListQuery, Outcome> {
        let get = |name: &str| super::paging::get(query, name);
        Ok(ListQuery {
            paging: Paging::parse(query, count_param)?,
            statuses: match legacy {
                true => vec![OrgMembershipStatus::Active],
                false => ListQuery::statuses(query)?
                    .unwrap_or_else(|| vec![OrgMembershipStatus::Active, OrgMembershipStatus::Pending]),
            },
            username: get("username").filter(|_| !legacy).map(str::to_owned),
            include_org_users: flag(query, "includeOrgUsers", false)?,
        })
        .and_then(|q| {
            flag(query, "flattenTeams", false)?;
            Ok(q)
        })
    }

    /// `orgMembershipStatuses` (repeated keys or comma-separated) or the deprecated single
    /// `orgMembershipStatus`; `None` when neither is given.
    fn statuses(query: &[(String, String)]) -> Result<Option<Vec<OrgMembershipStatus>>, Outcome> {
        let many: Vec<&str> =
            query.iter().filter(|(k, _)| k == "orgMembershipStatuses").flat_map(|(_, v)| v.split(',')).collect();
        let one: Vec<&str> =
            query.iter().filter(|(k, _)| k == "orgMembershipStatus").map(|(_, v)| v.as_str()).collect();
        if !many.is_empty() && !one.is_empty() {
            return Err(bad_query("orgMembershipStatus", "cannot be combined with orgMembershipStatuses"));
        }
        let (name, values) =
            if one.is_empty() { ("orgMembershipStatuses", many) } else { ("orgMembershipStatus", one) };
        if values.is_empty() {
            return Ok(None);
        }
        values
            .into_iter()
            .map(|v| OrgMembershipStatus::checked(v.trim()).map_err(|_| bad_query(name, v)))
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }
}

type Violations = Vec<(String, String)>;

fn violation(field: impl Into<String>, description: impl Into<String>) -> Outcome {
    Outcome::validation(vec![(field.into(), description.into())])
}

fn from_core(e: &InvalidInput, field: &str) -> Outcome {
    let f = e.field();
    let f = if f == "roles" || f.starts_with("roles[") { f.replacen("roles", field, 1) } else { f.to_owned() };
    let v: Violations = vec![(f, e.reason().to_owned())];
    Outcome::validation(v)
}

fn object(body: &[u8]) -> Result<Map<String, Value>, Outcome> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(violation("body", "must be a JSON object")),
        Err(e) => Err(violation("body", format!("is not valid JSON: {e}"))),
    }
}

fn strings(value: &Value, field: &str) -> Result<Vec<String>, Outcome> {
    let not_strings = || violation(field, "must be an array of strings");
    let Value::Array(items) = value else {
        return Err(not_strings());
    };
    items.iter().map(|v| v.as_str().map(str::to_owned).ok_or_else(not_strings)).collect()
}

fn unique(items: &[String], field: &str) -> Result<(), Outcome> {
    let mut seen = BTreeSet::new();
    match items.iter().find(|i| !seen.insert(i.as_str())) {
        Some(dup) => Err(violation(field, format!("must not repeat {dup:?}"))),
        None => Ok(()),
    }
}

/// One of the 7 org roles each, unique, at least one.
fn check_org_roles(roles: &[String], field: &str) -> Result<(), Outcome> {
    OrganizationInvitationUpdateRequest::new(roles.iter().map(|r| OrgRole::parse(r)))
        .map(drop)
        .map_err(|e| from_core(&e, field))
}

/// Well-formed project roles, unique, at least one.
fn check_group_roles(roles: &[String], field: &str) -> Result<(), Outcome> {
    GroupInvitationUpdateRequest::new(roles.iter().map(|r| ProjectRole::parse(r)))
        .map(drop)
        .map_err(|e| from_core(&e, field))
}

fn check_username(username: &str) -> Result<(), Outcome> {
    GroupInvitationRequest::new(username, [ProjectRole::GroupReadOnly]).map(drop).map_err(|e| from_core(&e, "username"))
}

fn username(obj: &Map<String, Value>) -> Result<String, Outcome> {
    match obj.get("username") {
        Some(Value::String(s)) => {
            check_username(s)?;
            Ok(s.clone())
        }
        Some(_) => Err(violation("username", "must be a string")),
        None => Err(violation("username", "is required")),
    }
}

fn team_ids(obj: &Map<String, Value>) -> Result<Option<Vec<String>>, Outcome> {
    let Some(v) = obj.get("teamIds") else { return Ok(None) };
    let ids = strings(v, "teamIds")?;
    unique(&ids, "teamIds")?;
    Ok(Some(ids))
}

/// `roles` of an org user request: `orgRoles` (required, ≥1) and `groupRoleAssignments`.
#[allow(clippy::type_complexity)]
fn org_roles_object(v: &Value) -> Result<(Vec<String>, Option<Vec<(String, Vec<String>)>>), Outcome> {
    let Value::Object(roles) = v else {
        return Err(violation("roles", "must be an object"));
    };
    let org_roles = match roles.get("orgRoles") {
        Some(v) => strings(v, "roles.orgRoles")?,
        None => return Err(violation("roles.orgRoles", "is required")),
    };
    check_org_roles(&org_roles, "roles.orgRoles")?;
    let assignments = match roles.get("groupRoleAssignments") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => {
            let mut out: Vec<(String, Vec<String>)> = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let field = format!("roles.groupRoleAssignments[{i}]");
                let group = match item.get("groupId").and_then(Value::as_str) {
                    Some(g) if is_hex24(g) => g.to_owned(),
                    _ => return Err(violation(format!("{field}.groupId"), "must be 24 lowercase hex characters")),
                };
                let roles = match item.get("groupRoles") {
                    Some(r) => strings(r, &format!("{field}.groupRoles"))?,
                    None => Vec::new(),
                };
                unique(&roles, &format!("{field}.groupRoles"))?;
                if out.iter().any(|(g, _)| *g == group) {
                    return Err(violation(format!("{field}.groupId"), "must not repeat a project"));
                }
                out.push((group, roles));
            }
            Some(out)
        }
        Some(_) => return Err(violation("roles.groupRoleAssignments", "must be an array")),
    };
    Ok((org_roles, assignments))
}

struct CreateOrgUserBody {
    username: String,
    org_roles: Vec<String>,
    group_roles: Vec<(String, Vec<String>)>,
    team_ids: Vec<String>,
}

impl CreateOrgUserBody {
    fn parse(body: &[u8]) -> Result<Self, Outcome> {
        let obj = object(body)?;
        let username = username(&obj)?;
        let (org_roles, group_roles) = match obj.get("roles") {
            Some(v) => org_roles_object(v)?,
            None => return Err(violation("roles", "is required")),
        };
        Ok(CreateOrgUserBody {
            username,
            org_roles,
            group_roles: group_roles.unwrap_or_default(),
            team_ids: team_ids(&obj)?.unwrap_or_default(),
        })
    }
}

/// A PATCH: `None` leaves a field alone, an empty value resets it.
struct UpdateOrgUserBody {
    org_roles: Option<Vec<String>>,
    group_roles: Option<Vec<(String, Vec<String>)>>,
    team_ids: Option<Vec<String>>,
}

impl UpdateOrgUserBody {
    fn parse(body: &[u8]) -> Result<Self, Outcome> {
        let obj = object(body)?;
        let (org_roles, group_roles) = match obj.get("roles") {
            Some(v) => {
                let (o, g) = org_roles_object(v)?;
                (Some(o), g)
            }
            None => (None, None),
        };
        let team_ids = team_ids(&obj)?;
        if let Some(ids) = &team_ids {
            if let Some(bad) = ids.iter().find(|id| !is_hex24(id)) {
                return Err(violation("teamIds", format!("{bad:?} is not 24 lowercase hex characters")));
            }
        }
        Ok(UpdateOrgUserBody { org_roles, group_roles, team_ids })
    }
}

/// `{username, roles}` of `addGroupUsers`.
fn group_user_body(body: &[u8]) -> Result<(String, Vec<String>), Outcome> {
    let obj = object(body)?;
    let username = username(&obj)?;
    let roles = match obj.get("roles") {
        Some(v) => strings(v, "roles")?,
        None => return Err(violation("roles", "is required")),
    };
    check_group_roles(&roles, "roles")?;
    Ok((username, roles))
}

/// `{orgRole}` or `{groupRole}`.
fn role_body(body: &[u8], field: &str) -> Result<String, Outcome> {
    match object(body)?.get(field) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(violation(field, "must be a string")),
        None => Err(violation(field, "is required")),
    }
}

/// `{id}` of `:addUser`/`:removeUser`.
fn team_member_body(body: &[u8]) -> Result<String, Outcome> {
    match object(body)?.get("id") {
        Some(Value::String(s)) if is_hex24(s) => Ok(s.clone()),
        Some(_) => Err(violation("id", "must be 24 lowercase hex characters")),
        None => Err(violation("id", "is required")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_follows_the_clock() {
        let mut users = Users::default();
        let t0 = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let id = users.invite("a@example.com".into(), "k", t0, vec!["ORG_MEMBER".into()], vec![], vec![]).id.clone();
        let u = users.get(&id).unwrap();
        assert_eq!(u.status(t0 + VALIDITY - Duration::from_secs(1)), OrgMembershipStatus::Pending);
        assert_eq!(u.status(t0 + VALIDITY), OrgMembershipStatus::InvitationExpired);
        let json = u.org_json(t0);
        assert_eq!(json["invitationExpiresAt"], format_rfc3339(t0 + VALIDITY));
        assert!(users.blocking("A@example.com", t0).is_some());
        assert!(users.blocking("a@example.com", t0 + VALIDITY).is_none());
        assert!(users.get(&id).is_none(), "an expired user is replaced");
    }

    #[test]
    fn last_role_and_duplicates() {
        let mut roles = vec!["ORG_MEMBER".to_owned()];
        assert_eq!(change_role(&mut roles, "ORG_MEMBER".into(), true).unwrap_err().status, StatusCode::CONFLICT);
        assert_eq!(change_role(&mut roles, "ORG_MEMBER".into(), false).unwrap_err().status, StatusCode::BAD_REQUEST);
        change_role(&mut roles, "ORG_OWNER".into(), true).unwrap();
        change_role(&mut roles, "ORG_MEMBER".into(), false).unwrap();
        change_role(&mut roles, "ORG_BILLING_ADMIN".into(), false).unwrap();
        assert_eq!(roles, ["ORG_OWNER"]);
    }

    #[test]
    fn statuses_query() {
        let q = |pairs: &[(&str, &str)]| {
            let v: Vec<(String, String)> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
            ListQuery::statuses(&v)
        };
        assert_eq!(q(&[]).unwrap(), None);
        assert_eq!(
            q(&[("orgMembershipStatuses", "PENDING"), ("orgMembershipStatuses", "ACTIVE")]).unwrap(),
            Some(vec![OrgMembershipStatus::Pending, OrgMembershipStatus::Active])
        );
        assert!(q(&[("orgMembershipStatuses", "NOPE")]).is_err());
        assert!(q(&[("orgMembershipStatuses", "PENDING"), ("orgMembershipStatus", "ACTIVE")]).is_err());
    }
}
