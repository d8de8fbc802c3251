//! `--cassette FILE [--record-mode MODE]`: runs a command against a cassette
//! (`atlas_admin_testing::cassette`) instead of Atlas, or records Atlas into one.
//!
//! - Replaying answers from FILE through the core's driver (auth, retries, decoding as in a
//!   live run): no credential is read and no socket is opened.
//! - Recording sends with the real blocking client's IO (`Client::send`) and the credentials
//!   of the environment, keeps every exchange (Digest challenges and token exchanges too),
//!   scrubs it (the public key or client id and the host become placeholders) and saves it;
//!   the recorder refuses to write a secret.
//!
//! The mode is `--record-mode`, else `ATLAS_CASSETTE_MODE`, else `once`; with `CI` set (and
//! not empty, `0` or `false`) it is always `replay` (`Mode::from_env`/`Mode::pick`), so CI
//! never records by accident; an unknown mode name is an error, never `once`.

use crate::run::Warned;
use atlas_admin_testing::cassette::{Auth, CassetteClient, Mode, Player, Recorder, Recording, Secrets};
use atlas_admin_ureq::core::driver::SendResult;
use atlas_admin_ureq::core::env::{self, EnvError};
use atlas_admin_ureq::core::{ApiResponse, Execute, Operation, Outgoing, Sanitized, Session};
use atlas_admin_ureq::{ClientBuilder, Error};
use std::cell::{OnceCell, RefCell};
use std::hash::{BuildHasher, Hasher};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// The record modes with what each does, in help order: the one list of names. Only the
/// names `Mode::parse` accepts are offered, so a mode the cassette kit adds shows up here
/// (and in `--help`) once it parses.
const MODES: &[(&str, &str)] = &[
    ("once", "replay FILE if it exists, else record it (the default)"),
    ("replay", "FILE must exist; nothing is sent"),
    ("record", "record afresh, replacing FILE"),
    ("new-episodes", "replay what FILE holds, record (and add) the rest"),
];

/// The accepted modes, with what each does.
pub(crate) fn modes() -> impl Iterator<Item = (&'static str, &'static str)> {
    MODES.iter().copied().filter(|(name, _)| Mode::parse(name).is_some())
}

/// The send function of a recording: the real client's IO.
pub(crate) type Sender = Box<dyn FnMut(Outgoing) -> SendResult + Send>;
/// A cassette opened for this run, with the CLI's warnings.
pub(crate) type Tape = Warned<CassetteClient<Sender>>;

/// `--cassette` and `--record-mode`, read.
#[derive(Debug)]
pub(crate) struct CassetteArgs {
    path: PathBuf,
    mode: Mode,
    /// `--allow-unused`: recorded exchanges this command does not ask for are not a failure
    /// (a cassette holding several commands, grown with `new-episodes`).
    allow_unused: bool,
}

/// Removes `--cassette FILE`, `--record-mode MODE` (or `--flag=value`) and `--allow-unused`
/// from `argv`, for operations and `migrate` alike; `None` without `--cassette`.
pub(crate) fn take(argv: &mut Vec<String>) -> Result<Option<CassetteArgs>, String> {
    let (mut path, mut mode, mut allow_unused) = (None, None, false);
    let mut kept = Vec::with_capacity(argv.len());
    let mut args = std::mem::take(argv).into_iter();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (arg.clone(), None),
        };
        let slot = match name.as_str() {
            "--cassette" => &mut path,
            "--record-mode" => &mut mode,
            "--allow-unused" if inline.is_none() => {
                allow_unused = true;
                continue;
            }
            _ => {
                kept.push(arg);
                continue;
            }
        };
        let value = match inline.or_else(|| args.next()) {
            Some(v) if v.starts_with("--") => return Err(format!("{name} needs a value, got the flag {v}")),
            Some(v) if !v.is_empty() => v,
            _ => return Err(format!("{name} needs a value")),
        };
        if slot.replace(value).is_some() {
            return Err(format!("{name} given more than once"));
        }
    }
    *argv = kept;
    let names: Vec<&str> = modes().map(|(name, _)| name).collect();
    let mode = match (&path, mode.as_deref()) {
        (None, Some(_)) => return Err("--record-mode needs --cassette FILE".to_owned()),
        (None, None) if allow_unused => return Err("--allow-unused needs --cassette FILE".to_owned()),
        (None, None) => return Ok(None),
        (Some(_), None) => Mode::from_env().map_err(|e| e.to_string())?,
        (Some(_), Some(asked)) if Mode::parse(asked).is_none() => {
            return Err(format!("--record-mode: unknown mode {asked:?}: expected {}", crate::args::one_of(&names)));
        }
        (Some(_), asked) => Mode::pick(Mode::in_ci(), asked).map_err(|e| e.to_string())?,
    };
    Ok(path.map(|path| CassetteArgs { path: PathBuf::from(path), mode, allow_unused }))
}

impl CassetteArgs {
    /// A function opening the cassette on first call (only once the input is valid), kept in
    /// `slot` so [`finish`](Self::finish) can close it.
    pub(crate) fn opener<'a>(
        &'a self,
        slot: &'a OnceCell<Tape>,
        debug: bool,
    ) -> impl Fn() -> Result<&'a Tape, String> + 'a {
        move || {
            if let Some(tape) = slot.get() {
                return Ok(tape);
            }
            let tape = self.open(debug)?;
            Ok(slot.get_or_init(|| Warned::new(tape)))
        }
    }

    /// A player, or a recording client from the environment.
    fn open(&self, debug: bool) -> Result<CassetteClient<Sender>, String> {
        let file = self.path.display();
        // Decided here as `CassetteClient::open` decides, so that a replay reads no credentials;
        // every other mode may record and goes through `CassetteClient::open`.
        if self.mode == Mode::Replay || (self.mode == Mode::Once && self.path.exists()) {
            let player = Player::load(&self.path).map_err(|e| format!("--cassette {file}: {e}"))?;
            return Ok(CassetteClient::Replaying(player));
        }
        let recording = recording(debug)?;
        CassetteClient::open(&self.path, self.mode, move || recording).map_err(|e| format!("--cassette {file}: {e}"))
    }

    /// Whether this run records: then what it prints is what its replay prints (see
    /// [`replay_of_recording`](Self::replay_of_recording)), and the live answers are not printed.
    pub(crate) fn recording(slot: &OnceCell<Tape>) -> bool {
        slot.get().is_some_and(|tape| tape.inner().is_recording())
    }

    /// After a recording run Atlas answered (`refused` is `None`: see [`refusal`]), a player of
    /// the cassette as it will be saved, secret fields of answers unredacted: replaying the
    /// command with it prints what a later replay prints (scrubbed values such as `PUBLIC-KEY`
    /// included) but the secrets shown once, and proves the new cassette's requests replay
    /// before it is written.
    pub(crate) fn replay_of_recording(slot: &OnceCell<Tape>, refused: bool) -> Option<Result<Player, String>> {
        let Some(CassetteClient::Recording(recording, _)) = slot.get().map(Warned::inner) else {
            return None;
        };
        if refused || recording.recorder().is_empty() {
            return None;
        }
        // Secret fields of the answers (a new API key's private key) are shown, not redacted:
        // they may be shown only once. The saved cassette has them redacted.
        let cassette = recording.recorder().cassette_to_show().map_err(|e| e.to_string());
        Some(cassette.and_then(|c| Player::new(c).map_err(|e| format!("cannot replay the new cassette: {e}"))))
    }

    /// Checks the replay of a new recording used every exchange, and nothing else (in
    /// `new-episodes`, the exchanges of earlier commands may stay unused).
    pub(crate) fn replayed_as_recorded(&self, player: &Player, code: ExitCode) -> ExitCode {
        let misses = player.misses();
        let unused = if self.mode == Mode::NewEpisodes || self.allow_unused { Vec::new() } else { player.unused() };
        if misses.is_empty() && unused.is_empty() {
            return code;
        }
        let file = self.path.display();
        for miss in misses {
            crate::err(&format!("atlas-api: cassette {file}: the new recording does not replay: {miss}"));
        }
        for unused in unused {
            crate::err(&format!("atlas-api: cassette {file}: the new recording does not replay exchange {unused}"));
        }
        ExitCode::from(crate::RUNTIME_ERROR)
    }

    /// Whether the replay met a request the cassette has no answer for (then the failure is
    /// told by [`finish`](Self::finish), with its diff, not as a transport error).
    pub(crate) fn missed(slot: &OnceCell<Tape>) -> bool {
        matches!(slot.get().map(Warned::inner), Some(CassetteClient::Replaying(player)) if !player.misses().is_empty())
    }

    /// Ends the run: saves a recording (refusing a secret) unless it is `refused` (why: Atlas
    /// did not answer, or authentication failed; see [`refusal`]), then one line on stderr with
    /// the exchange count, or why FILE was not written (it is then unchanged: saving replaces it
    /// whole or not at all). A replay fails (exit 1) on a request not in the cassette (the
    /// nearest recorded one and the differences on stderr) or on recorded exchanges the command
    /// did not use.
    pub(crate) fn finish(&self, slot: OnceCell<Tape>, code: ExitCode, refused: Option<String>) -> ExitCode {
        let Some(tape) = slot.into_inner().map(Warned::into_inner) else {
            return code;
        };
        let file = self.path.display();
        let failed = ExitCode::from(crate::RUNTIME_ERROR);
        if let CassetteClient::Replaying(player) = &tape {
            let misses = player.misses();
            for miss in &misses {
                crate::err(&format!("atlas-api: cassette {file}: {miss}"));
            }
            if !misses.is_empty() {
                return failed;
            }
            crate::err(&format!("atlas-api: cassette {file}: {} exchanges replayed", player.answered()));
            let unused = player.unused();
            if unused.is_empty() {
                return code;
            }
            if self.allow_unused {
                crate::err(&format!(
                    "atlas-api: cassette {file}: {} recorded exchanges not used (allowed)",
                    unused.len()
                ));
                return code;
            }
            crate::err(&format!(
                "atlas-api: cassette {file}: {} recorded exchanges were not replayed (was it recorded with other \
                 arguments? --allow-unused permits it):\n  {}",
                unused.len(),
                unused.join("\n  ")
            ));
            return failed;
        }
        let n = match &tape {
            CassetteClient::Recording(recording, _) => recording.recorder().len(),
            CassetteClient::Replaying(_) => 0,
        };
        if n == 0 {
            crate::err(&format!("atlas-api: cassette {file}: nothing was exchanged; not written"));
            return code;
        }
        if let Some(why) = refused {
            crate::err(&format!(
                "atlas-api: cassette {file}: not written ({n} exchanges): {why}; the file is unchanged"
            ));
            return code;
        }
        match tape.finish() {
            Ok(()) => {
                crate::err(&format!("atlas-api: cassette {file}: {n} exchanges recorded"));
                code
            }
            Err(e) => {
                crate::err(&format!(
                    "atlas-api: cassette {file}: {e} ({n} exchanges not saved; the file is unchanged)"
                ));
                failed
            }
        }
    }
}

/// Why a recording that ended in `error` must not replace FILE, or `None` when the error is
/// an answer worth keeping (an Atlas error such as a 403 or 404, or a response that did not
/// decode: a replay gives the same error). Refused: Atlas did not answer (a transport
/// failure), or authentication failed.
pub(crate) fn refusal(error: &Error) -> Option<String> {
    let what = match error {
        Error::Transport(_) => "Atlas did not answer",
        _ if error.is_unauthorized() => "authentication failed",
        Error::Authentication(_) | Error::UnsupportedChallenge(_) => "authentication failed",
        _ => return None,
    };
    Some(format!("{what} ({})", Sanitized(&error.to_string())))
}

/// An [`Execute`] that remembers the first [`refusal`] among the errors of its calls (a run
/// that goes on after a failed call, as `migrate apply` does, is judged by all of them).
pub(crate) struct Watched<E> {
    inner: E,
    refused: RefCell<Option<String>>,
}

impl<E> Watched<E> {
    pub(crate) fn new(inner: E) -> Self {
        Watched { inner, refused: RefCell::new(None) }
    }

    /// Why a recording of the calls so far must not be saved, if it must not.
    pub(crate) fn refused(&self) -> Option<String> {
        self.refused.borrow().clone()
    }
}

impl<E: Execute> Execute for Watched<E> {
    fn execute<O>(&self, op: &O) -> Result<ApiResponse<O::Output>, Error>
    where
        O: Operation,
        O::Output: Send + 'static,
    {
        let result = self.inner.execute(op);
        if let Err(e) = &result {
            let mut refused = self.refused.borrow_mut();
            if refused.is_none() {
                *refused = refusal(e);
            }
        }
        result
    }
}

/// A recording client: the environment's credentials and base URL (as `Client::from_env`),
/// the real client's IO, and a recorder that knows the secrets to keep out of the file.
fn recording(debug: bool) -> Result<Recording<Sender>, String> {
    let settings = env::read(|var| match std::env::var(var) {
        Ok(value) => Ok(Some(value)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(EnvError::NotUnicode { var }),
    })
    .map_err(|e| format!("recording a cassette needs credentials: {e}"))?;
    let (auth, secrets) = (Auth::of(&settings.credentials), Secrets::of(&settings.credentials));
    let mut builder = ClientBuilder::new().credentials(settings.credentials.clone());
    if let Some(url) = &settings.base_url {
        builder = builder.base_url(url);
    }
    let client = builder.build().map_err(|e| e.to_string())?;
    let config = client.config().clone();
    let host = config.base_url().parse::<http::Uri>().ok().and_then(|u| u.authority().map(|a| a.to_string()));
    let secrets = match host {
        Some(host) => secrets.host(&host),
        None => secrets,
    };
    // The recording's own session signs the requests; its seed makes the Digest cnonces.
    let seed = std::collections::hash_map::RandomState::new().build_hasher().finish();
    let session = Session::new(config, settings.credentials, seed).map_err(|e| Error::from(e).to_string())?;
    let send: Sender = Box::new(move |out: Outgoing| {
        let (start, sent) = (out.start(), Instant::now());
        let result = client.send(out);
        if debug {
            crate::err(&format!("atlas-api: {}", start.finish(&result, sent.elapsed())));
        }
        result
    });
    Ok(Recording::new(session, Recorder::new(auth, secrets), send))
}
