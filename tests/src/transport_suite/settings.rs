//! Building clients: environment variables, refused settings, and `Debug` without secrets.

use super::{BuildErrorKind, Setting, Transport, configure, try_build};
use atlas_admin_core::env::{BASE_URL, CLIENT_ID, CLIENT_SECRET, EnvError, PRIVATE_API_KEY, PUBLIC_API_KEY};
use atlas_admin_core::{Config, Credentials};
use std::time::Duration;

const PRIVATE: &str = "b7f3e1d2-very-private-key";
const SECRET: &str = "mdb_sa_sk_very-secret-client-secret";

fn from<T: Transport>(vars: &[(&str, &str)]) -> Result<T::Builder, T::BuildError> {
    T::from_env_lookup(&mut |name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v).to_owned()))
}

fn api_key(public_key: &str, private_key: &str) -> Setting {
    Setting::ApiKey(public_key.to_owned(), private_key.to_owned())
}

/// A half-set API key pair names the variable that is missing.
pub fn from_env_with_only_a_public_key_names_the_missing_variable<T: Transport>() {
    let err = from::<T>(&[(PUBLIC_API_KEY, "abcdefgh")]).unwrap_err();
    assert!(
        matches!(
            T::build_error_kind(&err),
            BuildErrorKind::Env(EnvError::IncompletePair { set: PUBLIC_API_KEY, missing: PRIVATE_API_KEY })
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "MONGODB_ATLAS_PRIVATE_API_KEY is not set but MONGODB_ATLAS_PUBLIC_API_KEY is: set both or neither"
    );
}

/// The other half-set pair, no credentials at all, and both pairs (the API key wins).
pub fn from_env_other_half_set_pairs_and_conflicts<T: Transport>() {
    let err = from::<T>(&[(CLIENT_SECRET, SECRET)]).unwrap_err();
    assert!(matches!(
        T::build_error_kind(&err),
        BuildErrorKind::Env(EnvError::IncompletePair { set: CLIENT_SECRET, missing: CLIENT_ID })
    ));
    assert!(!format!("{err} {err:?}").contains(SECRET));
    assert!(matches!(T::build_error_kind(&from::<T>(&[]).unwrap_err()), BuildErrorKind::Env(EnvError::NoCredentials)));
    let err = from::<T>(&[(BASE_URL, "http://127.0.0.1:1")]).unwrap_err();
    assert!(matches!(T::build_error_kind(&err), BuildErrorKind::Env(EnvError::NoCredentials)));
    let both =
        [(PUBLIC_API_KEY, "abcdefgh"), (PRIVATE_API_KEY, PRIVATE), (CLIENT_ID, "mdb_sa_id"), (CLIENT_SECRET, SECRET)];
    // Both pairs (what `fake-atlas` prints): the API key wins, as in the Atlas CLI.
    let client = T::build(from::<T>(&both).unwrap()).unwrap();
    assert!(matches!(T::facts(&client).session.credentials(), Credentials::ApiKey { .. }));
}

/// `MONGODB_ATLAS_BASE_URL` is used (without its trailing slash); unset, the default.
pub fn from_env_builds_with_base_url_and_default<T: Transport>() {
    let vars = [(CLIENT_ID, "mdb_sa_id"), (CLIENT_SECRET, SECRET), (BASE_URL, "http://127.0.0.1:8080/")];
    let client = T::build(from::<T>(&vars).unwrap()).unwrap();
    assert_eq!(T::facts(&client).config.base_url(), "http://127.0.0.1:8080");
    assert!(matches!(T::facts(&client).session.credentials(), Credentials::ServiceAccount { .. }));
    let client = T::build(from::<T>(&[(PUBLIC_API_KEY, "abcdefgh"), (PRIVATE_API_KEY, PRIVATE)]).unwrap()).unwrap();
    assert_eq!(T::facts(&client).config.base_url(), "https://cloud.mongodb.com");
}

/// Credentials over plain `http` to a host that is not loopback are refused, from the
/// environment and from `Client::new`; without credentials there is nothing to protect.
pub fn credentials_over_plain_http_to_a_remote_host_are_refused<T: Transport>() {
    let vars = [(PUBLIC_API_KEY, "abcdefgh"), (PRIVATE_API_KEY, PRIVATE), (BASE_URL, "http://atlas.example.com")];
    let err = T::build(from::<T>(&vars).unwrap()).unwrap_err();
    assert!(matches!(T::build_error_kind(&err), BuildErrorKind::InvalidInput(e) if e.field() == "base_url"), "{err:?}");
    let config = Config::default().with_base_url("http://10.1.2.3").unwrap();
    let err = T::new(config, Credentials::api_key("abcdefgh", PRIVATE).unwrap()).unwrap_err();
    assert!(matches!(T::build_error_kind(&err), BuildErrorKind::InvalidInput(e) if e.field() == "base_url"), "{err:?}");
    // Without credentials there is nothing to protect.
    let config = Config::default().with_base_url("http://10.1.2.3").unwrap();
    assert!(T::new(config, Credentials::None).is_ok());
}

/// Each refused setting surfaces at `build`, the first one winning, without echoing secrets.
pub fn invalid_settings_surface_at_build<T: Transport>() {
    let err = try_build::<T>([Setting::BaseUrl("ftp://x".to_owned())]).unwrap_err();
    assert!(matches!(T::build_error_kind(&err), BuildErrorKind::InvalidInput(e) if e.field() == "base_url"));
    let err = try_build::<T>([Setting::UserAgent("bad\nagent".to_owned())]).unwrap_err();
    assert!(matches!(T::build_error_kind(&err), BuildErrorKind::InvalidInput(e) if e.field() == "user_agent"));
    // The first error wins.
    let err = try_build::<T>([api_key("", PRIVATE), Setting::BaseUrl("ftp://x".to_owned())]).unwrap_err();
    assert!(matches!(T::build_error_kind(&err), BuildErrorKind::InvalidInput(e) if e.field() == "public_key"));
    let err = try_build::<T>([api_key("abcdefgh", "has space")]).unwrap_err();
    assert!(matches!(T::build_error_kind(&err), BuildErrorKind::InvalidInput(e) if e.field() == "private_key"));
    assert!(!format!("{err} {err:?}").contains("has space"));
    let err = try_build::<T>([Setting::CaPem(b"not a pem".to_vec())]).unwrap_err();
    assert!(matches!(T::build_error_kind(&err), BuildErrorKind::InvalidCa), "{err:?}");
    let garbage = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    let err = try_build::<T>([Setting::CaPem(garbage.into())]).unwrap_err();
    assert!(matches!(T::build_error_kind(&err), BuildErrorKind::InvalidCa), "{err:?}");
    let err = try_build::<T>([Setting::Proxy("ftp://user:proxy-password@proxy:1".to_owned())]).unwrap_err();
    assert!(matches!(T::build_error_kind(&err), BuildErrorKind::InvalidProxy), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("proxy-password"));
}

/// Neither a client's nor a builder's `Debug` shows a private key, client secret or proxy password.
pub fn debug_never_shows_a_secret<T: Transport>() {
    let proxy = Setting::Proxy("http://user:proxy-password@proxy:3128".to_owned());
    let api = try_build::<T>([api_key("abcdefgh", PRIVATE), proxy]).unwrap();
    let sa = try_build::<T>([Setting::ServiceAccount("mdb_sa_id".to_owned(), SECRET.to_owned())]).unwrap();
    for shown in [format!("{api:?}"), format!("{api:#?}"), format!("{sa:?}")] {
        assert!(!shown.contains(PRIVATE) && !shown.contains(SECRET) && !shown.contains("proxy-password"), "{shown}");
        assert!(shown.contains("https://cloud.mongodb.com"), "{shown}");
    }
    assert!(format!("{api:?}").contains("API key (Digest)"));
    assert!(format!("{api:?}").contains(r#"proxy: "configured""#));
    let builder =
        configure::<T>([api_key("abcdefgh", PRIVATE), Setting::Proxy("http://u:proxy-password@p:1".to_owned())]);
    let shown = format!("{builder:?}");
    assert!(!shown.contains(PRIVATE) && !shown.contains("proxy-password"), "{shown}");
    let builder = configure::<T>([Setting::ServiceAccount("mdb_sa_id".to_owned(), SECRET.to_owned())]);
    assert!(!format!("{builder:?}").contains(SECRET));
}

/// The documented defaults; clones share one session; the client is `Send + Sync + Clone`.
pub fn defaults_and_clone_are_cheap<T: Transport>() {
    let client = try_build::<T>([]).unwrap();
    let facts = T::facts(&client);
    assert_eq!(facts.connect_timeout, Duration::from_secs(10));
    assert_eq!(facts.timeout, Duration::from_secs(60));
    assert_eq!(facts.max_response_bytes, 4 * 1024 * 1024);
    let clone = client.clone();
    assert!(std::ptr::eq(facts.session, T::facts(&clone).session), "clones share one session");
    fn assert_send_sync<C: Send + Sync + Clone>() {}
    assert_send_sync::<T::Client>();
}
