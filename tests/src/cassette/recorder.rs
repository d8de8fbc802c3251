//! [`Recorder`]: wraps any send (and sleep) function of the core's driver, keeps every
//! exchange (a response or a transport failure), and saves a scrubbed cassette, refusing to
//! save one that holds a secret.

use super::format::{Auth, Body, Cassette, Interaction, RecordedError, RecordedRequest, RecordedResponse};
use super::scrub::{Guard, Secrets, digest_response, kept_header};
use crate::files::write_atomically;
use atlas_admin_core::driver::SendResult;
use atlas_admin_core::transport::{DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT};
use atlas_admin_core::{Credentials, Outgoing, Purpose, TransportError, TransportErrorKind};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::io::{Read, Write};
use std::net::ToSocketAddrs;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// Records exchanges as they pass through the send function it wraps.
///
/// Thread-safe; exchanges are kept in the order their outcomes arrive. A transport failure is
/// kept as its kind and message, and replays as the same kind (so retries replay). The
/// blocking and async wrappers ([`Recorder::wrap_send`], [`Recording`](super::Recording)'s
/// `ExecuteAsync`) share one "record this exchange" step.
pub struct Recorder {
    auth: Auth,
    secrets: Secrets,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    interactions: Vec<Interaction>,
    waits: Vec<Duration>,
    /// Values learned while recording: bearer tokens (each once, in the order first seen).
    learned: Vec<(&'static str, String)>,
    /// The values of `learned`, to keep each once however many exchanges carry it.
    learned_values: HashSet<String>,
    /// Digest `response=` values (lowercase hex), one per signed exchange: looked up, not
    /// searched one by one.
    digests: HashSet<String>,
    /// Access tokens seen, in order: the n-th becomes `TOKEN-n` (numbered after the prior
    /// cassette's).
    tokens: Vec<String>,
    /// New episodes: the cassette's interactions, saved before the new ones.
    prior: Vec<Interaction>,
    /// Indexes of `prior` interactions superseded in this run, not saved.
    dropped: Vec<usize>,
    /// The highest `TOKEN-n` placeholder of `prior`.
    prior_tokens: usize,
}

/// One exchange on its way: what the request was, until its outcome arrives.
pub(crate) struct Pending {
    request: RecordedRequest,
    authorization: Option<String>,
    operation: &'static str,
    purpose: Purpose,
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

    /// What this recorder scrubs and guards.
    pub(crate) fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    /// A recorder for a session using `credentials`: the kind of auth and the secrets to keep
    /// out of the file (private key, client secret, a hand-given bearer token; the public key
    /// and client id become placeholders). Add the host with [`Recorder::scrub`].
    pub fn for_credentials(credentials: &Credentials) -> Recorder {
        Recorder::new(Auth::of(credentials), Secrets::of(credentials))
    }

    /// The same recorder, also scrubbing by value what `with` adds (the host, ids, e-mails).
    pub fn scrub(mut self, with: impl FnOnce(Secrets) -> Secrets) -> Recorder {
        self.secrets = with(self.secrets);
        self
    }

    /// How the recorded session authenticates.
    pub fn auth(&self) -> Auth {
        self.auth
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `send`, recording each exchange it completes (or fails).
    pub fn wrap_send<'a>(
        &'a self,
        mut send: impl FnMut(Outgoing) -> SendResult + 'a,
    ) -> impl FnMut(Outgoing) -> SendResult + 'a {
        move |out: Outgoing| {
            let pending = self.begin(&out);
            let result = send(out);
            self.finish(pending, &result);
            result
        }
    }

    /// The first half of recording an exchange: what is sent (taken before `out` moves).
    pub(crate) fn begin(&self, out: &Outgoing) -> Pending {
        Pending {
            request: RecordedRequest::of(&out.request),
            authorization: out
                .request
                .headers()
                .get(http::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            operation: out.operation,
            purpose: out.purpose,
        }
    }

    /// The second half: records the exchange with its outcome, learning the credentials it
    /// carried (to guard them) and the tokens it returned (to replace them).
    pub(crate) fn finish(&self, pending: Pending, result: &SendResult) {
        let Pending { request, authorization, operation, purpose } = pending;
        let mut state = self.lock();
        if let Some(auth) = authorization {
            if let Some(response) = digest_response(&auth) {
                state.digests.insert(response.to_ascii_lowercase());
            } else if let Some(token) = auth.strip_prefix("Bearer ") {
                // A prior cassette's placeholder, replayed and sent on (new episodes), is no secret.
                let prior =
                    placeholder_number(token).is_some_and(|n| n <= state.prior_tokens && token == format!("TOKEN-{n}"));
                if !prior {
                    state.learn("a bearer token", token);
                }
            }
        }
        let response = match result {
            Ok(response) => Ok(self.keep(&mut state, response)),
            Err(error) => Err(RecordedError::of(error)),
        };
        let waits_before = std::mem::take(&mut state.waits);
        state.interactions.push(Interaction {
            operation: operation.to_owned(),
            purpose,
            waits_before,
            request,
            response,
        });
    }

    /// The kept part of a response, learning the tokens of a token response.
    fn keep(&self, state: &mut State, response: &http::Response<Vec<u8>>) -> RecordedResponse {
        let body = Body::from_bytes(response.body());
        if let Body::Json(Value::Object(m)) = &body {
            for key in ["access_token", "refresh_token", "id_token"] {
                if let Some(Value::String(token)) = m.get(key) {
                    state.learn("a token in a token response", token);
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
                headers.entry(name.as_str().to_owned()).and_modify(|v| *v = format!("{v}, {value}")).or_insert(value);
            }
        }
        RecordedResponse { status: response.status().as_u16(), headers, body }
    }

    /// Records a wait the core asked for; it is written before the next recorded exchange.
    pub(crate) fn note_wait(&self, wait: Duration) {
        self.lock().waits.push(wait);
    }

    /// Forgets the waits noted since the last exchange: they preceded a replayed one (new
    /// episodes), which the prior cassette already holds with its waits.
    pub(crate) fn skip_waits(&self) {
        self.lock().waits.clear();
    }

    /// New episodes: `cassette`'s interactions are saved first, unchanged, and new tokens are
    /// numbered after its `TOKEN-n` placeholders.
    pub(crate) fn continue_from(&self, cassette: &Cassette) {
        let text = cassette.to_json_string();
        // One pass: each marker's digits are read where they are (absurd numbers are ignored).
        let highest =
            text.match_indices("TOKEN-").filter_map(|(at, _)| text.get(at..).and_then(placeholder_number)).max();
        let mut state = self.lock();
        state.prior = cassette.interactions.clone();
        state.prior_tokens = highest.unwrap_or(0);
    }

    /// New episodes: the prior interaction `index` was superseded (see
    /// `Recording::new_episodes`) and is not saved.
    pub(crate) fn drop_prior(&self, index: usize) {
        self.lock().dropped.push(index);
    }

    /// `sleep`, recording each wait the core asks for.
    pub fn wrap_sleep<'a>(&'a self, mut sleep: impl FnMut(Duration) + 'a) -> impl FnMut(Duration) + 'a {
        move |d| {
            self.note_wait(d);
            sleep(d);
        }
    }

    /// The number of exchanges recorded so far (not counting a prior cassette's).
    pub fn len(&self) -> usize {
        self.lock().interactions.len()
    }

    /// Whether nothing was recorded yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The scrubbed cassette, after checking that no secret is left in it.
    pub fn cassette(&self) -> Result<Cassette, SaveError> {
        self.scrubbed(true)
    }

    /// The cassette as [`cassette`](Self::cassette) gives it, except that the values of secret
    /// fields ([`SECRET_FIELDS`](super::SECRET_FIELDS)) in responses are kept: what a recording
    /// run replays to show its user (`atlas-api` prints the replay of what it records), so an
    /// answer shown once, such as a new API key's private key, is not lost. For showing only:
    /// save [`cassette`](Self::cassette).
    pub fn cassette_to_show(&self) -> Result<Cassette, SaveError> {
        self.scrubbed(false)
    }

    /// The scrubbed cassette; `redact_answers`: secret fields of responses redacted too.
    fn scrubbed(&self, redact_answers: bool) -> Result<Cassette, SaveError> {
        let state = self.lock();
        let mut secrets = self.secrets.clone();
        for (i, token) in state.tokens.iter().enumerate() {
            let n = state.prior_tokens.saturating_add(i).saturating_add(1);
            secrets = secrets.replace(token, &format!("TOKEN-{n}"));
        }
        for (label, value) in &state.learned {
            secrets = secrets.secret(label, value);
        }
        // Before scrubbing: a guarded value nothing replaces must not be there at all (so a
        // replacement of yours overlapping it cannot hide it from the check after scrubbing).
        let unreplaced = secrets.secrets.iter().filter(|(_, v)| !secrets.is_replaced(v)).map(|(l, v)| (*l, v.as_str()));
        let before = Guard::new(unreplaced, state.digests.clone());
        let kept = state.prior.iter().enumerate().filter(|(i, _)| !state.dropped.contains(i)).map(|(_, x)| x.clone());
        let kept: Vec<Interaction> = kept.collect();
        let prior = kept.len();
        for (i, interaction) in state.interactions.iter().enumerate() {
            if let Some(what) = before.find_in(&interaction_text(self.auth, interaction)) {
                return Err(SaveError::Secret { what, interaction: prior + i });
            }
        }
        let recorded = state.interactions.iter().map(|i| Interaction {
            operation: i.operation.clone(),
            purpose: i.purpose,
            waits_before: i.waits_before.clone(),
            request: secrets.scrub_request(&i.request),
            response: match &i.response {
                Ok(r) => Ok(RecordedResponse {
                    status: r.status,
                    headers: r.headers.iter().map(|(k, v)| (k.clone(), secrets.scrub_str(v))).collect(),
                    body: if redact_answers {
                        secrets.scrub_body(&r.body)
                    } else {
                        secrets.scrub_body_by_value(&r.body)
                    },
                }),
                Err(e) => Err(RecordedError { kind: e.kind, message: secrets.scrub_str(&e.message) }),
            },
        });
        let interactions = kept.into_iter().chain(recorded).collect();
        let cassette = Cassette { auth: self.auth, interactions };
        let after = Guard::new(secrets.secrets.iter().map(|(l, v)| (*l, v.as_str())), state.digests.clone());
        guard(&after, &cassette)?;
        Ok(cassette)
    }

    /// Writes the scrubbed cassette to `path` (creating its directory), or refuses with a
    /// [`SaveError::Secret`] and writes nothing. The file is replaced whole or not at all
    /// ([`write_atomically`]): a save that fails partway leaves the old cassette as it was.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<Cassette, SaveError> {
        let cassette = self.cassette()?;
        let path = path.as_ref();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| SaveError::Io(e.to_string()))?;
        }
        let text = cassette.to_json_string();
        write_atomically(path, |out| out.write_all(text.as_bytes())).map_err(|e| SaveError::Io(e.to_string()))?;
        Ok(cassette)
    }
}

/// The highest `TOKEN-n` a recorder numbers from: a larger `n` in a prior cassette is no
/// placeholder of ours (a hand edit or a hostile file) and is ignored.
const MAX_TOKEN_NUMBER: usize = 1_000_000;

/// `n` of a `TOKEN-n` placeholder (at the start of `text`), if `n` is at most [`MAX_TOKEN_NUMBER`].
fn placeholder_number(text: &str) -> Option<usize> {
    let rest = text.strip_prefix("TOKEN-")?;
    let digits = rest.get(..rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len()))?;
    digits.parse().ok().filter(|n| *n <= MAX_TOKEN_NUMBER)
}

/// The JSON text of one interaction, as a cassette holding only it would be written.
fn interaction_text(auth: Auth, interaction: &Interaction) -> String {
    Cassette { auth, interactions: vec![interaction.clone()] }.to_json_string()
}

/// Refuses a cassette whose JSON text holds a guarded value (in any of its forms).
fn guard(guard: &Guard, cassette: &Cassette) -> Result<(), SaveError> {
    for (i, interaction) in cassette.interactions.iter().enumerate() {
        if let Some(what) = guard.find_in(&interaction_text(cassette.auth, interaction)) {
            return Err(SaveError::Secret { what, interaction: i });
        }
    }
    Ok(())
}

impl State {
    /// Guards `value` from now on (once, however many exchanges carry it).
    fn learn(&mut self, label: &'static str, value: &str) {
        if self.learned_values.insert(value.to_owned()) {
            self.learned.push((label, value.to_owned()));
        }
    }
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

/// The most response headers [`loopback_send`] reads (more is a `HeadersTooLarge` error).
const LOOPBACK_MAX_HEADERS: usize = 256;
/// The largest response head [`loopback_send`] reads, in bytes.
const LOOPBACK_MAX_HEAD_BYTES: usize = 64 * 1024;
/// The largest response body [`loopback_send`] reads: the clients' default cap.
const LOOPBACK_MAX_BODY_BYTES: u64 = DEFAULT_MAX_RESPONSE_BYTES;

/// One plain-HTTP/1.1 exchange on a new loopback connection: enough to record against the
/// fake Atlas without a transport crate. Anything but `http://` to a loopback address is refused.
///
/// Bounded as the clients are: the whole exchange within the core's `time_left` (at most
/// [`DEFAULT_TIMEOUT`]), at most 256 response headers in 64 KiB, and a body of at most
/// [`DEFAULT_MAX_RESPONSE_BYTES`].
pub fn loopback_send(out: Outgoing) -> SendResult {
    let deadline = Instant::now() + out.time_left.map_or(DEFAULT_TIMEOUT, |t| t.min(DEFAULT_TIMEOUT));
    let (head, body) = out.request.into_parts();
    let host = head.uri.authority().map_or("", |a| a.as_str()).to_owned();
    let loopback = host.starts_with("127.0.0.1:") || host.starts_with("localhost:") || host.starts_with("[::1]:");
    if head.uri.scheme_str() != Some("http") || !loopback {
        return Err(TransportError::new(
            TransportErrorKind::Refused,
            "loopback_send speaks plain http to loopback only",
        ));
    }
    let mut tcp = connect(&host, deadline)?;
    let target = head.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut text = format!("{} {target} HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n", head.method);
    for (name, value) in &head.headers {
        text += &format!("{name}: {}\r\n", value.to_str().unwrap_or_default());
    }
    text += &format!("content-length: {}\r\n\r\n", body.len());
    tcp.set_write_timeout(Some(time_left(deadline)?)).map_err(io_error)?;
    tcp.write_all(text.as_bytes()).and_then(|()| tcp.write_all(&body)).map_err(io_error)?;
    read_response(&mut tcp, deadline)
}

/// The time until `deadline`, or a `Timeout` error once it has passed.
fn time_left(deadline: Instant) -> Result<Duration, TransportError> {
    Some(deadline.saturating_duration_since(Instant::now()))
        .filter(|left| !left.is_zero())
        .ok_or_else(|| TransportError::new(TransportErrorKind::Timeout, "loopback_send: the exchange ran out of time"))
}

/// An IO error as a transport error (a read or write timeout as `Timeout`).
fn io_error(e: std::io::Error) -> TransportError {
    match e.kind() {
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => TransportError::new(
            TransportErrorKind::Timeout,
            format!("loopback_send: the exchange ran out of time ({e})"),
        ),
        _ => TransportError::new(TransportErrorKind::Io, e.to_string()),
    }
}

/// A connection to `host` (`addr:port`) opened before `deadline`.
fn connect(host: &str, deadline: Instant) -> Result<std::net::TcpStream, TransportError> {
    let connect_error = |e: std::io::Error| TransportError::new(TransportErrorKind::Connect, e.to_string());
    let mut last = TransportError::new(TransportErrorKind::Connect, "no address to connect to");
    for addr in host.to_socket_addrs().map_err(connect_error)? {
        match std::net::TcpStream::connect_timeout(&addr, time_left(deadline)?) {
            Ok(tcp) => return Ok(tcp),
            Err(e) => last = connect_error(e),
        }
    }
    Err(last)
}

/// Reads one response (until the peer closes, or `Content-Length` bytes of body) within the
/// bounds of [`loopback_send`].
fn read_response(tcp: &mut std::net::TcpStream, deadline: Instant) -> SendResult {
    let bad = |kind, message: String| TransportError::new(kind, message);
    let mut raw = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let mut parsed: Option<(usize, http::response::Builder, Option<u64>)> = None;
    loop {
        tcp.set_read_timeout(Some(time_left(deadline)?)).map_err(io_error)?;
        let n = tcp.read(&mut chunk).map_err(io_error)?;
        raw.extend_from_slice(chunk.get(..n).unwrap_or_default());
        if parsed.is_none() {
            let mut headers = vec![httparse::EMPTY_HEADER; LOOPBACK_MAX_HEADERS];
            let mut response = httparse::Response::new(&mut headers);
            match response.parse(&raw) {
                Ok(httparse::Status::Complete(len)) => {
                    let mut builder = http::Response::builder().status(response.code.unwrap_or(500));
                    let mut length = None;
                    for h in response.headers.iter() {
                        if h.name.eq_ignore_ascii_case("content-length") {
                            length = std::str::from_utf8(h.value).ok().and_then(|v| v.trim().parse::<u64>().ok());
                        }
                        builder = builder.header(h.name, h.value);
                    }
                    parsed = Some((len, builder, length));
                }
                Ok(httparse::Status::Partial) if raw.len() > LOOPBACK_MAX_HEAD_BYTES => {
                    return Err(bad(
                        TransportErrorKind::HeadersTooLarge,
                        format!("response head longer than {LOOPBACK_MAX_HEAD_BYTES} bytes"),
                    ));
                }
                Ok(httparse::Status::Partial) if n == 0 => {
                    return Err(bad(TransportErrorKind::Io, "connection closed inside the response head".into()));
                }
                Ok(httparse::Status::Partial) => continue,
                Err(httparse::Error::TooManyHeaders) => {
                    return Err(bad(
                        TransportErrorKind::HeadersTooLarge,
                        format!("more than {LOOPBACK_MAX_HEADERS} response headers"),
                    ));
                }
                Err(e) => return Err(bad(TransportErrorKind::Io, format!("malformed response head: {e}"))),
            }
        }
        let Some((len, _, length)) = &parsed else { continue };
        let body_len = u64::try_from(raw.len().saturating_sub(*len)).unwrap_or(u64::MAX);
        if body_len > LOOPBACK_MAX_BODY_BYTES || length.is_some_and(|l| l > LOOPBACK_MAX_BODY_BYTES) {
            return Err(bad(
                TransportErrorKind::BodyTooLarge,
                format!("response body over {LOOPBACK_MAX_BODY_BYTES} bytes"),
            ));
        }
        if n == 0 || length.is_some_and(|l| body_len >= l) {
            break;
        }
    }
    let Some((len, builder, length)) = parsed else {
        return Err(bad(TransportErrorKind::Io, "no response head".into()));
    };
    let mut body = raw.split_off(len);
    if let Some(l) = length.and_then(|l| usize::try_from(l).ok()) {
        body.truncate(l);
    }
    builder.body(body).map_err(|e| bad(TransportErrorKind::Io, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use atlas_admin_core::driver::run_blocking;
    use atlas_admin_core::ops::ListGroupInvites;
    use atlas_admin_core::{Config, Now, Session};
    use std::time::SystemTime;

    fn now() -> Now {
        Now::new(Instant::now(), SystemTime::now())
    }

    fn ok() -> SendResult {
        http::Response::builder()
            .status(200)
            .header("content-type", "application/json")
            .body(b"[]".to_vec())
            .map_err(|e| TransportError::new(TransportErrorKind::Other, e.to_string()))
    }

    /// The guard's work grows with the exchanges, not exchanges x learned values: the bearer
    /// token every exchange carries is learned once.
    #[test]
    fn a_token_sent_on_every_exchange_is_guarded_once() -> Result<(), Box<dyn std::error::Error>> {
        let credentials = Credentials::bearer_token("a-token-of-some-forty-characters-xxxxxxxxx")?;
        let recorder = Recorder::for_credentials(&credentials);
        let session = Session::new(Config::default(), credentials, 1)?;
        let list = ListGroupInvites::new("32b6e34b3d91647abb20e7b8")?;
        let mut send = recorder.wrap_send(|_| ok());
        for _ in 0..2000 {
            run_blocking(&session, &list, now, &mut send, |_| {}, None)?;
        }
        drop(send);
        assert_eq!((recorder.len(), recorder.lock().learned.len()), (2000, 1));
        recorder.cassette()?;
        Ok(())
    }

    /// Digest `response=` values are kept in a set, each once, and found by lookup.
    #[test]
    fn digest_responses_are_kept_once_each() {
        let recorder = Recorder::new(Auth::ApiKey, Secrets::default());
        for i in 0..2000u32 {
            for _ in 0..2 {
                let pending = Pending {
                    request: RecordedRequest {
                        method: "GET".into(),
                        path: "/x".into(),
                        query: Vec::new(),
                        api_version: None,
                        body: Body::Empty,
                    },
                    authorization: Some(format!("Digest username=\"u\", response=\"{i:032x}\"")),
                    operation: "x",
                    purpose: Purpose::Api { attempt: 1 },
                };
                recorder.finish(pending, &ok());
            }
        }
        let state = recorder.lock();
        assert_eq!((state.digests.len(), state.learned.len()), (2000, 0));
    }
}
