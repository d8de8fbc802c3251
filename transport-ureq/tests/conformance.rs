//! The shared suites of atlas-admin-testing over ureq: the conformance suite against the fake
//! Atlas, and the transport scenarios (Digest on the wire, faults, OAuth, TLS, settings)
//! against the canned server. Clones run on threads.
#![allow(clippy::expect_used)]

use atlas_admin_core::{Error, Operation};
use atlas_admin_testing::transport_suite::{Connected, Outcome, SharedOp, Transport};
use atlas_admin_ureq::Client;

struct Ureq;

impl Transport for Ureq {
    const NAME: &'static str = "ureq";
    atlas_admin_testing::transport_by_name!(atlas_admin_ureq);

    fn execute<O: Operation>(client: &Client, op: &O) -> Outcome<O> {
        client.execute(op)
    }

    fn revoke_token(client: &Client) -> Result<bool, Error> {
        client.revoke_token()
    }

    fn execute_on_clones<O: SharedOp>(client: &Client, op: &O, n: usize) -> Vec<Outcome<O>> {
        let threads: Vec<_> = (0..n)
            .map(|_| {
                let (client, op) = (client.clone(), op.clone());
                std::thread::spawn(move || client.execute(&op))
            })
            .collect();
        threads.into_iter().map(|t| t.join().expect("the call's thread")).collect()
    }
}

atlas_admin_testing::conformance_suite!(Connected<Ureq>);
atlas_admin_testing::transport_suite!(Ureq);
