//! `atlas-invites`: one Atlas invitation endpoint from the command line, like
//! `atlas api projects updateGroupInvites`.
//!
//! ```text
//! cargo run -q -p atlas-admin-ureq --example atlas-invites -- projects updateGroupInvites \
//!     --groupId 32b6e34b3d91647abb20e7b8 --data '{"username":"ada@example.com","roles":["GROUP_READ_ONLY"]}'
//! ```
//!
//! Credentials and the base URL come from the environment, as for `Client::from_env()`.
//! Input is validated by the core before anything is sent; the typed result is printed back
//! as JSON. See `--help` (or `args.rs`) for the operations, flags and exit statuses.
#![allow(clippy::print_stdout, clippy::print_stderr)]

#[path = "atlas-invites/args.rs"]
mod args;
#[path = "atlas-invites/ops.rs"]
mod ops;

use atlas_admin_ureq::{ClientBuilder, Error};
use ops::RunError;
use std::io::Write as _;
use std::process::ExitCode;

/// Exit status for invalid input: nothing was sent.
const USAGE_ERROR: u8 = 2;
/// Exit status for an API error or another runtime failure.
const RUNTIME_ERROR: u8 = 1;

fn usage_error(message: &str) -> ExitCode {
    eprintln!("atlas-invites: {message}\nRun `atlas-invites --help` for the operations and flags.");
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
    let args = match args::parse(argv) {
        Ok(None) => {
            print!("{}", args::USAGE);
            return ExitCode::SUCCESS;
        }
        Ok(Some(args)) => args,
        Err(message) => return usage_error(&message),
    };
    // Everything the user typed is validated before a client (or a request) exists.
    let command = match ops::build(&args) {
        Ok(command) => command,
        Err(message) => return usage_error(&message),
    };
    let mut builder = match ClientBuilder::from_env() {
        Ok(builder) => builder,
        Err(e) => return usage_error(&e.to_string()),
    };
    if args.debug {
        builder = builder.on_exchange(|exchange| eprintln!("atlas-invites: {exchange}"));
    }
    let client = match builder.build() {
        Ok(client) => client,
        Err(e) => return usage_error(&e.to_string()),
    };
    match ops::execute(&client, &command) {
        Ok(value) => {
            if let Some(value) = value {
                let mut out = std::io::stdout().lock();
                if writeln!(out, "{}", to_json(&value, args.pretty)).and_then(|()| out.flush()).is_err() {
                    return ExitCode::from(RUNTIME_ERROR);
                }
            }
            ExitCode::SUCCESS
        }
        Err(RunError::Call(error)) => report(&error, args.pretty),
        Err(RunError::Output(e)) => {
            eprintln!("atlas-invites: cannot print the result as JSON: {e}");
            ExitCode::from(RUNTIME_ERROR)
        }
    }
}

/// An API error: its body as JSON on stderr. Anything else: one line. Both exit 1, except
/// input the core refused at send time (nothing was sent: exit 2).
fn report(error: &Error, pretty: bool) -> ExitCode {
    if let Some(api) = error.api_error() {
        match serde_json::to_value(&api.body) {
            Ok(body) => eprintln!("{}", to_json(&body, pretty)),
            Err(_) => eprintln!("atlas-invites: {api}"),
        }
        return ExitCode::from(RUNTIME_ERROR);
    }
    let line = error.to_string().replace(['\r', '\n'], " ");
    if matches!(error, Error::InvalidInput(_)) {
        return usage_error(&line);
    }
    eprintln!("atlas-invites: {line}");
    ExitCode::from(RUNTIME_ERROR)
}
