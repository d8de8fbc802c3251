//! The async `client.pages(op)` / `client.all(op)` streams against a canned loopback server: the requests sent
//! (one per page, the other parameters kept, one Digest challenge), every item once, and the
//! ways a walk ends (last page, error, cap).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use atlas_admin_hyper::core::paginate::PaginationError;
use atlas_admin_hyper::{Client, Error, RetryPolicy, ops::ListOrgUsers};
use atlas_admin_testing::canned::*;
use futures_core::Stream;

fn op() -> ListOrgUsers {
    ListOrgUsers::new(ORG_ID).unwrap().include_count(false).items_per_page(2).unwrap()
}

fn client(server: &Server) -> Client {
    Client::builder()
        .base_url(&server.base_url())
        .api_key(PUBLIC_KEY, PRIVATE_KEY)
        .retry(RetryPolicy::none())
        .no_proxy()
        .build()
        .unwrap()
}

#[tokio::test]
async fn all_walks_every_page_once_without_total_count() {
    let server = Server::start(vec![
        challenge(),
        org_users_page(0, 2, Some(2)),
        org_users_page(2, 4, Some(3)),
        org_users_page(4, 5, None),
    ]);
    // The stream and its `next()` are `Send`: a spawned task walks it.
    let client = client(&server);
    let users = tokio::spawn(async move {
        let mut stream = client.all(op());
        let mut users = Vec::new();
        while let Some(user) = stream.next().await {
            users.push(user.unwrap());
        }
        // Through the `Stream` trait too: the walk is over.
        assert!(std::future::poll_fn(|cx| std::pin::Pin::new(&mut stream).poll_next(cx)).await.is_none());
        users
    })
    .await
    .unwrap();
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

#[tokio::test]
async fn pages_carry_their_metadata_and_stop_at_an_empty_page() {
    let server = Server::start(vec![challenge(), org_users_page(0, 2, Some(2)), org_users_page(0, 0, Some(3))]);
    let client = client(&server);
    let mut pages = client.pages(op());
    assert_eq!(pages.next().await.unwrap().unwrap().value.results.len(), 2);
    assert_eq!(pages.next().await.unwrap().unwrap().meta.status, 200);
    assert!(pages.next().await.is_none());
    assert_eq!(pages.pages_read(), 2);
    assert_eq!(server.finish().len(), 3);
}

#[tokio::test]
async fn an_error_mid_walk_is_yielded_once_then_the_walk_ends() {
    let error = response(
        "500 Internal Server Error",
        &[("Content-Type", "application/json")],
        br#"{"error":500,"errorCode":"UNEXPECTED_ERROR","reason":"Internal Server Error"}"#,
    );
    let server = Server::start(vec![challenge(), org_users_page(0, 2, Some(2)), error]);
    let client = client(&server);
    let mut items = client.all(op());
    assert!(items.next().await.unwrap().is_ok() && items.next().await.unwrap().is_ok());
    let e = items.next().await.unwrap().unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(500));
    assert!(items.next().await.is_none());
    assert_eq!(server.finish().len(), 3);
}

#[tokio::test]
async fn the_page_cap_is_an_error_not_a_silent_truncation() {
    let server = Server::start(vec![challenge(), org_users_page(0, 2, Some(2)), org_users_page(2, 4, Some(3))]);
    let client = client(&server);
    let mut stream = client.all(op()).max_pages(2);
    let mut results: Vec<Result<_, Error>> = Vec::new();
    while let Some(r) = stream.next().await {
        results.push(r);
    }
    assert_eq!(results.len(), 5);
    assert!(results[..4].iter().all(Result::is_ok));
    let last = results.into_iter().last().unwrap();
    assert!(matches!(last, Err(Error::Pagination(PaginationError::TooManyPages { max: 2 }))), "{last:?}");
    assert_eq!(server.finish().len(), 3, "no request for page 3");
}

/// The issue's figure through the async stream: 1,234 users at `itemsPerPage=500` are
/// exactly 3 list requests (+1 Digest challenge), every user once, with `includeCount` true
/// and false.
#[tokio::test]
async fn all_reads_1234_users_from_the_fake_in_3_requests_with_and_without_count() {
    use atlas_admin_hyper::OrgMembershipStatus;
    use atlas_admin_testing::fake::FakeAtlas;
    let fake = FakeAtlas::start();
    fake.seed_users(1234, OrgMembershipStatus::Active, true).unwrap();
    let c = fake.config().clone();
    for count in [true, false] {
        fake.reset_counters();
        let client = Client::builder()
            .base_url(&fake.base_url())
            .api_key(c.public_key.clone(), c.private_key.clone())
            .no_proxy()
            .build()
            .unwrap();
        let op = ListOrgUsers::new(&c.org_id).unwrap().items_per_page(500).unwrap().include_count(count);
        let mut stream = client.all(op);
        let mut seen = std::collections::HashSet::new();
        while let Some(user) = stream.next().await {
            assert!(seen.insert(user.unwrap().username.unwrap()), "a user twice");
        }
        assert_eq!(seen.len(), 1234, "includeCount={count}");
        let counters = fake.counters();
        assert_eq!((counters.by_operation["listOrgUsers"], counters.challenges), (3, 1), "includeCount={count}");
    }
}
