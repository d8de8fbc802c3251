//! The scenarios of pages fetched ahead (`client.pages(op).pages_in_flight(n)`), written once
//! for both transports: each hands over how it walks the pages of a list (blocking, or an
//! async stream driven to its end) and the scenario checks the items, their order and the
//! requests against the [fake Atlas](crate::fake).
//!
//! ```ignore
//! atlas_admin_testing::pages_ahead::same_items_with_one_and_four_in_flight(|fake, op, n| {
//!     client(fake).pages(op).pages_in_flight(n).collect()
//! });
//! ```

use crate::fake::{FakeAtlas, Fault};
use atlas_admin_core::OrgMembershipStatus;
use atlas_admin_core::ahead::MAX_PAGES_IN_FLIGHT;
use atlas_admin_core::ops::ListOrgUsers;
use atlas_admin_core::{ApiResponse, Error, OrgUser, Page};
use std::time::Duration;

/// Every page of a walk, as the transport yielded them.
pub type Walked = Vec<Result<ApiResponse<Page<OrgUser>>, Error>>;

/// How a transport walks `op`'s pages against `fake` with `n` in flight; `after_first` runs
/// once the first page has been yielded (to inject a fault on the pages fetched ahead).
pub trait Walk: Fn(&FakeAtlas, ListOrgUsers, u32, &dyn Fn()) -> Walked {}
impl<F: Fn(&FakeAtlas, ListOrgUsers, u32, &dyn Fn()) -> Walked> Walk for F {}

fn op(fake: &FakeAtlas, count: bool) -> ListOrgUsers {
    let op = ListOrgUsers::new(fake.config().org_id.as_str()).and_then(|op| op.items_per_page(100));
    op.unwrap_or_else(|e| panic!("{e}")).include_count(count)
}

/// The usernames of a walk's pages; panics on an error.
fn usernames(pages: &Walked) -> Vec<String> {
    let pages = pages.iter().map(|p| p.as_ref().unwrap_or_else(|e| panic!("{e}")));
    pages.flat_map(|p| p.value.results.iter()).map(|u| u.username.clone().unwrap_or_default()).collect()
}

/// Every username the fake holds, in its order.
fn expected(fake: &FakeAtlas) -> Vec<String> {
    fake.org_users().iter().map(|u| u["username"].as_str().unwrap_or_default().to_owned()).collect()
}

/// 2,345 users at 100 a page (24 pages, the last one short), with `includeCount` true and
/// false, 1 and 4 in flight: the same items in the same order, each once; one request per page
/// and one Digest challenge, except the pages speculated past the end without a count (fewer
/// than the window).
pub fn same_items_with_one_and_four_in_flight(walk: impl Walk) {
    let fake = FakeAtlas::start_day_independent();
    fake.seed_users(2345, OrgMembershipStatus::Active, false).unwrap();
    let expected = expected(&fake);
    for window in [1, 4] {
        for count in [true, false] {
            fake.reset_counters();
            let users = usernames(&walk(&fake, op(&fake, count), window, &|| {}));
            assert_eq!(users, expected, "{window} in flight, includeCount={count}");
            let c = fake.counters();
            let pages = c.by_operation.get("listOrgUsers").copied().unwrap_or_default();
            if count || window == 1 {
                // totalCount bounds the speculation: not one page past the end.
                assert_eq!((pages, c.requests), (24, 25), "{window} in flight, includeCount={count}");
            } else {
                // Without a count, pages speculated past the end: fewer than the window (an async
                // page dropped before it was sent never reaches the server).
                assert!((24..24 + u64::from(window)).contains(&pages), "{pages} pages");
                assert_eq!(c.requests, pages + 1);
            }
            assert_eq!(c.challenges, 1);
        }
    }
}

/// A 429 with `Retry-After: 0` on one of the pages fetched ahead: that page is fetched once
/// more, waiting what Atlas asked (nothing: the scenario never sleeps); every item comes once,
/// in order; 10 pages + 1 refused + 1 challenge requests. (That the other calls of the
/// session are held while the refused one backs off, and only that long, is the core's
/// `a_429_on_one_call_holds_every_call_of_the_session` and `a_hold_ends_with_the_call_that_set_it`
/// on the virtual clock.)
pub fn a_429_on_a_page_fetched_ahead_is_waited_out(walk: impl Walk) {
    let fake = FakeAtlas::start_day_independent();
    fake.seed_users(1000, OrgMembershipStatus::Active, false).unwrap();
    let refuse_next = || fake.inject_on("listOrgUsers", Fault::TooManyRequests { retry_after_secs: 0 }, 1);
    let pages = walk(&fake, op(&fake, true), 4, &refuse_next);
    assert_eq!(usernames(&pages), expected(&fake));
    let metas: Vec<_> = pages.iter().filter_map(|p| p.as_ref().ok()).map(|p| &p.meta).collect();
    let refused: Vec<Duration> = metas.iter().filter(|m| m.attempts == 2).map(|m| m.waited).collect();
    assert_eq!(refused, [Duration::ZERO], "one page was refused and fetched again after its Retry-After");
    let c = fake.counters();
    let list = c.by_operation.get("listOrgUsers").copied();
    assert_eq!((list, c.requests), (Some(11), 12), "10 pages, 1 refused, 1 challenge");
}

/// `pages_in_flight(64)` without `totalCount` over 3 pages: the window is clamped to
/// [`MAX_PAGES_IN_FLIGHT`], so at most `MAX_PAGES_IN_FLIGHT - 1` pages are fetched past the
/// end (not 63), and every item still comes once, in order.
pub fn a_window_past_the_cap_is_clamped(walk: impl Walk) {
    let fake = FakeAtlas::start_day_independent();
    fake.seed_users(250, OrgMembershipStatus::Active, false).unwrap();
    let users = usernames(&walk(&fake, op(&fake, false), 64, &|| {}));
    assert_eq!(users, expected(&fake));
    let pages = fake.counters().by_operation.get("listOrgUsers").copied().unwrap_or_default();
    assert!((3..3 + u64::from(MAX_PAGES_IN_FLIGHT)).contains(&pages), "{pages} pages requested");
}
