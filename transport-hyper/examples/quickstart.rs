//! Quickstart: the whole project invitation lifecycle with the async client.
//!
//! ```text
//! cargo run -p atlas-admin-hyper --example quickstart
//! ```
//!
//! With no `MONGODB_ATLAS_*` credentials set it starts a fake Atlas in this process on
//! 127.0.0.1 (nothing leaves the machine) and runs, with the fake's API key (HTTP Digest):
//!
//! 1. `createGroupInvite`      invite a user as GROUP_READ_ONLY
//! 2. `listGroupInvites`       find it with the `username` filter
//! 3. `updateGroupInvites`     change its roles, choosing it by username (PATCH …/invites)
//! 4. `updateGroupInviteById`  change its roles, choosing it by id
//! 5. `getGroupInvite`         read it back
//! 6. `deleteGroupInvite`      cancel it
//! 7. `getGroupInvite`         again: a typed 404 `RESOURCE_NOT_FOUND`, handled
//!
//! Each step prints its HTTP exchanges (from the client's `on_exchange` observer), the first
//! response's Deprecation/Sunset notice is shown once, and a summary compares calls with HTTP
//! requests: after the first Digest challenge every call is signed preemptively.
//!
//! To run it against Atlas, set credentials (`MONGODB_ATLAS_PUBLIC_API_KEY` +
//! `MONGODB_ATLAS_PRIVATE_API_KEY`, or `MONGODB_ATLAS_CLIENT_ID` + `MONGODB_ATLAS_CLIENT_SECRET`),
//! `MONGODB_ATLAS_GROUP_ID` (a project you own), `MONGODB_ATLAS_INVITE_USERNAME` (the e-mail to
//! invite: Atlas really e-mails it; step 6 cancels the invitation) and optionally
//! `MONGODB_ATLAS_BASE_URL`. A service account's token is revoked at the end.
//!
//! Exit status: 0 success, 1 an unexpected API or transport error, 2 a usage or configuration error.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use atlas_admin_hyper::ops::{
    CreateGroupInvite, DeleteGroupInvite, GetGroupInvite, ListGroupInvites, UpdateGroupInviteById, UpdateGroupInvites,
};
use atlas_admin_hyper::{
    BuildError, Client, ClientBuilder, Error, Exchange, ExchangeOutcome, GroupId, GroupInvitation,
    GroupInvitationRequest, GroupInvitationUpdateRequest, InvalidInput, ProjectRole, Purpose, ResponseMeta, env,
};
use atlas_admin_tests::fake::FakeAtlas;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

const GROUP_ID_VAR: &str = "MONGODB_ATLAS_GROUP_ID";
const INVITE_USERNAME_VAR: &str = "MONGODB_ATLAS_INVITE_USERNAME";
const DEMO_USERNAME: &str = "ada.lovelace@example.com";

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Config(message)) => {
            eprintln!("quickstart: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Call(error)) => {
            eprintln!("quickstart: unexpected error: {error}");
            ExitCode::from(1)
        }
        Err(Failure::Unexpected(message)) => {
            eprintln!("quickstart: unexpected answer: {message}");
            ExitCode::from(1)
        }
    }
}

/// Why the quickstart stopped.
enum Failure {
    /// Bad or missing settings (exit 2).
    Config(String),
    /// An API or transport error the lifecycle did not expect (exit 1).
    Call(Error),
    /// A successful answer that makes no sense for the lifecycle (exit 1).
    Unexpected(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Call(e)
    }
}

impl From<BuildError> for Failure {
    fn from(e: BuildError) -> Self {
        Failure::Config(e.to_string())
    }
}

impl From<InvalidInput> for Failure {
    fn from(e: InvalidInput) -> Self {
        Failure::Config(e.to_string())
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Where the lifecycle runs: the client settings, the project and the user to invite.
struct Target {
    builder: ClientBuilder,
    group_id: GroupId,
    username: String,
    /// The in-process fake, when there are no credentials (kept alive while the client runs).
    _fake: Option<FakeAtlas>,
}

fn target() -> Result<Target, Failure> {
    let has_credentials = [env::PUBLIC_API_KEY, env::PRIVATE_API_KEY, env::CLIENT_ID, env::CLIENT_SECRET]
        .into_iter()
        .any(|v| var(v).is_some());
    if !has_credentials {
        let fake = FakeAtlas::start();
        let config = fake.config();
        println!("Target: in-process fake Atlas at {} (no MONGODB_ATLAS_* credentials set)", fake.base_url());
        if var(env::BASE_URL).is_some() {
            println!("        ({} is ignored without credentials)", env::BASE_URL);
        }
        println!("        API key {} (HTTP Digest), project {}", config.public_key, config.group_id);
        let builder = Client::builder()
            .base_url(&fake.base_url())
            .api_key(config.public_key.as_str(), config.private_key.as_str());
        let group_id = GroupId::new(&config.group_id)?;
        return Ok(Target { builder, group_id, username: DEMO_USERNAME.to_owned(), _fake: Some(fake) });
    }
    let missing: Vec<&str> = [GROUP_ID_VAR, INVITE_USERNAME_VAR].into_iter().filter(|v| var(v).is_none()).collect();
    if !missing.is_empty() {
        return Err(Failure::Config(format!(
            "Atlas credentials are set, so the lifecycle runs against Atlas, which also needs {}: \
             {GROUP_ID_VAR} (the project) and {INVITE_USERNAME_VAR} (the e-mail to invite). \
             Unset the credentials to run against the in-process fake instead.",
            missing.join(" and ")
        )));
    }
    let group_id = GroupId::new(var(GROUP_ID_VAR).unwrap_or_default())
        .map_err(|e| Failure::Config(format!("{GROUP_ID_VAR}: {e}")))?;
    let username = var(INVITE_USERNAME_VAR).unwrap_or_default();
    GroupInvitationRequest::new(&username, [ProjectRole::GroupReadOnly])
        .map_err(|e| Failure::Config(format!("{INVITE_USERNAME_VAR}: {e}")))?;
    let builder = ClientBuilder::from_env()?;
    let base_url = var(env::BASE_URL).unwrap_or_else(|| atlas_admin_hyper::core::DEFAULT_BASE_URL.to_owned());
    println!("Target: {base_url} (credentials from the environment)");
    println!("        project {group_id}; Atlas e-mails an invitation to {username}, and step 6 cancels it");
    Ok(Target { builder, group_id, username, _fake: None })
}

/// What the exchange observer counted.
#[derive(Default)]
struct Stats {
    requests: AtomicU32,
    challenges: AtomicU32,
    token_requests: AtomicU32,
}

/// One line per HTTP exchange, e.g. `  → PATCH /api/atlas/v2/groups/…/invites  200 (signed: Digest)`.
fn log_exchange(stats: &Stats, exchange: &Exchange) {
    stats.requests.fetch_add(1, Ordering::Relaxed);
    let target = exchange.uri.path_and_query().map_or("/", |p| p.as_str());
    let outcome = match &exchange.outcome {
        ExchangeOutcome::Response { status, .. } => {
            // The core says what each request was for.
            let note = match (exchange.purpose, status.as_u16(), exchange.auth_scheme.as_deref()) {
                (Some(Purpose::DigestProbe { .. }), 401, _) => {
                    stats.challenges.fetch_add(1, Ordering::Relaxed);
                    "(Digest challenge)".to_owned()
                }
                (Some(Purpose::TokenFetch { .. }), _, _) => {
                    stats.token_requests.fetch_add(1, Ordering::Relaxed);
                    "(service account token)".to_owned()
                }
                (_, _, Some(scheme)) => format!("(signed: {scheme})"),
                (_, _, None) => "(unsigned)".to_owned(),
            };
            format!("{}  {note}", status.as_u16())
        }
        ExchangeOutcome::Failed { kind, message } => format!("failed ({kind:?}): {message}"),
        _ => "(no response)".to_owned(),
    };
    println!("  → {} {target}  {outcome}", exchange.method);
}

/// `id …  username …  roles […]  expiresAt …`
fn describe(invitation: &GroupInvitation) -> String {
    let roles: Vec<&str> = invitation.roles.iter().map(ProjectRole::as_str).collect();
    format!(
        "id {}  username {}  roles [{}]  expiresAt {}",
        invitation.id.as_ref().map_or("?", |id| id.as_str()),
        invitation.username.as_deref().unwrap_or("?"),
        roles.join(", "),
        invitation.expires_at.as_ref().map_or("?", |t| t.as_str()),
    )
}

/// The Deprecation/Sunset notice, printed once for the first response that carries one.
fn notice(meta: &ResponseMeta, shown: &mut bool) {
    if *shown || (meta.deprecation.is_none() && meta.sunset.is_none()) {
        return;
    }
    *shown = true;
    let since = meta.deprecation.map_or_else(|| "deprecated".to_owned(), |d| format!("deprecated since {d}"));
    let sunset =
        meta.sunset.map_or_else(String::new, |s| format!("; sunset {s} (then Atlas answers 410 VERSION_GONE)"));
    println!("  ! Atlas says these endpoints are {since}{sunset}");
}

fn step(n: u32, operation_id: &str, what: &str) {
    println!("\n[{n}/7] {operation_id}: {what}");
}

async fn run() -> Result<(), Failure> {
    println!("atlas-admin quickstart: the project invitation lifecycle (atlas-admin-hyper, async)");
    let target = target()?;
    let stats = Arc::new(Stats::default());
    let client = target.builder.on_exchange({
        let stats = Arc::clone(&stats);
        move |exchange| log_exchange(&stats, exchange)
    });
    let client = client.build()?;
    let (group, user) = (&target.group_id, target.username.as_str());
    let mut calls = 0u32;
    let mut noticed = false;

    step(1, "createGroupInvite", &format!("invite {user} to the project as GROUP_READ_ONLY"));
    let body = GroupInvitationRequest::new(user, [ProjectRole::GroupReadOnly])?;
    calls += 1;
    let created = client.create_group_invite(&CreateGroupInvite::new(group, body)?).await?;
    println!("  ✓ created: {}", describe(&created.value));
    notice(&created.meta, &mut noticed);
    let id = created
        .value
        .id
        .clone()
        .ok_or_else(|| Failure::Unexpected("Atlas returned an invitation without an id".to_owned()))?;

    step(2, "listGroupInvites", &format!("list the project's pending invitations for username={user}"));
    calls += 1;
    let listed = client.list_group_invites(&ListGroupInvites::new(group)?.username(user)?).await?;
    println!("  ✓ {} invitation(s) found", listed.value.len());
    for invitation in &listed.value {
        println!("    - {}", describe(invitation));
    }

    step(3, "updateGroupInvites", "set the roles to GROUP_BACKUP_MANAGER, choosing the invitation by username");
    let body = GroupInvitationRequest::new(user, [ProjectRole::GroupBackupManager])?;
    calls += 1;
    let updated = client.update_group_invites(&UpdateGroupInvites::new(group, body)?).await?;
    println!("  ✓ updated: {}", describe(&updated.value));
    notice(&updated.meta, &mut noticed);

    step(4, "updateGroupInviteById", "set the roles to GROUP_CLUSTER_MANAGER + GROUP_READ_ONLY, by invitation id");
    let roles = GroupInvitationUpdateRequest::new([ProjectRole::GroupClusterManager, ProjectRole::GroupReadOnly])?;
    calls += 1;
    let by_id = client.update_group_invite_by_id(&UpdateGroupInviteById::new(group, &id, roles)?).await?;
    println!("  ✓ updated: {}", describe(&by_id.value));

    step(5, "getGroupInvite", &format!("read invitation {id} back"));
    calls += 1;
    let got = client.get_group_invite(&GetGroupInvite::new(group, &id)?).await?;
    println!("  ✓ got: {}", describe(&got.value));

    step(6, "deleteGroupInvite", &format!("cancel invitation {id}"));
    calls += 1;
    let deleted = client.delete_group_invite(&DeleteGroupInvite::new(group, &id)?).await?;
    println!("  ✓ deleted (HTTP {}, no body)", deleted.meta.status.as_u16());

    step(7, "getGroupInvite", "read the deleted invitation again: expect a typed 404");
    calls += 1;
    match client.get_group_invite(&GetGroupInvite::new(group, &id)?).await {
        Err(e) if e.is_not_found() => {
            let detail = e.api_error().and_then(|a| a.detail()).unwrap_or("-");
            println!("  ✓ handled: HTTP 404, errorCode {}, detail {detail:?}", e.error_code().unwrap_or("(none)"));
        }
        Err(e) => return Err(e.into()),
        Ok(still) => {
            return Err(Failure::Unexpected(format!(
                "the invitation still exists after deleteGroupInvite: {}",
                describe(&still.value)
            )));
        }
    }

    let requests = stats.requests.load(Ordering::Relaxed);
    let challenges = stats.challenges.load(Ordering::Relaxed);
    let tokens = stats.token_requests.load(Ordering::Relaxed);
    let how = if challenges == 1 && tokens == 0 && requests == calls + 1 {
        "1 Digest challenge, then every call signed preemptively".to_owned()
    } else if challenges == 0 && tokens == 1 && requests == calls + 1 {
        "1 service account token request, then every call sent with that bearer token".to_owned()
    } else {
        let other = requests.saturating_sub(calls + challenges + tokens);
        format!("{challenges} Digest challenge(s), {tokens} token request(s), {other} re-sent or retried request(s)")
    };
    println!("\nSummary: {calls} calls, {requests} HTTP requests: {how}.");

    // A service account's token outlives this program unless it is revoked.
    if client.revoke_token().await? {
        println!("Revoked the service account's token.");
    }
    Ok(())
}
