//! Pages fetched ahead (`.pages_in_flight(n)`, polled together inside the stream) against
//! the fake Atlas: the same items in the
//! same order as one page at a time, each once, one request per page (+1 Digest challenge),
//! a 429 on one page waited out, and speculation without a count bounded by the window.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use atlas_admin_hyper::Client;
use atlas_admin_hyper::ops::ListOrgUsers;
use atlas_admin_testing::fake::{FakeAtlas, Fault, MembershipStatus};
use std::time::Duration;

fn client(fake: &FakeAtlas) -> Client {
    let c = fake.config();
    Client::builder()
        .base_url(&fake.base_url())
        .api_key(c.public_key.clone(), c.private_key.clone())
        .no_proxy()
        .build()
        .unwrap()
}

fn op(fake: &FakeAtlas, count: bool) -> ListOrgUsers {
    ListOrgUsers::new(&fake.config().org_id).unwrap().items_per_page(100).unwrap().include_count(count)
}

/// Every username the fake holds, in its order.
fn expected(fake: &FakeAtlas) -> Vec<String> {
    fake.org_users().iter().map(|u| u["username"].as_str().unwrap().to_owned()).collect()
}

/// 2,345 users at 100 a page: 24 pages, the last one short.
#[tokio::test]
async fn one_and_four_in_flight_read_the_same_items_in_order_with_one_request_per_page() {
    let fake = FakeAtlas::start();
    fake.seed_users(2345, MembershipStatus::Active, false);
    let expected = expected(&fake);
    for window in [1, 4] {
        for count in [true, false] {
            fake.reset_counters();
            let mut stream = client(&fake).all(op(&fake, count)).pages_in_flight(window);
            let mut users = Vec::new();
            while let Some(user) = stream.next().await {
                users.push(user.unwrap().username.unwrap());
            }
            assert_eq!(users, expected, "{window} in flight, includeCount={count}");
            let c = fake.counters();
            let pages = c.by_operation["listOrgUsers"];
            if count || window == 1 {
                // totalCount bounds the speculation: not one page past the end.
                assert_eq!((pages, c.requests), (24, 25), "{window} in flight, includeCount={count}");
            } else {
                // Without a count, pages speculated past the end: fewer than the window.
                assert!(pages > 24 && pages < 24 + u64::from(window), "{pages} pages");
                assert_eq!(c.requests, pages + 1);
            }
            assert_eq!(c.challenges, 1);
        }
    }
}

/// A 429 with `Retry-After` on a page fetched ahead is waited out (the page is fetched once
/// more), and the walk still yields every item once, in order.
#[tokio::test]
async fn a_429_on_a_page_fetched_ahead_is_waited_out_and_nothing_is_lost() {
    let fake = FakeAtlas::start();
    fake.seed_users(1000, MembershipStatus::Active, false);
    let client = client(&fake);
    let mut pages = client.pages(op(&fake, true)).pages_in_flight(4);
    let first = pages.next().await.unwrap().unwrap();
    // The next list request (one of pages 2-5, in flight together) is refused once.
    fake.inject_on("listOrgUsers", Fault::TooManyRequests { retry_after_secs: 1 }, 1);
    let mut rest = Vec::new();
    while let Some(page) = pages.next().await {
        rest.push(page.unwrap());
    }
    let users: Vec<String> = std::iter::once(first)
        .chain(rest.iter().cloned())
        .flat_map(|p| p.value.results)
        .map(|u| u.username.unwrap())
        .collect();
    assert_eq!(users, expected(&fake));
    let refused: Vec<Duration> = rest.iter().filter(|p| p.meta.attempts == 2).map(|p| p.meta.waited).collect();
    assert_eq!(refused, [Duration::from_secs(1)], "the refused page waited its Retry-After, exactly");
    // Pages of the session not yet sent when the 429 came were held with it (how many is a
    // race); none waited longer than the hold.
    assert!(rest.iter().all(|p| p.meta.waited <= Duration::from_secs(1)));
    let c = fake.counters();
    assert_eq!((c.by_operation["listOrgUsers"], c.requests), (11, 12), "10 pages, 1 refused, 1 challenge");
}
