//! Record modes: whether a test replays its cassette or records a new one.
//!
//! - `replay` (forced when `CI` is set, to anything but empty, `0` or `false`, whatever
//!   `ATLAS_CASSETTE_MODE` says): the cassette must exist; nothing touches the network.
//! - `once` (the default elsewhere): replay if the cassette exists, else record it.
//! - `record`: always record (credentials come from the caller, never from the cassette).
//! - `new-episodes`: replay what the cassette has, send and record the rest, and save the
//!   cassette with its old interactions and the new ones (see [`Recording::new_episodes`] for
//!   what a replayed nonce or token costs against a real server); records a missing cassette.
//!
//! A mode name [`Mode::from_env`] or [`Mode::pick`] does not know is a [`ModeError`], never a
//! default: a misspelt `replay` must not record against a live server.

use super::format::{Cassette, FormatError};
use super::player::Player;
use super::recorder::SaveError;
use super::recording::Recording;
use super::scrub::Secrets;
use atlas_admin_core::driver::SendResult;
use atlas_admin_core::{ApiResponse, Error, Execute, ExecuteAsync, Operation, Outgoing};
use std::future::Future;
use std::path::{Path, PathBuf};

/// Whether to replay or record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Replay only; a missing cassette is an error.
    Replay,
    /// Replay if the cassette exists, else record it.
    Once,
    /// Record, replacing the cassette.
    Record,
    /// Replay what matches, record the rest, and save old and new interactions together.
    NewEpisodes,
}

impl Mode {
    /// `replay`, `once`, `record` or `new-episodes`.
    pub fn parse(text: &str) -> Option<Mode> {
        match text {
            "replay" => Some(Mode::Replay),
            "once" => Some(Mode::Once),
            "record" => Some(Mode::Record),
            "new-episodes" => Some(Mode::NewEpisodes),
            _ => None,
        }
    }

    /// The name [`Mode::parse`] reads.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Replay => "replay",
            Mode::Once => "once",
            Mode::Record => "record",
            Mode::NewEpisodes => "new-episodes",
        }
    }

    /// The mode for this run: `ATLAS_CASSETTE_MODE` (`replay`, `once`, `record`,
    /// `new-episodes`; unset or empty: `once`), and always `replay` when `CI` is set (see
    /// [`Mode::ci_is_set`]), so CI never records by accident.
    ///
    /// A name it does not know is an error, in CI too: a misspelt `replay` must not quietly
    /// become `once` and record against a live server.
    pub fn from_env() -> Result<Mode, ModeError> {
        let asked = std::env::var_os("ATLAS_CASSETTE_MODE");
        let asked = asked.as_ref().map(|a| a.to_str().ok_or_else(|| ModeError::new(&a.to_string_lossy())));
        Mode::pick(Mode::in_ci(), asked.transpose()?)
    }

    /// Whether this process runs in CI: the `CI` variable read by [`Mode::ci_is_set`].
    pub fn in_ci() -> bool {
        let ci = std::env::var_os("CI");
        Mode::ci_is_set(ci.as_ref().map(|c| c.to_string_lossy()).as_deref())
    }

    /// Whether a `CI` variable's value means "in CI": set and not empty, `0` or `false` (any
    /// case), so `CI=false` on a developer's machine does not force replay.
    pub fn ci_is_set(value: Option<&str>) -> bool {
        value.is_some_and(|v| !(v.is_empty() || v == "0" || v.eq_ignore_ascii_case("false")))
    }

    /// [`Mode::from_env`] with its inputs given: `replay` when `ci`, else the mode `asked`
    /// names (`once` when `None` or empty); an unknown name is an error either way.
    pub fn pick(ci: bool, asked: Option<&str>) -> Result<Mode, ModeError> {
        let asked = match asked.filter(|a| !a.is_empty()) {
            None => Mode::Once,
            Some(name) => Mode::parse(name).ok_or_else(|| ModeError::new(name))?,
        };
        Ok(if ci { Mode::Replay } else { asked })
    }
}

/// A record mode name that is not one of `replay`, `once`, `record`, `new-episodes`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModeError {
    asked: String,
}

impl ModeError {
    /// The longest part of an unknown name shown (a mode name is a short word; an environment
    /// value may be anything).
    const SHOWN_CHARS: usize = 64;

    fn new(asked: &str) -> Self {
        ModeError { asked: asked.chars().take(Self::SHOWN_CHARS).collect() }
    }
}

impl std::fmt::Display for ModeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "unknown cassette record mode \"{}\" (ATLAS_CASSETTE_MODE or --record-mode): expected replay, once, record or new-episodes",
            atlas_admin_core::Sanitized(&self.asked)
        )
    }
}

impl std::error::Error for ModeError {}

/// A cassette opened in a [`Mode`]: a [`Player`] or a [`Recording`] (which, in new-episodes
/// mode, answers from the cassette first).
///
/// An [`Execute`] when the recording's send function is blocking, an [`ExecuteAsync`] when it
/// returns a future (the player is both).
// One per test, never in a collection: boxing a variant would only add an indirection.
#[allow(clippy::large_enum_variant)]
pub enum CassetteClient<S> {
    /// Answers from the file.
    Replaying(Player),
    /// Records into `path` when [`finish`](CassetteClient::finish)ed.
    Recording(Recording<S>, PathBuf),
}

impl<S> std::fmt::Debug for CassetteClient<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CassetteClient::Replaying(player) => f.debug_tuple("Replaying").field(player).finish(),
            CassetteClient::Recording(recording, path) => {
                f.debug_tuple("Recording").field(recording).field(path).finish()
            }
        }
    }
}

impl<S> CassetteClient<S> {
    /// Opens `path` in `mode`; `record` makes the recording client (with explicit credentials)
    /// only when the mode records.
    pub fn open(
        path: impl AsRef<Path>,
        mode: Mode,
        record: impl FnOnce() -> Recording<S>,
    ) -> Result<Self, FormatError> {
        let path = path.as_ref();
        match mode {
            Mode::Replay => Player::load(path).map(CassetteClient::Replaying),
            Mode::Once if path.exists() => Player::load(path).map(CassetteClient::Replaying),
            Mode::NewEpisodes if path.exists() => {
                let recording = record().new_episodes(Cassette::load(path)?)?;
                Ok(CassetteClient::Recording(recording, path.to_owned()))
            }
            Mode::Once | Mode::Record | Mode::NewEpisodes => Ok(CassetteClient::Recording(record(), path.to_owned())),
        }
    }

    /// When replaying, interactions left unused do not fail [`finish`](CassetteClient::finish)
    /// (see [`Player::allow_unused`]); recording is unaffected.
    pub fn allow_unused(self) -> Self {
        match self {
            CassetteClient::Replaying(player) => CassetteClient::Replaying(player.allow_unused()),
            recording => recording,
        }
    }

    /// When replaying, the by-value replacements the cassette was recorded with (the closure
    /// given to [`Recorder::scrub`](super::Recorder::scrub); see [`Player::scrub`]), so the code
    /// under test keeps its real ids; recording is unaffected (its recorder scrubs).
    pub fn scrub(self, with: impl FnOnce(Secrets) -> Secrets) -> Self {
        match self {
            CassetteClient::Replaying(player) => CassetteClient::Replaying(player.scrub(with)),
            recording => recording,
        }
    }

    /// Revokes the session's OAuth token, replayed or recorded (see [`Player::revoke_token`],
    /// [`Recording::revoke_token`]).
    pub fn revoke_token(&self) -> Result<bool, Error>
    where
        S: FnMut(Outgoing) -> SendResult,
    {
        match self {
            CassetteClient::Replaying(player) => player.revoke_token(),
            CassetteClient::Recording(recording, _) => recording.revoke_token(),
        }
    }

    /// Whether this run records.
    pub fn is_recording(&self) -> bool {
        matches!(self, CassetteClient::Recording(..))
    }

    /// Ends the run: saves what was recorded (refusing a secret), or checks every recorded
    /// interaction was used (panics otherwise, as [`Player::assert_done`]; see
    /// [`CassetteClient::allow_unused`]).
    pub fn finish(self) -> Result<(), SaveError> {
        match self {
            CassetteClient::Replaying(player) => {
                player.assert_done();
                Ok(())
            }
            CassetteClient::Recording(recording, path) => recording.recorder().save(path).map(drop),
        }
    }
}

impl<S: FnMut(Outgoing) -> SendResult> Execute for CassetteClient<S> {
    fn execute<O>(&self, op: &O) -> Result<ApiResponse<O::Output>, Error>
    where
        O: Operation,
        O::Output: Send + 'static,
    {
        match self {
            CassetteClient::Replaying(player) => Execute::execute(player, op),
            CassetteClient::Recording(recording, _) => recording.execute(op),
        }
    }
}

impl<S, F> ExecuteAsync for CassetteClient<S>
where
    S: FnMut(Outgoing) -> F + Send,
    F: Future<Output = SendResult> + Send,
{
    async fn execute<O>(&self, op: &O) -> Result<ApiResponse<O::Output>, Error>
    where
        O: Operation + Sync,
        O::Output: Send + 'static,
    {
        match self {
            CassetteClient::Replaying(player) => ExecuteAsync::execute(player, op).await,
            CassetteClient::Recording(recording, _) => ExecuteAsync::execute(recording, op).await,
        }
    }
}
