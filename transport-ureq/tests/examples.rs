//! Runs the example programs as a user would: `quickstart`, `quickstart-users` and the `atlas-api` CLI
//! (and, for their output into a closed pipe, the hyper crate's `quickstart-async` and `e2e-bench`),
//! against loopback fakes only, with every `MONGODB_ATLAS_*` (and proxy) variable removed
//! from their environment except what a test sets.
//!
//! `atlas-api` is this crate's binary (feature `cli`), built by cargo for this test. The examples
//! come from `cargo build --examples` (of this crate and `atlas-admin-hyper`), run once per test process with the
//! target directory and profile of this test binary (a no-op when they are fresh, so a
//! `cargo test --test examples` after editing an example never runs a stale binary). If cargo
//! cannot be run, the binaries beside this one (`target/<profile>/examples/`) are used.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::print_stderr)]

use atlas_admin_testing::fake::{FakeAtlas, FakeConfig, Fault, SeedUser};
use atlas_admin_testing::sockets::Tripwire;
use atlas_admin_ureq::OrgMembershipStatus;
use serde_json::Value;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Longest a single example run may take before it is killed and the test fails.
const RUN_LIMIT: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------------------------
// Finding (and building) the example binaries
// ---------------------------------------------------------------------------------------------

/// `target/<profile>` of this test binary (`target/<profile>/deps/examples-<hash>`).
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let deps = exe.parent().expect("test binary has a directory");
    let dir = if deps.file_name().is_some_and(|n| n == "deps") { deps.parent().expect("profile dir") } else { deps };
    dir.to_path_buf()
}

/// Builds the examples with cargo and reads their paths from cargo's JSON messages.
fn cargo_build_examples() -> Result<HashMap<String, PathBuf>, String> {
    let profile_dir = profile_dir();
    let target_dir = profile_dir.parent().ok_or("no target directory above the profile directory")?;
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args(["build", "-q", "--offline", "-p", "atlas-admin-ureq", "-p", "atlas-admin-hyper", "--examples"]);
    cmd.arg("--message-format=json");
    match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => {}
        Some("release") => {
            cmd.arg("--release");
        }
        Some(other) => {
            cmd.args(["--profile", other]);
        }
    }
    // Drop what cargo set for this test process: build scripts such as ring's rerun when
    // `CARGO_MANIFEST_DIR`, `CARGO_PKG_NAME`… differ, and the outer and inner builds would
    // then rebuild them for each other every time.
    for (name, _) in std::env::vars_os() {
        let name_text = name.to_string_lossy();
        let set_by_cargo = name_text.starts_with("CARGO_PKG_")
            || name_text.starts_with("CARGO_BIN_")
            || [
                "CARGO_MANIFEST_DIR",
                "CARGO_MANIFEST_PATH",
                "CARGO_MANIFEST_LINKS",
                "CARGO_CRATE_NAME",
                "CARGO_PRIMARY_PACKAGE",
                "CARGO_TARGET_TMPDIR",
                "CARGO_RUSTC_CURRENT_DIR",
                "OUT_DIR",
            ]
            .contains(&name_text.as_ref());
        if set_by_cargo {
            cmd.env_remove(&name);
        }
    }
    let output = cmd
        .env("CARGO_TARGET_DIR", target_dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!("cargo build --examples failed: {}", output.status));
    }
    let mut found = HashMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<Value>(line) else { continue };
        let is_example = msg["target"]["kind"].as_array().is_some_and(|k| k.iter().any(|k| k == "example"));
        if let (true, Some(name), Some(exe)) = (is_example, msg["target"]["name"].as_str(), msg["executable"].as_str())
        {
            found.insert(name.to_owned(), PathBuf::from(exe));
        }
    }
    Ok(found)
}

/// The path of example `name`, built if need be; `atlas-api`, the crate's binary (feature
/// `cli`, on in this crate's dev-dependencies), is the one cargo built for this test.
fn example(name: &str) -> PathBuf {
    if name == "atlas-api" {
        return PathBuf::from(env!("CARGO_BIN_EXE_atlas-api"));
    }
    static BUILT: OnceLock<Result<HashMap<String, PathBuf>, String>> = OnceLock::new();
    let built = BUILT.get_or_init(cargo_build_examples);
    if let Ok(paths) = built {
        if let Some(path) = paths.get(name).filter(|p| p.is_file()) {
            return path.clone();
        }
    }
    let beside = profile_dir().join("examples").join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        beside.is_file(),
        "example {name} not found: building failed ({:?}) and {} does not exist; \
         run `cargo build -p atlas-admin-ureq --examples`",
        built.as_ref().err(),
        beside.display()
    );
    beside
}

// ---------------------------------------------------------------------------------------------
// Running them
// ---------------------------------------------------------------------------------------------

/// What a run printed and how it ended.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}\nstderr:\n{}", self.stdout, self.stderr))
    }

    fn expect_code(self, code: i32) -> Run {
        assert_eq!(self.code, code, "exit status\n--- stdout:\n{}\n--- stderr:\n{}", self.stdout, self.stderr);
        self
    }
}

/// Runs `program` with `args`, an environment without `MONGODB_ATLAS_*`, proxy, `CI` or
/// `ATLAS_CASSETTE_MODE` variables plus `env`, and `stdin` (or none). Killed after [`RUN_LIMIT`].
fn run_program(program: &Path, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Run {
    let mut cmd = command(program, args, env);
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn example");
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(text.as_bytes()).expect("write stdin");
    }
    finish(child, program, args)
}

/// `program` with `args` and an environment without `MONGODB_ATLAS_*`, proxy, `CI` or
/// `ATLAS_CASSETTE_MODE` variables plus `env`.
fn command(program: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(program);
    cmd.args(args);
    for (name, _) in std::env::vars_os() {
        let upper = name.to_string_lossy().to_ascii_uppercase();
        // `CI` and `ATLAS_CASSETTE_MODE` choose the cassette mode: a test sets them if it means to.
        if upper.starts_with("MONGODB_ATLAS_")
            || upper.ends_with("_PROXY")
            || upper == "CI"
            || upper == "ATLAS_CASSETTE_MODE"
        {
            cmd.env_remove(&name);
        }
    }
    cmd.envs(env.iter().copied());
    cmd
}

/// Waits for `child` (killed after [`RUN_LIMIT`]), with what it printed on the pipes it has.
fn finish(mut child: std::process::Child, program: &Path, args: &[&str]) -> Run {
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut pipe) = pipe {
                pipe.read_to_string(&mut text).expect("read output");
            }
            text
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let deadline = Instant::now() + RUN_LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{} {args:?} ran longer than {RUN_LIMIT:?}", program.display());
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Run {
        code: status.code().unwrap_or(-1),
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    }
}

fn quickstart(env: &[(&str, &str)]) -> Run {
    run_program(&example("quickstart"), &[], env, None)
}

/// `atlas-api` against `fake`, with its API key (and only that) in the environment.
fn cli(fake: &FakeAtlas, args: &[&str]) -> Run {
    cli_stdin(fake, args, None)
}

fn cli_stdin(fake: &FakeAtlas, args: &[&str], stdin: Option<&str>) -> Run {
    let (c, base) = (fake.config(), fake.base_url());
    run_program(&example("atlas-api"), args, &fake_env(&base, &c.public_key, &c.private_key), stdin)
}

/// The environment that points a program at a server (`base`) with an API key.
fn fake_env<'a>(base: &'a str, public_key: &'a str, private_key: &'a str) -> [(&'static str, &'a str); 3] {
    [
        ("MONGODB_ATLAS_BASE_URL", base),
        ("MONGODB_ATLAS_PUBLIC_API_KEY", public_key),
        ("MONGODB_ATLAS_PRIVATE_API_KEY", private_key),
    ]
}

/// `N calls, M HTTP requests` from the quickstart's summary line.
fn summary_counts(stdout: &str) -> (u32, u32) {
    let line = stdout.lines().find(|l| l.starts_with("Summary: ")).expect("a Summary line");
    let words: Vec<&str> = line.split_whitespace().collect();
    let calls_at = words.iter().position(|w| w.starts_with("calls")).expect("calls") - 1;
    let requests_at = words.iter().position(|w| *w == "HTTP").expect("HTTP requests") - 1;
    (words[calls_at].parse().expect("calls count"), words[requests_at].parse().expect("requests count"))
}

fn strings(value: &Value) -> Vec<&str> {
    value.as_array().expect("array").iter().map(|v| v.as_str().expect("string")).collect()
}

// ---------------------------------------------------------------------------------------------
// quickstart
// ---------------------------------------------------------------------------------------------

/// The seven steps, in order.
const STEPS: [&str; 7] = [
    "[1/7] createGroupInvite",
    "[2/7] listGroupInvites",
    "[3/7] updateGroupInvites",
    "[4/7] updateGroupInviteById",
    "[5/7] getGroupInvite",
    "[6/7] deleteGroupInvite",
    "[7/7] getGroupInvite",
];

fn assert_lifecycle(out: &str) {
    let mut from = 0;
    for step in STEPS {
        let at = out[from..].find(step).unwrap_or_else(|| panic!("{step:?} missing or out of order:\n{out}"));
        from += at + step.len();
    }
    assert!(out.contains("errorCode RESOURCE_NOT_FOUND"), "the handled 404:\n{out}");
    assert_eq!(out.matches("deprecated since").count(), 1, "the Deprecation/Sunset notice once:\n{out}");
    assert!(out.contains("sunset") && out.contains("2027"), "the Sunset date:\n{out}");
    let (calls, requests) = summary_counts(out);
    assert_eq!(calls, 7, "{out}");
    assert_eq!(requests, calls + 1, "one Digest challenge, then preemptive signing:\n{out}");
    let exchange_lines = out.lines().filter(|l| l.starts_with("  → ")).count();
    assert_eq!(exchange_lines, requests as usize, "one observer line per HTTP request:\n{out}");
    assert_eq!(out.matches("(Digest challenge)").count(), 1, "{out}");
    assert!(!out.contains(&FakeConfig::default().private_key), "the private key must never be printed");
}

#[test]
fn quickstart_without_credentials_runs_the_lifecycle_against_an_in_process_fake() {
    let run = quickstart(&[]).expect_code(0);
    assert!(run.stdout.contains("in-process fake Atlas"), "{}", run.stdout);
    assert_lifecycle(&run.stdout);
}

#[test]
fn quickstart_with_credentials_but_no_group_id_is_a_usage_error() {
    let run = quickstart(&[("MONGODB_ATLAS_PUBLIC_API_KEY", "abcdefgh")]).expect_code(2);
    assert!(run.stderr.contains("MONGODB_ATLAS_GROUP_ID"), "{}", run.stderr);
    assert!(!run.stdout.contains("[1/7]"), "no step may run:\n{}", run.stdout);
}

#[test]
fn quickstart_with_credentials_runs_against_the_configured_server() {
    let fake = FakeAtlas::start_day_independent();
    let (c, base) = (fake.config(), fake.base_url());
    let mut env = fake_env(&base, &c.public_key, &c.private_key).to_vec();
    env.extend([
        ("MONGODB_ATLAS_GROUP_ID", c.group_id.as_str()),
        ("MONGODB_ATLAS_INVITE_USERNAME", "grace.hopper@example.com"),
    ]);
    let run = quickstart(&env).expect_code(0);
    assert!(!run.stdout.contains("in-process fake"), "{}", run.stdout);
    assert_lifecycle(&run.stdout);
    // What the program reports is what the server saw.
    let counters = fake.counters();
    assert_eq!((counters.requests, counters.challenges), (8, 1));
    assert_eq!(counters.by_operation.get("updateGroupInvites"), Some(&1));
}

// ---------------------------------------------------------------------------------------------
// quickstart-users: the Cloud Users lifecycle
// ---------------------------------------------------------------------------------------------

/// The six steps, in order.
const USER_STEPS: [&str; 6] = [
    "[1/6] createOrgUser",
    "[2/6] addGroupUsers",
    "[3/6] addGroupUserRole",
    "[4/6] removeGroupUserRole",
    "[5/6] removeOrgUser",
    "[6/6] getOrgUser",
];

fn quickstart_users(env: &[(&str, &str)]) -> Run {
    run_program(&example("quickstart-users"), &[], env, None)
}

fn assert_users_lifecycle(out: &str) {
    let mut from = 0;
    for step in USER_STEPS {
        let at = out[from..].find(step).unwrap_or_else(|| panic!("{step:?} missing or out of order:\n{out}"));
        from += at + step.len();
    }
    assert!(out.contains("created (HTTP 201)") && out.contains("added (HTTP 201)"), "201 for create and add:\n{out}");
    assert!(out.contains("roles [GROUP_READ_ONLY, GROUP_DATA_ACCESS_READ_ONLY]"), "the role added:\n{out}");
    assert!(out.contains("role removed (HTTP 200)") && out.contains("roles [GROUP_DATA_ACCESS_READ_ONLY]"), "{out}");
    assert!(out.contains("errorCode RESOURCE_NOT_FOUND"), "the handled 404:\n{out}");
    assert!(!out.contains("deprecated since"), "the Cloud Users API is not deprecated:\n{out}");
    assert_eq!(summary_counts(out), (6, 7), "one Digest challenge, then preemptive signing:\n{out}");
    assert!(!out.contains(&FakeConfig::default().private_key), "the private key must never be printed");
}

#[test]
fn quickstart_users_without_credentials_runs_the_replacement_lifecycle() {
    let run = quickstart_users(&[]).expect_code(0);
    assert!(run.stdout.contains("in-process fake Atlas"), "{}", run.stdout);
    assert_users_lifecycle(&run.stdout);
}

#[test]
fn quickstart_users_against_the_configured_server() {
    let fake = FakeAtlas::start_day_independent();
    let (c, base) = (fake.config(), fake.base_url());
    let mut env = fake_env(&base, &c.public_key, &c.private_key).to_vec();
    env.extend([
        ("MONGODB_ATLAS_GROUP_ID", c.group_id.as_str()),
        ("MONGODB_ATLAS_INVITE_USERNAME", "grace@example.com"),
    ]);
    // Without the organization: a settings error, nothing sent.
    let run = quickstart_users(&env).expect_code(2);
    assert!(run.stderr.contains("MONGODB_ATLAS_ORG_ID"), "{}", run.stderr);
    assert_eq!(fake.counters().requests, 0);
    env.push(("MONGODB_ATLAS_ORG_ID", c.org_id.as_str()));
    let run = quickstart_users(&env).expect_code(0);
    assert!(!run.stdout.contains("in-process fake"), "{}", run.stdout);
    assert_users_lifecycle(&run.stdout);
    let counters = fake.counters();
    assert_eq!((counters.requests, counters.challenges), (7, 1));
    assert_eq!(counters.by_operation.get("removeOrgUser"), Some(&1));
    assert!(fake.org_users().is_empty(), "the user is gone: {:?}", fake.org_users());
}

// ---------------------------------------------------------------------------------------------
// atlas-api
// ---------------------------------------------------------------------------------------------

#[test]
fn atlas_api_project_lifecycle() {
    let fake = FakeAtlas::start_day_independent();
    let group = fake.config().group_id.clone();
    let g = group.as_str();

    let created = cli(
        &fake,
        &[
            "projects",
            "createGroupInvite",
            "--groupId",
            g,
            "--data",
            r#"{"username":"ada@example.com","roles":["GROUP_READ_ONLY"]}"#,
        ],
    )
    .expect_code(0)
    .json();
    assert_eq!(created["username"], "ada@example.com");
    assert_eq!(strings(&created["roles"]), ["GROUP_READ_ONLY"]);
    let id = created["id"].as_str().expect("id").to_owned();

    let listed =
        cli(&fake, &["projects", "listGroupInvites", "--projectId", g, "--username", "ada@example.com"]).expect_code(0);
    let listed = listed.json();
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(listed[0]["id"], id.as_str());

    // The seed operation: PATCH /groups/{groupId}/invites, the invitation chosen by username.
    let body = r#"{"username":"ada@example.com","roles":["GROUP_OWNER","GROUP_READ_ONLY"]}"#;
    let updated = cli(&fake, &["projects", "updateGroupInvites", "--groupId", g, "--data", body]).expect_code(0).json();
    assert_eq!(updated["id"], id.as_str());
    assert_eq!(strings(&updated["roles"]), ["GROUP_OWNER", "GROUP_READ_ONLY"]);
    assert_eq!(fake.counters().by_operation.get("updateGroupInvites"), Some(&1));

    // `--envelope` is unwrapped: the output equals the plain one.
    let plain = cli(&fake, &["projects", "getGroupInvite", "--groupId", g, "--invitationId", &id]).expect_code(0);
    let enveloped =
        cli(&fake, &["projects", "getGroupInvite", "--groupId", g, "--invitationId", &id, "--envelope"]).expect_code(0);
    assert_eq!(plain.stdout, enveloped.stdout);
    assert_eq!(strings(&plain.json()["roles"]), ["GROUP_OWNER", "GROUP_READ_ONLY"]);
    let pretty = cli(&fake, &["projects", "getGroupInvite", "--groupId", g, "--invitationId", &id, "--pretty"]);
    let pretty = pretty.expect_code(0);
    assert!(pretty.stdout.lines().count() > 5, "pretty-printed:\n{}", pretty.stdout);
    assert_eq!(pretty.json(), plain.json());

    // The SDK/CLI alias, with the body on stdin.
    let by_id = cli_stdin(
        &fake,
        &["projects", "updateInviteById", "--groupId", g, "--invitationId", &id, "--file", "-"],
        Some(r#"{"roles":["GROUP_CLUSTER_MANAGER"]}"#),
    )
    .expect_code(0)
    .json();
    assert_eq!(strings(&by_id["roles"]), ["GROUP_CLUSTER_MANAGER"]);

    let deleted = cli(&fake, &["projects", "deleteGroupInvite", "--groupId", g, "--invitationId", &id]).expect_code(0);
    assert_eq!(deleted.stdout, "", "a delete prints nothing (204 No Content)");
    let listed = cli(&fake, &["projects", "listGroupInvites", "--groupId", g]).expect_code(0).json();
    assert_eq!(listed, Value::Array(Vec::new()));
}

#[test]
fn atlas_api_api_and_runtime_errors_exit_1() {
    let fake = FakeAtlas::start_day_independent();
    let g = fake.config().group_id.clone();
    let unknown = "0123456789abcdef01234567";
    let run = cli(&fake, &["projects", "getGroupInvite", "--groupId", &g, "--invitationId", unknown]).expect_code(1);
    assert_eq!(run.stdout, "");
    // The deprecated endpoint's Sunset warning, then the ApiError JSON.
    let (warning, json) = run.stderr.trim().split_once('\n').expect("two lines on stderr");
    assert!(warning.starts_with("atlas-api: warning: getGroupInvite is deprecated"), "{warning}");
    let error: Value = serde_json::from_str(json).expect("stderr ends with the ApiError JSON");
    assert_eq!(error["errorCode"], "RESOURCE_NOT_FOUND");
    assert_eq!(error["error"], 404);
    assert!(run.stderr.contains(r#""errorCode":"RESOURCE_NOT_FOUND""#), "{}", run.stderr);

    // A wrong private key: authentication failure, one line, the key never echoed.
    let wrong_key = "11111111-2222-3333-4444-555555555555";
    let base = fake.base_url();
    let env = fake_env(&base, &fake.config().public_key, wrong_key);
    let run = run_program(&example("atlas-api"), &["projects", "listGroupInvites", "--groupId", &g], &env, None);
    let run = run.expect_code(1);
    assert_eq!(run.stderr.trim().lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("authentication failed"), "{}", run.stderr);
    assert!(!run.stderr.contains(wrong_key));
}

#[test]
fn atlas_api_invalid_input_exits_2_and_sends_nothing() {
    let fake = FakeAtlas::start_day_independent();
    let c = fake.config().clone();
    let (g, o) = (c.group_id.as_str(), c.org_id.as_str());
    let inv = "0123456789abcdef01234567";
    let cases: &[(&[&str], &str)] = &[
        (&["projects", "getGroupInvite", "--groupId", "32B6E34B3D91647ABB20E7B8", "--invitationId", inv], "--groupId"),
        (&["projects", "listGroupInvites", "--projectId", "nope"], "--projectId"),
        (&["projects", "getGroupInvite", "--groupId", g, "--invitationId", "123"], "--invitationId"),
        (
            &["projects", "createGroupInvite", "--groupId", g, "--data", r#"{"username":"a@example.com","roles":[]}"#],
            "roles",
        ),
        (&["projects", "createGroupInvite", "--groupId", g, "--data", "not json"], "not JSON"),
        (
            &[
                "projects",
                "updateGroupInvites",
                "--groupId",
                g,
                "--data",
                r#"{"username":"nope","roles":["GROUP_OWNER"]}"#,
            ],
            "username",
        ),
        (
            &[
                "organizations",
                "createOrgInvite",
                "--orgId",
                o,
                "--data",
                r#"{"username":"a@example.com","roles":["ORG_EMPEROR"]}"#,
            ],
            "roles[0]",
        ),
        (&["projects", "createGroupInvite", "--groupId", g, "--file", "/nonexistent/body.json"], "cannot read"),
        (&["projects", "createGroupInvite", "--groupId", g], "--data"),
        (&["projects", "listGroupInvites", "--groupId", g, "--username", "not-an-email"], "--username"),
        (&["projects", "getGroupInvite", "--groupId", g], "--invitationId"),
        (&["projects", "getGroupInvite", "--groupId", g, "--invitationId", inv, "--data", "{}"], "--data"),
        (&["organizations", "getOrgInvite", "--orgId", o, "--invitationId", inv, "--pretty"], "--pretty"),
        (&["projects", "listGroupInvites", "--orgId", o], "--orgId"),
        (&["projects", "listOrgInvites", "--orgId", o], "organizations"),
        (&["organizations", "listGroupInvites", "--groupId", g], "projects"),
        (&["projects", "frobnicateInvites", "--groupId", g], "unknown projects operationId"),
        (&["projects", "listGroupInvites", "--groupId", g, "--bogus"], "unknown flag"),
        (&["projects", "listGroupInvites", "--groupId", g, "--version", "2024-8-5"], "--version"),
        (&["teams", "listGroupInvites"], "run `atlas-api projects listGroupInvites"),
        (&["teamz", "listGroupInvites"], "unknown command \"teamz\"; did you mean teams?"),
        (&[], "missing command"),
    ];
    for (args, needle) in cases {
        let run = cli(&fake, args);
        assert_eq!(run.code, 2, "{args:?}\nstdout: {}\nstderr: {}", run.stdout, run.stderr);
        assert_eq!(run.stdout, "", "{args:?}");
        assert!(run.stderr.contains(needle), "{args:?}: stderr should mention {needle:?}:\n{}", run.stderr);
    }
    // No credentials at all: a configuration error, also before sending anything.
    let run = run_program(&example("atlas-api"), &["projects", "listGroupInvites", "--groupId", g], &[], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("MONGODB_ATLAS_PUBLIC_API_KEY"), "{}", run.stderr);
    assert_eq!(fake.counters().requests, 0, "invalid input must not reach the server");
}

/// Issue 14: the request body is read with a cap (`MAX_REQUEST_BODY_BYTES`) from a file and
/// from stdin: one byte past it is a usage error (exit 2) naming the input and the cap, and
/// nothing is sent. `--file /dev/zero` fails at the cap instead of growing without end.
#[test]
fn atlas_api_refuses_a_body_over_the_cap() {
    use atlas_admin_testing::bounded::MAX_REQUEST_BODY_BYTES;
    let fake = FakeAtlas::start_day_independent();
    let g = fake.config().group_id.clone();
    let cap = format!("larger than the cap of {MAX_REQUEST_BODY_BYTES} bytes");
    let dir = cassette_dir("body-over-the-cap");
    let big = dir.join("big.json");
    // Spaces: valid JSON whitespace, so only the cap can refuse it.
    std::fs::write(&big, vec![b' '; usize::try_from(MAX_REQUEST_BODY_BYTES).unwrap() + 1]).unwrap();
    let big = big.display().to_string();
    let over = " ".repeat(usize::try_from(MAX_REQUEST_BODY_BYTES).unwrap() + 1);
    let mut runs = vec![
        (format!("--file {big}"), cli(&fake, &["projects", "createGroupInvite", "--groupId", &g, "--file", &big])),
        (
            "--file -".to_owned(),
            cli_stdin(&fake, &["projects", "createGroupInvite", "--groupId", &g, "--file", "-"], Some(&over)),
        ),
    ];
    #[cfg(unix)]
    runs.push((
        "--file /dev/zero".to_owned(),
        cli(&fake, &["projects", "createGroupInvite", "--groupId", &g, "--file", "/dev/zero"]),
    ));
    for (input, run) in runs {
        let run = run.expect_code(2);
        assert!(run.stderr.contains(&format!("atlas-api: {input}: {cap}")), "{input}: {}", run.stderr);
    }
    assert_eq!(fake.counters().requests, 0, "nothing is sent");
    // A cassette over its cap (`MAX_CASSETTE_BYTES`; sparse, so no disk is used): exit 2 too.
    let tape = dir.join("big-cassette.json");
    std::fs::File::create(&tape).unwrap().set_len(atlas_admin_testing::bounded::MAX_CASSETTE_BYTES + 1).unwrap();
    let tape = tape.display().to_string();
    let args = ["projects", "listGroupInvites", "--groupId", &g, "--cassette", &tape];
    let run = run_program(&example("atlas-api"), &args, &[("CI", "1")], None).expect_code(2);
    let cap = format!("larger than the cap of {} bytes", atlas_admin_testing::bounded::MAX_CASSETTE_BYTES);
    assert!(run.stderr.contains(&format!("--cassette {tape}")) && run.stderr.contains(&cap), "{}", run.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn atlas_api_org_create_with_group_role_assignments() {
    let fake = FakeAtlas::start_day_independent();
    let c = fake.config().clone();
    let body = format!(
        r#"{{"username":"bob@example.com","roles":["ORG_MEMBER"],"groupRoleAssignments":[{{"groupId":"{}","roles":["GROUP_READ_ONLY","GROUP_DATA_ACCESS_READ_ONLY"]}}]}}"#,
        c.group_id
    );
    let created =
        cli(&fake, &["organizations", "createOrgInvite", "--orgId", &c.org_id, "--data", &body]).expect_code(0).json();
    assert_eq!(created["username"], "bob@example.com");
    assert_eq!(created["orgName"], c.org_name.as_str());
    assert_eq!(strings(&created["roles"]), ["ORG_MEMBER"]);
    let mut assigned: Vec<(String, String)> = created["groupRoleAssignments"]
        .as_array()
        .expect("groupRoleAssignments")
        .iter()
        .map(|a| (a["groupId"].as_str().unwrap().to_owned(), a["groupRole"].as_str().unwrap().to_owned()))
        .collect();
    assigned.sort();
    assert_eq!(
        assigned,
        [
            (c.group_id.clone(), "GROUP_DATA_ACCESS_READ_ONLY".to_owned()),
            (c.group_id.clone(), "GROUP_READ_ONLY".to_owned())
        ]
    );
    let listed =
        cli(&fake, &["organizations", "listOrgInvites", "--orgId", &c.org_id, "--username", "bob@example.com"]);
    assert_eq!(listed.expect_code(0).json()[0]["id"], created["id"]);
}

/// The Cloud Users tag: create (201) -> add to a project -> add and remove a role -> remove,
/// with the flags as the spec names them.
#[test]
fn atlas_api_cloud_users_lifecycle() {
    let fake = FakeAtlas::start_day_independent();
    let c = fake.config().clone();
    let (g, o) = (c.group_id.as_str(), c.org_id.as_str());
    let body = r#"{"username":"ada@example.com","roles":{"orgRoles":["ORG_MEMBER"]}}"#;
    let created = cli(&fake, &["mongoDbCloudUsers", "createOrgUser", "--orgId", o, "--data", body]).expect_code(0);
    let created = created.json();
    assert_eq!(created["orgMembershipStatus"], "PENDING");
    let user = created["id"].as_str().expect("id").to_owned();
    // A second create for a PENDING user: the documented 409, its JSON on stderr.
    let dup = cli(&fake, &["mongoDbCloudUsers", "createOrgUser", "--orgId", o, "--data", body]).expect_code(1);
    let error: Value = serde_json::from_str(dup.stderr.trim()).expect("stderr is the ApiError JSON");
    assert_eq!((error["error"].as_u64(), error["errorCode"].as_str()), (Some(409), Some("USER_ALREADY_EXISTS")));

    let add = r#"{"username":"ada@example.com","roles":["GROUP_READ_ONLY"]}"#;
    let added = cli(&fake, &["mongoDbCloudUsers", "addGroupUsers", "--groupId", g, "--data", add]).expect_code(0);
    assert_eq!(added.json()["id"], user.as_str());
    let role = r#"{"groupRole":"GROUP_DATA_ACCESS_READ_ONLY"}"#;
    let args = ["mongoDbCloudUsers", "addGroupUserRole", "--groupId", g, "--userId", &user, "--data", role];
    assert_eq!(
        strings(&cli(&fake, &args).expect_code(0).json()["roles"]),
        ["GROUP_READ_ONLY", "GROUP_DATA_ACCESS_READ_ONLY"]
    );
    let old = r#"{"groupRole":"GROUP_READ_ONLY"}"#;
    let args = ["mongoDbCloudUsers", "removeGroupUserRole", "--projectId", g, "--userId", &user, "--data", old];
    assert_eq!(strings(&cli(&fake, &args).expect_code(0).json()["roles"]), ["GROUP_DATA_ACCESS_READ_ONLY"]);
    let removed = cli(&fake, &["mongoDbCloudUsers", "removeGroupUser", "--groupId", g, "--userId", &user]);
    assert_eq!(removed.expect_code(0).stdout, "", "204: nothing printed");
    let got = cli(&fake, &["mongoDbCloudUsers", "getGroupUser", "--groupId", g, "--userId", &user]).expect_code(1);
    assert!(got.stderr.contains("RESOURCE_NOT_FOUND"), "{}", got.stderr);
    // The SDK's alias for listOrgTeamUsers; teams are reached by --teamId.
    let team = cli(&fake, &["mongoDbCloudUsers", "listTeamUsers", "--orgId", o, "--teamId", &c.team_id]).expect_code(0);
    assert_eq!(team.json()["results"], Value::Array(Vec::new()));
    let counters = fake.counters();
    for (op, n) in [("createOrgUser", 2), ("addGroupUsers", 1), ("addGroupUserRole", 1), ("removeGroupUserRole", 1)] {
        assert_eq!(counters.by_operation.get(op), Some(&n), "{op}: {:?}", counters.by_operation);
    }
}

/// `--orgMembershipStatuses` repeated is sent as repeated keys; given twice with the same
/// value, or on a flag that is not repeatable, it is refused before anything is sent.
#[test]
fn atlas_api_repeated_status_flags() {
    let fake = FakeAtlas::start_day_independent();
    let o = fake.config().org_id.clone();
    fake.seed_org_user(SeedUser::new("pending@example.com", OrgMembershipStatus::Pending)).unwrap();
    fake.seed_org_user(SeedUser::new("active@example.com", OrgMembershipStatus::Active)).unwrap();
    fake.seed_org_user(SeedUser::new("rejected@example.com", OrgMembershipStatus::InvitationRejected)).unwrap();
    let names = |run: Run| -> Vec<String> {
        let page = run.expect_code(0).json();
        let mut names: Vec<String> = page["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|u| u["username"].as_str().unwrap().to_owned())
            .collect();
        names.sort();
        names
    };
    let list = ["mongoDbCloudUsers", "listOrgUsers", "--orgId", &o];
    let both = [&list[..], &["--orgMembershipStatuses", "PENDING", "--orgMembershipStatuses=ACTIVE"]].concat();
    assert_eq!(names(cli(&fake, &both)), ["active@example.com", "pending@example.com"]);
    let one = [&list[..], &["--orgMembershipStatuses", "INVITATION_REJECTED"]].concat();
    assert_eq!(names(cli(&fake, &one)), ["rejected@example.com"]);
    // Without the filter the fake (like Atlas) lists ACTIVE and PENDING users only.
    assert_eq!(names(cli(&fake, &list)), ["active@example.com", "pending@example.com"]);
    let before = fake.counters().requests;
    let cases: &[(&[&str], &str)] = &[
        (&["--orgMembershipStatuses", "ACTIVE", "--orgMembershipStatuses", "ACTIVE"], "orgMembershipStatuses"),
        (&["--orgMembershipStatuses", "SUSPENDED"], "orgMembershipStatuses"),
        (&["--itemsPerPage", "10", "--itemsPerPage", "20"], "more than once"),
        (&["--itemsPerPage", "501"], "--itemsPerPage"),
        (&["--pageNum", "0"], "--pageNum"),
        (&["--includeCount", "maybe"], "--includeCount"),
    ];
    for (extra, needle) in cases {
        let run = cli(&fake, &[&list[..], extra].concat());
        assert_eq!(run.code, 2, "{extra:?}: {}", run.stderr);
        assert!(run.stderr.contains(needle), "{extra:?}: {needle:?} in {}", run.stderr);
    }
    assert_eq!(fake.counters().requests, before, "refused input sends nothing");
}

/// `--all-pages`: 1,234 users at 500 a page are one JSON array of every user, in exactly 3
/// list requests (+1 Digest challenge), with and without `includeCount`.
#[test]
fn atlas_api_all_pages_prints_one_array() {
    let fake = FakeAtlas::start_day_independent();
    fake.seed_users(1234, OrgMembershipStatus::Active, true).unwrap();
    let o = fake.config().org_id.clone();
    for count in ["true", "false"] {
        fake.reset_counters();
        let args =
            ["mongoDbCloudUsers", "listOrgUsers", "--orgId", &o, "--itemsPerPage", "500", "--includeCount", count];
        let all = cli(&fake, &[&args[..], &["--all-pages"]].concat()).expect_code(0);
        let users = all.json();
        let users = users.as_array().expect("one JSON array");
        let names: std::collections::HashSet<&str> = users.iter().map(|u| u["username"].as_str().unwrap()).collect();
        assert_eq!((users.len(), names.len()), (1234, 1234), "every user exactly once");
        let counters = fake.counters();
        assert_eq!(counters.by_operation.get("listOrgUsers"), Some(&3), "includeCount={count}");
        assert_eq!((counters.requests, counters.challenges), (4, 1), "includeCount={count}");
    }
    // Pretty and starting from --pageNum: the same users as the plain walk from page 2.
    let g = fake.config().group_id.clone();
    let args = ["mongoDbCloudUsers", "listGroupUsers", "--groupId", &g, "--itemsPerPage", "500", "--pageNum", "2"];
    let pretty = cli(&fake, &[&args[..], &["--all-pages", "--pretty"]].concat()).expect_code(0).json();
    assert_eq!(pretty.as_array().map(Vec::len), Some(734));
    // An Atlas error on the first page (an unknown project): nothing on stdout (not even `[`),
    // its JSON on stderr.
    let unknown = ["mongoDbCloudUsers", "listGroupUsers", "--groupId", "0123456789abcdef01234567", "--all-pages"];
    let failed = cli(&fake, &unknown).expect_code(1);
    assert_eq!(failed.stdout, "");
    assert!(failed.stderr.contains(r#""error":404"#), "{}", failed.stderr);
    // Not a paginated list: refused, nothing sent.
    fake.reset_counters();
    let run = cli(
        &fake,
        &["mongoDbCloudUsers", "getOrgUser", "--orgId", &o, "--userId", "0123456789abcdef01234567", "--all-pages"],
    );
    assert_eq!(run.expect_code(2).stdout, "");
    assert_eq!(fake.counters().requests, 0);
}

/// A deprecated endpoint's `Sunset` is one warning line on stderr, whatever the number of
/// responses (here three pages of the 2023-01-01 `listOrgUsers`); none for a current one.
#[test]
fn atlas_api_warns_once_about_a_sunset() {
    let fake = FakeAtlas::start_day_independent();
    fake.seed_users(1234, OrgMembershipStatus::Active, false).unwrap();
    let c = fake.config().clone();
    let run = cli(&fake, &["projects", "listGroupInvites", "--groupId", &c.group_id]).expect_code(0);
    assert_eq!(run.json(), Value::Array(Vec::new()));
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.starts_with("atlas-api: warning: listGroupInvites is deprecated since "), "{}", run.stderr);
    assert!(run.stderr.contains("its sunset is") && run.stderr.contains("2027"), "{}", run.stderr);

    let list = ["mongoDbCloudUsers", "listOrgUsers", "--orgId", &c.org_id, "--itemsPerPage", "500", "--all-pages"];
    let current = cli(&fake, &list).expect_code(0);
    assert_eq!(current.stderr, "", "the current version is not deprecated");
    fake.reset_counters();
    let old = cli(&fake, &[&list[..], &["--version", "2023-01-01"]].concat()).expect_code(0);
    assert_eq!(old.json().as_array().map(Vec::len), Some(1234));
    assert_eq!(fake.counters().by_operation.get("listOrgUsers"), Some(&3));
    assert_eq!(old.stderr.matches("warning: listOrgUsers is deprecated").count(), 1, "{}", old.stderr);
    assert_eq!(old.stderr.lines().count(), 1, "{}", old.stderr);
}

/// Every operation of the table is reachable by its tag and operationId (and aliases): its
/// typed constructor validates what the flags give (a bad id is refused, nothing sent).
#[test]
fn atlas_api_reaches_every_operation_of_the_table() {
    let fake = FakeAtlas::start_day_independent();
    for e in atlas_admin_ureq::core::ops::ALL {
        for name in std::iter::once(&e.operation_id).chain(e.aliases) {
            let mut args = vec![e.tag.to_owned(), (*name).to_owned()];
            let mut params = e.params.iter().filter(|p| p.location == atlas_admin_ureq::core::ParamIn::Path);
            let first = params.next().expect("every endpoint has a path parameter");
            args.extend([format!("--{}", first.name), "NOT-AN-ID".to_owned()]);
            for p in params {
                args.extend([format!("--{}", p.name), "0123456789abcdef01234567".to_owned()]);
            }
            if e.body {
                args.extend(["--data".to_owned(), "{}".to_owned()]);
            }
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let run = cli(&fake, &args);
            assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
            assert!(run.stderr.contains(&format!("--{}: invalid", first.name)), "{args:?}: {}", run.stderr);
        }
    }
    assert_eq!(fake.counters().requests, 0);
}

#[test]
fn atlas_api_help() {
    let fake = FakeAtlas::start_day_independent();
    let run = cli(&fake, &["--help"]).expect_code(0);
    for needle in ["usage: atlas-api", "--envelope", "migrate apply", "mongoDbCloudUsers", "projects", "organizations"]
    {
        assert!(run.stdout.contains(needle), "{needle:?} in:\n{}", run.stdout);
    }
    // Every operation of the core's table, with its flags, in its tag's help (the next line
    // after its summary).
    for e in atlas_admin_ureq::core::ops::ALL {
        let run = cli(&fake, &[e.tag, "--help"]).expect_code(0);
        let lines: Vec<&str> = run.stdout.lines().collect();
        let at = lines.iter().position(|l| l.trim_start().starts_with(&format!("{} ", e.operation_id)));
        let at = at.unwrap_or_else(|| panic!("{} in:\n{}", e.operation_id, run.stdout));
        assert!(lines[at].contains(e.summary), "{}", lines[at]);
        let line = lines.get(at + 1).copied();
        let line = line.unwrap_or_else(|| panic!("{} in:\n{}", e.operation_id, run.stdout));
        for p in e.params {
            assert!(line.contains(&format!("--{} ", p.name)), "{line}");
        }
        assert_eq!(line.contains("--data"), e.body, "{line}");
        assert_eq!(line.contains("[--pretty]"), e.pretty, "{line}");
        let paginated = e.params.iter().any(|p| p.name == "pageNum");
        assert_eq!(line.contains("[--all-pages]"), paginated, "{line}");
    }
    assert_eq!(fake.counters().requests, 0);
}

/// Where the text of a help line starts, given its block's text column (`None` for the
/// block's first row): a continuation line has only spaces before that column; a row has its
/// label, a run of at least two spaces, then its text. `None` when a label runs into its text.
fn help_text_column(line: &str, column: Option<usize>) -> Option<usize> {
    let chars: Vec<char> = line.chars().collect();
    let first_text = |from: usize| (from..chars.len()).find(|&i| chars[i] != ' ');
    let start = first_text(0)?;
    if Some(start) == column {
        return column;
    }
    let gap = (start..chars.len().saturating_sub(1)).find(|&i| chars[i] == ' ' && chars[i + 1] == ' ')?;
    first_text(gap)
}

/// Every two-column block of the help (tags, flags, record modes, environment; a tag's
/// operations; an operation's flags) starts its text at one column, at least one space after
/// the longest label: no label runs into its text, as `--orgMembershipStatuses STATUSPENDING, …`
/// did (issue 14).
#[test]
fn atlas_api_help_columns_are_separated() {
    let fake = FakeAtlas::start_day_independent();
    let cases: [(&[&str], &[&str]); 3] = [
        (&["--help"], &["tags (", "other flags:", "record once", "environment"]),
        (&["mongoDbCloudUsers", "listGroupUsers", "--help"], &["flags:"]),
        (&["projects", "--help"], &["projects: "]),
    ];
    for (args, tables) in cases {
        let help = cli(&fake, args).expect_code(0).stdout;
        let mut blocks = 0;
        let mut lines = help.lines();
        while let Some(header) = lines.next() {
            if !tables.iter().any(|t| header.starts_with(t)) {
                continue;
            }
            blocks += 1;
            let mut column = None;
            for line in lines.by_ref().take_while(|l| !l.is_empty()) {
                let at = help_text_column(line, column).unwrap_or_else(|| panic!("{args:?}: no gap in {line:?}"));
                assert_eq!(*column.get_or_insert(at), at, "{args:?}: {line:?} off the column of {header:?}");
            }
            assert!(column.is_some(), "{header:?} has rows");
        }
        assert_eq!(blocks, tables.len(), "{args:?}:\n{help}");
    }
    assert_eq!(fake.counters().requests, 0);
}

/// A pipe whose reader has gone: writing to it fails with `EPIPE` (deterministically: the
/// reading end is closed before the program starts).
#[cfg(unix)]
fn closed_pipe() -> Stdio {
    let (reader, writer) = std::os::unix::net::UnixStream::pair().expect("socket pair");
    drop(reader);
    Stdio::from(std::os::fd::OwnedFd::from(writer))
}

/// Regression: `--help` into a closed stdout, or a usage error into a closed stderr, panicked
/// ("failed printing to stdout: Broken pipe", exit 101). It must exit quietly.
#[cfg(unix)]
#[test]
fn atlas_api_exits_quietly_when_its_output_pipe_is_closed() {
    let program = example("atlas-api");
    let help = Command::new(&program).arg("--help").stdout(closed_pipe()).stderr(Stdio::piped()).output();
    let help = help.expect("run --help");
    assert_eq!(help.status.code(), Some(0), "{}", String::from_utf8_lossy(&help.stderr));
    assert_eq!(String::from_utf8_lossy(&help.stderr), "", "nothing on stderr either");
    for args in [&["teams"][..], &["projects", "listGroupInvites", "--bogus"]] {
        let usage = Command::new(&program).args(args).stdout(Stdio::piped()).stderr(closed_pipe()).output();
        let usage = usage.expect("run a usage error");
        assert_eq!(usage.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&usage.stdout));
        assert_eq!(String::from_utf8_lossy(&usage.stdout), "", "{args:?}");
    }
}

/// Issue 14: every other example we ship (both crates') exits as it would with its output
/// read, when its stdout or its stderr is a closed pipe: never `println!`'s panic (exit status
/// 101, "failed printing to stdout: Broken pipe"). (`atlas-api` above; `fake-atlas` in the
/// testing crate's tests.)
#[cfg(unix)]
#[test]
fn every_example_exits_quietly_when_its_output_pipe_is_closed() {
    let fake = FakeAtlas::start_day_independent();
    let (c, base) = (fake.config().clone(), fake.base_url());
    let [url, public, private] = fake_env(&base, &c.public_key, &c.private_key);
    let bench_env = [url, public, private, ("MONGODB_ATLAS_GROUP_ID", c.group_id.as_str())];
    let half_key = [("MONGODB_ATLAS_PUBLIC_API_KEY", "abcdefgh")];
    // (example, arguments, environment, which stream is closed, exit status)
    let cases: [(&str, &[&str], &Env, &str, i32); 8] = [
        ("quickstart", &[], &[], "stdout", 0),
        ("quickstart-users", &[], &[], "stdout", 0),
        ("quickstart-async", &[], &[], "stdout", 0),
        ("e2e-bench", &["ureq", "2"], &bench_env, "stdout", 0),
        // Errors, told on stderr.
        ("quickstart", &[], &half_key, "stderr", 2),
        ("quickstart-users", &[], &half_key, "stderr", 2),
        ("quickstart-async", &[], &half_key, "stderr", 2),
        ("e2e-bench", &[], &[], "stderr", 1),
    ];
    for (name, args, env, closed, code) in cases {
        let program = example(name);
        let mut cmd = command(&program, args, env);
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        if closed == "stdout" {
            cmd.stdout(closed_pipe());
        } else {
            cmd.stderr(closed_pipe());
        }
        let run = finish(cmd.spawn().expect("spawn example"), &program, args);
        let shown = format!("{name} {args:?} into a closed {closed}\nstdout: {}\nstderr: {}", run.stdout, run.stderr);
        assert_eq!(run.code, code, "{shown}");
        assert!(!run.stderr.contains("panicked") && !run.stdout.contains("panicked"), "{shown}");
    }
}

/// `atlas-api migrate plan|apply`: invalid input exits 2 with nothing sent; plan sends no
/// POST or DELETE; apply replaces a pending project invitation, skips an expired one and adds
/// the invited roles an existing user lacks before deleting its invitation (plan and report
/// in the same words); a second apply changes nothing; an invitation that cannot be replaced
/// exits 1.
#[test]
fn atlas_api_migrate_plan_apply_and_rerun() {
    let fake = FakeAtlas::start_day_independent();
    let g = fake.config().group_id.clone();
    let t = fake.now();
    fake.seed_invitation(false, "ada@example.com", &["GROUP_READ_ONLY"], t);
    fake.seed_invitation(false, "old@example.com", &["GROUP_READ_ONLY"], t - Duration::from_secs(31 * 86_400));
    fake.seed_invitation(false, "eve@example.com", &["GROUP_READ_ONLY", "GROUP_OWNER"], t);
    let eve = r#"{"username":"eve@example.com","roles":["GROUP_READ_ONLY"]}"#;
    cli(&fake, &["mongoDbCloudUsers", "addGroupUsers", "--groupId", &g, "--data", eve]).expect_code(0);
    fake.reset_counters();
    let writes = |fake: &FakeAtlas| {
        let by_op = fake.counters().by_operation;
        ["addGroupUsers", "deleteGroupInvite"].map(|op| by_op.get(op).copied().unwrap_or(0))
    };
    for bad in
        [&["migrate", "plan", "--groupId", "nope"][..], &["migrate", "apply"], &["migrate", "undo", "--groupId", &g]]
    {
        let run = cli(&fake, bad).expect_code(2);
        assert!(run.stderr.contains("atlas-api:"), "{bad:?}: {}", run.stderr);
    }
    assert_eq!(fake.counters().api_requests, 0, "invalid input sends nothing");

    let plan: Value =
        serde_json::from_str(&cli(&fake, &["migrate", "plan", "--groupId", &g]).expect_code(0).stdout).unwrap();
    let entries = plan["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(
        (entries[0]["username"].as_str(), entries[0]["action"].as_str()),
        (Some("ada@example.com"), Some("replace"))
    );
    let calls: Vec<&str> =
        entries[0]["calls"].as_array().unwrap().iter().map(|c| c["operationId"].as_str().unwrap()).collect();
    assert_eq!(calls, ["addGroupUsers", "deleteGroupInvite"]);
    assert_eq!((entries[1]["action"].as_str(), entries[1]["expired"].as_bool()), (Some("skip"), Some(true)));
    assert_eq!(entries[2]["action"], "add_roles", "{plan}");
    let calls: Vec<&str> =
        entries[2]["calls"].as_array().unwrap().iter().map(|c| c["operationId"].as_str().unwrap()).collect();
    assert_eq!(calls, ["addGroupUserRole", "deleteGroupInvite"]);
    assert_eq!(writes(&fake), [0, 0], "plan is read-only");

    let report: Value =
        serde_json::from_str(&cli(&fake, &["migrate", "apply", "--groupId", &g]).expect_code(0).stdout).unwrap();
    let actions: Vec<&str> =
        report["users"].as_array().unwrap().iter().map(|u| u["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["replace", "skip", "add_roles"]);
    assert_eq!(
        (report["changes"].as_u64(), report["summary"].as_str()),
        (Some(2), Some("2 invitees changed, no failures"))
    );
    assert_eq!(writes(&fake), [1, 2]);
    assert_eq!(fake.counters().by_operation.get("addGroupUserRole"), Some(&1));
    let again: Value =
        serde_json::from_str(&cli(&fake, &["migrate", "apply", "--groupId", &g]).expect_code(0).stdout).unwrap();
    assert_eq!((again["changes"].as_u64(), again["summary"].as_str()), (Some(0), Some("nothing to change")));
    assert_eq!(writes(&fake), [1, 2], "the re-run sent no POST or DELETE");

    // A project invitation holding an org role cannot become an addGroupUsers body: exit 1.
    let odd = FakeAtlas::start_day_independent();
    odd.seed_invitation(false, "odd@example.com", &["ORG_MEMBER"], odd.now());
    let g = odd.config().group_id.clone();
    let run = cli(&odd, &["migrate", "apply", "--groupId", &g]).expect_code(1);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["users"][0]["action"], "fail");
    assert!(report["users"][0]["reason"].as_str().unwrap().contains("cannot build the replacement"), "{report}");
}

// ---------------------------------------------------------------------------------------------
// atlas-api --cassette: record once, replay with no server, no credentials and no socket
// ---------------------------------------------------------------------------------------------

/// Recognisable credentials: no cassette may hold any of them.
const REC_PUBLIC: &str = "recpubk9";
const REC_PRIVATE: &str = "RECOGNISABLE-private-key-0042";
const REC_CLIENT_ID: &str = "mdb_sa_id_RECOGNISABLE0042";
const REC_SECRET: &str = "mdb_sa_sk_RECOGNISABLE0secret0042";

/// N from the `atlas-api: cassette FILE: N exchanges recorded|replayed` line on stderr.
fn exchanges(run: &Run, verb: &str) -> usize {
    let tail = format!(" exchanges {verb}");
    let line = run.stderr.lines().find(|l| l.starts_with("atlas-api: cassette ") && l.ends_with(&tail));
    let line = line.unwrap_or_else(|| panic!("no `{tail}` line in:\n{}", run.stderr));
    let count = line.trim_end_matches(&tail).rsplit(' ').next().expect("a count");
    count.parse().unwrap_or_else(|e| panic!("{line}: {e}"))
}

/// Standard base64 with padding (the form of a Basic header), for looking for it.
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            let c = if i <= chunk.len() { char::from(ABC[(n >> (18 - 6 * i) & 63) as usize]) } else { '=' };
            out.push(c);
        }
    }
    out
}

/// `atlas-api` arguments inviting ada@example.com to project `group` as a read-only member.
fn create_ada(group: &str) -> [&str; 6] {
    let data = r#"{"username":"ada@example.com","roles":["GROUP_READ_ONLY"]}"#;
    ["projects", "createGroupInvite", "--groupId", group, "--data", data]
}

/// A fresh directory for this test's cassettes.
fn cassette_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("cassette directory");
    dir
}

/// Environment variables for a run.
type Env<'a> = [(&'a str, &'a str)];

/// One CLI run recorded to a cassette.
struct Take {
    args: Vec<String>,
    file: String,
    run: Run,
    exchanges: usize,
    /// Recorded with the API key (else the service account).
    api_key: bool,
}

/// A session recorded through the CLI (`--record-mode record`) against the fake, with an API
/// key and with a service account; the fake is stopped; every run is replayed from its
/// cassette (`--record-mode replay`, and `CI=1` with no mode) with no credentials, a
/// never-served listener as the base URL and three proxy variables
/// pointing at another: the same stdout, exit status and exchange count, and 0 connections.
/// No cassette holds a secret; a request not in the cassette fails with a readable diff.
#[test]
fn atlas_api_records_a_session_and_replays_it_with_no_server_and_no_socket() {
    let dir = cassette_dir("atlas-api-cassettes");
    let config = FakeConfig {
        public_key: REC_PUBLIC.into(),
        private_key: REC_PRIVATE.into(),
        client_id: REC_CLIENT_ID.into(),
        client_secret: REC_SECRET.into(),
        serve_past_sunset: true,
        ..FakeConfig::default()
    };
    let fake = FakeAtlas::start_with(config).expect("fake");
    fake.seed_users(7, OrgMembershipStatus::Active, true).unwrap();
    fake.seed_invitation(false, "old@example.com", &["GROUP_READ_ONLY"], fake.now());
    let (g, o, base) = (fake.config().group_id.clone(), fake.config().org_id.clone(), fake.base_url());
    let api_key = fake_env(&base, REC_PUBLIC, REC_PRIVATE).to_vec();
    let service_account = vec![
        ("MONGODB_ATLAS_BASE_URL", base.as_str()),
        ("MONGODB_ATLAS_CLIENT_ID", REC_CLIENT_ID),
        ("MONGODB_ATLAS_CLIENT_SECRET", REC_SECRET),
    ];
    let missing_id = "0123456789abcdef01234567";
    let session: Vec<(&str, &Env, Vec<&str>, i32)> = vec![
        ("create", &api_key, create_ada(&g).to_vec(), 0),
        // The inviter is the public key: recorded and replayed as PUBLIC-KEY alike.
        ("list", &api_key, vec!["projects", "listGroupInvites", "--groupId", &g], 0),
        ("missing", &api_key, vec!["projects", "getGroupInvite", "--groupId", &g, "--invitationId", missing_id], 1),
        (
            "users",
            &service_account,
            vec!["mongoDbCloudUsers", "listOrgUsers", "--orgId", &o, "--itemsPerPage", "3", "--all-pages", "--pretty"],
            0,
        ),
        ("plan", &service_account, vec!["migrate", "plan", "--groupId", &g], 0),
    ];
    let mut takes = Vec::new();
    for (name, env, args, code) in session {
        let file = dir.join(format!("{name}.json")).to_string_lossy().into_owned();
        let mut args: Vec<String> = args.into_iter().map(str::to_owned).collect();
        args.extend(["--cassette".to_owned(), file.clone()]);
        let record: Vec<&str> = args.iter().map(String::as_str).chain(["--record-mode", "record"]).collect();
        let run = run_program(&example("atlas-api"), &record, env, None).expect_code(code);
        let exchanges = exchanges(&run, "recorded");
        takes.push(Take { args, file, run, exchanges, api_key: env == &api_key[..] });
    }
    let counts: Vec<usize> = takes.iter().map(|t| t.exchanges).collect();
    // A Digest challenge then the call; a token exchange then 3 pages; a token exchange then
    // the plan's reads (the invitations, the project's users).
    assert_eq!(counts, [2, 2, 2, 4, 4], "exchanges per run");
    assert!(takes[1].run.stdout.contains(r#""inviterUsername":"PUBLIC-KEY""#), "{}", takes[1].run.stdout);
    assert!(takes[2].run.stderr.contains(r#""error":404"#), "{}", takes[2].run.stderr);
    assert_eq!(takes[3].run.json().as_array().map(Vec::len), Some(7));
    assert!(takes[4].run.stdout.contains("old@example.com"), "{}", takes[4].run.stdout);

    // No secret, in any form, nor the recorded host, in any cassette. (The public key is this
    // session's identity only when it is the API key's: a service account's recording does not
    // know the key that made an invitation it lists; see `inviterUsername` in plan.json.)
    let basic = format!("{REC_CLIENT_ID}:{REC_SECRET}");
    let basic64 = base64(basic.as_bytes());
    let private64 = base64(REC_PRIVATE.as_bytes());
    for take in &takes {
        let text = std::fs::read_to_string(&take.file).expect("a cassette");
        let host = base.trim_start_matches("http://");
        for secret in [REC_PRIVATE, REC_CLIENT_ID, REC_SECRET, &basic, &basic64, &private64, host] {
            assert!(!text.contains(secret), "{} holds {secret:?}", take.file);
        }
        assert_eq!(text.contains(REC_PUBLIC), !take.api_key && take.file.ends_with("plan.json"), "{}", take.file);
        let run = &take.run;
        for secret in [REC_PRIVATE, REC_SECRET] {
            assert!(!run.stdout.contains(secret) && !run.stderr.contains(secret), "printed {secret:?}");
        }
    }

    // Stop the fake; tripwires as the replay's base URL and as the proxy. (Not at the fake's old
    // port: parallel tests' outgoing connections may hold that port number; the cassette holds
    // no host anyway, so the base URL is the only address a replay could reach for.)
    drop(fake);
    let target = Tripwire::bind().expect("target tripwire");
    let proxy = Tripwire::bind().expect("proxy tripwire");
    let (target_url, proxy_url) = (target.url(), proxy.url());
    let offline = [
        ("MONGODB_ATLAS_BASE_URL", target_url.as_str()),
        ("HTTPS_PROXY", proxy_url.as_str()),
        ("HTTP_PROXY", proxy_url.as_str()),
        ("ALL_PROXY", proxy_url.as_str()),
    ];
    let ci: Vec<(&str, &str)> = offline.iter().copied().chain([("CI", "1")]).collect();
    for take in &takes {
        let args: Vec<&str> = take.args.iter().map(String::as_str).collect();
        let replay: Vec<&str> = args.iter().copied().chain(["--record-mode", "replay"]).collect();
        // With CI set, the mode is replay whatever is asked.
        let forced: Vec<&str> = args.iter().copied().chain(["--record-mode", "record"]).collect();
        for (args, env) in [(&replay, &offline[..]), (&args, &ci[..]), (&forced, &ci[..])] {
            let run = run_program(&example("atlas-api"), args, env, None).expect_code(take.run.code);
            assert_eq!(run.stdout, take.run.stdout, "{args:?}: the replay printed something else");
            assert_eq!(exchanges(&run, "replayed"), take.exchanges, "{args:?}");
        }
    }

    // A request the cassette has no answer for: exit 1, the nearest recorded request and the
    // differing field on stderr.
    let other_id = "0123456789abcdef0123456a";
    let miss: Vec<&str> = ["projects", "getGroupInvite", "--groupId", &g, "--invitationId", other_id]
        .into_iter()
        .chain(["--cassette", &takes[2].file, "--record-mode", "replay"])
        .collect();
    let run = run_program(&example("atlas-api"), &miss, &offline, None).expect_code(1);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("no recorded interaction matches GET /api/atlas/v2/groups/"), "{}", run.stderr);
    // The unsigned probe takes the recorded challenge (it does not depend on the path); the
    // signed request misses, nearest the recorded signed get (interaction 1, after its probe).
    assert!(run.stderr.contains("; nearest is interaction 1 (GET "), "{}", run.stderr);
    let diff = run.stderr.lines().find(|l| l.trim_start().starts_with("path: ")).expect("a diff line");
    assert!(diff.contains(other_id) && diff.contains(missing_id), "{diff}");
    // A command that uses less than was recorded (one page of three): exit 1, what was left.
    let users: Vec<&str> = takes[3].args.iter().map(String::as_str).filter(|a| *a != "--all-pages").collect();
    let run = run_program(&example("atlas-api"), &users, &ci, None).expect_code(1);
    assert!(run.stderr.contains("recorded exchanges were not replayed"), "{}", run.stderr);
    // Replay needs the cassette: a missing one is refused before anything is sent.
    let nothing = dir.join("never-recorded.json").to_string_lossy().into_owned();
    let absent = ["projects", "listGroupInvites", "--groupId", &g, "--cassette", &nothing];
    let run = run_program(&example("atlas-api"), &absent, &ci, None).expect_code(2);
    assert!(run.stderr.contains("never-recorded.json"), "{}", run.stderr);

    assert_eq!(target.connections(), 0, "a replay connected to its base URL");
    assert_eq!(proxy.connections(), 0, "a replay connected through the proxy");
}

/// `new-episodes` grows one cassette command by command: what it holds replays, the rest is
/// recorded and appended; a replay of one command from it then needs `--allow-unused` (the
/// other commands' exchanges stay unused), and prints what the recording printed.
#[test]
fn atlas_api_new_episodes_grows_a_cassette_that_replays_each_command() {
    let dir = cassette_dir("atlas-api-new-episodes");
    let file = dir.join("session.json").to_string_lossy().into_owned();
    let fake = FakeAtlas::start_day_independent();
    let g = fake.config().group_id.clone();
    let create = create_ada(&g);
    let list = ["projects", "listGroupInvites", "--groupId", &g];
    let tape = ["--cassette", file.as_str(), "--record-mode", "new-episodes"];
    let first = cli(&fake, &[&create[..], &tape[..]].concat()).expect_code(0);
    assert_eq!(exchanges(&first, "recorded"), 2);
    let second = cli(&fake, &[&list[..], &tape[..]].concat()).expect_code(0);
    assert_eq!(exchanges(&second, "recorded"), 2, "{}", second.stderr);
    // Run again: the list is answered from the cassette, nothing new is recorded.
    let requests = fake.counters().requests;
    let again = cli(&fake, &[&list[..], &tape[..]].concat()).expect_code(0);
    assert_eq!(fake.counters().requests, requests, "a held exchange was sent again: {}", again.stderr);
    let text = std::fs::read_to_string(&file).expect("the cassette");
    // create and list signed, and one challenge: list's live probe superseded create's
    // recorded one (any replay takes a recorded challenge, whatever its path).
    assert_eq!(text.matches("\"operation\"").count(), 3, "{text}");

    drop(fake);
    let target = Tripwire::bind().expect("target tripwire");
    let offline = [("MONGODB_ATLAS_BASE_URL", target.url()), ("CI", "1".to_owned())];
    let offline: Vec<(&str, &str)> = offline.iter().map(|(k, v)| (*k, v.as_str())).collect();
    for (args, recorded) in [(&create[..], &first), (&list[..], &second)] {
        let strict = [args, &["--cassette", file.as_str()][..]].concat();
        let run = run_program(&example("atlas-api"), &strict, &offline, None).expect_code(1);
        assert!(run.stderr.contains("--allow-unused permits it"), "{}", run.stderr);
        let allowed = [&strict[..], &["--allow-unused"][..]].concat();
        let run = run_program(&example("atlas-api"), &allowed, &offline, None).expect_code(0);
        assert_eq!(run.stdout, recorded.stdout);
        assert!(run.stderr.contains("1 recorded exchanges not used (allowed)"), "{}", run.stderr);
    }
    assert_eq!(target.connections(), 0);
}

/// A recording that Atlas did not answer (here: failed authentication) leaves the cassette as
/// it was: a bad key or a network blip never replaces a good recording.
#[test]
fn atlas_api_keeps_the_cassette_when_a_recording_gets_no_answer() {
    let dir = cassette_dir("atlas-api-failed-recording");
    let file = dir.join("good.json").to_string_lossy().into_owned();
    let fake = FakeAtlas::start_day_independent();
    let (c, base) = (fake.config().clone(), fake.base_url());
    let args =
        ["projects", "listGroupInvites", "--groupId", &c.group_id, "--cassette", &file, "--record-mode", "record"];
    cli(&fake, &args).expect_code(0);
    let good = std::fs::read_to_string(&file).expect("the first recording");
    let wrong = fake_env(&base, &c.public_key, "not-the-private-key");
    let run = run_program(&example("atlas-api"), &args, &wrong, None).expect_code(1);
    assert!(run.stderr.contains("not written (2 exchanges): authentication failed ("), "{}", run.stderr);
    assert!(!run.stderr.contains("exchanges recorded"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&file).expect("still there"), good, "the good cassette was replaced");
}

/// A recording of `migrate apply` in which one create gets Atlas's 403 is saved: Atlas
/// answered, and the answer is worth keeping. The run exits 1 (an invitee failed, its
/// invitation kept); the cassette replays offline with the same report and exit status.
#[test]
fn atlas_api_saves_a_migrate_recording_whose_create_got_an_atlas_error() {
    let dir = cassette_dir("atlas-api-migrate-403");
    let file = dir.join("migrate.json").to_string_lossy().into_owned();
    let fake = FakeAtlas::start_day_independent();
    let g = fake.config().group_id.clone();
    fake.seed_invitation(false, "ada@example.com", &["GROUP_READ_ONLY"], fake.now());
    fake.seed_invitation(false, "bob@example.com", &["GROUP_READ_ONLY"], fake.now());
    fake.inject_on("addGroupUsers", Fault::Forbidden, 1);
    let args = ["migrate", "apply", "--groupId", &g, "--cassette", &file];
    let run = cli(&fake, &[&args[..], &["--record-mode", "record"]].concat()).expect_code(1);
    let report = run.json();
    assert_eq!(
        (report["users"][0]["action"].as_str(), report["users"][1]["action"].as_str()),
        (Some("fail"), Some("replace"))
    );
    assert!(report["users"][0]["reason"].as_str().unwrap().contains("403"), "{report}");
    assert!(exchanges(&run, "recorded") > 0, "{}", run.stderr);
    assert!(!run.stderr.contains("not written"), "{}", run.stderr);
    assert!(Path::new(&file).is_file(), "the recording was thrown away: {}", run.stderr);

    drop(fake);
    let target = Tripwire::bind().expect("target tripwire");
    let offline = [("MONGODB_ATLAS_BASE_URL", target.url()), ("CI", "1".to_owned())];
    let offline: Vec<(&str, &str)> = offline.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let replay = run_program(&example("atlas-api"), &args, &offline, None).expect_code(1);
    assert_eq!(replay.stdout, run.stdout);
    assert_eq!(exchanges(&replay, "replayed"), exchanges(&run, "recorded"));
    assert_eq!(target.connections(), 0);
}

/// A save that fails partway (here: a file size limit, `ulimit -f`, with `SIGXFSZ` ignored so the
/// write fails with `EFBIG`) leaves the previous cassette byte-identical and no temporary file,
/// in `record` and `new-episodes` modes; the run exits 1 and says the cassette was not written.
#[cfg(unix)]
#[test]
fn atlas_api_keeps_the_old_cassette_when_a_save_fails_partway() {
    let dir = cassette_dir("atlas-api-failed-save");
    let file = dir.join("good.json").to_string_lossy().into_owned();
    let fake = FakeAtlas::start_day_independent();
    let (c, base) = (fake.config().clone(), fake.base_url());
    let list = ["projects", "listGroupInvites", "--groupId", &c.group_id, "--cassette", &file];
    cli(&fake, &[&list[..], &["--record-mode", "record"]].concat()).expect_code(0);
    let good = std::fs::read(&file).expect("the first recording");
    // Enough invitations that any new cassette is larger than the limit of 1 block (512 or
    // 1024 bytes, as the shell counts).
    for i in 0..20 {
        fake.seed_invitation(false, &format!("user{i}@example.com"), &["GROUP_READ_ONLY"], fake.now());
    }
    let users = ["mongoDbCloudUsers", "listOrgUsers", "--orgId", &c.org_id, "--cassette", &file];
    let env = fake_env(&base, &c.public_key, &c.private_key);
    let limited = "trap '' XFSZ; ulimit -f 1; exec \"$0\" \"$@\"";
    let program = example("atlas-api");
    for args in
        [[&list[..], &["--record-mode", "record"]].concat(), [&users[..], &["--record-mode", "new-episodes"]].concat()]
    {
        let argv: Vec<&str> =
            ["-c", limited, program.to_str().expect("a UTF-8 path")].into_iter().chain(args).collect();
        let run = run_program(Path::new("/bin/sh"), &argv, &env, None).expect_code(1);
        assert!(run.stderr.contains("cannot write the cassette"), "{}", run.stderr);
        assert!(!run.stderr.contains("exchanges recorded"), "{}", run.stderr);
        assert!(std::fs::read(&file).expect("still there") == good, "the good cassette was damaged");
        let names: Vec<String> =
            std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        assert_eq!(names, ["good.json"], "a temporary file was left behind");
    }
}

/// 0 sockets, counted by the kernel: `strace -f -e trace=socket,connect` around the CLI
/// replaying a cassette sees no `socket` or `connect` call at all, while around the recording
/// it sees them (so the count can see one). Under CI a missing `strace` is a failure (`.ci/run`
/// installs it); where ptrace is not permitted the test says so and stops.
#[test]
fn atlas_api_replay_makes_no_socket_syscall() {
    let dir = cassette_dir("atlas-api-strace");
    let file = dir.join("list.json").to_string_lossy().into_owned();
    let fake = FakeAtlas::start_day_independent();
    let (c, base) = (fake.config().clone(), fake.base_url());
    let args = ["projects", "listGroupInvites", "--groupId", &c.group_id, "--cassette", &file];
    let traced = |args: &[&str], env: &Env, trace: &Path| {
        let out = trace.to_string_lossy().into_owned();
        let cli = example("atlas-api").to_string_lossy().into_owned();
        let strace = ["-f", "-e", "trace=socket,connect", "-o", &out, &cli];
        let run = run_program(Path::new("strace"), &[&strace[..], args].concat(), env, None);
        let calls = std::fs::read_to_string(trace).unwrap_or_default();
        (run, calls.lines().filter(|l| l.contains("socket(") || l.contains("connect(")).count())
    };
    if Command::new("strace").arg("-V").stdout(Stdio::null()).stderr(Stdio::null()).status().is_err() {
        assert!(
            !atlas_admin_testing::cassette::Mode::in_ci(),
            "strace is missing in CI; .ci/run should have installed it"
        );
        eprintln!("SKIPPED: strace is not installed");
        return;
    }
    let env = fake_env(&base, &c.public_key, &c.private_key);
    let record = [&args[..], &["--record-mode", "record"][..]].concat();
    let (recorded, live_calls) = traced(&record, &env, &dir.join("record.trace"));
    if recorded.code != 0 && recorded.stderr.contains("ptrace") {
        eprintln!("SKIPPED: ptrace is not permitted here: {}", recorded.stderr.trim());
        return;
    }
    assert_eq!(recorded.code, 0, "{}", recorded.stderr);
    assert!(live_calls >= 2, "the recording's socket and connect calls are seen ({live_calls})");
    drop(fake);
    let (replayed, calls) =
        traced(&[&args[..], &["--record-mode", "replay"][..]].concat(), &[], &dir.join("replay.trace"));
    assert_eq!(replayed.code, 0, "{}", replayed.stderr);
    assert_eq!(replayed.stdout, recorded.stdout);
    assert_eq!(calls, 0, "the replay made socket or connect calls");
}

/// `--record-mode` is checked (the accepted names listed) and needs `--cassette`; the help
/// lists the modes.
#[test]
fn atlas_api_cassette_flags_are_checked() {
    let fake = FakeAtlas::start_day_independent();
    let g = fake.config().group_id.clone();
    let list = ["projects", "listGroupInvites", "--groupId", &g];
    let run = cli(&fake, &[&list[..], &["--cassette", "x.json", "--record-mode", "sometimes"]].concat()).expect_code(2);
    assert!(run.stderr.contains(r#"unknown mode "sometimes": expected once, replay"#), "{}", run.stderr);
    let run = cli(&fake, &[&list[..], &["--record-mode", "replay"]].concat()).expect_code(2);
    assert!(run.stderr.contains("--record-mode needs --cassette FILE"), "{}", run.stderr);
    let run = cli(&fake, &[&list[..], &["--cassette"]].concat()).expect_code(2);
    assert!(run.stderr.contains("--cassette needs a value"), "{}", run.stderr);
    assert_eq!(fake.counters().requests, 0, "nothing sent");
    let help = cli(&fake, &["--help"]).expect_code(0).stdout;
    for needle in ["--cassette FILE", "--record-mode MODE", "    once ", "    replay ", "    record "] {
        assert!(help.contains(needle), "{needle:?} in:\n{help}");
    }
}

/// Progress on stderr (`--all-pages`, `migrate`): piped, stderr holds none of it; on a
/// terminal (a pseudo-terminal from util-linux `script`), the line appears there.
#[test]
fn atlas_api_progress_is_shown_only_on_a_terminal() {
    let fake = FakeAtlas::start_day_independent();
    fake.seed_users(1234, OrgMembershipStatus::Active, false).unwrap();
    fake.seed_invitation(true, "ada@example.com", &["ORG_MEMBER"], fake.now());
    let o = fake.config().org_id.clone();
    let all_pages =
        ["mongoDbCloudUsers", "listOrgUsers", "--orgId", o.as_str(), "--itemsPerPage", "500", "--all-pages"];
    let plan = ["migrate", "plan", "--orgId", o.as_str()];
    for args in [&all_pages[..], &plan[..]] {
        let piped = cli(&fake, args).expect_code(0);
        // (Only the deprecation warning of the invitation endpoints that migrate reads.)
        let extra = piped.stderr.lines().filter(|l| !l.starts_with("atlas-api: warning: listOrgInvites is deprecated"));
        assert_eq!(extra.collect::<Vec<_>>(), Vec::<&str>::new(), "{args:?}: nothing extra on a pipe");
    }
    let script = Path::new("/usr/bin/script");
    if !script.is_file() {
        assert!(std::env::var_os("CI").is_none(), "util-linux `script` is needed for the terminal half of this test");
        return;
    }
    let (c, base) = (fake.config(), fake.base_url());
    let program = example("atlas-api");
    let waits = [
        (&all_pages[..], "items so far"),
        (&plan[..], "invitees looked up"),
        (&all_pages[..], "listOrgUsers: Atlas answered 429 Too Many Requests (retried if the policy allows)"),
    ];
    for (run, (args, expected)) in waits.into_iter().enumerate() {
        if run == 2 {
            // A page refused once with `Retry-After: 1`: the line says what the call waits for.
            fake.inject_on("listOrgUsers", Fault::TooManyRequests { retry_after_secs: 1 }, 1);
        }
        // `script -qec CMD /dev/null`: CMD on a pseudo-terminal (stdout and stderr both).
        let quoted: Vec<String> = std::iter::once(program.to_string_lossy().into_owned())
            .chain(args.iter().map(|a| (*a).to_owned()))
            .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
            .collect();
        let mut cmd = Command::new(script);
        cmd.args(["-qec", &quoted.join(" "), "/dev/null"]);
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().to_ascii_uppercase().starts_with("MONGODB_ATLAS_") {
                cmd.env_remove(&name);
            }
        }
        let out =
            cmd.envs(fake_env(&base, &c.public_key, &c.private_key)).stdin(Stdio::null()).output().expect("run script");
        let terminal = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{args:?}: {terminal}");
        let tail: String = terminal.chars().rev().take(1000).collect::<Vec<_>>().into_iter().rev().collect();
        assert!(terminal.contains(expected), "{args:?}: no progress on the terminal; it ends with:\n{tail}");
    }
}

/// Recording a call whose answer holds a secret shown once (a new API key's private key):
/// the cassette holds `REDACTED`, and the recording run still prints the real key (a replay
/// prints `REDACTED`).
#[test]
fn atlas_api_recording_shows_a_new_secret_and_saves_it_redacted() {
    const NEW_PRIVATE_KEY: &str = "7d1c2b3a-shown-once-private-key";
    let fake = FakeAtlas::start_day_independent();
    fake.on("createOrgApiKey", |_, _| {
        atlas_admin_testing::fake::FakeReply::json(
            200,
            serde_json::json!({"id": "6f1d0a1b2c3d4e5f6a7b8c9d", "desc": "ci", "publicKey": "abcdefgh",
                "privateKey": NEW_PRIVATE_KEY, "roles": [{"roleName": "ORG_MEMBER"}]}),
        )
    })
    .expect("a hook");
    let dir = cassette_dir("secret-answer");
    let tape = dir.join("key.json").display().to_string();
    let org = fake.config().org_id.clone();
    let create = [
        "programmaticApiKeys",
        "createOrgApiKey",
        "--orgId",
        &org,
        "--data",
        r#"{"desc":"ci","roles":["ORG_MEMBER"]}"#,
    ];
    let recorded =
        cli(&fake, &[&create[..], &["--cassette", &tape, "--record-mode", "record"]].concat()).expect_code(0);
    assert_eq!(recorded.json()["privateKey"], NEW_PRIVATE_KEY, "{}", recorded.stderr);
    let saved = std::fs::read_to_string(&tape).expect("the cassette");
    assert!(!saved.contains(NEW_PRIVATE_KEY) && saved.contains("REDACTED"), "{saved}");
    let replayed =
        cli(&fake, &[&create[..], &["--cassette", &tape, "--record-mode", "replay"]].concat()).expect_code(0);
    assert_eq!(replayed.json()["privateKey"], "REDACTED");
    let _ = std::fs::remove_dir_all(&dir);
}
