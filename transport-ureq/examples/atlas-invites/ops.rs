//! From parsed arguments to a validated core operation, and running it.
//!
//! Everything the user typed is checked here, before a client exists: the operationId and
//! its area, which flags it takes, ids (24 lowercase hex), the `--username` e-mail, the API
//! version, and the request body, which is deserialized straight into the core's request
//! type (`GroupInvitationRequest`, …), whose `Deserialize` validates e-mails and roles.

use crate::args::{Area, Args, BodySource, Named};
use atlas_admin_ureq::core::Operation;
use atlas_admin_ureq::ops::{
    CreateGroupInvite, CreateOrgInvite, DeleteGroupInvite, DeleteOrgInvite, GetGroupInvite, GetOrgInvite,
    ListGroupInvites, ListOrgInvites, UpdateGroupInviteById, UpdateGroupInvites, UpdateOrgInviteById, UpdateOrgInvites,
};
use atlas_admin_ureq::{ApiVersion, Client, Error, InvalidInput};
use serde_json::Value;
use serde_json::error::Category;
use std::io::Read as _;

/// What an operation takes besides the project or organization id.
struct Spec {
    id: &'static str,
    area: Area,
    invitation_id: bool,
    body: bool,
    username_filter: bool,
}

const fn spec(id: &'static str, area: Area, invitation_id: bool, body: bool, username_filter: bool) -> Spec {
    Spec { id, area, invitation_id, body, username_filter }
}

/// The 12 operations, with the spec's operationIds.
const SPECS: &[Spec] = &[
    spec("listGroupInvites", Area::Projects, false, false, true),
    spec("createGroupInvite", Area::Projects, false, true, false),
    spec("updateGroupInvites", Area::Projects, false, true, false),
    spec("getGroupInvite", Area::Projects, true, false, false),
    spec("updateGroupInviteById", Area::Projects, true, true, false),
    spec("deleteGroupInvite", Area::Projects, true, false, false),
    spec("listOrgInvites", Area::Organizations, false, false, true),
    spec("createOrgInvite", Area::Organizations, false, true, false),
    spec("updateOrgInvites", Area::Organizations, false, true, false),
    spec("getOrgInvite", Area::Organizations, true, false, false),
    spec("updateOrgInviteById", Area::Organizations, true, true, false),
    spec("deleteOrgInvite", Area::Organizations, true, false, false),
];

/// Accepted alternative names: the SDK/CLI override of `updateGroupInviteById`.
const ALIASES: &[(&str, &str)] = &[("updateInviteById", "updateGroupInviteById")];

/// operationIds before the 2025 rename, for a hint.
const RENAMED: &[(&str, &str)] = &[
    ("listProjectInvitations", "listGroupInvites"),
    ("createProjectInvitation", "createGroupInvite"),
    ("updateProjectInvitation", "updateGroupInvites"),
    ("getProjectInvitation", "getGroupInvite"),
    ("updateProjectInvitationById", "updateGroupInviteById"),
    ("deleteProjectInvitation", "deleteGroupInvite"),
    ("listOrganizationInvitations", "listOrgInvites"),
    ("createOrganizationInvitation", "createOrgInvite"),
    ("updateOrganizationInvitation", "updateOrgInvites"),
    ("getOrganizationInvitation", "getOrgInvite"),
    ("updateOrganizationInvitationById", "updateOrgInviteById"),
    ("deleteOrganizationInvitation", "deleteOrgInvite"),
];

/// A validated operation, ready to send.
pub(crate) enum Command {
    ListGroupInvites(ListGroupInvites),
    CreateGroupInvite(CreateGroupInvite),
    UpdateGroupInvites(UpdateGroupInvites),
    GetGroupInvite(GetGroupInvite),
    UpdateGroupInviteById(UpdateGroupInviteById),
    DeleteGroupInvite(DeleteGroupInvite),
    ListOrgInvites(ListOrgInvites),
    CreateOrgInvite(CreateOrgInvite),
    UpdateOrgInvites(UpdateOrgInvites),
    GetOrgInvite(GetOrgInvite),
    UpdateOrgInviteById(UpdateOrgInviteById),
    DeleteOrgInvite(DeleteOrgInvite),
}

/// Finds the operation, resolving the alias; explains a wrong area or an old name.
fn lookup(area: Area, name: &str) -> Result<&'static Spec, String> {
    let name = ALIASES.iter().find(|(alias, _)| *alias == name).map_or(name, |(_, id)| *id);
    match SPECS.iter().find(|s| s.id == name) {
        Some(s) if s.area == area => Ok(s),
        Some(s) => Err(format!("{name} is an {} operation: run `atlas-invites {} {name} …`", s.area, s.area)),
        None => {
            if let Some((_, now)) = RENAMED.iter().find(|(old, _)| *old == name) {
                return Err(format!("{name} is the operationId's old name: it is now {now}"));
            }
            let known: Vec<&str> = SPECS.iter().filter(|s| s.area == area).map(|s| s.id).collect();
            Err(format!("unknown {area} operationId {name:?}; known: {}", known.join(", ")))
        }
    }
}

/// Refuses flags the operation does not take and asks for the ones it needs.
fn check_flags(spec: &Spec, args: &Args) -> Result<(), String> {
    let id = spec.id;
    let (parent, other) = match spec.area {
        Area::Projects => (&args.group_id, args.org_id.as_ref().map(|n| n.flag)),
        Area::Organizations => (&args.org_id, args.group_id.as_ref().map(|n| n.flag)),
    };
    if let Some(flag) = other {
        return Err(format!("{id} does not take {flag}"));
    }
    if parent.is_none() {
        let flag = if spec.area == Area::Projects { "--groupId (or --projectId)" } else { "--orgId" };
        return Err(format!("{id} needs {flag}"));
    }
    match (spec.invitation_id, &args.invitation_id) {
        (true, None) => return Err(format!("{id} needs --invitationId")),
        (false, Some(_)) => return Err(format!("{id} does not take --invitationId")),
        _ => {}
    }
    match (spec.body, &args.body) {
        (true, None) => return Err(format!("{id} needs a request body: --data JSON or --file PATH")),
        (false, Some(BodySource::Data(_))) => return Err(format!("{id} does not take --data")),
        (false, Some(BodySource::File(_))) => return Err(format!("{id} does not take --file")),
        _ => {}
    }
    if !spec.username_filter && args.username.is_some() {
        return Err(format!("{id} does not take --username (only the list operations filter by username)"));
    }
    Ok(())
}

/// `--groupId: invalid groupId: must be 24 lowercase hexadecimal characters … (got "XYZ")`
fn flag_error(named: &Named) -> impl Fn(InvalidInput) -> String + '_ {
    move |e| format!("{}: {e}", named.flag)
}

/// The value of a flag `check_flags` made sure is present.
fn required<'a>(named: &'a Option<Named>, flag: &str) -> Result<&'a Named, String> {
    named.as_ref().ok_or_else(|| format!("missing {flag}"))
}

/// Reads the request body and deserializes it (`parse` is `serde_json::from_str` of the core's
/// request type, whose `Deserialize` validates).
fn body<T>(source: &Option<BodySource>, parse: impl FnOnce(&str) -> serde_json::Result<T>) -> Result<T, String> {
    let (text, from) = match source {
        Some(BodySource::Data(text)) => (text.clone(), "--data".to_owned()),
        Some(BodySource::File(path)) if path == "-" => {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text).map_err(|e| format!("--file -: cannot read stdin: {e}"))?;
            (text, "--file -".to_owned())
        }
        Some(BodySource::File(path)) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("--file {path}: cannot read: {e}"))?;
            (text, format!("--file {path}"))
        }
        None => return Err("missing the request body: --data JSON or --file PATH".to_owned()),
    };
    parse(&text).map_err(|e| match e.classify() {
        Category::Syntax | Category::Eof => format!("invalid request body ({from}): not JSON: {e}"),
        _ => format!("invalid request body ({from}): {e}"),
    })
}

/// `--envelope`, `--pretty` (sent only where the spec lists `pretty`) and `--version`.
macro_rules! with_options {
    ($ty:ty, $op:expr, $args:expr, $version:expr) => {{
        // (Interim: `pretty=true` is not sent until this CLI builds operations from the table.)
        let _ = <$ty as Operation>::ENDPOINT.pretty;
        let op = $op.envelope($args.envelope);
        match $version {
            Some(version) => op.api_version(version),
            None => op,
        }
    }};
}

/// Validates everything and builds the operation. Nothing is sent.
pub(crate) fn build(args: &Args) -> Result<Command, String> {
    let spec = lookup(args.area, &args.operation)?;
    check_flags(spec, args)?;
    let version = match &args.version {
        Some(v) => Some(ApiVersion::new(v).map_err(|e| format!("--version: {e}"))?),
        None => None,
    };
    let (parent, parent_err) = match spec.area {
        Area::Projects => {
            let named = required(&args.group_id, "--groupId")?;
            (named.value.as_str(), flag_error(named))
        }
        Area::Organizations => {
            let named = required(&args.org_id, "--orgId")?;
            (named.value.as_str(), flag_error(named))
        }
    };
    let invitation = || -> Result<&str, String> {
        let named = required(&args.invitation_id, "--invitationId")?;
        // Checked here so the message names the flag (the constructors check it again).
        atlas_admin_ureq::InvitationId::new(named.value.as_str()).map_err(flag_error(named))?;
        Ok(named.value.as_str())
    };
    // The parent id is checked first, so a bad id is reported before a bad body.
    match spec.area {
        Area::Projects => atlas_admin_ureq::GroupId::new(parent).map(drop).map_err(&parent_err)?,
        Area::Organizations => atlas_admin_ureq::OrgId::new(parent).map(drop).map_err(&parent_err)?,
    }
    let err = |e: InvalidInput| e.to_string();
    let command = match spec.id {
        "listGroupInvites" => {
            let mut op = ListGroupInvites::new(parent).map_err(&parent_err)?;
            if let Some(u) = &args.username {
                op = op.username(u.value.as_str()).map_err(flag_error(u))?;
            }
            Command::ListGroupInvites(with_options!(ListGroupInvites, op, args, version))
        }
        "createGroupInvite" => {
            let op = CreateGroupInvite::new(parent, body(&args.body, |t| serde_json::from_str(t))?).map_err(err)?;
            Command::CreateGroupInvite(with_options!(CreateGroupInvite, op, args, version))
        }
        "updateGroupInvites" => {
            let op = UpdateGroupInvites::new(parent, body(&args.body, |t| serde_json::from_str(t))?).map_err(err)?;
            Command::UpdateGroupInvites(with_options!(UpdateGroupInvites, op, args, version))
        }
        "getGroupInvite" => {
            let op = GetGroupInvite::new(parent, invitation()?).map_err(err)?;
            Command::GetGroupInvite(with_options!(GetGroupInvite, op, args, version))
        }
        "updateGroupInviteById" => {
            let op = UpdateGroupInviteById::new(parent, invitation()?, body(&args.body, |t| serde_json::from_str(t))?)
                .map_err(err)?;
            Command::UpdateGroupInviteById(with_options!(UpdateGroupInviteById, op, args, version))
        }
        "deleteGroupInvite" => {
            let op = DeleteGroupInvite::new(parent, invitation()?).map_err(err)?;
            Command::DeleteGroupInvite(with_options!(DeleteGroupInvite, op, args, version))
        }
        "listOrgInvites" => {
            let mut op = ListOrgInvites::new(parent).map_err(&parent_err)?;
            if let Some(u) = &args.username {
                op = op.username(u.value.as_str()).map_err(flag_error(u))?;
            }
            Command::ListOrgInvites(with_options!(ListOrgInvites, op, args, version))
        }
        "createOrgInvite" => {
            let op = CreateOrgInvite::new(parent, body(&args.body, |t| serde_json::from_str(t))?).map_err(err)?;
            Command::CreateOrgInvite(with_options!(CreateOrgInvite, op, args, version))
        }
        "updateOrgInvites" => {
            let op = UpdateOrgInvites::new(parent, body(&args.body, |t| serde_json::from_str(t))?).map_err(err)?;
            Command::UpdateOrgInvites(with_options!(UpdateOrgInvites, op, args, version))
        }
        "getOrgInvite" => {
            let op = GetOrgInvite::new(parent, invitation()?).map_err(err)?;
            Command::GetOrgInvite(with_options!(GetOrgInvite, op, args, version))
        }
        "updateOrgInviteById" => {
            let op = UpdateOrgInviteById::new(parent, invitation()?, body(&args.body, |t| serde_json::from_str(t))?)
                .map_err(err)?;
            Command::UpdateOrgInviteById(with_options!(UpdateOrgInviteById, op, args, version))
        }
        "deleteOrgInvite" => {
            let op = DeleteOrgInvite::new(parent, invitation()?).map_err(err)?;
            Command::DeleteOrgInvite(with_options!(DeleteOrgInvite, op, args, version))
        }
        other => return Err(format!("operation {other} is listed but not wired up")),
    };
    Ok(command)
}

/// Why running a command failed.
pub(crate) enum RunError {
    /// The call failed (API error, authentication, transport, decoding).
    Call(Error),
    /// The typed result could not be serialized back to JSON.
    Output(serde_json::Error),
}

impl From<Error> for RunError {
    fn from(e: Error) -> Self {
        RunError::Call(e)
    }
}

/// Sends the operation; the typed result as JSON, or `None` for 204 No Content (deletes).
pub(crate) fn execute(client: &Client, command: &Command) -> Result<Option<Value>, RunError> {
    // Each arm serializes its own concrete output type.
    macro_rules! run {
        ($op:expr) => {
            serde_json::to_value(&client.execute($op)?.value).map_err(RunError::Output)?
        };
    }
    let value = match command {
        Command::ListGroupInvites(op) => run!(op),
        Command::CreateGroupInvite(op) => run!(op),
        Command::UpdateGroupInvites(op) => run!(op),
        Command::GetGroupInvite(op) => run!(op),
        Command::UpdateGroupInviteById(op) => run!(op),
        Command::DeleteGroupInvite(op) => run!(op),
        Command::ListOrgInvites(op) => run!(op),
        Command::CreateOrgInvite(op) => run!(op),
        Command::UpdateOrgInvites(op) => run!(op),
        Command::GetOrgInvite(op) => run!(op),
        Command::UpdateOrgInviteById(op) => run!(op),
        Command::DeleteOrgInvite(op) => run!(op),
    };
    // Deletes decode to `()`, which serializes as `null`: no content, print nothing.
    Ok((!value.is_null()).then_some(value))
}
