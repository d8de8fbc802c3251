//! Catalog operations (`catalog::call`, untyped) through the blocking client and the
//! `atlas-api` command line: pagination by the same paginator as the typed lists, downloads,
//! the unauthenticated operation, and the CLI's help and flags for every operation, against
//! loopback servers only (the fake Atlas for a list it serves, canned answers otherwise).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use atlas_admin_testing::canned::{self, Server, challenge, response};
use atlas_admin_testing::fake::FakeAtlas;
use atlas_admin_ureq::OrgMembershipStatus;
use atlas_admin_ureq::core::catalog;
use atlas_admin_ureq::ops::ListOrgUsers;
use atlas_admin_ureq::{Client, RetryPolicy};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const ATLAS_API: &str = env!("CARGO_BIN_EXE_atlas-api");
const GROUP: &str = canned::GROUP_ID;

/// What a run of `atlas-api` printed and how it ended.
struct Run {
    code: i32,
    stdout: Vec<u8>,
    stderr: String,
}

impl Run {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

/// Runs `atlas-api args` with only `env` of the `MONGODB_ATLAS_*` variables, stdout piped;
/// fails the test if it runs longer than a minute.
fn atlas_api(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(ATLAS_API);
    cmd.args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    for (name, _) in std::env::vars_os() {
        let upper = name.to_string_lossy().to_ascii_uppercase();
        if upper.starts_with("MONGODB_ATLAS_") || upper.ends_with("_PROXY") || upper == "CI" {
            cmd.env_remove(&name);
        }
    }
    cmd.envs(env.iter().copied());
    let child = cmd.spawn().expect("spawn atlas-api");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let output = rx.recv_timeout(Duration::from_secs(60)).expect("atlas-api ran longer than a minute").unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: output.stdout,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn canned_env(server: &Server) -> [(&'static str, String); 3] {
    [
        ("MONGODB_ATLAS_BASE_URL", server.base_url()),
        ("MONGODB_ATLAS_PUBLIC_API_KEY", canned::PUBLIC_KEY.to_owned()),
        ("MONGODB_ATLAS_PRIVATE_API_KEY", canned::PRIVATE_KEY.to_owned()),
    ]
}

fn with_env<'a>(env: &'a [(&'static str, String); 3]) -> Vec<(&'static str, &'a str)> {
    env.iter().map(|(n, v)| (*n, v.as_str())).collect()
}

/// A `listGroupClusters` page (2024-08-05) of clusters `from..to`, with a `next` link to page
/// `next` if given.
fn clusters_page(from: usize, to: usize, next: Option<u32>) -> canned::Reply {
    let results: Vec<String> = (from..to).map(|i| format!(r#"{{"name":"Cluster{i}","stateName":"IDLE"}}"#)).collect();
    let mut links = vec![r#"{"href":"http://localhost:8080/self","rel":"self"}"#.to_owned()];
    if let Some(n) = next {
        links.push(format!(
            r#"{{"href":"http://localhost:8080/api/atlas/v2/groups/{GROUP}/clusters?itemsPerPage=2&pageNum={n}","rel":"next"}}"#
        ));
    }
    let body = format!(r#"{{"links":[{}],"results":[{}],"totalCount":5}}"#, links.join(","), results.join(","));
    response("200 OK", &[("Content-Type", "application/vnd.atlas.2024-08-05+json")], body.as_bytes())
}

/// `client.all(op)` walks a catalog list (listOrgUsers, which the fake serves) page by page
/// and gets the same items as the typed operation.
#[test]
fn client_all_walks_a_catalog_list_like_the_typed_one() {
    let fake = FakeAtlas::start();
    fake.seed_users(7, OrgMembershipStatus::Active, false).unwrap();
    let c = fake.config();
    let client = Client::builder()
        .base_url(&fake.base_url())
        .api_key(c.public_key.clone(), c.private_key.clone())
        .build()
        .unwrap();
    let typed: Vec<Value> = client
        .all(ListOrgUsers::new(&c.org_id).unwrap().items_per_page(3).unwrap())
        .map(|u| serde_json::to_value(u.unwrap()).unwrap()["username"].clone())
        .collect();
    fake.reset_counters();
    let op = catalog::call("listOrgUsers").unwrap().param("orgId", &c.org_id).unwrap();
    let op = op.param("itemsPerPage", "3").unwrap().paginated().unwrap();
    let untyped: Vec<Value> = client.all(op.clone()).map(|u| u.unwrap()["username"].clone()).collect();
    assert_eq!(untyped.len(), 7);
    assert_eq!(untyped, typed);
    assert_eq!(fake.counters().by_operation["listOrgUsers"], 3, "pages of 3, 3 and 1");
    assert_eq!(client.pages(op).count(), 3);
}

/// `atlas-api clusters listGroupClusters --all-pages` (an operation only the catalog has)
/// walks every page, keeps the filters and prints one array.
#[test]
fn all_pages_walks_a_catalog_list_across_pages() {
    let server = Server::start(vec![
        challenge(),
        clusters_page(0, 2, Some(2)),
        clusters_page(2, 4, Some(3)),
        clusters_page(4, 5, None),
    ]);
    let env = canned_env(&server);
    let args = [
        "clusters",
        "listGroupClusters",
        "--groupId",
        GROUP,
        "--itemsPerPage",
        "2",
        "--Use-Effective-Instance-Fields",
        "true",
        "--all-pages",
    ];
    let run = atlas_api(&args, &with_env(&env));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let names: Vec<Value> =
        serde_json::from_slice::<Vec<Value>>(&run.stdout).unwrap().iter().map(|c| c["name"].clone()).collect();
    assert_eq!(names, ["Cluster0", "Cluster1", "Cluster2", "Cluster3", "Cluster4"]);
    let requests = server.finish();
    let targets: Vec<&str> = requests.iter().map(|r| r.target.as_str()).collect();
    let base = format!("/api/atlas/v2/groups/{GROUP}/clusters?itemsPerPage=2");
    assert_eq!(targets, [base.clone(), base.clone(), format!("{base}&pageNum=2"), format!("{base}&pageNum=3")]);
    for r in &requests {
        assert_eq!(r.header("accept"), Some("application/vnd.atlas.2024-08-05+json"));
        assert_eq!(r.header("use-effective-instance-fields"), Some("true"));
    }
}

/// A download goes to `--output FILE` (the bytes as sent) or to a piped stdout.
#[test]
fn downloads_go_to_a_file_or_stdout_as_bytes() {
    let csv = b"date,amount\n2024-01-31,12.50\n\x00raw";
    let reply = || response("200 OK", &[("Content-Type", "application/vnd.atlas.2023-01-01+csv")], csv);
    let dir = std::env::temp_dir().join(format!("atlas-api-download-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("invoice.csv");
    let file_text = file.to_string_lossy().into_owned();
    let org = canned::ORG_ID;
    let args = ["invoices", "getOrgInvoiceCsv", "--orgId", org, "--invoiceId", "abc123"];
    for output in [Some(file_text.as_str()), None] {
        let server = Server::start(vec![challenge(), reply()]);
        let env = canned_env(&server);
        let mut all: Vec<&str> = args.to_vec();
        if let Some(path) = output {
            all.extend(["--output", path]);
        }
        let run = atlas_api(&all, &with_env(&env));
        assert_eq!(run.code, 0, "{}", run.stderr);
        match output {
            Some(_) => {
                assert_eq!(std::fs::read(&file).unwrap(), csv);
                assert!(run.stdout.is_empty());
            }
            None => assert_eq!(run.stdout, csv),
        }
        let requests = server.finish();
        assert_eq!(requests[1].target, format!("/api/atlas/v2/orgs/{org}/invoices/abc123/csv"));
        assert_eq!(requests[1].header("accept"), Some("application/vnd.atlas.2023-01-01+csv"));
    }
    let _ = std::fs::remove_dir_all(&dir);
    // --output is only for downloads.
    let run = atlas_api(&["clusters", "listGroupClusters", "--groupId", GROUP, "--output", "x"], &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--output"), "{}", run.stderr);
    assert!(!Path::new("x").exists());
}

/// `atlas-api` takes a path value as meant and sends it encoded exactly once: a CIDR block with
/// a raw `/` or as `%2F` is one `%2F`, an LDAP DN with a space is encoded once.
#[test]
fn path_values_are_sent_encoded_once() {
    let access = format!("/api/atlas/v2/groups/{GROUP}/accessList/10.0.0.0%2F16");
    let user = format!("/api/atlas/v2/groups/{GROUP}/databaseUsers/%24external/CN%3DJane%20Doe%2COU%3Dx");
    let cases: [(&[&str], &str); 3] = [
        (&["projectIpAccessList", "deleteGroupAccessListEntry", "--entryValue", "10.0.0.0/16"], &access),
        (&["projectIpAccessList", "deleteGroupAccessListEntry", "--entryValue", "10.0.0.0%2F16"], &access),
        (
            &["databaseUsers", "getGroupDatabaseUser", "--databaseName", "$external", "--username", "CN=Jane Doe,OU=x"],
            &user,
        ),
    ];
    for (args, target) in cases {
        let reply = response("200 OK", &[("Content-Type", "application/json")], b"{}");
        let server = Server::start(vec![challenge(), reply]);
        let env = canned_env(&server);
        let mut all = args.to_vec();
        all.extend(["--groupId", GROUP]);
        let run = atlas_api(&all, &with_env(&env));
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        let requests = server.finish();
        assert_eq!(requests.len(), 2, "{args:?}");
        assert_eq!(requests[1].target, target, "{args:?}");
    }
}

/// A download reads up to 1 GiB by default, not the 4 MiB of a JSON answer: a 5 MiB CSV is
/// written whole; `--max-bytes` lowers (or raises) the cap, and past it nothing is written.
#[test]
fn a_download_larger_than_4_mib_is_written_whole() {
    let csv: Vec<u8> = b"date,amount\n".iter().copied().cycle().take(5 * 1024 * 1024 + 7).collect();
    let reply = || response("200 OK", &[("Content-Type", "application/vnd.atlas.2023-01-01+csv")], &csv);
    let dir = std::env::temp_dir().join(format!("atlas-api-big-download-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("invoice.csv");
    let file_text = file.to_string_lossy().into_owned();
    let args =
        ["invoices", "getOrgInvoiceCsv", "--orgId", canned::ORG_ID, "--invoiceId", "abc123", "--output", &file_text];
    let server = Server::start(vec![challenge(), reply()]);
    let env = canned_env(&server);
    let run = atlas_api(&args, &with_env(&env));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(std::fs::read(&file).unwrap(), csv);
    server.finish();
    std::fs::remove_file(&file).unwrap();
    // A lower cap: the call fails, nothing is written.
    let server = Server::start(vec![challenge(), reply()]);
    let env = canned_env(&server);
    let mut capped = args.to_vec();
    capped.extend(["--max-bytes", "1048576"]);
    let run = atlas_api(&capped, &with_env(&env));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.to_lowercase().contains("large"), "{}", run.stderr);
    assert!(!file.exists());
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    // A bad cap is a usage error.
    let run = atlas_api(&["invoices", "getOrgInvoiceCsv", "--max-bytes", "0"], &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--max-bytes"), "{}", run.stderr);
}

/// The one operation without auth is sent once, with no Authorization (no Digest probe),
/// even with credentials in the environment.
#[test]
fn the_unauthenticated_operation_is_sent_without_credentials() {
    let body = br#"{"inbound":{"aws":{}},"outbound":{"aws":{}}}"#;
    let server = Server::start(vec![response("200 OK", &[("Content-Type", "application/json")], body)]);
    let env = canned_env(&server);
    let run = atlas_api(&["root", "listControlPlaneIpAddresses"], &with_env(&env));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(serde_json::from_slice::<Value>(&run.stdout).unwrap(), serde_json::from_slice::<Value>(body).unwrap());
    let requests = server.finish();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].header("authorization"), None);
    assert_eq!(requests[0].target, "/api/atlas/v2/unauth/controlPlaneIPAddresses");
    // The library, the same.
    let server = Server::start(vec![response("200 OK", &[("Content-Type", "application/json")], body)]);
    let client = Client::builder()
        .base_url(&server.base_url())
        .api_key(canned::PUBLIC_KEY, canned::PRIVATE_KEY)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    client.execute(&catalog::call("listControlPlaneIpAddresses").unwrap()).unwrap();
    assert_eq!(server.finish()[0].header("authorization"), None);
}

/// Misspelt or misplaced flags, bad values and versions are exit 2, nothing sent, with the
/// flag named and the nearest one suggested.
#[test]
fn invalid_input_is_exit_2_with_a_suggestion() {
    let cases: &[(&[&str], &str)] = &[
        (&["clusters", "listGroupClusters", "--groupId", GROUP, "--itemsPerPag", "5"], "did you mean --itemsPerPage?"),
        (&["clusters", "listGroupClusters", "--groupId", GROUP, "--orgId", GROUP], "does not take --orgId"),
        (&["clusters", "listGroupClusters", "--groupId", GROUP, "--itemsPerPage", "501"], "--itemsPerPage"),
        (&["clusters", "listGroupClusters", "--groupId", GROUP, "--version", "2025-02-19"], "2024-08-05"),
        (&["clusters", "listGroupClusters"], "--groupId"),
        (&["clusters", "listGroupCluster", "--groupId", GROUP], "did you mean listGroupClusters?"),
        (&["clusterz", "listGroupClusters"], "did you mean clusters?"),
        (&["clusters", "createGroupCluster", "--groupId", GROUP], "--data"),
        (&["clusters", "createGroupCluster", "--groupId", GROUP, "--data", "{"], "body"),
        (&["activityFeed", "getGroupActivityFeed", "--groupId", GROUP, "--eventType", "NOPE"], "--eventType"),
    ];
    let server = Server::start(Vec::new());
    let env = canned_env(&server);
    for (args, needle) in cases {
        let run = atlas_api(args, &with_env(&env));
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(needle), "{args:?}: {needle:?} in {}", run.stderr);
        assert!(run.stdout.is_empty());
    }
    assert!(server.finish().is_empty(), "nothing was sent");
}

/// A 100 KB misspelt flag is exit 2 at once: no suggestion is searched for (the edit distance
/// to every flag would be quadratic in it), and it is shown cut short.
#[test]
fn a_huge_misspelt_flag_gets_no_suggestion() {
    let flag = format!("--{}", "itemsPerPag".repeat(100 * 1024 / 11));
    let run = atlas_api(&["clusters", "listGroupClusters", "--groupId", GROUP, &flag, "5"], &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("unknown flag"), "{}", run.stderr);
    assert!(!run.stderr.contains("did you mean"), "{}", run.stderr);
    assert!(run.stderr.len() < 1024, "the flag is not echoed whole: {} bytes", run.stderr.len());
}

/// `--help` lists every tag with its operation count (58 tags: the spec's); `<tag> --help`
/// every operation of the tag with its summary and marks; `<tag> <op> --help` its flags.
#[test]
fn help_lists_tags_operations_and_flags_from_the_catalog() {
    let run = atlas_api(&["--help"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = run.text();
    let tags: Vec<&str> = catalog::tags().iter().filter(|t| !t.endpoints.is_empty()).map(|t| t.cli).collect();
    assert_eq!(tags.len(), 58, "every tag of the spec");
    assert!(text.contains("tags (58;"), "{text}");
    for t in catalog::tags() {
        let line = text.lines().find(|l| l.split_whitespace().next() == Some(t.cli));
        let line = line.unwrap_or_else(|| panic!("{} in:\n{text}", t.cli));
        let n = catalog::all().filter(|e| e.tag == t.cli).count();
        assert_eq!(n, t.operations, "{}: the build has every operation", t.cli);
        assert!(line.ends_with(&format!(" {n} operation{}", if n == 1 { "" } else { "s" })), "{line}");
    }
    assert!(text.contains("migrate apply"));

    let run = atlas_api(&["clusters", "--help"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = run.text();
    let clusters: Vec<_> = catalog::all().filter(|e| e.tag == "clusters").collect();
    assert!(text.contains(&format!("clusters: {} operations", clusters.len())), "{text}");
    for e in &clusters {
        let line = text.lines().find(|l| l.split_whitespace().next() == Some(e.operation_id));
        let line = line.unwrap_or_else(|| panic!("{} in:\n{text}", e.operation_id));
        assert!(line.contains(e.summary), "{line}");
        assert_eq!(line.contains("[paginated]"), e.paginated, "{line}");
        assert_eq!(line.contains("[deprecated]"), e.deprecated, "{line}");
        assert_eq!(line.contains("[preview]"), e.is_preview_only(), "{line}");
    }

    let run = atlas_api(&["clusters", "listGroupClusters", "--help"], &[]);
    let text = run.text();
    assert!(text.contains("GET /api/atlas/v2/groups/{groupId}/clusters"), "{text}");
    assert!(text.contains("--Use-Effective-Instance-Fields true|false"), "{text}");
    assert!(text.contains("--itemsPerPage N"), "{text}");
    assert!(text.contains("(default 2024-08-05)"), "{text}");
}
