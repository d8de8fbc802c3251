//! Building clients: environment variables, refused settings, and `Debug` without secrets.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use atlas_admin_hyper::env::{BASE_URL, CLIENT_ID, CLIENT_SECRET, EnvError, PRIVATE_API_KEY, PUBLIC_API_KEY};
use atlas_admin_hyper::{BuildError, Client, ClientBuilder, Config, Credentials};
use std::time::Duration;

const PRIVATE: &str = "b7f3e1d2-very-private-key";
const SECRET: &str = "mdb_sa_sk_very-secret-client-secret";

fn from(vars: &[(&str, &str)]) -> Result<ClientBuilder, BuildError> {
    ClientBuilder::from_env_lookup(|name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v).to_owned()))
}

#[test]
fn from_env_with_only_a_public_key_names_the_missing_variable() {
    let err = from(&[(PUBLIC_API_KEY, "abcdefgh")]).unwrap_err();
    assert!(
        matches!(err, BuildError::Env(EnvError::IncompletePair { set: PUBLIC_API_KEY, missing: PRIVATE_API_KEY })),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "MONGODB_ATLAS_PRIVATE_API_KEY is not set but MONGODB_ATLAS_PUBLIC_API_KEY is: set both or neither"
    );
}

#[test]
fn from_env_other_half_set_pairs_and_conflicts() {
    let err = from(&[(CLIENT_SECRET, SECRET)]).unwrap_err();
    assert!(matches!(err, BuildError::Env(EnvError::IncompletePair { set: CLIENT_SECRET, missing: CLIENT_ID })));
    assert!(!format!("{err} {err:?}").contains(SECRET));
    assert!(matches!(from(&[]).unwrap_err(), BuildError::Env(EnvError::NoCredentials)));
    assert!(matches!(from(&[(BASE_URL, "http://127.0.0.1:1")]).unwrap_err(), BuildError::Env(EnvError::NoCredentials)));
    let both =
        [(PUBLIC_API_KEY, "abcdefgh"), (PRIVATE_API_KEY, PRIVATE), (CLIENT_ID, "mdb_sa_id"), (CLIENT_SECRET, SECRET)];
    // Both pairs (what `fake-atlas` prints): the API key wins, as in the Atlas CLI.
    let client = from(&both).unwrap().build().unwrap();
    assert!(matches!(client.session().credentials(), Credentials::ApiKey { .. }));
}

#[test]
fn from_env_builds_with_base_url_and_default() {
    let client = from(&[(CLIENT_ID, "mdb_sa_id"), (CLIENT_SECRET, SECRET), (BASE_URL, "http://127.0.0.1:8080/")])
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(client.config().base_url(), "http://127.0.0.1:8080");
    assert!(matches!(client.session().credentials(), Credentials::ServiceAccount { .. }));
    let client = from(&[(PUBLIC_API_KEY, "abcdefgh"), (PRIVATE_API_KEY, PRIVATE)]).unwrap().build().unwrap();
    assert_eq!(client.config().base_url(), "https://cloud.mongodb.com");
}

#[test]
fn credentials_over_plain_http_to_a_remote_host_are_refused() {
    let err = from(&[(PUBLIC_API_KEY, "abcdefgh"), (PRIVATE_API_KEY, PRIVATE), (BASE_URL, "http://atlas.example.com")])
        .unwrap()
        .build()
        .unwrap_err();
    assert!(matches!(&err, BuildError::InvalidInput(e) if e.field() == "base_url"), "{err:?}");
    let config = Config::default().with_base_url("http://10.1.2.3").unwrap();
    let err = Client::new(config, Credentials::api_key("abcdefgh", PRIVATE).unwrap()).unwrap_err();
    assert!(matches!(&err, BuildError::InvalidInput(e) if e.field() == "base_url"), "{err:?}");
    // Without credentials there is nothing to protect.
    let config = Config::default().with_base_url("http://10.1.2.3").unwrap();
    assert!(Client::new(config, Credentials::None).is_ok());
}

#[test]
fn invalid_settings_surface_at_build() {
    let err = Client::builder().base_url("ftp://x").build().unwrap_err();
    assert!(matches!(&err, BuildError::InvalidInput(e) if e.field() == "base_url"));
    let err = Client::builder().user_agent("bad\nagent").build().unwrap_err();
    assert!(matches!(&err, BuildError::InvalidInput(e) if e.field() == "user_agent"));
    // The first error wins.
    let err = Client::builder().api_key("", PRIVATE).base_url("ftp://x").build().unwrap_err();
    assert!(matches!(&err, BuildError::InvalidInput(e) if e.field() == "public_key"));
    let err = Client::builder().api_key("abcdefgh", "has space").build().unwrap_err();
    assert!(matches!(&err, BuildError::InvalidInput(e) if e.field() == "private_key"));
    assert!(!format!("{err} {err:?}").contains("has space"));
    let err = Client::builder().ca_pem("not a pem").build().unwrap_err();
    assert!(matches!(err, BuildError::InvalidCa(_)), "{err:?}");
    let garbage = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    let err = Client::builder().ca_pem(garbage).build().unwrap_err();
    assert!(matches!(err, BuildError::InvalidCa(_)), "{err:?}");
    for proxy in ["ftp://user:proxy-password@proxy:1", "https://user:proxy-password@proxy:1", "proxy-password"] {
        let err = Client::builder().proxy(proxy).build().unwrap_err();
        assert!(matches!(err, BuildError::InvalidProxy(_)), "{err:?}");
        assert!(!format!("{err} {err:?}").contains("proxy-password"));
    }
}

#[test]
fn debug_never_shows_a_secret() {
    let api = Client::builder().api_key("abcdefgh", PRIVATE).proxy("http://user:proxy-password@proxy:3128").build();
    let sa = Client::builder().service_account("mdb_sa_id", SECRET).build().unwrap();
    let api = api.unwrap();
    for shown in [format!("{api:?}"), format!("{api:#?}"), format!("{sa:?}")] {
        assert!(!shown.contains(PRIVATE) && !shown.contains(SECRET) && !shown.contains("proxy-password"), "{shown}");
        assert!(shown.contains("https://cloud.mongodb.com"), "{shown}");
    }
    assert!(format!("{api:?}").contains("API key (Digest)"));
    assert!(format!("{api:?}").contains(r#"proxy: "configured""#));
    let builder = Client::builder().api_key("abcdefgh", PRIVATE).proxy("http://u:proxy-password@p:1");
    let shown = format!("{builder:?}");
    assert!(!shown.contains(PRIVATE) && !shown.contains("proxy-password"), "{shown}");
    let builder = Client::builder().service_account("mdb_sa_id", SECRET);
    assert!(!format!("{builder:?}").contains(SECRET));
}

#[test]
fn defaults_and_clone_are_cheap() {
    let client = Client::builder().build().unwrap();
    assert_eq!(client.connect_timeout(), Duration::from_secs(10));
    assert_eq!(client.timeout(), Duration::from_secs(60));
    assert_eq!(client.max_response_bytes(), 4 * 1024 * 1024);
    let clone = client.clone();
    assert!(std::ptr::eq(client.session(), clone.session()), "clones share one session");
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<Client>();
}

#[test]
fn call_futures_are_send_and_clients_build_outside_a_runtime() {
    use atlas_admin_hyper::ops::{CreateGroupInvite, ListOrgInvites};
    fn assert_send<T: Send>(_: &T) {}
    // No runtime here: building needs none, and an unpolled future does no IO.
    let client = Client::builder().api_key("abcdefgh", PRIVATE).build().unwrap();
    let list = ListOrgInvites::new("4888442a3354817a7320eb61").unwrap();
    assert_send(&client.list_org_invites(&list));
    assert_send(&client.execute(&list));
    let body =
        atlas_admin_hyper::GroupInvitationRequest::new("a@example.com", [atlas_admin_hyper::ProjectRole::GroupOwner]);
    let create = CreateGroupInvite::new("32b6e34b3d91647abb20e7b8", body.unwrap()).unwrap();
    assert_send(&client.create_group_invite(&create));
    assert_send(&client.revoke_token());
}

#[test]
fn pool_settings_show_in_debug() {
    let client = Client::builder().pool_idle_timeout(Duration::from_secs(5)).pool_max_idle_per_host(2).build().unwrap();
    let shown = format!("{client:?}");
    assert!(shown.contains("pool_idle_timeout: 5s"), "{shown}");
}
