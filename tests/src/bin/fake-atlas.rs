//! `fake-atlas`: run the loopback fake Atlas from a shell.
//!
//! ```text
//! cargo run -p atlas-admin-testing --bin fake-atlas -- --port 8080
//! ```
//!
//! prints `NAME=value` lines ready to `export` (base URL, API key, service account, demo
//! project, org and team), then serves until killed.

use atlas_admin_core::OrgMembershipStatus;
use atlas_admin_testing::bounded::MAX_FLAG_BYTES;
use atlas_admin_testing::fake::{FakeAtlas, FakeConfig};
use atlas_admin_testing::stdio;
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "\
usage: fake-atlas [options]

Serves a fake MongoDB Atlas Administration API v2 on 127.0.0.1 and prints the environment
variables a client needs, then runs until killed (Ctrl-C).

What it serves: the invitation and Cloud Users endpoints with hand-written behaviours, and,
when built with the feature `fake-full` (the default), every other operation of the API (540
in all) with a generic behaviour driven by the spec's catalog:
  - resources from the path's structure: POST on a collection (or PUT on an item) creates an
    item keyed by a fresh id of the spec's shape or by the name the body gives (clusterName,
    databaseName/username, roleName, an access list entry's cidrBlock or ipAddress); GET
    reads it, PATCH merges, DELETE removes (then 404); a POST of an array creates or updates
    each item; lists answer Atlas's pages (itemsPerPage, pageNum, includeCount, links);
  - parents must exist (a cluster of an unknown project is 404; a project with clusters
    cannot be deleted: 409); a taken name is 409; a body without the key's name is 400;
  - clusters and anything with a stateName go CREATING, then IDLE, and DELETING, then gone,
    once --settle-secs have passed on the fake's clock;
  - custom methods (:verb), downloads and other actions answer their documented status;
  - versions are checked (406; 410 VERSION_GONE past a sunset, Sunset and Deprecation
    before); Digest or OAuth authentication, none for the operation the spec leaves open.
Seed with --seed-resource and --seed-users; read the state back through the API itself
(GET on a collection); count calls per operation with GET /__fake/counters. The assumptions
about Atlas it makes are listed in the crate's docs (module fake).

options:
  --port N                  TCP port on 127.0.0.1 (default 0: any free port)
  --public-key S            API key public key (Digest username)
  --private-key S           API key private key (Digest password)
  --client-id S             service account client id
  --client-secret S         service account client secret
  --nonce-lifetime-secs N   Digest nonce lifetime (default 300)
  --token-expires-in N      bearer token lifetime in seconds (default 3600)
  --token-rate-limit N      token requests per rolling minute (default 10; 0 = unlimited)
  --group-id HEX24          demo project id
  --group-name S            demo project name
  --org-id HEX24            demo organization id
  --org-name S              demo organization name
  --team-id HEX24           demo team id
  --latency-ms N            added before every answer, like a distant server (default 0)
  --seed-users N            start with N users user0@example.com... in the org and the
                            demo project (for pagination), ACTIVE unless --seed-statuses
  --seed-statuses LIST      the seeded users' statuses, comma-separated, taken in turn:
                            PENDING,ACTIVE,INVITATION_EXPIRED seeds user0 PENDING, user1
                            ACTIVE, user2 INVITATION_EXPIRED, user3 PENDING... (statuses:
                            PENDING, ACTIVE, INVITATION_EXPIRED, INVITATION_REJECTED)
  --seed-resource PATH=JSON start with a resource in the collection at PATH, keyed as a POST
                            would key it, e.g. --seed-resource
                            '/api/atlas/v2/groups/GROUP/clusters={\"name\":\"c0\"}' (repeatable;
                            the literal GROUP, ORG and TEAM stand for the demo ids)
  --settle-secs N           how long clusters stay CREATING/UPDATING/DELETING (default 60)
  -h, --help                this help

A flag's value is at most 4096 bytes (longer: exit status 2).
";

/// What the command line asks for.
#[derive(Debug)]
struct Options {
    config: FakeConfig,
    seed_users: usize,
    seed_statuses: Vec<OrgMembershipStatus>,
    /// `--seed-resource`: (collection path, JSON body).
    resources: Vec<(String, serde_json::Value)>,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Option<Options>, String> {
    let mut config = FakeConfig::default();
    let mut seed_users = 0;
    let mut seed_statuses = None;
    let mut resources = Vec::new();
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        if flag == "-h" || flag == "--help" {
            return Ok(None);
        }
        // Both `--flag value` and `--flag=value`.
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
            _ => (flag.clone(), None),
        };
        let mut value = || match inline.clone().or_else(|| args.next()) {
            Some(v) if v.len() > MAX_FLAG_BYTES => {
                Err(format!("{name}: longer than the cap of {MAX_FLAG_BYTES} bytes"))
            }
            Some(v) => Ok(v),
            None => Err(format!("{name} needs a value")),
        };
        let number = |v: String| v.parse::<u64>().map_err(|_| format!("{name}: {v:?} is not a number"));
        match name.as_str() {
            "--port" => {
                let v = value()?;
                config.port = v.parse().map_err(|_| format!("--port: {v:?} is not a port number"))?;
            }
            "--public-key" => config.public_key = value()?,
            "--private-key" => config.private_key = value()?,
            "--client-id" => config.client_id = value()?,
            "--client-secret" => config.client_secret = value()?,
            "--nonce-lifetime-secs" => config.nonce_lifetime = Duration::from_secs(number(value()?)?),
            "--token-expires-in" => config.token_expires_in = number(value()?)?,
            "--token-rate-limit" => {
                let v = value()?;
                config.token_rate_limit_per_minute =
                    v.parse().map_err(|_| format!("--token-rate-limit: {v:?} is not a number"))?;
            }
            "--group-id" => config.group_id = value()?,
            "--group-name" => config.group_name = value()?,
            "--org-id" => config.org_id = value()?,
            "--org-name" => config.org_name = value()?,
            "--team-id" => config.team_id = value()?,
            "--latency-ms" => config.latency = Duration::from_millis(number(value()?)?),
            "--seed-users" => {
                let v = value()?;
                seed_users = v.parse().map_err(|_| format!("--seed-users: {v:?} is not a number"))?;
            }
            "--seed-statuses" => seed_statuses = Some(statuses(&value()?)?),
            "--seed-resource" => {
                let v = value()?;
                let (path, json) =
                    v.split_once('=').ok_or_else(|| format!("--seed-resource: {v:?} is not PATH=JSON"))?;
                let body = serde_json::from_str(json).map_err(|e| format!("--seed-resource: not JSON: {e}"))?;
                resources.push((path.to_owned(), body));
            }
            "--settle-secs" => config.settle_time = Duration::from_secs(number(value()?)?),
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    for (what, id) in [("--group-id", &config.group_id), ("--org-id", &config.org_id), ("--team-id", &config.team_id)] {
        if id.len() != 24 || !id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(format!("{what}: {id:?} is not 24 lowercase hex characters"));
        }
    }
    if seed_statuses.is_some() && seed_users == 0 {
        return Err("--seed-statuses needs --seed-users N".to_owned());
    }
    let seed_statuses = seed_statuses.unwrap_or_else(|| vec![OrgMembershipStatus::Active]);
    Ok(Some(Options { config, seed_users, seed_statuses, resources }))
}

/// The statuses of `--seed-statuses`: comma-separated, each one of the four known ones.
fn statuses(list: &str) -> Result<Vec<OrgMembershipStatus>, String> {
    list.split(',')
        .map(|s| OrgMembershipStatus::checked(s.trim()).map_err(|e| format!("--seed-statuses: {e}")))
        .collect()
}

/// Quotes a value for a POSIX shell when it needs it.
fn shell_quote(v: &str) -> String {
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-./:@%+=,".contains(&b)) {
        v.to_owned()
    } else {
        format!("'{}'", v.replace('\'', r"'\''"))
    }
}

fn main() -> ExitCode {
    let Options { config, seed_users, seed_statuses, resources } = match parse_args(std::env::args().skip(1)) {
        Ok(Some(o)) => o,
        Ok(None) => {
            stdio::out(USAGE);
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            stdio::err(&format!("fake-atlas: {e}\n\n{USAGE}"));
            return ExitCode::from(2);
        }
    };
    let fake = match FakeAtlas::start_with(config) {
        Ok(f) => f,
        Err(e) => {
            stdio::err(&format!("fake-atlas: cannot listen: {e}"));
            return ExitCode::FAILURE;
        }
    };
    fake.seed_users_with_statuses(seed_users, &seed_statuses, true).unwrap();
    let c = fake.config();
    for (path, body) in resources {
        let path = path.replace("GROUP", &c.group_id).replace("ORG", &c.org_id).replace("TEAM", &c.team_id);
        if let Err(e) = fake.seed_resource(&path, body) {
            stdio::err(&format!("fake-atlas: --seed-resource {path}: {e}"));
            return ExitCode::from(2);
        }
    }
    let lines = [
        ("MONGODB_ATLAS_BASE_URL", fake.base_url()),
        ("MONGODB_ATLAS_PUBLIC_API_KEY", c.public_key.clone()),
        ("MONGODB_ATLAS_PRIVATE_API_KEY", c.private_key.clone()),
        ("MONGODB_ATLAS_CLIENT_ID", c.client_id.clone()),
        ("MONGODB_ATLAS_CLIENT_SECRET", c.client_secret.clone()),
        ("MONGODB_ATLAS_GROUP_ID", c.group_id.clone()),
        ("MONGODB_ATLAS_ORG_ID", c.org_id.clone()),
        ("MONGODB_ATLAS_TEAM_ID", c.team_id.clone()),
    ];
    let exports: String = lines.iter().map(|(name, value)| format!("{name}={}\n", shell_quote(value))).collect();
    // A closed stdout or stderr drops the text; the fake serves on.
    stdio::out(&exports);
    stdio::err(&format!("fake-atlas: serving on {} (Ctrl-C to stop)", fake.base_url()));
    loop {
        std::thread::park();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &[&str]) -> Result<Option<FakeConfig>, String> {
        parse_args(s.iter().map(|a| (*a).to_owned())).map(|o| o.map(|o| o.config))
    }

    fn seeded(s: &[&str]) -> Result<Option<usize>, String> {
        parse_args(s.iter().map(|a| (*a).to_owned())).map(|o| o.map(|o| o.seed_users))
    }

    #[test]
    fn flags() {
        let c = args(&["--port", "8080", "--public-key=abc", "--token-rate-limit", "3", "--nonce-lifetime-secs", "5"])
            .unwrap()
            .unwrap();
        assert_eq!((c.port, c.public_key.as_str(), c.token_rate_limit_per_minute), (8080, "abc", 3));
        assert_eq!(c.nonce_lifetime, Duration::from_secs(5));
        assert!(args(&["--help"]).unwrap().is_none());
        assert!(args(&["--port"]).is_err());
        assert!(args(&["--port", "x"]).is_err());
        assert!(args(&["--bogus"]).is_err());
        assert!(args(&["--group-id", "ABC"]).is_err());
        assert!(args(&["--team-id", "ABC"]).is_err());
        assert_eq!(seeded(&["--seed-users", "1234"]).unwrap(), Some(1234));
        assert_eq!(seeded(&[]).unwrap(), Some(0));
        assert!(seeded(&["--seed-users", "-1"]).is_err());
        assert_eq!(args(&["--latency-ms", "50"]).unwrap().unwrap().latency, Duration::from_millis(50));
        assert_eq!(args(&[]).unwrap().unwrap().latency, Duration::ZERO);
        assert!(args(&["--latency-ms", "soon"]).is_err());
        // Issue 14: every flag's value has a cap, named in the error.
        let long = "k".repeat(MAX_FLAG_BYTES + 1);
        for flag in ["--public-key", "--client-secret", "--group-name", "--port"] {
            let err = args(&[flag, &long]).unwrap_err();
            assert_eq!(err, format!("{flag}: longer than the cap of {MAX_FLAG_BYTES} bytes"));
        }
        assert!(args(&["--org-name", &"k".repeat(MAX_FLAG_BYTES)]).is_ok());
        assert!(USAGE.contains(&format!("at most {MAX_FLAG_BYTES} bytes")), "the help states the cap");
        let o = parse_args(
            ["--seed-resource", "/api/atlas/v2/groups/GROUP/clusters={\"name\":\"c0\"}", "--settle-secs", "5"]
                .map(String::from),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            o.resources,
            [("/api/atlas/v2/groups/GROUP/clusters".to_owned(), serde_json::json!({"name": "c0"}))]
        );
        assert_eq!(o.config.settle_time, Duration::from_secs(5));
        assert!(args(&["--seed-resource", "/no-json"]).is_err());
        assert!(args(&["--seed-resource", "/p={"]).is_err());
        assert!(USAGE.contains("540"), "the help says what it serves");
    }

    #[test]
    fn seed_statuses() {
        let statuses = |s: &[&str]| parse_args(s.iter().map(|a| (*a).to_owned())).map(|o| o.unwrap().seed_statuses);
        use OrgMembershipStatus::{Active, InvitationExpired, InvitationRejected, Pending};
        assert_eq!(statuses(&["--seed-users", "3"]).unwrap(), [Active], "ACTIVE unless asked");
        assert_eq!(
            statuses(&["--seed-users", "3", "--seed-statuses", "PENDING, INVITATION_EXPIRED,ACTIVE"]).unwrap(),
            [Pending, InvitationExpired, Active]
        );
        assert_eq!(statuses(&["--seed-users=1", "--seed-statuses=INVITATION_REJECTED"]).unwrap(), [InvitationRejected]);
        for bad in ["", "PENDING,", "pending", "SUSPENDED"] {
            let err = statuses(&["--seed-users", "3", "--seed-statuses", bad]).unwrap_err();
            assert!(err.starts_with("--seed-statuses: ") && err.contains("PENDING, ACTIVE"), "{bad:?}: {err}");
        }
        assert_eq!(statuses(&["--seed-statuses", "ACTIVE"]).unwrap_err(), "--seed-statuses needs --seed-users N");
        assert!(USAGE.contains("--seed-statuses LIST"));
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("http://127.0.0.1:80"), "http://127.0.0.1:80");
        assert_eq!(shell_quote("a b'c"), r"'a b'\''c'");
        assert_eq!(shell_quote(""), "''");
    }
}
