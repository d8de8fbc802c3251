//! `atlas-api`: any endpoint of the core's table from the command line, like
//! `atlas api <tag> <operationId>`.
//!
//! ```text
//! cargo run -q -p atlas-admin-ureq --features cli --bin atlas-api -- projects updateGroupInvites \
//!     --groupId 32b6e34b3d91647abb20e7b8 --data '{"username":"ada@example.com","roles":["GROUP_READ_ONLY"]}'
//! cargo run -q -p atlas-admin-ureq --features cli --bin atlas-api -- mongoDbCloudUsers listOrgUsers \
//!     --orgId 4888442a3354817a7320eb61 --orgMembershipStatuses PENDING --orgMembershipStatuses ACTIVE --all-pages
//! ```
//!
//! Tags, operations and their flags come from `atlas_admin_core::catalog` (every operation of
//! the spec; the 28 typed ones run through their typed operations, the others as catalog
//! `Custom` operations checked by their entries). Install it with
//! `cargo install atlas-admin-ureq --features cli`. Credentials and the base URL come from the
//! environment, as for `Client::from_env()`. Input is validated by the core before anything is
//! sent; the typed result is printed back as JSON. See `--help` for flags and exit statuses.
//! Output to a closed pipe is dropped quietly (never a panic).
//!
//! With `--cassette FILE` a session is recorded once (with the environment's credentials; no
//! secret is saved) and replayed anywhere, with no credentials and no network:
//!
//! ```text
//! atlas-api projects listGroupInvites --groupId 32b6e34b3d91647abb20e7b8 --cassette invites.json
//! CI=1 atlas-api projects listGroupInvites --groupId 32b6e34b3d91647abb20e7b8 --cassette invites.json
//! ```

#[path = "atlas-api/args.rs"]
mod args;
#[path = "atlas-api/cassette.rs"]
mod cassette;
#[path = "atlas-api/catalog_help.rs"]
mod catalog_help;
#[path = "atlas-api/migrate.rs"]
mod migrate;
#[path = "atlas-api/progress.rs"]
mod progress;
#[path = "atlas-api/run.rs"]
mod run;

use atlas_admin_ureq::core::transport::DEFAULT_MAX_RESPONSE_BYTES;
use atlas_admin_ureq::{Client, ClientBuilder, Error};
use cassette::CassetteArgs;
use run::{Failure, Warned};
use serde_json::Value;
use std::cell::OnceCell;
// Output to a closed pipe is dropped quietly: `out` says `false`, `err` ignores it.
use atlas_admin_testing::stdio::{err, out};
use std::process::ExitCode;

/// Exit status for invalid input: nothing was sent.
const USAGE_ERROR: u8 = 2;
/// Exit status for an API error or another runtime failure.
const RUNTIME_ERROR: u8 = 1;

fn usage_error(message: &str) -> ExitCode {
    err(&format!("atlas-api: {message}\nRun `atlas-api --help` for the operations and flags."));
    ExitCode::from(USAGE_ERROR)
}

fn to_json(value: &serde_json::Value, pretty: bool) -> String {
    let text = if pretty { serde_json::to_string_pretty(value) } else { serde_json::to_string(value) };
    text.unwrap_or_else(|_| value.to_string())
}

fn main() -> ExitCode {
    let mut argv = Vec::new();
    for arg in std::env::args_os().skip(1) {
        match arg.into_string() {
            Ok(a) => argv.push(a),
            Err(bad) => return usage_error(&format!("argument {bad:?} is not valid Unicode")),
        }
    }
    let cassette = match cassette::take(&mut argv) {
        Ok(cassette) => cassette,
        Err(message) => return usage_error(&message),
    };
    if let Some(("migrate", rest)) = argv.split_first().map(|(first, rest)| (first.as_str(), rest)) {
        let Some(cassette) = cassette else {
            return migrate::main(rest, &|| live_client(false, DEFAULT_MAX_RESPONSE_BYTES)).0;
        };
        let slot = OnceCell::new();
        let (code, refused) = migrate::main(rest, &cassette.opener(&slot, false));
        return cassette.finish(slot, code, refused);
    }
    let asked = argv.clone();
    let args = match args::parse(argv) {
        Ok(None) => {
            out(&catalog_help::help_for(&asked, || format!("{}\n{}", args::usage(), migrate::USAGE)));
            return ExitCode::SUCCESS;
        }
        Ok(Some(args)) => args,
        Err(message) => return usage_error(&message),
    };
    let print = |text: &str| out(text);
    // The client (or cassette) is made only once everything the user typed is valid.
    let Some(cassette) = cassette else {
        let max_bytes = run::max_response_bytes(&args);
        return exit(run::run(&args, &|| live_client(args.debug, max_bytes), &print), args.pretty);
    };
    let slot = OnceCell::new();
    // While recording, the live answers are not printed: the new cassette's replay is.
    let quiet_while_recording = |text: &str| CassetteArgs::recording(&slot) || out(text);
    let outcome = run::run(&args, &cassette.opener(&slot, args.debug), &quiet_while_recording);
    // Atlas answered (a success or an Atlas error other than failed authentication): only
    // then is a recording worth keeping; a network failure must not replace a good cassette.
    let refused = match &outcome {
        Ok(_) => None,
        Err(Failure::Call(error)) => cassette::refusal(error),
        Err(Failure::Usage(message)) => Some(format!("the command failed: {message}")),
        Err(Failure::Output(e)) => Some(format!("the answer could not be printed: {e}")),
        Err(Failure::Closed) => Some("the output was closed".to_owned()),
        Err(Failure::Io(message)) => Some(format!("the answer could not be written: {message}")),
    };
    let code = match CassetteArgs::replay_of_recording(&slot, refused.is_some()) {
        Some(Ok(player)) => {
            let code = exit(run::run(&args, &|| Ok(&player), &print), args.pretty);
            cassette.replayed_as_recorded(&player, code)
        }
        Some(Err(message)) => {
            err(&format!("atlas-api: {message}"));
            ExitCode::from(RUNTIME_ERROR)
        }
        // A request the cassette has no answer for is told by `finish`, with its diff.
        None if CassetteArgs::missed(&slot) => ExitCode::from(RUNTIME_ERROR),
        None => exit(outcome, args.pretty),
    };
    cassette.finish(slot, code, refused)
}

/// The real client from the environment, reading answers of at most `max_bytes`, with
/// `--debug`'s exchange log and the waits shown on the progress line (a terminal only).
fn live_client(debug: bool, max_bytes: u64) -> Result<Warned<Client>, String> {
    let builder = ClientBuilder::from_env().map_err(|e| e.to_string())?.max_response_bytes(max_bytes);
    let builder = builder.on_exchange(move |exchange| {
        if debug {
            err(&format!("atlas-api: {exchange}"));
        }
        progress::line().exchanged(exchange);
    });
    Ok(Warned::new(builder.build().map_err(|e| e.to_string())?))
}

/// Prints the result (or the failure) and gives the exit status, the progress line cleared
/// first (a wait it told of is over, and it must not draw over what is printed).
fn exit(outcome: Result<Option<Value>, Failure>, pretty: bool) -> ExitCode {
    exit_after(progress::line(), outcome, pretty)
}

/// [`exit`], with `progress` the line to clear.
fn exit_after(progress: &progress::Progress, outcome: Result<Option<Value>, Failure>, pretty: bool) -> ExitCode {
    progress.clear();
    match outcome {
        Ok(Some(value)) if !out(&format!("{}\n", to_json(&value, pretty))) => ExitCode::from(RUNTIME_ERROR),
        Ok(_) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => usage_error(&message),
        Err(Failure::Call(error)) => report(&error, pretty),
        Err(Failure::Closed) => ExitCode::from(RUNTIME_ERROR),
        Err(Failure::Io(message)) => {
            err(&format!("atlas-api: {message}"));
            ExitCode::from(RUNTIME_ERROR)
        }
        Err(Failure::Output(e)) => {
            err(&format!("atlas-api: cannot print the result as JSON: {e}"));
            ExitCode::from(RUNTIME_ERROR)
        }
    }
}

/// An API error: its body as JSON on stderr. Anything else: one line. Both exit 1, except
/// input the core refused at send time (nothing was sent: exit 2).
fn report(error: &Error, pretty: bool) -> ExitCode {
    if let Some(api) = error.api_error() {
        match serde_json::to_value(&api.body) {
            Ok(body) => err(&to_json(&body, pretty)),
            Err(_) => err(&format!("atlas-api: {api}")),
        }
        return ExitCode::from(RUNTIME_ERROR);
    }
    let line = error.to_string().replace(['\r', '\n'], " ");
    if matches!(error, Error::InvalidInput(_)) {
        return usage_error(&line);
    }
    err(&format!("atlas-api: {line}"));
    ExitCode::from(RUNTIME_ERROR)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// However the call ends, its progress line is gone before anything is printed.
    #[test]
    fn the_progress_line_is_cleared_before_the_outcome_is_printed() {
        let outcomes = || [Ok(None), Err(Failure::Io("disk full".to_owned())), Err(Failure::Closed)];
        for outcome in outcomes() {
            let progress = progress::Progress::new(true);
            progress.say("listOrgUsers: Atlas answered 429 Too Many Requests".to_owned());
            assert!(progress.is_drawn());
            exit_after(&progress, outcome, false);
            assert!(!progress.is_drawn());
        }
    }
}
