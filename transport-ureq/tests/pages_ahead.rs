//! Pages fetched ahead (`.pages_in_flight(n)`) against the fake Atlas: the shared scenarios
//! of `atlas_admin_testing::pages_ahead` through the blocking client.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use atlas_admin_testing::fake::FakeAtlas;
use atlas_admin_testing::pages_ahead::{self, Walked};
use atlas_admin_ureq::Client;
use atlas_admin_ureq::ops::ListOrgUsers;

fn walk(fake: &FakeAtlas, op: ListOrgUsers, in_flight: u32, after_first: &dyn Fn()) -> Walked {
    let c = fake.config();
    let client =
        Client::builder().base_url(&fake.base_url()).api_key(c.public_key.clone(), c.private_key.clone()).build();
    let client = client.unwrap();
    let mut pages = client.pages(op).pages_in_flight(in_flight);
    let first = pages.next().unwrap();
    after_first();
    std::iter::once(first).chain(pages).collect()
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
