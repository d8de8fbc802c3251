//! Pages fetched ahead (`.pages_in_flight(n)`, polled together inside the stream) against the
//! fake Atlas: the shared scenarios of `atlas_admin_testing::pages_ahead` through the async
//! client, each walk driven to its end on a Tokio runtime of its own.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use atlas_admin_hyper::Client;
use atlas_admin_hyper::ops::ListOrgUsers;
use atlas_admin_testing::fake::FakeAtlas;
use atlas_admin_testing::pages_ahead::{self, Walked};

fn walk(fake: &FakeAtlas, op: ListOrgUsers, in_flight: u32, after_first: &dyn Fn()) -> Walked {
    let c = fake.config();
    let client = Client::builder()
        .base_url(&fake.base_url())
        .api_key(c.public_key.clone(), c.private_key.clone())
        .no_proxy()
        .build()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let mut pages = client.pages(op).pages_in_flight(in_flight);
        let mut walked = vec![pages.next().await.unwrap()];
        after_first();
        while let Some(page) = pages.next().await {
            walked.push(page);
        }
        walked
    })
}

#[test]
fn one_and_four_in_flight_read_the_same_items_in_order_with_one_request_per_page() {
    pages_ahead::same_items_with_one_and_four_in_flight(walk);
}

#[test]
fn a_429_on_a_page_fetched_ahead_is_waited_out_and_nothing_is_lost() {
    pages_ahead::a_429_on_a_page_fetched_ahead_is_waited_out(walk);
}

#[test]
fn pages_in_flight_past_the_cap_is_clamped() {
    pages_ahead::a_window_past_the_cap_is_clamped(walk);
}

/// The stream holds at most `MAX_PAGES_IN_FLIGHT` pages however large `n` is (the walk above
/// cannot tell: pages the stream drops before they are sent never reach the fake).
#[test]
fn a_stream_never_holds_more_pages_than_the_cap() {
    use atlas_admin_hyper::core::ahead::MAX_PAGES_IN_FLIGHT;
    let client = Client::builder().base_url("http://127.0.0.1:9").api_key("pub", "priv").no_proxy().build().unwrap();
    let op = ListOrgUsers::new("4888442a3354817a7320eb61").unwrap();
    let pages = client.pages(op).pages_in_flight(u32::MAX);
    let debug = format!("{pages:?}");
    assert!(debug.contains(&format!("window: {MAX_PAGES_IN_FLIGHT},")), "{debug}");
}
