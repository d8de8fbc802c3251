//! From parsed arguments to a validated core operation, and running it.
//!
//! The operation is looked up in the core's endpoint table; its flags are checked against the
//! endpoint's parameters; then [`ops::visit`] hands over the typed operation, which
//! [`FromArgs`] builds from the text with the same validation as the typed constructors (ids,
//! e-mails, the body deserialized into the request type). All before a client exists.
//!
//! `--all-pages` walks any paginated list with the core's [`Paginator`] over the typed
//! operation ([`Visitor::visit_paginated`]), so its items print as a single page's do.
//!
//! Calls go through any [`Execute`]: the real client, or a cassette (`--cassette`) replaying
//! or recording, so one code path serves all three. [`Warned`] adds the CLI's `Sunset`
//! warning to whichever it is.

#[path = "catalog_run.rs"]
mod catalog_run;

use crate::args::{Args, BodySource, Given};
use atlas_admin_testing::bounded::{self, MAX_REQUEST_BODY_BYTES};
use atlas_admin_ureq::core::ops::{self, FromArgs, RawArgs, Visitor};
use atlas_admin_ureq::core::paginate::{Paginated, Paginator};
use atlas_admin_ureq::core::transport::DEFAULT_MAX_RESPONSE_BYTES;
use atlas_admin_ureq::core::{ApiResponse, Execute, Operation, SunsetWarnings};
use atlas_admin_ureq::core::{Endpoint, ParamIn, SuccessBody, catalog};
use atlas_admin_ureq::{ApiVersion, Error, InvalidInput};
use catalog_run::DOWNLOAD_MAX_BYTES;
use serde_json::Value;
use std::sync::Arc;

/// Why a run failed.
pub(crate) enum Failure {
    /// Invalid input: nothing was sent (exit 2).
    Usage(String),
    /// The call failed (API error, authentication, transport, decoding).
    Call(Error),
    /// The typed result could not be serialized back to JSON.
    Output(serde_json::Error),
    /// Stdout is closed (a closed pipe): stop quietly.
    Closed,
    /// A download could not be written to its file.
    Io(String),
}

/// Finds the operation by operationId or alias; explains a wrong tag.
fn lookup(args: &Args) -> Result<&'static Endpoint, String> {
    let name = args.operation.as_str();
    match catalog::find(name) {
        Some(e) if e.tag == args.tag => Ok(e),
        Some(e) => Err(format!("{name} is an {} operation: run `atlas-api {} {name} …`", e.tag, e.tag)),
        None => Err(crate::catalog_help::unknown_operation(args.tag, name)),
    }
}

/// Refuses flags the operation does not take and asks for the ones it needs.
fn check_flags(e: &Endpoint, args: &Args) -> Result<(), String> {
    let id = e.operation_id;
    if let Some((_, given)) = args.params.iter().find(|(name, _)| e.param(name).is_none()) {
        return Err(crate::catalog_help::flag_not_taken(e, &given.flag));
    }
    if args.output.is_some() && !matches!(e.output, SuccessBody::Bytes { .. } | SuccessBody::JsonOrBytes { .. }) {
        return Err(format!("{id} answers no download: --output does not apply"));
    }
    for p in e.params.iter().filter(|p| p.required || p.location == ParamIn::Path) {
        if !args.params.iter().any(|(name, _)| *name == p.name) {
            return Err(format!("{id} needs --{}", p.name));
        }
    }
    match (e.body, &args.body) {
        (true, None) => return Err(format!("{id} needs a request body: --data JSON or --file PATH")),
        (false, Some(BodySource::Data(_))) => return Err(format!("{id} does not take --data")),
        (false, Some(BodySource::File(_))) => return Err(format!("{id} does not take --file")),
        _ => {}
    }
    if args.pretty && !e.pretty {
        return Err(format!("{id} does not take --pretty"));
    }
    if args.all_pages && !e.paginated {
        return Err(format!("{id} is not a paginated list: --all-pages does not apply"));
    }
    Ok(())
}

/// The request body's text and where it came from (for messages), at most
/// [`MAX_REQUEST_BODY_BYTES`] from any source: a larger one is a usage error naming the
/// source and the cap, found after reading one byte past the cap (`--file /dev/zero` too).
fn read_body(source: &BodySource) -> Result<(String, String), String> {
    let text = match source {
        BodySource::Data(text) if text.len() as u64 > MAX_REQUEST_BODY_BYTES => {
            Err(bounded::ReadError::TooLarge { max: MAX_REQUEST_BODY_BYTES })
        }
        BodySource::Data(text) => Ok(text.clone()),
        BodySource::File(path) if path == "-" => bounded::read_text(std::io::stdin().lock(), MAX_REQUEST_BODY_BYTES),
        BodySource::File(path) => bounded::read_file_text(path, MAX_REQUEST_BODY_BYTES),
    };
    let from = match source {
        BodySource::Data(_) => "--data".to_owned(),
        BodySource::File(path) => format!("--file {path}"),
    };
    match text {
        Ok(text) => Ok((text, from)),
        Err(e) => Err(format!("{from}: {e}")),
    }
}

/// Any [`Execute`] with the CLI's deprecation warning: one line on stderr the first time an
/// operation answers with a `Sunset` header, whatever the page count (as
/// `Client::on_sunset`, but the same for a replay).
pub(crate) struct Warned<E> {
    inner: E,
    sunset: SunsetWarnings,
}

impl<E> Warned<E> {
    pub(crate) fn new(inner: E) -> Self {
        let sunset = SunsetWarnings::default();
        sunset.set_hook(Arc::new(|warning| crate::err(&format!("atlas-api: warning: {warning}"))));
        Warned { inner, sunset }
    }

    pub(crate) fn inner(&self) -> &E {
        &self.inner
    }

    pub(crate) fn into_inner(self) -> E {
        self.inner
    }
}

impl<E: Execute> Execute for Warned<E> {
    fn execute<O>(&self, op: &O) -> Result<ApiResponse<O::Output>, Error>
    where
        O: Operation,
        O::Output: Send + 'static,
    {
        let result = self.inner.execute(op);
        self.sunset.check_result(op.operation_id(), &result);
        result
    }
}

/// Builds the typed operation, makes the client and runs the call.
struct Run<'a, E> {
    raw: RawArgs<'a>,
    /// The flags as given, to name them in messages.
    given: &'a [(&'static str, Given)],
    body_from: &'a str,
    client: &'a dyn Fn() -> Result<E, String>,
    /// `--all-pages` (and `--pretty`, for how the array is printed).
    all_pages: bool,
    pretty: bool,
    /// Writes to stdout; `false` once it is closed.
    print: &'a dyn Fn(&str) -> bool,
}

impl<E: Execute> Visitor for Run<'_, E> {
    type Output = Result<Option<Value>, Failure>;

    fn visit<O: FromArgs>(self) -> Self::Output {
        let op = O::from_args(&self.raw).map_err(|e| Failure::Usage(self.explain(&e)))?;
        let client = (self.client)().map_err(Failure::Usage)?;
        let value = serde_json::to_value(&client.execute(&op).map_err(Failure::Call)?.value);
        let value = value.map_err(Failure::Output)?;
        // Deletes decode to `()`, which serializes as `null`: no content, print nothing.
        Ok((!value.is_null()).then_some(value))
    }

    fn visit_paginated<O: FromArgs + Paginated<Item: serde::Serialize>>(self) -> Self::Output {
        if !self.all_pages {
            return self.visit::<O>();
        }
        let op = O::from_args(&self.raw).map_err(|e| Failure::Usage(self.explain(&e)))?;
        let client = (self.client)().map_err(Failure::Usage)?;
        self.all_pages(op, &client).map(|()| None)
    }
}

impl<E: Execute> Run<'_, E> {
    /// Prints one JSON array of every result, a page at a time (a page is fetched, printed and
    /// dropped before the next). A failure after the first page leaves the array unfinished
    /// on stdout, with the error on stderr (exit 1).
    fn all_pages<O>(&self, op: O, client: &E) -> Result<(), Failure>
    where
        O: Paginated<Item: serde::Serialize, Output: Send + 'static>,
    {
        let mut pages = Paginator::new(op);
        let mut printed = 0_usize;
        let progress = crate::progress::line();
        let _shown = progress.long_work();
        while let Some(next) = pages.next_op() {
            let next = next.map_err(|e| Failure::Call(Error::from(e)))?;
            let page = client.execute(&next).map_err(Failure::Call)?.value;
            pages.handle(&page);
            let total = O::page(&page).total_count;
            let items = O::into_page(page).results;
            let mut chunk = String::new();
            for item in &items {
                chunk.push_str(match (printed, self.pretty) {
                    (0, false) => "[",
                    (0, true) => "[\n",
                    (_, false) => ",",
                    (_, true) => ",\n",
                });
                let text = if self.pretty { serde_json::to_string_pretty(item) } else { serde_json::to_string(item) };
                chunk.push_str(&text.map_err(Failure::Output)?);
                printed += 1;
            }
            if !chunk.is_empty() && !progress.suspend(|| (self.print)(&chunk)) {
                return Err(Failure::Closed);
            }
            progress.say(crate::progress::pages(pages.pages_read(), printed, total));
        }
        let end = match (printed, self.pretty) {
            (0, _) => "[]\n",
            (_, false) => "]\n",
            (_, true) => "\n]\n",
        };
        if (self.print)(end) { Ok(()) } else { Err(Failure::Closed) }
    }

    /// `--groupId: invalid groupId: …`, `invalid request body (--data): …`.
    fn explain(&self, e: &InvalidInput) -> String {
        if let Some((_, given)) = self.given.iter().find(|(name, _)| *name == e.field()) {
            return format!("{}: {e}", given.flag);
        }
        if e.field() == "body" {
            return format!("invalid request body ({}): {}", self.body_from, e.reason());
        }
        e.to_string()
    }
}

/// The largest answer the call reads: `--max-bytes`, else [`DOWNLOAD_MAX_BYTES`] for a
/// download, else the clients' default.
pub(crate) fn max_response_bytes(args: &Args) -> u64 {
    let download = lookup(args).is_ok_and(|e| catalog_run::is_download(e, args.output.as_deref()));
    args.max_bytes.unwrap_or(if download { DOWNLOAD_MAX_BYTES } else { DEFAULT_MAX_RESPONSE_BYTES })
}

/// Validates everything, then runs the call with the client `client()` makes (called only
/// once the input is valid, so invalid input needs no credentials and opens no cassette).
pub(crate) fn run<E: Execute>(
    args: &Args,
    client: &dyn Fn() -> Result<E, String>,
    print: &dyn Fn(&str) -> bool,
) -> Result<Option<Value>, Failure> {
    let endpoint = lookup(args).map_err(Failure::Usage)?;
    check_flags(endpoint, args).map_err(Failure::Usage)?;
    let api_version = match &args.version {
        Some(v) => Some(ApiVersion::new(v).map_err(|e| Failure::Usage(format!("--version: {e}")))?),
        None => None,
    };
    let params: Vec<(&str, &str)> = args.params.iter().map(|(name, given)| (*name, given.value.as_str())).collect();
    let (text, body_from) = match &args.body {
        Some(source) => read_body(source).map_err(Failure::Usage)?,
        None => (String::new(), String::new()),
    };
    let raw = RawArgs {
        params: &params,
        body: args.body.as_ref().map(|_| text.as_bytes()),
        envelope: args.envelope,
        pretty: args.pretty,
        api_version,
    };
    let visit = Run {
        raw,
        given: &args.params,
        body_from: &body_from,
        client,
        all_pages: args.all_pages,
        pretty: args.pretty,
        print,
    };
    // The typed rows keep their typed path; every other operation runs from its catalog entry.
    match ops::find(endpoint.operation_id) {
        Some(_) => ops::visit(endpoint.operation_id, visit)
            .unwrap_or_else(|| Err(Failure::Usage("no such operation".to_owned()))),
        None => visit.run_catalog(endpoint, args.output.as_deref()),
    }
}
