//! `atlas-api migrate plan|apply (--orgId ID | --groupId ID) [--reinvite-expired] [--pretty]`:
//! the migration from invitations to the Cloud Users API (`atlas_admin_core::migrate`).
//!
//! Prints the plan or the per-user report as JSON on stdout. Exit 0; 1 if some invitee failed
//! (or the invitations could not be listed: the Atlas error on stderr); 2 for invalid input,
//! with nothing sent. Runs over any [`Execute`]: the client, or a cassette (`--cassette`).

use crate::cassette::Watched;
use atlas_admin_ureq::core::migrate::{self, Action, Options, Scope};
use atlas_admin_ureq::core::{Blocking, Execute};
use atlas_admin_ureq::{GroupId, OrgId};
use std::process::ExitCode;
use std::time::SystemTime;

/// `atlas-api migrate --help`.
pub(crate) const USAGE: &str = "\
atlas-api migrate plan  (--orgId ID | --groupId ID) [--reinvite-expired] [--pretty]
atlas-api migrate apply (--orgId ID | --groupId ID) [--reinvite-expired] [--pretty]
(both also take --cassette FILE [--record-mode MODE]: see atlas-api --help)

plan is read-only: the pending invitations of the organization or project, the action for each
(replace, add_roles, already_present, skip or fail) and the Cloud Users calls it takes. apply
performs them and reports each invitee in the same words: it is safe to re-run (a second run
changes nothing and says so), never deletes an invitation before its replacement exists and
holds every invited role (add_roles: the missing ones are added first), and never invites
someone twice. Org invitations already are PENDING org users (never deleted); expired
invitations are skipped unless --reinvite-expired. See MIGRATING.md.
Exit: 0 done; 1 some invitee failed (its invitation kept) or an Atlas error (JSON on stderr);
2 invalid input, nothing sent.
";

struct Command {
    apply: bool,
    scope: Scope,
    options: Options,
    pretty: bool,
}

/// Reads the arguments after `migrate`; `None` for `--help`.
fn parse(argv: &[String]) -> Result<Option<Command>, String> {
    let mut args = argv.iter().map(String::as_str);
    let apply = match args.next() {
        Some("plan") => false,
        Some("apply") => true,
        Some("--help" | "-h") => return Ok(None),
        Some(other) => return Err(format!("migrate: expected plan or apply, got {other:?}")),
        None => return Err("migrate: expected plan or apply".to_owned()),
    };
    let (mut scope, mut options, mut pretty) = (None, Options::default(), false);
    while let Some(flag) = args.next() {
        match flag {
            "--help" | "-h" => return Ok(None),
            "--reinvite-expired" => options = options.reinvite_expired(true),
            "--pretty" => pretty = true,
            "--orgId" | "--groupId" | "--projectId" => {
                let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
                let given = if flag == "--orgId" {
                    OrgId::new(value).map(Scope::Org)
                } else {
                    GroupId::new(value).map(Scope::Group)
                };
                let given = given.map_err(|e| format!("{flag}: {e}"))?;
                if scope.replace(given).is_some() {
                    return Err("migrate: give one --orgId or one --groupId".to_owned());
                }
            }
            other => return Err(format!("migrate: unknown flag {other:?}")),
        }
    }
    let scope = scope.ok_or("migrate: --orgId or --groupId is required")?;
    Ok(Some(Command { apply, scope, options, pretty }))
}

/// Runs `atlas-api migrate …`; `client` is called only once the input is valid. Gives the exit
/// status and, if a call ended without Atlas's answer (a transport or authentication failure),
/// why a recording of the run must not be saved (see `cassette::refusal`).
pub(crate) fn main<E: Execute>(argv: &[String], client: &dyn Fn() -> Result<E, String>) -> (ExitCode, Option<String>) {
    let cmd = match parse(argv) {
        Ok(Some(cmd)) => cmd,
        Ok(None) => {
            crate::out(USAGE);
            return (ExitCode::SUCCESS, None);
        }
        Err(message) => return (crate::usage_error(&message), None),
    };
    let client = match client() {
        Ok(c) => Watched::new(c),
        Err(message) => return (crate::usage_error(&message), None),
    };
    let code = run(&cmd, &client);
    (code, client.refused())
}

/// Plans or applies, prints the plan or the report, and gives the exit status.
fn run<E: Execute>(cmd: &Command, client: &E) -> ExitCode {
    // Invitation expiry is judged on the wall clock, as `Client::migrate` does.
    let atlas = Blocking(client);
    // Invitees done and left, on stderr while it runs (a terminal only).
    let line = crate::progress::line();
    let shown = line.long_work();
    let progress = |p| line.say(crate::progress::migration(p));
    let (scope, options, now) = (&cmd.scope, cmd.options, SystemTime::now());
    let (value, failed) = if cmd.apply {
        match migrate::blocking(migrate::apply_with_progress(&atlas, scope, options, now, &progress)) {
            Ok(report) => (serde_json::to_value(&report), report.failed() > 0),
            Err(e) => return crate::report(&e, cmd.pretty),
        }
    } else {
        match migrate::blocking(migrate::plan_with_progress(&atlas, scope, options, now, &progress)) {
            Ok(plan) => (serde_json::to_value(&plan), plan.entries.iter().any(|e| e.action == Action::Fail)),
            Err(e) => return crate::report(&e, cmd.pretty),
        }
    };
    drop(shown);
    let printed = value.is_ok_and(|v| crate::out(&format!("{}\n", crate::to_json(&v, cmd.pretty))));
    if failed || !printed { ExitCode::from(crate::RUNTIME_ERROR) } else { ExitCode::SUCCESS }
}
