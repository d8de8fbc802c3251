//! The invitation store: pending invitations of the demo project and the demo organization,
//! and the six operations on each.

use super::config::FakeConfig;
use super::random;
use super::reply::Outcome;
use super::requests::{self, Grant};
use super::routes::{Op, Route, Scope};
use atlas_admin_core::format_rfc3339;
use http::StatusCode;
use serde_json::{Value, json};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long an invitation can be accepted (Atlas: 30 days).
const VALIDITY: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// One pending invitation.
#[derive(Clone, Debug)]
struct Invitation {
    id: String,
    username: String,
    roles: Vec<String>,
    inviter: String,
    created: SystemTime,
    /// Org only.
    team_ids: Vec<String>,
    /// Org only: (groupId, role) pairs.
    group_roles: Vec<(String, String)>,
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

/// Everything one API request hands to the store.
pub(crate) struct Request<'a> {
    pub(crate) config: &'a FakeConfig,
    /// `inviterUsername` of what it creates: the API public key or the client id.
    pub(crate) principal: &'a str,
    pub(crate) now: SystemTime,
    /// Decoded query parameters.
    pub(crate) query: &'a [(String, String)],
    pub(crate) body: &'a [u8],
}

/// Pending invitations, in creation order.
#[derive(Default)]
pub(crate) struct Store {
    project: Vec<Invitation>,
    org: Vec<Invitation>,
}

fn is_hex24(s: &str) -> bool {
    s.len() == 24 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn invalid_attribute(name: &str, value: &str) -> Outcome {
    Outcome::error(
        StatusCode::BAD_REQUEST,
        "INVALID_ATTRIBUTE",
        format!("Invalid attribute {name} specified: {value:?} is not 24 lowercase hexadecimal characters."),
        vec![json!(name)],
    )
}

fn same_user(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Second precision, as Atlas stores and answers.
fn whole_seconds(t: SystemTime) -> SystemTime {
    let secs = t.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    UNIX_EPOCH + Duration::from_secs(secs)
}

impl Store {
    fn list(&mut self, scope: Scope) -> &mut Vec<Invitation> {
        match scope {
            Scope::Project => &mut self.project,
            Scope::Org => &mut self.org,
        }
    }

    /// Runs `op` on `route`.
    pub(crate) fn handle(&mut self, route: &Route, op: Op, req: &Request<'_>) -> Outcome {
        let config = req.config;
        let scope = route.scope;
        let (param, known, what) = match scope {
            Scope::Project => ("groupId", &config.group_id, "group"),
            Scope::Org => ("orgId", &config.org_id, "organization"),
        };
        if !is_hex24(&route.parent) {
            return invalid_attribute(param, &route.parent);
        }
        if &route.parent != known {
            return Outcome::not_found(format!("No {what} with ID {} exists.", route.parent));
        }
        if let Some(id) = &route.invitation {
            if !is_hex24(id) {
                return invalid_attribute("invitationId", id);
            }
        }
        let invitation_id = route.invitation.as_deref().unwrap_or_default();
        let not_found = || Outcome::not_found(format!("Invitation {invitation_id} not found."));
        let invitations = self.list(scope);
        match op {
            Op::List => {
                let filter = req.query.iter().find(|(k, _)| k == "username").map(|(_, v)| v.as_str());
                let items: Vec<Value> = invitations
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
                if invitations.iter().any(|i| same_user(&i.username, &username)) {
                    return Outcome::error(
                        StatusCode::CONFLICT,
                        atlas_admin_core::ErrorCode::InvitationAlreadyExists.as_str(),
                        format!("A pending invitation for {username} already exists."),
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
                let body = inv.to_json(scope, config);
                invitations.push(inv);
                Outcome::ok(body)
            }
            Op::UpdateByUsername => {
                let grant = match requests::parse(scope, req.body, true) {
                    Ok(g) => g,
                    Err(o) => return o,
                };
                let username = grant.username.clone().unwrap_or_default();
                let Some(inv) = invitations.iter_mut().find(|i| same_user(&i.username, &username)) else {
                    return Outcome::not_found(format!("No pending invitation for {username} exists."));
                };
                inv.apply(grant);
                Outcome::ok(inv.to_json(scope, config))
            }
            Op::Get => match invitations.iter().find(|i| i.id == invitation_id) {
                Some(inv) => Outcome::ok(inv.to_json(scope, config)),
                None => not_found(),
            },
            Op::UpdateById => {
                let grant = match requests::parse(scope, req.body, false) {
                    Ok(g) => g,
                    Err(o) => return o,
                };
                match invitations.iter_mut().find(|i| i.id == invitation_id) {
                    Some(inv) => {
                        inv.apply(grant);
                        Outcome::ok(inv.to_json(scope, config))
                    }
                    None => not_found(),
                }
            }
            Op::Delete => match invitations.iter().position(|i| i.id == invitation_id) {
                Some(at) => {
                    invitations.remove(at);
                    Outcome::no_content()
                }
                None => not_found(),
            },
        }
    }
}
