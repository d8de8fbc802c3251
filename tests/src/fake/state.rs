//! The store: pending invitations of the demo project and the demo organization (the six
//! deprecated operations on each) and the Cloud Users ([`Users`]).
//!
//! A deprecated **org** invitation is mirrored by a PENDING org user with its own user id (as
//! observed live): updating the invitation updates that user's roles, deleting it removes the
//! user, and removing the user (or replacing it once expired) deletes the invitation.
//! Deprecated **project** invitations have no user: the Cloud Users endpoints do not see them,
//! as Atlas documents.

use super::config::FakeConfig;
use super::generic;
pub(crate) use super::incoming::Request;
use super::random;
use super::reply::Outcome;
use super::requests::{self, Grant};
use super::resources::FakeState;
use super::routes::{Behaviour, Op, Route, Scope};
use super::users::{self, SeedUser, Users, VALIDITY, invalid_attribute, is_hex24, whole_seconds};
use atlas_admin_core::{OrgMembershipStatus, format_rfc3339};
use http::StatusCode;
use serde_json::{Value, json};
use std::time::SystemTime;

/// One pending invitation.
#[derive(Clone, Debug)]
pub(crate) struct Invitation {
    pub(crate) id: String,
    pub(crate) username: String,
    pub(crate) roles: Vec<String>,
    pub(crate) inviter: String,
    pub(crate) created: SystemTime,
    /// Org only.
    pub(crate) team_ids: Vec<String>,
    /// Org only: (groupId, role) pairs.
    pub(crate) group_roles: Vec<(String, String)>,
}

impl Invitation {
    fn apply(&mut self, grant: Grant) {
        self.roles = grant.roles;
        if let Some(t) = grant.team_ids {
            self.team_ids = t;
        }
        if let Some(g) = grant.group_roles {
            self.group_roles = g;
        }
    }

    fn to_json(&self, scope: Scope, config: &FakeConfig) -> Value {
        let created = format_rfc3339(self.created);
        let expires = format_rfc3339(self.created + VALIDITY);
        match scope {
            Scope::Project => json!({
                "createdAt": created,
                "expiresAt": expires,
                "groupId": config.group_id,
                "groupName": config.group_name,
                "id": self.id,
                "inviterUsername": self.inviter,
                "roles": self.roles,
                "username": self.username,
            }),
            Scope::Org => json!({
                "createdAt": created,
                "expiresAt": expires,
                "groupRoleAssignments": self.group_roles.iter()
                    .map(|(g, r)| json!({"groupId": g, "groupRole": r}))
                    .collect::<Vec<_>>(),
                "id": self.id,
                "inviterUsername": self.inviter,
                "orgId": config.org_id,
                "orgName": config.org_name,
                "roles": self.roles,
                "teamIds": self.team_ids,
                "username": self.username,
            }),
        }
    }
}

/// Pending invitations, in creation order, and the Cloud Users.
#[derive(Default)]
pub(crate) struct Store {
    pub(crate) project: Vec<Invitation>,
    pub(crate) org: Vec<Invitation>,
    pub(crate) users: Users,
    /// What the generic behaviour keeps (every other operation).
    pub(crate) generic: FakeState,
}

fn same_user(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Sets the roles, teams and projects of the user mirroring an org invitation.
pub(crate) fn mirror(users: &mut Users, inv: &Invitation) {
    if let Some(user) = users.linked_mut(&inv.id) {
        user.org_roles.clone_from(&inv.roles);
        user.team_ids.clone_from(&inv.team_ids);
        let mut grouped: Vec<(String, Vec<String>)> = Vec::new();
        for (g, r) in &inv.group_roles {
            match grouped.iter_mut().find(|(have, _)| have == g) {
                Some((_, roles)) => roles.push(r.clone()),
                None => grouped.push((g.clone(), vec![r.clone()])),
            }
        }
        user.group_roles = grouped;
    }
}

impl Store {
    fn list(&mut self, scope: Scope) -> &mut Vec<Invitation> {
        match scope {
            Scope::Project => &mut self.project,
            Scope::Org => &mut self.org,
        }
    }

    /// Runs the endpoint's behaviour on `route`.
    pub(crate) fn handle(&mut self, route: &Route, behaviour: Behaviour, req: &Request<'_>) -> Outcome {
        let outcome = match behaviour {
            Behaviour::Invite(op) => self.invitation(route, op, req),
            Behaviour::Users(op) => self.users.handle(op, route, req),
            Behaviour::Generic => return generic::handle(&mut self.generic, route, req),
        };
        self.drop_unlinked();
        outcome
    }

    /// Deletes the org invitations whose mirror user went away.
    fn drop_unlinked(&mut self) {
        let gone = self.users.take_unlinked();
        if !gone.is_empty() {
            self.org.retain(|i| !gone.contains(&i.id));
        }
    }

    /// Stores a new invitation; an org one gets its mirror user (a different id).
    pub(crate) fn add_invitation(&mut self, scope: Scope, inv: Invitation) -> &Invitation {
        if scope == Scope::Org {
            let user =
                self.users.invite(inv.username.clone(), &inv.inviter, inv.created, Vec::new(), Vec::new(), Vec::new());
            let id = user.id.clone();
            self.users.link(&id, &inv.id);
            mirror(&mut self.users, &inv);
        }
        let list = self.list(scope);
        list.push(inv);
        let at = list.len() - 1;
        &list[at]
    }

    /// Runs invitation operation `op` on `route`.
    fn invitation(&mut self, route: &Route, op: Op, req: &Request<'_>) -> Outcome {
        let config = req.config;
        let scope = route.scope;
        let (param, known, what) = match scope {
            Scope::Project => ("groupId", &config.group_id, "group"),
            Scope::Org => ("orgId", &config.org_id, "organization"),
        };
        let parent = route.parent();
        if !is_hex24(parent) {
            return invalid_attribute(param, parent);
        }
        if parent != known {
            return Outcome::not_found(format!("No {what} with ID {parent} exists."));
        }
        let invitation_id = route.param("invitationId");
        if matches!(op, Op::Get | Op::UpdateById | Op::Delete) && !is_hex24(invitation_id) {
            return invalid_attribute("invitationId", invitation_id);
        }
        let not_found = || Outcome::not_found(format!("Invitation {invitation_id} not found."));
        match op {
            Op::List => {
                let filter = req.query.iter().find(|(k, _)| k == "username").map(|(_, v)| v.as_str());
                let items: Vec<Value> = self
                    .list(scope)
                    .iter()
                    .filter(|i| filter.is_none_or(|u| same_user(&i.username, u)))
                    .map(|i| i.to_json(scope, config))
                    .collect();
                Outcome::ok(Value::Array(items))
            }
            Op::Create => {
                let grant = match requests::parse(scope, req.body, true) {
                    Ok(g) => g,
                    Err(o) => return o,
                };
                let username = grant.username.clone().unwrap_or_default();
                if self.list(scope).iter().any(|i| same_user(&i.username, &username)) {
                    return Outcome::error(
                        StatusCode::CONFLICT,
                        atlas_admin_core::ErrorCode::InvitationAlreadyExists.as_str(),
                        format!("A pending invitation for {username} already exists."),
                        vec![json!(username)],
                    );
                }
                if scope == Scope::Org && self.users.blocking(&username, req.now).is_some() {
                    return Outcome::error(
                        StatusCode::CONFLICT,
                        &users::user_already_exists(),
                        format!("{username} is already a member of, or invited to, this organization."),
                        vec![json!(username)],
                    );
                }
                let mut inv = Invitation {
                    id: random::object_id(),
                    username,
                    roles: Vec::new(),
                    inviter: req.principal.to_owned(),
                    created: whole_seconds(req.now),
                    team_ids: Vec::new(),
                    group_roles: Vec::new(),
                };
                inv.apply(grant);
                Outcome::ok(self.add_invitation(scope, inv).to_json(scope, config))
            }
            Op::UpdateByUsername | Op::UpdateById => {
                let grant = match requests::parse(scope, req.body, op == Op::UpdateByUsername) {
                    Ok(g) => g,
                    Err(o) => return o,
                };
                let username = grant.username.clone().unwrap_or_default();
                let found = self.list(scope).iter_mut().find(|i| match op {
                    Op::UpdateByUsername => same_user(&i.username, &username),
                    _ => i.id == invitation_id,
                });
                let Some(inv) = found else {
                    return match op {
                        Op::UpdateByUsername => {
                            Outcome::not_found(format!("No pending invitation for {username} exists."))
                        }
                        _ => not_found(),
                    };
                };
                inv.apply(grant);
                let (body, inv) = (inv.to_json(scope, config), inv.clone());
                mirror(&mut self.users, &inv);
                Outcome::ok(body)
            }
            Op::Get => match self.list(scope).iter().find(|i| i.id == invitation_id) {
                Some(inv) => Outcome::ok(inv.to_json(scope, config)),
                None => not_found(),
            },
            Op::Delete => {
                let invitations = self.list(scope);
                match invitations.iter().position(|i| i.id == invitation_id) {
                    Some(at) => {
                        invitations.remove(at);
                        if let Some(id) = self.users.linked_mut(invitation_id).map(|u| u.id.clone()) {
                            self.users.remove(&id);
                        }
                        Outcome::no_content()
                    }
                    None => not_found(),
                }
            }
        }
    }

    /// Test hook: a pending invitation created at `created` (org ones get their mirror user).
    pub(crate) fn seed_invitation(
        &mut self,
        scope: Scope,
        username: &str,
        roles: Vec<String>,
        inviter: &str,
        created: SystemTime,
    ) -> String {
        let inv = Invitation {
            id: random::object_id(),
            username: username.to_owned(),
            roles,
            inviter: inviter.to_owned(),
            created: whole_seconds(created),
            team_ids: Vec::new(),
            group_roles: Vec::new(),
        };
        self.add_invitation(scope, inv).id.clone()
    }

    /// Test hook: `username` accepts its invitations. Atlas deletes them; the org user becomes
    /// ACTIVE, a project invitation's roles become the user's roles in the project. The user's
    /// id, if it has one now.
    pub(crate) fn accept_invitation(&mut self, username: &str, group_id: &str, now: SystemTime) -> Option<String> {
        let project_roles: Vec<String> = self
            .project
            .iter()
            .filter(|i| same_user(&i.username, username))
            .flat_map(|i| i.roles.iter().cloned())
            .collect();
        let had_project = self.project.iter().any(|i| same_user(&i.username, username));
        self.project.retain(|i| !same_user(&i.username, username));
        let id = match self.users.activate(username, now) {
            Some(id) => id,
            None if had_project => self.users.seed(SeedUser::new(username, OrgMembershipStatus::Active), "", now),
            None => return None,
        };
        if had_project {
            if let Some(user) = self.users.get_mut(&id) {
                match user.group_roles.iter_mut().find(|(g, _)| g == group_id) {
                    Some((_, roles)) => {
                        for r in project_roles {
                            if !roles.contains(&r) {
                                roles.push(r);
                            }
                        }
                    }
                    None => user.group_roles.push((group_id.to_owned(), project_roles)),
                }
            }
        }
        self.drop_unlinked();
        Some(id)
    }
}
