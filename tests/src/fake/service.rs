//! The request pipeline: every HTTP request goes through [`handle`].
//!
//! `/api/oauth/token` and `/api/oauth/revoke` go to [`oauth`]. Requests under
//! `/api/atlas/v2` are, in this order: authenticated (Digest or Bearer; 401 with a challenge
//! otherwise; an operation the spec marks as taking no credentials is answered without), routed by the core's catalog (404 unknown path, 405 wrong method),
//! version-checked against the endpoint's versions (406 `INVALID_VERSION_DATE`; 410
//! `VERSION_GONE` past the version's sunset on the fake's clock, for every operation, unless
//! [`FakeConfig::serve_past_sunset`](super::FakeConfig::serve_past_sunset); for the
//! generic behaviour `Deprecation`/`Sunset` until then), handed to the next injected fault if any, then to a
//! user's behaviour for the operation ([`FakeAtlas::on`](super::FakeAtlas::on)) if one is
//! registered, else to the store (invitations, Cloud Users, the generic behaviour). Anything
//! else is a 404.

use super::body::FakeBody;
use super::digest::{self, Signed, Verdict};
use super::faults::{self, Action};
use super::hooks::FakeRequest;
use super::oauth;
use super::ratelimit;
use super::reply::{self, ERROR_JSON, Outcome, Style, X_ERROR_CODE};
use super::routes::{self, API_PREFIX, Behaviour, Route, Routed, Scope};
use super::server::{Inner, Shared};
use super::state;
use atlas_admin_core::digest::parse_authorization;
use atlas_admin_core::{ApiVersion, Endpoint, HttpDate, SuccessBody, Timestamp};
use http::header::{ACCEPT, ALLOW, AUTHORIZATION, HeaderValue, WWW_AUTHENTICATE};
use http::request::Parts;
use http::{Method, Response, StatusCode};
use http_body_util::{BodyExt as _, LengthLimitError, Limited};
use hyper::body::Incoming;
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::Notify;

/// Where the counters are served as JSON (no authentication: the fake is loopback-only).
pub const COUNTERS_PATH: &str = "/__fake/counters";
/// Where the fake's clock is read (`GET`: `{"now": "<RFC 3339>"}`) and moved (`POST` with
/// `?advance=<seconds>` or `?set=<RFC 3339 time>`, which freezes it there), for scripts driving
/// the `fake-atlas` binary (no authentication: the fake is loopback-only).
pub const CLOCK_PATH: &str = "/__fake/clock";
/// Request bodies larger than this are refused (413).
const MAX_BODY: usize = crate::bounded::MAX_REQUEST_BODY_BYTES as usize;

/// Answers one request. `abort` closes the connection (the `CloseConnection` fault).
pub(crate) async fn handle(
    shared: Arc<Shared>,
    abort: Arc<Notify>,
    req: hyper::Request<Incoming>,
) -> Response<FakeBody> {
    let (parts, body) = req.into_parts();
    if parts.uri.path() == COUNTERS_PATH && parts.method == Method::GET {
        // Not counted itself: scripts read the counters before and after a run.
        let counters = shared.lock().counters.to_json();
        return reply::json_response(StatusCode::OK, &counters, false, "application/json");
    }
    if parts.uri.path() == CLOCK_PATH {
        return clock(&shared, &parts);
    }
    shared.lock().counters.requests += 1;
    if !shared.config.latency.is_zero() {
        tokio::time::sleep(shared.config.latency).await;
    }
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.is::<LengthLimitError>() => {
            return reply::plain_error(StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE", "Request body too large.");
        }
        Err(_) => {
            return reply::plain_error(
                StatusCode::BAD_REQUEST,
                "INVALID_REQUEST",
                "The request body could not be read.",
            );
        }
    };
    let now = Instant::now();
    let path = parts.uri.path();
    let config = &shared.config;
    let step = {
        let mut inner = shared.lock();
        let inner = &mut *inner;
        let post = parts.method == Method::POST;
        match path {
            "/api/oauth/token" if post => {
                return oauth::token(&mut inner.tokens, &mut inner.counters, config, &parts.headers, &body, now);
            }
            "/api/oauth/revoke" if post => {
                return oauth::revoke(&mut inner.tokens, &mut inner.counters, config, &parts.headers, &body);
            }
            "/api/oauth/token" | "/api/oauth/revoke" => return method_not_allowed("POST", Style::default()),
            _ if path == API_PREFIX || path.starts_with("/api/atlas/v2/") => prelude(inner, &shared, &parts, now),
            _ => return not_found(path, Style::default()),
        }
    };
    let Prelude { endpoint, route, behaviour, principal, query, style, action, deprecated, bytes, sunset } = match step
    {
        Step::Proceed(p) => p,
        Step::Respond(resp) => return resp,
    };
    let add_sunset = |resp: &mut Response<FakeBody>| {
        if let Some((deprecation, date)) = &sunset {
            ratelimit::add_sunset(resp, deprecation, date);
        }
    };
    let run = |shared: &Shared| {
        let mut inner = shared.lock();
        let inner = &mut *inner;
        let now = inner.clock.now();
        inner.store.generic.at(now, shared.config.settle_time);
        let outcome = match inner.hooks.get(endpoint.operation_id) {
            Some(hook) => {
                let request = FakeRequest {
                    operation_id: endpoint.operation_id,
                    method: parts.method.clone(),
                    path: parts.uri.path().to_owned(),
                    params: route.params.clone(),
                    query: query.clone(),
                    body: serde_json::from_slice(&body).ok(),
                    version: style.version,
                    now,
                };
                hook(&request, &mut inner.store.generic).0
            }
            None => {
                let request = state::Request {
                    config: &shared.config,
                    principal: &principal,
                    now,
                    query: &query,
                    path: parts.uri.path(),
                    version: style.version,
                    body: &body,
                    endpoint,
                    bytes,
                };
                inner.store.handle(&route, behaviour, &request)
            }
        };
        let mut resp = reply::render(outcome, style);
        let remaining = inner.budgets.spend(route.scope, Instant::now());
        ratelimit::add_headers(&mut resp, route.scope, remaining, deprecated);
        add_sunset(&mut resp);
        resp
    };
    match action {
        None => run(&shared),
        Some(Action::Replace(outcome)) => {
            let mut resp = reply::render(outcome, Style { envelope: false, ..style });
            let remaining = shared.lock().budgets.spend(route.scope, Instant::now());
            ratelimit::add_headers(&mut resp, route.scope, remaining, deprecated);
            add_sunset(&mut resp);
            resp
        }
        Some(Action::Raw(resp)) => resp,
        Some(Action::Truncate) => faults::truncate(run(&shared)),
        Some(Action::Delay(d)) => {
            tokio::time::sleep(d).await;
            run(&shared)
        }
        Some(Action::Close) => {
            abort.notify_one();
            std::future::pending().await
        }
    }
}

/// [`CLOCK_PATH`]: the fake's clock read, advanced or set; 400 for anything else.
fn clock(shared: &Shared, parts: &Parts) -> Response<FakeBody> {
    let query: Vec<(String, String)> =
        parts.uri.query().map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default();
    let bad = |detail: &str| reply::plain_error(StatusCode::BAD_REQUEST, "INVALID_QUERY_PARAMETER", detail);
    let mut inner = shared.lock();
    match (&parts.method, query.as_slice()) {
        (&Method::GET, []) => {}
        (&Method::POST, [(name, value)]) if name == "advance" => match value.parse::<u64>() {
            Ok(secs) if inner.clock.advance(std::time::Duration::from_secs(secs)) => {}
            Ok(_) => return bad("advance would take the clock past 9999-12-31T23:59:59Z."),
            Err(_) => return bad("advance takes a whole number of seconds."),
        },
        (&Method::POST, [(name, value)]) if name == "set" => match Timestamp::parse(value.as_str()).system_time() {
            Some(t) => inner.clock = super::clock::Clock::Fixed(t),
            None => return bad("set takes an RFC 3339 time, such as 2027-07-01T00:00:00Z."),
        },
        _ => return bad("GET, or POST with one of advance=<seconds> or set=<RFC 3339 time>."),
    }
    let now = json!({"now": atlas_admin_core::format_rfc3339(inner.clock.now())});
    reply::json_response(StatusCode::OK, &now, false, "application/json")
}

/// Whether an API request is answered already, or goes on to its operation.
enum Step {
    Respond(Response<FakeBody>),
    Proceed(Prelude),
}

/// An API request that passed authentication, routing and the version check.
struct Prelude {
    endpoint: &'static Endpoint,
    route: Route,
    behaviour: Behaviour,
    /// Whether the negotiated version is a deprecated one (adds the hand-written behaviours'
    /// `Deprecation` and `Sunset`).
    deprecated: bool,
    /// The generic behaviour's `Deprecation` and `Sunset` values, for a version with a sunset.
    sunset: Option<(String, String)>,
    /// Whether the client asked for a download's bytes.
    bytes: bool,
    principal: String,
    /// Decoded query parameters.
    query: Vec<(String, String)>,
    style: Style,
    action: Option<Action>,
}

fn prelude(inner: &mut Inner, shared: &Shared, parts: &Parts, now: Instant) -> Step {
    inner.counters.api_requests += 1;
    let path = parts.uri.path();
    let routed = routes::route(&parts.method, path);
    // The operations the spec marks as taking no credentials (`listControlPlaneIpAddresses`)
    // are answered without any; a request that brings some is still checked.
    let open = matches!(&routed, Routed::Found { endpoint, .. } if !endpoint.auth)
        && !parts.headers.contains_key(AUTHORIZATION);
    let principal = match open {
        true => String::new(),
        false => match authenticate(inner, shared, parts, now) {
            Ok(p) => p,
            Err(Refused { stale }) => return Step::Respond(unauthorized(inner, stale, now)),
        },
    };
    let query: Vec<(String, String)> =
        parts.uri.query().map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default();
    let mut style =
        Style { envelope: reply::flag(&query, "envelope"), pretty: reply::flag(&query, "pretty"), ..Style::default() };
    let spend = |inner: &mut Inner, scope: Scope, mut resp: Response<FakeBody>, deprecated: bool| {
        let remaining = inner.budgets.spend(scope, now);
        ratelimit::add_headers(&mut resp, scope, remaining, deprecated);
        resp
    };
    let (endpoint, route, behaviour) = match routed {
        Routed::Found { endpoint, route, behaviour } => (endpoint, route, behaviour),
        Routed::MethodNotAllowed { scope, allow } => {
            let resp = method_not_allowed(&allow, style);
            return Step::Respond(match scope {
                Some(scope) => spend(inner, scope, resp, true),
                None => resp,
            });
        }
        Routed::NotFound => return Step::Respond(not_found(path, style)),
    };
    *inner.counters.by_operation.entry(endpoint.operation_id.to_owned()).or_default() += 1;
    let Some((version, bytes)) = negotiated(parts, endpoint) else {
        let deprecated = endpoint.default_version() == ApiVersion::V2023_01_01;
        let outcome = Outcome::error(
            StatusCode::NOT_ACCEPTABLE,
            "INVALID_VERSION_DATE",
            "Invalid accept header or version date.",
            Vec::new(),
        );
        return Step::Respond(spend(inner, route.scope, reply::render(outcome, style), deprecated));
    };
    style.version = version;
    let generic = behaviour == Behaviour::Generic;
    let deprecated = !generic && version == ApiVersion::V2023_01_01;
    let mut sunset = None;
    // Every operation's version retires at its sunset on the fake's clock, whatever its kind
    // (as Atlas does), unless the configuration serves it on; the hand-written ones keep their
    // observed `Deprecation` and `Sunset` values before it.
    if let Some((deprecation, date)) = sunset_of(endpoint, version) {
        if !shared.config.serve_past_sunset && inner.clock.now() >= date.system_time() {
            let outcome = Outcome::error(
                StatusCode::GONE,
                "VERSION_GONE",
                format!("Version {version} of {} is past its sunset date.", endpoint.operation_id),
                Vec::new(),
            );
            return Step::Respond(spend(inner, route.scope, reply::render(outcome, style), false));
        }
        if generic {
            sunset = Some((deprecation, date.to_string()));
        }
    }
    let action = inner.faults.take(endpoint.operation_id).map(faults::action);
    Step::Proceed(Prelude { endpoint, route, behaviour, deprecated, principal, query, style, action, bytes, sunset })
}

/// For a version with a sunset date: its `Deprecation` value (assumed: the day its successor
/// version appeared, else the sunset's) and its sunset date.
fn sunset_of(endpoint: &Endpoint, version: ApiVersion) -> Option<(String, HttpDate)> {
    let date = endpoint.sunset_date(version)?;
    let successor = endpoint.versions.iter().find(|v| !v.is_preview() && v.as_str() > version.as_str());
    let deprecation = successor.and_then(|v| HttpDate::from_date(v.as_str())).unwrap_or(date);
    Some((deprecation.to_string(), date))
}

/// A request without acceptable credentials: answered 401 with a (possibly stale) challenge.
struct Refused {
    stale: bool,
}

/// The principal (public key or client id), or why not.
fn authenticate(inner: &mut Inner, shared: &Shared, parts: &Parts, now: Instant) -> Result<String, Refused> {
    let config = &shared.config;
    let header = parts.headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or_default().trim();
    if let Some((scheme, token)) = header.split_once(' ') {
        if scheme.eq_ignore_ascii_case("bearer") {
            if inner.tokens.is_valid(token.trim(), now) {
                return Ok(config.client_id.clone());
            }
            inner.counters.auth_failures += 1;
            return Err(Refused { stale: false });
        }
    }
    let Some(params) = parse_authorization(header) else {
        return Err(Refused { stale: false });
    };
    let uri = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    let signed = Signed { method: parts.method.as_str(), uri };
    match inner.nonces.verify(&params, &signed, &config.public_key, &config.private_key, now) {
        Verdict::Accepted => Ok(config.public_key.clone()),
        Verdict::Stale => {
            inner.counters.stale_challenges += 1;
            Err(Refused { stale: true })
        }
        Verdict::Replay => {
            inner.counters.replays_rejected += 1;
            Err(Refused { stale: false })
        }
        Verdict::Rejected(_) => {
            inner.counters.auth_failures += 1;
            Err(Refused { stale: false })
        }
    }
}

/// Atlas's 401: a fresh Digest challenge and its JSON body (pretty-printed, as observed).
fn unauthorized(inner: &mut Inner, stale: bool, now: Instant) -> Response<FakeBody> {
    let nonce = inner.nonces.issue(now);
    inner.counters.challenges += 1;
    let body = json!({
        "error": 401,
        "reason": "Unauthorized",
        "detail": "You are not authorized for this resource.",
        "errorCode": "UNEXPECTED_ERROR",
    });
    let mut resp = reply::json_response(StatusCode::UNAUTHORIZED, &body, true, ERROR_JSON);
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&digest::challenge(&nonce, stale)) {
        h.insert(WWW_AUTHENTICATE, v);
    }
    h.insert(X_ERROR_CODE, HeaderValue::from_static("UNEXPECTED_ERROR"));
    resp
}

/// The first `Accept` media range that is exactly one of the endpoint's versions
/// (`application/vnd.atlas.<date>+json`, or `+gzip`/`+csv` for a download: then `true`;
/// parameters ignored).
fn negotiated(parts: &Parts, endpoint: &Endpoint) -> Option<(ApiVersion, bool)> {
    let suffix = match endpoint.output {
        SuccessBody::Bytes { suffix } | SuccessBody::JsonOrBytes { suffix } => Some(suffix),
        _ => None,
    };
    parts.headers.get_all(ACCEPT).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).find_map(|range| {
        let media = range.split(';').next().unwrap_or_default().trim();
        endpoint.versions.iter().copied().find_map(|v| {
            if media.eq_ignore_ascii_case(&v.media_type()) {
                return Some((v, false));
            }
            let bytes = suffix.map(|s| format!("application/vnd.atlas.{}+{s}", v.as_str()));
            bytes.is_some_and(|b| media.eq_ignore_ascii_case(&b)).then_some((v, true))
        })
    })
}

fn not_found(path: &str, style: Style) -> Response<FakeBody> {
    let outcome = Outcome::not_found(format!("Cannot find resource {path}."));
    reply::render(outcome, style)
}

fn method_not_allowed(allow: &str, style: Style) -> Response<FakeBody> {
    let outcome = Outcome::error(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        format!("Method not allowed; use one of: {allow}."),
        Vec::new(),
    )
    .with_header(ALLOW, HeaderValue::from_str(allow).unwrap_or(HeaderValue::from_static("GET")));
    reply::render(outcome, style)
}
