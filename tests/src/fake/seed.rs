//! Seeding the fake from a cassette ([`FakeAtlas::seed_from`](super::FakeAtlas::seed_from)):
//! the rules are on [`SeedReport`].

use super::config::FakeConfig;
use super::drift::Ids;
use super::routes::{Scope, is_handwritten, recorded_route};
use super::state::{Invitation, Store, mirror};
use super::users::{Membership, User, Users, VALIDITY, is_hex24, whole_seconds};
use crate::cassette::{Body, Cassette, Interaction};
use atlas_admin_core::{
    GroupInvitation, GroupUser, Operation, OrgMembershipStatus, OrgUser, OrganizationInvitation, Purpose, Timestamp,
    ops,
};
use serde_json::Value;
use std::fmt;
use std::time::SystemTime;

/// What seeding did with one interaction.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SeedAction {
    /// A pending project invitation, by id.
    ProjectInvitation(String),
    /// A pending org invitation, by id.
    OrgInvitation(String),
    /// An org user, by id.
    OrgUser(String),
    /// A user's roles in the fake's project, by user id.
    GroupUser(String),
    /// Something removed (what, id; for the generic behaviour's resources, the path).
    Removed(&'static str, String),
    /// A resource of the generic behaviour (every operation without a hand-written one), by
    /// its path (`/api/atlas/v2/groups/<id>/clusters/c0`).
    Resource(String),
    /// A document of the generic behaviour (settings and other singletons), by its path.
    Document(String),
    /// Nothing: why.
    Ignored(String),
}

/// One line of a [`SeedReport`]: an interaction and what seeding did with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedEntry {
    /// The index of the interaction in the cassette.
    pub interaction: usize,
    /// Its operationId.
    pub operation: String,
    /// What was done.
    pub action: SeedAction,
}

/// What [`FakeAtlas::seed_from`](super::FakeAtlas::seed_from) put in the fake, removed and
/// ignored, in cassette order.
///
/// Seeding puts the objects a recording's answers hold in the fake's state, under their
/// recorded ids, so the fake then answers the recorded reads with the same objects.
///
/// The cassette is walked in order and each successful answer (2xx; an enveloped answer's
/// `content`) is decoded with the core's model of its operation's output:
///
/// | answers of | seed |
/// |---|---|
/// | the project invitation operations (`GroupInvitation`, lists of them) | a pending project invitation (id, username, roles, inviter, `createdAt`) |
/// | the org invitation operations (`OrganizationInvitation`, lists) | a pending org invitation (also teams and project roles) and its PENDING mirror user |
/// | `listOrgUsers`, `listOrgTeamUsers` pages and every operation answering one org user | the org user (id, username, status and its fields, org and project roles, teams) |
/// | `listGroupUsers` pages and every operation answering one project user | the user's roles in that project (the user is created if unknown) |
/// | `deleteGroupInvite`, `deleteOrgInvite`, `removeOrgUser`, `removeGroupUser` | the removal of what the path names |
/// | every other operation (the generic behaviour's), reading, creating or changing an item (`getGroupCluster`, `createGroupCluster`, `updateGroupCluster`…) | the item as answered, at the path's key (a create's key from the answer: its `id`, or the name it is keyed by), in its recorded lifecycle state (`CREATING`, `UPDATING`, `DELETING` from the fake's now; `IDLE` settled) |
/// | a list of the generic behaviour (a page's `results`, a bare array; a POST of an array answering the page) | each item, keyed from its answer |
/// | a document of the generic behaviour (settings: GET, PUT, PATCH) | the document as answered |
/// | a DELETE of the generic behaviour | the removal of the item (one with a lifecycle goes `DELETING`) or document |
///
/// The first project and organization the cassette's paths name stand for the fake's own, as
/// in the drift check: a cassette recorded against real Atlas seeds a default fake (their ids
/// in paths and answers are the fake's).
///
/// So the fake ends in the state the cassette ends in: an object deleted in it is gone
/// (truncate [`Cassette::interactions`] to seed an earlier state). An object met again replaces
/// the earlier one (same id, or for users the same username, as the fake keeps one user per
/// username). The mirror user of an org invitation gets a fresh id unless an org user answer
/// names it.
///
/// Ignored, and listed here: auth exchanges (Digest probes that were
/// challenged, token fetches, revocations), non-2xx answers, answers of the hand-written
/// operations of a second project or organization, generic resources whose parent is not in
/// the fake (a cluster of a project neither the fake's nor created earlier in the cassette), actions (`:verb` methods, downloads), objects without a usable id or key, and
/// answers that do not decode as the operation's output (reported with the decoder's message,
/// never a panic).
///
/// Statuses are the fake's own: a PENDING user whose recorded `invitationExpiresAt` has passed
/// on the fake's clock answers INVITATION_EXPIRED (set the clock to the recording's time with
/// [`FakeAtlas::set_clock`](super::FakeAtlas::set_clock) first). Fields the fake does not keep
/// (`groupName`, `orgName`, `country`, `mobileNumber`...) are answered as the fake answers them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    /// One entry per object seeded or removed, and per interaction ignored.
    pub entries: Vec<SeedEntry>,
}

impl SeedReport {
    /// The entries that seeded or removed something.
    pub fn applied(&self) -> impl Iterator<Item = &SeedEntry> {
        self.entries.iter().filter(|e| !matches!(e.action, SeedAction::Ignored(_)))
    }

    /// The entries ignored, with why.
    pub fn ignored(&self) -> impl Iterator<Item = &SeedEntry> {
        self.entries.iter().filter(|e| matches!(e.action, SeedAction::Ignored(_)))
    }
}

impl fmt::Display for SeedEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{} {}: ", self.interaction, self.operation)?;
        match &self.action {
            SeedAction::ProjectInvitation(id) => write!(f, "seeded project invitation {id}"),
            SeedAction::OrgInvitation(id) => write!(f, "seeded org invitation {id}"),
            SeedAction::OrgUser(id) => write!(f, "seeded org user {id}"),
            SeedAction::GroupUser(id) => write!(f, "seeded project roles of user {id}"),
            SeedAction::Removed(what, id) => write!(f, "removed {what} {id}"),
            SeedAction::Resource(path) => write!(f, "seeded resource {path}"),
            SeedAction::Document(path) => write!(f, "seeded document {path}"),
            SeedAction::Ignored(why) => write!(f, "ignored: {why}"),
        }
    }
}

/// One line per entry.
impl fmt::Display for SeedReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.entries.iter().map(ToString::to_string).collect();
        f.write_str(&lines.join("\n"))
    }
}

/// Walks `cassette` into `store` (see the module docs).
pub(crate) fn seed(store: &mut Store, config: &FakeConfig, cassette: &Cassette, now: SystemTime) -> SeedReport {
    store.generic.at(now, config.settle_time);
    let mut report = SeedReport::default();
    // The recorded project and organization are the fake's, as in the drift check.
    let ids = Ids::parents(cassette, config);
    for (index, interaction) in cassette.interactions.iter().enumerate() {
        let actions = match one(store, config, &ids.onto_fake(interaction), now) {
            Ok(actions) => actions,
            Err(why) => vec![SeedAction::Ignored(why)],
        };
        report.entries.extend(actions.into_iter().map(|action| SeedEntry {
            interaction: index,
            operation: interaction.operation.clone(),
            action,
        }));
        // Links are kept by hand here; what removing a user queued is already done.
        store.users.take_unlinked();
    }
    report
}

/// Decodes a JSON body as operation `$op`'s output (the endpoint table's model), or says why
/// not.
macro_rules! decode {
    ($op:ty, $body:expr) => {{
        let bytes = serde_json::to_vec($body).unwrap_or_default();
        <$op as Operation>::decode(&bytes).map_err(|e| format!("the answer does not decode: {e}"))
    }};
}

/// Seeds what one interaction's answer holds.
fn one(store: &mut Store, config: &FakeConfig, i: &Interaction, now: SystemTime) -> Result<Vec<SeedAction>, String> {
    if matches!(i.purpose, Purpose::TokenFetch { .. } | Purpose::Revoke) {
        return Err("an auth exchange".to_owned());
    }
    let response = i.ok().ok_or("no response was recorded")?;
    if !(200..300).contains(&response.status) {
        return Err(format!("status {}, not a success", response.status));
    }
    let (endpoint, params) = recorded_route(&i.operation, &i.request.path)?;
    let enveloped = i.request.query.iter().any(|(k, v)| k == "envelope" && v == "true");
    let body = match (&response.body, enveloped) {
        (Body::Json(v), true) => v.get("content").cloned().unwrap_or(Value::Null),
        (Body::Json(v), false) => v.clone(),
        _ => Value::Null,
    };
    if !is_handwritten(endpoint.operation_id) {
        // The generic behaviour's resources live under any project or organization it holds.
        return super::seed_resources::seed(&mut store.generic, endpoint, &i.request.path, &body);
    }
    let param = |name: &str| params.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let group = param("groupId");
    let org = param("orgId");
    if !group.is_empty() && group != config.group_id {
        return Err(format!("project {group} is not the fake's ({})", config.group_id));
    }
    if !org.is_empty() && org != config.org_id {
        return Err(format!("organization {org} is not the fake's ({})", config.org_id));
    }
    let id = endpoint.operation_id;
    let actions = match id {
        "listGroupInvites" => decode!(ops::ListGroupInvites, &body)?
            .iter()
            .map(|inv| project_invitation(store, inv, now))
            .collect::<Result<_, _>>()?,
        "createGroupInvite" | "updateGroupInvites" | "getGroupInvite" | "updateGroupInviteById" => {
            vec![project_invitation(store, &decode!(ops::GetGroupInvite, &body)?, now)?]
        }
        "listOrgInvites" => decode!(ops::ListOrgInvites, &body)?
            .iter()
            .map(|inv| org_invitation(store, inv, now))
            .collect::<Result<_, _>>()?,
        "createOrgInvite" | "updateOrgInvites" | "getOrgInvite" | "updateOrgInviteById" => {
            vec![org_invitation(store, &decode!(ops::GetOrgInvite, &body)?, now)?]
        }
        "listOrgUsers" | "listOrgTeamUsers" => decode!(ops::ListOrgUsers, &body)?
            .results
            .iter()
            .map(|u| org_user(&mut store.users, u, now))
            .collect::<Result<_, _>>()?,
        "createOrgUser" | "getOrgUser" | "updateOrgUser" | "addOrgUserRole" | "removeOrgUserRole"
        | "addOrgTeamUser" | "removeOrgTeamUser" => {
            vec![org_user(&mut store.users, &decode!(ops::GetOrgUser, &body)?, now)?]
        }
        "listGroupUsers" => decode!(ops::ListGroupUsers, &body)?
            .results
            .iter()
            .map(|u| group_user(&mut store.users, &group, u, now))
            .collect::<Result<_, _>>()?,
        "addGroupUsers" | "getGroupUser" | "addGroupUserRole" | "removeGroupUserRole" => {
            vec![group_user(&mut store.users, &group, &decode!(ops::GetGroupUser, &body)?, now)?]
        }
        "deleteGroupInvite" => {
            let gone = param("invitationId");
            store.project.retain(|inv| inv.id != gone);
            vec![SeedAction::Removed("project invitation", gone)]
        }
        "deleteOrgInvite" => {
            let gone = param("invitationId");
            store.org.retain(|inv| inv.id != gone);
            if let Some(user) = store.users.linked_mut(&gone).map(|u| u.id.clone()) {
                store.users.remove(&user);
            }
            vec![SeedAction::Removed("org invitation", gone)]
        }
        "removeOrgUser" => {
            let gone = param("userId");
            if let Some(user) = store.users.remove(&gone) {
                store.org.retain(|inv| Some(&inv.id) != user.invitation.as_ref());
            }
            vec![SeedAction::Removed("org user", gone)]
        }
        "removeGroupUser" => {
            let gone = param("userId");
            if let Some(user) = store.users.get_mut(&gone) {
                user.group_roles.retain(|(g, _)| *g != group);
            }
            vec![SeedAction::Removed("project membership of user", gone)]
        }
        other => return Err(format!("{other} answers nothing the seeding keeps")),
    };
    Ok(actions)
}

/// A recorded time, else the fake's clock.
fn time(t: Option<&Timestamp>, now: SystemTime) -> SystemTime {
    whole_seconds(t.and_then(Timestamp::system_time).unwrap_or(now))
}

fn project_invitation(store: &mut Store, inv: &GroupInvitation, now: SystemTime) -> Result<SeedAction, String> {
    let id = inv.id.as_ref().map(|i| i.to_string()).filter(|i| is_hex24(i)).ok_or("an invitation without an id")?;
    let username = inv.username.clone().ok_or("an invitation without a username")?;
    let seeded = Invitation {
        id: id.clone(),
        username,
        roles: inv.roles.iter().map(|r| r.as_str().to_owned()).collect(),
        inviter: inv.inviter_username.clone().unwrap_or_default(),
        created: time(inv.created_at.as_ref(), now),
        team_ids: Vec::new(),
        group_roles: Vec::new(),
    };
    put(&mut store.project, seeded);
    Ok(SeedAction::ProjectInvitation(id))
}

/// Replaces the invitation of the same id (or username: one pending invitation each), in
/// place, or appends it.
fn put(list: &mut Vec<Invitation>, inv: Invitation) {
    let same = |i: &Invitation| i.id == inv.id || i.username.eq_ignore_ascii_case(&inv.username);
    match list.iter().position(same) {
        Some(at) => list[at] = inv,
        None => list.push(inv),
    }
}

fn org_invitation(store: &mut Store, inv: &OrganizationInvitation, now: SystemTime) -> Result<SeedAction, String> {
    let id = inv.id.as_ref().map(|i| i.to_string()).filter(|i| is_hex24(i)).ok_or("an invitation without an id")?;
    let username = inv.username.clone().ok_or("an invitation without a username")?;
    let seeded = Invitation {
        id: id.clone(),
        username: username.clone(),
        roles: inv.roles.iter().map(|r| r.as_str().to_owned()).collect(),
        inviter: inv.inviter_username.clone().unwrap_or_default(),
        created: time(inv.created_at.as_ref(), now),
        team_ids: inv.team_ids.clone(),
        group_roles: inv
            .group_role_assignments
            .iter()
            .filter_map(|a| Some((a.group_id.as_ref()?.to_string(), a.group_role.as_ref()?.as_str().to_owned())))
            .collect(),
    };
    for team in &seeded.team_ids {
        store.users.teams.insert(team.clone());
    }
    let known = store.org.iter().any(|i| i.id == id);
    let mirror_user = store.users.by_username(&username).map(|u| u.id.clone());
    match (known, mirror_user) {
        (false, None) => {
            store.add_invitation(Scope::Org, seeded);
        }
        (_, user) => {
            if let Some(user) = user {
                store.users.link(&user, &id);
            }
            mirror(&mut store.users, &seeded);
            put(&mut store.org, seeded);
        }
    }
    Ok(SeedAction::OrgInvitation(id))
}

/// The status-specific part of a recorded user.
fn membership<R>(user: &CloudUserRef<'_, R>, now: SystemTime) -> Membership {
    let u = user.0;
    match (u.status == OrgMembershipStatus::Active, u.profile(), u.invitation()) {
        (true, Some(p), _) => {
            let created = time(p.created_at.as_ref(), now);
            Membership::Active {
                created,
                last_auth: time(p.last_auth.as_ref().or(p.created_at.as_ref()), now),
                first_name: p.first_name.clone().unwrap_or_default(),
                last_name: p.last_name.clone().unwrap_or_default(),
            }
        }
        (_, _, invitation) => {
            let created = time(invitation.and_then(|i| i.invitation_created_at.as_ref()), now);
            let expires = invitation
                .and_then(|i| i.invitation_expires_at.as_ref())
                .and_then(Timestamp::system_time)
                .map_or(created + VALIDITY, whole_seconds);
            Membership::Invited {
                created,
                expires,
                inviter: invitation.and_then(|i| i.inviter_username.clone()).unwrap_or_default(),
                rejected: u.status == OrgMembershipStatus::InvitationRejected,
            }
        }
    }
}

/// A borrowed recorded user of either role shape.
struct CloudUserRef<'a, R>(&'a atlas_admin_core::CloudUser<R>);

/// The id and username of a recorded user, or why it cannot be seeded.
fn identity<R>(u: &atlas_admin_core::CloudUser<R>) -> Result<(String, String), String> {
    let id = u.id.clone().filter(|i| is_hex24(i)).ok_or("a user without a 24-hex id")?;
    let username = u.username.clone().ok_or("a user without a username")?;
    Ok((id, username))
}

/// Puts `user` in place of the user of its id, or of its username (keeping that one's link
/// to an org invitation), or adds it.
fn upsert(users: &mut Users, mut user: User) {
    if let Some(existing) = users.get_mut(&user.id) {
        user.invitation = existing.invitation.take();
        *existing = user;
        return;
    }
    let other = users.by_username(&user.username).map(|u| u.id.clone());
    if let Some(old) = other.and_then(|id| users.remove(&id)) {
        user.invitation = old.invitation;
    }
    users.insert(user);
}

fn org_user(users: &mut Users, u: &OrgUser, now: SystemTime) -> Result<SeedAction, String> {
    let (id, username) = identity(u)?;
    for team in &u.team_ids {
        users.teams.insert(team.clone());
    }
    let user = User {
        id: id.clone(),
        username,
        membership: membership(&CloudUserRef(u), now),
        org_roles: u.roles.org_roles.iter().map(|r| r.as_str().to_owned()).collect(),
        group_roles: u
            .roles
            .group_role_assignments
            .iter()
            .filter_map(|a| {
                let roles = a.group_roles.iter().map(|r| r.as_str().to_owned()).collect();
                Some((a.group_id.clone()?, roles))
            })
            .collect(),
        team_ids: u.team_ids.clone(),
        invitation: None,
    };
    upsert(users, user);
    Ok(SeedAction::OrgUser(id))
}

fn group_user(users: &mut Users, group: &str, u: &GroupUser, now: SystemTime) -> Result<SeedAction, String> {
    let (id, username) = identity(u)?;
    let roles: Vec<String> = u.roles.iter().map(|r| r.as_str().to_owned()).collect();
    let mut user = match users.get(&id).or_else(|| users.by_username(&username)) {
        Some(known) => known.clone(),
        None => User {
            id: id.clone(),
            username,
            membership: membership(&CloudUserRef(u), now),
            org_roles: vec!["ORG_MEMBER".to_owned()],
            group_roles: Vec::new(),
            team_ids: Vec::new(),
            invitation: None,
        },
    };
    user.id.clone_from(&id);
    match user.group_roles.iter_mut().find(|(g, _)| g == group) {
        Some((_, have)) => *have = roles,
        None => user.group_roles.push((group.to_owned(), roles)),
    }
    upsert(users, user);
    Ok(SeedAction::GroupUser(id))
}
