//! The drift check: replays a cassette's requests, in order, against a [`FakeAtlas`] and
//! reports where the fake answers differently from the recording (status, JSON fields, kept
//! headers), so a fake that no longer behaves like the Atlas a cassette was recorded from is
//! noticed.
//!
//! How a cassette is replayed:
//!
//! - Each interaction whose purpose is an operation attempt ([`Purpose::Api`]) becomes one
//!   call of its operation (the endpoint table's [`FromArgs`] for a typed operation, a
//!   [`Custom`] made from the catalog entry for any other, as `catalog::call` makes it; from the
//!   recorded path, query, API version and body; a download when the recorded answer was
//!   `+gzip` or `+csv`) through a real core [`Session`] with the fake's own credentials of
//!   the cassette's [`Auth`] kind, over [`loopback_send`], with retries off: one recorded
//!   attempt, one call. The fake's answer to that call's last exchange is compared.
//! - **Auth exchanges are skipped** (Digest probes, token fetches, revocations, and an
//!   operation attempt answered 401 that was re-sent as is, past auth exchanges only: a stale
//!   nonce or an expired token): the session authenticates against the fake on its own, and
//!   nonces and tokens differ on every run. [`DriftReport::skipped`] counts them.
//! - **The project and the organization** are the fake's: the first `groupId` and `orgId` the
//!   cassette's paths name are paired with the fake's own ids before anything is sent (as
//!   learned ids, below), so a cassette recorded against another project replays. A second
//!   project or organization in the same cassette is not the fake's: its requests answer 404.
//! - A recorded retry (a 429 or 503, then the success) is drift unless the same faults are
//!   [injected](FakeAtlas::inject) into the fake first: each replayed attempt takes one fault.
//!
//! How answers are compared:
//!
//! - **Status** first; when it differs, nothing else of that interaction is compared (the
//!   bodies of two different outcomes differ everywhere).
//! - **JSON bodies** field by field, by path (`body.roles[1]`): fields missing from the fake's
//!   answer, extra in it, of another JSON type, or of another value. Two values are expected
//!   to vary and are not compared by value: **ids the fake mints** (24-hex strings: the first
//!   time a recorded id meets a fake id at the same place, the pair is learned, later requests
//!   are sent with the fake's id, and the fake's answers are read back with the recorded one,
//!   so an id that changes meaning is still a difference) and **timestamps** (strings that
//!   parse as RFC 3339 on both sides). The fake's answers are kept by a [`Recorder`] with
//!   the fake's secrets, exactly as a recording keeps them (the kept headers, repeated ones
//!   joined; its public key or client id and its host become the same placeholders).
//! - **Kept headers** (those [`kept_header`](crate::cassette::kept_header) keeps): missing, extra or of another value,
//!   except `Ratelimit-Remaining` (presence only: it counts the account's traffic) and the
//!   `nonce` of `WWW-Authenticate`.

use super::generic::percent_decode;
use super::routes::recorded_route;
use super::{FakeAtlas, FakeConfig};
use crate::cassette::{Auth, Body, Cassette, Interaction, RecordedResponse, Recorder, Secrets, loopback_send};
use atlas_admin_core::driver::{SendResult, run_blocking};
use atlas_admin_core::ops::{self, Custom, FromArgs, RawArgs, Visitor};
use atlas_admin_core::{
    ApiVersion, Config, Endpoint, InvalidInput, Now, Outgoing, ParamIn, Purpose, RetryPolicy, Sanitized, Session,
    Timestamp,
};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::time::{Instant, SystemTime};

/// What differs in one interaction.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DriftKind {
    /// Another status code (nothing else of the interaction is compared).
    Status {
        /// As recorded.
        recorded: u16,
        /// As the fake answered.
        fake: u16,
    },
    /// A field of the recorded body that the fake's answer lacks.
    MissingField {
        /// Its path (`body.roles[1]`).
        path: String,
    },
    /// A field of the fake's answer that the recording lacks.
    ExtraField {
        /// Its path.
        path: String,
    },
    /// A field of another JSON type (`string`, `number`, `null`...).
    FieldType {
        /// Its path.
        path: String,
        /// The recorded type.
        recorded: &'static str,
        /// The fake's type.
        fake: &'static str,
    },
    /// A field of another value (ids and timestamps excepted, see the module docs).
    FieldValue {
        /// Its path.
        path: String,
        /// The recorded value, as JSON.
        recorded: String,
        /// The fake's value, as JSON.
        fake: String,
    },
    /// A kept header missing, extra, or of another value.
    Header {
        /// Its lower-case name.
        name: String,
        /// The recorded value (`None`: not recorded).
        recorded: Option<String>,
        /// The fake's value (`None`: not sent).
        fake: Option<String>,
    },
    /// The request could not be replayed (unknown operation, a path that is not the
    /// operation's, arguments the core refuses, a transport failure).
    NotReplayed {
        /// Why.
        reason: String,
    },
}

/// One difference: where (interaction index and operation) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drift {
    /// The index of the interaction in the cassette.
    pub interaction: usize,
    /// Its operationId.
    pub operation: String,
    /// What differs.
    pub kind: DriftKind,
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let or_absent = |v: &Option<String>| v.clone().unwrap_or_else(|| "(absent)".to_owned());
        let what = match &self.kind {
            DriftKind::Status { recorded, fake } => format!("status: recorded {recorded}, fake {fake}"),
            DriftKind::MissingField { path } => format!("{path}: recorded, missing from the fake's answer"),
            DriftKind::ExtraField { path } => format!("{path}: not recorded, extra in the fake's answer"),
            DriftKind::FieldType { path, recorded, fake } => format!("{path}: recorded a {recorded}, fake a {fake}"),
            DriftKind::FieldValue { path, recorded, fake } => format!("{path}: recorded {recorded}, fake {fake}"),
            DriftKind::Header { name, recorded, fake } => {
                format!("header {name}: recorded {}, fake {}", or_absent(recorded), or_absent(fake))
            }
            DriftKind::NotReplayed { reason } => format!("not replayed: {reason}"),
        };
        // Cassette and server text, escaped: never raw control characters on a terminal.
        write!(f, "#{} {}: {}", self.interaction, Sanitized(&self.operation), Sanitized(&what))
    }
}

/// The outcome of [`check`]: every difference, in cassette order, and what was compared.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DriftReport {
    /// The differences found (empty: no drift).
    pub differences: Vec<Drift>,
    /// Interactions replayed and compared.
    pub compared: usize,
    /// Auth exchanges (and interactions without a response) not replayed.
    pub skipped: usize,
}

impl DriftReport {
    /// Whether the fake answered every replayed request as recorded.
    pub fn is_clean(&self) -> bool {
        self.differences.is_empty()
    }

    /// The differences of interaction `index`.
    pub fn at(&self, index: usize) -> Vec<&DriftKind> {
        self.differences.iter().filter(|d| d.interaction == index).map(|d| &d.kind).collect()
    }
}

/// One summary line, then one line per difference.
impl fmt::Display for DriftReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (n, c, s) = (self.differences.len(), self.compared, self.skipped);
        match n {
            0 => write!(f, "no drift: {c} interactions compared, {s} auth exchanges skipped"),
            _ => write!(f, "{n} differences in {c} interactions compared ({s} auth exchanges skipped)"),
        }?;
        for d in &self.differences {
            write!(f, "\n{d}")?;
        }
        Ok(())
    }
}

/// Replays `cassette`'s requests against `fake` (fresh, or seeded with
/// [`FakeAtlas::seed_from`]) and reports where it answers differently; see the module docs
/// for the rules.
pub fn check(cassette: &Cassette, fake: &FakeAtlas) -> DriftReport {
    let mut report = DriftReport::default();
    let mut replay = match Replay::new(cassette.auth, fake) {
        Ok(r) => Replay { ids: Ids::parents(cassette, fake.config()), ..r },
        Err(reason) => {
            let kind = DriftKind::NotReplayed { reason };
            report.differences.push(Drift { interaction: 0, operation: String::new(), kind });
            return report;
        }
    };
    for (index, interaction) in cassette.interactions.iter().enumerate() {
        let Some(recorded) = interaction.ok() else {
            report.skipped += 1;
            continue;
        };
        if !matches!(interaction.purpose, Purpose::Api { .. }) || auth_retry(cassette, index) {
            report.skipped += 1;
            continue;
        }
        report.compared += 1;
        let kinds = match replay.send(interaction) {
            Ok(answer) => replay.compare(recorded, &answer),
            Err(reason) => vec![DriftKind::NotReplayed { reason }],
        };
        report.differences.extend(kinds.into_iter().map(|kind| Drift {
            interaction: index,
            operation: interaction.operation.clone(),
            kind,
        }));
    }
    report
}

/// Whether interaction `index` is an auth exchange in an operation attempt's clothes: a 401
/// (a stale Digest nonce, an expired token) followed, past auth exchanges only, by the same
/// attempt re-sent (same operation, attempt and request). The replaying session authenticates
/// on its own, so the fake answers the attempt, not the 401.
fn auth_retry(cassette: &Cassette, index: usize) -> bool {
    let Some(refused) = cassette.interactions.get(index) else { return false };
    let Purpose::Api { attempt } = refused.purpose else { return false };
    if refused.ok().is_none_or(|r| r.status != 401) {
        return false;
    }
    let mut after = cassette.interactions.iter().skip(index + 1);
    let next = after.find(|i| matches!(i.purpose, Purpose::Api { .. }));
    next.is_some_and(|again| {
        again.purpose == (Purpose::Api { attempt })
            && again.operation == refused.operation
            && again.request == refused.request
    })
}

/// Ids learned while replaying: recorded id ⇄ the id the fake minted in its place.
#[derive(Default)]
pub(crate) struct Ids {
    to_fake: BTreeMap<String, String>,
    to_recorded: BTreeMap<String, String>,
}

impl Ids {
    /// Learns `recorded` ⇄ `fake` unless either is already paired (or they are equal).
    fn pair(&mut self, recorded: &str, fake: &str) {
        if is_id(recorded) && is_id(fake) {
            self.link(recorded, fake);
        }
    }

    /// Pairs two values whatever their shape (a recorded project id may be a scrubbed
    /// placeholder such as `GROUP-ID`), unless either is paired already.
    fn link(&mut self, recorded: &str, fake: &str) {
        if !recorded.is_empty()
            && recorded != fake
            && !self.to_fake.contains_key(recorded)
            && !self.to_recorded.contains_key(fake)
        {
            self.to_fake.insert(recorded.to_owned(), fake.to_owned());
            self.to_recorded.insert(fake.to_owned(), recorded.to_owned());
        }
    }

    /// Pairs the first project and organization the cassette's paths name with the fake's
    /// own (it has one of each), so a cassette recorded against another project replays.
    pub(crate) fn parents(cassette: &Cassette, config: &FakeConfig) -> Ids {
        let mut ids = Ids::default();
        for (name, own) in [("groupId", &config.group_id), ("orgId", &config.org_id)] {
            let named = cassette.interactions.iter().find_map(|i| {
                let (_, params) = recorded_route(&i.operation, &i.request.path).ok()?;
                params.into_iter().find(|(n, _)| *n == name).map(|(_, v)| v)
            });
            if let Some(recorded) = named {
                ids.link(&recorded, own);
            }
        }
        ids
    }

    /// `i` as if recorded against the fake: the paired ids of its path, query and answer
    /// replaced by the fake's (cassette seeding puts what it holds where the drift check looks).
    pub(crate) fn onto_fake(&self, i: &Interaction) -> Interaction {
        let map = &self.to_fake;
        let mut out = i.clone();
        if map.is_empty() {
            return out;
        }
        out.request.path = Ids::rewrite(map, &i.request.path);
        for (_, v) in &mut out.request.query {
            *v = Ids::rewrite(map, v);
        }
        if let Ok(response) = &mut out.response {
            response.body = match &response.body {
                Body::Json(v) => Body::Json(Ids::rewrite_json(map, v)),
                Body::Text(t) => Body::Text(Ids::rewrite(map, t)),
                Body::Empty => Body::Empty,
            };
        }
        out
    }

    /// Learns the pairs of ids found at the same places of a recorded and a fake value.
    fn learn(&mut self, recorded: &Value, fake: &Value) {
        match (recorded, fake) {
            (Value::String(r), Value::String(f)) => self.pair(r, f),
            (Value::Object(r), Value::Object(f)) => {
                for (k, rv) in r {
                    if let Some(fv) = f.get(k) {
                        self.learn(rv, fv);
                    }
                }
            }
            (Value::Array(r), Value::Array(f)) => r.iter().zip(f).for_each(|(rv, fv)| self.learn(rv, fv)),
            _ => {}
        }
    }

    /// `text` with every id of `map` replaced.
    fn rewrite(map: &BTreeMap<String, String>, text: &str) -> String {
        map.iter().fold(text.to_owned(), |t, (from, to)| {
            if !t.contains(from.as_str()) {
                t
            } else if is_id(from) {
                t.replace(from.as_str(), to)
            } else {
                // A scrubbed placeholder (`GROUP-ID`) is the id only as a whole path segment
                // or a whole value, not inside a role such as `GROUP_READ_ONLY`.
                t.split('/').map(|seg| if seg == from { to.as_str() } else { seg }).collect::<Vec<_>>().join("/")
            }
        })
    }

    fn rewrite_json(map: &BTreeMap<String, String>, v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(Ids::rewrite(map, s)),
            Value::Array(a) => Value::Array(a.iter().map(|x| Ids::rewrite_json(map, x)).collect()),
            Value::Object(m) => Value::Object(m.iter().map(|(k, x)| (k.clone(), Ids::rewrite_json(map, x))).collect()),
            other => other.clone(),
        }
    }
}

/// 24 lowercase hex characters: an id Atlas (or the fake) mints.
fn is_id(s: &str) -> bool {
    s.len() == 24 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The replaying session and what it learned.
struct Replay {
    session: Session,
    auth: Auth,
    secrets: Secrets,
    ids: Ids,
}

impl Replay {
    fn new(auth: Auth, fake: &FakeAtlas) -> Result<Replay, String> {
        let credentials = fake.credentials(auth).map_err(|e| format!("the fake's credentials: {e}"))?;
        let secrets = Secrets::of(&credentials);
        let config = Config::default()
            .with_base_url(&fake.base_url())
            .map_err(|e| format!("the fake's URL: {e}"))?
            .with_retry(RetryPolicy::none());
        let session = Session::new(config, credentials, 7).map_err(|e| format!("a session: {e}"))?;
        Ok(Replay { session, auth, secrets: secrets.host(&fake.addr().to_string()), ids: Ids::default() })
    }

    /// Sends the recorded request (with the ids learned so far) as one call of its operation.
    fn send(&mut self, interaction: &Interaction) -> Result<RecordedResponse, String> {
        let request = &interaction.request;
        let to_fake = &self.ids.to_fake;
        let path = Ids::rewrite(to_fake, &request.path);
        let (endpoint, path_params) = recorded_route(&interaction.operation, &path)?;
        if endpoint.method.as_str() != request.method {
            return Err(format!("{} is not {}'s method", request.method, endpoint.operation_id));
        }
        let query: Vec<(String, String)> =
            request.query.iter().map(|(k, v)| (k.clone(), Ids::rewrite(to_fake, v))).collect();
        let flag = |name: &str| query.iter().any(|(k, v)| k == name && v == "true");
        let mut params: Vec<(&str, &str)> = path_params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        params.extend(
            query.iter().filter(|(k, _)| k != "envelope" && k != "pretty").map(|(k, v)| (k.as_str(), v.as_str())),
        );
        let body = match &request.body {
            Body::Empty => None,
            Body::Json(v) => Some(serde_json::to_vec(&Ids::rewrite_json(to_fake, v)).map_err(|e| e.to_string())?),
            Body::Text(t) => Some(Ids::rewrite(to_fake, t).into_bytes()),
        };
        let api_version = match &request.api_version {
            Some(v) => Some(v.parse::<ApiVersion>().map_err(|e| format!("api_version {v}: {e}"))?),
            None => None,
        };
        let args = RawArgs {
            params: &params,
            body: body.as_deref(),
            envelope: flag("envelope"),
            pretty: flag("pretty"),
            api_version,
        };
        // The call's exchanges are recorded as a recording would keep them (kept headers,
        // scrubbed with the fake's secrets); its last one is the fake's answer.
        let recorder = Recorder::new(self.auth, self.secrets.clone());
        let send = recorder.wrap_send(loopback_send);
        match ops::find(&interaction.operation) {
            // A typed operation: built by its own type from the recorded arguments.
            Some(_) => ops::visit(&interaction.operation, Call { session: &self.session, args, send })
                .unwrap_or_else(|| Err("unknown operation".to_owned()))?,
            // Any other operation of the catalog: described from its entry.
            None => {
                let op = catalog_call(endpoint, &args)?;
                let download = interaction.ok().and_then(|r| r.headers.get("content-type")).is_some_and(|t| {
                    let media = t.split(';').next().unwrap_or_default();
                    media.ends_with("+gzip") || media.ends_with("+csv")
                });
                let now = || Now::new(Instant::now(), SystemTime::now());
                // As for a typed operation, the answer is read from what the send function kept.
                match download {
                    true => {
                        let op = op.into_download().map_err(|e| format!("the recorded arguments: {e}"))?;
                        let _ = run_blocking(&self.session, &op, now, send, |_| {}, None);
                    }
                    false => {
                        let _ = run_blocking(&self.session, &op, now, send, |_| {}, None);
                    }
                }
            }
        }
        let recorded = recorder.cassette().map_err(|e| format!("the fake's answer: {e}"))?;
        match recorded.interactions.into_iter().last().map(|last| last.response) {
            Some(Ok(answer)) => Ok(answer),
            Some(Err(e)) => Err(format!("transport: {}", e.to_transport_error())),
            None => Err("the core sent nothing".to_owned()),
        }
    }

    /// The differences between the recorded response and the fake's answer (learning ids).
    fn compare(&mut self, recorded: &RecordedResponse, answer: &RecordedResponse) -> Vec<DriftKind> {
        if recorded.status != answer.status {
            return vec![DriftKind::Status { recorded: recorded.status, fake: answer.status }];
        }
        let mut out = Vec::new();
        if let (Body::Json(r), Body::Json(f)) = (&recorded.body, &answer.body) {
            self.ids.learn(r, f);
        }
        let back = &self.ids.to_recorded;
        match (&recorded.body, &answer.body) {
            (Body::Json(r), Body::Json(f)) => compare_json("body", r, &Ids::rewrite_json(back, f), &mut out),
            (Body::Empty, Body::Empty) => {}
            (Body::Text(r), Body::Text(f)) if *r == Ids::rewrite(back, f) => {}
            (r, f) => out.push(DriftKind::FieldValue { path: "body".into(), recorded: shape(r), fake: shape(f) }),
        }
        let names: std::collections::BTreeSet<&String> = recorded.headers.keys().chain(answer.headers.keys()).collect();
        for name in names {
            let r = recorded.headers.get(name);
            let f = answer.headers.get(name).map(|v| Ids::rewrite(back, v));
            let same = match (r, &f) {
                (Some(_), Some(_)) if name == "ratelimit-remaining" => true,
                (Some(r), Some(f)) if name == "www-authenticate" => without_nonce(r) == without_nonce(f),
                (Some(r), Some(f)) => r == f,
                _ => false,
            };
            if !same {
                out.push(DriftKind::Header { name: name.clone(), recorded: r.cloned(), fake: f });
            }
        }
        out
    }
}

/// A body, briefly, for a difference line.
fn shape(b: &Body) -> String {
    match b {
        Body::Empty => "(no body)".to_owned(),
        Body::Json(v) => v.to_string(),
        Body::Text(t) => format!("{t:?}"),
    }
}

/// A `WWW-Authenticate` value with its nonce blanked (it differs on every challenge).
fn without_nonce(v: &str) -> String {
    v.split(',')
        .map(|part| match part.trim().strip_prefix("nonce=") {
            Some(_) => " nonce=\"…\"",
            None => part,
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The JSON type's name.
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Whether a string is an RFC 3339 timestamp.
fn is_timestamp(s: &str) -> bool {
    Timestamp::parse(s).system_time().is_some()
}

/// Field-by-field differences of a recorded and a fake JSON value (ids already read back).
fn compare_json(at: &str, recorded: &Value, fake: &Value, out: &mut Vec<DriftKind>) {
    match (recorded, fake) {
        (Value::Object(r), Value::Object(f)) => {
            for (k, rv) in r {
                match f.get(k) {
                    Some(fv) => compare_json(&format!("{at}.{k}"), rv, fv, out),
                    None => out.push(DriftKind::MissingField { path: format!("{at}.{k}") }),
                }
            }
            for k in f.keys().filter(|k| !r.contains_key(*k)) {
                out.push(DriftKind::ExtraField { path: format!("{at}.{k}") });
            }
        }
        (Value::Array(r), Value::Array(f)) => {
            for (i, (rv, fv)) in r.iter().zip(f).enumerate() {
                compare_json(&format!("{at}[{i}]"), rv, fv, out);
            }
            for i in f.len()..r.len() {
                out.push(DriftKind::MissingField { path: format!("{at}[{i}]") });
            }
            for i in r.len()..f.len() {
                out.push(DriftKind::ExtraField { path: format!("{at}[{i}]") });
            }
        }
        (Value::String(r), Value::String(f)) if r == f || (is_timestamp(r) && is_timestamp(f)) => {}
        (r, f) if type_name(r) != type_name(f) => {
            out.push(DriftKind::FieldType { path: at.to_owned(), recorded: type_name(r), fake: type_name(f) });
        }
        (r, f) if r != f => {
            out.push(DriftKind::FieldValue { path: at.to_owned(), recorded: r.to_string(), fake: f.to_string() });
        }
        _ => {}
    }
}

/// Catalog operation `endpoint` with the recorded arguments: path values decoded once (the core
/// encodes them again), every other parameter by its spec name.
fn catalog_call(endpoint: &'static Endpoint, args: &RawArgs<'_>) -> Result<Custom, String> {
    let bad = |e: InvalidInput| format!("the recorded arguments: {e}");
    let mut op = Custom::for_endpoint(endpoint).map_err(bad)?;
    for (name, value) in args.params {
        let value = match endpoint.param(name).map(|p| p.location) {
            Some(ParamIn::Path) => percent_decode(value),
            _ => (*value).to_owned(),
        };
        op = op.param(name, value).map_err(bad)?;
    }
    if let Some(body) = args.body {
        op = op.json_bytes(body.to_vec()).map_err(bad)?;
    }
    if let Some(version) = args.api_version {
        op = op.api_version(version);
    }
    Ok(op.envelope(args.envelope).pretty(args.pretty))
}

/// Builds the looked-up operation from the recorded arguments and runs it once.
struct Call<'a, S> {
    session: &'a Session,
    args: RawArgs<'a>,
    send: S,
}

impl<S: FnMut(Outgoing) -> SendResult> Visitor for Call<'_, S> {
    type Output = Result<(), String>;

    fn visit<O: FromArgs>(self) -> Result<(), String> {
        let op = O::from_args(&self.args).map_err(|e| format!("the recorded arguments: {e}"))?;
        let now = || Now::new(Instant::now(), SystemTime::now());
        // The outcome is read from the raw answer the send function kept; an error status is
        // an answer like any other here. Retries are off, so the core never asks to wait.
        let _ = run_blocking(self.session, &op, now, self.send, |_| {}, None);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_differences_by_path_with_ids_and_dates_exempt() {
        let mut out = Vec::new();
        let recorded = json!({"a": 1, "b": "x", "when": "2026-01-01T00:00:00Z", "l": [1, 2], "gone": true});
        let fake = json!({"a": "1", "b": "y", "when": "2027-05-05T10:00:00Z", "l": [1], "new": null});
        compare_json("body", &recorded, &fake, &mut out);
        let lines: Vec<String> = out.iter().map(|k| format!("{k:?}")).collect();
        assert_eq!(out.len(), 5, "{lines:#?}");
        assert!(out.contains(&DriftKind::FieldType { path: "body.a".into(), recorded: "number", fake: "string" }));
        assert!(out.contains(&DriftKind::FieldValue {
            path: "body.b".into(),
            recorded: "\"x\"".into(),
            fake: "\"y\"".into()
        }));
        assert!(out.contains(&DriftKind::MissingField { path: "body.l[1]".into() }));
        assert!(out.contains(&DriftKind::MissingField { path: "body.gone".into() }));
        assert!(out.contains(&DriftKind::ExtraField { path: "body.new".into() }));
    }

    #[test]
    fn ids_are_learned_once_and_read_back() {
        let mut ids = Ids::default();
        ids.learn(&json!({"id": "aaaaaaaaaaaaaaaaaaaaaaaa"}), &json!({"id": "bbbbbbbbbbbbbbbbbbbbbbbb"}));
        ids.learn(&json!({"id": "aaaaaaaaaaaaaaaaaaaaaaaa"}), &json!({"id": "cccccccccccccccccccccccc"}));
        assert_eq!(Ids::rewrite(&ids.to_fake, "/x/aaaaaaaaaaaaaaaaaaaaaaaa"), "/x/bbbbbbbbbbbbbbbbbbbbbbbb");
        let back = Ids::rewrite_json(&ids.to_recorded, &json!({"id": "cccccccccccccccccccccccc"}));
        let mut out = Vec::new();
        compare_json("body", &json!({"id": "aaaaaaaaaaaaaaaaaaaaaaaa"}), &back, &mut out);
        assert_eq!(out.len(), 1, "an id that changed meaning is a difference: {out:?}");
    }

    #[test]
    fn nonces_do_not_count() {
        assert_eq!(
            without_nonce("Digest realm=\"r\", nonce=\"abc\", qop=\"auth\""),
            without_nonce("Digest realm=\"r\", nonce=\"xyz\", qop=\"auth\"")
        );
        assert_ne!(without_nonce("Digest realm=\"r\", nonce=\"a\""), without_nonce("Digest realm=\"s\", nonce=\"a\""));
    }
}
