//! Routing `/api/atlas/v2/…` requests by the core's endpoint table ([`ops::ALL`]): a path
//! matches an endpoint's template, its placeholders give the parameters, and the endpoint's tag
//! and method say which of the store's invitation operations runs.

use atlas_admin_core::Endpoint;
use atlas_admin_core::ops;
use http::Method;

/// The prefix of every Atlas Admin API v2 path.
pub(crate) const API_PREFIX: &str = "/api/atlas/v2";

/// Project (`/groups/{groupId}/invites`) or organization (`/orgs/{orgId}/invites`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    Project,
    Org,
}

/// What an invitation path names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Route {
    pub(crate) scope: Scope,
    /// The `groupId` or `orgId` segment, unchecked.
    pub(crate) parent: String,
    /// The `invitationId` segment, unchecked; `None` for the collection.
    pub(crate) invitation: Option<String>,
}

/// One of the six operations of a scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    List,
    Create,
    UpdateByUsername,
    Get,
    UpdateById,
    Delete,
}

/// Where a request goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Routed {
    /// An endpoint the fake implements.
    Found { endpoint: &'static Endpoint, route: Route, op: Op },
    /// The path is an endpoint's, the method is not: the `Allow` list, in table order.
    MethodNotAllowed { scope: Option<Scope>, allow: String },
    /// An endpoint of the table the fake has no behaviour for.
    NotImplemented(&'static Endpoint),
    /// No endpoint has this path.
    NotFound,
}

/// Matches `path` (without query) against the template's segments; `Some(params)` by name.
fn match_template(template: &'static str, path: &str) -> Option<Vec<(&'static str, String)>> {
    let mut params = Vec::new();
    let mut have = path.split('/');
    for want in template.split('/') {
        let got = have.next()?;
        match (want.find('{'), want.find('}')) {
            (Some(open), Some(close)) if open < close => {
                let (prefix, suffix) = (want.get(..open)?, want.get(close + 1..)?);
                let value = got.strip_prefix(prefix)?.strip_suffix(suffix)?;
                if value.is_empty() {
                    return None;
                }
                params.push((want.get(open + 1..close)?, value.to_owned()));
            }
            _ if want == got => {}
            _ => return None,
        }
    }
    have.next().is_none().then_some(params)
}

/// The store's scope for an endpoint's tag; `None` for tags the fake has no store for.
fn scope(endpoint: &Endpoint) -> Option<Scope> {
    match endpoint.tag {
        "projects" => Some(Scope::Project),
        "organizations" => Some(Scope::Org),
        _ => None,
    }
}

/// The fake's behaviour for an endpoint: invitations, by method and by whether an
/// `invitationId` is in the path.
fn behaviour(endpoint: &Endpoint, params: Vec<(&'static str, String)>) -> Option<(Route, Op)> {
    let scope = scope(endpoint)?;
    let mut parent = None;
    let mut invitation = None;
    for (name, value) in params {
        match name {
            "groupId" | "orgId" => parent = Some(value),
            "invitationId" => invitation = Some(value),
            _ => return None,
        }
    }
    let op = match (invitation.is_some(), endpoint.method.as_str()) {
        (false, "GET") => Op::List,
        (false, "POST") => Op::Create,
        (false, "PATCH") => Op::UpdateByUsername,
        (true, "GET") => Op::Get,
        (true, "PATCH") => Op::UpdateById,
        (true, "DELETE") => Op::Delete,
        _ => return None,
    };
    Some((Route { scope, parent: parent?, invitation }, op))
}

/// Routes a request by the table.
pub(crate) fn route(method: &Method, path: &str) -> Routed {
    let mut allow: Vec<&str> = Vec::new();
    let mut allow_scope = None;
    for endpoint in ops::ALL {
        let Some(params) = match_template(endpoint.path, path) else { continue };
        if endpoint.method != *method {
            allow.push(endpoint.method.as_str());
            allow_scope = allow_scope.or(scope(endpoint));
            continue;
        }
        return match behaviour(endpoint, params) {
            Some((route, op)) => Routed::Found { endpoint, route, op },
            None => Routed::NotImplemented(endpoint),
        };
    }
    if allow.is_empty() {
        Routed::NotFound
    } else {
        Routed::MethodNotAllowed { scope: allow_scope, allow: allow.join(", ") }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        let Routed::Found { endpoint, route: r, op } = route(&Method::GET, "/api/atlas/v2/groups/abc/invites") else {
            panic!()
        };
        assert_eq!(endpoint.operation_id, "listGroupInvites");
        assert_eq!((r.scope, r.parent.as_str(), r.invitation, op), (Scope::Project, "abc", None, Op::List));
        let Routed::Found { endpoint, route: r, op } = route(&Method::DELETE, "/api/atlas/v2/orgs/o/invites/i") else {
            panic!()
        };
        assert_eq!(endpoint.operation_id, "deleteOrgInvite");
        assert_eq!((r.scope, r.invitation.as_deref(), op), (Scope::Org, Some("i"), Op::Delete));
        assert_eq!(
            route(&Method::POST, "/api/atlas/v2/orgs/o/invites/i"),
            Routed::MethodNotAllowed { scope: Some(Scope::Org), allow: "GET, PATCH, DELETE".to_owned() }
        );
        for bad in [
            "/api/atlas/v2/groups/abc/invites/",
            "/api/atlas/v2/groups//invites",
            "/api/atlas/v2/teams/abc/invites",
            "/api/atlas/v2/groups/abc/invites/i/x",
            "/api/atlas/v2",
            "/api/atlas/v2x/groups/abc/invites",
        ] {
            assert_eq!(route(&Method::GET, bad), Routed::NotFound, "{bad}");
        }
    }

    #[test]
    fn every_endpoint_of_the_table_is_routed_to_itself() {
        for endpoint in ops::ALL {
            let path = endpoint.path.replace("{groupId}", "g").replace("{orgId}", "o").replace("{invitationId}", "i");
            match route(&endpoint.method, &path) {
                Routed::Found { endpoint: found, .. } => assert_eq!(found, *endpoint),
                other => panic!("{}: {other:?}", endpoint.operation_id),
            }
        }
    }

    #[test]
    fn templates_with_a_suffix_after_the_placeholder() {
        let m = match_template(
            "/api/atlas/v2/groups/{groupId}/users/{userId}:addRole",
            "/api/atlas/v2/groups/g/users/u:addRole",
        );
        assert_eq!(m, Some(vec![("groupId", "g".to_owned()), ("userId", "u".to_owned())]));
        assert_eq!(match_template("/a/{userId}:addRole", "/a/:addRole"), None);
        assert_eq!(match_template("/a/{userId}:addRole", "/a/u"), None);
    }
}
