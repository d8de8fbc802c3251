//! Routing `/api/atlas/v2/…` requests by the core's catalog ([`catalog::all`]: the typed
//! operations, and every operation of the tags this build enables): a path matches an
//! endpoint's template (the most specific one: a literal segment wins over a placeholder), its
//! placeholders give the parameters, and the endpoint's operationId says which behaviour of the
//! store runs (an invitation operation, a Cloud Users operation, or the generic behaviour).

use super::users::UserOp;
use atlas_admin_core::Endpoint;
use atlas_admin_core::catalog;
use http::Method;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The prefix of every Atlas Admin API v2 path.
pub(crate) const API_PREFIX: &str = "/api/atlas/v2";

/// Project (`/groups/{groupId}/…`) or organization (`/orgs/{orgId}/…`): decides the
/// rate-limit budget and the deprecation headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    Project,
    Org,
}

/// What a path names: its scope and its placeholders' values (unchecked).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Route {
    pub(crate) scope: Scope,
    pub(crate) params: Vec<(&'static str, String)>,
}

impl Route {
    /// The value of placeholder `name`; empty if the template has none.
    pub(crate) fn param(&self, name: &str) -> &str {
        self.params.iter().find(|(n, _)| *n == name).map_or("", |(_, v)| v.as_str())
    }

    /// The `groupId` or `orgId` segment.
    pub(crate) fn parent(&self) -> &str {
        match self.scope {
            Scope::Project => self.param("groupId"),
            Scope::Org => self.param("orgId"),
        }
    }
}

/// One of the six invitation operations of a scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    List,
    Create,
    UpdateByUsername,
    Get,
    UpdateById,
    Delete,
}

/// Which store behaviour an endpoint has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Behaviour {
    /// A deprecated invitation operation.
    Invite(Op),
    /// A Cloud Users operation.
    Users(UserOp),
    /// Every other operation of the catalog: the generic behaviour.
    Generic,
}

/// Where a request goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Routed {
    /// An endpoint the fake implements.
    Found { endpoint: &'static Endpoint, route: Route, behaviour: Behaviour },
    /// The path is an endpoint's, the method is not: the `Allow` list, in table order.
    MethodNotAllowed { scope: Option<Scope>, allow: String },
    /// No endpoint has this path.
    NotFound,
}

/// A path's placeholders' values, by name.
pub(crate) type Params = Vec<(&'static str, String)>;

/// The endpoint of a recorded `operation` and the parameters `path` gives it, or why not
/// (shared by seeding and the drift check, which both read recorded interactions).
pub(crate) fn recorded_route(operation: &str, path: &str) -> Result<(&'static Endpoint, Params), String> {
    let endpoint =
        catalog::find(operation).ok_or_else(|| format!("{operation:?} is not an operation of this build's catalog"))?;
    let params = match_template(endpoint.path, path)
        .ok_or_else(|| format!("{path} is not a path of {} ({})", endpoint.operation_id, endpoint.path))?;
    Ok((endpoint, params))
}

/// Matches `path` (without query) against the template's segments; `Some(params)` by name.
/// A placeholder's value never holds `:`, so `…/users/u:addRole` is the custom method, not a
/// user id.
pub(crate) fn match_template(template: &'static str, path: &str) -> Option<Vec<(&'static str, String)>> {
    let (want, have): (Vec<&'static str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    match_segments(&want, &have)
}

/// [`match_template`] on a template and a path split at `/`.
fn match_segments(template: &[&'static str], path: &[&str]) -> Option<Vec<(&'static str, String)>> {
    if template.len() != path.len() {
        return None;
    }
    let mut params = Vec::new();
    for (&want, &got) in template.iter().zip(path) {
        match (want.find('{'), want.find('}')) {
            (Some(open), Some(close)) if open < close => {
                let (prefix, suffix) = (want.get(..open)?, want.get(close + 1..)?);
                let value = got.strip_prefix(prefix)?.strip_suffix(suffix)?;
                if value.is_empty() || value.contains(':') {
                    return None;
                }
                params.push((want.get(open + 1..close)?, value.to_owned()));
            }
            _ if want == got => {}
            _ => return None,
        }
    }
    Some(params)
}

/// Endpoints with their templates split at `/`, by number of segments.
type TemplateIndex = HashMap<usize, Vec<(&'static Endpoint, Vec<&'static str>)>>;

/// The catalog's templates split at `/`, grouped by their number of segments, in catalog
/// order: a request is matched only against templates of its own length.
fn templates_by_length() -> &'static TemplateIndex {
    static INDEX: OnceLock<TemplateIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index: HashMap<usize, Vec<_>> = HashMap::new();
        for endpoint in catalog::all() {
            let segments: Vec<&'static str> = endpoint.path.split('/').collect();
            index.entry(segments.len()).or_default().push((endpoint, segments));
        }
        index
    })
}

/// The scope of a path template: by its first segment after the prefix.
pub(crate) fn scope(endpoint: &Endpoint) -> Option<Scope> {
    let rest = endpoint.path.strip_prefix(API_PREFIX)?;
    if rest.starts_with("/groups/") {
        Some(Scope::Project)
    } else if rest.starts_with("/orgs/") {
        Some(Scope::Org)
    } else {
        None
    }
}

/// Whether the fake has a hand-written behaviour for an operationId.
pub(crate) fn is_handwritten(operation_id: &str) -> bool {
    behaviour(operation_id).is_some()
}

/// The fake's hand-written behaviour for an operationId.
fn behaviour(operation_id: &str) -> Option<Behaviour> {
    let invite = match operation_id {
        "listGroupInvites" | "listOrgInvites" => Op::List,
        "createGroupInvite" | "createOrgInvite" => Op::Create,
        "updateGroupInvites" | "updateOrgInvites" => Op::UpdateByUsername,
        "getGroupInvite" | "getOrgInvite" => Op::Get,
        "updateGroupInviteById" | "updateOrgInviteById" => Op::UpdateById,
        "deleteGroupInvite" | "deleteOrgInvite" => Op::Delete,
        other => return UserOp::from_operation_id(other).map(Behaviour::Users),
    };
    Some(Behaviour::Invite(invite))
}

/// How specific a template is: its literal segments, first ones first (a literal beats a
/// placeholder at the first segment where two templates differ).
fn specificity(template: &str) -> Vec<bool> {
    template.split('/').map(|s| !s.contains('{')).collect()
}

/// Routes a request by the catalog.
pub(crate) fn route(method: &Method, path: &str) -> Routed {
    let mut allow: Vec<&str> = Vec::new();
    let mut allow_scope = None;
    let mut best: Option<(&'static Endpoint, Params)> = None;
    let segments: Vec<&str> = path.split('/').collect();
    let candidates = templates_by_length().get(&segments.len()).map_or(&[][..], Vec::as_slice);
    for (endpoint, template) in candidates {
        let endpoint = *endpoint;
        let Some(params) = match_segments(template, &segments) else { continue };
        if endpoint.method != *method {
            if !allow.contains(&endpoint.method.as_str()) {
                allow.push(endpoint.method.as_str());
            }
            allow_scope = allow_scope.or(scope(endpoint));
            continue;
        }
        if best.as_ref().is_none_or(|(b, _)| specificity(endpoint.path) > specificity(b.path)) {
            best = Some((endpoint, params));
        }
    }
    if let Some((endpoint, params)) = best {
        let behaviour = behaviour(endpoint.operation_id).unwrap_or(Behaviour::Generic);
        // Paths outside projects and organizations spend the organization's budget.
        let scope = scope(endpoint).unwrap_or(Scope::Org);
        return Routed::Found { endpoint, route: Route { scope, params }, behaviour };
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
        let Routed::Found { endpoint, route: r, behaviour } = route(&Method::GET, "/api/atlas/v2/groups/abc/invites")
        else {
            panic!()
        };
        assert_eq!(endpoint.operation_id, "listGroupInvites");
        assert_eq!((r.scope, r.parent(), behaviour), (Scope::Project, "abc", Behaviour::Invite(Op::List)));
        let Routed::Found { endpoint, route: r, behaviour } = route(&Method::DELETE, "/api/atlas/v2/orgs/o/invites/i")
        else {
            panic!()
        };
        assert_eq!(endpoint.operation_id, "deleteOrgInvite");
        assert_eq!((r.scope, r.param("invitationId"), behaviour), (Scope::Org, "i", Behaviour::Invite(Op::Delete)));
        assert_eq!(
            route(&Method::POST, "/api/atlas/v2/orgs/o/invites/i"),
            Routed::MethodNotAllowed { scope: Some(Scope::Org), allow: "GET, PATCH, DELETE".to_owned() }
        );
        for bad in [
            "/api/atlas/v2/groups/abc/invites/",
            "/api/atlas/v2/groups//invites",
            "/api/atlas/v2/teams/abc/invites",
            "/api/atlas/v2/groups/abc/invites/i/x",
            "/api/atlas/v2x/groups/abc/invites",
        ] {
            assert_eq!(route(&Method::GET, bad), Routed::NotFound, "{bad}");
        }
    }

    #[test]
    fn every_endpoint_of_the_table_is_routed_to_itself() {
        for endpoint in atlas_admin_core::ops::ALL {
            let path = ["groupId", "orgId", "invitationId", "userId", "teamId"]
                .iter()
                .fold(endpoint.path.to_owned(), |p, name| p.replace(&format!("{{{name}}}"), "x"));
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
        assert_eq!(match_template("/a/{userId}", "/a/u:addRole"), None);
    }
}
