//! Record modes: whether a test replays its cassette or records a new one.
//!
//! - `replay` (the default when `CI` is set, and whatever `ATLAS_CASSETTE_MODE` says there): the
//!   cassette must exist; nothing touches the network.
//! - `once` (the default elsewhere): replay if the cassette exists, else record it.
//! - `record`: always record (credentials come from the caller, never from the cassette).
//!
//! Recording replays nothing, so "new episodes" (replay what matches, record the rest) is not
//! offered: re-record the cassette instead.

use super::format::FormatError;
use super::player::Player;
use super::recorder::{Recording, SaveError};
use atlas_admin_core::driver::SendResult;
use atlas_admin_core::{ApiResponse, Error, Execute, Operation, Outgoing};
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
}

impl Mode {
    /// `replay`, `once` or `record`.
    pub fn parse(text: &str) -> Option<Mode> {
        match text {
            "replay" => Some(Mode::Replay),
            "once" => Some(Mode::Once),
            "record" => Some(Mode::Record),
            _ => None,
        }
    }

    /// The mode for this run: `ATLAS_CASSETTE_MODE` (`replay`, `once`, `record`), `once` by
    /// default; always `replay` when `CI` is set, so CI never records by accident.
    pub fn from_env() -> Mode {
        Mode::pick(std::env::var_os("CI").is_some(), std::env::var("ATLAS_CASSETTE_MODE").ok().as_deref())
    }

    /// [`Mode::from_env`] with its inputs given (an unknown name is `once`).
    pub fn pick(ci: bool, asked: Option<&str>) -> Mode {
        if ci { Mode::Replay } else { asked.and_then(Mode::parse).unwrap_or(Mode::Once) }
    }
}

/// A cassette opened in a [`Mode`]: a [`Player`] or a [`Recording`], both an [`Execute`].
pub enum CassetteClient<S> {
    /// Answers from the file.
    Replaying(Player),
    /// Records into `path` when [`finish`](CassetteClient::finish)ed.
    Recording(Recording<S>, PathBuf),
}

impl<S: FnMut(Outgoing) -> SendResult> CassetteClient<S> {
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
            Mode::Once | Mode::Record => Ok(CassetteClient::Recording(record(), path.to_owned())),
        }
    }

    /// Whether this run records.
    pub fn is_recording(&self) -> bool {
        matches!(self, CassetteClient::Recording(..))
    }

    /// Ends the run: saves what was recorded (refusing a secret), or checks every recorded
    /// interaction was used (panics otherwise, as [`Player::assert_done`]).
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
