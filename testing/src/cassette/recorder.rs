//! [`Recorder`]: wraps any send (and sleep) function of the core's driver, keeps every
//! exchange, and saves a scrubbed cassette, refusing to save one that holds a secret.
//! [`Recording`]: a client over a session, a send function and a recorder.

use super::format::{Auth, Body, Cassette, Interaction, RecordedRequest, RecordedResponse};
use super::scrub::{Secrets, digest_response, kept_header};
use atlas_admin_core::driver::{SendResult, run_blocking};
use atlas_admin_core::{ApiResponse, Error, Execute, Now, Operation, Outgoing, Session};
use atlas_admin_core::{TransportError, TransportErrorKind};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

/// Records exchanges as they pass through the send function it wraps.
///
/// Thread-safe; exchanges are kept in the order their responses arrive. Transport failures
/// are not recorded (replay cannot reproduce them yet).
pub struct Recorder {
    auth: Auth,
    secrets: Secrets,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    interactions: Vec<Interaction>,
    waits: Vec<Duration>,
    /// Values learned while recording: bearer tokens and Digest `response=` values.
    learned: Vec<(&'static str, String)>,
    /// Access tokens seen, in order: the n-th becomes `TOKEN-n`.
    tokens: Vec<String>,
}

impl fmt::Debug for Recorder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recorder")
            .field("auth", &self.auth)
            .field("exchanges", &self.lock().interactions.len())
            .finish()
    }
}

impl Recorder {
    /// A recorder for a session authenticating as `auth`, knowing its real `secrets`.
    pub fn new(auth: Auth, secrets: Secrets) -> Recorder {
        Recorder { auth, secrets, state: Mutex::default() }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `send`, recording each exchange it completes.
    pub fn wrap_send<'a>(
        &'a self,
        mut send: impl FnMut(Outgoing) -> SendResult + 'a,
    ) -> impl FnMut(Outgoing) -> SendResult + 'a {
        move |out: Outgoing| {
            let request = RecordedRequest::of(&out.request);
            let authorization =
                out.request.headers().get(http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
            let (operation, purpose) = (out.operation, out.purpose);
            let result = send(out);
            let mut state = self.lock();
            if let Some(auth) = authorization {
                if let Some(response) = digest_response(&auth) {
                    state.learned.push(("a Digest response=", response.to_owned()));
                } else if let Some(token) = auth.strip_prefix("Bearer ") {
                    state.learned.push(("a bearer token", token.to_owned()));
                }
            }
            if let Ok(response) = &result {
                let body = Body::from_bytes(response.body());
                if let Body::Json(Value::Object(m)) = &body {
                    for key in ["access_token", "refresh_token", "id_token"] {
                        if let Some(Value::String(token)) = m.get(key) {
                            state.learned.push(("a token in a token response", token.clone()));
                            if !state.tokens.contains(token) {
                                state.tokens.push(token.clone());
                            }
                        }
                    }
                }
                let mut headers: BTreeMap<String, String> = BTreeMap::new();
                for (name, value) in response.headers() {
                    if kept_header(name.as_str()) {
                        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                        headers
                            .entry(name.as_str().to_owned())
                            .and_modify(|v| *v = format!("{v}, {value}"))
                            .or_insert(value);
                    }
                }
                let waits_before = std::mem::take(&mut state.waits);
                state.interactions.push(Interaction {
                    operation: operation.to_owned(),
                    purpose,
                    waits_before,
                    request,
                    response: RecordedResponse { status: response.status().as_u16(), headers, body },
                });
            }
            result
        }
    }

    /// `sleep`, recording each wait the core asks for.
    pub fn wrap_sleep<'a>(&'a self, mut sleep: impl FnMut(Duration) + 'a) -> impl FnMut(Duration) + 'a {
        move |d| {
            self.lock().waits.push(d);
            sleep(d);
        }
    }

    /// The number of exchanges recorded so far.
    pub fn len(&self) -> usize {
        self.lock().interactions.len()
    }

    /// Whether nothing was recorded yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The scrubbed cassette, after checking that no secret is left in it.
    pub fn cassette(&self) -> Result<Cassette, SaveError> {
        let state = self.lock();
        let mut secrets = self.secrets.clone();
        for (i, token) in state.tokens.iter().enumerate() {
            secrets = secrets.replace(token, &format!("TOKEN-{}", i + 1));
        }
        for (label, value) in &state.learned {
            secrets = secrets.secret(label, value);
        }
        let scrub_body = |b: &Body| match b {
            Body::Empty => Body::Empty,
            Body::Json(v) => Body::Json(secrets.scrub_json(v)),
            Body::Text(t) => Body::Text(secrets.scrub_str(t)),
        };
        let interactions = state
            .interactions
            .iter()
            .map(|i| Interaction {
                operation: i.operation.clone(),
                purpose: i.purpose,
                waits_before: i.waits_before.clone(),
                request: RecordedRequest {
                    method: i.request.method.clone(),
                    path: secrets.scrub_str(&i.request.path),
                    query: i.request.query.iter().map(|(k, v)| (secrets.scrub_str(k), secrets.scrub_str(v))).collect(),
                    api_version: i.request.api_version.clone(),
                    body: scrub_body(&i.request.body),
                },
                response: RecordedResponse {
                    status: i.response.status,
                    headers: i.response.headers.iter().map(|(k, v)| (k.clone(), secrets.scrub_str(v))).collect(),
                    body: scrub_body(&i.response.body),
                },
            })
            .collect();
        let cassette = Cassette { auth: self.auth, interactions };
        guard(&secrets, &cassette)?;
        Ok(cassette)
    }

    /// Writes the scrubbed cassette to `path` (creating its directory), or refuses with a
    /// [`SaveError::Secret`] and writes nothing.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<Cassette, SaveError> {
        let cassette = self.cassette()?;
        let path = path.as_ref();
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| SaveError::Io(e.to_string()))?;
        }
        std::fs::write(path, cassette.to_json_string()).map_err(|e| SaveError::Io(e.to_string()))?;
        Ok(cassette)
    }
}

/// Refuses a cassette whose JSON text holds a guarded value (or its base64 form).
fn guard(secrets: &Secrets, cassette: &Cassette) -> Result<(), SaveError> {
    for (i, interaction) in cassette.interactions.iter().enumerate() {
        let one = Cassette { auth: cassette.auth, interactions: vec![interaction.clone()] };
        if let Some(what) = secrets.find_in(&one.to_json_string()) {
            return Err(SaveError::Secret { what, interaction: i });
        }
    }
    Ok(())
}

/// Why a cassette was not saved.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SaveError {
    /// A secret would have been written: which kind (never its value) and in which exchange.
    Secret {
        /// What it is (`private key`, `a bearer token`...).
        what: &'static str,
        /// The index of the exchange holding it.
        interaction: usize,
    },
    /// The file could not be written.
    Io(String),
}

impl fmt::Display for SaveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SaveError::Secret { what, interaction } => {
                write!(f, "refusing to save the cassette: {what} appears in exchange {interaction} after scrubbing")
            }
            SaveError::Io(e) => write!(f, "cannot write the cassette: {e}"),
        }
    }
}

impl std::error::Error for SaveError {}

/// A blocking client that records: a core [`Session`], a send function (a real transport's,
/// or [`loopback_send`]) and a [`Recorder`].
///
/// Waits either sleep the thread ([`Recording::new`]) or pass on a virtual clock that runs
/// ahead of the real one by every wait so far ([`Recording::virtual_time`]: for recording
/// against the fake, whose faults are counted, not timed).
pub struct Recording<S> {
    session: Session,
    recorder: Recorder,
    send: Mutex<S>,
    /// `None`: the real clock and real sleeping; `Some(clock)`: a virtual clock that moves only
    /// by waits.
    clock: Option<Mutex<Now>>,
}

impl<S: FnMut(Outgoing) -> SendResult> Recording<S> {
    /// Records the calls `session` makes through `send`; waits sleep the thread.
    pub fn new(session: Session, recorder: Recorder, send: S) -> Self {
        Recording { session, recorder, send: Mutex::new(send), clock: None }
    }

    /// Waits pass at once on a virtual clock that starts now and moves only by waits, so the
    /// recorded waits are exactly what the core asked (the server must not depend on real time
    /// passing: right for the fake, whose faults are counted, not timed).
    pub fn virtual_time(mut self) -> Self {
        self.clock = Some(Mutex::new(Now::new(Instant::now(), SystemTime::now())));
        self
    }

    /// The recorder (to save the cassette).
    pub fn recorder(&self) -> &Recorder {
        &self.recorder
    }
}

impl<S: FnMut(Outgoing) -> SendResult> Execute for Recording<S> {
    fn execute<O>(&self, op: &O) -> Result<ApiResponse<O::Output>, Error>
    where
        O: Operation,
        O::Output: Send + 'static,
    {
        let mut send = self.send.lock().unwrap_or_else(PoisonError::into_inner);
        let lock = |c: &Mutex<Now>| *c.lock().unwrap_or_else(PoisonError::into_inner);
        let now = || self.clock.as_ref().map_or_else(|| Now::new(Instant::now(), SystemTime::now()), lock);
        let sleep = |d: Duration| match &self.clock {
            Some(c) => {
                let mut c = c.lock().unwrap_or_else(PoisonError::into_inner);
                *c = c.advance(d);
            }
            None => std::thread::sleep(d),
        };
        run_blocking(&self.session, op, now, self.recorder.wrap_send(&mut *send), self.recorder.wrap_sleep(sleep), None)
    }
}

/// One plain-HTTP/1.1 exchange on a new loopback connection: enough to record against the
/// fake Atlas without a transport crate. Anything but `http://` to a loopback address is refused.
pub fn loopback_send(out: Outgoing) -> SendResult {
    let fail = |kind| move |e: std::io::Error| TransportError::new(kind, e.to_string());
    let (head, body) = out.request.into_parts();
    let host = head.uri.authority().map_or("", |a| a.as_str()).to_owned();
    let loopback = host.starts_with("127.0.0.1:") || host.starts_with("localhost:") || host.starts_with("[::1]:");
    if head.uri.scheme_str() != Some("http") || !loopback {
        return Err(TransportError::new(
            TransportErrorKind::Refused,
            "loopback_send speaks plain http to loopback only",
        ));
    }
    let mut tcp = std::net::TcpStream::connect(&host).map_err(fail(TransportErrorKind::Connect))?;
    tcp.set_read_timeout(Some(Duration::from_secs(30))).map_err(fail(TransportErrorKind::Io))?;
    let target = head.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut text = format!("{} {target} HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n", head.method);
    for (name, value) in &head.headers {
        text += &format!("{name}: {}\r\n", value.to_str().unwrap_or_default());
    }
    text += &format!("content-length: {}\r\n\r\n", body.len());
    tcp.write_all(text.as_bytes()).and_then(|()| tcp.write_all(&body)).map_err(fail(TransportErrorKind::Io))?;
    let mut raw = Vec::new();
    tcp.read_to_end(&mut raw).map_err(fail(TransportErrorKind::Io))?;
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut parsed = httparse::Response::new(&mut headers);
    let bad = |e: String| TransportError::new(TransportErrorKind::Io, e);
    let Ok(httparse::Status::Complete(len)) = parsed.parse(&raw) else {
        return Err(bad("incomplete response head".into()));
    };
    let mut response = http::Response::builder().status(parsed.code.unwrap_or(500));
    for h in parsed.headers.iter() {
        response = response.header(h.name, h.value);
    }
    response.body(raw.split_off(len)).map_err(|e| bad(e.to_string()))
}
