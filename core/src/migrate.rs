//! The migration from the deprecated invitations to the Cloud Users API: [`plan`] (read-only)
//! and [`apply`] (performs the plan). The guide is `transport-ureq/MIGRATING.md` (rendered as `atlas_admin_ureq::migrating`).
//!
//! Both are written once, as `async fn`s over an [`ExecuteAsync`]: anything that runs one
//! operation. The async client awaits them (`client.migrate(&scope, options).await`); the blocking
//! client runs them as a [`Blocking`](crate::Blocking) through [`blocking`] (its futures are ready at once), so this module stays free
//! of IO and of any runtime. [`apply`] plans afresh from what Atlas says now, then runs each
//! user's calls in order, stopping that user at the first failure:
//!
//! - **Re-runnable.** A user whose replacement exists is `already_present` and gets no create;
//!   a second run makes no POST or DELETE and its [`Report::changes`] is 0.
//! - **Never deletes first.** A project invitation is deleted only after its replacement was
//!   created (201) or found (`listGroupUsers?username=`) holding every invited role; a failed
//!   create keeps it.
//! - **No role lost.** A project user found lacking some invited roles gets each one with
//!   `addGroupUserRole` (one role per call) before the invitation is deleted (`add_roles`);
//!   a failed `:addRole` keeps the invitation, and the next run adds what is still missing.
//! - **No double invitation.** The replacement is looked up by `?username=` before any create;
//!   a user found PENDING or ACTIVE is never invited again.
//! - **Org invitations are never deleted.** Atlas shows each one as a PENDING org user (a
//!   different id, observed live): that user *is* the replacement, and deleting the invitation
//!   cancels it. An org invitation with its user is `already_present`.
//! - **Accepted invitations** are gone from the invitation lists (Atlas deletes them): nothing
//!   to plan. One accepted between plan and apply is found ACTIVE, so `already_present`.
//! - **Expired invitations** (`expiresAt` before `now`) are `skipped` and left as they are,
//!   unless [`Options::reinvite_expired`]: then they are replaced like pending ones (Atlas
//!   replaces an `INVITATION_EXPIRED` user on create), which sends a new invitation e-mail.
//! - An existing user's roles are never removed. An org user lacking roles of its org
//!   invitation is reported in `note` and not changed: org invitations are never deleted, so
//!   nothing is lost (add roles yourself with `:addRole`, one per call).
//!
//! The plan and the report use one vocabulary, [`Action`]; [`Plan::changes`] and
//! [`Report::changes`] count invitees, not calls.
//!
//! Unverified assumptions about live Atlas: `addGroupUsers` answers 201 for a username that
//! still holds a legacy project invitation (the Terraform guide implies it); deleting a legacy
//! project invitation leaves the Cloud Users project user alone; an invitation without
//! `expiresAt` is still pending; `DELETE` of an invitation answering 404 means it is already
//! gone (accepted or deleted meanwhile) and counts as done; `addGroupUserRole` adds a role to
//! a PENDING project user as to an ACTIVE one. A create answering 409 (a user
//! appeared between the lookup and the create) is reported `failed` and the invitation kept;
//! the next run finds the user and deletes the invitation then.

use crate::error::{Error, InvalidInput};
use crate::execute::ExecuteAsync;
use crate::models::GroupRoleChange;
use crate::models::{
    CloudUser, GroupInvitation, GroupRole, GroupUserRequest, OrgUserRequest, OrgUserRolesRequest,
    OrganizationInvitation,
};
use crate::models::{GroupRolesRequest, OrgMembershipStatus, OrgRole, ProjectRole};
use crate::operation::Operation;
use crate::ops::ListOrgUsers;
use crate::ops::{AddGroupUserRole, AddGroupUsers, CreateOrgUser, DeleteGroupInvite};
use crate::ops::{ListGroupInvites, ListGroupUsers, ListOrgInvites};
use crate::response::ApiResponse;
use crate::timestamp::Timestamp;
use crate::validate::{GroupId, InvitationId, OrgId, TeamId, UserId};
use serde::Serialize;
use serde_json::Value;
use std::time::SystemTime;

/// Runs one operation through `exec` and keeps only its decoded body.
async fn run<E: ExecuteAsync, O>(exec: &E, op: &O) -> Result<O::Output, Error>
where
    O: Operation + Sync,
    O::Output: Send + 'static,
{
    exec.execute(op).await.map(ApiResponse::into_value)
}

/// Runs [`plan`] or [`apply`] over an [`ExecuteAsync`] whose futures are ready when made (a
/// blocking client in [`Blocking`](crate::Blocking)): polls once, never waits. A future that is still pending is
/// [`Error::Usage`] (use `.await` with an async executor).
pub fn blocking<T>(f: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
    let mut f = std::pin::pin!(f);
    match f.as_mut().poll(&mut std::task::Context::from_waker(std::task::Waker::noop())) {
        std::task::Poll::Ready(out) => out,
        std::task::Poll::Pending => Err(Error::Usage("migrate::blocking needs an executor whose futures are ready")),
    }
}

/// Whose invitations to migrate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Scope {
    /// The organization's invitations (`/orgs/{orgId}/invites`).
    Org(OrgId),
    /// The project's invitations (`/groups/{groupId}/invites`).
    Group(GroupId),
}

/// How [`plan`] and [`apply`] treat what is not plainly pending.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// Replace expired invitations too (sends a new invitation e-mail). Default: skip them.
    pub reinvite_expired: bool,
}

impl Options {
    /// Expired invitations are replaced too.
    pub fn reinvite_expired(mut self, yes: bool) -> Self {
        self.reinvite_expired = yes;
        self
    }
}

/// What is done for one invitation: planned in [`Entry::action`], done in
/// [`UserReport::action`] (the same words in both, `snake_case` in JSON).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Create the replacement (then delete a project invitation).
    Replace,
    /// The replacement exists but lacks invited roles: add each (`:addRole`), then delete the
    /// project invitation.
    AddRoles,
    /// The replacement exists with the invited roles: no create (a project invitation is
    /// still deleted).
    AlreadyPresent,
    /// Left alone (expired; see [`Options::reinvite_expired`]; or declined).
    Skip,
    /// Cannot be planned (the lookup failed, or the invitation cannot become a valid request),
    /// or, in a report, a call failed. The invitation is kept unless its replacement holds
    /// every invited role.
    Fail,
}

/// One call of a plan, in a printable form.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallSummary {
    /// The operationId.
    pub operation_id: &'static str,
    /// Method and path, ids filled in.
    pub request: String,
    /// The JSON body, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// A call the plan would make.
#[derive(Clone, Debug)]
enum Call {
    CreateOrgUser(CreateOrgUser),
    AddGroupUsers(AddGroupUsers),
    AddGroupUserRole(AddGroupUserRole),
    DeleteGroupInvite(DeleteGroupInvite),
}

impl Call {
    fn summary(&self) -> CallSummary {
        fn of<O: Operation>(op: &O) -> CallSummary {
            let e = O::ENDPOINT;
            let mut path = e.path.to_owned();
            for (name, value) in op.path_params() {
                path = path.replace(&format!("{{{name}}}"), value);
            }
            let body = op.body().ok().flatten().and_then(|b| serde_json::from_slice(&b).ok());
            CallSummary { operation_id: e.operation_id, request: format!("{} {path}", e.method), body }
        }
        match self {
            Call::CreateOrgUser(op) => of(op),
            Call::AddGroupUsers(op) => of(op),
            Call::AddGroupUserRole(op) => of(op),
            Call::DeleteGroupInvite(op) => of(op),
        }
    }

    /// Runs the call; the id of the user it created, if any.
    async fn run<E: ExecuteAsync>(&self, exec: &E) -> Result<Option<String>, Error> {
        match self {
            Call::CreateOrgUser(op) => run(exec, op).await.map(|u| u.id),
            Call::AddGroupUsers(op) => run(exec, op).await.map(|u| u.id),
            Call::AddGroupUserRole(op) => run(exec, op).await.map(|u| u.id),
            Call::DeleteGroupInvite(op) => match run(exec, op).await {
                Err(e) if e.status() == Some(http::StatusCode::NOT_FOUND) => Ok(None),
                other => other.map(|()| None),
            },
        }
    }
}

/// The plan for one invitation.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// The invitee.
    pub username: String,
    /// The deprecated invitation's id (not a user id).
    pub invitation_id: Option<String>,
    /// Whether the invitation had expired at `now`.
    pub expired: bool,
    /// What happens.
    pub action: Action,
    /// The replacement user's id and status, when it exists already.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing_user: Option<ExistingUser>,
    /// Why (for skip, fail and role differences).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The calls, in order.
    pub calls: Vec<CallSummary>,
    #[serde(skip)]
    ops: Vec<Call>,
}

/// A Cloud Users user found by `?username=`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExistingUser {
    /// Its user id (not the invitation id).
    pub id: Option<String>,
    /// Its `orgMembershipStatus`.
    pub status: String,
}

/// What [`plan`] found: one entry per invitation, in Atlas's order.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    /// Whose invitations.
    pub scope: Scope,
    /// One per invitation.
    pub entries: Vec<Entry>,
}

impl Plan {
    /// Invitees whose plan changes something (at least one POST or DELETE).
    pub fn changes(&self) -> usize {
        self.entries.iter().filter(|e| !e.ops.is_empty()).count()
    }
}

/// One invitee's result.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserReport {
    /// The invitee.
    pub username: String,
    /// The deprecated invitation's id.
    pub invitation_id: Option<String>,
    /// What was done: the plan's action, or [`Action::Fail`] if one of its calls failed.
    pub action: Action,
    /// The replacement's user id, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The calls made that changed something, in order.
    pub done: Vec<CallSummary>,
    /// Why (skip, failure, role differences).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What [`apply`] did.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// Whose invitations.
    pub scope: Scope,
    /// One per invitation.
    pub users: Vec<UserReport>,
    /// Invitees for whom something changed (at least one POST or DELETE succeeded); 0 means
    /// nothing changed.
    pub changes: usize,
    /// A one-line summary ("nothing to change" on a re-run).
    pub summary: String,
}

impl Report {
    /// How many invitees failed.
    pub fn failed(&self) -> usize {
        self.users.iter().filter(|u| u.action == Action::Fail).count()
    }
}

/// One deprecated invitation, either scope.
struct Invite {
    username: String,
    id: Option<InvitationId>,
    expires_at: Option<Timestamp>,
    request: Result<Request, InvalidInput>,
}

enum Request {
    Org(OrgUserRequest),
    Group(GroupUserRequest),
}

fn org_request(inv: &OrganizationInvitation, username: &str) -> Result<OrgUserRequest, InvalidInput> {
    // Roles grouped by project, in first-seen order; the index keeps it linear in what Atlas sends.
    let mut grouped: Vec<(GroupId, Vec<ProjectRole>)> = Vec::new();
    let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for GroupRole { group_id, group_role, .. } in &inv.group_role_assignments {
        let (Some(g), Some(r)) = (group_id, group_role) else { continue };
        match index.get(g.as_str()).and_then(|&i| grouped.get_mut(i)) {
            Some((_, roles)) => roles.push(r.clone()),
            None => {
                index.insert(g.as_str(), grouped.len());
                grouped.push((g.clone(), vec![r.clone()]));
            }
        }
    }
    let assignments =
        grouped.into_iter().map(|(g, roles)| GroupRolesRequest::new(g, roles)).collect::<Result<Vec<_>, _>>()?;
    let mut roles = OrgUserRolesRequest::new(inv.roles.iter().cloned())?;
    if !assignments.is_empty() {
        roles = roles.with_group_role_assignments(assignments)?;
    }
    let teams = inv.team_ids.iter().map(TeamId::new).collect::<Result<Vec<_>, _>>()?;
    let mut body = OrgUserRequest::new(username, roles)?;
    if !teams.is_empty() {
        body = body.with_team_ids(teams)?;
    }
    Ok(body)
}

async fn invites<E: ExecuteAsync>(exec: &E, scope: &Scope) -> Result<Vec<Invite>, Error> {
    Ok(match scope {
        Scope::Org(org) => run(exec, &ListOrgInvites::new(org)?)
            .await?
            .into_iter()
            .map(|inv| {
                let username = inv.username.clone().unwrap_or_default();
                let request = org_request(&inv, &username).map(Request::Org);
                Invite { id: inv.id, expires_at: inv.expires_at, request, username }
            })
            .collect(),
        Scope::Group(group) => run(exec, &ListGroupInvites::new(group)?)
            .await?
            .into_iter()
            .map(|inv: GroupInvitation| {
                let username = inv.username.clone().unwrap_or_default();
                let request = GroupUserRequest::new(username.clone(), inv.roles.iter().cloned()).map(Request::Group);
                Invite { id: inv.id, expires_at: inv.expires_at, request, username }
            })
            .collect(),
    })
}

/// The PENDING or ACTIVE Cloud Users user of `username` in the scope, with the roles it lacks.
async fn lookup<E: ExecuteAsync>(
    exec: &E,
    scope: &Scope,
    username: &str,
    request: Option<&Request>,
) -> Result<Option<(ExistingUser, Vec<String>)>, Error> {
    fn found<R>(user: CloudUser<R>, missing: Vec<String>) -> (ExistingUser, Vec<String>) {
        (ExistingUser { id: user.id, status: user.status.as_str().to_owned() }, missing)
    }
    let same = |u: &Option<String>| u.as_deref().is_some_and(|u| u.eq_ignore_ascii_case(username));
    Ok(match scope {
        Scope::Org(org) => {
            let page =
                run(exec, &ListOrgUsers::new(org)?.username(username)?.org_membership_statuses(ALL_STATUSES)?).await?;
            page.results.into_iter().find(|u| same(&u.username)).map(|u| {
                let missing = match request {
                    Some(Request::Org(r)) => lacking(
                        r.roles().org_roles().iter().map(OrgRole::as_str),
                        u.roles.org_roles.iter().map(OrgRole::as_str),
                    ),
                    _ => Vec::new(),
                };
                found(u, missing)
            })
        }
        Scope::Group(group) => {
            let page =
                run(exec, &ListGroupUsers::new(group)?.username(username)?.org_membership_statuses(ALL_STATUSES)?)
                    .await?;
            page.results.into_iter().find(|u| same(&u.username)).map(|u| {
                let missing = match request {
                    Some(Request::Group(r)) => {
                        lacking(r.roles().iter().map(ProjectRole::as_str), u.roles.iter().map(ProjectRole::as_str))
                    }
                    _ => Vec::new(),
                };
                found(u, missing)
            })
        }
    })
}

/// Every membership status: without the filter Atlas lists only PENDING and ACTIVE users, and a
/// user who declined or let the invitation expire must be found too (never re-invited silently).
const ALL_STATUSES: [OrgMembershipStatus; 4] = [
    OrgMembershipStatus::Pending,
    OrgMembershipStatus::Active,
    OrgMembershipStatus::InvitationExpired,
    OrgMembershipStatus::InvitationRejected,
];

/// The invited role names the user does not hold (a set of what it holds keeps this linear).
fn lacking<'a>(invited: impl Iterator<Item = &'a str>, held: impl Iterator<Item = &'a str>) -> Vec<String> {
    let held: std::collections::HashSet<&str> = held.collect();
    invited.filter(|role| !held.contains(role)).map(str::to_owned).collect()
}

/// The calls that finish a project invitation whose user exists: an `addGroupUserRole` for each
/// invited role the user lacks, then the invitation's delete; or why it cannot be finished
/// without losing a role (the user's id is unknown, or a role or the delete cannot be built).
fn complete(
    scope: &Scope,
    user: &ExistingUser,
    missing: &[String],
    delete: Result<Call, InvalidInput>,
) -> Result<Vec<Call>, String> {
    let delete = delete.map_err(|e| format!("cannot delete the invitation: {e}"))?;
    let mut ops = Vec::with_capacity(missing.len().saturating_add(1));
    if let (Scope::Group(group), false) = (scope, missing.is_empty()) {
        let id = user.id.as_deref().ok_or("the user lacks invited roles and Atlas gave no user id to add them to")?;
        let id = UserId::new(id).map_err(|e| format!("cannot add the missing roles: {e}"))?;
        for role in missing {
            let change = GroupRoleChange::new(ProjectRole::parse(role))
                .and_then(|change| AddGroupUserRole::new(group, &id, change))
                .map_err(|e| format!("cannot add the missing role {role}: {e}"))?;
            ops.push(Call::AddGroupUserRole(change));
        }
    }
    ops.push(delete);
    Ok(ops)
}

/// How far [`plan_with_progress`] or [`apply_with_progress`] is, for a progress display.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress {
    /// Invitees looked up so far, of all the scope's invitations (listed: `done` 0).
    Planning {
        /// Invitees looked up.
        done: usize,
        /// Invitations listed.
        of: usize,
    },
    /// Invitees whose calls were made so far (or found nothing to do), of all.
    Applying {
        /// Invitees done.
        done: usize,
        /// Invitees in the plan.
        of: usize,
    },
}

/// Read-only: lists the scope's invitations, looks each invitee up by `?username=`, and says
/// what [`apply`] would do. `now` decides which invitations have expired (Atlas's own status
/// for the invitee, when it has one, wins over it).
pub async fn plan<E: ExecuteAsync>(exec: &E, scope: &Scope, options: Options, now: SystemTime) -> Result<Plan, Error> {
    plan_with_progress(exec, scope, options, now, &|_| {}).await
}

/// [`plan`], telling `progress` after the listing and after each invitee.
pub async fn plan_with_progress<E: ExecuteAsync>(
    exec: &E,
    scope: &Scope,
    options: Options,
    now: SystemTime,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Plan, Error> {
    let mut entries = Vec::new();
    let invitations = invites(exec, scope).await?;
    let of = invitations.len();
    progress(Progress::Planning { done: 0, of });
    for inv in invitations {
        let expired = inv.expires_at.as_ref().and_then(|t| t.has_passed(now)).unwrap_or(false);
        let mut entry = Entry {
            username: inv.username.clone(),
            invitation_id: inv.id.as_ref().map(|i| i.as_str().to_owned()),
            expired,
            action: Action::Fail,
            existing_user: None,
            note: None,
            calls: Vec::new(),
            ops: Vec::new(),
        };
        let delete = match (scope, &inv.id) {
            (Scope::Group(g), Some(id)) => Some(DeleteGroupInvite::new(g, id).map(Call::DeleteGroupInvite)),
            _ => None,
        };
        let found = lookup(exec, scope, &inv.username, inv.request.as_ref().ok()).await;
        // Atlas's own word on the invitee wins over the local clock: an INVITATION_EXPIRED user is
        // expired, and one who declined is never invited again.
        let status =
            |wanted: OrgMembershipStatus| matches!(&found, Ok(Some((user, _))) if user.status == wanted.as_str());
        let expired = expired || status(OrgMembershipStatus::InvitationExpired);
        entry.expired = expired;
        let rejected = status(OrgMembershipStatus::InvitationRejected);
        let found = found
            .map(|f| f.filter(|(user, _)| user.status != OrgMembershipStatus::InvitationExpired.as_str() && !rejected));
        match found {
            _ if rejected => {
                entry.action = Action::Skip;
                entry.note = Some("the invitee declined (INVITATION_REJECTED); never invited again".to_owned());
            }
            Err(e) => entry.note = Some(format!("looking up {} failed: {e}", inv.username)),
            // Without the invited roles, whether the user holds them is unknown: the
            // invitation is kept (`action` stays `Fail`, no call).
            Ok(Some((user, _))) if inv.request.is_err() => {
                let why = inv.request.as_ref().err().map(ToString::to_string).unwrap_or_default();
                entry.note = Some(format!("cannot read the invited roles ({why}); the invitation is kept"));
                entry.existing_user = Some(user);
            }
            Ok(Some((user, missing))) => {
                entry.action = Action::AlreadyPresent;
                // (An expired invitation whose replacement already exists, because an earlier run
                // with `reinvite_expired` created it, is finished too.)
                let finish = !expired || options.reinvite_expired;
                match delete {
                    Some(delete) if finish => match complete(scope, &user, &missing, delete) {
                        Ok(ops) => {
                            if !missing.is_empty() {
                                entry.action = Action::AddRoles;
                                entry.note = Some(format!(
                                    "the user lacks invited roles {}: each is added before the invitation is deleted",
                                    missing.join(", ")
                                ));
                            }
                            entry.ops = ops;
                        }
                        Err(why) => {
                            entry.action = Action::Fail;
                            entry.note = Some(format!("{why}; the invitation is kept"));
                        }
                    },
                    _ if !missing.is_empty() => {
                        let kept = if delete.is_some() { "the invitation is kept" } else { "not changed" };
                        entry.note = Some(format!("the user lacks invited roles {}; {kept}", missing.join(", ")));
                    }
                    _ => {}
                }
                entry.existing_user = Some(user);
            }
            Ok(None) if expired && !options.reinvite_expired => {
                entry.action = Action::Skip;
                entry.note = Some("the invitation expired; not re-invited (reinvite_expired)".to_owned());
            }
            Ok(None) => match (&inv.request, scope) {
                (Err(e), _) => entry.note = Some(format!("cannot build the replacement: {e}")),
                (Ok(Request::Org(body)), Scope::Org(org)) => match CreateOrgUser::new(org, body.clone()) {
                    Ok(op) => {
                        entry.action = Action::Replace;
                        entry.ops.push(Call::CreateOrgUser(op));
                    }
                    Err(e) => entry.note = Some(format!("cannot build the replacement: {e}")),
                },
                (Ok(Request::Group(body)), Scope::Group(group)) => {
                    match (AddGroupUsers::new(group, body.clone()), delete) {
                        (Ok(op), Some(Ok(delete))) => {
                            entry.action = Action::Replace;
                            entry.ops.extend([Call::AddGroupUsers(op), delete]);
                        }
                        (Err(e), _) | (_, Some(Err(e))) => {
                            entry.note = Some(format!("cannot build the replacement: {e}"));
                        }
                        (Ok(_), None) => entry.note = Some("the invitation has no id to delete".to_owned()),
                    }
                }
                _ => entry.note = Some("scope mismatch".to_owned()),
            },
        }
        entry.calls = entry.ops.iter().map(Call::summary).collect();
        entries.push(entry);
        progress(Progress::Planning { done: entries.len(), of });
    }
    Ok(Plan { scope: scope.clone(), entries })
}

/// Plans afresh (so a re-run sees what the last run did) and performs the plan: each
/// invitee's calls in order, stopping at its first failure. Fails as a whole only if the
/// invitations cannot be listed.
pub async fn apply<E: ExecuteAsync>(
    exec: &E,
    scope: &Scope,
    options: Options,
    now: SystemTime,
) -> Result<Report, Error> {
    apply_with_progress(exec, scope, options, now, &|_| {}).await
}

/// [`apply`], telling `progress` how the planning goes, then after each invitee.
pub async fn apply_with_progress<E: ExecuteAsync>(
    exec: &E,
    scope: &Scope,
    options: Options,
    now: SystemTime,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Report, Error> {
    let plan = plan_with_progress(exec, scope, options, now, progress).await?;
    let of = plan.entries.len();
    progress(Progress::Applying { done: 0, of });
    let mut users = Vec::new();
    for entry in plan.entries {
        let mut report = UserReport {
            username: entry.username,
            invitation_id: entry.invitation_id,
            action: entry.action,
            user_id: entry.existing_user.and_then(|u| u.id),
            done: Vec::new(),
            reason: entry.note,
        };
        for (call, summary) in entry.ops.iter().zip(entry.calls) {
            match call.run(exec).await {
                Ok(created) => {
                    report.user_id = created.or(report.user_id);
                    report.done.push(summary);
                }
                Err(e) => {
                    report.action = Action::Fail;
                    let kept = if matches!(call, Call::DeleteGroupInvite(_)) { "" } else { "; the invitation is kept" };
                    report.reason = Some(format!("{} failed: {e}{kept}", summary.operation_id));
                    break;
                }
            }
        }
        users.push(report);
        progress(Progress::Applying { done: users.len(), of });
    }
    let changes = users.iter().filter(|u| !u.done.is_empty()).count();
    let failed = users.iter().filter(|u| u.action == Action::Fail).count();
    let invitees = |n: usize| if n == 1 { "1 invitee".to_owned() } else { format!("{n} invitees") };
    let summary = match (changes, failed) {
        (0, 0) => "nothing to change".to_owned(),
        (0, f) => format!("nothing changed, {} failed", invitees(f)),
        (n, 0) => format!("{} changed, no failures", invitees(n)),
        (n, f) => format!("{} changed, {} failed", invitees(n), invitees(f)),
    };
    Ok(Report { scope: plan.scope, users, changes, summary })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    const GROUP: &str = "32b6e34b3d91647abb20e7b8";
    const ORG: &str = "4888442a3354817a7320eb61";
    /// 2026-08-10T03:04:53Z.
    fn now() -> SystemTime {
        SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_786_331_093)
    }

    /// Answers each call with the next canned (operationId, status, body), in order.
    struct Canned {
        answers: std::sync::Mutex<VecDeque<(&'static str, u16, String)>>,
        seen: std::sync::Mutex<Vec<&'static str>>,
    }

    impl Canned {
        fn new(answers: impl IntoIterator<Item = (&'static str, u16, String)>) -> Self {
            Canned { answers: std::sync::Mutex::new(answers.into_iter().collect()), seen: Default::default() }
        }
    }

    impl ExecuteAsync for Canned {
        fn execute<O>(&self, op: &O) -> impl Future<Output = Result<ApiResponse<O::Output>, Error>> + Send
        where
            O: Operation + Sync,
            O::Output: Send + 'static,
        {
            let id = O::ENDPOINT.operation_id;
            self.seen.lock().unwrap().push(id);
            let next = self.answers.lock().unwrap().pop_front();
            let (want, status, body) = next.unwrap_or_else(|| panic!("unexpected {id}"));
            assert_eq!(id, want);
            let response = http::Response::builder()
                .status(status)
                .header("content-type", "application/json")
                .body(body.into_bytes())
                .unwrap();
            std::future::ready(crate::parse_response(op, response, SystemTime::UNIX_EPOCH))
        }
    }

    fn empty_page() -> String {
        r#"{"links":[],"results":[],"totalCount":0}"#.to_owned()
    }

    fn not_found() -> String {
        r#"{"detail":"gone","error":404,"errorCode":"RESOURCE_NOT_FOUND","reason":"Not Found"}"#.to_owned()
    }

    #[test]
    fn an_expired_org_invitation_becomes_one_create_with_grouped_project_roles_and_teams() {
        let invitation = serde_json::json!([{
            "id": "6a793f8ec0eb9e7a17716c2d", "username": "ada@example.com", "roles": ["ORG_MEMBER"],
            "groupRoleAssignments": [{"groupId": GROUP, "groupRole": "GROUP_READ_ONLY"},
                                     {"groupId": GROUP, "groupRole": "GROUP_OWNER"}],
            "teamIds": ["6a793f8ec0eb9e7a17716c2f"], "expiresAt": "2026-08-01T00:00:00Z"
        }]);
        let scope = Scope::Org(OrgId::new(ORG).unwrap());
        let answers = || [("listOrgInvites", 200, invitation.to_string()), ("listOrgUsers", 200, empty_page())];
        let skipped = blocking(plan(&Canned::new(answers()), &scope, Options::default(), now())).unwrap();
        assert_eq!((skipped.entries[0].action, skipped.changes()), (Action::Skip, 0));
        let replaced =
            blocking(plan(&Canned::new(answers()), &scope, Options::default().reinvite_expired(true), now())).unwrap();
        let entry = &replaced.entries[0];
        assert!(entry.expired);
        assert_eq!(entry.action, Action::Replace);
        let call = &entry.calls[0];
        assert_eq!(call.request, format!("POST /api/atlas/v2/orgs/{ORG}/users"));
        let body = call.body.as_ref().unwrap();
        assert_eq!(body["roles"]["orgRoles"], serde_json::json!(["ORG_MEMBER"]));
        assert_eq!(
            body["roles"]["groupRoleAssignments"],
            serde_json::json!([{"groupId": GROUP, "groupRoles": ["GROUP_READ_ONLY", "GROUP_OWNER"]}])
        );
        assert_eq!(body["teamIds"], serde_json::json!(["6a793f8ec0eb9e7a17716c2f"]));
    }

    /// Two project invitations, neither invitee a user yet: ada's replacement is created and
    /// her invitation's delete answers 404 (already gone); bob's create is refused (403).
    fn ada_replaced_bob_refused() -> Canned {
        let invitations = serde_json::json!([
            {"id": "6a7900ff11bb22cc33dd44e1", "username": "ada@example.com", "roles": ["GROUP_READ_ONLY"]},
            {"id": "6a7900ff11bb22cc33dd44e2", "username": "bob@example.com", "roles": ["GROUP_READ_ONLY"]},
        ]);
        let user = r#"{"id":"6a793f8ec0eb9e7a17716c2e","username":"ada@example.com","orgMembershipStatus":"PENDING","roles":["GROUP_READ_ONLY"]}"#;
        Canned::new([
            ("listGroupInvites", 200, invitations.to_string()),
            ("listGroupUsers", 200, empty_page()),
            ("listGroupUsers", 200, empty_page()),
            ("addGroupUsers", 201, user.to_owned()),
            ("deleteGroupInvite", 404, not_found()),
            ("addGroupUsers", 403, not_found().replace("404", "403")),
        ])
    }

    #[test]
    fn a_failed_create_stops_before_the_delete_and_a_delete_answering_404_is_done() {
        let exec = ada_replaced_bob_refused();
        let scope = Scope::Group(GroupId::new(GROUP).unwrap());
        let report = blocking(apply(&exec, &scope, Options::default(), now())).unwrap();
        assert!(exec.answers.lock().unwrap().is_empty(), "no delete after bob's failed create");
        assert_eq!(report.users[0].action, Action::Replace);
        assert_eq!(report.users[0].user_id.as_deref(), Some("6a793f8ec0eb9e7a17716c2e"));
        assert_eq!(report.users[1].action, Action::Fail);
        assert!(report.users[1].reason.as_deref().unwrap().ends_with("the invitation is kept"));
        assert_eq!(
            (report.changes, report.failed(), report.summary.as_str()),
            (1, 1, "1 invitee changed, 1 invitee failed")
        );
    }

    /// Progress says each invitee looked up, then each applied, with how many there are.
    #[test]
    fn progress_counts_invitees_planned_then_applied() {
        let exec = ada_replaced_bob_refused();
        let scope = Scope::Group(GroupId::new(GROUP).unwrap());
        let seen = std::sync::Mutex::new(Vec::new());
        let record = |p: Progress| seen.lock().unwrap().push(p);
        let report = blocking(apply_with_progress(&exec, &scope, Options::default(), now(), &record)).unwrap();
        assert_eq!(report.users.len(), 2);
        let (planning, applying) =
            (|done| Progress::Planning { done, of: 2 }, |done| Progress::Applying { done, of: 2 });
        assert_eq!(
            *seen.lock().unwrap(),
            [planning(0), planning(1), planning(2), applying(0), applying(1), applying(2)]
        );
    }

    #[test]
    fn an_invitee_that_is_not_an_email_fails_in_the_plan_and_sends_nothing() {
        let exec = Canned::new([(
            "listGroupInvites",
            200,
            r#"[{"id":"6a7900ff11bb22cc33dd44e1","username":"APIKEY1","roles":["GROUP_READ_ONLY"]}]"#.to_owned(),
        )]);
        let scope = Scope::Group(GroupId::new(GROUP).unwrap());
        let report = blocking(apply(&exec, &scope, Options::default(), now())).unwrap();
        assert_eq!(*exec.seen.lock().unwrap(), ["listGroupInvites"]);
        assert_eq!(report.users[0].action, Action::Fail);
        assert!(report.users[0].reason.as_deref().unwrap().contains("looking up"), "{:?}", report.users[0]);
        assert_eq!(report.changes, 0);
    }
    /// An invitation whose roles cannot be read (here: listed twice) of a user who exists:
    /// whether the user holds them is unknown, so the plan fails it and deletes nothing.
    #[test]
    fn an_invitation_whose_roles_cannot_be_read_is_kept_and_fails() {
        let invitation =
            r#"[{"id":"6a7900ff11bb22cc33dd44e1","username":"ada@example.com","roles":["GROUP_OWNER","GROUP_OWNER"]}]"#;
        let user = r#"{"links":[],"results":[{"id":"6a793f8ec0eb9e7a17716c2e","username":"ada@example.com","orgMembershipStatus":"ACTIVE","roles":["GROUP_READ_ONLY"]}],"totalCount":1}"#;
        let exec =
            Canned::new([("listGroupInvites", 200, invitation.to_owned()), ("listGroupUsers", 200, user.to_owned())]);
        let scope = Scope::Group(GroupId::new(GROUP).unwrap());
        let report = blocking(apply(&exec, &scope, Options::default(), now())).unwrap();
        assert_eq!(*exec.seen.lock().unwrap(), ["listGroupInvites", "listGroupUsers"], "no delete is sent");
        let ada = &report.users[0];
        assert_eq!(ada.action, Action::Fail, "{ada:?}");
        let reason = ada.reason.as_deref().unwrap();
        assert!(reason.starts_with("cannot read the invited roles") && reason.ends_with("the invitation is kept"));
        assert_eq!((report.changes, report.failed()), (0, 1));
    }

    /// A project user lacking invited roles: the plan adds each (`add_roles`) before the
    /// delete; a failed `:addRole` stops before the delete (the invitation is kept, exit 1 in
    /// the CLI); the re-run adds only what is still missing, then deletes.
    #[test]
    fn an_existing_user_lacking_invited_roles_gets_them_before_the_invitation_is_deleted() {
        let invitation = serde_json::json!([{"id": "6a7900ff11bb22cc33dd44e1", "username": "ada@example.com",
            "roles": ["GROUP_READ_ONLY", "GROUP_OWNER", "GROUP_DATA_ACCESS_READ_ONLY"]}]);
        let user = |roles: &[&str]| {
            serde_json::json!({"links": [], "totalCount": 1, "results": [{"id": "6a793f8ec0eb9e7a17716c2e",
                "username": "ada@example.com", "orgMembershipStatus": "ACTIVE", "roles": roles}]})
            .to_string()
        };
        let added = |roles: &[&str]| {
            serde_json::json!({"id": "6a793f8ec0eb9e7a17716c2e", "username": "ada@example.com",
                "orgMembershipStatus": "ACTIVE", "roles": roles})
            .to_string()
        };
        let scope = Scope::Group(GroupId::new(GROUP).unwrap());
        let exec = Canned::new([
            ("listGroupInvites", 200, invitation.to_string()),
            ("listGroupUsers", 200, user(&["GROUP_READ_ONLY"])),
        ]);
        let planned = blocking(plan(&exec, &scope, Options::default(), now())).unwrap();
        let entry = &planned.entries[0];
        assert_eq!(entry.action, Action::AddRoles);
        let calls: Vec<(&str, Option<&Value>)> =
            entry.calls.iter().map(|c| (c.operation_id, c.body.as_ref())).collect();
        let role = |r: &str| serde_json::json!({"groupRole": r});
        assert_eq!(
            calls,
            [
                ("addGroupUserRole", Some(&role("GROUP_OWNER"))),
                ("addGroupUserRole", Some(&role("GROUP_DATA_ACCESS_READ_ONLY"))),
                ("deleteGroupInvite", None),
            ]
        );
        assert_eq!(
            entry.calls[0].request,
            format!("POST /api/atlas/v2/groups/{GROUP}/users/6a793f8ec0eb9e7a17716c2e:addRole")
        );
        assert_eq!(planned.changes(), 1, "one invitee, three calls");

        // The second role is refused: no delete, the invitation is kept.
        let exec = Canned::new([
            ("listGroupInvites", 200, invitation.to_string()),
            ("listGroupUsers", 200, user(&["GROUP_READ_ONLY"])),
            ("addGroupUserRole", 200, added(&["GROUP_READ_ONLY", "GROUP_OWNER"])),
            ("addGroupUserRole", 403, not_found().replace("404", "403")),
        ]);
        let report = blocking(apply(&exec, &scope, Options::default(), now())).unwrap();
        assert!(exec.answers.lock().unwrap().is_empty());
        assert_eq!(*exec.seen.lock().unwrap().last().unwrap(), "addGroupUserRole", "no delete after the failure");
        let ada = &report.users[0];
        assert_eq!((ada.action, ada.done.len()), (Action::Fail, 1));
        assert!(ada.reason.as_deref().unwrap().starts_with("addGroupUserRole failed"), "{ada:?}");
        assert!(ada.reason.as_deref().unwrap().ends_with("the invitation is kept"), "{ada:?}");
        assert_eq!((report.changes, report.failed()), (1, 1));

        // The re-run adds only the role still missing, then deletes.
        let exec = Canned::new([
            ("listGroupInvites", 200, invitation.to_string()),
            ("listGroupUsers", 200, user(&["GROUP_READ_ONLY", "GROUP_OWNER"])),
            ("addGroupUserRole", 200, added(&["GROUP_READ_ONLY", "GROUP_OWNER", "GROUP_DATA_ACCESS_READ_ONLY"])),
            ("deleteGroupInvite", 204, String::new()),
        ]);
        let report = blocking(apply(&exec, &scope, Options::default(), now())).unwrap();
        assert!(exec.answers.lock().unwrap().is_empty());
        assert_eq!((report.users[0].action, report.users[0].done.len()), (Action::AddRoles, 2));
        assert_eq!(report.summary, "1 invitee changed, no failures");
    }

    /// A project user lacking invited roles whose id Atlas did not give cannot get them: the
    /// plan fails that invitee and sends nothing for it (the invitation is kept).
    #[test]
    fn a_user_lacking_roles_without_an_id_keeps_the_invitation() {
        let invitation = r#"[{"id":"6a7900ff11bb22cc33dd44e1","username":"ada@example.com","roles":["GROUP_OWNER"]}]"#;
        let user = r#"{"links":[],"totalCount":1,"results":[{"username":"ada@example.com","orgMembershipStatus":"ACTIVE","roles":["GROUP_READ_ONLY"]}]}"#;
        let exec =
            Canned::new([("listGroupInvites", 200, invitation.to_owned()), ("listGroupUsers", 200, user.to_owned())]);
        let scope = Scope::Group(GroupId::new(GROUP).unwrap());
        let report = blocking(apply(&exec, &scope, Options::default(), now())).unwrap();
        assert!(exec.answers.lock().unwrap().is_empty(), "nothing sent after the lookup");
        let ada = &report.users[0];
        assert_eq!((ada.action, ada.done.len()), (Action::Fail, 0));
        assert!(ada.reason.as_deref().unwrap().ends_with("the invitation is kept"), "{ada:?}");
        assert_eq!(report.summary, "nothing changed, 1 invitee failed");
    }
}
