//! Building clients: environment variables, refused settings, and `Debug` without secrets.

use super::{Builder, Transport};
use atlas_admin_core::env::{BASE_URL, CLIENT_ID, CLIENT_SECRET, EnvError, PRIVATE_API_KEY, PUBLIC_API_KEY};
use atlas_admin_core::transport::BuildError;
use atlas_admin_core::{Config, Credentials};
use std::time::Duration;

const PRIVATE: &str = "b7f3e1d2-very-private-key";
const SECRET: &str = "mdb_sa_sk_very-secret-client-secret";

fn from<T: Transport>(vars: &[(&str, &str)]) -> Result<Builder<T>, BuildError> {
    Builder::<T>::from_env_lookup(|name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v).to_owned()))
}

fn build<T: Transport>(builder: Builder<T>) -> Result<T::Client, BuildError> {
    builder.build()
}

fn invalid_field(err: &BuildError) -> Option<&str> {
    match err {
        BuildError::InvalidInput(e) => Some(e.field()),
        _ => None,
    }
}

/// A half-set API key pair names the variable that is missing.
pub fn from_env_with_only_a_public_key_names_the_missing_variable<T: Transport>() {
    let err = from::<T>(&[(PUBLIC_API_KEY, "abcdefgh")]).unwrap_err();
    assert!(
        matches!(err, BuildError::Env(EnvError::IncompletePair { set: PUBLIC_API_KEY, missing: PRIVATE_API_KEY })),
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
    assert!(matches!(err, BuildError::Env(EnvError::IncompletePair { set: CLIENT_SECRET, missing: CLIENT_ID })));
    assert!(!format!("{err} {err:?}").contains(SECRET));
    assert!(matches!(from::<T>(&[]).unwrap_err(), BuildError::Env(EnvError::NoCredentials)));
    let err = from::<T>(&[(BASE_URL, "http://127.0.0.1:1")]).unwrap_err();
    assert!(matches!(err, BuildError::Env(EnvError::NoCredentials)));
    let both =
        [(PUBLIC_API_KEY, "abcdefgh"), (PRIVATE_API_KEY, PRIVATE), (CLIENT_ID, "mdb_sa_id"), (CLIENT_SECRET, SECRET)];
    // Both pairs (what `fake-atlas` prints): the API key wins, as in the Atlas CLI.
    let client = build::<T>(from::<T>(&both).unwrap()).unwrap();
    assert!(matches!(T::facts(&client).session.credentials(), Credentials::ApiKey { .. }));
}

/// `MONGODB_ATLAS_BASE_URL` is used (without its trailing slash); unset, the default.
pub fn from_env_builds_with_base_url_and_default<T: Transport>() {
    let vars = [(CLIENT_ID, "mdb_sa_id"), (CLIENT_SECRET, SECRET), (BASE_URL, "http://127.0.0.1:8080/")];
    let client = build::<T>(from::<T>(&vars).unwrap()).unwrap();
    assert_eq!(T::facts(&client).config.base_url(), "http://127.0.0.1:8080");
    assert!(matches!(T::facts(&client).session.credentials(), Credentials::ServiceAccount { .. }));
    let client = build::<T>(from::<T>(&[(PUBLIC_API_KEY, "abcdefgh"), (PRIVATE_API_KEY, PRIVATE)]).unwrap()).unwrap();
    assert_eq!(T::facts(&client).config.base_url(), "https://cloud.mongodb.com");
}

/// Credentials over plain `http` to a host that is not loopback are refused, from the
/// environment and from a whole `Config`; without credentials there is nothing to protect.
pub fn credentials_over_plain_http_to_a_remote_host_are_refused<T: Transport>() {
    let vars = [(PUBLIC_API_KEY, "abcdefgh"), (PRIVATE_API_KEY, PRIVATE), (BASE_URL, "http://atlas.example.com")];
    let err = build::<T>(from::<T>(&vars).unwrap()).unwrap_err();
    assert_eq!(invalid_field(&err), Some("base_url"), "{err:?}");
    let config = Config::default().with_base_url("http://10.1.2.3").unwrap();
    let api_key = Credentials::api_key("abcdefgh", PRIVATE).unwrap();
    let err = build::<T>(Builder::<T>::new().config(config.clone()).credentials(api_key)).unwrap_err();
    assert_eq!(invalid_field(&err), Some("base_url"), "{err:?}");
    // Without credentials there is nothing to protect.
    assert!(build::<T>(Builder::<T>::new().config(config).credentials(Credentials::None)).is_ok());
}

/// Each refused setting surfaces at `build`, the first one winning, without echoing secrets.
pub fn invalid_settings_surface_at_build<T: Transport>() {
    let new = Builder::<T>::new;
    let err = build::<T>(new().base_url("ftp://x")).unwrap_err();
    assert_eq!(invalid_field(&err), Some("base_url"), "{err:?}");
    let err = build::<T>(new().user_agent("bad\nagent")).unwrap_err();
    assert_eq!(invalid_field(&err), Some("user_agent"), "{err:?}");
    // The first error wins.
    let err = build::<T>(new().api_key("", PRIVATE).base_url("ftp://x")).unwrap_err();
    assert_eq!(invalid_field(&err), Some("public_key"), "{err:?}");
    let err = build::<T>(new().api_key("abcdefgh", "has space")).unwrap_err();
    assert_eq!(invalid_field(&err), Some("private_key"), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("has space"));
    let err = build::<T>(new().ca_pem(b"not a pem".to_vec())).unwrap_err();
    assert!(matches!(err, BuildError::InvalidCa(_)), "{err:?}");
    let garbage = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    let err = build::<T>(new().ca_pem(garbage)).unwrap_err();
    assert!(matches!(err, BuildError::InvalidCa(_)), "{err:?}");
    let err = build::<T>(new().proxy("ftp://user:proxy-password@proxy:1")).unwrap_err();
    assert!(matches!(err, BuildError::InvalidProxy(_)), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("proxy-password"));
}

/// Neither a client's nor a builder's `Debug` shows a private key, client secret or proxy password.
pub fn debug_never_shows_a_secret<T: Transport>() {
    let new = Builder::<T>::new;
    let api = build::<T>(new().api_key("abcdefgh", PRIVATE).proxy("http://user:proxy-password@proxy:3128")).unwrap();
    let sa = build::<T>(new().service_account("mdb_sa_id", SECRET)).unwrap();
    for shown in [format!("{api:?}"), format!("{api:#?}"), format!("{sa:?}")] {
        assert!(!shown.contains(PRIVATE) && !shown.contains(SECRET) && !shown.contains("proxy-password"), "{shown}");
        assert!(shown.contains("https://cloud.mongodb.com"), "{shown}");
    }
    assert!(format!("{api:?}").contains("API key (Digest)"));
    assert!(format!("{api:?}").contains(r#"proxy: "configured""#));
    let builder = new().api_key("abcdefgh", PRIVATE).proxy("http://u:proxy-password@p:1");
    let shown = format!("{builder:?}");
    assert!(!shown.contains(PRIVATE) && !shown.contains("proxy-password"), "{shown}");
    let builder = new().service_account("mdb_sa_id", SECRET);
    assert!(!format!("{builder:?}").contains(SECRET));
}

/// The documented defaults; clones share one session; the client is `Send + Sync + Clone`.
pub fn defaults_and_clone_are_cheap<T: Transport>() {
    let client = build::<T>(Builder::<T>::new()).unwrap();
    let facts = T::facts(&client);
    assert_eq!(facts.connect_timeout, Duration::from_secs(10));
    assert_eq!(facts.timeout, Duration::from_secs(60));
    assert_eq!(facts.max_response_bytes, 4 * 1024 * 1024);
    let clone = client.clone();
    assert!(std::ptr::eq(facts.session, T::facts(&clone).session), "clones share one session");
    fn assert_send_sync<C: Send + Sync + Clone>() {}
    assert_send_sync::<T::Client>();
}
