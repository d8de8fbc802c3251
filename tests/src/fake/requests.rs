//! Reading and validating invitation request bodies, like Atlas: 400 `VALIDATION_ERROR` with
//! `badRequestDetail.fields` for malformed JSON, missing or mistyped fields, bad e-mails and
//! unknown roles.
//!
//! The semantic checks (e-mail shape, role names, uniqueness, 24-hex ids) reuse the core's
//! validating constructors, so the fake refuses exactly what the client would refuse to send.

use super::reply::Outcome;
use super::routes::Scope;
use atlas_admin_core::{
    GroupId, GroupInvitationRequest, GroupInvitationUpdateRequest, GroupRoleAssignment, InvalidInput, OrgRole,
    OrganizationInvitationRequest, OrganizationInvitationUpdateRequest, ProjectRole, TeamId,
};
use serde_json::{Map, Value};

/// What a create or update body asks for.
#[derive(Debug, Default)]
pub(crate) struct Grant {
    pub(crate) username: Option<String>,
    pub(crate) roles: Vec<String>,
    /// Org only; `None` when absent (an update keeps the old value).
    pub(crate) team_ids: Option<Vec<String>>,
    /// Org only, flattened to (groupId, role) pairs as Atlas answers them.
    pub(crate) group_roles: Option<Vec<(String, String)>>,
}

type Violations = Vec<(String, String)>;

fn violation(field: impl Into<String>, description: impl Into<String>) -> Violations {
    vec![(field.into(), description.into())]
}

fn from_core(e: &InvalidInput) -> Violations {
    violation(e.field(), e.reason())
}

fn strings(value: &Value, field: &str) -> Result<Vec<String>, Violations> {
    let not_strings = || violation(field, "must be an array of strings");
    let Value::Array(items) = value else {
        return Err(not_strings());
    };
    items.iter().map(|v| v.as_str().map(str::to_owned).ok_or_else(not_strings)).collect()
}

/// Parses a body of `scope`; `with_username` for create and update-by-username.
pub(crate) fn parse(scope: Scope, body: &[u8], with_username: bool) -> Result<Grant, Outcome> {
    parse_inner(scope, body, with_username).map_err(Outcome::validation)
}

fn parse_inner(scope: Scope, body: &[u8], with_username: bool) -> Result<Grant, Violations> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| violation("body", format!("is not valid JSON: {e}")))?;
    let Value::Object(obj) = value else {
        return Err(violation("body", "must be a JSON object"));
    };
    let mut grant = Grant::default();
    if with_username {
        grant.username = match obj.get("username") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(violation("username", "must be a string")),
            None => return Err(violation("username", "is required")),
        };
    }
    grant.roles = match obj.get("roles") {
        Some(v) => strings(v, "roles")?,
        None => return Err(violation("roles", "is required")),
    };
    match scope {
        Scope::Project => check_project(&grant)?,
        Scope::Org => check_org(&obj, &mut grant)?,
    }
    Ok(grant)
}

fn check_project(grant: &Grant) -> Result<(), Violations> {
    let roles = || grant.roles.iter().map(|r| ProjectRole::parse(r));
    match &grant.username {
        Some(u) => GroupInvitationRequest::new(u.clone(), roles()).map(drop),
        None => GroupInvitationUpdateRequest::new(roles()).map(drop),
    }
    .map_err(|e| from_core(&e))
}

fn check_org(obj: &Map<String, Value>, grant: &mut Grant) -> Result<(), Violations> {
    let roles = || grant.roles.iter().map(|r| OrgRole::parse(r));
    let mut checked = OrganizationInvitationUpdateRequest::new(roles()).map_err(|e| from_core(&e))?;
    if let Some(u) = &grant.username {
        OrganizationInvitationRequest::new(u.clone(), roles()).map_err(|e| from_core(&e))?;
    }
    if let Some(v) = obj.get("teamIds") {
        let ids = strings(v, "teamIds")?;
        let mut typed = Vec::with_capacity(ids.len());
        for (i, id) in ids.iter().enumerate() {
            typed.push(TeamId::new(id.clone()).map_err(|e| violation(format!("teamIds[{i}]"), e.reason()))?);
        }
        checked = checked.with_team_ids(typed).map_err(|e| from_core(&e))?;
        grant.team_ids = Some(ids);
    }
    if let Some(v) = obj.get("groupRoleAssignments") {
        let Value::Array(items) = v else {
            return Err(violation("groupRoleAssignments", "must be an array of objects"));
        };
        let mut typed = Vec::with_capacity(items.len());
        let mut flat = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let field = format!("groupRoleAssignments[{i}]");
            let Some(group_id) = item.get("groupId").and_then(Value::as_str) else {
                return Err(violation(format!("{field}.groupId"), "is required and must be a string"));
            };
            let group = GroupId::new(group_id).map_err(|e| violation(format!("{field}.groupId"), e.reason()))?;
            let roles = match item.get("roles") {
                Some(r) => strings(r, &format!("{field}.roles"))?,
                None => return Err(violation(format!("{field}.roles"), "is required")),
            };
            let assignment = GroupRoleAssignment::new(group, roles.iter().map(|r| ProjectRole::parse(r)))
                .map_err(|e| violation(e.field().replacen("groupRoleAssignments", &field, 1), e.reason()))?;
            typed.push(assignment);
            flat.extend(roles.into_iter().map(|r| (group_id.to_owned(), r)));
        }
        checked.with_group_role_assignments(typed).map_err(|e| from_core(&e))?;
        grant.group_roles = Some(flat);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(scope: Scope, body: &str, with_username: bool) -> Vec<String> {
        match parse_inner(scope, body.as_bytes(), with_username) {
            Ok(_) => Vec::new(),
            Err(v) => v.into_iter().map(|(f, _)| f).collect(),
        }
    }

    #[test]
    fn project_bodies() {
        let g =
            parse_inner(Scope::Project, br#"{"roles":["GROUP_READ_ONLY"],"username":"a@example.com"}"#, true).unwrap();
        assert_eq!(g.username.as_deref(), Some("a@example.com"));
        assert_eq!(g.roles, ["GROUP_READ_ONLY"]);
        assert_eq!(fields(Scope::Project, "{", true), ["body"]);
        assert_eq!(fields(Scope::Project, "[]", true), ["body"]);
        assert_eq!(fields(Scope::Project, r#"{"username":"a@example.com"}"#, true), ["roles"]);
        assert_eq!(fields(Scope::Project, r#"{"roles":["GROUP_OWNER"]}"#, true), ["username"]);
        assert_eq!(fields(Scope::Project, r#"{"roles":["GROUP_OWNER"],"username":"nope"}"#, true), ["username"]);
        assert_eq!(fields(Scope::Project, r#"{"roles":["ORG_OWNER"]}"#, false), ["roles[0]"]);
        assert_eq!(fields(Scope::Project, r#"{"roles":[1]}"#, false), ["roles"]);
        assert!(fields(Scope::Project, r#"{"roles":["GROUP_OWNER"]}"#, false).is_empty());
    }

    #[test]
    fn org_bodies_flatten_assignments() {
        let body = r#"{"roles":["ORG_MEMBER"],"username":"a@example.com","teamIds":["aaaaaaaaaaaaaaaaaaaaaaaa"],
            "groupRoleAssignments":[{"groupId":"32b6e34b3d91647abb20e7b8","roles":["GROUP_OWNER","GROUP_READ_ONLY"]}]}"#;
        let g = parse_inner(Scope::Org, body.as_bytes(), true).unwrap();
        assert_eq!(g.team_ids.unwrap(), ["aaaaaaaaaaaaaaaaaaaaaaaa"]);
        let gr = g.group_roles.unwrap();
        assert_eq!(gr.len(), 2);
        assert_eq!(gr[1], ("32b6e34b3d91647abb20e7b8".to_owned(), "GROUP_READ_ONLY".to_owned()));
        assert_eq!(fields(Scope::Org, r#"{"roles":["ORG_EMPEROR"]}"#, false), ["roles[0]"]);
        assert_eq!(fields(Scope::Org, r#"{"roles":["ORG_MEMBER"],"teamIds":["x"]}"#, false), ["teamIds[0]"]);
        assert_eq!(
            fields(
                Scope::Org,
                r#"{"roles":["ORG_MEMBER"],"groupRoleAssignments":[{"groupId":"x","roles":[]}]}"#,
                false
            ),
            ["groupRoleAssignments[0].groupId"]
        );
        let empty_roles =
            r#"{"roles":["ORG_MEMBER"],"groupRoleAssignments":[{"groupId":"32b6e34b3d91647abb20e7b8","roles":[]}]}"#;
        assert_eq!(fields(Scope::Org, empty_roles, false), ["groupRoleAssignments[0].roles"]);
    }
}
