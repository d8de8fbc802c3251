//! `client.pages(op)` / `client.all(op)` against a canned loopback server: the requests sent
//! (one per page, the other parameters kept, one Digest challenge), every item once, and the
//! ways a walk ends (last page, error, cap).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use atlas_admin_testing::canned::*;
use atlas_admin_ureq::core::paginate::PaginationError;
use atlas_admin_ureq::{Client, Error, RetryPolicy, ops::ListOrgUsers};

fn op() -> ListOrgUsers {
    ListOrgUsers::new(ORG_ID).unwrap().include_count(false).items_per_page(2).unwrap()
}

fn client(server: &Server) -> Client {
    Client::builder()
        .base_url(&server.base_url())
        .api_key(PUBLIC_KEY, PRIVATE_KEY)
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

#[test]
fn all_walks_every_page_once_without_total_count() {
    let server = Server::start(vec![
        challenge(),
        org_users_page(0, 2, Some(2)),
        org_users_page(2, 4, Some(3)),
        org_users_page(4, 5, None),
    ]);
    let users: Vec<_> = client(&server).all(op()).collect::<Result<_, _>>().unwrap();
    let names: Vec<&str> = users.iter().map(|u| u.username.as_deref().unwrap()).collect();
    assert_eq!(names, ["u0@example.com", "u1@example.com", "u2@example.com", "u3@example.com", "u4@example.com"]);
    let requests = server.finish();
    let path = format!("/api/atlas/v2/orgs/{ORG_ID}/users?includeCount=false&itemsPerPage=2");
    let targets: Vec<&str> = requests.iter().map(|r| r.target.as_str()).collect();
    assert_eq!(targets, [path.clone(), path.clone(), format!("{path}&pageNum=2"), format!("{path}&pageNum=3")]);
    assert_eq!(requests[0].header("authorization"), None, "the challenge probe");
    assert!(requests[1..].iter().all(|r| r.header("authorization").is_some()));
    assert!(requests.iter().all(|r| r.header("accept") == Some("application/vnd.atlas.2025-02-19+json")));
}

#[test]
fn pages_carry_their_metadata_and_stop_at_an_empty_page() {
    let server = Server::start(vec![challenge(), org_users_page(0, 2, Some(2)), org_users_page(0, 0, Some(3))]);
    let client = client(&server);
    let mut pages = client.pages(op());
    assert_eq!(pages.next().unwrap().unwrap().value.results.len(), 2);
    assert_eq!(pages.next().unwrap().unwrap().meta.status, 200);
    assert!(pages.next().is_none());
    assert_eq!(pages.pages_read(), 2);
    assert_eq!(server.finish().len(), 3);
}

#[test]
fn an_error_mid_walk_is_yielded_once_then_the_walk_ends() {
    let error = response(
        "500 Internal Server Error",
        &[("Content-Type", "application/json")],
        br#"{"error":500,"errorCode":"UNEXPECTED_ERROR","reason":"Internal Server Error"}"#,
    );
    let server = Server::start(vec![challenge(), org_users_page(0, 2, Some(2)), error]);
    let client = client(&server);
    let mut items = client.all(op());
    assert!(items.next().unwrap().is_ok() && items.next().unwrap().is_ok());
    let e = items.next().unwrap().unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(500));
    assert!(items.next().is_none());
    assert_eq!(server.finish().len(), 3);
}

#[test]
fn the_page_cap_is_an_error_not_a_silent_truncation() {
    let server = Server::start(vec![challenge(), org_users_page(0, 2, Some(2)), org_users_page(2, 4, Some(3))]);
    let client = client(&server);
    let results: Vec<Result<_, Error>> = client.all(op()).max_pages(2).collect();
    assert_eq!(results.len(), 5);
    assert!(results[..4].iter().all(Result::is_ok));
    let last = results.into_iter().last().unwrap();
    assert!(matches!(last, Err(Error::Pagination(PaginationError::TooManyPages { max: 2 }))), "{last:?}");
    assert_eq!(server.finish().len(), 3, "no request for page 3");
}

mod against_the_fake {
    use atlas_admin_testing::fake::FakeAtlas;
    use atlas_admin_ureq::Client;
    use atlas_admin_ureq::OrgMembershipStatus;
    use atlas_admin_ureq::ops::{ListGroupUsers, ListOrgUsers};
    use std::collections::HashSet;

    fn client(fake: &FakeAtlas) -> Client {
        let c = fake.config();
        Client::builder()
            .base_url(&fake.base_url())
            .api_key(c.public_key.clone(), c.private_key.clone())
            .build()
            .unwrap()
    }

    /// The issue's figure: 1,234 users at `itemsPerPage=500` are exactly 3 list requests (+1
    /// Digest challenge), every user exactly once, with `includeCount` true and false.
    #[test]
    fn all_reads_1234_users_in_3_requests_with_and_without_count() {
        let fake = FakeAtlas::start();
        fake.seed_users(1234, OrgMembershipStatus::Active, true).unwrap();
        let org = fake.config().org_id.clone();
        for count in [true, false] {
            fake.reset_counters();
            let client = client(&fake);
            let op = ListOrgUsers::new(&org).unwrap().items_per_page(500).unwrap().include_count(count);
            let mut seen = HashSet::new();
            for user in client.all(op) {
                assert!(seen.insert(user.unwrap().username.unwrap()), "a user twice");
            }
            assert_eq!(seen.len(), 1234, "includeCount={count}");
            let c = fake.counters();
            assert_eq!((c.by_operation["listOrgUsers"], c.challenges), (3, 1), "includeCount={count}");
        }
        fake.reset_counters();
        let group = fake.config().group_id.clone();
        let n = client(&fake).all(ListGroupUsers::new(&group).unwrap().items_per_page(500).unwrap()).count();
        assert_eq!((n, fake.counters().by_operation["listGroupUsers"]), (1234, 3));
    }

    /// Resident memory while walking 20,000 users (40 pages of 500) stays flat: one page is
    /// held at a time. Linux only (reads `VmRSS`).
    #[cfg(target_os = "linux")]
    #[test]
    #[allow(clippy::print_stderr)]
    fn resident_memory_stays_flat_over_20000_users() {
        fn rss_kib() -> u64 {
            let status = std::fs::read_to_string("/proc/self/status").unwrap();
            let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
            line.split_whitespace().nth(1).unwrap().parse().unwrap()
        }
        let fake = FakeAtlas::start();
        fake.seed_users(20_000, OrgMembershipStatus::Active, false).unwrap();
        let client = client(&fake);
        let op = ListOrgUsers::new(&fake.config().org_id).unwrap().items_per_page(500).unwrap();
        let (mut rss, mut users) = (Vec::new(), 0);
        for page in client.pages(op) {
            users += page.unwrap().value.results.len();
            rss.push(rss_kib());
        }
        assert_eq!((users, rss.len()), (20_000, 40));
        let (after_5, last, peak) = (rss[4], rss[39], *rss.iter().max().unwrap());
        eprintln!("VmRSS KiB after page 1: {}, 5: {after_5}, 20: {}, 40: {last}, peak: {peak}", rss[0], rss[19]);
        // Holding every page would add ~35 pages of decoded users (several MiB); one page at a
        // time keeps pages 5..40 within allocator noise.
        assert!(peak.saturating_sub(after_5) < 4 * 1024, "grew from {after_5} KiB to {peak} KiB: {rss:?}");
    }
}
