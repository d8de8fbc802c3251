//! Command-line parsing for `atlas-invites` (hand-written: positionals, `--flag value` and
//! `--flag=value`). Only the shape is checked here; ids, e-mails and bodies are validated by
//! the core's constructors in `ops.rs`.

use std::fmt;

pub(crate) const USAGE: &str = "\
usage: atlas-invites <projects|organizations> <operationId> [flags]

Calls one MongoDB Atlas Administration API v2 invitation endpoint, like
`atlas api projects updateGroupInvites`, and prints the response JSON on stdout.

operations:
  projects       listGroupInvites       --groupId ID [--username EMAIL]
                 createGroupInvite      --groupId ID --data JSON|--file PATH
                 updateGroupInvites     --groupId ID --data JSON|--file PATH  (chosen by username in the body)
                 getGroupInvite         --groupId ID --invitationId ID
                 updateGroupInviteById  --groupId ID --invitationId ID --data JSON|--file PATH
                                        (alias: updateInviteById)
                 deleteGroupInvite      --groupId ID --invitationId ID
  organizations  listOrgInvites         --orgId ID [--username EMAIL]
                 createOrgInvite        --orgId ID --data JSON|--file PATH
                 updateOrgInvites       --orgId ID --data JSON|--file PATH    (chosen by username in the body)
                 getOrgInvite           --orgId ID --invitationId ID
                 updateOrgInviteById    --orgId ID --invitationId ID --data JSON|--file PATH
                 deleteOrgInvite        --orgId ID --invitationId ID

flags:
  --groupId ID, --projectId ID  project id (24 lowercase hex characters)
  --orgId ID                    organization id (24 lowercase hex characters)
  --invitationId ID             invitation id (24 lowercase hex characters)
  --username EMAIL              list only this user's invitation
  --data JSON                   request body, e.g. '{\"username\":\"ada@example.com\",\"roles\":[\"GROUP_READ_ONLY\"]}'
                                (project update by id: '{\"roles\":[...]}'; organizations: \"roles\" are ORG_...,
                                plus optional \"teamIds\" and \"groupRoleAssignments\":[{\"groupId\":...,\"roles\":[...]}])
  --file PATH                   request body from a file ('-' reads stdin)
  --envelope                    send envelope=true; the envelope is unwrapped, so the output is unchanged
  --pretty                      pretty-print the output (and send pretty=true where the operation takes it)
  --version YYYY-MM-DD          API version (default 2023-01-01, the only one these endpoints have)
  --debug                       log each HTTP exchange on stderr (method, URL, status; never secrets)
  -h, --help                    this help

environment (as Client::from_env):
  MONGODB_ATLAS_PUBLIC_API_KEY + MONGODB_ATLAS_PRIVATE_API_KEY   API key (HTTP Digest), or
  MONGODB_ATLAS_CLIENT_ID + MONGODB_ATLAS_CLIENT_SECRET           service account (OAuth)
  MONGODB_ATLAS_BASE_URL                                          default https://cloud.mongodb.com

output and exit status:
  0  success: the response JSON on stdout (compact, or pretty with --pretty);
     deletes (204 No Content) print nothing
  1  Atlas answered with an error: its ApiError JSON on stderr;
     or another runtime failure (authentication, transport, undecodable answer): one line on stderr
  2  invalid input (operation, flag, id, e-mail, roles, JSON body, credentials settings):
     a message on stderr, and nothing is sent
";

/// `projects` or `organizations`, as in `atlas api <tag> <operationId>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Area {
    Projects,
    Organizations,
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Area::Projects => "projects",
            Area::Organizations => "organizations",
        })
    }
}

/// Where the request body comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum BodySource {
    /// `--data JSON`
    Data(String),
    /// `--file PATH` (`-` is stdin)
    File(String),
}

/// A flag's value and the name it was given under (for messages: `--projectId` vs `--groupId`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Named {
    pub(crate) flag: &'static str,
    pub(crate) value: String,
}

/// The parsed command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Args {
    pub(crate) area: Area,
    pub(crate) operation: String,
    pub(crate) group_id: Option<Named>,
    pub(crate) org_id: Option<Named>,
    pub(crate) invitation_id: Option<Named>,
    pub(crate) username: Option<Named>,
    pub(crate) body: Option<BodySource>,
    pub(crate) envelope: bool,
    pub(crate) pretty: bool,
    pub(crate) version: Option<String>,
    pub(crate) debug: bool,
}

/// Flags that take a value, by every name they go by.
const VALUE_FLAGS: &[&str] =
    &["--groupId", "--projectId", "--orgId", "--invitationId", "--username", "--data", "--file", "--version"];
/// Flags without a value (`--flag=true|false` also accepted).
const SWITCHES: &[&str] = &["--envelope", "--pretty", "--debug"];

/// Parses the arguments after the program name; `None` means `--help`.
pub(crate) fn parse(args: impl IntoIterator<Item = String>) -> Result<Option<Args>, String> {
    let args: Vec<String> = args.into_iter().collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        return Ok(None);
    }
    let mut positionals = Vec::new();
    let mut group_id = None;
    let mut org_id = None;
    let mut invitation_id = None;
    let mut username = None;
    let mut body = None;
    let mut version = None;
    let (mut envelope, mut pretty, mut debug) = (None, None, None);
    let mut iter = args.into_iter();
    while let Some(arg) = iter.next() {
        if !arg.starts_with('-') || arg == "-" {
            positionals.push(arg);
            continue;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (arg.clone(), None),
        };
        if let Some(&flag) = SWITCHES.iter().find(|f| **f == name) {
            let on = match inline.as_deref() {
                None | Some("true") => true,
                Some("false") => false,
                Some(other) => return Err(format!("{flag} takes no value (or =true/=false), got {other:?}")),
            };
            let slot = match flag {
                "--envelope" => &mut envelope,
                "--pretty" => &mut pretty,
                _ => &mut debug,
            };
            set_once(slot, flag, on)?;
            continue;
        }
        let Some(&flag) = VALUE_FLAGS.iter().find(|f| **f == name) else {
            return Err(format!("unknown flag {name:?}"));
        };
        let value = match inline.or_else(|| iter.next()) {
            // No id, e-mail, JSON body or date starts with `--`: that is the next flag.
            Some(v) if v.starts_with("--") => return Err(format!("{flag} needs a value, got the flag {v}")),
            Some(v) => v,
            None => return Err(format!("{flag} needs a value")),
        };
        let named = Named { flag, value: value.clone() };
        match flag {
            "--groupId" | "--projectId" => set_once(&mut group_id, "--groupId/--projectId", named)?,
            "--orgId" => set_once(&mut org_id, flag, named)?,
            "--invitationId" => set_once(&mut invitation_id, flag, named)?,
            "--username" => set_once(&mut username, flag, named)?,
            "--data" => set_once(&mut body, "--data/--file", BodySource::Data(value))?,
            "--file" => set_once(&mut body, "--data/--file", BodySource::File(value))?,
            _ => set_once(&mut version, flag, value)?,
        }
    }
    let mut positionals = positionals.into_iter();
    let area = match positionals.next().as_deref() {
        Some("projects") => Area::Projects,
        Some("organizations") => Area::Organizations,
        Some(other) => return Err(format!("unknown command {other:?}: expected projects or organizations")),
        None => return Err("missing command: projects or organizations".to_owned()),
    };
    let operation = positionals.next().ok_or_else(|| format!("missing the operationId after {area}"))?;
    if let Some(extra) = positionals.next() {
        return Err(format!("unexpected argument {extra:?} (flags start with --)"));
    }
    Ok(Some(Args {
        area,
        operation,
        group_id,
        org_id,
        invitation_id,
        username,
        body,
        envelope: envelope.unwrap_or(false),
        pretty: pretty.unwrap_or(false),
        version,
        debug: debug.unwrap_or(false),
    }))
}

/// Stores a flag's value, refusing a second one (`--groupId` and `--projectId` count as one).
fn set_once<T>(slot: &mut Option<T>, flag: &str, value: T) -> Result<(), String> {
    if slot.is_some() {
        return Err(format!("{flag} given more than once"));
    }
    *slot = Some(value);
    Ok(())
}
