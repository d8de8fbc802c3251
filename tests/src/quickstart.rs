//! What the quickstart examples share, so each shows only its calls: choosing the target (the
//! in-process fake Atlas without credentials, the configured server with them), the exchange
//! log, printing each step and result, and the exit status. Two lifecycles: the deprecated
//! project invitations ([`Quickstart::start`], seven calls) and the Cloud Users API that
//! replaces them ([`Quickstart::start_users`], six calls).
//!
//! ```ignore
//! let (mut q, builder) = Quickstart::start::<atlas_admin_ureq::Ureq>("atlas-admin-ureq, blocking")?;
//! let client = builder.build()?;
//! q.step("getGroupInvite", "read it back");
//! q.show("got", client.execute(&GetGroupInvite::new(&q.group_id, &id)?)?);
//! ```

use crate::fake::FakeAtlas;
use atlas_admin_core::transport::{BuildError, ClientBuilder, Connect};
use atlas_admin_core::{
    ApiResponse, CloudUser, DEFAULT_BASE_URL, Error, Exchange, ExchangeOutcome, GroupId, GroupInvitation,
    GroupInvitationRequest, InvalidInput, InvitationId, OrgId, OrgRole, ProjectRole, Purpose, ResponseMeta, Sanitized,
    UserId, env,
};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// `println!` through [`stdio::out`](crate::stdio::out): a closed stdout drops the line (never
/// a panic) and the run goes on, so what it created is still cleaned up.
macro_rules! outln {
    ($($arg:tt)*) => {{
        let _ = crate::stdio::out(&format!("{}\n", format_args!($($arg)*)));
    }};
}

/// `eprintln!` through [`stdio::err`](crate::stdio::err): a closed stderr is ignored.
macro_rules! errln {
    ($($arg:tt)*) => {
        crate::stdio::err(&format!($($arg)*))
    };
}

const GROUP_ID_VAR: &str = "MONGODB_ATLAS_GROUP_ID";
const ORG_ID_VAR: &str = "MONGODB_ATLAS_ORG_ID";
const INVITE_USERNAME_VAR: &str = "MONGODB_ATLAS_INVITE_USERNAME";
const DEMO_USERNAME: &str = "ada.lovelace@example.com";

/// Which lifecycle a quickstart runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lifecycle {
    /// The deprecated project invitations: seven calls in a project.
    Invitations,
    /// The Cloud Users API: six calls in an organization and one of its projects.
    CloudUsers,
}

impl Lifecycle {
    fn steps(self) -> u32 {
        match self {
            Lifecycle::Invitations => 7,
            Lifecycle::CloudUsers => 6,
        }
    }
}

/// Why a quickstart stopped.
#[derive(Debug)]
pub enum Failure {
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

/// The exit status for a quickstart's result: 0, 1 (unexpected error) or 2 (settings).
pub fn exit(result: Result<(), Failure>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Config(message)) => {
            errln!("quickstart: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Call(error)) => {
            errln!("quickstart: unexpected error: {error}");
            ExitCode::from(1)
        }
        Err(Failure::Unexpected(message)) => {
            errln!("quickstart: unexpected answer: {message}");
            ExitCode::from(1)
        }
    }
}

/// A non-empty environment variable.
fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// What the exchange observer counted.
#[derive(Default)]
struct Stats {
    requests: AtomicU32,
    challenges: AtomicU32,
    token_requests: AtomicU32,
}

/// One quickstart run: where it goes, and what it printed and counted so far.
pub struct Quickstart {
    /// The project the lifecycle runs in.
    pub group_id: GroupId,
    /// The organization (always set by [`start_users`](Self::start_users); by [`start`](Self::start)
    /// only on the fake).
    pub org_id: Option<OrgId>,
    /// The e-mail invited.
    pub username: String,
    stats: Arc<Stats>,
    steps: u32,
    calls: u32,
    noticed: bool,
    /// The in-process fake, when there are no credentials (kept alive while the client runs).
    _fake: Option<FakeAtlas>,
}

impl Quickstart {
    /// Prints the banner and the target, and returns a builder for it with the exchange log on.
    pub fn start<T: Connect>(title: &str) -> Result<(Quickstart, ClientBuilder<T>), Failure> {
        outln!("atlas-admin quickstart: the project invitation lifecycle ({title})");
        Self::begin(Lifecycle::Invitations)
    }

    /// As [`start`](Self::start), for the Cloud Users lifecycle; against a real server it also
    /// needs `MONGODB_ATLAS_ORG_ID`.
    pub fn start_users<T: Connect>(title: &str) -> Result<(Quickstart, ClientBuilder<T>), Failure> {
        outln!("atlas-admin quickstart: the Cloud Users lifecycle that replaces invitations ({title})");
        Self::begin(Lifecycle::CloudUsers)
    }

    fn begin<T: Connect>(lifecycle: Lifecycle) -> Result<(Quickstart, ClientBuilder<T>), Failure> {
        let (builder, group_id, org_id, username, fake) = target::<T>(lifecycle)?;
        let stats = Arc::new(Stats::default());
        let builder = builder.on_exchange({
            let stats = Arc::clone(&stats);
            move |exchange| log_exchange(&stats, exchange)
        });
        let steps = lifecycle.steps();
        Ok((Quickstart { group_id, org_id, username, stats, steps, calls: 0, noticed: false, _fake: fake }, builder))
    }

    /// The organization of the Cloud Users lifecycle.
    pub fn org(&self) -> Result<OrgId, Failure> {
        self.org_id.clone().ok_or_else(|| Failure::Config(format!("{ORG_ID_VAR} is not set")))
    }

    /// `[n/N] operationId: what`; each step is one call.
    pub fn step(&mut self, operation_id: &str, what: &str) {
        self.calls += 1;
        outln!("\n[{}/{}] {operation_id}: {what}", self.calls, self.steps);
    }

    /// `  ✓ label: id …  PENDING  roles […]` for an organization or project user (with the
    /// HTTP status: create and add answer 201).
    pub fn show_user<R: UserRoles>(&mut self, label: &str, response: ApiResponse<CloudUser<R>>) -> CloudUser<R> {
        let user = &response.value;
        outln!(
            "  ✓ {label} (HTTP {}): id {}  {}  {}  roles [{}]",
            response.meta.status.as_u16(),
            Sanitized(user.id.as_deref().unwrap_or("?")),
            Sanitized(user.username.as_deref().unwrap_or("?")),
            user.status,
            user.roles.names().join(", "),
        );
        self.notice(&response.meta);
        response.value
    }

    /// The user id Atlas gave a user.
    pub fn user_id_of<R>(user: &CloudUser<R>) -> Result<UserId, Failure> {
        user.user_id().ok_or_else(|| Failure::Unexpected("Atlas returned a user without a valid id".to_owned()))
    }

    /// `  ✓ label: id …  roles […]  expiresAt …`, and the Deprecation/Sunset notice once.
    pub fn show(&mut self, label: &str, response: ApiResponse<GroupInvitation>) -> GroupInvitation {
        outln!("  ✓ {label}: {}", describe(&response.value));
        self.notice(&response.meta);
        response.value
    }

    /// The invitations of a list call, one per line.
    pub fn show_list(&mut self, response: ApiResponse<Vec<GroupInvitation>>) {
        outln!("  ✓ {} invitation(s) found", response.value.len());
        for invitation in &response.value {
            outln!("    - {}", describe(invitation));
        }
        self.notice(&response.meta);
    }

    /// A delete's answer (204, no body).
    pub fn show_deleted(&mut self, response: ApiResponse<()>) {
        outln!("  ✓ deleted (HTTP {}, no body)", response.meta.status.as_u16());
    }

    /// The id Atlas gave an invitation.
    pub fn id_of(invitation: &GroupInvitation) -> Result<InvitationId, Failure> {
        invitation
            .id
            .clone()
            .ok_or_else(|| Failure::Unexpected("Atlas returned an invitation without an id".to_owned()))
    }

    /// The last step's expected typed 404; anything else is a failure.
    pub fn expect_not_found<V: std::fmt::Debug>(
        &mut self,
        result: Result<ApiResponse<V>, Error>,
    ) -> Result<(), Failure> {
        match result {
            Err(e) if e.is_not_found() => {
                let detail = e.api_error().and_then(|a| a.detail()).unwrap_or("-");
                outln!("  ✓ handled: HTTP 404, errorCode {}, detail {detail:?}", e.error_code().unwrap_or("(none)"));
                Ok(())
            }
            Err(e) => Err(e.into()),
            Ok(still) => Err(Failure::Unexpected(format!("it still exists after the delete: {:?}", still.value))),
        }
    }

    /// `Summary: 7 calls, 8 HTTP requests: …`.
    pub fn summary(&self) {
        let calls = self.calls;
        let requests = self.stats.requests.load(Ordering::Relaxed);
        let challenges = self.stats.challenges.load(Ordering::Relaxed);
        let tokens = self.stats.token_requests.load(Ordering::Relaxed);
        let how = if challenges == 1 && tokens == 0 && requests == calls + 1 {
            "1 Digest challenge, then every call signed preemptively".to_owned()
        } else if challenges == 0 && tokens == 1 && requests == calls + 1 {
            "1 service account token request, then every call sent with that bearer token".to_owned()
        } else {
            let other = requests.saturating_sub(calls + challenges + tokens);
            format!(
                "{challenges} Digest challenge(s), {tokens} token request(s), {other} re-sent or retried request(s)"
            )
        };
        outln!("\nSummary: {calls} calls, {requests} HTTP requests: {how}.");
    }

    /// The Deprecation/Sunset notice, printed once for the first response that carries one.
    fn notice(&mut self, meta: &ResponseMeta) {
        if self.noticed || (meta.deprecation.is_none() && meta.sunset.is_none()) {
            return;
        }
        self.noticed = true;
        let since = meta.deprecation.map_or_else(|| "deprecated".to_owned(), |d| format!("deprecated since {d}"));
        let sunset =
            meta.sunset.map_or_else(String::new, |s| format!("; sunset {s} (then Atlas answers 410 VERSION_GONE)"));
        outln!("  ! Atlas says these endpoints are {since}{sunset}");
    }
}

/// The roles of a user as role names, for [`Quickstart::show_user`].
pub trait UserRoles {
    /// The role names, organization roles first.
    fn names(&self) -> Vec<&str>;
}

impl UserRoles for atlas_admin_core::OrgUserRoles {
    fn names(&self) -> Vec<&str> {
        let project = self.group_role_assignments.iter().flat_map(|a| a.group_roles.iter().map(ProjectRole::as_str));
        self.org_roles.iter().map(OrgRole::as_str).chain(project).collect()
    }
}

impl UserRoles for Vec<ProjectRole> {
    fn names(&self) -> Vec<&str> {
        self.iter().map(ProjectRole::as_str).collect()
    }
}

/// The fake answers a version past its sunset 410, as Atlas does: from the invitation
/// endpoints' sunset (2027-07-01) on, the invitation lifecycle runs on the fake with its clock
/// set to the day before, and says so (real Atlas then answers 410 `VERSION_GONE`).
fn pin_before_invitation_sunset(fake: &FakeAtlas) {
    let sunset = atlas_admin_core::catalog::find("createGroupInvite")
        .and_then(|e| e.sunset_date(atlas_admin_core::ApiVersion::V2023_01_01));
    let Some(sunset) = sunset else { return };
    if fake.now() >= sunset.system_time() {
        let before = sunset.system_time() - std::time::Duration::from_secs(86_400);
        fake.set_clock(before);
        outln!(
            "        the invitation endpoints are gone since {sunset}: the fake's clock is set to {}",
            atlas_admin_core::format_rfc3339(before)
        );
    }
}

/// The fake (no credentials set) or the server the environment names.
#[allow(clippy::type_complexity)]
fn target<T: Connect>(
    lifecycle: Lifecycle,
) -> Result<(ClientBuilder<T>, GroupId, Option<OrgId>, String, Option<FakeAtlas>), Failure> {
    let has_credentials = [env::PUBLIC_API_KEY, env::PRIVATE_API_KEY, env::CLIENT_ID, env::CLIENT_SECRET]
        .into_iter()
        .any(|v| var(v).is_some());
    if !has_credentials {
        let fake = FakeAtlas::start();
        let config = fake.config();
        outln!("Target: in-process fake Atlas at {} (no MONGODB_ATLAS_* credentials set)", fake.base_url());
        if var(env::BASE_URL).is_some() {
            outln!("        ({} is ignored without credentials)", env::BASE_URL);
        }
        let org = match lifecycle {
            Lifecycle::CloudUsers => format!("organization {}, ", config.org_id),
            Lifecycle::Invitations => String::new(),
        };
        outln!("        API key {} (HTTP Digest), {org}project {}", config.public_key, config.group_id);
        if lifecycle == Lifecycle::Invitations {
            pin_before_invitation_sunset(&fake);
        }
        let builder = ClientBuilder::<T>::default()
            .base_url(&fake.base_url())
            .api_key(config.public_key.as_str(), config.private_key.as_str());
        let (group_id, org_id) = (GroupId::new(&config.group_id)?, OrgId::new(&config.org_id)?);
        return Ok((builder, group_id, Some(org_id), DEMO_USERNAME.to_owned(), Some(fake)));
    }
    let needed: &[&str] = match lifecycle {
        Lifecycle::Invitations => &[GROUP_ID_VAR, INVITE_USERNAME_VAR],
        Lifecycle::CloudUsers => &[ORG_ID_VAR, GROUP_ID_VAR, INVITE_USERNAME_VAR],
    };
    let missing: Vec<&str> = needed.iter().copied().filter(|v| var(v).is_none()).collect();
    if !missing.is_empty() {
        return Err(Failure::Config(format!(
            "Atlas credentials are set, so the quickstart runs against a real server and needs {} too: \
             set {GROUP_ID_VAR} to a project id you own (and {ORG_ID_VAR} to its organization for the Cloud \
             Users lifecycle) and {INVITE_USERNAME_VAR} to the e-mail to invite \
             (or unset the credentials to use the in-process fake)",
            missing.join(" and ")
        )));
    }
    let group_id = GroupId::new(var(GROUP_ID_VAR).unwrap_or_default())
        .map_err(|e| Failure::Config(format!("{GROUP_ID_VAR}: {e}")))?;
    let org_id = match var(ORG_ID_VAR) {
        Some(id) => Some(OrgId::new(id).map_err(|e| Failure::Config(format!("{ORG_ID_VAR}: {e}")))?),
        None => None,
    };
    let username = var(INVITE_USERNAME_VAR).unwrap_or_default();
    GroupInvitationRequest::new(&username, [ProjectRole::GroupReadOnly])
        .map_err(|e| Failure::Config(format!("{INVITE_USERNAME_VAR}: {e}")))?;
    let builder = ClientBuilder::<T>::from_env()?;
    let base_url = var(env::BASE_URL).unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
    outln!("Target: {base_url} (credentials from the environment)");
    match (lifecycle, &org_id) {
        (Lifecycle::CloudUsers, Some(org)) => outln!(
            "        organization {org}, project {group_id}; Atlas e-mails an invitation to {username}, \
             and step 5 removes that user"
        ),
        _ => outln!("        project {group_id}; Atlas e-mails an invitation to {username}, and step 6 cancels it"),
    }
    Ok((builder, group_id, org_id, username, None))
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
            format!("{} {note}", status.as_u16())
        }
        ExchangeOutcome::Failed { kind, message } => format!("failed ({kind:?}): {}", Sanitized(message)),
        _ => "(no response)".to_owned(),
    };
    outln!("  → {} {target}  {outcome}", exchange.method);
}

/// `id …  roles […]  expiresAt …`
fn describe(invitation: &GroupInvitation) -> String {
    let roles: Vec<&str> = invitation.roles.iter().map(ProjectRole::as_str).collect();
    format!(
        "id {}  roles [{}]  expiresAt {}",
        invitation.id.as_ref().map_or("?", |id| id.as_str()),
        roles.join(", "),
        invitation.expires_at.as_ref().map_or("?", |t| t.as_str()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    /// Past the invitations' sunset the quickstart's fake is set to the day before it; before
    /// it, its clock is left alone.
    #[test]
    fn the_invitation_quickstart_runs_on_a_clock_before_the_sunset() {
        let sunset = SystemTime::UNIX_EPOCH + Duration::from_secs(1_814_400_000); // 2027-07-01
        let fake = FakeAtlas::start();
        fake.set_clock(sunset + Duration::from_secs(31 * 86_400));
        pin_before_invitation_sunset(&fake);
        assert_eq!(fake.now(), sunset - Duration::from_secs(86_400));
        let early = sunset - Duration::from_secs(7 * 86_400);
        fake.set_clock(early);
        pin_before_invitation_sunset(&fake);
        assert_eq!(fake.now(), early);
    }
}
