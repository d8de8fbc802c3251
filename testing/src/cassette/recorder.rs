//! [`Recorder`]: wraps any send (and sleep) function of the core's driver, keeps every
//! exchange (a response or a transport failure), and saves a scrubbed cassette, refusing to
//! save one that holds a secret.

use super::format::{Auth, Body, Cassette, Interaction, RecordedError, RecordedRequest, RecordedResponse};
use super::scrub::{Secrets, digest_response, kept_header};
use atlas_admin_core::driver::SendResult;
use atlas_admin_core::{Credentials, Outgoing, Purpose, TransportError, TransportErrorKind};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

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
    /// Values learned while recording: bearer tokens and Digest `response=` values.
    learned: Vec<(&'static str, String)>,
    /// Access tokens seen, in order: the n-th becomes `TOKEN-n` (numbered after the prior
    /// cassette's).
    tokens: Vec<String>,
    /// New episodes: the cassette's interactions, saved before the new ones.
    prior: Vec<Interaction>,
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
                state.learned.push(("a Digest response=", response.to_owned()));
            } else if let Some(token) = auth.strip_prefix("Bearer ") {
                // A prior cassette's placeholder, replayed and sent on (new episodes), is no secret.
                let prior =
                    placeholder_number(token).is_some_and(|n| n <= state.prior_tokens && token == format!("TOKEN-{n}"));
                if !prior {
                    state.learned.push(("a bearer token", token.to_owned()));
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
        let highest =
            text.split("TOKEN-").skip(1).filter_map(|rest| placeholder_number(&format!("TOKEN-{rest}"))).max();
        let mut state = self.lock();
        state.prior = cassette.interactions.clone();
        state.prior_tokens = highest.unwrap_or(0);
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
        let state = self.lock();
        let mut secrets = self.secrets.clone();
        for (i, token) in state.tokens.iter().enumerate() {
            secrets = secrets.replace(token, &format!("TOKEN-{}", state.prior_tokens + i + 1));
        }
        for (label, value) in &state.learned {
            secrets = secrets.secret(label, value);
        }
        let scrub_body = |b: &Body| match b {
            Body::Empty => Body::Empty,
            Body::Json(v) => Body::Json(secrets.scrub_json(v)),
            Body::Text(t) => Body::Text(secrets.scrub_str(t)),
        };
        let recorded = state.interactions.iter().map(|i| Interaction {
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
            response: match &i.response {
                Ok(r) => Ok(RecordedResponse {
                    status: r.status,
                    headers: r.headers.iter().map(|(k, v)| (k.clone(), secrets.scrub_str(v))).collect(),
                    body: scrub_body(&r.body),
                }),
                Err(e) => Err(RecordedError { kind: e.kind, message: secrets.scrub_str(&e.message) }),
            },
        });
        let interactions = state.prior.iter().cloned().chain(recorded).collect();
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

/// `n` of a `TOKEN-n` placeholder (at the start of `text`).
fn placeholder_number(text: &str) -> Option<usize> {
    let digits: String = text.strip_prefix("TOKEN-")?.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
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
