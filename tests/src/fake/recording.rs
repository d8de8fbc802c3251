//! Recording a cassette against the fake: the fake's own credentials of a kind, and a
//! [`Recording`] that signs with them, moves requests over [`loopback_send`], scrubs the
//! fake's keys and host, and lets waits pass on a virtual clock (the fake's faults are
//! counted, not timed).

use super::FakeAtlas;
use crate::cassette::{Auth, Recorder, Recording, loopback_send};
use atlas_admin_core::driver::SendResult;
use atlas_admin_core::{Config, Credentials, InvalidInput, Outgoing, Session};

/// The send function of a [`FakeAtlas::recording`].
pub type LoopbackSend = fn(Outgoing) -> SendResult;

impl FakeAtlas {
    /// The fake's own credentials of kind `auth` (its API key, its service account, or none).
    pub fn credentials(&self, auth: Auth) -> Result<Credentials, InvalidInput> {
        let c = self.config();
        match auth {
            Auth::ApiKey => Credentials::api_key(c.public_key.as_str(), c.private_key.as_str()),
            Auth::ServiceAccount => Credentials::service_account(c.client_id.as_str(), c.client_secret.as_str()),
            Auth::None => Ok(Credentials::None),
        }
    }

    /// A client recording what it exchanges with this fake, authenticating as `auth` under
    /// `config` (its base URL is replaced by the fake's); save with `recording.recorder().save(path)`.
    ///
    /// ```
    /// use atlas_admin_core::{Config, Execute, ops::ListGroupInvites};
    /// use atlas_admin_testing::cassette::{Auth, Player};
    /// use atlas_admin_testing::fake::FakeAtlas;
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let fake = FakeAtlas::start();
    /// let recording = fake.recording(Auth::ApiKey, Config::default())?;
    /// recording.execute(&ListGroupInvites::new(&fake.config().group_id)?)?;
    /// let cassette = recording.recorder().cassette()?; // scrubbed; `save(path)` writes it
    /// assert_eq!(cassette.interactions.len(), 2); // the Digest challenge, then the call
    /// drop(fake);
    /// let player = Player::new(cassette)?;
    /// assert!(player.execute(&ListGroupInvites::new("32b6e34b3d91647abb20e7b8")?)?.value.is_empty());
    /// player.assert_done();
    /// # Ok(())
    /// # }
    /// ```
    pub fn recording(&self, auth: Auth, config: Config) -> Result<Recording<LoopbackSend>, InvalidInput> {
        let (session, recorder) = self.recording_parts(auth, config)?;
        Ok(Recording::new(session, recorder, loopback_send as LoopbackSend).virtual_time())
    }

    /// What [`FakeAtlas::recording`] is made of, for a recording with a send function of your
    /// own (a real client's IO, an async one, a faulty one): a session signing with the fake's
    /// credentials of kind `auth` under `config` (its base URL replaced by the fake's), and a
    /// recorder that knows them and scrubs the fake's host.
    pub fn recording_parts(&self, auth: Auth, config: Config) -> Result<(Session, Recorder), InvalidInput> {
        let credentials = self.credentials(auth)?;
        let recorder = Recorder::for_credentials(&credentials).scrub(|s| s.host(&self.addr().to_string()));
        Ok((Session::new(config.with_base_url(&self.base_url())?, credentials, 7)?, recorder))
    }
}
