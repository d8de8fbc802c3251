//! `fake-atlas`: run the loopback fake Atlas from a shell.
//!
//! ```text
//! cargo run -p atlas-admin-testing --bin fake-atlas -- --port 8080
//! ```
//!
//! prints `NAME=value` lines ready to `export` (base URL, API key, service account, demo
//! project, org and team), then serves until killed.

use atlas_admin_core::{OrgMembershipStatus, Sanitized, Timestamp};
use atlas_admin_testing::bounded::MAX_FLAG_BYTES;
use atlas_admin_testing::cassette::Cassette;
use atlas_admin_testing::fake::{FakeAtlas, FakeConfig};
use atlas_admin_testing::stdio;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

/// The most users `--seed-users` seeds (each is kept in memory with its roles).
const MAX_SEED_USERS: usize = 100_000;
/// The longest `--settle-secs`: a century (longer is "never" in any test).
const MAX_SETTLE_SECS: u64 = 100 * 365 * 86_400;

/// The help text: what the fake serves (its operation counts from this build's catalog), how
/// to seed it, its clock, and the options.
fn usage() -> String {
    let all = atlas_admin_core::catalog::all().count();
    let typed = atlas_admin_core::ops::ALL.len();
    format!(
        "\
usage: fake-atlas [options]

Serves a fake MongoDB Atlas Administration API v2 on 127.0.0.1 and prints the environment
variables a client needs, then runs until killed (Ctrl-C).

What it serves: {all} operations, every one of this build's catalog (the whole API when built
with the feature `fake-full`, the default). The {typed} invitation and Cloud Users operations have
hand-written behaviours; every other one a generic behaviour driven by the spec's catalog:
  - resources from the path's structure: POST on a collection (or PUT on an item) creates an
    item keyed by a fresh id of the spec's shape or by the name the body gives (clusterName,
    databaseName/username, roleName, an access list entry's cidrBlock or ipAddress); GET
    reads it, PATCH merges, DELETE removes (then 404); a POST of an array creates or updates
    each item; lists answer Atlas's pages (itemsPerPage, pageNum, includeCount, links);
  - parents must exist (a cluster of an unknown project is 404; a project with clusters
    cannot be deleted: 409); a taken name is 409; a body without the key's name is 400;
  - lifecycles: clusters and anything with a stateName read CREATING (UPDATING after a
    change) until --settle-secs have passed on the fake's clock, then IDLE; deleted, they
    read DELETING for as long, then are gone (404);
  - custom methods (:verb), downloads and other actions answer their documented status;
  - versions are checked: 406 for a version the operation lacks; 410 VERSION_GONE for a
    version past its sunset (the invitation endpoints from 2027-07-01) on the fake's clock,
    whatever it is (the wall clock, advanced, or set), as Atlas answers, unless
    --serve-past-sunset; Sunset and Deprecation headers before; Digest or OAuth
    authentication, none for the operation the spec leaves open.

The clock: the fake's \"now\" (timestamps, invitation expiry, lifecycles, sunsets) is the
wall clock unless --clock TIME freezes it. Read it with GET /__fake/clock; move it with
POST /__fake/clock?advance=SECONDS or POST /__fake/clock?set=TIME (then frozen there).
Authentication keeps real time.

Seeding (--seed-users first, then the others in the order given; all but --seed-users
repeatable):
  --seed-users N [--seed-statuses LIST]   org users user0@example.com... (the demo project's)
  --seed-resource PATH=JSON               resources of any collection of the catalog
  --seed-cassette FILE                    the objects a recorded cassette's answers hold
A seeding error (a path that is no collection, a parent that does not exist, a body without
the field its items are keyed by, a key seeded twice, an unreadable cassette) exits with
status 2, naming it.
Read the state back through the API itself (GET on a collection); count calls per
operation with GET /__fake/counters. The assumptions about Atlas it makes are listed in the
crate's docs (module fake).

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
                            demo project (for pagination), ACTIVE unless --seed-statuses;
                            N is at most {MAX_SEED_USERS}
  --seed-statuses LIST      the seeded users' statuses, comma-separated, taken in turn:
                            PENDING,ACTIVE,INVITATION_EXPIRED seeds user0 PENDING, user1
                            ACTIVE, user2 INVITATION_EXPIRED, user3 PENDING... (statuses:
                            PENDING, ACTIVE, INVITATION_EXPIRED, INVITATION_REJECTED)
  --seed-resource PATH=JSON start with a resource (a JSON object) or several (an array of
                            objects) in the collection at PATH, keyed as a POST would key
                            them, e.g. --seed-resource
                            '/api/atlas/v2/groups/GROUP/clusters={{\"name\":\"c0\"}}'; the path
                            segments GROUP, ORG and TEAM stand for the demo ids; a parent must
                            exist (seed it first: flags apply in order)
  --seed-cassette FILE      seed what a cassette (recorded by this crate's recorder) holds:
                            invitations, users and every other operation's resources, in
                            their recorded lifecycle state; what is ignored is printed
  --clock TIME              freeze the fake's clock at TIME (RFC 3339, 2027-07-01T00:00:00Z);
                            a version past its sunset on the fake's clock (the wall clock
                            unless set) answers 410 VERSION_GONE, as Atlas does
  --serve-past-sunset       serve versions past their sunset (with their Sunset header)
                            instead of 410, whatever the day
  --settle-secs N           how long lifecycles stay CREATING/UPDATING/DELETING (default 60,
                            at most {MAX_SETTLE_SECS}: a century)
  -h, --help                this help

A flag's value is at most {MAX_FLAG_BYTES} bytes (longer: exit status 2).
"
    )
}

/// One seeding flag, applied in command-line order.
#[derive(Debug, PartialEq)]
enum Seed {
    /// `--seed-resource`: a collection path and a JSON object or array of objects.
    Resource(String, serde_json::Value),
    /// `--seed-cassette`: a cassette file.
    Cassette(String),
}

/// What the command line asks for.
#[derive(Debug)]
struct Options {
    config: FakeConfig,
    seed_users: usize,
    seed_statuses: Vec<OrgMembershipStatus>,
    seeds: Vec<Seed>,
    /// `--clock`: the instant the fake's clock is frozen at.
    clock: Option<SystemTime>,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Option<Options>, String> {
    let mut config = FakeConfig::default();
    let mut seed_users = 0;
    let mut seed_statuses = None;
    let mut seeds = Vec::new();
    let mut clock = None;
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
                if seed_users > MAX_SEED_USERS {
                    return Err(format!("--seed-users: {seed_users} is more than the cap of {MAX_SEED_USERS}"));
                }
            }
            "--seed-statuses" => seed_statuses = Some(statuses(&value()?)?),
            "--seed-resource" => {
                let v = value()?;
                let (path, json) =
                    v.split_once('=').ok_or_else(|| format!("--seed-resource: {v:?} is not PATH=JSON"))?;
                let body = serde_json::from_str(json).map_err(|e| format!("--seed-resource: not JSON: {e}"))?;
                seeds.push(Seed::Resource(path.to_owned(), body));
            }
            "--seed-cassette" => seeds.push(Seed::Cassette(value()?)),
            "--serve-past-sunset" => config.serve_past_sunset = true,
            "--clock" => {
                let v = value()?;
                let t = Timestamp::parse(v.as_str()).system_time();
                clock = Some(t.ok_or_else(|| format!("--clock: {v:?} is not an RFC 3339 time"))?);
            }
            "--settle-secs" => {
                let secs = number(value()?)?;
                if secs > MAX_SETTLE_SECS {
                    return Err(format!("--settle-secs: {secs} is more than the cap of {MAX_SETTLE_SECS}"));
                }
                config.settle_time = Duration::from_secs(secs);
            }
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
    Ok(Some(Options { config, seed_users, seed_statuses, seeds, clock }))
}

/// The statuses of `--seed-statuses`: comma-separated, each one of the four known ones.
fn statuses(list: &str) -> Result<Vec<OrgMembershipStatus>, String> {
    list.split(',')
        .map(|s| OrgMembershipStatus::checked(s.trim()).map_err(|e| format!("--seed-statuses: {e}")))
        .collect()
}

/// `path` with the whole segments `GROUP`, `ORG` and `TEAM` replaced by the demo ids.
fn demo_ids(path: &str, config: &FakeConfig) -> String {
    let segment = |s: &str| match s {
        "GROUP" => config.group_id.clone(),
        "ORG" => config.org_id.clone(),
        "TEAM" => config.team_id.clone(),
        other => other.to_owned(),
    };
    path.split('/').map(segment).collect::<Vec<_>>().join("/")
}

/// Applies the seeding flags, in order; the first error, naming its flag.
fn seed(fake: &FakeAtlas, users: usize, statuses: &[OrgMembershipStatus], seeds: Vec<Seed>) -> Result<(), String> {
    fake.seed_users_with_statuses(users, statuses, true).map_err(|e| format!("--seed-users: {e}"))?;
    for s in seeds {
        match s {
            Seed::Resource(path, body) => {
                let path = demo_ids(&path, fake.config());
                let bodies = match body {
                    serde_json::Value::Array(items) => items,
                    one => vec![one],
                };
                for body in bodies {
                    fake.seed_resource(&path, body).map_err(|e| format!("--seed-resource {path}: {e}"))?;
                }
            }
            Seed::Cassette(file) => {
                let cassette = Cassette::load(&file).map_err(|e| format!("--seed-cassette {file}: {e}"))?;
                let report = fake.seed_from(&cassette);
                let ignored: Vec<String> = report.ignored().map(ToString::to_string).collect();
                let applied = report.applied().count();
                // Cassette text, escaped line by line: never raw control characters.
                let mut text = format!(
                    "fake-atlas: --seed-cassette {}: {applied} seeded, {} ignored",
                    Sanitized(&file),
                    ignored.len()
                );
                for line in ignored {
                    text.push_str(&format!("\n  {}", Sanitized(&line)));
                }
                stdio::err(&text);
            }
        }
    }
    Ok(())
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
    let Options { config, seed_users, seed_statuses, seeds, clock } = match parse_args(std::env::args().skip(1)) {
        Ok(Some(o)) => o,
        Ok(None) => {
            stdio::out(&usage());
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            stdio::err(&format!("fake-atlas: {}\n\n{}", Sanitized(&e), usage()));
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
    if let Some(t) = clock {
        fake.set_clock(t);
    }
    if let Err(e) = seed(&fake, seed_users, &seed_statuses, seeds) {
        stdio::err(&format!("fake-atlas: {}", Sanitized(&e)));
        return ExitCode::from(2);
    }
    let c = fake.config();
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
        assert!(usage().contains(&format!("at most {MAX_FLAG_BYTES} bytes")), "the help states the cap");
        let o = parse_args(
            ["--seed-resource", "/api/atlas/v2/groups/GROUP/clusters={\"name\":\"c0\"}", "--settle-secs", "5"]
                .map(String::from),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            o.seeds,
            [Seed::Resource("/api/atlas/v2/groups/GROUP/clusters".to_owned(), serde_json::json!({"name": "c0"}))]
        );
        assert_eq!(o.config.settle_time, Duration::from_secs(5));
        assert!(args(&["--seed-resource", "/no-json"]).is_err());
        assert!(args(&["--seed-resource", "/p={"]).is_err());
        let all = atlas_admin_core::catalog::all().count();
        assert!(usage().contains(&format!("{all} operations")), "the help says what it serves");
        let o = parse_args(["--seed-cassette", "a.json", "--clock", "2027-07-01T00:00:00Z"].map(String::from));
        let o = o.unwrap().unwrap();
        assert_eq!(o.seeds, [Seed::Cassette("a.json".to_owned())]);
        assert_eq!(o.clock, Timestamp::parse("2027-07-01T00:00:00Z").system_time());
        assert!(args(&["--clock", "tomorrow"]).unwrap_err().contains("RFC 3339"));
        assert!(args(&["--serve-past-sunset"]).unwrap().unwrap().serve_past_sunset);
        assert!(!args(&[]).unwrap().unwrap().serve_past_sunset);
    }

    /// Review finding 3: hostile numbers are refused, naming the flag (exit status 2), not
    /// carried into an overflow or an unbounded seeding.
    #[test]
    fn numbers_have_caps() {
        let err = |a: &[&str]| parse_args(a.iter().map(|s| (*s).to_owned())).map(|_| ()).unwrap_err();
        let huge = u64::MAX.to_string();
        let cap = format!("--settle-secs: {huge} is more than the cap of {MAX_SETTLE_SECS}");
        assert_eq!(err(&["--settle-secs", &huge]), cap);
        let over = (MAX_SETTLE_SECS + 1).to_string();
        assert!(err(&["--settle-secs", &over]).starts_with("--settle-secs: "));
        assert!(args(&["--settle-secs", &MAX_SETTLE_SECS.to_string()]).is_ok());
        let users = (MAX_SEED_USERS + 1).to_string();
        assert_eq!(
            err(&["--seed-users", &users]),
            format!("--seed-users: {users} is more than the cap of {MAX_SEED_USERS}")
        );
        assert!(args(&["--seed-users", &huge]).is_err());
        assert!(
            usage().contains(&format!("at most {MAX_SEED_USERS}"))
                && usage().contains(&format!("at most {MAX_SETTLE_SECS}"))
        );
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
        assert!(usage().contains("--seed-statuses LIST"));
    }

    #[test]
    fn demo_ids_replace_whole_segments_only() {
        let c = FakeConfig::default();
        let path = demo_ids("/api/atlas/v2/groups/GROUP/clusters/GROUPS/ORG", &c);
        assert_eq!(path, format!("/api/atlas/v2/groups/{}/clusters/GROUPS/{}", c.group_id, c.org_id));
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("http://127.0.0.1:80"), "http://127.0.0.1:80");
        assert_eq!(shell_quote("a b'c"), r"'a b'\''c'");
        assert_eq!(shell_quote(""), "''");
    }
}
